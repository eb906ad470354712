//! The generated server wrapper end to end with a real ZEO 6 `runzeo`.
//!
//! Each scenario writes a `zeoraid.toml` into a temporary directory, plans
//! and stages it with the generator library (compiling the wrapper and the
//! manage binary), lays it out with `zeoraid install --stage`, and drives
//! the installed wrapper: start, status, the manage binary through its
//! compiled-in port, a crash and its restart, the logrotate postrotate flow,
//! stop. The RAID server is the test peer (`%import gocept.zeoraid`), found
//! through the part's `<environment> PYTHONPATH`.

mod support;

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Seek};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use support::python;
use tempfile::TempDir;
use zeoraid_gen::compile::{self, Toolchain};

/// How long any one command may take before the test fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to answer `optimal`.
const SERVE_TIMEOUT: Duration = Duration::from_secs(30);
/// The unprivileged user the daemon tests use too.
const TEST_USER: &str = "zeoraidtest";

/// What a finished command printed and how it exited.
#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// The `pid=N` ending the last line that has one.
    fn pid(&self) -> u32 {
        self.stdout
            .lines()
            .rev()
            .find_map(|l| {
                l.rsplit_once("pid=")
                    .and_then(|(_, p)| p.trim().parse().ok())
            })
            .unwrap_or_else(|| panic!("no pid in {self:?}"))
    }

    fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }
}

/// Runs `command` to completion, killing it after [`COMMAND_TIMEOUT`].
/// Output goes to anonymous files, not pipes, so a daemon that inherits
/// them cannot keep us waiting.
fn try_run(mut command: Command) -> Result<Out, String> {
    let shown = format!("{command:?}");
    let fail = |e: std::io::Error| format!("cannot run {shown}: {e}");
    let mut stdout = tempfile::tempfile().map_err(fail)?;
    let mut stderr = tempfile::tempfile().map_err(fail)?;
    let mut child = command
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().map_err(fail)?)
        .stderr(stderr.try_clone().map_err(fail)?)
        .spawn()
        .map_err(fail)?;
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(fail)? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{command:?} did not finish within {COMMAND_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |file: &mut fs::File| {
        let mut text = String::new();
        file.rewind()?;
        file.read_to_string(&mut text)?;
        Ok(text)
    };
    Ok(Out {
        code: status.code().unwrap_or(-1),
        stdout: read(&mut stdout).map_err(fail)?,
        stderr: read(&mut stderr).map_err(fail)?,
    })
}

/// [`try_run`], failing the test when the command cannot run or hangs.
fn run(command: Command) -> Out {
    try_run(command).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `program args`.
fn exec<S: AsRef<OsStr>>(program: &Path, args: &[S]) -> Out {
    let mut command = Command::new(program);
    command.args(args);
    run(command)
}

/// Runs a shell command line, as logrotate runs its postrotate script.
fn shell(line: &str) -> Out {
    let mut command = Command::new("/bin/sh");
    command.args(["-c", line]);
    run(command)
}

/// Polls `probe` every 100 ms until it yields a value; `None` after
/// `timeout`.
fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// [`poll`], failing the test with `what` it waited for.
fn wait_for<T>(timeout: Duration, what: &str, probe: impl FnMut() -> Option<T>) -> T {
    poll(timeout, probe).unwrap_or_else(|| panic!("gave up after {timeout:?} waiting for {what}"))
}

/// Whether `pid` is a live (not zombie) process.
fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

/// The real uid of `pid`.
fn uid_of(pid: u32) -> u32 {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("no status for process {pid}: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no Uid line for process {pid}:\n{status}"))
}

/// Live processes whose command line mentions a path inside `dir`.
fn processes_mentioning(dir: &Path) -> Vec<u32> {
    let needle = [dir.as_os_str().as_encoded_bytes(), b"/"].concat();
    let me = std::process::id();
    fs::read_dir("/proc")
        .expect("read /proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me && alive(pid))
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|line| line.windows(needle.len()).any(|w| w == needle.as_slice()))
        })
        .collect()
}

/// Sends `signal` (a name for kill(1)) to `pid`.
fn signal(pid: u32, signal: &str) {
    let out = exec(Path::new("kill"), &[format!("-{signal}"), pid.to_string()]);
    assert_eq!(out.code, 0, "kill -{signal} {pid}: {out:?}");
}

