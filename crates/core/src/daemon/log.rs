//! The supervisor's own log: the `<logfile>`s of `<eventlog>` when given,
//! otherwise warnings into the transcript (daemon) or everything to
//! stderr (foreground).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::options::{Level, LogFile, CRITICAL, INFO, WARNING};
use super::posix;
use super::transcript::TranscriptWriter;

enum Dest {
    File { path: PathBuf, file: File },
    Stdout,
    Stderr,
}

struct Target {
    dest: Dest,
    level: Level,
}

/// Where records go when no `<eventlog>` is configured.
pub enum Fallback {
    /// Warnings and worse, bare, into the transcript (what zdaemon's
    /// unconfigured Python logging does once stderr is the transcript).
    Transcript(TranscriptWriter),
    /// Everything, with a timestamp, to stderr.
    Stderr,
}

/// A small, thread-safe logger.
pub struct Logger {
    targets: Mutex<Vec<Target>>,
    level: Level,
    fallback: Fallback,
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).create(true).open(path)
}

fn level_name(level: Level) -> &'static str {
    match level {
        l if l >= CRITICAL => "CRITICAL",
        l if l >= 40 => "ERROR",
        l if l >= WARNING => "WARNING",
        l if l >= INFO => "INFO",
        _ => "DEBUG",
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in local time (UTC if the C library can't tell).
pub fn timestamp(now: SystemTime) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let [y, mo, d, h, mi, s] = posix::local_time(secs).unwrap_or_else(|| utc(secs));
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
}

/// Civil UTC time of a Unix timestamp (Howard Hinnant's days-to-civil).
fn utc(secs: i64) -> [i32; 6] {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let narrow = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    [
        narrow(y),
        narrow(m),
        narrow(d),
        narrow(rem / 3600),
        narrow(rem % 3600 / 60),
        narrow(rem % 60),
    ]
}

impl Logger {
    /// Opens the `<logfile>`s (`STDOUT`/`STDERR` are the streams).
    pub fn open(files: &[LogFile], level: Level, fallback: Fallback) -> Result<Logger, String> {
        let mut targets = Vec::new();
        for f in files {
            let dest = match f.path.to_str() {
                Some("STDOUT") => Dest::Stdout,
                Some("STDERR") => Dest::Stderr,
                _ => Dest::File {
                    file: open_append(&f.path)
                        .map_err(|e| format!("can't open event log '{}': {e}", f.path.display()))?,
                    path: f.path.clone(),
                },
            };
            targets.push(Target {
                dest,
                level: f.level,
            });
        }
        Ok(Logger {
            targets: Mutex::new(targets),
            level,
            fallback,
        })
    }

    /// Logs `message` at `level`.
    pub fn log(&self, level: Level, message: &str) {
        let mut targets = self.targets.lock().unwrap_or_else(|p| p.into_inner());
        let line = format!(
            "{} {} zdrun {message}\n",
            timestamp(SystemTime::now()),
            level_name(level)
        );
        if targets.is_empty() {
            match &self.fallback {
                Fallback::Transcript(t) if level >= WARNING => {
                    t.write(format!("{message}\n").as_bytes())
                }
                Fallback::Transcript(_) => {}
                Fallback::Stderr => {
                    let _ = io::stderr().write_all(line.as_bytes());
                }
            }
            return;
        }
        if level < self.level {
            return;
        }
        for t in targets.iter_mut().filter(|t| level >= t.level) {
            let _ = match &mut t.dest {
                Dest::File { file, .. } => file.write_all(format!("------\n{line}").as_bytes()),
                Dest::Stdout => io::stdout().write_all(line.as_bytes()),
                Dest::Stderr => io::stderr().write_all(line.as_bytes()),
            };
        }
    }

    /// Logs at INFO.
    pub fn info(&self, message: &str) {
        self.log(INFO, message);
    }

    /// Logs at WARNING.
    pub fn warning(&self, message: &str) {
        self.log(WARNING, message);
    }

    /// Logs at CRITICAL.
    pub fn critical(&self, message: &str) {
        self.log(CRITICAL, message);
    }

    /// Reopens the log files (after log rotation).
    pub fn reopen(&self) -> Result<(), String> {
        let mut targets = self.targets.lock().unwrap_or_else(|p| p.into_inner());
        for t in targets.iter_mut() {
            if let Dest::File { path, file } = &mut t.dest {
                *file = open_append(path)
                    .map_err(|e| format!("can't reopen event log '{}': {e}", path.display()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), [1970, 1, 1, 0, 0, 0]);
        assert_eq!(utc(951_782_400 + 3661), [2000, 2, 29, 1, 1, 1]);
        assert_eq!(utc(1_700_000_000), [2023, 11, 14, 22, 13, 20]);
    }

    #[test]
    fn timestamps_have_the_zconfig_shape() {
        let t = timestamp(SystemTime::now());
        assert_eq!(t.len(), 19);
        assert_eq!(&t[10..11], "T");
    }

    #[test]
    fn writes_filtered_records_and_reopens() {
        let dir = std::env::temp_dir().join(format!("zeoraid-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("event.log");
        let _ = std::fs::remove_file(&path);
        let files = [LogFile {
            path: path.clone(),
            level: 0,
        }];
        let log = Logger::open(&files, WARNING, Fallback::Stderr).unwrap();
        log.info("quiet");
        log.warning("loud");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("------\n") && text.ends_with(" WARNING zdrun loud\n"),
            "{text}"
        );
        assert!(!text.contains("quiet"));
        std::fs::rename(&path, dir.join("event.log.1")).unwrap();
        log.reopen().unwrap();
        log.critical("fresh");
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("CRITICAL zdrun fresh"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unopenable_log_is_an_error() {
        let files = [LogFile {
            path: PathBuf::from("/nonexistent/x/e.log"),
            level: 0,
        }];
        let err = Logger::open(&files, INFO, Fallback::Stderr).err().unwrap();
        assert!(err.starts_with("can't open event log"));
    }
}
