//! `trustpub explain`: what each declared registry decides for the claims a run presented, why,
//! and what to do. This module decides; the renderers only print what it decided.

use crate::config::DesiredState;
use crate::evidence::Evidence;
use crate::evidence::jwt::{self, Verification};
use crate::identity::Claim;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::identity::TokenProblem;
use crate::registry::answer::{self, Answer};
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

impl Selection {
    /// Whether `p` is of the selected registry and project (each when one is given).
    pub fn admits(&self, p: &Publisher) -> bool {
        self.registry.is_none_or(|r| r == p.registry)
            && self.project.as_deref().is_none_or(|n| n == p.project)
    }
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

impl PublisherResult {
    /// Whether the verdict is the registry's own answer, as the evidence quotes it.
    pub fn answered(&self) -> bool {
        self.judgement
            .notes
            .iter()
            .any(|n| n.id == answer::NOTE_ANSWERED)
    }
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
pub fn explain(
    desired: &DesiredState,
    mut evidence: Evidence,
    selection: &Selection,
) -> ExplainReport {
    let index = evidence_index(&evidence);
    let chosen: Vec<&Publisher> = desired
        .publishers
        .iter()
        .filter(|p| selection.admits(p))
        .collect();
    // The registry the evidence was meant for selects its publishers, when any is declared;
    // otherwise every publisher is judged and the audience check speaks.
    let candidates: Vec<Registry> = evidence_registries(&evidence)
        .into_iter()
        .filter(|r| chosen.iter().any(|p| p.registry == *r))
        .collect();
    // `--jwks` checked the signature; the clock is each registry's own (its `TokenTiming`).
    let now = crate::net::time::now_epoch();
    let signature = match &evidence.verification {
        Some(Verification::Rejected(why)) => Some(TokenProblem::Signature(why.clone())),
        _ => None,
    };
    let verified = evidence.verification.is_some();
    let time_problem = |registry: Registry, claims: &crate::identity::Claims| {
        verified
            .then(|| jwt::time_problem(claims, &registry.spec().timing, now))
            .flatten()
    };
    // The evidence's own verdict uses the timing of the registry the token was minted for.
    if signature.is_none()
        && let Some(claims) = &evidence.claims
        && let Some(registry) = index.or_else(|| chosen.first().map(|p| p.registry))
        && let Some(problem) = time_problem(registry, claims)
    {
        evidence.verification = Some(Verification::Rejected(problem.describe()));
    }
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
        let answer = evidence
            .log
            .as_ref()
            .and_then(|l| registry_answer(l, p.registry));
        if evidence.claims.is_none() && answer.is_none() {
            skipped.push(Skipped {
                publisher: p.clone(),
                reason: no_claims_reason(&evidence, p.registry),
            });
            continue;
        }
        let rejected = signature.clone().or_else(|| {
            evidence
                .claims
                .as_ref()
                .and_then(|c| time_problem(p.registry, c))
        });
        results.push(judge_publisher(
            p,
            &evidence,
            answer.as_ref(),
            rejected.as_ref(),
            &desired.publishers,
        ));
    }
    ExplainReport {
        evidence,
        index,
        results,
        skipped,
    }
}

/// Judges one declared publisher on the evidence; with the registry's own `answer` (quoted by
/// a log, or given by a real exchange), that answer decides. Evidence without claims is judged
/// on the answer alone, showing only the rows the answer speaks of. `rejected` is what
/// verification found wrong with the token for this registry; `declared`, every publisher
/// declared (a registry that weighs all its configs at once sees them).
pub fn judge_publisher(
    p: &Publisher,
    evidence: &Evidence,
    answer: Option<&Answer<'_>>,
    rejected: Option<&TokenProblem>,
    declared: &[Publisher],
) -> PublisherResult {
    let no_claims = crate::identity::Claims::partial(indexmap::IndexMap::new());
    let claims = evidence.claims.as_ref().unwrap_or(&no_claims);
    let facts = EvidenceFacts {
        claims,
        is_token: evidence.kind == crate::evidence::Kind::Token,
        token_rejected: rejected,
        declared,
    };
    let mut judgement = match answer {
        Some(a) => p.registry.judge_answered(p, &facts, a),
        None => p.registry.judge(p, &facts),
    };
    if evidence.claims.is_none() {
        judgement
            .fields
            .retain(|f| f.outcome == Outcome::Differs || f.actual != Claim::Unknown);
        judgement
            .notes
            .retain(|n| !matches!(n.id, "claims-not-shown" | "owner-id-unconfirmed"));
    }
    diagnose(p, judgement, evidence)
}

/// The registry's answer a log quotes for `registry`, or, when the log shows the exchange
/// refused without the registry's words, an unquoted refusal.
fn registry_answer(
    log: &crate::evidence::log::LogReport,
    registry: Registry,
) -> Option<Answer<'_>> {
    use crate::evidence::log::SignalKind as K;
    if let Some(e) = log.answer_for(registry) {
        return Some(Answer {
            code: &e.code,
            text: &e.description,
        });
    }
    let same = |r: Option<Registry>| {
        r.is_none_or(|r| r == registry || (r.is_python_index() && registry.is_python_index()))
    };
    log.signals
        .iter()
        .any(|s| matches!(s.kind, K::ExchangeRefused | K::ExchangeReasonHidden) && same(s.registry))
        .then_some(Answer {
            code: Answer::UNQUOTED,
            text: "",
        })
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
    let values = match p.registry.spec().provider_keys(p.provider) {
        Some(keys) => keys
            .required
            .iter()
            .chain(keys.optional)
            .map(|k| (*k, p.value(k).unwrap_or_default()))
            .collect(),
        None => vec![
            ("owner", p.owner.clone()),
            ("repository", p.repository.clone()),
            ("workflow", p.workflow.clone()),
            ("environment", p.environment.clone().unwrap_or_default()),
        ],
    };
    Registration {
        values,
        template: (p.registry.spec().template)(p),
    }
}

