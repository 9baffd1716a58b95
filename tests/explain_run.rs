//! `explain --run` against a loopback GitHub: a run, its jobs and their logs, the log endpoint
//! redirecting to a storage host (another origin) that must never see the token.

use assert_cmd::Command;
use mockito::{Matcher, Server, ServerGuard};

const TOKEN: &str = "ghs_0123456789abcdefghijklmnopqrstuvwxyzAB";

fn desired() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/explain/logs.toml")
}

fn log_of(case: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/explain")
        .join(case)
        .join("run.log");
    // The API serves raw job logs: no `job<TAB>step<TAB>` prefix.
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.splitn(3, '\t').last().unwrap_or(l).to_owned() + "\n")
        .collect()
}

struct Github {
    api: ServerGuard,
    storage: ServerGuard,
}

impl Github {
    fn new() -> Self {
        Github {
            api: Server::new(),
            storage: Server::new(),
        }
    }

    fn run(&mut self, conclusion: &str, jobs: serde_json::Value) {
        let html = format!("{}/acme/widget/actions/runs/42", self.api.url());
        self.api
            .mock("GET", "/repos/acme/widget/actions/runs/42")
            .match_header("authorization", format!("Bearer {TOKEN}").as_str())
            .with_body(
                serde_json::json!({
                    "id": 42, "name": "release", "display_title": "v1.2.0",
                    "status": "completed", "conclusion": conclusion, "event": "push",
                    "html_url": html,
                })
                .to_string(),
            )
            .create();
        self.api
            .mock("GET", "/repos/acme/widget/actions/runs/42/jobs")
            .match_query(Matcher::AllOf(vec![
                Matcher::UrlEncoded("filter".into(), "latest".into()),
                Matcher::UrlEncoded("per_page".into(), "100".into()),
            ]))
            .with_body(serde_json::json!({"total_count": 3, "jobs": jobs}).to_string())
            .create();
    }

    /// The job's log, behind a redirect to the storage host; the storage host requires that no
    /// Authorization header arrives.
    fn log(&mut self, job: u64, body: &str) -> (mockito::Mock, mockito::Mock) {
        let location = format!("{}/logs/{job}?sig=s3cr3t-signature", self.storage.url());
        let redirect = self
            .api
            .mock(
                "GET",
                format!("/repos/acme/widget/actions/jobs/{job}/logs").as_str(),
            )
            .match_header("authorization", format!("Bearer {TOKEN}").as_str())
            .with_status(302)
            .with_header("location", &location)
            .create();
        let served = self
            .storage
            .mock("GET", format!("/logs/{job}").as_str())
            .match_query(Matcher::Any)
            .match_header("authorization", Matcher::Missing)
            .with_body(body)
            .create();
        (redirect, served)
    }

