//! `trustpub audit` from the command line: the target from the flags, drift's client (with
//! `--cache`), the run, the output.

use std::io::Write;

use super::drift::{ProgressBar, client, write_report};
use super::{AuditArgs, Cli};
use crate::audit::plan::Target;
use crate::error::InputError;
use crate::render::{self, Format};

/// The largest `--repos` file read.
pub const MAX_REPOS_FILE_BYTES: u64 = 1024 * 1024;

/// The repositories named in a `--repos` file: one `owner/name` a line; blank lines and `#`
/// comments are skipped; anything else is an error naming the line.
pub fn parse_repos(text: &str, path: &str) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let valid = line.split_once('/').is_some_and(|(o, n)| {
            let part = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            };
            part(o) && part(n)
        });
        if !valid {
            return Err(InputError::parse(
                format!("{path}:{}", i + 1),
                format!("expected OWNER/NAME, found `{line}`"),
            ));
        }
        if !out.iter().any(|r| r.eq_ignore_ascii_case(line)) {
            out.push(line.to_owned());
        }
    }
    if out.len() > crate::audit::plan::MAX_REPOSITORIES {
        return Err(InputError::parse(
            path.to_owned(),
            format!(
                "names {} repositories; at most {} are audited in one run",
                out.len(),
                crate::audit::plan::MAX_REPOSITORIES
            ),
        ));
    }
    Ok(out)
}

fn target(args: &AuditArgs) -> Result<Target, InputError> {
    match (&args.org, &args.user, &args.repos) {
        (Some(org), _, _) => Ok(Target::Org(org.trim().to_owned())),
        (_, Some(user), _) => Ok(Target::User(user.trim().to_owned())),
        (_, _, Some(path)) => {
            let text = crate::error::read_text_limited(path, MAX_REPOS_FILE_BYTES)?.text;
            Ok(Target::Repos(parse_repos(
                &text,
                &crate::source::display_path(path),
            )?))
        }
        _ => Err(InputError::Usage(
            "audit needs --org ORG, --user LOGIN or --repos FILE".into(),
        )),
    }
}

/// Runs `audit` and writes the report; returns the exit code (0, 1 or 3).
pub fn execute(
    cli: &Cli,
    args: &AuditArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, InputError> {
    if matches!(cli.format, Format::Sarif | Format::Github) {
        return Err(InputError::Usage(
            "audit prints human, json or markdown; sarif and github are formats of `check`".into(),
        ));
    }
    let target = target(args)?;
    let net = &args.net;
    let mut http = client(net)?;
    if let Some(dir) = &args.cache {
        let cache = crate::net::conditional::DiskCache::open(dir, net.max_body_bytes)
            .map_err(|e| InputError::read(dir, &e))?;
        http = http.with_disk_cache(cache);
    }
    let options = crate::audit::Options {
        include_archived: args.include_archived,
        include_forks: args.include_forks,
        versions: u32::from(net.versions.unwrap_or(10)),
        jobs: usize::from(net.jobs),
        registry: net.registry,
        project: net.project.as_deref(),
    };
    let bar = ProgressBar::new(!net.no_progress && !cli.quiet);
    let report = crate::audit::run(&target, &options, &http, &bar);
    bar.finish();
    let mut text = Vec::new();
    match cli.format {
        Format::Json => crate::sanitize::write_json(&mut text, &render::audit::json(&report)),
        Format::Markdown => text.write_all(render::audit::markdown(&report).as_bytes()),
        _ => render::audit::human(&mut text, &report, cli.human()),
    }
    .map_err(|e| InputError::Read {
        path: "report".into(),
        reason: e.to_string(),
    })?;
    // Every token-like string redacted, wherever the report goes.
    let text = crate::redact::redact(&String::from_utf8_lossy(&text)).into_owned();
    match &net.output {
        Some(path) => {
            write_report(path, text.as_bytes())?;
            let s = &report.summary;
            let _ = writeln!(
                err,
                "audit: {} repositories ({} Trusted Publishing, {} stored token, {} both, {} neither), {} requests ({} from the cache); report written to {}",
                s.repositories,
                s.trusted_publishing,
                s.stored_token,
                s.both,
                s.none,
                report.requests.total,
                report.requests.cached,
                crate::source::display_path(path)
            );
        }
        None => {
            if let Err(e) = out.write_all(text.as_bytes())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(InputError::Read {
                    path: "standard output".into(),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(report.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repos_file_is_owner_name_lines() {
        let r = parse_repos(
            "# ours\nocto/widget\n\nocto/Widget  # again\nocto/cli\n",
            "r",
        )
        .unwrap();
        assert_eq!(r, ["octo/widget", "octo/cli"]);
        let e = parse_repos("octo/widget\nnot a repo\n", "repos.txt").unwrap_err();
        assert!(e.to_string().contains("repos.txt:2"), "{e}");
        assert!(parse_repos("a/b/c\n", "r").is_err());
    }
}
