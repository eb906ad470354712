{
  description = "zeoraid: ZEO RAID servers from one zeoraid.toml (static manage binaries, zdaemon-compatible server wrappers, NixOS services)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      # Pure: nix/lib.nix needs no nixpkgs.
      zl = import ./nix/lib.nix;

      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
      packagesFor = pkgs: import ./nix/packages.nix { inherit pkgs; };

      # The repository's config names the apps: the tool and one per manage binary.
      manageNames = map (m: m.name) (zl.manageBinaries (zl.plan { config = ./zeoraid.toml; }));
    in
    {
      lib = zl // {
        # zeoraid built for your config:
        #   zeoraid.lib.mkZeoraid { inherit pkgs; config = ./zeoraid.toml; }
        # (any other argument of nix/package.nix too: settings, directory,
        # relocate, zeoPython).
        mkZeoraid = { pkgs, ... }@args: (packagesFor pkgs).mkZeoraid (removeAttrs args [ "pkgs" ]);
        appNames = [ "default" ] ++ manageNames;
      };

      packages = forAllSystems (
        system: pkgs:
        let
          p = packagesFor pkgs;
        in
        {
          default = p.zeoraid;
          zeoraid = p.zeoraid;
          zeo-python = p.zeoPython;
        }
      );

      apps = forAllSystems (
        system: pkgs:
        let
          zeoraid = self.packages.${system}.default;
          app = name: description: {
            type = "app";
            program = "${zeoraid}/bin/${name}";
            meta.description = description;
          };
        in
        {
          # the tool: bin/zeoraid, or bin/zeoraid-tool when a part is called zeoraid
          default = app zeoraid.meta.mainProgram "zeoraid: install, list and check the generated deployment";
        }
        // nixpkgs.lib.genAttrs manageNames (name: app name "RAID manage binary ${name} (status, details, recover, disable, reload)")
      );

      devShells = forAllSystems (
        system: pkgs:
        let
          p = packagesFor pkgs;
        in
        {
          default = pkgs.mkShell {
            packages = [
              pkgs.cargo
              pkgs.rustc
              pkgs.rustfmt
              pkgs.clippy
              pkgs.rust-analyzer
              p.zeoPython
              pkgs.nix
              pkgs.jq
            ];
            # build.rs links generated binaries with +crt-static on gnu targets.
            buildInputs = [ pkgs.glibc.static ];
            RUST_SRC_PATH = "${pkgs.rustPlatform.rustLibSrc}";
            # The tests use this Python instead of making a venv from PyPI.
            ZEORAID_TEST_VENV = "${p.zeoPython}";
          };
        }
      );

      checks = forAllSystems (system: pkgs: import ./nix/checks.nix { inherit pkgs; });

      overlays.default = final: prev: { zeoraid = (packagesFor final).zeoraid; };

      nixosModules.default = import ./nix/module.nix;
    };
}
