//! The control program's commands (zdaemon's `zdctl`), with zdaemon's
//! messages and exit statuses.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::control::{self, Status};
use super::options::Options;
use super::posix::{self, Signals};
use super::supervisor::{self, Mode};
use super::{complain, program, say, signals, tail, SUPERVISE_FLAG};
use crate::pyrepr;

/// The commands, with a line of help each.
pub const COMMANDS: &[(&str, &str)] = &[
    ("start", "start [args] -- Start the daemon process (extra args go to the program).\n                If it is already running, do nothing."),
    ("stop", "stop -- Stop the daemon process.\n        If it is not running, do nothing."),
    ("restart", "restart -- Stop and then start the daemon process."),
    ("status", "status [-l] -- Print status for the daemon process.\n               With -l, show raw status output as well."),
    ("foreground", "foreground [args] -- Run the program in the foreground, unsupervised.\nfg [args] -- an alias for foreground."),
    ("fg", "fg [args] -- an alias for foreground."),
    ("supervise", "supervise [args] -- Run the daemon manager in the foreground: it starts,\n                     restarts and stops the program and serves the control\n                     socket like `start` does, without detaching; its log\n                     goes to stderr and the program's output also to stdout.\n                     Use it as a systemd ExecStart."),
    ("kill", "kill [sig] -- Send signal sig to the daemon process.\n              The default signal is SIGTERM."),
    ("reopen_transcript", "reopen_transcript -- Reopen the transcript log file.\n                     Use after log rotation."),
    ("logreopen", "logreopen -- Reopen the transcript and send SIGUSR2 to the daemon\n             process, so it reopens its own log files."),
    ("logtail", "logtail [logfile] -- Run tail -f on the given logfile (default: the\n                     logfile option, else the transcript). Hit ^C to exit."),
    ("show", "show [options|all] -- Show the effective options."),
    ("wait", "wait -- Wait for the daemon process to exit."),
    ("help", "help -- Print a list of available actions.\nhelp <action> -- Print help for <action>."),
];

/// Whether `name` is a command.
pub fn is_command(name: &str) -> bool {
    COMMANDS.iter().any(|(n, _)| *n == name)
}

/// Whether the command's extra arguments are program arguments.
pub fn takes_program_args(name: &str) -> bool {
    matches!(
        name,
        "start" | "restart" | "fg" | "foreground" | "supervise"
    )
}

/// `help [command]`.
pub fn help(args: &[String]) -> i32 {
    match args.first() {
        None => {
            say!("Documented commands (type help <topic>):");
            say!("========================================");
            let names: Vec<&str> = COMMANDS.iter().map(|(n, _)| *n).collect();
            say!("{}", names.join("  "));
            0
        }
        Some(topic) => match COMMANDS.iter().find(|(n, _)| n == topic) {
            Some((_, text)) => {
                say!("{text}");
                0
            }
            None => {
                say!("*** No help on {topic}");
                1
            }
        },
    }
}

/// A daemon manager this command started, and the thread relaying its
/// start-up errors.
struct Spawned {
    child: Child,
    relay: Option<JoinHandle<()>>,
}

impl Spawned {
    fn has_exited(&mut self) -> bool {
        let exited = matches!(self.child.try_wait(), Ok(Some(_)) | Err(_));
        if exited {
            if let Some(relay) = self.relay.take() {
                let _ = relay.join();
            }
        }
        exited
    }
}

/// Runs commands against one daemon.
pub struct Ctl {
    opts: Options,
    overrides: Vec<String>,
    extra: Vec<String>,
    poll: Duration,
}

/// What `awhile` waits for.
struct Goal<'a> {
    done: &'a dyn Fn(Option<&Status>) -> bool,
    message: &'a dyn Fn(Option<&Status>) -> String,
    start_timeout: bool,
    limit: Option<Duration>,
}

