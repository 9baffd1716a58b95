//! `fork-pull-request`: the publishing job can be started by `pull_request`.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "fork-pull-request",
    severity: Severity::Warning,
    security_severity: 4.0,
    summary: "the publishing job can be started by `pull_request`",
    explanation: "Runs of pull requests from forks never get an OIDC token, even with `id-token: write`, so the upload fails there (`OpenID Connect token retrieval failed`); and a publishing job that pull requests can start is one review away from publishing unreviewed code. Start publishing from tags, releases or workflow_dispatch, and keep pull-request checks in another workflow.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        for (site, token, _) in ctx.matched(p) {
            if token.via.event.as_deref() != Some("pull_request") || guards_forks(site) {
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

/// Whether the job or its step runs only for pull requests from the repository itself
/// (`github.event.pull_request.head.repo.full_name == github.repository`,
/// `...head.repo.fork == false`, `!github.event.pull_request.head.repo.fork`).
fn guards_forks(site: &crate::check::Site<'_>) -> bool {
    let step = site
        .step
        .as_ref()
        .and_then(|s| site.job.steps.get(s.step_index));
    [
        site.job.condition.as_ref(),
        step.and_then(|s| s.condition.as_ref()),
    ]
    .into_iter()
    .flatten()
    .any(|c| {
        let v = c.value.replace(' ', "");
        v.contains("head.repo.full_name==github.repository")
            || v.contains("github.repository==github.event.pull_request.head.repo.full_name")
            || v.contains("head.repo.fork==false")
            || v.contains("!github.event.pull_request.head.repo.fork")
    })
}
