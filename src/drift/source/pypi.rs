//! PyPI and TestPyPI: the JSON API for the latest release and its files, the simple API for
//! which files carry PEP 740 provenance, and the integrity API for each provenance document,
//! whose `publisher` is the identity that really uploaded the file.
//!
//! Quirks handled (reference: pypi-trusted-publishing.md §6): the JSON API has no provenance;
//! the simple API's `provenance` is an absolute URL, or `null` when there is none; the
//! integrity API answers 404 when there is none and 403 while attestations are disabled;
//! provenance stored before pypi-attestations 0.0.17 may say `"environment": ""` (read as
//! none) and carry `"claims": null`.

use serde_json::Value;

use super::{
    Artifact, Fetched, Project, Provenance, RegistryFacts, RegistrySource, Release, Unknown,
    UploaderIdentity, segment, str_field,
};
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::net::http::Http;
use crate::net::response::FetchError;

/// `Accept` of the simple API's JSON form (PEP 691).
pub const SIMPLE_JSON: &str = "application/vnd.pypi.simple.v1+json";
/// `Accept` of the integrity API.
pub const INTEGRITY_JSON: &str = "application/vnd.pypi.integrity.v1+json";

/// PyPI or TestPyPI at a base URL (`--pypi-url`, `--testpypi-url`).
#[derive(Debug, Clone)]
pub struct PypiSource {
    /// Which index.
    pub registry: Registry,
}

impl RegistrySource for PypiSource {
    fn registry(&self) -> Registry {
        self.registry
    }

    fn observe(&self, http: &Http, publisher: &Publisher) -> RegistryFacts {
        RegistryFacts {
            registry: self.registry,
            project: self.project(http, &publisher.project),
            publishers: None,
        }
    }
}

impl PypiSource {
    fn id(&self) -> &'static str {
        self.registry.id()
    }

    fn unknown(&self, check: &'static str, url: &str, reason: impl Into<String>) -> Unknown {
        Unknown::new(self.id(), check, Some(url), reason)
    }

    fn project(&self, http: &Http, name: &str) -> Fetched<Project> {
        if !super::names::pypi_project(name) {
            let what = format!("{} project name", self.registry.name());
            return Err(super::invalid_name(self.id(), "project", &what, name));
        }
        let base = http.base(self.id());
        let url = format!("{base}/pypi/{}/json", segment(name));
        let r = http
            .get(&url, "application/json")
            .map_err(|e| Unknown::fetch(self.id(), "project", &url, &e))?;
        match r.status {
            200 => {}
            404 => return Ok(Project::Missing { url }),
            s => return Err(self.unknown("project", &url, format!("HTTP {s} from the JSON API"))),
        }
        let doc = r
            .json()
            .map_err(|e| Unknown::fetch(self.id(), "project", &url, &e))?;
        let Some(version) = doc.get("info").and_then(|i| str_field(i, "version")) else {
            return Err(self.unknown("project", &url, "unexpected response: no `info.version`"));
        };
        let Some(files) = doc.get("urls").and_then(Value::as_array) else {
            return Err(self.unknown("project", &url, "unexpected response: no `urls` list"));
        };
        let filenames: Vec<String> = files
            .iter()
            .filter_map(|f| str_field(f, "filename").map(str::to_owned))
            .collect();
        if filenames.len() != files.len() {
            return Err(self.unknown(
                "project",
                &url,
                "unexpected response: a file without `filename`",
            ));
        }
        let provenance_urls = self.simple_index(http, name);
        let artifacts = filenames
            .into_iter()
            .map(|filename| {
                let provenance = match &provenance_urls {
                    Err(u) => Err(u.clone()),
                    Ok((simple_url, listed)) => match listed.iter().find(|(f, _)| *f == filename) {
                        None => Err(self.unknown(
                            "provenance",
                            simple_url,
                            format!("the simple API does not list {filename}"),
                        )),
                        Some((_, None)) => Ok(Provenance::Missing {
                            evidence: simple_url.clone(),
                        }),
                        Some((_, Some(p))) => self.provenance(http, &rebase(base, p), &filename),
                    },
                };
                Artifact {
                    filename,
                    provenance,
                }
            })
            .collect();
        Ok(Project::Present(Some(Release {
            version: version.to_owned(),
            url,
            artifacts,
        })))
    }

    /// The simple API's files: file name and provenance URL (`None` when it has none).
    #[allow(clippy::type_complexity)]
    pub fn simple_index(
        &self,
        http: &Http,
        name: &str,
    ) -> Fetched<(String, Vec<(String, Option<String>)>)> {
        let url = format!(
            "{}/simple/{}/",
            http.base(self.id()),
            segment(&crate::registry::pypi::normalize(name))
        );
        let r = http
            .get(&url, SIMPLE_JSON)
            .map_err(|e| Unknown::fetch(self.id(), "provenance", &url, &e))?;
        if r.status != 200 {
            return Err(self.unknown(
                "provenance",
                &url,
                format!("HTTP {} from the simple API", r.status),
            ));
        }
        let doc = r
            .json()
            .map_err(|e| Unknown::fetch(self.id(), "provenance", &url, &e))?;
        let Some(files) = doc.get("files").and_then(Value::as_array) else {
            return Err(self.unknown("provenance", &url, "unexpected response: no `files` list"));
        };
        let listed = files
            .iter()
            .filter_map(|f| {
                let name = str_field(f, "filename")?.to_owned();
                Some((name, str_field(f, "provenance").map(str::to_owned)))
            })
            .collect();
        Ok((url, listed))
    }

    /// The provenance of one file from the integrity API at `url`: its uploaders, missing on
    /// 404, unknown otherwise.
    pub fn provenance(&self, http: &Http, url: &str, filename: &str) -> Fetched<Provenance> {
        let r = http
            .get(url, INTEGRITY_JSON)
            .map_err(|e| Unknown::fetch(self.id(), "provenance", url, &e))?;
        match r.status {
            200 => {}
            404 => {
                return Ok(Provenance::Missing {
                    evidence: url.to_owned(),
                });
            }
            403 => {
                let why = r
                    .json()
                    .ok()
                    .and_then(|d| str_field(&d, "message").map(str::to_owned))
                    .unwrap_or_else(|| "forbidden".into());
                return Err(self.unknown(
                    "provenance",
                    url,
                    format!("HTTP 403 for {filename}: {why}"),
                ));
            }
            s => {
                return Err(self.unknown(
                    "provenance",
                    url,
                    format!("HTTP {s} from the integrity API for {filename}"),
                ));
            }
        }
        let doc = r
            .json()
            .map_err(|e| Unknown::fetch(self.id(), "provenance", url, &e))?;
        let bundles = doc
            .get("attestation_bundles")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(self.id(), url, "no `attestation_bundles` list"))?;
        let uploaders = bundles
            .iter()
            .map(|b| uploader(b.get("publisher")))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed(self.id(), url, "a bundle without a `publisher` kind"))?;
        Ok(Provenance::Present {
            url: url.to_owned(),
            uploaders,
        })
    }
}

