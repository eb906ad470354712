//! The daemon's settings: zdaemon's command line options and the
//! `<runner>`, `<environment>` and `<eventlog>` sections of zdaemon.conf.

use std::path::{Path, PathBuf};

use super::words;
use crate::zconfig::{self, Section};

/// A command line option: its short letter, its long name (which is also
/// the `<runner>` key it overrides, except `configure`) and whether it is
/// a flag (takes no value).
struct Opt {
    short: char,
    long: &'static str,
    flag: bool,
}

#[rustfmt::skip]
const OPTS: &[Opt] = &[
    Opt { short: 'C', long: "configure", flag: false },
    Opt { short: 'h', long: "help", flag: true },
    Opt { short: 'p', long: "program", flag: false },
    Opt { short: 's', long: "socket-name", flag: false },
    Opt { short: 'b', long: "backoff-limit", flag: false },
    Opt { short: 'd', long: "daemon", flag: true },
    Opt { short: 'f', long: "forever", flag: true },
    Opt { short: 'x', long: "exit-codes", flag: false },
    Opt { short: 'u', long: "user", flag: false },
    Opt { short: 'm', long: "umask", flag: false },
    Opt { short: 'z', long: "directory", flag: false },
    Opt { short: 't', long: "transcript", flag: false },
    Opt { short: 'T', long: "start-timeout", flag: false },
    Opt { short: 'l', long: "logfile", flag: false },
    Opt { short: '\0', long: "version", flag: true },
];

/// What the command line said: options, then the command and its arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// `-C FILE` / `--configure FILE`.
    pub config: Option<PathBuf>,
    /// `<runner>` keys set on the command line (`-b 5` is `backoff-limit 5`).
    pub overrides: Vec<(String, String)>,
    /// `-h` / `--help`.
    pub help: bool,
    /// `--version`.
    pub version: bool,
    /// The command and its arguments (everything after the options).
    pub args: Vec<String>,
}

impl CommandLine {
    /// Parses options like Python's `getopt`: clustered short flags,
    /// `-Cfile` or `-C file`, `--long=value` or `--long value`; options end
    /// at `--` or at the first argument that is not an option. Repeating an
    /// option with the same value is fine, with another value an error.
    pub fn parse(args: &[String]) -> Result<CommandLine, String> {
        let mut cl = CommandLine::default();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--" {
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (long, None),
                };
                let opt = OPTS
                    .iter()
                    .find(|o| o.long == name)
                    .ok_or_else(|| format!("option --{name} not recognized"))?;
                let value = if opt.flag {
                    if inline.is_some() {
                        return Err(format!("option --{name} must not have an argument"));
                    }
                    None
                } else {
                    match inline {
                        Some(v) => Some(v),
                        None => {
                            let v = args
                                .get(i)
                                .ok_or_else(|| format!("option --{name} requires argument"))?;
                            i += 1;
                            Some(v.clone())
                        }
                    }
                };
                cl.set(opt, &format!("--{name}"), value)?;
                continue;
            }
            let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
                i -= 1;
                break;
            };
            for (at, c) in cluster.char_indices() {
                let opt = OPTS
                    .iter()
                    .find(|o| o.short == c && c != '\0')
                    .ok_or_else(|| format!("option -{c} not recognized"))?;
                if opt.flag {
                    cl.set(opt, &format!("-{c}"), None)?;
                    continue;
                }
                let rest = &cluster[at + c.len_utf8()..];
                let value = if rest.is_empty() {
                    let v = args
                        .get(i)
                        .ok_or_else(|| format!("option -{c} requires argument"))?;
                    i += 1;
                    v.clone()
                } else {
                    rest.to_owned()
                };
                cl.set(opt, &format!("-{c}"), Some(value))?;
                break;
            }
        }
        cl.args = args[i.min(args.len())..].to_vec();
        Ok(cl)
    }

    fn set(&mut self, opt: &Opt, spelled: &str, value: Option<String>) -> Result<(), String> {
        let conflict = || format!("conflicting command line option '{spelled}'");
        match (opt.long, value) {
            ("help", _) => self.help = true,
            ("version", _) => self.version = true,
            ("configure", Some(v)) => {
                let v = PathBuf::from(v);
                if self.config.as_ref().is_some_and(|c| *c != v) {
                    return Err(conflict());
                }
                self.config = Some(v);
            }
            (key, value) => {
                let value = value.unwrap_or_else(|| "on".to_owned());
                match self.overrides.iter().find(|(k, _)| k == key) {
                    Some((_, old)) if *old != value => return Err(conflict()),
                    Some(_) => {}
                    None => self.overrides.push((key.to_owned(), value)),
                }
            }
        }
        Ok(())
    }

    /// The overrides as long options, to hand to another instance.
    pub fn override_args(&self) -> Vec<String> {
        self.overrides
            .iter()
            .map(|(k, v)| match OPTS.iter().find(|o| o.long == k) {
                Some(o) if o.flag => format!("--{k}"),
                _ => format!("--{k}={v}"),
            })
            .collect()
    }
}

