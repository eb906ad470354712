//! A ZEO client session: handshake, `register`, calls.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use super::error::{Error, Limits};
use super::frame::{read_frame, write_frame, DEFAULT_MAX_FRAME};
use super::message::Codec;
use super::transport::{is_timeout, Transport};
use super::value::Value;
use crate::addr::Address;

/// Protocol versions we speak, oldest first (compared as byte strings, as
/// ZEO does when it picks the lower of two versions).
const VERSIONS: [&str; 6] = ["308", "309", "310", "3101", "4", "5"];
/// The handshake frame is a few bytes; anything longer is not ZEO.
const MAX_HANDSHAKE: usize = 64;

/// Connection settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Limit for connecting, the handshake and each call's reply.
    pub timeout: Duration,
    /// Largest message accepted.
    pub max_frame: usize,
    /// Decoder bounds.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            max_frame: DEFAULT_MAX_FRAME,
            limits: Limits::default(),
        }
    }
}

/// A connected, handshaken ZEO client.
#[derive(Debug)]
pub struct Client {
    transport: Transport,
    codec: Codec,
    protocol: String,
    next_msgid: i64,
    options: Options,
}

impl Client {
    /// Connects to `addr` and completes the protocol handshake.
    pub fn connect(addr: &Address, options: &Options) -> Result<Client, Error> {
        let (mut transport, protocol, codec) = greet(addr, options)?;
        write_frame(&mut transport, protocol.as_bytes())
            .map_err(|e| io_error(e, "the handshake", options))?;
        Ok(Client {
            transport,
            codec,
            protocol,
            next_msgid: 1,
            options: options.clone(),
        })
    }

    /// The negotiated protocol, e.g. `Z5` or `M5`.
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// Selects `storage` on the server (read-only when `read_only`).
    pub fn register(&mut self, storage: &str, read_only: bool) -> Result<Value, Error> {
        self.call("register", vec![storage.into(), read_only.into()])
    }

    /// Calls `method(*args)` on the server and waits for its reply, skipping
    /// heartbeats and asynchronous messages (e.g. invalidations).
    pub fn call(&mut self, method: &str, args: Vec<Value>) -> Result<Value, Error> {
        let msgid = self.next_msgid;
        self.next_msgid += 1;
        let payload = self.codec.encode(msgid, 0, method, Value::Tuple(args))?;
        let what = format!("the reply to {method}()");
        self.transport
            .set_deadline(Instant::now() + self.options.timeout);
        write_frame(&mut self.transport, &payload)
            .map_err(|e| io_error(e, &what, &self.options))?;
        loop {
            let frame = read(
                &mut self.transport,
                self.options.max_frame,
                &what,
                &self.options,
            )?;
            let message = self.codec.decode(&frame, &self.options.limits)?;
            if !message.is_reply() {
                continue;
            }
            if message.msgid != msgid {
                return Err(Error::Protocol(format!(
                    "the server replied to message {} while {msgid} was pending",
                    message.msgid
                )));
            }
            return message.into_result();
        }
    }

    /// Closes the connection.
    pub fn close(self) {
        self.transport.shutdown();
    }
}

/// Asks a ZEO 5/6 server for its status (`ruok` in place of a handshake);
/// returns the server's JSON text.
pub fn ruok(addr: &Address, options: &Options) -> Result<String, Error> {
    let (mut transport, _, _) = greet(addr, options)?;
    write_frame(&mut transport, b"ruok").map_err(|e| io_error(e, "the handshake", options))?;
    let reply = read(&mut transport, options.max_frame, "the ruok reply", options)?;
    transport.shutdown();
    String::from_utf8(reply).map_err(|_| Error::Protocol("the ruok reply is not text".into()))
}

/// Connects and reads the server's protocol announcement; returns the
/// transport and the protocol and codec we will answer with.
fn greet(addr: &Address, options: &Options) -> Result<(Transport, String, Codec), Error> {
    let mut transport = Transport::connect(addr, options.timeout)?;
    transport.set_deadline(Instant::now() + options.timeout);
    let what = "the server's handshake";
    let offered = read(&mut transport, MAX_HANDSHAKE, what, options)?;
    let (protocol, codec) = negotiate(&offered)?;
    Ok((transport, protocol, codec))
}

/// Picks our answer to the server's protocol announcement.
pub fn negotiate(offered: &[u8]) -> Result<(String, Codec), Error> {
    let bad = || {
        Error::Protocol(format!(
            "not a ZEO server: it announced {:?}",
            String::from_utf8_lossy(offered)
        ))
    };
    let text = std::str::from_utf8(offered).map_err(|_| bad())?;
    let (letter, version) = text.split_at_checked(1).ok_or_else(bad)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let chosen = VERSIONS
        .iter()
        .copied()
        .filter(|v| v.as_bytes() <= version.as_bytes())
        .max_by(|a, b| a.as_bytes().cmp(b.as_bytes()))
        .ok_or_else(bad)?;
    let codec = match (letter, chosen) {
        ("Z", "5") => Codec::Pickle(3),
        ("Z", _) => Codec::Pickle(1),
        ("M", "5") => Codec::Msgpack,
        _ => return Err(bad()),
    };
    Ok((format!("{letter}{chosen}"), codec))
}

fn read(
    transport: &mut impl Read,
    max: usize,
    what: &str,
    options: &Options,
) -> Result<Vec<u8>, Error> {
    read_frame(transport, max).map_err(|e| match e {
        Error::Io(io) => io_error(io, what, options),
        other => other,
    })
}

fn io_error(e: io::Error, what: &str, options: &Options) -> Error {
    if is_timeout(&e) {
        Error::Timeout {
            waiting_for: what.to_owned(),
            seconds: options.timeout.as_secs_f64(),
        }
    } else {
        Error::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_like_zeo() {
        let pick = |s: &str| negotiate(s.as_bytes());
        assert_eq!(pick("Z5").unwrap(), ("Z5".into(), Codec::Pickle(3)));
        assert_eq!(pick("M5").unwrap(), ("M5".into(), Codec::Msgpack));
        assert_eq!(pick("Z4").unwrap(), ("Z4".into(), Codec::Pickle(1)));
        assert_eq!(pick("Z3101").unwrap(), ("Z3101".into(), Codec::Pickle(1)));
        assert_eq!(pick("Z310").unwrap(), ("Z310".into(), Codec::Pickle(1)));
        assert_eq!(pick("Z309").unwrap(), ("Z309".into(), Codec::Pickle(1)));
        assert_eq!(pick("Z6").unwrap(), ("Z5".into(), Codec::Pickle(3)));
        for bad in ["", "Z", "X5", "M4", "Z2", "HTTP/1.1 400", "Z5\n"] {
            assert!(pick(bad).is_err(), "{bad}");
        }
    }
}
