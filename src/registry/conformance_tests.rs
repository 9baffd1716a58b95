//! The conformance table of the README, row by row: each registry's case rules, claims, pinned
//! ids, refused events and reason texts, from `shared/reference/registries-and-github-oidc.md`.

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::config::test_publisher;
use crate::identity::Claims;
use crate::identity::Registry;
use crate::identity::{Provider, Publisher};
use crate::registry::{EvidenceFacts, Judgement, Outcome};

/// A complete GitHub token's claims for `octo-org/widget`, workflow `release.yml`, environment
/// `release`, with the audience of `registry`.
fn claims(registry: Registry) -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://token.actions.githubusercontent.com", "aud": registry.audience(),
        "iat": 1_771_900_600, "nbf": 1_771_900_000, "exp": 1_771_900_900,
        "jti": "6f1e", "sub": "repo:octo-org/widget:environment:release",
        "repository": "octo-org/widget", "repository_owner": "octo-org", "repository_owner_id": "42",
        "repository_id": "7", "run_id": "1", "event_name": "push", "ref": "refs/tags/v1", "sha": "abc",
        "workflow_ref": "octo-org/widget/.github/workflows/release.yml@refs/tags/v1",
        "job_workflow_ref": "octo-org/widget/.github/workflows/release.yml@refs/tags/v1",
        "environment": "release",
    });
    v.as_object().unwrap().clone().into_iter().collect()
}

fn set(mut c: IndexMap<String, Value>, changes: &[(&str, Value)]) -> IndexMap<String, Value> {
    for (k, v) in changes {
        if v.is_null() {
            c.shift_remove(*k);
        } else {
            c.insert((*k).to_owned(), v.clone());
        }
    }
    c
}

fn publisher(registry: Registry) -> Publisher {
    let mut p = test_publisher(
        registry,
        "octo-org",
        "widget",
        Some("42"),
        "release.yml",
        "release",
    );
    p.project = "widget".into();
    p
}

fn judge(p: &Publisher, c: IndexMap<String, Value>) -> Judgement {
    let claims = Claims::complete(c);
    p.registry.judge(
        p,
        &EvidenceFacts {
            claims: &claims,
            is_token: true,
            token_rejected: None,
            declared: &[],
        },
    )
}

fn refusal(j: &Judgement) -> Option<(String, String)> {
    j.refusal
        .as_ref()
        .map(|r| (r.code.to_owned(), r.reason.clone()))
}

fn ok(j: &Judgement) {
    assert!(j.accepted(), "{:?}", j.refusal);
}

#[test]
fn every_registry_accepts_its_own_matching_token() {
    for r in Registry::ALL {
        ok(&judge(&publisher(r), claims(r)));
    }
}

#[test]
fn crates_io_folds_owner_repository_and_environment_case_but_not_the_workflow() {
    let r = Registry::CratesIo;
    let c = set(
        claims(r),
        &[
            ("repository", json!("Octo-Org/Widget")),
            ("environment", json!("RELEASE")),
        ],
    );
    ok(&judge(&publisher(r), c));
    let c = set(
        claims(r),
        &[(
            "workflow_ref",
            json!("octo-org/widget/.github/workflows/Release.yml@refs/tags/v1"),
        )],
    );
    assert_eq!(
        refusal(&judge(&publisher(r), c)),
        Some(("http-400".into(), "The Trusted Publishing config for repository `octo-org/widget` does not match the workflow filename `Release.yml` in the JWT. Expected workflow filenames: `release.yml`".into()))
    );
}

