//! The command line: flags, subcommands, and `run`, which turns them into an exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::error::InputError;
use crate::evidence::Evidence;
use crate::explain::{self, Selection};
use crate::identity::Registry;
use crate::render::{self, Format};

mod audit;
mod drift;
mod locate;

pub use locate::{Located, find_config, repository_top};

/// The version `--version` prints: the package version and the git commit built from
/// (`unknown` when built outside a git checkout, as from a tarball).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("TRUSTPUB_GIT_COMMIT"),
    ")"
);

/// Lint and drift-check Trusted Publisher (OIDC) configuration for package registries.
#[derive(Debug, Parser)]
#[command(name = "trustpub", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    /// The desired-state file [default: expected-publishers.toml or
    /// .github/expected-publishers.toml, in the working directory or the nearest folder above
    /// it within the repository; the command then runs from that folder]
    #[arg(long, global = true, value_name = "PATH", env = "TRUSTPUB_CONFIG")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour (`auto` honours NO_COLOR, then FORCE_COLOR and CLICOLOR_FORCE).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Findings only: no summary line, no progress bar, no notes on standard error (errors
    /// stay).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail: `check` lists every publishing site it recognised and the token each would
    /// get, even when there is no finding.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Cli {
    /// How human output is shaped: the terminal's width, `-q`, `-v`.
    pub fn human(&self) -> render::Human {
        render::Human {
            width: render::layout::output_width(),
            quiet: self.quiet,
            verbose: self.verbose,
        }
    }
}

