//! A failed run's log, as a user has it: raw runner lines (ISO timestamps, `##[error]`),
//! `gh run view --log` / `--log-failed` output (`job<TAB>step<TAB>line`), or a copy of the web
//! page (`Error: ...`). What it recognises, from `shared/reference/pypi-trusted-publishing.md` §5:
//!
//! - the claims gh-action-pypi-publish renders after a refused exchange (the old bullet set
//!   without `workflow_ref`/`environment`, and the new one; `MISSING` values), and uv's
//!   `Token claims, which must match the PyPI configuration: ...` struct;
//! - the index's error codes and reasons (``* `invalid-publisher`: ...``, twine's
//!   `TrustedPublishingFailure`, uv's `Response: {"errors": ...}`), current and historical;
//! - the other failures of each stage of the release playbook's T+3 step: OIDC token
//!   retrieval, token exchange, upload, install smoke, attestation.
//!
//! The log is streamed line by line; it is never held whole in memory.

use std::io::BufRead;

use indexmap::IndexMap;
use serde_json::Value;

use crate::identity::Claims;
use crate::redact::redact;

/// The claims gh-action-pypi-publish and uv print, old and new sets together.
const CLAIM_NAMES: &[&str] = &[
    "sub",
    "repository",
    "repository_owner",
    "repository_owner_id",
    "workflow_ref",
    "job_workflow_ref",
    "ref",
    "environment",
    "sha",
    "event_name",
    "jti",
    "aud",
];

/// Everything recognised in a log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogReport {
    /// The claims the publishing tool printed (the last block, when there are several).
    pub claims: Option<Claims>,
    /// The index's error codes and descriptions.
    pub server_errors: Vec<ServerError>,
    /// The index the run talked to, if the log names its host.
    pub index: Option<Index>,
    /// Every recognised failure or warning, in log order (each kind once).
    pub signals: Vec<Signal>,
    /// The stage that failed: the stage of the first fatal signal.
    pub stage: Option<Stage>,
}

/// One error the index returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The error code (`invalid-publisher`, ...).
    pub code: String,
    /// Its description, as printed.
    pub description: String,
    /// 1-based line in the log.
    pub line: usize,
}

/// A Python package index named in a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// pypi.org
    Pypi,
    /// test.pypi.org
    TestPypi,
}

/// A stage of publishing, as the release playbook's T+3 step names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The job asks GitHub for an OIDC token.
    OidcToken,
    /// The token is exchanged with the index for an upload token.
    TokenExchange,
    /// The files are uploaded.
    Upload,
    /// The published package is installed back.
    InstallSmoke,
    /// Attestations are generated or verified.
    Attestation,
}

impl Stage {
    /// The stable id used in JSON.
    pub fn id(&self) -> &'static str {
        match self {
            Stage::OidcToken => "oidc-token",
            Stage::TokenExchange => "token-exchange",
            Stage::Upload => "upload",
            Stage::InstallSmoke => "install-smoke",
            Stage::Attestation => "attestation",
        }
    }

    /// The stage's name.
    pub fn title(&self) -> &'static str {
        match self {
            Stage::OidcToken => "OIDC token retrieval",
            Stage::TokenExchange => "token exchange with the index",
            Stage::Upload => "upload to the index",
            Stage::InstallSmoke => "install smoke test",
            Stage::Attestation => "attestation",
        }
    }
}

/// A recognised message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// What it is.
    pub kind: SignalKind,
    /// 1-based line in the log.
    pub line: usize,
    /// The cleaned line, redacted, at most 300 characters.
    pub text: String,
}

/// The messages trustpub recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// No OIDC token: `id-token: write` missing (`ACTIONS_ID_TOKEN_REQUEST_TOKEN ... unset`).
    MissingIdToken,
    /// No OIDC token because the run is a pull request from a fork.
    ForkPullRequest,
    /// gh-action-pypi-publish's "Potential workflow misconfiguration" warning (not fatal).
    ReusableWorkflow,
    /// The index's audience endpoint failed.
    AudienceRetrieval,
    /// The index refused the token exchange.
    ExchangeRefused,
    /// The index answered the exchange with something that is not its JSON.
    ExchangeResponseMalformed,
    /// An upload refused with 403 for its credentials (the stored-token path).
    UploadForbidden,
    /// A stored password or token is empty (`TWINE_PASSWORD:` with no value).
    EmptyPassword,
    /// PyPI refuses username and password uploads.
    PasswordUploadsDisabled,
    /// `400 Non-user identities cannot create new projects`.
    ProjectCreationRefused,
    /// The minted token is not valid for the project uploaded.
    TokenNotValidForProject,
    /// The minted token expired before the upload.
    TokenExpired,
    /// Attestations could not be generated or were refused.
    AttestationFailure,
    /// Installing the published package failed.
    InstallFailure,
}

