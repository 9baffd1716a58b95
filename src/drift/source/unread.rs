//! Registries whose publishers `drift` cannot read: it says so, and checks what it can
//! elsewhere (the repository, the environment, the workflow and its runs on GitHub).
//!
//! npm's trust configuration needs an authenticated, 2FA session (`GET /-/package/{pkg}/trust`);
//! NuGet has no API for its policies (`shared/reference/registries-and-github-oidc.md` §3, §5).
//! crates.io and RubyGems are read by their own sources ([`super::crates_io`],
//! [`super::rubygems`]) when a token is set.

use super::{RegistryFacts, RegistrySource, Unknown};
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::net::http::Http;

/// A registry `drift` does not read.
pub struct UnreadSource {
    /// The registry.
    pub registry: Registry,
}

/// Why the registry's own state is not read.
pub fn reason(registry: Registry) -> &'static str {
    match registry {
        Registry::CratesIo => "read through the crates.io source",
        Registry::RubyGems => "read through the RubyGems source",
        Registry::Npm => {
            "npm's trust configuration needs an authenticated 2FA session; only GitHub's side is checked"
        }
        Registry::NuGet => {
            "NuGet offers no API to read its trusted publishing policies; only GitHub's side is checked"
        }
        Registry::Pypi | Registry::TestPypi => "read through the PyPI source",
    }
}

impl RegistrySource for UnreadSource {
    fn registry(&self) -> Registry {
        self.registry
    }

    fn observe(&self, _http: &Http, _publisher: &Publisher) -> RegistryFacts {
        RegistryFacts {
            registry: self.registry,
            project: Err(Unknown::new(
                self.registry.id(),
                "project",
                None,
                reason(self.registry),
            )),
            publishers: None,
        }
    }
}
