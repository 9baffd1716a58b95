//! Renderers: each turns a finished report into one output format. They never decide
//! anything: verdicts, ordering and advice come from the report.

pub mod audit;
pub mod check;
pub mod drift;
pub mod human;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod preflight;
pub mod sarif;
pub mod sites;
pub mod snippet;
pub mod template;

/// How human output is shaped: the width to fit (see [`layout::output_width`]) and how much
/// to say (`-q`, `-v`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Human {
    /// The terminal's width; `None` in a pipe without `COLUMNS`: lines are not wrapped.
    pub width: Option<usize>,
    /// `-q`: findings and verdicts only.
    pub quiet: bool,
    /// `-v`: also what was recognised and how it was judged.
    pub verbose: bool,
}

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
    /// GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and pull-request comments
    /// (`explain`, `preflight`, `check`).
    Markdown,
}
