//! The test world works: real ZEO 6 servers serving the RAID test peer,
//! checked with the Python ZEO client (pickle and msgpack).

mod support;

use std::thread::sleep;
use std::time::{Duration, Instant};

use support::python;
use support::raid::RaidWorld;
use support::zeo::ZeoServer;

/// Polls `raid_status` until it is `want`; panics with the details after
/// `timeout`.
fn wait_for_status(world: &RaidWorld, want: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let status = world.status();
        if status == want {
            return;
        }
        if Instant::now() >= deadline {
            panic!(
                "RAID still {status} after {timeout:?}, wanted {want}: {:?}\n{}",
                world.details(),
                world.raid().log()
            );
        }
        sleep(Duration::from_millis(100));
    }
}

fn disable_then_recover(world: &RaidWorld) {
    world.commit_object("before", "1");
    assert_eq!(world.status(), "optimal");
    assert_eq!(
        world.call("raid_disable", &["2"]),
        Ok("disabled '2'".into())
    );
    assert_eq!(world.status(), "degraded");
    let details = world.details();
    assert_eq!(details["1"], "optimal");
    assert_eq!(details["2"], "failed: disabled by controller");

    let refused = world.call("raid_disable", &["1"]).unwrap_err();
    assert!(
        refused.starts_with("RuntimeError: refusing to disable '1'"),
        "{refused}"
    );

    world.commit_object("while-degraded", "2");
    assert!(!world.child_has(2, "while-degraded"));
    assert_eq!(
        world.call("raid_recover", &["2"]),
        Ok("recovering '2'".into())
    );
    wait_for_status(world, "optimal", Duration::from_secs(20));
    assert_eq!(world.child_value(2, "while-degraded").as_deref(), Some("2"));
    assert_eq!(world.child_value(2, "before").as_deref(), Some("1"));

    let unknown = world.call("raid_recover", &["9"]).unwrap_err();
    assert_eq!(
        unknown,
        "ValueError: RAID '1' has no storage '9' (it has '1', '2')"
    );
    let not_failed = world.call("raid_recover", &["1"]).unwrap_err();
    assert!(not_failed.contains("is optimal"), "{not_failed}");
}

fn filestorage_world(msgpack: bool) {
    let world = RaidWorld::filestorages(msgpack);
    let protocol = if msgpack { "'M5'" } else { "'Z5'" };
    disable_then_recover(&world);
    assert!(world
        .raid()
        .log()
        .contains(&format!("received handshake {protocol}")));

    world.write_raid_conf(&[1, 3]);
    assert_eq!(world.call("raid_reload", &[]), Ok("null".into()));
    assert_eq!(world.status(), "degraded");
    let details = world.details();
    assert_eq!(details.keys().collect::<Vec<_>>(), ["1", "3"]);
    assert_eq!(details["3"], "failed: added by controller");
    world.call("raid_recover", &["3"]).unwrap();
    wait_for_status(&world, "optimal", Duration::from_secs(20));
    assert!(world.child_has(3, "while-degraded"));
}

fn backend_world(msgpack: bool) {
    let mut world = RaidWorld::backends(2, msgpack);
    disable_then_recover(&world);

    world.backend_mut(1).kill();
    wait_for_status(&world, "degraded", Duration::from_secs(10));
    let details = world.details();
    assert!(details["1"].starts_with("failed: "), "{details:?}");
    assert_eq!(details["2"], "optimal");
    world.commit_object("after-kill", "3");
    assert!(world.child_has(2, "after-kill"));

    let third = world.add_backend();
    world.write_raid_conf(&[2, third]);
    world.call("raid_reload", &[]).unwrap();
    let details = world.details();
    assert_eq!(details.keys().collect::<Vec<_>>(), ["2", "3"]);
    assert_eq!(details["3"], "failed: added by controller");
    assert_eq!(world.status(), "degraded");
    assert_eq!(
        world.call("raid_recover", &["3"]),
        Ok("recovering '3'".into())
    );
    wait_for_status(&world, "optimal", Duration::from_secs(20));
    for key in ["before", "while-degraded", "after-kill"] {
        assert!(world.child_has(3, key), "{key} missing on the new backend");
    }
}

#[test]
fn filestorage_raid_over_pickle() {
    filestorage_world(false);
}

#[test]
fn filestorage_raid_over_msgpack() {
    filestorage_world(true);
}

#[test]
fn backend_raid_over_pickle() {
    backend_world(false);
}

#[test]
fn backend_raid_over_msgpack() {
    backend_world(true);
}

/// A non-RAID storage next to a RAID answers raid_* with an error; a ZEO 6
/// server without the peer does not know the methods and drops the
/// connection.
#[test]
fn raid_calls_on_plain_storages() {
    let mut mixed = ZeoServer::spawn(
        "<zeo>\n  address $port\n</zeo>\n%import gocept.zeoraid\n\
         <raidstorage 1>\n  <filestorage 1>\n    path $dir/1.fs\n  </filestorage>\n\
         <filestorage 2>\n    path $dir/2.fs\n  </filestorage>\n</raidstorage>\n\
         <filestorage plain>\n  path $dir/plain.fs\n</filestorage>\n",
    );
    let mut plain = ZeoServer::spawn(
        "<zeo>\n  address $port\n</zeo>\n<filestorage 1>\n  path $dir/1.fs\n</filestorage>\n",
    );
    mixed.wait_ready();
    plain.wait_ready();

    assert_eq!(
        python::raid_call(mixed.port(), "1", "raid_status", &[]),
        "optimal"
    );
    assert_eq!(
        python::raid_try(mixed.port(), "plain", "raid_status", &[]),
        Err("ValueError: storage 'plain' is not a RAID storage".into())
    );
    let port = plain.port().to_string();
    let output = python::run(
        include_str!("support/py/raid_call.py"),
        &["127.0.0.1", &port, "1", "raid_status"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ClientDisconnected"), "{stderr}");
    assert!(plain.log().contains("Invalid method, 'raid_status'"));

    plain.stop();
    assert!(!plain.is_running());
    plain.restart();
    assert!(plain.is_running());
}

#[test]
fn python_failures_are_reported_not_skipped() {
    let output = python::run("import sys; sys.exit('boom')", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("boom"));
    let port = support::net::free_port();
    assert!(!support::net::wait_for_port(
        ("127.0.0.1", port),
        Duration::from_millis(100)
    ));
}
