//! GitHub Actions workflows: the YAML span tree ([`yaml`]), the typed view rules work on
//! ([`Workflow`]), and the publishing steps recognised in it ([`publish`]).

pub mod action;
pub mod condition;
pub mod permissions;
pub mod publish;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::source::SourceFile;
use permissions::Permissions;

/// The largest local action file read: 1 MiB, as for a workflow.
pub const MAX_ACTION_BYTES: u64 = 1024 * 1024;

/// The most distinct events one workflow may name in `on:`. GitHub has about 35 and refuses
/// any other, and every way a publishing job can run is one predicted token: without a bound,
/// `on: [e1, e2, ...]` times a few thousand jobs would predict billions.
pub const MAX_TRIGGERS: usize = 64;

/// The most `needs:` entries followed from one job when looking for the jobs it waits for: a
/// real chain has a handful, and each publishing job follows its own.
pub const MAX_NEEDS_READ: usize = 4096;
use yaml::{Item, Key, Node, Span};

/// A text value with its span, or an expression that only runs at run time.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The value as written.
    pub value: String,
    /// Where it is.
    pub span: Span,
}

impl Text {
    /// Whether the value contains a `${{ ... }}` expression.
    pub fn is_expression(&self) -> bool {
        self.value.contains("${{")
    }
}

/// An event that starts the workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The event name (`push`, `pull_request_target`, `workflow_call`, ...).
    pub event: String,
    /// Where it is named.
    pub span: Span,
    /// `tags:` filter patterns (`push`), as written.
    pub tags: Vec<String>,
    /// `branches:` filter patterns (`push`, `pull_request`, ...), as written.
    pub branches: Vec<String>,
}

/// A step of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 0-based position in the job.
    pub index: usize,
    /// The step's span (its first key).
    pub span: Span,
    /// `name:`.
    pub name: Option<Text>,
    /// `id:`.
    pub id: Option<String>,
    /// `uses:`.
    pub uses: Option<Text>,
    /// `run:`.
    pub run: Option<Text>,
    /// `if:`.
    pub condition: Option<Text>,
    /// `with:` inputs.
    pub with: Vec<(Key, Item)>,
    /// `env:` of the step.
    pub env: Vec<(Key, Item)>,
    /// `working-directory:` of a `run:` step.
    pub working_directory: Option<Text>,
}

impl Step {
    /// The `with:` input `name`, as a key and value.
    pub fn input(&self, name: &str) -> Option<(&Key, &Item)> {
        self.with
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, v)| (k, v))
    }
}

/// A job's `environment:`, as a name or a `{name, url}` mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// The `environment` key.
    pub key: Key,
    /// The name (`None` when the mapping has no `name`).
    pub name: Option<Text>,
}

/// A job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The job id, with its span.
    pub id: Key,
    /// `environment:`.
    pub environment: Option<Environment>,
    /// `permissions:` of the job.
    pub permissions: Option<Permissions>,
    /// `uses:` of a job that calls a reusable workflow.
    pub uses: Option<Text>,
    /// `if:`.
    pub condition: Option<Text>,
    /// `container:` key, when set.
    pub container: Option<Key>,
    /// `env:` of the job.
    pub env: Vec<(Key, Item)>,
    /// `runs-on:`, as written.
    pub runs_on: Option<Item>,
    /// `needs:`: the jobs this one waits for.
    pub needs: Vec<String>,
    /// `defaults.run.working-directory`.
    pub working_directory: Option<Text>,
    /// `with:` of a job that calls a reusable workflow.
    pub with: Vec<(Key, Item)>,
    /// The steps.
    pub steps: Vec<Step>,
}

