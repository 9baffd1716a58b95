//! GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments: `explain`,
//! `preflight` and `check`. Whatever came from input (a claim, a log line, a registry's text, a
//! file name) is written as a code span or escaped, so a hostile log or token cannot add a link,
//! an image, HTML or a table cell to a comment.

use crate::check::Report as CheckReport;
use crate::diag::Severity;
use crate::explain::{ExplainReport, PublisherResult};
use crate::identity::Claim;
use crate::preflight::PreflightReport;
use crate::redact::redact;
use crate::registry::Outcome;
use crate::sanitize::visible;

/// `s` as an inline code span, whatever backticks it holds; `|` escaped for table cells;
/// line breaks and tabs shown as spaces, other control, bidirectional and invisible
/// characters as `<U+XXXX>` (the sanitiser's [`visible`]).
pub fn code(s: &str) -> String {
    let s: String = visible(&redact(s))
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    if s.is_empty() {
        return "` `".into();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Our own sentences, which may quote input in backticks: the backtick spans are kept as code
/// (re-fenced by [`code`]), everything else is escaped, so nothing in them is markup.
pub fn text(s: &str) -> String {
    let redacted = redact(s);
    let s = visible(&redacted);
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest: &str = &s;
    while let Some(open) = rest.find('`') {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) => {
                out.push_str(&code(&after[..close]));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str("\\`");
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// Backslash-escapes what Markdown or HTML would read.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '#' | '~' | '&' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mark(ok: bool) -> &'static str {
    if ok { "✅" } else { "❌" }
}

fn shown(c: &Claim) -> String {
    match c {
        Claim::Present(v) => code(v),
        Claim::Missing => "(absent)".into(),
        Claim::Unknown => "(not shown)".into(),
    }
}

/// One publisher's section.
fn publisher(out: &mut String, r: &PublisherResult, exchange: Option<String>) {
    let j = &r.judgement;
    let p = &r.publisher;
    let verdict = match &j.refusal {
        None => "match".to_owned(),
        Some(x) => format!("mismatch ({})", code(x.code)),
    };
    out.push_str(&format!(
        "### {} {} · {}: {verdict}\n\n{}\n\n",
        mark(j.accepted()),
        code(p.registry.id()),
        code(&p.project),
        text(&r.summary)
    ));
    if let Some(x) = &j.refusal {
        let verb = if r.answered() { "answered" } else { "answers" };
        out.push_str(&format!(
            "> **{} {verb}** {}: {}\n\n",
            p.registry.name(),
            code(x.code),
            code(&x.message)
        ));
    }
    if let Some(e) = exchange {
        out.push_str(&format!("**Exchange**: {e}\n\n"));
    }
    if !j.fields.is_empty() {
        out.push_str(&format!(
            "| | field | declared | observed | {} compares |\n|---|---|---|---|---|\n",
            p.registry.name()
        ));
        for f in &j.fields {
            let m = match f.outcome {
                Outcome::Ok => "✅",
                Outcome::Differs => "❌",
                Outcome::Unconfirmed => "❔",
                Outcome::Ignored { .. } => "·",
            };
            let expected = f.expected.as_deref().map_or_else(
                || {
                    if f.name == "environment" {
                        "(any)".into()
                    } else {
                        "(not declared)".into()
                    }
                },
                code,
            );
            out.push_str(&format!(
                "| {m} | {} | {expected} | {} | {} |\n",
                code(f.name),
                shown(&f.actual),
                text(f.rule)
            ));
        }
        out.push('\n');
    }
    for n in &j.notes {
        out.push_str(&format!("- _note_: {}\n", text(&n.text)));
    }
    if !j.notes.is_empty() {
        out.push('\n');
    }
    if !r.next_steps.is_empty() {
        out.push_str("**Next steps**\n\n");
        for (i, s) in r.next_steps.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i + 1, text(s)));
        }
        out.push('\n');
    }
    if let Some(reg) = &r.registration {
        out.push_str(&format!(
            "<details><summary>Register on {} (project {})</summary>\n\n| {} form | value |\n|---|---|\n",
            p.registry.name(),
            escape(&p.project),
            p.registry.name()
        ));
        for v in &reg.template.values {
            let value = if v.value.is_empty() {
                "(leave empty)".into()
            } else {
                code(&v.value)
            };
            out.push_str(&format!("| {} | {value} |\n", escape(v.field)));
        }
        let url = reg
            .template
            .prefill_url
            .as_deref()
            .unwrap_or(&reg.template.page);
        out.push_str(&format!("\n{}\n\n</details>\n\n", code(url)));
    }
}

