//! What each fuzz target does with its input, shared by the targets (`fuzz/fuzz_targets/*.rs`)
//! and by the regression test (`tests/fuzz_regressions.rs`), which replays every input kept in
//! `fuzz/regressions/<target>/` through the same function. Only trustpub's public API is used.
//!
//! Each function feeds the input through a parser and then through everything that consumes the
//! parser's output (the rules, the matcher, every renderer), so a span or a value the parser
//! lets through that a later stage cannot handle is found too. Besides "no panic", the targets
//! check invariants: positions inside the text, and a token never in any output.

#![allow(dead_code)]

use std::path::Path;

use trustpub::check::{self, Inputs};
use trustpub::config::{self, DesiredState};
use trustpub::evidence::{self, Evidence};
use trustpub::explain::{self, Selection};
use trustpub::render;
use trustpub::source::SourceFile;
use trustpub::workflow::Workflow;

/// The desired state the targets judge against: both PyPI indexes, one workflow.
pub const DESIRED: &str = r#"
[[publisher]]
registry = "pypi"
project = "owlclaw"
owner = "yeemio"
repository = "owlclaw"
workflow = "release.yml"
environment = "pypi"
owner-id = 4082754

[[publisher]]
registry = "testpypi"
project = "owlclaw"
owner = "yeemio"
repository = "owlclaw"
workflow = "release.yml"
"#;

fn desired() -> DesiredState {
    config::parse(SourceFile::new("expected-publishers.toml", DESIRED))
        .expect("the harness's desired state is valid")
}

/// Splits the input into at most two workflow files at a `\n---8<---\n` line: `release.yml`
/// and `caller.yml`, so that reusable-workflow calls between them are exercised too.
fn workflow_files(text: &str) -> Vec<(&'static str, String)> {
    let mut parts = text.splitn(2, "\n---8<---\n");
    let mut files = vec![("release.yml", parts.next().unwrap_or("").to_owned())];
    if let Some(second) = parts.next() {
        files.push(("caller.yml", second.to_owned()));
    }
    files
}

/// The workflow model: the YAML tree, the typed workflow, every rule of `check`, every output.
pub fn workflow(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut workflows = Vec::new();
    let mut unreadable = Vec::new();
    let mut unreadable_sources = Vec::new();
    for (name, text) in workflow_files(&text) {
        let len = text.len();
        match Workflow::parse(Path::new(name), text.clone()) {
            Ok(w) => {
                for job in &w.jobs {
                    assert!(job.id.span.bytes.end <= len, "a job span past the end");
                    assert!(job.id.span.line >= 1 && job.id.span.column >= 1);
                }
                workflows.push(w);
            }
            Err(e) => {
                assert!(e.offset <= len, "an error offset past the end");
                let source = SourceFile::new(name, text);
                let label = trustpub::diag::Label::new(&source, e.offset..e.offset, "here");
                unreadable.push(trustpub::diag::Diagnostic::error(
                    check::WORKFLOW_INVALID,
                    e.message,
                    label,
                ));
                unreadable_sources.push(source);
            }
        }
    }
    let report = check::check(Inputs {
        desired: desired(),
        config_problems: Vec::new(),
        workflows,
        unreadable,
        unreadable_sources,
        repository: check::Repository::parse("yeemio/owlclaw", "fuzz"),
        complete: true,
        files: Default::default(),
    });
    for d in &report.findings {
        assert!(d.primary.position.line >= 1 && d.primary.position.column >= 1);
    }
    let mut out = Vec::new();
    render::check::human(&mut out, &report, Default::default()).expect("rendering to memory");
    render::check::github(&mut out, &report).expect("rendering to memory");
    let _ = serde_json::to_vec(&render::check::json(&report));
    let _ = serde_json::to_vec(&render::sarif::check(
        &report,
        &render::sarif::Place::default(),
    ));
}

