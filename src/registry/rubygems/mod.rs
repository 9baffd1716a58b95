//! RubyGems.org: its trusted publisher lookup and access policy for GitHub Actions, and its
//! trusted-publisher form.
//!
//! Source: rubygems/rubygems.org at `3c8ea0d4cbe8` (2026-08-22):
//! `app/models/oidc/trusted_publisher/github_action.rb` (`for_claims`, `to_access_policy`,
//! `job_workflow_refs` as changed by #6346, merged `37b5138a988a`; the validations),
//! `app/models/oidc/access_policy.rb`, `app/controllers/api/v1/oidc/trusted_publisher_controller.rb`
//! and `app/controllers/concerns/jwt_validation.rb` (the order of checks). Every field is
//! compared as stored (SQL equality on plain strings: case-sensitive); the workflow file comes
//! from `job_workflow_ref` (the called file), whose repository must be the run's own (then the
//! publisher names no workflow repository, and the ref is the run's `ref` or `sha`) or the
//! declared `workflow-repository-*` (then any ref of that file is accepted: the ref is read
//! from `job_workflow_ref` itself, or `job_workflow_sha`); the owner id was pinned when the
//! publisher was created; almost every refusal is a bare HTTP 404 `Not Found`. GitLab support is
//! an open pull request (#5978): RubyGems trusts GitHub Actions only.

#[cfg(test)]
mod tests;

pub mod answer;

use crate::identity::{Claim, Publisher, Registry, TokenTiming};
use crate::registry::github::{self, Case, Rules};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Refusal, Spec,
    Template, Upstream, WorkflowClaim,
};

/// The table entry.
pub const SPEC: Spec = Spec {
    audience: "rubygems.org",
    judge,
    form_problems,
    normalize: crate::registry::stored_as_typed,
    template,
    extra_keys: &["workflow-repository-owner", "workflow-repository-name"],
    other_providers: &[],
    refused_events: &[],
    workflow_setup: "use `rubygems/release-gem`, or `rubygems/configure-rubygems-credentials` before `gem push`, instead of GEM_HOST_API_KEY; give the job `id-token: write`",
    timing: TIMING,
    upstream: Upstream {
        repository: "rubygems/rubygems.org",
        commit: "3c8ea0d4cbe8",
        date: "2026-08-22",
        tests: "test/models/oidc/trusted_publisher/github_action_test.rb, test/integration/api/v1/oidc/trusted_publisher_controller_test.rb",
        vectors: 48,
    },
    conformance: &[
        ("GitLab CI/CD", "not accepted (an open pull request, #5978)"),
        ("other publishers", "none"),
        (
            "answer when refused",
            "HTTP 404 `Not Found` for everything after decoding; 400 `Missing/invalid <claim>` for a malformed token; 500 when a claim `for_claims` fetches is missing",
        ),
        (
            "the form",
            "presence and 255 characters; `.yml`/`.yaml` (case-sensitive) and no directory; the workflow repository both or neither, and not the repository itself",
        ),
        ("GitHub's `sub`", "not read"),
    ],
};

/// `verify_jwt_time` (`jwt_validation.rb`): `nbf <= now && now < exp`, no leeway; `iat` is only
/// type-checked.
pub const TIMING: TokenTiming = TokenTiming {
    exp_leeway: 0,
    exp_bound_inclusive: false,
    nbf_leeway: 0,
    iat_leeway: None,
    required: &["nbf", "exp"],
    summary: "none (`nbf <= now < exp`)",
};

