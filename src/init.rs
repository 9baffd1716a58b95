//! `trustpub init`: a starting `expected-publishers.toml` from the workflows and the git remote.
//!
//! One `[[publisher]]` per distinct identity the workflows really publish with: for each
//! publishing site `check` recognises, each project it publishes (read from the package's own
//! manifest: `pyproject.toml`, `Cargo.toml`, `package.json`, `*.gemspec`, `*.csproj`), and each
//! workflow file the registry would match on some way the job runs. Which file a registry
//! matches (the file that defines the job, or the top-level caller) is asked of the registry's
//! own matcher on the predicted token, so `init` never writes what `check` then rejects. The
//! owner and repository come from the `origin` remote, the environment from the job. A value
//! that cannot be inferred is written as a commented-out key with the reason, so
//! `trustpub check` asks for it until it is filled in: `init` never invents what a registry
//! must trust.
//!
//! The keys written are [`config::PUBLISHER_KEYS`], in that order, then any other key the
//! validator requires of the publisher's registry (the validator's own list,
//! [`crate::config::required_keys`]), and the registries are [`Registry::ALL`]: a key or a
//! registry added there appears here with no change.

use std::fmt::Write as _;

use crate::check::{Context, ReadWorkflows, RepoFiles, Repository, Site};
use crate::config::required_keys;
use crate::config::{self, DesiredState, PUBLISHER_KEYS};
use crate::identity::{Claim, Publisher, Registry};
use crate::registry::{EvidenceFacts, Outcome};
use crate::schema::{key_is_integer, publisher_key_doc};
use crate::source::SourceFile;
use crate::workflow::publish::{Auth, PublishStep, Target};

/// What `init` found: the file's text and a few counts for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The TOML text.
    pub text: String,
    /// `[[publisher]]` tables written.
    pub publishers: usize,
    /// Values that could not be inferred (written commented out).
    pub uninferred: usize,
    /// The publishers only a stored credential serves (written commented out in `text`), as
    /// TOML: what `audit` reports as publishing with a stored token.
    pub stored: String,
}

/// A value for one key: inferred (with where it came from), or not, with the reason.
enum Inferred {
    Value { toml: String, from: Option<String> },
    Unknown(String),
    Omitted(String),
}

/// Text safe inside a one-line TOML comment.
fn comment_text(s: &str) -> String {
    // The sanitiser's one-line form: a line break cannot end the comment and start a key, and
    // an invisible character is seen (`<U+202E>`).
    crate::sanitize::visible_line(s).into_owned()
}

/// A TOML basic string (JSON's string escapes are valid TOML).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// What `registry`'s own matcher decides of `token` for a publisher with this workflow file,
/// environment and (RubyGems) workflow repository, and the repository's owner and name: how
/// `init` asks a registry which file it matches.
fn trial_judgement(
    registry: Registry,
    token: &crate::identity::predicted::PredictedToken,
    repository: Option<&Repository>,
    workflow: &str,
    environment: Option<&str>,
    workflow_repository: Option<(String, String)>,
) -> crate::registry::Judgement {
    let trial = Publisher {
        registry,
        project: String::new(),
        owner: repository.map_or_else(|| "owner".into(), |r| r.owner.clone()),
        repository: repository.map_or_else(|| "repository".into(), |r| r.name.clone()),
        workflow: workflow.to_owned(),
        environment: environment.map(str::to_owned),
        owner_id: None,
        provider: crate::identity::Provider::GitHub,
        workflow_repository,
        policy_owner: None,
        extra: Default::default(),
        span: 0..0,
        key_spans: Vec::new(),
    };
    let claims = token.claims(
        Some((trial.owner.as_str(), trial.repository.as_str())),
        Some(registry.spec().audience),
    );
    registry.judge(
        &trial,
        &EvidenceFacts {
            claims: &claims,
            is_token: false,
            token_rejected: None,
            declared: &[],
        },
    )
}

