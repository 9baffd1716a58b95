//! `trustpub check`: the offline pre-merge lint of workflows against the desired state.
//!
//! The workflows become a typed model ([`crate::workflow`]); each publishing step becomes a
//! [`Site`] with the identity its token would carry (the file that defines the job, the job's
//! environment, its effective permissions, the events that can start it); each rule in
//! [`rules`] compares sites with the declared publishers and yields diagnostics.

pub mod rules;

use std::path::{Path, PathBuf};

pub mod judge;
pub mod site;

use crate::config::DesiredState;
use crate::diag::{Diagnostic, Label, Severity};
use crate::error::InputError;
use crate::identity::Publisher;
use crate::identity::predicted::PredictedToken;
use crate::registry::{EvidenceFacts, Judgement};
use crate::source::{SourceFile, display_path};
use crate::workflow::action::{Action, local_action_dir};
use crate::workflow::publish;
use crate::workflow::yaml::Span;
use crate::workflow::{Job, Workflow};
pub use judge::{MAX_JUDGEMENTS, MAX_VERDICTS, Overload, Verdict};
pub use site::Site;

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
        let config = crate::error::read_text_limited(&root.join(".git/config"), 1024 * 1024)
            .ok()?
            .text;
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

/// Everything the rules look at.
pub struct Context<'a> {
    /// The desired state.
    pub desired: &'a DesiredState,
    /// Every workflow read.
    pub workflows: &'a [Workflow],
    /// Every publishing site found, with its predicted tokens.
    pub sites: Vec<Site<'a>>,
    /// Every judgement of a declared publisher on a site's token that could concern it.
    pub verdicts: Vec<Verdict>,
    /// The judgement of each publisher on the checkout's own identity (repository and owner
    /// only), by publisher index.
    pub checkout: Vec<Option<Judgement>>,
    /// Jobs that get `id-token: write` and publish nowhere trustpub recognises.
    pub unrecognised: Vec<(&'a Workflow, &'a Job)>,
    /// The repository, when known.
    pub repository: Option<&'a Repository>,
    /// Whether a whole workflows folder was read (so a missing file is really missing).
    pub complete: bool,
    /// The local composite actions read.
    pub actions: &'a [Action],
    /// The file names of workflows that are there but could not be read as workflows (each is
    /// a `workflow-invalid` finding).
    pub unreadable: Vec<String>,
    /// Workflows with more than [`MAX_SITES`] publishing sites (none of them judged).
    pub oversized: Vec<&'a Workflow>,
    /// Set when the declared publishers and the predicted tokens ask for more judgements than
    /// a check makes: then nothing is judged, and the rules are not run.
    pub overload: Option<Overload>,
    /// Indexes of [`Context::verdicts`], so that no rule scans every verdict per site or per
    /// publisher (thousands of each stay linear).
    index: VerdictIndex<'a>,
}

/// Where to find verdicts, workflows and sources without a scan.
#[derive(Default)]
struct VerdictIndex<'a> {
    /// Per publisher index: its verdicts, in site order.
    by_publisher: Vec<Vec<usize>>,
    /// Per site index: its verdicts.
    by_site: Vec<Vec<usize>>,
    /// Workflow file name -> workflow (the first of that name).
    workflows: std::collections::HashMap<&'a str, &'a Workflow>,
    /// Display path -> the workflow or action source shown at it.
    sources: std::collections::HashMap<String, &'a SourceFile>,
}

