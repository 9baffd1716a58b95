//! `reusable-workflow`: the publishing job lives in a reusable workflow.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "reusable-workflow",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "the publishing job lives in a reusable workflow",
    explanation: "In a job of a reusable workflow, `job_workflow_ref` names the called file and `workflow_ref` the caller, and registries disagree on which counts. PyPI, RubyGems and NuGet match `job_workflow_ref`, so the publisher must name the called file; naming the caller fails (PyPI: `Publisher with matching claims was not found`). crates.io and npm match `workflow_ref`, so the publisher must name the caller; naming the called file fails. A called workflow from another repository never works on PyPI and NuGet (RubyGems accepts it when the publisher names that repository). On PyPI even the same-repository case works only by accident (warehouse#11096), so it is reported as a warning. Move the upload into the top-level workflow, or declare and register the file the registry matches.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (pi, p) in ctx.desired.publishers.iter().enumerate() {
        let satisfied = ctx
            .matched(p)
            .any(|(s, _, v)| s.step.is_some() && v.judgement.accepted());
        for v in ctx.verdicts_of(pi) {
            let site = &ctx.sites[v.site];
            let token = &site.predicted[v.token];
            if site.step.is_none() {
                // A called workflow of another repository: what the registry decides of its
                // token, when nothing else in this repository publishes for the publisher.
                if satisfied || v.judgement.accepted() {
                    continue;
                }
                let (Some(uses), Some(refusal)) = (&site.job.uses, &v.judgement.refusal) else {
                    continue;
                };
                out.push(
                    diag(&RULE, format!("job `{}` calls a workflow in another repository: if it publishes, {} refuses its token", site.job.id.name, p.registry.name()), ctx.at(site.workflow, &uses.span, "called from another repository"))
                        .with_related(ctx.declared(p, "workflow", "declared here"))
                        .with_help(format!("the token's `job_workflow_ref` would name `{}`, and {} would answer: {}; run the upload in a workflow of this repository{}", token.defining_repository.as_ref().map_or("", |(r, _)| r.as_str()), p.registry.name(), refusal.reason, if p.registry.spec().extra_keys.contains(&"workflow-repository-owner") { ", or declare `workflow-repository-owner` and `workflow-repository-name`" } else { "" }))
                        .for_publisher(p),
                );
                continue;
            }
            if v.matches_workflow() {
                // Matched: a registry that accepts a reusable workflow by accident says so.
                if let Some(note) = v
                    .judgement
                    .notes
                    .iter()
                    .find(|n| n.id == "reusable-workflow-accidental")
                    && let Some(t) = site.workflow.triggered_by("workflow_call")
                {
                    let callers: Vec<String> = site
                        .callers
                        .iter()
                        .map(|(cw, _)| format!("`{}`", cw.file_name))
                        .collect();
                    let by = if callers.is_empty() {
                        String::new()
                    } else {
                        format!(" (called by {})", callers.join(", "))
                    };
                    out.push(
                        Diagnostic::new(
                            RULE.id,
                            Severity::Warning,
                            format!(
                                "the publishing job is in the reusable workflow `{}`{by}",
                                site.workflow.file_name
                            ),
                            ctx.at(site.workflow, &t.span, "reusable workflow"),
                        )
                        .with_help(note.text.clone())
                        .for_publisher(p),
                    );
                }
                continue;
            }
            // The registry reads another file of this way than the declared one. Another
            // publisher of the registry that matches this way covers it.
            let covered = ctx.verdicts_on(v.site).any(|o| {
                o.token == v.token
                    && o.matches_workflow()
                    && ctx.desired.publishers[o.publisher].registry == p.registry
            });
            if covered {
                continue;
            }
            let Some(field) = v.judgement.field("workflow") else {
                continue;
            };
            let Some(actual) = field.actual.value() else {
                continue;
            };
            let read = super::file_read(field.claim, actual);
            if p.workflow == site.workflow.file_name {
                // Declared the defining (called) file; the registry reads the caller.
                let (span, label) = match site.workflow.triggered_by("workflow_call") {
                    Some(t) if !site.callers.is_empty() => (
                        t.span.clone(),
                        format!(
                            "called by `{}`",
                            site.callers
                                .iter()
                                .map(|(w, _)| w.file_name.as_str())
                                .collect::<Vec<_>>()
                                .join("`, `")
                        ),
                    ),
                    _ => (
                        token.via.origin.as_ref().map_or_else(
                            || site.job.id.span.clone(),
                            |o| crate::workflow::yaml::Span {
                                bytes: o.bytes.clone(),
                                line: o.line,
                                column: o.column,
                            },
                        ),
                        format!("started from `{actual}`"),
                    ),
                };
                let label = match token.via.origin.as_ref().filter(|o| {
                    o.path != site.workflow.source.display_path() && site.callers.is_empty()
                }) {
                    Some(o) => ctx.at_origin(o, label),
                    None => ctx.at(site.workflow, &span, label),
                };
                out.push(
                    diag(
                        &RULE,
                        format!(
                            "{} matches {read}, not the reusable `{}` it calls",
                            p.registry.name(),
                            p.workflow
                        ),
                        label,
                    )
                    .with_related(ctx.declared(p, "workflow", "declared here"))
                    .with_help(format!("declare and register `workflow = \"{actual}\"`"))
                    .for_publisher(p),
                );
            } else {
                // The reusable workflow also runs on its own (`workflow_dispatch`): for those
                // runs it is the top-level workflow, which a caller-matching registry reads.
                if token.via.callers.is_empty()
                    && let (Some(at), Some(event)) = (&token.via.origin, &token.via.event)
                {
                    out.push(
                        diag(&RULE, format!("`{actual}` also runs on its own (`{event}`): for those runs {} matches {read}, not `{}`", p.registry.name(), p.workflow), ctx.at_origin(at, format!("starts `{actual}` itself")))
                            .with_related(ctx.declared(p, "workflow", "declared here"))
                            .with_help(format!("declare and register a publisher with `workflow = \"{actual}\"` too, or drop this trigger"))
                            .for_publisher(p),
                    );
                    continue;
                }
                // Declared a caller; the registry reads the defining (called) file.
                let Some((cw, cj)) =
                    token.via.callers.first().and_then(|(f, j)| {
                        ctx.workflow(f).and_then(|w| w.job(j).map(|job| (w, job)))
                    })
                else {
                    continue;
                };
                let Some(uses) = &cj.uses else { continue };
                out.push(
                    diag(&RULE, format!("{} matches {read}, not its caller `{}`", p.registry.name(), p.workflow), ctx.at(cw, &uses.span, format!("the publishing job is defined in `{actual}`")))
                        .with_related(ctx.declared(p, "workflow", "declared here"))
                        .with_help(format!("declare and register `workflow = \"{actual}\"`, or move the upload into `{}`", p.workflow))
                        .for_publisher(p),
                );
            }
        }
    }
}
