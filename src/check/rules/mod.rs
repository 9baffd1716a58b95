//! The rules of `trustpub check`. Each rule is one small file: its id, severity, a paragraph
//! of explanation (`trustpub check --explain RULE`), and a function that reads the
//! [`Context`] and pushes diagnostics. Adding a rule adds a file and a line to [`ALL`].

mod container_job;
mod environment_mismatch;
mod environment_unpinned;
mod environment_unverifiable;
mod fork_pull_request;
mod id_token_missing;
mod id_token_workflow_level;
mod legacy_credential;
mod publish_job_missing;
mod pull_request_target;
mod refused_trigger;
mod registry_mismatch;
mod repository_mismatch;
mod reusable_workflow;
mod unrecognised_oidc_job;
mod workflow_missing;

use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// A rule: its contract (id, severity) and its logic.
pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// How much a finding weighs for security, 0.1 to 10 (CVSS's scale, as GitHub code
    /// scanning ranks `security-severity`: 9 critical, 7 high, 4 medium, below low): a stored
    /// credential or an untrusted trigger on a publishing job weighs more than a
    /// configuration that only makes the upload fail.
    pub security_severity: f32,
    /// One line.
    pub summary: &'static str,
    /// A paragraph: what it finds, why the registry cares, how to fix it.
    pub explanation: &'static str,
    /// The check.
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

fn none(_: &Context<'_>, _: &mut Vec<Diagnostic>) {}

/// `config-invalid`: reported while the desired-state file is read.
const CONFIG_INVALID: Rule = Rule {
    id: crate::config::RULE,
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "the desired-state file breaks the registry's form rules",
    explanation: "A publisher in expected-publishers.toml could not be entered in the registry's \"add a publisher\" form as written: a workflow given as a path (`.github/workflows/release.yml`; the form takes `release.yml`), an owner or repository with characters GitHub does not allow, an environment with forbidden characters or edge whitespace, a wrong type, an unknown key. The message is the form's own error text. Fix the value in expected-publishers.toml; a publisher with a problem is not checked further.",
    check: none,
};

/// `workflow-invalid`: reported while the workflows are read.
const WORKFLOW_INVALID: Rule = Rule {
    id: crate::check::WORKFLOW_INVALID,
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "a workflow file is not valid YAML or not a workflow",
    explanation: "The file does not parse as YAML (or its `jobs:` is not a mapping), so GitHub will not run it either and no publishing job in it can be trusted. The other files are still checked. Fix the syntax at the position given.",
    check: none,
};

impl Rule {
    /// Whether the rule is about security (what an attacker could do), not only whether the
    /// upload works: from [`Rule::security_severity`], medium and above.
    pub fn is_security(&self) -> bool {
        self.security_severity >= 4.0
    }

    /// The rule's id as a name (`environment-mismatch` is `EnvironmentMismatch`), as SARIF's
    /// `name` wants one.
    pub fn name(&self) -> String {
        self.id
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// Every rule, in the order they run.
pub const ALL: &[Rule] = &[
    CONFIG_INVALID,
    WORKFLOW_INVALID,
    workflow_missing::RULE,
    publish_job_missing::RULE,
    reusable_workflow::RULE,
    environment_mismatch::RULE,
    environment_unpinned::RULE,
    environment_unverifiable::RULE,
    id_token_missing::RULE,
    id_token_workflow_level::RULE,
    legacy_credential::RULE,
    registry_mismatch::RULE,
    pull_request_target::RULE,
    refused_trigger::RULE,
    fork_pull_request::RULE,
    repository_mismatch::RULE,
    container_job::RULE,
    unrecognised_oidc_job::RULE,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

/// The file a registry reads, as a message names it: "the called workflow `publish.yml`",
/// "the top-level workflow `release.yml` (`workflow_ref`)".
pub(crate) fn file_read(claim: &str, file: &str) -> String {
    match claim {
        "workflow_ref" => format!("the top-level workflow `{file}` (`workflow_ref`)"),
        "job_workflow_ref" => format!("the called workflow `{file}`"),
        _ => format!("the workflow `{file}`"),
    }
}

/// A diagnostic of `rule` at its default severity.
pub(crate) fn diag(
    rule: &Rule,
    message: impl Into<String>,
    primary: crate::diag::Label,
) -> Diagnostic {
    Diagnostic::new(rule.id, rule.severity, message, primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_explained() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        for id in &ids {
            assert!(
                id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{id}"
            );
        }
        for r in ALL {
            assert!(r.explanation.len() > 80, "{} needs an explanation", r.id);
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
