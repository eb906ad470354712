//! `zeoraid`: the deployment tool.
//!
//! `zeoraid manage …` is the RAID manage program with the original
//! controller's defaults; the generated per-storage binaries are the same
//! code with their server compiled in.

use std::process::ExitCode;

use zeoraid_core::manage;

const USAGE: &str = "usage: zeoraid COMMAND [ARGS]

Commands:
  manage [-H HOST] [-p PORT] [-S STORAGE] COMMAND [ARG]
                 manage a RAID storage (status, details, recover, disable, reload, ruok)
  help           show this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("manage") => run_manage(&args[1..]),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            0
        }
        Some(other) => {
            eprintln!("zeoraid: unknown command '{other}'\n\n{USAGE}");
            2
        }
        None => {
            eprint!("{USAGE}");
            2
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

fn run_manage(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    manage::run(
        "zeoraid manage",
        &manage::Defaults::original(),
        args,
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}
