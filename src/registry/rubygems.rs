//! RubyGems.org: its trusted publisher lookup and access policy for GitHub Actions.
//!
//! Source: rubygems/rubygems.org `app/models/oidc/trusted_publisher/github_action.rb`,
//! `app/controllers/api/v1/oidc/trusted_publisher_controller.rb`,
//! `app/controllers/concerns/jwt_validation.rb` (`shared/reference/registries-and-github-oidc.md`
//! §4). Every field is compared as stored (SQL equality on plain strings: case-sensitive); the
//! workflow file comes from `job_workflow_ref` (the called file), which must lie in the
//! repository itself or in the declared `workflow-repository-*`; the owner id was pinned when the
//! publisher was created; and almost every refusal is a bare HTTP 404 `Not Found`.

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
    audience: "rubygems.org",
    judge,
    form_problems,
    template,
    extra_keys: &["workflow-repository-owner", "workflow-repository-name"],
    refused_events: &[],
    workflow_setup: "use `rubygems/release-gem`, or `rubygems/configure-rubygems-credentials` before `gem push`, instead of GEM_HOST_API_KEY; give the job `id-token: write`",
};

/// How RubyGems compares the identity fields; `drift` holds live publishers to the same rules.
pub const RULES: Rules = Rules {
    repository: Case::Sensitive,
    workflow: Case::Sensitive,
    environment: Case::Sensitive,
    workflow_claim: WorkflowClaim::Defining,
    owner_id_rule: "exact (pinned when the publisher was created)",
    ref_required: false,
};

fn not_found() -> Refusal {
    Refusal {
        code: "http-404",
        reason: "Not Found".into(),
        message: "Not Found".into(),
    }
}

/// The repository that holds the workflow file: the declared `workflow-repository-*`, or the
/// repository itself.
fn workflow_repository(p: &Publisher) -> (String, String) {
    p.workflow_repository
        .clone()
        .unwrap_or_else(|| (p.owner.clone(), p.repository.clone()))
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    let (wo, wn) = workflow_repository(p);
    let prefix = format!("{wo}/{wn}/.github/workflows/");
    let jwr = claims.get("job_workflow_ref");
    let ref_ = claims.get("ref");
    let sha = claims.get("sha");
    let expected_ref = format!(
        "{prefix}{}@{}",
        p.workflow,
        ref_.value().or(sha.value()).unwrap_or("<ref>")
    );
    let jwr_outcome = match jwr.value() {
        None if jwr == Claim::Unknown => Outcome::Unconfirmed,
        None => Outcome::Differs,
        Some(j) => {
            let accepted: Vec<String> = [
                ref_.value(),
                sha.value(),
                claims.get("job_workflow_sha").value(),
            ]
            .into_iter()
            .flatten()
            .map(|r| format!("{prefix}{}@{r}", p.workflow))
            .collect();
            if accepted.iter().any(|a| a == j) {
                Outcome::Ok
            } else if !j.starts_with(&format!("{prefix}{}@", p.workflow)) {
                // No ref could make another repository's or file's claim match.
                Outcome::Differs
            } else if ref_ == Claim::Unknown || sha == Claim::Unknown {
                Outcome::Unconfirmed
            } else {
                Outcome::Differs
            }
        }
    };
    fields.push(FieldCheck {
        name: "job_workflow_ref",
        claim: "job_workflow_ref",
        expected: Some(expected_ref),
        outcome: jwr_outcome,
        actual: jwr.clone(),
        rule: "exact: `<workflow repository>/.github/workflows/<file>@<ref or sha>`",
    });
    let mut notes = Vec::new();
    if p.owner_id.is_none() {
        notes.push(Note {
            id: "owner-id-unconfirmed",
            text: "owner-id is not declared, so it cannot be confirmed: RubyGems pinned the owner's id when the publisher was created".into(),
        });
    }
    if let (Some(j), Some(repo)) = (jwr.value(), claims.get("repository").value())
        && !j.starts_with(&format!("{repo}/"))
        && p.workflow_repository.is_none()
    {
        notes.push(Note {
                id: "cross-repository-workflow",
                text: format!(
                    "the job comes from a workflow in another repository (`{}`): RubyGems accepts it only if the publisher names that repository (`workflow-repository-owner`, `workflow-repository-name`)",
                    j.split("/.github/").next().unwrap_or(j)
                ),
            });
    }
    let refusal = first_refusal(ev, &fields);
    if refusal.as_ref().is_some_and(|r| r.code == "http-404") {
        let field = github::first_difference(
            &fields,
            &[
                "owner",
                "repository",
                "owner-id",
                "workflow",
                "environment",
                "aud",
                "job_workflow_ref",
            ],
        );
        notes.push(github::silent_registry_note(
            "RubyGems",
            "404 Not Found",
            field,
        ));
    }
    Judgement {
        refusal,
        fields,
        notes,
    }
}

