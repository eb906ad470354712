//! Building the plan of one `[server.KEY]` part.

use std::path::PathBuf;

use zeoraid_core::addr::Address;
use zeoraid_core::zconfig::{self, Config as ZConfig};

use super::context::{text, Context};
use super::deployment::Resolved;
use super::{files, locations, ManagePlan, PartPlan};
use crate::config::{Server, Setting};
use crate::error::{place, Error, Pos};
use crate::inspect::{inspect, ZeoFacts};
use crate::names::shown;
use crate::pack::PackSpec;
use crate::paths::normalize;
use crate::render::cron;
use crate::suggest::nearest;

/// The part's table and error helpers.
struct Part<'a> {
    ctx: &'a Context,
    server: &'a Server,
    table: String,
}

impl Part<'_> {
    fn fail(&self, key: &str, pos: Option<Pos>, column: bool, message: &str) -> Error {
        let at = place(&self.table, Some(key), pos, column);
        self.ctx.error(pos, format!("{at}: {message}"))
    }

    /// Where the error about a ZConfig text option points: its key.
    fn conf_pos(&self, setting: &Option<Setting<String>>) -> Option<Pos> {
        setting.as_ref().and_then(|s| s.key_pos).or(self.server.pos)
    }

    fn check_storages(&self, storages: &[String]) -> Result<(), Error> {
        let pos = self.conf_pos(&self.server.zeo_conf);
        storages.iter().try_for_each(|s| {
            self.ctx
                .check_name(s, "the storage name", &self.table, Some("zeo-conf"), pos)
        })
    }
}

pub(super) fn build(
    ctx: &Context,
    server: &Server,
    deployments: &[Resolved],
) -> Result<PartPlan, Error> {
    let part = Part {
        ctx,
        server,
        table: format!("server.{}", shown(&server.key)),
    };
    build_part(&part, deployments).map_err(|e| e.in_part(&server.key))
}

fn build_part(part: &Part<'_>, deployments: &[Resolved]) -> Result<PartPlan, Error> {
    let (ctx, server) = (part.ctx, part.server);
    let name = match &server.name {
        Some(n) => {
            ctx.check_name(
                &n.value,
                "the part name",
                &part.table,
                Some("name"),
                n.key_pos,
            )?;
            n.value.clone()
        }
        None => {
            ctx.check_name(&server.key, "the part name", &part.table, None, server.pos)?;
            server.key.clone()
        }
    };
    let dep = match &server.deployment {
        None => None,
        Some(wanted) => Some(
            find_deployment(wanted, deployments)
                .map_err(|m| part.fail("deployment", wanted.pos, true, &m))?,
        ),
    };
    let zeo = read_zconfig(part, "zeo-conf", &server.zeo_conf)?;
    let facts = inspect(&zeo)
        .map_err(|m| part.fail("zeo-conf", part.conf_pos(&server.zeo_conf), false, &m))?;
    part.check_storages(&facts.raid_storages)?;
    let zdaemon_user = read_zconfig(part, "zdaemon-conf", &server.zdaemon_conf)?;

    let program = |setting: &Option<Setting<String>>, default: &str| {
        ctx.path(
            &ctx.bin_directory,
            setting.as_ref(),
            default,
            &part.table,
            default,
        )
    };
    let runzeo = program(&server.runzeo, "runzeo")?;
    let zdaemon = program(&server.zdaemon, "zdaemon")?;
    let zeopack = program(&server.zeopack, "zeopack")?;

    let at = locations::of(ctx, &name, dep);
    let user = dep.and_then(|d| d.user.clone());
    let address = match &facts.address {
        Address::Unix(path) if path.is_relative() => {
            Address::Unix(normalize(&at.run_directory.join(path)))
        }
        other => other.clone(),
    };
    let shell_script = server.shell_script.as_ref().is_some_and(|s| s.value);
    let logrotate = dep.and_then(|dep| {
        let own = server.logrotate.as_ref().map(|s| s.value);
        own.or(dep.logrotate)
            .unwrap_or(true)
            .then(|| dep.logrotate_directory.join(format!("{}-{name}", dep.name)))
    });
    let cron = match &server.pack {
        None => None,
        Some(pack) => {
            let who = Identity {
                name: &name,
                dep,
                user: user.as_deref(),
            };
            Some(pack_job(part, &who, pack, &zeopack, &facts, &address)?)
        }
    };

    let manage = facts
        .raid_storages
        .iter()
        .map(|storage| ManagePlan {
            storage: storage.clone(),
            path: at.manage(storage),
            address: address.clone(),
        })
        .collect();
    let files = files::render(files::Inputs {
        at: &at,
        zeo: &zeo,
        zdaemon: &zdaemon_user,
        runzeo: &runzeo,
        zdaemon_program: &zdaemon,
        user: user.as_deref(),
        shell_script,
        logrotate: logrotate.as_deref(),
        cron: cron.clone(),
    });

    Ok(PartPlan {
        key: server.key.clone(),
        name,
        deployment: dep.map(|d| d.name.clone()),
        user,
        rc: at.rc(),
        zeo_conf: at.zeo_conf,
        zdaemon_conf: at.zdaemon_conf,
        run_directory: at.run_directory,
        socket: at.socket,
        log: at.log,
        logrotate,
        cron: cron.map(|(path, _)| path),
        systemd_unit: at.unit_name,
        systemd_unit_path: at.unit_path,
        address,
        shell_script,
        runzeo,
        zdaemon,
        zeopack,
        storages: facts.storages,
        manage,
        files,
        directories: at.directories,
    })
}

