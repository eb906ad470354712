//! The `/bin/sh` rc script used with `shell-script = true`.

/// `#!/bin/sh` then `<zdaemon> -C '<conf>' $*`, run through
/// `su <user> -c "…"` when the deployment has a user.
pub fn render(zdaemon: &str, zdaemon_conf: &str, user: Option<&str>) -> String {
    let command = format!("{zdaemon} -C '{zdaemon_conf}' $*");
    match user {
        Some(user) => format!("#!/bin/sh\nsu {user} -c \\\n  \"{command}\"\n"),
        None => format!("#!/bin/sh\n{command}\n"),
    }
}
