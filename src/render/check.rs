//! The outputs of `trustpub check`: rustc-style snippets, JSON and GitHub
//! workflow-command annotations. Every format gets the same findings in the same order.

use std::io::{self, Write};

use annotate_snippets::{Group, Level, Renderer};
use serde_json::{Value, json};

use crate::check::Report;
use crate::diag::{Label, Severity};
use crate::redact::redact;
use crate::render::snippet::{self, Place};
use crate::sanitize::{visible, visible_line};
use crate::source::SourceFile;

fn source_of<'a>(report: &'a Report, path: &str) -> Option<&'a SourceFile> {
    report.source(path)
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// Human output: one rustc-style diagnostic per finding (source lines cut to the terminal's
/// width), with `-v` every publishing site recognised, then a summary line (not with `-q`).
pub fn human(w: &mut dyn Write, report: &Report, opts: crate::render::Human) -> io::Result<()> {
    let renderer = match opts.width {
        Some(width) => Renderer::styled().term_width(width),
        None => Renderer::styled(),
    };
    for d in &report.findings {
        let message = visible_line(&d.message);
        let title = level(d.severity).primary_title(message.as_ref()).id(d.rule);
        let places: Vec<Place<'_>> = std::iter::once((&d.primary, true))
            .chain(d.related.iter().map(|r| (r, false)))
            .map(|(label, primary)| Place {
                source: source_of(report, &label.path),
                label,
                primary,
            })
            .collect();
        let group = title.elements(snippet::elements(&places));
        let help = d.help.as_deref().map(visible);
        let mut groups = vec![group];
        if let Some(help) = &help {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(help.as_ref()),
            ));
        }
        writeln!(w, "{}\n", renderer.render(&groups))?;
    }
    if opts.verbose {
        crate::render::sites::human(w, &report.sites, opts.width)?;
    }
    if opts.quiet {
        return Ok(());
    }
    let count = |s| report.findings.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if report.findings.is_empty() {
        write!(w, "no findings")?;
    } else {
        write!(
            w,
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        )?;
    }
    if report.ignored > 0 {
        write!(
            w,
            " ({} ignored by `# trustpub: ignore[...]`)",
            report.ignored
        )?;
    }
    writeln!(w)
}

/// `check --explain RULE`: the rule's id, severity and summary, then its explanation, wrapped
/// to `width`.
pub fn rule(
    w: &mut dyn Write,
    rule: &crate::check::rules::Rule,
    width: Option<usize>,
) -> io::Result<()> {
    use crate::render::layout::wrap;
    let head = format!(
        "{} ({}): {}",
        rule.id,
        severity_id(rule.severity),
        rule.summary
    );
    writeln!(w, "{}\n", wrap(&head, width, "", "  "))?;
    writeln!(w, "{}", wrap(rule.explanation, width, "", ""))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(crate) fn severity_id(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Where a label ends (line, column of the character after it); its start when empty.
pub(crate) fn end_position(report: &Report, label: &Label) -> (usize, usize) {
    match source_of(report, &label.path) {
        Some(src) if label.span.end > label.span.start => {
            let p = src.position(label.span.end);
            (p.line, p.column)
        }
        _ => (label.position.line, label.position.column),
    }
}

/// `{"findings": [...], "sites": [...]}`: the findings, then every publishing site with the
/// tokens it would get (`predicted`: one `{"via", "claims"}` per way its job can run).
pub fn json(report: &Report) -> CheckJson<'_> {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|d| {
            let (end_line, end_column) = end_position(report, &d.primary);
            json!({
                "rule": d.rule,
                "severity": severity_id(d.severity),
                "file": d.primary.path,
                "line": d.primary.position.line,
                "column": d.primary.position.column,
                "end_line": end_line,
                "end_column": end_column,
                "message": redact(&d.message),
                "help": d.help.as_deref().map(|h| redact(h).into_owned()),
                "registry": d.publisher.as_ref().map(|(r, _)| r.id()),
                "project": d.publisher.as_ref().map(|(_, p)| p.clone()),
                "related": d.related.iter().map(|r| json!({
                    "file": r.path, "line": r.position.line, "column": r.position.column, "message": r.text,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    CheckJson {
        findings,
        sites: &report.sites,
    }
}

/// `check --format json`'s object: the findings, then every publishing site.
#[derive(Debug, serde::Serialize)]
pub struct CheckJson<'r> {
    /// The findings, each an object.
    pub findings: Vec<Value>,
    /// Every publishing site with its predicted tokens.
    pub sites: &'r [crate::check::SiteSummary],
}

/// Escapes workflow-command data: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::message`.
pub fn github(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    for d in &report.findings {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let (end_line, end_column) = end_position(report, &d.primary);
        // The Actions log reads these lines: nothing from input may carry a control character
        // (an escape sequence, a bell) or an invisible one into it.
        let mut message = visible_line(&redact(&d.message)).into_owned();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&visible(&redact(h)));
        }
        writeln!(
            w,
            "::{command} file={},line={},col={},endLine={end_line},endColumn={end_column},title={}::{}",
            escape_property(&visible_line(&d.primary.path)),
            d.primary.position.line,
            d.primary.position.column,
            escape_property(&format!("trustpub {}", d.rule)),
            escape_data(&message)
        )?;
    }
    Ok(())
}
