//! Local composite actions (`uses: ./path` on a step): their steps run inside the calling job,
//! so a publishing step in `.github/actions/release/action.yml` publishes with that job's token.
//! Only `runs.using: composite` has steps to follow; a JavaScript or Docker action is opaque.

use std::path::Path;

use super::yaml::{self, Item, Key, Node};
use super::{Step, WorkflowError, step};
use crate::source::SourceFile;

/// A composite action read from the repository.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The `uses:` value that names it, normalised (`./.github/actions/release`).
    pub uses: String,
    /// The action file.
    pub source: SourceFile,
    /// Its declared inputs, with their `default:` where given.
    pub inputs: Vec<(Key, Option<Item>)>,
    /// Its steps (empty for an action that is not composite).
    pub steps: Vec<Step>,
    /// Whether `runs.using` is `composite`.
    pub composite: bool,
}

/// The action files GitHub looks for in an action's folder, in its order.
pub const ACTION_FILES: [&str; 2] = ["action.yml", "action.yaml"];

/// The normalised folder of a local `uses: ./path` (no trailing `/`, no `./` segments), or
/// `None` when `uses` is not a local action.
pub fn local_action_dir(uses: &str) -> Option<String> {
    let rest = uses.strip_prefix("./")?;
    let parts: Vec<&str> = rest
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.iter().any(|p| *p == ".." || p.contains('\\')) {
        return None;
    }
    Some(parts.join("/"))
}

impl Action {
    /// Parses an action file's text.
    pub fn parse(uses: &str, source: SourceFile) -> Result<Action, (WorkflowError, SourceFile)> {
        let root = match yaml::parse(&source.text) {
            Ok(root) => root,
            Err(e) => {
                return Err((
                    WorkflowError {
                        line: e.line,
                        column: e.column,
                        offset: e.offset,
                        message: e.message,
                    },
                    source,
                ));
            }
        };
        let runs = root.value("runs");
        let composite = runs
            .and_then(|r| r.value("using"))
            .and_then(Item::as_str)
            .is_some_and(|u| u.eq_ignore_ascii_case("composite"));
        let steps = if composite {
            runs.and_then(|r| r.value("steps"))
                .and_then(Item::as_seq)
                .map(|s| s.iter().enumerate().map(|(i, s)| step(i, s)).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let inputs = match root.value("inputs").map(|i| &i.node) {
            Some(Node::Map(entries)) => entries
                .iter()
                .map(|(k, v)| (k.clone(), v.value("default").cloned()))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Action {
            uses: uses.to_owned(),
            source,
            inputs,
            steps,
            composite,
        })
    }

    /// Reads the action in `dir` (relative to `root`), when its file exists and lies inside the
    /// repository (symbolic links followed). `Ok(None)` when there is no action file.
    pub fn read(root: &Path, dir: &str) -> Result<Option<Action>, (WorkflowError, SourceFile)> {
        for name in ACTION_FILES {
            let path = root.join(dir).join(name);
            if !path.is_file() || crate::paths::escapes(&path) {
                continue;
            }
            let shown = if root == Path::new(".") || root.as_os_str().is_empty() {
                Path::new(dir).join(name)
            } else {
                path.clone()
            };
            let text = match crate::error::read_text_limited(&path, super::MAX_ACTION_BYTES) {
                Ok(s) => s.text,
                Err(e) => {
                    let source = SourceFile::new(shown, String::new());
                    return Err((
                        WorkflowError {
                            line: 0,
                            column: 0,
                            offset: 0,
                            message: e.to_string(),
                        },
                        source,
                    ));
                }
            };
            return Action::parse(&format!("./{dir}"), SourceFile::new(shown, text)).map(Some);
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_action_dirs_are_normalised_and_confined() {
        assert_eq!(
            local_action_dir("./.github/actions/release").as_deref(),
            Some(".github/actions/release")
        );
        assert_eq!(
            local_action_dir("./.github/actions/release/").as_deref(),
            Some(".github/actions/release")
        );
        assert_eq!(local_action_dir("./a/../../etc"), None);
        // A step's `uses:` is always an action, wherever its folder is.
        assert_eq!(
            local_action_dir("./.github/workflows/actions/prepare").as_deref(),
            Some(".github/workflows/actions/prepare")
        );
        assert_eq!(local_action_dir("actions/checkout@v4"), None);
        assert_eq!(local_action_dir("./"), None);
    }

    #[test]
    fn composite_steps_are_read_with_their_spans() {
        let text = "name: r\ninputs:\n  token:\n    default: ''\nruns:\n  using: composite\n  steps:\n    - run: npm publish\n      shell: bash\n";
        let a = Action::parse(
            "./.github/actions/r",
            SourceFile::new(".github/actions/r/action.yml", text),
        )
        .unwrap();
        assert!(a.composite);
        assert_eq!(a.steps.len(), 1);
        assert_eq!(a.steps[0].run.as_ref().unwrap().span.line, 8);
        assert_eq!(a.inputs[0].0.name, "token");
    }
}
