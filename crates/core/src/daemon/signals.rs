//! Signal numbers and names, as zdaemon's `kill` command understands them.

/// `(name, number)` for the signals of this platform; when two names share
/// a number, the one listed first is the canonical name.
#[cfg(any(target_os = "linux", target_os = "android"))]
const TABLE: &[(&str, i32)] = &[
    ("SIGABRT", 6),
    ("SIGALRM", 14),
    ("SIGBUS", 7),
    ("SIGCHLD", 17),
    ("SIGCLD", 17),
    ("SIGCONT", 18),
    ("SIGFPE", 8),
    ("SIGHUP", 1),
    ("SIGILL", 4),
    ("SIGINT", 2),
    ("SIGIO", 29),
    ("SIGIOT", 6),
    ("SIGKILL", 9),
    ("SIGPIPE", 13),
    ("SIGPOLL", 29),
    ("SIGPROF", 27),
    ("SIGPWR", 30),
    ("SIGQUIT", 3),
    ("SIGRTMAX", 64),
    ("SIGRTMIN", 34),
    ("SIGSEGV", 11),
    ("SIGSTKFLT", 16),
    ("SIGSTOP", 19),
    ("SIGSYS", 31),
    ("SIGTERM", 15),
    ("SIGTRAP", 5),
    ("SIGTSTP", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 23),
    ("SIGUSR1", 10),
    ("SIGUSR2", 12),
    ("SIGVTALRM", 26),
    ("SIGWINCH", 28),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
];

/// `(name, number)` for the BSD-derived systems (macOS, the BSDs).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const TABLE: &[(&str, i32)] = &[
    ("SIGABRT", 6),
    ("SIGALRM", 14),
    ("SIGBUS", 10),
    ("SIGCHLD", 20),
    ("SIGCONT", 19),
    ("SIGEMT", 7),
    ("SIGFPE", 8),
    ("SIGHUP", 1),
    ("SIGILL", 4),
    ("SIGINFO", 29),
    ("SIGINT", 2),
    ("SIGIO", 23),
    ("SIGIOT", 6),
    ("SIGKILL", 9),
    ("SIGPIPE", 13),
    ("SIGPROF", 27),
    ("SIGQUIT", 3),
    ("SIGSEGV", 11),
    ("SIGSTOP", 17),
    ("SIGSYS", 12),
    ("SIGTERM", 15),
    ("SIGTRAP", 5),
    ("SIGTSTP", 18),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 16),
    ("SIGUSR1", 30),
    ("SIGUSR2", 31),
    ("SIGVTALRM", 26),
    ("SIGWINCH", 28),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
];

fn number(name: &str) -> i32 {
    TABLE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or(0)
}

/// `SIGHUP`.
pub fn sighup() -> i32 {
    number("SIGHUP")
}
/// `SIGINT`.
pub fn sigint() -> i32 {
    number("SIGINT")
}
/// `SIGKILL`.
pub fn sigkill() -> i32 {
    number("SIGKILL")
}
/// `SIGTERM`.
pub fn sigterm() -> i32 {
    number("SIGTERM")
}
/// `SIGCHLD`.
pub fn sigchld() -> i32 {
    number("SIGCHLD")
}

/// The canonical name of signal `sig` (`"SIGTERM"`), or `"signal N"`.
pub fn name(sig: i32) -> String {
    TABLE
        .iter()
        .find(|(_, v)| *v == sig)
        .map(|(n, _)| (*n).to_owned())
        .unwrap_or_else(|| format!("signal {sig}"))
}

/// Converts `kill`'s argument to a canonical signal name, as zdaemon does:
/// case-insensitive, the `SIG` prefix optional, numbers accepted when the
/// platform knows them. Returns `(name, number)`.
pub fn parse(text: &str) -> Result<(String, i32), String> {
    if let Ok(v) = text.trim().parse::<i64>() {
        return TABLE
            .iter()
            .find(|(_, n)| i64::from(*n) == v)
            .map(|(n, v)| ((*n).to_owned(), *v))
            .ok_or_else(|| format!("unsupported signal on this platform: {text}"));
    }
    let upper = text.to_ascii_uppercase();
    let full = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    if text.contains('_') {
        return Err(format!("could not convert '{text}' to signal name"));
    }
    TABLE
        .iter()
        .find(|(n, _)| *n == full)
        .map(|(n, v)| ((*n).to_owned(), *v))
        .ok_or_else(|| format!("could not convert '{text}' to signal name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse("sighup").unwrap().0, "SIGHUP");
        assert_eq!(parse("SigHup").unwrap().0, "SIGHUP");
        assert_eq!(parse("hup").unwrap(), ("SIGHUP".to_owned(), 1));
        assert_eq!(parse("USR2").unwrap().0, "SIGUSR2");
        assert_eq!(parse(&sigterm().to_string()).unwrap().0, "SIGTERM");
        assert_eq!(parse("6").unwrap().0, "SIGABRT");
        assert!(parse("woohoo").is_err());
        assert!(parse("sig_ign").is_err());
        assert!(parse("_DFL").is_err());
        assert!(parse("-234").is_err());
        assert!(parse("65").is_err());
        assert_eq!(name(sigkill()), "SIGKILL");
        assert_eq!(name(200), "signal 200");
    }
}
