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

/// The largest file read whole as text (the desired state, a claims document, a JWKS, a token
/// file): 16 MiB, a thousand times a real one. A larger file is an input error, not a memory
/// problem. Logs are streamed and have no such limit.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a file as UTF-8 text, naming it in the error; at most [`MAX_TEXT_BYTES`].
pub fn read_text(path: &std::path::Path) -> Result<SourceFile, InputError> {
    read_text_limited(path, MAX_TEXT_BYTES)
}

/// What a path that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading when it is a regular file (symbolic links followed), and refuses
/// anything else at once: a named pipe, a socket or a device would block or never end. The
/// file is opened without blocking and checked again once open, so swapping it for a pipe in
/// between changes nothing.
pub fn open_regular(path: &std::path::Path) -> Result<std::fs::File, InputError> {
    let refuse = |meta: &std::fs::Metadata| InputError::Read {
        path: crate::source::display_path(path),
        reason: format!("{}: trustpub reads only regular files", kind_of(meta)),
    };
    let meta = std::fs::metadata(path).map_err(|e| InputError::read(path, &e))?;
    if !meta.is_file() {
        return Err(refuse(&meta));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| InputError::read(path, &e))?;
    let meta = file.metadata().map_err(|e| InputError::read(path, &e))?;
    if !meta.is_file() {
        return Err(refuse(&meta));
    }
    Ok(file)
}

/// Reads at most `max` bytes of a file, and refuses a larger one without reading the rest.
pub fn read_bytes_limited(path: &std::path::Path, max: u64) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::read(path, &e))?;
    if bytes.len() as u64 > max {
        let size = std::fs::metadata(path)
            .map(|m| format!("{} bytes", m.len()))
            .unwrap_or_else(|_| "larger".into());
        return Err(InputError::parse(
            crate::source::display_path(path),
            format!("the file is too large ({size}): trustpub reads at most {max} bytes of it"),
        ));
    }
    Ok(bytes)
}

/// Reads a file as UTF-8 text, naming it in the error; a file over `max` bytes is refused
/// without being read whole.
pub fn read_text_limited(path: &std::path::Path, max: u64) -> Result<SourceFile, InputError> {
    let mut bytes = read_bytes_limited(path, max)?;
    // A byte-order mark is not part of the content: removed before decoding, so that no
    // position (of an invalid byte either) counts it.
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        InputError::parse_at(
            crate::source::display_path(path),
            crate::source::position_in(&lossy, valid),
            "the file is not valid UTF-8",
        )
    })?;
    Ok(SourceFile::new(PathBuf::from(path), text))
}
