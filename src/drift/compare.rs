//! The comparison: declared publisher against live facts, yielding drifts, confirmations and
//! unknowns. Thresholds are measured in [`super::measure`].

use serde_json::{Value, json};

use super::policy::{BranchPolicy, TriggerRef};
use super::report::{Confirmed, Drift, DriftKind, Identity, PublisherReport, Status};
use super::source::github::{EnvironmentFacts, GithubFacts, SubjectFacts, WorkflowFacts};
use super::source::{Fetched, Project, Provenance, RegistryFacts, Unknown, UploaderIdentity};
use super::workflow::check_rules;
use crate::config::Publisher;

/// Findings collected for one publisher.
#[derive(Default)]
struct Findings {
    drifts: Vec<Drift>,
    unknown: Vec<Unknown>,
    confirmed: Vec<Confirmed>,
    notes: Vec<String>,
}

impl Findings {
    fn drift(
        &mut self,
        kind: DriftKind,
        expected: Value,
        actual: Value,
        evidence: &str,
        message: String,
    ) {
        self.drifts.push(Drift {
            kind,
            expected,
            actual,
            evidence: evidence.to_owned(),
            message,
        });
    }

    fn ok(&mut self, check: &'static str, text: String, evidence: &str) {
        self.confirmed.push(Confirmed {
            check,
            text,
            evidence: evidence.to_owned(),
        });
    }

    fn unknown(&mut self, u: Unknown) {
        if !self.unknown.contains(&u) {
            self.unknown.push(u);
        }
    }
}

/// The declared repository, `owner/name`.
pub fn declared_repository(p: &Publisher) -> String {
    format!("{}/{}", p.owner, p.repository)
}

/// Compares one publisher with what GitHub and its registry show.
pub fn compare(
    p: &Publisher,
    github: &Fetched<GithubFacts>,
    registry: &RegistryFacts,
) -> PublisherReport {
    let mut f = Findings::default();
    match github {
        Ok(g) => github_checks(p, g, &mut f),
        Err(u) => f.unknown(u.clone()),
    }
    registry_checks(p, registry, &mut f);
    f.drifts
        .sort_by_key(|d| DriftKind::ALL.iter().position(|k| *k == d.kind));
    let status = if !f.drifts.is_empty() {
        Status::Drift
    } else if !f.unknown.is_empty() {
        Status::Unknown
    } else {
        Status::Ok
    };
    let identity = identities(p, &f.drifts);
    PublisherReport {
        publisher: p.clone(),
        status,
        drifts: f.drifts,
        unknown: f.unknown,
        confirmed: f.confirmed,
        notes: f.notes,
        identity,
    }
}

fn github_checks(p: &Publisher, g: &GithubFacts, f: &mut Findings) {
    let declared = declared_repository(p);
    let repo = &g.repo;
    if repo.full_name == declared {
        f.ok(
            "repository",
            format!("GitHub names it {declared}"),
            &repo.url,
        );
    } else {
        let message = if repo.full_name.eq_ignore_ascii_case(&declared) {
            format!(
                "GitHub writes the repository `{}`, the desired state `{declared}`: the run's `repository` claim carries GitHub's casing, and PyPI looks publishers up byte for byte",
                repo.full_name
            )
        } else {
            format!(
                "the repository is now `{}` (renamed or transferred): runs carry the new name, and a publisher registered for `{declared}` no longer matches",
                repo.full_name
            )
        };
        f.drift(
            DriftKind::RepositoryRenamed,
            json!(declared),
            json!(repo.full_name),
            &repo.url,
            message,
        );
    }
    match (&p.owner_id, repo.owner_id) {
        (Some(want), Some(live)) if *want == live.to_string() => {
            f.ok("owner-id", format!("the owner's id is {live}"), &repo.url);
        }
        (Some(want), Some(live)) => f.drift(
            DriftKind::OwnerIdChanged,
            json!(want.parse::<u64>().ok()),
            json!(live),
            &repo.url,
            format!("the owner's id is {live}, not {want}: the account or organization was recreated, or the repository changed owner; PyPI binds the id, so runs are refused"),
        ),
        (Some(_), None) => f.unknown(Unknown::new("github", "owner-id", Some(&repo.url), "the repository's answer has no `owner.id`")),
        (None, Some(live)) => f.notes.push(format!("the owner's id is {live}: declare `owner-id = {live}` to detect a recreated account or a transfer")),
        (None, None) => {}
    }
    if let (Some(env), Some(facts)) = (&p.environment, &g.environment) {
        environment_checks(env, facts, &g.trigger_refs, f);
    }
    match &g.subject {
        Ok(s) => subject_check(s, f),
        Err(u) => f.unknown(u.clone()),
    }
    match &g.workflow {
        Err(u) => f.unknown(u.clone()),
        Ok(WorkflowFacts::Missing { url }) => f.drift(
            DriftKind::WorkflowMissing,
            json!(format!(".github/workflows/{}", p.workflow)),
            Value::Null,
            url,
            format!("there is no .github/workflows/{} at {}: a renamed workflow no longer matches the publisher", p.workflow, repo.default_branch),
        ),
        Ok(WorkflowFacts::Present(w)) => {
            let findings = check_rules(p, w);
            if findings.is_empty() {
                f.ok("workflow", format!("{} is at {}", w.path, w.git_ref), &w.url);
            }
            for finding in findings {
                f.drift(
                    DriftKind::WorkflowRules,
                    json!(format!("no finding of {}", finding.rule)),
                    json!({"rule": finding.rule, "line": finding.line, "message": finding.message}),
                    &w.url,
                    finding.message.clone(),
                );
            }
        }
    }
}