impl Ctl {
    /// A controller for the daemon `opts` describes; `overrides` are the
    /// command line options to hand to a manager it starts, `extra` the
    /// program arguments given after the command.
    pub fn new(opts: Options, overrides: Vec<String>, extra: Vec<String>) -> Ctl {
        Ctl {
            opts,
            overrides,
            extra,
            poll: Duration::from_millis(100),
        }
    }

    fn status(&self) -> Option<Status> {
        control::status(&self.opts.socket_name)
    }

    /// Runs `command` with its arguments and returns the exit status.
    pub fn run(&self, command: &str, args: &[String]) -> i32 {
        match command {
            "start" => self.start(),
            "stop" => self.stop(),
            "restart" => self.restart(),
            "status" => self.print_status(args),
            "fg" | "foreground" => self.foreground(),
            "supervise" => supervisor::run(&self.opts, Mode::Foreground),
            "kill" => self.kill(args.first().map_or("SIGTERM", String::as_str)),
            "reopen_transcript" => self.reopen_transcript(),
            "logreopen" => {
                self.reopen_transcript();
                self.kill("USR2")
            }
            "logtail" => self.logtail(args),
            "show" => self.show(args),
            "wait" => self.wait(),
            _ => help(args),
        }
    }

    /// zdaemon's `awhile`: poll the manager until the goal is reached,
    /// printing a dot per second; fails when the manager goes away (or never
    /// comes up within ten seconds), or on the start timeout.
    fn awhile(&self, goal: &Goal<'_>, mut spawned: Option<&mut Spawned>) -> i32 {
        let begun = Instant::now();
        let mut dots = 0;
        let mut status = self.status();
        let mut was_running = status.is_some();
        let mut out = std::io::stdout();
        loop {
            let elapsed = begun.elapsed();
            if goal.start_timeout && elapsed.as_secs() > self.opts.start_timeout {
                say!("\nProgram took too long to start");
                return 1;
            }
            if (goal.done)(status.as_ref()) {
                say!("\n{}", (goal.message)(status.as_ref()));
                return 0;
            }
            if goal.limit.is_some_and(|l| elapsed > l) {
                say!("\ngave up waiting after {} seconds", elapsed.as_secs());
                return 1;
            }
            if status.is_none() {
                let manager_died = spawned.as_mut().is_some_and(|s| s.has_exited());
                if was_running || manager_died || elapsed > Duration::from_secs(10) {
                    say!("\ndaemon manager not running");
                    return 1;
                }
            }
            std::thread::sleep(self.poll);
            if begun.elapsed().as_secs() > dots {
                dots += 1;
                let _ = write!(out, ". ");
                let _ = out.flush();
            }
            status = self.status();
            was_running |= status.is_some();
        }
    }

