//! `zeoraid install`: lays the staged tree out at its absolute paths
//! (below `--root` if given), keeps a record of what it created, and removes
//! what the previous install created that this one no longer does.
//!
//! It reports like buildout: `Uninstalling P.` for each part that is gone
//! or whose files changed (last installed first), then `Installing P.` with
//! its `Generated script` lines for new or changed parts, `Updating P.` for
//! parts whose files are all the same.

mod record;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use record::{Owned, Record};
use zeoraid_core::daemon::account;
use zeoraid_core::daemon::posix::{self, User};
use zeoraid_gen::stage::{mirrored, Kind, Manifest};

/// Install settings.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Prefix for every path (DESTDIR-style).
    pub root: Option<PathBuf>,
    /// Only say what would be done.
    pub dry_run: bool,
}

/// Installs `manifest` (staged in `stage_dir`), reporting to `out`.
pub fn install(
    manifest: &Manifest,
    stage_dir: &Path,
    options: &Options,
    out: &mut dyn Write,
) -> Result<(), String> {
    let at = |p: &Path| rooted(options.root.as_deref(), p);
    let record_path = at(&manifest.directory.join(record::FILE_NAME));
    let old = Record::read(&record_path)?;
    let contents = read_staged(manifest, stage_dir)?;
    check_conflicts(manifest, &contents, &old, &at)?;
    let owners = owners(manifest, options)?;

    let new_parts: Vec<&str> = parts_in_order(manifest.entries.iter().map(|e| e.part.as_str()));
    let old_parts: Vec<&str> = parts_in_order(old.owned.iter().map(|o| o.part.as_str()));
    let say = |out: &mut dyn Write, line: String| {
        let _ = writeln!(
            out,
            "{}{line}",
            if options.dry_run { "Would: " } else { "" }
        );
    };
    let changed: BTreeSet<&str> = new_parts
        .iter()
        .copied()
        .filter(|part| files_of_new(manifest, &contents, part) != files_of_old(&old, part))
        .collect();
    for part in old_parts
        .iter()
        .rev()
        .filter(|p| !new_parts.contains(p) || changed.contains(*p))
    {
        say(out, format!("Uninstalling {part}."));
    }
    if !options.dry_run {
        let mut pending = old.clone();
        for (entry, data) in manifest.entries.iter().zip(&contents) {
            if pending.get(&entry.target).is_none() {
                pending.owned.push(owned(
                    entry.part.clone(),
                    entry.kind,
                    &entry.target,
                    data.as_deref(),
                ));
            }
        }
        pending.write(&record_path)?;
    }

    let mut new = Record::default();
    for part in &new_parts {
        let fresh = changed.contains(part);
        let verb = if fresh { "Installing" } else { "Updating" };
        say(out, format!("{verb} {part}."));
        for (entry, data) in manifest
            .entries
            .iter()
            .zip(&contents)
            .filter(|(e, _)| e.part == *part)
        {
            let target = at(&entry.target);
            let previously = old.get(&entry.target);
            match data {
                None => {
                    let existed = target.is_dir();
                    if !options.dry_run {
                        fs::create_dir_all(&target)
                            .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
                        if let Some(user) = entry.owner.as_ref().and_then(|o| owners.get(o)) {
                            std::os::unix::fs::chown(&target, Some(user.uid), Some(user.gid))
                                .map_err(|e| {
                                    format!(
                                        "cannot hand {} to user '{}': {e}",
                                        target.display(),
                                        user.name
                                    )
                                })?;
                        }
                    }
                    if !existed || previously.is_some() {
                        new.owned
                            .push(owned(entry.part.clone(), entry.kind, &entry.target, None));
                    }
                }
                Some(data) => {
                    if !options.dry_run {
                        write::atomic(&target, data, entry.mode)?;
                    }
                    if fresh && entry.kind.is_script() {
                        say(out, format!("Generated script '{}'.", target.display()));
                    }
                    new.owned.push(owned(
                        entry.part.clone(),
                        entry.kind,
                        &entry.target,
                        Some(data),
                    ));
                }
            }
        }
    }

    let keep: BTreeSet<&Path> = new.owned.iter().map(|o| o.path.as_path()).collect();
    let mut stale: Vec<&Owned> = old
        .owned
        .iter()
        .filter(|o| !keep.contains(o.path.as_path()))
        .collect();
    stale.sort_by_key(|o| {
        (
            o.hash.is_none(),
            std::cmp::Reverse(o.path.components().count()),
        )
    });
    for gone in stale {
        remove(gone, &at(&gone.path), options.dry_run, out);
    }
    if !options.dry_run {
        new.write(&record_path)?;
    }
    Ok(())
}

