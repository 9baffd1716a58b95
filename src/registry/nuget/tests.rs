//! NuGet.org's own test vectors, at NuGet/NuGetGallery `55d8cc0bc95f` (2026-08-17),
//! `tests/NuGetGallery.Facts/Authentication/Federated/`: `GitHubTokenPolicyValidatorFacts.cs`,
//! `GitLabTokenPolicyValidatorFacts.cs`, `GitLabCriteriaFacts.cs`,
//! `FederatedCredentialPolicyEvaluatorFacts.cs` and `FederatedCredentialServiceFacts.cs`. Each
//! vector is marked with its upstream test (`// upstream:`); those about NuGet's database
//! (temporary policies, concurrent first use, audit records, users' states, replays) are not
//! expressible as claims and are left out. `// derived:` marks vectors of trustpub's own.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::*;
use crate::identity::{Claims, TokenProblem};

/// Policy P of the GitHub facts, named `TestPolicy`, owned by `jim`.
fn policy_p(env: &str) -> Publisher {
    let mut p = crate::config::test_publisher(
        Registry::NuGet,
        "test-owner",
        "test-repo",
        Some("id-123"),
        "test.yml",
        env,
    );
    p.project = "TestPolicy".into();
    p.policy_owner = Some("jim".into());
    p
}

/// `TokenTestHelper.ValidClaims` (GitHub), with the audience NuGet/login asks for.
fn github_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://token.actions.githubusercontent.com", "aud": "https://www.nuget.org",
        "exp": 4_102_444_800_i64, "jti": "test-token-id",
        "repository_owner": "test-owner", "repository_owner_id": "id-123",
        "repository": "test-owner/test-repo", "repository_id": "id-456",
        "job_workflow_ref": "test-owner/test-repo/.github/workflows/test.yml@refs/heads/main",
        "environment": "production", "event_name": "release",
    });
    apply(v, changes)
}

/// The GitLab facts' claims.
fn gitlab_claims(changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://gitlab.com", "aud": "https://www.nuget.org", "exp": 4_102_444_800_i64,
        "jti": "j", "namespace_path": "test-group", "namespace_id": "id-111",
        "project_path": "test-group/test-project", "project_id": "id-222", "ref": "main",
        "environment": "production",
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

/// The policy GP of the GitLab facts.
fn policy_gp(env: &str, branch: Option<&str>) -> Publisher {
    let mut p =
        crate::config::test_publisher(Registry::NuGet, "test-group", "test-project", None, "", env);
    p.project = "TestPolicy".into();
    p.provider = Provider::GitLab;
    p.policy_owner = Some("jim".into());
    p.extra.insert("namespace-id".into(), "id-111".into());
    p.extra.insert("project-id".into(), "id-222".into());
    if let Some(b) = branch {
        p.extra.insert("ref".into(), b.into());
    }
    p
}

/// The token API's answer for `p` among `policies`: `200`, or the 401 text.
fn answer(
    p: &Publisher,
    policies: &[Publisher],
    claims: IndexMap<String, Value>,
    rejected: Option<TokenProblem>,
) -> String {
    let claims = Claims::complete(claims);
    let j = (SPEC.judge)(
        Registry::NuGet,
        p,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: rejected.as_ref(),
            declared: policies,
        },
    );
    match j.refusal {
        None => "200".into(),
        Some(r) => {
            assert_eq!(r.code, "http-401", "{}", r.reason);
            r.reason
        }
    }
}

fn alone(p: &Publisher, claims: IndexMap<String, Value>) -> String {
    answer(p, std::slice::from_ref(p), claims, None)
}

const NO_POLICY: &str = "No matching trust policy owned by user 'jim' was found.";