impl<'a> Context<'a> {
    /// Builds the sites of every workflow, predicts their tokens and judges each declared
    /// publisher on each token that could concern it.
    pub fn new(
        desired: &'a DesiredState,
        workflows: &'a [Workflow],
        repository: Option<&'a Repository>,
        files: &'a RepoFiles,
    ) -> Self {
        // Who calls whom, once: file name of a called workflow -> calling jobs.
        let mut callers: site::Callers<'a> = std::collections::HashMap::new();
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
        // Each workflow's sites on every core: recognition is the heavy part.
        let parts: Vec<WorkflowSites<'a>> = crate::parallel::map(workflows, |w| {
            sites_of_workflow(w, &callers, repository, files)
        });
        let mut sites = Vec::new();
        let mut unrecognised = Vec::new();
        // Jobs that use the token, to publish or for something else (attestations, Pages).
        let mut token_users: std::collections::HashSet<*const Job> =
            std::collections::HashSet::new();
        let mut oversized = Vec::new();
        for part in parts {
            if let Some(w) = part.oversized {
                // More publishing steps than any release needs: not judged, one finding.
                oversized.push(w);
            }
            token_users.extend(part.sites.iter().map(|s| std::ptr::from_ref(s.job)));
            token_users.extend(part.other_uses.iter().map(|j| std::ptr::from_ref(*j)));
            sites.extend(part.sites);
            unrecognised.extend(part.unrecognised);
        }
        // A grant inherited from the workflow is explained by another job of it that uses the
        // token (and `id-token-workflow-level` is about it). Counted once per workflow.
        let mut users_in: std::collections::HashMap<*const Workflow, usize> =
            std::collections::HashMap::new();
        for w in workflows {
            let users = w
                .jobs
                .iter()
                .filter(|j| token_users.contains(&std::ptr::from_ref(*j)))
                .count();
            users_in.insert(std::ptr::from_ref(w), users);
        }
        unrecognised.retain(|(w, job)| {
            let users = users_in.get(&std::ptr::from_ref(*w)).copied().unwrap_or(0);
            let own = usize::from(token_users.contains(&std::ptr::from_ref(*job)));
            job.permissions.is_some() || users <= own
        });
        let (verdicts, overload) = match judge::judge_all(desired, &sites) {
            Ok(v) => (v, None),
            Err(o) => (Vec::new(), Some(o)),
        };
        let checkout = desired
            .publishers
            .iter()
            .map(|p| {
                let r = repository?;
                let claims = crate::identity::Claims::partial(
                    [
                        (
                            "repository".to_owned(),
                            serde_json::json!(format!("{}/{}", r.owner, r.name)),
                        ),
                        ("repository_owner".to_owned(), serde_json::json!(r.owner)),
                    ]
                    .into_iter()
                    .collect(),
                );
                Some(p.registry.judge(
                    p,
                    &EvidenceFacts {
                        claims: &claims,
                        is_token: false,
                        token_rejected: None,
                        declared: &[],
                    },
                ))
            })
            .collect();
        let mut index = VerdictIndex {
            by_publisher: vec![Vec::new(); desired.publishers.len()],
            by_site: vec![Vec::new(); sites.len()],
            ..VerdictIndex::default()
        };
        for (i, v) in verdicts.iter().enumerate() {
            index.by_publisher[v.publisher].push(i);
            index.by_site[v.site].push(i);
        }
        for w in workflows {
            index.workflows.entry(w.file_name.as_str()).or_insert(w);
        }
        for source in workflows
            .iter()
            .map(|w| &w.source)
            .chain(files.actions.iter().map(|a| &a.source))
        {
            index.sources.entry(source.display_path()).or_insert(source);
        }
        Context {
            desired,
            workflows,
            sites,
            verdicts,
            checkout,
            unrecognised,
            repository,
            complete: true,
            actions: &files.actions,
            unreadable: Vec::new(),
            oversized,
            overload,
            index,
        }
    }

    /// The workflow with this file name.
    pub fn workflow(&self, file_name: &str) -> Option<&'a Workflow> {
        self.index.workflows.get(file_name).copied()
    }

    /// The verdicts of the publisher at index `publisher`, in site order.
    pub fn verdicts_of(&self, publisher: usize) -> impl Iterator<Item = &Verdict> {
        self.index
            .by_publisher
            .get(publisher)
            .into_iter()
            .flatten()
            .map(|&i| &self.verdicts[i])
    }

    /// The verdicts on the site at index `site`.
    pub fn verdicts_on(&self, site: usize) -> impl Iterator<Item = &Verdict> {
        self.index
            .by_site
            .get(site)
            .into_iter()
            .flatten()
            .map(|&i| &self.verdicts[i])
    }

    /// A label on a span of a workflow.
    pub fn at(&self, w: &Workflow, span: &Span, text: impl Into<String>) -> Label {
        Label::new(&w.source, span.bytes.clone(), text)
    }

    /// A label on a span of a site's step (in its workflow or composite action).
    pub fn at_step(&self, site: &Site<'_>, span: &Span, text: impl Into<String>) -> Label {
        Label::new(site.step_source, span.bytes.clone(), text)
    }

    /// A label at a predicted claim's origin.
    pub fn at_origin(
        &self,
        origin: &crate::identity::predicted::Origin,
        text: impl Into<String>,
    ) -> Label {
        match self.index.sources.get(&origin.path) {
            Some(s) => Label::new(s, origin.bytes.clone(), text),
            None => Label::new(&self.desired.source, 0..0, text),
        }
    }

    /// A label on a key of a declared publisher in the desired-state file.
    pub fn declared(&self, p: &Publisher, key: &str, text: impl Into<String>) -> Label {
        Label::new(&self.desired.source, p.span_of(key), text)
    }

    /// The index of a publisher of the desired state (`usize::MAX` for another publisher).
    pub fn index_of(&self, p: &Publisher) -> usize {
        let all = &self.desired.publishers;
        let size = std::mem::size_of::<Publisher>().max(1);
        let offset = (std::ptr::from_ref(p) as usize).wrapping_sub(all.as_ptr() as usize);
        let i = offset / size;
        if offset.is_multiple_of(size) && all.get(i).is_some_and(|q| std::ptr::eq(q, p)) {
            i
        } else {
            usize::MAX
        }
    }

    /// The judgements of `p` on tokens whose workflow file it matches: the ways the registry
    /// would look this publisher up.
    pub fn matched(
        &self,
        p: &Publisher,
    ) -> impl Iterator<Item = (&Site<'a>, &PredictedToken, &Verdict)> {
        self.verdicts_of(self.index_of(p))
            .filter(|v| v.matches_workflow())
            .map(|v| {
                (
                    &self.sites[v.site],
                    &self.sites[v.site].predicted[v.token],
                    v,
                )
            })
    }

    /// The sites `p` matches on at least one way, each once.
    pub fn sites_of(&self, p: &Publisher) -> Vec<&Site<'a>> {
        // The verdicts of a publisher come in site order: one site is one run of them.
        let mut last = None;
        let mut out = Vec::new();
        for (s, _, v) in self.matched(p) {
            if last != Some(v.site) {
                last = Some(v.site);
                out.push(s);
            }
        }
        out
    }
}