/// A workflow file.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    /// The file.
    pub source: SourceFile,
    /// The file name (`release.yml`): what registries match.
    pub file_name: String,
    /// The parsed document.
    pub root: Item,
    /// What starts it.
    pub triggers: Vec<Trigger>,
    /// Workflow-level `permissions:`.
    pub permissions: Option<Permissions>,
    /// Workflow-level `env:`.
    pub env: Vec<(Key, Item)>,
    /// The `jobs:` key, for findings about the file as a whole.
    pub jobs_key: Option<Key>,
    /// The jobs, in file order.
    pub jobs: Vec<Job>,
    /// Job id -> index in `jobs`, so that following `needs:` never scans the jobs.
    job_index: std::collections::HashMap<String, usize>,
    /// The index of the workflow-level `env:`, shared by every step of every job.
    env_index: std::sync::Arc<publish::env::Index>,
}

/// A workflow that could not be read as a workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowError {
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// Byte offset.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl Workflow {
    /// Whether `on:` includes `event`.
    pub fn triggered_by(&self, event: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.event == event)
    }

    /// The index of the workflow-level `env:` (see [`publish::env::Env`]).
    pub fn env_index(&self) -> std::sync::Arc<publish::env::Index> {
        std::sync::Arc::clone(&self.env_index)
    }

    /// The job with this id.
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.job_index.get(id).map(|&i| &self.jobs[i])
    }

    /// Parses a workflow file's text.
    pub fn parse(path: &Path, text: String) -> Result<Workflow, WorkflowError> {
        Self::from_source(SourceFile::new(PathBuf::from(path), text)).map_err(|(e, _)| e)
    }

    /// Parses a workflow file; on failure the file is handed back with the error, for snippets.
    pub fn from_source(source: SourceFile) -> Result<Workflow, (WorkflowError, SourceFile)> {
        match Self::read(&source) {
            Ok(parts) => Ok(parts.into_workflow(source)),
            Err(e) => Err((e, source)),
        }
    }

    fn read(source: &SourceFile) -> Result<Parts, WorkflowError> {
        let root = yaml::parse(&source.text).map_err(|e| WorkflowError {
            line: e.line,
            column: e.column,
            offset: e.offset,
            message: e.message,
        })?;
        let not_a_map = |what: &str| WorkflowError {
            line: 1,
            column: 1,
            offset: 0,
            message: what.to_owned(),
        };
        if root.as_map().is_none() {
            return Err(not_a_map(
                "a workflow must be a mapping with `on:` and `jobs:`",
            ));
        }
        let triggers = root
            .get("on")
            .map(|(k, v)| triggers(k, v))
            .unwrap_or_default();
        if triggers.len() > MAX_TRIGGERS
            && let Some((key, _)) = root.get("on")
        {
            return Err(WorkflowError {
                line: key.span.line,
                column: key.span.column,
                offset: key.span.bytes.start,
                message: format!(
                    "`on:` names {} events: GitHub has about 35, and refuses a workflow with an event it does not know",
                    triggers.len()
                ),
            });
        }
        let permissions = root
            .get("permissions")
            .map(|(k, v)| Permissions::read(k, v));
        let env = root
            .value("env")
            .and_then(Item::as_map)
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        let jobs_entry = root.get("jobs");
        let jobs = match jobs_entry {
            Some((_, v)) => match v.as_map() {
                Some(entries) => entries.iter().map(|(k, v)| job(k, v)).collect(),
                None if matches!(v.node, Node::Null) => Vec::new(),
                None => {
                    return Err(WorkflowError {
                        line: v.span.line,
                        column: v.span.column,
                        offset: v.span.bytes.start,
                        message: "`jobs:` must be a mapping of job ids to jobs".into(),
                    });
                }
            },
            None => Vec::new(),
        };
        Ok(Parts {
            jobs_key: jobs_entry.map(|(k, _)| k.clone()),
            root,
            triggers,
            permissions,
            env,
            jobs,
        })
    }
}

/// A parsed workflow, before it takes ownership of its text.
struct Parts {
    root: Item,
    triggers: Vec<Trigger>,
    permissions: Option<Permissions>,
    env: Vec<(Key, Item)>,
    jobs_key: Option<Key>,
    jobs: Vec<Job>,
}

