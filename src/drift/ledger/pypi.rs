//! PyPI's and TestPyPI's ledger, through the same three APIs `drift` reads for the latest
//! release (the client fetches each URL once): the JSON API's `releases`, every version with
//! its files and their `upload_time_iso_8601` (pypi/warehouse `warehouse/legacy/api/json.py`
//! @6b62157124ab, lines 82-128 and 268-286: the project URL includes all releases); the simple
//! API's `provenance` URL per file; and the integrity API's provenance, whose bundles'
//! `publisher` is the identity that uploaded the file (pypi-trusted-publishing.md §6,
//! `warehouse/api/integrity.py`). A file without provenance says nothing either way: PyPI
//! publishes no public field telling a token upload from a Trusted Publishing one without
//! attestations.

use serde_json::Value;

use super::{Ledger, LedgerEntry, PublishedBy};
use crate::drift::source::pypi::{PypiSource, rebase};
use crate::drift::source::{Fetched, Provenance, Unknown, UploaderIdentity, segment, str_field};
use crate::identity::Registry;
use crate::net::http::Http;

/// One version as the JSON API lists it: its files and when the first was uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedVersion {
    /// The version string.
    pub version: String,
    /// Its files' names.
    pub files: Vec<String>,
    /// The earliest upload of its files (epoch seconds).
    pub uploaded_at: Option<i64>,
}

/// Reads the last `versions` versions of project `name` on `registry`.
pub fn observe(http: &Http, registry: Registry, name: &str, versions: usize) -> Fetched<Ledger> {
    let id = registry.id();
    let base = http.base(id);
    let url = format!("{base}/pypi/{}/json", segment(name));
    let r = http
        .get(&url, "application/json")
        .map_err(|e| Unknown::fetch(id, "ledger", &url, &e))?;
    if r.status != 200 {
        return Err(Unknown::new(
            id,
            "ledger",
            Some(&url),
            format!("HTTP {} from the JSON API", r.status),
        ));
    }
    let doc = r
        .json()
        .map_err(|e| Unknown::fetch(id, "ledger", &url, &e))?;
    let listed = listed_versions(&doc, versions)
        .map_err(|why| Unknown::new(id, "ledger", Some(&url), why))?;
    let source = PypiSource { registry };
    let simple = source.simple_index(http, name);
    let entries = listed
        .into_iter()
        .map(|v| {
            let files: Vec<(String, Fetched<Provenance>)> = v
                .files
                .iter()
                .map(|f| {
                    let provenance = match &simple {
                        Err(u) => Err(u.clone()),
                        Ok((simple_url, listed)) => match listed.iter().find(|(n, _)| n == f) {
                            None => Err(Unknown::new(
                                id,
                                "ledger",
                                Some(simple_url),
                                format!("the simple API does not list {f}"),
                            )),
                            Some((_, None)) => Ok(Provenance::Missing {
                                evidence: simple_url.clone(),
                            }),
                            Some((_, Some(p))) => source.provenance(http, &rebase(base, p), f),
                        },
                    };
                    (f.clone(), provenance)
                })
                .collect();
            entry(v, &files, &url)
        })
        .collect();
    Ok(Ledger {
        registry,
        url,
        entries,
    })
}

/// The versions of a JSON API answer, newest first, at most `versions`: from `releases`, else
/// (an answer without it) the latest release alone, from `info.version` and `urls`.
pub fn listed_versions(doc: &Value, versions: usize) -> Result<Vec<ListedVersion>, String> {
    let time =
        |f: &Value| str_field(f, "upload_time_iso_8601").and_then(crate::net::time::parse_rfc3339);
    let listed = |version: &str, files: &[Value]| ListedVersion {
        version: version.to_owned(),
        files: files
            .iter()
            .filter_map(|f| str_field(f, "filename").map(str::to_owned))
            .collect(),
        uploaded_at: files.iter().filter_map(time).min(),
    };
    let mut out: Vec<ListedVersion> = match doc.get("releases").and_then(Value::as_object) {
        Some(releases) if !releases.is_empty() => releases
            .iter()
            .filter_map(|(v, files)| Some(listed(v, files.as_array()?)))
            // A version without files (all deleted) published nothing to judge.
            .filter(|v| !v.files.is_empty())
            .collect(),
        _ => {
            let version = doc
                .get("info")
                .and_then(|i| str_field(i, "version"))
                .ok_or("unexpected response: no `info.version`")?;
            let files = doc
                .get("urls")
                .and_then(Value::as_array)
                .ok_or("unexpected response: no `urls` list")?;
            vec![listed(version, files)]
        }
    };
    out.sort_by(|a, b| {
        b.uploaded_at
            .cmp(&a.uploaded_at)
            .then_with(|| b.version.cmp(&a.version))
    });
    out.truncate(versions);
    Ok(out)
}

