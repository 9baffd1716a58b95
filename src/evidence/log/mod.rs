//! A failed run's log, as a user has it: raw runner lines (ISO timestamps, `##[error]`),
//! `gh run view --log` / `--log-failed` output (`job<TAB>step<TAB>line`), or a copy of the web
//! page (`Error: ...`). It recognises the failure output of every registry's publishing tools,
//! with the texts taken from the tools' own sources (`/work/research/tool-logs.md` names each
//! file and commit; each module here cites them):
//!
//! - [`pypi`]: gh-action-pypi-publish, uv, twine, pdm, maturin, poetry, hatch, and the index's
//!   own answers;
//! - [`crates_io`]: rust-lang/crates-io-auth-action, `cargo publish`, release-plz;
//! - [`npm`]: `npm publish`, pnpm, yarn, semantic-release, and npm's answers;
//! - [`rubygems`]: configure-rubygems-credentials, release-gem, `gem push`;
//! - [`nuget`]: NuGet/login, `dotnet nuget push`.
//!
//! For each log it reports the claims a tool printed, the registry's own answers (error codes
//! and reasons), every recognised message with its stage, the stage that failed, and the
//! registry the log concerns. The log is streamed line by line; it is never held whole in
//! memory.

mod claims;
pub mod crates_io;
pub mod npm;
pub mod nuget;
pub mod pypi;
mod reader;
pub mod rubygems;
mod signal;

use std::io::BufRead;

use indexmap::IndexMap;
use serde_json::Value;

use crate::identity::{Claims, Registry};
use crate::redact::redact;

pub use reader::MAX_LINE_BYTES;
pub use signal::{Class, SignalKind, Stage};

/// Everything recognised in a log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogReport {
    /// The claims the publishing tool printed (the last block, when there are several).
    pub claims: Option<Claims>,
    /// The registry's own answers: error codes and descriptions, as the tools print them.
    pub server_errors: Vec<ServerError>,
    /// The registry the log concerns, when it says which: the one whose tool failed, refined
    /// by the host the log names (`test.pypi.org`).
    pub registry: Option<Registry>,
    /// The registries the log may concern: the one above, or PyPI and TestPyPI for a Python
    /// tool's log that names neither host; empty when nothing tells.
    pub registries: Vec<Registry>,
    /// Every recognised failure or warning, in log order (each kind once).
    pub signals: Vec<Signal>,
    /// The stage that failed: the stage of the first message of the strongest [`Class`].
    pub stage: Option<Stage>,
}

/// One answer of a registry, as the log quotes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The error code: PyPI's (`invalid-publisher`, ...), or `http-<status>` for the registries
    /// that answer with a status and a text.
    pub code: String,
    /// Its description, as printed.
    pub description: String,
    /// 1-based line in the log.
    pub line: usize,
    /// The registry that answered (PyPI for both Python indexes until the log says which).
    pub registry: Option<Registry>,
}

/// A recognised message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// What it is.
    pub kind: SignalKind,
    /// 1-based line in the log.
    pub line: usize,
    /// The cleaned line, redacted, at most 300 characters.
    pub text: String,
    /// The registry whose tool printed it, when the message is that tool's own.
    pub registry: Option<Registry>,
    /// The last registry host the log named at or before this line.
    host: Option<Registry>,
}

/// A message a tool prints, and what it means: every string in `all` must be in the cleaned
/// line. The first match of a line wins, so causes come before the wrappers around them.
pub(super) struct Needle {
    /// The texts, each quoted from the tool's source.
    pub(super) all: &'static [&'static str],
    /// What the message means.
    pub(super) kind: SignalKind,
    /// The registry the tool publishes to, when it is that tool's own message.
    pub(super) registry: Option<Registry>,
}

/// An answer read from a line: `(code, description)`.
pub(super) type Answer = (String, String);

impl LogReport {
    /// Whether anything at all was recognised.
    pub fn is_recognised(&self) -> bool {
        self.claims.is_some() || !self.server_errors.is_empty() || !self.signals.is_empty()
    }

    /// The message that decided the failed stage: the first of the strongest [`Class`].
    pub fn cause(&self) -> Option<&Signal> {
        [Class::Cause, Class::Consequence, Class::Wrapper]
            .into_iter()
            .find_map(|class| {
                self.signals
                    .iter()
                    .find(|s| s.kind.class() == class && s.kind.stage().is_some())
            })
    }

