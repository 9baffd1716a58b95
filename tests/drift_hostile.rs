//! `drift` from the command line against a hostile server on loopback: one answer closes the
//! connection mid-body, one is a gigantic body, one never comes, and GitHub echoes the token
//! back. The report is still written, complete for everything else, and the token is nowhere:
//! not on standard output or error, not in the report file, not in the recording.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use trustpub::net::store::{Service, relative_path};

/// A classic GitHub token: 40 hex digits, no prefix, so only exact redaction can catch it.
const TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

fn recording() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/drift/as-declared/recorded")
}

fn read_request(stream: &mut TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
        let n = stream.read(&mut byte).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    Some(text.split_whitespace().nth(1)?.to_owned())
}

fn respond(stream: &mut TcpStream, status: u64, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Serves the `as-declared` recording, except for the three hostile answers; stops after 200
/// connections (the run needs about 20).
fn hostile_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let services: Vec<Service> = ["github", "pypi", "testpypi"]
        .into_iter()
        .map(|id| Service {
            id,
            base: format!("{base}/{id}"),
        })
        .collect();
    let root = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let services = services.clone();
            let root = root.clone();
            std::thread::spawn(move || {
                let Some(path) = read_request(&mut stream) else {
                    return;
                };
                if path.starts_with("/pypi/integrity/") && path.contains(".tar.gz") {
                    // Never answers (for longer than the client waits), then hangs up.
                    std::thread::sleep(Duration::from_secs(5));
                    return;
                }
                if path.starts_with("/pypi/integrity/") {
                    // Promises 1000 bytes, sends 10, hangs up.
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"attesta");
                    return;
                }
                if path == "/testpypi/pypi/owlclaw/json" {
                    // A body without end: streamed until the client stops reading.
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"info\": \"",
                    );
                    let chunk = vec![b'x'; 64 * 1024];
                    for _ in 0..1024 {
                        if stream.write_all(&chunk).is_err() {
                            break;
                        }
                    }
                    return;
                }
                let file = recording().join(relative_path(&services, &format!("{root}{path}")));
                let Ok(text) = std::fs::read_to_string(&file) else {
                    respond(&mut stream, 404, b"{\"message\": \"Not Found\"}");
                    return;
                };
                let env: Value = serde_json::from_str(&text).unwrap();
                let status = env["status"].as_u64().unwrap_or(200);
                let mut body = match (env.get("body"), env.get("text")) {
                    (Some(b), _) => b.clone(),
                    (None, Some(Value::String(t))) => Value::String(t.clone()),
                    _ => Value::Null,
                };
                if path == "/github/repos/yeemio/owlclaw" {
                    // A proxy that echoes the request's credentials into the answer.
                    body["debug"] = Value::String(format!("Authorization: Bearer {TOKEN}"));
                }
                respond(&mut stream, status, body.to_string().as_bytes());
            });
        }
    });
    base
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

