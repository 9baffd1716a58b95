//! `trustpub audit`: every repository of an organization (or a user, or a list), every
//! registry, every release. Per repository: its files through the [`plan`] (the only place that
//! says which GitHub requests are made), what they say through [`local`] (`check`'s rules, and
//! `init`'s inference where there is no desired-state file), then per publisher `drift`'s
//! comparison with the registry's live state and the publishing ledger. One repository's
//! failure leaves the others complete.
//!
//! What `audit` reads of GitHub is the repository, its tree and its files: the environment's
//! deployment policy, the OIDC subject customization and the runs (`drift`'s other GitHub
//! checks and thresholds) would cost requests per publisher, and are left to `drift` in the
//! repository.

pub mod local;
pub mod plan;
pub mod report;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::drift::Progress;
use crate::drift::ledger::{self, Ledger};
use crate::drift::report::DriftKind;
use crate::drift::source::github::{GithubFacts, RepoFacts, WorkflowFacts};
use crate::drift::source::{Fetched, RegistryFacts, Unknown};
use crate::drift::workflow::WorkflowFile;
use crate::identity::Publisher;
use crate::net::http::Http;
use local::{Finding, Local};
use plan::{Files, Repo, Target};
use report::{AuditPublisher, AuditReport, AuditRepository, Publishing, status_of};

/// The source id of the checks `audit` does not make (removed from its reports).
const NOT_READ: &str = "audit";

/// How the audit runs.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Audit archived repositories too.
    pub include_archived: bool,
    /// Audit forks too.
    pub include_forks: bool,
    /// Versions read per project for the ledger (0: none).
    pub versions: u32,
    /// Concurrent repositories.
    pub jobs: usize,
    /// Only publishers of this registry (`--registry`).
    pub registry: Option<crate::identity::Registry>,
    /// Only publishers of this project (`--project`).
    pub project: Option<&'a str>,
}

/// Audits `target`.
pub fn run(
    target: &Target,
    options: &Options,
    http: &Http,
    progress: &dyn Progress,
) -> AuditReport {
    let target_text = match target {
        Target::Org(o) => format!("org {o}"),
        Target::User(u) => format!("user {u}"),
        Target::Repos(r) => format!("{} repositories", r.len()),
    };
    let mut report = AuditReport {
        generated_at: crate::net::time::format_rfc3339(crate::net::time::now_epoch()),
        target: target_text,
        repositories: Vec::new(),
        unknown: Vec::new(),
        skipped: Vec::new(),
        summary: Default::default(),
        requests: Default::default(),
    };
    let listed = match plan::list(http, target) {
        Ok(l) => l,
        Err(u) => {
            report.unknown.push(u);
            report.requests = http.request_stats();
            return report;
        }
    };
    let mut units: Vec<Result<Repo, (String, Unknown)>> = Vec::new();
    for r in listed {
        match &r {
            Ok(repo) if repo.archived && !options.include_archived => {
                report.skipped.push((repo.full_name.clone(), "archived"));
            }
            Ok(repo) if repo.fork && !options.include_forks => {
                report.skipped.push((repo.full_name.clone(), "fork"));
            }
            _ => units.push(r),
        }
    }
    let done: Vec<OnceLock<AuditRepository>> = units.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    progress.start(units.len());
    let work = || {
        while let Some(i) = Some(next.fetch_add(1, Ordering::Relaxed)).filter(|i| *i < units.len())
        {
            let name = match &units[i] {
                Ok(r) => r.full_name.clone(),
                Err((n, _)) => n.clone(),
            };
            let audited = catch_unwind(AssertUnwindSafe(|| audit_one(http, &units[i], options)))
                .unwrap_or_else(|_| {
                    unreadable(
                        &name,
                        Unknown::new(
                            "trustpub",
                            "internal",
                            None,
                            "internal error while auditing this repository (a bug in trustpub)",
                        ),
                    )
                });
            let _ = done[i].set(audited);
            progress.done(&name);
        }
    };
    let workers = options.jobs.clamp(1, units.len().max(1));
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(work);
        }
        work();
    });
    report.repositories = done
        .into_iter()
        .filter_map(OnceLock::into_inner)
        // With --registry or --project, the repositories that have such a publisher (and those
        // that could not be read, which may).
        .filter(|r| {
            (options.registry.is_none() && options.project.is_none())
                || !r.publishers.is_empty()
                || r.desired_state.is_none()
        })
        .collect();
    report.summary = AuditReport::summarise(&report.repositories);
    report.requests = http.request_stats();
    report
}

fn unreadable(name: &str, u: Unknown) -> AuditRepository {
    AuditRepository {
        repository: name.to_owned(),
        desired_state: None,
        publishers: Vec::new(),
        findings: Vec::new(),
        unknown: vec![(None, u)],
        notes: Vec::new(),
        publishing: Publishing::default(),
    }
}

