//! Finding the program to run, and describing how it ended.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;

use super::{posix, signals};
use crate::pyrepr;

/// The search path zdaemon uses when `PATH` is unset or empty.
const DEFAULT_PATH: &[&str] = &["/bin", "/usr/bin", "/usr/local/bin"];

/// Turns the program's first word into a file to execute, as zdaemon does:
/// a word with a `/` names a file (relative to the current directory),
/// other words are looked up on `path` (a `PATH` value). The file must be
/// a regular file this process may execute.
pub fn resolve(program: &str, path: Option<&OsStr>) -> Result<PathBuf, String> {
    let file = if program.contains('/') {
        let file = PathBuf::from(program);
        if let Err(e) = std::fs::metadata(&file) {
            return Err(format!(
                "can't stat program {}: {e}",
                pyrepr::py_str(program)
            ));
        }
        std::path::absolute(&file).unwrap_or(file)
    } else {
        let dirs: Vec<PathBuf> = match path.filter(|p| !p.is_empty()) {
            Some(p) => std::env::split_paths(p).collect(),
            None => DEFAULT_PATH.iter().map(PathBuf::from).collect(),
        };
        let found = dirs.iter().map(|d| d.join(program)).find(|f| {
            std::fs::metadata(f).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        });
        match found {
            Some(f) => f,
            None => {
                let shown: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
                return Err(format!(
                    "can't find program {} on PATH {}",
                    pyrepr::py_str(program),
                    pyrepr::py_list(&shown)
                ));
            }
        }
    };
    if !std::fs::metadata(&file).is_ok_and(|m| m.is_file()) {
        return Err(format!(
            "program {} is not a regular file",
            pyrepr::py_str(&file.display().to_string())
        ));
    }
    if !posix::is_executable(&file) {
        return Err(format!(
            "no permission to run program {}",
            pyrepr::py_str(&file.display().to_string())
        ));
    }
    Ok(file)
}

/// The `PATH` the program is searched on: `<environment>`'s, else ours.
pub fn search_path(environment: &[(String, String)]) -> Option<std::ffi::OsString> {
    environment
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.into())
        .or_else(|| std::env::var_os("PATH"))
}

/// How a process ended, as zdaemon reports it: the exit status (`None`
/// when killed by a signal) and a message such as `exit status 1` or
/// `terminated by SIGKILL`.
pub fn describe(status: ExitStatus) -> (Option<i32>, String) {
    if let Some(code) = status.code() {
        return (Some(code), format!("exit status {code}"));
    }
    match status.signal() {
        Some(sig) => {
            let core = if status.core_dumped() {
                " (core dumped)"
            } else {
                ""
            };
            (None, format!("terminated by {}{core}", signals::name(sig)))
        }
        None => (
            None,
            format!("unknown termination cause 0x{:04x}", status.into_raw()),
        ),
    }
}

/// A conventional shell exit code for a finished process (128+N for a signal).
pub fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_on_path_and_by_name() {
        let sh = resolve("sh", Some(OsStr::new("/nonexistent:/bin:/usr/bin"))).unwrap();
        assert!(sh.ends_with("sh") && sh.is_absolute());
        assert_eq!(resolve("/bin/sh", None).unwrap(), PathBuf::from("/bin/sh"));
    }

    #[test]
    fn refuses_missing_and_unrunnable_programs() {
        let e = resolve("nosuch-zeoraid", Some(OsStr::new("/a:/b"))).unwrap_err();
        assert_eq!(
            e,
            "can't find program 'nosuch-zeoraid' on PATH ['/a', '/b']"
        );
        let e = resolve("/nonexistent/prog", None).unwrap_err();
        assert!(
            e.starts_with("can't stat program '/nonexistent/prog'"),
            "{e}"
        );
        assert!(resolve("/etc/passwd", None)
            .unwrap_err()
            .starts_with("no permission to run program '/etc/passwd'"));
        assert!(resolve("/tmp", None)
            .unwrap_err()
            .contains("is not a regular file"));
    }

    #[test]
    fn describes_exits() {
        assert_eq!(
            describe(ExitStatus::from_raw(3 << 8)),
            (Some(3), "exit status 3".to_owned())
        );
        assert_eq!(
            describe(ExitStatus::from_raw(9)),
            (None, "terminated by SIGKILL".to_owned())
        );
        assert_eq!(
            describe(ExitStatus::from_raw(0x80 | 11)).1,
            "terminated by SIGSEGV (core dumped)"
        );
        assert_eq!(exit_code(ExitStatus::from_raw(15)), 143);
    }

    #[test]
    fn environment_path_wins() {
        let env = vec![("PATH".to_owned(), "/x".to_owned())];
        assert_eq!(search_path(&env), Some("/x".into()));
    }
}