impl ColorWhen {
    /// The choice once the environment is heard, as uv decides it: `always` and `never` stand;
    /// under `auto`, a non-empty `NO_COLOR` turns colour off, else a non-empty `FORCE_COLOR`
    /// (force-color.org) or `CLICOLOR_FORCE` turns it on even when piped, else colour follows
    /// the terminal.
    pub fn resolve(self, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> ColorWhen {
        let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        match self {
            ColorWhen::Auto if set("NO_COLOR") => ColorWhen::Never,
            ColorWhen::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => ColorWhen::Always,
            other => other,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose a failed run from its token, its claims or its log: what each declared registry
    /// decides, why, and what to do.
    Explain(ExplainArgs),
    /// Lint workflows against the desired state, offline: the pre-merge check.
    Check(CheckArgs),
    /// For each declared publisher, the exact values to enter in the registry's form, and the
    /// link that opens it pre-filled where the registry has one.
    Template(TemplateArgs),
    /// Compare every declared publisher with live state (GitHub, PyPI, TestPyPI, crates.io,
    /// RubyGems): what drifted,
    /// what is unknown, and the playbook's thresholds. Exit 0 as declared, 1 drift or a failed
    /// threshold, 3 some checks unknown, 2 unusable input.
    Drift(DriftArgs),
    /// Every repository of an organization (--org), a user (--user) or a list (--repos): its
    /// workflows and desired state read through GitHub's API (inferred as `init` does where it
    /// has none), check's rules, drift's live checks and each project's publishing ledger, with
    /// a status per publisher and an organisation summary. Exit codes as drift.
    Audit(AuditArgs),
    /// Inside the release job, before anything is built: request the job's own OIDC token for
    /// each declared registry and judge it as `explain` does; with --exchange, also make each
    /// registry's real token exchange. Exit 0 as declared, 1 a refusal, 2 no runner or unusable
    /// input.
    Preflight(PreflightArgs),
    /// Write a starting desired-state file (--config, default expected-publishers.toml) from
    /// the workflows and the git remote: one publisher per publishing step found.
    Init(InitArgs),
    /// Print the JSON Schema of the desired-state file, for editors (a `#:schema` comment).
    Schema,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), of trustpub or of one of its commands.
    Man(ManArgs),
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Workflow files or directories (default: .github/workflows).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The repository, as OWNER/NAME (default: the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print the file instead of writing it.
    #[arg(long)]
    pub stdout: bool,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command (`check`, `explain`, ...): its own page, `trustpub-COMMAND(1)`.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Arguments of `template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Only publishers of this registry.
    #[arg(long, value_name = "REGISTRY", value_parser = parse_registry)]
    pub registry: Option<Registry>,
    /// Only publishers of this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Workflow files or directories (default: .github/workflows).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The repository the workflows belong to, as OWNER/NAME (default: the `origin` remote).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Print what a rule finds and how to fix it, then exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("evidence").required(true).args(["token", "token_file", "claims", "log", "run", "stdin"])))]
pub struct ExplainArgs {
    /// A GitHub Actions OIDC token (prefer --token-file or `-`: a command line is visible to other users).
    #[arg(long, value_name = "JWT")]
    pub token: Option<String>,
    /// A file holding a GitHub Actions OIDC token.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// A JSON object of claims (or an object holding one under "claims").
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// The log of a failed run: raw, `gh run view --log[-failed]`, or copied from the web page.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// A failed run on GitHub (its URL, or OWNER/REPO/RUN_ID): the logs of its failed jobs are
    /// fetched from the REST API (token from GITHUB_TOKEN or GH_TOKEN) and read as --log reads
    /// one. The only flag of `explain` that touches the network.
    #[arg(long, value_name = "RUN")]
    pub run: Option<String>,
    /// GitHub's REST API, for --run (GitHub Enterprise: https://HOST/api/v3).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://api.github.com",
        env = "GITHUB_API_URL"
    )]
    pub github_api_url: String,
    /// `-`: read a token, claims or a log from standard input and detect which.
    #[arg(value_name = "-", value_parser = parse_stdin_marker)]
    pub stdin: Option<String>,
    /// Verify the token's RS256 signature, issuer and expiry against this JWKS document.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,
    /// Judge only publishers of this registry.
    #[arg(long, value_name = "REGISTRY", value_parser = parse_registry)]
    pub registry: Option<Registry>,
    /// Judge only publishers of this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
}

/// Arguments of `preflight`.
#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// Only publishers of this registry.
    #[arg(long, value_name = "REGISTRY", value_parser = parse_registry)]
    pub registry: Option<Registry>,
    /// Only publishers of this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// Also make each registry's real token exchange (a fresh token each), and report its own
    /// answer; the token it gives is revoked where the registry can (crates.io), else dropped
    /// unused. A refusal is exit 1 whatever the offline verdict.
    #[arg(long)]
    pub exchange: bool,
    /// PyPI (its audience comes from /_/oidc/audience).
    #[arg(long, value_name = "URL", default_value = "https://pypi.org")]
    pub pypi_url: String,
    /// TestPyPI.
    #[arg(long, value_name = "URL", default_value = "https://test.pypi.org")]
    pub testpypi_url: String,
    /// crates.io.
    #[arg(long, value_name = "URL", default_value = "https://crates.io")]
    pub crates_io_url: String,
    /// RubyGems.
    #[arg(long, value_name = "URL", default_value = "https://rubygems.org")]
    pub rubygems_url: String,
    /// NuGet's gallery (its token API is /api/v2/token).
    #[arg(long, value_name = "URL", default_value = "https://www.nuget.org")]
    pub nuget_url: String,
    /// npm's registry.
    #[arg(long, value_name = "URL", default_value = "https://registry.npmjs.org")]
    pub npm_url: String,
    /// Timeout of each request, in seconds (connection to last byte).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
}

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit every repository of this organization.
    #[arg(long, value_name = "ORG", group = "target")]
    pub org: Option<String>,
    /// Audit the repositories named in FILE, one OWNER/NAME a line (`#` starts a comment).
    #[arg(long, value_name = "FILE", group = "target")]
    pub repos: Option<PathBuf>,
    /// Audit every repository this user owns.
    #[arg(long, value_name = "LOGIN", group = "target")]
    pub user: Option<String>,
    /// Audit archived repositories too.
    #[arg(long)]
    pub include_archived: bool,
    /// Audit forks too.
    #[arg(long)]
    pub include_forks: bool,
    /// Keep answers in DIR across runs and ask again conditionally (ETag, Last-Modified): an
    /// unchanged answer is a 304, which GitHub does not count against the rate limit.
    #[arg(long, value_name = "DIR", conflicts_with = "from_dir")]
    pub cache: Option<PathBuf>,
    /// drift's flags (URLs, --timeout, --retries, --max-wait, --jobs, --record, --from-dir,
    /// --output, --versions).
    #[command(flatten)]
    pub net: DriftArgs,
}

/// Arguments of `drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// GitHub's REST API (GitHub Enterprise: https://HOST/api/v3). Token from GITHUB_TOKEN or GH_TOKEN.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://api.github.com",
        env = "GITHUB_API_URL"
    )]
    pub github_api_url: String,
    /// PyPI.
    #[arg(long, value_name = "URL", default_value = "https://pypi.org")]
    pub pypi_url: String,
    /// TestPyPI.
    #[arg(long, value_name = "URL", default_value = "https://test.pypi.org")]
    pub testpypi_url: String,
    /// crates.io. Its Trusted Publishing configs are read with an owner's API token from
    /// CRATES_IO_TOKEN, else CARGO_REGISTRY_TOKEN.
    #[arg(long, value_name = "URL", default_value = "https://crates.io")]
    pub crates_io_url: String,
    /// RubyGems. A gem's trusted publishers are read with an owner's API key from
    /// RUBYGEMS_API_KEY, else GEM_HOST_API_KEY, and a one-time code from RUBYGEMS_OTP.
    #[arg(long, value_name = "URL", default_value = "https://rubygems.org")]
    pub rubygems_url: String,
    /// npm's registry (the packuments and attestations of the publishing ledger).
    #[arg(long, value_name = "URL", default_value = "https://registry.npmjs.org")]
    pub npm_url: String,
    /// Read each project's publishing ledger, its last N versions, for `trust-downgrade` and
    /// `published-by-other-publisher` across them (0: not read; at most 100; default 0 for
    /// drift, 10 for audit).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub versions: Option<u8>,
    /// Write the report to FILE, atomically, instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Answer from responses recorded with --record instead of the network.
    #[arg(long, value_name = "DIR", conflicts_with = "record")]
    pub from_dir: Option<PathBuf>,
    /// Save every response fetched to DIR, for --from-dir (tokens and keys are never saved).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// No progress bar (it is drawn on standard error only when that is a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// Concurrent workers (each fetches one source of one publisher at a time).
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    /// Timeout of each request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries of a request after a 5xx, a 429, a rate limit or a network error.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// The longest wait for a rate limit (Retry-After, x-ratelimit-reset) before reporting it.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub max_wait: u64,
    /// The first backoff between retries, in milliseconds (doubles each retry).
    #[arg(
        long,
        hide = true,
        value_name = "MS",
        default_value_t = 500,
        env = "TRUSTPUB_BACKOFF_BASE_MS"
    )]
    pub backoff_base_ms: u64,
    /// The largest response body read, in bytes.
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: u64,
    /// Check only publishers of this registry.
    #[arg(long, value_name = "REGISTRY", value_parser = parse_registry)]
    pub registry: Option<Registry>,
    /// Check only publishers of this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
}

