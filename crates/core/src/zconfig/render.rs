//! Rendering a [`Config`] the way `ZConfig.schemaless` prints it.

use super::{is_space, Config, Section};

/// Renders `config` as ZConfig text: `%import` lines and a blank line first,
/// then the root's keys (sorted by key, values of one key in input order),
/// a blank line between keys and child sections, child sections indented by
/// two spaces per level, top-level sections followed by a blank line,
/// trailing blank lines stripped and one final newline.
///
/// Values are written with `$` doubled, so parsing the output gives the same
/// values back. A section type or name ending in `/` is written with a space
/// before the `>`, so it is not read back as an empty section.
pub fn render(config: &Config) -> String {
    render_section(&config.root, "", &config.imports)
}

fn render_section(section: &Section, outer: &str, imports: &[String]) -> String {
    let mut lines: Vec<String> = Vec::new();
    if !imports.is_empty() {
        lines.extend(imports.iter().map(|i| format!("%import {}", escape(i))));
        lines.push(String::new());
    }
    let typed = !section.type_.is_empty();
    let pre = if typed {
        lines.push(header(section, outer));
        format!("{outer}  ")
    } else {
        outer.to_owned()
    };
    let mut keys: Vec<&(String, String)> = section.keys.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    lines.extend(keys.iter().map(|(k, v)| format!("{pre}{k} {}", escape(v))));
    if !section.sections.is_empty() && !section.keys.is_empty() {
        lines.push(String::new());
    }
    lines.extend(
        section
            .sections
            .iter()
            .map(|s| render_section(s, &pre, &[])),
    );
    if typed {
        lines.push(format!("{outer}</{}>", section.type_));
        lines.push(String::new());
    }
    let mut text = lines.join("\n").trim_end_matches(is_space).to_owned();
    if outer.is_empty() {
        text.push('\n');
    }
    text
}

fn header(section: &Section, pre: &str) -> String {
    let inner = match &section.name {
        Some(name) if !name.is_empty() => format!("{} {name}", section.type_),
        _ => section.type_.clone(),
    };
    let gap = if inner.ends_with('/') { " " } else { "" };
    format!("{pre}<{inner}{gap}>")
}

fn escape(value: &str) -> String {
    value.replace('$', "$$")
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn schemaless_layout() {
        let text = "\nsome-key some-value\n\nsome-key another-value\n\n<section>\n  key1 value1.1\n  \
                    key1 value1.2\n  key2 value2\n\n  <deeper>\n    another key\n    another value\n  \
                    </deeper>\n</section>\n\nanother-key  whee!\n\n\n<another named>\n  nothing here\n\
                    </another>\n\n";
        let mut config = parse(text).unwrap();
        config.root.add("new-key", "new-value-1");
        config.root.add("new-key", "new-value-2");
        config.root.add("some-key", "third-value");
        let mut section = Section::new("sectiontype", Some("my-name"));
        section.add("key", "value");
        config.root.sections.insert(1, section);
        assert_eq!(
            render(&config),
            "another-key whee!\nnew-key new-value-1\nnew-key new-value-2\nsome-key some-value\n\
             some-key another-value\nsome-key third-value\n\n<section>\n  key1 value1.1\n  \
             key1 value1.2\n  key2 value2\n\n  <deeper>\n    another key\n    another value\n  \
             </deeper>\n</section>\n\n<sectiontype my-name>\n  key value\n</sectiontype>\n\n\
             <another named>\n  nothing here\n</another>\n"
        );
    }

    #[test]
    fn imports_first_and_once() {
        let text = "%import some.package\n<section>\n%import another.package\n<another>\n\
                    some value\n</another>\n</section>\nsome-key some-value\n%import some.package\n";
        assert_eq!(
            render(&parse(text).unwrap()),
            "%import some.package\n%import another.package\n\nsome-key some-value\n\n<section>\n  \
             <another>\n    some value\n  </another>\n</section>\n"
        );
        assert_eq!(render(&parse("%import a\n").unwrap()), "%import a\n");
        assert_eq!(render(&Config::default()), "\n");
    }

    #[test]
    fn nested_siblings_have_no_blank_line() {
        let text = "<r 1>\n<c 1>\na 1\n</c>\n<c 2>\n</c>\n</r>\n<e/>\n";
        assert_eq!(
            render(&parse(text).unwrap()),
            "<r 1>\n  <c 1>\n    a 1\n  </c>\n  <c 2>\n  </c>\n</r>\n\n<e>\n</e>\n"
        );
    }

    #[test]
    fn dollars_and_slashes_survive_a_round_trip() {
        let config = parse("k a$$b\n<a/ >\n</a/>\n").unwrap();
        assert_eq!(config.root.get("k"), Some("a$b"));
        assert_eq!(config.root.sections[0].type_, "a/");
        let text = render(&config);
        assert_eq!(text, "k a$$b\n\n<a/ >\n</a/>\n");
        assert_eq!(render(&parse(&text).unwrap()), text);
    }

    #[test]
    fn empty_values_keep_their_key() {
        assert_eq!(
            render(&parse("<s>\nk\n</s>\n").unwrap()),
            "<s>\n  k \n</s>\n"
        );
    }
}
