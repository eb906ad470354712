//! Interoperability with Python's zdaemon 5.2.1 (from PyPI, in a venv under
//! the target directory): each side controls the other's daemon through the
//! same zdaemon.conf and control socket.

mod daemon_util;

use daemon_util::{alive, python_zdaemon, wait_until, Sandbox};

#[test]
fn python_zdaemon_controls_our_daemon() {
    python_zdaemon();
    let sb = Sandbox::new("py-ours");
    sb.write_conf("sleep 1000", "  stop-timeout 5\n", "");
    let out = sb.ctl(&["start"]);
    assert_eq!(out.code, 0, "{out:?}");
    let pid = out.pid();
    let manager: u32 = sb.status_field("manager").unwrap().parse().unwrap();

    let py = sb.py(&["status"]);
    assert_eq!(
        (py.code, py.stdout.clone()),
        (0, format!("program running; pid={pid}\n")),
        "{py:?}"
    );
    let py = sb.py(&["status", "-l"]);
    assert_eq!(py.code, 0, "{py:?}");
    assert!(!py.stdout.contains("WARNING"), "{py:?}");
    assert!(
        py.stdout.contains(&format!("\napplication={pid}\n")),
        "{py:?}"
    );
    assert!(py.stdout.contains("\nargs=['sleep', '1000']\n"), "{py:?}");

    std::fs::rename(sb.transcript(), sb.path("transcript.log.1")).unwrap();
    let py = sb.py(&["reopen_transcript"]);
    assert_eq!(py.code, 0, "{py:?}");
    assert!(
        sb.transcript().exists(),
        "reopen_transcript made a new file"
    );

    let py = sb.py(&["restart"]);
    assert_eq!(py.code, 0, "{py:?}");
    assert!(
        py.stdout.contains("daemon process restarted, pid="),
        "{py:?}"
    );
    let restarted = py.pid();
    assert_ne!(restarted, pid);

    let py = sb.py(&["stop"]);
    assert_eq!(py.code, 0, "{py:?}");
    assert!(py.stdout.ends_with("daemon process stopped\n"), "{py:?}");
    wait_until(5, "our manager to exit", || {
        !alive(manager) && !sb.socket().exists()
    });
    assert!(!alive(restarted));
    let out = sb.ctl(&["status"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (3, "daemon manager not running\n")
    );
}

#[test]
fn python_zdaemon_reads_our_status_literals() {
    python_zdaemon();
    let sb = Sandbox::new("py-repr");
    // Our program line is split like a shell; zdaemon splits on blanks, so
    // it warns and prints both lists: proof that it eval'd our `args=`.
    sb.write_conf(
        r#"sh -c "exec sleep 1000 # it's a \\ test""#,
        "  stop-timeout 5\n",
        "",
    );
    assert_eq!(sb.ctl(&["start"]).code, 0);
    let py = sb.py(&["status"]);
    assert_eq!(py.code, 0, "{py:?}");
    assert!(
        py.stdout
            .contains(r#"daemon's args = ['sh', '-c', "exec sleep 1000 # it's a \\ test"]"#),
        "{py:?}"
    );
    assert_eq!(sb.ctl(&["stop"]).code, 0);
}

#[test]
fn our_control_program_controls_a_python_daemon() {
    python_zdaemon();
    let sb = Sandbox::new("ours-py");
    sb.write_conf("sleep 1000", "  stop-timeout 5\n", "");
    let py = sb.py(&["start"]);
    assert_eq!(py.code, 0, "{py:?}");
    assert!(py.stdout.contains("daemon process started, pid="), "{py:?}");
    let pid = py.pid();
    let out = sb.ctl(&["status"]);
    assert_eq!(
        (out.code, out.stdout.clone()),
        (0, format!("program running; pid={pid}\n"))
    );
    let manager: u32 = sb.status_field("manager").unwrap().parse().unwrap();
    assert_ne!(manager, pid);

    std::fs::rename(sb.transcript(), sb.path("transcript.log.1")).unwrap();
    assert_eq!(sb.ctl(&["reopen_transcript"]).code, 0);
    wait_until(5, "Python's zdrun to reopen the transcript", || {
        sb.transcript().exists()
    });

    let out = sb.ctl(&["kill", "CONT"]);
    assert_eq!(
        out.stdout,
        format!("kill({pid}, 18)\nsignal SIGCONT sent to process {pid}\n")
    );

    let out = sb.ctl(&["restart"]);
    assert_eq!(out.code, 0, "{out:?}");
    let restarted = out.pid();
    assert_ne!(restarted, pid);

    let out = sb.ctl(&["stop"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.ends_with("daemon process stopped\n"), "{out:?}");
    wait_until(5, "zdrun to exit", || {
        !alive(manager) && !sb.socket().exists()
    });
    assert!(!alive(restarted));
    let py = sb.py(&["status"]);
    assert_eq!(
        (py.code, py.stdout.as_str()),
        (3, "daemon manager not running\n"),
        "{py:?}"
    );
}
