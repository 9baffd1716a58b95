//! `drift` over real HTTP: each golden case's recording is served by a mockito server on
//! loopback, and the live run must report exactly what the replay (`--from-dir`) reports.
//! So every drift kind and threshold is tested through the real client, and record and replay
//! are tested against each other. Also: the CLI's `--output`, `--record` and exit codes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use mockito::{Mock, Server};
use serde_json::Value;
use trustpub::config::{self, DesiredState};
use trustpub::drift::http::{Http, Mode, Settings};
use trustpub::drift::report::DriftKind;
use trustpub::drift::retry::Policy;
use trustpub::drift::store::Service;
use trustpub::registry::Registry;

const REAL: [(&str, &str); 3] = [
    ("github", "https://api.github.com"),
    ("pypi", "https://pypi.org"),
    ("testpypi", "https://test.pypi.org"),
];

fn golden(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/drift")
        .join(case)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out)
        } else {
            out.push(p)
        }
    }
}

/// Serves every envelope of a recording at `/<service>/<path>`.
fn serve(server: &mut Server, recording: &Path) -> Vec<Mock> {
    serve_except(server, recording, &[])
}

/// Serves a recording, leaving out the URLs that start with one of `skip` (mockito answers
/// with the first mock still waiting for a hit, so a replacement must not compete with one).
fn serve_except(server: &mut Server, recording: &Path, skip: &[&str]) -> Vec<Mock> {
    let mut all = Vec::new();
    files(recording, &mut all);
    all.iter()
        .filter_map(|file| {
            let rel = file
                .strip_prefix(recording)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let rel = rel.strip_suffix(".json").unwrap();
            let (path, query) = rel.split_once('@').unwrap_or((rel, ""));
            let path = path
                .strip_suffix("/index")
                .map_or_else(|| path.to_owned(), |p| format!("{p}/"));
            let url = if query.is_empty() {
                format!("/{path}")
            } else {
                format!("/{path}?{query}")
            };
            if skip.iter().any(|p| url.starts_with(p)) {
                return None;
            }
            let env: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
            let body = match (&env.get("body"), &env.get("text")) {
                (Some(b), _) => b.to_string(),
                (None, Some(Value::String(t))) => t.clone(),
                _ => String::new(),
            };
            Some(
                server
                    .mock("GET", url.as_str())
                    .with_status(env.get("status").and_then(Value::as_u64).unwrap_or(200) as usize)
                    .with_header("content-type", "application/json")
                    .with_body(body)
                    .create(),
            )
        })
        .collect()
}

fn settings() -> Settings {
    Settings {
        timeout: Duration::from_secs(5),
        policy: Policy {
            retries: 1,
            backoff_base: Duration::from_millis(1),
            max_wait: Duration::from_secs(1),
        },
        max_body: 1 << 20,
        use_proxy: false,
    }
}

fn services(base: Option<&str>) -> Vec<Service> {
    REAL.iter()
        .map(|(id, real)| Service {
            id,
            base: base.map_or_else(|| (*real).to_owned(), |b| format!("{b}/{id}")),
        })
        .collect()
}

fn desired(case: &str) -> DesiredState {
    let own = golden(case).join("expected-publishers.toml");
    let path = if own.is_file() {
        own
    } else {
        golden("../../../expected-publishers.toml")
    };
    config::load(&path).unwrap()
}

/// The JSON report of a run, with the live server's URLs written as the real services'.
fn report(d: &DesiredState, registry: Option<Registry>, http: &Http, base: Option<&str>) -> Value {
    let publishers: Vec<_> = d
        .publishers
        .iter()
        .filter(|p| registry.is_none_or(|r| p.registry == r))
        .cloned()
        .collect();
    let r = trustpub::drift::run(&publishers, &d.thresholds, http, 8);
    let mut text = trustpub::render::drift::json(&r).to_string();
    if let Some(b) = base {
        for (id, real) in REAL {
            text = text.replace(&format!("{b}/{id}"), real);
        }
    }
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["generated_at"] = Value::Null;
    v
}

