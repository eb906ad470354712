//! The logrotate file of a deployed part.

/// Rotates `log` weekly, keeps 5, and has the server reopen its transcript
/// through `rc -C zdaemon_conf reopen_transcript`.
pub fn render(log: &str, rc: &str, zdaemon_conf: &str) -> String {
    format!(
        "{log} {{\n  rotate 5\n  weekly\n  postrotate\n    {rc} -C {zdaemon_conf} reopen_transcript\n  endscript\n}}\n"
    )
}