/// Severity of a supervisor log line (Python logging's numbers).
pub type Level = u32;
/// Python logging's `INFO`.
pub const INFO: Level = 20;
/// Python logging's `WARNING`.
pub const WARNING: Level = 30;
/// Python logging's `CRITICAL`.
pub const CRITICAL: Level = 50;

/// One `<logfile>` of the `<eventlog>`: a path (or `STDOUT`/`STDERR`) and
/// its minimum level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFile {
    /// The file, or `STDOUT` / `STDERR`.
    pub path: PathBuf,
    /// Records below this level are not written here.
    pub level: Level,
}

/// The effective settings of one daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The configuration file read, made absolute.
    pub config_file: Option<PathBuf>,
    /// The program and its arguments (`program`, plus arguments given after
    /// `start`/`fg` on the command line).
    pub program: Vec<String>,
    /// The control socket, made absolute (`socket-name`, default `zdsock`).
    pub socket_name: PathBuf,
    /// Run the supervisor in the background (`daemon`, default on).
    pub daemon: bool,
    /// Directory the supervisor changes into (`directory`).
    pub directory: Option<PathBuf>,
    /// `backoff-limit` in seconds (default 10).
    pub backoff_limit: u64,
    /// Keep restarting a crashing program (`forever`).
    pub forever: bool,
    /// Exit statuses that end supervision (`exit-codes`, default 0,2).
    pub exit_codes: Vec<i32>,
    /// Command that must succeed before the program counts as started.
    pub start_test_program: Vec<String>,
    /// Seconds `start` waits for the program (`start-timeout`, default 300).
    pub start_timeout: u64,
    /// Seconds between SIGTERM and SIGKILL on stop (`stop-timeout`, default
    /// 300; 0 never sends SIGKILL).
    pub stop_timeout: u64,
    /// User to run as when started by root (`user`: a name or a uid).
    pub user: Option<String>,
    /// File mode creation mask of the supervisor and program (`umask`, 022).
    pub umask: u32,
    /// Keep the supervisor running while the program is stopped.
    pub hang_around: bool,
    /// Default file for `logtail` (`logfile`).
    pub logfile: Option<PathBuf>,
    /// Where the program's output goes (`transcript`; `None`: discarded).
    pub transcript: Option<PathBuf>,
    /// `<environment>` variables set for the program.
    pub environment: Vec<(String, String)>,
    /// `<eventlog>` targets of the supervisor's own log.
    pub eventlog: Vec<LogFile>,
    /// `<eventlog>`'s `level`.
    pub eventlog_level: Level,
}

const RUNNER_KEYS: &[&str] = &[
    "program",
    "python",
    "zdrun",
    "socket-name",
    "daemon",
    "directory",
    "backoff-limit",
    "forever",
    "exit-codes",
    "start-test-program",
    "start-timeout",
    "stop-timeout",
    "user",
    "umask",
    "hang-around",
    "default-to-interactive",
    "logfile",
    "transcript",
    "prompt",
];

/// The `<runner>` keys with their values and where they came from.
struct Runner {
    values: Vec<(String, String, String)>,
}

impl Runner {
    fn get(&self, key: &str) -> Option<(&str, &str)> {
        self.values
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, w)| (v.as_str(), w.as_str()))
    }
}

