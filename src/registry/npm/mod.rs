//! npm: its OIDC token exchange, as far as it is known, for GitHub Actions, GitLab CI/CD
//! ([`gitlab`]) and CircleCI ([`circleci`]). The registry is closed source: the rules come from
//! npm's documentation (npm/documentation `404e183ea0c1`, `trusted-publishers.mdx`: "All fields
//! are case-sensitive and must be exact"; a reusable workflow is matched by its caller), the npm
//! CLI (`lib/utils/oidc.js` and `lib/commands/trust/*.js` of npm 12.2.2: the audience
//! `npm:registry.npmjs.org`, the trust configuration's claims and the `npm trust` form rules),
//! and the registry's answers seen in issue reports: HTTP 404
//! `OIDC token exchange error - package not found` for every mismatch, 401
//! `OIDC token exchange error - unauthorized` for a token it does not accept.

pub mod answer;
pub mod circleci;
pub mod gitlab;
#[cfg(test)]
mod tests;

use crate::identity::{Claim, Provider, Publisher, Registry, TokenTiming};
use crate::registry::github::{self, Case, Rules};
use crate::registry::{
    EvidenceFacts, FormProblem, FormValue, Judgement, Note, ProviderKeys, Refusal, Spec, Template,
    Upstream, WorkflowClaim,
};

/// The table entry.
pub const SPEC: Spec = Spec {
    audience: "npm:registry.npmjs.org",
    judge,
    form_problems,
    normalize: crate::registry::stored_as_typed,
    template,
    extra_keys: &[],
    other_providers: &[
        ProviderKeys {
            provider: Provider::GitLab,
            required: &["namespace", "repository", "workflow"],
            optional: &["environment"],
        },
        ProviderKeys {
            provider: Provider::CircleCi,
            required: &[
                "org-id",
                "project-id",
                "pipeline-definition-id",
                "vcs-origin",
            ],
            optional: &["context-ids"],
        },
    ],
    refused_events: &[],
    workflow_setup: "remove NODE_AUTH_TOKEN / NPM_TOKEN and any `_authToken` written into `.npmrc`: npm 11.5.1 or later (Node 24.5.0 or later, or `npm install -g npm@latest`) exchanges the job's OIDC token itself (`id-token: write`, GitHub-hosted runner)",
    timing: TIMING,
    upstream: Upstream {
        repository: "closed source: npm/documentation, npm CLI",
        commit: "npm 12.2.2; docs 404e183ea0c1",
        date: "2026-08-21",
        tests: "none upstream: the checks of `npm trust` (CLI 12.2.2, `lib/commands/trust/*.js`)",
        vectors: 20,
    },
    conformance: &[
        (
            "GitLab CI/CD",
            "`project_path`, pipeline file and environment exact; gitlab.com shared runners only",
        ),
        (
            "other publishers",
            "CircleCI: organization, project and pipeline definition ids and VCS origin exact",
        ),
        (
            "answer when refused",
            "HTTP 404 `OIDC token exchange error - package not found` for any mismatch; 401 `... - unauthorized` for a token it does not take (issue reports)",
        ),
        (
            "the form",
            "`npm trust`'s checks: a workflow file name, not a path; CircleCI ids are UUIDs",
        ),
        (
            "GitHub's `sub`",
            "reported to refuse the immutable form (npm/cli#9969, open): a note, not a refusal",
        ),
    ],
};

/// Not published: trustpub assumes no leeway (`exp` must be in the future).
pub const TIMING: TokenTiming = TokenTiming {
    exp_leeway: 0,
    exp_bound_inclusive: false,
    nbf_leeway: 0,
    iat_leeway: None,
    required: &["exp"],
    summary: "not published (trustpub assumes none)",
};

/// How it compares the identity fields.
pub const RULES: Rules = Rules {
    owner: Case::Sensitive,
    repository: Case::Sensitive,
    workflow: Case::Sensitive,
    environment: Case::Sensitive,
    workflow_claim: WorkflowClaim::Caller,
    owner_rule: "exact (owner in `repository`)",
    owner_id_rule: "not documented (a recreated repository was reported refused)",
    ref_required: false,
};

/// npm's answer when no trusted publisher matches.
pub const NOT_FOUND: &str = "OIDC token exchange error - package not found";

/// npm's answer for a token it does not accept.
pub const UNAUTHORIZED: &str = "OIDC token exchange error - unauthorized";

fn refusal(code: &'static str, text: &str) -> Refusal {
    Refusal {
        code,
        reason: text.into(),
        message: text.into(),
    }
}

