//! systemd units are opt-in: a `systemd-directory` in `[layout]` (parts
//! without a deployment) or in `[deployment.NAME]` (its parts) gets one
//! `<systemd-directory>/<systemd_unit>` per part; without it there is none.

mod common;

use common::{error, file, file_names, only_part, plan, plan_text};
use std::path::{Path, PathBuf};

const ZEO: &str =
    "zeo-conf = \"\"\"\n<zeo>\naddress 8100\n</zeo>\n<filestorage 1>\n</filestorage>\n\"\"\"\n";

/// One part `a`, in deployment `d` when `deployment` is given (its table's
/// extra lines), after the `[layout]` lines.
fn config(layout: &str, deployment: Option<&str>) -> String {
    let mut text = format!("[layout]\n{layout}[server.a]\n{ZEO}");
    if let Some(lines) = deployment {
        text.push_str(&format!(
            "deployment = \"d\"\n[deployment.d]\netc-prefix = \"etc\"\nvar-prefix = \"var\"\n{lines}"
        ));
    }
    text
}

fn unit_path(text: &str) -> Option<PathBuf> {
    let plan = plan_text(text).unwrap_or_else(|e| panic!("{e}"));
    let part = only_part(&plan);
    let units: Vec<&Path> = part
        .files
        .iter()
        .map(|f| f.path.as_path())
        .filter(|p| p.extension().is_some_and(|e| e == "service"))
        .collect();
    assert_eq!(units, Vec::from_iter(part.systemd_unit_path.as_deref()));
    part.systemd_unit_path.clone()
}

#[test]
fn no_systemd_directory_no_unit() {
    for name in ["seed", "seed-deployment", "deployment", "names", "pack"] {
        let plan = plan(name);
        for part in &plan.parts {
            assert_eq!(part.systemd_unit_path, None, "{name}");
            assert!(part.systemd_unit.ends_with(".service"), "{name}");
        }
        assert!(
            !file_names(&plan).iter().any(|f| f.ends_with(".service")),
            "{name}"
        );
    }
    assert_eq!(unit_path(&config("", None)), None);
    assert_eq!(unit_path(&config("", Some(""))), None);
}

#[test]
fn layout_directory_takes_the_units_of_parts_without_a_deployment() {
    assert_eq!(
        unit_path(&config("systemd-directory = \"units\"\n", None)),
        Some(PathBuf::from("/sample-buildout/units/a.service"))
    );
    assert_eq!(
        unit_path(&config(
            "directory = \"site\"\nsystemd-directory = \"../units/./x/\"\n",
            None
        )),
        Some(PathBuf::from("/sample-buildout/units/x/a.service"))
    );
    assert_eq!(
        unit_path(&config(
            "systemd-directory = \"/etc/systemd/system\"\n",
            None
        )),
        Some(PathBuf::from("/etc/systemd/system/a.service"))
    );
    assert_eq!(
        unit_path(&config("systemd-directory = \"units\"\n", Some(""))),
        None,
        "the layout's directory is not the deployment's"
    );
}

#[test]
fn deployment_directory_takes_the_units_of_its_parts() {
    assert_eq!(
        unit_path(&config("", Some("systemd-directory = \"units\"\n"))),
        Some(PathBuf::from("/sample-buildout/units/d-a.service"))
    );
    assert_eq!(
        unit_path(&config(
            "directory = \"site\"\n",
            Some("systemd-directory = \"units\"\n")
        )),
        Some(PathBuf::from("/sample-buildout/site/units/d-a.service")),
        "against layout.directory, not etc-prefix"
    );
    assert_eq!(
        unit_path(&config(
            "systemd-directory = \"elsewhere\"\n",
            Some("name = \"D\"\nsystemd-directory = \"/etc/systemd/system\"\n")
        )),
        Some(PathBuf::from("/etc/systemd/system/D-a.service"))
    );
}

