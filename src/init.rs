//! `trustpub init`: a starting `expected-publishers.toml` from the workflows and the git remote.
//!
//! One `[[publisher]]` per publishing step `check` recognises (identical ones merged), with the
//! registry, the workflow file the registry matches (the file that defines the publishing job),
//! the job's environment, the owner and repository from the `origin` remote, and the project
//! name from the package metadata beside the workflows. A value that cannot be inferred is
//! written as a commented-out key with the reason, so `trustpub check` asks for it until it is
//! filled in: `init` never invents what a registry must trust.
//!
//! The keys written are [`config::PUBLISHER_KEYS`], in that order, then any other key the
//! validator requires of the publisher's registry (asked of the validator itself, see
//! [`crate::schema::required_keys`]), and the registries are [`Registry::ALL`]: a key or a
//! registry added there appears here with no change.

use std::fmt::Write as _;
use std::path::Path;

use crate::check::{Context, ReadWorkflows, Repository, Site};
use crate::config::{self, DesiredState, PUBLISHER_KEYS};
use crate::identity::Registry;
use crate::schema::{publisher_key_doc, required_keys};
use crate::source::SourceFile;
use crate::workflow::publish::{Auth, Target};

/// What `init` found: the file's text and a few counts for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The TOML text.
    pub text: String,
    /// `[[publisher]]` tables written.
    pub publishers: usize,
    /// Values that could not be inferred (written commented out).
    pub uninferred: usize,
}

/// A value for one key: inferred (with where it came from), or not, with the reason.
enum Inferred {
    Value { toml: String, from: Option<String> },
    Unknown(String),
    Omitted(String),
}

/// Text safe inside a one-line TOML comment.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A TOML basic string (JSON's string escapes are valid TOML).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The package name the metadata files at `root` give for a registry, with the file's name.
fn project_name(registry: Registry, root: &Path) -> Result<(String, &'static str), String> {
    // A metadata file that is a symbolic link out of the repository is not read.
    let read = |file: &str| -> Option<String> {
        let path = root.join(file);
        if crate::paths::escapes(&path) {
            return None;
        }
        let bytes = crate::error::read_bytes_limited(&path, 1024 * 1024).ok()?;
        String::from_utf8(bytes).ok()
    };
    let read_toml = |file: &str| -> Option<toml::Table> {
        let text = read(file)?;
        text.parse::<toml::Table>().ok()
    };
    let field = |t: &toml::Table, path: &[&str]| -> Option<String> {
        let mut v = t.get(path[0])?;
        for p in &path[1..] {
            v = v.get(p)?;
        }
        v.as_str().map(str::to_owned)
    };
    match registry.id() {
        "pypi" | "testpypi" => {
            let t = read_toml("pyproject.toml")
                .ok_or("no readable pyproject.toml beside the workflows")?;
            field(&t, &["project", "name"])
                .or_else(|| field(&t, &["tool", "poetry", "name"]))
                .map(|n| (n, "pyproject.toml"))
                .ok_or_else(|| "pyproject.toml names no project (`[project] name`)".into())
        }
        "crates-io" => {
            let t = read_toml("Cargo.toml").ok_or("no readable Cargo.toml")?;
            field(&t, &["package", "name"])
                .map(|n| (n, "Cargo.toml"))
                .ok_or_else(|| "Cargo.toml names no package".into())
        }
        "npm" => {
            let text = read("package.json").ok_or("no readable package.json")?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|_| "package.json is not JSON")?;
            v.get("name")
                .and_then(|n| n.as_str())
                .map(|n| (n.to_owned(), "package.json"))
                .ok_or_else(|| "package.json has no name".into())
        }
        _ => Err("the package metadata of this registry is not read by init".into()),
    }
}

/// One publisher to write, and the steps it stands for.
struct Entry<'a> {
    site: Site<'a>,
    registry: Option<Registry>,
    steps: Vec<String>,
}

fn describe_step(site: &Site<'_>) -> String {
    let step = site.job.steps.get(site.step.step_index);
    let name = step
        .and_then(|s| s.name.as_ref())
        .map(|n| format!(" \"{}\"", comment_text(&n.value)))
        .unwrap_or_default();
    format!(
        "{}, job `{}`, step {}{} ({}, line {})",
        site.workflow.file_name,
        comment_text(&site.job.id.name),
        site.step.step_index + 1,
        name,
        site.step.tool.name(),
        site.step.span.line,
    )
}

/// The identity a site's token carries, for merging identical publishers.
fn identity(site: &Site<'_>, registry: Option<Registry>) -> (Option<Registry>, String, String) {
    let env = site
        .job
        .environment
        .as_ref()
        .and_then(|e| e.name.as_ref())
        .map(|n| n.value.clone())
        .unwrap_or_default();
    (registry, site.workflow.file_name.clone(), env)
}

