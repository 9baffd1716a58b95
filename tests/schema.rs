//! The JSON Schema (`trustpub schema`) is the validator: every desired state gets the same
//! structural verdict from the schema, checked with a JSON Schema validator, as from trustpub's
//! own validator. Structural means keys, types, required keys per registry and provider, the
//! workflow pattern and at least one publisher; the registries' rules on values (a GitHub
//! owner's characters, an environment's length) stay the validator's, so a file refused only
//! for a value may pass the schema, and nothing trustpub accepts may fail it.
//!
//! The cases: every golden desired state, and a matrix of variations of a valid publisher of
//! every provider on every registry (each required key left out, each optional key added,
//! each other key added, other providers, workflow names, wrong types).

use std::path::{Path, PathBuf};

use serde_json::Value;
use trustpub::config;
use trustpub::diag::Severity;
use trustpub::identity::{Provider, Registry};
use trustpub::source::SourceFile;

/// The label trustpub puts on a value a registry's form refuses.
const FORM_LABEL: &str = "rejected by the registry's form";

/// What the validator says about a file's structure: `None` when the text is not TOML.
fn validator_structural_errors(text: &str) -> Option<Vec<String>> {
    let (state, diagnostics) =
        config::parse_lenient(SourceFile::new("case.toml", text.to_owned())).ok()?;
    let _ = state;
    let mut errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| {
            d.primary.text != FORM_LABEL || key_at(text, d.primary.span.start) == "workflow"
        })
        .map(|d| {
            format!(
                "{} (at {:?})",
                d.message,
                key_at(text, d.primary.span.start)
            )
        })
        .collect();
    let doc: toml::Table = text.parse().ok()?;
    let tables = doc
        .get("publisher")
        .and_then(|p| p.as_array())
        .map_or(0, Vec::len);
    if tables == 0 {
        errors.push("declares no publisher".into());
    }
    Some(errors)
}

/// The key of the `key = value` line that holds byte `at`.
fn key_at(text: &str, at: usize) -> String {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or_default();
    line.split('=').next().unwrap_or_default().trim().to_owned()
}

/// The schema's errors for the file, as TOML read into JSON.
fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let doc: toml::Table = text.parse().expect("TOML");
    let instance: Value = serde_json::to_value(doc).expect("JSON");
    validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn compiled_schema() -> jsonschema::Validator {
    jsonschema::validator_for(&trustpub::schema::schema()).expect("the schema compiles")
}

/// One case's disagreement, if any.
fn disagreement(validator: &jsonschema::Validator, name: &str, text: &str) -> Option<String> {
    let structural = validator_structural_errors(text)?;
    let schema = schema_errors(validator, text);
    match (structural.is_empty(), schema.is_empty()) {
        (true, false) => Some(format!(
            "{name}: trustpub accepts its structure, the schema refuses it: {schema:?}\n{text}"
        )),
        (false, true) => Some(format!(
            "{name}: trustpub refuses it ({structural:?}), the schema accepts it\n{text}"
        )),
        _ => None,
    }
}

