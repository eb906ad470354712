//! The pack cron file of a deployed part.

use zeoraid_core::addr::Address;

use crate::pack::PackSpec;

/// zeopack's address options for the server's address as written:
/// `-p P` for a bare port, `-h H -p P` with a host, `-U PATH` for a socket.
pub fn zeopack_address(address: &Address, written: &str) -> String {
    match address {
        Address::Unix(path) => format!("-U {}", path.display()),
        Address::Tcp { host, port } if written.contains(':') => format!("-h {host} -p {port}"),
        Address::Tcp { port, .. } => format!("-p {port}"),
    }
}

/// A `MAILTO=` line when the spec has an e-mail address, then one line per
/// storage: `<time> <user> <zeopack> <address> -S <storage> -d <days>`.
pub fn render(
    spec: &PackSpec,
    user: &str,
    zeopack: &str,
    address: &str,
    storages: &[String],
) -> String {
    let mut out = String::new();
    if let Some(mail) = &spec.mailto {
        out.push_str(&format!("MAILTO={mail}\n"));
    }
    let time = spec.time.join(" ");
    for storage in storages {
        out.push_str(&format!(
            "{time} {user} {zeopack} {address} -S {storage} -d {}\n",
            spec.days
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let tcp = |host: &str, port| Address::Tcp {
            host: host.into(),
            port,
        };
        assert_eq!(zeopack_address(&tcp("127.0.0.1", 8100), "8100"), "-p 8100");
        assert_eq!(
            zeopack_address(&tcp("zeo", 8100), "zeo:8100"),
            "-h zeo -p 8100"
        );
        assert_eq!(
            zeopack_address(&tcp("::1", 8100), "[::1]:8100"),
            "-h ::1 -p 8100"
        );
        assert_eq!(
            zeopack_address(&Address::Unix("/run/zeo.sock".into()), "/run/zeo.sock"),
            "-U /run/zeo.sock"
        );
    }
}
