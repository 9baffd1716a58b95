//! crates.io's own test vectors, at rust-lang/crates.io `57fa000662f5` (2026-08-21): the config
//! validation (`crates/crates_io_trustpub/src/{github,gitlab}/validation.rs`), the workflow
//! extraction (`.../{github,gitlab}/workflows.rs`), the claim decoding (`.../claims.rs`, which
//! the endpoint answers `Failed to decode JWT`), the create endpoint's validation
//! (`src/tests/routes/trustpub/{github,gitlab}_configs/create.rs`) and the exchange
//! (`src/tests/routes/trustpub/tokens/exchange/{github,gitlab}.rs`). Each vector is marked with
//! its upstream test (`// upstream:`); vectors that need crates.io's database, key store or
//! server configuration (a replayed `jti`, a missing `kid`, an unknown key) are not expressible
//! as claims and are left out. `// derived:` marks vectors of trustpub's own, from the code.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::gitlab::workflow_filepath;
use super::*;
use crate::identity::{Claims, TokenProblem};

fn github_config(crate_name: &str, owner_id: Option<&str>, workflow: &str, env: &str) -> Publisher {
    let mut p = crate::config::test_publisher(
        Registry::CratesIo,
        "rust-lang",
        "foo-rs",
        owner_id,
        workflow,
        env,
    );
    p.project = crate_name.into();
    p
}

fn gitlab_config(
    namespace: &str,
    project: &str,
    path: &str,
    env: &str,
    ns_id: Option<&str>,
) -> Publisher {
    let mut p =
        crate::config::test_publisher(Registry::CratesIo, namespace, project, None, path, env);
    p.project = "foo".into();
    p.provider = Provider::GitLab;
    if let Some(id) = ns_id {
        p.extra.insert("namespace-id".into(), id.into());
    }
    p
}

/// `FullGitHubClaims` (`crates/crates_io_trustpub/src/github/test_helpers.rs`).
fn github_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://token.actions.githubusercontent.com", "aud": "crates.io",
        "nbf": 1_770_000_000, "iat": 1_770_000_000, "exp": 1_770_001_800, "jti": "example-id",
        "repository": "rust-lang/foo-rs", "repository_owner_id": "42",
        "workflow_ref": "rust-lang/foo-rs/.github/workflows/publish.yml@refs/heads/main",
        "event_name": "workflow_dispatch", "run_id": "example-run-id", "sha": "example-sha",
    });
    apply(v, changes)
}

/// `FullGitLabClaims` (`crates/crates_io_trustpub/src/gitlab/test_helpers.rs`).
fn gitlab_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://gitlab.com", "aud": "crates.io",
        "iat": 1_770_000_000, "nbf": 1_770_000_000, "exp": 1_770_003_600, "jti": "example-id",
        "namespace_id": "42", "namespace_path": "rust-lang", "project_path": "rust-lang/foo-rs",
        "ci_config_ref_uri": "gitlab.com/rust-lang/foo-rs//some/subfolder/jobs.yaml@refs/heads/main",
        "job_id": "11530106120", "sha": "76719c2658b5c4423810d655a4624af1b38b7091",
    });
    apply(v, changes)
}

fn apply(v: Value, changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let mut c: IndexMap<String, Value> = v.as_object().unwrap().clone().into_iter().collect();
    for (k, v) in changes {
        if v.is_null() {
            c.shift_remove(*k);
        } else {
            c.insert((*k).to_owned(), v.clone());
        }
    }
    c
}

/// The exchange's answer for `judged` among `configs`: `Ok(())` or the detail text.
fn exchange_for(
    judged: &Publisher,
    configs: &[Publisher],
    claims: IndexMap<String, Value>,
    rejected: Option<TokenProblem>,
) -> Result<(), String> {
    let claims = Claims::complete(claims);
    let j = (SPEC.judge)(
        Registry::CratesIo,
        judged,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: rejected.as_ref(),
            declared: configs,
        },
    );
    match j.refusal {
        None => Ok(()),
        Some(r) => Err(r.reason),
    }
}

fn one(p: Publisher, claims: IndexMap<String, Value>) -> Result<(), String> {
    exchange_for(&p, std::slice::from_ref(&p), claims, None)
}

