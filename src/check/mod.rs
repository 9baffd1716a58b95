//! `trustpub check`: the offline pre-merge lint of workflows against the desired state.
//!
//! The workflows become a typed model ([`crate::workflow`]); each publishing step becomes a
//! [`Site`] with the identity its token would carry (the file that defines the job, the job's
//! environment, its effective permissions, the events that can start it); each rule in
//! [`rules`] compares sites with the declared publishers and yields diagnostics.

pub mod rules;

use std::path::{Path, PathBuf};

use crate::config::DesiredState;
use crate::diag::{Diagnostic, Label, Severity};
use crate::error::InputError;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::source::{SourceFile, display_path};
use crate::workflow::publish::{self, PublishStep, Target};
use crate::workflow::yaml::Span;
use crate::workflow::{Job, Trigger, Workflow};

/// The repository the workflows belong to, as `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// Owner.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Where it was read from (`--repository`, `.git/config`).
    pub origin: String,
}

impl Repository {
    /// Parses `owner/name`.
    pub fn parse(slug: &str, origin: &str) -> Option<Repository> {
        let (owner, name) = slug.trim().trim_end_matches(".git").split_once('/')?;
        (!owner.is_empty() && !name.is_empty() && !name.contains('/')).then(|| Repository {
            owner: owner.into(),
            name: name.into(),
            origin: origin.into(),
        })
    }

    /// Reads the `origin` remote of the git checkout at `root`, when it points at GitHub.
    pub fn from_git(root: &Path) -> Option<Repository> {
        let config = std::fs::read_to_string(root.join(".git/config")).ok()?;
        let mut in_origin = false;
        for line in config.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_origin = line == "[remote \"origin\"]";
            } else if in_origin
                && let Some(url) = line
                    .strip_prefix("url")
                    .map(|r| r.trim_start().trim_start_matches('=').trim())
            {
                let slug = url
                    .split_once("github.com:")
                    .or_else(|| url.split_once("github.com/"))
                    .map(|(_, rest)| rest)?;
                return Repository::parse(slug, ".git/config (remote origin)");
            }
        }
        None
    }
}

/// A publishing step with the identity its token would carry.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// The workflow that defines the publishing job: the file PyPI matches.
    pub workflow: &'a Workflow,
    /// The publishing job.
    pub job: &'a Job,
    /// The step.
    pub step: PublishStep,
    /// Same-repository jobs that call `workflow` as a reusable workflow.
    pub callers: Vec<(&'a Workflow, &'a Job)>,
}

