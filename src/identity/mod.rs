//! The identity model, at the bottom of the crate: who a registry trusts (a declared
//! [`Publisher`] of a [`Registry`]), and who a run is (its OIDC [`Claims`], observed from
//! evidence or [`predicted`] from a workflow; its `sub` read by [`subject`]), and how a registry
//! holds a token to the clock ([`TokenTiming`]). Every other layer builds on these types; this
//! module imports none of them.

mod claims;
pub mod predicted;
mod publisher;
mod registry;
pub mod subject;
mod timing;

pub use claims::{Claim, Claims, Coverage, GITHUB_ISSUER};
pub use publisher::{Provider, Publisher};
pub use registry::Registry;
pub use timing::{TokenProblem, TokenTiming};
