//! The generated binaries themselves: statically linked and stripped, their
//! compiled-in defaults, a manage binary against a real ZEO 6 RAID server,
//! and byte-identical output from two builds in two directories.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::elf::Elf;
use support::proxy::Proxy;
use support::raid::RaidWorld;
use support::stage::{
    install_ok, optimal_details, run, tempdir, toolchain, world_config, Project, Stage,
};
use zeoraid_gen::compile::{self, Job, Toolchain};
use zeoraid_gen::stage::{Kind, Manifest};

/// Three parts: TCP with two RAID storages, a unix socket, IPv6.
const ADDRESSES: &str = r#"
[server.tcp]
zeo-conf = """
<zeo>
  address zeo.example.com:8200
</zeo>
%import gocept.zeoraid
<raidstorage Main>
  <zeoclient 1>
    server 8101
  </zeoclient>
</raidstorage>
<raidstorage archive>
  <zeoclient 1>
    server 8101
  </zeoclient>
</raidstorage>
"""

[server.sock]
zeo-conf = """
<zeo>
  address /run/zeo/zeo.sock
</zeo>
%import gocept.zeoraid
<raidstorage 1>
  <zeoclient 1>
    server 8101
  </zeoclient>
</raidstorage>
"""

[server.v6]
zeo-conf = """
<zeo>
  address [::1]:8100
</zeo>
%import gocept.zeoraid
<raidstorage 1>
  <zeoclient 1>
    server 8101
  </zeoclient>
</raidstorage>
"""
"#;

/// The staged binaries (server wrappers and manage binaries) by install path.
fn binaries(stage: &Stage) -> Vec<(PathBuf, PathBuf)> {
    stage
        .manifest
        .entries
        .iter()
        .filter(|e| matches!(e.kind, Kind::Server | Kind::Manage))
        .map(|e| (e.target.clone(), stage.staged(&e.target)))
        .collect()
}

#[test]
fn every_binary_is_static_and_stripped() {
    let project = Project::new(ADDRESSES);
    let stage = project.stage();
    let staged = binaries(&stage);
    assert_eq!(staged.len(), 3 + 4, "{staged:?}");
    assert!(toolchain().strip);
    for (target, path) in &staged {
        let elf = Elf::read(path);
        assert_eq!(
            elf.interpreter,
            None,
            "{} asks for an interpreter",
            target.display()
        );
        assert_eq!(elf.needed, 0, "{} needs shared libraries", target.display());
        assert!(elf.is_stripped(), "{} has a symbol table", target.display());
    }
}

#[test]
fn unstripped_builds_keep_their_symbols_and_stay_static() {
    let dir = tempdir("zeoraid-unstripped-");
    let source = dir.path().join("main.rs");
    let output = dir.path().join("manage");
    fs::write(
        &source,
        zeoraid_gen::codegen::manage_source(
            &zeoraid_core::addr::Address::parse("8100").expect("an address"),
            "1",
        ),
    )
    .expect("write the source");
    let tc = Toolchain {
        strip: false,
        ..toolchain()
    };
    let rlib = support::stage::shared_core().join(support::stage::core_rlib_name());
    let job = Job {
        source,
        output: output.clone(),
    };
    compile::compile_binaries(&tc, &rlib, &[job], dir.path()).expect("compile unstripped");
    let elf = Elf::read(&output);
    assert!(!elf.is_stripped(), "no symbol table without stripping");
    assert!(elf.is_static(), "{elf:?}");
}

fn help(binary: &Path) -> String {
    let (stdout, stderr, code) = run(binary, &["--help"]);
    assert_eq!(code, 0, "{}: {stdout}{stderr}", binary.display());
    stdout
}

#[track_caller]
fn assert_lines(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            text.lines().any(|l| l.trim_start() == *line),
            "{line:?} missing in:\n{text}"
        );
    }
}

