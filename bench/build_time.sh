#!/usr/bin/env bash
# Build time of the zeoraid generator, in release mode, for 1, 10 and 50 RAID
# storages (override with SIZES="1 10 50"):
#
# 1. the pipeline itself (crates/gen/examples/build_time.rs): plan, codegen,
#    rustc and staging, clean (fresh stage: core and binaries) and after
#    editing zeoraid.toml (core cached), for one part with N storages and N
#    parts with one storage each, plus the size of a manage binary;
# 2. what a user waits for: `ZEORAID_CONFIG=… cargo build --release` (build
#    script, then the zeoraid tool), clean (the stage in OUT_DIR removed:
#    core and binaries) and after editing zeoraid.toml, for one part with N
#    storages. Uses its own target directory, target/bench (dependencies are
#    built once, untimed).
#
# Prints Markdown tables. Usage: bench/build_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1 10 50"}

cargo build --release -q -p zeoraid-gen --example build_time
target/release/examples/build_time --sizes "$(echo $SIZES | tr ' ' ',')"

export CARGO_TARGET_DIR=$PWD/target/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# config N PORT: one part `raid` with N <raidstorage> sections.
config() {
  printf '[layout]\ndirectory = "/srv/bench"\n\n[server.raid]\nzeo-conf = """\n<zeo>\n  address %s\n</zeo>\n%%import gocept.zeoraid\n' "$2"
  for i in $(seq 1 "$1"); do
    printf '<raidstorage s%s>\n  <zeoclient 1>\n    server 8101\n  </zeoclient>\n</raidstorage>\n' "$i"
  done
  printf '"""\n'
}

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; exit 1; }
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f s", e - s }'
}

build() { ZEORAID_CONFIG="$work/zeoraid.toml" cargo build --release --bin zeoraid; }

config 1 8100 >"$work/zeoraid.toml"
build >/dev/null 2>&1 || build

echo
echo "cargo build --release --bin zeoraid with ZEORAID_CONFIG ($(nproc) cores)"
echo
echo "| RAID storages | clean (fresh stage) | after editing zeoraid.toml |"
echo "|---|---:|---:|"
for n in $SIZES; do
  config "$n" 8100 >"$work/zeoraid.toml"
  rm -rf "$CARGO_TARGET_DIR"/release/build/zeoraid-*/out/zeoraid
  clean=$(seconds build)
  config "$n" 8200 >"$work/zeoraid.toml"
  edited=$(seconds build)
  echo "| 1 part × $n | $clean | $edited |"
done
