//! `zeoraid manage` end to end, against real ZEO 6 servers serving the RAID
//! test peer, over pickle (`Z5`) and msgpack (`M5`).

mod support;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::raid::RaidWorld;

fn manage(port: u16, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zeoraid"))
        .arg("manage")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("run zeoraid manage")
}

/// Runs a command and returns (stdout, exit code).
fn run(port: u16, args: &[&str]) -> (String, i32) {
    let out = manage(port, args);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().expect("exit code"),
    )
}

fn wait_for_status(port: u16, want: &str) -> (String, i32) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = run(port, &["status"]);
        if got.0.trim() == want || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn every_command_over(msgpack: bool) {
    let world = RaidWorld::filestorages(msgpack);
    let port = world.port();

    assert_eq!(run(port, &["status"]), ("optimal\n".into(), 0));
    assert_eq!(
        run(port, &["details"]),
        (
            format!(
                " 127.0.0.1:{port:<15}| Status\n \
                 -------------------------+-------------------\n \
                 RAID 1                   | optimal                  \n \
                 -------------------------+-------------------\n \
                 1                        | optimal\n \
                 2                        | optimal\n"
            ),
            0
        )
    );

    assert_eq!(run(port, &["disable", "2"]), ("disabled '2'\n".into(), 0));
    assert_eq!(run(port, &["status"]), ("degraded\n".into(), 2));
    let (details, code) = run(port, &["details"]);
    assert_eq!(code, 2);
    assert!(
        details.contains(" RAID 1                   | degraded                 \n"),
        "{details}"
    );
    assert!(
        details.ends_with(" 2                        | failed: disabled by controller\n"),
        "{details}"
    );

    world.commit_object("while-degraded", "kept");
    assert!(!world.child_has(2, "while-degraded"));
    assert_eq!(run(port, &["recover", "2"]), ("recovering '2'\n".into(), 0));
    assert_eq!(wait_for_status(port, "optimal"), ("optimal\n".into(), 0));
    assert_eq!(
        world.child_value(2, "while-degraded").as_deref(),
        Some("kept")
    );

    let (json, code) = run(port, &["--json", "details"]);
    assert_eq!(code, 0);
    assert_eq!(
        json,
        format!(
            "{{\"address\":\"127.0.0.1:{port}\",\"storage\":\"1\",\"status\":\"optimal\",\
             \"storages\":{{\"1\":\"optimal\",\"2\":\"optimal\"}},\"exit_code\":0}}\n"
        )
    );

    let (text, code) = run(port, &["disable", "9"]);
    assert_eq!(code, 2);
    assert!(
        text.starts_with(&format!(
            "Error from ZEO server at 127.0.0.1:{port}: builtins.ValueError: "
        )),
        "{text}"
    );
    assert!(text.contains("has no storage '9'"), "{text}");
    assert_eq!(text.lines().count(), 1);

    let (text, code) = run(port, &["-S", "nosuch", "status"]);
    assert_eq!(code, 2);
    assert_eq!(
        text,
        format!("Error from ZEO server at 127.0.0.1:{port}: builtins.ValueError: unknown storage: nosuch\n")
    );

    let (ruok, code) = run(port, &["ruok"]);
    assert_eq!(code, 0);
    assert!(ruok.starts_with('{') && ruok.contains("\"1\""), "{ruok}");
}

#[test]
fn every_command_over_pickle() {
    every_command_over(false);
}

#[test]
fn every_command_over_msgpack() {
    every_command_over(true);
}

#[test]
fn backends_dying_and_reload() {
    let mut world = RaidWorld::backends(2, false);
    let port = world.port();
    assert_eq!(run(port, &["status"]), ("optimal\n".into(), 0));

    world.backend_mut(2).kill();
    let (status, code) = wait_for_status(port, "degraded");
    assert_eq!((status.as_str(), code), ("degraded\n", 2));
    let (details, _) = run(port, &["details"]);
    assert!(
        details.contains(" 2                        | failed: "),
        "{details}"
    );

    // Drop the dead backend, add a fresh one: reload shows it as failed.
    let added = world.add_backend();
    world.write_raid_conf(&[1, added]);
    assert_eq!(run(port, &["reload"]), (String::new(), 0));
    let (details, code) = run(port, &["details"]);
    assert_eq!(code, 2, "{details}");
    assert!(
        !details.contains(" 2                        |"),
        "{details}"
    );
    assert!(
        details.contains(&format!(" {added:<25}| failed: ")),
        "{details}"
    );

    assert_eq!(run(port, &["recover", &added.to_string()]).1, 0);
    assert_eq!(wait_for_status(port, "optimal"), ("optimal\n".into(), 0));
}

#[test]
fn nothing_listening_fails_at_once() {
    let port = support::net::free_port();
    let start = Instant::now();
    let (text, code) = run(port, &["status"]);
    assert_eq!(
        text,
        format!("Could not connect to ZEO server at 127.0.0.1:{port}\n")
    );
    assert_eq!(code, 2);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_silent_server_is_abandoned_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let start = Instant::now();
    let (text, code) = run(port, &["--timeout", "0.5", "status"]);
    assert_eq!(code, 2);
    assert!(
        text.starts_with("Timed out after 0.5s waiting for the server's handshake"),
        "{text}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    drop(listener);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let out = manage(1, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: no command given"));
    let out = manage(1, &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Default: 127.0.0.1"));
}

#[test]
fn a_recovering_raid_exits_1() {
    // The peer pauses 0.5 s per copied transaction, so the recovery of four
    // missed transactions is long enough to be seen.
    let server = support::zeo::ZeoServer::start(
        "<zeo>\n  address 127.0.0.1:$port\n</zeo>\n%import gocept.zeoraid\n\
         <raidstorage 1>\n  recovery-delay 0.5\n\
         <filestorage 1>\n    path $dir/1.fs\n  </filestorage>\n\
         <filestorage 2>\n    path $dir/2.fs\n  </filestorage>\n</raidstorage>\n",
    );
    let port = server.port();
    assert_eq!(run(port, &["disable", "2"]).1, 0);
    for i in 0..4 {
        support::python::run_ok(
            include_str!("support/py/commit.py"),
            &["127.0.0.1", &port.to_string(), "1", &format!("k{i}"), "v"],
        );
    }
    assert_eq!(run(port, &["recover", "2"]), ("recovering '2'\n".into(), 0));
    assert_eq!(run(port, &["status"]), ("recovering\n".into(), 1));
    let (details, code) = run(port, &["details"]);
    assert_eq!(code, 1, "{details}");
    assert!(
        details.contains(" RAID 1                   | recovering               \n"),
        "{details}"
    );
    assert!(
        details.contains(" 2                        | recovering"),
        "{details}"
    );
    assert_eq!(wait_for_status(port, "optimal"), ("optimal\n".into(), 0));
}
