//! PyPI's GitHub publisher: `warehouse/oidc/models/github.py` (`lookup_by_claims`,
//! `_get_publisher_for_environment`, `_check_repository`, `_check_job_workflow_ref`,
//! `_check_environment`, `_check_event_name`) and `warehouse/oidc/forms/github.py` (the form),
//! pypi/warehouse at `6b62157124ab`.
//!
//! The owner: the form looks the typed owner up on GitHub (`_lookup_owner`, case-insensitive)
//! and stores GitHub's canonical `login` (`normalized_owner`), so an owner declared in another
//! case registers the login the token carries. The repository name is stored as typed and the
//! workflow name stripped; both are then compared byte for byte by the lookup.

use crate::identity::subject::{Subject, SubjectForm, default_subject};
use crate::identity::{Claim, Publisher, Registry};
use crate::registry::github::{Case, Rules};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Refusal, Template,
    WorkflowClaim,
};

use super::{NOT_FOUND, PYPI, invalid_publisher, missing_claim, py_full_match, py_repr, py_strip};

/// PyPI's comparison rules for a GitHub publisher's identity (`lookup_by_claims`: SQL
/// equality on plain strings; the owner stored as GitHub's canonical login;
/// `_get_publisher_for_environment`: lowercased environment).
pub const RULES: Rules = Rules {
    owner: Case::Insensitive,
    repository: Case::Sensitive,
    workflow: Case::Sensitive,
    environment: Case::Insensitive,
    workflow_claim: WorkflowClaim::Defining,
    owner_rule: "GitHub's login (owner in `repository`)",
    owner_id_rule: "exact (bound at registration)",
    ref_required: false,
};

/// Claims `check_claims_existence` requires, in the order of `__required_verifiable_claims__`
/// then `__required_unverifiable_claims__`. warehouse iterates the union of a dict's keys and a
/// set, so when several are missing the one it names can vary between server processes; the
/// first missing one in this order is reported.
pub const REQUIRED_CLAIMS: [&str; 8] = [
    "repository",
    "repository_owner",
    "repository_owner_id",
    "job_workflow_ref",
    "jti",
    "event_name",
    "ref",
    "sha",
];

/// Every claim `GitHubPublisher` accounts for (`all_known_claims`): required, optional,
/// preverified and unchecked; `repo_property_*` is unchecked by prefix (PRs #20355, #20356).
/// Any other claim is only reported to warehouse's Sentry.
pub const KNOWN_CLAIMS: [&str; 35] = [
    "repository",
    "repository_owner",
    "repository_owner_id",
    "job_workflow_ref",
    "jti",
    "event_name",
    "ref",
    "sha",
    "environment",
    "iss",
    "iat",
    "nbf",
    "exp",
    "aud",
    "sub",
    "actor",
    "actor_id",
    "run_id",
    "run_number",
    "run_attempt",
    "head_ref",
    "base_ref",
    "ref_type",
    "repository_id",
    "workflow",
    "repository_visibility",
    "workflow_sha",
    "job_workflow_sha",
    "workflow_ref",
    "runner_environment",
    "environment_node_id",
    "enterprise",
    "enterprise_id",
    "ref_protected",
    "check_run_id",
];

/// `_extract_workflow_filename`: the leftmost run of non-`/` characters that ends in a lowercase
/// `.yml` or `.yaml` and is immediately followed by `@` (`([^/]+\.(yml|yaml))(?=@)` with Python's
/// `re.search`: leftmost start, then the longest greedy match that still satisfies the lookahead).
pub fn extract_workflow_filename(job_workflow_ref: &str) -> Option<&str> {
    crate::registry::github::workflow_file(job_workflow_ref, false)
}

