//! The commands that fit trustpub into its ecosystem: `init`, `schema`, `completions`, `man`,
//! `--version`; and the confinement of every read to the repository.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trustpub-cmd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn trustpub(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("trustpub").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("TRUSTPUB_CONFIG");
    c
}

fn stdout(c: &mut Command) -> (String, String, Option<i32>) {
    let out = c.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn version_names_the_commit() {
    let (out, _, code) = stdout(trustpub(&root()).arg("--version"));
    assert_eq!(code, Some(0));
    let line = out.trim();
    let rest = line
        .strip_prefix(&format!("trustpub {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        rest == "unknown" || (rest.len() >= 7 && rest.bytes().all(|b| b.is_ascii_hexdigit())),
        "{line}"
    );
    // In a git checkout of this project, it is HEAD's commit.
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root())
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let top = git(&["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    if top.and_then(|t| t.canonicalize().ok()) == root().canonicalize().ok()
        && std::env::var_os("TRUSTPUB_BUILD_COMMIT").is_none()
        && let Some(head) = git(&["rev-parse", "--short=12", "HEAD"])
    {
        assert_eq!(rest, head);
    }
}

const WORKFLOW: &str = "on:\n  push:\n    tags: [\"v*\"]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment:\n      name: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n      - name: TestPyPI\n        uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          repository-url: https://test.pypi.org/legacy/\n";

/// A checkout: a git config with a GitHub origin, a pyproject.toml, one release workflow.
fn checkout(name: &str) -> PathBuf {
    let dir = temp(name);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(
        dir.join(".git/config"),
        "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://github.com/octo-org/widget.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
    )
    .unwrap();
    std::fs::write(dir.join("pyproject.toml"), "[project]\nname = \"widget\"\n").unwrap();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/release.yml"), WORKFLOW).unwrap();
    dir
}

#[test]
fn init_writes_a_desired_state_that_check_accepts_and_never_overwrites_without_force() {
    let dir = checkout("init");
    let (_, err, code) = stdout(trustpub(&dir).arg("init"));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("wrote expected-publishers.toml: 2 publisher(s)"),
        "{err}"
    );
    let text = std::fs::read_to_string(dir.join("expected-publishers.toml")).unwrap();
    for line in [
        "registry = \"pypi\"",
        "registry = \"testpypi\"",
        "project = \"widget\"  # from pyproject.toml",
        "owner = \"octo-org\"",
        "repository = \"widget\"",
        "workflow = \"release.yml\"",
        "environment = \"pypi\"",
        "# owner-id = 0  # optional, not inferred",
        "step 2 \"TestPyPI\"",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    // What init wrote is a valid desired state, and the workflow satisfies it.
    let (out, err, code) = stdout(trustpub(&dir).arg("check"));
    assert_eq!(code, Some(0), "{out}{err}");
    // Never overwritten without --force; --stdout prints instead.
    std::fs::write(dir.join("expected-publishers.toml"), "# mine\n").unwrap();
    let (_, err, code) = stdout(trustpub(&dir).arg("init"));
    assert_eq!(code, Some(2));
    assert!(err.contains("exists: give --force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("expected-publishers.toml")).unwrap(),
        "# mine\n"
    );
    let (printed, _, code) = stdout(trustpub(&dir).args(["init", "--stdout"]));
    assert_eq!((code, printed.as_str()), (Some(0), text.as_str()));
    let (_, _, code) = stdout(trustpub(&dir).args(["init", "--force"]));
    assert_eq!(code, Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.join("expected-publishers.toml")).unwrap(),
        text
    );
    // --config names another file.
    let (_, _, code) = stdout(trustpub(&dir).args(["--config", "other.toml", "init"]));
    assert_eq!(code, Some(0));
    assert!(dir.join("other.toml").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_without_a_remote_or_metadata_leaves_those_values_to_fill_in() {
    let dir = checkout("init-bare");
    std::fs::remove_dir_all(dir.join(".git")).unwrap();
    std::fs::remove_file(dir.join("pyproject.toml")).unwrap();
    let (text, _, code) = stdout(trustpub(&dir).args(["init", "--stdout"]));
    assert_eq!(code, Some(0));
    assert!(
        text.contains("# project = \"\"  # required, not inferred: no readable pyproject.toml")
    );
    assert!(text.contains("# owner = \"\"  # required, not inferred: no GitHub `origin` remote"));
    // check says what is missing, until it is filled in.
    std::fs::write(dir.join("expected-publishers.toml"), &text).unwrap();
    let (out, _, code) = stdout(trustpub(&dir).arg("check"));
    assert_eq!(code, Some(1));
    assert!(out.contains("this publisher has no `project`"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A minimal JSON Schema validator for what `trustpub schema` uses: type, enum, const,
/// required, properties, additionalProperties, items, anyOf, minimum, maximum, minLength,
/// allOf with if/then. Returns the problems found.
fn validate(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            _ => true,
        };
        if !ok {
            problems.push(format!("{at}: not a {t}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(value)
    {
        problems.push(format!("{at}: {value} not in the enum"));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        problems.push(format!("{at}: not {c}"));
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && n < min
    {
        problems.push(format!("{at}: below {min}"));
    }
    if let (Some(max), Some(n)) = (
        schema.get("maximum").and_then(Value::as_f64),
        value.as_f64(),
    ) && n > max
    {
        problems.push(format!("{at}: above {max}"));
    }
    if let (Some(min), Some(s)) = (
        schema.get("minLength").and_then(Value::as_u64),
        value.as_str(),
    ) && (s.chars().count() as u64) < min
    {
        problems.push(format!("{at}: too short"));
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(|s| {
            let mut p = Vec::new();
            validate(s, value, at, &mut p);
            p.is_empty()
        })
    {
        problems.push(format!("{at}: matches none of anyOf"));
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            let mut cond = Vec::new();
            validate(&s["if"], value, at, &mut cond);
            if cond.is_empty() {
                validate(&s["then"], value, at, problems);
            }
        }
    }
    if let Some(obj) = value.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !obj.contains_key(r.as_str().unwrap()) {
                problems.push(format!("{at}: no `{}`", r.as_str().unwrap()));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(s, v, &format!("{at}.{k}"), problems),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    problems.push(format!("{at}: unknown key `{k}`"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            validate(items, v, &format!("{at}[{i}]"), problems);
        }
    }
}

fn toml_as_json(path: &Path) -> Value {
    let table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    serde_json::to_value(table).unwrap()
}

#[test]
fn the_schema_accepts_what_trustpub_accepts_and_refuses_what_it_refuses() {
    let (out, _, code) = stdout(trustpub(&root()).arg("schema"));
    assert_eq!(code, Some(0));
    let schema: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // Every desired-state file trustpub accepts, in the project and its golden cases.
    let mut accepted = vec![root().join("expected-publishers.toml")];
    for command in ["check", "drift", "explain", "template"] {
        for case in std::fs::read_dir(root().join("tests/golden").join(command)).unwrap() {
            let file = case.unwrap().path().join("expected-publishers.toml");
            if file.is_file() && trustpub::config::load(&file).is_ok() {
                accepted.push(file);
            }
        }
    }
    assert!(accepted.len() > 10);
    for file in &accepted {
        let mut problems = Vec::new();
        validate(&schema, &toml_as_json(file), "$", &mut problems);
        assert!(problems.is_empty(), "{}: {problems:?}", file.display());
    }
    // And what it refuses for a key, a type or a range.
    for (bad, why) in [
        (
            "[[publisher]]\nregistry = \"pypi\"\nproject = \"x\"\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"w.yml\"\nenvironmnt = \"e\"\n",
            "unknown key `environmnt`",
        ),
        (
            "[[publisher]]\nregistry = \"pipy\"\nproject = \"x\"\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"w.yml\"\n",
            "not in the enum",
        ),
        (
            "[[publisher]]\nregistry = \"pypi\"\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"w.yml\"\n",
            "no `project`",
        ),
        (
            "[[publisher]]\nregistry = \"pypi\"\nproject = \"x\"\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"w.yml\"\nowner-id = 1.5\n",
            "matches none of anyOf",
        ),
        (
            "[[publisher]]\nregistry = \"pypi\"\nproject = \"x\"\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"w.yml\"\n[thresholds]\npublish-success-rate = 99\n",
            "above 1",
        ),
    ] {
        let value = serde_json::to_value(bad.parse::<toml::Table>().unwrap()).unwrap();
        let mut problems = Vec::new();
        validate(&schema, &value, "$", &mut problems);
        assert!(
            problems.iter().any(|p| p.contains(why)),
            "{why}: {problems:?}"
        );
        assert!(
            trustpub::config::parse(trustpub::source::SourceFile::new("x.toml", bad)).is_err(),
            "trustpub accepts what the schema refuses: {bad}"
        );
    }
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (out, _, code) = stdout(trustpub(&root()).args(["completions", shell]));
        assert_eq!(code, Some(0), "{shell}");
        for word in [
            "trustpub", "check", "explain", "drift", "init", "schema", "format",
        ] {
            assert!(out.contains(word), "{shell}: {word}");
        }
    }
    // The bash script is valid bash.
    let (out, _, _) = stdout(trustpub(&root()).args(["completions", "bash"]));
    if let Ok(bash) = std::process::Command::new("bash")
        .args(["-n", "-c", &out])
        .output()
    {
        assert!(
            bash.status.success(),
            "{}",
            String::from_utf8_lossy(&bash.stderr)
        );
    }
    let (_, err, code) = stdout(trustpub(&root()).args(["completions", "tcsh"]));
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn man_pages_are_roff_for_trustpub_and_each_command() {
    let (page, _, code) = stdout(trustpub(&root()).arg("man"));
    assert_eq!(code, Some(0));
    assert!(page.contains(".TH trustpub 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        ".SH VERSION",
    ] {
        assert!(page.contains(section), "{section}");
    }
    assert!(page.contains("trustpub\\-check"), "the commands are listed");
    let (page, _, code) = stdout(trustpub(&root()).args(["man", "check"]));
    assert_eq!(code, Some(0));
    assert!(page.contains(".TH trustpub-check 1"), "{page}");
    assert!(
        page.contains("\\-\\-strict") && page.contains("\\-\\-config"),
        "{page}"
    );
    let (_, err, code) = stdout(trustpub(&root()).args(["man", "nope"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown command `nope`"), "{err}");
}

#[cfg(unix)]
#[test]
fn no_read_leaves_the_repository_through_a_symlink() {
    use std::os::unix::fs::symlink;
    let base = temp("escape");
    std::fs::write(
        base.join("secret.yml"),
        "on: push\njobs:\n  TOPSECRET-VALUE: {\n",
    )
    .unwrap();
    std::fs::write(base.join("secret.toml"), "TOPSECRET-VALUE = [\n").unwrap();
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
    std::fs::write(
        repo.join("expected-publishers.toml"),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n",
    )
    .unwrap();
    let wf = repo.join(".github/workflows");
    // A caller of a reusable workflow that is a link out of the repository.
    std::fs::write(
        wf.join("release.yml"),
        "on: push\njobs:\n  call:\n    uses: ./.github/workflows/evil.yml\n",
    )
    .unwrap();
    symlink("../../../secret.yml", wf.join("evil.yml")).unwrap();
    // The folder scan meets the link.
    let (out, err, code) =
        stdout(trustpub(&repo).args(["check", "--repository", "octo-org/widget"]));
    assert_eq!(code, Some(1));
    assert!(
        out.contains("a symbolic link that leads outside the repository"),
        "{out}"
    );
    assert!(
        !out.contains("TOPSECRET") && !err.contains("TOPSECRET"),
        "{out}{err}"
    );
    // So does following the call from the one file given.
    let (out, err, _) = stdout(trustpub(&repo).args([
        "--format",
        "json",
        "check",
        "--repository",
        "octo-org/widget",
        ".github/workflows/release.yml",
    ]));
    assert!(
        out.contains("evil.yml") && out.contains("leads outside the repository"),
        "{out}"
    );
    assert!(
        !out.contains("TOPSECRET") && !err.contains("TOPSECRET"),
        "{out}{err}"
    );
    // A call to a path that climbs out is never followed at all.
    std::fs::write(
        wf.join("release.yml"),
        "on: push\njobs:\n  call:\n    uses: ./.github/workflows/../../../secret.yml\n",
    )
    .unwrap();
    std::fs::remove_file(wf.join("evil.yml")).unwrap();
    let (out, err, _) = stdout(trustpub(&repo).args(["check", ".github/workflows/release.yml"]));
    assert!(
        !out.contains("TOPSECRET") && !err.contains("TOPSECRET"),
        "{out}{err}"
    );
    // The desired-state file as a link out: refused, for every command.
    std::fs::remove_file(repo.join("expected-publishers.toml")).unwrap();
    symlink("../secret.toml", repo.join("expected-publishers.toml")).unwrap();
    for args in [
        &["check"][..],
        &["explain", "--claims", "claims.json"][..],
        &["drift", "--from-dir", "."][..],
    ] {
        let (out, err, code) = stdout(trustpub(&repo).args(args));
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(err.contains("leads outside the repository"), "{err}");
        assert!(!out.contains("TOPSECRET") && !err.contains("TOPSECRET"));
    }
    // A link that stays inside the repository is followed as usual.
    std::fs::remove_file(repo.join("expected-publishers.toml")).unwrap();
    std::fs::create_dir_all(repo.join("config")).unwrap();
    std::fs::write(
        repo.join("config/publishers.toml"),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n",
    )
    .unwrap();
    symlink(
        "config/publishers.toml",
        repo.join("expected-publishers.toml"),
    )
    .unwrap();
    let (out, err, code) =
        stdout(trustpub(&repo).args(["check", "--repository", "octo-org/widget"]));
    assert!(!err.contains("leads outside"), "{out}{err}");
    assert_ne!(code, Some(2), "{out}{err}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn check_given_a_caller_follows_its_local_reusable_workflow_on_disk() {
    let dir = temp("follow");
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(
        dir.join("expected-publishers.toml"),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"publish.yml\"\nenvironment = \"pypi\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".github/workflows/release.yml"),
        "on:\n  push:\n    tags: [\"v*\"]\njobs:\n  call:\n    uses: ./.github/workflows/publish.yml\n    permissions: {id-token: write}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".github/workflows/publish.yml"),
        "on: workflow_call\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: release\n    permissions: {id-token: write}\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    .unwrap();
    let (out, err, code) = stdout(trustpub(&dir).args([
        "--format",
        "json",
        "check",
        "--repository",
        "octo-org/widget",
        ".github/workflows/release.yml",
    ]));
    assert_eq!(code, Some(1), "{out}{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        found.contains(&(
            ".github/workflows/publish.yml".into(),
            "environment-mismatch".into()
        )),
        "{found:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_keeps_job_ids_and_environments_that_merely_start_like_a_pypi_token() {
    let dir = checkout("init-names");
    let workflow = WORKFLOW
        .replace("  publish:", "  pypi-publish-uv-build:")
        .replace("name: pypi", "name: pypi-release-environment-production");
    std::fs::write(dir.join(".github/workflows/release.yml"), workflow).unwrap();
    let (text, _, code) = stdout(trustpub(&dir).args(["init", "--stdout"]));
    assert_eq!(code, Some(0));
    assert!(text.contains("job `pypi-publish-uv-build`"), "{text}");
    assert!(
        text.contains("environment = \"pypi-release-environment-production\""),
        "{text}"
    );
    assert!(!text.contains("[REDACTED]"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A repository with the desired state at its top, a workflow, and a subfolder to run from.
fn repository_with_config(name: &str, config_at: &str) -> PathBuf {
    let dir = temp(name);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(dir.join("src/deep")).unwrap();
    std::fs::write(
        dir.join(config_at),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".github/workflows/release.yml"),
        "on: push\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    .unwrap();
    dir
}

#[test]
fn check_finds_the_desired_state_from_a_subdirectory_and_speaks_from_the_top() {
    for config_at in [
        "expected-publishers.toml",
        ".github/expected-publishers.toml",
    ] {
        let dir = repository_with_config("discover", config_at);
        let (out, err, code) = stdout(trustpub(&dir.join("src/deep")).args([
            "--format",
            "json",
            "check",
            "--repository",
            "octo-org/widget",
        ]));
        assert_eq!(code, Some(0), "{config_at}: {out}{err}");
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            json["sites"][0]["file"], ".github/workflows/release.yml",
            "{out}"
        );
        // A path typed in the subfolder keeps its meaning.
        let (out, err, code) = stdout(trustpub(&dir.join("src/deep")).args([
            "check",
            "--repository",
            "octo-org/widget",
            "../../.github/workflows/release.yml",
        ]));
        assert_eq!(code, Some(0), "{config_at}: {out}{err}");
    }
}

#[test]
fn without_a_desired_state_the_error_says_where_it_looked() {
    let dir = temp("discover-none");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    let (out, err, code) = stdout(trustpub(&dir.join("a/b")).arg("check"));
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    for place in [
        "a/b, ",
        "/a, ",
        "up to the repository's top level",
        ".github/",
        "trustpub init",
    ] {
        assert!(err.contains(place), "{place}: {err}");
    }
}

#[test]
fn init_from_a_subdirectory_writes_at_the_top() {
    let dir = temp("discover-init");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join(".github/workflows/release.yml"),
        "on: push\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    .unwrap();
    std::fs::write(dir.join("pyproject.toml"), "[project]\nname = \"widget\"\n").unwrap();
    let (out, err, code) =
        stdout(trustpub(&dir.join("src")).args(["init", "--repository", "octo-org/widget"]));
    assert_eq!(code, Some(0), "{out}{err}");
    let written = std::fs::read_to_string(dir.join("expected-publishers.toml")).unwrap();
    assert!(written.contains("project = \"widget\""), "{written}");
    assert!(!dir.join("src/expected-publishers.toml").exists());
}

/// Colour in a pipe: FORCE_COLOR and CLICOLOR_FORCE turn it on, NO_COLOR wins over them, and
/// `--color never` over everything.
#[test]
fn force_color_colours_a_pipe_unless_no_color_or_never() {
    let example = root();
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::cargo_bin("trustpub").unwrap();
        c.current_dir(&example)
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("TRUSTPUB_CONFIG");
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c
            .args(args)
            .args([
                "explain",
                "--log",
                "fixtures/logs/owlclaw-invalid-publisher.gh.log",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(!run(&[], &[]), "a pipe gets no colour by default");
    assert!(run(&[("FORCE_COLOR", "1")], &[]));
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(
        !run(&[("FORCE_COLOR", "")], &[]),
        "an empty FORCE_COLOR is unset"
    );
    assert!(!run(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[]));
    assert!(!run(&[("FORCE_COLOR", "1")], &["--color", "never"]));
    assert!(run(&[("NO_COLOR", "1")], &["--color", "always"]));
}

/// `-q` keeps standard error for errors: the desired state's warnings go; an error stays.
#[test]
fn quiet_drops_notes_and_keeps_errors() {
    let dir = temp("quiet");
    std::fs::write(
        dir.join("expected-publishers.toml"),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \" widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\n",
    )
    .unwrap();
    let (_, err, code) = stdout(trustpub(&dir).arg("template"));
    assert_eq!(code, Some(0));
    assert!(err.contains("warning"), "{err}");
    let (out, err, code) = stdout(trustpub(&dir).args(["-q", "template"]));
    assert_eq!(code, Some(0));
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("widget"), "{out}");
    let (_, err, code) = stdout(trustpub(&dir).args(["-q", "template", "--registry", "nope"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("error"), "{err}");
    let (_, err, code) = stdout(trustpub(&dir).args(["-q", "-v", "check"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot be used with"), "{err}");
}
