//! `$name`, `${name}`, `$(NAME)` and `$$` substitution in values.

use std::collections::HashMap;

/// Looks up an environment variable for `$(NAME)`.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Replaces references in `text`: `$$` by `$`, `$name`/`${name}` by the
/// `%define`d value (names are case-insensitive), `$(NAME)` by the
/// environment variable when `env` is given. Errors carry ZConfig's wording.
pub(crate) fn substitute(
    text: &str,
    defines: &HashMap<String, String>,
    env: Option<EnvLookup<'_>>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        match after.chars().next() {
            None => return Err("illegal lone '$' at end of source".into()),
            Some('$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some(open @ ('{' | '(')) => {
                let close = if open == '{' { '}' } else { ')' };
                let name = name_at(&after[1..])
                    .ok_or_else(|| format!("'${open}' not followed by name"))?;
                let tail = &after[1 + name.len()..];
                rest = tail
                    .strip_prefix(close)
                    .ok_or_else(|| format!("'${open}{name}' not followed by '{close}'"))?;
                if open == '{' {
                    out.push_str(define(defines, name)?);
                } else {
                    let lookup = env.ok_or_else(|| {
                        format!("environment substitution '$({name})' is not supported")
                    })?;
                    out.push_str(&lookup(name).ok_or_else(|| no_replacement(name))?);
                }
            }
            Some(_) => {
                let name =
                    name_at(after).ok_or_else(|| "'$' not followed by '$' or name".to_owned())?;
                out.push_str(define(defines, name)?);
                rest = &after[name.len()..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `s` is a legal substitution name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub(crate) fn is_name(s: &str) -> bool {
    name_at(s).is_some_and(|n| n.len() == s.len())
}

fn define<'d>(defines: &'d HashMap<String, String>, name: &str) -> Result<&'d str, String> {
    defines
        .get(&name.to_lowercase())
        .map(String::as_str)
        .ok_or_else(|| no_replacement(name))
}

fn no_replacement(name: &str) -> String {
    format!("no replacement for '{name}'")
}

/// The longest substitution name at the start of `s`, if any.
fn name_at(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    if !bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return None;
    }
    let end = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(bytes.len());
    Some(&s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> HashMap<String, String> {
        HashMap::from([("home".to_owned(), "/srv".to_owned())])
    }

    #[test]
    fn substitutes_defines_and_dollars() {
        let d = defs();
        assert_eq!(substitute("$home/x", &d, None).unwrap(), "/srv/x");
        assert_eq!(substitute("${HOME}x", &d, None).unwrap(), "/srvx");
        assert_eq!(substitute("a$$b$$", &d, None).unwrap(), "a$b$");
        assert_eq!(substitute("plain", &d, None).unwrap(), "plain");
    }

    #[test]
    fn environment_only_when_allowed() {
        let d = defs();
        let env = |n: &str| (n == "USER").then(|| "bob".to_owned());
        assert_eq!(substitute("$(USER)", &d, Some(&env)).unwrap(), "bob");
        assert_eq!(
            substitute("$(NOPE)", &d, Some(&env)).unwrap_err(),
            "no replacement for 'NOPE'"
        );
        assert_eq!(
            substitute("$(USER)", &d, None).unwrap_err(),
            "environment substitution '$(USER)' is not supported"
        );
    }

    #[test]
    fn zconfig_error_wording() {
        let d = defs();
        let err = |s| substitute(s, &d, None).unwrap_err();
        assert_eq!(err("a$"), "illegal lone '$' at end of source");
        assert_eq!(err("${1}"), "'${' not followed by name");
        assert_eq!(err("${home"), "'${home' not followed by '}'");
        assert_eq!(err("$(1)"), "'$(' not followed by name");
        assert_eq!(err("$(X"), "'$(X' not followed by ')'");
        assert_eq!(err("$-"), "'$' not followed by '$' or name");
        assert_eq!(err("$Nope"), "no replacement for 'Nope'");
    }

    #[test]
    fn names() {
        assert!(is_name("a_1"));
        assert!(is_name("_"));
        assert!(!is_name("1a"));
        assert!(!is_name("a-b"));
        assert!(!is_name(""));
    }
}
