//! A token is never printed back: not in any output format, not in an error message.

use assert_cmd::Command;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn token() -> String {
    std::fs::read_to_string(root().join("fixtures/jwt/owlclaw-testpypi.jwt"))
        .unwrap()
        .trim()
        .to_owned()
}

fn run(args: &[&str], stdin: Option<&str>) -> (String, String) {
    let mut cmd = Command::cargo_bin("trustpub").unwrap();
    cmd.current_dir(root()).args(args).env("NO_COLOR", "1");
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_owned());
    }
    let out = cmd.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_absent(token: &str, (stdout, stderr): (String, String)) {
    // Any sizeable piece of the signature or payload would be a leak.
    for part in token.split('.') {
        let probe = &part[..part.len().min(24)];
        assert!(!stdout.contains(probe), "stdout leaks a token segment");
        assert!(!stderr.contains(probe), "stderr leaks a token segment");
    }
}

#[test]
fn a_token_on_the_command_line_is_never_printed() {
    let t = token();
    for format in ["human", "json"] {
        assert_absent(
            &t,
            run(&["--format", format, "explain", "--token", &t], None),
        );
        assert_absent(&t, run(&["--format", format, "explain", "-"], Some(&t)));
        let jwks = [
            "--format",
            format,
            "explain",
            "--token",
            &t,
            "--jwks",
            "fixtures/jwt/jwks.json",
        ];
        assert_absent(&t, run(&jwks, None));
    }
}

#[test]
fn a_malformed_token_is_not_echoed_in_the_error() {
    let t = token();
    let broken = format!("{}.{}", t, "extra");
    let (stdout, stderr) = run(&["explain", "--token", &broken], None);
    assert!(stderr.starts_with("error: --token: not a JWT"), "{stderr}");
    assert_absent(&t, (stdout, stderr));
}

#[test]
fn a_token_inside_a_log_is_redacted_in_every_format() {
    let t = token();
    let log = format!(
        "Token request failed: the server refused the request for the following reasons:\n* `invalid-token`: malformed or invalid token {t}\n* `repository`: `yeemio/owlclaw`\n* `sub`: `{t}`\n"
    );
    for format in ["human", "json"] {
        assert_absent(&t, run(&["--format", format, "explain", "-"], Some(&log)));
    }
}

/// A PyPI API token and a GitHub token pasted into a workflow (the mistake `legacy-credential`
/// exists for), and the run's OIDC token in an env value, in every output format of `check`.
#[test]
fn a_token_in_a_workflow_is_never_printed_by_check() {
    let pypi =
        "pypi-AgEIcHlwaS5vcmcCJGY4ZDY2ZmE3LTM5ZjItNDQ1Ni1iNDFhLTcwMjVmOWJkOTliMQACKlszLCJlY2Q3";
    let ghp = "ghp_q8V1nK3xZ2mB7cD9eF0gH4iJ5kL6mN7oP8qR";
    let jwt = token();
    let workflow = format!(
        "on:\n  push:\n    tags: [\"v*\"]\nenv:\n  OIDC: {jwt}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    env:\n      GH: {ghp}\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: {pypi}\n      - run: twine upload dist/*\n        env:\n          TWINE_PASSWORD: {pypi}\n"
    );
    // The same token on a line of a file that is not valid YAML: quoted in the snippet.
    let broken = format!("on: push\njobs:\n  x: [\n    {pypi}: {ghp}\n");
    let dir = std::env::temp_dir().join(format!("trustpub-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/release.yml"), workflow).unwrap();
    std::fs::write(dir.join(".github/workflows/broken.yml"), broken).unwrap();
    std::fs::write(
        dir.join("expected-publishers.toml"),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n",
    )
    .unwrap();
    for format in ["human", "json", "sarif", "github"] {
        let out = Command::cargo_bin("trustpub")
            .unwrap()
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env_remove("TRUSTPUB_CONFIG")
            .args([
                "--format",
                format,
                "check",
                "--repository",
                "octo-org/widget",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            stdout.contains("legacy-credential"),
            "{format}: the finding is there"
        );
        if format == "human" {
            assert!(stdout.contains("[REDACTED]"), "the snippet shows the line");
        }
        for secret in [pypi, ghp] {
            let probe = &secret[..24];
            assert!(!stdout.contains(probe), "{format}: stdout leaks {probe}");
            assert!(!stderr.contains(probe), "{format}: stderr leaks {probe}");
        }
        assert_absent(&jwt, (stdout, stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A token given where the command line expects something else: clap's error quotes the value,
/// redacted.
#[test]
fn a_token_in_the_wrong_place_on_the_command_line_is_not_echoed_by_the_usage_error() {
    let t = token();
    for args in [
        vec!["explain", t.as_str()],
        vec!["explain", "--registry", t.as_str(), "-"],
        vec!["--color", t.as_str(), "check"],
        vec!["completions", t.as_str()],
        vec!["drift", "--jobs", t.as_str()],
    ] {
        let mut cmd = Command::cargo_bin("trustpub").unwrap();
        let out = cmd.current_dir(root()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{:?}", &args[..1]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(stderr.contains("error:"), "{stderr}");
        assert!(stderr.contains("[REDACTED]"), "{stderr}");
        assert_absent(
            &t,
            (String::from_utf8_lossy(&out.stdout).into_owned(), stderr),
        );
    }
}
