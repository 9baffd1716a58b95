//! The benchmark's server: a minimal HTTP/1.1 server on 127.0.0.1 that answers every request
//! after a fixed delay, shaped like GitHub's REST API (under `/github`) and PyPI's JSON, simple
//! and integrity APIs (under `/pypi` and `/testpypi`), for publishers declared as project
//! `pkg-N`, repository `bench-org/repo-N`, workflow `release.yml`, environment `release`.
//!
//! `bench-server --delay-ms 50 --seconds 300` prints the port, serves until the time is up (it
//! always stops by itself), and answers `GET /__stats` with the number of requests served.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const WORKFLOW_B64: &str = "b246CiAgcHVzaDoKICAgIHRhZ3M6IFsndionXQogIHdvcmtmbG93X2Rpc3BhdGNoOgpqb2JzOgogIHJlbGVhc2U6CiAgICBydW5zLW9uOiB1YnVudHUtbGF0ZXN0CiAgICBlbnZpcm9ubWVudDogcmVsZWFzZQogICAgcGVybWlzc2lvbnM6CiAgICAgIGlkLXRva2VuOiB3cml0ZQogICAgc3RlcHM6CiAgICAgIC0gdXNlczogcHlwYS9naC1hY3Rpb24tcHlwaS1wdWJsaXNoQHJlbGVhc2UvdjEK";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runs() -> String {
    let runs: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"{{"id":{id},"event":"push","head_branch":"v1.0.{i}","status":"completed","conclusion":"success","html_url":"https://github.com/bench-org/repo/actions/runs/{id}"}}"#,
                id = 1000 + i
            )
        })
        .collect();
    format!(
        r#"{{"total_count":20,"workflow_runs":[{}]}}"#,
        runs.join(",")
    )
}

/// The body for a path, or `None` for 404.
fn answer(path: &str, host: &str) -> Option<String> {
    let (path, _query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let body = match parts.as_slice() {
        ["github", "repos", o, r] => format!(
            r#"{{"full_name":"{o}/{r}","owner":{{"login":"{o}","id":1000}},"default_branch":"main"}}"#
        ),
        ["github", "repos", _, _, "environments", _] => {
            r#"{"name":"release","deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}}"#.into()
        }
        ["github", "repos", _, _, "environments", _, "deployment-branch-policies"] => {
            r#"{"total_count":1,"branch_policies":[{"name":"v*","type":"tag"},{"name":"main","type":"branch"}]}"#.into()
        }
        ["github", "repos", _, _, "actions", "oidc", "customization", "sub"] => r#"{"use_default":true}"#.into(),
        ["github", "repos", _, _, "contents", ..] => format!(r#"{{"type":"file","encoding":"base64","content":"{WORKFLOW_B64}"}}"#),
        ["github", "repos", _, _, "actions", "workflows", _, "runs"] => runs(),
        ["github", "repos", _, _, "actions", "runs", _, "jobs"] => r#"{"jobs":[{"name":"release","steps":[
            {"name":"Publish to PyPI","started_at":"2026-11-20T10:00:00Z","completed_at":"2026-11-20T10:00:30Z"},
            {"name":"Install smoke test","started_at":"2026-11-20T10:00:30Z","completed_at":"2026-11-20T10:02:00Z"}]}]}"#.into(),
        [index, "pypi", p, "json"] if index.contains("pypi") => format!(
            r#"{{"info":{{"name":"{p}","version":"1.0.0"}},"urls":[{{"filename":"{p}-1.0.0.tar.gz"}},{{"filename":"{p}-1.0.0-py3-none-any.whl"}}]}}"#
        ),
        [index, "simple", p] if index.contains("pypi") => format!(
            r#"{{"meta":{{"api-version":"1.4"}},"files":[{{"filename":"{p}-1.0.0.tar.gz","provenance":"http://{host}/{index}/integrity/{p}/1.0.0/{p}-1.0.0.tar.gz/provenance"}},{{"filename":"{p}-1.0.0-py3-none-any.whl","provenance":"http://{host}/{index}/integrity/{p}/1.0.0/{p}-1.0.0-py3-none-any.whl/provenance"}}]}}"#
        ),
        [index, "integrity", p, _, _, "provenance"] if index.contains("pypi") => {
            let n = p.strip_prefix("pkg-").unwrap_or(p);
            format!(
                r#"{{"version":1,"attestation_bundles":[{{"publisher":{{"kind":"GitHub","repository":"bench-org/repo-{n}","workflow":"release.yml","environment":"release"}},"attestations":[]}}]}}"#
            )
        }
        _ => return None,
    };
    Some(body)
}

fn serve(stream: TcpStream, delay: Duration, count: &AtomicUsize, deadline: Instant) {
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
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" || header == "\n" {
                break;
            }
        }
        let (status, body) = if path == "/__stats" {
            (
                "200 OK",
                format!("{{\"requests\":{}}}", count.load(Ordering::Relaxed)),
            )
        } else {
            count.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(delay);
            match answer(&path, &host) {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", r#"{"message":"Not Found"}"#.to_owned()),
            }
        };
        // One write: a head and a body in two segments would wait for delayed ACKs (Nagle).
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if out.write_all(response.as_bytes()).is_err() || path == "/__stats" {
            return;
        }
    }
}

fn main() {
    let delay = Duration::from_millis(arg("--delay-ms", 50));
    let deadline = Instant::now() + Duration::from_secs(arg("--seconds", 300));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    println!("{port}");
    let _ = std::io::stdout().flush();
    let count = Arc::new(AtomicUsize::new(0));
    let _ = listener.set_nonblocking(true);
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let count = Arc::clone(&count);
                std::thread::spawn(move || serve(stream, delay, &count, deadline));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}
