//! Ports on the loopback interface.

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("cannot bind a port on 127.0.0.1: {e}"));
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

/// Polls until `addr` accepts a TCP connection; false after `timeout`.
pub fn wait_for_port(addr: impl ToSocketAddrs, timeout: Duration) -> bool {
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .map(Iterator::collect)
        .unwrap_or_default();
    let deadline = Instant::now() + timeout;
    loop {
        for addr in &addrs {
            if TcpStream::connect_timeout(addr, Duration::from_millis(200)).is_ok() {
                return true;
            }
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(50));
    }
}
