//! Every golden log case (`tests/golden/explain/log-*`): its stage, registry and remedy are
//! said, and no log that shows a registry's refusal yields "match" with "register as declared"
//! (the registry's own words decide).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn explain_json(case: &Path, config: &str) -> Value {
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(case)
        .args(["--config", config, "--format", "json", "explain", "--log"])
        .arg(if case.join("run.log").is_file() {
            "run.log"
        } else {
            "stdin"
        })
        .env("NO_COLOR", "1")
        .env_remove("TRUSTPUB_CONFIG")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n{}",
            case.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_log_case_says_its_stage_registry_and_remedy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/explain");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let case = entry.unwrap().path();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let per_registry = [
            "log-pypi-",
            "log-crates-io-",
            "log-npm-",
            "log-rubygems-",
            "log-nuget-",
        ];
        if !per_registry.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        seen += 1;
        assert!(case.join("SOURCE").is_file(), "{name}: no SOURCE citation");
        let j = explain_json(&case, "../logs.toml");
        let stage = &j["stage"];
        assert!(stage["id"].is_string(), "{name}: no stage");
        assert!(stage["remedy"].is_string(), "{name}: no remedy");
        let registry = j["evidence"]["index"].as_str();
        let prefix = name.trim_start_matches("log-");
        let pypi = prefix.starts_with("pypi-");
        assert!(
            registry.is_some_and(|r| prefix.starts_with(r) || (pypi && r == "testpypi"))
                || (pypi && registry.is_none()),
            "{name}: registry {registry:?}"
        );
    }
    assert!(seen >= 50, "only {seen} log cases");
}

#[test]
fn a_refusal_in_the_log_never_yields_match_and_register_as_declared() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/explain");
    for entry in std::fs::read_dir(&root).unwrap() {
        let case = entry.unwrap().path();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("log-") || !case.join("run.log").is_file() {
            continue;
        }
        let config = if case.join("expected-publishers.toml").is_file() {
            "expected-publishers.toml"
        } else if name.starts_with("log-pypi-")
            || name.starts_with("log-crates-io-")
            || name.starts_with("log-npm-")
            || name.starts_with("log-rubygems-")
            || name.starts_with("log-nuget-")
        {
            "../logs.toml"
        } else {
            "../../../../expected-publishers.toml"
        };
        let j = explain_json(&case, config);
        let refused = !j["server_errors"].as_array().unwrap().is_empty()
            || j["signals"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == "exchange-refused");
        if !refused {
            continue;
        }
        for r in j["results"].as_array().unwrap() {
            let register = r["next_steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s.as_str().unwrap().contains("exactly as declared"));
            assert!(
                !(r["verdict"] == "match" && register),
                "{name}: {} says match and register as declared against the registry's refusal",
                r["registry"]
            );
            assert_eq!(r["verdict"], "mismatch", "{name}: {}", r["registry"]);
        }
    }
}

#[test]
fn pull_request_target_and_the_environment_in_sub_mismatch_on_their_field() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/explain");
    for (case, field, actual) in [
        (
            "log-pypi-action-pull-request-target",
            "event_name",
            "pull_request_target",
        ),
        (
            "log-pypi-action-environment-in-sub",
            "environment",
            "release",
        ),
        ("log-crates-io-auth-workflow-mismatch", "workflow", "ci.yml"),
        ("log-nuget-login-workflow-mismatch", "workflow", "ci.yml"),
        ("log-pypi-action-immutable-subject", "owner-id", "99887766"),
    ] {
        let j = explain_json(&root.join(case), "../logs.toml");
        let r = &j["results"][0];
        assert_eq!(r["verdict"], "mismatch", "{case}");
        let row = r["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == field)
            .unwrap_or_else(|| panic!("{case}: no {field} row"));
        assert_eq!(row["ok"], false, "{case}");
        assert_eq!(row["actual"], actual, "{case}");
    }
}
