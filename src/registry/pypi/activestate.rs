//! PyPI's ActiveState publisher: an ActiveState Platform project's `pypi-publisher` builder.
//!
//! Source: pypi/warehouse `6b62157124ab`, `warehouse/oidc/models/activestate.py`
//! (`lookup_by_claims`: `organization`, `project` and `actor_id` exactly; `verify_claims`:
//! `_check_sub` with its own texts, `organization`, `project`, `actor_id`, then `builder` must
//! be `pypi-publisher`) and `warehouse/oidc/forms/activestate.py` (the form; the organization
//! and the actor are looked up with ActiveState's GraphQL API, which sets `actor_id`). The
//! declared keys: `organization`, `activestate-project`, `actor`, and `actor-id` (the id PyPI
//! bound at registration; without it that comparison is unconfirmed).

use crate::identity::{Claim, Publisher, Registry};
use crate::registry::github::compare;
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Outcome, Refusal, Template,
};

use super::{NOT_FOUND, invalid_publisher, missing_claim};

/// Required claims (`__required_verifiable_claims__`, in order).
pub const REQUIRED_CLAIMS: [&str; 5] = ["sub", "organization", "project", "actor_id", "builder"];

/// `_check_sub`: `org:<organization>:project:<project>` in the first four `:`-separated parts,
/// exactly, with warehouse's own texts.
pub fn check_sub(truth: &str, claim: Option<&str>) -> Result<(), &'static str> {
    let Some(claim) = claim.filter(|c| !c.is_empty()) else {
        return Err("Missing 'subject' claim");
    };
    let parts: Vec<&str> = claim.split(':').collect();
    if parts.len() < 4 {
        return Err("Invalid 'subject' claim. Wrong format");
    }
    if parts[..4].join(":") != truth {
        return Err("Invalid 'subject' claim");
    }
    Ok(())
}

/// Judges an ActiveState publisher as warehouse would, after the token-level steps.
pub fn judge(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let declared = |k: &str| p.extra(k).unwrap_or_default().to_owned();
    let exact = |name: &'static str, claim: &'static str, rule: &'static str| {
        let value = p.extra(name).map(str::to_owned);
        let actual = claims.get(claim);
        FieldCheck {
            name,
            claim,
            outcome: compare(value.as_deref(), &actual, |a, b| a == b),
            expected: value,
            actual,
            rule,
        }
    };
    let actor = claims.get("actor");
    let truth = format!(
        "org:{}:project:{}",
        p.extra("organization").unwrap_or_default(),
        p.extra("activestate-project").unwrap_or_default()
    );
    let sub = claims.get("sub");
    let sub_row = FieldCheck {
        name: "subject",
        claim: "sub",
        expected: Some(truth.clone()),
        outcome: match sub.value() {
            None if sub == Claim::Unknown => Outcome::Unconfirmed,
            v if check_sub(&truth, v).is_ok() => Outcome::Ok,
            _ => Outcome::Differs,
        },
        actual: sub,
        rule: "its first four parts, exact",
    };
    let fields = vec![
        sub_row,
        exact("organization", "organization", "exact"),
        exact("activestate-project", "project", "exact"),
        exact("actor-id", "actor_id", "exact (bound at registration)"),
        FieldCheck {
            name: "actor",
            claim: "actor",
            expected: Some(declared("actor")),
            outcome: Outcome::Ignored {
                same: actor.value() == Some(declared("actor").as_str()),
            },
            actual: actor,
            rule: "not checked (its id is)",
        },
        FieldCheck {
            name: "builder",
            claim: "builder",
            expected: Some("pypi-publisher".into()),
            outcome: compare(Some("pypi-publisher"), &claims.get("builder"), |a, b| {
                a == b
            }),
            actual: claims.get("builder"),
            rule: "must be `pypi-publisher`",
        },
    ];
    let mut notes = Vec::new();
    if p.extra("actor-id").is_none() {
        notes.push(super::unconfirmed_id_note(
            registry,
            "actor-id",
            "actor_id",
            "the actor's id (looked up from the actor's name)",
            &claims.get("actor_id"),
        ));
    }
    let refusal = first_refusal(p, ev, &fields);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

fn first_refusal(p: &Publisher, ev: &EvidenceFacts<'_>, fields: &[FieldCheck]) -> Option<Refusal> {
    if let Some(missing) = missing_claim(ev, &REQUIRED_CLAIMS) {
        return Some(missing);
    }
    let differs = |name: &str| {
        fields
            .iter()
            .any(|f| f.name == name && f.outcome == Outcome::Differs)
    };
    if differs("organization") || differs("activestate-project") || differs("actor-id") {
        return Some(invalid_publisher(NOT_FOUND));
    }
    let truth = format!(
        "org:{}:project:{}",
        p.extra("organization").unwrap_or_default(),
        p.extra("activestate-project").unwrap_or_default()
    );
    if let Claim::Present(sub) = ev.claims.get("sub")
        && let Err(reason) = check_sub(&truth, Some(&sub))
    {
        return Some(invalid_publisher(reason));
    }
    if differs("builder") {
        return Some(invalid_publisher(
            "Check failed for required claim 'builder'",
        ));
    }
    None
}

/// ActiveState's form: organization and actor required (their existence is checked with
/// ActiveState's API, which trustpub does not call); the project name `^[.a-zA-Z0-9-]{3,40}$`,
/// without `--` and without a dash at either end. Errors accumulate.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    if get("organization").is_some_and(|o| o.is_empty()) {
        out.push(FormProblem::refused(
            "organization",
            "Specify ActiveState organization name",
        ));
    }
    if get("actor").is_some_and(|a| a.is_empty()) {
        out.push(FormProblem::refused(
            "actor",
            "Specify the ActiveState actor username",
        ));
    }
    if let Some(project) = get("activestate-project") {
        if project.is_empty() {
            out.push(FormProblem::refused(
                "activestate-project",
                "Specify ActiveState project name",
            ));
        } else {
            if !(3..=40).contains(
                &project
                    .strip_suffix('\n')
                    .unwrap_or(&project)
                    .chars()
                    .count(),
            ) || !super::py_full_match(&project, 3, |c| {
                c.is_ascii_alphanumeric() || ".-".contains(c)
            }) {
                out.push(FormProblem::refused(
                    "activestate-project",
                    "Invalid ActiveState project name",
                ));
            }
            if project.contains("--") {
                out.push(FormProblem::refused(
                    "activestate-project",
                    "Double dashes are not allowed in the name",
                ));
            }
            if project.starts_with('-') || project.ends_with('-') {
                out.push(FormProblem::refused(
                    "activestate-project",
                    "Leading or trailing dashes are not allowed in the name",
                ));
            }
        }
    }
    out
}

/// What to enter in PyPI's ActiveState form.
pub fn template(p: &Publisher) -> Template {
    let v = |k: &str| p.extra(k).unwrap_or_default().to_owned();
    let q = super::query_escape;
    let mut notes = super::common_notes();
    notes.push("PyPI refuses attestations from ActiveState publishers".into());
    Template {
        values: vec![
            FormValue {
                field: "Organization",
                value: v("organization"),
            },
            FormValue {
                field: "Project",
                value: v("activestate-project"),
            },
            FormValue {
                field: "Actor Username",
                value: v("actor"),
            },
        ],
        page: super::page(p),
        prefill_url: Some(format!(
            "{}?provider=activestate&organization={}&project={}&actor={}",
            super::page(p),
            q(&v("organization")),
            q(&v("activestate-project")),
            q(&v("actor"))
        )),
        pending_url: Some(super::pending_url(p.registry)),
        notes,
    }
}
