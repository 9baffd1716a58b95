//! crates.io for GitLab CI/CD: `handle_gitlab_token_inner` and the GitLab config form.
//!
//! Source: rust-lang/crates.io `57fa000662f5`: `src/controllers/trustpub/tokens/exchange/mod.rs`,
//! `crates/crates_io_trustpub/src/gitlab/{claims,validation,workflows}.rs`. gitlab.com only (a
//! self-managed instance's issuer is `Unsupported JWT issuer`); namespace and project from
//! `project_path` split at its last `/`, compared without case; `namespace_id` recorded on the
//! first successful exchange and compared after that (a config created and never used has
//! none); the pipeline file path from `ci_config_ref_uri` (after the first `//`, up to the last
//! `@`) compared exactly; the environment without case; no event is refused. A declared
//! publisher stores the namespace in `owner`, the project in `repository`, the file path in
//! `workflow`, and the id crates.io pinned in `namespace-id`.

use crate::identity::{Claim, Provider, Publisher};
use crate::registry::github::{Case, compare};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Refusal, Template,
};

use super::{
    SPEC, bad_request, configs, drop_if, environment_keeps, environment_refusal, listed, verdict,
};

/// Claims `GitLabClaims` must deserialize; one absent (or `ci_config_ref_uri: null`, GitLab's
/// value for a pipeline defined outside the project) fails with `Failed to decode JWT`.
const REQUIRED: [&str; 6] = [
    "jti",
    "namespace_id",
    "project_path",
    "ci_config_ref_uri",
    "job_id",
    "sha",
];

/// `extract_workflow_filepath`: after the first `//`, up to the last `@`; it must end in `.yml`
/// or `.yaml`, and its base name must be more than the extension.
pub fn workflow_filepath(uri: &str) -> Option<&str> {
    let start = uri.find("//")?;
    let after = &uri[start + 2..];
    let end = after.rfind('@')?;
    let path = &after[..end];
    if !path.ends_with(".yml") && !path.ends_with(".yaml") {
        return None;
    }
    let base = path.rsplit('/').next()?;
    (base != ".yml" && base != ".yaml").then_some(path)
}

