//! Publishing sites and the tokens they would get: for each recognised step, every way its job
//! can run (each trigger of its workflow; for a reusable workflow, each trigger of each
//! same-repository caller, through any depth of calls), with the claims GitHub would put in the
//! token and where in the YAML each comes from. A job that calls a reusable workflow of another
//! repository is a site too, opaque: its token is predicted, its steps are not seen.

use std::collections::HashMap;

use crate::identity::predicted::{Origin, PredictedToken, Via};
use crate::identity::{Claim, Registry};
use crate::source::SourceFile;
use crate::workflow::condition::{self, Facts};
use crate::workflow::publish::{PublishStep, Target};
use crate::workflow::yaml::{Node, Span};
use crate::workflow::{Job, Trigger, Workflow};

use super::Repository;

/// A publishing step with the tokens its job would get.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// The workflow that defines the publishing job.
    pub workflow: &'a Workflow,
    /// The publishing job.
    pub job: &'a Job,
    /// The step; `None` for a job that calls a reusable workflow of another repository.
    pub step: Option<PublishStep>,
    /// Same-repository jobs that call `workflow` as a reusable workflow.
    pub callers: Vec<(&'a Workflow, &'a Job)>,
    /// One predicted token per way the job can run.
    pub predicted: Vec<PredictedToken>,
    /// The file that holds the step (the workflow's, or a composite action's).
    pub step_source: &'a SourceFile,
}

