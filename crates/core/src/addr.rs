//! ZEO server addresses as written in `zeo.conf` and on the command line.

use std::fmt;
use std::path::PathBuf;

/// Where a ZEO server listens.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Address {
    /// A TCP address; `host` carries no brackets, even for IPv6.
    Tcp {
        /// Host name or IP address literal.
        host: String,
        /// Port number.
        port: u16,
    },
    /// A unix-domain socket path.
    Unix(PathBuf),
}

/// The host a bare `address PORT` means for a client.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// An address that could not be understood; displays as the recipe's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrError(pub String);

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid ZEO address '{}'", self.0)
    }
}

impl std::error::Error for AddrError {}

impl Address {
    /// Parses a ZEO address: `PORT`, `HOST:PORT`, `[V6]:PORT`, or a path
    /// (anything containing `/`) for a unix socket.
    pub fn parse(text: &str) -> Result<Address, AddrError> {
        let s = text.trim();
        let bad = || AddrError(text.to_owned());
        if s.is_empty() {
            return Err(bad());
        }
        if s.contains('/') {
            return Ok(Address::Unix(PathBuf::from(s)));
        }
        if let Some(rest) = s.strip_prefix('[') {
            let (host, tail) = rest.split_once(']').ok_or_else(bad)?;
            let port = tail.strip_prefix(':').ok_or_else(bad)?;
            if host.is_empty() || host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad());
            }
            return Ok(Address::Tcp {
                host: host.to_owned(),
                port: parse_port(port).ok_or_else(bad)?,
            });
        }
        match s.rsplit_once(':') {
            None => Ok(Address::Tcp {
                host: DEFAULT_HOST.to_owned(),
                port: parse_port(s).ok_or_else(bad)?,
            }),
            Some((host, port)) => {
                if host.is_empty() || host.contains(':') || host.contains(char::is_whitespace) {
                    return Err(bad());
                }
                Ok(Address::Tcp {
                    host: host.to_owned(),
                    port: parse_port(port).ok_or_else(bad)?,
                })
            }
        }
    }
}

fn parse_port(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for Address {
    /// `HOST:PORT` (`[V6]:PORT` for IPv6 literals) or the socket path, as the
    /// original controller printed it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "{host}:{port}"),
            Address::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16) -> Address {
        Address::Tcp {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(Address::parse("5555"), Ok(tcp("127.0.0.1", 5555)));
        assert_eq!(
            Address::parse("111.111.111.111:4444"),
            Ok(tcp("111.111.111.111", 4444))
        );
        assert_eq!(Address::parse("[::1]:8100"), Ok(tcp("::1", 8100)));
        assert_eq!(
            Address::parse("zeo.example.com:1"),
            Ok(tcp("zeo.example.com", 1))
        );
        assert_eq!(
            Address::parse("/run/zeo.sock"),
            Ok(Address::Unix("/run/zeo.sock".into()))
        );
    }

    #[test]
    fn refuses_nonsense_with_the_recipe_message() {
        for bad in [
            "", "x", "host:", ":80", "1:2:3", "[::1]", "[x]:1", "99999", "a b:1",
        ] {
            let err = Address::parse(bad).unwrap_err();
            assert_eq!(err.to_string(), format!("Invalid ZEO address '{bad}'"));
        }
    }

    #[test]
    fn displays_like_the_controller() {
        assert_eq!(tcp("127.0.0.1", 5555).to_string(), "127.0.0.1:5555");
        assert_eq!(tcp("::1", 5555).to_string(), "[::1]:5555");
    }
}
