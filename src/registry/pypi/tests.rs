//! PyPI's own unit-test vectors (pypi/warehouse `tests/unit/oidc/**`, as listed in
//! `shared/reference/pypi-trusted-publishing.md` §4) and the derived vectors of §4.10.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::*;
use crate::identity::{Claims, TokenProblem};
use crate::registry::Outcome;
use crate::registry::pypi::github::KNOWN_CLAIMS;

fn publisher(
    owner: &str,
    repo: &str,
    owner_id: Option<&str>,
    workflow: &str,
    env: &str,
) -> Publisher {
    crate::config::test_publisher(Registry::Pypi, owner, repo, owner_id, workflow, env)
}

/// The DUMMY GitHub claim set of warehouse's `tests/common/constants.py`, with `aud` for PyPI.
fn dummy_claims() -> IndexMap<String, Value> {
    let v = json!({
        "jti": "6e67b1cb-2b8d-4be5-91cb-757edb2ec970", "sub": "repo:foo/bar", "aud": "pypi",
        "ref": "fake", "sha": "fake", "repository": "foo/bar", "repository_owner": "foo",
        "repository_owner_id": "123", "run_id": "fake", "run_number": "fake", "run_attempt": "1",
        "repository_id": "fake", "actor_id": "fake", "actor": "foo", "workflow": "fake",
        "head_ref": "fake", "base_ref": "fake", "event_name": "fake", "ref_type": "fake",
        "environment": "fake", "job_workflow_ref": "foo/bar/.github/workflows/example.yml@fake",
        "iss": "https://token.actions.githubusercontent.com", "nbf": 1650663265, "exp": 1650664165,
        "iat": 1650663865,
    });
    v.as_object().unwrap().clone().into_iter().collect()
}

fn with(mut claims: IndexMap<String, Value>, changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    for (k, v) in changes {
        if v.is_null() {
            claims.shift_remove(*k);
        } else {
            claims.insert((*k).to_owned(), v.clone());
        }
    }
    claims
}

fn judge_token(p: &Publisher, claims: IndexMap<String, Value>) -> Judgement {
    let claims = Claims::complete(claims);
    judge(
        p.registry,
        p,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: None,
            declared: &[],
        },
    )
}

fn reason(j: &Judgement) -> Option<String> {
    j.refusal
        .as_ref()
        .map(|r| format!("{}: {}", r.code, r.reason))
}

const NOT_FOUND_REASON: &str = "invalid-publisher: Publisher with matching claims was not found";

