//! PyPI and TestPyPI: how warehouse verifies a GitHub Actions token, step by step, with its own
//! reason texts; and the rules of its "add a publisher" form.
//!
//! Source: pypi/warehouse at `6b62157124ab` (2026-08-21), as researched in
//! `shared/reference/pypi-trusted-publishing.md`:
//! `warehouse/oidc/views.py` (`mint_token`), `warehouse/oidc/services.py` (`find_publisher`,
//! `verify_jwt_signature`), `warehouse/oidc/models/_core.py` (`check_claims_existence`,
//! `verify_claims`), `warehouse/oidc/models/github.py` (`lookup_by_claims`,
//! `_get_publisher_for_environment`, `_check_job_workflow_ref`, `_check_event_name`) and
//! `warehouse/oidc/forms/github.py` (form rules).

use crate::identity::Publisher;
use crate::identity::Registry;
use crate::identity::{Claim, GITHUB_ISSUER};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, Refusal, Spec,
    Template, WorkflowClaim,
};

pub mod answer;

pub mod gitlab;

/// PyPI's table entry.
pub const PYPI: Spec = Spec {
    audience: "pypi",
    judge: judge_any,
    form_problems: form_rules,
    template,
    extra_keys: &["namespace"],
    refused_events: &["pull_request_target"],
    workflow_setup: "remove the stored credential and give the job `id-token: write`; gh-action-pypi-publish, twine, uv, pdm and maturin then exchange the OIDC token themselves",
};

/// TestPyPI's table entry: the same verifier, another instance with its own audience.
pub const TESTPYPI: Spec = Spec {
    audience: "testpypi",
    ..PYPI
};

/// Judges a GitHub or a GitLab publisher.
fn judge_any(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    match p.provider {
        crate::identity::Provider::GitHub => judge(registry, p, ev),
        crate::identity::Provider::GitLab => gitlab::judge(registry, p, ev),
    }
}

/// The form rules of the publisher's provider.
fn form_rules(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    if get("provider").as_deref() == Some("gitlab") {
        gitlab::form_rules(get)
    } else {
        github_form_rules(get)
    }
}

/// What to enter in PyPI's form, the pre-filled link, and the pending-publisher page.
pub fn template(p: &Publisher) -> Template {
    let gitlab = p.provider == crate::identity::Provider::GitLab;
    let values = if gitlab {
        vec![
            FormValue {
                field: "Namespace",
                value: p.owner.clone(),
            },
            FormValue {
                field: "Project name",
                value: p.repository.clone(),
            },
            FormValue {
                field: "Top-level pipeline file path",
                value: p.workflow.clone(),
            },
            FormValue {
                field: "Environment name",
                value: p.environment.clone().unwrap_or_default(),
            },
        ]
    } else {
        vec![
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
        ]
    };
    Template {
        values,
        page: format!(
            "https://{}/manage/project/{}/settings/publishing/",
            host(p.registry),
            query_escape(&p.project)
        ),
        prefill_url: (!gitlab).then(|| prefill_url(p)),
        pending_url: Some(pending_url(p.registry)),
        notes: vec![
            "a pending publisher does not reserve the name, and expires after 30 days unused"
                .into(),
            "PyPI and TestPyPI are separate: register on each index you publish to".into(),
        ],
    }
}

/// The audience PyPI (`pypi`) or TestPyPI (`testpypi`) expects (`GET /_/oidc/audience`).
pub fn audience(registry: Registry) -> &'static str {
    registry.audience()
}

/// The web host of the index.
pub fn host(registry: Registry) -> &'static str {
    match registry {
        Registry::TestPypi => "test.pypi.org",
        _ => "pypi.org",
    }
}

