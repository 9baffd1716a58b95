//! npm's ledger: the packument (`GET {registry}/{name}`, the full document: the abbreviated
//! one leaves `_npmUser` out), its `time` map for the order, and per version:
//!
//! - `_npmUser.trustedPublisher` (`{"id": "github", "oidcConfigId": "oidc:..."}`), present when
//!   the version was published through Trusted Publishing; a token publish has `_npmUser` with
//!   only `name` and `email`. npm documents no packument schema: the field is read as the
//!   consumers that enforce trust read it (pnpm `pnpm/crates/registry/src/package_version.rs`
//!   @36e5ae6ac8d0, lines 193-230, and its trust-downgrade check,
//!   `pnpm/crates/resolving-npm-resolver/src/trust_checks.rs`, which orders versions by the
//!   packument's `time`, as here).
//! - `dist.attestations` (`{"url", "provenance": {"predicateType"}}`): the attestation bundles,
//!   fetched from the configured registry's host at the URL's path (as npm's own pacote does,
//!   npm/cli `node_modules/pacote/lib/registry.js` @780afc50e3a3, lines 228-245), are
//!   `{"attestations": [{"predicateType", "bundle": {"dsseEnvelope": {"payload"}}}]}`; the SLSA
//!   provenance statement in the base64 payload names the workflow
//!   (`predicate.buildDefinition.externalParameters.workflow = {repository: "https://github.com/o/r",
//!   path: ".github/workflows/x.yml", ref}`, npm/cli `workspaces/libnpmpublish/lib/provenance.js`
//!   @780afc50e3a3, lines 20-40: `GITHUB_WORKFLOW_REF`, the top-level caller; GitLab's v0.2
//!   statement has `invocation.configSource.uri` and `CI_CONFIG_PATH`). npm's provenance has no
//!   environment.

use base64::Engine;
use serde_json::Value;

use super::{Ledger, LedgerEntry, PublishedBy, repository_slug, workflow_file};
use crate::drift::source::{Fetched, Unknown, segment, str_field};
use crate::identity::Registry;
use crate::net::http::Http;

const SOURCE: &str = "npm";
/// The SLSA provenance predicate of a GitHub Actions publish.
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
/// The SLSA provenance predicate of a GitLab publish.
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";

/// The packument's path: a scoped name keeps its `@` and encodes its `/` (`@scope%2Fname`), as
/// npm's clients ask for it.
pub fn packument_path(name: &str) -> String {
    match name.strip_prefix('@') {
        Some(rest) => format!("@{}", segment(rest)),
        None => segment(name),
    }
}

/// Reads the last `versions` versions of package `name`.
pub fn observe(http: &Http, name: &str, versions: usize) -> Fetched<Ledger> {
    let base = http.base(SOURCE);
    let url = format!("{base}/{}", packument_path(name));
    let doc = super::get_json(http, SOURCE, &url, ("npm's", "registry"))?;
    let mut ledger = parse(&doc, &url, versions)
        .map_err(|why| Unknown::new(SOURCE, "ledger", Some(&url), why))?;
    let urls = attestation_urls(&doc, &ledger);
    for (entry, attestations) in ledger.entries.iter_mut().zip(urls) {
        if let Some(at) = attestations {
            read_provenance(http, &rebase(base, &at), entry);
        }
    }
    Ok(ledger)
}

/// The ledger in a packument, without the provenance statements (read by [`observe`]).
pub fn parse(doc: &Value, url: &str, versions: usize) -> Result<Ledger, String> {
    let all = doc
        .get("versions")
        .and_then(Value::as_object)
        .ok_or("unexpected response: no `versions` object")?;
    let time = doc.get("time").and_then(Value::as_object);
    let mut entries: Vec<LedgerEntry> = all
        .iter()
        .map(|(version, manifest)| {
            let published_at = time
                .and_then(|t| t.get(version))
                .and_then(Value::as_str)
                .and_then(crate::net::time::parse_rfc3339);
            entry(version, manifest, published_at, url)
        })
        .collect();
    entries.sort_by(|a, b| {
        b.published_at
            .cmp(&a.published_at)
            .then_with(|| b.version.cmp(&a.version))
    });
    entries.truncate(versions);
    Ok(Ledger {
        registry: Registry::Npm,
        url: url.to_owned(),
        entries,
    })
}

