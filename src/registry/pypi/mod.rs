//! PyPI and TestPyPI: how warehouse verifies a token, step by step, with its own reason texts;
//! and the rules of its "add a publisher" forms, for each kind of publisher it accepts.
//!
//! Source: pypi/warehouse at `6b62157124ab` (2026-08-21): `warehouse/oidc/views.py`
//! (`mint_token`: issuer routing, then `find_publisher`), `warehouse/oidc/services.py`
//! (`find_publisher`, `verify_jwt_signature`: `_JWT_LEEWAY = 30`), `warehouse/oidc/utils.py`
//! (`OIDC_ISSUER_SERVICE_NAMES`, `OIDC_PUBLISHER_CLASSES`: GitHub, GitLab, Google, ActiveState;
//! no CircleCI publisher has landed), `warehouse/oidc/models/_core.py`
//! (`check_claims_existence`, `verify_claims`). Each provider has its module: [`github`],
//! [`gitlab`], [`google`], [`activestate`]; the vectors of `tests/unit/oidc/**` are ported in
//! `tests.rs`.

use crate::identity::{Claim, Provider, Publisher, Registry, TokenTiming};
use crate::registry::{
    EvidenceFacts, FormProblem, Judgement, ProviderKeys, Refusal, Spec, Template, Upstream,
};

pub mod activestate;
pub mod answer;
pub mod github;
pub mod gitlab;
pub mod google;

pub use github::{
    REQUIRED_CLAIMS, RULES, check_job_workflow_ref, check_repository, environment_accepts,
    extract_workflow_filename, github_form_rules, prefill_url,
};

/// PyPI's table entry.
pub const PYPI: Spec = Spec {
    audience: "pypi",
    judge,
    form_problems: form_rules,
    normalize: stored_values,
    template,
    extra_keys: &[],
    other_providers: &[
        ProviderKeys {
            provider: Provider::GitLab,
            required: &["namespace", "repository", "workflow"],
            optional: &["environment", "issuer-url"],
        },
        ProviderKeys {
            provider: Provider::Google,
            required: &["email"],
            optional: &["subject"],
        },
        ProviderKeys {
            provider: Provider::ActiveState,
            required: &["organization", "activestate-project", "actor"],
            optional: &["actor-id"],
        },
    ],
    refused_events: &["pull_request_target"],
    workflow_setup: "remove the stored credential and give the job `id-token: write`; gh-action-pypi-publish, twine, uv, pdm and maturin then exchange the OIDC token themselves",
    timing: TIMING,
    upstream: Upstream {
        repository: "pypi/warehouse",
        commit: "6b62157124ab",
        date: "2026-08-21",
        tests: "tests/unit/oidc/ (models, forms, test_utils.py, test_views.py)",
        vectors: 288,
    },
    conformance: &[
        (
            "GitLab CI/CD",
            "namespace and project case-insensitive; pipeline file path and environment exact; gitlab.com, or a self-managed instance a PyPI organization registered (`issuer-url`)",
        ),
        (
            "other publishers",
            "Google: the email exact, the optional subject exact, `email_verified`; ActiveState: organization, project and actor id exact, builder `pypi-publisher`; CircleCI: not landed",
        ),
        (
            "answer when refused",
            "HTTP 422 `invalid-publisher`: `valid token, but no corresponding publisher (<reason>)`; `invalid-token` (signature, time, audience) and `invalid-payload` (issuer) before any lookup",
        ),
        (
            "the form",
            "the owner looked up on GitHub and stored as its login (any case typed); repository as typed; workflow stripped; GitLab: `.git`/`.atom` without case, no two of `._-` in a row",
        ),
        (
            "GitHub's `sub`",
            "not read since 2026-01-29 (immutable and custom forms change nothing)",
        ),
    ],
};

/// TestPyPI's table entry: the same verifier, another instance with its own audience.
pub const TESTPYPI: Spec = Spec {
    audience: "testpypi",
    ..PYPI
};

/// `verify_jwt_signature` (`warehouse/oidc/services.py`): PyJWT with `leeway=_JWT_LEEWAY` (30 s)
/// for `exp`, `nbf` and `iat`, `require=["iss", "iat", "exp", "aud"]`; PyJWT refuses
/// `exp <= now - leeway`.
pub const TIMING: TokenTiming = TokenTiming {
    exp_leeway: 30,
    exp_bound_inclusive: false,
    nbf_leeway: 30,
    iat_leeway: Some(30),
    required: &["iat", "exp"],
    summary: "30 s (`exp`, `nbf`, `iat`)",
};

