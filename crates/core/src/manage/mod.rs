//! The RAID manage program: `[-S STORAGE] [-H HOST] [-p PORT] COMMAND [ARGS]`.
//!
//! [`cli`] parses the command line against compiled-in [`Defaults`],
//! [`command`] runs one command over a ZEO session, and [`report`] renders
//! the outcome as the original controller's text or as JSON.

pub mod cli;
pub mod command;
pub mod report;

use std::io::Write;

pub use cli::Defaults;

/// Nagios exit code: OK.
pub const OK: i32 = 0;
/// Nagios exit code: WARNING.
pub const WARNING: i32 = 1;
/// Nagios exit code: CRITICAL (also every error).
pub const CRITICAL: i32 = 2;
/// Nagios exit code: UNKNOWN.
pub const UNKNOWN: i32 = 3;

/// Runs the manage program with `args` (without the program name) and
/// returns its exit code; `program` names it in usage messages.
pub fn run(
    program: &str,
    defaults: &Defaults,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let invocation = match cli::parse(defaults, args) {
        Ok(cli::Parsed::Run(invocation)) => invocation,
        Ok(cli::Parsed::Help) => {
            let _ = out.write_all(cli::help(program, defaults).as_bytes());
            return OK;
        }
        Err(message) => {
            let _ = writeln!(err, "usage: {program} [options] command [command-options]");
            let _ = writeln!(err, "{program}: error: {message}");
            return CRITICAL;
        }
    };
    let outcome = command::execute(&invocation);
    let text = if invocation.json {
        report::json(&invocation, &outcome)
    } else {
        report::text(&invocation, &outcome)
    };
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    outcome.exit_code()
}

/// The entry point of a generated manage binary: reads the process
/// arguments, runs, and returns the exit code for `std::process::exit`.
pub fn main(defaults: &Defaults) -> i32 {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args
        .next()
        .map(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(p)
        })
        .unwrap_or_else(|| "manage".to_owned());
    let args: Vec<String> = args.collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(
        &program,
        defaults,
        &args,
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}
