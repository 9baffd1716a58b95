//! `check` over the real workflows of `../shared/corpus` (when the folder exists): no panic, no
//! unexplained parse failure, and findings that agree with the corpus tags.
//!
//! For each file with a recognised upload to PyPI or TestPyPI, the test declares the publisher
//! the file itself implies (its file name, the publishing job's literal environment, the
//! repository from MANIFEST.tsv), so that every finding is about the file, not the declaration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use trustpub::check::{self, Context, Inputs};
use trustpub::config;
use trustpub::source::SourceFile;
use trustpub::workflow::publish::Auth;

struct Entry {
    local: PathBuf,
    repo: String,
    tags: BTreeSet<String>,
}

fn corpus() -> Option<(PathBuf, Vec<Entry>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).ok()?;
    let entries = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols.len() >= 5).then(|| Entry {
                local: root.join(cols[0]),
                repo: cols[1].to_owned(),
                tags: cols[4].split(',').map(str::to_owned).collect(),
            })
        })
        .collect();
    Some((root, entries))
}

/// The rules found for a corpus file, whether one of its uploads uses a stored credential,
/// and whether one of its uploads could use Trusted Publishing (so needs `id-token: write`).
fn rules_for(entry: &Entry) -> Result<(BTreeSet<String>, bool, bool), String> {
    let file_name = entry
        .local
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let read =
        check::read_workflows(std::slice::from_ref(&entry.local)).map_err(|e| e.to_string())?;
    if let Some(d) = read.unreadable.first() {
        return if entry.tags.contains("yaml-error") || entry.tags.contains("malformed-jobs") {
            Ok((BTreeSet::from([d.rule.to_owned()]), false, false))
        } else {
            Err(format!("unexplained parse failure: {}", d.headline()))
        };
    }
    // Declare what the file implies, then check the whole folder (callers and callees).
    let empty = config::DesiredState {
        source: SourceFile::new("expected-publishers.toml", ""),
        publishers: vec![],
        thresholds: Default::default(),
        warnings: Vec::new(),
    };
    let files = check::RepoFiles::default();
    let probe = Context::new(&empty, &read.workflows, None, &files);
    let (owner, name) = entry.repo.split_once('/').unwrap();
    let mut toml = String::new();
    let mut registries = BTreeSet::new();
    for site in &probe.sites {
        let Some(registry) = site.registry() else {
            continue;
        };
        if !registries.insert(registry.id()) {
            continue;
        }
        let env = site
            .job
            .environment
            .as_ref()
            .and_then(|e| e.name.as_ref())
            .filter(|n| !n.is_expression());
        toml.push_str(&format!(
            "[[publisher]]\nregistry = \"{}\"\nproject = \"p\"\nowner = \"{owner}\"\nrepository = \"{name}\"\nworkflow = \"{file_name}\"\n",
            registry.id()
        ));
        if let Some(e) = env.filter(|e| !e.value.contains(['"', '\\'])) {
            toml.push_str(&format!("environment = \"{}\"\n", e.value));
        }
    }
    if toml.is_empty() {
        return Ok((BTreeSet::new(), false, false));
    }
    let (desired, config_problems) =
        config::parse_lenient(SourceFile::new("expected-publishers.toml", toml))
            .map_err(|e| e.to_string())?;
    let folder = check::collect_files(&[entry.local.parent().unwrap().to_path_buf()])
        .map_err(|e| e.to_string())?;
    let all = check::read_workflows(&folder).map_err(|e| e.to_string())?;
    let stored = probe.sites.iter().any(|s| {
        s.registry().is_some()
            && s.step
                .as_ref()
                .is_some_and(|p| matches!(p.auth, Auth::Stored { .. }))
    });
    let oidc_capable = probe.sites.iter().any(|s| {
        s.registry().is_some()
            && s.step
                .as_ref()
                .is_some_and(|p| p.tool.supports_trusted_publishing())
    });
    let inputs = Inputs {
        desired,
        config_problems,
        workflows: all.workflows,
        unreadable: Vec::new(),
        unreadable_sources: Vec::new(),
        repository: None,
        complete: true,
        files: Default::default(),
    };
    let report = check::check(inputs);
    let mine = trustpub::source::display_path(&entry.local);
    let rules = report
        .findings
        .iter()
        .filter(|d| d.primary.path == mine || d.primary.path == "expected-publishers.toml")
        .map(|d| d.rule.to_owned())
        .collect();
    Ok((rules, stored, oidc_capable))
}

#[test]
fn corpus_findings_agree_with_tags() {
    let Some((_, entries)) = corpus() else {
        eprintln!("../shared/corpus not found: skipped");
        return;
    };
    assert!(
        entries.len() > 100,
        "the corpus has {} files",
        entries.len()
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut seen = std::collections::BTreeMap::new();
    for entry in &entries {
        let name = entry.local.display().to_string();
        let (rules, stored, oidc_capable) = match rules_for(entry) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        checked += 1;
        if std::env::var_os("CORPUS_DEBUG").is_some() {
            eprintln!("{name}\t{rules:?}\t{:?}", entry.tags);
        }
        for r in &rules {
            *seen.entry(r.clone()).or_insert(0usize) += 1;
        }
        let has = |r: &str| rules.contains(r);
        let tagged = |t: &str| entry.tags.contains(t);
        // A stored credential for a declared index is `legacy-credential`, and only then.
        if stored != has("legacy-credential") {
            problems.push(format!(
                "{name}: stored credential {stored}, rules {rules:?}"
            ));
        }
        if has("legacy-credential") && !tagged("legacy-token") {
            problems.push(format!(
                "{name}: legacy-credential without the legacy-token tag"
            ));
        }
        if has("environment-unverifiable") && !tagged("expr-env") {
            problems.push(format!(
                "{name}: environment-unverifiable without the expr-env tag"
            ));
        }
        // `id-token-missing` exactly where the file never grants id-token (GitHub's default
        // grants none), except in a reusable workflow, whose caller decides.
        if has("id-token-missing") && !tagged("no-idtoken") {
            problems.push(format!(
                "{name}: id-token-missing although the file grants id-token ({rules:?})"
            ));
        }
        if oidc_capable
            && tagged("no-idtoken")
            && !tagged("reusable-callee")
            && !has("id-token-missing")
        {
            problems.push(format!(
                "{name}: tagged no-idtoken, publishes, but no id-token-missing ({rules:?})"
            ));
        }
        if has("id-token-workflow-level") && !tagged("idtoken-workflow") {
            problems.push(format!(
                "{name}: id-token-workflow-level without the idtoken-workflow tag"
            ));
        }
        if (tagged("yaml-error")) != has("workflow-invalid") && tagged("yaml-error") {
            problems.push(format!(
                "{name}: yaml-error tag but no workflow-invalid finding"
            ));
        }
    }
    eprintln!("{checked} files checked; rules seen: {seen:?}");
    assert!(checked > 100);
    // The corpus exercises the main rules: a run that finds none of them has stopped looking.
    for rule in [
        "legacy-credential",
        "id-token-missing",
        "workflow-invalid",
        "reusable-workflow",
    ] {
        assert!(
            seen.contains_key(rule),
            "no corpus file triggers {rule}: {seen:?}"
        );
    }
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
