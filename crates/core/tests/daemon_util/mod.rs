//! Shared helpers for the daemon integration tests.
//!
//! The daemon re-executes its own binary to detach (`std` has no `fork`),
//! so the tests need a real executable that calls
//! `zeoraid_core::daemon::main`: the `zdctl` example. [`zdctl`] builds it
//! once per test binary with the Cargo that runs the tests (`$CARGO build
//! --example zdctl`, same profile, same target directory, found from this
//! test executable's path) instead of trusting a possibly stale or missing
//! file: `cargo test --test daemon` alone does not build examples, and a
//! nested `cargo build` is a cheap no-op when the example is up to date.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The target directory and profile directory this test binary lives in.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // <target>/<profile>/deps/<test>-<hash>
    exe.parent()
        .and_then(Path::parent)
        .expect("test executable lives in <target>/<profile>/deps")
        .to_path_buf()
}

/// The `zdctl` example, built on first use.
pub fn zdctl() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let profile_dir = profile_dir();
        let target_dir = profile_dir.parent().expect("target directory");
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("profile directory name")
            .to_owned();
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args([
                "build",
                "--quiet",
                "-p",
                "zeoraid-core",
                "--example",
                "zdctl",
            ])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        match profile.as_str() {
            "debug" => {}
            "release" => {
                cargo.arg("--release");
            }
            other => {
                cargo.args(["--profile", other]);
            }
        }
        let out = cargo
            .output()
            .expect("run cargo to build the zdctl example");
        assert!(
            out.status.success(),
            "building the zdctl example failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let exe = profile_dir.join("examples").join("zdctl");
        assert!(exe.is_file(), "{} was not built", exe.display());
        exe
    })
}

/// What a command printed and how it exited.
#[derive(Debug)]
pub struct Output {
    /// Exit status (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// The `pid=N` at the end of the last line mentioning `pid=`.
    pub fn pid(&self) -> u32 {
        self.stdout
            .lines()
            .rev()
            .find_map(|l| {
                l.rsplit_once("pid=")
                    .and_then(|(_, p)| p.trim().parse().ok())
            })
            .unwrap_or_else(|| panic!("no pid in {self:?}"))
    }

    /// Asserts that no Rust panic was reported.
    pub fn no_panic(&self) -> &Self {
        assert!(!self.stderr.contains("panicked"), "panic: {self:?}");
        self
    }
}

