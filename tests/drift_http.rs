//! The HTTP client of `drift` against real servers on loopback: retries, waits, timeouts, size
//! limits, broken connections and rate limits. Waits go through a recording sleeper, so no test
//! sleeps for what a server asks.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mockito::{Matcher, Server};
use trustpub::net::http::{Http, Mode, Settings};
use trustpub::net::response::FetchError;
use trustpub::net::retry::Policy;
use trustpub::net::store::Service;

type Waits = Arc<Mutex<Vec<Duration>>>;

fn settings(timeout_ms: u64, retries: u32) -> Settings {
    Settings {
        timeout: Duration::from_millis(timeout_ms),
        policy: Policy {
            retries,
            backoff_base: Duration::from_millis(100),
            max_wait: Duration::from_secs(60),
        },
        max_body: 1024 * 1024,
        use_proxy: false,
    }
}

fn client_with(base: &str, settings: Settings, token: Option<&str>) -> (Http, Waits) {
    let services = vec![
        Service {
            id: "github",
            base: format!("{base}/gh"),
        },
        Service {
            id: "pypi",
            base: format!("{base}/pypi"),
        },
    ];
    let waits: Waits = Arc::default();
    let w = Arc::clone(&waits);
    let http = Http::new(
        Mode::Live { record: None },
        settings,
        services,
        token.map(str::to_owned),
    )
    .unwrap()
    .with_sleeper(Arc::new(move |d| w.lock().unwrap().push(d)));
    (http, waits)
}

fn client(base: &str) -> (Http, Waits) {
    client_with(base, settings(5_000, 3), None)
}

#[test]
fn a_server_error_is_retried_after_a_backoff() {
    let mut s = Server::new();
    let fail = s.mock("GET", "/pypi/x").with_status(503).expect(1).create();
    let ok = s.mock("GET", "/pypi/x").with_body("{}").expect(1).create();
    let (http, waits) = client(&s.url());
    let r = http
        .get(&format!("{}/pypi/x", s.url()), "application/json")
        .unwrap();
    assert_eq!(r.status, 200);
    fail.assert();
    ok.assert();
    let waits = waits.lock().unwrap();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] >= Duration::from_millis(50) && waits[0] <= Duration::from_millis(100));
}

#[test]
fn a_server_that_keeps_failing_is_reported_after_every_retry() {
    let mut s = Server::new();
    let m = s.mock("GET", "/pypi/x").with_status(500).expect(4).create();
    let (http, waits) = client(&s.url());
    let e = http
        .get(&format!("{}/pypi/x", s.url()), "application/json")
        .unwrap_err();
    assert_eq!(
        e,
        FetchError::Server {
            status: 500,
            attempts: 4
        }
    );
    m.assert();
    // Exponential: each wait at least the half of base * 2^n.
    let waits = waits.lock().unwrap();
    assert_eq!(waits.len(), 3);
    assert!(waits[2] >= Duration::from_millis(200), "{waits:?}");
}

#[test]
fn too_many_requests_waits_as_long_as_retry_after_says() {
    let mut s = Server::new();
    let limited = s
        .mock("GET", "/gh/repos/o/r")
        .with_status(429)
        .with_header("retry-after", "7")
        .expect(1)
        .create();
    let ok = s.mock("GET", "/gh/repos/o/r").with_body("{}").create();
    let (http, waits) = client(&s.url());
    let r = http
        .get(&format!("{}/gh/repos/o/r", s.url()), "application/json")
        .unwrap();
    assert_eq!(r.status, 200);
    limited.assert();
    ok.assert();
    let waits = waits.lock().unwrap();
    assert!((6..=7).contains(&waits[0].as_secs()), "{waits:?}");
}

