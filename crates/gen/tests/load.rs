//! `load` reads the file and resolves relative paths against its folder.

use std::path::PathBuf;

use zeoraid_gen::load;

#[test]
fn relative_paths_resolve_against_the_files_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let conf_dir = tmp.path().join("conf");
    std::fs::create_dir(&conf_dir).unwrap();
    let file = conf_dir.join("zeoraid.toml");
    std::fs::write(
        &file,
        "[layout]\ndirectory = \"../site/.\"\nbin-directory = \"b\"\n\
         [server.zeoraid]\nzeo-conf = \"\"\"\n<zeo>\naddress 5555\n</zeo>\n\
         <raidstorage 1>\n</raidstorage>\n\"\"\"\n",
    )
    .unwrap();
    let plan = load(&file).unwrap();
    let site = zeoraid_gen::paths::normalize(&tmp.path().join("site"));
    assert_eq!(plan.directory, site);
    assert_eq!(plan.bin_directory, site.join("b"));
    assert_eq!(plan.parts_directory, site.join("parts"));
    assert_eq!(plan.parts[0].rc, site.join("b/zeoraid"));
    assert_eq!(
        plan.parts[0].manage[0].path,
        PathBuf::from(format!("{}/b/zeoraid-1-manage", site.display()))
    );
    assert!(!site.exists(), "planning creates nothing");
}