fn golden_desired_states(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("golden dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            golden_desired_states(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn every_golden_desired_state_gets_the_validators_verdict_from_the_schema() {
    let validator = compiled_schema();
    let mut files = Vec::new();
    golden_desired_states(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden"),
        &mut files,
    );
    files.push(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/owlclaw/expected-publishers.toml"),
    );
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/expected-publishers.toml"));
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if validator_structural_errors(&text).is_none() {
            continue;
        }
        checked += 1;
        problems.extend(disagreement(&validator, &file.display().to_string(), &text));
    }
    assert!(checked >= 80, "only {checked} golden desired states found");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// A value the validator and every registry's form accept for `key` on a `provider` publisher.
fn sample(key: &str, provider: Provider) -> String {
    let uuid = "\"3fa85f64-5717-4562-b3fc-2c963f66afa6\"";
    match key {
        "registry" | "provider" => unreachable!(),
        "project" => "\"demo-pkg\"".into(),
        "owner" | "workflow-repository-owner" => "\"octo-org\"".into(),
        "namespace" => "\"group\"".into(),
        "repository" => "\"demo\"".into(),
        "workflow-repository-name" => "\"shared-workflows\"".into(),
        "workflow" if provider == Provider::GitLab => "\".gitlab-ci.yml\"".into(),
        "workflow" => "\"release.yml\"".into(),
        "environment" => "\"release\"".into(),
        "owner-id" => "4082754".into(),
        "policy-owner" => "\"nuget-user\"".into(),
        "issuer-url" => "\"https://gitlab.com\"".into(),
        "namespace-id" | "actor-id" => "\"456\"".into(),
        "project-id" if provider == Provider::CircleCi => uuid.into(),
        "project-id" => "\"789\"".into(),
        "ref" => "\"main\"".into(),
        "email" => "\"publisher@demo.iam.gserviceaccount.com\"".into(),
        "subject" => "\"111111111111111111111\"".into(),
        "organization" => "\"acme\"".into(),
        "activestate-project" => "\"demo\"".into(),
        "actor" => "\"builder\"".into(),
        "org-id" | "pipeline-definition-id" | "context-ids" => uuid.into(),
        "vcs-origin" => "\"github.com/octo-org/demo\"".into(),
        other => panic!("no sample for `{other}`: add one"),
    }
}

fn publisher(registry: Registry, provider: Provider, keys: &[(&str, String)]) -> String {
    let mut text = format!("[[publisher]]\nregistry = \"{}\"\n", registry.id());
    if provider != Provider::GitHub {
        text.push_str(&format!("provider = \"{}\"\n", provider.id()));
    }
    for (k, v) in keys {
        text.push_str(&format!("{k} = {v}\n"));
    }
    text
}

/// The required keys of a publisher with sample values (a GitLab namespace as `namespace`).
fn base(registry: Registry, provider: Provider) -> Vec<(&'static str, String)> {
    config::required_keys(registry, provider)
        .into_iter()
        .filter(|k| *k != "registry")
        .map(|k| (k, sample(k, provider)))
        .collect()
}

#[test]
fn a_matrix_of_variations_gets_the_validators_verdict_from_the_schema() {
    let validator = compiled_schema();
    let mut cases: Vec<(String, String)> = Vec::new();
    let workflows = [
        "release.yml",
        "release.yaml",
        "Release.YML",
        "release.yml ",
        " release.yml",
        "release",
        "release.txt",
        "",
        " ",
        ".github/workflows/release.yml",
        "sub/release.yml",
        "a b.yml",
        "yml",
        ".yml",
    ];
    for registry in Registry::ALL {
        for provider in Provider::ALL {
            let name = format!("{}/{}", registry.id(), provider.id());
            let accepted =
                provider == Provider::GitHub || registry.spec().provider_keys(provider).is_some();
            let keys = if accepted {
                base(registry, provider)
            } else {
                base(registry, Provider::GitHub)
            };
            let text = publisher(registry, provider, &keys);
            if !accepted {
                cases.push((
                    format!("{name}: a provider the registry does not take"),
                    text,
                ));
                continue;
            }
            let errors = validator_structural_errors(&text).expect("TOML");
            let (_, all) =
                config::parse_lenient(SourceFile::new("base.toml", text.clone())).unwrap();
            let refused: Vec<_> = all
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.message.clone())
                .collect();
            assert!(
                errors.is_empty() && refused.is_empty(),
                "{name}: the sample publisher is refused: {refused:?}\n{text}"
            );
            cases.push((format!("{name}: every required key"), text));
            let allowed = config::allowed_keys(registry, provider);
            for k in allowed
                .iter()
                .filter(|k| !["registry", "provider"].contains(k))
            {
                if keys.iter().any(|(n, _)| n == k) {
                    let without: Vec<_> = keys.iter().filter(|(n, _)| n != k).cloned().collect();
                    cases.push((
                        format!("{name}: without `{k}`"),
                        publisher(registry, provider, &without),
                    ));
                } else {
                    let mut with = keys.clone();
                    with.push((k, sample(k, provider)));
                    cases.push((
                        format!("{name}: with `{k}`"),
                        publisher(registry, provider, &with),
                    ));
                }
            }
            for k in config::publisher_keys()
                .iter()
                .filter(|k| !allowed.contains(k) && !["registry", "provider"].contains(k))
            {
                let mut with = keys.clone();
                with.push((k, sample(k, provider)));
                cases.push((
                    format!("{name}: with another's `{k}`"),
                    publisher(registry, provider, &with),
                ));
            }
            if allowed.contains(&"workflow") {
                for w in workflows {
                    let mut with: Vec<_> = keys
                        .iter()
                        .filter(|(n, _)| *n != "workflow")
                        .cloned()
                        .collect();
                    with.push(("workflow", format!("{w:?}")));
                    cases.push((
                        format!("{name}: workflow {w:?}"),
                        publisher(registry, provider, &with),
                    ));
                }
                let mut typed: Vec<_> = keys
                    .iter()
                    .filter(|(n, _)| *n != "workflow")
                    .cloned()
                    .collect();
                typed.push(("workflow", "3".into()));
                cases.push((
                    format!("{name}: workflow as a number"),
                    publisher(registry, provider, &typed),
                ));
            }
            for project in ["\"\"", "\"  \"", "\" demo\"", "[\"demo\"]"] {
                let mut with: Vec<_> = keys
                    .iter()
                    .filter(|(n, _)| *n != "project")
                    .cloned()
                    .collect();
                with.push(("project", project.into()));
                cases.push((
                    format!("{name}: project {project}"),
                    publisher(registry, provider, &with),
                ));
            }
            if allowed.contains(&"owner-id") {
                for id in [
                    "-1",
                    "\"12a\"",
                    "\"123\"",
                    "0",
                    "1.5",
                    "18446744073709551615",
                ] {
                    let mut with = keys.clone();
                    with.push(("owner-id", id.into()));
                    cases.push((
                        format!("{name}: owner-id {id}"),
                        publisher(registry, provider, &with),
                    ));
                }
            }
            if allowed.contains(&"context-ids") {
                for ids in ["[\"a\", \"b\"]", "[1]", "\"\""] {
                    let mut with = keys.clone();
                    with.push(("context-ids", ids.into()));
                    cases.push((
                        format!("{name}: context-ids {ids}"),
                        publisher(registry, provider, &with),
                    ));
                }
            }
        }
    }
    let pypi = publisher(
        Registry::Pypi,
        Provider::GitHub,
        &base(Registry::Pypi, Provider::GitHub),
    );
    cases.extend([
        ("no publisher".to_owned(), "publisher = []\n".to_owned()),
        ("nothing".to_owned(), String::new()),
        (
            "an unknown registry".to_owned(),
            pypi.replace("\"pypi\"", "\"pipy\""),
        ),
        (
            "an unknown provider".to_owned(),
            format!("{pypi}provider = \"travis\"\n"),
        ),
        (
            "an unknown top-level key".to_owned(),
            format!("publishers = 1\n{pypi}"),
        ),
        (
            "publisher as a table".to_owned(),
            "[publisher]\nregistry = \"pypi\"\n".to_owned(),
        ),
        (
            "thresholds".to_owned(),
            format!(
                "{pypi}[thresholds]\npublish-success-rate = 0.9\npublish-success-window = 20\n"
            ),
        ),
        (
            "a threshold out of range".to_owned(),
            format!("{pypi}[thresholds]\npublish-success-rate = 2\n"),
        ),
        (
            "a window of zero".to_owned(),
            format!("{pypi}[thresholds]\npublish-success-window = 0\n"),
        ),
        (
            "an unknown threshold".to_owned(),
            format!("{pypi}[thresholds]\nsuccess = 1\n"),
        ),
        (
            "a GitLab namespace written twice".to_owned(),
            publisher(
                Registry::Pypi,
                Provider::GitLab,
                &[
                    ("project", "\"p\"".into()),
                    ("namespace", "\"g\"".into()),
                    ("owner", "\"g\"".into()),
                    ("repository", "\"r\"".into()),
                    ("workflow", "\".gitlab-ci.yml\"".into()),
                ],
            ),
        ),
        (
            "a GitLab namespace written as owner".to_owned(),
            publisher(
                Registry::Pypi,
                Provider::GitLab,
                &[
                    ("project", "\"p\"".into()),
                    ("owner", "\"g\"".into()),
                    ("repository", "\"r\"".into()),
                    ("workflow", "\".gitlab-ci.yml\"".into()),
                ],
            ),
        ),
    ]);
    assert!(cases.len() > 500, "{} cases", cases.len());
    let problems: Vec<String> = cases
        .iter()
        .filter_map(|(name, text)| disagreement(&validator, name, text))
        .collect();
    assert!(
        problems.is_empty(),
        "{} of {} cases disagree:\n\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n\n")
    );
}

/// The schema committed at `schema/expected-publishers.schema.json` (the schema's `$id`) is
/// the one `trustpub schema` prints. `UPDATE_SCHEMA=1 cargo test --test schema` rewrites it.
#[test]
fn the_published_schema_file_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/expected-publishers.schema.json");
    let current = format!(
        "{}\n",
        serde_json::to_string_pretty(&trustpub::schema::schema()).expect("JSON")
    );
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &current).expect("write");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "{} is not what `trustpub schema` prints: run `UPDATE_SCHEMA=1 cargo test --test schema`",
        path.display()
    );
}
