//! `drift`'s crates.io and RubyGems sources over real HTTP on loopback (mockito): the requests
//! they make and the credentials they send, and what the comparison makes of every answer:
//! the declared publisher held (under each registry's own case rules), each identity field
//! differing, no credentials, credentials refused, no such project, and answers that are not
//! what the API documents.

use std::time::Duration;

use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::{Value, json};
use trustpub::config::{self};
use trustpub::drift::compare;
use trustpub::drift::report::{DriftKind, PublisherReport, Status};
use trustpub::drift::source::{Fetched, Unknown};
use trustpub::identity::Publisher;
use trustpub::net::http::{Http, Mode, Settings};
use trustpub::net::retry::Policy;
use trustpub::net::store::Service;
use trustpub::source::SourceFile;

const TOKEN: &str = "cio0123456789abcdefghijklmnopqrstuvwx";
const KEY: &str = "rubygems_0123456789abcdef0123456789abcdef0123456789abcdef";

fn settings() -> Settings {
    Settings {
        timeout: Duration::from_secs(5),
        policy: Policy {
            retries: 0,
            backoff_base: Duration::from_millis(1),
            max_wait: Duration::from_secs(1),
        },
        max_body: 1 << 20,
        use_proxy: false,
    }
}

/// A client for the server, with the given credentials.
fn client(s: &ServerGuard, token: bool, otp: Option<&str>) -> Http {
    let services = ["crates-io", "rubygems"]
        .into_iter()
        .map(|id| Service {
            id,
            base: format!("{}/{id}", s.url()),
        })
        .collect();
    let mut http = Http::new(Mode::Live { record: None }, settings(), services, None).unwrap();
    if token {
        http = http
            .with_auth("crates-io", vec![("authorization", TOKEN.into())])
            .unwrap();
        let mut h = vec![("authorization", KEY.to_owned())];
        if let Some(o) = otp {
            h.push(("otp", o.to_owned()));
        }
        http = http.with_auth("rubygems", h).unwrap();
    }
    http
}

/// One declared publisher of `registry` for octo-org/widget, with `extra` keys.
fn declared(registry: &str, extra: &str) -> Publisher {
    let text = format!(
        "[[publisher]]\nregistry = \"{registry}\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n{extra}\n"
    );
    config::parse(SourceFile::new("expected-publishers.toml", text))
        .unwrap()
        .publishers
        .remove(0)
}

const ENV: &str = "environment = \"release\"\nowner-id = 1010101";

/// Observes with the registry's source and compares, without GitHub (its facts unknown).
fn judge(http: &Http, p: &Publisher) -> PublisherReport {
    let facts = trustpub::drift::registry_source(p.registry).observe(http, p);
    let github: Fetched<_> = Err(Unknown::new("github", "repository", None, "not asked"));
    compare::compare(p, &github, &facts)
}

