//! `zeoraid install` of staged configurations, checked against the seed's
//! doctest and zc.zodbrecipes' `zeo.txt`: the lines it prints, the files it
//! lays out and their contents (the project's folder shown as
//! `/sample-buildout`, goldens in `tests/golden/install/`).

mod support;

use std::path::{Path, PathBuf};

use support::elf::Elf;
use support::stage::{gen_config, install_ok, run, tempdir, Project};
use support::tree::{assert_golden, cat, ls, mode, Tree};
use zeoraid_gen::stage::Kind;

/// The seed's `cat('parts', 'zeoraid', 'zeo.conf')`.
const SEED_ZEO_CONF: &str = include_str!("golden/seed-zeo.conf");

/// A project installed below a temporary root.
struct Installed {
    project: Project,
    root: tempfile::TempDir,
}

impl Installed {
    /// A project with `config`, not yet installed.
    fn new(config: &str) -> Installed {
        Installed {
            project: Project::new(config),
            root: tempdir("zeoraid-root-"),
        }
    }

    /// Stages the current config, installs it and returns the scrubbed output.
    fn install(&self) -> String {
        let out = install_ok(self.project.stage().path(), self.root.path(), &[]);
        self.project.scrub(self.root.path(), &out)
    }

    /// Switches to `config`, installs it, returns the scrubbed output.
    fn reinstall(&self, config: &str) -> String {
        self.project.write_config(config);
        self.install()
    }

    /// The installed layout directory (`/sample-buildout` in the doctests).
    fn dir(&self) -> PathBuf {
        self.project.under(self.root.path())
    }