#[test]
fn crates_io_reason_texts() {
    let r = Registry::CratesIo;
    let p = publisher(r);
    let cases: Vec<(Vec<(&str, Value)>, &str)> = vec![
        (
            vec![("repository", json!("octo-org/other"))],
            "No Trusted Publishing config found for repository `octo-org/other`.",
        ),
        (
            vec![("repository_owner_id", json!("43"))],
            "The Trusted Publishing config for repository `octo-org/widget` does not match the repository owner ID (43) in the JWT. Expected owner IDs: 42. Please recreate the Trusted Publishing config to update the repository owner ID.",
        ),
        (
            vec![("environment", Value::Null)],
            "The Trusted Publishing config for repository `octo-org/widget` requires an environment, but the JWT does not specify one. Expected environments: `release`",
        ),
        (
            vec![("environment", json!("staging"))],
            "The Trusted Publishing config for repository `octo-org/widget` does not match the environment `staging` in the JWT. Expected environments: `release`",
        ),
        (
            vec![("event_name", json!("workflow_run"))],
            "Trusted Publishing does not support the `workflow_run` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`.",
        ),
        (
            vec![("event_name", json!("pull_request_target"))],
            "Trusted Publishing does not support the `pull_request_target` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`.",
        ),
        (vec![("aud", json!("pypi"))], "Failed to decode JWT"),
        (vec![("run_id", Value::Null)], "Failed to decode JWT"),
        (
            vec![("iss", json!("https://example.com"))],
            "Unsupported JWT issuer: https://example.com",
        ),
        (
            vec![("repository", json!("no-slash"))],
            "Unexpected `repository` value",
        ),
        (
            vec![(
                "workflow_ref",
                json!("octo-org/widget/.github/workflows/release.yml@"),
            )],
            "Unexpected `workflow_ref` value",
        ),
        (
            vec![("repository_owner_id", json!("not-a-number"))],
            "Unexpected `repository_owner_id` value",
        ),
    ];
    for (changes, text) in cases {
        let j = judge(&p, set(claims(r), &changes));
        assert_eq!(
            refusal(&j),
            Some(("http-400".into(), text.into())),
            "{changes:?}"
        );
    }
}

#[test]
fn one_reusable_workflow_token_pleases_pypi_and_not_crates_io() {
    // release.yml calls publish.yml; both registries declare publish.yml.
    for (r, accepted) in [
        (Registry::Pypi, true),
        (Registry::RubyGems, true),
        (Registry::NuGet, true),
        (Registry::CratesIo, false),
        (Registry::Npm, false),
    ] {
        let mut p = publisher(r);
        p.workflow = "publish.yml".into();
        let c = set(
            claims(r),
            &[(
                "job_workflow_ref",
                json!("octo-org/widget/.github/workflows/publish.yml@refs/tags/v1"),
            )],
        );
        let j = judge(&p, c);
        assert_eq!(j.accepted(), accepted, "{r}: {:?}", j.refusal);
        let f = j.field("workflow").unwrap();
        assert_eq!(
            f.claim,
            if accepted {
                "job_workflow_ref"
            } else {
                "workflow_ref"
            },
            "{r}"
        );
    }
}

#[test]
fn npm_compares_exactly_and_answers_package_not_found() {
    let r = Registry::Npm;
    let c = set(claims(r), &[("environment", json!("Release"))]);
    let j = judge(&publisher(r), c);
    assert_eq!(
        refusal(&j),
        Some((
            "http-404".into(),
            "OIDC token exchange error - package not found".into()
        ))
    );
    assert!(
        j.notes
            .iter()
            .any(|n| n.id == "registry-gives-no-detail" && n.text.contains("`environment`"))
    );
    let j = judge(
        &publisher(r),
        set(claims(r), &[("aud", json!("npm:example.com"))]),
    );
    assert_eq!(refusal(&j).unwrap().0, "http-401");
}

#[test]
fn rubygems_is_case_sensitive_answers_404_and_checks_token_types() {
    let r = Registry::RubyGems;
    for changes in [
        vec![("environment", json!("Release"))],
        vec![("repository", json!("Octo-Org/widget"))],
        vec![("repository_owner_id", json!("43"))],
    ] {
        let j = judge(&publisher(r), set(claims(r), &changes));
        assert_eq!(
            refusal(&j),
            Some(("http-404".into(), "Not Found".into())),
            "{changes:?}"
        );
        assert!(j.notes.iter().any(|n| n.id == "registry-gives-no-detail"));
    }
    let j = judge(&publisher(r), set(claims(r), &[("nbf", json!("soon"))]));
    assert_eq!(
        refusal(&j),
        Some(("http-400".into(), "Missing/invalid nbf".into()))
    );
    // An environment-less publisher accepts any environment.
    let mut p = publisher(r);
    p.environment = None;
    ok(&judge(&p, claims(r)));
}

