//! The log parser on hand-written logs of every shape it meets.

use super::*;
use crate::identity::{Claim, Registry};

fn parse(text: &str) -> LogReport {
    parse_log(text.as_bytes()).unwrap()
}

fn fixture(name: &str) -> LogReport {
    let path = format!("{}/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    parse_log(std::io::BufReader::new(std::fs::File::open(path).unwrap())).unwrap()
}

fn kinds(r: &LogReport) -> Vec<SignalKind> {
    r.signals.iter().map(|s| s.kind).collect()
}

#[test]
fn gh_log_of_the_owlclaw_refusal() {
    let r = fixture("owlclaw-invalid-publisher.gh.log");
    let claims = r.claims.as_ref().unwrap();
    assert_eq!(claims.len(), 8);
    assert_eq!(
        claims.get("environment"),
        Claim::Present("pypi-release".into())
    );
    assert_eq!(
        claims.get("repository_owner_id"),
        Claim::Present("4082754".into())
    );
    assert_eq!(claims.get("jti"), Claim::Unknown);
    assert_eq!(r.server_errors.len(), 1);
    assert_eq!(r.server_errors[0].code, "invalid-publisher");
    assert_eq!(r.server_errors[0].line, 10);
    assert!(
        r.server_errors[0]
            .description
            .ends_with("(Publisher with matching claims was not found)")
    );
    assert_eq!(r.stage, Some(Stage::TokenExchange));
    assert_eq!(r.registry, Some(Registry::TestPypi));
    // Line 7 is the wrapper (`Trusted publishing exchange failure:`), line 8 the refusal.
    assert_eq!(kinds(&r), [SignalKind::ExchangeRefused]);
    assert_eq!(r.signals[0].line, 8);
}

#[test]
fn raw_log_of_the_token_path_403() {
    let r = fixture("owlclaw-token-path-403.log");
    assert!(r.claims.is_none());
    assert_eq!(
        kinds(&r),
        [SignalKind::EmptyPassword, SignalKind::UploadForbidden]
    );
    assert_eq!(r.signals[0].line, 7);
    assert_eq!(r.stage, Some(Stage::Upload));
    assert_eq!(r.registry, Some(Registry::TestPypi));
    assert!(r.is_recognised());
}

#[test]
fn web_copy_with_a_missing_environment() {
    let r = fixture("owlclaw-no-environment.web.log");
    let claims = r.claims.unwrap();
    assert_eq!(claims.get("environment"), Claim::Missing);
    assert_eq!(
        claims.get("ref"),
        Claim::Present("refs/heads/codex-gpt-work".into())
    );
    assert_eq!(r.registry, None, "docs.pypi.org names no index");
    assert_eq!(r.registries, [Registry::Pypi, Registry::TestPypi]);
    assert_eq!(r.stage, Some(Stage::TokenExchange));
}

#[test]
fn old_bullet_set_leaves_newer_claims_unknown_but_reads_sub() {
    let r = parse(
        "Error: Trusted publishing exchange failure: \nToken request failed: the server refused the request for the following reasons:\n\n* `invalid-publisher`: valid token, but no corresponding publisher (All lookup strategies exhausted)\n\n* `sub`: `repo:o/r:ref:refs/tags/v1`\n* `repository`: `o/r`\n* `repository_owner`: `o`\n* `repository_owner_id`: `1`\n* `job_workflow_ref`: `o/r/.github/workflows/ci.yml@refs/tags/v1`\n* `ref`: `refs/tags/v1`\n",
    );
    let claims = r.claims.unwrap();
    // GitHub's default `sub` names the environment first: a `ref:` context means none.
    assert_eq!(claims.get("environment"), Claim::Missing);
    assert_eq!(claims.get("workflow_ref"), Claim::Unknown);
    assert_eq!(
        r.server_errors[0].description,
        "valid token, but no corresponding publisher (All lookup strategies exhausted)"
    );
}

#[test]
fn historical_and_other_codes_are_kept_verbatim() {
    let r = parse(
        "* `invalid-publisher`: valid token, but no corresponding publisher\n* `invalid-publisher`: valid token, but no corresponding publisher (Check failed for required claim 'sub')\n* `invalid-token`: malformed or invalid token\n* `invalid-pending-publisher`: valid token, but project already exists\n* `invalid-reuse-token`: invalid token: already used\n* `not-enabled`: github trusted publishing functionality not enabled\n",
    );
    let codes: Vec<&str> = r.server_errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "invalid-publisher",
            "invalid-publisher",
            "invalid-token",
            "invalid-pending-publisher",
            "invalid-reuse-token",
            "not-enabled"
        ]
    );
    assert_eq!(
        r.server_errors[0].description,
        "valid token, but no corresponding publisher"
    );
}

