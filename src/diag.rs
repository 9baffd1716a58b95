//! Diagnostics: a problem at a place in a file the user gave us, with the rule that found it.
//!
//! Config validation and (later) workflow rules produce these; renderers turn them into
//! rustc-style snippets, JSON, SARIF or annotations. Nothing here prints.

use std::ops::Range;

use serde::Serialize;

use crate::source::{Position, SourceFile};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something that will make publishing fail, or an input that cannot be used.
    Error,
    /// Something that works today but weakens or risks the setup.
    Warning,
    /// Information.
    Note,
}

/// A place in a source file, with a label saying what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Display path of the file.
    pub path: String,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// Where the span starts.
    pub position: Position,
    /// What the reader should see at that place.
    pub text: String,
}

impl Label {
    /// A label on `span` of `source`.
    pub fn new(source: &SourceFile, span: Range<usize>, text: impl Into<String>) -> Self {
        Self {
            path: source.display_path(),
            position: source.position(span.start),
            span,
            text: text.into(),
        }
    }
}

/// One problem found in the user's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable kebab-case id of the rule that found it.
    pub rule: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// Where it is.
    pub primary: Label,
    /// Other places that explain it ("declared here").
    pub related: Vec<Label>,
    /// What to do about it, if there is something specific to say.
    pub help: Option<String>,
    /// The declared publisher it concerns, if any: registry id and project.
    pub publisher: Option<(crate::identity::Registry, String)>,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(rule: &'static str, message: impl Into<String>, primary: Label) -> Self {
        Self {
            rule,
            severity: Severity::Error,
            message: message.into(),
            primary,
            related: Vec::new(),
            help: None,
            publisher: None,
        }
    }

    /// A diagnostic of any severity.
    pub fn new(
        rule: &'static str,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Self {
            severity,
            ..Self::error(rule, message, primary)
        }
    }

    /// Adds a related place.
    pub fn with_related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }

    /// Says which declared publisher it concerns.
    pub fn for_publisher(mut self, p: &crate::identity::Publisher) -> Self {
        self.publisher = Some((p.registry, p.project.clone()));
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The one-line form: `path:line:col: severity[rule]: message`.
    pub fn headline(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        format!(
            "{}:{}:{}: {sev}[{}]: {}",
            self.primary.path,
            self.primary.position.line,
            self.primary.position.column,
            self.rule,
            self.message
        )
    }
}
