//! The SARIF output carries every field SARIF 2.1.0 requires, and what GitHub code scanning
//! needs on top (rule metadata, repository-relative paths, regions, partialFingerprints); it is
//! valid under the official SARIF 2.1.0 schema (`tests/data/sarif-schema-2.1.0.json`) from any
//! working directory, with spaces and non-ASCII characters in the paths.

use assert_cmd::Command;
use serde_json::Value;

fn sarif_of(case: &str) -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/check")
        .join(case);
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(&dir)
        // Each case is a repository of its own.
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
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
        assert!(
            sarif["$schema"]
                .as_str()
                .unwrap()
                .ends_with("/sarif-schema-2.1.0.json")
        );
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

fn official_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// The schema's errors, and every artifact URI that is not an RFC 3986 URI reference (the
/// schema's `format: uri-reference` is a draft 6 keyword its draft 4 `$schema` does not
/// check, so it is checked here with a draft 2020-12 format validator; SARIF1002 in
/// Microsoft's SARIF multitool).
fn schema_errors(validator: &jsonschema::Validator, sarif: &Value) -> Vec<String> {
    let uri_reference = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&serde_json::json!({"type": "string", "format": "uri-reference"}))
        .unwrap();
    let mut errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    let mut uris = Vec::new();
    collect_uris(sarif, &mut uris);
    errors.extend(
        uris.into_iter()
            .filter(|u| !uri_reference.is_valid(u))
            .map(|u| format!("{u} is not a URI reference")),
    );
    errors
}

fn collect_uris<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "uri" {
                    out.push(v);
                } else {
                    collect_uris(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_uris(i, out)),
        _ => {}
    }
}

#[test]
fn every_golden_case_is_valid_under_the_official_schema() {
    let validator = official_schema();
    for case in [
        "legacy-credential",
        "reusable-caller-environment-and-permissions",
        "workflow-invalid",
        "config-invalid",
        "clean",
    ] {
        let errors = schema_errors(&validator, &sarif_of(case));
        assert!(errors.is_empty(), "{case}: {errors:#?}");
    }
}

#[test]
fn the_schema_check_can_fail() {
    let validator = official_schema();
    let mut sarif = sarif_of("legacy-credential");
    sarif["runs"][0]["columnKind"] = Value::String("bytes".into());
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::String("a b/%zz".into());
    let errors = schema_errors(&validator, &sarif);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

/// A checkout under a folder with a space and non-ASCII letters, run from a subfolder, with an
/// emoji earlier on the finding's line: the URI is relative to the repository's top level and
/// percent-encoded, the column counts code points as `columnKind` says, and the whole log is
/// valid under the official schema.
#[test]
fn a_checkout_with_spaces_non_ascii_and_an_emoji_is_valid_and_placed_right() {
    let top = std::env::temp_dir().join(format!("trustpub sarif é {}", std::process::id()));
    let _ = std::fs::remove_dir_all(&top);
    let workflows = top.join("pkg ü/.github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::create_dir_all(top.join(".git")).unwrap();
    std::fs::create_dir_all(top.join("pkg ü/docs")).unwrap();
    std::fs::write(
        top.join("pkg ü/expected-publishers.toml"),
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"widget\"\nowner = \"octo-org\"\nrepository = \"widget\"\nworkflow = \"rélease 1.yml\"\nenvironment = \"pypi\"\n",
    )
    .unwrap();
    std::fs::write(
        workflows.join("rélease 1.yml"),
        "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: {url: \"🚀🚀🚀\", name: \"release\"}\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    .unwrap();
    let out = Command::cargo_bin("trustpub")
        .unwrap()
        .current_dir(top.join("pkg ü/docs"))
        .env_remove("TRUSTPUB_CONFIG")
        .env_remove("GIT_CEILING_DIRECTORIES")
        .args([
            "--format",
            "sarif",
            "check",
            "--repository",
            "octo-org/widget",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let errors = schema_errors(&official_schema(), &sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run.get("originalUriBaseIds").is_none());
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "environment-mismatch")
        .unwrap_or_else(|| panic!("{run:#}"));
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "pkg%20%C3%BC/.github/workflows/r%C3%A9lease%201.yml"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // `    environment: {url: "🚀🚀🚀", name: ` is 36 code points (42 UTF-16 code units, 48
    // bytes): the value starts at column 37 (its quote) or 38.
    assert_eq!(loc["region"]["startLine"], 5);
    let column = loc["region"]["startColumn"].as_u64().unwrap();
    assert!(column == 37 || column == 38, "{loc:#}");
    let _ = std::fs::remove_dir_all(&top);
}

/// Every rule has a name, a `security-severity` code scanning can rank, and a help link to a
/// heading of the README named after the rule.
#[test]
fn every_rule_links_to_its_section_of_the_readme() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let sarif = sarif_of("clean");
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let id = rule["id"].as_str().unwrap();
        assert_ne!(rule["name"], rule["id"]);
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.1..=10.0).contains(&severity), "{id}");
        let uri = rule["helpUri"].as_str().unwrap();
        assert_eq!(uri, format!("https://github.com/trustpub/trustpub#{id}"));
        assert!(
            readme.contains(&format!("\n#### `{id}`\n")),
            "README has no `#### `{id}`` heading for the rule's helpUri"
        );
    }
}

/// The README's section of each rule (the target of its `helpUri`), generated from the rules
/// themselves: `UPDATE_README=1 cargo test --test sarif` rewrites it.
#[test]
fn the_rules_section_of_the_readme_is_current() {
    use trustpub::check::rules::ALL;
    use trustpub::diag::Severity;
    const BEGIN: &str = "<!-- rules: generated from src/check/rules by `UPDATE_README=1 cargo test --test sarif`; do not edit by hand -->\n";
    const END: &str = "<!-- rules end -->\n";
    let mut block = String::from(BEGIN);
    for r in ALL {
        let severity = match r.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        block.push_str(&format!(
            "\n#### `{}`\n\n{severity}, security-severity {:.1}{}: {}.\n\n{}\n",
            r.id,
            r.security_severity,
            if r.is_security() { " (security)" } else { "" },
            r.summary,
            r.explanation
        ));
    }
    block.push('\n');
    block.push_str(END);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no generated rules section (markers missing)");
    };
    let current = &readme[a..b + END.len()];
    if current != block && std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(
            &path,
            format!("{}{block}{}", &readme[..a], &readme[b + END.len()..]),
        )
        .unwrap();
        return;
    }
    assert!(
        current == block,
        "README.md's rules section is stale: run `UPDATE_README=1 cargo test --test sarif`"
    );
}
