//! npm: `npm publish`, `pnpm publish`, `yarn npm publish` and semantic-release, and npm's
//! answers as each prints them.
//!
//! Sources (`/work/research/npm.md` §1, §4, §6; `/work/research/tool-logs.md` §5):
//! - the npm CLI release tarballs 11.4.2, 11.5.1 (the first with OIDC), 11.10.0, 11.19.1,
//!   11.21.2 and 12.2.2: `lib/utils/oidc.js` (every message is `verbose` or `silly`, shown only
//!   with `--loglevel verbose`), `lib/utils/error-message.js` (E404, E403, ENEEDAUTH, EOTP; the
//!   404 detail `'{pkgid}' is not in this registry.` up to 11.4.2, `The requested resource
//!   '{pkgid}' could not be found or you do not have permission to access it.` from 11.5.1),
//!   libnpmpublish `lib/publish.js` (`Provenance generation in GitHub Actions requires "write"
//!   access to the "id-token" permission`, with double quotes);
//! - npm's registry answers (OpenAPI `exchangeOidcToken`: `OIDC token exchange error -
//!   package not found` 404, `- unauthorized` 401, `- bad request` 400, `- internal server
//!   error` 500) and its provenance 422 (`Unsupported GitHub Actions runner environment:
//!   "self-hosted"`, worldcoin/minikit-js#350, grafana/plugin-tools#2045);
//! - pnpm/pnpm @36e5ae6ac8d0 `pnpm11/releasing/commands/src/publish/oidc/{idToken,authToken}.ts`
//!   (`Skipped OIDC: {code}: {message}`);
//! - yarnpkg/berry `@yarnpkg/plugin-npm@3.7.1` `npmHttpUtils.ts` (a failed exchange is silent:
//!   `No authentication configured for request`);
//! - semantic-release/npm @1e3495c7ba2f `lib/trusted-publishing/token-exchange.js`;
//! - actions/setup-node @ae0d4ed08881: the `Environment details` group (`node: v22.17.1`,
//!   `npm: 10.9.2`), and the Node versions that bundle npm 11.5.1 (Node 24.5.0, nodejs/node
//!   `CHANGELOG_V24.md`).

use super::{Answer, Needle, SignalKind as K};
use crate::identity::Registry;

const NPM: Option<Registry> = Some(Registry::Npm);

/// The first npm with Trusted Publishing.
pub const NPM_MIN: (u32, u32, u32) = (11, 5, 1);
/// The first Node that bundles it.
pub const NODE_MIN: (u32, u32, u32) = (24, 5, 0);

