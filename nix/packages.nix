# Everything the flake builds for one nixpkgs: `import ./nix/packages.nix { inherit pkgs; }`.
{ pkgs }:

rec {
  # Python with ZEO 6.2, msgpack and zdaemon: runs the servers and the tests.
  zeoPython = import ./python.nix { inherit pkgs; };

  # Fully static (musl) zeoraid for the repository's zeoraid.toml.
  zeoraid = pkgs.pkgsStatic.callPackage ./package.nix {
    config = ../zeoraid.toml;
    inherit zeoPython;
  };

  # zeoraid for another config: mkZeoraid { config = ./my.toml; }, or
  # { settings = { ... }; }, plus any other argument of ./package.nix.
  mkZeoraid = args: zeoraid.override args;

  # The same build with nixpkgs' ordinary (glibc) toolchain, for clippy.
  # build.rs links the generated binaries with +crt-static on gnu targets,
  # which needs glibc's static libraries.
  zeoraidGlibc = (pkgs.callPackage ./package.nix {
    config = ../zeoraid.toml;
    inherit zeoPython;
  }).overrideAttrs (old: {
    buildInputs = (old.buildInputs or [ ]) ++ [ pkgs.glibc.static ];
  });
}
