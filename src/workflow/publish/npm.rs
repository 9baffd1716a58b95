//! npm: `npm publish`, `pnpm publish` (`-r`, `--filter`), `yarn npm publish`, `yarn publish`
//! (Yarn 1, no Trusted Publishing), `changeset publish` and `changesets/action`,
//! `semantic-release` (its npm plugin) and `lerna publish`, also when reached through a
//! `package.json` script (`npm run release`, `pnpm release`). The npm CLI exchanges the job's
//! token itself (npm 11.5.1 or later, on a GitHub-hosted runner, with `id-token: write`); a
//! token from a secret, in `NODE_AUTH_TOKEN`/`NPM_TOKEN` or written into an `.npmrc`, is a
//! stored credential.

use super::env::{Origin, origin};
use super::shell::{Gap, flag_value, has_flag, positionals};
use super::{Auth, Files, FlatStep, PublishStep, Target, Tool, at};
use crate::identity::Registry;
use crate::workflow::Job;
use crate::workflow::yaml::Span;

/// The publishing commands, with how their words may be spread.
const COMMANDS: &[(&[&str], Gap, Tool)] = &[
    (&["npm", "publish"], Gap::Options, Tool::Npm),
    (&["pnpm", "publish"], Gap::Options, Tool::Pnpm),
    (&["pn", "publish"], Gap::Options, Tool::Pnpm),
    (&["pnpm", "stage", "publish"], Gap::None, Tool::Pnpm),
    (&["npm", "stage", "publish"], Gap::None, Tool::Npm),
    (&["yarn", "publish"], Gap::None, Tool::YarnClassic),
    (&["changeset", "publish"], Gap::None, Tool::Changesets),
    (&["changesets", "publish"], Gap::None, Tool::Changesets),
    (&["semantic-release"], Gap::None, Tool::SemanticRelease),
    (&["lerna", "publish"], Gap::None, Tool::Lerna),
    (&["changelogen"], Gap::None, Tool::Changelogen),
];

/// Runners of `package.json` scripts: the words before the script's name.
const SCRIPT_RUNNERS: &[&[&str]] = &[
    &["npm", "run"],
    &["npm", "run-script"],
    &["pnpm", "run"],
    &["yarn", "run"],
    &["bun", "run"],
    &["pnpm"],
    &["yarn"],
];

/// The oldest npm that exchanges an OIDC token (npm/cli `lib/utils/oidc.js`, 11.5.1).
pub const OLDEST_OIDC_NPM: &str = "11.5.1";

/// Environment variables that hand npm a stored token.
const TOKEN_ENV: &[&str] = &[
    "NODE_AUTH_TOKEN",
    "NPM_TOKEN",
    "NPM_CONFIG_TOKEN",
    "YARN_NPM_AUTH_TOKEN",
];

/// What an earlier step set up: the registry (setup-node's `registry-url`), the Node version,
/// an npm upgrade, a token written into an `.npmrc`.
#[derive(Debug, Default, Clone)]
struct Setup {
    registry: Option<(String, Span)>,
    node_version: Option<(String, Span)>,
    npm_upgraded: bool,
    npmrc_token: Option<(String, Span)>,
}

/// Adds what a step sets up to `setup`.
fn set_up(flat: &FlatStep<'_>, setup: &mut Setup) {
    if flat.action_name() == Some("actions/setup-node") {
        if let Some(r) = flat.input("registry-url") {
            setup.registry = Some(r);
        }
        if let Some(v) = flat.input("node-version") {
            setup.node_version = Some(v);
        }
    }
    if let Some(run) = &flat.step.run
        && (run.value.contains("npm") || run.value.contains("_authToken"))
    {
        scan_script(&flat.resolve(&run.value), &run.span, setup);
    }
}

/// An npm upgrade or an `.npmrc` token in a script.
fn scan_script(script: &str, span: &Span, setup: &mut Setup) {
    for line in script.lines() {
        scan_line(line, span, setup);
    }
}

