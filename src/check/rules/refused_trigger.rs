//! `refused-trigger`: the publishing job can be started by another event the registry refuses.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "refused-trigger",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "the publishing job can be started by an event the registry refuses (crates.io: `workflow_run`)",
    explanation: "crates.io refuses tokens from runs started by `workflow_run` as well as `pull_request_target`: `Trusted Publishing does not support the `workflow_run` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`.` A `workflow_run` run executes with the repository's privileges after a workflow that a pull request may have started. Publish from `push` of tags, `release` or `workflow_dispatch`. (`pull_request_target` has its own rule.)",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (p, top, event, at) in refused_events(ctx) {
        if event == "pull_request_target" {
            continue;
        }
        out.push(
            diag(
                &RULE,
                format!(
                    "`{top}` can be started by `{event}`, which {} refuses",
                    p.registry.name()
                ),
                ctx.at_origin(at, "refused trigger"),
            )
            .with_help("publish from `push` of tags, `release` or `workflow_dispatch` instead")
            .for_publisher(p),
        );
    }
}

/// The matched ways whose event the registry's own matcher refuses, `pull_request_target` or
/// any other: (publisher, top-level file, event, where the event is named).
pub(crate) fn refused_events<'c>(
    ctx: &'c Context<'_>,
) -> Vec<(
    &'c crate::identity::Publisher,
    &'c str,
    &'c str,
    &'c crate::identity::predicted::Origin,
)> {
    let mut out = Vec::new();
    for p in &ctx.desired.publishers {
        for (_, token, verdict) in ctx.matched(p) {
            if verdict.differs("event_name").is_none() {
                continue;
            }
            if let (Some(top), Some(event), Some(at)) = (
                token.via.workflow.as_deref(),
                token.via.event.as_deref(),
                token.origin("event_name"),
            ) {
                out.push((p, top, event, at));
            }
        }
    }
    out
}