    /// The registry's last answer, when the log quotes one from `registry` (PyPI's answers
    /// count for TestPyPI too when the log did not say which index).
    pub fn answer_for(&self, registry: Registry) -> Option<&ServerError> {
        self.server_errors.iter().rev().find(|e| {
            e.registry == Some(registry)
                || (registry.is_python_index() && e.registry.is_some_and(Registry::is_python_index))
        })
    }
}

/// The messages that are no single tool's own (the `id` library, `@actions/core`).
const COMMON: &[Needle] = &[
    Needle {
        // gh-action-pypi-publish `_TOKEN_RETRIEVAL_FAILED_FORK_PR_MESSAGE`: the sentence is
        // split over two physical lines, so the first half is the needle.
        all: &["The workflow context indicates that this action was called from a"],
        kind: SignalKind::ForkPullRequest,
        registry: None,
    },
    Needle {
        all: &["called from a pull request on a fork"],
        kind: SignalKind::ForkPullRequest,
        registry: None,
    },
    Needle {
        // di/id @eeb586710b66 `detect_github`, used by gh-action-pypi-publish, twine and pdm.
        all: &["ACTIONS_ID_TOKEN_REQUEST_TOKEN environment variable was unset"],
        kind: SignalKind::MissingIdToken,
        registry: None,
    },
    Needle {
        all: &["ACTIONS_ID_TOKEN_REQUEST_URL environment variable was unset"],
        kind: SignalKind::MissingIdToken,
        registry: None,
    },
    Needle {
        // @actions/core `OidcClient` (configure-rubygems-credentials, attest actions).
        all: &["Unable to get ACTIONS_ID_TOKEN_REQUEST_URL"],
        kind: SignalKind::MissingIdToken,
        registry: None,
    },
    Needle {
        all: &["Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
        kind: SignalKind::MissingIdToken,
        registry: None,
    },
    Needle {
        // di/id: `GitHub: OIDC token request failed (code=..., body=...)`, `... timed out`.
        all: &["OIDC token request failed"],
        kind: SignalKind::OidcRequestFailed,
        registry: None,
    },
    Needle {
        all: &["OIDC token request timed out"],
        kind: SignalKind::OidcRequestFailed,
        registry: None,
    },
    Needle {
        all: &["GitHub: malformed or incomplete JSON"],
        kind: SignalKind::OidcRequestFailed,
        registry: None,
    },
    Needle {
        // @actions/core `getIDToken`: `Failed to get ID Token.`
        all: &["Failed to get ID Token"],
        kind: SignalKind::OidcRequestFailed,
        registry: None,
    },
];

/// Parses a log, streaming it line by line. Invalid UTF-8 is replaced; CRLF is accepted; a line
/// longer than [`MAX_LINE_BYTES`] is cut there.
pub fn parse_log<R: BufRead>(mut reader: R) -> std::io::Result<LogReport> {
    let mut parser = Parser::default();
    let mut joiner = reader::Joiner::default();
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        if !reader::read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES)? {
            break;
        }
        number += 1;
        let raw = String::from_utf8_lossy(&buf);
        let raw = raw.trim_end_matches(['\n', '\r']);
        for logical in reader::clean(raw).split("%0A") {
            if let Some((line, at)) = joiner.push(logical.trim_end_matches('\r'), number) {
                parser.line(&line, at);
            }
        }
    }
    if let Some((line, at)) = joiner.finish() {
        parser.line(&line, at);
    }
    Ok(parser.finish())
}

#[derive(Default)]
struct Parser {
    report: LogReport,
    block: IndexMap<String, Value>,
    last_block: Option<IndexMap<String, Value>>,
    dump: claims::DebugDump,
    warning_refs: claims::WarningRefs,
    last_host: Option<Registry>,
    crates_io: crates_io::State,
    npm: npm::State,
}

