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
