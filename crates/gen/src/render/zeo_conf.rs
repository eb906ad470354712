//! zeo.conf: the user's text, re-rendered, logging to standard output.

use zeoraid_core::zconfig::{render as render_zconfig, Config};

use super::event_log;

/// The user's zeo.conf with an `<eventlog>` to `STDOUT` appended when it has
/// none (the zdaemon transcript captures standard output into the log).
pub fn render(user: &Config) -> String {
    let mut config = user.clone();
    if config.root.sections_of("eventlog").next().is_none() {
        config.root.sections.push(event_log("STDOUT"));
    }
    render_zconfig(&config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeoraid_core::zconfig::parse;

    #[test]
    fn appends_eventlog_unless_given() {
        let text = "<zeo>\naddress 8100\n</zeo>\n";
        assert_eq!(
            render(&parse(text).unwrap()),
            "<zeo>\n  address 8100\n</zeo>\n\n<eventlog>\n  <logfile>\n    path STDOUT\n  </logfile>\n</eventlog>\n"
        );
        let own = "<eventlog>\n<logfile>\npath /var/log/zeo.log\n</logfile>\n</eventlog>\n";
        assert_eq!(
            render(&parse(own).unwrap()),
            "<eventlog>\n  <logfile>\n    path /var/log/zeo.log\n  </logfile>\n</eventlog>\n"
        );
    }
}