/// How RubyGems compares the identity fields; `drift` holds live publishers to the same rules.
pub const RULES: Rules = Rules {
    owner: Case::Sensitive,
    repository: Case::Sensitive,
    workflow: Case::Sensitive,
    environment: Case::Sensitive,
    workflow_claim: WorkflowClaim::Defining,
    owner_rule: "exact (owner in `repository`)",
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

/// `for_claims`'s pattern `\A([^/]+)/([^/]+)/\.github/workflows/([^@]+)@`: the workflow's
/// owner, repository and file, and the ref after the `@`.
pub fn parse_job_workflow_ref(jwr: &str) -> Option<(&str, &str, &str, &str)> {
    let (owner, rest) = jwr.split_once('/')?;
    let (repo, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix(".github/workflows/")?;
    let (file, git_ref) = rest.split_once('@')?;
    (!owner.is_empty() && !repo.is_empty() && !file.is_empty())
        .then_some((owner, repo, file, git_ref))
}

/// The repository that holds the workflow file: the declared `workflow-repository-*`, or the
/// repository itself.
fn workflow_repository(p: &Publisher) -> (String, String) {
    p.workflow_repository
        .clone()
        .unwrap_or_else(|| (p.owner.clone(), p.repository.clone()))
}

/// `job_workflow_refs` and the `job_workflow_ref` conditions of `to_access_policy`: the refs a
/// publisher accepts after `<workflow repository>/.github/workflows/<file>@`. For a publisher
/// with a workflow repository: the ref in the claim itself (once it starts with that prefix) and
/// `job_workflow_sha`; otherwise the run's `ref` and `sha`. Blank ones are dropped
/// (`compact_blank`). `None` when the claim does not start with the prefix (`AccessError`).
pub fn accepted_refs(
    p: &Publisher,
    jwr: &str,
    ref_: Option<&str>,
    sha: Option<&str>,
    job_workflow_sha: Option<&str>,
) -> Option<Vec<String>> {
    let (wo, wn) = workflow_repository(p);
    let prefix = format!("{wo}/{wn}/.github/workflows/{}@", p.workflow);
    let refs: Vec<Option<&str>> = if p.workflow_repository.is_some() {
        let suffix = jwr.strip_prefix(&prefix)?;
        vec![Some(suffix), job_workflow_sha]
    } else {
        vec![ref_, sha]
    };
    Some(
        refs.into_iter()
            .flatten()
            .filter(|r| !r.trim().is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    let jwr = claims.get("job_workflow_ref");
    let parsed = jwr.value().map(parse_job_workflow_ref);
    // The file is what the lookup's pattern reads from `job_workflow_ref` (`[^@]+`).
    if let Some(f) = fields.iter_mut().find(|f| f.name == "workflow")
        && let Some(parsed) = &parsed
    {
        f.actual = parsed.map_or(Claim::Missing, |(_, _, file, _)| {
            Claim::Present(file.into())
        });
        f.outcome = github::compare(Some(&p.workflow), &f.actual, |a, b| a == b);
    }
    let (wo, wn) = workflow_repository(p);
    let run_repository = claims.get("repository");
    let workflow_repo_claim = match &parsed {
        Some(Some((o, r, _, _))) => Claim::Present(format!("{o}/{r}")),
        Some(None) => Claim::Missing,
        None => jwr.clone(),
    };
    fields.push(FieldCheck {
        name: "workflow-repository",
        claim: "job_workflow_ref",
        expected: Some(format!("{wo}/{wn}")),
        outcome: match (&workflow_repo_claim, run_repository.value()) {
            (Claim::Present(w), Some(run)) => {
                let same_repo = w == run;
                let declared_same = p.workflow_repository.is_none();
                if same_repo == declared_same && (same_repo || *w == format!("{wo}/{wn}")) {
                    Outcome::Ok
                } else {
                    Outcome::Differs
                }
            }
            (Claim::Present(w), None) => github::compare(
                Some(&format!("{wo}/{wn}")),
                &Claim::Present(w.clone()),
                |a, b| a == b,
            ),
            (Claim::Unknown, _) => Outcome::Unconfirmed,
            _ => Outcome::Differs,
        },
        actual: workflow_repo_claim,
        rule: if p.workflow_repository.is_some() {
            "exact: the declared workflow repository, not the run's"
        } else {
            "exact: the run's own repository"
        },
    });
    let ref_ = claims.get("ref");
    let sha = claims.get("sha");
    let jw_sha = claims.get("job_workflow_sha");
    let prefix = format!("{wo}/{wn}/.github/workflows/{}@", p.workflow);
    let jwr_outcome = match jwr.value() {
        None if jwr == Claim::Unknown => Outcome::Unconfirmed,
        None => Outcome::Differs,
        Some(j) => match accepted_refs(p, j, ref_.value(), sha.value(), jw_sha.value()) {
            None => Outcome::Differs,
            Some(refs) if refs.iter().any(|r| format!("{prefix}{r}") == j) => Outcome::Ok,
            // A same-repository publisher's refs come from `ref` and `sha`: unshown, undecided.
            Some(_)
                if p.workflow_repository.is_none()
                    && j.starts_with(&prefix)
                    && (ref_ == Claim::Unknown || sha == Claim::Unknown) =>
            {
                Outcome::Unconfirmed
            }
            Some(_) => Outcome::Differs,
        },
    };
    let expected_ref = if p.workflow_repository.is_some() {
        format!("{prefix}<any ref, or job_workflow_sha>")
    } else {
        format!(
            "{prefix}{}",
            ref_.value().or(sha.value()).unwrap_or("<ref or sha>")
        )
    };
    fields.push(FieldCheck {
        name: "job_workflow_ref",
        claim: "job_workflow_ref",
        expected: Some(expected_ref),
        outcome: jwr_outcome,
        actual: jwr.clone(),
        rule: if p.workflow_repository.is_some() {
            "exact up to `@`, then any ref (or `job_workflow_sha`)"
        } else {
            "exact, then `@ref` or `@sha` of the run"
        },
    });
    let mut notes = Vec::new();
    if p.owner_id.is_none() {
        notes.push(Note {
            id: "owner-id-unconfirmed",
            text: "owner-id is not declared, so it cannot be confirmed: RubyGems pinned the owner's id when the publisher was created".into(),
        });
    }
    if let (Some(Some((o, r, _, _))), Some(repo)) = (&parsed, run_repository.value())
        && format!("{o}/{r}") != repo
        && p.workflow_repository.is_none()
    {
        notes.push(Note {
            id: "cross-repository-workflow",
            text: format!(
                "the job comes from a workflow in another repository (`{o}/{r}`): RubyGems accepts it only if the publisher names that repository (`workflow-repository-owner`, `workflow-repository-name`)"
            ),
        });
    }
    if let (Some(Some((o, r, _, _))), Some(repo)) = (&parsed, run_repository.value())
        && format!("{o}/{r}") == repo
        && p.workflow_repository.is_none()
        && jw_sha
            .value()
            .is_some_and(|s| jwr.value() == Some(format!("{prefix}{s}").as_str()))
        && jwr_outcome == Outcome::Differs
    {
        notes.push(Note {
            id: "job-workflow-sha-not-accepted",
            text: "the job's workflow is pinned at `job_workflow_sha`; for a workflow of the run's own repository RubyGems accepts only the run's `ref` and `sha` (rubygems.org #6346)".into(),
        });
    }
    notes.extend(github::subject_notes(claims, "RubyGems", false));
    let refusal = first_refusal(ev, &fields);
    if refusal.as_ref().is_some_and(|r| r.code == "http-404") {
        let field = github::first_difference(
            &fields,
            &[
                "owner",
                "repository",
                "owner-id",
                "workflow",
                "workflow-repository",
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

/// The first refusal, in the controller's order: the claims' types (400), the time, the
/// provider and the signature (404), `for_claims` (404; a missing `repository`,
/// `job_workflow_ref` or `repository_owner_id` raises, 500), then the access policy (404).
fn first_refusal(ev: &EvidenceFacts<'_>, fields: &[FieldCheck]) -> Option<Refusal> {
    let claims = ev.claims;
    // `validate_jwt_format`: `nbf`, `iat`, `exp` integers, then `iss`, `jti` strings.
    if ev.is_token {
        for c in ["nbf", "iat", "exp"] {
            if claims.integer(c).is_none() {
                return Some(bad_request(format!("Missing/invalid {c}")));
            }
        }
        for c in ["iss", "jti"] {
            if !claims
                .raw()
                .get(c)
                .is_some_and(serde_json::Value::is_string)
            {
                return Some(bad_request(format!("Missing/invalid {c}")));
            }
        }
    }
    if ev.token_rejected.is_some() || github::foreign_issuer(claims).is_some() {
        return Some(not_found());
    }
    if ["repository", "job_workflow_ref", "repository_owner_id"]
        .iter()
        .any(|c| claims.get(c) == Claim::Missing)
    {
        let reason = "a claim `for_claims` fetches (`repository`, `job_workflow_ref`, `repository_owner_id`) is missing: RubyGems fails with an internal error".to_owned();
        return Some(Refusal {
            code: "http-500",
            message: reason.clone(),
            reason,
        });
    }
    let decides = [
        "owner",
        "repository",
        "owner-id",
        "workflow",
        "workflow-repository",
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
    None
}

fn bad_request(reason: String) -> Refusal {
    Refusal {
        code: "http-400",
        message: reason.clone(),
        reason,
    }
}

/// The model's validations (`github_action.rb`), as the form shows them (`full_messages`):
/// presence and 255 characters for owner, repository and workflow; the workflow's extension
/// (case-sensitive) and no directory, both reported when both fail; the workflow repository
/// both or neither, and not the repository itself. No character rules: an owner GitHub would
/// not allow is refused because the owner's id cannot be looked up on GitHub (the owner then
/// "can't be blank").
fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    const MAX: usize = 255;
    let mut out = Vec::new();
    let label = |k: &str| match k {
        "owner" => "repository owner",
        "repository" => "repository name",
        "workflow" => "workflow filename",
        "environment" => "environment",
        "workflow-repository-owner" => "workflow repository owner",
        _ => "workflow repository name",
    };
    for key in ["owner", "repository", "workflow"] {
        if get(key).is_some_and(|v| v.trim().is_empty()) {
            out.push(FormProblem::refused(
                key,
                format!("Trusted publisher {} can't be blank", label(key)),
            ));
        }
    }
    for key in [
        "owner",
        "repository",
        "workflow",
        "environment",
        "workflow-repository-owner",
        "workflow-repository-name",
    ] {
        if get(key).is_some_and(|v| v.chars().count() > MAX) {
            out.push(FormProblem::refused(
                key,
                format!(
                    "Trusted publisher {} is too long (maximum is 255 characters)",
                    label(key)
                ),
            ));
        }
    }
    if let Some(owner) = get("owner")
        && !owner.trim().is_empty()
        && !owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        out.push(
            FormProblem::refused("owner", "Trusted publisher repository owner can't be blank")
                .with_help("GitHub has no owner of that name (letters, digits and `-` only), so RubyGems cannot look up its id"),
        );
    }
    if let Some(wf) = get("workflow")
        && !wf.trim().is_empty()
    {
        if !(wf.ends_with(".yml") || wf.ends_with(".yaml")) {
            out.push(FormProblem::refused(
                "workflow",
                "Trusted publisher workflow filename must end with .yml or .yaml",
            ));
        }
        if wf.contains('/') {
            out.push(
                FormProblem::refused(
                    "workflow",
                    "Trusted publisher workflow filename must be a filename only, without directories",
                )
                .with_help(format!(
                    "write `{}`: the registry takes the file name, not the path",
                    wf.rsplit('/').next().unwrap_or(&wf)
                )),
            );
        }
    }
    let wo = get("workflow-repository-owner").filter(|v| !v.trim().is_empty());
    let wn = get("workflow-repository-name").filter(|v| !v.trim().is_empty());
    match (&wo, &wn) {
        (Some(_), None) => out.push(FormProblem::refused(
            "workflow-repository-owner",
            "Trusted publisher workflow repository name can't be blank",
        )),
        (None, Some(_)) => out.push(FormProblem::refused(
            "workflow-repository-name",
            "Trusted publisher workflow repository owner can't be blank",
        )),
        (Some(o), Some(n)) if Some(o) == get("owner").as_ref() && Some(n) == get("repository").as_ref() => {
            out.push(
                FormProblem::refused(
                    "workflow-repository-owner",
                    "Trusted publisher base workflow_repository must be different from the repository, leave blank for same-repository workflows",
                )
                .with_help("leave out `workflow-repository-owner` and `workflow-repository-name` for a workflow of the repository itself"),
            )
        }
        _ => {}
    }
    if let Some(env) = get("environment")
        && !env.is_empty()
        && env.trim().is_empty()
    {
        out.push(FormProblem {
            field: "environment",
            message: "an environment of only whitespace: RubyGems stores it as none, so the publisher accepts any environment".into(),
            help: Some("leave `environment` out, or name the environment".into()),
            advisory: true,
        });
    }
    out
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