#[test]
fn github_policy_evaluation() {
    let p = policy_p("production");
    assert_eq!(alone(&p, github_claims(&[])), "200"); // upstream: ReturnsSuccessForValidPermanentPolicy
    assert_eq!(alone(&policy_p(""), github_claims(&[])), "200"); // upstream: ReturnsSuccessForValidPermanentPolicy (without environment)
    for claim in [
        "repository_owner",
        "repository_owner_id",
        "repository",
        "repository_id",
        "event_name",
    ] {
        let text = format!("The JSON Web Token is missing the required claim '{claim}'.");
        assert_eq!(alone(&p, github_claims(&[(claim, Value::Null)])), text);
        assert_eq!(alone(&p, github_claims(&[(claim, json!(""))])), text);
    } // upstream: RejectsMissingRequiredClaim (×10: five claims, removed and empty)
    // The mismatches before the ids are not disclosed: the caller reads the no-policy text.
    assert_eq!(
        alone(
            &p,
            github_claims(&[("repository_owner", json!("mismatched-value"))])
        ),
        NO_POLICY
    ); // upstream: RejectsMismatchedClaim(repository_owner)
    assert_eq!(
        alone(
            &p,
            github_claims(&[("repository_owner_id", json!("mismatched-value"))])
        ),
        NO_POLICY
    ); // upstream: RejectsMismatchedClaim(repository_owner_id)
    assert_eq!(
        alone(
            &p,
            github_claims(&[("repository", json!("mismatched-value"))])
        ),
        NO_POLICY
    ); // upstream: RejectsMismatchedClaim(repository)
    assert_eq!(
        alone(
            &p,
            github_claims(&[("environment", json!("mismatched-value"))])
        ),
        "Environment mismatch for policy 'TestPolicy': expected 'production', actual 'mismatched-value'"
    ); // upstream: RejectsMismatchedClaim(environment)
    assert_eq!(
        alone(
            &p,
            github_claims(&[(
                "job_workflow_ref",
                json!("test-owner/test-repo/.github/workflows/mismatched.yml@refs/heads/main")
            )])
        ),
        "Workflow mismatch for policy 'TestPolicy': expected 'test.yml', actual 'mismatched.yml'"
    ); // upstream: RejectsMismatchedWorkflowRefClaim
    assert_eq!(
        alone(
            &p,
            github_claims(&[("repository_owner_id", json!("ID-123"))])
        ),
        NO_POLICY
    ); // upstream: VerifyCaseSensitivity(repository_owner_id)
    assert_eq!(
        alone(
            &p,
            github_claims(&[("repository_owner", json!("TEST-OWNER"))])
        ),
        "200"
    ); // upstream: VerifyCaseSensitivity(repository_owner)
    assert_eq!(
        alone(
            &p,
            github_claims(&[
                ("repository_owner", json!("TEST-OWNER")),
                ("repository", json!("TEST-OWNER/TEST-REPO"))
            ])
        ),
        "200"
    ); // upstream: VerifyCaseSensitivity(repository)
    assert_eq!(
        alone(
            &p,
            github_claims(&[(
                "job_workflow_ref",
                json!("TEST-OWNER/TEST-REPO/.GITHUB/WORKFLOWS/TEST.YML@REFS/HEADS/MAIN")
            )])
        ),
        "200"
    ); // upstream: VerifyCaseSensitivity(job_workflow_ref)
    assert_eq!(
        alone(&p, github_claims(&[("environment", json!("PRODUCTION"))])),
        "200"
    ); // upstream: VerifyCaseSensitivity(environment)
    for jti in [Value::Null, json!(""), json!(" ")] {
        assert_eq!(
            alone(&p, github_claims(&[("jti", jti)])),
            "The JSON web token must have a jti claim."
        );
    } // upstream: RejectsMissingTokenIdentifierClaim (×3)
    // derived: a reusable workflow in another repository.
    assert_eq!(
        alone(
            &p,
            github_claims(&[(
                "job_workflow_ref",
                json!("test-owner/shared/.github/workflows/test.yml@v1")
            )])
        ),
        "Claim 'job_workflow_ref' has value 'test-owner/shared/.github/workflows/test.yml@v1' which does not start with test-owner/test-repo/.github/workflows/."
    );
    // derived: no environment claim reads as ''.
    assert_eq!(
        alone(&p, github_claims(&[("environment", Value::Null)])),
        "Environment mismatch for policy 'TestPolicy': expected 'production', actual ''"
    );
    // derived: the file ends at the first `@` after the prefix.
    assert_eq!(
        alone(
            &p,
            github_claims(&[(
                "job_workflow_ref",
                json!("test-owner/test-repo/.github/workflows/test.yml@x.yml@refs/heads/main")
            )])
        ),
        "200"
    );
}

