//! The Nix side agrees with the Cargo side: `nix/tests/run.sh` parses every
//! `.nix` file, runs `nix/lib.nix`'s unit tests and compares its plan of
//! every example configuration with `zeoraid list --json` of this very build.
//! Needs `nix-instantiate` (Debian's `nix-bin`); fails, never skips, without.

use std::process::Command;

#[test]
fn lib_nix_agrees_with_zeoraid_list() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg(format!("{root}/nix/tests/run.sh"))
        .args(["--cli", env!("CARGO_BIN_EXE_zeoraid"), "--require-cli"])
        .output()
        .expect("run bash nix/tests/run.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "nix/tests/run.sh failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("nix: ") && summary.ends_with(" passed, 0 failed"),
        "{summary}"
    );
    assert!(stdout.contains("ok   cli agrees: zeoraid"), "{stdout}");
}