#[test]
fn raw_runner_line_with_percent_escapes_is_split() {
    let r = parse(
        "2024-05-01T10:00:00.0000000Z ::error::Trusted publishing exchange failure: %0AToken request failed: the server refused the request for the following reasons:%0A%0A* `invalid-publisher`: valid token, but no corresponding publisher (Publisher with matching claims was not found)%0A%0A* `repository`: `o/r`%0A* `environment`: `MISSING`\n",
    );
    assert_eq!(r.server_errors.len(), 1);
    assert_eq!(r.server_errors[0].line, 1);
    assert_eq!(r.claims.unwrap().get("environment"), Claim::Missing);
}

#[test]
fn missing_id_token_and_fork_pull_requests() {
    let r = parse(
        "publish\tRun pypa/gh-action-pypi-publish@release/v1\t2025-01-01T00:00:00.0Z ##[error]Trusted publishing exchange failure: \npublish\tRun pypa/gh-action-pypi-publish@release/v1\tOpenID Connect token retrieval failed: GitHub: missing or insufficient OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset\n",
    );
    assert_eq!(
        r.stage,
        Some(Stage::OidcToken),
        "the cause under the wrapper line decides"
    );
    assert_eq!(kinds(&r), [SignalKind::MissingIdToken]);
    let r = parse(
        "Error: OpenID Connect token retrieval failed: GitHub: missing or insufficient OIDC token permissions, the ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset\nThe workflow context indicates that this action was called from a pull request on a fork.\n",
    );
    assert_eq!(
        kinds(&r),
        [SignalKind::MissingIdToken, SignalKind::ForkPullRequest]
    );
    assert_eq!(r.stage, Some(Stage::OidcToken));
}

#[test]
fn failures_after_a_successful_exchange_are_upload_failures() {
    for (line, kind) in [
        (
            "ERROR    HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/\n         Non-user identities cannot create new projects. This was probably caused by successfully using a pending publisher but specifying the project name incorrectly",
            SignalKind::ProjectCreationRefused,
        ),
        (
            "ERROR    HTTPError: 403 Forbidden from https://upload.pypi.org/legacy/\n         Invalid API Token: OIDC scoped token is not valid for project 'owlclaw'",
            SignalKind::TokenNotValidForProject,
        ),
        (
            "Error: Password-based uploads disabled",
            SignalKind::PasswordUploadsDisabled,
        ),
    ] {
        let r = parse(line);
        assert_eq!(r.stage, Some(Stage::Upload), "{line}");
        assert!(kinds(&r).contains(&kind), "{line}: {:?}", kinds(&r));
        if line.contains("https://") {
            assert_eq!(r.registry, Some(Registry::Pypi), "{line}");
        }
    }
}

#[test]
fn attestation_install_and_reusable_warnings() {
    let r = parse(
        "##[warning]Potential workflow misconfiguration: The claims in this token suggest that the calling workflow is a reusable workflow.\n::error::Attestation generation failure: boom\n",
    );
    assert_eq!(
        kinds(&r),
        [SignalKind::ReusableWorkflow, SignalKind::AttestationFailure]
    );
    assert_eq!(r.stage, Some(Stage::Attestation));
    let r = parse(
        "ERROR: Could not find a version that satisfies the requirement owlclaw==0.3.0\nERROR: No matching distribution found for owlclaw==0.3.0\n",
    );
    assert_eq!(kinds(&r), [SignalKind::InstallFailure]);
    assert_eq!(r.stage, Some(Stage::InstallSmoke));
}

#[test]
fn twine_and_uv_refusals() {
    let r = parse(
        "TrustedPublishingFailure: The token request failed; the index server gave the following reasons:\n\n* `invalid-publisher`: valid token, but no corresponding publisher (Publisher with matching claims was not found)\n",
    );
    assert_eq!(r.server_errors.len(), 1);
    assert_eq!(r.stage, Some(Stage::TokenExchange));
    let r = parse(concat!(
        "error: Failed to obtain token for trusted publishing\n",
        "  Caused by: PyPI returned error code 422 Unprocessable Entity, is trusted publishing correctly configured?\n",
        "  Response: {\"errors\":[{\"code\":\"invalid-publisher\",\"description\":\"valid token, but no corresponding publisher (Publisher with matching claims was not found)\"}],\"message\":\"Token request failed\"}\n",
        "  Token claims, which must match the PyPI configuration: GitHubTokenClaims { sub: \"repo:o/r:ref:refs/tags/v1\", repository: \"o/r\", repository_owner: \"o\", repository_owner_id: \"7\", job_workflow_ref: \"o/r/.github/workflows/release.yml@refs/tags/v1\", ref: \"refs/tags/v1\", environment: None }\n",
    ));
    assert_eq!(r.server_errors[0].code, "invalid-publisher");
    let claims = r.claims.unwrap();
    assert_eq!(
        claims.get("repository_owner_id"),
        Claim::Present("7".into())
    );
    assert_eq!(claims.get("environment"), Claim::Missing);
    assert_eq!(
        claims.get("repository"),
        Claim::Present("o/r".into()),
        "`repository_owner` must not shadow `repository`"
    );
}