/// `id FLAG [name]`: a user's uid (`-u`), primary gid (`-g`) or name (`-un`).
fn id(flag: &str, name: Option<&str>) -> Option<String> {
    let args: Vec<&str> = [Some(flag), name].into_iter().flatten().collect();
    let out = exec(Path::new("id"), &args);
    (out.code == 0).then(|| out.stdout.trim().to_owned())
}

fn uid_by_name(name: &str) -> Option<u32> {
    id("-u", Some(name))?.parse().ok()
}

/// The unprivileged test user, created (as a system user) when missing;
/// safe when several test processes do it at once.
fn test_user() -> u32 {
    wait_for(
        Duration::from_secs(10),
        "useradd to create the test user",
        || {
            uid_by_name(TEST_USER).or_else(|| {
                let _ = exec(
                    Path::new("useradd"),
                    &[
                        "--system",
                        "--no-create-home",
                        "--shell",
                        "/usr/sbin/nologin",
                        TEST_USER,
                    ],
                );
                None
            })
        },
    )
}

fn running_as_root() -> bool {
    uid_of(std::process::id()) == 0
}

/// The runtime core compiled once per test run (and kept in Cargo's test
/// temporary directory across runs, keyed by its sources): each stage links
/// against it instead of compiling its own.
fn shared_core() -> &'static Path {
    static CORE: OnceLock<PathBuf> = OnceLock::new();
    CORE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server-core");
        compile::compile_core(
            &Toolchain::host_release(),
            &compile::core_source_dir(),
            &dir,
        )
        .unwrap_or_else(|e| panic!("cannot compile the runtime core:\n{e}"));
        dir
    })
}

/// An installed `zeoraid.toml` in a temporary directory (the layout
/// directory). Dropping it stops every server wrapper it installed, then
/// kills whatever process still mentions the directory.
struct Site {
    dir: TempDir,
    plan: zeoraid_gen::Plan,
}

impl Site {
    /// Writes `toml` (in which `$dir` is the site's directory) as
    /// `zeoraid.toml`, stages and installs it.
    fn install(toml: &str) -> Site {
        let dir = tempfile::Builder::new()
            .prefix("zeoraid-server-")
            .tempdir()
            .expect("a temporary directory");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
            .expect("open the site to other users");
        let toml = toml.replace("$dir", path_text(dir.path()));
        let config = dir.path().join("zeoraid.toml");
        fs::write(&config, &toml).expect("write zeoraid.toml");
        let plan = zeoraid_gen::plan_from_str(&toml, &config)
            .unwrap_or_else(|e| panic!("cannot plan zeoraid.toml: {e}\n{toml}"));
        let site = Site { dir, plan };

        let stage = site.path("stage");
        fs::create_dir(&stage).expect("create the stage");
        std::os::unix::fs::symlink(shared_core(), stage.join("core")).expect("link the core");
        zeoraid_gen::stage::stage(&site.plan, &Toolchain::host_release(), &stage)
            .unwrap_or_else(|e| panic!("cannot stage zeoraid.toml: {e}"));
        let out = exec(
            Path::new(env!("CARGO_BIN_EXE_zeoraid")),
            &[
                OsStr::new("install"),
                OsStr::new("--stage"),
                stage.as_os_str(),
            ],
        );
        assert_eq!(out.code, 0, "zeoraid install failed: {out:?}");
        for part in &site.plan.parts {
            let line = format!("Generated script '{}'.", part.rc.display());
            assert!(out.stdout.contains(&line), "{out:?}");
        }
        site
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        for part in &self.plan.parts {
            if part.socket.exists() {
                let mut stop = Command::new(&part.rc);
                stop.arg("stop");
                let _ = try_run(stop);
            }
        }
        for pid in processes_mentioning(self.dir.path()) {
            let mut kill = Command::new("kill");
            kill.args(["-KILL", &pid.to_string()]);
            let _ = try_run(kill);
        }
    }
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// A `[server.NAME]` table: a RAID over two file storages in `$dir/data`
/// served on `port` by `venv`'s runzeo, with the RAID peer on the
/// `PYTHONPATH` through zdaemon.conf's `<environment>`.
fn server_table(name: &str, port: u16, venv: &Path, extra: &str) -> String {
    let data = format!("$dir/data/{name}");
    format!(
        r#"
[server.{name}]
runzeo = '{runzeo}'
{extra}
zeo-conf = '''
<zeo>
  address 127.0.0.1:{port}
</zeo>
%import gocept.zeoraid
<raidstorage 1>
  <filestorage 1>
    path {data}/1.fs
  </filestorage>
  <filestorage 2>
    path {data}/2.fs
  </filestorage>
</raidstorage>
'''
zdaemon-conf = '''
<runner>
  stop-timeout 20
</runner>
<environment>
  PYTHONPATH {peer}
</environment>
'''
"#,
        runzeo = venv.join("bin").join("runzeo").display(),
        peer = support::raidpeer_dir().display(),
    )
}

/// Creates `$dir/data/<name>` for the file storages, owned by `uid`.
fn data_directory(site: &Site, name: &str, uid: Option<u32>) -> PathBuf {
    let dir = site.path(&format!("data/{name}"));
    fs::create_dir_all(&dir).expect("create the data directory");
    if let Some(uid) = uid {
        std::os::unix::fs::chown(&dir, Some(uid), None).expect("hand the data to the user");
    }
    dir
}

/// Polls the manage binary until it reports `optimal` (exit 0).
fn wait_optimal(manage: &Path) {
    let mut last = None;
    let optimal = poll(SERVE_TIMEOUT, || {
        let out = exec(manage, &["status"]);
        let done = (out.code, out.stdout.as_str()) == (0, "optimal\n");
        last = Some(out);
        done.then_some(())
    });
    assert!(
        optimal.is_some(),
        "{} status did not say optimal: {last:?}",
        manage.display()
    );
}

/// `rc status`: the program's pid when the manager reports it running.
fn running_pid(rc: &Path) -> Option<u32> {
    let out = exec(rc, &["status"]);
    (out.code == 0 && out.stdout.starts_with("program running; pid=")).then(|| out.pid())
}

/// The daemon manager's pid, from `rc status -l`.
fn manager_pid(rc: &Path) -> u32 {
    let out = exec(rc, &["status", "-l"]);
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("manager=")?.parse().ok())
        .unwrap_or_else(|| panic!("no manager= in {out:?}"))
}

