//! The registries that trust CI identities, each in its own module with its exact matching
//! rules, form rules and reason texts. A matcher compares one declared publisher with one set of
//! claims and returns a [`Judgement`]; it never prints.

pub mod pypi;

use std::fmt;

use serde::Serialize;

use crate::claims::{Claim, Claims};
use crate::config::Publisher;

/// A package registry that accepts Trusted Publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Registry {
    /// pypi.org
    Pypi,
    /// test.pypi.org, a separate instance with its own publishers and audience.
    TestPypi,
}

impl Registry {
    /// Every registry, in the order reports list them.
    pub const ALL: [Registry; 2] = [Registry::Pypi, Registry::TestPypi];

    /// The id used in `expected-publishers.toml` and JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Registry::Pypi => "pypi",
            Registry::TestPypi => "testpypi",
        }
    }

    /// The name people call it.
    pub fn name(self) -> &'static str {
        match self {
            Registry::Pypi => "PyPI",
            Registry::TestPypi => "TestPyPI",
        }
    }

    /// The registry for an id, if there is one.
    pub fn from_id(id: &str) -> Option<Registry> {
        Registry::ALL.into_iter().find(|r| r.id() == id)
    }

    /// The OIDC audience a token for this registry carries.
    pub fn audience(self) -> &'static str {
        match self {
            Registry::Pypi | Registry::TestPypi => pypi::audience(self),
        }
    }

    /// Judges one declared publisher against the claims a run presented.
    pub fn judge(self, publisher: &Publisher, evidence: &EvidenceFacts<'_>) -> Judgement {
        match self {
            Registry::Pypi | Registry::TestPypi => pypi::judge(self, publisher, evidence),
        }
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a matcher may know about the evidence besides its claims.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceFacts<'a> {
    /// The claims.
    pub claims: &'a Claims,
    /// Whether the claims come from a JWT (so the registry's token-level checks apply).
    pub is_token: bool,
    /// Set when `--jwks` verification rejected the token, with the reason.
    pub token_rejected: Option<&'a str>,
}

/// How a registry would answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The registry's error code (`invalid-publisher`, `invalid-token`, ...).
    pub code: &'static str,
    /// The specific reason: for PyPI's `invalid-publisher`, the text in the parentheses;
    /// otherwise the error's description.
    pub reason: String,
    /// The whole description as the registry returns it.
    pub message: String,
}

/// The outcome of comparing one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The registry compares it and it agrees.
    Ok,
    /// The registry compares it and it differs.
    Differs,
    /// It cannot be confirmed: the desired state or the evidence does not say.
    Unconfirmed,
    /// The registry does not compare it; `same` says whether the values agree anyway.
    Ignored {
        /// Whether declared and observed agree.
        same: bool,
    },
}

/// One row of the comparison table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCheck {
    /// Field name in the desired-state vocabulary (`owner`, `workflow`, ...) or the claim name.
    pub name: &'static str,
    /// The claim the value is taken from.
    pub claim: &'static str,
    /// What the desired state implies, if it says.
    pub expected: Option<String>,
    /// What the evidence shows.
    pub actual: Claim,
    /// The comparison's result.
    pub outcome: Outcome,
    /// How the registry compares it, in a few words.
    pub rule: &'static str,
}

/// Something worth knowing about this judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// A stable kebab-case id.
    pub id: &'static str,
    /// The note itself.
    pub text: String,
}

/// What a registry would decide for one declared publisher and one set of claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// `None` when the registry would accept the run; otherwise the first refusal it reaches.
    pub refusal: Option<Refusal>,
    /// Every field compared, accepted or not, for the table.
    pub fields: Vec<FieldCheck>,
    /// What else the reader should know.
    pub notes: Vec<Note>,
}

impl Judgement {
    /// Whether the registry would accept the run.
    pub fn accepted(&self) -> bool {
        self.refusal.is_none()
    }

    /// The field named `name`, if compared.
    pub fn field(&self, name: &str) -> Option<&FieldCheck> {
        self.fields.iter().find(|f| f.name == name)
    }
}
