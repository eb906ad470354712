//! The ZConfig syntax error.

use std::fmt;

/// A syntax error: ZConfig's message and the 1-based line it was found on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// ZConfig's wording, e.g. `malformed section start`.
    pub message: String,
    /// The line number (1-based).
    pub line: usize,
}

impl fmt::Display for ParseError {
    /// `message (line N)`, as ZConfig prints it for text without a URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{} (line {})", self.message, self.line)
        }
    }
}

impl std::error::Error for ParseError {}
