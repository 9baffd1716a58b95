//! crates.io: its token exchange for GitHub Actions, with its order of checks and its own error
//! texts, and its "add a Trusted Publisher" form.
//!
//! Source: rust-lang/crates.io `src/controllers/trustpub/tokens/exchange/mod.rs`
//! (`handle_github_token_inner`), `crates/crates_io_trustpub/src/github/{claims,validation}.rs`,
//! as researched in `shared/reference/registries-and-github-oidc.md` §2. Every refusal is an
//! HTTP 400 whose body carries the text below. Matching: owner and repository
//! case-insensitive (SQL `lower()`), owner id pinned when the config was created, the workflow
//! file from `workflow_ref` (the top-level caller, not a reusable workflow it calls) compared
//! exactly, the environment case-insensitive, `pull_request_target` and `workflow_run` refused.

use crate::identity::Claim;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::registry::github::{self, Case, Rules};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Refusal, Spec,
    Template, WorkflowClaim,
};

pub mod answer;

/// The table entry.
pub const SPEC: Spec = Spec {
    audience: "crates.io",
    judge,
    form_problems,
    template,
    extra_keys: &[],
    refused_events: &["pull_request_target", "workflow_run"],
    workflow_setup: "add a `rust-lang/crates-io-auth-action` step (with an `id:`) and pass its `outputs.token` as CARGO_REGISTRY_TOKEN, or let release-plz exchange the token itself (no CARGO_REGISTRY_TOKEN at all); give the job `id-token: write`",
};

/// How crates.io compares the identity fields; `drift` holds live publishers to the same rules.
pub const RULES: Rules = Rules {
    repository: Case::Insensitive,
    workflow: Case::Sensitive,
    environment: Case::Insensitive,
    workflow_claim: WorkflowClaim::Caller,
    owner_id_rule: "exact (pinned when the config was created)",
    ref_required: true,
};

/// Claims `GitHubClaims` must deserialize; one absent fails with `Failed to decode JWT`.
const REQUIRED: [&str; 7] = [
    "jti",
    "repository_owner_id",
    "repository",
    "workflow_ref",
    "event_name",
    "run_id",
    "sha",
];

