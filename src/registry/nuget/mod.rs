//! NuGet.org: its federated credential (trusted publishing) policies, for GitHub Actions and
//! GitLab CI/CD ([`gitlab`]).
//!
//! Source: NuGet/NuGetGallery at `55d8cc0bc95f` (2026-08-17),
//! `src/NuGetGallery.Services/Authentication/Federated/`: `FederatedCredentialPolicyEvaluator.cs`
//! (the token-level checks and their texts; the policies of the user tried oldest first, and
//! the disclosable errors of those that fail joined), `GitHubTokenPolicyValidator.cs` and
//! `GitLabTokenPolicyValidator.cs` (each policy's checks, and the form's normalisation),
//! `TokenPolicyValidator.cs` (`The JSON Web Token is missing the required claim '...'`: a claim
//! absent or only whitespace), `FederatedCredentialService.cs` (the no-policy text, changed by
//! NuGetGallery #10520, commit `47fa8fe2a0f8`). Every refusal of the token API is HTTP 401.
//! Owner, repository and workflow are compared case-insensitively (.NET `OrdinalIgnoreCase`),
//! the ids ordinally; the owner and repository ids are pinned at the first use.

pub mod answer;
pub mod gitlab;
#[cfg(test)]
mod tests;

use crate::identity::{Claim, Provider, Publisher, Registry, TokenProblem, TokenTiming};
use crate::registry::github::{self, Case, Rules};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, ProviderKeys,
    Refusal, Spec, Template, Upstream, WorkflowClaim,
};

/// The table entry.
pub const SPEC: Spec = Spec {
    audience: "https://www.nuget.org",
    judge,
    form_problems,
    normalize: stored_values,
    template,
    extra_keys: &["policy-owner"],
    other_providers: &[ProviderKeys {
        provider: Provider::GitLab,
        required: &["namespace", "repository"],
        optional: &[
            "environment",
            "ref",
            "namespace-id",
            "project-id",
            "policy-owner",
        ],
    }],
    refused_events: &[],
    workflow_setup: "add a `NuGet/login` step (with an `id:` and your NuGet user name) and pass its `outputs.NUGET_API_KEY` to `--api-key`; give the job `id-token: write`",
    timing: TIMING,
    upstream: Upstream {
        repository: "NuGet/NuGetGallery",
        commit: "55d8cc0bc95f",
        date: "2026-08-17",
        tests: "tests/NuGetGallery.Facts/Authentication/Federated/*Facts.cs",
        vectors: 87,
    },
    conformance: &[
        (
            "GitLab CI/CD",
            "namespace and project case-insensitive; no pipeline file; an optional branch `ref`, exact, that must be a branch; environment exact; ids pinned at the first use; gitlab.com only",
        ),
        (
            "other publishers",
            "none (Entra ID service principals are nuget.org's own)",
        ),
        (
            "answer when refused",
            "HTTP 401 with the token-level text, or the disclosable errors of every policy of the user joined, else `No matching trust policy owned by user '<user>' was found.`",
        ),
        (
            "the form",
            "`.github/workflows/x.yml` and `https://github.com/owner/repo` shortened; a policy name of 64 characters at most; GitLab: the project's last path segment",
        ),
        ("GitHub's `sub`", "not read"),
    ],
};

/// `JsonWebTokenHandler.ValidateTokenAsync` with no `ClockSkew` set: Microsoft.IdentityModel's
/// default 300 s on `exp` and `nbf`; `iat` is not compared; `RequireExpirationTime`.
pub const TIMING: TokenTiming = TokenTiming {
    exp_leeway: 300,
    exp_bound_inclusive: true,
    nbf_leeway: 300,
    iat_leeway: None,
    required: &["exp"],
    summary: "300 s (`exp`, `nbf`; .NET's default clock skew)",
};

/// How it compares the identity fields.
pub const RULES: Rules = Rules {
    owner: Case::Insensitive,
    repository: Case::Insensitive,
    workflow: Case::Insensitive,
    environment: Case::Insensitive,
    workflow_claim: WorkflowClaim::Defining,
    owner_rule: "case-insensitive (`repository_owner`, then `repository`)",
    owner_id_rule: "pinned at the first successful use",
    ref_required: false,
};

