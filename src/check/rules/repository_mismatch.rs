//! `repository-mismatch`: the declared owner or repository is not the checkout's.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};
use crate::registry::Outcome;

/// The rule.
pub const RULE: Rule = Rule {
    id: "repository-mismatch",
    severity: Severity::Error,
    security_severity: 6.0,
    summary: "the declared owner or repository is not the repository the workflows belong to",
    explanation: "The token's `repository` claim is the repository the workflow runs in, and PyPI compares owner and name byte for byte with the registered publisher. If the desired state names another repository (a rename, a transfer, a fork, a typo), no run of these workflows can match. The repository is read from the checkout's `origin` remote, or given with `--repository OWNER/NAME`.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(repo) = ctx.repository else { return };
    for (p, judgement) in ctx.desired.publishers.iter().zip(&ctx.checkout) {
        let Some(judgement) = judgement else { continue };
        // The registry's own comparison of owner and repository decides.
        let differs: Vec<&str> = ["owner", "repository"]
            .into_iter()
            .filter(|f| {
                judgement
                    .field(f)
                    .is_some_and(|c| c.outcome == Outcome::Differs)
            })
            .collect();
        let Some(key) = differs.first() else { continue };
        let case_only = p.owner.eq_ignore_ascii_case(&repo.owner)
            && p.repository.eq_ignore_ascii_case(&repo.name);
        let mut d = diag(
            &RULE,
            format!(
                "the publisher names `{}/{}`, but these workflows belong to `{}/{}` ({})",
                p.owner, p.repository, repo.owner, repo.name, repo.origin
            ),
            ctx.declared(p, key, "declared here"),
        )
        .for_publisher(p);
        if case_only {
            // The remote's casing may not be GitHub's: say so rather than fail.
            d.severity = Severity::Warning;
            d = d.with_help(format!("they differ only in case, and {} compares `{key}` byte for byte: use the casing GitHub puts in the token (the repository's canonical name)", p.registry.name()));
        } else if let Some(note) = crate::sanitize::lookalike(
            &format!("{}/{}", p.owner, p.repository),
            &format!("{}/{}", repo.owner, repo.name),
        ) {
            d = d.with_help(note);
        } else {
            d = d.with_help("if the repository was renamed or transferred, update the publisher on the registry and in expected-publishers.toml");
        }
        out.push(d);
    }
}
