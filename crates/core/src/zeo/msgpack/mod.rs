//! Msgpack subset codec for `M5` servers: what ZEO 5/6 write with
//! `packb(..., use_bin_type=True)` and read with `unpackb(raw=False,
//! use_list=False)`.
//!
//! Arrays decode to [`Value::Tuple`], maps to [`Value::Dict`], str to
//! [`Value::Str`] (it must be UTF-8), bin to [`Value::Bytes`], and a uint64
//! above `i64::MAX` to a [`Value::BigInt`]; ext types are refused. Every
//! length is checked against the input before anything is allocated, and
//! [`Limits`] bound nesting and the number of values.

mod decode;
mod encode;

use super::error::{CodecError, Limits};
use super::value::Value;

/// Encodes `value` as msgpack (texts as str, bytes as bin, tuples and lists
/// as arrays, dicts as maps, integers in their smallest form, floats as
/// float64).
///
/// Globals, objects and big integers outside the uint64 range have no
/// msgpack form and are an error.
pub fn encode(value: &Value) -> Result<Vec<u8>, CodecError> {
    encode::encode(value)
}

/// Decodes one msgpack value; arrays become tuples, maps dicts. The input
/// must end right after the value.
pub fn decode(data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
    decode::decode(data, limits)
}
