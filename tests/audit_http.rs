//! `audit` over real HTTP on loopback: the golden organization's recording served by a mockito
//! server, each answer with an `ETag` and a 304 for a request that sends it back. The live run
//! must report what the replay reports; the list is read page by page through the `Link`
//! header; a rerun with `--cache` is answered 304 and reports the same; a registry that fails
//! for one project leaves every other repository as it was.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use mockito::{Matcher, Mock, Server};
use serde_json::Value;

const REAL: [(&str, &str); 6] = [
    ("github", "https://api.github.com"),
    ("testpypi", "https://test.pypi.org"),
    ("pypi", "https://pypi.org"),
    ("crates-io", "https://crates.io"),
    ("rubygems", "https://rubygems.org"),
    ("npm", "https://registry.npmjs.org"),
];

fn recording() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/audit/org/recorded")
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

fn live(text: &str, base: &str) -> String {
    let mut t = text.to_owned();
    for (id, real) in REAL {
        t = t.replace(real, &format!("{base}/{id}"));
    }
    t
}

fn real(text: &str, base: &str) -> String {
    let mut t = text.to_owned();
    for (id, real) in REAL {
        t = t.replace(&format!("{base}/{id}"), real);
    }
    t
}

/// Serves every recorded answer at its path (URLs in it pointing at the server), with an ETag;
/// the same request with `If-None-Match` gets a 304. `down`: paths answered 503 instead.
fn serve(server: &mut Server, down: &[&str]) -> Vec<(String, Mock, Mock)> {
    let base = server.url();
    let root = recording();
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut mocks = Vec::new();
    for file in all {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let rel = rel.strip_suffix(".json").unwrap();
        // `name@query.json` for a URL with a query; an `@` of the path itself (npm's
        // `attestations/name@version`) has no `=` after it.
        let (path, query) = rel
            .rsplit_once('@')
            .filter(|(_, q)| q.contains('='))
            .unwrap_or((rel, ""));
        let path = path
            .strip_suffix("/index")
            .map_or_else(|| path.to_owned(), |p| format!("{p}/"));
        let url = if query.is_empty() {
            format!("/{path}")
        } else {
            format!("/{path}?{query}")
        };
        if down.contains(&url.as_str()) {
            server
                .mock("GET", url.as_str())
                .with_status(503)
                .with_body("upstream unavailable")
                .expect_at_least(1)
                .create();
            continue;
        }
        let env: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let body = live(&env["body"].to_string(), &base);
        let status = env["status"].as_u64().unwrap_or(200) as usize;
        let etag = format!("\"{:x}\"", body.len() * 31 + url.len());
        let mut full = server
            .mock("GET", url.as_str())
            .match_header("if-none-match", Matcher::Missing)
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_header("etag", &etag)
            .with_body(&body);
        let mut not_modified = server
            .mock("GET", url.as_str())
            .match_header("if-none-match", etag.as_str())
            .with_status(304)
            .with_header("etag", &etag);
        if let Some(h) = env["headers"].as_object() {
            for (k, v) in h {
                let v = live(v.as_str().unwrap(), &base);
                full = full.with_header(k, &v);
                if k.starts_with("x-ratelimit") {
                    not_modified = not_modified.with_header(k, &v);
                }
            }
        }
        mocks.push((url, full.create(), not_modified.create()));
    }
    mocks
}

fn audit(server: &Server, extra: &[&str]) -> (Value, i32) {
    audit_with(server, extra, None)
}

fn audit_with(server: &Server, extra: &[&str], token: Option<&str>) -> (Value, i32) {
    let base = server.url();
    let mut cmd = Command::cargo_bin("trustpub").unwrap();
    cmd.env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("CRATES_IO_TOKEN")
        .env_remove("CARGO_REGISTRY_TOKEN")
        .env_remove("RUBYGEMS_API_KEY")
        .env_remove("GEM_HOST_API_KEY")
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env("TRUSTPUB_BACKOFF_BASE_MS", "1")
        .args([
            "--format",
            "json",
            "audit",
            "--org",
            "octo-org",
            "--no-progress",
        ]);
    for (id, _) in REAL {
        let flag = match id {
            "github" => "--github-api-url".to_owned(),
            other => format!("--{other}-url"),
        };
        cmd.args([flag, format!("{base}/{id}")]);
    }
    cmd.args(extra);
    if let Some(t) = token {
        cmd.env("GITHUB_TOKEN", t);
    }
    let out = cmd.output().unwrap();
    let text = real(&String::from_utf8_lossy(&out.stdout), &base);
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap())
}

