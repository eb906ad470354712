# zeoraid's Nix library: pure functions (builtins only, no nixpkgs).
#
# It reads a zeoraid.toml with builtins.fromTOML and computes the plan, the
# exact structure `zeoraid list --json` prints (docs/plan-json.md), so the Nix
# side (flake, NixOS module) and the Cargo side (build.rs) agree on every name
# and path.  Whatever lib.nix cannot decide for sure makes it `throw` with a
# sentence naming the part, never guess.
#
#   let zl = import ./nix/lib.nix; in
#   zl.plan { config = ./zeoraid.toml; }                    # dir = folder of the file
#   zl.plan { config = ./zeoraid.toml; dir = "/srv/zeo"; }  # relative paths against /srv/zeo
#   zl.planFromString { text = "..."; dir = "/srv/zeo"; }
#   zl.planFromAttrs { settings = { server.x = { ... }; }; dir = "/srv/zeo"; }
#
# Scope of the zeo.conf reader (ZConfig, schemaless, DESIGN.md §4): comments,
# sections, keys, `%import`, `%define` with `$name`/`${name}`/`$$`
# substitution.  It throws on `%include` and on `$(NAME)` (environment
# substitution: its value depends on the machine, not on the file).
# Section types and names are lowercased as ZConfig does, for ASCII letters;
# a non-ASCII section type or name makes it throw.
let
  inherit (builtins)
    all any attrNames concatLists concatMap concatStringsSep elem elemAt
    filter foldl' fromJSON fromTOML genList hasAttr head isAttrs isBool isFloat
    isInt isList isPath isString length listToAttrs map mapAttrs match
    readFile removeAttrs replaceStrings seq sort split storeDir stringLength
    substring tail throw toJSON toString typeOf;

  # ------------------------------------------------------------------ strings

  upperChars = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lowerChars = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];

  # ASCII lowercase.
  toLower = replaceStrings upperChars lowerChars;

  # Drops the first n characters.
  drop = n: s: substring n (stringLength s) s;

  # The last character ("" for "").
  lastChar = s: if s == "" then "" else substring (stringLength s - 1) 1 s;

  hasPrefix = p: s: substring 0 (stringLength p) s == p;
  hasSuffix = p: s:
    let n = stringLength s; k = stringLength p; in
    n >= k && substring (n - k) k s == p;
  contains = needle: s: length (split (escapeRegex needle) s) > 1;
  # (Bracket forms: libstdc++'s std::regex refuses some backslash escapes.)
  escapeRegex = replaceStrings
    [ "\\" "." "[" "]" "(" ")" "{" "}" "*" "+" "?" "^" "$" "|" ]
    [ "\\\\" "[.]" "[[]" "[]]" "[(]" "[)]" "[{]" "[}]" "[*]" "[+]" "[?]" "\\^" "[$]" "[|]" ];

  # Whitespace as Python's str.strip()/Rust's trim() see it in ASCII.
  strip = s:
    let m = match "[[:space:]]*(.*[^[:space:]])?[[:space:]]*" s; in
    if m == null || head m == null then "" else head m;
  rstrip = s:
    let m = match "(.*[^[:space:]])?[[:space:]]*" s; in
    if m == null || head m == null then "" else head m;

  # Lines of a text, split on "\n" only (ZConfig reads with readline).
  lines = text: filter isString (split "\n" text);

  # Non-empty runs of non-whitespace.
  words = s: filter (w: isString w && w != "") (split "[[:space:]]+" s);

  isAscii = s: s == "" || match "[ -~\t\r\n]*" s != null;

  showList = xs: concatStringsSep ", " (map (x: "'${x}'") xs);

  # ------------------------------------------------------------------- paths

  # Normalises an absolute path: no "." or ".." segments, no empty segments,
  # no trailing slash ("/" stays "/").
  normalise = path:
    if !(hasPrefix "/" path) then
      throw "zeoraid: internal error: '${path}' is not absolute"
    else
      let
        segs = filter (s: isString s && s != "" && s != ".") (split "/+" path);
        step = acc: seg:
          if seg == ".." then (if acc == [ ] then [ ] else genList (i: elemAt acc i) (length acc - 1))
          else acc ++ [ seg ];
        kept = foldl' step [ ] segs;
      in
      "/" + concatStringsSep "/" kept;

  # Resolves `path` against the absolute directory `base` and normalises.
  resolve = base: path:
    if !(isString path) then
      throw "zeoraid: expected a path string, got ${typeOf path}"
    else if path == "" then
      throw "zeoraid: an empty path is not allowed"
    else if hasPrefix "/" path then normalise path
    else normalise "${base}/${path}";

  # The folder holding a config file, as a string.
  configDir = config: toString (dirOfPath config);
  dirOfPath = p: builtins.dirOf p;

  # ------------------------------------------------------------- addresses

  hexGroup = g: match "[0-9a-fA-F]{1,4}" g != null;

  octet = o: match "0|[1-9][0-9]{0,2}" o != null && fromJSON o <= 255;
  isIPv4 = s:
    let parts = filter isString (split "\\." s); in
    length parts == 4 && all octet parts;

  # Counts the 16-bit groups of one side of an IPv6 address (null: invalid).
  # An IPv4 tail counts for two groups and is allowed only where `v4ok`.
  ipv6Groups = v4ok: side:
    if side == "" then 0
    else
      let
        gs = filter isString (split ":" side);
        n = length gs;
        lastG = elemAt gs (n - 1);
        init = genList (i: elemAt gs i) (n - 1);
        lastV4 = v4ok && isIPv4 lastG;
      in
      if !(all hexGroup init) then null
      else if hexGroup lastG then n
      else if lastV4 then n + 1
      else null;

  # Rust's Ipv6Addr::from_str: eight groups, or fewer with one "::"
  # standing for at least one zero group; an IPv4 tail only at the end.
  isIPv6 = s:
    let halves = filter isString (split "::" s); in
    if length halves == 1 then ipv6Groups true s == 8
    else if length halves == 2 then
      let
        h = ipv6Groups false (elemAt halves 0);
        t = ipv6Groups true (elemAt halves 1);
      in
      h != null && t != null && h + t <= 7
    else false;

  parsePort = s:
    if match "[0-9]+" s == null then null
    else
      let
        m = match "0*([0-9]*)" s;
        digits = head m;
        n = if digits == "" then 0 else fromJSON digits;
      in
      if stringLength digits > 5 || n > 65535 then null else n;

  defaultHost = "127.0.0.1";

  # A ZEO address as written in zeo.conf: `PORT`, `HOST:PORT`, `[V6]:PORT` or
  # a unix-socket path (anything with a `/`).  Gives { host; port; } or
  # { unix; }; throws `Invalid ZEO address '...'` otherwise.
  parseAddress = text:
    let
      s = strip text;
      bad = throw "Invalid ZEO address '${text}'";
      tcp = host: portText:
        let port = parsePort portText; in
        if port == null then bad else { inherit host port; };
      # Only hex digits, ':' and '.' can make a valid IPv6 literal, so a
      # bracket holding anything else is invalid either way.
      bracket = match "[[]([0-9a-fA-F:.]*)[]](.*)" s;
      colon = match "(.*):([^:]*)" s;
    in
    if s == "" then bad
    else if contains "/" s then { unix = s; }
    else if hasPrefix "[" s then
      (if bracket == null then bad
       else
         let host = elemAt bracket 0; tl = elemAt bracket 1; in
         if !(hasPrefix ":" tl) || host == "" || !(isIPv6 host) then bad
         else tcp host (drop 1 tl))
    else if colon == null then tcp defaultHost s
    else
      let host = elemAt colon 0; in
      if host == "" || contains ":" host || match ".*[[:space:]].*" host != null then bad
      else tcp host (elemAt colon 1);

  # `HOST:PORT` (`[V6]:PORT`) or the socket path, as the manage binary shows it.
  showAddress = a:
    if a ? unix then a.unix
    else if contains ":" a.host then "[${a.host}]:${toString a.port}"
    else "${a.host}:${toString a.port}";

  # -------------------------------------------------------------- ZConfig

  nameRe = "[a-zA-Z_][a-zA-Z0-9_]*";

  # ZConfig `$` substitution with the %define'd names (lowercase keys);
  # `fail` throws a message.
  substitute = fail: defines: s:
    let m = match "([^$]*)[$](.*)" s; in
    if m == null then s
    else
      let
        pre = elemAt m 0;
        rest = elemAt m 1;
        c = substring 0 1 rest;
        lookup = name: after:
          let key = toLower name; in
          if hasAttr key defines then pre + defines.${key} + substitute fail defines after
          else fail "no replacement for '${name}'";
      in
      if c == "" then fail "illegal lone '$' at end of source"
      else if c == "$" then pre + "$" + substitute fail defines (drop 1 rest)
      else if c == "{" then
        let n = match "(${nameRe})}(.*)" (drop 1 rest); in
        if n == null then
          (if match "(${nameRe}).*" (drop 1 rest) == null
           then fail "'\${' not followed by name"
           else fail "'\${' not followed by '}'")
        else lookup (elemAt n 0) (elemAt n 1)
      else if c == "(" then
        fail "environment substitution '$(...)' is not supported by nix/lib.nix (its value depends on the machine)"
      else
        let n = match "(${nameRe})(.*)" rest; in
        if n == null then fail "'$' not followed by '$' or name"
        else lookup (elemAt n 0) (elemAt n 1);

  emptySection = type: name: line: { inherit type name line; keys = { }; order = [ ]; sections = [ ]; };

  addValue = sec: key: value:
    sec // {
      keys = sec.keys // { ${key} = (sec.keys.${key} or [ ]) ++ [ value ]; };
      order = if hasAttr key sec.keys then sec.order else sec.order ++ [ key ];
    };

  # Parses ZConfig text (schemaless).  Gives the top section:
  #   { type = null; name = null; keys = { KEY = [ VALUE ... ]; }; order = [ KEY ... ];
  #     sections = [ { type; name; line; keys; order; sections; } ... ];
  #     imports = [ ... ]; defines = { ... }; }
  # Types and names are lowercased; keys keep their case.  Errors throw
  # "<message> (line N)".
  parseZConfig = parseZConfigIn null;

  # The same; errors throw "zeoraid: WHERE: <message> (line N) in:" and the
  # text, as the generator reports them.
  parseZConfigIn = where: text:
    let
      fail = lineno: msg:
        if where == null then throw "${msg} (line ${toString lineno})"
        else throw "zeoraid: ${where}: ${msg} (line ${toString lineno}) in:\n${text}";
      step = st: raw:
        let
          lineno = st.lineno + 1;
          line = strip raw;
          err = fail lineno;
          at = st // { inherit lineno; };
          c1 = substring 0 1 line;
          cur = head st.stack;
          below = tail st.stack;
          replaced = v: substitute err st.defines v;
        in
        if line == "" || c1 == "#" then at
        else if substring 0 2 line == "</" then
          (if lastChar line != ">" then err "malformed section end"
           else if below == [ ] then err "unexpected section end"
           else
             let type = toLower (rstrip (substring 2 (stringLength line - 3) line)); in
             if type != cur.type then err "unbalanced section end"
             else
               let parent = head below; in
               at // { stack = [ (parent // { sections = parent.sections ++ [ cur ]; }) ] ++ tail below; })
        else if c1 == "<" then
          (if lastChar line != ">" then err "malformed section start"
           else
             let
               inner = substring 1 (stringLength line - 2) line;
               isEmpty = lastChar inner == "/";
               header = rstrip (if isEmpty then substring 0 (stringLength inner - 1) inner else inner);
               m = match "([^[:space:]()]+)([[:space:]]+([^[:space:]()]+))?" header;
             in
             if m == null then err "malformed section header"
             else if !(isAscii header) then
               err "non-ASCII section type or name '${header}' (nix/lib.nix lowercases ASCII only)"
             else
               let
                 new = emptySection (toLower (elemAt m 0))
                   (if elemAt m 2 == null then null else toLower (elemAt m 2)) lineno;
               in
               if isEmpty then at // { stack = [ (cur // { sections = cur.sections ++ [ new ]; }) ] ++ below; }
               else at // { stack = [ new ] ++ st.stack; })
        else if c1 == "%" then
          (let m = match "([^[:space:]()]+)[[:space:]]*([^[:space:]].*)?" (drop 1 line); in
           if m == null then err "missing or unrecognized directive"
           else
             let name = elemAt m 0; arg = elemAt m 1; in
             if !(elem name [ "define" "import" "include" ]) then err "unknown directive: '${name}'"
             else if arg == null then err "missing argument to %${name} directive"
             else if name == "include" then
               err "%include is not supported (zeoraid refuses it: paste the included text into zeo-conf)"
             else if name == "import" then
               let pkg = replaced (strip arg); in
               seq pkg (at // { imports = st.imports ++ (if elem pkg st.imports then [ ] else [ pkg ]); })
             else
               let
                 d = match "([^[:space:]]+)([[:space:]]+(.*))?" arg;
                 defname = toLower (elemAt d 0);
                 defvalue = if elemAt d 2 == null then "" else elemAt d 2;
               in
               if hasAttr defname st.defines && st.defines.${defname} != defvalue then
                 err "cannot redefine '${defname}'"
               else if match nameRe defname == null then
                 err "not a substitution legal name: '${defname}'"
               else
                 let v = replaced defvalue; in
                 seq v (at // { defines = st.defines // { ${defname} = v; }; }))
        else
          (let m = match "([^[:space:]()]+)[[:space:]]*([^[:space:]].*)?" line; in
           if m == null then err "malformed configuration data"
           else
             let
               key = elemAt m 0;
               value = if elemAt m 1 == null then "" else replaced (elemAt m 1);
             in
             seq value (at // { stack = [ (addValue cur key value) ] ++ below; }));

      start = {
        lineno = 0;
        stack = [ (emptySection null null 0) ];
        imports = [ ];
        defines = { };
      };
      final = foldl' step start (lines text);
    in
    if length final.stack > 1 then
      fail final.lineno "unclosed sections not allowed"
    else
      head final.stack // { inherit (final) imports defines; };

  # ------------------------------------------------------- zeoraid.toml

  knownTop = [ "layout" "server" "deployment" ];
  knownLayout = [ "directory" "bin-directory" "parts-directory" ];
  knownServer = [
    "zeo-conf" "name" "zdaemon-conf" "deployment" "logrotate" "pack"
    "shell-script" "runzeo" "zdaemon" "zeopack"
  ];
  knownDeployment = [
    "name" "user" "etc-user" "prefix" "etc-prefix" "var-prefix"
    "crontab-directory" "etc-directory" "log-directory" "logrotate-directory"
    "rc-directory" "run-directory" "cache-directory" "lib-directory" "logrotate"
  ];

  checkKeys = where: known: attrs:
    let unknown = filter (k: !(elem k known)) (attrNames attrs); in
    if unknown == [ ] then attrs
    else throw "zeoraid: ${where}: unknown key${if length unknown > 1 then "s" else ""} ${showList unknown} (known: ${showList known})";

  checkTable = where: v:
    if isAttrs v then v else throw "zeoraid: ${where} must be a table, not ${typeOf v}";

  str = where: v:
    if isString v then v else throw "zeoraid: ${where} must be a string, not ${typeOf v}";

  optStr = where: attrs: key: default:
    if hasAttr key attrs then str "${where}: '${key}'" attrs.${key} else default;

  # A name that becomes part of a file name, a shell word or a cron line.
  # Refused: empty, "." and "..", "/", whitespace, quotes (' " `) and control
  # characters (DESIGN.md §3).
  checkName = what: n:
    if n == "" then throw "zeoraid: ${what} is empty"
    else if n == "." || n == ".." then throw "zeoraid: ${what} '${n}' would escape its directory"
    else if contains "/" n then throw "zeoraid: ${what} '${n}' contains '/'"
    else if match "[^[:space:][:cntrl:]\"'`]*" n == null then
      throw "zeoraid: ${what} '${n}' contains whitespace, a quote or a control character"
    else n;

  # `logrotate` option: false (or "false" in any case) switches it off.
  isOff = v:
    if isBool v then !v
    else if isString v then toLower v == "false"
    else throw "zeoraid: 'logrotate' must be a boolean, not ${typeOf v}";

  # A deployment table resolved as zc.recipe.deployment does it:
  #   prefix       default "/" (relative: against the layout directory)
  #   etc-prefix   default "etc" (relative: against prefix)
  #   var-prefix   default "var" (relative: against prefix)
  #   crontab-directory    default <prefix>/<etc-prefix>/cron.d
  #   etc-directory        default <prefix>/<etc-prefix>/<name>
  #   logrotate-directory  default <prefix>/<etc-prefix>/logrotate.d
  #   rc-directory         default <prefix>/<etc-prefix>/init.d
  #   log-directory        default <prefix>/<var-prefix>/log/<name>
  #   run-directory        default <prefix>/<var-prefix>/run/<name>
  # A directory that is given and relative resolves against `prefix` when
  # `prefix` is set, else against the layout directory.
  resolveDeployment = directory: key: raw:
    let
      where = "[deployment.${key}]";
      d = checkKeys where knownDeployment (checkTable where raw);
      name = checkName "deployment name" (optStr where d "name" key);
      hasPrefixOpt = hasAttr "prefix" d;
      prefix = if hasPrefixOpt then resolve directory (str "${where}: 'prefix'" d.prefix) else "/";
      relBase = if hasPrefixOpt then prefix else directory;
      etc = resolve prefix (optStr where d "etc-prefix" "etc");
      var = resolve prefix (optStr where d "var-prefix" "var");
      dir = opt: default:
        if hasAttr opt d then resolve relBase (str "${where}: '${opt}'" d.${opt}) else default;
      user = if hasAttr "user" d then checkName "${where} user" (str "${where}: 'user'" d.user) else null;
    in
    {
      inherit key name user;
      crontab = dir "crontab-directory" "${etc}/cron.d";
      etc = dir "etc-directory" "${etc}/${name}";
      logrotate = dir "logrotate-directory" "${etc}/logrotate.d";
      rc = dir "rc-directory" "${etc}/init.d";
      log = dir "log-directory" "${var}/log/${name}";
      run = dir "run-directory" "${var}/run/${name}";
      logrotateOff = if hasAttr "logrotate" d then isOff d.logrotate else null;
    };

  # What zeo-conf says: the address and the storages.
  analyseZeoConf = where: text:
    let
      top = parseZConfigIn "${where} zeo-conf" "${text}\n";
      zeo = filter (s: s.type == "zeo") top.sections;
      z = head zeo;
      storages = map (s: if s.name == null then "1" else s.name)
        (filter (s: !(elem s.type [ "zeo" "eventlog" "runner" ])) top.sections);
      raid = map
        (s:
          if s.name == null then
            throw "zeoraid: ${where}: a <raidstorage> section needs a name (line ${toString s.line})"
          else checkName "${where}: raidstorage name" s.name)
        (filter (s: s.type == "raidstorage") top.sections);
      dupes = filter (n: length (filter (m: m == n) raid) > 1) raid;
    in
    if zeo == [ ] then throw "zeoraid: ${where}: No zeo section was defined."
    else if length zeo > 1 then throw "zeoraid: ${where}: Too many zeo sections."
    else if !(hasAttr "address" z.keys) then throw "zeoraid: ${where}: No ZEO address was specified."
    else if storages == [ ] then throw "zeoraid: ${where}: No storages were defined."
    else if dupes != [ ] then throw "zeoraid: ${where}: raidstorage '${head dupes}' is defined twice"
    else {
      address = parseAddress (head z.keys.address);
      inherit storages raid;
      inherit (top) imports;
    };

  # Everything lib.nix knows about one part (a superset of the plan's entry).
  analysePart = { directory, binDirectory, partsDirectory, deployments }: key: raw:
    let
      where = "[server.${key}]";
      p = checkKeys where knownServer (checkTable where raw);
      name = checkName "${where} name" (optStr where p "name" key);
      depKey = if hasAttr "deployment" p then str "${where}: 'deployment'" p.deployment else null;
      dep =
        if depKey == null then null
        else if hasAttr depKey deployments then deployments.${depKey}
        else throw "zeoraid: ${where} names deployment '${depKey}', but there is no [deployment.${depKey}] (known: ${showList (attrNames deployments)})";
      zeoConfText =
        if hasAttr "zeo-conf" p then str "${where}: 'zeo-conf'" p.zeo-conf else "";
      zc = analyseZeoConf where zeoConfText;
      zdaemonConfCheck =
        if hasAttr "zdaemon-conf" p then parseZConfigIn "${where} zdaemon-conf" "${str "${where}: 'zdaemon-conf'" p.zdaemon-conf}\n" else null;
      partLogrotate = if hasAttr "logrotate" p then isOff p.logrotate else null;
      logrotateOff =
        if partLogrotate != null then partLogrotate
        else if dep != null && dep.logrotateOff != null then dep.logrotateOff
        else false;
      pack = if hasAttr "pack" p then words (str "${where}: 'pack'" p.pack) else null;
      packChecked =
        if dep == null || pack == null then pack
        else if length pack < 5 then throw "zeoraid: ${where}: Too few crontab fields in pack specification"
        else if length pack > 7 then throw "zeoraid: ${where}: Too many values in pack option"
        else pack;
      shellScript =
        if !(hasAttr "shell-script" p) then false
        else if isBool p.shell-script then p.shell-script
        else if elem p.shell-script [ "true" "false" "" ] then p.shell-script == "true"
        else throw "zeoraid: ${where}: The shell-script option value must be \"true\", \"false\" or \"\".";
      tool = opt: resolve binDirectory (optStr where p opt opt);
      rc = if dep == null then "${binDirectory}/${name}" else "${dep.rc}/${dep.name}-${name}";
      runDirectory = if dep == null then "${partsDirectory}/${name}" else dep.run;
    in
    seq zdaemonConfCheck (seq shellScript {
      inherit key name rc shellScript;
      deployment = if dep == null then null else dep.name;
      deploymentKey = depKey;
      user = if dep == null then null else dep.user;
      zeo_conf = if dep == null then "${runDirectory}/zeo.conf" else "${dep.etc}/${name}-zeo.conf";
      zdaemon_conf = if dep == null then "${runDirectory}/zdaemon.conf" else "${dep.etc}/${name}-zdaemon.conf";
      run_directory = runDirectory;
      socket = if dep == null then "${runDirectory}/zdaemon.sock" else "${dep.run}/${name}-zdaemon.sock";
      log = if dep == null then "${runDirectory}/zeo.log" else "${dep.log}/${name}-zeo.log";
      logrotate = if dep == null || logrotateOff then null else "${dep.logrotate}/${dep.name}-${name}";
      cron = if dep == null || packChecked == null then null else "${dep.crontab}/pack-${dep.name}-${name}";
      pack = if dep == null then null else packChecked;
      systemd_unit = (if dep == null then "" else "${dep.name}-") + "${name}.service";
      inherit (zc) address storages imports;
      runzeo = tool "runzeo";
      zdaemon = tool "zdaemon";
      zeopack = tool "zeopack";
      manage = map
        (s: {
          storage = s;
          path = "${rc}-${s}-manage";
          inherit (zc) address;
        })
        zc.raid;
    });

  checkAbsolute = what: dir:
    if !(isString dir) then throw "zeoraid: ${what} must be a string, not ${typeOf dir}"
    else if !(hasPrefix "/" dir) then throw "zeoraid: ${what} must be absolute, got '${dir}'"
    else normalise dir;

  # The full analysis: the plan plus what the flake and module need besides.
  analyse = { settings, dir }:
    let
      s = checkKeys "zeoraid.toml" knownTop (checkTable "zeoraid.toml" settings);
      base = checkAbsolute "dir" (toString dir);
      layout = checkKeys "[layout]" knownLayout (checkTable "[layout]" (s.layout or { }));
      directory = resolve base (optStr "[layout]" layout "directory" ".");
      binDirectory = resolve directory (optStr "[layout]" layout "bin-directory" "bin");
      partsDirectory = resolve directory (optStr "[layout]" layout "parts-directory" "parts");
      deployments = mapAttrs (resolveDeployment directory) (checkTable "[deployment]" (s.deployment or { }));
      servers = checkTable "[server]" (s.server or { });
      parts = map (k: analysePart { inherit directory binDirectory partsDirectory deployments; } k servers.${k})
        (attrNames servers);
      rcs = map (p: p.rc) parts;
      clash = filter (r: length (filter (x: x == r) rcs) > 1) rcs;
    in
    if clash != [ ] then throw "zeoraid: two parts generate the same server wrapper '${head clash}'"
    else {
      inherit directory parts deployments;
      bin_directory = binDirectory;
      parts_directory = partsDirectory;
    };

  # Projects the analysis on the documented JSON shape.
  project = a: {
    inherit (a) directory bin_directory parts_directory;
    parts = map
      (p: {
        inherit (p) key name deployment user rc zeo_conf zdaemon_conf run_directory
          socket log logrotate cron systemd_unit address manage;
      })
      a.parts;
  };

  readConfig = config:
    if isAttrs config && !(config ? outPath) then config
    else fromTOML (readFile config);

  # ---------------------------------------------------------------- TOML

  bareKey = k: match "[A-Za-z0-9_-]+" k != null;
  tomlKey = k: if bareKey k then k else toJSON k;
  tomlValue = v:
    if isString v then toJSON v
    else if isBool v then (if v then "true" else "false")
    else if isInt v || isFloat v then toString v
    else if isList v then "[ " + concatStringsSep ", " (map tomlValue v) + " ]"
    else if isAttrs v then
      "{ " + concatStringsSep ", " (map (k: "${tomlKey k} = ${tomlValue v.${k}}") (attrNames v)) + " }"
    else if isPath v then toJSON (toString v)
    else throw "zeoraid: cannot write a ${typeOf v} to TOML";
  isTable = v: isAttrs v && !(v ? outPath);

  # Serialises nested attribute sets to TOML: scalars first, then one
  # [a.b] table per nested attribute set.  Strings use JSON escapes, which
  # TOML basic strings share.
  toTOML = attrs:
    let
      emit = path: a:
        let
          names = attrNames a;
          scalars = filter (n: !(isTable a.${n}) && a.${n} != null) names;
          tables = filter (n: isTable a.${n}) names;
          header = if path == [ ] then [ ] else [ "[${concatStringsSep "." (map tomlKey path)}]" ];
          body = map (n: "${tomlKey n} = ${tomlValue a.${n}}") scalars;
          own = if path != [ ] || body != [ ] then [ (concatStringsSep "\n" (header ++ body) + "\n") ] else [ ];
        in
        own ++ concatMap (n: emit (path ++ [ n ]) a.${n}) tables;
    in
    concatStringsSep "\n" (emit [ ] attrs);

in
rec {
  inherit normalise resolve parseAddress showAddress parseZConfig toTOML toLower configDir;

  # The plan (docs/plan-json.md) of a config.
  #   config: path of a zeoraid.toml (or an attribute set of settings)
  #   dir:    the absolute folder relative paths resolve against
  #           (default: the folder holding `config`)
  plan = { config, dir ? null }:
    planFromAttrs {
      settings = readConfig config;
      dir = if dir != null then dir
            else if isAttrs config && !(config ? outPath) then throw "zeoraid: plan: give `dir` with settings"
            else configDir config;
    };

  planFromString = { text, dir }: planFromAttrs { settings = fromTOML text; inherit dir; };

  planFromAttrs = { settings, dir }: project (analyse { inherit settings dir; });

  # The richer analysis (plan entries plus storages, pack fields, tools,
  # deployment directories); same arguments as planFromAttrs.
  inherit analyse readConfig;

  # [ { name = "zeoraid-1-manage"; path; storage; part; address; } ... ]
  manageBinaries = p:
    concatMap (part: map (m: m // { name = baseNameOf m.path; part = part.key; }) part.manage) p.parts;

  # [ { name = "zeoraid"; path; part; } ... ]
  serverWrappers = p: map (part: { name = baseNameOf part.rc; path = part.rc; part = part.key; }) p.parts;

  # The storages a part's manage binaries control.
  storages = part: map (m: m.storage) part.manage;

  # Every file the plan names that an install lays out (binaries and
  # generated config files), absolute.
  generatedFiles = p:
    concatMap
      (part: [ part.rc part.zeo_conf part.zdaemon_conf ]
        ++ map (m: m.path) part.manage
        ++ filter (x: x != null) [ part.logrotate part.cron ])
      p.parts;

  # Rewrites settings for a Nix store build: immutable things (binaries,
  # config files, logrotate and cron files) go below `out`, mutable ones (run
  # and log directories) stay where the config puts them, resolved to absolute
  # paths.  `tools` gives absolute runzeo/zdaemon/zeopack for the parts that
  # do not set them; a part that sets one keeps it (relative: against the
  # config's own bin-directory).
  #
  #   $out/bin                              zeoraid, server wrappers, manage binaries
  #   $out/share/zeoraid/parts/<part>/      zeo.conf, zdaemon.conf (parts without deployment)
  #   $out/share/zeoraid/etc/<dep>/         <part>-zeo.conf, <part>-zdaemon.conf
  #   $out/share/zeoraid/logrotate.d/       <dep>-<part>
  #   $out/share/zeoraid/cron.d/            pack-<dep>-<part>
  relocate = { settings, dir, out, tools ? { } }:
    let
      a = analyse { inherit settings dir; };
      share = "${out}/share/zeoraid";
      inStore = path: hasPrefix "${storeDir}/" path;
      deployments = mapAttrs
        (key: d:
          let
            r = a.deployments.${key};
            mutable = what: path:
              if inStore path then
                throw "zeoraid: [deployment.${key}]: ${what} '${path}' is inside the Nix store, which is read-only; set an absolute ${what} (e.g. /var/log/zeoraid)"
              else path;
          in
          (removeAttrs d [ "prefix" "etc-prefix" "var-prefix" "cache-directory" "lib-directory" ]) // {
            rc-directory = "${out}/bin";
            etc-directory = "${share}/etc/${r.name}";
            logrotate-directory = "${share}/logrotate.d";
            crontab-directory = "${share}/cron.d";
            run-directory = mutable "run-directory" r.run;
            log-directory = mutable "log-directory" r.log;
          })
        (settings.deployment or { });
      servers = mapAttrs
        (key: p:
          let part = head (filter (x: x.key == key) a.parts); in
          p // listToAttrs (map
            (t: {
              name = t;
              value = if hasAttr t p then part.${t} else tools.${t} or part.${t};
            })
            [ "runzeo" "zdaemon" "zeopack" ]))
        (settings.server or { });
    in
    (removeAttrs settings [ "layout" "server" "deployment" ])
    // {
      layout = {
        directory = share;
        bin-directory = "${out}/bin";
        parts-directory = "${share}/parts";
      };
    }
    // (if settings ? server then { server = servers; } else { })
    // (if settings ? deployment then { deployment = deployments; } else { });

  # Makes the layout directory absolute (for a build that keeps the config's
  # own paths, e.g. to install into a DESTDIR-style root).
  absolutise = { settings, dir }:
    let a = analyse { inherit settings dir; }; in
    settings // { layout = (settings.layout or { }) // { inherit (a) directory; }; };
}
