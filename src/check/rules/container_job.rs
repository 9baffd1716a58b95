//! `container-job`: gh-action-pypi-publish in a job with `container:`.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::publish::Tool;

/// The rule.
pub const RULE: Rule = Rule {
    id: "container-job",
    severity: Severity::Warning,
    security_severity: 2.0,
    summary: "gh-action-pypi-publish runs in a job with `container:`",
    explanation: "gh-action-pypi-publish is a Docker container action; its README says that running it in a job that has `container:` set is not supported. Build in the container job, upload the distributions as an artifact, and publish from a separate job without `container:`.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for site in ctx.sites_of(p) {
            let Some(key) = &site.job.container else {
                continue;
            };
            if site
                .step
                .as_ref()
                .is_none_or(|s| s.tool != Tool::PypaAction)
            {
                continue;
            }
            out.push(
                diag(&RULE, format!("job `{}` runs gh-action-pypi-publish inside `container:`, which the action does not support", site.job.id.name), ctx.at(site.workflow, &key.span, "container job"))
                    .with_help("publish from a separate job without `container:`")
                    .for_publisher(p),
            );
        }
    }
}
