//! RubyGems' answers, read with its own texts (rubygems/rubygems.org @3c8ea0d4cbe8
//! `app/controllers/concerns/jwt_validation.rb`: `Missing/invalid {claim}` is a 400; every
//! other refusal a bare 404 `Not Found`).

use crate::identity::{Claim, Publisher};
use crate::registry::answer::{self, Answer, Meaning, Reading, cause};

/// What RubyGems' answer says.
pub fn read(_: &Publisher, a: &Answer<'_>) -> Reading {
    let text = a.text.trim();
    let reading = |meaning, cause| answer::reading(a, text, meaning, cause);
    if let Some(claim) = text.strip_prefix("Missing/invalid ") {
        let name = ["nbf", "iat", "exp", "iss", "jti"]
            .into_iter()
            .find(|c| *c == claim.trim());
        return reading(
            Meaning::Refusal,
            name.map(|n| {
                cause(
                    n,
                    n,
                    Some("present, well-typed".into()),
                    Claim::Unknown,
                    "required",
                )
            }),
        );
    }
    if a.code == "http-404" {
        return reading(Meaning::NotFound, None);
    }
    reading(Meaning::Refusal, None)
}