impl Site<'_> {
    /// The registry this step uploads to, when it is PyPI or TestPyPI.
    pub fn registry(&self) -> Option<Registry> {
        match self.step.target {
            Target::Registry(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the target index is decided at run time.
    pub fn target_unknown(&self) -> bool {
        matches!(self.step.target, Target::Unknown(_))
    }

    /// Whether this step could publish to `registry`.
    pub fn may_publish_to(&self, registry: Registry) -> bool {
        self.registry() == Some(registry) || self.target_unknown()
    }

    /// The workflow files whose name `registry` matches for this site: the file that defines
    /// the job, or for registries that match the caller (`workflow_ref`), the files that call
    /// it (or the file itself when nothing calls it).
    pub fn identity_files(&self, registry: Registry) -> Vec<&str> {
        match registry.spec().workflow_claim {
            crate::registry::WorkflowClaim::Caller if !self.callers.is_empty() => self
                .callers
                .iter()
                .map(|(w, _)| w.file_name.as_str())
                .collect(),
            _ => vec![self.workflow.file_name.as_str()],
        }
    }

    /// Whether the job lives in a reusable workflow.
    pub fn is_reusable(&self) -> bool {
        self.workflow.triggered_by("workflow_call").is_some()
    }

    /// Whether an `if:` on the job or the step selects events or refs (`github.event_name`,
    /// `github.ref`, `startsWith(...)`): then a trigger alone does not reach the upload.
    pub fn guarded_by_event(&self) -> bool {
        let step = self.job.steps.get(self.step.step_index);
        [
            self.job.condition.as_ref(),
            step.and_then(|s| s.condition.as_ref()),
        ]
        .into_iter()
        .flatten()
        .any(|c| {
            [
                "event_name",
                "github.ref",
                "startsWith(",
                "github.event.release",
                "refs/tags",
                "github.event.action",
            ]
            .iter()
            .any(|needle| c.value.contains(needle))
        })
    }

    /// The events that can start the publishing job: the callers' events for a reusable
    /// workflow with known callers, otherwise the workflow's own.
    pub fn triggers(&self) -> Vec<(&Workflow, &Trigger)> {
        if self.callers.is_empty() {
            self.workflow
                .triggers
                .iter()
                .map(|t| (self.workflow, t))
                .collect()
        } else {
            self.callers
                .iter()
                .flat_map(|(w, _)| w.triggers.iter().map(move |t| (*w, t)))
                .collect()
        }
    }
}

/// Everything the rules look at.
pub struct Context<'a> {
    /// The desired state.
    pub desired: &'a DesiredState,
    /// Every workflow read.
    pub workflows: &'a [Workflow],
    /// Every publishing step found.
    pub sites: Vec<Site<'a>>,
    /// The repository, when known.
    pub repository: Option<&'a Repository>,
    /// Whether a whole workflows folder was read (so a missing file is really missing).
    pub complete: bool,
}

impl<'a> Context<'a> {
    /// Builds the sites of every workflow.
    pub fn new(
        desired: &'a DesiredState,
        workflows: &'a [Workflow],
        repository: Option<&'a Repository>,
    ) -> Self {
        // Who calls whom, once: file name of a called workflow -> calling jobs.
        let mut callers: std::collections::HashMap<&str, Vec<(&'a Workflow, &'a Job)>> =
            std::collections::HashMap::new();
        for w in workflows {
            for job in &w.jobs {
                if let Some(called) = job
                    .uses
                    .as_ref()
                    .and_then(|u| local_workflow_name(&u.value))
                {
                    callers.entry(called).or_default().push((w, job));
                }
            }
        }
        let mut sites = Vec::new();
        for w in workflows {
            for job in &w.jobs {
                for step in publish::recognise(w, job) {
                    let callers = callers
                        .get(w.file_name.as_str())
                        .cloned()
                        .unwrap_or_default();
                    sites.push(Site {
                        workflow: w,
                        job,
                        step,
                        callers,
                    });
                }
            }
        }
        Context {
            desired,
            workflows,
            sites,
            repository,
            complete: true,
        }
    }

    /// The workflow with this file name.
    pub fn workflow(&self, file_name: &str) -> Option<&'a Workflow> {
        self.workflows.iter().find(|w| w.file_name == file_name)
    }

    /// A label on a span of a workflow.
    pub fn at(&self, w: &Workflow, span: &Span, text: impl Into<String>) -> Label {
        Label::new(&w.source, span.bytes.clone(), text)
    }

    /// A label on a key of a declared publisher in the desired-state file.
    pub fn declared(&self, p: &Publisher, key: &str, text: impl Into<String>) -> Label {
        Label::new(&self.desired.source, p.span_of(key), text)
    }
}

/// The file a job-level `uses:` names when it is a workflow of this repository.
pub fn local_workflow_name(uses: &str) -> Option<&str> {
    let path = uses.strip_prefix("./")?;
    path.strip_prefix(".github/workflows/")
        .filter(|n| !n.contains('/'))
}

/// The inputs of a check run.
pub struct Inputs {
    /// The desired state (the valid publishers) and the problems of the file.
    pub desired: DesiredState,
    /// Problems of the desired-state file.
    pub config_problems: Vec<Diagnostic>,
    /// The workflows that parsed.
    pub workflows: Vec<Workflow>,
    /// Files that are not valid workflows, as findings.
    pub unreadable: Vec<Diagnostic>,
    /// The text of those files.
    pub unreadable_sources: Vec<SourceFile>,
    /// The repository, when known.
    pub repository: Option<Repository>,
    /// Whether a whole workflows folder was read.
    pub complete: bool,
}

/// The rule id of a workflow that is not valid YAML or not a workflow.
pub const WORKFLOW_INVALID: &str = "workflow-invalid";