/// The claims every GitHub policy requires, in the validator's order.
const REQUIRED: [&str; 5] = [
    "repository",
    "repository_owner",
    "repository_owner_id",
    "repository_id",
    "event_name",
];

/// HTTP 401 with the token API's text.
fn unauthorized(reason: impl Into<String>) -> Refusal {
    let reason = reason.into();
    Refusal {
        code: "http-401",
        message: reason.clone(),
        reason,
    }
}

/// `The JSON Web Token is missing the required claim '{c}'.`
pub(super) fn missing(c: &str) -> String {
    format!("The JSON Web Token is missing the required claim '{c}'.")
}

/// `TryGetRequiredClaim`: the claim, unless absent or only whitespace (`None`); `Unknown` is
/// what the evidence does not show.
pub(super) fn required_claim(claims: &crate::identity::Claims, name: &str) -> Claim {
    match claims.get(name) {
        Claim::Present(v) if v.trim().is_empty() => Claim::Missing,
        other => other,
    }
}

/// One policy's result: success, or its error and whether NuGet discloses it.
pub(super) enum PolicyResult {
    /// The policy matches.
    Success,
    /// The policy does not apply to this token's provider.
    NotApplicable,
    /// It fails with this text, shown to the caller when `disclosable`.
    Unauthorized { error: String, disclosable: bool },
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    if p.provider == Provider::GitLab {
        return gitlab::judge(p, ev);
    }
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    let owner_claim = required_claim(claims, "repository_owner");
    fields.insert(
        1,
        FieldCheck {
            name: "repository_owner",
            claim: "repository_owner",
            expected: Some(p.owner.clone()),
            outcome: github::compare(Some(&p.owner), &owner_claim, |a, b| {
                Case::Insensitive.same(a, b)
            }),
            actual: owner_claim,
            rule: "case-insensitive",
        },
    );
    // The workflow file: between `<owner>/<repository>/.github/workflows/` and the next `@`.
    let jwr = required_claim(claims, "job_workflow_ref");
    if let Some(f) = fields.iter_mut().find(|f| f.name == "workflow") {
        match jwr.value() {
            Some(j) => match workflow_file(p, j) {
                Some(file) => {
                    f.actual = Claim::Present(file.to_owned());
                    f.outcome = github::compare(Some(&p.workflow), &f.actual, |a, b| {
                        Case::Insensitive.same(a, b)
                    });
                }
                None => {
                    f.actual = Claim::Present(j.to_owned());
                    f.outcome = Outcome::Differs;
                }
            },
            None if jwr == Claim::Missing => {
                f.actual = Claim::Missing;
                f.outcome = Outcome::Differs;
            }
            None => {}
        }
        f.rule = "case-insensitive (file after `<owner>/<repository>/.github/workflows/` in `job_workflow_ref`)";
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
    notes.extend(github::subject_notes(claims, "NuGet", false));
    let refusal = verdict(p, ev, &mut notes);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// The workflow file a GitHub policy reads from `job_workflow_ref`: the text between the
/// policy's `<owner>/<repository>/.github/workflows/` (case-insensitive) and the first `@` after
/// it; `None` when the claim does not start with that prefix.
pub fn workflow_file<'a>(p: &Publisher, jwr: &'a str) -> Option<&'a str> {
    let prefix = format!("{}/{}/.github/workflows/", p.owner, p.repository);
    if prefix.len() >= jwr.len() || !starts_with_ignore_case(jwr, &prefix) {
        return None;
    }
    let at = jwr[prefix.len()..].find('@')? + prefix.len();
    Some(&jwr[prefix.len()..at])
}

/// .NET's `StartsWith(prefix, OrdinalIgnoreCase)`.
fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.to_lowercase() == prefix.to_lowercase())
}

