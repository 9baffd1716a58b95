//! The token a job would get, predicted from its workflow: one per way the job can run (each
//! trigger of its workflow; for a reusable workflow, each trigger of each caller). Each claim
//! keeps where in the YAML it came from, so a registry's refusal of a claim points at the line
//! to change. A value decided at run time (an expression) is unknown, never guessed.

use std::ops::Range;

use indexmap::IndexMap;
use serde_json::Value;

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

    /// The claims GitHub would put in the token, as far as they are known, in the order a
    /// token lists them: `(name, value)`, `None` for a claim known to be absent (JSON `null`).
    /// `assumed` stands for the repository when the checkout's is not known (the declared
    /// publisher's, so that only what the workflow says is judged); `audience` for the registry
    /// asked, when the step does not name one.
    pub fn claim_values(
        &self,
        assumed: Option<(&str, &str)>,
        audience: Option<&str>,
    ) -> Vec<(&'static str, Option<String>)> {
        let mut values: Vec<(&'static str, Option<String>)> = Vec::with_capacity(12);
        let repo = self
            .repository
            .as_ref()
            .map(|(o, n)| (o.as_str(), n.as_str()))
            .or(assumed);
        values.push(("iss", Some(GITHUB_ISSUER.to_owned())));
        if let Some(aud) = self.audience.as_deref().or(audience) {
            values.push(("aud", Some(aud.to_owned())));
        }
        if let Some((o, n)) = self.repository.as_ref() {
            values.push(("repository", Some(format!("{o}/{n}"))));
            values.push(("repository_owner", Some(o.clone())));
        }
        let reference = self.ref_pattern.as_deref().unwrap_or(UNKNOWN_REF);
        if let Some(ref_) = &self.ref_pattern {
            values.push(("ref", Some(ref_.clone())));
        }
        if let Some(t) = &self.ref_type {
            values.push(("ref_type", Some(t.clone())));
        }
        let (owner, name) = repo.unwrap_or(("OWNER", "REPO"));
        if let Some(top) = &self.via.workflow {
            values.push((
                "workflow_ref",
                Some(format!(
                    "{owner}/{name}/.github/workflows/{top}@{reference}"
                )),
            ));
        }
        let job_workflow_ref = match &self.defining_repository {
            Some((repo, at)) => format!("{repo}/.github/workflows/{}@{at}", self.defining),
            None => format!(
                "{owner}/{name}/.github/workflows/{}@{reference}",
                self.defining
            ),
        };
        values.push(("job_workflow_ref", Some(job_workflow_ref)));
        match &self.environment {
            Claim::Present(e) => values.push(("environment", Some(e.clone()))),
            Claim::Missing => values.push(("environment", None)),
            Claim::Unknown => {}
        }
        if let Some(e) = &self.via.event {
            values.push(("event_name", Some(e.clone())));
        }
        if let Some(r) = &self.runner_environment {
            values.push(("runner_environment", Some(r.clone())));
        }
        values
    }

    /// The claims as [`Claims`] for a registry's matcher: see [`PredictedToken::claim_values`].
    pub fn claims(&self, assumed: Option<(&str, &str)>, audience: Option<&str>) -> Claims {
        let values: IndexMap<String, Value> = self
            .claim_values(assumed, audience)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.map_or(Value::Null, Value::String)))
            .collect();
        Claims::partial(values)
    }

    /// The JSON form `check --format json` prints: `{"via": {...}, "claims": {...}}`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl serde::Serialize for PredictedToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(serde::Serialize)]
        struct At<'a> {
            file: &'a str,
            line: usize,
            column: usize,
        }
        #[derive(serde::Serialize)]
        struct Caller<'a> {
            workflow: &'a str,
            job: &'a str,
        }
        #[derive(serde::Serialize)]
        struct ViaJson<'a> {
            event: Option<&'a str>,
            workflow: Option<&'a str>,
            callers: Vec<Caller<'a>>,
            at: Option<At<'a>>,
        }
        struct ClaimsJson(Vec<(&'static str, Option<String>)>);
        impl serde::Serialize for ClaimsJson {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in &self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        let via = ViaJson {
            event: self.via.event.as_deref(),
            workflow: self.via.workflow.as_deref(),
            callers: self
                .via
                .callers
                .iter()
                .map(|(w, j)| Caller {
                    workflow: w,
                    job: j,
                })
                .collect(),
            at: self.via.origin.as_ref().map(|o| At {
                file: &o.path,
                line: o.line,
                column: o.column,
            }),
        };
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("via", &via)?;
        map.serialize_entry("claims", &ClaimsJson(self.claim_values(None, None)))?;
        map.end()
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
