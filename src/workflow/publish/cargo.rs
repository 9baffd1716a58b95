//! crates.io: `rust-lang/crates-io-auth-action` (the exchange; its `token` output is a
//! 30-minute crates.io token) and whatever uses that token (`cargo publish`,
//! `release-plz/action`, `katyo/publish-crates`, ...); `release-plz`, which exchanges the token
//! itself when no registry token is set (release-plz 0.3.146, release-plz/action v0.5.117:
//! release-plz `crates/release_plz_core/src/command/release.rs`); and `cargo publish` with a
//! stored `CARGO_REGISTRY_TOKEN` or `--token`.

use super::env::{Origin, origin};
use super::shell::{Gap, flag_value, flag_values, has_flag};
use super::{
    Auth, FlatStep, PublishStep, Target, Tool, at, exchange_step, first_use, lone_exchanges,
};
use crate::identity::Registry;
use crate::workflow::Job;

const AUTH_ACTION: &str = "rust-lang/crates-io-auth-action";

/// How a token given to a crates.io tool authenticates: the auth action's output is Trusted
/// Publishing, anything else is stored.
fn token_auth(
    value: &str,
    what: String,
    span: crate::workflow::yaml::Span,
    auth_id: Option<&str>,
) -> Auth {
    match origin(value) {
        Origin::StepOutput { step, .. } if Some(step.as_str()) == auth_id => {
            Auth::TrustedPublishing
        }
        _ => Auth::Stored { what, span },
    }
}