#[test]
fn the_example_config_mixes_both() {
    let plan = plan("systemd");
    let units: Vec<(&str, Option<&Path>)> = plan
        .parts
        .iter()
        .map(|p| (p.key.as_str(), p.systemd_unit_path.as_deref()))
        .collect();
    assert_eq!(
        units,
        [
            (
                "plain",
                Some(Path::new("/sample-buildout/site/units/plain.service"))
            ),
            ("quiet", None),
            (
                "scripted",
                Some(Path::new("/etc/systemd/system/prod-scripted.service"))
            ),
        ]
    );
    let names: Vec<&str> = plan.parts.iter().map(|p| p.systemd_unit.as_str()).collect();
    assert_eq!(
        names,
        [
            "plain.service",
            "other-quiet.service",
            "prod-scripted.service"
        ]
    );
}

#[test]
fn the_listing_does_not_change() {
    let without = plan_text(&config("", Some(""))).unwrap();
    let with = plan_text(&config(
        "systemd-directory = \"u\"\n",
        Some("systemd-directory = \"v\"\n"),
    ))
    .unwrap();
    assert_eq!(with.to_json().pretty(), without.to_json().pretty());
}

#[test]
fn unit_supervises_with_the_wrapper_as_the_user() {
    let text = common::config_text("deployment") + "systemd-directory = \"units\"\n";
    let plan = plan_text(&text).unwrap();
    assert_eq!(
        file(&plan, "/sample-buildout/units/demo-server.service"),
        "[Unit]
Description=ZEO RAID server demo-server
After=network.target

[Service]
# The wrapper copies the server's output to /sample-buildout/log/server-zeo.log and the journal.
Type=simple
ExecStart=/sample-buildout/rc/demo-server -C /sample-buildout/etc/server-zdaemon.conf supervise
User=bob
KillMode=mixed
TimeoutStopSec=330
Restart=on-failure
RestartSec=5
RestartPreventExitStatus=2

[Install]
WantedBy=multi-user.target
"
    );
    assert_eq!(only_part(&plan).systemd_unit, "demo-server.service");
}

#[test]
fn unknown_keys_suggest_systemd_directory() {
    assert_eq!(
        error("[layout]\nsystemd-dir = \"u\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `systemd-dir` in [layout] (line 2, column 1); \
         did you mean `systemd-directory`?"
    );
    assert_eq!(
        error("[deployment.d]\nsystemd_directory = \"u\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `systemd_directory` in [deployment.d] (line 2, \
         column 1); did you mean `systemd-directory`?"
    );
    assert_eq!(
        error("[deployment.d]\nsystemd.directory = \"u\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `systemd` in [deployment.d] (line 2, column 1); \
         did you mean `systemd-directory`? (TOML reads a dotted key as a table)"
    );
}

#[test]
fn bad_values_are_refused() {
    assert_eq!(
        error(&config("systemd-directory = true\n", None)),
        "/sample-buildout/zeoraid.toml: [layout] systemd-directory (line 2, column 21): expected a \
         string, found a boolean"
    );
    assert_eq!(
        error(&config("systemd-directory = \"my units\"\n", None)),
        "/sample-buildout/zeoraid.toml: [layout] systemd-directory (line 2, column 21): the path \
         `/sample-buildout/my units` cannot be used: it contains a space, which the generated \
         config, cron and shell lines cannot carry"
    );
    assert_eq!(
        error(&config("", Some("systemd-directory = \"%u\"\n"))),
        "/sample-buildout/zeoraid.toml: [deployment.d] systemd-directory (line 14, column 21): the \
         path `/sample-buildout/%u` cannot be used: it contains `%`, which the generated config, \
         cron and shell lines cannot carry"
    );
}

#[test]
fn a_unit_file_in_the_way_of_another_output_is_refused() {
    let text = format!("[layout]\nsystemd-directory = \"bin\"\n[server.a]\n{ZEO}[server.b]\nname = \"a.service\"\n{ZEO}");
    assert_eq!(
        error(&text),
        "/sample-buildout/zeoraid.toml: [server.b] (line 11): the rc program \
         /sample-buildout/bin/a.service is also the generated file of [server.a]; give one of them \
         a different `name`"
    );
}
