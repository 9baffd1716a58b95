//! The request plan: every GitHub request `audit` makes, in one place, so that GraphQL batching
//! can replace it later. Per organization (or user) the repository list, 100 to a page,
//! following the `Link` header; per repository one recursive `git/trees` listing of the default
//! branch, then one `git/blobs` request per file read (the workflows, the desired state, the
//! composite actions and package manifests the inference reads). For `--repos FILE`, one
//! `GET /repos/{owner}/{name}` per repository replaces the list. That is at most 2 requests per
//! repository plus one per file read; a blob is addressed by its content, so it never changes
//! and a cached one is always answered 304.
//!
//! Endpoints (docs.github.com/en/rest, API version 2022-11-28): `GET /orgs/{org}/repos`
//! (`type=all`), `GET /users/{username}/repos` (`type=owner`), `GET /repos/{owner}/{repo}`,
//! `GET /repos/{owner}/{repo}/git/trees/{tree_sha}?recursive=1` (a branch name is accepted as
//! `tree_sha`; `truncated` when the listing passed GitHub's limit), and
//! `GET /repos/{owner}/{repo}/git/blobs/{file_sha}` (`content`, `encoding: base64`).

use base64::Engine;
use serde_json::Value;

use crate::drift::source::github::ACCEPT;
use crate::drift::source::{Fetched, Unknown, segment, str_field};
use crate::net::http::Http;
use crate::net::response::Response;

const SOURCE: &str = "github";

/// The most repositories one audit lists (100 pages of 100).
pub const MAX_REPOSITORIES: usize = 10_000;
/// The most files read of one repository.
pub const MAX_FILES: usize = 64;
/// The largest file read (by the size the tree gives); a larger one is not fetched.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The deepest folder a package manifest or composite action is looked for in.
pub const MAX_DEPTH: usize = 4;

/// The repository files the desired state can be in, in the order they are looked for.
pub const DESIRED_STATE_PATHS: [&str; 2] = [
    "expected-publishers.toml",
    ".github/expected-publishers.toml",
];

/// What to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every repository of an organization.
    Org(String),
    /// Every repository a user owns.
    User(String),
    /// These `owner/name` repositories.
    Repos(Vec<String>),
}

/// A repository as GitHub lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// `owner/name`, as GitHub writes it.
    pub full_name: String,
    /// The API URL.
    pub url: String,
    /// The owner's numeric id.
    pub owner_id: Option<u64>,
    /// The default branch (`None`: an empty repository).
    pub default_branch: Option<String>,
    /// Archived.
    pub archived: bool,
    /// A fork.
    pub fork: bool,
    /// Private (or internal).
    pub private: bool,
}

/// The repositories of a target: each one, or for a repository named in `--repos` that could
/// not be read, its name and why.
pub type Listed = Vec<Result<Repo, (String, Unknown)>>;

fn get(http: &Http, check: &'static str, url: &str) -> Fetched<Response> {
    http.get(url, ACCEPT)
        .map_err(|e| Unknown::fetch(SOURCE, check, url, &e))
}

fn refused(http: &Http, check: &'static str, r: &Response, what: &str) -> Unknown {
    let message = r
        .json()
        .ok()
        .and_then(|d| str_field(&d, "message").map(str::to_owned));
    let hint = match (r.status, http.has_github_token()) {
        (401, _) => ": the token was refused",
        (403 | 404, false) => {
            ": it does not exist, or it is private: set GITHUB_TOKEN or GH_TOKEN with read access"
        }
        (403 | 404, true) => ": it does not exist, or the token has no access to it",
        _ => "",
    };
    let message = message.map(|m| format!(" ({m})")).unwrap_or_default();
    Unknown::new(
        SOURCE,
        check,
        Some(&r.url),
        format!("HTTP {} for {what}{message}{hint}", r.status),
    )
}

fn json(check: &'static str, r: &Response) -> Fetched<Value> {
    r.json()
        .map_err(|e| Unknown::fetch(SOURCE, check, &r.url, &e))
}