/// The crates.io publishing steps among a job's steps.
pub fn recognise(_job: &Job, steps: &[FlatStep<'_>]) -> Vec<PublishStep> {
    let mut found = Vec::new();
    // Exchanges whose token some recognised step uses; the others are sites of their own.
    let mut consumed = vec![false; steps.len()];
    let first_auth = first_use(steps, AUTH_ACTION);
    for (i, flat) in steps.iter().enumerate() {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        let exchange = exchange_step(steps, first_auth, i);
        let auth_step = exchange.map(|(_, s)| s);
        let auth_id = auth_step.and_then(|s| s.step.id.as_deref());
        let auth_index = exchange.map(|(j, _)| j);
        let registry_target = auth_step
            .and_then(|a| a.input("url"))
            .filter(|(u, _)| !u.trim_end_matches('/').ends_with("://crates.io"))
            .map(|(u, _)| {
                if u.contains("${{") {
                    Target::Unknown(u)
                } else {
                    Target::Other(u)
                }
            })
            .unwrap_or(Target::Registry(Registry::CratesIo));
        let mut uses_exchange = false;
        match flat.action_name() {
            // `MarcoIeni/release-plz-action` is the action's former name.
            Some("release-plz/action" | "marcoieni/release-plz-action") => {
                let command = flat.input("command").map(|(c, _)| c).unwrap_or_default();
                if command.trim() == "release-pr" {
                    continue;
                }
                let span = flat.uses_span();
                let auth = match flat
                    .input("token")
                    .map(|(v, s)| (v, s, "the `token` input"))
                    .or_else(|| {
                        flat.env
                            .text("CARGO_REGISTRY_TOKEN")
                            .map(|(v, s)| (v, s, "a stored `CARGO_REGISTRY_TOKEN`"))
                    }) {
                    Some((value, s, what)) => {
                        uses_exchange = matches!(origin(&value), Origin::StepOutput { .. });
                        token_auth(&value, what.into(), s, auth_id)
                    }
                    // Set but empty still counts as a token and turns Trusted Publishing off.
                    None if flat.env.get("CARGO_REGISTRY_TOKEN").is_some() => Auth::Stored {
                        what: "an empty `CARGO_REGISTRY_TOKEN`, which turns release-plz's Trusted Publishing off".into(),
                        span: flat.env.get("CARGO_REGISTRY_TOKEN").map(|(k, _)| k.span.clone()).unwrap_or(span.clone()),
                    },
                    None => Auth::TrustedPublishing,
                };
                let mut p = at(
                    flat,
                    Tool::ReleasePlz,
                    Target::Registry(Registry::CratesIo),
                    auth,
                    span,
                );
                p.package.workspace = true;
                if let Some((m, _)) = flat.input("manifest_path") {
                    p.package.manifest = Some(m);
                }
                found.push(p);
            }
            Some("katyo/publish-crates") => {
                let span = flat.uses_span();
                let auth = match flat
                    .input("registry-token")
                    .or_else(|| flat.env.text("CARGO_REGISTRY_TOKEN"))
                {
                    Some((value, s)) => {
                        uses_exchange = true;
                        token_auth(&value, "a stored `registry-token`".into(), s, auth_id)
                    }
                    None if auth_id.is_some() => Auth::TrustedPublishing,
                    None => Auth::Stored {
                        what: format!("no `{AUTH_ACTION}` step, so a stored token"),
                        span: span.clone(),
                    },
                };
                let mut p = at(
                    flat,
                    Tool::PublishCrates,
                    registry_target.clone(),
                    auth,
                    span,
                );
                p.package.workspace = true;
                if let Some((path, _)) = flat.input("path") {
                    p.package.dirs = vec![path.trim_start_matches("./").to_owned()];
                }
                found.push(p);
            }
            _ => {}
        }
        if flat.step.run.is_some() {
            for (words, tool) in [
                (&["cargo", "publish"][..], Tool::Cargo),
                (&["cargo", "workspaces", "publish"][..], Tool::Cargo),
                (&["cargo", "ws", "publish"][..], Tool::Cargo),
                (&["cargo", "release"][..], Tool::Cargo),
                (&["release-plz", "release"][..], Tool::ReleasePlz),
            ] {
                for f in flat.find(words, Gap::Options) {
                    let command = flat.resolve(f.command);
                    // `cargo release` publishes only with `--execute`/`-x`.
                    if words == ["cargo", "release"] && !has_flag(&command, &["--execute", "-x"]) {
                        continue;
                    }
                    let token = flag_value(&command, &["--token"])
                        .map(|t| (t, f.span.clone(), "`--token`"))
                        .or_else(|| {
                            flat.env
                                .text("CARGO_REGISTRY_TOKEN")
                                .map(|(t, s)| (t, s, "a stored `CARGO_REGISTRY_TOKEN`"))
                        });
                    let auth = match (&token, auth_id) {
                        (Some((value, s, what)), _) => {
                            uses_exchange |= matches!(origin(value), Origin::StepOutput { .. });
                            token_auth(value, (*what).into(), s.clone(), auth_id)
                        }
                        (None, Some(_)) => {
                            uses_exchange = true;
                            Auth::TrustedPublishing
                        }
                        (None, None) if tool == Tool::ReleasePlz => Auth::TrustedPublishing,
                        (None, None) => Auth::Stored {
                            what: format!("no `{AUTH_ACTION}` step, so a stored token"),
                            span: f.span.clone(),
                        },
                    };
                    let target = match flag_value(&command, &["--registry", "--index"]) {
                        Some(r) if r == "crates-io" => Target::Registry(Registry::CratesIo),
                        Some(r) if r.contains("${{") => Target::Unknown(r),
                        Some(r) => Target::Other(r),
                        None => registry_target.clone(),
                    };
                    let mut p = at(flat, tool, target, auth, f.span.clone());
                    p.package.names = flag_values(&command, &["-p", "--package"]);
                    p.package.manifest = flag_value(&command, &["--manifest-path"]);
                    p.package.workspace = tool == Tool::ReleasePlz
                        || words.contains(&"workspaces")
                        || words.contains(&"ws")
                        || has_flag(&command, &["--workspace", "--all"])
                        || words == ["cargo", "release"] && p.package.names.is_empty();
                    if let Some(dir) = &f.cd {
                        p.package.dirs =
                            super::shell::join_dir(flat.working_directory.as_deref(), dir)
                                .into_iter()
                                .collect();
                    }
                    found.push(p);
                }
            }
        }
        if uses_exchange && let Some(a) = auth_index {
            consumed[a] = true;
        }
    }
    for flat in lone_exchanges(steps, AUTH_ACTION, &consumed) {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        let span = flat.uses_span();
        let target = flat
            .input("url")
            .filter(|(u, _)| !u.trim_end_matches('/').ends_with("://crates.io"))
            .map_or(Target::Registry(Registry::CratesIo), |(u, _)| {
                Target::Other(u)
            });
        let mut p = at(
            flat,
            Tool::CratesIoAuth,
            target,
            Auth::TrustedPublishing,
            span,
        );
        p.package.workspace = true;
        found.push(p);
    }
    found
}
