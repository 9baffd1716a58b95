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

/// Issue 11 case 5: tokens glued to a word character were printed unredacted.
#[test]
fn a_token_glued_to_a_word_is_redacted_in_human_and_json_output() {
    let ghp = format!("ghp_{}", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5");
    let pypi = format!(
        "pypi-AgEIcHlwaS5vcmc{}",
        "Q2xhc3NpY0RlbW9uc3RyYXRpb25Ub2tlbg"
    );
    let workflow = format!(
        "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    permissions: {{id-token: write}}\n    environment: \"GH_TOKEN_{ghp}\"\n    steps:\n      - run: twine upload --password __token__%3A{pypi} dist/*\n  other:\n    runs-on: ubuntu-latest\n    permissions: {{id-token: write}}\n    environment: \"line\\n{ghp}\"\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    );
    let dir = std::env::temp_dir().join(format!("trustpub-glued-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/release.yml"), workflow).unwrap();
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
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("[REDACTED]"), "{format}: {text}");
        for secret in [&ghp[4..], &pypi[7..]] {
            assert!(
                !text.contains(&secret[..20]),
                "{format} leaks `{secret}`:\n{text}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

mod property {
    use proptest::prelude::*;
    use trustpub::redact::redact;

    /// A token of each shape the redactor knows, with its secret tail.
    fn token() -> impl Strategy<Value = String> {
        let alnum = |n: usize| {
            proptest::collection::vec(
                proptest::sample::select(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        .chars()
                        .collect::<Vec<_>>(),
                ),
                n,
            )
            .prop_map(|v| v.into_iter().collect::<String>())
        };
        prop_oneof![
            alnum(36).prop_map(|t| format!("ghp_{t}")),
            alnum(36).prop_map(|t| format!("gho_{t}")),
            alnum(36).prop_map(|t| format!("ghs_{t}")),
            alnum(36).prop_map(|t| format!("ghu_{t}")),
            alnum(36).prop_map(|t| format!("ghr_{t}")),
            alnum(82).prop_map(|t| format!("github_pat_{t}")),
            alnum(36).prop_map(|t| format!("npm_{t}")),
            alnum(32).prop_map(|t| format!("cio{t}")),
            alnum(32).prop_map(|t| format!("cio_tp_{t}")),
            proptest::collection::vec(
                proptest::sample::select("0123456789abcdef".chars().collect::<Vec<_>>()),
                48
            )
            .prop_map(|v| format!("rubygems_{}", v.into_iter().collect::<String>())),
            alnum(120).prop_map(|t| format!("pypi-AgEIcHlwaS5vcmc{t}")),
            (alnum(30), alnum(40), alnum(40)).prop_map(|(a, b, c)| format!("eyJ{a}.eyJ{b}.{c}")),
        ]
    }

    /// What may stand before a token: anything, a word glued to it, an escaped line break, a
    /// percent-encoded separator.
    fn before() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,30}",
            "[A-Za-z0-9_]{1,12}",
            Just("echo \\n".to_owned()),
            Just("__token__%3A".to_owned()),
            Just("GH_TOKEN_".to_owned()),
            Just("\"password\": \"".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..ProptestConfig::default()
        })]

        #[test]
        fn a_token_anywhere_in_text_is_redacted(
            token in token(),
            before in before(),
            after in "([ \"',;)\\]}\\n]\\PC{0,30})?",
        ) {
            let text = format!("{before}{token}{after}");
            let out = redact(&text);
            // No run of the token's secret part survives.
            let secret: String = token.chars().skip(token.len() / 2).take(16).collect();
            prop_assert!(!out.contains(&secret), "{text:?} -> {out:?}");
            prop_assert!(out.contains("[REDACTED]"));
        }

        #[test]
        fn redaction_never_panics_and_leaves_plain_text(s in "\\PC{0,200}") {
            let out = redact(&s);
            if !s.contains("eyJ") && !s.contains("pypi-Ag") && !s.contains('_') && !s.contains("cio") {
                prop_assert_eq!(out.as_ref(), s.as_str());
            }
        }
    }
}