/// Recognised messages: a needle in the cleaned line, and what it means. The first match wins.
const PATTERNS: &[(&str, SignalKind)] = &[
    (
        "called from a pull request on a fork",
        SignalKind::ForkPullRequest,
    ),
    (
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset",
        SignalKind::MissingIdToken,
    ),
    (
        "ACTIONS_ID_TOKEN_REQUEST_URL environment variable was unset",
        SignalKind::MissingIdToken,
    ),
    (
        "Unable to get ACTIONS_ID_TOKEN_REQUEST_URL",
        SignalKind::MissingIdToken,
    ),
    (
        "OpenID Connect token retrieval failed",
        SignalKind::MissingIdToken,
    ),
    (
        "Potential workflow misconfiguration",
        SignalKind::ReusableWorkflow,
    ),
    ("audience retrieval failed", SignalKind::AudienceRetrieval),
    (
        "Token request failed: the index produced an unexpected",
        SignalKind::ExchangeResponseMalformed,
    ),
    (
        "Token response error",
        SignalKind::ExchangeResponseMalformed,
    ),
    (
        "token-minting request returned invalid JSON",
        SignalKind::ExchangeResponseMalformed,
    ),
    (
        "Token request failed: the server refused",
        SignalKind::ExchangeRefused,
    ),
    ("TrustedPublishingFailure", SignalKind::ExchangeRefused),
    (
        "Failed to obtain token for trusted publishing",
        SignalKind::ExchangeRefused,
    ),
    (
        "Trusted publishing exchange failure",
        SignalKind::ExchangeRefused,
    ),
    (
        "Non-user identities cannot create new projects",
        SignalKind::ProjectCreationRefused,
    ),
    (
        "OIDC scoped token is not valid for project",
        SignalKind::TokenNotValidForProject,
    ),
    (
        "isn't allowed to upload to project",
        SignalKind::TokenNotValidForProject,
    ),
    ("token is expired", SignalKind::TokenExpired),
    (
        "Password-based uploads disabled",
        SignalKind::PasswordUploadsDisabled,
    ),
    (
        "Invalid or non-existent authentication information",
        SignalKind::UploadForbidden,
    ),
    ("HTTPError: 403 Forbidden", SignalKind::UploadForbidden),
    ("403 Forbidden from", SignalKind::UploadForbidden),
    ("EMPTY TOKEN", SignalKind::EmptyPassword),
    (
        "Attestation generation failure",
        SignalKind::AttestationFailure,
    ),
    (
        "Invalid attestations supplied during upload",
        SignalKind::AttestationFailure,
    ),
    (
        "No matching distribution found for",
        SignalKind::InstallFailure,
    ),
    (
        "Could not find a version that satisfies the requirement",
        SignalKind::InstallFailure,
    ),
];