fn entry(version: &str, manifest: &Value, published_at: Option<i64>, url: &str) -> LedgerEntry {
    let user = manifest.get("_npmUser");
    let trusted = user
        .and_then(|u| u.get("trustedPublisher"))
        .filter(|t| t.is_object());
    let (published_by, trusted) = match (trusted, user) {
        (Some(t), _) => {
            let kind = str_field(t, "id").unwrap_or("trusted-publisher");
            (vec![PublishedBy::trusted(kind, None, None)], Some(true))
        }
        (None, Some(u)) => (
            vec![PublishedBy::user(str_field(u, "name").map(str::to_owned))],
            Some(false),
        ),
        // Versions from before npm recorded the publisher say nothing.
        (None, None) => (Vec::new(), None),
    };
    LedgerEntry {
        version: version.to_owned(),
        published_at,
        published_by,
        trusted,
        without_provenance: Vec::new(),
        evidence: format!("{url}#{version}"),
        unknown: None,
    }
}

/// Per entry of `ledger`, the attestations URL of its version, when it has provenance.
fn attestation_urls(doc: &Value, ledger: &Ledger) -> Vec<Option<String>> {
    ledger
        .entries
        .iter()
        .map(|e| {
            let dist = doc.get("versions")?.get(&e.version)?.get("dist")?;
            let at = dist.get("attestations")?;
            at.get("provenance")?;
            str_field(at, "url").map(str::to_owned)
        })
        .collect()
}

/// The attestations URL's path, asked of the configured registry (a mirror or a local server,
/// not the host the packument names).
fn rebase(base: &str, url: &str) -> String {
    if url.starts_with(&format!("{base}/")) {
        return url.to_owned();
    }
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    format!("{base}/{}", path.trim_start_matches('/'))
}

/// Reads the provenance statement of one version into its entry: the workflow's repository
/// and file become the publisher's.
fn read_provenance(http: &Http, url: &str, entry: &mut LedgerEntry) {
    let fetched = http
        .get(url, "application/json")
        .map_err(|e| Unknown::fetch(SOURCE, "ledger", url, &e))
        .and_then(|r| match r.status {
            200 => r
                .json()
                .map_err(|e| Unknown::fetch(SOURCE, "ledger", url, &e)),
            s => Err(Unknown::new(
                SOURCE,
                "ledger",
                Some(url),
                format!("HTTP {s} for the attestations of {}", entry.version),
            )),
        })
        .and_then(|doc| {
            provenance_workflow(&doc).ok_or_else(|| {
                Unknown::new(
                    SOURCE,
                    "ledger",
                    Some(url),
                    format!(
                        "the attestations of {} hold no provenance statement naming a workflow",
                        entry.version
                    ),
                )
            })
        });
    match fetched {
        Ok((kind, repository, workflow)) => {
            let by = PublishedBy::trusted(&kind, Some(repository), Some(workflow));
            // A provenance statement without `trustedPublisher` is a token publish with
            // `--provenance`: the workflow built it, an account's token uploaded it.
            match entry.trusted {
                Some(true) => entry.published_by = vec![by],
                _ => entry.published_by.push(by),
            }
            entry.evidence = url.to_owned();
        }
        Err(u) => entry.unknown = Some(u),
    }
}

/// The kind, repository (`owner/name`) and workflow file a provenance statement names.
pub fn provenance_workflow(doc: &Value) -> Option<(String, String, String)> {
    doc.get("attestations")?
        .as_array()?
        .iter()
        .filter(|a| matches!(str_field(a, "predicateType"), Some(SLSA_V1 | SLSA_V02)))
        .find_map(|a| {
            let payload = a
                .get("bundle")?
                .get("dsseEnvelope")?
                .get("payload")?
                .as_str()?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(payload.trim())
                .ok()?;
            statement_workflow(&serde_json::from_slice(&bytes).ok()?)
        })
}