#[test]
fn rubygems_accepts_a_reusable_workflow_of_another_repository_only_when_declared() {
    let r = Registry::RubyGems;
    let c = set(
        claims(r),
        &[(
            "job_workflow_ref",
            json!("octo-org/shared/.github/workflows/release.yml@refs/tags/v1"),
        )],
    );
    let j = judge(&publisher(r), c.clone());
    assert_eq!(refusal(&j).unwrap().0, "http-404");
    let mut p = publisher(r);
    p.workflow_repository = Some(("octo-org".into(), "shared".into()));
    ok(&judge(&p, c));
}

#[test]
fn nuget_folds_case_everywhere_and_names_the_policy() {
    let r = Registry::NuGet;
    let c = set(
        claims(r),
        &[
            ("repository", json!("OCTO-ORG/WIDGET")),
            (
                "job_workflow_ref",
                json!("OCTO-ORG/WIDGET/.github/workflows/RELEASE.yml@refs/tags/v1"),
            ),
            ("environment", json!("Release")),
        ],
    );
    ok(&judge(&publisher(r), c));
    let j = judge(
        &publisher(r),
        set(
            claims(r),
            &[(
                "job_workflow_ref",
                json!("octo-org/widget/.github/workflows/ci.yml@refs/tags/v1"),
            )],
        ),
    );
    assert_eq!(
        refusal(&j),
        Some((
            "http-401".into(),
            "Workflow mismatch for policy 'widget': expected 'release.yml', actual 'ci.yml'".into()
        ))
    );
    let j = judge(
        &publisher(r),
        set(claims(r), &[("environment", json!("staging"))]),
    );
    assert_eq!(
        refusal(&j),
        Some((
            "http-401".into(),
            "Environment mismatch for policy 'widget': expected 'release', actual 'staging'".into()
        ))
    );
    let j = judge(
        &publisher(r),
        set(claims(r), &[("repository_id", Value::Null)]),
    );
    assert_eq!(
        refusal(&j),
        Some((
            "http-401".into(),
            "The JSON Web Token is missing the required claim 'repository_id'.".into()
        ))
    );
    // A reusable workflow in another repository never matches.
    let j = judge(
        &publisher(r),
        set(
            claims(r),
            &[(
                "job_workflow_ref",
                json!("octo-org/shared/.github/workflows/release.yml@v1"),
            )],
        ),
    );
    assert!(
        refusal(&j)
            .unwrap()
            .1
            .starts_with("Claim 'job_workflow_ref' has value 'octo-org/shared/")
    );
    let j = judge(
        &publisher(r),
        set(claims(r), &[("repository", json!("someone/widget"))]),
    );
    assert_eq!(
        refusal(&j).unwrap().1,
        "No matching trust policy owned by user '<policy owner>' was found."
    );
}

fn gitlab_publisher() -> Publisher {
    let mut p = test_publisher(
        Registry::Pypi,
        "group/sub",
        "widget",
        None,
        "ci/release.yml",
        "pypi",
    );
    p.provider = Provider::GitLab;
    p
}

fn gitlab_claims() -> IndexMap<String, Value> {
    let v = json!({
        "iss": "https://gitlab.com", "aud": "pypi", "iat": 1, "nbf": 1, "exp": 2, "jti": "j",
        "sub": "project_path:group/sub/widget:ref_type:tag:ref:v1",
        "namespace_path": "group/sub", "project_path": "group/sub/widget",
        "ci_config_ref_uri": "gitlab.com/group/sub/widget//ci/release.yml@refs/tags/v1",
        "ref_path": "refs/tags/v1", "sha": "abc", "environment": "pypi",
    });
    v.as_object().unwrap().clone().into_iter().collect()
}