fn parse_stdin_marker(s: &str) -> Result<String, String> {
    if s == "-" {
        Ok(s.to_owned())
    } else {
        Err("the only positional argument is `-` (standard input); name files with --token-file, --claims or --log".into())
    }
}

fn parse_registry(s: &str) -> Result<Registry, String> {
    Registry::from_id(s).ok_or_else(|| {
        format!(
            "unknown registry `{s}` (known: {})",
            Registry::ALL
                .iter()
                .map(|r| r.id())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Runs the parsed command line, writing to `out` (diagnostics for the user go to `err`).
/// Returns the exit code: 0 clean, 1 findings, 2 unusable input (3 for `drift`: some checks
/// unknown).
///
/// The whole output is built first, passed through [`crate::redact::redact`] as a last line
/// of defence against printing a secret, and only then written: an input error never leaves
/// half a report behind.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut buffer = Vec::new();
    // Under --quiet the notes a command writes on standard error (warnings, "wrote ...") go
    // nowhere; an error that stops it is still reported below.
    let mut silenced = std::io::sink();
    let notes: &mut dyn Write = if cli.quiet { &mut silenced } else { err };
    let executed = execute(&cli, &mut buffer, notes);
    match executed {
        Ok(code) => {
            let text = String::from_utf8_lossy(&buffer);
            let written = out
                .write_all(crate::redact::redact(&text).as_bytes())
                .and_then(|()| out.flush());
            match finish_output(written) {
                Ok(()) => code,
                Err(e) => {
                    report_error(&e, err);
                    2
                }
            }
        }
        Err(e) => {
            report_error(&e, err);
            2
        }
    }
}

fn report_error(e: &InputError, err: &mut dyn Write) {
    if let InputError::Config {
        source_file,
        diagnostics,
    } = e
    {
        let _ = render::human::diagnostics(err, source_file, diagnostics);
    }
    let text = crate::redact::redact(&e.to_string()).into_owned();
    let _ = writeln!(err, "error: {}", crate::sanitize::visible(&text));
}

fn execute(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, InputError> {
    match &cli.command {
        Command::Check(args) => run_check(cli, args, out),
        Command::Template(args) => run_template(cli, args, out, err),
        Command::Explain(args) => {
            if matches!(cli.format, Format::Sarif | Format::Github) {
                return Err(InputError::Usage(
                    "explain prints human, json or markdown; sarif and github are formats of `check`".into(),
                ));
            }
            guard_config(cli.config_path())?;
            let desired = config::load(cli.config_path())?;
            warn_config(&desired, err);
            let evidence = read_evidence(args)?;
            let selection = Selection {
                registry: args.registry,
                project: args.project.clone(),
            };
            let report = explain::explain(&desired, evidence, &selection);
            let written = match cli.format {
                Format::Json => crate::sanitize::write_json(out, &render::json::explain(&report)),
                Format::Markdown => out.write_all(render::markdown::explain(&report).as_bytes()),
                _ => render::human::explain(out, &report, cli.human()),
            };
            // A closed pipe (`| head`) is not an error of the input.
            if let Err(e) = written
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(InputError::Read {
                    path: "standard output".into(),
                    reason: e.to_string(),
                });
            }
            Ok(report.exit_code())
        }
        Command::Drift(args) => {
            guard_config(cli.config_path())?;
            let desired = config::load(cli.config_path())?;
            warn_config(&desired, err);
            drift::execute(&desired, cli.format, args, cli.human(), out, err)
        }
        Command::Audit(args) => audit::execute(cli, args, out, err),
        Command::Init(args) => run_init(cli, args, out, err),
        Command::Preflight(args) => run_preflight(cli, args, out, err),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&crate::schema::schema())
                .map_err(|e| InputError::Usage(e.to_string()))?;
            finish_output(writeln!(out, "{text}"))?;
            Ok(0)
        }
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "trustpub", out);
            Ok(0)
        }
        Command::Man(args) => run_man(args, out),
    }
}