/// The workflow an in-toto statement's SLSA predicate names.
pub fn statement_workflow(statement: &Value) -> Option<(String, String, String)> {
    let predicate = statement.get("predicate")?;
    if let Some(w) = predicate
        .get("buildDefinition")
        .and_then(|b| b.get("externalParameters"))
        .and_then(|e| e.get("workflow"))
    {
        let repository = repository_slug(str_field(w, "repository")?)?;
        let workflow = workflow_file(str_field(w, "path")?);
        return Some(("github".into(), repository, workflow));
    }
    let invocation = predicate.get("invocation")?;
    let uri = str_field(invocation.get("configSource")?, "uri")?;
    let repository = repository_slug(uri.strip_prefix("git+").unwrap_or(uri))?;
    let path = invocation
        .get("parameters")
        .and_then(|p| str_field(p, "CI_CONFIG_PATH"))
        .unwrap_or(".gitlab-ci.yml");
    Some(("gitlab".into(), repository, path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packument() -> Value {
        serde_json::json!({
            "name": "@octo/cli",
            "time": {"created": "2026-01-01T00:00:00.000Z", "1.0.0": "2026-02-01T00:00:00.000Z",
                     "1.1.0": "2026-03-01T00:00:00.000Z", "0.9.0": "2025-01-01T00:00:00.000Z"},
            "versions": {
                "0.9.0": {"version": "0.9.0"},
                "1.0.0": {"_npmUser": {"name": "GitHub Actions", "email": "npm-oidc-no-reply@github.com",
                          "trustedPublisher": {"id": "github", "oidcConfigId": "oidc:1"}},
                          "dist": {"attestations": {"url": "https://registry.npmjs.org/-/npm/v1/attestations/@octo%2fcli@1.0.0",
                                                    "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}}},
                "1.1.0": {"_npmUser": {"name": "alice", "email": "a@example.com"}, "dist": {}}
            }
        })
    }

    #[test]
    fn versions_newest_first_with_trusted_publishing() {
        let l = parse(&packument(), "u", 10).unwrap();
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
                ("0.9.0", None)
            ]
        );
        assert_eq!(l.entries[1].published_by[0].kind, "github");
        assert_eq!(
            attestation_urls(&packument(), &l),
            [
                None,
                Some("https://registry.npmjs.org/-/npm/v1/attestations/@octo%2fcli@1.0.0".into()),
                None
            ]
        );
        assert_eq!(
            rebase(
                "http://127.0.0.1:9/npm",
                "https://registry.npmjs.org/-/npm/v1/a@1"
            ),
            "http://127.0.0.1:9/npm/-/npm/v1/a@1"
        );
        assert_eq!(
            rebase(
                "http://127.0.0.1:9/npm",
                "http://127.0.0.1:9/npm/-/npm/v1/a@1"
            ),
            "http://127.0.0.1:9/npm/-/npm/v1/a@1"
        );
        assert_eq!(packument_path("@octo/cli"), "@octo%2Fcli");
    }

    #[test]
    fn the_provenance_statement_names_the_workflow() {
        let statement = serde_json::json!({"_type": "https://in-toto.io/Statement/v1",
            "predicateType": SLSA_V1,
            "predicate": {"buildDefinition": {"externalParameters": {"workflow": {
                "ref": "refs/tags/v1.0.0", "repository": "https://github.com/octo/cli",
                "path": ".github/workflows/release.yml"}}}}});
        let payload = base64::engine::general_purpose::STANDARD.encode(statement.to_string());
        let doc = serde_json::json!({"attestations": [
            {"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1", "bundle": {}},
            {"predicateType": SLSA_V1, "bundle": {"dsseEnvelope": {"payload": payload}}}]});
        assert_eq!(
            provenance_workflow(&doc),
            Some(("github".into(), "octo/cli".into(), "release.yml".into()))
        );
        let gitlab = serde_json::json!({"predicate": {"invocation": {
            "configSource": {"uri": "git+https://gitlab.com/octo/cli"},
            "parameters": {"CI_CONFIG_PATH": "ci/release.yml"}}}});
        assert_eq!(
            statement_workflow(&gitlab),
            Some(("gitlab".into(), "octo/cli".into(), "ci/release.yml".into()))
        );
        assert_eq!(
            provenance_workflow(&serde_json::json!({"attestations": []})),
            None
        );
    }
}
