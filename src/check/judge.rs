//! Judging: each declared publisher on each predicted token that could concern it, by the
//! registry's own matcher (the very code `explain` runs), with the bounds that keep a check's
//! judgements finite.

use crate::config::DesiredState;
use crate::registry::{EvidenceFacts, FieldCheck, Judgement, Outcome};

use super::Site;

/// One judgement: what a declared publisher's registry decides for one way a site can run.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Index of the publisher in the desired state.
    pub publisher: usize,
    /// Index of the site in [`Context::sites`](super::Context::sites).
    pub site: usize,
    /// Index of the predicted token in the site's [`Site::predicted`].
    pub token: usize,
    /// The registry's decision, by the registry module's own matcher (shared by every token
    /// with the same claims: a thousand identical jobs are judged once).
    pub judgement: std::sync::Arc<Judgement>,
}

impl Verdict {
    /// Whether the registry would look this publisher up for this token: its workflow file
    /// matches (or cannot be told), so every other difference is a refusal of this publisher.
    pub fn matches_workflow(&self) -> bool {
        self.judgement
            .field("workflow")
            .is_none_or(|f| f.outcome != Outcome::Differs)
    }

    /// The field the registry refuses, when it does: the compared field that differs.
    pub fn differs(&self, name: &str) -> Option<&FieldCheck> {
        self.judgement
            .field(name)
            .filter(|f| f.outcome == Outcome::Differs)
    }
}

/// The most verdicts (a declared publisher on a predicted token that could concern it) one
/// check makes. Real repositories make dozens to a few thousand: a desired state of 10,000
/// publishers on ordinary workflows makes 30,000.
pub const MAX_VERDICTS: usize = 500_000;

/// The most distinct judgements (a publisher on distinct claims) one check makes: each holds
/// its registry's field-by-field comparison, a few kilobytes, so this bounds their memory to
/// about 100 MB.
pub const MAX_JUDGEMENTS: usize = 25_000;

/// Why a check judged nothing: its inputs ask for more than it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overload {
    /// More than [`MAX_VERDICTS`] verdicts.
    Verdicts,
    /// More than [`MAX_JUDGEMENTS`] distinct judgements.
    Judgements,
}

/// Judges each publisher on each token of each site that could concern it: a site that may
/// publish to its registry and reaches its workflow file by name (the defining file or a
/// top-level caller; which of the two counts is the registry's to say).
pub(super) fn judge_all(
    desired: &DesiredState,
    sites: &[Site<'_>],
) -> Result<Vec<Verdict>, Overload> {
    // File name (lowercased: NuGet compares without case) -> sites that reach it.
    let mut by_file: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, s) in sites.iter().enumerate() {
        for f in s.files() {
            let e = by_file.entry(f.to_lowercase()).or_default();
            if e.last() != Some(&i) {
                e.push(i);
            }
        }
    }
    let mut verdicts = Vec::new();
    // (publisher, claims) -> judgement: the registry's decision depends on nothing else.
    let mut judged: std::collections::HashMap<(usize, String), std::sync::Arc<Judgement>> =
        std::collections::HashMap::new();
    for (pi, p) in desired.publishers.iter().enumerate() {
        let Some(candidates) = by_file.get(&p.workflow.to_lowercase()) else {
            continue;
        };
        for &si in candidates {
            let site = &sites[si];
            if !site.may_publish_to(p.registry) {
                continue;
            }
            for (ti, token) in site.predicted.iter().enumerate() {
                if verdicts.len() >= MAX_VERDICTS {
                    return Err(Overload::Verdicts);
                }
                let assumed = Some((p.owner.as_str(), p.repository.as_str()));
                let audience = Some(p.registry.spec().audience);
                let mut key = String::new();
                for (name, value) in token.claim_values(assumed, audience) {
                    key.push_str(name);
                    key.push(if value.is_some() { '=' } else { '?' });
                    key.push_str(value.as_deref().unwrap_or(""));
                    key.push('\0');
                }
                let judgement = match judged.entry((pi, key)) {
                    std::collections::hash_map::Entry::Occupied(e) => {
                        std::sync::Arc::clone(e.get())
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        let claims = token.claims(assumed, audience);
                        let j = std::sync::Arc::new(p.registry.judge(
                            p,
                            &EvidenceFacts {
                                claims: &claims,
                                is_token: false,
                                token_rejected: None,
                                declared: &desired.publishers,
                            },
                        ));
                        std::sync::Arc::clone(e.insert(j))
                    }
                };
                if judged.len() > MAX_JUDGEMENTS {
                    return Err(Overload::Judgements);
                }
                verdicts.push(Verdict {
                    publisher: pi,
                    site: si,
                    token: ti,
                    judgement,
                });
            }
        }
    }
    Ok(verdicts)
}
