//! Reading a log line by line, in bounded memory, and cleaning each line of what the runner,
//! `gh`, the web page and the tool's colours add around the message.
//!
//! How a tool's text becomes a log line (actions/runner @258d6c857db3, `Logging.cs`,
//! `ExecutionContext.AddIssue`): every physical line gets an ISO timestamp; `::error::msg`
//! becomes `##[error]msg` (the title and file properties are not written); `%0A` in a workflow
//! command's data is a line break, written in one piece so that only its first line has the
//! timestamp. `gh run view --log[-failed]` prefixes `job<TAB>step<TAB>`; the web page shows
//! `Error: ` for `##[error]`. ANSI colours written by the tool stay in the raw log.

use std::io::BufRead;

/// The longest line kept: 64 KiB. The rest of a longer line is skipped, so memory stays bounded
/// whatever the log (a 200 MB log without a newline included).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Reads one line into `buf` (emptied first), keeping at most `max` bytes of it and skipping
/// the rest up to and including the newline. Returns whether a line was read (false at the end).
/// Built on the standard library's `read_until` and `skip_until`, which search with `memchr`.
pub(super) fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<bool> {
    use std::io::Read;
    buf.clear();
    let n = reader.take(max as u64).read_until(b'\n', buf)?;
    if n == max && buf.last() != Some(&b'\n') {
        reader.skip_until(b'\n')?;
    }
    Ok(n > 0)
}

/// Joins the lines a tool wrapped: twine logs through rich (`RichHandler`, `force_terminal`),
/// which pads the level to 8 columns and indents every further line of a record by 9 spaces,
/// wrapping long reasons (pypa/twine @f536ac5d0c77 `twine/__main__.py`, `twine/cli.py`). A
/// 9-space line continues the line before it, unless it starts a new bullet.
#[derive(Default)]
pub(super) struct Joiner {
    pending: Option<(String, usize)>,
    in_record: bool,
}

/// rich's level column: the level name padded to 8, then a space.
const RICH_LEVELS: [&str; 5] = [
    "ERROR    ",
    "WARNING  ",
    "INFO     ",
    "DEBUG    ",
    "CRITICAL ",
];

impl Joiner {
    /// Takes the next cleaned line; returns the line before it when it is complete.
    pub(super) fn push(&mut self, line: &str, number: usize) -> Option<(String, usize)> {
        let continuation = self.in_record
            && line.len() > 9
            && line.as_bytes()[..9].iter().all(|&b| b == b' ')
            && line.as_bytes()[9] != b' ';
        if continuation {
            let rest = &line[9..];
            let bullet = rest.starts_with("* ") || rest.starts_with("- ");
            if !bullet
                && let Some((pending, _)) = &mut self.pending
                && pending.len() + rest.len() < MAX_LINE_BYTES
            {
                // Joined up to the length of one line: memory stays bounded.
                pending.push(' ');
                pending.push_str(rest);
                return None;
            }
        } else if !line.trim().is_empty() {
            // A blank line stays inside a record (rich writes the message's own blank lines).
            self.in_record = RICH_LEVELS.iter().any(|l| line.starts_with(l));
        }
        self.pending.replace((line.to_owned(), number))
    }

    /// The last line.
    pub(super) fn finish(&mut self) -> Option<(String, usize)> {
        self.pending.take()
    }
}

/// Strips what the runner, `gh`, the web page and the tool's colours add around a message.
pub(super) fn clean(raw: &str) -> String {
    let without_colour = strip_ansi(raw);
    let mut s: &str = &without_colour;
    // `gh run view --log`: job<TAB>step<TAB>line
    if let Some((_, rest)) = s.split_once('\t').and_then(|(_, r)| r.split_once('\t')) {
        s = rest;
    }
    s = strip_timestamp(s);
    loop {
        let before = s;
        for prefix in [
            "##[error]",
            "##[warning]",
            "##[debug]",
            "##[notice]",
            "##[group]",
            "##[endgroup]",
            "::error::",
            "::warning::",
            "::debug::",
            "::notice::",
            "Error: ",
            "Warning: ",
        ] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest;
            }
        }
        for prefix in ["::error ", "::warning ", "::notice "] {
            if let Some(rest) = s.strip_prefix(prefix).and_then(|r| r.split_once("::")) {
                s = rest.1;
            }
        }
        if s == before {
            break;
        }
    }
    strip_link_junk(s)
}

/// Removes ANSI escape sequences (CSI `ESC [ ... final`, and a lone `ESC x`).
pub(super) fn strip_ansi(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                // An OSC sequence ends with BEL or ESC \.
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `2025-03-05T13:30:32.6031507Z ` at the start of a line.
fn strip_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    let date = b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T';
    if !date {
        return s;
    }
    match s.find(' ') {
        Some(space) if s[..space].ends_with('Z') => &s[space + 1..],
        _ => s,
    }
}

/// Removes link text the web page injects into copied lines: `[12](https://github.com/...)176396`.
pub(super) fn strip_link_junk(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let link = digits > 0 && after[digits..].starts_with("](http");
        let close = link.then(|| after[digits..].find(')')).flatten();
        match close {
            Some(close) => {
                out.push_str(&rest[..open]);
                let tail = &after[digits + close + 1..];
                let trailing = tail.bytes().take_while(u8::is_ascii_digit).count();
                rest = &tail[trailing..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
