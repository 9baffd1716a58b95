//! The publishing workflow as fetched from the default branch: its triggers (which refs run
//! it, for the environment's branch policy) and the rules of `trustpub check` run on it.

use crate::check::{self, Repository};
use crate::config::DesiredState;
use crate::identity::Publisher;
use crate::source::SourceFile;
use crate::workflow::Workflow;
use crate::workflow::yaml::{Item, Node};

/// The workflow file fetched from GitHub.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowFile {
    /// The path in the repository (`.github/workflows/release.yml`).
    pub path: String,
    /// The ref it was read at (the default branch).
    pub git_ref: String,
    /// The URL it was fetched from.
    pub url: String,
    /// The parsed workflow (it holds the text), or the parser's message.
    pub parsed: Result<Workflow, String>,
}

impl WorkflowFile {
    /// Parses `text` fetched from `url`, with the same model `check` uses.
    pub fn new(path: String, git_ref: String, url: String, text: String) -> Self {
        let parsed = Workflow::parse(std::path::Path::new(&path), text).map_err(|e| match e.line {
            0 => e.message,
            line => format!("line {line} column {}: {}", e.column, e.message),
        });
        Self {
            path,
            git_ref,
            url,
            parsed,
        }
    }

    /// The workflow's triggers, when it parses.
    pub fn triggers(&self) -> Option<Triggers> {
        self.parsed
            .as_ref()
            .ok()
            .map(|w| Triggers::from_workflow(&w.root))
    }
}

/// Ref filters of one push-like trigger: `None` when the trigger has no filter of that kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefFilter {
    /// `branches:` patterns.
    pub branches: Option<Vec<String>>,
    /// `tags:` patterns.
    pub tags: Option<Vec<String>>,
}

/// What starts the workflow, as far as refs go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triggers {
    /// `push`, with its filters.
    pub push: Option<RefFilter>,
    /// `release` (runs on the release's tag).
    pub release: bool,
    /// `workflow_dispatch` (runs on the branch it is dispatched from).
    pub workflow_dispatch: bool,
}

fn strings(v: Option<&Item>) -> Option<Vec<String>> {
    let v = v?;
    match &v.node {
        Node::Seq(items) => Some(items.iter().filter_map(Item::scalar_text).collect()),
        _ => v.scalar_text().map(|s| vec![s]),
    }
}

impl Triggers {
    /// Reads `on:` in its three forms: a string, a list, or a map.
    pub fn from_workflow(root: &Item) -> Self {
        let mut t = Triggers::default();
        let mut add = |event: &str, config: Option<&Item>| match event {
            "push" => {
                t.push = Some(RefFilter {
                    branches: strings(config.and_then(|c| c.value("branches"))),
                    tags: strings(config.and_then(|c| c.value("tags"))),
                });
            }
            "release" => t.release = true,
            "workflow_dispatch" => t.workflow_dispatch = true,
            _ => {}
        };
        match root.value("on").map(|on| &on.node) {
            Some(Node::String(e)) => add(e, None),
            Some(Node::Seq(events)) => {
                for e in events.iter().filter_map(Item::as_str) {
                    add(e, None);
                }
            }
            Some(Node::Map(entries)) => {
                for (k, config) in entries {
                    add(&k.name, Some(config).filter(|c| c.as_map().is_some()));
                }
            }
            _ => {}
        }
        t
    }
}

/// A finding of the workflow rules on the fetched file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFinding {
    /// The rule's id (as `check` names it).
    pub rule: String,
    /// What is wrong.
    pub message: String,
    /// 1-based line, when the rule knows it.
    pub line: Option<usize>,
}

/// Rules that speak about the whole set of workflows or about the desired state, which a
/// single fetched file cannot decide: `drift` reports renames and index coverage itself.
const NOT_FOR_ONE_FILE: &[&str] = &[
    "registry-mismatch",
    "repository-mismatch",
    "workflow-missing",
    "config-invalid",
];

/// Runs the rules of `trustpub check` on the workflow file fetched from the default branch,
/// for the publisher it must serve; each finding becomes a `workflow-rules` drift.
pub fn check_rules(publisher: &Publisher, workflow: &WorkflowFile) -> Vec<RuleFinding> {
    let parsed = match &workflow.parsed {
        Err(message) => {
            return vec![RuleFinding {
                rule: check::WORKFLOW_INVALID.into(),
                message: format!("{} does not parse: {message}", workflow.path),
                line: None,
            }];
        }
        Ok(w) => w.clone(),
    };
    let desired = DesiredState {
        source: SourceFile::new(crate::config::DEFAULT_PATH, String::new()),
        publishers: vec![publisher.clone()],
        thresholds: Default::default(),
        warnings: Vec::new(),
    };
    let inputs = check::Inputs {
        desired,
        config_problems: Vec::new(),
        workflows: vec![parsed],
        unreadable: Vec::new(),
        unreadable_sources: Vec::new(),
        repository: Some(Repository {
            owner: publisher.owner.clone(),
            name: publisher.repository.clone(),
            origin: "the desired state".into(),
        }),
        complete: false,
        files: check::RepoFiles::default(),
    };
    let report = check::check(inputs);
    report
        .findings
        .into_iter()
        .filter(|d| {
            !NOT_FOR_ONE_FILE.contains(&d.rule) && d.severity == crate::diag::Severity::Error
        })
        .map(|d| RuleFinding {
            rule: d.rule.to_owned(),
            message: format!(
                "{}:{}: {}",
                workflow.path, d.primary.position.line, d.message
            ),
            line: Some(d.primary.position.line),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triggers(yaml: &str) -> Triggers {
        WorkflowFile::new("w".into(), "main".into(), "u".into(), yaml.into())
            .triggers()
            .unwrap()
    }

    #[test]
    fn reads_the_three_forms_of_on() {
        assert!(triggers("on: workflow_dispatch\n").workflow_dispatch);
        let t = triggers("on: [push, release]\n");
        assert!(t.release && t.push == Some(RefFilter::default()));
        let t = triggers("on:\n  push:\n    tags: ['v*']\n  workflow_dispatch:\n    inputs: {}\n");
        assert_eq!(t.push.unwrap().tags, Some(vec!["v*".to_owned()]));
        assert!(t.workflow_dispatch);
    }

    #[test]
    fn invalid_yaml_is_a_rule_finding() {
        let w = WorkflowFile::new(
            ".github/workflows/x.yml".into(),
            "main".into(),
            "u".into(),
            "on: [push\n".into(),
        );
        assert!(w.triggers().is_none());
        let p = crate::config::parse(crate::source::SourceFile::new(
            "e.toml",
            "[[publisher]]\nregistry='pypi'\nproject='x'\nowner='o'\nrepository='r'\nworkflow='x.yml'\n",
        ))
        .unwrap();
        assert_eq!(
            check_rules(&p.publishers[0], &w)[0].rule,
            "workflow-invalid"
        );
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn the_check_rules_run_on_the_fetched_file() {
        let w = WorkflowFile::new(
            ".github/workflows/release.yml".into(),
            "main".into(),
            "u".into(),
            "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n".into(),
        );
        let p = crate::config::parse(SourceFile::new(
            "e.toml",
            "[[publisher]]\nregistry='pypi'\nproject='x'\nowner='o'\nrepository='r'\nworkflow='release.yml'\nenvironment='pypi'\n",
        ))
        .unwrap();
        let rules: Vec<String> = check_rules(&p.publishers[0], &w)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(rules, ["environment-mismatch", "id-token-missing"]);
    }
}
