//! crates.io: whether the crate exists, and the Trusted Publishing configs it holds for GitHub
//! Actions (`github_configs`) or GitLab CI/CD (`gitlab_configs`, read for a GitLab publisher
//! the same way).
//!
//! - `GET /api/v1/crates/{name}`: public; 404 when there is no such crate.
//! - `GET /api/v1/trusted_publishing/github_configs?crate={name}`, with the owner's API token
//!   in `Authorization` (crates.io takes the bare token). The answer is
//!   `{"github_configs": [{"id", "crate", "repository_owner", "repository_owner_id",
//!   "repository_name", "workflow_filename", "environment", "created_at"}], "meta": {"total",
//!   "next_page"}}`: `repository_owner_id` a number, `environment` a string or `null`,
//!   `next_page` a query string (`?crate=...&seek=...`) or `null`. Without a token it answers
//!   403 `this action requires authentication`; for someone else's crate 400 `You are not an
//!   owner of this crate`; for no crate 404 `crate `x` does not exist`; a scoped token needs the
//!   `trusted-publishing` endpoint scope. Errors are `{"errors": [{"detail": ...}]}`.
//!
//! Source: rust-lang/crates.io `src/controllers/trustpub/github_configs/json.rs` (`ListResponse`,
//! `ListResponseMeta`), `src/controllers/trustpub/github_configs/list.rs`
//! (`list_trustpub_github_configs`, `list_by_crate`), the snapshot
//! `list/snapshots/..._list__tests__happy_path-2.snap` and `list/tests.rs` for the statuses and
//! texts, `crates/crates_io_database/src/models/token/scopes.rs` for the scope name.
//!
//! crates.io keeps no provenance that names the workflow that uploaded a version, so the
//! provenance threshold is unknown here, with that reason.

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
pub const ID: &str = "crates-io";

/// The environment variables a token is read from, in order.
pub const TOKEN_VARS: [&str; 2] = ["CRATES_IO_TOKEN", "CARGO_REGISTRY_TOKEN"];

/// Why the configs are unknown without a token.
pub const NO_TOKEN: &str = "crates.io shows Trusted Publishing configs only to the crate's owners: set CRATES_IO_TOKEN (or CARGO_REGISTRY_TOKEN) to an owner's API token";

/// Why provenance completeness is not measured on crates.io.
pub const NO_PROVENANCE: &str =
    "crates.io keeps no provenance that names the workflow that uploaded a version";

/// The most pages of configs followed (crates.io allows 5 configs a crate, so one is usual).
const MAX_PAGES: usize = 10;

/// crates.io at a base URL (`--crates-io-url`).
#[derive(Debug, Clone, Copy)]
pub struct CratesIoSource;

impl RegistrySource for CratesIoSource {
    fn registry(&self) -> Registry {
        Registry::CratesIo
    }

    fn observe(&self, http: &Http, publisher: &Publisher) -> RegistryFacts {
        if !super::names::crate_name(&publisher.project) {
            return RegistryFacts {
                registry: Registry::CratesIo,
                project: Err(super::invalid_name(
                    ID,
                    "project",
                    "crate name",
                    &publisher.project,
                )),
                publishers: None,
            };
        }
        let kind = match publisher.provider {
            crate::identity::Provider::GitLab => Kind::GitLab,
            _ => Kind::GitHub,
        };
        project_and_publishers(Registry::CratesIo, krate(http, &publisher.project), || {
            configs(http, &publisher.project, kind)
        })
    }
}

fn unknown(check: &'static str, url: &str, reason: impl Into<String>) -> Unknown {
    Unknown::new(ID, check, Some(url), reason)
}

fn krate(http: &Http, name: &str) -> Fetched<Project> {
    let url = format!("{}/api/v1/crates/{}", http.base(ID), segment(name));
    project_without_provenance(
        http,
        ID,
        url,
        "crates.io's",
        "crate API",
        |doc| {
            doc.get("crate")
                .and_then(|c| str_field(c, "name"))
                .is_some()
        },
        "crate.name",
        NO_PROVENANCE,
    )
}

/// `HTTP {status} from crates.io's {api}`, with the error's text when it has one.
fn refused(r: &Response, status: u16, api: &str) -> String {
    refused_text(&r.body, status, "crates.io's", api)
}

/// Which of crates.io's lists of configs.
#[derive(Debug, Clone, Copy)]
enum Kind {
    GitHub,
    GitLab,
}

impl Kind {
    fn list(self) -> &'static str {
        match self {
            Kind::GitHub => "github_configs",
            Kind::GitLab => "gitlab_configs",
        }
    }
}

