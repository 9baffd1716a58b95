//! The output of `trustpub template`: what to enter in each registry's form.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::identity::Publisher;

const BOLD: Style = Style::new().bold();
const LINK: Style = AnsiColor::Cyan.on_default();

/// One block per publisher: the form's fields and values, the page, the pre-filled link.
pub fn human(w: &mut dyn Write, publishers: &[&Publisher]) -> io::Result<()> {
    for (i, p) in publishers.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let t = (p.registry.spec().template)(p);
        writeln!(
            w,
            "{BOLD}{} · {}{BOLD:#} ({})",
            p.registry.name(),
            p.project,
            p.provider.id()
        )?;
        let width = t
            .values
            .iter()
            .map(|v| v.field.chars().count())
            .max()
            .unwrap_or(0);
        for v in &t.values {
            let value = if v.value.is_empty() {
                "(leave empty)"
            } else {
                v.value.as_str()
            };
            writeln!(w, "  {:<width$}  {value}", v.field)?;
        }
        writeln!(w, "  form:     {LINK}{}{LINK:#}", t.page)?;
        if let Some(url) = &t.prefill_url {
            writeln!(w, "  prefill:  {LINK}{url}{LINK:#}")?;
        }
        if let Some(url) = &t.pending_url {
            writeln!(w, "  pending:  {LINK}{url}{LINK:#}")?;
        }
        for n in &t.notes {
            writeln!(w, "  - {n}")?;
        }
    }
    Ok(())
}

/// `{"templates": [{"registry", "project", "provider", "values": [{"field", "value"}], "page",
/// "prefill_url", "pending_url", "notes"}]}`.
pub fn json(publishers: &[&Publisher]) -> Value {
    let templates: Vec<Value> = publishers
        .iter()
        .map(|p| {
            let t = (p.registry.spec().template)(p);
            json!({
                "registry": p.registry.id(),
                "project": p.project,
                "provider": p.provider.id(),
                "values": t.values,
                "page": t.page,
                "prefill_url": t.prefill_url,
                "pending_url": t.pending_url,
                "notes": t.notes,
            })
        })
        .collect();
    json!({ "templates": templates })
}
