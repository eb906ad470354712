//! The generator's error: one sentence naming the file, the place and the fix.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in `zeoraid.toml`, both 1-based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// Line number.
    pub line: usize,
    /// Column number, in characters.
    pub column: usize,
}

impl Pos {
    /// The position of byte `offset` in `text`.
    pub fn of(text: &str, offset: usize) -> Pos {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Something in a `zeoraid.toml` that the generator cannot accept.
///
/// Displays as `<file>: <message>`, where the message names the table, the
/// key and the line (`[server.zeoraid] zeo-conf (line 8): No zeo section was
/// defined.`) or, for unknown keys, suggests the nearest valid one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The configuration file, as it was named to the generator.
    pub file: PathBuf,
    /// The `[server.KEY]` key, when the problem is in one server part.
    pub part: Option<String>,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// The sentence after `<file>: `.
    pub message: String,
}

impl Error {
    pub(crate) fn new(file: &Path, message: impl Into<String>) -> Error {
        Error {
            file: file.to_owned(),
            part: None,
            pos: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, pos: Option<Pos>) -> Error {
        self.pos = pos;
        self
    }

    pub(crate) fn in_part(mut self, key: &str) -> Error {
        self.part = Some(key.to_owned());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for Error {}

/// `[table] key (line L)` or, with `column`, `(line L, column C)`: the place
/// an error message starts with.
pub(crate) fn place(table: &str, key: Option<&str>, pos: Option<Pos>, column: bool) -> String {
    let mut out = format!("[{table}]");
    if let Some(key) = key {
        out.push(' ');
        out.push_str(key);
    }
    out.push_str(&line_note(pos, column));
    out
}

/// ` (line L)` / ` (line L, column C)`, or nothing when unknown.
pub(crate) fn line_note(pos: Option<Pos>, column: bool) -> String {
    match pos {
        Some(p) if column => format!(" (line {}, column {})", p.line, p.column),
        Some(p) => format!(" (line {})", p.line),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "a\nbé c\n";
        assert_eq!(Pos::of(text, 0), Pos { line: 1, column: 1 });
        assert_eq!(Pos::of(text, 2), Pos { line: 2, column: 1 });
        assert_eq!(Pos::of(text, 5), Pos { line: 2, column: 3 });
        assert_eq!(Pos::of(text, 4), Pos { line: 2, column: 2 });
        assert_eq!(Pos::of(text, 99), Pos { line: 3, column: 1 });
    }

    #[test]
    fn places() {
        let pos = Some(Pos { line: 3, column: 7 });
        assert_eq!(
            place("server.a", Some("pack"), pos, true),
            "[server.a] pack (line 3, column 7)"
        );
        assert_eq!(place("server.a", None, pos, false), "[server.a] (line 3)");
        assert_eq!(place("layout", None, None, false), "[layout]");
    }
}
