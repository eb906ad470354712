//! The real pipeline through Cargo: `ZEORAID_CONFIG=<temp config> cargo
//! build --bin zeoraid` runs build.rs and rustc; the resulting tool lists,
//! installs, and its manage binary talks to a ZEO 6 RAID server. Editing
//! the config rebuilds the binaries but not the runtime core.
//!
//! The nested build has its own target directory, `target/nested`, kept
//! between runs: slow the first time only.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use support::python::output_text;
use support::raid::RaidWorld;
use support::stage::{
    core_rlib_name, optimal_details, run, stdout_ok, tempdir, world_config, Project,
};

/// What one nested `cargo build` produced.
struct Build {
    /// The `zeoraid` tool.
    exe: PathBuf,
    /// The stage build.rs wrote (`$OUT_DIR/zeoraid`).
    stage: PathBuf,
}

fn nested_target_dir() -> PathBuf {
    support::root().join("target").join("nested")
}

/// `cargo build --bin zeoraid` with `ZEORAID_CONFIG=config`, in a clean
/// environment (nothing of the outer cargo's but `CARGO_HOME`).
fn cargo_build(config: &Path) -> Build {
    let target = nested_target_dir();
    let mut cmd = Command::new(env!("CARGO"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let outer = name.starts_with("CARGO_") && name != "CARGO_HOME";
        if outer || ["OUT_DIR", "RUSTFLAGS", "MAKEFLAGS", "MFLAGS"].contains(&name.as_str()) {
            cmd.env_remove(&name);
        }
    }
    let output = cmd
        .args(["build", "--bin", "zeoraid", "--message-format=json"])
        .current_dir(support::root())
        .env("CARGO_TARGET_DIR", &target)
        .env("ZEORAID_CONFIG", config)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(
        output.status.success(),
        "ZEORAID_CONFIG={} cargo build failed\n{}",
        config.display(),
        output_text(&output)
    );
    let messages = String::from_utf8_lossy(&output.stdout);
    let out_dir = messages
        .lines()
        .filter(|l| l.contains("\"reason\":\"build-script-executed\""))
        .filter(|l| l.contains("#zeoraid@") || l.contains("\"package_id\":\"zeoraid "))
        .find_map(|l| json_string(l, "out_dir"))
        .unwrap_or_else(|| panic!("no build-script-executed message for zeoraid in\n{messages}"));
    Build {
        exe: target.join("debug").join("zeoraid"),
        stage: PathBuf::from(out_dir).join("zeoraid"),
    }
}

/// The string value of `"key":"…"` in one line of cargo's JSON (paths
/// here carry no quotes or escapes).
fn json_string(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let len = line[start..].find('"')?;
    Some(line[start..start + len].to_owned())
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn zeoraid_config_builds_lists_installs_and_manages() {
    let world = RaidWorld::filestorages(false);
    let port = world.port();
    let project = Project::new(&world_config(port));
    let build = cargo_build(&project.config_path());

    let zeoraid = |args: &[&str]| {
        let output = Command::new(&build.exe)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", build.exe.display()));
        stdout_ok(output, &format!("zeoraid {args:?}"))
    };
    assert_eq!(
        zeoraid(&["list", "--json"]),
        project.plan().to_json().pretty()
    );

    let root = tempdir("zeoraid-root-");
    let out = zeoraid(&["install", "--root", root.path().to_str().expect("UTF-8")]);
    assert_eq!(
        project.scrub(root.path(), &out),
        "Installing raid.\nGenerated script '/sample-buildout/bin/raid'.\n\
         Generated script '/sample-buildout/bin/raid-1-manage'.\n"
    );
    let manage = project.under(root.path()).join("bin/raid-1-manage");
    assert_eq!(
        run(&manage, &["status"]),
        ("optimal\n".into(), String::new(), 0)
    );
    assert_eq!(
        run(&manage, &["details"]),
        (optimal_details(port), String::new(), 0)
    );

    // Editing the config rebuilds the binaries, not the core.
    let core = build.stage.join("core");
    let rlib = core.join(core_rlib_name());
    let stamp = core.join("core.stamp");
    let before = (modified(&rlib), modified(&stamp), read(&stamp));
    let staged_manage = build.stage.join("root").join(zeoraid_gen::stage::mirrored(
        &project.path().join("bin/raid-1-manage"),
    ));
    let old_manage = read(&staged_manage);

    let new_port = if port == u16::MAX { port - 1 } else { port + 1 };
    project.write_config(&world_config(new_port));
    let rebuilt = cargo_build(&project.config_path());
    assert_eq!(rebuilt.stage, build.stage);
    assert_eq!(
        (modified(&rlib), modified(&stamp), read(&stamp)),
        before,
        "editing zeoraid.toml recompiled the core"
    );
    assert_ne!(
        read(&staged_manage),
        old_manage,
        "the manage binary was not rebuilt"
    );
    let (help, _, code) = run(&staged_manage, &["--help"]);
    assert_eq!(code, 0);
    assert!(
        help.contains(&format!("Connect to PORT. Default: {new_port}\n")),
        "{help}"
    );
}
