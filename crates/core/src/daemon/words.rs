//! Splitting a `program` line into words, and writing values the way
//! Python's `repr` does (zdaemon's status reply is read back with `eval`).

/// Whether Python's `str.split()` treats `c` as a separator.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Splits a command line into words like a POSIX shell does for simple
/// words: blanks separate words, `'…'` quotes literally, `"…"` quotes with
/// `\"`, `\\`, `` \` `` and `\$` escapes, and a backslash outside quotes
/// escapes the next character. Nothing is expanded. For a line without
/// quotes or backslashes this is exactly zdaemon's whitespace split.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if is_space(c) => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated ' quote in {line:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '`' | '$')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unterminated \" quote in {line:?}")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated \" quote in {line:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(format!("trailing backslash in {line:?}")),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Python's `repr` of a `str`: a literal that `eval` turns back into `s`.
pub fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{a0}').contains(&c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c == '\u{ad}' || c.is_whitespace() && !c.is_ascii() => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr` of a list of `str`: `['a', 'b']`.
pub fn py_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| py_str(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// Python's `repr` of a `float` for the values a status reply holds.
pub fn py_float(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn plain_words_split_like_python() {
        assert_eq!(split("  sleep   100 ").unwrap(), s(&["sleep", "100"]));
        assert_eq!(split("a\tb\nc").unwrap(), s(&["a", "b", "c"]));
        assert_eq!(split("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            split("sh -c 'echo hi; exec sleep 1000'").unwrap(),
            s(&["sh", "-c", "echo hi; exec sleep 1000"])
        );
        assert_eq!(
            split(r#"a "b \"c\" \n" d\ e '' x"y"z"#).unwrap(),
            s(&["a", "b \"c\" \\n", "d e", "", "xyz"])
        );
        assert!(split("a 'b").is_err());
        assert!(split("a \"b").is_err());
        assert!(split("a \\").is_err());
    }

    #[test]
    fn python_reprs() {
        assert_eq!(py_str("abc"), "'abc'");
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_str("'\""), "'\\'\"'");
        assert_eq!(py_str("a\\b\n\x01é"), "'a\\\\b\\n\\x01é'");
        assert_eq!(py_list(&s(&["sh", "-c", "x y"])), "['sh', '-c', 'x y']");
        assert_eq!(py_list(&[]), "[]");
        assert_eq!(py_float(3.0), "3.0");
        assert_eq!(py_float(1718123456.25), "1718123456.25");
    }
}
