//! RubyGems.org: whether the gem exists, and the trusted publishers it holds.
//!
//! - `GET /api/v1/gems/{gem}.json`: public; 404 (plain text `This rubygem could not be found.`)
//!   when there is no such gem.
//! - `GET /api/v1/gems/{gem}/trusted_publishers`, with an owner's API key in `Authorization`
//!   (the bare key) and, when the account requires MFA for API calls, the one-time code in
//!   `OTP`. The answer is a list of `OIDC::RubygemTrustedPublisher` payloads:
//!   `[{"id", "trusted_publisher_type": "OIDC::TrustedPublisher::GitHubAction",
//!   "trusted_publisher": {"name", "repository_owner", "repository_name",
//!   "repository_owner_id", "workflow_filename", "environment", "workflow_repository_owner",
//!   "workflow_repository_name"}}]`, `repository_owner_id` a string (a `string` column),
//!   `environment` and the workflow repository `null` when not set. A missing or unknown key
//!   answers 401 (plain text), a missing or wrong OTP 401, a key without the
//!   `configure_trusted_publishers` scope or of another user 403.
//!
//! Source: rubygems/rubygems.org `app/controllers/api/v1/oidc/rubygem_trusted_publishers_controller.rb`
//! (`index`, its `before_action`s), `app/models/oidc/rubygem_trusted_publisher.rb` (`payload`:
//! `id`, `trusted_publisher_type`, `trusted_publisher`),
//! `app/models/oidc/trusted_publisher/github_action.rb` (`payload`), `config/routes.rb`
//! (`resources :trusted_publishers` under `gems`), `app/controllers/api/base_controller.rb`
//! (`authenticate_with_api_key`, `verify_with_otp`, `render_forbidden`).
//!
//! trustpub does not read RubyGems' attestations, so the provenance threshold is unknown here,
//! with that reason.

use serde_json::Value;

use super::{
    Fetched, LivePublisher, LivePublishers, Project, RegistryFacts, RegistrySource, Unknown,
    project_and_publishers, project_without_provenance, refused_text, segment, str_field,
    text_field,
};
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::net::http::Http;
use crate::net::response::{FetchError, Response};

/// The service id, and the source of its unknowns.
pub const ID: &str = "rubygems";

/// The environment variables an API key is read from, in order.
pub const KEY_VARS: [&str; 2] = ["RUBYGEMS_API_KEY", "GEM_HOST_API_KEY"];

/// The environment variable of the one-time code.
pub const OTP_VAR: &str = "RUBYGEMS_OTP";

/// RubyGems' type name of a GitHub Actions publisher.
pub const GITHUB_ACTION: &str = "OIDC::TrustedPublisher::GitHubAction";

/// Why the publishers are unknown without a key.
pub const NO_KEY: &str = "RubyGems lists a gem's trusted publishers only to its owners: set RUBYGEMS_API_KEY (or GEM_HOST_API_KEY) to an owner's API key with the configure_trusted_publishers scope, and RUBYGEMS_OTP if the account asks for one";

/// Why provenance completeness is not measured on RubyGems.
pub const NO_PROVENANCE: &str =
    "trustpub does not read RubyGems' attestations, so who uploaded each version is not checked";

/// RubyGems at a base URL (`--rubygems-url`).
#[derive(Debug, Clone, Copy)]
pub struct RubyGemsSource;

impl RegistrySource for RubyGemsSource {
    fn registry(&self) -> Registry {
        Registry::RubyGems
    }

    fn observe(&self, http: &Http, publisher: &Publisher) -> RegistryFacts {
        if !super::names::gem_name(&publisher.project) {
            return RegistryFacts {
                registry: Registry::RubyGems,
                project: Err(super::invalid_name(
                    ID,
                    "project",
                    "gem name",
                    &publisher.project,
                )),
                publishers: None,
            };
        }
        project_and_publishers(Registry::RubyGems, gem(http, &publisher.project), || {
            trusted_publishers(http, &publisher.project)
        })
    }
}

fn unknown(check: &'static str, url: &str, reason: impl Into<String>) -> Unknown {
    Unknown::new(ID, check, Some(url), reason)
}

/// `HTTP {status} from RubyGems' {api}`, with the error's text when it has one.
fn refused(r: &Response, status: u16, api: &str) -> String {
    refused_text(&r.body, status, "RubyGems'", api)
}

fn gem(http: &Http, name: &str) -> Fetched<Project> {
    let url = format!("{}/api/v1/gems/{}.json", http.base(ID), segment(name));
    project_without_provenance(
        http,
        ID,
        url,
        "RubyGems'",
        "gem API",
        |doc| str_field(doc, "name").is_some(),
        "name",
        NO_PROVENANCE,
    )
}

