//! The std-only runtime core linked into every generated zeoraid binary.
//!
//! `build.rs` compiles this crate with plain `rustc` (no Cargo, no third-party
//! crates) and links each generated `main.rs` against it; the `zeoraid` tool
//! and the tests use the very same code as an ordinary Cargo dependency.
//!
//! - [`addr`]: ZEO server addresses (`PORT`, `HOST:PORT`, `[V6]:PORT`, socket path).
//! - [`zeo`]: the ZEO wire protocol: framing, pickle/msgpack codecs, the client.
//! - [`manage`]: the RAID manage command line and its five commands.
//! - [`zconfig`]: the ZConfig parser and renderer for `zeo.conf`/`zdaemon.conf`.
//! - [`json`]: a minimal JSON writer for `--json` output.

#![deny(unsafe_code)]

pub mod addr;
pub mod daemon;
pub mod json;
pub mod manage;
pub mod zconfig;
pub mod zeo;

mod pyrepr;
