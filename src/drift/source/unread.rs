//! Registries whose publishers `drift` cannot read: it says so, and checks what it can
//! elsewhere (the repository, the environment, the workflow and its runs on GitHub).
//!
//! crates.io lists a crate's Trusted Publishing configurations only to its owners
//! (`GET /api/v1/trusted_publishing/github_configs?crate=`, owner token); RubyGems lists a gem's
//! trusted publishers only with an API key and OTP (`GET /api/v1/gems/{gem}/trusted_publishers`);
//! npm's trust configuration needs an authenticated, 2FA session (`GET /-/package/{pkg}/trust`);
//! NuGet has no API for its policies (`shared/reference/registries-and-github-oidc.md` §2–§5).
//! None of them publishes PEP 740-style provenance naming the uploading workflow.

use super::{RegistryFacts, RegistrySource, Unknown};
use crate::config::Publisher;
use crate::drift::http::Http;
use crate::registry::Registry;

/// A registry `drift` does not read.
pub struct UnreadSource {
    /// The registry.
    pub registry: Registry,
}

/// Why the registry's own state is not read.
pub fn reason(registry: Registry) -> &'static str {
    match registry {
        Registry::CratesIo => {
            "crates.io shows a crate's Trusted Publishing configs only to its owners (an owner's API token); trustpub does not read them yet, so only GitHub's side is checked"
        }
        Registry::RubyGems => {
            "RubyGems lists a gem's trusted publishers only with an owner's API key and OTP; trustpub does not read them yet, so only GitHub's side is checked"
        }
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
        }
    }
}
