//! The newline-terminated text arguments of protocol-0 opcodes.

use super::long;
use crate::zeo::value::Value;

/// `INT`'s argument: `00`/`01` are protocol 0's False/True, else an integer.
pub(super) fn int_arg(line: &[u8]) -> Result<Value, String> {
    match line {
        b"00" => Ok(Value::Bool(false)),
        b"01" => Ok(Value::Bool(true)),
        _ => integer(line.trim_ascii()),
    }
}

/// `LONG`'s argument: an integer with an optional Python 2 `L` suffix.
pub(super) fn long_arg(line: &[u8]) -> Result<Value, String> {
    let line = line.trim_ascii();
    integer(line.strip_suffix(b"L").unwrap_or(line))
}

/// A memo key of `PUT`/`GET`.
pub(super) fn index_arg(line: &[u8]) -> Result<u64, String> {
    std::str::from_utf8(line.trim_ascii())
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad memo key {}", quote(line)))
}

/// `FLOAT`'s argument, as Python's `float()` reads it.
pub(super) fn float_arg(line: &[u8]) -> Result<f64, String> {
    std::str::from_utf8(line.trim_ascii())
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad float {}", quote(line)))
}

/// A module or attribute name of `GLOBAL`/`INST`.
pub(super) fn name_arg(line: &[u8]) -> Result<String, String> {
    String::from_utf8(line.to_vec()).map_err(|_| format!("name {} is not UTF-8", quote(line)))
}

fn integer(text: &[u8]) -> Result<Value, String> {
    long::decimal_to_value(text).ok_or_else(|| format!("bad integer {}", quote(text)))
}

/// `STRING`'s argument: a quoted Python 2 string literal with escapes.
pub(super) fn string_arg(line: &[u8]) -> Result<Vec<u8>, String> {
    match line {
        [open, body @ .., close] if open == close && (*open == b'\'' || *open == b'"') => {
            unescape(body)
        }
        _ => Err("the STRING argument must be quoted".into()),
    }
}

/// Python's `escape_decode`: backslash escapes of a byte string literal.
fn unescape(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let [first, tail @ ..] = rest {
        rest = tail;
        if *first != b'\\' {
            out.push(*first);
            continue;
        }
        let [code, tail @ ..] = rest else {
            return Err("trailing \\ in STRING".into());
        };
        rest = tail;
        match code {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(*code),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b't' => out.push(9),
            b'n' => out.push(10),
            b'v' => out.push(11),
            b'f' => out.push(12),
            b'r' => out.push(13),
            b'0'..=b'7' => {
                let extra = rest.iter().take(2).take_while(|c| matches!(c, b'0'..=b'7'));
                let count = extra.count();
                let digits = std::iter::once(code).chain(&rest[..count]);
                let value = digits.fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                out.push(value as u8);
                rest = &rest[count..];
            }
            b'x' => {
                let hex = rest.get(..2).and_then(hex_value);
                let value = hex.ok_or("invalid \\x escape in STRING")?;
                out.push(value as u8);
                rest = &rest[2..];
            }
            _ => out.extend_from_slice(&[b'\\', *code]),
        }
    }
    Ok(out)
}

/// `UNICODE`'s argument: Python's `raw-unicode-escape` (Latin-1 bytes, with
/// `\uXXXX`/`\UXXXXXXXX` escapes after an odd run of backslashes).
pub(super) fn unicode_arg(line: &[u8]) -> Result<String, String> {
    let units = raw_unicode_units(line)?;
    let mut out = String::with_capacity(units.len());
    let mut units = units.into_iter().peekable();
    while let Some(unit) = units.next() {
        let code = match unit {
            0xd800..=0xdbff => match units.peek() {
                Some(low @ 0xdc00..=0xdfff) => {
                    let code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    units.next();
                    code
                }
                _ => return Err("lone surrogate in UNICODE".into()),
            },
            0xdc00..=0xdfff => return Err("lone surrogate in UNICODE".into()),
            _ => unit,
        };
        out.push(char::from_u32(code).ok_or("bad code point in UNICODE")?);
    }
    Ok(out)
}

