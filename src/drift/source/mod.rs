//! Live state, fetched. A source turns API answers into facts and never judges them: the
//! comparison in [`super::compare`] does. GitHub is one source for every publisher; each
//! registry has its own behind [`RegistrySource`]: PyPI's provenance ([`pypi`]), crates.io's
//! Trusted Publishing configs ([`crates_io`]), RubyGems' trusted publishers ([`rubygems`]), and
//! the registries that cannot be read ([`unread`]).

pub mod crates_io;
pub mod github;
pub mod names;
pub mod pypi;
pub mod rubygems;
pub mod unread;

use crate::identity::Publisher;
use crate::identity::Registry;

use crate::net::http::Http;
use crate::net::response::FetchError;

/// A check that could not be made, and why. It becomes an `unknown` entry of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The source: `github`, or the registry's id (`pypi`, `testpypi`, `crates-io`, `rubygems`,
    /// `npm`, `nuget`).
    pub source: &'static str,
    /// The check it blocks: `repository`, `environment`, `provenance`, `publishers`, ...
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
    /// The service account's email for Google.
    pub email: Option<String>,
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
    /// The project exists, and the registry keeps no provenance that names the uploading
    /// workflow, or trustpub does not read it (crates.io, RubyGems).
    ExistsWithoutProvenance {
        /// The URL that showed it exists.
        url: String,
        /// Why no provenance is read there, in one line.
        reason: String,
    },
}

/// A publisher as the registry itself holds it: a crates.io Trusted Publishing config, a
/// RubyGems trusted publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePublisher {
    /// The registry's id of it, as text.
    pub id: Option<String>,
    /// `github` for GitHub Actions; otherwise the registry's own type name (RubyGems'
    /// `OIDC::TrustedPublisher::GitLab`), which never matches a GitHub publisher.
    pub kind: String,
    /// The registry's display name of it, where it gives one (RubyGems' `name`).
    pub name: Option<String>,
    /// The repository owner.
    pub owner: String,
    /// The repository name.
    pub repository: String,
    /// The owner's numeric id the registry pinned, as text.
    pub owner_id: Option<String>,
    /// The workflow file name.
    pub workflow: String,
    /// The environment; `None`: any.
    pub environment: Option<String>,
    /// RubyGems: the repository of a reusable workflow in another repository.
    pub workflow_repository: Option<(String, String)>,
}

/// The publishers a registry holds for one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePublishers {
    /// The URL they were read from (the first page).
    pub url: String,
    /// Every publisher, in the registry's order.
    pub publishers: Vec<LivePublisher>,
}

/// Everything a registry source observed for one publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFacts {
    /// The registry.
    pub registry: Registry,
    /// The project and its latest release.
    pub project: Fetched<Project>,
    /// The publishers the registry holds for the project, where it lets them be read
    /// (crates.io, RubyGems); `None` where they are not read this way (PyPI shows who uploaded
    /// each file instead; npm and NuGet offer no read) or the project does not exist.
    pub publishers: Option<Fetched<LivePublishers>>,
}

/// A registry's live state. Implementations fetch through the shared [`Http`] (which retries,
/// caches and records) and report failures as [`Unknown`]s, never as panics or errors.
pub trait RegistrySource: Sync {
    /// The registry it reads.
    fn registry(&self) -> Registry;
    /// Observes the project of `publisher`.
    fn observe(&self, http: &Http, publisher: &Publisher) -> RegistryFacts;
}

/// An unknown for a value that breaks the name rules of what it names: it is not asked for
/// (see [`names`]).
pub fn invalid_name(source: &'static str, check: &'static str, what: &str, value: &str) -> Unknown {
    Unknown::new(
        source,
        check,
        None,
        format!("`{value}` is not a valid {what}, so it was not looked up"),
    )
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters pass).
pub use crate::percent::encode as segment;

/// The facts of a registry whose publishers are read after its project: when the project is
/// missing they are not asked for.
pub fn project_and_publishers(
    registry: Registry,
    project: Fetched<Project>,
    publishers: impl FnOnce() -> Fetched<LivePublishers>,
) -> RegistryFacts {
    let publishers = match &project {
        Ok(Project::Missing { .. }) => None,
        _ => Some(publishers()),
    };
    RegistryFacts {
        registry,
        project,
        publishers,
    }
}

/// `HTTP {status} from {whose} {api}`, with the error's text when the body has one.
pub fn refused_text(body: &[u8], status: u16, whose: &str, api: &str) -> String {
    match error_detail(body) {
        Some(d) => format!(
            "HTTP {status} from {whose} {api}: {}",
            d.trim_end_matches('.')
        ),
        None => format!("HTTP {status} from {whose} {api}"),
    }
}

/// A project of a registry that keeps no provenance trustpub reads: it exists when `url`
/// answers 200 with a document that `named` accepts, is missing on 404, and unknown otherwise.
#[allow(clippy::too_many_arguments)]
pub fn project_without_provenance(
    http: &crate::net::http::Http,
    source: &'static str,
    url: String,
    whose: &str,
    api: &str,
    named: impl Fn(&serde_json::Value) -> bool,
    expected: &str,
    no_provenance: &str,
) -> Fetched<Project> {
    let r = http
        .get(&url, "application/json")
        .map_err(|e| Unknown::fetch(source, "project", &url, &e))?;
    match r.status {
        200 => {}
        404 => return Ok(Project::Missing { url }),
        s => {
            return Err(Unknown::new(
                source,
                "project",
                Some(&url),
                refused_text(&r.body, s, whose, api),
            ));
        }
    }
    let doc = r
        .json()
        .map_err(|e| Unknown::fetch(source, "project", &url, &e))?;
    if !named(&doc) {
        return Err(Unknown::new(
            source,
            "project",
            Some(&url),
            format!("unexpected response: no `{expected}`"),
        ));
    }
    Ok(Project::ExistsWithoutProvenance {
        url,
        reason: no_provenance.into(),
    })
}

/// The first error text of an API's error body: crates.io's `{"errors": [{"detail": ...}]}`,
/// RubyGems' `{"error": ...}` or plain text; at most 200 characters, on one line.
pub fn error_detail(body: &[u8]) -> Option<String> {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => v
            .get("errors")
            .and_then(|e| e.get(0))
            .and_then(|e| str_field(e, "detail"))
            .or_else(|| str_field(&v, "error"))
            .or_else(|| str_field(&v, "message"))
            .map(str::to_owned)?,
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() || line.starts_with('<') {
        return None;
    }
    Some(match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    })
}

/// A JSON value that is a string or a number, as text (ids are numbers on crates.io and
/// strings on RubyGems).
pub fn text_field(v: &serde_json::Value, key: &str) -> Option<String> {
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON string field, or `None`.
pub fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}
