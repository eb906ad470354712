//! A systemd service unit per part, running the server in the foreground.
//!
//! A part with the compiled server wrapper runs its foreground manager,
//! `<rc> -C <zdaemon.conf> supervise`: the same zdaemon.conf as the rc
//! program, so `<environment>`, `user`, the transcript, restarts with
//! back-off and the control socket behave as after `start`, and `status`,
//! `stop` and logrotate's `reopen_transcript` keep working under systemd.
//! A `shell-script` part has no wrapper (its rc calls Python's zdaemon,
//! which has no supervised foreground mode), so its unit runs runzeo
//! itself with zdaemon.conf's `<environment>`, appending to the log.

/// How the unit starts the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exec<'a> {
    /// `<rc> -C <zdaemon_conf> supervise`.
    Supervise {
        /// The compiled server wrapper.
        rc: &'a str,
        /// The zdaemon.conf it reads.
        zdaemon_conf: &'a str,
    },
    /// `<runzeo> -C <zeo_conf>` in `directory` with `environment`.
    Direct {
        /// The runzeo program.
        runzeo: &'a str,
        /// The zeo.conf it reads.
        zeo_conf: &'a str,
        /// The working directory (the zdaemon run directory).
        directory: &'a str,
        /// zdaemon.conf's `<environment>` variables.
        environment: &'a [(String, String)],
    },
}

/// What a unit needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit<'a> {
    /// A readable name for `Description=`.
    pub title: &'a str,
    /// How the server is started.
    pub exec: Exec<'a>,
    /// The transcript, where the server's output goes.
    pub log: &'a str,
    /// The user to run as (zdaemon.conf's `user`), if any.
    pub user: Option<&'a str>,
    /// The run directory; systemd creates it at each start (and hands it to
    /// the user) when it lies under `/run` or `/var/run`, a tmpfs.
    pub run_directory: &'a str,
    /// zdaemon's `stop-timeout`: seconds from SIGTERM to SIGKILL, 0 never.
    pub stop_timeout: u64,
    /// zdaemon's `exit-codes`: exit statuses after which the server is not
    /// restarted.
    pub exit_codes: &'a [i32],
}

/// The unit text: a simple service, restarted on failure (systemd 240 or
/// later for `StandardOutput=append:`).
pub fn render(unit: &Unit<'_>) -> String {
    let mut service = vec!["Type=simple".to_owned()];
    let mut prevent: Vec<i32> = unit
        .exit_codes
        .iter()
        .copied()
        .filter(|&c| c != 0)
        .collect();
    let supervised = matches!(unit.exec, Exec::Supervise { .. });
    match &unit.exec {
        Exec::Supervise { rc, zdaemon_conf } => {
            service.insert(
                0,
                format!(
                    "# The wrapper copies the server's output to {} and the journal.",
                    unit.log
                ),
            );
            service.push(exec_start(&[rc, "-C", zdaemon_conf, "supervise"]));
            // The wrapper's own configuration errors exit 2.
            prevent.push(2);
        }
        Exec::Direct {
            runzeo,
            zeo_conf,
            directory,
            environment,
        } => {
            service.push(exec_start(&[runzeo, "-C", zeo_conf]));
            service.push(format!("WorkingDirectory={}", specifiers(directory)));
            service.extend(
                environment
                    .iter()
                    .map(|(k, v)| format!("Environment={}", quoted(&format!("{k}={v}"), false))),
            );
        }
    }
    if let Some(user) = unit.user {
        service.push(format!("User={user}"));
    }
    if let Some(dir) = runtime_directory(unit.run_directory) {
        service.push(format!("RuntimeDirectory={}", specifiers(dir)));
        service.push("RuntimeDirectoryPreserve=yes".to_owned());
    }
    if supervised {
        service.push("KillMode=mixed".to_owned());
    }
    service.push(format!(
        "TimeoutStopSec={}",
        match (unit.stop_timeout, supervised) {
            (0, _) => "infinity".to_owned(),
            (secs, true) => (secs + 30).to_string(),
            (secs, false) => secs.to_string(),
        }
    ));
    service.push("Restart=on-failure".to_owned());
    service.push("RestartSec=5".to_owned());
    prevent.sort_unstable();
    prevent.dedup();
    if !prevent.is_empty() {
        let codes: Vec<String> = prevent.iter().map(i32::to_string).collect();
        service.push(format!("RestartPreventExitStatus={}", codes.join(" ")));
    }
    if !supervised {
        service.push(format!("StandardOutput=append:{}", specifiers(unit.log)));
        service.push("StandardError=inherit".to_owned());
    }
    format!(
        "[Unit]\nDescription=ZEO RAID server {}\nAfter=network.target\n\n\
         [Service]\n{}\n\n[Install]\nWantedBy=multi-user.target\n",
        specifiers(unit.title),
        service.join("\n")
    )
}

