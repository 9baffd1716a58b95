//! NuGet: `NuGet/login` (the exchange: its `NUGET_API_KEY` output is a short-lived key for the
//! policy owner's account) and `dotnet nuget push` / `nuget push` with that key, given directly
//! (`--api-key ${{ steps.login.outputs.NUGET_API_KEY }}`) or through `env:`; `--source` may come
//! from `env:` too. A key from a secret is a stored credential.
//!
//! Source: NuGet/login `action.yml`, `src/index.ts` @ e12aa70ccb4d.

use super::env::{Origin, origin};
use super::shell::{Gap, flag_value};
use super::{
    Auth, FlatStep, PublishStep, Target, Tool, at, exchange_step, first_use, lone_exchanges,
};
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
    let mut consumed = vec![false; steps.len()];
    let first_login = first_use(steps, LOGIN);
    for (i, flat) in steps.iter().enumerate() {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        if flat.step.run.is_none() {
            continue;
        }
        let exchange = exchange_step(steps, first_login, i);
        let login = exchange.map(|(_, l)| l);
        let login_id = login.and_then(|l| l.step.id.as_deref());
        let login_index = exchange.map(|(j, _)| j);
        let account = login
            .and_then(|l| l.input("user"))
            .map(|(u, _)| u)
            .filter(|u| !u.contains("${{"));
        for words in [&["dotnet", "nuget", "push"][..], &["nuget", "push"][..]] {
            for f in flat.find(words, Gap::None) {
                // `nuget push` inside `dotnet nuget push` is the same command.
                if words.len() == 2 && f.before.trim_end().ends_with("dotnet") {
                    continue;
                }
                let command = flat.resolve(f.command);
                // The key: `--api-key`, else the `NUGET_API_KEY` the step's environment sets.
                let key = flag_value(&command, &["--api-key", "-k", "-ApiKey"])
                    .or_else(|| flat.env.text("NUGET_API_KEY").map(|(v, _)| v));
                let auth = match (&key, login_id) {
                    (Some(k), Some(id)) if matches!(origin(k), Origin::StepOutput { ref step, .. } if step == id) =>
                    {
                        if let Some(l) = login_index {
                            consumed[l] = true;
                        }
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
                p.account = account.clone();
                // The package path's folder (`bindings/dotnet/artifacts/*.nupkg`) says where.
                let flags = [
                    "--api-key",
                    "-k",
                    "--source",
                    "-s",
                    "--symbol-source",
                    "--timeout",
                    "-t",
                    "--symbol-api-key",
                ];
                let words = super::shell::positionals(&command, &flags);
                if let Some(pkg) = words
                    .iter()
                    .position(|w| *w == "push")
                    .and_then(|i| words.get(i + 1))
                    && let Some((dir, _)) = pkg.trim_matches(['"', '\'']).rsplit_once('/')
                    && !dir.contains(['$', '*', '{'])
                {
                    p.package.dirs = super::shell::join_dir(
                        flat.working_directory.as_deref(),
                        dir.trim_start_matches("./"),
                    )
                    .into_iter()
                    .collect();
                }
                if let Some(dir) = &f.cd {
                    p.package.dirs = super::shell::join_dir(flat.working_directory.as_deref(), dir)
                        .into_iter()
                        .collect();
                }
                found.push(p);
            }
        }
    }
    for flat in lone_exchanges(steps, LOGIN, &consumed) {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        let span = flat.uses_span();
        let mut p = at(
            flat,
            Tool::NuGetLogin,
            Target::Registry(Registry::NuGet),
            Auth::TrustedPublishing,
            span,
        );
        p.account = flat
            .input("user")
            .map(|(u, _)| u)
            .filter(|u| !u.contains("${{"));
        found.push(p);
    }
    found
}
