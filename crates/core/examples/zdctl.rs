//! A zdaemon-style control program with no built-in configuration:
//! `zdctl -C zdaemon.conf start|stop|status|...`. The integration tests
//! drive the daemon through it.

fn main() {
    std::process::exit(zeoraid_core::daemon::main(
        None,
        std::env::args().skip(1).collect(),
    ))
}