#[test]
fn gitlab_policy_evaluation() {
    let gp = policy_gp("production", None);
    assert_eq!(alone(&gp, gitlab_claims(&[])), "200"); // upstream: SubsequentUse_SucceedsWithMatchingIds
    assert_eq!(alone(&policy_gp("", None), gitlab_claims(&[])), "200"); // upstream: SubsequentUse_SucceedsWithMatchingIds (without environment)
    for claim in [
        "namespace_path",
        "project_path",
        "namespace_id",
        "project_id",
    ] {
        let text = format!("The JSON Web Token is missing the required claim '{claim}'.");
        assert_eq!(alone(&gp, gitlab_claims(&[(claim, Value::Null)])), text);
        assert_eq!(alone(&gp, gitlab_claims(&[(claim, json!(""))])), text);
    } // upstream: RejectsMissingRequiredClaim (×8: four claims, removed and empty)
    assert_eq!(
        alone(
            &gp,
            gitlab_claims(&[("namespace_path", json!("mismatched-value"))])
        ),
        NO_POLICY
    ); // upstream: RejectsMismatchedPathClaim(namespace_path)
    assert_eq!(
        alone(
            &gp,
            gitlab_claims(&[("project_path", json!("mismatched-value"))])
        ),
        NO_POLICY
    ); // upstream: RejectsMismatchedPathClaim(project_path)
    assert_eq!(
        alone(&gp, gitlab_claims(&[("namespace_id", json!("ID-111"))])),
        NO_POLICY
    ); // upstream: SubsequentUse_VerifyIdCaseSensitivity(namespace_id)
    assert_eq!(
        alone(&gp, gitlab_claims(&[("project_id", json!("ID-222"))])),
        NO_POLICY
    ); // upstream: SubsequentUse_VerifyIdCaseSensitivity(project_id)
    assert_eq!(
        alone(&gp, gitlab_claims(&[("namespace_id", json!("wrong-id"))])),
        NO_POLICY
    ); // upstream: SubsequentUse_RejectsMismatchedId(namespace_id)
    assert_eq!(
        alone(&gp, gitlab_claims(&[("project_id", json!("wrong-id"))])),
        NO_POLICY
    ); // upstream: SubsequentUse_RejectsMismatchedId(project_id)
    let with_ref = policy_gp("production", Some("main"));
    assert_eq!(
        alone(
            &with_ref,
            gitlab_claims(&[
                ("ref", json!("feature-branch")),
                ("ref_type", json!("branch"))
            ])
        ),
        "Ref mismatch for policy 'TestPolicy': expected 'main', actual 'feature-branch'"
    ); // upstream: RejectsMismatchedRef
    assert_eq!(
        alone(&gp, gitlab_claims(&[("environment", json!("staging"))])),
        "Environment mismatch for policy 'TestPolicy': expected 'production', actual 'staging'"
    ); // upstream: RejectsMismatchedEnvironment
    // derived (no upstream test): the ref must be a branch; the environment is exact.
    assert_eq!(
        alone(&with_ref, gitlab_claims(&[("ref_type", json!("tag"))])),
        "Ref 'main' for policy 'TestPolicy' must be a branch."
    );
    assert_eq!(
        alone(&with_ref, gitlab_claims(&[])),
        "Ref 'main' for policy 'TestPolicy' must be a branch."
    );
    assert_eq!(
        alone(&with_ref, gitlab_claims(&[("ref_type", json!("Branch"))])),
        "200"
    );
    assert_eq!(
        alone(&gp, gitlab_claims(&[("environment", json!("Production"))])),
        "Environment mismatch for policy 'TestPolicy': expected 'production', actual 'Production'"
    );
    // derived: a GitHub policy does not apply to a GitLab token, nor the reverse.
    assert_eq!(alone(&policy_p(""), gitlab_claims(&[])), NO_POLICY);
    assert_eq!(alone(&gp, github_claims(&[])), NO_POLICY);
}

