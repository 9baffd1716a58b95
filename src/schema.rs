//! `trustpub schema`: the JSON Schema (draft 2020-12) of `expected-publishers.toml`, for
//! editors that validate TOML against one (taplo, Even Better TOML: a `#:schema` comment on the
//! first line of the file).
//!
//! The schema is generated from the tables the validator itself uses, never from a copy:
//! the keys from [`config::PUBLISHER_KEYS`] and [`config::THRESHOLD_KEYS`], the registries
//! from [`Registry::ALL`], and which keys each registry requires by asking the validator (a
//! table that names only the registry is validated, and the keys it says are missing are the
//! required ones). A key or a registry added there appears here with no change.

use serde_json::{Map, Value, json};

use crate::config::{self, PUBLISHER_KEYS, THRESHOLD_KEYS, Thresholds};
use crate::identity::{Provider, Registry};
use crate::source::SourceFile;

/// What a publisher key means, for the schema's `description` and `init`'s comments. A key
/// without an entry here still appears, with a pointer to the README.
pub fn publisher_key_doc(key: &str) -> &'static str {
    match key {
        "registry" => "The registry that must trust the publisher.",
        "project" => "The project (package) name on the registry.",
        "owner" => "The GitHub user or organization that owns the repository.",
        "repository" => "The repository name, without the owner.",
        "workflow" => {
            "The workflow file name only (`release.yml`), as the registry's form takes it: not a path."
        }
        "environment" => {
            "The GitHub environment of the publishing job. Leave it out to accept any environment."
        }
        "owner-id" => {
            "GitHub's numeric id of the owner: pins the publisher against a deleted and recreated account or a transfer."
        }
        "provider" => {
            "The CI system the registry trusts: `github` (the default), `gitlab` (PyPI, TestPyPI, crates.io, npm, NuGet), `google` and `activestate` (PyPI, TestPyPI), `circleci` (npm)."
        }
        "namespace" => {
            "GitLab: the namespace (group and subgroups) of the project, instead of `owner`; `repository` is then the project's name and `workflow` the top-level pipeline file path."
        }
        "issuer-url" => {
            "GitLab on PyPI: the instance's issuer (`https://gitlab.com` unless a PyPI organization registered a self-managed one)."
        }
        "namespace-id" => {
            "GitLab on crates.io and NuGet: the namespace's numeric id the registry pinned at the first use."
        }
        "project-id" => {
            "NuGet (GitLab): the project's numeric id NuGet pinned at the first use; CircleCI (npm): the project's UUID."
        }
        "ref" => {
            "NuGet (GitLab): the branch the policy is restricted to (`main`, not `refs/heads/main`)."
        }
        "email" => "Google (PyPI): the service account's email, as its tokens carry it.",
        "subject" => "Google (PyPI): the service account's subject (`sub`), to accept only it.",
        "organization" => "ActiveState (PyPI): the ActiveState organization.",
        "activestate-project" => "ActiveState (PyPI): the ActiveState project's name.",
        "actor" => "ActiveState (PyPI): the ActiveState user whose builds publish.",
        "actor-id" => "ActiveState (PyPI): the actor's id PyPI bound at registration.",
        "org-id" => "CircleCI (npm): the organization's UUID.",
        "pipeline-definition-id" => "CircleCI (npm): the pipeline definition's UUID.",
        "vcs-origin" => {
            "CircleCI (npm): the repository as CircleCI names it (`github.com/owner/repo`)."
        }
        "context-ids" => {
            "CircleCI (npm): context UUIDs (a list, or comma-separated) the token must carry."
        }
        "workflow-repository-owner" => {
            "RubyGems: the owner of the repository that holds a reusable workflow defined elsewhere."
        }
        "workflow-repository-name" => {
            "RubyGems: the name of the repository that holds a reusable workflow defined elsewhere."
        }
        "policy-owner" => "NuGet: the NuGet user name that owns the policy (NuGet/login's `user`).",
        _ => "See the README (\"The desired-state file\").",
    }
}

