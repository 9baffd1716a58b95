//! Publishing steps: which steps upload to a Python package index, to which index, and whether
//! they would use Trusted Publishing or a stored credential.
//!
//! Recognised: `pypa/gh-action-pypi-publish` (inputs `repository-url`, `password`, `user`),
//! `PyO3/maturin-action` with an upload command, and in `run:` scripts `twine upload`,
//! `uv publish`, `hatch publish`, `pdm publish`, `poetry publish`, `maturin upload|publish`,
//! `flit publish`, with their index flags and environment variables.

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
    /// pypi.org (the default of every tool).
    Pypi,
    /// test.pypi.org.
    TestPypi,
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
        Target::TestPypi
    } else if v.contains("upload.pypi.org")
        || v.contains("://pypi.org")
        || matches!(v, "pypi" | "main" | "")
    {
        Target::Pypi
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
        }
        if let Some(run) = &step.run {
            found.extend(run_commands(&workflow.source, step, run, &env));
        }
    }
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
        None => (Target::Pypi, None),
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
        .unwrap_or((Target::Pypi, None));
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
    for (i, w) in words.iter().enumerate() {
        for f in flags {
            if w == f {
                return words
                    .get(i + 1)
                    .map(|s| s.trim_matches(['"', '\'']).to_owned());
            }
            if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                return Some(v.trim_matches(['"', '\'']).to_owned());
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

fn run_commands(
    source: &SourceFile,
    step: &Step,
    run: &super::Text,
    env: &[&(Key, Item)],
) -> Vec<PublishStep> {
    let mut found = Vec::new();
    // Locate the script in the file so each command gets its own line and column.
    let region_start = run.span.bytes.start.min(source.text.len());
    let script_in_file = source.text[region_start..]
        .find(run.value.lines().next().unwrap_or(""))
        .map(|i| region_start + i);
    let poetry_token_configured = run.value.contains("poetry config pypi-token")
        || run.value.contains("poetry config http-basic");
    for line in run.value.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        for spec in COMMANDS {
            // Cheap test first: most lines of most scripts name no upload command at all.
            if !line.contains(spec.words[1]) {
                continue;
            }
            let Some(at) = command_at(line, spec.words) else {
                continue;
            };
            let command = &line[at..];
            let span = locate(
                source,
                script_in_file,
                &run.value,
                line,
                at,
                spec.words.join(" ").len(),
            )
            .unwrap_or_else(|| run.span.clone());
            let (target, target_span) = match flag_value(command, spec.target_flags) {
                Some(v) => (target_of(&v), Some(span.clone())),
                None => env_target(env).unwrap_or((Target::Pypi, None)),
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
    found
}

/// The span of `len` bytes at column `at` of `line` of the script, found in the file.
fn locate(
    source: &SourceFile,
    script_start: Option<usize>,
    script: &str,
    line: &str,
    at: usize,
    len: usize,
) -> Option<Span> {
    let start = script_start?;
    let line_offset = line.as_ptr() as usize - script.as_ptr() as usize;
    // The script as parsed drops the block's indentation; search the line's text in the file.
    let needle = line.trim();
    let lead = line.len() - line.trim_start().len();
    let in_file = source.text.get(start..)?.find(needle).map(|i| start + i)?;
    let _ = line_offset;
    let offset = in_file + at.saturating_sub(lead);
    let pos = source.position(offset);
    Some(Span {
        bytes: offset..offset + len,
        line: pos.line,
        column: pos.column,
    })
}