struct Case {
    name: &'static str,
    registry: Option<Registry>,
    kinds: &'static [&'static str],
    /// pass of publish-success-rate, publish-to-install, provenance-completeness (first publisher)
    passes: [Option<bool>; 3],
}

const CASES: &[Case] = &[
    Case {
        name: "as-declared",
        registry: None,
        kinds: &[],
        passes: [Some(true); 3],
    },
    Case {
        name: "repository-transferred",
        registry: Some(Registry::Pypi),
        kinds: &["repository-renamed", "owner-id-changed"],
        passes: [Some(true); 3],
    },
    Case {
        name: "environment-missing",
        registry: Some(Registry::Pypi),
        kinds: &["environment-missing"],
        passes: [Some(true); 3],
    },
    Case {
        name: "environment-branch-policy",
        registry: Some(Registry::Pypi),
        kinds: &["environment-branch-policy"],
        passes: [Some(true); 3],
    },
    Case {
        name: "environment-protected-branches",
        registry: Some(Registry::Pypi),
        kinds: &["environment-branch-policy"],
        passes: [Some(true); 3],
    },
    Case {
        name: "subject-customized",
        registry: Some(Registry::Pypi),
        kinds: &["subject-customized"],
        passes: [Some(true); 3],
    },
    Case {
        name: "workflow-missing",
        registry: Some(Registry::Pypi),
        kinds: &["workflow-missing"],
        passes: [None, None, Some(true)],
    },
    Case {
        name: "workflow-rules",
        registry: Some(Registry::Pypi),
        kinds: &["workflow-rules"],
        passes: [Some(true); 3],
    },
    Case {
        name: "published-by-other-publisher",
        registry: Some(Registry::Pypi),
        kinds: &["published-by-other-publisher"],
        passes: [Some(true); 3],
    },
    Case {
        name: "provenance-missing",
        registry: Some(Registry::Pypi),
        kinds: &["provenance-missing", "provenance-missing"],
        passes: [Some(true), Some(true), Some(false)],
    },
    Case {
        name: "project-missing",
        registry: Some(Registry::TestPypi),
        kinds: &["project-missing"],
        passes: [Some(true), Some(true), None],
    },
    Case {
        name: "thresholds-failed",
        registry: None,
        kinds: &[],
        passes: [Some(false), Some(false), Some(true)],
    },
    Case {
        name: "unknown-private-repository",
        registry: Some(Registry::Pypi),
        kinds: &[],
        passes: [None, None, Some(true)],
    },
];

