# The Python that runs ZEO servers and zeoraid's tests: ZEO 6.2 (runzeo,
# zeopack), msgpack and zdaemon.  `extraPackages` adds the package that
# provides your `<raidstorage>` section (the one zeo.conf `%import`s).
{
  pkgs,
  python3 ? pkgs.python3,
  extraPackages ? (ps: [ ]),
}:

python3.withPackages (
  ps:
  [
    (ps.callPackage ./python-zeo.nix { })
    ps.msgpack
    ps.zdaemon
  ]
  ++ extraPackages ps
)