/// Collects workflow files from `paths` (files or directories; default `.github/workflows`).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let defaults = [PathBuf::from(".github/workflows")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| InputError::read(path, &e))?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| InputError::read(path, &e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Workflows read from disk: those that parsed, and findings (with their text, for snippets)
/// for those that did not.
#[derive(Debug, Default)]
pub struct ReadWorkflows {
    /// The workflows that parsed.
    pub workflows: Vec<Workflow>,
    /// One finding per file that is not a valid workflow.
    pub unreadable: Vec<Diagnostic>,
    /// The text of those files.
    pub unreadable_sources: Vec<SourceFile>,
}

/// The byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// What reading one file gave.
enum ReadOne {
    Parsed(Workflow),
    Invalid(Diagnostic, Option<SourceFile>),
}

/// The largest workflow file read: 1 MiB. The largest of 145 real release workflows is 61 KB;
/// GitHub documents no limit. A larger file is a `workflow-invalid` finding on that file (the
/// others are still checked), read no further than the limit.
pub const MAX_WORKFLOW_BYTES: u64 = 1024 * 1024;

fn read_one(path: &Path) -> Result<ReadOne, InputError> {
    if crate::paths::escapes(path) {
        let source = SourceFile::new(path, String::new());
        let d = Diagnostic::error(
            WORKFLOW_INVALID,
            crate::paths::ESCAPES,
            Label::new(&source, 0..0, "here"),
        )
        .with_help(
            "a workflow must be a file of the repository; the other files were still checked",
        );
        return Ok(ReadOne::Invalid(d, None));
    }
    let source = match crate::error::read_text_limited(path, MAX_WORKFLOW_BYTES) {
        Ok(s) => s,
        Err(InputError::Parse {
            origin,
            position,
            message,
        }) => {
            let source = SourceFile::new(path, String::new());
            let mut d =
                Diagnostic::error(WORKFLOW_INVALID, message, Label::new(&source, 0..0, "here"));
            if let Some(p) = position {
                d.primary.position = p;
            }
            d.primary.path = origin;
            return Ok(ReadOne::Invalid(d, None));
        }
        Err(e) => return Err(e),
    };
    match Workflow::from_source(source) {
        Ok(w) => Ok(ReadOne::Parsed(w)),
        Err((e, source)) => {
            let offset = if e.line > 0 {
                offset_of(&source.text, e.line, e.column.max(1))
            } else {
                e.offset
            };
            let offset = offset.min(source.text.len());
            let label = Label::new(&source, offset..offset, "here");
            let d = Diagnostic::error(
                WORKFLOW_INVALID,
                format!("not a valid workflow: {}", e.message),
                label,
            )
            .with_help("GitHub will not run this file either; the other files were still checked");
            Ok(ReadOne::Invalid(d, Some(source)))
        }
    }
}

/// Reads workflows, on every core: each that cannot be parsed becomes a finding, never an
/// abort. The order of `files` is kept.
pub fn read_workflows(files: &[PathBuf]) -> Result<ReadWorkflows, InputError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<Result<ReadOne, InputError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| read_one(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut read = ReadWorkflows::default();
    for r in results {
        match r? {
            ReadOne::Parsed(w) => read.workflows.push(w),
            ReadOne::Invalid(d, source) => {
                read.unreadable.push(d);
                read.unreadable_sources.extend(source);
            }
        }
    }
    Ok(read)
}

/// Reads, from `root/.github/workflows/`, the same-repository reusable workflows that the
/// workflows read call (`uses: ./.github/workflows/x.yml`) but were not given, and what those
/// call in turn, so that `trustpub check release.yml` follows the call as GitHub does. Only a
/// plain file name under `.github/workflows` is followed, and only a file that resolves inside
/// `root` (symbolic links included) is read: no path from a workflow reads anything else.
pub fn read_local_calls(read: &mut ReadWorkflows, root: &Path) -> Result<(), InputError> {
    let mut tried: std::collections::HashSet<String> =
        read.workflows.iter().map(|w| w.file_name.clone()).collect();
    loop {
        let wanted: Vec<String> = read
            .workflows
            .iter()
            .flat_map(|w| &w.jobs)
            .filter_map(|j| j.uses.as_ref().and_then(|u| local_workflow_name(&u.value)))
            .filter(|n| !n.is_empty() && *n != "." && *n != ".." && !n.contains('\\'))
            .map(str::to_owned)
            .collect();
        let mut added = false;
        for name in wanted {
            if !tried.insert(name.clone()) {
                continue;
            }
            let path = root.join(".github/workflows").join(&name);
            if !path.is_file() {
                continue;
            }
            match read_one(&path)? {
                ReadOne::Parsed(w) => {
                    read.workflows.push(w);
                    added = true;
                }
                ReadOne::Invalid(d, source) => {
                    read.unreadable.push(d);
                    read.unreadable_sources.extend(source);
                }
            }
        }
        if !added {
            return Ok(());
        }
    }
}

