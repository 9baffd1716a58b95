//! The publishing ledger against the declared publisher: `trust-downgrade` (a version published
//! without Trusted Publishing, or by another identity, after one the declared publisher
//! published) and `published-by-other-publisher` across the window, each naming the versions.
//!
//! The order is the registry's publishing time, not the version numbers: that is what a
//! consumer that enforces trust sees (pnpm's `trustPolicy` refuses a version whose evidence is
//! weaker than any version published before it, `pnpm/crates/resolving-npm-resolver/src/
//! trust_checks.rs` @36e5ae6ac8d0). Each identity field the registry recorded is compared under
//! the registry's own rules: PyPI's provenance with PyPI's comparison
//! ([`super::compare::same_publisher`]); npm's provenance (repository and the top-level
//! workflow, no environment) and crates.io's `trustpub_data` (the repository only) with the
//! registry module's case rules.

use serde_json::{Value, json};

use super::compare::{declared_repository, same_publisher};
use super::ledger::{Ledger, LedgerEntry, PublishedBy, pypi};
use super::report::{Drift, DriftKind, PublisherReport, Status};
use super::source::Fetched;
use crate::identity::{Provider, Publisher, Registry};

/// Whether `by` is the declared publisher, as far as the registry recorded it: `None` when it
/// recorded too little to tell (npm without provenance), `Some(false)` for an account's token.
pub fn is_declared(p: &Publisher, registry: Registry, by: &PublishedBy) -> Option<bool> {
    if !by.is_trusted_publisher() {
        return Some(false);
    }
    if registry.is_python_index() {
        return Some(same_publisher(p, &pypi::uploader(by)));
    }
    if by.kind != p.provider.id() {
        // A provider the registry names that is not the declared one.
        return (by.kind != "trusted-publisher").then_some(false);
    }
    let repository = by.repository.as_deref()?;
    let rules = registry.github_rules();
    let (owner, name) = repository.split_once('/').unwrap_or((repository, ""));
    let same_repository = match p.provider {
        // A GitLab project path is the namespace and the project together.
        Provider::GitLab => {
            crate::registry::github::Case::Insensitive.same(repository, &declared_repository(p))
        }
        _ => rules.owner.same(owner, &p.owner) && rules.repository.same(name, &p.repository),
    };
    let same_workflow = by
        .workflow
        .as_deref()
        .is_none_or(|w| rules.workflow.same(w, &p.workflow));
    Some(same_repository && same_workflow)
}

/// What one entry shows against the declared publisher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Every identity recorded is the declared publisher.
    Declared,
    /// Published through Trusted Publishing by another identity.
    Other,
    /// Published with an account's token.
    Token,
    /// No evidence of Trusted Publishing: a file without provenance (PyPI).
    None,
    /// Not known: the registry recorded too little, or it could not be read.
    Unknown,
}

/// The evidence of one entry.
pub fn evidence(p: &Publisher, registry: Registry, e: &LedgerEntry) -> Evidence {
    let judged: Vec<Option<bool>> = e
        .published_by
        .iter()
        .filter(|by| by.is_trusted_publisher())
        .map(|by| is_declared(p, registry, by))
        .collect();
    if judged.contains(&Some(false)) {
        return Evidence::Other;
    }
    if e.trusted == Some(false) {
        return Evidence::Token;
    }
    if e.unknown.is_some() {
        return Evidence::Unknown;
    }
    if !e.without_provenance.is_empty() {
        return Evidence::None;
    }
    if !judged.is_empty() && judged.iter().all(|j| *j == Some(true)) {
        return Evidence::Declared;
    }
    Evidence::Unknown
}

fn entry_json(e: &LedgerEntry) -> Value {
    json!({
        "version": e.version,
        "published_by": e.published_by.first().map(PublishedBy::to_json),
        "trusted": e.trusted,
    })
}

fn declared_json(p: &Publisher) -> Value {
    json!({
        "kind": p.provider.id(),
        "repository": declared_repository(p),
        "workflow": p.workflow,
        "environment": p.environment,
    })
}

fn names(entries: &[&LedgerEntry]) -> String {
    let mut shown: Vec<String> = entries.iter().take(5).map(|e| e.version.clone()).collect();
    if entries.len() > 5 {
        shown.push(format!("{} more", entries.len() - 5));
    }
    shown.join(", ")
}

