//! Pickle subset codec (protocols 0-3 decoding, 1 and 3 encoding).

use super::error::{CodecError, Limits};
use super::value::Value;

/// Encodes `value` as a pickle of `protocol` (1 or 3), ending in `STOP`.
pub fn encode(value: &Value, protocol: u8) -> Result<Vec<u8>, CodecError> {
    let _ = (value, protocol);
    Err(CodecError::new("pickle encoding is not implemented yet", 0))
}

/// Decodes one pickle (protocols 0-3) without executing anything.
pub fn decode(data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
    let _ = (data, limits);
    Err(CodecError::new("pickle decoding is not implemented yet", 0))
}
