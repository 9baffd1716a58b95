//! The recognisers of every registry's tools, on lines written from the tools' own texts (the
//! golden cases `tests/golden/explain/log-*` cover whole logs).

use super::*;
use crate::identity::Claim;

fn parse(text: &str) -> LogReport {
    parse_log(text.as_bytes()).unwrap()
}

fn kinds(r: &LogReport) -> Vec<SignalKind> {
    r.signals.iter().map(|s| s.kind).collect()
}

#[test]
fn uv_pretty_debug_claims_span_many_lines() {
    let r = parse(concat!(
        "2026-08-22T10:15:03.0Z error: Trusted publishing failed\n",
        "2026-08-22T10:15:03.0Z   Caused by: Server returned error code 422 Unprocessable Entity, is trusted publishing correctly configured?\n",
        "2026-08-22T10:15:03.0Z     Token claims, which must match the publisher configuration: GitHub(\n",
        "2026-08-22T10:15:03.0Z         GitHubTokenClaims {\n",
        "2026-08-22T10:15:03.0Z             sub: \"repo:a/b:environment:pypi\",\n",
        "2026-08-22T10:15:03.0Z             repository: \"a/b\",\n",
        "2026-08-22T10:15:03.0Z             repository_owner_id: \"7\",\n",
        "2026-08-22T10:15:03.0Z             environment: Some(\n",
        "2026-08-22T10:15:03.0Z                 \"pypi\",\n",
        "2026-08-22T10:15:03.0Z             ),\n",
        "2026-08-22T10:15:03.0Z         },\n",
        "2026-08-22T10:15:03.0Z     )\n",
        "2026-08-22T10:15:03.0Z Hashing b-1.0-py3-none-any.whl (1KiB)\n",
    ));
    let c = r.claims.unwrap();
    assert_eq!(c.get("repository"), Claim::Present("a/b".into()));
    assert_eq!(c.get("repository_owner_id"), Claim::Present("7".into()));
    assert_eq!(c.get("environment"), Claim::Present("pypi".into()));
    assert_eq!(r.stage, Some(Stage::TokenExchange));
    // The old struct, without a variant: `}` ends it, and `environment: None`.
    let r = parse(
        "Token claims, which must match the PyPI configuration: OidcTokenClaims {\n    ref: \"refs/tags/v1\",\n    environment: None,\n}\nerror: something else: here\n",
    );
    let c = r.claims.unwrap();
    assert_eq!(c.get("ref"), Claim::Present("refs/tags/v1".into()));
    assert_eq!(c.get("environment"), Claim::Missing);
    assert_eq!(c.len(), 2);
}

#[test]
fn twine_colours_and_wrapped_reasons() {
    let r = parse(concat!(
        "\u{1b}[31mERROR   \u{1b}[0m TrustedPublishingFailure: The token request failed; the index server gave\n",
        "         the following reasons:\n",
        "\n",
        "         * `invalid-publisher`: valid token, but no corresponding publisher\n",
        "         (Publisher with matching claims was not found)\n",
    ));
    assert_eq!(r.server_errors.len(), 1);
    assert_eq!(
        r.server_errors[0].description,
        "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
    );
    assert_eq!(kinds(&r), [SignalKind::ExchangeRefused]);
}

#[test]
fn crates_io_answers_one_line_and_many() {
    let r = parse(
        "##[error]Failed to retrieve token from Cargo registry. Status: 400. Error: No Trusted Publishing config found for repository `a/b`. Error: second\n",
    );
    let e: Vec<(&str, &str)> = r
        .server_errors
        .iter()
        .map(|e| (e.code.as_str(), e.description.as_str()))
        .collect();
    assert_eq!(
        e,
        [
            (
                "http-400",
                "No Trusted Publishing config found for repository `a/b`."
            ),
            ("http-400", "second")
        ]
    );
    assert_eq!(r.registry, Some(Registry::CratesIo));
    let r = parse(concat!(
        " WARN Failed to use trusted publishing: Failed to retrieve token from Cargo registry: Response body:\n",
        "{\n  \"errors\": [\n    {\n",
        "      \"detail\": \"No Trusted Publishing config found for repository `a/b`.\"\n",
        "    }\n  ]\n",
        "}: HTTP status client error (400 Bad Request) for url (https://crates.io/api/v1/trusted_publishing/tokens). Proceeding without it.\n",
    ));
    assert_eq!(r.server_errors.len(), 1);
    assert_eq!(r.server_errors[0].code, "http-400");
    assert_eq!(kinds(&r), [SignalKind::ExchangeRefused]);
}

