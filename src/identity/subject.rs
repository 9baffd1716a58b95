//! GitHub's `sub` claim, parsed: the one reader of it for every layer.
//!
//! GitHub builds `sub` from a template (docs "OpenID Connect reference", "Customizing the subject
//! claims"): by default `repo:OWNER/REPO:` followed by one context (`environment:NAME`,
//! `pull_request`, or `ref:REF`); a repository may replace it with its own list of claims
//! (`include_claim_keys`, written `key:value:...`, where the pseudo-keys `repo` and `context`
//! stand for the default parts). Repositories created, renamed or transferred after 2026-07-15
//! (and those that opt in) get the **immutable** form, whose repository segment carries the
//! numeric ids: `repo:OWNER@OWNER_ID/REPO@REPO_ID:...` (github.blog changelog 2026-04-23
//! "immutable subject claims"; the ids stay there under a custom template too). A `:` inside a
//! value is written `%3A`.
//!
//! A log or a claims document often shows `sub` without the claims it is built from (the older
//! bullet set of gh-action-pypi-publish prints `sub` but no `environment`): [`subject_claims`]
//! reads them out of it, so a claim inside `sub` counts where the claim itself is absent.

use serde_json::Value;

/// The repository segment of a subject (`repo:OWNER/REPO` or `repo:OWNER@ID/REPO@ID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRepository {
    /// The owner's login.
    pub owner: String,
    /// The owner's numeric id (immutable form only).
    pub owner_id: Option<String>,
    /// The repository's name.
    pub name: String,
    /// The repository's numeric id (immutable form only).
    pub repository_id: Option<String>,
}

/// Which template produced a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectForm {
    /// GitHub's default: `repo:OWNER/REPO:<context>`.
    Default,
    /// The default template with the immutable repository segment: `repo:OWNER@ID/REPO@ID:<context>`.
    Immutable,
    /// A repository's own `include_claim_keys` (immutable or not: see `repository`).
    Custom,
}

/// A parsed `sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The template that produced it.
    pub form: SubjectForm,
    /// The repository segment, when the subject has one.
    pub repository: Option<SubjectRepository>,
    /// The other parts, in order, as `(key, value)`; `pull_request` has an empty value. The
    /// values are decoded (`%3A` is `:`).
    pub parts: Vec<(String, String)>,
}

