//! `pull-request-target`: the publishing job can be started by `pull_request_target`.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "pull-request-target",
    severity: Severity::Error,
    security_severity: 8.0,
    summary: "the publishing job can be started by `pull_request_target`, which the registry refuses",
    explanation: "PyPI (since March 2026) and crates.io refuse tokens from runs started by `pull_request_target` (`Publishing from a workflow invoked via 'pull_request_target' is not supported.`), because such runs execute with the base repository's privileges on behalf of a pull request from anyone. Publish from `push` of tags, `release`, or `workflow_dispatch`, in a workflow that pull requests cannot start.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (p, top, event, at) in super::refused_trigger::refused_events(ctx) {
        if event != "pull_request_target" {
            continue;
        }
        out.push(
            diag(
                &RULE,
                format!(
                    "`{top}` can be started by `pull_request_target`, which {} refuses",
                    p.registry.name()
                ),
                ctx.at_origin(at, "refused trigger"),
            )
            .with_help("publish from `push` of tags, `release` or `workflow_dispatch` instead")
            .for_publisher(p),
        );
    }
}
