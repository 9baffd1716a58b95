//! Publishing sites: the steps of a job that would exchange the job's OIDC token with a
//! registry (Trusted Publishing), or upload with a stored credential instead.
//!
//! Recognition is keyed on the token exchange, not only on upload commands: an exchange step
//! (`rust-lang/crates-io-auth-action`, `NuGet/login`, `rubygems/configure-rubygems-credentials`)
//! and the steps that use its output form one site; a tool that exchanges the token itself
//! (`pypa/gh-action-pypi-publish`, `uv publish`, `npm publish`, `release-plz`, ...) is one on
//! its own. Steps are read through `env:` at every level, and through local composite actions
//! (`uses: ./path`), whose steps run in the calling job. One file per ecosystem: [`python`],
//! [`cargo`], [`npm`], [`rubygems`], [`nuget`]; [`shell`] reads `run:` scripts and [`env`]
//! tells where a value comes from.

pub mod cargo;
pub mod env;
pub mod npm;
pub mod nuget;
pub mod oidc;
pub mod python;
pub mod rubygems;
pub mod shell;

use super::action::{Action, local_action_dir};
use super::yaml::Span;
use super::{Job, Step, Workflow};
use crate::identity::Registry;
use crate::source::SourceFile;
use env::Env;

/// The tool that exchanges the token or uploads.
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
    /// `cargo publish` (and `cargo workspaces publish`, `cargo release`).
    Cargo,
    /// `rust-lang/crates-io-auth-action`, whose token a later step uses.
    CratesIoAuth,
    /// `release-plz/action` or `release-plz release`.
    ReleasePlz,
    /// `katyo/publish-crates`.
    PublishCrates,
    /// `npm publish`.
    Npm,
    /// `pnpm publish`.
    Pnpm,
    /// `yarn npm publish` (Yarn 2 and later).
    YarnNpm,
    /// `yarn publish` (Yarn 1).
    YarnClassic,
    /// `changesets/action` or `changeset publish`.
    Changesets,
    /// `semantic-release` with its npm plugin.
    SemanticRelease,
    /// `lerna publish`.
    Lerna,
    /// `changelogen --publish`.
    Changelogen,
    /// `rubygems/release-gem`.
    ReleaseGem,
    /// `rubygems/configure-rubygems-credentials`, whose key a later step uses.
    RubyGemsCredentials,
    /// `NuGet/login`, whose key a later step uses.
    NuGetLogin,
    /// `gem push`, `rake release` after `rubygems/configure-rubygems-credentials`.
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
            Tool::CratesIoAuth => "rust-lang/crates-io-auth-action",
            Tool::ReleasePlz => "release-plz",
            Tool::PublishCrates => "katyo/publish-crates",
            Tool::Npm => "npm publish",
            Tool::Pnpm => "pnpm publish",
            Tool::YarnNpm => "yarn npm publish",
            Tool::YarnClassic => "yarn publish",
            Tool::Changesets => "changesets",
            Tool::SemanticRelease => "semantic-release",
            Tool::Lerna => "lerna publish",
            Tool::Changelogen => "changelogen --publish",
            Tool::ReleaseGem => "rubygems/release-gem",
            Tool::RubyGemsCredentials => "rubygems/configure-rubygems-credentials",
            Tool::NuGetLogin => "NuGet/login",
            Tool::Gem => "gem push",
            Tool::NuGet => "dotnet nuget push",
        }
    }

    /// Whether the tool can exchange an OIDC token itself, or use an exchanged one (Trusted
    /// Publishing).
    pub fn supports_trusted_publishing(self) -> bool {
        !matches!(
            self,
            Tool::Hatch | Tool::Poetry | Tool::Flit | Tool::YarnClassic
        )
    }
}

/// Where a step uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A registry trustpub knows.
    Registry(Registry),
    /// Another index.
    Other(String),
    /// Decided at run time (an expression).
    Unknown(String),
}