impl Parser {
    fn line(&mut self, line: &str, number: usize) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return;
        }
        if self.dump.is_active() {
            if self.dump.line(trimmed) {
                if !self.dump.is_active() {
                    self.close_dump();
                }
                return;
            }
            self.close_dump();
        }
        if let Some(registry) = registry_named(trimmed) {
            self.last_host = Some(registry);
        }
        if trimmed.starts_with("The claims rendered below") {
            self.close_block();
        }
        self.warning_refs.line(trimmed);
        match claims::bullet(trimmed) {
            Some(claims::Bullet::Claim(name, v)) => {
                if self.block.contains_key(name) {
                    self.close_block();
                }
                self.block.insert(name.to_owned(), v);
                return;
            }
            Some(claims::Bullet::Error(code, description)) => {
                self.answer(
                    (code.to_owned(), description.to_owned()),
                    number,
                    Some(Registry::Pypi),
                );
                return;
            }
            None => {}
        }
        if let Some(rest) = trimmed
            .split_once("Token claims, which must match")
            .map(|(_, r)| r)
        {
            self.close_block();
            if self.dump.start(rest) {
                return;
            }
            self.close_dump();
        }
        for answer in pypi::answers(trimmed) {
            self.answer(answer, number, Some(Registry::Pypi));
        }
        let answers = [
            (crates_io::answer(trimmed), Registry::CratesIo),
            (self.crates_io.line(trimmed), Registry::CratesIo),
            (npm::answer(trimmed), Registry::Npm),
            (rubygems::answer(trimmed), Registry::RubyGems),
            (nuget::answer(trimmed), Registry::NuGet),
        ];
        for (found, registry) in answers {
            for a in found {
                self.answer(a, number, Some(registry));
            }
        }
        self.npm.line(trimmed, number);
        if pypi::is_empty_password_env(trimmed) {
            self.signal(
                SignalKind::EmptyPassword,
                trimmed,
                number,
                Some(Registry::Pypi),
            );
        }
        if let Some((kind, registry)) = recognise(trimmed) {
            self.signal(kind, trimmed, number, registry);
        }
    }

    fn signal(&mut self, kind: SignalKind, text: &str, number: usize, registry: Option<Registry>) {
        if self.report.signals.iter().any(|s| s.kind == kind) {
            return;
        }
        let text: String = redact(text).chars().take(300).collect();
        self.report.signals.push(Signal {
            kind,
            line: number,
            text,
            registry,
            host: self.last_host,
        });
    }

    fn answer(&mut self, (code, description): Answer, number: usize, registry: Option<Registry>) {
        // A log of a long matrix can repeat the same answer many times: keep each once.
        if self
            .report
            .server_errors
            .iter()
            .any(|e| e.code == code && e.description == description && e.registry == registry)
        {
            return;
        }
        if self.report.server_errors.len() >= 64 {
            return;
        }
        let description: String = redact(&description).chars().take(2000).collect();
        self.report.server_errors.push(ServerError {
            code,
            description,
            line: number,
            registry,
        });
    }

    fn close_block(&mut self) {
        if !self.block.is_empty() {
            self.last_block = Some(std::mem::take(&mut self.block));
        }
    }

    fn close_dump(&mut self) {
        let fields = self.dump.take();
        if !fields.is_empty() {
            self.last_block = Some(fields);
        }
    }

    fn finish(mut self) -> LogReport {
        self.close_dump();
        self.close_block();
        let block = self.last_block.or_else(|| {
            let refs = std::mem::take(&mut self.warning_refs.fields);
            (!refs.is_empty()).then_some(refs)
        });
        self.report.claims = block.map(Claims::partial);
        // An npm too old for Trusted Publishing, when npm itself published.
        let npm_published = self.report.signals.iter().any(|s| {
            s.registry == Some(Registry::Npm)
                && (s.text.starts_with("npm ") || s.text.contains("npm error"))
        });
        if npm_published && let Some((line, text)) = self.npm.too_old() {
            let text = text.to_owned();
            let host = self.last_host;
            if !self
                .report
                .signals
                .iter()
                .any(|s| s.kind == SignalKind::NpmTooOld)
            {
                let at = self.report.signals.partition_point(|s| s.line <= line);
                self.report.signals.insert(
                    at,
                    Signal {
                        kind: SignalKind::NpmTooOld,
                        line,
                        text: redact(&text).chars().take(300).collect(),
                        registry: Some(Registry::Npm),
                        host,
                    },
                );
            }
        }
        // Wrappers only matter when nothing says more.
        let decisive = self.report.cause().cloned();
        if decisive
            .as_ref()
            .is_some_and(|d| d.kind.class() != Class::Wrapper)
        {
            self.report
                .signals
                .retain(|s| s.kind.class() != Class::Wrapper);
        }
        self.report.stage = decisive.as_ref().and_then(|d| d.kind.stage());
        let tool = decisive
            .as_ref()
            .and_then(|d| d.registry)
            .or_else(|| self.report.server_errors.last().and_then(|e| e.registry))
            .or_else(|| self.report.signals.iter().find_map(|s| s.registry));
        let host = decisive.as_ref().and_then(|d| d.host).or(self.last_host);
        let (registry, registries) = match (tool, host) {
            // A Python tool: the host says which index, or the log does not say.
            (Some(t), Some(h)) if t.is_python_index() && h.is_python_index() => (Some(h), vec![h]),
            (Some(t), _) if t.is_python_index() => (None, vec![Registry::Pypi, Registry::TestPypi]),
            (Some(t), _) => (Some(t), vec![t]),
            (None, h) => (h, h.into_iter().collect()),
        };
        self.report.registries = registries;
        if registry == Some(Registry::TestPypi) {
            for e in &mut self.report.server_errors {
                if e.registry == Some(Registry::Pypi) {
                    e.registry = Some(Registry::TestPypi);
                }
            }
        }
        self.report.registry = registry;
        self.report
    }
}

