//! PyPI's Google publisher: a Google Cloud service account, by its email and optionally its
//! subject.
//!
//! Source: pypi/warehouse `6b62157124ab`, `warehouse/oidc/models/google.py`
//! (`lookup_by_claims`: the email exactly, then a publisher whose `sub` equals the claim, else
//! one without a `sub`; `verify_claims`: `email` (`str.__eq__`), `email_verified`
//! (`check_claim_invariant(True)`), then the optional `sub`) and `warehouse/oidc/forms/google.py`
//! (`email`: `InputRequired`, `Email()`; `sub`: `Optional()`; both stored as typed). The
//! declared keys: `email`, and `subject` for the optional `sub`.

use crate::identity::{Claim, Publisher, Registry};
use crate::registry::github::compare;
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Outcome, Refusal, Template,
};

use super::{NOT_FOUND, invalid_publisher, missing_claim};

/// Required claims (`__required_verifiable_claims__`).
pub const REQUIRED_CLAIMS: [&str; 2] = ["email", "email_verified"];

/// Whether `email_verified` passes `True == claim == True`: JSON `true`, or a number equal to 1
/// (Python's `True == 1`).
pub fn email_verified(claim: Option<&serde_json::Value>) -> bool {
    match claim {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::Number(n)) => n.as_f64() == Some(1.0),
        _ => false,
    }
}

/// `_check_sub`: a publisher without a subject accepts any; one with a subject needs the claim,
/// exactly.
pub fn subject_accepts(declared: Option<&str>, claim: Option<&str>) -> bool {
    match declared.filter(|d| !d.is_empty()) {
        None => true,
        Some(d) => claim.is_some_and(|c| !c.is_empty() && c == d),
    }
}

/// Judges a Google publisher as warehouse would, after the token-level steps.
pub fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let email = claims.get("email");
    let declared_email = p.extra("email").unwrap_or_default();
    let declared_sub = p.extra("subject");
    let sub = claims.get("sub");
    let verified = claims.get("email_verified");
    let fields = vec![
        FieldCheck {
            name: "email",
            claim: "email",
            expected: Some(declared_email.to_owned()),
            outcome: compare(Some(declared_email), &email, |a, b| a == b),
            actual: email.clone(),
            rule: "exact, case-sensitive",
        },
        FieldCheck {
            name: "email_verified",
            claim: "email_verified",
            expected: Some("true".into()),
            outcome: match &verified {
                Claim::Unknown => Outcome::Unconfirmed,
                _ if email_verified(claims.raw().get("email_verified")) => Outcome::Ok,
                _ => Outcome::Differs,
            },
            actual: verified,
            rule: "must be `true`",
        },
        FieldCheck {
            name: "subject",
            claim: "sub",
            expected: declared_sub.map(str::to_owned),
            outcome: match (declared_sub, &sub) {
                (None, _) => Outcome::Ok,
                (Some(_), Claim::Unknown) => Outcome::Unconfirmed,
                (d, s) if subject_accepts(d, s.value()) => Outcome::Ok,
                _ => Outcome::Differs,
            },
            actual: sub.clone(),
            rule: if declared_sub.is_some() {
                "exact"
            } else {
                "none declared: any accepted"
            },
        },
    ];
    let refusal = first_refusal(ev, &fields);
    Judgement {
        refusal,
        fields,
        notes: Vec::new(),
    }
}

fn first_refusal(ev: &EvidenceFacts<'_>, fields: &[FieldCheck]) -> Option<Refusal> {
    if let Some(missing) = missing_claim(ev, &REQUIRED_CLAIMS) {
        return Some(missing);
    }
    let differs = |name: &str| {
        fields
            .iter()
            .any(|f| f.name == name && f.outcome == Outcome::Differs)
    };
    // The lookup: the email, then the subject (a publisher with a subject is found only for
    // that subject).
    if differs("email") || differs("subject") {
        return Some(invalid_publisher(NOT_FOUND));
    }
    if differs("email_verified") {
        return Some(invalid_publisher(
            "Check failed for required claim 'email_verified'",
        ));
    }
    None
}

/// Google's form: `email` is required (WTForms' own `This field is required.`) and must look
/// like an address (`Email()`: `Invalid email address.`, trustpub's approximation of
/// `email_validator` without the deliverability check); `subject` is free text.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    if let Some(email) = get("email") {
        if email.is_empty() {
            out.push(FormProblem::refused("email", "This field is required."));
        } else if !looks_like_email(&email) {
            out.push(FormProblem::refused("email", "Invalid email address."));
        }
    }
    out
}

/// `local@domain.tld`, with no whitespace: the shape `email_validator` insists on.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// What to enter in PyPI's Google form.
pub fn template(p: &Publisher) -> Template {
    let q = super::query_escape;
    let mut prefill = format!(
        "{}?provider=google&email={}",
        super::page(p),
        q(p.extra("email").unwrap_or_default())
    );
    if let Some(sub) = p.extra("subject") {
        prefill.push_str(&format!("&sub={}", q(sub)));
    }
    let mut notes = super::common_notes();
    notes.push("the email is compared exactly: write it as the service account's token carries it (lowercase)".into());
    Template {
        values: vec![
            FormValue {
                field: "Email",
                value: p.extra("email").unwrap_or_default().to_owned(),
            },
            FormValue {
                field: "Subject",
                value: p.extra("subject").unwrap_or_default().to_owned(),
            },
        ],
        page: super::page(p),
        prefill_url: Some(prefill),
        pending_url: Some(super::pending_url(p.registry)),
        notes,
    }
}