impl Subject {
    /// Parses a `sub` claim. Any text parses: what is not GitHub's default shape is `Custom`.
    pub fn parse(sub: &str) -> Subject {
        let tokens: Vec<&str> = sub.split(':').collect();
        let mut repository = None;
        let mut parts = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let key = tokens[i];
            if key == "pull_request" {
                parts.push((key.to_owned(), String::new()));
                i += 1;
                continue;
            }
            let value = tokens.get(i + 1).map_or_else(String::new, |v| decode(v));
            if key == "repo" && repository.is_none() {
                repository = parse_repository(&value);
            } else {
                parts.push((key.to_owned(), value));
            }
            i += 2;
        }
        let default_context = match parts.as_slice() {
            [(k, _)] => k == "environment" || k == "ref" || k == "pull_request",
            _ => false,
        };
        let form = match &repository {
            Some(r) if sub.starts_with("repo:") && default_context => {
                if r.owner_id.is_some() {
                    SubjectForm::Immutable
                } else {
                    SubjectForm::Default
                }
            }
            _ => SubjectForm::Custom,
        };
        Subject {
            form,
            repository,
            parts,
        }
    }

    /// Whether the repository segment carries the owner's and repository's ids.
    pub fn is_immutable(&self) -> bool {
        self.repository
            .as_ref()
            .is_some_and(|r| r.owner_id.is_some() && r.repository_id.is_some())
    }

    /// The value of a part (`environment`, `ref`, ...), when the subject has it.
    pub fn part(&self, key: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_repository(value: &str) -> Option<SubjectRepository> {
    let (owner, name) = value.split_once('/')?;
    let split_id = |s: &str| match s.split_once('@') {
        Some((n, id)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            (n.to_owned(), Some(id.to_owned()))
        }
        _ => (s.to_owned(), None),
    };
    let (owner, owner_id) = split_id(owner);
    let (name, repository_id) = split_id(name);
    Some(SubjectRepository {
        owner,
        owner_id,
        name,
        repository_id,
    })
}

fn decode(value: &str) -> String {
    value.replace("%3A", ":").replace("%3a", ":")
}

/// The `sub` GitHub's default template writes for a run of `owner/name` (with `ids`
/// `(owner_id, repository_id)` in the immutable form), from its environment, event and ref.
/// `None` when the context cannot be told (no environment, not a pull request, no ref).
pub fn default_subject(
    owner: &str,
    name: &str,
    ids: Option<(&str, &str)>,
    environment: Option<&str>,
    event_name: Option<&str>,
    git_ref: Option<&str>,
) -> Option<String> {
    let repo = match ids {
        Some((o, r)) => format!("repo:{owner}@{o}/{name}@{r}"),
        None => format!("repo:{owner}/{name}"),
    };
    if let Some(env) = environment {
        return Some(format!("{repo}:environment:{}", env.replace(':', "%3A")));
    }
    if event_name == Some("pull_request") {
        return Some(format!("{repo}:pull_request"));
    }
    git_ref.map(|r| format!("{repo}:ref:{}", r.replace(':', "%3A")))
}

/// The claims a GitHub `sub` carries, as `(claim, value)`: from its repository segment
/// `repository`, `repository_owner` and, in the immutable form, `repository_owner_id` and
/// `repository_id`; `environment` and `ref` from their parts. In GitHub's default template an
/// environment, when the job has one, takes the place of every other context, so a default
/// subject with a `ref:` or `pull_request` context says the job had no environment
/// (`Value::Null`). A subject without a `repo:` segment (GitLab's `project_path:...`, a custom
/// template without `repo`) gives nothing.
pub fn subject_claims(sub: &str) -> Vec<(&'static str, Value)> {
    let subject = Subject::parse(sub);
    let Some(repo) = subject
        .repository
        .as_ref()
        .filter(|r| !r.owner.is_empty() && !r.name.is_empty())
    else {
        return Vec::new();
    };
    let mut out = vec![
        (
            "repository",
            Value::String(format!("{}/{}", repo.owner, repo.name)),
        ),
        ("repository_owner", Value::String(repo.owner.clone())),
    ];
    if let Some(id) = &repo.owner_id {
        out.push(("repository_owner_id", Value::String(id.clone())));
    }
    if let Some(id) = &repo.repository_id {
        out.push(("repository_id", Value::String(id.clone())));
    }
    match subject.part("environment") {
        Some(env) => out.push(("environment", Value::String(env.to_owned()))),
        None if subject.form != SubjectForm::Custom => out.push(("environment", Value::Null)),
        None => {}
    }
    if let Some(r) = subject.part("ref") {
        out.push(("ref", Value::String(r.to_owned())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_immutable_and_custom_subjects() {
        let s = Subject::parse("repo:octo-org/widget:environment:release");
        assert_eq!(s.form, SubjectForm::Default);
        assert_eq!(s.repository.as_ref().unwrap().owner, "octo-org");
        assert_eq!(s.part("environment"), Some("release"));
        assert!(!s.is_immutable());

        let s = Subject::parse("repo:PerryLink@255665900/jevcore@1377893932:ref:refs/heads/main");
        assert_eq!(s.form, SubjectForm::Immutable);
        let r = s.repository.as_ref().unwrap();
        assert_eq!(
            (
                r.owner.as_str(),
                r.owner_id.as_deref(),
                r.name.as_str(),
                r.repository_id.as_deref()
            ),
            (
                "PerryLink",
                Some("255665900"),
                "jevcore",
                Some("1377893932")
            )
        );
        assert!(s.is_immutable());
        assert_eq!(s.part("ref"), Some("refs/heads/main"));

        let s = Subject::parse("repo:o/r:pull_request");
        assert_eq!(s.form, SubjectForm::Default);
        assert_eq!(s.part("pull_request"), Some(""));

        let s = Subject::parse("repository_owner:monalisa:repository_visibility:private");
        assert_eq!(s.form, SubjectForm::Custom);
        assert!(s.repository.is_none());
        assert_eq!(s.part("repository_owner"), Some("monalisa"));

        let s = Subject::parse(
            "repo:o@1/r@2:environment:prod:job_workflow_ref:o/r/.github/workflows/x.yml@refs/heads/main",
        );
        assert_eq!(s.form, SubjectForm::Custom);
        assert!(s.is_immutable());

        let s = Subject::parse("repo:o/r:environment:Production%3AV1");
        assert_eq!(s.part("environment"), Some("Production:V1"));
        for odd in ["", ":", "repo", "repo:", "repo:noslash:ref:x", "::::"] {
            let _ = Subject::parse(odd);
        }
    }

    #[test]
    fn default_subjects_are_built_like_githubs() {
        assert_eq!(
            default_subject("o", "r", None, Some("a:b"), None, None).as_deref(),
            Some("repo:o/r:environment:a%3Ab")
        );
        assert_eq!(
            default_subject("o", "r", Some(("1", "2")), None, None, Some("refs/tags/v1"))
                .as_deref(),
            Some("repo:o@1/r@2:ref:refs/tags/v1")
        );
        assert_eq!(
            default_subject("o", "r", None, None, Some("pull_request"), Some("x")).as_deref(),
            Some("repo:o/r:pull_request")
        );
    }

    #[test]
    fn the_claims_inside_a_subject() {
        let c = subject_claims("repo:o/r:environment:release");
        assert!(c.contains(&("environment", Value::String("release".into()))));
        assert!(c.contains(&("repository", Value::String("o/r".into()))));
        // The default template puts an environment first: a ref context means none.
        let c = subject_claims("repo:o/r:ref:refs/tags/v1");
        assert!(c.contains(&("environment", Value::Null)));
        assert!(c.contains(&("ref", Value::String("refs/tags/v1".into()))));
        let c = subject_claims("repo:o@12/r@34:pull_request");
        assert!(c.contains(&("repository_owner_id", Value::String("12".into()))));
        assert!(c.contains(&("repository_id", Value::String("34".into()))));
        assert!(c.contains(&("repository", Value::String("o/r".into()))));
        assert!(c.contains(&("environment", Value::Null)));
        // A custom template says nothing about what it leaves out.
        let c =
            subject_claims("repo:o/r:job_workflow_ref:o/r/.github/workflows/x.yml@refs/heads/main");
        assert!(!c.iter().any(|(k, _)| *k == "environment"));
        assert!(subject_claims("project_path:group/p:ref_type:branch:ref:main").is_empty());
        assert!(c.contains(&("repository", Value::String("o/r".into()))));
        let c = subject_claims("repo:o/r:environment:Production%3AV1");
        assert!(c.contains(&("environment", Value::String("Production:V1".into()))));
    }
}