/// One line of a script, for [`scan_script`].
fn scan_line(line: &str, span: &Span, setup: &mut Setup) {
    {
        let l = line.trim();
        if (l.contains("npm install") || l.contains("npm i ") || l.contains("npm update"))
            && (l.contains(" -g") || l.contains("--global"))
            && l.contains("npm@")
            && !l.contains("npm@10")
            && !l.contains("npm@9")
        {
            setup.npm_upgraded = true;
        }
        if l.contains("_authToken") && !l.starts_with('#') {
            let value = l
                .split("_authToken")
                .nth(1)
                .unwrap_or("")
                .trim_start_matches(['=', ' ', '"', '\''])
                .to_owned();
            setup.npmrc_token = Some((value, span.clone()));
        }
    }
}

/// The major and minor version a `node-version` names, when it says one (the minor is `None`
/// for `24` or `24.x`: the newest of that line).
fn node_version(version: &str) -> Option<(u32, Option<u32>)> {
    let v = version.trim().trim_start_matches('v');
    match v {
        "latest" | "current" | "node" | "lts/*" => return Some((24, None)),
        _ => {}
    }
    if let Some(name) = v.strip_prefix("lts/") {
        let major = match name {
            "hydrogen" => 18,
            "iron" => 20,
            "jod" => 22,
            "krypton" => 24,
            _ => return None,
        };
        return Some((major, None));
    }
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok());
    Some((major, minor))
}

/// Whether a dotted version is below another (`10.9.3` < `11.5.1`); a tag (`latest`) is not.
fn version_below(v: &str, floor: &str) -> bool {
    let parse = |s: &str| -> Option<Vec<u64>> {
        s.trim_start_matches(['^', '~', 'v', '='])
            .split('.')
            .map(|p| p.parse().ok())
            .collect()
    };
    match (parse(v), parse(floor)) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    }
}

/// The npm version a command pins (`npx npm@11.7.0 publish`), when it does.
fn pinned_npm(command: &str) -> Option<&str> {
    command
        .split_whitespace()
        .find_map(|w| w.strip_prefix("npm@"))
}

/// Whether the npm bundled with this Node is older than 11.5.1: Node before 24.5.0 (Node 22
/// and older ship npm 10; 24.5.0 is the first with npm 11.5.1).
fn bundles_old_npm(major: u32, minor: Option<u32>) -> bool {
    major < 24 || major == 24 && minor.is_some_and(|m| m < 5)
}

fn registry_target(url: &str) -> Target {
    if url.contains("${{") {
        Target::Unknown(url.to_owned())
    } else if url.contains("registry.npmjs.org") {
        Target::Registry(Registry::Npm)
    } else {
        Target::Other(url.to_owned())
    }
}

