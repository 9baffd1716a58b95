//! Package names from the package being published: `pyproject.toml` (`[project].name`,
//! normalised as PyPI does), `Cargo.toml` (`[package].name`; a workspace publishes its
//! members), `package.json` (`name`; npm and pnpm workspaces publish their packages),
//! `*.gemspec` (a literal `spec.name`), `*.csproj` (`PackageId`, else the file name). Where the
//! package is comes from the publishing step ([`Package`]): its folder, manifest or names.

use crate::identity::Registry;
use crate::workflow::publish::{Files, Package};

/// A project name and the file it was read from; or why it could not be read.
pub type Named = Result<(String, String), String>;

/// The most workspace members listed for one step.
pub const MAX_MEMBERS: usize = 500;

/// The names a step publishes to `registry`.
pub fn project_names(registry: Registry, package: &Package, files: &dyn Files) -> Vec<Named> {
    if let Some(dynamic) = &package.dynamic {
        return vec![Err(format!(
            "the package is chosen at run time (`{dynamic}`): name each one it publishes"
        ))];
    }
    let dirs: Vec<String> = if package.dirs.is_empty() {
        vec![String::new()]
    } else {
        package.dirs.clone()
    };
    let mut out = Vec::new();
    for dir in &dirs {
        let found = match registry {
            Registry::Pypi | Registry::TestPypi => vec![python(dir, package, files)],
            Registry::CratesIo => cargo(dir, package, files),
            Registry::Npm => npm(dir, package, files),
            Registry::RubyGems => vec![gem(dir, files)],
            Registry::NuGet => vec![nuget(dir, files)],
        };
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_owned()
    } else {
        format!("{}/{file}", dir.trim_end_matches('/'))
    }
}

/// `dir` and its parents up to the repository root, nearest first (a package is published
/// from its own folder or from a build folder inside it, such as `pkg/` or `dist/`).
fn upwards(dir: &str) -> Vec<String> {
    let mut out = vec![dir.to_owned()];
    let mut d = dir;
    while let Some((parent, _)) = d.rsplit_once('/') {
        out.push(parent.to_owned());
        d = parent;
    }
    if !d.is_empty() {
        out.push(String::new());
    }
    out
}

/// Files under `dir` (to `depth` folders down) whose name `wanted` accepts, skipping build,
/// test, sample and dependency folders; at most [`MAX_MEMBERS`].
fn below(files: &dyn Files, dir: &str, depth: usize, wanted: &dyn Fn(&str) -> bool) -> Vec<String> {
    const SKIP: [&str; 12] = [
        "node_modules",
        "target",
        "bin",
        "obj",
        "test",
        "tests",
        "samples",
        "examples",
        "benchmarks",
        "docs",
        "vendor",
        "artifacts",
    ];
    let mut out = Vec::new();
    let mut queue = vec![(dir.to_owned(), 0)];
    while let Some((d, level)) = queue.pop() {
        for e in files.list(&d) {
            match e.strip_suffix('/') {
                Some(sub) => {
                    let lower = sub.to_ascii_lowercase();
                    if level < depth && !sub.starts_with('.') && !SKIP.contains(&lower.as_str()) {
                        queue.push((join(&d, sub), level + 1));
                    }
                }
                None if wanted(&e) => out.push(join(&d, &e)),
                None => {}
            }
            if out.len() >= MAX_MEMBERS {
                return out;
            }
        }
    }
    out.sort();
    out
}

fn toml_at(files: &dyn Files, path: &str) -> Option<toml::Table> {
    files.read(path)?.parse::<toml::Table>().ok()
}

fn field(t: &toml::Table, path: &[&str]) -> Option<String> {
    let mut v = t.get(path[0])?;
    for p in &path[1..] {
        v = v.get(p)?;
    }
    v.as_str().map(str::to_owned)
}

