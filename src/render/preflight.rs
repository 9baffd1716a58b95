//! `preflight`'s output: `explain`'s, with each registry's real answer beside its verdict.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::human::{BAD, BOLD, DIM, GOOD, UNSURE, publisher_result, styled, wrapped_line};
use super::layout::wrap;
use crate::preflight::{Exchange, PreflightReport};
use crate::redact::redact;

/// The JSON object: `explain`'s, each result with `exchange` (null without `--exchange`), and
/// `tokens` (the claims of each token the runner gave, one per registry).
pub fn json(report: &PreflightReport) -> Value {
    let mut v = super::json::explain(&report.explain);
    if let Some(results) = v.get_mut("results").and_then(Value::as_array_mut) {
        for (r, e) in results.iter_mut().zip(&report.exchanges) {
            if let Some(obj) = r.as_object_mut() {
                obj.insert(
                    "exchange".into(),
                    e.as_ref().map_or(Value::Null, exchange_json),
                );
            }
        }
    }
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "tokens".into(),
            report
                .tokens
                .iter()
                .map(|t| {
                    json!({
                        "registry": t.registry.id(),
                        "audience": t.audience,
                        "claims": t.claims.raw().iter().map(|(k, v)| (k.clone(), match v {
                            Value::String(s) => Value::String(redact(s).into_owned()),
                            other => other.clone(),
                        })).collect::<serde_json::Map<_, _>>(),
                    })
                })
                .collect(),
        );
        obj.insert("notes".into(), json!(report.notes));
    }
    v
}

fn exchange_json(e: &Exchange) -> Value {
    json!({
        "attempted": e.attempted,
        "accepted": e.accepted,
        "status": e.status,
        "code": e.code,
        "reason": e.reason.as_deref().map(|r| redact(r).into_owned()),
        "revoked": e.revoked,
    })
}

/// One line for an exchange.
pub fn exchange_line(e: &Exchange, registry: &str) -> String {
    let status = e.status.map_or_else(String::new, |s| format!("HTTP {s}"));
    match (e.attempted, e.accepted) {
        (false, _) => format!("not attempted: {}", e.reason.as_deref().unwrap_or_default()),
        (true, true) => format!(
            "{registry} accepted the token ({status}); {}",
            match e.revoked {
                Some(true) => "the token it gave was revoked",
                Some(false) => "revoking the token it gave failed: it expires on its own",
                None => "the token it gave was dropped unused (it expires on its own)",
            }
        ),
        (true, false) if e.refused() => format!(
            "{registry} refused ({status}{}): {}",
            e.code
                .as_deref()
                .map_or_else(String::new, |c| format!(", `{c}`")),
            redact(e.reason.as_deref().unwrap_or_default())
        ),
        (true, false) => format!(
            "no answer from {registry}: {}",
            redact(e.reason.as_deref().unwrap_or_default())
        ),
    }
}

/// The human report.
pub fn human(
    w: &mut dyn Write,
    report: &PreflightReport,
    opts: crate::render::Human,
) -> io::Result<()> {
    let w = &mut crate::sanitize::Visible::new(w);
    let audiences: Vec<String> = report
        .tokens
        .iter()
        .map(|t| format!("`{}`", t.audience))
        .collect();
    let line = format!(
        "preflight: the runner gave this job a token for {}",
        audiences.join(", ")
    );
    wrapped_line(w, &line, ("preflight", BOLD), opts.width, ("", "  "))?;
    if let Some(t) = report.tokens.first() {
        let show = |k: &str| t.claims.get(k).value().map(str::to_owned);
        let mut parts = Vec::new();
        for key in [
            "repository",
            "workflow_ref",
            "environment",
            "event_name",
            "ref",
        ] {
            if let Some(v) = show(key) {
                parts.push(format!("{key} {}", redact(&v)));
            }
        }
        if t.claims.get("environment").value().is_none() {
            parts.push("no environment".into());
        }
        styled(w, DIM, &wrap(&parts.join(", "), opts.width, "  ", "    "))?;
        writeln!(w)?;
    }
    for note in &report.notes {
        let line = format!("note: {note}");
        wrapped_line(w, &line, ("note", UNSURE), opts.width, ("  ", "        "))?;
    }
    for (r, e) in report.explain.results.iter().zip(&report.exchanges) {
        writeln!(w)?;
        publisher_result(w, r, opts)?;
        if let Some(e) = e {
            writeln!(w)?;
            let (mark, style) = match (e.attempted, e.accepted) {
                (true, true) => ("✓ exchange", GOOD),
                (true, false) => ("✗ exchange", BAD),
                (false, _) => ("· exchange", DIM),
            };
            let line = format!("{mark}: {}", exchange_line(e, r.publisher.registry.name()));
            wrapped_line(w, &line, (mark, style), opts.width, ("  ", "    "))?;
        }
    }
    Ok(())
}
