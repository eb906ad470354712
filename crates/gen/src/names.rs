//! Which part, deployment and storage names and which paths are safe to put
//! into file names, shell scripts, cron lines and config files.

/// Why `name` cannot be used in generated file names, or `None` if it can.
///
/// Names may only contain ASCII letters, digits, `.`, `_` and `-`, must not
/// start with `.` or `-`, and must not contain `..`: anything else could
/// escape its directory or break a shell, cron or systemd line.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Some(format!("it contains {}", describe(c)));
    }
    if name.contains("..") {
        return Some("it contains `..`".into());
    }
    if let Some(c) = name.chars().next().filter(|c| matches!(c, '.' | '-')) {
        return Some(format!("it starts with `{c}`"));
    }
    None
}

/// What names may contain, for error messages.
pub const NAME_RULE: &str = "use only ASCII letters, digits, `.`, `_` and `-`";

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Characters a generated path may not contain: they would break the
/// `program` line of zdaemon.conf, the cron line, the quoted shell script,
/// the logrotate file (a glob) or the systemd unit (`%` specifiers).
const PATH_UNSAFE: &str = "'\"`$\\%;&|<>()*?[]{}!";

/// Why `path` cannot be written into generated files, or `None` if it can.
pub fn path_problem(path: &str) -> Option<String> {
    path.chars()
        .find(|c| c.is_whitespace() || c.is_control() || PATH_UNSAFE.contains(*c))
        .map(|c| format!("it contains {}", describe(c)))
}

/// `name` for messages: control characters shown as `\u{..}` escapes.
pub fn shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn describe(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        '\n' | '\r' => "a line break".into(),
        '/' => "`/`".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c if c.is_whitespace() => format!("the white space U+{:04X}", c as u32),
        '`' => "a backquote".into(),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names() {
        for name in ["zeoraid", "zeoraid2", "Demo", "main.fs", "a_b-c", "1"] {
            assert_eq!(name_problem(name), None, "{name}");
        }
    }

    #[test]
    fn bad_names() {
        let cases = [
            ("", "it is empty"),
            ("../x", "it contains `/`"),
            ("a/b", "it contains `/`"),
            ("..", "it contains `..`"),
            ("a..b", "it contains `..`"),
            (".hidden", "it starts with `.`"),
            ("-x", "it starts with `-`"),
            ("a b", "it contains a space"),
            ("a\tb", "it contains a tab"),
            ("a'b", "it contains `'`"),
            ("a\"b", "it contains `\"`"),
            ("a;b", "it contains `;`"),
            ("a$b", "it contains `$`"),
            ("a`b", "it contains a backquote"),
            ("a\nb", "it contains a line break"),
            ("a\u{7}b", "it contains the control character U+0007"),
            ("é", "it contains `é`"),
            ("a@b", "it contains `@`"),
        ];
        for (name, why) in cases {
            assert_eq!(name_problem(name).as_deref(), Some(why), "{name:?}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(path_problem("/srv/zeo-raid/bin/runzeo"), None);
        assert_eq!(path_problem("/a b").as_deref(), Some("it contains a space"));
        assert_eq!(path_problem("/a%b").as_deref(), Some("it contains `%`"));
        assert_eq!(
            path_problem("/a\u{0}").as_deref(),
            Some("it contains the control character U+0000")
        );
    }
}