fn infer(key: &str, entry: &Entry<'_>, repository: Option<&Repository>, root: &Path) -> Inferred {
    let site = &entry.site;
    let no_repo = || {
        Inferred::Unknown(
            "no GitHub `origin` remote in .git/config: give --repository OWNER/NAME".into(),
        )
    };
    match key {
        "registry" => match entry.registry {
            Some(r) => Inferred::Value {
                toml: toml_string(r.id()),
                from: None,
            },
            None => {
                let ids: Vec<&str> = Registry::ALL.iter().map(|r| r.id()).collect();
                let why = match &site.step.target {
                    Target::Unknown(v) => format!("the index is chosen at run time (`{v}`)"),
                    Target::Other(v) => format!("the step uploads to `{v}`"),
                    _ => "the step's index is not one trustpub knows".into(),
                };
                Inferred::Unknown(format!("{}; one of {}", why, ids.join(", ")))
            }
        },
        "project" => match entry.registry {
            Some(r) => match project_name(r, root) {
                Ok((name, file)) => Inferred::Value {
                    toml: toml_string(&name),
                    from: Some(format!("from {file}")),
                },
                Err(why) => Inferred::Unknown(why),
            },
            None => Inferred::Unknown("the registry is not known".into()),
        },
        "owner" => repository.map_or_else(no_repo, |r| Inferred::Value {
            toml: toml_string(&r.owner),
            from: Some(format!("from {}", r.origin)),
        }),
        "repository" => repository.map_or_else(no_repo, |r| Inferred::Value {
            toml: toml_string(&r.name),
            from: None,
        }),
        "workflow" => Inferred::Value {
            toml: toml_string(&site.workflow.file_name),
            from: (!site.callers.is_empty()).then(|| {
                let callers: Vec<String> = site
                    .callers
                    .iter()
                    .map(|(w, j)| format!("{} job `{}`", w.file_name, comment_text(&j.id.name)))
                    .collect();
                format!(
                    "the reusable workflow that defines the publishing job (called by {}): the file registries match",
                    callers.join(", ")
                )
            }),
        },
        "environment" => match site.job.environment.as_ref().and_then(|e| e.name.as_ref()) {
            Some(name) if name.is_expression() => Inferred::Unknown(format!(
                "the job's environment is decided at run time (`{}`)",
                name.value
            )),
            Some(name) => Inferred::Value {
                toml: toml_string(&name.value),
                from: None,
            },
            None => Inferred::Omitted(
                "the job has no `environment:`, so the publisher would accept any: add one to the job and here to pin it".into(),
            ),
        },
        // The workflows read are GitHub Actions workflows: the default provider.
        "provider" => Inferred::Omitted(
            "github, the default: these are GitHub Actions workflows".into(),
        ),
        "owner-id" => Inferred::Unknown(match repository {
            Some(r) => format!(
                "GitHub's numeric id of `{}`: the \"id\" of https://api.github.com/users/{}",
                r.owner, r.owner
            ),
            None => "GitHub's numeric id of the owner".into(),
        }),
        _ => Inferred::Unknown(publisher_key_doc(key).to_owned()),
    }
}

