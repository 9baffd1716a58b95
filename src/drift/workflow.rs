//! The publishing workflow as fetched from the default branch: its triggers (which refs run
//! it, for the environment's branch policy) and the extension point where the rules of
//! `trustpub check` will run on it.

use serde_json::Value;

use crate::config::Publisher;

/// The workflow file fetched from GitHub.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowFile {
    /// The path in the repository (`.github/workflows/release.yml`).
    pub path: String,
    /// The ref it was read at (the default branch).
    pub git_ref: String,
    /// The URL it was fetched from.
    pub url: String,
    /// The file's text.
    pub text: String,
    /// The parsed YAML, or the parser's message.
    pub yaml: Result<Value, String>,
}

impl WorkflowFile {
    /// Parses `text` fetched from `url`.
    pub fn new(path: String, git_ref: String, url: String, text: String) -> Self {
        let yaml = serde_saphyr::from_str::<Value>(&text).map_err(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .to_owned()
        });
        Self {
            path,
            git_ref,
            url,
            text,
            yaml,
        }
    }

    /// The workflow's triggers, when the YAML parses.
    pub fn triggers(&self) -> Option<Triggers> {
        self.yaml.as_ref().ok().map(Triggers::from_workflow)
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

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

impl Triggers {
    /// Reads `on:` in its three forms: a string, a list, or a map.
    pub fn from_workflow(doc: &Value) -> Self {
        let mut t = Triggers::default();
        let on = doc.get("on").or_else(|| doc.get("true"));
        let mut add = |event: &str, config: Option<&Value>| match event {
            "push" => {
                t.push = Some(RefFilter {
                    branches: strings(config.and_then(|c| c.get("branches"))),
                    tags: strings(config.and_then(|c| c.get("tags"))),
                });
            }
            "release" => t.release = true,
            "workflow_dispatch" => t.workflow_dispatch = true,
            _ => {}
        };
        match on {
            Some(Value::String(e)) => add(e, None),
            Some(Value::Array(events)) => {
                for e in events.iter().filter_map(Value::as_str) {
                    add(e, None);
                }
            }
            Some(Value::Object(map)) => {
                for (e, config) in map {
                    add(e, Some(config).filter(|c| c.is_object()));
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

/// **Extension point for the `check` rules.** Runs the rules of `trustpub check` on the
/// workflow file fetched from the default branch, for the publisher it must serve; each
/// finding becomes a `workflow-rules` drift.
///
/// `check` is being built separately; until it lands this applies only the rule that does not
/// need it (the file must parse). Plug `check`'s rule engine in here, keeping this signature.
pub fn check_rules(publisher: &Publisher, workflow: &WorkflowFile) -> Vec<RuleFinding> {
    let _ = publisher;
    match &workflow.yaml {
        Err(message) => vec![RuleFinding {
            rule: "workflow-yaml-invalid".into(),
            message: format!("{} does not parse: {message}", workflow.path),
            line: None,
        }],
        Ok(_) => Vec::new(),
    }
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
            "workflow-yaml-invalid"
        );
    }
}
