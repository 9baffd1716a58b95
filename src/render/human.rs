//! Human output: aligned tables, unified diffs and rustc-style snippets. Colour goes through
//! anstream, which strips it when the output is not a terminal or NO_COLOR is set.

use std::io::{self, Write};

use annotate_snippets::{Group, Level, Renderer};
use anstyle::{AnsiColor, Style};

use crate::diag::{Diagnostic, Severity};
use crate::evidence::jwt::Verification;
use crate::explain::{ExplainReport, PublisherResult};
use crate::identity::{Claim, Coverage};
use crate::redact::redact;
use crate::registry::{FieldCheck, Outcome};
use crate::render::snippet::{self, Place};
use crate::sanitize::{Visible, visible, visible_line};
use crate::source::SourceFile;

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const UNSURE: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const LINK: Style = AnsiColor::Cyan.on_default();

/// Writes `text` (from input, so shown through the sanitiser) in `style`.
fn styled(w: &mut Visible<'_>, style: Style, text: &str) -> io::Result<()> {
    w.styled(style, text)
}

/// Renders config diagnostics as rustc-style snippets (see [`crate::render::snippet`]: each
/// snippet quotes only the lines it shows, so ten thousand problems in one file stay linear).
pub fn diagnostics(w: &mut dyn Write, source: &SourceFile, diags: &[Diagnostic]) -> io::Result<()> {
    let renderer = Renderer::styled();
    for d in diags {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let places: Vec<Place<'_>> = std::iter::once((&d.primary, true))
            .chain(d.related.iter().map(|r| (r, false)))
            .map(|(label, primary)| Place {
                source: Some(source),
                label,
                primary,
            })
            .collect();
        let message = visible_line(&d.message);
        let mut report = vec![
            level
                .primary_title(message.as_ref())
                .id(d.rule)
                .elements(snippet::elements(&places)),
        ];
        let help = d.help.as_deref().map(visible);
        if let Some(help) = &help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_ref()),
            ));
        }
        writeln!(w, "{}\n", renderer.render(&report))?;
    }
    Ok(())
}

/// Renders the `explain` report. Everything it shows from the evidence goes through the
/// sanitiser ([`Visible`]): a claim or a log line cannot move the cursor or reorder the text.
pub fn explain(w: &mut dyn Write, report: &ExplainReport) -> io::Result<()> {
    let w = &mut Visible::new(w);
    evidence_header(w, report)?;
    for r in &report.results {
        writeln!(w)?;
        publisher_result(w, r)?;
    }
    for s in &report.skipped {
        writeln!(w)?;
        styled(
            w,
            DIM,
            &format!(
                "- {} · {}: not judged: {}",
                s.publisher.registry.id(),
                s.publisher.project,
                s.reason
            ),
        )?;
        writeln!(w)?;
    }
    if report.results.is_empty() && report.skipped.is_empty() {
        writeln!(w)?;
        if report.evidence.claims.is_some() {
            writeln!(
                w,
                "No declared publisher matches the selection: nothing to judge."
            )?;
        } else {
            writeln!(
                w,
                "The evidence shows no claims, so no publisher can be judged; the log tells this much:"
            )?;
        }
    }
    log_section(w, report)
}

fn evidence_header(w: &mut Visible<'_>, report: &ExplainReport) -> io::Result<()> {
    let ev = &report.evidence;
    styled(w, BOLD, "evidence")?;
    write!(w, ": {} from {}", ev.kind.id(), ev.origin)?;
    if let Some(claims) = &ev.claims {
        write!(w, " ({} claims", claims.len())?;
        if claims.coverage() == Coverage::Partial {
            write!(w, "; a claim not shown is unknown, not missing")?;
        }
        write!(w, ")")?;
    }
    writeln!(w)?;
    match &ev.verification {
        None if ev.kind == crate::evidence::Kind::Token => {
            styled(
                w,
                DIM,
                "signature not verified (give --jwks FILE to verify it)",
            )?;
            writeln!(w)?;
        }
        Some(Verification::Valid) => {
            styled(w, GOOD, "signature verified")?;
            writeln!(w, ": issuer, expiry and key check out")?;
        }
        Some(Verification::Rejected(why)) => {
            styled(w, BAD, "signature rejected")?;
            writeln!(w, ": {why}")?;
        }
        None => {}
    }
    if let Some(index) = report.index {
        writeln!(w, "index: {} ({})", index.name(), index.audience())?;
    }
    Ok(())
}

