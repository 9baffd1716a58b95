//! Records the git commit the binary is built from, for `trustpub --version`.
//!
//! `TRUSTPUB_BUILD_COMMIT` set in the environment wins (for packagers building from a tarball);
//! otherwise `git rev-parse --short HEAD`, but only when this package is the top of the git
//! checkout (a crate vendored inside another repository must not report that repository's
//! commit). Anything else, a missing git, a tarball, a wheel's sdist, gives "unknown": the build
//! never fails for it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn commit(manifest_dir: &Path) -> Option<String> {
    let top = PathBuf::from(git(manifest_dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != manifest_dir.canonicalize().ok()? {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself, the branch it points at, and packed refs.
    for path in [
        git(manifest_dir, &["rev-parse", "--git-path", "HEAD"]),
        git(manifest_dir, &["symbolic-ref", "-q", "HEAD"])
            .and_then(|r| git(manifest_dir, &["rev-parse", "--git-path", &r])),
        git(manifest_dir, &["rev-parse", "--git-path", "packed-refs"]),
    ]
    .into_iter()
    .flatten()
    {
        let path = if Path::new(&path).is_absolute() {
            PathBuf::from(path)
        } else {
            manifest_dir.join(path)
        };
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let hash = git(manifest_dir, &["rev-parse", "--short=12", "HEAD"])?;
    hash.bytes().all(|b| b.is_ascii_hexdigit()).then_some(hash)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TRUSTPUB_BUILD_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = std::env::var("TRUSTPUB_BUILD_COMMIT")
        .ok()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_graphic()))
        .or_else(|| commit(&manifest_dir))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TRUSTPUB_GIT_COMMIT={commit}");
}
