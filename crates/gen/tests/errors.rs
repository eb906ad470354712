//! Every way a zeoraid.toml can be refused, and the sentence it gets.

mod common;

use common::{error, plan_text};
use std::path::Path;
use zeoraid_gen::{load, Pos};

fn server(zeo_conf: &str) -> String {
    format!("[server.zeoraid]\nzeo-conf = \"\"\"\n{zeo_conf}\"\"\"\n")
}

const RAID: &str = "%import gocept.zeoraid\n<raidstorage 1>\n<zeoclient 1>\nserver 8101\n</zeoclient>\n</raidstorage>\n";

#[test]
fn recipe_messages_name_the_part_and_line() {
    let cases = [
        ("nothing useful\n".to_owned(), "No zeo section was defined."),
        (
            format!("<zeo>\naddress 1\n</zeo>\n<zeo>\n</zeo>\n{RAID}"),
            "Too many zeo sections.",
        ),
        (
            format!("<zeo>\n</zeo>\n{RAID}"),
            "No ZEO address was specified.",
        ),
        (
            "<zeo>\naddress 8100\n</zeo>\n".to_owned(),
            "No storages were defined.",
        ),
        (
            format!("<zeo>\naddress foo\n</zeo>\n{RAID}"),
            "Invalid ZEO address 'foo'",
        ),
        (
            format!("<zeo>\naddress host:\n</zeo>\n{RAID}"),
            "Invalid ZEO address 'host:'",
        ),
    ];
    for (zeo_conf, message) in cases {
        assert_eq!(
            error(&server(&zeo_conf)),
            format!("/sample-buildout/zeoraid.toml: [server.zeoraid] zeo-conf (line 2): {message}")
        );
    }
}

#[test]
fn missing_zeo_conf_is_no_zeo_section() {
    assert_eq!(
        error("\n[server.zeoraid]\nname = \"z\"\n"),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] zeo-conf (line 2): No zeo section was defined."
    );
}

#[test]
fn zconfig_syntax_errors_show_the_text() {
    assert_eq!(
        error("[server.server]\nzeo-conf = \"<bad\"\n"),
        "/sample-buildout/zeoraid.toml: [server.server] zeo-conf (line 2): malformed section start \
         (line 1) in:\n<bad\n"
    );
    assert_eq!(
        error(&format!(
            "{}zdaemon-conf = \"\"\"\n<runner>\n\"\"\"\n",
            server(&format!("<zeo>\naddress 1\n</zeo>\n{RAID}"))
        )),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] zdaemon-conf (line 13): unclosed sections \
         not allowed (line 1) in:\n<runner>\n"
    );
}

#[test]
fn malformed_toml_gives_line_and_column() {
    let err = plan_text("[server.x]\nzeo-conf = \"<zeo>\n").unwrap_err();
    assert_eq!(
        err.pos,
        Some(Pos {
            line: 2,
            column: 18
        })
    );
    assert!(
        err.to_string()
            .starts_with("/sample-buildout/zeoraid.toml: invalid TOML (line 2, column 18): "),
        "{err}"
    );
    let err = error("[server.x]\nzeo-conf = 1\nzeo-conf = 2\n");
    assert!(
        err.contains("invalid TOML (line 3, column 1): duplicate key"),
        "{err}"
    );
}

