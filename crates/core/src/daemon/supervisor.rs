//! The daemon manager (zdaemon's `zdrun`): runs the program, restarts it
//! with back-off when it dies, answers the control socket, and stops it
//! with SIGTERM, then SIGKILL after `stop-timeout`.
//!
//! Restarts follow [`backoff`] (zdaemon's rule; giving up exits 1). An exit
//! status listed in `exit-codes` ends supervision with that status, unless
//! the manager was stopping the program anyway.

use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::backoff::{self, Decision};
use super::control::{self, ControlSocket, Request};
use super::log::{Console, Logger};
use super::options::Options;
use super::posix::{self, Signals};
use super::transcript::Transcript;
use super::{complain, program, signals};
use crate::pyrepr;

/// How the manager runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Detached (started by `start`): stderr reports start-up errors to the
    /// waiting `start` command and then goes to /dev/null.
    Daemon,
    /// In the foreground (`supervise`, or `start` with `daemon off`):
    /// program output is echoed to stdout and the log goes to stderr.
    Foreground,
}

enum Event {
    Request(Request, UnixStream),
    Signal(i32),
    TestPassed(u32),
}

/// Runs the manager until it is told to stop or gives up; returns its exit
/// status. Start-up errors are printed to stderr (exit status 1).
pub fn run(opts: &Options, mode: Mode) -> i32 {
    match Supervisor::start(opts, mode) {
        Ok(mut supervisor) => supervisor.run(),
        Err(message) => {
            complain!("Error: {message}");
            1
        }
    }
}

fn wall_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

struct Supervisor {
    opts: Options,
    filename: PathBuf,
    transcript: Transcript,
    log: Arc<Logger>,
    events: Receiver<Event>,
    sender: Sender<Event>,
    _socket: ControlSocket,
    child: Option<Child>,
    pid: u32,
    lasttime: Option<(Instant, f64)>,
    should_be_up: bool,
    delay: Option<Instant>,
    killing: bool,
    backoff: u64,
    testing: bool,
    under_test: Arc<AtomicU32>,
    exiting: bool,
    result: Option<i32>,
}

