//! `trustpub preflight`: inside the release job, before anything is built or tagged, ask the
//! runner for the job's own OIDC token with each registry's audience, judge its real claims
//! against the desired state exactly as `explain` does, and, with `--exchange`, make each
//! registry's real token exchange and report the registry's own answer (the only way to learn
//! what PyPI holds, since it has no read API).
//!
//! The runner's token endpoint (GitHub's `@actions/core` `getIDToken`, and every publishing
//! tool): `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<audience>` with
//! `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering `{"value": "<JWT>"}`.
//! The variables exist only in a job with `permissions: id-token: write`. PyPI's and TestPyPI's
//! audience is read from the index (`GET /_/oidc/audience`, `{"audience": "pypi"}`), as
//! gh-action-pypi-publish does; the other registries' are fixed (their `Spec`).
//!
//! Neither the runner's request token, its URL (which carries a secret), the JWTs nor the
//! registries' tokens are ever printed, logged, recorded or written.

pub mod exchange;

use serde_json::Value;

use crate::config::DesiredState;
use crate::error::InputError;
use crate::evidence::Evidence;
use crate::explain::{self, ExplainReport, Selection};
use crate::identity::{Claims, Publisher, Registry};
use crate::net::http::{Http, Method, Outgoing};
use crate::registry::answer::Answer;

pub use exchange::{Exchange, Urls};

/// The runner's token endpoint, from the job's environment.
pub struct Runner {
    url: String,
    token: String,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the URL nor the token: both are the job's secrets.
        f.write_str("Runner { .. }")
    }
}

/// What `preflight` says when it does not run in a job that can get a token.
pub const NO_RUNNER: &str = "preflight runs inside the GitHub Actions job that publishes, with `permissions: id-token: write`: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set (not on a runner, or the job lacks `id-token: write`)";

impl Runner {
    /// The endpoint from `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
    /// when both are set.
    pub fn from_env() -> Option<Runner> {
        let get = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Some(Runner {
            url: get("ACTIONS_ID_TOKEN_REQUEST_URL")?,
            token: get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?,
        })
    }

    /// Whether the endpoint is on this machine (a test's), so that no proxy is used for it.
    pub fn host(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        rest.split(['/', '?']).next().unwrap_or("")
    }

    /// A fresh token for `audience`. Errors never show the URL or the token.
    fn token(&self, http: &Http, audience: &str) -> Result<String, InputError> {
        let fail = |why: String| InputError::Read {
            path: "the runner's token endpoint".into(),
            reason: format!("no OIDC token for audience `{audience}`: {why}"),
        };
        let sep = if self.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}audience={}", self.url, exchange::encode(audience));
        let r = http
            .send(&Outgoing {
                method: Method::Get,
                url: &url,
                headers: vec![
                    ("authorization", format!("Bearer {}", self.token)),
                    ("accept", "application/json".into()),
                ],
                body: None,
                secrets: vec![&self.token],
            })
            .map_err(|e| fail(e.to_string()))?;
        if r.status != 200 {
            return Err(fail(format!("it answered HTTP {}", r.status)));
        }
        let value: Value = r
            .json()
            .map_err(|_| fail("its answer is not JSON".into()))?;
        value
            .get("value")
            .and_then(Value::as_str)
            .filter(|v| crate::evidence::jwt::looks_like_jwt(v))
            .map(str::to_owned)
            .ok_or_else(|| fail("its answer holds no token".into()))
    }
}

/// One token the runner gave.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The registry it was requested for.
    pub registry: Registry,
    /// Its audience.
    pub audience: String,
    /// Its claims (the token itself is not kept).
    pub claims: Claims,
}

/// Everything `preflight` found.
#[derive(Debug)]
pub struct PreflightReport {
    /// `explain`'s report over every token: its results are the judged publishers.
    pub explain: ExplainReport,
    /// Per result, the real exchange's answer (`None` without `--exchange`).
    pub exchanges: Vec<Option<Exchange>>,
    /// The tokens, one per registry.
    pub tokens: Vec<TokenInfo>,
    /// What else to know (an audience that could not be read).
    pub notes: Vec<String>,
}

impl PreflightReport {
    /// 0 when every judged publisher would accept the run and every exchange made was
    /// accepted; 1 otherwise (with `--exchange`, a registry's refusal is 1 whatever the
    /// offline verdict).
    pub fn exit_code(&self) -> u8 {
        let exchange_failed = self
            .exchanges
            .iter()
            .flatten()
            .any(|e| e.attempted && !e.accepted);
        u8::from(self.explain.exit_code() == 1 || exchange_failed)
    }
}