/// Code points (surrogates still separate) of a raw-unicode-escape text.
fn raw_unicode_units(line: &[u8]) -> Result<Vec<u32>, String> {
    let mut units = Vec::with_capacity(line.len());
    let mut rest = line;
    while let [first, tail @ ..] = rest {
        if *first != b'\\' {
            units.push(u32::from(*first));
            rest = tail;
            continue;
        }
        let run = rest.iter().take_while(|c| **c == b'\\').count();
        rest = &rest[run..];
        let width = match rest.first() {
            Some(b'u') if run % 2 == 1 => Some(4),
            Some(b'U') if run % 2 == 1 => Some(8),
            _ => None,
        };
        let literal = run - usize::from(width.is_some());
        units.extend(std::iter::repeat_n(u32::from(b'\\'), literal));
        if let Some(width) = width {
            let hex = rest.get(1..1 + width).and_then(hex_value);
            let code = hex.ok_or("truncated \\u escape in UNICODE")?;
            if code > 0x10ffff {
                return Err("\\U escape out of range in UNICODE".into());
            }
            units.push(code);
            rest = &rest[1 + width..];
        }
    }
    Ok(units)
}

/// The value of ASCII hex digits (at most 8).
fn hex_value(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, d| {
        let digit = char::from(*d).to_digit(16)?;
        Some(acc * 16 + digit)
    })
}

/// A short printable rendering of an argument, for error messages.
fn quote(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(40)];
    format!("{:?}", String::from_utf8_lossy(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_and_bools() {
        assert_eq!(int_arg(b"01"), Ok(Value::Bool(true)));
        assert_eq!(int_arg(b"00"), Ok(Value::Bool(false)));
        assert_eq!(int_arg(b"-42"), Ok(Value::Int(-42)));
        assert_eq!(int_arg(b"007"), Ok(Value::Int(7)));
        assert_eq!(long_arg(b"123L"), Ok(Value::Int(123)));
        assert_eq!(long_arg(b"-5"), Ok(Value::Int(-5)));
        assert!(int_arg(b"1L").is_err());
        assert!(long_arg(b"L").is_err());
    }

    #[test]
    fn floats() {
        assert_eq!(float_arg(b"0.1"), Ok(0.1));
        assert_eq!(float_arg(b"-1e300"), Ok(-1e300));
        assert_eq!(float_arg(b"inf"), Ok(f64::INFINITY));
        assert!(float_arg(b"nan").unwrap().is_nan());
        assert!(float_arg(b"1.2.3").is_err());
        assert!(float_arg(b"").is_err());
    }

    #[test]
    fn python_string_escapes() {
        assert_eq!(string_arg(b"'abc'"), Ok(b"abc".to_vec()));
        assert_eq!(string_arg(b"\"it's\""), Ok(b"it's".to_vec()));
        assert_eq!(
            string_arg(br"'\x00\xff\n\t\\\'\101\0\8'"),
            Ok(b"\x00\xff\n\t\\'A\x00\\8".to_vec())
        );
        assert_eq!(string_arg(b"'a\\\nb'"), Ok(b"ab".to_vec()));
        assert!(string_arg(b"'abc").is_err());
        assert!(string_arg(b"'").is_err());
        assert!(string_arg(br"'\x4'").is_err());
        assert!(string_arg(b"'\\'").is_err());
    }

    #[test]
    fn raw_unicode_escape() {
        assert_eq!(unicode_arg(b"caf\xe9"), Ok("café".into()));
        assert_eq!(unicode_arg(br"\u005c\u000a"), Ok("\\\n".into()));
        assert_eq!(unicode_arg(br"\\u0041"), Ok(r"\\u0041".into()));
        assert_eq!(unicode_arg(br"\\\u0041"), Ok(r"\\A".into()));
        assert_eq!(unicode_arg(br"\U0001f600"), Ok("\u{1f600}".into()));
        assert_eq!(unicode_arg(br"\ud83d\ude00"), Ok("\u{1f600}".into()));
        assert_eq!(unicode_arg(br"a\b"), Ok(r"a\b".into()));
        assert!(unicode_arg(br"\u12").is_err());
        assert!(unicode_arg(br"\ud83d").is_err());
        assert!(unicode_arg(br"\U00110000").is_err());
    }
}