/// `GitHubTokenPolicyValidator.EvaluatePolicyAsync` for one policy (the banned events, set in
/// NuGet's production configuration only, and the expiry of a temporary policy, cannot be
/// seen). Claims the evidence does not show pass.
fn evaluate_github(p: &Publisher, claims: &crate::identity::Claims) -> PolicyResult {
    let fail = |error: String, disclosable: bool| PolicyResult::Unauthorized { error, disclosable };
    for c in REQUIRED {
        if required_claim(claims, c) == Claim::Missing {
            return fail(missing(c), true);
        }
    }
    let mismatch = |c: &str, v: &str| {
        fail(
            format!(
                "The JSON Web Token claim '{c}' has value '{v}' which does not match the policy."
            ),
            false,
        )
    };
    if let Some(v) = claims.get("repository_owner").value()
        && !Case::Insensitive.same(v, &p.owner)
    {
        return mismatch("repository_owner", v);
    }
    if let Some(v) = claims.get("repository").value()
        && !Case::Insensitive.same(v, &format!("{}/{}", p.owner, p.repository))
    {
        return mismatch("repository", v);
    }
    // A policy with pinned ids compares them ordinally; trustpub knows the owner's when declared.
    if let (Some(id), Some(v)) = (&p.owner_id, claims.get("repository_owner_id").value())
        && id != v
    {
        return mismatch("repository_owner_id", v);
    }
    let jwr = required_claim(claims, "job_workflow_ref");
    let j = match jwr {
        Claim::Missing => return fail(missing("job_workflow_ref"), true),
        Claim::Unknown => return PolicyResult::Success,
        Claim::Present(j) => j,
    };
    let Some(file) = workflow_file(p, &j) else {
        return fail(
            format!(
                "Claim 'job_workflow_ref' has value '{j}' which does not start with {}/{}/.github/workflows/.",
                p.owner, p.repository
            ),
            true,
        );
    };
    if !Case::Insensitive.same(file, &p.workflow) {
        return fail(
            format!(
                "Workflow mismatch for policy '{}': expected '{}', actual '{file}'",
                p.project, p.workflow
            ),
            true,
        );
    }
    if let Some(env) = p.environment.as_deref().filter(|e| !e.trim().is_empty()) {
        let claim = required_claim(claims, "environment");
        if claim != Claim::Unknown {
            let actual = claim.value().unwrap_or_default();
            if !Case::Insensitive.same(actual, env) {
                return fail(
                    format!(
                        "Environment mismatch for policy '{}': expected '{env}', actual '{actual}'",
                        p.project
                    ),
                    true,
                );
            }
        }
    }
    PolicyResult::Success
}

/// The token-level checks of `FederatedCredentialPolicyEvaluator` (401, before any policy),
/// in its order: one `aud`, an `aud`, an `iss`, an `https` `iss`, a supported issuer (by its
/// host), a `jti`; then the handler's signature, lifetime, audience and exact issuer. `Ok`
/// names the provider whose validator takes the token.
pub(super) fn token_checks(ev: &EvidenceFacts<'_>, p: &Publisher) -> Result<Provider, String> {
    let claims = ev.claims;
    let shown = |c: &str| ev.is_token || claims.raw().contains_key(c);
    if shown("aud") {
        match claims.audiences() {
            Some(a) if a.len() == 1 => {
                if a[0].trim().is_empty() {
                    return Err("The JSON web token must have an aud claim.".into());
                }
            }
            _ => return Err("The JSON web token must have exactly one aud claim value.".into()),
        }
    }
    let provider = match claims.get("iss") {
        Claim::Present(iss) if !iss.trim().is_empty() => {
            let Some(rest) = iss.strip_prefix("https://").filter(|r| !r.is_empty()) else {
                return Err("The JSON web token iss claim must be a valid HTTPS URL.".into());
            };
            let authority = rest
                .split(['/', '?', '#'])
                .next()
                .unwrap_or(rest)
                .to_lowercase();
            match authority.as_str() {
                "token.actions.githubusercontent.com" => Provider::GitHub,
                "gitlab.com" => Provider::GitLab,
                _ => return Err("The JSON web token iss claim is not supported.".into()),
            }
        }
        Claim::Unknown => p.provider,
        _ => return Err("The JSON web token must have an iss claim.".into()),
    };
    if shown("jti") && required_claim(claims, "jti") == Claim::Missing {
        return Err("The JSON web token must have a jti claim.".into());
    }
    match ev.token_rejected {
        Some(TokenProblem::Signature(why)) if why.contains("`iss`") => {
            return Err("The JSON web token could not be validated.".into());
        }
        Some(TokenProblem::Signature(_)) => {
            return Err("The JSON web token has an invalid signature.".into());
        }
        Some(TokenProblem::Expired) => return Err("The JSON web token has expired.".into()),
        Some(TokenProblem::NotYetValid) => {
            return Err("The JSON web token is not yet valid.".into());
        }
        Some(_) => return Err("The JSON web token could not be validated.".into()),
        None => {}
    }
    if let Some(a) = claims.audiences()
        && a.first().map(String::as_str) != Some(SPEC.audience)
    {
        return Err("The JSON web token has an incorrect audience.".into());
    }
    let exact = match provider {
        Provider::GitLab => "https://gitlab.com",
        _ => crate::identity::GITHUB_ISSUER,
    };
    if claims.get("iss").value().is_some_and(|iss| iss != exact) {
        return Err("The JSON web token could not be validated.".into());
    }
    Ok(provider)
}