#[test]
fn token_level_checks() {
    let p = policy_p("");
    assert_eq!(
        alone(&p, github_claims(&[("aud", Value::Null)])),
        "The JSON web token must have exactly one aud claim value."
    ); // upstream: RejectsMissingClaim(aud)
    assert_eq!(
        alone(&p, github_claims(&[("iss", Value::Null)])),
        "The JSON web token must have an iss claim."
    ); // upstream: RejectsMissingClaim(iss)
    assert_eq!(
        alone(&p, github_claims(&[("aud", json!("  "))])),
        "The JSON web token must have an aud claim."
    ); // upstream: RejectsInvalidClaim(aud blank)
    assert_eq!(
        alone(&p, github_claims(&[("iss", json!("  "))])),
        "The JSON web token must have an iss claim."
    ); // upstream: RejectsInvalidClaim(iss blank)
    assert_eq!(
        alone(&p, github_claims(&[("iss", json!("foo"))])),
        "The JSON web token iss claim must be a valid HTTPS URL."
    ); // upstream: RejectsInvalidClaim(iss foo)
    assert_eq!(
        alone(
            &p,
            github_claims(&[(
                "iss",
                json!("http://login.microsoftonline.com/c311b905-19a2-483e-a014-41d0fcdc99cf/v2.0")
            )])
        ),
        "The JSON web token iss claim must be a valid HTTPS URL."
    ); // upstream: RejectsInvalidClaim(iss http)
    assert_eq!(
        alone(
            &p,
            github_claims(&[("iss", json!("https://localhost/custom"))])
        ),
        "The JSON web token iss claim is not supported."
    ); // upstream: RejectsInvalidClaim(iss unsupported)
    assert_eq!(
        alone(
            &p,
            github_claims(&[("aud", json!(["nuget.org", "microsoft.com"]))])
        ),
        "The JSON web token must have exactly one aud claim value."
    ); // upstream: RejectsMultipleAudiences
    assert_eq!(
        answer(
            &p,
            &[],
            github_claims(&[]),
            Some(TokenProblem::Signature(
                "the signature does not verify against the JWKS".into()
            ))
        ),
        "The JSON web token has an invalid signature."
    ); // upstream: ValidateTokenAsync (SecurityTokenInvalidSignatureException)
    assert_eq!(
        answer(&p, &[], github_claims(&[]), Some(TokenProblem::Expired)),
        "The JSON web token has expired."
    ); // upstream: ValidateTokenAsync (SecurityTokenExpiredException)
    assert_eq!(
        answer(&p, &[], github_claims(&[]), Some(TokenProblem::NotYetValid)),
        "The JSON web token is not yet valid."
    ); // upstream: ValidateTokenAsync (SecurityTokenNotYetValidException)
    assert_eq!(
        alone(&p, github_claims(&[("aud", json!("nuget.org"))])),
        "The JSON web token has an incorrect audience."
    ); // upstream: ValidateTokenAsync (SecurityTokenInvalidAudienceException)
    // derived: GitHub Enterprise Cloud's issuer has the same host, and not the exact issuer.
    assert_eq!(
        alone(
            &p,
            github_claims(&[(
                "iss",
                json!("https://token.actions.githubusercontent.com/octo-enterprise")
            )])
        ),
        "The JSON web token could not be validated."
    );
    assert_eq!(
        alone(
            &p,
            github_claims(&[("iss", json!("https://gitlab.example.com"))])
        ),
        "The JSON web token iss claim is not supported."
    );
    // The clock: .NET's default 300 s of clock skew.
    let now = 2_000_000_000;
    assert_eq!(TIMING.problem(Some(now - 300), None, None, now), None); // derived
    assert_eq!(
        TIMING.problem(Some(now - 301), None, None, now),
        Some(TokenProblem::Expired)
    ); // derived
    assert_eq!(
        TIMING.problem(Some(now + 9), Some(now + 301), None, now),
        Some(TokenProblem::NotYetValid)
    ); // derived
}