/// The name below `/run` for `RuntimeDirectory=`, if `dir` lies there.
fn runtime_directory(dir: &str) -> Option<&str> {
    ["/run/", "/var/run/"]
        .iter()
        .find_map(|prefix| dir.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty())
}

fn exec_start(words: &[&str]) -> String {
    let words: Vec<String> = words.iter().map(|w| quoted(w, true)).collect();
    format!("ExecStart={}", words.join(" "))
}

/// `%` doubled, so systemd does not read it as a specifier.
fn specifiers(text: &str) -> String {
    text.replace('%', "%%")
}

/// One word for a unit file: specifiers escaped, `$` doubled where
/// systemd would expand variables (`dollar`), and double-quoted with
/// C-style escapes when it holds blanks, quotes or backslashes.
fn quoted(word: &str, dollar: bool) -> String {
    let mut text = specifiers(word);
    if dollar {
        text = text.replace('$', "$$");
    }
    if text.is_empty() || text.contains(|c: char| c.is_whitespace() || "\"'\\;".contains(c)) {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit<'a>(exec: Exec<'a>, run: &'a str) -> Unit<'a> {
        Unit {
            title: "demo-zeoraid",
            exec,
            log: "/var/log/demo/zeoraid-zeo.log",
            user: Some("zope"),
            run_directory: run,
            stop_timeout: 300,
            exit_codes: &[0, 2],
        }
    }

    #[test]
    fn the_wrapper_supervises_in_the_foreground() {
        let exec = Exec::Supervise {
            rc: "/etc/init.d/demo-zeoraid",
            zdaemon_conf: "/etc/demo/zeoraid-zdaemon.conf",
        };
        assert_eq!(
            render(&unit(exec, "/var/run/demo")),
            "[Unit]\nDescription=ZEO RAID server demo-zeoraid\nAfter=network.target\n\n\
             [Service]\n\
             # The wrapper copies the server's output to /var/log/demo/zeoraid-zeo.log and the journal.\n\
             Type=simple\n\
             ExecStart=/etc/init.d/demo-zeoraid -C /etc/demo/zeoraid-zdaemon.conf supervise\n\
             User=zope\nRuntimeDirectory=demo\nRuntimeDirectoryPreserve=yes\nKillMode=mixed\n\
             TimeoutStopSec=330\nRestart=on-failure\nRestartSec=5\nRestartPreventExitStatus=2\n\n\
             [Install]\nWantedBy=multi-user.target\n"
        );
    }

    #[test]
    fn runzeo_directly_for_shell_scripts() {
        let environment = [
            ("PYTHONPATH".to_owned(), "/opt/raid".to_owned()),
            ("TZ".to_owned(), "a \"b\" 100%".to_owned()),
        ];
        let exec = Exec::Direct {
            runzeo: "/opt/zeo/bin/runzeo",
            zeo_conf: "/srv/my zeo/zeo.conf",
            directory: "/srv/run",
            environment: &environment,
        };
        let text = render(&Unit {
            stop_timeout: 0,
            exit_codes: &[0, 3, 2, 3],
            ..unit(exec, "/srv/run")
        });
        assert_eq!(
            text,
            "[Unit]\nDescription=ZEO RAID server demo-zeoraid\nAfter=network.target\n\n\
             [Service]\nType=simple\n\
             ExecStart=/opt/zeo/bin/runzeo -C \"/srv/my zeo/zeo.conf\"\n\
             WorkingDirectory=/srv/run\nEnvironment=PYTHONPATH=/opt/raid\n\
             Environment=\"TZ=a \\\"b\\\" 100%%\"\nUser=zope\nTimeoutStopSec=infinity\n\
             Restart=on-failure\nRestartSec=5\nRestartPreventExitStatus=2 3\n\
             StandardOutput=append:/var/log/demo/zeoraid-zeo.log\nStandardError=inherit\n\n\
             [Install]\nWantedBy=multi-user.target\n"
        );
    }

    #[test]
    fn runtime_directories_only_under_run() {
        assert_eq!(runtime_directory("/run/zeo"), Some("zeo"));
        assert_eq!(runtime_directory("/var/run/a/b"), Some("a/b"));
        assert_eq!(runtime_directory("/run/"), None);
        assert_eq!(runtime_directory("/srv/run/zeo"), None);
    }

    #[test]
    fn words_are_quoted_for_systemd() {
        assert_eq!(quoted("/a/b", true), "/a/b");
        assert_eq!(quoted("/a$b%c", true), "/a$$b%%c");
        assert_eq!(quoted("a$b", false), "a$b");
        assert_eq!(quoted("", true), "\"\"");
        assert_eq!(quoted("x;y", true), "\"x;y\"");
        assert_eq!(quoted("a\\b c", true), "\"a\\\\b c\"");
    }
}
