//! `trustpub explain`: what each declared registry decides for the claims a run presented, why,
//! and what to do. This module decides; the renderers only print what it decided.

use crate::config::DesiredState;
use crate::evidence::Evidence;
use crate::evidence::jwt::Verification;
use crate::identity::Claim;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::registry::pypi;
use crate::registry::{EvidenceFacts, Judgement, Outcome};

/// Which declared publishers to judge.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only publishers of this registry.
    pub registry: Option<Registry>,
    /// Only publishers of this project.
    pub project: Option<String>,
}

/// The values to enter in the registry's form, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Desired-state key and value (owner, repository, workflow, environment).
    pub values: Vec<(&'static str, String)>,
    /// The registry's form, field by field.
    pub template: crate::registry::Template,
}

/// The diagnosis for one declared publisher.
#[derive(Debug, Clone)]
pub struct PublisherResult {
    /// The publisher as declared.
    pub publisher: Publisher,
    /// What the registry would decide.
    pub judgement: Judgement,
    /// One sentence saying what the verdict means.
    pub summary: String,
    /// What to do, most useful first.
    pub next_steps: Vec<String>,
    /// The values to register, when registering is the fix.
    pub registration: Option<Registration>,
}

/// A declared publisher that was not judged, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The publisher as declared.
    pub publisher: Publisher,
    /// Why it was not judged.
    pub reason: String,
}

/// Everything `explain` found.
#[derive(Debug)]
pub struct ExplainReport {
    /// The evidence.
    pub evidence: Evidence,
    /// The index the evidence was meant for (a token's audience, or the host a log names).
    pub index: Option<Registry>,
    /// One result per judged publisher.
    pub results: Vec<PublisherResult>,
    /// Declared publishers not judged.
    pub skipped: Vec<Skipped>,
}

impl ExplainReport {
    /// 0 when every judged publisher would accept the run; 1 when at least one would refuse it,
    /// or when the evidence shows a failure but no claims to judge.
    pub fn exit_code(&self) -> u8 {
        let refused = self.results.iter().any(|r| !r.judgement.accepted());
        let failure_without_claims = self.results.is_empty() && self.stage().is_some();
        u8::from(refused || failure_without_claims)
    }

    /// What the log's failure means when no claims could be judged, in one sentence.
    pub fn log_summary(&self) -> Option<String> {
        use crate::evidence::log::SignalKind as K;
        let log = self.evidence.log.as_ref()?;
        let has = |k: K| log.signals.iter().any(|s| s.kind == k);
        let stage = log.stage?;
        Some(if has(K::UploadForbidden) && has(K::EmptyPassword) {
            "The upload used a stored token, and it was empty: this job never tried Trusted Publishing. Remove the password (`TWINE_PASSWORD`, `password:`) from the publishing step and give the job `id-token: write`.".to_owned()
        } else if has(K::UploadForbidden) {
            "The upload used a stored token that the index refused: this job never tried Trusted Publishing.".to_owned()
        } else if has(K::ProjectCreationRefused) || has(K::TokenNotValidForProject) {
            "Trusted Publishing worked (the token exchange succeeded); the index refused the upload for the project it names.".to_owned()
        } else {
            format!("The run failed at the {} stage.", stage.title())
        })
    }

    /// The failure stage the log shows, if any.
    pub fn stage(&self) -> Option<crate::evidence::log::Stage> {
        self.evidence.log.as_ref().and_then(|l| l.stage)
    }
}

