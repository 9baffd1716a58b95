//! The `[thresholds]` table: the release playbook's numbers that `trustpub drift` measures.
//! Every key is optional; the defaults are the playbook's (owlclaw-case.md).
//!
//! ```toml
//! [thresholds]
//! publish-success-rate = 0.99       # share of the last runs that succeeded
//! publish-success-window = 20       # how many completed runs of the workflow
//! publish-to-install-seconds = 300  # publish step start to install smoke end
//! provenance-completeness = 1.0     # share of the latest release's files with provenance
//! response-minutes = 10             # a failed run's end to the start of the next (the retry)
//! ```

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Problems, describe};

/// The keys `[thresholds]` may hold.
pub const THRESHOLD_KEYS: &[&str] = &[
    "publish-success-rate",
    "publish-success-window",
    "publish-to-install-seconds",
    "provenance-completeness",
    "response-minutes",
];

/// The playbook's thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// The least share of successful runs, in [0, 1].
    pub publish_success_rate: f64,
    /// How many completed runs the rate is measured over, 1 to 100.
    pub publish_success_window: u32,
    /// The longest publish-to-install time, in seconds.
    pub publish_to_install_seconds: f64,
    /// The least share of the latest release's files with provenance, in [0, 1].
    pub provenance_completeness: f64,
    /// The longest time from the end of a failed publishing run to the start of the next run
    /// of that workflow (the retry), in minutes: the playbook's retry-or-rollback decision at
    /// T+10.
    pub response_minutes: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            publish_success_rate: 0.99,
            publish_success_window: 20,
            publish_to_install_seconds: 300.0,
            provenance_completeness: 1.0,
            response_minutes: 10.0,
        }
    }
}

fn number(value: &DeValue<'_>) -> Option<f64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// Reads `[thresholds]`, reporting every bad key or value; bad values keep their default.
pub(super) fn read(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Thresholds {
    let mut t = Thresholds::default();
    let DeValue::Table(table) = value.get_ref() else {
        problems.push(
            value.span(),
            format!(
                "`thresholds` must be a table, found {}",
                describe(value.get_ref())
            ),
            "expected a `[thresholds]` table",
            None,
        );
        return t;
    };
    read_table(table, problems, &mut t);
    t
}

fn read_table(table: &DeTable<'_>, problems: &mut Problems<'_>, t: &mut Thresholds) {
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        if !THRESHOLD_KEYS.contains(&name) {
            problems.unknown(key.span(), "key", "keys", name, THRESHOLD_KEYS);
            continue;
        }
        let span: Range<usize> = value.span();
        let Some(n) = number(value.get_ref()).filter(|n| n.is_finite()) else {
            problems.push(
                span,
                format!(
                    "`{name}` must be a number, found {}",
                    describe(value.get_ref())
                ),
                "expected a number",
                None,
            );
            continue;
        };
        let mut bad = |label: &str, help: &str| {
            problems.push(
                span.clone(),
                format!("`{name}` is out of range"),
                label,
                Some(help.into()),
            );
        };
        match name {
            "publish-success-rate" | "provenance-completeness" if !(0.0..=1.0).contains(&n) => {
                bad("must be between 0 and 1", "a share: 0.99 means 99%");
            }
            "publish-success-rate" => t.publish_success_rate = n,
            "provenance-completeness" => t.provenance_completeness = n,
            "publish-success-window" if n.fract() != 0.0 || !(1.0..=100.0).contains(&n) => {
                bad(
                    "must be a whole number from 1 to 100",
                    "GitHub lists at most 100 runs a page",
                );
            }
            "publish-success-window" => t.publish_success_window = n as u32,
            "response-minutes" if n <= 0.0 => bad(
                "must be more than 0",
                "minutes, as in 10 for the playbook's decision at T+10",
            ),
            "response-minutes" => t.response_minutes = n,
            _ if n < 0.0 => bad(
                "must not be negative",
                "seconds, as in 300 for five minutes",
            ),
            _ => t.publish_to_install_seconds = n,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Thresholds, parse};
    use crate::error::InputError;
    use crate::source::SourceFile;

    const PUBLISHER: &str = "[[publisher]]\nregistry='pypi'\nproject='x'\nowner='o'\nrepository='r'\nworkflow='x.yml'\n";

    #[test]
    fn defaults_are_the_playbooks() {
        let d = parse(SourceFile::new("e.toml", PUBLISHER)).unwrap();
        assert_eq!(d.thresholds, Thresholds::default());
        assert_eq!(d.thresholds.publish_success_window, 20);
    }

    #[test]
    fn values_are_read() {
        let text = format!(
            "{PUBLISHER}[thresholds]\npublish-success-rate = 0.9\npublish-success-window = 10\npublish-to-install-seconds = 120\nprovenance-completeness = 1\n"
        );
        let t = parse(SourceFile::new("e.toml", text)).unwrap().thresholds;
        assert_eq!(
            (t.publish_success_rate, t.publish_success_window),
            (0.9, 10)
        );
        assert_eq!(
            (t.publish_to_install_seconds, t.provenance_completeness),
            (120.0, 1.0)
        );
    }

    #[test]
    fn every_bad_value_is_reported() {
        let text = format!(
            "{PUBLISHER}[thresholds]\npublish-success-rate = 99\npublish-success-window = 0.5\npublish-to-install-seconds = 'fast'\nprovenance-completness = 1\n"
        );
        let Err(InputError::Config { diagnostics, .. }) = parse(SourceFile::new("e.toml", text))
        else {
            panic!("expected problems");
        };
        let messages: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.help.as_deref() == Some("did you mean `provenance-completeness`?"))
        );
    }
}
