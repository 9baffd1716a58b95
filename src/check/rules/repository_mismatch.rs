//! `repository-mismatch`: the declared owner or repository is not the checkout's.

use super::{Rule, diag};
use crate::check::Context;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "repository-mismatch",
    severity: Severity::Error,
    summary: "the declared owner or repository is not the repository the workflows belong to",
    explanation: "The token's `repository` claim is the repository the workflow runs in, and PyPI compares owner and name byte for byte with the registered publisher. If the desired state names another repository (a rename, a transfer, a fork, a typo), no run of these workflows can match. The repository is read from the checkout's `origin` remote, or given with `--repository OWNER/NAME`.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(repo) = ctx.repository else { return };
    for p in &ctx.desired.publishers {
        let same = p.owner == repo.owner && p.repository == repo.name;
        if same {
            continue;
        }
        let case_only = p.owner.eq_ignore_ascii_case(&repo.owner)
            && p.repository.eq_ignore_ascii_case(&repo.name);
        let key = if p.owner.eq_ignore_ascii_case(&repo.owner) {
            "repository"
        } else {
            "owner"
        };
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
            d.severity = Severity::Warning;
            d = d.with_help("they differ only in case: PyPI compares the name byte for byte with the casing GitHub puts in the token; use GitHub's canonical casing");
        } else {
            d = d.with_help("if the repository was renamed or transferred, update the publisher on the registry and in expected-publishers.toml");
        }
        out.push(d);
    }
}