/// PyPI's comparison rules for a GitHub publisher's identity (`lookup_by_claims`: SQL
/// equality on plain strings; `_get_publisher_for_environment`: lowercased environment).
pub const RULES: super::github::Rules = super::github::Rules {
    repository: super::github::Case::Sensitive,
    workflow: super::github::Case::Sensitive,
    environment: super::github::Case::Insensitive,
    workflow_claim: WorkflowClaim::Defining,
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

/// Other issuers PyPI accepts; a token from one of them is routed to that provider's publishers,
/// so a GitHub publisher is never found for it.
const OTHER_KNOWN_ISSUERS: [&str; 3] = [
    "https://gitlab.com",
    "https://accounts.google.com",
    "https://platform.activestate.com/api/v1/oauth/oidc",
];

/// `invalid-publisher`, with warehouse's wrapper text around the reason.
pub(super) fn invalid_publisher(reason: impl Into<String>) -> Refusal {
    let reason = reason.into();
    Refusal {
        code: "invalid-publisher",
        message: format!("valid token, but no corresponding publisher ({reason})"),
        reason,
    }
}

/// A refusal whose reason is its whole description.
fn refusal(code: &'static str, description: &str) -> Refusal {
    Refusal {
        code,
        reason: description.to_owned(),
        message: description.to_owned(),
    }
}

/// The lookup failure text since warehouse PR #18169 (2025-06-30); before it,
/// "All lookup strategies exhausted".
pub const NOT_FOUND: &str = "Publisher with matching claims was not found";

/// `_extract_workflow_filename`: the leftmost run of non-`/` characters that ends in a lowercase
/// `.yml` or `.yaml` and is immediately followed by `@` (`([^/]+\.(yml|yaml))(?=@)` with Python's
/// `re.search`: leftmost start, then the longest greedy match that still satisfies the lookahead).
pub fn extract_workflow_filename(job_workflow_ref: &str) -> Option<&str> {
    super::github::workflow_file(job_workflow_ref, false)
}

/// Python's `repr()` of a `str`, as warehouse embeds claims in reason texts.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
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

/// The default `sub` GitHub would put in this run's token (not checked by PyPI since
/// warehouse PR #19422, 2026-01-29).
fn default_subject(p: &Publisher, claims: &crate::identity::Claims) -> Option<String> {
    let repo = format!("repo:{}/{}", p.owner, p.repository);
    if let Some(env) = &p.environment {
        return Some(format!("{repo}:environment:{}", env.replace(':', "%3A")));
    }
    if claims.get("event_name").value() == Some("pull_request") {
        return Some(format!("{repo}:pull_request"));
    }
    claims.get("ref").value().map(|r| format!("{repo}:ref:{r}"))
}

/// Judges `publisher` as PyPI (or TestPyPI) would for these claims: the refusal is the first
/// check warehouse fails, in warehouse's order; the field table compares everything.
pub fn judge(registry: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    let claims = ev.claims;
    let mut notes = Vec::new();
    let (owner_part, name_part) = super::github::split_repository(claims);
    let jwr = claims.get("job_workflow_ref");
    let workflow = match &jwr {
        Claim::Present(j) => {
            extract_workflow_filename(j).map_or(Claim::Missing, |w| Claim::Present(w.into()))
        }
        other => other.clone(),
    };
    let environment = claims.get("environment");
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
    let expected_sub = default_subject(p, claims);
    let workflow_ref = claims.get("workflow_ref");
    // owner, repository, owner-id, workflow, environment, aud: PyPI's lookup compares them
    // byte for byte, except the environment (lowercased on both sides).
    let mut fields =
        super::github::identity_fields(p, claims, &RULES, registry.audience(), ev.is_token);
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
    let refusal = first_refusal(
        registry,
        p,
        ev,
        &RefusalInputs {
            owner_part: &owner_part,
            name_part: &name_part,
            jwr: &jwr,
            workflow: &workflow,
            environment: &environment,
            ref_: &ref_,
            sha: &sha,
            ground_truth: &ground_truth,
        },
    );
    Judgement {
        refusal,
        fields,
        notes,
    }
}

struct RefusalInputs<'a> {
    owner_part: &'a Claim,
    name_part: &'a Claim,
    jwr: &'a Claim,
    workflow: &'a Claim,
    environment: &'a Claim,
    ref_: &'a Claim,
    sha: &'a Claim,
    ground_truth: &'a str,
}

