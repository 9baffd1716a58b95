//! PyPI's own unit-test vectors (pypi/warehouse `tests/unit/oidc/**`, as listed in
//! `shared/reference/pypi-trusted-publishing.md` §4) and the derived vectors of §4.10.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::*;
use crate::identity::{Claims, TokenProblem};
use crate::registry::Outcome;

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
        ("basic.yml@refs/heads/main", Some("basic.yml")),
        ("basic.yaml@refs/heads/main", Some("basic.yaml")),
        ("has-dash.yml@refs/heads/main", Some("has-dash.yml")),
        ("has--dashes.yml@refs/heads/main", Some("has--dashes.yml")),
        ("has--dashes-.yml@refs/heads/main", Some("has--dashes-.yml")),
        ("has.period.yml@refs/heads/main", Some("has.period.yml")),
        ("has..periods.yml@refs/heads/main", Some("has..periods.yml")),
        (
            "has..periods..yml@refs/heads/main",
            Some("has..periods..yml"),
        ),
        (
            "has_underscore.yml@refs/heads/main",
            Some("has_underscore.yml"),
        ),
        ("nested@evil.yml@refs/heads/main", Some("nested@evil.yml")),
        (
            "nested.yml@evil.yml@refs/heads/main",
            Some("nested.yml@evil.yml"),
        ),
        (
            "extra@nested.yml@evil.yml@refs/heads/main",
            Some("extra@nested.yml@evil.yml"),
        ),
        (
            "extra.yml@nested.yml@evil.yml@refs/heads/main",
            Some("extra.yml@nested.yml@evil.yml"),
        ),
        (
            "basic.yml@refs/heads/misleading@branch.yml",
            Some("basic.yml"),
        ),
        (
            "basic.yml@refs/heads/bad@branch@twomatches.yml",
            Some("basic.yml"),
        ),
        ("foo.yml.yml@refs/heads/main", Some("foo.yml.yml")),
        ("foo.yml.foo.yml@refs/heads/main", Some("foo.yml.foo.yml")),
        ("basic.wrongsuffix@refs/heads/main", None),
        ("@refs/heads/main", None),
        ("nosuffix@refs/heads/main", None),
        (".yml@refs/heads/main", None),
        (".yaml@refs/heads/main", None),
        ("main.yml", None),
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
    );
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
        (Value::Null, true, false),
        (json!("some_other_environment"), true, false),
        (json!("some_environment"), true, true),
        (json!("sOmE_eNvIrOnMeNt"), true, true),
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
    assert!(j.accepted(), "{:?}", j.refusal);
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
    );
}

#[test]
fn check_repository_matches_warehouse_vectors() {
    let cases = [
        ("", None, false),
        ("foo", None, false),
        ("", Some(""), false),
        ("foo", Some(""), false),
        ("foo", Some("foo"), true),
        ("Foo", Some("foo"), true),
        ("Foo", Some("Foo"), true),
        ("foo", Some("Foo"), true),
        ("FOO", Some("foo"), true),
        ("foo", Some("FOO"), true),
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
        ),
        (
            "foo/bar/.github/workflows/baz.yml@refs/pulls/6",
            p("refs/pulls/6"),
            p("somesha"),
        ),
        (
            "foo/bar/.github/workflows/baz.yml@refs/heads/main",
            p("refs/heads/main"),
            p("somesha"),
        ),
        (
            "foo/bar/.github/workflows/baz.yml@notrailingslash",
            p("notrailingslash"),
            p("somesha"),
        ),
        (
            "foo/bar/.github/workflows/baz.yml@somesha",
            p("someref"),
            p("somesha"),
        ),
        (
            "foo/bar/.github/workflows/baz.yml@somesha",
            Claim::Missing,
            p("somesha"),
        ),
        (
            "foo/bar/.github/workflows/baz.yml@somesha",
            p(""),
            p("somesha"),
        ),
    ];
    for (claim, r, s) in ok_cases {
        assert_eq!(
            check_job_workflow_ref(gt, claim, &r, &s),
            Ok(true),
            "{claim}"
        );
    }
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
        ),
        (
            "foo/bar/.github/workflows/baz.yml@fake.yml@refs/pulls/6",
            "refs/pulls/6",
            refs_pulls,
        ),
        (
            "foo/bar/.github/workflows/baz.yml@",
            "notrailingslash",
            expecting,
        ),
        ("foo/bar/.github/workflows/@", "notrailingslash", expecting),
        ("foo/bar/.github/workflows/", "notrailingslash", expecting),
        ("baz.yml", "notrailingslash", expecting),
        (
            "foo/bar/.github/workflows/baz.yml@malicious.yml@",
            "notrailingslash",
            expecting,
        ),
        (
            "foo/bar/.github/workflows/baz.yml@@",
            "notrailingslash",
            expecting,
        ),
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
    );
}