    /// A path below the installed layout directory.
    fn at(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// The installed tree as text, without the install record (whose
    /// hashes depend on the compiler).
    fn dump(&self) -> String {
        let mut tree = Tree::of(&self.dir());
        tree.0
            .remove(Path::new(".zeoraid-installed.toml"))
            .expect("the install record");
        tree.dump(&|text| self.project.scrub(self.root.path(), text))
    }

    /// Creates the deployment folders the doctests `mkdir` first.
    fn mkdirs(&self, names: &[&str]) {
        for name in names {
            std::fs::create_dir_all(self.at(name)).expect("create a deployment folder");
        }
    }
}

/// `--help` of an installed manage binary.
fn help(binary: &Path) -> String {
    let (stdout, stderr, code) = run(binary, &["--help"]);
    assert_eq!(
        code,
        0,
        "{} --help failed:\n{stdout}{stderr}",
        binary.display()
    );
    stdout
}

fn assert_defaults(binary: &Path, host: &str, port: &str, storage: &str) {
    let text = help(binary);
    for want in [
        format!("Default: {host}\n"),
        format!("Connect to PORT. Default: {port}\n"),
        format!("Use STORAGE on ZEO server. Default: {storage}\n"),
    ] {
        assert!(text.contains(&want), "{want:?} missing in:\n{text}");
    }
}

const SEED_DIRS: &[&str] = &["cron", "etc", "log", "rotate", "rc", "run"];

#[test]
fn seed_step_one_generates_the_scripts_and_parts() {
    let world = Installed::new(&gen_config("seed"));
    assert_eq!(
        world.install(),
        "Installing zeoraid.
Generated script '/sample-buildout/bin/zeoraid'.
Generated script '/sample-buildout/bin/zeoraid-1-manage'.
Installing zeoraid2.
Generated script '/sample-buildout/bin/zeoraid2'.
Generated script '/sample-buildout/bin/zeoraid2-1-manage'.
"
    );
    assert_eq!(
        ls(&world.at("bin")),
        [
            "zeoraid",
            "zeoraid-1-manage",
            "zeoraid2",
            "zeoraid2-1-manage"
        ]
    );
    assert_eq!(ls(&world.at("parts/zeoraid")), ["zdaemon.conf", "zeo.conf"]);
    assert_eq!(cat(&world.at("parts/zeoraid/zeo.conf")), SEED_ZEO_CONF);
    for binary in [
        "zeoraid",
        "zeoraid-1-manage",
        "zeoraid2",
        "zeoraid2-1-manage",
    ] {
        let path = world.at("bin").join(binary);
        assert_eq!(mode(&path), 0o755, "{binary}");
        assert!(Elf::read(&path).is_static(), "{binary} is not static");
    }
    assert_defaults(&world.at("bin/zeoraid-1-manage"), "127.0.0.1", "5555", "1");
    assert_defaults(
        &world.at("bin/zeoraid2-1-manage"),
        "111.111.111.111",
        "4444",
        "1",
    );
    assert_golden("install/seed.txt", &world.dump());
}

#[test]
fn seed_step_two_moves_the_part_into_the_deployment() {
    let world = Installed::new(&gen_config("seed"));
    world.install();
    world.mkdirs(SEED_DIRS);
    let out = world.reinstall(&gen_config("seed-deployment"));
    let seed_lines = "Uninstalling zeoraid2.
Uninstalling zeoraid.
Installing zeoraid.
Generated script '/sample-buildout/rc/demo-zeoraid'.
Generated script '/sample-buildout/rc/demo-zeoraid-main-manage'.
";
    assert!(out.starts_with(seed_lines), "{out}");
    assert!(!world.at("parts/zeoraid").exists());
    assert!(!world.at("bin/zeoraid").exists());
    assert_eq!(
        ls(&world.at("rc")),
        ["demo-zeoraid", "demo-zeoraid-main-manage"]
    );
    assert_defaults(
        &world.at("rc/demo-zeoraid-main-manage"),
        "127.0.0.1",
        "8100",
        "main",
    );
    assert_golden("install/seed-deployment.out", &out);
    assert_golden("install/seed-deployment.txt", &world.dump());
}

/// zeo.txt from "Unix deployment support" to "Names", one install after
/// the other in the same folder, as the doctest runs them.
#[test]
fn zodbrecipes_deployment_logrotate_pack_and_shell_script() {
    let world = Installed::new(&gen_config("server"));
    world.install();
    assert_eq!(ls(&world.at("bin")), ["server"]);
    assert_eq!(ls(&world.at("parts/server")), ["zdaemon.conf", "zeo.conf"]);
    world.mkdirs(SEED_DIRS);

    let out = world.reinstall(&gen_config("deployment"));
    assert!(
        out.starts_with(
            "Uninstalling server.\nInstalling server.\n\
             Generated script '/sample-buildout/rc/demo-server'.\n"
        ),
        "{out}"
    );
    assert!(!world.at("parts/server").exists());
    assert!(!world.at("bin/server").exists());
    assert_eq!(
        ls(&world.at("etc")),
        ["server-zdaemon.conf", "server-zeo.conf"]
    );
    assert_eq!(
        world
            .project
            .scrub(world.root.path(), &cat(&world.at("rotate/demo-server"))),
        "/sample-buildout/log/server-zeo.log {
  rotate 5
  weekly
  postrotate
    /sample-buildout/rc/demo-server -C /sample-buildout/etc/server-zdaemon.conf reopen_transcript
  endscript
}
"
    );
    assert_golden("install/deployment.txt", &world.dump());

    world.reinstall(&gen_config("deployment-no-logrotate"));
    assert_eq!(ls(&world.at("rotate")), Vec::<String>::new());
    assert_eq!(ls(&world.at("rc")), ["demo-server"]);
    world.reinstall(&gen_config("server-no-logrotate"));
    assert_eq!(ls(&world.at("rotate")), Vec::<String>::new());
    assert_eq!(ls(&world.at("rc")), ["demo-server"]);
    assert!(Elf::read(&world.at("rc/demo-server")).is_static());

