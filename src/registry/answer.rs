//! The registry's own words decide: when the evidence quotes a registry's answer (a log),
//! the verdict is that answer, with the field its reason names, even where the claims shown
//! match the declared identity. Each registry reads its own texts (`<registry>/answer.rs`);
//! this module holds the shared vocabulary and merges a reading into a judgement.

use crate::identity::{Claim, Claims, Registry};
use crate::registry::{FieldCheck, Judgement, Note, Outcome, Refusal};

/// An answer of a registry, as the evidence quotes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer<'a> {
    /// The registry's error code (PyPI's `invalid-publisher`), or `http-<status>`; `refused`
    /// when the evidence shows a refusal without the registry's words.
    pub code: &'a str,
    /// The registry's text.
    pub text: &'a str,
}

impl Answer<'_> {
    /// The code for a refusal the evidence shows without quoting the registry.
    pub const UNQUOTED: &'static str = "refused";
}

/// What an answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The registry found no publisher for these values, and says no more (PyPI's
    /// `Publisher with matching claims was not found`, npm's `package not found`, RubyGems'
    /// bare 404).
    NotFound,
    /// The registry refused for a reason it states.
    Refusal,
    /// The evidence shows a refusal without the registry's words.
    Unexplained,
}

/// A registry's reading of its own answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The refusal, in the registry's words.
    pub refusal: Refusal,
    /// The row the reason names, with what the registry says the run had.
    pub cause: Option<FieldCheck>,
    /// What kind of answer it is.
    pub meaning: Meaning,
    /// What the registry says it holds for the field it names (crates.io's `Expected ...`,
    /// NuGet's `expected '...'`), when it says.
    pub held: Option<String>,
}

/// The note id saying the registry's answer decided the verdict.
pub const NOTE_ANSWERED: &str = "registry-answered";
/// The note id saying the claims shown match, and the registry still found no publisher.
pub const NOTE_HOLDS_NONE: &str = "registry-holds-no-such-publisher";
/// The note id saying the registry holds other values than the declared ones.
pub const NOTE_HOLDS_OTHER: &str = "registry-holds-other-values";
/// The note id saying the evidence shows a refusal without the registry's reason.
pub const NOTE_UNEXPLAINED: &str = "registry-reason-not-shown";

/// The static code for an answer's code (`Refusal::code` is static; an unknown code keeps
/// its class).
pub fn static_code(code: &str) -> &'static str {
    const KNOWN: [&str; 17] = [
        "invalid-payload",
        "not-enabled",
        "invalid-token",
        "invalid-pending-publisher",
        "invalid-publisher",
        "invalid-reuse-token",
        "http-400",
        "http-401",
        "http-403",
        "http-404",
        "http-409",
        "http-415",
        "http-422",
        "http-429",
        "http-500",
        "http-502",
        "http-503",
    ];
    KNOWN
        .into_iter()
        .find(|k| *k == code)
        .unwrap_or(if code.starts_with("http-") {
            "http-error"
        } else {
            "error"
        })
}

/// A refusal in the answer's own words.
pub fn refusal(answer: &Answer<'_>, reason: impl Into<String>) -> Refusal {
    Refusal {
        code: static_code(answer.code),
        reason: reason.into(),
        message: answer.text.to_owned(),
    }
}

/// The reading of `answer` with `reason` as the refusal's reason and nothing held.
pub fn reading(
    answer: &Answer<'_>,
    reason: &str,
    meaning: Meaning,
    cause: Option<FieldCheck>,
) -> Reading {
    Reading {
        refusal: refusal(answer, reason),
        cause,
        meaning,
        held: None,
    }
}

/// The row of a refused issuer: the registry trusts GitHub's, the token came from `iss`.
pub fn issuer_cause(iss: &str) -> FieldCheck {
    cause(
        "iss",
        "iss",
        Some(crate::identity::GITHUB_ISSUER.into()),
        Claim::Present(iss.to_owned()),
        "exact",
    )
}

/// A row the registry's reason names.
pub fn cause(
    name: &'static str,
    claim: &'static str,
    expected: Option<String>,
    actual: Claim,
    rule: &'static str,
) -> FieldCheck {
    FieldCheck {
        name,
        claim,
        expected,
        actual,
        outcome: Outcome::Differs,
        rule,
    }
}

/// The text between the first `'` and the next one (`policy 'a'` → `a`).
pub fn quoted_after<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let rest = text.split_once(marker)?.1;
    let rest = rest.strip_prefix('\'')?;
    Some(&rest[..rest.find('\'')?])
}