impl SignalKind {
    /// The stable kebab-case id.
    pub fn id(&self) -> &'static str {
        match self {
            SignalKind::MissingIdToken => "missing-id-token",
            SignalKind::ForkPullRequest => "fork-pull-request",
            SignalKind::ReusableWorkflow => "reusable-workflow",
            SignalKind::AudienceRetrieval => "audience-retrieval",
            SignalKind::ExchangeRefused => "exchange-refused",
            SignalKind::ExchangeResponseMalformed => "exchange-response-malformed",
            SignalKind::UploadForbidden => "upload-forbidden",
            SignalKind::EmptyPassword => "empty-password",
            SignalKind::PasswordUploadsDisabled => "password-uploads-disabled",
            SignalKind::ProjectCreationRefused => "project-creation-refused",
            SignalKind::TokenNotValidForProject => "token-not-valid-for-project",
            SignalKind::TokenExpired => "token-expired",
            SignalKind::AttestationFailure => "attestation-failure",
            SignalKind::InstallFailure => "install-failure",
        }
    }

    /// The stage this message makes fail; `None` when it is only a warning.
    pub fn stage(&self) -> Option<Stage> {
        match self {
            SignalKind::MissingIdToken | SignalKind::ForkPullRequest => Some(Stage::OidcToken),
            SignalKind::ReusableWorkflow | SignalKind::EmptyPassword => None,
            SignalKind::AudienceRetrieval
            | SignalKind::ExchangeRefused
            | SignalKind::ExchangeResponseMalformed => Some(Stage::TokenExchange),
            SignalKind::UploadForbidden
            | SignalKind::PasswordUploadsDisabled
            | SignalKind::ProjectCreationRefused
            | SignalKind::TokenNotValidForProject
            | SignalKind::TokenExpired => Some(Stage::Upload),
            SignalKind::AttestationFailure => Some(Stage::Attestation),
            SignalKind::InstallFailure => Some(Stage::InstallSmoke),
        }
    }

    /// What to do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            SignalKind::MissingIdToken => {
                "The job got no OIDC token: give the publishing job `permissions: id-token: write` (a job-level `permissions:` block replaces the workflow's, and `{}` removes it)."
            }
            SignalKind::ForkPullRequest => {
                "Runs of pull requests from forks never get an OIDC token: publish from a tag push, a release or workflow_dispatch instead."
            }
            SignalKind::ReusableWorkflow => {
                "The job runs in a reusable workflow: PyPI matches the called file (`job_workflow_ref`), so the publisher must name that file, and it must live in the same repository."
            }
            SignalKind::AudienceRetrieval => {
                "The index named by `repository-url` does not offer Trusted Publishing there: check the URL (https://upload.pypi.org/legacy/ or https://test.pypi.org/legacy/)."
            }
            SignalKind::ExchangeRefused => {
                "The index refused the token: compare the claims with the publisher it holds (the verdicts above say which field differs, or that it holds none)."
            }
            SignalKind::ExchangeResponseMalformed => {
                "The index answered with an error page, not its JSON: an outage or a proxy; retry later and check https://status.python.org/."
            }
            SignalKind::UploadForbidden => {
                "The upload used a stored token that the index refused, so Trusted Publishing was not used: remove `password:` / `TWINE_PASSWORD` from the publishing step and grant `id-token: write`, or set a valid token secret."
            }
            SignalKind::EmptyPassword => {
                "A stored password or token is empty: the secret is not set for this repository or environment (or its name is misspelt)."
            }
            SignalKind::PasswordUploadsDisabled => {
                "PyPI refuses username and password uploads: use Trusted Publishing (no password, `id-token: write`) or an API token."
            }
            SignalKind::ProjectCreationRefused => {
                "The exchange worked, but the project does not exist and no pending publisher matched its name: check that the pending publisher's project name equals the name in your package metadata."
            }
            SignalKind::TokenNotValidForProject => {
                "The exchange worked, but the publisher is attached to another project: register the publisher on this project too."
            }
            SignalKind::TokenExpired => {
                "The upload token lives 15 minutes: exchange it right before uploading, not at the start of a long job."
            }
            SignalKind::AttestationFailure => {
                "Attestations failed: they need Trusted Publishing (no password) and `id-token: write`; set `attestations: false` to publish without them while you investigate."
            }
            SignalKind::InstallFailure => {
                "The package could not be installed back: the index may not have served the new version yet (retry after a minute), or the version or Python constraint does not match."
            }
        }
    }
}

impl LogReport {
    /// Whether anything at all was recognised.
    pub fn is_recognised(&self) -> bool {
        self.claims.is_some() || !self.server_errors.is_empty() || !self.signals.is_empty()
    }
}

/// The longest line kept: 64 KiB. The rest of a longer line is skipped, so memory stays bounded
/// whatever the log (a 200 MB log without a newline included).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Reads one line into `buf` (emptied first), keeping at most `max` bytes of it and skipping
/// the rest up to and including the newline. Returns whether a line was read (false at the end).
/// Built on the standard library's `read_until` and `skip_until`, which search with `memchr`.
fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<bool> {
    use std::io::Read;
    buf.clear();
    let n = reader.take(max as u64).read_until(b'\n', buf)?;
    if n == max && buf.last() != Some(&b'\n') {
        reader.skip_until(b'\n')?;
    }
    Ok(n > 0)
}

