//! Shared helpers: example configs planned as if they sat in
//! `/sample-buildout` (the recipe doctests' directory), file lookup, dumps.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use zeoraid_gen::{plan_from_str, Error, PartPlan, Plan};

/// Where the example configs are planned from.
pub const ROOT: &str = "/sample-buildout";

/// The folder of this crate's tests.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The text of `tests/configs/<name>.toml`.
pub fn config_text(name: &str) -> String {
    let path = tests_dir().join("configs").join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `tests/configs/<name>.toml` planned from `/sample-buildout/zeoraid.toml`.
pub fn plan(name: &str) -> Plan {
    plan_text(&config_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `text` planned from `/sample-buildout/zeoraid.toml`.
pub fn plan_text(text: &str) -> Result<Plan, Error> {
    plan_from_str(text, &Path::new(ROOT).join("zeoraid.toml"))
}

/// The error `text` gives, as displayed.
pub fn error(text: &str) -> String {
    match plan_text(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The only part of `plan`.
pub fn only_part(plan: &Plan) -> &PartPlan {
    assert_eq!(plan.parts.len(), 1);
    &plan.parts[0]
}

/// The contents of the generated file at `path` (absolute).
pub fn file<'p>(plan: &'p Plan, path: &str) -> &'p str {
    plan.parts
        .iter()
        .flat_map(|p| &p.files)
        .find(|f| f.path == Path::new(path))
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("no file {path}; have {:?}", file_names(plan)))
}

/// Every generated file's path, sorted.
pub fn file_names(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = plan
        .parts
        .iter()
        .flat_map(|p| &p.files)
        .map(|f| f.path.display().to_string())
        .collect();
    names.sort();
    names
}

/// Everything a plan produces, as text: the JSON listing, then per part its
/// rc, shell-script flag, programs, directories, manage binaries and files.
pub fn dump(plan: &Plan) -> String {
    let mut out = plan.to_json().pretty();
    for part in &plan.parts {
        out.push_str(&format!("\n##### part {}\n", part.key));
        out.push_str(&format!(
            "rc {} (shell script: {})\n",
            part.rc.display(),
            part.shell_script
        ));
        out.push_str(&format!(
            "programs {} {} {}\n",
            part.runzeo.display(),
            part.zdaemon.display(),
            part.zeopack.display()
        ));
        out.push_str(&format!("storages {}\n", part.storages.join(" ")));
        for dir in &part.directories {
            out.push_str(&format!("directory {}\n", dir.display()));
        }
        for m in &part.manage {
            out.push_str(&format!(
                "manage {} {} {}\n",
                m.storage,
                m.path.display(),
                m.address
            ));
        }
        for f in &part.files {
            out.push_str(&format!(
                "\n=== {} (mode {:o})\n{}",
                f.path.display(),
                f.mode,
                f.contents
            ));
        }
    }
    out
}

/// Compares `actual` with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites it.
pub fn assert_golden(name: &str, actual: &str) {
    let path = tests_dir().join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
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
