//! Integers of any size as pickle carries them: little-endian two's
//! complement bytes (`LONG1`/`LONG4`) or decimal text (`INT`, `LONG`).

use crate::zeo::value::Value;

/// Longest decimal integer text accepted (Python's own default limit), so a
/// hostile `LONG` line cannot make the quadratic conversion slow.
pub(super) const MAX_DECIMAL_DIGITS: usize = 4300;

const CHUNK: u64 = 1_000_000_000;

/// `v` as the shortest little-endian two's complement bytes (empty for 0,
/// as Python's `LONG1` writes it).
pub(super) fn i64_to_le(v: i64) -> Vec<u8> {
    if v == 0 {
        return Vec::new();
    }
    let mut bytes = v.to_le_bytes().to_vec();
    trim(&mut bytes);
    bytes
}

/// The integer of little-endian two's complement `bytes`: `Int` when it fits
/// in 64 bits, else a [`Value::BigInt`] without redundant sign bytes.
pub(super) fn le_to_value(bytes: &[u8]) -> Value {
    let mut bytes = bytes.to_vec();
    trim(&mut bytes);
    if bytes.len() > 8 {
        return Value::BigInt(bytes);
    }
    let fill = if is_negative(&bytes) { 0xff } else { 0 };
    let mut word = [fill; 8];
    for (slot, byte) in word.iter_mut().zip(&bytes) {
        *slot = *byte;
    }
    Value::Int(i64::from_le_bytes(word))
}

/// Parses an optional sign and decimal digits (no other characters).
pub(super) fn decimal_to_value(text: &[u8]) -> Option<Value> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.len() > MAX_DECIMAL_DIGITS
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut bytes = magnitude_from_decimal(digits);
    bytes.push(0);
    if negative {
        negate(&mut bytes);
    }
    Some(le_to_value(&bytes))
}

/// The decimal text of little-endian two's complement `bytes`.
pub(super) fn le_to_decimal(bytes: &[u8]) -> String {
    let negative = is_negative(bytes);
    let mut magnitude = bytes.to_vec();
    if negative {
        negate(&mut magnitude);
    }
    let mut limbs: Vec<u32> = magnitude
        .chunks(4)
        .map(|chunk| {
            let mut word = [0; 4];
            for (slot, byte) in word.iter_mut().zip(chunk) {
                *slot = *byte;
            }
            u32::from_le_bytes(word)
        })
        .collect();
    let mut groups = Vec::new();
    loop {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        if limbs.is_empty() {
            break;
        }
        groups.push(divide_by_chunk(&mut limbs));
    }
    let mut text = String::from(if negative { "-" } else { "" });
    match groups.split_last() {
        None => text.push('0'),
        Some((first, rest)) => {
            text.push_str(&first.to_string());
            for group in rest.iter().rev() {
                text.push_str(&format!("{group:09}"));
            }
        }
    }
    text
}

/// Divides the little-endian base-2^32 number in place, returning the remainder.
fn divide_by_chunk(limbs: &mut [u32]) -> u32 {
    let mut rest = 0u64;
    for limb in limbs.iter_mut().rev() {
        let current = (rest << 32) | u64::from(*limb);
        *limb = (current / CHUNK) as u32;
        rest = current % CHUNK;
    }
    rest as u32
}

/// Unsigned little-endian bytes of a run of ASCII decimal digits.
fn magnitude_from_decimal(digits: &[u8]) -> Vec<u8> {
    let mut limbs: Vec<u32> = Vec::new();
    for chunk in digits.chunks(9) {
        let scale = 10u64.pow(chunk.len() as u32);
        let mut carry = chunk
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
        for limb in limbs.iter_mut() {
            let product = u64::from(*limb) * scale + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    limbs.iter().flat_map(|limb| limb.to_le_bytes()).collect()
}

fn is_negative(bytes: &[u8]) -> bool {
    bytes.last().is_some_and(|b| b & 0x80 != 0)
}

/// Two's complement negation in place.
fn negate(bytes: &mut [u8]) {
    let mut carry = 1u8;
    for byte in bytes.iter_mut() {
        let (sum, overflow) = (!*byte).overflowing_add(carry);
        *byte = sum;
        carry = u8::from(overflow);
    }
}

/// Drops sign-extension bytes that do not change the value.
fn trim(bytes: &mut Vec<u8>) {
    while let [.., prev, last] = bytes[..] {
        let redundant = (last == 0 && prev & 0x80 == 0) || (last == 0xff && prev & 0x80 != 0);
        if !redundant {
            break;
        }
        bytes.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_integers_use_the_fewest_bytes() {
        assert_eq!(i64_to_le(0), Vec::<u8>::new());
        assert_eq!(i64_to_le(127), vec![0x7f]);
        assert_eq!(i64_to_le(128), vec![0x80, 0]);
        assert_eq!(i64_to_le(-128), vec![0x80]);
        assert_eq!(i64_to_le(-129), vec![0x7f, 0xff]);
        assert_eq!(i64_to_le(i64::MIN), i64::MIN.to_le_bytes().to_vec());
    }

    #[test]
    fn bytes_become_int_or_bigint() {
        assert_eq!(le_to_value(&[]), Value::Int(0));
        assert_eq!(le_to_value(&[0xff, 0xff, 0xff]), Value::Int(-1));
        assert_eq!(
            le_to_value(&[0, 0, 0, 0, 0, 0, 0, 0x80, 0xff]),
            Value::Int(i64::MIN)
        );
        let two_to_64 = vec![0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(le_to_value(&two_to_64), Value::BigInt(two_to_64.clone()));
    }

    #[test]
    fn decimal_text_round_trips() {
        for text in [
            "0",
            "-1",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551616",
            "-1180591620717411303424",
            "123456789012345678901234567890",
        ] {
            let value = decimal_to_value(text.as_bytes()).unwrap();
            let bytes = match &value {
                Value::Int(i) => i64_to_le(*i),
                Value::BigInt(b) => b.clone(),
                other => panic!("{other:?}"),
            };
            assert_eq!(le_to_decimal(&bytes), text);
        }
        assert_eq!(decimal_to_value(b"-0"), Some(Value::Int(0)));
        assert_eq!(
            decimal_to_value(b"18446744073709551616"),
            Some(Value::BigInt(vec![0, 0, 0, 0, 0, 0, 0, 0, 1]))
        );
    }

    #[test]
    fn decimal_text_must_be_digits() {
        for bad in ["", "-", "1x", "0x10", " 1", "1.5"] {
            assert_eq!(decimal_to_value(bad.as_bytes()), None, "{bad:?}");
        }
        let long = "9".repeat(MAX_DECIMAL_DIGITS + 1);
        assert_eq!(decimal_to_value(long.as_bytes()), None);
    }
}
