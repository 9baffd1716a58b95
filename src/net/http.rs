//! The one HTTP client of `drift`: blocking reqwest over rustls, a timeout on every request, a
//! body-size limit, retries per [`super::retry`], a cache that fetches each URL once however
//! many publishers need it, and the record and replay of `--record` / `--from-dir`.
//!
//! Every attempt has one deadline, `--timeout` from its start: connecting, the headers, each
//! redirect and every byte of the body count against it, so a server that trickles its answer
//! a byte a second holds an attempt no longer than a server that never answers. Redirects are
//! followed here, not by reqwest: within the origin asked (scheme, host, port) with the
//! request's credentials; to another origin only where the API is documented to redirect
//! ([`Redirects::ToStorage`]), and then with no credential at all. Every secret the client was
//! given is cut out of every answer, in the forms a server may echo it, before the answer is
//! read, recorded or reported.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::response::{FetchError, Response};

mod direct;
use super::retry::{self, Answer, Decision, Policy, Trouble};
use super::store::{self, Service};
use super::time::system_epoch;
pub use direct::{Method, Outgoing};

/// The GitHub REST API version trustpub speaks.
pub const GITHUB_API_VERSION: &str = "2022-11-28";

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Which redirects a request follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Redirects {
    /// Only within the origin asked: an API that moves a resource (a renamed repository, a
    /// PyPI name normalised) answers on its own host. A redirect elsewhere is an error.
    SameOrigin,
    /// Also to another origin, sent there without any credential or API header: for the
    /// answers the API documents as a redirect to a storage host (GitHub's job and run log
    /// downloads answer 302 to a short-lived URL on a blob store).
    ToStorage,
}

/// How requests behave.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The timeout of one attempt, connection to last byte.
    pub timeout: Duration,
    /// Retries and waits.
    pub policy: Policy,
    /// The largest body read; a larger one is an error, not a memory problem.
    pub max_body: u64,
    /// Whether to use the environment's proxy settings (off for loopback servers).
    pub use_proxy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            policy: Policy {
                retries: 3,
                backoff_base: Duration::from_millis(500),
                max_wait: Duration::from_secs(60),
            },
            max_body: 16 * 1024 * 1024,
            use_proxy: true,
        }
    }
}

/// Where answers come from.
#[derive(Clone)]
pub enum Mode {
    /// The network; with `record`, every response is also saved there.
    Live {
        /// The `--record` folder.
        record: Option<PathBuf>,
    },
    /// Files recorded earlier (`--from-dir`).
    Replay(PathBuf),
    /// Answers made in memory, by URL (the fuzz target of drift's response parsing): what
    /// servers send, without a network. Scrubbed like every other answer.
    Answers(Answers),
}

/// A function that answers a URL.
pub type Answers = Arc<dyn Fn(&str) -> Result<Response, FetchError> + Send + Sync>;

impl std::fmt::Debug for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Live { record } => f.debug_struct("Live").field("record", record).finish(),
            Mode::Replay(dir) => f.debug_tuple("Replay").field(dir).finish(),
            Mode::Answers(_) => f.write_str("Answers"),
        }
    }
}

type Slot = Arc<OnceLock<Result<Response, FetchError>>>;

/// A function that waits (replaced in tests, so they never sleep).
pub type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;