fn how(p: &Publisher, registry: Registry, e: &LedgerEntry) -> String {
    match evidence(p, registry, e) {
        Evidence::Token => format!(
            "{} was published by {}",
            e.version,
            e.published_by
                .first()
                .map_or_else(|| "an account's token".into(), PublishedBy::describe)
        ),
        Evidence::None => format!(
            "{} has files without provenance ({}): uploaded with a token, or through Trusted Publishing without attestations",
            e.version,
            e.without_provenance.join(", ")
        ),
        _ => format!(
            "{} was published by {}",
            e.version,
            e.published_by
                .iter()
                .filter(|by| is_declared(p, registry, by) == Some(false))
                .map(PublishedBy::describe)
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

/// The drifts of `ledger` for publisher `p`. `skip_latest_other`: the newest version's other
/// publishers are already reported per file (drift's latest-release check), so only older
/// versions count for `published-by-other-publisher`.
pub fn drifts(p: &Publisher, ledger: &Ledger, skip_latest_other: bool) -> Vec<Drift> {
    let registry = ledger.registry;
    // Oldest first: the order of publishing.
    let mut chronological: Vec<&LedgerEntry> = ledger.entries.iter().collect();
    chronological.reverse();
    chronological.sort_by_key(|e| e.published_at.unwrap_or(i64::MIN));
    let mut baseline: Option<&LedgerEntry> = None;
    let mut downgraded: Vec<&LedgerEntry> = Vec::new();
    let mut others: Vec<&LedgerEntry> = Vec::new();
    for e in &chronological {
        let ev = evidence(p, registry, e);
        if ev == Evidence::Other {
            let latest = ledger.entries.first().is_some_and(|l| std::ptr::eq(l, *e));
            if !(skip_latest_other && latest) {
                others.push(e);
            }
        }
        if baseline.is_some() && matches!(ev, Evidence::Other | Evidence::Token | Evidence::None) {
            downgraded.push(e);
        }
        if ev == Evidence::Declared && baseline.is_none() {
            baseline = Some(e);
        }
    }
    let mut out = Vec::new();
    if let (Some(base), Some(first)) = (baseline, downgraded.first()) {
        let detail: Vec<String> = downgraded
            .iter()
            .take(3)
            .map(|e| how(p, registry, e))
            .collect();
        let consumers = match registry {
            Registry::Npm => {
                "; installers that enforce trust (pnpm's trustPolicy) refuse such a version"
            }
            _ => "; a consumer that checks how versions were published sees the trust drop",
        };
        out.push(Drift {
            kind: DriftKind::TrustDowngrade,
            expected: declared_json(p),
            actual: Value::Array(downgraded.iter().map(|e| entry_json(e)).collect()),
            evidence: first.evidence.clone(),
            message: format!(
                "{} of {} published without the declared publisher after {} was published by it: {}{consumers}",
                names(&downgraded),
                p.project,
                base.version,
                detail.join("; ")
            ),
        });
    }
    if let Some(first) = others.first() {
        let detail: Vec<String> = others.iter().take(3).map(|e| how(p, registry, e)).collect();
        out.push(Drift {
            kind: DriftKind::PublishedByOtherPublisher,
            expected: declared_json(p),
            actual: Value::Array(others.iter().map(|e| entry_json(e)).collect()),
            evidence: first.evidence.clone(),
            message: format!(
                "{} of {} published by another identity than the declared publisher: {}",
                names(&others),
                p.project,
                detail.join("; ")
            ),
        });
    }
    out
}

/// Adds what the ledger shows to a publisher's drift report: its drifts (drift's own check of
/// the latest PyPI release already names that release's other publishers, so only older
/// versions count there), the versions that could not be read as unknowns, a note where the
/// registry does not say who published; then the status again.
pub fn apply(report: &mut PublisherReport, ledger: &Fetched<Ledger>) {
    let p = report.publisher.clone();
    match ledger {
        Ok(l) => {
            for d in drifts(&p, l, l.registry.is_python_index()) {
                report.drifts.push(d);
            }
            for e in &l.entries {
                if let Some(u) = &e.unknown
                    && !report.unknown.contains(u)
                {
                    report.unknown.push(u.clone());
                }
            }
        }
        Err(u) if super::ledger::unread_reason(p.registry).is_some() => {
            report.notes.push(format!("ledger: {}", u.reason));
        }
        Err(u) => report.unknown.push(u.clone()),
    }
    restatus(report);
}

/// Puts the drifts in report order and the status in line with them and the unknowns.
pub fn restatus(report: &mut PublisherReport) {
    report
        .drifts
        .sort_by_key(|d| DriftKind::ALL.iter().position(|k| *k == d.kind));
    report.status = if !report.drifts.is_empty() {
        Status::Drift
    } else if !report.unknown.is_empty() {
        Status::Unknown
    } else {
        Status::Ok
    };
}

/// Whether the newest version whose publisher is known was published with an account's token.
pub fn latest_by_token(ledger: &Ledger) -> bool {
    ledger
        .entries
        .iter()
        .find(|e| e.trusted.is_some())
        .is_some_and(|e| e.trusted == Some(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publisher(registry: &str) -> Publisher {
        let text = format!(
            "[[publisher]]\nregistry='{registry}'\nproject='widget'\nowner='octo'\nrepository='widget'\nworkflow='release.yml'\n"
        );
        crate::config::parse(crate::source::SourceFile::new("e.toml", text))
            .unwrap()
            .publishers
            .remove(0)
    }

    fn entry(
        version: &str,
        at: i64,
        by: Option<PublishedBy>,
        trusted: Option<bool>,
    ) -> LedgerEntry {
        LedgerEntry {
            version: version.into(),
            published_at: Some(at),
            published_by: by.into_iter().collect(),
            trusted,
            without_provenance: Vec::new(),
            evidence: format!("e/{version}"),
            unknown: None,
        }
    }

    fn declared() -> PublishedBy {
        PublishedBy::trusted(
            "github",
            Some("octo/widget".into()),
            Some("release.yml".into()),
        )
    }

    #[test]
    fn a_token_publish_after_the_declared_publisher_is_a_downgrade() {
        let p = publisher("npm");
        let ledger = Ledger {
            registry: Registry::Npm,
            url: "u".into(),
            entries: vec![
                entry(
                    "2.0.0",
                    30,
                    Some(PublishedBy::user(Some("alice".into()))),
                    Some(false),
                ),
                entry("1.1.0", 20, Some(declared()), Some(true)),
                entry(
                    "1.0.0",
                    10,
                    Some(PublishedBy::user(Some("alice".into()))),
                    Some(false),
                ),
            ],
        };
        let d = drifts(&p, &ledger, false);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].kind, DriftKind::TrustDowngrade);
        assert!(
            d[0].message.starts_with("2.0.0 of widget"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("after 1.1.0"), "{}", d[0].message);
        assert_eq!(d[0].evidence, "e/2.0.0");
        assert!(latest_by_token(&ledger));
    }

    #[test]
    fn another_repository_is_another_publisher_and_a_downgrade_after_the_declared_one() {
        let p = publisher("crates-io");
        let other = PublishedBy::trusted("github", Some("mallory/widget".into()), None);
        // crates.io folds the case of owner and repository.
        let upper = PublishedBy::trusted("github", Some("Octo/Widget".into()), None);
        let ledger = Ledger {
            registry: Registry::CratesIo,
            url: "u".into(),
            entries: vec![
                entry("1.2.0", 30, Some(other), Some(true)),
                entry("1.1.0", 20, Some(upper), Some(true)),
            ],
        };
        let kinds: Vec<DriftKind> = drifts(&p, &ledger, false).iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [
                DriftKind::TrustDowngrade,
                DriftKind::PublishedByOtherPublisher
            ]
        );
        assert!(
            drifts(&p, &ledger, true)
                .iter()
                .all(|d| d.kind != DriftKind::PublishedByOtherPublisher)
        );
    }

    #[test]
    fn pypi_files_without_provenance_after_provenance_are_a_downgrade() {
        let p = publisher("pypi");
        let mut late = entry("1.1.0", 20, None, None);
        late.without_provenance = vec!["widget-1.1.0.tar.gz".into()];
        let ledger = Ledger {
            registry: Registry::Pypi,
            url: "u".into(),
            entries: vec![late, entry("1.0.0", 10, Some(declared()), Some(true))],
        };
        let d = drifts(&p, &ledger, true);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("without provenance"),
            "{}",
            d[0].message
        );
        // Nothing before the declared publisher's first version is a downgrade.
        let ledger = Ledger {
            entries: ledger.entries.into_iter().rev().collect(),
            ..ledger
        };
        let mut swapped = ledger.clone();
        swapped.entries[1].published_at = Some(5);
        assert!(drifts(&p, &swapped, true).is_empty());
    }
}