/// The most publishing sites one workflow may have: a release workflow has a handful, a large
/// monorepo's a few dozen. Each site has a token per way its job runs (up to
/// [`crate::workflow::MAX_TRIGGERS`]), each judged and reported: a workflow with more is one
/// `workflow-invalid` finding instead, so that no file can make the report unbounded.
pub const MAX_SITES: usize = publish::MAX_SITES;

/// What one workflow contributes: its sites, its jobs with a token and no recognised use of
/// it, and its jobs that use the token for something else than a registry.
struct WorkflowSites<'a> {
    sites: Vec<Site<'a>>,
    unrecognised: Vec<(&'a Workflow, &'a Job)>,
    other_uses: Vec<&'a Job>,
    /// Set (and nothing else kept) when the workflow has more than [`MAX_SITES`] sites.
    oversized: Option<&'a Workflow>,
}

/// The publishing sites of one workflow's jobs, with their predicted tokens.
fn sites_of_workflow<'a>(
    w: &'a Workflow,
    callers: &site::Callers<'a>,
    repository: Option<&Repository>,
    files: &'a RepoFiles,
) -> WorkflowSites<'a> {
    let mut out = WorkflowSites {
        sites: Vec::new(),
        unrecognised: Vec::new(),
        other_uses: Vec::new(),
        oversized: None,
    };
    let direct_callers = callers
        .get(w.file_name.as_str())
        .cloned()
        .unwrap_or_default();
    for job in &w.jobs {
        let before = out.sites.len();
        let flat = publish::flatten(w, job, files);
        let steps = publish::recognise_steps(w, job, &flat, files);
        if out.sites.len() + steps.len() > MAX_SITES {
            return WorkflowSites {
                sites: Vec::new(),
                unrecognised: Vec::new(),
                other_uses: Vec::new(),
                oversized: Some(w),
            };
        }
        for step in steps {
            let step_source = match &step.action {
                Some(a) => files
                    .actions
                    .iter()
                    .find(|x| &x.uses == a)
                    .map_or(&w.source, |x| &x.source),
                None => &w.source,
            };
            // The condition of the job's step that runs it (the one using a composite action).
            // (The flattened steps are in job-step order: found by a binary search.)
            let at = flat.partition_point(|f| f.job_step < step.step_index);
            let conditions: Vec<&str> = flat
                .get(at)
                .filter(|f| f.job_step == step.step_index)
                .and_then(|f| f.step.condition.as_ref().map(|c| c.value.as_str()))
                .into_iter()
                .collect();
            let aud = site::audience_of(&step);
            let aud_origin = Some(site::origin(step_source, &step.span));
            let predicted =
                site::predict(w, job, &conditions, callers, repository, aud, aud_origin);
            out.sites.push(Site {
                workflow: w,
                job,
                step: Some(step),
                callers: direct_callers.clone(),
                predicted,
                step_source,
            });
        }
        if let Some(uses) = &job.uses
            && let Some((repo, file, at)) = site::remote_workflow(&uses.value)
            && grants_token(w, job) != Some(false)
            && publish::oidc::other_workflow_use(&uses.value).is_none()
        {
            let mut predicted = site::predict(w, job, &[], callers, repository, None, None);
            for t in &mut predicted {
                t.defining = file.clone();
                t.defining_repository = Some((repo.clone(), at.clone()));
                // The called workflow's jobs set their own environment; unseen here.
                t.environment = crate::identity::Claim::Unknown;
                t.origins
                    .retain(|(c, _)| *c != "environment" && *c != "job_workflow_ref");
                t.origins
                    .push(("job_workflow_ref", site::origin(&w.source, &uses.span)));
            }
            // As a top-level caller, this file is `workflow_ref`.
            out.sites.push(Site {
                workflow: w,
                job,
                step: None,
                callers: direct_callers.clone(),
                predicted,
                step_source: &w.source,
            });
        }
        if out.sites.len() == before && job.uses.is_none() {
            let grants = grants_token(w, job);
            if grants != Some(false) && publish::oidc::other_use(&flat).is_some() {
                out.other_uses.push(job);
            } else if grants == Some(true) {
                out.unrecognised.push((w, job));
            }
        }
    }
    out
}

