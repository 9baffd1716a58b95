//! Publishing steps: which steps upload to a Python package index, to which index, and whether
//! they would use Trusted Publishing or a stored credential.
//!
//! Recognised: `pypa/gh-action-pypi-publish` (inputs `repository-url`, `password`, `user`),
//! `PyO3/maturin-action` with an upload command, and in `run:` scripts `twine upload`,
//! `uv publish`, `hatch publish`, `pdm publish`, `poetry publish`, `maturin upload|publish`,
//! `flit publish`, with their index flags and environment variables; for the other registries
//! `cargo publish` (with `rust-lang/crates-io-auth-action`), `npm publish`,
//! `rubygems/release-gem`, `gem push` (with `rubygems/configure-rubygems-credentials`) and
//! `dotnet nuget push` (with `NuGet/login`), with their stored-credential forms
//! (`CARGO_REGISTRY_TOKEN`, `NODE_AUTH_TOKEN`, `NPM_TOKEN`, `GEM_HOST_API_KEY`, `--api-key`).

use super::yaml::{Item, Key, Span};
use super::{Job, Step, Workflow};
use crate::source::SourceFile;

/// The tool that uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `pypa/gh-action-pypi-publish`.
    PypaAction,
    /// `twine upload`.
    Twine,
    /// `uv publish`.
    Uv,
    /// `hatch publish`.
    Hatch,
    /// `pdm publish`.
    Pdm,
    /// `poetry publish`.
    Poetry,
    /// `maturin upload` / `maturin publish`, or `PyO3/maturin-action`.
    Maturin,
    /// `flit publish`.
    Flit,
    /// `cargo publish`.
    Cargo,
    /// `npm publish`.
    Npm,
    /// `rubygems/release-gem` or `gem push`.
    Gem,
    /// `dotnet nuget push` / `nuget push`.
    NuGet,
}

impl Tool {
    /// How people write it.
    pub fn name(self) -> &'static str {
        match self {
            Tool::PypaAction => "pypa/gh-action-pypi-publish",
            Tool::Twine => "twine upload",
            Tool::Uv => "uv publish",
            Tool::Hatch => "hatch publish",
            Tool::Pdm => "pdm publish",
            Tool::Poetry => "poetry publish",
            Tool::Maturin => "maturin upload",
            Tool::Flit => "flit publish",
            Tool::Cargo => "cargo publish",
            Tool::Npm => "npm publish",
            Tool::Gem => "gem push",
            Tool::NuGet => "dotnet nuget push",
        }
    }

    /// Whether the tool can exchange an OIDC token itself (Trusted Publishing).
    pub fn supports_trusted_publishing(self) -> bool {
        !matches!(self, Tool::Hatch | Tool::Poetry | Tool::Flit)
    }
}

/// Where a step uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A registry trustpub knows (pypi.org is the default of every Python tool).
    Registry(crate::identity::Registry),
    /// Another index.
    Other(String),
    /// Decided at run time (an expression).
    Unknown(String),
}

/// How a step authenticates.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// No stored credential: the tool exchanges the job's OIDC token.
    TrustedPublishing,
    /// A stored password or token, or a tool that cannot do Trusted Publishing.
    Stored {
        /// What it is (`password` input, `TWINE_PASSWORD`, ...).
        what: String,
        /// Where it is.
        span: Span,
    },
}

/// A recognised publishing step.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishStep {
    /// The step's position in its job.
    pub step_index: usize,
    /// The tool.
    pub tool: Tool,
    /// Where it uploads.
    pub target: Target,
    /// Where the target is said, if it is said.
    pub target_span: Option<Span>,
    /// How it authenticates.
    pub auth: Auth,
    /// The `uses:` value or the command in `run:`.
    pub span: Span,
}

/// Environment variables that carry a stored credential for an upload.
const CREDENTIAL_ENV: &[&str] = &[
    "TWINE_PASSWORD",
    "UV_PUBLISH_TOKEN",
    "UV_PUBLISH_PASSWORD",
    "POETRY_PYPI_TOKEN_PYPI",
    "POETRY_PYPI_TOKEN_TESTPYPI",
    "POETRY_HTTP_BASIC_PYPI_PASSWORD",
    "PDM_PUBLISH_PASSWORD",
    "HATCH_INDEX_AUTH",
    "MATURIN_PYPI_TOKEN",
    "MATURIN_PASSWORD",
    "FLIT_PASSWORD",
];

