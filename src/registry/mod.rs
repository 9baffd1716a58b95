//! The registries that trust CI identities, each in its own module with its exact matching
//! rules, form rules and reason texts. A matcher compares one declared publisher with one set of
//! claims and returns a [`Judgement`]; it never prints.

pub mod answer;
pub mod crates_io;
pub mod github;
pub mod npm;
pub mod nuget;
pub mod pypi;
pub mod rubygems;

use serde::Serialize;

use crate::identity::{Claim, Claims, Publisher, Registry};

/// Which claim a registry takes the workflow file from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowClaim {
    /// `job_workflow_ref`: the file that defines the job (the called file of a reusable
    /// workflow). PyPI, RubyGems, NuGet.
    Defining,
    /// `workflow_ref`: the top-level workflow (the caller). crates.io, npm.
    Caller,
}

/// One field of a registry's "add a publisher" form, and the value to enter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormValue {
    /// The form's label.
    pub field: &'static str,
    /// What to enter (empty: leave it empty).
    pub value: String,
}

/// What to enter in a registry's form for one publisher, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    /// The values, in the form's order.
    pub values: Vec<FormValue>,
    /// The page that holds the form.
    pub page: String,
    /// A link that opens the form pre-filled, where the registry has one.
    pub prefill_url: Option<String>,
    /// Where to register a publisher before the package exists, where the registry allows it.
    pub pending_url: Option<String>,
    /// What else to know (the registry's own conditions).
    pub notes: Vec<String>,
}

/// A publisher's fields by desired-state key, as written.
pub type FieldLookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Everything that makes a registry itself: one entry per registry, so adding one touches its
/// module and this table.
pub struct Spec {
    /// The OIDC audience a token for it carries.
    pub audience: &'static str,
    /// Its verifier.
    pub judge: fn(Registry, &Publisher, &EvidenceFacts<'_>) -> Judgement,
    /// Its form rules.
    pub form_problems: fn(Registry, &FieldLookup<'_>) -> Vec<FormProblem>,
    /// What to enter in its form.
    pub template: fn(&Publisher) -> Template,
    /// Keys of `[[publisher]]` only this registry takes.
    pub extra_keys: &'static [&'static str],
    /// Events whose runs the registry refuses outright.
    pub refused_events: &'static [&'static str],
    /// How a workflow publishes to it without a stored credential, in one sentence.
    pub workflow_setup: &'static str,
}

/// A problem with a publisher as the registry's form would reject it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    /// The desired-state key at fault.
    pub field: &'static str,
    /// The form's error text (the registry's own where it is known).
    pub message: String,
    /// What to write instead, where it can be said.
    pub help: Option<String>,
}

impl Registry {
    /// The registry's table entry.
    pub fn spec(self) -> &'static Spec {
        match self {
            Registry::Pypi => &pypi::PYPI,
            Registry::TestPypi => &pypi::TESTPYPI,
            Registry::CratesIo => &crates_io::SPEC,
            Registry::Npm => &npm::SPEC,
            Registry::RubyGems => &rubygems::SPEC,
            Registry::NuGet => &nuget::SPEC,
        }
    }

    /// The OIDC audience a token for this registry carries.
    pub fn audience(self) -> &'static str {
        self.spec().audience
    }

    /// Judges one declared publisher against the claims a run presented.
    pub fn judge(self, publisher: &Publisher, evidence: &EvidenceFacts<'_>) -> Judgement {
        (self.spec().judge)(self, publisher, evidence)
    }

    /// Judges one declared publisher as [`Registry::judge`] does, then lets the registry's own
    /// answer, as the evidence quotes it, decide: the verdict is its refusal, and the row its
    /// reason names differs (see [`answer`]).
    pub fn judge_answered(
        self,
        publisher: &Publisher,
        evidence: &EvidenceFacts<'_>,
        quoted: &answer::Answer<'_>,
    ) -> Judgement {
        let mut j = self.judge(publisher, evidence);
        let reading = if quoted.code == answer::Answer::UNQUOTED {
            answer::unquoted(self)
        } else {
            match self {
                Registry::Pypi | Registry::TestPypi => pypi::answer::read(publisher, quoted),
                Registry::CratesIo => crates_io::answer::read(publisher, quoted),
                Registry::Npm => npm::answer::read(publisher, quoted),
                Registry::RubyGems => rubygems::answer::read(publisher, quoted),
                Registry::NuGet => nuget::answer::read(publisher, quoted),
            }
        };
        answer::apply(self, &mut j, reading, evidence.claims);
        j
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

#[cfg(test)]
mod conformance_tests;
