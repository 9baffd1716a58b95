//! When to try a request again, and how long to wait first: pure decisions, so they are tested
//! without a clock or a server.
//!
//! Retried: 5xx, 429, GitHub's rate limits (403 or 429 with `x-ratelimit-remaining: 0`, or a
//! body naming the secondary rate limit), network errors and timeouts. The wait is the server's
//! `Retry-After` (seconds or an HTTP date), else the time until `x-ratelimit-reset` when the
//! limit is exhausted, else exponential backoff from a configurable base. A wait longer than
//! the cap gives up at once: the report says "rate limited until ..." instead of hanging.

use std::time::Duration;

/// The knobs of the retry policy.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first backoff; each retry doubles it.
    pub backoff_base: Duration,
    /// The longest single wait; a server asking for more is not waited for.
    pub max_wait: Duration,
}

/// What the server answered, as far as retrying cares.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After`, verbatim.
    pub retry_after: Option<&'a str>,
    /// `x-ratelimit-remaining`, verbatim.
    pub remaining: Option<&'a str>,
    /// `x-ratelimit-reset` (epoch seconds), verbatim.
    pub reset: Option<&'a str>,
    /// The start of the body, to recognise GitHub's secondary rate limit.
    pub body_start: &'a str,
}

/// Why a request is retried or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// A 5xx answer.
    Server,
    /// 429 or a GitHub rate limit; `reset` is the epoch second it lifts, when known.
    RateLimited {
        /// `x-ratelimit-reset` or `Retry-After` as an epoch second.
        reset: Option<i64>,
    },
    /// The connection failed, broke or timed out.
    Network,
}

/// The decision for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Keep this answer.
    Done,
    /// Wait, then try again.
    Retry(Duration),
    /// Stop: retries are spent, or the server asks for a longer wait than the cap.
    GiveUp(Trouble),
}

/// Classifies an answer: `None` when it is final (2xx, 3xx, most 4xx).
pub fn trouble(answer: &Answer<'_>, now: i64) -> Option<Trouble> {
    let exhausted = answer.remaining.map(str::trim) == Some("0");
    let secondary = answer
        .body_start
        .to_ascii_lowercase()
        .contains("secondary rate limit");
    let limited = answer.status == 429 || (answer.status == 403 && (exhausted || secondary));
    if limited {
        let reset = retry_after(answer.retry_after, now).or_else(|| {
            exhausted
                .then(|| answer.reset.and_then(|r| r.trim().parse::<i64>().ok()))
                .flatten()
        });
        Some(Trouble::RateLimited { reset })
    } else if answer.status >= 500 {
        Some(Trouble::Server)
    } else {
        None
    }
}

/// `Retry-After` as an epoch second: delta-seconds or an HTTP date.
fn retry_after(value: Option<&str>, now: i64) -> Option<i64> {
    let v = value?.trim();
    match v.parse::<u64>() {
        Ok(secs) => Some(now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))),
        Err(_) => super::time::parse_http_date(v),
    }
}

/// Decides what to do after attempt number `attempt` (0 for the first) met `trouble`.
/// `jitter` in [0, 1) spreads backoffs of concurrent workers.
pub fn decide(
    trouble: Option<Trouble>,
    attempt: u32,
    policy: &Policy,
    now: i64,
    jitter: f64,
) -> Decision {
    let Some(trouble) = trouble else {
        return Decision::Done;
    };
    let wait = match trouble {
        Trouble::RateLimited { reset: Some(at) } => {
            Duration::from_secs(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
        }
        _ => backoff(attempt, policy, jitter),
    };
    if attempt >= policy.retries || wait > policy.max_wait {
        Decision::GiveUp(trouble)
    } else {
        Decision::Retry(wait)
    }
}

/// Exponential backoff with jitter: `base * 2^attempt`, scaled into [50%, 100%], capped.
pub fn backoff(attempt: u32, policy: &Policy, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(16));
    let full = policy
        .backoff_base
        .saturating_mul(factor)
        .min(policy.max_wait);
    let spread = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
    Duration::try_from_secs_f64(full.as_secs_f64() * spread)
        .unwrap_or(full)
        .min(policy.max_wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Policy = Policy {
        retries: 3,
        backoff_base: Duration::from_millis(100),
        max_wait: Duration::from_secs(60),
    };

    fn answer(status: u16) -> Answer<'static> {
        Answer {
            status,
            retry_after: None,
            remaining: None,
            reset: None,
            body_start: "",
        }
    }

    #[test]
    fn final_answers_are_kept() {
        for s in [200, 301, 304, 400, 401, 403, 404, 422] {
            assert_eq!(trouble(&answer(s), 0), None, "{s}");
        }
    }

    #[test]
    fn server_errors_back_off_exponentially_then_give_up() {
        let t = trouble(&answer(503), 0);
        assert_eq!(t, Some(Trouble::Server));
        assert_eq!(
            decide(t, 0, &P, 0, 1.0),
            Decision::Retry(Duration::from_millis(100))
        );
        assert_eq!(
            decide(t, 2, &P, 0, 1.0),
            Decision::Retry(Duration::from_millis(400))
        );
        assert_eq!(
            decide(t, 1, &P, 0, 0.0),
            Decision::Retry(Duration::from_millis(100))
        );
        assert_eq!(decide(t, 3, &P, 0, 1.0), Decision::GiveUp(Trouble::Server));
    }

    #[test]
    fn retry_after_seconds_and_dates_are_honoured() {
        let a = Answer {
            retry_after: Some("7"),
            ..answer(429)
        };
        let t = trouble(&a, 1000);
        assert_eq!(t, Some(Trouble::RateLimited { reset: Some(1007) }));
        assert_eq!(
            decide(t, 0, &P, 1000, 0.5),
            Decision::Retry(Duration::from_secs(7))
        );
        let a = Answer {
            retry_after: Some("Thu, 01 Jan 1970 00:20:00 GMT"),
            ..answer(503)
        };
        assert_eq!(trouble(&a, 0), Some(Trouble::Server));
    }

    #[test]
    fn github_primary_limit_waits_for_the_reset_within_the_cap() {
        let a = Answer {
            remaining: Some("0"),
            reset: Some("1030"),
            ..answer(403)
        };
        let t = trouble(&a, 1000);
        assert_eq!(t, Some(Trouble::RateLimited { reset: Some(1030) }));
        assert_eq!(
            decide(t, 0, &P, 1000, 0.5),
            Decision::Retry(Duration::from_secs(30))
        );
        // An hour away is beyond the cap: give up now, do not hang.
        let a = Answer {
            remaining: Some("0"),
            reset: Some("4600"),
            ..answer(403)
        };
        let t = trouble(&a, 1000);
        assert_eq!(decide(t, 0, &P, 1000, 0.5), Decision::GiveUp(t.unwrap()));
    }

    #[test]
    fn github_secondary_limit_is_recognised_by_its_message() {
        let a = Answer {
            body_start: r#"{"message":"You have exceeded a secondary rate limit."}"#,
            ..answer(403)
        };
        let t = trouble(&a, 0);
        assert_eq!(t, Some(Trouble::RateLimited { reset: None }));
        assert!(matches!(decide(t, 0, &P, 0, 0.5), Decision::Retry(_)));
        // A plain 403 (no access) is final.
        let a = Answer {
            remaining: Some("4999"),
            ..answer(403)
        };
        assert_eq!(trouble(&a, 0), None);
    }
}
