//! The SARIF output carries every field SARIF 2.1.0 requires, and what GitHub code scanning
//! needs on top (rule metadata, repository-relative paths, regions, partialFingerprints).

use assert_cmd::Command;
use serde_json::Value;

fn sarif_of(case: &str) -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/check")
        .join(case);
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(dir)
        .args([
            "--format",
            "sarif",
            "check",
            "--repository",
            "octo-org/widget",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

#[test]
fn sarif_has_the_required_fields() {
    for case in [
        "legacy-credential",
        "reusable-caller-environment-and-permissions",
        "workflow-invalid",
        "config-invalid",
        "clean",
    ] {
        let sarif = sarif_of(case);
        assert_eq!(sarif["version"], "2.1.0");
        assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
        let runs = sarif["runs"].as_array().expect("runs");
        assert_eq!(runs.len(), 1);
        let driver = &runs[0]["tool"]["driver"];
        assert_eq!(driver["name"], "trustpub");
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        for r in rules {
            assert!(r["shortDescription"]["text"].is_string());
            assert!(r["help"]["text"].as_str().unwrap().len() > 50);
        }
        let results = runs[0]["results"].as_array().expect("results");
        if case == "clean" {
            assert!(results.is_empty());
        } else {
            assert!(!results.is_empty(), "{case}");
        }
        for r in results {
            let rule = r["ruleId"].as_str().unwrap();
            assert_eq!(ids[r["ruleIndex"].as_u64().unwrap() as usize], rule);
            assert!(["error", "warning", "note", "none"].contains(&r["level"].as_str().unwrap()));
            assert!(!r["message"]["text"].as_str().unwrap().is_empty());
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.starts_with("./") && !uri.contains('\\'),
                "{uri}"
            );
            let region = &loc["region"];
            for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[k].as_u64().unwrap() >= 1, "{case}: {k}");
            }
            assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
            assert!(
                r["partialFingerprints"]["trustpubFinding/v1"]
                    .as_str()
                    .unwrap()
                    .len()
                    == 16
            );
        }
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = sarif_of("legacy-credential").to_string();
    let b = sarif_of("legacy-credential").to_string();
    assert_eq!(a, b);
}