impl Options {
    /// Reads `config` (if any) and applies the command line `overrides`;
    /// `extra_args` are appended to the program. Errors are sentences naming
    /// the file, section and line.
    pub fn load(
        config: Option<&Path>,
        overrides: &[(String, String)],
        extra_args: &[String],
    ) -> Result<Options, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("can't determine the current directory: {e}"))?;
        let mut runner = Runner { values: Vec::new() };
        let mut environment = Vec::new();
        let mut eventlog = None;
        let mut config_file = None;
        if let Some(path) = config {
            let path = absolute(&cwd, path);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("can't read configuration file '{}': {e}", path.display()))?;
            let parsed = zconfig::parse(&text).map_err(|e| format!("{e} in {}", path.display()))?;
            let at = |line: usize| format!("{} line {line}", path.display());
            let root = &parsed.root;
            if let Some((k, _)) = root.keys.first() {
                return Err(format!(
                    "'{k}' is not a known key name at the top level of {}",
                    path.display()
                ));
            }
            let mut seen: Vec<&str> = Vec::new();
            for section in &root.sections {
                let kind = section.type_.as_str();
                if !matches!(kind, "runner" | "environment" | "eventlog") {
                    return Err(format!(
                        "unexpected section <{kind}> ({})",
                        at(section.line)
                    ));
                }
                if seen.contains(&kind) {
                    return Err(format!(
                        "more than one <{kind}> section ({})",
                        at(section.line)
                    ));
                }
                seen.push(kind);
            }
            let runner_section = root
                .sections_of("runner")
                .next()
                .ok_or_else(|| format!("no <runner> section in {}", path.display()))?;
            let where_ = format!("<runner> ({})", at(runner_section.line));
            for (k, v) in &runner_section.keys {
                let key = k.to_ascii_lowercase();
                if !RUNNER_KEYS.contains(&key.as_str()) {
                    return Err(format!("'{k}' is not a known key name in {where_}"));
                }
                if runner.get(&key).is_some() {
                    return Err(format!("'{k}' is given more than once in {where_}"));
                }
                runner
                    .values
                    .push((key, v.trim().to_owned(), where_.clone()));
            }
            for nested in &runner_section.sections {
                if nested.type_ != "eventlog" || eventlog.is_some() {
                    return Err(format!(
                        "unexpected section <{}> ({})",
                        nested.type_,
                        at(nested.line)
                    ));
                }
                eventlog = Some(nested);
            }
            if let Some(env) = root.sections_of("environment").next() {
                if let Some(s) = env.sections.first() {
                    return Err(format!("unexpected section <{}> ({})", s.type_, at(s.line)));
                }
                environment = env.keys.clone();
            }
            if eventlog.is_none() {
                eventlog = root.sections_of("eventlog").next();
            }
            let (eventlog, eventlog_level) = match eventlog {
                Some(section) => parse_eventlog(section, &cwd, &at)?,
                None => (Vec::new(), INFO),
            };
            config_file = Some((path, eventlog, eventlog_level));
        }
        for (k, v) in overrides {
            runner
                .values
                .push((k.clone(), v.clone(), format!("command line option --{k}")));
        }
        let (config_path, eventlog, eventlog_level) = match config_file {
            Some((p, e, l)) => (Some(p), e, l),
            None => (None, Vec::new(), INFO),
        };
        Self::from_runner(
            &runner,
            &cwd,
            config_path,
            environment,
            eventlog,
            eventlog_level,
            extra_args,
        )
    }

    fn from_runner(
        runner: &Runner,
        cwd: &Path,
        config_file: Option<PathBuf>,
        environment: Vec<(String, String)>,
        eventlog: Vec<LogFile>,
        eventlog_level: Level,
        extra_args: &[String],
    ) -> Result<Options, String> {
        let bad = |key: &str, value: &str, where_: &str, why: &str| {
            format!("invalid value for '{key}' in {where_}: {value:?}: {why}")
        };
        let get = |key: &str| runner.get(key);
        let boolean = |key: &str, default: bool| -> Result<bool, String> {
            match get(key) {
                None => Ok(default),
                Some((v, w)) => parse_bool(v)
                    .ok_or_else(|| bad(key, v, w, "not a boolean (on/off, yes/no, true/false)")),
            }
        };
        let count = |key: &str, default: u64| -> Result<u64, String> {
            match get(key) {
                None => Ok(default),
                Some((v, w)) => v
                    .parse::<u64>()
                    .map_err(|_| bad(key, v, w, "not a non-negative integer")),
            }
        };
        let path = |key: &str, check_parent: bool| -> Result<Option<PathBuf>, String> {
            match get(key) {
                None => Ok(None),
                Some((v, w)) => {
                    if v.is_empty() {
                        return Err(bad(key, v, w, "empty path"));
                    }
                    let p = absolute(cwd, &expand_user(v));
                    let parent = p.parent().unwrap_or(Path::new("/"));
                    if check_parent && !parent.is_dir() {
                        return Err(bad(
                            key,
                            v,
                            w,
                            &format!("directory {} does not exist", parent.display()),
                        ));
                    }
                    Ok(Some(p))
                }
            }
        };
        let mut program = match get("program") {
            None => return Err("no program specified; use -p or -C".to_owned()),
            Some((v, w)) => words::split(v).map_err(|e| bad("program", v, w, &e))?,
        };
        if program.is_empty() {
            return Err("no program specified; use -p or -C".to_owned());
        }
        program.extend(extra_args.iter().cloned());
        let start_test_program = match get("start-test-program") {
            None => Vec::new(),
            Some((v, w)) => words::split(v).map_err(|e| bad("start-test-program", v, w, &e))?,
        };
        let exit_codes = match get("exit-codes") {
            None => vec![0, 2],
            Some((v, w)) => parse_ints(v)
                .ok_or_else(|| bad("exit-codes", v, w, "not a comma-separated list of integers"))?,
        };
        let umask = match get("umask") {
            None => 0o022,
            Some((v, w)) => {
                parse_octal(v).ok_or_else(|| bad("umask", v, w, "not an octal mode such as 022"))?
            }
        };
        let socket_name = match path("socket-name", true)? {
            Some(p) => p,
            None => cwd.join("zdsock"),
        };
        let transcript = path("transcript", true)?.filter(|p| p != Path::new("/dev/null"));
        let user = get("user")
            .map(|(v, _)| v.to_owned())
            .filter(|v| !v.is_empty());
        Ok(Options {
            config_file,
            program,
            socket_name,
            daemon: boolean("daemon", true)?,
            directory: path("directory", true)?,
            backoff_limit: count("backoff-limit", 10)?,
            forever: boolean("forever", false)?,
            exit_codes,
            start_test_program,
            start_timeout: count("start-timeout", 300)?,
            stop_timeout: count("stop-timeout", 300)?,
            user,
            umask,
            hang_around: boolean("hang-around", false)?,
            logfile: path("logfile", true)?,
            transcript,
            environment,
            eventlog,
            eventlog_level,
        })
    }
}

