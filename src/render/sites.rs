//! `check -v`: every publishing site `check` recognised, and the token each way its job runs
//! would get, so that a clean run shows what it judged (and a silent one, what it did not see).

use std::io::{self, Write};

use crate::check::SiteSummary;
use crate::identity::Claim;
use crate::render::layout::wrap;

/// One paragraph per site: where, which tool, which registry and how it authenticates; then one
/// line per predicted token (event, top-level workflow, the file that defines the job,
/// environment, ref).
pub fn human(w: &mut dyn Write, sites: &[SiteSummary], width: Option<usize>) -> io::Result<()> {
    // Job names, files and environments come from the workflows: shown through the sanitiser.
    let w = &mut crate::sanitize::Visible::new(w);
    writeln!(w, "publishing sites: {}", sites.len())?;
    for s in sites {
        let tool = s
            .tool
            .unwrap_or("a call of another repository's reusable workflow");
        let registry = s.registry.unwrap_or("an unknown registry");
        let head = format!(
            "{}:{}:{}: job `{}`: {tool} to {registry} ({})",
            s.file, s.line, s.column, s.job, s.auth
        );
        writeln!(w, "{}", wrap(&head, width, "  ", "      "))?;
        for t in &s.predicted {
            let environment = match &t.environment {
                Claim::Present(e) => format!("environment `{e}`"),
                Claim::Missing => "no environment".to_owned(),
                Claim::Unknown => "environment unknown".to_owned(),
            };
            let line = format!(
                "on {}: workflow {}, job defined in {}, {environment}, ref {}",
                t.via.event.as_deref().unwrap_or("any event"),
                t.via.workflow.as_deref().unwrap_or("?"),
                t.defining,
                t.ref_pattern.as_deref().unwrap_or("unknown"),
            );
            writeln!(w, "{}", wrap(&line, width, "    - ", "      "))?;
        }
    }
    writeln!(w)
}