fn describe_policy(policy: &BranchPolicy) -> Value {
    match policy {
        BranchPolicy::All => json!({"type": "all"}),
        BranchPolicy::ProtectedBranches => json!({"type": "protected-branches"}),
        BranchPolicy::Custom(rules) => json!({
            "type": "custom",
            "rules": rules.iter().map(|r| json!({"name": r.pattern, "type": r.kind.id()})).collect::<Vec<_>>(),
        }),
    }
}

fn environment_checks(
    env: &str,
    facts: &Fetched<EnvironmentFacts>,
    refs: &[TriggerRef],
    f: &mut Findings,
) {
    match facts {
        Err(u) => f.unknown(u.clone()),
        Ok(EnvironmentFacts::Missing { url }) => f.drift(
            DriftKind::EnvironmentMissing,
            json!(env),
            Value::Null,
            url,
            format!("the repository has no environment `{env}`: GitHub creates it again on the next run, without its protection rules and branch policy"),
        ),
        Ok(EnvironmentFacts::Present { url, policy, protected }) => {
            let mut refused = Vec::new();
            for r in refs {
                let lookup = |b: &str| protected.iter().find(|(n, _)| n == b).and_then(|(_, p)| p.as_ref().ok().copied());
                match policy.admits(r, lookup) {
                    Some(true) => {}
                    Some(false) => refused.push(r),
                    None => {
                        if let Some((_, Err(u))) = protected.iter().find(|(n, _)| *n == r.name) {
                            f.unknown(u.clone());
                        }
                    }
                }
            }
            if refused.is_empty() {
                let shown: Vec<String> = refs.iter().take(3).map(TriggerRef::full).collect();
                let more = match refs.len().saturating_sub(3) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                let text = if shown.is_empty() {
                    format!("environment `{env}` exists")
                } else {
                    format!("environment `{env}` admits the refs that publish: {}{more}", shown.join(", "))
                };
                f.ok("environment", text, url);
            } else {
                let mut names: Vec<String> = refused
                    .iter()
                    .take(3)
                    .map(|r| format!("{} ({})", r.full(), r.origin))
                    .collect();
                if refused.len() > 3 {
                    names.push(format!("{} more", refused.len() - 3));
                }
                f.drift(
                    DriftKind::EnvironmentBranchPolicy,
                    json!(refused.iter().map(|r| r.full()).collect::<Vec<_>>()),
                    describe_policy(policy),
                    url,
                    format!("environment `{env}` does not admit {}: a publishing run from there is stopped before it gets a token", names.join(", ")),
                );
            }
        }
    }
}

fn subject_check(s: &SubjectFacts, f: &mut Findings) {
    let default_keys =
        s.include_claim_keys.is_empty() || s.include_claim_keys == ["repo", "context"];
    if s.use_default || default_keys {
        f.ok(
            "oidc-subject",
            "the OIDC subject is GitHub's default".into(),
            &s.url,
        );
    } else {
        f.drift(
            DriftKind::SubjectCustomized,
            json!({"use_default": true}),
            json!({"use_default": false, "include_claim_keys": s.include_claim_keys}),
            &s.url,
            format!("the repository builds its OIDC subject from {}: PyPI has not read `sub` since 2026-01-29, but registries and cloud trust policies that parse it refuse the run", s.include_claim_keys.join(", ")),
        );
    }
    if s.use_immutable_subject == Some(true) {
        f.notes
            .push("the repository uses immutable subjects (`repo:OWNER@ID/REPO@ID:...`)".into());
    }
}

