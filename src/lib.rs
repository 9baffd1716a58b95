//! trustpub: makes three things agree: what a registry trusts (the desired state), what the
//! workflow does, and what the run's OIDC token says; and says precisely why they don't.
//!
//! Data flows one way: sources ([`config`], [`evidence`]) become one identity model
//! ([`config::Publisher`], [`claims::Claims`]); a registry's matcher ([`registry`]) compares them
//! with that registry's exact rules; [`explain`] turns judgements into a report; [`render`]
//! prints it.

pub mod check;
pub mod claims;
pub mod cli;
pub mod config;
pub mod diag;
pub mod drift;
pub mod error;
pub mod evidence;
pub mod explain;
pub mod init;
pub mod paths;
pub mod redact;
pub mod registry;
pub mod render;
pub mod schema;
pub mod source;
pub mod workflow;
