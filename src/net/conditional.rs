//! Conditional requests across runs (`--cache DIR`), and what a run's requests cost.
//!
//! For each URL answered 200 with an `ETag` or a `Last-Modified`, the cache keeps the answer
//! and those validators in one file, named by the SHA-256 of the `Accept` and the URL (so no
//! URL, and no secret, becomes a file name). The next run sends `If-None-Match` /
//! `If-Modified-Since`; a 304 is answered from the file, exactly as the 200 it stands for.
//! GitHub does not count an authenticated 304 against the primary rate limit
//! (docs.github.com, "Best practices for using the REST API": conditional requests).
//!
//! Bounds: an entry larger than the body limit of a live run is not kept or read; what is kept
//! is the scrubbed answer (every secret the client holds already cut out), with only the
//! headers a recording keeps; a file that cannot be read or parsed is a miss, never an error.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use serde_json::{Value, json};

use super::response::Response;
use super::store::KEPT_HEADERS;

/// What a run's requests cost, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Requests made (answered from the network, a recording or the cache after a 304).
    pub total: u64,
    /// Of those, answered 304 and served from the cache.
    pub cached: u64,
    /// The lowest `x-ratelimit-remaining` GitHub gave, when it gave one.
    pub rate_limit_remaining: Option<u64>,
}

/// Counts requests from any thread.
#[derive(Debug)]
pub struct Meter {
    total: AtomicU64,
    cached: AtomicU64,
    remaining: AtomicU64,
}

impl Default for Meter {
    fn default() -> Self {
        Self {
            total: AtomicU64::new(0),
            cached: AtomicU64::new(0),
            remaining: AtomicU64::new(u64::MAX),
        }
    }
}

impl Meter {
    /// One request answered with `response`; `github`: whether it went to GitHub, whose rate
    /// limit is reported.
    pub fn count(&self, response: &Response, github: bool) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if github
            && let Some(left) = response
                .header("x-ratelimit-remaining")
                .and_then(|v| v.trim().parse::<u64>().ok())
        {
            self.remaining.fetch_min(left, Ordering::Relaxed);
        }
    }

    /// One answer was a 304 served from the cache.
    pub fn count_cached(&self) {
        self.cached.fetch_add(1, Ordering::Relaxed);
    }

    /// One request that failed (no answer).
    pub fn count_failure(&self) {
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    /// The figures so far.
    pub fn stats(&self) -> RequestStats {
        let remaining = self.remaining.load(Ordering::Relaxed);
        RequestStats {
            total: self.total.load(Ordering::Relaxed),
            cached: self.cached.load(Ordering::Relaxed),
            rate_limit_remaining: (remaining != u64::MAX).then_some(remaining),
        }
    }
}

/// The validators of a kept answer, and the answer.
#[derive(Debug, Clone)]
pub struct Kept {
    /// `ETag`, as the server sent it.
    pub etag: Option<String>,
    /// `Last-Modified`, as the server sent it.
    pub last_modified: Option<String>,
    /// The 200 answer.
    pub response: Response,
}

impl Kept {
    /// The conditional headers to send.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(e) = &self.etag {
            out.push(("if-none-match", e.clone()));
        }
        if let Some(m) = &self.last_modified {
            out.push(("if-modified-since", m.clone()));
        }
        out
    }
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    max_bytes: u64,
}

