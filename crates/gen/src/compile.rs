//! Driving `rustc`: the std-only core once as an rlib, then every generated
//! `main.rs` against it, statically linked, in parallel.

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The crate name the generated sources link against.
pub const CORE_CRATE: &str = "zeoraid_core";

/// How to invoke `rustc` for the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// The `rustc` to run.
    pub rustc: PathBuf,
    /// The target triple.
    pub target: String,
    /// `-C opt-level`.
    pub opt_level: String,
    /// Strip symbols and debug info from the binaries.
    pub strip: bool,
    /// Linker for the target, when configured.
    pub linker: Option<String>,
    /// Extra flags from the user's `RUSTFLAGS`.
    pub rustflags: Vec<String>,
    /// How many `rustc` processes may run at once.
    pub jobs: usize,
}

impl Toolchain {
    /// The toolchain Cargo describes to a build script (`RUSTC`, `TARGET`,
    /// `OPT_LEVEL`, `PROFILE`, `DEBUG`, `RUSTC_LINKER` (or
    /// `CARGO_TARGET_<TRIPLE>_LINKER`),
    /// `CARGO_ENCODED_RUSTFLAGS`, `NUM_JOBS`).
    pub fn from_build_env() -> Toolchain {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let profile = var("PROFILE").unwrap_or_else(|| "debug".into());
        let debug = var("DEBUG").is_some_and(|d| d != "false" && d != "0" && d != "none");
        Toolchain {
            rustc: var("RUSTC").unwrap_or_else(|| "rustc".into()).into(),
            target: var("TARGET").unwrap_or_else(host_target),
            opt_level: var("OPT_LEVEL").unwrap_or_else(|| "0".into()),
            strip: profile == "release" && !debug,
            linker: var("RUSTC_LINKER").or_else(|| {
                let triple = var("TARGET")?.to_uppercase().replace(['-', '.'], "_");
                var(&format!("CARGO_TARGET_{triple}_LINKER"))
            }),
            rustflags: var("CARGO_ENCODED_RUSTFLAGS")
                .map(|f| f.split('\u{1f}').map(str::to_owned).collect())
                .unwrap_or_default(),
            jobs: var("NUM_JOBS")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)
                .max(1),
        }
    }

    /// An optimised, stripped toolchain for the host (tests and the tool).
    pub fn host_release() -> Toolchain {
        Toolchain {
            rustc: std::env::var_os("RUSTC")
                .unwrap_or_else(|| "rustc".into())
                .into(),
            target: host_target(),
            opt_level: "3".into(),
            strip: true,
            linker: None,
            rustflags: Vec::new(),
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// Flags shared by the core and the binaries.
    fn common_args(&self, remap: &[(&Path, &str)]) -> Vec<String> {
        let mut args = vec![
            "--edition=2021".to_owned(),
            format!("--target={}", self.target),
            format!("-Copt-level={}", self.opt_level),
            "-Ccodegen-units=1".to_owned(),
            "-Cdebuginfo=0".to_owned(),
        ];
        if self.target.contains("-gnu") || self.target.contains("-musl") {
            args.push("-Ctarget-feature=+crt-static".to_owned());
        }
        for (from, to) in remap {
            args.push(format!("--remap-path-prefix={}={to}", from.display()));
        }
        args.extend(self.rustflags.iter().cloned());
        args
    }

    /// The version line of `rustc`, part of the core's cache key.
    fn version(&self) -> Result<String, CompileError> {
        let out = Command::new(&self.rustc)
            .arg("-vV")
            .output()
            .map_err(|e| CompileError::new(format!("cannot run {}: {e}", self.rustc.display())))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The host's target triple, from the `rustc` that built this code.
fn host_target() -> String {
    Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        })
        .unwrap_or_else(|| "x86_64-unknown-linux-gnu".into())
}

/// A failed compilation, with rustc's own output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError(pub String);

impl CompileError {
    fn new(message: impl Into<String>) -> Self {
        CompileError(message.into())
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CompileError {}

/// The core's sources: `crates/core/src` next to this crate.
pub fn core_source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src")
}

/// Compiles the core into `out_dir`, reusing an earlier build when neither
/// its sources nor the toolchain changed. Returns the rlib's path.
pub fn compile_core(
    tc: &Toolchain,
    src_dir: &Path,
    out_dir: &Path,
) -> Result<PathBuf, CompileError> {
    let io = |what: &str, e: std::io::Error| CompileError::new(format!("{what}: {e}"));
    fs::create_dir_all(out_dir).map_err(|e| io("cannot create the core's output directory", e))?;
    let rlib = out_dir.join(format!("lib{CORE_CRATE}.rlib"));
    let stamp_path = out_dir.join("core.stamp");
    let key = format!("{:016x}", core_key(tc, src_dir)?);
    if rlib.exists() && fs::read_to_string(&stamp_path).is_ok_and(|s| s == key) {
        return Ok(rlib);
    }
    let mut cmd = Command::new(&tc.rustc);
    cmd.arg(src_dir.join("lib.rs"))
        .args(["--crate-type=rlib", &format!("--crate-name={CORE_CRATE}")])
        .arg("-Cmetadata=zeoraid-core")
        .args(tc.common_args(&[(src_dir, "/zeoraid/core")]))
        .arg("--out-dir")
        .arg(out_dir);
    run(cmd, "the zeoraid runtime core")?;
    fs::write(&stamp_path, key).map_err(|e| io("cannot write the core's stamp", e))?;
    Ok(rlib)
}

/// Hash of the toolchain and every core source file.
fn core_key(tc: &Toolchain, src_dir: &Path) -> Result<u64, CompileError> {
    let mut files = Vec::new();
    collect_files(src_dir, &mut files)
        .map_err(|e| CompileError::new(format!("cannot read {}: {e}", src_dir.display())))?;
    files.sort();
    let mut h = DefaultHasher::new();
    tc.version()?.hash(&mut h);
    tc.common_args(&[]).hash(&mut h);
    tc.linker.hash(&mut h);
    for file in files {
        file.strip_prefix(src_dir).unwrap_or(&file).hash(&mut h);
        fs::read(&file)
            .map_err(|e| CompileError::new(format!("cannot read {}: {e}", file.display())))?
            .hash(&mut h);
    }
    Ok(h.finish())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// One binary to build: a generated source and where the binary goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The generated `main.rs`.
    pub source: PathBuf,
    /// The binary to produce.
    pub output: PathBuf,
}

/// Compiles every job against the core rlib, `tc.jobs` at a time.
/// `remap_root` is hidden from the binaries (for reproducible builds).
pub fn compile_binaries(
    tc: &Toolchain,
    rlib: &Path,
    jobs: &[Job],
    remap_root: &Path,
) -> Result<(), CompileError> {
    let queue = Mutex::new(jobs.iter());
    let errors = Mutex::new(Vec::new());
    let workers = tc.jobs.min(jobs.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = queue.lock().map(|mut q| q.next()).ok().flatten() {
                    if let Err(e) = compile_binary(tc, rlib, job, remap_root) {
                        if let Ok(mut errors) = errors.lock() {
                            errors.push(e.0);
                        }
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap_or_default();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CompileError::new(errors.join("\n")))
    }
}

fn compile_binary(
    tc: &Toolchain,
    rlib: &Path,
    job: &Job,
    remap_root: &Path,
) -> Result<(), CompileError> {
    let rlib_dir = rlib.parent().unwrap_or(Path::new("."));
    let mut cmd = Command::new(&tc.rustc);
    cmd.arg(&job.source)
        .args(["--crate-type=bin", "--crate-name=main"])
        .args(tc.common_args(&[
            (remap_root, "/zeoraid/out"),
            (&core_source_dir(), "/zeoraid/core"),
        ]))
        .arg("--extern")
        .arg(format!("{CORE_CRATE}={}", rlib.display()))
        .arg("-L")
        .arg(format!("dependency={}", rlib_dir.display()))
        .arg("-o")
        .arg(&job.output);
    if tc.strip {
        cmd.arg("-Cstrip=symbols");
    }
    if let Some(linker) = &tc.linker {
        cmd.arg(format!("-Clinker={linker}"));
    }
    run(cmd, &job.output.display().to_string())
}

fn run(mut cmd: Command, what: &str) -> Result<(), CompileError> {
    let out = cmd
        .output()
        .map_err(|e| CompileError::new(format!("cannot run rustc for {what}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CompileError::new(format!(
            "rustc failed to build {what}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}