/// The uploader as the ledger names it (`GitHub` becomes `github`).
pub fn published_by(u: &UploaderIdentity) -> PublishedBy {
    PublishedBy {
        kind: u.kind.to_lowercase(),
        repository: u.repository.clone(),
        workflow: u.workflow.clone(),
        environment: u.environment.clone(),
        user: u.email.clone(),
        run: None,
    }
}

/// The uploader a ledger's publisher stands for, in the provenance's words (`github` becomes
/// `GitHub`), so PyPI's own comparison applies.
pub fn uploader(by: &PublishedBy) -> UploaderIdentity {
    let kind = match by.kind.as_str() {
        "github" => "GitHub",
        "gitlab" => "GitLab",
        "google" => "Google",
        other => other,
    };
    UploaderIdentity {
        kind: kind.to_owned(),
        repository: by.repository.clone(),
        workflow: by.workflow.clone(),
        environment: by.environment.clone(),
        email: by.user.clone(),
    }
}

/// One version's entry from its files' provenance.
pub fn entry(v: ListedVersion, files: &[(String, Fetched<Provenance>)], url: &str) -> LedgerEntry {
    let mut by: Vec<PublishedBy> = Vec::new();
    let mut without = Vec::new();
    let mut unknown = None;
    let (mut shown, mut missing_shown) = (None, None);
    for (name, provenance) in files {
        match provenance {
            Ok(Provenance::Present { url, uploaders }) => {
                shown.get_or_insert_with(|| url.clone());
                for u in uploaders {
                    let p = published_by(u);
                    if !by.contains(&p) {
                        by.push(p);
                    }
                }
            }
            Ok(Provenance::Missing { evidence: e }) => {
                missing_shown.get_or_insert_with(|| e.clone());
                without.push(name.clone());
            }
            Err(u) => {
                unknown.get_or_insert_with(|| u.clone());
            }
        }
    }
    let trusted = (unknown.is_none() && without.is_empty() && !files.is_empty()).then_some(true);
    LedgerEntry {
        version: v.version,
        published_at: v.uploaded_at,
        published_by: by,
        trusted,
        without_provenance: without,
        evidence: shown.or(missing_shown).unwrap_or_else(|| url.to_owned()),
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_releases_newest_first() {
        let doc = serde_json::json!({"info": {"version": "1.1.0"}, "urls": [], "releases": {
            "1.0.0": [{"filename": "w-1.0.0.tar.gz", "upload_time_iso_8601": "2026-01-01T00:00:00.000000Z"}],
            "1.1.0": [{"filename": "w-1.1.0.tar.gz", "upload_time_iso_8601": "2026-02-01T00:00:00.000000Z"},
                      {"filename": "w-1.1.0-py3-none-any.whl", "upload_time_iso_8601": "2026-02-01T00:01:00.000000Z"}],
            "0.0.1": []}});
        let v = listed_versions(&doc, 10).unwrap();
        assert_eq!(
            v.iter().map(|v| v.version.as_str()).collect::<Vec<_>>(),
            ["1.1.0", "1.0.0"]
        );
        assert_eq!(v[0].files.len(), 2);
        assert_eq!(listed_versions(&doc, 1).unwrap().len(), 1);
    }

    #[test]
    fn without_releases_the_latest_alone() {
        let doc = serde_json::json!({"info": {"version": "1.0.0"}, "urls": [{"filename": "w-1.0.0.tar.gz"}], "releases": {}});
        let v = listed_versions(&doc, 10).unwrap();
        assert_eq!(v[0].version, "1.0.0");
        assert_eq!(v[0].files, ["w-1.0.0.tar.gz"]);
        assert!(listed_versions(&serde_json::json!({}), 10).is_err());
    }

    #[test]
    fn an_entry_is_trusted_only_when_every_file_has_provenance() {
        let u = UploaderIdentity {
            kind: "GitHub".into(),
            repository: Some("o/r".into()),
            workflow: Some("release.yml".into()),
            environment: None,
            email: None,
        };
        let v = ListedVersion {
            version: "1.0.0".into(),
            files: vec!["a".into(), "b".into()],
            uploaded_at: Some(1),
        };
        let present = Ok(Provenance::Present {
            url: "p".into(),
            uploaders: vec![u.clone()],
        });
        let missing = Ok(Provenance::Missing {
            evidence: "s".into(),
        });
        let e = entry(
            v.clone(),
            &[("a".into(), present.clone()), ("b".into(), present.clone())],
            "j",
        );
        assert_eq!((e.trusted, e.published_by.len()), (Some(true), 1));
        assert_eq!(uploader(&e.published_by[0]), u);
        let e = entry(v, &[("a".into(), present), ("b".into(), missing)], "j");
        assert_eq!(e.trusted, None);
        assert_eq!(e.without_provenance, ["b"]);
    }
}
