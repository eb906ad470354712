//! Every scenario of zc.zodbrecipes' zeo.txt that our model shares, with
//! its expected file contents byte for byte.

mod common;

use common::{file, file_names, only_part, plan};
use std::path::PathBuf;

const FOO_ZEO_CONF: &str = "%import foo

<zeo>
  address 8100
  monitor-address 8101
  transaction-timeout 300
</zeo>

<foo>
  path /databases/Data.fs
</foo>

<eventlog>
  <logfile>
    path STDOUT
  </logfile>
</eventlog>
";

#[test]
fn server_without_deployment() {
    let plan = plan("server");
    let part = only_part(&plan);
    assert_eq!(
        file(&plan, "/sample-buildout/parts/server/zeo.conf"),
        FOO_ZEO_CONF
    );
    assert_eq!(
        file(&plan, "/sample-buildout/parts/server/zdaemon.conf"),
        "<runner>
  daemon on
  directory /sample-buildout/parts/server
  program /sample-buildout/bin/runzeo -C /sample-buildout/parts/server/zeo.conf
  socket-name /sample-buildout/parts/server/zdaemon.sock
  transcript /sample-buildout/parts/server/zeo.log
</runner>

<eventlog>
  <logfile>
    path /sample-buildout/parts/server/zeo.log
  </logfile>
</eventlog>
"
    );
    assert_eq!(part.rc, PathBuf::from("/sample-buildout/bin/server"));
    assert!(part.manage.is_empty(), "no <raidstorage>, no manage binary");
    assert_eq!(part.storages, ["1"]);
}

#[test]
fn own_eventlog_is_kept() {
    let plan = plan("server-eventlog");
    assert_eq!(
        file(&plan, "/sample-buildout/parts/server/zeo.conf"),
        FOO_ZEO_CONF.replace("path STDOUT", "path /var/log/zeo.log")
    );
}

#[test]
fn deployment_places_files_and_rotates_logs() {
    let plan = plan("deployment");
    let part = only_part(&plan);
    assert_eq!(part.rc, PathBuf::from("/sample-buildout/rc/demo-server"));
    assert_eq!(
        file_names(&plan),
        [
            "/sample-buildout/etc/server-zdaemon.conf",
            "/sample-buildout/etc/server-zeo.conf",
            "/sample-buildout/rotate/demo-server",
        ]
    );
    assert_eq!(
        file(&plan, "/sample-buildout/etc/server-zeo.conf"),
        FOO_ZEO_CONF
    );
    assert_eq!(
        file(&plan, "/sample-buildout/rotate/demo-server"),
        "/sample-buildout/log/server-zeo.log {
  rotate 5
  weekly
  postrotate
    /sample-buildout/rc/demo-server -C /sample-buildout/etc/server-zdaemon.conf reopen_transcript
  endscript
}
"
    );
    assert_eq!(
        file(&plan, "/sample-buildout/etc/server-zdaemon.conf"),
        "<runner>
  daemon on
  directory /sample-buildout/run
  program /sample-buildout/bin/runzeo -C /sample-buildout/etc/server-zeo.conf
  socket-name /sample-buildout/run/server-zdaemon.sock
  transcript /sample-buildout/log/server-zeo.log
  user bob
</runner>

<eventlog>
  <logfile>
    path /sample-buildout/log/server-zeo.log
  </logfile>
</eventlog>
"
    );
}

#[test]
fn logrotate_false_on_the_deployment_or_the_part() {
    for name in ["deployment-no-logrotate", "server-no-logrotate"] {
        let plan = plan(name);
        let part = only_part(&plan);
        assert_eq!(part.logrotate, None, "{name}");
        assert_eq!(part.rc, PathBuf::from("/sample-buildout/rc/demo-server"));
        assert!(
            !file_names(&plan).iter().any(|f| f.contains("/rotate/")),
            "{name}"
        );
    }
}

#[test]
fn pack_cron_job() {
    let plan = plan("pack");
    assert_eq!(
        only_part(&plan).cron,
        Some(PathBuf::from("/sample-buildout/cron/pack-demo-server"))
    );
    assert_eq!(
        file(&plan, "/sample-buildout/cron/pack-demo-server"),
        "1 1 * * 0 bob /sample-buildout/bin/zeopack -p 8100 -S 1 -d 3\n"
    );
}

#[test]
fn pack_named_storage() {
    let plan = plan("pack-named-storage");
    assert_eq!(
        file(&plan, "/sample-buildout/cron/pack-demo-server"),
        "1 1 * * 0 bob /sample-buildout/bin/zeopack -p 8100 -S x -d 3\n"
    );
}

#[test]
fn pack_with_mailto() {
    let plan = plan("pack-mailto");
    assert_eq!(
        file(&plan, "/sample-buildout/cron/pack-demo-server"),
        "MAILTO=jim@zope.com\n1 1 * * 0 bob /sample-buildout/bin/zeopack -p 8100 -S 1 -d 3\n"
    );
}

#[test]
fn shell_script_with_user() {
    let plan = plan("shell-script");
    let part = only_part(&plan);
    assert!(part.shell_script);
    let rc = part.files.iter().find(|f| f.path == part.rc).unwrap();
    assert_eq!(rc.mode, 0o755);
    assert_eq!(
        rc.contents,
        "#!/bin/sh\nsu bob -c \\\n  \"/sample-buildout/bin/zdaemon -C '/sample-buildout/etc/server-zdaemon.conf' $*\"\n"
    );
}

