//! The rustc-style snippets of one finding: each place it points at (its primary label, every
//! "declared here"), quoted from its file.
//!
//! The places of one file share snippets: nearby labels are drawn in one snippet, the lines
//! between them folded. Each snippet is given only the lines it shows, never the whole file, and
//! a label far into a very long line is named by its position rather than quoted: so drawing a
//! finding costs in proportion to what it shows, however large the file and however many
//! findings point into it (2,000 "declared here" in one desired state, 10,000 findings on the
//! one line of a minified file).

use std::borrow::Cow;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Element, Level, Origin, Snippet};

use crate::diag::Label;
use crate::sanitize::visible_line;
use crate::source::SourceFile;

/// One place to show.
pub struct Place<'a> {
    /// The file, when its text is at hand (an unreadable file has none).
    pub source: Option<&'a SourceFile>,
    /// The label.
    pub label: &'a Label,
    /// Whether it is the finding's primary place (drawn `^^^`, and first).
    pub primary: bool,
}

/// The most labels one snippet carries.
const MAX_LABELS: usize = 8;
/// The most bytes of text one snippet is given.
const MAX_QUOTE: usize = 16 * 1024;
/// How far into its line a label may start and still be quoted (the text before it is quoted
/// too, so that its column is right).
const MAX_PREFIX: usize = 4 * 1024;
/// How much of a long line is quoted after the label.
const AFTER_LABEL: usize = 512;
/// A label over more lines than this is drawn on its first line only.
const MAX_LABEL_LINES: usize = 8;

/// A label placed in its file: the bytes to quote and the label's bytes.
struct Quoted<'a> {
    place: &'a Place<'a>,
    /// 1-based line of the label's start.
    line: usize,
    /// The bytes to quote: whole lines from the label's first line, cut after the label on a
    /// long line.
    quote: Range<usize>,
    /// The label's bytes, within `quote`.
    span: Range<usize>,
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where a label is quoted from, or `None` when it starts too far into its line to quote.
fn quote<'a>(source: &SourceFile, place: &'a Place<'a>) -> Option<Quoted<'a>> {
    let text = source.text.as_str();
    let label = place.label;
    let start = floor_boundary(text, label.span.start);
    let end = floor_boundary(text, label.span.end.max(start));
    let line = source.position(start).line;
    let first = source.line_range(line)?;
    if start - first.start > MAX_PREFIX {
        return None;
    }
    let end_line = source.position(end).line;
    let (end, last) = if end_line > line + MAX_LABEL_LINES || end - start > MAX_QUOTE / 2 {
        (end.min(first.end).max(start), first.clone())
    } else {
        (end, source.line_range(end_line).unwrap_or(first.clone()))
    };
    let stop = floor_boundary(text, last.end.min(end + AFTER_LABEL)).max(end);
    Some(Quoted {
        place,
        line,
        quote: first.start..stop,
        span: start..end,
    })
}

/// The elements that show `places`: per file (the primary's first), snippets of nearby labels
/// in file order, the primary's snippet first; a place without text, or too far into a long
/// line, as its position.
pub fn elements<'a>(places: &'a [Place<'a>]) -> Vec<Element<'a>> {
    let mut files: Vec<&str> = Vec::new();
    for p in places.iter().filter(|p| p.primary).chain(places) {
        if !files.contains(&p.label.path.as_str()) {
            files.push(&p.label.path);
        }
    }
    let mut out = Vec::new();
    for file in files {
        let here: Vec<&Place<'a>> = places.iter().filter(|p| p.label.path == file).collect();
        let source = here
            .iter()
            .find_map(|p| p.source)
            .filter(|s| !s.text.is_empty());
        let Some(source) = source else {
            // No text to quote (an unreadable file): the primary place by its position.
            for p in here.iter().filter(|p| p.primary) {
                out.push(origin(p).into());
            }
            continue;
        };
        let mut quoted = Vec::new();
        let mut far = Vec::new();
        for p in here {
            match quote(source, p) {
                Some(q) => quoted.push(q),
                None => far.push(p),
            }
        }
        quoted.sort_by_key(|q| (q.span.start, !q.place.primary));
        let mut runs: Vec<Vec<Quoted<'a>>> = Vec::new();
        for q in quoted {
            let fits = runs.last().is_some_and(|run| {
                let end = run.iter().map(|r| r.quote.end).max().unwrap_or(0);
                run.len() < MAX_LABELS && q.quote.end.max(end) - run[0].quote.start <= MAX_QUOTE
            });
            match runs.last_mut() {
                Some(run) if fits => run.push(q),
                _ => runs.push(vec![q]),
            }
        }
        // The run with the primary label first: its header is the finding's `-->`.
        if let Some(i) = runs.iter().position(|r| r.iter().any(|q| q.place.primary)) {
            let run = runs.remove(i);
            runs.insert(0, run);
        }
        for p in far.iter().filter(|p| p.primary) {
            out.push(origin(p).into());
            out.push(note(p).into());
        }
        for run in runs {
            out.push(snippet(source, run).into());
        }
        for p in far.iter().filter(|p| !p.primary) {
            out.push(origin(p).into());
            out.push(note(p).into());
        }
    }
    out
}

fn snippet<'a>(
    source: &'a SourceFile,
    run: Vec<Quoted<'a>>,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let from = run.iter().map(|q| q.quote.start).min().unwrap_or(0);
    let to = run.iter().map(|q| q.quote.end).max().unwrap_or(from);
    let line = run
        .iter()
        .min_by_key(|q| q.quote.start)
        .map_or(1, |q| q.line);
    let path = run[0].place.label.path.as_str();
    let (text, at) = quoted_text(&source.text[from..to]);
    let mut snippet = Snippet::source(text)
        .path(visible_line(path))
        .line_start(line)
        .fold(true);
    for q in run {
        let kind = if q.place.primary {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        snippet = snippet.annotation(
            kind.span(at(q.span.start - from)..at(q.span.end - from))
                .label(visible_line(&q.place.label.text)),
        );
    }
    snippet
}

/// The quoted lines as shown, and where each byte offset of them went. annotate-snippets shows
/// control characters as pictures (`␛`) and bidirectional controls as `�`; every other
/// invisible character (zero-width, tags, fillers) becomes `�` here, one character for one, so
/// that the columns it counts stay those of the file. Line breaks and tabs stay.
fn quoted_text(text: &str) -> (Cow<'_, str>, impl Fn(usize) -> usize) {
    let hidden = |c: char| {
        crate::sanitize::is_suspicious(c) && !matches!(c, '\r' | '\u{0}'..='\u{1f}' | '\u{7f}')
    };
    if !text.chars().any(hidden) {
        return (
            Cow::Borrowed(text),
            Box::new(|i| i) as Box<dyn Fn(usize) -> usize>,
        );
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    for c in text.chars() {
        let shown = if hidden(c) { '\u{fffd}' } else { c };
        for _ in 0..c.len_utf8() {
            map.push(out.len());
        }
        out.push(shown);
    }
    map.push(out.len());
    (
        Cow::Owned(out),
        Box::new(move |i: usize| map.get(i).copied().unwrap_or(i)) as Box<dyn Fn(usize) -> usize>,
    )
}

fn origin<'a>(p: &'a Place<'a>) -> Origin<'a> {
    Origin::path(visible_line(&p.label.path))
        .line(p.label.position.line)
        .char_column(p.label.position.column)
}

fn note<'a>(p: &'a Place<'a>) -> annotate_snippets::Message<'a> {
    Level::NOTE
        .no_name()
        .message(Cow::Owned(visible_line(&p.label.text).into_owned()))
}