fn parse_eventlog(
    section: &Section,
    cwd: &Path,
    at: &dyn Fn(usize) -> String,
) -> Result<(Vec<LogFile>, Level), String> {
    let level_of = |s: &Section, default: Level| -> Result<Level, String> {
        match s
            .keys
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case("level"))
        {
            None => Ok(default),
            Some((_, v)) => parse_level(v).ok_or_else(|| {
                format!(
                    "invalid logging level {v:?} in <{}> ({})",
                    s.type_,
                    at(s.line)
                )
            }),
        }
    };
    let level = level_of(section, INFO)?;
    let mut files = Vec::new();
    for handler in section.sections_of("logfile") {
        let path = handler
            .keys
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case("path"))
            .map(|(_, v)| v.trim())
            .ok_or_else(|| format!("<logfile> without a path ({})", at(handler.line)))?;
        let path = match path {
            "STDOUT" | "STDERR" => PathBuf::from(path),
            p => absolute(cwd, &expand_user(p)),
        };
        files.push(LogFile {
            path,
            level: level_of(handler, 0)?,
        });
    }
    Ok((files, level))
}

/// ZConfig's booleans.
fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" => Some(true),
        "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// zdaemon's `list_of_ints`: `""` is the empty list.
fn parse_ints(v: &str) -> Option<Vec<i32>> {
    if v.is_empty() {
        return Some(Vec::new());
    }
    v.split(',').map(|s| s.trim().parse().ok()).collect()
}

fn parse_octal(v: &str) -> Option<u32> {
    let digits = v
        .strip_prefix("0o")
        .or_else(|| v.strip_prefix("0O"))
        .unwrap_or(v);
    u32::from_str_radix(digits, 8).ok().filter(|m| *m <= 0o777)
}

fn parse_level(v: &str) -> Option<Level> {
    let v = v.trim();
    if let Ok(n) = v.parse() {
        return Some(n);
    }
    Some(match v.to_ascii_lowercase().as_str() {
        "critical" | "fatal" => 50,
        "error" => 40,
        "warn" | "warning" => 30,
        "info" => 20,
        "blather" => 15,
        "debug" => 10,
        "trace" => 5,
        "all" => 1,
        "notset" => 0,
        _ => return None,
    })
}