/// Environment variables that name the index.
const TARGET_ENV: &[&str] = &[
    "TWINE_REPOSITORY_URL",
    "TWINE_REPOSITORY",
    "UV_PUBLISH_URL",
    "PDM_PUBLISH_REPO",
    "HATCH_INDEX_REPO",
    "MATURIN_REPOSITORY_URL",
    "MATURIN_REPOSITORY",
    "FLIT_INDEX_URL",
];

/// The index a URL or repository name means.
pub fn target_of(value: &str) -> Target {
    let v = value.trim().trim_matches(['"', '\'']);
    if v.contains("${{") || v.starts_with('$') {
        Target::Unknown(v.to_owned())
    } else if v.contains("test.pypi.org") || matches!(v, "testpypi" | "test") {
        Target::Registry(crate::identity::Registry::TestPypi)
    } else if v.contains("upload.pypi.org")
        || v.contains("://pypi.org")
        || matches!(v, "pypi" | "main" | "")
    {
        Target::Registry(crate::identity::Registry::Pypi)
    } else {
        Target::Other(v.to_owned())
    }
}

/// The environment a step sees: workflow, then job, then step `env:` (later wins).
fn step_env<'a>(workflow: &'a Workflow, job: &'a Job, step: &'a Step) -> Vec<&'a (Key, Item)> {
    let mut env: Vec<&(Key, Item)> = Vec::new();
    for entry in workflow.env.iter().chain(&job.env).chain(&step.env) {
        env.retain(|(k, _)| k.name != entry.0.name);
        env.push(entry);
    }
    env
}

fn non_empty(item: &Item) -> bool {
    item.scalar_text().is_some_and(|s| !s.trim().is_empty())
}

/// The publishing steps of a job.
pub fn recognise(workflow: &Workflow, job: &Job) -> Vec<PublishStep> {
    let mut found = Vec::new();
    for step in &job.steps {
        let env = step_env(workflow, job, step);
        if let Some(uses) = &step.uses {
            let action = uses
                .value
                .split('@')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if action == "pypa/gh-action-pypi-publish" {
                found.push(pypa_action(step, uses.span.clone()));
            } else if action == "pyo3/maturin-action"
                && let Some(p) = maturin_action(step, uses.span.clone(), &env)
            {
                found.push(p);
            }
            if action == "rubygems/release-gem" {
                let target = Target::Registry(crate::identity::Registry::RubyGems);
                found.push(PublishStep {
                    step_index: step.index,
                    tool: Tool::Gem,
                    target,
                    target_span: None,
                    auth: Auth::TrustedPublishing,
                    span: uses.span.clone(),
                });
            }
        }
        if let Some(run) = &step.run {
            found.extend(run_commands(&workflow.source, step, run, &env));
            found.extend(other_registry_commands(
                &workflow.source,
                job,
                step,
                run,
                &env,
            ));
        }
    }
    found
}

/// Whether a command only rehearses the upload (`--dry-run`).
fn is_dry_run(command: &str) -> bool {
    command.split_whitespace().any(|w| w == "--dry-run")
}

/// The action a step uses, lowercased, without its `@ref`.
fn action_of(step: &Step) -> Option<String> {
    step.uses
        .as_ref()
        .map(|u| u.value.split('@').next().unwrap_or("").to_ascii_lowercase())
}

/// The `id:` of the job's first step that uses `action`, or `""` when it has none.
fn step_using(job: &Job, action: &str) -> Option<String> {
    job.steps
        .iter()
        .find(|s| action_of(s).as_deref() == Some(action))
        .map(|s| s.id.clone().unwrap_or_default())
}

/// Whether `value` reads the output of the step `id` (`steps.<id>.outputs...`).
fn from_step(value: &str, id: &str) -> bool {
    !id.is_empty() && value.contains(&format!("steps.{id}.outputs"))
}

