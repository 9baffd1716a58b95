//! RubyGems.org's own test vectors, at rubygems/rubygems.org `3c8ea0d4cbe8` (2026-08-22):
//! `test/models/oidc/trusted_publisher/github_action_test.rb` (the lookup, the access policy's
//! refs since #6346, the validations) and
//! `test/integration/api/v1/oidc/trusted_publisher_controller_test.rb` (the exchange, end to
//! end), with the web form's texts of `test/integration/oidc/*_controller_test.rb`. Each vector
//! is marked with its upstream test (`// upstream:`); those that need RubyGems' database or
//! provider configuration (a provider without keys, an outdated configuration, a replayed key)
//! are left out. `// derived:` marks vectors of trustpub's own, from the code.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::*;
use crate::identity::{Claims, TokenProblem};

fn publisher(owner: &str, repo: &str, owner_id: &str, workflow: &str, env: &str) -> Publisher {
    let mut p = crate::config::test_publisher(
        Registry::RubyGems,
        owner,
        repo,
        Some(owner_id),
        workflow,
        env,
    );
    p.project = "rubygem1".into();
    p
}

fn with_workflow_repository(mut p: Publisher, owner: &str, name: &str) -> Publisher {
    p.workflow_repository = Some((owner.into(), name.into()));
    p
}

/// The controller test's claims (`setup`), with the production audience.
fn controller_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "aud": "rubygems.org", "exp": 1_680_020_837, "iat": 1_680_020_537, "nbf": 1_680_019_937,
        "iss": "https://token.actions.githubusercontent.com",
        "jti": "79685b65-945d-450a-a3d8-a36bcf72c23d", "ref": "refs/heads/main",
        "sha": "04de3558bc5861874a86f8fcd67e516554101e71",
        "sub": "repo:segiddins/oidc-test:ref:refs/heads/main",
        "repository": "segiddins/oidc-test", "repository_owner": "segiddins",
        "repository_owner_id": "1946610",
        "workflow_ref": "segiddins/oidc-test/.github/workflows/token.yml@refs/heads/main",
        "job_workflow_ref": "segiddins/oidc-test/.github/workflows/token.yml@refs/heads/main",
        "job_workflow_sha": "04de3558bc5861874a86f8fcd67e516554101e71",
        "event_name": "push", "ref_type": "branch", "repository_visibility": "public",
        "runner_environment": "github-hosted",
    });
    apply(v, changes)
}

fn apply(v: Value, changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let mut c: IndexMap<String, Value> = v.as_object().unwrap().clone().into_iter().collect();
    for (k, v) in changes {
        if v.is_null() {
            c.shift_remove(*k);
        } else {
            c.insert((*k).to_owned(), v.clone());
        }
    }
    c
}

fn answer(
    p: &Publisher,
    claims: IndexMap<String, Value>,
    rejected: Option<TokenProblem>,
) -> String {
    let claims = Claims::complete(claims);
    let j = (SPEC.judge)(
        Registry::RubyGems,
        p,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: rejected.as_ref(),
            declared: &[],
        },
    );
    match j.refusal {
        None => "201".into(),
        Some(r) => format!("{} {}", r.code.trim_start_matches("http-"), r.reason),
    }
}

fn default_publisher() -> Publisher {
    publisher("segiddins", "oidc-test", "1946610", "token.yml", "")
}

