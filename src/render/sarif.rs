//! SARIF 2.1.0 for `trustpub check`, as GitHub code scanning and the SARIF validator accept it
//! from any working directory: URIs relative to the repository's top level and
//! percent-encoded (RFC 3986), under `%SRCROOT%` (left to the consumer: no
//! `originalUriBaseIds`, so the output never names the machine's paths); columns counted in
//! Unicode code points and said so (`columnKind`); each rule with a name, its help, a link to
//! its section of the README and a `security-severity` for code scanning to rank it.

use serde_json::{Value, json};

use crate::check::Report;
use crate::check::rules::{self, Rule};
use crate::diag::{Diagnostic, Label, Severity};
use crate::redact::redact;
use crate::render::check::end_position;
use crate::sanitize::{visible, visible_line};

/// The project's home, SARIF's `informationUri`.
pub const HOME: &str = "https://github.com/trustpub/trustpub";

/// Where a path printed by `check` lies in the repository: the working directory's path from
/// the repository's top level (`""` at the top, else ending in `/`), and the working
/// directory itself, to place absolute paths.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The working directory relative to the repository's top level, `/`-separated, with a
    /// trailing `/` unless empty.
    pub prefix: String,
    /// The working directory, absolute; `None` leaves absolute paths as `file:` URIs.
    pub cwd: Option<std::path::PathBuf>,
    /// The repository's top level, absolute.
    pub top: Option<std::path::PathBuf>,
}

impl Place {
    /// The place of `cwd` in the repository whose top level is `top` (the working directory
    /// itself outside a repository).
    pub fn new(cwd: &std::path::Path, top: Option<&std::path::Path>) -> Self {
        let prefix = top
            .and_then(|t| cwd.strip_prefix(t).ok())
            .map(|rel| {
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .map(|c| c + "/")
                    .collect()
            })
            .unwrap_or_default();
        Self {
            prefix,
            cwd: Some(cwd.to_path_buf()),
            top: top.map(std::path::Path::to_path_buf),
        }
    }
}

fn encode_segments(path: &str) -> String {
    path.split('/')
        .map(crate::percent::encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// The artifact location of a printed path: relative to the repository's top level under
/// `%SRCROOT%`, or an absolute `file:` URI for a file outside it.
fn artifact_location(path: &str, place: &Place) -> Value {
    let p = std::path::Path::new(path);
    let relative = if p.is_absolute() || path.starts_with("../") || path == ".." {
        let absolute = place
            .cwd
            .as_deref()
            .map(|cwd| crate::paths::lexical_absolute(p, cwd));
        match (&absolute, &place.top) {
            (Some(a), Some(top)) => a.strip_prefix(top).ok().map(|r| {
                r.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            }),
            _ => None,
        }
        .ok_or_else(|| absolute.unwrap_or_else(|| p.to_path_buf()))
    } else {
        Ok(format!("{}{path}", place.prefix))
    };
    match relative {
        Ok(r) => json!({"uri": encode_segments(&r), "uriBaseId": "%SRCROOT%"}),
        Err(absolute) => json!({
            "uri": format!("file://{}", encode_segments(&absolute.to_string_lossy())),
        }),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The README's section of a rule (each rule has a heading named after its id).
pub fn help_uri(rule: &Rule) -> String {
    format!("{HOME}#{}", rule.id)
}

fn rule_descriptor(r: &Rule) -> Value {
    let mut tags = vec![if r.is_security() {
        "security"
    } else {
        "correctness"
    }];
    tags.extend(["supply-chain", "trusted-publishing"]);
    json!({
        "id": r.id,
        "name": r.name(),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.explanation},
        "help": {
            "text": format!("{}\n\n{}", r.explanation, help_uri(r)),
            "markdown": format!("{}\n\n[{}]({})", r.explanation, r.id, help_uri(r)),
        },
        "helpUri": help_uri(r),
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {
            "tags": tags,
            "precision": "very-high",
            "security-severity": format!("{:.1}", r.security_severity),
        },
    })
}

fn region(label: &Label, end: Option<(usize, usize)>) -> Value {
    let mut region = json!({
        "startLine": label.position.line.max(1),
        "startColumn": label.position.column.max(1),
    });
    if let Some((line, column)) = end {
        region["endLine"] = json!(line.max(label.position.line).max(1));
        region["endColumn"] = json!(column.max(1));
    }
    region
}

/// The SARIF log of a `check` report.
pub fn check(report: &Report, place: &Place) -> Value {
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|d| {
            let rule_index = rules::ALL.iter().position(|r| r.id == d.rule).unwrap_or(0);
            // Shown by code scanning as text: control and invisible characters made visible.
            let mut text = visible_line(&redact(&d.message)).into_owned();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(&visible(&redact(h)));
            }
            json!({
                "ruleId": d.rule,
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&d.primary.path, place),
                        "region": region(&d.primary, Some(end_position(report, &d.primary))),
                    }
                }],
                "relatedLocations": d.related.iter().enumerate().map(|(i, r)| json!({
                    "id": i,
                    "message": {"text": visible_line(&redact(&r.text))},
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&r.path, place),
                        "region": region(r, None),
                    }
                })).collect::<Vec<_>>(),
                "partialFingerprints": {"trustpubFinding/v1": fingerprint(d)},
            })
        })
        .collect();
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trustpub",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": HOME,
                "rules": rules::ALL.iter().map(rule_descriptor).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A fingerprint that survives unrelated edits: rule, file and message, not the line.
fn fingerprint(d: &Diagnostic) -> String {
    // FNV-1a, 64 bits: stable across platforms and releases.
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in d
        .rule
        .bytes()
        .chain([0])
        .chain(d.primary.path.bytes())
        .chain([0])
        .chain(d.message.bytes())
    {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_top_and_percent_encoded() {
        let place = Place::new(
            std::path::Path::new("/w/my repo/sub dir"),
            Some(std::path::Path::new("/w/my repo")),
        );
        assert_eq!(place.prefix, "sub dir/");
        let loc = artifact_location(".github/workflows/rélease #1.yml", &place);
        assert_eq!(
            loc["uri"],
            "sub%20dir/.github/workflows/r%C3%A9lease%20%231.yml"
        );
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        let up = artifact_location("../x.yml", &place);
        assert_eq!(up["uri"], "x.yml");
        let outside = artifact_location("/etc/a b.yml", &place);
        assert_eq!(outside["uri"], "file:///etc/a%20b.yml");
        assert!(outside.get("uriBaseId").is_none());
    }

    #[test]
    fn rule_names_read_as_names() {
        let names: Vec<String> = rules::ALL.iter().map(Rule::name).collect();
        assert!(names.contains(&"EnvironmentMismatch".to_owned()));
        assert!(names.iter().all(|n| !n.contains('-')));
    }
}
