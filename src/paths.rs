//! Keeping reads inside the repository. trustpub runs on pull requests from strangers, whose
//! checkout may hold a symbolic link such as `.github/workflows/x.yml -> /home/runner/.ssh/id_rsa`:
//! reading it would quote the target in a finding's snippet. So a file that lies inside the
//! repository by its path (the current directory, where `check` runs) is read only when it also
//! resolves inside it, symbolic links followed. A file named outside the current directory (an
//! explicit `/tmp/x.yml`) is the user's own choice: it must resolve inside its own folder.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What a refused path is told as.
pub const ESCAPES: &str = "a symbolic link that leads outside the repository: not read";

/// `path` made absolute against `cwd`, with `.` and `..` resolved by name (no file system).
pub fn lexical_absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The folder a path must resolve inside: the repository (the current directory) for a path
/// inside it, otherwise the folder that holds the path.
pub fn root_for(path: &Path, cwd: &Path) -> PathBuf {
    let abs = lexical_absolute(path, cwd);
    if abs.starts_with(cwd) {
        cwd.to_path_buf()
    } else {
        abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
    }
}

/// Whether `path`, which exists, resolves outside the folder it must stay in (see the module
/// documentation). A path that cannot be resolved does not escape: reading it fails on its own.
pub fn escapes(path: &Path) -> bool {
    let Ok(cwd) = std::env::current_dir() else {
        return false;
    };
    escapes_from(path, &cwd)
}

/// [`escapes`] against an explicit current directory.
pub fn escapes_from(path: &Path, cwd: &Path) -> bool {
    let root = root_for(path, cwd);
    let (Ok(real), Some(real_root)) = (
        std::fs::canonicalize(lexical_absolute(path, cwd)),
        canonical_root(&root),
    ) else {
        return false;
    };
    !real.starts_with(real_root)
}

/// A root folder resolved once per run: every workflow of a folder shares it.
fn canonical_root(root: &Path) -> Option<PathBuf> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static ROOTS: OnceLock<Mutex<HashMap<PathBuf, PathBuf>>> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = roots.lock().ok()?.get(root) {
        return Some(found.clone());
    }
    let real = std::fs::canonicalize(root).ok()?;
    if let Ok(mut map) = roots.lock()
        && map.len() < 1024
    {
        map.insert(root.to_path_buf(), real.clone());
    }
    Some(real)
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed, then renamed over
/// it. An interrupted run leaves the old file or none, never half of a new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_resolved_by_name() {
        let cwd = Path::new("/repo");
        assert_eq!(
            lexical_absolute(Path::new("./a/../b/./c.yml"), cwd),
            PathBuf::from("/repo/b/c.yml")
        );
        assert_eq!(
            lexical_absolute(Path::new("../../x"), cwd),
            PathBuf::from("/x")
        );
        assert_eq!(root_for(Path::new(".github/workflows/a.yml"), cwd), cwd);
        assert_eq!(
            root_for(Path::new("/tmp/w/a.yml"), cwd),
            PathBuf::from("/tmp/w")
        );
        assert_eq!(
            root_for(Path::new("../other/a.yml"), cwd),
            PathBuf::from("/other")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_repository_escapes_and_one_inside_does_not() {
        let base = std::env::temp_dir().join(format!("trustpub-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let repo = base.join("repo");
        std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
        std::fs::write(base.join("secret.txt"), "s").unwrap();
        std::fs::write(repo.join("real.yml"), "on: push").unwrap();
        let wf = repo.join(".github/workflows");
        std::os::unix::fs::symlink(base.join("secret.txt"), wf.join("out.yml")).unwrap();
        std::os::unix::fs::symlink(repo.join("real.yml"), wf.join("in.yml")).unwrap();
        std::os::unix::fs::symlink("../../../secret.txt", wf.join("rel.yml")).unwrap();
        let repo = repo.canonicalize().unwrap();
        assert!(escapes_from(Path::new(".github/workflows/out.yml"), &repo));
        assert!(escapes_from(Path::new(".github/workflows/rel.yml"), &repo));
        assert!(!escapes_from(Path::new(".github/workflows/in.yml"), &repo));
        assert!(!escapes_from(Path::new("real.yml"), &repo));
        // Named outside the repository: its own folder is the limit.
        assert!(!escapes_from(&base.join("secret.txt"), &repo));
        let _ = std::fs::remove_dir_all(&base);
    }
}
