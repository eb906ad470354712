//! ZConfig parsing and rendering: the seed's zeo.conf, every error, `%define`,
//! and properties over arbitrary input.

use proptest::prelude::*;
use zeoraid_core::zconfig::{parse, parse_with_env, render, Section};

/// The seed's first part, as the buildout section wrote it.
const SEED_ZEO_CONF: &str = "
   <zeo>
      address 5555
      monitor-address 8101
      transaction-timeout 300
   </zeo>
   %import gocept.zeoraid
   <raidstorage 1>
      <zeoclient 1>
          address 8101
      </zeoclient>
   </raidstorage>
";

#[test]
fn seed_zeo_conf_renders_byte_for_byte() {
    let mut config = parse(SEED_ZEO_CONF).unwrap();
    let mut logfile = Section::new("logfile", None);
    logfile.set("path", "STDOUT");
    let mut eventlog = Section::new("eventlog", None);
    eventlog.sections.push(logfile);
    config.root.sections.push(eventlog);
    assert_eq!(
        render(&config),
        include_str!("../../../tests/golden/seed-zeo.conf")
    );
}

#[test]
fn structure_of_the_seed() {
    let config = parse(SEED_ZEO_CONF).unwrap();
    assert_eq!(config.imports, ["gocept.zeoraid"]);
    let zeo: Vec<_> = config.root.sections_of("zeo").collect();
    assert_eq!(zeo.len(), 1);
    assert_eq!(zeo[0].get("address"), Some("5555"));
    assert_eq!(zeo[0].line, 2);
    let raid = &config.root.sections[1];
    assert_eq!(
        (raid.type_.as_str(), raid.name.as_deref()),
        ("raidstorage", Some("1"))
    );
    assert_eq!(raid.sections[0].get("address"), Some("8101"));
}

#[test]
fn types_and_names_are_lowercased_keys_are_not() {
    let config = parse("<RaidStorage Main>\nKey Value\n</RAIDSTORAGE>\n<Empty X/>\n").unwrap();
    let s = &config.root.sections[0];
    assert_eq!(
        (s.type_.as_str(), s.name.as_deref()),
        ("raidstorage", Some("main"))
    );
    assert_eq!(s.keys, [("Key".to_owned(), "Value".to_owned())]);
    let e = &config.root.sections[1];
    assert_eq!((e.type_.as_str(), e.name.as_deref()), ("empty", Some("x")));
    assert!(e.keys.is_empty() && e.sections.is_empty());
}

#[test]
fn comments_blank_lines_whitespace_and_empty_values() {
    let config = parse("# c\n\n  \t key   a  value \t\r\n   # not a key\nflag\n").unwrap();
    assert_eq!(
        config.root.keys,
        [
            ("key".to_owned(), "a  value".to_owned()),
            ("flag".to_owned(), String::new())
        ]
    );
}

#[test]
fn defines_substitute_into_values_and_imports() {
    let text = "%define HOME /srv/zeo\n%define pkg gocept.zeoraid\n%define both ${home}/$pkg\n\
                %import $pkg\n<filestorage 1>\npath $HOME/Data.fs\nprice 5$$\nall $both\n</filestorage>\n";
    let config = parse(text).unwrap();
    assert_eq!(config.imports, ["gocept.zeoraid"]);
    let fs = &config.root.sections[0];
    assert_eq!(fs.get("path"), Some("/srv/zeo/Data.fs"));
    assert_eq!(fs.get("price"), Some("5$"));
    assert_eq!(fs.get("all"), Some("/srv/zeo/gocept.zeoraid"));
    assert_eq!(
        render(&config),
        "%import gocept.zeoraid\n\n<filestorage 1>\n  all /srv/zeo/gocept.zeoraid\n  \
         path /srv/zeo/Data.fs\n  price 5$$\n</filestorage>\n"
    );
    // Defining the same text again is allowed, as in ZConfig.
    assert!(parse("%define a x\n%define A x\n").is_ok());
}