fn problems(fields: &[(&str, &str)]) -> Vec<String> {
    let get = |k: &str| -> Option<String> {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    form_problems(Registry::CratesIo, &get)
        .into_iter()
        .map(|p| p.message)
        .collect()
}

fn github_field(key: &str, value: &str) -> Vec<String> {
    let mut fields = vec![
        ("owner", "rust-lang"),
        ("repository", "foo-rs"),
        ("workflow", "publish.yml"),
    ];
    fields.retain(|(k, _)| *k != key);
    fields.push((key, value));
    problems(&fields)
}

fn gitlab_field(key: &str, value: &str) -> Vec<String> {
    let mut fields = vec![
        ("provider", "gitlab"),
        ("owner", "rust-lang"),
        ("repository", "foo-rs"),
        ("workflow", ".gitlab-ci.yml"),
    ];
    fields.retain(|(k, _)| *k != key);
    fields.push((key, value));
    problems(&fields)
}

const ENV_CHARS: &str = r#"Environment name must not contain non-printable characters or the characters "'", """, "`", ",", ";", "\""#;

#[test]
fn github_config_validation() {
    let x256 = "x".repeat(256);
    let cases: &[(&str, &str, &str)] = &[
        ("owner", "", "GitHub repository owner name may not be empty"), // upstream: test_validate_owner
        (
            "owner",
            &x256,
            "GitHub repository owner name is too long (maximum is 255 characters)",
        ), // upstream: test_validate_owner
        (
            "owner",
            "invalid_characters@",
            "Invalid GitHub repository owner name",
        ), // upstream: test_validate_owner
        ("repository", "", "GitHub repository name may not be empty"), // upstream: test_validate_repo
        (
            "repository",
            &x256,
            "GitHub repository name is too long (maximum is 255 characters)",
        ), // upstream: test_validate_repo
        (
            "repository",
            "$invalid#characters",
            "Invalid GitHub repository name",
        ), // upstream: test_validate_repo
        ("workflow", "", "Workflow filename may not be empty"), // upstream: test_validate_workflow_filename
        (
            "workflow",
            &x256,
            "Workflow filename is too long (maximum is 255 characters)",
        ), // upstream: test_validate_workflow_filename
        (
            "workflow",
            "missing_suffix",
            "Workflow filename must end with `.yml` or `.yaml`",
        ), // upstream: test_validate_workflow_filename
        (
            "workflow",
            "/slash",
            "Workflow filename must end with `.yml` or `.yaml`",
        ), // upstream: test_validate_workflow_filename
        (
            "workflow",
            "/many/slashes",
            "Workflow filename must end with `.yml` or `.yaml`",
        ), // upstream: test_validate_workflow_filename
        (
            "workflow",
            "/slash.yml",
            "Workflow filename must be a filename only, without directories",
        ), // upstream: test_validate_workflow_filename
        (
            "environment",
            "",
            "Environment name may not be empty (use `null` to omit)",
        ), // upstream: test_validate_environment
        (
            "environment",
            &x256,
            "Environment name is too long (maximum is 255 characters)",
        ), // upstream: test_validate_environment
        (
            "environment",
            " foo",
            "Environment name may not start with whitespace",
        ), // upstream: test_validate_environment
        (
            "environment",
            "foo ",
            "Environment name may not end with whitespace",
        ), // upstream: test_validate_environment
        ("environment", "'", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\"", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "`", ENV_CHARS), // upstream: test_validate_environment
        ("environment", ",", ENV_CHARS), // upstream: test_validate_environment
        ("environment", ";", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\\", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\x00", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\x1f", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\x7f", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\t", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\r", ENV_CHARS), // upstream: test_validate_environment
        ("environment", "\n", ENV_CHARS), // upstream: test_validate_environment
        ("owner", "§$%&", "Invalid GitHub repository owner name"), // upstream: github_configs::create::test_invalid_owner
        ("repository", "@foo", "Invalid GitHub repository name"), // upstream: github_configs::create::test_invalid_repo
        (
            "workflow",
            "workflows/ci.json",
            "Workflow filename must end with `.yml` or `.yaml`",
        ), // upstream: github_configs::create::test_invalid_workflow
        (
            "environment",
            "",
            "Environment name may not be empty (use `null` to omit)",
        ), // upstream: github_configs::create::test_invalid_environment
    ];
    for (key, value, text) in cases {
        assert_eq!(github_field(key, value), [*text], "{key} = {value:?}");
    }
    // derived: the limit counts bytes, and 255 of them pass.
    assert!(github_field("environment", &"é".repeat(127)).is_empty());
    assert_eq!(
        github_field("environment", &"é".repeat(128)),
        ["Environment name is too long (maximum is 255 characters)"]
    );
    assert!(github_field("owner", &"x".repeat(255)).is_empty());
}

#[test]
fn gitlab_config_validation() {
    let x256 = "x".repeat(256);
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("owner", "", Some("GitLab namespace may not be empty")), // upstream: test_validate_namespace
        (
            "owner",
            &x256,
            Some("GitLab namespace is too long (maximum is 255 characters)"),
        ), // upstream: test_validate_namespace
        ("owner", "-", Some("Invalid GitLab namespace")), // upstream: test_validate_namespace
        ("owner", "_", Some("Invalid GitLab namespace")), // upstream: test_validate_namespace
        ("owner", "-start", Some("Invalid GitLab namespace")), // upstream: test_validate_namespace
        ("owner", "end-", Some("Invalid GitLab namespace")), // upstream: test_validate_namespace
        ("owner", "invalid@chars", Some("Invalid GitLab namespace")), // upstream: test_validate_namespace
        ("owner", "foo+bar", Some("Invalid GitLab namespace")), // upstream: test_validate_namespace
        (
            "owner",
            "foo.atom",
            Some("GitLab namespace cannot end with .atom or .git"),
        ), // upstream: test_validate_namespace
        (
            "owner",
            "foo.git",
            Some("GitLab namespace cannot end with .atom or .git"),
        ), // upstream: test_validate_namespace
        ("owner", "a", None),                                   // upstream: test_validate_namespace
        ("owner", "foo", None),                                 // upstream: test_validate_namespace
        ("owner", "foo-bar", None),                             // upstream: test_validate_namespace
        ("owner", "foo_bar", None),                             // upstream: test_validate_namespace
        ("owner", "foo.bar", None),                             // upstream: test_validate_namespace
        ("owner", "foo/bar", None),                             // upstream: test_validate_namespace
        ("owner", "foo/bar/baz", None),                         // upstream: test_validate_namespace
        (
            "repository",
            "",
            Some("GitLab project name may not be empty"),
        ), // upstream: test_validate_project
        (
            "repository",
            &x256,
            Some("GitLab project name is too long (maximum is 255 characters)"),
        ), // upstream: test_validate_project
        ("repository", "-", Some("Invalid GitLab project name")), // upstream: test_validate_project
        ("repository", "_", Some("Invalid GitLab project name")), // upstream: test_validate_project
        ("repository", "-start", Some("Invalid GitLab project name")), // upstream: test_validate_project
        ("repository", "end-", Some("Invalid GitLab project name")), // upstream: test_validate_project
        (
            "repository",
            "invalid/chars",
            Some("Invalid GitLab project name"),
        ), // upstream: test_validate_project
        (
            "repository",
            "foo.atom",
            Some("GitLab project name cannot end with .atom or .git"),
        ), // upstream: test_validate_project
        (
            "repository",
            "foo.git",
            Some("GitLab project name cannot end with .atom or .git"),
        ), // upstream: test_validate_project
        ("repository", "a", None),       // upstream: test_validate_project
        ("repository", "foo", None),     // upstream: test_validate_project
        ("repository", "foo-bar", None), // upstream: test_validate_project
        ("repository", "foo_bar", None), // upstream: test_validate_project
        ("repository", "foo.bar", None), // upstream: test_validate_project
        ("workflow", "", Some("Workflow filepath may not be empty")), // upstream: test_validate_workflow_filepath
        (
            "workflow",
            &x256,
            Some("Workflow filepath is too long (maximum is 255 characters)"),
        ), // upstream: test_validate_workflow_filepath
        (
            "workflow",
            "/starts-with-slash.yml",
            Some("Workflow filepath cannot start with /"),
        ), // upstream: test_validate_workflow_filepath
        (
            "workflow",
            "ends-with-slash/",
            Some("Workflow filepath cannot end with /"),
        ), // upstream: test_validate_workflow_filepath
        (
            "workflow",
            "no-suffix",
            Some("Workflow filepath must end with `.yml` or `.yaml`"),
        ), // upstream: test_validate_workflow_filepath
        ("workflow", ".gitlab-ci.yml", None), // upstream: test_validate_workflow_filepath
        ("workflow", ".gitlab-ci.yaml", None), // upstream: test_validate_workflow_filepath
        ("workflow", "publish.yml", None),    // upstream: test_validate_workflow_filepath
        ("workflow", ".gitlab/ci/publish.yml", None), // upstream: test_validate_workflow_filepath
        ("workflow", "ci/publish.yaml", None), // upstream: test_validate_workflow_filepath
        (
            "environment",
            "",
            Some("Environment name may not be empty (use `null` to omit)"),
        ), // upstream: test_validate_environment
        (
            "environment",
            &x256,
            Some("Environment name is too long (maximum is 255 characters)"),
        ), // upstream: test_validate_environment
        (
            "environment",
            "invalid@chars",
            Some("Environment name contains invalid characters"),
        ), // upstream: test_validate_environment
        (
            "environment",
            "invalid.dot",
            Some("Environment name contains invalid characters"),
        ), // upstream: test_validate_environment
        ("environment", "production", None),  // upstream: test_validate_environment
        ("environment", "staging", None),     // upstream: test_validate_environment
        ("environment", "prod-us-east", None), // upstream: test_validate_environment
        ("environment", "env_name", None),    // upstream: test_validate_environment
        ("environment", "path/to/env", None), // upstream: test_validate_environment
        ("environment", "with space", None),  // upstream: test_validate_environment
        ("owner", "§$%&", Some("Invalid GitLab namespace")), // upstream: gitlab_configs::create::test_invalid_namespace
        ("repository", "@foo", Some("Invalid GitLab project name")), // upstream: gitlab_configs::create::test_invalid_project
        (
            "workflow",
            "ci.json",
            Some("Workflow filepath must end with `.yml` or `.yaml`"),
        ), // upstream: gitlab_configs::create::test_invalid_workflow_filepath
        (
            "environment",
            "",
            Some("Environment name may not be empty (use `null` to omit)"),
        ), // upstream: gitlab_configs::create::test_invalid_environment
    ];
    for (key, value, text) in cases {
        let expected: Vec<String> = text.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(gitlab_field(key, value), expected, "{key} = {value:?}");
    }
}

