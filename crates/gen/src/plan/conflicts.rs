//! Refusing two outputs at one path (or two systemd units with one name).

use std::collections::HashMap;

use super::context::Context;
use super::PartPlan;
use crate::config::Config;
use crate::error::{place, Error};
use crate::names::shown;

/// One thing a part generates or owns: what collides (a path, or a unit
/// name) and what it is, for the message.
struct Output {
    what: String,
    at: String,
}

fn outputs(part: &PartPlan) -> Vec<Output> {
    let path = |what: &str, p: &std::path::Path| Output {
        what: what.to_owned(),
        at: p.display().to_string(),
    };
    let mut out = vec![
        path("rc program", &part.rc),
        path("zdaemon socket", &part.socket),
        path("log", &part.log),
        Output {
            what: "systemd unit".to_owned(),
            at: part.systemd_unit.clone(),
        },
    ];
    for m in &part.manage {
        out.push(path(
            &format!("manage binary of storage `{}`", m.storage),
            &m.path,
        ));
    }
    for f in part.files.iter().filter(|f| f.path != part.rc) {
        out.push(path("generated file", &f.path));
    }
    out
}

pub(super) fn check(ctx: &Context, config: &Config, parts: &[PartPlan]) -> Result<(), Error> {
    let mut seen: HashMap<String, (&str, String)> = HashMap::new();
    for part in parts {
        for Output { what, at } in outputs(part) {
            if let Some((other, other_what)) = seen.get(&at) {
                let pos = config
                    .servers
                    .iter()
                    .find(|s| s.key == part.key)
                    .and_then(|s| s.pos);
                let clash = if *other == part.key {
                    "is generated twice; give each storage its own name".to_owned()
                } else {
                    format!(
                        "is also the {other_what} of [server.{}]; give one of them a different `name`",
                        shown(other)
                    )
                };
                let table = format!("server.{}", shown(&part.key));
                return Err(ctx
                    .error(
                        pos,
                        format!(
                            "{}: the {what} {at} {clash}",
                            place(&table, None, pos, false)
                        ),
                    )
                    .in_part(&part.key));
            }
            seen.insert(at, (part.key.as_str(), what));
        }
    }
    Ok(())
}