/// `cargo publish`, `npm publish`, `gem push` and `dotnet nuget push` in a `run:` script.
fn other_registry_commands(
    source: &SourceFile,
    job: &Job,
    step: &Step,
    run: &super::Text,
    env: &[&(Key, Item)],
) -> Vec<PublishStep> {
    use crate::identity::Registry;
    let env_value = |name: &str| {
        env.iter()
            .find(|(k, v)| k.name == name && non_empty(v))
            .map(|(k, v)| {
                (
                    k.name.clone(),
                    v.scalar_text().unwrap_or_default(),
                    v.span.clone(),
                )
            })
    };
    let mut found = Vec::new();
    let specs: [(&[&str], Tool); 5] = [
        (&["cargo", "publish"], Tool::Cargo),
        (&["npm", "publish"], Tool::Npm),
        (&["gem", "push"], Tool::Gem),
        (&["dotnet", "nuget", "push"], Tool::NuGet),
        (&["nuget", "push"], Tool::NuGet),
    ];
    for (words, tool) in specs {
        for Found {
            before,
            command,
            span,
        } in find_commands(source, run, words)
        {
            // `nuget push` inside `dotnet nuget push` is the same command.
            if words.len() == 2 && tool == Tool::NuGet && before.trim_end().ends_with("dotnet") {
                continue;
            }
            let stored = |what: String| Auth::Stored {
                what,
                span: span.clone(),
            };
            let (registry, other, auth) = match tool {
                Tool::Cargo => {
                    let auth_id = step_using(job, "rust-lang/crates-io-auth-action");
                    let token = flag_value(command, &["--token"])
                        .map(|t| ("--token".to_owned(), t, span.clone()))
                        .or_else(|| env_value("CARGO_REGISTRY_TOKEN"));
                    let auth = match (&token, &auth_id) {
                        (Some((_, value, _)), Some(id))
                            if from_step(value, id) || value.contains("outputs.token") =>
                        {
                            Auth::TrustedPublishing
                        }
                        (Some((name, _, s)), _) => Auth::Stored {
                            what: format!("`{name}`"),
                            span: s.clone(),
                        },
                        (None, Some(_)) => Auth::TrustedPublishing,
                        (None, None) => stored(
                            "no `rust-lang/crates-io-auth-action` step, so a stored token".into(),
                        ),
                    };
                    let other = flag_value(command, &["--registry", "--index"]);
                    (Registry::CratesIo, other, auth)
                }
                Tool::Npm => {
                    let token = env_value("NODE_AUTH_TOKEN").or_else(|| env_value("NPM_TOKEN"));
                    let auth = match token {
                        Some((name, _, s)) => Auth::Stored {
                            what: format!("`{name}`"),
                            span: s,
                        },
                        None => Auth::TrustedPublishing,
                    };
                    let other = flag_value(command, &["--registry"])
                        .filter(|r| !r.contains("registry.npmjs.org"));
                    (Registry::Npm, other, auth)
                }
                Tool::Gem => {
                    let configured =
                        step_using(job, "rubygems/configure-rubygems-credentials").is_some();
                    let auth = match env_value("GEM_HOST_API_KEY") {
                        Some((name, _, s)) => Auth::Stored { what: format!("`{name}`"), span: s },
                        None if configured => Auth::TrustedPublishing,
                        None => stored("no `rubygems/configure-rubygems-credentials` step, so stored credentials".into()),
                    };
                    let other =
                        flag_value(command, &["--host"]).filter(|h| !h.contains("rubygems.org"));
                    (Registry::RubyGems, other, auth)
                }
                _ => {
                    let login = step_using(job, "nuget/login");
                    let key = flag_value(command, &["--api-key", "-k"]);
                    let auth = match (&key, &login) {
                        (Some(k), Some(id))
                            if from_step(k, id)
                                || k.contains("NUGET_API_KEY") && k.contains("steps.") =>
                        {
                            Auth::TrustedPublishing
                        }
                        (Some(_), _) => {
                            stored("an `--api-key` that is not NuGet/login's output".into())
                        }
                        (None, _) => stored("no `--api-key` from NuGet/login".into()),
                    };
                    let other = flag_value(command, &["--source", "-s"])
                        .filter(|s| !s.contains("nuget.org"));
                    (Registry::NuGet, other, auth)
                }
            };
            let target = match other {
                Some(o) if o.contains("${{") => Target::Unknown(o),
                Some(o) => Target::Other(o),
                None => Target::Registry(registry),
            };
            found.push(PublishStep {
                step_index: step.index,
                tool,
                target,
                target_span: None,
                auth,
                span,
            });
        }
    }
    found.sort_by_key(|p| p.span.bytes.start);
    found
}