/// `rc start` succeeds; returns the program's pid.
fn start(rc: &Path) -> u32 {
    let out = exec(rc, &["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.last_line().starts_with("daemon process started, pid="),
        "{out:?}"
    );
    let pid = out.pid();
    assert!(alive(pid), "the program runs: {out:?}");
    pid
}

/// `rc stop` succeeds and leaves no process and no socket behind.
fn stop_completely(rc: &Path, socket: &Path, pids: &[u32], site: &Site) {
    let out = exec(rc, &["stop"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.ends_with("daemon process stopped\n"), "{out:?}");
    assert_stopped(rc, socket, pids, site);
}

/// `pids` end, the socket is gone, no process mentions the site, and
/// `rc status` says so.
fn assert_stopped(rc: &Path, socket: &Path, pids: &[u32], site: &Site) {
    for &pid in pids {
        wait_for(
            Duration::from_secs(10),
            &format!("process {pid} to end"),
            || (!alive(pid)).then_some(()),
        );
    }
    assert!(!socket.exists(), "{} left behind", socket.display());
    assert_eq!(processes_mentioning(site.dir.path()), Vec::<u32>::new());
    let out = exec(rc, &["status"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, "daemon manager not running\n")
    );
}

/// The logrotate flow: rename the log, run `postrotate`, see the server
/// write a new log once a client connects.
fn rotate(log: &Path, postrotate: &str, manage: &Path) {
    let rotated = log.with_extension("log.1");
    fs::rename(log, &rotated).expect("rotate the log");
    let out = shell(postrotate);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, ""),
        "{postrotate}: {out:?}"
    );
    assert!(log.exists(), "{postrotate} made a new {}", log.display());
    wait_optimal(manage);
    wait_for(SERVE_TIMEOUT, "the server's output in the new log", || {
        let text = fs::read_to_string(log).unwrap_or_default();
        text.contains("received handshake").then_some(())
    });
    let old = fs::read_to_string(&rotated).expect("read the rotated log");
    assert!(old.contains("received handshake"), "{old}");
}