#[test]
fn gitlab_publishers_on_pypi() {
    let p = gitlab_publisher();
    ok(&judge(&p, gitlab_claims()));
    // Namespace and project fold case in the lookup; the ref check then compares the stored
    // spelling with the token's `ci_config_ref_uri`, which carries GitLab's (warehouse#18797).
    let j = judge(
        &p,
        set(
            gitlab_claims(),
            &[
                ("project_path", json!("Group/Sub/Widget")),
                (
                    "sub",
                    json!("project_path:Group/Sub/Widget:ref_type:tag:ref:v1"),
                ),
                (
                    "ci_config_ref_uri",
                    json!("gitlab.com/Group/Sub/Widget//ci/release.yml@refs/tags/v1"),
                ),
            ],
        ),
    );
    assert_eq!(j.field("namespace").unwrap().outcome, Outcome::Ok);
    assert!(
        refusal(&j)
            .unwrap()
            .1
            .starts_with("The ci_config_ref_uri claim does not match")
    );
    let j = judge(&p, set(gitlab_claims(), &[("environment", json!("PyPI"))]));
    assert_eq!(
        refusal(&j),
        Some((
            "invalid-publisher".into(),
            "Publisher with matching claims was not found".into()
        ))
    );
    assert_eq!(j.field("environment").unwrap().outcome, Outcome::Differs);
    let j = judge(
        &p,
        set(
            gitlab_claims(),
            &[(
                "ci_config_ref_uri",
                json!("gitlab.com/group/sub/widget//ci/release.yml@refs/heads/main"),
            )],
        ),
    );
    assert_eq!(
        refusal(&j).unwrap().1,
        "The ci_config_ref_uri claim does not match, expecting one of ['gitlab.com/group/sub/widget//ci/release.yml@abc', 'gitlab.com/group/sub/widget//ci/release.yml@refs/tags/v1'], got 'gitlab.com/group/sub/widget//ci/release.yml@refs/heads/main'"
    );
    let j = judge(
        &p,
        set(
            gitlab_claims(),
            &[(
                "ci_config_ref_uri",
                json!("gitlab.com/group/sub/widget/ci/release.yml@v1"),
            )],
        ),
    );
    assert_eq!(
        refusal(&j).unwrap().1,
        "Could not extract workflow filename from OIDC claims"
    );
    let j = judge(&p, set(gitlab_claims(), &[("ref_path", Value::Null)]));
    assert_eq!(refusal(&j).unwrap().1, "Missing claim 'ref_path'");
    // A GitHub token never matches a GitLab publisher, and the other way round.
    assert!(!judge(&p, claims(Registry::Pypi)).accepted());
    assert!(!judge(&publisher(Registry::Pypi), gitlab_claims()).accepted());
}

#[test]
fn audiences_are_the_registries_own() {
    let auds: Vec<&str> = Registry::ALL.iter().map(|r| r.audience()).collect();
    assert_eq!(
        auds,
        [
            "pypi",
            "testpypi",
            "crates.io",
            "npm:registry.npmjs.org",
            "rubygems.org",
            "https://www.nuget.org"
        ]
    );
}

/// A desired-state publisher of `provider` on `registry`, through the config's own parser.
fn declared(registry: Registry, provider: Provider) -> Publisher {
    let keys = match provider {
        Provider::GitLab => {
            let mut k = "namespace = \"group/sub\"\nrepository = \"widget\"\n".to_owned();
            if registry != Registry::NuGet {
                k.push_str("workflow = \".gitlab-ci.yml\"\n");
            }
            k
        }
        Provider::Google => "email = \"release@widget.iam.gserviceaccount.com\"\n".into(),
        Provider::ActiveState => {
            "organization = \"octo-org\"\nactivestate-project = \"widget\"\nactor = \"octo-bot\"\n"
                .into()
        }
        Provider::CircleCi => format!(
            "org-id = \"{U1}\"\nproject-id = \"{U2}\"\npipeline-definition-id = \"{U3}\"\nvcs-origin = \"github.com/octo-org/widget\"\n"
        ),
        Provider::GitHub => unreachable!(),
    };
    let text = format!(
        "[[publisher]]\nregistry = \"{}\"\nproject = \"widget\"\nprovider = \"{}\"\n{keys}",
        registry.id(),
        provider.id()
    );
    let state = crate::config::parse(crate::source::SourceFile::new("e.toml", text))
        .unwrap_or_else(|e| panic!("{registry} {provider:?}: {e}"));
    state.publishers[0].clone()
}

const U1: &str = "0b1f3c6e-2d4a-4b5c-8e9f-a0b1c2d3e4f5";
const U2: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const U3: &str = "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a";

