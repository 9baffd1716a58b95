//! `registry-mismatch`: a step publishes to an index nothing declared covers.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::workflow::publish::Auth;

/// The rule.
pub const RULE: Rule = Rule {
    id: "registry-mismatch",
    severity: Severity::Error,
    summary: "a step publishes with Trusted Publishing to an index no declared publisher covers",
    explanation: "PyPI and TestPyPI are separate indexes with separate publishers and audiences. A step that uploads to TestPyPI (`repository-url: https://test.pypi.org/legacy/`, `--repository testpypi`) needs a TestPyPI publisher for this workflow, and the other way round; otherwise the exchange fails with `invalid-publisher`. Declare (and register) the publisher for the index the step uploads to, or point the step at the declared index.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.desired.publishers.is_empty() {
        return;
    }
    for site in &ctx.sites {
        if site.step.auth != Auth::TrustedPublishing {
            continue;
        }
        let Some(registry) = site.registry() else {
            continue;
        };
        let file = &site.workflow.file_name;
        let declared_here = |r| {
            ctx.desired.publishers.iter().any(|p| {
                p.registry == r
                    && (&p.workflow == file
                        || site
                            .callers
                            .iter()
                            .any(|(cw, _)| cw.file_name == p.workflow))
            })
        };
        if declared_here(registry) {
            continue;
        }
        let other = ctx.desired.publishers.iter().find(|p| &p.workflow == file);
        let span = site
            .step
            .target_span
            .clone()
            .unwrap_or_else(|| site.step.span.clone());
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
        let mut d = diag(&RULE, message, ctx.at(site.workflow, &span, format!("uploads to {}", registry.name())))
            .with_help(format!("declare a `{}` publisher for `{file}` (and register it), or upload to the declared index", registry.id()));
        if let Some(p) = other {
            d = d
                .with_related(ctx.declared(p, "registry", "declared here"))
                .for_publisher(p);
        }
        out.push(d);
    }
}