/// The first check warehouse fails, in its order (`mint_token`): token verification, issuer
/// routing, claim presence, lookup, then `verify_claims`.
fn first_refusal(
    registry: Registry,
    p: &Publisher,
    ev: &EvidenceFacts<'_>,
    x: &RefusalInputs<'_>,
) -> Option<Refusal> {
    let claims = ev.claims;
    const INVALID_TOKEN: &str = "malformed or invalid token";
    // 1. The JWT must decode and carry `iss` (`invalid-payload` / `malformed JWT`), name a known
    //    issuer, and pass `verify_jwt_signature` (signature, iss, iat, exp, aud, nbf).
    match claims.get("iss") {
        Claim::Missing if ev.is_token => return Some(refusal("invalid-payload", "malformed JWT")),
        Claim::Present(iss) if iss != GITHUB_ISSUER => {
            if OTHER_KNOWN_ISSUERS.contains(&iss.as_str()) {
                return Some(invalid_publisher(NOT_FOUND));
            }
            return Some(refusal(
                "invalid-payload",
                "unknown trusted publishing issuer",
            ));
        }
        _ => {}
    }
    if ev.token_rejected.is_some() {
        return Some(refusal("invalid-token", INVALID_TOKEN));
    }
    if ev.is_token {
        for required in ["iat", "exp"] {
            if claims.get(required) == Claim::Missing {
                return Some(refusal("invalid-token", INVALID_TOKEN));
            }
        }
    }
    // `strict_aud`: exactly one string, equal to this index's audience.
    match claims.raw().get("aud") {
        Some(serde_json::Value::String(aud)) if aud == audience(registry) => {}
        None if !ev.is_token => {}
        _ => return Some(refusal("invalid-token", INVALID_TOKEN)),
    }
    // 2. `check_claims_existence`.
    if let Some(missing) = REQUIRED_CLAIMS
        .iter()
        .find(|c| claims.get(c) == Claim::Missing)
    {
        return Some(invalid_publisher(format!(
            "Missing claim {}",
            py_repr(missing)
        )));
    }
    // 3. `lookup_by_claims`.
    if let Claim::Present(_) = x.jwr
        && *x.workflow == Claim::Missing
    {
        return Some(invalid_publisher(
            "Could not job extract workflow filename from OIDC claims",
        ));
    }
    let differs = |expected: Option<&str>, actual: &Claim| matches!((expected, actual), (Some(e), Claim::Present(a)) if e != a);
    let environment_differs = matches!(x.environment, Claim::Present(_) | Claim::Missing)
        && !environment_accepts(p.environment.as_deref(), x.environment.value());
    if *x.name_part == Claim::Missing && matches!(x.owner_part, Claim::Present(_)) {
        // `repository.split("/", 1)` cannot unpack: warehouse raises outside its error handling.
        return Some(refusal(
            "server-error",
            "the `repository` claim has no `/`: PyPI fails with an internal error",
        ));
    }
    if differs(Some(&p.owner), x.owner_part)
        || differs(Some(&p.repository), x.name_part)
        || differs(p.owner_id.as_deref(), &claims.get("repository_owner_id"))
        || differs(Some(&p.workflow), x.workflow)
        || environment_differs
    {
        return Some(invalid_publisher(NOT_FOUND));
    }
    // 4. `verify_claims`, in `__required_verifiable_claims__` order, then `environment`.
    if let Claim::Present(r) = claims.get("repository")
        && !check_repository(&format!("{}/{}", p.owner, p.repository), Some(&r))
    {
        return Some(invalid_publisher(
            "Check failed for required claim 'repository'",
        ));
    }
    if let Claim::Present(owner) = claims.get("repository_owner")
        && owner != p.owner
    {
        return Some(invalid_publisher(
            "Check failed for required claim 'repository_owner'",
        ));
    }
    if let Claim::Present(j) = x.jwr
        && let Err(reason) = check_job_workflow_ref(x.ground_truth, j, x.ref_, x.sha)
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
        if let (Outcome::Differs, Some(e), Claim::Present(a)) = (f.outcome, &f.expected, &f.actual)
            && (f.name == "owner" || f.name == "repository" || f.name == "workflow")
            && e.eq_ignore_ascii_case(a)
        {
            note(
                "case-only-difference",
                format!(
                    "{} differs only in case (`{e}` declared, `{a}` in the token): {}'s lookup compares it byte for byte",
                    f.name,
                    registry.name()
                ),
            );
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
    if let Claim::Present(s) = claims.get("sub")
        && (!s.starts_with("repo:") || s.contains('@'))
    {
        note(
            "custom-subject",
            format!(
                "the `sub` claim (`{s}`) is customized; {} does not check `sub`, so it does not matter here",
                registry.name()
            ),
        );
    }
}

/// The rules of PyPI's GitHub publisher form (`warehouse/oidc/forms/github.py`), with its
/// exact error texts; crates.io, npm, RubyGems and NuGet validate the same fields the same way
/// (`crates/crates_io_trustpub/src/github/validation.rs` has the same patterns). `get` returns a
/// field's value as written.
pub fn github_form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    let mut out = Vec::new();
    let mut push = |field, message: &str, help: Option<String>| {
        out.push(FormProblem {
            field,
            message: message.to_owned(),
            help,
        })
    };
    if let Some(owner) = get("owner").as_deref() {
        if owner.is_empty() {
            push(
                "owner",
                "Specify GitHub repository owner (username or organization)",
                None,
            );
        } else if !is_github_owner(owner.trim()) {
            push(
                "owner",
                "Invalid GitHub user or organization name.",
                Some("letters, digits and `-`, not starting with `-`".into()),
            );
        }
    }
    if let Some(repo) = get("repository").as_deref() {
        if repo.is_empty() {
            push("repository", "Specify repository name", None);
        } else if let Some((o, r)) = repo.split_once('/') {
            push(
                "repository",
                "Invalid repository name",
                Some(format!(
                    "write the name without the owner: `{r}` (and owner = \"{o}\")"
                )),
            );
        } else if !repo
            .trim()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            push(
                "repository",
                "Invalid repository name",
                Some("letters, digits, `-`, `_` and `.` only".into()),
            );
        }
    }
    if let Some(wf) = get("workflow").as_deref() {
        let wf = wf.trim();
        if wf.is_empty() {
            push("workflow", "Specify workflow filename", None);
        } else if !(wf.ends_with(".yml") || wf.ends_with(".yaml")) {
            push(
                "workflow",
                "Workflow name must end with .yml or .yaml",
                None,
            );
        } else if wf.contains('/') {
            let base = wf.rsplit('/').next().unwrap_or(wf);
            push(
                "workflow",
                "Workflow filename must be a filename only, without directories",
                Some(format!(
                    "write `{base}`: the registry takes the file name, not the path"
                )),
            );
        }
    }
    if let Some(env) = get("environment").as_deref() {
        if env.chars().count() > 255 {
            push(
                "environment",
                "Environment name is too long (maximum is 255 characters)",
                None,
            );
        }
        if env.starts_with(char::is_whitespace) {
            push(
                "environment",
                "Environment name may not start with whitespace",
                None,
            );
        }
        if env.ends_with(char::is_whitespace) {
            push(
                "environment",
                "Environment name may not end with whitespace",
                None,
            );
        }
        if env
            .chars()
            .any(|c| (c as u32) < 0x20 || c as u32 == 0x7f || "'\"`,;\\".contains(c))
        {
            push(
                "environment",
                "Environment name must not contain non-printable characters or the characters \"'\", \"\"\", \"`\", \",\", \";\", \"\\\"",
                None,
            );
        }
    }
    out
}

/// PyPI's owner pattern `^[a-zA-Z0-9][a-zA-Z0-9-]*$`.
fn is_github_owner(owner: &str) -> bool {
    let mut bytes = owner.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A project name as PyPI normalises it (PEP 503): lowercase, each run of `-`, `_`, `.` one
/// `-`. PyPI's URLs and lookups use this form.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Percent-encodes a query value.
fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The link that opens the project's "add a publisher" form pre-filled
/// (`manage_project_oidc_publishers_prefill`).
pub fn prefill_url(p: &Publisher) -> String {
    let mut url = format!(
        "https://{}/manage/project/{}/settings/publishing/?provider=github&owner={}&repository={}&workflow_filename={}",
        host(p.registry),
        query_escape(&p.project),
        query_escape(&p.owner),
        query_escape(&p.repository),
        query_escape(&p.workflow)
    );
    if let Some(env) = &p.environment {
        url.push_str(&format!("&environment={}", query_escape(env)));
    }
    url
}

/// Where a pending publisher is added, for a project that does not exist yet.
pub fn pending_url(registry: Registry) -> String {
    format!("https://{}/manage/account/publishing/", host(registry))
}

#[cfg(test)]
mod tests;
