//! The README's "Every registry, field by field" table, generated from the registry modules'
//! own tables: each [`Spec`]'s providers, audience, rules, timing and upstream snapshot, and its
//! [`Spec::conformance`] rows. A test holds the README's copy equal to this one, and each
//! registry's count of ported upstream vectors equal to the `// upstream:` marks of its tests.

use crate::identity::{Provider, Registry};
use crate::registry::Spec;
use crate::registry::github::Case;

/// The registries the table has a column for (PyPI's column stands for TestPyPI too).
const COLUMNS: [Registry; 5] = [
    Registry::Pypi,
    Registry::CratesIo,
    Registry::Npm,
    Registry::RubyGems,
    Registry::NuGet,
];

/// The marks around the table in the README.
pub const START: &str = "<!-- registry-table: generated from the registry modules by `UPDATE_README=1 cargo test registry_table`; do not edit by hand -->";
/// The end mark.
pub const END: &str = "<!-- registry-table end -->";

fn case(c: Case) -> &'static str {
    match c {
        Case::Sensitive => "exact",
        Case::Insensitive => "case-insensitive",
    }
}

fn providers(spec: &Spec) -> String {
    std::iter::once(Provider::GitHub)
        .chain(spec.other_providers.iter().map(|k| k.provider))
        .map(Provider::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row: the label, then one cell per column.
fn row(label: &str, cell: impl Fn(Registry, &Spec) -> String) -> String {
    let cells: Vec<String> = COLUMNS
        .iter()
        .map(|r| cell(*r, r.spec()).replace('|', "\\|"))
        .collect();
    format!("| {label} | {} |", cells.join(" | "))
}

/// The table, in Markdown.
pub fn table() -> String {
    let mut out = vec![
        format!(
            "| | {} |",
            COLUMNS
                .iter()
                .map(|r| match r {
                    Registry::Pypi => "PyPI, TestPyPI".to_owned(),
                    _ => r.name().to_owned(),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        format!("|{}", " --- |".repeat(COLUMNS.len() + 1)),
    ];
    out.push(row("publishers", |_, s| providers(s)));
    out.push(row("audience", |r, s| match r {
        Registry::Pypi => format!(
            "`{}` (TestPyPI: `{}`)",
            s.audience,
            Registry::TestPypi.audience()
        ),
        _ => format!("`{}`", s.audience),
    }));
    out.push(row("GitHub workflow read from", |r, _| {
        match r.github_rules().workflow_claim {
            crate::registry::WorkflowClaim::Defining => {
                "`job_workflow_ref`: the file that defines the job".into()
            }
            crate::registry::WorkflowClaim::Caller => "`workflow_ref`: the top-level caller".into(),
        }
    }));
    out.push(row("owner", |r, _| r.github_rules().owner_rule.to_owned()));
    out.push(row("repository", |r, _| {
        case(r.github_rules().repository).to_owned()
    }));
    out.push(row("workflow file", |r, _| {
        case(r.github_rules().workflow).to_owned()
    }));
    out.push(row("environment", |r, _| {
        case(r.github_rules().environment).to_owned()
    }));
    out.push(row("owner id", |r, _| {
        r.github_rules().owner_id_rule.to_owned()
    }));
    out.push(row("events refused", |_, s| {
        if s.refused_events.is_empty() {
            "none".into()
        } else {
            s.refused_events
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }));
    out.push(row("token clock leeway", |_, s| {
        s.timing.summary.to_owned()
    }));
    let labels: Vec<&str> = COLUMNS[0]
        .spec()
        .conformance
        .iter()
        .map(|(l, _)| *l)
        .collect();
    for label in labels {
        out.push(row(label, |_, s| {
            s.conformance
                .iter()
                .find(|(l, _)| *l == label)
                .map_or_else(String::new, |(_, v)| (*v).to_owned())
        }));
    }
    out.push(row("rules read at", |_, s| {
        format!(
            "{} `{}` ({})",
            s.upstream.repository, s.upstream.commit, s.upstream.date
        )
    }));
    out.push(row("upstream vectors ported", |_, s| {
        format!("{}: {}", s.upstream.vectors, s.upstream.tests)
    }));
    out.join("\n")
}

/// How many upstream vectors a registry's test file ports: one per `// upstream:` mark, or
/// the `(×N` it states for a mark that stands for a loop.
pub fn count_vectors(tests: &str) -> usize {
    tests
        .lines()
        .filter_map(|l| l.split_once("// upstream:").map(|(_, rest)| rest))
        .map(|rest| {
            rest.split_once("(×")
                .and_then(|(_, n)| {
                    n.split(|c: char| !c.is_ascii_digit())
                        .next()
                        .and_then(|d| d.parse().ok())
                })
                .unwrap_or(1)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registry_states_how_many_upstream_vectors_its_tests_port() {
        let files = [
            (Registry::Pypi, include_str!("pypi/tests.rs")),
            (Registry::CratesIo, include_str!("crates_io/tests.rs")),
            (Registry::Npm, include_str!("npm/tests.rs")),
            (Registry::RubyGems, include_str!("rubygems/tests.rs")),
            (Registry::NuGet, include_str!("nuget/tests.rs")),
        ];
        for (registry, text) in files {
            assert_eq!(
                registry.spec().upstream.vectors,
                count_vectors(text),
                "{registry}: update `upstream.vectors` in its module"
            );
        }
        assert_eq!(
            count_vectors("a // upstream: t (×3)\nb // upstream: u\n"),
            4
        );
    }

    #[test]
    fn registry_table_in_the_readme_is_the_generated_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
            panic!("README.md has no registry table between its marks");
        };
        let current = readme[start + START.len()..end].trim();
        let generated = table();
        if current != generated {
            if std::env::var_os("UPDATE_README").is_some() {
                let updated = format!(
                    "{}{START}\n{generated}\n{}",
                    &readme[..start],
                    &readme[end..]
                );
                std::fs::write(&path, updated).unwrap();
            } else {
                panic!(
                    "README.md's registry table differs from the modules' tables; run `UPDATE_README=1 cargo test registry_table`:\n{generated}"
                );
            }
        }
    }
}
