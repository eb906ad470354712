//! Rendering every text file of a part.

use std::path::{Path, PathBuf};

use zeoraid_core::zconfig::{render as render_zconfig, Config as ZConfig};

use super::context::text;
use super::locations::Locations;
use super::FileOut;
use crate::render::{logrotate, shell_script, systemd, zdaemon_conf, zeo_conf};

/// What the files of a part are made from.
pub(super) struct Inputs<'a> {
    pub at: &'a Locations,
    pub zeo: &'a ZConfig,
    pub zdaemon: &'a ZConfig,
    pub runzeo: &'a Path,
    pub zdaemon_program: &'a Path,
    pub user: Option<&'a str>,
    pub shell_script: bool,
    pub logrotate: Option<&'a Path>,
    /// The pack cron file and its text.
    pub cron: Option<(PathBuf, String)>,
}

/// zeo.conf, zdaemon.conf, the shell-script rc, logrotate, cron and the
/// systemd unit, in that order (those that apply).
pub(super) fn render(i: Inputs<'_>) -> Vec<FileOut> {
    let at = i.at;
    let rc = at.rc();
    let defaults = zdaemon_conf::RunnerDefaults {
        program: format!("{} -C {}", text(i.runzeo), text(&at.zeo_conf)),
        directory: text(&at.run_directory),
        socket_name: text(&at.socket),
        transcript: text(&at.log),
        user: i.user.map(str::to_owned),
    };
    let zdaemon = zdaemon_conf::merge(i.zdaemon, &defaults);
    let unit = at
        .unit_path
        .as_ref()
        .map(|path| file(path, unit(&i, &zdaemon, &defaults), 0o644));
    let mut files = vec![
        file(&at.zeo_conf, zeo_conf::render(i.zeo), 0o644),
        file(&at.zdaemon_conf, render_zconfig(&zdaemon), 0o644),
    ];
    if i.shell_script {
        let script =
            shell_script::render(&text(i.zdaemon_program), &text(&at.zdaemon_conf), i.user);
        files.push(file(&rc, script, 0o755));
    }
    if let Some(path) = i.logrotate {
        let contents = logrotate::render(&text(&at.log), &text(&rc), &text(&at.zdaemon_conf));
        files.push(file(path, contents, 0o644));
    }
    if let Some((path, contents)) = i.cron {
        files.push(file(&path, contents, 0o644));
    }
    files.extend(unit);
    files
}

/// The systemd unit, from the effective zdaemon.conf `zdaemon`.
fn unit(i: &Inputs<'_>, zdaemon: &ZConfig, defaults: &zdaemon_conf::RunnerDefaults) -> String {
    let at = i.at;
    let runner = |key: &str| zdaemon_conf::runner_value(zdaemon, key);
    let (rc, zdaemon_path) = (text(&at.rc()), text(&at.zdaemon_conf));
    let (runzeo, zeo_conf) = (text(i.runzeo), text(&at.zeo_conf));
    let environment = zdaemon_conf::environment(zdaemon);
    let directory = runner("directory").unwrap_or(&defaults.directory);
    let exec = if i.shell_script {
        systemd::Exec::Direct {
            runzeo: &runzeo,
            zeo_conf: &zeo_conf,
            directory,
            environment: &environment,
        }
    } else {
        systemd::Exec::Supervise {
            rc: &rc,
            zdaemon_conf: &zdaemon_path,
        }
    };
    let exit_codes: Vec<i32> = match runner("exit-codes") {
        Some(list) => list
            .split(',')
            .filter_map(|c| c.trim().parse().ok())
            .collect(),
        None => vec![0, 2],
    };
    systemd::render(&systemd::Unit {
        title: &at.rc_base,
        exec,
        log: runner("transcript").unwrap_or(&defaults.transcript),
        user: runner("user").filter(|u| !u.is_empty()),
        run_directory: directory,
        stop_timeout: runner("stop-timeout")
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(300),
        exit_codes: &exit_codes,
    })
}

fn file(path: &Path, contents: String, mode: u32) -> FileOut {
    FileOut {
        path: path.to_owned(),
        contents,
        mode,
    }
}
