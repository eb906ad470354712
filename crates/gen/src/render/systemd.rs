//! A systemd service unit running the ZEO server in the foreground.

/// What a unit needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit<'a> {
    /// A readable name for `Description=`.
    pub title: &'a str,
    /// The runzeo program.
    pub runzeo: &'a str,
    /// The zeo.conf it reads.
    pub zeo_conf: &'a str,
    /// The working directory (the zdaemon run directory).
    pub directory: &'a str,
    /// The log file standard output is appended to.
    pub log: &'a str,
    /// The user to run as, if any.
    pub user: Option<&'a str>,
}

/// The unit text: `runzeo -C zeo.conf` as a simple service, restarted on
/// failure, its output appended to the log (systemd 240 or later).
pub fn render(unit: &Unit<'_>) -> String {
    let user = unit.user.map(|u| format!("User={u}\n")).unwrap_or_default();
    format!(
        "[Unit]\nDescription=ZEO RAID server {title}\nAfter=network.target\n\n\
         [Service]\nType=simple\nExecStart={runzeo} -C {zeo_conf}\nWorkingDirectory={directory}\n\
         {user}Restart=on-failure\nRestartSec=5\nStandardOutput=append:{log}\nStandardError=inherit\n\n\
         [Install]\nWantedBy=multi-user.target\n",
        title = unit.title,
        runzeo = unit.runzeo,
        zeo_conf = unit.zeo_conf,
        directory = unit.directory,
        log = unit.log,
    )
}