#[test]
fn unknown_keys_get_a_suggestion() {
    assert_eq!(
        error("[server.zeoraid]\n\nzeo-cnf = \"\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `zeo-cnf` in [server.zeoraid] (line 3, column 1); \
         did you mean `zeo-conf`?"
    );
    assert_eq!(
        error("[deployment.demo]\nrun-dir = \"/run\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `run-dir` in [deployment.demo] (line 2, column 1); \
         did you mean `run-directory`?"
    );
    assert_eq!(
        error("[layout]\nbin_directory = \"b\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `bin_directory` in [layout] (line 2, column 1); \
         did you mean `bin-directory`?"
    );
    assert_eq!(
        error("[buildout]\n"),
        "/sample-buildout/zeoraid.toml: unknown key `buildout` at the top level (line 1, column 2); \
         expected one of `layout`, `server`, `deployment`"
    );
    assert_eq!(
        error("[server.x]\neggs = \"ZODB\"\n"),
        "/sample-buildout/zeoraid.toml: unknown key `eggs` in [server.x] (line 2, column 1); expected \
         one of `zeo-conf`, `zdaemon-conf`, `name`, `deployment`, `logrotate`, `pack`, \
         `shell-script`, `runzeo`, `zdaemon`, `zeopack`"
    );
}

#[test]
fn wrong_types() {
    assert_eq!(
        error("[server.x]\nshell-script = \"true\"\n"),
        "/sample-buildout/zeoraid.toml: [server.x] shell-script (line 2, column 16): expected true or \
         false, found the string \"true\"; write shell-script = true without quotes"
    );
    assert_eq!(
        error("[server.x]\nzeo-conf = [\"<zeo>\"]\n"),
        "/sample-buildout/zeoraid.toml: [server.x] zeo-conf (line 2, column 12): expected a string, \
         found an array"
    );
    assert_eq!(
        error("[deployment.d]\nlogrotate = 0\n"),
        "/sample-buildout/zeoraid.toml: [deployment.d] logrotate (line 2, column 13): expected true or \
         false, found an integer"
    );
    assert_eq!(
        error("layout = \"/srv\"\n"),
        "/sample-buildout/zeoraid.toml: `layout` (line 1, column 1) must be a table like [layout], \
         not a string"
    );
}

#[test]
fn unknown_deployment() {
    let conf = server(&format!("<zeo>\naddress 1\n</zeo>\n{RAID}"));
    assert_eq!(
        error(&format!("{conf}deployment = \"dmeo\"\n[deployment.demo]\n")),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] deployment (line 13, column 14): there is no \
         [deployment.dmeo] table; did you mean `demo`?"
    );
    assert_eq!(
        error(&format!("{conf}deployment = \"prod\"\n")),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] deployment (line 13, column 14): there is no \
         [deployment.prod] table; add a [deployment.prod] table"
    );
}

#[test]
fn unsafe_part_names_are_refused() {
    let body = format!("zeo-conf = \"\"\"\n<zeo>\naddress 1\n</zeo>\n{RAID}\"\"\"\n");
    let cases = [
        ("../x", "it contains `/`"),
        ("a/b", "it contains `/`"),
        ("..", "it contains `..`"),
        ("a b", "it contains a space"),
        ("a'b", "it contains `'`"),
        ("a;b", "it contains `;`"),
        ("a$b", "it contains `$`"),
        ("a\\u0007b", "it contains the control character U+0007"),
        ("", "it is empty"),
    ];
    for (name, why) in cases {
        let shown = name.replace("\\u0007", "\\u{7}");
        assert_eq!(
            error(&format!("[server.\"{name}\"]\n{body}")),
            format!(
                "/sample-buildout/zeoraid.toml: [server.{shown}] (line 1): the part name `{shown}` \
                 cannot be used in file names: {why}; use only ASCII letters, digits, `.`, `_` and `-`"
            )
        );
        assert_eq!(
            error(&format!("[server.ok]\nname = \"{name}\"\n{body}")),
            format!(
                "/sample-buildout/zeoraid.toml: [server.ok] name (line 2): the part name `{shown}` \
                 cannot be used in file names: {why}; use only ASCII letters, digits, `.`, `_` and `-`"
            )
        );
    }
}

#[test]
fn unsafe_deployment_user_and_storage_names_are_refused() {
    let ok = server(&format!("<zeo>\naddress 1\n</zeo>\n{RAID}"));
    assert_eq!(
        error(&format!("{ok}deployment = \"d\"\n[deployment.d]\nname = \"../etc\"\n")),
        "/sample-buildout/zeoraid.toml: [deployment.d] name (line 15): the deployment name `../etc` \
         cannot be used in file names: it contains `/`; use only ASCII letters, digits, `.`, `_` and `-`"
    );
    assert_eq!(
        error(&format!("{ok}deployment = \"d\"\n[deployment.d]\nuser = \"bob;rm\"\n")),
        "/sample-buildout/zeoraid.toml: [deployment.d] user (line 15): the user name `bob;rm` cannot \
         be used in file names: it contains `;`; use only ASCII letters, digits, `.`, `_` and `-`"
    );
    assert_eq!(
        error(&server("<zeo>\naddress 1\n</zeo>\n<raidstorage a;b>\n</raidstorage>\n")),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] zeo-conf (line 2): the storage name `a;b` \
         cannot be used in file names: it contains `;`; use only ASCII letters, digits, `.`, `_` and `-`"
    );
}

