//! The output of `audit`: the JSON object whose shape the README documents (fields are only
//! ever added), human text fitted to the terminal ([`super::Human`]), and Markdown for an issue
//! or a job summary. Nothing here decides anything.

use std::io::{self, Write};

use anstyle::Style;
use serde_json::{Value, json};

use super::Human;
use super::layout::wrap;
use crate::audit::local::Finding;
use crate::audit::report::{AuditPublisher, AuditReport, AuditRepository, AuditStatus};
use crate::drift::ledger::LedgerEntry;
use crate::redact::redact;
use crate::sanitize::Visible;

use super::human::{BAD, BOLD, DIM, GOOD, UNSURE};

fn text(s: &str) -> Value {
    Value::String(redact(s).into_owned())
}

use super::check::severity_id as severity;

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": severity(f.severity),
        "file": f.file,
        "line": f.line,
        "message": text(&f.message),
    })
}

fn ledger_json(e: &LedgerEntry) -> Value {
    json!({
        "version": e.version,
        "published_by": e.published_by.first().map(crate::drift::ledger::PublishedBy::to_json),
        "trusted": e.trusted,
        "published_at": e.published_at.map(crate::net::time::format_rfc3339),
        "evidence": e.evidence,
    })
}

fn publisher_json(p: &AuditPublisher) -> Value {
    let d = &p.drift;
    json!({
        "registry": d.publisher.registry.id(),
        "project": d.publisher.project,
        "workflow": d.publisher.workflow,
        "environment": d.publisher.environment,
        "status": p.status.id(),
        "drifts": d.drifts.iter().map(super::drift::drift_json).collect::<Vec<_>>(),
        "findings": p.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "ledger": p.ledger.iter().map(ledger_json).collect::<Vec<_>>(),
        "notes": d.notes.iter().map(|n| text(n)).collect::<Vec<_>>(),
    })
}

fn repository_json(r: &AuditRepository) -> Value {
    json!({
        "repository": r.repository,
        "desired_state": r.desired_state.map_or("none", |d| d.id()),
        "status": r.status(),
        "publishers": r.publishers.iter().map(publisher_json).collect::<Vec<_>>(),
        "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "unknown": r.unknown.iter().map(|(who, u)| json!({
            "publisher": who,
            "source": u.source,
            "check": u.check,
            "reason": text(&u.reason),
            "url": u.url,
        })).collect::<Vec<_>>(),
        "notes": r.notes.iter().map(|n| text(n)).collect::<Vec<_>>(),
    })
}

/// The report as the documented JSON object.
pub fn json(report: &AuditReport) -> Value {
    let s = &report.summary;
    json!({
        "version": 1,
        "generated_at": report.generated_at,
        "target": report.target,
        "repositories": report.repositories.iter().map(repository_json).collect::<Vec<_>>(),
        "skipped": report.skipped.iter().map(|(r, why)| json!({"repository": r, "reason": why})).collect::<Vec<_>>(),
        "unknown": report.unknown.iter().map(|u| json!({
            "source": u.source, "check": u.check, "reason": text(&u.reason), "url": u.url,
        })).collect::<Vec<_>>(),
        "summary": {
            "repositories": s.repositories,
            "trusted_publishing": s.trusted_publishing,
            "stored_token": s.stored_token,
            "both": s.both,
            "none": s.none,
            "publishers": AuditStatus::ALL.iter().map(|st| (st.id().to_owned(), json!(s.statuses.get(st.id()).copied().unwrap_or(0)))).collect::<serde_json::Map<_, _>>(),
            "findings": s.findings.iter().map(|(id, n)| json!({"id": id, "publishers": n})).collect::<Vec<_>>(),
        },
        "requests": {
            "total": report.requests.total,
            "cached": report.requests.cached,
            "rate_limit_remaining": report.requests.rate_limit_remaining,
        },
    })
}

fn styled(w: &mut Visible<'_>, style: Style, text: &str) -> io::Result<()> {
    w.styled(style, text)
}

fn mark(status: &str) -> (&'static str, Style) {
    match status {
        "ok" => ("✓", GOOD),
        "unknown" => ("?", UNSURE),
        "none" => ("·", DIM),
        _ => ("✗", BAD),
    }
}

