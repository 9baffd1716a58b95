//! RubyGems: rubygems/configure-rubygems-credentials, rubygems/release-gem and `gem push`, and
//! RubyGems' answers as each prints them.
//!
//! Sources (`/work/research/rubygems.md` §3, §7; `/work/research/tool-logs.md` §8):
//! - rubygems/configure-rubygems-credentials @abfabee9aa68 `src/main.ts`,
//!   `src/oidc/trustedPublisher.ts`: a 404 from the exchange (RubyGems' answer to almost every
//!   mismatch) becomes `No trusted publisher configured for this workflow found on {server} for
//!   audience {audience}`; another status fails with the body as its message
//!   (`{"error":"Missing/invalid jti"}`); the token comes from `@actions/core` `getIDToken`;
//! - rubygems/release-gem `action.yml` @289eef0d061a, `rubygems-attestation-patch.rb`
//!   @a25424ba2ba8;
//! - rubygems/rubygems @69ec4a3a5f1c `lib/rubygems/gemcutter_utilities.rb` (`gem push` prints
//!   the body of a refusal as it is);
//! - rubygems/rubygems.org @3c8ea0d4cbe8 `app/models/pusher.rb`, `config/locales/en.yml`,
//!   `app/controllers/api/v1/oidc/trusted_publisher_controller.rb` (the registry's texts).

use super::{Answer, Needle, SignalKind as K};
use crate::identity::Registry;

const RUBYGEMS: Option<Registry> = Some(Registry::RubyGems);

/// RubyGems' messages.
pub(super) const NEEDLES: &[Needle] = &[
    Needle {
        all: &["Unable to get ID Token for audience"],
        kind: K::OidcRequestFailed,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["Response json body do not have ID Token field"],
        kind: K::OidcRequestFailed,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["No trusted publisher configured for this workflow found on"],
        kind: K::ExchangeRefused,
        registry: RUBYGEMS,
    },
    Needle {
        // The exchange's 400 (`jwt_validation.rb` `validate_jwt_format`), as the action prints
        // the body.
        all: &["\"error\":\"Missing/invalid "],
        kind: K::ExchangeRefused,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["You are not allowed to push this gem."],
        kind: K::TokenNotValidForProject,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["This API key cannot perform the specified action on this gem."],
        kind: K::TokenNotValidForProject,
        registry: RUBYGEMS,
    },
    Needle {
        // A trusted publisher's key for a gem that does not exist, without a pending publisher.
        all: &["No pending publisher found"],
        kind: K::ProjectCreationRefused,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["Repushing of gem versions is not allowed."],
        kind: K::VersionExists,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["A yanked version", "already exists"],
        kind: K::VersionExists,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["Access Denied. Please sign up for an account"],
        kind: K::UploadForbidden,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["Pushing with an attestation requires trusted publishing"],
        kind: K::AttestationFailure,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["Failed to sign gem:"],
        kind: K::AttestationFailure,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["Failed to push with attestation, retrying without attestation."],
        kind: K::AttestationSkipped,
        registry: RUBYGEMS,
    },
    Needle {
        // `gem push` without a key asks to sign in: `Enter your {host} credentials.`
        all: &["Enter your", "credentials."],
        kind: K::NoCredentials,
        registry: RUBYGEMS,
    },
    Needle {
        all: &["No such API key. Please add it to your configuration"],
        kind: K::NoCredentials,
        registry: RUBYGEMS,
    },
];

/// RubyGems' answers to the exchange, as configure-rubygems-credentials prints them.
pub(super) fn answer(line: &str) -> Vec<Answer> {
    if line.contains("No trusted publisher configured for this workflow found on") {
        // The action says this for a 404 `Not Found`, whatever the check that failed.
        return vec![("http-404".to_owned(), "Not Found".to_owned())];
    }
    if let Some(at) = line.find("{\"error\":\"")
        && let Ok(serde_json::Value::Object(body)) =
            serde_json::from_str::<serde_json::Value>(&line[at..])
        && let Some(error) = body.get("error").and_then(|e| e.as_str())
        && (error.starts_with("Missing/invalid") || error.starts_with("Request is missing param"))
    {
        return vec![("http-400".to_owned(), error.to_owned())];
    }
    Vec::new()
}
