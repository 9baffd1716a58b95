//! `trustpub preflight` end to end, against loopback servers that play the runner's token
//! endpoint and each registry's exchange: accepted, refused with the registry's real body, a
//! 5xx, and a server that never answers. No token (the runner's request token, the JWTs, or
//! what a registry gives) may reach any output or file.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mockito::{Matcher, Server, ServerGuard};
use serde_json::{Value, json};

const REQUEST_TOKEN: &str = "runner-request-token-0123456789";
/// What the registries give: each must never be printed.
const MINTED: [&str; 5] = [
    "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA",
    "cio_tp_abcdefghijklmnopqrstuvwxyz012345",
    "rubygems_0123456789abcdef0123456789abcdef0123456789abcdef",
    "oy2nugetapikeyabcdefghijklmnopqrstuvwxyz0123456",
    "npm_abcdefghijklmnopqrstuvwxyz0123456789",
];

const DESIRED: &str = r#"
[[publisher]]
registry = "pypi"
project = "widget"
owner = "acme"
repository = "widget"
workflow = "release.yml"
environment = "release"

[[publisher]]
registry = "crates-io"
project = "widget"
owner = "acme"
repository = "widget"
workflow = "release.yml"
environment = "release"

[[publisher]]
registry = "rubygems"
project = "widget"
owner = "acme"
repository = "widget"
workflow = "release.yml"
environment = "release"

[[publisher]]
registry = "nuget"
project = "Acme.Widget"
owner = "acme"
repository = "widget"
workflow = "release.yml"
environment = "release"
policy-owner = "acme-bot"

[[publisher]]
registry = "npm"
project = "@acme/widget"
owner = "acme"
repository = "widget"
workflow = "release.yml"
environment = "release"
"#;

/// A token as GitHub would give the job (unsigned: preflight decodes, the registry verifies).
fn jwt(aud: &str, jti: usize) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
    let claims = json!({
        "iss": "https://token.actions.githubusercontent.com", "aud": aud,
        "iat": 1_900_000_000, "nbf": 1_900_000_000, "exp": 1_900_000_900,
        "jti": format!("jti-{jti}"), "sub": "repo:acme/widget:environment:release",
        "repository": "acme/widget", "repository_owner": "acme", "repository_owner_id": "42",
        "repository_id": "7", "run_id": "1", "event_name": "push", "ref": "refs/tags/v1.2.0",
        "sha": "abc123", "environment": "release", "runner_environment": "github-hosted",
        "workflow_ref": "acme/widget/.github/workflows/release.yml@refs/tags/v1.2.0",
        "job_workflow_ref": "acme/widget/.github/workflows/release.yml@refs/tags/v1.2.0",
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0{jti}")
}

const AUDIENCES: [&str; 5] = [
    "pypi",
    "crates.io",
    "rubygems.org",
    "https://www.nuget.org",
    "npm:registry.npmjs.org",
];

struct World {
    runner: ServerGuard,
    registries: ServerGuard,
    dir: PathBuf,
}

impl World {
    fn new(name: &str) -> World {
        let dir =
            std::env::temp_dir().join(format!("trustpub-preflight-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("expected-publishers.toml"), DESIRED).unwrap();
        let mut runner = Server::new();
        for (i, aud) in AUDIENCES.iter().enumerate() {
            runner
                .mock("GET", "/idtoken")
                .match_query(Matcher::AllOf(vec![
                    Matcher::UrlEncoded("api-version".into(), "2.0".into()),
                    Matcher::UrlEncoded("audience".into(), (*aud).into()),
                ]))
                .match_header("authorization", format!("Bearer {REQUEST_TOKEN}").as_str())
                .with_body(json!({"value": jwt(aud, i)}).to_string())
                .create();
        }
        let mut registries = Server::new();
        registries
            .mock("GET", "/pypi/_/oidc/audience")
            .with_body(r#"{"audience": "pypi"}"#)
            .create();
        World {
            runner,
            registries,
            dir,
        }
    }

    fn preflight(&self, args: &[&str], timeout: &str) -> (i32, String, String, Duration) {
        self.preflight_as("json", args, timeout)
    }

    fn preflight_as(
        &self,
        format: &str,
        args: &[&str],
        timeout: &str,
    ) -> (i32, String, String, Duration) {
        let base = self.registries.url();
        let start = Instant::now();
        let out = Command::cargo_bin("trustpub")
            .unwrap()
            .current_dir(&self.dir)
            .args(["--format", format, "preflight", "--timeout", timeout])
            .args(["--pypi-url", &format!("{base}/pypi")])
            .args(["--testpypi-url", &format!("{base}/testpypi")])
            .args(["--crates-io-url", &format!("{base}/crates")])
            .args(["--rubygems-url", &format!("{base}/rubygems")])
            .args(["--nuget-url", &format!("{base}/nuget")])
            .args(["--npm-url", &format!("{base}/npm")])
            .args(args)
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{}/idtoken?api-version=2.0", self.runner.url()),
            )
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
            .env("TRUSTPUB_BACKOFF_BASE_MS", "1")
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("TRUSTPUB_CONFIG")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            start.elapsed(),
        )
    }

    /// No secret in the outputs, and no file beside the desired state.
    fn assert_no_secret(&self, texts: &[&str]) {
        for text in texts {
            assert!(
                !text.contains(REQUEST_TOKEN),
                "the runner's request token leaked"
            );
            assert!(!text.contains("/idtoken"), "the runner's token URL leaked");
            for (i, aud) in AUDIENCES.iter().enumerate() {
                assert!(!text.contains(&jwt(aud, i)), "a JWT leaked");
                assert!(
                    !text.contains("c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0"),
                    "a JWT signature leaked"
                );
            }
            for minted in MINTED {
                assert!(
                    !text.contains(minted),
                    "a registry's token leaked: {minted}"
                );
            }
        }
        let files: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            files,
            ["expected-publishers.toml"],
            "preflight wrote a file"
        );
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn results(out: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    v["results"].as_array().unwrap().clone()
}

fn result<'a>(all: &'a [Value], registry: &str) -> &'a Value {
    all.iter()
        .find(|r| r["registry"] == registry)
        .unwrap_or_else(|| panic!("no {registry} result"))
}

#[test]
fn without_a_runner_it_says_so_and_exits_2() {
    let w = World::new("no-runner");
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&w.dir)
        .arg("preflight")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set"),
        "{err}"
    );
}

