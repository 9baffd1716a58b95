//! GitHub's REST API (`--github-api-url`; GitHub Enterprise works): the repository, the declared
//! environment and its deployment policy, the OIDC subject customization, the publishing
//! workflow at the default branch, and its last runs with the jobs' step timings.
//! Reference: registries-and-github-oidc.md §1.4–1.5.

use base64::Engine;
use serde_json::Value;

use super::{Fetched, Unknown, segment, str_field};
use crate::drift::policy::{BranchPolicy, PolicyRule, RefKind, RunRef, TriggerRef, trigger_refs};
use crate::drift::workflow::WorkflowFile;
use crate::identity::Publisher;
use crate::net::http::Http;
use crate::net::response::Response;

/// `Accept` of the REST API.
pub const ACCEPT: &str = "application/vnd.github+json";
const SOURCE: &str = "github";

/// The repository as GitHub names it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFacts {
    /// The API URL.
    pub url: String,
    /// `owner/name`, canonical.
    pub full_name: String,
    /// The owner's numeric id.
    pub owner_id: Option<u64>,
    /// The default branch.
    pub default_branch: String,
}

/// The declared environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvironmentFacts {
    /// The repository has no environment of that name.
    Missing {
        /// The URL that answered 404.
        url: String,
    },
    /// It exists, with this deployment policy.
    Present {
        /// The environment's URL.
        url: String,
        /// Its deployment branch and tag policy.
        policy: BranchPolicy,
        /// For a protected-branches policy: whether each trigger branch is protected.
        protected: Vec<(String, Fetched<bool>)>,
    },
}

/// The repository's OIDC subject customization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFacts {
    /// The URL.
    pub url: String,
    /// `use_default`.
    pub use_default: bool,
    /// `include_claim_keys`.
    pub include_claim_keys: Vec<String>,
    /// `use_immutable_subject`, when GitHub says.
    pub use_immutable_subject: Option<bool>,
    /// `sub_claim_prefix` (read-only), when GitHub says: the subject's repository part, in the
    /// immutable form `repo:OWNER@ID/REPO@ID` for repositories created, renamed or transferred
    /// after 2026-07-15.
    pub sub_claim_prefix: Option<String>,
}

/// The publishing workflow at the default branch.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowFacts {
    /// No such file at the default branch.
    Missing {
        /// The URL that answered 404.
        url: String,
    },
    /// The file (boxed: a parsed workflow is large beside a URL).
    Present(Box<WorkflowFile>),
}

/// One completed run of the publishing workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Ref facts.
    pub r#ref: RunRef,
    /// The run's web page.
    pub html_url: String,
    /// `success`, `failure`, `cancelled`, ...
    pub conclusion: String,
    /// When this attempt started (`run_started_at`), epoch seconds.
    pub started_at: Option<i64>,
    /// When it was last updated (`updated_at`; for a completed run, when it ended).
    pub ended_at: Option<i64>,
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The job's name.
    pub job: String,
    /// The step's name.
    pub name: String,
    /// Start, epoch seconds.
    pub started_at: Option<i64>,
    /// End, epoch seconds.
    pub completed_at: Option<i64>,
}

/// The jobs of the latest successful run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobsFacts {
    /// The jobs URL.
    pub url: String,
    /// The run's web page.
    pub run_url: String,
    /// Every step of every job, in order.
    pub steps: Vec<Step>,
}

/// The last completed runs of the publishing workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunsFacts {
    /// The URL.
    pub url: String,
    /// Newest first.
    pub runs: Vec<Run>,
    /// The jobs of the newest successful run, if there is one.
    pub latest_success: Option<Fetched<JobsFacts>>,
}

/// Everything GitHub said about one publisher.
#[derive(Debug, Clone, PartialEq)]
pub struct GithubFacts {
    /// The repository.
    pub repo: RepoFacts,
    /// The declared environment (`None` when none is declared).
    pub environment: Option<Fetched<EnvironmentFacts>>,
    /// The OIDC subject customization.
    pub subject: Fetched<SubjectFacts>,
    /// The workflow file.
    pub workflow: Fetched<WorkflowFacts>,
    /// The last runs.
    pub runs: Fetched<RunsFacts>,
    /// The refs that run the workflow, checked against the environment's policy.
    pub trigger_refs: Vec<TriggerRef>,
}

