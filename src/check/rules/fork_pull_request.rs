//! `fork-pull-request`: the publishing job can be started by `pull_request`.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "fork-pull-request",
    severity: Severity::Warning,
    summary: "the publishing job can be started by `pull_request`",
    explanation: "Runs of pull requests from forks never get an OIDC token, even with `id-token: write`, so the upload fails there (`OpenID Connect token retrieval failed`); and a publishing job that pull requests can start is one review away from publishing unreviewed code. Start publishing from tags, releases or workflow_dispatch, and keep pull-request checks in another workflow.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for (_, token, _) in ctx.matched(p) {
            if token.via.event.as_deref() != Some("pull_request") {
                continue;
            }
            let (Some(at), Some(top)) = (token.origin("event_name"), &token.via.workflow) else {
                continue;
            };
            out.push(
                diag(&RULE, format!("`{top}` can be started by `pull_request`: runs from forks get no OIDC token"), ctx.at_origin(at, "pull requests start the publishing job"))
                    .with_help("guard the publishing job with `if: github.event_name != 'pull_request'`, or publish from another workflow")
                    .for_publisher(p),
            );
        }
    }
}
