//! What every registry's GitHub matcher shares: reading the identity out of the claims, and
//! the rows of the comparison table under a registry's own case rules. The order of checks and
//! the reason texts stay in each registry's module.

use crate::identity::Publisher;
use crate::identity::{Claim, Claims, GITHUB_ISSUER};
use crate::registry::{FieldCheck, Outcome, WorkflowClaim};

/// How a registry compares a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Byte for byte.
    Sensitive,
    /// Ignoring ASCII and Unicode case.
    Insensitive,
}

impl Case {
    /// Whether `a` and `b` are the same under this rule.
    pub fn same(self, a: &str, b: &str) -> bool {
        match self {
            Case::Sensitive => a == b,
            Case::Insensitive => a.to_lowercase() == b.to_lowercase(),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Case::Sensitive => "exact",
            Case::Insensitive => "case-insensitive",
        }
    }
}

/// A registry's comparison rules for the identity fields.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The owner, as the token's `repository` names it against the registry's stored owner.
    pub owner: Case,
    /// The repository name.
    pub repository: Case,
    /// The workflow file name.
    pub workflow: Case,
    /// The environment.
    pub environment: Case,
    /// Which claim names the workflow.
    pub workflow_claim: WorkflowClaim,
    /// How the owner is compared, in a few words.
    pub owner_rule: &'static str,
    /// How the owner id is bound, in a few words.
    pub owner_id_rule: &'static str,
    /// Whether at least one character must follow the `@` of the workflow ref (crates.io's
    /// pattern `([^/]+\.(yml|yaml))(@.+)`; PyPI's lookahead accepts an empty ref).
    pub ref_required: bool,
}

/// The text PyPI and crates.io give an environment with a forbidden character.
pub const ENVIRONMENT_CHARS: &str = r#"Environment name must not contain non-printable characters or the characters "'", """, "`", ",", ";", "\""#;

/// `[\x00-\x1F\x7F'"`,;\\]`: the characters PyPI's and crates.io's forms refuse in an environment.
pub fn is_forbidden_environment_char(c: char) -> bool {
    (c as u32) < 0x20 || c as u32 == 0x7f || "'\"`,;\\".contains(c)
}

/// The claim's name for a [`WorkflowClaim`].
pub fn claim_name(w: WorkflowClaim) -> &'static str {
    match w {
        WorkflowClaim::Defining => "job_workflow_ref",
        WorkflowClaim::Caller => "workflow_ref",
    }
}

/// The owner and name parts of the `repository` claim (split on the first `/`).
pub fn split_repository(claims: &Claims) -> (Claim, Claim) {
    match claims.get("repository") {
        Claim::Present(r) => match r.split_once('/') {
            Some((o, n)) => (Claim::Present(o.into()), Claim::Present(n.into())),
            None => (Claim::Present(r), Claim::Missing),
        },
        other => (other.clone(), other),
    }
}

/// The workflow file name a registry reads from a workflow ref: the leftmost run of non-`/`
/// characters ending in `.yml`/`.yaml` followed by `@` (and, where `ref_required`, by at least
/// one more character). This is PyPI's `_extract_workflow_filename` and crates.io's
/// `workflow_filename()` alike.
pub fn workflow_file(reference: &str, ref_required: bool) -> Option<&str> {
    let bytes = reference.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start] == b'/' || !reference.is_char_boundary(start) {
            start += 1;
            continue;
        }
        let run_end = bytes[start..]
            .iter()
            .position(|&b| b == b'/')
            .map_or(bytes.len(), |i| start + i);
        let mut end = run_end;
        while end > start {
            if reference.is_char_boundary(end) {
                let candidate = &reference[start..end];
                let ext = if candidate.ends_with(".yaml") {
                    5
                } else if candidate.ends_with(".yml") {
                    4
                } else {
                    0
                };
                let at = bytes.get(end) == Some(&b'@');
                let tail_ok = !ref_required || end + 1 < bytes.len();
                if at && tail_ok && ext > 0 && candidate.len() > ext {
                    return Some(candidate);
                }
            }
            end -= 1;
        }
        start += 1;
    }
    None
}

/// The issuer a GitHub token must carry, and whether the claims show another one.
pub fn foreign_issuer(claims: &Claims) -> Option<String> {
    claims
        .get("iss")
        .value()
        .filter(|iss| *iss != GITHUB_ISSUER)
        .map(str::to_owned)
}