fn first_refusal(ev: &EvidenceFacts<'_>, fields: &[FieldCheck]) -> Option<Refusal> {
    let claims = ev.claims;
    // `jwt_validation.rb`: `nbf`, `iat`, `exp` integers, `iss`, `jti` strings.
    if ev.is_token {
        for c in ["nbf", "iat", "exp"] {
            if !claims.raw().get(c).is_some_and(serde_json::Value::is_i64) {
                let reason = format!("Missing/invalid {c}");
                return Some(Refusal {
                    code: "http-400",
                    message: reason.clone(),
                    reason,
                });
            }
        }
        for c in ["iss", "jti"] {
            if !claims
                .raw()
                .get(c)
                .is_some_and(serde_json::Value::is_string)
            {
                let reason = format!("Missing/invalid {c}");
                return Some(Refusal {
                    code: "http-400",
                    message: reason.clone(),
                    reason,
                });
            }
        }
    }
    if ev.token_rejected.is_some() || github::foreign_issuer(claims).is_some() {
        return Some(not_found());
    }
    let decides = [
        "owner",
        "repository",
        "owner-id",
        "workflow",
        "environment",
        "aud",
        "job_workflow_ref",
    ];
    if fields
        .iter()
        .any(|f| decides.contains(&f.name) && f.outcome == Outcome::Differs)
    {
        return Some(not_found());
    }
    // An environment claim only finds a publisher with that environment or none; no claim only
    // finds publishers without one (both handled by the environment row).
    None
}

fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut problems = super::pypi::github_form_rules(get);
    if get("workflow-repository-owner").is_some() != get("workflow-repository-name").is_some() {
        problems.push(FormProblem {
            field: if get("workflow-repository-owner").is_some() {
                "workflow-repository-owner"
            } else {
                "workflow-repository-name"
            },
            message:
                "give both `workflow-repository-owner` and `workflow-repository-name`, or neither"
                    .into(),
            help: None,
        });
    }
    problems
}

fn template(p: &Publisher) -> Template {
    let (wo, wn) = workflow_repository(p);
    let mut values = vec![
        FormValue {
            field: "Repository owner",
            value: p.owner.clone(),
        },
        FormValue {
            field: "Repository name",
            value: p.repository.clone(),
        },
        FormValue {
            field: "Workflow filename",
            value: p.workflow.clone(),
        },
        FormValue {
            field: "Environment",
            value: p.environment.clone().unwrap_or_default(),
        },
    ];
    if p.workflow_repository.is_some() {
        values.push(FormValue {
            field: "Workflow repository owner",
            value: wo,
        });
        values.push(FormValue {
            field: "Workflow repository name",
            value: wn,
        });
    }
    Template {
        values,
        page: format!(
            "https://rubygems.org/gems/{}/trusted_publishers/new",
            p.project
        ),
        prefill_url: None,
        pending_url: Some(
            "https://rubygems.org/profile/oidc/pending_trusted_publishers/new".into(),
        ),
        notes: vec![
            "every field is compared exactly, case included".into(),
            "a pending publisher (for a gem that does not exist yet) expires after 12 hours".into(),
        ],
    }
}
