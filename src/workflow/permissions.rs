//! `permissions:` blocks and GitHub's rules for the `id-token` scope.
//!
//! GitHub docs ("Controlling permissions for GITHUB_TOKEN", "GITHUB_TOKEN reference"): a job's
//! `permissions:` replaces the workflow's; naming any scope sets every other scope to `none`;
//! `write-all` grants every scope, `read-all` only reads (and `id-token` has no read level);
//! `{}` grants nothing; without any block the default applies, and the default grants no
//! `id-token` in either the permissive or the restricted setting.

use super::yaml::{Item, Key, Node, Span};

/// A `permissions:` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Permissions {
    /// The `permissions` key.
    pub key: Key,
    /// What it says.
    pub grant: Grant,
}

/// What a `permissions:` block says.
#[derive(Debug, Clone, PartialEq)]
pub enum Grant {
    /// `write-all`.
    WriteAll,
    /// `read-all`.
    ReadAll,
    /// A mapping of scopes (possibly empty: `{}`); the span of `id-token`'s entry and its level.
    Scopes {
        /// `id-token`'s level and where it is written, if named.
        id_token: Option<(String, Span)>,
    },
    /// An expression or anything else that cannot be read statically.
    Unknown,
}

impl Permissions {
    /// Reads a `permissions:` entry.
    pub fn read(key: &Key, value: &Item) -> Permissions {
        let grant = match &value.node {
            Node::String(s) if s == "write-all" => Grant::WriteAll,
            Node::String(s) if s == "read-all" => Grant::ReadAll,
            Node::Map(entries) => Grant::Scopes {
                id_token: entries
                    .iter()
                    .find(|(k, _)| k.name == "id-token")
                    .map(|(k, v)| (v.scalar_text().unwrap_or_default(), k.span.clone())),
            },
            Node::Null => Grant::Scopes { id_token: None },
            _ => Grant::Unknown,
        };
        Permissions {
            key: key.clone(),
            grant,
        }
    }

    /// Whether this block grants `id-token: write`: `Some(true)`, `Some(false)`, or `None` when it
    /// cannot be told.
    pub fn grants_id_token(&self) -> Option<bool> {
        match &self.grant {
            Grant::WriteAll => Some(true),
            Grant::ReadAll => Some(false),
            Grant::Scopes { id_token } => {
                Some(id_token.as_ref().is_some_and(|(level, _)| level == "write"))
            }
            Grant::Unknown => None,
        }
    }
}

/// The `id-token` access a job ends up with: its own block, else the workflow's, else the
/// default (none).
pub fn effective<'a>(
    job: Option<&'a Permissions>,
    workflow: Option<&'a Permissions>,
) -> (Option<bool>, Option<&'a Permissions>) {
    match job.or(workflow) {
        Some(p) => (p.grants_id_token(), Some(p)),
        None => (Some(false), None),
    }
}
