//! The desired state: `expected-publishers.toml`, what each registry must trust.
//!
//! The file is parsed keeping the span of every key and value, then validated with each
//! registry's own form rules. Validation collects every problem before giving up, so a user
//! fixes the file in one pass.

mod suggest;
mod thresholds;

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Label};
use crate::error::InputError;
use crate::identity::Registry;
use crate::identity::{Provider, Publisher};
use crate::source::SourceFile;

pub use suggest::nearest;
pub use thresholds::{THRESHOLD_KEYS, Thresholds};

/// The default path of the desired-state file.
pub const DEFAULT_PATH: &str = "expected-publishers.toml";

/// The rule id of every desired-state problem.
pub const RULE: &str = "config-invalid";

/// The validated desired-state file.
#[derive(Debug, Clone)]
pub struct DesiredState {
    /// The file as read.
    pub source: SourceFile,
    /// Every publisher, in file order.
    pub publishers: Vec<Publisher>,
    /// The playbook's thresholds (`[thresholds]`, defaults when absent), for `drift`.
    pub thresholds: Thresholds,
}

/// Every key a `[[publisher]]` table may hold: the common keys, then each registry's own.
pub fn publisher_keys() -> Vec<&'static str> {
    let mut keys = PUBLISHER_KEYS.to_vec();
    for r in Registry::ALL {
        for k in r.spec().extra_keys {
            if !keys.contains(k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// The keys every `[[publisher]]` table may hold.
pub const PUBLISHER_KEYS: &[&str] = &[
    "registry",
    "project",
    "owner",
    "repository",
    "workflow",
    "environment",
    "owner-id",
    "provider",
];

/// Reads and validates the desired-state file at `path`.
pub fn load(path: &Path) -> Result<DesiredState, InputError> {
    let source = crate::error::read_text(path).map_err(|e| match e {
        InputError::Read { path, reason } if reason.contains("No such file") => InputError::Read {
            path,
            reason: format!("{reason} (write one, or point at it with --config PATH)"),
        },
        other => other,
    })?;
    parse(source)
}

/// Parses and validates desired-state text: any problem is an error.
pub fn parse(source: SourceFile) -> Result<DesiredState, InputError> {
    let (state, diagnostics) = parse_lenient(source)?;
    if !diagnostics.is_empty() {
        return Err(InputError::Config {
            source_file: Box::new(state.source),
            diagnostics,
        });
    }
    if state.publishers.is_empty() {
        return Err(InputError::parse(
            state.source.display_path(),
            "declares no publisher: add a `[[publisher]]` table",
        ));
    }
    Ok(state)
}

/// Parses desired-state text, keeping the publishers that are valid and returning every
/// problem beside them (for `check`, where problems are findings). Only text that is not TOML
/// at all is an error.
pub fn parse_lenient(source: SourceFile) -> Result<(DesiredState, Vec<Diagnostic>), InputError> {
    let doc = match DeTable::parse(&source.text) {
        Ok(doc) => doc,
        Err(err) => {
            let position = err.span().map(|s| source.position(s.start));
            let message = err.message().trim().replace('\n', " ");
            return Err(InputError::Parse {
                origin: source.display_path(),
                position,
                message: format!("invalid TOML: {message}"),
            });
        }
    };
    let mut problems = Problems {
        source: &source,
        diagnostics: Vec::new(),
    };
    let (publishers, thresholds) = read_document(doc.get_ref(), &mut problems);
    let mut diagnostics = problems.diagnostics;
    diagnostics.sort_by_key(|d| d.primary.span.start);
    Ok((
        DesiredState {
            publishers,
            source,
            thresholds,
        },
        diagnostics,
    ))
}

/// Reads the desired-state file at `path` for `check`: see [`parse_lenient`].
pub fn load_lenient(path: &Path) -> Result<(DesiredState, Vec<Diagnostic>), InputError> {
    parse_lenient(crate::error::read_text(path)?)
}

/// Collects problems against one file.
struct Problems<'s> {
    source: &'s SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn push(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: &str,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(RULE, message, Label::new(self.source, span, label));
        d.help = help;
        self.diagnostics.push(d);
    }

    /// `unknown {what} `name``, with the nearest of `known` or the list of them (`plural`).
    pub(crate) fn unknown(
        &mut self,
        span: Range<usize>,
        what: &str,
        plural: &str,
        name: &str,
        known: &[&str],
    ) {
        let help = match nearest(name, known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("known {plural}: {}", known.join(", ")),
        };
        self.push(
            span,
            format!("unknown {what} `{name}`"),
            &format!("unknown {what}"),
            Some(help),
        );
    }
}

fn read_document(doc: &DeTable<'_>, problems: &mut Problems<'_>) -> (Vec<Publisher>, Thresholds) {
    let mut publishers = Vec::new();
    let mut limits = Thresholds::default();
    for (key, value) in doc {
        match key.get_ref().as_ref() {
            "publisher" => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        match item.get_ref() {
                            DeValue::Table(table) => {
                                if let Some(p) = read_publisher(table, item.span(), problems) {
                                    publishers.push(p);
                                }
                            }
                            other => problems.push(
                                item.span(),
                                format!("a publisher must be a table, found {}", other.type_str()),
                                "expected a table",
                                Some("write each publisher as a `[[publisher]]` table".into()),
                            ),
                        }
                    }
                }
                other => problems.push(
                    value.span(),
                    format!(
                        "`publisher` must be an array of tables, found {}",
                        other.type_str()
                    ),
                    "expected `[[publisher]]` tables",
                    Some("write each publisher as a `[[publisher]]` table".into()),
                ),
            },
            "thresholds" => limits = thresholds::read(value, problems),
            other => problems.push(
                key.span(),
                format!("unknown top-level key `{other}`"),
                "unknown key",
                Some(match nearest(other, &["publisher", "thresholds"]) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => "the file holds `[[publisher]]` tables".into(),
                }),
            ),
        }
    }
    (publishers, limits)
}