fn bad_request(reason: impl Into<String>) -> Refusal {
    let reason = reason.into();
    Refusal {
        code: "http-400",
        message: reason.clone(),
        reason,
    }
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    let event = claims.get("event_name");
    fields.push(FieldCheck {
        name: "event_name",
        claim: "event_name",
        expected: Some(format!("not {}", SPEC.refused_events.join(" or "))),
        outcome: match event.value() {
            None if event == Claim::Unknown => Outcome::Unconfirmed,
            Some(e) if SPEC.refused_events.contains(&e) => Outcome::Differs,
            Some(_) => Outcome::Ok,
            None => Outcome::Differs,
        },
        actual: event.clone(),
        rule: "`pull_request_target`, `workflow_run` refused",
    });
    let mut notes = Vec::new();
    if p.owner_id.is_none() {
        notes.push(Note {
            id: "owner-id-unconfirmed",
            text: "owner-id is not declared, so it cannot be confirmed: crates.io pinned the owner's id when the config was created".into(),
        });
    }
    if let (Some(w), Some(j)) = (
        claims.get("workflow_ref").value(),
        claims.get("job_workflow_ref").value(),
    ) && w != j
    {
        notes.push(Note {
                id: "reusable-workflow",
                text: format!(
                    "the job runs in a reusable workflow; crates.io matches the caller named by `workflow_ref` (`{}`), not the called file",
                    github::workflow_file(w, true).unwrap_or(w)
                ),
            });
    }
    let refusal = first_refusal(p, ev, &fields);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

fn first_refusal(p: &Publisher, ev: &EvidenceFacts<'_>, fields: &[FieldCheck]) -> Option<Refusal> {
    let claims = ev.claims;
    if let Some(iss) = github::foreign_issuer(claims) {
        if iss != "https://gitlab.com" {
            return Some(bad_request(format!("Unsupported JWT issuer: {iss}")));
        }
        return Some(bad_request(format!(
            "No Trusted Publishing config found for repository `{}`.",
            claims.get("project_path").value().unwrap_or("?")
        )));
    }
    if ev.is_token && claims.get("iss") == Claim::Missing {
        return Some(bad_request("Failed to decode JWT"));
    }
    // `GitHubClaims::decode`: signature, audience, expiry, and every required claim.
    if ev.token_rejected.is_some()
        || github::audience_ok(claims, SPEC.audience, ev.is_token) == Some(false)
        || REQUIRED.iter().any(|c| claims.get(c) == Claim::Missing)
    {
        return Some(bad_request("Failed to decode JWT"));
    }
    if let Some(e) = claims.get("event_name").value()
        && SPEC.refused_events.contains(&e)
    {
        return Some(bad_request(format!(
            "Trusted Publishing does not support the `{e}` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`."
        )));
    }
    let repo = claims
        .get("repository")
        .value()
        .unwrap_or_default()
        .to_owned();
    if claims.get("repository").value().is_some() && !repo.contains('/') {
        return Some(bad_request("Unexpected `repository` value"));
    }
    if let Some(w) = claims.get("workflow_ref").value()
        && github::workflow_file(w, true).is_none()
    {
        return Some(bad_request("Unexpected `workflow_ref` value"));
    }
    if let Some(id) = claims.get("repository_owner_id").value()
        && id.parse::<i32>().is_err()
    {
        return Some(bad_request("Unexpected `repository_owner_id` value"));
    }
    let differs = |name: &str| {
        fields
            .iter()
            .any(|f| f.name == name && f.outcome == Outcome::Differs)
    };
    let actual = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.actual.value().map(str::to_owned))
            .unwrap_or_default()
    };
    if differs("owner") || differs("repository") {
        return Some(bad_request(format!(
            "No Trusted Publishing config found for repository `{repo}`."
        )));
    }
    if differs("owner-id") {
        return Some(bad_request(format!(
            "The Trusted Publishing config for repository `{repo}` does not match the repository owner ID ({}) in the JWT. Expected owner IDs: {}. Please recreate the Trusted Publishing config to update the repository owner ID.",
            actual("owner-id"),
            p.owner_id.as_deref().unwrap_or_default()
        )));
    }
    if differs("workflow") {
        return Some(bad_request(format!(
            "The Trusted Publishing config for repository `{repo}` does not match the workflow filename `{}` in the JWT. Expected workflow filenames: `{}`",
            actual("workflow"),
            p.workflow
        )));
    }
    if differs("environment") {
        let expected = format!("`{}`", p.environment.as_deref().unwrap_or_default());
        return Some(bad_request(match claims.get("environment").value() {
            Some(env) => format!(
                "The Trusted Publishing config for repository `{repo}` does not match the environment `{env}` in the JWT. Expected environments: {expected}"
            ),
            None => format!(
                "The Trusted Publishing config for repository `{repo}` requires an environment, but the JWT does not specify one. Expected environments: {expected}"
            ),
        }));
    }
    None
}

/// crates.io's config validation (`crates/crates_io_trustpub/src/github/validation.rs`).
fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    super::pypi::github_form_rules(get)
}

fn template(p: &Publisher) -> Template {
    Template {
        values: vec![
            FormValue { field: "Repository owner", value: p.owner.clone() },
            FormValue { field: "Repository name", value: p.repository.clone() },
            FormValue { field: "Workflow filename", value: p.workflow.clone() },
            FormValue { field: "Environment (optional)", value: p.environment.clone().unwrap_or_default() },
        ],
        page: format!("https://crates.io/crates/{}/settings", p.project),
        prefill_url: None,
        pending_url: None,
        notes: vec![
            "the crate must already exist on crates.io: publish its first version with an API token".into(),
            "the workflow is the top-level file of the run (`workflow_ref`), even when the upload happens in a reusable workflow it calls".into(),
            "at most 5 GitHub configs per crate; the owner's id is recorded when the config is created".into(),
        ],
    }
}
