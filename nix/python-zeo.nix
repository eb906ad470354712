# ZEO 6.2 from PyPI: nixpkgs packages ZODB, zdaemon and ZConfig but not ZEO.
# Call it with a Python package set: `python3.pkgs.callPackage ./python-zeo.nix { }`.
{
  lib,
  buildPythonPackage,
  fetchPypi,
  setuptools,
  wheel,
  zodb,
  transaction,
  persistent,
  zc-lockfile,
  zconfig,
  zdaemon,
  zope-interface,
  msgpack,
}:

buildPythonPackage rec {
  pname = "zeo";
  version = "6.2";
  pyproject = true;

  src = fetchPypi {
    inherit pname version;
    hash = "sha256-4pxS65dn2UsnC/9MbspMhj/LxG0VMjaG5vtxv+Q8eJk=";
  };

  # The sdist pins its build backend to "setuptools >= 78.1.1,< 81"; any
  # setuptools that nixpkgs ships builds it.
  postPatch = ''
    substituteInPlace pyproject.toml \
      --replace-fail '"setuptools >= 78.1.1,< 81"' '"setuptools"'
  '';

  build-system = [
    setuptools
    wheel
  ];

  dependencies = [
    zodb
    transaction
    persistent
    zc-lockfile
    zconfig
    zdaemon
    zope-interface
    # the optional msgpack protocol (`M5`), which zeoraid's client speaks
    msgpack
  ];

  # ZEO's own suite starts many servers and takes long; zeoraid's tests run a
  # real ZEO 6 server through this package instead.
  doCheck = false;

  pythonImportsCheck = [
    "ZEO"
    "ZEO.runzeo"
  ];

  meta = {
    description = "Client-server storage implementation for ZODB (runzeo, zeopack)";
    homepage = "https://github.com/zopefoundation/ZEO";
    license = lib.licenses.zpl21;
    mainProgram = "runzeo";
  };
}
