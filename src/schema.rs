//! `trustpub schema`: the JSON Schema (draft 2020-12) of `expected-publishers.toml`, for
//! editors that validate TOML against one (taplo, Even Better TOML: a `#:schema` comment on the
//! first line of the file).
//!
//! The schema is generated from the tables the validator itself uses, never from a copy: the
//! keys from [`config::publisher_keys`] and [`config::THRESHOLD_KEYS`], the registries from
//! [`Registry::ALL`], which keys each registry and provider requires and takes from
//! [`config::required_keys`] and [`config::allowed_keys`], and the workflow pattern by asking
//! each registry's form. A key, a provider or a registry added there appears here with no
//! change. `tests/schema.rs` holds the schema to the validator's verdict on every golden
//! desired state and on a matrix of variations.

use serde_json::{Map, Value, json};

use crate::config::{self, THRESHOLD_KEYS, Thresholds};
use crate::identity::{Provider, Registry};

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
        "response-minutes" => {
            "The longest time, in minutes, from the end of a failed run of the workflow to the start of its next run (the retry)."
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
        "response-minutes" => {
            json!({"type": "number", "exclusiveMinimum": 0, "default": d.response_minutes})
        }
        _ => json!({"type": "number"}),
    };
    s["description"] = Value::String(threshold_doc(key).to_owned());
    s
}

/// Where the schema is published: the generated file committed at `schema/` in trustpub's
/// repository (a test keeps it current), for a `#:schema` comment that needs no local copy.
pub const SCHEMA_ID: &str = "https://raw.githubusercontent.com/trustpub/trustpub/main/schema/expected-publishers.schema.json";

/// Whether `key` takes an integer (`owner-id`), for `init`'s placeholders.
pub fn key_is_integer(key: &str) -> bool {
    publisher_key_schema(key)["anyOf"][0]["type"] == "integer"
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
                {"type": "integer", "minimum": 0, "maximum": u64::MAX},
                {"type": "string", "pattern": "^[0-9]+$"},
            ],
        }),
        // The validator refuses a project with no name; every other value is the registry
        // form's to judge (its own rules, messages and the whitespace it keeps or strips).
        "project" => json!({
            "description": doc,
            "type": "string",
            "pattern": "\\S",
        }),
        _ => json!({
            "description": doc,
            "type": "string",
        }),
    }
}

/// Whether `registry`'s form refuses `workflow` from a `provider` publisher.
fn form_refuses_workflow(registry: Registry, provider: Provider, workflow: &str) -> bool {
    let lookup = |k: &str| match k {
        "provider" => Some(provider.id().to_owned()),
        "workflow" => Some(workflow.to_owned()),
        _ => None,
    };
    (registry.spec().form_problems)(registry, &lookup)
        .iter()
        .any(|p| p.field == "workflow" && !p.advisory)
}

/// The pattern of the workflow values `registry`'s form takes from a `provider` publisher,
/// found by asking the form itself about a few names (a file in a directory, names without
/// the YAML extension, an upper-case extension, whitespace around the name), so that a rule
/// changed in a registry's module changes the schema with it. `None` where the form takes any
/// value.
pub fn workflow_pattern(registry: Registry, provider: Provider) -> Option<String> {
    let refuses = |w: &str| form_refuses_workflow(registry, provider, w);
    let file_only = refuses("sub/release.yml");
    let yaml_only = refuses("release") && refuses("release.txt");
    if !file_only && !yaml_only {
        // A form that takes any name may still require one.
        return if refuses(" ") {
            Some("\\S".into())
        } else {
            refuses("").then(|| ".".into())
        };
    }
    let name = if file_only { "[^/]*" } else { ".*" };
    let extension = match (yaml_only, refuses("release.YML")) {
        (false, _) => "",
        (true, true) => "\\.ya?ml",
        (true, false) => "\\.[yY][aA]?[mM][lL]",
    };
    let trailing = if yaml_only && !refuses("release.yml ") {
        "\\s*"
    } else {
        ""
    };
    Some(format!("^{name}{extension}{trailing}$"))
}

