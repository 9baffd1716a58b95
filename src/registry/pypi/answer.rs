//! PyPI's answers, read with PyPI's own texts: warehouse @6b62157124ab `warehouse/oidc/views.py`
//! (the codes; `valid token, but no corresponding publisher ({reason})`),
//! `warehouse/oidc/models/_core.py` (`Missing claim {name!r}`, `Check failed for required claim
//! {name!r}`), `warehouse/oidc/models/github.py` (`_check_job_workflow_ref`,
//! `_check_event_name`), `warehouse/oidc/services.py` (`JWT issuer ... does not match`).

use crate::identity::{Claim, Publisher};
use crate::registry::answer::{self, Answer, Meaning, Reading, cause};

/// The lookup's answer before warehouse PR #18169.
const NOT_FOUND_BEFORE: &str = "All lookup strategies exhausted";

/// What PyPI's answer says about this publisher.
pub fn read(p: &Publisher, a: &Answer<'_>) -> Reading {
    let text = a.text.trim();
    let reason = text
        .strip_prefix("valid token, but no corresponding publisher")
        .map(|r| {
            r.trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or(r.trim())
        })
        .unwrap_or(text);
    let reading = |meaning, cause| answer::reading(a, reason, meaning, cause);
    match a.code {
        "invalid-publisher" => {}
        "invalid-pending-publisher" => {
            return reading(
                Meaning::Refusal,
                Some(cause(
                    "project",
                    "repository",
                    Some(p.project.clone()),
                    Claim::Unknown,
                    "a pending publisher creates a project that does not exist yet",
                )),
            );
        }
        _ => return reading(Meaning::Refusal, None),
    }
    if reason.is_empty() || reason == super::NOT_FOUND || reason == NOT_FOUND_BEFORE {
        return reading(Meaning::NotFound, None);
    }
    if reason.starts_with("Publishing from a workflow invoked via 'pull_request_target'") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "event_name",
                "event_name",
                Some("not pull_request_target".into()),
                Claim::Present("pull_request_target".into()),
                "`pull_request_target` refused",
            )),
        );
    }
    if let Some(name) = answer::quoted_after(reason, "Missing claim ")
        && let Some(claim) = super::REQUIRED_CLAIMS.iter().find(|c| **c == name)
    {
        return reading(
            Meaning::Refusal,
            Some(cause(
                claim,
                claim,
                Some("present".into()),
                Claim::Missing,
                "required",
            )),
        );
    }
    for marker in [
        "Check failed for required claim ",
        "Check failed for optional claim ",
    ] {
        if let Some(name) = answer::quoted_after(reason, marker) {
            let row = match name {
                "repository" => Some(("repository", "repository")),
                "repository_owner" => Some(("owner", "repository_owner")),
                "repository_owner_id" => Some(("owner-id", "repository_owner_id")),
                "job_workflow_ref" => Some(("job_workflow_ref", "job_workflow_ref")),
                "environment" => Some(("environment", "environment")),
                "event_name" => Some(("event_name", "event_name")),
                _ => None,
            };
            let cause =
                row.map(|(name, claim)| cause(name, claim, None, Claim::Unknown, "checked"));
            return reading(Meaning::Refusal, cause);
        }
    }
    if reason.starts_with("The job_workflow_ref claim") {
        let got = reason
            .rsplit_once(", got ")
            .map(|(_, g)| g.trim_matches(|c| c == '\'' || c == '"').to_owned());
        return reading(
            Meaning::Refusal,
            Some(cause(
                "job_workflow_ref",
                "job_workflow_ref",
                None,
                got.map_or(Claim::Unknown, Claim::Present),
                "exact, then `@ref` or `@sha`",
            )),
        );
    }
    if reason.starts_with("The ref and sha claims are empty") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "job_workflow_ref",
                "ref",
                None,
                Claim::Present(String::new()),
                "exact, then `@ref` or `@sha`",
            )),
        );
    }
    if reason.starts_with("Could not job extract workflow filename") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "workflow",
                "job_workflow_ref",
                Some(p.workflow.clone()),
                Claim::Missing,
                "a `.yml` or `.yaml` file followed by `@`",
            )),
        );
    }
    if let Some(iss) = answer::quoted_after(reason, "JWT issuer ") {
        return reading(Meaning::Refusal, Some(answer::issuer_cause(iss)));
    }
    reading(Meaning::Refusal, None)
}