fn malformed(source: &'static str, url: &str, what: &str) -> Unknown {
    Unknown::fetch(
        source,
        "provenance",
        url,
        &FetchError::Malformed(what.into()),
    )
}

fn uploader(p: Option<&Value>) -> Option<UploaderIdentity> {
    let p = p?;
    let text = |k: &str| str_field(p, k).filter(|s| !s.is_empty()).map(str::to_owned);
    Some(UploaderIdentity {
        kind: str_field(p, "kind")?.to_owned(),
        repository: text("repository"),
        workflow: text("workflow").or_else(|| text("workflow_filepath")),
        environment: text("environment"),
        email: text("email"),
    })
}

/// The integrity URL the simple API gave, fetched from the configured index: an absolute URL
/// on another host keeps its path (so a mirror or a local server is asked, not pypi.org).
pub fn rebase(base: &str, url: &str) -> String {
    if url.starts_with(base) {
        return url.to_owned();
    }
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    format!("{base}/{}", path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalize_as_pep_503() {
        use crate::registry::pypi::normalize;
        assert_eq!(normalize("Friendly-Bard"), "friendly-bard");
        assert_eq!(normalize("FRIENDLY._-bard"), "friendly-bard");
        assert_eq!(normalize("owlclaw"), "owlclaw");
    }

    #[test]
    fn integrity_urls_are_asked_of_the_configured_index() {
        let b = "http://127.0.0.1:9";
        assert_eq!(
            rebase(b, "https://pypi.org/integrity/x/1/x.whl/provenance"),
            "http://127.0.0.1:9/integrity/x/1/x.whl/provenance"
        );
        assert_eq!(
            rebase(b, "http://127.0.0.1:9/integrity/a"),
            "http://127.0.0.1:9/integrity/a"
        );
        assert_eq!(rebase(b, "/integrity/a"), "http://127.0.0.1:9/integrity/a");
    }

    #[test]
    fn old_provenance_with_an_empty_environment_means_none() {
        let p = serde_json::json!({"kind": "GitHub", "repository": "o/r", "workflow": "release.yml", "environment": "", "claims": null});
        let u = uploader(Some(&p)).unwrap();
        assert_eq!(u.environment, None);
        assert_eq!(
            uploader(Some(&serde_json::json!({"repository": "o/r"}))),
            None
        );
    }
}
