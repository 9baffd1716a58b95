//! Properties over arbitrary input: nothing panics, escaping is total, positions stay in range.

use proptest::prelude::*;

use trustpub::render::check::{escape_data, escape_property};

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    })]

    #[test]
    fn annotation_escaping_is_total_and_reversible(s in "\\PC*|[%:,\r\n]{0,20}") {
        let data = escape_data(&s);
        prop_assert!(!data.contains('\n') && !data.contains('\r'));
        let prop = escape_property(&s);
        prop_assert!(!prop.contains(':') && !prop.contains(',') && !prop.contains('\n'));
        prop_assert_eq!(unescape(&prop), s.clone());
        prop_assert_eq!(unescape(&data), s);
    }

    #[test]
    fn positions_never_panic_and_stay_in_range(s in "\\PC{0,80}", offset in 0usize..200) {
        let p = trustpub::source::position_in(&s, offset);
        prop_assert!(p.line >= 1 && p.column >= 1);
        prop_assert!(p.line <= s.lines().count().max(1) + 1);
    }

    #[test]
    fn desired_state_parsing_never_panics(s in "\\PC{0,200}") {
        let _ = trustpub::config::parse(trustpub::source::SourceFile::new("x.toml", s));
    }

    #[test]
    fn evidence_detection_never_panics(s in "\\PC{0,200}") {
        let _ = trustpub::evidence::Evidence::detect(&s, "stdin", None);
    }

    #[test]
    fn yaml_parsing_never_panics(s in "[a-z:\\-\\[\\]{}&*!|> \n\"'#]{0,200}") {
        let _ = trustpub::workflow::Workflow::parse(std::path::Path::new("w.yml"), s);
    }

    #[test]
    fn extracted_workflow_names_are_file_names_followed_by_at(s in "[a-zA-Z./@_-]{0,40}") {
        if let Some(name) = trustpub::registry::pypi::extract_workflow_filename(&s) {
            prop_assert!(name.ends_with(".yml") || name.ends_with(".yaml"));
            prop_assert!(!name.contains('/'));
            let followed = format!("{name}@");
            prop_assert!(s.contains(&followed));
        }
    }

    #[test]
    fn redaction_removes_every_jwt(prefix in "[a-z ]{0,10}", body in "[A-Za-z0-9_-]{20,60}", suffix in "[a-z ]{0,10}") {
        let token = format!("eyJ{body}.{body}.{body}");
        let text = format!("{prefix}{token}{suffix}");
        let redacted = trustpub::redact::redact(&text);
        prop_assert!(!redacted.contains(&token));
    }
}