/// The text between backticks after `marker` (crates.io's ``repository `o/r` ``).
pub fn ticked_after<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let rest = text.split_once(marker)?.1;
    let rest = rest.strip_prefix('`')?;
    Some(&rest[..rest.find('`')?])
}

/// The reading of an answer the evidence shows without the registry's words.
pub fn unquoted(registry: Registry) -> Reading {
    Reading {
        refusal: Refusal {
            code: "exchange-refused",
            reason: "the log shows the refusal, not the registry's reason".into(),
            message: format!(
                "{} refused the token exchange (the log does not show its answer)",
                registry.name()
            ),
        },
        cause: None,
        meaning: Meaning::Unexplained,
        held: None,
    }
}

/// Merges a reading into a judgement.
pub(super) fn apply(registry: Registry, j: &mut Judgement, r: Reading, claims: &Claims) {
    let own = j.refusal.take();
    if let (Some(row), Some(held)) = (&r.cause, &r.held) {
        let declared = j
            .field(row.name)
            .and_then(|f| f.expected.clone())
            .or_else(|| row.expected.clone());
        let holds_declared = |d: &String| {
            held.split(", ")
                .any(|h| h.trim_matches('`').eq_ignore_ascii_case(d))
        };
        if let Some(declared) = declared.filter(|d| !holds_declared(d)) {
            j.notes.push(Note {
                id: NOTE_HOLDS_OTHER,
                text: format!(
                    "{} holds a publisher whose {} is {held}, and the desired state declares `{declared}`: the publisher registered there is not the declared one",
                    registry.name(),
                    row.name
                ),
            });
        }
    }
    if let Some(row) = r.cause {
        match j.fields.iter_mut().find(|f| f.name == row.name) {
            Some(f) => {
                f.outcome = Outcome::Differs;
                if f.actual == Claim::Unknown {
                    f.actual = row.actual;
                }
                if f.expected.is_none() {
                    f.expected = row.expected;
                }
            }
            None => j.fields.push(row),
        }
    }
    let name = registry.name();
    j.notes.push(Note {
        id: NOTE_ANSWERED,
        text: format!(
            "{name}'s own answer decides this verdict: `{}`: {}",
            r.refusal.code, r.refusal.message
        ),
    });
    let differs = j.fields.iter().any(|f| f.outcome == Outcome::Differs);
    match r.meaning {
        Meaning::NotFound if !differs && own.is_none() => j.notes.push(Note {
            id: NOTE_HOLDS_NONE,
            text: if claims.is_empty() {
                format!(
                    "{name} found no publisher for this run's values, and the log shows no claims to compare: {name} does not hold this publisher, or holds one with other values"
                )
            } else {
                format!(
                    "the claims shown match the declared publisher, and {name} still found none: {name} does not hold this publisher, or holds one with other values (or for another project)"
                )
            },
        }),
        Meaning::Unexplained => j.notes.push(Note {
            id: NOTE_UNEXPLAINED,
            text: format!(
                "the log shows {name} refusing the exchange but not its reason: `trustpub preflight --exchange` in the job gets {name}'s own answer"
            ),
        }),
        _ => {}
    }
    if let Some(own) = own
        && own.message != r.refusal.message
        && r.meaning == Meaning::Refusal
    {
        j.notes.push(Note {
            id: "claims-alone",
            text: format!(
                "from the claims alone, trustpub would expect `{}`: {}",
                own.code, own.message
            ),
        });
    }
    j.refusal = Some(r.refusal);
}

#[cfg(test)]
mod tests {
    //! Each registry reads its own texts back: the refusal its matcher writes for a field that
    //! differs, read as an answer, names that field; and an answer decides even where the
    //! claims match.

    use indexmap::IndexMap;
    use serde_json::{Value, json};

    use super::*;
    use crate::config::test_publisher;
    use crate::identity::Publisher;
    use crate::registry::EvidenceFacts;