fn pypa_action(step: &Step, span: Span) -> PublishStep {
    let url = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"));
    let (target, target_span) = match url {
        Some((_, v)) => (
            target_of(&v.scalar_text().unwrap_or_default()),
            Some(v.span.clone()),
        ),
        None => (Target::Registry(crate::identity::Registry::Pypi), None),
    };
    let auth = match (step.input("password"), step.input("user")) {
        (Some((k, v)), _) if non_empty(v) => Auth::Stored {
            what: format!("the `{}` input", k.name),
            span: v.span.clone(),
        },
        (_, Some((_, v))) if v.scalar_text().is_some_and(|u| u != "__token__") => Auth::Stored {
            what: "a username (`user:` other than __token__)".into(),
            span: v.span.clone(),
        },
        _ => Auth::TrustedPublishing,
    };
    PublishStep {
        step_index: step.index,
        tool: Tool::PypaAction,
        target,
        target_span,
        auth,
        span,
    }
}

fn maturin_action(step: &Step, span: Span, env: &[&(Key, Item)]) -> Option<PublishStep> {
    let command = step.input("command")?.1.scalar_text()?;
    if !matches!(command.as_str(), "upload" | "publish") {
        return None;
    }
    let args = step
        .input("args")
        .and_then(|(_, v)| v.scalar_text())
        .unwrap_or_default();
    let (target, target_span) = flag_value(&args, &["--repository-url", "--repository", "-r"])
        .map(|v| {
            (
                target_of(&v),
                step.input("args").map(|(_, v)| v.span.clone()),
            )
        })
        .or_else(|| env_target(env))
        .unwrap_or((Target::Registry(crate::identity::Registry::Pypi), None));
    let auth = env_credential(env).unwrap_or(Auth::TrustedPublishing);
    Some(PublishStep {
        step_index: step.index,
        tool: Tool::Maturin,
        target,
        target_span,
        auth,
        span,
    })
}

fn env_target(env: &[&(Key, Item)]) -> Option<(Target, Option<Span>)> {
    env.iter()
        .find(|(k, v)| TARGET_ENV.contains(&k.name.as_str()) && non_empty(v))
        .map(|(_, v)| {
            (
                target_of(&v.scalar_text().unwrap_or_default()),
                Some(v.span.clone()),
            )
        })
}

fn env_credential(env: &[&(Key, Item)]) -> Option<Auth> {
    env.iter()
        .find(|(k, v)| CREDENTIAL_ENV.contains(&k.name.as_str()) && non_empty(v))
        .map(|(k, v)| Auth::Stored {
            what: format!("`{}`", k.name),
            span: v.span.clone(),
        })
}

/// The value after the first of `flags` in a command line (`--flag value` or `--flag=value`).
fn flag_value(command: &str, flags: &[&str]) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    // A `${{ ... }}` expression holds spaces: it is one value.
    let value_at = |i: usize, first: &str| -> String {
        let mut value = first.to_owned();
        let mut j = i;
        if value.contains("${{") && !value.contains("}}") {
            while let Some(next) = words.get(j + 1) {
                value.push(' ');
                value.push_str(next);
                j += 1;
                if next.contains("}}") {
                    break;
                }
            }
        }
        value.trim_matches(['"', '\'']).to_owned()
    };
    for (i, w) in words.iter().enumerate() {
        for f in flags {
            if w == f {
                return words.get(i + 1).map(|s| value_at(i + 1, s));
            }
            if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                return Some(value_at(i, v));
            }
        }
    }
    None
}

fn has_flag(command: &str, flags: &[&str]) -> bool {
    command.split_whitespace().any(|w| {
        flags
            .iter()
            .any(|f| w == *f || w.starts_with(&format!("{f}=")))
    })
}

/// The commands recognised in a `run:` script, with the flags each takes.
struct CommandSpec {
    words: &'static [&'static str],
    tool: Tool,
    target_flags: &'static [&'static str],
    credential_flags: &'static [&'static str],
}