/// A report of `check` over one workflow whose environment is `environment` (any text), against
/// a publisher that requires `pypi`: one `environment-mismatch` finding quoting it.
fn report_for_environment(environment: &str) -> trustpub::check::Report {
    use trustpub::check::{self, Inputs};
    let quoted = serde_json::to_string(environment).unwrap();
    let text = format!(
        "on: push\njobs:\n  publish:\n    environment: {quoted}\n    permissions: {{id-token: write}}\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    );
    let workflow =
        trustpub::workflow::Workflow::parse(std::path::Path::new("release.yml"), text).unwrap();
    let desired = trustpub::config::parse(trustpub::source::SourceFile::new(
        "expected-publishers.toml",
        "[[publisher]]\nregistry = \"pypi\"\nproject = \"p\"\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n",
    ))
    .unwrap();
    check::check(Inputs {
        desired,
        config_problems: Vec::new(),
        workflows: vec![workflow],
        unreadable: Vec::new(),
        unreadable_sources: Vec::new(),
        repository: check::Repository::parse("o/r", "test"),
        complete: true,
        files: Default::default(),
    })
}

/// The 1-based line and character column of `offset`, counted by hand.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    })]

    /// Any text in a finding comes out of JSON and SARIF as valid JSON holding the text, and out
    /// of the annotations as one line per finding.
    #[test]
    fn json_sarif_and_annotations_carry_arbitrary_text(env in "\\PC{1,40}") {
        prop_assume!(!env.trim().eq_ignore_ascii_case("pypi") && !env.contains("${{"));
        prop_assume!(env.trim() == env && !env.contains(['\n', '\r']));
        let report = report_for_environment(&env);
        let mismatch = report.findings.iter().find(|d| d.rule == "environment-mismatch");
        prop_assume!(mismatch.is_some());
        let json = serde_json::to_string(&trustpub::render::check::json(&report)).unwrap();
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        let message = back["findings"][0]["message"].as_str().unwrap();
        let shown = trustpub::redact::redact(&env).into_owned();
        prop_assert!(message.contains(&shown), "{} does not quote {:?}", message, env);
        let sarif = serde_json::to_string(&trustpub::render::sarif::check(&report, &trustpub::render::sarif::Place::default())).unwrap();
        let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        // SARIF messages are displayed text: control and invisible characters shown visibly.
        let text = sarif["runs"][0]["results"][0]["message"]["text"].as_str().unwrap();
        prop_assert!(text.contains(trustpub::sanitize::visible_line(&shown).as_ref()));
        let mut annotations = Vec::new();
        trustpub::render::check::github(&mut annotations, &report).unwrap();
        let annotations = String::from_utf8(annotations).unwrap();
        prop_assert_eq!(
            annotations.lines().filter(|l| l.starts_with("::")).count(),
            report.findings.len()
        );
        let mut human = Vec::new();
        trustpub::render::check::human(&mut human, &report, Default::default()).unwrap();
        let human = String::from_utf8(human).unwrap();
        // The renderer's own colours aside, nothing from the input is a control character.
        let mut plain = String::new();
        let mut rest = human.as_str();
        while let Some(i) = rest.find("\u{1b}[") {
            plain.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let end = after.find('m').map_or(after.len(), |e| e + 1);
            rest = &after[end..];
        }
        plain.push_str(rest);
        for out in [&annotations, &plain] {
            prop_assert!(trustpub::sanitize::suspicious_in(out).is_empty(), "{:?}", out);
        }
    }

    /// Line and column of every character boundary of non-ASCII text are the ones counted by
    /// hand (characters, not bytes), and a span's region is never inverted.
    #[test]
    fn positions_on_non_ascii_text_count_characters(text in "(\\PC|\r\n|\n){0,60}") {
        for (offset, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            let p = trustpub::source::position_in(&text, offset);
            prop_assert_eq!((p.line, p.column), line_and_column(&text, offset));
        }
        // An offset inside a character counts as the character's start.
        for offset in 0..text.len() {
            if !text.is_char_boundary(offset) {
                let start = (0..offset).rev().find(|i| text.is_char_boundary(*i)).unwrap();
                prop_assert_eq!(
                    trustpub::source::position_in(&text, offset),
                    trustpub::source::position_in(&text, start)
                );
            }
        }
    }

    /// The environment's span, computed by the YAML tree on non-ASCII text, points at the value
    /// in the text, and its column is the character column.
    #[test]
    fn yaml_spans_on_non_ascii_text_point_at_the_value(prefix in "[a-zé🐍 ]{0,12}", value in "[a-zA-Zé🐍ß][a-zA-Zé🐍ß-]{0,11}") {
        let text = format!("name: \"{prefix}\"\non: push\njobs:\n  j:\n    environment: {value}\n");
        let w = trustpub::workflow::Workflow::parse(std::path::Path::new("w.yml"), text.clone()).unwrap();
        let env = w.jobs[0].environment.as_ref().unwrap().name.as_ref().unwrap();
        prop_assert_eq!(&text[env.span.bytes.clone()], value.as_str());
        prop_assert_eq!((env.span.line, env.span.column), line_and_column(&text, env.span.bytes.start));
    }
}
