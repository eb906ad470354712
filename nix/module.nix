# services.zeoraid: ZEO RAID servers from one zeoraid.toml.
#
# The package is built for the config (relocated: binaries and config files
# in the store, run and log directories where the deployment puts them) and
# everything else is computed from nix/lib.nix's plan of it: one systemd
# service per server part running runzeo in the foreground on the generated
# zeo.conf, the deployment users, tmpfiles for run and log directories,
# logrotate, and the pack cron files the build generated.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.zeoraid;
  zl = import ./lib.nix;
  settingsFormat = pkgs.formats.toml { };

  inherit (lib)
    literalExpression
    mkEnableOption
    mkIf
    mkOption
    types
    ;

  userSettings = if cfg.config != null then zl.readConfig cfg.config else cfg.settings;

  # The settings the package was built with (absolute paths, store paths for
  # what the build generates), and their analysis: the plan plus storages,
  # pack fields and tools.
  pkgOut = toString cfg.package;
  builtSettings =
    if cfg.package ? zeoraidSettingsFor then
      cfg.package.zeoraidSettingsFor pkgOut
    else
      zl.relocate {
        settings = userSettings;
        dir = cfg.directory;
        out = pkgOut;
      };
  analysis = zl.analyse {
    settings = builtSettings;
    dir = "/";
  };
  parts = analysis.parts;

  hasDeployment = part: part.deployment != null;
  userOf = part: if part.user != null then part.user else cfg.user;
  unitOf = part: lib.removeSuffix ".service" part.systemd_unit;
  runUsers = lib.filter (u: u != "root") (lib.unique (map userOf parts));

  # Parts with a deployment log to its log directory; the others to the journal.
  logOf = part: if hasDeployment part then part.log else null;

  rotated = lib.filter (part: part.logrotate != null) parts;

  # Pack crons: files without MAILTO first, so that a file's MAILTO line only
  # reaches its own jobs (cron concatenates them into one crontab).
  packed = lib.filter (part: part.cron != null) parts;
  mails = part: lib.length part.pack >= 7;
  cronFiles = map (part: part.cron) (
    lib.filter (part: !mails part) packed ++ lib.filter mails packed
  );