fn get(http: &Http, check: &'static str, url: &str) -> Fetched<Response> {
    http.get(url, ACCEPT)
        .map_err(|e| Unknown::fetch(SOURCE, check, url, &e))
}

/// A non-200 answer as an unknown, saying what GitHub's status means here.
fn refused(http: &Http, check: &'static str, r: &Response, what: &str) -> Unknown {
    let message = r
        .json()
        .ok()
        .and_then(|d| str_field(&d, "message").map(str::to_owned));
    let hint = match (r.status, http.has_github_token(), check) {
        (401, _, _) => "the token was refused",
        (403 | 404, false, "repository") => {
            "it does not exist, or it is private: set GITHUB_TOKEN or GH_TOKEN"
        }
        (403 | 404, false, _) => "reading it may need a token: set GITHUB_TOKEN or GH_TOKEN",
        (403 | 404, true, _) => "the token may lack access to it",
        _ => "",
    };
    let mut reason = format!("HTTP {} for {what}", r.status);
    if let Some(m) = message {
        reason.push_str(&format!(" ({m})"));
    }
    if !hint.is_empty() {
        reason.push_str(&format!(": {hint}"));
    }
    Unknown::new(SOURCE, check, Some(&r.url), reason)
}

/// The JSON of a 200 answer; any other status is [`refused`], saying what was asked for.
fn ok_json(http: &Http, check: &'static str, r: &Response, what: &str) -> Fetched<Value> {
    if r.status != 200 {
        return Err(refused(http, check, r, what));
    }
    json(check, r)
}

fn json(check: &'static str, r: &Response) -> Fetched<Value> {
    r.json()
        .map_err(|e| Unknown::fetch(SOURCE, check, &r.url, &e))
}

fn malformed(check: &'static str, url: &str, what: &str) -> Unknown {
    Unknown::new(
        SOURCE,
        check,
        Some(url),
        format!("unexpected response: {what}"),
    )
}

