//! crates.io's ledger: `GET /api/v1/crates/{name}/versions?sort=date&per_page=N`, newest first
//! (rust-lang/crates.io `src/controllers/krate/versions.rs` @57fa000662f5: `sort=date` orders by
//! `created_at` descending; `per_page` turns on seek pagination, so one page is the window).
//!
//! Each version (`EncodableVersion`, `crates/crates_io_api_types/src/lib.rs` @57fa000662f5,
//! lines 833-951) carries `trustpub_data`, null for a token or cookie publish, else tagged by
//! `provider` (`crates/crates_io_database/src/models/trustpub/data.rs`): GitHub
//! `{"provider": "github", "repository", "run_id", "sha"}` (the token's `repository` claim, no
//! workflow file), GitLab `{"provider": "gitlab", "project_path", "job_id", "sha"}`; and
//! `published_by`, the user of a token publish (`{"login", ...}`), null for Trusted Publishing
//! and for very old versions.

use serde_json::Value;

use super::{Ledger, LedgerEntry, PublishedBy};
use crate::drift::source::{Fetched, Unknown, segment, str_field};
use crate::identity::Registry;
use crate::net::http::Http;

const SOURCE: &str = "crates-io";

/// Reads the last `versions` versions of crate `name`.
pub fn observe(http: &Http, name: &str, versions: usize) -> Fetched<Ledger> {
    let url = format!(
        "{}/api/v1/crates/{}/versions?sort=date&per_page={versions}",
        http.base(SOURCE),
        segment(name)
    );
    let doc = super::get_json(http, SOURCE, &url, ("crates.io's", "versions API"))?;
    parse(&doc, &url, name, versions).map_err(|why| Unknown::new(SOURCE, "ledger", Some(&url), why))
}

/// The ledger in a versions answer.
pub fn parse(doc: &Value, url: &str, name: &str, versions: usize) -> Result<Ledger, String> {
    let list = doc
        .get("versions")
        .and_then(Value::as_array)
        .ok_or("unexpected response: no `versions` list")?;
    let mut entries: Vec<LedgerEntry> = list
        .iter()
        .filter_map(|v| entry(v, name))
        .collect::<Vec<_>>();
    // Newest first, whatever order the answer has.
    entries.sort_by_key(|e| std::cmp::Reverse(e.published_at));
    entries.truncate(versions);
    Ok(Ledger {
        registry: Registry::CratesIo,
        url: url.to_owned(),
        entries,
    })
}

fn entry(v: &Value, name: &str) -> Option<LedgerEntry> {
    let num = str_field(v, "num")?.to_owned();
    let published_at = str_field(v, "created_at").and_then(crate::net::time::parse_rfc3339);
    let evidence = format!(
        "https://crates.io/crates/{}/{}",
        segment(name),
        segment(&num)
    );
    let (published_by, trusted) = match v.get("trustpub_data") {
        Some(data) if data.is_object() => (vec![trusted_publisher(data)], Some(true)),
        _ => {
            let user = v
                .get("published_by")
                .and_then(|u| str_field(u, "login"))
                .map(str::to_owned);
            // A version older than crates.io's record of publishers says nothing.
            match user {
                Some(u) => (vec![PublishedBy::user(Some(u))], Some(false)),
                None => (Vec::new(), None),
            }
        }
    };
    Some(LedgerEntry {
        version: num,
        published_at,
        published_by,
        trusted,
        without_provenance: Vec::new(),
        evidence,
        unknown: None,
    })
}

fn trusted_publisher(data: &Value) -> PublishedBy {
    let text = |k: &str| str_field(data, k).map(str::to_owned);
    match str_field(data, "provider") {
        Some("gitlab") => {
            let mut by = PublishedBy::trusted("gitlab", text("project_path"), None);
            by.run = match (text("project_path"), text("job_id")) {
                (Some(p), Some(j)) => Some(format!("https://gitlab.com/{p}/-/jobs/{j}")),
                _ => None,
            };
            by
        }
        provider => {
            let mut by =
                PublishedBy::trusted(provider.unwrap_or("github"), text("repository"), None);
            by.run = match (text("repository"), text("run_id")) {
                (Some(r), Some(id)) => Some(format!("https://github.com/{r}/actions/runs/{id}")),
                _ => None,
            };
            by
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_publishing_and_token_versions() {
        let doc = serde_json::json!({"versions": [
            {"num": "1.1.0", "created_at": "2026-03-02T10:00:00Z", "published_by": {"login": "alice"}, "trustpub_data": null},
            {"num": "1.0.0", "created_at": "2026-03-01T10:00:00Z", "published_by": null,
             "trustpub_data": {"provider": "github", "repository": "octo/widget", "run_id": "42", "sha": "abc"}},
            {"num": "0.1.0", "created_at": "2015-01-01T00:00:00Z", "published_by": null, "trustpub_data": null}
        ], "meta": {"next_page": null}});
        let l = parse(&doc, "u", "widget", 10).unwrap();
        let v: Vec<(&str, Option<bool>)> = l
            .entries
            .iter()
            .map(|e| (e.version.as_str(), e.trusted))
            .collect();
        assert_eq!(
            v,
            [
                ("1.1.0", Some(false)),
                ("1.0.0", Some(true)),
                ("0.1.0", None)
            ]
        );
        assert_eq!(l.entries[0].published_by[0].user.as_deref(), Some("alice"));
        let tp = &l.entries[1].published_by[0];
        assert_eq!(tp.repository.as_deref(), Some("octo/widget"));
        assert_eq!(
            tp.run.as_deref(),
            Some("https://github.com/octo/widget/actions/runs/42")
        );
        assert_eq!(parse(&doc, "u", "widget", 1).unwrap().entries.len(), 1);
        assert!(parse(&serde_json::json!({}), "u", "w", 1).is_err());
    }
}
