//! Jobs that request an OIDC token for something other than a package registry: signing and
//! attestations, cloud logins, GitHub Pages. A job with `id-token: write` that publishes to no
//! registry trustpub recognises and uses none of these is reported (`unrecognised-oidc-job`):
//! trustpub never stays silent about a token it cannot account for.

use super::FlatStep;

/// Actions (lowercased, without `@ref`) whose use of the job's OIDC token is not a registry
/// upload, with what they do.
pub const OTHER_CONSUMERS: &[(&str, &str)] = &[
    (
        "actions/attest-build-provenance",
        "a build provenance attestation",
    ),
    ("actions/attest", "an attestation"),
    ("actions/attest-sbom", "an SBOM attestation"),
    ("actions/deploy-pages", "a GitHub Pages deployment"),
    ("sigstore/gh-action-sigstore-python", "a Sigstore signature"),
    ("sigstore/cosign-installer", "Sigstore's cosign"),
    ("aws-actions/configure-aws-credentials", "an AWS login"),
    ("google-github-actions/auth", "a Google Cloud login"),
    ("azure/login", "an Azure login"),
    ("hashicorp/vault-action", "a Vault login"),
    ("codecov/codecov-action", "a Codecov upload"),
    ("docker/login-action", "a container registry login"),
    ("octo-sts/action", "an Octo STS token"),
    ("pulumi/auth-actions", "a Pulumi login"),
    ("jfrog/setup-jfrog-cli", "a JFrog login"),
    ("anchore/sbom-action", "an SBOM"),
    ("slsa-framework/slsa-github-generator", "SLSA provenance"),
    ("ossf/scorecard-action", "an OpenSSF Scorecard upload"),
    ("actions/upload-pages-artifact", "a GitHub Pages artifact"),
    ("sigstore/sigstore-conformance", "a Sigstore signature"),
    (
        "dart-lang/setup-dart",
        "a pub.dev upload (a registry trustpub does not judge)",
    ),
    (
        "anthropics/claude-code-action",
        "Claude Code's GitHub token exchange",
    ),
];

/// Commands whose use of the job's OIDC token is not a registry trustpub judges.
pub const OTHER_COMMANDS: &[(&[&str], &str)] = &[
    (
        &["dart", "pub", "publish"],
        "a pub.dev upload (a registry trustpub does not judge)",
    ),
    (
        &["flutter", "pub", "publish"],
        "a pub.dev upload (a registry trustpub does not judge)",
    ),
    (
        &["jsr", "publish"],
        "a JSR upload (a registry trustpub does not judge)",
    ),
    (
        &["deno", "publish"],
        "a JSR upload (a registry trustpub does not judge)",
    ),
    (&["cosign", "sign"], "a Sigstore signature"),
    (&["cosign", "attest"], "a Sigstore attestation"),
    (&["gh", "attestation"], "an attestation"),
    (
        &["pkg-pr-new", "publish"],
        "a pkg.pr.new preview (not a registry trustpub judges)",
    ),
];

/// Called reusable workflows from other repositories whose use of the token is known
/// (`owner/repo` prefixes).
pub const OTHER_WORKFLOWS: &[(&str, &str)] =
    &[("slsa-framework/slsa-github-generator/", "SLSA provenance")];

/// What the job does with its OIDC token besides publishing, when a step says.
pub fn other_use(steps: &[FlatStep<'_>]) -> Option<&'static str> {
    steps.iter().find_map(|s| {
        if let Some(name) = s.action_name()
            && let Some((_, what)) = OTHER_CONSUMERS
                .iter()
                .find(|(action, _)| name == *action || name.starts_with(&format!("{action}/")))
        {
            return Some(*what);
        }
        s.step.run.as_ref()?;
        OTHER_COMMANDS.iter().find_map(|(words, what)| {
            (!s.find(words, super::shell::Gap::None).is_empty()).then_some(*what)
        })
    })
}

/// What a called workflow from another repository does with the token, when known.
pub fn other_workflow_use(uses: &str) -> Option<&'static str> {
    OTHER_WORKFLOWS
        .iter()
        .find(|(prefix, _)| uses.to_ascii_lowercase().starts_with(prefix))
        .map(|(_, what)| *what)
}
