//! Evidence of what a run presented: a token, a claims document, or a log. Each becomes
//! [`Claims`] (complete or partial) plus what else it shows.

pub mod jwt;
pub mod log;

use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value;

use crate::claims::Claims;
use crate::error::InputError;

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
        })
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

    /// Reads a file given to `--log`, streaming it.
    pub fn from_log_file(path: &Path) -> Result<Self, InputError> {
        let file = std::fs::File::open(path).map_err(|e| InputError::read(path, &e))?;
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