fn python(dir: &str, package: &Package, files: &dyn Files) -> Named {
    // maturin `-m path/Cargo.toml`: the pyproject beside it, else the crate's name.
    let dir = package
        .manifest
        .as_deref()
        .map(|m| {
            m.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_owned())
        })
        .unwrap_or_else(|| dir.to_owned());
    let dir = upwards(&dir)
        .into_iter()
        .find(|d| files.read(&join(d, "pyproject.toml")).is_some())
        .unwrap_or(dir);
    let path = join(&dir, "pyproject.toml");
    if let Some(t) = toml_at(files, &path) {
        if let Some(n) =
            field(&t, &["project", "name"]).or_else(|| field(&t, &["tool", "poetry", "name"]))
        {
            return Ok((crate::registry::pypi::normalize(&n), path));
        }
        if let Some(c) = toml_at(files, &join(&dir, "Cargo.toml"))
            && let Some(n) = field(&c, &["package", "name"])
        {
            return Ok((
                crate::registry::pypi::normalize(&n),
                join(&dir, "Cargo.toml"),
            ));
        }
        // setuptools: the name in `setup.cfg` beside it.
        if let Some(n) = setup_cfg_name(files, &join(&dir, "setup.cfg")) {
            return Ok((
                crate::registry::pypi::normalize(&n),
                join(&dir, "setup.cfg"),
            ));
        }
        return Err(format!("{path} names no project (`[project] name`)"));
    }
    Err(if dir.is_empty() {
        "no readable pyproject.toml at the repository root, and the workflow names no package folder".into()
    } else {
        format!("no readable {path}")
    })
}

/// `name = ...` of the `[metadata]` section of a `setup.cfg`.
fn setup_cfg_name(files: &dyn Files, path: &str) -> Option<String> {
    let text = files.read(path)?;
    let mut in_metadata = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_metadata = l == "[metadata]";
        } else if in_metadata
            && let Some((k, v)) = l.split_once('=')
            && k.trim() == "name"
        {
            let v = v.trim();
            return (!v.is_empty() && !v.contains('%') && !v.starts_with("attr:"))
                .then(|| v.to_owned());
        }
    }
    None
}

/// Expands workspace member patterns (`crates/*`, `packages/**`, plain folders) against the
/// repository's folders.
fn expand(base: &str, patterns: &[String], files: &dyn Files) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in patterns {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if pattern.starts_with('!') {
            continue;
        }
        let full = join(base, pattern);
        match full.split_once('*') {
            None => out.push(full),
            Some((prefix, _)) => {
                let parent = prefix.trim_end_matches('/');
                let recursive = full.contains("**");
                let mut stack = vec![(parent.to_owned(), 0)];
                while let Some((d, depth)) = stack.pop() {
                    for e in files.list(&d) {
                        let Some(name) = e.strip_suffix('/') else {
                            continue;
                        };
                        if name.starts_with('.') || name == "node_modules" || name == "target" {
                            continue;
                        }
                        let child = join(&d, name);
                        out.push(child.clone());
                        if recursive && depth < 3 {
                            stack.push((child, depth + 1));
                        }
                    }
                    if out.len() > MAX_MEMBERS {
                        break;
                    }
                }
            }
        }
    }
    out.truncate(MAX_MEMBERS);
    out.sort();
    out
}

fn cargo(dir: &str, package: &Package, files: &dyn Files) -> Vec<Named> {
    let path = package.manifest.clone().unwrap_or_else(|| {
        upwards(dir)
            .into_iter()
            .map(|d| join(&d, "Cargo.toml"))
            .find(|p| files.read(p).is_some())
            .unwrap_or_else(|| join(dir, "Cargo.toml"))
    });
    let Some(root) = toml_at(files, &path) else {
        return vec![Err(format!("no readable {path}"))];
    };
    // Named packages (`-p NAME`) are the names.
    if !package.names.is_empty() {
        return package
            .names
            .iter()
            .map(|n| Ok((n.clone(), format!("`-p {n}` ({path})"))))
            .collect();
    }
    let publishes = |t: &toml::Table| {
        t.get("package")
            .and_then(|p| p.get("publish"))
            .and_then(toml::Value::as_bool)
            != Some(false)
    };
    let mut out = Vec::new();
    if let Some(n) = field(&root, &["package", "name"])
        && publishes(&root)
    {
        out.push(Ok((n, path.clone())));
    }
    let members: Vec<String> = root
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if package.workspace || out.is_empty() {
        let base = path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned());
        for member in expand(&base, &members, files) {
            let mpath = join(&member, "Cargo.toml");
            if let Some(t) = toml_at(files, &mpath)
                && let Some(n) = field(&t, &["package", "name"])
                && publishes(&t)
            {
                out.push(Ok((n, mpath)));
            }
        }
    }
    if out.is_empty() {
        out.push(Err(format!("{path} names no publishable package")));
    }
    out
}

