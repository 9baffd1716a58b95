//! The output of `trustpub template`: what to enter in each registry's form.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::identity::Publisher;
use crate::sanitize::Visible;

const BOLD: Style = Style::new().bold();
const LINK: Style = AnsiColor::Cyan.on_default();

/// One block per publisher: the form's fields and values, the page, the pre-filled link. The
/// values come from the desired state: shown through the sanitiser ([`Visible`]), so an
/// invisible or control character in a name is seen before it is entered in a form.
pub fn human(w: &mut dyn Write, publishers: &[&Publisher]) -> io::Result<()> {
    let w = &mut Visible::new(w);
    for (i, p) in publishers.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let t = (p.registry.spec().template)(p);
        w.styled(BOLD, &format!("{} · {}", p.registry.name(), p.project))?;
        writeln!(w, " ({})", p.provider.id())?;
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
        write!(w, "  form:     ")?;
        w.styled(LINK, &t.page)?;
        writeln!(w)?;
        if let Some(url) = &t.prefill_url {
            write!(w, "  prefill:  ")?;
            w.styled(LINK, url)?;
            writeln!(w)?;
        }
        if let Some(url) = &t.pending_url {
            write!(w, "  pending:  ")?;
            w.styled(LINK, url)?;
            writeln!(w)?;
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