/// The client. Shared by every worker thread.
pub struct Http {
    client: Option<reqwest::blocking::Client>,
    mode: Mode,
    settings: Settings,
    services: Vec<Service>,
    github_token: Option<String>,
    /// Every secret given (the GitHub token, each registry's key and one-time code): cut out of
    /// every answer.
    secrets: Vec<String>,
    /// Per service id: the headers that authenticate to it (a registry's API token). Sent to
    /// that service only; never printed, recorded or cached by value.
    auth: Vec<(
        &'static str,
        Vec<(&'static str, reqwest::header::HeaderValue)>,
    )>,
    sleep: Sleeper,
    cache: Mutex<HashMap<String, Slot>>,
    /// Per service: the epoch second until which its rate limit is known to be exhausted.
    exhausted: Mutex<HashMap<&'static str, i64>>,
    /// What the requests cost, for reports.
    meter: super::conditional::Meter,
    /// `--cache`: answers kept across runs, asked for again conditionally.
    disk: Option<super::conditional::DiskCache>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Http")
            .field("mode", &self.mode)
            .field("services", &self.services)
            .field(
                "github_token",
                &self.github_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "auth",
                &self
                    .auth
                    .iter()
                    .map(|(id, _)| (*id, "[REDACTED]"))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Http {
    /// A client for `services` (the GitHub one must have id `github`), with an optional token
    /// sent to GitHub only.
    pub fn new(
        mode: Mode,
        settings: Settings,
        services: Vec<Service>,
        github_token: Option<String>,
    ) -> Result<Self, String> {
        let client = match mode {
            Mode::Live { .. } => {
                // rustls with ring: one well-kept provider, no C toolchain or CMake to build.
                let _ = rustls::crypto::ring::default_provider().install_default();
                // No client-wide timeout: each request gets what is left of its attempt's
                // deadline (see `attempt`), which bounds the body too. Redirects are ours.
                let mut b = reqwest::blocking::Client::builder()
                    .timeout(None)
                    .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("trustpub/", env!("CARGO_PKG_VERSION")));
                if !settings.use_proxy {
                    b = b.no_proxy();
                }
                Some(
                    b.build()
                        .map_err(|e| format!("cannot build the HTTP client: {e}"))?,
                )
            }
            Mode::Replay(_) | Mode::Answers(_) => None,
        };
        let github_token = github_token.filter(|t| !t.trim().is_empty());
        Ok(Self {
            client,
            mode,
            settings,
            services,
            secrets: github_token.iter().cloned().collect(),
            github_token,
            auth: Vec::new(),
            sleep: Arc::new(std::thread::sleep),
            cache: Mutex::new(HashMap::new()),
            exhausted: Mutex::new(HashMap::new()),
            meter: super::conditional::Meter::default(),
            disk: None,
        })
    }

    /// Keeps answers in `cache` across runs and asks for them again with `If-None-Match` /
    /// `If-Modified-Since` (live runs only).
    pub fn with_disk_cache(mut self, cache: super::conditional::DiskCache) -> Self {
        self.disk = Some(cache);
        self
    }

    /// Replaces how the client waits between attempts (tests record the waits instead).
    pub fn with_sleeper(mut self, sleep: Sleeper) -> Self {
        self.sleep = sleep;
        self
    }

    /// Adds headers that authenticate to the service `id` (for example `Authorization` with a
    /// registry's API token): they are sent with every request to that service and to no other,
    /// marked sensitive, and never recorded. Headers with an empty value are left out; a value
    /// that cannot be a header (a line break) is an error that does not show the value.
    pub fn with_auth(
        mut self,
        id: &'static str,
        headers: Vec<(&'static str, String)>,
    ) -> Result<Self, String> {
        let mut values = Vec::new();
        for (name, value) in headers {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let mut v = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                format!("the {name} value for {id} is not a valid HTTP header value")
            })?;
            v.set_sensitive(true);
            values.push((name, v));
            if !self.secrets.iter().any(|s| s == value) {
                self.secrets.push(value.to_owned());
            }
        }
        self.auth.retain(|(s, _)| *s != id);
        if !values.is_empty() {
            self.auth.push((id, values));
        }
        Ok(self)
    }

    /// Whether requests to the service `id` carry credentials.
    pub fn has_auth(&self, id: &str) -> bool {
        self.auth.iter().any(|(s, _)| *s == id)
    }

    /// Whether a token would raise the rate limit of `service`: GitHub asked without one.
    fn suggest_token(&self, service: Option<&str>) -> bool {
        service == Some("github") && self.github_token.is_none()
    }

    /// Whether a GitHub token is in use.
    pub fn has_github_token(&self) -> bool {
        self.github_token.is_some()
    }

    /// The base URL of a service.
    pub fn base(&self, id: &str) -> &str {
        self.services
            .iter()
            .find(|s| s.id == id)
            .map_or("", |s| s.base.as_str())
    }

    /// The service a URL belongs to: the longest base it starts with, at a path boundary (so a
    /// token for `https://crates.io` never goes to `https://crates.io.example`).
    fn service_of(&self, url: &str) -> Option<&'static str> {
        self.services
            .iter()
            .filter(|s| {
                url.strip_prefix(&s.base)
                    .is_some_and(|r| r.is_empty() || r.starts_with('/') || r.starts_with('?'))
            })
            .max_by_key(|s| s.base.len())
            .map(|s| s.id)
    }

    /// GETs `url` with `accept`, once per run: concurrent callers of the same URL wait for
    /// the first one's answer. Any status is a response; only transport failures, exhausted
    /// retries and rate limits are errors.
    pub fn get(&self, url: &str, accept: &str) -> Result<Response, FetchError> {
        self.get_with(url, accept, Redirects::SameOrigin)
    }

