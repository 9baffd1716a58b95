//! The files that fit trustpub into other tools: the composite action (`action.yml`), the
//! pre-commit hook (`.pre-commit-hooks.yaml`) and the wheel (`pyproject.toml`). The wheel and
//! the hook are also built and run for real by `ci/packaging.sh`, from `.ci/run`.

use std::path::{Path, PathBuf};
use std::process::Command;

use trustpub::workflow::yaml::{self, Item};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_file(name: &str) -> (String, Item) {
    let text = std::fs::read_to_string(root().join(name)).unwrap();
    let doc = yaml::parse(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    (text, doc)
}

/// Every `inputs.NAME` / `steps.ID.outputs.NAME` an expression names.
fn references<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn the_action_is_a_composite_whose_expressions_name_declared_inputs() {
    let (text, doc) = yaml_file("action.yml");
    for key in ["name", "description", "inputs", "runs"] {
        assert!(doc.get(key).is_some(), "action.yml has no `{key}`");
    }
    let runs = doc.value("runs").unwrap();
    assert_eq!(
        runs.value("using").and_then(Item::as_str),
        Some("composite")
    );
    let inputs: Vec<&str> = doc
        .value("inputs")
        .and_then(Item::as_map)
        .unwrap()
        .iter()
        .map(|(k, _)| k.name.as_str())
        .collect();
    for name in references(&text, "inputs.") {
        assert!(inputs.contains(&name), "`inputs.{name}` is not declared");
    }
    let steps = runs.value("steps").and_then(Item::as_seq).unwrap();
    let ids: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.value("id").and_then(Item::as_str))
        .collect();
    for id in references(&text, "steps.") {
        assert!(ids.contains(&id), "`steps.{id}` is not a step id");
    }
    for step in steps {
        if step.get("run").is_some() {
            assert!(
                step.get("shell").is_some(),
                "a composite `run` step needs `shell`"
            );
        }
    }
}

/// The `run:` script of the action's step with this id.
fn action_script(id: &str) -> String {
    let (_, doc) = yaml_file("action.yml");
    doc.value("runs")
        .and_then(|r| r.value("steps"))
        .and_then(Item::as_seq)
        .unwrap()
        .iter()
        .find(|s| s.value("id").and_then(Item::as_str) == Some(id))
        .and_then(|s| s.value("run"))
        .and_then(Item::as_str)
        .unwrap()
        .to_owned()
}

/// Runs the action's `check` step with bash, as the runner would, in a golden case's folder.
fn run_check_step(case: &str, sarif: bool, args: &str) -> (Option<i32>, String, PathBuf) {
    let dir = root().join("tests/golden/check").join(case);
    let tmp = std::env::temp_dir().join(format!(
        "trustpub-action-{case}-{sarif}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("trustpub");
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(action_script("check"))
        .current_dir(&dir)
        // The binary runs by its full path: nothing is added to PATH.
        .env("TRUSTPUB", &bin)
        .env("ACTION_PATH", root())
        .env("ERRORS", tmp.join("trustpub.errors"))
        .env("NO_COLOR", "1")
        .env("TRUSTPUB_ARGS", args)
        .env("TRUSTPUB_CONFIG", "expected-publishers.toml")
        .env("SARIF", if sarif { "true" } else { "false" })
        .env("SARIF_FILE", tmp.join("trustpub.sarif"))
        .env("GITHUB_OUTPUT", tmp.join("output"))
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(tmp.join("output")).unwrap_or_default();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &outputs,
        tmp,
    )
}

#[test]
fn the_actions_check_step_reports_findings_as_annotations_or_sarif() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("no bash: skipped");
        return;
    }
    let (code, out, _) = run_check_step(
        "environment-mismatch",
        false,
        "--repository octo-org/widget",
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("::error file=.github/workflows/release.yml,line=19"),
        "{out}"
    );
    assert!(out.contains("exit-code=1"), "{out}");
    let (code, out, tmp) =
        run_check_step("environment-mismatch", true, "--repository octo-org/widget");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("exit-code=1") && out.contains("sarif-file="),
        "{out}"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.join("trustpub.sarif")).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "environment-mismatch"
    );
    let (code, out, _) = run_check_step("clean", false, "--repository octo-org/widget");
    assert_eq!(code, Some(0));
    assert!(out.contains("exit-code=0"), "{out}");
    // Unusable input fails the step at once, with an annotation on the file and line.
    let (code, out, _) = run_check_step("clean", false, "--repository not-a-slug");
    assert_eq!(code, Some(2), "{out}");
    let (code, out, _) = run_check_step("config-unreadable", false, "--repository octo-org/widget");
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(
            "::error file=expected-publishers.toml,line=1,col=13,title=trustpub::invalid TOML"
        ),
        "{out}"
    );
}

#[test]
fn the_action_pins_every_action_by_commit_and_adds_nothing_to_path() {
    for file in [
        "action.yml",
        ".github/workflows/release.yml",
        ".github/workflows/ci.yml",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for line in text.lines().filter(|l| {
            l.trim_start().starts_with("uses:") || l.trim_start().starts_with("- uses:")
        }) {
            let reference = line.split("uses:").nth(1).unwrap().trim();
            let at = reference
                .split_once('@')
                .map(|(_, r)| r.split_whitespace().next().unwrap_or(""));
            assert!(
                at.is_some_and(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())),
                "{file}: `{reference}` is not pinned by a commit"
            );
        }
        assert!(!text.contains("GITHUB_PATH"), "{file} writes GITHUB_PATH");
    }
}

