//! `environment-mismatch`: the publishing job's environment differs from the declared one.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::identity::Claim;

/// The rule.
pub const RULE: Rule = Rule {
    id: "environment-mismatch",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "the publishing job's environment differs from the declared one",
    explanation: "A publisher with an environment only accepts tokens whose `environment` claim equals it (PyPI compares case-insensitively); a job without `environment:` sends no such claim and is refused with `Publisher with matching claims was not found`. The environment must be on the job that runs the upload, in the file that defines it: a job that calls a reusable workflow cannot carry `environment:` (GitHub rejects it), so put it on the job inside the called workflow.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for site in ctx.sites_of(p) {
            for (cw, cj) in &site.callers {
                if let Some(env) = &cj.environment {
                    out.push(
                        diag(&RULE, format!("job `{}` calls a reusable workflow and cannot carry `environment:`", cj.id.name), ctx.at(cw, &env.key.span, "not allowed on a job with `uses:`"))
                            .with_help(format!("set the environment on job `{}` in `{}`", site.job.id.name, site.workflow.file_name))
                            .for_publisher(p),
                    );
                }
            }
        }
        let Some(declared) = &p.environment else {
            continue;
        };
        // The registry's own comparison decides; its rule names how it compares.
        for (site, token, verdict) in ctx.matched(p) {
            let Some(field) = verdict.differs("environment") else {
                continue;
            };
            let Some(at) = token.origin("environment") else {
                continue;
            };
            let d = match &token.environment {
                Claim::Present(n) => diag(
                    &RULE,
                    format!(
                        "job `{}` runs in environment `{n}`, the publisher requires `{declared}`",
                        site.job.id.name
                    ),
                    ctx.at_origin(at, "environment of the publishing job"),
                )
                .with_help(match crate::sanitize::lookalike(n, declared) {
                    // Names that look the same: say what tells them apart.
                    Some(note) => {
                        format!("{note}; make the two the same: `environment: {declared}`")
                    }
                    None => format!(
                        "make the two the same ({} on {}): `environment: {declared}`",
                        field.rule,
                        p.registry.name()
                    ),
                }),
                _ => diag(
                    &RULE,
                    format!(
                        "job `{}` has no environment, but the publisher requires `{declared}`",
                        site.job.id.name
                    ),
                    ctx.at_origin(at, "publishing job without `environment:`"),
                )
                .with_help(format!(
                    "add `environment: {declared}` to job `{}`",
                    site.job.id.name
                )),
            };
            out.push(
                d.with_related(ctx.declared(p, "environment", "declared here"))
                    .for_publisher(p),
            );
        }
    }
}
