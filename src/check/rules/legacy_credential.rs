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
            .find(|p| p.registry == registry && p.workflow == site.workflow.file_name)
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
            diag(&RULE, format!("{} uploads to {} with {what}, but a Trusted Publisher is declared", site.step.tool.name(), registry.name()), ctx.at(site.workflow, span, "stored credential"))
                .with_related(ctx.declared(p, "registry", "Trusted Publisher declared here"))
                .with_help("remove the stored credential and give the job `id-token: write`; gh-action-pypi-publish, twine, uv, pdm and maturin then exchange the OIDC token themselves")
                .for_publisher(p),
        );
    }
}