const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        words: &["twine", "upload"],
        tool: Tool::Twine,
        target_flags: &["--repository-url", "--repository", "-r"],
        credential_flags: &["--password", "-p"],
    },
    CommandSpec {
        words: &["uv", "publish"],
        tool: Tool::Uv,
        target_flags: &["--publish-url", "--index"],
        credential_flags: &["--token", "-t", "--password", "-p"],
    },
    CommandSpec {
        words: &["hatch", "publish"],
        tool: Tool::Hatch,
        target_flags: &["--repo", "-r"],
        credential_flags: &["--auth", "-a"],
    },
    CommandSpec {
        words: &["pdm", "publish"],
        tool: Tool::Pdm,
        target_flags: &["--repository", "-r"],
        credential_flags: &["--password", "-P"],
    },
    CommandSpec {
        words: &["poetry", "publish"],
        tool: Tool::Poetry,
        target_flags: &["--repository", "-r"],
        credential_flags: &["--password", "-p"],
    },
    CommandSpec {
        words: &["maturin", "upload"],
        tool: Tool::Maturin,
        target_flags: &["--repository-url", "--repository", "-r"],
        credential_flags: &["--password", "-p"],
    },
    CommandSpec {
        words: &["maturin", "publish"],
        tool: Tool::Maturin,
        target_flags: &["--repository-url", "--repository", "-r"],
        credential_flags: &["--password", "-p"],
    },
    CommandSpec {
        words: &["flit", "publish"],
        tool: Tool::Flit,
        target_flags: &["--repository"],
        credential_flags: &[],
    },
];

/// Finds `words` as consecutive words of a shell line (after `python -m`, `uvx`, `pipx run`,
/// `poetry run`, ... which only come before them).
fn command_at(line: &str, words: &[&str]) -> Option<usize> {
    let tokens: Vec<(usize, &str)> = line
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
        .collect();
    tokens
        .windows(words.len())
        .find(|win| win.iter().zip(words).all(|((_, t), w)| t == w))
        .map(|win| win[0].0)
}

/// One occurrence of an upload command in a `run:` script.
struct Found<'r> {
    /// The line before the command (`python -m`, `dotnet`, ...).
    before: &'r str,
    /// The command line from the command on.
    command: &'r str,
    /// Where the command is in the file.
    span: Span,
}

/// Each occurrence of the command `words` in a `run:` script, comments and `--dry-run`
/// rehearsals left out.
fn find_commands<'r>(source: &SourceFile, run: &'r super::Text, words: &[&str]) -> Vec<Found<'r>> {
    // Locate the script in the file so each command gets its own line and column.
    let region_start = run.span.bytes.start.min(source.text.len());
    let script_in_file = source.text[region_start..]
        .find(run.value.lines().next().unwrap_or(""))
        .map(|i| region_start + i);
    let last = words[words.len() - 1];
    let mut found = Vec::new();
    for line in run.value.lines() {
        // Cheap test first: most lines of most scripts name no upload command at all.
        if line.trim_start().starts_with('#') || !line.contains(last) {
            continue;
        }
        let Some(at) = command_at(line, words) else {
            continue;
        };
        if is_dry_run(&line[at..]) {
            continue;
        }
        let span = locate(
            source,
            script_in_file,
            &run.value,
            line,
            at,
            words.join(" ").len(),
        )
        .unwrap_or_else(|| run.span.clone());
        found.push(Found {
            before: &line[..at],
            command: &line[at..],
            span,
        });
    }
    found
}

fn run_commands(
    source: &SourceFile,
    step: &Step,
    run: &super::Text,
    env: &[&(Key, Item)],
) -> Vec<PublishStep> {
    let poetry_token_configured = run.value.contains("poetry config pypi-token")
        || run.value.contains("poetry config http-basic");
    let mut found = Vec::new();
    for spec in COMMANDS {
        for Found { command, span, .. } in find_commands(source, run, spec.words) {
            let (target, target_span) = match flag_value(command, spec.target_flags) {
                Some(v) => (target_of(&v), Some(span.clone())),
                None => env_target(env)
                    .unwrap_or((Target::Registry(crate::identity::Registry::Pypi), None)),
            };
            let auth = if has_flag(command, spec.credential_flags) {
                Auth::Stored {
                    what: "a password or token flag".into(),
                    span: span.clone(),
                }
            } else if let Some(stored) = env_credential(env) {
                stored
            } else if spec.tool == Tool::Poetry && poetry_token_configured {
                Auth::Stored {
                    what: "`poetry config pypi-token`".into(),
                    span: span.clone(),
                }
            } else if !spec.tool.supports_trusted_publishing() {
                Auth::Stored {
                    what: format!(
                        "`{}`, which cannot use Trusted Publishing",
                        spec.tool.name()
                    ),
                    span: span.clone(),
                }
            } else {
                Auth::TrustedPublishing
            };
            found.push(PublishStep {
                step_index: step.index,
                tool: spec.tool,
                target,
                target_span,
                auth,
                span,
            });
        }
    }
    found.sort_by_key(|p| p.span.bytes.start);
    found
}

