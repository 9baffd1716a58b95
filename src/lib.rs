//! trustpub: makes three things agree: what a registry trusts (the desired state), what the
//! workflow does, and what the run's OIDC token says; and says precisely why they don't.
//!
//! Data flows one way: sources ([`config`] for the desired state, [`evidence`] for a run's token,
//! claims or log, [`workflow`] for what the workflows do, [`net`] for live state) become one
//! identity model at the bottom of the crate ([`identity`]: declared publishers, observed and
//! predicted claims); a registry's matcher ([`registry`]) compares them with that registry's exact
//! rules; the commands ([`check`], [`explain`], [`drift`]) turn judgements into findings and
//! reports; [`render`] prints them; [`cli`] wires flags to commands. No two modules import each
//! other.

pub mod audit;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod drift;
pub mod error;
pub mod evidence;
pub mod explain;
pub mod identity;
pub mod init;
pub mod manifest;
pub mod net;
pub mod parallel;
pub mod paths;
pub mod percent;
pub mod preflight;
pub mod redact;
pub mod registry;
pub mod render;
pub mod sanitize;
pub mod schema;
pub mod source;
pub mod workflow;
