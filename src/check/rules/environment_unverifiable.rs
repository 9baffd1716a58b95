//! `environment-unverifiable`: the environment is an expression.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "environment-unverifiable",
    severity: Severity::Warning,
    security_severity: 3.0,
    summary: "the publishing job's environment is an expression",
    explanation: "`environment: ${{ ... }}` is decided at run time, so it cannot be compared with the declared publisher before the run. If it can evaluate to a name the publisher does not accept (or to nothing), the upload fails after the release is tagged. Prefer a literal environment on the publishing job, or make sure every value the expression can take is registered.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for site in ctx.sites_of(p) {
            let Some(name) = site.job.environment.as_ref().and_then(|e| e.name.as_ref()) else {
                continue;
            };
            if !name.is_expression() {
                continue;
            }
            let wanted = p
                .environment
                .as_deref()
                .map_or_else(|| "any environment".to_owned(), |e| format!("`{e}`"));
            out.push(
                diag(&RULE, format!("the environment of job `{}` is decided at run time (`{}`); the publisher accepts {wanted}", site.job.id.name, name.value), ctx.at(site.workflow, &name.span, "cannot be checked before the run"))
                    .for_publisher(p),
            );
        }
    }
}