/// Judges a GitLab config as crates.io would.
pub fn judge(p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let path = claims.get("project_path");
    let (namespace, project) = match &path {
        Claim::Present(pp) => match pp.rsplit_once('/') {
            Some((n, pr)) => (Claim::Present(n.into()), Claim::Present(pr.into())),
            None => (Claim::Missing, Claim::Present(pp.clone())),
        },
        other => (other.clone(), other.clone()),
    };
    let filepath = match claims.get("ci_config_ref_uri") {
        Claim::Present(u) => {
            workflow_filepath(&u).map_or(Claim::Missing, |f| Claim::Present(f.into()))
        }
        other => other,
    };
    let environment = claims.get("environment");
    let aud = claims.get("aud");
    let namespace_id = p.extra("namespace-id");
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
            name: "namespace-id",
            claim: "namespace_id",
            expected: namespace_id.map(str::to_owned),
            outcome: compare(namespace_id, &claims.get("namespace_id"), |a, b| a == b),
            actual: claims.get("namespace_id"),
            rule: "exact (pinned at the first successful exchange)",
        },
        FieldCheck {
            name: "workflow",
            claim: "ci_config_ref_uri",
            expected: Some(p.workflow.clone()),
            outcome: compare(Some(&p.workflow), &filepath, |a, b| a == b),
            actual: filepath,
            rule: "exact (path after `//` in `ci_config_ref_uri`)",
        },
        FieldCheck {
            name: "environment",
            claim: "environment",
            expected: p.environment.clone(),
            outcome: match (&p.environment, &environment) {
                (None, _) => Outcome::Ok,
                (Some(_), Claim::Unknown) => Outcome::Unconfirmed,
                (Some(d), c) if environment_keeps(Some(d), c) => Outcome::Ok,
                _ => Outcome::Differs,
            },
            actual: environment,
            rule: if p.environment.is_some() {
                "case-insensitive"
            } else {
                "none declared: any accepted"
            },
        },
        crate::registry::github::audience_field(SPEC.audience, aud, "exact, one string"),
    ];
    let mut notes = Vec::new();
    if namespace_id.is_none() {
        notes.push(Note {
            id: "namespace-id-unconfirmed",
            text: match claims.get("namespace_id").value() {
                Some(id) => format!("namespace-id is not declared, so it cannot be confirmed: crates.io records the namespace's id at the first successful exchange and refuses another one after that; the run's is {id}"),
                None => "namespace-id is not declared, so it cannot be confirmed: crates.io records the namespace's id at the first successful exchange and refuses another one after that".into(),
            },
        });
    }
    let exchange = super::front_for(ev, p).and_then(|provider| match provider {
        Provider::GitLab => exchange(ev, &configs(p, ev, Provider::GitLab)),
        _ => super::exchange_github(ev, &configs(p, ev, Provider::GitHub)),
    });
    let refusal = verdict(p, exchange);
    notes.extend(super::weighed_note(p, ev, refusal.as_ref()));
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// `handle_gitlab_token_inner` over `configs`: the configs left, or the 400 of the step that
/// left none.
pub fn exchange<'a>(
    ev: &EvidenceFacts<'_>,
    configs: &[&'a Publisher],
) -> Result<Vec<&'a Publisher>, Refusal> {
    let claims = ev.claims;
    if REQUIRED.iter().any(|c| claims.get(c) == Claim::Missing) {
        return Err(bad_request("Failed to decode JWT"));
    }
    let path = claims.get("project_path");
    let (namespace, project) = match path.value() {
        Some(pp) => match pp.rsplit_once('/') {
            Some((n, pr)) => (Claim::Present(n.into()), Claim::Present(pr.into())),
            None => return Err(bad_request("Unexpected `project_path` value")),
        },
        None => (Claim::Unknown, Claim::Unknown),
    };
    let repo = path.value().unwrap_or("?").to_owned();
    let filepath = match claims.get("ci_config_ref_uri") {
        Claim::Present(u) => match workflow_filepath(&u) {
            Some(f) => Claim::Present(f.to_owned()),
            None => return Err(bad_request("Unexpected `ci_config_ref_uri` value")),
        },
        _ => Claim::Unknown,
    };
    let same = |declared: &str, claim: &Claim, case: Case| match claim {
        Claim::Present(c) => case.same(declared, c),
        _ => true,
    };
    let mut left: Vec<&Publisher> = configs
        .iter()
        .copied()
        .filter(|c| {
            same(&c.owner, &namespace, Case::Insensitive)
                && same(&c.repository, &project, Case::Insensitive)
        })
        .collect();
    if left.is_empty() {
        return Err(bad_request(format!(
            "No Trusted Publishing config found for repository `{repo}`."
        )));
    }
    let namespace_id = claims.get("namespace_id");
    let dropped = drop_if(&mut left, |c| {
        c.extra("namespace-id")
            .is_none_or(|id| same(id, &namespace_id, Case::Sensitive))
    });
    if left.is_empty() {
        return Err(bad_request(format!(
            "The Trusted Publishing config for repository `{repo}` does not match the namespace ID ({}) in the JWT. Expected namespace IDs: {}. Please recreate the Trusted Publishing config to update the namespace ID.",
            namespace_id.value().unwrap_or_default(),
            listed(
                dropped.iter().filter_map(|c| c.extra("namespace-id")),
                false
            )
        )));
    }
    let dropped = drop_if(&mut left, |c| same(&c.workflow, &filepath, Case::Sensitive));
    if left.is_empty() {
        return Err(bad_request(format!(
            "The Trusted Publishing config for repository `{repo}` does not match the workflow filepath `{}` in the JWT. Expected workflow filepaths: {}",
            filepath.value().unwrap_or_default(),
            listed(dropped.iter().map(|c| c.workflow.as_str()), true)
        )));
    }
    let environment = claims.get("environment");
    let dropped = drop_if(&mut left, |c| {
        environment_keeps(c.environment.as_deref(), &environment)
    });
    if left.is_empty() {
        return Err(environment_refusal(&repo, &environment, &dropped));
    }
    Ok(left)
}

