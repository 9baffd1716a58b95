//! PyPI and TestPyPI: `pypa/gh-action-pypi-publish` (inputs `repository-url`, `password`,
//! `user`), `PyO3/maturin-action` with an upload command, and in `run:` scripts `twine upload`,
//! `uv publish`, `hatch publish`, `pdm publish`, `poetry publish`, `maturin upload|publish` and
//! `flit publish`, with their index flags and environment variables. The package published is
//! the one the workflow builds: the folder its build step names (`python -m build DIR`,
//! `uv build DIR`, maturin's `-m`/`working-directory`, `packages-dir`), in the publishing job or
//! the jobs it `needs:`.

use super::env::Env;
use super::shell::{Gap, flag_value, has_flag, positionals};
use super::{Auth, FlatStep, PublishStep, Target, Tool, at};
use crate::identity::Registry;
use crate::workflow::yaml::Span;
use crate::workflow::{Job, Workflow};

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
        Target::Registry(Registry::TestPypi)
    } else if v.contains("upload.pypi.org")
        || v.contains("://pypi.org")
        || matches!(v, "pypi" | "main" | "")
    {
        Target::Registry(Registry::Pypi)
    } else {
        Target::Other(v.to_owned())
    }
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

fn env_target(env: &Env<'_>) -> Option<(Target, Option<Span>)> {
    TARGET_ENV
        .iter()
        .find_map(|name| env.text(name))
        .map(|(v, span)| (target_of(&v), Some(span)))
}

fn env_credential(env: &Env<'_>) -> Option<Auth> {
    let set: Vec<&str> = CREDENTIAL_ENV
        .iter()
        .copied()
        .filter(|n| env.text(n).is_some())
        .collect();
    env.first_of(&set).map(|(k, v)| Auth::Stored {
        what: format!("`{}`", k.name),
        span: v.span.clone(),
    })
}