#[test]
fn manage_binaries_show_their_compiled_in_defaults() {
    let project = Project::new(ADDRESSES);
    let stage = project.stage();
    let bin = project.path().join("bin");
    let staged = |name: &str| stage.staged(&bin.join(name));

    let main = help(&staged("tcp-main-manage"));
    assert!(
        main.starts_with("usage: tcp-main-manage [options]"),
        "{main}"
    );
    assert_lines(
        &main,
        &[
            "Use STORAGE on ZEO server. Default: main",
            "-H HOST, --host=HOST  Connect to HOST (IPv6 as ::1 or [::1]). Default: zeo.example.com",
            "-p PORT, --port=PORT  Connect to PORT. Default: 8200",
            "-U PATH, --unix=PATH  Connect to the unix socket PATH. Default: none",
        ],
    );
    assert_lines(
        &help(&staged("tcp-archive-manage")),
        &["Use STORAGE on ZEO server. Default: archive"],
    );
    assert_lines(
        &help(&staged("sock-1-manage")),
        &[
            "-H HOST, --host=HOST  Connect to HOST (IPv6 as ::1 or [::1]). Default: none",
            "-U PATH, --unix=PATH  Connect to the unix socket PATH. Default: /run/zeo/zeo.sock",
        ],
    );
    assert_lines(
        &help(&staged("v6-1-manage")),
        &[
            "-H HOST, --host=HOST  Connect to HOST (IPv6 as ::1 or [::1]). Default: ::1",
            "-p PORT, --port=PORT  Connect to PORT. Default: 8100",
        ],
    );
}

#[test]
fn unreachable_defaults_fail_with_one_line() {
    let project = Project::new(ADDRESSES);
    let stage = project.stage();
    let bin = project.path().join("bin");
    for name in ["sock-1-manage", "v6-1-manage"] {
        let (stdout, stderr, code) = run(
            &stage.staged(&bin.join(name)),
            &["--timeout", "2", "status"],
        );
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert_eq!(
            format!("{stdout}{stderr}").lines().count(),
            1,
            "{name}: {stdout}{stderr}"
        );
    }
}

#[test]
fn an_installed_manage_binary_talks_to_a_raid_server() {
    let world = RaidWorld::filestorages(false);
    let port = world.port();
    let project = Project::new(&world_config(port));
    let root = tempdir("zeoraid-root-");
    let out = install_ok(project.stage().path(), root.path(), &[]);
    assert!(out.contains("raid-1-manage'.\n"), "{out}");
    let manage = project.under(root.path()).join("bin/raid-1-manage");

    assert_eq!(
        run(&manage, &["status"]),
        ("optimal\n".into(), String::new(), 0)
    );
    assert_eq!(
        run(&manage, &["details"]),
        (optimal_details(port), String::new(), 0)
    );
    assert_eq!(
        run(&manage, &["disable", "2"]),
        ("disabled '2'\n".into(), String::new(), 0)
    );
    assert_eq!(world.status(), "degraded");
    assert_eq!(run(&manage, &["status"]).2, 2);
}

/// `[::1]:PORT` and a unix socket, forwarded to a RAID server on 127.0.0.1.
#[test]
fn manage_binaries_reach_servers_over_ipv6_and_unix_sockets() {
    let world = RaidWorld::filestorages(false);
    let (v6, v6_port) = Proxy::ipv6(world.port());
    let sockets = tempdir("zeoraid-sock-");
    let socket = sockets.path().join("zeo.sock");
    let unix = Proxy::unix(&socket, world.port());
    let part = |key: &str, address: &str| {
        format!(
            "[server.{key}]\nzeo-conf = \"\"\"\n<zeo>\n  address {address}\n</zeo>\n\
             %import gocept.zeoraid\n<raidstorage 1>\n  <filestorage 1>\n  </filestorage>\n\
             </raidstorage>\n\"\"\"\n"
        )
    };
    let project = Project::new(&format!(
        "{}{}",
        part("v6", &format!("[::1]:{v6_port}")),
        part("sock", &socket.display().to_string())
    ));
    let stage = project.stage();
    let bin = project.path().join("bin");
    for (name, proxy) in [("v6-1-manage", &v6), ("sock-1-manage", &unix)] {
        let manage = stage.staged(&bin.join(name));
        assert_eq!(
            run(&manage, &["status"]),
            ("optimal\n".into(), String::new(), 0),
            "{name}"
        );
        let (details, _, code) = run(&manage, &["details"]);
        assert_eq!(code, 0, "{name}: {details}");
        assert!(
            details.ends_with(
                " 1                        | optimal\n 2                        | optimal\n"
            ),
            "{name}: {details}"
        );
        assert!(
            proxy.accepted() >= 2,
            "{name} did not go through its address"
        );
    }
}

