//! Where a part's files go, with and without a deployment (DESIGN §3).

use std::path::{Path, PathBuf};

use super::context::Context;
use super::deployment::Resolved;

/// The paths of one part.
pub(super) struct Locations {
    pub rc_directory: PathBuf,
    /// The rc file's name: `<part>` or `<dep>-<part>`.
    pub rc_base: String,
    pub zeo_conf: PathBuf,
    pub zdaemon_conf: PathBuf,
    pub run_directory: PathBuf,
    pub socket: PathBuf,
    pub log: PathBuf,
    pub unit_name: String,
    /// The unit file, in the systemd-directory if one is set.
    pub unit_path: Option<PathBuf>,
    pub directories: Vec<PathBuf>,
}

impl Locations {
    /// The rc program.
    pub fn rc(&self) -> PathBuf {
        self.rc_directory.join(&self.rc_base)
    }

    /// The manage binary of `storage`, next to the rc program.
    pub fn manage(&self, storage: &str) -> PathBuf {
        self.rc_directory
            .join(format!("{}-{storage}-manage", self.rc_base))
    }
}

/// Without a deployment everything lives in `parts/<part>` (rc in bin);
/// with one, in its etc, run, log and rc directories, prefixed by names.
/// The unit goes to the layout's or the deployment's systemd-directory.
pub(super) fn of(ctx: &Context, name: &str, dep: Option<&Resolved>) -> Locations {
    match dep {
        None => {
            let run = ctx.parts_directory.join(name);
            Locations {
                rc_directory: ctx.bin_directory.clone(),
                rc_base: name.to_owned(),
                zeo_conf: run.join("zeo.conf"),
                zdaemon_conf: run.join("zdaemon.conf"),
                socket: run.join("zdaemon.sock"),
                log: run.join("zeo.log"),
                unit_name: format!("{name}.service"),
                unit_path: unit_path(ctx.systemd_directory.as_deref(), name),
                directories: vec![run.clone()],
                run_directory: run,
            }
        }
        Some(dep) => {
            let rc_base = format!("{}-{name}", dep.name);
            let etc = &dep.etc_directory;
            Locations {
                rc_directory: dep.rc_directory.clone(),
                zeo_conf: etc.join(format!("{name}-zeo.conf")),
                zdaemon_conf: etc.join(format!("{name}-zdaemon.conf")),
                socket: dep.run_directory.join(format!("{name}-zdaemon.sock")),
                log: dep.log_directory.join(format!("{name}-zeo.log")),
                unit_name: format!("{rc_base}.service"),
                unit_path: unit_path(dep.systemd_directory.as_deref(), &rc_base),
                directories: vec![dep.run_directory.clone(), dep.log_directory.clone()],
                run_directory: dep.run_directory.clone(),
                rc_base,
            }
        }
    }
}

/// `<directory>/<base>.service`, given a directory.
fn unit_path(directory: Option<&Path>, base: &str) -> Option<PathBuf> {
    directory.map(|d| d.join(format!("{base}.service")))
}
