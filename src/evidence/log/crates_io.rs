//! crates.io: rust-lang/crates-io-auth-action, `cargo publish` and release-plz, and crates.io's
//! answers as each prints them.
//!
//! Sources (`/work/research/tool-logs.md` §7, `/work/research/crates-io.md` §3, §6-8):
//! - rust-lang/crates-io-auth-action @a1c979fa8eec `src/main.ts`, `src/utils.ts`
//!   (`throwHttpErrorMessage`: `{operation}. Status: {status}.` then ` Error: {detail}` per
//!   error, or ` Response: {raw text}`), `src/post.ts`;
//! - rust-lang/cargo @af373f761aa4 `crates/crates-io/lib.rs` (`the remote server responded
//!   with an error (status {code}): {errors}`), `src/ops/registry/cargo_publish.rs` (`failed
//!   to publish {name} v{version} to registry at {host}` since f36cb83e98d6, cargo 0.92; before
//!   it `failed to publish to registry at {host}`), `src/util/auth/mod.rs`;
//! - release-plz/release-plz @4183d14a96d4 `crates/release_plz_core/src/command/
//!   {trusted_publishing,release}.rs`, `response_ext.rs` (the body pretty-printed over several
//!   lines, then reqwest's `HTTP status client error (400 Bad Request) for url (...)`);
//! - rust-lang/crates.io @57fa000662f5 `src/controllers/trustpub/tokens/exchange/mod.rs`,
//!   `src/controllers/krate/publish.rs` (the registry's own texts).

use serde_json::Value;

use super::{Answer, Needle, SignalKind as K};
use crate::identity::Registry;

const CRATES_IO: Option<Registry> = Some(Registry::CratesIo);

/// crates.io's messages, causes before wrappers.
pub(super) const NEEDLES: &[Needle] = &[
    Needle {
        // crates-io-auth-action `checkPermissions`: `Please ensure the 'id-token' permission is
        // set to 'write' in your workflow.`; release-plz: `ACTIONS_ID_TOKEN_REQUEST_URL not
        // set. If you are running in GitHub Actions, please ensure the 'id-token' permission
        // is set to 'write' ...`.
        all: &["ensure the 'id-token' permission is set to 'write'"],
        kind: K::MissingIdToken,
        registry: CRATES_IO,
    },
    Needle {
        all: &["Failed to retrieve JWT token from GitHub Actions"],
        kind: K::OidcRequestFailed,
        registry: CRATES_IO,
    },
    Needle {
        // release-plz: `Failed to get GitHub Actions OIDC token`, `Empty OIDC token received`.
        all: &["Failed to get GitHub Actions OIDC token"],
        kind: K::OidcRequestFailed,
        registry: CRATES_IO,
    },
    Needle {
        all: &["Empty OIDC token received"],
        kind: K::OidcRequestFailed,
        registry: CRATES_IO,
    },
    Needle {
        all: &["Failed to retrieve token from the Cargo registry response body"],
        kind: K::ExchangeResponseMalformed,
        registry: CRATES_IO,
    },
    Needle {
        all: &["Empty token received from registry"],
        kind: K::ExchangeResponseMalformed,
        registry: CRATES_IO,
    },
    Needle {
        // crates-io-auth-action: `Failed to retrieve token from Cargo registry. Status: 400.
        // Error: ...`; release-plz: `Failed to retrieve token from Cargo registry: Response
        // body:`.
        all: &["Failed to retrieve token from Cargo registry"],
        kind: K::ExchangeRefused,
        registry: CRATES_IO,
    },
    Needle {
        // release-plz: `Failed to use trusted publishing: {e:#}. Proceeding without it.`
        all: &["Failed to use trusted publishing"],
        kind: K::TrustedPublishingFailed,
        registry: CRATES_IO,
    },
    // `cargo publish`, crates.io's 403 texts (`src/controllers/krate/publish.rs`, `src/auth.rs`).
    Needle {
        all: &["Trusted Publishing tokens do not support creating new crates"],
        kind: K::CrateMustExist,
        registry: CRATES_IO,
    },
    Needle {
        all: &["New versions of this crate can only be published using Trusted Publishing"],
        kind: K::TrustedPublishingOnly,
        registry: CRATES_IO,
    },
    Needle {
        all: &["The provided access token is not valid for crate"],
        kind: K::TokenNotValidForProject,
        registry: CRATES_IO,
    },
    Needle {
        // A Trusted Publishing token lives 30 minutes and is revoked by the auth action's post
        // step at the end of its job.
        all: &[
            "the remote server responded with an error",
            "Invalid authentication token",
        ],
        kind: K::TokenExpired,
        registry: CRATES_IO,
    },
    Needle {
        all: &[
            "the remote server responded with an error",
            "already exists",
        ],
        kind: K::VersionExists,
        registry: CRATES_IO,
    },
    Needle {
        // Checked in the index before the upload: `crate {name}@{version} already exists on
        // crates.io index`.
        all: &["already exists on crates.io index"],
        kind: K::VersionExists,
        registry: CRATES_IO,
    },
    Needle {
        all: &["crate version", "is already uploaded"],
        kind: K::VersionExists,
        registry: CRATES_IO,
    },
    Needle {
        all: &["the remote server responded with an error (status 403"],
        kind: K::UploadForbidden,
        registry: CRATES_IO,
    },
    Needle {
        all: &["the remote server responded with an error (status 401"],
        kind: K::UploadForbidden,
        registry: CRATES_IO,
    },
    Needle {
        // `error: no token found, please run `cargo login``: release-plz went on without a
        // token, or CARGO_REGISTRY_TOKEN was not passed.
        all: &["no token found, please run"],
        kind: K::NoCredentials,
        registry: CRATES_IO,
    },
    Needle {
        all: &["please provide a non-empty token"],
        kind: K::NoCredentials,
        registry: CRATES_IO,
    },
    Needle {
        // The context line, new and old shapes.
        all: &["failed to publish", "to registry at"],
        kind: K::UploadFailed,
        registry: CRATES_IO,
    },
];

