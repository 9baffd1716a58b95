//! `reusable-workflow`: the publishing job lives in a reusable workflow.

use super::{Rule, diag, sites_for};
use crate::check::{Context, local_workflow_name};
use crate::diag::{Diagnostic, Severity};
use crate::registry::WorkflowClaim;

/// The rule.
pub const RULE: Rule = Rule {
    id: "reusable-workflow",
    severity: Severity::Error,
    summary: "the publishing job lives in a reusable workflow",
    explanation: "In a job of a reusable workflow, `job_workflow_ref` names the called file and `workflow_ref` the caller, and registries disagree on which counts. PyPI, RubyGems and NuGet match `job_workflow_ref`, so the publisher must name the called file; naming the caller fails (PyPI: `Publisher with matching claims was not found`). crates.io and npm match `workflow_ref`, so the publisher must name the caller; naming the called file fails. A called workflow from another repository never works on PyPI and NuGet (RubyGems accepts it when the publisher names that repository). On PyPI even the same-repository case works only by accident (warehouse#11096), so it is reported as a warning. Move the upload into the top-level workflow, or declare and register the file the registry matches.",
    check,
};

/// Whether the registry refuses a job defined in another repository's workflow: those that
/// match `job_workflow_ref`, except RubyGems when the publisher names that repository.
fn refuses_foreign_callee(p: &crate::identity::Publisher) -> bool {
    p.registry.spec().workflow_claim == WorkflowClaim::Defining && p.workflow_repository.is_none()
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &ctx.desired.publishers {
        let Some(w) = ctx.workflow(&p.workflow) else {
            continue;
        };
        let own_sites = sites_for(ctx, p);
        for job in &w.jobs {
            let Some(uses) = &job.uses else { continue };
            match local_workflow_name(&uses.value) {
                Some(called) => {
                    let publishes = ctx
                        .sites
                        .iter()
                        .any(|s| s.workflow.file_name == called && s.may_publish_to(p.registry));
                    if publishes && own_sites.is_empty() {
                        out.push(
                            diag(&RULE, format!("{} matches the called workflow `{called}`, not its caller `{}`", p.registry.name(), p.workflow), ctx.at(w, &uses.span, format!("the publishing job is defined in `{called}`")))
                                .with_related(ctx.declared(p, "workflow", "declared here"))
                                .with_help(format!("declare and register `workflow = \"{called}\"`, or move the upload into `{}`", p.workflow))
                                .for_publisher(p),
                        );
                    }
                }
                None if own_sites.is_empty()
                    && !uses.value.starts_with("./")
                    && refuses_foreign_callee(p) =>
                {
                    out.push(
                        diag(&RULE, format!("job `{}` calls a workflow in another repository: if it publishes, {} cannot accept it", job.id.name, p.registry.name()), ctx.at(w, &uses.span, "called from another repository"))
                            .with_related(ctx.declared(p, "workflow", "declared here"))
                            .with_help("the token's `job_workflow_ref` would name the other repository; run the upload in a workflow of this repository")
                            .for_publisher(p),
                    );
                }
                None => {}
            }
        }
        // Registries that match the caller: declaring the called file cannot work.
        if p.registry.spec().workflow_claim == WorkflowClaim::Caller {
            for site in ctx.sites.iter().filter(|s| {
                s.workflow.file_name == p.workflow
                    && s.may_publish_to(p.registry)
                    && !s.callers.is_empty()
            }) {
                let callers: Vec<&str> = site
                    .callers
                    .iter()
                    .map(|(cw, _)| cw.file_name.as_str())
                    .collect();
                let trigger = site
                    .workflow
                    .triggered_by("workflow_call")
                    .map_or_else(|| site.job.id.span.clone(), |t| t.span.clone());
                out.push(
                    diag(&RULE, format!("{} matches the top-level workflow (`workflow_ref`), not the reusable `{}` it calls", p.registry.name(), p.workflow), ctx.at(site.workflow, &trigger, format!("called by `{}`", callers.join("`, `"))))
                        .with_related(ctx.declared(p, "workflow", "declared here"))
                        .with_help(format!("declare and register `workflow = \"{}\"`", callers[0]))
                        .for_publisher(p),
                );
            }
        }
        for site in own_sites
            .iter()
            .filter(|s| s.is_reusable() && p.registry.is_python_index())
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
            let trigger = site
                .workflow
                .triggered_by("workflow_call")
                .map_or_else(|| site.job.id.span.clone(), |t| t.span.clone());
            out.push(
                crate::diag::Diagnostic::new(RULE.id, Severity::Warning, format!("the publishing job is in the reusable workflow `{}`{by}", site.workflow.file_name), ctx.at(site.workflow, &trigger, "reusable workflow"))
                    .with_help(format!("{} matches `{}`, as declared; this works, but support for reusable workflows is accidental and may change", p.registry.name(), site.workflow.file_name))
                    .for_publisher(p),
            );
        }
    }
}
