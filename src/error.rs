//! Errors that stop a command before it can judge anything: the input could not be used.
//! Every one of them means exit code 2 and names the file and, where there is one, the position.

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::source::{Position, SourceFile};

/// An input trustpub could not use.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file could not be read.
    #[error("{path}: cannot read: {reason}")]
    Read {
        /// Display path.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A file or argument could not be parsed.
    #[error("{}", format_parse(.origin, .position, .message))]
    Parse {
        /// Display path, or a description of the argument (`--token`).
        origin: String,
        /// Where parsing failed, if known.
        position: Option<Position>,
        /// What is wrong.
        message: String,
    },
    /// The desired-state file breaks the registries' rules; every problem is listed.
    #[error("{}: {} problem(s) in the desired state", .source_file.display_path(), .diagnostics.len())]
    Config {
        /// The file, kept for snippets.
        source_file: Box<SourceFile>,
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
    },
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
}

fn format_parse(origin: &str, position: &Option<Position>, message: &str) -> String {
    match position {
        Some(p) => format!("{origin}:{}:{}: {message}", p.line, p.column),
        None => format!("{origin}: {message}"),
    }
}

impl InputError {
    /// A read error for `path`.
    pub fn read(path: &std::path::Path, err: &std::io::Error) -> Self {
        InputError::Read {
            path: crate::source::display_path(path),
            reason: err.to_string(),
        }
    }

    /// A parse error without a position.
    pub fn parse(origin: impl Into<String>, message: impl Into<String>) -> Self {
        InputError::Parse {
            origin: origin.into(),
            position: None,
            message: message.into(),
        }
    }

    /// A parse error at `position`.
    pub fn parse_at(
        origin: impl Into<String>,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        InputError::Parse {
            origin: origin.into(),
            position: Some(position),
            message: message.into(),
        }
    }
}

/// Reads a file as UTF-8 text, naming it in the error.
pub fn read_text(path: &std::path::Path) -> Result<SourceFile, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::read(path, &e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        InputError::parse_at(
            crate::source::display_path(path),
            crate::source::position_in(&lossy, valid),
            "the file is not valid UTF-8",
        )
    })?;
    // A byte-order mark is not part of the content.
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile::new(PathBuf::from(path), text))
}