fn replayed() -> Value {
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .args([
            "--format",
            "json",
            "audit",
            "--org",
            "octo-org",
            "--from-dir",
        ])
        .arg(recording())
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn for_repos_file(url: &str) -> bool {
    url == "/github/repos/octo-org/pywidget" || url == "/github/repos/octo-org/ghost"
}

fn without_requests(mut v: Value) -> Value {
    v["requests"] = Value::Null;
    v
}

#[test]
fn live_pages_through_the_list_and_reports_what_the_replay_reports() {
    let mut server = Server::new();
    let mocks = serve(&mut server, &[]);
    let (report, code) = audit(&server, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        without_requests(report.clone()),
        without_requests(replayed())
    );
    // Both pages of the list were read, and every recorded answer was asked for once.
    assert_eq!(report["summary"]["repositories"], 9);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 2);
    // (The two answers of the --repos case are not the organization's.)
    let org: Vec<_> = mocks
        .iter()
        .filter(|(u, _, _)| !for_repos_file(u))
        .collect();
    for (url, full, _) in &org {
        assert!(full.matched(), "{url} was not requested");
    }
    let requests = &report["requests"];
    assert_eq!(requests["total"].as_u64(), Some(org.len() as u64));
    assert_eq!(requests["cached"], 0);
    assert_eq!(requests["rate_limit_remaining"], 4989);
}

#[test]
fn a_cached_rerun_is_answered_304_and_reports_the_same() {
    let mut server = Server::new();
    let mocks = serve(&mut server, &[]);
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().to_str().unwrap();
    let (first, _) = audit(&server, &["--cache", dir]);
    let (second, code) = audit(&server, &["--cache", dir]);
    assert_eq!(code, 1);
    assert_eq!(
        without_requests(first.clone()),
        without_requests(second.clone())
    );
    assert_eq!(first["requests"]["cached"], 0);
    let total = second["requests"]["total"].as_u64().unwrap();
    let cached = second["requests"]["cached"].as_u64().unwrap();
    // Every answer with a 200 and an ETag comes back as a 304; the 404 is asked again.
    assert_eq!(cached, total - 1, "{}", second["requests"]);
    for (url, _, not_modified) in &mocks {
        if !url.contains("/secret/") && !for_repos_file(url) {
            assert!(not_modified.matched(), "{url} was not revalidated");
        }
    }
    // Nothing of the cache names a URL or holds a token: files are named by a hash.
    let mut kept = Vec::new();
    files(cache.path(), &mut kept);
    assert!(kept.iter().all(|f| {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        name.len() == 69 && name.ends_with(".json")
    }));
}

#[test]
fn a_registry_down_for_one_project_leaves_the_others_complete() {
    let mut server = Server::new();
    serve(&mut server, &["/pypi/pypi/pywidget/json"]);
    let (report, code) = audit(&server, &["--retries", "0"]);
    assert_eq!(code, 1);
    let replay = replayed();
    let repos = report["repositories"].as_array().unwrap();
    let before = replay["repositories"].as_array().unwrap();
    for (r, b) in repos.iter().zip(before) {
        if r["repository"] == "octo-org/pywidget" {
            assert_eq!(r["status"], "unknown", "{r}");
            let reasons: Vec<&str> = r["unknown"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["reason"].as_str().unwrap())
                .collect();
            assert!(reasons.iter().any(|t| t.contains("503")), "{reasons:?}");
        } else {
            assert_eq!(r, b);
        }
    }
}

#[test]
fn the_token_is_in_no_report_recording_or_cache() {
    let token = "ghp_auditTOKEN0123456789abcdefghijklmnopq";
    let mut server = Server::new();
    serve(&mut server, &[]);
    let kept = tempfile::tempdir().unwrap();
    let cache = kept.path().join("cache");
    let record = kept.path().join("record");
    let (report, _) = audit_with(
        &server,
        &[
            "--cache",
            cache.to_str().unwrap(),
            "--record",
            record.to_str().unwrap(),
        ],
        Some(token),
    );
    assert!(!report.to_string().contains(token));
    let mut written = Vec::new();
    files(kept.path(), &mut written);
    assert!(written.len() > 40, "{}", written.len());
    for f in written {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(token), "{}", f.display());
    }
}
