//! npm's vectors. The registry is closed source and publishes no tests: these come from the npm
//! CLI's own checks (npm 12.2.2, `lib/commands/trust/{github,gitlab,circleci}.js`, marked
//! `// upstream:` with the file), from npm's documentation (npm/documentation `404e183ea0c1`,
//! `trusted-publishers.mdx`: every field exact, the caller's workflow), and from the answers
//! quoted in issue reports (`// derived:`).

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::*;
use crate::identity::Claims;

fn form(fields: &[(&str, &str)]) -> Vec<String> {
    let get = |k: &str| -> Option<String> {
        fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    (SPEC.form_problems)(Registry::Npm, &get)
        .into_iter()
        .map(|p| p.message)
        .collect()
}

const UUID_A: &str = "0b1f3c6e-2d4a-4b5c-8e9f-a0b1c2d3e4f5";
const UUID_B: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const UUID_C: &str = "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a";

#[test]
fn trust_command_checks() {
    let gh = |wf: &str, owner: &str, repo: &str| {
        form(&[("owner", owner), ("repository", repo), ("workflow", wf)])
    };
    assert!(gh("release.yml", "octo-org", "widget").is_empty()); // upstream: lib/commands/trust/github.js
    assert_eq!(
        gh("", "o", "r"),
        ["GitHub Actions Workflow must be specified with the file option"]
    ); // upstream: lib/commands/trust/github.js
    assert_eq!(
        gh("release.YML", "o", "r"),
        ["GitHub Actions Workflow must end in .yml or .yaml"]
    ); // upstream: lib/commands/trust/github.js
    assert_eq!(
        gh(".github/workflows/release.yml", "o", "r"),
        ["GitHub Actions workflow must be just a file not a path"]
    ); // upstream: lib/commands/trust/github.js
    assert_eq!(
        gh("release.yml", "o", "a/b"),
        ["GitHub repository must be specified in the format owner/repository"]
    ); // upstream: lib/commands/trust/github.js
    let gl = |wf: &str, ns: &str, project: &str| {
        form(&[
            ("provider", "gitlab"),
            ("owner", ns),
            ("repository", project),
            ("workflow", wf),
        ])
    };
    assert!(gl(".gitlab-ci.yml", "group/sub", "project").is_empty()); // upstream: lib/commands/trust/gitlab.js
    assert_eq!(
        gl("ci.json", "g", "p"),
        ["GitLab CI/CD Pipeline must end in .yml or .yaml"]
    ); // upstream: lib/commands/trust/gitlab.js
    assert_eq!(
        gl("ci/release.yml", "g", "p"),
        ["GitLab CI/CD pipeline file must be just a file not a path"]
    ); // upstream: lib/commands/trust/gitlab.js
    assert_eq!(
        gl(".gitlab-ci.yml", "", "p"),
        ["GitLab project must be specified in the format group/project or group/subgroup/project"]
    ); // upstream: lib/commands/trust/gitlab.js
    let cc = |changes: &[(&str, &str)]| {
        let mut fields = vec![
            ("provider", "circleci"),
            ("org-id", UUID_A),
            ("project-id", UUID_B),
            ("pipeline-definition-id", UUID_C),
            ("vcs-origin", "github.com/octo-org/widget"),
        ];
        for (k, v) in changes {
            fields.retain(|(n, _)| n != k);
            fields.push((k, v));
        }
        form(&fields)
    };
    assert!(cc(&[]).is_empty()); // upstream: lib/commands/trust/circleci.js
    assert_eq!(cc(&[("org-id", "")]), ["org-id is required"]); // upstream: lib/commands/trust/circleci.js
    assert_eq!(cc(&[("project-id", "")]), ["project-id is required"]); // upstream: lib/commands/trust/circleci.js
    assert_eq!(
        cc(&[("pipeline-definition-id", "")]),
        ["pipeline-definition-id is required"]
    ); // upstream: lib/commands/trust/circleci.js
    assert_eq!(cc(&[("vcs-origin", "")]), ["vcs-origin is required"]); // upstream: lib/commands/trust/circleci.js
    assert_eq!(
        cc(&[("org-id", "not-a-uuid")]),
        ["org-id must be a valid UUID"]
    ); // upstream: lib/commands/trust/circleci.js
    assert_eq!(
        cc(&[("context-ids", "nope")]),
        ["context-id must be a valid UUID"]
    ); // upstream: lib/commands/trust/circleci.js
    assert_eq!(
        cc(&[("vcs-origin", "https://github.com/o/r")]),
        [
            "vcs-origin must not include a scheme (e.g., use 'github.com/owner/repo' not 'https://github.com/owner/repo')"
        ]
    ); // upstream: lib/commands/trust/circleci.js
    assert_eq!(
        cc(&[("vcs-origin", "github.com/o")]),
        ["vcs-origin must be in format 'provider/owner/repo'"]
    ); // upstream: lib/commands/trust/circleci.js
    assert!(circleci::is_uuid(&UUID_A.to_uppercase())); // upstream: lib/commands/trust/circleci.js (the pattern ignores case)
}

fn judge_claims(p: &Publisher, v: Value) -> Judgement {
    let c: IndexMap<String, Value> = v.as_object().unwrap().clone().into_iter().collect();
    let claims = Claims::complete(c);
    (SPEC.judge)(
        Registry::Npm,
        p,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: None,
            declared: &[],
        },
    )
}