/// Whether the job gets `id-token: write`: its own block, else the workflow's, else none; for
/// a job of a reusable workflow, unknown without its own block.
fn grants_token(w: &Workflow, job: &Job) -> Option<bool> {
    if job.permissions.is_none()
        && w.permissions.is_none()
        && w.triggered_by("workflow_call").is_some()
    {
        return None;
    }
    crate::workflow::permissions::effective(job.permissions.as_ref(), w.permissions.as_ref()).0
}

/// What `check` may read besides the workflows: the local composite actions the workflows use,
/// and package manifests, inside the repository only.
#[derive(Debug, Default)]
pub struct RepoFiles {
    /// The repository root (`.` for the current directory); `None` reads nothing.
    pub root: Option<PathBuf>,
    /// The composite actions read.
    pub actions: Vec<Action>,
}

impl publish::Files for RepoFiles {
    fn action(&self, dir: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.uses == format!("./{dir}"))
    }

    fn read(&self, path: &str) -> Option<String> {
        let root = self.root.as_ref()?;
        if path.split('/').any(|p| p == "..") || path.starts_with('/') {
            return None;
        }
        let full = root.join(path);
        if !full.is_file() || crate::paths::escapes(&full) {
            return None;
        }
        let bytes = crate::error::read_bytes_limited(&full, MAX_MANIFEST_BYTES).ok()?;
        String::from_utf8(bytes).ok()
    }

    fn list(&self, dir: &str) -> Vec<String> {
        let Some(root) = self.root.as_ref() else {
            return Vec::new();
        };
        if dir.split('/').any(|p| p == "..") || dir.starts_with('/') {
            return Vec::new();
        }
        let full = root.join(dir);
        if crate::paths::escapes(&full) {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(&full) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .take(MAX_LISTED)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_owned();
                let is_dir = e.file_type().ok()?.is_dir();
                Some(if is_dir { format!("{name}/") } else { name })
            })
            .collect();
        names.sort();
        names
    }
}

/// The most entries read of one folder.
pub const MAX_LISTED: usize = 10_000;