/// Writes the file for the publishing steps found in `read`.
pub fn generate(read: &ReadWorkflows, repository: Option<&Repository>, root: &Path) -> Generated {
    let empty = DesiredState {
        source: SourceFile::new(config::DEFAULT_PATH, ""),
        publishers: Vec::new(),
        thresholds: config::Thresholds::default(),
    };
    let ctx = Context::new(&empty, &read.workflows, repository);
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut skipped = Vec::new();
    for site in ctx.sites {
        let registry = site.registry();
        if registry.is_none() && !site.target_unknown() {
            skipped.push(format!(
                "{}: uploads to {}",
                describe_step(&site),
                match &site.step.target {
                    Target::Other(v) => format!("`{}`", comment_text(v)),
                    _ => "an index trustpub does not know".into(),
                }
            ));
            continue;
        }
        let step = describe_step(&site);
        let id = identity(&site, registry);
        match entries
            .iter_mut()
            .find(|e| registry.is_some() && identity(&e.site, e.registry) == id)
        {
            Some(e) => e.steps.push(step),
            None => entries.push(Entry {
                site,
                registry,
                steps: vec![step],
            }),
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The desired state: what each registry must trust. Written by `trustpub init` from the\n\
         # workflows and the git remote; review every value, fill in the commented-out ones, then\n\
         # run `trustpub check`. Every key: `trustpub schema`, or the README (\"The desired-state file\").\n\
         #\n\
         # Editors that validate TOML with a JSON Schema (taplo, Even Better TOML): run\n\
         # `trustpub schema > expected-publishers.schema.json` and make this the first line:\n\
         # #:schema ./expected-publishers.schema.json"
    );
    for s in &skipped {
        let _ = writeln!(
            out,
            "#\n# Not a registry trustpub knows, so not declared: {s}"
        );
    }
    let mut uninferred = 0;
    if entries.is_empty() {
        let _ = writeln!(
            out,
            "#\n# No publishing step was found in the workflows read. A publisher looks like this:\n\
             #\n# [[publisher]]"
        );
        for key in PUBLISHER_KEYS {
            let _ = writeln!(out, "# {key} = \"\"  # {}", publisher_key_doc(key));
        }
    }
    for entry in &entries {
        out.push('\n');
        for step in &entry.steps {
            let _ = writeln!(out, "# {step}");
        }
        if let Auth::Stored { what, .. } = &entry.site.step.auth {
            let _ = writeln!(
                out,
                "# This step uploads with a stored credential ({}): Trusted Publishing needs it removed\n\
                 # and `permissions: id-token: write` on the job (`trustpub check` shows where).",
                comment_text(what)
            );
        }
        let required = entry.registry.map(required_keys).unwrap_or_default();
        out.push_str("[[publisher]]\n");
        // The common keys, then any other key the validator requires of this registry.
        let keys = PUBLISHER_KEYS
            .iter()
            .chain(required.iter().filter(|k| !PUBLISHER_KEYS.contains(k)));
        for key in keys {
            match infer(key, entry, repository, root) {
                Inferred::Value { toml, from } => {
                    let _ = write!(out, "{key} = {toml}");
                    if let Some(from) = from {
                        let _ = write!(out, "  # {}", comment_text(&from));
                    }
                    out.push('\n');
                }
                Inferred::Unknown(why) => {
                    uninferred += 1;
                    let need = if required.contains(key) || *key == "registry" {
                        "required, not inferred"
                    } else {
                        "optional, not inferred"
                    };
                    // An integer key (owner-id) gets a number as its placeholder.
                    let integer = crate::schema::schema()["properties"]["publisher"]["items"]["properties"]
                        [key]["anyOf"][0]["type"]
                        == "integer";
                    let placeholder = if integer { "0" } else { "\"\"" };
                    let _ = writeln!(
                        out,
                        "# {key} = {placeholder}  # {need}: {}",
                        comment_text(&why)
                    );
                }
                Inferred::Omitted(why) => {
                    let _ = writeln!(out, "# {key}: {}", comment_text(&why));
                }
            }
        }
    }
    Generated {
        text: out,
        publishers: entries.len(),
        uninferred,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Workflow;

    fn read(files: &[(&str, &str)]) -> ReadWorkflows {
        ReadWorkflows {
            workflows: files
                .iter()
                .map(|(n, t)| Workflow::parse(Path::new(n), (*t).to_owned()).unwrap())
                .collect(),
            ..ReadWorkflows::default()
        }
    }

    const RELEASE: &str = "on: {push: {tags: ['v*']}}\njobs:\n  publish:\n    environment: pypi-release\n    permissions: {id-token: write}\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with: {repository-url: 'https://test.pypi.org/legacy/'}\n";

    #[test]
    fn one_publisher_per_step_with_environment_and_workflow() {
        let repo = Repository::parse("yeemio/owlclaw", ".git/config (remote origin)");
        let g = generate(
            &read(&[("release.yml", RELEASE)]),
            repo.as_ref(),
            Path::new("/nonexistent"),
        );
        assert_eq!(g.publishers, 2, "{}", g.text);
        assert!(g.text.contains("registry = \"pypi\""));
        assert!(g.text.contains("registry = \"testpypi\""));
        assert!(g.text.contains("workflow = \"release.yml\""));
        assert!(g.text.contains("environment = \"pypi-release\""));
        assert!(g.text.contains("owner = \"yeemio\""));
        assert!(
            g.text
                .contains("# project = \"\"  # required, not inferred")
        );
        assert!(g.text.contains("# owner-id = 0  # optional, not inferred"));
        // What was inferred is valid; only the missing project is reported.
        let (state, problems) =
            config::parse_lenient(SourceFile::new("e.toml", g.text.clone())).unwrap();
        assert!(state.publishers.is_empty());
        assert!(
            problems
                .iter()
                .all(|d| d.message == "this publisher has no `project`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_run_time_index_and_environment_are_left_to_the_user() {
        let text = "on: workflow_dispatch\njobs:\n  up:\n    environment: ${{ inputs.env }}\n    steps:\n      - run: twine upload --repository-url ${{ inputs.url }} dist/*\n";
        let g = generate(&read(&[("up.yml", text)]), None, Path::new("/nonexistent"));
        assert_eq!(g.publishers, 1, "{}", g.text);
        assert!(
            g.text.contains(
                "# registry = \"\"  # required, not inferred: the index is chosen at run time"
            ),
            "{}",
            g.text
        );
        assert!(g.text.contains("# environment = \"\"  # optional, not inferred: the job's environment is decided at run time"));
        assert!(g.text.contains("give --repository OWNER/NAME"));
    }

    #[test]
    fn no_publishing_step_gives_a_commented_template() {
        let g = generate(
            &read(&[(
                "ci.yml",
                "on: push\njobs:\n  t:\n    steps:\n      - run: make\n",
            )]),
            None,
            Path::new("/nonexistent"),
        );
        assert_eq!(g.publishers, 0);
        for key in PUBLISHER_KEYS {
            assert!(g.text.contains(&format!("# {key} = ")), "{key}");
        }
    }
}
