//! The publishing ledger: for one project, its last N versions with the identity that really
//! published each, as the registry itself recorded it. A source, like [`super::source`]: it
//! reads and never judges; [`super::trust`] turns a ledger into `trust-downgrade` and
//! `published-by-other-publisher` drifts.
//!
//! What each registry shows, read at the snapshots cited in each module:
//!
//! - PyPI and TestPyPI ([`pypi`]): the JSON API's `releases` (every version and its files),
//!   the simple API's `provenance` URL per file, and the integrity API's PEP 740 provenance,
//!   whose `publisher` is the identity that uploaded the file. No provenance says nothing
//!   either way (a token, or Trusted Publishing without attestations).
//! - npm ([`npm`]): the packument's `_npmUser.trustedPublisher` per version (present: Trusted
//!   Publishing), `dist.attestations` and, through its `url`, the SLSA provenance statement
//!   naming the workflow's repository and file.
//! - crates.io ([`crates_io`]): each version's `trustpub_data` (the repository, the run) or,
//!   for a token publish, `published_by` (the user).
//! - RubyGems and NuGet: their APIs do not say who pushed a version ([`unread_reason`]).

pub mod crates_io;
pub mod npm;
pub mod pypi;

use serde_json::{Value, json};

use super::source::{Fetched, Unknown};
use crate::identity::{Publisher, Registry};
use crate::net::http::Http;

/// The default number of versions read (`--versions`).
pub const DEFAULT_VERSIONS: u32 = 10;

/// The most versions `--versions` may ask for.
pub const MAX_VERSIONS: u32 = 100;

/// Who published a version, as the registry recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedBy {
    /// `github`, `gitlab` or `google` for a Trusted Publisher; `user` for an account's token;
    /// `trusted-publisher` when the registry says only that one was used (npm without
    /// provenance).
    pub kind: String,
    /// `owner/name` (GitHub), the project path (GitLab).
    pub repository: Option<String>,
    /// The workflow file name (GitHub), the pipeline file path (GitLab), where recorded.
    pub workflow: Option<String>,
    /// The environment, where recorded (PyPI's provenance only).
    pub environment: Option<String>,
    /// The account of a token publish (`user`), or a Google service account's email.
    pub user: Option<String>,
    /// The run or job that published it, as a URL, where recorded (crates.io).
    pub run: Option<String>,
}

impl PublishedBy {
    /// A Trusted Publisher of `kind` with what the registry recorded of it.
    pub fn trusted(kind: &str, repository: Option<String>, workflow: Option<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            repository,
            workflow,
            environment: None,
            user: None,
            run: None,
        }
    }

    /// A registry account's token.
    pub fn user(name: Option<String>) -> Self {
        Self {
            kind: "user".into(),
            repository: None,
            workflow: None,
            environment: None,
            user: name,
            run: None,
        }
    }

    /// Whether this is a Trusted Publisher (not an account's token).
    pub fn is_trusted_publisher(&self) -> bool {
        self.kind != "user"
    }

    /// In one line, for messages.
    pub fn describe(&self) -> String {
        match self.kind.as_str() {
            "user" => match &self.user {
                Some(u) => format!("the account `{u}` with a token"),
                None => "an account's token".into(),
            },
            "trusted-publisher" => "a Trusted Publisher the registry does not name".into(),
            "google" => format!(
                "Google service account {}",
                self.user.as_deref().unwrap_or("(unnamed)")
            ),
            kind => {
                let mut text = format!("{kind} {}", self.repository.as_deref().unwrap_or("?"));
                if let Some(w) = &self.workflow {
                    text.push_str(&format!(", workflow {w}"));
                }
                if let Some(e) = &self.environment {
                    text.push_str(&format!(", environment {e}"));
                }
                text
            }
        }
    }

    /// As JSON: every field, `null` where not recorded.
    pub fn to_json(&self) -> Value {
        json!({
            "kind": self.kind,
            "repository": self.repository,
            "workflow": self.workflow,
            "environment": self.environment,
            "user": self.user,
            "run": self.run,
        })
    }
}

