//! Keeping secrets out of every output: tokens found in evidence are replaced before any text
//! leaves the program.

use std::borrow::Cow;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Replaces every token-like run in `text`: JSON Web Tokens (`eyJ….….…`), PyPI API tokens
/// (`pypi-Ag…`), GitHub tokens (`ghp_…`, `gho_…`, `ghs_…`, `ghu_…`, `ghr_…`, `github_pat_…`),
/// npm tokens (`npm_…`), crates.io tokens (`cio…` of 32+ characters, `cio_tp_…`) and RubyGems
/// API keys (`rubygems_…`).
///
/// A token is found at any position: after a word boundary, and also glued to what precedes
/// it (`__token__%3Apypi-Ag…` percent-encoded, `\nghp_…` after an escaped line break,
/// `GH_TOKEN_ghp_…`), where its tail must then be as long as the real tokens' (a word that
/// happens to end in `npm_` is not one).
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut last = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Every token shape starts with one of these letters: skip the rest at once.
        if !matches!(bytes[i], b'e' | b'p' | b'g' | b'n' | b'c' | b'r') {
            i += 1;
            continue;
        }
        let glued = i > 0 && is_token_char(bytes[i - 1]);
        let end = token_end(bytes, i, glued);
        if let Some(end) = end {
            out.push_str(&text[last..i]);
            out.push_str(REDACTED);
            last = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if last == 0 {
        Cow::Borrowed(text)
    } else {
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }
}

/// `haystack` with every occurrence of a known `secret` (a token given to trustpub) replaced by
/// [`REDACTED`], or `None` when it does not occur. Secrets shorter than 8 bytes are not
/// searched for: no real token is that short, and replacing them would garble ordinary text.
pub fn replace_secret(haystack: &[u8], secret: &[u8]) -> Option<Vec<u8>> {
    if secret.len() < 8 || haystack.len() < secret.len() {
        return None;
    }
    let mut out = Vec::new();
    let mut last = 0;
    let mut i = 0;
    while let Some(at) = find(haystack, secret, i) {
        out.extend_from_slice(&haystack[last..at]);
        out.extend_from_slice(REDACTED.as_bytes());
        i = at + secret.len();
        last = i;
    }
    if last == 0 {
        return None;
    }
    out.extend_from_slice(&haystack[last..]);
    Some(out)
}

/// The first occurrence of `needle` (not empty) in `haystack` at or after `from`: a skip to
/// each occurrence of its first byte, then a comparison, so that searching a 16 MiB answer for
/// each form of each secret stays a fast scan.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        let at = i + haystack[i..=haystack.len() - needle.len()]
            .iter()
            .position(|&b| b == first)?;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// `haystack` with a known `secret` (a token, key or one-time code given to trustpub) cut out
/// in every form a server may echo it: as it is, percent-encoded, JSON-escaped, and base64
/// (standard and URL-safe, with or without padding, at any of the three alignments a longer
/// encoded value can put it at). A secret shorter than 8 bytes (a six-digit one-time code) is
/// cut out only where it stands alone, not inside a longer word or number; `None` when no form
/// occurs.
pub fn scrub_secret(haystack: &[u8], secret: &str) -> Option<Vec<u8>> {
    let secret = secret.trim();
    if secret.is_empty() {
        return None;
    }
    if secret.len() < 8 {
        return replace_standalone(haystack, secret.as_bytes());
    }
    let mut out: Option<Vec<u8>> = None;
    for form in secret_forms(secret) {
        let current = out.as_deref().unwrap_or(haystack);
        if let Some(next) = replace_secret(current, form.as_bytes()) {
            out = Some(next);
        }
    }
    out
}

/// The forms of `secret` a server may echo.
fn secret_forms(secret: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut forms = vec![secret.to_owned()];
    for upper in [true, false] {
        forms.push(
            secret
                .bytes()
                .map(|b| match b {
                    _ if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => {
                        char::from(b).to_string()
                    }
                    _ if upper => format!("%{b:02X}"),
                    _ => format!("%{b:02x}"),
                })
                .collect(),
        );
    }
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json.trim_matches('"').replace('/', "\\/"));
        forms.push(json.trim_matches('"').to_owned());
    }
    // In base64, a secret inside a longer value (`user:secret`, `Bearer secret`) is encoded
    // at one of three alignments: the middle of each, whole 4-character groups, is fixed.
    for shift in 0..3 {
        let mut bytes = vec![0u8; shift];
        bytes.extend_from_slice(secret.as_bytes());
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&bytes);
            // Drop the groups the prefix and the unknown suffix touch.
            let skip = if shift == 0 { 0 } else { 4 };
            let keep = (bytes.len() / 3) * 4;
            if keep > skip + 8 {
                forms.push(encoded[skip..keep].to_owned());
            }
        }
    }
    for engine in [&STANDARD, &URL_SAFE] {
        forms.push(engine.encode(secret));
    }
    forms.sort();
    forms.dedup();
    forms.retain(|f| f.len() >= 8);
    // Longest first: a form that contains another is cut whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// `haystack` with each occurrence of `secret` not inside a longer run of letters and digits
