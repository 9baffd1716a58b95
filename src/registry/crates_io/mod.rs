//! crates.io: its token exchange, with its order of checks and its own error texts, for GitHub
//! Actions and GitLab CI/CD ([`gitlab`]); and its config forms.
//!
//! Source: rust-lang/crates.io at `57fa000662f5` (2026-08-21):
//! `src/controllers/trustpub/tokens/exchange/mod.rs` (`exchange_trustpub_token`,
//! `handle_github_token_inner`, `handle_gitlab_token_inner`),
//! `crates/crates_io_trustpub/src/{lib.rs (JWT_LEEWAY), github,gitlab}/{claims,validation,workflows}.rs`,
//! `src/controllers/krate/publish.rs` (a token used for a crate it does not cover). Every
//! refusal of the exchange is an HTTP 400 whose body carries the text below.
//!
//! crates.io weighs every config of the repository at once, across crates: it loads the configs
//! whose owner and repository match (`lower()`), then drops, step by step, those whose owner id,
//! then workflow file, then environment differ; when a step leaves none, its message lists the
//! values of the configs that step dropped ("Expected workflow filenames: `a.yml`, `b.yml`").
//! The token covers the crates of the configs that remain, so a run that matches another
//! crate's config gets a token, and the upload of this crate is then refused (403). trustpub
//! runs the same steps over the publishers declared for crates.io.

pub mod answer;
pub mod gitlab;
#[cfg(test)]
mod tests;

use crate::identity::{Claim, Provider, Publisher, Registry, TokenTiming};
use crate::registry::github::{self, Case, Rules};
use crate::registry::{
    EvidenceFacts, FieldCheck, FormProblem, FormValue, Judgement, Note, Outcome, ProviderKeys,
    Refusal, Spec, Template, Upstream, WorkflowClaim,
};

/// The table entry.
pub const SPEC: Spec = Spec {
    audience: "crates.io",
    judge,
    form_problems,
    normalize: crate::registry::stored_as_typed,
    template,
    extra_keys: &[],
    other_providers: &[ProviderKeys {
        provider: Provider::GitLab,
        required: &["namespace", "repository", "workflow"],
        optional: &["environment", "namespace-id"],
    }],
    refused_events: &["pull_request_target", "workflow_run"],
    workflow_setup: "add a `rust-lang/crates-io-auth-action` step (with an `id:`) and pass its `outputs.token` as CARGO_REGISTRY_TOKEN, or let release-plz exchange the token itself (no CARGO_REGISTRY_TOKEN at all); give the job `id-token: write`",
    timing: TIMING,
    upstream: Upstream {
        repository: "rust-lang/crates.io",
        commit: "57fa000662f5",
        date: "2026-08-21",
        tests: "crates/crates_io_trustpub/src/{github,gitlab}/{validation,workflows,claims}.rs, src/tests/routes/trustpub/tokens/exchange/{github,gitlab}.rs",
        vectors: 189,
    },
    conformance: &[
        (
            "GitLab CI/CD",
            "namespace and project case-insensitive; pipeline file path exact; environment case-insensitive; `namespace_id` pinned at the first exchange; gitlab.com only",
        ),
        ("other publishers", "none"),
        (
            "answer when refused",
            "HTTP 400 with the failing step's own text; the `Expected ...` lists name every config of the repository that step dropped; a token for other crates' configs: 403 at upload",
        ),
        (
            "the form",
            "its own texts, 255-byte limits, an empty environment refused (`null` omits it); GitLab: `.atom`/`.git`, leading or trailing `/`",
        ),
        ("GitHub's `sub`", "not read"),
    ],
};

/// `JWT_LEEWAY` (60 s) for `exp` and `nbf` in jsonwebtoken's validation, and for `iat` in
/// `GitHubClaims::decode`/`GitLabClaims::decode`; jsonwebtoken refuses `exp < now - leeway`.
pub const TIMING: TokenTiming = TokenTiming {
    exp_leeway: 60,
    exp_bound_inclusive: true,
    nbf_leeway: 60,
    iat_leeway: Some(60),
    required: &["exp", "iat"],
    summary: "60 s (`exp`, `nbf`, `iat`)",
};

