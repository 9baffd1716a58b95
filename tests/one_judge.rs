//! One judge: `check`'s identity verdict on a workflow equals what `explain` decides on the
//! tokens `check` predicts for it, for every registry. Workflows (inline or through a reusable
//! workflow, with each kind of trigger and environment) and desired states (each workflow file,
//! environment case and owner case) are generated; `check` runs on them, its JSON output's
//! `sites[].predicted[].claims` go to `explain` as claims documents, and the two must agree:
//! `check` reports an identity finding for the publisher exactly when the registry refuses one
//! of the tokens.

use proptest::prelude::*;
use trustpub::check::{self, Inputs};
use trustpub::evidence::Evidence;
use trustpub::explain::{self, Selection};
use trustpub::identity::Registry;
use trustpub::source::SourceFile;
use trustpub::workflow::Workflow;

/// The rules that say a registry would refuse the identity. `repository-mismatch` counts at
/// any severity: it is a warning only because a remote's casing may not be GitHub's, and the
/// test's repository is authoritative.
const IDENTITY_RULES: &[&str] = &[
    "environment-mismatch",
    "reusable-workflow",
    "publish-job-missing",
    "workflow-missing",
    "pull-request-target",
    "refused-trigger",
    "repository-mismatch",
    "registry-mismatch",
];

/// The publishing steps of each registry, with Trusted Publishing.
fn steps(registry: Registry) -> &'static str {
    match registry {
        Registry::Pypi => "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
        Registry::TestPypi => {
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with: {repository-url: 'https://test.pypi.org/legacy/'}\n"
        }
        Registry::CratesIo => {
            "      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n      - run: cargo publish\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}\n"
        }
        Registry::Npm => {
            "      - uses: actions/setup-node@v5\n        with: {node-version: 24}\n      - run: npm publish\n"
        }
        Registry::RubyGems => "      - uses: rubygems/release-gem@v1\n",
        Registry::NuGet => {
            "      - uses: NuGet/login@v1\n        id: login\n        with: {user: octo-bot}\n      - run: dotnet nuget push out/widget.nupkg --api-key ${{ steps.login.outputs.NUGET_API_KEY }} --source https://api.nuget.org/v3/index.json\n"
        }
    }
}

const TRIGGERS: &[&str] = &[
    "push: {tags: ['v*']}",
    "release: {types: [published]}",
    "workflow_dispatch:",
    "pull_request_target:",
    "workflow_run: {workflows: [ci], types: [completed]}",
    "pull_request:",
];

const ENVIRONMENTS: &[Option<&str>] = &[
    None,
    Some("release"),
    Some("Release"),
    Some("pypi"),
    Some("${{ inputs.env }}"),
];

#[derive(Debug, Clone)]
struct Case {
    registry: Registry,
    reusable: bool,
    callee_dispatch: bool,
    trigger: usize,
    job_env: usize,
    declared_workflow: &'static str,
    declared_env: Option<&'static str>,
    declared_owner: &'static str,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..Registry::ALL.len(),
        any::<bool>(),
        any::<bool>(),
        0..TRIGGERS.len(),
        0..ENVIRONMENTS.len(),
        prop::sample::select(vec!["release.yml", "publish.yml"]),
        prop::sample::select(vec![
            None,
            Some("release"),
            Some("Release"),
            Some("RELEASE"),
        ]),
        prop::sample::select(vec!["octo-org", "Octo-Org"]),
    )
        .prop_map(
            |(r, reusable, callee_dispatch, trigger, job_env, wf, env, owner)| Case {
                registry: Registry::ALL[r],
                reusable,
                callee_dispatch,
                trigger,
                job_env,
                declared_workflow: wf,
                declared_env: env,
                declared_owner: owner,
            },
        )
}

fn job(c: &Case) -> String {
    let env = match ENVIRONMENTS[c.job_env] {
        Some(e) => format!("    environment: {e}\n"),
        None => String::new(),
    };
    format!(
        "  publish:\n    runs-on: ubuntu-latest\n{env}    permissions: {{id-token: write}}\n    steps:\n{}",
        steps(c.registry)
    )
}