#[test]
fn plain_part_runs_restarts_rotates_and_stops() {
    let port = support::net::free_port();
    let site = Site::install(&format!(
        "[layout]\ndirectory = \".\"\nsystemd-directory = \"units\"\n{}",
        server_table("zeoraid", port, &python::venv(), "")
    ));
    data_directory(&site, "zeoraid", None);
    let rc = site.path("bin/zeoraid");
    let manage = site.path("bin/zeoraid-1-manage");
    let conf = site.path("parts/zeoraid/zdaemon.conf");
    let log = site.path("parts/zeoraid/zeo.log");
    systemd_verify(&[site.path("units/zeoraid.service")]);

    let pid = start(&rc);
    let out = exec(&rc, &["status"]);
    assert_eq!(
        (out.code, out.stdout),
        (0, format!("program running; pid={pid}\n"))
    );
    let manager = manager_pid(&rc);
    wait_optimal(&manage);

    signal(pid, "KILL");
    let restarted = wait_for(SERVE_TIMEOUT, "the manager to restart runzeo", || {
        running_pid(&rc).filter(|&p| p != pid)
    });
    assert!(!alive(pid));
    assert_eq!(manager_pid(&rc), manager, "the same manager restarted it");
    wait_optimal(&manage);

    let postrotate = format!("{} -C {} reopen_transcript", rc.display(), conf.display());
    rotate(&log, &postrotate, &manage);

    stop_completely(
        &rc,
        &site.path("parts/zeoraid/zdaemon.sock"),
        &[restarted, manager],
        &site,
    );
}

/// A site with a deployment `demo` (every directory inside the site, units
/// in `units`, run as `user`) and its part `zeoraid`.
fn deployment_toml(port: u16, user: &str) -> String {
    let venv = python::shared_venv();
    format!(
        "[layout]\ndirectory = \".\"\n\n[deployment.demo]\nuser = \"{user}\"\n\
         crontab-directory = \"cron\"\netc-directory = \"etc\"\nlog-directory = \"log\"\n\
         logrotate-directory = \"rotate\"\nrc-directory = \"rc\"\nrun-directory = \"run\"\n\
         systemd-directory = \"units\"\n{}",
        server_table("zeoraid", port, &venv, "deployment = \"demo\"")
    )
}

/// The one command line of a logrotate file's `postrotate` script.
fn postrotate_line(logrotate: &str) -> String {
    let mut lines = logrotate.lines().map(str::trim);
    assert!(
        lines.by_ref().any(|l| l == "postrotate"),
        "no postrotate in:\n{logrotate}"
    );
    let script: Vec<&str> = lines.take_while(|l| *l != "endscript").collect();
    assert_eq!(script.len(), 1, "one postrotate command in:\n{logrotate}");
    script[0].to_owned()
}

#[test]
fn deployed_part_runs_as_its_user() {
    let port = support::net::free_port();
    if !running_as_root() {
        let site = Site::install(&deployment_toml(port, "root"));
        let out = exec(&site.path("rc/demo-zeoraid"), &["start"]);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr
                .contains("only root can use -u USER to change users"),
            "{out:?}"
        );
        return;
    }
    let uid = test_user();
    let site = Site::install(&deployment_toml(port, TEST_USER));
    for dir in ["log", "run"] {
        let owner = fs::metadata(site.path(dir))
            .expect("an installed directory")
            .uid();
        assert_eq!(owner, uid, "install hands {dir}/ to {TEST_USER}");
    }
    data_directory(&site, "zeoraid", Some(uid));
    let rc = site.path("rc/demo-zeoraid");
    let manage = site.path("rc/demo-zeoraid-1-manage");
    let log = site.path("log/zeoraid-zeo.log");

    let pid = start(&rc);
    assert_eq!(uid_of(pid), uid, "runzeo runs as {TEST_USER}");
    let manager = manager_pid(&rc);
    assert_eq!(uid_of(manager), uid, "the manager runs as {TEST_USER}");
    wait_optimal(&manage);

    let postrotate = postrotate_line(&site.read("rotate/demo-zeoraid"));
    assert_eq!(
        postrotate,
        format!(
            "{} -C {} reopen_transcript",
            rc.display(),
            site.path("etc/zeoraid-zdaemon.conf").display()
        )
    );
    rotate(&log, &postrotate, &manage);
    assert_eq!(fs::metadata(&log).expect("the new log").uid(), uid);

    stop_completely(
        &rc,
        &site.path("run/zeoraid-zdaemon.sock"),
        &[pid, manager],
        &site,
    );
}

/// Python's zdaemon 5.2.1 from the test venv: `zdaemon -C conf command`,
/// which must not complain about the generated zdaemon.conf.
fn zdaemon(conf: &Path, command: &str) -> Out {
    let out = exec(
        &python::venv().join("bin").join("zdaemon"),
        &[OsStr::new("-C"), conf.as_os_str(), OsStr::new(command)],
    );
    assert_eq!(out.stderr, "", "zdaemon {command}: {out:?}");
    out
}

