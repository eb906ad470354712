//! `zeoraid list --json`: the plan listing of docs/plan-json.md.

mod common;

use common::{assert_golden, plan};
use std::path::Path;
use zeoraid_core::json::Json;
use zeoraid_gen::load;

fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The repository's zeoraid.toml, with its absolute folder written `/abs/dir`.
fn repo_plan_json() -> String {
    let root = zeoraid_gen::paths::normalize(repo_root());
    let plan = load(&root.join("zeoraid.toml")).unwrap();
    assert_eq!(plan.directory, root);
    plan.to_json()
        .pretty()
        .replace(&root.display().to_string(), "/abs/dir")
}

fn squeeze(json: &str) -> String {
    json.split_whitespace().collect()
}

#[test]
fn repo_config_listing() {
    assert_golden("repo-plan.json", &repo_plan_json());
}

#[test]
fn the_documented_example_is_the_first_part_of_the_repo_listing() {
    let doc = std::fs::read_to_string(repo_root().join("docs/plan-json.md")).unwrap();
    let start = doc.find("```json\n").unwrap() + "```json\n".len();
    let example = &doc[start..start + doc[start..].find("```").unwrap()];

    let root = zeoraid_gen::paths::normalize(repo_root());
    let mut plan = load(&root.join("zeoraid.toml")).unwrap();
    plan.parts.truncate(1);
    let ours = plan
        .to_json()
        .pretty()
        .replace(&root.display().to_string(), "/abs/dir");
    assert_eq!(squeeze(&ours), squeeze(example));
}

#[test]
fn deployment_listing() {
    let json = plan("seed-deployment").to_json();
    assert_golden("seed-deployment-plan.json", &json.pretty());
    let Json::Object(top) = &json else { panic!() };
    let Json::Array(parts) = &top[3].1 else {
        panic!()
    };
    let Json::Object(part) = &parts[0] else {
        panic!()
    };
    let get = |k: &str| {
        part.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("deployment"), Json::str("demo"));
    assert_eq!(get("user"), Json::str("bob"));
    assert_eq!(get("rc"), Json::str("/sample-buildout/rc/demo-zeoraid"));
    assert_eq!(
        get("logrotate"),
        Json::str("/sample-buildout/rotate/demo-zeoraid")
    );
    assert_eq!(get("cron"), Json::Null);
    assert_eq!(get("systemd_unit"), Json::str("demo-zeoraid.service"));
}

#[test]
fn key_order_and_unix_addresses() {
    let json = plan("pack-unix").to_json().pretty();
    let keys: Vec<&str> = json
        .lines()
        .filter(|l| l.starts_with("      \""))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "key",
            "name",
            "deployment",
            "user",
            "rc",
            "zeo_conf",
            "zdaemon_conf",
            "run_directory",
            "socket",
            "log",
            "logrotate",
            "cron",
            "systemd_unit",
            "address",
            "manage"
        ]
    );
    assert!(json.contains("\"address\": {\n        \"unix\": \"/run/zeo/zeo.sock\"\n      },"));
    assert!(json.ends_with("}\n"));
}