/// One deployment at absolute paths, so that two copies of the config in
/// two folders describe the very same installation.
const ABSOLUTE: &str = r#"
[layout]
directory = "/srv/zeoraid"

[server.zeoraid]
deployment = "prod"
zeo-conf = """
<zeo>
  address 8100
</zeo>
%import gocept.zeoraid
<raidstorage main>
  <zeoclient 1>
    server 8101
  </zeoclient>
</raidstorage>
"""

[deployment.prod]
user = "zope"
"#;

/// Stages the project's config into `dir` with a core compiled there from
/// the sources in `core_src` (no shared core).
fn stage_fresh(project: &Project, dir: &Path, core_src: &Path) -> Manifest {
    compile::compile_core(&toolchain(), core_src, &dir.join("core"))
        .unwrap_or_else(|e| panic!("cannot compile the core from {}: {e}", core_src.display()));
    zeoraid_gen::stage::stage(&project.plan(), &toolchain(), dir)
        .unwrap_or_else(|e| panic!("staging into {} failed: {e}", dir.display()))
}

/// Copies the directory `from` to `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.expect("a directory entry").path();
        let dest = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            fs::copy(&path, &dest).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// Two checkouts: the second build's core comes from a copy of the core's
/// sources elsewhere, its config and stage from other folders.
#[test]
fn two_builds_in_two_directories_are_byte_identical() {
    let (a, b) = (Project::new(ABSOLUTE), Project::new(ABSOLUTE));
    let (stage_a, stage_b) = (tempdir("zeoraid-stage-a-"), tempdir("zeoraid-stage-bb-"));
    let checkout_b = tempdir("zeoraid-checkout-");
    let core_b = checkout_b.path().join("crates/core/src");
    copy_tree(&compile::core_source_dir(), &core_b);
    let manifest = stage_fresh(&a, stage_a.path(), &compile::core_source_dir());
    assert_eq!(stage_fresh(&b, stage_b.path(), &core_b), manifest);

    let mut compared = 0;
    for entry in &manifest.entries {
        let Some(source) = &entry.source else {
            continue;
        };
        let bytes = |stage: &Path| {
            let path = stage.join("root").join(source);
            fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let (one, two) = (bytes(stage_a.path()), bytes(stage_b.path()));
        for (dir, data) in [(stage_b.path(), &two), (b.path(), &two), (&core_b, &two)] {
            let needle = dir.display().to_string();
            assert!(
                !contains(data, needle.as_bytes()),
                "{} embeds {needle}",
                entry.target.display()
            );
        }
        assert!(
            one == two,
            "{} differs between the two builds",
            entry.target.display()
        );
        compared += usize::from(matches!(entry.kind, Kind::Server | Kind::Manage));
    }
    assert_eq!(compared, 2, "{manifest:?}");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// With a relative layout the two installs differ (the server wrappers
/// carry their zdaemon.conf path), but manage binaries carry no path.
#[test]
fn manage_binaries_do_not_depend_on_the_install_folder() {
    let (a, b) = (Project::new(ADDRESSES), Project::new(ADDRESSES));
    let (stage_a, stage_b) = (a.stage(), b.stage());
    let bytes = |project: &Project, stage: &Stage, name: &str| {
        fs::read(stage.staged(&project.path().join("bin").join(name))).expect("a staged binary")
    };
    for name in ["tcp-main-manage", "sock-1-manage", "v6-1-manage"] {
        assert!(
            bytes(&a, &stage_a, name) == bytes(&b, &stage_b, name),
            "{name} differs between two folders"
        );
    }
    assert!(bytes(&a, &stage_a, "tcp") != bytes(&b, &stage_b, "tcp"));
}
