//! The plan: every path, file and binary a `zeoraid.toml` asks for.
//!
//! Building it checks everything a build could trip over later (names, paths,
//! zeo.conf, pack), so that rendering, code generation and installing only
//! follow it.

mod conflicts;
mod context;
mod deployment;
mod files;
mod locations;
mod part;

use std::path::{Path, PathBuf};

use zeoraid_core::addr::Address;

use crate::config::Config;
use crate::error::Error;

/// Everything one `zeoraid.toml` generates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `[layout] directory`, absolute.
    pub directory: PathBuf,
    /// `[layout] bin-directory`, absolute.
    pub bin_directory: PathBuf,
    /// `[layout] parts-directory`, absolute.
    pub parts_directory: PathBuf,
    /// One entry per `[server.KEY]`, sorted by key.
    pub parts: Vec<PartPlan>,
}

/// What one server part generates. All paths are absolute and normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartPlan {
    /// The `[server.KEY]` key.
    pub key: String,
    /// The part name used in file names (`name` or the key).
    pub name: String,
    /// The deployment's name (its `name` or key), if the part has one.
    pub deployment: Option<String>,
    /// The deployment's user, if any.
    pub user: Option<String>,
    /// The run-control program: the compiled server wrapper, or the shell
    /// script when [`shell_script`](Self::shell_script) is set.
    pub rc: PathBuf,
    /// Where zeo.conf goes.
    pub zeo_conf: PathBuf,
    /// Where zdaemon.conf goes.
    pub zdaemon_conf: PathBuf,
    /// zdaemon's working directory.
    pub run_directory: PathBuf,
    /// zdaemon's control socket.
    pub socket: PathBuf,
    /// The event log and transcript.
    pub log: PathBuf,
    /// The logrotate file, with a deployment unless turned off.
    pub logrotate: Option<PathBuf>,
    /// The pack cron file, with a deployment and `pack`.
    pub cron: Option<PathBuf>,
    /// The systemd unit's name, e.g. `zeoraid.service`.
    pub systemd_unit: String,
    /// Where the systemd unit file is written (one of [`files`](Self::files)),
    /// with a `systemd-directory` (the layout's, or the deployment's).
    pub systemd_unit_path: Option<PathBuf>,
    /// The `<zeo>` address (a relative socket path resolved against the run
    /// directory, where runzeo runs).
    pub address: Address,
    /// Whether [`rc`](Self::rc) is a rendered `/bin/sh` script (in
    /// [`files`](Self::files)) instead of the compiled server wrapper.
    pub shell_script: bool,
    /// The runzeo program.
    pub runzeo: PathBuf,
    /// The zdaemon program (used by the shell script).
    pub zdaemon: PathBuf,
    /// The zeopack program (used by the pack cron job).
    pub zeopack: PathBuf,
    /// Every storage of zeo.conf, in order.
    pub storages: Vec<String>,
    /// One manage binary per `<raidstorage>`, in zeo.conf order.
    pub manage: Vec<ManagePlan>,
    /// Every rendered text file of this part.
    pub files: Vec<FileOut>,
    /// The directories install must create for this part (with a
    /// deployment its run and log directories, which belong to
    /// [`user`](Self::user)).
    pub directories: Vec<PathBuf>,
}

/// One manage binary: `<rc>-<storage>-manage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagePlan {
    /// The storage name (lowercased, as ZConfig reads it).
    pub storage: String,
    /// Where the binary goes.
    pub path: PathBuf,
    /// The server address compiled in as the default.
    pub address: Address,
}

/// One rendered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOut {
    /// Where it goes.
    pub path: PathBuf,
    /// Its text.
    pub contents: String,
    /// Its permission bits, e.g. `0o644`.
    pub mode: u32,
}

/// Builds the plan for `config`, read from `file`.
pub fn build(config: &Config, file: &Path) -> Result<Plan, Error> {
    let ctx = context::Context::new(config, file)?;
    let deployments = config
        .deployments
        .iter()
        .map(|d| deployment::resolve(&ctx, d))
        .collect::<Result<Vec<_>, _>>()?;
    if config.servers.is_empty() {
        return Err(ctx.error(
            None,
            "there are no server parts: add a [server.NAME] table with a zeo-conf".into(),
        ));
    }
    let mut servers: Vec<_> = config.servers.iter().collect();
    servers.sort_by(|a, b| a.key.cmp(&b.key));
    let parts = servers
        .into_iter()
        .map(|s| part::build(&ctx, s, &deployments))
        .collect::<Result<Vec<_>, _>>()?;
    conflicts::check(&ctx, config, &parts)?;
    Ok(Plan {
        directory: ctx.directory.clone(),
        bin_directory: ctx.bin_directory.clone(),
        parts_directory: ctx.parts_directory.clone(),
        parts,
    })
}
