//! npm's answers, read with its own texts (npm registry OpenAPI `exchangeOidcToken`: one 404
//! `OIDC token exchange error - package not found` for every mismatch; its provenance 422s).

use crate::identity::{Claim, Publisher};
use crate::registry::answer::{self, Answer, Meaning, Reading, cause};

/// What npm's answer says.
pub fn read(_: &Publisher, a: &Answer<'_>) -> Reading {
    let text = a.text.trim();
    let reading = |meaning, cause| answer::reading(a, text, meaning, cause);
    if text.contains("Unsupported GitHub Actions runner environment") {
        return reading(
            Meaning::Refusal,
            Some(cause(
                "runner_environment",
                "runner_environment",
                Some("github-hosted".into()),
                Claim::Present("self-hosted".into()),
                "GitHub-hosted runners only",
            )),
        );
    }
    if a.code == "http-404" || text.contains(super::NOT_FOUND) {
        return reading(Meaning::NotFound, None);
    }
    reading(Meaning::Refusal, None)
}
