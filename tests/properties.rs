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