/// The largest package manifest read: 1 MiB.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Reads, from `root`, the local composite actions that the workflows' steps use
/// (`uses: ./path`), and those they use in turn; one that cannot be read is a finding.
pub fn read_local_actions(read: &mut ReadWorkflows, root: &Path) -> Vec<Action> {
    let mut actions: Vec<Action> = Vec::new();
    let mut tried: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut wanted: Vec<String> = read
        .workflows
        .iter()
        .flat_map(|w| &w.jobs)
        .flat_map(|j| &j.steps)
        .filter_map(|s| s.uses.as_ref().and_then(|u| local_action_dir(&u.value)))
        .collect();
    while let Some(dir) = wanted.pop() {
        if !tried.insert(dir.clone()) || tried.len() > MAX_ACTIONS {
            continue;
        }
        // `actions/checkout` with `path: X` puts the repository in `X/`: `./X/.github/...`.
        let found = Action::read(root, &dir).and_then(|a| match a {
            None => match dir.split_once('/') {
                Some((_, rest)) => Action::read(root, rest).map(|a| {
                    a.map(|mut a| {
                        a.uses = format!("./{dir}");
                        a
                    })
                }),
                None => Ok(None),
            },
            some => Ok(some),
        });
        match found {
            Ok(Some(a)) => {
                wanted.extend(
                    a.steps
                        .iter()
                        .filter_map(|s| s.uses.as_ref().and_then(|u| local_action_dir(&u.value))),
                );
                actions.push(a);
            }
            Ok(None) => {}
            Err((e, source)) => {
                let offset = if e.line > 0 {
                    source.offset(e.line, e.column.max(1))
                } else {
                    e.offset
                }
                .min(source.text.len());
                let label = Label::new(&source, offset..offset, "here");
                read.unreadable.push(
                    Diagnostic::error(WORKFLOW_INVALID, format!("not a valid action: {}", e.message), label)
                        .with_help("GitHub will not run this action either; the other files were still checked"),
                );
                read.unreadable_sources.push(source);
            }
        }
    }
    actions.sort_by(|a, b| a.uses.cmp(&b.uses));
    actions
}

/// The most local actions read for one check.
pub const MAX_ACTIONS: usize = 1000;

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
    /// The composite actions and manifests the workflows use.
    pub files: RepoFiles,
}

