//! The ZEO client side of the wire protocol.
//!
//! Layered like a small network client: [`transport`] connects with
//! deadlines, [`frame`] cuts the byte stream into
//! length-prefixed messages, [`pickle`] and [`msgpack`] turn message payloads
//! into [`value::Value`]s and back, [`message`] gives those values the shape of
//! ZEO calls and replies, and [`client`] runs a session over a connection.

pub mod client;
pub mod error;
pub mod frame;
pub mod message;
pub mod msgpack;
pub mod pickle;
pub mod transport;
pub mod value;

mod reader;