/// `^[a-zA-Z0-9](?:[<inner>]*[a-zA-Z0-9])?$`.
fn gitlab_name(s: &str, inner: &[u8]) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || inner.contains(c))
}

/// The GitLab config form's rules (`crates/crates_io_trustpub/src/gitlab/validation.rs`, "
/// intentionally permissive"), first failure of each field, lengths in bytes.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    const MAX: usize = 255;
    let mut out = Vec::new();
    for (field, noun, invalid, inner) in [
        (
            "owner",
            "GitLab namespace",
            "Invalid GitLab namespace",
            &b"_.-/"[..],
        ),
        (
            "repository",
            "GitLab project name",
            "Invalid GitLab project name",
            &b"_.-"[..],
        ),
    ] {
        let Some(v) = get(field) else { continue };
        let message = if v.is_empty() {
            Some(format!("{noun} may not be empty"))
        } else if v.len() > MAX {
            Some(format!("{noun} is too long (maximum is 255 characters)"))
        } else if v.ends_with(".atom") || v.ends_with(".git") {
            Some(format!("{noun} cannot end with .atom or .git"))
        } else if !gitlab_name(&v, inner) {
            Some(invalid.to_owned())
        } else {
            None
        };
        out.extend(message.map(|m| FormProblem::refused(field, m)));
    }
    if let Some(path) = get("workflow") {
        let message = if path.is_empty() {
            Some("Workflow filepath may not be empty")
        } else if path.len() > MAX {
            Some("Workflow filepath is too long (maximum is 255 characters)")
        } else if path.starts_with('/') {
            Some("Workflow filepath cannot start with /")
        } else if path.ends_with('/') {
            Some("Workflow filepath cannot end with /")
        } else if !path.ends_with(".yml") && !path.ends_with(".yaml") {
            Some("Workflow filepath must end with `.yml` or `.yaml`")
        } else {
            None
        };
        out.extend(message.map(|m| FormProblem::refused("workflow", m)));
    }
    if let Some(env) = get("environment") {
        let message = if env.is_empty() {
            Some("Environment name may not be empty (use `null` to omit)")
        } else if env.len() > MAX {
            Some("Environment name is too long (maximum is 255 characters)")
        } else if !env
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" -_/${}".contains(&b))
        {
            Some("Environment name contains invalid characters")
        } else {
            None
        };
        out.extend(message.map(|m| FormProblem::refused("environment", m)));
    }
    out
}

/// What to enter in crates.io's GitLab config form.
pub fn template(p: &Publisher) -> Template {
    Template {
        values: vec![
            FormValue {
                field: "Namespace",
                value: p.owner.clone(),
            },
            FormValue {
                field: "Project",
                value: p.repository.clone(),
            },
            FormValue {
                field: "Workflow filepath",
                value: p.workflow.clone(),
            },
            FormValue {
                field: "Environment name (optional)",
                value: p.environment.clone().unwrap_or_default(),
            },
        ],
        page: format!(
            "https://crates.io/crates/{}/settings/new-trusted-publisher",
            p.project
        ),
        prefill_url: None,
        pending_url: None,
        notes: vec![
            "the crate must already exist on crates.io: publish its first version with an API token".into(),
            "GitLab CI/CD support is in public beta on crates.io, for gitlab.com only; the job's ID token needs `aud: crates.io`".into(),
            "at most 5 GitLab configs per crate; the namespace's id is recorded at the first successful exchange".into(),
        ],
    }
}
