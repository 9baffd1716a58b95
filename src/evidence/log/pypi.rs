//! PyPI and TestPyPI: gh-action-pypi-publish, uv, twine, pdm, maturin, poetry and hatch, and
//! the index's answers as each prints them.
//!
//! Sources (texts quoted verbatim; `/work/research/tool-logs.md` §1-4):
//! - pypa/gh-action-pypi-publish `oidc-exchange.py`, `twine-upload.sh`, `attestations.py`
//!   (git 81e9d935c883 and the newest index copies);
//! - astral-sh/uv @26a9dd4b2125 `crates/uv-publish/src/trusted_publishing.rs`,
//!   `crates/uv/src/commands/publish.rs`, `crates/uv-auth/src/middleware.rs`, and the texts of
//!   older releases from its history (0.4.28 0044000ed3e8, 0.6.7 b4eabf9a61e9);
//! - astral-sh/ambient-id @11d56b6a3430 `src/github.rs`;
//! - pypa/twine @f536ac5d0c77 `twine/auth.py`, `twine/__main__.py`;
//! - pdm-project/pdm @a7e9d0015b4d `src/pdm/cli/commands/publish/repository.py`;
//! - PyO3/maturin @9ad2a8c02993 `src/upload.rs`;
//! - python-poetry/poetry @f46702336862 `src/poetry/publishing/uploader.py`;
//! - pypa/hatch @ed8e30bebf98 `src/hatch/publish/index.py`;
//! - pypi/warehouse @6b62157124ab `warehouse/forklift/legacy.py`, `warehouse/oidc/views.py`,
//!   `warehouse/macaroons/caveats/__init__.py` (the index's own texts).

use serde_json::Value;

use super::{Answer, Needle, SignalKind as K};
use crate::identity::Registry;

const PYPI: Option<Registry> = Some(Registry::Pypi);

