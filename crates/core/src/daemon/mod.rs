//! A zdaemon-compatible control program and daemon manager, std only.
//!
//! Each generated server wrapper (`bin/<part>`) calls [`main`] with its
//! zdaemon.conf compiled in. The commands, messages, exit statuses and the
//! control socket protocol follow zdaemon 5.2.1, so Python's
//! `zdaemon -C same.conf status|stop` and this program control each other's
//! daemons.
//!
//! - `start` spawns this same executable again (no `fork` in std) with the
//!   hidden first argument [`SUPERVISE_FLAG`], in a new session (`setsid`)
//!   with stdin/stdout on /dev/null; that process is the daemon manager
//!   ([`supervisor`]). Its stderr is a pipe back to `start` until it is up,
//!   so start-up errors reach the terminal. `start` then polls the control
//!   socket until the program runs and prints `daemon process started,
//!   pid=N`.
//! - `supervise` runs the manager in the foreground, for systemd:
//!   `ExecStart=<wrapper> -C <zdaemon.conf> supervise`. It logs to stderr,
//!   echoes the program's output to stdout (and still writes the
//!   transcript), serves the control socket (so `status`, `stop`,
//!   `reopen_transcript` work), and on SIGTERM/SIGINT/SIGHUP stops the
//!   program (SIGTERM, SIGKILL after `stop-timeout`) and exits 0.
//!
//! Modules: [`options`] (command line, zdaemon.conf), [`control`] (socket
//! protocol), [`supervisor`] (the manager), [`transcript`], [`log`],
//! [`ctl`] (the commands), [`tail`] (`logtail`), [`program`], [`account`]
//! (`user`), [`signals`], [`words`] (splitting, Python reprs) and [`posix`]
//! (the only `unsafe` code: the libc calls std lacks).

pub mod account;
pub mod control;
pub mod ctl;
pub mod log;
pub mod options;
pub mod posix;
pub mod program;
pub mod signals;
pub mod supervisor;
pub mod tail;
pub mod transcript;
pub mod words;

use std::path::Path;

use options::{CommandLine, Options};

/// Hidden first argument that makes [`main`] run as the detached daemon
/// manager `start` spawns.
pub const SUPERVISE_FLAG: &str = "--zeoraid-supervise";

const USAGE: &str = "\
Usage: PROG [-C FILE] [options] [command [arguments]]

Controls a program run in the background by a daemon manager, like
zdaemon's zdctl. The command defaults to `status`; `help` lists them all.

Options (each overrides the <runner> key of the same name):
-C/--configure FILE -- the zdaemon.conf to use (overrides the built-in one)
-p/--program PROGRAM -- the program to run, with its arguments
-s/--socket-name SOCKET -- the control socket (default zdsock)
-b/--backoff-limit SECONDS -- restart back-off limit (default 10)
-f/--forever -- keep restarting a crashing program
-d/--daemon -- run as a daemon (the default)
-x/--exit-codes LIST -- exit statuses that end supervision (default 0,2)
-u/--user USER -- run as this user (name or uid; only root can switch)
-m/--umask UMASK -- umask of the daemon (default 022)
-z/--directory DIRECTORY -- directory to change into
-t/--transcript FILE -- file receiving the program's output
-T/--start-timeout SECONDS -- how long `start` waits (default 300)
-l/--logfile FILE -- default file for `logtail`
-h/--help -- print this message
--version -- print the version
";

/// Prints to stdout, ignoring a closed stdout instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

/// Prints to stderr, ignoring a closed stderr instead of panicking.
macro_rules! complain {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use complain;

fn program_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(Path::new)
        .and_then(Path::file_name)
        .map_or_else(
            || "zdaemon".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
}

fn usage_error(message: &str) -> i32 {
    complain!("Error: {message}");
    complain!("For help, use {} -h", program_name());
    2
}

/// Runs the control program: `args` are the command line without the
/// program name; `default_conf` is the zdaemon.conf used when no `-C` is
/// given. Returns the exit status (0 success, 1 failure, 2 usage or
/// configuration error, 3 `status` when the manager is not running).
pub fn main(default_conf: Option<&Path>, args: Vec<String>) -> i32 {
    if args.first().map(String::as_str) == Some(SUPERVISE_FLAG) {
        return manager_main(&args[1..]);
    }
    let cl = match CommandLine::parse(&args) {
        Ok(cl) => cl,
        Err(e) => return usage_error(&e),
    };
    if cl.help {
        say!("{}", USAGE.replace("PROG", &program_name()));
        return 0;
    }
    if cl.version {
        say!("{}", option_env!("CARGO_PKG_VERSION").unwrap_or("unknown"));
        return 0;
    }
    let (command, rest) = match cl.args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("status", &[][..]),
    };
    if command == "help" {
        return ctl::help(rest);
    }
    if !ctl::is_command(command) {
        return usage_error(&format!(
            "unknown command '{command}'; use 'help' for a list"
        ));
    }
    let extra = if ctl::takes_program_args(command) {
        rest
    } else {
        &[]
    };
    let config = cl.config.as_deref().or(default_conf);
    let opts = match Options::load(config, &cl.overrides, extra) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    if matches!(command, "start" | "restart" | "supervise") {
        if let Err(e) = account::create_directories(&opts) {
            return usage_error(&e);
        }
    }
    if let Err(e) = account::become_configured_user(&opts) {
        return usage_error(&e);
    }
    let args = if extra.is_empty() { rest } else { &[] };
    ctl::Ctl::new(opts, cl.override_args(), extra.to_vec()).run(command, args)
}

/// The detached daemon manager `start` spawns.
fn manager_main(args: &[String]) -> i32 {
    let cl = match CommandLine::parse(args) {
        Ok(cl) => cl,
        Err(e) => return usage_error(&e),
    };
    let opts = match Options::load(cl.config.as_deref(), &cl.overrides, &cl.args) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    if let Err(e) = account::become_configured_user(&opts) {
        return usage_error(&e);
    }
    supervisor::run(&opts, supervisor::Mode::Daemon)
}
