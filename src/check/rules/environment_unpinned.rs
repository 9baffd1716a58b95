//! `environment-unpinned`: the job uses an environment the publisher does not require.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::identity::Claim;

/// The rule.
pub const RULE: Rule = Rule {
    id: "environment-unpinned",
    severity: Severity::Warning,
    security_severity: 5.0,
    summary: "the job uses an environment, but the declared publisher accepts any",
    explanation: "The publishing job runs in an environment (with its protection rules and reviewers), but the publisher has none, so the registry accepts a token from any job of this workflow, with or without that environment. PyPI even emails a warning about it. Pin the environment on the publisher (and in expected-publishers.toml) so that only the protected job can publish.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in ctx
        .desired
        .publishers
        .iter()
        .filter(|p| p.environment.is_none())
    {
        for (site, token, _) in ctx.matched(p) {
            let (Claim::Present(name), Some(at)) =
                (&token.environment, token.origin("environment"))
            else {
                continue;
            };
            out.push(
                diag(&RULE, format!("job `{}` runs in environment `{name}`, but the publisher accepts any environment", site.job.id.name), ctx.at_origin(at, "not required by the publisher"))
                    .with_related(ctx.declared(p, "workflow", "publisher declared without `environment`"))
                    .with_help(format!("add `environment = \"{name}\"` to the publisher, and on the registry"))
                    .for_publisher(p),
            );
        }
    }
}