/// What to declare for a job that calls a reusable workflow of another repository with an OIDC
/// token, registry by registry, as each registry's own matcher accepts it: the caller, the
/// called file, or the called file with its repository named.
fn remote_call_advice(site: &Site<'_>, repository: Option<&Repository>) -> String {
    let uses = site.job.uses.as_ref().map_or("", |u| u.value.as_str());
    let mut by_declaration: Vec<(String, Vec<&'static str>)> = Vec::new();
    let mut none: Vec<&'static str> = Vec::new();
    for registry in Registry::ALL {
        let Some(token) = site.predicted.first() else {
            break;
        };
        let (called_repo, _) = token.defining_repository.clone().unwrap_or_default();
        let (wo, wn) = called_repo.split_once('/').unwrap_or(("", ""));
        let candidates: [(String, Option<(String, String)>); 3] = [
            (site.workflow.file_name.clone(), None),
            (token.defining.clone(), None),
            (token.defining.clone(), Some((wo.to_owned(), wn.to_owned()))),
        ];
        let accepted = candidates.iter().find(|(file, wr)| {
            trial_judgement(registry, token, repository, file, None, wr.clone()).accepted()
        });
        match accepted {
            Some((file, wr)) => {
                let what = match wr {
                    Some((o, n)) => format!(
                        "workflow = {} with workflow-repository-owner = {}, workflow-repository-name = {}",
                        toml_string(file),
                        toml_string(o),
                        toml_string(n)
                    ),
                    None => format!("workflow = {}", toml_string(file)),
                };
                match by_declaration.iter_mut().find(|(w, _)| *w == what) {
                    Some((_, rs)) => rs.push(registry.name()),
                    None => by_declaration.push((what, vec![registry.name()])),
                }
            }
            None => none.push(registry.name()),
        }
    }
    let mut text = format!(
        "{}, job `{}` calls `{}` with an OIDC token: trustpub cannot see what it publishes.\nIf it publishes, declare its publisher as each registry matches it:",
        site.workflow.file_name,
        comment_text(&site.job.id.name),
        comment_text(uses)
    );
    for (what, registries) in &by_declaration {
        text.push_str(&format!(
            "\n  {}: {}",
            registries.join(", "),
            comment_text(what)
        ));
    }
    if !none.is_empty() {
        text.push_str(&format!(
            "\n  {}: no publisher can accept a job defined in another repository",
            none.join(", ")
        ));
    }
    text
}

/// A NuGet policy's name: the package's id when the workflow pushes one package, the
/// repository's name when it pushes several (a policy covers every package of its owner).
fn nuget_policy_name(
    step: &PublishStep,
    files: &RepoFiles,
    repository: Option<&Repository>,
) -> crate::manifest::Named {
    let dir = step.package.dirs.first().map_or("", String::as_str);
    let packages = crate::manifest::nuget_packages(dir, files);
    match (packages.as_slice(), repository) {
        ([one], _) => Ok(one.clone()),
        ([], _) => Err("no packable .csproj found beside the workflow's push".into()),
        (many, Some(r)) => Ok((
            r.name.clone(),
            format!(
                "the repository's name, for the policy: a NuGet policy covers every package of its owner ({})",
                many.iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        (many, None) => Err(format!(
            "several packages ({}): a NuGet policy covers every package of its owner; give the policy's name",
            many.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// One publisher to write, and the steps it stands for.
struct Entry {
    registry: Option<Registry>,
    /// Why the registry is not known, when it is not.
    registry_unknown: String,
    project: crate::manifest::Named,
    workflow: String,
    /// Why this file: the caller of a reusable workflow, or its defining file.
    workflow_from: Option<String>,
    environment: Claim,
    environment_text: Option<String>,
    steps: Vec<String>,
    stored: Option<String>,
    /// The registry account the exchange acts for (NuGet/login's `user`).
    account: Option<String>,
}

fn describe_step(site: &Site<'_>, step: &PublishStep) -> String {
    let name = site
        .job
        .steps
        .get(step.step_index)
        .and_then(|s| s.name.as_ref())
        .map(|n| format!(" \"{}\"", comment_text(&n.value)))
        .unwrap_or_default();
    let place = match &step.action {
        Some(a) => format!("{}, line {}", comment_text(a), step.span.line),
        None => format!("line {}", step.span.line),
    };
    format!(
        "{}, job `{}`, step {}{} ({}, {place})",
        comment_text(&site.workflow.file_name),
        comment_text(&site.job.id.name),
        step.step_index + 1,
        name,
        step.tool.name(),
    )
}

/// The workflow files `registry` would match for this site, each with why: for every way the
/// job runs, the defining file and the top-level caller are tried as a publisher, and the
/// registry's own matcher says which it would look up.
fn matched_files(
    site: &Site<'_>,
    registry: Registry,
    repository: Option<&Repository>,
) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for token in &site.predicted {
        let mut candidates = vec![site.workflow.file_name.clone()];
        if let Some(top) = &token.via.workflow
            && !candidates.contains(top)
        {
            candidates.push(top.clone());
        }
        for file in candidates {
            let judgement = trial_judgement(
                registry,
                token,
                repository,
                &file,
                token.environment.value(),
                None,
            );
            let field = judgement.field("workflow");
            if field.is_some_and(|f| f.outcome == Outcome::Differs) {
                continue;
            }
            let why = if file != site.workflow.file_name {
                Some(format!(
                    "{} matches the top-level workflow of the run: the caller of `{}` (job `{}`)",
                    registry.name(),
                    site.workflow.file_name,
                    comment_text(
                        &token
                            .via
                            .callers
                            .last()
                            .map_or(String::new(), |(_, j)| j.clone())
                    )
                ))
            } else if !site.callers.is_empty() {
                Some(format!(
                    "{} matches the reusable workflow that defines the publishing job (called by {})",
                    registry.name(),
                    site.callers
                        .iter()
                        .map(|(w, j)| format!("{} job `{}`", w.file_name, comment_text(&j.id.name)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            } else {
                None
            };
            if !out.iter().any(|(f, _)| *f == file) {
                out.push((file, why));
            }
        }
    }
    if out.is_empty() {
        out.push((site.workflow.file_name.clone(), None));
    }
    out
}

fn infer(key: &str, entry: &Entry, repository: Option<&Repository>) -> Inferred {
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
                Inferred::Unknown(format!("{}; one of {}", entry.registry_unknown, ids.join(", ")))
            }
        },
        "project" => match (&entry.registry, &entry.project) {
            (Some(_), Ok((name, file))) => Inferred::Value {
                toml: toml_string(name),
                from: Some(format!("from {file}")),
            },
            (Some(_), Err(why)) => Inferred::Unknown(why.clone()),
            (None, _) => Inferred::Unknown("the registry is not known".into()),
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
            toml: toml_string(&entry.workflow),
            from: entry.workflow_from.clone(),
        },
        "environment" => match (&entry.environment, &entry.environment_text) {
            (Claim::Present(name), _) => Inferred::Value {
                toml: toml_string(name),
                from: None,
            },
            (Claim::Unknown, Some(text)) => Inferred::Unknown(format!(
                "the job's environment is decided at run time (`{text}`)"
            )),
            _ => Inferred::Omitted(
                "the job has no `environment:`, so the publisher would accept any: add one to the job and here to pin it".into(),
            ),
        },
        // The workflows read are GitHub Actions workflows: the default provider.
        "provider" => Inferred::Omitted(
            "github, the default: these are GitHub Actions workflows".into(),
        ),
        "policy-owner" => match &entry.account {
            Some(user) => Inferred::Value {
                toml: toml_string(user),
                from: Some("NuGet/login's `user`".into()),
            },
            None => Inferred::Unknown(
                "NuGet/login's `user` (the policy owner's NuGet name) is not literal in the workflow"
                    .into(),
            ),
        },
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
pub fn generate(
    read: &ReadWorkflows,
    repository: Option<&Repository>,
    files: &RepoFiles,
) -> Generated {
    let empty = DesiredState {
        source: SourceFile::new(config::DEFAULT_PATH, ""),
        publishers: Vec::new(),
        thresholds: config::Thresholds::default(),
        warnings: Vec::new(),
    };
    let ctx = Context::new(&empty, &read.workflows, repository, files);
    let mut entries: Vec<Entry> = Vec::new();
    let mut skipped = Vec::new();
    let mut opaque: Vec<String> = Vec::new();
    for site in &ctx.sites {
        let Some(step) = &site.step else {
            opaque.push(remote_call_advice(site, repository));
            continue;
        };
        let registry = site.registry();
        let described = describe_step(site, step);
        if registry.is_none() && !site.target_unknown() {
            skipped.push(format!(
                "{described}: uploads to {}",
                match &step.target {
                    Target::Other(v) => format!("`{}`", comment_text(v)),
                    _ => "an index trustpub does not know".into(),
                }
            ));
            continue;
        }
        let registry_unknown = match &step.target {
            Target::Unknown(v) => format!("the index is chosen at run time (`{v}`)"),
            _ => "the step's index is not one trustpub knows".into(),
        };
        let projects: Vec<crate::manifest::Named> = match registry {
            Some(Registry::NuGet) => vec![nuget_policy_name(step, files, repository)],
            Some(r) => crate::manifest::project_names(r, &step.package, files),
            None => vec![Err("the registry is not known".into())],
        };
        let workflows = match registry {
            Some(r) => matched_files(site, r, repository),
            None => vec![(site.workflow.file_name.clone(), None)],
        };
        let (environment, environment_text) =
            match site.job.environment.as_ref().and_then(|e| e.name.as_ref()) {
                Some(n) if n.is_expression() => (Claim::Unknown, Some(n.value.clone())),
                Some(n) => (Claim::Present(n.value.clone()), None),
                None => (Claim::Missing, None),
            };
        let stored = match &step.auth {
            Auth::Stored { what, .. } => Some(what.clone()),
            Auth::TrustedPublishing => None,
        };
        for project in &projects {
            for (workflow, workflow_from) in &workflows {
                let same = |e: &Entry| {
                    registry.is_some()
                        && e.registry == registry
                        && e.project == *project
                        && e.workflow == *workflow
                        && e.environment == environment
                        && e.stored.is_some() == stored.is_some()
                };
                match entries.iter_mut().find(|e| same(e)) {
                    Some(e) => {
                        if !e.steps.contains(&described) {
                            e.steps.push(described.clone());
                        }
                    }
                    None => entries.push(Entry {
                        registry,
                        registry_unknown: registry_unknown.clone(),
                        project: project.clone(),
                        workflow: workflow.clone(),
                        workflow_from: workflow_from.clone(),
                        environment: environment.clone(),
                        environment_text: environment_text.clone(),
                        steps: vec![described.clone()],
                        stored: stored.clone(),
                        account: step.account.clone(),
                    }),
                }
            }
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The desired state: what each registry must trust. Written by `trustpub init` from the\n\
         # workflows and the git remote; review every value, fill in the commented-out ones, then\n\
         # run `trustpub check`. Every key: `trustpub schema`, or the README (\"The desired-state file\").\n\
         #\n\
         # Editors that validate TOML with a JSON Schema (taplo, Even Better TOML) check this file\n\
         # as you type when its first line is (or, offline, `trustpub schema > FILE` and its path):\n\
         # #:schema {}",
        crate::schema::SCHEMA_ID
    );
    for s in &skipped {
        let _ = writeln!(
            out,
            "#\n# Not a registry trustpub knows, so not declared: {s}"
        );
    }
    let mut uninferred = 0;
    if entries.is_empty() && opaque.is_empty() {
        let _ = writeln!(
            out,
            "#\n# No publishing step was found in the workflows read. A publisher looks like this:\n\
             #\n# [[publisher]]"
        );
        for key in PUBLISHER_KEYS {
            let _ = writeln!(out, "# {key} = \"\"  # {}", publisher_key_doc(key));
        }
    }
    for advice in &opaque {
        out.push('\n');
        for line in advice.lines() {
            let _ = writeln!(out, "# {line}");
        }
    }
    let mut written = 0;
    let mut stored = String::new();
    for entry in &entries {
        // A stored-credential path beside a Trusted Publishing one for the same project: the
        // publisher is declared by the other; `check` reports the stored credential.
        let twin = entry.stored.is_some()
            && entries.iter().any(|e| {
                e.stored.is_none() && e.registry == entry.registry && e.project == entry.project
            });
        if twin {
            let _ = writeln!(
                out,
                "\n# Also publishes with a stored credential ({}): {}\n# `trustpub check` reports it; the publisher below serves it once the credential is removed.",
                comment_text(entry.stored.as_deref().unwrap_or_default()),
                entry.steps.join("; ")
            );
            continue;
        }
        let mut block = String::new();
        for step in &entry.steps {
            let _ = writeln!(block, "# {step}");
        }
        let required = entry
            .registry
            .map(|r| required_keys(r, crate::identity::Provider::GitHub))
            .unwrap_or_default();
        block.push_str("[[publisher]]\n");
        // The common keys, then any other key the validator requires of this registry, then
        // the registry's own keys where the workflow tells them.
        let extra: Vec<&'static str> = entry
            .registry
            .map(|r| r.spec().extra_keys.to_vec())
            .unwrap_or_default();
        let keys = PUBLISHER_KEYS
            .iter()
            .chain(required.iter().filter(|k| !PUBLISHER_KEYS.contains(k)))
            .chain(
                extra
                    .iter()
                    .filter(|k| !required.contains(k) && !PUBLISHER_KEYS.contains(k)),
            );
        for key in keys {
            let optional_extra = extra.contains(key) && !required.contains(key);
            match infer(key, entry, repository) {
                Inferred::Value { toml, from } => {
                    let _ = write!(block, "{key} = {toml}");
                    if let Some(from) = from {
                        let _ = write!(block, "  # {}", comment_text(&from));
                    }
                    block.push('\n');
                }
                Inferred::Unknown(_) | Inferred::Omitted(_) if optional_extra => {}
                Inferred::Unknown(why) => {
                    uninferred += 1;
                    let need = if required.contains(key) || *key == "registry" {
                        "required, not inferred"
                    } else {
                        "optional, not inferred"
                    };
                    // An integer key (owner-id) gets a number as its placeholder.
                    let placeholder = if key_is_integer(key) { "0" } else { "\"\"" };
                    let _ = writeln!(
                        block,
                        "# {key} = {placeholder}  # {need}: {}",
                        comment_text(&why)
                    );
                }
                Inferred::Omitted(why) => {
                    let _ = writeln!(block, "# {key}: {}", comment_text(&why));
                }
            }
        }
        out.push('\n');
        match &entry.stored {
            // Only a stored credential publishes this project: the publisher it would need, to
            // uncomment once the credential is gone.
            Some(what) => {
                stored.push('\n');
                stored.push_str(&block);
                let _ = writeln!(
                    out,
                    "# This upload uses a stored credential ({}), not Trusted Publishing. To move it,\n\
                     # register the publisher below, uncomment it, remove the credential and grant the job\n\
                     # `permissions: id-token: write` (`trustpub check` then shows what is left).",
                    comment_text(what)
                );
                for line in block.lines() {
                    if line.starts_with('#') {
                        let _ = writeln!(out, "#{line}");
                    } else {
                        let _ = writeln!(out, "# {line}");
                    }
                }
            }
            None => {
                written += 1;
                out.push_str(&block);
            }
        }
    }
    Generated {
        text: out,
        publishers: written,
        uninferred,
        stored,
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
                .map(|(n, t)| Workflow::parse(std::path::Path::new(n), (*t).to_owned()).unwrap())
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
            &RepoFiles::default(),
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
        let g = generate(&read(&[("up.yml", text)]), None, &RepoFiles::default());
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
            &RepoFiles::default(),
        );
        assert_eq!(g.publishers, 0);
        for key in PUBLISHER_KEYS {
            assert!(g.text.contains(&format!("# {key} = ")), "{key}");
        }
    }
}
