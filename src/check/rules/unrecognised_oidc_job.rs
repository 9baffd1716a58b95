//! `unrecognised-oidc-job`: a job gets `id-token: write`, and trustpub cannot tell what it does
//! with the token.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "unrecognised-oidc-job",
    severity: Severity::Warning,
    security_severity: 5.0,
    summary: "a job can mint an OIDC token, and trustpub cannot tell what it does with it",
    explanation: "The job gets `id-token: write`, so it can ask GitHub for an OIDC token that a registry would accept, but none of its steps is an upload or token exchange trustpub recognises (pypa/gh-action-pypi-publish, twine, uv, maturin, cargo publish, release-plz, crates-io-auth-action, npm, pnpm, yarn, changesets, semantic-release, gem push, release-gem, NuGet/login, ...), nor a known other use (attestations, Sigstore, cloud logins, Pages); or it calls a reusable workflow of another repository, whose steps trustpub cannot see. A publishing setup trustpub does not understand is not checked, so it says so instead of passing silently. If the job publishes, check it by hand against the registry's rules (and tell us the tool); if it does not need the token, drop `id-token: write` from it.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (w, job) in &ctx.unrecognised {
        out.push(
            diag(
                &RULE,
                format!("job `{}` gets `id-token: write`, but trustpub recognises no upload or other use of the token in it", job.id.name),
                ctx.at(w, &job.id.span, "can mint an OIDC token"),
            )
            .with_help("if it publishes, this setup is not checked; if it does not need the token, drop `id-token: write` from this job"),
        );
    }
    // A called workflow of another repository that no declared publisher accounts for.
    for (si, site) in ctx.sites.iter().enumerate() {
        if site.step.is_some() || ctx.verdicts_on(si).next().is_some() {
            continue;
        }
        let Some(uses) = &site.job.uses else { continue };
        out.push(
            diag(
                &RULE,
                format!("job `{}` calls `{}` with `id-token: write`; trustpub cannot see whether it publishes", site.job.id.name, uses.value),
                ctx.at(site.workflow, &uses.span, "a workflow of another repository"),
            )
            .with_help("if it publishes, declare the publisher its registry matches for this job; registries that match the caller need this file"),
        );
    }
}
