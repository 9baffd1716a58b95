//! `registry-mismatch`: a step publishes to an index nothing declared covers.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::publish::Auth;

/// The rule.
pub const RULE: Rule = Rule {
    id: "registry-mismatch",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "a step publishes with Trusted Publishing to an index no declared publisher covers",
    explanation: "PyPI and TestPyPI are separate indexes with separate publishers and audiences. A step that uploads to TestPyPI (`repository-url: https://test.pypi.org/legacy/`, `--repository testpypi`) needs a TestPyPI publisher for this workflow, and the other way round; otherwise the exchange fails with `invalid-publisher`. Declare (and register) the publisher for the index the step uploads to, or point the step at the declared index.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The first publisher declared for each workflow file, found without a scan per site.
    let mut by_workflow: std::collections::HashMap<&str, &crate::identity::Publisher> =
        std::collections::HashMap::new();
    for p in &ctx.desired.publishers {
        by_workflow.entry(p.workflow.as_str()).or_insert(p);
    }
    for (si, site) in ctx.sites.iter().enumerate() {
        let Some(step) = &site.step else { continue };
        if step.auth != Auth::TrustedPublishing {
            continue;
        }
        let Some(registry) = site.registry() else {
            continue;
        };
        // Covered when a publisher of that registry names a file of the job's runs: whether
        // the registry reads that file is the reusable-workflow rule's business.
        let covered = ctx
            .verdicts_on(si)
            .any(|v| ctx.desired.publishers[v.publisher].registry == registry);
        if covered {
            continue;
        }
        let file = &site.workflow.file_name;
        let files = site.files();
        // The first declared publisher that names a file of the job's runs.
        let other = files
            .iter()
            .filter_map(|f| by_workflow.get(f).copied())
            .min_by_key(|p| ctx.index_of(p));
        let span = step
            .target_span
            .clone()
            .unwrap_or_else(|| step.span.clone());
        let label_source = if step.target_span.is_some() && step.action.is_none() {
            ctx.at(
                site.workflow,
                &span,
                format!("uploads to {}", registry.name()),
            )
        } else {
            ctx.at_step(site, &span, format!("uploads to {}", registry.name()))
        };
        let message = match other {
            Some(p) => format!(
                "this step publishes to {}, but `{file}` is declared for {} only",
                registry.name(),
                p.registry.name()
            ),
            None => format!(
                "this step publishes to {} from `{file}`, but no publisher covers it",
                registry.name()
            ),
        };
        let mut d = diag(&RULE, message, label_source)
            .with_help(format!("declare a `{}` publisher for `{file}` (and register it), or upload to the declared index", registry.id()));
        if let Some(p) = other {
            d = d
                .with_related(ctx.declared(p, "registry", "declared here"))
                .for_publisher(p);
        }
        out.push(d);
    }
}
