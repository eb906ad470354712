//! `zeoraid`: the deployment tool.
//!
//! It installs the deployment that `build.rs` generated from `zeoraid.toml`,
//! lists and checks configurations with the same generator code, and offers
//! the manage program with the original controller's defaults.

mod args;
mod install;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use args::Args;
use zeoraid_core::manage;

const USAGE: &str = "usage: zeoraid COMMAND [ARGS]

Commands:
  install [--root DIR] [--dry-run] [--stage DIR]
                 lay out the deployment built from zeoraid.toml
  list [--json] [--config FILE]
                 show what the configuration generates
  check [FILE]   validate a zeoraid.toml without building
  manage [-H HOST] [-p PORT] [-S STORAGE] COMMAND [ARG]
                 manage a RAID storage (status, details, recover, disable, reload, ruok)
  ctl -C ZDAEMON.CONF [COMMAND]
                 control a server like its generated wrapper does (start, stop,
                 status, fg, restart, kill, reopen_transcript, logtail, show, …)
  help           show this text
";

/// The staged tree of the build that produced this binary.
const STAGE: &str = env!("ZEORAID_STAGE");
/// The configuration that build used: its path, and its text, kept in the
/// binary so `list` and `check` work once the build tree is gone.
const CONFIG: &str = env!("ZEORAID_CONFIG_PATH");
const CONFIG_TEXT: &str = include_str!(env!("ZEORAID_CONFIG_PATH"));

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (command, rest) = match argv.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match command {
        "manage" => return exit(run_manage(rest)),
        "ctl" => return exit(zeoraid_core::daemon::main(None, rest.to_vec())),
        "install" => install(rest),
        "list" => list(rest),
        "check" => check(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command '{other}'\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zeoraid {command}: {message}");
            ExitCode::from(1)
        }
    }
}

fn exit(code: i32) -> ExitCode {
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

fn install(rest: &[String]) -> Result<(), String> {
    let mut args = Args::new(rest);
    let options = install::Options {
        root: args.value("--root")?.map(PathBuf::from),
        dry_run: args.flag("--dry-run"),
    };
    let stage = args
        .value("--stage")?
        .map_or_else(|| PathBuf::from(STAGE), PathBuf::from);
    args.finish()?;
    let manifest = zeoraid_gen::stage::read_manifest(&stage).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    install::install(&manifest, &stage, &options, &mut stdout.lock())
}

fn list(rest: &[String]) -> Result<(), String> {
    let mut args = Args::new(rest);
    let json = args.flag("--json");
    let config = args.value("--config")?;
    args.finish()?;
    let plan = plan_of(config.as_deref())?;
    if json {
        print!("{}", plan.to_json().pretty());
        return Ok(());
    }
    for part in &plan.parts {
        let dep = part
            .deployment
            .as_deref()
            .map(|d| format!(" (deployment {d})"))
            .unwrap_or_default();
        println!("{}{dep}: ZEO server at {}", part.name, part.address);
        let rc_kind = if part.shell_script {
            "shell script"
        } else {
            "server wrapper"
        };
        println!("  {rc_kind:<15} {}", part.rc.display());
        for m in &part.manage {
            println!(
                "  {:<15} {}  (storage {}, {})",
                "manage",
                m.path.display(),
                m.storage,
                m.address
            );
        }
        for f in part.files.iter().filter(|f| f.path != part.rc) {
            println!("  {:<15} {}", "file", f.path.display());
        }
        for d in &part.directories {
            println!("  {:<15} {}", "directory", d.display());
        }
    }
    Ok(())
}

fn check(rest: &[String]) -> Result<(), String> {
    let mut args = Args::new(rest);
    let file = args.positional();
    args.finish()?;
    let plan = plan_of(file.as_deref())?;
    let file = file.as_deref().unwrap_or(CONFIG);
    let storages: usize = plan.parts.iter().map(|p| p.manage.len()).sum();
    println!(
        "{file}: ok ({} server parts, {storages} RAID storages)",
        plan.parts.len()
    );
    Ok(())
}

/// The plan of `file`, or of the configuration this binary was built from.
fn plan_of(file: Option<&str>) -> Result<zeoraid_gen::Plan, String> {
    match file {
        Some(file) => zeoraid_gen::load(Path::new(file)),
        None => zeoraid_gen::plan_from_str(CONFIG_TEXT, Path::new(CONFIG)),
    }
    .map_err(|e| e.to_string())
}
