//! The text of every generated file, from the plan's facts.

pub mod cron;
pub mod logrotate;
pub mod shell_script;
pub mod systemd;
pub mod zdaemon_conf;
pub mod zeo_conf;

use zeoraid_core::zconfig::Section;

/// `<eventlog>` with one `<logfile>` writing to `path`.
fn event_log(path: &str) -> Section {
    let mut logfile = Section::new("logfile", None);
    logfile.set("path", path);
    let mut eventlog = Section::new("eventlog", None);
    eventlog.sections.push(logfile);
    eventlog
}