    fn explain(&self, run: &str, format: &str) -> (i32, String, String) {
        let out = Command::cargo_bin("trustpub")
            .unwrap()
            .args(["--config"])
            .arg(desired())
            .args([
                "--format",
                format,
                "explain",
                "--run",
                run,
                "--github-api-url",
            ])
            .arg(self.api.url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("NO_COLOR", "1")
            .env("TRUSTPUB_BACKOFF_BASE_MS", "1")
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_API_URL")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn jobs() -> serde_json::Value {
    serde_json::json!([
        {"id": 7, "name": "build", "conclusion": "success", "html_url": "https://github.com/acme/widget/actions/runs/42/job/7",
         "steps": [{"name": "Build", "number": 1, "conclusion": "success"}]},
        {"id": 8, "name": "publish", "conclusion": "failure", "html_url": "https://github.com/acme/widget/actions/runs/42/job/8",
         "steps": [{"name": "Set up job", "number": 1, "conclusion": "success"},
                   {"name": "Authenticate with crates.io", "number": 2, "conclusion": "failure"},
                   {"name": "cargo publish", "number": 3, "conclusion": "skipped"}]},
    ])
}

#[test]
fn a_failed_run_is_explained_from_its_failed_job_s_log() {
    let mut gh = Github::new();
    gh.run("failure", jobs());
    let (redirect, served) = gh.log(8, &log_of("log-crates-io-auth-workflow-mismatch"));
    let (code, out, err) = gh.explain("acme/widget/42", "human");
    assert_eq!(code, 1, "{out}{err}");
    redirect.assert();
    served.assert();
    assert!(
        out.contains("run: release: v1.2.0 (push, failure)"),
        "{out}"
    );
    assert!(
        out.contains("job `publish` failure at step `Authenticate with crates.io`"),
        "{out}"
    );
    assert!(
        out.contains("✗ crates-io · widget: mismatch (http-400)"),
        "{out}"
    );
    assert!(
        out.contains("(job `publish`): crates.io answered `http-400`"),
        "{out}"
    );
    assert!(
        !out.contains("build"),
        "a job that succeeded is not read: {out}"
    );
    for text in [&out, &err] {
        assert!(!text.contains(TOKEN));
        assert!(
            !text.contains("s3cr3t-signature"),
            "the storage URL's signature leaks"
        );
    }
}

#[test]
fn the_run_s_url_works_and_json_names_the_job_of_each_line() {
    let mut gh = Github::new();
    gh.run("failure", jobs());
    let _log = gh.log(8, &log_of("log-crates-io-auth-workflow-mismatch"));
    let url = "https://github.com/acme/widget/actions/runs/42";
    let (code, out, err) = gh.explain(url, "json");
    assert_eq!(code, 1, "{out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["evidence"]["run"]["jobs"][0]["name"], "publish");
    assert_eq!(
        j["evidence"]["run"]["jobs"][0]["failed_steps"][0],
        "Authenticate with crates.io"
    );
    assert_eq!(j["signals"][0]["job"], "publish");
    assert_eq!(j["results"][0]["answered"], true);
    assert!(!out.contains(TOKEN));
}

#[test]
fn two_failed_jobs_are_read_one_after_the_other_and_each_line_keeps_its_job() {
    let mut gh = Github::new();
    let mut all = jobs();
    all.as_array_mut().unwrap().push(serde_json::json!(
        {"id": 9, "name": "pypi", "conclusion": "failure", "html_url": "https://github.com/acme/widget/actions/runs/42/job/9",
         "steps": [{"name": "Publish to PyPI", "number": 2, "conclusion": "failure"}]}
    ));
    gh.run("failure", all);
    let first = log_of("log-crates-io-auth-missing-id-token");
    let first_lines = first.lines().count();
    let _a = gh.log(8, first.trim_end_matches('\n')); // no final newline: still its own line
    let _b = gh.log(9, &log_of("log-pypi-action-missing-id-token"));
    let (code, out, err) = gh.explain("acme/widget/42", "json");
    assert_eq!(code, 1, "{out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let jobs = &j["evidence"]["run"]["jobs"];
    assert_eq!(jobs[0]["first_line"], 1);
    assert_eq!(jobs[0]["lines"], first_lines);
    assert_eq!(jobs[1]["first_line"], first_lines + 1);
    let signal_jobs: Vec<&str> = j["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["job"].as_str().unwrap())
        .collect();
    assert_eq!(signal_jobs, ["publish"], "{out}");
    assert_eq!(j["stage"]["id"], "oidc-token");
}

#[test]
fn a_run_without_a_failed_job_or_that_github_does_not_have_is_an_input_error() {
    let mut gh = Github::new();
    gh.run("success", serde_json::json!([jobs()[0].clone()]));
    let (code, _, err) = gh.explain("acme/widget/42", "human");
    assert_eq!(code, 2);
    assert!(err.contains("has no failed job"), "{err}");
    let (code, _, err) = gh.explain("acme/widget/43", "human");
    assert_eq!(code, 2);
    assert!(
        err.contains("GitHub answered 501")
            || err.contains("GitHub answered 404")
            || err.contains("the run"),
        "{err}"
    );
    let (code, _, err) = gh.explain("not a run", "human");
    assert_eq!(code, 2);
    assert!(err.contains("--run takes a run's URL"), "{err}");
    assert!(!err.contains(TOKEN));
}

#[test]
fn a_storage_host_that_refuses_is_reported_without_the_signed_url() {
    let mut gh = Github::new();
    gh.run("failure", jobs());
    gh.api
        .mock("GET", "/repos/acme/widget/actions/jobs/8/logs")
        .with_status(302)
        .with_header(
            "location",
            &format!("{}/gone?sig=s3cr3t-signature", gh.storage.url()),
        )
        .create();
    gh.storage
        .mock("GET", "/gone")
        .match_query(Matcher::Any)
        .with_status(403)
        .create();
    let (code, out, err) = gh.explain("acme/widget/42", "human");
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("could not be read: unexpected response: HTTP 403"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t-signature"), "{err}");
}
