//! The same inputs give byte-identical output: `check` (JSON, SARIF, human), `explain` (JSON) and
//! `drift` (JSON, replayed), each run several times. HashMap iteration order differs between
//! processes, and `check` reads files on several threads: neither may show in the output.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795694400")
        .env_remove("TRUSTPUB_CONFIG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .args(args)
        .output()
        .unwrap();
    assert!(!out.stdout.is_empty(), "{args:?}: no output");
    out.stdout
}

fn assert_stable(dir: &Path, args: &[&str]) {
    let first = run(dir, args);
    for _ in 0..4 {
        assert!(
            run(dir, args) == first,
            "{args:?} in {}: output differs between runs",
            dir.display()
        );
    }
}

#[test]
fn check_output_is_byte_identical_across_runs() {
    let golden = root().join("tests/golden/check");
    for case in [
        "reusable-caller-environment-and-permissions",
        "legacy-credential",
        "config-invalid",
        "registry-mismatch",
    ] {
        for format in ["json", "sarif", "human", "github"] {
            assert_stable(
                &golden.join(case),
                &[
                    "--format",
                    format,
                    "check",
                    "--repository",
                    "octo-org/widget",
                ],
            );
        }
    }
}

#[test]
fn check_over_the_real_corpus_is_byte_identical_across_runs() {
    // Every real workflow in one folder (when the shared corpus is beside the project), so that
    // many files are read on several threads and many findings are sorted and merged.
    let corpus = root().join("../shared/corpus/workflows");
    let Ok(repos) = std::fs::read_dir(&corpus) else {
        eprintln!("no shared corpus: skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("trustpub-determinism-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    for repo in repos.flatten() {
        for file in std::fs::read_dir(repo.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = format!(
                "{}__{}",
                repo.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            std::fs::copy(file.path(), dir.join(".github/workflows").join(name)).unwrap();
        }
    }
    std::fs::copy(
        root().join("expected-publishers.toml"),
        dir.join("expected-publishers.toml"),
    )
    .unwrap();
    for format in ["json", "sarif"] {
        assert_stable(
            &dir,
            &[
                "--format",
                format,
                "check",
                "--repository",
                "yeemio/owlclaw",
            ],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_json_is_byte_identical_across_runs() {
    let dir = root();
    for args in [
        &[
            "--format",
            "json",
            "explain",
            "--log",
            "fixtures/logs/owlclaw-invalid-publisher.gh.log",
        ][..],
        &[
            "--format",
            "json",
            "explain",
            "--token-file",
            "fixtures/jwt/owlclaw-testpypi.jwt",
        ][..],
        &[
            "--format",
            "json",
            "explain",
            "--claims",
            "fixtures/owlclaw/claims-run-22450293930.json",
        ][..],
    ] {
        assert_stable(&dir, args);
    }
}

#[test]
fn drift_json_is_byte_identical_across_runs() {
    let golden = root().join("tests/golden/drift");
    for case in [
        "as-declared",
        "thresholds-failed",
        "unknown-unrecorded-and-malformed",
    ] {
        let dir = golden.join(case);
        let config = if dir.join("expected-publishers.toml").is_file() {
            dir.join("expected-publishers.toml")
        } else {
            root().join("expected-publishers.toml")
        };
        let config = config.to_string_lossy().into_owned();
        assert_stable(
            &dir,
            &[
                "--config",
                &config,
                "--format",
                "json",
                "drift",
                "--from-dir",
                "recorded",
            ],
        );
    }
}
