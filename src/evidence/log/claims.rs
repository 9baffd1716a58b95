//! The claims publishing tools print when the registry refuses them:
//!
//! - gh-action-pypi-publish's bullets after a refused exchange (`oidc-exchange.py`
//!   `_RENDERED_CLAIMS`, `str(claims.get(name, 'MISSING'))`): the old set (71a0032909f1 ...
//!   81e9d935c883: `sub`, `repository`, `repository_owner`, `repository_owner_id`,
//!   `job_workflow_ref`, `ref`) and the newer one with `workflow_ref` and `environment`;
//! - uv's `Token claims, which must match the PyPI configuration: ...` (uv 0.6.7, b4eabf9a61e9)
//!   and `... the publisher configuration: GitHub(...)` (uv 0.9.27, ba1306430ec5), a Rust
//!   pretty `Debug` (`{:#?}`) that spans one line per field, each with its own timestamp
//!   (astral-sh/uv @26a9dd4b2125 `crates/uv-publish/src/trusted_publishing.rs`);
//! - the two refs of gh-action-pypi-publish's reusable-workflow warning
//!   (`_REUSABLE_WORKFLOW_WARNING`: "this action was initiated by:" / "Whereas its parent
//!   workflow is:"), the only claims a log shows when that exchange succeeds.

use indexmap::IndexMap;
use serde_json::Value;

/// The claims the tools print, old and new sets together (uv's GitLab and Buildkite structs
/// too).
pub(super) const CLAIM_NAMES: &[&str] = &[
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
    "project_path",
    "ci_config_ref_uri",
    "pipeline_slug",
    "organization_slug",
];

/// One bullet line.
pub(super) enum Bullet<'a> {
    /// ``* `name`: `value` ``: a claim (`MISSING` is `null`).
    Claim(&'a str, Value),
    /// ``* `code`: description``: an error the index returned.
    Error(&'a str, &'a str),
}

/// ``* `name`: `value` `` (a claim) or ``* `code`: description`` (an index error).
pub(super) fn bullet(line: &str) -> Option<Bullet<'_>> {
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
        return Some(Bullet::Claim(name, v));
    }
    let is_code = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    is_code.then_some(Bullet::Error(name, rest))
}

/// Reads the claims of uv's `Debug` dump, on one line or many.
#[derive(Default)]
pub(super) struct DebugDump {
    /// Inside a multi-line dump.
    active: bool,
    /// The struct sits in an enum variant (`GitHub(...)`, uv 0.9.27 and later), closed by `)`.
    wrapped: bool,
    /// A field whose value is on the next line (`environment: Some(`).
    open_field: Option<&'static str>,
    /// What was read so far.
    pub(super) fields: IndexMap<String, Value>,
}

impl DebugDump {
    /// Starts a dump from the rest of the `Token claims, which must match` line. Returns
    /// whether it continues on the next lines.
    pub(super) fn start(&mut self, rest: &str) -> bool {
        self.fields.clear();
        self.open_field = None;
        read_inline(rest, &mut self.fields);
        let tail = rest.trim_end();
        self.wrapped = tail.ends_with('(');
        self.active = self.wrapped || tail.ends_with('{');
        self.active
    }

    /// Whether the next line belongs to a dump.
    pub(super) fn is_active(&self) -> bool {
        self.active
    }

    /// One line of a multi-line dump (trimmed). Returns false, and ends the dump, on a line
    /// that is not part of it.
    pub(super) fn line(&mut self, line: &str) -> bool {
        if let Some(name) = self.open_field {
            if line == ")," || line == ")" {
                self.open_field = None;
                return true;
            }
            if let Some(v) = quoted(line.trim_end_matches(',')) {
                self.fields.insert(name.to_owned(), Value::String(v));
                return true;
            }
            self.open_field = None;
        }
        if matches!(line, "}," | "}" | ")," | ")") {
            // The struct closes (`},`), then the enum variant (`)`); the old shape has no
            // variant, so its `}` ends the dump.
            if line.starts_with(')') || !self.wrapped {
                self.active = false;
            }
            return true;
        }
        if line.ends_with('{') || line.ends_with('(') && !line.contains(':') {
            // `GitHubTokenClaims {`, `OidcTokenClaims {`, `GitHub(`
            return true;
        }
        let Some((name, value)) = line.split_once(": ") else {
            self.active = false;
            return false;
        };
        let Some(name) = CLAIM_NAMES.iter().find(|n| **n == name) else {
            // A field trustpub does not read is still part of the dump; anything else ends it.
            let field = line.ends_with(',') || line.ends_with('(');
            if !field {
                self.active = false;
            }
            return field;
        };
        let value = value.trim_end_matches(',');
        if value == "None" {
            self.fields.insert((*name).to_owned(), Value::Null);
        } else if value == "Some(" {
            self.open_field = Some(name);
        } else if let Some(v) = quoted(value.strip_prefix("Some(").unwrap_or(value)) {
            self.fields.insert((*name).to_owned(), Value::String(v));
        }
        true
    }

    /// Ends the dump, returning what it read.
    pub(super) fn take(&mut self) -> IndexMap<String, Value> {
        self.active = false;
        self.wrapped = false;
        self.open_field = None;
        std::mem::take(&mut self.fields)
    }
}

/// The one-line form: `name: "value"`, `environment: Some("x")`, `environment: None`.
fn read_inline(text: &str, into: &mut IndexMap<String, Value>) {
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
                quoted_prefix(rest).map(Value::String)
            };
            if let Some(v) = value {
                into.insert((*name).to_owned(), v);
            }
            break;
        }
    }
}

/// A Rust `Debug` string literal that is the whole of `text` (`"a\"b"`), unescaped.
fn quoted(text: &str) -> Option<String> {
    let text = text.trim_end_matches(')');
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    Some(unescape(inner))
}

/// A Rust `Debug` string literal at the start of `text`.
fn quoted_prefix(text: &str) -> Option<String> {
    let rest = text.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(unescape(&rest[..i])),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The refs in gh-action-pypi-publish's reusable-workflow warning.
#[derive(Default)]
pub(super) struct WarningRefs {
    expecting: Option<&'static str>,
    /// What was read.
    pub(super) fields: IndexMap<String, Value>,
}

impl WarningRefs {
    /// One trimmed line.
    pub(super) fn line(&mut self, line: &str) {
        if line.ends_with("this action was initiated by:") {
            self.expecting = Some("job_workflow_ref");
        } else if line.starts_with("Whereas its parent workflow is:") {
            self.expecting = Some("workflow_ref");
        } else if let Some(name) = self.expecting.take()
            && line.contains("/.github/workflows/")
            && !line.contains(' ')
        {
            self.fields
                .insert(name.to_owned(), Value::String(line.to_owned()));
        }
    }
}