/// Options of a check run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Warnings fail the run too.
    pub strict: bool,
}

/// The result of a check run.
#[derive(Debug)]
pub struct Report {
    /// Every finding, ignored ones removed, in file/line/column/rule order.
    pub findings: Vec<Diagnostic>,
    /// Every source a finding may point into, for snippets.
    pub sources: Vec<SourceFile>,
    /// How many findings `# trustpub: ignore[...]` silenced.
    pub ignored: usize,
    /// Display path to index in `sources`.
    index: std::collections::HashMap<String, usize>,
}

impl Report {
    /// 0 with no error (nor warning under `--strict`), 1 otherwise.
    pub fn exit_code(&self, options: Options) -> u8 {
        let failing = |d: &Diagnostic| {
            d.severity == Severity::Error || (options.strict && d.severity == Severity::Warning)
        };
        u8::from(self.findings.iter().any(failing))
    }

    /// The source shown as `path`.
    pub fn source(&self, path: &str) -> Option<&SourceFile> {
        self.index.get(path).map(|&i| &self.sources[i])
    }
}

/// Runs every rule.
pub fn check(inputs: Inputs) -> Report {
    let mut findings: Vec<Diagnostic> = inputs.config_problems.clone();
    findings.extend(inputs.unreadable.iter().cloned());
    {
        let mut ctx = Context::new(
            &inputs.desired,
            &inputs.workflows,
            inputs.repository.as_ref(),
        );
        ctx.complete = inputs.complete;
        for rule in rules::ALL {
            (rule.check)(&ctx, &mut findings);
        }
    }
    let mut sources: Vec<SourceFile> = vec![inputs.desired.source];
    sources.extend(inputs.workflows.into_iter().map(|w| w.source));
    sources.extend(inputs.unreadable_sources);
    let index = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.display_path(), i))
        .collect();
    let mut report = Report {
        findings: Vec::new(),
        sources,
        ignored: 0,
        index,
    };
    let before = findings.len();
    findings.retain(|d| !is_ignored(&report, d));
    report.ignored = before - findings.len();
    findings.sort_by(|a, b| {
        (&a.primary.path, a.primary.position, a.rule, &a.message).cmp(&(
            &b.primary.path,
            b.primary.position,
            b.rule,
            &b.message,
        ))
    });
    // One place, one rule, one message: a finding shared by several publishers (PyPI and
    // TestPyPI declared for the same job) is shown once, with every "declared here".
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(findings.len());
    for d in findings {
        match merged.last_mut() {
            Some(last)
                if last.rule == d.rule
                    && last.primary == d.primary
                    && last.message == d.message =>
            {
                for r in d.related {
                    if !last.related.contains(&r) {
                        last.related.push(r);
                    }
                }
            }
            _ => merged.push(d),
        }
    }
    report.findings = merged;
    report
}

/// Whether the line a finding points at carries `# trustpub: ignore[rule, ...]` for its rule.
fn is_ignored(report: &Report, d: &Diagnostic) -> bool {
    let Some(source) = report.source(&d.primary.path) else {
        return false;
    };
    let Some(line) = source
        .text
        .lines()
        .nth(d.primary.position.line.saturating_sub(1))
    else {
        return false;
    };
    let Some(at) = line.find("trustpub: ignore[") else {
        return false;
    };
    let rest = &line[at + "trustpub: ignore[".len()..];
    let list = rest.split(']').next().unwrap_or("");
    list.split(',').any(|r| r.trim() == d.rule)
}

/// The path as findings show it: relative to the current directory when under it.
pub fn shown_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd
        .as_ref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    display_path(rel)
}