/// The desired-state TOML: parsing, validation, and the rendering of every problem.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceFile::new("expected-publishers.toml", text);
    match config::parse_lenient(source) {
        Ok((state, problems)) => {
            for d in &problems {
                assert!(d.primary.span.end <= text.len(), "a span past the end");
            }
            let mut out = Vec::new();
            render::human::diagnostics(&mut out, &state.source, &problems)
                .expect("rendering to memory");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let _ = config::parse(SourceFile::new("expected-publishers.toml", text));
}

/// Renders an explain report in both formats and checks that no `secret` appears in them.
fn explain_and_render(evidence: Evidence, secret: Option<&str>) {
    let report = explain::explain(&desired(), evidence, &Selection::default());
    let mut human = Vec::new();
    render::human::explain(&mut human, &report, Default::default()).expect("rendering to memory");
    let human = trustpub::redact::redact(&String::from_utf8_lossy(&human)).into_owned();
    let json = serde_json::to_string(&render::json::explain(&report)).expect("JSON");
    let _ = report.exit_code();
    if let Some(secret) = secret {
        assert!(
            !human.contains(secret),
            "the human output shows the token's signature"
        );
        assert!(
            !json.contains(secret),
            "the JSON output shows the token's signature"
        );
    }
}

/// JWT decoding: the raw input as a token or as detected standard input, and, so that the
/// claims parser and the matcher see arbitrary JSON, a well-formed token whose payload is the
/// input.
pub fn jwt(data: &[u8]) {
    use base64::Engine;
    let text = String::from_utf8_lossy(data);
    let _ = evidence::jwt::decode_unverified(&text, "fuzz");
    if let Ok(e) = Evidence::detect(&text, "stdin", None) {
        explain_and_render(e, None);
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"RS256","typ":"JWT","kid":"fuzz"}"#);
    let signature = "c2lnbmF0dXJlLW5ldmVyLXNob3du";
    let token = format!("{header}.{}.{signature}", b64.encode(data));
    match Evidence::from_token(&token, "--token", None) {
        Ok(e) => {
            // A claim may legitimately hold the same text as the signature; then it is shown.
            let secret = (!text.contains(signature)).then_some(signature);
            explain_and_render(e, secret);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains(signature), "an error shows the token");
        }
    }
}

/// The log parser: the raw bytes streamed, then `explain` over what it recognised.
pub fn log(data: &[u8]) {
    let report = evidence::log::parse_log(data).expect("reading from memory never fails");
    let lines = data.split(|b| *b == b'\n').count();
    for s in &report.signals {
        assert!(
            s.line >= 1 && s.line <= lines,
            "a signal line outside the log"
        );
        assert!(s.text.chars().count() <= 300);
    }
    if let Ok(e) = Evidence::from_log(data, "fuzz.log") {
        explain_and_render(e, None);
    }
}

/// The desired state of the drift target: every registry whose answers drift reads.
pub const DRIFT_DESIRED: &str = r#"
[[publisher]]
registry = "pypi"
project = "owlclaw"
owner = "yeemio"
repository = "owlclaw"
workflow = "release.yml"
environment = "pypi"
owner-id = 4082754

[[publisher]]
registry = "testpypi"
project = "owlclaw"
owner = "yeemio"
repository = "owlclaw"
workflow = "release.yml"

[[publisher]]
registry = "crates-io"
project = "widget"
owner = "octo-org"
repository = "widget"
workflow = "release.yml"
environment = "release"

[[publisher]]
registry = "rubygems"
project = "widget"
owner = "octo-org"
repository = "widget"
workflow = "release.yml"

[[publisher]]
registry = "npm"
project = "widget"
owner = "octo-org"
repository = "widget"
workflow = "release.yml"
"#;

/// The secrets the drift target's client holds: none may reach its outputs.
const DRIFT_SECRETS: [&str; 4] = [
    "gh0secret0Tq8Wm3Kx7Rt2Yv5Pn9Ld4",
    "cr4tes0secret0Zq8Wm3Kx7Rt2Yv5P",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "424242",
];

