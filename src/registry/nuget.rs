//! NuGet.org: its federated credential policies for GitHub Actions.
//!
//! Source: NuGet/NuGetGallery `src/NuGetGallery.Services/Authentication/Federated/
//! GitHubTokenPolicyValidator.cs`, `TokenPolicyValidator.cs`, `FederatedCredentialService.cs`
//! (`shared/reference/registries-and-github-oidc.md` §5). Owner and repository are compared
//! case-insensitively, the workflow file comes from `job_workflow_ref`, which must lie under
//! `<owner>/<repo>/.github/workflows/`, and is compared case-insensitively, like the
//! environment; the owner and repository ids are pinned at the first successful use. A refused
//! request is `Unauthorized` (HTTP 401); the detailed reasons are disclosed only once owner and
//! repository matched.

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
    audience: "https://www.nuget.org",
    judge,
    form_problems,
    template,
    extra_keys: &["policy-owner"],
    refused_events: &[],
    workflow_setup: "add a `NuGet/login` step (with an `id:` and your NuGet user name) and pass its `outputs.NUGET_API_KEY` to `--api-key`; give the job `id-token: write`",
};

const RULES: Rules = Rules {
    repository: Case::Insensitive,
    workflow: Case::Insensitive,
    environment: Case::Insensitive,
    workflow_claim: WorkflowClaim::Defining,
    owner_id_rule: "pinned at the first successful use",
    ref_required: false,
};

/// Claims the validator requires.
const REQUIRED: [&str; 6] = [
    "repository",
    "repository_owner",
    "repository_owner_id",
    "repository_id",
    "event_name",
    "job_workflow_ref",
];

fn unauthorized(reason: String) -> Refusal {
    Refusal {
        code: "http-401",
        message: reason.clone(),
        reason,
    }
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    let policy = p.project.clone();
    let user = p
        .policy_owner
        .clone()
        .unwrap_or_else(|| "<policy owner>".into());
    // The workflow must lie in the repository itself.
    let jwr = claims.get("job_workflow_ref");
    let prefix = format!("{}/{}/.github/workflows/", p.owner, p.repository);
    if let (Some(j), Some(f)) = (
        jwr.value(),
        fields.iter_mut().find(|f| f.name == "workflow"),
    ) && !j.to_lowercase().starts_with(&prefix.to_lowercase())
    {
        f.outcome = Outcome::Differs;
    }
    let mut notes = vec![Note {
        id: "ids-pinned-on-first-use",
        text: "NuGet records the owner's and the repository's ids at the first successful publish (a policy unused for 7 days expires); a recreated repository is refused afterwards".into(),
    }];
    if p.policy_owner.is_none() {
        notes.push(Note {
            id: "policy-owner-unknown",
            text: "`policy-owner` is not declared: NuGet/login must send the NuGet user name of the policy's creator, not the policy's owner".into(),
        });
    }
    let refusal = first_refusal(p, ev, &fields, &policy, &user);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

fn first_refusal(
    p: &Publisher,
    ev: &EvidenceFacts<'_>,
    fields: &[FieldCheck],
    policy: &str,
    user: &str,
) -> Option<Refusal> {
    let claims = ev.claims;
    let no_policy = || {
        unauthorized(format!(
            "No matching federated credential trust policy owned by user '{user}' was found."
        ))
    };
    if ev.token_rejected.is_some()
        || github::foreign_issuer(claims).is_some()
        || github::audience_ok(claims, SPEC.audience, ev.is_token) == Some(false)
    {
        return Some(no_policy());
    }
    if let Some(c) = REQUIRED.iter().find(|c| claims.get(c) == Claim::Missing) {
        return Some(Refusal {
            code: "http-400",
            reason: format!("The JSON Web Token is missing the required claim '{c}'."),
            message: format!("The JSON Web Token is missing the required claim '{c}'."),
        });
    }
    let differs = |name: &str| {
        fields
            .iter()
            .any(|f| f.name == name && f.outcome == Outcome::Differs)
    };
    if differs("owner") || differs("repository") {
        return Some(no_policy());
    }
    if differs("workflow") {
        let actual = claims
            .get("job_workflow_ref")
            .value()
            .map(|j| github::workflow_file(j, false).unwrap_or(j).to_owned())
            .unwrap_or_default();
        return Some(unauthorized(format!(
            "Workflow mismatch for policy '{policy}': expected '{}', actual '{actual}'",
            p.workflow
        )));
    }
    if differs("environment") {
        let actual = claims
            .get("environment")
            .value()
            .unwrap_or_default()
            .to_owned();
        return Some(unauthorized(format!(
            "Environment mismatch for policy '{policy}': expected '{}', actual '{actual}'",
            p.environment.as_deref().unwrap_or_default()
        )));
    }
    None
}

fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    // NuGet's form accepts a pasted path or URL and keeps the file name, so a path is not an
    // error here: only the other GitHub rules apply.
    super::pypi::github_form_rules(get)
        .into_iter()
        .filter(|p| {
            !p.message
                .starts_with("Workflow filename must be a filename only")
        })
        .collect()
}

fn template(p: &Publisher) -> Template {
    Template {
        values: vec![
            FormValue { field: "Policy name", value: p.project.clone() },
            FormValue { field: "Package owner", value: p.policy_owner.clone().unwrap_or_default() },
            FormValue { field: "Repository Owner", value: p.owner.clone() },
            FormValue { field: "Repository", value: p.repository.clone() },
            FormValue { field: "Workflow File", value: p.workflow.clone() },
            FormValue { field: "Environment", value: p.environment.clone().unwrap_or_default() },
        ],
        page: "https://www.nuget.org (signed in: user menu, Trusted Publishing)".into(),
        prefill_url: None,
        pending_url: None,
        notes: vec![
            "a policy applies to every package of its owner; NuGet/login takes the NuGet user name of the policy's creator".into(),
            "the owner's and repository's ids are recorded at the first publish; a policy unused for 7 days expires".into(),
        ],
    }
}