/// Judges the evidence against the declared publishers.
pub fn explain(desired: &DesiredState, evidence: Evidence, selection: &Selection) -> ExplainReport {
    let index = evidence_index(&evidence);
    let chosen: Vec<&Publisher> = desired
        .publishers
        .iter()
        .filter(|p| selection.registry.is_none_or(|r| r == p.registry))
        .filter(|p| selection.project.as_deref().is_none_or(|n| n == p.project))
        .collect();
    // The registry the evidence was meant for selects its publishers, when any is declared;
    // otherwise every publisher is judged and the audience check speaks.
    let candidates: Vec<Registry> = evidence_registries(&evidence)
        .into_iter()
        .filter(|r| chosen.iter().any(|p| p.registry == *r))
        .collect();
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for p in chosen {
        if !candidates.is_empty() && !candidates.contains(&p.registry) {
            skipped.push(Skipped {
                publisher: p.clone(),
                reason: other_registry_reason(&evidence, &candidates, p.registry),
            });
            continue;
        }
        let Some(claims) = &evidence.claims else {
            skipped.push(Skipped {
                publisher: p.clone(),
                reason: no_claims_reason(&evidence, p.registry),
            });
            continue;
        };
        let facts = EvidenceFacts {
            claims,
            is_token: evidence.kind == crate::evidence::Kind::Token,
            token_rejected: match &evidence.verification {
                Some(Verification::Rejected(reason)) => Some(reason.as_str()),
                _ => None,
            },
        };
        let judgement = p.registry.judge(p, &facts);
        results.push(diagnose(p, judgement, &evidence));
    }
    ExplainReport {
        evidence,
        index,
        results,
        skipped,
    }
}

/// Why a publisher of another registry than the evidence's is not judged.
fn other_registry_reason(evidence: &Evidence, candidates: &[Registry], other: Registry) -> String {
    match candidates {
        [one] => format!(
            "this run was for {} ({}); {} is a separate registry with its own publishers",
            one.name(),
            index_source(evidence),
            other.name()
        ),
        _ => format!(
            "this log is a Python publishing tool's, for PyPI or TestPyPI (it does not name the index); {} is not in question",
            other.name()
        ),
    }
}

/// Why a publisher cannot be judged from evidence without claims.
fn no_claims_reason(evidence: &Evidence, registry: Registry) -> String {
    match evidence.log.as_ref().and_then(|l| l.stage) {
        Some(stage) => format!(
            "the log shows no claims to compare with it: the run failed at stage {} ({}){}",
            stage.id(),
            stage.title(),
            if stage == crate::evidence::log::Stage::OidcToken {
                format!(", before {} saw a token", registry.name())
            } else {
                String::new()
            }
        ),
        None => "the log shows no claims to compare with it".to_owned(),
    }
}

fn evidence_index(evidence: &Evidence) -> Option<Registry> {
    if let Some(claims) = &evidence.claims
        && let Some(aud) = claims.audiences().filter(|a| a.len() == 1)
        && let Some(r) = Registry::ALL.into_iter().find(|r| r.audience() == aud[0])
    {
        return Some(r);
    }
    evidence.log.as_ref().and_then(|l| l.registry)
}

/// The registries the evidence may concern: the token's audience, else what the log says.
fn evidence_registries(evidence: &Evidence) -> Vec<Registry> {
    match evidence_index(evidence) {
        Some(r) => vec![r],
        None => evidence
            .log
            .as_ref()
            .map(|l| l.registries.clone())
            .unwrap_or_default(),
    }
}

fn index_source(evidence: &Evidence) -> &'static str {
    match evidence.kind {
        crate::evidence::Kind::Log => "the log names it",
        _ => "the token's audience says so",
    }
}

fn registration(p: &Publisher) -> Registration {
    Registration {
        values: vec![
            ("owner", p.owner.clone()),
            ("repository", p.repository.clone()),
            ("workflow", p.workflow.clone()),
            ("environment", p.environment.clone().unwrap_or_default()),
        ],
        template: (p.registry.spec().template)(p),
    }
}