/// Every needle of every table, in table order: the common messages, then each registry's.
fn needles() -> impl Iterator<Item = &'static Needle> {
    [
        COMMON,
        pypi::NEEDLES,
        crates_io::NEEDLES,
        npm::NEEDLES,
        rubygems::NEEDLES,
        nuget::NEEDLES,
    ]
    .into_iter()
    .flatten()
}

/// One automaton over the first text of every needle: a line is searched once, whatever the
/// number of messages known (aho-corasick, already in the build through `regex`).
static AUTOMATON: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<&'static Needle>)> =
    std::sync::LazyLock::new(|| {
        let all: Vec<&'static Needle> = needles().collect();
        let automaton = aho_corasick::AhoCorasick::new(all.iter().map(|n| n.all[0]))
            .expect("the needles are a few hundred short literals");
        (automaton, all)
    });

/// What a line says: the kind of the first needle (in table order) it matches, and the
/// registry of the first matching needle that names one (a common message, such as id's
/// `... environment variable was unset`, printed by a registry's tool).
fn recognise(line: &str) -> Option<(SignalKind, Option<Registry>)> {
    let (automaton, all) = &*AUTOMATON;
    let mut best: Option<usize> = None;
    let mut best_registry: Option<usize> = None;
    for m in automaton.find_overlapping_iter(line) {
        let i = m.pattern().as_usize();
        let n = all[i];
        if !n.all[1..].iter().all(|rest| line.contains(rest)) {
            continue;
        }
        if best.is_none_or(|b| i < b) {
            best = Some(i);
        }
        if n.registry.is_some() && best_registry.is_none_or(|b| i < b) {
            best_registry = Some(i);
        }
    }
    let kind = all[best?].kind;
    Some((kind, best_registry.and_then(|i| all[i].registry)))
}

/// The registry a line names: by host (`test.pypi.org` is TestPyPI; `pypi.org` and
/// `upload.pypi.org` PyPI, documentation hosts such as docs.pypi.org do not count;
/// `crates.io`, `registry.npmjs.org`, `rubygems.org`, `nuget.org`), or by the registry's own
/// action in a step header (`Run rust-lang/crates-io-auth-action@...`).
fn registry_named(line: &str) -> Option<Registry> {
    // gh-action-pypi-publish is not here: its `repository-url` says which index.
    const ACTIONS: [(&str, Registry); 4] = [
        ("Run rust-lang/crates-io-auth-action", Registry::CratesIo),
        (
            "Run rubygems/configure-rubygems-credentials",
            Registry::RubyGems,
        ),
        ("Run rubygems/release-gem", Registry::RubyGems),
        ("Run NuGet/login", Registry::NuGet),
    ];
    if let Some((_, r)) = ACTIONS.iter().find(|(a, _)| line.starts_with(a)) {
        return Some(*r);
    }
    let mut found = None;
    let mut from = 0;
    while let Some(at) = line[from..].find("pypi.org") {
        let start = from + at;
        from = start + "pypi.org".len();
        let before = &line[..start];
        if before.ends_with("test.") {
            found = Some(Registry::TestPypi);
        } else if before.ends_with("upload.")
            || before.ends_with("://")
            || before.ends_with(' ')
            || before.is_empty()
        {
            found = Some(Registry::Pypi);
        }
    }
    if found.is_some() {
        return found;
    }
    let hosts = [
        ("://crates.io", Registry::CratesIo),
        ("registry.npmjs.org", Registry::Npm),
        ("://rubygems.org", Registry::RubyGems),
        ("nuget.org/api", Registry::NuGet),
        ("://www.nuget.org", Registry::NuGet),
    ];
    hosts
        .iter()
        .filter_map(|(host, r)| line.rfind(host).map(|at| (at, *r)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tools_tests;
