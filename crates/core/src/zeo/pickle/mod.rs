//! Pickle subset codec: decodes protocols 0-3 (and the harmless protocol-4
//! opcodes), encodes protocols 1 and 3.
//!
//! Decoding never executes or imports anything: `GLOBAL` yields a
//! [`Value::Global`] name, `REDUCE`/`NEWOBJ`/`INST`/`OBJ` an [`Value::Object`]
//! recording the call, and `BUILD` its state. The one shape interpreted is
//! how Python 3 pickles `bytes` below protocol 3 (`_codecs.encode(text,
//! 'latin1')`, or `bytes()` when empty), which decodes to [`Value::Bytes`].
//! Every length is checked against the input before anything is allocated,
//! and [`Limits`] bound nesting and the number of values, including the
//! copies that memo references (`GET`, `DUP`) make: the memo shares objects,
//! the decoded tree copies them, and every copy counts (a copied text or byte
//! string one value per 16 bytes), so memo "billion laughs" and reference
//! cycles end in an error, not in memory exhaustion or a hang.
//!
//! Python's `str` of protocol 0-2 pickles written by Python 2 (`STRING`,
//! `BINSTRING`, `SHORT_BINSTRING`) decode to [`Value::Bytes`]; sets and
//! frozensets decode to lists.

mod decode;
mod encode;
mod graph;
mod long;
mod op;
mod text;

use super::error::{CodecError, Limits};
use super::value::Value;

/// Encodes `value` as a pickle of `protocol` (1 or 3), ending in `STOP`.
///
/// Protocol 3 is what ZEO 5/6 read; protocol 1 is what a Python 2 ZEO
/// 3.x/4 server reads: no `PROTO` opcode, bools as `I01`/`I00`, big
/// integers as `LONG` text, [`Value::Bytes`] as Python 2 `str`.
pub fn encode(value: &Value, protocol: u8) -> Result<Vec<u8>, CodecError> {
    encode::encode(value, protocol)
}

/// Decodes one pickle (protocols 0-3) without executing anything; the input
/// must end right after its `STOP`.
pub fn decode(data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
    decode::decode(data, limits)
}
