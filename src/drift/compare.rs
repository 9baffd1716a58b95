//! The comparison: declared publisher against live facts, yielding drifts, confirmations and
//! unknowns. Thresholds are measured in [`super::measure`].

use serde_json::{Value, json};

use super::policy::{BranchPolicy, TriggerRef};
use super::report::{Confirmed, Drift, DriftKind, Identity, PublisherReport, Status};
use super::source::github::{EnvironmentFacts, GithubFacts, SubjectFacts, WorkflowFacts};
use super::source::{
    Fetched, LivePublisher, LivePublishers, Project, Provenance, RegistryFacts, Unknown,
    UploaderIdentity,
};
use super::workflow::check_rules;
use crate::identity::Publisher;
use crate::identity::Registry;
use crate::registry::github::{Case, Rules};

/// Findings collected for one publisher.
#[derive(Default)]
struct Findings {
    drifts: Vec<Drift>,
    unknown: Vec<Unknown>,
    confirmed: Vec<Confirmed>,
    notes: Vec<String>,
    /// The registry's publisher nearest the declared one, when none matches.
    nearest: Option<(LivePublisher, Vec<&'static str>)>,
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
    let identity = identities(p, &f.drifts, f.nearest.as_ref());
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
    let rules = p.registry.github_rules();
    let (live_owner, live_name) = repo
        .full_name
        .split_once('/')
        .unwrap_or((&repo.full_name, ""));
    let folded =
        rules.owner.same(&p.owner, live_owner) && rules.repository.same(&p.repository, live_name);
    if repo.full_name == declared {
        f.ok(
            "repository",
            format!("GitHub names it {declared}"),
            &repo.url,
        );
    } else if folded {
        f.ok(
            "repository",
            format!(
                "GitHub names it {} (it differs only in case, which {} ignores here)",
                repo.full_name,
                p.registry.name()
            ),
            &repo.url,
        );
    } else {
        let message = if repo.full_name.eq_ignore_ascii_case(&declared) {
            format!(
                "GitHub writes the repository `{}`, the desired state `{declared}`: the run's `repository` claim carries GitHub's casing, and {} looks publishers up byte for byte",
                repo.full_name,
                p.registry.name()
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
        Ok(s) => subject_check(p, s, f),
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

fn subject_check(p: &Publisher, s: &SubjectFacts, f: &mut Findings) {
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
    // The immutable form, from the prefix GitHub states (one parser of `sub` for every layer).
    let prefix_immutable = s
        .sub_claim_prefix
        .as_deref()
        .map(|prefix| crate::identity::subject::Subject::parse(&format!("{prefix}:ref:x")))
        .is_some_and(|sub| sub.is_immutable());
    if s.use_immutable_subject == Some(true) || prefix_immutable {
        let effect = match p.registry {
            Registry::Npm => "npm's registry is reported to refuse such tokens with `package not found` (npm/cli#9969, open)".to_owned(),
            r => format!("{} does not read `sub`, so nothing changes there", r.name()),
        };
        let prefix = s
            .sub_claim_prefix
            .as_deref()
            .map_or_else(String::new, |p| format!(" (`{p}`)"));
        f.notes.push(format!(
            "the repository uses immutable subjects (`repo:OWNER@ID/REPO@ID:...`){prefix}: {effect}; cloud trust policies that match `repo:OWNER/REPO:...` no longer match"
        ));
    }
}

/// Whether an uploader is the declared publisher, under PyPI's own rules: for GitHub the
/// repository and workflow byte for byte, the environment without case (absent and `""` mean
/// none); for GitLab the namespace and project without case, the pipeline file path and the
/// environment exactly; for Google the email.
pub fn same_publisher(p: &Publisher, u: &UploaderIdentity) -> bool {
    let env = |e: Option<&str>| e.filter(|s| !s.is_empty()).map(str::to_owned);
    let same =
        |a: Option<String>, b: Option<String>, case: crate::registry::github::Case| match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => case.same(&a, &b),
            _ => false,
        };
    match p.provider {
        crate::identity::Provider::GitLab => {
            use crate::registry::github::Case;
            u.kind == "GitLab"
                && u.repository
                    .as_deref()
                    .is_some_and(|r| Case::Insensitive.same(r, &declared_repository(p)))
                && u.workflow.as_deref() == Some(p.workflow.as_str())
                && same(
                    env(u.environment.as_deref()),
                    env(p.environment.as_deref()),
                    Case::Sensitive,
                )
        }
        crate::identity::Provider::Google => {
            u.kind == "Google" && u.email.is_some() && u.email.as_deref() == p.extra("email")
        }
        crate::identity::Provider::GitHub => {
            let rules = crate::registry::pypi::RULES;
            u.kind == "GitHub"
                && u.repository.as_deref().is_some_and(|r| {
                    let (o, n) = r.split_once('/').unwrap_or((r, ""));
                    rules.owner.same(o, &p.owner) && rules.repository.same(n, &p.repository)
                })
                && u.workflow
                    .as_deref()
                    .is_some_and(|w| rules.workflow.same(w, &p.workflow))
                && same(
                    env(u.environment.as_deref()),
                    env(p.environment.as_deref()),
                    rules.environment,
                )
        }
        _ => false,
    }
}

fn uploader_json(u: &UploaderIdentity) -> Value {
    let mut v = json!({"kind": u.kind, "repository": u.repository, "workflow": u.workflow, "environment": u.environment});
    if let Some(email) = &u.email {
        v["email"] = json!(email);
    }
    v
}

/// The matching rules of a registry whose publishers `drift` reads: the registry module's own
/// (crates.io: owner and repository case-insensitive, workflow exact, environment
/// case-insensitive; RubyGems: everything exact).
pub fn publisher_rules(registry: Registry) -> Option<Rules> {
    match registry {
        Registry::CratesIo => Some(crate::registry::crates_io::RULES),
        Registry::RubyGems => Some(crate::registry::rubygems::RULES),
        _ => None,
    }
}

/// The fields in which a publisher the registry holds differs from the declared one, under the
/// registry's rules; empty when it is the declared publisher. The owner id counts only when
/// declared. The environment is one field: none on both sides, or the same under the rule (a
/// publisher without one accepts any environment, which is not what was declared). The
/// workflow repository (RubyGems) is the same repository, or none on both sides.
pub fn publisher_differences(
    p: &Publisher,
    live: &LivePublisher,
    rules: &Rules,
) -> Vec<&'static str> {
    if live.kind != p.provider.id() {
        return vec!["kind"];
    }
    let mut differs = Vec::new();
    let repo = |a: &str, b: &str| rules.repository.same(a, b);
    if !rules.owner.same(&p.owner, &live.owner) {
        differs.push("owner");
    }
    if !repo(&p.repository, &live.repository) {
        differs.push("repository");
    }
    // A GitLab config's pinned id is its namespace's (none until the first exchange).
    let declared_id = match p.provider {
        crate::identity::Provider::GitLab => p.extra("namespace-id"),
        _ => p.owner_id.as_deref(),
    };
    let id_differs = match (declared_id, live.owner_id.as_deref()) {
        (Some(want), Some(live)) => want != live,
        // A GitHub config always has its id; a GitLab one gets it at the first exchange.
        (Some(_), None) => p.provider == crate::identity::Provider::GitHub,
        (None, _) => false,
    };
    if id_differs {
        differs.push("owner-id");
    }
    if !rules.workflow.same(&p.workflow, &live.workflow) {
        differs.push("workflow");
    }
    let env_same = match (&p.environment, &live.environment) {
        (None, None) => true,
        (Some(a), Some(b)) => rules.environment.same(a, b),
        _ => false,
    };
    if !env_same {
        differs.push("environment");
    }
    // A workflow repository naming the repository itself is the same as none.
    let declared_wr = p
        .workflow_repository
        .as_ref()
        .filter(|(o, n)| !(repo(o, &p.owner) && repo(n, &p.repository)));
    let wr_same = match (declared_wr, &live.workflow_repository) {
        (None, None) => true,
        (Some((ao, an)), Some((bo, bn))) => repo(ao, bo) && repo(an, bn),
        _ => false,
    };
    if !wr_same {
        differs.push("workflow-repository");
    }
    differs
}

/// An owner id as JSON: a number when it is one (as in `owner-id-changed`), else the text.
fn owner_id_json(id: Option<&str>) -> Value {
    match id {
        None => Value::Null,
        Some(t) => t.parse::<u64>().map_or_else(|_| json!(t), |n| json!(n)),
    }
}

/// The declared publisher in the vocabulary of the desired-state file.
fn declared_json(p: &Publisher) -> Value {
    if p.provider == crate::identity::Provider::GitLab {
        return json!({
            "kind": "gitlab",
            "namespace": p.owner,
            "project": p.repository,
            "namespace-id": owner_id_json(p.extra("namespace-id")),
            "workflow": p.workflow,
            "environment": p.environment,
        });
    }
    let mut v = json!({
        "kind": "github",
        "owner": p.owner,
        "repository": p.repository,
        "owner-id": owner_id_json(p.owner_id.as_deref()),
        "workflow": p.workflow,
        "environment": p.environment,
    });
    if p.registry == Registry::RubyGems {
        v["workflow-repository"] = p
            .workflow_repository
            .as_ref()
            .map_or(Value::Null, |(o, n)| json!(format!("{o}/{n}")));
    }
    v
}

/// A live publisher in the same vocabulary, with the registry's id of it.
fn live_json(registry: Registry, l: &LivePublisher) -> Value {
    if l.kind == "gitlab" {
        return json!({
            "id": l.id,
            "kind": "gitlab",
            "namespace": l.owner,
            "project": l.repository,
            "namespace-id": owner_id_json(l.owner_id.as_deref()),
            "workflow": l.workflow,
            "environment": l.environment,
        });
    }
    if l.kind != "github" {
        return json!({"id": l.id, "kind": l.kind, "name": l.name});
    }
    let mut v = json!({
        "id": l.id,
        "kind": "github",
        "owner": l.owner,
        "repository": l.repository,
        "owner-id": owner_id_json(l.owner_id.as_deref()),
        "workflow": l.workflow,
        "environment": l.environment,
    });
    if registry == Registry::RubyGems {
        v["workflow-repository"] = l
            .workflow_repository
            .as_ref()
            .map_or(Value::Null, |(o, n)| json!(format!("{o}/{n}")));
    }
    v
}

fn describe_live(l: &LivePublisher) -> String {
    if l.kind != "github" && l.kind != "gitlab" {
        return format!("a {} publisher", l.kind);
    }
    let mut text = format!("{}/{}, {}", l.owner, l.repository, l.workflow);
    if let Some(e) = &l.environment {
        text.push_str(&format!(", environment `{e}`"));
    }
    if let Some((o, n)) = &l.workflow_repository {
        text.push_str(&format!(", workflow in {o}/{n}"));
    }
    text
}

/// The registry's publishers against the declared one: a confirmation when one matches under
/// the registry's rules, else a `publisher-not-registered` drift listing what it holds.
fn publisher_checks(
    p: &Publisher,
    registry: Registry,
    live: &Fetched<LivePublishers>,
    f: &mut Findings,
) {
    let live = match live {
        Err(u) => return f.unknown(u.clone()),
        Ok(l) => l,
    };
    let Some(rules) = publisher_rules(registry) else {
        return;
    };
    let (name, noun) = match registry {
        Registry::CratesIo => ("crates.io", "Trusted Publishing config"),
        _ => (registry.name(), "trusted publisher"),
    };
    let judged: Vec<(&LivePublisher, Vec<&'static str>)> = live
        .publishers
        .iter()
        .map(|l| (l, publisher_differences(p, l, &rules)))
        .collect();
    if let Some((l, _)) = judged.iter().find(|(_, d)| d.is_empty()) {
        let id =
            l.id.as_deref()
                .map_or_else(String::new, |i| format!(" (id {i})"));
        let exact = Rules {
            owner: Case::Sensitive,
            repository: Case::Sensitive,
            workflow: Case::Sensitive,
            environment: Case::Sensitive,
            ..rules
        };
        let case_only = if publisher_differences(p, l, &exact).is_empty() {
            String::new()
        } else {
            let mut ignored: Vec<&str> = [
                (rules.owner, "owner"),
                (rules.repository, "repository"),
                (rules.workflow, "workflow"),
                (rules.environment, "environment"),
            ]
            .into_iter()
            .filter(|(c, _)| *c == Case::Insensitive)
            .map(|(_, n)| n)
            .collect();
            let last = ignored.pop().unwrap_or_default();
            let fields = if ignored.is_empty() {
                last.to_owned()
            } else {
                format!("{} and {last}", ignored.join(", "))
            };
            format!(" (it differs only in case, which {name} ignores in {fields})")
        };
        f.ok(
            "publishers",
            format!(
                "{name} holds the declared {noun}{id}: {}{case_only}",
                describe_live(l)
            ),
            &live.url,
        );
        return;
    }
    let nearest = judged
        .iter()
        .filter(|(l, _)| l.kind == p.provider.id())
        .min_by_key(|(_, d)| d.len());
    let message = match nearest {
        None if live.publishers.is_empty() => format!(
            "{name} holds no {noun} for `{}`: a run of the declared workflow is refused",
            p.project
        ),
        None => format!(
            "{name} holds {} {noun}(s) for `{}`, none for {}: a run of the declared workflow is refused",
            live.publishers.len(),
            p.project,
            p.provider.name()
        ),
        Some((l, d)) => format!(
            "{name} holds {} {noun}(s) for `{}`, none the declared one: the nearest ({}) differs in {}; a run of the declared workflow is refused",
            live.publishers.len(),
            p.project,
            describe_live(l),
            d.join(", ")
        ),
    };
    f.nearest = nearest.map(|(l, d)| ((*l).clone(), d.clone()));
    f.drift(
        DriftKind::PublisherNotRegistered,
        declared_json(p),
        Value::Array(
            live.publishers
                .iter()
                .map(|l| live_json(registry, l))
                .collect(),
        ),
        &live.url,
        message,
    );
}

fn registry_checks(p: &Publisher, facts: &RegistryFacts, f: &mut Findings) {
    let name = facts.registry.name();
    let release = match &facts.project {
        Err(u) => {
            f.unknown(u.clone());
            if let Some(live) = &facts.publishers {
                publisher_checks(p, facts.registry, live, f);
            }
            return;
        }
        Ok(Project::Missing { url }) => {
            let message = match facts.registry {
                Registry::CratesIo => format!(
                    "crates.io has no crate `{}`: it has no pending publishers, so the first version is published with an API token and the config added after",
                    p.project
                ),
                _ => format!(
                    "{name} has no project `{}`: the first upload needs a pending publisher, and a name not yet taken",
                    p.project
                ),
            };
            return f.drift(
                DriftKind::ProjectMissing,
                json!(p.project),
                Value::Null,
                url,
                message,
            );
        }
        Ok(Project::ExistsWithoutProvenance { url, .. }) => {
            f.ok("project", format!("{name} has `{}`", p.project), url);
            if let Some(live) = &facts.publishers {
                publisher_checks(p, facts.registry, live, f);
            }
            return;
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

/// The declared identity, and the live one when an identity field drifted (for a publisher the
/// registry does not hold: the fields in which its nearest one differs).
fn identities(
    p: &Publisher,
    drifts: &[Drift],
    nearest: Option<&(LivePublisher, Vec<&'static str>)>,
) -> (Identity, Option<Identity>) {
    let declared = Identity {
        fields: vec![
            ("owner", p.owner.clone()),
            ("repository", p.repository.clone()),
            (
                "owner-id",
                match p.provider {
                    crate::identity::Provider::GitLab => p.extra("namespace-id").map(str::to_owned),
                    _ => p.owner_id.clone(),
                }
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
            DriftKind::PublisherNotRegistered => {
                if let Some((l, differs)) = nearest {
                    for field in differs {
                        match *field {
                            "owner" => set("owner", l.owner.clone()),
                            "repository" => set("repository", l.repository.clone()),
                            "owner-id" => set(
                                "owner-id",
                                l.owner_id.clone().unwrap_or_else(|| "(none)".into()),
                            ),
                            "workflow" => set("workflow", l.workflow.clone()),
                            "environment" => set(
                                "environment",
                                l.environment.clone().unwrap_or_else(|| "(any)".into()),
                            ),
                            _ => {}
                        }
                    }
                }
            }
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
