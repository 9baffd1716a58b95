//! The token a job would get, predicted from its workflow: one per way the job can run (each
//! trigger of its workflow; for a reusable workflow, each trigger of each caller). Each claim
//! keeps where in the YAML it came from, so a registry's refusal of a claim points at the line
//! to change. A value decided at run time (an expression) is unknown, never guessed.

use std::ops::Range;

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::claims::{Claim, Claims, GITHUB_ISSUER};

/// A place in a file: its display path, byte range, and 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as shown.
    pub path: String,
    /// The bytes.
    pub bytes: Range<usize>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// How the job came to run: the event, the top-level workflow it started, and the calling
/// jobs in between (for a reusable workflow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// The event (`push`, `release`, ...); `None` when a caller trustpub cannot see starts it.
    pub event: Option<String>,
    /// The top-level workflow file; `None` when the caller is not known.
    pub workflow: Option<String>,
    /// The calling jobs, from the top-level workflow down (`release.yml` job `publish`).
    pub callers: Vec<(String, String)>,
    /// Where the event is named.
    pub origin: Option<Origin>,
}

/// The predicted token of one way a job can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedToken {
    /// How the job came to run.
    pub via: Via,
    /// The repository, `owner` and `name`, when known (the checkout's `origin` remote).
    pub repository: Option<(String, String)>,
    /// The file that defines the job (`job_workflow_ref`'s file).
    pub defining: String,
    /// The repository the defining file is in, when it is not the run's own (a reusable
    /// workflow called from another repository), with the ref it was called at.
    pub defining_repository: Option<(String, String)>,
    /// The environment: present, missing (none on the job), or unknown (an expression).
    pub environment: Claim,
    /// The ref pattern, when the trigger says it (`refs/tags/v*`).
    pub ref_pattern: Option<String>,
    /// `tag` or `branch`, when the trigger says it.
    pub ref_type: Option<String>,
    /// `github-hosted` or `self-hosted`, when `runs-on` says it.
    pub runner_environment: Option<String>,
    /// The registry's audience, when the step names the registry.
    pub audience: Option<String>,
    /// Where each claim came from, by claim name.
    pub origins: Vec<(&'static str, Origin)>,
}

/// What stands for the ref in a workflow ref when the trigger does not tell it.
pub const UNKNOWN_REF: &str = "${{ github.ref }}";

impl PredictedToken {
    /// Where `claim` came from.
    pub fn origin(&self, claim: &str) -> Option<&Origin> {
        self.origins
            .iter()
            .find(|(c, _)| *c == claim)
            .map(|(_, o)| o)
    }

    /// The claims GitHub would put in the token, as far as they are known. `assumed` stands for
    /// the repository when the checkout's is not known (the declared publisher's, so that only
    /// what the workflow says is judged); `audience` for the registry asked, when the step does
    /// not name one.
    pub fn claims(&self, assumed: Option<(&str, &str)>, audience: Option<&str>) -> Claims {
        let mut values: IndexMap<String, Value> = IndexMap::new();
        let repo = self
            .repository
            .as_ref()
            .map(|(o, n)| (o.as_str(), n.as_str()))
            .or(assumed);
        values.insert("iss".into(), json!(GITHUB_ISSUER));
        if let Some(aud) = self.audience.as_deref().or(audience) {
            values.insert("aud".into(), json!(aud));
        }
        if let Some((o, n)) = self.repository.as_ref() {
            values.insert("repository".into(), json!(format!("{o}/{n}")));
            values.insert("repository_owner".into(), json!(o));
        }
        let reference = self.ref_pattern.as_deref().unwrap_or(UNKNOWN_REF);
        if let Some(ref_) = &self.ref_pattern {
            values.insert("ref".into(), json!(ref_));
        }
        if let Some(t) = &self.ref_type {
            values.insert("ref_type".into(), json!(t));
        }
        let (owner, name) = repo.unwrap_or(("OWNER", "REPO"));
        if let Some(top) = &self.via.workflow {
            values.insert(
                "workflow_ref".into(),
                json!(format!(
                    "{owner}/{name}/.github/workflows/{top}@{reference}"
                )),
            );
        }
        let job_workflow_ref = match &self.defining_repository {
            Some((repo, at)) => format!("{repo}/.github/workflows/{}@{at}", self.defining),
            None => format!(
                "{owner}/{name}/.github/workflows/{}@{reference}",
                self.defining
            ),
        };
        values.insert("job_workflow_ref".into(), json!(job_workflow_ref));
        match &self.environment {
            Claim::Present(e) => {
                values.insert("environment".into(), json!(e));
            }
            Claim::Missing => {
                values.insert("environment".into(), Value::Null);
            }
            Claim::Unknown => {}
        }
        if let Some(e) = &self.via.event {
            values.insert("event_name".into(), json!(e));
        }
        if let Some(r) = &self.runner_environment {
            values.insert("runner_environment".into(), json!(r));
        }
        Claims::partial(values)
    }

    /// The JSON form `check --format json` prints: `{"via": {...}, "claims": {...}}`.
    pub fn to_json(&self) -> Value {
        let origin = self
            .via
            .origin
            .as_ref()
            .map(|o| json!({"file": o.path, "line": o.line, "column": o.column}));
        json!({
            "via": {
                "event": self.via.event,
                "workflow": self.via.workflow,
                "callers": self.via.callers.iter().map(|(w, j)| json!({"workflow": w, "job": j})).collect::<Vec<_>>(),
                "at": origin,
            },
            "claims": Value::Object(self.claims(None, None).raw().clone().into_iter().collect()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> PredictedToken {
        PredictedToken {
            via: Via {
                event: Some("push".into()),
                workflow: Some("release.yml".into()),
                callers: vec![("release.yml".into(), "publish".into())],
                origin: None,
            },
            repository: Some(("octo-org".into(), "widget".into())),
            defining: "publish.yml".into(),
            defining_repository: None,
            environment: Claim::Present("pypi".into()),
            ref_pattern: Some("refs/tags/v*".into()),
            ref_type: Some("tag".into()),
            runner_environment: Some("github-hosted".into()),
            audience: Some("pypi".into()),
            origins: Vec::new(),
        }
    }

    #[test]
    fn claims_name_the_caller_and_the_defining_file() {
        let c = token().claims(None, None);
        assert_eq!(
            c.get("workflow_ref").value(),
            Some("octo-org/widget/.github/workflows/release.yml@refs/tags/v*")
        );
        assert_eq!(
            c.get("job_workflow_ref").value(),
            Some("octo-org/widget/.github/workflows/publish.yml@refs/tags/v*")
        );
        assert_eq!(c.get("environment").value(), Some("pypi"));
        assert_eq!(c.get("sha"), Claim::Unknown);
    }

    #[test]
    fn an_unknown_repository_takes_the_assumed_one_and_a_missing_environment_is_null() {
        let mut t = token();
        t.repository = None;
        t.environment = Claim::Missing;
        t.ref_pattern = None;
        let c = t.claims(Some(("o", "r")), None);
        assert_eq!(c.get("repository"), Claim::Unknown);
        assert_eq!(
            c.get("job_workflow_ref").value(),
            Some("o/r/.github/workflows/publish.yml@${{ github.ref }}")
        );
        assert_eq!(c.get("environment"), Claim::Missing);
    }
}
