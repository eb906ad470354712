//! Byte streams to a ZEO server (TCP or unix socket) with hard deadlines.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::error::Error;
use crate::addr::Address;

/// A connected stream whose every read and write must finish before a
/// deadline, so a silent or trickling server cannot hang the caller.
#[derive(Debug)]
pub struct Transport {
    stream: Stream,
    deadline: Option<Instant>,
}

#[derive(Debug)]
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Transport {
    /// Connects to `addr`, giving up after `timeout`.
    pub fn connect(addr: &Address, timeout: Duration) -> Result<Transport, Error> {
        let fail = |source| Error::Connect {
            addr: addr.to_string(),
            source,
        };
        let stream = match addr {
            Address::Tcp { host, port } => {
                let candidates = (host.as_str(), *port).to_socket_addrs().map_err(fail)?;
                let mut last = io::Error::new(io::ErrorKind::NotFound, "no address found");
                let mut connected = None;
                for candidate in candidates {
                    match TcpStream::connect_timeout(&candidate, timeout) {
                        Ok(s) => {
                            connected = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let tcp = connected.ok_or_else(|| fail(last))?;
                tcp.set_nodelay(true).map_err(fail)?;
                Stream::Tcp(tcp)
            }
            Address::Unix(path) => Stream::Unix(UnixStream::connect(path).map_err(fail)?),
        };
        Ok(Transport {
            stream,
            deadline: None,
        })
    }

    /// Sets the instant by which pending and future I/O must complete.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
    }

    /// Closes both directions; errors are irrelevant at that point.
    pub fn shutdown(&self) {
        let _ = match &self.stream {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
        };
    }

    /// Time left before the deadline; an error once it has passed.
    fn remaining(&self) -> io::Result<Option<Duration>> {
        match self.deadline {
            None => Ok(None),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"))
                } else {
                    Ok(Some(left))
                }
            }
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        match &mut self.stream {
            Stream::Tcp(s) => {
                s.set_read_timeout(left)?;
                s.read(buf)
            }
            Stream::Unix(s) => {
                s.set_read_timeout(left)?;
                s.read(buf)
            }
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        match &mut self.stream {
            Stream::Tcp(s) => {
                s.set_write_timeout(left)?;
                s.write(buf)
            }
            Stream::Unix(s) => {
                s.set_write_timeout(left)?;
                s.write(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Whether an I/O error means a timeout rather than a failure.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}