/// Who a part is once its name and deployment are known.
struct Identity<'a> {
    name: &'a str,
    dep: Option<&'a Resolved>,
    user: Option<&'a str>,
}

/// The pack cron file's path and text.
fn pack_job(
    part: &Part<'_>,
    who: &Identity<'_>,
    pack: &Setting<String>,
    zeopack: &std::path::Path,
    facts: &ZeoFacts,
    address: &Address,
) -> Result<(PathBuf, String), Error> {
    let fail = |m: &str| part.fail("pack", pack.pos, true, m);
    let Some(dep) = who.dep else {
        return Err(fail(
            "packing needs a deployment, whose crontab-directory gets the cron job; \
             add `deployment = \"…\"` or remove `pack`",
        ));
    };
    let spec = PackSpec::parse(&pack.value).map_err(|m| fail(&m))?;
    let Some(user) = who.user else {
        return Err(fail(&format!(
            "the pack cron job runs as the deployment's user; set `user` in [deployment.{}]",
            shown(&dep.key)
        )));
    };
    part.check_storages(&facts.storages)?;
    let path = dep
        .crontab_directory
        .join(format!("pack-{}-{}", dep.name, who.name));
    let addr = cron::zeopack_address(address, &facts.address_text);
    let contents = cron::render(&spec, user, &text(zeopack), &addr, &facts.storages);
    Ok((path, contents))
}

fn find_deployment<'d>(
    wanted: &Setting<String>,
    deployments: &'d [Resolved],
) -> Result<&'d Resolved, String> {
    if let Some(dep) = deployments.iter().find(|d| d.key == wanted.value) {
        return Ok(dep);
    }
    let keys: Vec<&str> = deployments.iter().map(|d| d.key.as_str()).collect();
    let wanted = shown(&wanted.value);
    let hint = match nearest(&wanted, &keys) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("add a [deployment.{wanted}] table"),
    };
    Err(format!("there is no [deployment.{wanted}] table; {hint}"))
}

/// Parses a ZConfig text option; a syntax error reads like the recipe's,
/// `malformed section start (line 1) in:` and the text.
fn read_zconfig(
    part: &Part<'_>,
    key: &str,
    setting: &Option<Setting<String>>,
) -> Result<ZConfig, Error> {
    let text = setting.as_ref().map_or("", |s| s.value.as_str());
    zconfig::parse(text).map_err(|e| {
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        let message = format!("{e} in:\n{text}{newline}");
        part.fail(key, part.conf_pos(setting), false, &message)
    })
}
