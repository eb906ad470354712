#!/usr/bin/env bash
# The Nix side's checks that need no nixpkgs and no binary cache:
#
#   1. `nix-instantiate --parse` of every .nix file in the repository;
#   2. nix/tests/unit.nix (lib.nix unit tests);
#   3. lib.nix's plan of the repository's zeoraid.toml and of every
#      nix/tests/configs/NAME.toml against nix/tests/expected/NAME.json
#      (hand-written from docs/plan-json.md; relative paths against /srv/zeoraid);
#   4. every nix/tests/errors/*.toml must make lib.nix throw the message on
#      its first line (`# expect: ...`);
#   5. flake.nix evaluated without nixpkgs as far as that goes (its `lib`,
#      the module and package functions' arguments);
#   6. when a `zeoraid` binary is at hand (--cli BIN, $ZEORAID_BIN, or
#      target/{release,debug}/zeoraid), `zeoraid list --json --config FILE`
#      against lib.nix for every config here and in crates/gen/tests/configs
#      (relative paths against the file's
#      folder) and for its relocated form (what nix/package.nix builds), and
#      the CLI must refuse every error config.  Without a binary this step
#      says so; --require-cli makes that a failure.
#
# Exits non-zero on any mismatch and prints a diff.  Needs nix-instantiate
# (Debian: apt-get install nix-bin; installed here when run as root) and python3.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2

cli=${ZEORAID_BIN:-}
require_cli=0
while [ $# -gt 0 ]; do
  case $1 in
    --cli) cli=$2; shift 2 ;;
    --require-cli) require_cli=1; shift ;;
    -h|--help) sed -n "2,21p" "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if ! command -v nix-instantiate >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${ZEORAID_NIX_NO_INSTALL:-}" ]; then
    echo "run.sh: installing Debian's nix-bin for nix-instantiate" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nix-bin) >/dev/null 2>&1
  fi
  if ! command -v nix-instantiate >/dev/null 2>&1; then
    echo "run.sh: nix-instantiate not found: install Nix (Debian: apt-get install nix-bin)" >&2
    exit 2
  fi
fi
command -v python3 >/dev/null 2>&1 || { echo "run.sh: python3 not found" >&2; exit 2; }

# Pure evaluation only: no store writes, no network, no flakes needed.
nixeval() { nix-instantiate --eval --strict --json --option allow-import-from-derivation false "$@"; }

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pretty, key-sorted JSON for comparing values.
normjson() {
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True))' "$1"
}

compare() { # name expected-file got-file
  if normjson "$2" >"$tmp/exp.json" 2>"$tmp/err" && normjson "$3" >"$tmp/got.json" 2>>"$tmp/err"; then
    if diff -u --label "expected $1" --label "got $1" "$tmp/exp.json" "$tmp/got.json" >"$tmp/diff"; then
      ok "$1"
    else
      bad "$1"; cat "$tmp/diff"
    fi
  else
    bad "$1 (not JSON)"; cat "$tmp/err" "$3"
  fi
}

# 1. parse every .nix file
while IFS= read -r f; do
  if nix-instantiate --parse "$f" >/dev/null 2>"$tmp/err"; then ok "parse $f"; else bad "parse $f"; cat "$tmp/err"; fi
done < <(find . -name '*.nix' -not -path './target/*' -not -path './.git/*' -not -path './result*' | sort)

# 2. unit tests
if nixeval nix/tests/unit.nix >"$tmp/unit.json" 2>"$tmp/err"; then
  python3 - "$tmp/unit.json" <<'EOF' >"$tmp/unit.txt"
import json, sys
r = json.load(open(sys.argv[1]))
print(r["passed"])
for t in r["failed"]:
    print("  %s: expected %s, got %s" % (t["name"], json.dumps(t["expected"]), json.dumps(t["got"])))
