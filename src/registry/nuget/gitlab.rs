//! NuGet.org for GitLab CI/CD: `GitLabTokenPolicyValidator.cs` (added by NuGetGallery #10905,
//! `d9ed93c2d`, 2026-07-30) and `GitLabCriteria.cs`, NuGet/NuGetGallery at `55d8cc0bc95f`.
//!
//! A policy names a namespace and a project (the form keeps the project's last path segment),
//! and optionally a branch (`ref`, compared exactly with the token's `ref` claim, which then
//! must be a branch) and an environment (compared exactly, unlike GitHub's). No pipeline file
//! is named or checked; gitlab.com only; the namespace's and project's ids are pinned at the
//! first use. A declared publisher stores the namespace in `owner`, the project in
//! `repository`, the branch in `ref`, the pinned ids in `namespace-id` and `project-id`.

use crate::identity::{Claim, Claims, Publisher};
use crate::registry::github::{Case, compare};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Template,
};

use super::{PolicyResult, SPEC, missing, required_claim};

/// The claims every GitLab policy requires, in the validator's order.
const REQUIRED: [&str; 4] = [
    "namespace_path",
    "project_path",
    "namespace_id",
    "project_id",
];

/// `GitLabTokenPolicyValidator.EvaluatePolicyAsync` for one policy (the expiry of a temporary
/// policy cannot be seen). Claims the evidence does not show pass.
pub(super) fn evaluate(p: &Publisher, claims: &Claims) -> PolicyResult {
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
    if let Some(v) = claims.get("namespace_path").value()
        && !Case::Insensitive.same(v, &p.owner)
    {
        return mismatch("namespace_path", v);
    }
    if let Some(v) = claims.get("project_path").value()
        && !Case::Insensitive.same(v, &format!("{}/{}", p.owner, p.repository))
    {
        return mismatch("project_path", v);
    }
    for (key, claim) in [
        ("namespace-id", "namespace_id"),
        ("project-id", "project_id"),
    ] {
        if let (Some(id), Some(v)) = (p.extra(key), claims.get(claim).value())
            && id != v
        {
            return mismatch(claim, v);
        }
    }
    if let Some(branch) = p.extra("ref").filter(|r| !r.trim().is_empty()) {
        let claim = required_claim(claims, "ref");
        if claim != Claim::Unknown {
            let actual = claim.value().unwrap_or_default();
            if actual != branch {
                return fail(
                    format!(
                        "Ref mismatch for policy '{}': expected '{branch}', actual '{actual}'",
                        p.project
                    ),
                    true,
                );
            }
            let ref_type = required_claim(claims, "ref_type");
            if ref_type != Claim::Unknown
                && !ref_type
                    .value()
                    .is_some_and(|t| Case::Insensitive.same(t, "branch"))
            {
                return fail(
                    format!(
                        "Ref '{actual}' for policy '{}' must be a branch.",
                        p.project
                    ),
                    true,
                );
            }
        }
    }
    if let Some(env) = p.environment.as_deref().filter(|e| !e.trim().is_empty()) {
        let claim = required_claim(claims, "environment");
        if claim != Claim::Unknown {
            let actual = claim.value().unwrap_or_default();
            if actual != env {
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

/// Judges a GitLab policy as NuGet would.
pub fn judge(p: &Publisher, ev: &EvidenceFacts<'_>) -> crate::registry::Judgement {
    let claims = ev.claims;
    let row = |name: &'static str,
               claim: &'static str,
               expected: Option<String>,
               case: Case,
               rule: &'static str| {
        let actual = required_claim(claims, claim);
        FieldCheck {
            name,
            claim,
            outcome: compare(expected.as_deref(), &actual, |a, b| case.same(a, b)),
            expected,
            actual,
            rule,
        }
    };
    let branch = p.extra("ref").map(str::to_owned);
    let mut fields = vec![
        row(
            "namespace",
            "namespace_path",
            Some(p.owner.clone()),
            Case::Insensitive,
            "case-insensitive",
        ),
        row(
            "project",
            "project_path",
            Some(format!("{}/{}", p.owner, p.repository)),
            Case::Insensitive,
            "case-insensitive (`<namespace>/<project>`)",
        ),
        row(
            "namespace-id",
            "namespace_id",
            p.extra("namespace-id").map(str::to_owned),
            Case::Sensitive,
            "pinned at the first successful use",
        ),
        row(
            "project-id",
            "project_id",
            p.extra("project-id").map(str::to_owned),
            Case::Sensitive,
            "pinned at the first successful use",
        ),
    ];
    let mut ref_row = row(
        "ref",
        "ref",
        branch.clone(),
        Case::Sensitive,
        "exact, and `ref_type` must be `branch`",
    );
    if branch.is_none() {
        ref_row.outcome = Outcome::Ok;
        ref_row.rule = "none declared: any accepted";
    } else if ref_row.outcome == Outcome::Ok
        && required_claim(claims, "ref_type")
            .value()
            .is_none_or(|t| !Case::Insensitive.same(t, "branch"))
        && required_claim(claims, "ref_type") != Claim::Unknown
    {
        ref_row.outcome = Outcome::Differs;
    }
    fields.push(ref_row);
    let environment = required_claim(claims, "environment");
    fields.push(FieldCheck {
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
            "exact, case-sensitive"
        } else {
            "none declared: any accepted"
        },
    });
    let aud = claims.get("aud");
    fields.push(crate::registry::github::audience_field(
        SPEC.audience,
        aud,
        "exact, one value",
    ));
    let mut notes = vec![Note {
        id: "ids-pinned-on-first-use",
        text: "NuGet records the namespace's and the project's ids at the first successful publish (a policy unused for 7 days expires); a recreated project is refused afterwards".into(),
    }];
    if p.policy_owner.is_none() {
        notes.push(Note {
            id: "policy-owner-unknown",
            text: "`policy-owner` is not declared: the exchange must send the NuGet user name of the policy's creator, not the policy's owner".into(),
        });
    }
    let refusal = super::verdict(p, ev, &mut notes);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// `NormalizeProjectPath`: the last segment, once a trailing `/`, a query and a fragment are cut.
pub fn normalize_project_path(path: &str) -> String {
    let mut p = path.trim_end_matches('/');
    if let Some(i) = p.find('?') {
        p = p[..i].trim_end_matches('/');
    }
    if let Some(i) = p.find('#') {
        p = p[..i].trim_end_matches('/');
    }
    p.rsplit('/').next().unwrap_or(p).to_owned()
}

/// `GitLabCriteria.Validate` and the policy name's length.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    if get("owner").is_some_and(|v| v.trim().is_empty()) {
        out.push(FormProblem::refused(
            "owner",
            "The GitLab namespace path is required.",
        ));
    }
    if get("repository").is_some_and(|v| normalize_project_path(v.trim()).is_empty()) {
        out.push(FormProblem::refused(
            "repository",
            "The GitLab project path is required.",
        ));
    }
    out.extend(super::policy_name_problem(get));
    if let Some(r) = get("ref")
        && r.trim().starts_with("refs/")
    {
        out.push(FormProblem {
            field: "ref",
            message: format!("NuGet compares the policy's ref with the token's `ref` claim, which GitLab writes as the bare branch name: `{}` never matches", r.trim()),
            help: Some(format!("write `{}`", r.trim().trim_start_matches("refs/heads/"))),
            advisory: true,
        });
    }
    out
}

/// What to enter in NuGet's GitLab policy form.
pub fn template(p: &Publisher) -> Template {
    Template {
        values: vec![
            FormValue {
                field: "Policy name",
                value: p.project.clone(),
            },
            FormValue {
                field: "Package owner",
                value: p.policy_owner.clone().unwrap_or_default(),
            },
            FormValue {
                field: "Namespace",
                value: p.owner.clone(),
            },
            FormValue {
                field: "Project",
                value: p.repository.clone(),
            },
            FormValue {
                field: "Ref (optional)",
                value: p.extra("ref").unwrap_or_default().to_owned(),
            },
            FormValue {
                field: "Environment (optional)",
                value: p.environment.clone().unwrap_or_default(),
            },
        ],
        page: "https://www.nuget.org (signed in: user menu, Trusted Publishing, GitLab CI/CD)".into(),
        prefill_url: None,
        pending_url: None,
        notes: vec![
            "a policy applies to every package of its owner; the exchange sends the NuGet user name of the policy's creator".into(),
            "gitlab.com only; the job's ID token needs `aud: https://www.nuget.org`; the ref is a branch name (`main`, not `refs/heads/main`)".into(),
            "the namespace's and project's ids are recorded at the first publish; a policy unused for 7 days expires".into(),
        ],
    }
}
