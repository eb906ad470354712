//! Installed trees: snapshots to compare, listings like buildout's `ls`,
//! and text dumps checked against goldens in `tests/golden/`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::elf;

/// One node of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A directory and its permission bits.
    Dir(u32),
    /// A regular file, its permission bits and contents.
    File(u32, Vec<u8>),
    /// Anything else (symlink, socket…), by its file type.
    Other(String),
}

/// Every path below a directory (relative to it) and what it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree(pub BTreeMap<PathBuf, Node>);

impl Tree {
    /// Reads the tree below `dir`; an absent `dir` is an empty tree.
    pub fn of(dir: &Path) -> Tree {
        let mut tree = Tree::default();
        if dir.exists() {
            walk(dir, dir, &mut tree.0);
        }
        tree
    }

    /// The tree as text: one line per path with its kind and a file's mode
    /// (a directory's depends on the umask), then text files in full;
    /// binaries as `ELF` with their linking. `scrub` is applied to file
    /// contents.
    pub fn dump(&self, scrub: &dyn Fn(&str) -> String) -> String {
        let mut listing = String::new();
        let mut texts = String::new();
        for (path, node) in &self.0 {
            let path = path.display();
            match node {
                Node::Dir(_) => listing += &format!("d     {path}/\n"),
                Node::File(mode, data) if data.starts_with(elf::MAGIC) => {
                    let linking = if elf::Elf::parse(data).is_static() {
                        "static"
                    } else {
                        "dynamic"
                    };
                    listing += &format!("f {mode:o} {path} (ELF executable, {linking})\n");
                }
                Node::File(mode, data) => {
                    listing += &format!("f {mode:o} {path}\n");
                    let text = String::from_utf8_lossy(data);
                    texts += &format!("\n=== {path}\n{}", scrub(&text));
                }
                Node::Other(kind) => listing += &format!("? {path} ({kind})\n"),
            }
        }
        listing + &texts
    }
}

/// Panics with the paths that differ between two trees.
#[track_caller]
pub fn assert_same(actual: &Tree, expected: &Tree, context: &str) {
    let mut differences = Vec::new();
    for (path, node) in &expected.0 {
        match actual.0.get(path) {
            None => differences.push(format!("missing {}", path.display())),
            Some(got) if got != node => differences.push(format!("changed {}", path.display())),
            Some(_) => {}
        }
    }
    for path in actual.0.keys().filter(|p| !expected.0.contains_key(*p)) {
        differences.push(format!("unexpected {}", path.display()));
    }
    assert!(
        differences.is_empty(),
        "{context}:\n  {}",
        differences.join("\n  ")
    );
}

fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Node>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let meta = fs::symlink_metadata(&path)
            .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()));
        let rel = path.strip_prefix(base).expect("below the base").to_owned();
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            out.insert(rel, Node::Dir(mode));
            walk(base, &path, out);
        } else if meta.is_file() {
            let data =
                fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.insert(rel, Node::File(mode, data));
        } else {
            out.insert(rel, Node::Other(format!("{:?}", meta.file_type())));
        }
    }
}

/// The names in `dir`, sorted, like the doctests' `ls`.
pub fn ls(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The contents of a text file.
pub fn cat(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The permission bits of `path`.
pub fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Compares `actual` with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites it.
pub fn assert_golden(name: &str, actual: &str) {
    let path = super::root().join("tests").join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).expect("create the golden directory");
        }
        fs::write(&path, actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs (UPDATE_GOLDEN=1 rewrites it); actual:\n{actual}",
        path.display()
    );
}