    /// [`Http::get`], following the redirects `redirects` allows.
    pub fn get_with(
        &self,
        url: &str,
        accept: &str,
        redirects: Redirects,
    ) -> Result<Response, FetchError> {
        let key = format!("{accept} {redirects:?} {url}");
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(cache.entry(key).or_default())
        };
        slot.get_or_init(|| self.metered(url, || self.fetch(url, accept, redirects)))
            .clone()
    }

    /// What the requests so far cost.
    pub fn request_stats(&self) -> super::conditional::RequestStats {
        self.meter.stats()
    }

    /// `fetch`, counted.
    fn metered(
        &self,
        url: &str,
        fetch: impl FnOnce() -> Result<Response, FetchError>,
    ) -> Result<Response, FetchError> {
        let result = fetch();
        match &result {
            Ok(r) => self.meter.count(r, self.service_of(url) == Some("github")),
            Err(_) => self.meter.count_failure(),
        }
        result
    }

    fn fetch(&self, url: &str, accept: &str, redirects: Redirects) -> Result<Response, FetchError> {
        match (&self.mode, &self.client) {
            (Mode::Replay(root), _) => {
                let rel = store::relative_path(&self.services, url);
                let file = root.join(&rel);
                if !file.is_file() {
                    return Err(FetchError::NotRecorded(crate::source::display_path(&file)));
                }
                store::read_envelope(&file, url)
                    .map(|r| self.scrub(r))
                    .map_err(|e| {
                        FetchError::Malformed(format!(
                            "{}: {e}",
                            crate::source::display_path(&file)
                        ))
                    })
            }
            (Mode::Answers(answer), _) => answer(url).map(|r| self.scrub(r)),
            (Mode::Live { record }, Some(client)) => {
                let response = self.fetch_live(client, url, accept, redirects)?;
                // A server that echoes a secret (a proxy's debug page, a hostile mirror) must
                // not put it in the report or the recording: each is cut out of every answer.
                let response = self.scrub(response);
                // A 304 stands for the kept answer; a new 200 with a validator is kept, as
                // scrubbed.
                let response = match (&self.disk, response.status) {
                    (Some(disk), 304) => match disk.get(url, accept) {
                        Some(kept) => {
                            self.meter.count_cached();
                            super::conditional::revalidated(kept, &response)
                        }
                        None => response,
                    },
                    (Some(disk), 200) => {
                        disk.put(accept, &response);
                        response
                    }
                    _ => response,
                };
                if let Some(root) = record {
                    // A recording that cannot be written must not change the report.
                    let _ = store::record(root, &self.services, &response, &|t| self.scrub_text(t));
                }
                Ok(response)
            }
            (Mode::Live { .. }, None) => Err(FetchError::Network("no HTTP client".into())),
        }
    }

    /// `text` with every secret the client holds cut out, in every form a server may echo it:
    /// for what is made from answers after they are parsed (a report, a recording), where a
    /// JSON escape in the answer (`\u0067hp_...`) has become the plain character.
    pub fn scrub_text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if let Some(v) = crate::redact::scrub_secret(out.as_bytes(), secret) {
                out = String::from_utf8_lossy(&v).into_owned();
            }
        }
        out
    }

    /// `response` with every secret cut out of its body and headers.
    fn scrub(&self, mut response: Response) -> Response {
        for secret in &self.secrets {
            response = scrub(response, secret);
        }
        response
    }

    fn fetch_live(
        &self,
        client: &reqwest::blocking::Client,
        url: &str,
        accept: &str,
        redirects: Redirects,
    ) -> Result<Response, FetchError> {
        let service = self.service_of(url);
        let policy = self.settings.policy;
        let mut attempt = 0u32;
        loop {
            if let Some(s) = service
                && let Some(&until) = self
                    .exhausted
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(s)
                && until > system_epoch()
                && Duration::from_secs(u64::try_from(until - system_epoch()).unwrap_or(0))
                    > policy.max_wait
            {
                return Err(FetchError::RateLimited {
                    reset: Some(until),
                    suggest_token: self.suggest_token(service),
                });
            }
            let outcome = self.attempt(client, url, accept, redirects);
            let now = system_epoch();
            let trouble = match &outcome {
                Ok(r) => {
                    let start =
                        String::from_utf8_lossy(&r.body[..r.body.len().min(512)]).into_owned();
                    let t = retry::trouble(
                        &Answer {
                            status: r.status,
                            retry_after: r.header("retry-after"),
                            remaining: r.header("x-ratelimit-remaining"),
                            reset: r.header("x-ratelimit-reset"),
                            body_start: &start,
                        },
                        now,
                    );
                    if let (Some(Trouble::RateLimited { reset: Some(at) }), Some(s)) = (t, service)
                        && r.header("x-ratelimit-remaining").map(str::trim) == Some("0")
                    {
                        self.exhausted
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(s, at);
                    }
                    t
                }
                Err(FetchError::Network(_) | FetchError::Timeout(_)) => Some(Trouble::Network),
                Err(_) => None,
            };
            match retry::decide(trouble, attempt, &policy, now, jitter(url, attempt)) {
                Decision::Done => return outcome,
                Decision::Retry(wait) => {
                    (self.sleep)(wait);
                    attempt += 1;
                }
                Decision::GiveUp(Trouble::RateLimited { reset }) => {
                    return Err(FetchError::RateLimited {
                        reset,
                        suggest_token: self.suggest_token(service),
                    });
                }
                Decision::GiveUp(Trouble::Server) => {
                    let status = outcome.map_or(500, |r| r.status);
                    return Err(FetchError::Server {
                        status,
                        attempts: attempt + 1,
                    });
                }
                Decision::GiveUp(Trouble::Network) => return outcome,
            }
        }
    }

    /// One attempt: the request, its redirects and its body, all within one deadline.
    fn attempt(
        &self,
        client: &reqwest::blocking::Client,
        url: &str,
        accept: &str,
        redirects: Redirects,
    ) -> Result<Response, FetchError> {
        let timeout = self.settings.timeout.as_secs().max(1);
        let deadline = Instant::now() + self.settings.timeout;
        let first = reqwest::Url::parse(url).map_err(|e| FetchError::Network(e.to_string()))?;
        let origin = first.origin();
        let mut current = first;
        for _ in 0..=MAX_REDIRECTS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(FetchError::Timeout(timeout));
            }
            // Credentials and API headers go to the origin asked only, never after a redirect
            // to another one.
            let own = current.origin() == origin;
            let service = if own {
                self.service_of(current.as_str())
            } else {
                None
            };
            let mut request = client
                .get(current.clone())
                .timeout(left)
                .header(reqwest::header::ACCEPT, accept);
            // The validators of an answer kept by `--cache` (for the URL asked, not a
            // redirect's), so an unchanged one is a 304.
            if current.as_str() == url
                && let Some(kept) = self.disk.as_ref().and_then(|d| d.get(url, accept))
            {
                for (name, value) in kept.headers() {
                    request = request.header(name, value);
                }
            }
            if service == Some("github") {
                request = request.header("X-GitHub-Api-Version", GITHUB_API_VERSION);
                if let Some(token) = &self.github_token {
                    request = request.bearer_auth(token);
                }
            }
            if let Some((_, headers)) = self.auth.iter().find(|(s, _)| Some(*s) == service) {
                for (name, value) in headers {
                    request = request.header(*name, value.clone());
                }
            }
            let response = request.send().map_err(|e| classify(&e, timeout))?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .filter(|_| matches!(status, 301 | 302 | 303 | 307 | 308));
            if let Some(location) = location {
                let next = current.join(location).map_err(|e| {
                    FetchError::Network(format!("a redirect to an invalid URL ({e})"))
                })?;
                if next.origin() != origin && redirects == Redirects::SameOrigin {
                    return Err(FetchError::Redirected(next.origin().ascii_serialization()));
                }
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(FetchError::Redirected(next.origin().ascii_serialization()));
                }
                current = next;
                continue;
            }
            let headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            let max = self.settings.max_body;
            if response.content_length().is_some_and(|n| n > max) {
                return Err(FetchError::TooLarge(max));
            }
            // Each read is bounded by what is left of the deadline (the request's timeout
            // covers the body), and the deadline is checked between reads.
            let mut body = Vec::new();
            let mut reader = response.take(max.saturating_add(1));
            let mut chunk = [0u8; 16 * 1024];
            loop {
                if Instant::now() >= deadline {
                    return Err(FetchError::Timeout(timeout));
                }
                let n = reader
                    .read(&mut chunk)
                    .map_err(|e| classify_io(&e, timeout))?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            if body.len() as u64 > max {
                return Err(FetchError::TooLarge(max));
            }
            return Ok(Response {
                url: url.to_owned(),
                status,
                headers,
                body,
            });
        }
        Err(FetchError::Network(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }
}

/// `response` with every occurrence of `secret`, in every form a server may echo it, in its
/// body and headers replaced.
fn scrub(mut response: Response, secret: &str) -> Response {
    if let Some(body) = crate::redact::scrub_secret(&response.body, secret) {
        response.body = body;
    }
    for (_, value) in &mut response.headers {
        if let Some(v) = crate::redact::scrub_secret(value.as_bytes(), secret) {
            *value = String::from_utf8_lossy(&v).into_owned();
        }
    }
    response
}

fn classify(e: &reqwest::Error, timeout: u64) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout(timeout);
    }
    // The URL is ours and holds no secret; the chain of causes says what broke.
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    FetchError::Network(text)
}

fn classify_io(e: &std::io::Error, timeout: u64) -> FetchError {
    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout);
    if timed_out {
        FetchError::Timeout(timeout)
    } else {
        FetchError::Network(format!("the connection broke while reading the body: {e}"))
    }
}

/// A cheap spread in [0, 1) so that concurrent workers do not retry in lockstep.
fn jitter(url: &str, attempt: u32) -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let h = RandomState::new().hash_one((url, attempt));
    (h % 1000) as f64 / 1000.0
}
