//! `id-token-missing`: the publishing job does not get `id-token: write`.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::permissions::effective;

/// The rule.
pub const RULE: Rule = Rule {
    id: "id-token-missing",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "the publishing job does not get `id-token: write`",
    explanation: "Without `id-token: write` the runner gives the job no OIDC token, and the upload fails with `OpenID Connect token retrieval failed ... ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset`. GitHub's rules: a job's `permissions:` replaces the workflow's; naming any scope sets the others to `none`; `read-all` and `{}` grant no id-token; the default grants none; a called reusable workflow gets at most what its caller grants. Add `permissions: {id-token: write}` to the publishing job (and to the calling job, for a reusable workflow).",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for site in ctx.sites_of(p) {
            if site
                .step
                .as_ref()
                .is_none_or(|s| !s.tool.supports_trusted_publishing())
            {
                continue;
            }
            let own = site
                .job
                .permissions
                .as_ref()
                .or(site.workflow.permissions.as_ref());
            if site.callers.is_empty() {
                if site.is_reusable() && own.is_none() {
                    continue; // Decided by callers trustpub cannot see.
                }
                let (grant, block) = effective(
                    site.job.permissions.as_ref(),
                    site.workflow.permissions.as_ref(),
                );
                if grant != Some(false) {
                    continue;
                }
                let label = match block {
                    Some(b) => ctx.at(
                        site.workflow,
                        &b.key.span,
                        "does not grant `id-token: write`",
                    ),
                    None => ctx.at(
                        site.workflow,
                        &site.job.id.span,
                        "no `permissions:`: the default grants no id-token",
                    ),
                };
                out.push(
                    diag(&RULE, format!("job `{}` uploads but gets no `id-token: write`, which Trusted Publishing needs", site.job.id.name), label)
                        .with_help(format!("add to job `{}`:\n    permissions:\n      id-token: write", site.job.id.name))
                        .for_publisher(p),
                );
                continue;
            }
            let callee_allows = own.is_none_or(|b| b.grants_id_token() != Some(false));
            for (cw, cj) in &site.callers {
                let (grant, block) = effective(cj.permissions.as_ref(), cw.permissions.as_ref());
                if grant == Some(false) {
                    let label = match block {
                        Some(b) => ctx.at(
                            cw,
                            &b.key.span,
                            "does not grant `id-token: write` to the called workflow",
                        ),
                        None => ctx.at(
                            cw,
                            &cj.id.span,
                            "no `permissions:`: the default grants no id-token",
                        ),
                    };
                    out.push(
                        diag(&RULE, format!("job `{}` calls `{}` without granting `id-token: write`", cj.id.name, site.workflow.file_name), label)
                            .with_help("a called workflow gets at most what its caller grants: add `permissions: {id-token: write}` to the calling job")
                            .for_publisher(p),
                    );
                }
            }
            if !callee_allows && let Some(b) = own {
                out.push(
                        diag(&RULE, format!("job `{}` uploads but gets no `id-token: write`, which Trusted Publishing needs", site.job.id.name), ctx.at(site.workflow, &b.key.span, "does not grant `id-token: write`"))
                            .for_publisher(p),
                    );
            }
        }
    }
}
