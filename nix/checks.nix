# The flake's checks for one nixpkgs: `nix flake check`.
{ pkgs }:

let
  inherit (pkgs) lib;
  zl = import ./lib.nix;
  p = import ./packages.nix { inherit pkgs; };
  inherit (p) zeoraid zeoPython;

  src = zeoraid.src;

  testConfigs = map (f: lib.removeSuffix ".toml" f) (
    lib.filter (f: lib.hasSuffix ".toml" f) (lib.attrNames (builtins.readDir ./tests/configs))
  );
  configPath = name: ./tests/configs + "/${name}.toml";

  # lib.nix against the hand-written plans, at evaluation time.
  expected =
    [ { name = "repo"; config = ../zeoraid.toml; } ]
    ++ map (name: { inherit name; config = configPath name; }) testConfigs;
  planMismatches = lib.filter (
    e:
    zl.plan { inherit (e) config; dir = "/srv/zeoraid"; }
    != lib.importJSON (./tests/expected + "/${e.name}.json")
  ) expected;
  unit = import ./tests/unit.nix;

  # A directory name the CLI sees; lib.nix computes with the stand-in and
  # the check substitutes the real one.
  standIn = "/zeoraid-check-dir";
in
{
  build = zeoraid;

  # The whole cargo test suite inside the sandbox, with nixpkgs' ZEO.
  tests = zeoraid.override {
    doCheck = true;
    testPython = zeoPython;
  };

  fmt = pkgs.runCommand "zeoraid-cargo-fmt" { nativeBuildInputs = [ pkgs.cargo pkgs.rustfmt ]; } ''
    cp -r ${src} source
    chmod -R u+w source
    cd source
    export HOME=$TMPDIR
    # From the workspace root, `cargo fmt` covers every member; `--all` would
    # also resolve registry dependencies, which the sandbox cannot fetch.
    cargo fmt --check
    touch $out
  '';

  clippy = p.zeoraidGlibc.overrideAttrs (old: {
    pname = "zeoraid-clippy";
    nativeBuildInputs = old.nativeBuildInputs ++ [ pkgs.clippy ];
    buildPhase = ''
      runHook preBuild
      # nixpkgs' own cargo: the cargo-auditable wrapper in PATH only knows `build`.
      ${pkgs.cargo}/bin/cargo clippy --workspace --all-targets --offline -- -D warnings
      runHook postBuild
    '';
    installPhase = "touch $out";
    doCheck = false;
    dontFixup = true;
  });

  lib-expected =
    if planMismatches == [ ] && unit.failed == [ ] then
      pkgs.runCommand "zeoraid-lib-expected" { } ''
        echo "${toString (lib.length expected)} plans and ${toString unit.passed} unit cases agree" > $out
      ''
    else
      throw "nix/lib.nix: plans differ from nix/tests/expected for ${
        lib.concatMapStringsSep ", " (e: e.name) planMismatches
      }; failed unit cases: ${builtins.toJSON unit.failed} (run nix/tests/run.sh for diffs)";

  # lib.nix against `zeoraid list --json`: the package's compiled-in plan,
  # and every test config through --config.
  lib-agrees =
    pkgs.runCommand "zeoraid-lib-agrees"
      {
        nativeBuildInputs = [ pkgs.jq pkgs.diffutils ];
        compiledIn = builtins.toJSON (zeoraid.zeoraidPlanFor (toString zeoraid));
        passAsFile = [ "compiledIn" ];
      }
      (
        ''
          set -eu
          ${lib.getExe zeoraid} list --json | jq -S . > cli.json
          jq -S . "$compiledInPath" > lib.json
          diff -u lib.json cli.json

          mkdir cfg
          dir=$(cd cfg && pwd -P)
        ''
        + lib.concatMapStrings (
          name:
          let
            libJson = builtins.toJSON (zl.plan { config = configPath name; dir = standIn; });
          in
          ''
            cp ${configPath name} "cfg/${name}.toml"
            ${lib.getExe zeoraid} list --json --config "$dir/${name}.toml" | jq -S . > "cli-${name}.json"
            printf '%s' ${lib.escapeShellArg libJson} | sed "s|${standIn}|$dir|g" | jq -S . > "lib-${name}.json"
            diff -u "lib-${name}.json" "cli-${name}.json"
          ''
        ) testConfigs
        + ''
          touch $out
        ''
      );
}
