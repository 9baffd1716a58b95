//! The registries that accept Trusted Publishing, by name. Their rules live in
//! [`crate::registry`], one module each; this is only the vocabulary every layer shares.

use std::fmt;

use serde::Serialize;

/// A package registry that accepts Trusted Publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Registry {
    /// pypi.org
    Pypi,
    /// test.pypi.org, a separate instance with its own publishers and audience.
    TestPypi,
    /// crates.io
    CratesIo,
    /// registry.npmjs.org
    Npm,
    /// rubygems.org
    RubyGems,
    /// nuget.org
    NuGet,
}

impl Registry {
    /// Every registry, in the order reports list them.
    pub const ALL: [Registry; 6] = [
        Registry::Pypi,
        Registry::TestPypi,
        Registry::CratesIo,
        Registry::Npm,
        Registry::RubyGems,
        Registry::NuGet,
    ];

    /// The id used in `expected-publishers.toml` and JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Registry::Pypi => "pypi",
            Registry::TestPypi => "testpypi",
            Registry::CratesIo => "crates-io",
            Registry::Npm => "npm",
            Registry::RubyGems => "rubygems",
            Registry::NuGet => "nuget",
        }
    }

    /// The name people call it.
    pub fn name(self) -> &'static str {
        match self {
            Registry::Pypi => "PyPI",
            Registry::TestPypi => "TestPyPI",
            Registry::CratesIo => "crates.io",
            Registry::Npm => "npm",
            Registry::RubyGems => "RubyGems",
            Registry::NuGet => "NuGet",
        }
    }

    /// The registry for an id, if there is one.
    pub fn from_id(id: &str) -> Option<Registry> {
        Registry::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Whether this is PyPI or TestPyPI.
    pub fn is_python_index(self) -> bool {
        matches!(self, Registry::Pypi | Registry::TestPypi)
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
