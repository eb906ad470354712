//! The line-based ZConfig parser.

use std::collections::HashMap;

use super::subst::{is_name, substitute, EnvLookup};
use super::{is_space, Config, ParseError, Section};
use crate::pyrepr::py_str;

/// Parses ZConfig text. `$(NAME)` environment references are refused, so
/// the result depends on the text alone.
pub fn parse(text: &str) -> Result<Config, ParseError> {
    Parser::new(None).run(text)
}

/// Parses ZConfig text, taking `$(NAME)` references from `env` (for example
/// `&|name| std::env::var(name).ok()`), as ZConfig does at run time.
pub fn parse_with_env(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ParseError> {
    Parser::new(Some(env)).run(text)
}

struct Parser<'e> {
    env: Option<EnvLookup<'e>>,
    defines: HashMap<String, String>,
    imports: Vec<String>,
    /// Open sections; the root is at the bottom and is never popped.
    stack: Vec<Section>,
    line: usize,
}

impl<'e> Parser<'e> {
    fn new(env: Option<EnvLookup<'e>>) -> Self {
        Parser {
            env,
            defines: HashMap::new(),
            imports: Vec::new(),
            stack: vec![Section::default()],
            line: 0,
        }
    }

    fn run(mut self, text: &str) -> Result<Config, ParseError> {
        for raw in text.split_inclusive('\n') {
            self.line += 1;
            self.handle_line(raw.trim_matches(is_space))?;
        }
        if self.stack.len() > 1 {
            return Err(self.error("unclosed sections not allowed"));
        }
        let root = self.stack.pop().unwrap_or_default();
        Ok(Config {
            imports: self.imports,
            root,
        })
    }

    fn handle_line(&mut self, line: &str) -> Result<(), ParseError> {
        if line.is_empty() || line.starts_with('#') {
            Ok(())
        } else if let Some(rest) = line.strip_prefix("</") {
            let inner = rest
                .strip_suffix('>')
                .ok_or_else(|| self.error("malformed section end"))?;
            self.end_section(inner)
        } else if let Some(rest) = line.strip_prefix('<') {
            let inner = rest
                .strip_suffix('>')
                .ok_or_else(|| self.error("malformed section start"))?;
            self.start_section(inner)
        } else if let Some(rest) = line.strip_prefix('%') {
            self.directive(rest)
        } else {
            let (key, value) =
                split_key(line).ok_or_else(|| self.error("malformed configuration data"))?;
            let value = self.substitute(value)?;
            self.current().add(key, &value);
            Ok(())
        }
    }

    fn start_section(&mut self, inner: &str) -> Result<(), ParseError> {
        let (inner, empty) = match inner.strip_suffix('/') {
            Some(inner) => (inner, true),
            None => (inner, false),
        };
        let (type_, name) = split_header(inner.trim_end_matches(is_space))
            .ok_or_else(|| self.error("malformed section header"))?;
        let mut section = Section::new(&type_.to_lowercase(), None);
        section.name = name.map(str::to_lowercase);
        section.line = self.line;
        if empty {
            self.current().sections.push(section);
        } else {
            self.stack.push(section);
        }
        Ok(())
    }

    fn end_section(&mut self, inner: &str) -> Result<(), ParseError> {
        if self.stack.len() < 2 {
            return Err(self.error("unexpected section end"));
        }
        let type_ = inner.trim_end_matches(is_space).to_lowercase();
        match self.stack.pop() {
            Some(section) if section.type_ == type_ => {
                self.current().sections.push(section);
                Ok(())
            }
            _ => Err(self.error("unbalanced section end")),
        }
    }

    fn directive(&mut self, rest: &str) -> Result<(), ParseError> {
        let (name, arg) =
            split_key(rest).ok_or_else(|| self.error("missing or unrecognized directive"))?;
        if !matches!(name, "define" | "import" | "include") {
            return Err(self.error(&format!("unknown directive: {}", py_str(name))));
        }
        if arg.is_empty() {
            return Err(self.error(&format!("missing argument to %{name} directive")));
        }
        match name {
            "import" => {
                let package = self.substitute(arg)?;
                if !self.imports.contains(&package) {
                    self.imports.push(package);
                }
                Ok(())
            }
            "include" => {
                let file = self.substitute(arg)?;
                Err(self.error(&format!(
                    "%include is not supported: paste the text of {file} here instead"
                )))
            }
            _ => self.define(arg),
        }
    }

    fn define(&mut self, arg: &str) -> Result<(), ParseError> {
        let name_end = arg.find(is_space).unwrap_or(arg.len());
        let name = arg[..name_end].to_lowercase();
        let raw = arg[name_end..].trim_start_matches(is_space);
        if self.defines.get(&name).is_some_and(|old| old != raw) {
            return Err(self.error(&format!("cannot redefine {}", py_str(&name))));
        }
        if !is_name(&name) {
            return Err(self.error(&format!("not a substitution legal name: {}", py_str(&name))));
        }
        let value = self.substitute(raw)?;
        self.defines.insert(name, value);
        Ok(())
    }

    fn substitute(&self, text: &str) -> Result<String, ParseError> {
        substitute(text, &self.defines, self.env).map_err(|m| self.error(&m))
    }

    fn current(&mut self) -> &mut Section {
        let top = self.stack.len() - 1;
        &mut self.stack[top]
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError {
            message: message.to_owned(),
            line: self.line,
        }
    }
}

fn is_name_char(c: char) -> bool {
    !is_space(c) && c != '(' && c != ')'
}

/// Splits `key value` (ZConfig's key: a run of non-space, non-paren
/// characters); `None` when the line does not start with a key.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let end = line.find(|c| !is_name_char(c)).unwrap_or(line.len());
    if end == 0 {
        return None;
    }
    Some((&line[..end], line[end..].trim_start_matches(is_space)))
}

/// Splits a section header `type [name]`.
fn split_header(text: &str) -> Option<(&str, Option<&str>)> {
    let end = text.find(|c| !is_name_char(c)).unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    let (type_, rest) = text.split_at(end);
    if rest.is_empty() {
        return Some((type_, None));
    }
    let name = rest.trim_start_matches(is_space);
    if name.len() == rest.len() || name.is_empty() || !name.chars().all(is_name_char) {
        return None;
    }
    Some((type_, Some(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_forms() {
        assert_eq!(split_header("a"), Some(("a", None)));
        assert_eq!(split_header("a  b"), Some(("a", Some("b"))));
        assert_eq!(split_header("a b c"), None);
        assert_eq!(split_header("a(b)"), None);
        assert_eq!(split_header(" a"), None);
        assert_eq!(split_header(""), None);
    }

    #[test]
    fn key_forms() {
        assert_eq!(split_key("k v w"), Some(("k", "v w")));
        assert_eq!(split_key("k"), Some(("k", "")));
        assert_eq!(split_key("k(x) y"), Some(("k", "(x) y")));
        assert_eq!(split_key("(k"), None);
    }
}
