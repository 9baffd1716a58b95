//! NuGet: NuGet/login and `dotnet nuget push`, and NuGet's answers as each prints them.
//!
//! Sources (`/work/research/nuget.md` §2, §5; `/work/research/tool-logs.md` §6):
//! - NuGet/login @e12aa70ccb4d `src/index.ts`: `Token exchange failed (HTTP {status}) at {url}.
//!   Make sure you are using the username of the policy creator, not the policy owner:
//!   {error}`, the `GitHub OIDC is not available.` family, `Response did not contain "apiKey".`;
//! - NuGet/NuGet.Client @fac35579c8c3 `PackageUpdateResource.cs` (`Response status code does
//!   not indicate success: {code} ({reason}).`, nuget.org's text in the reason);
//! - NuGet/NuGetGallery @55d8cc0bc95f `TokenApiController.cs`,
//!   `FederatedCredentialService.cs`, `GitHubTokenPolicyValidator.cs`,
//!   `ApiKeyAuthenticationHandler.cs` (the registry's texts).

use super::{Answer, Needle, SignalKind as K};
use crate::identity::Registry;

const NUGET: Option<Registry> = Some(Registry::NuGet);

/// NuGet's messages.
pub(super) const NEEDLES: &[Needle] = &[
    Needle {
        all: &["GitHub OIDC is not available."],
        kind: K::MissingIdToken,
        registry: NUGET,
    },
    Needle {
        all: &["ACTIONS_ID_TOKEN_REQUEST_TOKEN is missing."],
        kind: K::MissingIdToken,
        registry: NUGET,
    },
    Needle {
        all: &["ACTIONS_ID_TOKEN_REQUEST_URL is missing."],
        kind: K::MissingIdToken,
        registry: NUGET,
    },
    Needle {
        all: &["Failed to retrieve OIDC token from GitHub (HTTP"],
        kind: K::OidcRequestFailed,
        registry: NUGET,
    },
    Needle {
        all: &["Token exchange failed (HTTP"],
        kind: K::ExchangeRefused,
        registry: NUGET,
    },
    Needle {
        all: &["Response did not contain \"apiKey\""],
        kind: K::ExchangeResponseMalformed,
        registry: NUGET,
    },
    Needle {
        all: &["already exists and cannot be modified"],
        kind: K::VersionExists,
        registry: NUGET,
    },
    Needle {
        all: &[
            "Response status code does not indicate success: 401",
            "An API key must be provided",
        ],
        kind: K::NoCredentials,
        registry: NUGET,
    },
    Needle {
        all: &["No API Key was provided and no API Key could be found"],
        kind: K::NoCredentials,
        registry: NUGET,
    },
    Needle {
        all: &["Response status code does not indicate success: 403"],
        kind: K::NuGetKeyRefused,
        registry: NUGET,
    },
    Needle {
        all: &["Response status code does not indicate success: 401"],
        kind: K::NuGetKeyRefused,
        registry: NUGET,
    },
];

/// NuGet/login's rendering of the token API's answer.
pub(super) fn answer(line: &str) -> Vec<Answer> {
    const PREFIX: &str = "Token exchange failed (HTTP ";
    let Some(rest) = line.split_once(PREFIX).map(|(_, r)| r) else {
        return Vec::new();
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Vec::new();
    }
    let error = rest
        .split_once("not the policy owner: ")
        .map_or("", |(_, e)| e.trim());
    vec![(format!("http-{digits}"), error.to_owned())]
}