#[test]
fn web_copies_with_injected_link_text_are_cleaned() {
    let r = parse(
        "[12](https://github.com/o/r/actions/runs/1/job/2#step:4:13)176396* `invalid-publisher`: valid token, but no corresponding publisher (Publisher with matching claims was not found)\n",
    );
    assert_eq!(r.server_errors.len(), 1);
    assert_eq!(
        reader::strip_link_junk("a [12](https://x/y)176396b [not a link]"),
        "a b [not a link]"
    );
}

#[test]
fn crlf_and_invalid_utf8_are_accepted() {
    let mut bytes =
        b"* `repository`: `o/r`\r\n* `ref`: `refs/heads/main`\r\n\xff\xfe junk\r\n".to_vec();
    bytes.extend_from_slice(
        b"* `invalid-publisher`: valid token, but no corresponding publisher (x)\r\n",
    );
    let r = parse_log(&bytes[..]).unwrap();
    let claims = r.claims.unwrap();
    assert_eq!(claims.get("ref"), Claim::Present("refs/heads/main".into()));
    assert_eq!(
        r.server_errors[0].description,
        "valid token, but no corresponding publisher (x)"
    );
}

#[test]
fn an_empty_or_unrelated_log_is_not_recognised() {
    assert!(!parse("").is_recognised());
    assert!(!parse("Run actions/checkout@v4\nall good\n").is_recognised());
}

#[test]
fn tokens_in_a_log_never_reach_a_signal() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    let r = parse(&format!(
        "Token request failed: the server refused the request {jwt}\n* `invalid-token`: malformed or invalid token pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWpr\n"
    ));
    let all = format!("{:?}", r);
    assert!(!all.contains(jwt));
    assert!(!all.contains("pypi-AgEI"));
}

#[test]
fn a_later_claim_block_replaces_an_earlier_one() {
    let r = parse(
        "* `repository`: `o/first`\n* `ref`: `a`\nThe claims rendered below are **for debugging purposes only**.\n* `repository`: `o/second`\n",
    );
    let claims = r.claims.unwrap();
    assert_eq!(claims.get("repository"), Claim::Present("o/second".into()));
    assert_eq!(claims.get("ref"), Claim::Unknown);
}

#[test]
fn noise_does_not_slow_it_down_or_confuse_it() {
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "2026-01-01T00:00:00.0000000Z building wheel {i} [{i}] * `x`: y\n"
        ));
    }
    let r = parse(&text);
    assert!(!r.is_recognised());
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut state: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..500 {
        let mut bytes = Vec::new();
        for _ in 0..(state % 200) {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = (state >> 33) as usize;
            let alphabet: &[u8] = b"`*: \t\n\r[]()%0A#Z-T0123456789abcpypi.org\xc3\xa9\xff{}\"";
            bytes.push(alphabet[pick % alphabet.len()]);
        }
        let _ = parse_log(&bytes[..]).unwrap();
    }
}

#[test]
fn stage_ids_are_the_documented_contract() {
    let all = [
        Stage::OidcToken,
        Stage::TokenExchange,
        Stage::Upload,
        Stage::InstallSmoke,
        Stage::Attestation,
    ];
    let ids: Vec<&str> = all.iter().map(Stage::id).collect();
    assert_eq!(
        ids,
        [
            "oidc-token",
            "token-exchange",
            "upload",
            "install-smoke",
            "attestation"
        ]
    );
}

#[test]
fn an_overlong_line_is_cut_and_the_next_line_keeps_its_number() {
    let mut log = "x".repeat(3 * MAX_LINE_BYTES + 17);
    log.push_str("\nToken request failed: the server refused the request\n");
    let r = parse(&log);
    assert_eq!(r.signals.len(), 1);
    assert_eq!(r.signals[0].line, 2);
    // A needle straddling the cut is not invented from the two halves.
    let mut cut = "y".repeat(MAX_LINE_BYTES - 10);
    cut.push_str("Token request failed: the server refused\n");
    assert!(parse(&cut).signals.is_empty());
}
