//! `legacy-credential`: a publishing step still passes a stored password or token.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::publish::Auth;

/// The rule.
pub const RULE: Rule = Rule {
    id: "legacy-credential",
    severity: Severity::Error,
    security_severity: 7.5,
    summary: "a publishing step passes a stored password or token where a Trusted Publisher is declared",
    explanation: "A stored token bypasses Trusted Publishing: gh-action-pypi-publish uses a non-empty `password:` instead of the OIDC exchange, twine and uv use `TWINE_PASSWORD` / `UV_PUBLISH_TOKEN`, and poetry, hatch and flit cannot do Trusted Publishing at all. The long-lived secret can leak, and when it is empty or revoked the upload fails with 403 (the owlclaw case's first runs). Remove the credential, grant `id-token: write`, and delete the secret once the Trusted Publisher works.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The first publisher of each registry, found without a scan per site.
    let mut first_of: Vec<(crate::identity::Registry, &crate::identity::Publisher)> = Vec::new();
    for p in &ctx.desired.publishers {
        if !first_of.iter().any(|(r, _)| *r == p.registry) {
            first_of.push((p.registry, p));
        }
    }
    for (si, site) in ctx.sites.iter().enumerate() {
        let Some(step) = &site.step else { continue };
        let Auth::Stored { what, span } = &step.auth else {
            continue;
        };
        let Some(registry) = site.registry() else {
            continue;
        };
        // The publisher this step's runs would be judged by, else any of that registry.
        let matched = ctx
            .verdicts_on(si)
            .find(|v| {
                v.matches_workflow() && ctx.desired.publishers[v.publisher].registry == registry
            })
            .map(|v| &ctx.desired.publishers[v.publisher]);
        let Some(p) = matched.or_else(|| {
            first_of
                .iter()
                .find(|(r, _)| *r == registry)
                .map(|(_, p)| *p)
        }) else {
            continue;
        };
        out.push(
            diag(
                &RULE,
                format!(
                    "{} uploads to {} with {what}, but a Trusted Publisher is declared",
                    step.tool.name(),
                    registry.name()
                ),
                ctx.at_step(
                    site,
                    span,
                    if what.contains("cannot use Trusted Publishing") {
                        "cannot use Trusted Publishing"
                    } else {
                        "stored credential"
                    },
                ),
            )
            .with_related(ctx.declared(p, "registry", "Trusted Publisher declared here"))
            .with_help(registry.spec().workflow_setup)
            .for_publisher(p),
        );
    }
}
