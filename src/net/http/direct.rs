//! Requests beside `drift`'s cached GETs, on the same settings (timeout, body limit, proxy):
//!
//! - [`Http::send`]: one request of any method (GET, POST with a body, DELETE) with headers of
//!   its own (a bearer token, a registry key), never cached, retried or recorded. The answer's
//!   body is read to the body limit within one overall deadline (the timeout), and every secret
//!   the request carried is cut out of it before it is returned.
//! - [`Http::open`]: a GET whose body is streamed (a job's log): the service's credentials go
//!   with the first request only. A redirect (GitHub's log endpoint answers 302 to a storage
//!   host) is followed without any credential, to https only (or plain http when the original
//!   URL was plain http, as on loopback), at most five times.
//!
//! Neither follows a redirect by itself: redirects are seen and handled here, so no credential
//! ever reaches another URL than the one it was given for.

use std::io::Read;
use std::time::{Duration, Instant};

use super::Http;
use crate::net::response::{FetchError, Response};

/// An HTTP method of [`Outgoing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST, with the request's body.
    Post,
    /// DELETE.
    Delete,
}

/// One request of [`Http::send`].
pub struct Outgoing<'a> {
    /// The method.
    pub method: Method,
    /// The URL.
    pub url: &'a str,
    /// Headers, sent as given and marked sensitive (credentials go here).
    pub headers: Vec<(&'static str, String)>,
    /// The body and its content type.
    pub body: Option<(&'static str, Vec<u8>)>,
    /// Secrets the request carries, cut out of the answer (a server that echoes them).
    pub secrets: Vec<&'a str>,
}

impl std::fmt::Debug for Outgoing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never a header value, a body or a secret.
        f.debug_struct("Outgoing")
            .field("method", &self.method)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The most redirects [`Http::open`] follows.
const MAX_REDIRECTS: usize = 5;

impl Http {
    /// A client that follows no redirect, with the shared settings.
    fn direct_client(&self) -> Result<reqwest::blocking::Client, FetchError> {
        let mut b = reqwest::blocking::Client::builder()
            .timeout(self.settings.timeout)
            .connect_timeout(self.settings.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("trustpub/", env!("CARGO_PKG_VERSION")));
        if !self.settings.use_proxy {
            b = b.no_proxy();
        }
        b.build()
            .map_err(|e| FetchError::Network(format!("cannot build the HTTP client: {e}")))
    }

    /// Sends one request; any status is an answer. Only transport failures, the deadline and
    /// the body limit are errors, and their text never shows the request's URL, headers or
    /// body (a runner's token URL carries a secret).
    pub fn send(&self, request: &Outgoing<'_>) -> Result<Response, FetchError> {
        if matches!(self.mode, super::Mode::Replay(_)) {
            return Err(FetchError::NotRecorded(
                "requests with credentials are never recorded".into(),
            ));
        }
        let client = self.direct_client()?;
        let deadline = Instant::now() + self.settings.timeout;
        let mut builder = match request.method {
            Method::Get => client.get(request.url),
            Method::Post => client.post(request.url),
            Method::Delete => client.delete(request.url),
        };
        for (name, value) in &request.headers {
            let mut v = reqwest::header::HeaderValue::from_str(value.trim()).map_err(|_| {
                FetchError::Malformed(format!("the {name} value is not a valid header value"))
            })?;
            v.set_sensitive(true);
            builder = builder.header(*name, v);
        }
        if let Some((content_type, body)) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, *content_type)
                .body(body.clone());
        }
        let timeout = self.settings.timeout.as_secs().max(1);
        let response = builder.send().map_err(|e| quiet(&e, timeout))?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = read_within(response, self.settings.max_body, deadline, timeout)?;
        let mut answer = Response {
            url: request.url.to_owned(),
            status,
            headers,
            body,
        };
        for secret in request
            .secrets
            .iter()
            .copied()
            .chain(self.github_token.as_deref())
        {
            answer = super::scrub(answer, secret);
        }
        Ok(answer)
    }

    /// Opens `url` for streaming, following redirects without credentials. Returns the body
    /// and the status of the last answer (a non-2xx answer is an error naming its status).
    pub fn open(&self, url: &str, accept: &str) -> Result<Box<dyn Read + Send>, FetchError> {
        if matches!(self.mode, super::Mode::Replay(_)) {
            return Err(FetchError::NotRecorded(url.to_owned()));
        }
        let client = self.direct_client()?;
        let timeout = self.settings.timeout.as_secs().max(1);
        let plain_allowed = url.starts_with("http://");
        let mut current = url.to_owned();
        for hop in 0..=MAX_REDIRECTS {
            let mut builder = client.get(&current).header(reqwest::header::ACCEPT, accept);
            if hop == 0 {
                // The first request only: the service's own credentials.
                let service = self.service_of(&current);
                if service == Some("github") {
                    builder = builder.header("X-GitHub-Api-Version", super::GITHUB_API_VERSION);
                    if let Some(token) = &self.github_token {
                        builder = builder.bearer_auth(token);
                    }
                }
                if let Some((_, headers)) = self.auth.iter().find(|(s, _)| Some(*s) == service) {
                    for (name, value) in headers {
                        builder = builder.header(*name, value.clone());
                    }
                }
            }
            let response = builder.send().map_err(|e| quiet(&e, timeout))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| {
                        FetchError::Malformed(format!(
                            "HTTP {} without a Location",
                            status.as_u16()
                        ))
                    })?;
                let next = reqwest::Url::parse(&current)
                    .and_then(|base| base.join(location))
                    .map_err(|_| FetchError::Malformed("a redirect to an invalid URL".into()))?;
                match next.scheme() {
                    "https" => {}
                    "http" if plain_allowed => {}
                    other => {
                        return Err(FetchError::Malformed(format!(
                            "a redirect to a {other}: URL, not followed"
                        )));
                    }
                }
                current = next.into();
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Malformed(format!(
                    "HTTP {} from {}",
                    status.as_u16(),
                    origin(&current)
                )));
            }
            return Ok(Box::new(response));
        }
        Err(FetchError::Malformed(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }
}