    fn spawn_manager(&self) -> Result<Spawned, String> {
        let exe = std::env::current_exe()
            .map_err(|e| format!("can't find this program's executable: {e}"))?;
        let mut command = Command::new(exe);
        command.arg(SUPERVISE_FLAG);
        if let Some(config) = &self.opts.config_file {
            command.arg("-C").arg(config);
        }
        command
            .args(&self.overrides)
            .arg("--")
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        posix::start_new_session(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| format!("can't start the daemon manager: {e}"))?;
        let relay = child.stderr.take().map(|stderr| {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    complain!("{line}");
                }
            })
        });
        Ok(Spawned { child, relay })
    }

    fn start_goal(&self) -> impl Fn(Option<&Status>) -> bool {
        |s| s.is_some_and(|s| s.pid != 0 && !s.testing)
    }

    fn start(&self) -> i32 {
        let status = self.status();
        let mut spawned = None;
        match &status {
            None if !self.opts.daemon => return supervisor::run(&self.opts, Mode::Foreground),
            None => match self.spawn_manager() {
                Ok(s) => spawned = Some(s),
                Err(e) => {
                    complain!("Error: {e}");
                    return 1;
                }
            },
            Some(s) if s.pid == 0 => {
                control::send(&self.opts.socket_name, "start");
            }
            Some(s) => {
                say!("daemon process already running; pid={}", s.pid);
                return 0;
            }
        }
        let done = self.start_goal();
        let message =
            |s: Option<&Status>| format!("daemon process started, pid={}", s.map_or(0, |s| s.pid));
        let goal = Goal {
            done: &done,
            message: &message,
            start_timeout: true,
            limit: None,
        };
        self.awhile(&goal, spawned.as_mut())
    }

    fn stop_limit(&self) -> Option<Duration> {
        (self.opts.stop_timeout > 0).then(|| Duration::from_secs(self.opts.stop_timeout + 30))
    }

    /// Polls until the program is stopped (or the manager gone) and says
    /// so; 1 when it gives up after `limit`.
    fn await_stopped(&self, limit: Option<Duration>) -> i32 {
        let done = |s: Option<&Status>| s.is_none_or(|s| s.pid == 0);
        let message = |_: Option<&Status>| "daemon process stopped".to_owned();
        let goal = Goal {
            done: &done,
            message: &message,
            start_timeout: false,
            limit,
        };
        self.awhile(&goal, None)
    }

    /// After the program stopped, give the manager a moment to remove its
    /// socket and exit (it does so right after the program is gone).
    fn await_manager_exit(&self) {
        if self.opts.hang_around {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.opts.socket_name.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&self) -> i32 {
        match self.status() {
            None => {
                say!("daemon manager not running");
                0
            }
            Some(s) if s.pid == 0 && !s.should_be_up => {
                say!("daemon process not running");
                0
            }
            Some(_) => {
                control::send(&self.opts.socket_name, "stop");
                let code = self.await_stopped(self.stop_limit());
                if code == 0 {
                    self.await_manager_exit();
                }
                code
            }
        }
    }

    fn restart(&self) -> i32 {
        let old = self.status().map_or(0, |s| s.pid);
        if old == 0 {
            return self.start();
        }
        control::send(&self.opts.socket_name, "restart");
        let started = self.start_goal();
        let done = move |s: Option<&Status>| s.is_some_and(|st| st.pid != old) && started(s);
        let message = |s: Option<&Status>| {
            format!("daemon process restarted, pid={}", s.map_or(0, |s| s.pid))
        };
        let goal = Goal {
            done: &done,
            message: &message,
            start_timeout: true,
            limit: None,
        };
        self.awhile(&goal, None)
    }

    fn print_status(&self, args: &[String]) -> i32 {
        let long = match args {
            [] => false,
            [flag] if flag == "-l" => true,
            _ => {
                say!("status argument must be absent or -l");
                return 1;
            }
        };
        let status = self.status();
        let code = match &status {
            None => {
                say!("daemon manager not running");
                3
            }
            Some(s) if s.pid == 0 => {
                say!("daemon manager running; daemon process not running");
                0
            }
            Some(s) => {
                say!("program running; pid={}", s.pid);
                0
            }
        };
        if let Some(s) = status.filter(|_| long) {
            say!("{}", s.raw);
        }
        code
    }

    fn foreground(&self) -> i32 {
        if self.status().is_some_and(|s| s.pid != 0) {
            say!("To run the program in the foreground, please stop it first.");
            return 1;
        }
        let argv = &self.opts.program;
        let Some((first, rest)) = argv.split_first() else {
            complain!("Error: no program specified");
            return 2;
        };
        say!("{}", argv.join(" "));
        let _ = std::io::stdout().flush();
        let path = program::search_path(&self.opts.environment);
        let file = match program::resolve(first, path.as_deref()) {
            Ok(f) => f,
            Err(e) => {
                complain!("Error: {e}");
                return 127;
            }
        };
        let mut command = Command::new(file);
        std::os::unix::process::CommandExt::arg0(&mut command, first);
        command
            .args(rest)
            .envs(self.opts.environment.iter().map(|(k, v)| (k, v)));
        let mut child = match command.spawn() {
            Ok(c) => c,
            Err(e) => {
                complain!("Error: can't run {first}: {e}");
                return 127;
            }
        };
        // ^C is for the program; we report how it ended.
        let _ignored = Signals::block(&[signals::sigint()]);
        match child.wait() {
            Ok(status) => program::exit_code(status),
            Err(e) => {
                complain!("Error: {e}");
                1
            }
        }
    }

    fn kill(&self, arg: &str) -> i32 {
        let (name, number) = match signals::parse(arg) {
            Ok(s) => s,
            Err(_) => {
                say!("invalid signal {}", pyrepr::py_str(arg));
                return 1;
            }
        };
        let pid = self.status().map_or(0, |s| s.pid);
        if pid == 0 {
            say!("daemon process not running");
            return 0;
        }
        say!("kill({pid}, {number})");
        match posix::send_signal(pid, number) {
            Ok(()) => {
                say!("signal {name} sent to process {pid}");
                0
            }
            Err(e) => {
                say!("Error: {e}");
                1
            }
        }
    }

    fn reopen_transcript(&self) -> i32 {
        if self.status().is_none() {
            say!("daemon manager not running");
        } else {
            control::send(&self.opts.socket_name, "reopen_transcript");
        }
        0
    }

    fn logtail(&self, args: &[String]) -> i32 {
        let file = args
            .first()
            .map(PathBuf::from)
            .or_else(|| self.opts.logfile.clone())
            .or_else(|| self.opts.transcript.clone());
        let Some(file) = file else {
            say!("No default log file specified; use logtail <logfile>");
            return 1;
        };
        let rounds = std::env::var("ZEORAID_LOGTAIL_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok());
        let mut out = std::io::stdout();
        match tail::follow(&file, &mut out, rounds, Duration::from_secs(1)) {
            Ok(()) => 0,
            Err(e) => {
                say!("{}: {e}", file.display());
                1
            }
        }
    }

    fn show(&self, args: &[String]) -> i32 {
        match args.first().map(String::as_str) {
            None | Some("options") | Some("all") => {}
            Some(other) => {
                say!(
                    "no such topic {}; try: show options, show all",
                    pyrepr::py_str(other)
                );
                return 1;
            }
        }
        let o = &self.opts;
        let path = |p: &Option<PathBuf>| {
            p.as_ref().map_or_else(
                || "None".to_owned(),
                |p| pyrepr::py_str(&p.display().to_string()),
            )
        };
        let flag = |b: bool| if b { "True" } else { "False" };
        say!("zdctl/zdrun options:");
        say!("configfile:   {}", path(&o.config_file));
        say!("program:      {}", pyrepr::py_list(&o.program));
        say!("backofflimit: {}", o.backoff_limit);
        say!("daemon:       {}", flag(o.daemon));
        say!("forever:      {}", flag(o.forever));
        say!(
            "sockname:     {}",
            pyrepr::py_str(&o.socket_name.display().to_string())
        );
        say!("exitcodes:    {:?}", o.exit_codes);
        say!(
            "user:         {}",
            o.user
                .as_deref()
                .map_or_else(|| "None".to_owned(), pyrepr::py_str)
        );
        say!("umask:        0o{:o}", o.umask);
        say!("directory:    {}", path(&o.directory));
        say!("logfile:      {}", path(&o.logfile));
        say!("transcript:   {}", path(&o.transcript));
        say!("starttimeout: {}", o.start_timeout);
        say!("stoptimeout:  {}", o.stop_timeout);
        say!("hangaround:   {}", flag(o.hang_around));
        say!("starttest:    {}", pyrepr::py_list(&o.start_test_program));
        0
    }

    fn wait(&self) -> i32 {
        self.await_stopped(None);
        self.print_status(&[]);
        0
    }
}