/// The issuer of GitLab.com's ID tokens.
pub const GITLAB_ISSUER: &str = "https://gitlab.com";
/// The issuer of Google's ID tokens.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// The issuer of ActiveState's ID tokens.
pub const ACTIVESTATE_ISSUER: &str = "https://platform.activestate.com/api/v1/oauth/oidc";

/// The lookup failure text since warehouse PR #18169 (2025-06-30); before it,
/// "All lookup strategies exhausted".
pub const NOT_FOUND: &str = "Publisher with matching claims was not found";

/// The provider warehouse routes a token to by its issuer (`mint_token`: the well-known issuers,
/// then the GitLab issuers PyPI organizations registered). `None`: an unknown issuer. A
/// self-managed GitLab issuer is known only where an organization registered it: trustpub
/// takes a declared GitLab publisher's `issuer-url` as that registration.
fn route(iss: &str, declared: &[Publisher], p: &Publisher) -> Option<Provider> {
    match iss {
        crate::identity::GITHUB_ISSUER => Some(Provider::GitHub),
        GITLAB_ISSUER => Some(Provider::GitLab),
        GOOGLE_ISSUER => Some(Provider::Google),
        ACTIVESTATE_ISSUER => Some(Provider::ActiveState),
        _ => std::iter::once(p)
            .chain(declared)
            .any(|q| q.provider == Provider::GitLab && q.extra("issuer-url") == Some(iss))
            .then_some(Provider::GitLab),
    }
}

/// Judges a publisher of any provider: the steps every token goes through (`mint_token`:
/// `iss` present, a known issuer, the signature, time and audience), then the provider's own.
pub fn judge(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let mut j = match p.provider {
        Provider::GitLab => gitlab::judge(registry, p, ev),
        Provider::Google => google::judge(registry, p, ev),
        Provider::ActiveState => activestate::judge(registry, p, ev),
        _ => github::judge_github(registry, p, ev),
    };
    if let Some(refusal) = token_refusal(registry, p, ev) {
        j.refusal = Some(refusal);
    }
    j
}

/// The refusals of `mint_token` before any provider's lookup, in its order: `malformed JWT`
/// (no `iss`), `unknown trusted publishing issuer`, the signature and time
/// (`invalid-token`), the audience (`strict_aud`), and a token routed to another provider's
/// publishers (its lookup finds none of this kind).
fn token_refusal(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Option<Refusal> {
    const INVALID_TOKEN: &str = "malformed or invalid token";
    let claims = ev.claims;
    let routed = match claims.get("iss") {
        Claim::Missing if ev.is_token => return Some(refusal("invalid-payload", "malformed JWT")),
        Claim::Present(iss) => match route(&iss, ev.declared, p) {
            None => {
                return Some(refusal(
                    "invalid-payload",
                    "unknown trusted publishing issuer",
                ));
            }
            some => some,
        },
        _ => None,
    };
    if ev.token_rejected.is_some() {
        return Some(refusal("invalid-token", INVALID_TOKEN));
    }
    if ev.is_token
        && TIMING
            .required
            .iter()
            .any(|c| claims.get(c) == Claim::Missing)
    {
        return Some(refusal("invalid-token", INVALID_TOKEN));
    }
    match claims.raw().get("aud") {
        Some(serde_json::Value::String(aud)) if aud == registry.audience() => {}
        None if !ev.is_token => {}
        _ => return Some(refusal("invalid-token", INVALID_TOKEN)),
    }
    if routed.is_some_and(|r| r != p.provider) {
        return Some(invalid_publisher(NOT_FOUND));
    }
    None
}

/// The form rules of the publisher's provider.
fn form_rules(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    match get("provider").as_deref() {
        Some("gitlab") => gitlab::form_rules(get),
        Some("google") => google::form_rules(get),
        Some("activestate") => activestate::form_rules(get),
        _ => github_form_rules(get),
    }
}

/// What PyPI's forms store in place of what was typed: the workflow name or pipeline file path
/// stripped (a `strip()` filter), a GitLab environment of only whitespace as none
/// (`normalized_environment`).
fn stored_values(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(w) = get("workflow") {
        let stripped = py_strip(&w);
        if stripped != w {
            out.push(("workflow", stripped.to_owned()));
        }
    }
    if get("provider").as_deref() == Some("gitlab")
        && let Some(env) = get("environment")
        && !env.is_empty()
        && env.chars().all(py_is_space)
    {
        out.push(("environment", String::new()));
    }
    out
}

/// What to enter in PyPI's form for a publisher of any provider.
pub fn template(p: &Publisher) -> Template {
    match p.provider {
        Provider::GitLab => gitlab::template(p),
        Provider::Google => google::template(p),
        Provider::ActiveState => activestate::template(p),
        _ => github::template(p),
    }
}

/// The project's publishing page, where every provider's form is.
pub fn page(p: &Publisher) -> String {
    format!(
        "https://{}/manage/project/{}/settings/publishing/",
        host(p.registry),
        query_escape(&p.project)
    )
}

/// The notes every PyPI template carries.
pub fn common_notes() -> Vec<String> {
    vec![
        "a pending publisher does not reserve the name, and expires after 30 days unused".into(),
        "PyPI and TestPyPI are separate: register on each index you publish to".into(),
    ]
}

/// The audience PyPI (`pypi`) or TestPyPI (`testpypi`) expects (`GET /_/oidc/audience`).
pub fn audience(registry: Registry) -> &'static str {
    registry.audience()
}