/// One answer of the drift target's input: `HTTP <status>` and `name: value` header lines up
/// to an empty line, then the body; without the status line, the whole part is a 200's body.
/// `$SECRET` in it stands for one of the client's secrets (a server that echoes them).
fn answer(url: &str, part: &str, n: usize) -> trustpub::net::response::Response {
    let part = part.replace("$SECRET", DRIFT_SECRETS[n % DRIFT_SECRETS.len()]);
    let (status, headers, body) = match part.strip_prefix("HTTP ") {
        Some(rest) => {
            let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
            let mut lines = head.lines();
            let status = lines
                .next()
                .and_then(|l| l.trim().parse::<u16>().ok())
                .unwrap_or(200);
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            (status, headers, body.as_bytes().to_vec())
        }
        None => (200, Vec::new(), part.into_bytes()),
    };
    trustpub::net::response::Response {
        url: url.to_owned(),
        status,
        headers,
        body,
    }
}

/// drift's response parsing: every source (GitHub's repository, environment, policies, OIDC
/// subject, workflow file and runs; PyPI's JSON, simple and integrity APIs; crates.io's and
/// RubyGems' publishers) reads answers cut from the input, the Nth distinct URL asked getting
/// the Nth part (parts split at `\n---8<---\n`, one worker so the order is fixed); then the
/// comparison, the thresholds and both renderings. No secret the client holds may appear in
/// them, even when the answers echo it.
pub fn drift(data: &[u8]) {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use trustpub::net::http::{Http, Mode, Settings};
    use trustpub::net::response::FetchError;
    use trustpub::net::store::Service;
    let text = String::from_utf8_lossy(data).into_owned();
    let parts: Vec<String> = text.split("\n---8<---\n").map(str::to_owned).collect();
    let asked: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let answers: trustpub::net::http::Answers = Arc::new(move |url: &str| {
        let mut asked = asked.lock().unwrap();
        let n = asked.len();
        let i = *asked.entry(url.to_owned()).or_insert(n);
        match parts.get(i).map(String::as_str) {
            None => Err(FetchError::NotRecorded(url.to_owned())),
            Some("!timeout") => Err(FetchError::Timeout(30)),
            Some("!redirect") => Err(FetchError::Redirected("https://elsewhere.example".into())),
            Some(part) => {
                let response = answer(url, part, i);
                let _ = trustpub::net::store::envelope(&response);
                Ok(response)
            }
        }
    });
    let services = [
        ("github", "https://api.github.com"),
        ("pypi", "https://pypi.org"),
        ("testpypi", "https://test.pypi.org"),
        ("crates-io", "https://crates.io"),
        ("rubygems", "https://rubygems.org"),
    ]
    .into_iter()
    .map(|(id, base)| Service {
        id,
        base: base.to_owned(),
    })
    .collect();
    let http = Http::new(
        Mode::Answers(answers),
        Settings::default(),
        services,
        Some(DRIFT_SECRETS[0].to_owned()),
    )
    .expect("a client")
    .with_auth(
        "crates-io",
        vec![("authorization", DRIFT_SECRETS[1].to_owned())],
    )
    .expect("a valid header")
    .with_auth(
        "rubygems",
        vec![
            ("authorization", DRIFT_SECRETS[2].to_owned()),
            ("otp", DRIFT_SECRETS[3].to_owned()),
        ],
    )
    .expect("a valid header");
    let desired = config::parse(SourceFile::new("expected-publishers.toml", DRIFT_DESIRED))
        .expect("the harness's desired state is valid");
    let report = trustpub::drift::run(&desired.publishers, &desired.thresholds, &http, 1);
    let _ = report.exit_code();
    let mut human = Vec::new();
    render::drift::human(&mut human, &report).expect("rendering to memory");
    let json = serde_json::to_string(&render::drift::json(&report)).expect("JSON");
    // As `drift` writes them: what was parsed from the answers is scrubbed once more.
    let human = http.scrub_text(&String::from_utf8_lossy(&human));
    let json = http.scrub_text(&json);
    for secret in DRIFT_SECRETS {
        // The one-time code is cut out where it stands alone; digits of it inside a longer
        // number are not the code.
        let shown = |out: &str| {
            out.match_indices(secret).any(|(i, _)| {
                if secret.len() >= 8 {
                    return true;
                }
                let before = out[..i].chars().next_back();
                let after = out[i + secret.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
        };
        assert!(!shown(&human), "the human report shows a secret");
        assert!(!shown(&json), "the JSON report shows a secret");
    }
}