fn workflows(c: &Case) -> Vec<Workflow> {
    let on = format!("on:\n  {}\n", TRIGGERS[c.trigger]);
    let mut files = Vec::new();
    if c.reusable {
        files.push((
            "release.yml",
            format!("{on}jobs:\n  call:\n    uses: ./.github/workflows/publish.yml\n    permissions: {{id-token: write}}\n"),
        ));
        let callee_on = if c.callee_dispatch {
            "on:\n  workflow_call:\n  workflow_dispatch:\n"
        } else {
            "on: workflow_call\n"
        };
        files.push(("publish.yml", format!("{callee_on}jobs:\n{}", job(c))));
    } else {
        files.push(("release.yml", format!("{on}jobs:\n{}", job(c))));
    }
    files
        .into_iter()
        .map(|(name, text)| {
            Workflow::parse(
                std::path::Path::new(&format!(".github/workflows/{name}")),
                text,
            )
            .unwrap()
        })
        .collect()
}

fn desired(c: &Case) -> String {
    let mut t = format!(
        "[[publisher]]\nregistry = \"{}\"\nproject = \"widget\"\nowner = \"{}\"\nrepository = \"widget\"\nworkflow = \"{}\"\n",
        c.registry.id(),
        c.declared_owner,
        c.declared_workflow
    );
    if let Some(e) = c.declared_env {
        t.push_str(&format!("environment = \"{e}\"\n"));
    }
    if c.registry == Registry::NuGet {
        t.push_str("policy-owner = \"octo-bot\"\n");
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    })]

    #[test]
    fn checks_identity_verdict_is_the_registrys_verdict_on_the_predicted_tokens(c in case()) {
        let toml = desired(&c);
        let state = trustpub::config::parse(SourceFile::new("expected-publishers.toml", toml.clone())).unwrap();
        let report = check::check(Inputs {
            desired: state,
            config_problems: Vec::new(),
            workflows: workflows(&c),
            unreadable: Vec::new(),
            unreadable_sources: Vec::new(),
            repository: check::Repository::parse("octo-org/widget", "test"),
            complete: true,
            files: Default::default(),
        });
        let json = serde_json::to_value(trustpub::render::check::json(&report)).unwrap();
        let flagged: Vec<String> = report
            .findings
            .iter()
            .filter(|d| IDENTITY_RULES.contains(&d.rule))
            .filter(|d| d.rule == "repository-mismatch" || d.severity == trustpub::diag::Severity::Error)
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();

        let desired = trustpub::config::parse(SourceFile::new("expected-publishers.toml", toml)).unwrap();
        let mut refusals = Vec::new();
        let mut tokens = 0;
        for site in json["sites"].as_array().unwrap() {
            prop_assert_eq!(site["registry"].as_str(), Some(c.registry.id()), "one site, of the case's registry");
            for predicted in site["predicted"].as_array().unwrap() {
                tokens += 1;
                let claims = serde_json::to_string(&predicted["claims"]).unwrap();
                let evidence = Evidence::from_claims_json(&claims, "predicted").unwrap();
                let explained = explain::explain(
                    &desired,
                    evidence,
                    &Selection { registry: Some(c.registry), project: None },
                );
                for r in &explained.results {
                    if let Some(refusal) = &r.judgement.refusal {
                        refusals.push(format!("{}: {}", predicted["via"], refusal.reason));
                    }
                }
            }
        }
        prop_assert!(tokens > 0, "every generated job runs some way");
        prop_assert_eq!(
            !flagged.is_empty(),
            !refusals.is_empty(),
            "check: {:?}\nexplain: {:?}\ncase: {:?}\n{}",
            flagged,
            refusals,
            c,
            serde_json::to_string_pretty(&json["sites"]).unwrap()
        );
    }
}