/// A complete token of `provider` for the publisher [`declared`] writes.
fn token_of(registry: Registry, provider: Provider) -> IndexMap<String, Value> {
    let v = match provider {
        Provider::GitLab => json!({
            "iss": "https://gitlab.com", "aud": registry.audience(), "iat": 1, "nbf": 1, "exp": 2,
            "jti": "j", "sub": "project_path:group/sub/widget:ref_type:branch:ref:main",
            "namespace_path": "group/sub", "namespace_id": "7", "project_path": "group/sub/widget",
            "project_id": "8", "job_id": "9", "ref": "main", "ref_type": "branch",
            "ref_path": "refs/heads/main", "sha": "abc",
            "ci_config_ref_uri": "gitlab.com/group/sub/widget//.gitlab-ci.yml@refs/heads/main",
            "runner_environment": "gitlab-hosted",
        }),
        Provider::Google => json!({
            "iss": "https://accounts.google.com", "aud": registry.audience(), "iat": 1, "exp": 2,
            "sub": "111", "email": "release@widget.iam.gserviceaccount.com", "email_verified": true,
        }),
        Provider::ActiveState => json!({
            "iss": "https://platform.activestate.com/api/v1/oauth/oidc", "aud": registry.audience(),
            "iat": 1, "exp": 2, "jti": "j", "sub": "org:octo-org:project:widget",
            "organization": "octo-org", "project": "widget", "actor": "octo-bot",
            "actor_id": "00000000-0000-1000-8000-000000000002", "builder": "pypi-publisher",
        }),
        Provider::CircleCi => json!({
            "iss": format!("https://oidc.circleci.com/org/{U1}"), "aud": registry.audience(),
            "iat": 1, "exp": 2, "oidc.circleci.com/org-id": U1, "oidc.circleci.com/project-id": U2,
            "oidc.circleci.com/pipeline-definition-id": U3,
            "oidc.circleci.com/vcs-origin": "github.com/octo-org/widget",
        }),
        Provider::GitHub => return claims(registry),
    };
    v.as_object().unwrap().clone().into_iter().collect()
}

#[test]
fn every_kind_of_publisher_accepts_its_own_token_and_no_other_providers() {
    let mut kinds = 0;
    for registry in Registry::ALL {
        for keys in registry.spec().other_providers {
            kinds += 1;
            let p = declared(registry, keys.provider);
            let own = judge(&p, token_of(registry, keys.provider));
            assert!(
                own.accepted(),
                "{registry} {:?}: {:?}",
                keys.provider,
                own.refusal
            );
            for other in Provider::ALL.into_iter().filter(|o| *o != keys.provider) {
                let j = judge(&p, token_of(registry, other));
                assert!(
                    !j.accepted(),
                    "{registry} {:?} took a {other:?} token",
                    keys.provider
                );
            }
            // A GitHub publisher never takes this provider's token either.
            assert!(!judge(&publisher(registry), token_of(registry, keys.provider)).accepted());
            // The template names the registry's page and every declared value.
            let t = (registry.spec().template)(&p);
            assert!(!t.page.is_empty());
            for key in keys.required {
                let value = p.value(key).unwrap();
                assert!(
                    t.values.iter().any(|v| v.value.contains(value.as_str()))
                        || (*key == "repository"
                            && t.values.iter().any(|v| v.value.contains("widget"))),
                    "{registry} {key}"
                );
            }
        }
    }
    // PyPI and TestPyPI: GitLab, Google, ActiveState; crates.io: GitLab; npm: GitLab, CircleCI;
    // NuGet: GitLab.
    assert_eq!(kinds, 10);
}

#[test]
fn providers_a_registry_does_not_accept_are_config_errors() {
    for (registry, provider) in [
        ("pypi", "circleci"),
        ("rubygems", "gitlab"),
        ("crates-io", "google"),
        ("nuget", "activestate"),
    ] {
        let text = format!(
            "[[publisher]]\nregistry = \"{registry}\"\nproject = \"w\"\nprovider = \"{provider}\"\n"
        );
        let err = crate::config::parse(crate::source::SourceFile::new("e.toml", text)).unwrap_err();
        let crate::error::InputError::Config { diagnostics, .. } = err else {
            panic!("{registry} {provider}: not a config error");
        };
        assert!(
            diagnostics.iter().any(|d| d.message.contains("publishers")),
            "{registry} {provider}: {:?}",
            diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
}