fn run_man(args: &ManArgs, out: &mut dyn Write) -> Result<u8, InputError> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Building propagates the global flags (--config, --format, --color) to every command.
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            let Some(sub) = cmd.find_subcommand(name) else {
                return Err(InputError::Usage(format!(
                    "unknown command `{name}` (commands: {})",
                    names.join(", ")
                )));
            };
            // The page of `trustpub check` is trustpub-check(1), as git's are.
            let sub = sub.clone();
            let full: &'static str =
                Box::leak(format!("trustpub-{}", sub.get_name()).into_boxed_str());
            sub.name(full).version(VERSION)
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| InputError::Usage(e.to_string()))?;
    finish_output(out.write_all(&roff))?;
    Ok(0)
}

fn run_init(
    cli: &Cli,
    args: &InitArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, InputError> {
    use crate::check;
    let target = cli.config_path();
    if !args.stdout && !args.force && std::fs::symlink_metadata(target).is_ok() {
        return Err(InputError::Usage(format!(
            "{} exists: give --force to overwrite it, or --stdout to print the new one",
            crate::source::display_path(target)
        )));
    }
    let root = Path::new(".");
    let files = check::collect_files(&args.paths)?;
    let mut read = check::read_workflows(&files)?;
    check::read_local_calls(&mut read, root)?;
    let actions = check::read_local_actions(&mut read, root);
    let repository =
        match &args.repository {
            Some(slug) => Some(check::Repository::parse(slug, "--repository").ok_or_else(
                || InputError::Usage(format!("--repository takes OWNER/NAME, not `{slug}`")),
            )?),
            None => check::Repository::from_git(root),
        };
    let repo_files = check::RepoFiles {
        root: Some(root.to_path_buf()),
        actions,
    };
    let generated = crate::init::generate(&read, repository.as_ref(), &repo_files);
    for d in &read.unreadable {
        let _ = writeln!(err, "warning: not read: {}", d.headline());
    }
    if args.stdout {
        finish_output(out.write_all(generated.text.as_bytes()))?;
        return Ok(0);
    }
    crate::paths::write_atomically(target, generated.text.as_bytes()).map_err(|e| {
        InputError::Read {
            path: crate::source::display_path(target),
            reason: format!("cannot write: {e}"),
        }
    })?;
    let _ = writeln!(
        err,
        "wrote {}: {} publisher(s) from {} workflow(s), {} value(s) to fill in; review it, then run `trustpub check`",
        crate::source::display_path(target),
        generated.publishers,
        read.workflows.len(),
        generated.uninferred
    );
    Ok(0)
}

/// Refuses a desired-state file inside the repository that is a symbolic link leading out of it
/// (see [`crate::paths`]): its text would be quoted in problems.
fn guard_config(path: &Path) -> Result<(), InputError> {
    if crate::paths::escapes(path) {
        return Err(InputError::Read {
            path: crate::source::display_path(path),
            reason: crate::paths::ESCAPES.into(),
        });
    }
    Ok(())
}

/// A closed pipe (`| head`) is not an error of the input; any other write error is.
fn finish_output(written: std::io::Result<()>) -> Result<(), InputError> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(InputError::Read {
            path: "standard output".into(),
            reason: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The desired state's warnings (values a registry accepts that trustpub advises against), on
/// standard error: the command goes on.
fn warn_config(desired: &config::DesiredState, err: &mut dyn Write) {
    if !desired.warnings.is_empty() {
        let _ = render::human::diagnostics(err, &desired.source, &desired.warnings);
    }
}

fn run_preflight(
    cli: &Cli,
    args: &PreflightArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, InputError> {
    use crate::preflight::{self, Runner, Urls};
    if matches!(cli.format, Format::Sarif | Format::Github) {
        return Err(InputError::Usage(
            "preflight prints human, json or markdown; sarif and github are formats of `check`"
                .into(),
        ));
    }
    guard_config(cli.config_path())?;
    let desired = config::load(cli.config_path())?;
    warn_config(&desired, err);
    let runner =
        Runner::from_env().ok_or_else(|| InputError::Usage(preflight::NO_RUNNER.into()))?;
    let urls = Urls {
        pypi: drift::base_url("--pypi-url", &args.pypi_url)?,
        testpypi: drift::base_url("--testpypi-url", &args.testpypi_url)?,
        crates_io: drift::base_url("--crates-io-url", &args.crates_io_url)?,
        rubygems: drift::base_url("--rubygems-url", &args.rubygems_url)?,
        nuget: drift::base_url("--nuget-url", &args.nuget_url)?,
        npm: drift::base_url("--npm-url", &args.npm_url)?,
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err(InputError::Usage(
            "--timeout takes seconds, more than 0 and at most 3600".into(),
        ));
    }
    let all = [
        &urls.pypi,
        &urls.testpypi,
        &urls.crates_io,
        &urls.rubygems,
        &urls.nuget,
        &urls.npm,
    ];
    let local = all.iter().all(|u| drift::is_loopback(u))
        && drift::is_loopback(&format!("http://{}", runner.host()));
    let settings = crate::net::http::Settings {
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        use_proxy: !local,
        policy: crate::net::retry::Policy {
            retries: 2,
            backoff_base: std::time::Duration::from_millis(
                std::env::var("TRUSTPUB_BACKOFF_BASE_MS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(500),
            ),
            max_wait: std::time::Duration::from_secs(10),
        },
        ..crate::net::http::Settings::default()
    };
    let services = vec![
        crate::net::store::Service {
            id: "pypi",
            base: urls.pypi.clone(),
        },
        crate::net::store::Service {
            id: "testpypi",
            base: urls.testpypi.clone(),
        },
    ];
    let http = crate::net::http::Http::new(
        crate::net::http::Mode::Live { record: None },
        settings,
        services,
        None,
    )
    .map_err(InputError::Usage)?;
    let selection = Selection {
        registry: args.registry,
        project: args.project.clone(),
    };
    let report = preflight::run(&desired, &selection, &runner, &http, &urls, args.exchange)?;
    let markdown = render::markdown::preflight(&report);
    let written = match cli.format {
        Format::Json => crate::sanitize::write_json(out, &render::preflight::json(&report)),
        Format::Markdown => out.write_all(markdown.as_bytes()),
        _ => render::preflight::human(out, &report, cli.human()),
    };
    finish_output(written)?;
    // In a job, the summary goes to the run's page too.
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut f| f.write_all(crate::redact::redact(&markdown).as_bytes()));
        if let Err(e) = appended {
            let _ = writeln!(err, "warning: the step summary could not be written: {e}");
        }
    }
    Ok(report.exit_code())
}

fn run_template(
    cli: &Cli,
    args: &TemplateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, InputError> {
    if matches!(
        cli.format,
        Format::Sarif | Format::Github | Format::Markdown
    ) {
        return Err(InputError::Usage("template prints human or json".into()));
    }
    let desired = config::load(cli.config_path())?;
    warn_config(&desired, err);
    let selection = Selection {
        registry: args.registry,
        project: args.project.clone(),
    };
    let chosen: Vec<&crate::identity::Publisher> = desired
        .publishers
        .iter()
        .filter(|p| selection.admits(p))
        .collect();
    let written = match cli.format {
        Format::Json => crate::sanitize::write_json(out, &render::template::json(&chosen)),
        _ => render::template::human_fitted(out, &chosen, cli.human()),
    };
    finish_output(written)?;
    Ok(0)
}

fn run_check(cli: &Cli, args: &CheckArgs, out: &mut dyn Write) -> Result<u8, InputError> {
    use crate::check;
    if let Some(id) = &args.explain {
        let Some(rule) = check::rules::find(id) else {
            let ids: Vec<&str> = check::rules::ALL.iter().map(|r| r.id).collect();
            return Err(InputError::Usage(format!(
                "unknown rule `{id}` (rules: {})",
                ids.join(", ")
            )));
        };
        finish_output(render::check::rule(out, rule, cli.human().width))?;
        return Ok(0);
    }
    guard_config(cli.config_path())?;
    let (desired, config_problems) = config::load_lenient(cli.config_path())?;
    if desired.publishers.is_empty() && config_problems.is_empty() {
        return Err(InputError::parse(
            desired.source.display_path(),
            "declares no publisher, so there is nothing to check: run `trustpub init` to write one from the workflows, or add a `[[publisher]]` table",
        ));
    }
    let files = check::collect_files(&args.paths)?;
    let complete = args.paths.is_empty() || args.paths.iter().any(|p| p.is_dir());
    let mut read = check::read_workflows(&files)?;
    // Given some files only: follow their same-repository reusable-workflow calls on disk.
    if !complete {
        check::read_local_calls(&mut read, Path::new("."))?;
    }
    let repository =
        match &args.repository {
            Some(slug) => Some(check::Repository::parse(slug, "--repository").ok_or_else(
                || InputError::Usage(format!("--repository takes OWNER/NAME, not `{slug}`")),
            )?),
            None => check::Repository::from_git(Path::new(".")),
        };
    let actions = check::read_local_actions(&mut read, Path::new("."));
    let inputs = check::Inputs {
        desired,
        config_problems,
        workflows: read.workflows,
        unreadable: read.unreadable,
        unreadable_sources: read.unreadable_sources,
        repository,
        complete,
        files: check::RepoFiles {
            root: Some(PathBuf::from(".")),
            actions,
        },
    };
    let report = check::check(inputs);
    let written = match cli.format {
        Format::Human => render::check::human(out, &report, cli.human()),
        Format::Json => crate::sanitize::write_json(out, &render::check::json(&report)),
        Format::Sarif => {
            let place = std::env::current_dir()
                .map(|cwd| render::sarif::Place::new(&cwd, repository_top(&cwd).as_deref()))
                .unwrap_or_default();
            crate::sanitize::write_json(out, &render::sarif::check(&report, &place))
        }
        Format::Github => render::check::github(out, &report),
        Format::Markdown => out.write_all(render::markdown::check(&report).as_bytes()),
    };
    finish_output(written)?;
    Ok(report.exit_code(check::Options {
        strict: args.strict,
    }))
}

fn read_evidence(args: &ExplainArgs) -> Result<Evidence, InputError> {
    let jwks = match &args.jwks {
        Some(path) => Some((
            crate::error::read_text(path)?.text,
            crate::source::display_path(path),
        )),
        None => None,
    };
    let jwks_ref = jwks.as_ref().map(|(t, o)| (t.as_str(), o.as_str()));
    if let Some(token) = &args.token {
        return Evidence::from_token(token, "--token", jwks_ref);
    }
    if let Some(path) = &args.token_file {
        let text = read_file(path)?;
        return Evidence::from_token(&text, &crate::source::display_path(path), jwks_ref);
    }
    if jwks.is_some() && args.stdin.is_none() {
        return Err(InputError::Usage(
            "--jwks verifies a token: give it with --token, --token-file or `-`".into(),
        ));
    }
    if let Some(path) = &args.claims {
        let text = read_file(path)?;
        return Evidence::from_claims_json(&text, &crate::source::display_path(path));
    }
    if let Some(path) = &args.log {
        return Evidence::from_log_file(path);
    }
    if let Some(run) = &args.run {
        let api = drift::base_url("--github-api-url", &args.github_api_url)?;
        let settings = crate::net::http::Settings {
            use_proxy: !drift::is_loopback(&api),
            policy: crate::net::retry::Policy {
                backoff_base: std::time::Duration::from_millis(
                    std::env::var("TRUSTPUB_BACKOFF_BASE_MS")
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(500),
                ),
                ..crate::net::http::Settings::default().policy
            },
            ..crate::net::http::Settings::default()
        };
        let http = crate::net::http::Http::new(
            crate::net::http::Mode::Live { record: None },
            settings,
            vec![crate::net::store::Service {
                id: "github",
                base: api.clone(),
            }],
            drift::github_token(),
        )
        .map_err(InputError::Usage)?;
        return Evidence::from_run(&http, &api, run);
    }
    // Streamed: a log of any size is never held whole.
    Evidence::from_reader(std::io::stdin().lock(), "stdin", jwks_ref)
}

fn read_file(path: &Path) -> Result<String, InputError> {
    crate::error::read_text(path).map(|s| s.text)
}
