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
# Section types and names are lowercased (ASCII letters; storage names must
# be ASCII anyway).  The rules for names, paths, deployments and pack are the
# generator's (crates/gen); nix/tests pins them.
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
  #
  # The rules are the generator's (crates/gen: config.rs, names.rs,
  # plan/*.rs); nix/tests pins them.

  knownTop = [ "layout" "server" "deployment" ];
  knownLayout = [ "directory" "bin-directory" "parts-directory" "systemd-directory" ];
  knownServer = [
    "zeo-conf" "zdaemon-conf" "name" "deployment" "logrotate" "pack"
    "shell-script" "runzeo" "zdaemon" "zeopack"
  ];
  knownDeployment = [
    "name" "user" "etc-prefix" "var-prefix" "crontab-directory" "etc-directory"
    "log-directory" "logrotate-directory" "rc-directory" "run-directory"
    "systemd-directory" "logrotate"
  ];

  checkKeys = where: known: attrs:
    let unknown = filter (k: !(elem k known)) (attrNames attrs); in
    if unknown == [ ] then attrs
    else throw "zeoraid: unknown key '${head unknown}' in ${where} (expected one of ${showList known})";

  checkTable = where: v:
    if isAttrs v then v else throw "zeoraid: ${where} must be a table, not ${typeOf v}";

  str = where: v:
    if isString v then v else throw "zeoraid: ${where}: expected a string, found ${typeOf v}";

  optStr = where: attrs: key: default:
    if hasAttr key attrs then str "${where} ${key}" attrs.${key} else default;

  optBool = where: attrs: key:
    if !(hasAttr key attrs) then null
    else if isBool attrs.${key} then attrs.${key}
    else throw "zeoraid: ${where} ${key}: expected true or false, found ${typeOf attrs.${key}}${
      if isString attrs.${key} then " (write ${key} = ${attrs.${key}} without quotes)" else ""}";

  nameRule = "use only ASCII letters, digits, `.`, `_` and `-`";

  # A character for messages, as the generator names it.
  describeChar = c:
    if c == " " then "a space"
    else if c == "\t" then "a tab"
    else if c == "\n" || c == "\r" then "a line break"
    else if c == "`" then "a backquote"
    else if match "[[:cntrl:]]" c != null then "a control character"
    else if match "[!-~]" c != null then "`${c}`"
    else "a non-ASCII character";

  # A part, deployment, storage or user name: ASCII letters, digits, `.`,
  # `_` and `-`; no `..`; not starting with `.` or `-`.
  checkName = where: what: n:
    let bad = why: throw "zeoraid: ${where}: ${what} `${n}` cannot be used in file names: ${why}; ${nameRule}"; in
    if n == "" then bad "it is empty"
    else if match "[A-Za-z0-9._-]*" n == null then bad "it contains ${describeChar (head (elemAt (split "([^A-Za-z0-9._-])" n) 1))}"
    else if contains ".." n then bad "it contains `..`"
    else if hasPrefix "." n || hasPrefix "-" n then bad "it starts with `${substring 0 1 n}`"
    else n;

  # A path written into generated files: no whitespace, control characters,
  # quotes or shell, glob and systemd specials.
  checkPath = where: key: path:
    if match "[^][[:space:][:cntrl:]'\"`$\\\\%;&|<>()*?{}!]*" path == null then
      throw "zeoraid: ${where} ${key}: the path `${path}` cannot be used: it contains whitespace, a control character or one of '\"`$\\%;&|<>()*?[]{}!"
    else path;

  # `setting` (or `default`) resolved against `base` and checked.
  pathOpt = where: base: attrs: key: default:
    checkPath where key (resolve base (optStr where attrs key default));

  # The same without a default: null when `key` is not set.
  optPath = where: base: attrs: key:
    if hasAttr key attrs then pathOpt where base attrs key "" else null;

  # A deployment table:
  #   etc-prefix default /etc, var-prefix default /var (relative: against the
  #   layout directory);
  #   crontab-directory  <etc-prefix>/cron.d      etc-directory  <etc-prefix>/<name>
  #   logrotate-directory <etc-prefix>/logrotate.d rc-directory  <etc-prefix>/init.d
  #   log-directory      <var-prefix>/log/<name>  run-directory  <var-prefix>/run/<name>
  # A directory that is given resolves against the layout directory.
  # systemd-directory has no default: without it its parts get no unit file.
  resolveDeployment = directory: key: raw:
    let
      where = "[deployment.${key}]";
      d = checkKeys where knownDeployment (checkTable where raw);
      name = checkName where "the deployment name" (optStr where d "name" key);
      etc = pathOpt where directory d "etc-prefix" "/etc";
      var = pathOpt where directory d "var-prefix" "/var";
      dir = opt: prefix: default:
        if hasAttr opt d then pathOpt where directory d opt ""
        else checkPath where opt (resolve prefix default);
      user = if hasAttr "user" d then checkName where "the user name" (str "${where} user" d.user) else null;
      r = {
        inherit key name user;
        crontab = dir "crontab-directory" etc "cron.d";
        etc = dir "etc-directory" etc name;
        logrotate = dir "logrotate-directory" etc "logrotate.d";
        rc = dir "rc-directory" etc "init.d";
        log = dir "log-directory" var "log/${name}";
        run = dir "run-directory" var "run/${name}";
        systemd = optPath where directory d "systemd-directory";
        logrotateOn = optBool where d "logrotate";
      };
    in
    builtins.deepSeq r r;

  # A checked `pack`: MIN HOUR DOM MON DOW [DAYS [EMAIL]].
  parsePack = where: text:
    let
      fields = words text;
      n = length fields;
      bad = msg: throw "zeoraid: ${where} pack: ${msg}";
      timeOk = f: match "[A-Za-z0-9*/,-]+" f != null;
      days = if n > 5 then elemAt fields 5 else "1";
      mail = if n > 6 then elemAt fields 6 else null;
      firstBadTime = filter (f: !(timeOk f)) (genList (elemAt fields) (if n < 5 then 0 else 5));
    in
    if n < 5 then bad "Too few crontab fields in pack specification"
    else if n > 7 then bad "Too many values in pack option"
    else if firstBadTime != [ ] then bad "`${head firstBadTime}` is not a crontab time field"
    else if match "[0-9]+([.][0-9]+)?" days == null then
      bad "the 6th pack field is the number of days to keep, not `${days}`"
    else if mail != null && (!(contains "@" mail) || match ".*[%\"'\\\\`$].*" mail != null) then
      bad "the 7th pack field is an e-mail address, not `${mail}`"
    else {
      time = genList (elemAt fields) 5;
      inherit days;
      mailto = mail;
    };

  # What zeo-conf says: the address and the storages.
  analyseZeoConf = where: text:
    let
      top = parseZConfigIn "${where} zeo-conf" "${text}\n";
      zeo = filter (s: s.type == "zeo") top.sections;
      z = head zeo;
      addresses = z.keys.address or [ ];
      storageName = s: if s.name == null || s.name == "" then "1" else s.name;
      storages = map storageName (filter (s: !(elem s.type [ "zeo" "eventlog" "runner" ])) top.sections);
      raid = map storageName (filter (s: s.type == "raidstorage") top.sections);
      fail = msg: throw "zeoraid: ${where} zeo-conf: ${msg}";
    in
    if zeo == [ ] then fail "No zeo section was defined."
    else if length zeo > 1 then fail "Too many zeo sections."
    else if addresses == [ ] then fail "No ZEO address was specified."
    else if length addresses > 1 then fail "Too many ZEO addresses: give the zeo section one address."
    else if storages == [ ] then fail "No storages were defined."
    else {
      address = parseAddress (strip (head addresses));
      inherit storages raid;
      inherit (top) imports;
    };

  # Everything lib.nix knows about one part (a superset of the plan's entry).
  analysePart = { directory, binDirectory, partsDirectory, systemdDirectory, deployments }: key: raw:
    let
      where = "[server.${key}]";
      p = checkKeys where knownServer (checkTable where raw);
      name = checkName where "the part name" (optStr where p "name" key);
      depKey = if hasAttr "deployment" p then str "${where} deployment" p.deployment else null;
      dep =
        if depKey == null then null
        else if hasAttr depKey deployments then deployments.${depKey}
        else throw "zeoraid: ${where} deployment: there is no [deployment.${depKey}] table (known: ${showList (attrNames deployments)})";
      zc = analyseZeoConf where (optStr where p "zeo-conf" "");
      raid = map (checkName "${where} zeo-conf" "the storage name") zc.raid;
      zdaemonConfCheck = parseZConfigIn "${where} zdaemon-conf" "${optStr where p "zdaemon-conf" ""}\n";
      tool = opt: pathOpt where binDirectory p opt opt;
      runzeo = tool "runzeo";
      zdaemon = tool "zdaemon";
      zeopack = tool "zeopack";
      rcDirectory = if dep == null then binDirectory else dep.rc;
      rcBase = if dep == null then name else "${dep.name}-${name}";
      rc = "${rcDirectory}/${rcBase}";
      runDirectory = if dep == null then "${partsDirectory}/${name}" else dep.run;
      user = if dep == null then null else dep.user;
      address =
        if zc.address ? unix && !(hasPrefix "/" zc.address.unix)
        then { unix = resolve runDirectory zc.address.unix; }
        else zc.address;
      shellScript = optBool where p "shell-script" == true;
      partLogrotate = optBool where p "logrotate";
      logrotateOn =
        if partLogrotate != null then partLogrotate
        else if dep != null && dep.logrotateOn != null then dep.logrotateOn
        else true;
      pack =
        if !(hasAttr "pack" p) then null
        else
          let text = str "${where} pack" p.pack; in
          if dep == null then
            throw "zeoraid: ${where} pack: packing needs a deployment, whose crontab-directory gets the cron job; add `deployment = \"...\"` or remove `pack`"
          else
            let spec = parsePack where text; in
            if user == null then
              throw "zeoraid: ${where} pack: the pack cron job runs as the deployment's user; set `user` in [deployment.${dep.key}]"
            else builtins.deepSeq (map (checkName "${where} zeo-conf" "the storage name") zc.storages) spec;
      zeoConf = if dep == null then "${runDirectory}/zeo.conf" else "${dep.etc}/${name}-zeo.conf";
      zdaemonConf = if dep == null then "${runDirectory}/zdaemon.conf" else "${dep.etc}/${name}-zdaemon.conf";
      logrotate = if dep == null || !logrotateOn then null else "${dep.logrotate}/${dep.name}-${name}";
      cron = if pack == null then null else "${dep.crontab}/pack-${dep.name}-${name}";
      # The unit file, only with the layout's or the deployment's systemd-directory.
      unitDirectory = if dep == null then systemdDirectory else dep.systemd;
      unitPath = if unitDirectory == null then null else "${unitDirectory}/${rcBase}.service";
    in
    seq zdaemonConfCheck (seq shellScript (builtins.deepSeq [ runzeo zdaemon zeopack pack partLogrotate ] {
      inherit key name rc user address shellScript runzeo zdaemon zeopack pack logrotate cron;
      inherit (zc) storages imports;
      deployment = if dep == null then null else dep.name;
      deploymentKey = depKey;
      zeo_conf = zeoConf;
      zdaemon_conf = zdaemonConf;
      run_directory = runDirectory;
      socket = if dep == null then "${runDirectory}/zdaemon.sock" else "${dep.run}/${name}-zdaemon.sock";
      log = if dep == null then "${runDirectory}/zeo.log" else "${dep.log}/${name}-zeo.log";
      systemd_unit = "${rcBase}.service";
      systemd_unit_path = unitPath;
      manage = map
        (s: {
          storage = s;
          path = "${rcDirectory}/${rcBase}-${s}-manage";
          inherit address;
        })
        raid;
    }));

  checkAbsolute = what: dir:
    if !(isString dir) then throw "zeoraid: ${what} must be a string, not ${typeOf dir}"
    else if !(hasPrefix "/" dir) then throw "zeoraid: ${what} must be absolute, got '${dir}'"
    else normalise dir;

  # What a part generates or owns, for the conflict check (as the generator's).
  outputsOf = part:
    [
      { what = "rc program"; at = part.rc; }
      { what = "zdaemon socket"; at = part.socket; }
      { what = "log"; at = part.log; }
      { what = "systemd unit"; at = part.systemd_unit; }
    ]
    ++ map (m: { what = "manage binary of storage `${m.storage}`"; at = m.path; }) part.manage
    ++ map (f: { what = "generated file"; at = f; })
      (filter (f: f != null) [ part.zeo_conf part.zdaemon_conf part.logrotate part.cron part.systemd_unit_path ]);

  # Throws on the first output two parts (or one part twice) would share.
  checkConflicts = parts:
    let
      step = seen: part:
        foldl'
          (acc: o:
            if hasAttr o.at acc then
              let other = acc.${o.at}; in
              throw ("zeoraid: [server.${part.key}]: the ${o.what} ${o.at} "
                + (if other.key == part.key then "is generated twice; give each storage its own name"
                   else "is also the ${other.what} of [server.${other.key}]; give one of them a different `name`"))
            else acc // { ${o.at} = { key = part.key; inherit (o) what; }; })
          seen
          (outputsOf part);
    in
    foldl' step { } parts;

  # The full analysis: the plan plus what the flake and module need besides.
  analyse = { settings, dir }:
    let
      s = checkKeys "the top level" knownTop (checkTable "zeoraid.toml" settings);
      base = checkAbsolute "dir" (toString dir);
      layout = checkKeys "[layout]" knownLayout (checkTable "[layout]" (s.layout or { }));
      directory = pathOpt "[layout]" base layout "directory" ".";
      binDirectory = pathOpt "[layout]" directory layout "bin-directory" "bin";
      partsDirectory = pathOpt "[layout]" directory layout "parts-directory" "parts";
      systemdDirectory = optPath "[layout]" directory layout "systemd-directory";
      deployments = mapAttrs (resolveDeployment directory) (checkTable "[deployment]" (s.deployment or { }));
      servers = checkTable "[server]" (s.server or { });
      parts = map (k: analysePart { inherit directory binDirectory partsDirectory systemdDirectory deployments; } k servers.${k})
        (attrNames servers);
    in
    if servers == { } then
      throw "zeoraid: there are no server parts: add a [server.NAME] table with a zeo-conf"
    else
      builtins.deepSeq [ deployments systemdDirectory ] (seq (checkConflicts parts) {
        inherit directory parts deployments;
        bin_directory = binDirectory;
        parts_directory = partsDirectory;
      });

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
          # A header only where it says something: a table with keys, or an
          # empty one (which would otherwise vanish).
          own = if body != [ ] || (path != [ ] && tables == [ ]) then [ (concatStringsSep "\n" (header ++ body) + "\n") ] else [ ];
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

  # Every file an install lays out (binaries and generated files), absolute.
  # Give it the analysis (`analyse`) to include the systemd unit files of
  # parts with a systemd-directory, which the plan does not name.
  generatedFiles = p:
    concatMap
      (part: [ part.rc part.zeo_conf part.zdaemon_conf ]
        ++ map (m: m.path) part.manage
        ++ filter (x: x != null) [ part.logrotate part.cron (part.systemd_unit_path or null) ])
      p.parts;

  # Rewrites settings for a Nix store build: immutable things (binaries,
  # config files, logrotate, cron and unit files) go below `out`, mutable ones
  # (run and log directories) stay where the config puts them, resolved to
  # absolute paths.  `tools` gives absolute runzeo/zdaemon/zeopack for the parts that
  # do not set them; a part that sets one keeps it (relative: against the
  # config's own bin-directory).
  #
  #   $out/bin                              zeoraid, server wrappers, manage binaries
  #   $out/share/zeoraid/parts/<part>/      zeo.conf, zdaemon.conf (parts without deployment)
  #   $out/share/zeoraid/etc/<dep>/         <part>-zeo.conf, <part>-zdaemon.conf
  #   $out/share/zeoraid/logrotate.d/       <dep>-<part>
  #   $out/share/zeoraid/cron.d/            pack-<dep>-<part>
  #   $out/share/zeoraid/systemd/           <part>.service, <dep>-<part>.service
  #                                         (where the config sets systemd-directory)
  relocate = { settings, dir, out, tools ? { } }:
    let
      a = analyse { inherit settings dir; };
      share = "${out}/share/zeoraid";
      # A systemd-directory moves below `share`; an unset one stays unset.
      systemd = attrs: if hasAttr "systemd-directory" attrs then { systemd-directory = "${share}/systemd"; } else { };
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
          (removeAttrs d [ "etc-prefix" "var-prefix" ]) // {
            rc-directory = "${out}/bin";
            etc-directory = "${share}/etc/${r.name}";
            logrotate-directory = "${share}/logrotate.d";
            crontab-directory = "${share}/cron.d";
            run-directory = mutable "run-directory" r.run;
            log-directory = mutable "log-directory" r.log;
          } // systemd d)
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
      } // systemd (settings.layout or { });
    }
    // (if settings ? server then { server = servers; } else { })
    // (if settings ? deployment then { deployment = deployments; } else { });

  # Makes the layout directory absolute (for a build that keeps the config's
  # own paths, e.g. to install into a DESTDIR-style root).
  absolutise = { settings, dir }:
    let a = analyse { inherit settings dir; }; in
    settings // { layout = (settings.layout or { }) // { inherit (a) directory; }; };
}
