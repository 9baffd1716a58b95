//! The audit benchmark's server: a minimal HTTP/1.1 server on 127.0.0.1 that answers every
//! request after a fixed delay, playing GitHub (under `/github`), PyPI (`/pypi`), npm (`/npm`)
//! and crates.io (`/crates-io`) for an organization `bench-org` of N repositories `repo-I`, each
//! declaring 3 publishers (PyPI `pkg-I`, npm `js-I`, crates.io `crate-I`) in its
//! `expected-publishers.toml` with one workflow `release.yml`. Every answer has an `ETag`; a
//! request that sends it back in `If-None-Match` gets a 304 with no body (as GitHub does).
//!
//! `bench-audit-server --repos 1000 --delay-ms 50 --seconds 600` prints the port, serves until
//! the time is up (it always stops by itself), and answers `GET /__stats` with the requests
//! served and how many were 304.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const WORKFLOW: &str = r#"on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  pypi:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write}
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
  npm:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write}
    steps:
      - uses: actions/setup-node@v4
        with: {node-version: 24, registry-url: "https://registry.npmjs.org"}
      - run: npm publish --provenance --access public
  crate:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write}
    steps:
      - uses: rust-lang/crates-io-auth-action@v1
        id: auth
      - run: cargo publish
        env:
          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}
"#;

fn desired(i: u64) -> String {
    ["pypi:pkg", "npm:js", "crates-io:crate"]
        .iter()
        .map(|r| {
            let (registry, prefix) = r.split_once(':').unwrap_or((r, r));
            format!(
                "[[publisher]]\nregistry = \"{registry}\"\nproject = \"{prefix}-{i}\"\nowner = \"bench-org\"\nrepository = \"repo-{i}\"\nworkflow = \"release.yml\"\nenvironment = \"release\"\nowner-id = 1000\n\n"
            )
        })
        .collect()
}