impl DiskCache {
    /// Opens (creating) the folder `dir`; entries larger than `max_bytes` are not kept.
    pub fn open(dir: &Path, max_bytes: u64) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            max_bytes,
        })
    }

    fn file(&self, url: &str, accept: &str) -> PathBuf {
        let digest =
            ring::digest::digest(&ring::digest::SHA256, format!("{accept} {url}").as_bytes());
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(&hex[..2]).join(format!("{hex}.json"))
    }

    /// The kept answer for `url`, if any.
    pub fn get(&self, url: &str, accept: &str) -> Option<Kept> {
        let file = self.file(url, accept);
        let meta = std::fs::metadata(&file).ok()?;
        if meta.len() > self.max_bytes.saturating_mul(2).saturating_add(64 * 1024) {
            return None;
        }
        let v: Value = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
        if v.get("url")?.as_str()? != url {
            return None;
        }
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let body = base64::engine::general_purpose::STANDARD
            .decode(v.get("body")?.as_str()?)
            .ok()?;
        let headers = v
            .get("headers")?
            .as_object()?
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
        Some(Kept {
            etag: text("etag"),
            last_modified: text("last_modified"),
            response: Response {
                url: url.to_owned(),
                status: 200,
                headers,
                body,
            },
        })
    }

    /// Keeps a 200 answer that has a validator; anything else is left alone. A failure to
    /// write is ignored: the cache only saves requests.
    pub fn put(&self, accept: &str, response: &Response) {
        if response.status != 200 || response.body.len() as u64 > self.max_bytes {
            return;
        }
        let etag = response.header("etag").map(str::to_owned);
        let last_modified = response.header("last-modified").map(str::to_owned);
        if etag.is_none() && last_modified.is_none() {
            return;
        }
        let headers: serde_json::Map<String, Value> = response
            .headers
            .iter()
            .filter(|(k, _)| KEPT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
            .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
            .collect();
        let entry = json!({
            "url": response.url,
            "etag": etag,
            "last_modified": last_modified,
            "headers": headers,
            "body": base64::engine::general_purpose::STANDARD.encode(&response.body),
        });
        let file = self.file(&response.url, accept);
        if let Some(parent) = file.parent()
            && std::fs::create_dir_all(parent).is_ok()
        {
            let _ = crate::paths::write_atomically(&file, entry.to_string().as_bytes());
        }
    }
}

/// The answer a 304 stands for: the kept 200, with the 304's fresh rate-limit headers.
pub fn revalidated(kept: Kept, not_modified: &Response) -> Response {
    let mut response = kept.response;
    for (k, v) in &not_modified.headers {
        let k = k.to_ascii_lowercase();
        if k.starts_with("x-ratelimit-") {
            response
                .headers
                .retain(|(h, _)| !h.eq_ignore_ascii_case(&k));
            response.headers.push((k, v.clone()));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            url: "http://127.0.0.1:1/repos/o/r".into(),
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_kept_answer_comes_back_with_its_validators() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path(), 1024).unwrap();
        let r = response(
            200,
            &[("etag", "\"abc\""), ("content-type", "application/json")],
            "{}",
        );
        cache.put("a", &r);
        let kept = cache.get(&r.url, "a").unwrap();
        assert_eq!(kept.headers(), [("if-none-match", "\"abc\"".to_owned())]);
        assert_eq!(kept.response.body, b"{}");
        assert!(cache.get(&r.url, "b").is_none());
        // No validator, not kept; too large, not kept.
        cache.put("c", &response(200, &[], "{}"));
        assert!(cache.get(&r.url, "c").is_none());
        cache.put("d", &response(200, &[("etag", "x")], &"x".repeat(2000)));
        assert!(cache.get(&r.url, "d").is_none());
        let fresh = revalidated(kept, &response(304, &[("X-RateLimit-Remaining", "42")], ""));
        assert_eq!(fresh.status, 200);
        assert_eq!(fresh.header("x-ratelimit-remaining"), Some("42"));
    }

    #[test]
    fn the_meter_counts_and_keeps_the_lowest_remaining() {
        let m = Meter::default();
        m.count(&response(200, &[("x-ratelimit-remaining", "10")], ""), true);
        m.count(&response(200, &[("x-ratelimit-remaining", "8")], ""), true);
        m.count_cached();
        m.count(&response(200, &[("x-ratelimit-remaining", "1")], ""), false);
        m.count_failure();
        assert_eq!(
            m.stats(),
            RequestStats {
                total: 4,
                cached: 1,
                rate_limit_remaining: Some(8)
            }
        );
    }
}