#[test]
fn policies_are_tried_oldest_first_and_errors_joined() {
    // upstream: NoMatchingPolicy_ReturnsAllDisclosableErrors: #0 disclosable, #1 not, #2 disclosable.
    let mut a = policy_p("");
    a.project = "a".into();
    a.workflow = "x.yml".into();
    let mut b = policy_p("");
    b.project = "b".into();
    b.repository = "other".into();
    let mut c = policy_p("prod");
    c.project = "c".into();
    let policies = [a.clone(), b, c.clone()];
    assert_eq!(
        answer(
            &a,
            &policies,
            github_claims(&[("environment", Value::Null)]),
            None
        ),
        "Workflow mismatch for policy 'a': expected 'x.yml', actual 'test.yml'. Environment mismatch for policy 'c': expected 'prod', actual ''"
    ); // upstream: NoMatchingPolicy_ReturnsAllDisclosableErrors
    // upstream: NoMatchingPolicyWhenEvaluatorFindsNoMatch: nothing disclosable.
    let mut elsewhere = policy_p("");
    elsewhere.owner = "someone-else".into();
    assert_eq!(alone(&elsewhere, github_claims(&[])), NO_POLICY); // upstream: NoMatchingPolicyWhenEvaluatorFindsNoMatch
    // upstream: PrefersOlderMatchingPolicy: the older policy wins, and the run is accepted.
    let mut older = policy_p("");
    older.project = "older".into();
    let newer = policy_p("");
    assert_eq!(
        answer(&newer, &[older, newer.clone()], github_claims(&[]), None),
        "200"
    ); // upstream: PrefersOlderMatchingPolicy
    // derived: a missing claim is repeated once per GitHub policy.
    let mut d = policy_p("");
    d.project = "d".into();
    assert_eq!(
        answer(
            &d,
            &[d.clone(), policy_p("")],
            github_claims(&[("event_name", Value::Null)]),
            None
        ),
        "The JSON Web Token is missing the required claim 'event_name'. The JSON Web Token is missing the required claim 'event_name'."
    );
}

