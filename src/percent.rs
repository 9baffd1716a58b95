//! Percent-encoding of URL components: RFC 3986's unreserved characters (letters, digits,
//! `-`, `.`, `_`, `~`) pass, every other byte is `%XX` (upper-case hex). One set, through the
//! percent-encoding crate, for request paths, query values and SARIF's URIs alike.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters is encoded.
pub const UNRESERVED_PASS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `s` as one URL component (a path segment or a query value): only unreserved characters
/// stay as they are.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED_PASS).to_string()
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn only_unreserved_characters_pass() {
        assert_eq!(encode("a-Z_0.9~"), "a-Z_0.9~");
        assert_eq!(encode("npm:registry.npmjs.org"), "npm%3Aregistry.npmjs.org");
        assert_eq!(encode("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
        assert_eq!(encode(".."), "..");
    }
}
