//! The build-script entry: what `build.rs` runs, in the spirit of
//! `prost-build` (a configurable builder over the library's pipeline).

use std::fmt;
use std::path::PathBuf;

use crate::compile::Toolchain;
use crate::stage::{self, Manifest, StageError};

/// Environment variable selecting another `zeoraid.toml`.
pub const CONFIG_ENV: &str = "ZEORAID_CONFIG";

/// Generates and compiles a deployment from a `zeoraid.toml`.
#[derive(Clone, Debug)]
pub struct Builder {
    /// The configuration file.
    pub config: PathBuf,
    /// Where the staged tree goes.
    pub stage_dir: PathBuf,
    /// The rustc setup.
    pub toolchain: Toolchain,
}

/// Why a build failed: a bad configuration or a failed stage.
#[derive(Debug)]
pub enum BuildError {
    /// The configuration was refused.
    Config(crate::Error),
    /// Generating or compiling failed.
    Stage(StageError),
    /// The environment lacks a variable Cargo always sets.
    Env(&'static str),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Config(e) => write!(f, "{e}"),
            BuildError::Stage(e) => write!(f, "{e}"),
            BuildError::Env(name) => write!(f, "{name} is not set; run this from a build script"),
        }
    }
}

impl std::error::Error for BuildError {}

impl Builder {
    /// A builder for a Cargo build script: the config is `$ZEORAID_CONFIG`
    /// (relative to the package) or the package's `zeoraid.toml`; the stage
    /// goes to `$OUT_DIR/zeoraid`.
    pub fn from_cargo_env() -> Result<Builder, BuildError> {
        let manifest_dir = PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").ok_or(BuildError::Env("CARGO_MANIFEST_DIR"))?,
        );
        let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or(BuildError::Env("OUT_DIR"))?);
        let config = match std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
            Some(path) => manifest_dir.join(path),
            None => manifest_dir.join("zeoraid.toml"),
        };
        Ok(Builder {
            config,
            stage_dir: out_dir.join("zeoraid"),
            toolchain: Toolchain::from_build_env(),
        })
    }

    /// Plans, generates and compiles into the stage.
    pub fn build(&self) -> Result<Manifest, BuildError> {
        let plan = crate::load(&self.config).map_err(BuildError::Config)?;
        stage::stage(&plan, &self.toolchain, &self.stage_dir).map_err(BuildError::Stage)
    }

    /// Everything `build.rs` does: tells Cargo when to rerun, builds, and
    /// hands the stage's location to the crate as `ZEORAID_STAGE`.
    pub fn run_build_script(&self) -> Result<Manifest, BuildError> {
        println!("cargo:rerun-if-env-changed={CONFIG_ENV}");
        println!("cargo:rerun-if-changed={}", self.config.display());
        println!(
            "cargo:rerun-if-changed={}",
            crate::compile::core_source_dir().display()
        );
        let manifest = self.build()?;
        println!("cargo:rustc-env=ZEORAID_STAGE={}", self.stage_dir.display());
        println!(
            "cargo:rustc-env=ZEORAID_CONFIG_PATH={}",
            self.config.display()
        );
        Ok(manifest)
    }
}