/// One version of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The version string.
    pub version: String,
    /// When it was published (epoch seconds), where the registry says.
    pub published_at: Option<i64>,
    /// Every distinct identity that published its files, in file order (PyPI publishes files
    /// one by one; the other registries one identity per version). Empty when not recorded.
    pub published_by: Vec<PublishedBy>,
    /// `Some(true)`: published through Trusted Publishing; `Some(false)`: with an account's
    /// token; `None`: the registry does not say (PyPI without provenance), or it could not be
    /// read (`unknown`).
    pub trusted: Option<bool>,
    /// Files of the version without provenance (PyPI), by name.
    pub without_provenance: Vec<String>,
    /// The URL that shows it.
    pub evidence: String,
    /// Why part of it could not be read, when it could not.
    pub unknown: Option<Unknown>,
}

/// The last versions of a project, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    /// The registry.
    pub registry: Registry,
    /// The URL the versions were listed from.
    pub url: String,
    /// Newest first, at most the versions asked for.
    pub entries: Vec<LedgerEntry>,
}

/// The JSON document at `url` from `source`, for the ledger: a failure, or an answer other
/// than 200 (in `whose` `what`'s words: "npm's" "registry"), is the check's unknown.
pub fn get_json(
    http: &Http,
    source: &'static str,
    url: &str,
    (whose, what): (&str, &str),
) -> Fetched<Value> {
    let r = http
        .get(url, "application/json")
        .map_err(|e| Unknown::fetch(source, "ledger", url, &e))?;
    if r.status != 200 {
        return Err(Unknown::new(
            source,
            "ledger",
            Some(url),
            super::source::refused_text(&r.body, r.status, whose, what),
        ));
    }
    r.json()
        .map_err(|e| Unknown::fetch(source, "ledger", url, &e))
}

/// Why a registry's ledger is not read: its API does not say who published a version.
pub fn unread_reason(registry: Registry) -> Option<&'static str> {
    match registry {
        // Version#payload (app/models/version.rb @3c8ea0d4cbe8, lines 349-367) has no pusher
        // and no trusted publisher; only an owner's mail names them.
        Registry::RubyGems => Some(
            "RubyGems' API does not say who pushed a version (its versions carry no pusher or trusted publisher)",
        ),
        Registry::NuGet => Some("NuGet's API does not say who pushed a version"),
        _ => None,
    }
}

/// Reads the ledger of `publisher`'s project: its last `versions` versions.
pub fn observe(http: &Http, publisher: &Publisher, versions: u32) -> Fetched<Ledger> {
    let registry = publisher.registry;
    let versions = versions.clamp(1, MAX_VERSIONS) as usize;
    if let Some(why) = unread_reason(registry) {
        return Err(Unknown::new(registry.id(), "ledger", None, why));
    }
    match registry {
        Registry::Pypi | Registry::TestPypi => {
            pypi::observe(http, registry, &publisher.project, versions)
        }
        Registry::Npm => npm::observe(http, &publisher.project, versions),
        Registry::CratesIo => crates_io::observe(http, &publisher.project, versions),
        Registry::RubyGems | Registry::NuGet => unreachable_unread(registry),
    }
}

fn unreachable_unread(registry: Registry) -> Fetched<Ledger> {
    Err(Unknown::new(
        registry.id(),
        "ledger",
        None,
        "this registry's ledger is not read",
    ))
}

/// `owner/name` from a repository URL (`https://github.com/owner/name`) or `owner/name`.
pub fn repository_slug(s: &str) -> Option<String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .map_or(s, |r| r.split_once('/').map_or("", |(_, p)| p));
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (owner, name) = rest.split_once('/')?;
    (!owner.is_empty() && !name.is_empty() && !name.contains('/'))
        .then(|| format!("{owner}/{name}"))
}

/// The file name of a workflow path (`.github/workflows/release.yml` is `release.yml`).
pub fn workflow_file(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_slugs_from_urls() {
        assert_eq!(
            repository_slug("https://github.com/octo/widget").as_deref(),
            Some("octo/widget")
        );
        assert_eq!(
            repository_slug("octo/widget").as_deref(),
            Some("octo/widget")
        );
        assert_eq!(repository_slug("https://github.com/octo"), None);
        assert_eq!(
            workflow_file(".github/workflows/release.yml"),
            "release.yml"
        );
    }

    #[test]
    fn descriptions_name_the_identity() {
        let mut by = PublishedBy::trusted("github", Some("o/r".into()), Some("r.yml".into()));
        by.environment = Some("pypi".into());
        assert_eq!(
            by.describe(),
            "github o/r, workflow r.yml, environment pypi"
        );
        assert_eq!(
            PublishedBy::user(Some("alice".into())).describe(),
            "the account `alice` with a token"
        );
    }
}