impl Parts {
    fn into_workflow(self, source: SourceFile) -> Workflow {
        let file_name = source
            .path
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        let mut job_index = std::collections::HashMap::with_capacity(self.jobs.len());
        for (i, j) in self.jobs.iter().enumerate() {
            job_index.entry(j.id.name.clone()).or_insert(i);
        }
        let env_index = publish::env::index(&self.env);
        Workflow {
            source,
            file_name,
            env_index,
            root: self.root,
            triggers: self.triggers,
            permissions: self.permissions,
            env: self.env,
            jobs_key: self.jobs_key,
            jobs: self.jobs,
            job_index,
        }
    }
}

fn text(item: &Item) -> Option<Text> {
    item.scalar_text().map(|value| Text {
        value,
        span: item.span.clone(),
    })
}

/// The events of `on:`, each once (the first time it is named).
fn triggers(key: &Key, value: &Item) -> Vec<Trigger> {
    let mut seen = std::collections::HashSet::new();
    let mut all = named_triggers(key, value);
    all.retain(|t| seen.insert(t.event.clone()));
    all
}

fn named_triggers(key: &Key, value: &Item) -> Vec<Trigger> {
    let trigger = |event: &str, span: &Span, filters: Option<&Item>| Trigger {
        event: event.to_owned(),
        span: span.clone(),
        tags: patterns(filters.and_then(|f| f.value("tags"))),
        branches: patterns(filters.and_then(|f| f.value("branches"))),
    };
    match &value.node {
        Node::String(s) => vec![trigger(s, &value.span, None)],
        Node::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| trigger(s, &i.span, None)))
            .collect(),
        Node::Map(entries) => entries
            .iter()
            .map(|(k, v)| trigger(&k.name, &k.span, Some(v)))
            .collect(),
        _ => vec![trigger("", &key.span, None)],
    }
}

/// A filter's patterns: one string or a list of strings.
fn patterns(item: Option<&Item>) -> Vec<String> {
    match item.map(|i| &i.node) {
        Some(Node::String(s)) => vec![s.clone()],
        Some(Node::Seq(items)) => items.iter().filter_map(Item::scalar_text).collect(),
        _ => Vec::new(),
    }
}

fn job(id: &Key, item: &Item) -> Job {
    let environment = item.get("environment").map(|(k, v)| Environment {
        key: k.clone(),
        name: match &v.node {
            Node::Map(_) => v.value("name").and_then(text),
            _ => text(v),
        },
    });
    let steps = item
        .value("steps")
        .and_then(Item::as_seq)
        .map(|steps| steps.iter().enumerate().map(|(i, s)| step(i, s)).collect())
        .unwrap_or_default();
    Job {
        id: id.clone(),
        environment,
        permissions: item
            .get("permissions")
            .map(|(k, v)| Permissions::read(k, v)),
        uses: item.value("uses").and_then(text),
        condition: item.value("if").and_then(text),
        container: item.get("container").map(|(k, _)| k.clone()),
        env: map_entries(item.value("env")),
        runs_on: item.value("runs-on").cloned(),
        needs: match item.value("needs").map(|n| &n.node) {
            Some(Node::String(s)) => vec![s.clone()],
            Some(Node::Seq(items)) => items.iter().filter_map(Item::scalar_text).collect(),
            _ => Vec::new(),
        },
        working_directory: item
            .value("defaults")
            .and_then(|d| d.value("run"))
            .and_then(|r| r.value("working-directory"))
            .and_then(text),
        with: map_entries(item.value("with")),
        steps,
    }
}

fn map_entries(item: Option<&Item>) -> Vec<(Key, Item)> {
    item.and_then(Item::as_map)
        .map(<[_]>::to_vec)
        .unwrap_or_default()
}

/// A step of a job or of a composite action.
pub fn step(index: usize, item: &Item) -> Step {
    Step {
        index,
        span: item.span.clone(),
        name: item.value("name").and_then(text),
        id: item.value("id").and_then(Item::scalar_text),
        uses: item.value("uses").and_then(text),
        run: item.value("run").and_then(text),
        condition: item.value("if").and_then(text),
        with: map_entries(item.value("with")),
        env: map_entries(item.value("env")),
        working_directory: item.value("working-directory").and_then(text),
    }
}
