//! The plan as JSON, the shape `docs/plan-json.md` fixes.

use std::path::Path;

use zeoraid_core::addr::Address;
use zeoraid_core::json::Json;

use crate::plan::{ManagePlan, PartPlan, Plan};

impl Plan {
    /// The plan as `zeoraid list --json` prints it.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("directory", path(&self.directory)),
            ("bin_directory", path(&self.bin_directory)),
            ("parts_directory", path(&self.parts_directory)),
            ("parts", Json::Array(self.parts.iter().map(part).collect())),
        ])
    }
}

fn part(p: &PartPlan) -> Json {
    Json::object([
        ("key", Json::str(&p.key)),
        ("name", Json::str(&p.name)),
        ("deployment", Json::opt(p.deployment.as_ref(), Json::str)),
        ("user", Json::opt(p.user.as_ref(), Json::str)),
        ("rc", path(&p.rc)),
        ("zeo_conf", path(&p.zeo_conf)),
        ("zdaemon_conf", path(&p.zdaemon_conf)),
        ("run_directory", path(&p.run_directory)),
        ("socket", path(&p.socket)),
        ("log", path(&p.log)),
        ("logrotate", Json::opt(p.logrotate.as_deref(), path)),
        ("cron", Json::opt(p.cron.as_deref(), path)),
        ("systemd_unit", Json::str(&p.systemd_unit)),
        ("address", address(&p.address)),
        ("manage", Json::Array(p.manage.iter().map(manage).collect())),
    ])
}

fn manage(m: &ManagePlan) -> Json {
    Json::object([
        ("storage", Json::str(&m.storage)),
        ("path", path(&m.path)),
        ("address", address(&m.address)),
    ])
}

/// `{"host": H, "port": P}` or `{"unix": PATH}`.
pub fn address(a: &Address) -> Json {
    match a {
        Address::Tcp { host, port } => Json::object([
            ("host", Json::str(host)),
            ("port", Json::Int(i64::from(*port))),
        ]),
        Address::Unix(p) => Json::object([("unix", path(p))]),
    }
}

fn path(p: &Path) -> Json {
    Json::str(p.display().to_string())
}