#[test]
fn unsafe_paths_are_refused() {
    let ok = server(&format!("<zeo>\naddress 1\n</zeo>\n{RAID}"));
    assert_eq!(
        error(&format!("[layout]\nbin-directory = \"my bin\"\n{ok}")),
        "/sample-buildout/zeoraid.toml: [layout] bin-directory (line 2, column 17): the path \
         `/sample-buildout/my bin` cannot be used: it contains a space, which the generated config, \
         cron and shell lines cannot carry"
    );
    assert_eq!(
        error(&format!("{ok}runzeo = \"/opt/zeo$HOME/runzeo\"\n")),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] runzeo (line 13, column 10): the path \
         `/opt/zeo$HOME/runzeo` cannot be used: it contains `$`, which the generated config, cron \
         and shell lines cannot carry"
    );
    let err = plan_text(&ok);
    assert!(err.is_ok());
    let spaced = zeoraid_gen::plan_from_str(&ok, Path::new("/home/me/my project/zeoraid.toml"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        spaced,
        "/home/me/my project/zeoraid.toml: [layout] directory: the path `/home/me/my project` cannot \
         be used: it contains a space, which the generated config, cron and shell lines cannot carry"
    );
}

#[test]
fn two_parts_with_one_output_are_refused() {
    let conf = format!("zeo-conf = \"\"\"\n<zeo>\naddress 1\n</zeo>\n{RAID}\"\"\"\n");
    assert_eq!(
        error(&format!("[server.a]\n{conf}[server.b]\nname = \"a\"\n{conf}")),
        "/sample-buildout/zeoraid.toml: [server.b] (line 13): the rc program /sample-buildout/bin/a \
         is also the rc program of [server.a]; give one of them a different `name`"
    );
    assert_eq!(
        error(&format!("[server.a]\n{conf}[server.a-1-manage]\n{conf}")),
        "/sample-buildout/zeoraid.toml: [server.a-1-manage] (line 13): the rc program \
         /sample-buildout/bin/a-1-manage is also the manage binary of storage `1` of [server.a]; \
         give one of them a different `name`"
    );
    let twice = "<zeo>\naddress 1\n</zeo>\n<raidstorage 1>\n</raidstorage>\n<raidstorage 1>\n</raidstorage>\n";
    assert_eq!(
        error(&server(twice)),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] (line 1): the manage binary of storage `1` \
         /sample-buildout/bin/zeoraid-1-manage is generated twice; give each storage its own name"
    );
}

#[test]
fn pack_problems() {
    let conf = server(&format!("<zeo>\naddress 1\n</zeo>\n{RAID}"));
    assert_eq!(
        error(&format!("{conf}pack = \"1 1 * * 0\"\n")),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] pack (line 13, column 8): packing needs a \
         deployment, whose crontab-directory gets the cron job; add `deployment = \"…\"` or remove \
         `pack`"
    );
    let deployed =
        format!("{conf}deployment = \"d\"\npack = \"1 1 * *\"\n[deployment.d]\nuser = \"zope\"\n");
    assert_eq!(
        error(&deployed),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] pack (line 14, column 8): Too few crontab \
         fields in pack specification"
    );
    assert!(error(&deployed.replace("1 1 * *", "1 1 * * 0 3 a@b c"))
        .ends_with("pack (line 14, column 8): Too many values in pack option"));
    assert_eq!(
        error(&format!("{conf}deployment = \"d\"\npack = \"1 1 * * 0\"\n[deployment.d]\n")),
        "/sample-buildout/zeoraid.toml: [server.zeoraid] pack (line 14, column 8): the pack cron job \
         runs as the deployment's user; set `user` in [deployment.d]"
    );
}

#[test]
fn no_server_parts() {
    assert_eq!(
        error("[layout]\ndirectory = \".\"\n"),
        "/sample-buildout/zeoraid.toml: there are no server parts: add a [server.NAME] table with a \
         zeo-conf"
    );
}

#[test]
fn unreadable_file() {
    let err = load(Path::new("/nonexistent/zeoraid.toml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/zeoraid.toml: cannot read the file: "),
        "{err}"
    );
}

#[test]
fn errors_carry_the_part_key() {
    let err = plan_text("[server.x]\nzeo-conf = \"nothing\"\n").unwrap_err();
    assert_eq!(err.part.as_deref(), Some("x"));
    assert_eq!(err.pos.map(|p| p.line), Some(2));
}