/// What PyPI's lookup compares for a publisher of another provider than GitHub.
fn lookup_fields(provider: crate::identity::Provider) -> &'static str {
    use crate::identity::Provider as P;
    match provider {
        P::GitLab => "namespace, project, pipeline file, environment and issuer",
        P::Google => "email and subject",
        P::ActiveState => "organization, project and actor id",
        _ => "its identity",
    }
}

/// The sentence with its first letter in upper case.
fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// The steps and the form that register the publisher as declared.
fn register_steps(p: &Publisher, next: &mut Vec<String>) -> Registration {
    let reg = p.registry.name();
    let registration = registration(p);
    next.push(format!(
        "Register the publisher on {reg} exactly as declared (project `{}`), or correct the one it holds{}.",
        p.project,
        if registration.template.prefill_url.is_some() {
            "; the link below opens the form pre-filled"
        } else {
            ""
        }
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
    registration
}

fn diagnose(p: &Publisher, judgement: Judgement, evidence: &Evidence) -> PublisherResult {
    let reg = p.registry.name();
    let mut next = Vec::new();
    let mut registration_hint = None;
    let has_note = |id: &str| judgement.notes.iter().any(|n| n.id == id);
    let summary = match &judgement.refusal {
        None => {
            let refused_code = if p.registry.is_python_index() {
                "`invalid-publisher`"
            } else {
                "an error"
            };
            registration_hint = Some(register_steps(p, &mut next));
            format!(
                "The run's identity is the one you declared, so {reg} would accept it if it held this publisher. If {reg} refused it with {refused_code}, {reg} does not hold this publisher, or holds one with other values."
            )
        }
        Some(refusal) if has_note(answer::NOTE_HOLDS_NONE) => {
            registration_hint = Some(register_steps(p, &mut next));
            if evidence.claims.is_some() {
                format!(
                    "{reg} refused this run (`{}`), and the claims shown are the identity you declared: so {reg} does not hold this publisher, or holds one with other values.",
                    refusal.code
                )
            } else {
                format!(
                    "{reg} refused this run (`{}`) without naming a field, and the log shows no claims: {reg} does not hold a publisher for this run's identity. If the declared values below are the run's, register them.",
                    refusal.code
                )
            }
        }
        Some(refusal) if has_note(answer::NOTE_ANSWERED) => {
            let unexplained = has_note(answer::NOTE_UNEXPLAINED);
            if unexplained {
                next.push(format!(
                    "Run `trustpub preflight --exchange` in the publishing job (before the build) to get {reg}'s own answer, or give `trustpub explain` the run's token."
                ));
                steps_for_not_found(p, &judgement, &mut next);
            } else {
                steps_for_refusal(
                    p,
                    &judgement,
                    refusal.code,
                    &refusal.reason,
                    evidence,
                    &mut next,
                );
            }
            if refusal.code == "invalid-pending-publisher" || has_note(answer::NOTE_HOLDS_OTHER) {
                registration_hint = Some(registration(p));
            }
            let first_difference = judgement
                .fields
                .iter()
                .find(|f| f.outcome == crate::registry::Outcome::Differs);
            match (unexplained, first_difference) {
                (true, Some(f)) => format!(
                    "{reg} refused this run; the log does not show its reason, but the {} differs from the declared publisher.",
                    f.name
                ),
                (true, None) => format!(
                    "{reg} refused this run; the log does not show its reason, and the claims shown do not explain it."
                ),
                (false, Some(f)) => format!(
                    "{reg} refused this run, in its own words below; its reason concerns the {}.",
                    f.name
                ),
                (false, None) => {
                    format!("{reg} refused this run, for the reason in its own words below.")
                }
            }
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
                _ if (refusal.reason == pypi::NOT_FOUND || refusal.reason.starts_with("Could not job extract")) && p.is_github() => {
                    "when it looks the publisher up by owner, repository, owner id, workflow file and environment".to_owned()
                }
                _ if refusal.reason == pypi::NOT_FOUND || refusal.reason.starts_with("Could not extract") => {
                    format!("when it looks the publisher up by {}", lookup_fields(p.provider))
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
            } else if j.notes.iter().any(|n| n.id == answer::NOTE_ANSWERED) {
                next.push(format!(
                    "{reg} refused the token itself (its audience, issuer, expiry or signature), before looking for any publisher: request the token for `{}` right before the exchange, from GitHub Actions.",
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
        "invalid-pending-publisher" => next.push(format!(
            "A pending publisher matched, but `{}` already exists on {reg}, so {reg} deleted the pending publisher: add the publisher on the project's own publishing page (the link below), as a normal publisher.",
            p.project
        )),
        "invalid-reuse-token" => next.push(
            "The token was already exchanged once: each token is good for one exchange. Re-run the job, and exchange the token only once (one publishing step per token).".into(),
        ),
        "not-enabled" => next.push(format!(
            "{reg} has Trusted Publishing turned off right now: retry later, or publish with an API token meanwhile."
        )),
        _ if reason.starts_with("The policy '") && reason.contains("has expired") => next.push(
            "The NuGet policy expired (a policy that has not published within 7 days of its creation is temporary): sign in to nuget.org and renew it on the Trusted Publishing page.".into(),
        ),
        _ if reason.contains("has already been used") => next.push(
            "The token was already exchanged once: re-run the job, and exchange each token once.".into(),
        ),
        _ if reason.contains("OIDC permission denied for this action") => next.push(
            "npm exchanged the token, then refused the upload: check the trusted publisher's allowed actions (`npm publish`), the package's publishing access, and the case of every field on npmjs.com.".into(),
        ),
        _ if reason.contains("Failed to validate repository information") => next.push(
            "Set `repository.url` in package.json to the repository's https://github.com/OWNER/REPO URL, case included: npm checks provenance against it.".into(),
        ),
        "http-401" | "http-400" if !j.fields.iter().any(|f| f.outcome == Outcome::Differs) => next.push(format!(
            "{reg} refused the token itself (audience, issuer, expiry or signature), before looking for any publisher: request the token for `{}` right before the exchange, from GitHub Actions.",
            p.registry.audience()
        )),
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
        let same = f
            .actual
            .value()
            .is_some_and(|a| a.eq_ignore_ascii_case(&expected));
        if same && j.notes.iter().any(|n| n.id == answer::NOTE_HOLDS_OTHER) {
            next.push(format!(
                "The run's {} is {seen}, as declared, but the publisher {reg} holds expects another value (see the note): correct the publisher on {reg} to the declared values, or the desired state to what {reg} holds.",
                f.name
            ));
            continue;
        }
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
                    ("ci_config_ref_uri", _) => {
                        "the top-level pipeline file, named after `//` in `ci_config_ref_uri`"
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
            "issuer-url" => format!(
                "The token comes from the GitLab instance {seen}, the publisher was registered for `{expected}`: {reg} looks publishers up by the issuer of the token, so register the publisher for the instance the pipeline runs on (or declare that one)."
            ),
            "email_verified" => format!(
                "Google says this account's email is not verified (`email_verified` is {seen}): {reg} accepts verified emails only; publish with a service account whose email Google verifies."
            ),
            "namespace-id" | "project-id" | "actor-id" => format!(
                "The run's `{}` is {seen}, not `{expected}`, the id {reg} recorded: the namespace, project or account was deleted and recreated, or the project moved. Recreate the publisher on {reg} so it records the new id, then update `{}`.",
                f.claim, f.name
            ),
            "ref" => format!(
                "The run is for ref {seen}, and the policy is restricted to the branch `{expected}`: {reg} accepts runs of that branch only; publish from `{expected}`, or change the policy's ref."
            ),
            "event_name" => match f.actual.value() {
                Some(e) => format!(
                    "The run was started by `{e}`, which {reg} refuses for Trusted Publishing: start the publishing workflow from `push` of tags, `release` or `workflow_dispatch`."
                ),
                None => continue,
            },
            "exp" | "nbf" | "iat" => format!(
                "The token was {} when {reg} checked it: request the OIDC token right before the exchange, and check the runner's clock.",
                if f.name == "exp" {
                    "expired"
                } else {
                    "not yet valid"
                }
            ),
            "aud" => format!(
                "The token's audience is not {reg}'s (`{}`): request the token for `{}`.",
                p.registry.audience(),
                p.registry.audience()
            ),
            "iss" => format!(
                "The token was issued by {seen}: {reg} accepts GitHub Actions tokens issued by {} only.",
                crate::identity::GITHUB_ISSUER
            ),
            "policy-owner" => format!(
                "NuGet/login sent the user name {seen}, and the policy was created by `{expected}`: NuGet/login's `user` must be the NuGet user who created the policy (not the organization that owns the package)."
            ),
            "runner_environment" => format!(
                "The job ran on a self-hosted runner: {reg} accepts Trusted Publishing only from GitHub-hosted runners. Run the publishing job on `ubuntu-latest` (or another GitHub-hosted image)."
            ),
            // PyPI's `invalid-pending-publisher`: the project exists already.
            "project" if p.registry.is_python_index() => format!(
                "Add the publisher on project `{}` itself (not as a pending publisher).",
                p.project
            ),
            "job_workflow_ref" => format!(
                "`job_workflow_ref` is {seen}: it must be `{}/{}/.github/workflows/{}@` followed by the run's `ref` or `sha`.",
                p.owner, p.repository, p.workflow
            ),
            "repository_owner" | "repository_owner_id" | "repository_id" | "jti" => format!(
                "The token has no usable `{}` claim, which {reg} requires of every GitHub Actions token: give the whole token, or request it from GitHub Actions.",
                f.claim
            ),
            "sub" | "workflow_ref" => continue,
            name => format!(
                "`{name}`: the run shows {seen}, the publisher declares `{expected}` ({reg} compares: {}): make the two the same.",
                f.rule
            ),
        };
        next.push(step);
    }
    if next.is_empty() {
        next.push(format!(
            "Compare the table: {reg} found no publisher with these values."
        ));
    }
}
