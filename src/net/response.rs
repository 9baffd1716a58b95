//! An HTTP answer as every source reads it, and why a URL could not be fetched.

use super::time::format_rfc3339;

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL requested.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// Response headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or a [`FetchError::Malformed`] naming the URL's problem.
    pub fn json(&self) -> Result<serde_json::Value, FetchError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| FetchError::Malformed(format!("the body is not JSON ({e})")))
    }
}

/// Why a URL could not be fetched. Each is one line in the report's `unknown` entries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// No answer within the timeout, after every retry.
    #[error("no answer within {0} s")]
    Timeout(u64),
    /// The connection failed or broke.
    #[error("network error: {0}")]
    Network(String),
    /// The body exceeds the size limit.
    #[error("the response is larger than {0} bytes")]
    TooLarge(u64),
    /// The server kept failing.
    #[error("HTTP {status} from the server, {attempts} attempt(s)")]
    Server {
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// A rate limit that would take longer than the cap to lift, or that outlasted the retries.
    #[error("{}", rate_limited(*.reset, *.suggest_token))]
    RateLimited {
        /// When it lifts, if the server said.
        reset: Option<i64>,
        /// Whether a token would raise the limit (GitHub, asked without one).
        suggest_token: bool,
    },
    /// The answer is not what the API documents.
    #[error("unexpected response: {0}")]
    Malformed(String),
    /// Replay found no recording of this URL.
    #[error("no recorded response (looked for {0})")]
    NotRecorded(String),
    /// The server redirected to another origin, where this request does not go.
    #[error(
        "redirected to another origin ({0}): not followed, so no credential leaves the one configured"
    )]
    Redirected(String),
}

fn rate_limited(reset: Option<i64>, suggest_token: bool) -> String {
    let advice = if suggest_token {
        "; set GITHUB_TOKEN (or GH_TOKEN) for a higher limit, or run later"
    } else {
        "; run later"
    };
    // A reset in the past (a clock skew, a stale header) names no time worth printing.
    match reset.filter(|&at| at > super::time::system_epoch()) {
        Some(at) => format!(
            "rate limit exhausted until {} (longer than --max-wait){advice}",
            format_rfc3339(at)
        ),
        None => format!("rate limited, and retries are spent{advice}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_message_says_what_helps_and_no_past_date() {
        let future = crate::net::time::system_epoch() + 3600;
        let without_token = FetchError::RateLimited {
            reset: Some(future),
            suggest_token: true,
        }
        .to_string();
        assert!(
            without_token.contains("exhausted until 2"),
            "{without_token}"
        );
        assert!(
            without_token.contains("set GITHUB_TOKEN"),
            "{without_token}"
        );
        let with_token = FetchError::RateLimited {
            reset: Some(future),
            suggest_token: false,
        }
        .to_string();
        assert!(!with_token.contains("GITHUB_TOKEN"), "{with_token}");
        for past in [0, -5, 1_000_000] {
            let text = FetchError::RateLimited {
                reset: Some(past),
                suggest_token: false,
            }
            .to_string();
            assert_eq!(text, "rate limited, and retries are spent; run later");
        }
    }
}
