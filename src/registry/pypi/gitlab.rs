//! PyPI and TestPyPI for GitLab CI/CD: the GitLab publisher's lookup and claim checks.
//!
//! Source: pypi/warehouse `warehouse/oidc/models/gitlab.py` and `warehouse/oidc/forms/gitlab.py`
//! (`shared/reference/pypi-trusted-publishing.md` §2, "GitLab"). Namespace and project come from
//! `project_path` split at its last `/` and are compared case-insensitively (PRs #18824,
//! #18905); the top-level pipeline file path comes from `ci_config_ref_uri` and is compared
//! exactly; the environment is compared case-sensitively (`test_lookup_is_case_sensitive_for_environment`).
//! A declared publisher stores the namespace in `owner`, the project name in `repository` and
//! the pipeline file path in `workflow`.

use crate::identity::Claim;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::registry::github::{Case, compare};
use crate::registry::{EvidenceFacts, FieldCheck, FormProblem, Judgement, Note, Outcome, Refusal};

use super::{NOT_FOUND, invalid_publisher, py_repr};

/// The issuer of gitlab.com's ID tokens.
pub const GITLAB_ISSUER: &str = "https://gitlab.com";

/// Required claims: `__required_verifiable_claims__` then `__required_unverifiable_claims__`.
pub const REQUIRED_CLAIMS: [&str; 6] = [
    "sub",
    "project_path",
    "ci_config_ref_uri",
    "jti",
    "ref_path",
    "sha",
];

/// The pipeline file path in `ci_config_ref_uri`: `(?<=//)(.*[^/]\.(yml|yaml))(?=@)`, the
/// longest match after the first `//`.
pub fn workflow_filepath(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once("//")?;
    let mut best = None;
    for (at, _) in rest.match_indices('@') {
        let candidate = &rest[..at];
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

/// Judges a GitLab publisher as warehouse would.
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
    ];
    let mut notes = Vec::new();
    if claims
        .get("iss")
        .value()
        .is_some_and(|i| i != GITLAB_ISSUER)
    {
        notes.push(Note {
            id: "self-managed-gitlab",
            text: "the token comes from a self-managed GitLab: PyPI accepts it only where a PyPI organization registered that issuer".into(),
        });
    }
    let refusal = first_refusal(registry, p, ev, &fields, &filepath);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

fn first_refusal(
    registry: Registry,
    p: &Publisher,
    ev: &EvidenceFacts<'_>,
    fields: &[FieldCheck],
    filepath: &Claim,
) -> Option<Refusal> {
    let claims = ev.claims;
    let token = |d: &str| {
        Some(Refusal {
            code: "invalid-token",
            reason: d.into(),
            message: d.into(),
        })
    };
    if ev.is_token && claims.get("iss") == Claim::Missing {
        return Some(Refusal {
            code: "invalid-payload",
            reason: "malformed JWT".into(),
            message: "malformed JWT".into(),
        });
    }
    if ev.token_rejected.is_some() {
        return token("malformed or invalid token");
    }
    match claims.raw().get("aud") {
        Some(serde_json::Value::String(a)) if a == registry.audience() => {}
        None if !ev.is_token => {}
        _ => return token("malformed or invalid token"),
    }
    if let Some(missing) = REQUIRED_CLAIMS
        .iter()
        .find(|c| claims.get(c) == Claim::Missing)
    {
        return Some(invalid_publisher(format!(
            "Missing claim {}",
            py_repr(missing)
        )));
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
    if let Some(sub) = claims.get("sub").value() {
        let head: Vec<&str> = sub.splitn(3, ':').take(2).collect();
        if !Case::Insensitive.same(
            &head.join(":"),
            &format!("project_path:{}/{}", p.owner, p.repository),
        ) {
            return Some(invalid_publisher("Check failed for required claim 'sub'"));
        }
    }
    if let Some(uri) = claims.get("ci_config_ref_uri").value() {
        let ref_path = claims.get("ref_path");
        let sha = claims.get("sha");
        if uri.is_empty() {
            return Some(invalid_publisher("The ci_config_ref_uri claim is empty"));
        }
        if ref_path.value().is_none_or(str::is_empty) || sha.value().is_none_or(str::is_empty) {
            if ref_path != Claim::Unknown && sha != Claim::Unknown {
                return Some(invalid_publisher("The ref_path and sha claims are empty"));
            }
            return None;
        }
        let domain = claims
            .get("iss")
            .value()
            .map_or("gitlab.com".to_owned(), |i| {
                i.trim_start_matches("https://").to_owned()
            });
        let truth = format!("{domain}/{}/{}//{}", p.owner, p.repository, p.workflow);
        let mut expected: Vec<String> = [ref_path.value(), sha.value()]
            .into_iter()
            .flatten()
            .map(|r| format!("{truth}@{r}"))
            .collect();
        expected.sort();
        if !expected.iter().any(|e| e == uri) {
            let list: Vec<String> = expected.iter().map(|e| py_repr(e)).collect();
            return Some(invalid_publisher(format!(
                "The ci_config_ref_uri claim does not match, expecting one of [{}], got {}",
                list.join(", "),
                py_repr(uri)
            )));
        }
    }
    None
}

/// PyPI's GitLab publisher form (`warehouse/oidc/forms/gitlab.py`).
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    let mut push = |field, message: &str| {
        out.push(FormProblem {
            field,
            message: message.to_owned(),
            help: None,
        })
    };
    let inner_ok = |s: &str, extra: &[u8]| {
        let b = s.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    if let Some(ns) = get("owner") {
        let doubled = ["..", "--", "__", "//", "++"]
            .iter()
            .any(|d| ns.contains(d));
        if !inner_ok(&ns, b"-_./+") || doubled {
            push("owner", "Invalid GitLab username or group/subgroup name.");
        } else if ns.ends_with(".git") || ns.ends_with(".atom") {
            push("owner", "Name ends with .git or .atom");
        }
    }
    if let Some(project) = get("repository")
        && !inner_ok(&project, b"_.-")
    {
        push("repository", "Invalid project name");
    }
    if let Some(path) = get("workflow") {
        if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
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
        && !env.is_empty()
        && !env
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_/${} ".contains(&b))
    {
        push("environment", "Invalid environment name");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepath_is_taken_after_the_double_slash() {
        assert_eq!(
            workflow_filepath("gitlab.com/ns/proj//.gitlab-ci.yml@refs/heads/main"),
            Some(".gitlab-ci.yml")
        );
        assert_eq!(
            workflow_filepath("gitlab.com/ns/sub/proj//ci/release.yml@refs/tags/v1"),
            Some("ci/release.yml")
        );
        assert_eq!(
            workflow_filepath("gitlab.com/ns/proj//ci/@refs/heads/main"),
            None
        );
        assert_eq!(
            workflow_filepath("gitlab.com/ns/proj/.gitlab-ci.yml@refs/heads/main"),
            None
        );
    }
}