fn configs(http: &Http, name: &str, kind: Kind) -> Fetched<LivePublishers> {
    let base = http.base(ID);
    let list = kind.list();
    let first = format!(
        "{base}/api/v1/trusted_publishing/{list}?crate={}",
        segment(name)
    );
    if !http.has_auth(ID) {
        return Err(unknown("publishers", &first, NO_TOKEN));
    }
    let mut publishers = Vec::new();
    let mut url = first.clone();
    for _ in 0..MAX_PAGES {
        let r = http
            .get(&url, "application/json")
            .map_err(|e| Unknown::fetch(ID, "publishers", &url, &e))?;
        match r.status {
            200 => {}
            400 | 401 | 403 => {
                return Err(unknown(
                    "publishers",
                    &url,
                    format!(
                        "{}; the token must be an API token of one of the crate's owners (with the `trusted-publishing` scope, if it is scoped)",
                        refused(&r, r.status, "Trusted Publishing API")
                    ),
                ));
            }
            s => {
                return Err(unknown(
                    "publishers",
                    &url,
                    refused(&r, s, "Trusted Publishing API"),
                ));
            }
        }
        let doc = r
            .json()
            .map_err(|e| Unknown::fetch(ID, "publishers", &url, &e))?;
        let Some(entries) = doc.get(list).and_then(Value::as_array) else {
            return Err(malformed(&url, &format!("no `{list}` list")));
        };
        for c in entries {
            let parsed = match kind {
                Kind::GitHub => config(c),
                Kind::GitLab => gitlab_config(c),
            };
            publishers.push(parsed.ok_or_else(|| {
                malformed(
                    &url,
                    match kind {
                        Kind::GitHub => "a config without `repository_owner`, `repository_name` or `workflow_filename`",
                        Kind::GitLab => "a config without `namespace`, `project` or `workflow_filepath`",
                    },
                )
            })?);
        }
        match doc.get("meta").and_then(|m| m.get("next_page")) {
            None | Some(Value::Null) => {
                return Ok(LivePublishers {
                    url: first,
                    publishers,
                });
            }
            Some(Value::String(q)) if q.starts_with('?') && !q.contains(['#', ' ']) => {
                url = format!("{base}/api/v1/trusted_publishing/{list}{q}");
            }
            Some(_) => return Err(malformed(&url, "`meta.next_page` is not a query string")),
        }
    }
    Err(unknown(
        "publishers",
        &first,
        format!("more than {MAX_PAGES} pages of configs; not all were read"),
    ))
}

fn malformed(url: &str, what: &str) -> Unknown {
    Unknown::fetch(ID, "publishers", url, &FetchError::Malformed(what.into()))
}

/// One entry of `github_configs`; `None` when a required field is missing or of another type.
fn config(c: &Value) -> Option<LivePublisher> {
    let environment = match c.get("environment") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return None,
    };
    Some(LivePublisher {
        id: text_field(c, "id"),
        kind: "github".into(),
        name: None,
        owner: str_field(c, "repository_owner")?.to_owned(),
        repository: str_field(c, "repository_name")?.to_owned(),
        owner_id: text_field(c, "repository_owner_id"),
        workflow: str_field(c, "workflow_filename")?.to_owned(),
        environment,
        workflow_repository: None,
    })
}

/// One entry of `gitlab_configs` (`{"id", "crate", "namespace", "namespace_id", "project",
/// "workflow_filepath", "environment", "created_at"}`, `namespace_id` `null` until the first
/// exchange; `src/controllers/trustpub/gitlab_configs/json.rs`).
fn gitlab_config(c: &Value) -> Option<LivePublisher> {
    let environment = match c.get("environment") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return None,
    };
    Some(LivePublisher {
        id: text_field(c, "id"),
        kind: "gitlab".into(),
        name: None,
        owner: str_field(c, "namespace")?.to_owned(),
        repository: str_field(c, "project")?.to_owned(),
        owner_id: text_field(c, "namespace_id"),
        workflow: str_field(c, "workflow_filepath")?.to_owned(),
        environment,
        workflow_repository: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn configs_read_as_the_api_writes_them() {
        let c = json!({"id": 1, "crate": "foo", "repository_owner": "rust-lang", "repository_owner_id": 42, "repository_name": "foo-rs", "workflow_filename": "publish.yml", "environment": null, "created_at": "2025-07-01T00:00:00Z"});
        let p = config(&c).unwrap();
        assert_eq!(p.owner_id.as_deref(), Some("42"));
        assert_eq!(p.environment, None);
        assert_eq!(p.id.as_deref(), Some("1"));
        let mut env = c.clone();
        env["environment"] = json!("release");
        assert_eq!(
            config(&env).unwrap().environment.as_deref(),
            Some("release")
        );
        env["environment"] = json!(7);
        assert!(config(&env).is_none());
        assert!(config(&json!({"repository_owner": "o"})).is_none());
    }

    #[test]
    fn gitlab_configs_read_as_the_api_writes_them() {
        let c = json!({"id": 1, "crate": "foo", "namespace": "rust-lang", "namespace_id": null, "project": "foo-rs", "workflow_filepath": ".gitlab-ci.yml", "environment": null, "created_at": "2026-01-01T00:00:00Z"});
        let p = gitlab_config(&c).unwrap();
        assert_eq!(
            (p.kind.as_str(), p.owner.as_str(), p.repository.as_str()),
            ("gitlab", "rust-lang", "foo-rs")
        );
        assert_eq!(p.owner_id, None);
        assert_eq!(p.workflow, ".gitlab-ci.yml");
        let mut pinned = c.clone();
        pinned["namespace_id"] = json!("42");
        assert_eq!(
            gitlab_config(&pinned).unwrap().owner_id.as_deref(),
            Some("42")
        );
    }
}
