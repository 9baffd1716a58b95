//! Live state, fetched. A source turns API answers into facts and never judges them: the
//! comparison in [`super::compare`] does. GitHub is one source for every publisher; each
//! registry has its own behind [`RegistrySource`], so the registries of later work (crates.io's
//! Trusted Publishing configuration API, RubyGems' API) plug in beside PyPI's.

pub mod github;
pub mod pypi;
pub mod unread;

use crate::config::Publisher;
use crate::registry::Registry;

use super::http::{FetchError, Http};

/// A check that could not be made, and why. It becomes an `unknown` entry of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The source: `github`, `pypi`, `testpypi`.
    pub source: &'static str,
    /// The check it blocks: `repository`, `environment`, `provenance`, ...
    pub check: &'static str,
    /// The URL asked, when there was one.
    pub url: Option<String>,
    /// Why, in one line.
    pub reason: String,
}

impl Unknown {
    /// An unknown from a failed fetch of `url`.
    pub fn fetch(source: &'static str, check: &'static str, url: &str, e: &FetchError) -> Self {
        Self {
            source,
            check,
            url: Some(url.to_owned()),
            reason: e.to_string(),
        }
    }

    /// An unknown with its own reason.
    pub fn new(
        source: &'static str,
        check: &'static str,
        url: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            source,
            check,
            url: url.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

/// A fact, or why it is not known.
pub type Fetched<T> = Result<T, Unknown>;

/// Who uploaded an artifact, as the registry recorded it (PEP 740 provenance's `publisher`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploaderIdentity {
    /// `GitHub`, `GitLab`, `Google`, ...
    pub kind: String,
    /// `owner/repo` for GitHub.
    pub repository: Option<String>,
    /// The workflow file name for GitHub.
    pub workflow: Option<String>,
    /// The environment; `None` for none (old provenance writes `""`, read as none).
    pub environment: Option<String>,
}

/// What the registry holds about one artifact's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The registry has none for this file; `evidence` is where that was seen.
    Missing {
        /// The URL that showed it.
        evidence: String,
    },
    /// The provenance document and the identities in it.
    Present {
        /// The provenance document's URL.
        url: String,
        /// One per attestation bundle.
        uploaders: Vec<UploaderIdentity>,
    },
}

/// One file of the latest release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The file name.
    pub filename: String,
    /// Its provenance, or why it is unknown.
    pub provenance: Fetched<Provenance>,
}

/// The latest release of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version string.
    pub version: String,
    /// The URL the release was read from.
    pub url: String,
    /// Its files.
    pub artifacts: Vec<Artifact>,
}

/// What the registry says about the declared project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    /// The registry has no such project.
    Missing {
        /// The URL that answered 404.
        url: String,
    },
    /// The project exists; its latest release, if it has one.
    Present(Option<Release>),
}

/// Everything a registry source observed for one publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFacts {
    /// The registry.
    pub registry: Registry,
    /// The project and its latest release.
    pub project: Fetched<Project>,
}

/// A registry's live state. Implementations fetch through the shared [`Http`] (which retries,
/// caches and records) and report failures as [`Unknown`]s, never as panics or errors.
pub trait RegistrySource: Sync {
    /// The registry it reads.
    fn registry(&self) -> Registry;
    /// Observes the project of `publisher`.
    fn observe(&self, http: &Http, publisher: &Publisher) -> RegistryFacts;
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters pass).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A JSON string field, or `None`.
pub fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}