/// `_check_job_workflow_ref`: `Ok(true)` when the claim is `<ground truth>@<ref or sha>`,
/// `Ok(false)` when that cannot be decided because `ref` or `sha` is not shown, and `Err` with
/// warehouse's reason text otherwise.
pub fn check_job_workflow_ref(
    ground_truth: &str,
    claim: &str,
    ref_: &Claim,
    sha: &Claim,
) -> Result<bool, String> {
    if claim.is_empty() {
        return Err("The job_workflow_ref claim is empty".into());
    }
    let known: Vec<&str> = [ref_, sha]
        .into_iter()
        .filter_map(|c| c.value())
        .filter(|v| !v.is_empty())
        .collect();
    let undecided = [ref_, sha].iter().any(|c| **c == Claim::Unknown);
    if known.is_empty() && !undecided {
        return Err("The ref and sha claims are empty".into());
    }
    let mut expected: Vec<String> = known
        .iter()
        .map(|r| format!("{ground_truth}@{r}"))
        .collect();
    expected.sort();
    expected.dedup();
    if expected.iter().any(|e| e == claim) {
        return Ok(true);
    }
    // With `ref` or `sha` not shown, the claim can still be told wrong by what comes before
    // the `@`: then no ref could make it match.
    if undecided && claim.starts_with(&format!("{ground_truth}@")) {
        return Ok(false);
    }
    if undecided && expected.is_empty() {
        expected.push(format!("{ground_truth}@<ref>"));
    }
    let list: Vec<String> = expected.iter().map(|e| py_repr(e)).collect();
    Err(format!(
        "The job_workflow_ref claim does not match, expecting one of [{}], got {}",
        list.join(", "),
        py_repr(claim)
    ))
}

/// `_check_repository`: the post-lookup check, case-insensitive and non-empty (warehouse PR
/// #15501). The lookup before it is still case-sensitive, so this rarely decides anything.
pub fn check_repository(truth: &str, claim: Option<&str>) -> bool {
    claim.is_some_and(|c| !c.is_empty() && c.to_lowercase() == truth.to_lowercase())
}

/// `_check_environment` and `_get_publisher_for_environment`: a publisher without an
/// environment accepts any; one with an environment needs a non-empty claim equal to it
/// case-insensitively (warehouse stores the lowercased name and lowercases the claim).
pub fn environment_accepts(declared: Option<&str>, claim: Option<&str>) -> bool {
    match declared.map(str::to_lowercase).filter(|d| !d.is_empty()) {
        None => true,
        Some(d) => claim.is_some_and(|c| !c.is_empty() && c.to_lowercase() == d),
    }
}

/// The `sub` GitHub's default template would put in this run's token, in the immutable form
/// when the token's own `sub` has it (not checked by PyPI since warehouse PR #19422,
/// 2026-01-29).
fn expected_subject(p: &Publisher, claims: &crate::identity::Claims) -> Option<String> {
    let seen = claims.get("sub").value().map(Subject::parse);
    let ids = seen
        .as_ref()
        .and_then(|s| s.repository.as_ref())
        .and_then(|r| r.owner_id.as_deref().zip(r.repository_id.as_deref()));
    default_subject(
        &p.owner,
        &p.repository,
        ids,
        p.environment.as_deref(),
        claims.get("event_name").value(),
        claims.get("ref").value(),
    )
}

