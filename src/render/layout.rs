//! Fitting human output to the terminal: its width (terminal_size, never a hand-written
//! ioctl), prose wrapped at word boundaries (textwrap), and tables laid out so that no line is
//! wider than the terminal, a value too long for its column going on a line of its own.
//!
//! Widths are display widths (unicode-width: a CJK letter or an emoji takes two columns). When
//! standard output is not a terminal, `COLUMNS` gives the width if set (so tests and `less`
//! users can ask for one), otherwise nothing is wrapped: a pipe gets every line whole.

use unicode_width::UnicodeWidthStr;

/// The narrowest width trustpub lays out for; a narrower terminal gets this.
const NARROWEST: usize = 40;

/// The width output must fit, if any: the terminal's when standard output is one, else
/// `COLUMNS`.
pub fn output_width() -> Option<usize> {
    use std::io::IsTerminal;
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    let terminal = std::io::stdout()
        .is_terminal()
        .then(|| terminal_size::terminal_size_of(std::io::stdout()))
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    terminal.or(columns).map(|w| w.max(NARROWEST))
}

/// The display width of `s`.
pub fn width(s: &str) -> usize {
    s.width()
}

/// `text` wrapped at word boundaries to `width` (none: one line), the first line starting with
/// `first` and the others with `rest`. A word longer than a line (a URL) is kept whole, and
/// a hyphenated word (a rule id, a URL) is never split at its hyphens.
pub fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> String {
    // Measured as it will be shown: a character the sanitiser shows as `<U+202E>` takes eight
    // columns.
    let text = crate::sanitize::visible(text);
    let text = text.as_ref();
    match width {
        None => format!("{first}{text}"),
        Some(w) => {
            let options = textwrap::Options::new(w)
                .initial_indent(first)
                .subsequent_indent(rest)
                .break_words(false)
                .word_splitter(textwrap::WordSplitter::NoHyphenation);
            textwrap::fill(text, options)
        }
    }
}

/// One row of a laid-out table: the cells padded to their columns on the first line, then a
/// line for each value that did not fit its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's line (without the table's indent).
    pub line: String,
    /// Values too long for their column, each a whole line (without the table's indent).
    pub overflow: Vec<String>,
}

/// Lays out `rows` (each as many cells as `header`) in columns two spaces apart, after an
/// indent of `indent` columns, to fit `width`: natural column widths when they fit; otherwise
/// the widest column gives way to its next shorter value until the table fits, and each value
/// longer than its column is shown as `↓` there and on a line of its own below the row
/// (`header: value`, or the value alone on a further line, cut at the width if even that is too
/// long). Returns the header's row, then one per row.
pub fn table(
    header: &[String],
    rows: &[Vec<String>],
    indent: usize,
    width: Option<usize>,
) -> Vec<Row> {
    let n = header.len();
    // Each cell measured as it will be shown (the sanitiser's `<U+XXXX>` forms included).
    let cell = |r: &Vec<String>, i: usize| {
        crate::sanitize::visible(r.get(i).map_or("", String::as_str)).into_owned()
    };
    let all: Vec<Vec<String>> = std::iter::once(header.to_vec())
        .chain(rows.iter().map(|r| (0..n).map(|i| cell(r, i)).collect()))
        .collect();
    let mut widths: Vec<usize> = (0..n)
        .map(|i| all.iter().map(|r| self::width(&r[i])).max().unwrap_or(0))
        .collect();
    let total = |ws: &[usize]| indent + ws.iter().sum::<usize>() + 2 * n.saturating_sub(1);
    if let Some(limit) = width {
        // The last column needs no padding: its width counts only through the others.
        while total(&widths) > limit {
            let Some((i, &current)) = widths
                .iter()
                .enumerate()
                .filter(|(_, w)| **w > 1)
                .max_by_key(|(_, w)| **w)
            else {
                break;
            };
            let next = all
                .iter()
                .map(|r| self::width(&r[i]))
                .filter(|w| *w < current)
                .max()
                .unwrap_or(1)
                .max(1);
            widths[i] = next;
        }
    }
    all.iter()
        .enumerate()
        .map(|(row, r)| {
            let mut line = String::new();
            let mut overflow = Vec::new();
            for (i, value) in r.iter().enumerate() {
                let shown = if self::width(value) <= widths[i] {
                    value.clone()
                } else if row == 0 {
                    // A heading too long for its column is cut, not moved.
                    cut(value, widths[i])
                } else {
                    overflow.extend(own_line(&header[i], value, indent, width));
                    "↓".to_owned()
                };
                let shown = shown.as_str();
                line.push_str(shown);
                if i + 1 < n {
                    let pad = widths[i].saturating_sub(self::width(shown)) + 2;
                    line.push_str(&" ".repeat(pad));
                }
            }
            Row {
                line: line.trim_end().to_owned(),
                overflow,
            }
        })
        .collect()
}

