//! PyPI and TestPyPI for GitLab CI/CD: the GitLab publisher's lookup and claim checks, and its
//! form.
//!
//! Source: pypi/warehouse `6b62157124ab`, `warehouse/oidc/models/gitlab.py` (`lookup_by_claims`,
//! `_check_sub`, `_check_project_path`, `_check_ci_config_ref_uri`, `_check_environment`) and
//! `warehouse/oidc/forms/gitlab.py`. Namespace and project come from `project_path` split at its
//! last `/` and are looked up case-insensitively (PRs #18824, #18905); the pipeline file path
//! from `ci_config_ref_uri` is compared exactly, and so is the environment; the lookup filters on
//! `issuer_url` too, so a self-managed instance's token never matches a gitlab.com publisher, nor
//! the reverse. A declared publisher stores the namespace in `owner`, the project in
//! `repository`, the pipeline file path in `workflow`, and its issuer in `issuer-url`.

use crate::identity::{Claim, Publisher, Registry};
use crate::registry::github::{Case, compare};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Refusal, Template,
};

use super::{GITLAB_ISSUER, NOT_FOUND, invalid_publisher, missing_claim, py_repr, py_strip};

/// Required claims: `__required_verifiable_claims__` then `__required_unverifiable_claims__`.
pub const REQUIRED_CLAIMS: [&str; 6] = [
    "sub",
    "project_path",
    "ci_config_ref_uri",
    "jti",
    "ref_path",
    "sha",
];

/// The issuer a publisher is registered for: its `issuer-url`, else gitlab.com.
pub fn issuer(p: &Publisher) -> &str {
    p.extra("issuer-url").unwrap_or(GITLAB_ISSUER)
}

/// `_extract_workflow_filepath`: `(?<=//)(.*[^/]\.(yml|yaml))(?=@)`, the longest match after the
/// first `//`.
pub fn workflow_filepath(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once("//")?;
    let mut best = None;
    for (at, _) in rest.match_indices('@') {
        let candidate = &rest[..at];
        if candidate.contains('\n') {
            break;
        }
        let ext = if candidate.ends_with(".yaml") {
            5
        } else if candidate.ends_with(".yml") {
            4
        } else {
            0
        };
        if ext > 0 && candidate.len() > ext && !candidate[..candidate.len() - ext].ends_with('/') {
            best = Some(candidate);
        }
    }
    best
}

/// `_check_sub`: the first two `:`-separated parts of the claim, without case, against
/// `project_path:<namespace>/<project>`; anything after them is ignored.
pub fn check_sub(truth: &str, claim: Option<&str>) -> bool {
    let Some(claim) = claim.filter(|c| !c.is_empty()) else {
        return false;
    };
    let parts: Vec<&str> = claim.split(':').collect();
    if parts.len() < 2 || parts[0].is_empty() || parts[1].is_empty() {
        return false;
    }
    format!("{}:{}", parts[0], parts[1]).to_lowercase() == truth.to_lowercase()
}

/// `_check_project_path`: non-empty and equal without case.
pub fn check_project_path(truth: &str, claim: Option<&str>) -> bool {
    claim.is_some_and(|c| !c.is_empty() && c.to_lowercase() == truth.to_lowercase())
}

/// `_check_ci_config_ref_uri`: the claim is `<truth>@<ref_path or sha>`; both must be
/// non-empty (unlike GitHub's `ref` and `sha`, where one suffices).
pub fn check_ci_config_ref_uri(
    truth: &str,
    claim: Option<&str>,
    ref_path: Option<&str>,
    sha: Option<&str>,
) -> Result<(), String> {
    let Some(claim) = claim.filter(|c| !c.is_empty()) else {
        return Err("The ci_config_ref_uri claim is empty".into());
    };
    let (Some(r), Some(s)) = (
        ref_path.filter(|r| !r.is_empty()),
        sha.filter(|s| !s.is_empty()),
    ) else {
        return Err("The ref_path and sha claims are empty".into());
    };
    let mut expected = vec![format!("{truth}@{r}"), format!("{truth}@{s}")];
    expected.sort();
    expected.dedup();
    if expected.iter().any(|e| e == claim) {
        return Ok(());
    }
    let list: Vec<String> = expected.iter().map(|e| py_repr(e)).collect();
    Err(format!(
        "The ci_config_ref_uri claim does not match, expecting one of [{}], got {}",
        list.join(", "),
        py_repr(claim)
    ))
}

/// `_check_environment` (and the lookup's environment choice): a publisher without an
/// environment accepts any; one with an environment needs a claim equal to it, case included.
pub fn environment_accepts(declared: Option<&str>, claim: Option<&str>) -> bool {
    match declared.filter(|d| !d.is_empty()) {
        None => true,
        Some(d) => claim.is_some_and(|c| !c.is_empty() && c == d),
    }
}

