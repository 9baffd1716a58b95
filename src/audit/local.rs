//! What a repository's own files say, exactly as `check` and `init` say it for a local copy:
//! the files read from GitHub are laid out in a private temporary folder (the paths the tree
//! gave, none outside it), and the same readers, rules and inference run on it. The desired
//! state is the repository's `expected-publishers.toml` (`declared`), else what `init` infers
//! from its workflows and manifests (`inferred`), else `none`.

use std::path::{Path, PathBuf};

use super::plan::{DESIRED_STATE_PATHS, Files, Repo};
use crate::check::{self, Repository, SiteSummary};
use crate::config;
use crate::diag::Severity;
use crate::drift::source::Unknown;
use crate::identity::{Publisher, Registry};
use crate::source::SourceFile;

/// Where the desired state came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesiredKind {
    /// The repository's `expected-publishers.toml`.
    Declared,
    /// Inferred from the workflows, as `init` does.
    Inferred,
    /// Neither: no file, and no publishing step to infer from.
    None,
}

impl DesiredKind {
    /// `declared`, `inferred`, `none`.
    pub fn id(self) -> &'static str {
        match self {
            DesiredKind::Declared => "declared",
            DesiredKind::Inferred => "inferred",
            DesiredKind::None => "none",
        }
    }
}

/// One finding of `check`'s rules on the fetched files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule id.
    pub rule: &'static str,
    /// `error`, `warning`, `note`.
    pub severity: Severity,
    /// The file, relative to the repository.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// The publisher it concerns, where the rule says.
    pub publisher: Option<(Registry, String)>,
}

/// What the files say.
#[derive(Debug, Default)]
pub struct Local {
    /// Where the desired state came from (`None` until known).
    pub desired: Option<DesiredKind>,
    /// The publishers of the desired state.
    pub publishers: Vec<Publisher>,
    /// Every finding of `check`.
    pub findings: Vec<Finding>,
    /// Every publishing site, with how it authenticates.
    pub sites: Vec<SiteSummary>,
    /// What could not be decided.
    pub unknown: Vec<Unknown>,
    /// Worth knowing.
    pub notes: Vec<String>,
}

/// A tree path that stays inside the folder: relative, no `..`, no empty part.
fn safe(path: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = path.split('/').collect();
    let ok = !path.is_empty()
        && parts
            .iter()
            .all(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains('\\'));
    ok.then(|| parts.iter().collect())
}

/// Lays the files out under `root`; the unreadable ones become unknowns.
fn lay_out(root: &Path, files: &Files, local: &mut Local) {
    for f in &files.files {
        match &f.text {
            Ok(text) => {
                let Some(rel) = safe(&f.path) else { continue };
                let full = root.join(rel);
                let written = full
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&full, text));
                if let Err(e) = written {
                    local.unknown.push(Unknown::new(
                        "trustpub",
                        "file",
                        None,
                        format!("{}: cannot lay it out to read it: {e}", f.path),
                    ));
                }
            }
            Err(u) => local.unknown.push(u.clone()),
        }
    }
}

