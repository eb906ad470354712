//! The Python side: a shared venv with ZEO 6, and running snippets in it.
//!
//! The venv lives in `<root>/target/zeo-venv` and is created on first use
//! (python from `$ZEORAID_TEST_PYTHON`, default `python3`; packages from
//! PyPI). `$ZEORAID_TEST_VENV` names a ready-made venv to use instead.
//! [`shared_venv`] is one that unprivileged users can run too.

use std::collections::BTreeMap;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, SystemTime};

/// What the venv must contain; also the content of its completed-marker.
const REQUIREMENTS: &[&str] = &["ZEO==6.2", "msgpack", "zdaemon==5.2.1"];
const MARKER: &str = ".zeoraid-complete";
const LOCK_STALE_AFTER: Duration = Duration::from_secs(600);

/// The venv's directory, created (once, under a cross-process lock) if needed.
pub fn venv() -> PathBuf {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| match std::env::var_os("ZEORAID_TEST_VENV") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            check_imports(&dir);
            dir
        }
        None => ensure_venv(
            &super::root().join("target").join("zeo-venv"),
            &base_python(),
        ),
    })
    .clone()
}

/// A venv like [`venv`] whose interpreter every user can run, for servers
/// that run as an unprivileged user: [`venv`] itself when its interpreter
/// is world-executable (a pyenv Python under `/root` is not), otherwise
/// `<root>/target/zeo-venv-shared`, built from the first world-executable
/// of `$ZEORAID_TEST_SHARED_PYTHON`, `/usr/bin/python3`,
/// `/usr/local/bin/python3`.
pub fn shared_venv() -> PathBuf {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let own = venv();
        if world_executable(&own.join("bin").join("python")) {
            return own;
        }
        let base = std::env::var_os("ZEORAID_TEST_SHARED_PYTHON")
            .map(PathBuf::from)
            .into_iter()
            .chain(["/usr/bin/python3", "/usr/local/bin/python3"].map(PathBuf::from))
            .find(|p| world_executable(p))
            .unwrap_or_else(|| {
                panic!(
                    "{} cannot be run by other users and there is no Python that can; \
                     set ZEORAID_TEST_SHARED_PYTHON",
                    own.display()
                )
            });
        ensure_venv(
            &super::root().join("target").join("zeo-venv-shared"),
            base.as_os_str(),
        )
    })
    .clone()
}

/// Whether anyone may run `path`: it and every directory on the way to it
/// (after resolving symbolic links) grant execute permission to others.
pub fn world_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Ok(real) = fs::canonicalize(path) else {
        return false;
    };
    real.ancestors()
        .all(|p| fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

fn base_python() -> std::ffi::OsString {
    std::env::var_os("ZEORAID_TEST_PYTHON").unwrap_or_else(|| "python3".into())
}

/// The venv's python interpreter.
pub fn python() -> PathBuf {
    venv().join("bin").join("python")
}

/// A command running the venv's `bin/<script>` (e.g. `runzeo`), with
/// `PYTHONPATH` pointing at the RAID peer.
pub fn venv_command(script: &str) -> Command {
    let mut command = Command::new(venv().join("bin").join(script));
    command.env("PYTHONPATH", super::raidpeer_dir());
    command
}

/// Runs the Python `script` (as `python -c`) with `args` in the venv.
pub fn run(script: &str, args: &[&str]) -> Output {
    let mut command = venv_command("python");
    command.arg("-c").arg(script).args(args);
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python().display()))
}