/// Runs `program args` to completion (killing it after 60 s).
pub fn run_program(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("can't run {}: {e}", program.display()));
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{} {args:?} did not finish within 60 s", program.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// Polls `cond` every 20 ms until it holds; panics with `what` after `secs`.
pub fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether process `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// The uid a process runs as.
pub fn uid_of(pid: u32) -> u32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|u| u.parse().ok())
        .expect("Uid line")
}

/// A `key:` line of /proc/<pid>/status.
pub fn proc_status_field(pid: u32, key: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// A scratch directory with a zdaemon.conf; stops a daemon left running
/// and removes itself when dropped.
pub struct Sandbox {
    /// The directory.
    pub dir: PathBuf,
    /// Its zdaemon.conf.
    pub conf: PathBuf,
}

impl Sandbox {
    /// A fresh directory for test `name`.
    pub fn new(name: &str) -> Sandbox {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "zd-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create sandbox");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let conf = dir.join("zdaemon.conf");
        Sandbox { dir, conf }
    }

    /// A path inside the sandbox.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The control socket.
    pub fn socket(&self) -> PathBuf {
        self.path("zd.sock")
    }

    /// The transcript.
    pub fn transcript(&self) -> PathBuf {
        self.path("transcript.log")
    }

    /// Writes zdaemon.conf: a `<runner>` with this sandbox's socket and
    /// transcript, `program`, the `extra` runner lines, and `trailer`
    /// (further sections).
    pub fn write_conf(&self, program: &str, extra: &str, trailer: &str) {
        let text = format!(
            "<runner>\n  program {program}\n  socket-name {}\n  transcript {}\n{extra}</runner>\n{trailer}",
            self.socket().display(),
            self.transcript().display()
        );
        std::fs::write(&self.conf, text).expect("write zdaemon.conf");
    }

    /// Runs our control program with `-C <conf>`.
    pub fn ctl(&self, args: &[&str]) -> Output {
        self.ctl_env(args, &[])
    }

    /// Runs our control program with `-C <conf>` and extra environment.
    pub fn ctl_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let conf = self.conf.to_str().expect("utf-8 path");
        let mut all = vec!["-C", conf];
        all.extend_from_slice(args);
        let out = run_program(zdctl(), &all, env);
        out.no_panic();
        out
    }

    /// The transcript's content ("" when absent).
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// `status -l`'s `key=` value.
    pub fn status_field(&self, key: &str) -> Option<String> {
        let out = self.ctl(&["status", "-l"]);
        out.stdout
            .lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .map(str::to_owned)
    }

    /// The program's pid according to the daemon (0 when none).
    pub fn program_pid(&self) -> u32 {
        self.status_field("application")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if self.socket().exists() {
            if let Some(manager) = self
                .status_field("manager")
                .and_then(|m| m.parse::<u32>().ok())
            {
                let pid = self.program_pid();
                let _ = Command::new("kill")
                    .arg("-9")
                    .arg(manager.to_string())
                    .status();
                if pid != 0 {
                    let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Python's zdaemon 5.2.1 (`<target>/zdaemon-venv/bin/zdaemon`), installed
/// from PyPI into a venv on first use, under a lock file so concurrent test
/// runs do not build it twice. Python comes from `$ZEORAID_TEST_PYTHON`
/// (default `python3`); `$ZEORAID_TEST_VENV` names a ready environment with
/// `bin/zdaemon` to use instead. Fails loudly when python, venv or pip fail.
pub fn python_zdaemon() -> &'static Path {
    static ZDAEMON: OnceLock<PathBuf> = OnceLock::new();
    ZDAEMON.get_or_init(|| {
        if let Some(ready) = std::env::var_os("ZEORAID_TEST_VENV") {
            let zdaemon = PathBuf::from(ready).join("bin").join("zdaemon");
            assert!(
                zdaemon.exists(),
                "ZEORAID_TEST_VENV has no bin/zdaemon: {}",
                zdaemon.display()
            );
            return zdaemon;
        }
        let target_dir = profile_dir()
            .parent()
            .expect("target directory")
            .to_path_buf();
        let venv = target_dir.join("zdaemon-venv");
        let marker = venv.join(".zeoraid-zdaemon-5.2.1");
        let lock = target_dir.join("zdaemon-venv.lock");
        loop {
            if marker.exists() {
                return venv.join("bin").join("zdaemon");
            }
            match std::fs::File::create_new(&lock) {
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&lock)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(600));
                    if stale {
                        let _ = std::fs::remove_file(&lock);
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("can't create {}: {e}", lock.display()),
            }
        }
        let result = std::panic::catch_unwind(|| {
            let python = std::env::var("ZEORAID_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
            let _ = std::fs::remove_dir_all(&venv);
            let step = |program: &Path, args: &[&str], what: &str| {
                let out = Command::new(program)
                    .args(args)
                    .output()
                    .unwrap_or_else(|e| panic!("{what}: can't run {}: {e}", program.display()));
                assert!(
                    out.status.success(),
                    "{what} failed ({}):\n{}{}",
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let venv_arg = venv.to_str().expect("utf-8 target path");
            step(
                Path::new(&python),
                &["-m", "venv", venv_arg],
                "creating the zdaemon venv",
            );
            step(
                &venv.join("bin").join("pip"),
                &[
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "zdaemon==5.2.1",
                ],
                "pip install zdaemon==5.2.1 (needs PyPI)",
            );
            step(
                &venv.join("bin").join("zdaemon"),
                &["--version"],
                "zdaemon --version",
            );
            std::fs::write(&marker, "").expect("write the venv marker");
        });
        let _ = std::fs::remove_file(&lock);
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
        venv.join("bin").join("zdaemon")
    })
}

impl Sandbox {
    /// Runs Python's zdaemon with `-C <conf>`.
    pub fn py(&self, args: &[&str]) -> Output {
        let conf = self.conf.to_str().expect("utf-8 path");
        let mut all = vec!["-C", conf];
        all.extend_from_slice(args);
        run_program(python_zdaemon(), &all, &[])
    }
}
