//! Evidence of what a run presented: a token, a claims document, or a log. Each becomes
//! [`Claims`] (complete or partial) plus what else it shows.

pub mod jwt;
pub mod log;
pub mod run;

use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value;

use crate::error::InputError;
use crate::identity::Claims;

/// How much of standard input is held to detect its kind: 1 MiB, far more than a token or a
/// claims document; a longer input is a log, streamed.
pub const DETECT_BYTES: usize = 1024 * 1024;

/// The kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A GitHub Actions OIDC token.
    Token,
    /// A JSON object of claims.
    Claims,
    /// A run's log.
    Log,
}

impl Kind {
    /// The id used in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Token => "token",
            Kind::Claims => "claims",
            Kind::Log => "log",
        }
    }
}

/// Everything one piece of evidence shows.
#[derive(Debug)]
pub struct Evidence {
    /// What it is.
    pub kind: Kind,
    /// Where it came from, for display (`--token`, a path, `stdin`). Never the token itself.
    pub origin: String,
    /// The claims, when the evidence shows any.
    pub claims: Option<Claims>,
    /// For a token verified with `--jwks`: the verification result.
    pub verification: Option<jwt::Verification>,
    /// For a log: what the log parser recognised.
    pub log: Option<log::LogReport>,
    /// For a run fetched from GitHub (`explain --run`): the run and the jobs whose logs were read.
    pub run: Option<run::RunInfo>,
}

impl Evidence {
    /// Evidence from a token.
    pub fn from_token(
        token: &str,
        origin: &str,
        jwks: Option<(&str, &str)>,
    ) -> Result<Self, InputError> {
        let claims = jwt::decode_unverified(token, origin)?;
        let verification = match jwks {
            Some((text, jwks_origin)) => Some(jwt::verify(token, text, jwks_origin)?),
            None => None,
        };
        Ok(Self {
            kind: Kind::Token,
            origin: origin.into(),
            claims: Some(claims),
            verification,
            log: None,
            run: None,
        })
    }