fn form(fields: &[(&str, &str)]) -> (Vec<String>, Vec<(&'static str, String)>) {
    let get = |k: &str| -> Option<String> {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    let problems = (SPEC.form_problems)(Registry::NuGet, &get)
        .into_iter()
        .filter(|p| !p.advisory)
        .map(|p| p.message)
        .collect();
    (problems, (SPEC.normalize)(Registry::NuGet, &get))
}

#[test]
fn github_policy_form() {
    let stored = |key: &str, value: &str| {
        let mut fields = vec![
            ("owner", "test-owner"),
            ("repository", "repo-name"),
            ("workflow", "workflow.yml"),
        ];
        fields.retain(|(k, _)| *k != key);
        fields.push((key, value));
        let (problems, normalized) = form(&fields);
        assert!(problems.is_empty(), "{problems:?}");
        normalized
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or_else(|| value.to_owned(), |(_, v)| v)
    };
    assert_eq!(stored("repository", "repo-name"), "repo-name"); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(
        stored("repository", "https://github.com/test-owner/repo-name"),
        "repo-name"
    ); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(
        stored("repository", "github.com/test-owner/repo-name"),
        "repo-name"
    ); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(
        stored("repository", "github.com/test-owner/repo-name/"),
        "repo-name"
    ); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(stored("repository", "test-owner/repo-name"), "repo-name"); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(
        stored("repository", "https://github.com/TEST-OWNER/repo-name"),
        "repo-name"
    ); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(
        stored("repository", "https://github.com/different-owner/repo-name"),
        "https://github.com/different-owner/repo-name"
    ); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(
        stored("repository", "invalid/owner/repo"),
        "invalid/owner/repo"
    ); // upstream: NormalizeRepositoryName_HandlesVariousFormats
    assert_eq!(stored("workflow", "workflow.yml"), "workflow.yml"); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", ".github/workflows/workflow.yml"),
        "workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", "/.github/workflows/workflow.yml"),
        "workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", ".github/workflows\\workflow.yml"),
        "workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", "\\.github\\workflows\\workflow.yml"),
        "workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", ".github/workflows/nested/workflow.yml"),
        "nested/workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", "//.github/workflows/workflow.yml"),
        "//.github/workflows/workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        stored("workflow", "foo.github/workflows/workflow.yml"),
        "foo.github/workflows/workflow.yml"
    ); // upstream: NormalizeWorkflowFileName_HandlesVariousFormats
    assert_eq!(
        form(&[
            ("owner", "test-owner"),
            ("repository", "test-repo"),
            ("workflow", "")
        ])
        .0,
        ["The GitHub Action workflow file is required."]
    ); // upstream: RejectsInvalidCriteria (workflow empty)
    assert_eq!(
        form(&[
            ("owner", "test-owner"),
            ("repository", ""),
            ("workflow", "test.yml")
        ])
        .0,
        ["The GitHub repository is required."]
    ); // upstream: RejectsInvalidCriteria (repository empty)
    assert_eq!(
        form(&[
            ("owner", ""),
            ("repository", "test-repo"),
            ("workflow", "test.yml")
        ])
        .0,
        ["The GitHub repository owner is required."]
    ); // upstream: RejectsInvalidCriteria (owner empty)
    assert!(
        form(&[
            ("owner", "test-owner"),
            ("repository", "test-repo"),
            ("workflow", "test.yml"),
            ("environment", "production")
        ])
        .0
        .is_empty()
    ); // upstream: AcceptsPolicyWithEnvironment
    assert_eq!(
        form(&[
            ("project", &"p".repeat(65)),
            ("owner", "o"),
            ("repository", "r"),
            ("workflow", "w.yml")
        ])
        .0,
        ["The policy name cannot be longer than 64."]
    ); // derived: TokenPolicyValidator.ValidatePolicy
}

#[test]
fn gitlab_criteria() {
    let (problems, _) = form(&[("provider", "gitlab"), ("owner", ""), ("repository", "p")]);
    assert_eq!(problems, ["The GitLab namespace path is required."]); // upstream: RequiresNamespacePath
    let (problems, _) = form(&[("provider", "gitlab"), ("owner", "g"), ("repository", "")]);
    assert_eq!(problems, ["The GitLab project path is required."]); // upstream: RequiresProjectPath
    let stored = |typed: &str| gitlab::normalize_project_path(typed.trim());
    assert_eq!(stored("  my-project  "), "my-project"); // upstream: ProjectPathTrimsWhitespace
    assert_eq!(
        stored("https://gitlab.com/my-group/my-project"),
        "my-project"
    ); // derived: NormalizeProjectPath
    assert_eq!(stored("my-group/sub/my-project/"), "my-project"); // derived: NormalizeProjectPath
    assert_eq!(stored("https://gitlab.com/g/p?path=a/b"), "p"); // derived: NormalizeProjectPath
    let (_, normalized) = form(&[
        ("provider", "gitlab"),
        ("owner", "  my-namespace  "),
        ("repository", "p"),
        ("ref", "  main  "),
    ]);
    assert!(normalized.contains(&("owner", "my-namespace".into()))); // upstream: NamespacePathTrimsWhitespace
    assert!(normalized.contains(&("ref", "main".into()))); // upstream: RefTrimsAndNormalizesWhitespace
}