#[test]
fn environment_references_need_parse_with_env() {
    let env = |name: &str| (name == "USER").then(|| "bob".to_owned());
    let config = parse_with_env("user $(USER)\n", &env).unwrap();
    assert_eq!(config.root.get("user"), Some("bob"));
    assert_eq!(
        parse("user $(USER)\n").unwrap_err().to_string(),
        "environment substitution '$(USER)' is not supported (line 1)"
    );
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn every_syntax_error_with_its_line() {
    let cases: &[(&str, &str)] = &[
        ("<bad\n", "malformed section start (line 1)"),
        ("<\n", "malformed section start (line 1)"),
        ("<a>\n</a\n", "malformed section end (line 2)"),
        ("</\n", "malformed section end (line 1)"),
        ("<a>\n</b>\n", "unbalanced section end (line 2)"),
        ("<a>\n</a b>\n", "unbalanced section end (line 2)"),
        ("\n</a>\n", "unexpected section end (line 2)"),
        ("<a>\n<b>\n</b>\n", "unclosed sections not allowed (line 3)"),
        ("<a>", "unclosed sections not allowed (line 1)"),
        ("(x y\n", "malformed configuration data (line 1)"),
        (")\n", "malformed configuration data (line 1)"),
        ("<>\n", "malformed section header (line 1)"),
        ("<a b c>\n", "malformed section header (line 1)"),
        ("< a>\n", "malformed section header (line 1)"),
        ("<a(b)>\n", "malformed section header (line 1)"),
        ("%\n", "missing or unrecognized directive (line 1)"),
        ("% import x\n", "missing or unrecognized directive (line 1)"),
        ("%foo bar\n", "unknown directive: 'foo' (line 1)"),
        ("%IMPORT x\n", "unknown directive: 'IMPORT' (line 1)"),
        (
            "%import\n",
            "missing argument to %import directive (line 1)",
        ),
        (
            "%define\n",
            "missing argument to %define directive (line 1)",
        ),
        ("%define a x\n%define a y\n", "cannot redefine 'a' (line 2)"),
        (
            "%define 1a x\n",
            "not a substitution legal name: '1a' (line 1)",
        ),
        (
            "%define a-b x\n",
            "not a substitution legal name: 'a-b' (line 1)",
        ),
        ("\nk $nope\n", "no replacement for 'nope' (line 2)"),
        ("k ${Nope}\n", "no replacement for 'Nope' (line 1)"),
        ("k a$\n", "illegal lone '$' at end of source (line 1)"),
        ("k ${\n", "'${' not followed by name (line 1)"),
        ("%define a 1\nk ${a\n", "'${a' not followed by '}' (line 2)"),
        ("k $-\n", "'$' not followed by '$' or name (line 1)"),
        ("%import $x\n", "no replacement for 'x' (line 1)"),
    ];
    for (text, message) in cases {
        assert_eq!(&error(text), message, "for {text:?}");
    }
    let include = parse("\n%include other.conf\n").unwrap_err();
    assert_eq!(include.line, 2);
    assert!(
        include.message.starts_with("%include is not supported: "),
        "{include}"
    );
    assert!(include.message.contains("other.conf"), "{include}");
}

#[test]
fn error_fields() {
    let err = parse("<zeo>\n  address 1\n<bad\n").unwrap_err();
    assert_eq!(err.message, "malformed section start");
    assert_eq!(err.line, 3);
}

/// Lines built from ZConfig's syntactic pieces, so that the generator hits
/// sections, directives and substitutions often.
fn zconfig_line() -> impl Strategy<Value = String> {
    let word = "[A-Za-z_][A-Za-z0-9_./:-]{0,6}";
    prop_oneof![
        (word, proptest::option::of(word)).prop_map(|(t, n)| match n {
            Some(n) => format!("<{t} {n}>"),
            None => format!("<{t}>"),
        }),
        word.prop_map(|t| format!("</{t}>")),
        (word, word).prop_map(|(t, n)| format!("<{t} {n}/>")),
        (word, "[ -~]{0,12}").prop_map(|(k, v)| format!("{k} {v}")),
        (word, word).prop_map(|(n, v)| format!("%define {n} {v}")),
        word.prop_map(|p| format!("%import {p}")),
        "[ -~\t\u{a0}\u{1c}\u{e9}]{0,16}",
        Just(String::new()),
        Just("# comment".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text).map(|c| render(&c));
    }

    #[test]
    fn arbitrary_lines_never_panic(lines in proptest::collection::vec(zconfig_line(), 0..24)) {
        let _ = parse(&lines.join("\n")).map(|c| render(&c));
    }

    #[test]
    fn rendering_is_a_fixed_point(lines in proptest::collection::vec(zconfig_line(), 0..24)) {
        if let Ok(config) = parse(&lines.join("\n")) {
            let once = render(&config);
            let again = parse(&once).map(|c| render(&c));
            prop_assert_eq!(again.as_deref(), Ok(once.as_str()));
        }
    }

    #[test]
    fn balanced_sections_always_parse(
        types in proptest::collection::vec("[a-z]{1,5}", 1..6),
        keys in proptest::collection::vec(("[a-z-]{1,8}", "[ -#%-~]{0,10}"), 0..6),
    ) {
        let mut text = String::new();
        for t in &types {
            text.push_str(&format!("<{t}>\n"));
        }
        for (k, v) in &keys {
            text.push_str(&format!("{k} {v}\n"));
        }
        for t in types.iter().rev() {
            text.push_str(&format!("</{}>\n", t.to_uppercase()));
        }
        let config = parse(&text).unwrap();
        let once = render(&config);
        prop_assert_eq!(render(&parse(&once).unwrap()), once);
    }
}
