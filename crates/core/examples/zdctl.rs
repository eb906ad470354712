//! A zdaemon-style control program with no built-in configuration:
//! `zdctl -C zdaemon.conf start|stop|status|...`. The integration tests
//! drive the daemon through it.

fn main() {
    let args = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    std::process::exit(zeoraid_core::daemon::main(None, args))
}
