//! `refused-trigger`: the publishing job can be started by another event the registry refuses.

use super::{Rule, diag, triggers_for};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "refused-trigger",
    severity: Severity::Error,
    summary: "the publishing job can be started by an event the registry refuses (crates.io: `workflow_run`)",
    explanation: "crates.io refuses tokens from runs started by `workflow_run` as well as `pull_request_target`: `Trusted Publishing does not support the `workflow_run` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`.` A `workflow_run` run executes with the repository's privileges after a workflow that a pull request may have started. Publish from `push` of tags, `release` or `workflow_dispatch`. (`pull_request_target` has its own rule.)",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        let refused: Vec<&str> = p
            .registry
            .spec()
            .refused_events
            .iter()
            .copied()
            .filter(|e| *e != "pull_request_target")
            .collect();
        if refused.is_empty() {
            continue;
        }
        for (w, t) in triggers_for(ctx, p, |e| refused.contains(&e)) {
            out.push(
                diag(
                    &RULE,
                    format!(
                        "`{}` can be started by `{}`, which {} refuses",
                        w.file_name,
                        t.event,
                        p.registry.name()
                    ),
                    ctx.at(w, &t.span, "refused trigger"),
                )
                .with_help("publish from `push` of tags, `release` or `workflow_dispatch` instead")
                .for_publisher(p),
            );
        }
    }
}