/// Judges a GitHub publisher as PyPI (or TestPyPI) would for these claims, after the token-level
/// steps of [`super::judge`]: the refusal is the first check warehouse fails, in warehouse's
/// order; the field table compares everything.
pub fn judge_github(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut notes = Vec::new();
    let jwr = claims.get("job_workflow_ref");
    let ref_ = claims.get("ref");
    let sha = claims.get("sha");
    let ground_truth = format!(
        "{}/{}/.github/workflows/{}",
        p.owner, p.repository, p.workflow
    );
    let expected_jwr = match (ref_.value(), sha.value()) {
        (Some(r), _) if !r.is_empty() => format!("{ground_truth}@{r}"),
        (_, Some(s)) if !s.is_empty() => format!("{ground_truth}@{s}"),
        _ => format!("{ground_truth}@<ref>"),
    };
    let jwr_outcome = match jwr.value() {
        None if jwr == Claim::Unknown => Outcome::Unconfirmed,
        None => Outcome::Differs,
        Some(j) => match check_job_workflow_ref(&ground_truth, j, &ref_, &sha) {
            Ok(true) => Outcome::Ok,
            Ok(false) => Outcome::Unconfirmed,
            Err(_) => Outcome::Differs,
        },
    };
    let event = claims.get("event_name");
    let subject = claims.get("sub");
    let expected_sub = expected_subject(p, claims);
    let workflow_ref = claims.get("workflow_ref");
    // owner, repository, owner-id, workflow, environment, aud: PyPI's lookup compares them
    // byte for byte, except the environment (lowercased on both sides) and the owner (GitHub's
    // login, stored whatever case was typed).
    let mut fields = crate::registry::github::identity_fields(
        p,
        claims,
        &RULES,
        registry.audience(),
        ev.is_token,
    );
    fields.push(FieldCheck {
        name: "job_workflow_ref",
        claim: "job_workflow_ref",
        expected: Some(expected_jwr),
        outcome: jwr_outcome,
        actual: jwr.clone(),
        rule: "exact, then `@ref` or `@sha`",
    });
    fields.push(FieldCheck {
        name: "event_name",
        claim: "event_name",
        expected: Some("not pull_request_target".into()),
        outcome: match &event {
            Claim::Unknown => Outcome::Unconfirmed,
            Claim::Present(e) if PYPI.refused_events.contains(&e.as_str()) => Outcome::Differs,
            Claim::Present(_) => Outcome::Ok,
            Claim::Missing => Outcome::Differs,
        },
        actual: event.clone(),
        rule: "`pull_request_target` refused",
    });
    fields.push(FieldCheck {
        name: "sub",
        claim: "sub",
        outcome: Outcome::Ignored {
            same: matches!((&expected_sub, &subject), (Some(e), Claim::Present(s)) if e.eq_ignore_ascii_case(s)),
        },
        expected: expected_sub,
        actual: subject.clone(),
        rule: "not checked",
    });
    fields.push(FieldCheck {
        name: "workflow_ref",
        claim: "workflow_ref",
        expected: Some(format!(
            "{ground_truth}@{}",
            ref_.value().unwrap_or("<ref>")
        )),
        outcome: Outcome::Ignored {
            same: workflow_ref.value().is_some() && workflow_ref == jwr,
        },
        actual: workflow_ref.clone(),
        rule: "not checked",
    });
    add_notes(registry, p, ev, &fields, &mut notes);
    let refusal = first_refusal(p, ev, &ground_truth);
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// The first check of `find_publisher` and `verify_claims` warehouse fails, in its order:
/// claim presence, lookup, then `verify_claims`.
fn first_refusal(p: &Publisher, ev: &EvidenceFacts<'_>, ground_truth: &str) -> Option<Refusal> {
    let claims = ev.claims;
    // `check_claims_existence`.
    if let Some(missing) = missing_claim(ev, &REQUIRED_CLAIMS) {
        return Some(missing);
    }
    let (owner_part, name_part) = crate::registry::github::split_repository(claims);
    let jwr = claims.get("job_workflow_ref");
    // `lookup_by_claims`.
    let workflow = match &jwr {
        Claim::Present(j) => match extract_workflow_filename(j) {
            Some(w) => Claim::Present(w.into()),
            None => {
                return Some(invalid_publisher(
                    "Could not job extract workflow filename from OIDC claims",
                ));
            }
        },
        other => other.clone(),
    };
    if name_part == Claim::Missing && matches!(owner_part, Claim::Present(_)) {
        // `repository.split("/", 1)` cannot unpack: warehouse raises outside its error handling.
        return Some(Refusal {
            code: "server-error",
            reason: "the `repository` claim has no `/`: PyPI fails with an internal error".into(),
            message: "the `repository` claim has no `/`: PyPI fails with an internal error".into(),
        });
    }
    let differs = |expected: Option<&str>, actual: &Claim, case: Case| matches!((expected, actual), (Some(e), Claim::Present(a)) if !case.same(e, a));
    let environment = claims.get("environment");
    let environment_differs = matches!(environment, Claim::Present(_) | Claim::Missing)
        && !environment_accepts(p.environment.as_deref(), environment.value());
    if differs(Some(&p.owner), &owner_part, RULES.owner)
        || differs(Some(&p.repository), &name_part, RULES.repository)
        || differs(
            p.owner_id.as_deref(),
            &claims.get("repository_owner_id"),
            Case::Sensitive,
        )
        || differs(Some(&p.workflow), &workflow, RULES.workflow)
        || environment_differs
    {
        return Some(invalid_publisher(NOT_FOUND));
    }
    // `verify_claims`, in `__required_verifiable_claims__` order, then `environment`.
    if let Claim::Present(r) = claims.get("repository")
        && !check_repository(&format!("{}/{}", p.owner, p.repository), Some(&r))
    {
        return Some(invalid_publisher(
            "Check failed for required claim 'repository'",
        ));
    }
    // The stored owner is GitHub's login, which the token's `repository_owner` carries.
    let login = owner_part.value().unwrap_or(&p.owner).to_owned();
    if let Claim::Present(owner) = claims.get("repository_owner")
        && owner != login
    {
        return Some(invalid_publisher(
            "Check failed for required claim 'repository_owner'",
        ));
    }
    let stored_truth = format!("{login}/{}/.github/workflows/{}", p.repository, p.workflow);
    let truth = if owner_part.value().is_some() {
        stored_truth.as_str()
    } else {
        ground_truth
    };
    if let Claim::Present(j) = &jwr
        && let Err(reason) =
            check_job_workflow_ref(truth, j, &claims.get("ref"), &claims.get("sha"))
    {
        return Some(invalid_publisher(reason));
    }
    if let Some(e) = claims.get("event_name").value()
        && PYPI.refused_events.contains(&e)
    {
        return Some(invalid_publisher(
            "Publishing from a workflow invoked via 'pull_request_target' is not supported.",
        ));
    }
    None
}

fn add_notes(
    registry: Registry,
    p: &Publisher,
    ev: &EvidenceFacts<'_>,
    fields: &[FieldCheck],
    notes: &mut Vec<Note>,
) {
    let claims = ev.claims;
    let mut note = |id: &'static str, text: String| notes.push(Note { id, text });
    if p.owner_id.is_none() {
        let seen = claims.get("repository_owner_id");
        note(
            "owner-id-unconfirmed",
            match seen.value() {
                Some(id) => format!(
                    "owner-id is not declared, so it cannot be confirmed: {} binds the owner's numeric id at registration; the run's owner id is {id} (add `owner-id = {id}` to the desired state once you have checked it)",
                    registry.name()
                ),
                None => format!(
                    "owner-id is not declared, so it cannot be confirmed: {} binds the owner's numeric id at registration",
                    registry.name()
                ),
            },
        );
    }
    let unknown: Vec<&str> = REQUIRED_CLAIMS
        .iter()
        .chain(["environment"].iter())
        .filter(|c| claims.get(c) == Claim::Unknown)
        .filter(|c| **c != "environment" || p.environment.is_some())
        .copied()
        .collect();
    if !unknown.is_empty() {
        note(
            "claims-not-shown",
            format!(
                "the evidence does not show {}: {} checks {}, so this verdict covers only what is shown",
                unknown
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                registry.name(),
                if unknown.len() == 1 { "it" } else { "them" }
            ),
        );
    }
    for f in fields {
        if let (Some(e), Claim::Present(a)) = (&f.expected, &f.actual)
            && e != a
            && e.eq_ignore_ascii_case(a)
        {
            match (f.name, f.outcome) {
                ("owner", Outcome::Ok) => note(
                    "owner-canonical-login",
                    format!(
                        "the owner is declared `{e}`, the token says `{a}`: {}'s form looks the owner up on GitHub and stores its login (`{a}`), so this matches; write `{a}` in the desired state to say what {} holds",
                        registry.name(),
                        registry.name()
                    ),
                ),
                ("repository" | "workflow", Outcome::Differs) => note(
                    "case-only-difference",
                    format!(
                        "{} differs only in case (`{e}` declared, `{a}` in the token): {}'s lookup compares it byte for byte",
                        f.name,
                        registry.name()
                    ),
                ),
                _ => {}
            }
        }
    }
    let jwr = claims.get("job_workflow_ref");
    let wr = claims.get("workflow_ref");
    if let (Claim::Present(j), Claim::Present(w)) = (&jwr, &wr)
        && j != w
    {
        let called = extract_workflow_filename(j).unwrap_or(j);
        let caller = extract_workflow_filename(w).unwrap_or(w);
        note(
            "reusable-workflow",
            format!(
                "the publishing job is defined in a reusable workflow: `job_workflow_ref` names the called file `{called}`, `workflow_ref` the caller `{caller}`; {} matches the called file, so register `{called}`",
                registry.name()
            ),
        );
        let same_repository = claims
            .get("repository")
            .value()
            .is_none_or(|r| j.starts_with(&format!("{r}/")));
        if called == p.workflow && same_repository {
            // warehouse#11096: reusable workflows work because the lookup reads
            // `job_workflow_ref`, not by design.
            note(
                "reusable-workflow-accidental",
                format!(
                    "{} matches `{called}`, as declared; this works, but support for reusable workflows is accidental and may change",
                    registry.name()
                ),
            );
        }
    }
    if let (Claim::Present(j), Claim::Present(repo)) = (&jwr, claims.get("repository"))
        && !j.starts_with(&format!("{repo}/"))
    {
        let other = j.split("/.github/").next().unwrap_or(j);
        note(
            "cross-repository-workflow",
            format!(
                "the job comes from a workflow in another repository (`{other}`), but the token's `repository` is `{repo}`: {} expects `job_workflow_ref` under `{repo}/.github/workflows/`, so no publisher can accept this run; move the publishing job into `{repo}`",
                registry.name()
            ),
        );
    }
    if let Claim::Present(s) = claims.get("sub") {
        let subject = Subject::parse(&s);
        match subject.form {
            SubjectForm::Default => {}
            SubjectForm::Immutable => note(
                "immutable-subject",
                format!(
                    "the `sub` claim (`{s}`) has GitHub's immutable form (`repo:OWNER@ID/REPO@ID:...`, for repositories created, renamed or transferred after 2026-07-15); {} does not check `sub`, so it changes nothing here (cloud trust policies written for `repo:OWNER/REPO:...` no longer match it)",
                    registry.name()
                ),
            ),
            SubjectForm::Custom => note(
                "custom-subject",
                format!(
                    "the `sub` claim (`{s}`) is customized; {} does not check `sub`, so it does not matter here",
                    registry.name()
                ),
            ),
        }
    }
    if ev.is_token {
        let mut unaccounted: Vec<&str> = claims
            .raw()
            .keys()
            .map(String::as_str)
            .filter(|k| !KNOWN_CLAIMS.contains(k) && !k.starts_with("repo_property_"))
            .collect();
        unaccounted.sort_unstable();
        if !unaccounted.is_empty() {
            note(
                "unaccounted-claims",
                format!(
                    "the token carries claims {} does not know ({}): it only logs them, they decide nothing",
                    registry.name(),
                    unaccounted
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

/// The rules of PyPI's GitHub publisher form (`warehouse/oidc/forms/github.py`), with its exact
/// error texts, as WTForms 3.2.2 runs them: `InputRequired` looks at the text as typed and stops
/// the field's chain; each inline validator reports its first failure only; `Optional()` stops
/// the environment's chain, with no error, when it is empty or only whitespace. The owner's
/// lookup on GitHub (`Unknown GitHub user or organization.`) needs the network and is not made.
pub fn github_form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    if let Some(owner) = get("owner") {
        if owner.is_empty() {
            out.push(FormProblem::refused(
                "owner",
                "Specify GitHub repository owner (username or organization)",
            ));
        } else if !is_github_owner(&owner) {
            out.push(
                FormProblem::refused("owner", "Invalid GitHub user or organization name.")
                    .with_help("letters, digits and `-`, not starting with `-`"),
            );
        }
    }
    if let Some(repo) = get("repository") {
        if repo.is_empty() {
            out.push(FormProblem::refused(
                "repository",
                "Specify repository name",
            ));
        } else if !py_full_match(&repo, 1, |c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            let problem = FormProblem::refused("repository", "Invalid repository name");
            out.push(match repo.split_once('/') {
                Some((o, r)) => problem.with_help(format!(
                    "write the name without the owner: `{r}` (and owner = \"{o}\")"
                )),
                None => problem.with_help("letters, digits, `-`, `_` and `.` only"),
            });
        }
    }
    if let Some(raw) = get("workflow") {
        let wf = py_strip(&raw);
        if raw.is_empty() {
            out.push(FormProblem::refused(
                "workflow",
                "Specify workflow filename",
            ));
        } else if !(wf.ends_with(".yml") || wf.ends_with(".yaml")) {
            out.push(FormProblem::refused(
                "workflow",
                "Workflow name must end with .yml or .yaml",
            ));
        } else if wf.contains('/') {
            let base = wf.rsplit('/').next().unwrap_or(wf);
            out.push(
                FormProblem::refused(
                    "workflow",
                    "Workflow filename must be a filename only, without directories",
                )
                .with_help(format!(
                    "write `{base}`: the registry takes the file name, not the path"
                )),
            );
        }
    }
    if let Some(env) = get("environment")
        && let Some(problem) = environment_problem(&env)
    {
        out.push(problem);
    }
    out
}

/// The GitHub environment rules PyPI's form applies (`Optional()`, then
/// `validate_environment`'s first failure). An environment of only whitespace passes the form
/// (and is stored lowercased) but no run can carry it: that is trustpub's warning.
pub fn environment_problem(env: &str) -> Option<FormProblem> {
    if env.is_empty() {
        return None;
    }
    if py_strip(env).is_empty() {
        return Some(FormProblem {
            field: "environment",
            message: "an environment of only whitespace: PyPI's form accepts it, but no run's environment can match it".into(),
            help: Some("leave `environment` out to accept any environment".into()),
            advisory: true,
        });
    }
    let message = if env.chars().count() > 255 {
        "Environment name is too long (maximum is 255 characters)"
    } else if env.starts_with(' ') {
        "Environment name may not start with whitespace"
    } else if env.ends_with(' ') {
        "Environment name may not end with whitespace"
    } else if env
        .chars()
        .any(crate::registry::github::is_forbidden_environment_char)
    {
        crate::registry::github::ENVIRONMENT_CHARS
    } else {
        return None;
    };
    Some(FormProblem::refused("environment", message))
}

/// PyPI's owner pattern `^[a-zA-Z0-9][a-zA-Z0-9-]*$` (Python's `$` also before a final `\n`).
fn is_github_owner(owner: &str) -> bool {
    let body = owner.strip_suffix('\n').unwrap_or(owner);
    let mut chars = body.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// What to enter in PyPI's GitHub form, the pre-filled link, and the pending-publisher page.
pub fn template(p: &Publisher) -> Template {
    Template {
        values: vec![
            FormValue {
                field: "Owner",
                value: p.owner.clone(),
            },
            FormValue {
                field: "Repository name",
                value: p.repository.clone(),
            },
            FormValue {
                field: "Workflow name",
                value: p.workflow.clone(),
            },
            FormValue {
                field: "Environment name",
                value: p.environment.clone().unwrap_or_default(),
            },
        ],
        page: super::page(p),
        prefill_url: Some(prefill_url(p)),
        pending_url: Some(super::pending_url(p.registry)),
        notes: super::common_notes(),
    }
}

/// The link that opens the project's "add a publisher" form pre-filled
/// (`manage_project_oidc_publishers_prefill`).
pub fn prefill_url(p: &Publisher) -> String {
    let q = super::query_escape;
    let mut url = format!(
        "{}?provider=github&owner={}&repository={}&workflow_filename={}",
        super::page(p),
        q(&p.owner),
        q(&p.repository),
        q(&p.workflow)
    );
    if let Some(env) = &p.environment {
        url.push_str(&format!("&environment={}", q(env)));
    }
    url
}