#[test]
fn github_workflow_filename_extraction() {
    let p = "foo/bar/.github/workflows/";
    let cases: &[(&str, Option<&str>)] = &[
        ("basic.yml@refs/heads/main", Some("basic.yml")), // upstream: test_extract_workflow_filename
        ("basic.yaml@refs/heads/main", Some("basic.yaml")), // upstream: test_extract_workflow_filename
        ("has-dash.yml@refs/heads/main", Some("has-dash.yml")), // upstream: test_extract_workflow_filename
        ("has--dashes.yml@refs/heads/main", Some("has--dashes.yml")), // upstream: test_extract_workflow_filename
        ("has--dashes-.yml@refs/heads/main", Some("has--dashes-.yml")), // upstream: test_extract_workflow_filename
        ("has.period.yml@refs/heads/main", Some("has.period.yml")), // upstream: test_extract_workflow_filename
        ("has..periods.yml@refs/heads/main", Some("has..periods.yml")), // upstream: test_extract_workflow_filename
        (
            "has..periods..yml@refs/heads/main",
            Some("has..periods..yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "has_underscore.yml@refs/heads/main",
            Some("has_underscore.yml"),
        ), // upstream: test_extract_workflow_filename
        ("nested@evil.yml@refs/heads/main", Some("nested@evil.yml")), // upstream: test_extract_workflow_filename
        (
            "nested.yml@evil.yml@refs/heads/main",
            Some("nested.yml@evil.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "extra@nested.yml@evil.yml@refs/heads/main",
            Some("extra@nested.yml@evil.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "extra.yml@nested.yml@evil.yml@refs/heads/main",
            Some("extra.yml@nested.yml@evil.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "basic.yml@refs/heads/misleading@branch.yml",
            Some("basic.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "basic.yml@refs/heads/bad@branch@twomatches.yml",
            Some("basic.yml"),
        ), // upstream: test_extract_workflow_filename
        ("foo.yml.yml@refs/heads/main", Some("foo.yml.yml")), // upstream: test_extract_workflow_filename
        ("foo.yml.foo.yml@refs/heads/main", Some("foo.yml.foo.yml")), // upstream: test_extract_workflow_filename
        ("basic.wrongsuffix@refs/heads/main", None), // upstream: test_extract_workflow_filename
        ("@refs/heads/main", None),                  // upstream: test_extract_workflow_filename
        ("nosuffix@refs/heads/main", None),          // upstream: test_extract_workflow_filename
        (".yml@refs/heads/main", None),              // upstream: test_extract_workflow_filename
        (".yaml@refs/heads/main", None),             // upstream: test_extract_workflow_filename
        ("main.yml", None),                          // upstream: test_extract_workflow_filename
    ];
    for (tail, expected) in cases {
        let input = format!("{p}{tail}");
        assert_eq!(github::workflow_file(&input, true), *expected, "{input}");
    }
}

#[test]
fn gitlab_workflow_filepath_extraction() {
    let cases: &[(&str, Option<&str>)] = &[
        (
            "gitlab.com/foo/bar//notnested.yml@/some/ref",
            Some("notnested.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//notnested.yaml@/some/ref",
            Some("notnested.yaml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//basic/basic.yml@/some/ref",
            Some("basic/basic.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//more/nested/example.yml@/some/ref",
            Some("more/nested/example.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//too//many//slashes.yml@/some/ref",
            Some("too//many//slashes.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//has-@.yml@/some/ref", Some("has-@.yml")), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//foo.bar.yml@/some/ref",
            Some("foo.bar.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//foo.yml.bar.yml@/some/ref",
            Some("foo.yml.bar.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//foo.yml@bar.yml@/some/ref",
            Some("foo.yml@bar.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//@foo.yml@bar.yml@/some/ref",
            Some("@foo.yml@bar.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//@.yml.foo.yml@bar.yml@/some/ref",
            Some("@.yml.foo.yml@bar.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//a.yml@refs/heads/main", Some("a.yml")), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//a/b.yml@refs/heads/main",
            Some("a/b.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//.gitlab-ci.yml@refs/heads/main",
            Some(".gitlab-ci.yml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//.gitlab-ci.yaml@refs/heads/main",
            Some(".gitlab-ci.yaml"),
        ), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//notnested.wrongsuffix@/some/ref", None), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//@/some/ref", None), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//.yml@/some/ref", None), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//.yaml@/some/ref", None), // upstream: gitlab::workflows::test_extract_workflow_filename
        ("gitlab.com/foo/bar//somedir/.yaml@/some/ref", None), // upstream: gitlab::workflows::test_extract_workflow_filename
    ];
    for (input, expected) in cases {
        assert_eq!(workflow_filepath(input), *expected, "{input}");
    }
    // derived: a ref with `@` leaves no `.yml` before the last `@`.
    assert_eq!(
        workflow_filepath("gitlab.com/a/b//ci.yml@refs/heads/a@b"),
        None
    );
    // upstream: gitlab::workflows::test_extract_workflow_filename_redos (it must terminate)
    let long = format!("gitlab.com/a/b//{}", "/".repeat(50_000));
    assert_eq!(workflow_filepath(&long), None);
}

#[test]
fn github_claims_decode() {
    let p = github_config("foo", Some("42"), "publish.yml", "");
    let decode = |changes: &[(&str, Value)]| one(p.clone(), github_claims(changes));
    let failed = Err("Failed to decode JWT".to_owned());
    assert_eq!(decode(&[("nbf", Value::Null)]), Ok(())); // upstream: github::claims::test_decode_minimal
    assert_eq!(decode(&[("environment", json!("prod"))]), Ok(())); // upstream: github::claims::test_decode
    assert_eq!(decode(&[("jti", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_jti
    assert_eq!(decode(&[("aud", json!("somebody-else"))]), failed); // upstream: github::claims::test_decode_wrong_audience
    assert_eq!(
        decode(&[("aud", json!(["crates.io", "somebody-else"]))]),
        failed
    ); // upstream: github::claims::test_decode_multi_audience
    assert_eq!(decode(&[("repository", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_repo
    assert_eq!(decode(&[("repository_owner_id", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_owner_id
    assert_eq!(decode(&[("workflow_ref", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_workflow
    assert_eq!(decode(&[("iss", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_issuer
    assert_eq!(decode(&[("exp", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_exp
    assert_eq!(decode(&[("iat", Value::Null)]), failed); // upstream: github::claims::test_decode_missing_iat
    // The clock, under crates.io's 60 s of leeway (`JWT_LEEWAY`).
    let now = 1_770_010_000;
    assert_eq!(
        TIMING.problem(Some(now - 3000), None, Some(now - 6000), now),
        Some(TokenProblem::Expired)
    ); // upstream: github::claims::test_decode_expired
    assert_eq!(
        TIMING.problem(Some(now + 300), None, Some(now + 100), now),
        Some(TokenProblem::IssuedInFuture)
    ); // upstream: github::claims::test_decode_future_iat
    assert_eq!(
        exchange_for(&p, &[], github_claims(&[]), Some(TokenProblem::Expired)),
        failed
    );
    // derived: the bounds of 60 s.
    assert_eq!(TIMING.problem(Some(now - 60), None, Some(now), now), None);
    assert_eq!(
        TIMING.problem(Some(now - 61), None, Some(now), now),
        Some(TokenProblem::Expired)
    );
    assert_eq!(
        TIMING.problem(Some(now + 60), Some(now + 60), Some(now + 60), now),
        None
    );
    assert_eq!(
        TIMING.problem(Some(now + 99), Some(now + 61), Some(now), now),
        Some(TokenProblem::NotYetValid)
    );
}

#[test]
fn gitlab_claims_decode() {
    let p = gitlab_config("rust-lang", "foo-rs", "some/subfolder/jobs.yaml", "", None);
    let decode = |changes: &[(&str, Value)]| one(p.clone(), gitlab_claims(changes));
    let failed = Err("Failed to decode JWT".to_owned());
    assert_eq!(decode(&[("nbf", Value::Null)]), Ok(())); // upstream: gitlab::claims::test_decode_minimal
    assert_eq!(decode(&[]), Ok(())); // upstream: gitlab::claims::test_decode
    assert_eq!(decode(&[("jti", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_jti
    assert_eq!(decode(&[("aud", json!("somebody-else"))]), failed); // upstream: gitlab::claims::test_decode_wrong_audience
    assert_eq!(
        decode(&[("aud", json!(["crates.io", "somebody-else"]))]),
        failed
    ); // upstream: gitlab::claims::test_decode_multi_audience
    assert_eq!(decode(&[("project_path", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_project_path
    assert_eq!(decode(&[("namespace_id", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_namespace_id
    assert_eq!(decode(&[("ci_config_ref_uri", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_workflow
    assert_eq!(decode(&[("iss", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_issuer
    assert_eq!(decode(&[("exp", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_exp
    assert_eq!(decode(&[("iat", Value::Null)]), failed); // upstream: gitlab::claims::test_decode_missing_iat
    let now = 1_770_010_000;
    assert_eq!(
        TIMING.problem(Some(now - 3000), None, Some(now - 6000), now),
        Some(TokenProblem::Expired)
    ); // upstream: gitlab::claims::test_decode_expired
    assert_eq!(
        TIMING.problem(Some(now + 300), None, Some(now + 100), now),
        Some(TokenProblem::IssuedInFuture)
    ); // upstream: gitlab::claims::test_decode_future_iat
}

#[test]
fn github_exchange() {
    let default = || github_config("foo", Some("42"), "publish.yml", "");
    let with_env = |env: &str| github_config("foo", Some("42"), "publish.yml", env);
    let bad = |t: &str| Err(t.to_owned());
    assert_eq!(one(default(), github_claims(&[])), Ok(())); // upstream: test_happy_path
    assert_eq!(
        one(
            with_env("prod"),
            github_claims(&[("environment", json!("prod"))])
        ),
        Ok(())
    ); // upstream: test_happy_path_with_environment
    assert_eq!(
        one(default(), github_claims(&[("environment", json!("prod"))])),
        Ok(())
    ); // upstream: test_happy_path_with_ignored_environment
    assert_eq!(
        one(
            with_env("Prod"),
            github_claims(&[
                ("repository", json!("RUST-lanG/foo-RS")),
                (
                    "workflow_ref",
                    json!("RUST-lanG/foo-RS/.github/workflows/publish.yml@refs/heads/main")
                ),
                ("environment", json!("PROD")),
            ])
        ),
        Ok(())
    ); // upstream: test_case_insensitive
    assert_eq!(
        one(
            default(),
            github_claims(&[("aud", json!("invalid-audience"))])
        ),
        bad("Failed to decode JWT")
    ); // upstream: test_invalid_audience
    assert_eq!(
        one(default(), github_claims(&[("repository", json!("what?"))])),
        bad("Unexpected `repository` value")
    ); // upstream: test_invalid_repository
    assert_eq!(
        one(
            default(),
            github_claims(&[("workflow_ref", json!("what?"))])
        ),
        bad("Unexpected `workflow_ref` value")
    ); // upstream: test_invalid_workflow
    assert_eq!(
        one(
            default(),
            github_claims(&[("repository_owner_id", json!("what?"))])
        ),
        bad("Unexpected `repository_owner_id` value")
    ); // upstream: test_invalid_owner_id
    let mut elsewhere = default();
    elsewhere.repository = "other".into();
    assert_eq!(
        one(elsewhere, github_claims(&[])),
        bad("No Trusted Publishing config found for repository `rust-lang/foo-rs`.")
    ); // upstream: test_missing_config
    assert_eq!(
        one(
            github_config("foo", Some("999"), "publish.yml", ""),
            github_claims(&[])
        ),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the repository owner ID (42) in the JWT. Expected owner IDs: 999. Please recreate the Trusted Publishing config to update the repository owner ID."
        )
    ); // upstream: test_repository_owner_id_mismatch
    assert_eq!(
        one(
            github_config("foo", Some("42"), "different.yml", ""),
            github_claims(&[])
        ),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the workflow filename `publish.yml` in the JWT. Expected workflow filenames: `different.yml`"
        )
    ); // upstream: test_workflow_filename_mismatch
    for event in ["pull_request_target", "workflow_run"] {
        assert_eq!(
            one(default(), github_claims(&[("event_name", json!(event))])),
            Err(format!(
                "Trusted Publishing does not support the `{event}` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`."
            ))
        );
    } // upstream: test_pull_request_target_event_rejected
    assert!(
        one(
            default(),
            github_claims(&[("event_name", json!("workflow_run"))])
        )
        .is_err()
    ); // upstream: test_workflow_run_event_rejected
    assert_eq!(
        one(with_env("prod"), github_claims(&[])),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` requires an environment, but the JWT does not specify one. Expected environments: `prod`"
        )
    ); // upstream: test_missing_environment
    assert_eq!(
        one(
            with_env("prod"),
            github_claims(&[("environment", json!("not-prod"))])
        ),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the environment `not-prod` in the JWT. Expected environments: `prod`"
        )
    ); // upstream: test_wrong_environment
    assert_eq!(
        one(
            default(),
            github_claims(&[("iss", json!("https://ghes.example.com/_services/token"))])
        ),
        bad("Unsupported JWT issuer: https://ghes.example.com/_services/token")
    ); // upstream: test_unsupported_issuer (an issuer crates.io keeps no keys for)
}

#[test]
fn gitlab_exchange() {
    let config = |env: &str, ns_id: Option<&str>| {
        gitlab_config(
            "rust-lang",
            "foo-rs",
            "some/subfolder/jobs.yaml",
            env,
            ns_id,
        )
    };
    let bad = |t: &str| Err(t.to_owned());
    assert_eq!(one(config("", None), gitlab_claims(&[])), Ok(())); // upstream: gitlab::test_happy_path
    assert_eq!(
        one(
            config("prod", None),
            gitlab_claims(&[("environment", json!("prod"))])
        ),
        Ok(())
    ); // upstream: gitlab::test_happy_path_with_environment
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[("environment", json!("prod"))])
        ),
        Ok(())
    ); // upstream: gitlab::test_happy_path_with_ignored_environment
    assert_eq!(
        one(
            config("Prod", None),
            gitlab_claims(&[
                ("project_path", json!("RUST-lanG/foo-RS")),
                (
                    "ci_config_ref_uri",
                    json!("gitlab.com/RUST-lanG/foo-RS//some/subfolder/jobs.yaml@refs/heads/main")
                ),
                ("environment", json!("PROD")),
            ])
        ),
        Ok(())
    ); // upstream: gitlab::test_case_insensitive
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[("aud", json!("invalid-audience"))])
        ),
        bad("Failed to decode JWT")
    ); // upstream: gitlab::test_invalid_audience
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[("project_path", json!("what?"))])
        ),
        bad("Unexpected `project_path` value")
    ); // upstream: gitlab::test_invalid_project_path
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[("project_path", json!("invalid-no-slash"))])
        ),
        bad("Unexpected `project_path` value")
    ); // upstream: gitlab::test_project_path_no_slash
    assert_eq!(
        one(
            gitlab_config(
                "group/subgroup",
                "project",
                "some/subfolder/jobs.yaml",
                "",
                None
            ),
            gitlab_claims(&[
                ("project_path", json!("group/subgroup/project")),
                (
                    "ci_config_ref_uri",
                    json!(
                        "gitlab.com/group/subgroup/project//some/subfolder/jobs.yaml@refs/heads/main"
                    )
                ),
            ])
        ),
        Ok(())
    ); // upstream: gitlab::test_subgroup_project_path
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[("ci_config_ref_uri", json!("what?"))])
        ),
        bad("Unexpected `ci_config_ref_uri` value")
    ); // upstream: gitlab::test_invalid_ci_config_ref_uri
    assert_eq!(
        one(
            gitlab_config("rust-lang", "other", "some/subfolder/jobs.yaml", "", None),
            gitlab_claims(&[])
        ),
        bad("No Trusted Publishing config found for repository `rust-lang/foo-rs`.")
    ); // upstream: gitlab::test_missing_config
    assert_eq!(one(config("", Some("42")), gitlab_claims(&[])), Ok(())); // upstream: gitlab::test_lazy_namespace_id_population (once pinned, the same id passes)
    assert_eq!(
        one(config("", Some("999")), gitlab_claims(&[])),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the namespace ID (42) in the JWT. Expected namespace IDs: 999. Please recreate the Trusted Publishing config to update the namespace ID."
        )
    ); // upstream: gitlab::test_namespace_id_mismatch_resurrection_attack
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[(
                "ci_config_ref_uri",
                json!("gitlab.com/rust-lang/foo-rs//wrong-workflow.yml@refs/heads/main")
            )])
        ),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the workflow filepath `wrong-workflow.yml` in the JWT. Expected workflow filepaths: `some/subfolder/jobs.yaml`"
        )
    ); // upstream: gitlab::test_wrong_workflow_filepath
    assert_eq!(
        one(config("prod", None), gitlab_claims(&[])),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` requires an environment, but the JWT does not specify one. Expected environments: `prod`"
        )
    ); // upstream: gitlab::test_missing_environment
    assert_eq!(
        one(
            config("prod", None),
            gitlab_claims(&[("environment", json!("not-prod"))])
        ),
        bad(
            "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the environment `not-prod` in the JWT. Expected environments: `prod`"
        )
    ); // upstream: gitlab::test_wrong_environment
    // derived: a self-managed instance's issuer has no key store on crates.io.
    assert_eq!(
        one(
            config("", None),
            gitlab_claims(&[("iss", json!("https://gitlab.example.com"))])
        ),
        bad("Unsupported JWT issuer: https://gitlab.example.com")
    );
}

#[test]
fn every_config_of_the_repository_is_weighed_at_once() {
    // derived: `extract_if` lists the configs each step drops, across crates, in file order.
    let a = github_config("foo", Some("42"), "publish.yml", "");
    let b = github_config("bar", Some("42"), "release.yml", "prod");
    let configs = [a.clone(), b.clone()];
    let claims = github_claims(&[(
        "workflow_ref",
        json!("rust-lang/foo-rs/.github/workflows/ci.yml@refs/heads/main"),
    )]);
    let expected = "The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the workflow filename `ci.yml` in the JWT. Expected workflow filenames: `publish.yml`, `release.yml`";
    assert_eq!(
        exchange_for(&a, &configs, claims.clone(), None),
        Err(expected.into())
    );
    assert_eq!(
        exchange_for(&b, &configs, claims, None),
        Err(expected.into())
    );
    // The run matches `foo`'s config: the token covers `foo`, and `bar`'s upload is refused.
    let claims = github_claims(&[]);
    assert_eq!(exchange_for(&a, &configs, claims.clone(), None), Ok(()));
    assert_eq!(
        exchange_for(&b, &configs, claims, None),
        Err("The provided access token is not valid for crate `bar`".into())
    );
    // A config of another repository is not among them.
    let mut c = github_config("baz", Some("7"), "publish.yml", "");
    c.owner = "someone".into();
    let configs = [c, a.clone()];
    assert_eq!(exchange_for(&a, &configs, github_claims(&[]), None), Ok(()));
    // Owner ids: only the configs dropped are listed, bare.
    let x = github_config("x", Some("1"), "publish.yml", "");
    let y = github_config("y", Some("2"), "publish.yml", "");
    assert_eq!(
        exchange_for(&x, &[x.clone(), y], github_claims(&[]), None),
        Err("The Trusted Publishing config for repository `rust-lang/foo-rs` does not match the repository owner ID (42) in the JWT. Expected owner IDs: 1, 2. Please recreate the Trusted Publishing config to update the repository owner ID.".into())
    );
}