/// A string value with its span, taken from a table.
struct Field {
    value: String,
    span: Range<usize>,
}

fn read_publisher(
    table: &DeTable<'_>,
    table_span: Range<usize>,
    problems: &mut Problems<'_>,
) -> Option<Publisher> {
    let before = problems.diagnostics.len();
    let mut fields: Vec<(&'static str, Field)> = Vec::new();
    let mut key_spans = Vec::new();
    let all_keys = publisher_keys();
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let Some(&known) = all_keys.iter().find(|k| **k == name) else {
            problems.unknown(key.span(), "key", "keys", name, &all_keys);
            continue;
        };
        key_spans.push((known.to_owned(), key.span()));
        if let Some(field) = read_scalar(known, value, problems) {
            fields.push((known, field));
        }
    }
    let gitlab = fields
        .iter()
        .any(|(n, f)| *n == "provider" && f.value == "gitlab");
    // A GitLab publisher names its namespace; it is stored as the owner.
    if let Some(i) = fields.iter().position(|(n, _)| *n == "namespace") {
        if gitlab && !fields.iter().any(|(n, _)| *n == "owner") {
            let (_, f) = fields.remove(i);
            fields.push(("owner", f));
            if let Some(k) = key_spans.iter_mut().find(|(k, _)| k == "namespace") {
                k.0 = "owner".into();
            }
        } else {
            let f = &fields[i].1;
            let message = if gitlab {
                "give the namespace once, as `namespace`"
            } else {
                "`namespace` is the GitLab key (with `provider = \"gitlab\"`): a GitHub publisher has an `owner`"
            };
            problems.push(f.span.clone(), message, "not expected here", None);
        }
    }
    let get = |k: &str| fields.iter().find(|(n, _)| *n == k).map(|(_, f)| f);
    let header = table_header_span(problems.source, &table_span);
    let owner_key = if gitlab { "namespace" } else { "owner" };
    for (required, shown) in [
        ("registry", "registry"),
        ("project", "project"),
        ("owner", owner_key),
        ("repository", "repository"),
        ("workflow", "workflow"),
    ] {
        if get(required).is_none() && !key_spans.iter().any(|(k, _)| k == required) {
            problems.push(
                header.clone(),
                format!("this publisher has no `{shown}`"),
                &format!("`{shown}` is required"),
                None,
            );
        }
    }
    let registry = get("registry").and_then(|f| {
        let r = Registry::from_id(&f.value);
        if r.is_none() {
            let ids: Vec<&str> = Registry::ALL.iter().map(|r| r.id()).collect();
            problems.unknown(f.span.clone(), "registry", "registries", &f.value, &ids);
        }
        r
    });
    for (name, field) in &fields {
        if *name == "owner-id" {
            continue;
        }
        if field.value.trim() != field.value {
            problems.push(
                field.span.clone(),
                format!("`{name}` has leading or trailing whitespace"),
                "whitespace here is part of the value",
                Some(format!("write `{}`", field.value.trim())),
            );
        }
    }
    if let Some(registry) = registry {
        // Keys that belong to another registry.
        for (name, field) in &fields {
            let common = PUBLISHER_KEYS.contains(name) || *name == "namespace";
            if !common && !registry.spec().extra_keys.contains(name) {
                let owner = Registry::ALL
                    .into_iter()
                    .find(|r| r.spec().extra_keys.contains(name))
                    .map_or("another registry", |r| r.name());
                problems.push(
                    field.span.clone(),
                    format!("`{name}` is a {owner} key, not a {} one", registry.name()),
                    "not for this registry",
                    None,
                );
            }
        }
        if let Some(p) = get("provider") {
            if p.value != "github" && p.value != "gitlab" {
                problems.push(
                    p.span.clone(),
                    format!("unknown provider `{}`", p.value),
                    "expected `github` or `gitlab`",
                    None,
                );
            } else if gitlab && !registry.is_python_index() {
                problems.push(
                    p.span.clone(),
                    format!(
                        "trustpub checks GitLab publishers for PyPI and TestPyPI only, not {}",
                        registry.name()
                    ),
                    "GitHub only here",
                    None,
                );
            }
        }
        for problem in
            (registry.spec().form_problems)(registry, &|k| get(k).map(|f| f.value.clone()))
        {
            let span = get(problem.field).map_or_else(|| header.clone(), |f| f.span.clone());
            problems.push(
                span,
                problem.message,
                "rejected by the registry's form",
                problem.help,
            );
        }
    }
    if problems.diagnostics.len() != before {
        return None;
    }
    let take = |k: &str| get(k).map(|f| f.value.clone());
    Some(Publisher {
        registry: registry?,
        project: take("project")?,
        owner: take("owner")?,
        repository: take("repository")?,
        workflow: take("workflow")?,
        environment: take("environment").filter(|e| !e.is_empty()),
        owner_id: take("owner-id"),
        provider: if gitlab {
            Provider::GitLab
        } else {
            Provider::GitHub
        },
        workflow_repository: take("workflow-repository-owner")
            .zip(take("workflow-repository-name")),
        policy_owner: take("policy-owner"),
        span: table_span,
        key_spans,
    })
}

