//! What `zeoraid install` must never do, and how it recovers: it removes
//! only what it created, refuses to overwrite what it did not, writes
//! nothing on `--dry-run`, repeats cleanly, picks up after a half-finished
//! run, and says clearly when its record or a configuration is bad.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::stage::{gen_config, install, install_ok, tempdir, zeoraid, Project, Stage};
use support::tree::{assert_same, cat, Tree};
use zeoraid_gen::build::{BuildError, Builder};

const RECORD: &str = ".zeoraid-installed.toml";

/// The seed's two steps staged from one project, and an install root.
struct Seed {
    project: Project,
    step1: Stage,
    step2: Stage,
    root: tempfile::TempDir,
}

impl Seed {
    fn new() -> Seed {
        let project = Project::new(&gen_config("seed-deployment"));
        let step2 = project.stage();
        project.write_config(&gen_config("seed"));
        let step1 = project.stage();
        Seed {
            project,
            step1,
            step2,
            root: tempdir("zeoraid-root-"),
        }
    }

    /// Installs `stage`; returns the scrubbed output.
    fn install(&self, stage: &Stage, extra: &[&str]) -> String {
        let out = install_ok(stage.path(), self.root.path(), extra);
        self.project.scrub(self.root.path(), &out)
    }

    /// Installs `stage` expecting failure; returns the scrubbed stderr.
    fn refused(&self, stage: &Stage) -> String {
        let output = install(stage.path(), self.root.path(), &[]);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert!(output.stdout.is_empty(), "{output:?}");
        self.project
            .scrub(self.root.path(), &String::from_utf8_lossy(&output.stderr))
    }

    fn at(&self, rel: &str) -> PathBuf {
        self.project.under(self.root.path()).join(rel)
    }

