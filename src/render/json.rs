//! The JSON output of `explain`: one object, stable field names (documented in the README).

use serde_json::{Value, json};

use crate::evidence::jwt::Verification;
use crate::explain::{ExplainReport, PublisherResult};
use crate::identity::Claim;
use crate::redact::redact;
use crate::registry::Outcome;

/// The schema version of this output.
pub const SCHEMA_VERSION: u32 = 1;

fn claim_value(c: &Claim) -> Value {
    match c {
        Claim::Present(v) => Value::String(redact(v).into_owned()),
        Claim::Missing | Claim::Unknown => Value::Null,
    }
}

fn result(r: &PublisherResult) -> Value {
    let j = &r.judgement;
    let fields: Vec<Value> = j
        .fields
        .iter()
        .map(|f| {
            let (ok, checked) = match f.outcome {
                Outcome::Ok => (json!(true), true),
                Outcome::Differs => (json!(false), true),
                Outcome::Unconfirmed => (Value::Null, true),
                Outcome::Ignored { same } => (json!(same), false),
            };
            json!({
                "name": f.name,
                "claim": f.claim,
                "expected": f.expected,
                "actual": claim_value(&f.actual),
                "shown": !matches!(f.actual, Claim::Unknown),
                "ok": ok,
                "checked": checked,
                "rule": f.rule,
            })
        })
        .collect();
    json!({
        "registry": r.publisher.registry.id(),
        "project": r.publisher.project,
        "provider": r.publisher.provider.id(),
        "verdict": if j.accepted() { "match" } else { "mismatch" },
        "answered": r.answered(),
        "code": j.refusal.as_ref().map(|x| x.code),
        "reason": j.refusal.as_ref().map(|x| x.reason.clone()),
        "message": j.refusal.as_ref().map(|x| x.message.clone()),
        "fields": fields,
        "notes": j.notes,
        "summary": r.summary,
        "next_steps": r.next_steps,
        "register": r.registration.as_ref().map(|reg| json!({
            "values": reg.values.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
            "url": reg.template.prefill_url.as_deref().unwrap_or(&reg.template.page),
            "pending_url": reg.template.pending_url,
            "form": reg.template,
        })),
    })
}

/// The whole `explain` report as a JSON value.
pub fn explain(report: &ExplainReport) -> Value {
    let ev = &report.evidence;
    let log = ev.log.as_ref();
    let job = |line: usize| {
        ev.run
            .as_ref()
            .and_then(|r| r.job_at(line))
            .map(|j| j.name.clone())
    };
    let stage = report.stage().map(|s| {
        let first = log.and_then(|l| l.cause());
        json!({
            "id": s.id(),
            "title": s.title(),
            "line": first.map(|f| f.line),
            "remedy": first.map(|f| f.kind.remedy()),
            "summary": report.log_summary(),
        })
    });
    json!({
        "version": SCHEMA_VERSION,
        "evidence": {
            "kind": ev.kind.id(),
            "source": ev.origin,
            "index": report.index.map(|r| r.id()),
            "verification": match &ev.verification {
                None => json!({"verified": false}),
                Some(Verification::Valid) => json!({"verified": true, "valid": true}),
                Some(Verification::Rejected(why)) => json!({"verified": true, "valid": false, "reason": why}),
            },
            "claims": ev.claims.as_ref().map(|c| {
                c.raw().iter().map(|(k, v)| (k.clone(), redact_value(v))).collect::<serde_json::Map<_, _>>()
            }),
            "run": ev.run.as_ref().map(|r| json!({
                "url": r.url,
                "name": r.name,
                "status": r.status,
                "conclusion": r.conclusion,
                "event": r.event,
                "jobs": r.jobs.iter().map(|j| json!({
                    "id": j.id,
                    "name": j.name,
                    "conclusion": j.conclusion,
                    "url": j.url,
                    "failed_steps": j.failed_steps,
                    "first_line": j.first_line,
                    "lines": j.lines,
                })).collect::<Vec<_>>(),
            })),
            "claims_from_sub": ev.claims.as_ref().map(|c| {
                c.from_subject().iter().map(|(k, v)| (k.clone(), redact_value(v))).collect::<serde_json::Map<_, _>>()
            }),
        },
        "results": report.results.iter().map(result).collect::<Vec<_>>(),
        "skipped": report.skipped.iter().map(|s| json!({
            "registry": s.publisher.registry.id(),
            "project": s.publisher.project,
            "reason": s.reason,
        })).collect::<Vec<_>>(),
        "stage": stage,
        "server_errors": log.map_or_else(Vec::new, |l| l.server_errors.iter().map(|e| json!({
            "code": e.code, "description": redact(&e.description), "line": e.line,
            "registry": e.registry.map(|r| r.id()),
            "job": job(e.line),
        })).collect()),
        "signals": log.map_or_else(Vec::new, |l| l.signals.iter().map(|s| json!({
            "id": s.kind.id(),
            "stage": s.kind.stage().map(|st| st.id()),
            "line": s.line,
            "text": redact(&s.text),
            "registry": s.registry.map(|r| r.id()),
            "remedy": s.kind.remedy(),
            "job": job(s.line),
        })).collect()),
    })
}

fn redact_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(redact(s).into_owned()),
        other => other.clone(),
    }
}
