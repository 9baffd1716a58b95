//! `workflow-missing`: a declared workflow file does not exist.

use super::{Rule, diag};
use crate::check::Context;
use crate::config::nearest;
use crate::diag::{Diagnostic, Severity};

/// The rule.
pub const RULE: Rule = Rule {
    id: "workflow-missing",
    severity: Severity::Error,
    security_severity: 3.0,
    summary: "a declared workflow file does not exist",
    explanation: "The registry matches the workflow file name exactly (case-sensitive, `.yml` and `.yaml` are different names). A publisher that names a file which is not in .github/workflows can never match a run: the file was renamed, deleted, or the name in expected-publishers.toml has a typo. Rename the file back or update the publisher on the registry and in expected-publishers.toml.",
    check,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.complete {
        return;
    }
    let names: Vec<&str> = ctx.workflows.iter().map(|w| w.file_name.as_str()).collect();
    // The help for a missing name, worked out once per name however many publishers name it.
    let mut helps: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for p in &ctx.desired.publishers {
        // A file that is there but could not be read is its own finding (`workflow-invalid`),
        // not a missing one.
        if ctx.workflow(&p.workflow).is_some() || ctx.unreadable.contains(&p.workflow) {
            continue;
        }
        // A reusable workflow kept in another repository (RubyGems) is not among these files.
        if p.workflow_repository.as_ref().is_some_and(|(o, n)| {
            !(o.eq_ignore_ascii_case(&p.owner) && n.eq_ignore_ascii_case(&p.repository))
        }) {
            continue;
        }
        let help = helps
            .entry(p.workflow.as_str())
            .or_insert_with(|| help_for(&p.workflow, &names))
            .clone();
        out.push(
            diag(
                &RULE,
                format!("`{}` does not exist in the workflows checked", p.workflow),
                ctx.declared(p, "workflow", "declared here"),
            )
            .with_help(help)
            .for_publisher(p),
        );
    }
}

/// What to say of a missing workflow `name` given the files present.
fn help_for(name: &str, names: &[&str]) -> String {
    let swapped = name
        .strip_suffix(".yml")
        .map(|s| format!("{s}.yaml"))
        .or_else(|| name.strip_suffix(".yaml").map(|s| format!("{s}.yml")));
    if let Some(s) = swapped.filter(|s| names.contains(&s.as_str())) {
        return format!(
            "the file is `{s}`: the registry compares the name exactly, extension included"
        );
    }
    // A file whose name looks the same (an invisible character, a Cyrillic letter).
    if let Some(note) = names
        .iter()
        .find_map(|n| crate::sanitize::lookalike(name, n))
    {
        return note;
    }
    match nearest(name, names) {
        Some(n) => format!("did you mean `{n}`?"),
        None if names.is_empty() => "no workflow file was found".into(),
        None => format!("workflows present: {}", names.join(", ")),
    }
}