#[test]
fn the_pre_commit_hook_runs_check_on_workflow_and_desired_state_changes() {
    let (_, doc) = yaml_file(".pre-commit-hooks.yaml");
    let hooks = doc.as_seq().expect("a list of hooks");
    let hook = hooks
        .iter()
        .find(|h| h.value("id").and_then(Item::as_str) == Some("trustpub"))
        .expect("a hook with id `trustpub`");
    // The hook that needs no compiler runs an installed trustpub.
    let system = hooks
        .iter()
        .find(|h| h.value("id").and_then(Item::as_str) == Some("trustpub-system"))
        .expect("a hook with id `trustpub-system`");
    assert_eq!(
        system.value("language").and_then(Item::as_str),
        Some("system")
    );
    assert_eq!(
        system.value("files").and_then(Item::as_str),
        hook.value("files").and_then(Item::as_str)
    );
    assert_eq!(
        hook.value("entry").and_then(Item::as_str),
        Some("trustpub check")
    );
    assert_eq!(
        hook.value("pass_filenames").map(|v| &v.node),
        Some(&yaml::Node::Bool(false))
    );
    let language = hook.value("language").and_then(Item::as_str).unwrap();
    assert!(["rust", "python"].contains(&language), "{language}");
    let files = hook.value("files").and_then(Item::as_str).unwrap();
    assert!(
        files.contains(r"\.github/workflows/") && files.contains("expected-publishers"),
        "{files}"
    );
}

#[test]
fn the_wheel_is_built_by_maturin_as_a_binary_and_takes_its_version_from_cargo() {
    let text = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    let t: toml::Table = text.parse().unwrap();
    assert_eq!(t["build-system"]["build-backend"].as_str(), Some("maturin"));
    assert_eq!(t["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    assert_eq!(t["project"]["name"].as_str(), Some("trustpub"));
    let dynamic = t["project"]["dynamic"].as_array().unwrap();
    assert!(dynamic.iter().any(|v| v.as_str() == Some("version")));
    assert!(Path::new(&root().join("README.md")).is_file());
}

/// Runs the action's `preflight` step with bash, as the runner would.
fn run_preflight_step(env: &[(&str, String)]) -> (Option<i32>, String) {
    let tmp =
        std::env::temp_dir().join(format!("trustpub-action-preflight-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(action_script("preflight"))
        .current_dir(root().join("tests/golden/check/clean"))
        .env("TRUSTPUB", assert_cmd::cargo::cargo_bin("trustpub"))
        .env("NO_COLOR", "1")
        .env("TRUSTPUB_ARGS", "")
        .env("TRUSTPUB_CONFIG", "expected-publishers.toml")
        .env("EXCHANGE", "false")
        .env("FAIL", "true")
        .env("GITHUB_OUTPUT", tmp.join("output"))
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(tmp.join("output")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&tmp);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr)
            + &outputs,
    )
}

#[test]
fn the_actions_preflight_mode_needs_the_job_s_token_and_fails_on_a_refusal() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("no bash: skipped");
        return;
    }
    // Outside a job with `id-token: write`: the step fails with preflight's own message.
    let (code, out) = run_preflight_step(&[]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("ACTIONS_ID_TOKEN_REQUEST_URL") && out.contains("exit-code=2"),
        "{out}"
    );
    // A runner whose token names another workflow: the declared publisher would refuse it.
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let claims = serde_json::json!({
        "iss": "https://token.actions.githubusercontent.com", "aud": "pypi",
        "iat": 1_900_000_000, "exp": 1_900_000_900, "jti": "j", "sub": "repo:octo-org/widget:ref:refs/tags/v1",
        "repository": "octo-org/widget", "repository_owner": "octo-org", "repository_owner_id": "1",
        "event_name": "push", "ref": "refs/tags/v1", "sha": "abc",
        "workflow_ref": "octo-org/widget/.github/workflows/other.yml@refs/tags/v1",
        "job_workflow_ref": "octo-org/widget/.github/workflows/other.yml@refs/tags/v1",
    });
    let jwt = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"RS256"}"#),
        b64(&claims.to_string())
    );
    let mut server = mockito::Server::new();
    server
        .mock("GET", "/idtoken")
        .match_query(mockito::Matcher::Any)
        .with_body(serde_json::json!({"value": jwt}).to_string())
        .create();
    server
        .mock("GET", "/pypi/_/oidc/audience")
        .with_body(r#"{"audience":"pypi"}"#)
        .create();
    let (code, out) = run_preflight_step(&[
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/idtoken?api-version=2.0", server.url()),
        ),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token".into()),
        (
            "TRUSTPUB_ARGS",
            format!(
                "--registry pypi --pypi-url {}/pypi --testpypi-url {}/testpypi",
                server.url(),
                server.url()
            ),
        ),
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("exit-code=1"), "{out}");
    assert!(
        out.contains("::error title=trustpub preflight::the release would fail"),
        "{out}"
    );
}
