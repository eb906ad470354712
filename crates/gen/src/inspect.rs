//! What the plan needs to know from a server's zeo.conf: its address and its
//! storages, with the recipe's error messages.

use zeoraid_core::addr::Address;
use zeoraid_core::zconfig::Config;

/// The facts of one zeo.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZeoFacts {
    /// The `<zeo>` section's `address`.
    pub address: Address,
    /// The address as written, trimmed (tells `8100` from `host:8100`).
    pub address_text: String,
    /// Every storage's name (`<type NAME>`, `1` without a name), in order.
    pub storages: Vec<String>,
    /// The names of the `<raidstorage>` sections, in order.
    pub raid_storages: Vec<String>,
}

/// Section types at the top of zeo.conf that are not storages.
const NOT_STORAGES: &[&str] = &["zeo", "eventlog", "runner"];

/// Checks the zeo.conf and gathers its facts; errors are the recipe's
/// sentences (`No zeo section was defined.`, …).
pub fn inspect(config: &Config) -> Result<ZeoFacts, String> {
    let zeo: Vec<_> = config.root.sections_of("zeo").collect();
    let zeo = match zeo.as_slice() {
        [] => return Err("No zeo section was defined.".into()),
        [one] => *one,
        _ => return Err("Too many zeo sections.".into()),
    };
    let address_text = match zeo.get_all("address").as_slice() {
        [] => return Err("No ZEO address was specified.".into()),
        [one] => one.trim().to_owned(),
        _ => return Err("Too many ZEO addresses: give the zeo section one address.".into()),
    };
    let storages: Vec<String> = config
        .root
        .sections
        .iter()
        .filter(|s| !NOT_STORAGES.contains(&s.type_.as_str()))
        .map(|s| storage_name(s.name.as_deref()))
        .collect();
    if storages.is_empty() {
        return Err("No storages were defined.".into());
    }
    let address = Address::parse(&address_text).map_err(|e| e.to_string())?;
    let raid_storages = config
        .root
        .sections_of("raidstorage")
        .map(|s| storage_name(s.name.as_deref()))
        .collect();
    Ok(ZeoFacts {
        address,
        address_text,
        storages,
        raid_storages,
    })
}

/// ZEO's name for a storage section: its name, or `1`.
fn storage_name(name: Option<&str>) -> String {
    name.filter(|n| !n.is_empty()).unwrap_or("1").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeoraid_core::zconfig::parse;

    fn facts(text: &str) -> Result<ZeoFacts, String> {
        inspect(&parse(text).unwrap())
    }

    #[test]
    fn gathers_address_and_storages() {
        let f = facts(
            "<zeo>\naddress 8100\n</zeo>\n<filestorage>\n</filestorage>\n\
             <RaidStorage Main>\n</raidstorage>\n<eventlog>\n</eventlog>\n",
        )
        .unwrap();
        assert_eq!(
            f.address,
            Address::Tcp {
                host: "127.0.0.1".into(),
                port: 8100
            }
        );
        assert_eq!(f.address_text, "8100");
        assert_eq!(f.storages, ["1", "main"]);
        assert_eq!(f.raid_storages, ["main"]);
    }

    #[test]
    fn recipe_errors() {
        let s = "<foo>\n</foo>\n";
        assert_eq!(
            facts("nothing useful\n").unwrap_err(),
            "No zeo section was defined."
        );
        assert_eq!(
            facts(&format!("<zeo>\naddress 1\n</zeo>\n<zeo>\n</zeo>\n{s}")).unwrap_err(),
            "Too many zeo sections."
        );
        assert_eq!(
            facts(&format!("<zeo>\n</zeo>\n{s}")).unwrap_err(),
            "No ZEO address was specified."
        );
        assert_eq!(
            facts("<zeo>\naddress 1\n</zeo>\n<eventlog>\n</eventlog>\n").unwrap_err(),
            "No storages were defined."
        );
        assert_eq!(
            facts(&format!("<zeo>\naddress a:b:c\n</zeo>\n{s}")).unwrap_err(),
            "Invalid ZEO address 'a:b:c'"
        );
        assert!(facts(&format!("<zeo>\naddress 1\naddress 2\n</zeo>\n{s}"))
            .unwrap_err()
            .starts_with("Too many ZEO addresses"));
    }
}