/// The span of `len` bytes at column `at` of `line` of the script, found in the file. A block
/// scalar keeps one file line per script line, so the search starts at the script line's own
/// line in the file (a repeated line is found where it is, not at its first occurrence).
fn locate(
    source: &SourceFile,
    script_start: Option<usize>,
    script: &str,
    line: &str,
    at: usize,
    len: usize,
) -> Option<Span> {
    let start = script_start?;
    let line_index = script[..line.as_ptr() as usize - script.as_ptr() as usize]
        .matches('\n')
        .count();
    let from = source
        .text
        .get(start..)?
        .split_inclusive('\n')
        .take(line_index)
        .map(str::len)
        .sum::<usize>()
        + start;
    // The script as parsed drops the block's indentation; search the line's text in the file.
    let needle = line.trim();
    let lead = line.len() - line.trim_start().len();
    let in_file = source
        .text
        .get(from..)
        .and_then(|t| t.find(needle))
        .map(|i| from + i)
        .or_else(|| source.text.get(start..)?.find(needle).map(|i| start + i))?;
    let offset = in_file + at.saturating_sub(lead);
    let pos = source.position(offset);
    Some(Span {
        bytes: offset..offset + len,
        line: pos.line,
        column: pos.column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(yaml: &str) -> Vec<PublishStep> {
        let w = Workflow::parse(std::path::Path::new("release.yml"), yaml.to_owned()).unwrap();
        w.jobs.iter().flat_map(|j| recognise(&w, j)).collect()
    }

    #[test]
    fn a_repeated_command_is_located_at_each_occurrence() {
        let found = steps(
            "jobs:\n  a:\n    steps:\n      - run: |\n          twine upload dist/*\n      - run: |\n          echo hi\n          twine upload dist/*\n",
        );
        let lines: Vec<usize> = found.iter().map(|p| p.span.line).collect();
        assert_eq!(lines, [5, 8]);
        assert_eq!(found[1].span.column, 11);
    }

    #[test]
    fn rehearsals_and_comments_are_not_uploads() {
        let found = steps(
            "jobs:\n  a:\n    steps:\n      - run: |\n          # twine upload dist/*\n          uv publish --dry-run\n          cargo publish --dry-run\n",
        );
        assert!(found.is_empty());
    }

    #[test]
    fn an_expression_flag_value_is_read_whole() {
        assert_eq!(
            flag_value(
                "dotnet nuget push x --api-key ${{ steps.login.outputs.NUGET_API_KEY }} -s y",
                &["--api-key"]
            )
            .as_deref(),
            Some("${{ steps.login.outputs.NUGET_API_KEY }}")
        );
        assert_eq!(
            flag_value(
                "twine upload --repository-url=https://test.pypi.org/legacy/",
                &["--repository-url"]
            )
            .as_deref(),
            Some("https://test.pypi.org/legacy/")
        );
    }

    #[test]
    fn targets_by_url_or_name() {
        use crate::identity::Registry;
        assert_eq!(
            target_of("https://test.pypi.org/legacy/"),
            Target::Registry(Registry::TestPypi)
        );
        assert_eq!(target_of("testpypi"), Target::Registry(Registry::TestPypi));
        assert_eq!(
            target_of("https://upload.pypi.org/legacy/"),
            Target::Registry(Registry::Pypi)
        );
        assert!(matches!(
            target_of("${{ inputs.index }}"),
            Target::Unknown(_)
        ));
        assert!(matches!(
            target_of("https://pkgs.example.com/simple"),
            Target::Other(_)
        ));
    }

    #[test]
    fn nuget_push_under_dotnet_is_one_step() {
        let found =
            steps("jobs:\n  a:\n    steps:\n      - run: dotnet nuget push x.nupkg --api-key k\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].tool, Tool::NuGet);
    }
}