#[test]
fn python_zdaemon_and_the_wrapper_control_each_others_servers() {
    let port = support::net::free_port();
    let site = Site::install(&format!(
        "[layout]\ndirectory = \".\"\n{}",
        server_table("interop", port, &python::venv(), "")
    ));
    data_directory(&site, "interop", None);
    let rc = site.path("bin/interop");
    let manage = site.path("bin/interop-1-manage");
    let conf = site.path("parts/interop/zdaemon.conf");
    let socket = site.path("parts/interop/zdaemon.sock");

    let pid = start(&rc);
    let manager = manager_pid(&rc);
    wait_optimal(&manage);
    let py = zdaemon(&conf, "status");
    assert_eq!(
        (py.code, py.stdout.clone()),
        (0, format!("program running; pid={pid}\n")),
        "{py:?}"
    );
    let py = zdaemon(&conf, "stop");
    assert_eq!(py.code, 0, "{py:?}");
    assert!(py.stdout.ends_with("daemon process stopped\n"), "{py:?}");
    assert_stopped(&rc, &socket, &[pid, manager], &site);

    let py = zdaemon(&conf, "start");
    assert_eq!(py.code, 0, "{py:?}");
    assert!(py.stdout.contains("daemon process started, pid="), "{py:?}");
    let pid = py.pid();
    assert_eq!(running_pid(&rc), Some(pid));
    let zdrun = manager_pid(&rc);
    wait_optimal(&manage);
    stop_completely(&rc, &socket, &[pid, zdrun], &site);
    let py = zdaemon(&conf, "status");
    assert_eq!(
        (py.code, py.stdout.as_str()),
        (3, "daemon manager not running\n"),
        "{py:?}"
    );
}

/// A unit file: its sections and their `Key=value` lines, in order;
/// comments kept apart. Anything else in it fails the test.
struct UnitFile {
    sections: Vec<(String, Vec<(String, String)>)>,
    comments: Vec<String>,
}

impl UnitFile {
    fn parse(text: &str) -> UnitFile {
        let mut unit = UnitFile {
            sections: Vec::new(),
            comments: Vec::new(),
        };
        for line in text.lines().filter(|l| !l.is_empty()) {
            if let Some(comment) = line.strip_prefix('#') {
                unit.comments.push(comment.trim().to_owned());
            } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                unit.sections.push((name.to_owned(), Vec::new()));
            } else {
                let (key, value) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("not a Key=value line: {line:?}\n{text}"));
                let (_, keys) = unit
                    .sections
                    .last_mut()
                    .unwrap_or_else(|| panic!("{line:?} before any section\n{text}"));
                keys.push((key.to_owned(), value.to_owned()));
            }
        }
        let names: Vec<&str> = unit.sections.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Unit", "Service", "Install"], "{text}");
        unit
    }

    /// Every value of `key` in `section`.
    fn all(&self, section: &str, key: &str) -> Vec<&str> {
        self.sections
            .iter()
            .filter(|(name, _)| name == section)
            .flat_map(|(_, keys)| keys)
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The one value of `key` in `section`.
    fn get(&self, section: &str, key: &str) -> &str {
        match self.all(section, key)[..] {
            [value] => value,
            ref values => panic!("[{section}] {key}: {values:?}"),
        }
    }
}

/// `systemd-analyze verify` accepts `units` without a word of complaint
/// (it checks sections, keys, values and that `ExecStart` is executable;
/// it needs no running systemd).
fn systemd_verify(units: &[PathBuf]) {
    let mut command = Command::new("systemd-analyze");
    command.arg("verify").args(units);
    let out = try_run(command).unwrap_or_else(|e| {
        panic!("{e}\nsystemd-analyze checks the generated units: apt-get install systemd")
    });
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, ""),
        "{units:?}: {out:?}"
    );
}

