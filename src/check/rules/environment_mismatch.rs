//! `environment-mismatch`: the publishing job's environment differs from the declared one.

use super::{Rule, diag, sites_for};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "environment-mismatch",
    severity: Severity::Error,
    summary: "the publishing job's environment differs from the declared one",
    explanation: "A publisher with an environment only accepts tokens whose `environment` claim equals it (PyPI compares case-insensitively); a job without `environment:` sends no such claim and is refused with `Publisher with matching claims was not found`. The environment must be on the job that runs the upload, in the file that defines it: a job that calls a reusable workflow cannot carry `environment:` (GitHub rejects it), so put it on the job inside the called workflow.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for site in sites_for(ctx, p) {
            for (cw, cj) in &site.callers {
                if let Some(env) = &cj.environment {
                    out.push(
                        diag(&RULE, format!("job `{}` calls a reusable workflow and cannot carry `environment:`", cj.id.name), ctx.at(cw, &env.key.span, "not allowed on a job with `uses:`"))
                            .with_help(format!("set the environment on job `{}` in `{}`", site.job.id.name, site.workflow.file_name))
                            .for_publisher(p),
                    );
                }
            }
            let Some(declared) = &p.environment else {
                continue;
            };
            let name = site.job.environment.as_ref().and_then(|e| e.name.as_ref());
            match name {
                Some(n) if n.is_expression() => {}
                Some(n) if n.value.eq_ignore_ascii_case(declared) => {}
                Some(n) => out.push(
                    diag(&RULE, format!("job `{}` runs in environment `{}`, the publisher requires `{declared}`", site.job.id.name, n.value), ctx.at(site.workflow, &n.span, "environment of the publishing job"))
                        .with_related(ctx.declared(p, "environment", "declared here"))
                        .with_help(format!("make the two the same (compared case-insensitively): `environment: {declared}`"))
                        .for_publisher(p),
                ),
                None => out.push(
                    diag(&RULE, format!("job `{}` has no environment, but the publisher requires `{declared}`", site.job.id.name), ctx.at(site.workflow, &site.job.id.span, "publishing job without `environment:`"))
                        .with_related(ctx.declared(p, "environment", "declared here"))
                        .with_help(format!("add `environment: {declared}` to job `{}`", site.job.id.name))
                        .for_publisher(p),
                ),
            }
        }
    }
}