/// The publishing steps for PyPI and TestPyPI among a job's steps.
pub fn recognise(workflow: &Workflow, job: &Job, steps: &[FlatStep<'_>]) -> Vec<PublishStep> {
    let mut found = Vec::new();
    for flat in steps {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        let action = flat.action_name();
        if let Some(uses) = &flat.step.uses {
            if action == Some("pypa/gh-action-pypi-publish") {
                found.push(pypa_action(flat, uses.span.clone()));
            } else if action == Some("pyo3/maturin-action")
                && let Some(p) = maturin_action(flat, uses.span.clone())
            {
                found.push(p);
            }
        }
        if let Some(run) = &flat.step.run {
            found.extend(run_commands(flat, run));
        }
    }
    // Where the workflow builds, read only for a job that publishes to PyPI.
    if found
        .iter()
        .any(|p| p.package.dirs.is_empty() && p.package.manifest.is_none())
    {
        let built = build_dirs(workflow, job);
        for p in &mut found {
            if p.package.dirs.is_empty() && p.package.manifest.is_none() {
                p.package.dirs = built.clone();
            }
        }
    }
    found
}

fn pypa_action(flat: &FlatStep<'_>, span: Span) -> PublishStep {
    let url = flat
        .input("repository-url")
        .or_else(|| flat.input("repository_url"));
    let (target, target_span) = match url {
        Some((v, s)) => (target_of(&v), Some(s)),
        None => (Target::Registry(Registry::Pypi), None),
    };
    let password = flat.step.input("password");
    let user = flat.input("user");
    let auth = match (password, user) {
        (Some((k, v)), _) if v.scalar_text().is_some_and(|t| !t.trim().is_empty()) => {
            Auth::Stored {
                what: format!("the `{}` input", k.name),
                span: v.span.clone(),
            }
        }
        (_, Some((u, s))) if u != "__token__" => Auth::Stored {
            what: "a username (`user:` other than __token__)".into(),
            span: s,
        },
        _ => Auth::TrustedPublishing,
    };
    let mut p = at(flat, Tool::PypaAction, target, auth, span);
    p.target_span = target_span;
    p.package.dirs.clear();
    // `packages-dir: python/widget/dist/`: the package is the folder that holds `dist`.
    if let Some((dir, _)) = flat
        .input("packages-dir")
        .or_else(|| flat.input("packages_dir"))
        && let Some(parent) = dir.trim_end_matches('/').strip_suffix("/dist")
        && !parent.contains("${{")
    {
        p.package.dirs = super::shell::join_dir(None, parent.trim_start_matches("./"))
            .into_iter()
            .collect();
    }
    p
}

fn maturin_action(flat: &FlatStep<'_>, span: Span) -> Option<PublishStep> {
    let (command, _) = flat.input("command")?;
    if !matches!(command.as_str(), "upload" | "publish") {
        return None;
    }
    let args = flat.input("args");
    let (target, target_span) = args
        .as_ref()
        .and_then(|(a, s)| {
            flag_value(a, &["--repository-url", "--repository", "-r"])
                .map(|v| (target_of(&v), Some(s.clone())))
        })
        .or_else(|| env_target(&flat.env))
        .unwrap_or((Target::Registry(Registry::Pypi), None));
    let auth = env_credential(&flat.env).unwrap_or(Auth::TrustedPublishing);
    let mut p = at(flat, Tool::Maturin, target, auth, span);
    p.target_span = target_span;
    if let Some((dir, _)) = flat.input("working-directory") {
        p.package.dirs = vec![dir];
    }
    if command == "publish"
        && let Some(m) = args.and_then(|(a, _)| flag_value(&a, &["-m", "--manifest-path"]))
    {
        p.package.manifest = Some(m);
    }
    Some(p)
}

fn run_commands(flat: &FlatStep<'_>, run: &crate::workflow::Text) -> Vec<PublishStep> {
    let poetry_token_configured = run.value.contains("poetry config pypi-token")
        || run.value.contains("poetry config http-basic");
    let mut found = Vec::new();
    for spec in COMMANDS {
        for f in flat.find(spec.words, Gap::None) {
            let command = flat.resolve(f.command);
            let (target, target_span) = match flag_value(&command, spec.target_flags) {
                Some(v) => (target_of(&v), Some(f.span.clone())),
                None => env_target(&flat.env).unwrap_or((Target::Registry(Registry::Pypi), None)),
            };
            let auth = if has_flag(&command, spec.credential_flags) {
                Auth::Stored {
                    what: "a password or token flag".into(),
                    span: f.span.clone(),
                }
            } else if let Some(stored) = env_credential(&flat.env) {
                stored
            } else if spec.tool == Tool::Poetry && poetry_token_configured {
                Auth::Stored {
                    what: "`poetry config pypi-token`".into(),
                    span: f.span.clone(),
                }
            } else if !spec.tool.supports_trusted_publishing() {
                Auth::Stored {
                    what: format!(
                        "`{}`, which cannot use Trusted Publishing",
                        spec.tool.name()
                    ),
                    span: f.span.clone(),
                }
            } else {
                Auth::TrustedPublishing
            };
            let mut p = at(flat, spec.tool, target, auth, f.span.clone());
            p.target_span = target_span;
            if let Some(dir) = f.cd.as_deref() {
                p.package.dirs = super::shell::join_dir(flat.working_directory.as_deref(), dir)
                    .into_iter()
                    .collect();
            }
            if spec.tool == Tool::Maturin
                && let Some(m) = flag_value(&command, &["-m", "--manifest-path"])
            {
                p.package.manifest = Some(m);
            }
            found.push(p);
        }
    }
    found
}

/// The folders the workflow builds Python distributions in, for the publishing job: its own
/// build steps and those of the jobs it needs (transitively). Empty when none names a folder
/// (the repository root).
pub fn build_dirs(workflow: &Workflow, job: &Job) -> Vec<String> {
    let mut jobs = vec![job];
    let mut seen: std::collections::HashSet<&str> =
        std::collections::HashSet::from([job.id.name.as_str()]);
    // At most 64 jobs and MAX_NEEDS_READ `needs:` entries are followed (a real chain has a few).
    let mut read = 0;
    let mut i = 0;
    while i < jobs.len() && i < 64 && read < crate::workflow::MAX_NEEDS_READ {
        for need in jobs[i]
            .needs
            .iter()
            .take(crate::workflow::MAX_NEEDS_READ - read)
        {
            read += 1;
            if let Some(j) = workflow.job(need)
                && seen.insert(j.id.name.as_str())
            {
                jobs.push(j);
            }
        }
        i += 1;
    }
    let mut dirs: Vec<String> = Vec::new();
    let mut push = |d: Option<String>| {
        if let Some(d) = d.and_then(|d| super::shell::join_dir(None, d.trim_start_matches("./")))
            && !d.is_empty()
            && !d.contains("${{")
            && !dirs.contains(&d)
        {
            dirs.push(d);
        }
    };
    for j in jobs {
        let wd = j.working_directory.as_ref().map(|t| t.value.clone());
        for step in &j.steps {
            let swd = step
                .working_directory
                .as_ref()
                .map(|t| t.value.clone())
                .or_else(|| wd.clone());
            let action = step
                .uses
                .as_ref()
                .map(|u| u.value.split('@').next().unwrap_or("").to_ascii_lowercase());
            match action.as_deref() {
                Some("pyo3/maturin-action") => {
                    let args = step
                        .input("args")
                        .and_then(|(_, v)| v.scalar_text())
                        .unwrap_or_default();
                    let m = flag_value(&args, &["-m", "--manifest-path"]).map(|m| {
                        m.rsplit_once('/')
                            .map_or(String::new(), |(d, _)| d.to_owned())
                    });
                    push(m.or_else(|| {
                        step.input("working-directory")
                            .and_then(|(_, v)| v.scalar_text())
                    }));
                }
                Some("pypa/cibuildwheel") => {
                    push(step.input("package-dir").and_then(|(_, v)| v.scalar_text()));
                }
                Some("hynek/build-and-inspect-python-package") => {
                    push(step.input("path").and_then(|(_, v)| v.scalar_text()));
                }
                _ => {}
            }
            let Some(run) = &step.run else { continue };
            for line in run.value.lines() {
                for (words, flags) in [
                    (
                        &["-m", "build"][..],
                        &["-o", "--outdir", "--config-setting", "-C", "--installer"][..],
                    ),
                    (
                        &["uv", "build"][..],
                        &["-o", "--out-dir", "--package", "--python", "-p"][..],
                    ),
                    (&["pyproject-build"][..], &["-o", "--outdir"][..]),
                    (&["hatch", "build"][..], &["-t", "--target"][..]),
                    (
                        &["poetry", "build"][..],
                        &["-f", "--format", "-o", "--output"][..],
                    ),
                    (&["pdm", "build"][..], &["-d", "--dest"][..]),
                    (
                        &["maturin", "build"][..],
                        &["-o", "--out", "-i", "--interpreter", "--target"][..],
                    ),
                    (&["maturin", "sdist"][..], &["-o", "--out"][..]),
                ] {
                    let Some(start) = line.find(&words.join(" ")) else {
                        continue;
                    };
                    let cmd = &line[start + words.join(" ").len()..];
                    let cmd = cmd.split("&&").next().unwrap_or(cmd);
                    if words[0] == "maturin"
                        && let Some(m) = flag_value(cmd, &["-m", "--manifest-path"])
                    {
                        push(Some(
                            m.rsplit_once('/')
                                .map_or(String::new(), |(d, _)| d.to_owned()),
                        ));
                        continue;
                    }
                    if let Some(dir) = positionals(cmd, flags).first() {
                        let dir = dir.trim_matches(['"', '\'']);
                        if !dir.starts_with('$') && dir != "." {
                            push(super::shell::join_dir(swd.as_deref(), dir));
                            continue;
                        }
                    }
                    push(swd.clone());
                }
            }
        }
    }
    dirs
}
