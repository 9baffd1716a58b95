//! The acceptance matrix: the playbook's thresholds measured on live state.
//!
//! - `publish-success-rate`: successful runs over the last `publish-success-window` completed
//!   runs of the publishing workflow (cancelled, skipped, neutral and stale runs left out).
//! - `publish-to-install`: in the newest successful run, from the start of the first step
//!   named like `publish` to the end of the first later step named like `smoke` (else
//!   `install`), across the run's jobs.
//! - `provenance-completeness`: files of the latest release with provenance, over all its files.
//! - `response-minutes`: from the end of each failed run in the window to the start of the next
//!   run of the workflow (the retry), the longest; a failed newest run with no retry yet counts
//!   until now. The playbook decides retry or rollback at T+10.

use super::report::{Comparison, ThresholdRow};
use super::source::github::{GithubFacts, JobsFacts, Run, RunsFacts, Step};
use super::source::{Fetched, Project, Provenance, RegistryFacts};
use crate::config::Thresholds;
use crate::identity::Publisher;

/// Conclusions that do not count as an attempt to publish.
const NOT_ATTEMPTS: &[&str] = &["cancelled", "skipped", "neutral", "stale", ""];

/// The matrix rows of one publisher.
pub fn measure(
    p: &Publisher,
    github: &Fetched<GithubFacts>,
    registry: &RegistryFacts,
    t: &Thresholds,
) -> Vec<ThresholdRow> {
    let runs = github
        .as_ref()
        .map_err(|u| u.reason.clone())
        .and_then(|g| g.runs.as_ref().map_err(|u| u.reason.clone()));
    let mut rows = vec![
        success_rate(p, runs.clone(), t),
        publish_to_install(p, runs.clone(), t),
    ];
    // PEP 740 provenance is PyPI's: the other registries publish none that names the uploading
    // workflow, so the threshold does not apply to them (rather than being forever unknown).
    // PyPI refuses attestations from ActiveState publishers, so their files never have any.
    if registry.registry.is_python_index() && p.provider != crate::identity::Provider::ActiveState {
        rows.push(completeness(p, registry, t));
    }
    rows.push(response(p, runs, t, crate::net::time::now_epoch()));
    rows
}

/// Conclusions of a run that failed to publish.
const FAILED: &[&str] = &["failure", "timed_out", "startup_failure"];

/// One failed run and how long until the next run started, in minutes: `None` when a time is
/// missing; a failed newest run is measured until `now` (no retry yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Response<'a> {
    /// The failed run.
    pub failed: &'a Run,
    /// The next run (the retry), if there is one.
    pub retry: Option<&'a Run>,
    /// Minutes from the failed run's end to the retry's start (or to now).
    pub minutes: Option<f64>,
}

/// The responses to every failed run in `runs` (newest first), newest first.
pub fn responses(runs: &[Run], now: i64) -> Vec<Response<'_>> {
    runs.iter()
        .enumerate()
        .filter(|(_, r)| FAILED.contains(&r.conclusion.as_str()))
        .map(|(i, failed)| {
            let retry = i.checked_sub(1).map(|j| &runs[j]);
            let start = match retry {
                Some(r) => r.started_at,
                None => Some(now),
            };
            let minutes = match (failed.ended_at, start) {
                (Some(end), Some(start)) => Some((start - end).max(0) as f64 / 60.0),
                _ => None,
            };
            Response {
                failed,
                retry,
                minutes,
            }
        })
        .collect()
}