/// Observes the publisher's repository. An unreadable repository is one unknown for all.
pub fn observe(http: &Http, publisher: &Publisher, window: u32) -> Fetched<GithubFacts> {
    use super::names;
    if !names::github_owner(&publisher.owner) {
        return Err(super::invalid_name(
            SOURCE,
            "repository",
            "GitHub owner",
            &publisher.owner,
        ));
    }
    if !names::github_repository(&publisher.repository) {
        let r = &publisher.repository;
        return Err(super::invalid_name(
            SOURCE,
            "repository",
            "GitHub repository name",
            r,
        ));
    }
    let api = http.base(SOURCE);
    let url = format!(
        "{api}/repos/{}/{}",
        segment(&publisher.owner),
        segment(&publisher.repository)
    );
    let r = get(http, "repository", &url)?;
    let doc = ok_json(http, "repository", &r, "the repository")?;
    let (Some(full_name), Some(default_branch)) = (
        str_field(&doc, "full_name"),
        str_field(&doc, "default_branch"),
    ) else {
        return Err(malformed(
            "repository",
            &url,
            "no `full_name` or `default_branch`",
        ));
    };
    let repo = RepoFacts {
        url: url.clone(),
        full_name: full_name.to_owned(),
        owner_id: doc
            .get("owner")
            .and_then(|o| o.get("id"))
            .and_then(Value::as_u64),
        default_branch: default_branch.to_owned(),
    };
    // The repository as GitHub names it now is asked from then on, once it is a repository
    // name: an answer cannot send the next requests (and the token) to another path.
    let base = match full_name.split_once('/') {
        Some((o, n)) if names::github_owner(o) && names::github_repository(n) => {
            format!("{api}/repos/{}/{}", segment(o), segment(n))
        }
        _ => {
            return Err(malformed(
                "repository",
                &url,
                "`full_name` is not a GitHub owner/repository",
            ));
        }
    };
    let workflow = workflow(http, &base, &publisher.workflow, &repo.default_branch);
    let runs = runs(http, &base, &publisher.workflow, window);
    let triggers = match &workflow {
        Ok(WorkflowFacts::Present(w)) => w.triggers(),
        _ => None,
    };
    let run_refs: Vec<RunRef> = runs
        .as_ref()
        .map(|r| r.runs.iter().map(|run| run.r#ref.clone()).collect())
        .unwrap_or_default();
    let trigger_refs = trigger_refs(triggers.as_ref(), &run_refs, &repo.default_branch);
    let environment = publisher
        .environment
        .as_deref()
        .map(|env| environment(http, &base, env, &trigger_refs));
    Ok(GithubFacts {
        subject: subject(http, &base),
        repo,
        environment,
        workflow,
        runs,
        trigger_refs,
    })
}

fn environment(
    http: &Http,
    base: &str,
    name: &str,
    refs: &[TriggerRef],
) -> Fetched<EnvironmentFacts> {
    if !super::names::github_segment(name) {
        return Err(super::invalid_name(
            SOURCE,
            "environment",
            "GitHub environment name",
            name,
        ));
    }
    let url = format!("{base}/environments/{}", segment(name));
    let r = get(http, "environment", &url)?;
    match r.status {
        200 => {}
        404 => return Ok(EnvironmentFacts::Missing { url }),
        _ => return Err(refused(http, "environment", &r, "the environment")),
    }
    let doc = json("environment", &r)?;
    let policy = match doc.get("deployment_branch_policy") {
        None | Some(Value::Null) => BranchPolicy::All,
        Some(p) if p.get("custom_branch_policies").and_then(Value::as_bool) == Some(true) => {
            BranchPolicy::Custom(custom_policies(http, &url)?)
        }
        Some(p) if p.get("protected_branches").and_then(Value::as_bool) == Some(true) => {
            BranchPolicy::ProtectedBranches
        }
        Some(_) => {
            return Err(malformed(
                "environment",
                &url,
                "a `deployment_branch_policy` that names no policy",
            ));
        }
    };
    let protected = if policy == BranchPolicy::ProtectedBranches {
        refs.iter()
            .filter(|r| r.kind == RefKind::Branch)
            .map(|r| (r.name.clone(), branch_protected(http, base, &r.name)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(EnvironmentFacts::Present {
        url,
        policy,
        protected,
    })
}

fn custom_policies(http: &Http, env_url: &str) -> Fetched<Vec<PolicyRule>> {
    let url = format!("{env_url}/deployment-branch-policies?per_page=100");
    let r = get(http, "environment", &url)?;
    let doc = ok_json(http, "environment", &r, "the deployment branch policies")?;
    let list = doc
        .get("branch_policies")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("environment", &url, "no `branch_policies` list"))?;
    Ok(list
        .iter()
        .filter_map(|p| {
            Some(PolicyRule {
                pattern: str_field(p, "name")?.to_owned(),
                kind: if str_field(p, "type") == Some("tag") {
                    RefKind::Tag
                } else {
                    RefKind::Branch
                },
            })
        })
        .collect())
}

fn branch_protected(http: &Http, base: &str, branch: &str) -> Fetched<bool> {
    if !super::names::github_segment(branch) {
        return Err(super::invalid_name(
            SOURCE,
            "environment",
            "branch name",
            branch,
        ));
    }
    let url = format!("{base}/branches/{}", segment(branch));
    let r = get(http, "environment", &url)?;
    ok_json(http, "environment", &r, &format!("branch {branch}"))?
        .get("protected")
        .and_then(Value::as_bool)
        .ok_or_else(|| malformed("environment", &url, "no `protected` flag"))
}

fn subject(http: &Http, base: &str) -> Fetched<SubjectFacts> {
    let url = format!("{base}/actions/oidc/customization/sub");
    let r = get(http, "oidc-subject", &url)?;
    let doc = ok_json(http, "oidc-subject", &r, "the OIDC subject customization")?;
    let use_default = doc
        .get("use_default")
        .and_then(Value::as_bool)
        .ok_or_else(|| malformed("oidc-subject", &url, "no `use_default`"))?;
    Ok(SubjectFacts {
        url,
        use_default,
        include_claim_keys: doc
            .get("include_claim_keys")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        use_immutable_subject: doc.get("use_immutable_subject").and_then(Value::as_bool),
        sub_claim_prefix: doc
            .get("sub_claim_prefix")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn workflow(http: &Http, base: &str, file: &str, branch: &str) -> Fetched<WorkflowFacts> {
    if !super::names::workflow_file(file) {
        return Err(super::invalid_name(
            SOURCE,
            "workflow",
            "workflow file name",
            file,
        ));
    }
    let path = format!(".github/workflows/{file}");
    let url = format!(
        "{base}/contents/.github/workflows/{}?ref={}",
        segment(file),
        segment(branch)
    );
    let r = get(http, "workflow", &url)?;
    match r.status {
        200 => {}
        404 => return Ok(WorkflowFacts::Missing { url }),
        _ => return Err(refused(http, "workflow", &r, "the workflow file")),
    }
    let doc = json("workflow", &r)?;
    let Some(content) = str_field(&doc, "content") else {
        return Err(malformed("workflow", &url, "no `content` (is it a file?)"));
    };
    let compact: String = content.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| malformed("workflow", &url, &format!("`content` is not base64 ({e})")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| malformed("workflow", &url, "the file is not UTF-8"))?;
    Ok(WorkflowFacts::Present(Box::new(WorkflowFile::new(
        path,
        branch.to_owned(),
        url,
        text,
    ))))
}

fn runs(http: &Http, base: &str, file: &str, window: u32) -> Fetched<RunsFacts> {
    if !super::names::workflow_file(file) {
        return Err(super::invalid_name(
            SOURCE,
            "runs",
            "workflow file name",
            file,
        ));
    }
    let url = format!(
        "{base}/actions/workflows/{}/runs?status=completed&per_page={window}&exclude_pull_requests=true",
        segment(file)
    );
    let r = get(http, "runs", &url)?;
    if r.status == 404 {
        let reason =
            format!("GitHub knows no workflow `{file}` in this repository, so it has no runs");
        return Err(Unknown::new(SOURCE, "runs", Some(&url), reason));
    }
    let doc = ok_json(http, "runs", &r, "the workflow's runs")?;
    let list = doc
        .get("workflow_runs")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("runs", &url, "no `workflow_runs` list"))?;
    let runs: Vec<Run> = list
        .iter()
        .take(window as usize)
        .filter_map(|run| {
            Some(Run {
                r#ref: RunRef {
                    id: run.get("id")?.as_u64()?,
                    event: str_field(run, "event").unwrap_or_default().to_owned(),
                    head_branch: str_field(run, "head_branch").unwrap_or_default().to_owned(),
                },
                html_url: str_field(run, "html_url").unwrap_or_default().to_owned(),
                conclusion: str_field(run, "conclusion").unwrap_or_default().to_owned(),
                started_at: str_field(run, "run_started_at")
                    .and_then(crate::net::time::parse_rfc3339),
                ended_at: str_field(run, "updated_at").and_then(crate::net::time::parse_rfc3339),
            })
        })
        .collect();
    let latest_success = runs
        .iter()
        .find(|r| r.conclusion == "success")
        .map(|run| jobs(http, base, run));
    Ok(RunsFacts {
        url,
        runs,
        latest_success,
    })
}

fn jobs(http: &Http, base: &str, run: &Run) -> Fetched<JobsFacts> {
    let url = format!("{base}/actions/runs/{}/jobs?per_page=100", run.r#ref.id);
    let r = get(http, "runs", &url)?;
    let doc = ok_json(http, "runs", &r, "the run's jobs")?;
    let jobs = doc
        .get("jobs")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("runs", &url, "no `jobs` list"))?;
    let time = |s: &Value, k: &str| str_field(s, k).and_then(crate::net::time::parse_rfc3339);
    let steps = jobs
        .iter()
        .flat_map(|job| {
            let name = str_field(job, "name").unwrap_or_default().to_owned();
            job.get("steps")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(move |s| Step {
                    job: name.clone(),
                    name: str_field(s, "name").unwrap_or_default().to_owned(),
                    started_at: time(s, "started_at"),
                    completed_at: time(s, "completed_at"),
                })
        })
        .collect();
    Ok(JobsFacts {
        url,
        run_url: run.html_url.clone(),
        steps,
    })
}
