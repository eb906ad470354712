//! The pickler: protocol 3 for ZEO 5/6, protocol 1 for Python 2 servers.
//!
//! Output is what Python's pickler writes in `fast` mode (no memo), as ZEO
//! pickles its messages.

use super::long;
use super::op::*;
use crate::zeo::error::{CodecError, Limits};
use crate::zeo::value::Value;

/// Items per `APPENDS`/`SETITEMS` batch, as Python writes them.
const BATCH: usize = 1000;

/// Encodes one value; see [`super::encode()`].
pub(super) fn encode(value: &Value, protocol: u8) -> Result<Vec<u8>, CodecError> {
    if !matches!(protocol, 1 | 3) {
        let message = format!("cannot write pickle protocol {protocol}, only 1 or 3");
        return Err(CodecError::new(message, 0));
    }
    let mut pickler = Pickler {
        out: Vec::new(),
        protocol,
        limits: Limits::default(),
    };
    if protocol >= 2 {
        pickler.out.extend([PROTO, protocol]);
    }
    pickler.value(value, 0)?;
    pickler.out.push(STOP);
    Ok(pickler.out)
}

struct Pickler {
    out: Vec<u8>,
    protocol: u8,
    limits: Limits,
}

impl Pickler {
    /// Writes `value`, which sits inside `depth` containers.
    fn value(&mut self, value: &Value, depth: usize) -> Result<(), CodecError> {
        match value {
            Value::None => self.out.push(NONE),
            Value::Bool(b) => self.bool(*b),
            Value::Int(i) => self.int(*i)?,
            Value::BigInt(bytes) => self.long(bytes)?,
            Value::Float(f) => {
                self.out.push(BINFLOAT);
                self.out.extend(f.to_be_bytes());
            }
            Value::Str(s) => self.counted(BINUNICODE, s.as_bytes())?,
            Value::Bytes(b) => self.bytes(b)?,
            Value::Global { module, name } => self.global(module, name)?,
            Value::Tuple(items) => self.tuple(items, self.limits.level(depth)?)?,
            Value::List(items) => self.list(items, self.limits.level(depth)?)?,
            Value::Dict(pairs) => self.dict(pairs, self.limits.level(depth)?)?,
            Value::Object { class, args, state } => {
                let level = self.limits.level(depth)?;
                self.value(class, level)?;
                self.tuple(args, level)?;
                self.out.push(REDUCE);
                if let Some(state) = state {
                    self.value(state, level)?;
                    self.out.push(BUILD);
                }
            }
        }
        Ok(())
    }

    fn bool(&mut self, b: bool) {
        match (self.protocol >= 2, b) {
            (true, true) => self.out.push(NEWTRUE),
            (true, false) => self.out.push(NEWFALSE),
            (false, true) => self.out.extend(b"I01\n"),
            (false, false) => self.out.extend(b"I00\n"),
        }
    }

    fn int(&mut self, i: i64) -> Result<(), CodecError> {
        if let Ok(small) = u8::try_from(i) {
            self.out.extend([BININT1, small]);
        } else if let Ok(medium) = u16::try_from(i) {
            self.out.push(BININT2);
            self.out.extend(medium.to_le_bytes());
        } else if let Ok(word) = i32::try_from(i) {
            self.out.push(BININT);
            self.out.extend(word.to_le_bytes());
        } else {
            self.long(&long::i64_to_le(i))?;
        }
        Ok(())
    }

    /// An integer given as little-endian two's complement bytes.
    fn long(&mut self, bytes: &[u8]) -> Result<(), CodecError> {
        if self.protocol < 2 {
            self.out.push(LONG);
            self.out.extend(long::le_to_decimal(bytes).as_bytes());
            self.out.extend(b"L\n");
            return Ok(());
        }
        match u8::try_from(bytes.len()) {
            Ok(len) => self.out.extend([LONG1, len]),
            Err(_) => {
                self.out.push(LONG4);
                self.out
                    .extend(signed_len(bytes.len(), "integer")?.to_le_bytes());
            }
        }
        self.out.extend(bytes);
        Ok(())
    }

    /// Byte strings: `bytes` at protocol 3, Python 2 `str` below.
    fn bytes(&mut self, bytes: &[u8]) -> Result<(), CodecError> {
        let (short, long) = if self.protocol >= 3 {
            (SHORT_BINBYTES, BINBYTES)
        } else {
            (SHORT_BINSTRING, BINSTRING)
        };
        match u8::try_from(bytes.len()) {
            Ok(len) => self.out.extend([short, len]),
            Err(_) if long == BINSTRING => {
                self.out.push(BINSTRING);
                self.out
                    .extend(signed_len(bytes.len(), "byte string")?.to_le_bytes());
            }
            Err(_) => return self.counted(long, bytes),
        }
        self.out.extend(bytes);
        Ok(())
    }

    /// `op`, a 4-byte unsigned length, then `bytes`.
    fn counted(&mut self, op: u8, bytes: &[u8]) -> Result<(), CodecError> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| CodecError::new("string too long for a pickle", 0))?;
        self.out.push(op);
        self.out.extend(len.to_le_bytes());
        self.out.extend(bytes);
        Ok(())
    }

    fn global(&mut self, module: &str, name: &str) -> Result<(), CodecError> {
        if module.contains('\n') || name.contains('\n') {
            let message = format!("global name {module:?}.{name:?} contains a newline");
            return Err(CodecError::new(message, 0));
        }
        self.out.push(GLOBAL);
        for part in [module, name] {
            self.out.extend(part.as_bytes());
            self.out.push(b'\n');
        }
        Ok(())
    }

    /// A tuple whose items sit at nesting `level`.
    fn tuple(&mut self, items: &[Value], level: usize) -> Result<(), CodecError> {
        let short = match items.len() {
            0 => {
                self.out.push(EMPTY_TUPLE);
                return Ok(());
            }
            1 => TUPLE1,
            2 => TUPLE2,
            3 => TUPLE3,
            _ => MARK,
        };
        if short == MARK || self.protocol < 2 {
            self.out.push(MARK);
            self.values(items, level)?;
            self.out.push(TUPLE);
        } else {
            self.values(items, level)?;
            self.out.push(short);
        }
        Ok(())
    }

    fn list(&mut self, items: &[Value], level: usize) -> Result<(), CodecError> {
        self.out.push(EMPTY_LIST);
        for batch in items.chunks(BATCH) {
            if let [item] = batch {
                self.value(item, level)?;
                self.out.push(APPEND);
            } else {
                self.out.push(MARK);
                self.values(batch, level)?;
                self.out.push(APPENDS);
            }
        }
        Ok(())
    }

    fn dict(&mut self, pairs: &[(Value, Value)], level: usize) -> Result<(), CodecError> {
        self.out.push(EMPTY_DICT);
        for batch in pairs.chunks(BATCH) {
            let single = batch.len() == 1;
            if !single {
                self.out.push(MARK);
            }
            for (key, value) in batch {
                self.value(key, level)?;
                self.value(value, level)?;
            }
            self.out.push(if single { SETITEM } else { SETITEMS });
        }
        Ok(())
    }

    fn values(&mut self, items: &[Value], level: usize) -> Result<(), CodecError> {
        items.iter().try_for_each(|item| self.value(item, level))
    }
}

/// A length for a signed 4-byte prefix.
fn signed_len(len: usize, what: &str) -> Result<i32, CodecError> {
    i32::try_from(len).map_err(|_| CodecError::new(format!("{what} too long for a pickle"), 0))
}
