//! The identity model, at the bottom of the crate: who a registry trusts (a declared
//! [`Publisher`] of a [`Registry`]), and who a run is (its OIDC [`Claims`], observed from
//! evidence or [`predicted`] from a workflow). Every other layer builds on these types; this
//! module imports none of them.

mod claims;
pub mod predicted;
mod publisher;
mod registry;
pub mod subject;

pub use claims::{Claim, Claims, Coverage, GITHUB_ISSUER};
pub use publisher::{Provider, Publisher};
pub use registry::Registry;
