//! A real ZEO 6 server: `<venv>/bin/runzeo -C zeo.conf` in its own directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::{net, python};

const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A `runzeo` process owning a temporary directory with its zeo.conf, its
/// log (`runzeo.log`) and any file storages. Dropping it kills the process.
pub struct ZeoServer {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
}

impl ZeoServer {
    /// Starts a server and waits until it accepts connections.
    ///
    /// `conf` is zeo.conf text in which `$dir` is the server's directory and
    /// `$port` a free port chosen for it (ZConfig `%define`s are prepended);
    /// its `<zeo>` address must be `$port` or `127.0.0.1:$port`.
    pub fn start(conf: &str) -> Self {
        let mut server = Self::spawn(conf);
        server.wait_ready();
        server
    }

    /// Starts the server without waiting; see [`ZeoServer::wait_ready`].
    pub fn spawn(conf: &str) -> Self {
        assert!(
            conf.contains("$port"),
            "the zeo.conf of a test server must listen on $port:\n{conf}"
        );
        let dir = tempfile::Builder::new()
            .prefix("zeoraid-zeo-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let mut server = ZeoServer {
            child: None,
            port: net::free_port(),
            dir,
        };
        server.write_conf(conf);
        server.launch();
        server
    }

    /// Waits up to 30 s for the port; panics with the log on failure.
    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child_mut().try_wait().expect("runzeo status") {
                panic!("runzeo exited with {status} before serving\n{}", self.log());
            }
            if net::wait_for_port(("127.0.0.1", self.port), Duration::from_millis(100)) {
                return;
            }
        }
        panic!(
            "runzeo did not listen on port {} within {START_TIMEOUT:?}\n{}",
            self.port,
            self.log()
        );
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's own directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The zeo.conf runzeo was started with (`-C`).
    pub fn conf_path(&self) -> PathBuf {
        self.dir().join("zeo.conf")
    }

    /// Everything runzeo wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        let path = self.dir().join("runzeo.log");
        fs::read_to_string(&path).unwrap_or_else(|e| format!("(no log {}: {e})", path.display()))
    }

    /// Replaces zeo.conf (same `$dir`/`$port` rules as [`ZeoServer::start`]);
    /// the running server sees it only when it re-reads it.
    pub fn write_conf(&self, conf: &str) {
        let text = format!(
            "%define dir {}\n%define port {}\n{conf}",
            self.dir().display(),
            self.port
        );
        fs::write(self.conf_path(), text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", self.conf_path().display()));
    }

    /// Kills the process with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the process with SIGTERM (SIGKILL after 10 s) and reaps it.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts runzeo again (after `kill`/`stop`) on the same port, directory
    /// and zeo.conf, and waits until it serves.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
        self.wait_ready();
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    fn launch(&mut self) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir().join("runzeo.log"))
            .unwrap_or_else(|e| panic!("cannot open the runzeo log: {e}"));
        let err = log.try_clone().expect("clone log handle");
        let child = python::venv_command("runzeo")
            .arg("-C")
            .arg(self.conf_path())
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start runzeo: {e}"));
        self.child = Some(child);
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("runzeo is not running")
    }
}

impl Drop for ZeoServer {
    fn drop(&mut self) {
        self.kill();
    }
}
