//! `id-token-workflow-level`: `id-token: write` is granted to every job.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::permissions::Grant;

/// The rule.
pub const RULE: Rule = Rule {
    id: "id-token-workflow-level",
    severity: Severity::Warning,
    security_severity: 5.5,
    summary: "`id-token: write` is granted to every job of the workflow",
    explanation: "A workflow-level `id-token: write` (or `write-all`) lets every job of the workflow mint an OIDC token that the registry accepts, including build and test jobs that run third-party code. Grant it on the publishing job alone: set `permissions: {contents: read}` at the top and `permissions: {id-token: write}` on the job that uploads.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for p in &ctx.desired.publishers {
        for site in ctx.sites_of(p) {
            let Some(block) = &site.workflow.permissions else {
                continue;
            };
            if site.job.permissions.is_some()
                || site.workflow.jobs.len() < 2
                || block.grants_id_token() != Some(true)
            {
                continue;
            }
            if seen.contains(&site.workflow.file_name) {
                continue;
            }
            seen.push(site.workflow.file_name.clone());
            let span = match &block.grant {
                Grant::Scopes {
                    id_token: Some((_, span)),
                } => span.clone(),
                _ => block.key.span.clone(),
            };
            out.push(
                diag(
                    &RULE,
                    format!(
                        "`id-token: write` is granted to all {} jobs of `{}`",
                        site.workflow.jobs.len(),
                        site.workflow.file_name
                    ),
                    ctx.at(site.workflow, &span, "granted to every job"),
                )
                .with_help(format!("grant it on job `{}` only", site.job.id.name))
                .for_publisher(p),
            );
        }
    }
}
