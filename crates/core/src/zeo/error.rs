//! Errors of the ZEO client layers, each a sentence a user can act on.

use std::fmt;
use std::io;

/// Bounds a decoder enforces, so hostile input cannot exhaust memory or stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest container nesting accepted.
    pub max_depth: usize,
    /// Most values (of any kind) one message may contain.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_values: 1_000_000,
        }
    }
}

impl Limits {
    /// For the encoders: the nesting level of a container that sits inside
    /// `depth` others, or an error when that is deeper than `max_depth`.
    pub(super) fn level(&self, depth: usize) -> Result<usize, CodecError> {
        if depth >= self.max_depth {
            let message = format!("value nested deeper than {} levels", self.max_depth);
            return Err(CodecError::new(message, 0));
        }
        Ok(depth + 1)
    }
}

/// A payload that could not be decoded (or a value that cannot be encoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    /// What went wrong, e.g. `unknown pickle opcode 0xff`.
    pub message: String,
    /// Byte offset in the payload where it went wrong (0 for encoding).
    pub offset: usize,
}

impl CodecError {
    /// A codec error at `offset`.
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        CodecError {
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for CodecError {}

/// Anything that can go wrong talking to a ZEO server.
#[derive(Debug)]
pub enum Error {
    /// The server could not be reached at all.
    Connect {
        /// The address as the user wrote it.
        addr: String,
        /// Why.
        source: io::Error,
    },
    /// The server did not answer within the timeout.
    Timeout {
        /// What we were waiting for, e.g. `the handshake`.
        waiting_for: String,
        /// The timeout in seconds.
        seconds: f64,
    },
    /// The connection failed or was closed mid-session.
    Io(io::Error),
    /// A frame announced more bytes than we accept.
    FrameTooLarge {
        /// The announced length.
        len: u64,
        /// The largest length accepted.
        max: usize,
    },
    /// The peer sent something that is not valid ZEO.
    Protocol(String),
    /// A payload could not be decoded or encoded.
    Codec(CodecError),
    /// The server raised an exception for our call.
    Server {
        /// The exception class, e.g. `ZODB.POSException.StorageError`.
        class: String,
        /// Its message (`str(exc)`).
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect { addr, source } => {
                write!(f, "Could not connect to ZEO server at {addr}")?;
                // Refused is the plain case the original controller reported
                // with exactly this sentence; anything else says why.
                if source.kind() != std::io::ErrorKind::ConnectionRefused {
                    write!(f, ": {source}")?;
                }
                Ok(())
            }
            Error::Timeout {
                waiting_for,
                seconds,
            } => write!(f, "Timed out after {seconds}s waiting for {waiting_for}"),
            Error::Io(e) => write!(f, "Connection to ZEO server failed: {e}"),
            Error::FrameTooLarge { len, max } => write!(
                f,
                "ZEO server sent a message of {len} bytes, more than the {max} accepted"
            ),
            Error::Protocol(msg) => write!(f, "ZEO protocol error: {msg}"),
            Error::Codec(e) => write!(f, "Could not decode ZEO message: {e}"),
            Error::Server { class, message } => {
                if message.is_empty() {
                    write!(f, "{class}")
                } else {
                    write!(f, "{message}")
                }
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<CodecError> for Error {
    fn from(e: CodecError) -> Self {
        Error::Codec(e)
    }
}