#[test]
fn broken_gigantic_and_silent_answers_leave_a_complete_report_and_no_token() {
    let base = hostile_server();
    let dir = std::env::temp_dir().join(format!("trustpub-drift-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (out_file, rec) = (dir.join("drift.json"), dir.join("rec"));
    let start = Instant::now();
    let run = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env("GITHUB_TOKEN", TOKEN)
        .env("TRUSTPUB_BACKOFF_BASE_MS", "1")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("TRUSTPUB_CONFIG")
        .args([
            "--format",
            "json",
            "drift",
            "--timeout",
            "1",
            "--retries",
            "1",
        ])
        .args(["--max-body-bytes", "1048576"])
        .args(["--github-api-url", &format!("{base}/github")])
        .args(["--pypi-url", &format!("{base}/pypi")])
        .args(["--testpypi-url", &format!("{base}/testpypi")])
        .arg("--output")
        .arg(&out_file)
        .arg("--record")
        .arg(&rec)
        .output()
        .unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&run.stderr);
    // Nothing drifted; some checks could not be made.
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    let text = std::fs::read_to_string(&out_file).expect("the report is written");
    let report: Value = serde_json::from_str(&text).unwrap();
    let publishers = report["publishers"].as_array().unwrap();
    assert_eq!(publishers.len(), 2);
    let reasons = |p: &Value| -> Vec<String> {
        p["unknown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| format!("{} {}", u["check"], u["reason"]))
            .collect()
    };
    for p in publishers {
        // GitHub's checks all completed, for both publishers.
        let confirmed: Vec<&str> = p["confirmed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["check"].as_str().unwrap())
            .collect();
        for check in [
            "repository",
            "owner-id",
            "environment",
            "oidc-subject",
            "workflow",
        ] {
            assert!(
                confirmed.iter().any(|c| c.starts_with(check)),
                "{check} not confirmed: {confirmed:?}"
            );
        }
        assert!(p["drifts"].as_array().unwrap().is_empty(), "{p}");
    }
    let pypi = publishers.iter().find(|p| p["registry"] == "pypi").unwrap();
    let testpypi = publishers
        .iter()
        .find(|p| p["registry"] == "testpypi")
        .unwrap();
    let pypi_reasons = reasons(pypi).join("\n");
    assert!(
        pypi_reasons.contains("no answer within 1 s"),
        "{pypi_reasons}"
    );
    assert!(pypi_reasons.contains("network error"), "{pypi_reasons}");
    let test_reasons = reasons(testpypi).join("\n");
    assert!(
        test_reasons.contains("larger than 1048576 bytes"),
        "{test_reasons}"
    );
    // The token: nowhere.
    assert!(!text.contains(TOKEN));
    assert!(!String::from_utf8_lossy(&run.stdout).contains(TOKEN));
    assert!(!stderr.contains(TOKEN));
    let mut recorded = Vec::new();
    files(&rec, &mut recorded);
    assert_eq!(recorded.len(), 9, "{recorded:?}");
    let mut echoed = false;
    for f in &recorded {
        let t = std::fs::read_to_string(f).unwrap();
        assert!(!t.contains(TOKEN), "{}", f.display());
        echoed |= t.contains("Authorization: Bearer [REDACTED]");
    }
    assert!(echoed, "the echoing answer was recorded, redacted");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Secrets in forms no pattern recognises: only the exact values given can find them.
const CRATES_TOKEN: &str = "Zq8Wm3Kx7Rt2Yv5Pn9Ld4Hs6Gb1Fc0Je";
const RUBYGEMS_KEY: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const OTP: &str = "424242";

/// Every form of `secret` a server may echo, for the assertions.
fn forms(secret: &str) -> Vec<String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        secret.to_owned(),
        b64.encode(secret),
        b64.encode(format!("user:{secret}")),
        b64.encode(format!("Bearer {secret}")),
    ]
}

/// Serves the `registries-as-declared` recording, with the request's headers and every form
/// of every secret echoed into each answer, and the one-time code in RubyGems' refusal.
fn echoing_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let services: Vec<Service> = ["github", "pypi", "testpypi", "crates-io", "rubygems"]
        .into_iter()
        .map(|id| Service {
            id,
            base: format!("{base}/{id}"),
        })
        .collect();
    let root = base.clone();
    let recorded = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/drift/registries-as-declared/recorded");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let (services, root, recorded) = (services.clone(), root.clone(), recorded.clone());
            std::thread::spawn(move || {
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut buf = Vec::new();
                let mut byte = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
                    match stream.read(&mut byte) {
                        Ok(n) if n > 0 => buf.extend_from_slice(&byte[..n]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let echo: Vec<String> = [TOKEN, CRATES_TOKEN, RUBYGEMS_KEY]
                    .iter()
                    .flat_map(|s| forms(s))
                    .chain([head.clone(), format!("otp={OTP}")])
                    .collect();
                if path.ends_with("/trusted_publishers") {
                    let body = serde_json::json!({"error": format!("OTP {OTP} is invalid for key {RUBYGEMS_KEY}")});
                    respond(&mut stream, 401, body.to_string().as_bytes());
                    return;
                }
                let file = recorded.join(relative_path(&services, &format!("{root}{path}")));
                let Ok(text) = std::fs::read_to_string(&file) else {
                    respond(
                        &mut stream,
                        404,
                        serde_json::json!({"message": "Not Found", "debug": echo})
                            .to_string()
                            .as_bytes(),
                    );
                    return;
                };
                let env: Value = serde_json::from_str(&text).unwrap();
                let status = env["status"].as_u64().unwrap_or(200);
                let mut body = env.get("body").cloned().unwrap_or(Value::Null);
                if let Some(o) = body.as_object_mut() {
                    o.insert("debug".into(), serde_json::json!(echo));
                }
                respond(&mut stream, status, body.to_string().as_bytes());
            });
        }
    });
    base
}