/// The user's policies NuGet tries, oldest first: the NuGet publishers declared with the same
/// `policy-owner` (the judged one included).
fn policies<'a>(p: &'a Publisher, ev: &EvidenceFacts<'a>) -> Vec<&'a Publisher> {
    let mut out: Vec<&Publisher> = ev
        .declared
        .iter()
        .filter(|q| q.registry == Registry::NuGet && q.policy_owner == p.policy_owner)
        .collect();
    if !out.contains(&p) {
        out.push(p);
    }
    out
}

/// `GenerateApiKeyAsync`'s answer for the judged policy: the token-level text, the first policy
/// that matches (the judged one: accepted; an older one: accepted with its key, noted), or the
/// disclosable errors of every policy joined (`Error #0. Error #2`), else the no-policy text.
pub(super) fn verdict(
    p: &Publisher,
    ev: &EvidenceFacts<'_>,
    notes: &mut Vec<Note>,
) -> Option<Refusal> {
    let provider = match token_checks(ev, p) {
        Ok(provider) => provider,
        Err(text) => return Some(unauthorized(text)),
    };
    let mut disclosable = String::new();
    for policy in policies(p, ev) {
        let result = match (policy.provider, provider) {
            (Provider::GitHub, Provider::GitHub) => evaluate_github(policy, ev.claims),
            (Provider::GitLab, Provider::GitLab) => gitlab::evaluate(policy, ev.claims),
            _ => PolicyResult::NotApplicable,
        };
        match result {
            PolicyResult::Success if policy == p => return None,
            PolicyResult::Success => {
                notes.push(Note {
                    id: "matched-other-policy",
                    text: format!("NuGet tries the user's policies oldest first, and policy '{}' (declared before this one) matches this run: the key NuGet issues is that policy's, for its package owner and scopes", policy.project),
                });
                return None;
            }
            PolicyResult::NotApplicable => {}
            PolicyResult::Unauthorized {
                error,
                disclosable: true,
            } => {
                if !disclosable.is_empty() {
                    if !disclosable.ends_with('.') {
                        disclosable.push('.');
                    }
                    disclosable.push(' ');
                }
                disclosable.push_str(&error);
            }
            PolicyResult::Unauthorized { .. } => {}
        }
    }
    if disclosable.is_empty() {
        let user = p.policy_owner.as_deref().unwrap_or("<policy owner>");
        return Some(unauthorized(format!(
            "No matching trust policy owned by user '{user}' was found."
        )));
    }
    Some(unauthorized(disclosable))
}