/// Whether the audience is exactly `expected`, as one string: `Some(false)` when it differs or
/// is a list, `None` when the evidence does not show it (and it is not a token).
pub fn audience_ok(claims: &Claims, expected: &str, is_token: bool) -> Option<bool> {
    match claims.raw().get("aud") {
        Some(serde_json::Value::String(aud)) => Some(aud == expected),
        Some(_) => Some(false),
        None if is_token => Some(false),
        None => None,
    }
}

/// The outcome of comparing a declared value with a claim: unconfirmed when either side is
/// not known.
pub fn compare(
    expected: Option<&str>,
    actual: &Claim,
    same: impl Fn(&str, &str) -> bool,
) -> Outcome {
    match (expected, actual) {
        (None, _) | (_, Claim::Unknown) => Outcome::Unconfirmed,
        (Some(e), Claim::Present(a)) if same(e, a) => Outcome::Ok,
        _ => Outcome::Differs,
    }
}

/// The `aud` row: the claim must be the registry's audience, exactly (`rule` says how the
/// registry words it).
pub fn audience_field(audience: &'static str, aud: Claim, rule: &'static str) -> FieldCheck {
    FieldCheck {
        name: "aud",
        claim: "aud",
        expected: Some(audience.into()),
        outcome: compare(Some(audience), &aud, |a, b| a == b),
        actual: aud,
        rule,
    }
}

/// The identity rows of the table (owner, repository, owner-id, workflow, environment, aud)
/// under `rules`.
pub fn identity_fields(
    p: &Publisher,
    claims: &Claims,
    rules: &Rules,
    audience: &str,
    is_token: bool,
) -> Vec<FieldCheck> {
    let (owner, name) = split_repository(claims);
    let workflow_claim = claim_name(rules.workflow_claim);
    let workflow = match claims.get(workflow_claim) {
        Claim::Present(r) => workflow_file(&r, rules.ref_required)
            .map_or(Claim::Missing, |w| Claim::Present(w.into())),
        other => other,
    };
    let environment = claims.get("environment");
    let env_outcome = match (&p.environment, &environment) {
        (None, _) => Outcome::Ok,
        (Some(_), Claim::Unknown) => Outcome::Unconfirmed,
        (Some(d), Claim::Present(c)) if !c.is_empty() && rules.environment.same(d, c) => {
            Outcome::Ok
        }
        (Some(_), _) => Outcome::Differs,
    };
    let aud = match claims.raw().get("aud") {
        Some(serde_json::Value::String(a)) => Claim::Present(a.clone()),
        Some(other) => Claim::Present(other.to_string()),
        None if is_token => Claim::Missing,
        None => Claim::Unknown,
    };
    let repo_rule = match rules.repository {
        Case::Sensitive => "exact",
        Case::Insensitive => "case-insensitive",
    };
    vec![
        FieldCheck {
            name: "owner",
            claim: "repository",
            expected: Some(p.owner.clone()),
            outcome: compare(Some(&p.owner), &owner, |a, b| rules.owner.same(a, b)),
            actual: owner,
            rule: rules.owner_rule,
        },
        FieldCheck {
            name: "repository",
            claim: "repository",
            expected: Some(p.repository.clone()),
            outcome: compare(Some(&p.repository), &name, |a, b| {
                rules.repository.same(a, b)
            }),
            actual: name,
            rule: if repo_rule == "exact" {
                "exact (name in `repository`)"
            } else {
                "case-insensitive (name in `repository`)"
            },
        },
        FieldCheck {
            name: "owner-id",
            claim: "repository_owner_id",
            expected: p.owner_id.clone(),
            outcome: compare(
                p.owner_id.as_deref(),
                &claims.get("repository_owner_id"),
                |a, b| a == b,
            ),
            actual: claims.get("repository_owner_id"),
            rule: rules.owner_id_rule,
        },
        FieldCheck {
            name: "workflow",
            claim: workflow_claim,
            expected: Some(p.workflow.clone()),
            outcome: compare(Some(&p.workflow), &workflow, |a, b| {
                rules.workflow.same(a, b)
            }),
            actual: workflow,
            rule: match (rules.workflow, rules.workflow_claim) {
                (Case::Sensitive, WorkflowClaim::Defining) => "exact (file in `job_workflow_ref`)",
                (Case::Sensitive, WorkflowClaim::Caller) => {
                    "exact (file in `workflow_ref`: the caller)"
                }
                (Case::Insensitive, WorkflowClaim::Defining) => {
                    "case-insensitive (file in `job_workflow_ref`)"
                }
                (Case::Insensitive, WorkflowClaim::Caller) => {
                    "case-insensitive (file in `workflow_ref`)"
                }
            },
        },
        FieldCheck {
            name: "environment",
            claim: "environment",
            expected: p.environment.clone(),
            outcome: env_outcome,
            actual: environment,
            rule: match (&p.environment, rules.environment) {
                (None, _) => "none declared: any accepted",
                (Some(_), c) => c.words(),
            },
        },
        FieldCheck {
            name: "aud",
            claim: "aud",
            expected: Some(audience.to_owned()),
            outcome: compare(Some(audience), &aud, |a, b| a == b),
            actual: aud,
            rule: "exact, one string",
        },
    ]
}