/// How crates.io compares the identity fields; `drift` holds live publishers to the same rules.
pub const RULES: Rules = Rules {
    owner: Case::Insensitive,
    repository: Case::Insensitive,
    workflow: Case::Sensitive,
    environment: Case::Insensitive,
    workflow_claim: WorkflowClaim::Caller,
    owner_rule: "case-insensitive (owner in `repository`)",
    owner_id_rule: "exact (pinned when the config was created)",
    ref_required: true,
};

/// The issuers crates.io keeps keys for (`TRUSTPUB_PROVIDERS`), by provider.
pub const GITLAB_ISSUER: &str = "https://gitlab.com";

/// Claims `GitHubClaims` must deserialize (strings, `iat`/`exp` integers); one absent fails
/// with `Failed to decode JWT`.
const REQUIRED: [&str; 7] = [
    "jti",
    "repository_owner_id",
    "repository",
    "workflow_ref",
    "event_name",
    "run_id",
    "sha",
];

/// An HTTP 400 of the exchange.
pub(super) fn bad_request(reason: impl Into<String>) -> Refusal {
    let reason = reason.into();
    Refusal {
        code: "http-400",
        message: reason.clone(),
        reason,
    }
}

/// The publishers declared for crates.io of `provider`, in file order, `p` among them.
pub(super) fn configs<'a>(
    p: &'a Publisher,
    ev: &EvidenceFacts<'a>,
    provider: Provider,
) -> Vec<&'a Publisher> {
    let mut out: Vec<&Publisher> = ev
        .declared
        .iter()
        .filter(|q| q.registry == Registry::CratesIo && q.provider == provider)
        .collect();
    if p.provider == provider && !out.contains(&p) {
        out.insert(0, p);
    }
    out
}

/// Drops the configs `keep` refuses, returning the dropped ones (`extract_if`).
pub(super) fn drop_if<'a>(
    configs: &mut Vec<&'a Publisher>,
    keep: impl Fn(&Publisher) -> bool,
) -> Vec<&'a Publisher> {
    let (kept, dropped): (Vec<&Publisher>, Vec<&Publisher>) = configs.iter().partition(|c| keep(c));
    *configs = kept;
    dropped
}