/// The policy form's rules (`GitHubCriteria.Validate`, `TokenPolicyValidator.ValidatePolicy`),
/// after its normalisation ([`stored_values`]); and trustpub's warnings for values NuGet stores but
/// no run can match.
fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    if get("provider").as_deref() == Some("gitlab") {
        return gitlab::form_rules(get);
    }
    let mut out = Vec::new();
    for (key, text) in [
        ("owner", "The GitHub repository owner is required."),
        ("repository", "The GitHub repository is required."),
        ("workflow", "The GitHub Action workflow file is required."),
    ] {
        if get(key).is_some_and(|v| v.trim().is_empty()) {
            out.push(FormProblem::refused(key, text));
        }
    }
    out.extend(policy_name_problem(get));
    let stored = |k: &str| {
        stored_values(Registry::NuGet, get)
            .into_iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v)
            .or_else(|| get(k))
    };
    if let Some(repo) = stored("repository")
        && repo.contains('/')
    {
        out.push(FormProblem {
            field: "repository",
            message: format!("NuGet keeps `{repo}` as typed (it shortens `owner/name` and GitHub URLs only when the owner is the policy's), so no run's `repository` can match it"),
            help: Some("write the repository name only".into()),
            advisory: true,
        });
    }
    if let Some(wf) = stored("workflow")
        && !wf.trim().is_empty()
    {
        if wf.contains('/') {
            out.push(FormProblem {
                field: "workflow",
                message: format!("NuGet keeps `{wf}` as typed (it drops a leading `.github/workflows/` only), and GitHub runs no workflow from a subfolder, so no run can match it"),
                help: Some(format!("write `{}`", wf.rsplit('/').next().unwrap_or(&wf))),
                advisory: true,
            });
        } else if !(wf.ends_with(".yml") || wf.ends_with(".yaml")) {
            out.push(FormProblem {
                field: "workflow",
                message: "NuGet's form takes any name, but GitHub runs only `.yml` and `.yaml` files from .github/workflows".into(),
                help: None,
                advisory: true,
            });
        }
    }
    out
}

/// `The policy name cannot be longer than 64.`: the policy is named after the project.
pub(super) fn policy_name_problem(get: &dyn Fn(&str) -> Option<String>) -> Option<FormProblem> {
    get("project")
        .filter(|name| name.chars().count() > 64)
        .map(|_| FormProblem::refused("project", "The policy name cannot be longer than 64."))
}

/// What NuGet stores: every value trimmed; for GitHub, the repository without
/// `https://github.com/<owner>/` or `<owner>/` (when that owner is the policy's), the workflow
/// without a leading `.github/workflows/` (`\` read as `/`); for GitLab, the project path's last
/// segment (`NormalizeProjectPath`).
fn stored_values(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let gitlab = get("provider").as_deref() == Some("gitlab");
    let owner = get("owner")
        .map(|o| o.trim().to_owned())
        .unwrap_or_default();
    if let Some(repo) = get("repository") {
        let stored = if gitlab {
            gitlab::normalize_project_path(repo.trim())
        } else {
            normalize_repository(repo.trim(), &owner)
        };
        if stored != repo {
            out.push(("repository", stored));
        }
    }
    if !gitlab && let Some(wf) = get("workflow") {
        let stored = normalize_workflow(wf.trim());
        if stored != wf {
            out.push(("workflow", stored));
        }
    }
    for key in ["owner", "environment", "ref", "policy-owner"] {
        if let Some(v) = get(key)
            && v.trim() != v
        {
            out.push((key, v.trim().to_owned()));
        }
    }
    out
}

/// `NormalizeRepositoryName`.
pub fn normalize_repository(repository: &str, owner: &str) -> String {
    let mut rest = repository;
    let mut removed = false;
    for prefix in ["https://", "github.com/"] {
        if starts_with_ignore_case(rest, prefix) {
            rest = &rest[prefix.len()..];
            removed = true;
        } else if removed {
            break;
        }
    }
    let rest = rest.trim_end_matches('/');
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() == 2 && parts[0].to_lowercase() == owner.to_lowercase() {
        parts[1].to_owned()
    } else {
        repository.to_owned()
    }
}

/// `NormalizeWorkflowFileName`.
pub fn normalize_workflow(workflow: &str) -> String {
    let slashed = workflow.replace('\\', "/");
    let needle = ".github/workflows/";
    match slashed.to_lowercase().find(needle) {
        Some(0) => slashed[needle.len()..].to_owned(),
        Some(1) if slashed.starts_with('/') => slashed[1 + needle.len()..].to_owned(),
        _ => slashed,
    }
}

fn template(p: &Publisher) -> Template {
    if p.provider == Provider::GitLab {
        return gitlab::template(p);
    }
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
