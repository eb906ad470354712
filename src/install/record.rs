//! The install record: what an install created, so the next one can remove
//! exactly that and nothing else. Kept as `.zeoraid-installed.toml` in the
//! layout directory, like buildout's `.installed.cfg`.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeoraid_gen::stage::Kind;

/// The record's file name in the layout directory.
pub const FILE_NAME: &str = ".zeoraid-installed.toml";

/// One path an install created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owned {
    /// The part it belongs to.
    pub part: String,
    /// What it is.
    pub kind: Kind,
    /// Its path (without any `--root`).
    pub path: PathBuf,
    /// FNV-1a hash of the contents written, for files; none for directories.
    pub hash: Option<String>,
}

/// Everything the last install created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The owned paths.
    #[serde(rename = "owned", default)]
    pub owned: Vec<Owned>,
}

impl Record {
    /// Reads the record at `path`; a missing record is an empty one.
    pub fn read(path: &Path) -> Result<Record, String> {
        match fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                format!(
                    "{} is damaged ({e}); fix or remove it (zeoraid then removes nothing it installed before)",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Record::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Writes the record atomically.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text =
            toml::to_string(self).map_err(|e| format!("cannot encode the install record: {e}"))?;
        super::write::atomic(path, text.as_bytes(), 0o644)
    }

    /// The entry for `path`, if this record owns it.
    pub fn get(&self, path: &Path) -> Option<&Owned> {
        self.owned.iter().find(|o| o.path == path)
    }
}

/// FNV-1a 64-bit hash of `data`, as hex.
pub fn hash(data: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