#[test]
fn every_case_reports_the_same_over_http_as_from_its_recording() {
    let mut seen = Vec::new();
    for case in CASES {
        let recording = golden(case.name).join("recorded");
        let mut server = Server::new();
        let mocks = serve(&mut server, &recording);
        let d = desired(case.name);
        let live_http = Http::new(
            Mode::Live { record: None },
            settings(),
            services(Some(&server.url())),
            None,
        )
        .unwrap();
        let live = report(&d, case.registry, &live_http, Some(&server.url()));
        let replay_http =
            Http::new(Mode::Replay(recording), settings(), services(None), None).unwrap();
        let replay = report(&d, case.registry, &replay_http, None);
        assert_eq!(live, replay, "{}: live and replay differ", case.name);
        let kinds: Vec<&str> = live["publishers"][0]["drifts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, case.kinds, "{}", case.name);
        let passes: Vec<Option<bool>> = live["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .map(|t| t["pass"].as_bool())
            .collect();
        assert_eq!(passes, case.passes, "{}", case.name);
        seen.extend(kinds.iter().map(|k| k.to_string()));
        // Every recorded answer was asked for, once (the second publisher shares GitHub's).
        for m in &mocks {
            assert!(
                m.matched(),
                "{}: a recorded response was never requested",
                case.name
            );
        }
    }
    for kind in DriftKind::ALL {
        assert!(
            seen.iter().any(|s| s == kind.id()),
            "no case shows {}",
            kind.id()
        );
    }
}

#[test]
fn a_private_repository_is_unknown_with_the_reason_and_the_registry_still_checked() {
    let mut server = Server::new();
    let _m = serve(
        &mut server,
        &golden("unknown-private-repository").join("recorded"),
    );
    let http = Http::new(
        Mode::Live { record: None },
        settings(),
        services(Some(&server.url())),
        None,
    )
    .unwrap();
    let r = report(
        &desired("unknown-private-repository"),
        Some(Registry::Pypi),
        &http,
        Some(&server.url()),
    );
    let p = &r["publishers"][0];
    assert_eq!(p["status"], "unknown");
    assert_eq!(p["unknown"][0]["source"], "github");
    assert!(
        p["unknown"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("set GITHUB_TOKEN or GH_TOKEN")
    );
    assert_eq!(r["thresholds"][2]["pass"], true);
}

#[test]
fn malformed_json_and_server_errors_are_unknown_not_fatal() {
    let mut server = Server::new();
    let _m = serve_except(
        &mut server,
        &golden("as-declared").join("recorded"),
        &["/pypi/pypi/owlclaw/json", "/testpypi/simple/"],
    );
    // A truncated JSON API answer, and a simple API that keeps failing.
    let _bad = server
        .mock("GET", "/pypi/pypi/owlclaw/json")
        .with_body("{\"info\": ")
        .create();
    let _down = server
        .mock("GET", "/testpypi/simple/owlclaw/")
        .with_status(502)
        .create();
    let http = Http::new(
        Mode::Live { record: None },
        settings(),
        services(Some(&server.url())),
        None,
    )
    .unwrap();
    let r = report(&desired("as-declared"), None, &http, Some(&server.url()));
    let reasons: Vec<String> = r["publishers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["unknown"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["reason"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("not JSON")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("HTTP 502 from the server, 2 attempt(s)")),
        "{reasons:?}"
    );
    // GitHub's checks still completed for both.
    assert!(
        r["publishers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["confirmed"].as_array().unwrap().len() >= 5)
    );
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trustpub-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cli(server: &Server) -> Command {
    let mut cmd = Command::cargo_bin("trustpub").unwrap();
    let url = server.url();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env("TRUSTPUB_BACKOFF_BASE_MS", "1")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("TRUSTPUB_CONFIG")
        .args([
            "drift",
            "--github-api-url",
            &format!("{url}/github"),
            "--pypi-url",
            &format!("{url}/pypi"),
        ])
        .args(["--testpypi-url", &format!("{url}/testpypi")]);
    cmd
}

#[test]
fn output_is_written_atomically_and_record_then_replay_gives_the_same_report() {
    let mut server = Server::new();
    let _m = serve(&mut server, &golden("as-declared").join("recorded"));
    let dir = temp("record");
    let out = dir.join("drift.json");
    let rec = dir.join("rec");
    let token = "ghp_0123456789abcdefghijABCDsecret";
    let run = cli(&server)
        .env("GITHUB_TOKEN", token)
        .args(["--format", "json", "--output"])
        .arg(&out)
        .arg("--record")
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.stdout.is_empty());
    assert!(String::from_utf8_lossy(&run.stderr).contains("2 publisher(s), 0 drifted"));
    let live: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(live["publishers"].as_array().unwrap().len(), 2);
    // Nothing but the report in the folder: no temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // The recording holds every response and never the token.
    let mut recorded = Vec::new();
    files(&rec, &mut recorded);
    assert_eq!(recorded.len(), 15);
    for f in &recorded {
        assert!(
            !std::fs::read_to_string(f).unwrap().contains("secret"),
            "{}",
            f.display()
        );
    }
    let url = server.url();
    drop(server);
    let replay = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env_remove("GITHUB_API_URL")
        .env_remove("TRUSTPUB_CONFIG")
        .args(["--format", "json", "drift", "--from-dir"])
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(replay.status.code(), Some(0));
    let replayed: Value = serde_json::from_slice(&replay.stdout).unwrap();
    let mut live_text = live.to_string();
    for (id, real) in REAL {
        live_text = live_text.replace(&format!("{url}/{id}"), real);
    }
    assert_eq!(serde_json::from_str::<Value>(&live_text).unwrap(), replayed);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_codes_say_drift_unknown_and_unusable_input() {
    let mut server = Server::new();
    let _m = serve(&mut server, &golden("environment-missing").join("recorded"));
    let drift = cli(&server).args(["--registry", "pypi"]).output().unwrap();
    assert_eq!(drift.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&drift.stdout).contains("✗ environment-missing"));

    let mut server = Server::new();
    let _m = serve(
        &mut server,
        &golden("unknown-private-repository").join("recorded"),
    );
    assert_eq!(
        cli(&server)
            .args(["--registry", "pypi"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(3)
    );

    let dir = temp("unwritable");
    let bad = cli(&server)
        .args(["--registry", "pypi", "--output"])
        .arg(dir.join("no/such/dir/drift.json"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot write the report"));
    let usage = cli(&server)
        .args(["--pypi-url", "ftp://x"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rate_limited_github_is_reported_as_unknown_quickly() {
    let mut server = Server::new();
    let _m = serve_except(
        &mut server,
        &golden("as-declared").join("recorded"),
        &["/github/"],
    );
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3000)
        .to_string();
    let _limit = server
        .mock("GET", mockito::Matcher::Regex("^/github/".into()))
        .with_status(403)
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &reset)
        .create();
    let start = std::time::Instant::now();
    let out = cli(&server).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(start.elapsed() < Duration::from_secs(5));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["publishers"][0]["unknown"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("rate limit exhausted until")
    );
}

fn copy_dir(from: &Path, to: &Path) {
    let mut all = Vec::new();
    files(from, &mut all);
    for f in all {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
}

#[test]
fn hostile_answers_make_checks_unknown_never_a_panic() {
    let dir = temp("hostile");
    copy_dir(&golden("as-declared").join("recorded"), &dir);
    let d = desired("as-declared");
    let variants = [
        r#"{"status": 200, "body": null}"#,
        r#"{"status": 200, "body": []}"#,
        r#"{"status": 200, "body": "text"}"#,
        r#"{"status": 200, "body": {}}"#,
        r#"{"status": 200, "body": {"full_name": 1, "default_branch": [], "info": {"version": 2}, "urls": [{}], "files": [{"filename": "x", "provenance": 3}], "attestation_bundles": [{"publisher": null}], "workflow_runs": [{"id": "x"}], "jobs": [{"steps": [{"started_at": "2026-13-99T99:99:99+0é:00"}]}], "content": "!!!", "deployment_branch_policy": {"custom_branch_policies": "yes"}, "branch_policies": [{"name": "[", "type": 5}], "use_default": "no"}}"#,
        r#"{"status": 200, "body": {"content": "////", "workflow_runs": [{"id": 1, "conclusion": "success", "head_branch": "v1", "event": "push"}]}}"#,
        r#"{"status": 599, "text": "\u0000\u00ff"}"#,
        r#"{"status": 301}"#,
        "not an envelope",
    ];
    let mut all = Vec::new();
    files(&dir, &mut all);
    for file in &all {
        let original = std::fs::read(file).unwrap();
        for v in variants {
            std::fs::write(file, v).unwrap();
            let http =
                Http::new(Mode::Replay(dir.clone()), settings(), services(None), None).unwrap();
            let r = report(&d, None, &http, None);
            for p in r["publishers"].as_array().unwrap() {
                for u in p["unknown"].as_array().unwrap() {
                    assert_ne!(u["check"], "internal", "{} with {v}: {u}", file.display());
                }
            }
        }
        std::fs::write(file, original).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
