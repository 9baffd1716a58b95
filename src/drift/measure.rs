//! The acceptance matrix: the playbook's thresholds measured on live state.
//!
//! - `publish-success-rate`: successful runs over the last `publish-success-window` completed
//!   runs of the publishing workflow (cancelled, skipped, neutral and stale runs left out).
//! - `publish-to-install`: in the newest successful run, from the start of the first step
//!   named like `publish` to the end of the first later step named like `smoke` (else
//!   `install`), across the run's jobs.
//! - `provenance-completeness`: files of the latest release with provenance, over all its files.

use super::report::{Comparison, ThresholdRow};
use super::source::github::{GithubFacts, JobsFacts, RunsFacts, Step};
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
        publish_to_install(p, runs, t),
    ];
    // PEP 740 provenance is PyPI's: the other registries publish none that names the uploading
    // workflow, so the threshold does not apply to them (rather than being forever unknown).
    // PyPI refuses attestations from ActiveState publishers, so their files never have any.
    if registry.registry.is_python_index() && p.provider != crate::identity::Provider::ActiveState {
        rows.push(completeness(p, registry, t));
    }
    rows
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
