//! A cursor over a codec's input (pickle or msgpack) that checks every
//! length against what is left.

use crate::zeo::error::CodecError;

/// Reads a payload front to back; never reads (or allocates) past the end.
pub(super) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// The offset of the next unread byte.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// How many bytes are left.
    pub(super) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The next byte (for pickle an opcode), or `None` at the end of the input.
    pub(super) fn opcode(&mut self) -> Option<u8> {
        let byte = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    /// The next `len` bytes; an error (before anything is allocated) if the
    /// input is shorter than `len` claims.
    pub(super) fn take(&mut self, len: u64, what: &str) -> Result<&'a [u8], CodecError> {
        let remaining = self.remaining();
        match usize::try_from(len) {
            Ok(len) if len <= remaining => {
                let bytes = &self.data[self.pos..self.pos + len];
                self.pos += len;
                Ok(bytes)
            }
            _ => Err(CodecError::new(
                format!("{what} claims {len} bytes but only {remaining} remain"),
                self.pos,
            )),
        }
    }

    /// A fixed-size argument.
    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CodecError> {
        let bytes = self.take(N as u64, what)?;
        let mut array = [0; N];
        array.copy_from_slice(bytes);
        Ok(array)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8, CodecError> {
        let [byte] = self.array(what)?;
        Ok(byte)
    }

    pub(super) fn u16_le(&mut self, what: &str) -> Result<u16, CodecError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u32_le(&mut self, what: &str) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn i32_le(&mut self, what: &str) -> Result<i32, CodecError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u64_le(&mut self, what: &str) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A text argument up to (not including) the next newline.
    pub(super) fn line(&mut self, what: &str) -> Result<&'a [u8], CodecError> {
        let rest = &self.data[self.pos..];
        let Some(len) = rest.iter().position(|b| *b == b'\n') else {
            return Err(CodecError::new(
                format!("{what} argument is not ended by a newline"),
                self.pos,
            ));
        };
        self.pos += len + 1;
        Ok(&rest[..len])
    }
}