#[test]
fn extract_workflow_filename_matches_warehouse_vectors() {
    let p = "foo/bar/.github/workflows/";
    let cases: &[(&str, Option<&str>)] = &[
        ("basic.yml@refs/heads/main", Some("basic.yml")), // upstream: test_extract_workflow_filename
        ("basic.yaml@refs/heads/main", Some("basic.yaml")), // upstream: test_extract_workflow_filename
        ("has-dash.yml@refs/heads/main", Some("has-dash.yml")), // upstream: test_extract_workflow_filename
        ("has--dashes.yml@refs/heads/main", Some("has--dashes.yml")), // upstream: test_extract_workflow_filename
        ("has--dashes-.yml@refs/heads/main", Some("has--dashes-.yml")), // upstream: test_extract_workflow_filename
        ("has.period.yml@refs/heads/main", Some("has.period.yml")), // upstream: test_extract_workflow_filename
        ("has..periods.yml@refs/heads/main", Some("has..periods.yml")), // upstream: test_extract_workflow_filename
        (
            "has..periods..yml@refs/heads/main",
            Some("has..periods..yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "has_underscore.yml@refs/heads/main",
            Some("has_underscore.yml"),
        ), // upstream: test_extract_workflow_filename
        ("nested@evil.yml@refs/heads/main", Some("nested@evil.yml")), // upstream: test_extract_workflow_filename
        (
            "nested.yml@evil.yml@refs/heads/main",
            Some("nested.yml@evil.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "extra@nested.yml@evil.yml@refs/heads/main",
            Some("extra@nested.yml@evil.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "extra.yml@nested.yml@evil.yml@refs/heads/main",
            Some("extra.yml@nested.yml@evil.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "basic.yml@refs/heads/misleading@branch.yml",
            Some("basic.yml"),
        ), // upstream: test_extract_workflow_filename
        (
            "basic.yml@refs/heads/bad@branch@twomatches.yml",
            Some("basic.yml"),
        ), // upstream: test_extract_workflow_filename
        ("foo.yml.yml@refs/heads/main", Some("foo.yml.yml")), // upstream: test_extract_workflow_filename
        ("foo.yml.foo.yml@refs/heads/main", Some("foo.yml.foo.yml")), // upstream: test_extract_workflow_filename
        ("basic.wrongsuffix@refs/heads/main", None), // upstream: test_extract_workflow_filename
        ("@refs/heads/main", None),                  // upstream: test_extract_workflow_filename
        ("nosuffix@refs/heads/main", None),          // upstream: test_extract_workflow_filename
        (".yml@refs/heads/main", None),              // upstream: test_extract_workflow_filename
        (".yaml@refs/heads/main", None),             // upstream: test_extract_workflow_filename
        ("main.yml", None),                          // upstream: test_extract_workflow_filename
    ];
    for (tail, expected) in cases {
        let input = format!("{p}{tail}");
        assert_eq!(extract_workflow_filename(&input), *expected, "{input}");
    }
    // Derived with the same regex (§4.1, rows 24-28).
    let derived: &[(&str, Option<&str>)] = &[
        ("o/r/.github/workflows/Release.YML@refs/heads/main", None),
        (
            "o/r/.github/workflows/sub/dir.yml@refs/heads/main",
            Some("dir.yml"),
        ),
        ("o/r/.github/workflows/a.yml@", Some("a.yml")),
        ("o/r/.github/workflows/ release.yml@x", Some(" release.yml")),
        (
            "other/lib/.github/workflows/pub.yml@refs/tags/v1",
            Some("pub.yml"),
        ),
    ];
    for (input, expected) in derived {
        assert_eq!(extract_workflow_filename(input), *expected, "{input}");
    }
}

#[test]
fn extract_workflow_filename_never_panics_on_multibyte_text() {
    for s in ["é.yml@x", "🐍/ä.yaml@", "ö@", "a/é", "@.yml@@", ""] {
        let _ = extract_workflow_filename(s);
    }
    assert_eq!(
        extract_workflow_filename("o/r/.github/workflows/é.yml@x"),
        Some("é.yml")
    );
}

#[test]
fn lookup_without_a_workflow_file_name_fails_l1_l2() {
    // upstream: test_lookup_fails_invalid_workflow_ref (no environment)
    // upstream: test_lookup_fails_invalid_workflow_ref (environment `some_environment`)
    for env in [None, Some("some_environment")] {
        let p = publisher("foo", "bar", Some("1234"), "release.yml", "");
        let mut claims = with(
            dummy_claims(),
            &[
                ("repository_owner_id", json!("1234")),
                (
                    "job_workflow_ref",
                    json!("foo/bar/.github/workflows/.yml@refs/heads/main"),
                ),
            ],
        );
        if let Some(e) = env {
            claims.insert("environment".into(), json!(e));
        }
        assert_eq!(
            reason(&judge_token(&p, claims)).as_deref(),
            Some("invalid-publisher: Could not job extract workflow filename from OIDC claims")
        );
    }
}

#[test]
fn lookup_treats_underscore_and_percent_literally_l3_l6() {
    // upstream: test_lookup_escapes (`_`, no environment)
    // upstream: test_lookup_escapes (`%`, no environment)
    // upstream: test_lookup_escapes (`_`, environment)
    // upstream: test_lookup_escapes (`%`, environment)
    for env in ["", "some_environment"] {
        for (a, b) in [
            ("release-pypi.yml", "release_pypi.yml"),
            ("release%pypi.yml", "release-pypi.yml"),
        ] {
            for (registered, claimed, ok) in
                [(a, a, true), (b, b, true), (a, b, false), (b, a, false)]
            {
                let p = publisher("foo", "bar", Some("123"), registered, env);
                let claims = with(
                    dummy_claims(),
                    &[
                        (
                            "job_workflow_ref",
                            json!(format!("foo/bar/.github/workflows/{claimed}@fake")),
                        ),
                        (
                            "environment",
                            if env.is_empty() {
                                Value::Null
                            } else {
                                json!(env)
                            },
                        ),
                    ],
                );
                let j = judge_token(&p, claims);
                assert_eq!(
                    j.accepted(),
                    ok,
                    "{registered} vs {claimed}, env {env:?}: {:?}",
                    j.refusal
                );
            }
        }
    }
}

#[test]
fn lookup_with_another_environment_is_not_found_l7() {
    let p = publisher("foo", "bar", Some("1234"), "release.yml", "environment");
    let claims = with(
        dummy_claims(),
        &[
            ("repository_owner_id", json!("1234")),
            (
                "job_workflow_ref",
                json!("foo/bar/.github/workflows/release.yml@fake"),
            ),
            ("environment", json!("another_environment")),
        ],
    );
    assert_eq!(
        reason(&judge_token(&p, claims)).as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: test_lookup_no_matching_publishers
}

#[test]
fn environment_selection_l8_l11() {
    let a = publisher("foo", "bar", Some("1234"), "ci.yml", "");
    let b = publisher("foo", "bar", Some("1234"), "ci.yml", "some_environment");
    let base = with(
        dummy_claims(),
        &[
            ("repository_owner_id", json!("1234")),
            (
                "job_workflow_ref",
                json!("foo/bar/.github/workflows/ci.yml@fake"),
            ),
        ],
    );
    // (claim, A accepts, B accepts): warehouse returns B where B accepts, else A.
    let cases = [
        (Value::Null, true, false), // upstream: test_find_publisher_by_issuer_github
        (json!("some_other_environment"), true, false), // upstream: test_find_publisher_by_issuer_github
        (json!("some_environment"), true, true), // upstream: test_find_publisher_by_issuer_github
        (json!("sOmE_eNvIrOnMeNt"), true, true), // upstream: test_find_publisher_by_issuer_github
    ];
    for (env, a_ok, b_ok) in cases {
        let claims = with(base.clone(), &[("environment", env.clone())]);
        assert_eq!(
            judge_token(&a, claims.clone()).accepted(),
            a_ok,
            "A with {env}"
        );
        let jb = judge_token(&b, claims);
        assert_eq!(jb.accepted(), b_ok, "B with {env}");
        if !b_ok {
            assert_eq!(reason(&jb).as_deref(), Some(NOT_FOUND_REASON));
        }
    }
}

#[test]
fn full_dummy_claims_find_an_environmentless_publisher_l12_l13() {
    let p = publisher("foo", "bar", Some("123"), "example.yml", "");
    let j = judge_token(&p, dummy_claims());
    assert!(j.accepted(), "{:?}", j.refusal); // upstream: test_github_publisher_all_known_claims (the dummy claims verify)
}

#[test]
fn wrong_repository_is_not_found_with_warehouse_wording_l14() {
    let p = publisher("foo", "wrong", Some("123"), "example.yml", "fake");
    let j = judge_token(&p, dummy_claims());
    let r = j.refusal.unwrap();
    assert_eq!(r.code, "invalid-publisher");
    assert_eq!(
        r.message,
        "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
    ); // upstream: test_trusted_publisher_upload_fails_wrong_publisher
}

#[test]
fn check_repository_matches_warehouse_vectors() {
    let cases = [
        ("", None, false),          // upstream: test_check_repository
        ("foo", None, false),       // upstream: test_check_repository
        ("", Some(""), false),      // upstream: test_check_repository
        ("foo", Some(""), false),   // upstream: test_check_repository
        ("foo", Some("foo"), true), // upstream: test_check_repository
        ("Foo", Some("foo"), true), // upstream: test_check_repository
        ("Foo", Some("Foo"), true), // upstream: test_check_repository
        ("foo", Some("Foo"), true), // upstream: test_check_repository
        ("FOO", Some("foo"), true), // upstream: test_check_repository
        ("foo", Some("FOO"), true), // upstream: test_check_repository
    ];
    for (truth, claim, ok) in cases {
        assert_eq!(check_repository(truth, claim), ok, "{truth:?} {claim:?}");
    }
}

#[test]
fn check_job_workflow_ref_matches_warehouse_vectors_j1_j18() {
    let gt = "foo/bar/.github/workflows/baz.yml";
    let p = |s: &str| Claim::Present(s.to_owned());
    let ok_cases = [
        (
            "foo/bar/.github/workflows/baz.yml@refs/tags/v0.0.1",
            p("refs/tags/v0.0.1"),
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@refs/pulls/6",
            p("refs/pulls/6"),
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@refs/heads/main",
            p("refs/heads/main"),
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@notrailingslash",
            p("notrailingslash"),
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@somesha",
            p("someref"),
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@somesha",
            Claim::Missing,
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@somesha",
            p(""),
            p("somesha"),
        ), // upstream: test_github_publisher_job_workflow_ref
    ];
    for (claim, r, s) in ok_cases {
        assert_eq!(
            check_job_workflow_ref(gt, claim, &r, &s),
            Ok(true),
            "{claim}"
        );
    }
    // upstream: test_github_publisher_job_workflow_ref (ref and sha missing)
    // upstream: test_github_publisher_job_workflow_ref (ref and sha empty)
    for (r, s) in [(Claim::Missing, Claim::Missing), (p(""), p(""))] {
        assert_eq!(
            check_job_workflow_ref(gt, "foo/bar/.github/workflows/baz.yml@missing", &r, &s),
            Err("The ref and sha claims are empty".into())
        );
    }
    let expecting = "The job_workflow_ref claim does not match, expecting one of ['foo/bar/.github/workflows/baz.yml@notrailingslash', 'foo/bar/.github/workflows/baz.yml@somesha'], got ";
    let refs_pulls = "The job_workflow_ref claim does not match, expecting one of ['foo/bar/.github/workflows/baz.yml@refs/pulls/6', 'foo/bar/.github/workflows/baz.yml@somesha'], got ";
    // The warehouse test passes ref="somesha", sha="notrailingslash" (names swapped in its data).
    let bad = [
        (
            "foo/bar/.github/workflows/baz.yml@fake.yml@notrailingslash",
            "notrailingslash",
            expecting,
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@fake.yml@refs/pulls/6",
            "refs/pulls/6",
            refs_pulls,
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@",
            "notrailingslash",
            expecting,
        ), // upstream: test_github_publisher_job_workflow_ref
        ("foo/bar/.github/workflows/@", "notrailingslash", expecting), // upstream: test_github_publisher_job_workflow_ref
        ("foo/bar/.github/workflows/", "notrailingslash", expecting), // upstream: test_github_publisher_job_workflow_ref
        ("baz.yml", "notrailingslash", expecting), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@malicious.yml@",
            "notrailingslash",
            expecting,
        ), // upstream: test_github_publisher_job_workflow_ref
        (
            "foo/bar/.github/workflows/baz.yml@@",
            "notrailingslash",
            expecting,
        ), // upstream: test_github_publisher_job_workflow_ref
    ];
    for (claim, sha, prefix) in bad {
        assert_eq!(
            check_job_workflow_ref(gt, claim, &p("somesha"), &p(sha)),
            Err(format!("{prefix}'{claim}'")),
            "{claim}"
        );
    }
    assert_eq!(
        check_job_workflow_ref(gt, "", &Claim::Missing, &Claim::Missing),
        Err("The job_workflow_ref claim is empty".into())
    ); // upstream: test_github_publisher_job_workflow_ref (empty claim)
}

#[test]
fn environment_rule_matches_warehouse_vectors() {
    let cases = [
        ("", None, true),     // upstream: test_github_publisher_environment_claim
        ("", Some(""), true), // upstream: test_github_publisher_environment_claim
        ("", Some("some-environment"), true), // upstream: test_github_publisher_environment_claim
        ("some-environment", Some("some-environment"), true), // upstream: test_github_publisher_environment_claim
        ("some-environment", Some("sOmE-eNvIrOnMeNt"), true), // upstream: test_github_publisher_environment_claim
        ("some-environment", None, false), // upstream: test_github_publisher_environment_claim
        ("some-environment", Some("some-other-environment"), false), // upstream: test_github_publisher_environment_claim
    ];
    for (truth, claim, ok) in cases {
        let declared = (!truth.is_empty()).then_some(truth);
        assert_eq!(
            environment_accepts(declared, claim),
            ok,
            "{truth:?} {claim:?}"
        );
    }
}

#[test]
fn each_missing_required_claim_is_named() {
    let p = publisher("foo", "bar", Some("123"), "example.yml", "");
    // upstream: test_github_publisher_missing_claims (×8, one per required claim)
    for claim in REQUIRED_CLAIMS {
        let j = judge_token(&p, with(dummy_claims(), &[(claim, Value::Null)]));
        assert_eq!(
            reason(&j),
            Some(format!("invalid-publisher: Missing claim '{claim}'")),
            "{claim}"
        );
    }
}

#[test]
fn unaccounted_and_repo_property_claims_do_not_matter() {
    let p = publisher("foo", "bar", Some("123"), "example.yml", "");
    let claims = with(
        dummy_claims(),
        &[
            ("fake-claim", json!("x")),
            ("another-fake-claim", json!("y")),
        ],
    );
    let j = judge_token(&p, claims);
    assert!(j.accepted()); // upstream: test_github_publisher_unaccounted_claims
    assert!(
        j.notes.iter().any(|n| n.id == "unaccounted-claims"
            && n.text.contains("`another-fake-claim`, `fake-claim`"))
    );
    for property in [
        "repo_property_python_gar_access", // upstream: test_github_publisher_repo_property_claims_accounted_for
        "repo_property_custom_property", // upstream: test_github_publisher_repo_property_claims_accounted_for
        "repo_property_env_tier", // upstream: test_github_publisher_repo_property_claims_accounted_for
        "repo_property_pci_compliant", // upstream: test_github_publisher_repo_property_claims_accounted_for
    ] {
        let j = judge_token(&p, with(dummy_claims(), &[(property, json!("x"))]));
        assert!(j.accepted());
        assert!(
            !j.notes.iter().any(|n| n.id == "unaccounted-claims"),
            "{property}"
        );
    }
    // upstream: test_github_publisher_all_known_claims (the inventory, `check_run_id` included)
    assert!(KNOWN_CLAIMS.contains(&"check_run_id"));
    assert_eq!(KNOWN_CLAIMS.len(), 35);
}

#[test]
fn pull_request_target_is_refused_with_warehouse_text() {
    let p = publisher("foo", "bar", Some("123"), "example.yml", "");
    let j = judge_token(
        &p,
        with(
            dummy_claims(),
            &[("event_name", json!("pull_request_target"))],
        ),
    );
    assert_eq!(
        reason(&j).as_deref(),
        Some(
            "invalid-publisher: Publishing from a workflow invoked via 'pull_request_target' is not supported."
        )
    ); // upstream: test_check_event_name_invalid
}

#[test]
fn token_level_failures_come_first() {
    let p = publisher("foo", "wrong", Some("123"), "example.yml", "");
    let cases = [
        (
            vec![("aud", json!("testpypi"))],
            "invalid-token: malformed or invalid token",
        ), // upstream: test_verify_jwt_signature_wrong_aud
        (
            vec![("aud", json!(["pypi"]))],
            "invalid-token: malformed or invalid token",
        ), // upstream: test_verify_jwt_signature_strict_aud
        (
            vec![("aud", Value::Null)],
            "invalid-token: malformed or invalid token",
        ), // upstream: test_verify_jwt_signature_missing_aud
        (
            vec![("exp", Value::Null)],
            "invalid-token: malformed or invalid token",
        ), // upstream: test_verify_jwt_signature (`require` exp)
        (vec![("iss", Value::Null)], "invalid-payload: malformed JWT"), // upstream: test_mint_token_from_oidc_invalid_payload_malformed_jwt
        (
            vec![("iss", json!("https://ghes.example.com/_services/token"))],
            "invalid-payload: unknown trusted publishing issuer",
        ), // upstream: test_mint_token_from_oidc_unknown_issuer
        (vec![("iss", json!("https://gitlab.com"))], NOT_FOUND_REASON),
    ];
    for (changes, expected) in cases {
        let j = judge_token(&p, with(dummy_claims(), &changes));
        assert_eq!(reason(&j).as_deref(), Some(expected), "{changes:?}");
    }
    let claims = Claims::complete(dummy_claims());
    let ok = publisher("foo", "bar", Some("123"), "example.yml", "");
    let j = judge(
        Registry::Pypi,
        &ok,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: Some(&TokenProblem::Expired),
            declared: &[],
        },
    );
    assert_eq!(
        reason(&j).as_deref(),
        Some("invalid-token: malformed or invalid token")
    ); // upstream: test_mint_token_from_trusted_publisher_verify_jwt_signature_fails
}

#[test]
fn derived_vectors_d1_d12() {
    let claims = |changes: &[(&str, Value)]| with(dummy_claims(), changes);
    let octo = [
        ("repository", json!("octo/proj")),
        ("repository_owner", json!("octo")),
        (
            "job_workflow_ref",
            json!("octo/proj/.github/workflows/release.yml@refs/heads/main"),
        ),
        ("ref", json!("refs/heads/main")),
        ("environment", Value::Null),
    ];
    // D1: the repository name is compared byte for byte by the lookup.
    let j = judge_token(
        &publisher("octo", "Proj", Some("123"), "release.yml", ""),
        claims(&octo),
    );
    assert_eq!(reason(&j).as_deref(), Some(NOT_FOUND_REASON));
    assert!(j.notes.iter().any(|n| n.id == "case-only-difference"));
    // D2: so is the workflow file name.
    let j = judge_token(
        &publisher("octo", "proj", Some("123"), "Release.yml", ""),
        claims(&octo),
    );
    assert_eq!(reason(&j).as_deref(), Some(NOT_FOUND_REASON));
    // D3, D4, D5: environment.
    let j = judge_token(
        &publisher("octo", "proj", Some("123"), "release.yml", "pypi"),
        claims(&octo),
    );
    assert_eq!(reason(&j).as_deref(), Some(NOT_FOUND_REASON));
    let mut with_env = octo.to_vec();
    with_env[4] = ("environment", json!("PyPI"));
    assert!(
        judge_token(
            &publisher("octo", "proj", Some("123"), "release.yml", "pypi"),
            claims(&with_env)
        )
        .accepted()
    );
    assert!(
        judge_token(
            &publisher("octo", "proj", Some("123"), "release.yml", ""),
            claims(&with_env)
        )
        .accepted()
    );
    // D6: owner id.
    let j = judge_token(
        &publisher("octo", "proj", Some("111"), "release.yml", ""),
        claims(&octo),
    );
    assert_eq!(reason(&j).as_deref(), Some(NOT_FOUND_REASON));
    // D7, D8: a same-repository reusable workflow is matched by the called file.
    let mut reusable = octo.to_vec();
    reusable[2] = (
        "job_workflow_ref",
        json!("octo/proj/.github/workflows/reusable.yml@refs/heads/main"),
    );
    reusable.push((
        "workflow_ref",
        json!("octo/proj/.github/workflows/caller.yml@refs/heads/main"),
    ));
    let j = judge_token(
        &publisher("octo", "proj", Some("123"), "caller.yml", ""),
        claims(&reusable),
    );
    assert_eq!(reason(&j).as_deref(), Some(NOT_FOUND_REASON));
    assert!(j.notes.iter().any(|n| n.id == "reusable-workflow"));
    assert!(
        judge_token(
            &publisher("octo", "proj", Some("123"), "reusable.yml", ""),
            claims(&reusable)
        )
        .accepted()
    );
    // D9: a reusable workflow from another repository passes the lookup, then fails the ref check.
    let mut cross = octo.to_vec();
    cross[2] = (
        "job_workflow_ref",
        json!("org2/lib/.github/workflows/x.yml@refs/tags/v1"),
    );
    cross.push(("sha", json!("abc")));
    let j = judge_token(
        &publisher("octo", "proj", Some("123"), "x.yml", ""),
        claims(&cross),
    );
    assert_eq!(
        reason(&j).as_deref(),
        Some(
            "invalid-publisher: The job_workflow_ref claim does not match, expecting one of ['octo/proj/.github/workflows/x.yml@abc', 'octo/proj/.github/workflows/x.yml@refs/heads/main'], got 'org2/lib/.github/workflows/x.yml@refs/tags/v1'"
        )
    );
    assert!(j.notes.iter().any(|n| n.id == "cross-repository-workflow"));
    // D10: pull_request_target, everything else matching.
    let mut prt = octo.to_vec();
    prt.push(("event_name", json!("pull_request_target")));
    let j = judge_token(
        &publisher("octo", "proj", Some("123"), "release.yml", ""),
        claims(&prt),
    );
    assert!(
        reason(&j)
            .unwrap()
            .ends_with("'pull_request_target' is not supported.")
    );
    // D11: a TestPyPI token sent to PyPI.
    let mut test_aud = octo.to_vec();
    test_aud.push(("aud", json!("testpypi")));
    let j = judge_token(
        &publisher("octo", "proj", Some("123"), "release.yml", ""),
        claims(&test_aud),
    );
    assert_eq!(
        reason(&j).as_deref(),
        Some("invalid-token: malformed or invalid token")
    );
    // D12: configured on PyPI only, a TestPyPI publisher is a different publisher.
    let mut test_pub = publisher("octo", "proj", Some("123"), "release.yml", "");
    test_pub.registry = Registry::TestPypi;
    let j = judge_token(&test_pub, claims(&octo));
    assert_eq!(
        reason(&j).as_deref(),
        Some("invalid-token: malformed or invalid token")
    );
}

#[test]
fn partial_evidence_does_not_fail_on_claims_it_does_not_show() {
    let p = publisher("foo", "bar", Some("123"), "example.yml", "");
    let shown: IndexMap<String, Value> = with(dummy_claims(), &[])
        .into_iter()
        .filter(|(k, _)| {
            [
                "repository",
                "repository_owner",
                "repository_owner_id",
                "job_workflow_ref",
                "ref",
            ]
            .contains(&k.as_str())
        })
        .collect();
    let claims = Claims::partial(shown);
    let j = judge(
        Registry::Pypi,
        &p,
        &EvidenceFacts {
            claims: &claims,
            is_token: false,
            token_rejected: None,
            declared: &[],
        },
    );
    assert!(j.accepted(), "{:?}", j.refusal);
    assert!(j.notes.iter().any(|n| n.id == "claims-not-shown"));
    assert_eq!(j.field("event_name").unwrap().outcome, Outcome::Unconfirmed);
}

#[test]
fn undeclared_owner_id_is_unconfirmed_not_passed() {
    let p = publisher("foo", "bar", None, "example.yml", "");
    let j = judge_token(&p, dummy_claims());
    assert!(j.accepted());
    assert_eq!(j.field("owner-id").unwrap().outcome, Outcome::Unconfirmed);
    assert!(
        j.notes
            .iter()
            .any(|n| n.id == "owner-id-unconfirmed" && n.text.contains("123"))
    );
}

#[test]
fn sub_and_workflow_ref_are_reported_but_never_decide() {
    let p = publisher("foo", "bar", Some("123"), "example.yml", "");
    let j = judge_token(
        &p,
        with(
            dummy_claims(),
            &[("sub", json!("repository_owner_id:123:environment:x"))],
        ),
    );
    assert!(j.accepted());
    assert_eq!(
        j.field("sub").unwrap().outcome,
        Outcome::Ignored { same: false }
    );
    assert!(j.notes.iter().any(|n| n.id == "custom-subject"));
}

fn github_form(owner: &str, repo: &str, wf: &str, env: &str) -> Vec<String> {
    let get = |k: &str| -> Option<String> {
        match k {
            "owner" => Some(owner.to_owned()),
            "repository" => Some(repo.to_owned()),
            "workflow" => Some(wf.to_owned()),
            "environment" => Some(env.to_owned()),
            _ => None,
        }
    };
    github_form_rules(&get)
        .into_iter()
        .map(|p| {
            if p.advisory {
                format!("advisory: {}", p.message)
            } else {
                p.message
            }
        })
        .collect()
}

const ENV_CHARS: &str = r#"Environment name must not contain non-printable characters or the characters "'", """, "`", ",", ";", "\""#;
const ONLY_WHITESPACE: &str = "advisory: an environment of only whitespace: PyPI's form accepts it, but no run's environment can match it";

#[test]
fn github_form_matches_warehouse_vectors() {
    let f = github_form;
    let none: [&str; 0] = [];
    let x256 = "f".repeat(256);
    let cases: &[(&str, &str, &str, &str, &[&str])] = &[
        ("some-owner", "some-repo", "some-workflow.yml", "", &none), // upstream: test_validate
        (
            "",
            "r",
            "a.yml",
            "",
            &["Specify GitHub repository owner (username or organization)"],
        ), // upstream: test_validate_basic_invalid_fields (owner empty)
        (
            "invalid_characters@",
            "r",
            "a.yml",
            "",
            &["Invalid GitHub user or organization name."],
        ), // upstream: test_validate_basic_invalid_fields (owner)
        ("o", "", "a.yml", "", &["Specify repository name"]), // upstream: test_validate_basic_invalid_fields (repository empty)
        (
            "o",
            "$invalid#characters",
            "a.yml",
            "",
            &["Invalid repository name"],
        ), // upstream: test_validate_basic_invalid_fields (repository)
        ("o", "r", "", "", &["Specify workflow filename"]), // upstream: test_validate_basic_invalid_fields (workflow empty)
        ("o", "r", "  some-workflow.yml  ", "", &none), // upstream: test_validate_workflow_filename_strips_whitespace
        (
            "o",
            "r",
            "missing_suffix",
            "",
            &["Workflow name must end with .yml or .yaml"],
        ), // upstream: test_validate_workflow_filename_raises
        (
            "o",
            "r",
            "/slash",
            "",
            &["Workflow name must end with .yml or .yaml"],
        ), // upstream: test_validate_workflow_filename_raises
        (
            "o",
            "r",
            "/many/slashes",
            "",
            &["Workflow name must end with .yml or .yaml"],
        ), // upstream: test_validate_workflow_filename_raises
        (
            "o",
            "r",
            "/slash.yml",
            "",
            &["Workflow filename must be a filename only, without directories"],
        ), // upstream: test_validate_workflow_filename_raises
        (
            "o",
            "r",
            "a.yml",
            &x256,
            &["Environment name is too long (maximum is 255 characters)"],
        ), // upstream: test_validate_environment_raises
        (
            "o",
            "r",
            "a.yml",
            " foo",
            &["Environment name may not start with whitespace"],
        ), // upstream: test_validate_environment_raises
        (
            "o",
            "r",
            "a.yml",
            "foo ",
            &["Environment name may not end with whitespace"],
        ), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", "'", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", "\"", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", "`", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", ",", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", ";", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", "\\", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", "\x00", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        ("o", "r", "a.yml", "\x7f", &[ENV_CHARS]), // upstream: test_validate_environment_raises
        // `Optional()` stops the chain for text that `strip()` empties, before the inline
        // validator the upstream test calls directly: through the form these pass.
        ("o", "r", "a.yml", "\x1f", &[ONLY_WHITESPACE]), // upstream: test_validate_environment_raises (through the form)
        ("o", "r", "a.yml", "\t", &[ONLY_WHITESPACE]), // upstream: test_validate_environment_raises (through the form)
        ("o", "r", "a.yml", "\r", &[ONLY_WHITESPACE]), // upstream: test_validate_environment_raises (through the form)
        ("o", "r", "a.yml", "\n", &[ONLY_WHITESPACE]), // upstream: test_validate_environment_raises (through the form)
        ("o", "r", "a.yml", "", &none),                // upstream: test_validate_environment_passes
        ("o", "r", "a.yml", "Foo   Bar", &none),       // upstream: test_normalized_environment
    ];
    for (owner, repo, wf, env, expected) in cases {
        assert_eq!(
            f(owner, repo, wf, env),
            *expected,
            "{owner:?} {repo:?} {wf:?} {env:?}"
        );
    }
    // The form's chain, computed with warehouse's patterns (research §6.5 "sim").
    let derived: &[(&str, &str, &str, &str, &[&str])] = &[
        (
            " foo",
            "r",
            "a.yml",
            "",
            &["Invalid GitHub user or organization name."],
        ),
        (
            "foo ",
            "r",
            "a.yml",
            "",
            &["Invalid GitHub user or organization name."],
        ),
        ("o", " repo", "a.yml", "", &["Invalid repository name"]),
        (
            "o",
            "r",
            "   ",
            "",
            &["Workflow name must end with .yml or .yaml"],
        ),
        (
            "o",
            "r",
            "a.YML",
            "",
            &["Workflow name must end with .yml or .yaml"],
        ),
        (
            "o",
            "r",
            "a.yml",
            " foo ",
            &["Environment name may not start with whitespace"],
        ),
        ("o", "r", "a.yml", "\tfoo", &[ENV_CHARS]),
        ("o", "r", "a.yml", "foo\t", &[ENV_CHARS]),
        ("o", "r", "a.yml", "\u{a0}foo", &[]),
        ("o", "r", "a.yml", "prod\u{200b}", &[]),
        ("o", "r", "a.yml", "   ", &[ONLY_WHITESPACE]),
        ("o", "r", "a.yml", "\u{3000}", &[ONLY_WHITESPACE]),
        ("foo-", "..", "a.yaml", "", &[]),
        ("a--b", "-x", "a.yml", "", &[]),
        (
            "-foo",
            "r",
            "a.yml",
            "",
            &["Invalid GitHub user or organization name."],
        ),
        ("o", "a/b", "a.yml", "", &["Invalid repository name"]),
        (
            "o",
            "r",
            ".github/workflows/release.yml",
            "",
            &["Workflow filename must be a filename only, without directories"],
        ),
        ("o", "r", "a.yml", "a\x1fb", &[ENV_CHARS]),
    ];
    for (owner, repo, wf, env, expected) in derived {
        assert_eq!(
            f(owner, repo, wf, env),
            *expected,
            "{owner:?} {repo:?} {wf:?} {env:?}"
        );
    }
    let long_with_space = format!(" {}", "f".repeat(300));
    assert_eq!(
        f("o", "r", "a.yml", &long_with_space),
        ["Environment name is too long (maximum is 255 characters)"]
    );
}

#[test]
fn the_owner_is_stored_as_githubs_login() {
    // upstream: test_validate_owner (typed `SOME-USERNAME`, GitHub's login `some-username`)
    let p = publisher("SOME-USERNAME", "bar", Some("123"), "example.yml", "");
    let claims = with(
        dummy_claims(),
        &[
            ("repository", json!("some-username/bar")),
            ("repository_owner", json!("some-username")),
            (
                "job_workflow_ref",
                json!("some-username/bar/.github/workflows/example.yml@fake"),
            ),
        ],
    );
    let j = judge_token(&p, claims);
    assert!(j.accepted(), "{:?}", j.refusal);
    assert_eq!(j.field("owner").unwrap().outcome, Outcome::Ok);
    assert!(j.notes.iter().any(|n| n.id == "owner-canonical-login"));
    // The repository and the workflow are stored as typed: their case still decides.
    let mut typed = publisher("some-username", "Bar", Some("123"), "example.yml", "");
    typed.project = "x".into();
    let claims = with(
        dummy_claims(),
        &[
            ("repository", json!("some-username/bar")),
            ("repository_owner", json!("some-username")),
            (
                "job_workflow_ref",
                json!("some-username/bar/.github/workflows/example.yml@fake"),
            ),
        ],
    );
    assert_eq!(
        reason(&judge_token(&typed, claims)).as_deref(),
        Some(NOT_FOUND_REASON)
    );
}

#[test]
fn python_repr_quotes_like_python() {
    assert_eq!(py_repr("a"), "'a'");
    assert_eq!(py_repr("it's"), "\"it's\"");
    assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
    assert_eq!(py_repr("x\ny\\"), "'x\\ny\\\\'");
}

#[test]
fn prefill_link_carries_every_value() {
    let mut p = publisher("yeemio", "owlclaw", None, "release.yml", "pypi-release");
    p.project = "owlclaw".into();
    assert_eq!(
        prefill_url(&p),
        "https://pypi.org/manage/project/owlclaw/settings/publishing/?provider=github&owner=yeemio&repository=owlclaw&workflow_filename=release.yml&environment=pypi-release"
    );
    p.registry = Registry::TestPypi;
    p.environment = None;
    assert!(prefill_url(&p).starts_with("https://test.pypi.org/manage/project/owlclaw/"));
    assert!(!prefill_url(&p).contains("environment="));
}

// GitLab (`tests/unit/oidc/models/test_gitlab.py`, `tests/unit/oidc/forms/test_gitlab.py`,
// `tests/unit/oidc/test_utils.py`, `tests/functional/forklift/test_legacy.py`).

fn gitlab_publisher(
    ns: &str,
    project: &str,
    path: &str,
    env: &str,
    issuer: Option<&str>,
) -> Publisher {
    let mut p = crate::config::test_publisher(Registry::Pypi, ns, project, None, path, env);
    p.provider = crate::identity::Provider::GitLab;
    if let Some(i) = issuer {
        p.extra.insert("issuer-url".into(), i.into());
    }
    p
}

/// `DUMMY_GITLAB_OIDC_JWT`'s claims (`tests/common/constants.py`).
fn dummy_gitlab_claims() -> IndexMap<String, Value> {
    let v = json!({
        "namespace_id": "123", "namespace_path": "foo", "project_id": "55235664",
        "project_path": "foo/bar", "user_id": "123", "user_login": "user",
        "user_email": "user@example.com", "user_access_level": "owner", "pipeline_id": "123",
        "pipeline_source": "push", "job_id": "123", "ref": "main", "ref_type": "branch",
        "ref_path": "refs/heads/main", "ref_protected": "true", "runner_id": 123,
        "runner_environment": "gitlab-hosted", "sha": "93969f556a29853b507bdcd9dec6b4217a4ea2e7",
        "project_visibility": "private",
        "ci_config_ref_uri": "gitlab.com/foo/bar//.gitlab-ci.yml@refs/heads/main",
        "ci_config_sha": "93969f556a29853b507bdcd9dec6b4217a4ea2e7",
        "jti": "2a5381a8-baf5-43c5-823d-544a08a067fb", "iat": 1750405794, "nbf": 1750405789,
        "exp": 1750409394, "iss": "https://gitlab.com",
        "sub": "project_path:foo/bar:ref_type:branch:ref:main", "aud": "pypi",
    });
    v.as_object().unwrap().clone().into_iter().collect()
}

fn judge_with(p: &Publisher, declared: &[Publisher], claims: IndexMap<String, Value>) -> Judgement {
    let claims = Claims::complete(claims);
    judge(
        p.registry,
        p,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: None,
            declared,
        },
    )
}

#[test]
fn gitlab_workflow_filepath_matches_warehouse_vectors() {
    let cases: &[(&str, Option<&str>)] = &[
        (
            "gitlab.com/foo/bar//notnested.yml@/some/ref",
            Some("notnested.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//notnested.yaml@/some/ref",
            Some("notnested.yaml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//basic/basic.yml@/some/ref",
            Some("basic/basic.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//more/nested/example.yml@/some/ref",
            Some("more/nested/example.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//too//many//slashes.yml@/some/ref",
            Some("too//many//slashes.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//has-@.yml@/some/ref", Some("has-@.yml")), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//foo.bar.yml@/some/ref",
            Some("foo.bar.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//foo.yml.bar.yml@/some/ref",
            Some("foo.yml.bar.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//foo.yml@bar.yml@/some/ref",
            Some("foo.yml@bar.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//@foo.yml@bar.yml@/some/ref",
            Some("@foo.yml@bar.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.com/foo/bar//@.yml.foo.yml@bar.yml@/some/ref",
            Some("@.yml.foo.yml@bar.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//a.yml@/some/ref", Some("a.yml")), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//a/b.yml@/some/ref", Some("a/b.yml")), // upstream: gitlab::test_extract_workflow_filename
        (
            "gitlab.example.com/foo/bar//example.yml@/some/ref",
            Some("example.yml"),
        ), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//notnested.wrongsuffix@/some/ref", None), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//@/some/ref", None), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//.yml@/some/ref", None), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//.yaml@/some/ref", None), // upstream: gitlab::test_extract_workflow_filename
        ("gitlab.com/foo/bar//somedir/.yaml@/some/ref", None), // upstream: gitlab::test_extract_workflow_filename
    ];
    for (uri, expected) in cases {
        assert_eq!(gitlab::workflow_filepath(uri), *expected, "{uri}");
    }
}

#[test]
fn gitlab_claim_checks_match_warehouse_vectors() {
    use gitlab::{check_ci_config_ref_uri, check_project_path, check_sub};
    for claim in ["", "repo", "repo:"] {
        assert!(!check_sub("project_path:foo/bar", Some(claim)), "{claim}");
    } // upstream: gitlab::test_check_sub (×3)
    let subs = [
        ("repo:foo/bar", "repo:foo/bar:someotherstuff", true), // upstream: gitlab::test_gitlab_publisher_sub_claim
        ("repo:foo/bar", "repo:foo/bar:", true), // upstream: gitlab::test_gitlab_publisher_sub_claim
        ("repo:fOo/BaR", "repo:foo/bar", true), // upstream: gitlab::test_gitlab_publisher_sub_claim
        ("repo:foo/bar", "repo:fOo/BaR:", true), // upstream: gitlab::test_gitlab_publisher_sub_claim
        ("repo:foo/bar:someotherstuff", "repo:foo/bar", false), // upstream: gitlab::test_gitlab_publisher_sub_claim
        ("repo:foo/bar-baz", "repo:foo/bar", false), // upstream: gitlab::test_gitlab_publisher_sub_claim
        ("repo:foo/bar", "repo:foo/bar-baz", false), // upstream: gitlab::test_gitlab_publisher_sub_claim
    ];
    for (truth, claim, ok) in subs {
        assert_eq!(check_sub(truth, Some(claim)), ok, "{truth} {claim}");
    }
    let paths = [
        ("", None, false),                  // upstream: gitlab::test_check_project_path
        ("foo/bar", None, false),           // upstream: gitlab::test_check_project_path
        ("", Some(""), false),              // upstream: gitlab::test_check_project_path
        ("foo/bar", Some(""), false),       // upstream: gitlab::test_check_project_path
        ("foo/bar", Some("foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("Foo/bar", Some("foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("Foo/bar", Some("Foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/bar", Some("Foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("FOO/bar", Some("foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/bar", Some("FOO/bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/Bar", Some("foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/Bar", Some("Foo/Bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/bar", Some("foo/Bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/BAR", Some("foo/bar"), true), // upstream: gitlab::test_check_project_path
        ("foo/bar", Some("foo/BAR"), true), // upstream: gitlab::test_check_project_path
    ];
    for (truth, claim, ok) in paths {
        assert_eq!(check_project_path(truth, claim), ok, "{truth} {claim:?}");
    }
    let truth = "gitlab.com/foo/bar//workflows/baz.yml";
    let ok = [
        (
            "gitlab.com/foo/bar//workflows/baz.yml@refs/tags/v0.0.1",
            "refs/tags/v0.0.1",
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@refs/pulls/6",
            "refs/pulls/6",
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@refs/heads/main",
            "refs/heads/main",
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@notrailingslash",
            "notrailingslash",
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        ("gitlab.com/foo/bar//workflows/baz.yml@somesha", "someref"), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    ];
    for (claim, ref_path) in ok {
        assert_eq!(
            check_ci_config_ref_uri(truth, Some(claim), Some(ref_path), Some("somesha")),
            Ok(()),
            "{claim}"
        );
    }
    let empty = Err("The ref_path and sha claims are empty".to_owned());
    let at = |r: &str| format!("{truth}@{r}");
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(&at("somesha")), None, Some("somesha")),
        empty
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(&at("somesha")), Some(""), Some("somesha")),
        empty
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(&at("missing")), Some("someref"), None),
        empty
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(&at("missing")), Some("someref"), Some("")),
        empty
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(&at("missing")), None, None),
        empty
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(&at("missing")), Some(""), Some("")),
        empty
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    let expecting = "The ci_config_ref_uri claim does not match, expecting one of ['gitlab.com/foo/bar//workflows/baz.yml@notrailingslash', 'gitlab.com/foo/bar//workflows/baz.yml@somesha'], got ";
    let refs_pulls = "The ci_config_ref_uri claim does not match, expecting one of ['gitlab.com/foo/bar//workflows/baz.yml@refs/pulls/6', 'gitlab.com/foo/bar//workflows/baz.yml@somesha'], got ";
    let bad = [
        (
            "gitlab.com/foo/bar//workflows/baz.yml@fake.yml@notrailingslash",
            "notrailingslash",
            expecting,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@fake.yml@refs/pulls/6",
            "refs/pulls/6",
            refs_pulls,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@",
            "notrailingslash",
            expecting,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/@",
            "notrailingslash",
            expecting,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/",
            "notrailingslash",
            expecting,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        ("baz.yml", "notrailingslash", expecting), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@malicious.yml@",
            "notrailingslash",
            expecting,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
        (
            "gitlab.com/foo/bar//workflows/baz.yml@@",
            "notrailingslash",
            expecting,
        ), // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    ];
    // The test data swaps the names: `ref_path` is "somesha", `sha` the other value.
    for (claim, sha, prefix) in bad {
        assert_eq!(
            check_ci_config_ref_uri(truth, Some(claim), Some("somesha"), Some(sha)),
            Err(format!("{prefix}'{claim}'")),
            "{claim}"
        );
    }
    assert_eq!(
        check_ci_config_ref_uri(truth, Some(""), None, None),
        Err("The ci_config_ref_uri claim is empty".into())
    ); // upstream: gitlab::test_gitlab_publisher_ci_config_ref_uri
    let envs = [
        ("", None, true),     // upstream: gitlab::test_gitlab_publisher_environment_claim
        ("", Some(""), true), // upstream: gitlab::test_gitlab_publisher_environment_claim
        ("", Some("some-environment"), true), // upstream: gitlab::test_gitlab_publisher_environment_claim
        ("some-environment", Some("some-environment"), true), // upstream: gitlab::test_gitlab_publisher_environment_claim
        ("some-environment", Some("sOmE-eNvIrOnMeNt"), false), // upstream: gitlab::test_gitlab_publisher_environment_claim
        ("some-environment", None, false), // upstream: gitlab::test_gitlab_publisher_environment_claim
        ("some-environment", Some("some-other-environment"), false), // upstream: gitlab::test_gitlab_publisher_environment_claim
    ];
    for (truth, claim, ok) in envs {
        let declared = (!truth.is_empty()).then_some(truth);
        assert_eq!(
            gitlab::environment_accepts(declared, claim),
            ok,
            "{truth:?} {claim:?}"
        );
    }
}

#[test]
fn gitlab_lookup_matches_warehouse_vectors() {
    let base = gitlab_publisher("foo", "bar", ".gitlab-ci.yml", "", None);
    let claims = |changes: &[(&str, Value)]| with(dummy_gitlab_claims(), changes);
    assert!(judge_with(&base, &[], dummy_gitlab_claims()).accepted()); // upstream: test_trusted_publisher_upload_ok (GitLab)
    for claim in gitlab::REQUIRED_CLAIMS {
        assert_eq!(
            reason(&judge_with(&base, &[], claims(&[(claim, Value::Null)]))),
            Some(format!("invalid-publisher: Missing claim '{claim}'"))
        );
    } // upstream: gitlab::test_gitlab_publisher_missing_claims (×6)
    for env in [Value::Null, json!("some_environment")] {
        assert_eq!(
            reason(&judge_with(
                &base,
                &[],
                claims(&[
                    (
                        "ci_config_ref_uri",
                        json!("gitlab.com/foo/bar//example/.yml@refs/heads/main")
                    ),
                    ("environment", env),
                ])
            ))
            .as_deref(),
            Some("invalid-publisher: Could not extract workflow filename from OIDC claims")
        );
    } // upstream: gitlab::test_lookup_fails_invalid_ci_config_ref_uri (×2)
    // The lookup folds the case of namespace and project; the ref check then compares the
    // stored spelling, so only a token in the stored case passes end to end (warehouse#18797).
    let mixed = gitlab_publisher("Foo", "Bar", ".gitlab-ci.yml", "", None);
    let j = judge_with(
        &mixed,
        &[],
        claims(&[("environment", json!("some_environment"))]),
    );
    assert_eq!(j.field("namespace").unwrap().outcome, Outcome::Ok); // upstream: gitlab::test_lookup_succeeds_with_mixed_case_project_path (stored `Foo/Bar`)
    assert!(
        reason(&j)
            .unwrap()
            .contains("The ci_config_ref_uri claim does not match")
    );
    let j = judge_with(
        &base,
        &[],
        claims(&[
            ("project_path", json!("Foo/Bar")),
            (
                "sub",
                json!("project_path:Foo/Bar:ref_type:branch:ref:main"),
            ),
        ]),
    );
    assert_eq!(j.field("project").unwrap().outcome, Outcome::Ok); // upstream: gitlab::test_lookup_succeeds_with_mixed_case_project_path (claimed `Foo/Bar`)
    let env = |stored: &str, claimed: &str| {
        judge_with(
            &gitlab_publisher("foo", "bar", ".gitlab-ci.yml", stored, None),
            &[],
            claims(&[("environment", json!(claimed))]),
        )
    };
    assert!(env("SomeEnvironment", "SomeEnvironment").accepted()); // upstream: gitlab::test_lookup_succeeds_with_non_lowercase_environment
    assert!(env("SOME_ENVIRONMENT", "SOME_ENVIRONMENT").accepted()); // upstream: gitlab::test_lookup_succeeds_with_non_lowercase_environment
    assert_eq!(
        reason(&env("someenvironment", "SomeEnvironment")).as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: gitlab::test_lookup_is_case_sensitive_for_environment
    assert_eq!(
        reason(&env("some_environment", "SOME_ENVIRONMENT")).as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: gitlab::test_lookup_is_case_sensitive_for_environment
    for env in ["", "some_environment"] {
        for (a, b) in [
            (
                "workflows/release_pypi/ci.yml",
                "workflows/release-pypi/ci.yml",
            ),
            (
                "workflows/release%pypi/ci.yml",
                "workflows/release-pypi/ci.yml",
            ),
        ] {
            for (registered, claimed, ok) in
                [(a, a, true), (b, b, true), (a, b, false), (b, a, false)]
            {
                let p = gitlab_publisher("foo", "bar", registered, env, None);
                let mut changes = vec![(
                    "ci_config_ref_uri",
                    json!(format!("gitlab.com/foo/bar//{claimed}@refs/heads/main")),
                )];
                if !env.is_empty() {
                    changes.push(("environment", json!(env)));
                }
                assert_eq!(
                    judge_with(&p, &[], claims(&changes)).accepted(),
                    ok,
                    "{registered} {claimed} {env}"
                );
            }
        }
    } // upstream: gitlab::test_lookup_escapes (×8)
    let other = gitlab_publisher("foo", "baz", ".gitlab-ci.yml", "", None);
    assert_eq!(
        reason(&judge_with(&other, &[], dummy_gitlab_claims())).as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: gitlab::test_lookup_no_matching_publisher
    let a = gitlab_publisher("foo", "bar", "workflows/ci.yml", "", None);
    let b = gitlab_publisher("foo", "bar", "workflows/ci.yml", "some_environment", None);
    let by_issuer = |env: Option<&str>| {
        let mut changes = vec![(
            "ci_config_ref_uri",
            json!("gitlab.com/foo/bar//workflows/ci.yml@refs/heads/main"),
        )];
        if let Some(e) = env {
            changes.push(("environment", json!(e)));
        }
        let c = claims(&changes);
        (
            judge_with(&a, &[], c.clone()).accepted(),
            judge_with(&b, &[], c).accepted(),
        )
    };
    assert_eq!(by_issuer(None), (true, false)); // upstream: test_find_publisher_by_issuer_gitlab (no environment: A)
    assert_eq!(by_issuer(Some("some_other_environment")), (true, false)); // upstream: test_find_publisher_by_issuer_gitlab (another environment: A)
    assert_eq!(by_issuer(Some("some_environment")), (true, true)); // upstream: test_find_publisher_by_issuer_gitlab (its environment: B, preferred)
    let wrong = gitlab_publisher("wrong", "bar", ".gitlab-ci.yml", "fake", None);
    assert_eq!(
        judge_with(&wrong, &[], dummy_gitlab_claims())
            .refusal
            .unwrap()
            .message,
        "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
    ); // upstream: test_trusted_publisher_upload_fails_wrong_publisher (GitLab)
}

#[test]
fn gitlab_self_managed_issuers() {
    let custom = "https://gitlab.custom-company.com";
    let p = gitlab_publisher("foo", "bar", "workflows/ci.yml", "", Some(custom));
    let self_managed = with(
        dummy_gitlab_claims(),
        &[
            ("iss", json!(custom)),
            (
                "ci_config_ref_uri",
                json!("gitlab.custom-company.com/foo/bar//workflows/ci.yml@refs/heads/main"),
            ),
        ],
    );
    assert!(judge_with(&p, &[], self_managed.clone()).accepted()); // upstream: test_find_publisher_by_issuer_with_custom_issuer
    let example = "https://gitlab.example.com";
    let q = gitlab_publisher("foo", "bar", ".gitlab-ci.yml", "", Some(example));
    let dummy_self_managed = with(
        dummy_gitlab_claims(),
        &[
            ("iss", json!(example)),
            (
                "ci_config_ref_uri",
                json!("gitlab.example.com/foo/bar//.gitlab-ci.yml@refs/heads/main"),
            ),
            ("runner_environment", json!("self-hosted")),
            ("jti", json!("3b6492c9-caf6-54d6-934e-655b19b178fc")),
        ],
    );
    assert!(judge_with(&q, &[], dummy_self_managed.clone()).accepted()); // upstream: test_trusted_publisher_upload_ok_custom_issuer
    // derived: the lookup filters on `issuer_url`, both ways.
    let dotcom = gitlab_publisher("foo", "bar", ".gitlab-ci.yml", "", None);
    assert_eq!(
        reason(&judge_with(
            &dotcom,
            std::slice::from_ref(&q),
            dummy_self_managed
        ))
        .as_deref(),
        Some(NOT_FOUND_REASON)
    );
    assert_eq!(
        reason(&judge_with(&q, &[], dummy_gitlab_claims())).as_deref(),
        Some(NOT_FOUND_REASON)
    );
    // derived: an issuer no organization registered is unknown.
    assert_eq!(
        reason(&judge_with(
            &dotcom,
            &[],
            with(
                dummy_gitlab_claims(),
                &[("iss", json!("https://gitlab.unknown.example"))]
            )
        ))
        .as_deref(),
        Some("invalid-payload: unknown trusted publishing issuer")
    );
}

fn gitlab_form(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let get = |k: &str| -> Option<String> {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    gitlab::form_rules(&get)
        .into_iter()
        .map(|p| (p.field.to_owned(), p.message))
        .collect()
}

#[test]
fn gitlab_form_matches_warehouse_vectors() {
    let form = |ns: &str, project: &str, path: &str| {
        gitlab_form(&[("owner", ns), ("repository", project), ("workflow", path)])
    };
    let e = |f: &str, m: &str| (f.to_owned(), m.to_owned());
    assert!(form("some-owner", "some-repo", "subfolder/some-workflow.yml").is_empty()); // upstream: forms::gitlab::test_validate
    assert!(
        form(
            "some-group/some-subgroup",
            "some-repo",
            "subfolder/some-workflow.yml"
        )
        .is_empty()
    ); // upstream: forms::gitlab::test_validate
    assert!(
        form(
            "some-group/some-subgroup",
            "some-repo",
            "  subfolder/some-workflow.yml  "
        )
        .is_empty()
    ); // upstream: forms::gitlab::test_validate
    let suffix = e(
        "workflow",
        "Top-level pipeline file path must end with .yml or .yaml",
    );
    assert_eq!(
        form("", "some", "some"),
        [
            e(
                "owner",
                "Specify GitLab namespace (username or group/subgroup)"
            ),
            suffix.clone()
        ]
    ); // upstream: test_validate_basic_invalid_fields (namespace empty)
    for ns in [
        "invalid_characters@",
        "invalid_parethen(sis",
        "/start_with_slash",
    ] {
        assert_eq!(
            form(ns, "some", "some"),
            [
                e("owner", "Invalid GitLab username or group/subgroup name."),
                suffix.clone()
            ],
            "{ns}"
        );
    } // upstream: test_validate_basic_invalid_fields (namespace ×3)
    for project in ["invalid space", "invalid+plus", "$invalid#characters"] {
        assert_eq!(
            form("some", project, "some"),
            [e("repository", "Invalid project name"), suffix.clone()],
            "{project}"
        );
    } // upstream: test_validate_basic_invalid_fields (project ×3)
    assert_eq!(
        form("some", "", "some"),
        [e("repository", "Specify project name"), suffix.clone()]
    ); // upstream: test_validate_basic_invalid_fields (project empty)
    assert_eq!(
        form("some", "some", ""),
        [e("workflow", "Specify top-level pipeline file path")]
    ); // upstream: test_validate_basic_invalid_fields (file path empty)
    for project in ["invalid.git", "invalid.atom"] {
        assert_eq!(
            form("some", project, "a.yml"),
            [e("repository", "Name ends with .git or .atom")],
            "{project}"
        );
    } // upstream: test_reserved_project_names (×2)
    assert_eq!(
        form("some", "invalid--project", "a.yml"),
        [e("repository", "Invalid project name")]
    ); // upstream: test_reserved_project_names
    for ns in ["invalid.git", "invalid.atom"] {
        assert_eq!(
            form(ns, "some", "a.yml"),
            [e("owner", "Name ends with .git or .atom")],
            "{ns}"
        );
    } // upstream: test_reserved_organization_names (×2)
    for ns in [
        "consecutive--special-characters",
        "must-end-with-non-special-characters-",
    ] {
        assert_eq!(
            form(ns, "some", "a.yml"),
            [e(
                "owner",
                "Invalid GitLab username or group/subgroup name."
            )],
            "{ns}"
        );
    } // upstream: test_reserved_organization_names (×2)
    assert_eq!(
        form("ns", "p1", "missing_suffix"),
        std::slice::from_ref(&suffix)
    ); // upstream: test_validate_workflow_filepath
    assert_eq!(
        form("ns", "p1", "/begin_slash.yml"),
        [e(
            "workflow",
            "Top-level pipeline file path cannot start or end with /"
        )]
    ); // upstream: test_validate_workflow_filepath
    assert_eq!(
        form("ns", "p1", "end_with_slash.yml/"),
        std::slice::from_ref(&suffix)
    ); // upstream: test_validate_workflow_filepath
    assert_eq!(
        form("ns", "p1", "/begin/and/end/slash.yml/"),
        std::slice::from_ref(&suffix)
    ); // upstream: test_validate_workflow_filepath
    // The form's chain with warehouse's patterns (research §6.6 "sim").
    assert_eq!(
        form("a", "p1", "a.yml"),
        [e(
            "owner",
            "Invalid GitLab username or group/subgroup name."
        )]
    );
    assert_eq!(
        form("foo.GIT", "p1", "a.yml"),
        [e("owner", "Name ends with .git or .atom")]
    );
    assert_eq!(
        form("-foo.git", "p1", "a.yml"),
        [
            e("owner", "Name ends with .git or .atom"),
            e("owner", "Invalid GitLab username or group/subgroup name.")
        ]
    );
    assert_eq!(
        form("a.-b", "p1", "a.yml"),
        [e(
            "owner",
            "Invalid GitLab username or group/subgroup name."
        )]
    );
    assert!(form("a//b", "p1", "a.yml").is_empty());
    assert!(form("a++b", "p1", "a.yml").is_empty());
    assert_eq!(
        form("ns", "Foo.Git", "a.yml"),
        [e("repository", "Name ends with .git or .atom")]
    );
    assert_eq!(
        form("ns", "a_-b", "a.yml"),
        [e("repository", "Invalid project name")]
    );
    assert_eq!(
        form("ns", "a", "a.yml"),
        [e("repository", "Invalid project name")]
    );
    let env = |v: &str| {
        gitlab_form(&[
            ("owner", "ns"),
            ("repository", "p1"),
            ("workflow", "a.yml"),
            ("environment", v),
        ])
    };
    assert!(env("\t\r\n").is_empty());
    assert!(env(" prod").is_empty());
    assert!(env("a$b{c}").is_empty());
    assert_eq!(env("a.b"), [e("environment", "Invalid environment name")]);
    assert_eq!(env("a:b"), [e("environment", "Invalid environment name")]);
}

// Google (`tests/unit/oidc/models/test_google.py`, `tests/unit/oidc/forms/test_google.py`).

fn google_publisher(email: &str, sub: &str) -> Publisher {
    let mut p = crate::config::test_publisher(Registry::Pypi, "", "", None, "", "");
    p.provider = crate::identity::Provider::Google;
    p.extra.insert("email".into(), email.into());
    if !sub.is_empty() {
        p.extra.insert("subject".into(), sub.into());
    }
    p
}

fn google_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://accounts.google.com", "azp": "32555350559.apps.googleusercontent.com",
        "aud": "pypi", "sub": "111260650121185072906", "hd": "google.com",
        "email": "user@example.com", "email_verified": true, "at_hash": "_LLKKivfvfme9eoQ3WcMIg",
        "iat": 1650053185, "exp": 1650056785,
    });
    with(
        v.as_object().unwrap().clone().into_iter().collect(),
        changes,
    )
}

#[test]
fn google_publisher_matches_warehouse_vectors() {
    let p = google_publisher("fake@example.com", "fakesubject");
    let fake = |changes: &[(&str, Value)]| {
        let mut c = vec![
            ("email", json!("fake@example.com")),
            ("sub", json!("fakesubject")),
        ];
        c.extend(changes.iter().cloned());
        google_claims(&c)
    };
    for claim in google::REQUIRED_CLAIMS {
        assert_eq!(
            reason(&judge_with(&p, &[], fake(&[(claim, Value::Null)]))),
            Some(format!("invalid-publisher: Missing claim '{claim}'"))
        );
    } // upstream: test_google_publisher_missing_claims (×2)
    let unverified =
        Some("invalid-publisher: Check failed for required claim 'email_verified'".to_owned());
    assert_eq!(
        reason(&judge_with(
            &p,
            &[],
            fake(&[("email_verified", json!(false))])
        )),
        unverified
    ); // upstream: test_google_publisher_email_verified
    assert_eq!(
        reason(&judge_with(
            &p,
            &[],
            fake(&[("email_verified", json!("truthy-but-not-bool"))])
        )),
        unverified
    ); // upstream: test_google_publisher_email_verified
    assert_eq!(
        reason(&judge_with(&p, &[], fake(&[("email_verified", json!(""))]))),
        unverified
    ); // upstream: test_google_publisher_email_verified
    assert!(judge_with(&p, &[], fake(&[("email_verified", json!(true))])).accepted()); // upstream: test_google_publisher_email_verified
    assert!(judge_with(&p, &[], fake(&[])).accepted()); // upstream: test_google_publisher_sub_is_optional (its subject)
    // Through the lookup, a publisher with another subject is not found (the upstream test
    // calls `verify_claims` directly: `Check failed for optional claim 'sub'`).
    assert_eq!(
        reason(&judge_with(
            &p,
            &[],
            fake(&[("sub", json!("wrongsubject"))])
        ))
        .as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: test_google_publisher_sub_is_optional (another subject)
    assert!(
        judge_with(
            &google_publisher("fake@example.com", ""),
            &[],
            fake(&[("sub", json!("anysubject"))])
        )
        .accepted()
    ); // upstream: test_google_publisher_sub_is_optional (none declared)
    assert_eq!(
        reason(&judge_with(&p, &[], fake(&[("sub", Value::Null)]))).as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: test_google_publisher_sub_is_optional (no subject)
    assert_eq!(
        reason(&judge_with(
            &google_publisher("other@example.com", ""),
            &[],
            fake(&[])
        ))
        .as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: google::test_lookup_no_matching_publishers
    let a = google_publisher("fake@example.com", "");
    let b = google_publisher("fake@example.com", "some-subject");
    let other_subject = fake(&[("sub", json!("some-other-subject"))]);
    assert_eq!(
        (
            judge_with(&a, &[], other_subject.clone()).accepted(),
            judge_with(&b, &[], other_subject).accepted()
        ),
        (true, false)
    ); // upstream: test_find_publisher_by_issuer_google (another subject: A)
    let its_subject = fake(&[("sub", json!("some-subject"))]);
    assert!(judge_with(&b, &[], its_subject).accepted()); // upstream: test_find_publisher_by_issuer_google (its subject: B)
    assert_eq!(
        reason(&judge_with(
            &google_publisher("wrong@example.com", "111260650121185072906"),
            &[],
            google_claims(&[])
        ))
        .as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: test_trusted_publisher_upload_fails_wrong_publisher (Google)
    // derived: a GitHub publisher never matches a Google token.
    assert_eq!(
        reason(&judge_with(
            &publisher("foo", "bar", Some("123"), "example.yml", ""),
            &[],
            google_claims(&[])
        ))
        .as_deref(),
        Some(NOT_FOUND_REASON)
    );
}

#[test]
fn google_form_matches_warehouse_vectors() {
    let form = |email: &str, sub: &str| {
        let get = |k: &str| -> Option<String> {
            match k {
                "email" => Some(email.to_owned()),
                "subject" => (!sub.is_empty()).then(|| sub.to_owned()),
                _ => None,
            }
        };
        google::form_rules(&get)
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
    };
    assert!(form("some-email@example.com", "").is_empty()); // upstream: forms::google::test_validate
    assert!(form("some-email@example.com", "some-subject").is_empty()); // upstream: forms::google::test_validate
    assert_eq!(form("", ""), ["This field is required."]); // upstream: forms::google::test_validate_basic_invalid_fields
    assert_eq!(form("", "some-subject"), ["This field is required."]); // upstream: forms::google::test_validate_basic_invalid_fields
    assert_eq!(
        form("invalid_email", "some-subject"),
        ["Invalid email address."]
    ); // upstream: forms::google::test_validate_basic_invalid_fields
}

// ActiveState (`tests/unit/oidc/models/test_activestate.py`, `tests/unit/oidc/forms/test_activestate.py`).

fn activestate_publisher(org: &str, project: &str, actor_id: &str) -> Publisher {
    let mut p = crate::config::test_publisher(Registry::Pypi, "", "", None, "", "");
    p.provider = crate::identity::Provider::ActiveState;
    for (k, v) in [
        ("organization", org),
        ("activestate-project", project),
        ("actor", "fakeuser"),
        ("actor-id", actor_id),
    ] {
        p.extra.insert(k.into(), v.into());
    }
    p
}

fn activestate_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "sub": "org:fakeorg:project:fakeproject", "actor": "fakeuser",
        "actor_id": "00000000-0000-1000-8000-000000000002", "ingredient": "fakeingredientname",
        "organization_id": "fakeorgid", "organization": "fakeorg", "project_visibility": "public",
        "project_id": "fakeprojectid", "project_path": "fakeorg/fakeproject",
        "project": "fakeproject", "builder": "pypi-publisher",
        "iss": "https://platform.activestate.com/api/v1/oauth/oidc", "aud": "pypi",
        "iat": 1, "exp": 2, "jti": "6e67b1cb-2b8d-4be5-91cb-757edb2ec970",
    });
    with(
        v.as_object().unwrap().clone().into_iter().collect(),
        changes,
    )
}

#[test]
fn activestate_publisher_matches_warehouse_vectors() {
    let p = activestate_publisher(
        "fakeorg",
        "fakeproject",
        "00000000-0000-1000-8000-000000000002",
    );
    let r = |changes: &[(&str, Value)]| reason(&judge_with(&p, &[], activestate_claims(changes)));
    assert_eq!(r(&[]), None); // upstream: activestate::test_activestate_publisher_sub (its subject)
    for claim in ["organization", "project", "actor_id", "builder"] {
        assert_eq!(
            r(&[(claim, Value::Null)]),
            Some(format!("invalid-publisher: Missing claim '{claim}'"))
        );
    } // upstream: activestate::test_activestate_publisher_missing_claims (×4)
    for claim in [
        "actor",
        "organization_id",
        "project_id",
        "project_visibility",
        "project_path",
    ] {
        assert_eq!(r(&[(claim, Value::Null)]), None, "{claim}");
    } // upstream: activestate::test_activestate_publisher_missing_claims (×5 optional)
    assert_eq!(
        r(&[("sub", json!(""))]).as_deref(),
        Some("invalid-publisher: Missing 'subject' claim")
    ); // upstream: activestate::test_activestate_publisher_sub
    assert_eq!(
        r(&[("sub", json!("org:fakeorg:project:fakeorg"))]).as_deref(),
        Some("invalid-publisher: Invalid 'subject' claim")
    ); // upstream: activestate::test_activestate_publisher_sub
    assert_eq!(
        r(&[("sub", json!("org:fakeproject:project:fakeproject"))]).as_deref(),
        Some("invalid-publisher: Invalid 'subject' claim")
    ); // upstream: activestate::test_activestate_publisher_sub
    assert_eq!(
        r(&[("sub", json!("Nonsense"))]).as_deref(),
        Some("invalid-publisher: Invalid 'subject' claim. Wrong format")
    ); // upstream: activestate::test_activestate_publisher_sub
    assert_eq!(
        r(&[("actor_id", json!("my_id"))]).as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: activestate::test_lookup_no_matching_publishers
    assert_eq!(
        r(&[("builder", json!("other"))]).as_deref(),
        Some("invalid-publisher: Check failed for required claim 'builder'")
    ); // derived: check_claim_invariant("pypi-publisher")
    let mine = activestate_publisher(
        "fakeorg2",
        "fakeproject2",
        "00000000-0000-1000-8000-000000000006",
    );
    let claims = activestate_claims(&[
        ("organization", json!("fakeorg2")),
        ("project", json!("fakeproject2")),
        ("actor_id", json!("00000000-0000-1000-8000-000000000006")),
        ("sub", json!("org:fakeorg2:project:fakeproject2")),
    ]);
    assert!(judge_with(&mine, &[], claims.clone()).accepted()); // upstream: test_find_publisher_by_issuer_activestate
    assert!(!judge_with(&p, &[], claims).accepted()); // upstream: test_find_publisher_by_issuer_activestate (the others)
    let wrong = activestate_publisher("wrong", "fakeproject", "fake");
    assert_eq!(
        reason(&judge_with(
            &wrong,
            &[],
            activestate_claims(&[("actor_id", json!("fake")), ("actor", json!("foo"))])
        ))
        .as_deref(),
        Some(NOT_FOUND_REASON)
    ); // upstream: test_trusted_publisher_upload_fails_wrong_publisher (ActiveState)
}

#[test]
fn activestate_form_matches_warehouse_vectors() {
    let form = |org: &str, project: &str, actor: &str| {
        let get = |k: &str| -> Option<String> {
            match k {
                "organization" => Some(org.to_owned()),
                "activestate-project" => Some(project.to_owned()),
                "actor" => Some(actor.to_owned()),
                _ => None,
            }
        };
        activestate::form_rules(&get)
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
    };
    assert!(form("some-org", "some-project", "someuser").is_empty()); // upstream: forms::activestate::test_validate
    assert_eq!(
        form("", "some-project", "someuser"),
        ["Specify ActiveState organization name"]
    ); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(
        form("org", "some-project", ""),
        ["Specify the ActiveState actor username"]
    ); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(form("org", "AB", "a"), ["Invalid ActiveState project name"]); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(
        form("org", "abcdefghojklmnopqrstuvwxyz123456789012345", "a"),
        ["Invalid ActiveState project name"]
    ); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(
        form("org", "invalid_characters@", "a"),
        ["Invalid ActiveState project name"]
    ); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(
        form("org", "-foo-", "a"),
        ["Leading or trailing dashes are not allowed in the name"]
    ); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(
        form("org", "---", "a"),
        [
            "Double dashes are not allowed in the name",
            "Leading or trailing dashes are not allowed in the name"
        ]
    ); // upstream: forms::activestate::test_validate_basic_invalid_fields
    assert_eq!(form("org", "", "a"), ["Specify ActiveState project name"]); // upstream: forms::activestate::test_validate_basic_invalid_fields
}
