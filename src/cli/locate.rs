//! Where a command runs: the desired-state file found from anywhere in the repository, as ruff,
//! cargo-deny and zizmor find their configuration.
//!
//! Without `--config` (or `TRUSTPUB_CONFIG`), `expected-publishers.toml` is looked for in the
//! working directory and each folder above it, then `.github/expected-publishers.toml` in each,
//! up to the repository's top level (the folder holding `.git`) and no further. The folder it is
//! found in (the one holding `.github` for the second form) is the project root: the command
//! runs there, so workflows are found relative to it and every path it prints is relative to it,
//! as GitHub's annotations and code scanning expect. Paths given on the command line keep
//! meaning what they meant where they were typed.

use std::path::{Path, PathBuf};

use super::{Cli, Command};
use crate::config::DEFAULT_PATH;
use crate::error::InputError;
use crate::paths::lexical_absolute;

/// Where a command should run and which desired-state file it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The folder the command runs in (the working directory when nothing moved it).
    pub root: PathBuf,
    /// The desired-state file, relative to `root` when it lies inside it.
    pub config: PathBuf,
}

/// The folders git itself never climbs into (`GIT_CEILING_DIRECTORIES`, colon-separated):
/// the search stops below them too.
fn ceilings() -> Vec<PathBuf> {
    std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| p.is_absolute())
                .collect()
        })
        .unwrap_or_default()
}

/// `dir` and the folders above it, stopping below a ceiling.
fn upwards<'p>(dir: &'p Path, ceilings: &[PathBuf]) -> impl Iterator<Item = &'p Path> {
    let ceilings = ceilings.to_vec();
    dir.ancestors()
        .enumerate()
        .take_while(move |(i, d)| *i == 0 || !ceilings.iter().any(|c| c == d))
        .map(|(_, d)| d)
}

