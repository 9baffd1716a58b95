//! npm: its OIDC token exchange for GitHub Actions, as far as it is known. The registry is
//! closed source; the rules come from npm's documentation and the npm CLI
//! (`shared/reference/registries-and-github-oidc.md` §3): every field exact, the workflow file
//! from `workflow_ref` (the calling workflow for a reusable one), the audience
//! `npm:registry.npmjs.org`, and one answer for every mismatch: HTTP 404
//! `OIDC token exchange error - package not found` (observed in issue reports).

use crate::identity::Claim;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::registry::github::{self, Case, Rules};
use crate::registry::{
    EvidenceFacts, FormProblem, FormValue, Judgement, Note, Refusal, Spec, Template, WorkflowClaim,
};

pub mod answer;

/// The table entry.
pub const SPEC: Spec = Spec {
    audience: "npm:registry.npmjs.org",
    judge,
    form_problems,
    template,
    extra_keys: &[],
    refused_events: &[],
    workflow_setup: "remove NODE_AUTH_TOKEN / NPM_TOKEN and any `_authToken` written into `.npmrc`: npm 11.5.1 or later (Node 24.5.0 or later, or `npm install -g npm@latest`) exchanges the job's OIDC token itself (`id-token: write`, GitHub-hosted runner)",
};

const RULES: Rules = Rules {
    repository: Case::Sensitive,
    workflow: Case::Sensitive,
    environment: Case::Sensitive,
    workflow_claim: WorkflowClaim::Caller,
    owner_id_rule: "not documented (a recreated repository was reported refused)",
    ref_required: false,
};

/// npm's answer when no trusted publisher matches.
pub const NOT_FOUND: &str = "OIDC token exchange error - package not found";

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    // npm's documentation does not say it checks the owner id: the row informs, it does not decide.
    if let Some(f) = fields.iter_mut().find(|f| f.name == "owner-id") {
        f.outcome = crate::registry::Outcome::Ignored {
            same: f
                .expected
                .as_deref()
                .is_some_and(|e| f.actual.value() == Some(e)),
        };
    }
    let mut notes = vec![Note {
        id: "closed-source-registry",
        text: "npm's registry is closed source: these rules come from its documentation and CLI, and its answers from issue reports".into(),
    }];
    let token_problem = ev.token_rejected.is_some()
        || github::foreign_issuer(claims).is_some()
        || github::audience_ok(claims, SPEC.audience, ev.is_token) == Some(false);
    let refusal = if token_problem {
        Some(Refusal {
            code: "http-401",
            reason: "OIDC token exchange error - unauthorized".into(),
            message: "OIDC token exchange error - unauthorized".into(),
        })
    } else if let Some(f) =
        github::first_difference(&fields, &["owner", "repository", "workflow", "environment"])
    {
        notes.push(github::silent_registry_note("npm", NOT_FOUND, Some(f)));
        Some(Refusal {
            code: "http-404",
            reason: NOT_FOUND.into(),
            message: NOT_FOUND.into(),
        })
    } else if claims.get("workflow_ref") == Claim::Missing {
        Some(Refusal {
            code: "http-404",
            reason: NOT_FOUND.into(),
            message: NOT_FOUND.into(),
        })
    } else {
        None
    };
    if claims.get("runner_environment").value() == Some("self-hosted") {
        notes.push(Note { id: "self-hosted-runner", text: "npm accepts Trusted Publishing from GitHub-hosted runners only; this run was on a self-hosted runner".into() });
    }
    notes.push(Note {
        id: "npm-cli-falls-back",
        text: "the npm CLI hides a failed exchange and falls back to any configured token, so the visible error is often `ENEEDAUTH` or `E404 ... PUT`; run `npm publish --loglevel verbose` to see the exchange's own answer".into(),
    });
    Judgement {
        refusal,
        fields,
        notes,
    }
}

fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    super::pypi::github_form_rules(get)
}

fn template(p: &Publisher) -> Template {
    Template {
        values: vec![
            FormValue { field: "Publisher", value: "GitHub Actions".into() },
            FormValue { field: "Organization or user", value: p.owner.clone() },
            FormValue { field: "Repository", value: p.repository.clone() },
            FormValue { field: "Workflow filename", value: p.workflow.clone() },
            FormValue { field: "Environment name (optional)", value: p.environment.clone().unwrap_or_default() },
        ],
        page: format!("https://www.npmjs.com/package/{}/access", p.project),
        prefill_url: None,
        pending_url: None,
        notes: vec![
            "the package must already exist; one trusted publisher per package".into(),
            format!(
                "or from a terminal (npm 11.10 or later, with 2FA): npm trust github {} --repo {}/{} --file {}{}",
                p.project,
                p.owner,
                p.repository,
                p.workflow,
                p.environment.as_deref().map_or_else(String::new, |e| format!(" --env {e}"))
            ),
            "publish with npm 11.5.1 or later on a GitHub-hosted runner; the workflow is the calling (top-level) file".into(),
        ],
    }
}