/// npm's messages, causes before consequences.
pub(super) const NEEDLES: &[Needle] = &[
    Needle {
        // libnpmpublish `ensureProvenanceGeneration` (the quotes vary between copies of the
        // text, so the needle stops before them).
        all: &["Provenance generation in GitHub Actions requires"],
        kind: K::MissingIdToken,
        registry: NPM,
    },
    Needle {
        // oidc.js (silly): no ACTIONS_ID_TOKEN_REQUEST_* variables.
        all: &["Skipped because incorrect permissions for id-token within GitHub workflow"],
        kind: K::MissingIdToken,
        registry: NPM,
    },
    Needle {
        // pnpm `ERR_PNPM_ID_TOKEN_GITHUB_WORKFLOW_INCORRECT_PERMISSIONS`.
        all: &["Incorrect permissions for idToken within GitHub Workflows"],
        kind: K::MissingIdToken,
        registry: NPM,
    },
    Needle {
        // semantic-release: `Retrieval of GitHub Actions OIDC token failed: ...` + `Have you
        // granted the `id-token: write` permission to this workflow?`
        all: &["Retrieval of GitHub Actions OIDC token failed"],
        kind: K::MissingIdToken,
        registry: NPM,
    },
    Needle {
        all: &["Failed to fetch id_token from GitHub"],
        kind: K::OidcRequestFailed,
        registry: NPM,
    },
    Needle {
        all: &["Failed to fetch idToken from GitHub"],
        kind: K::OidcRequestFailed,
        registry: NPM,
    },
    Needle {
        all: &["Failed because token exchange was missing the token in the response body"],
        kind: K::ExchangeResponseMalformed,
        registry: NPM,
    },
    Needle {
        all: &["ERR_PNPM_AUTH_TOKEN_MALFORMED_JSON"],
        kind: K::ExchangeResponseMalformed,
        registry: NPM,
    },
    Needle {
        // oidc.js (verbose) and pnpm: `Failed token exchange request with body message: ...`.
        all: &["Failed token exchange request with body message"],
        kind: K::ExchangeRefused,
        registry: NPM,
    },
    Needle {
        all: &["OIDC token exchange with the npm registry failed"],
        kind: K::ExchangeRefused,
        registry: NPM,
    },
    Needle {
        all: &["OIDC token exchange error"],
        kind: K::ExchangeRefused,
        registry: NPM,
    },
    Needle {
        all: &["Unsupported GitHub Actions runner environment"],
        kind: K::SelfHostedRunner,
        registry: NPM,
    },
    Needle {
        all: &["Failed to validate repository information"],
        kind: K::ProvenanceRepositoryMismatch,
        registry: NPM,
    },
    Needle {
        all: &["OIDC permission denied for this action"],
        kind: K::NpmActionDenied,
        registry: NPM,
    },
    Needle {
        // error-message.js up to npm 11.4.2, which has no OIDC.
        all: &["is not in this registry."],
        kind: K::NpmTooOld,
        registry: NPM,
    },
    Needle {
        all: &["could not be found or you do not have permission to access it."],
        kind: K::NpmPutNotFound,
        registry: NPM,
    },
    Needle {
        all: &["404 Not Found - PUT"],
        kind: K::NpmPutNotFound,
        registry: NPM,
    },
    Needle {
        // pnpm `ERR_PNPM_FAILED_TO_PUBLISH`: `Failed to publish package {name}@{version}
        // (status 404 Not Found)`.
        all: &["ERR_PNPM_FAILED_TO_PUBLISH", "(status 404"],
        kind: K::NpmPutNotFound,
        registry: NPM,
    },
    Needle {
        all: &["code ENEEDAUTH"],
        kind: K::NpmNeedAuth,
        registry: NPM,
    },
    Needle {
        all: &["This command requires you to be logged in"],
        kind: K::NpmNeedAuth,
        registry: NPM,
    },
    Needle {
        all: &["code EOTP"],
        kind: K::NpmOtpRequired,
        registry: NPM,
    },
    Needle {
        all: &["This operation requires a one-time password"],
        kind: K::NpmOtpRequired,
        registry: NPM,
    },
    Needle {
        // A registry `npm-notice` header, printed by npm-registry-fetch.
        all: &["Access token expired or revoked"],
        kind: K::FallbackTokenRejected,
        registry: NPM,
    },
    Needle {
        // yarn `AUTHENTICATION_NOT_FOUND`.
        all: &["No authentication configured for request"],
        kind: K::NoCredentials,
        registry: NPM,
    },
    Needle {
        // yarn `AUTHENTICATION_INVALID`.
        all: &["Invalid authentication (a"],
        kind: K::UploadForbidden,
        registry: NPM,
    },
    Needle {
        all: &["You cannot publish over the previously published versions"],
        kind: K::VersionExists,
        registry: NPM,
    },
    Needle {
        // pnpm's warning: `Skipped OIDC: ...` (publishing goes on with other credentials).
        all: &["Skipped OIDC:"],
        kind: K::TrustedPublishingFailed,
        registry: NPM,
    },
    Needle {
        all: &["ERR_PNPM_FAILED_TO_PUBLISH"],
        kind: K::UploadFailed,
        registry: NPM,
    },
];