#[test]
fn no_configured_secret_gets_into_a_report_a_recording_or_an_error() {
    // Issue 11 case 4: only GITHUB_TOKEN was cut out of answers; a crates.io token echoed by
    // the server went raw into `--record` files, a RubyGems key and the OTP into the report.
    let base = echoing_server();
    let dir = std::env::temp_dir().join(format!("trustpub-drift-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (out_file, rec) = (dir.join("drift.json"), dir.join("rec"));
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/drift/registries-as-declared");
    let mut outputs = Vec::new();
    for format in ["json", "human"] {
        let run = Command::cargo_bin("trustpub")
            .unwrap()
            .current_dir(&case)
            .env("GITHUB_TOKEN", TOKEN)
            .env("CARGO_REGISTRY_TOKEN", CRATES_TOKEN)
            .env("GEM_HOST_API_KEY", RUBYGEMS_KEY)
            .env("RUBYGEMS_OTP", OTP)
            .env("TRUSTPUB_BACKOFF_BASE_MS", "1")
            .env_remove("GH_TOKEN")
            .env_remove("CRATES_IO_TOKEN")
            .env_remove("RUBYGEMS_API_KEY")
            .env_remove("GITHUB_API_URL")
            .env_remove("TRUSTPUB_CONFIG")
            .args([
                "--format",
                format,
                "drift",
                "--timeout",
                "5",
                "--retries",
                "0",
            ])
            .args(["--github-api-url", &format!("{base}/github")])
            .args(["--pypi-url", &format!("{base}/pypi")])
            .args(["--testpypi-url", &format!("{base}/testpypi")])
            .args(["--crates-io-url", &format!("{base}/crates-io")])
            .args(["--rubygems-url", &format!("{base}/rubygems")])
            .arg("--record")
            .arg(&rec)
            .output()
            .unwrap();
        outputs.push(String::from_utf8_lossy(&run.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    let report = &outputs[0];
    assert!(report.contains("publishers"), "{report}");
    // The refusal is reported, the code in it cut out.
    assert!(
        report.contains("OTP [REDACTED] is invalid for key [REDACTED]"),
        "{report}"
    );
    let _ = std::fs::write(&out_file, outputs.join("\n"));
    let mut recorded = Vec::new();
    files(&rec, &mut recorded);
    assert!(recorded.len() > 5, "{recorded:?}");
    for f in &recorded {
        outputs.push(std::fs::read_to_string(f).unwrap());
    }
    for text in &outputs {
        for secret in [TOKEN, CRATES_TOKEN, RUBYGEMS_KEY] {
            for form in forms(secret) {
                assert!(!text.contains(&form), "`{form}` in:\n{text}");
            }
        }
        assert!(!text.contains(&format!("otp={OTP}")), "{text}");
        assert!(!text.contains(&format!("OTP {OTP}")), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server whose every answer is `head` at once, then `body` a byte a second.
fn trickling_server(body: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                if read_request(&mut stream).is_none() {
                    return;
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for b in body {
                    if stream.write_all(&[*b]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
        }
    });
    base
}

#[test]
fn a_server_that_trickles_its_answer_holds_drift_no_longer_than_its_timeout() {
    // Issue 11 case 3: one byte a second held `drift --timeout 2 --retries 0` for 40 s on a
    // 40-byte body: the timeout bounded each read, not the attempt.
    let base = trickling_server(b"{\"full_name\": \"yeemio/owlclaw\", \"x\": 1}");
    let start = Instant::now();
    let run = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("TRUSTPUB_CONFIG")
        .args([
            "--format",
            "json",
            "drift",
            "--timeout",
            "2",
            "--retries",
            "0",
        ])
        .args(["--github-api-url", &format!("{base}/github")])
        .args(["--pypi-url", &format!("{base}/pypi")])
        .args(["--testpypi-url", &format!("{base}/testpypi")])
        .output()
        .unwrap();
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("no answer within 2 s"), "{stdout}");
    // Two seconds per request, one request after another per source: well under 40.
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn a_project_named_dot_dot_is_never_a_request_path() {
    // Issue 11 case 6: a project named `..` became a dot-segment: `{pypi}/pypi/../json`.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let paths = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = std::sync::Arc::clone(&paths);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            if let Some(path) = read_request(&mut stream) {
                seen.lock().unwrap().push(path);
            }
            respond(&mut stream, 404, b"{\"message\": \"Not Found\"}");
        }
    });
    let dir = std::env::temp_dir().join(format!("trustpub-dotdot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut desired = String::new();
    for registry in ["pypi", "crates-io", "rubygems"] {
        desired.push_str(&format!("[[publisher]]\nregistry = \"{registry}\"\nproject = \"..\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n\n"));
    }
    std::fs::write(dir.join("expected-publishers.toml"), desired).unwrap();
    let run = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&dir)
        .env("CRATES_IO_TOKEN", "cio0123456789abcdefghijklmnopqrstuvwx")
        .env("RUBYGEMS_API_KEY", "0123456789abcdef0123456789abcdef")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("TRUSTPUB_CONFIG")
        .args([
            "--format",
            "json",
            "drift",
            "--timeout",
            "5",
            "--retries",
            "0",
        ])
        .args(["--github-api-url", &format!("{base}/github")])
        .args(["--pypi-url", &format!("{base}/pypi")])
        .args(["--crates-io-url", &format!("{base}/crates-io")])
        .args(["--rubygems-url", &format!("{base}/rubygems")])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.status.code() == Some(2) {
        // The desired state's own rules refuse the name: nothing is asked either.
        assert!(stderr.contains("project"), "{stderr}");
    } else {
        for what in ["PyPI project name", "crate name", "gem name"] {
            assert!(
                stdout.contains(&format!("`..` is not a valid {what}")),
                "{stdout}"
            );
        }
    }
    let paths = paths.lock().unwrap();
    for p in paths.iter() {
        assert!(!p.split(['/', '?']).any(|s| s == ".." || s == "."), "{p}");
        assert!(!p.to_ascii_lowercase().contains("%2e"), "{p}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_redirect_to_another_origin_takes_no_credential_there() {
    // Issue 11 case 4: redirects were followed across origins, RubyGems' `otp` header with them.
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    let thief = format!("http://{}", elsewhere.local_addr().unwrap());
    let stolen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = std::sync::Arc::clone(&stolen);
    std::thread::spawn(move || {
        for stream in elsewhere.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut head = vec![0u8; 8192];
            let n = stream.read(&mut head).unwrap_or(0);
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head[..n]).into_owned());
            respond(&mut stream, 200, b"[]");
        }
    });
    let registry = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", registry.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in registry.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            if read_request(&mut stream).is_none() {
                continue;
            }
            let head = format!(
                "HTTP/1.1 302 Found\r\nlocation: {thief}/steal\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
        }
    });
    let dir = std::env::temp_dir().join(format!("trustpub-redirect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("expected-publishers.toml"),
        "[[publisher]]\nregistry = \"rubygems\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n\n[[publisher]]\nregistry = \"crates-io\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n",
    )
    .unwrap();
    let run = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&dir)
        .env("RUBYGEMS_API_KEY", RUBYGEMS_KEY)
        .env("RUBYGEMS_OTP", OTP)
        .env("CRATES_IO_TOKEN", CRATES_TOKEN)
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("TRUSTPUB_CONFIG")
        .args([
            "--format",
            "json",
            "drift",
            "--timeout",
            "5",
            "--retries",
            "0",
        ])
        .args(["--github-api-url", &format!("{base}/github")])
        .args(["--crates-io-url", &format!("{base}/crates-io")])
        .args(["--rubygems-url", &format!("{base}/rubygems")])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("redirected to another origin"), "{stdout}");
    let stolen = stolen.lock().unwrap();
    for request in stolen.iter() {
        let lower = request.to_ascii_lowercase();
        assert!(
            !lower.contains("authorization") && !lower.contains("otp:"),
            "{request}"
        );
    }
    assert!(stolen.is_empty(), "{stolen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