/// Removes one path an earlier install created, unless it changed since or,
/// for a directory, still holds anything (logs, data, the user's files).
fn remove(gone: &Owned, target: &Path, dry_run: bool, out: &mut dyn Write) {
    let prefix = if dry_run { "Would: " } else { "" };
    match &gone.hash {
        Some(hash) => match fs::read(target) {
            Ok(data) if record::hash(&data) == *hash => {
                if dry_run || fs::remove_file(target).is_ok() {
                    let _ = writeln!(out, "{prefix}Removed '{}'.", target.display());
                }
            }
            Ok(_) => {
                let _ = writeln!(
                    out,
                    "Kept '{}': changed since zeoraid installed it.",
                    target.display()
                );
            }
            Err(_) => {}
        },
        None => {
            let empty = fs::read_dir(target)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if empty {
                if dry_run || fs::remove_dir(target).is_ok() {
                    let _ = writeln!(out, "{prefix}Removed '{}'.", target.display());
                }
            } else if target.is_dir() {
                let _ = writeln!(
                    out,
                    "Kept '{}': it holds files zeoraid did not create.",
                    target.display()
                );
            }
        }
    }
}

/// The users directories are handed to, as zc.recipe.deployment does:
/// only when installing as root for real (not with `--root`, whose tree
/// is packaged elsewhere, nor `--dry-run`); each must exist.
fn owners(manifest: &Manifest, options: &Options) -> Result<BTreeMap<String, User>, String> {
    let mut owners = BTreeMap::new();
    if options.dry_run || options.root.is_some() || posix::effective_uid() != 0 {
        return Ok(owners);
    }
    for name in manifest.entries.iter().filter_map(|e| e.owner.as_ref()) {
        if !owners.contains_key(name) {
            let account = account::lookup(name).map_err(|e| {
                format!(
                    "nothing was installed: {e}; create the user first (useradd --system {name})"
                )
            })?;
            owners.insert(name.clone(), account.user);
        }
    }
    Ok(owners)
}

/// Refuses to overwrite anything that exists but was not installed by us,
/// and anything that would stop the install half-way: a file where a
/// directory goes (the target or one of its parents), a directory or a
/// special file where a file goes.
fn check_conflicts(
    manifest: &Manifest,
    contents: &[Option<Vec<u8>>],
    old: &Record,
    at: &dyn Fn(&Path) -> PathBuf,
) -> Result<(), String> {
    let mut conflicts: Vec<String> = Vec::new();
    for (entry, data) in manifest.entries.iter().zip(contents) {
        let target = at(&entry.target);
        let conflict = match blocked_parent(&target) {
            Some(parent) => Some(format!(
                "{} exists and is not a directory",
                parent.display()
            )),
            None => conflict_at(&target, data.as_deref(), old.get(&entry.target).is_some()),
        };
        if let Some(conflict) = conflict.filter(|c| !conflicts.contains(c)) {
            conflicts.push(conflict);
        }
    }
    if conflicts.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "nothing was installed:\n  {}",
            conflicts.join("\n  ")
        ))
    }
}

/// What keeps `data` (a file) or a directory (`None`) from going to
/// `target`, which the last install created if `owned`. Symlinks to
/// directories count as directories.
fn conflict_at(target: &Path, data: Option<&[u8]>, owned: bool) -> Option<String> {
    let meta = fs::symlink_metadata(target).ok()?;
    let is_dir = fs::metadata(target).is_ok_and(|m| m.is_dir());
    let problem = match data {
        None if is_dir => return None,
        None => "exists and is not a directory",
        Some(_) if is_dir => "is a directory",
        Some(_) if !meta.is_file() => "exists and is not a regular file",
        Some(data) if !owned && fs::read(target).ok().as_deref() != Some(data) => {
            "exists and was not installed by zeoraid; move it away first"
        }
        Some(_) => return None,
    };
    Some(format!("{} {problem}", target.display()))
}

