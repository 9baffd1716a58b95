//! npm for CircleCI, from npm's documentation (the form's Organization ID, Project ID, Pipeline
//! definition ID, VCS origin and optional Context IDs) and `npm trust circleci` (npm 12.2.2,
//! `lib/commands/trust/circleci.js`: the claims `oidc.circleci.com/org-id`, `.../project-id`,
//! `.../pipeline-definition-id`, `.../vcs-origin`, `.../context-ids`, and its checks). Every field
//! exact; how the context ids are matched is not documented: trustpub requires each declared
//! one among the token's. The job exports `NPM_ID_TOKEN=$(circleci run oidc get --claims
//! '{"aud": "npm:registry.npmjs.org"}')`. CircleCI's issuer is
//! `https://oidc.circleci.com/org/<org-id>`.

use crate::identity::{Claim, Publisher};
use crate::registry::github::compare;
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Outcome, Template,
};

use super::{NOT_FOUND, SPEC, common_notes, not_found, unauthorized_token};

/// The declared keys and the claims npm's configuration names, in the form's order.
pub const KEYS: [(&str, &str); 4] = [
    ("org-id", "oidc.circleci.com/org-id"),
    ("project-id", "oidc.circleci.com/project-id"),
    (
        "pipeline-definition-id",
        "oidc.circleci.com/pipeline-definition-id",
    ),
    ("vcs-origin", "oidc.circleci.com/vcs-origin"),
];

/// The declared context ids (`context-ids`, comma-separated).
pub fn context_ids(p: &Publisher) -> Vec<&str> {
    p.extra("context-ids")
        .map(|c| {
            c.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Judges a CircleCI trusted publisher as npm is documented to.
pub fn judge(p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut fields: Vec<FieldCheck> = KEYS
        .iter()
        .map(|(key, claim)| {
            let declared = p.extra(key).map(str::to_owned);
            let actual = claims.get(claim);
            FieldCheck {
                name: key,
                claim,
                outcome: compare(declared.as_deref(), &actual, |a, b| a == b),
                expected: declared,
                actual,
                rule: "exact",
            }
        })
        .collect();
    let wanted = context_ids(p);
    let token_contexts: Option<Vec<String>> = claims
        .raw()
        .get("oidc.circleci.com/context-ids")
        .map(|v| match v {
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            serde_json::Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        });
    fields.push(FieldCheck {
        name: "context-ids",
        claim: "oidc.circleci.com/context-ids",
        expected: (!wanted.is_empty()).then(|| wanted.join(",")),
        outcome: match (&token_contexts, wanted.is_empty()) {
            (_, true) => Outcome::Ok,
            (None, _) if !ev.is_token => Outcome::Unconfirmed,
            (Some(t), _) if wanted.iter().all(|w| t.iter().any(|c| c == w)) => Outcome::Ok,
            _ => Outcome::Differs,
        },
        actual: token_contexts.map_or(Claim::Missing, |t| Claim::Present(t.join(","))),
        rule: "each declared id among the token's (not documented)",
    });
    let aud = claims.get("aud");
    fields.push(crate::registry::github::audience_field(
        SPEC.audience,
        aud,
        "exact, one string",
    ));
    let org = p.extra("org-id").unwrap_or_default();
    let issuer_ok = claims
        .get("iss")
        .value()
        .is_none_or(|i| i == format!("https://oidc.circleci.com/org/{org}"));
    let mut notes = Vec::new();
    let refusal = if let Some(r) = unauthorized_token(ev, issuer_ok) {
        Some(r)
    } else if let Some(f) = crate::registry::github::first_difference(
        &fields,
        &[
            "org-id",
            "project-id",
            "pipeline-definition-id",
            "vcs-origin",
            "context-ids",
        ],
    ) {
        notes.push(crate::registry::github::silent_registry_note(
            "npm",
            NOT_FOUND,
            Some(f),
        ));
        Some(not_found())
    } else {
        None
    };
    notes.push(crate::registry::Note {
        id: "circleci-no-provenance",
        text: "npm publishes no provenance from CircleCI".into(),
    });
    common_notes(&mut notes);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$` without case.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `npm trust circleci`'s checks, with its texts.
pub fn form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    for (key, _) in KEYS {
        let Some(v) = get(key) else { continue };
        if v.is_empty() {
            out.push(FormProblem::refused(key, format!("{key} is required")));
        } else if key == "vcs-origin" {
            if v.contains("://") {
                out.push(FormProblem::refused(key, "vcs-origin must not include a scheme (e.g., use 'github.com/owner/repo' not 'https://github.com/owner/repo')"));
            } else if v.split('/').count() != 3 || v.split('/').any(str::is_empty) {
                out.push(FormProblem::refused(
                    key,
                    "vcs-origin must be in format 'provider/owner/repo'",
                ));
            }
        } else if !is_uuid(&v) {
            out.push(FormProblem::refused(
                key,
                format!("{key} must be a valid UUID"),
            ));
        }
    }
    if let Some(ids) = get("context-ids")
        && ids
            .split(',')
            .map(str::trim)
            .any(|id| !id.is_empty() && !is_uuid(id))
    {
        out.push(FormProblem::refused(
            "context-ids",
            "context-id must be a valid UUID",
        ));
    }
    out
}

/// What to enter in npm's CircleCI form.
pub fn template(p: &Publisher) -> Template {
    let v = |k: &str| p.extra(k).unwrap_or_default().to_owned();
    let contexts: String = context_ids(p)
        .iter()
        .map(|c| format!(" --context-id {c}"))
        .collect();
    let mut notes = super::template_notes(format!(
        "npm trust circleci {} --org-id {} --project-id {} --pipeline-definition-id {} --vcs-origin {}{contexts} --allow-publish",
        p.project,
        v("org-id"),
        v("project-id"),
        v("pipeline-definition-id"),
        v("vcs-origin")
    ));
    notes.push("the job exports `NPM_ID_TOKEN=$(circleci run oidc get --claims '{\"aud\": \"npm:registry.npmjs.org\"}')`; CircleCI cloud only, and no provenance".into());
    Template {
        values: vec![
            FormValue {
                field: "Publisher",
                value: "CircleCI".into(),
            },
            FormValue {
                field: "Organization ID",
                value: v("org-id"),
            },
            FormValue {
                field: "Project ID",
                value: v("project-id"),
            },
            FormValue {
                field: "Pipeline definition ID",
                value: v("pipeline-definition-id"),
            },
            FormValue {
                field: "VCS origin",
                value: v("vcs-origin"),
            },
            FormValue {
                field: "Context IDs (optional)",
                value: context_ids(p).join(", "),
            },
        ],
        page: format!("https://www.npmjs.com/package/{}/access", p.project),
        prefill_url: None,
        pending_url: None,
        notes,
    }
}