#[test]
fn the_job_s_own_tokens_are_judged_offline() {
    let w = World::new("offline");
    let (code, out, err, _) = w.preflight(&[], "5");
    assert_eq!(code, 0, "{out}{err}");
    let all = results(&out);
    assert_eq!(all.len(), 5);
    for r in &all {
        assert_eq!(r["verdict"], "match", "{r}");
        assert_eq!(r["exchange"], Value::Null);
    }
    let v: Value = serde_json::from_str(&out).unwrap();
    let auds: Vec<&str> = v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["audience"].as_str().unwrap())
        .collect();
    assert_eq!(auds.len(), 5);
    assert!(
        auds.contains(&"pypi"),
        "PyPI's audience from /_/oidc/audience"
    );
    w.assert_no_secret(&[&out, &err]);
}

#[test]
fn every_registry_accepts_and_crates_io_s_token_is_revoked() {
    let mut w = World::new("accept");
    let s = &mut w.registries;
    let pypi = s
        .mock("POST", "/pypi/_/oidc/mint-token")
        .match_body(Matcher::Regex(r#"^\{"token":"eyJ[^"]+"\}$"#.into()))
        .with_body(
            json!({"success": true, "token": MINTED[0], "expires": 1_900_000_900}).to_string(),
        )
        .create();
    let crates = s
        .mock("POST", "/crates/api/v1/trusted_publishing/tokens")
        .match_body(Matcher::Regex(r#"^\{"jwt":"eyJ[^"]+"\}$"#.into()))
        .with_body(json!({"token": MINTED[1]}).to_string())
        .create();
    let revoke = s
        .mock("DELETE", "/crates/api/v1/trusted_publishing/tokens")
        .match_header("authorization", format!("Bearer {}", MINTED[1]).as_str())
        .with_status(204)
        .expect(1)
        .create();
    let gems = s
        .mock("POST", "/rubygems/api/v1/oidc/trusted_publisher/exchange_token")
        .match_header("accept", "application/json")
        .with_status(201)
        .with_body(json!({"rubygems_api_key": MINTED[2], "name": "GitHub Actions acme/widget", "scopes": ["push_rubygem"]}).to_string())
        .create();
    let nuget = s
        .mock("POST", "/nuget/api/v2/token")
        .match_header("authorization", Matcher::Regex("^Bearer eyJ".into()))
        .match_header("user-agent", Matcher::Regex(".+".into()))
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({"username": "acme-bot", "tokenType": "ApiKey"})))
        .with_body(json!({"tokenType": "ApiKey", "expires": "2030-01-01T00:00:00+00:00", "apiKey": MINTED[3]}).to_string())
        .create();
    let npm = s
        .mock(
            "POST",
            "/npm/-/npm/v1/oidc/token/exchange/package/@acme%2fwidget",
        )
        .match_header("authorization", Matcher::Regex("^Bearer eyJ".into()))
        .with_status(201)
        .with_body(json!({"token_type": "oidc", "token": MINTED[4]}).to_string())
        .create();
    let (code, out, err, _) = w.preflight(&["--exchange"], "5");
    assert_eq!(code, 0, "{out}{err}");
    for m in [&pypi, &crates, &revoke, &gems, &nuget, &npm] {
        m.assert();
    }
    let all = results(&out);
    for r in &all {
        assert_eq!(r["exchange"]["attempted"], true, "{r}");
        assert_eq!(r["exchange"]["accepted"], true, "{r}");
        assert_eq!(r["exchange"]["code"], Value::Null);
    }
    assert_eq!(result(&all, "crates-io")["exchange"]["revoked"], true);
    assert_eq!(result(&all, "pypi")["exchange"]["revoked"], Value::Null);
    assert_eq!(result(&all, "npm")["exchange"]["status"], 201);
    w.assert_no_secret(&[&out, &err]);
}

#[test]
fn each_registry_s_refusal_decides_with_its_own_words() {
    let mut w = World::new("refuse");
    let s = &mut w.registries;
    s.mock("POST", "/pypi/_/oidc/mint-token")
        .with_status(422)
        .with_body(r#"{"message": "Token request failed", "errors": [{"code": "invalid-publisher", "description": "valid token, but no corresponding publisher (Publisher with matching claims was not found)"}]}"#)
        .create();
    s.mock("POST", "/crates/api/v1/trusted_publishing/tokens")
        .with_status(400)
        .with_body(r#"{"errors":[{"detail":"The Trusted Publishing config for repository `acme/widget` does not match the environment `release` in the JWT. Expected environments: `crates-io`"}]}"#)
        .create();
    let no_revoke = s
        .mock("DELETE", "/crates/api/v1/trusted_publishing/tokens")
        .expect(0)
        .create();
    s.mock(
        "POST",
        "/rubygems/api/v1/oidc/trusted_publisher/exchange_token",
    )
    .with_status(404)
    .with_body(r#"{"error":"Not Found"}"#)
    .create();
    s.mock("POST", "/nuget/api/v2/token")
        .with_status(401)
        .with_body(r#"{"error":"Environment mismatch for policy 'Acme.Widget': expected 'nuget', actual 'release'"}"#)
        .create();
    s.mock(
        "POST",
        Matcher::Regex("^/npm/-/npm/v1/oidc/token/exchange/package/".into()),
    )
    .with_status(404)
    .with_body(r#"{"message":"OIDC token exchange error - package not found"}"#)
    .create();
    let (code, human, err, _) = w.preflight_as("human", &["--exchange"], "5");
    assert_eq!(code, 1, "{human}{err}");
    assert!(
        human.contains("✗ exchange: crates.io refused (HTTP 400): The Trusted Publishing config"),
        "{human}"
    );
    assert!(
        human.contains("✗ exchange: PyPI refused (HTTP 422, `invalid-publisher`)"),
        "{human}"
    );
    eprintln!("{human}");
    let (code, out, err, _) = w.preflight(&["--exchange"], "5");
    assert_eq!(code, 1, "{out}{err}");
    no_revoke.assert();
    let all = results(&out);
    let pypi = result(&all, "pypi");
    assert_eq!(pypi["verdict"], "mismatch");
    assert_eq!(pypi["answered"], true);
    assert_eq!(pypi["exchange"]["status"], 422);
    assert_eq!(pypi["exchange"]["code"], "invalid-publisher");
    assert_eq!(
        pypi["exchange"]["reason"],
        "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
    );
    let crates = result(&all, "crates-io");
    assert_eq!(crates["exchange"]["revoked"], Value::Null);
    assert_eq!(crates["code"], "http-400");
    let env = crates["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "environment")
        .unwrap();
    assert_eq!(env["ok"], false, "crates.io's words name the environment");
    let nuget = result(&all, "nuget");
    assert_eq!(nuget["exchange"]["status"], 401);
    assert_eq!(nuget["verdict"], "mismatch");
    for registry in ["rubygems", "npm"] {
        let r = result(&all, registry);
        assert_eq!(r["exchange"]["accepted"], false);
        assert_eq!(r["exchange"]["status"], 404);
        assert_eq!(r["verdict"], "mismatch");
    }
    w.assert_no_secret(&[&out, &err]);
}

#[test]
fn a_5xx_is_no_answer_and_fails_the_preflight() {
    let mut w = World::new("5xx");
    w.registries
        .mock("POST", "/pypi/_/oidc/mint-token")
        .with_status(503)
        .with_body("<html>Service Unavailable</html>")
        .create();
    let (code, out, err, _) = w.preflight(&["--exchange", "--registry", "pypi"], "5");
    assert_eq!(code, 1, "{out}{err}");
    let all = results(&out);
    let pypi = result(&all, "pypi");
    assert_eq!(
        pypi["verdict"], "match",
        "an outage is not the registry's verdict"
    );
    assert_eq!(pypi["exchange"]["accepted"], false);
    assert_eq!(pypi["exchange"]["status"], 503);
    assert_eq!(pypi["exchange"]["code"], Value::Null);
    assert!(
        pypi["exchange"]["reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 503")
    );
    w.assert_no_secret(&[&out, &err]);
}

/// A server that accepts connections and never answers.
fn silent_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(8));
    });
    (url, handle)
}

#[test]
fn a_registry_that_never_answers_is_bounded_by_the_timeout() {
    let w = World::new("slow");
    let (silent, _keep) = silent_server();
    let base = w.registries.url();
    let start = Instant::now();
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&w.dir)
        .args([
            "--format",
            "json",
            "preflight",
            "--exchange",
            "--registry",
            "crates-io",
        ])
        .args([
            "--timeout",
            "1",
            "--crates-io-url",
            &silent,
            "--pypi-url",
            &format!("{base}/pypi"),
        ])
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/idtoken?api-version=2.0", w.runner.url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(took < Duration::from_secs(6), "took {took:?}");
    let all = results(&stdout);
    let crates = result(&all, "crates-io");
    assert_eq!(crates["exchange"]["status"], Value::Null);
    assert!(
        crates["exchange"]["reason"]
            .as_str()
            .unwrap()
            .contains("no answer within 1 s"),
        "{crates}"
    );
    eprintln!("a silent registry took {took:?} with --timeout 1");
    w.assert_no_secret(&[&stdout, &String::from_utf8_lossy(&out.stderr)]);
}

#[test]
fn a_runner_that_refuses_a_token_is_an_input_error_without_its_url() {
    let w = World::new("runner-refuses");
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&w.dir)
        .args(["preflight", "--registry", "crates-io"])
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/elsewhere?api-version=2.0", w.runner.url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no OIDC token for audience `crates.io`"),
        "{err}"
    );
    assert!(
        !err.contains("elsewhere") && !err.contains(REQUEST_TOKEN),
        "{err}"
    );
    let _ = Path::new("");
}

