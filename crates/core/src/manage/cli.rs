//! Command-line parsing compatible with the original controller (optparse
//! style: `-S X`, `-SX`, `--storage=X`, `--storage X`, options anywhere).

use std::time::Duration;

use crate::addr::Address;

/// The compiled-in defaults of a manage binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Defaults {
    /// The server address.
    pub address: Address,
    /// The RAID storage name on that server.
    pub storage: String,
}

impl Defaults {
    /// Defaults for a TCP server.
    pub fn tcp(host: &str, port: u16, storage: &str) -> Defaults {
        Defaults {
            address: Address::Tcp {
                host: host.to_owned(),
                port,
            },
            storage: storage.to_owned(),
        }
    }

    /// Defaults for a server on a unix socket.
    pub fn unix(path: &str, storage: &str) -> Defaults {
        Defaults {
            address: Address::Unix(path.into()),
            storage: storage.to_owned(),
        }
    }

    /// The original controller's defaults: 127.0.0.1, port 8100, storage 1.
    pub fn original() -> Defaults {
        Defaults::tcp(crate::addr::DEFAULT_HOST, 8100, "1")
    }
}

/// The default `--timeout`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 10.0;

/// A RAID management command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print the RAID status.
    Status,
    /// Print the status of every child storage.
    Details,
    /// Start recovering a child storage.
    Recover(String),
    /// Disable a child storage.
    Disable(String),
    /// Re-read the RAID configuration from the server's zeo.conf.
    Reload,
    /// Ask a ZEO 5/6 server for its own status (JSON).
    Ruok,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    /// Where to connect.
    pub address: Address,
    /// Which storage to register.
    pub storage: String,
    /// Connect and reply timeout.
    pub timeout: Duration,
    /// Print JSON instead of text.
    pub json: bool,
    /// What to do.
    pub command: Command,
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// Run a command.
    Run(Invocation),
    /// Show the help text.
    Help,
}

/// Parses `args` (without the program name).
pub fn parse(defaults: &Defaults, args: &[String]) -> Result<Parsed, String> {
    let (mut host, mut port) = match &defaults.address {
        Address::Tcp { host, port } => (Some(host.clone()), *port),
        Address::Unix(_) => (None, 0),
    };
    let mut socket = match &defaults.address {
        Address::Unix(path) => Some(path.to_string_lossy().into_owned()),
        Address::Tcp { .. } => None,
    };
    let mut storage = defaults.storage.clone();
    let mut timeout = DEFAULT_TIMEOUT_SECS;
    let mut json = false;
    let mut positional = Vec::new();
    let mut host_given = false;
    let mut port_given = false;

    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            positional.extend(iter.by_ref().cloned());
            break;
        }
        if arg == "-h" || arg == "--help" {
            return Ok(Parsed::Help);
        }
        if arg == "--json" {
            json = true;
            continue;
        }
        let Some((option, inline)) = split_option(arg) else {
            positional.push(arg.clone());
            continue;
        };
        let value = match inline {
            Some(v) => v,
            None => iter
                .next()
                .cloned()
                .ok_or_else(|| format!("{option} option requires an argument"))?,
        };
        match option {
            "-S" | "--storage" => storage = value,
            "-H" | "--host" => {
                host = Some(value);
                host_given = true;
            }
            "-p" | "--port" => {
                port = value
                    .parse()
                    .map_err(|_| format!("option {option}: invalid integer value: '{value}'"))?;
                port_given = true;
            }
            "-U" | "--unix" => socket = Some(value),
            "--timeout" => {
                timeout = value
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0 && *t <= 86_400.0)
                    .ok_or_else(|| {
                        format!("option --timeout: invalid number of seconds: '{value}'")
                    })?;
            }
            other => return Err(format!("no such option: {other}")),
        }
    }

    let address = resolve_address(socket, host, port, host_given || port_given)?;
    let mut positional = positional.into_iter();
    let name = positional.next().ok_or("no command given")?;
    let mut argument = |what: &str| {
        positional
            .next()
            .ok_or_else(|| format!("{name} needs the name of the {what}"))
    };
    let command = match name.as_str() {
        "status" => Command::Status,
        "details" => Command::Details,
        "recover" => Command::Recover(argument("storage to recover")?),
        "disable" => Command::Disable(argument("storage to disable")?),
        "reload" => Command::Reload,
        "ruok" => Command::Ruok,
        other => {
            return Err(format!(
                "unknown command '{other}' (commands: status, details, recover STORAGE, disable STORAGE, reload, ruok)"
            ))
        }
    };
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument '{extra}' for {name}"));
    }
    Ok(Parsed::Run(Invocation {
        address,
        storage,
        timeout: Duration::from_secs_f64(timeout),
        json,
        command,
    }))
}

/// `-S`/`--storage`… with an inline value (`-S1`, `--storage=1`) or not.
fn split_option(arg: &str) -> Option<(&str, Option<String>)> {
    if let Some(long) = arg.strip_prefix("--") {
        if long.is_empty() {
            return None;
        }
        return Some(match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg, None),
        });
    }
    if arg.len() >= 2 && arg.starts_with('-') && arg.is_char_boundary(2) {
        let (name, rest) = arg.split_at(2);
        return Some((name, (!rest.is_empty()).then(|| rest.to_owned())));
    }
    None
}

