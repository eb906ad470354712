//! ZConfig without a schema: the parser and renderer for `zeo.conf` and
//! `zdaemon.conf`.
//!
//! [`parse`] reads the line-based ZConfig syntax into a [`Config`]: `%import`
//! names, top-level keys and nested [`Section`]s. Section types and names are
//! lowercased; keys are kept as written. `%define` names are substituted into
//! values (`$name`, `${name}`, `$$` for a literal `$`); `%include` is refused.
//!
//! [`render`] prints a [`Config`] the way `ZConfig.schemaless` does: imports
//! first, keys sorted by key before child sections, two-space indentation.
//! The one difference is deliberate: a `$` in a value is written as `$$`, so
//! the output means the same to ZConfig as the input did.

mod error;
mod parse;
mod render;
mod subst;

pub use error::ParseError;
pub use parse::{parse, parse_with_env};
pub use render::render;

use std::fmt;

/// A parsed configuration: its `%import`s and its top-level content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Imported package names, in first-seen order, without duplicates.
    pub imports: Vec<String>,
    /// Top-level keys and sections; its type is `""` and it has no name.
    pub root: Section,
}

/// One section: `<type name>` … `</type>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Section {
    /// The section type, lowercased (`""` for the root).
    pub type_: String,
    /// The section name, lowercased, if one was given.
    pub name: Option<String>,
    /// `(key, value)` pairs in input order; a key may repeat.
    pub keys: Vec<(String, String)>,
    /// Child sections in input order.
    pub sections: Vec<Section>,
    /// The line the section starts on (0 for the root and built sections).
    pub line: usize,
}

impl Section {
    /// An empty section of the given type and name.
    pub fn new(type_: &str, name: Option<&str>) -> Section {
        Section {
            type_: type_.to_owned(),
            name: name.map(str::to_owned),
            ..Section::default()
        }
    }

    /// The last value given for `key` (keys are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in input order.
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether `key` has at least one value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.keys.iter().any(|(k, _)| k == key)
    }

    /// The child sections of type `type_` (compare lowercased types).
    pub fn sections_of<'a>(&'a self, type_: &'a str) -> impl Iterator<Item = &'a Section> {
        self.sections.iter().filter(move |s| s.type_ == type_)
    }

    /// Sets `key` to the single value `value`: replaces the first value,
    /// drops any others, or appends the key when it is absent.
    pub fn set(&mut self, key: &str, value: &str) {
        match self.keys.iter().position(|(k, _)| k == key) {
            Some(first) => {
                self.keys[first].1 = value.to_owned();
                let mut index = 0;
                self.keys.retain(|(k, _)| {
                    index += 1;
                    index - 1 == first || k != key
                });
            }
            None => self.add(key, value),
        }
    }

    /// Appends one more value for `key`.
    pub fn add(&mut self, key: &str, value: &str) {
        self.keys.push((key.to_owned(), value.to_owned()));
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(self))
    }
}

/// Whether Python's `str.isspace` (and so ZConfig's `\s` and `strip()`)
/// counts `c` as whitespace.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_accessors() {
        let mut s = Section::new("runner", None);
        s.add("a", "1");
        s.add("b", "2");
        s.add("a", "3");
        assert_eq!(s.get("a"), Some("3"));
        assert_eq!(s.get("A"), None);
        assert_eq!(s.get_all("a"), ["1", "3"]);
        assert!(s.contains_key("b"));
        s.set("a", "x");
        assert_eq!(s.keys, [("a".into(), "x".into()), ("b".into(), "2".into())]);
        s.set("c", "y");
        assert_eq!(s.get("c"), Some("y"));
        s.sections.push(Section::new("eventlog", None));
        s.sections.push(Section::new("logfile", Some("x")));
        assert_eq!(s.sections_of("eventlog").count(), 1);
    }
}
