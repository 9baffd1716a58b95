//! The OIDC claims a run presented, from whichever evidence the user has.
//!
//! A token shows every claim the run carried, so a claim absent from it is *missing*. A log or a
//! claims document shows only the claims a tool chose to print (or someone copied), so a claim
//! absent from it is *unknown*: the matcher must not fail on it, only say it cannot confirm it.
//! An explicit `null` (or the `MISSING` a publishing action prints) is missing either way.

use indexmap::IndexMap;
use serde_json::Value;

/// The issuer of GitHub Actions OIDC tokens on github.com.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// How much of the run's claim set a piece of evidence shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every claim the run carried (a token): an absent claim is missing.
    Complete,
    /// Only some claims (a log, a claims document): an absent claim is unknown.
    Partial,
}

/// What the evidence says about one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The claim is present, with this value as text (numbers and booleans in their JSON form).
    Present(String),
    /// The claim is known to be absent (or `null`, which registries treat the same way).
    Missing,
    /// The evidence does not show this claim.
    Unknown,
}

impl Claim {
    /// The value when present.
    pub fn value(&self) -> Option<&str> {
        match self {
            Claim::Present(v) => Some(v),
            _ => None,
        }
    }
}

/// A set of claims, in the order the evidence gave them.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    values: IndexMap<String, Value>,
    coverage: Coverage,
    /// For partial evidence: the claims read out of `sub` that the evidence does not show
    /// itself (see [`super::subject::subject_claims`]).
    from_subject: IndexMap<String, Value>,
}

impl Claims {
    /// Claims from a token, where absence means missing.
    pub fn complete(values: IndexMap<String, Value>) -> Self {
        Self {
            values,
            coverage: Coverage::Complete,
            from_subject: IndexMap::new(),
        }
    }

    /// Claims from a log or a claims document, where absence means unknown. A claim shown as `MISSING` is stored as
    /// `Value::Null`. A claim the evidence does not show but its `sub` carries (the environment
    /// in `repo:o/r:environment:release`, the ids of the immutable form) counts as shown.
    pub fn partial(values: IndexMap<String, Value>) -> Self {
        let from_subject = match values.get("sub") {
            Some(Value::String(sub)) => super::subject::subject_claims(sub)
                .into_iter()
                .filter(|(name, _)| !values.contains_key(*name))
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
            _ => IndexMap::new(),
        };
        Self {
            values,
            coverage: Coverage::Partial,
            from_subject,
        }
    }

    /// The claims read out of `sub` because the evidence does not show them itself.
    pub fn from_subject(&self) -> &IndexMap<String, Value> {
        &self.from_subject
    }

    /// Whether absence means missing or unknown.
    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    /// The claims as the evidence gave them.
    pub fn raw(&self) -> &IndexMap<String, Value> {
        &self.values
    }

    /// Number of claims shown.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no claim is shown at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// What the evidence says about `name`.
    pub fn get(&self, name: &str) -> Claim {
        match self
            .values
            .get(name)
            .or_else(|| self.from_subject.get(name))
        {
            None if self.coverage == Coverage::Complete => Claim::Missing,
            None => Claim::Unknown,
            Some(Value::Null) => Claim::Missing,
            Some(Value::String(s)) => Claim::Present(s.clone()),
            Some(other) => Claim::Present(other.to_string()),
        }
    }

    /// A claim that is a JSON integer (`exp`, `nbf`, `iat`), or `None`.
    pub fn integer(&self, name: &str) -> Option<i64> {
        self.values.get(name).and_then(Value::as_i64)
    }

    /// The audiences of the token: `aud` may be one string or a list of strings.
    pub fn audiences(&self) -> Option<Vec<String>> {
        match self.values.get("aud")? {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(items) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect(),
            ),
            other => Some(vec![other.to_string()]),
        }
    }
}
