//! A declared publisher: the identity a registry must trust, as `expected-publishers.toml` states
//! it. Built by [`crate::config`], judged by [`crate::registry`], compared by `check` and `drift`.

use std::collections::BTreeMap;
use std::ops::Range;

use super::Registry;

/// One publisher a registry must trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// The registry that must trust it.
    pub registry: Registry,
    /// The project (package) name on the registry.
    pub project: String,
    /// GitHub user or organization; for GitLab the namespace (group and subgroups). Empty for
    /// a provider without one (Google, ActiveState, CircleCI: their keys are in `extra`).
    pub owner: String,
    /// Repository name, without the owner; for GitLab the project name.
    pub repository: String,
    /// Workflow file name, as the registry's form takes it; for GitLab the top-level pipeline
    /// file path. Empty where the registry's form has no such field (NuGet's GitLab policies).
    pub workflow: String,
    /// Environment; `None` means the publisher accepts any environment.
    pub environment: Option<String>,
    /// The numeric id GitHub gives the owner, if declared.
    pub owner_id: Option<String>,
    /// The CI system the registry trusts (GitHub Actions unless `provider` says otherwise).
    pub provider: Provider,
    /// RubyGems: the repository that holds a reusable workflow defined elsewhere
    /// (`workflow-repository-owner`, `workflow-repository-name`).
    pub workflow_repository: Option<(String, String)>,
    /// NuGet: the NuGet user name that owns the policy (`policy-owner`).
    pub policy_owner: Option<String>,
    /// The values of the keys only some providers take (`issuer-url`, `email`, `actor`,
    /// `org-id`, `namespace-id`, `ref`, ...), by desired-state key, as the registry stores them.
    pub extra: BTreeMap<String, String>,
    /// The `[[publisher]]` table in the file.
    pub span: Range<usize>,
    /// The span of each key the user wrote, for "declared here".
    pub key_spans: Vec<(String, Range<usize>)>,
}

impl Publisher {
    /// The span of `key` as written in the file, or the table's span.
    pub fn span_of(&self, key: &str) -> Range<usize> {
        self.key_spans
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| self.span.clone(), |(_, s)| s.clone())
    }

    /// The value of a provider-specific key (`issuer-url`, `email`, ...), when declared.
    pub fn extra(&self, key: &str) -> Option<&str> {
        self.extra.get(key).map(String::as_str)
    }

    /// The declared value of a desired-state key, whichever field holds it (`namespace` is the
    /// GitLab name of `owner`).
    pub fn value(&self, key: &str) -> Option<String> {
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        match key {
            "owner" | "namespace" => non_empty(&self.owner),
            "repository" => non_empty(&self.repository),
            "workflow" => non_empty(&self.workflow),
            "environment" => self.environment.clone(),
            "owner-id" => self.owner_id.clone(),
            "policy-owner" => self.policy_owner.clone(),
            "workflow-repository-owner" => self.workflow_repository.as_ref().map(|w| w.0.clone()),
            "workflow-repository-name" => self.workflow_repository.as_ref().map(|w| w.1.clone()),
            other => self.extra(other).map(str::to_owned),
        }
    }

    /// Whether `check` can judge it: `check` reads GitHub Actions workflows only.
    pub fn is_github(&self) -> bool {
        self.provider == Provider::GitHub
    }
}

/// The CI systems (OIDC identity providers) a publisher can trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Provider {
    /// GitHub Actions.
    #[default]
    GitHub,
    /// GitLab CI/CD (gitlab.com, or a self-managed instance where the registry allows one).
    GitLab,
    /// Google Cloud service accounts (PyPI).
    Google,
    /// ActiveState's platform builds (PyPI).
    ActiveState,
    /// CircleCI (npm).
    CircleCi,
}

impl Provider {
    /// Every provider, in the order tables list them.
    pub const ALL: [Provider; 5] = [
        Provider::GitHub,
        Provider::GitLab,
        Provider::Google,
        Provider::ActiveState,
        Provider::CircleCi,
    ];

    /// The id used in the desired state (`provider = "..."`) and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::GitLab => "gitlab",
            Provider::Google => "google",
            Provider::ActiveState => "activestate",
            Provider::CircleCi => "circleci",
        }
    }

    /// The name people call it.
    pub fn name(self) -> &'static str {
        match self {
            Provider::GitHub => "GitHub Actions",
            Provider::GitLab => "GitLab CI/CD",
            Provider::Google => "Google Cloud",
            Provider::ActiveState => "ActiveState",
            Provider::CircleCi => "CircleCI",
        }
    }

    /// The provider for an id, if there is one.
    pub fn from_id(id: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id() == id)
    }
}