EOF
  n=$(head -1 "$tmp/unit.txt")
  if [ "$(wc -l <"$tmp/unit.txt")" -eq 1 ]; then ok "unit.nix ($n cases)"; else bad "unit.nix"; tail -n +2 "$tmp/unit.txt"; fi
else
  bad "unit.nix (evaluation)"; cat "$tmp/err"
fi

# 3. plans against the hand-written expectations
plan_of() { # config-file dir
  nixeval --expr "(import $root/nix/lib.nix).plan { config = $1; dir = \"$2\"; }"
}
check_plan() { # name config expected
  if plan_of "$2" /srv/zeoraid >"$tmp/got" 2>"$tmp/err"; then compare "plan $1" "$3" "$tmp/got"
  else bad "plan $1 (evaluation)"; cat "$tmp/err"; fi
}
check_plan repo "$root/zeoraid.toml" nix/tests/expected/repo.json
for cfg in nix/tests/configs/*.toml; do
  name=$(basename "$cfg" .toml)
  if [ -f "nix/tests/expected/$name.json" ]; then
    check_plan "$name" "$root/$cfg" "nix/tests/expected/$name.json"
  else
    bad "plan $name (no nix/tests/expected/$name.json)"
  fi
done

# 4. errors
for cfg in nix/tests/errors/*.toml; do
  name=$(basename "$cfg" .toml)
  want=$(head -1 "$cfg" | sed -n 's/^# expect: //p')
  if [ -z "$want" ]; then bad "error $name (first line must be '# expect: MESSAGE')"; continue; fi
  if plan_of "$root/$cfg" /srv/zeoraid >"$tmp/got" 2>"$tmp/err"; then
    bad "error $name: evaluated instead of failing"; cat "$tmp/got"; echo
  elif grep -qF -- "$want" "$tmp/err"; then
    ok "error $name"
  else
    bad "error $name: message lacks '$want'"; cat "$tmp/err"
  fi
done

# 5. flake.nix and the functions that need nixpkgs, as far as they evaluate without it
expect_eval() { # name expected-json expr
  if nixeval --expr "$3" >"$tmp/got" 2>"$tmp/err"; then
    printf '%s' "$2" >"$tmp/want"
    compare "$1" "$tmp/want" "$tmp/got"
  else
    bad "$1 (evaluation)"; cat "$tmp/err"
  fi
}
flake="let f = import $root/flake.nix; o = f.outputs { self = o // { outPath = $root; }; nixpkgs = throw \"no nixpkgs here\"; }; in o"
expect_eval "flake: inputs" '["nixpkgs"]' "builtins.attrNames (import $root/flake.nix).inputs"
expect_eval "flake: lib.plan is nix/lib.nix's" 'true' \
  "($flake).lib.plan { config = $root/zeoraid.toml; dir = \"/d\"; } == (import $root/nix/lib.nix).plan { config = $root/zeoraid.toml; dir = \"/d\"; }"
expect_eval "flake: output names" '["apps","checks","devShells","lib","nixosModules","overlays","packages"]' \
  "builtins.attrNames ($flake)"
expect_eval "flake: nixosModules.default is the module's function" '{"config":false,"lib":false,"pkgs":false}' \
  "builtins.functionArgs ($flake).nixosModules.default"
expect_eval "flake: apps of the repository config" '["default","zeoraid-1-manage","zeoraid2-1-manage"]' \
  "($flake).lib.appNames"
expect_eval "module: arguments" '{"config":false,"lib":false,"pkgs":false}' \
  "builtins.functionArgs (import $root/nix/module.nix)"
expect_eval "package: arguments" \
  '{"config":true,"directory":true,"doCheck":true,"lib":false,"relocate":true,"rustPlatform":false,"settings":true,"src":true,"testPython":true,"zeoPython":true}' \
  "builtins.functionArgs (import $root/nix/package.nix)"
expect_eval "python-zeo: arguments" \
  '{"buildPythonPackage":false,"fetchPypi":false,"lib":false,"msgpack":false,"persistent":false,"setuptools":false,"transaction":false,"wheel":false,"zc-lockfile":false,"zconfig":false,"zdaemon":false,"zodb":false,"zope-interface":false}' \
  "builtins.functionArgs (import $root/nix/python-zeo.nix)"

# 6. lib.nix against the real CLI
if [ -z "$cli" ]; then
  for c in target/release/zeoraid target/debug/zeoraid; do
    if [ -x "$c" ]; then cli=$root/$c; break; fi
  done
fi
if [ -n "$cli" ] && "$cli" list --json --config "$root/zeoraid.toml" >/dev/null 2>&1; then
  # Also the generator's own example configs, written without lib.nix in view.
  for cfg in zeoraid.toml nix/tests/configs/*.toml crates/gen/tests/configs/*.toml; do
    name=$(basename "$cfg" .toml)
    dir=$(cd "$(dirname "$cfg")" && pwd -P)
    if "$cli" list --json --config "$root/$cfg" >"$tmp/cli" 2>"$tmp/err"; then
      if plan_of "$root/$cfg" "$dir" >"$tmp/got" 2>>"$tmp/err"; then
        compare "cli agrees: $name" "$tmp/cli" "$tmp/got"
      else
        bad "cli agrees: $name (lib.nix evaluation)"; cat "$tmp/err"
      fi
    else
      bad "cli agrees: $name (zeoraid list failed)"; cat "$tmp/err"
    fi
  done
  # The relocated config a store build uses (nix/package.nix): the CLI must
  # read lib.nix's TOML and plan what lib.nix plans for it.
  out=/nix/store/00000000000000000000000000000000-zeoraid-0.1.0
  py=/nix/store/11111111111111111111111111111111-python3-env/bin
  for cfg in zeoraid.toml nix/tests/configs/*.toml; do
    name=$(basename "$cfg" .toml)
    # Relative run and log directories need a base outside the store.
    reloc="let zl = import $root/nix/lib.nix; s = zl.relocate { settings = zl.readConfig $root/$cfg; dir = \"/srv/zeoraid\"; out = \"$out\"; tools = { runzeo = \"$py/runzeo\"; zdaemon = \"$py/zdaemon\"; zeopack = \"$py/zeopack\"; }; }; in"
    if nixeval --expr "$reloc zl.toTOML s" >"$tmp/reloc.json" 2>"$tmp/err" &&
       nixeval --expr "$reloc zl.planFromAttrs { settings = s; dir = \"/\"; }" >"$tmp/got" 2>>"$tmp/err"; then
      python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1])))' "$tmp/reloc.json" >"$tmp/relocated.toml"
      if "$cli" list --json --config "$tmp/relocated.toml" >"$tmp/cli" 2>>"$tmp/err"; then
        compare "cli agrees on the relocated config: $name" "$tmp/cli" "$tmp/got"
      else
        bad "cli agrees on the relocated config: $name (zeoraid list failed)"; cat "$tmp/err" "$tmp/relocated.toml"
      fi
    else
      bad "cli agrees on the relocated config: $name (lib.nix evaluation)"; cat "$tmp/err"
    fi
  done
  for cfg in nix/tests/errors/*.toml; do
    name=$(basename "$cfg" .toml)
    if "$cli" list --json --config "$root/$cfg" >/dev/null 2>&1; then
      bad "cli refuses too: $name (zeoraid list accepted what lib.nix refuses)"
    else
      ok "cli refuses too: $name"
    fi
  done
elif [ "$require_cli" = 1 ]; then
  bad "cli agrees: no working 'zeoraid list --json --config FILE' (give --cli BIN or build the crate)"
else
  echo "NOTE lib.nix vs 'zeoraid list --json' not compared: no zeoraid binary with 'list --json --config'" \
       "(build the crate or give --cli BIN; --require-cli makes this a failure)"
fi

echo
echo "nix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