#[test]
fn controller_exchange() {
    let p = default_publisher();
    assert_eq!(answer(&p, controller_claims(&[]), None), "201"); // upstream: test_succeed_with_matching_trusted_publisher
    let mut other_owner_id = p.clone();
    other_owner_id.owner_id = Some("123".into());
    assert_eq!(
        answer(&other_owner_id, controller_claims(&[]), None),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_owner_has_changed
    assert_eq!(
        answer(
            &p,
            controller_claims(&[("iss", json!("https://unknown.example.com"))]),
            None
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_with_an_unknown_issuer
    assert_eq!(
        answer(
            &p,
            controller_claims(&[("iss", json!("https://unknown.example.com"))]),
            None
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_with_an_unsupported_issuer
    for claim in ["nbf", "exp", "iat", "iss", "jti"] {
        assert_eq!(
            answer(&p, controller_claims(&[(claim, json!(["a"]))]), None),
            format!("400 Missing/invalid {claim}")
        );
        assert_eq!(
            answer(&p, controller_claims(&[(claim, Value::Null)]), None),
            format!("400 Missing/invalid {claim}")
        );
    } // upstream: test_return_bad_request_with_missing/invalid_{nbf,exp,iat,iss,jti} (×10)
    assert_eq!(
        answer(&p, controller_claims(&[]), Some(TokenProblem::NotYetValid)),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_time_is_before_nbf
    assert_eq!(
        answer(&p, controller_claims(&[]), Some(TokenProblem::Expired)),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_time_is_after_exp
    assert_eq!(
        answer(
            &p,
            controller_claims(&[]),
            Some(TokenProblem::Signature("bad".into()))
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_signature_validation_fails
    assert_eq!(
        answer(
            &p,
            controller_claims(&[(
                "job_workflow_ref",
                json!("segiddins/oidc-test/.github/workflows/token.yml@refs/heads/other")
            )]),
            None
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_workflow_is_from_a_different_ref
    assert_eq!(
        answer(
            &other_owner_id,
            controller_claims(&[("aud", json!("other.com"))]),
            None
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_audience_is_wrong
    assert_eq!(
        answer(&p, controller_claims(&[("aud", json!("other.com"))]), None),
        "404 Not Found"
    ); // derived: the audience alone
    // The clock: `nbf <= now < exp`, no leeway.
    let now = 1_680_020_830;
    assert_eq!(
        TIMING.problem(
            Some(1_680_020_837),
            Some(1_680_019_937),
            Some(1_680_020_537),
            now
        ),
        None
    ); // upstream: test_succeed_with_matching_trusted_publisher (its clock)
    assert_eq!(
        TIMING.problem(
            Some(1_680_020_837),
            Some(1_680_019_937 + 1_000_000),
            None,
            now
        ),
        Some(TokenProblem::NotYetValid)
    ); // upstream: test_return_not_found_when_time_is_before_nbf (its clock)
    assert_eq!(
        TIMING.problem(
            Some(1_680_020_837 - 1_000_000),
            Some(1_680_019_937),
            None,
            now
        ),
        Some(TokenProblem::Expired)
    ); // upstream: test_return_not_found_when_time_is_after_exp (its clock)
    assert_eq!(
        TIMING.problem(Some(now), Some(now), None, now),
        Some(TokenProblem::Expired)
    ); // derived: `exp` is exclusive, `nbf` inclusive
}

#[test]
fn controller_reusable_workflows() {
    let shared = with_workflow_repository(
        publisher("cseeman", "my-gem", "1946610", "release.yml", ""),
        "rubygems",
        "shared-workflows",
    );
    let caller = |jwr: &str, extra: &[(&str, Value)]| {
        let mut changes = vec![
            ("repository", json!("cseeman/my-gem")),
            ("repository_owner", json!("cseeman")),
            ("job_workflow_ref", json!(jwr)),
        ];
        changes.extend(extra.iter().cloned());
        controller_claims(&changes)
    };
    assert_eq!(
        answer(
            &shared,
            caller(
                "rubygems/shared-workflows/.github/workflows/release.yml@refs/tags/v2.0",
                &[("job_workflow_sha", json!("aaabbbccc111222333"))]
            ),
            None
        ),
        "201"
    ); // upstream: test_succeed_with_matching_trusted_publisher_using_reusable_workflow
    assert_eq!(
        answer(
            &shared,
            caller(
                "attacker-org/malicious-workflows/.github/workflows/release.yml@refs/heads/main",
                &[]
            ),
            None
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_reusable_workflow_does_not_match_configured_workflow_repository
    let attacker = with_workflow_repository(
        publisher("attacker-org", "attacker-repo", "999999", "release.yml", ""),
        "rubygems",
        "shared-workflows",
    );
    let victim = with_workflow_repository(
        publisher("victim-org", "victim-gem", "111111", "release.yml", ""),
        "rubygems",
        "shared-workflows",
    );
    let attack = controller_claims(&[
        ("repository", json!("attacker-org/attacker-repo")),
        ("repository_owner", json!("attacker-org")),
        ("repository_owner_id", json!("999999")),
        (
            "job_workflow_ref",
            json!("rubygems/shared-workflows/.github/workflows/release.yml@refs/heads/main"),
        ),
        ("job_workflow_sha", json!("aaa111bbb222")),
    ]);
    assert_eq!(answer(&attacker, attack.clone(), None), "201"); // upstream: test_succeed_but_only_grant_access_to_attacker's_own_publisher_when_using_same_reusable_workflow
    assert_eq!(answer(&victim, attack, None), "404 Not Found"); // upstream: test_succeed_but_only_grant_access_to_attacker's_own_publisher_when_using_same_reusable_workflow (the victim's)
    let same_repo = publisher("cseeman", "my-gem", "1946610", "release.yml", "");
    assert_eq!(
        answer(
            &same_repo,
            caller(
                "rubygems/shared-workflows/.github/workflows/release.yml@refs/heads/main",
                &[]
            ),
            None
        ),
        "404 Not Found"
    ); // upstream: test_return_not_found_when_reusable_workflow_used_but_trusted_publisher_expects_same-repo_workflow
}

#[test]
fn model_lookup_and_policy() {
    let claims = |env: Option<&str>| {
        let mut c = json!({
            "aud": "rubygems.org", "iss": "https://token.actions.githubusercontent.com",
            "repository": "example/bar",
            "job_workflow_ref": "example/bar/.github/workflows/push_gem.yml@refs/heads/main",
            "ref": "refs/heads/main", "sha": "04de3558bc5861874a86f8fcd67e516554101e71",
            "repository_owner_id": "123456",
        });
        if let Some(e) = env {
            c["environment"] = json!(e);
        }
        Claims::complete(c.as_object().unwrap().clone().into_iter().collect())
    };
    let judge = |p: &Publisher, c: &Claims| {
        (SPEC.judge)(Registry::RubyGems, p, &EvidenceFacts::claims_only(c)).accepted()
    };
    let a = publisher("example", "bar", "654321", "push_gem.yml", "");
    let b = publisher("example", "bar", "123456", "push_gem.yml", "");
    let c = publisher("example", "bar", "123456", "push_gem.yml", "test");
    let d = publisher("example", "bar", "123456", "push_gem.yml", "dev");
    let e = publisher("example", "foo", "123456", "push_gem.yml", "");
    let found =
        |cl: &Claims| -> Vec<bool> { [&a, &b, &c, &d, &e].iter().map(|p| judge(p, cl)).collect() };
    assert_eq!(found(&claims(None)), [false, true, false, false, false]); // upstream: .for_claims (no environment: B)
    assert_eq!(
        found(&claims(Some("other"))),
        [false, true, false, false, false]
    ); // upstream: .for_claims (environment `other`: B)
    assert_eq!(
        found(&claims(Some("test"))),
        [false, true, true, false, false]
    ); // upstream: .for_claims (environment `test`: C, preferred over B)
    // #6346: which refs a publisher accepts.
    let p = publisher("example", "rubygem1", "123456", "push_gem.yml", "");
    assert_eq!(
        accepted_refs(
            &p,
            "example/rubygem1/.github/workflows/push_gem.yml@ref",
            Some("ref"),
            Some("sha"),
            None
        ),
        Some(vec!["ref".to_owned(), "sha".to_owned()])
    ); // upstream: #to_access_policy
    let shared = with_workflow_repository(
        publisher(
            "caller-org",
            "caller-repo",
            "123456",
            "shared-release.yml",
            "",
        ),
        "shared-org",
        "shared-workflows",
    );
    assert_eq!(
        accepted_refs(
            &shared,
            "shared-org/shared-workflows/.github/workflows/shared-release.yml@refs/tags/v1.0",
            Some("refs/heads/main"),
            Some("caller-sha-111"),
            Some("reusable-sha-222")
        ),
        Some(vec![
            "refs/tags/v1.0".to_owned(),
            "reusable-sha-222".to_owned()
        ])
    ); // upstream: #to_access_policy with reusable workflow uses reusable workflow refs
    assert_eq!(
        accepted_refs(
            &shared,
            "shared-org/shared-workflows/.github/workflows/shared-release.yml@refs/tags/v1.0",
            Some("refs/heads/main"),
            Some("caller-sha-111"),
            None
        ),
        Some(vec!["refs/tags/v1.0".to_owned()])
    ); // upstream: #to_access_policy with reusable workflow without job_workflow_sha
    let my_gem = publisher("example", "my-gem", "123456", "release.yml", "");
    assert_eq!(
        accepted_refs(
            &my_gem,
            "example/my-gem/.github/workflows/release.yml@refs/heads/main",
            Some("refs/heads/main"),
            Some("abc123"),
            Some("other")
        ),
        Some(vec!["refs/heads/main".to_owned(), "abc123".to_owned()])
    ); // upstream: #to_access_policy same-repo workflow uses caller ref and sha
    assert_eq!(
        accepted_refs(
            &shared,
            "attacker-org/evil-workflows/.github/workflows/shared-release.yml@refs/heads/main",
            None,
            None,
            Some("attacker-sha-123")
        ),
        None
    ); // upstream: #to_access_policy reusable workflow rejects mismatched prefix
    // The lookup with a workflow repository.
    let cross = |repo: &str, owner_id: &str| {
        Claims::complete(
            json!({
                "aud": "rubygems.org", "iss": "https://token.actions.githubusercontent.com",
                "repository": repo, "repository_owner_id": owner_id,
                "job_workflow_ref": "shared-org/shared-workflows/.github/workflows/shared-release.yml@refs/heads/main",
                "ref": "refs/heads/main", "sha": "abc123def456",
            })
            .as_object()
            .unwrap()
            .clone()
            .into_iter()
            .collect(),
        )
    };
    let shared_caller = with_workflow_repository(
        publisher("example", "caller-repo", "123456", "shared-release.yml", ""),
        "shared-org",
        "shared-workflows",
    );
    assert!(judge(
        &shared_caller,
        &cross("example/caller-repo", "123456")
    )); // upstream: .for_claims with reusable workflow from different repository
    let allowed = with_workflow_repository(
        publisher(
            "allowed-org",
            "allowed-repo",
            "123456",
            "shared-release.yml",
            "",
        ),
        "shared-org",
        "shared-workflows",
    );
    assert!(!judge(
        &allowed,
        &cross("attacker-org/attacker-repo", "999999")
    )); // upstream: .for_claims rejects reusable workflow when caller repository does not match
    let same = Claims::complete(
        json!({
            "aud": "rubygems.org", "iss": "https://token.actions.githubusercontent.com",
            "repository": "example/my-gem", "repository_owner_id": "123456",
            "job_workflow_ref": "example/my-gem/.github/workflows/release.yml@refs/heads/main",
            "ref": "refs/heads/main", "sha": "abc123",
        })
        .as_object()
        .unwrap()
        .clone()
        .into_iter()
        .collect(),
    );
    assert!(judge(&my_gem, &same)); // upstream: .for_claims works with same-repo workflow when workflow_repository is nil
}

#[test]
fn job_workflow_sha_counts_for_another_repository_only() {
    // derived (#6346): a same-repository job pinned at `job_workflow_sha` is refused.
    let p = default_publisher();
    let pinned = controller_claims(&[
        (
            "job_workflow_ref",
            json!("segiddins/oidc-test/.github/workflows/token.yml@0123abcd"),
        ),
        ("job_workflow_sha", json!("0123abcd")),
    ]);
    assert_eq!(answer(&p, pinned, None), "404 Not Found");
    // derived: a reusable workflow of another repository at any ref is accepted.
    let shared = with_workflow_repository(default_publisher(), "org", "shared");
    let at_tag = controller_claims(&[(
        "job_workflow_ref",
        json!("org/shared/.github/workflows/token.yml@refs/tags/v9"),
    )]);
    assert_eq!(answer(&shared, at_tag, None), "201");
    // derived: an empty ref and no `job_workflow_sha` leave no statement.
    let empty = controller_claims(&[
        (
            "job_workflow_ref",
            json!("org/shared/.github/workflows/token.yml@"),
        ),
        ("job_workflow_sha", Value::Null),
    ]);
    assert_eq!(answer(&shared, empty, None), "404 Not Found");
    // derived: `for_claims` fetches `repository`: without it RubyGems raises.
    assert!(
        answer(
            &default_publisher(),
            controller_claims(&[("repository", Value::Null)]),
            None
        )
        .starts_with("500 ")
    );
}

fn form(fields: &[(&str, &str)]) -> Vec<String> {
    let get = |k: &str| -> Option<String> {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    (SPEC.form_problems)(Registry::RubyGems, &get)
        .into_iter()
        .filter(|p| !p.advisory)
        .map(|p| p.message)
        .collect()
}

#[test]
fn form_validations() {
    let base = [
        ("owner", "example"),
        ("repository", "rubygem1"),
        ("workflow", "push_gem.yml"),
    ];
    let with = |k: &str, v: &str| {
        let mut f: Vec<(&str, &str)> = base.iter().copied().filter(|(n, _)| *n != k).collect();
        f.push((k, v));
        f.into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect::<Vec<_>>()
    };
    let run = |f: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        form(&refs)
    };
    assert!(form(&base).is_empty()); // upstream: create trusted publisher
    assert_eq!(
        run(with("workflow", "ci.NO")),
        ["Trusted publisher workflow filename must end with .yml or .yaml"]
    ); // upstream: error creating invalid trusted publisher
    assert_eq!(
        form(&[("owner", "example"), ("repository", ""), ("workflow", "")]),
        [
            "Trusted publisher repository name can't be blank",
            "Trusted publisher workflow filename can't be blank"
        ]
    ); // upstream: invalid config (API: repository_name and workflow_filename can't be blank)
    assert_eq!(
        run(with("workflow", "a/b.txt")),
        [
            "Trusted publisher workflow filename must end with .yml or .yaml",
            "Trusted publisher workflow filename must be a filename only, without directories"
        ]
    ); // upstream: validations (both format errors at once)
    assert_eq!(
        run(with("environment", &"x".repeat(256))),
        ["Trusted publisher environment is too long (maximum is 255 characters)"]
    ); // upstream: validations (length of environment)
    let mut f = with("workflow-repository-owner", "shared");
    assert_eq!(
        run(f.clone()),
        ["Trusted publisher workflow repository name can't be blank"]
    ); // upstream: validates workflow_repository fields both/neither (owner only)
    f.push(("workflow-repository-name".into(), "workflows".into()));
    assert!(run(f).is_empty()); // upstream: validates workflow_repository fields both/neither (both)
    assert_eq!(
        run(with("workflow-repository-name", "workflows")),
        ["Trusted publisher workflow repository owner can't be blank"]
    ); // upstream: validates workflow_repository fields both/neither (name only)
    assert_eq!(
        form(&[
            ("owner", "example"),
            ("repository", "my-gem"),
            ("workflow", "release.yml"),
            ("workflow-repository-owner", "example"),
            ("workflow-repository-name", "my-gem"),
        ]),
        [
            "Trusted publisher base workflow_repository must be different from the repository, leave blank for same-repository workflows"
        ]
    ); // upstream: validates workflow_repository_differs_from_repository
    // derived: no character rules of its own; an owner GitHub cannot have finds no id.
    assert!(run(with("repository", "any thing")).is_empty());
    assert_eq!(
        run(with("owner", "not_an_owner")),
        ["Trusted publisher repository owner can't be blank"]
    );
}