fn summary_line(report: &AuditReport) -> String {
    let s = &report.summary;
    let statuses: Vec<String> = AuditStatus::ALL
        .iter()
        .filter_map(|st| s.statuses.get(st.id()).map(|n| format!("{n} {}", st.id())))
        .collect();
    format!(
        "{} repositories: {} Trusted Publishing, {} stored token, {} both, {} neither; publishers: {}",
        s.repositories,
        s.trusted_publishing,
        s.stored_token,
        s.both,
        s.none,
        if statuses.is_empty() {
            "none".into()
        } else {
            statuses.join(", ")
        }
    )
}

fn requests_line(report: &AuditReport) -> String {
    let r = &report.requests;
    format!(
        "requests: {} ({} answered from the cache), GitHub rate limit left: {}",
        r.total,
        r.cached,
        r.rate_limit_remaining
            .map_or_else(|| "not told".into(), |n| n.to_string())
    )
}

fn ledger_line(entries: &[LedgerEntry]) -> String {
    entries
        .iter()
        .map(|e| {
            let t = match e.trusted {
                Some(true) => "trusted",
                Some(false) => "token",
                None => "?",
            };
            format!("{} {t}", e.version)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report as text: a line per repository and publisher; under each, what is wrong.
pub fn human(w: &mut dyn Write, report: &AuditReport, shape: Human) -> io::Result<()> {
    // Text from the repositories and registries shows its invisible characters.
    let w = &mut Visible::new(w);
    let width = shape.width;
    styled(w, BOLD, "audit")?;
    writeln!(w, " · {} · {}", report.target, report.generated_at)?;
    writeln!(w, "{}", wrap(&summary_line(report), width, "", "  "))?;
    for u in &report.unknown {
        styled(w, UNSURE, &format!("? {} {}", u.source, u.check))?;
        writeln!(w, ": {}", redact(&u.reason))?;
    }
    for r in &report.repositories {
        let status = r.status();
        if shape.quiet && status == "ok" {
            continue;
        }
        writeln!(w)?;
        let (m, style) = mark(status);
        styled(w, style, &format!("{m} {}: {status}", r.repository))?;
        writeln!(
            w,
            "  (desired state {})",
            r.desired_state.map_or("unread", |d| d.id())
        )?;
        for p in &r.publishers {
            let (m, style) = mark(p.status.id());
            let d = &p.drift.publisher;
            write!(w, "  ")?;
            styled(
                w,
                style,
                &format!("{m} {} · {}: {}", d.registry.id(), d.project, p.status.id()),
            )?;
            writeln!(w, "  ({})", d.workflow)?;
            for x in &p.drift.drifts {
                let line = format!("{}: {}", x.kind.id(), redact(&x.message));
                writeln!(w, "{}", wrap(&line, width, "      ✗ ", "        "))?;
            }
            for f in &p.findings {
                let line = format!(
                    "{} ({}) {}:{}: {}",
                    f.rule,
                    severity(f.severity),
                    f.file,
                    f.line,
                    redact(&f.message)
                );
                writeln!(w, "{}", wrap(&line, width, "      · ", "        "))?;
            }
            if shape.verbose && !p.ledger.is_empty() {
                let line = format!("ledger: {}", ledger_line(&p.ledger));
                styled(w, DIM, &wrap(&line, width, "      ", "        "))?;
                writeln!(w)?;
            }
        }
        for f in &r.findings {
            let line = format!(
                "{} ({}) {}:{}: {}",
                f.rule,
                severity(f.severity),
                f.file,
                f.line,
                redact(&f.message)
            );
            writeln!(w, "{}", wrap(&line, width, "    · ", "      "))?;
        }
        for (who, u) in &r.unknown {
            let line = format!(
                "{}{} {}: {}",
                who.as_ref().map(|w| format!("{w}: ")).unwrap_or_default(),
                u.source,
                u.check,
                redact(&u.reason)
            );
            writeln!(w, "{}", wrap(&line, width, "    ? ", "      "))?;
        }
        if shape.verbose {
            for n in &r.notes {
                styled(w, DIM, &wrap(n, width, "    note: ", "      "))?;
                writeln!(w)?;
            }
        }
    }
    if !report.skipped.is_empty() {
        writeln!(w)?;
        let skipped: Vec<String> = report
            .skipped
            .iter()
            .map(|(r, why)| format!("{r} ({why})"))
            .collect();
        let line = format!(
            "skipped {}: {} (--include-archived, --include-forks)",
            skipped.len(),
            skipped.join(", ")
        );
        writeln!(w, "{}", wrap(&line, width, "", "  "))?;
    }
    if !report.summary.findings.is_empty() {
        writeln!(w)?;
        let common: Vec<String> = report
            .summary
            .findings
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        writeln!(
            w,
            "{}",
            wrap(
                &format!("most common: {}", common.join(", ")),
                width,
                "",
                "  "
            )
        )?;
    }
    writeln!(w, "{}", requests_line(report))
}

fn cell(s: &str) -> String {
    crate::sanitize::visible_line(&redact(s))
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// The report as GitHub-flavoured Markdown: the summary, a table of publishers, then what is
/// wrong per repository.
pub fn markdown(report: &AuditReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    out.push_str(&format!("## trustpub audit: {}\n\n", cell(&report.target)));
    out.push_str(&format!("{}\n\n", cell(&summary_line(report))));
    for u in &report.unknown {
        out.push_str(&format!("> **unknown**: {}\n\n", cell(&u.reason)));
    }
    out.push_str("| Repository | Desired state | Registry | Project | Workflow | Status |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for r in &report.repositories {
        let desired = r.desired_state.map_or("unread", |d| d.id());
        if r.publishers.is_empty() {
            out.push_str(&format!(
                "| {} | {desired} | | | | {} |\n",
                cell(&r.repository),
                r.status()
            ));
        }
        for p in &r.publishers {
            let d = &p.drift.publisher;
            out.push_str(&format!(
                "| {} | {desired} | {} | {} | {} | {} |\n",
                cell(&r.repository),
                d.registry.id(),
                cell(&d.project),
                cell(&d.workflow),
                p.status.id()
            ));
        }
    }
    let troubled: Vec<&AuditRepository> = report
        .repositories
        .iter()
        .filter(|r| !matches!(r.status(), "ok" | "none"))
        .collect();
    if !troubled.is_empty() {
        out.push_str("\n### Findings\n");
        for r in troubled {
            out.push_str(&format!(
                "\n**{}** ({})\n\n",
                cell(&r.repository),
                r.status()
            ));
            for p in &r.publishers {
                let d = &p.drift.publisher;
                for x in &p.drift.drifts {
                    out.push_str(&format!(
                        "- {} {}: `{}` {}\n",
                        d.registry.id(),
                        cell(&d.project),
                        x.kind.id(),
                        cell(&x.message)
                    ));
                }
                for f in &p.findings {
                    out.push_str(&format!(
                        "- {} {}: `{}` {}:{} {}\n",
                        d.registry.id(),
                        cell(&d.project),
                        f.rule,
                        cell(&f.file),
                        f.line,
                        cell(&f.message)
                    ));
                }
            }
            for f in &r.findings {
                out.push_str(&format!(
                    "- `{}` {}:{} {}\n",
                    f.rule,
                    cell(&f.file),
                    f.line,
                    cell(&f.message)
                ));
            }
            for (who, u) in &r.unknown {
                out.push_str(&format!(
                    "- {}unknown ({} {}): {}\n",
                    who.as_ref()
                        .map(|w| format!("{} ", cell(w)))
                        .unwrap_or_default(),
                    u.source,
                    u.check,
                    cell(&u.reason)
                ));
            }
        }
    }
    if !s.findings.is_empty() {
        out.push_str("\n### Most common\n\n| Finding | Publishers |\n|---|---|\n");
        for (id, n) in &s.findings {
            out.push_str(&format!("| `{id}` | {n} |\n"));
        }
    }
    out.push_str(&format!("\n{}\n", requests_line(report)));
    out
}
