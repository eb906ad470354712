//! Whatever the input, planning answers with a plan or an error, never a
//! panic, and a plan only holds absolute, normalised, safe paths.

mod common;

use std::path::{Component, Path};

use common::plan_text;
use proptest::prelude::*;
use zeoraid_gen::names::path_problem;

fn zconfig_line() -> impl Strategy<Value = String> {
    let word = "[A-Za-z0-9_-]{1,8}";
    prop_oneof![
        6 => (word, "[ -#%&(-~]{0,12}").prop_map(|(k, v)| format!("{k} {v}")),
        1 => "[a-z]{1,3} [$;/:.]{1,3}",
        3 => (word, word).prop_map(|(t, n)| format!("<{t} {n}/>")),
        2 => word.prop_map(|n| format!("<raidstorage {n}/>")),
        1 => word.prop_map(|p| format!("%import {p}")),
        1 => "<zeo/>|<raidstorage [a-z;./$:]{1,4}/>|<[a-z]{1,3}>|</[a-z]{1,3}>|address [0-9a-z:./\\[\\]]{0,12}",
    ]
}

fn assert_clean(path: &Path) {
    assert!(path.is_absolute(), "{}", path.display());
    assert!(
        path.components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_))),
        "{}",
        path.display()
    );
    assert_eq!(path_problem(&path.display().to_string()), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = plan_text(&text);
    }

    #[test]
    fn arbitrary_tables_never_panic(
        table in "(layout|server|deployment|server\\.[a-z'. ]{0,4}|deployment\\.[a-z]{0,3})",
        key in "(zeo-conf|name|deployment|pack|logrotate|shell-script|user|directory|[a-z-]{1,12})",
        value in "(\"[ -!#-~]{0,16}\"|true|false|[0-9]{1,3}|\\[\\]|\\{\\}|1979-05-27)",
    ) {
        let _ = plan_text(&format!("[{table}]\n{key} = {value}\n"));
    }

    #[test]
    fn plans_hold_only_clean_paths(
        lines in proptest::collection::vec(zconfig_line(), 0..16),
        name in "[a-zA-Z0-9_-]{1,8}|[a-zA-Z0-9._ /-]{0,8}",
        skeleton in any::<bool>(),
        deployed in any::<bool>(),
        pack in proptest::option::of("([0-9*]{1,2} ){5}([0-9] )?|[0-9* ]{0,20}"),
    ) {
        let head = if skeleton {
            "<zeo>\naddress 8100\n</zeo>\n<raidstorage 1>\n</raidstorage>\n"
        } else {
            ""
        };
        let mut text = format!(
            "[server.s]\nname = \"{name}\"\nzeo-conf = '''\n{head}{}\n'''\n",
            lines.join("\n")
        );
        if deployed {
            text.push_str("deployment = \"d\"\n");
        }
        if let Some(pack) = &pack {
            text.push_str(&format!("pack = \"{pack}\"\n"));
        }
        text.push_str("[deployment.d]\nuser = \"zope\"\netc-prefix = \"etc\"\n");
        if let Ok(plan) = plan_text(&text) {
            for part in &plan.parts {
                assert_clean(&part.rc);
                for m in &part.manage {
                    assert_clean(&m.path);
                    prop_assert_eq!(m.path.parent(), part.rc.parent());
                }
                for f in &part.files {
                    assert_clean(&f.path);
                }
                for d in &part.directories {
                    assert_clean(d);
                }
            }
        }
    }
}