/// A blob's sha: the repository's number and the file (0: desired state, 1: workflow).
fn blob_sha(i: u64, file: u64) -> String {
    format!("{:040x}", i * 2 + file)
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

const VERSIONS: [(&str, &str); 3] = [
    ("1.0.0", "2026-09-01T10:00:00Z"),
    ("1.1.0", "2026-10-01T10:00:00Z"),
    ("1.2.0", "2026-11-01T10:00:00Z"),
];

/// The body and headers for a path, or `None` for 404.
fn answer(path: &str, host: &str, repos: u64) -> Option<(String, Option<String>)> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let num = |s: &str, prefix: &str| s.strip_prefix(prefix).and_then(|n| n.parse::<u64>().ok());
    let body = match parts.as_slice() {
        ["github", "orgs", "bench-org", "repos"] => {
            let page: u64 = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let start = (page - 1) * 100;
            let end = (start + 100).min(repos);
            let list: Vec<String> = (start..end)
                .map(|i| format!(r#"{{"full_name":"bench-org/repo-{i}","owner":{{"login":"bench-org","id":1000}},"default_branch":"main","archived":false,"fork":false,"private":false}}"#))
                .collect();
            let link = (end < repos).then(|| {
                format!(
                    "<http://{host}/github/orgs/bench-org/repos?type=all&per_page=100&page={}>; rel=\"next\"",
                    page + 1
                )
            });
            return Some((format!("[{}]", list.join(",")), link));
        }
        ["github", "repos", "bench-org", r, "git", "trees", "main"] => {
            let i = num(r, "repo-")?;
            format!(
                r#"{{"sha":"{i:040x}","truncated":false,"tree":[{{"path":".github","type":"tree","sha":"0"}},{{"path":"expected-publishers.toml","type":"blob","sha":"{}","size":{}}},{{"path":".github/workflows/release.yml","type":"blob","sha":"{}","size":{}}},{{"path":"README.md","type":"blob","sha":"1","size":10}}]}}"#,
                blob_sha(i, 0),
                desired(i).len(),
                blob_sha(i, 1),
                WORKFLOW.len()
            )
        }
        ["github", "repos", "bench-org", _, "git", "blobs", sha] => {
            let n = u64::from_str_radix(sha, 16).ok()?;
            let text = if n % 2 == 0 {
                desired(n / 2)
            } else {
                WORKFLOW.to_owned()
            };
            format!(
                r#"{{"sha":"{sha}","encoding":"base64","content":"{}"}}"#,
                b64(&text)
            )
        }
        ["pypi", "pypi", p, "json"] => {
            let releases: Vec<String> = VERSIONS
                .iter()
                .map(|(v, at)| format!(r#""{v}":[{{"filename":"{p}-{v}.tar.gz","upload_time_iso_8601":"{at}"}},{{"filename":"{p}-{v}-py3-none-any.whl","upload_time_iso_8601":"{at}"}}]"#))
                .collect();
            format!(
                r#"{{"info":{{"name":"{p}","version":"1.2.0"}},"urls":[{{"filename":"{p}-1.2.0.tar.gz"}},{{"filename":"{p}-1.2.0-py3-none-any.whl"}}],"releases":{{{}}}}}"#,
                releases.join(",")
            )
        }
        ["pypi", "simple", p] => {
            let files: Vec<String> = VERSIONS
                .iter()
                .flat_map(|(v, _)| {
                    [format!("{p}-{v}.tar.gz"), format!("{p}-{v}-py3-none-any.whl")].map(|f| {
                        format!(r#"{{"filename":"{f}","provenance":"http://{host}/pypi/integrity/{p}/{v}/{f}/provenance"}}"#)
                    })
                })
                .collect();
            format!(
                r#"{{"meta":{{"api-version":"1.4"}},"files":[{}]}}"#,
                files.join(",")
            )
        }
        ["pypi", "integrity", p, _, _, "provenance"] => {
            let i = num(p, "pkg-")?;
            format!(
                r#"{{"version":1,"attestation_bundles":[{{"publisher":{{"kind":"GitHub","repository":"bench-org/repo-{i}","workflow":"release.yml","environment":"release"}},"attestations":[]}}]}}"#
            )
        }
        ["npm", p] => {
            num(p, "js-")?;
            let versions: Vec<String> = VERSIONS
                .iter()
                .map(|(v, _)| format!(r#""{v}":{{"version":"{v}","_npmUser":{{"name":"GitHub Actions","trustedPublisher":{{"id":"github","oidcConfigId":"oidc:1"}}}},"dist":{{}}}}"#))
                .collect();
            let times: Vec<String> = VERSIONS
                .iter()
                .map(|(v, at)| format!(r#""{v}":"{at}""#))
                .collect();
            format!(
                r#"{{"name":"{p}","time":{{{}}},"versions":{{{}}}}}"#,
                times.join(","),
                versions.join(",")
            )
        }
        ["crates-io", "api", "v1", "crates", c] => {
            num(c, "crate-")?;
            format!(r#"{{"crate":{{"name":"{c}","max_version":"1.2.0"}}}}"#)
        }
        ["crates-io", "api", "v1", "crates", c, "versions"] => {
            let i = num(c, "crate-")?;
            let versions: Vec<String> = VERSIONS
                .iter()
                .rev()
                .map(|(v, at)| format!(r#"{{"num":"{v}","created_at":"{at}","published_by":null,"trustpub_data":{{"provider":"github","repository":"bench-org/repo-{i}","run_id":"1","sha":"0"}}}}"#))
                .collect();
            format!(
                r#"{{"versions":[{}],"meta":{{"next_page":null}}}}"#,
                versions.join(",")
            )
        }
        _ => return None,
    };
    Some((body, None))
}

/// A cheap, stable tag of a body.
fn etag(body: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

struct Counts {
    requests: AtomicUsize,
    not_modified: AtomicUsize,
}

fn serve(stream: TcpStream, delay: Duration, counts: &Counts, deadline: Instant, repos: u64) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_nodelay(true);
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let host = stream
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut reader = BufReader::new(stream);
    while Instant::now() < deadline {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut if_none_match = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" || header == "\n" {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("if-none-match")
            {
                if_none_match = Some(v.trim().to_owned());
            }
        }
        let response = if path == "/__stats" {
            let body = format!(
                "{{\"requests\":{},\"not_modified\":{}}}",
                counts.requests.load(Ordering::Relaxed),
                counts.not_modified.load(Ordering::Relaxed)
            );
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
        } else {
            counts.requests.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(delay);
            match answer(&path, &host, repos) {
                Some((body, link)) => {
                    let tag = etag(&body);
                    let link = link.map(|l| format!("link: {l}\r\n")).unwrap_or_default();
                    if if_none_match.as_deref() == Some(tag.as_str()) {
                        counts.not_modified.fetch_add(1, Ordering::Relaxed);
                        format!(
                            "HTTP/1.1 304 Not Modified\r\netag: {tag}\r\n{link}x-ratelimit-remaining: 4999\r\ncontent-length: 0\r\n\r\n"
                        )
                    } else {
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\netag: {tag}\r\n{link}x-ratelimit-remaining: 4999\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                    }
                }
                None => {
                    let body = r#"{"message":"Not Found"}"#;
                    format!(
                        "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    )
                }
            }
        };
        // One write: a head and a body in two segments would wait for delayed ACKs (Nagle).
        if out.write_all(response.as_bytes()).is_err() || path == "/__stats" {
            return;
        }
    }
}

fn main() {
    let delay = Duration::from_millis(arg("--delay-ms", 50));
    let repos = arg("--repos", 1000);
    let deadline = Instant::now() + Duration::from_secs(arg("--seconds", 600));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    println!("{port}");
    let _ = std::io::stdout().flush();
    let counts = Arc::new(Counts {
        requests: AtomicUsize::new(0),
        not_modified: AtomicUsize::new(0),
    });
    let _ = listener.set_nonblocking(true);
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let counts = Arc::clone(&counts);
                std::thread::spawn(move || serve(stream, delay, &counts, deadline, repos));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}