/// The npm publishing steps among a job's steps.
pub fn recognise(_job: &Job, steps: &[FlatStep<'_>], files: &dyn Files) -> Vec<PublishStep> {
    let mut found = Vec::new();
    // What the steps before this one set up, accumulated as the job runs.
    let mut before = Setup::default();
    for flat in steps {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        let setup = before.clone();
        set_up(flat, &mut before);
        match flat.action_name() {
            Some("changesets/action") => {
                let Some((publish, _)) = flat.input("publish") else {
                    continue;
                };
                let span = flat.uses_span();
                // The `publish` command: a publishing command itself, a package.json script
                // that publishes, or (the manifest unreadable) what changesets is for.
                let tool =
                    match script_publishes(&flat.resolve(&publish), &serde_json::Value::Null, 2) {
                        Some(t) => t,
                        None => match script_tool(&publish, flat, files) {
                            ScriptTool::Publishes(t) => t,
                            ScriptTool::DoesNot => continue,
                            ScriptTool::Unread => Tool::Changesets,
                        },
                    };
                // changesets/action v1.7-1.9 write `NPM_TOKEN` into `.npmrc` when it is set.
                found.push(site(flat, &setup, tool, &publish, span, true));
            }
            Some("cycjimmy/semantic-release-action") => {
                let span = flat.uses_span();
                found.push(site(flat, &setup, Tool::SemanticRelease, "", span, true));
            }
            Some("js-devtools/npm-publish") => {
                let span = flat.uses_span();
                let mut p = site(flat, &setup, Tool::Npm, "", span, false);
                if let Some((token, s)) = flat.input("token")
                    && origin(&token).is_secret()
                {
                    p.auth = Auth::Stored {
                        what: "the `token` input".into(),
                        span: s,
                    };
                }
                if let Some((r, s)) = flat.input("registry") {
                    p.target = registry_target(&r);
                    p.target_span = Some(s);
                }
                found.push(p);
            }
            _ => {}
        }
        let Some(run) = &flat.step.run else { continue };
        let mut script_setup = setup;
        // What the script sets up before each of its lines, worked out once: a script of
        // thousands of commands is read once, not once per command.
        let mut before_line: Vec<Setup> = Vec::new();
        for (words, gap, tool) in COMMANDS {
            for f in flat.find(words, *gap) {
                let command = flat.resolve(f.command);
                if *tool == Tool::Changelogen && !has_flag(&command, &["--publish"]) {
                    continue;
                }
                let tool = if *tool == Tool::Npm && f.before.trim_end().ends_with("yarn")
                    || f.before.contains("yarn workspaces foreach")
                {
                    Tool::YarnNpm
                } else {
                    *tool
                };
                // A token written earlier in the same script counts too.
                if before_line.is_empty() {
                    let mut state = Setup::default();
                    before_line.push(state.clone());
                    for line in run.value.lines() {
                        scan_line(&flat.resolve(line), &run.span, &mut state);
                        before_line.push(state.clone());
                    }
                }
                if let Some(state) = before_line.get(f.line_index.min(before_line.len() - 1)) {
                    script_setup.npm_upgraded |= state.npm_upgraded;
                    if state.npmrc_token.is_some() {
                        script_setup.npmrc_token.clone_from(&state.npmrc_token);
                    }
                }
                let mut span = f.span.clone();
                if tool == Tool::YarnNpm && f.before.ends_with("yarn ") {
                    span.bytes.start = span.bytes.start.saturating_sub(5);
                    span.column = span.column.saturating_sub(5).max(1);
                }
                let mut p = site(flat, &script_setup, tool, &command, span, false);
                if let Some(dir) = &f.cd {
                    p.package.dirs = super::shell::join_dir(flat.working_directory.as_deref(), dir)
                        .into_iter()
                        .collect();
                }
                found.push(p);
            }
        }
        // `npm run release` and the like, where the script publishes.
        let mut spans: std::collections::HashSet<std::ops::Range<usize>> =
            found.iter().map(|p| p.span.bytes.clone()).collect();
        for runner in SCRIPT_RUNNERS {
            for f in flat.find(runner, Gap::None) {
                let ScriptTool::Publishes(tool) = script_tool(f.command, flat, files) else {
                    continue;
                };
                if !spans.insert(f.span.bytes.clone()) {
                    continue;
                }
                found.push(site(
                    flat,
                    &script_setup,
                    tool,
                    f.command,
                    f.span.clone(),
                    true,
                ));
            }
        }
    }
    found
}

/// What a `package.json` script run by a command does.
enum ScriptTool {
    /// It publishes with this tool.
    Publishes(Tool),
    /// The manifest was read: the script does not publish (or is not a script).
    DoesNot,
    /// The manifest could not be read.
    Unread,
}

/// The publishing tool a `package.json` script run by `command` (`pnpm release`,
/// `npm run release`) uses, read from the `package.json` of the step's folder; a script that
/// runs a file of the repository (`tsx scripts/publish.ts`) is read too.
fn script_tool(command: &str, flat: &FlatStep<'_>, files: &dyn Files) -> ScriptTool {
    let words: Vec<&str> = command.split_whitespace().collect();
    let Some(runner_len) = SCRIPT_RUNNERS
        .iter()
        .filter(|r| words.len() > r.len() && words[..r.len()] == ***r)
        .map(|r| r.len())
        .max()
    else {
        return ScriptTool::DoesNot;
    };
    let Some(name) = words.get(runner_len).filter(|n| !n.starts_with('-')) else {
        return ScriptTool::DoesNot;
    };
    let dir = flat.working_directory.as_deref().unwrap_or("");
    let manifest = if dir.is_empty() {
        "package.json".to_owned()
    } else {
        format!("{dir}/package.json")
    };
    let Some(json) = files
        .read(&manifest)
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return ScriptTool::Unread;
    };
    let name = flat.resolve(name);
    let Some(script) = json
        .get("scripts")
        .and_then(|s| s.get(&name))
        .and_then(|s| s.as_str())
    else {
        return ScriptTool::DoesNot;
    };
    if let Some(t) = script_publishes(script, &json, 0) {
        return ScriptTool::Publishes(t);
    }
    // `tsx scripts/publish.ts`, `node scripts/release.mjs`, `bash scripts/publish.sh`.
    for word in script.split_whitespace() {
        let is_file = [".js", ".mjs", ".cjs", ".ts", ".mts", ".sh"]
            .iter()
            .any(|x| word.ends_with(x));
        if !is_file || word.contains('$') {
            continue;
        }
        let path =
            super::shell::join_dir(Some(dir), word.trim_start_matches("./")).unwrap_or_default();
        if let Some(text) = files.read(&path)
            && let Some(t) = script_publishes(&text, &json, 2)
        {
            return ScriptTool::Publishes(t);
        }
    }
    ScriptTool::DoesNot
}