#[test]
fn the_markdown_summary_is_appended_to_the_step_summary_without_secrets() {
    let mut w = World::new("summary");
    w.registries
        .mock("POST", "/crates/api/v1/trusted_publishing/tokens")
        .with_body(json!({"token": MINTED[1]}).to_string())
        .create();
    w.registries
        .mock("DELETE", "/crates/api/v1/trusted_publishing/tokens")
        .with_status(204)
        .create();
    let summary = std::env::temp_dir().join(format!("trustpub-summary-{}.md", std::process::id()));
    std::fs::write(&summary, "## an earlier step\n\n").unwrap();
    let base = w.registries.url();
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&w.dir)
        .args(["preflight", "--exchange", "--registry", "crates-io"])
        .args(["--crates-io-url", &format!("{base}/crates")])
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/idtoken?api-version=2.0", w.runner.url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&summary).unwrap();
    let _ = std::fs::remove_file(&summary);
    assert!(
        text.starts_with("## an earlier step\n\n## trustpub preflight\n"),
        "{text}"
    );
    assert!(
        text.contains("| ✅ | `crates-io` · `widget` | match |"),
        "{text}"
    );
    assert!(
        text.contains("crates.io accepted the token (HTTP 200); the token it gave was revoked"),
        "{text}"
    );
    w.assert_no_secret(&[
        &text,
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
    ]);
}