/// `s` cut to `columns`, ending in `…`.
fn cut(s: &str, columns: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if self::width(&out) + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) + 1 > columns
        {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A value that did not fit its column, on lines of its own: `label: value` two columns in,
/// or the label's line and the value four columns in, cut into pieces of the width.
fn own_line(label: &str, value: &str, indent: usize, width: Option<usize>) -> Vec<String> {
    let together = format!("  {label}: {value}");
    let Some(limit) = width else {
        return vec![together];
    };
    if indent + self::width(&together) <= limit {
        return vec![together];
    }
    let room = limit.saturating_sub(indent + 4).max(1);
    let mut lines = vec![format!("  {label}:")];
    let mut piece = String::new();
    for c in value.chars() {
        if self::width(&piece) + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > room {
            lines.push(format!("    {piece}"));
            piece.clear();
        }
        piece.push(c);
    }
    if !piece.is_empty() {
        lines.push(format!("    {piece}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn widest(rows: &[Row], indent: usize) -> usize {
        rows.iter()
            .flat_map(|r| std::iter::once(&r.line).chain(&r.overflow))
            .map(|l| indent + width(l))
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_table_that_fits_keeps_its_columns() {
        let header = strings(&["field", "declared", "observed"]);
        let rows = vec![strings(&["owner", "acme", "(same)"])];
        let out = table(&header, &rows, 4, Some(80));
        assert_eq!(out[0].line, "field  declared  observed");
        assert_eq!(out[1].line, "owner  acme      (same)");
        assert!(out.iter().all(|r| r.overflow.is_empty()));
    }

    #[test]
    fn no_line_is_wider_than_the_terminal() {
        let long = "yeemio/owlclaw/.github/workflows/release.yml@refs/heads/codex-gpt-work";
        let header = strings(&["field", "declared", "observed", "TestPyPI compares"]);
        let rows = vec![
            strings(&[
                "owner",
                "yeemio",
                "(same)",
                "GitHub's login (owner in `repository`)",
            ]),
            strings(&[
                "job_workflow_ref",
                long,
                "(same)",
                "exact, then `@ref` or `@sha`",
            ]),
            strings(&["environment", "pypi-release", "(same)", "case-insensitive"]),
        ];
        for limit in [40, 60, 80, 100, 130, 200] {
            let out = table(&header, &rows, 6, Some(limit));
            assert!(widest(&out, 6) <= limit, "{limit}: {out:#?}");
            // Every value is shown, whole or in pieces.
            let text: String = out
                .iter()
                .flat_map(|r| std::iter::once(&r.line).chain(&r.overflow))
                .map(|l| l.replace(' ', ""))
                .collect();
            assert!(text.contains("pypi-release"), "{limit}");
            assert!(text.contains("refs/heads"), "{limit}: {out:#?}");
        }
        // At 200 columns nothing moves.
        assert!(
            table(&header, &rows, 6, Some(200))
                .iter()
                .all(|r| r.overflow.is_empty())
        );
        // In a pipe (no width), nothing moves either.
        assert!(
            table(&header, &rows, 6, None)
                .iter()
                .all(|r| r.overflow.is_empty())
        );
    }

    #[test]
    fn wide_characters_count_twice() {
        let header = strings(&["a", "b"]);
        let rows = vec![strings(&["🚀🚀", "x"])];
        let out = table(&header, &rows, 0, None);
        assert_eq!(out[1].line, "🚀🚀  x");
        assert_eq!(out[0].line, "a     b");
    }

    #[test]
    fn prose_wraps_at_words_and_keeps_long_words() {
        let text = "Register the publisher on TestPyPI exactly as declared, https://test.pypi.org/manage/project/owlclaw/settings/publishing/";
        let out = wrap(text, Some(50), "    1. ", "       ");
        assert!(
            out.lines()
                .all(|l| width(l) <= 50 || !l.trim().contains(' ')),
            "{out}"
        );
        assert!(out.contains("https://test.pypi.org/manage/project/owlclaw/settings/publishing/"));
        assert_eq!(wrap(text, None, "> ", ""), format!("> {text}"));
    }
}