/// A repository in a list or `GET /repos` answer.
pub fn repo_of(v: &Value, api: &str) -> Option<Repo> {
    let full_name = str_field(v, "full_name")?.to_owned();
    let url = match full_name.split_once('/') {
        Some((o, n)) => format!("{api}/repos/{}/{}", segment(o), segment(n)),
        None => return None,
    };
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    Some(Repo {
        owner_id: v
            .get("owner")
            .and_then(|o| o.get("id"))
            .and_then(Value::as_u64),
        default_branch: str_field(v, "default_branch").map(str::to_owned),
        archived: flag("archived"),
        fork: flag("fork"),
        private: flag("private") || str_field(v, "visibility") == Some("internal"),
        full_name,
        url,
    })
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim();
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

/// Lists the repositories of `target`. An organization or user whose list cannot be read is
/// one unknown for the whole audit.
pub fn list(http: &Http, target: &Target) -> Fetched<Listed> {
    let api = http.base(SOURCE);
    let first = match target {
        Target::Repos(names) => {
            return Ok(names
                .iter()
                .take(MAX_REPOSITORIES)
                .map(|name| one_repo(http, name).map_err(|u| (name.clone(), u)))
                .collect());
        }
        Target::Org(org) => format!("{api}/orgs/{}/repos?type=all&per_page=100", segment(org)),
        Target::User(user) => {
            format!(
                "{api}/users/{}/repos?type=owner&per_page=100",
                segment(user)
            )
        }
    };
    let mut out = Vec::new();
    let mut url = Some(first);
    while let Some(u) = url.take() {
        let r = get(http, "repositories", &u)?;
        if r.status != 200 {
            return Err(refused(http, "repositories", &r, "the repository list"));
        }
        let doc = json("repositories", &r)?;
        let page = doc.as_array().ok_or_else(|| {
            Unknown::new(
                SOURCE,
                "repositories",
                Some(&u),
                "unexpected response: not a list of repositories",
            )
        })?;
        out.extend(page.iter().filter_map(|v| repo_of(v, api)).map(Ok));
        if out.len() >= MAX_REPOSITORIES {
            out.truncate(MAX_REPOSITORIES);
            break;
        }
        // Only a next page on the API asked: a Link elsewhere is not followed.
        url = r
            .header("link")
            .and_then(next_link)
            .filter(|n| n.starts_with(&format!("{api}/")) && !page.is_empty());
    }
    Ok(out)
}

fn one_repo(http: &Http, name: &str) -> Fetched<Repo> {
    let api = http.base(SOURCE);
    let (owner, repo) = name.split_once('/').unwrap_or((name, ""));
    let url = format!("{api}/repos/{}/{}", segment(owner), segment(repo));
    let r = get(http, "repository", &url)?;
    if r.status != 200 {
        return Err(refused(http, "repository", &r, "the repository"));
    }
    let doc = json("repository", &r)?;
    repo_of(&doc, api).ok_or_else(|| {
        Unknown::new(
            SOURCE,
            "repository",
            Some(&url),
            "unexpected response: no `full_name`",
        )
    })
}

/// One file of the default branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its path in the repository.
    pub path: String,
    /// The URL it was read from.
    pub url: String,
    /// Its text, or why it could not be read.
    pub text: Fetched<String>,
}

/// What was read of a repository's default branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    /// The tree's URL.
    pub tree_url: String,
    /// Every workflow file the tree lists (`.github/workflows/*.yml`), read or not.
    pub workflows: Vec<String>,
    /// The files read.
    pub files: Vec<File>,
    /// What was not read and why (a truncated tree, a file too large, too many files).
    pub notes: Vec<String>,
}

/// Whether the audit reads `path` (and how early: lower first).
pub fn wanted(path: &str) -> Option<u8> {
    if DESIRED_STATE_PATHS.contains(&path) {
        return Some(0);
    }
    if let Some(name) = path.strip_prefix(".github/workflows/")
        && !name.contains('/')
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
    {
        return Some(1);
    }
    if path.split('/').count() > MAX_DEPTH + 1 || path.split('/').any(|s| s == "..") {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "action.yml" | "action.yaml" => Some(2),
        "pyproject.toml" | "setup.cfg" | "setup.py" | "Cargo.toml" | "package.json" => Some(3),
        n if n.ends_with(".gemspec") || n.ends_with(".csproj") => Some(3),
        _ => None,
    }
}

