//! The zeoraid generator: `zeoraid.toml` → [`Plan`] → rendered files and
//! generated sources → static binaries → a staged tree.
//!
//! - [`config`] reads the TOML into settings that remember their line,
//!   refusing unknown keys (with a suggestion) and wrong types.
//! - [`plan`] resolves names, deployments and paths, checks the zeo.conf and
//!   renders every text file into the plan ([`render`]).
//! - [`Plan::to_json`] is `zeoraid list --json` (see `docs/plan-json.md`).
//!
//! - [`codegen`] writes each binary's `main.rs` (quote → syn → prettyplease),
//!   [`compile`] builds them against the std-only core with `rustc`, and
//!   [`stage`] lays everything out for `zeoraid install`.
//! - [`build`] is what `build.rs` runs.

pub mod build;
pub mod codegen;
pub mod compile;
pub mod config;
pub mod error;
pub mod inspect;
pub mod json;
pub mod names;
pub mod pack;
pub mod paths;
pub mod plan;
pub mod render;
pub mod stage;
mod suggest;
mod toml_tree;

use std::path::Path;

pub use error::{Error, Pos};
pub use plan::{FileOut, ManagePlan, PartPlan, Plan};

/// Reads and plans the `zeoraid.toml` at `path`; relative paths in it
/// resolve against its folder.
pub fn load(path: &Path) -> Result<Plan, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(path, format!("cannot read the file: {e}")))?;
    plan_from_str(&text, path)
}

/// Plans `text`, the contents of the file `origin` (used in messages and as
/// the base of relative paths; a relative origin is taken from the current
/// directory). Reads nothing from disk.
pub fn plan_from_str(text: &str, origin: &Path) -> Result<Plan, Error> {
    let config = config::parse(text, origin)?;
    plan::build(&config, origin)
}