impl Supervisor {
    fn start(opts: &Options, mode: Mode) -> Result<Supervisor, String> {
        let caught = [
            signals::sigterm(),
            signals::sigint(),
            signals::sighup(),
            signals::sigchld(),
        ];
        let blocked = Signals::block(&caught).map_err(|e| format!("can't block signals: {e}"))?;
        let first = opts.program.first().ok_or("no program specified")?;
        let filename = program::resolve(first, program::search_path(&opts.environment).as_deref())?;
        if let Some(dir) = &opts.directory {
            std::env::set_current_dir(dir)
                .map_err(|e| format!("can't chdir into '{}': {e}", dir.display()))?;
        }
        posix::set_umask(opts.umask);
        let transcript = Transcript::open(opts.transcript.as_deref(), mode == Mode::Foreground)?;
        let console = match mode {
            Mode::Daemon => Console::Transcript(
                transcript
                    .writer()
                    .map_err(|e| format!("can't write to the transcript: {e}"))?,
            ),
            Mode::Foreground => Console::Stderr,
        };
        let log = Arc::new(Logger::open(&opts.eventlog, opts.eventlog_level, console)?);
        let socket = ControlSocket::bind(&opts.socket_name, &mut |m| {
            complain!("{m}");
            log.warning(m);
        })?;
        let (sender, events) = mpsc::channel();
        let listener = socket
            .listener
            .try_clone()
            .map_err(|e| format!("can't use the control socket: {e}"))?;
        let to_main = sender.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                while let Ok(sig) = blocked.wait() {
                    if to_main.send(Event::Signal(sig)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("can't start the signal thread: {e}"))?;
        let to_main = sender.clone();
        std::thread::Builder::new()
            .name("control".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    let Ok(mut conn) = conn else { continue };
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                    let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
                    let request = Request::read(&mut conn).unwrap_or(Request::Unterminated);
                    if to_main.send(Event::Request(request, conn)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("can't start the control thread: {e}"))?;
        log.info("daemon manager started");
        if mode == Mode::Daemon {
            let null = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/null")
                .map_err(|e| format!("can't open /dev/null: {e}"))?;
            posix::redirect(&null, 2).map_err(|e| format!("can't redirect stderr: {e}"))?;
        }
        Ok(Supervisor {
            opts: opts.clone(),
            filename,
            transcript,
            log,
            events,
            sender,
            _socket: socket,
            child: None,
            pid: 0,
            lasttime: None,
            should_be_up: true,
            delay: None,
            killing: false,
            backoff: 0,
            testing: false,
            under_test: Arc::new(AtomicU32::new(0)),
            exiting: false,
            result: None,
        })
    }

    fn stays(&self) -> bool {
        self.should_be_up || self.child.is_some() || (self.opts.hang_around && !self.exiting)
    }

    fn run(&mut self) -> i32 {
        let tick = Duration::from_secs(1);
        loop {
            self.reap();
            if let Some(code) = self.result {
                self.log.info("Exiting");
                return code;
            }
            if !self.stays() {
                self.log.info("Exiting");
                return 0;
            }
            if self.should_be_up && self.child.is_none() && self.delay.is_none() {
                self.spawn();
                continue;
            }
            let now = Instant::now();
            if self.delay.is_some_and(|at| at <= now) {
                self.delay = None;
                if self.killing && self.child.is_some() {
                    self.signal_child(signals::sigkill());
                    self.delay = Some(now + Duration::from_secs(self.opts.backoff_limit.max(1)));
                }
                continue;
            }
            let timeout = self
                .delay
                .map_or(tick, |at| at.saturating_duration_since(now).min(tick));
            match self.events.recv_timeout(timeout) {
                Ok(Event::Request(request, conn)) => self.handle(request, conn),
                Ok(Event::Signal(sig)) if sig == signals::sigchld() => {}
                Ok(Event::Signal(sig)) => self.on_signal(sig),
                Ok(Event::TestPassed(pid)) => {
                    if pid == self.pid && self.testing {
                        self.testing = false;
                        self.under_test.store(0, Ordering::SeqCst);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return 1,
            }
        }
    }

    fn spawn(&mut self) {
        let now = Instant::now();
        self.lasttime = Some((now, wall_now()));
        let (first, rest) = self
            .opts
            .program
            .split_first()
            .map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
        let mut command = Command::new(&self.filename);
        command
            .arg0(first)
            .args(rest)
            .envs(self.opts.environment.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        let spawned = posix::unblock_signals_on_spawn(&mut command)
            .and_then(|()| self.transcript.stdio())
            .and_then(|(out, err)| {
                command.stdout(out).stderr(err);
                command.spawn()
            });
        match spawned {
            Ok(child) => {
                self.pid = child.id();
                self.child = Some(child);
                self.log.info(&format!("spawned process pid={}", self.pid));
                if !self.opts.start_test_program.is_empty() {
                    self.testing = true;
                    self.under_test.store(self.pid, Ordering::SeqCst);
                    self.start_test(self.pid);
                }
            }
            Err(e) => {
                let message = format!(
                    "can't exec {}: {e}",
                    pyrepr::py_str(&self.filename.display().to_string())
                );
                self.log.critical(&message);
                self.after_exit(Some(127), "exit status 127".to_owned());
            }
        }
    }

    /// Runs the start test program until it succeeds for `pid`, once a
    /// second, in a thread; a failure to run it at all ends the test too.
    fn start_test(&self, pid: u32) {
        let Some((test, test_args)) = self.opts.start_test_program.split_first() else {
            return;
        };
        let (test, test_args) = (test.clone(), test_args.to_vec());
        let env = self.opts.environment.clone();
        let current = Arc::clone(&self.under_test);
        let log = Arc::clone(&self.log);
        let to_main = self.sender.clone();
        let feeder = self.transcript.feeder();
        let spawned = std::thread::Builder::new()
            .name("start-test".into())
            .spawn(move || {
                while current.load(Ordering::SeqCst) == pid {
                    let mut command = Command::new(&test);
                    command
                        .args(&test_args)
                        .envs(env.iter().map(|(k, v)| (k, v)))
                        .stdin(Stdio::null());
                    if let Some((out, err)) = feeder.as_ref().ok().and_then(|f| f.stdio().ok()) {
                        command.stdout(out).stderr(err);
                    }
                    let status = posix::unblock_signals_on_spawn(&mut command)
                        .and_then(|()| command.status());
                    match status {
                        Ok(status) if status.success() => {
                            log.info("start test succeeded");
                            break;
                        }
                        Ok(_) => log.info("start test failed"),
                        Err(e) => {
                            log.critical(&format!("start test raised: {e}"));
                            break;
                        }
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
                let _ = to_main.send(Event::TestPassed(pid));
            });
        if let Err(e) = spawned {
            self.log
                .critical(&format!("can't start the start test thread: {e}"));
        }
    }

    fn reap(&mut self) {
        let Some(child) = &mut self.child else { return };
        match child.try_wait() {
            Ok(None) => {}
            Ok(Some(status)) => {
                let (code, message) = program::describe(status);
                self.after_exit(code, message);
            }
            Err(e) => {
                self.log
                    .warning(&format!("can't wait for pid {}: {e}", self.pid));
                self.after_exit(None, "vanished".to_owned());
            }
        }
    }

    /// What zdaemon's `reportstatus` does once the program has ended.
    fn after_exit(&mut self, code: Option<i32>, message: String) {
        let message = format!("pid {}: {message}", self.pid);
        self.child = None;
        self.pid = 0;
        self.testing = false;
        self.under_test.store(0, Ordering::SeqCst);
        let killing = self.killing;
        if killing {
            self.killing = false;
            self.delay = None;
        } else {
            self.governor();
            if self.result.is_some() {
                return;
            }
        }
        match code {
            Some(c) if !killing && self.opts.exit_codes.contains(&c) => {
                self.log.info(&format!("{message}; exiting now"));
                self.give_up(c);
            }
            _ => self.log.info(&message),
        }
    }

    /// Backs off when the program dies soon after it was started.
    fn governor(&mut self) {
        let Some((started, _)) = self.lasttime else {
            return;
        };
        let limit = self.opts.backoff_limit;
        match backoff::after_death(
            &mut self.backoff,
            limit,
            self.opts.forever,
            started.elapsed(),
        ) {
            Decision::GiveUp => {
                self.log.critical("restarting too frequently; quit");
                self.give_up(1);
            }
            Decision::RestartAfter(0) => self.delay = None,
            Decision::RestartAfter(secs) => {
                self.log
                    .info(&format!("sleep {secs} to avoid rapid restarts"));
                self.delay = Some(Instant::now() + Duration::from_secs(secs));
            }
        }
    }

    /// Ends supervision with `code`, or with `hang-around` just stops
    /// restarting the program.
    fn give_up(&mut self, code: i32) {
        if self.opts.hang_around && !self.exiting {
            self.should_be_up = false;
            self.backoff = 0;
            self.delay = None;
        } else {
            self.result = Some(code);
        }
    }

    fn signal_child(&self, sig: i32) -> Option<String> {
        if self.pid == 0 {
            return Some("no subprocess running".to_owned());
        }
        posix::send_signal(self.pid, sig)
            .err()
            .map(|e| e.to_string())
    }

    fn on_signal(&mut self, sig: i32) {
        let name = signals::name(sig);
        if self.exiting {
            self.log.critical(&format!(
                "daemon manager got {name} again; killing the program"
            ));
            self.signal_child(signals::sigkill());
            return;
        }
        self.log.critical(&format!(
            "daemon manager killed by {name}; stopping the program"
        ));
        self.exiting = true;
        self.should_be_up = false;
        if self.child.is_some() && !self.killing {
            self.begin_stop();
        }
    }

    fn begin_stop(&mut self) {
        self.signal_child(signals::sigterm());
        self.killing = true;
        self.delay = (self.opts.stop_timeout > 0)
            .then(|| Instant::now() + Duration::from_secs(self.opts.stop_timeout));
    }

    fn handle(&mut self, request: Request, mut conn: UnixStream) {
        let reply = match request {
            Request::Empty => Some("Empty command".to_owned()),
            Request::Unterminated => Some("Command not terminated by newline".to_owned()),
            Request::TooLong => Some("Command exceeds 10 KB".to_owned()),
            Request::Command(args) => self.command(&args),
        };
        if let Some(reply) = reply {
            if let Err(e) = control::reply(&mut conn, &reply) {
                self.log.warning(&format!("Error sending reply: {e}"));
            }
        }
    }

    fn reset(&mut self, up: bool) {
        self.should_be_up = up;
        self.backoff = 0;
        self.delay = None;
        self.killing = false;
    }

    fn command(&mut self, args: &[String]) -> Option<String> {
        let reply = match args.first().map_or("", String::as_str) {
            "status" => self.status(),
            "start" => {
                self.reset(true);
                if self.child.is_none() {
                    self.spawn();
                    "Application started".to_owned()
                } else {
                    "Application already started".to_owned()
                }
            }
            "stop" => {
                self.reset(false);
                if self.child.is_some() {
                    self.begin_stop();
                    "Sent SIGTERM".to_owned()
                } else {
                    "Application already stopped".to_owned()
                }
            }
            "restart" => {
                self.reset(true);
                if self.child.is_some() {
                    self.begin_stop();
                    "Sent SIGTERM; will restart later".to_owned()
                } else {
                    self.spawn();
                    "Application started".to_owned()
                }
            }
            "kill" => {
                let sig = match args.get(1) {
                    None => signals::sigterm(),
                    Some(a) => match a.parse::<i32>() {
                        Ok(s) => s,
                        Err(_) => return Some(format!("Bad signal {}", pyrepr::py_str(a))),
                    },
                };
                if self.pid == 0 {
                    "Application not running".to_owned()
                } else {
                    match self.signal_child(sig) {
                        Some(e) => format!("Kill {sig} failed: {e}"),
                        None => format!("Signal {sig} sent"),
                    }
                }
            }
            "reopen_transcript" => {
                for result in [self.log.reopen(), self.transcript.reopen()] {
                    if let Err(e) = result {
                        self.log.warning(&e);
                    }
                }
                return None;
            }
            other => format!(
                "Unknown command {}; 'help' for a list",
                pyrepr::py_str(other)
            ),
        };
        Some(reply)
    }

    fn status(&self) -> String {
        let now = Instant::now();
        let wall = wall_now();
        let delay = match self.delay {
            Some(at) => pyrepr::py_float(wall + at.saturating_duration_since(now).as_secs_f64()),
            None => "0".to_owned(),
        };
        let lasttime = self
            .lasttime
            .map_or_else(|| "0".to_owned(), |(_, w)| pyrepr::py_float(w));
        format!(
            "status={}\nnow={}\nshould_be_up={}\ndelay={delay}\nbackoff={}\nlasttime={lasttime}\napplication={}\ntesting={}\nmanager={}\nbackofflimit={}\nfilename={}\nargs={}\n",
            if self.pid == 0 { "stopped" } else { "running" },
            pyrepr::py_float(wall),
            u8::from(self.should_be_up),
            self.backoff,
            self.pid,
            u8::from(self.testing),
            std::process::id(),
            self.opts.backoff_limit,
            pyrepr::py_str(&self.filename.display().to_string()),
            pyrepr::py_list(&self.opts.program),
        )
    }
}