/// Reads a scalar value: strings for every key, and for `owner-id` a non-negative integer
/// (or a string of digits, as GitHub writes it in tokens).
fn read_scalar(
    key: &'static str,
    value: &Spanned<DeValue<'_>>,
    problems: &mut Problems<'_>,
) -> Option<Field> {
    let span = value.span();
    match (key, value.get_ref()) {
        ("owner-id", DeValue::Integer(i)) => {
            let text = i.as_str().replace('_', "");
            match u64::from_str_radix(&text, i.radix()) {
                Ok(n) => Some(Field {
                    value: n.to_string(),
                    span,
                }),
                Err(_) => {
                    problems.push(
                        span,
                        "`owner-id` must be a non-negative integer",
                        "not a GitHub id",
                        None,
                    );
                    None
                }
            }
        }
        ("owner-id", DeValue::String(s))
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(Field {
                value: s.to_string(),
                span,
            })
        }
        ("owner-id", other) => {
            problems.push(
                span,
                format!("`owner-id` must be an integer, found {}", describe(other)),
                "expected an integer",
                Some("GitHub's numeric owner id, as in `owner-id = 4082754`".into()),
            );
            None
        }
        (_, DeValue::String(s)) => Some(Field {
            value: s.to_string(),
            span,
        }),
        (_, other) => {
            problems.push(
                span,
                format!("`{key}` must be a string, found {}", describe(other)),
                "expected a string",
                Some(format!("quote it: {key} = \"...\"")),
            );
            None
        }
    }
}

fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(_) => "a string".into(),
        DeValue::Integer(_) => "an integer".into(),
        DeValue::Float(_) => "a float".into(),
        DeValue::Boolean(_) => "a boolean".into(),
        DeValue::Datetime(_) => "a datetime".into(),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// The `[[publisher]]` header of a table, for problems about the table as a whole: the table's
/// span starts at its header when it has one, otherwise the header is the last one before it.
fn table_header_span(source: &SourceFile, table_span: &Range<usize>) -> Range<usize> {
    let text = &source.text;
    let start = table_span.start.min(text.len());
    let header = if text[start..].starts_with("[[") {
        Some(start)
    } else {
        text[..start].rfind("[[")
    };
    match header {
        Some(i) => i..text[i..].find(['\n', '\r']).map_or(text.len(), |n| i + n),
        None => start..start,
    }
}

/// A GitHub publisher for tests, with every optional field empty.
#[cfg(test)]
pub(crate) fn test_publisher(
    registry: Registry,
    owner: &str,
    repo: &str,
    owner_id: Option<&str>,
    workflow: &str,
    env: &str,
) -> Publisher {
    Publisher {
        registry,
        project: "example".into(),
        owner: owner.into(),
        repository: repo.into(),
        workflow: workflow.into(),
        environment: (!env.is_empty()).then(|| env.to_owned()),
        owner_id: owner_id.map(str::to_owned),
        provider: Provider::GitHub,
        workflow_repository: None,
        policy_owner: None,
        span: 0..0,
        key_spans: Vec::new(),
    }
}