#[test]
fn shell_script_without_user() {
    let plan = plan("shell-script-no-user");
    assert_eq!(
        file(&plan, "/sample-buildout/bin/server"),
        "#!/bin/sh\n/sample-buildout/bin/zdaemon -C '/sample-buildout/parts/server/zdaemon.conf' $*\n"
    );
}

#[test]
fn names_shape_file_names() {
    let plan = plan("names");
    let part = only_part(&plan);
    assert_eq!(
        (part.key.as_str(), part.name.as_str()),
        ("server", "Server")
    );
    assert_eq!(part.deployment.as_deref(), Some("Demo"));
    assert_eq!(
        file_names(&plan),
        [
            "/sample-buildout/cron/pack-Demo-Server",
            "/sample-buildout/etc/Server-zdaemon.conf",
            "/sample-buildout/etc/Server-zeo.conf",
            "/sample-buildout/rc/Demo-Server",
            "/sample-buildout/rotate/Demo-Server",
        ]
    );
    assert_eq!(part.systemd_unit, "Demo-Server.service");
}

#[test]
fn custom_programs_layout_and_zdaemon_conf() {
    let plan = plan("custom-programs");
    assert_eq!(
        plan.bin_directory,
        PathBuf::from("/sample-buildout/scripts")
    );
    assert_eq!(
        plan.parts_directory,
        PathBuf::from("/sample-buildout/var/parts")
    );
    let part = only_part(&plan);
    assert_eq!(part.runzeo, PathBuf::from("/opt/zeo/bin/runzeo"));
    assert_eq!(part.zdaemon, PathBuf::from("/sample-buildout/scripts/zd"));
    assert_eq!(
        part.zeopack,
        PathBuf::from("/sample-buildout/tools/zeopack")
    );
    assert_eq!(
        file(&plan, "/sample-buildout/etc/raid-zdaemon.conf"),
        "<runner>
  backoff-limit 10
  daemon off
  directory /sample-buildout/run
  program /opt/zeo/bin/runzeo -C /sample-buildout/etc/raid-zeo.conf
  socket-name /sample-buildout/run/raid-zdaemon.sock
  transcript /var/log/raid-transcript.log
  user zope
</runner>

<environment>
  TZ UTC
</environment>

<eventlog>
  <logfile>
    path /sample-buildout/log/raid-zeo.log
  </logfile>
</eventlog>
"
    );
    assert_eq!(
        file(&plan, "/sample-buildout/cron/pack-prod-raid"),
        "30 2 * * 6 zope /sample-buildout/tools/zeopack -h zeo.example.com -p 8100 -S main -d 1\n\
         30 2 * * 6 zope /sample-buildout/tools/zeopack -h zeo.example.com -p 8100 -S archive -d 1\n"
    );
    let manage: Vec<String> = part
        .manage
        .iter()
        .map(|m| format!("{} {}", m.path.display(), m.address))
        .collect();
    assert_eq!(
        manage,
        [
            "/sample-buildout/rc/prod-raid-main-manage zeo.example.com:8100",
            "/sample-buildout/rc/prod-raid-archive-manage zeo.example.com:8100",
        ]
    );
}

#[test]
fn pack_on_a_unix_socket_and_ipv6() {
    let unix = plan("pack-unix");
    assert_eq!(
        file(&unix, "/sample-buildout/etc/cron.d/pack-demo-sock"),
        "0 3 * * * zope /sample-buildout/bin/zeopack -U /run/zeo/zeo.sock -S 1 -d 1\n"
    );
    let v6 = plan("pack-ipv6");
    assert_eq!(
        file(&v6, "/sample-buildout/etc/cron.d/pack-demo-v6"),
        "0 3 * * * zope /sample-buildout/bin/zeopack -h ::1 -p 8100 -S 1 -d 7\n"
    );
}

#[test]
fn deployment_defaults_follow_zc_recipe_deployment() {
    let plan = plan("deployment-defaults");
    let keys: Vec<&str> = plan.parts.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["backend", "zeoraid"], "sorted by key");
    let part = &plan.parts[1];
    assert_eq!(part.rc, PathBuf::from("/etc/init.d/zeo-zeoraid"));
    assert_eq!(part.zeo_conf, PathBuf::from("/etc/zeo/zeoraid-zeo.conf"));
    assert_eq!(part.log, PathBuf::from("/var/log/zeo/zeoraid-zeo.log"));
    assert_eq!(
        part.socket,
        PathBuf::from("/var/run/zeo/zeoraid-zdaemon.sock")
    );
    assert_eq!(
        part.logrotate,
        Some(PathBuf::from("/etc/logrotate.d/zeo-zeoraid"))
    );
    assert_eq!(
        part.manage[0].path,
        PathBuf::from("/etc/init.d/zeo-zeoraid-1-manage")
    );
}

#[test]
fn relative_unix_socket_resolves_against_the_run_directory() {
    let plan = common::plan_text(
        "[server.s]\nzeo-conf = \"\"\"\n<zeo>\naddress ./zeo.sock\n</zeo>\n\
         <raidstorage 1>\n</raidstorage>\n\"\"\"\n",
    )
    .unwrap();
    let part = only_part(&plan);
    let socket = zeoraid_core::addr::Address::Unix("/sample-buildout/parts/s/zeo.sock".into());
    assert_eq!(part.address, socket);
    assert_eq!(part.manage[0].address, socket);
    assert!(file(&plan, "/sample-buildout/parts/s/zeo.conf").contains("address ./zeo.sock\n"));
}
