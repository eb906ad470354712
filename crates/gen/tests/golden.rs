//! Every example config's full output against `tests/golden/<name>.txt`
//! (`UPDATE_GOLDEN=1 cargo test -p zeoraid-gen --test golden` rewrites them).

mod common;

use common::{assert_golden, dump, plan, tests_dir};

#[test]
fn every_example_config_matches_its_golden_dump() {
    let mut names: Vec<String> = std::fs::read_dir(tests_dir().join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    for name in names {
        assert_golden(&format!("{name}.txt"), &dump(&plan(&name)));
    }
}
