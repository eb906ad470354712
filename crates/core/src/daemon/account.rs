//! Running as the configured `user`, and creating the directories the
//! daemon needs, as zdaemon's control program does before anything else.
//!
//! Users and groups are read from `/etc/passwd` and `/etc/group` directly:
//! a statically linked glibc program crashes in the C library's lookups
//! (they load NSS modules). A dynamically linked build also asks the C
//! library (and so LDAP, sssd, …) for users the files do not list.

use std::path::Path;

use super::options::Options;
use super::posix::{self, User};

/// A user to become, with the supplementary groups to take along (`None`:
/// let the C library's `initgroups` find them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The password entry.
    pub user: User,
    /// Supplementary group ids, the primary group included.
    pub groups: Option<Vec<u32>>,
}

/// Finds `spec` (a user name, or a numeric uid) in `/etc/passwd`-format text.
pub fn find_user(passwd: &str, spec: &str) -> Option<User> {
    let uid = spec.parse::<u32>().ok();
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _password = fields.next()?;
        let entry_uid: u32 = fields.next()?.trim().parse().ok()?;
        let gid: u32 = fields.next()?.trim().parse().ok()?;
        let wanted = match uid {
            Some(u) => entry_uid == u,
            None => name == spec,
        };
        (wanted && !name.is_empty() && !name.starts_with(['+', '-', '#'])).then(|| User {
            name: name.to_owned(),
            uid: entry_uid,
            gid,
        })
    })
}

/// The groups `user` belongs to in `/etc/group`-format text, with its
/// primary group `gid`; sorted, without duplicates.
pub fn find_groups(group: &str, user: &str, gid: u32) -> Vec<u32> {
    let mut groups: Vec<u32> = group
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let _name = fields.next()?;
            let _password = fields.next()?;
            let gid: u32 = fields.next()?.trim().parse().ok()?;
            let members = fields.next()?;
            members.split(',').any(|m| m.trim() == user).then_some(gid)
        })
        .chain([gid])
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// Looks up `spec` (a name or a numeric uid).
pub fn lookup(spec: &str) -> Result<Account, String> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    if let Some(user) = find_user(&passwd, spec) {
        let group = std::fs::read_to_string("/etc/group").unwrap_or_default();
        let groups = find_groups(&group, &user.name, user.gid);
        return Ok(Account {
            user,
            groups: Some(groups),
        });
    }
    let not_found = || match spec.parse::<u32>() {
        Ok(_) => format!("uid '{spec}' not found"),
        Err(_) => format!("username '{spec}' not found"),
    };
    if cfg!(target_feature = "crt-static") {
        return Err(not_found());
    }
    let found = match spec.parse::<u32>() {
        Ok(uid) => posix::user_by_uid(uid),
        Err(_) => posix::user_by_name(spec),
    };
    match found {
        Ok(Some(user)) => Ok(Account { user, groups: None }),
        Ok(None) => Err(not_found()),
        Err(e) => Err(format!("can't look up user '{spec}': {e}")),
    }
}

/// Becomes the configured user: as root, switch (groups, then uid) for
/// good; as that user already, nothing to do; as anyone else, an error.
pub fn become_configured_user(opts: &Options) -> Result<(), String> {
    let Some(name) = &opts.user else {
        return Ok(());
    };
    let account = lookup(name)?;
    let euid = posix::effective_uid();
    if euid == account.user.uid {
        return Ok(());
    }
    if euid != 0 {
        return Err(format!(
            "only root can use -u USER to change users (user '{name}' is uid {}, this process runs as uid {euid})",
            account.user.uid
        ));
    }
    posix::become_user(&account.user, account.groups.as_deref())
        .map_err(|e| format!("can't switch to user '{}': {e}", account.user.name))
}

/// Creates the run `directory` and the socket's directory when missing
/// (their parents must exist); as root, hands them to the configured user.
pub fn create_directories(opts: &Options) -> Result<(), String> {
    let owner = match &opts.user {
        Some(name) if posix::effective_uid() == 0 => Some(lookup(name)?.user),
        _ => None,
    };
    let socket_dir = opts
        .socket_name
        .parent()
        .filter(|d| !d.as_os_str().is_empty());
    for dir in opts.directory.as_deref().into_iter().chain(socket_dir) {
        create(dir, owner.as_ref())?;
    }
    Ok(())
}

fn create(dir: &Path, owner: Option<&User>) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir(dir)
        .map_err(|e| format!("can't create directory '{}': {e}", dir.display()))?;
    if let Some(user) = owner.filter(|u| u.uid != 0) {
        std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid)).map_err(|e| {
            format!(
                "can't hand directory '{}' to user '{}': {e}",
                dir.display(),
                user.name
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "\
root:x:0:0:root:/root:/bin/bash
# comment
+nisuser::::::
broken line
zope:x:99:5:Zope:/home/zope:/bin/sh
other:x:100:100::/:/bin/false
";
    const GROUP: &str = "\
root:x:0:
a:x:1:x
b:x:2:x,zope
e:x:3:e, zope
g:x:8:g,zope
zope:x:5:
broken
";

    #[test]
    fn users_by_name_and_uid() {
        let zope = User {
            name: "zope".into(),
            uid: 99,
            gid: 5,
        };
        assert_eq!(find_user(PASSWD, "zope"), Some(zope.clone()));
        assert_eq!(find_user(PASSWD, "99"), Some(zope));
        assert_eq!(find_user(PASSWD, "+nisuser"), None);
        assert_eq!(find_user(PASSWD, "nobody-here"), None);
        assert_eq!(find_user(PASSWD, "4242"), None);
    }

    #[test]
    fn supplementary_groups() {
        assert_eq!(find_groups(GROUP, "zope", 5), [2, 3, 5, 8]);
        assert_eq!(find_groups(GROUP, "other", 100), [100]);
    }

    #[test]
    fn lookups_on_this_system() {
        let root = lookup("root").unwrap();
        assert_eq!(root.user.uid, 0);
        assert!(root.groups.unwrap().contains(&0));
        assert_eq!(lookup("0").unwrap().user.name, "root");
        assert_eq!(
            lookup("no-such-user-zeoraid").unwrap_err(),
            "username 'no-such-user-zeoraid' not found"
        );
        assert_eq!(
            lookup("4000000000").unwrap_err(),
            "uid '4000000000' not found"
        );
    }
}