#[test]
fn githubs_secondary_rate_limit_is_retried() {
    let mut s = Server::new();
    let limited = s
        .mock("GET", "/gh/repos/o/r")
        .with_status(403)
        .with_body(r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#)
        .expect(1)
        .create();
    let ok = s.mock("GET", "/gh/repos/o/r").with_body("{}").create();
    let (http, waits) = client(&s.url());
    assert_eq!(
        http.get(&format!("{}/gh/repos/o/r", s.url()), "a")
            .unwrap()
            .status,
        200
    );
    limited.assert();
    ok.assert();
    assert_eq!(waits.lock().unwrap().len(), 1);
}

#[test]
fn an_exhausted_rate_limit_is_reported_at_once_instead_of_hanging() {
    let mut s = Server::new();
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let limited = s
        .mock("GET", "/gh/repos/o/r")
        .with_status(403)
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &reset.to_string())
        .with_body(r#"{"message":"API rate limit exceeded"}"#)
        .expect(1)
        .create();
    let other = s.mock("GET", "/gh/repos/o/other").expect(0).create();
    let (http, waits) = client(&s.url());
    let start = Instant::now();
    let e = http
        .get(&format!("{}/gh/repos/o/r", s.url()), "a")
        .unwrap_err();
    assert!(
        matches!(e, FetchError::RateLimited { reset: Some(_), .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with("rate limit exhausted until "),
        "{e}"
    );
    // The next GitHub request does not even ask: the limit is known to be spent.
    let e2 = http
        .get(&format!("{}/gh/repos/o/other", s.url()), "a")
        .unwrap_err();
    assert_eq!(e, e2);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(waits.lock().unwrap().is_empty());
    limited.assert();
    other.assert();
}

#[test]
fn a_reset_within_the_cap_is_waited_for() {
    let mut s = Server::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    s.mock("GET", "/gh/x")
        .with_status(429)
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &(now + 20).to_string())
        .expect(1)
        .create();
    s.mock("GET", "/gh/x").with_body("{}").create();
    let (http, waits) = client(&s.url());
    assert_eq!(
        http.get(&format!("{}/gh/x", s.url()), "a").unwrap().status,
        200
    );
    let w = waits.lock().unwrap()[0].as_secs();
    assert!((18..=20).contains(&w), "{w}");
}

#[test]
fn a_slow_server_past_the_timeout_is_a_timeout() {
    let mut s = Server::new();
    s.mock("GET", "/pypi/slow")
        .with_chunked_body(|w| {
            std::thread::sleep(Duration::from_millis(1500));
            w.write_all(b"{}")
        })
        .create();
    let (http, _) = client_with(&s.url(), settings(300, 1), None);
    let start = Instant::now();
    let e = http
        .get(&format!("{}/pypi/slow", s.url()), "a")
        .unwrap_err();
    assert!(matches!(e, FetchError::Timeout(_)), "{e:?}");
    assert!(
        start.elapsed() < Duration::from_millis(1400),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_gigantic_body_is_refused_not_read() {
    let mut s = Server::new();
    let big = vec![b'x'; 3 * 1024 * 1024];
    s.mock("GET", "/pypi/declared").with_body(&big).create();
    s.mock("GET", "/pypi/chunked")
        .with_chunked_body(|w| {
            let chunk = [b'y'; 64 * 1024];
            for _ in 0..48 {
                w.write_all(&chunk)?;
            }
            Ok(())
        })
        .create();
    let (http, _) = client(&s.url());
    for path in ["declared", "chunked"] {
        let e = http
            .get(&format!("{}/pypi/{path}", s.url()), "a")
            .unwrap_err();
        assert_eq!(e, FetchError::TooLarge(1024 * 1024), "{path}");
    }
}

/// A server that promises 1000 bytes, sends 10, and hangs up, `times` times.
fn closing_server(times: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(times) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"info\": {");
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_connection_closed_mid_body_is_a_network_error_after_retries() {
    let base = closing_server(2);
    let (http, waits) = client_with(&base, settings(5_000, 1), None);
    let e = http.get(&format!("{base}/pypi/x"), "a").unwrap_err();
    assert!(matches!(e, FetchError::Network(_)), "{e:?}");
    assert_eq!(waits.lock().unwrap().len(), 1);
}

#[test]
fn the_token_goes_to_github_only() {
    let mut s = Server::new();
    let gh = s
        .mock("GET", "/gh/repos/o/r")
        .match_header("authorization", "Bearer ghp_0123456789abcdefghijABCD")
        .match_header("x-github-api-version", "2022-11-28")
        .with_body("{}")
        .create();
    let pypi = s
        .mock("GET", "/pypi/pypi/x/json")
        .match_header("authorization", Matcher::Missing)
        .with_body("{}")
        .create();
    let (http, _) = client_with(
        &s.url(),
        settings(5_000, 0),
        Some("ghp_0123456789abcdefghijABCD"),
    );
    assert_eq!(
        http.get(&format!("{}/gh/repos/o/r", s.url()), "a")
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        http.get(&format!("{}/pypi/pypi/x/json", s.url()), "a")
            .unwrap()
            .status,
        200
    );
    gh.assert();
    pypi.assert();
    assert!(!format!("{http:?}").contains("ghp_"));
}

#[test]
fn a_registry_token_goes_to_its_registry_only() {
    let mut s = Server::new();
    let services = vec![
        Service {
            id: "github",
            base: format!("{}/gh", s.url()),
        },
        Service {
            id: "crates-io",
            base: format!("{}/cio", s.url()),
        },
        Service {
            id: "rubygems",
            base: format!("{}/rg", s.url()),
        },
        // A base that the crates.io one is a prefix of, without a path boundary.
        Service {
            id: "pypi",
            base: format!("{}/ciox", s.url()),
        },
    ];
    let cio = s
        .mock("GET", "/cio/api/v1/crates/x")
        .match_header("authorization", "cio0123456789abcdefghijklmnopqrstuv")
        .match_header("otp", Matcher::Missing)
        .with_body("{}")
        .create();
    let rg = s
        .mock("GET", "/rg/api/v1/gems/x/trusted_publishers")
        .match_header("authorization", "rubygems_0123456789abcdef0123456789abcdef")
        .match_header("otp", "123456")
        .with_body("[]")
        .create();
    let others = s
        .mock("GET", Matcher::Regex("^/(gh|ciox)/".into()))
        .match_header("authorization", Matcher::Missing)
        .match_header("otp", Matcher::Missing)
        .with_body("{}")
        .expect(2)
        .create();
    let http = Http::new(
        Mode::Live { record: None },
        settings(5_000, 0),
        services,
        None,
    )
    .unwrap()
    .with_auth(
        "crates-io",
        vec![(
            "authorization",
            "cio0123456789abcdefghijklmnopqrstuv".into(),
        )],
    )
    .unwrap()
    .with_auth(
        "rubygems",
        vec![
            (
                "authorization",
                "rubygems_0123456789abcdef0123456789abcdef".into(),
            ),
            ("otp", " 123456 ".into()),
        ],
    )
    .unwrap();
    assert!(http.has_auth("crates-io") && http.has_auth("rubygems") && !http.has_auth("github"));
    for path in [
        "/cio/api/v1/crates/x",
        "/rg/api/v1/gems/x/trusted_publishers",
        "/gh/repos/o/r",
        "/ciox/pypi/x/json",
    ] {
        let r = http.get(&format!("{}{path}", s.url()), "a").unwrap();
        assert_eq!(r.status, 200, "{path}");
    }
    cio.assert();
    rg.assert();
    others.assert();
    let debug = format!("{http:?}");
    assert!(
        !debug.contains("cio0123") && !debug.contains("rubygems_0123"),
        "{debug}"
    );
}

#[test]
fn an_empty_credential_is_none_and_a_broken_one_is_refused_without_showing_it() {
    let http = Http::new(
        Mode::Live { record: None },
        settings(5_000, 0),
        Vec::new(),
        None,
    )
    .unwrap()
    .with_auth("crates-io", vec![("authorization", "  ".into())])
    .unwrap();
    assert!(!http.has_auth("crates-io"));
    let e = http
        .with_auth("rubygems", vec![("authorization", "secret\nvalue".into())])
        .unwrap_err();
    assert!(!e.contains("secret"), "{e}");
}

#[test]
fn each_url_is_fetched_once_however_many_ask() {
    let mut s = Server::new();
    let m = s.mock("GET", "/pypi/x").with_body("{}").expect(1).create();
    let (http, _) = client(&s.url());
    let url = format!("{}/pypi/x", s.url());
    std::thread::scope(|sc| {
        for _ in 0..8 {
            sc.spawn(|| assert_eq!(http.get(&url, "a").unwrap().status, 200));
        }
    });
    m.assert();
}

/// A client for crates.io and RubyGems at `base`, with their credentials, and GitHub.
fn registry_client(base: &str) -> Http {
    let services = vec![
        Service {
            id: "github",
            base: format!("{base}/gh"),
        },
        Service {
            id: "crates-io",
            base: format!("{base}/crates-io"),
        },
        Service {
            id: "rubygems",
            base: format!("{base}/rubygems"),
        },
    ];
    Http::new(
        Mode::Live { record: None },
        settings(5_000, 0),
        services,
        Some("gh-token-0123456789".into()),
    )
    .unwrap()
    .with_auth(
        "crates-io",
        vec![("authorization", "crates-key-0123456789".into())],
    )
    .unwrap()
    .with_auth(
        "rubygems",
        vec![
            ("authorization", "gem-key-0123456789".into()),
            ("otp", "424242".into()),
        ],
    )
    .unwrap()
}

#[test]
fn a_redirect_to_another_origin_is_not_followed_and_no_credential_leaves() {
    // Issue 11 case 4: redirects were followed across origins, RubyGems' `otp` header with them.
    let mut here = Server::new();
    let mut elsewhere = Server::new();
    let away = elsewhere.mock("GET", Matcher::Any).expect(0).create();
    for path in [
        "/rubygems/api/v1/gems/x/trusted_publishers",
        "/crates-io/api/v1/crates/x",
        "/gh/repos/o/r",
    ] {
        here.mock("GET", path)
            .with_status(302)
            .with_header("location", &format!("{}/steal", elsewhere.url()))
            .create();
    }
    let http = registry_client(&here.url());
    for path in [
        "/rubygems/api/v1/gems/x/trusted_publishers",
        "/crates-io/api/v1/crates/x",
        "/gh/repos/o/r",
    ] {
        let e = http
            .get(&format!("{}{path}", here.url()), "application/json")
            .unwrap_err();
        assert!(
            matches!(e, FetchError::Redirected(ref o) if *o == elsewhere.url()),
            "{e}"
        );
        assert!(e.to_string().contains("not followed"), "{e}");
    }
    away.assert();
}

#[test]
fn a_redirect_within_the_origin_keeps_the_credentials_of_its_service() {
    let mut s = Server::new();
    s.mock("GET", "/rubygems/api/v1/gems/X.json")
        .with_status(301)
        .with_header("location", "/rubygems/api/v1/gems/x.json")
        .create();
    let moved = s
        .mock("GET", "/rubygems/api/v1/gems/x.json")
        .match_header("authorization", "gem-key-0123456789")
        .match_header("otp", "424242")
        .with_body("{}")
        .expect(1)
        .create();
    let http = registry_client(&s.url());
    let r = http
        .get(
            &format!("{}/rubygems/api/v1/gems/X.json", s.url()),
            "application/json",
        )
        .unwrap();
    assert_eq!(r.status, 200);
    moved.assert();
}

#[test]
fn a_storage_redirect_is_followed_without_any_credential() {
    // GitHub's log downloads answer 302 to a blob store: followed, with nothing of ours.
    let mut api = Server::new();
    let mut storage = Server::new();
    api.mock("GET", "/gh/repos/o/r/actions/runs/1/logs")
        .match_header("authorization", "Bearer gh-token-0123456789")
        .with_status(302)
        .with_header(
            "location",
            &format!("{}/blob/logs.zip?sig=abc", storage.url()),
        )
        .create();
    let blob = storage
        .mock("GET", "/blob/logs.zip")
        .match_query(Matcher::Any)
        .match_header("authorization", Matcher::Missing)
        .match_header("otp", Matcher::Missing)
        .match_header("x-github-api-version", Matcher::Missing)
        .with_body("PK")
        .expect(1)
        .create();
    let http = registry_client(&api.url());
    let r = http
        .get_with(
            &format!("{}/gh/repos/o/r/actions/runs/1/logs", api.url()),
            "application/vnd.github+json",
            trustpub::net::http::Redirects::ToStorage,
        )
        .unwrap();
    assert_eq!(r.body, b"PK");
    blob.assert();
}

/// A raw server that answers every request with `parts`, one every `pause`.
fn trickle(parts: Vec<&'static [u8]>, pause: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let parts = parts.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                for p in parts {
                    if stream.write_all(p).is_err() {
                        return;
                    }
                    std::thread::sleep(pause);
                }
            });
        }
    });
    base
}

