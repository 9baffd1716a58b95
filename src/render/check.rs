//! The outputs of `trustpub check`: rustc-style snippets, JSON, SARIF 2.1.0 and GitHub
//! workflow-command annotations. Every format gets the same findings in the same order.

use std::io::{self, Write};

use annotate_snippets::{Group, Level, Renderer};
use serde_json::{Value, json};

use crate::check::Report;
use crate::check::rules;
use crate::diag::{Diagnostic, Label, Severity};
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

/// Human output: one rustc-style diagnostic per finding, then a summary line.
pub fn human(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let renderer = Renderer::styled();
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn severity_id(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn end_position(report: &Report, label: &Label) -> (usize, usize) {
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

/// SARIF 2.1.0, as GitHub code scanning takes it: stable rule ids with help text,
/// repository-relative paths, regions, and `partialFingerprints`.
pub fn sarif(report: &Report) -> Value {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.explanation},
                "help": {"text": r.explanation, "markdown": r.explanation},
                "defaultConfiguration": {"level": sarif_level(r.severity)},
                "properties": {"tags": ["security", "supply-chain", "trusted-publishing"]},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|d| {
            let (end_line, end_column) = end_position(report, &d.primary);
            let rule_index = rules::ALL.iter().position(|r| r.id == d.rule).unwrap_or(0);
            // Shown by code scanning as text: control and invisible characters made visible.
            let mut text = visible_line(&redact(&d.message)).into_owned();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(&visible(&redact(h)));
            }
            json!({
                "ruleId": d.rule,
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.primary.path, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": d.primary.position.line.max(1),
                            "startColumn": d.primary.position.column.max(1),
                            "endLine": end_line.max(1),
                            "endColumn": end_column.max(1),
                        }
                    }
                }],
                "relatedLocations": d.related.iter().enumerate().map(|(i, r)| json!({
                    "id": i,
                    "message": {"text": visible_line(&r.text)},
                    "physicalLocation": {
                        "artifactLocation": {"uri": r.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": r.position.line.max(1), "startColumn": r.position.column.max(1)}
                    }
                })).collect::<Vec<_>>(),
                "partialFingerprints": {"trustpubFinding/v1": fingerprint(d)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trustpub",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///"}},
            "results": results,
        }]
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A fingerprint that survives unrelated edits: rule, file and message, not the line.
fn fingerprint(d: &Diagnostic) -> String {
    // FNV-1a, 64 bits: stable across platforms and releases.
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in d
        .rule
        .bytes()
        .chain([0])
        .chain(d.primary.path.bytes())
        .chain([0])
        .chain(d.message.bytes())
    {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("{hash:016x}")
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
