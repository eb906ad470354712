//! The msgpack decoder, with an explicit stack of open arrays and maps.

use crate::zeo::error::{CodecError, Limits};
use crate::zeo::reader::Reader;
use crate::zeo::value::Value;

/// Most items reserved up front for an array or map, whatever it claims.
const PREALLOCATE: usize = 256;

/// Decodes one value; see [`super::decode()`].
pub(super) fn decode(data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
    Decoder {
        input: Reader::new(data),
        limits: *limits,
        open: Vec::new(),
        count: 0,
    }
    .run()
}

/// What one format byte (with its arguments) yields.
enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

/// An array or map still waiting for items.
enum Open {
    Array {
        items: Vec<Value>,
        left: usize,
    },
    Map {
        pairs: Vec<(Value, Value)>,
        key: Option<Value>,
        left: usize,
    },
}

struct Decoder<'a> {
    input: Reader<'a>,
    limits: Limits,
    open: Vec<Open>,
    count: usize,
}

impl Decoder<'_> {
    fn run(mut self) -> Result<Value, CodecError> {
        loop {
            let at = self.input.pos();
            let value = match self.item()? {
                Item::Value(value) => value,
                Item::Array(len) => match self.open_container(at, len, false)? {
                    Some(value) => value,
                    None => continue,
                },
                Item::Map(len) => match self.open_container(at, len, true)? {
                    Some(value) => value,
                    None => continue,
                },
            };
            if let Some(done) = self.deliver(value) {
                return self.finish(done);
            }
        }
    }

    /// Starts an array or map of `len` items, or returns it if empty.
    fn open_container(
        &mut self,
        at: usize,
        len: usize,
        is_map: bool,
    ) -> Result<Option<Value>, CodecError> {
        if self.open.len() >= self.limits.max_depth {
            let message = format!("nested deeper than {} levels", self.limits.max_depth);
            return Err(CodecError::new(message, at));
        }
        let needed = if is_map { len.saturating_mul(2) } else { len };
        let remaining = self.input.remaining();
        if needed > remaining {
            let what = if is_map { "map" } else { "array" };
            let message = format!("{what} claims {len} items but only {remaining} bytes remain");
            return Err(CodecError::new(message, at));
        }
        let capacity = len.min(PREALLOCATE);
        Ok(match (is_map, len) {
            (false, 0) => Some(Value::Tuple(Vec::new())),
            (true, 0) => Some(Value::Dict(Vec::new())),
            (false, _) => {
                let items = Vec::with_capacity(capacity);
                self.open.push(Open::Array { items, left: len });
                None
            }
            (true, _) => {
                let pairs = Vec::with_capacity(capacity);
                let key = None;
                self.open.push(Open::Map {
                    pairs,
                    key,
                    left: len,
                });
                None
            }
        })
    }

    /// Hands a finished value to the innermost open container, closing every
    /// container it completes; returns the top-level value once there is one.
    fn deliver(&mut self, mut value: Value) -> Option<Value> {
        loop {
            let Some(innermost) = self.open.last_mut() else {
                return Some(value);
            };
            let complete = match innermost {
                Open::Array { items, left } => {
                    items.push(value);
                    *left -= 1;
                    *left == 0
                }
                Open::Map { pairs, key, left } => match key.take() {
                    None => {
                        *key = Some(value);
                        false
                    }
                    Some(k) => {
                        pairs.push((k, value));
                        *left -= 1;
                        *left == 0
                    }
                },
            };
            if !complete {
                return None;
            }
            value = match self.open.pop() {
                Some(Open::Array { items, .. }) => Value::Tuple(items),
                Some(Open::Map { pairs, .. }) => Value::Dict(pairs),
                None => return None,
            };
        }
    }

    fn finish(self, value: Value) -> Result<Value, CodecError> {
        let trailing = self.input.remaining();
        if trailing > 0 {
            let message = format!("{trailing} bytes of garbage after the msgpack value");
            return Err(CodecError::new(message, self.input.pos()));
        }
        Ok(value)
    }

    /// Reads one format byte and its arguments.
    fn item(&mut self) -> Result<Item, CodecError> {
        let at = self.input.pos();
        self.count += 1;
        if self.count > self.limits.max_values {
            let message = format!("more than {} values", self.limits.max_values);
            return Err(CodecError::new(message, at));
        }
        let byte = self.input.u8("a msgpack value")?;
        let value = match byte {
            0x00..=0x7f => Value::Int(byte.into()),
            0x80..=0x8f => return Ok(Item::Map(usize::from(byte & 0x0f))),
            0x90..=0x9f => return Ok(Item::Array(usize::from(byte & 0x0f))),
            0xa0..=0xbf => self.str(u64::from(byte & 0x1f))?,
            0xc0 => Value::None,
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xc4 => self.bin(1)?,
            0xc5 => self.bin(2)?,
            0xc6 => self.bin(4)?,
            0xca => Value::Float(f32::from_be_bytes(self.input.array("float32")?).into()),
            0xcb => Value::Float(f64::from_be_bytes(self.input.array("float64")?)),
            0xcc => Value::Int(self.input.u8("uint8")?.into()),
            0xcd => Value::Int(u16::from_be_bytes(self.input.array("uint16")?).into()),
            0xce => Value::Int(u32::from_be_bytes(self.input.array("uint32")?).into()),
            0xcf => uint64(u64::from_be_bytes(self.input.array("uint64")?)),
            0xd0 => Value::Int(i8::from_be_bytes(self.input.array("int8")?).into()),
            0xd1 => Value::Int(i16::from_be_bytes(self.input.array("int16")?).into()),
            0xd2 => Value::Int(i32::from_be_bytes(self.input.array("int32")?).into()),
            0xd3 => Value::Int(i64::from_be_bytes(self.input.array("int64")?)),
            0xd9 => self.length(1).and_then(|len| self.str(len))?,
            0xda => self.length(2).and_then(|len| self.str(len))?,
            0xdb => self.length(4).and_then(|len| self.str(len))?,
            0xdc => return Ok(Item::Array(self.count_arg(2)?)),
            0xdd => return Ok(Item::Array(self.count_arg(4)?)),
            0xde => return Ok(Item::Map(self.count_arg(2)?)),
            0xdf => return Ok(Item::Map(self.count_arg(4)?)),
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                let message = format!("msgpack ext type (0x{byte:02x}) is not supported");
                return Err(CodecError::new(message, at));
            }
            0xc1 => return Err(CodecError::new("invalid msgpack byte 0xc1", at)),
            0xe0..=0xff => Value::Int(i8::from_be_bytes([byte]).into()),
        };
        Ok(Item::Value(value))
    }

    /// A big-endian unsigned length of `width` bytes.
    fn length(&mut self, width: usize) -> Result<u64, CodecError> {
        let mut word = [0u8; 8];
        let bytes = self.input.take(width as u64, "length")?;
        for (slot, byte) in word[8 - width..].iter_mut().zip(bytes) {
            *slot = *byte;
        }
        Ok(u64::from_be_bytes(word))
    }

    fn count_arg(&mut self, width: usize) -> Result<usize, CodecError> {
        let len = self.length(width)?;
        usize::try_from(len).map_err(|_| CodecError::new("container too large", self.input.pos()))
    }

    fn str(&mut self, len: u64) -> Result<Value, CodecError> {
        let at = self.input.pos();
        let bytes = self.input.take(len, "str")?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Value::Str(text.to_owned())),
            Err(_) => Err(CodecError::new("msgpack str is not UTF-8", at)),
        }
    }

    fn bin(&mut self, width: usize) -> Result<Value, CodecError> {
        let len = self.length(width)?;
        Ok(Value::Bytes(self.input.take(len, "bin")?.to_vec()))
    }
}

/// A uint64: `Int` when it fits, else the `BigInt` pickle would give.
fn uint64(value: u64) -> Value {
    match i64::try_from(value) {
        Ok(small) => Value::Int(small),
        Err(_) => {
            let mut bytes = value.to_le_bytes().to_vec();
            bytes.push(0);
            Value::BigInt(bytes)
        }
    }
}