fn npm(dir: &str, package: &Package, files: &dyn Files) -> Vec<Named> {
    let dir = &upwards(dir)
        .into_iter()
        .find(|d| files.read(&join(d, "package.json")).is_some())
        .unwrap_or_else(|| dir.to_owned());
    let path = join(dir, "package.json");
    let Some(json) = files
        .read(&path)
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return vec![Err(format!("no readable {path}"))];
    };
    let name_of = |v: &serde_json::Value| -> Option<String> {
        (v.get("private").and_then(serde_json::Value::as_bool) != Some(true))
            .then(|| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
            .flatten()
    };
    // `--filter NAME` / `-w NAME` that is a package name.
    let named: Vec<Named> = package
        .names
        .iter()
        .filter(|n| !n.contains('/') || n.starts_with('@'))
        .filter(|n| !n.contains('*') && !n.starts_with('.') && !n.starts_with('{'))
        .map(|n| Ok((n.clone(), format!("`{n}` ({path})"))))
        .collect();
    if !named.is_empty() {
        return named;
    }
    let has_workspaces =
        json.get("workspaces").is_some() || files.read(&join(dir, "pnpm-workspace.yaml")).is_some();
    // A private root publishes nothing itself: its workspace's packages are what is published.
    if !package.workspace && (name_of(&json).is_some() || !has_workspaces) {
        return vec![
            name_of(&json)
                .map(|n| (n, path.clone()))
                .ok_or_else(|| format!("{path} has no name, or is private")),
        ];
    }
    // The workspace's packages: `workspaces` in package.json, or pnpm-workspace.yaml.
    let mut patterns: Vec<String> = match json.get("workspaces") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(w) => w
            .get("packages")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    if let Some(yaml) = files.read(&join(dir, "pnpm-workspace.yaml"))
        && let Ok(doc) = crate::workflow::yaml::parse(&yaml)
        && let Some(items) = doc.value("packages").and_then(|p| p.as_seq())
    {
        patterns.extend(items.iter().filter_map(|i| i.scalar_text()));
    }
    let mut out: Vec<Named> = Vec::new();
    if let Some(n) = name_of(&json) {
        out.push(Ok((n, path.clone())));
    }
    for member in expand(dir, &patterns, files) {
        let mpath = join(&member, "package.json");
        if let Some(v) = files
            .read(&mpath)
            .and_then(|t| serde_json::from_str(&t).ok())
            && let Some(n) = name_of(&v)
        {
            out.push(Ok((n, mpath)));
        }
    }
    if out.is_empty() {
        out.push(Err(format!(
            "the workspace of {path} has no public package"
        )));
    }
    out
}