    fn claims(registry: Registry, changes: &[(&str, Value)]) -> Claims {
        let mut c: IndexMap<String, Value> = json!({
            "iss": "https://token.actions.githubusercontent.com", "aud": registry.audience(),
            "iat": 1_771_900_600, "nbf": 1_771_900_000, "exp": 1_771_900_900,
            "jti": "6f1e", "repository": "octo-org/widget", "repository_owner": "octo-org",
            "repository_owner_id": "42", "repository_id": "7", "run_id": "1",
            "event_name": "push", "ref": "refs/tags/v1", "sha": "abc",
            "workflow_ref": "octo-org/widget/.github/workflows/release.yml@refs/tags/v1",
            "job_workflow_ref": "octo-org/widget/.github/workflows/release.yml@refs/tags/v1",
            "environment": "release",
        })
        .as_object()
        .unwrap()
        .clone()
        .into_iter()
        .collect();
        for (k, v) in changes {
            if v.is_null() {
                c.shift_remove(*k);
            } else {
                c.insert((*k).to_owned(), v.clone());
            }
        }
        Claims::complete(c)
    }

    fn publisher(registry: Registry) -> Publisher {
        let mut p = test_publisher(
            registry,
            "octo-org",
            "widget",
            Some("42"),
            "release.yml",
            "release",
        );
        p.project = "widget".into();
        p.policy_owner = Some("octo-bot".into());
        p
    }

    fn facts(c: &Claims) -> EvidenceFacts<'_> {
        EvidenceFacts {
            claims: c,
            is_token: true,
            token_rejected: None,
            declared: &[],
        }
    }

    #[test]
    fn each_registry_reads_its_own_refusal_back_to_the_field() {
        let cases: [(Registry, &str, Value, &str); 7] = [
            (
                Registry::CratesIo,
                "workflow_ref",
                json!("octo-org/widget/.github/workflows/ci.yml@refs/tags/v1"),
                "workflow",
            ),
            (
                Registry::CratesIo,
                "environment",
                json!("prod"),
                "environment",
            ),
            (
                Registry::CratesIo,
                "environment",
                Value::Null,
                "environment",
            ),
            (
                Registry::CratesIo,
                "repository_owner_id",
                json!("43"),
                "owner-id",
            ),
            (
                Registry::CratesIo,
                "event_name",
                json!("workflow_run"),
                "event_name",
            ),
            (
                Registry::NuGet,
                "job_workflow_ref",
                json!("octo-org/widget/.github/workflows/ci.yml@refs/tags/v1"),
                "workflow",
            ),
            (Registry::NuGet, "environment", json!("prod"), "environment"),
        ];
        for (registry, claim, value, field) in cases {
            let p = publisher(registry);
            let c = claims(registry, &[(claim, value.clone())]);
            let own = registry.judge(&p, &facts(&c));
            let refusal = own.refusal.expect("the matcher refuses");
            let answer = Answer {
                code: refusal.code,
                text: &refusal.message,
            };
            // Read back on claims that show nothing: the field comes from the words alone.
            let none = Claims::partial(IndexMap::new());
            let j = registry.judge_answered(&p, &EvidenceFacts::claims_only(&none), &answer);
            let row = j
                .field(field)
                .unwrap_or_else(|| panic!("{registry} {claim}: no {field} row"));
            assert_eq!(row.outcome, Outcome::Differs, "{registry} {claim}");
        }
    }

    #[test]
    fn the_registry_s_answer_decides_where_the_claims_match() {
        let p = publisher(Registry::Pypi);
        let c = claims(Registry::Pypi, &[]);
        assert!(Registry::Pypi.judge(&p, &facts(&c)).accepted());
        let j = Registry::Pypi.judge_answered(
            &p,
            &facts(&c),
            &Answer {
                code: "invalid-publisher",
                text: "valid token, but no corresponding publisher (Publishing from a workflow invoked via 'pull_request_target' is not supported.)",
            },
        );
        assert_eq!(j.refusal.as_ref().unwrap().code, "invalid-publisher");
        assert_eq!(j.field("event_name").unwrap().outcome, Outcome::Differs);
        let j = Registry::Pypi.judge_answered(
            &p,
            &facts(&c),
            &Answer {
                code: "invalid-publisher",
                text: "valid token, but no corresponding publisher (Publisher with matching claims was not found)",
            },
        );
        assert!(!j.accepted());
        assert!(j.notes.iter().any(|n| n.id == NOTE_HOLDS_NONE));
        let j = Registry::Npm.judge_answered(
            &publisher(Registry::Npm),
            &facts(&claims(Registry::Npm, &[])),
            &Answer {
                code: "http-422",
                text: "Error verifying sigstore provenance bundle: Unsupported GitHub Actions runner environment: \"self-hosted\". Only \"github-hosted\" runners are supported when publishing with provenance.",
            },
        );
        assert_eq!(
            j.field("runner_environment").unwrap().outcome,
            Outcome::Differs
        );
    }
}