    /// Everything below the root.
    fn tree(&self) -> Tree {
        Tree::of(self.root.path())
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("create the parent");
    fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

#[test]
fn switching_keeps_user_files_logs_and_changed_files() {
    let seed = Seed::new();
    seed.install(&seed.step1, &[]);
    write(&seed.at("parts/zeoraid/zeo.log"), "log line\n");
    write(&seed.at("parts/zeoraid/notes.txt"), "mine\n");
    write(&seed.at("parts/zeoraid2/zeo.conf"), "edited by hand\n");

    let out = seed.install(&seed.step2, &[]);
    for line in [
        "Kept '/sample-buildout/parts/zeoraid': it holds files zeoraid did not create.\n",
        "Kept '/sample-buildout/parts/zeoraid2/zeo.conf': changed since zeoraid installed it.\n",
        "Kept '/sample-buildout/parts/zeoraid2': it holds files zeoraid did not create.\n",
        "Removed '/sample-buildout/parts/zeoraid/zeo.conf'.\n",
        "Removed '/sample-buildout/bin/zeoraid'.\n",
    ] {
        assert!(out.contains(line), "{line:?} missing in:\n{out}");
    }
    assert_eq!(cat(&seed.at("parts/zeoraid/zeo.log")), "log line\n");
    assert_eq!(cat(&seed.at("parts/zeoraid/notes.txt")), "mine\n");
    assert_eq!(cat(&seed.at("parts/zeoraid2/zeo.conf")), "edited by hand\n");
    assert!(!seed.at("parts/zeoraid/zdaemon.conf").exists());
    assert!(!seed.at("bin/zeoraid").exists());

    let before = seed.tree();
    assert_eq!(seed.install(&seed.step2, &[]), "Updating zeoraid.\n");
    assert_same(
        &seed.tree(),
        &before,
        "a repeated install touched kept files",
    );
}

#[test]
fn refuses_to_overwrite_what_it_did_not_create() {
    let seed = Seed::new();
    write(&seed.at("bin/zeoraid-1-manage"), "#!/bin/sh\necho mine\n");
    let before = seed.tree();
    let err = seed.refused(&seed.step1);
    assert_eq!(
        err,
        "zeoraid install: nothing was installed:\n  /sample-buildout/bin/zeoraid-1-manage exists \
         and was not installed by zeoraid; move it away first\n"
    );
    assert_same(&seed.tree(), &before, "a refused install changed the tree");
}

#[test]
fn refuses_files_and_directories_in_each_others_way() {
    let seed = Seed::new();
    write(&seed.at("parts/zeoraid"), "a file where a directory goes\n");
    fs::create_dir_all(seed.at("bin/zeoraid2")).expect("a directory where a binary goes");
    let before = seed.tree();
    let err = seed.refused(&seed.step1);
    assert!(
        err.contains("/sample-buildout/parts/zeoraid exists and is not a directory"),
        "{err}"
    );
    assert!(
        err.contains("/sample-buildout/bin/zeoraid2 is a directory"),
        "{err}"
    );
    assert_same(&seed.tree(), &before, "a refused install changed the tree");
}

#[test]
fn dry_run_writes_nothing() {
    let seed = Seed::new();
    let out = seed.install(&seed.step1, &["--dry-run"]);
    assert!(
        out.starts_with(
            "Would: Installing zeoraid.\nWould: Generated script '/sample-buildout/bin/zeoraid'.\n"
        ),
        "{out}"
    );
    assert_same(&seed.tree(), &Tree::default(), "a dry run wrote files");

    seed.install(&seed.step1, &[]);
    let before = seed.tree();
    let out = seed.install(&seed.step2, &["--dry-run"]);
    assert!(
        out.starts_with("Would: Uninstalling zeoraid2.\nWould: Uninstalling zeoraid.\n"),
        "{out}"
    );
    assert!(
        out.contains("Would: Removed '/sample-buildout/bin/zeoraid'.\n"),
        "{out}"
    );
    assert_same(&seed.tree(), &before, "a dry run changed the tree");
}

#[test]
fn reinstalling_changes_nothing() {
    let seed = Seed::new();
    seed.install(&seed.step1, &[]);
    let first = seed.tree();
    assert_eq!(
        seed.install(&seed.step1, &[]),
        "Updating zeoraid.\nUpdating zeoraid2.\n"
    );
    assert_same(&seed.tree(), &first, "a repeated install changed the tree");
}

/// The paths an install record owns, files and directories apart.
fn owned(record: &str) -> (Vec<String>, Vec<String>) {
    let value: toml::Value = toml::from_str(record).expect("a readable record");
    let entries = value.get("owned").and_then(|o| o.as_array());
    let (files, dirs): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .flatten()
        .partition(|e| e.get("hash").is_some());
    let paths = |list: Vec<&toml::Value>| {
        list.iter()
            .map(|e| e["path"].as_str().expect("a path").to_owned())
            .collect()
    };
    (paths(files), paths(dirs))
}

#[test]
fn a_half_finished_install_recovers() {
    let seed = Seed::new();
    seed.install(&seed.step1, &[]);
    let complete = seed.tree();
    let record = cat(&seed.at(RECORD));
    let (all_files, all_dirs) = owned(&record);
    assert_eq!((all_files.len(), all_dirs.len()), (8, 2), "{record}");

    // Files missing, the record cut after its first three entries (the
    // directory parts/zeoraid and two binaries).
    fs::remove_file(seed.at("bin/zeoraid-1-manage")).expect("remove a binary");
    fs::remove_file(seed.at("parts/zeoraid2/zeo.conf")).expect("remove a config");
    let cut = record
        .match_indices("[[owned]]")
        .nth(3)
        .expect("4 entries")
        .0;
    write(&seed.at(RECORD), &record[..cut]);
    seed.install(&seed.step1, &[]);
    let mut recovered = seed.tree();
    let mut expected = complete.clone();
    let record_path = seed.at(RECORD);
    let record_rel = record_path
        .strip_prefix(seed.root.path())
        .expect("below the root");
    recovered.0.remove(record_rel);
    expected.0.remove(record_rel);
    assert_same(
        &recovered,
        &expected,
        "after recovering from missing files and a cut record",
    );
    // Every file is owned again; of the directories only the one still
    // recorded: the other may have been there before.
    let (files, dirs) = owned(&cat(&seed.at(RECORD)));
    assert_eq!(files, all_files);
    assert_eq!(dirs, all_dirs[..1]);

    // The switch to the deployment removes every file of the first step,
    // and the directory whose ownership was lost stays, empty.
    seed.install(&seed.step2, &[]);
    assert!(!seed.at("parts/zeoraid").exists());
    assert!(!seed.at("bin/zeoraid2-1-manage").exists());
    assert!(support::tree::ls(&seed.at("parts/zeoraid2")).is_empty());
}

#[test]
fn an_empty_or_lost_record_takes_identical_files_over() {
    let seed = Seed::new();
    seed.install(&seed.step1, &[]);
    let (files, _) = owned(&cat(&seed.at(RECORD)));
    write(&seed.at(RECORD), "");
    assert!(seed
        .install(&seed.step1, &[])
        .starts_with("Installing zeoraid.\n"));
    assert_eq!(owned(&cat(&seed.at(RECORD))).0, files);
    fs::remove_file(seed.at(RECORD)).expect("remove the record");
    seed.install(&seed.step1, &[]);
    assert_eq!(owned(&cat(&seed.at(RECORD))).0, files);
}

#[test]
fn a_damaged_record_is_a_clear_error() {
    let seed = Seed::new();
    seed.install(&seed.step1, &[]);
    let record = cat(&seed.at(RECORD));
    write(&seed.at(RECORD), &record[..record.len() / 2]);
    let before = seed.tree();
    let err = seed.refused(&seed.step2);
    assert!(
        err.starts_with(&format!(
            "zeoraid install: /sample-buildout/{RECORD} is damaged ("
        )),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("; fix or remove it (zeoraid then removes nothing it installed before)"),
        "{err}"
    );
    assert_same(&seed.tree(), &before, "a refused install changed the tree");
}

/// Bad configurations and the line of their error, after the file name.
const BAD: &[(&str, &str)] = &[
    (
        "[server.x]\nzeo-conf = \"<zeo>\n",
        "invalid TOML (line 2, column 18): ",
    ),
    (
        "[server.zeoraid]\n\nzeo-cnf = \"\"\n",
        "unknown key `zeo-cnf` in [server.zeoraid] (line 3, column 1); did you mean `zeo-conf`?",
    ),
    (
        "[server.zeoraid]\nzeo-conf = \"nothing useful\"\n",
        "[server.zeoraid] zeo-conf (line 2): No zeo section was defined.",
    ),
    (
        "[server.zeoraid]\nzeo-conf = \"\"\"\n<zeo>\naddress foo\n</zeo>\n<filestorage>\n</filestorage>\n\"\"\"\n",
        "[server.zeoraid] zeo-conf (line 2): Invalid ZEO address 'foo'",
    ),
    (
        "[server.\"../x\"]\nzeo-conf = \"\"\"\n<zeo>\naddress 1\n</zeo>\n<filestorage>\n</filestorage>\n\"\"\"\n",
        "[server.../x] (line 1): the part name `../x` cannot be used in file names: it contains `/`; \
         use only ASCII letters, digits, `.`, `_` and `-`",
    ),
    (
        "[server.zeoraid]\nzeo-conf = \"\"\"\n<zeo>\naddress 1\n</zeo>\n<raidstorage a;b>\n</raidstorage>\n\"\"\"\n",
        "[server.zeoraid] zeo-conf (line 2): the storage name `a;b` cannot be used in file names: \
         it contains `;`; use only ASCII letters, digits, `.`, `_` and `-`",
    ),
    (
        "[server.zeoraid]\ndeployment = \"prod\"\nzeo-conf = \"\"\"\n<zeo>\naddress 1\n</zeo>\n<filestorage>\n</filestorage>\n\"\"\"\n",
        "[server.zeoraid] deployment (line 2, column 14): there is no [deployment.prod] table; \
         add a [deployment.prod] table",
    ),
];

#[test]
fn check_names_file_part_and_line_of_a_bad_config() {
    for (text, message) in BAD {
        let project = Project::new(text);
        let file = project.config_path();
        let output = zeoraid(&["check", file.to_str().expect("UTF-8 path")]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{text}\n{stderr}");
        assert!(output.stdout.is_empty(), "{text}");
        let line = stderr.lines().next().unwrap_or_default();
        let expected = format!("zeoraid check: {}: {message}", file.display());
        assert!(line.starts_with(&expected), "{line}\nwanted {expected}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// As in zeo.txt, the text follows the message, then a blank line.
#[test]
fn check_shows_the_text_of_a_zconfig_syntax_error() {
    let project = Project::new("[server.server]\nzeo-conf = \"<bad\"\n");
    let file = project.config_path();
    let output = zeoraid(&["check", file.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "zeoraid check: {}: [server.server] zeo-conf (line 2): malformed section start \
             (line 1) in:\n<bad\n\n",
            file.display()
        )
    );
}

#[test]
fn check_accepts_the_seed() {
    let project = Project::new(&gen_config("seed"));
    let file = project.config_path();
    let output = zeoraid(&["check", file.to_str().expect("UTF-8 path")]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{}: ok (2 server parts, 2 RAID storages)\n", file.display())
    );
    assert!(output.status.success());
}

#[test]
fn a_bad_config_stages_nothing() {
    for (text, _) in BAD {
        let project = Project::new(text);
        let stage_dir = project.path().join("stage");
        let builder = Builder {
            config: project.config_path(),
            stage_dir: stage_dir.clone(),
            toolchain: support::stage::toolchain(),
        };
        match builder.build() {
            Err(BuildError::Config(_)) => {}
            other => panic!("expected a config error for\n{text}\ngot {other:?}"),
        }
        assert!(!stage_dir.exists(), "staging wrote {}", stage_dir.display());
    }
}

#[test]
fn refuses_a_file_where_a_parent_directory_goes() {
    let seed = Seed::new();
    seed.install(&seed.step1, &[]);
    write(&seed.at("etc"), "a file where the etc directory goes\n");
    let before = seed.tree();
    let err = seed.refused(&seed.step2);
    assert!(
        err.contains("/sample-buildout/etc exists and is not a directory"),
        "{err}"
    );
    assert_same(&seed.tree(), &before, "a refused install changed the tree");
}

#[test]
fn refuses_a_special_file_where_a_file_goes() {
    let seed = Seed::new();
    fs::create_dir_all(seed.at("bin")).expect("create bin");
    let fifo = seed.at("bin/zeoraid");
    let (out, err, code) =
        support::stage::run(Path::new("mkfifo"), &[fifo.to_str().expect("UTF-8 path")]);
    assert_eq!(code, 0, "mkfifo: {out}{err}");
    let before = seed.tree();
    let err = seed.refused(&seed.step1);
    assert!(
        err.contains("/sample-buildout/bin/zeoraid exists and is not a regular file"),
        "{err}"
    );
    assert_same(&seed.tree(), &before, "a refused install changed the tree");
}

#[test]
fn symlinked_directories_are_used_as_directories() {
    let seed = Seed::new();
    fs::create_dir_all(seed.at("elsewhere/log")).expect("create the real log folder");
    fs::create_dir_all(seed.at("elsewhere/etc")).expect("create the real etc folder");
    for name in ["log", "etc"] {
        std::os::unix::fs::symlink(seed.at("elsewhere").join(name), seed.at(name))
            .expect("symlink a deployment folder");
    }
    seed.install(&seed.step2, &[]);
    assert_eq!(
        support::tree::ls(&seed.at("elsewhere/etc")),
        ["zeoraid-zdaemon.conf", "zeoraid-zeo.conf"]
    );
    assert!(fs::symlink_metadata(seed.at("log"))
        .expect("the log symlink")
        .file_type()
        .is_symlink());
}
