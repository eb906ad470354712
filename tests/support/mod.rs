//! The test world: a Python venv with ZEO 6 from PyPI, real `runzeo`
//! servers and RAID set-ups served by the `gocept.zeoraid` test peer in
//! `tests/raidpeer`.
//!
//! Include with `mod support;`. Anything that needs Python, pip or a port
//! panics with the reason; nothing is skipped.
#![allow(dead_code)]

pub mod elf;
pub mod net;
pub mod proxy;
pub mod python;
pub mod raid;
pub mod stage;
pub mod tree;
pub mod zeo;

use std::path::{Path, PathBuf};

/// The workspace root (the root crate's manifest directory).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/raidpeer`, the `PYTHONPATH` entry holding `gocept.zeoraid`.
pub fn raidpeer_dir() -> PathBuf {
    root().join("tests").join("raidpeer")
}