/// npm's status for each of its exchange texts (OpenAPI `exchangeOidcToken`).
const EXCHANGE_TEXTS: [(&str, &str); 4] = [
    ("OIDC token exchange error - package not found", "http-404"),
    ("OIDC token exchange error - unauthorized", "http-401"),
    ("OIDC token exchange error - bad request", "http-400"),
    (
        "OIDC token exchange error - internal server error",
        "http-500",
    ),
];

/// npm's answers on one line.
pub(super) fn answer(line: &str) -> Vec<Answer> {
    if let Some(message) = line
        .split_once("Failed token exchange request with body message: ")
        .map(|(_, m)| m.trim())
    {
        // pnpm adds ` (status code 404)`; npm prints the registry's message only.
        if let Some((text, status)) = message.rsplit_once(" (status code ")
            && let Some(digits) = status.strip_suffix(')')
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            return vec![(format!("http-{digits}"), text.to_owned())];
        }
        let code = EXCHANGE_TEXTS
            .iter()
            .find(|(t, _)| message.starts_with(t))
            .map_or("http-error", |(_, c)| c);
        return vec![(code.to_owned(), message.to_owned())];
    }
    if let Some(rest) = line
        .split_once("OIDC token exchange with the npm registry failed: ")
        .map(|(_, m)| m.trim())
    {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            return vec![(
                format!("http-{digits}"),
                rest[digits.len()..].trim().to_owned(),
            )];
        }
    }
    // npm-registry-fetch `HttpErrorGeneral`: `{status} {statusText} - {METHOD} {uri} - {detail}`.
    for (marker, code) in [
        ("422 Unprocessable Entity - PUT ", "http-422"),
        ("403 Forbidden - PUT ", "http-403"),
    ] {
        if let Some(rest) = line.split_once(marker).map(|(_, r)| r)
            && let Some((_, detail)) = rest.split_once(" - ")
            && (code == "http-422" || detail.contains("OIDC"))
        {
            return vec![(code.to_owned(), detail.trim().to_owned())];
        }
    }
    Vec::new()
}

/// The npm and Node versions a log shows, to tell an npm too old for Trusted Publishing.
#[derive(Default)]
pub(super) struct State {
    npm: Option<((u32, u32, u32), usize, String)>,
    node: Option<((u32, u32, u32), usize, String)>,
    upgraded: bool,
}

impl State {
    /// One trimmed line. Never a signal by itself: see [`State::too_old`].
    pub(super) fn line(&mut self, line: &str, number: usize) {
        // setup-node's `Environment details`, and npm's own `npm info using npm@10.9.2`.
        let npm = line
            .strip_prefix("npm: ")
            .or_else(|| line.split_once("using npm@").map(|(_, v)| v));
        let node = line
            .strip_prefix("node: ")
            .or_else(|| line.split_once("using node@").map(|(_, v)| v));
        if let Some(v) = npm.and_then(version) {
            self.npm = Some((v, number, line.to_owned()));
        }
        if let Some(v) = node.and_then(version) {
            self.node = Some((v, number, line.to_owned()));
        }
        if (line.contains("npm install") || line.contains("npm i "))
            && line.contains(" -g")
            && line.contains("npm@")
        {
            self.upgraded = true;
        }
    }

    /// The line that shows an npm too old for Trusted Publishing, if any: an npm older than
    /// 11.5.1, or a Node older than 24.5.0 when the log shows no npm version and no upgrade.
    pub(super) fn too_old(&self) -> Option<(usize, &str)> {
        match (&self.npm, &self.node) {
            (Some((v, n, text)), _) if *v < NPM_MIN => Some((*n, text)),
            (None, Some((v, n, text))) if *v < NODE_MIN && !self.upgraded => Some((*n, text)),
            _ => None,
        }
    }
}

/// `10.9.2`, `v22.17.1`, `11.6.0-pre` at the start of `text`.
fn version(text: &str) -> Option<(u32, u32, u32)> {
    let text = text.trim().trim_start_matches('v');
    let mut parts = text
        .split(|c: char| !c.is_ascii_digit())
        .take(3)
        .map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}
