//! Source text and positions: byte offsets become 1-based `line:column`, columns counted in
//! characters as editors count them.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// A file the user gave us, kept whole so diagnostics can quote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user named it (shown in diagnostics).
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// A source with a display path and text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The path for display.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }

    /// The position of byte `offset` (clamped to the text, and moved back to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        position_in(&self.text, offset)
    }

    /// The text a span covers, or "" when the span does not fit the text.
    pub fn slice(&self, span: &Range<usize>) -> &str {
        self.text.get(span.clone()).unwrap_or("")
    }
}

/// A path as shown to users: forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// The 1-based position of byte `offset` in `text`.
pub fn position_in(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a = 1\nnom = \"é🐍x\"\n";
        let x = text.find('x').unwrap();
        assert_eq!(
            position_in(text, x),
            Position {
                line: 2,
                column: 10
            }
        );
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_char_are_clamped() {
        let text = "é";
        assert_eq!(position_in(text, 1), Position { line: 1, column: 1 });
        assert_eq!(position_in(text, 99), Position { line: 1, column: 2 });
    }
}
