//! Each registry's real token exchange, for `preflight --exchange`, and the revocation of what
//! it gives where the registry has one. Every endpoint is the one the registry's own publishing
//! tool calls:
//!
//! - PyPI and TestPyPI: `POST {index}/_/oidc/mint-token`, `{"token": JWT}`; 200
//!   `{"success": true, "token": "pypi-...", "expires": N}`, every refusal 422
//!   `{"message": "Token request failed", "errors": [{"code", "description"}]}` (pypi/warehouse
//!   @6b62157124ab `warehouse/oidc/views.py`, route in `warehouse/oidc/__init__.py`;
//!   gh-action-pypi-publish `oidc-exchange.py` since cd96453c9d1b). PyPI has no API to revoke
//!   the minted token: it is dropped unused and expires after 15 minutes. With a pending
//!   publisher, a successful exchange creates the project, as the real upload's exchange would.
//! - crates.io: `POST {registry}/api/v1/trusted_publishing/tokens`, `{"jwt": JWT}`; 200
//!   `{"token": "cio_tp_..."}`, refusals 400 `{"errors": [{"detail"}]}`; revoked with `DELETE`
//!   on the same URL and `Authorization: Bearer <token>`, 204 (rust-lang/crates.io @57fa000662f5
//!   `src/controllers/trustpub/tokens/{exchange,revoke}/mod.rs`; crates-io-auth-action
//!   @a1c979fa8eec `src/main.ts`, `src/post.ts`).
//! - RubyGems: `POST {server}/api/v1/oidc/trusted_publisher/exchange_token`, `{"jwt": JWT}`,
//!   `Accept: application/json`; 201 `{"rubygems_api_key", ...}`, refusals 404
//!   `{"error": "Not Found"}` or 400 `{"error": ...}` (rubygems/rubygems.org @3c8ea0d4cbe8
//!   `trusted_publisher_controller.rb`; configure-rubygems-credentials @abfabee9aa68
//!   `src/oidc/trustedPublisher.ts`). No revocation: the key expires after 15 minutes.
//! - NuGet: `POST {gallery}/api/v2/token`, `Authorization: Bearer JWT`, a `User-Agent`, body
//!   `{"username": <policy owner>, "tokenType": "ApiKey"}`; 200 `{"apiKey", ...}`, refusals
//!   `{"error": ...}` with 401 or 400 (NuGet/NuGetGallery @55d8cc0bc95f
//!   `TokenApiController.cs`; NuGet/login @e12aa70ccb4d `src/index.ts`). No revocation API: the
//!   short-lived key is dropped unused.
//! - npm: `POST {registry}/-/npm/v1/oidc/token/exchange/package/{escaped name}`, no body,
//!   `Authorization: Bearer JWT`; 201 `{"token", ...}`, refusals `{"message": "OIDC token
//!   exchange error - ..."}` (npm CLI 11.5.1-12.2.2 `lib/utils/oidc.js`; semantic-release/npm
//!   @1e3495c7ba2f `lib/trusted-publishing/token-exchange.js` makes the same request from its
//!   own client). No revocation: the package-scoped token is dropped unused.
//!
//! No token, sent or received, is ever printed, logged, recorded or written: the answers' texts
//! are cut of the tokens the requests carried before they are kept.

use serde_json::{Value, json};

use crate::identity::{Publisher, Registry};
use crate::net::http::{Http, Method, Outgoing};
use crate::net::response::{FetchError, Response};

/// The registries' base URLs (`--pypi-url` and the others).
#[derive(Debug, Clone)]
pub struct Urls {
    /// PyPI.
    pub pypi: String,
    /// TestPyPI.
    pub testpypi: String,
    /// crates.io.
    pub crates_io: String,
    /// RubyGems.
    pub rubygems: String,
    /// NuGet's gallery.
    pub nuget: String,
    /// npm's registry.
    pub npm: String,
}

impl Urls {
    /// The base URL of `registry`.
    pub fn of(&self, registry: Registry) -> &str {
        match registry {
            Registry::Pypi => &self.pypi,
            Registry::TestPypi => &self.testpypi,
            Registry::CratesIo => &self.crates_io,
            Registry::RubyGems => &self.rubygems,
            Registry::NuGet => &self.nuget,
            Registry::Npm => &self.npm,
        }
    }
}

/// What a real exchange gave (`exchange` in the JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Whether a request was made (not when a value the exchange needs is not declared).
    pub attempted: bool,
    /// Whether the registry gave a token.
    pub accepted: bool,
    /// The HTTP status, when the registry answered.
    pub status: Option<u16>,
    /// The registry's error code (PyPI's), when it gives one.
    pub code: Option<String>,
    /// The registry's text, or why there is none.
    pub reason: Option<String>,
    /// Whether the token was revoked: `None` where the registry has no revocation (or nothing
    /// was obtained).
    pub revoked: Option<bool>,
}

impl Exchange {
    /// Whether the registry itself refused (an answer that is not a 2xx, and not its outage).
    pub fn refused(&self) -> bool {
        self.attempted && !self.accepted && self.status.is_some_and(|s| s < 500)
    }

    fn not_attempted(reason: impl Into<String>) -> Self {
        Exchange {
            attempted: false,
            accepted: false,
            status: None,
            code: None,
            reason: Some(reason.into()),
            revoked: None,
        }
    }

    fn failed(e: &FetchError) -> Self {
        Exchange {
            attempted: true,
            accepted: false,
            status: match e {
                FetchError::Server { status, .. } => Some(*status),
                _ => None,
            },
            code: None,
            reason: Some(e.to_string()),
            revoked: None,
        }
    }
}