fn audit_one(
    http: &Http,
    unit: &Result<Repo, (String, Unknown)>,
    options: &Options,
) -> AuditRepository {
    let repo = match unit {
        Ok(r) => r,
        Err((name, u)) => return unreadable(name, u.clone()),
    };
    let files = match plan::files(http, repo) {
        Ok(f) => f,
        Err(u) => return unreadable(&repo.full_name, u),
    };
    let local = local::analyse(repo, &files);
    let publishing = Publishing {
        trusted: local.sites.iter().any(|s| s.auth == "trusted-publishing"),
        token: local.sites.iter().any(|s| s.auth == "stored-credential"),
    };
    let mut findings = local.findings.clone();
    let mut unknown: Vec<(Option<String>, Unknown)> =
        local.unknown.iter().map(|u| (None, u.clone())).collect();
    let mut publishers = Vec::new();
    let selected = local.publishers.iter().filter(|p| {
        options.registry.is_none_or(|r| p.registry == r)
            && options.project.is_none_or(|n| p.project == n)
    });
    for p in selected {
        let (mine, rest): (Vec<Finding>, Vec<Finding>) =
            findings.into_iter().partition(|f| concerns(p, f));
        findings = rest;
        let audited = audit_publisher(http, repo, &files, &local, p, mine, options);
        let who = format!("{} {}", p.registry.id(), p.project);
        unknown.extend(
            audited
                .drift
                .unknown
                .iter()
                .map(|u| (Some(who.clone()), u.clone())),
        );
        publishers.push(audited);
    }
    AuditRepository {
        repository: repo.full_name.clone(),
        desired_state: local.desired,
        publishers,
        findings,
        unknown,
        notes: local.notes,
        publishing,
    }
}

/// Whether a finding of `check` concerns publisher `p`: the rule names it, or it is in its
/// workflow file.
fn concerns(p: &Publisher, f: &Finding) -> bool {
    match &f.publisher {
        Some((r, project)) => *r == p.registry && *project == p.project,
        None => f.file == format!(".github/workflows/{}", p.workflow),
    }
}

/// GitHub's side of `drift`'s comparison, from what the plan read.
fn github_facts(repo: &Repo, files: &Files, p: &Publisher) -> Fetched<GithubFacts> {
    if !p.is_github() {
        return Err(Unknown::new(
            "github",
            "repository",
            None,
            format!(
                "a {} publisher: its repository is not on GitHub, which is all `audit` reads of a CI system",
                p.provider.name()
            ),
        ));
    }
    let branch = repo.default_branch.clone().unwrap_or_default();
    let path = format!(".github/workflows/{}", p.workflow);
    let workflow = match files.files.iter().find(|f| f.path == path) {
        Some(f) => match &f.text {
            Ok(text) => Ok(WorkflowFacts::Present(Box::new(WorkflowFile::new(
                path,
                branch.clone(),
                f.url.clone(),
                text.clone(),
            )))),
            Err(u) => Err(u.clone()),
        },
        None if files.workflows.contains(&path) => Err(Unknown::new(
            "github",
            "workflow",
            Some(&files.tree_url),
            format!("{path} was not read (more files than the limit)"),
        )),
        None => Ok(WorkflowFacts::Missing {
            url: files.tree_url.clone(),
        }),
    };
    let not_read = |check: &'static str| {
        Unknown::new(NOT_READ, check, None, "not read by audit (drift reads it)")
    };
    Ok(GithubFacts {
        repo: RepoFacts {
            url: repo.url.clone(),
            full_name: repo.full_name.clone(),
            owner_id: repo.owner_id,
            default_branch: branch,
        },
        environment: None,
        subject: Err(not_read("oidc-subject")),
        workflow,
        runs: Err(not_read("runs")),
        trigger_refs: Vec::new(),
    })
}

fn audit_publisher(
    http: &Http,
    repo: &Repo,
    files: &Files,
    local: &Local,
    p: &Publisher,
    findings: Vec<Finding>,
    options: &Options,
) -> AuditPublisher {
    let github = github_facts(repo, files, p);
    let registry: RegistryFacts = crate::drift::registry_source(p.registry).observe(http, p);
    let mut drift = crate::drift::compare::compare(p, &github, &registry);
    drift.unknown.retain(|u| u.source != NOT_READ);
    // check's findings are reported with their file and line; not twice.
    drift.drifts.retain(|d| d.kind != DriftKind::WorkflowRules);
    let ledger: Option<Fetched<Ledger>> =
        (options.versions > 0).then(|| ledger::observe(http, p, options.versions));
    match &ledger {
        Some(l) => crate::drift::trust::apply(&mut drift, l),
        // Recomputes the status without the checks audit does not make.
        None => crate::drift::trust::restatus(&mut drift),
    }
    let site_token = local.sites.iter().any(|s| {
        s.registry == Some(p.registry.id())
            && s.auth == "stored-credential"
            && s.workflow.rsplit('/').next() == Some(p.workflow.as_str())
    });
    // A project whose window holds no version published through Trusted Publishing, the
    // newest by a token, still publishes with one; a token after Trusted Publishing is a
    // `trust-downgrade` instead.
    let ledger_token = matches!(&ledger, Some(Ok(l))
        if crate::drift::trust::latest_by_token(l) && l.entries.iter().all(|e| e.trusted != Some(true)));
    let status = status_of(&drift, &findings, site_token || ledger_token);
    AuditPublisher {
        drift,
        status,
        findings,
        ledger: match ledger {
            Some(Ok(l)) => l.entries,
            _ => Vec::new(),
        },
    }
}