/// The sentence with its first letter in upper case.
fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn diagnose(p: &Publisher, judgement: Judgement, evidence: &Evidence) -> PublisherResult {
    let reg = p.registry.name();
    let mut next = Vec::new();
    let mut registration_hint = None;
    let summary = match &judgement.refusal {
        None => {
            let refused_code = if p.registry.is_python_index() {
                "`invalid-publisher`"
            } else {
                "an error"
            };
            let observed = if evidence
                .log
                .as_ref()
                .is_some_and(|l| !l.server_errors.is_empty())
            {
                format!(
                    "Yet the run was refused: so {reg} does not hold this publisher, or holds one with other values."
                )
            } else {
                format!(
                    "If {reg} refused it with {refused_code}, {reg} does not hold this publisher, or holds one with other values."
                )
            };
            let registration = registration(p);
            next.push(format!(
                "Register the publisher on {reg} exactly as declared (project `{}`), or correct the one it holds{}.",
                p.project,
                if registration.template.prefill_url.is_some() { "; the link below opens the form pre-filled" } else { "" }
            ));
            if let Some(pending) = &registration.template.pending_url {
                next.push(format!(
                    "If `{}` does not exist on {reg} yet, register it first as a pending publisher at {pending}.",
                    p.project
                ));
            }
            next.extend(
                registration
                    .template
                    .notes
                    .iter()
                    .map(|n| format!("{}.", upper_first(n))),
            );
            registration_hint = Some(registration);
            format!(
                "The run's identity is the one you declared, so {reg} would accept it if it held this publisher. {observed}"
            )
        }
        Some(refusal) => {
            steps_for_refusal(
                p,
                &judgement,
                refusal.code,
                &refusal.reason,
                evidence,
                &mut next,
            );
            let first_difference = judgement
                .fields
                .iter()
                .find(|f| f.outcome == crate::registry::Outcome::Differs);
            let step = match refusal.code {
                "invalid-token" | "invalid-payload" => "when it verifies the token, before it looks for any publisher".to_owned(),
                "server-error" => "with an internal error".to_owned(),
                _ if refusal.reason.starts_with("Missing claim") => "when it checks that the required claims are present".to_owned(),
                _ if refusal.reason == pypi::NOT_FOUND || refusal.reason.starts_with("Could not job extract") => {
                    "when it looks the publisher up by owner, repository, owner id, workflow file and environment".to_owned()
                }
                _ if p.registry.is_python_index() => "in the checks that follow a successful lookup".to_owned(),
                _ => match first_difference {
                    Some(f) => format!("because the {} differs", f.name),
                    None => "when it verifies the token".to_owned(),
                },
            };
            format!("{reg} would refuse this run {step}.")
        }
    };
    PublisherResult {
        publisher: p.clone(),
        judgement,
        summary,
        next_steps: next,
        registration: registration_hint,
    }
}

fn steps_for_refusal(
    p: &Publisher,
    j: &Judgement,
    code: &str,
    reason: &str,
    evidence: &Evidence,
    next: &mut Vec<String>,
) {
    let reg = p.registry.name();
    let actual = |name: &str| {
        j.field(name)
            .map(|f| f.actual.clone())
            .unwrap_or(Claim::Unknown)
    };
    let differs = |name: &str| j.field(name).is_some_and(|f| f.outcome == Outcome::Differs);
    match code {
        "invalid-token" => {
            if let Some(Verification::Rejected(why)) = &evidence.verification {
                next.push(format!("The token fails verification: {why}. A registry answers `invalid-token` before it looks at any publisher."));
            } else if differs("aud") {
                let aud = actual("aud").value().unwrap_or("(none)").to_owned();
                let minted_for = Registry::ALL.into_iter().find(|r| r.audience() == aud).map_or_else(
                    || "no Python package index".to_owned(),
                    |r| r.name().to_owned(),
                );
                next.push(format!(
                    "The token's audience is `{aud}` (minted for {minted_for}); {reg} accepts only `{}`. Publish to the index the token was minted for, or request the token for `{}` (gh-action-pypi-publish asks the index named by `repository-url` for its audience).",
                    p.registry.audience(),
                    p.registry.audience()
                ));
            } else {
                next.push("The token lacks `iat` or `exp`, which PyPI requires of every JWT.".into());
            }
        }
        "invalid-payload" => next.push(format!(
            "{reason}: PyPI accepts GitHub tokens issued by {} only (GitHub Enterprise Server and enterprise-specific issuers are refused).",
            crate::identity::GITHUB_ISSUER
        )),
        "server-error" => next.push("The `repository` claim must be `owner/name`; this is not a token GitHub Actions issues.".into()),
        _ if reason.starts_with("Missing claim") => next.push(format!(
            "GitHub puts every claim PyPI requires into an Actions token; {reason} means the evidence is incomplete or not a GitHub Actions token. Give the whole token or claims."
        )),
        _ if reason.starts_with("Could not job extract") => next.push(
            "`job_workflow_ref` must name a `.yml` or `.yaml` file (lowercase extension) followed by `@`: rename the workflow file with a lowercase `.yml` extension.".into(),
        ),
        _ if reason.starts_with("The job_workflow_ref claim does not match") => {
            if j.notes.iter().any(|n| n.id == "cross-repository-workflow") {
                next.push("The publishing job is defined in a reusable workflow of another repository: PyPI cannot trust it. Move the job that uploads into a workflow of this repository.".into());
            } else {
                next.push(format!("`job_workflow_ref` must be `{}/{}/.github/workflows/{}@` followed by the run's `ref` or `sha`.", p.owner, p.repository, p.workflow));
            }
        }
        _ if reason.starts_with("Publishing from a workflow invoked via 'pull_request_target'") => next.push(
            "Start the publishing workflow from `push` of tags, `release` or `workflow_dispatch`, never `pull_request_target`.".into(),
        ),
        _ if reason.starts_with("Check failed for required claim 'repository_owner'") => next.push(
            "`repository_owner` disagrees with the owner in `repository`: this is not a token GitHub Actions issues.".into(),
        ),
        _ => steps_for_not_found(p, j, next),
    }
}