/// The publishing tool a script's text runs, following `npm run X` one level.
fn script_publishes(script: &str, json: &serde_json::Value, depth: usize) -> Option<Tool> {
    for part in script
        .split("&&")
        .flat_map(|p| p.split([';', '\n', '`', '\'', '"']))
    {
        let words: Vec<&str> = part.split_whitespace().collect();
        if words.contains(&"changelogen") && words.contains(&"--publish") {
            return Some(Tool::Changelogen);
        }
        for (cmd, _, tool) in COMMANDS {
            let hit = match cmd.len() {
                1 => words.contains(&cmd[0]),
                _ => {
                    words.windows(cmd.len()).any(|w| w == *cmd)
                        || cmd[0] == "pnpm"
                            && words.first() == Some(&"pnpm")
                            && words.contains(&"publish")
                }
            };
            if hit && !words.contains(&"--dry-run") {
                return Some(*tool);
            }
        }
        if depth < 2
            && let Some(at) = words.iter().position(|w| *w == "run" || *w == "run-script")
            && let Some(name) = words.get(at + 1)
            && let Some(inner) = json
                .get("scripts")
                .and_then(|s| s.get(*name))
                .and_then(|s| s.as_str())
            && let Some(t) = script_publishes(inner, json, depth + 1)
        {
            return Some(t);
        }
    }
    None
}

