//! Msgpack subset codec for `M5` servers.

use super::error::{CodecError, Limits};
use super::value::Value;

/// Encodes `value` as msgpack (texts as str, bytes as bin, tuples as arrays).
pub fn encode(value: &Value) -> Result<Vec<u8>, CodecError> {
    let _ = value;
    Err(CodecError::new(
        "msgpack encoding is not implemented yet",
        0,
    ))
}

/// Decodes one msgpack value; arrays become tuples, maps dicts.
pub fn decode(data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
    let _ = (data, limits);
    Err(CodecError::new(
        "msgpack decoding is not implemented yet",
        0,
    ))
}
