//! Running as the configured `user`, and creating the directories the
//! daemon needs, as zdaemon's control program does before anything else.

use std::path::Path;

use super::options::Options;
use super::posix::{self, User};

/// Looks up `user` (a name or a numeric uid) in the password database.
pub fn lookup(user: &str) -> Result<User, String> {
    match user.parse::<u32>() {
        Ok(uid) => posix::user_by_uid(uid)
            .map_err(|e| format!("can't look up uid {user}: {e}"))?
            .ok_or_else(|| format!("uid '{user}' not found")),
        Err(_) => posix::user_by_name(user)
            .map_err(|e| format!("can't look up user '{user}': {e}"))?
            .ok_or_else(|| format!("username '{user}' not found")),
    }
}

/// Becomes the configured user: as root, switch (groups, then uid) for
/// good; as that user already, nothing to do; as anyone else, an error.
pub fn become_configured_user(opts: &Options) -> Result<(), String> {
    let Some(name) = &opts.user else {
        return Ok(());
    };
    let user = lookup(name)?;
    let euid = posix::effective_uid();
    if euid == user.uid {
        return Ok(());
    }
    if euid != 0 {
        return Err(format!(
            "only root can use -u USER to change users (user '{name}' is uid {}, this process runs as uid {euid})",
            user.uid
        ));
    }
    posix::become_user(&user).map_err(|e| format!("can't switch to user '{}': {e}", user.name))
}

/// Creates the run `directory` and the socket's directory when missing
/// (their parents must exist); as root, hands them to the configured user.
pub fn create_directories(opts: &Options) -> Result<(), String> {
    let owner = match &opts.user {
        Some(name) if posix::effective_uid() == 0 => Some(lookup(name)?),
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

    #[test]
    fn lookups() {
        assert_eq!(lookup("root").unwrap().uid, 0);
        assert_eq!(lookup("0").unwrap().name, "root");
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