/// Judges a GitLab publisher as warehouse would, after the token-level steps.
pub fn judge(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let path = claims.get("project_path");
    let (namespace, project) = match &path {
        Claim::Present(pp) => match pp.rsplit_once('/') {
            Some((n, pr)) => (Claim::Present(n.into()), Claim::Present(pr.into())),
            None => (Claim::Missing, Claim::Present(pp.clone())),
        },
        other => (other.clone(), other.clone()),
    };
    let uri = claims.get("ci_config_ref_uri");
    let filepath = match &uri {
        Claim::Present(u) => {
            workflow_filepath(u).map_or(Claim::Missing, |f| Claim::Present(f.into()))
        }
        other => other.clone(),
    };
    let environment = claims.get("environment");
    let iss = claims.get("iss");
    let fields = vec![
        FieldCheck {
            name: "namespace",
            claim: "project_path",
            expected: Some(p.owner.clone()),
            outcome: compare(Some(&p.owner), &namespace, |a, b| {
                Case::Insensitive.same(a, b)
            }),
            actual: namespace,
            rule: "case-insensitive (before the last `/` of `project_path`)",
        },
        FieldCheck {
            name: "project",
            claim: "project_path",
            expected: Some(p.repository.clone()),
            outcome: compare(Some(&p.repository), &project, |a, b| {
                Case::Insensitive.same(a, b)
            }),
            actual: project,
            rule: "case-insensitive (after the last `/` of `project_path`)",
        },
        FieldCheck {
            name: "workflow",
            claim: "ci_config_ref_uri",
            expected: Some(p.workflow.clone()),
            outcome: compare(Some(&p.workflow), &filepath, |a, b| a == b),
            actual: filepath.clone(),
            rule: "exact (path after `//` in `ci_config_ref_uri`)",
        },
        FieldCheck {
            name: "environment",
            claim: "environment",
            expected: p.environment.clone(),
            outcome: match (&p.environment, &environment) {
                (None, _) => Outcome::Ok,
                (Some(_), Claim::Unknown) => Outcome::Unconfirmed,
                (Some(d), Claim::Present(c)) if d == c => Outcome::Ok,
                _ => Outcome::Differs,
            },
            actual: environment.clone(),
            rule: if p.environment.is_some() {
                "exact, case-sensitive"
            } else {
                "none declared: any accepted"
            },
        },
        FieldCheck {
            name: "issuer-url",
            claim: "iss",
            expected: Some(issuer(p).to_owned()),
            outcome: compare(Some(issuer(p)), &iss, |a, b| a == b),
            actual: iss.clone(),
            rule: "exact (the instance the publisher was registered for)",
        },
    ];
    let mut notes = Vec::new();
    if let Some(i) = iss.value()
        && i != GITLAB_ISSUER
    {
        notes.push(Note {
            id: "self-managed-gitlab",
            text: format!(
                "the token comes from a self-managed GitLab (`{i}`): {} accepts it only once a PyPI organization has registered that issuer, and only for publishers registered with it",
                registry.name()
            ),
        });
    }
    let refusal = first_refusal(p, ev, &fields, &filepath);
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
    filepath: &Claim,
) -> Option<Refusal> {
    let claims = ev.claims;
    if let Some(missing) = missing_claim(ev, &REQUIRED_CLAIMS) {
        return Some(missing);
    }
    if let Some(pp) = claims.get("project_path").value()
        && !pp.contains('/')
    {
        // `project_path.rsplit("/", 1)` cannot unpack: warehouse raises outside its handling.
        return Some(Refusal {
            code: "server-error",
            reason: "the `project_path` claim has no `/`: PyPI fails with an internal error".into(),
            message: "the `project_path` claim has no `/`: PyPI fails with an internal error"
                .into(),
        });
    }
    if claims.get("ci_config_ref_uri").value().is_some() && *filepath == Claim::Missing {
        return Some(invalid_publisher(
            "Could not extract workflow filename from OIDC claims",
        ));
    }
    if fields.iter().any(|f| f.outcome == Outcome::Differs) {
        return Some(invalid_publisher(NOT_FOUND));
    }
    // `verify_claims`: `sub`, `project_path`, `ci_config_ref_uri`, in that order.
    let truth_path = format!("{}/{}", p.owner, p.repository);
    if let Claim::Present(sub) = claims.get("sub")
        && !check_sub(&format!("project_path:{truth_path}"), Some(&sub))
    {
        return Some(invalid_publisher("Check failed for required claim 'sub'"));
    }
    if let Claim::Present(pp) = claims.get("project_path")
        && !check_project_path(&truth_path, Some(&pp))
    {
        return Some(invalid_publisher(
            "Check failed for required claim 'project_path'",
        ));
    }
    let uri = claims.get("ci_config_ref_uri");
    let ref_path = claims.get("ref_path");
    let sha = claims.get("sha");
    if let Claim::Present(u) = &uri
        && ref_path != Claim::Unknown
        && sha != Claim::Unknown
    {
        let domain = issuer(p).trim_start_matches("https://");
        let truth = format!("{domain}/{truth_path}//{}", p.workflow);
        if let Err(reason) = check_ci_config_ref_uri(&truth, Some(u), ref_path.value(), sha.value())
        {
            return Some(invalid_publisher(reason));
        }
    }
    None
}