    /// Evidence from a JSON claims document: an object of claims, or an object holding one under
    /// `"claims"`.
    pub fn from_claims_json(text: &str, origin: &str) -> Result<Self, InputError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            InputError::parse_at(
                origin,
                crate::source::Position {
                    line: e.line().max(1),
                    column: e.column().max(1),
                },
                format!("invalid JSON: {}", strip_position(&e.to_string())),
            )
        })?;
        let object = match value {
            Value::Object(mut map) => match map.remove("claims") {
                Some(Value::Object(inner)) => inner,
                Some(_) => {
                    return Err(InputError::parse(
                        origin,
                        "`claims` must be a JSON object of claims",
                    ));
                }
                None => map,
            },
            other => {
                return Err(InputError::parse(
                    origin,
                    format!(
                        "expected a JSON object of claims, found {}",
                        json_type(&other)
                    ),
                ));
            }
        };
        let claims: IndexMap<String, Value> = object.into_iter().collect();
        if claims.is_empty() {
            return Err(InputError::parse(origin, "the claims object is empty"));
        }
        // A claims document is usually copied from what a tool printed, which is a subset of the
        // token: an absent claim is unknown, an explicit `null` is missing.
        Ok(Self {
            kind: Kind::Claims,
            origin: origin.into(),
            claims: Some(Claims::partial(claims)),
            verification: None,
            log: None,
            run: None,
        })
    }

    /// Evidence from a log.
    pub fn from_log(reader: impl std::io::BufRead, origin: &str) -> Result<Self, InputError> {
        let report = log::parse_log(reader).map_err(|e| InputError::Read {
            path: origin.into(),
            reason: e.to_string(),
        })?;
        if !report.is_recognised() {
            return Err(InputError::parse(
                origin,
                "no Trusted Publishing claims or known failure found in this log (give the failed job's log: `gh run view RUN --log-failed`)",
            ));
        }
        Ok(Self {
            kind: Kind::Log,
            origin: origin.into(),
            claims: report.claims.clone(),
            verification: None,
            log: Some(report),
            run: None,
        })
    }

    /// Evidence from a run on GitHub (`--run`): the logs of its failed jobs (or of the job its
    /// URL names), fetched through `http` from the REST API at `api` and streamed through the
    /// log reader one after the other.
    pub fn from_run(
        http: &crate::net::http::Http,
        api: &str,
        arg: &str,
    ) -> Result<Self, InputError> {
        let target = run::RunRef::parse(arg)?;
        let mut info = run::describe(http, api, &target)?;
        let origin = if info.url.is_empty() {
            format!(
                "{}/{}/actions/runs/{}",
                target.owner, target.repo, target.id
            )
        } else {
            info.url.clone()
        };
        let mut logs = run::JobLogs::new(http, api, &target, &info);
        let mut evidence = Self::from_log(std::io::BufReader::new(&mut logs), &origin);
        for (job, (first, lines)) in info.jobs.iter_mut().zip(&logs.spans) {
            job.first_line = *first;
            job.lines = *lines;
        }
        if let Err(InputError::Parse { .. }) = &evidence
            && !logs.unread.is_empty()
        {
            let (id, why) = &logs.unread[0];
            evidence = Err(InputError::Read {
                path: "--run".into(),
                reason: format!("the log of job {id} could not be read: {why}"),
            });
        }
        let mut evidence = evidence?;
        evidence.run = Some(info);
        Ok(evidence)
    }

    /// Evidence from text whose kind must be detected (standard input).
    pub fn detect(
        text: &str,
        origin: &str,
        jwks: Option<(&str, &str)>,
    ) -> Result<Self, InputError> {
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        if trimmed.is_empty() {
            return Err(InputError::parse(
                origin,
                "nothing to explain: the input is empty",
            ));
        }
        if jwt::looks_like_jwt(trimmed) {
            Self::from_token(trimmed, origin, jwks)
        } else if trimmed.starts_with('{') {
            Self::from_claims_json(trimmed, origin)
        } else {
            Self::from_log(text.as_bytes(), origin)
        }
    }

    /// Evidence from a stream whose kind must be detected (standard input), in bounded memory:
    /// the first [`DETECT_BYTES`] are read; a stream that ends there is detected as by
    /// [`Evidence::detect`]. A longer one cannot be a token: a claims document is read up to
    /// [`crate::error::MAX_TEXT_BYTES`], and anything else is streamed to the log parser.
    pub fn from_reader(
        mut reader: impl std::io::Read,
        origin: &str,
        jwks: Option<(&str, &str)>,
    ) -> Result<Self, InputError> {
        use std::io::Read;
        let read_error = |e: std::io::Error| InputError::Read {
            path: origin.into(),
            reason: e.to_string(),
        };
        let mut head = Vec::new();
        (&mut reader)
            .take(DETECT_BYTES as u64 + 1)
            .read_to_end(&mut head)
            .map_err(read_error)?;
        if head.len() <= DETECT_BYTES {
            return Self::detect(&String::from_utf8_lossy(&head), origin, jwks);
        }
        let body = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&head);
        let first = body.iter().position(|b| !b.is_ascii_whitespace());
        let starts = |p: &[u8]| first.is_some_and(|i| body[i..].starts_with(p));
        if starts(b"eyJ") && !body[..DETECT_BYTES / 2].contains(&b'\n') {
            return Err(InputError::parse(
                origin,
                format!(
                    "not a JWT: more than {DETECT_BYTES} bytes, and a token is at most {} (GitHub's OIDC tokens are about 1 KB)",
                    jwt::MAX_TOKEN_BYTES
                ),
            ));
        }
        if starts(b"{") {
            let max = crate::error::MAX_TEXT_BYTES;
            reader
                .take(max.saturating_sub(head.len() as u64) + 1)
                .read_to_end(&mut head)
                .map_err(read_error)?;
            if head.len() as u64 > max {
                return Err(InputError::parse(
                    origin,
                    format!("a claims document of more than {max} bytes"),
                ));
            }
            return Self::from_claims_json(&String::from_utf8_lossy(&head), origin);
        }
        let stream = std::io::BufReader::new(std::io::Cursor::new(head).chain(reader));
        Self::from_log(stream, origin)
    }

    /// Reads a file given to `--log`, streaming it.
    pub fn from_log_file(path: &Path) -> Result<Self, InputError> {
        // Only a regular file: a pipe is read with `-`, from standard input.
        let file = crate::error::open_regular(path).map_err(|e| match e {
            InputError::Read { path, reason } if reason.contains("regular files") => {
                InputError::Read {
                    path,
                    reason: format!("{reason} (give `-` to read a log from standard input)"),
                }
            }
            other => other,
        })?;
        Self::from_log(
            std::io::BufReader::new(file),
            &crate::source::display_path(path),
        )
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}
