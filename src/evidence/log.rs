//! Placeholder until the log parser lands.
use crate::claims::Claims;
#[derive(Debug, Clone, PartialEq)]
pub struct LogReport {
    pub claims: Option<Claims>,
    pub server_errors: Vec<ServerError>,
    pub index: Option<Index>,
    pub signals: Vec<Signal>,
    pub stage: Option<Stage>,
}
#[derive(Debug, Clone, PartialEq)]
pub struct ServerError {
    pub code: String,
    pub description: String,
    pub line: usize,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Pypi,
    TestPypi,
}
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: SignalKind,
    pub line: usize,
    pub text: String,
}
#[derive(Debug, Clone, PartialEq)]
pub enum SignalKind {
    MissingIdToken,
}
impl SignalKind {
    pub fn id(&self) -> &'static str {
        "x"
    }
    pub fn stage(&self) -> Option<Stage> {
        None
    }
    pub fn remedy(&self) -> &'static str {
        ""
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    OidcToken,
}
impl Stage {
    pub fn id(&self) -> &'static str {
        "x"
    }
    pub fn title(&self) -> &'static str {
        ""
    }
}
impl LogReport {
    pub fn is_recognised(&self) -> bool {
        false
    }
}
pub fn parse_log<R: std::io::BufRead>(_r: R) -> std::io::Result<LogReport> {
    Ok(LogReport {
        claims: None,
        server_errors: vec![],
        index: None,
        signals: vec![],
        stage: None,
    })
}
