//! The drift report: for each declared publisher what is as declared, what drifted and what is
//! unknown, and the acceptance matrix of the playbook's thresholds. Renderers print it; they
//! decide nothing.

use serde_json::Value;

use super::source::Unknown;
use crate::identity::Publisher;

/// The kinds of drift, each a stable id in the JSON output (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriftKind {
    /// GitHub gives the owner another numeric id (the account or organization was recreated,
    /// or the repository moved to another owner).
    OwnerIdChanged,
    /// GitHub names the repository differently (renamed, transferred, or other casing).
    RepositoryRenamed,
    /// The declared environment does not exist.
    EnvironmentMissing,
    /// The environment's deployment policy does not admit a ref that runs the workflow.
    EnvironmentBranchPolicy,
    /// The workflow file is not at the default branch.
    WorkflowMissing,
    /// The workflow file breaks a rule of `check`.
    WorkflowRules,
    /// The repository customizes its OIDC subject.
    SubjectCustomized,
    /// A file of the latest release was uploaded by another publisher than the declared one.
    PublishedByOtherPublisher,
    /// A file of the latest release has no provenance.
    ProvenanceMissing,
    /// A version was published without Trusted Publishing, or by another identity, after one
    /// the declared publisher published (the publishing ledger).
    TrustDowngrade,
    /// The registry has no such project.
    ProjectMissing,
    /// The registry holds no publisher that matches the declared one under its own rules
    /// (crates.io's Trusted Publishing configs, RubyGems' trusted publishers).
    PublisherNotRegistered,
}

impl DriftKind {
    /// Every kind, in report order.
    pub const ALL: [DriftKind; 12] = [
        DriftKind::RepositoryRenamed,
        DriftKind::OwnerIdChanged,
        DriftKind::EnvironmentMissing,
        DriftKind::EnvironmentBranchPolicy,
        DriftKind::SubjectCustomized,
        DriftKind::WorkflowMissing,
        DriftKind::WorkflowRules,
        DriftKind::ProjectMissing,
        DriftKind::PublisherNotRegistered,
        DriftKind::PublishedByOtherPublisher,
        DriftKind::TrustDowngrade,
        DriftKind::ProvenanceMissing,
    ];

    /// The id in the JSON output.
    pub fn id(self) -> &'static str {
        match self {
            DriftKind::OwnerIdChanged => "owner-id-changed",
            DriftKind::RepositoryRenamed => "repository-renamed",
            DriftKind::EnvironmentMissing => "environment-missing",
            DriftKind::EnvironmentBranchPolicy => "environment-branch-policy",
            DriftKind::WorkflowMissing => "workflow-missing",
            DriftKind::WorkflowRules => "workflow-rules",
            DriftKind::SubjectCustomized => "subject-customized",
            DriftKind::PublishedByOtherPublisher => "published-by-other-publisher",
            DriftKind::ProvenanceMissing => "provenance-missing",
            DriftKind::TrustDowngrade => "trust-downgrade",
            DriftKind::ProjectMissing => "project-missing",
            DriftKind::PublisherNotRegistered => "publisher-not-registered",
        }
    }
}

/// One difference between the desired state and live state.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// What drifted.
    pub kind: DriftKind,
    /// What the desired state implies.
    pub expected: Value,
    /// What live state shows.
    pub actual: Value,
    /// The URL that shows it.
    pub evidence: String,
    /// One sentence: what it means.
    pub message: String,
}

/// A check that passed, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    /// The check (`repository`, `owner-id`, ...).
    pub check: &'static str,
    /// What was seen.
    pub text: String,
    /// The URL that shows it.
    pub evidence: String,
}

/// The verdict for one publisher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything checked is as declared.
    Ok,
    /// Something drifted.
    Drift,
    /// Nothing drifted, but some checks could not be made.
    Unknown,
}