/// The nearest parent of `target` that exists but is not a directory.
fn blocked_parent(target: &Path) -> Option<&Path> {
    target.ancestors().skip(1).find(|parent| {
        fs::symlink_metadata(parent).is_ok() && !fs::metadata(parent).is_ok_and(|m| m.is_dir())
    })
}

fn read_staged(manifest: &Manifest, stage_dir: &Path) -> Result<Vec<Option<Vec<u8>>>, String> {
    manifest
        .entries
        .iter()
        .map(|entry| match &entry.source {
            None => Ok(None),
            Some(source) => {
                let path = stage_dir.join("root").join(source);
                fs::read(&path).map(Some).map_err(|e| {
                    format!(
                        "the build's staged {} is missing ({e}); rebuild with cargo build",
                        path.display()
                    )
                })
            }
        })
        .collect()
}

fn owned(part: String, kind: Kind, path: &Path, data: Option<&[u8]>) -> Owned {
    Owned {
        part,
        kind,
        path: path.to_owned(),
        hash: data.map(record::hash),
    }
}

/// The files `part` installs now, with their hashes (directories are left
/// out: whether one was created depends on what existed before).
fn files_of_new<'a>(
    manifest: &'a Manifest,
    contents: &[Option<Vec<u8>>],
    part: &str,
) -> BTreeSet<(&'a Path, String)> {
    manifest
        .entries
        .iter()
        .zip(contents)
        .filter(|(e, _)| e.part == part)
        .filter_map(|(e, data)| Some((e.target.as_path(), record::hash(data.as_deref()?))))
        .collect()
}

/// The files `part` installed last time, with their hashes.
fn files_of_old<'a>(old: &'a Record, part: &str) -> BTreeSet<(&'a Path, String)> {
    old.owned
        .iter()
        .filter(|o| o.part == part)
        .filter_map(|o| Some((o.path.as_path(), o.hash.clone()?)))
        .collect()
}

fn parts_in_order<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for name in names {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen
}

/// `path` below `root` (DESTDIR-style), or `path` itself.
pub fn rooted(root: Option<&Path>, path: &Path) -> PathBuf {
    match root {
        Some(root) => root.join(mirrored(path)),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeoraid_gen::stage::Entry;

    fn owned_directory(owner: &str) -> Manifest {
        Manifest {
            directory: "/nonexistent/zeoraid".into(),
            entries: vec![Entry {
                part: "server".into(),
                kind: Kind::Directory,
                target: "/nonexistent/zeoraid/log".into(),
                source: None,
                mode: 0o755,
                owner: Some(owner.into()),
            }],
        }
    }

    #[test]
    fn directories_go_to_their_user_only_in_a_real_install_as_root() {
        let root = Options {
            root: Some("/tmp".into()),
            dry_run: false,
        };
        let dry_run = Options {
            root: None,
            dry_run: true,
        };
        let manifest = owned_directory("root");
        assert!(owners(&manifest, &root).unwrap().is_empty());
        assert!(owners(&manifest, &dry_run).unwrap().is_empty());
        let found = owners(&manifest, &Options::default()).unwrap();
        if posix::effective_uid() == 0 {
            assert_eq!(found["root"].uid, 0);
        } else {
            assert!(found.is_empty());
        }
    }

    #[test]
    fn an_unknown_user_stops_the_install_as_root() {
        let result = owners(
            &owned_directory("no-such-user-zeoraid"),
            &Options::default(),
        );
        if posix::effective_uid() == 0 {
            assert_eq!(
                result.unwrap_err(),
                "nothing was installed: username 'no-such-user-zeoraid' not found; \
                 create the user first (useradd --system no-such-user-zeoraid)"
            );
        } else {
            assert!(result.unwrap().is_empty());
        }
    }
}
