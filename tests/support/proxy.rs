//! A byte-for-byte forwarder from an IPv6 loopback port or a unix socket to
//! a TCP port on 127.0.0.1, so that clients configured for `[::1]:PORT` or a
//! socket path reach a test server that listens on IPv4 only.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Forwards connections until dropped.
pub struct Proxy {
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
}

impl Proxy {
    /// Listens on `[::1]` (a free port, returned) and forwards to
    /// 127.0.0.1:`to`. Panics if IPv6 loopback is unavailable.
    pub fn ipv6(to: u16) -> (Proxy, u16) {
        let listener = TcpListener::bind("[::1]:0")
            .unwrap_or_else(|e| panic!("cannot listen on [::1] (is IPv6 loopback there?): {e}"));
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let port = listener.local_addr().expect("a bound address").port();
        let proxy = Proxy::start(to, move || {
            let (stream, _) = listener.accept()?;
            stream.set_nonblocking(false)?;
            Ok(Box::new(stream) as Box<dyn Duplex>)
        });
        (proxy, port)
    }

    /// Listens on the unix socket `path` and forwards to 127.0.0.1:`to`.
    pub fn unix(path: &Path, to: u16) -> Proxy {
        let listener = UnixListener::bind(path)
            .unwrap_or_else(|e| panic!("cannot listen on {}: {e}", path.display()));
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        Proxy::start(to, move || {
            let (stream, _) = listener.accept()?;
            stream.set_nonblocking(false)?;
            Ok(Box::new(stream) as Box<dyn Duplex>)
        })
    }

    /// How many connections were accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Runs `accept` (which polls a non-blocking listener) in a thread.
    fn start(
        to: u16,
        accept: impl FnMut() -> io::Result<Box<dyn Duplex>> + Send + 'static,
    ) -> Proxy {
        let proxy = Proxy {
            stop: Arc::new(AtomicBool::new(false)),
            accepted: Arc::new(AtomicUsize::new(0)),
        };
        let (stop, accepted) = (proxy.stop.clone(), proxy.accepted.clone());
        let mut accept = accept;
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match accept() {
                    Ok(client) => {
                        accepted.fetch_add(1, Ordering::SeqCst);
                        if let Ok(server) = TcpStream::connect(("127.0.0.1", to)) {
                            forward(client, server);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => return,
                }
            }
        });
        proxy
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A connected stream of either kind.
trait Duplex: Read + Write + Send {
    fn split(&self) -> io::Result<Box<dyn Duplex>>;
    fn close_write(&self);
}

impl Duplex for TcpStream {
    fn split(&self) -> io::Result<Box<dyn Duplex>> {
        Ok(Box::new(self.try_clone()?))
    }
    fn close_write(&self) {
        let _ = self.shutdown(Shutdown::Write);
    }
}

impl Duplex for UnixStream {
    fn split(&self) -> io::Result<Box<dyn Duplex>> {
        Ok(Box::new(self.try_clone()?))
    }
    fn close_write(&self) {
        let _ = self.shutdown(Shutdown::Write);
    }
}

/// Copies both ways in two threads, closing each direction at its end.
fn forward(client: Box<dyn Duplex>, server: TcpStream) {
    let (Ok(client_back), Ok(server_back)) = (client.split(), server.try_clone()) else {
        return;
    };
    let server: Box<dyn Duplex> = Box::new(server);
    let server_back: Box<dyn Duplex> = Box::new(server_back);
    for (mut from, mut to) in [(client, server), (server_back, client_back)] {
        thread::spawn(move || {
            let _ = io::copy(&mut from, &mut to);
            to.close_write();
        });
    }
}