fn response(
    p: &Publisher,
    runs: Result<&RunsFacts, String>,
    t: &Thresholds,
    now: i64,
) -> ThresholdRow {
    let row = |value, detail, evidence| {
        ThresholdRow::new(
            "response-minutes",
            p,
            value,
            t.response_minutes,
            Comparison::AtMost,
            "minutes",
            detail,
            evidence,
        )
    };
    let runs = match runs {
        Ok(r) => r,
        Err(why) => return row(None, format!("unknown: {why}"), Vec::new()),
    };
    let all = responses(&runs.runs, now);
    if all.is_empty() {
        return row(
            Some(0.0),
            format!(
                "no failed run among the last {} completed run(s): nothing to respond to",
                runs.runs.len()
            ),
            vec![runs.url.clone()],
        );
    }
    let mut evidence: Vec<String> = Vec::new();
    for url in all.iter().flat_map(|r| {
        std::iter::once(r.failed.html_url.clone()).chain(r.retry.map(|x| x.html_url.clone()))
    }) {
        if !evidence.contains(&url) {
            evidence.push(url);
        }
    }
    let known: Vec<&Response> = all.iter().filter(|r| r.minutes.is_some()).collect();
    if known.len() < all.len() {
        return row(
            None,
            format!(
                "unknown: {} of {} failed run(s) lack the times GitHub gives (`updated_at`, `run_started_at`)",
                all.len() - known.len(),
                all.len()
            ),
            evidence,
        );
    }
    let describe = |r: &Response| {
        let m = r.minutes.unwrap_or_default();
        match r.retry {
            Some(x) => format!("{m:.0} min, {} to {}", r.failed.html_url, x.html_url),
            None => format!(
                "{m:.0} min and counting, {} not retried yet",
                r.failed.html_url
            ),
        }
    };
    let longest = known
        .iter()
        .copied()
        .max_by(|a, b| {
            a.minutes
                .partial_cmp(&b.minutes)
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(known[0]);
    let latest = known[0];
    let detail = if std::ptr::eq(longest, latest) {
        format!(
            "{} failed run(s) in the window: the latest, also the longest wait for a retry, {}",
            all.len(),
            describe(latest)
        )
    } else {
        format!(
            "{} failed run(s) in the window: the longest wait for a retry {}; the latest {}",
            all.len(),
            describe(longest),
            describe(latest)
        )
    };
    row(longest.minutes, detail, evidence)
}

fn success_rate(p: &Publisher, runs: Result<&RunsFacts, String>, t: &Thresholds) -> ThresholdRow {
    let row = |value, detail, evidence| {
        ThresholdRow::new(
            "publish-success-rate",
            p,
            value,
            t.publish_success_rate,
            Comparison::AtLeast,
            "ratio",
            detail,
            evidence,
        )
    };
    let runs = match runs {
        Ok(r) => r,
        Err(why) => return row(None, format!("unknown: {why}"), Vec::new()),
    };
    let counted: Vec<_> = runs
        .runs
        .iter()
        .filter(|r| !NOT_ATTEMPTS.contains(&r.conclusion.as_str()))
        .collect();
    if counted.is_empty() {
        return row(
            None,
            format!("no completed run of {} to measure", p.workflow),
            vec![runs.url.clone()],
        );
    }
    let ok = counted.iter().filter(|r| r.conclusion == "success").count();
    let value = ok as f64 / counted.len() as f64;
    let detail = format!(
        "{ok} of the last {} completed run(s) succeeded",
        counted.len()
    );
    row(
        Some(value),
        detail,
        counted.iter().map(|r| r.html_url.clone()).collect(),
    )
}

/// The publish step and the install step after it, and the seconds between.
pub fn publish_to_install_seconds(steps: &[Step]) -> Option<(f64, &Step, &Step)> {
    let named = |s: &Step, w: &str| s.name.to_lowercase().contains(w);
    let publish = steps
        .iter()
        .find(|s| named(s, "publish") && s.started_at.is_some())?;
    let start = publish.started_at?;
    let after = |s: &&Step| {
        s.started_at.is_some_and(|t| t >= start)
            && s.completed_at.is_some()
            && !std::ptr::eq(*s, publish)
    };
    let install = steps
        .iter()
        .filter(after)
        .find(|s| named(s, "smoke"))
        .or_else(|| steps.iter().filter(after).find(|s| named(s, "install")))?;
    let end = install.completed_at?;
    Some(((end - start).max(0) as f64, publish, install))
}

fn publish_to_install(
    p: &Publisher,
    runs: Result<&RunsFacts, String>,
    t: &Thresholds,
) -> ThresholdRow {
    let row = |value, detail, evidence| {
        ThresholdRow::new(
            "publish-to-install",
            p,
            value,
            t.publish_to_install_seconds,
            Comparison::AtMost,
            "seconds",
            detail,
            evidence,
        )
    };
    let jobs: Result<&JobsFacts, String> = match runs {
        Err(why) => Err(format!("unknown: {why}")),
        Ok(r) => match &r.latest_success {
            None => Err(format!(
                "no successful run among the last {} to time",
                r.runs.len()
            )),
            Some(Err(u)) => Err(format!("unknown: {}", u.reason)),
            Some(Ok(j)) => Ok(j),
        },
    };
    match jobs {
        Err(detail) => row(None, detail, Vec::new()),
        Ok(j) => match publish_to_install_seconds(&j.steps) {
            Some((secs, publish, install)) => row(
                Some(secs),
                format!("from `{}` ({}) to the end of `{}` ({})", publish.name, publish.job, install.name, install.job),
                vec![j.run_url.clone(), j.url.clone()],
            ),
            None => row(
                None,
                "the newest successful run has no step named like `publish` followed by one named like `smoke` or `install`".into(),
                vec![j.run_url.clone(), j.url.clone()],
            ),
        },
    }
}

fn completeness(p: &Publisher, registry: &RegistryFacts, t: &Thresholds) -> ThresholdRow {
    let row = |value, detail, evidence| {
        ThresholdRow::new(
            "provenance-completeness",
            p,
            value,
            t.provenance_completeness,
            Comparison::AtLeast,
            "ratio",
            detail,
            evidence,
        )
    };
    let release = match &registry.project {
        Err(u) => return row(None, format!("unknown: {}", u.reason), Vec::new()),
        Ok(Project::Missing { url }) => {
            return row(None, "the project does not exist".into(), vec![url.clone()]);
        }
        Ok(Project::Present(None)) => {
            return row(None, "the project has no release".into(), Vec::new());
        }
        Ok(Project::ExistsWithoutProvenance { url, reason }) => {
            return row(None, reason.clone(), vec![url.clone()]);
        }
        Ok(Project::Present(Some(r))) => r,
    };
    if release.artifacts.is_empty() {
        return row(
            None,
            format!("release {} has no files", release.version),
            vec![release.url.clone()],
        );
    }
    let mut evidence = vec![release.url.clone()];
    let (mut with, mut unknown) = (0usize, 0usize);
    for a in &release.artifacts {
        match &a.provenance {
            Ok(Provenance::Present { url, .. }) => {
                with += 1;
                evidence.push(url.clone());
            }
            Ok(Provenance::Missing { evidence: e }) => {
                if !evidence.contains(e) {
                    evidence.push(e.clone());
                }
            }
            Err(_) => unknown += 1,
        }
    }
    let total = release.artifacts.len();
    if unknown > 0 {
        return row(
            None,
            format!(
                "the provenance of {unknown} of {total} file(s) of {} is unknown",
                release.version
            ),
            evidence,
        );
    }
    row(
        Some(with as f64 / total as f64),
        format!(
            "{with} of {total} file(s) of {} have provenance",
            release.version
        ),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: u64, conclusion: &str, start: i64, end: i64) -> Run {
        Run {
            r#ref: crate::drift::policy::RunRef {
                id,
                event: "push".into(),
                head_branch: "v1".into(),
            },
            html_url: format!("r/{id}"),
            conclusion: conclusion.into(),
            started_at: Some(start),
            ended_at: Some(end),
        }
    }

    #[test]
    fn a_failed_run_waits_until_the_next_run_starts() {
        // Newest first: a success retried 30 minutes after the failure before it, and an older
        // failure retried after 5.
        let runs = vec![
            run(4, "success", 10_000, 10_300),
            run(3, "failure", 8_000, 8_200),
            run(2, "success", 2_300, 2_400),
            run(1, "failure", 1_700, 2_000),
        ];
        let r = responses(&runs, 20_000);
        let m: Vec<(u64, Option<f64>)> = r.iter().map(|x| (x.failed.r#ref.id, x.minutes)).collect();
        assert_eq!(m, [(3, Some(30.0)), (1, Some(5.0))]);
        assert_eq!(r[0].retry.map(|x| x.r#ref.id), Some(4));
        // The newest run failed: it is waiting until now.
        let r = responses(&runs[1..], 8_200 + 600);
        assert_eq!((r[0].retry, r[0].minutes), (None, Some(10.0)));
        assert!(responses(&runs[..1], 0).is_empty());
    }

    fn step(job: &str, name: &str, start: i64, end: i64) -> Step {
        Step {
            job: job.into(),
            name: name.into(),
            started_at: Some(start),
            completed_at: Some(end),
        }
    }

    #[test]
    fn publish_to_install_spans_jobs_and_skips_earlier_installs() {
        let steps = vec![
            step("build", "Install build", 0, 10),
            step("release", "Publish to PyPI", 100, 130),
            step("smoke", "Install from index", 200, 260),
            step("smoke", "Smoke test", 260, 290),
        ];
        let (secs, p, i) = publish_to_install_seconds(&steps).unwrap();
        assert_eq!(
            (secs, p.name.as_str(), i.name.as_str()),
            (190.0, "Publish to PyPI", "Smoke test")
        );
        assert!(publish_to_install_seconds(&steps[..1]).is_none());
    }
}
