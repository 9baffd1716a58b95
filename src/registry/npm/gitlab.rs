//! npm for GitLab CI/CD, from npm's documentation ("GitLab CI/CD Pipelines (GitLab.com shared
//! runners)"; the form's Namespace, Project name and Top-level CI file path; the job's ID token
//! `NPM_ID_TOKEN` with `aud: "npm:registry.npmjs.org"`) and `npm trust gitlab` (npm 12.2.2,
//! `lib/commands/trust/gitlab.js`: the claims `project_path` and `ci_config_ref_uri`'s file).
//! Every field exact; the file compared with the path GitLab writes after `//` in
//! `ci_config_ref_uri` (a root pipeline file, as `npm trust` allows only a file name). A
//! declared publisher stores the namespace in `owner`, the project in `repository`, the file in
//! `workflow`.

use crate::identity::{Claim, Publisher};
use crate::registry::github::compare;
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Outcome, Template,
};

use super::{NOT_FOUND, SPEC, common_notes, not_found, unauthorized_token};

/// The issuer npm accepts GitLab tokens from.
pub const ISSUER: &str = "https://gitlab.com";

/// Judges a GitLab trusted publisher as npm is documented to.
pub fn judge(p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let path = claims.get("project_path");
    let file = match claims.get("ci_config_ref_uri") {
        Claim::Present(u) => crate::registry::pypi::gitlab::workflow_filepath(&u)
            .map_or(Claim::Missing, |f| Claim::Present(f.to_owned())),
        other => other,
    };
    let environment = claims.get("environment");
    let aud = claims.get("aud");
    let declared_path = format!("{}/{}", p.owner, p.repository);
    let fields = vec![
        FieldCheck {
            name: "project",
            claim: "project_path",
            outcome: compare(Some(&declared_path), &path, |a, b| a == b),
            expected: Some(declared_path.clone()),
            actual: path,
            rule: "exact (`<namespace>/<project>`)",
        },
        FieldCheck {
            name: "workflow",
            claim: "ci_config_ref_uri",
            expected: Some(p.workflow.clone()),
            outcome: compare(Some(&p.workflow), &file, |a, b| a == b),
            actual: file,
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
            actual: environment,
            rule: if p.environment.is_some() {
                "exact"
            } else {
                "none declared: any accepted"
            },
        },
        crate::registry::github::audience_field(SPEC.audience, aud, "exact, one string"),
    ];
    let mut notes = Vec::new();
    let issuer_ok = claims.get("iss").value().is_none_or(|i| i == ISSUER);
    let refusal = if let Some(r) = unauthorized_token(ev, issuer_ok) {
        Some(r)
    } else if let Some(f) =
        crate::registry::github::first_difference(&fields, &["project", "workflow", "environment"])
    {
        notes.push(crate::registry::github::silent_registry_note(
            "npm",
            NOT_FOUND,
            Some(f),
        ));
        Some(not_found())
    } else {
        None
    };
    if claims
        .get("runner_environment")
        .value()
        .is_some_and(|r| r != "gitlab-hosted")
    {
        notes.push(crate::registry::Note {
            id: "self-hosted-runner",
            text: "npm accepts Trusted Publishing from GitLab.com's shared runners only; this job ran on another runner".into(),
        });
    }
    common_notes(&mut notes);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// `npm trust gitlab`'s checks: the file ends in `.yml` or `.yaml` and is a file name; the
/// project is `group/project` or deeper.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    if let Some(file) = get("workflow") {
        if !(file.ends_with(".yml") || file.ends_with(".yaml")) {
            out.push(FormProblem::refused(
                "workflow",
                "GitLab CI/CD Pipeline must end in .yml or .yaml",
            ));
        } else if file.contains('/') {
            out.push(FormProblem::refused(
                "workflow",
                "GitLab CI/CD pipeline file must be just a file not a path",
            ));
        }
    }
    if let (Some(ns), Some(project)) = (get("owner"), get("repository"))
        && (ns.is_empty() || project.is_empty() || project.contains('/'))
    {
        out.push(FormProblem::refused(
            "repository",
            "GitLab project must be specified in the format group/project or group/subgroup/project",
        ));
    }
    out
}

/// What to enter in npm's GitLab form.
pub fn template(p: &Publisher) -> Template {
    let env = p
        .environment
        .as_deref()
        .map_or_else(String::new, |e| format!(" --env {e}"));
    let mut notes = super::template_notes(format!(
        "npm trust gitlab {} --project {}/{} --file {}{env} --allow-publish",
        p.project, p.owner, p.repository, p.workflow
    ));
    notes.push("gitlab.com shared runners only; the job's ID token `NPM_ID_TOKEN` needs `aud: \"npm:registry.npmjs.org\"`".into());
    Template {
        values: vec![
            FormValue {
                field: "Publisher",
                value: "GitLab CI/CD".into(),
            },
            FormValue {
                field: "Namespace",
                value: p.owner.clone(),
            },
            FormValue {
                field: "Project name",
                value: p.repository.clone(),
            },
            FormValue {
                field: "Top-level CI file path",
                value: p.workflow.clone(),
            },
            FormValue {
                field: "Environment (optional)",
                value: p.environment.clone().unwrap_or_default(),
            },
        ],
        page: format!("https://www.npmjs.com/package/{}/access", p.project),
        prefill_url: None,
        pending_url: None,
        notes,
    }
}
