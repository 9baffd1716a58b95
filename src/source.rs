//! Source text and positions: byte offsets become 1-based `line:column`, columns counted in
//! characters as editors count them. A line ends at LF, CRLF or a lone CR, as YAML and editors
//! count them.
//!
//! Each file builds one line index, once, the first time a position is asked for: a position
//! is then a binary search and a count within at most one block of the line, so thousands of
//! findings in one file (or one 1 MiB line) cost no more than one pass over the text.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A file the user gave us, kept whole so diagnostics can quote it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user named it (shown in diagnostics).
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// Line starts and character counts, built on first use (boxed: a file that never needs
    /// a position pays one word for it).
    index: OnceLock<Box<LineIndex>>,
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.text == other.text
    }
}

impl Eq for SourceFile {}

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
            index: OnceLock::new(),
        }
    }

    /// The path for display.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }

    fn index(&self) -> &LineIndex {
        self.index
            .get_or_init(|| Box::new(LineIndex::new(&self.text)))
    }

    /// The position of byte `offset` (clamped to the text, and moved back to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        self.index().position(&self.text, offset)
    }

    /// The byte offset of a 1-based line and character column (clamped to the line and the
    /// text): the inverse of [`SourceFile::position`].
    pub fn offset(&self, line: usize, column: usize) -> usize {
        self.index().offset(&self.text, line, column)
    }

    /// The byte range of the 1-based line `line`, without its line break; `None` past the end.
    pub fn line_range(&self, line: usize) -> Option<Range<usize>> {
        self.index().line_range(&self.text, line)
    }

    /// The text a span covers, or "" when the span does not fit the text.
    pub fn slice(&self, span: &Range<usize>) -> &str {
        self.text.get(span.clone()).unwrap_or("")
    }
}

/// Where each line starts, and how many characters precede each block of the text.
#[derive(Debug, Clone)]
struct LineIndex {
    /// Byte offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Characters before byte `i * BLOCK`, for each block.
    chars_before_block: Vec<usize>,
}

/// The bytes between two character-count checkpoints.
const BLOCK: usize = 4096;

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let mut chars_before_block = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut chars = 0;
        for block in bytes.chunks(BLOCK) {
            chars_before_block.push(chars);
            chars += block.iter().filter(|&&b| starts_char(b)).count();
        }
        chars_before_block.push(chars);
        Self {
            starts,
            chars_before_block,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / BLOCK;
        let from = block * BLOCK;
        self.chars_before_block[block]
            + text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }

    fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        Position {
            line,
            column: self.chars_before(text, offset) - self.chars_before(text, start) + 1,
        }
    }

    fn line_range(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let mut end = self.starts.get(line).map_or(text.len(), |&next| next);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }

    fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(range) = self.line_range(text, line.max(1)) else {
            return text.len();
        };
        let rest = &text[range.clone()];
        range.start
            + rest
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(rest.len(), |(i, _)| i)
    }
}

/// A path as shown to users: forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// The 1-based position of byte `offset` in `text`, for a text asked once (a file's index
/// answers many positions: [`SourceFile::position`]).
pub fn position_in(text: &str, offset: usize) -> Position {
    LineIndex::new(text).position(text, offset)
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

    #[test]
    fn lf_crlf_and_lone_cr_each_end_a_line() {
        for text in ["a\nbc\nd", "a\r\nbc\r\nd", "a\rbc\rd"] {
            let source = SourceFile::new("x", text);
            let d = text.find('d').unwrap();
            assert_eq!(
                source.position(d),
                Position { line: 3, column: 1 },
                "{text:?}"
            );
            let c = text.find('c').unwrap();
            assert_eq!(
                source.position(c),
                Position { line: 2, column: 2 },
                "{text:?}"
            );
            assert_eq!(source.offset(2, 2), c, "{text:?}");
            assert_eq!(source.slice(&source.line_range(2).unwrap()), "bc");
        }
    }

    #[test]
    fn a_long_line_counts_characters_across_blocks() {
        let text = format!("{}\n{}x", "é".repeat(5000), "🐍".repeat(3000));
        let source = SourceFile::new("x", text.as_str());
        let x = text.find('x').unwrap();
        assert_eq!(source.position(x), position_in(&text, x));
        assert_eq!(
            source.position(x),
            Position {
                line: 2,
                column: 3001
            }
        );
        assert_eq!(source.offset(2, 3001), x);
        assert_eq!(source.position(text.len()).column, 3002);
    }
}
