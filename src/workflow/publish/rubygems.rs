//! RubyGems: `rubygems/release-gem` (which runs `rubygems/configure-rubygems-credentials`, then
//! `bundle exec rake release`), and `rubygems/configure-rubygems-credentials` (the exchange: it
//! writes a 15-minute key into `~/.gem/credentials` and `GEM_HOST_API_KEY`) followed by
//! `gem push` or `rake release`. A key from a secret (`GEM_HOST_API_KEY`, the action's
//! `api-token`, a credentials file written by hand) is a stored credential.
//!
//! Source: rubygems/configure-rubygems-credentials `src/main.ts` @ abfabee9aa68,
//! rubygems/release-gem `action.yml` @ 6317d8d1f7e2.

use super::env::origin;
use super::shell::{Gap, flag_value};
use super::{
    Auth, FlatStep, PublishStep, Target, Tool, at, exchange_step, first_use, lone_exchanges,
};
use crate::identity::Registry;

const CONFIGURE: &str = "rubygems/configure-rubygems-credentials";

fn host_target(host: &str) -> Target {
    if host.contains("${{") {
        Target::Unknown(host.to_owned())
    } else if host.trim_end_matches('/').ends_with("rubygems.org") {
        Target::Registry(Registry::RubyGems)
    } else {
        Target::Other(host.to_owned())
    }
}

/// The RubyGems publishing steps among a job's steps.
pub fn recognise(steps: &[FlatStep<'_>]) -> Vec<PublishStep> {
    let mut found = Vec::new();
    let mut consumed = vec![false; steps.len()];
    let first_configure = first_use(steps, CONFIGURE);
    for (i, flat) in steps.iter().enumerate() {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        if flat.action_name() == Some("rubygems/release-gem") {
            let span = flat.uses_span();
            let trusted = flat
                .input("setup-trusted-publisher")
                .is_none_or(|(v, _)| v.trim() != "false");
            let auth = match flat.env.text("GEM_HOST_API_KEY") {
                Some((v, s)) if origin(&v).is_secret() => Auth::Stored {
                    what: "`GEM_HOST_API_KEY`".into(),
                    span: s,
                },
                _ if trusted => Auth::TrustedPublishing,
                _ => Auth::Stored {
                    what: "`setup-trusted-publisher: false`, so a stored key".into(),
                    span: flat
                        .input("setup-trusted-publisher")
                        .map_or(span.clone(), |(_, s)| s),
                },
            };
            let mut p = at(
                flat,
                Tool::ReleaseGem,
                Target::Registry(Registry::RubyGems),
                auth,
                span,
            );
            if let Some((dir, _)) = flat.input("working-directory") {
                p.package.dirs = vec![dir.trim_start_matches("./").to_owned()];
            }
            found.push(p);
        }
        if flat.step.run.is_none() {
            continue;
        }
        let exchange = exchange_step(steps, first_configure, i);
        let configure = exchange.map(|(_, c)| c);
        // The action's own mode: an `api-token` or `role-to-assume` is not Trusted Publishing.
        let configured_stored = configure.and_then(|c| {
            c.input("api-token")
                .map(|(_, s)| ("the `api-token` input of configure-rubygems-credentials", s))
                .or_else(|| {
                    c.input("role-to-assume").map(|(_, s)| {
                        (
                            "an OIDC API key role (`role-to-assume`), not a trusted publisher",
                            s,
                        )
                    })
                })
        });
        for (words, gap) in [
            (&["gem", "push"][..], Gap::None),
            (&["rake", "release"][..], Gap::Options),
            (&["gem", "release"][..], Gap::None),
        ] {
            for f in flat.find(words, gap) {
                let command = flat.resolve(f.command);
                let auth = match (
                    flat.env.text("GEM_HOST_API_KEY"),
                    flag_value(&command, &["--key", "-k"]),
                    configure,
                ) {
                    (Some((v, s)), _, _) if origin(&v).is_secret() => Auth::Stored {
                        what: "`GEM_HOST_API_KEY`".into(),
                        span: s,
                    },
                    (_, Some(_), _) => Auth::Stored {
                        what: "`--key`, a stored key".into(),
                        span: f.span.clone(),
                    },
                    (_, _, Some(_)) => {
                        if let Some((ci, _)) = exchange {
                            consumed[ci] = true;
                        }
                        match &configured_stored {
                            Some((what, s)) => Auth::Stored {
                                what: (*what).into(),
                                span: s.clone(),
                            },
                            None => Auth::TrustedPublishing,
                        }
                    }
                    _ => Auth::Stored {
                        what: format!("no `{CONFIGURE}` step, so stored credentials"),
                        span: f.span.clone(),
                    },
                };
                let target = flag_value(&command, &["--host"])
                    .map(|h| host_target(&h))
                    .or_else(|| {
                        configure
                            .and_then(|c| c.input("gem-server"))
                            .map(|(h, _)| host_target(&h))
                    })
                    .unwrap_or(Target::Registry(Registry::RubyGems));
                let mut p = at(flat, Tool::Gem, target, auth, f.span.clone());
                if let Some(dir) = &f.cd {
                    p.package.dirs = super::shell::join_dir(flat.working_directory.as_deref(), dir)
                        .into_iter()
                        .collect();
                }
                found.push(p);
            }
        }
    }
    for flat in lone_exchanges(steps, CONFIGURE, &consumed) {
        if found.len() > super::MAX_SITES {
            break; // enough to know the job has too many to check
        }
        // `api-token` and `role-to-assume` are other modes, not a trusted publisher.
        if flat.input("api-token").is_some()
            || flat.input("role-to-assume").is_some()
            || flat
                .input("trusted-publisher")
                .is_some_and(|(v, _)| v.trim() == "false")
        {
            continue;
        }
        let span = flat.uses_span();
        let target = flat
            .input("gem-server")
            .map_or(Target::Registry(Registry::RubyGems), |(h, _)| {
                host_target(&h)
            });
        found.push(at(
            flat,
            Tool::RubyGemsCredentials,
            target,
            Auth::TrustedPublishing,
            span,
        ));
    }
    found
}