/// `ends_with_atom_or_git`: the value, lowercased, ends in `.atom` or `.git`.
fn ends_with_atom_or_git(s: &str) -> bool {
    let lower = s.to_lowercase();
    lower.ends_with(".atom") || lower.ends_with(".git")
}

/// `^[a-zA-Z0-9][<inner>]*[a-zA-Z0-9]$` (Python's `$` also before a final `\n`).
fn edges_alphanumeric(s: &str, inner: &str) -> bool {
    let body = s.strip_suffix('\n').unwrap_or(s);
    let chars: Vec<char> = body.chars().collect();
    chars.len() >= 2
        && chars[0].is_ascii_alphanumeric()
        && chars[chars.len() - 1].is_ascii_alphanumeric()
        && chars
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || inner.contains(*c))
}

/// `(?!.*[._-]{2})` at the start: no two of `.`, `_`, `-` in a row (before any newline).
fn no_consecutive_specials(s: &str) -> bool {
    let line = s.split('\n').next().unwrap_or(s);
    !line
        .as_bytes()
        .windows(2)
        .any(|w| b"._-".contains(&w[0]) && b"._-".contains(&w[1]))
}

/// PyPI's GitLab publisher form (`warehouse/oidc/forms/gitlab.py`), as WTForms runs it: after
/// `InputRequired`, every validator of a field runs and its error accumulates (the suffix check
/// first, then both patterns; when both patterns fail, warehouse shows the same text twice and
/// trustpub once). The issuer must be gitlab.com or one a PyPI organization registered, which
/// trustpub cannot see: an `issuer-url` other than gitlab.com is accepted when it is an
/// `https://` URL.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    let mut push = |field: &'static str, message: &str| {
        let p = FormProblem::refused(field, message);
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for (field, required, invalid, inner) in [
        (
            "owner",
            "Specify GitLab namespace (username or group/subgroup)",
            "Invalid GitLab username or group/subgroup name.",
            "-_./+",
        ),
        (
            "repository",
            "Specify project name",
            "Invalid project name",
            "_.-",
        ),
    ] {
        let Some(value) = get(field) else { continue };
        if value.is_empty() {
            push(field, required);
            continue;
        }
        if ends_with_atom_or_git(&value) {
            push(field, "Name ends with .git or .atom");
        }
        if !edges_alphanumeric(&value, inner) || !no_consecutive_specials(&value) {
            push(field, invalid);
        }
    }
    if let Some(raw) = get("workflow") {
        let path = py_strip(&raw);
        if raw.is_empty() {
            push("workflow", "Specify top-level pipeline file path");
        } else if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
            push(
                "workflow",
                "Top-level pipeline file path must end with .yml or .yaml",
            );
        } else if path.starts_with('/') || path.ends_with('/') {
            push(
                "workflow",
                "Top-level pipeline file path cannot start or end with /",
            );
        }
    }
    if let Some(env) = get("environment")
        && !py_strip(&env).is_empty()
        && !super::py_full_match(&env, 1, |c| {
            c.is_ascii_alphanumeric() || "-_/${} ".contains(c)
        })
    {
        push("environment", "Invalid environment name");
    }
    if let Some(url) = get("issuer-url")
        && !url.starts_with("https://")
    {
        push("issuer-url", "Issuer URL must start with https://");
    }
    out
}

/// What to enter in PyPI's GitLab form, and the pre-filled link
/// (`manage_project_oidc_publishers_prefill` takes `provider=gitlab`).
pub fn template(p: &Publisher) -> Template {
    let q = super::query_escape;
    let mut prefill = format!(
        "{}?provider=gitlab&namespace={}&project={}&workflow_filepath={}",
        super::page(p),
        q(&p.owner),
        q(&p.repository),
        q(&p.workflow)
    );
    if let Some(env) = &p.environment {
        prefill.push_str(&format!("&environment={}", q(env)));
    }
    let mut values = vec![
        FormValue {
            field: "Namespace",
            value: p.owner.clone(),
        },
        FormValue {
            field: "Project name",
            value: p.repository.clone(),
        },
        FormValue {
            field: "Top-level pipeline file path",
            value: p.workflow.clone(),
        },
        FormValue {
            field: "Environment name",
            value: p.environment.clone().unwrap_or_default(),
        },
    ];
    let mut notes = super::common_notes();
    if let Some(url) = p.extra("issuer-url").filter(|u| *u != GITLAB_ISSUER) {
        prefill.push_str(&format!("&issuer_url={}", q(url)));
        values.push(FormValue {
            field: "Issuer URL",
            value: url.to_owned(),
        });
        notes.push(format!(
            "`{url}` is offered only to projects of a PyPI organization that registered this GitLab instance; the pending-publisher form of an account offers gitlab.com only"
        ));
    }
    Template {
        values,
        page: super::page(p),
        prefill_url: Some(prefill),
        pending_url: Some(super::pending_url(p.registry)),
        notes,
    }
}