/// crates-io-auth-action's one-line rendering of crates.io's answer.
pub(super) fn answer(line: &str) -> Vec<Answer> {
    const PREFIX: &str = "Failed to retrieve token from Cargo registry. Status: ";
    let Some(rest) = line.split_once(PREFIX).map(|(_, r)| r) else {
        return Vec::new();
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Vec::new();
    }
    let code = format!("http-{digits}");
    let rest = rest[digits.len()..].trim_start_matches('.');
    if let Some(raw) = rest.strip_prefix(" Response: ") {
        return vec![(code, raw.trim().to_owned())];
    }
    rest.split(" Error: ")
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| (code.clone(), d.to_owned()))
        .collect()
}

/// release-plz's warning spans several lines: the pretty-printed body, then the status.
#[derive(Default)]
pub(super) struct State {
    /// Inside the body, with the details read so far and the lines left to look at.
    collecting: Option<(Vec<String>, usize)>,
}

impl State {
    /// One trimmed line; returns crates.io's answers when the warning is complete.
    pub(super) fn line(&mut self, line: &str) -> Vec<Answer> {
        if line.contains("Failed to retrieve token from Cargo registry: Response body:") {
            self.collecting = Some((Vec::new(), 64));
            return Vec::new();
        }
        let Some((details, left)) = &mut self.collecting else {
            return Vec::new();
        };
        if let Some(rest) = line.strip_prefix("\"detail\":")
            && let Ok(Value::String(detail)) =
                serde_json::from_str::<Value>(rest.trim().trim_end_matches(','))
        {
            details.push(detail);
        }
        for marker in ["HTTP status client error (", "HTTP status server error ("] {
            if let Some(rest) = line.split_once(marker).map(|(_, r)| r) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let code = format!("http-{digits}");
                let found = std::mem::take(details);
                self.collecting = None;
                return found.into_iter().map(|d| (code.clone(), d)).collect();
            }
        }
        *left -= 1;
        if *left == 0 {
            self.collecting = None;
        }
        Vec::new()
    }
}