/// The scheme and host of a URL, without its path or query (which may carry a signature).
fn origin(url: &str) -> String {
    reqwest::Url::parse(url).map_or_else(
        |_| "the server".to_owned(),
        |u| format!("{}://{}", u.scheme(), u.host_str().unwrap_or("?")),
    )
}

/// A transport error, without the URL reqwest puts in its text.
fn quiet(e: &reqwest::Error, timeout: u64) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout(timeout);
    }
    let what = if e.is_connect() {
        "could not connect"
    } else if e.is_request() {
        "the request failed"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the connection failed"
    };
    FetchError::Network(what.into())
}

/// Reads a body to `max` bytes, within `deadline` whatever the pace of the server.
fn read_within(
    mut response: reqwest::blocking::Response,
    max: u64,
    deadline: Instant,
    timeout: u64,
) -> Result<Vec<u8>, FetchError> {
    if response.content_length().is_some_and(|n| n > max) {
        return Err(FetchError::TooLarge(max));
    }
    let mut body = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if Instant::now() > deadline {
            return Err(FetchError::Timeout(timeout));
        }
        let n = match response.read(&mut chunk) {
            Ok(0) => return Ok(body),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.get_ref()
                        .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
                        .is_some_and(reqwest::Error::is_timeout) =>
            {
                return Err(FetchError::Timeout(timeout));
            }
            Err(_) => {
                return Err(FetchError::Network("the answer broke off".into()));
            }
        };
        body.extend_from_slice(&chunk[..n]);
        if body.len() as u64 > max {
            return Err(FetchError::TooLarge(max));
        }
    }
}