#[test]
fn one_deadline_covers_the_headers_and_every_byte_of_the_body() {
    let body: Vec<&'static [u8]> = std::iter::once(
        &b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n"[..],
    )
    .chain(std::iter::repeat_n(&b"x"[..], 20))
    .collect();
    let header: Vec<&'static [u8]> = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
        .chunks(1)
        .collect();
    for parts in [body, header] {
        let base = trickle(parts, Duration::from_millis(300));
        let (http, _) = client_with(&base, settings(1_000, 0), None);
        let start = Instant::now();
        let e = http
            .get(&format!("{base}/pypi/x"), "application/json")
            .unwrap_err();
        let took = start.elapsed();
        assert!(matches!(e, FetchError::Timeout(_)), "{e}");
        assert!(took < Duration::from_millis(2_500), "{took:?}");
    }
}

#[test]
fn the_rate_limit_message_asks_for_a_token_only_when_none_is_set() {
    // Issue 11 case 6: "set GITHUB_TOKEN" was said with the token set.
    let far = trustpub::net::time::system_epoch() + 7200;
    for token in [None, Some("gh-token-0123456789")] {
        let mut s = Server::new();
        s.mock("GET", "/gh/repos/o/r")
            .with_status(403)
            .with_header("x-ratelimit-remaining", "0")
            .with_header("x-ratelimit-reset", &far.to_string())
            .create();
        let (http, _) = client_with(&s.url(), settings(5_000, 3), token);
        let e = http
            .get(&format!("{}/gh/repos/o/r", s.url()), "application/json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("exhausted until"), "{e}");
        assert_eq!(e.contains("set GITHUB_TOKEN"), token.is_none(), "{e}");
    }
}