fn steps_for_not_found(p: &Publisher, j: &Judgement, next: &mut Vec<String>) {
    let reg = p.registry.name();
    for f in j.fields.iter().filter(|f| f.outcome == Outcome::Differs) {
        let seen = f
            .actual
            .value()
            .map_or_else(|| "nothing".to_owned(), |v| format!("`{v}`"));
        let expected = f.expected.clone().unwrap_or_default();
        let step = match f.name {
            "owner" | "repository" => format!(
                "The run comes from repository `{}`, the publisher names `{}/{}`: if the repository was renamed or transferred, update the publisher on {reg} and the desired state (the lookup is case-sensitive).",
                j.field("owner")
                    .and_then(|o| o.actual.value())
                    .unwrap_or("?")
                    .to_owned()
                    + "/"
                    + j.field("repository")
                        .and_then(|r| r.actual.value())
                        .unwrap_or("?"),
                p.owner,
                p.repository
            ),
            "owner-id" => format!(
                "The owner's id is {seen}, not `{expected}`: the account or organization was recreated, or the repository moved to another owner. Remove the publisher on {reg} and add it again so it records the new id; then update `owner-id`."
            ),
            "workflow" => {
                let reusable = j.notes.iter().any(|n| n.id == "reusable-workflow");
                // The claim the registry's own judgement read the file from.
                let source = match (f.claim, reusable) {
                    ("job_workflow_ref", true) => {
                        "the file that defines the job, named by `job_workflow_ref` (the called reusable workflow, not its caller)"
                    }
                    ("job_workflow_ref", false) => {
                        "the file that defines the job, named by `job_workflow_ref`"
                    }
                    (_, true) => {
                        "the top-level workflow, named by `workflow_ref` (the caller, not the reusable workflow it calls)"
                    }
                    (_, false) => "the top-level workflow, named by `workflow_ref`",
                };
                format!(
                    "The run's workflow is {seen}, not `{expected}`: {reg} matches {source}. Register {seen}, or publish from `{expected}`."
                )
            }
            "environment" => match f.actual.value() {
                None | Some("") => format!(
                    "The job ran without an environment, but the publisher requires `{expected}`: add `environment: {expected}` to the publishing job (in the file that defines the job), or remove the environment from the publisher."
                ),
                Some(a) => format!(
                    "The job ran in environment `{a}`, the publisher requires `{expected}` ({reg} compares them: {}): make the two names the same.",
                    f.rule
                ),
            },
            _ => continue,
        };
        next.push(step);
    }
    if next.is_empty() {
        next.push(format!(
            "Compare the table: {reg} found no publisher with these values."
        ));
    }
}