/// `a`, `b`, ... as crates.io lists values: backticked (workflows, environments) or bare (ids).
pub(super) fn listed<'a>(values: impl Iterator<Item = &'a str>, ticks: bool) -> String {
    values
        .map(|v| {
            if ticks {
                format!("`{v}`")
            } else {
                v.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The environment filter both exchanges share: a config without an environment stays; one with
/// an environment needs the token's, without case (Rust's `to_lowercase`). Unknown: stays.
pub(super) fn environment_keeps(config: Option<&str>, claim: &Claim) -> bool {
    match (config, claim) {
        (None, _) | (_, Claim::Unknown) => true,
        (Some(_), Claim::Missing) => false,
        (Some(c), Claim::Present(j)) => c.to_lowercase() == j.to_lowercase(),
    }
}

/// The environment step's refusal, when it left no config.
pub(super) fn environment_refusal(repo: &str, claim: &Claim, dropped: &[&Publisher]) -> Refusal {
    let expected = listed(
        dropped.iter().filter_map(|c| c.environment.as_deref()),
        true,
    );
    bad_request(match claim.value() {
        Some(env) => format!(
            "The Trusted Publishing config for repository `{repo}` does not match the environment `{env}` in the JWT. Expected environments: {expected}"
        ),
        None => format!(
            "The Trusted Publishing config for repository `{repo}` requires an environment, but the JWT does not specify one. Expected environments: {expected}"
        ),
    })
}

/// The verdict for `p` once the exchange ran: refused with its text, or a token for the crates
/// of the configs left, which covers `p`'s crate or not.
pub(super) fn verdict(
    p: &Publisher,
    exchange: Result<Vec<&Publisher>, Refusal>,
) -> Option<Refusal> {
    match exchange {
        Err(refusal) => Some(refusal),
        Ok(left) if left.contains(&p) => None,
        Ok(left) => {
            let covered: Vec<&str> = left.iter().map(|c| c.project.as_str()).collect();
            let reason = format!(
                "The provided access token is not valid for crate `{}`",
                p.project
            );
            Some(Refusal {
                code: "http-403",
                message: format!(
                    "{reason} (the exchange matched the config of {} instead)",
                    listed(covered.into_iter(), true)
                ),
                reason,
            })
        }
    }
}

/// When the exchange failed over several declared configs, which ones crates.io weighed: its
/// message names the step that dropped the last of them, which may not be this config's.
pub(super) fn weighed_note(
    p: &Publisher,
    ev: &EvidenceFacts<'_>,
    refusal: Option<&Refusal>,
) -> Option<Note> {
    let weighed: Vec<&str> = configs(p, ev, p.provider)
        .iter()
        .filter(|c| {
            Case::Insensitive.same(&c.owner, &p.owner)
                && Case::Insensitive.same(&c.repository, &p.repository)
        })
        .map(|c| c.project.as_str())
        .collect();
    (weighed.len() > 1 && refusal.is_some_and(|r| r.code == "http-400")).then(|| Note {
        id: "configs-weighed-together",
        text: format!(
            "crates.io weighs every config of `{}/{}` at once, across crates ({} declared here); its message names the step that dropped the last of them, and lists the values of the configs that step dropped",
            p.owner,
            p.repository,
            listed(weighed.into_iter(), true)
        ),
    })
}

/// The front of `exchange_trustpub_token`: the token must decode with a string `iss`, crates.io
/// must hold keys for that issuer (`Unsupported JWT issuer`), and the signature, time and
/// audience must verify (`Failed to decode JWT`). `Ok` names the provider the token goes to.
pub(super) fn front_for(ev: &EvidenceFacts<'_>, p: &Publisher) -> Result<Provider, Refusal> {
    let claims = ev.claims;
    let provider = match claims.get("iss") {
        Claim::Present(iss) if iss == crate::identity::GITHUB_ISSUER => Provider::GitHub,
        Claim::Present(iss) if iss == GITLAB_ISSUER => Provider::GitLab,
        Claim::Present(iss) => return Err(bad_request(format!("Unsupported JWT issuer: {iss}"))),
        Claim::Missing if ev.is_token => return Err(bad_request("Failed to decode JWT")),
        _ => p.provider,
    };
    if ev.token_rejected.is_some()
        || github::audience_ok(claims, SPEC.audience, ev.is_token) == Some(false)
        || (ev.is_token && TIMING.required.iter().any(|c| claims.integer(c).is_none()))
    {
        return Err(bad_request("Failed to decode JWT"));
    }
    Ok(provider)
}

fn judge(_: Registry, p: &Publisher, ev: &EvidenceFacts<'_>) -> Judgement {
    if p.provider == Provider::GitLab {
        return gitlab::judge(p, ev);
    }
    let claims = ev.claims;
    let mut fields = github::identity_fields(p, claims, &RULES, SPEC.audience, ev.is_token);
    let event = claims.get("event_name");
    fields.push(FieldCheck {
        name: "event_name",
        claim: "event_name",
        expected: Some(format!("not {}", SPEC.refused_events.join(" or "))),
        outcome: match event.value() {
            None if event == Claim::Unknown => Outcome::Unconfirmed,
            Some(e) if SPEC.refused_events.contains(&e) => Outcome::Differs,
            Some(_) => Outcome::Ok,
            None => Outcome::Differs,
        },
        actual: event.clone(),
        rule: "`pull_request_target`, `workflow_run` refused",
    });
    let mut notes = Vec::new();
    if p.owner_id.is_none() {
        notes.push(Note {
            id: "owner-id-unconfirmed",
            text: "owner-id is not declared, so it cannot be confirmed: crates.io pinned the owner's id when the config was created".into(),
        });
    }
    if let (Some(w), Some(j)) = (
        claims.get("workflow_ref").value(),
        claims.get("job_workflow_ref").value(),
    ) && w != j
    {
        notes.push(Note {
                id: "reusable-workflow",
                text: format!(
                    "the job runs in a reusable workflow; crates.io matches the caller named by `workflow_ref` (`{}`), not the called file",
                    github::workflow_file(w, true).unwrap_or(w)
                ),
            });
    }
    notes.extend(github::subject_notes(claims, "crates.io", false));
    let exchange = front_for(ev, p).and_then(|provider| match provider {
        Provider::GitLab => gitlab::exchange(ev, &configs(p, ev, Provider::GitLab)),
        _ => exchange_github(ev, &configs(p, ev, Provider::GitHub)),
    });
    let refusal = verdict(p, exchange);
    notes.extend(weighed_note(p, ev, refusal.as_ref()));
    if let Some(r) = &refusal
        && r.code == "http-403"
    {
        notes.push(Note {
            id: "token-for-other-crates",
            text: format!("the run matches another declared config of this repository, so crates.io issues a token, for the crates of the configs that match; the upload of `{}` is then refused", p.project),
        });
    }
    Judgement {
        refusal,
        fields,
        notes,
    }
}

/// `handle_github_token_inner` over `configs` (the jti check cannot be seen): the configs left
/// after every step, or the 400 of the step that left none. Claims the evidence does not show
/// drop no config.
pub(super) fn exchange_github<'a>(
    ev: &EvidenceFacts<'_>,
    configs: &[&'a Publisher],
) -> Result<Vec<&'a Publisher>, Refusal> {
    let claims = ev.claims;
    if REQUIRED.iter().any(|c| claims.get(c) == Claim::Missing) {
        return Err(bad_request("Failed to decode JWT"));
    }
    if let Some(e) = claims.get("event_name").value()
        && SPEC.refused_events.contains(&e)
    {
        return Err(bad_request(format!(
            "Trusted Publishing does not support the `{e}` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`."
        )));
    }
    let repository = claims.get("repository");
    let (owner, name) = match repository.value() {
        Some(r) => match r.split_once('/') {
            Some((o, n)) => (Claim::Present(o.into()), Claim::Present(n.into())),
            None => return Err(bad_request("Unexpected `repository` value")),
        },
        None => (Claim::Unknown, Claim::Unknown),
    };
    let repo = repository.value().unwrap_or("?").to_owned();
    let workflow = match claims.get("workflow_ref") {
        Claim::Present(w) => match github::workflow_file(&w, true) {
            Some(f) => Claim::Present(f.to_owned()),
            None => return Err(bad_request("Unexpected `workflow_ref` value")),
        },
        _ => Claim::Unknown,
    };
    let owner_id = claims.get("repository_owner_id");
    if let Some(id) = owner_id.value()
        && id.parse::<i32>().is_err()
    {
        return Err(bad_request("Unexpected `repository_owner_id` value"));
    }
    let same = |declared: &str, claim: &Claim, case: Case| match claim {
        Claim::Present(c) => case.same(declared, c),
        _ => true,
    };
    let mut left: Vec<&Publisher> = configs
        .iter()
        .copied()
        .filter(|c| {
            same(&c.owner, &owner, RULES.owner) && same(&c.repository, &name, RULES.repository)
        })
        .collect();
    if left.is_empty() {
        return Err(bad_request(format!(
            "No Trusted Publishing config found for repository `{repo}`."
        )));
    }
    // A config whose owner id is not declared keeps it: crates.io pinned one, trustpub cannot
    // say which.
    let dropped = drop_if(&mut left, |c| {
        c.owner_id
            .as_deref()
            .is_none_or(|id| same(id, &owner_id, Case::Sensitive))
    });
    if left.is_empty() {
        return Err(bad_request(format!(
            "The Trusted Publishing config for repository `{repo}` does not match the repository owner ID ({}) in the JWT. Expected owner IDs: {}. Please recreate the Trusted Publishing config to update the repository owner ID.",
            owner_id.value().unwrap_or_default(),
            listed(dropped.iter().filter_map(|c| c.owner_id.as_deref()), false)
        )));
    }
    let dropped = drop_if(&mut left, |c| same(&c.workflow, &workflow, RULES.workflow));
    if left.is_empty() {
        return Err(bad_request(format!(
            "The Trusted Publishing config for repository `{repo}` does not match the workflow filename `{}` in the JWT. Expected workflow filenames: {}",
            workflow.value().unwrap_or_default(),
            listed(dropped.iter().map(|c| c.workflow.as_str()), true)
        )));
    }
    let environment = claims.get("environment");
    let dropped = drop_if(&mut left, |c| {
        environment_keeps(c.environment.as_deref(), &environment)
    });
    if left.is_empty() {
        return Err(environment_refusal(&repo, &environment, &dropped));
    }
    Ok(left)
}

/// The GitHub config form's rules (`crates/crates_io_trustpub/src/github/validation.rs`), first
/// failure of each field, lengths in bytes: the create endpoint answers 400 with these texts.
/// The owner's lookup on GitHub (`Unknown GitHub user or organization`) is not made.
fn github_form_rules(get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    const MAX: usize = 255;
    let mut out = Vec::new();
    if let Some(owner) = get("owner") {
        let message = if owner.is_empty() {
            Some("GitHub repository owner name may not be empty")
        } else if owner.len() > MAX {
            Some("GitHub repository owner name is too long (maximum is 255 characters)")
        } else if !is_github_owner(&owner) {
            Some("Invalid GitHub repository owner name")
        } else {
            None
        };
        out.extend(message.map(|m| FormProblem::refused("owner", m)));
    }
    if let Some(repo) = get("repository") {
        let message = if repo.is_empty() {
            Some("GitHub repository name may not be empty")
        } else if repo.len() > MAX {
            Some("GitHub repository name is too long (maximum is 255 characters)")
        } else if !repo
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            Some("Invalid GitHub repository name")
        } else {
            None
        };
        out.extend(message.map(|m| {
            let p = FormProblem::refused("repository", m);
            match repo.split_once('/') {
                Some((o, r)) => p.with_help(format!(
                    "write the name without the owner: `{r}` (and owner = \"{o}\")"
                )),
                None => p,
            }
        }));
    }
    if let Some(wf) = get("workflow") {
        let problem = if wf.is_empty() {
            Some(FormProblem::refused(
                "workflow",
                "Workflow filename may not be empty",
            ))
        } else if wf.len() > MAX {
            Some(FormProblem::refused(
                "workflow",
                "Workflow filename is too long (maximum is 255 characters)",
            ))
        } else if !(wf.ends_with(".yml") || wf.ends_with(".yaml")) {
            Some(FormProblem::refused(
                "workflow",
                "Workflow filename must end with `.yml` or `.yaml`",
            ))
        } else if wf.contains('/') {
            Some(
                FormProblem::refused(
                    "workflow",
                    "Workflow filename must be a filename only, without directories",
                )
                .with_help(format!(
                    "write `{}`: the registry takes the file name, not the path",
                    wf.rsplit('/').next().unwrap_or(&wf)
                )),
            )
        } else {
            None
        };
        out.extend(problem);
    }
    if let Some(env) = get("environment") {
        let message = if env.is_empty() {
            Some("Environment name may not be empty (use `null` to omit)")
        } else if env.len() > MAX {
            Some("Environment name is too long (maximum is 255 characters)")
        } else if env.starts_with(' ') {
            Some("Environment name may not start with whitespace")
        } else if env.ends_with(' ') {
            Some("Environment name may not end with whitespace")
        } else if env.chars().any(github::is_forbidden_environment_char) {
            Some(github::ENVIRONMENT_CHARS)
        } else {
            None
        };
        out.extend(message.map(|m| {
            let p = FormProblem::refused("environment", m);
            if env.is_empty() {
                p.with_help("leave `environment` out to accept any environment")
            } else {
                p
            }
        }));
    }
    out
}

/// `^[a-zA-Z0-9][a-zA-Z0-9-]*$` (the `regex` crate's `$`: the very end).
fn is_github_owner(owner: &str) -> bool {
    let mut bytes = owner.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// crates.io's config validation for the publisher's provider.
fn form_problems(_: Registry, get: &dyn Fn(&str) -> Option<String>) -> Vec<FormProblem> {
    if get("provider").as_deref() == Some("gitlab") {
        gitlab::form_rules(get)
    } else {
        github_form_rules(get)
    }
}

fn template(p: &Publisher) -> Template {
    if p.provider == Provider::GitLab {
        return gitlab::template(p);
    }
    Template {
        values: vec![
            FormValue { field: "Repository owner", value: p.owner.clone() },
            FormValue { field: "Repository name", value: p.repository.clone() },
            FormValue { field: "Workflow filename", value: p.workflow.clone() },
            FormValue { field: "Environment (optional)", value: p.environment.clone().unwrap_or_default() },
        ],
        page: format!("https://crates.io/crates/{}/settings", p.project),
        prefill_url: None,
        pending_url: None,
        notes: vec![
            "the crate must already exist on crates.io: publish its first version with an API token".into(),
            "the workflow is the top-level file of the run (`workflow_ref`), even when the upload happens in a reusable workflow it calls".into(),
            "at most 5 GitHub configs per crate; the owner's id is recorded when the config is created".into(),
        ],
    }
}