impl Status {
    /// `ok`, `drift`, `unknown`.
    pub fn id(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Drift => "drift",
            Status::Unknown => "unknown",
        }
    }
}

/// A publisher's identity as the registry matches it, for the declared-versus-live diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `(field, value)` in a fixed order: owner, repository, owner-id, workflow, environment.
    pub fields: Vec<(&'static str, String)>,
}

/// Everything found for one publisher.
#[derive(Debug, Clone, PartialEq)]
pub struct PublisherReport {
    /// The declared publisher.
    pub publisher: Publisher,
    /// The verdict.
    pub status: Status,
    /// What drifted, in [`DriftKind::ALL`] order.
    pub drifts: Vec<Drift>,
    /// What could not be checked.
    pub unknown: Vec<Unknown>,
    /// What is as declared.
    pub confirmed: Vec<Confirmed>,
    /// Worth knowing, not drift.
    pub notes: Vec<String>,
    /// The declared identity, and the live one when an identity field drifted.
    pub identity: (Identity, Option<Identity>),
}

/// How a measured value is held against its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The value must be at least the threshold.
    AtLeast,
    /// The value must be at most the threshold.
    AtMost,
}

impl Comparison {
    /// `>=` or `<=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
        }
    }
}

/// One row of the acceptance matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdRow {
    /// `publish-success-rate`, `publish-to-install`, `provenance-completeness`.
    pub name: &'static str,
    /// The publisher's registry id.
    pub registry: &'static str,
    /// The publisher's project.
    pub project: String,
    /// The measured value, when it could be measured.
    pub value: Option<f64>,
    /// The threshold.
    pub threshold: f64,
    /// How they compare.
    pub comparison: Comparison,
    /// `ratio` or `seconds`.
    pub unit: &'static str,
    /// `Some(pass)`, or `None` when the value is unknown.
    pub pass: Option<bool>,
    /// What was measured, or why it could not be.
    pub detail: String,
    /// The URLs of the runs, files and provenance documents used.
    pub evidence: Vec<String>,
}

impl ThresholdRow {
    /// A row whose value is `value` (or unknown), judged against `threshold`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &'static str,
        publisher: &Publisher,
        value: Option<f64>,
        threshold: f64,
        comparison: Comparison,
        unit: &'static str,
        detail: String,
        evidence: Vec<String>,
    ) -> Self {
        let pass = value.map(|v| match comparison {
            Comparison::AtLeast => v >= threshold,
            Comparison::AtMost => v <= threshold,
        });
        Self {
            name,
            registry: publisher.registry.id(),
            project: publisher.project.clone(),
            value,
            threshold,
            comparison,
            unit,
            pass,
            detail,
            evidence,
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftReport {
    /// When it was made, RFC 3339 UTC.
    pub generated_at: String,
    /// One per declared publisher, in file order.
    pub publishers: Vec<PublisherReport>,
    /// The acceptance matrix.
    pub thresholds: Vec<ThresholdRow>,
}

impl DriftReport {
    /// 0: no drift and every threshold met; 1: drift or a failed threshold; 3: nothing
    /// drifted but some checks (or thresholds) are unknown.
    pub fn exit_code(&self) -> u8 {
        let drift = self.publishers.iter().any(|p| p.status == Status::Drift)
            || self.thresholds.iter().any(|t| t.pass == Some(false));
        let unknown = self.publishers.iter().any(|p| p.status == Status::Unknown)
            || self.thresholds.iter().any(|t| t.pass.is_none());
        if drift {
            1
        } else if unknown {
            3
        } else {
            0
        }
    }

    /// Counts for a one-line summary: publishers, drifted, unknown, failed thresholds.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let by = |s| self.publishers.iter().filter(|p| p.status == s).count();
        let failed = self
            .thresholds
            .iter()
            .filter(|t| t.pass == Some(false))
            .count();
        (
            self.publishers.len(),
            by(Status::Drift),
            by(Status::Unknown),
            failed,
        )
    }
}
