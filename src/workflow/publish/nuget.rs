//! NuGet: `NuGet/login` (the exchange: its `NUGET_API_KEY` output is a short-lived key for the
//! policy owner's account) and `dotnet nuget push` / `nuget push` with that key, given directly
//! (`--api-key ${{ steps.login.outputs.NUGET_API_KEY }}`) or through `env:`; `--source` may come
//! from `env:` too. A key from a secret is a stored credential.
//!
//! Source: NuGet/login `action.yml`, `src/index.ts` @ e12aa70ccb4d.

use super::env::{Origin, origin};
use super::shell::{Gap, find_commands, flag_value};
use super::{Auth, FlatStep, PublishStep, Target, Tool, at, exchange_step};
use crate::identity::Registry;

const LOGIN: &str = "nuget/login";

fn source_target(source: &str) -> Target {
    let s = source.trim();
    if s.contains("${{") || s.starts_with('$') {
        Target::Unknown(s.to_owned())
    } else if s.contains("nuget.org") || s.eq_ignore_ascii_case("nuget.org") {
        Target::Registry(Registry::NuGet)
    } else {
        Target::Other(s.to_owned())
    }
}

/// The NuGet publishing steps among a job's steps.
pub fn recognise(steps: &[FlatStep<'_>]) -> Vec<PublishStep> {
    let mut found = Vec::new();
    for (i, flat) in steps.iter().enumerate() {
        let Some(run) = &flat.step.run else { continue };
        let login = exchange_step(steps, i, LOGIN);
        let login_id = login.and_then(|l| l.step.id.as_deref());
        for words in [&["dotnet", "nuget", "push"][..], &["nuget", "push"][..]] {
            for f in find_commands(flat.source, run, words, Gap::None) {
                // `nuget push` inside `dotnet nuget push` is the same command.
                if words.len() == 2 && f.before.trim_end().ends_with("dotnet") {
                    continue;
                }
                let command = flat.resolve(f.command);
                let key = flag_value(&command, &["--api-key", "-k", "-ApiKey"]);
                let auth = match (&key, login_id) {
                    (Some(k), Some(id)) if matches!(origin(k), Origin::StepOutput { ref step, .. } if step == id) => {
                        Auth::TrustedPublishing
                    }
                    (Some(k), None) if matches!(origin(k), Origin::StepOutput { .. }) => {
                        Auth::Stored {
                            what: "a key from a step that is not NuGet/login".into(),
                            span: f.span.clone(),
                        }
                    }
                    (Some(_), _) => Auth::Stored {
                        what: "an `--api-key` that is not NuGet/login's output".into(),
                        span: f.span.clone(),
                    },
                    (None, _) => Auth::Stored {
                        what: "no `--api-key` from NuGet/login".into(),
                        span: f.span.clone(),
                    },
                };
                let target = flag_value(&command, &["--source", "-s", "-Source"])
                    .map_or(Target::Registry(Registry::NuGet), |s| source_target(&s));
                let mut p = at(flat, Tool::NuGet, target, auth, f.span.clone());
                if let Some(dir) = &f.cd {
                    p.package.dirs = super::shell::join_dir(flat.working_directory.as_deref(), dir)
                        .into_iter()
                        .collect();
                }
                found.push(p);
            }
        }
    }
    found
}
