//! Build time of the generator pipeline (plan, codegen, rustc, stage) for
//! 1, 10 and 50 RAID storages, as one part with N `<raidstorage>` sections
//! and as N parts with one each; clean (fresh stage: core and binaries)
//! and after editing zeoraid.toml (core cached). Prints a Markdown table.
//!
//! `cargo run --release -p zeoraid-gen --example build_time -- [--sizes 1,10,50]`
//! (or `bench/build_time.sh`, which also times `cargo build --release`).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zeoraid_gen::compile::Toolchain;
use zeoraid_gen::stage::{self, Kind, Manifest};

/// How the N storages are spread.
#[derive(Clone, Copy)]
enum Layout {
    /// One part with N `<raidstorage>` sections.
    Storages,
    /// N parts with one `<raidstorage>` each.
    Parts,
}

impl Layout {
    fn describe(self, n: usize) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        match self {
            Layout::Storages => format!("1 part × {}", plural(n, "storage")),
            Layout::Parts => format!("{} × 1 storage", plural(n, "part")),
        }
    }

    /// A zeoraid.toml; `port` is what the "edit" changes.
    fn config(self, n: usize, port: u16) -> String {
        let storage = |name: usize| {
            format!("<raidstorage s{name}>\n  <zeoclient 1>\n    server 8101\n  </zeoclient>\n</raidstorage>\n")
        };
        let part = |key: String, storages: String| {
            format!(
                "[server.{key}]\nzeo-conf = \"\"\"\n<zeo>\n  address {port}\n</zeo>\n\
                 %import gocept.zeoraid\n{storages}\"\"\"\n"
            )
        };
        let mut text = String::from("[layout]\ndirectory = \"/srv/bench\"\n");
        match self {
            Layout::Storages => text += &part("raid".into(), (1..=n).map(storage).collect()),
            Layout::Parts => {
                for i in 1..=n {
                    text += &part(format!("raid{i}"), storage(1));
                }
            }
        }
        text
    }
}

/// One row of the table.
struct Row {
    what: String,
    binaries: usize,
    clean: Duration,
    edited: Duration,
    manage_size: u64,
}

fn main() {
    let sizes = parse_sizes();
    let work = std::env::temp_dir().join(format!("zeoraid-build-time-{}", std::process::id()));
    let tc = Toolchain::host_release();
    let mut rows = Vec::new();
    for layout in [Layout::Storages, Layout::Parts] {
        for &n in &sizes {
            // One part with one storage is the same either way.
            if n > 1 || matches!(layout, Layout::Storages) {
                rows.push(measure(&tc, layout, n, &work));
            }
        }
    }
    let _ = fs::remove_dir_all(&work);
    print!("{}", table(&tc, &rows));
}

fn parse_sizes() -> Vec<usize> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => vec![1, 10, 50],
        [flag, list] if flag == "--sizes" => list
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("--sizes takes numbers like 1,10,50")
            })
            .collect(),
        _ => {
            eprintln!("usage: build_time [--sizes 1,10,50]");
            std::process::exit(2);
        }
    }
}

/// Stages the config clean, then again after changing the port.
fn measure(tc: &Toolchain, layout: Layout, n: usize, work: &Path) -> Row {
    let dir = work.join(format!("{}-{n}", layout.describe(n).replace(' ', "")));
    let _ = fs::remove_dir_all(&dir);
    let config = dir.join("zeoraid.toml");
    let stage_dir = dir.join("stage");
    fs::create_dir_all(&dir).expect("create the work directory");

    fs::write(&config, layout.config(n, 8100)).expect("write the config");
    let (manifest, clean) = timed(|| run_stage(tc, &config, &stage_dir));
    fs::write(&config, layout.config(n, 8200)).expect("edit the config");
    let (_, edited) = timed(|| run_stage(tc, &config, &stage_dir));

    let manage = manifest
        .entries
        .iter()
        .find(|e| e.kind == Kind::Manage)
        .and_then(|e| e.source.as_ref())
        .expect("a manage binary");
    Row {
        what: layout.describe(n),
        binaries: manifest
            .entries
            .iter()
            .filter(|e| matches!(e.kind, Kind::Server | Kind::Manage))
            .count(),
        clean,
        edited,
        manage_size: size(&stage_dir.join("root").join(manage)),
    }
}

/// What build.rs does: load the config, stage it.
fn run_stage(tc: &Toolchain, config: &Path, stage_dir: &Path) -> Manifest {
    let plan = zeoraid_gen::load(config).unwrap_or_else(|e| panic!("{e}"));
    stage::stage(&plan, tc, stage_dir).unwrap_or_else(|e| panic!("{e}"))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

fn size(path: &PathBuf) -> u64 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len()
}

fn table(tc: &Toolchain, rows: &[Row]) -> String {
    let mut out = format!(
        "Generator build time ({}, opt-level {}, stripped: {}, {} rustc jobs)\n\n\
         | RAID storages | binaries | clean (core + binaries) | after editing zeoraid.toml | manage binary |\n\
         |---|---:|---:|---:|---:|\n",
        tc.target, tc.opt_level, tc.strip, tc.jobs
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} s | {:.2} s | {} KiB |",
            row.what,
            row.binaries,
            row.clean.as_secs_f64(),
            row.edited.as_secs_f64(),
            row.manage_size / 1024
        );
    }
    out
}