/// A publishing site as reports show it: where it is, what it does, and its predicted tokens.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteSummary {
    /// The workflow that defines the job.
    pub workflow: String,
    /// The job id.
    pub job: String,
    /// The file that holds the step (the workflow, or a composite action).
    pub file: String,
    /// Where the step is.
    pub line: usize,
    /// Where the step is.
    pub column: usize,
    /// The tool (`npm publish`, `rust-lang/crates-io-auth-action`, ...); `None` for a call of a
    /// reusable workflow in another repository.
    pub tool: Option<&'static str>,
    /// The registry id, when the step names a registry trustpub knows.
    pub registry: Option<&'static str>,
    /// `trusted-publishing`, `stored-credential`, or `unknown` (an unseen called workflow).
    pub auth: &'static str,
    /// One predicted token per way the job can run.
    pub predicted: Vec<PredictedToken>,
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
                // Anything but a folder: a pipe or a device named `x.yml` is a finding, not
                // skipped in silence.
                .filter(|p| {
                    std::fs::metadata(p).is_ok_and(|m| !m.is_dir())
                        && p.extension().is_some_and(|x| x == "yml" || x == "yaml")
                })
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
        // A file that cannot be read at all (no permission, a pipe, a folder named `.yml`) is
        // a finding on that file too: the others are still checked.
        Err(e) => {
            let source = SourceFile::new(path, String::new());
            let reason = match e {
                InputError::Read { reason, .. } => format!("cannot read: {reason}"),
                other => other.to_string(),
            };
            let d = Diagnostic::error(WORKFLOW_INVALID, reason, Label::new(&source, 0..0, "here"))
                .with_help("the other files were still checked");
            return Ok(ReadOne::Invalid(d, None));
        }
    };
    match Workflow::from_source(source) {
        Ok(w) => Ok(ReadOne::Parsed(w)),
        Err((e, source)) => {
            let offset = if e.line > 0 {
                source.offset(e.line, e.column.max(1))
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
    let results: Vec<Result<ReadOne, InputError>> = crate::parallel::map(files, |p| read_one(p));
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
    /// Every publishing site found, with its predicted tokens.
    pub sites: Vec<SiteSummary>,
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
pub fn check(mut inputs: Inputs) -> Report {
    let mut findings: Vec<Diagnostic> = inputs.config_problems.clone();
    findings.extend(inputs.unreadable.iter().cloned());
    // `check` reads GitHub Actions workflows: a publisher of another CI system (GitLab, Google,
    // ActiveState, CircleCI) is judged by `explain` and written by `template`, not here.
    inputs.desired.publishers.retain(Publisher::is_github);
    let sites = {
        let mut ctx = Context::new(
            &inputs.desired,
            &inputs.workflows,
            inputs.repository.as_ref(),
            &inputs.files,
        );
        ctx.complete = inputs.complete;
        ctx.unreadable = inputs
            .unreadable
            .iter()
            .filter_map(|d| d.primary.path.rsplit('/').next().map(str::to_owned))
            .collect();
        match ctx.overload {
            None => {
                for rule in rules::ALL {
                    (rule.check)(&ctx, &mut findings);
                }
            }
            Some(o) => {
                let (what, max) = match o {
                    Overload::Verdicts => ("verdicts", MAX_VERDICTS),
                    Overload::Judgements => ("distinct judgements", MAX_JUDGEMENTS),
                };
                findings.push(
                    Diagnostic::error(
                        crate::config::RULE,
                        format!(
                            "{} declared publishers on {} publishing sites ask for more than {max} {what}: nothing was checked",
                            inputs.desired.publishers.len(),
                            ctx.sites.len()
                        ),
                        Label::new(&inputs.desired.source, 0..0, "here"),
                    )
                    .with_help("check fewer workflows or publishers at a time (`trustpub check FILE`)"),
                );
            }
        }
        for w in &ctx.oversized {
            let span = w.jobs_key.as_ref().map_or(0..0, |k| k.span.bytes.clone());
            findings.push(
                Diagnostic::error(
                    WORKFLOW_INVALID,
                    format!("this workflow has more than {MAX_SITES} publishing steps: too many to check"),
                    Label::new(&w.source, span, "here"),
                )
                .with_help("none of its publishing steps was checked; the other files were"),
            );
        }
        ctx.sites.into_iter().map(summary).collect::<Vec<_>>()
    };
    let mut sources: Vec<SourceFile> = vec![inputs.desired.source];
    sources.extend(inputs.workflows.into_iter().map(|w| w.source));
    sources.extend(inputs.files.actions.into_iter().map(|a| a.source));
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
        sites,
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
    // The related places of the last merged finding, to add each once without a scan.
    let mut seen: std::collections::HashSet<(String, usize, usize, String)> =
        std::collections::HashSet::new();
    let key = |r: &Label| (r.path.clone(), r.span.start, r.span.end, r.text.clone());
    for d in findings {
        match merged.last_mut() {
            Some(last)
                if last.rule == d.rule
                    && last.primary == d.primary
                    && last.message == d.message =>
            {
                for r in d.related {
                    if seen.insert(key(&r)) {
                        last.related.push(r);
                    }
                }
            }
            _ => {
                seen.clear();
                seen.extend(d.related.iter().map(key));
                merged.push(d);
            }
        }
    }
    report.findings = merged;
    report
}

fn summary(site: Site<'_>) -> SiteSummary {
    let span = site.step_span();
    SiteSummary {
        workflow: site.workflow.source.display_path(),
        job: site.job.id.name.clone(),
        file: site.step_source.display_path(),
        line: span.line,
        column: span.column,
        tool: site.step.as_ref().map(|s| s.tool.name()),
        registry: site.registry().map(|r| r.id()),
        auth: match &site.step {
            Some(s) if s.auth == publish::Auth::TrustedPublishing => "trusted-publishing",
            Some(_) => "stored-credential",
            None => "unknown",
        },
        predicted: site.predicted,
    }
}

/// Whether the line a finding points at carries `# trustpub: ignore[rule, ...]` for its rule.
fn is_ignored(report: &Report, d: &Diagnostic) -> bool {
    let Some(source) = report.source(&d.primary.path) else {
        return false;
    };
    let Some(line) = source
        .line_range(d.primary.position.line)
        .map(|r| source.slice(&r))
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