/// PyPI's messages, causes before wrappers.
pub(super) const NEEDLES: &[Needle] = &[
    // Stage A: the OIDC token.
    Needle {
        // uv >= 0.8.18 `TrustedPublishingError::GitHubPermissions`.
        all: &["Failed to obtain OIDC token: is the `id-token: write` permission missing?"],
        kind: K::MissingIdToken,
        registry: PYPI,
    },
    Needle {
        // ambient-id 0.0.11 `src/github.rs`.
        all: &["insufficient permissions: missing ACTIONS_ID_TOKEN_REQUEST_"],
        kind: K::MissingIdToken,
        registry: PYPI,
    },
    Needle {
        // uv 0.4.28-0.8.17: `Environment variable {0} not set, is the `id-token: write`
        // permission missing?`
        all: &["Environment variable ACTIONS_ID_TOKEN_REQUEST_"],
        kind: K::MissingIdToken,
        registry: PYPI,
    },
    Needle {
        // gh-action-pypi-publish `_detect_credential` outside GitHub Actions.
        all: &["Attempted to discover OIDC in broken environment"],
        kind: K::OidcUnavailable,
        registry: PYPI,
    },
    Needle {
        // uv `TrustedPublishingError::NoToken`.
        all: &["No OIDC token discovered: are you in a supported trusted publishing environment?"],
        kind: K::OidcUnavailable,
        registry: PYPI,
    },
    Needle {
        // twine `auth.py`.
        all: &["This environment is not supported for trusted publishing"],
        kind: K::OidcUnavailable,
        registry: PYPI,
    },
    Needle {
        // pdm `_get_pypi_token_via_oidc`.
        all: &["This platform is not supported for trusted publishing via OIDC"],
        kind: K::OidcUnavailable,
        registry: PYPI,
    },
    Needle {
        // twine: `Unable to retrieve an OIDC token from the CI platform for trusted publishing
        // {e}` (a missing permission is caught above by id's own text).
        all: &["Unable to retrieve an OIDC token from the CI platform for trusted publishing"],
        kind: K::OidcRequestFailed,
        registry: PYPI,
    },
    Needle {
        // pdm: `Unable to detect OIDC token for CI platform: {e}`.
        all: &["Unable to detect OIDC token for CI platform"],
        kind: K::OidcRequestFailed,
        registry: PYPI,
    },
    Needle {
        // gh-action-pypi-publish `_TOKEN_RETRIEVAL_FAILED_MESSAGE`, when id's reason is not
        // one of the texts above.
        all: &["OpenID Connect token retrieval failed"],
        kind: K::MissingIdToken,
        registry: PYPI,
    },
    Needle {
        all: &["Potential workflow misconfiguration"],
        kind: K::ReusableWorkflow,
        registry: PYPI,
    },
    // Stage B: the exchange.
    Needle {
        // `audience retrieval failed: repository at {domain} has trusted publishing disabled`.
        all: &["audience retrieval failed"],
        kind: K::AudienceRetrieval,
        registry: PYPI,
    },
    Needle {
        // uv: ``Failed to fetch: `https://.../_/oidc/audience` ``; twine: `HTTPError: 404 Not
        // Found from https://.../_/oidc/audience`.
        all: &["/_/oidc/audience", "Failed to fetch"],
        kind: K::AudienceRetrieval,
        registry: PYPI,
    },
    Needle {
        all: &["/_/oidc/audience", "HTTPError"],
        kind: K::AudienceRetrieval,
        registry: PYPI,
    },
    Needle {
        // twine `InvalidPyPIUploadURL`.
        all: &["It appears you're trying to upload to pypi.org but have an invalid URL"],
        kind: K::AudienceRetrieval,
        registry: PYPI,
    },
    Needle {
        // `_SERVER_TOKEN_RESPONSE_MALFORMED_JSON`, `_SERVER_TOKEN_RESPONSE_MALFORMED_MESSAGE`.
        all: &["Token request failed: the index produced an unexpected"],
        kind: K::ExchangeResponseMalformed,
        registry: PYPI,
    },
    Needle {
        all: &["Token response error"],
        kind: K::ExchangeResponseMalformed,
        registry: PYPI,
    },
    Needle {
        // twine.
        all: &["The token-minting request returned invalid JSON"],
        kind: K::ExchangeResponseMalformed,
        registry: PYPI,
    },
    Needle {
        all: &["Expected a trusted publishing token but got None"],
        kind: K::ExchangeResponseMalformed,
        registry: PYPI,
    },
    Needle {
        // `_SERVER_REFUSED_TOKEN_EXCHANGE_MESSAGE`.
        all: &["Token request failed: the server refused the request"],
        kind: K::ExchangeRefused,
        registry: PYPI,
    },
    Needle {
        // twine: `The token request failed; the index server gave the following reasons:`.
        all: &["The token request failed; the index server gave"],
        kind: K::ExchangeRefused,
        registry: PYPI,
    },
    Needle {
        // uv >= 0.9.27 `TokenRejected`: `Server returned error code {0}, is trusted publishing
        // correctly configured?`; before: `PyPI returned error code ...`.
        all: &[
            "returned error code",
            "is trusted publishing correctly configured?",
        ],
        kind: K::ExchangeRefused,
        registry: PYPI,
    },
    Needle {
        // uv `InvalidOidcToken`.
        all: &[
            "returned error code",
            "and the OIDC has an unexpected format",
        ],
        kind: K::ExchangeRefused,
        registry: PYPI,
    },
    Needle {
        // pdm: every `httpx.HTTPError` of the exchange, reasons not shown.
        all: &["Failed to get PyPI token via OIDC"],
        kind: K::ExchangeReasonHidden,
        registry: PYPI,
    },
    Needle {
        // maturin: `Failed to resolve PyPI token via OIDC: {e}` (a refusal shows only as a
        // JSON decoding error of the answer).
        all: &["Failed to resolve PyPI token via OIDC"],
        kind: K::ExchangeReasonHidden,
        registry: PYPI,
    },
    Needle {
        // gh-action-pypi-publish `die()`: `::error::Trusted publishing exchange failure: {msg}`
        // (the message starts on the next line).
        all: &["Trusted publishing exchange failure"],
        kind: K::TrustedPublishingFailed,
        registry: PYPI,
    },
    Needle {
        // uv `automatic` mode: `error: Trusted publishing failed`, then the causes.
        all: &["Trusted publishing failed"],
        kind: K::TrustedPublishingFailed,
        registry: PYPI,
    },
    Needle {
        // uv `always` mode: `error: Failed to obtain token for trusted publishing`.
        all: &["Failed to obtain token for trusted publishing"],
        kind: K::TrustedPublishingFailed,
        registry: PYPI,
    },
    Needle {
        all: &["TrustedPublishingFailure"],
        kind: K::TrustedPublishingFailed,
        registry: PYPI,
    },
    // Stage C: the upload, after the exchange or without it.
    Needle {
        // uv `crates/uv-auth/src/middleware.rs`: the upload after a quiet failure.
        all: &["Missing credentials for"],
        kind: K::NoCredentials,
        registry: PYPI,
    },
    Needle {
        // maturin `main.rs` cause.
        all: &["Credentials not found and non-interactive mode is enabled"],
        kind: K::NoCredentials,
        registry: PYPI,
    },
    Needle {
        // pdm `core.py`: `[PdmUsageError]: Username and password are required`.
        all: &["Username and password are required"],
        kind: K::NoCredentials,
        registry: PYPI,
    },
    Needle {
        // hatch: `Error uploading to repository: {repo} - {httpx error}`.
        all: &["Error uploading to repository", "403"],
        kind: K::ToolWithoutTrustedPublishing,
        registry: PYPI,
    },
    Needle {
        // hatch without credentials, non-interactive.
        all: &["Missing required option: user"],
        kind: K::ToolWithoutTrustedPublishing,
        registry: PYPI,
    },
    Needle {
        // poetry `UploadError`: `HTTP Error {status}: {reason} | {content!r}`.
        all: &["HTTP Error 403:"],
        kind: K::ToolWithoutTrustedPublishing,
        registry: PYPI,
    },
    Needle {
        // warehouse `forklift/legacy.py`, through every client.
        all: &["Non-user identities cannot create new projects"],
        kind: K::ProjectCreationRefused,
        registry: PYPI,
    },
    Needle {
        all: &["OIDC scoped token is not valid for project"],
        kind: K::TokenNotValidForProject,
        registry: PYPI,
    },
    Needle {
        all: &["isn't allowed to upload to project"],
        kind: K::TokenNotValidForProject,
        registry: PYPI,
    },
    Needle {
        // `Invalid API Token: token is expired` (macaroon `Expiration` caveat).
        all: &["token is expired"],
        kind: K::TokenExpired,
        registry: PYPI,
    },
    Needle {
        // twine-upload.sh, newest: the message of `::error title=Password-based uploads
        // disabled::` (the title never reaches the log).
        all: &["As of 2024, PyPI requires all users to enable Two-Factor Authentication"],
        kind: K::PasswordUploadsDisabled,
        registry: PYPI,
    },
    Needle {
        all: &["Username/Password authentication is no longer supported"],
        kind: K::PasswordUploadsDisabled,
        registry: PYPI,
    },
    Needle {
        all: &["Password-based uploads disabled"],
        kind: K::PasswordUploadsDisabled,
        registry: PYPI,
    },
    Needle {
        // twine-upload.sh `EMPTY TOKEN` warning body.
        all: &["It looks like you have not passed a password or it is otherwise empty"],
        kind: K::EmptyPassword,
        registry: PYPI,
    },
    Needle {
        all: &["EMPTY TOKEN"],
        kind: K::EmptyPassword,
        registry: PYPI,
    },
    Needle {
        all: &["Invalid or non-existent authentication information"],
        kind: K::UploadForbidden,
        registry: PYPI,
    },
    Needle {
        all: &["HTTPError: 403 Forbidden"],
        kind: K::UploadForbidden,
        registry: PYPI,
    },
    Needle {
        all: &["Client error '403 Forbidden' for url"],
        kind: K::UploadForbidden,
        registry: PYPI,
    },
    Needle {
        all: &["403 Forbidden from"],
        kind: K::UploadForbidden,
        registry: PYPI,
    },
    Needle {
        // warehouse: `400 File already exists ('{filename}', with blake2_256 hash ...)`;
        // maturin: `File already exists: {body}`.
        all: &["File already exists"],
        kind: K::VersionExists,
        registry: PYPI,
    },
    Needle {
        all: &["This filename was previously used by a file that has since been deleted"],
        kind: K::VersionExists,
        registry: PYPI,
    },
    Needle {
        all: &["Attestation generation failure"],
        kind: K::AttestationFailure,
        registry: PYPI,
    },
    Needle {
        all: &["Invalid attestations supplied during upload"],
        kind: K::AttestationFailure,
        registry: PYPI,
    },
    Needle {
        all: &["No matching distribution found for"],
        kind: K::InstallFailure,
        registry: PYPI,
    },
    Needle {
        all: &["Could not find a version that satisfies the requirement"],
        kind: K::InstallFailure,
        registry: PYPI,
    },
];