fn marker(outcome: Outcome) -> (&'static str, Style) {
    match outcome {
        Outcome::Ok => ("✓", GOOD),
        Outcome::Differs => ("✗", BAD),
        Outcome::Unconfirmed => ("?", UNSURE),
        Outcome::Ignored { .. } => ("·", DIM),
    }
}

fn shown(c: &Claim) -> String {
    match c {
        Claim::Present(v) if v.is_empty() => "\"\"".into(),
        Claim::Present(v) => redact(v).into_owned(),
        Claim::Missing => "(absent)".into(),
        Claim::Unknown => "(not shown)".into(),
    }
}

fn expected(f: &FieldCheck) -> String {
    match (&f.expected, f.name) {
        (Some(e), _) => e.clone(),
        (None, "environment") => "(any)".into(),
        (None, _) => "(not declared)".into(),
    }
}

fn publisher_result(w: &mut Visible<'_>, r: &PublisherResult) -> io::Result<()> {
    let j = &r.judgement;
    let p = &r.publisher;
    let (mark, style, verdict) = if j.accepted() {
        ("✓", GOOD, "match")
    } else {
        ("✗", BAD, "mismatch")
    };
    styled(
        w,
        style,
        &format!("{mark} {} · {}: {verdict}", p.registry.id(), p.project),
    )?;
    if let Some(refusal) = &j.refusal {
        write!(w, " ({})", refusal.code)?;
    }
    writeln!(w)?;
    writeln!(w, "  {}", r.summary)?;
    if let Some(refusal) = &j.refusal {
        write!(w, "  {} answers: ", p.registry.name())?;
        let code = match refusal.code.strip_prefix("http-") {
            Some(status) => format!("HTTP {status}"),
            None => refusal.code.to_owned(),
        };
        styled(w, BOLD, &format!("{code}: {}", refusal.message))?;
        writeln!(w)?;
    }
    writeln!(w)?;
    field_table(w, p.registry.name(), &j.fields)?;
    identity_diff(w, &j.fields)?;
    if !j.notes.is_empty() {
        writeln!(w)?;
        for n in &j.notes {
            write!(w, "  ")?;
            styled(w, UNSURE, "note")?;
            writeln!(w, ": {}", n.text)?;
        }
    }
    if !r.next_steps.is_empty() {
        writeln!(w)?;
        styled(w, BOLD, "  next steps")?;
        writeln!(w)?;
        for (i, step) in r.next_steps.iter().enumerate() {
            writeln!(w, "    {}. {step}", i + 1)?;
        }
    }
    if let Some(reg) = &r.registration {
        writeln!(w)?;
        styled(w, BOLD, &format!("  register on {}", p.registry.name()))?;
        writeln!(w, " (project {}):", p.project)?;
        let width = reg
            .template
            .values
            .iter()
            .map(|v| v.field.chars().count())
            .max()
            .unwrap_or(0);
        for v in &reg.template.values {
            let value = if v.value.is_empty() {
                "(leave empty)"
            } else {
                v.value.as_str()
            };
            writeln!(w, "    {:<width$}  {value}", v.field)?;
        }
        write!(w, "    ")?;
        styled(
            w,
            LINK,
            reg.template
                .prefill_url
                .as_deref()
                .unwrap_or(&reg.template.page),
        )?;
        writeln!(w)?;
    }
    Ok(())
}