/// How a step authenticates.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// No stored credential: the job's OIDC token is exchanged.
    TrustedPublishing,
    /// A stored password or token, or a tool that cannot do Trusted Publishing.
    Stored {
        /// What it is (`password` input, `TWINE_PASSWORD`, ...).
        what: String,
        /// Where it is (in the file of [`PublishStep::action`] when that is set, else the
        /// workflow).
        span: Span,
    },
}

/// Which package a step publishes: where its manifest is, as far as the step says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    /// Folders (relative to the repository root) whose manifest names the package; empty: the
    /// root.
    pub dirs: Vec<String>,
    /// An explicit manifest file (`--manifest-path`, `-m`).
    pub manifest: Option<String>,
    /// Package names the command names (`cargo publish -p NAME`).
    pub names: Vec<String>,
    /// Whether every member of a workspace is published (`pnpm -r publish`, `cargo publish
    /// --workspace`, release-plz, changesets).
    pub workspace: bool,
    /// The folder or package is chosen at run time (`pnpm publish "$package/"`), as written.
    pub dynamic: Option<String>,
}

/// A recognised publishing step.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishStep {
    /// The position in its job of the step (for a step inside a composite action, of the step
    /// that uses the action).
    pub step_index: usize,
    /// The local composite action the step is in (`./.github/actions/release`), if any: then
    /// [`PublishStep::span`] and the spans of [`Auth::Stored`] are in that action's file.
    pub action: Option<String>,
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
    /// The package it publishes.
    pub package: Package,
    /// The registry account the exchange acts for, when the workflow names it literally
    /// (NuGet/login's `user`: the owner of the trust policy).
    pub account: Option<String>,
}

/// A step as the job runs it: a step of the job itself, or a step of a local composite action
/// that a step of the job uses (followed to any depth, each action once per path).
#[derive(Debug, Clone)]
pub struct FlatStep<'a> {
    /// The step.
    pub step: &'a Step,
    /// The file that holds it.
    pub source: &'a SourceFile,
    /// The composite action it belongs to, if any.
    pub action: Option<&'a Action>,
    /// The index of the job's own step that leads to it.
    pub job_step: usize,
    /// The environment it sees.
    pub env: Env<'a>,
    /// For a step of a composite action: its inputs as given by the calling step (or their
    /// defaults), for `${{ inputs.x }}`.
    pub inputs: Vec<(String, String)>,
    /// Its working directory, relative to the repository root.
    pub working_directory: Option<String>,
    /// Its `run:` script, read once.
    script: std::cell::OnceCell<Option<shell::Script<'a>>>,
    /// The action it uses, lowercased, without its `@ref`: worked out once.
    action_name: Option<String>,
}

impl<'a> FlatStep<'a> {
    /// The action this step uses, lowercased, without its `@ref`.
    pub fn action_name(&self) -> Option<&str> {
        self.action_name.as_deref()
    }

    /// The span of the step's `uses:` value (the action), or an empty span.
    pub fn uses_span(&self) -> Span {
        self.step
            .uses
            .as_ref()
            .map(|u| u.span.clone())
            .unwrap_or_default()
    }

    /// A `with:` input as written, with `${{ inputs.x }}` and `${{ env.X }}` substituted.
    pub fn input(&self, name: &str) -> Option<(String, Span)> {
        self.step.input(name).and_then(|(_, v)| {
            v.scalar_text()
                .map(|t| (env::substitute(&t, &self.env, &self.inputs), v.span.clone()))
        })
    }

    /// Each occurrence of the command `words` in the step's `run:` script, reading shell `if`s
    /// whose test becomes literal with the step's inputs and environment. The script is read
    /// once, whatever is looked for in it.
    pub fn find(&self, words: &[&str], gap: shell::Gap) -> Vec<shell::Found<'a>> {
        // Most scripts name none of the commands looked for: no need to read them.
        let last = words[words.len() - 1];
        if !self
            .step
            .run
            .as_ref()
            .is_some_and(|r| r.value.contains(last))
        {
            return Vec::new();
        }
        let script = self.script.get_or_init(|| {
            self.step
                .run
                .as_ref()
                .map(|run| shell::Script::read(self.source, run, &|t: &str| self.resolve(t)))
        });
        script
            .as_ref()
            .map(|s| s.find(words, gap))
            .unwrap_or_default()
    }

    /// The step's `run:` script with environment and inputs substituted where they are
    /// literal, for reading flags; spans still come from the script as written.
    pub fn resolve(&self, text: &str) -> String {
        env::substitute(text, &self.env, &self.inputs)
    }
}

