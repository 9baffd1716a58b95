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

/// A JSON Web Key Set, as far as verifying GitHub's RS256 tokens needs it.
#[derive(serde::Deserialize)]
struct KeySet {
    keys: Vec<Key>,
}

/// One key of a [`KeySet`]: RSA keys carry their modulus `n` and exponent `e`.
#[derive(serde::Deserialize)]
struct Key {
    kid: Option<String>,
    kty: String,
    n: Option<String>,
    e: Option<String>,
}

/// Verifies `token`'s signature against a JWKS document as a registry does: RS256 (RSASSA
/// PKCS#1 v1.5 with SHA-256, with `ring`), the key chosen by `kid`, `iss` equal to GitHub's
/// issuer. The clock is each registry's own: ask [`time_problem`] with the [`TokenTiming`] of
/// the registry judged. The audience is left to each registry's matcher. A JWKS that cannot be
/// used is an input error.
pub fn verify(token: &str, jwks_text: &str, jwks_origin: &str) -> Result<Verification, InputError> {
    let token = token.trim();
    check_size(token, "the token")?;
    let set: KeySet = serde_json::from_str(jwks_text).map_err(|e| {
        InputError::parse(
            jwks_origin,
            format!(
                "not a JWKS document (line {}, column {}: {e})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts.as_slice() else {
        return Ok(Verification::Rejected(
            "the token header cannot be read: not three segments".into(),
        ));
    };
    let header = match URL_SAFE_NO_PAD
        .decode(header_b64)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        Some(Value::Object(h)) => h,
        _ => {
            return Ok(Verification::Rejected(
                "the token header cannot be read: not base64url JSON".into(),
            ));
        }
    };
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("none");
    if alg != "RS256" {
        return Ok(Verification::Rejected(format!(
            "the token is signed with {alg}, registries accept only RS256"
        )));
    }
    let Some(kid) = header.get("kid").and_then(Value::as_str) else {
        return Ok(Verification::Rejected(
            "the token header has no `kid`, so no key can be chosen".into(),
        ));
    };
    let Some(key) = set.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) else {
        return Ok(Verification::Rejected(format!(
            "no key with kid `{kid}` in {jwks_origin}"
        )));
    };
    let component = |v: &Option<String>| v.as_deref().and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
    let (Some(n), Some(e)) = (component(&key.n), component(&key.e)) else {
        return Err(InputError::parse(
            jwks_origin,
            format!("key `{kid}` cannot be used: an RSA key needs base64url `n` and `e`"),
        ));
    };
    if key.kty != "RSA" {
        return Err(InputError::parse(
            jwks_origin,
            format!(
                "key `{kid}` cannot be used: its `kty` is {}, not RSA",
                key.kty
            ),
        ));
    }
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature_b64) else {
        return Ok(Verification::Rejected(
            "the signature does not verify against the JWKS".into(),
        ));
    };
    let message = &token[..header_b64.len() + 1 + payload_b64.len()];
    let public = ring::signature::RsaPublicKeyComponents { n: &n, e: &e };
    if public
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            message.as_bytes(),
            &signature,
        )
        .is_err()
    {
        return Ok(Verification::Rejected(
            "the signature does not verify against the JWKS".into(),
        ));
    }
    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    match payload.as_ref().and_then(|p| p.get("iss")) {
        None => Ok(Verification::Rejected(
            "the token has no `iss` claim".into(),
        )),
        Some(Value::String(iss)) if iss == GITHUB_ISSUER => Ok(Verification::Valid),
        Some(_) => Ok(Verification::Rejected(format!(
            "`iss` is not {GITHUB_ISSUER}"
        ))),
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
