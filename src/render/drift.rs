//! The output of `drift`: human text grouped by publisher with the acceptance matrix, and the
//! JSON object whose shape the README documents. Nothing here decides anything.

use std::io::{self, Write};

use anstyle::Style;
use serde_json::{Value, json};

use crate::drift::report::{DriftReport, PublisherReport, Status, ThresholdRow};
use crate::redact::redact;
use crate::sanitize::Visible;

use crate::render::Human;
use crate::render::human::{BAD, BOLD, DIM, GOOD, UNSURE, wrapped_line};
use crate::render::layout::wrap;

/// How many evidence URLs a human row shows before "and N more".
const EVIDENCE_SHOWN: usize = 3;

/// Writes `text` (from a server or the desired state: sanitised) in `style`.
fn styled(w: &mut Visible<'_>, style: Style, text: &str) -> io::Result<()> {
    w.styled(style, text)
}

/// One drift as the JSON reports (`drift`'s and `audit`'s) write it: `kind`, `expected`,
/// `actual`, `evidence`, `message` (redacted).
pub(crate) fn drift_json(d: &crate::drift::report::Drift) -> Value {
    json!({
        "kind": d.kind.id(),
        "expected": d.expected,
        "actual": d.actual,
        "evidence": d.evidence,
        "message": redact(&d.message),
    })
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn shown(v: Option<f64>, unit: &str) -> String {
    match (v, unit) {
        (None, _) => "unknown".into(),
        (Some(v), "ratio") => format!("{:.1}%", v * 100.0),
        (Some(v), "minutes") => format!("{v:.0} min"),
        (Some(v), _) => format!("{v:.0} s"),
    }
}

/// The report as the documented JSON object.
pub fn json(report: &DriftReport) -> Value {
    let r = |s: &str| Value::String(redact(s).into_owned());
    json!({
        "generated_at": report.generated_at,
        "publishers": report.publishers.iter().map(|p| json!({
            "registry": p.publisher.registry.id(),
            "project": p.publisher.project,
            "status": p.status.id(),
            "drifts": p.drifts.iter().map(drift_json).collect::<Vec<_>>(),
            "unknown": p.unknown.iter().map(|u| json!({
                "source": u.source,
                "check": u.check,
                "reason": r(&u.reason),
                "url": u.url,
            })).collect::<Vec<_>>(),
            "confirmed": p.confirmed.iter().map(|c| json!({
                "check": c.check, "text": r(&c.text), "evidence": c.evidence,
            })).collect::<Vec<_>>(),
            "notes": p.notes.iter().map(|n| r(n)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "thresholds": report.thresholds.iter().map(|t| json!({
            "name": t.name,
            "registry": t.registry,
            "project": t.project,
            "value": t.value.map(number),
            "threshold": number(t.threshold),
            "comparison": t.comparison.symbol(),
            "unit": t.unit,
            "pass": t.pass,
            "detail": r(&t.detail),
            "evidence": t.evidence,
        })).collect::<Vec<_>>(),
    })
}

/// The report as text, grouped by publisher, then the acceptance matrix. What servers and the
/// desired state said is shown through the sanitiser ([`Visible`]).
pub fn human(w: &mut dyn Write, report: &DriftReport) -> io::Result<()> {
    human_fitted(w, report, Human::default())
}

/// [`human`], its prose wrapped to `opts.width`.
pub fn human_fitted(w: &mut dyn Write, report: &DriftReport, opts: Human) -> io::Result<()> {
    let w = &mut Visible::new(w);
    let (n, drifted, unknown, failed) = report.counts();
    let line = format!(
        "drift report · {} · {n} publisher(s): {drifted} drifted, {unknown} unknown, {} as declared; {failed} threshold(s) failed",
        report.generated_at,
        n - drifted - unknown
    );
    wrapped_line(w, &line, ("drift report", BOLD), opts.width, ("", "  "))?;
    for p in &report.publishers {
        writeln!(w)?;
        publisher(w, p, opts.width)?;
    }
    writeln!(w)?;
    matrix(w, &report.thresholds, opts.width)
}

fn publisher(w: &mut Visible<'_>, p: &PublisherReport, width: Option<usize>) -> io::Result<()> {
    let (mark, style) = match p.status {
        Status::Ok => ("✓", GOOD),
        Status::Drift => ("✗", BAD),
        Status::Unknown => ("?", UNSURE),
    };
    let title = format!(
        "{mark} {} · {}: {}",
        p.publisher.registry.id(),
        p.publisher.project,
        p.status.id()
    );
    let line = format!(
        "{title}  ({}/{}, {})",
        p.publisher.owner, p.publisher.repository, p.publisher.workflow
    );
    wrapped_line(w, &line, (&title, style), width, ("", "  "))?;
    if !p.drifts.is_empty() {
        writeln!(w, "  drifted:")?;
        for d in &p.drifts {
            let kind = format!("✗ {}", d.kind.id());
            let line = format!("{kind}: {}", redact(&d.message));
            wrapped_line(w, &line, (&kind, BAD), width, ("    ", "      "))?;
            let line = format!("expected {}, live {}", d.expected, d.actual);
            writeln!(w, "{}", wrap(&line, width, "      ", "        "))?;
            if let (Some(e), Some(a)) = (d.expected.as_str(), d.actual.as_str())
                && let Some(note) = crate::sanitize::lookalike(e, a)
            {
                writeln!(
                    w,
                    "{}",
                    wrap(&format!("note: {note}"), width, "      ", "        ")
                )?;
            }
            let line = wrap(
                &format!("evidence: {}", d.evidence),
                width,
                "      ",
                "        ",
            );
            styled(w, DIM, &line)?;
            writeln!(w)?;
        }
    }
    if !p.unknown.is_empty() {
        writeln!(w, "  unknown:")?;
        for u in &p.unknown {
            let what = format!("? {} {}", u.source, u.check);
            let line = format!("{what}: {}", redact(&u.reason));
            wrapped_line(w, &line, (&what, UNSURE), width, ("    ", "      "))?;
            if let Some(url) = &u.url {
                styled(w, DIM, &format!("      {url}"))?;
                writeln!(w)?;
            }
        }
    }
    if !p.confirmed.is_empty() {
        writeln!(w, "  as declared:")?;
        for c in &p.confirmed {
            let line = format!("✓ {}: {}", c.check, c.text);
            wrapped_line(w, &line, ("✓", GOOD), width, ("    ", "      "))?;
        }
    }
    for note in &p.notes {
        writeln!(w, "{}", wrap(&format!("note: {note}"), width, "  ", "    "))?;
    }
    if let (declared, Some(live)) = &p.identity {
        writeln!(w, "  declared → live:")?;
        let lines = |id: &crate::drift::report::Identity| {
            id.fields
                .iter()
                .map(|(k, v)| format!("{k:<12} {v}\n"))
                .collect::<String>()
        };
        let (a, b) = (lines(declared), lines(live));
        let diff = similar::TextDiff::from_lines(&a, &b);
        for change in diff.iter_all_changes() {
            let (sign, style) = match change.tag() {
                similar::ChangeTag::Delete => ("-", BAD),
                similar::ChangeTag::Insert => ("+", GOOD),
                similar::ChangeTag::Equal => (" ", DIM),
            };
            write!(w, "    ")?;
            styled(w, style, &format!("{sign} {}", change.value().trim_end()))?;
            writeln!(w)?;
        }
    }
    Ok(())
}

fn matrix(w: &mut Visible<'_>, rows: &[ThresholdRow], width: Option<usize>) -> io::Result<()> {
    styled(w, BOLD, "acceptance matrix")?;
    writeln!(w)?;
    let header: Vec<String> = ["check", "publisher", "value", "threshold", "result"]
        .map(String::from)
        .to_vec();
    let verdict = |t: &ThresholdRow| match t.pass {
        Some(true) => ("pass", GOOD),
        Some(false) => ("fail", BAD),
        None => ("unknown", UNSURE),
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            vec![
                t.name.to_string(),
                format!("{} · {}", t.registry, t.project),
                shown(t.value, t.unit),
                format!(
                    "{} {}",
                    t.comparison.symbol(),
                    shown(Some(t.threshold), t.unit)
                ),
                verdict(t).0.to_owned(),
            ]
        })
        .collect();
    let laid = crate::render::layout::table(&header, &cells, 2, width);
    writeln!(w, "  {}", laid[0].line)?;
    for (t, row) in rows.iter().zip(&laid[1..]) {
        let (word, style) = verdict(t);
        match row.line.strip_suffix(word) {
            Some(before) => {
                write!(w, "  {before}")?;
                styled(w, style, word)?;
                writeln!(w)?;
            }
            None => writeln!(w, "  {}", row.line)?,
        }
        for extra in &row.overflow {
            writeln!(w, "  {extra}")?;
        }
        let detail = wrap(&redact(&t.detail), width, "      ", "        ");
        styled(w, DIM, &detail)?;
        writeln!(w)?;
        if !t.evidence.is_empty() {
            let mut shown: Vec<&str> = t
                .evidence
                .iter()
                .take(EVIDENCE_SHOWN)
                .map(String::as_str)
                .collect();
            let more = t.evidence.len().saturating_sub(EVIDENCE_SHOWN);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            if shown.is_empty() {
                shown.push("-");
            }
            let line = format!("evidence: {}{tail}", shown.join(", "));
            styled(w, DIM, &wrap(&line, width, "      ", "        "))?;
            writeln!(w)?;
        }
    }
    Ok(())
}
