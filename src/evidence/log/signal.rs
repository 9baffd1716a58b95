//! What a recognised message means: its stable id, the stage it makes fail, how much it says
//! about the cause, and what to do. The messages themselves, with their sources, are in the
//! ecosystem modules beside this one.

/// A stage of publishing, as the release playbook's T+3 step names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The job asks GitHub for an OIDC token.
    OidcToken,
    /// The token is exchanged with the registry for an upload token.
    TokenExchange,
    /// The files are uploaded.
    Upload,
    /// The published package is installed back.
    InstallSmoke,
    /// Attestations are generated or verified.
    Attestation,
}

impl Stage {
    /// The stable id used in JSON.
    pub fn id(&self) -> &'static str {
        match self {
            Stage::OidcToken => "oidc-token",
            Stage::TokenExchange => "token-exchange",
            Stage::Upload => "upload",
            Stage::InstallSmoke => "install-smoke",
            Stage::Attestation => "attestation",
        }
    }

    /// The stage's name.
    pub fn title(&self) -> &'static str {
        match self {
            Stage::OidcToken => "OIDC token retrieval",
            Stage::TokenExchange => "token exchange with the registry",
            Stage::Upload => "upload to the registry",
            Stage::InstallSmoke => "install smoke test",
            Stage::Attestation => "attestation",
        }
    }
}

/// How much a message says about why the run failed. The failed stage is the stage of the
/// first message of the strongest class the log shows, so a wrapper line
/// (`Trusted publishing exchange failure:`) never hides the cause printed under it
/// (`OpenID Connect token retrieval failed: ...`), and a symptom at the upload
/// (`Missing credentials for ...`) never hides an exchange failure printed before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// The cause itself.
    Cause,
    /// A consequence of an earlier failure the tool may have kept quiet about.
    Consequence,
    /// A wrapper whose following lines say what failed.
    Wrapper,
    /// Not a failure.
    Warning,
}

/// The messages trustpub recognises. Ids are a stable contract (JSON `signals[].id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// No OIDC token: `id-token: write` missing (`ACTIONS_ID_TOKEN_REQUEST_TOKEN ... unset`).
    MissingIdToken,
    /// No OIDC token because the run is a pull request from a fork.
    ForkPullRequest,
    /// The tool found no OIDC provider at all (not on GitHub Actions).
    OidcUnavailable,
    /// GitHub's token endpoint failed the request for a token.
    OidcRequestFailed,
    /// gh-action-pypi-publish's "Potential workflow misconfiguration" warning (not fatal).
    ReusableWorkflow,
    /// The index's audience endpoint failed.
    AudienceRetrieval,
    /// A tool's Trusted Publishing step failed; the lines after it say why.
    TrustedPublishingFailed,
    /// The registry refused the token exchange.
    ExchangeRefused,
    /// An upload failed; the lines after it say why.
    UploadFailed,
    /// The registry answered the exchange with something that is not its JSON.
    ExchangeResponseMalformed,
    /// The exchange failed, and the tool does not print the registry's answer (pdm, maturin).
    ExchangeReasonHidden,
    /// The upload had no credential at all: Trusted Publishing gave none, nothing else was set.
    NoCredentials,
    /// A publishing tool that cannot do Trusted Publishing (poetry, hatch) failed to upload.
    ToolWithoutTrustedPublishing,
    /// An upload refused with 403 for its credentials (the stored-token path).
    UploadForbidden,
    /// A stored password or token is empty (`TWINE_PASSWORD:` with no value).
    EmptyPassword,
    /// PyPI refuses username and password uploads.
    PasswordUploadsDisabled,
    /// The project does not exist and no pending publisher created it.
    ProjectCreationRefused,
    /// The minted token is not valid for the project uploaded.
    TokenNotValidForProject,
    /// The minted token expired (or was revoked) before the upload.
    TokenExpired,
    /// The version is already on the registry.
    VersionExists,
    /// crates.io: Trusted Publishing cannot create a new crate.
    CrateMustExist,
    /// crates.io: the crate accepts only Trusted Publishing, and a stored token was used.
    TrustedPublishingOnly,
    /// npm older than 11.5.1 (or a Node that bundles one) published: it has no OIDC.
    NpmTooOld,
    /// `npm error 404 Not Found - PUT ...`: the exchange failed or was skipped.
    NpmPutNotFound,
    /// `npm error code ENEEDAUTH`: no token at all after the exchange.
    NpmNeedAuth,
    /// `npm error code EOTP`: a stored token that needs a one-time password was used.
    NpmOtpRequired,
    /// `OIDC permission denied for this action`: npm refused the upload with the exchanged token.
    NpmActionDenied,
    /// npm refuses provenance (and Trusted Publishing) from a self-hosted runner.
    SelfHostedRunner,
    /// npm's provenance check: `repository.url` does not match the repository.
    ProvenanceRepositoryMismatch,
    /// `npm notice Access token expired or revoked`: a stored fallback token was sent.
    FallbackTokenRejected,
    /// `dotnet nuget push` refused the API key.
    NuGetKeyRefused,
    /// Attestations could not be generated or were refused.
    AttestationFailure,
    /// The push was retried without attestation (not fatal).
    AttestationSkipped,
    /// Installing the published package failed.
    InstallFailure,
}