/// The 404 every mismatch gets.
pub(super) fn not_found() -> Refusal {
    refusal("http-404", NOT_FOUND)
}

/// A token npm does not accept: rejected by `--jwks`, another audience, or another provider's
/// issuer than the publisher's.
pub(super) fn unauthorized_token(ev: &EvidenceFacts<'_>, issuer_ok: bool) -> Option<Refusal> {
    let bad = ev.token_rejected.is_some()
        || !issuer_ok
        || github::audience_ok(ev.claims, SPEC.audience, ev.is_token) == Some(false);
    bad.then(|| refusal("http-401", UNAUTHORIZED))
}

/// The notes every npm judgement carries.
pub(super) fn common_notes(notes: &mut Vec<Note>) {
    notes.insert(
        0,
        Note {
            id: "closed-source-registry",
            text: "npm's registry is closed source: these rules come from its documentation and CLI, and its answers from issue reports".into(),
        },
    );
    notes.push(Note {
        id: "npm-cli-falls-back",
        text: "the npm CLI hides a failed exchange and falls back to any configured token, so the visible error is often `ENEEDAUTH` or `E404 ... PUT`; run `npm publish --loglevel verbose` to see the exchange's own answer".into(),
    });
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    match p.provider {
        Provider::GitLab => return gitlab::judge(p, ev),
        Provider::CircleCi => return circleci::judge(p, ev),
        _ => {}
    }
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
    let mut notes = Vec::new();
    let issuer_ok = github::foreign_issuer(claims).is_none();
    let refusal = if let Some(r) = unauthorized_token(ev, issuer_ok) {
        Some(r)
    } else if let Some(f) =
        github::first_difference(&fields, &["owner", "repository", "workflow", "environment"])
    {
        notes.push(github::silent_registry_note("npm", NOT_FOUND, Some(f)));
        Some(not_found())
    } else if claims.get("workflow_ref") == Claim::Missing {
        Some(not_found())
    } else {
        None
    };
    if claims.get("runner_environment").value() == Some("self-hosted") {
        notes.push(Note { id: "self-hosted-runner", text: "npm accepts Trusted Publishing from GitHub-hosted runners only; this run was on a self-hosted runner".into() });
    }
    notes.extend(github::subject_notes(claims, "npm", true));
    common_notes(&mut notes);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// `npm trust github`'s checks (`lib/commands/trust/github.js`): the workflow file is required,
/// ends in `.yml` or `.yaml` (case-sensitive) and is a file name, not a path; the repository is
/// `owner/repository`. The web form adds nothing the CLI does not check.
fn github_form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    if let Some(wf) = get("workflow") {
        if wf.is_empty() {
            out.push(FormProblem::refused(
                "workflow",
                "GitHub Actions Workflow must be specified with the file option",
            ));
        } else if !(wf.ends_with(".yml") || wf.ends_with(".yaml")) {
            out.push(FormProblem::refused(
                "workflow",
                "GitHub Actions Workflow must end in .yml or .yaml",
            ));
        } else if wf.contains('/') {
            out.push(
                FormProblem::refused(
                    "workflow",
                    "GitHub Actions workflow must be just a file not a path",
                )
                .with_help(format!(
                    "write `{}`: the registry takes the file name, not the path",
                    wf.rsplit('/').next().unwrap_or(&wf)
                )),
            );
        }
    }
    let owner = get("owner").unwrap_or_default();
    let repository = get("repository").unwrap_or_default();
    if get("owner").is_some() && get("repository").is_some() {
        let full = format!("{owner}/{repository}");
        if owner.is_empty() || repository.is_empty() || full.split('/').count() != 2 {
            out.push(FormProblem::refused(
                if owner.is_empty() || owner.contains('/') {
                    "owner"
                } else {
                    "repository"
                },
                "GitHub repository must be specified in the format owner/repository",
            ));
        }
    }
    out
}

fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    match get("provider").as_deref() {
        Some("gitlab") => gitlab::form_rules(get),
        Some("circleci") => circleci::form_rules(get),
        _ => github_form_rules(get),
    }
}

/// The notes of every npm template.
pub(super) fn template_notes(command: String) -> Vec<String> {
    vec![
        "the package must already exist; one trusted publisher per package".into(),
        format!("or from a terminal (npm 11.10 or later, with 2FA): {command}"),
    ]
}

fn template(p: &Publisher) -> Template {
    match p.provider {
        Provider::GitLab => return gitlab::template(p),
        Provider::CircleCi => return circleci::template(p),
        _ => {}
    }
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