/// The repository's top level at or above `dir`: the nearest folder that holds `.git` (a
/// folder, or a file in a worktree or submodule), as git finds it.
pub fn repository_top(dir: &Path) -> Option<PathBuf> {
    upwards(dir, &ceilings())
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// The folders searched from `cwd`: `cwd` and each folder above it, up to the repository's
/// top level (or only `cwd` outside a repository).
fn searched(cwd: &Path) -> Vec<&Path> {
    let top = repository_top(cwd);
    let mut out = Vec::new();
    for d in cwd.ancestors() {
        out.push(d);
        if top.as_deref().is_none_or(|t| t == d) {
            break;
        }
    }
    out
}

/// The desired-state file for a command run in `cwd` with no `--config`: found as the module
/// says, or the error that names every place looked in and suggests `trustpub init`.
pub fn find_config(cwd: &Path) -> Result<Located, InputError> {
    let dirs = searched(cwd);
    for d in &dirs {
        for (candidate, root) in [
            (d.join(DEFAULT_PATH), d.to_path_buf()),
            (d.join(".github").join(DEFAULT_PATH), d.to_path_buf()),
        ] {
            if candidate.is_file() {
                let config = candidate
                    .strip_prefix(&root)
                    .map_or_else(|_| candidate.clone(), Path::to_path_buf);
                return Ok(Located { root, config });
            }
        }
    }
    let places: Vec<String> = dirs
        .iter()
        .map(|d| crate::source::display_path(d))
        .collect();
    let whence = match dirs.last() {
        Some(last) if dirs.len() > 1 && repository_top(cwd).as_deref() == Some(last) => {
            " (up to the repository's top level)"
        }
        _ => "",
    };
    Err(InputError::Read {
        path: DEFAULT_PATH.into(),
        reason: format!(
            "not found in {}{whence}, nor in .github/ there: run `trustpub init` to write one, or name one with --config PATH",
            places.join(", ")
        ),
    })
}

/// Where `init` writes without `--config`: the desired-state file found as for every command
/// (it refuses to overwrite it without `--force`), else `expected-publishers.toml` at the
/// repository's top level (the working directory outside a repository).
pub fn init_target(cwd: &Path) -> Located {
    find_config(cwd).unwrap_or_else(|_| Located {
        root: repository_top(cwd).unwrap_or_else(|| cwd.to_path_buf()),
        config: PathBuf::from(DEFAULT_PATH),
    })
}

/// `path`, typed in `cwd`, as seen from `root`: relative to `root` when inside it, else
/// absolute.
pub fn rebase(path: &Path, cwd: &Path, root: &Path) -> PathBuf {
    if cwd == root || path.as_os_str() == "-" {
        return path.to_path_buf();
    }
    let absolute = lexical_absolute(path, cwd);
    match absolute.strip_prefix(root) {
        Ok(inside) if inside.as_os_str().is_empty() => PathBuf::from("."),
        Ok(inside) => inside.to_path_buf(),
        Err(_) => absolute,
    }
}

impl Cli {
    /// The desired-state file: `--config`, else the default name (before [`Cli::locate`]).
    pub fn config_path(&self) -> &Path {
        self.config.as_deref().unwrap_or(Path::new(DEFAULT_PATH))
    }

    /// Works out where the command runs from `cwd` (see the module documentation) and rewrites
    /// every path of the command line to mean the same from there. Returns the folder to run
    /// in when it is not `cwd`. With `--config`, nothing moves.
    pub fn locate(&mut self, cwd: &Path) -> Result<Option<PathBuf>, InputError> {
        if self.config.is_some() {
            return Ok(None);
        }
        let located = match &self.command {
            Command::Schema | Command::Completions(_) | Command::Man(_) | Command::Audit(_) => {
                return Ok(None);
            }
            Command::Check(args) if args.explain.is_some() => return Ok(None),
            Command::Init(_) => init_target(cwd),
            _ => find_config(cwd)?,
        };
        self.config = Some(located.config);
        if located.root == cwd {
            return Ok(None);
        }
        for path in self.paths_mut() {
            *path = rebase(path, cwd, &located.root);
        }
        Ok(Some(located.root))
    }

    /// Every path the command line names (besides `--config`).
    fn paths_mut(&mut self) -> Vec<&mut PathBuf> {
        match &mut self.command {
            Command::Check(a) => a.paths.iter_mut().collect(),
            Command::Init(a) => a.paths.iter_mut().collect(),
            Command::Explain(a) => [&mut a.token_file, &mut a.claims, &mut a.log, &mut a.jwks]
                .into_iter()
                .filter_map(Option::as_mut)
                .collect(),
            Command::Drift(a) => [&mut a.output, &mut a.from_dir, &mut a.record]
                .into_iter()
                .filter_map(Option::as_mut)
                .collect(),
            Command::Template(_)
            | Command::Audit(_)
            | Command::Preflight(_)
            | Command::Schema
            | Command::Completions(_)
            | Command::Man(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            if f.ends_with('/') {
                std::fs::create_dir_all(&p).unwrap();
            } else {
                std::fs::write(&p, "").unwrap();
            }
        }
        dir
    }

    #[test]
    fn found_at_the_top_from_a_subdirectory() {
        let t = tree(&[".git/", "expected-publishers.toml", "src/deep/"]);
        let cwd = t.path().join("src/deep");
        let found = find_config(&cwd).unwrap();
        assert_eq!(found.root, t.path());
        assert_eq!(found.config, Path::new("expected-publishers.toml"));
    }

    #[test]
    fn the_github_folder_holds_it_too_and_the_nearest_wins() {
        let t = tree(&[
            ".git/",
            ".github/expected-publishers.toml",
            "pkg/expected-publishers.toml",
        ]);
        let top = find_config(t.path()).unwrap();
        assert_eq!(top.config, Path::new(".github/expected-publishers.toml"));
        assert_eq!(top.root, t.path());
        let nearest = find_config(&t.path().join("pkg")).unwrap();
        assert_eq!(nearest.root, t.path().join("pkg"));
    }

    #[test]
    fn the_search_stops_at_the_repository_and_says_where_it_looked() {
        // A file above the repository belongs to another project: never read.
        let t = tree(&["expected-publishers.toml", "repo/.git/", "repo/a/"]);
        let err = find_config(&t.path().join("repo/a"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("repo/a, "), "{err}");
        assert!(err.contains("up to the repository's top level"), "{err}");
        assert!(err.contains("trustpub init"), "{err}");
        assert!(!err.contains(&format!("{}, ", t.path().display())), "{err}");
    }

    #[test]
    fn init_writes_at_the_top_when_there_is_none() {
        let t = tree(&[".git/", "src/"]);
        let target = init_target(&t.path().join("src"));
        assert_eq!(target.root, t.path());
        assert_eq!(target.config, Path::new("expected-publishers.toml"));
    }

    #[test]
    fn paths_typed_below_keep_their_meaning() {
        let root = Path::new("/r");
        let cwd = Path::new("/r/src");
        assert_eq!(
            rebase(Path::new("x.log"), cwd, root),
            Path::new("src/x.log")
        );
        assert_eq!(
            rebase(Path::new("../.github/workflows"), cwd, root),
            Path::new(".github/workflows")
        );
        assert_eq!(rebase(Path::new(".."), cwd, root), Path::new("."));
        assert_eq!(
            rebase(Path::new("../../elsewhere"), cwd, root),
            Path::new("/elsewhere")
        );
        assert_eq!(rebase(Path::new("/abs/x"), cwd, root), Path::new("/abs/x"));
        assert_eq!(rebase(Path::new("-"), cwd, root), Path::new("-"));
    }
}