impl Site<'_> {
    /// The registry the step uploads to, when it names one.
    pub fn registry(&self) -> Option<Registry> {
        match self.step.as_ref()?.target {
            Target::Registry(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the target is decided at run time, or unseen (a called workflow of another
    /// repository).
    pub fn target_unknown(&self) -> bool {
        self.step
            .as_ref()
            .is_none_or(|s| matches!(s.target, Target::Unknown(_)))
    }

    /// Whether this site could publish to `registry`.
    pub fn may_publish_to(&self, registry: Registry) -> bool {
        self.registry() == Some(registry) || self.target_unknown()
    }

    /// Whether the job lives in a reusable workflow.
    pub fn is_reusable(&self) -> bool {
        self.workflow.triggered_by("workflow_call").is_some()
    }

    /// The workflow files a registry could read this site's identity from: the defining file
    /// and every top-level file that reaches it.
    pub fn files(&self) -> Vec<&str> {
        let mut files = vec![self.workflow.file_name.as_str()];
        for t in &self.predicted {
            if !files.contains(&t.defining.as_str()) {
                files.push(t.defining.as_str());
            }
            if let Some(w) = t.via.workflow.as_deref()
                && !files.contains(&w)
            {
                files.push(w);
            }
        }
        files
    }

    /// The span of the step (in [`Site::step_source`]), or of the calling `uses:`.
    pub fn step_span(&self) -> Span {
        match &self.step {
            Some(s) => s.span.clone(),
            None => self
                .job
                .uses
                .as_ref()
                .map_or_else(|| self.job.id.span.clone(), |u| u.span.clone()),
        }
    }
}

/// An origin from a span of a file.
pub fn origin(source: &SourceFile, span: &Span) -> Origin {
    Origin {
        path: source.display_path(),
        bytes: span.bytes.clone(),
        line: span.line,
        column: span.column,
    }
}

/// The deepest chain of reusable workflow calls followed (GitHub allows ten levels).
pub const MAX_CALL_DEPTH: usize = 10;

/// Who calls whom: a called workflow's file name to the jobs that call it.
pub type Callers<'a> = HashMap<&'a str, Vec<(&'a Workflow, &'a Job)>>;

/// One way a job can run: the top-level workflow and trigger, the calling jobs from the top
/// down; no trigger when an unseen caller starts it.
struct Way<'a> {
    top: Option<&'a Workflow>,
    trigger: Option<&'a Trigger>,
    chain: Vec<(&'a Workflow, &'a Job)>,
}

fn ways<'a>(workflow: &'a Workflow, callers: &Callers<'a>) -> Vec<Way<'a>> {
    let mut out = Vec::new();
    // (workflow reached, chain of calls from it down to the site)
    let mut stack: Vec<(&'a Workflow, Vec<(&'a Workflow, &'a Job)>)> = vec![(workflow, Vec::new())];
    while let Some((w, chain)) = stack.pop() {
        for t in w.triggers.iter().filter(|t| t.event != "workflow_call") {
            out.push(Way {
                top: Some(w),
                trigger: Some(t),
                chain: chain.clone(),
            });
        }
        if w.triggered_by("workflow_call").is_none() {
            continue;
        }
        let called_by = callers
            .get(w.file_name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        if called_by.is_empty() || chain.len() >= MAX_CALL_DEPTH {
            // Called from elsewhere (another repository, or deeper than followed).
            out.push(Way {
                top: None,
                trigger: None,
                chain: chain.clone(),
            });
            continue;
        }
        for (cw, cj) in called_by {
            if chain.iter().any(|(x, _)| x.file_name == cw.file_name) || cw.file_name == w.file_name
            {
                continue; // a cycle GitHub would refuse to run
            }
            let mut next = vec![(*cw, *cj)];
            next.extend(chain.iter().copied());
            stack.push((*cw, next));
        }
    }
    out
}

/// What the trigger says of the ref: its pattern and type.
fn ref_of(trigger: &Trigger) -> (Option<String>, Option<String>, Option<String>) {
    // (ref pattern, ref type, prefix for conditions)
    match trigger.event.as_str() {
        "release" => (
            Some("refs/tags/*".into()),
            Some("tag".into()),
            Some("refs/tags/".into()),
        ),
        "push" if !trigger.tags.is_empty() && trigger.branches.is_empty() => (
            Some(format!("refs/tags/{}", trigger.tags[0])),
            Some("tag".into()),
            Some("refs/tags/".into()),
        ),
        "push" if trigger.tags.is_empty() && !trigger.branches.is_empty() => (
            Some(format!("refs/heads/{}", trigger.branches[0])),
            Some("branch".into()),
            Some("refs/heads/".into()),
        ),
        // A pull request runs on its merge ref; these run on a branch.
        "pull_request" => (None, None, Some("refs/pull/".into())),
        "pull_request_target" | "schedule" | "workflow_run" | "merge_group" => {
            (None, Some("branch".into()), Some("refs/heads/".into()))
        }
        _ => (None, None, None),
    }
}

/// `github-hosted` or `self-hosted`, as far as `runs-on` tells.
fn runner_environment(job: &Job) -> Option<&'static str> {
    let runs_on = job.runs_on.as_ref()?;
    let labels: Vec<String> = match &runs_on.node {
        Node::String(s) => vec![s.clone()],
        Node::Seq(items) => items.iter().filter_map(|i| i.scalar_text()).collect(),
        Node::Map(_) => runs_on
            .value("labels")
            .map(|l| match &l.node {
                Node::Seq(items) => items.iter().filter_map(|i| i.scalar_text()).collect(),
                _ => l.scalar_text().into_iter().collect(),
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if labels.iter().any(|l| l.eq_ignore_ascii_case("self-hosted")) {
        return Some("self-hosted");
    }
    let hosted = |l: &String| {
        let l = l.to_ascii_lowercase();
        ["ubuntu-", "windows-", "macos-"]
            .iter()
            .any(|p| l.starts_with(p))
    };
    (!labels.is_empty() && labels.iter().all(hosted)).then_some("github-hosted")
}

/// The job's environment as a claim, with where it is said.
fn environment(workflow: &Workflow, job: &Job) -> (Claim, Origin) {
    match &job.environment {
        Some(env) => match &env.name {
            Some(n) if n.is_expression() => (Claim::Unknown, origin(&workflow.source, &n.span)),
            Some(n) => (
                Claim::Present(n.value.clone()),
                origin(&workflow.source, &n.span),
            ),
            None => (Claim::Missing, origin(&workflow.source, &env.key.span)),
        },
        None => (Claim::Missing, origin(&workflow.source, &job.id.span)),
    }
}

/// The `if:` conditions of the jobs a job needs, transitively: a needed job that is skipped
/// skips it, unless its own condition runs it anyway (`always()`, `failure()`,
/// `cancelled()`, `!cancelled()`).
fn needed_conditions<'w>(workflow: &'w Workflow, job: &'w Job) -> Vec<&'w str> {
    let runs_anyway = |j: &Job| {
        j.condition.as_ref().is_some_and(|c| {
            let v = c.value.to_ascii_lowercase();
            v.contains("always()") || v.contains("failure()") || v.contains("cancelled()")
        })
    };
    let mut out = Vec::new();
    if runs_anyway(job) {
        return out;
    }
    let mut seen: std::collections::HashSet<&str> =
        std::collections::HashSet::from([job.id.name.as_str()]);
    let mut queue: Vec<&Job> = vec![job];
    let mut read = 0;
    while let Some(j) = queue.pop() {
        for need in &j.needs {
            read += 1;
            if read > crate::workflow::MAX_NEEDS_READ {
                return out;
            }
            let Some(n) = workflow.job(need) else {
                continue;
            };
            if seen.len() > 256 || !seen.insert(n.id.name.as_str()) {
                continue;
            }
            if let Some(c) = &n.condition {
                out.push(c.value.as_str());
            }
            if !runs_anyway(n) {
                queue.push(n);
            }
        }
    }
    out
}

/// Predicts the tokens of a job in `workflow`: one per way it can run, leaving out the ways its
/// `if:` conditions (the callers', the job's, the step's) rule out.
pub fn predict(
    workflow: &Workflow,
    job: &Job,
    step_conditions: &[&str],
    callers: &Callers<'_>,
    repository: Option<&Repository>,
    audience: Option<&str>,
    aud_origin: Option<Origin>,
) -> Vec<PredictedToken> {
    let (env_claim, env_origin) = environment(workflow, job);
    let runner = runner_environment(job).map(str::to_owned);
    let mut out = Vec::new();
    for way in ways(workflow, callers) {
        let (ref_pattern, ref_type, prefix) = way.trigger.map(ref_of).unwrap_or_default();
        let facts = Facts {
            event: way.trigger.map(|t| t.event.clone()),
            ref_prefix: prefix,
            ref_type: ref_type.clone(),
        };
        let needed = needed_conditions(workflow, job);
        let conditions = way
            .chain
            .iter()
            .filter_map(|(_, j)| j.condition.as_ref().map(|c| c.value.as_str()))
            .chain(job.condition.as_ref().map(|c| c.value.as_str()))
            .chain(needed.iter().copied())
            .chain(step_conditions.iter().copied());
        if conditions
            .into_iter()
            .any(|c| condition::can_run(c, &facts) == Some(false))
        {
            continue;
        }
        let trigger_origin = way
            .top
            .zip(way.trigger)
            .map(|(w, t)| origin(&w.source, &t.span));
        let mut origins = vec![("environment", env_origin.clone())];
        if let Some(o) = &trigger_origin {
            origins.push(("event_name", o.clone()));
            origins.push(("workflow_ref", o.clone()));
        }
        if let Some((cw, cj)) = way.chain.first()
            && let Some(u) = &cj.uses
        {
            origins.push(("job_workflow_ref", origin(&cw.source, &u.span)));
        } else {
            origins.push(("job_workflow_ref", origin(&workflow.source, &job.id.span)));
        }
        if let Some(r) = &job.runs_on {
            origins.push(("runner_environment", origin(&workflow.source, &r.span)));
        }
        if let Some(o) = &aud_origin {
            origins.push(("aud", o.clone()));
        }
        out.push(PredictedToken {
            via: Via {
                event: way.trigger.map(|t| t.event.clone()),
                workflow: way.top.map(|w| w.file_name.clone()),
                callers: way
                    .chain
                    .iter()
                    .map(|(w, j)| (w.file_name.clone(), j.id.name.clone()))
                    .collect(),
                origin: trigger_origin,
            },
            repository: repository.map(|r| (r.owner.clone(), r.name.clone())),
            defining: workflow.file_name.clone(),
            defining_repository: None,
            environment: env_claim.clone(),
            ref_pattern,
            ref_type,
            runner_environment: runner.clone(),
            audience: audience.map(str::to_owned),
            origins,
        });
    }
    out
}

/// The repository and file a job-level `uses:` of another repository names
/// (`org/shared/.github/workflows/release.yml@v2`): (`org/shared`, `release.yml`, `v2`).
pub fn remote_workflow(uses: &str) -> Option<(String, String, String)> {
    let (path, at) = uses.split_once('@')?;
    let (repo, file) = path.split_once("/.github/workflows/")?;
    (repo.split('/').count() == 2 && !file.contains('/') && !repo.starts_with('.'))
        .then(|| (repo.to_owned(), file.to_owned(), at.to_owned()))
}

/// The audience of a step's registry, when the step names one.
pub fn audience_of(step: &PublishStep) -> Option<&'static str> {
    match step.target {
        Target::Registry(r) => Some(r.spec().audience),
        _ => None,
    }
}