/// Whether an uploader is the declared publisher: repository and workflow byte for byte,
/// environment without case (PyPI stores it lowercased; absent and `""` mean none).
pub fn same_publisher(p: &Publisher, u: &UploaderIdentity) -> bool {
    let env = |e: Option<&str>| e.filter(|s| !s.is_empty()).map(str::to_lowercase);
    u.kind == "GitHub"
        && u.repository.as_deref() == Some(declared_repository(p).as_str())
        && u.workflow.as_deref() == Some(p.workflow.as_str())
        && env(u.environment.as_deref()) == env(p.environment.as_deref())
}

fn uploader_json(u: &UploaderIdentity) -> Value {
    json!({"kind": u.kind, "repository": u.repository, "workflow": u.workflow, "environment": u.environment})
}

fn registry_checks(p: &Publisher, facts: &RegistryFacts, f: &mut Findings) {
    let name = facts.registry.name();
    let release = match &facts.project {
        Err(u) => return f.unknown(u.clone()),
        Ok(Project::Missing { url }) => {
            return f.drift(
                DriftKind::ProjectMissing,
                json!(p.project),
                Value::Null,
                url,
                format!("{name} has no project `{}`: the first upload needs a pending publisher, and a name not yet taken", p.project),
            );
        }
        Ok(Project::Present(None)) => return,
        Ok(Project::Present(Some(r))) => r,
    };
    let expected = json!({"kind": "GitHub", "repository": declared_repository(p), "workflow": p.workflow, "environment": p.environment});
    let mut matched = 0;
    for a in &release.artifacts {
        match &a.provenance {
            Err(u) => f.unknown(u.clone()),
            Ok(Provenance::Missing { evidence }) => f.drift(
                DriftKind::ProvenanceMissing,
                json!(a.filename),
                Value::Null,
                evidence,
                format!("{} of {} {} has no provenance: it was not uploaded through Trusted Publishing with attestations", a.filename, p.project, release.version),
            ),
            Ok(Provenance::Present { url, uploaders }) => {
                let others: Vec<&UploaderIdentity> = uploaders.iter().filter(|u| !same_publisher(p, u)).collect();
                if others.is_empty() {
                    matched += 1;
                }
                for u in others {
                    let who = match (&u.repository, &u.workflow) {
                        (Some(r), Some(w)) => format!("{r}, workflow {w}, environment {}", u.environment.as_deref().unwrap_or("(none)")),
                        _ => format!("a {} publisher", u.kind),
                    };
                    f.drift(
                        DriftKind::PublishedByOtherPublisher,
                        expected.clone(),
                        uploader_json(u),
                        url,
                        format!("{} of {} {} was uploaded by {who}, not the declared publisher", a.filename, p.project, release.version),
                    );
                }
            }
        }
    }
    if matched > 0 {
        f.ok(
            "provenance",
            format!(
                "{matched} of {} file(s) of {} were uploaded by the declared publisher",
                release.artifacts.len(),
                release.version
            ),
            &release.url,
        );
    }
}

/// The declared identity, and the live one when an identity field drifted.
fn identities(p: &Publisher, drifts: &[Drift]) -> (Identity, Option<Identity>) {
    let declared = Identity {
        fields: vec![
            ("owner", p.owner.clone()),
            ("repository", p.repository.clone()),
            (
                "owner-id",
                p.owner_id
                    .clone()
                    .unwrap_or_else(|| "(not declared)".into()),
            ),
            ("workflow", p.workflow.clone()),
            (
                "environment",
                p.environment.clone().unwrap_or_else(|| "(any)".into()),
            ),
        ],
    };
    let mut live = declared.clone();
    let mut set = |k: &str, v: String| {
        if let Some(field) = live.fields.iter_mut().find(|(n, _)| *n == k) {
            field.1 = v;
        }
    };
    let text = |v: &Value| v.as_str().map(str::to_owned);
    for d in drifts {
        match d.kind {
            DriftKind::RepositoryRenamed => {
                if let Some((o, r)) = d.actual.as_str().and_then(|s| s.split_once('/')) {
                    set("owner", o.to_owned());
                    set("repository", r.to_owned());
                }
            }
            DriftKind::OwnerIdChanged => set("owner-id", d.actual.to_string()),
            DriftKind::WorkflowMissing => set("workflow", "(absent)".into()),
            DriftKind::EnvironmentMissing => set("environment", "(absent)".into()),
            DriftKind::PublishedByOtherPublisher => {
                if let (Some(r), Some(w)) =
                    (text(&d.actual["repository"]), text(&d.actual["workflow"]))
                {
                    if let Some((o, n)) = r.split_once('/') {
                        set("owner", o.to_owned());
                        set("repository", n.to_owned());
                    }
                    set("workflow", w);
                    set(
                        "environment",
                        text(&d.actual["environment"]).unwrap_or_else(|| "(any)".into()),
                    );
                }
            }
            _ => {}
        }
    }
    let changed = live != declared;
    (declared, changed.then_some(live))
}