/// A site for `tool` at `flat`, with its registry and authentication.
fn site(
    flat: &FlatStep<'_>,
    setup: &Setup,
    tool: Tool,
    command: &str,
    span: Span,
    workspace: bool,
) -> PublishStep {
    let (target, target_span) = match flag_value(command, &["--registry"]) {
        Some(r) => (registry_target(&r), Some(span.clone())),
        None => match flat
            .env
            .text("NPM_CONFIG_REGISTRY")
            .or_else(|| flat.env.text("npm_config_registry"))
            .or_else(|| setup.registry.clone())
        {
            Some((r, s)) => (registry_target(&r), Some(s)),
            None => (Target::Registry(Registry::Npm), None),
        },
    };
    let token = TOKEN_ENV.iter().find_map(|name| {
        flat.env
            .text(name)
            .filter(|(v, _)| !matches!(origin(v), Origin::Empty | Origin::GithubToken))
            .map(|(v, s)| (format!("`{name}`"), v, s))
    });
    let auth = if !tool.supports_trusted_publishing() {
        Auth::Stored {
            what: format!("`{}`, which cannot use Trusted Publishing", tool.name()),
            span: span.clone(),
        }
    } else if let Some((what, _, s)) = token {
        Auth::Stored { what, span: s }
    } else if tool == Tool::Npm
        && let Some(v) = pinned_npm(command)
        && version_below(v, OLDEST_OIDC_NPM)
    {
        Auth::Stored {
            what: format!(
                "npm {v}, which cannot use Trusted Publishing: npm {OLDEST_OIDC_NPM} or later exchanges the token"
            ),
            span: span.clone(),
        }
    } else if let Some((value, s)) = &setup.npmrc_token
        && !matches!(origin(value), Origin::Empty)
    {
        Auth::Stored {
            what: "a token written into `.npmrc` (`_authToken`)".into(),
            span: s.clone(),
        }
    } else if tool == Tool::Npm
        && !setup.npm_upgraded
        && pinned_npm(command).is_none()
        && let Some((v, s)) = &setup.node_version
        && let Some((major, minor)) = node_version(v)
        && bundles_old_npm(major, minor)
    {
        Auth::Stored {
            what: format!(
                "the npm bundled with Node {}, which cannot use Trusted Publishing: npm {OLDEST_OIDC_NPM} (Node 24.5.0) or later exchanges the token",
                v.trim()
            ),
            span: s.clone(),
        }
    } else {
        Auth::TrustedPublishing
    };
    let mut p = at(flat, tool, target, auth, span);
    p.target_span = target_span;
    p.package.workspace = workspace
        || matches!(tool, Tool::Changesets | Tool::Lerna)
        || has_flag(command, &["-r", "--recursive", "--workspaces", "-ws"]);
    if let Some(w) = flag_value(command, &["--workspace", "-w", "--filter", "-F"]) {
        p.package.names.push(w);
    }
    // `npm publish DIR`: a folder to publish (a tarball or a variable says nothing).
    if matches!(tool, Tool::Npm | Tool::Pnpm)
        && let Some(at) = command.split_whitespace().position(|w| w == "publish")
    {
        let after: String = command
            .split_whitespace()
            .skip(at + 1)
            .collect::<Vec<_>>()
            .join(" ");
        let flags = [
            "--registry",
            "--tag",
            "--access",
            "--otp",
            "--workspace",
            "-w",
            "--filter",
            "-F",
            "--provenance-file",
        ];
        let folder = positionals(&after, &flags)
            .into_iter()
            .find(|w| *w != "publish" && !w.ends_with(".tgz"));
        match folder {
            Some(w) if w.contains(['$', '{', '}']) => {
                p.package.dynamic = Some(w.trim_matches(['"', '\'']).to_owned());
            }
            Some(dir) => {
                p.package.dirs = super::shell::join_dir(
                    flat.working_directory.as_deref(),
                    dir.trim_matches(['"', '\'']),
                )
                .into_iter()
                .collect();
            }
            None => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_versions() {
        assert_eq!(node_version("22"), Some((22, None)));
        assert_eq!(node_version("22.x"), Some((22, None)));
        assert_eq!(node_version("v24.4.0"), Some((24, Some(4))));
        assert_eq!(node_version("lts/jod"), Some((22, None)));
        assert_eq!(node_version("lts/*"), Some((24, None)));
        assert_eq!(node_version("${{ matrix.node }}"), None);
        assert!(bundles_old_npm(22, None));
        assert!(bundles_old_npm(24, Some(4)));
        assert!(!bundles_old_npm(24, None));
        assert!(!bundles_old_npm(24, Some(5)));
        assert!(version_below("10.9.3", "11.5.1"));
        assert!(!version_below("11.7.0", "11.5.1"));
        assert!(!version_below("latest", "11.5.1"));
    }
}
