//! The output of `trustpub template`: what to enter in each registry's form.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::identity::Publisher;
use crate::render::Human;
use crate::render::human::{BOLD, LINK, form_values, wrapped_line};
use crate::render::layout::wrap;
use crate::sanitize::Visible;

/// One block per publisher: the form's fields and values, the page, the pre-filled link. The
/// values come from the desired state: shown through the sanitiser ([`Visible`]), so an
/// invisible or control character in a name is seen before it is entered in a form.
pub fn human(w: &mut dyn Write, publishers: &[&Publisher]) -> io::Result<()> {
    human_fitted(w, publishers, Human::default())
}

/// [`human`], fitted to `opts.width` (a URL is never broken).
pub fn human_fitted(w: &mut dyn Write, publishers: &[&Publisher], opts: Human) -> io::Result<()> {
    let w = &mut Visible::new(w);
    for (i, p) in publishers.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let t = (p.registry.spec().template)(p);
        let title = format!("{} · {}", p.registry.name(), p.project);
        let line = format!("{title} ({})", p.provider.id());
        wrapped_line(w, &line, (&title, BOLD), opts.width, ("", "  "))?;
        form_values(w, &t.values, "  ", opts.width)?;
        let links = [
            ("form:     ", Some(&t.page)),
            ("prefill:  ", t.prefill_url.as_ref()),
            ("pending:  ", t.pending_url.as_ref()),
        ];
        for (label, url) in links {
            if let Some(url) = url {
                let line = format!("{label}{url}");
                wrapped_line(w, &line, (url, LINK), opts.width, ("  ", "            "))?;
            }
        }
        for n in &t.notes {
            writeln!(w, "{}", wrap(n, opts.width, "  - ", "    "))?;
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
