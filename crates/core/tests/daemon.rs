//! The daemon end to end: our control program (the `zdctl` example) starts,
//! watches, restarts and stops real processes.

mod daemon_util;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use daemon_util::{alive, proc_status_field, uid_of, wait_until, zdctl, Sandbox};

const HI: &str = "sh -c 'echo hi; exec sleep 1000'";

#[test]
fn lifecycle_restart_reopen_and_stop() {
    let sb = Sandbox::new("life");
    sb.write_conf(HI, "  backoff-limit 5\n  stop-timeout 5\n", "");

    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("daemon process started, pid="),
        "{out:?}"
    );
    let first = out.pid();
    let status = sb.ctl(&["status"]);
    assert_eq!(status.code, 0);
    assert_eq!(status.stdout, format!("program running; pid={first}\n"));

    // Detached: own session, standard streams on /dev/null, socket 0600.
    let manager: u32 = sb.status_field("manager").unwrap().parse().unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{manager}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    assert_eq!(
        fields[3],
        manager.to_string(),
        "manager is a session leader"
    );
    for fd in 0..3 {
        let target = std::fs::read_link(format!("/proc/{manager}/fd/{fd}")).unwrap();
        assert_eq!(target, std::path::Path::new("/dev/null"), "fd {fd}");
    }
    let mode = std::fs::metadata(sb.socket()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // The program starts with no signal blocked.
    assert_eq!(proc_status_field(first, "SigBlk"), "0000000000000000");
    wait_until(5, "first output", || sb.read("transcript.log") == "hi\n");

    // A crash is followed by a restart (after a 1 s back-off).
    Command::new("kill")
        .args(["-9", &first.to_string()])
        .status()
        .unwrap();
    let mut second = 0;
    wait_until(10, "a restarted program", || {
        second = sb.program_pid();
        second != 0 && second != first
    });
    assert!(alive(second));
    wait_until(5, "second output", || {
        sb.read("transcript.log") == "hi\nhi\n"
    });

    // Log rotation: rename, reopen, and new output goes to a new file.
    std::fs::rename(sb.transcript(), sb.path("transcript.log.1")).unwrap();
    let out = sb.ctl(&["reopen_transcript"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    wait_until(5, "reopened transcript", || sb.transcript().exists());
    let out = sb.ctl(&["restart"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("daemon process restarted, pid="),
        "{out:?}"
    );
    let third = out.pid();
    assert_ne!(third, second);
    wait_until(5, "output in the new transcript", || {
        sb.read("transcript.log") == "hi\n"
    });
    assert_eq!(sb.read("transcript.log.1"), "hi\nhi\n");

    let out = sb.ctl(&["stop"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.ends_with("daemon process stopped\n"), "{out:?}");
    assert!(!sb.socket().exists(), "socket left behind");
    wait_until(5, "all processes gone", || !alive(third) && !alive(manager));
    let out = sb.ctl(&["status"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, "daemon manager not running\n")
    );
}

#[test]
fn commands_when_nothing_runs() {
    let sb = Sandbox::new("idle");
    sb.write_conf("sleep 100", "", "");
    let out = sb.ctl(&[]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, "daemon manager not running\n")
    );
    let out = sb.ctl(&["stop"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "daemon manager not running\n")
    );
    let out = sb.ctl(&["kill"]);
    assert_eq!(out.stdout, "daemon process not running\n");
    let out = sb.ctl(&["reopen_transcript"]);
    assert_eq!(out.stdout, "daemon manager not running\n");
    let out = sb.ctl(&["status", "-x"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (1, "status argument must be absent or -l\n")
    );
    let out = sb.ctl(&["wait"]);
    assert_eq!(
        out.stdout,
        "\ndaemon process stopped\ndaemon manager not running\n"
    );
}

#[test]
fn already_running_kill_and_logreopen() {
    let sb = Sandbox::new("kill");
    sb.write_conf("sleep 1000", "  stop-timeout 5\n", "");
    let pid = sb.ctl(&["start"]).pid();
    let out = sb.ctl(&["start"]);
    assert_eq!(
        (out.code, out.stdout.clone()),
        (0, format!("daemon process already running; pid={pid}\n"))
    );
    let out = sb.ctl(&["kill", "ded"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (1, "invalid signal 'ded'\n")
    );
    let out = sb.ctl(&["kill", "CONT"]);
    assert_eq!(
        out.stdout,
        format!("kill({pid}, 18)\nsignal SIGCONT sent to process {pid}\n")
    );
    // logreopen = reopen_transcript + SIGUSR2, which ends `sleep`.
    let out = sb.ctl(&["logreopen"]);
    assert_eq!(
        out.stdout,
        format!("kill({pid}, 12)\nsignal SIGUSR2 sent to process {pid}\n")
    );
    wait_until(5, "sleep to die of SIGUSR2", || !alive(pid));
    let out = sb.ctl(&["stop"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!sb.socket().exists());
}

#[test]
fn stale_socket_of_a_killed_manager_is_recovered() {
    let sb = Sandbox::new("stale");
    sb.write_conf("sleep 1000", "  stop-timeout 5\n", "");
    let program = sb.ctl(&["start"]).pid();
    let manager: u32 = sb.status_field("manager").unwrap().parse().unwrap();
    Command::new("kill")
        .args(["-9", &manager.to_string()])
        .status()
        .unwrap();
    wait_until(5, "the manager to die", || !alive(manager));
    Command::new("kill")
        .args(["-9", &program.to_string()])
        .status()
        .unwrap();
    assert!(sb.socket().exists(), "a crashed manager leaves its socket");
    let out = sb.ctl(&["status"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, "daemon manager not running\n")
    );

    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("Unlinking stale socket"), "{out:?}");
    assert_eq!(sb.ctl(&["status"]).code, 0);
    assert_eq!(sb.ctl(&["stop"]).code, 0);
    assert!(!sb.socket().exists());

    // A socket file nobody listens on, from anywhere.
    drop(UnixListener::bind(sb.socket()).unwrap());
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(sb.ctl(&["stop"]).code, 0);
    assert!(!sb.socket().exists());
}

#[test]
fn exit_codes_end_supervision() {
    let sb = Sandbox::new("codes");
    let script = sb.path("prog.sh");
    std::fs::write(
        &script,
        "if [ -e ran ]; then echo second; exit 3; fi\ntouch ran; echo first; sleep 0.3; exit 4\n",
    )
    .unwrap();
    let directory = format!("  directory {}\n  exit-codes 0,3\n", sb.dir.display());
    sb.write_conf(&format!("sh {}", script.display()), &directory, "");
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    // Exit 4 is restarted (after 1 s), exit 3 ends it all.
    wait_until(10, "the manager to give up", || !sb.socket().exists());
    assert_eq!(sb.read("transcript.log"), "first\nsecond\n");
    assert_eq!(sb.ctl(&["status"]).code, 3);
}

#[test]
fn crashing_program_is_given_up_after_the_backoff_limit() {
    let sb = Sandbox::new("backoff");
    sb.write_conf("sh -c 'echo crash; exit 1'", "  backoff-limit 2\n", "");
    let began = Instant::now();
    let out = sb.ctl(&["start"]);
    assert!(
        out.stdout.contains("daemon manager not running") || out.code == 0,
        "{out:?}"
    );
    wait_until(10, "the manager to give up", || !sb.socket().exists());
    assert!(began.elapsed() >= Duration::from_secs(1));
    wait_until(5, "the give-up message", || {
        sb.read("transcript.log") == "crash\ncrash\nrestarting too frequently; quit\n"
    });
}

#[test]
fn stop_timeout_escalates_to_sigkill() {
    let sb = Sandbox::new("stubborn");
    sb.write_conf(
        "sh -c 'trap \"\" TERM; echo ready; while :; do sleep 0.1; done'",
        "  stop-timeout 1\n",
        "",
    );
    let pid = sb.ctl(&["start"]).pid();
    wait_until(5, "the trap to be set", || {
        sb.read("transcript.log") == "ready\n"
    });
    let began = Instant::now();
    let out = sb.ctl(&["stop"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.ends_with("daemon process stopped\n"), "{out:?}");
    assert!(
        began.elapsed() >= Duration::from_millis(900),
        "stopped too early"
    );
    assert!(!alive(pid));
    assert!(!sb.socket().exists());
}

#[test]
fn start_test_program_and_start_timeout() {
    let sb = Sandbox::new("starttest");
    let extra = format!(
        "  directory {}\n  start-test-program test -e ready\n  start-timeout 30\n",
        sb.dir.display()
    );
    sb.write_conf("sh -c 'sleep 1; touch ready; exec sleep 1000'", &extra, "");
    let began = Instant::now();
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("daemon process started, pid="),
        "{out:?}"
    );
    assert!(
        began.elapsed() >= Duration::from_millis(900),
        "did not wait for the test"
    );
    assert_eq!(sb.status_field("testing").as_deref(), Some("0"));
    assert_eq!(sb.ctl(&["stop"]).code, 0);

    let sb = Sandbox::new("starttimeout");
    let extra = format!(
        "  directory {}\n  start-test-program test -e never\n  start-timeout 1\n",
        sb.dir.display()
    );
    sb.write_conf("sleep 1000", &extra, "");
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.ends_with("\nProgram took too long to start\n"),
        "{out:?}"
    );
    assert_eq!(sb.status_field("testing").as_deref(), Some("1"));
    assert_eq!(sb.ctl(&["stop"]).code, 0);
}

#[test]
fn hang_around_keeps_the_manager() {
    let sb = Sandbox::new("hang");
    sb.write_conf("sleep 1000", "  hang-around on\n  stop-timeout 5\n", "");
    assert_eq!(sb.ctl(&["start"]).code, 0);
    let manager: u32 = sb.status_field("manager").unwrap().parse().unwrap();
    assert_eq!(sb.ctl(&["stop"]).stdout, "\ndaemon process stopped\n");
    let out = sb.ctl(&["status"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "daemon manager running; daemon process not running\n")
    );
    assert_eq!(sb.ctl(&["stop"]).stdout, "daemon process not running\n");
    let out = sb.ctl(&["start"]);
    assert!(
        out.stdout.contains("daemon process started, pid="),
        "{out:?}"
    );
    let pid = out.pid();
    // SIGTERM to the manager stops the program and ends the manager.
    Command::new("kill")
        .arg(manager.to_string())
        .status()
        .unwrap();
    wait_until(10, "manager and program to end", || {
        !alive(manager) && !alive(pid)
    });
    assert!(!sb.socket().exists());
}

#[test]
fn fg_runs_the_program_in_the_foreground() {
    let sb = Sandbox::new("fg");
    sb.write_conf(
        "sh -c 'echo \"$$ZEORAID_TEST_VAR\"; exit 5'",
        "",
        "<environment>\n  ZEORAID_TEST_VAR from-environment\n</environment>\n",
    );
    let out = sb.ctl(&["fg"]);
    assert_eq!(out.code, 5, "{out:?}");
    assert_eq!(
        out.stdout,
        "sh -c echo \"$ZEORAID_TEST_VAR\"; exit 5\nfrom-environment\n"
    );
    let out = sb.ctl(&["foreground"]);
    assert_eq!(out.code, 5);
    assert!(!sb.socket().exists());
}

#[test]
fn supervise_runs_the_manager_in_the_foreground() {
    let sb = Sandbox::new("supervise");
    sb.write_conf(
        "sh -c 'echo from-program; exec sleep 1000'",
        "  stop-timeout 5\n",
        "",
    );
    let mut child = Command::new(zdctl())
        .args(["-C", sb.conf.to_str().unwrap(), "supervise"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pid = 0;
    wait_until(10, "the supervised program", || {
        pid = sb.program_pid();
        pid != 0
    });
    assert_eq!(sb.status_field("manager"), Some(child.id().to_string()));
    wait_until(5, "the transcript", || {
        sb.read("transcript.log") == "from-program\n"
    });
    Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "supervise did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stdout, "from-program\n");
    assert!(
        stderr.contains("INFO zdrun spawned process pid="),
        "{stderr}"
    );
    assert!(
        stderr.contains("daemon manager killed by SIGTERM"),
        "{stderr}"
    );
    assert!(!alive(pid));
    assert!(!sb.socket().exists());
}

#[test]
fn eventlog_gets_the_managers_messages() {
    let sb = Sandbox::new("eventlog");
    let trailer = format!(
        "<eventlog>\n  <logfile>\n    path {}\n  </logfile>\n</eventlog>\n",
        sb.path("event.log").display()
    );
    sb.write_conf("sleep 1000", "  stop-timeout 5\n", &trailer);
    let pid = sb.ctl(&["start"]).pid();
    std::fs::rename(sb.path("event.log"), sb.path("event.log.1")).unwrap();
    sb.ctl(&["reopen_transcript"]);
    assert_eq!(sb.ctl(&["stop"]).code, 0);
    let old = sb.read("event.log.1");
    assert!(
        old.contains(&format!("INFO zdrun spawned process pid={pid}\n")),
        "{old}"
    );
    assert!(old.starts_with("------\n"), "{old}");
    let new = sb.read("event.log");
    assert!(
        new.contains(&format!("pid {pid}: terminated by SIGTERM")),
        "{new}"
    );
    assert_eq!(sb.read("transcript.log"), "");
}

#[test]
fn logtail_show_and_help() {
    let sb = Sandbox::new("misc");
    sb.write_conf("sleep 1000", "", "");
    let lines: String = (1..=12).map(|i| format!("line {i}\n")).collect();
    std::fs::write(sb.transcript(), &lines).unwrap();
    let out = sb.ctl_env(&["logtail"], &[("ZEORAID_LOGTAIL_ROUNDS", "0")]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        lines
            .lines()
            .skip(2)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    let out = sb.ctl_env(
        &["logtail", "/nonexistent/log"],
        &[("ZEORAID_LOGTAIL_ROUNDS", "0")],
    );
    assert_eq!(out.code, 1);
    let out = sb.ctl(&["show"]);
    assert!(
        out.stdout.contains("program:      ['sleep', '1000']\n"),
        "{out:?}"
    );
    let out = sb.ctl(&["help"]);
    assert!(out.stdout.contains("reopen_transcript"), "{out:?}");
    let out = sb.ctl(&["help", "supervise"]);
    assert!(out.stdout.contains("systemd"), "{out:?}");
    let out = sb.ctl(&["-h"]);
    assert!(out.stdout.starts_with("Usage: zdctl [-C FILE]"), "{out:?}");
}

#[test]
fn bad_input_is_refused_clearly() {
    let sb = Sandbox::new("bad");
    let missing = sb.path("missing.conf");
    let out = daemon_util::run_program(zdctl(), &["-C", missing.to_str().unwrap(), "status"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("Error: can't read configuration file '"),
        "{out:?}"
    );
    assert!(out.stderr.contains("For help, use zdctl -h"), "{out:?}");

    std::fs::write(&sb.conf, "<runner>\n  program sleep 1\n</runer>\n").unwrap();
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("(line 3)"), "{out:?}");

    std::fs::write(&sb.conf, "<runner>\n  daemon on\n</runner>\n").unwrap();
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no program specified"), "{out:?}");

    sb.write_conf("no-such-program-zeoraid", "", "");
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("can't find program 'no-such-program-zeoraid' on PATH"),
        "{out:?}"
    );
    assert!(
        out.stdout.ends_with("daemon manager not running\n"),
        "{out:?}"
    );
    assert!(!sb.socket().exists());

    sb.write_conf("sleep 9", "", "");
    std::fs::create_dir(sb.transcript()).unwrap();
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("can't open transcript"), "{out:?}");
    assert!(!sb.socket().exists());

    std::fs::write(
        &sb.conf,
        "<runner>\n  program sleep 9\n  transcript /nonexistent/dir/t.log\n</runner>\n",
    )
    .unwrap();
    let out = sb.ctl(&["status"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("directory /nonexistent/dir does not exist"),
        "{out:?}"
    );

    sb.write_conf("sleep 9", "  user no-such-user-zeoraid\n", "");
    let out = sb.ctl(&["status"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("username 'no-such-user-zeoraid' not found"),
        "{out:?}"
    );

    sb.write_conf("sleep 9", "", "");
    let out = sb.ctl(&["frobnicate"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown command 'frobnicate'"),
        "{out:?}"
    );
    let out = sb.ctl(&["-Q"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("option -Q not recognized"), "{out:?}");
}

/// An unprivileged system user for the tests, created if needed; safe when
/// several test runs do it at once.
fn test_user() -> u32 {
    const NAME: &str = "zeoraidtest";
    for _ in 0..50 {
        if let Some(uid) = lookup_uid(NAME) {
            return uid;
        }
        let _ = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                NAME,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("could not create the test user {NAME} with useradd");
}

fn lookup_uid(name: &str) -> Option<u32> {
    let out = Command::new("id").args(["-u", name]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().parse().ok())?
}

#[test]
fn runs_as_the_configured_user() {
    let sb = Sandbox::new("user");
    let euid = uid_of(std::process::id());
    if euid != 0 {
        sb.write_conf("sleep 9", "  user root\n", "");
        let out = sb.ctl(&["start"]);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(
            out.stderr
                .contains("only root can use -u USER to change users"),
            "{out:?}"
        );
        return;
    }
    let uid = test_user();
    std::os::unix::fs::chown(&sb.dir, Some(uid), None).unwrap();
    let run_dir = sb.path("run");
    sb.write_conf(
        "sh -c 'id -u; exec sleep 1000'",
        &format!(
            "  user zeoraidtest\n  directory {}\n  stop-timeout 5\n",
            run_dir.display()
        ),
        "",
    );
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    let pid = out.pid();
    assert_eq!(uid_of(pid), uid);
    let manager: u32 = sb.status_field("manager").unwrap().parse().unwrap();
    assert_eq!(uid_of(manager), uid);
    wait_until(5, "the program's uid in the transcript", || {
        sb.read("transcript.log") == format!("{uid}\n")
    });
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(&run_dir).unwrap().uid(),
        uid,
        "run directory handed over"
    );
    assert_eq!(std::fs::metadata(sb.socket()).unwrap().uid(), uid);
    assert_eq!(sb.ctl(&["stop"]).code, 0);
    assert!(!alive(pid));
}