    world.reinstall(&gen_config("pack"));
    assert_eq!(
        world
            .project
            .scrub(world.root.path(), &cat(&world.at("cron/pack-demo-server"))),
        "1 1 * * 0 bob /sample-buildout/bin/zeopack -p 8100 -S 1 -d 3\n"
    );
    assert_eq!(mode(&world.at("cron/pack-demo-server")), 0o644);
    world.reinstall(&gen_config("pack-named-storage"));
    assert!(cat(&world.at("cron/pack-demo-server")).ends_with(" -S x -d 3\n"));
    world.reinstall(&gen_config("pack-mailto"));
    assert!(
        cat(&world.at("cron/pack-demo-server")).starts_with("MAILTO=jim@zope.com\n1 1 * * 0 bob ")
    );

    world.reinstall(&gen_config("shell-script"));
    assert_shell_script(&world, "rc/demo-server", "server");
    assert_golden("install/shell-script.txt", &world.dump());

    world.reinstall(&gen_config("names"));
    assert_eq!(ls(&world.at("cron")), ["pack-Demo-Server"]);
    assert_eq!(
        ls(&world.at("etc")),
        ["Server-zdaemon.conf", "Server-zeo.conf"]
    );
    assert_eq!(ls(&world.at("rotate")), ["Demo-Server"]);
    assert_eq!(ls(&world.at("rc")), ["Demo-Server"]);
    assert_shell_script(&world, "rc/Demo-Server", "Server");
}

/// Units are opt-in: installed into the layout's and the deployments'
/// `systemd-directory`, none for a deployment without one, and removed
/// once the directories are unset.
#[test]
fn systemd_units_go_to_the_systemd_directory() {
    let config = gen_config("systemd");
    let world = Installed::new(&config);
    world.install();
    let plan = world.project.plan();
    let system = world.root.path().join("etc/systemd/system");
    assert_eq!(ls(&world.at("site/units")), ["plain.service"]);
    assert_eq!(ls(&system), ["prod-scripted.service"]);
    assert_eq!(
        ls(&world.at("site/etc/other")),
        ["quiet-zdaemon.conf", "quiet-zeo.conf"]
    );
    for (part, installed) in [
        (&plan.parts[0], world.at("site/units/plain.service")),
        (&plan.parts[2], system.join("prod-scripted.service")),
    ] {
        let path = part.systemd_unit_path.as_ref().expect("a unit path");
        let unit = part
            .files
            .iter()
            .find(|f| &f.path == path)
            .expect("the unit");
        assert_eq!(cat(&installed), unit.contents, "{}", part.key);
        assert_eq!(mode(&installed), 0o644, "{}", part.key);
    }

    let out = world.reinstall(&config.replace("systemd-directory = ", "# systemd-directory = "));
    assert!(
        out.contains("Removed '/sample-buildout/site/units/plain.service'.\n"),
        "{out}"
    );
    assert_eq!(ls(&world.at("site/units")), Vec::<String>::new());
    assert_eq!(ls(&system), Vec::<String>::new());
}

/// The rc file is zeo.txt's `/bin/sh` script, executable and valid shell,
/// and the stage holds no compiled wrapper for the part.
fn assert_shell_script(world: &Installed, rc: &str, name: &str) {
    let path = world.at(rc);
    assert_eq!(
        world.project.scrub(world.root.path(), &cat(&path)),
        format!(
            "#!/bin/sh\nsu bob -c \\\n  \"/sample-buildout/bin/zdaemon -C \
             '/sample-buildout/etc/{name}-zdaemon.conf' $*\"\n"
        )
    );
    assert_eq!(mode(&path), 0o755);
    let (out, err, code) = run(Path::new("/bin/sh"), &["-n", path.to_str().unwrap()]);
    assert_eq!(code, 0, "sh -n {rc}: {out}{err}");
    let stage = world.project.stage();
    let kinds: Vec<Kind> = stage.manifest.entries.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&Kind::Script), "{kinds:?}");
    assert!(!kinds.contains(&Kind::Server), "{kinds:?}");
}