/// What a threshold key means.
fn threshold_doc(key: &str) -> &'static str {
    match key {
        "publish-success-rate" => {
            "The least share of the counted runs of the workflow that succeeded (0.99 means 99%)."
        }
        "publish-success-window" => "How many of the last completed runs of the workflow count.",
        "publish-to-install-seconds" => {
            "The longest time from the start of the publish step to the end of the install smoke test."
        }
        "provenance-completeness" => {
            "The least share of the latest release's files that have provenance."
        }
        _ => "See the README (\"Thresholds and the acceptance matrix\").",
    }
}

/// A threshold's schema: its type, bounds and default (the playbook's number).
fn threshold_schema(key: &str) -> Value {
    let d = Thresholds::default();
    let mut s = match key {
        "publish-success-rate" => {
            json!({"type": "number", "minimum": 0, "maximum": 1, "default": d.publish_success_rate})
        }
        "provenance-completeness" => {
            json!({"type": "number", "minimum": 0, "maximum": 1, "default": d.provenance_completeness})
        }
        "publish-success-window" => {
            json!({"type": "integer", "minimum": 1, "maximum": 100, "default": d.publish_success_window})
        }
        "publish-to-install-seconds" => {
            json!({"type": "number", "minimum": 0, "default": d.publish_to_install_seconds})
        }
        _ => json!({"type": "number"}),
    };
    s["description"] = Value::String(threshold_doc(key).to_owned());
    s
}

/// The keys the validator says a `[[publisher]]` table of `registry` must hold: the keys it
/// reports missing from a table that names only the registry (`registry` itself included).
pub fn required_keys(registry: Registry) -> Vec<&'static str> {
    let text = format!("[[publisher]]\nregistry = \"{}\"\n", registry.id());
    let missing: Vec<String> = match config::parse_lenient(SourceFile::new("probe.toml", text)) {
        Ok((_, problems)) => problems.into_iter().map(|d| d.message).collect(),
        Err(_) => Vec::new(),
    };
    let mut keys: Vec<&'static str> = PUBLISHER_KEYS
        .iter()
        .copied()
        .filter(|k| {
            let needle = format!("has no `{k}`");
            missing.iter().any(|m| m.contains(&needle))
        })
        .collect();
    if PUBLISHER_KEYS.contains(&"registry") && !keys.contains(&"registry") {
        keys.insert(0, "registry");
    }
    keys
}

fn publisher_key_schema(key: &str) -> Value {
    let doc = publisher_key_doc(key);
    match key {
        "registry" => json!({
            "description": doc,
            "enum": Registry::ALL.iter().map(|r| r.id()).collect::<Vec<_>>(),
        }),
        "provider" => json!({
            "description": doc,
            "enum": Provider::ALL.iter().map(|p| p.id()).collect::<Vec<_>>(),
        }),
        "context-ids" => json!({
            "description": doc,
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ],
        }),
        "owner-id" => json!({
            "description": doc,
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+$"},
            ],
        }),
        "environment" => json!({
            "description": doc,
            "type": "string",
            "pattern": "^(\\S(.*\\S)?)?$",
        }),
        _ => json!({
            "description": doc,
            "type": "string",
            "minLength": 1,
            // The validator refuses leading or trailing whitespace in every value.
            "pattern": "^\\S(.*\\S)?$",
        }),
    }
}

