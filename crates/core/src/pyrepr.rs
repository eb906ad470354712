//! Values written the way Python's `repr` writes them: zdaemon's status
//! reply is read back with `eval`, and ZConfig quotes names in its messages.

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
    use proptest::prelude::*;

    /// Reads back the Python string literals `py_str` writes.
    fn py_eval(lit: &str) -> String {
        let quote = lit.chars().next().unwrap();
        assert!(lit.ends_with(quote) && lit.len() >= 2);
        let mut out = String::new();
        let mut chars = lit[1..lit.len() - 1].chars();
        while let Some(c) = chars.next() {
            assert!(c != quote, "unescaped quote in {lit}");
            if c != '\\' {
                out.push(c);
                continue;
            }
            let hex = |chars: &mut std::str::Chars<'_>, n: usize| {
                let digits: String = chars.take(n).collect();
                char::from_u32(u32::from_str_radix(&digits, 16).unwrap()).unwrap()
            };
            match chars.next().unwrap() {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'x' => out.push(hex(&mut chars, 2)),
                'u' => out.push(hex(&mut chars, 4)),
                c @ ('\\' | '\'' | '"') => out.push(c),
                c => panic!("unexpected escape \\{c} in {lit}"),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn py_str_round_trips(s in any::<String>()) {
            let lit = py_str(&s);
            prop_assert!(!lit.chars().any(|c| c.is_control()));
            prop_assert_eq!(py_eval(&lit), s);
        }
    }

    #[test]
    fn quotes_like_python() {
        assert_eq!(py_str(""), "''");
        assert_eq!(py_str("abc"), "'abc'");
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_str("say \"hi\""), "'say \"hi\"'");
        assert_eq!(py_str("'\""), "'\\'\"'");
        assert_eq!(py_str("a'\"b"), "'a\\'\"b'");
    }

    #[test]
    fn escapes_like_python() {
        assert_eq!(py_str("a\\b\n\r\t"), "'a\\\\b\\n\\r\\t'");
        assert_eq!(py_str("a\\\u{1}"), "'a\\\\\\x01'");
        assert_eq!(py_str("\0\u{1c}\u{1f}"), "'\\x00\\x1c\\x1f'");
        assert_eq!(py_str(" ~"), "' ~'");
        assert_eq!(py_str("\u{7f}\u{85}\u{9f}\u{a0}"), "'\\x7f\\x85\\x9f\\xa0'");
        assert_eq!(py_str("\u{2028}\u{3000}"), "'\\u2028\\u3000'");
        assert_eq!(py_str("\u{a1}é€"), "'\u{a1}é€'");
    }

    #[test]
    fn lists_and_floats_like_python() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(py_list(&s(&["sh", "-c", "x y"])), "['sh', '-c', 'x y']");
        assert_eq!(py_list(&s(&["it's"])), "[\"it's\"]");
        assert_eq!(py_list(&[]), "[]");
        assert_eq!(py_float(3.0), "3.0");
        assert_eq!(py_float(1718123456.25), "1718123456.25");
    }
}
