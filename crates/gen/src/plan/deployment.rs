//! Resolving a `[deployment.KEY]` table: its name, user and directories,
//! with zc.recipe.deployment's defaults.

use std::path::PathBuf;

use super::context::Context;
use crate::config::Deployment;
use crate::names::shown;

/// A deployment with every directory resolved.
pub(super) struct Resolved {
    pub key: String,
    pub name: String,
    pub user: Option<String>,
    pub logrotate: Option<bool>,
    pub crontab_directory: PathBuf,
    pub etc_directory: PathBuf,
    pub log_directory: PathBuf,
    pub logrotate_directory: PathBuf,
    pub rc_directory: PathBuf,
    pub run_directory: PathBuf,
    pub systemd_directory: Option<PathBuf>,
}

pub(super) fn resolve(ctx: &Context, dep: &Deployment) -> Result<Resolved, super::Error> {
    let table = format!("deployment.{}", shown(&dep.key));
    let name = match &dep.name {
        Some(n) => {
            ctx.check_name(
                &n.value,
                "the deployment name",
                &table,
                Some("name"),
                n.key_pos,
            )?;
            n.value.clone()
        }
        None => {
            ctx.check_name(&dep.key, "the deployment name", &table, None, dep.pos)?;
            dep.key.clone()
        }
    };
    let user = match &dep.user {
        Some(u) => {
            ctx.check_name(&u.value, "the user name", &table, Some("user"), u.key_pos)?;
            Some(u.value.clone())
        }
        None => None,
    };
    let dir = ctx.directory.clone();
    let etc_prefix = ctx.path(&dir, dep.etc_prefix.as_ref(), "/etc", &table, "etc-prefix")?;
    let var_prefix = ctx.path(&dir, dep.var_prefix.as_ref(), "/var", &table, "var-prefix")?;
    let pick = |setting, prefix: &PathBuf, default: String, key: &str| match setting {
        Some(_) => ctx.path(&dir, setting, "", &table, key),
        None => ctx.path(prefix, None, &default, &table, key),
    };
    Ok(Resolved {
        key: dep.key.clone(),
        user,
        logrotate: dep.logrotate.as_ref().map(|s| s.value),
        crontab_directory: pick(
            dep.crontab_directory.as_ref(),
            &etc_prefix,
            "cron.d".into(),
            "crontab-directory",
        )?,
        etc_directory: pick(
            dep.etc_directory.as_ref(),
            &etc_prefix,
            name.clone(),
            "etc-directory",
        )?,
        log_directory: pick(
            dep.log_directory.as_ref(),
            &var_prefix,
            format!("log/{name}"),
            "log-directory",
        )?,
        logrotate_directory: pick(
            dep.logrotate_directory.as_ref(),
            &etc_prefix,
            "logrotate.d".into(),
            "logrotate-directory",
        )?,
        rc_directory: pick(
            dep.rc_directory.as_ref(),
            &etc_prefix,
            "init.d".into(),
            "rc-directory",
        )?,
        run_directory: pick(
            dep.run_directory.as_ref(),
            &var_prefix,
            format!("run/{name}"),
            "run-directory",
        )?,
        systemd_directory: ctx.optional_path(
            &dir,
            dep.systemd_directory.as_ref(),
            &table,
            "systemd-directory",
        )?,
        name,
    })
}
