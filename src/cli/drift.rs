//! `trustpub drift` from the command line: the client from the flags, the run, the output.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::DriftArgs;
use crate::config::DesiredState;
use crate::error::InputError;
use crate::render::{self, Format};

use crate::net::http::{Http, Mode, Settings};
use crate::net::retry::Policy;
use crate::net::store::Service;

/// A progress bar on standard error while `drift` works (indicatif, the console-rs project's
/// crate: it redraws in place, at most a few times a second, and knows the terminal's width).
/// Drawn only when standard error is a terminal and it is wanted: never in a pipe, a file or a
/// CI log.
pub(super) struct ProgressBar(Option<indicatif::ProgressBar>);

impl ProgressBar {
    pub(super) fn new(wanted: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr_with_hz(4),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos}/{len} checks {wide_bar} {elapsed} {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Self(bar)
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl crate::drift::Progress for ProgressBar {
    fn start(&self, units: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(units as u64);
        }
    }

    fn done(&self, what: &str) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
            // A name from the desired state: shown through the redactor, one line.
            bar.set_message(crate::redact::redact(&what.replace(['\n', '\r'], " ")).into_owned());
        }
    }
}

/// The GitHub token from `GITHUB_TOKEN`, else `GH_TOKEN`. It is sent to GitHub only, and never
/// printed or recorded.
pub fn github_token() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_owned())
}

/// The first non-empty value of `vars`, trimmed.
fn first_var(vars: &[&str]) -> Option<String> {
    vars.iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_owned())
}

/// The headers that authenticate to crates.io and RubyGems, from the environment:
/// `Authorization: <token>` from `CRATES_IO_TOKEN`, else `CARGO_REGISTRY_TOKEN`;
/// `Authorization: <key>` from `RUBYGEMS_API_KEY`, else `GEM_HOST_API_KEY`, with `OTP: <code>`
/// from `RUBYGEMS_OTP` when set. Each goes to its registry only, and is never printed or
/// recorded.
pub fn registry_credentials() -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    use crate::drift::source::{crates_io, rubygems};
    let mut out = Vec::new();
    if let Some(token) = first_var(&crates_io::TOKEN_VARS) {
        out.push((crates_io::ID, vec![("authorization", token)]));
    }
    if let Some(key) = first_var(&rubygems::KEY_VARS) {
        let mut headers = vec![("authorization", key)];
        if let Some(otp) = first_var(&[rubygems::OTP_VAR]) {
            headers.push(("otp", otp));
        }
        out.push((rubygems::ID, headers));
    }
    out
}

pub(super) fn base_url(flag: &str, url: &str) -> Result<String, InputError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            InputError::Usage(format!(
                "{flag} must be an http:// or https:// URL, not `{url}`"
            ))
        })?;
    if rest.contains(['?', '#']) {
        return Err(InputError::Usage(format!(
            "{flag} must be a base URL, without a query: `{url}`"
        )));
    }
    Ok(url.to_owned())
}

/// Whether a base URL names this machine (then no proxy is used for it).
pub(super) fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// Builds the client the flags describe.
pub fn client(args: &DriftArgs) -> Result<Http, InputError> {
    let services = vec![
        Service {
            id: "github",
            base: base_url("--github-api-url", &args.github_api_url)?,
        },
        Service {
            id: "pypi",
            base: base_url("--pypi-url", &args.pypi_url)?,
        },
        Service {
            id: "testpypi",
            base: base_url("--testpypi-url", &args.testpypi_url)?,
        },
        Service {
            id: crate::drift::source::crates_io::ID,
            base: base_url("--crates-io-url", &args.crates_io_url)?,
        },
        Service {
            id: crate::drift::source::rubygems::ID,
            base: base_url("--rubygems-url", &args.rubygems_url)?,
        },
        Service {
            id: "npm",
            base: base_url("--npm-url", &args.npm_url)?,
        },
    ];
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(InputError::Usage(
            "--timeout takes seconds, more than 0 and at most 3600".into(),
        ));
    }
    let mode = match (&args.from_dir, &args.record) {
        (Some(dir), _) => {
            if !dir.is_dir() {
                return Err(InputError::Read {
                    path: crate::source::display_path(dir),
                    reason: "not a folder of recorded responses (--from-dir)".into(),
                });
            }
            Mode::Replay(dir.clone())
        }
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir).map_err(|e| InputError::read(dir, &e))?;
            Mode::Live {
                record: Some(dir.clone()),
            }
        }
        (None, None) => Mode::Live { record: None },
    };
    let settings = Settings {
        timeout: Duration::from_secs_f64(args.timeout),
        policy: Policy {
            retries: args.retries,
            backoff_base: Duration::from_millis(args.backoff_base_ms),
            max_wait: Duration::from_secs(args.max_wait),
        },
        max_body: args.max_body_bytes,
        use_proxy: !services.iter().all(|s| is_loopback(&s.base)),
    };
    let mut http =
        Http::new(mode, settings, services, github_token()).map_err(InputError::Usage)?;
    for (id, headers) in registry_credentials() {
        http = http.with_auth(id, headers).map_err(InputError::Usage)?;
    }
    Ok(http)
}

