//! `publish-job-missing`: the declared workflow has no job that publishes to the registry.

use super::{Rule, diag};
use crate::check::{Context, local_workflow_name};
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "publish-job-missing",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "the declared workflow has no job that publishes to the declared registry",
    explanation: "The registry trusts the file that defines the publishing job. The declared workflow exists, but none of its jobs runs a recognised upload (pypa/gh-action-pypi-publish, twine upload, uv publish, maturin upload, ...) to this registry, so a token from it would be refused or is never sent. Either the upload moved to another file (declare that file), or it targets the other index (check `repository-url`).",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        let Some(w) = ctx.workflow(&p.workflow) else {
            continue;
        };
        // Any judgement of this publisher means a job reaches the declared file: when the
        // registry reads another file of it, that is the reusable-workflow rule's business.
        let i = ctx.index_of(p);
        if ctx.verdicts.iter().any(|v| v.publisher == i) {
            continue;
        }
        // A job that calls another workflow is the reusable-workflow rule's business, and so is
        // one that calls a workflow of this repository that was not read (it may publish).
        let calls_elsewhere = w.jobs.iter().any(|j| {
            j.uses
                .as_ref()
                .is_some_and(|u| match local_workflow_name(&u.value) {
                    None => true,
                    Some(called) => ctx.workflow(called).is_none(),
                })
        });
        // A job of the file gets the token for something trustpub cannot tell: it may be the
        // upload (`unrecognised-oidc-job` says so), so "no job publishes" would be a guess.
        if calls_elsewhere || ctx.unrecognised.iter().any(|(uw, _)| std::ptr::eq(*uw, w)) {
            continue;
        }
        let elsewhere: Vec<String> = ctx
            .sites
            .iter()
            .filter(|s| s.step.is_some() && s.may_publish_to(p.registry))
            .map(|s| format!("`{}`", s.workflow.file_name))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let label = match &w.jobs_key {
            Some(k) => ctx.at(
                w,
                &k.span,
                format!("no job here publishes to {}", p.registry.name()),
            ),
            None => ctx.at(w, &w.root.span, "this workflow has no jobs"),
        };
        let mut d = diag(
            &RULE,
            format!(
                "`{}` has no job that publishes to {}",
                p.workflow,
                p.registry.name()
            ),
            label,
        )
        .with_related(ctx.declared(p, "workflow", "declared here"))
        .for_publisher(p);
        if !elsewhere.is_empty() {
            d = d.with_help(format!(
                "{} publishes to {}: declare that file instead",
                elsewhere.join(", "),
                p.registry.name()
            ));
        }
        out.push(d);
    }
}