#[test]
fn environment_rule_matches_warehouse_vectors() {
    let cases = [
        ("", None, true),
        ("", Some(""), true),
        ("", Some("some-environment"), true),
        ("some-environment", Some("some-environment"), true),
        ("some-environment", Some("sOmE-eNvIrOnMeNt"), true),
        ("some-environment", None, false),
        ("some-environment", Some("some-other-environment"), false),
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
            ("repo_property_env_tier", json!("prod")),
        ],
    );
    assert!(judge_token(&p, claims).accepted());
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
    );
}

#[test]
fn token_level_failures_come_first() {
    let p = publisher("foo", "wrong", Some("123"), "example.yml", "");
    let cases = [
        (
            vec![("aud", json!("testpypi"))],
            "invalid-token: malformed or invalid token",
        ),
        (
            vec![("aud", json!(["pypi"]))],
            "invalid-token: malformed or invalid token",
        ),
        (
            vec![("aud", Value::Null)],
            "invalid-token: malformed or invalid token",
        ),
        (
            vec![("exp", Value::Null)],
            "invalid-token: malformed or invalid token",
        ),
        (vec![("iss", Value::Null)], "invalid-payload: malformed JWT"),
        (
            vec![("iss", json!("https://ghes.example.com/_services/token"))],
            "invalid-payload: unknown trusted publishing issuer",
        ),
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
    );
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

#[test]
fn form_rules_match_warehouse_vectors() {
    let problems = |owner: &str, repo: &str, wf: &str, env: &str| -> Vec<String> {
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
            .map(|p| p.message)
            .collect()
    };
    assert!(problems("some-owner", "some-repo", "some-workflow.yml", "").is_empty());
    assert!(problems("foo-", "..", "a.yaml", "").is_empty());
    assert!(problems("a--b", "-x", "a.yml", "Foo   Bar").is_empty());
    assert!(problems("Foo-Bar", ".github", "a.yml", "").is_empty());
    for owner in ["invalid_characters@", "-foo", "foo_bar"] {
        assert_eq!(
            problems(owner, "r", "a.yml", ""),
            ["Invalid GitHub user or organization name."],
            "{owner}"
        );
    }
    assert_eq!(
        problems("", "r", "a.yml", ""),
        ["Specify GitHub repository owner (username or organization)"]
    );
    for repo in ["$invalid#characters", "a b", "a/b", "a:b"] {
        assert_eq!(
            problems("o", repo, "a.yml", ""),
            ["Invalid repository name"],
            "{repo}"
        );
    }
    assert_eq!(problems("o", "", "a.yml", ""), ["Specify repository name"]);
    assert_eq!(problems("o", "r", "", ""), ["Specify workflow filename"]);
    assert_eq!(
        problems("o", "r", "missing_suffix", ""),
        ["Workflow name must end with .yml or .yaml"]
    );
    assert_eq!(
        problems("o", "r", "/slash", ""),
        ["Workflow name must end with .yml or .yaml"]
    );
    for wf in ["/slash.yml", ".github/workflows/release.yml"] {
        assert_eq!(
            problems("o", "r", wf, ""),
            ["Workflow filename must be a filename only, without directories"]
        );
    }
    assert_eq!(
        problems("o", "r", "a.yml", &"f".repeat(256)),
        ["Environment name is too long (maximum is 255 characters)"]
    );
    assert_eq!(
        problems("o", "r", "a.yml", " foo"),
        ["Environment name may not start with whitespace"]
    );
    assert_eq!(
        problems("o", "r", "a.yml", "foo "),
        ["Environment name may not end with whitespace"]
    );
    for bad in [
        "'", "\"", "`", ",", ";", "\\", "\x00", "a\x1fb", "\x7f", "a\tb", "a\rb", "a\nb",
    ] {
        let found = problems("o", "r", "a.yml", bad);
        assert!(
            found.iter().any(
                |m| m.starts_with("Environment name must not contain non-printable characters")
            ),
            "{bad:?}: {found:?}"
        );
    }
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
