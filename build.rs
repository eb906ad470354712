//! Generates the deployment described by `zeoraid.toml` (or
//! `$ZEORAID_CONFIG`): the generator lives in `zeoraid-gen` so the `zeoraid`
//! tool and the tests run the very same code.

fn main() {
    let result = zeoraid_gen::build::Builder::from_cargo_env().and_then(|b| b.run_build_script());
    if let Err(e) = result {
        eprintln!("error: zeoraid: {e}");
        std::process::exit(1);
    }
}
