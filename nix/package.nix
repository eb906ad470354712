# zeoraid built for one zeoraid.toml: the `zeoraid` tool, every server
# wrapper and manage binary in $out/bin, the generated config files in
# $out/share/zeoraid.  Call it with pkgsStatic for fully static (musl)
# binaries:
#
#   pkgs.pkgsStatic.callPackage ./nix/package.nix {
#     config = ./zeoraid.toml;                 # or: settings = { server.x = { ... }; };
#     zeoPython = import ./nix/python.nix { inherit pkgs; };
#   }
#
# and build for another config with `.override { config = ./my.toml; }`.
#
# Always pass `config` explicitly: callPackage would otherwise fill it with
# nixpkgs' own `config` attribute set (that is ignored here, and the
# repository's zeoraid.toml is used).
{
  lib,
  rustPlatform,

  # The zeoraid.toml to build for (a path), or `settings`: the same as an
  # attribute set (takes precedence).
  config ? null,
  settings ? null,

  # The absolute folder relative paths in the config resolve against;
  # default: the folder holding `config` (for `settings`: required when the
  # config uses relative run or log directories; "/" otherwise).
  directory ? null,

  # true: binaries and config files live in $out and refer to each other
  # there; run and log directories stay where the config puts them (they must
  # be outside the store).  false: keep every path of the config and lay the
  # files out below $out as a DESTDIR-style root ($out/etc/..., with links in
  # $out/bin), e.g. to copy them to a machine without Nix.
  relocate ? true,

  # A Python with ZEO (./python.nix).  Parts that do not set runzeo, zdaemon
  # or zeopack get this Python's; null leaves them to the config (relative:
  # against its bin-directory) and keeps Python out of the closure.
  zeoPython ? null,

  src ? lib.cleanSourceWith {
    src = lib.cleanSource ../.;
    filter =
      path: type:
      let
        base = baseNameOf path;
      in
      !(base == "target" || base == ".direnv" || lib.hasPrefix "result" base);
  },

  # Run the test suite (needs loopback networking, which the sandbox has)
  # with `testPython` as ZEORAID_TEST_VENV.
  doCheck ? false,
  testPython ? null,
}:

let
  zl = import ./lib.nix;

  isFile = c: builtins.isPath c || builtins.isString c || (builtins.isAttrs c && c ? outPath);
  configFile = if isFile config then config else ../zeoraid.toml;
  userSettings = if settings != null then settings else zl.readConfig configFile;
  baseDir =
    if directory != null then toString directory
    else if settings != null then "/"
    else zl.configDir configFile;

  tools = lib.optionalAttrs (zeoPython != null) {
    runzeo = "${zeoPython}/bin/runzeo";
    zdaemon = "${zeoPython}/bin/zdaemon";
    zeopack = "${zeoPython}/bin/zeopack";
  };

  # The settings the build uses, for the store path `out`; every path in
  # them is absolute.
  settingsFor =
    out:
    if relocate then
      zl.relocate {
        settings = userSettings;
        dir = baseDir;
        inherit out tools;
      }
    else
      zl.absolutise {
        settings = userSettings;
        dir = baseDir;
      };

  # The plan `zeoraid list --json` prints for the package at `out`.
  planFor = out: zl.planFromAttrs { settings = settingsFor out; dir = "/"; };

  out = builtins.placeholder "out";
  plan = planFor out;
  # Evaluating the plan checks the config: errors show at evaluation time,
  # before anything builds.
  configText = builtins.seq (builtins.deepSeq plan null) (zl.toTOML (settingsFor out));

  binaries = map (w: w.path) (zl.serverWrappers plan) ++ map (m: m.path) (zl.manageBinaries plan);

  # The tool is $out/bin/zeoraid, unless a generated binary has that name
  # (the seed's part is called `zeoraid`): then it is $out/bin/zeoraid-tool.
  toolName = if builtins.elem "zeoraid" (map baseNameOf binaries) then "zeoraid-tool" else "zeoraid";

  # ---------------------------------------------------------------------
  # The one place that knows the `zeoraid install` command line.
  # Assumed: `zeoraid install --root DIR` lays out the tree that build.rs
  # staged for ZEORAID_CONFIG (binaries, config files, logrotate, cron and
  # unit files) at DIR/<absolute path>, DESTDIR-style, creates the run and log
  # directories there too, and changes no owner when not run as root.
  installTree = ''
    stage="$NIX_BUILD_TOP/zeoraid-root"
    "$out/bin/${toolName}" install --root "$stage"
  ''
  + (
    if relocate then
      ''
        # Relocated: everything the build generates is below $out already.
        if [ -d "$stage$out" ]; then
          cp -a "$stage$out/." "$out/"
        fi
      ''
    else
      ''
        # As configured: $out is the root; link the binaries into $out/bin.
        cp -a "$stage/." "$out/"
        ${lib.concatMapStrings (b: ''
          if [ ! -e "$out/bin/${baseNameOf b}" ]; then ln -s "$out${b}" "$out/bin/${baseNameOf b}"; fi
        '') binaries}
      ''
  );
  # ---------------------------------------------------------------------

  expectedFiles = zl.generatedFiles (zl.analyse { settings = settingsFor out; dir = "/"; });
  # Where the install puts a file the plan names.
  installedPrefix = if relocate then "" else "$out";
in
rustPlatform.buildRustPackage {
  pname = "zeoraid";
  version = (lib.importTOML ../Cargo.toml).package.version;

  inherit src doCheck;

  cargoLock.lockFile = ../Cargo.lock;

  env =
    {
      # build.rs reads ZEORAID_CONFIG; the text carries the placeholder for
      # $out, which Nix replaces with the real store path at build time.
      ZEORAID_TOML = configText;
    }
    // lib.optionalAttrs (testPython != null) {
      # The test harness uses this Python environment (bin/python, runzeo,
      # zdaemon; ZEO, msgpack) instead of creating a venv from PyPI.
      ZEORAID_TEST_VENV = "${testPython}";
    };

  postPatch = ''
    printf '%s' "$ZEORAID_TOML" > "$NIX_BUILD_TOP/zeoraid.toml"
    export ZEORAID_CONFIG="$NIX_BUILD_TOP/zeoraid.toml"
  '';

  postInstall = ''
    ${lib.optionalString (toolName != "zeoraid") ''mv "$out/bin/zeoraid" "$out/bin/${toolName}"''}
    ${installTree}

    install -Dm644 "$ZEORAID_CONFIG" "$out/share/zeoraid/zeoraid.toml"

    missing=0
    for f in ${lib.escapeShellArgs expectedFiles}; do
      f="${installedPrefix}$f"
      if [ ! -e "$f" ]; then
        echo "zeoraid: the install did not produce $f (named by the plan)" >&2
        missing=1
      fi
    done
    [ "$missing" = 0 ]
  '';

  passthru = {
    # For the NixOS module and the checks: what this package was built from.
    zeoraidSettingsFor = settingsFor;
    zeoraidPlanFor = planFor;
    zeoraidRelocated = relocate;
    zeoraidTool = toolName;
    inherit zeoPython;
  };

  meta = {
    description = "ZEO RAID servers from one zeoraid.toml: static manage binaries, zdaemon-compatible server wrappers, config files";
    license = lib.licenses.zpl21;
    mainProgram = toolName;
    platforms = lib.platforms.linux;
  };
}
