//! NuGet's answers, read with its own texts (NuGet/NuGetGallery @55d8cc0bc95f
//! `GitHubTokenPolicyValidator.cs` `EvaluatePolicyAsync`, `FederatedCredentialPolicyEvaluator.cs`
//! `ValidateJwtByIssuerAsync`, `FederatedCredentialService.cs` `GenerateApiKeyAsync`). NuGet
//! joins the disclosable errors of every policy of the user with `. `; the one of the policy
//! named after the project is read first.

use crate::identity::{Claim, Publisher};
use crate::registry::answer::{self, Answer, Meaning, Reading, cause};

/// What NuGet's answer says about this publisher.
pub fn read(p: &Publisher, a: &Answer<'_>) -> Reading {
    let text = a.text.trim();
    let reading = |meaning, cause| answer::reading(a, text, meaning, cause);
    for prefix in [
        "No matching trust policy owned by user ",
        "No matching federated credential trust policy owned by user ",
    ] {
        if let Some(user) = answer::quoted_after(text, prefix) {
            let declared = p.policy_owner.as_deref();
            if declared.is_some_and(|d| !d.eq_ignore_ascii_case(user)) {
                return reading(
                    Meaning::NotFound,
                    Some(cause(
                        "policy-owner",
                        "username",
                        declared.map(str::to_owned),
                        Claim::Present(user.to_owned()),
                        "the NuGet user who created the policy",
                    )),
                );
            }
            return reading(Meaning::NotFound, None);
        }
    }
    // Every policy's disclosable error, the one named after the project first.
    let errors: Vec<&str> = text.split(". ").collect();
    let mine = |e: &str| answer::quoted_after(e, "for policy ") == Some(p.project.as_str());
    let ordered = errors
        .iter()
        .filter(|e| mine(e))
        .chain(errors.iter().filter(|e| !mine(e)));
    for e in ordered.copied() {
        let held = answer::quoted_after(e, "expected ").map(|h| format!("`{h}`"));
        let reading = |meaning, cause| Reading {
            held: held.clone(),
            ..reading(meaning, cause)
        };
        if e.starts_with("Workflow mismatch for policy ") {
            let actual = answer::quoted_after(e, "actual ").unwrap_or_default();
            return reading(
                Meaning::Refusal,
                Some(cause(
                    "workflow",
                    "job_workflow_ref",
                    Some(p.workflow.clone()),
                    Claim::Present(actual.to_owned()),
                    "case-insensitive (file in `job_workflow_ref`)",
                )),
            );
        }
        if e.starts_with("Environment mismatch for policy ") {
            let actual = answer::quoted_after(e, "actual ").unwrap_or_default();
            return reading(
                Meaning::Refusal,
                Some(cause(
                    "environment",
                    "environment",
                    p.environment.clone(),
                    if actual.is_empty() {
                        Claim::Missing
                    } else {
                        Claim::Present(actual.to_owned())
                    },
                    "case-insensitive",
                )),
            );
        }
        if let Some(value) = answer::quoted_after(e, "Claim 'job_workflow_ref' has value ") {
            return reading(
                Meaning::Refusal,
                Some(cause(
                    "workflow",
                    "job_workflow_ref",
                    Some(p.workflow.clone()),
                    Claim::Present(value.to_owned()),
                    "under `<owner>/<repository>/.github/workflows/`",
                )),
            );
        }
        if let Some(claim) = answer::quoted_after(e, "is missing the required claim ") {
            let name = [
                "repository",
                "repository_owner",
                "repository_owner_id",
                "repository_id",
                "event_name",
                "job_workflow_ref",
            ]
            .into_iter()
            .find(|c| *c == claim);
            return reading(
                Meaning::Refusal,
                name.map(|n| cause(n, n, Some("present".into()), Claim::Missing, "required")),
            );
        }
        if let Some(event) = answer::quoted_after(e, "The GitHub Actions event ") {
            return reading(
                Meaning::Refusal,
                Some(cause(
                    "event_name",
                    "event_name",
                    Some("an event the policy allows".into()),
                    Claim::Present(event.to_owned()),
                    "banned events refused",
                )),
            );
        }
    }
    let token_row = |name: &'static str, expected: &str| {
        Some(cause(
            name,
            name,
            Some(expected.to_owned()),
            Claim::Unknown,
            "checked with 5 minutes' leeway",
        ))
    };
    if text.starts_with("The JSON web token has expired") {
        return reading(Meaning::Refusal, token_row("exp", "in the future"));
    }
    if text.starts_with("The JSON web token is not yet valid") {
        return reading(Meaning::Refusal, token_row("nbf", "in the past"));
    }
    if text.starts_with("The JSON web token has an incorrect audience")
        || text.starts_with("The JSON web token must have exactly one aud claim value")
    {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "aud",
                "aud",
                Some(super::SPEC.audience.to_owned()),
                Claim::Unknown,
                "exact, one string",
            )),
        );
    }
    reading(Meaning::Refusal, None)
}