/// The web host of the index.
pub fn host(registry: Registry) -> &'static str {
    match registry {
        Registry::TestPypi => "test.pypi.org",
        _ => "pypi.org",
    }
}

/// `invalid-publisher`, with warehouse's wrapper text around the reason.
pub(super) fn invalid_publisher(reason: impl Into<String>) -> Refusal {
    let reason = reason.into();
    Refusal {
        code: "invalid-publisher",
        message: format!("valid token, but no corresponding publisher ({reason})"),
        reason,
    }
}

/// A refusal whose reason is its whole description.
fn refusal(code: &'static str, description: &str) -> Refusal {
    Refusal {
        code,
        reason: description.to_owned(),
        message: description.to_owned(),
    }
}

/// `check_claims_existence`: the first of `required` that is missing (`None` or absent: an
/// empty string counts as present), as warehouse's `Missing claim` refusal.
fn missing_claim(ev: &EvidenceFacts<'_>, required: &[&str]) -> Option<Refusal> {
    required
        .iter()
        .find(|c| ev.claims.get(c) == Claim::Missing)
        .map(|c| invalid_publisher(format!("Missing claim {}", py_repr(c))))
}

/// Python's `repr()` of a `str`, as warehouse embeds claims in reason texts.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isspace()` for one character: Unicode White_Space, and the separators
/// `\x1c`-`\x1f` Python counts as whitespace too.
pub fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(py_is_space)
}

/// Whether Python's `re.match(r"^[...]+$", s)` accepts `s` for a character class `ok`: `$` also
/// matches before one final `\n`.
pub fn py_full_match(s: &str, min: usize, ok: impl Fn(char) -> bool) -> bool {
    let body = s.strip_suffix('\n').unwrap_or(s);
    body.chars().count() >= min && body.chars().all(ok)
}

/// A project name as PyPI normalises it (PEP 503): lowercase, each run of `-`, `_`, `.` one
/// `-`. PyPI's URLs and lookups use this form.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Percent-encodes a query value.
pub use crate::percent::encode as query_escape;

/// Where a pending publisher is added, for a project that does not exist yet.
pub fn pending_url(registry: Registry) -> String {
    format!("https://{}/manage/account/publishing/", host(registry))
}

/// The owner-id note of a provider whose ids are bound at registration.
fn unconfirmed_id_note(
    registry: Registry,
    key: &str,
    claim: &str,
    what: &str,
    seen: &Claim,
) -> crate::registry::Note {
    crate::registry::Note {
        id: "owner-id-unconfirmed",
        text: match seen.value() {
            Some(id) => format!(
                "{key} is not declared, so it cannot be confirmed: {} binds {what} at registration; the run's `{claim}` is {id} (add `{key} = \"{id}\"` to the desired state once you have checked it)",
                registry.name()
            ),
            None => format!(
                "{key} is not declared, so it cannot be confirmed: {} binds {what} at registration",
                registry.name()
            ),
        },
    }
}

#[cfg(test)]
mod tests;