/// Reads the desired state, the workflows and the findings of `repo` from `files`.
pub fn analyse(repo: &Repo, files: &Files) -> Local {
    let mut local = Local {
        notes: files.notes.clone(),
        ..Local::default()
    };
    let dir = match tempfile::Builder::new().prefix("trustpub-audit-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            local.unknown.push(Unknown::new(
                "trustpub",
                "files",
                None,
                format!("cannot make a temporary folder: {e}"),
            ));
            return local;
        }
    };
    let root = dir.path();
    lay_out(root, files, &mut local);
    let shown = format!("{}/", crate::source::display_path(root));
    let strip = |s: &str| s.replace(&shown, "");
    let repository = repo.full_name.split_once('/').map(|(o, n)| Repository {
        owner: o.to_owned(),
        name: n.to_owned(),
        origin: "GitHub".into(),
    });
    let workflows: Vec<PathBuf> = files
        .workflows
        .iter()
        .filter_map(|p| safe(p))
        .map(|p| root.join(p))
        .filter(|p| p.is_file())
        .collect();
    let mut read = match check::read_workflows(&workflows) {
        Ok(r) => r,
        Err(e) => {
            local.unknown.push(Unknown::new(
                "trustpub",
                "workflows",
                None,
                strip(&e.to_string()),
            ));
            return local;
        }
    };
    let _ = check::read_local_calls(&mut read, root);
    let actions = check::read_local_actions(&mut read, root);
    let repo_files = check::RepoFiles {
        root: Some(root.to_path_buf()),
        actions,
    };
    let declared = DESIRED_STATE_PATHS.iter().find_map(|p| {
        files
            .files
            .iter()
            .find(|f| f.path == *p)
            .and_then(|f| f.text.as_ref().ok().map(|t| (*p, t.clone())))
    });
    let (desired, problems) = match declared {
        Some((path, text)) => {
            local.desired = Some(DesiredKind::Declared);
            match config::parse_lenient(SourceFile::new(path, text)) {
                Ok(parsed) => parsed,
                Err(e) => {
                    local.unknown.push(Unknown::new(
                        "trustpub",
                        "desired-state",
                        None,
                        format!("{path}: {e}"),
                    ));
                    return local;
                }
            }
        }
        None => {
            let generated = crate::init::generate(&read, repository.as_ref(), &repo_files);
            // The publishers a stored credential serves are written commented out for a
            // person to register; here they are what the repository publishes.
            let source = SourceFile::new(
                config::DEFAULT_PATH,
                format!("{}\n{}", generated.text, generated.stored),
            );
            match config::parse_lenient(source) {
                Ok((d, _)) if !d.publishers.is_empty() => {
                    local.desired = Some(DesiredKind::Inferred);
                    if generated.uninferred > 0 {
                        local.notes.push(format!(
                            "{} value(s) could not be inferred from the workflows (run `trustpub init` in the repository to see which)",
                            generated.uninferred
                        ));
                    }
                    (d, Vec::new())
                }
                _ => {
                    local.desired = Some(DesiredKind::None);
                    (
                        config::DesiredState {
                            source: SourceFile::new(config::DEFAULT_PATH, String::new()),
                            publishers: Vec::new(),
                            thresholds: config::Thresholds::default(),
                            warnings: Vec::new(),
                        },
                        Vec::new(),
                    )
                }
            }
        }
    };
    local.publishers = desired.publishers.clone();
    let inputs = check::Inputs {
        desired,
        config_problems: problems,
        workflows: read.workflows,
        unreadable: read.unreadable,
        unreadable_sources: read.unreadable_sources,
        repository,
        complete: true,
        files: repo_files,
    };
    let report = check::check(inputs);
    local.findings = report
        .findings
        .iter()
        .map(|d| Finding {
            rule: d.rule,
            severity: d.severity,
            file: strip(&d.primary.path),
            line: d.primary.position.line,
            message: strip(&d.message),
            publisher: d.publisher.clone(),
        })
        .collect();
    local.sites = report
        .sites
        .into_iter()
        .map(|mut s| {
            s.workflow = strip(&s.workflow);
            s.file = strip(&s.file);
            s
        })
        .collect();
    local
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::plan::File;

    fn files(list: &[(&str, &str)]) -> Files {
        Files {
            tree_url: "t".into(),
            workflows: list
                .iter()
                .filter(|(p, _)| p.starts_with(".github/workflows/"))
                .map(|(p, _)| (*p).to_owned())
                .collect(),
            files: list
                .iter()
                .map(|(p, t)| File {
                    path: (*p).into(),
                    url: format!("u/{p}"),
                    text: Ok((*t).into()),
                })
                .collect(),
            notes: Vec::new(),
        }
    }

    fn repo() -> Repo {
        Repo {
            full_name: "octo/widget".into(),
            url: "u".into(),
            owner_id: Some(1),
            default_branch: Some("main".into()),
            archived: false,
            fork: false,
            private: false,
        }
    }

    const WORKFLOW: &str = "on:\n  push:\n    tags: ['v*']\njobs:\n  release:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@v4\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";

    #[test]
    fn without_a_file_the_desired_state_is_inferred() {
        let l = analyse(
            &repo(),
            &files(&[
                (".github/workflows/release.yml", WORKFLOW),
                ("pyproject.toml", "[project]\nname = \"widget\"\n"),
            ]),
        );
        assert_eq!(l.desired, Some(DesiredKind::Inferred), "{l:?}");
        assert_eq!(l.publishers.len(), 1);
        assert_eq!(l.publishers[0].project, "widget");
        assert_eq!(l.publishers[0].workflow, "release.yml");
        assert!(l.sites.iter().all(|s| !s.file.contains("trustpub-audit-")));
    }

    #[test]
    fn a_declared_file_wins_and_nothing_is_none() {
        let toml = "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n";
        let l = analyse(
            &repo(),
            &files(&[
                (".github/expected-publishers.toml", toml),
                (".github/workflows/release.yml", WORKFLOW),
            ]),
        );
        assert_eq!(l.desired, Some(DesiredKind::Declared));
        assert_eq!(l.publishers.len(), 1);
        let l = analyse(&repo(), &files(&[("README.md", "hi")]));
        assert_eq!(l.desired, Some(DesiredKind::None));
        assert!(safe("../x").is_none() && safe("/x").is_none() && safe("a/b").is_some());
    }
}