fn expand_user(v: &str) -> PathBuf {
    match v.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(format!("{}{rest}", Path::new(&home).display())),
            None => PathBuf::from(v),
        },
        _ => PathBuf::from(v),
    }
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn load_text(text: &str, overrides: &[(&str, &str)]) -> Result<Options, String> {
        let dir = std::env::temp_dir().join(format!(
            "zeoraid-opts-{}-{}",
            std::process::id(),
            text.len() + overrides.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join(format!(
            "{:x}.conf",
            text.bytes().map(u64::from).sum::<u64>()
        ));
        std::fs::write(&conf, text).unwrap();
        let ov: Vec<(String, String)> = overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let r = Options::load(Some(&conf), &ov, &[]);
        let _ = std::fs::remove_file(&conf);
        r
    }

    #[test]
    fn getopt_style_command_line() {
        let cl = CommandLine::parse(&args(&[
            "-Cconf",
            "-b",
            "3",
            "-df",
            "--exit-codes=1,2",
            "start",
            "-x",
            "9",
        ]))
        .unwrap();
        assert_eq!(cl.config, Some(PathBuf::from("conf")));
        assert_eq!(
            cl.overrides,
            vec![
                ("backoff-limit".to_owned(), "3".to_owned()),
                ("daemon".to_owned(), "on".to_owned()),
                ("forever".to_owned(), "on".to_owned()),
                ("exit-codes".to_owned(), "1,2".to_owned()),
            ]
        );
        assert_eq!(cl.args, args(&["start", "-x", "9"]));
        assert_eq!(
            cl.override_args(),
            args(&[
                "--backoff-limit=3",
                "--daemon",
                "--forever",
                "--exit-codes=1,2"
            ])
        );
        let cl = CommandLine::parse(&args(&["--configure", "a", "-C", "a", "--", "-h"])).unwrap();
        assert_eq!(cl.args, args(&["-h"]));
        assert!(!cl.help);
        assert!(CommandLine::parse(&args(&["-h"])).unwrap().help);
        assert!(CommandLine::parse(&args(&["--version"])).unwrap().version);
    }

    #[test]
    fn command_line_errors() {
        let err = |a: &[&str]| CommandLine::parse(&args(a)).unwrap_err();
        assert_eq!(
            err(&["-C", "a", "-C", "b"]),
            "conflicting command line option '-C'"
        );
        assert_eq!(err(&["-Q"]), "option -Q not recognized");
        assert_eq!(err(&["--nope"]), "option --nope not recognized");
        assert_eq!(err(&["-C"]), "option -C requires argument");
        assert_eq!(
            err(&["--daemon=1"]),
            "option --daemon must not have an argument"
        );
        assert_eq!(err(&["-b1", "-b2"]), "conflicting command line option '-b'");
    }

    #[test]
    fn defaults() {
        let o = load_text("<runner>\n program sleep 100\n</runner>\n", &[]).unwrap();
        assert_eq!(o.program, args(&["sleep", "100"]));
        assert!(o.daemon && !o.forever && !o.hang_around);
        assert_eq!(o.backoff_limit, 10);
        assert_eq!(o.exit_codes, vec![0, 2]);
        assert_eq!(o.umask, 0o022);
        assert_eq!((o.start_timeout, o.stop_timeout), (300, 300));
        assert_eq!(
            o.socket_name,
            std::env::current_dir().unwrap().join("zdsock")
        );
        assert_eq!(o.transcript, None);
        assert!(o.eventlog.is_empty() && o.environment.is_empty());
    }

    #[test]
    fn every_key() {
        let text = "<runner>\n  Program /bin/sh -c 'exec sleep 9'\n  socket-name /tmp/x.sock\n  daemon off\n  directory /tmp\n  backoff-limit 2\n  forever yes\n  exit-codes\n  start-test-program true\n  start-timeout 7\n  stop-timeout 0\n  user nobody\n  umask 0o77\n  hang-around true\n  logfile /tmp/l\n  transcript /tmp/t\n  python /usr/bin/python3\n  <eventlog>\n    level warning\n    <logfile>\n      path /tmp/e.log\n      level error\n    </logfile>\n    <logfile>\n      path STDERR\n    </logfile>\n  </eventlog>\n</runner>\n<environment>\n  LD_LIBRARY_PATH /opt/lib\n</environment>\n";
        let o = load_text(text, &[("backoff-limit", "4")]).unwrap();
        assert_eq!(o.program, args(&["/bin/sh", "-c", "exec sleep 9"]));
        assert_eq!(o.socket_name, PathBuf::from("/tmp/x.sock"));
        assert!(!o.daemon && o.forever && o.hang_around);
        assert_eq!(o.directory, Some(PathBuf::from("/tmp")));
        assert_eq!(o.backoff_limit, 4);
        assert!(o.exit_codes.is_empty());
        assert_eq!(o.start_test_program, args(&["true"]));
        assert_eq!((o.start_timeout, o.stop_timeout), (7, 0));
        assert_eq!(o.user.as_deref(), Some("nobody"));
        assert_eq!(o.umask, 0o77);
        assert_eq!(o.transcript, Some(PathBuf::from("/tmp/t")));
        assert_eq!(o.logfile, Some(PathBuf::from("/tmp/l")));
        assert_eq!(
            o.environment,
            vec![("LD_LIBRARY_PATH".to_owned(), "/opt/lib".to_owned())]
        );
        assert_eq!(o.eventlog_level, 30);
        assert_eq!(
            o.eventlog,
            vec![
                LogFile {
                    path: PathBuf::from("/tmp/e.log"),
                    level: 40
                },
                LogFile {
                    path: PathBuf::from("STDERR"),
                    level: 0
                },
            ]
        );
    }

    #[test]
    fn top_level_eventlog_and_dev_null_transcript() {
        let text = "<runner>\n program x\n transcript /dev/null\n</runner>\n<eventlog>\n <logfile>\n  path /tmp/zeo.log\n </logfile>\n</eventlog>\n";
        let o = load_text(text, &[]).unwrap();
        assert_eq!(o.transcript, None);
        assert_eq!(o.eventlog[0].path, PathBuf::from("/tmp/zeo.log"));
        assert_eq!(o.eventlog_level, INFO);
    }

    #[test]
    fn bad_configurations_say_where() {
        let e = |t: &str| load_text(t, &[]).unwrap_err();
        assert!(e("<runner>\n</runner>\n").contains("no program specified"));
        assert!(e("<runner>\n program\n</runner>\n").contains("no program specified"));
        assert!(e("<runner>\n program x\n frob 1\n</runner>\n")
            .contains("'frob' is not a known key name in <runner> ("));
        assert!(e("<runner>\n program x\n program y\n</runner>\n").contains("more than once"));
        assert!(
            e("<runner>\n program x\n backoff-limit -1\n</runner>\n").contains("'backoff-limit'")
        );
        assert!(e("<runner>\n program x\n daemon maybe\n</runner>\n").contains("not a boolean"));
        assert!(e("<runner>\n program x\n umask 9\n</runner>\n").contains("octal"));
        assert!(e("<runner>\n program x\n exit-codes 1,a\n</runner>\n").contains("exit-codes"));
        assert!(e("<runner>\n program 'x\n</runner>\n").contains("unterminated"));
        assert!(
            e("<runner>\n program x\n transcript /nonexistent/dir/t.log\n</runner>\n")
                .contains("directory /nonexistent/dir does not exist")
        );
        assert!(e("<zeo>\n</zeo>\n").contains("unexpected section <zeo>"));
        assert!(e("<environment>\n</environment>\n").contains("no <runner> section"));
        assert!(
            e("<runner>\n program x\n</runner>\n<runner>\n program y\n</runner>\n")
                .contains("more than one <runner>")
        );
        assert!(e("<runner>\n program x\n").contains("line"));
        assert!(e("<runner>\n program x\n <eventlog>\n  <logfile>\n  </logfile>\n </eventlog>\n</runner>\n").contains("without a path"));
    }

    #[test]
    fn missing_config_file_and_no_config() {
        let err = Options::load(Some(Path::new("/nonexistent/zd.conf")), &[], &[]).unwrap_err();
        assert!(err.starts_with("can't read configuration file '/nonexistent/zd.conf'"));
        let o =
            Options::load(None, &[("program".into(), "sleep".into())], &args(&["100"])).unwrap();
        assert_eq!(o.program, args(&["sleep", "100"]));
        assert_eq!(o.config_file, None);
        assert!(Options::load(None, &[], &[])
            .unwrap_err()
            .contains("no program specified"));
    }

    #[test]
    fn value_parsers() {
        assert_eq!(parse_ints(" 0, 2"), Some(vec![0, 2]));
        assert_eq!(parse_octal("022"), Some(0o22));
        assert_eq!(parse_octal("1000"), None);
        assert_eq!(parse_level("DEBUG"), Some(10));
        assert_eq!(parse_bool("On"), Some(true));
    }
}
