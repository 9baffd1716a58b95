//! Recorded responses: `--record DIR` saves every response a live run fetched, `--from-dir DIR`
//! answers from them instead of the network.
//!
//! One file per URL. The path is the service (`github`, `pypi`, `testpypi`, `crates-io`,
//! `rubygems`, or `other/<host>`)
//! followed by the URL's path; a trailing `/` becomes `index`, a query is appended after `@`,
//! and `.json` ends it: `GET {github}/repos/o/r/actions/workflows/release.yml/runs?per_page=20`
//! is `github/repos/o/r/actions/workflows/release.yml/runs@per_page=20.json`. Each file is an
//! envelope, easy to write by hand:
//!
//! ```json
//! {"url": "https://api.github.com/repos/o/r", "status": 200,
//!  "headers": {"content-type": "application/json"}, "body": {"full_name": "o/r"}}
//! ```
//!
//! `body` holds a JSON body as JSON; a body that is not JSON is kept as a string in `text`.
//! Only a few response headers are kept, and nothing of the request: the token is never written.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::response::Response;

/// The largest recorded answer read back: the body limit of a live run, JSON-escaped.
pub const MAX_ENVELOPE_BYTES: u64 = 64 * 1024 * 1024;

/// The response headers a recording keeps.
pub const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "link",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
];

/// A service whose URLs are recorded under its id.
#[derive(Debug, Clone)]
pub struct Service {
    /// `github`, `pypi`, `testpypi`, `crates-io`, `rubygems`.
    pub id: &'static str,
    /// Its base URL, without a trailing slash.
    pub base: String,
}

fn clean_segment(seg: &str) -> String {
    let s: String = seg
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-+=@,&~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        format!("_{s}")
    } else {
        s
    }
}

/// The file, relative to the recording's folder, that holds the response for `url`.
pub fn relative_path(services: &[Service], url: &str) -> PathBuf {
    let (prefix, rest) = services
        .iter()
        .find_map(|s| {
            url.strip_prefix(&s.base)
                .filter(|r| r.is_empty() || r.starts_with('/') || r.starts_with('?'))
                .map(|r| (vec![s.id.to_owned()], r.to_owned()))
        })
        .unwrap_or_else(|| {
            let after_scheme = url.split_once("://").map_or(url, |(_, r)| r);
            let (host, path) = after_scheme
                .find(['/', '?'])
                .map_or((after_scheme, ""), |i| after_scheme.split_at(i));
            (
                vec!["other".to_owned(), clean_segment(host)],
                path.to_owned(),
            )
        });
    let (path, query) = rest.split_once('?').unwrap_or((&rest, ""));
    let mut segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(clean_segment)
        .collect();
    if path.is_empty() || path.ends_with('/') {
        segments.pop();
        segments.push("index".into());
    }
    let mut file = PathBuf::from_iter(prefix);
    let last = segments.pop().unwrap_or_else(|| "index".into());
    for s in segments {
        file.push(s);
    }
    let name = if query.is_empty() {
        format!("{last}.json")
    } else {
        format!("{last}@{}.json", clean_segment(query))
    };
    file.push(name);
    file
}

/// The envelope of a response, as written to a recording.
pub fn envelope(response: &Response) -> Value {
    let headers: Map<String, Value> = response
        .headers
        .iter()
        .filter(|(k, _)| KEPT_HEADERS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut env = json!({"url": response.url, "status": response.status, "headers": headers});
    if let Ok(body) = serde_json::from_slice::<Value>(&response.body) {
        env["body"] = body;
    } else {
        env["text"] = Value::String(String::from_utf8_lossy(&response.body).into_owned());
    }
    env
}

/// Reads an envelope back into a response for `url`. Errors are one line for the report.
pub fn read_envelope(file: &Path, url: &str) -> Result<Response, String> {
    let text = crate::error::read_text_limited(file, MAX_ENVELOPE_BYTES)
        .map_err(|e| e.to_string())?
        .text;
    let env: Value = serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    let status = match env.get("status") {
        None => 200,
        Some(v) => v
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..600).contains(s))
            .ok_or("`status` must be an HTTP status code")?,
    };
    let headers = env
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let body = match (env.get("body"), env.get("text")) {
        (Some(b), _) => serde_json::to_vec(b).map_err(|e| e.to_string())?,
        (None, Some(Value::String(t))) => t.clone().into_bytes(),
        _ => Vec::new(),
    };
    Ok(Response {
        url: url.to_owned(),
        status,
        headers,
        body,
    })
}

/// Saves `response` under `root` (for `--record`), its text passed through `scrub` (which cuts
/// out the client's secrets) once serialised.
pub fn record(
    root: &Path,
    services: &[Service],
    response: &Response,
    scrub: &dyn Fn(&str) -> String,
) -> std::io::Result<()> {
    let file = root.join(relative_path(services, &response.url));
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut text =
        scrub(&serde_json::to_string_pretty(&envelope(response)).map_err(std::io::Error::other)?);
    text.push('\n');
    crate::paths::write_atomically(&file, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Vec<Service> {
        vec![
            Service {
                id: "github",
                base: "https://api.github.com".into(),
            },
            Service {
                id: "pypi",
                base: "https://pypi.org".into(),
            },
        ]
    }

    #[test]
    fn urls_map_to_readable_paths() {
        let s = services();
        let p = |u: &str| relative_path(&s, u).to_string_lossy().replace('\\', "/");
        assert_eq!(
            p("https://api.github.com/repos/o/r"),
            "github/repos/o/r.json"
        );
        assert_eq!(
            p(
                "https://api.github.com/repos/o/r/actions/workflows/release.yml/runs?per_page=20&status=completed"
            ),
            "github/repos/o/r/actions/workflows/release.yml/runs@per_page=20&status=completed.json"
        );
        assert_eq!(
            p("https://pypi.org/simple/owlclaw/"),
            "pypi/simple/owlclaw/index.json"
        );
        assert_eq!(
            p("https://files.example/a/../b"),
            "other/files.example/a/_../b.json"
        );
        assert_eq!(
            p("https://api.github.com/repos/o/r/environments/pypi%20release"),
            "github/repos/o/r/environments/pypi_20release.json"
        );
    }

    #[test]
    fn envelopes_round_trip() {
        let r = Response {
            url: "https://pypi.org/pypi/x/json".into(),
            status: 404,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("set-cookie".into(), "s".into()),
            ],
            body: br#"{"message":"Not Found"}"#.to_vec(),
        };
        let env = envelope(&r);
        assert!(env["headers"].get("set-cookie").is_none());
        let dir = std::env::temp_dir().join(format!("trustpub-store-{}", std::process::id()));
        let file = dir.join("x.json");
        std::fs::create_dir_all(&dir).unwrap();
        crate::paths::write_atomically(&file, env.to_string().as_bytes()).unwrap();
        let back = read_envelope(&file, &r.url).unwrap();
        assert_eq!(back.status, 404);
        assert_eq!(back.body, r.body);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
