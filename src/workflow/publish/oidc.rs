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
];

/// Called reusable workflows from other repositories whose use of the token is known
/// (`owner/repo` prefixes).
pub const OTHER_WORKFLOWS: &[(&str, &str)] =
    &[("slsa-framework/slsa-github-generator/", "SLSA provenance")];

/// What the job does with its OIDC token besides publishing, when a step says.
pub fn other_use(steps: &[FlatStep<'_>]) -> Option<&'static str> {
    steps.iter().find_map(|s| {
        let name = s.action_name()?;
        OTHER_CONSUMERS
            .iter()
            .find(|(action, _)| name == *action || name.starts_with(&format!("{action}/")))
            .map(|(_, what)| *what)
    })
}

/// What a called workflow from another repository does with the token, when known.
pub fn other_workflow_use(uses: &str) -> Option<&'static str> {
    OTHER_WORKFLOWS
        .iter()
        .find(|(prefix, _)| uses.to_ascii_lowercase().starts_with(prefix))
        .map(|(_, what)| *what)
}