/// Like [`run`], but panics with the output unless the script succeeds;
/// returns its stdout.
pub fn run_ok(script: &str, args: &[&str]) -> String {
    let output = run(script, args);
    if !output.status.success() {
        panic!(
            "python snippet failed ({}) with args {args:?}\n{}",
            output.status,
            output_text(&output)
        );
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Calls `method(*args)` on RAID `storage` of the ZEO server on
/// 127.0.0.1:`port` through a read-only ZEO 6 `ClientStorage`.
///
/// `Ok`: a text result as is, anything else as JSON (`null`, objects with
/// sorted keys). `Err`: the server-side exception as `Class: message`.
/// Panics if the call cannot be made at all (no server, no venv).
pub fn raid_try(port: u16, storage: &str, method: &str, args: &[&str]) -> Result<String, String> {
    let port = port.to_string();
    let mut argv = vec!["127.0.0.1", &port, storage, method];
    argv.extend_from_slice(args);
    let output = run(include_str!("py/raid_call.py"), &argv);
    let stdout = String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_owned();
    match output.status.code() {
        Some(0) => Ok(stdout),
        Some(3) => Err(stdout),
        _ => panic!(
            "raid call {method}{args:?} on port {port} failed ({})\n{}",
            output.status,
            output_text(&output)
        ),
    }
}

/// [`raid_try`] that panics on a server-side exception.
pub fn raid_call(port: u16, storage: &str, method: &str, args: &[&str]) -> String {
    raid_try(port, storage, method, args)
        .unwrap_or_else(|e| panic!("raid call {method}{args:?} on port {port} raised {e}"))
}

/// `raid_details()` as a map child name -> state text.
pub fn raid_details(port: u16, storage: &str) -> BTreeMap<String, String> {
    let output = run_ok(
        include_str!("py/raid_details.py"),
        &["127.0.0.1", &port.to_string(), storage],
    );
    output
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .collect()
}

/// stdout and stderr of a finished process, for panic messages.
pub fn output_text(output: &Output) -> String {
    format!(
        "--- stdout ---\n{}--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ensure_venv(dir: &Path, base: &std::ffi::OsStr) -> PathBuf {
    let marker = dir.join(MARKER);
    let wanted = REQUIREMENTS.join("\n");
    let complete = || fs::read_to_string(&marker).is_ok_and(|m| m == wanted);
    if complete() {
        return dir.to_owned();
    }
    let lock = dir.with_extension("lock");
    let _guard = LockGuard::acquire(&lock);
    if !complete() {
        build_venv(dir, base);
        fs::write(&marker, &wanted)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", marker.display()));
    }
    dir.to_owned()
}

fn build_venv(dir: &Path, base: &std::ffi::OsStr) {
    if dir.exists() {
        fs::remove_dir_all(dir)
            .unwrap_or_else(|e| panic!("cannot remove half-built {}: {e}", dir.display()));
    }
    checked(
        Command::new(base).arg("-m").arg("venv").arg(dir),
        "create the test venv",
    );
    checked(
        Command::new(dir.join("bin").join("python"))
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .args(REQUIREMENTS),
        "install ZEO 6 from PyPI into the test venv",
    );
    check_imports(dir);
}

fn check_imports(dir: &Path) {
    checked(
        Command::new(dir.join("bin").join("python"))
            .args(["-c", "import ZEO, ZODB, msgpack, zdaemon"]),
        &format!(
            "import ZEO, ZODB, msgpack and zdaemon from {}",
            dir.display()
        ),
    );
}

fn checked(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot {what}: running {command:?} failed: {e}"));
    if !output.status.success() {
        panic!(
            "cannot {what}: {command:?} exited with {}\n{}",
            output.status,
            output_text(&output)
        );
    }
}

/// An exclusive lock file (created with `create_new`, holding our pid),
/// polled for; a lock left by a dead process or older than
/// `LOCK_STALE_AFTER` is broken.
pub struct LockGuard(PathBuf);

impl LockGuard {
    /// Waits for the lock at `path` and takes it until dropped.
    pub fn acquire(path: &Path) -> Self {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => {
                    fs::write(path, std::process::id().to_string())
                        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
                    return LockGuard(path.to_owned());
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    if lock_is_stale(path) {
                        let _ = fs::remove_file(path);
                    } else {
                        sleep(Duration::from_millis(200));
                    }
                }
                Err(e) => panic!("cannot create lock {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn lock_is_stale(path: &Path) -> bool {
    let old = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > LOCK_STALE_AFTER);
    let owner_dead = fs::read_to_string(path)
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok())
        .is_some_and(|pid| {
            Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists()
        });
    old || owner_dead
}