/// The JSON Schema of the desired-state file.
pub fn schema() -> Value {
    // Every key the validator takes: the common ones and each registry's own.
    let properties: Map<String, Value> = config::publisher_keys()
        .iter()
        .map(|k| ((*k).to_owned(), publisher_key_schema(k)))
        .collect();
    // The keys every registry requires of a GitHub publisher, and per registry the ones it adds.
    let per_registry: Vec<(Registry, Vec<&'static str>)> = Registry::ALL
        .iter()
        .map(|r| (*r, required_keys(*r)))
        .collect();
    let github_common: Vec<&str> = PUBLISHER_KEYS
        .iter()
        .copied()
        .filter(|k| per_registry.iter().all(|(_, req)| req.contains(k)))
        .collect();
    let common: Vec<&str> = vec!["registry", "project"];
    let github_only: Vec<&str> = github_common
        .iter()
        .copied()
        .filter(|k| !common.contains(k))
        .collect();
    let mut conditions: Vec<Value> = vec![json!({
        "if": {"properties": {"provider": {"const": "github"}}},
        "then": {"required": github_only},
    })];
    conditions.extend(
        per_registry
            .iter()
            .filter(|(_, req)| req.iter().any(|k| !github_common.contains(k)))
            .map(|(r, req)| {
                json!({
                    "if": {
                        "properties": {"registry": {"const": r.id()}, "provider": {"const": "github"}},
                        "required": ["registry"],
                    },
                    "then": {"required": req},
                })
            }),
    );
    // Each registry's providers, and the keys each provider's form requires there.
    for r in Registry::ALL {
        let spec = r.spec();
        let accepted: Vec<&str> = std::iter::once(Provider::GitHub)
            .chain(spec.other_providers.iter().map(|k| k.provider))
            .map(Provider::id)
            .collect();
        conditions.push(json!({
            "if": {"properties": {"registry": {"const": r.id()}}, "required": ["registry"]},
            "then": {"properties": {"provider": {"enum": accepted}}},
        }));
        for keys in spec.other_providers {
            conditions.push(json!({
                "if": {
                    "properties": {"registry": {"const": r.id()}, "provider": {"const": keys.provider.id()}},
                    "required": ["registry", "provider"],
                },
                "then": {"required": keys.required},
            }));
        }
    }
    let mut publisher = json!({
        "type": "object",
        "description": "One publisher a registry must trust.",
        "properties": properties,
        "required": common,
        "additionalProperties": false,
    });
    if !conditions.is_empty() {
        publisher["allOf"] = Value::Array(conditions);
    }
    let thresholds: Map<String, Value> = THRESHOLD_KEYS
        .iter()
        .map(|k| ((*k).to_owned(), threshold_schema(k)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "expected-publishers.toml",
        "description": concat!(
            "The desired state of trustpub: which Trusted Publishers each registry must trust. ",
            "Generated by `trustpub schema` ",
            env!("CARGO_PKG_VERSION"),
            "."
        ),
        "type": "object",
        "properties": {
            "publisher": {
                "description": "Every publisher, as `[[publisher]]` tables.",
                "type": "array",
                "items": publisher,
            },
            "thresholds": {
                "description": "The release playbook's thresholds that `trustpub drift` measures; every key is optional.",
                "type": "object",
                "properties": thresholds,
                "additionalProperties": false,
            },
        },
        "required": ["publisher"],
        "additionalProperties": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_registry_of_the_validator_is_in_the_schema() {
        let s = schema();
        let item = &s["properties"]["publisher"]["items"];
        for k in PUBLISHER_KEYS {
            assert!(item["properties"][k].is_object(), "{k}");
        }
        let ids: Vec<&str> = item["properties"]["registry"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let all: Vec<&str> = Registry::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids, all);
        for k in THRESHOLD_KEYS {
            assert!(s["properties"]["thresholds"]["properties"][k].is_object());
        }
    }

    #[test]
    fn required_keys_come_from_the_validator() {
        for r in Registry::ALL.iter().copied() {
            let req = required_keys(r);
            assert!(req.contains(&"registry"), "{r}: {req:?}");
            assert!(
                req.len() > 1,
                "{r}: the probe found no missing key (did the message change?)"
            );
        }
        let pypi = required_keys(Registry::Pypi);
        assert_eq!(
            pypi,
            ["registry", "project", "owner", "repository", "workflow"]
        );
    }
}
