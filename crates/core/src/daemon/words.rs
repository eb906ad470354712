//! Splitting a `program` line into words.

// Python's reprs used to live here; re-exported so the public paths stay.
pub use crate::pyrepr::{py_float, py_list, py_str};

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn split_never_panics(line in any::<String>()) {
            let _ = split(&line);
        }

        #[test]
        fn single_quoted_words_split_back(words in proptest::collection::vec(any::<String>(), 0..6)) {
            let line: Vec<String> = words
                .iter()
                .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
                .collect();
            prop_assert_eq!(split(&line.join(" ")).unwrap(), words);
        }
    }

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
}