fn crate_exists(s: &mut ServerGuard) -> Mock {
    s.mock("GET", "/crates-io/api/v1/crates/widget")
        .with_body(r#"{"crate": {"id": "widget", "name": "widget"}}"#)
        .create()
}

fn gem_exists(s: &mut ServerGuard) -> Mock {
    s.mock("GET", "/rubygems/api/v1/gems/widget.json")
        .with_body(r#"{"name": "widget", "version": "2.0.2"}"#)
        .create()
}

fn config_json(owner: &str, name: &str, owner_id: u64, workflow: &str, env: Value) -> Value {
    json!({"id": 7, "crate": "widget", "repository_owner": owner, "repository_owner_id": owner_id,
           "repository_name": name, "workflow_filename": workflow, "environment": env,
           "created_at": "2026-09-01T12:00:00Z"})
}

fn serve_configs(s: &mut ServerGuard, configs: Vec<Value>) -> Mock {
    s.mock("GET", "/crates-io/api/v1/trusted_publishing/github_configs")
        .match_query(Matcher::UrlEncoded("crate".into(), "widget".into()))
        .match_header("authorization", TOKEN)
        .with_body(
            json!({"github_configs": configs, "meta": {"total": 1, "next_page": null}}).to_string(),
        )
        .create()
}

fn publisher_json(
    owner: &str,
    name: &str,
    owner_id: &str,
    workflow: &str,
    env: Value,
    wr: Option<(&str, &str)>,
) -> Value {
    json!({"id": 12, "trusted_publisher_type": "OIDC::TrustedPublisher::GitHubAction", "trusted_publisher": {
        "name": "GitHub Actions", "repository_owner": owner, "repository_name": name,
        "repository_owner_id": owner_id, "workflow_filename": workflow, "environment": env,
        "workflow_repository_owner": wr.map(|w| w.0), "workflow_repository_name": wr.map(|w| w.1)}})
}

fn serve_publishers(s: &mut ServerGuard, list: Vec<Value>) -> Mock {
    s.mock("GET", "/rubygems/api/v1/gems/widget/trusted_publishers")
        .match_header("authorization", KEY)
        .with_body(Value::Array(list).to_string())
        .create()
}

fn confirmed(r: &PublisherReport, check: &str) -> Option<String> {
    r.confirmed
        .iter()
        .find(|c| c.check == check)
        .map(|c| c.text.clone())
}

/// The one `publisher-not-registered` drift, if there is one.
fn not_registered(r: &PublisherReport) -> Option<&trustpub::drift::report::Drift> {
    r.drifts
        .iter()
        .find(|d| d.kind == DriftKind::PublisherNotRegistered)
}

#[test]
fn crates_io_holds_the_declared_config_under_its_case_rules() {
    let mut s = Server::new();
    let _c = crate_exists(&mut s);
    let m = serve_configs(
        &mut s,
        vec![
            config_json("other", "widget", 1010101, "release.yml", json!("release")),
            config_json(
                "Octo-Org",
                "WIDGET",
                1010101,
                "release.yml",
                json!("RELEASE"),
            ),
        ],
    );
    let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
    m.assert();
    assert!(r.drifts.is_empty(), "{:?}", r.drifts);
    let text = confirmed(&r, "publishers").unwrap();
    assert!(text.contains("Octo-Org/WIDGET"), "{text}");
    assert!(text.contains("differs only in case"), "{text}");
    assert_eq!(
        confirmed(&r, "project").as_deref(),
        Some("crates.io has `widget`")
    );
}

#[test]
fn crates_io_each_field_that_differs_is_a_publisher_not_registered() {
    // (what the live config says, the field named as differing)
    let cases: [(Value, &str); 6] = [
        (
            config_json(
                "someone",
                "widget",
                1010101,
                "release.yml",
                json!("release"),
            ),
            "owner",
        ),
        (
            config_json(
                "octo-org",
                "gadget",
                1010101,
                "release.yml",
                json!("release"),
            ),
            "repository",
        ),
        (
            config_json("octo-org", "widget", 99, "release.yml", json!("release")),
            "owner-id",
        ),
        // The workflow file name is compared exactly on crates.io.
        (
            config_json(
                "octo-org",
                "widget",
                1010101,
                "Release.yml",
                json!("release"),
            ),
            "workflow",
        ),
        (
            config_json(
                "octo-org",
                "widget",
                1010101,
                "release.yml",
                json!("staging"),
            ),
            "environment",
        ),
        // A config without an environment accepts any: not the declared one.
        (
            config_json("octo-org", "widget", 1010101, "release.yml", Value::Null),
            "environment",
        ),
    ];
    for (live, field) in cases {
        let mut s = Server::new();
        let _c = crate_exists(&mut s);
        let _m = serve_configs(&mut s, vec![live.clone()]);
        let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
        assert_eq!(r.status, Status::Drift, "{live}");
        let d = not_registered(&r).unwrap_or_else(|| panic!("{live}: {:?}", r.drifts));
        assert!(
            d.message.ends_with(&format!(
                "differs in {field}; a run of the declared workflow is refused"
            )),
            "{}",
            d.message
        );
        assert_eq!(d.expected["workflow"], "release.yml");
        assert_eq!(d.expected["owner-id"], 1010101);
        assert_eq!(d.actual[0]["workflow"], live["workflow_filename"]);
        assert!(
            d.evidence
                .ends_with("/api/v1/trusted_publishing/github_configs?crate=widget")
        );
        assert!(confirmed(&r, "publishers").is_none());
    }
}

#[test]
fn crates_io_owner_id_counts_only_when_declared_and_no_environment_matches_none() {
    let mut s = Server::new();
    let _c = crate_exists(&mut s);
    let _m = serve_configs(
        &mut s,
        vec![config_json(
            "octo-org",
            "widget",
            42,
            "release.yml",
            Value::Null,
        )],
    );
    let r = judge(&client(&s, true, None), &declared("crates-io", ""));
    assert!(r.drifts.is_empty(), "{:?}", r.drifts);
    assert!(confirmed(&r, "publishers").is_some());
}

#[test]
fn crates_io_with_no_config_at_all_says_so() {
    let mut s = Server::new();
    let _c = crate_exists(&mut s);
    let _m = serve_configs(&mut s, vec![]);
    let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
    let d = not_registered(&r).unwrap();
    assert_eq!(d.actual, json!([]));
    assert!(
        d.message
            .starts_with("crates.io holds no Trusted Publishing config for `widget`")
    );
    // No nearest config: the identity diff has nothing live to show.
    assert!(r.identity.1.is_none());
}

#[test]
fn crates_io_pages_are_followed() {
    let mut s = Server::new();
    let _c = crate_exists(&mut s);
    let first = s
        .mock(
            "GET",
            "/crates-io/api/v1/trusted_publishing/github_configs?crate=widget",
        )
        .match_header("authorization", TOKEN)
        .with_body(
            json!({"github_configs": [config_json("x", "y", 1, "a.yml", Value::Null)],
                          "meta": {"total": 2, "next_page": "?crate=widget&seek=abc"}})
            .to_string(),
        )
        .create();
    let second = s
        .mock("GET", "/crates-io/api/v1/trusted_publishing/github_configs?crate=widget&seek=abc")
        .match_header("authorization", TOKEN)
        .with_body(json!({"github_configs": [config_json("octo-org", "widget", 1010101, "release.yml", json!("release"))],
                          "meta": {"total": 2, "next_page": null}}).to_string())
        .create();
    let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
    first.assert();
    second.assert();
    assert!(r.drifts.is_empty(), "{:?}", r.drifts);
}

#[test]
fn crates_io_without_a_token_is_unknown_and_asks_nothing_of_the_api() {
    let mut s = Server::new();
    let _c = crate_exists(&mut s);
    let never = s
        .mock("GET", Matcher::Regex("trusted_publishing".into()))
        .expect(0)
        .create();
    let r = judge(&client(&s, false, None), &declared("crates-io", ENV));
    never.assert();
    let u = r.unknown.iter().find(|u| u.check == "publishers").unwrap();
    assert_eq!(u.source, "crates-io");
    assert!(u.reason.starts_with("crates.io shows Trusted Publishing configs only to the crate's owners: set CRATES_IO_TOKEN"), "{}", u.reason);
    assert_eq!(r.status, Status::Unknown);
}

#[test]
fn crates_io_refusals_are_unknown_with_the_reason() {
    for (status, body, expect) in [
        (
            403,
            r#"{"errors":[{"detail":"this action requires authentication"}]}"#,
            "HTTP 403 from crates.io's Trusted Publishing API: this action requires authentication; the token must",
        ),
        (
            401,
            "",
            "HTTP 401 from crates.io's Trusted Publishing API; the token must",
        ),
        (
            400,
            r#"{"errors":[{"detail":"You are not an owner of this crate"}]}"#,
            "HTTP 400 from crates.io's Trusted Publishing API: You are not an owner of this crate;",
        ),
    ] {
        let mut s = Server::new();
        let _c = crate_exists(&mut s);
        let _m = s
            .mock(
                "GET",
                Matcher::Regex("^/crates-io/api/v1/trusted_publishing/".into()),
            )
            .with_status(status)
            .with_body(body)
            .create();
        let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
        let u = r.unknown.iter().find(|u| u.check == "publishers").unwrap();
        assert!(u.reason.starts_with(expect), "{}", u.reason);
        assert!(!u.reason.contains(TOKEN));
        assert!(r.drifts.is_empty());
    }
}

#[test]
fn a_missing_crate_is_project_missing_and_its_configs_are_not_asked_for() {
    let mut s = Server::new();
    let _c = s
        .mock("GET", "/crates-io/api/v1/crates/widget")
        .with_status(404)
        .with_body(r#"{"errors":[{"detail":"crate `widget` does not exist"}]}"#)
        .create();
    let never = s
        .mock("GET", Matcher::Regex("trusted_publishing".into()))
        .expect(0)
        .create();
    let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
    never.assert();
    let kinds: Vec<_> = r.drifts.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [DriftKind::ProjectMissing]);
    assert!(r.drifts[0].message.contains("it has no pending publishers"));
}

#[test]
fn crates_io_answers_that_are_not_the_documented_json_are_unknown() {
    for body in [
        "{\"github_configs\": ",
        r#"{"configs": []}"#,
        r#"{"github_configs": [{"repository_owner": "octo-org"}]}"#,
        r#"{"github_configs": [], "meta": {"next_page": "https://elsewhere.example/?crate=widget"}}"#,
    ] {
        let mut s = Server::new();
        let _c = crate_exists(&mut s);
        let _m = s
            .mock(
                "GET",
                Matcher::Regex("^/crates-io/api/v1/trusted_publishing/".into()),
            )
            .with_body(body)
            .create();
        let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
        let u = r
            .unknown
            .iter()
            .find(|u| u.check == "publishers")
            .unwrap_or_else(|| panic!("{body}: {:?}", r));
        assert!(
            u.reason.starts_with("unexpected response"),
            "{body}: {}",
            u.reason
        );
        assert!(r.drifts.is_empty());
    }
    // A crate API answer without the crate.
    let mut s = Server::new();
    let _c = s
        .mock("GET", "/crates-io/api/v1/crates/widget")
        .with_body("<html>")
        .create();
    let _m = serve_configs(&mut s, vec![]);
    let r = judge(&client(&s, true, None), &declared("crates-io", ENV));
    assert!(r.unknown.iter().any(|u| u.check == "project"));
}

#[test]
fn rubygems_holds_the_declared_publisher_compared_exactly_with_key_and_otp() {
    let mut s = Server::new();
    let _g = gem_exists(&mut s);
    let m = s
        .mock("GET", "/rubygems/api/v1/gems/widget/trusted_publishers")
        .match_header("authorization", KEY)
        .match_header("otp", "654321")
        .with_body(
            json!([
                {"id": 3, "trusted_publisher_type": "OIDC::TrustedPublisher::GitLab", "trusted_publisher": {"name": "GitLab"}},
                publisher_json("octo-org", "widget", "1010101", "release.yml", json!("release"), None),
            ])
            .to_string(),
        )
        .create();
    let r = judge(
        &client(&s, true, Some("654321")),
        &declared("rubygems", ENV),
    );
    m.assert();
    assert!(r.drifts.is_empty(), "{:?}", r.drifts);
    let text = confirmed(&r, "publishers").unwrap();
    assert_eq!(
        text,
        "RubyGems holds the declared trusted publisher (id 12): octo-org/widget, release.yml, environment `release`"
    );
}

#[test]
fn rubygems_each_field_that_differs_is_a_publisher_not_registered() {
    let wr = "workflow-repository-owner = \"octo-org\"\nworkflow-repository-name = \"workflows\"";
    // (declared extra keys, the live publisher, the field named as differing)
    let cases: Vec<(String, Value, &str)> = vec![
        // RubyGems compares owner, repository and environment exactly, case included.
        (
            ENV.into(),
            publisher_json(
                "Octo-Org",
                "widget",
                "1010101",
                "release.yml",
                json!("release"),
                None,
            ),
            "owner",
        ),
        (
            ENV.into(),
            publisher_json(
                "octo-org",
                "Widget",
                "1010101",
                "release.yml",
                json!("release"),
                None,
            ),
            "repository",
        ),
        (
            ENV.into(),
            publisher_json(
                "octo-org",
                "widget",
                "1",
                "release.yml",
                json!("release"),
                None,
            ),
            "owner-id",
        ),
        (
            ENV.into(),
            publisher_json(
                "octo-org",
                "widget",
                "1010101",
                "push.yml",
                json!("release"),
                None,
            ),
            "workflow",
        ),
        (
            ENV.into(),
            publisher_json(
                "octo-org",
                "widget",
                "1010101",
                "release.yml",
                json!("Release"),
                None,
            ),
            "environment",
        ),
        (
            ENV.into(),
            publisher_json(
                "octo-org",
                "widget",
                "1010101",
                "release.yml",
                Value::Null,
                None,
            ),
            "environment",
        ),
        // The reusable workflow's repository: declared but not held, held but not declared, another.
        (
            format!("{ENV}\n{wr}"),
            publisher_json(
                "octo-org",
                "widget",
                "1010101",
                "release.yml",
                json!("release"),
                None,
            ),
            "workflow-repository",
        ),
        (
            ENV.into(),
            publisher_json(
                "octo-org",
                "widget",
                "1010101",
                "release.yml",
                json!("release"),
                Some(("octo-org", "workflows")),
            ),
            "workflow-repository",
        ),
        (
            format!("{ENV}\n{wr}"),
            publisher_json(
                "octo-org",
                "widget",
                "1010101",
                "release.yml",
                json!("release"),
                Some(("octo-org", "Workflows")),
            ),
            "workflow-repository",
        ),
    ];
    for (extra, live, field) in cases {
        let mut s = Server::new();
        let _g = gem_exists(&mut s);
        let _m = serve_publishers(&mut s, vec![live.clone()]);
        let r = judge(&client(&s, true, None), &declared("rubygems", &extra));
        let d = not_registered(&r).unwrap_or_else(|| panic!("{live}: {:?}", r.confirmed));
        assert!(
            d.message.ends_with(&format!(
                "differs in {field}; a run of the declared workflow is refused"
            )),
            "{live}: {}",
            d.message
        );
        assert_eq!(d.actual[0]["id"], "12");
        assert!(
            d.evidence
                .ends_with("/api/v1/gems/widget/trusted_publishers")
        );
    }
    // The same workflow repository matches.
    let mut s = Server::new();
    let _g = gem_exists(&mut s);
    let _m = serve_publishers(
        &mut s,
        vec![publisher_json(
            "octo-org",
            "widget",
            "1010101",
            "release.yml",
            json!("release"),
            Some(("octo-org", "workflows")),
        )],
    );
    let r = judge(
        &client(&s, true, None),
        &declared("rubygems", &format!("{ENV}\n{wr}")),
    );
    assert!(r.drifts.is_empty(), "{:?}", r.drifts);
}

#[test]
fn rubygems_without_a_key_is_unknown_and_asks_nothing_of_the_api() {
    let mut s = Server::new();
    let _g = gem_exists(&mut s);
    let never = s
        .mock("GET", "/rubygems/api/v1/gems/widget/trusted_publishers")
        .expect(0)
        .create();
    let r = judge(&client(&s, false, None), &declared("rubygems", ENV));
    never.assert();
    let u = r.unknown.iter().find(|u| u.check == "publishers").unwrap();
    assert_eq!(u.source, "rubygems");
    assert!(
        u.reason.starts_with(
            "RubyGems lists a gem's trusted publishers only to its owners: set RUBYGEMS_API_KEY"
        ),
        "{}",
        u.reason
    );
}

#[test]
fn rubygems_refusals_are_unknown_with_the_reason() {
    for (status, body, expect) in [
        (
            401,
            "Access Denied. Please sign up for an account at https://rubygems.org",
            "HTTP 401 from RubyGems' trusted publishers API: Access Denied",
        ),
        (
            401,
            "You have enabled multifactor authentication but no OTP code provided. Please fill it and retry.",
            "HTTP 401 from RubyGems' trusted publishers API: You have enabled multifactor authentication but no OTP code provided. Please fill it and retry; the key must",
        ),
        (
            403,
            r#"{"error": "The API key doesn't have access"}"#,
            "HTTP 403 from RubyGems' trusted publishers API: The API key doesn't have access;",
        ),
    ] {
        let mut s = Server::new();
        let _g = gem_exists(&mut s);
        let _m = s
            .mock("GET", "/rubygems/api/v1/gems/widget/trusted_publishers")
            .with_status(status)
            .with_body(body)
            .create();
        let r = judge(&client(&s, true, None), &declared("rubygems", ENV));
        let u = r.unknown.iter().find(|u| u.check == "publishers").unwrap();
        assert!(u.reason.starts_with(expect), "{}", u.reason);
        assert!(!u.reason.contains(KEY));
    }
}

#[test]
fn a_missing_gem_is_project_missing() {
    let mut s = Server::new();
    let _g = s
        .mock("GET", "/rubygems/api/v1/gems/widget.json")
        .with_status(404)
        .with_body("This rubygem could not be found.")
        .create();
    let never = s
        .mock("GET", "/rubygems/api/v1/gems/widget/trusted_publishers")
        .expect(0)
        .create();
    let r = judge(&client(&s, true, None), &declared("rubygems", ENV));
    never.assert();
    assert_eq!(r.drifts.len(), 1);
    assert_eq!(r.drifts[0].kind, DriftKind::ProjectMissing);
    assert!(r.drifts[0].evidence.ends_with("/api/v1/gems/widget.json"));
}

#[test]
fn rubygems_answers_that_are_not_the_documented_json_are_unknown() {
    for body in [
        "[{",
        r#"{"trusted_publishers": []}"#,
        r#"[{"id": 1, "trusted_publisher_type": "OIDC::TrustedPublisher::GitHubAction", "trusted_publisher": {"repository_owner": "octo-org"}}]"#,
        r#"[{"id": 1, "trusted_publisher": {}}]"#,
    ] {
        let mut s = Server::new();
        let _g = gem_exists(&mut s);
        let _m = s
            .mock("GET", "/rubygems/api/v1/gems/widget/trusted_publishers")
            .with_body(body)
            .create();
        let r = judge(&client(&s, true, None), &declared("rubygems", ENV));
        let u = r
            .unknown
            .iter()
            .find(|u| u.check == "publishers")
            .unwrap_or_else(|| panic!("{body}: {r:?}"));
        assert!(
            u.reason.starts_with("unexpected response"),
            "{body}: {}",
            u.reason
        );
        assert!(r.drifts.is_empty());
    }
}

/// A declared crates.io GitLab publisher, through the config's parser.
fn declared_gitlab(extra: &str) -> Publisher {
    let text = format!(
        "[[publisher]]\nregistry = \"crates-io\"\nproject = \"widget\"\nprovider = \"gitlab\"\nnamespace = \"octo-group/rust\"\nrepository = \"widget\"\nworkflow = \"ci/release.yml\"\n{extra}\n"
    );
    config::parse(SourceFile::new("expected-publishers.toml", text))
        .unwrap()
        .publishers
        .remove(0)
}

fn serve_gitlab_configs(s: &mut ServerGuard, configs: Vec<Value>) -> Mock {
    s.mock("GET", "/crates-io/api/v1/trusted_publishing/gitlab_configs")
        .match_query(Matcher::UrlEncoded("crate".into(), "widget".into()))
        .match_header("authorization", TOKEN)
        .with_body(
            json!({"gitlab_configs": configs, "meta": {"total": 1, "next_page": null}}).to_string(),
        )
        .create()
}

fn gitlab_config_json(namespace: &str, namespace_id: Value, path: &str, env: Value) -> Value {
    json!({"id": 3, "crate": "widget", "namespace": namespace, "namespace_id": namespace_id,
           "project": "widget", "workflow_filepath": path, "environment": env,
           "created_at": "2026-09-01T12:00:00Z"})
}

#[test]
fn crates_io_gitlab_configs_are_read_like_github_ones() {
    let mut s = Server::new();
    let http = client(&s, true, None);
    let _c = crate_exists(&mut s);
    // Held: the namespace folds case, and a config crates.io has not used yet has no id.
    let m = serve_gitlab_configs(
        &mut s,
        vec![gitlab_config_json(
            "Octo-Group/Rust",
            Value::Null,
            "ci/release.yml",
            Value::Null,
        )],
    );
    let r = judge(&http, &declared_gitlab("namespace-id = \"4242\""));
    m.assert();
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(
        confirmed(&r, "publishers").is_some_and(|t| t.contains("differs only in case")),
        "{r:?}"
    );
    assert!(not_registered(&r).is_none());
    drop(m);
    // Another pinned namespace id, then another file path: not registered, in GitLab's words.
    for (config, field) in [
        (
            gitlab_config_json(
                "octo-group/rust",
                json!("9999"),
                "ci/release.yml",
                Value::Null,
            ),
            "owner-id",
        ),
        (
            gitlab_config_json(
                "octo-group/rust",
                json!("4242"),
                "ci/other.yml",
                Value::Null,
            ),
            "workflow",
        ),
    ] {
        let m = serve_gitlab_configs(&mut s, vec![config]);
        // A fresh client: one client fetches a URL once.
        let http = client(&s, true, None);
        let r = judge(&http, &declared_gitlab("namespace-id = \"4242\""));
        m.assert();
        let d = not_registered(&r).unwrap_or_else(|| panic!("{field}: {r:?}"));
        assert!(d.message.contains(field), "{field}: {}", d.message);
        assert_eq!(d.expected["kind"], "gitlab");
        assert_eq!(d.expected["namespace"], "octo-group/rust");
        assert_eq!(d.actual[0]["kind"], "gitlab");
        drop(m);
    }
}
