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
    /// Values the registries accept that trustpub advises against (warnings of [`parse`]; the
    /// lenient parse returns them with the errors).
    pub warnings: Vec<Diagnostic>,
}

/// Every key a `[[publisher]]` table may hold: the common keys, then each registry's own.
pub fn publisher_keys() -> Vec<&'static str> {
    let mut keys = PUBLISHER_KEYS.to_vec();
    for r in Registry::ALL {
        let spec = r.spec();
        let provider_keys = spec
            .other_providers
            .iter()
            .flat_map(|k| k.required.iter().chain(k.optional));
        for k in spec.extra_keys.iter().chain(provider_keys) {
            if !keys.contains(k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// The keys a `[[publisher]]` table of `provider` may hold on `registry` (a provider the
/// registry accepts): a GitHub publisher's common keys and the registry's own, or the keys of
/// the registry's form for that provider. A GitLab publisher's namespace may be written
/// `namespace` or `owner` (once). The validator and the JSON Schema both read this.
pub fn allowed_keys(registry: Registry, provider: Provider) -> Vec<&'static str> {
    let spec = registry.spec();
    match spec.provider_keys(provider) {
        Some(k) if provider != Provider::GitHub => ["registry", "project", "provider", "owner"]
            .iter()
            .chain(k.required)
            .chain(k.optional)
            .copied()
            .filter(|k| provider == Provider::GitLab || *k != "owner")
            .collect(),
        _ => PUBLISHER_KEYS
            .iter()
            .chain(spec.extra_keys)
            .copied()
            .collect(),
    }
}

/// The keys a `[[publisher]]` table of `provider` must hold on `registry`, `registry` first.
/// For GitLab, `namespace` (which may be written `owner`). The validator and the JSON Schema
/// both read this.
pub fn required_keys(registry: Registry, provider: Provider) -> Vec<&'static str> {
    match registry.spec().provider_keys(provider) {
        Some(k) if provider != Provider::GitHub => ["registry", "project"]
            .iter()
            .chain(k.required)
            .copied()
            .collect(),
        _ => vec!["registry", "project", "owner", "repository", "workflow"],
    }
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
    let (mut state, diagnostics) = parse_lenient(source)?;
    if diagnostics
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
    {
        return Err(InputError::Config {
            source_file: Box::new(state.source),
            diagnostics,
        });
    }
    state.warnings = diagnostics;
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
            warnings: Vec::new(),
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
    /// How many errors (not warnings) were found so far.
    fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .count()
    }

    /// A warning: the registry accepts the value, and trustpub advises against it.
    fn warn(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: &str,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::new(
            RULE,
            crate::diag::Severity::Warning,
            message,
            Label::new(self.source, span, label),
        );
        d.help = help;
        self.diagnostics.push(d);
    }

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
    let before = problems.errors();
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
    let provider = match fields.iter().find(|(n, _)| *n == "provider") {
        None => Some(Provider::GitHub),
        Some((_, f)) => {
            let p = Provider::from_id(&f.value);
            if p.is_none() {
                let ids: Vec<&str> = Provider::ALL.iter().map(|p| p.id()).collect();
                problems.unknown(f.span.clone(), "provider", "providers", &f.value, &ids);
            }
            p
        }
    };
    let gitlab = provider == Some(Provider::GitLab);
    // A GitLab publisher names its namespace; it is stored as the owner.
    if let Some(i) = fields.iter().position(|(n, _)| *n == "namespace") {
        if gitlab && !fields.iter().any(|(n, _)| *n == "owner") {
            let (_, f) = fields.remove(i);
            fields.push(("owner", f));
            if let Some(k) = key_spans.iter_mut().find(|(k, _)| k == "namespace") {
                k.0 = "owner".into();
            }
        } else if gitlab || provider == Some(Provider::GitHub) {
            let f = &fields[i].1;
            let message = if gitlab {
                "give the namespace once, as `namespace`"
            } else {
                "`namespace` is the GitLab key (with `provider = \"gitlab\"`): a GitHub publisher has an `owner`"
            };
            problems.push(f.span.clone(), message, "not expected here", None);
        }
    }
    let header = table_header_span(problems.source, &table_span);
    let registry = fields
        .iter()
        .find(|(n, _)| *n == "registry")
        .and_then(|(_, f)| {
            let r = Registry::from_id(&f.value);
            if r.is_none() {
                let ids: Vec<&str> = Registry::ALL.iter().map(|r| r.id()).collect();
                problems.unknown(f.span.clone(), "registry", "registries", &f.value, &ids);
            }
            r
        });
    let required = match (registry, provider) {
        (Some(r), Some(p)) => required_keys(r, p),
        _ => required_keys(Registry::Pypi, Provider::GitHub),
    };
    let get = |k: &str| fields.iter().find(|(n, _)| *n == k).map(|(_, f)| f);
    for required in &required {
        let shown = if gitlab && *required == "owner" {
            "namespace"
        } else {
            required
        };
        let shown_key = if *required == "namespace" {
            "owner"
        } else {
            required
        };
        if get(shown_key).is_none() && !key_spans.iter().any(|(k, _)| k == shown_key) {
            problems.push(
                header.clone(),
                format!("this publisher has no `{shown}`"),
                &format!("`{shown}` is required"),
                None,
            );
        }
    }
    if let Some(f) = get("project").filter(|f| f.value.trim().is_empty()) {
        problems.push(
            f.span.clone(),
            "`project` is empty",
            "no package has this name",
            Some("the package's name on the registry, as in `project = \"owlclaw\"`".into()),
        );
    }
    if let (Some(registry), Some(provider)) = (registry, provider) {
        let spec = registry.spec();
        if !spec.accepts(provider) {
            let span = get("provider").map_or_else(|| header.clone(), |f| f.span.clone());
            let accepted: Vec<&str> = std::iter::once(Provider::GitHub)
                .chain(spec.other_providers.iter().map(|k| k.provider))
                .map(Provider::id)
                .collect();
            let upstream = if registry.is_python_index() && provider == Provider::CircleCi {
                " (PyPI's CircleCI publisher is an open pull request upstream, not landed)"
            } else {
                ""
            };
            problems.push(
                span,
                format!(
                    "{} has no {} publishers{upstream}",
                    registry.name(),
                    provider.name()
                ),
                &format!("{} accepts {}", registry.name(), accepted.join(", ")),
                None,
            );
        } else {
            // Keys this registry does not take for this provider.
            let allowed = allowed_keys(registry, provider);
            for (name, field) in &fields {
                let name: &str = name;
                // `namespace` has its own message on a GitHub publisher, above.
                let namespace_told =
                    name == "namespace" && (gitlab || provider == Provider::GitHub);
                if allowed.contains(&name) || namespace_told {
                    continue;
                }
                let message = match key_owner(name) {
                    KeyOwner::Registry(r) if r != registry && provider == Provider::GitHub => {
                        format!(
                            "`{name}` is a {} key, not a {} one",
                            r.name(),
                            registry.name()
                        )
                    }
                    KeyOwner::Provider(q) if q != provider => format!(
                        "`{name}` is a key of {} publishers, not of {} ones",
                        q.name(),
                        provider.name()
                    ),
                    KeyOwner::Provider(_) | KeyOwner::Registry(_) | KeyOwner::Common => format!(
                        "`{name}` is not a key of a {} publisher on {}",
                        provider.name(),
                        registry.name()
                    ),
                };
                let help = (gitlab && name == "owner-id" && allowed.contains(&"namespace-id"))
                    .then(|| "a GitLab publisher's pinned id is `namespace-id`".to_owned());
                problems.push(field.span.clone(), message, "not for this registry", help);
            }
        }
    }
    let mut stored: Vec<(&'static str, String)> = Vec::new();
    if registry.is_none() {
        // No registry to ask whether it keeps the whitespace: the value is refused as written.
        for (name, field) in &fields {
            if *name != "owner-id" && field.value.trim() != field.value {
                problems.push(
                    field.span.clone(),
                    format!("`{name}` has leading or trailing whitespace"),
                    "whitespace here is part of the value",
                    Some(format!("write `{}`", field.value.trim())),
                );
            }
        }
    }
    if let Some(registry) = registry {
        let lookup = |k: &str| get(k).map(|f| f.value.clone());
        let reported = (registry.spec().form_problems)(registry, &lookup);
        stored = (registry.spec().normalize)(registry, &lookup);
        for (name, field) in &fields {
            if *name == "owner-id" || reported.iter().any(|p| p.field == *name) {
                continue;
            }
            let kept = stored
                .iter()
                .find(|(n, _)| n == name)
                .map_or(field.value.as_str(), |(_, v)| v.as_str());
            if kept.trim() != kept {
                problems.warn(
                    field.span.clone(),
                    format!(
                        "`{name}` has leading or trailing whitespace, which {} keeps: no run's claims carry it",
                        registry.name()
                    ),
                    "whitespace here is part of the value",
                    Some(format!("write `{}`", field.value.trim())),
                );
            }
        }
        for problem in reported {
            let span = get(problem.field).map_or_else(|| header.clone(), |f| f.span.clone());
            if problem.advisory {
                problems.warn(
                    span,
                    problem.message,
                    "accepted by the registry's form",
                    problem.help,
                );
            } else {
                problems.push(
                    span,
                    problem.message,
                    "rejected by the registry's form",
                    problem.help,
                );
            }
        }
    }
    if problems.errors() != before {
        return None;
    }
    let take = |k: &str| {
        stored
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .or_else(|| get(k).map(|f| f.value.clone()))
    };
    const TYPED: &[&str] = &[
        "registry",
        "project",
        "owner",
        "namespace",
        "repository",
        "workflow",
        "environment",
        "owner-id",
        "provider",
        "policy-owner",
        "workflow-repository-owner",
        "workflow-repository-name",
    ];
    let extra = fields
        .iter()
        .filter(|(n, _)| !TYPED.contains(n))
        .filter_map(|(n, _)| take(n).map(|v| ((*n).to_owned(), v)))
        .collect();
    Some(Publisher {
        registry: registry?,
        project: take("project")?,
        owner: take("owner").unwrap_or_default(),
        repository: take("repository").unwrap_or_default(),
        workflow: take("workflow").unwrap_or_default(),
        environment: take("environment").filter(|e| !e.is_empty()),
        owner_id: take("owner-id"),
        provider: provider?,
        workflow_repository: take("workflow-repository-owner")
            .zip(take("workflow-repository-name")),
        policy_owner: take("policy-owner"),
        extra,
        span: table_span,
        key_spans,
    })
}

/// Which table a key comes from.
enum KeyOwner {
    /// A key every GitHub publisher takes.
    Common,
    /// A key of one registry's GitHub publishers.
    Registry(Registry),
    /// A key of another provider's publishers.
    Provider(Provider),
}

fn key_owner(key: &str) -> KeyOwner {
    if PUBLISHER_KEYS.contains(&key) {
        return KeyOwner::Common;
    }
    if let Some(r) = Registry::ALL
        .into_iter()
        .find(|r| r.spec().extra_keys.contains(&key))
    {
        return KeyOwner::Registry(r);
    }
    Registry::ALL
        .iter()
        .flat_map(|r| r.spec().other_providers)
        .find(|k| k.required.contains(&key) || k.optional.contains(&key))
        .map_or(KeyOwner::Common, |k| KeyOwner::Provider(k.provider))
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
        ("context-ids", DeValue::Array(items))
            if items
                .iter()
                .all(|i| matches!(i.get_ref(), DeValue::String(_))) =>
        {
            let ids: Vec<String> = items
                .iter()
                .filter_map(|i| match i.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect();
            Some(Field {
                value: ids.join(","),
                span,
            })
        }
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
        extra: Default::default(),
        span: 0..0,
        key_spans: Vec::new(),
    }
}
