//! crates.io's answers, read with its own texts (rust-lang/crates.io @57fa000662f5
//! `src/controllers/trustpub/tokens/exchange/mod.rs`; every refusal is HTTP 400 with one
//! `errors[].detail`).

use crate::identity::{Claim, Publisher};
use crate::registry::answer::{self, Answer, Meaning, Reading, cause};

/// What crates.io's answer says about this publisher.
pub fn read(p: &Publisher, a: &Answer<'_>) -> Reading {
    let text = a.text.trim();
    let reading = |meaning, cause| answer::reading(a, text, meaning, cause);
    let after = |marker: &str| answer::ticked_after(text, marker).map(str::to_owned);
    // `Expected workflow filenames: `a.yml`, `b.yml`` / `Expected owner IDs: 1, 2.`
    let held = text
        .split_once(". Expected ")
        .or_else(|| text.split_once(" Expected "))
        .map(|(_, rest)| {
            let list = rest.split_once(": ").map_or(rest, |(_, l)| l);
            let list = list.split(". Please").next().unwrap_or(list);
            list.trim_end_matches('.').to_owned()
        });
    let reading = |meaning, cause| Reading {
        held: held.clone(),
        ..reading(meaning, cause)
    };
    if let Some(repo) = after("No Trusted Publishing config found for repository ") {
        // It names the repository it looked up: the declared one (without case, as crates.io
        // compares), or another.
        let declared = format!("{}/{}", p.owner, p.repository);
        if repo.to_lowercase() == declared.to_lowercase() {
            return reading(Meaning::NotFound, None);
        }
        let (owner, name) = repo.split_once('/').unwrap_or((repo.as_str(), ""));
        let (field, expected, actual) = if owner.to_lowercase() != p.owner.to_lowercase() {
            ("owner", p.owner.clone(), owner.to_owned())
        } else {
            ("repository", p.repository.clone(), name.to_owned())
        };
        return reading(
            Meaning::NotFound,
            Some(cause(
                field,
                "repository",
                Some(expected),
                Claim::Present(actual),
                "case-insensitive",
            )),
        );
    }
    if text.contains("does not match the repository owner ID") {
        let id = text
            .split_once("repository owner ID (")
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(id, _)| id.to_owned());
        return reading(
            Meaning::Refusal,
            Some(cause(
                "owner-id",
                "repository_owner_id",
                p.owner_id.clone(),
                id.map_or(Claim::Unknown, Claim::Present),
                "exact (pinned when the config was created)",
            )),
        );
    }
    if let Some(file) = after("does not match the workflow filename ") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "workflow",
                "workflow_ref",
                Some(p.workflow.clone()),
                Claim::Present(file),
                "exact (file in `workflow_ref`: the caller)",
            )),
        );
    }
    if let Some(env) = after("does not match the environment ") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "environment",
                "environment",
                p.environment.clone(),
                Claim::Present(env),
                "case-insensitive",
            )),
        );
    }
    if text.contains("requires an environment, but the JWT does not specify one") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "environment",
                "environment",
                p.environment.clone(),
                Claim::Missing,
                "case-insensitive",
            )),
        );
    }
    if let Some(event) = after("Trusted Publishing does not support the ") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "event_name",
                "event_name",
                Some("not pull_request_target or workflow_run".into()),
                Claim::Present(event),
                "`pull_request_target`, `workflow_run` refused",
            )),
        );
    }
    if let Some(iss) = text.strip_prefix("Unsupported JWT issuer: ") {
        return reading(Meaning::Refusal, Some(answer::issuer_cause(iss)));
    }
    reading(Meaning::Refusal, None)
}