/// Parses a log, streaming it line by line. Invalid UTF-8 is replaced; CRLF is accepted; a line
/// longer than [`MAX_LINE_BYTES`] is cut there.
pub fn parse_log<R: BufRead>(mut reader: R) -> std::io::Result<LogReport> {
    let mut parser = Parser::default();
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        if !read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES)? {
            break;
        }
        number += 1;
        let raw = String::from_utf8_lossy(&buf);
        let raw = raw.trim_end_matches(['\n', '\r']);
        for logical in clean(raw).split("%0A") {
            parser.line(logical.trim_end_matches('\r'), number);
        }
    }
    Ok(parser.finish())
}

#[derive(Default)]
struct Parser {
    report: LogReport,
    block: IndexMap<String, Value>,
    last_block: Option<IndexMap<String, Value>>,
    index_at_failure: Option<Index>,
    last_index: Option<Index>,
}

impl Parser {
    fn line(&mut self, line: &str, number: usize) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return;
        }
        if let Some(index) = index_named(trimmed) {
            self.last_index = Some(index);
        }
        if trimmed.starts_with("The claims rendered below") {
            self.close_block();
        }
        if let Some((name, value)) = bullet(trimmed) {
            match value {
                Bullet::Claim(v) => {
                    if self.block.contains_key(name) {
                        self.close_block();
                    }
                    self.block.insert(name.to_owned(), v);
                }
                Bullet::Error(description) => self.report.server_errors.push(ServerError {
                    code: name.to_owned(),
                    description: redact(description).into_owned(),
                    line: number,
                }),
            }
            return;
        }
        if let Some(rest) = trimmed
            .split_once("Response: {")
            .map(|(_, r)| format!("{{{r}"))
        {
            self.json_errors(&rest, number);
        }
        if let Some(rest) = trimmed
            .split_once("Token claims, which must match")
            .map(|(_, r)| r)
        {
            self.debug_struct_claims(rest);
        }
        if is_empty_password_env(trimmed) {
            self.signal(SignalKind::EmptyPassword, trimmed, number);
        }
        if let Some((_, kind)) = PATTERNS.iter().find(|(needle, _)| trimmed.contains(needle)) {
            self.signal(*kind, trimmed, number);
        }
    }

    fn signal(&mut self, kind: SignalKind, text: &str, number: usize) {
        if self.report.signals.iter().any(|s| s.kind == kind) {
            return;
        }
        if self.report.stage.is_none()
            && let Some(stage) = kind.stage()
        {
            self.report.stage = Some(stage);
            self.index_at_failure = self.last_index;
        }
        let text: String = redact(text).chars().take(300).collect();
        self.report.signals.push(Signal {
            kind,
            line: number,
            text,
        });
    }

    fn close_block(&mut self) {
        if !self.block.is_empty() {
            self.last_block = Some(std::mem::take(&mut self.block));
        }
    }

    /// uv prints `Response: {"errors":[{"code":...,"description":...}],"message":...}`.
    fn json_errors(&mut self, text: &str, number: usize) {
        let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let Some(Value::Array(errors)) = obj.get("errors") else {
            return;
        };
        for e in errors {
            if let (Some(code), Some(desc)) = (
                e.get("code").and_then(Value::as_str),
                e.get("description").and_then(Value::as_str),
            ) {
                self.report.server_errors.push(ServerError {
                    code: code.into(),
                    description: redact(desc).into_owned(),
                    line: number,
                });
            }
        }
    }

    /// uv prints the claims as a Rust debug struct: `name: "value"`, `environment: Some("x")`,
    /// `environment: None`.
    fn debug_struct_claims(&mut self, text: &str) {
        self.close_block();
        for name in CLAIM_NAMES {
            let key = format!("{name}: ");
            let mut from = 0;
            while let Some(at) = text[from..].find(&key) {
                let start = from + at;
                from = start + key.len();
                let boundary = text[..start]
                    .chars()
                    .last()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if !boundary {
                    continue;
                }
                let rest = &text[from..];
                let value = if rest.starts_with("None") {
                    Some(Value::Null)
                } else {
                    let rest = rest.strip_prefix("Some(").unwrap_or(rest);
                    rest.strip_prefix('"')
                        .and_then(|r| r.find('"').map(|end| Value::String(r[..end].to_owned())))
                };
                if let Some(v) = value {
                    self.block.insert((*name).to_owned(), v);
                }
                break;
            }
        }
        self.close_block();
    }

    fn finish(mut self) -> LogReport {
        self.close_block();
        self.report.claims = self.last_block.map(Claims::partial);
        self.report.index = self.index_at_failure.or(self.last_index);
        self.report
    }
}