fn evidence_line(out: &mut String, report: &ExplainReport) {
    let ev = &report.evidence;
    out.push_str(&format!(
        "**Evidence**: {} from {}",
        ev.kind.id(),
        code(&ev.origin)
    ));
    if let Some(r) = report.index {
        out.push_str(&format!(" · registry **{}**", r.name()));
    }
    out.push_str("\n\n");
    if let Some(run) = &ev.run {
        for job in &run.jobs {
            out.push_str(&format!(
                "- job {} {}{}\n",
                code(&job.name),
                escape(&job.conclusion),
                if job.failed_steps.is_empty() {
                    String::new()
                } else {
                    format!(
                        " at step {}",
                        job.failed_steps
                            .iter()
                            .map(|s| code(s))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ));
        }
        out.push('\n');
    }
}

fn overview(out: &mut String, rows: &[(&PublisherResult, Option<String>)]) {
    if rows.is_empty() {
        return;
    }
    out.push_str("| | registry · project | verdict | reason |\n|---|---|---|---|\n");
    for (r, exchange) in rows {
        let j = &r.judgement;
        let reason = j.refusal.as_ref().map_or_else(
            || exchange.clone().unwrap_or_default(),
            |x| code(&x.message),
        );
        out.push_str(&format!(
            "| {} | {} · {} | {} | {reason} |\n",
            mark(j.accepted()),
            code(r.publisher.registry.id()),
            code(&r.publisher.project),
            if j.accepted() { "match" } else { "mismatch" },
        ));
    }
    out.push('\n');
}

fn log_section(out: &mut String, report: &ExplainReport) {
    let Some(log) = &report.evidence.log else {
        return;
    };
    if log.signals.is_empty() && log.server_errors.is_empty() {
        return;
    }
    let job = |line: usize| {
        report
            .evidence
            .run
            .as_ref()
            .and_then(|r| r.job_at(line))
            .map_or_else(String::new, |j| format!(" (job {})", code(&j.name)))
    };
    out.push_str("### What the log shows\n\n");
    if let Some(stage) = log.stage {
        out.push_str(&format!(
            "Failed at stage **{}** ({}).\n\n",
            stage.id(),
            stage.title()
        ));
    }
    for e in &log.server_errors {
        out.push_str(&format!(
            "- line {}{}: {} answered {}: {}\n",
            e.line,
            job(e.line),
            e.registry.map_or("the registry", |r| r.name()),
            code(&e.code),
            code(&e.description)
        ));
    }
    for s in &log.signals {
        out.push_str(&format!(
            "- line {}{}: **{}** {}\n  {}\n",
            s.line,
            job(s.line),
            s.kind.id(),
            code(&s.text),
            text(s.kind.remedy())
        ));
    }
    out.push('\n');
}

/// `explain` as Markdown.
pub fn explain(report: &ExplainReport) -> String {
    let mut out = String::from("## trustpub explain\n\n");
    evidence_line(&mut out, report);
    let rows: Vec<(&PublisherResult, Option<String>)> =
        report.results.iter().map(|r| (r, None)).collect();
    overview(&mut out, &rows);
    for r in &report.results {
        publisher(&mut out, r, None);
    }
    if !report.skipped.is_empty() {
        out.push_str("<details><summary>Not judged</summary>\n\n");
        for s in &report.skipped {
            out.push_str(&format!(
                "- {} · {}: {}\n",
                code(s.publisher.registry.id()),
                code(&s.publisher.project),
                text(&s.reason)
            ));
        }
        out.push_str("\n</details>\n\n");
    }
    if report.evidence.claims.is_none() && report.results.is_empty() {
        out.push_str("The evidence shows no claims, so no publisher can be judged.\n\n");
    }
    log_section(&mut out, report);
    out
}

/// `preflight` as Markdown.
pub fn preflight(report: &PreflightReport) -> String {
    let mut out = String::from("## trustpub preflight\n\n");
    out.push_str(&format!(
        "The runner gave this job a token for {}.\n\n",
        report
            .tokens
            .iter()
            .map(|t| code(&t.audience))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    for n in &report.notes {
        out.push_str(&format!("- _note_: {}\n", text(n)));
    }
    let exchanges: Vec<Option<String>> = report
        .explain
        .results
        .iter()
        .zip(&report.exchanges)
        .map(|(r, e)| {
            e.as_ref().map(|e| {
                format!(
                    "{} {}",
                    mark(e.accepted),
                    text(&super::preflight::exchange_line(
                        e,
                        r.publisher.registry.name()
                    ))
                )
            })
        })
        .collect();
    let rows: Vec<(&PublisherResult, Option<String>)> = report
        .explain
        .results
        .iter()
        .zip(exchanges.iter().cloned())
        .collect();
    overview(&mut out, &rows);
    for (r, e) in report.explain.results.iter().zip(exchanges) {
        publisher(&mut out, r, e);
    }
    out
}

/// `check` as Markdown: a count, then one row per finding.
pub fn check(report: &CheckReport) -> String {
    let count = |s: Severity| report.findings.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    );
    let mut out = String::from("## trustpub check\n\n");
    out.push_str(&format!(
        "{} {errors} error(s), {warnings} warning(s), {notes} note(s) in the Trusted Publishing configuration; {} publishing site(s) found{}.\n\n",
        mark(errors == 0),
        report.sites.len(),
        if report.ignored > 0 {
            format!(", {} finding(s) silenced", report.ignored)
        } else {
            String::new()
        }
    ));
    if report.findings.is_empty() {
        return out;
    }
    out.push_str("| | rule | where | finding |\n|---|---|---|---|\n");
    for d in &report.findings {
        let m = match d.severity {
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
            Severity::Note => "ℹ️",
        };
        let mut finding = text(&d.message);
        if let Some(h) = &d.help {
            finding.push_str("<br>help: ");
            finding.push_str(&text(h));
        }
        out.push_str(&format!(
            "| {m} | {} | {} | {finding} |\n",
            code(d.rule),
            code(&format!(
                "{}:{}:{}",
                d.primary.path, d.primary.position.line, d.primary.position.column
            )),
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_never_becomes_markup() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(
            text("see `![x](https://evil)` and [y](z) <img>"),
            "see `![x](https://evil)` and \\[y\\](z) \\<img\\>"
        );
        // An unpaired backtick does not swallow the rest into code.
        assert_eq!(text("a ` [b](c)"), "a \\` \\[b\\](c)");
        assert!(
            !code("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl").contains("eyJ")
        );
    }
}
