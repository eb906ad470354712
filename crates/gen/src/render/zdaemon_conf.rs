//! zdaemon.conf: the user's zdaemon-conf merged with the `<runner>` defaults.

use zeoraid_core::zconfig::{render as render_zconfig, Config, Section};

use super::event_log;

/// The `<runner>` settings the generator supplies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerDefaults {
    /// `program`: `<runzeo> -C <zeo.conf>`.
    pub program: String,
    /// `directory`: the run directory.
    pub directory: String,
    /// `socket-name`: the control socket.
    pub socket_name: String,
    /// `transcript`: the log file.
    pub transcript: String,
    /// `user`: the deployment's user, if any.
    pub user: Option<String>,
}

/// The user's zdaemon-conf with every default the first `<runner>` does not
/// set added to it (a `<runner>` is put first when there is none) and an
/// `<eventlog>` to the transcript appended when there is none.
pub fn render(user: &Config, defaults: &RunnerDefaults) -> String {
    render_zconfig(&merge(user, defaults))
}

/// The configuration [`render`] prints.
pub fn merge(user: &Config, defaults: &RunnerDefaults) -> Config {
    let mut config = user.clone();
    let sections = &mut config.root.sections;
    let index = match sections.iter().position(|s| s.type_ == "runner") {
        Some(index) => index,
        None => {
            sections.insert(0, Section::new("runner", None));
            0
        }
    };
    let runner = &mut sections[index];
    let mut pairs = vec![
        ("program", defaults.program.as_str()),
        ("daemon", "on"),
        ("transcript", defaults.transcript.as_str()),
        ("socket-name", defaults.socket_name.as_str()),
        ("directory", defaults.directory.as_str()),
    ];
    if let Some(user) = &defaults.user {
        pairs.push(("user", user));
    }
    for (key, value) in pairs {
        if value_of(runner, key).is_none() {
            runner.set(key, value);
        }
    }
    if !sections.iter().any(|s| s.type_ == "eventlog") {
        sections.push(event_log(&defaults.transcript));
    }
    config
}

/// What the first `<runner>` of `config` sets `key` to (ZConfig compares
/// keys case-insensitively; the last value wins).
pub fn runner_value<'a>(config: &'a Config, key: &str) -> Option<&'a str> {
    config
        .root
        .sections_of("runner")
        .next()
        .and_then(|runner| value_of(runner, key))
}

/// The variables of the first `<environment>` of `config`.
pub fn environment(config: &Config) -> Vec<(String, String)> {
    config
        .root
        .sections_of("environment")
        .next()
        .map(|env| env.keys.clone())
        .unwrap_or_default()
}

fn value_of<'a>(section: &'a Section, key: &str) -> Option<&'a str> {
    section
        .keys
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeoraid_core::zconfig::parse;

    fn defaults(user: Option<&str>) -> RunnerDefaults {
        RunnerDefaults {
            program: "/b/runzeo -C /p/zeo.conf".into(),
            directory: "/p".into(),
            socket_name: "/p/zdaemon.sock".into(),
            transcript: "/p/zeo.log".into(),
            user: user.map(str::to_owned),
        }
    }

    #[test]
    fn fills_an_empty_config() {
        assert_eq!(
            render(&Config::default(), &defaults(Some("bob"))),
            "<runner>\n  daemon on\n  directory /p\n  program /b/runzeo -C /p/zeo.conf\n  \
             socket-name /p/zdaemon.sock\n  transcript /p/zeo.log\n  user bob\n</runner>\n\n\
             <eventlog>\n  <logfile>\n    path /p/zeo.log\n  </logfile>\n</eventlog>\n"
        );
    }

    #[test]
    fn runner_keys_compare_case_insensitively() {
        let user = parse("<runner>\nProgram /bin/true\nStop-Timeout 7\n</runner>\n").unwrap();
        let merged = merge(&user, &defaults(None));
        assert_eq!(runner_value(&merged, "program"), Some("/bin/true"));
        assert_eq!(runner_value(&merged, "stop-timeout"), Some("7"));
        assert_eq!(runner_value(&merged, "transcript"), Some("/p/zeo.log"));
        assert!(!render(&user, &defaults(None)).contains("runzeo"));
    }

    #[test]
    fn keeps_what_the_user_set() {
        let user = parse(
            "<environment>\nTZ UTC\n</environment>\n<runner>\ndaemon off\nbackoff-limit 5\n</runner>\n\
             <eventlog>\nlevel debug\n</eventlog>\n",
        )
        .unwrap();
        assert_eq!(
            render(&user, &defaults(None)),
            "<environment>\n  TZ UTC\n</environment>\n\n<runner>\n  backoff-limit 5\n  daemon off\n  \
             directory /p\n  program /b/runzeo -C /p/zeo.conf\n  socket-name /p/zdaemon.sock\n  \
             transcript /p/zeo.log\n</runner>\n\n<eventlog>\n  level debug\n</eventlog>\n"
        );
    }
}
