//! The staged tree: every binary and file of a plan, built into one folder
//! (`OUT_DIR/zeoraid` under Cargo) with a manifest that `zeoraid install`
//! lays out at the absolute paths the plan gives.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::codegen;
use crate::compile::{self, CompileError, Job, Toolchain};
use crate::plan::Plan;

/// The manifest's file name inside the stage.
pub const MANIFEST: &str = "manifest.toml";

/// What an entry installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A compiled server wrapper (`bin/<part>`).
    Server,
    /// A compiled manage binary (`bin/<part>-<storage>-manage`).
    Manage,
    /// A rendered `/bin/sh` control script (`shell-script = true`).
    Script,
    /// A rendered configuration file.
    File,
    /// A directory the deployment needs (run, log, parts).
    Directory,
}

impl Kind {
    /// Whether buildout would have said "Generated script" for it.
    pub fn is_script(self) -> bool {
        matches!(self, Kind::Server | Kind::Manage | Kind::Script)
    }
}

/// One thing to install.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The part (table key) it belongs to.
    pub part: String,
    /// What it is.
    pub kind: Kind,
    /// Its absolute install path.
    pub target: PathBuf,
    /// Its staged copy, relative to the stage; none for directories.
    pub source: Option<PathBuf>,
    /// Permission bits.
    pub mode: u32,
    /// The user a directory is handed to (a deployment's run and log
    /// directories belong to its `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// The staged tree's manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The layout directory, where the install keeps its own manifest.
    pub directory: PathBuf,
    /// Everything to install, part by part: directories, the control
    /// program, manage binaries, configuration files.
    #[serde(rename = "entry", default)]
    pub entries: Vec<Entry>,
}

/// Why staging failed.
#[derive(Debug)]
pub enum StageError {
    /// Writing the stage failed.
    Io(PathBuf, std::io::Error),
    /// rustc failed.
    Compile(CompileError),
    /// The manifest could not be written or read.
    Manifest(String),
}

impl fmt::Display for StageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StageError::Io(path, e) => write!(f, "cannot write {}: {e}", path.display()),
            StageError::Compile(e) => write!(f, "{e}"),
            StageError::Manifest(e) => write!(f, "bad stage manifest: {e}"),
        }
    }
}

impl std::error::Error for StageError {}

impl From<CompileError> for StageError {
    fn from(e: CompileError) -> Self {
        StageError::Compile(e)
    }
}

/// Generates and compiles everything `plan` describes into `stage_dir`:
/// sources in `src/`, the core in `core/`, binaries and files mirrored under
/// `root/` at their install paths, and [`MANIFEST`].
pub fn stage(plan: &Plan, tc: &Toolchain, stage_dir: &Path) -> Result<Manifest, StageError> {
    let rlib = compile::compile_core(tc, &compile::core_source_dir(), &stage_dir.join("core"))?;
    let root = stage_dir.join("root");
    if root.exists() {
        fs::remove_dir_all(&root).map_err(|e| StageError::Io(root.clone(), e))?;
    }
    let mut manifest = Manifest {
        directory: plan.directory.clone(),
        entries: Vec::new(),
    };
    let mut jobs = Vec::new();
    for part in &plan.parts {
        let entry = |kind: Kind, target: &Path, source: Option<PathBuf>, mode: u32| Entry {
            part: part.key.clone(),
            kind,
            target: target.to_owned(),
            source,
            mode,
            owner: None,
        };
        for dir in &part.directories {
            manifest.entries.push(Entry {
                owner: part.user.clone(),
                ..entry(Kind::Directory, dir, None, 0o755)
            });
        }
        let mut binaries = Vec::new();
        if !part.shell_script {
            binaries.push((
                Kind::Server,
                &part.rc,
                codegen::server_source(&part.zdaemon_conf),
            ));
        }
        for manage in &part.manage {
            let source = codegen::manage_source(&manage.address, &manage.storage);
            binaries.push((Kind::Manage, &manage.path, source));
        }
        let (scripts, configs): (Vec<_>, Vec<_>) = part
            .files
            .iter()
            .partition(|f| part.shell_script && f.path == part.rc);
        for file in &scripts {
            let staged = mirrored(&file.path);
            write(&root.join(&staged), file.contents.as_bytes())?;
            manifest
                .entries
                .push(entry(Kind::Script, &file.path, Some(staged), file.mode));
        }
        for (kind, target, source) in binaries {
            let staged = mirrored(target);
            let src = stage_dir
                .join("src")
                .join(format!("{}.rs", staged.display()));
            write(&src, source.as_bytes())?;
            create_parent(&root.join(&staged))?;
            jobs.push(Job {
                source: src,
                output: root.join(&staged),
            });
            manifest
                .entries
                .push(entry(kind, target, Some(staged), 0o755));
        }
        for file in configs {
            let staged = mirrored(&file.path);
            write(&root.join(&staged), file.contents.as_bytes())?;
            manifest
                .entries
                .push(entry(Kind::File, &file.path, Some(staged), file.mode));
        }
    }
    compile::compile_binaries(tc, &rlib, &jobs, stage_dir)?;
    let text = toml::to_string(&manifest).map_err(|e| StageError::Manifest(e.to_string()))?;
    write(&stage_dir.join(MANIFEST), text.as_bytes())?;
    Ok(manifest)
}

/// Reads the manifest of a staged tree.
pub fn read_manifest(stage_dir: &Path) -> Result<Manifest, StageError> {
    let path = stage_dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| StageError::Io(path.clone(), e))?;
    toml::from_str(&text).map_err(|e| StageError::Manifest(format!("{}: {e}", path.display())))
}

/// An absolute path as a relative one (`/a/b` → `a/b`), for mirroring.
pub fn mirrored(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect()
}

fn create_parent(path: &Path) -> Result<(), StageError> {
    match path.parent() {
        Some(parent) => {
            fs::create_dir_all(parent).map_err(|e| StageError::Io(parent.to_owned(), e))
        }
        None => Ok(()),
    }
}

fn write(path: &Path, contents: &[u8]) -> Result<(), StageError> {
    create_parent(path)?;
    fs::write(path, contents).map_err(|e| StageError::Io(path.to_owned(), e))
}