#[test]
fn npm_answers_and_versions() {
    let r = parse(
        "npm verbose oidc Failed token exchange request with body message: OIDC token exchange error - unauthorized\nnpm error code ENEEDAUTH\n",
    );
    assert_eq!(r.server_errors[0].code, "http-401");
    assert_eq!(r.stage, Some(Stage::TokenExchange));
    // setup-node's environment details: npm 10 cannot exchange a token.
    let r = parse("npm: 10.9.3\nnpm error code ENEEDAUTH\n");
    assert_eq!(kinds(&r), [SignalKind::NpmTooOld, SignalKind::NpmNeedAuth]);
    assert_eq!(r.signals[0].line, 1);
    // npm 11.6 can; an upgraded npm after an old Node is not judged by the Node.
    assert_eq!(
        kinds(&parse("npm: 11.6.0\nnpm error code ENEEDAUTH\n")),
        [SignalKind::NpmNeedAuth]
    );
    assert_eq!(
        kinds(&parse(
            "node: v22.1.0\nnpm install -g npm@latest\nnpm error code ENEEDAUTH\n"
        )),
        [SignalKind::NpmNeedAuth]
    );
    // A version line in a log that npm did not publish in says nothing.
    assert!(!parse("npm: 10.9.3\nall good\n").is_recognised());
}

#[test]
fn nuget_and_rubygems_answers() {
    let r = parse(
        "##[error]Token exchange failed (HTTP 401) at https://www.nuget.org/api/v2/token. Make sure you are using the username of the policy creator, not the policy owner: Environment mismatch for policy 'p': expected 'prod', actual ''\n",
    );
    assert_eq!(r.server_errors[0].code, "http-401");
    assert_eq!(
        r.server_errors[0].description,
        "Environment mismatch for policy 'p': expected 'prod', actual ''"
    );
    assert_eq!(r.registry, Some(Registry::NuGet));
    let r = parse("##[error]{\"error\":\"Missing/invalid nbf\"}\n");
    assert_eq!(r.server_errors[0].description, "Missing/invalid nbf");
    assert_eq!(r.registry, Some(Registry::RubyGems));
}

#[test]
fn a_common_message_takes_the_registry_of_the_tool_that_printed_it() {
    // id's text inside twine's message: the missing permission, from a PyPI tool.
    let r = parse(
        "ERROR    TrustedPublishingFailure: Unable to retrieve an OIDC token from the CI platform for trusted publishing GitHub: missing or insufficient OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset\n",
    );
    assert_eq!(kinds(&r), [SignalKind::MissingIdToken]);
    assert_eq!(r.signals[0].registry, Some(Registry::Pypi));
    assert_eq!(r.registries, [Registry::Pypi, Registry::TestPypi]);
}

#[test]
fn ansi_sequences_are_stripped() {
    assert_eq!(
        reader::strip_ansi("\u{1b}[1;31mred\u{1b}[0m \u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7}"),
        "red link"
    );
}

#[test]
fn joined_lines_stay_bounded() {
    let mut log = String::from("ERROR    TrustedPublishingFailure: start\n");
    for _ in 0..20_000 {
        log.push_str("         continued continued continued continued\n");
    }
    log.push_str("         * `invalid-publisher`: valid token, but no corresponding publisher\n");
    let r = parse(&log);
    assert_eq!(r.server_errors.len(), 1);
    assert!(r.signals.iter().all(|s| s.text.len() <= 300));
}