/// Runs `drift` and writes the report; returns the exit code (0, 1 or 3).
pub fn execute(
    desired: &DesiredState,
    format: Format,
    args: &DriftArgs,
    human: crate::render::Human,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, InputError> {
    if matches!(format, Format::Sarif | Format::Github | Format::Markdown) {
        return Err(InputError::Usage(
            "drift prints human or json; sarif and github are formats of `check`".into(),
        ));
    }
    let publishers: Vec<_> = desired
        .publishers
        .iter()
        .filter(|p| args.registry.is_none_or(|r| p.registry == r))
        .filter(|p| args.project.as_ref().is_none_or(|n| &p.project == n))
        .cloned()
        .collect();
    if publishers.is_empty() {
        return Err(InputError::Usage(
            "no declared publisher matches --registry / --project".into(),
        ));
    }
    let http = client(args)?;
    let bar = ProgressBar::new(!args.no_progress && !human.quiet);
    let report = crate::drift::run_versions(
        &publishers,
        &desired.thresholds,
        &http,
        usize::from(args.jobs),
        &bar,
        u32::from(args.versions.unwrap_or(0)),
    );
    bar.finish();
    let mut text = Vec::new();
    match format {
        Format::Json => crate::sanitize::write_json(&mut text, &render::drift::json(&report)),
        _ => render::drift::human_fitted(&mut text, &report, human),
    }
    .map_err(|e| InputError::Read {
        path: "report".into(),
        reason: e.to_string(),
    })?;
    // The answers were scrubbed of every secret as they came; what was parsed from them (a
    // JSON escape turned into its character) is scrubbed again as the report.
    let text = http
        .scrub_text(&String::from_utf8_lossy(&text))
        .into_bytes();
    match &args.output {
        Some(path) => {
            // The file gets what standard output would: every token-like string redacted.
            let redacted = crate::redact::redact(&String::from_utf8_lossy(&text)).into_owned();
            write_report(path, redacted.as_bytes())?;
            let (n, drifted, unknown, failed) = report.counts();
            let _ = writeln!(
                err,
                "drift: {n} publisher(s), {drifted} drifted, {unknown} unknown, {failed} threshold(s) failed; report written to {}",
                crate::sanitize::visible_line(&crate::source::display_path(path))
            );
        }
        None => {
            if let Err(e) = out.write_all(&text)
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

pub(super) fn write_report(path: &Path, bytes: &[u8]) -> Result<(), InputError> {
    crate::paths::write_atomically(path, bytes).map_err(|e| InputError::Read {
        path: crate::source::display_path(path),
        reason: format!("cannot write the report: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for u in [
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:9",
        ] {
            assert!(is_loopback(u), "{u}");
        }
        assert!(!is_loopback("https://api.github.com"));
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(base_url("--x", "https://h/api/").unwrap(), "https://h/api");
        assert!(base_url("--x", "ftp://h").is_err());
        assert!(base_url("--x", "https://h/?q").is_err());
    }
}