fn field_table(w: &mut Visible<'_>, registry: &str, fields: &[FieldCheck]) -> io::Result<()> {
    // An observed value equal to the declared one is shown as `(same)`, to keep rows short.
    let rows: Vec<[String; 4]> = fields
        .iter()
        .map(|f| {
            let observed = shown(&f.actual);
            let observed = if f.expected.as_deref() == Some(observed.as_str()) {
                "(same)".to_owned()
            } else {
                observed
            };
            [f.name.to_owned(), expected(f), observed, f.rule.to_owned()]
        })
        .collect();
    let header = [
        "field".to_owned(),
        "declared".to_owned(),
        "observed".to_owned(),
        format!("{registry} compares"),
    ];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    write!(w, "    ")?;
    styled(
        w,
        DIM,
        &format!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
            header[0], header[1], header[2], header[3]
        ),
    )?;
    writeln!(w)?;
    for (f, row) in fields.iter().zip(&rows) {
        let (m, style) = marker(f.outcome);
        write!(w, "    ")?;
        styled(w, style, m)?;
        writeln!(
            w,
            " {:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0], row[1], row[2], row[3]
        )?;
    }
    // Two values that look the same and are not: say how they differ.
    for f in fields {
        if let (Some(e), Some(a)) = (f.expected.as_deref(), f.actual.value())
            && let Some(note) = crate::sanitize::lookalike(e, a)
        {
            writeln!(w, "      note: {}: {note}", f.name)?;
        }
    }
    Ok(())
}

/// The identity fields the registry matches, declared against observed, as a unified diff. A
/// field that agrees under the registry's rules shows the same line on both sides.
fn identity_diff(w: &mut Visible<'_>, fields: &[FieldCheck]) -> io::Result<()> {
    let identity = [
        "owner",
        "namespace",
        "repository",
        "project",
        "owner-id",
        "workflow",
        "environment",
    ];
    let mut declared = String::new();
    let mut observed = String::new();
    let mut any = false;
    for f in fields.iter().filter(|f| identity.contains(&f.name)) {
        if f.expected.is_none() {
            continue;
        }
        let d = format!("{} = {}\n", f.name, quoted(&expected(f)));
        declared.push_str(&d);
        if f.outcome == Outcome::Differs {
            any = true;
            let o = match &f.actual {
                Claim::Present(v) => quoted(&redact(v)),
                Claim::Missing => "(absent)".into(),
                Claim::Unknown => "(not shown)".into(),
            };
            observed.push_str(&format!("{} = {o}\n", f.name));
        } else {
            observed.push_str(&d);
        }
    }
    if !any {
        return Ok(());
    }
    writeln!(w)?;
    let diff = similar::TextDiff::from_lines(&declared, &observed);
    for line in diff
        .unified_diff()
        .context_radius(5)
        .header("declared", "observed (the run)")
        .to_string()
        .lines()
    {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with('+') {
            GOOD
        } else if line.starts_with('-') {
            BAD
        } else if line.starts_with("@@") {
            LINK
        } else {
            Style::new()
        };
        write!(w, "    ")?;
        styled(w, style, line)?;
        writeln!(w)?;
    }
    Ok(())
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| s.to_owned())
}

fn log_section(w: &mut Visible<'_>, report: &ExplainReport) -> io::Result<()> {
    let Some(log) = &report.evidence.log else {
        return Ok(());
    };
    if log.server_errors.is_empty() && log.signals.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    styled(w, BOLD, "what the log shows")?;
    writeln!(w)?;
    if let Some(stage) = log.stage {
        write!(w, "  failed at stage ")?;
        styled(w, BAD, stage.id())?;
        writeln!(w, " ({})", stage.title())?;
    }
    if let Some(summary) = report.log_summary().filter(|_| report.results.is_empty()) {
        writeln!(w, "  {summary}")?;
    }
    for e in &log.server_errors {
        writeln!(
            w,
            "  line {}: the index answered `{}`: {}",
            e.line,
            e.code,
            redact(&e.description)
        )?;
    }
    for s in &log.signals {
        write!(w, "  line {}: ", s.line)?;
        let style = if s.kind.stage().is_some() {
            BAD
        } else {
            UNSURE
        };
        styled(w, style, s.kind.id())?;
        writeln!(w, ": {}", redact(&s.text))?;
        writeln!(w, "    {}", s.kind.remedy())?;
    }
    Ok(())
}
