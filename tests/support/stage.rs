//! Staging configurations with the generator library and installing them
//! with the real `zeoraid` binary.
//!
//! A [`Project`] is a temporary folder holding a `zeoraid.toml`, so that
//! `directory = "."` (and every relative path) resolves into it. Staging
//! reuses one runtime core compiled under `target/itest-core`, so tests pay
//! only for their own binaries.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use tempfile::TempDir;
use zeoraid_gen::compile::{self, Toolchain};
use zeoraid_gen::stage::{self, Manifest};
use zeoraid_gen::Plan;

use super::python::{output_text, LockGuard};

/// What the tests write instead of a project's temporary path.
pub const PLACEHOLDER: &str = "/sample-buildout";

/// The toolchain the tests stage with (optimised and stripped).
pub fn toolchain() -> Toolchain {
    Toolchain::host_release()
}

/// The text of the generator's example config `crates/gen/tests/configs/<name>.toml`.
pub fn gen_config(name: &str) -> String {
    let path = super::root()
        .join("crates/gen/tests/configs")
        .join(format!("{name}.toml"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A fresh temporary directory, named for what it holds.
pub fn tempdir(prefix: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

/// A temporary folder with a `zeoraid.toml`.
pub struct Project {
    dir: TempDir,
}

impl Project {
    /// A project whose `zeoraid.toml` is `config`.
    pub fn new(config: &str) -> Project {
        let project = Project {
            dir: tempdir("zeoraid-project-"),
        };
        project.write_config(config);
        project
    }

    /// The project's folder (the layout directory of its configs).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Its `zeoraid.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.path().join("zeoraid.toml")
    }

    /// Replaces its `zeoraid.toml`.
    pub fn write_config(&self, text: &str) {
        let path = self.config_path();
        fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// The plan of its `zeoraid.toml`; panics with the error.
    pub fn plan(&self) -> Plan {
        zeoraid_gen::load(&self.config_path())
            .unwrap_or_else(|e| panic!("the test config is refused: {e}"))
    }

    /// Stages its `zeoraid.toml` into a fresh temporary stage.
    pub fn stage(&self) -> Stage {
        Stage::of(&self.plan())
    }

    /// Where this project's folder lands below an install root.
    pub fn under(&self, root: &Path) -> PathBuf {
        root.join(stage::mirrored(self.path()))
    }

    /// `text` with this project's folder, also below `root`, shown as
    /// [`PLACEHOLDER`].
    pub fn scrub(&self, root: &Path, text: &str) -> String {
        text.replace(&self.under(root).display().to_string(), PLACEHOLDER)
            .replace(&self.path().display().to_string(), PLACEHOLDER)
    }
}

/// A staged tree in a temporary directory.
pub struct Stage {
    dir: TempDir,
    /// The manifest staging wrote.
    pub manifest: Manifest,
}

impl Stage {
    /// Stages `plan` into a fresh temporary stage, with the shared core.
    pub fn of(plan: &Plan) -> Stage {
        let dir = tempdir("zeoraid-stage-");
        let manifest = stage_with_shared_core(plan, dir.path());
        Stage { dir, manifest }
    }

    /// The stage directory (`--stage`).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The staged copy of the file or binary installed at `target`.
    pub fn staged(&self, target: &Path) -> PathBuf {
        self.path().join("root").join(stage::mirrored(target))
    }
}

/// Stages `plan` into `stage_dir` after seeding `stage_dir/core` with the
/// shared core, which staging then reuses (its stamp matches).
pub fn stage_with_shared_core(plan: &Plan, stage_dir: &Path) -> Manifest {
    let core = stage_dir.join("core");
    fs::create_dir_all(&core).unwrap_or_else(|e| panic!("cannot create {}: {e}", core.display()));
    for name in [core_rlib_name().as_str(), "core.stamp"] {
        let from = shared_core().join(name);
        fs::copy(&from, core.join(name))
            .unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
    }
    stage::stage(plan, &toolchain(), stage_dir)
        .unwrap_or_else(|e| panic!("staging into {} failed: {e}", stage_dir.display()))
}

/// The core rlib's file name.
pub fn core_rlib_name() -> String {
    format!("lib{}.rlib", compile::CORE_CRATE)
}

/// `target/itest-core`: the core compiled once for every test process
/// (rebuilt by the generator's own cache check when its sources change).
pub fn shared_core() -> &'static Path {
    static CORE: OnceLock<PathBuf> = OnceLock::new();
    CORE.get_or_init(|| {
        let dir = super::root().join("target").join("itest-core");
        let _lock = LockGuard::acquire(&dir.with_extension("lock"));
        compile::compile_core(&toolchain(), &compile::core_source_dir(), &dir)
            .unwrap_or_else(|e| panic!("cannot compile the shared core: {e}"));
        dir
    })
}

/// Runs the `zeoraid` binary under test.
pub fn zeoraid(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zeoraid"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run zeoraid: {e}"))
}

/// `zeoraid install --stage STAGE --root ROOT [extra…]`, as run.
pub fn install(stage: &Path, root: &Path, extra: &[&str]) -> Output {
    let stage = stage.to_str().expect("UTF-8 stage path");
    let root = root.to_str().expect("UTF-8 root path");
    let mut args = vec!["install", "--stage", stage, "--root", root];
    args.extend_from_slice(extra);
    zeoraid(&args)
}

/// [`install`] that must succeed; returns its stdout.
pub fn install_ok(stage: &Path, root: &Path, extra: &[&str]) -> String {
    stdout_ok(install(stage, root, extra), "zeoraid install")
}

/// The stdout of a command that must have succeeded with no stderr.
pub fn stdout_ok(output: Output, what: &str) -> String {
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "{what} failed ({})\n{}",
        output.status,
        output_text(&output)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs a program and returns (stdout, stderr, exit code).
pub fn run(program: &Path, args: &[&str]) -> (String, String, i32) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().expect("an exit code"),
    )
}

/// A `zeoraid.toml` with one part, `raid`, whose zeo.conf serves
/// `<raidstorage 1>` at 127.0.0.1:`port` (a [`super::raid::RaidWorld`]'s).
pub fn world_config(port: u16) -> String {
    format!(
        "[server.raid]\nzeo-conf = \"\"\"\n<zeo>\n  address 127.0.0.1:{port}\n</zeo>\n\
         %import gocept.zeoraid\n<raidstorage 1>\n  <filestorage 1>\n    path 1.fs\n  \
         </filestorage>\n  <filestorage 2>\n    path 2.fs\n  </filestorage>\n</raidstorage>\n\"\"\"\n"
    )
}

/// What `details` prints for an optimal two-child RAID on 127.0.0.1:`port`.
pub fn optimal_details(port: u16) -> String {
    format!(
        " 127.0.0.1:{port:<15}| Status\n \
         -------------------------+-------------------\n \
         RAID 1                   | optimal                  \n \
         -------------------------+-------------------\n \
         1                        | optimal\n \
         2                        | optimal\n"
    )
}