/// What recognition may read besides the workflow: local composite actions, and package
/// manifests (for `npm run` scripts and package names).
pub trait Files {
    /// The composite action at a normalised folder (`.github/actions/release`).
    fn action(&self, dir: &str) -> Option<&Action>;
    /// A text file of the repository, by path relative to its root (bounded, confined).
    fn read(&self, path: &str) -> Option<String>;
    /// The entries of a folder of the repository (names, folders ending in `/`), sorted.
    fn list(&self, dir: &str) -> Vec<String>;
}

/// No files: only the workflow is read.
pub struct NoFiles;

impl Files for NoFiles {
    fn action(&self, _: &str) -> Option<&Action> {
        None
    }
    fn read(&self, _: &str) -> Option<String> {
        None
    }
    fn list(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}

/// The most publishing sites recognised in one workflow: a release workflow has a handful, a
/// large monorepo's a few dozen. Recognition stops soon after it (the workflow is then one
/// `workflow-invalid` finding, see `check`), so no file can make the work or the report
/// unbounded.
pub const MAX_SITES: usize = 1000;

/// The most composite actions followed through each other from one step.
pub const MAX_ACTION_DEPTH: usize = 8;

/// The job's steps as it runs them, composite actions followed.
pub fn flatten<'a>(
    workflow: &'a Workflow,
    job: &'a Job,
    files: &'a dyn Files,
) -> Vec<FlatStep<'a>> {
    let mut env = Env::default();
    env.extend_indexed(&workflow.env, workflow.env_index());
    env.extend(&job.env);
    let wd = job.working_directory.as_ref().map(|t| t.value.clone());
    let mut out = Vec::new();
    // `actions/checkout` with `path: X` (of this repository) puts it in `X/`.
    let checkout_path: Option<String> = job.steps.iter().find_map(|s| {
        let action = s
            .uses
            .as_ref()?
            .value
            .split('@')
            .next()?
            .to_ascii_lowercase();
        if action != "actions/checkout" || s.input("repository").is_some() {
            return None;
        }
        let path = s.input("path")?.1.scalar_text()?;
        let path = path
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_owned();
        (!path.is_empty() && !path.contains(['$', '.'])).then_some(path)
    });
    let start = out.len();
    for step in &job.steps {
        let mut chain = Vec::new();
        push_step(
            &mut out,
            step,
            &workflow.source,
            None,
            step.index,
            &env,
            &[],
            wd.as_deref(),
            files,
            &mut chain,
        );
    }
    if let Some(prefix) = checkout_path {
        for flat in &mut out[start..] {
            if let Some(wd) = &flat.working_directory {
                flat.working_directory = if *wd == prefix {
                    None
                } else {
                    wd.strip_prefix(&format!("{prefix}/"))
                        .map(str::to_owned)
                        .or(Some(wd.clone()))
                };
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn push_step<'a>(
    out: &mut Vec<FlatStep<'a>>,
    step: &'a Step,
    source: &'a SourceFile,
    action: Option<&'a Action>,
    job_step: usize,
    env: &Env<'a>,
    inputs: &[(String, String)],
    default_wd: Option<&str>,
    files: &'a dyn Files,
    chain: &mut Vec<String>,
) {
    let mut step_env = env.clone();
    step_env.extend(&step.env);
    let working_directory = step
        .working_directory
        .as_ref()
        .map(|t| env::substitute(&t.value, &step_env, inputs))
        .or_else(|| default_wd.map(str::to_owned))
        .and_then(|d| shell::join_dir(None, d.trim_start_matches("./")));
    let flat = FlatStep {
        step,
        source,
        action,
        job_step,
        env: step_env.clone(),
        inputs: inputs.to_vec(),
        working_directory,
        script: std::cell::OnceCell::new(),
        action_name: step
            .uses
            .as_ref()
            .map(|u| u.value.split('@').next().unwrap_or("").to_ascii_lowercase()),
    };
    let local = step.uses.as_ref().and_then(|u| local_action_dir(&u.value));
    out.push(flat);
    let Some(dir) = local else { return };
    if chain.len() >= MAX_ACTION_DEPTH || chain.contains(&dir) {
        return;
    }
    let Some(called) = files.action(&dir) else {
        return;
    };
    // The action's inputs: what the calling step gives, else the declared defaults.
    let calling = out.last().expect("just pushed");
    let given: Vec<(String, String)> = called
        .inputs
        .iter()
        .filter_map(|(k, default)| {
            let value = calling
                .input(&k.name)
                .map(|(v, _)| v)
                .or_else(|| default.as_ref().and_then(|d| d.scalar_text()))?;
            Some((k.name.clone(), value))
        })
        .collect();
    chain.push(dir);
    for inner in &called.steps {
        push_step(
            out,
            inner,
            &called.source,
            Some(called),
            job_step,
            &step_env,
            &given,
            None,
            files,
            chain,
        );
    }
    chain.pop();
}

/// The publishing steps of a job, in the order they run.
pub fn recognise(workflow: &Workflow, job: &Job, files: &dyn Files) -> Vec<PublishStep> {
    recognise_steps(workflow, job, &flatten(workflow, job, files), files)
}

/// The publishing steps among a job's steps as [`flatten`] gives them.
pub fn recognise_steps(
    workflow: &Workflow,
    job: &Job,
    steps: &[FlatStep<'_>],
    files: &dyn Files,
) -> Vec<PublishStep> {
    let mut found = Vec::new();
    found.extend(python::recognise(workflow, job, steps));
    found.extend(cargo::recognise(job, steps));
    found.extend(npm::recognise(job, steps, files));
    found.extend(rubygems::recognise(steps));
    found.extend(nuget::recognise(steps));
    found.sort_by_key(|p| (p.step_index, p.action.is_some(), p.span.bytes.start));
    found
}

/// A publishing step at `flat`, with its span in `flat`'s file.
pub(crate) fn at(
    flat: &FlatStep<'_>,
    tool: Tool,
    target: Target,
    auth: Auth,
    span: Span,
) -> PublishStep {
    PublishStep {
        step_index: flat.job_step,
        action: flat.action.map(|a| a.uses.clone()),
        tool,
        target,
        target_span: None,
        auth,
        span,
        package: Package {
            dirs: flat.working_directory.iter().cloned().collect(),
            ..Package::default()
        },
        account: None,
    }
}

/// The steps using the exchange `action` whose token no recognised upload took (`consumed`
/// is true at their indexes): each is a site of its own, since the registry is asked by the
/// exchange itself, whatever uses the token afterwards.
pub(crate) fn lone_exchanges<'s, 'a>(
    steps: &'s [FlatStep<'a>],
    action: &'s str,
    consumed: &'s [bool],
) -> impl Iterator<Item = &'s FlatStep<'a>> {
    steps
        .iter()
        .zip(consumed)
        .filter(move |(f, used)| f.action_name() == Some(action) && !**used)
        .map(|(f, _)| f)
}

/// The index of the first step among `steps` that uses `action`: found once per job, so that
/// asking it of every step stays linear.
pub(crate) fn first_use(steps: &[FlatStep<'_>], action: &str) -> Option<usize> {
    steps.iter().position(|s| s.action_name() == Some(action))
}

/// The first step that uses the action whose [`first_use`] is `first`, when it runs before
/// `before`: with its index.
pub(crate) fn exchange_step<'s, 'a>(
    steps: &'s [FlatStep<'a>],
    first: Option<usize>,
    before: usize,
) -> Option<(usize, &'s FlatStep<'a>)> {
    first.filter(|&j| j < before).map(|j| (j, &steps[j]))
}

#[cfg(test)]
mod tests;