fn trusted_publishers(http: &Http, name: &str) -> Fetched<LivePublishers> {
    let url = format!(
        "{}/api/v1/gems/{}/trusted_publishers",
        http.base(ID),
        segment(name)
    );
    if !http.has_auth(ID) {
        return Err(unknown("publishers", &url, NO_KEY));
    }
    let r = http
        .get(&url, "application/json")
        .map_err(|e| Unknown::fetch(ID, "publishers", &url, &e))?;
    match r.status {
        200 => {}
        401 | 403 => {
            return Err(unknown(
                "publishers",
                &url,
                format!(
                    "{}; the key must be an API key of one of the gem's owners with the configure_trusted_publishers scope, and RUBYGEMS_OTP a current code when the account requires one",
                    refused(&r, r.status, "trusted publishers API")
                ),
            ));
        }
        s => {
            return Err(unknown(
                "publishers",
                &url,
                refused(&r, s, "trusted publishers API"),
            ));
        }
    }
    let doc = r
        .json()
        .map_err(|e| Unknown::fetch(ID, "publishers", &url, &e))?;
    let Some(list) = doc.as_array() else {
        return Err(malformed(&url, "not a list of trusted publishers"));
    };
    let publishers = list
        .iter()
        .map(|entry| {
            publisher(entry).ok_or_else(|| {
                malformed(
                    &url,
                    "a GitHub Actions publisher without `repository_owner`, `repository_name` or `workflow_filename`",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LivePublishers { url, publishers })
}

fn malformed(url: &str, what: &str) -> Unknown {
    Unknown::fetch(ID, "publishers", url, &FetchError::Malformed(what.into()))
}

/// A string field that may be `null` or absent; `""` is none. `Err` for another type.
fn optional(v: &Value, key: &str) -> Result<Option<String>, ()> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

/// One entry of the list. A publisher of another kind (GitLab, Buildkite) is kept with its
/// type and name, and never matches a GitHub publisher.
fn publisher(entry: &Value) -> Option<LivePublisher> {
    let kind = str_field(entry, "trusted_publisher_type")?;
    let tp = entry.get("trusted_publisher")?;
    if !tp.is_object() {
        return None;
    }
    let id = text_field(entry, "id");
    let name = str_field(tp, "name").map(str::to_owned);
    if kind != GITHUB_ACTION {
        return Some(LivePublisher {
            id,
            kind: kind.to_owned(),
            name,
            owner: String::new(),
            repository: String::new(),
            owner_id: None,
            workflow: String::new(),
            environment: None,
            workflow_repository: None,
        });
    }
    let workflow_repository = match (
        optional(tp, "workflow_repository_owner").ok()?,
        optional(tp, "workflow_repository_name").ok()?,
    ) {
        (Some(o), Some(n)) => Some((o, n)),
        _ => None,
    };
    Some(LivePublisher {
        id,
        kind: "github".into(),
        name,
        owner: str_field(tp, "repository_owner")?.to_owned(),
        repository: str_field(tp, "repository_name")?.to_owned(),
        owner_id: text_field(tp, "repository_owner_id"),
        workflow: str_field(tp, "workflow_filename")?.to_owned(),
        environment: optional(tp, "environment").ok()?,
        workflow_repository,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payloads_read_as_the_api_writes_them() {
        let e = json!({"id": 3, "trusted_publisher_type": GITHUB_ACTION, "trusted_publisher": {
            "name": "GitHub Actions o/r @ .github/workflows/push.yml", "repository_owner": "o",
            "repository_name": "r", "repository_owner_id": "123", "workflow_filename": "push.yml",
            "environment": null, "workflow_repository_owner": null, "workflow_repository_name": null}});
        let p = publisher(&e).unwrap();
        assert_eq!(
            (
                p.kind.as_str(),
                p.owner_id.as_deref(),
                p.environment,
                p.workflow_repository
            ),
            ("github", Some("123"), None, None)
        );
        let mut shared = e.clone();
        shared["trusted_publisher"]["workflow_repository_owner"] = json!("org");
        shared["trusted_publisher"]["workflow_repository_name"] = json!("workflows");
        assert_eq!(
            publisher(&shared).unwrap().workflow_repository,
            Some(("org".into(), "workflows".into()))
        );
        let gitlab = json!({"id": 4, "trusted_publisher_type": "OIDC::TrustedPublisher::GitLab", "trusted_publisher": {"name": "GitLab g/p"}});
        assert_eq!(
            publisher(&gitlab).unwrap().kind,
            "OIDC::TrustedPublisher::GitLab"
        );
        let mut bad = e.clone();
        bad["trusted_publisher"]["environment"] = json!(["x"]);
        assert!(publisher(&bad).is_none());
        assert!(publisher(&json!({"id": 1})).is_none());
    }
}
