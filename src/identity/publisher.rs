//! A declared publisher: the identity a registry must trust, as `expected-publishers.toml` states
//! it. Built by [`crate::config`], judged by [`crate::registry`], compared by `check` and `drift`.

use std::ops::Range;

use super::Registry;

/// One publisher a registry must trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// The registry that must trust it.
    pub registry: Registry,
    /// The project (package) name on the registry.
    pub project: String,
    /// GitHub user or organization.
    pub owner: String,
    /// Repository name, without the owner.
    pub repository: String,
    /// Workflow file name, as the registry's form takes it.
    pub workflow: String,
    /// Environment; `None` means the publisher accepts any environment.
    pub environment: Option<String>,
    /// The numeric id GitHub gives the owner, if declared.
    pub owner_id: Option<String>,
    /// The CI system the registry trusts (GitHub Actions unless `provider = "gitlab"`). For
    /// GitLab, `owner` holds the namespace, `repository` the project and `workflow` the
    /// top-level pipeline file path.
    pub provider: Provider,
    /// RubyGems: the repository that holds a reusable workflow defined elsewhere
    /// (`workflow-repository-owner`, `workflow-repository-name`).
    pub workflow_repository: Option<(String, String)>,
    /// NuGet: the NuGet user name that owns the policy (`policy-owner`).
    pub policy_owner: Option<String>,
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
}

/// The CI systems a publisher can trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    /// GitHub Actions.
    #[default]
    GitHub,
    /// GitLab CI/CD (PyPI and TestPyPI).
    GitLab,
}

impl Provider {
    /// The id used in the desired state and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::GitLab => "gitlab",
        }
    }
}