/// The index's answers on a line that is not a bullet: uv prints the body,
/// `Response: {"message": "Token request failed", "errors": [{"code": ..., "description":
/// ...}]}` (warehouse `oidc/views.py` `_invalid`, HTTP 422).
pub(super) fn answers(line: &str) -> Vec<Answer> {
    let Some(rest) = line
        .split_once("Response: {")
        .map(|(_, r)| format!("{{{r}"))
    else {
        return Vec::new();
    };
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(&rest) else {
        return Vec::new();
    };
    let Some(Value::Array(errors)) = obj.get("errors") else {
        return Vec::new();
    };
    errors
        .iter()
        .filter_map(|e| {
            Some((
                e.get("code")?.as_str()?.to_owned(),
                e.get("description")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// An environment dump line of a step header, `TWINE_PASSWORD: ` with nothing after it.
pub(super) fn is_empty_password_env(line: &str) -> bool {
    [
        "TWINE_PASSWORD:",
        "UV_PUBLISH_PASSWORD:",
        "UV_PUBLISH_TOKEN:",
        "POETRY_PYPI_TOKEN_PYPI:",
        "FLIT_PASSWORD:",
    ]
    .iter()
    .any(|k| {
        line == k.trim_end()
            || line
                .strip_prefix(k)
                .is_some_and(|v| v.trim().is_empty() || v.trim() == "\"\"")
    })
}