in
{
  options.services.zeoraid = {
    enable = mkEnableOption "ZEO RAID servers built from a zeoraid.toml";

    config = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = literalExpression "./zeoraid.toml";
      description = ''
        The zeoraid.toml to build and run.  Give this or
        {option}`services.zeoraid.settings`.
      '';
    };

    settings = mkOption {
      type = settingsFormat.type;
      default = { };
      example = literalExpression ''
        {
          server.zeoraid = {
            deployment = "prod";
            pack = "1 1 * * 0 3 ops@example.com";
            zeo-conf = '''
              <zeo>
                address 8100
              </zeo>
              %import gocept.zeoraid
              <raidstorage main>
                <zeoclient 1>
                  server backend1:8101
                </zeoclient>
              </raidstorage>
            ''';
          };
          deployment.prod = {
            user = "zope";
            run-directory = "/run/zeoraid";
            log-directory = "/var/log/zeoraid";
          };
        }
      '';
      description = ''
        The zeoraid.toml as an attribute set (keys as in the file).  Run and
        log directories must be outside the Nix store; binaries and config
        files are generated into the package.
      '';
    };

    configFile = mkOption {
      type = types.path;
      readOnly = true;
      default =
        if cfg.config != null then cfg.config else settingsFormat.generate "zeoraid.toml" cfg.settings;
      defaultText = literalExpression "config, or settings written with pkgs.formats.toml";
      description = ''
        The zeoraid.toml as a file, e.g. for `zeoraid check`.  The package
        itself carries the relocated file it was built from at
        share/zeoraid/zeoraid.toml.
      '';
    };

    directory = mkOption {
      type = types.str;
      default = "/var/lib/zeoraid";
      description = ''
        The absolute folder relative paths in the config resolve against
        (the config's own folder is in the Nix store).
      '';
    };

    extraPythonPackages = mkOption {
      type = types.functionTo (types.listOf types.package);
      default = ps: [ ];
      defaultText = literalExpression "ps: [ ]";
      example = literalExpression "ps: [ (ps.callPackage ./my-raidstorage.nix { }) ]";
      description = ''
        Python packages runzeo needs besides ZEO: at least the one providing
        the `<raidstorage>` section that zeo.conf `%import`s (nixpkgs has
        none).
      '';
    };

    python = mkOption {
      type = types.package;
      default = import ./python.nix {
        inherit pkgs;
        extraPackages = cfg.extraPythonPackages;
      };
      defaultText = literalExpression "python3 with ZEO 6.2, msgpack, zdaemon and extraPythonPackages";
      description = "The Python whose runzeo and zeopack the servers and the pack cron use.";
    };

    package = mkOption {
      type = types.package;
      default = pkgs.pkgsStatic.callPackage ./package.nix (
        {
          inherit (cfg) directory;
          zeoPython = cfg.python;
        }
        // (if cfg.config != null then { inherit (cfg) config; } else { inherit (cfg) settings; })
      );
      defaultText = literalExpression "zeoraid built (static, relocated) for config or settings";
      description = ''
        zeoraid built for this config.  A package of your own must be built
        from the same config with nix/package.nix (relocate = true).
      '';
    };

    user = mkOption {
      type = types.str;
      default = "zeoraid";
      description = "The user for parts whose deployment names none, and for parts without a deployment.";
    };

    group = mkOption {
      type = types.str;
      default = "zeoraid";
      description = "The group of every server user and of the run and log directories.";
    };

    createUsers = mkOption {
      type = types.bool;
      default = true;
      description = "Whether to create the server users (system users) and the group.";
    };

    logrotate = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to rotate the logs of parts whose deployment has logrotate
        (weekly, 5 kept) through {option}`services.logrotate.settings`.
      '';
    };

    packCron = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to install the pack cron files the build generated (parts
        with `pack`) through {option}`services.cron.cronFiles`.
      '';
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = (cfg.config != null) != (cfg.settings != { });
        message = "services.zeoraid: set exactly one of `config` (a zeoraid.toml) and `settings`.";
      }
      {
        assertion = cfg.package.zeoraidRelocated or true;
        message = "services.zeoraid.package must be built with relocate = true (its files must be in the store where its plan says).";
      }
      {
        assertion = lib.hasPrefix "/" cfg.directory;
        message = "services.zeoraid.directory must be an absolute path.";
      }
    ];

    environment.systemPackages = [ cfg.package ];

    users.users = mkIf cfg.createUsers (
      lib.genAttrs runUsers (_: {
        isSystemUser = true;
        inherit (cfg) group;
        description = "ZEO RAID server";
      })
    );
    users.groups = mkIf cfg.createUsers { ${cfg.group} = { }; };

    systemd.tmpfiles.rules = lib.unique (
      lib.concatMap (
        part:
        lib.optionals (hasDeployment part) [
          "d ${part.run_directory} 0750 ${userOf part} ${cfg.group} - -"
          "d ${dirOf part.log} 0750 ${userOf part} ${cfg.group} - -"
          # systemd opens `append:` files as root before it drops
          # privileges: create the log as the server's user first, so that
          # logrotate (su user group) can copy and truncate it.
          "f ${part.log} 0640 ${userOf part} ${cfg.group} - -"
        ]
      ) parts
    );

    systemd.services = lib.listToAttrs (
      map (
        part:
        lib.nameValuePair (unitOf part) {
          description =
            "ZEO RAID server ${part.name}"
            + lib.optionalString (hasDeployment part) " (deployment ${part.deployment})";
          wantedBy = [ "multi-user.target" ];
          wants = [ "network-online.target" ];
          after = [ "network-online.target" ];
          serviceConfig =
            {
              # runzeo in the foreground on the generated zeo.conf; systemd
              # supervises it instead of the zdaemon-compatible wrapper.
              ExecStart = "${cfg.python}/bin/runzeo -C ${part.zeo_conf}";
              User = userOf part;
              Group = cfg.group;
              Restart = "on-failure";
              RestartSec = 5;
              UMask = "0027";
              NoNewPrivileges = true;
              PrivateTmp = true;
              ProtectHome = true;
              ProtectSystem = "full";
            }
            // (
              if hasDeployment part then
                {
                  WorkingDirectory = part.run_directory;
                  # The transcript zdaemon would keep: runzeo's output.
                  StandardOutput = "append:${logOf part}";
                  StandardError = "append:${logOf part}";
                }
              else
                {
                  StateDirectory = "zeoraid/${part.name}";
                  WorkingDirectory = "/var/lib/zeoraid/${part.name}";
                }
            );
        }
      ) parts
    );

    # systemd holds the log file open, so logrotate copies and truncates it
    # (the generated postrotate talks to a zdaemon, which does not run here).
    services.logrotate.settings = mkIf cfg.logrotate (
      lib.listToAttrs (
        map (
          part:
          lib.nameValuePair "zeoraid-${unitOf part}" {
            files = part.log;
            frequency = "weekly";
            rotate = 5;
            copytruncate = true;
            missingok = true;
            su = "${userOf part} ${cfg.group}";
          }
        ) (lib.filter hasDeployment rotated)
      )
    );

    services.cron = mkIf (cfg.packCron && cronFiles != [ ]) {
      enable = lib.mkDefault true;
      cronFiles = lib.mkAfter cronFiles;
    };
  };
}