fn code(j: &Judgement) -> Option<(&'static str, String)> {
    j.refusal.as_ref().map(|r| (r.code, r.reason.clone()))
}

#[test]
fn documented_matching() {
    let mut p = crate::config::test_publisher(
        Registry::Npm,
        "octo-org",
        "widget",
        None,
        "release.yml",
        "release",
    );
    p.project = "@octo/widget".into();
    let token = |changes: Value| {
        let mut v = json!({
            "iss": "https://token.actions.githubusercontent.com", "aud": "npm:registry.npmjs.org",
            "exp": 4_102_444_800_i64, "repository": "octo-org/widget", "repository_owner": "octo-org",
            "workflow_ref": "octo-org/widget/.github/workflows/release.yml@refs/tags/v1",
            "job_workflow_ref": "octo-org/widget/.github/workflows/publish.yml@refs/tags/v1",
            "environment": "release", "runner_environment": "github-hosted",
        });
        for (k, val) in changes.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    assert_eq!(code(&judge_claims(&p, token(json!({})))), None); // derived: docs, the caller's file is matched
    let not_found = Some(("http-404", NOT_FOUND.to_owned()));
    assert_eq!(
        code(&judge_claims(&p, token(json!({"environment": "Release"})))),
        not_found
    ); // derived: docs, "All fields are case-sensitive and must be exact"
    assert_eq!(
        code(&judge_claims(
            &p,
            token(json!({"repository": "Octo-Org/widget"}))
        )),
        not_found
    ); // derived: docs, case
    assert_eq!(
        code(&judge_claims(&p, token(json!({"aud": "npm:example.com"})))),
        Some(("http-401", UNAUTHORIZED.to_owned()))
    ); // derived: gjsify/gjsify#512, an exchange npm does not accept
    let j = judge_claims(
        &p,
        token(json!({"sub": "repo:octo-org@1/widget@2:environment:release"})),
    );
    assert!(
        j.notes
            .iter()
            .any(|n| n.id == "immutable-subject" && n.text.contains("npm/cli#9969"))
    ); // derived: npm/cli#9969
    // GitLab.
    let mut gl = crate::config::test_publisher(
        Registry::Npm,
        "group/sub",
        "widget",
        None,
        ".gitlab-ci.yml",
        "",
    );
    gl.provider = Provider::GitLab;
    let gitlab_token = |changes: Value| {
        let mut v = json!({
            "iss": "https://gitlab.com", "aud": "npm:registry.npmjs.org", "exp": 4_102_444_800_i64,
            "project_path": "group/sub/widget",
            "ci_config_ref_uri": "gitlab.com/group/sub/widget//.gitlab-ci.yml@refs/tags/v1",
            "runner_environment": "gitlab-hosted",
        });
        for (k, val) in changes.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    assert_eq!(code(&judge_claims(&gl, gitlab_token(json!({})))), None); // derived: docs, GitLab
    assert_eq!(
        code(&judge_claims(
            &gl,
            gitlab_token(json!({"project_path": "Group/sub/widget"}))
        )),
        not_found
    ); // derived: docs, case
    assert_eq!(
        code(&judge_claims(
            &gl,
            gitlab_token(json!({"iss": "https://gitlab.example.com"}))
        )),
        Some(("http-401", UNAUTHORIZED.to_owned()))
    ); // derived: docs, GitLab.com only
    // CircleCI.
    let mut cc = crate::config::test_publisher(Registry::Npm, "", "", None, "", "");
    cc.provider = Provider::CircleCi;
    for (k, v) in [
        ("org-id", UUID_A),
        ("project-id", UUID_B),
        ("pipeline-definition-id", UUID_C),
        ("vcs-origin", "github.com/octo-org/widget"),
        ("context-ids", UUID_B),
    ] {
        cc.extra.insert(k.into(), v.into());
    }
    let circle_token = |changes: Value| {
        let mut v = json!({
            "iss": format!("https://oidc.circleci.com/org/{UUID_A}"), "aud": "npm:registry.npmjs.org",
            "exp": 4_102_444_800_i64,
            "oidc.circleci.com/org-id": UUID_A, "oidc.circleci.com/project-id": UUID_B,
            "oidc.circleci.com/pipeline-definition-id": UUID_C,
            "oidc.circleci.com/vcs-origin": "github.com/octo-org/widget",
            "oidc.circleci.com/context-ids": [UUID_A, UUID_B],
        });
        for (k, val) in changes.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    assert_eq!(code(&judge_claims(&cc, circle_token(json!({})))), None); // derived: docs, CircleCI
    assert_eq!(
        code(&judge_claims(
            &cc,
            circle_token(json!({"oidc.circleci.com/vcs-origin": "github.com/octo-org/other"}))
        )),
        not_found
    ); // derived: docs, CircleCI
    assert_eq!(
        code(&judge_claims(
            &cc,
            circle_token(json!({"oidc.circleci.com/context-ids": [UUID_A]}))
        )),
        not_found
    ); // derived: trustpub's reading of the context ids
}
