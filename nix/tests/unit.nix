# Unit tests of nix/lib.nix, pure: `nix-instantiate --eval --strict --json nix/tests/unit.nix`
# gives { passed = N; failed = [ { name; expected; got; } ... ]; }.
let
  zl = import ../lib.nix;
  inherit (builtins) tryEval map filter length attrNames fromTOML deepSeq removeAttrs;

  # A test is { name; got; expected; }; `fails` checks that evaluation throws.
  eq = name: got: expected: { inherit name got expected; };
  fails = name: value: {
    inherit name;
    got = (tryEval (deepSeq value value)).success;
    expected = false;
  };

  tcp = host: port: { inherit host port; };

  seedZeoConf = ''
    <zeo>
       address 5555
       monitor-address 8101
       transaction-timeout 300
    </zeo>
    %import gocept.zeoraid
    <raidstorage 1>
       <zeoclient 1>
           address 8101
       </zeoclient>
    </raidstorage>
  '';
  parsedSeed = zl.parseZConfig seedZeoConf;

  settings = fromTOML (builtins.readFile ./configs/deployment-full.toml);
  out = "/nix/store/00000000000000000000000000000000-zeoraid-0.1.0";
  tools = { runzeo = "/nix/store/11111111111111111111111111111111-python/bin/runzeo"; };
  relocated = zl.relocate { inherit settings out tools; dir = "/srv/zeoraid"; };
  relocatedPlan = zl.planFromAttrs { settings = relocated; dir = "/"; };
  original = zl.planFromAttrs { inherit settings; dir = "/srv/zeoraid"; };
  mainOf = p: builtins.head p.parts;

  # systemd units: files only where a systemd-directory says.
  systemdSettings = fromTOML (builtins.readFile ./configs/systemd.toml);
  systemdAnalysis = zl.analyse { settings = systemdSettings; dir = "/srv/zeoraid"; };
  relocatedSystemd = zl.relocate { settings = systemdSettings; inherit out tools; dir = "/srv/zeoraid"; };
  unitPaths = a: map (p: [ p.key p.systemd_unit_path ]) a.parts;
  units = files: filter (f: builtins.match ".*[.]service" f != null) files;
  oneUnit = extra: unitPaths (zl.analyse {
    dir = "/d";
    settings = {
      layout.directory = "site";
      server.x = { zeo-conf = "<zeo>\naddress 1\n</zeo>\n<raidstorage 1/>\n"; } // extra.server or { };
    } // removeAttrs extra [ "server" ];
  });

  tomlSample = {
    top = "level";
    layout.directory = ".";
    server."with space".zeo-conf = "line 1\n  \"quoted\" \\ back\ttab\nünïcode $x \${y}";
    server.b = { logrotate = false; n = 3; list = [ "a" "b" ]; };
    deployment.empty = { };
  };

  tests = [
    # addresses (the cases of crates/core/src/addr.rs, and more)
    (eq "port alone" (zl.parseAddress "5555") (tcp "127.0.0.1" 5555))
    (eq "host:port" (zl.parseAddress "111.111.111.111:4444") (tcp "111.111.111.111" 4444))
    (eq "[v6]:port" (zl.parseAddress "[::1]:8100") (tcp "::1" 8100))
    (eq "name:port" (zl.parseAddress "zeo.example.com:1") (tcp "zeo.example.com" 1))
    (eq "socket" (zl.parseAddress "/run/zeo.sock") { unix = "/run/zeo.sock"; })
    (eq "relative socket" (zl.parseAddress "./zeo.sock") { unix = "./zeo.sock"; })
    (eq "blanks around" (zl.parseAddress "  8100 ") (tcp "127.0.0.1" 8100))
    (eq "zero-padded port" (zl.parseAddress "007") (tcp "127.0.0.1" 7))
    (eq "port 0" (zl.parseAddress "0") (tcp "127.0.0.1" 0))
    (eq "port 65535" (zl.parseAddress "65535") (tcp "127.0.0.1" 65535))
    (eq "v6 unspecified" (zl.parseAddress "[::]:1") (tcp "::" 1))
    (eq "v6 full" (zl.parseAddress "[1:2:3:4:5:6:7:8]:1") (tcp "1:2:3:4:5:6:7:8" 1))
    (eq "v6 seven and ::" (zl.parseAddress "[1:2:3:4:5:6:7::]:1") (tcp "1:2:3:4:5:6:7::" 1))
    (eq "v6 ipv4 tail" (zl.parseAddress "[::ffff:1.2.3.4]:1") (tcp "::ffff:1.2.3.4" 1))
    (eq "v6 six and ipv4" (zl.parseAddress "[1:2:3:4:5:6:1.2.3.4]:1") (tcp "1:2:3:4:5:6:1.2.3.4" 1))
    (fails "empty" (zl.parseAddress ""))
    (fails "word" (zl.parseAddress "x"))
    (fails "host:" (zl.parseAddress "host:"))
    (fails ":80" (zl.parseAddress ":80"))
    (fails "1:2:3" (zl.parseAddress "1:2:3"))
    (fails "[::1] without port" (zl.parseAddress "[::1]"))
    (fails "[x]:1" (zl.parseAddress "[x]:1"))
    (fails "99999" (zl.parseAddress "99999"))
    (fails "65536" (zl.parseAddress "65536"))
    (fails "a b:1" (zl.parseAddress "a b:1"))
    (fails "v6 two ::" (zl.parseAddress "[1::2::3]:1"))
    (fails "v6 nine groups" (zl.parseAddress "[1:2:3:4:5:6:7:8:9]:1"))
    (fails "v6 eight and ::" (zl.parseAddress "[1:2:3:4:5:6:7:8::]:1"))
    (fails "v6 five hex digits" (zl.parseAddress "[12345::]:1"))
    (fails "v6 ipv4 first" (zl.parseAddress "[1.2.3.4::]:1"))
    (fails "v6 ipv4 leading zero" (zl.parseAddress "[::1.2.3.04]:1"))
    (fails "v6 ipv4 octet" (zl.parseAddress "[::1.2.3.256]:1"))
    (fails "v6 zone" (zl.parseAddress "[fe80::1%eth0]:1"))
    (fails "v6 trailing bracket" (zl.parseAddress "[::1]]:1"))
    (eq "show tcp" (zl.showAddress (tcp "127.0.0.1" 5555)) "127.0.0.1:5555")
    (eq "show v6" (zl.showAddress (tcp "::1" 5555)) "[::1]:5555")
    (eq "show unix" (zl.showAddress { unix = "/s"; }) "/s")

    # paths
    (eq "normalise" (zl.normalise "/a/./b/../c/") "/a/c")
    (eq "normalise root" (zl.normalise "/") "/")
    (eq "normalise above root" (zl.normalise "/../..") "/")
    (eq "normalise slashes" (zl.normalise "//a//b//") "/a/b")
    (eq "resolve relative" (zl.resolve "/x/y" "../z/.") "/x/z")
    (eq "resolve absolute" (zl.resolve "/x/y" "/z/") "/z")
    (fails "normalise relative" (zl.normalise "a/b"))
    (fails "plan with relative dir" (zl.planFromAttrs { settings = { }; dir = "rel"; }))

    # ZConfig
    (eq "imports" parsedSeed.imports [ "gocept.zeoraid" ])
    (eq "section types" (map (s: s.type) parsedSeed.sections) [ "zeo" "raidstorage" ])
    (eq "zeo keys in order" (builtins.head parsedSeed.sections).order [ "address" "monitor-address" "transaction-timeout" ])
    (eq "zeo address" (builtins.head parsedSeed.sections).keys.address [ "5555" ])
    (eq "nested section" (map (s: { inherit (s) type name; }) (builtins.elemAt parsedSeed.sections 1).sections)
      [{ type = "zeoclient"; name = "1"; }])
    (eq "lowercased" (map (s: { inherit (s) type name; }) (zl.parseZConfig "<RaidStorage Main>\n</RAIDSTORAGE>").sections)
      [{ type = "raidstorage"; name = "main"; }])
    (eq "keys keep case" (builtins.head (zl.parseZConfig "<a>\nAddress 1\n</a>").sections).keys { Address = [ "1" ]; })
    (eq "repeated key" (zl.parseZConfig "k 1\nk 2\nj").keys { k = [ "1" "2" ]; j = [ "" ]; })
    (eq "empty section" (map (s: s.sections) (zl.parseZConfig "<a x/>\n<b/>").sections) [ [ ] [ ] ])
    (eq "value keeps inner blanks" (zl.parseZConfig "k  a  b  ").keys.k [ "a  b" ])
    (eq "define" (zl.parseZConfig "%define A 1\n%define b x$a\nk \${B}-$$-$A").keys.k [ "x1-$-1" ])
    (eq "define twice, same value" (zl.parseZConfig "%define a 1\n%define a 1\nk $a").keys.k [ "1" ])
    (eq "crlf lines" (zl.parseZConfig "<a>\r\nk v\r\n</a>\r\n").sections
      [{ type = "a"; name = null; line = 1; keys = { k = [ "v" ]; }; order = [ "k" ]; sections = [ ]; }])
    (fails "redefine" (zl.parseZConfig "%define a 1\n%define a 2"))
    (fails "bad define name" (zl.parseZConfig "%define 1a 1"))
    (fails "unknown directive" (zl.parseZConfig "%foo x"))
    (fails "lone $" (zl.parseZConfig "k a$"))
    (fails "unterminated \${" (zl.parseZConfig "%define a 1\nk \${a"))
    (fails "malformed data" (zl.parseZConfig "(k v"))
    (fails "end without start" (zl.parseZConfig "</a>"))
    (fails "malformed end" (zl.parseZConfig "<a>\n</a"))
    (fails "header with three words" (zl.parseZConfig "<a b c>\n</a>"))
    (eq "non-ASCII name kept" (map (s: s.name) (zl.parseZConfig "<raidstorage Ä/>").sections) [ "Ä" ])
    (fails "non-ASCII storage name" (zl.planFromString { dir = "/d"; text = "[server.x]\nzeo-conf = \"<zeo>\\naddress 1\\n</zeo>\\n<raidstorage ä/>\"\n"; }))
    (eq "unnamed storage is 1" (map (m: m.storage) (builtins.head (zl.planFromString { dir = "/d"; text = "[server.x]\nzeo-conf = \"<zeo>\\naddress 1\\n</zeo>\\n<raidstorage>\\n</raidstorage>\"\n"; }).parts).manage) [ "1" ])

    # TOML writer
    (eq "toTOML round trip" (fromTOML (zl.toTOML tomlSample)) tomlSample)
    (eq "toTOML of a config round trip" (fromTOML (zl.toTOML settings)) settings)

    # relocation for the Nix store
    (eq "relocated directory" relocatedPlan.directory "${out}/share/zeoraid")
    (eq "relocated rc" (mainOf relocatedPlan).rc "${out}/bin/production-zeo-main")
    (eq "relocated manage" (map (m: m.path) (mainOf relocatedPlan).manage)
      [ "${out}/bin/production-zeo-main-main-manage" "${out}/bin/production-zeo-main-archive-2-manage" ])
    (eq "relocated zeo.conf" (mainOf relocatedPlan).zeo_conf "${out}/share/zeoraid/etc/production/zeo-main-zeo.conf")
    (eq "relocated logrotate" (mainOf relocatedPlan).logrotate "${out}/share/zeoraid/logrotate.d/production-zeo-main")
    (eq "relocated cron" (mainOf relocatedPlan).cron "${out}/share/zeoraid/cron.d/pack-production-zeo-main")
    (eq "run stays" (mainOf relocatedPlan).run_directory (mainOf original).run_directory)
    (eq "log stays" (mainOf relocatedPlan).log (mainOf original).log)
    (eq "names stay" (map (p: [ p.key p.name p.deployment p.user p.systemd_unit p.address ]) relocatedPlan.parts)
      (map (p: [ p.key p.name p.deployment p.user p.systemd_unit p.address ]) original.parts))
    (eq "plain part moves too" (builtins.elemAt relocatedPlan.parts 1).rc "${out}/bin/plain")
    (eq "tools injected" relocated.server.main.runzeo tools.runzeo)
    (eq "tools default to the original bin-directory" relocated.server.main.zeopack "/srv/zeoraid/deploy/tools/bin/zeopack")
    (eq "relocated TOML round trip"
      (zl.planFromString { text = zl.toTOML relocated; dir = "/elsewhere"; })
      relocatedPlan)
    (eq "generatedFiles" (length (zl.generatedFiles relocatedPlan)) 11)
    (eq "manageBinaries" (map (m: m.name) (zl.manageBinaries original))
      [ "production-zeo-main-main-manage" "production-zeo-main-archive-2-manage" "plain-1-manage" ])
    (eq "serverWrappers" (map (w: w.name) (zl.serverWrappers original)) [ "production-zeo-main" "plain" ])
    # systemd units
    (eq "unit paths" (unitPaths systemdAnalysis) [
      [ "plain" "/srv/zeoraid/site/units/plain.service" ]
      [ "quiet" null ]
      [ "scripted" "/etc/systemd/system/prod-scripted.service" ]
    ])
    (eq "no systemd-directory, no unit file" (unitPaths (zl.analyse { inherit settings; dir = "/srv/zeoraid"; }))
      [ [ "main" null ] [ "plain" null ] ])
    (eq "layout systemd-directory against layout.directory" (oneUnit { layout = { directory = "site"; systemd-directory = "../u/./v/"; }; })
      [ [ "x" "/d/u/v/x.service" ] ])
    (eq "deployment systemd-directory against layout.directory" (oneUnit {
      server.deployment = "d";
      deployment.d = { name = "D"; etc-prefix = "etc"; systemd-directory = "units"; };
    }) [ [ "x" "/d/site/units/D-x.service" ] ])
    (eq "the layout's is not the deployment's" (oneUnit {
      layout = { directory = "site"; systemd-directory = "units"; };
      server.deployment = "d";
      deployment.d = { };
    }) [ [ "x" null ] ])
    (eq "the plan does not name unit files" (zl.planFromAttrs { settings = systemdSettings; dir = "/srv/zeoraid"; })
      (zl.planFromAttrs { settings = removeAttrs systemdSettings [ "layout" ] // { layout.directory = "site"; }; dir = "/srv/zeoraid"; }))
    (eq "generatedFiles of the analysis name the units" (units (zl.generatedFiles systemdAnalysis))
      [ "/srv/zeoraid/site/units/plain.service" "/etc/systemd/system/prod-scripted.service" ])
    (eq "generatedFiles of the plan do not" (units (zl.generatedFiles (zl.planFromAttrs { settings = systemdSettings; dir = "/srv/zeoraid"; }))) [ ])
    (eq "relocated units" (unitPaths (zl.analyse { settings = relocatedSystemd; dir = "/"; })) [
      [ "plain" "${out}/share/zeoraid/systemd/plain.service" ]
      [ "quiet" null ]
      [ "scripted" "${out}/share/zeoraid/systemd/prod-scripted.service" ]
    ])
    (eq "relocation sets no systemd-directory of its own"
      [ (relocated.layout ? systemd-directory) (relocated.deployment.prod ? systemd-directory) (relocatedSystemd.deployment.other ? systemd-directory) ]
      [ false false false ])
    (fails "systemd-directory of the wrong type" (oneUnit { layout.systemd-directory = 1; }))

    (fails "run directory in the store"
      (zl.relocate {
        inherit out;
        dir = "/nix/store/22222222222222222222222222222222-source";
        settings = fromTOML (builtins.readFile ./configs/defaults.toml) // { layout = { }; };
      }))
  ];

  failed = filter (t: t.got != t.expected) tests;
in
{
  passed = length tests - length failed;
  failed = failed;
}