/// replaced, or `None`.
fn replace_standalone(haystack: &[u8], secret: &[u8]) -> Option<Vec<u8>> {
    if secret.is_empty() || haystack.len() < secret.len() {
        return None;
    }
    let word = |b: u8| b.is_ascii_alphanumeric();
    let mut out = Vec::new();
    let mut last = 0;
    let mut i = 0;
    while let Some(at) = find(haystack, secret, i) {
        if (at == 0 || !word(haystack[at - 1]))
            && haystack.get(at + secret.len()).is_none_or(|&b| !word(b))
        {
            out.extend_from_slice(&haystack[last..at]);
            out.extend_from_slice(REDACTED.as_bytes());
            i = at + secret.len();
            last = i;
        } else {
            i = at + 1;
        }
    }
    if last == 0 {
        return None;
    }
    out.extend_from_slice(&haystack[last..]);
    Some(out)
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn run_len(bytes: &[u8], start: usize, extra: &[u8]) -> usize {
    bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || extra.contains(b))
        .count()
}

/// The token prefixes, by first byte, with the shortest tail accepted after a word boundary and
/// after a word character (the real tokens': GitHub's and npm's 36 characters, crates.io's 32,
/// RubyGems' 48).
const PREFIXES: &[(&[u8], usize, usize)] = &[
    // PyPI API tokens are macaroons: `pypi-AgE...` (the serialization starts with 0x02).
    // A bare `pypi-` prefix would redact job ids such as `pypi-publish-uv-build`.
    (b"pypi-Ag", 16, 16),
    (b"ghp_", 20, 30),
    (b"gho_", 20, 30),
    (b"ghs_", 20, 30),
    (b"ghu_", 20, 30),
    (b"ghr_", 20, 30),
    (b"github_pat_", 20, 30),
    (b"npm_", 20, 30),
    (b"cio", 29, 32),
    (b"rubygems_", 32, 32),
];

/// The end of a secret starting at `i`, if one starts there; `glued` when a word character
/// precedes it.
fn token_end(bytes: &[u8], i: usize, glued: bool) -> Option<usize> {
    let rest = &bytes[i..];
    if rest.starts_with(b"eyJ") {
        // header.payload[.signature], base64url segments
        let n = run_len(bytes, i, b"-_.");
        let dots = bytes[i..i + n].iter().filter(|&&b| b == b'.').count();
        if dots >= 1 && n >= 20 {
            return Some(i + n);
        }
        return None;
    }
    for (prefix, at_boundary, when_glued) in PREFIXES {
        if prefix[0] == rest[0] && rest.starts_with(prefix) {
            let tail = run_len(bytes, i + prefix.len(), b"-_");
            if tail >= if glued { *when_glued } else { *at_boundary } {
                return Some(i + prefix.len() + tail);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_a_jwt_inside_text() {
        let s = "token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end";
        assert_eq!(redact(s), "token=[REDACTED] end");
    }

    #[test]
    fn redacts_pypi_and_github_tokens() {
        let s = "pw pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdo and ghp_0123456789abcdefghijABCD";
        assert_eq!(redact(s), "pw [REDACTED] and [REDACTED]");
    }

    #[test]
    fn redacts_registry_keys() {
        let s = "key rubygems_0123456789abcdef0123456789abcdef0123456789abcdef, cio0123456789abcdefghijklmnopqrstuv";
        assert_eq!(redact(s), "key [REDACTED], [REDACTED]");
    }

    #[test]
    fn a_known_secret_is_replaced_wherever_it_is() {
        let secret = b"0123456789abcdef0123456789abcdef01234567";
        let text = b"{\"echo\": \"Bearer 0123456789abcdef0123456789abcdef01234567\"}x0123456789abcdef0123456789abcdef01234567";
        let out = replace_secret(text, secret).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"echo\": \"Bearer [REDACTED]\"}x[REDACTED]"
        );
        assert_eq!(replace_secret(b"nothing here", secret), None);
        assert_eq!(replace_secret(b"short abc", b"abc"), None);
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for s in [
            "pypi-release",
            "eyJ",
            "release.yml",
            "cio",
            "rubygems_api_key",
            "npm_config",
            "gh-action-pypi-publish",
            "pypi-publish-uv-build",
            "pypi-release-environment-production",
        ] {
            assert_eq!(redact(s), s);
        }
    }
}
