//! The seed's two buildout steps, file by file.

mod common;

use common::{file, file_names, only_part, plan};
use std::path::PathBuf;

const SEED_ZEO_CONF: &str = include_str!("../../../tests/golden/seed-zeo.conf");

#[test]
fn step_one_two_parts_without_deployment() {
    let plan = plan("seed");
    assert_eq!(plan.directory, PathBuf::from("/sample-buildout"));
    let keys: Vec<&str> = plan.parts.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["zeoraid", "zeoraid2"]);

    let rcs: Vec<String> = plan
        .parts
        .iter()
        .map(|p| p.rc.display().to_string())
        .collect();
    assert_eq!(
        rcs,
        [
            "/sample-buildout/bin/zeoraid",
            "/sample-buildout/bin/zeoraid2"
        ]
    );
    let manage: Vec<String> = plan
        .parts
        .iter()
        .flat_map(|p| &p.manage)
        .map(|m| format!("{} {}", m.path.display(), m.address))
        .collect();
    assert_eq!(
        manage,
        [
            "/sample-buildout/bin/zeoraid-1-manage 127.0.0.1:5555",
            "/sample-buildout/bin/zeoraid2-1-manage 111.111.111.111:4444",
        ]
    );
    assert!(plan.parts.iter().all(|p| !p.shell_script));

    assert_eq!(
        file_names(&plan),
        [
            "/sample-buildout/parts/zeoraid/zdaemon.conf",
            "/sample-buildout/parts/zeoraid/zeo.conf",
            "/sample-buildout/parts/zeoraid2/zdaemon.conf",
            "/sample-buildout/parts/zeoraid2/zeo.conf",
        ]
    );
    assert_eq!(
        file(&plan, "/sample-buildout/parts/zeoraid/zeo.conf"),
        SEED_ZEO_CONF
    );
    assert_eq!(
        file(&plan, "/sample-buildout/parts/zeoraid2/zeo.conf"),
        SEED_ZEO_CONF.replace("address 5555", "address 111.111.111.111:4444")
    );
    assert_eq!(
        file(&plan, "/sample-buildout/parts/zeoraid/zdaemon.conf"),
        "<runner>
  daemon on
  directory /sample-buildout/parts/zeoraid
  program /sample-buildout/bin/runzeo -C /sample-buildout/parts/zeoraid/zeo.conf
  socket-name /sample-buildout/parts/zeoraid/zdaemon.sock
  transcript /sample-buildout/parts/zeoraid/zeo.log
</runner>

<eventlog>
  <logfile>
    path /sample-buildout/parts/zeoraid/zeo.log
  </logfile>
</eventlog>
"
    );
    let part = &plan.parts[0];
    assert_eq!(
        part.directories,
        [PathBuf::from("/sample-buildout/parts/zeoraid")]
    );
    assert_eq!((part.logrotate.as_ref(), part.cron.as_ref()), (None, None));
}

#[test]
fn step_two_the_part_moves_into_a_deployment() {
    let plan = plan("seed-deployment");
    let part = only_part(&plan);
    assert_eq!(part.deployment.as_deref(), Some("demo"));
    assert_eq!(part.user.as_deref(), Some("bob"));
    assert_eq!(part.rc, PathBuf::from("/sample-buildout/rc/demo-zeoraid"));
    let manage: Vec<String> = part
        .manage
        .iter()
        .map(|m| format!("{} {} {}", m.storage, m.path.display(), m.address))
        .collect();
    assert_eq!(
        manage,
        ["main /sample-buildout/rc/demo-zeoraid-main-manage 127.0.0.1:8100"]
    );
    assert_eq!(
        file_names(&plan),
        [
            "/sample-buildout/etc/zeoraid-zdaemon.conf",
            "/sample-buildout/etc/zeoraid-zeo.conf",
            "/sample-buildout/rotate/demo-zeoraid",
        ]
    );
    assert_eq!(
        part.directories,
        [
            PathBuf::from("/sample-buildout/run"),
            PathBuf::from("/sample-buildout/log")
        ]
    );
    assert!(file(&plan, "/sample-buildout/etc/zeoraid-zeo.conf").contains("<raidstorage main>\n"));
}