/// The first identity row that differs, in the order given.
pub fn first_difference<'f>(fields: &'f [FieldCheck], order: &[&str]) -> Option<&'f FieldCheck> {
    order.iter().find_map(|name| {
        fields
            .iter()
            .find(|f| f.name == *name && f.outcome == Outcome::Differs)
    })
}

/// What GitHub's immutable subject (`repo:OWNER@ID/REPO@ID:...`, repositories created, renamed
/// or transferred after 2026-07-15) changes for a registry: nothing where it never reads `sub`
/// (crates.io, RubyGems, NuGet match structured claims), a reported refusal where it seems to
/// (npm/cli#9969). Cloud trust policies that match `sub` break either way.
pub fn subject_notes(
    claims: &Claims,
    registry: &str,
    reads_sub: bool,
) -> Vec<crate::registry::Note> {
    let Some(sub) = claims.get("sub").value().map(str::to_owned) else {
        return Vec::new();
    };
    let parsed = crate::identity::subject::Subject::parse(&sub);
    if !parsed.is_immutable() {
        return Vec::new();
    }
    let text = if reads_sub {
        format!(
            "the `sub` claim (`{sub}`) has GitHub's immutable form (`repo:OWNER@ID/REPO@ID:...`); {registry} is reported to refuse such tokens with `package not found` although repository, workflow and environment match (npm/cli#9969, open): if this run was refused, that is the likely cause"
        )
    } else {
        format!(
            "the `sub` claim (`{sub}`) has GitHub's immutable form (`repo:OWNER@ID/REPO@ID:...`); {registry} does not read `sub`, so it changes nothing here (cloud trust policies written for `repo:OWNER/REPO:...` no longer match it)"
        )
    };
    vec![crate::registry::Note {
        id: "immutable-subject",
        text,
    }]
}

/// A note saying the registry answers without naming the field, and which one trustpub found.
pub fn silent_registry_note(
    registry: &str,
    answer: &str,
    field: Option<&FieldCheck>,
) -> crate::registry::Note {
    let text = match field {
        Some(f) => format!(
            "{registry} answers only `{answer}`: it would not say which field differs; trustpub found `{}` (declared {}, the run shows {})",
            f.name,
            f.expected
                .as_deref()
                .map_or_else(|| "nothing".to_owned(), |e| format!("`{e}`")),
            f.actual
                .value()
                .map_or_else(|| "nothing".to_owned(), |a| format!("`{a}`"))
        ),
        None => format!("{registry} answers only `{answer}`, whatever is wrong"),
    };
    crate::registry::Note {
        id: "registry-gives-no-detail",
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_file_follows_both_registries_patterns() {
        assert_eq!(
            workflow_file("o/r/.github/workflows/a.yml@", false),
            Some("a.yml")
        );
        assert_eq!(workflow_file("o/r/.github/workflows/a.yml@", true), None);
        assert_eq!(
            workflow_file("o/r/.github/workflows/a.yml@refs/heads/main", true),
            Some("a.yml")
        );
        assert_eq!(
            workflow_file("o/r/.github/workflows/x.yml@y.yml@refs/tags/v1", true),
            Some("x.yml@y.yml")
        );
        assert_eq!(
            workflow_file("o/r/.github/workflows/Release.YML@main", true),
            None
        );
    }

    #[test]
    fn case_rules() {
        assert!(Case::Insensitive.same("PyPI", "pypi"));
        assert!(!Case::Sensitive.same("PyPI", "pypi"));
    }
}
