//! A zdaemon-compatible control program and daemon manager, std only.
//!
//! [`posix`] holds the only `unsafe` code: the libc calls std lacks.

pub mod control;
pub mod log;
pub mod options;
pub mod posix;
pub mod program;
pub mod signals;
pub mod tail;
pub mod transcript;
pub mod words;
