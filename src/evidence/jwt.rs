//! GitHub Actions OIDC tokens: decoded without verification by default (a failed run's token
//! has usually expired by the time someone looks at it), or verified against a JWKS document.
//!
//! The token itself is a secret: nothing here returns it or puts it in an error message.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use indexmap::IndexMap;
use serde_json::Value;

use crate::error::InputError;
use crate::identity::{Claims, GITHUB_ISSUER, TokenProblem, TokenTiming};

/// The longest token decoded: 64 KiB. GitHub's OIDC tokens are about 1 KB; a larger "token" is
/// refused before it is decoded, so a hostile one costs neither time nor memory.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// Whether `text` looks like a compact JWT (three base64url segments, the header a JSON object).
pub fn looks_like_jwt(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("eyJ") && t.split('.').count() == 3 && !t.contains(char::is_whitespace)
}

/// Decodes the claims of a compact JWT without checking its signature. `origin` names where the
/// token came from (`--token`, a file path) for error messages.
pub fn decode_unverified(token: &str, origin: &str) -> Result<Claims, InputError> {
    let token = token.trim();
    check_size(token, origin)?;
    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() != 3 {
        return Err(InputError::parse(
            origin,
            format!(
                "not a JWT: expected three dot-separated segments (header.payload.signature), found {}",
                segments.len()
            ),
        ));
    }
    let header = decode_segment(segments[0], "header", origin)?;
    if !header.is_object() {
        return Err(InputError::parse(
            origin,
            "not a JWT: the header is not a JSON object",
        ));
    }
    match decode_segment(segments[1], "payload", origin)? {
        Value::Object(map) => Ok(Claims::complete(
            map.into_iter().collect::<IndexMap<_, _>>(),
        )),
        _ => Err(InputError::parse(
            origin,
            "not a JWT: the payload is not a JSON object",
        )),
    }
}

/// Refuses a token longer than [`MAX_TOKEN_BYTES`].
fn check_size(token: &str, origin: &str) -> Result<(), InputError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(InputError::parse(
            origin,
            format!(
                "not a JWT: {} bytes, more than the {MAX_TOKEN_BYTES} a token can be (GitHub's OIDC tokens are about 1 KB)",
                token.len()
            ),
        ));
    }
    Ok(())
}

fn decode_segment(segment: &str, what: &str, origin: &str) -> Result<Value, InputError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|e| {
            InputError::parse(
                origin,
                format!("not a JWT: the {what} segment is not base64url ({e})"),
            )
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        InputError::parse(
            origin,
            format!(
                "not a JWT: the {what} segment is not JSON (line {}, column {}: {e})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// What `--jwks` verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The signature and issuer check out (and, once [`time_problem`] has been asked with a
    /// registry's timing, the clock).
    Valid,
    /// The token fails verification, for this reason.
    Rejected(String),
}

/// Verifies `token`'s signature against a JWKS document as a registry does: RS256, the key
/// chosen by `kid`, `iss` equal to GitHub's issuer. The clock is each registry's own: ask
/// [`time_problem`] with the [`TokenTiming`] of the registry judged. The audience is left to
/// each registry's matcher. A JWKS that cannot be used is an input error.
pub fn verify(token: &str, jwks_text: &str, jwks_origin: &str) -> Result<Verification, InputError> {
    check_size(token.trim(), "the token")?;
    install_crypto_provider();
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(jwks_text).map_err(|e| {
        InputError::parse(
            jwks_origin,
            format!(
                "not a JWKS document (line {}, column {}: {e})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let header = match jsonwebtoken::decode_header(token.trim()) {
        Ok(h) => h,
        Err(e) => {
            return Ok(Verification::Rejected(format!(
                "the token header cannot be read: {e}"
            )));
        }
    };
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return Ok(Verification::Rejected(format!(
            "the token is signed with {:?}, registries accept only RS256",
            header.alg
        )));
    }
    let Some(kid) = header.kid else {
        return Ok(Verification::Rejected(
            "the token header has no `kid`, so no key can be chosen".into(),
        ));
    };
    let Some(jwk) = set.find(&kid) else {
        return Ok(Verification::Rejected(format!(
            "no key with kid `{kid}` in {jwks_origin}"
        )));
    };
    let key = match jsonwebtoken::DecodingKey::from_jwk(jwk) {
        Ok(k) => k,
        Err(e) => {
            return Err(InputError::parse(
                jwks_origin,
                format!("key `{kid}` cannot be used: {e}"),
            ));
        }
    };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[GITHUB_ISSUER]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_required_spec_claims(&["iss"]);
    match jsonwebtoken::decode::<Value>(token.trim(), &key, &validation) {
        Ok(_) => Ok(Verification::Valid),
        Err(e) => Ok(Verification::Rejected(describe_error(e.kind()))),
    }
}

/// Whether a token's `exp`, `nbf` and `iat` pass a registry's [`TokenTiming`] at `now` (Unix
/// seconds): the registry module states its leeway, this applies it.
pub fn time_problem(claims: &Claims, timing: &TokenTiming, now: i64) -> Option<TokenProblem> {
    timing.problem(
        claims.integer("exp"),
        claims.integer("nbf"),
        claims.integer("iat"),
        now,
    )
}

fn describe_error(kind: &jsonwebtoken::errors::ErrorKind) -> String {
    use jsonwebtoken::errors::ErrorKind as K;
    match kind {
        K::InvalidSignature => "the signature does not verify against the JWKS".into(),
        K::ExpiredSignature => "the token has expired (`exp` is in the past)".into(),
        K::ImmatureSignature => "the token is not valid yet (`nbf` is in the future)".into(),
        K::InvalidIssuer => format!("`iss` is not {GITHUB_ISSUER}"),
        K::MissingRequiredClaim(c) => format!("the token has no `{c}` claim"),
        other => format!("the token fails verification ({other:?})"),
    }
}

/// jsonwebtoken needs exactly one crypto provider; installing it explicitly guards against
/// feature unification selecting none (which panics on first use).
fn install_crypto_provider() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}
