//! The registries that trust CI identities, each in its own module with its exact matching
//! rules, form rules and reason texts. A matcher compares one declared publisher with one set of
//! claims and returns a [`Judgement`]; it never prints.

pub mod answer;
pub mod conformance;
pub mod crates_io;
pub mod github;
pub mod npm;
pub mod nuget;
pub mod pypi;
pub mod rubygems;

use serde::Serialize;

use crate::identity::{Claim, Claims, Provider, Publisher, Registry, TokenProblem, TokenTiming};

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
    /// The values its form stores in place of what was typed (PyPI strips the workflow name,
    /// NuGet keeps the file name of a pasted path): `(key, stored value)` for each key it changes.
    pub normalize: fn(Registry, &FieldLookup<'_>) -> Vec<(&'static str, String)>,
    /// What to enter in its form.
    pub template: fn(&Publisher) -> Template,
    /// Keys of a GitHub `[[publisher]]` only this registry takes.
    pub extra_keys: &'static [&'static str],
    /// The providers besides GitHub Actions it accepts, with their keys.
    pub other_providers: &'static [ProviderKeys],
    /// Events whose runs the registry refuses outright.
    pub refused_events: &'static [&'static str],
    /// How a workflow publishes to it without a stored credential, in one sentence.
    pub workflow_setup: &'static str,
    /// How it holds a token to the clock.
    pub timing: TokenTiming,
    /// The upstream source its rules and vectors come from.
    pub upstream: Upstream,
    /// Its rows of the README's "Every registry, field by field" table that no other field of
    /// the table says (how it answers, its form, what it makes of `sub`), as `(row, cell)`, in
    /// the same rows for every registry.
    pub conformance: &'static [(&'static str, &'static str)],
}

/// The keys of one provider's publisher on a registry (besides `registry`, `project` and
/// `provider`).
#[derive(Debug, Clone, Copy)]
pub struct ProviderKeys {
    /// The provider.
    pub provider: Provider,
    /// The keys the registry's form requires.
    pub required: &'static [&'static str],
    /// The keys it may take.
    pub optional: &'static [&'static str],
}

/// Where a registry module's rules come from: the upstream repository and snapshot read, and
/// how many of its own test vectors are ported into the module's tests.
#[derive(Debug, Clone, Copy)]
pub struct Upstream {
    /// `owner/name` of the verifier's repository, or a description where it is closed source.
    pub repository: &'static str,
    /// The commit read (12 hex digits), or the version for a closed-source registry.
    pub commit: &'static str,
    /// The snapshot's date.
    pub date: &'static str,
    /// The upstream tests the vectors come from.
    pub tests: &'static str,
    /// How many upstream vectors the module's tests port (each marked `// upstream:`).
    pub vectors: usize,
}

impl Spec {
    /// The keys of `provider`'s publisher, when the registry accepts that provider.
    pub fn provider_keys(&self, provider: Provider) -> Option<&'static ProviderKeys> {
        self.other_providers.iter().find(|k| k.provider == provider)
    }

    /// Whether the registry accepts publishers of `provider`.
    pub fn accepts(&self, provider: Provider) -> bool {
        provider == Provider::GitHub || self.provider_keys(provider).is_some()
    }
}

/// A problem with a publisher as the registry's form would reject it, or (advisory) a value the
/// registry accepts that trustpub advises against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    /// The desired-state key at fault.
    pub field: &'static str,
    /// The form's error text (the registry's own where it is known).
    pub message: String,
    /// What to write instead, where it can be said.
    pub help: Option<String>,
    /// `true` when the registry accepts the value and this is trustpub's stricter advice (a
    /// warning, never a refusal).
    pub advisory: bool,
}

impl FormProblem {
    /// A refusal by the registry's form.
    pub fn refused(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
            help: None,
            advisory: false,
        }
    }

    /// The same, with what to write instead.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A form that stores every value as typed.
pub fn stored_as_typed(_: Registry, _: &FieldLookup<'_>) -> Vec<(&'static str, String)> {
    Vec::new()
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

    /// How it compares a GitHub publisher's identity fields (its module's `RULES`).
    pub fn github_rules(self) -> github::Rules {
        match self {
            Registry::Pypi | Registry::TestPypi => pypi::RULES,
            Registry::CratesIo => crates_io::RULES,
            Registry::Npm => npm::RULES,
            Registry::RubyGems => rubygems::RULES,
            Registry::NuGet => nuget::RULES,
        }
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
    /// Set when `--jwks` verification rejected the token (its signature, or the clock under
    /// this registry's [`TokenTiming`]).
    pub token_rejected: Option<&'a TokenProblem>,
    /// Every publisher declared for this registry, the judged one included: a registry that
    /// weighs all its configs at once (crates.io lists every config's values in one message;
    /// NuGet tries each policy of the user and joins their errors) sees the others here. Empty
    /// when only the judged publisher is known.
    pub declared: &'a [Publisher],
}

impl<'a> EvidenceFacts<'a> {
    /// Claims judged on their own: not a token, no other publisher declared.
    pub fn claims_only(claims: &'a Claims) -> Self {
        Self {
            claims,
            is_token: false,
            token_rejected: None,
            declared: &[],
        }
    }
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