/// Reads the files the audit needs from `repo`'s default branch.
pub fn files(http: &Http, repo: &Repo) -> Fetched<Files> {
    let Some(branch) = &repo.default_branch else {
        return Ok(Files {
            tree_url: repo.url.clone(),
            workflows: Vec::new(),
            files: Vec::new(),
            notes: vec!["the repository is empty".into()],
        });
    };
    let tree_url = format!("{}/git/trees/{}?recursive=1", repo.url, segment(branch));
    let r = get(http, "tree", &tree_url)?;
    if r.status == 409 {
        // GitHub's answer for an empty repository.
        return Ok(Files {
            tree_url,
            workflows: Vec::new(),
            files: Vec::new(),
            notes: vec!["the repository is empty".into()],
        });
    }
    if r.status != 200 {
        return Err(refused(http, "tree", &r, "the default branch's files"));
    }
    let doc = json("tree", &r)?;
    let entries = doc.get("tree").and_then(Value::as_array).ok_or_else(|| {
        Unknown::new(
            SOURCE,
            "tree",
            Some(&tree_url),
            "unexpected response: no `tree` list",
        )
    })?;
    let mut notes = Vec::new();
    if doc.get("truncated").and_then(Value::as_bool) == Some(true) {
        notes.push("GitHub truncated the file listing: files past its limit were not read".into());
    }
    let mut picked: Vec<(u8, String, String, u64)> = entries
        .iter()
        .filter(|e| str_field(e, "type") == Some("blob"))
        .filter_map(|e| {
            let path = str_field(e, "path")?;
            let rank = wanted(path)?;
            let sha = str_field(e, "sha")?;
            let size = e.get("size").and_then(Value::as_u64).unwrap_or(0);
            Some((rank, path.to_owned(), sha.to_owned(), size))
        })
        .collect();
    picked.sort();
    let workflows: Vec<String> = picked
        .iter()
        .filter(|p| p.0 == 1)
        .map(|p| p.1.clone())
        .collect();
    if picked.len() > MAX_FILES {
        notes.push(format!(
            "{} files were not read (at most {MAX_FILES} per repository)",
            picked.len() - MAX_FILES
        ));
        picked.truncate(MAX_FILES);
    }
    let mut files = Vec::new();
    for (_, path, sha, size) in picked {
        if size > MAX_FILE_BYTES {
            notes.push(format!(
                "{path} was not read ({size} bytes, more than {MAX_FILE_BYTES})"
            ));
            continue;
        }
        let url = format!("{}/git/blobs/{}", repo.url, segment(&sha));
        let text = blob(http, &url, &path);
        files.push(File { path, url, text });
    }
    Ok(Files {
        tree_url,
        workflows,
        files,
        notes,
    })
}

fn blob(http: &Http, url: &str, path: &str) -> Fetched<String> {
    let r = get(http, "file", url)?;
    if r.status != 200 {
        return Err(refused(http, "file", &r, path));
    }
    let doc = json("file", &r)?;
    let bad = |why: &str| Unknown::new(SOURCE, "file", Some(url), format!("{path}: {why}"));
    let content = str_field(&doc, "content").ok_or_else(|| bad("no `content`"))?;
    let compact: String = content.split_whitespace().collect();
    let bytes = match str_field(&doc, "encoding") {
        Some("base64") | None => base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| bad(&format!("`content` is not base64 ({e})")))?,
        Some("utf-8") => content.as_bytes().to_vec(),
        Some(other) => return Err(bad(&format!("unknown encoding `{other}`"))),
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(bad("larger than the limit"));
    }
    String::from_utf8(bytes).map_err(|_| bad("not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_the_link_with_rel_next() {
        let link = r#"<https://api.github.com/organizations/1/repos?page=2>; rel="next", <https://api.github.com/organizations/1/repos?page=5>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/organizations/1/repos?page=2")
        );
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
    }

    #[test]
    fn files_read_are_the_desired_state_workflows_actions_and_manifests() {
        assert_eq!(wanted("expected-publishers.toml"), Some(0));
        assert_eq!(wanted(".github/expected-publishers.toml"), Some(0));
        assert_eq!(wanted(".github/workflows/release.yml"), Some(1));
        assert_eq!(wanted(".github/workflows/sub/release.yml"), None);
        assert_eq!(wanted(".github/actions/publish/action.yml"), Some(2));
        assert_eq!(wanted("pyproject.toml"), Some(3));
        assert_eq!(wanted("crates/core/Cargo.toml"), Some(3));
        assert_eq!(wanted("a/b/c/d/e/Cargo.toml"), None);
        assert_eq!(wanted("README.md"), None);
    }

    #[test]
    fn a_listed_repository() {
        let v = serde_json::json!({"full_name": "octo/widget", "owner": {"id": 7}, "default_branch": "main",
            "archived": true, "fork": false, "visibility": "internal"});
        let r = repo_of(&v, "http://h").unwrap();
        assert_eq!(r.url, "http://h/repos/octo/widget");
        assert!(r.archived && !r.fork && r.private);
        assert_eq!(r.owner_id, Some(7));
    }
}