fn gem(dir: &str, files: &dyn Files) -> Named {
    let gemspecs = |d: &str| -> Vec<String> {
        files
            .list(d)
            .into_iter()
            .filter(|f| f.ends_with(".gemspec"))
            .collect()
    };
    let dir = &upwards(dir)
        .into_iter()
        .find(|d| !gemspecs(d).is_empty())
        .unwrap_or_else(|| dir.to_owned());
    let mut specs = gemspecs(dir);
    let mut dir = dir.clone();
    if specs.is_empty() {
        // The gem in a folder of its own (`ruby/widget.gemspec`), when it is the only one.
        let found = below(files, &dir, 2, &|f| f.ends_with(".gemspec"));
        if let [one] = found.as_slice() {
            let (d, f) = one.rsplit_once('/').unwrap_or(("", one));
            dir = d.to_owned();
            specs = vec![f.to_owned()];
        }
    }
    let dir = &dir;
    let Some(spec) = specs.first() else {
        return Err(format!(
            "no *.gemspec in {}",
            if dir.is_empty() {
                "the repository root"
            } else {
                dir
            }
        ));
    };
    let path = join(dir, spec);
    let text = files
        .read(&path)
        .ok_or_else(|| format!("{path} is not readable"))?;
    // `spec.name = "widget"` (or `s.name = 'widget'`): only a literal is read, never evaluated.
    for line in text.lines() {
        let l = line.trim();
        if let Some((lhs, rhs)) = l.split_once('=')
            && lhs.trim().ends_with(".name")
            && !lhs.contains("==")
        {
            let v = rhs.trim();
            let quoted = v
                .strip_prefix('"')
                .and_then(|r| r.split_once('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|r| r.split_once('\'')));
            return match quoted {
                Some((name, _)) if !name.contains("#{") => Ok((name.to_owned(), path)),
                _ => Err(format!(
                    "{path} computes the name (`{}`): write it here",
                    v.chars().take(60).collect::<String>()
                )),
            };
        }
    }
    Err(format!("{path} sets no `name`"))
}