enum Bullet<'a> {
    Claim(Value),
    Error(&'a str),
}

/// ``* `name`: `value` `` (a claim) or ``* `code`: description`` (an index error).
fn bullet(line: &str) -> Option<(&str, Bullet<'_>)> {
    let rest = line
        .strip_prefix("* `")
        .or_else(|| line.strip_prefix("- `"))?;
    let (name, rest) = rest.split_once('`')?;
    let rest = rest.strip_prefix(':')?.trim_start();
    if let Some(value) = rest.strip_prefix('`') {
        if !CLAIM_NAMES.contains(&name) {
            return None;
        }
        let value = value.strip_suffix('`').unwrap_or(value);
        let v = if value == "MISSING" {
            Value::Null
        } else {
            Value::String(value.to_owned())
        };
        return Some((name, Bullet::Claim(v)));
    }
    let is_code = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    is_code.then_some((name, Bullet::Error(rest)))
}

/// An environment dump line of a step header, `TWINE_PASSWORD: ` with nothing after it.
fn is_empty_password_env(line: &str) -> bool {
    [
        "TWINE_PASSWORD:",
        "UV_PUBLISH_PASSWORD:",
        "UV_PUBLISH_TOKEN:",
        "POETRY_PYPI_TOKEN_PYPI:",
        "FLIT_PASSWORD:",
    ]
    .iter()
    .any(|k| {
        line == k.trim_end()
            || line
                .strip_prefix(k)
                .is_some_and(|v| v.trim().is_empty() || v.trim() == "\"\"")
    })
}

/// The index a line names by host: `test.pypi.org`, or `pypi.org` / `upload.pypi.org`
/// (documentation hosts such as docs.pypi.org do not count).
fn index_named(line: &str) -> Option<Index> {
    let mut found = None;
    let mut from = 0;
    while let Some(at) = line[from..].find("pypi.org") {
        let start = from + at;
        from = start + "pypi.org".len();
        let before = &line[..start];
        if before.ends_with("test.") {
            found = Some(Index::TestPypi);
        } else if before.ends_with("upload.")
            || before.ends_with("://")
            || before.ends_with(' ')
            || before.is_empty()
        {
            found = Some(Index::Pypi);
        }
    }
    found
}

/// Strips what the runner, `gh` and the web page add around a message.
fn clean(raw: &str) -> String {
    let mut s = raw;
    // `gh run view --log`: job<TAB>step<TAB>line
    if let Some((_, rest)) = s.split_once('\t').and_then(|(_, r)| r.split_once('\t')) {
        s = rest;
    }
    s = strip_timestamp(s);
    loop {
        let before = s;
        for prefix in [
            "##[error]",
            "##[warning]",
            "##[debug]",
            "##[notice]",
            "##[group]",
            "##[endgroup]",
            "::error::",
            "::warning::",
            "::debug::",
            "::notice::",
            "Error: ",
            "Warning: ",
        ] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest;
            }
        }
        for prefix in ["::error ", "::warning ", "::notice "] {
            if let Some(rest) = s.strip_prefix(prefix).and_then(|r| r.split_once("::")) {
                s = rest.1;
            }
        }
        if s == before {
            break;
        }
    }
    strip_link_junk(s)
}

/// `2025-03-05T13:30:32.6031507Z ` at the start of a line.
fn strip_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    let date = b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T';
    if !date {
        return s;
    }
    match s.find(' ') {
        Some(space) if s[..space].ends_with('Z') => &s[space + 1..],
        _ => s,
    }
}

/// Removes link text the web page injects into copied lines: `[12](https://github.com/...)176396`.
fn strip_link_junk(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let link = digits > 0 && after[digits..].starts_with("](http");
        let close = link.then(|| after[digits..].find(')')).flatten();
        match close {
            Some(close) => {
                out.push_str(&rest[..open]);
                let tail = &after[digits + close + 1..];
                let trailing = tail.bytes().take_while(u8::is_ascii_digit).count();
                rest = &tail[trailing..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
