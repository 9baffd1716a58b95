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
use crate::render::Human;
use crate::render::layout::{self, wrap};
use crate::render::snippet::{self, Place};
use crate::sanitize::{Visible, visible, visible_line};
use crate::source::SourceFile;

pub(crate) const GOOD: Style = AnsiColor::Green.on_default().bold();
pub(crate) const BAD: Style = AnsiColor::Red.on_default().bold();
pub(crate) const UNSURE: Style = AnsiColor::Yellow.on_default().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const LINK: Style = AnsiColor::Cyan.on_default();

/// Writes `text` wrapped to `width` (first line after `first`, the others after `rest`), with
/// the first occurrence of `phrase` in `style` (unstyled if wrapping broke it), then a newline.
pub(crate) fn wrapped_line(
    w: &mut Visible<'_>,
    text: &str,
    (phrase, style): (&str, Style),
    width: Option<usize>,
    (first, rest): (&str, &str),
) -> io::Result<()> {
    let lines = wrap(text, width, first, rest);
    // `wrap` shows suspicious characters as `<U+XXXX>`: the phrase is looked for as shown.
    let phrase = visible(phrase);
    match lines.split_once(phrase.as_ref()) {
        Some((before, after)) if !phrase.is_empty() => {
            write!(w, "{before}")?;
            styled(w, style, &phrase)?;
            writeln!(w, "{after}")
        }
        _ => writeln!(w, "{lines}"),
    }
}

