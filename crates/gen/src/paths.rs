//! Resolving and normalising the paths of a plan.

use std::path::{Component, Path, PathBuf};

/// `path` against `base` (unless absolute), with `.` and `..` resolved
/// lexically; the result has no trailing `/`.
pub fn resolve(base: &Path, path: &str) -> PathBuf {
    normalize(&base.join(path))
}

/// Lexical normalisation: drops `.`, applies `..` (never above the root).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_and_normalises() {
        let base = Path::new("/srv/app");
        assert_eq!(resolve(base, "."), PathBuf::from("/srv/app"));
        assert_eq!(resolve(base, "bin/"), PathBuf::from("/srv/app/bin"));
        assert_eq!(resolve(base, "../x/./y"), PathBuf::from("/srv/x/y"));
        assert_eq!(resolve(base, "/etc/zeo"), PathBuf::from("/etc/zeo"));
        assert_eq!(resolve(base, "/../../a"), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("a/../..")), PathBuf::from(".."));
        assert_eq!(normalize(Path::new("../../a")), PathBuf::from("../../a"));
    }
}