/// The providers `registry` accepts, GitHub first.
fn accepted_providers(registry: Registry) -> Vec<Provider> {
    std::iter::once(Provider::GitHub)
        .chain(registry.spec().other_providers.iter().map(|k| k.provider))
        .collect()
}

/// What a `[[publisher]]` table of `provider` on `registry` must and may hold: the validator's
/// own key lists ([`config::required_keys`], [`config::allowed_keys`]) and its form's
/// workflow pattern.
fn form_schema(registry: Registry, provider: Provider) -> Value {
    let gitlab = provider == Provider::GitLab;
    let required: Vec<&str> = config::required_keys(registry, provider)
        .into_iter()
        .filter(|k| !(gitlab && *k == "namespace"))
        .collect();
    let mut then = json!({
        "required": required,
        "propertyNames": {"enum": config::allowed_keys(registry, provider)},
    });
    if gitlab {
        // The namespace, written once: as `namespace` or as `owner`.
        then["oneOf"] = json!([{"required": ["namespace"]}, {"required": ["owner"]}]);
    }
    if let Some(pattern) = workflow_pattern(registry, provider) {
        then["properties"] = json!({"workflow": {"pattern": pattern}});
    }
    let mut required_if = vec!["registry"];
    if provider != Provider::GitHub {
        required_if.push("provider");
    }
    json!({
        "if": {
            "properties": {"registry": {"const": registry.id()}, "provider": {"const": provider.id()}},
            "required": required_if,
        },
        "then": then,
    })
}

/// The JSON Schema of the desired-state file: the same verdict on its structure as the
/// validator (keys per registry and provider, required keys, types, the workflow pattern, at
/// least one publisher); the registries' own rules on values stay the validator's.
pub fn schema() -> Value {
    // Every key the validator takes: the common ones and each registry's own.
    let properties: Map<String, Value> = config::publisher_keys()
        .iter()
        .map(|k| ((*k).to_owned(), publisher_key_schema(k)))
        .collect();
    let mut conditions: Vec<Value> = Vec::new();
    for r in Registry::ALL {
        let accepted = accepted_providers(r);
        conditions.push(json!({
            "if": {"properties": {"registry": {"const": r.id()}}, "required": ["registry"]},
            "then": {"properties": {"provider": {"enum": accepted.iter().map(|p| p.id()).collect::<Vec<_>>()}}},
        }));
        conditions.extend(accepted.iter().map(|p| form_schema(r, *p)));
    }
    let publisher = json!({
        "type": "object",
        "description": "One publisher a registry must trust.",
        "properties": properties,
        "required": ["registry", "project"],
        "additionalProperties": false,
        "allOf": conditions,
    });
    let thresholds: Map<String, Value> = THRESHOLD_KEYS
        .iter()
        .map(|k| ((*k).to_owned(), threshold_schema(k)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "expected-publishers.toml",
        "description": "The desired state of trustpub: which Trusted Publishers each registry must trust. Generated by `trustpub schema`.",
        "type": "object",
        "properties": {
            "publisher": {
                "description": "Every publisher, as `[[publisher]]` tables.",
                "type": "array",
                "minItems": 1,
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
        for k in config::publisher_keys() {
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
    fn the_workflow_pattern_is_what_each_form_takes() {
        // Every GitHub form but NuGet's takes a file name ending in .yml or .yaml (NuGet keeps
        // any name it is given; PyPI strips whitespace first); PyPI's GitLab form takes a path.
        for r in Registry::ALL {
            let expected = match r {
                Registry::NuGet => Some("\\S"),
                Registry::Pypi | Registry::TestPypi => Some("^[^/]*\\.ya?ml\\s*$"),
                _ => Some("^[^/]*\\.ya?ml$"),
            };
            assert_eq!(
                workflow_pattern(r, Provider::GitHub).as_deref(),
                expected,
                "{r}"
            );
        }
        assert_eq!(
            workflow_pattern(Registry::Pypi, Provider::GitLab).as_deref(),
            Some("^.*\\.ya?ml\\s*$")
        );
        assert!(key_is_integer("owner-id"));
        assert!(!key_is_integer("owner"));
    }
}