/// Percent-encodes a URL component.
pub(super) use crate::percent::encode;

/// A string field of a JSON body.
fn field(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The start of a body that is not the registry's JSON, bounded.
fn body_start(r: &Response) -> String {
    let text = String::from_utf8_lossy(&r.body[..r.body.len().min(300)]).into_owned();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        format!("HTTP {} with an empty body", r.status)
    } else {
        format!("HTTP {}: {text}", r.status)
    }
}

/// Exchanges `jwt` with `p`'s registry, then revokes what it gave where the registry can.
pub fn exchange(http: &Http, urls: &Urls, p: &Publisher, jwt: &str) -> Exchange {
    let base = urls.of(p.registry);
    let post_json = |url: String, body: Value, extra: Vec<(&'static str, String)>| {
        let mut headers = vec![("accept", "application/json".to_owned())];
        headers.extend(extra);
        http.send(&Outgoing {
            method: Method::Post,
            url: &url,
            headers,
            body: Some(("application/json", body.to_string().into_bytes())),
            secrets: vec![jwt],
        })
    };
    let answer = match p.registry {
        Registry::Pypi | Registry::TestPypi => post_json(
            format!("{base}/_/oidc/mint-token"),
            json!({"token": jwt}),
            vec![],
        ),
        Registry::CratesIo => post_json(
            format!("{base}/api/v1/trusted_publishing/tokens"),
            json!({"jwt": jwt}),
            vec![],
        ),
        Registry::RubyGems => post_json(
            format!("{base}/api/v1/oidc/trusted_publisher/exchange_token"),
            json!({"jwt": jwt}),
            vec![],
        ),
        Registry::NuGet => {
            let Some(user) = &p.policy_owner else {
                return Exchange::not_attempted(
                    "`policy-owner` is not declared: NuGet's token API needs the user name of the policy's creator",
                );
            };
            post_json(
                format!("{base}/api/v2/token"),
                json!({"username": user, "tokenType": "ApiKey"}),
                vec![("authorization", format!("Bearer {jwt}"))],
            )
        }
        Registry::Npm => http.send(&Outgoing {
            method: Method::Post,
            url: &format!(
                "{base}/-/npm/v1/oidc/token/exchange/package/{}",
                npm_escaped(&p.project)
            ),
            headers: vec![
                ("accept", "application/json".to_owned()),
                ("authorization", format!("Bearer {jwt}")),
            ],
            body: None,
            secrets: vec![jwt],
        }),
    };
    let r = match answer {
        Ok(r) => r,
        Err(e) => return Exchange::failed(&e),
    };
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let token_key = match p.registry {
        Registry::RubyGems => "rubygems_api_key",
        Registry::NuGet => "apiKey",
        _ => "token",
    };
    if (200..300).contains(&r.status) {
        let Some(token) = field(&body, token_key).filter(|t| !t.is_empty()) else {
            return Exchange {
                attempted: true,
                accepted: false,
                status: Some(r.status),
                code: None,
                reason: Some(format!(
                    "HTTP {}, but the answer holds no `{token_key}`",
                    r.status
                )),
                revoked: None,
            };
        };
        let revoked = match p.registry {
            Registry::CratesIo => Some(revoke_crates_io(http, base, &token, jwt)),
            _ => None,
        };
        // The token goes out of scope here, unused.
        drop(token);
        return Exchange {
            attempted: true,
            accepted: true,
            status: Some(r.status),
            code: None,
            reason: None,
            revoked,
        };
    }
    let (code, reason) = match p.registry {
        Registry::Pypi | Registry::TestPypi => {
            let first = body
                .get("errors")
                .and_then(Value::as_array)
                .and_then(|e| e.first());
            (
                first.and_then(|e| field(e, "code")),
                first.and_then(|e| field(e, "description")),
            )
        }
        Registry::CratesIo => {
            let details: Vec<String> = body
                .get("errors")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(|e| field(e, "detail")).collect())
                .unwrap_or_default();
            (None, (!details.is_empty()).then(|| details.join(" ")))
        }
        Registry::RubyGems | Registry::NuGet => (None, field(&body, "error")),
        Registry::Npm => (None, field(&body, "message")),
    };
    Exchange {
        attempted: true,
        accepted: false,
        status: Some(r.status),
        code,
        reason: Some(reason.unwrap_or_else(|| body_start(&r))),
        revoked: None,
    }
}

/// `DELETE /api/v1/trusted_publishing/tokens` with the token: 204 (also for a token already
/// gone) is revoked.
fn revoke_crates_io(http: &Http, base: &str, token: &str, jwt: &str) -> bool {
    http.send(&Outgoing {
        method: Method::Delete,
        url: &format!("{base}/api/v1/trusted_publishing/tokens"),
        headers: vec![("authorization", format!("Bearer {token}"))],
        body: None,
        secrets: vec![token, jwt],
    })
    .is_ok_and(|r| (200..300).contains(&r.status))
}

/// npm's escaped package name (npm-package-arg `escapedName`): `@scope/pkg` is `@scope%2fpkg`.
fn npm_escaped(name: &str) -> String {
    match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, pkg)) => format!("@{}%2f{}", encode(scope), encode(pkg)),
        None => encode(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_names_are_escaped_as_npm_does() {
        assert_eq!(npm_escaped("@acme/widget"), "@acme%2fwidget");
        assert_eq!(npm_escaped("widget"), "widget");
        assert_eq!(encode("npm:registry.npmjs.org"), "npm%3Aregistry.npmjs.org");
    }
}
