//! The zeoraid generator (being written).
//!
//! - [`config`] reads the TOML into settings that remember their line,
//!   refusing unknown keys (with a suggestion) and wrong types.

pub mod config;
pub mod error;
pub mod names;
mod suggest;
mod toml_tree;

pub use error::{Error, Pos};