impl SignalKind {
    /// The stable kebab-case id.
    pub fn id(&self) -> &'static str {
        match self {
            SignalKind::MissingIdToken => "missing-id-token",
            SignalKind::ForkPullRequest => "fork-pull-request",
            SignalKind::OidcUnavailable => "oidc-unavailable",
            SignalKind::OidcRequestFailed => "oidc-request-failed",
            SignalKind::ReusableWorkflow => "reusable-workflow",
            SignalKind::AudienceRetrieval => "audience-retrieval",
            SignalKind::TrustedPublishingFailed => "trusted-publishing-failed",
            SignalKind::ExchangeRefused => "exchange-refused",
            SignalKind::UploadFailed => "upload-failed",
            SignalKind::ExchangeResponseMalformed => "exchange-response-malformed",
            SignalKind::ExchangeReasonHidden => "exchange-reason-hidden",
            SignalKind::NoCredentials => "no-credentials",
            SignalKind::ToolWithoutTrustedPublishing => "tool-without-trusted-publishing",
            SignalKind::UploadForbidden => "upload-forbidden",
            SignalKind::EmptyPassword => "empty-password",
            SignalKind::PasswordUploadsDisabled => "password-uploads-disabled",
            SignalKind::ProjectCreationRefused => "project-creation-refused",
            SignalKind::TokenNotValidForProject => "token-not-valid-for-project",
            SignalKind::TokenExpired => "token-expired",
            SignalKind::VersionExists => "version-exists",
            SignalKind::CrateMustExist => "crate-must-exist",
            SignalKind::TrustedPublishingOnly => "trusted-publishing-only",
            SignalKind::NpmTooOld => "npm-too-old",
            SignalKind::NpmPutNotFound => "npm-put-not-found",
            SignalKind::NpmNeedAuth => "npm-need-auth",
            SignalKind::NpmOtpRequired => "npm-otp-required",
            SignalKind::NpmActionDenied => "npm-action-denied",
            SignalKind::SelfHostedRunner => "self-hosted-runner",
            SignalKind::ProvenanceRepositoryMismatch => "provenance-repository-mismatch",
            SignalKind::FallbackTokenRejected => "fallback-token-rejected",
            SignalKind::NuGetKeyRefused => "nuget-key-refused",
            SignalKind::AttestationFailure => "attestation-failure",
            SignalKind::AttestationSkipped => "attestation-skipped",
            SignalKind::InstallFailure => "install-failure",
        }
    }

    /// The stage this message makes fail; `None` when it is only a warning.
    pub fn stage(&self) -> Option<Stage> {
        use SignalKind as K;
        match self {
            K::MissingIdToken | K::ForkPullRequest | K::OidcUnavailable | K::OidcRequestFailed => {
                Some(Stage::OidcToken)
            }
            K::ReusableWorkflow
            | K::EmptyPassword
            | K::FallbackTokenRejected
            | K::AttestationSkipped => None,
            K::AudienceRetrieval
            | K::TrustedPublishingFailed
            | K::ExchangeRefused
            | K::ExchangeResponseMalformed
            | K::ExchangeReasonHidden
            | K::NoCredentials
            | K::NpmTooOld
            | K::NpmPutNotFound
            | K::NpmNeedAuth
            | K::NpmOtpRequired => Some(Stage::TokenExchange),
            K::ToolWithoutTrustedPublishing
            | K::UploadFailed
            | K::UploadForbidden
            | K::PasswordUploadsDisabled
            | K::ProjectCreationRefused
            | K::TokenNotValidForProject
            | K::TokenExpired
            | K::VersionExists
            | K::CrateMustExist
            | K::TrustedPublishingOnly
            | K::NpmActionDenied
            | K::SelfHostedRunner
            | K::ProvenanceRepositoryMismatch
            | K::NuGetKeyRefused => Some(Stage::Upload),
            K::AttestationFailure => Some(Stage::Attestation),
            K::InstallFailure => Some(Stage::InstallSmoke),
        }
    }

    /// How much the message says about the cause.
    pub fn class(&self) -> Class {
        use SignalKind as K;
        match self {
            K::TrustedPublishingFailed | K::UploadFailed => Class::Wrapper,
            K::NoCredentials
            | K::NpmPutNotFound
            | K::NpmNeedAuth
            | K::NpmOtpRequired
            | K::UploadForbidden => Class::Consequence,
            _ if self.stage().is_none() => Class::Warning,
            _ => Class::Cause,
        }
    }

    /// What to do about it.
    pub fn remedy(&self) -> &'static str {
        use SignalKind as K;
        match self {
            K::MissingIdToken => {
                "The job got no OIDC token: give the publishing job `permissions: id-token: write` (a job-level `permissions:` block replaces the workflow's, and `{}` removes it)."
            }
            K::ForkPullRequest => {
                "Runs of pull requests from forks never get an OIDC token: publish from a tag push, a release or workflow_dispatch instead."
            }
            K::OidcUnavailable => {
                "The tool found no OIDC provider: Trusted Publishing needs the job to run on GitHub Actions (or another CI the registry trusts), where the tool asks the runner for a token."
            }
            K::OidcRequestFailed => {
                "GitHub's token endpoint did not give the job a token: retry the job; if it keeps failing, check the audience the tool asks for and https://www.githubstatus.com/."
            }
            K::ReusableWorkflow => {
                "The job runs in a reusable workflow: PyPI matches the called file (`job_workflow_ref`), so the publisher must name that file, and it must live in the same repository."
            }
            K::AudienceRetrieval => {
                "The index named by `repository-url` does not offer Trusted Publishing there: check the URL (https://upload.pypi.org/legacy/ or https://test.pypi.org/legacy/)."
            }
            K::TrustedPublishingFailed => {
                "The publishing tool's Trusted Publishing step failed; the lines under it say why."
            }
            K::UploadFailed => "The upload failed; the lines under it say why.",
            K::ExchangeRefused => {
                "The registry refused the token: compare the claims with the publisher it holds (the verdicts above say which field differs, or that it holds none)."
            }
            K::ExchangeResponseMalformed => {
                "The registry answered with an error page, not its JSON: an outage or a proxy; retry later (PyPI: https://status.python.org/)."
            }
            K::ExchangeReasonHidden => {
                "The exchange failed and this tool does not print the registry's answer: run `trustpub preflight --exchange` in the job to get the registry's own reason, or compare the declared publisher with the run's claims (`trustpub explain --token`)."
            }
            K::NoCredentials => {
                "The upload had no credential: Trusted Publishing gave no token (an earlier line says why: no `id-token: write`, a refused exchange, or a tool that skipped it) and no other credential was set."
            }
            K::ToolWithoutTrustedPublishing => {
                "This tool cannot use Trusted Publishing (poetry and hatch upload only with a stored token): build with it, then publish with gh-action-pypi-publish, `uv publish`, twine or pdm, which exchange the job's OIDC token."
            }
            K::UploadForbidden => {
                "The upload used a stored token that the registry refused, so Trusted Publishing was not used: remove `password:` / `TWINE_PASSWORD` from the publishing step and grant `id-token: write`, or set a valid token secret."
            }
            K::EmptyPassword => {
                "A stored password or token is empty: the secret is not set for this repository or environment (or its name is misspelt)."
            }
            K::PasswordUploadsDisabled => {
                "PyPI refuses username and password uploads: use Trusted Publishing (no password, `id-token: write`) or an API token."
            }
            K::ProjectCreationRefused => {
                "The exchange worked, but the project does not exist and no pending publisher matched its name: check that the pending publisher's project name equals the name in your package metadata."
            }
            K::TokenNotValidForProject => {
                "The exchange worked, but the publisher that matched is attached to other projects: register the publisher on this project too."
            }
            K::TokenExpired => {
                "The upload token is short-lived (PyPI and RubyGems 15 minutes, crates.io 30) and revoked at the end of the job that made it: exchange it right before uploading, in the job that uploads."
            }
            K::VersionExists => {
                "This version is already on the registry, which never takes the same version twice: bump the version, or skip files that exist."
            }
            K::CrateMustExist => {
                "crates.io's Trusted Publishing cannot create a crate: publish its first version with an API token, then add the Trusted Publishing config on the crate's settings."
            }
            K::TrustedPublishingOnly => {
                "This crate accepts only Trusted Publishing, and the upload used a stored token: remove CARGO_REGISTRY_TOKEN from the secrets and pass `rust-lang/crates-io-auth-action`'s token."
            }
            K::NpmTooOld => {
                "npm older than 11.5.1 has no Trusted Publishing: it never exchanges the OIDC token and sends NODE_AUTH_TOKEN (setup-node's placeholder) instead. Use Node 24.5.0 or later, or run `npm install -g npm@latest` before publishing."
            }
            K::NpmPutNotFound => {
                "npm answered 404 to the upload: under Trusted Publishing this means the OIDC exchange failed or was skipped and npm sent another token (setup-node's placeholder NODE_AUTH_TOKEN, an expired NPM_TOKEN). Check npm 11.5.1 or later, `id-token: write`, and the publisher (the calling workflow's file, exactly); `npm publish --loglevel verbose` prints the exchange's own answer."
            }
            K::NpmNeedAuth => {
                "npm had no token for the upload: the OIDC exchange failed or was skipped (npm prints why only with `--loglevel verbose`) and no other token was configured. Check npm 11.5.1 or later, `id-token: write`, and the trusted publisher on npmjs.com."
            }
            K::NpmOtpRequired => {
                "npm asked for a one-time password: the upload used a stored token, not the exchanged one, so the OIDC exchange failed or was skipped. Remove NODE_AUTH_TOKEN / NPM_TOKEN and check the trusted publisher."
            }
            K::NpmActionDenied => {
                "The exchange worked, but npm refused the upload with the exchanged token: check the trusted publisher's allowed actions (`npm publish` or `npm stage publish`), the package's publishing access setting, and the case of every field."
            }
            K::SelfHostedRunner => {
                "npm accepts Trusted Publishing and provenance only from GitHub-hosted runners: run the publishing job on `ubuntu-latest` (or another GitHub-hosted image)."
            }
            K::ProvenanceRepositoryMismatch => {
                "npm checks provenance against `repository.url` in package.json: set it to https://github.com/OWNER/REPO exactly (case included)."
            }
            K::FallbackTokenRejected => {
                "npm sent a stored token (setup-node's placeholder, an expired NPM_TOKEN) because the OIDC exchange did not give it one."
            }
            K::NuGetKeyRefused => {
                "NuGet refused the API key: NuGet/login's key was not passed (check `steps.<id>.outputs.NUGET_API_KEY`), it expired, or the policy's package owner does not own this package."
            }
            K::AttestationFailure => {
                "Attestations failed: they need Trusted Publishing (no password) and `id-token: write`; set `attestations: false` to publish without them while you investigate."
            }
            K::AttestationSkipped => {
                "The push was retried without attestation: the gem is published, without its sigstore attestation."
            }
            K::InstallFailure => {
                "The package could not be installed back: the index may not have served the new version yet (retry after a minute), or the version or Python constraint does not match."
            }
        }
    }
}
