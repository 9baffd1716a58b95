//! `pull-request-target`: the publishing job can be started by `pull_request_target`.

use super::{Rule, diag, triggers_for};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "pull-request-target",
    severity: Severity::Error,
    summary: "the publishing job can be started by `pull_request_target`, which the registry refuses",
    explanation: "PyPI (since March 2026) and crates.io refuse tokens from runs started by `pull_request_target` (`Publishing from a workflow invoked via 'pull_request_target' is not supported.`), because such runs execute with the base repository's privileges on behalf of a pull request from anyone. Publish from `push` of tags, `release`, or `workflow_dispatch`, in a workflow that pull requests cannot start.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let refusing = ctx.desired.publishers.iter().filter(|p| {
        p.registry
            .spec()
            .refused_events
            .contains(&"pull_request_target")
    });
    for p in refusing {
        for (w, t) in triggers_for(ctx, p, |e| e == "pull_request_target") {
            out.push(
                diag(
                    &RULE,
                    format!(
                        "`{}` can be started by `pull_request_target`, which {} refuses",
                        w.file_name,
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