/// Writes `text` (from input, so shown through the sanitiser) in `style`.
pub(crate) fn styled(w: &mut Visible<'_>, style: Style, text: &str) -> io::Result<()> {
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

/// Renders the `explain` report, fitted to `opts.width`; with `-q` only each publisher's
/// verdict, the registry's answer and the next steps.
pub fn explain(w: &mut dyn Write, report: &ExplainReport, opts: Human) -> io::Result<()> {
    let w = &mut Visible::new(w);
    if !opts.quiet {
        evidence_header(w, report, opts.width)?;
    }
    for (i, r) in report.results.iter().enumerate() {
        if i > 0 || !opts.quiet {
            writeln!(w)?;
        }
        publisher_result(w, r, opts)?;
    }
    if opts.quiet {
        return Ok(());
    }
    for s in &report.skipped {
        writeln!(w)?;
        let line = format!(
            "- {} · {}: not judged: {}",
            s.publisher.registry.id(),
            s.publisher.project,
            s.reason
        );
        styled(w, DIM, &wrap(&line, opts.width, "", "  "))?;
        writeln!(w)?;
    }
    if report.evidence.claims.is_none() && report.results.is_empty() {
        writeln!(w)?;
        let text =
            "The evidence shows no claims, so no publisher can be judged; the log tells this much:";
        writeln!(w, "{}", wrap(text, opts.width, "", ""))?;
    } else if report.results.is_empty() && report.skipped.is_empty() {
        writeln!(w)?;
        let text = "No declared publisher matches the selection: nothing to judge.";
        writeln!(w, "{}", wrap(text, opts.width, "", ""))?;
    }
    log_section(w, report, opts.width)
}

fn evidence_header(
    w: &mut Visible<'_>,
    report: &ExplainReport,
    width: Option<usize>,
) -> io::Result<()> {
    let ev = &report.evidence;
    let mut line = format!("evidence: {} from {}", ev.kind.id(), ev.origin);
    if let Some(claims) = &ev.claims {
        line.push_str(&format!(" ({} claims", claims.len()));
        if claims.coverage() == Coverage::Partial {
            line.push_str("; a claim not shown is unknown, not missing");
        }
        line.push(')');
    }
    wrapped_line(w, &line, ("evidence", BOLD), width, ("", "  "))?;
    if let Some(run) = &ev.run {
        let state = if run.conclusion.is_empty() {
            &run.status
        } else {
            &run.conclusion
        };
        let line = format!("run: {} ({}, {state})", run.name, run.event);
        writeln!(w, "{}", wrap(&line, width, "", "  "))?;
        for job in &run.jobs {
            let mut line = format!("job `{}` {}", job.name, job.conclusion);
            if !job.failed_steps.is_empty() {
                let steps: Vec<String> =
                    job.failed_steps.iter().map(|s| format!("`{s}`")).collect();
                line.push_str(&format!(" at step {}", steps.join(", ")));
            }
            if job.lines > 0 {
                line.push_str(&format!(
                    ": lines {}-{} of the log read",
                    job.first_line,
                    job.first_line + job.lines - 1
                ));
            }
            line.push_str(&format!(" ({})", job.url));
            writeln!(w, "{}", wrap(&line, width, "  ", "    "))?;
        }
    }
    if let Some(claims) = &ev.claims
        && !claims.from_subject().is_empty()
    {
        let read: Vec<String> = claims
            .from_subject()
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k} = {}", quoted(&redact(s))),
                _ => format!("{k} (none)"),
            })
            .collect();
        let line = format!("read from `sub`: {}", read.join(", "));
        writeln!(w, "{}", wrap(&line, width, "", "  "))?;
    }
    match &ev.verification {
        None if ev.kind == crate::evidence::Kind::Token => {
            let text = "signature not verified (give --jwks FILE to verify it)";
            wrapped_line(w, text, (text, DIM), width, ("", "  "))?;
        }
        Some(Verification::Valid) => {
            let text = "signature verified: issuer, expiry and key check out";
            wrapped_line(w, text, ("signature verified", GOOD), width, ("", "  "))?;
        }
        Some(Verification::Rejected(why)) => {
            let text = format!("signature rejected: {why}");
            wrapped_line(w, &text, ("signature rejected", BAD), width, ("", "  "))?;
        }
        None => {}
    }
    if let Some(index) = report.index {
        match ev.kind {
            crate::evidence::Kind::Log => {
                let line = format!("registry: {} (named by the log)", index.name());
                writeln!(w, "{}", wrap(&line, width, "", "  "))?
            }
            _ => {
                let line = format!(
                    "registry: {} (audience `{}`)",
                    index.name(),
                    index.audience()
                );
                writeln!(w, "{}", wrap(&line, width, "", "  "))?
            }
        }
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

/// Renders one publisher's result.
pub(crate) fn publisher_result(
    w: &mut Visible<'_>,
    r: &PublisherResult,
    opts: Human,
) -> io::Result<()> {
    let j = &r.judgement;
    let p = &r.publisher;
    let (mark, style, verdict) = if j.accepted() {
        ("✓", GOOD, "match")
    } else {
        ("✗", BAD, "mismatch")
    };
    let headline = format!("{mark} {} · {}: {verdict}", p.registry.id(), p.project);
    let line = match &j.refusal {
        Some(refusal) => format!("{headline} ({})", refusal.code),
        None => headline.clone(),
    };
    wrapped_line(w, &line, (&headline, style), opts.width, ("", "  "))?;
    if !opts.quiet {
        writeln!(w, "{}", wrap(&r.summary, opts.width, "  ", "  "))?;
    }
    if let Some(refusal) = &j.refusal {
        let verb = if r.answered() { "answered" } else { "answers" };
        let lead = format!("  {} {verb}: ", p.registry.name());
        let code = match refusal.code.strip_prefix("http-") {
            Some(status) => format!("HTTP {status}"),
            None => refusal.code.to_owned(),
        };
        let answer = wrap(
            &format!("{code}: {}", refusal.message),
            opts.width,
            &lead,
            "    ",
        );
        write!(w, "{lead}")?;
        styled(
            w,
            BOLD,
            answer.strip_prefix(lead.as_str()).unwrap_or(&answer),
        )?;
        writeln!(w)?;
    }
    if !opts.quiet {
        writeln!(w)?;
        field_table(w, p.registry.name(), &j.fields, opts.width)?;
        identity_diff(w, &j.fields)?;
        if !j.notes.is_empty() {
            writeln!(w)?;
            for n in &j.notes {
                let text = wrap(&format!("note: {}", n.text), opts.width, "  ", "        ");
                write!(w, "  ")?;
                styled(w, UNSURE, "note")?;
                writeln!(w, "{}", text.strip_prefix("  note").unwrap_or(&text))?;
            }
        }
    }
    if !r.next_steps.is_empty() {
        writeln!(w)?;
        styled(w, BOLD, "  next steps")?;
        writeln!(w)?;
        for (i, step) in r.next_steps.iter().enumerate() {
            let number = format!("    {}. ", i + 1);
            let rest = " ".repeat(number.len());
            writeln!(w, "{}", wrap(step, opts.width, &number, &rest))?;
        }
    }
    if opts.quiet {
        return Ok(());
    }
    if let Some(reg) = &r.registration {
        writeln!(w)?;
        let title = format!("register on {}", p.registry.name());
        let line = format!("{title} (project {}):", p.project);
        wrapped_line(w, &line, (&title, BOLD), opts.width, ("  ", "    "))?;
        form_values(w, &reg.template.values, "    ", opts.width)?;
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

/// A registry form's fields and their values after `indent`, in two columns where they fit
/// `width`, else each field then its value below it.
pub(crate) fn form_values(
    w: &mut Visible<'_>,
    values: &[crate::registry::FormValue],
    indent: &str,
    width: Option<usize>,
) -> io::Result<()> {
    let rows: Vec<(&str, &str)> = values
        .iter()
        .map(|v| {
            let value = if v.value.is_empty() {
                "(leave empty)"
            } else {
                v.value.as_str()
            };
            (v.field, value)
        })
        .collect();
    let column = rows
        .iter()
        .map(|(f, _)| layout::width(f))
        .max()
        .unwrap_or(0);
    let fits = |(_, v): &(&str, &str)| {
        width.is_none_or(|width| indent.len() + column + 2 + layout::width(v) <= width)
    };
    if rows.iter().all(fits) {
        for (field, value) in &rows {
            let pad = " ".repeat(column - layout::width(field));
            writeln!(w, "{indent}{field}{pad}  {value}")?;
        }
    } else {
        let deeper = format!("{indent}  ");
        for (field, value) in &rows {
            writeln!(w, "{}", wrap(&format!("{field}:"), width, indent, indent))?;
            writeln!(w, "{}", wrap(value, width, &deeper, &deeper))?;
        }
    }
    Ok(())
}

fn field_table(
    w: &mut Visible<'_>,
    registry: &str,
    fields: &[FieldCheck],
    width: Option<usize>,
) -> io::Result<()> {
    if fields.is_empty() {
        return Ok(());
    }
    // An observed value equal to the declared one is shown as `(same)`, to keep rows short.
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|f| {
            let observed = shown(&f.actual);
            let observed = if f.expected.as_deref() == Some(observed.as_str()) {
                "(same)".to_owned()
            } else {
                observed
            };
            vec![f.name.to_owned(), expected(f), observed, f.rule.to_owned()]
        })
        .collect();
    let header = vec![
        "field".to_owned(),
        "declared".to_owned(),
        "observed".to_owned(),
        format!("{registry} compares"),
    ];
    // Four columns in, then the outcome's mark and a space: six.
    let laid = layout::table(&header, &rows, 6, width);
    write!(w, "    ")?;
    styled(w, DIM, &format!("  {}", laid[0].line))?;
    writeln!(w)?;
    for (f, row) in fields.iter().zip(&laid[1..]) {
        let (m, style) = marker(f.outcome);
        write!(w, "    ")?;
        styled(w, style, m)?;
        writeln!(w, " {}", row.line)?;
        for line in &row.overflow {
            writeln!(w, "      {line}")?;
        }
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
        if f.outcome == Outcome::Differs && f.actual != Claim::Unknown {
            let o = match &f.actual {
                Claim::Present(v) => quoted(&redact(v)),
                Claim::Missing => "(absent)".into(),
                Claim::Unknown => "(not shown)".into(),
            };
            let o = format!("{} = {o}\n", f.name);
            any |= o != d;
            observed.push_str(&o);
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

fn log_section(
    w: &mut Visible<'_>,
    report: &ExplainReport,
    width: Option<usize>,
) -> io::Result<()> {
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
        let line = format!("failed at stage {} ({})", stage.id(), stage.title());
        wrapped_line(w, &line, (stage.id(), BAD), width, ("  ", "    "))?;
    }
    if let Some(summary) = report.log_summary().filter(|_| report.results.is_empty()) {
        writeln!(w, "{}", wrap(&summary, width, "  ", "    "))?;
    }
    let job = |line: usize| {
        report
            .evidence
            .run
            .as_ref()
            .and_then(|r| r.job_at(line))
            .map_or_else(String::new, |j| format!(" (job `{}`)", j.name))
    };
    for e in &log.server_errors {
        let line = format!(
            "line {}{}: {} answered `{}`: {}",
            e.line,
            job(e.line),
            match e.registry {
                // PyPI's answers, in a log that does not say which index gave them.
                Some(r) if r.is_python_index() && report.index != Some(r) => "the index",
                Some(r) => r.name(),
                None => "the registry",
            },
            e.code,
            redact(&e.description)
        );
        writeln!(w, "{}", wrap(&line, width, "  ", "    "))?;
    }
    for s in &log.signals {
        let style = if s.kind.stage().is_some() {
            BAD
        } else {
            UNSURE
        };
        let id = s.kind.id();
        let line = format!("line {}{}: {id}: {}", s.line, job(s.line), redact(&s.text));
        wrapped_line(w, &line, (id, style), width, ("  ", "    "))?;
        writeln!(w, "{}", wrap(s.kind.remedy(), width, "    ", "    "))?;
    }
    Ok(())
}
