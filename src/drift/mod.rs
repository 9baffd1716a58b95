//! `trustpub drift`: every declared publisher against live state (GitHub's REST API and the
//! registries' APIs), with the playbook's thresholds as an acceptance matrix.
//!
//! Flow: [`source`]s fetch facts through the one [`crate::net::http`] client (timeouts, retries, cache,
//! record and replay) on a bounded pool of worker threads; [`compare`] turns facts into drifts
//! and [`measure`] into threshold rows; [`report`] holds the result for `render::drift`.

pub mod compare;
pub mod ledger;
pub mod measure;
pub mod policy;
pub mod report;
pub mod source;
pub mod trust;
pub mod workflow;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::Thresholds;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::net::http::Http;
use report::DriftReport;
use source::github::{self, GithubFacts};
use source::pypi::PypiSource;
use source::{Fetched, RegistryFacts, RegistrySource, Unknown};

/// The default number of worker threads. Requests are I/O-bound, so this is far above the
/// core count; each worker handles one source of one publisher at a time.
pub const DEFAULT_JOBS: usize = 128;

/// The source of a registry's live state.
pub fn registry_source(registry: Registry) -> Box<dyn RegistrySource> {
    match registry {
        Registry::Pypi | Registry::TestPypi => Box::new(PypiSource { registry }),
        Registry::CratesIo => Box::new(source::crates_io::CratesIoSource),
        Registry::RubyGems => Box::new(source::rubygems::RubyGemsSource),
        Registry::Npm | Registry::NuGet => Box::new(source::unread::UnreadSource { registry }),
    }
}

/// One piece of work for the pool: one source of one publisher.
#[derive(Clone, Copy)]
enum Unit {
    Github(usize),
    Registry(usize),
    Ledger(usize),
}

fn guarded<T>(
    source: &'static str,
    f: impl FnOnce() -> T,
    fallback: impl FnOnce(Unknown) -> T,
) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        fallback(Unknown::new(
            source,
            "internal",
            None,
            "internal error while reading this source (a bug in trustpub)",
        ))
    })
}

/// What a run tells as it goes, from its worker threads: the command line draws a progress bar
/// from it; `drift` itself never prints.
pub trait Progress: Sync {
    /// The run has `units` units of work (one GitHub and one registry unit per publisher).
    fn start(&self, units: usize) {
        let _ = units;
    }
    /// One unit is done: `what` names it (`github octo-org/widget`, `pypi widget`).
    fn done(&self, what: &str) {
        let _ = what;
    }
}

/// A run that tells nothing.
pub struct Silent;

impl Progress for Silent {}

/// Runs every check for `publishers` with at most `jobs` workers, and builds the report.
pub fn run(
    publishers: &[Publisher],
    thresholds: &Thresholds,
    http: &Http,
    jobs: usize,
) -> DriftReport {
    run_with(publishers, thresholds, http, jobs, &Silent)
}

/// [`run`], telling `progress` as each unit of work is done.
pub fn run_with(
    publishers: &[Publisher],
    thresholds: &Thresholds,
    http: &Http,
    jobs: usize,
    progress: &dyn Progress,
) -> DriftReport {
    run_versions(publishers, thresholds, http, jobs, progress, 0)
}

/// [`run_with`], also reading each project's publishing ledger, its last `versions` versions
/// (none when 0), for `trust-downgrade` and `published-by-other-publisher` across the window.
pub fn run_versions(
    publishers: &[Publisher],
    thresholds: &Thresholds,
    http: &Http,
    jobs: usize,
    progress: &dyn Progress,
    versions: u32,
) -> DriftReport {
    let sources: Vec<Box<dyn RegistrySource>> = publishers
        .iter()
        .map(|p| registry_source(p.registry))
        .collect();
    let github: Vec<OnceLock<Fetched<GithubFacts>>> =
        publishers.iter().map(|_| OnceLock::new()).collect();
    let registry: Vec<OnceLock<RegistryFacts>> =
        publishers.iter().map(|_| OnceLock::new()).collect();
    let ledgers: Vec<OnceLock<Fetched<ledger::Ledger>>> =
        publishers.iter().map(|_| OnceLock::new()).collect();
    // Longest first: a GitHub unit makes about twice the requests of a registry's, so the
    // short ones fill the gaps at the end instead of a long one running alone.
    let units: Vec<Unit> = (0..publishers.len())
        .map(Unit::Github)
        .chain((0..publishers.len()).map(Unit::Registry))
        .chain(
            (0..publishers.len())
                .filter(|_| versions > 0)
                .map(Unit::Ledger),
        )
        .collect();
    let next = AtomicUsize::new(0);
    let window = thresholds.publish_success_window;
    progress.start(units.len());
    let work = || {
        while let Some(&unit) = units.get(next.fetch_add(1, Ordering::Relaxed)) {
            match unit {
                Unit::Github(i) => {
                    let p = &publishers[i];
                    let facts = if p.is_github() {
                        guarded("github", || github::observe(http, p, window), Err)
                    } else {
                        Err(Unknown::new(
                            "github",
                            "repository",
                            None,
                            format!(
                                "a {} publisher: its repository and runs are not on GitHub, which is all `drift` reads of a CI system",
                                p.provider.name()
                            ),
                        ))
                    };
                    let _ = github[i].set(facts);
                    progress.done(&format!("github {}/{}", p.owner, p.repository));
                }
                Unit::Registry(i) => {
                    let p = &publishers[i];
                    let facts = guarded(
                        p.registry.id(),
                        || sources[i].observe(http, p),
                        |u| RegistryFacts {
                            registry: p.registry,
                            project: Err(u),
                            publishers: None,
                        },
                    );
                    let _ = registry[i].set(facts);
                    progress.done(&format!("{} {}", p.registry.id(), p.project));
                }
                Unit::Ledger(i) => {
                    let p = &publishers[i];
                    let facts =
                        guarded(p.registry.id(), || ledger::observe(http, p, versions), Err);
                    let _ = ledgers[i].set(facts);
                    progress.done(&format!("{} {} ledger", p.registry.id(), p.project));
                }
            }
        }
    };
    let workers = jobs.clamp(1, units.len().max(1));
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(work);
        }
        work();
    });
    let mut report = DriftReport {
        generated_at: crate::net::time::format_rfc3339(crate::net::time::now_epoch()),
        publishers: Vec::new(),
        thresholds: Vec::new(),
    };
    for (i, p) in publishers.iter().enumerate() {
        let missing = || Unknown::new("trustpub", "internal", None, "not fetched");
        let gh = github[i].get().cloned().unwrap_or_else(|| Err(missing()));
        let reg = registry[i].get().cloned().unwrap_or_else(|| RegistryFacts {
            registry: p.registry,
            project: Err(missing()),
            publishers: None,
        });
        let mut compared = compare::compare(p, &gh, &reg);
        if let Some(l) = ledgers[i].get() {
            trust::apply(&mut compared, l);
        }
        report.publishers.push(compared);
        report
            .thresholds
            .extend(measure::measure(p, &gh, &reg, thresholds));
    }
    report
}