/// Starts a unit's `ExecStart` the way systemd does: as its `User=` (when
/// we are root), in `/`, with a bare environment, output to `journal`.
fn start_like_systemd(unit: &UnitFile, journal: &Path) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let exec_start = unit.get("Service", "ExecStart");
    assert!(
        !exec_start.contains(['"', '\'', '\\', '%', '$']),
        "{exec_start}"
    );
    let words: Vec<&str> = exec_start.split_whitespace().collect();
    let output = fs::File::create(journal).expect("create the journal stand-in");
    let mut command = Command::new(words[0]);
    command
        .args(&words[1..])
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("clone a file handle"))
        .stderr(output);
    if running_as_root() {
        let user = unit.get("Service", "User");
        let uid = uid_by_name(user).expect("the unit's user");
        let gid = id("-g", Some(user))
            .and_then(|g| g.parse().ok())
            .expect("the user's group");
        command.uid(uid).gid(gid);
    }
    command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {exec_start}: {e}"))
}

#[test]
fn systemd_units_verify_and_the_wrapper_serves_in_the_foreground() {
    let (user, uid) = if running_as_root() {
        (TEST_USER.to_owned(), test_user())
    } else {
        let name = id("-un", None).expect("our user name");
        (name, uid_of(std::process::id()))
    };
    let venv = python::shared_venv();
    let legacy = server_table(
        "legacy",
        support::net::free_port(),
        &venv,
        &format!(
            "deployment = \"demo\"\nshell-script = true\nzdaemon = '{}'",
            venv.join("bin").join("zdaemon").display()
        ),
    );
    let toml = deployment_toml(support::net::free_port(), &user) + &legacy;
    let site = Site::install(&toml);
    systemd_verify(&[
        site.path("units/demo-zeoraid.service"),
        site.path("units/demo-legacy.service"),
    ]);

    let rc = site.path("rc/demo-zeoraid");
    let conf = site.path("etc/zeoraid-zdaemon.conf");
    let log = site.path("log/zeoraid-zeo.log");
    let unit = UnitFile::parse(&site.read("units/demo-zeoraid.service"));
    assert_eq!(
        unit.get("Service", "ExecStart"),
        format!("{} -C {} supervise", rc.display(), conf.display())
    );
    assert_eq!(unit.get("Service", "User"), user);
    assert_eq!(unit.get("Service", "Restart"), "on-failure");
    assert_eq!(unit.get("Service", "KillMode"), "mixed");
    assert_eq!(
        unit.get("Service", "TimeoutStopSec"),
        "50",
        "stop-timeout + 30"
    );
    assert!(
        unit.comments.iter().any(|c| c.contains(path_text(&log))),
        "{:?}",
        unit.comments
    );
    let zdaemon = zeoraid_core::zconfig::parse(&site.read("etc/zeoraid-zdaemon.conf"))
        .expect("zdaemon.conf parses");
    let runner = zdaemon.root.sections_of("runner").next().expect("a runner");
    assert_eq!(
        runner.get("program"),
        Some(
            format!(
                "{} -C {}",
                venv.join("bin").join("runzeo").display(),
                site.path("etc/zeoraid-zeo.conf").display()
            )
            .as_str()
        )
    );
    assert_eq!(runner.get("transcript"), Some(path_text(&log)));

    let legacy = UnitFile::parse(&site.read("units/demo-legacy.service"));
    assert_eq!(
        legacy.get("Service", "ExecStart"),
        format!(
            "{} -C {}",
            venv.join("bin").join("runzeo").display(),
            site.path("etc/legacy-zeo.conf").display()
        )
    );
    assert_eq!(
        legacy.get("Service", "Environment"),
        format!("PYTHONPATH={}", support::raidpeer_dir().display())
    );
    assert_eq!(
        legacy.get("Service", "StandardOutput"),
        format!("append:{}", site.path("log/legacy-zeo.log").display())
    );
    assert_eq!(legacy.get("Service", "User"), user);

    data_directory(&site, "zeoraid", Some(uid));
    let manage = site.path("rc/demo-zeoraid-1-manage");
    let journal = site.path("journal.log");
    let mut service = start_like_systemd(&unit, &journal);
    wait_optimal(&manage);
    let pid = running_pid(&rc).expect("rc status sees the server");
    assert_eq!(uid_of(pid), uid);
    assert_eq!(uid_of(service.id()), uid);
    rotate(
        &log,
        &postrotate_line(&site.read("rotate/demo-zeoraid")),
        &manage,
    );

    signal(service.id(), "TERM");
    let status = wait_for(Duration::from_secs(50), "the service to stop", || {
        service.try_wait().expect("wait for the service")
    });
    assert!(status.success(), "{status}\n{}", site.read("journal.log"));
    assert_stopped(&rc, &site.path("run/zeoraid-zdaemon.sock"), &[pid], &site);
    assert!(site.read("journal.log").contains("received handshake"));
}
