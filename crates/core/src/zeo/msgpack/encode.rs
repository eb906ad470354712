//! The msgpack encoder (the format msgpack-python writes with
//! `use_bin_type=True`).

use crate::zeo::error::{CodecError, Limits};
use crate::zeo::value::Value;

/// Encodes one value; see [`super::encode()`].
pub(super) fn encode(value: &Value) -> Result<Vec<u8>, CodecError> {
    let mut encoder = Encoder {
        out: Vec::new(),
        limits: Limits::default(),
    };
    encoder.value(value, 0)?;
    Ok(encoder.out)
}

struct Encoder {
    out: Vec<u8>,
    limits: Limits,
}

impl Encoder {
    /// Writes `value`, which sits inside `depth` containers.
    fn value(&mut self, value: &Value, depth: usize) -> Result<(), CodecError> {
        match value {
            Value::None => self.out.push(0xc0),
            Value::Bool(false) => self.out.push(0xc2),
            Value::Bool(true) => self.out.push(0xc3),
            Value::Int(i) => self.int(*i),
            Value::BigInt(bytes) => match big_to_u64(bytes) {
                Some(u) => {
                    self.out.push(0xcf);
                    self.out.extend(u.to_be_bytes());
                }
                None => return Err(unsupported("an integer outside the 64-bit range")),
            },
            Value::Float(f) => {
                self.out.push(0xcb);
                self.out.extend(f.to_be_bytes());
            }
            Value::Str(s) => {
                self.header(s.len(), Some(0xa0), [0xd9, 0xda, 0xdb])?;
                self.out.extend(s.as_bytes());
            }
            Value::Bytes(b) => {
                self.header(b.len(), None, [0xc4, 0xc5, 0xc6])?;
                self.out.extend(b);
            }
            Value::Tuple(items) | Value::List(items) => {
                let level = self.limits.level(depth)?;
                self.collection(items.len(), 0x90, [0xdc, 0xdd])?;
                for item in items {
                    self.value(item, level)?;
                }
            }
            Value::Dict(pairs) => {
                let level = self.limits.level(depth)?;
                self.collection(pairs.len(), 0x80, [0xde, 0xdf])?;
                for (key, value) in pairs {
                    self.value(key, level)?;
                    self.value(value, level)?;
                }
            }
            Value::Global { module, name } => {
                return Err(unsupported(&format!("the Python global {module}.{name}")))
            }
            Value::Object { .. } => return Err(unsupported("a Python object")),
        }
        Ok(())
    }

    /// The smallest integer form, as msgpack-python picks it.
    fn int(&mut self, i: i64) {
        if (-32..=127).contains(&i) {
            self.out.push(i as u8);
        } else if let Ok(u) = u8::try_from(i) {
            self.out.extend([0xcc, u]);
        } else if let Ok(u) = u16::try_from(i) {
            self.out.push(0xcd);
            self.out.extend(u.to_be_bytes());
        } else if let Ok(u) = u32::try_from(i) {
            self.out.push(0xce);
            self.out.extend(u.to_be_bytes());
        } else if let Ok(u) = u64::try_from(i) {
            self.out.push(0xcf);
            self.out.extend(u.to_be_bytes());
        } else if let Ok(s) = i8::try_from(i) {
            self.out.extend([0xd0, s as u8]);
        } else if let Ok(s) = i16::try_from(i) {
            self.out.push(0xd1);
            self.out.extend(s.to_be_bytes());
        } else if let Ok(s) = i32::try_from(i) {
            self.out.push(0xd2);
            self.out.extend(s.to_be_bytes());
        } else {
            self.out.push(0xd3);
            self.out.extend(i.to_be_bytes());
        }
    }

    /// A str/bin header: the fix form (if any, up to 31 bytes), else 8-, 16-
    /// or 32-bit lengths.
    fn header(&mut self, len: usize, fix: Option<u8>, sized: [u8; 3]) -> Result<(), CodecError> {
        let [len8, len16, len32] = sized;
        match (
            fix,
            u8::try_from(len),
            u16::try_from(len),
            u32::try_from(len),
        ) {
            (Some(fix), Ok(short), _, _) if short < 32 => self.out.push(fix | short),
            (_, Ok(short), _, _) => self.out.extend([len8, short]),
            (_, _, Ok(medium), _) => {
                self.out.push(len16);
                self.out.extend(medium.to_be_bytes());
            }
            (_, _, _, Ok(long)) => {
                self.out.push(len32);
                self.out.extend(long.to_be_bytes());
            }
            _ => return Err(unsupported("a string longer than 4 GiB")),
        }
        Ok(())
    }

    /// An array/map header: the fix form up to 15 items, else 16- or 32-bit.
    fn collection(&mut self, len: usize, fix: u8, sized: [u8; 2]) -> Result<(), CodecError> {
        let [len16, len32] = sized;
        match (u8::try_from(len), u16::try_from(len), u32::try_from(len)) {
            (Ok(short), _, _) if short < 16 => self.out.push(fix | short),
            (_, Ok(medium), _) => {
                self.out.push(len16);
                self.out.extend(medium.to_be_bytes());
            }
            (_, _, Ok(long)) => {
                self.out.push(len32);
                self.out.extend(long.to_be_bytes());
            }
            _ => return Err(unsupported("a collection of more than 2^32 items")),
        }
        Ok(())
    }
}

/// The value of a non-negative two's complement integer that fits in u64.
fn big_to_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.last().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let significant = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let mut word = [0u8; 8];
    for (slot, byte) in word.iter_mut().zip(bytes.get(..significant)?) {
        *slot = *byte;
    }
    (significant <= 8).then(|| u64::from_le_bytes(word))
}

fn unsupported(what: &str) -> CodecError {
    CodecError::new(format!("msgpack cannot carry {what}"), 0)
}
