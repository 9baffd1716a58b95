//! The audit report: per repository its desired state and publishers, each with a status, its
//! drifts, `check`'s findings and its publishing ledger; an organisation summary; and what the
//! requests cost. Renderers print it; they decide nothing.

use std::collections::BTreeMap;

use super::local::{DesiredKind, Finding};
use crate::drift::ledger::LedgerEntry;
use crate::drift::report::{DriftKind, PublisherReport, Status};
use crate::drift::source::Unknown;
use crate::net::conditional::RequestStats;

/// A publisher's status in the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditStatus {
    /// Something drifted (a check's rule, the registry's publisher, the ledger).
    Drift,
    /// The workflow publishes with a stored token, or the latest version was.
    StoredToken,
    /// The registry holds no publisher for it, or has no such project.
    Unregistered,
    /// Nothing found, but some checks could not be made.
    Unknown,
    /// Everything checked is as it should be.
    Ok,
}

impl AuditStatus {
    /// Every status, worst first.
    pub const ALL: [AuditStatus; 5] = [
        AuditStatus::Drift,
        AuditStatus::StoredToken,
        AuditStatus::Unregistered,
        AuditStatus::Unknown,
        AuditStatus::Ok,
    ];

    /// The id in the JSON output.
    pub fn id(self) -> &'static str {
        match self {
            AuditStatus::Drift => "drift",
            AuditStatus::StoredToken => "stored-token",
            AuditStatus::Unregistered => "unregistered",
            AuditStatus::Unknown => "unknown",
            AuditStatus::Ok => "ok",
        }
    }
}

/// The status of a publisher from what was found: a stored token first (the most urgent to
/// act on), then no publisher at the registry, then any other drift or error finding, then
/// unknowns.
pub fn status_of(
    report: &PublisherReport,
    findings: &[Finding],
    stored_token: bool,
) -> AuditStatus {
    let unregistered = report.drifts.iter().any(|d| {
        matches!(
            d.kind,
            DriftKind::PublisherNotRegistered | DriftKind::ProjectMissing
        )
    });
    let error = findings
        .iter()
        .any(|f| f.severity == crate::diag::Severity::Error);
    if stored_token {
        AuditStatus::StoredToken
    } else if unregistered {
        AuditStatus::Unregistered
    } else if report.status == Status::Drift || error {
        AuditStatus::Drift
    } else if report.status == Status::Unknown {
        AuditStatus::Unknown
    } else {
        AuditStatus::Ok
    }
}

/// One publisher of a repository.
#[derive(Debug, Clone)]
pub struct AuditPublisher {
    /// What drift found (the declared publisher, its drifts, unknowns, confirmations).
    pub drift: PublisherReport,
    /// The status.
    pub status: AuditStatus,
    /// `check`'s findings that concern it.
    pub findings: Vec<Finding>,
    /// Its last versions, newest first (empty when not read).
    pub ledger: Vec<LedgerEntry>,
}

/// How a repository publishes, from its workflows' publishing steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Publishing {
    /// Some step publishes through Trusted Publishing.
    pub trusted: bool,
    /// Some step publishes with a stored token.
    pub token: bool,
}

/// One repository.
#[derive(Debug, Clone)]
pub struct AuditRepository {
    /// `owner/name`.
    pub repository: String,
    /// Where its desired state came from (`None`: it could not be read).
    pub desired_state: Option<DesiredKind>,
    /// Its publishers.
    pub publishers: Vec<AuditPublisher>,
    /// Findings that concern no one publisher.
    pub findings: Vec<Finding>,
    /// What could not be checked, with the publisher it concerns (`registry project`).
    pub unknown: Vec<(Option<String>, Unknown)>,
    /// Worth knowing.
    pub notes: Vec<String>,
    /// How it publishes.
    pub publishing: Publishing,
}

impl AuditRepository {
    /// `unknown` when the repository could not be read; `none` when it has no publisher;
    /// otherwise its worst publisher's status.
    pub fn status(&self) -> &'static str {
        if self.desired_state.is_none() {
            return AuditStatus::Unknown.id();
        }
        match self.publishers.iter().map(|p| p.status).min() {
            Some(s) => s.id(),
            None if !self.unknown.is_empty() => AuditStatus::Unknown.id(),
            None => "none",
        }
    }
}

/// The organisation summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Repositories audited.
    pub repositories: usize,
    /// That publish through Trusted Publishing only.
    pub trusted_publishing: usize,
    /// That publish with a stored token only.
    pub stored_token: usize,
    /// That do both.
    pub both: usize,
    /// That publish neither way (no publishing step found).
    pub none: usize,
    /// Publishers per status.
    pub statuses: BTreeMap<&'static str, usize>,
    /// The most common drift kinds and rules, with how many publishers have them, most first.
    pub findings: Vec<(String, usize)>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// When it was made, RFC 3339 UTC.
    pub generated_at: String,
    /// What was audited (`org octo`, `user octo`, `3 repositories`).
    pub target: String,
    /// One per repository, in the order listed.
    pub repositories: Vec<AuditRepository>,
    /// What blocked the whole audit (the repository list could not be read).
    pub unknown: Vec<Unknown>,
    /// Repositories left out, and why (`archived`, `fork`).
    pub skipped: Vec<(String, &'static str)>,
    /// The summary.
    pub summary: Summary,
    /// What the requests cost.
    pub requests: RequestStats,
}

impl AuditReport {
    /// The summary of `repositories`.
    pub fn summarise(repositories: &[AuditRepository]) -> Summary {
        let mut s = Summary {
            repositories: repositories.len(),
            ..Summary::default()
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for r in repositories {
            match (r.publishing.trusted, r.publishing.token) {
                (true, false) => s.trusted_publishing += 1,
                (false, true) => s.stored_token += 1,
                (true, true) => s.both += 1,
                (false, false) => s.none += 1,
            }
            for p in &r.publishers {
                *s.statuses.entry(p.status.id()).or_default() += 1;
                let mut ids: Vec<String> = p
                    .drift
                    .drifts
                    .iter()
                    .map(|d| d.kind.id().to_owned())
                    .collect();
                ids.extend(p.findings.iter().map(|f| f.rule.to_owned()));
                ids.sort();
                ids.dedup();
                for id in ids {
                    *counts.entry(id).or_default() += 1;
                }
            }
        }
        let mut findings: Vec<(String, usize)> = counts.into_iter().collect();
        findings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        findings.truncate(10);
        s.findings = findings;
        s
    }

    /// As `drift`: 0 all ok, 1 a drift, a stored token or an unregistered publisher, 3 nothing
    /// of those but some checks unknown.
    pub fn exit_code(&self) -> u8 {
        let statuses: Vec<&str> = self
            .repositories
            .iter()
            .map(AuditRepository::status)
            .collect();
        if statuses
            .iter()
            .any(|s| matches!(*s, "drift" | "stored-token" | "unregistered"))
        {
            1
        } else if !self.unknown.is_empty() || statuses.contains(&"unknown") {
            3
        } else {
            0
        }
    }
}
