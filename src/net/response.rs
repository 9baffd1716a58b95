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
    /// A rate limit that would take longer than the cap to lift.
    #[error("{}", rate_limited(*.reset))]
    RateLimited {
        /// When it lifts, if the server said.
        reset: Option<i64>,
    },
    /// The answer is not what the API documents.
    #[error("unexpected response: {0}")]
    Malformed(String),
    /// Replay found no recording of this URL.
    #[error("no recorded response (looked for {0})")]
    NotRecorded(String),
}

fn rate_limited(reset: Option<i64>) -> String {
    match reset {
        Some(at) => format!(
            "rate limit exhausted until {} (longer than the wait cap); set GITHUB_TOKEN for a higher limit, or run later",
            format_rfc3339(at)
        ),
        None => "rate limited, and retries are spent".into(),
    }
}
