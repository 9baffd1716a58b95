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
    // Per registry, the workflows whose steps may publish to it: listed once, not per publisher.
    let mut elsewhere_of: Vec<(crate::identity::Registry, Vec<String>)> = Vec::new();
    for p in &ctx.desired.publishers {
        let Some(w) = ctx.workflow(&p.workflow) else {
            continue;
        };
        // Any judgement of this publisher means a job reaches the declared file: when the
        // registry reads another file of it, that is the reusable-workflow rule's business.
        let i = ctx.index_of(p);
        if ctx.verdicts_of(i).next().is_some() {
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
        // A workflow with too many publishing steps to check is its own finding.
        if calls_elsewhere
            || ctx.unrecognised.iter().any(|(uw, _)| std::ptr::eq(*uw, w))
            || ctx.oversized.iter().any(|ow| std::ptr::eq(*ow, w))
        {
            continue;
        }
        let elsewhere: &[String] = match elsewhere_of.iter().position(|(r, _)| *r == p.registry) {
            Some(i) => &elsewhere_of[i].1,
            None => {
                let files = ctx
                    .sites
                    .iter()
                    .filter(|s| s.step.is_some() && s.may_publish_to(p.registry))
                    .map(|s| format!("`{}`", s.workflow.file_name))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                elsewhere_of.push((p.registry, files));
                &elsewhere_of[elsewhere_of.len() - 1].1
            }
        };
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
