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
/// it. An interrupted run leaves the old file or none, never half of a new one; the temporary
/// file a killed run left (`.NAME.PID.tmp`, its process gone) is removed by the next.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    remove_stale_temporaries(&dir, &name);
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

/// Removes the `.NAME.PID.tmp` files in `dir` whose process no longer runs: what a run killed
/// while writing `NAME` (`kill -9`, an out-of-memory kill) left behind. The file of a run still
/// writing is left alone.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten().take(10_000) {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id runs (or may: when it cannot be told, it is assumed to).
fn process_runs(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 sends nothing; it only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
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

    #[cfg(unix)]
    #[test]
    fn temporary_files_of_dead_runs_are_removed_and_a_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("trustpub-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A process id that does not run: the largest a Linux system allows, plus one.
        let dead = dir.join(".drift.json.4194305.tmp");
        let alive = dir.join(format!(
            ".drift.json.{}.tmp",
            std::os::unix::process::parent_id()
        ));
        let other = dir.join(".other.json.4194305.tmp");
        for f in [&dead, &alive, &other] {
            std::fs::write(f, "half").unwrap();
        }
        write_atomically(&dir.join("drift.json"), b"{}").unwrap();
        assert!(!dead.exists());
        assert!(alive.exists() && other.exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("drift.json")).unwrap(),
            "{}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
