//! `legacy-credential`: a publishing step still passes a stored password or token.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::publish::Auth;

/// The rule.
pub const RULE: Rule = Rule {
    id: "legacy-credential",
    severity: Severity::Error,
    summary: "a publishing step passes a stored password or token where a Trusted Publisher is declared",
    explanation: "A stored token bypasses Trusted Publishing: gh-action-pypi-publish uses a non-empty `password:` instead of the OIDC exchange, twine and uv use `TWINE_PASSWORD` / `UV_PUBLISH_TOKEN`, and poetry, hatch and flit cannot do Trusted Publishing at all. The long-lived secret can leak, and when it is empty or revoked the upload fails with 403 (the owlclaw case's first runs). Remove the credential, grant `id-token: write`, and delete the secret once the Trusted Publisher works.",
    check,
};

/// How to publish to `registry` without a stored credential.
fn remedy(registry: crate::identity::Registry) -> &'static str {
    use crate::identity::Registry as R;
    match registry {
        R::Pypi | R::TestPypi => {
            "remove the stored credential and give the job `id-token: write`; gh-action-pypi-publish, twine, uv, pdm and maturin then exchange the OIDC token themselves"
        }
        R::CratesIo => {
            "add a `rust-lang/crates-io-auth-action` step (with an `id:`) and pass its `outputs.token` as CARGO_REGISTRY_TOKEN; give the job `id-token: write`"
        }
        R::Npm => {
            "remove NODE_AUTH_TOKEN / NPM_TOKEN: npm 11.5.1 or later exchanges the job's OIDC token itself (`id-token: write`, GitHub-hosted runner)"
        }
        R::RubyGems => {
            "use `rubygems/release-gem`, or `rubygems/configure-rubygems-credentials` before `gem push`, instead of GEM_HOST_API_KEY; give the job `id-token: write`"
        }
        R::NuGet => {
            "add a `NuGet/login` step (with an `id:` and your NuGet user name) and pass its `outputs.NUGET_API_KEY` to `--api-key`; give the job `id-token: write`"
        }
    }
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for site in &ctx.sites {
        let Auth::Stored { what, span } = &site.step.auth else {
            continue;
        };
        let Some(registry) = site.registry() else {
            continue;
        };
        let Some(p) = ctx
            .desired
            .publishers
            .iter()
            .find(|p| {
                p.registry == registry
                    && site.identity_files(registry).contains(&p.workflow.as_str())
            })
            .or_else(|| {
                ctx.desired
                    .publishers
                    .iter()
                    .find(|p| p.registry == registry)
            })
        else {
            continue;
        };
        out.push(
            diag(
                &RULE,
                format!(
                    "{} uploads to {} with {what}, but a Trusted Publisher is declared",
                    site.step.tool.name(),
                    registry.name()
                ),
                ctx.at(site.workflow, span, "stored credential"),
            )
            .with_related(ctx.declared(p, "registry", "Trusted Publisher declared here"))
            .with_help(remedy(registry))
            .for_publisher(p),
        );
    }
}