fn nuget(dir: &str, files: &dyn Files) -> Named {
    let mut packable = nuget_packages(dir, files);
    match packable.len() {
        0 => Err("no packable .csproj found beside the workflow's push".into()),
        1 => Ok(packable.remove(0)),
        _ => Err(format!(
            "several packages ({}): a NuGet policy covers every package of its owner; give the policy's name",
            packable
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The NuGet packages a folder builds: each packable project file's `PackageId` (else its file
/// name), with the file, in the folder or one level below it (or below `src/`).
pub fn nuget_packages(dir: &str, files: &dyn Files) -> Vec<(String, String)> {
    // The project files in the folder or below it (`src/Widget/Widget.csproj`); a push from a
    // build folder (`bindings/dotnet/artifacts/package`) finds them above.
    let is_project =
        |f: &str| f.ends_with(".csproj") || f.ends_with(".fsproj") || f.ends_with(".vbproj");
    let mut projects = Vec::new();
    for d in upwards(dir) {
        projects = below(files, &d, 4, &is_project);
        if !projects.is_empty() {
            break;
        }
    }
    let tag = |text: &str, name: &str| -> Option<String> {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find('<')? + start;
        Some(text[start..end].trim().to_owned()).filter(|v| !v.is_empty() && !v.contains("$("))
    };
    let props = files
        .read(&join(dir, "Directory.Build.props"))
        .unwrap_or_default();
    let mut packable: Vec<(String, String)> = Vec::new();
    for path in &projects {
        let text = files.read(path).unwrap_or_default();
        let lower = path.to_ascii_lowercase();
        if tag(&text, "IsPackable").as_deref() == Some("false")
            || ["test", "benchmark", "sample", "example"]
                .iter()
                .any(|w| lower.contains(w))
        {
            continue;
        }
        let stem = path.rsplit('/').next().unwrap_or(path);
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let id = tag(&text, "PackageId")
            .or_else(|| tag(&props, "PackageId"))
            .unwrap_or_else(|| stem.to_owned());
        packable.push((id, path.clone()));
    }
    packable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::action::Action;

    struct Tree(Vec<(&'static str, &'static str)>);

    impl Files for Tree {
        fn action(&self, _: &str) -> Option<&Action> {
            None
        }
        fn read(&self, path: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| (*t).to_owned())
        }
        fn list(&self, dir: &str) -> Vec<String> {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut out: Vec<String> = self
                .0
                .iter()
                .filter_map(|(p, _)| p.strip_prefix(&prefix))
                .map(|rest| match rest.split_once('/') {
                    Some((d, _)) => format!("{d}/"),
                    None => rest.to_owned(),
                })
                .collect();
            out.sort();
            out.dedup();
            out
        }
    }

    fn names(found: Vec<Named>) -> Vec<String> {
        found
            .into_iter()
            .map(|n| n.map(|(n, _)| n).unwrap_or_else(|e| format!("error: {e}")))
            .collect()
    }

    #[test]
    fn python_names_are_normalised_and_read_from_the_package_folder() {
        let tree = Tree(vec![
            ("pyproject.toml", "[project]\nname = 'root'\n"),
            (
                "crates/pyo3/pyproject.toml",
                "[project]\nname = 'Fast_Widget.Core'\n",
            ),
        ]);
        let pkg = Package {
            dirs: vec!["crates/pyo3".into()],
            ..Package::default()
        };
        assert_eq!(
            names(project_names(Registry::Pypi, &pkg, &tree)),
            ["fast-widget-core"]
        );
        assert_eq!(
            names(project_names(Registry::Pypi, &Package::default(), &tree)),
            ["root"]
        );
    }

    #[test]
    fn a_cargo_workspace_publishes_its_publishable_members() {
        let tree = Tree(vec![
            ("Cargo.toml", "[workspace]\nmembers = ['crates/*']\n"),
            ("crates/a/Cargo.toml", "[package]\nname = 'alpha'\n"),
            (
                "crates/b/Cargo.toml",
                "[package]\nname = 'beta'\npublish = false\n",
            ),
            ("crates/c/Cargo.toml", "[package]\nname = 'gamma'\n"),
        ]);
        let all = Package {
            workspace: true,
            ..Package::default()
        };
        assert_eq!(
            names(project_names(Registry::CratesIo, &all, &tree)),
            ["alpha", "gamma"]
        );
        let one = Package {
            names: vec!["gamma".into()],
            ..Package::default()
        };
        assert_eq!(
            names(project_names(Registry::CratesIo, &one, &tree)),
            ["gamma"]
        );
    }

    #[test]
    fn a_pnpm_workspace_publishes_its_public_packages() {
        let tree = Tree(vec![
            ("package.json", r#"{"name": "root", "private": true}"#),
            ("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n"),
            ("packages/ui/package.json", r#"{"name": "@acme/ui"}"#),
            (
                "packages/docs/package.json",
                r#"{"name": "docs", "private": true}"#,
            ),
        ]);
        let pkg = Package {
            workspace: true,
            ..Package::default()
        };
        assert_eq!(
            names(project_names(Registry::Npm, &pkg, &tree)),
            ["@acme/ui"]
        );
    }

    #[test]
    fn a_build_folder_finds_the_manifest_above_it_and_a_private_root_its_workspace() {
        let tree = Tree(vec![
            (
                "widget.gemspec",
                "Gem::Specification.new do |spec|\n  spec.name = 'widget'\nend\n",
            ),
            ("pkg/.keep", ""),
            (
                "package.json",
                r#"{"private": true, "workspaces": ["packages/*"]}"#,
            ),
            ("packages/a/package.json", r#"{"name": "a"}"#),
        ]);
        let pkg = Package {
            dirs: vec!["pkg".into()],
            ..Package::default()
        };
        assert_eq!(
            names(project_names(Registry::RubyGems, &pkg, &tree)),
            ["widget"]
        );
        assert_eq!(
            names(project_names(Registry::Npm, &Package::default(), &tree)),
            ["a"]
        );
    }

    #[test]
    fn gemspec_and_csproj_names() {
        let tree = Tree(vec![
            (
                "widget.gemspec",
                "Gem::Specification.new do |spec|\n  spec.name = \"widget\"\nend\n",
            ),
            (
                "src/Widget/Widget.csproj",
                "<Project><PropertyGroup><PackageId>Acme.Widget</PackageId></PropertyGroup></Project>",
            ),
            ("src/Widget.Tests/Widget.Tests.csproj", "<Project/>"),
        ]);
        assert_eq!(
            names(project_names(
                Registry::RubyGems,
                &Package::default(),
                &tree
            )),
            ["widget"]
        );
        assert_eq!(
            names(project_names(Registry::NuGet, &Package::default(), &tree)),
            ["Acme.Widget"]
        );
        let computed = Tree(vec![(
            "w.gemspec",
            "Gem::Specification.new do |s|\n  s.name = NAME\nend\n",
        )]);
        assert!(
            names(project_names(
                Registry::RubyGems,
                &Package::default(),
                &computed
            ))[0]
                .starts_with("error")
        );
    }
}