/// The address to use: an explicit `-U` socket, else host/port (a host with
/// a `/` is a socket path, a bracketed or colon-containing host is IPv6).
fn resolve_address(
    socket: Option<String>,
    host: Option<String>,
    port: u16,
    tcp_given: bool,
) -> Result<Address, String> {
    match (socket, host) {
        (Some(path), _) if !tcp_given => Ok(Address::Unix(path.into())),
        (_, Some(host)) if host.contains('/') => Ok(Address::Unix(host.into())),
        (_, host) => {
            let host = host.unwrap_or_else(|| crate::addr::DEFAULT_HOST.to_owned());
            let host = host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .map(str::to_owned)
                .unwrap_or(host);
            if host.is_empty() {
                return Err("option -H: empty host".into());
            }
            if port == 0 {
                return Err("a port is needed (-p PORT)".into());
            }
            Ok(Address::Tcp { host, port })
        }
    }
}

/// The `--help` text, showing the compiled-in defaults.
pub fn help(program: &str, defaults: &Defaults) -> String {
    let (host, port, socket) = match &defaults.address {
        Address::Tcp { host, port } => (host.clone(), port.to_string(), "none".to_owned()),
        Address::Unix(path) => ("none".into(), "none".into(), path.display().to_string()),
    };
    format!(
        "usage: {program} [options] command [command-options]

Manage the RAID storage of a ZEORAID server over the ZEO protocol.

Commands:
  status             print the RAID status (optimal, degraded, recovering, failed)
  details            print the status of every storage in the RAID
  recover STORAGE    start recovering a storage of the RAID
  disable STORAGE    disable a storage of the RAID
  reload             re-read the RAID configuration from the server's zeo.conf
  ruok               print the ZEO server's own status (ZEO 5 and later)

Exit codes follow Nagios: 0 optimal or success, 1 recovering, 2 degraded,
failed or any error, 3 unknown RAID status.

Options:
  -h, --help            show this help message and exit
  -S STORAGE, --storage=STORAGE
                        Use STORAGE on ZEO server. Default: {storage}
  -H HOST, --host=HOST  Connect to HOST (IPv6 as ::1 or [::1]). Default: {host}
  -p PORT, --port=PORT  Connect to PORT. Default: {port}
  -U PATH, --unix=PATH  Connect to the unix socket PATH. Default: {socket}
  --timeout=SECONDS     Give up after SECONDS without an answer. Default: {timeout}
  --json                Print the result as JSON
",
        storage = defaults.storage,
        timeout = DEFAULT_TIMEOUT_SECS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn run(list: &[&str]) -> Invocation {
        match parse(&Defaults::tcp("127.0.0.1", 5555, "1"), &args(list)) {
            Ok(Parsed::Run(i)) => i,
            other => panic!("{other:?}"),
        }
    }

    fn tcp(host: &str, port: u16) -> Address {
        Address::Tcp {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn defaults_apply() {
        let i = run(&["status"]);
        assert_eq!(i.address, tcp("127.0.0.1", 5555));
        assert_eq!(i.storage, "1");
        assert_eq!(i.command, Command::Status);
        assert_eq!(i.timeout, Duration::from_secs(10));
    }

    #[test]
    fn accepts_every_option_spelling_anywhere() {
        let i = run(&["-S", "main", "-H", "db", "-p", "1", "details"]);
        assert_eq!((i.storage.as_str(), i.address), ("main", tcp("db", 1)));
        let i = run(&["--storage=main", "--host=db", "--port=2", "details"]);
        assert_eq!((i.storage.as_str(), i.address), ("main", tcp("db", 2)));
        let i = run(&["-Smain", "-Hdb", "-p3", "recover", "2", "--json"]);
        assert_eq!(i.command, Command::Recover("2".into()));
        assert!(i.json);
        let i = run(&["disable", "--storage", "x", "2", "--timeout", "0.5"]);
        assert_eq!(i.command, Command::Disable("2".into()));
        assert_eq!(i.storage, "x");
        assert_eq!(i.timeout, Duration::from_millis(500));
    }

    #[test]
    fn ipv6_and_sockets() {
        assert_eq!(run(&["-H", "::1", "status"]).address, tcp("::1", 5555));
        assert_eq!(run(&["-H", "[::1]", "status"]).address, tcp("::1", 5555));
        assert_eq!(
            run(&["-U", "/run/zeo.sock", "status"]).address,
            Address::Unix("/run/zeo.sock".into())
        );
        assert_eq!(
            run(&["-H", "/run/zeo.sock", "status"]).address,
            Address::Unix("/run/zeo.sock".into())
        );
    }

    #[test]
    fn usage_errors_are_sentences() {
        let d = Defaults::original();
        let err = |list: &[&str]| parse(&d, &args(list)).unwrap_err();
        assert_eq!(err(&[]), "no command given");
        assert!(err(&["frobnicate"]).starts_with("unknown command 'frobnicate'"));
        assert_eq!(
            err(&["recover"]),
            "recover needs the name of the storage to recover"
        );
        assert_eq!(
            err(&["-p", "x", "status"]),
            "option -p: invalid integer value: 'x'"
        );
        assert_eq!(err(&["-p"]), "-p option requires an argument");
        assert_eq!(err(&["--bogus", "status"]), "no such option: --bogus");
        assert_eq!(
            err(&["status", "extra"]),
            "unexpected argument 'extra' for status"
        );
        assert!(err(&["--timeout", "-1", "status"]).contains("invalid number of seconds"));
        assert_eq!(parse(&d, &args(&["-h"])), Ok(Parsed::Help));
    }

    #[test]
    fn help_shows_the_compiled_in_defaults() {
        let text = help(
            "zeoraid-1-manage",
            &Defaults::tcp("111.111.111.111", 4444, "1"),
        );
        assert!(text.contains("Default: 111.111.111.111"));
        assert!(text.contains("Connect to PORT. Default: 4444"));
        assert!(text.contains("Use STORAGE on ZEO server. Default: 1"));
    }
}
