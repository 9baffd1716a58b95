//! Renderers: each turns a finished report into one output format. They never decide
//! anything: verdicts, ordering and advice come from the report.

pub mod check;
pub mod drift;
pub mod human;
pub mod json;
pub mod snippet;
pub mod template;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text, coloured on a terminal.
    Human,
    /// One stable JSON object.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (`check`).
    Sarif,
    /// GitHub workflow-command annotations (`check`).
    Github,
}