/// The audience of `registry`: PyPI's and TestPyPI's from the index, else the registry's own.
fn audience(http: &Http, urls: &Urls, registry: Registry, notes: &mut Vec<String>) -> String {
    let fixed = registry.audience().to_owned();
    if !registry.is_python_index() {
        return fixed;
    }
    let url = format!("{}/_/oidc/audience", urls.of(registry));
    match http.get(&url, "application/json") {
        Ok(r) if r.status == 200 => match r.json().ok().as_ref().and_then(|v| v.get("audience")) {
            Some(Value::String(a)) if !a.is_empty() => a.clone(),
            _ => {
                notes.push(format!(
                    "{url} answered without an audience: `{fixed}` was used"
                ));
                fixed
            }
        },
        Ok(r) => {
            notes.push(format!(
                "{url} answered HTTP {}{}: `{fixed}` was used",
                r.status,
                if r.status == 403 {
                    " (Trusted Publishing is disabled there)"
                } else {
                    ""
                }
            ));
            fixed
        }
        Err(e) => {
            notes.push(format!("{url} could not be read ({e}): `{fixed}` was used"));
            fixed
        }
    }
}

/// Runs `preflight`: one token per registry of the chosen publishers, judged offline; with
/// `exchange`, a fresh token per publisher exchanged with its registry (a token can be
/// exchanged once: PyPI and crates.io keep its `jti`).
pub fn run(
    desired: &DesiredState,
    selection: &Selection,
    runner: &Runner,
    http: &Http,
    urls: &Urls,
    exchange: bool,
) -> Result<PreflightReport, InputError> {
    let chosen: Vec<&Publisher> = desired
        .publishers
        .iter()
        .filter(|p| selection.admits(p))
        .collect();
    if chosen.is_empty() {
        return Err(InputError::Usage(
            "no declared publisher matches --registry / --project".into(),
        ));
    }
    let mut notes = Vec::new();
    let mut registries: Vec<Registry> = chosen.iter().map(|p| p.registry).collect();
    registries.sort();
    registries.dedup();
    let mut tokens = Vec::new();
    let mut evidences = Vec::new();
    let mut audiences = Vec::new();
    for registry in registries {
        let aud = audience(http, urls, registry, &mut notes);
        let jwt = runner.token(http, &aud)?;
        let evidence =
            Evidence::from_token(&jwt, &format!("the runner's OIDC token for `{aud}`"), None)?;
        if let Some(claims) = &evidence.claims {
            tokens.push(TokenInfo {
                registry,
                audience: aud.clone(),
                claims: claims.clone(),
            });
        }
        audiences.push((registry, aud));
        evidences.push((registry, evidence));
    }
    let mut results = Vec::new();
    let mut exchanges = Vec::new();
    for p in &chosen {
        let Some((_, evidence)) = evidences.iter().find(|(r, _)| *r == p.registry) else {
            continue;
        };
        // A token GitHub just minted for this job: nothing was verified against it.
        let mut result = explain::judge_publisher(p, evidence, None, None, &desired.publishers);
        let real = if exchange {
            let aud = audiences
                .iter()
                .find(|(r, _)| *r == p.registry)
                .map(|(_, a)| a.as_str())
                .unwrap_or_default();
            let jwt = runner.token(http, aud)?;
            let done = exchange::exchange(http, urls, p, &jwt);
            if done.refused() {
                // The registry's own words decide, as when a log quotes them.
                let code = done
                    .code
                    .clone()
                    .unwrap_or_else(|| format!("http-{}", done.status.unwrap_or_default()));
                let text = done.reason.clone().unwrap_or_default();
                result = explain::judge_publisher(
                    p,
                    evidence,
                    Some(&Answer {
                        code: &code,
                        text: &text,
                    }),
                    None,
                    &desired.publishers,
                );
            }
            Some(done)
        } else {
            None
        };
        results.push(result);
        exchanges.push(real);
    }
    let (first_registry, first) = evidences.remove(0);
    let index = (tokens.len() == 1).then_some(first_registry);
    let mut evidence = first;
    if tokens.len() > 1 {
        evidence.origin = "the runner's OIDC tokens".into();
    }
    Ok(PreflightReport {
        explain: ExplainReport {
            evidence,
            index,
            results,
            skipped: Vec::new(),
        },
        exchanges,
        tokens,
        notes,
    })
}
