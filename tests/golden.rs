//! Golden tests: each folder under `tests/golden/<command>/` is one case, written by hand: its
//! inputs, a `cmd` file with the arguments (paths relative to the case folder), optionally a
//! `stdin` file, an `env` file (`KEY=VALUE` lines; `env.<variant>` for one invocation), and the expected `stdout`, `stderr` and exit
//! `code` beside them.
//!
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the expected files; review the diff.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn cases(command: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(command);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("cmd").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Splits the `cmd` file into arguments: whitespace-separated, with '...' quoting.
fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.trim().chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    args.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        args.push(cur);
    }
    args
}

fn check(case: &Path, name: &str, actual: &str, failures: &mut Vec<String>) {
    let path = case.join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        if actual.is_empty() && name.starts_with("stderr") {
            let _ = fs::remove_file(&path);
        } else {
            fs::write(&path, actual).unwrap();
        }
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        failures.push(format!("{}: {name} differs\n{diff}", case.display()));
    }
}

/// The invocations of a case: `cmd` (expected files `stdout`, `stderr`, `code`) and any
/// `cmd.<variant>` (expected `stdout.<variant>`, ...), so one set of inputs serves several
/// output formats.
fn invocations(case: &Path) -> Vec<(PathBuf, String)> {
    let mut found: Vec<(PathBuf, String)> = fs::read_dir(case)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            match name.strip_prefix("cmd") {
                Some("") => Some((p, String::new())),
                Some(v) if v.starts_with('.') => Some((p, v.to_owned())),
                _ => None,
            }
        })
        .collect();
    found.sort();
    found
}

/// The invocation `cmd_file` of `case` stands for: its arguments, run in the case folder with a
/// clean environment plus the case's `env` (and `env.<variant>`) and `stdin`.
fn invocation(case: &Path, cmd_file: &Path, variant: &str) -> Command {
    let cmdline = fs::read_to_string(cmd_file).unwrap();
    let mut cmd = Command::cargo_bin("trustpub").unwrap();
    // Each case is a repository of its own: the search for the desired state and the
    // repository's top level stops there, as git's own does.
    cmd.current_dir(case)
        .env("GIT_CEILING_DIRECTORIES", case.parent().unwrap())
        .args(split_args(&cmdline))
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("TRUSTPUB_CONFIG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("CRATES_IO_TOKEN")
        .env_remove("CARGO_REGISTRY_TOKEN")
        .env_remove("RUBYGEMS_API_KEY")
        .env_remove("GEM_HOST_API_KEY")
        .env_remove("RUBYGEMS_OTP");
    // An optional `env` file of KEY=VALUE lines (for example SOURCE_DATE_EPOCH).
    // `env.<variant>` adds to it for that invocation only (COLUMNS=80 for a narrow one).
    for file in ["env".to_owned(), format!("env{variant}")] {
        if variant.is_empty() && file != "env" {
            continue;
        }
        if let Ok(vars) = fs::read_to_string(case.join(file)) {
            for (k, v) in vars.lines().filter_map(|l| l.split_once('=')) {
                cmd.env(k.trim(), v.trim());
            }
        }
    }
    let stdin = case.join("stdin");
    if stdin.is_file() {
        cmd.write_stdin(fs::read(stdin).unwrap());
    }
    cmd
}

fn run_command(command: &str) {
    let mut failures = Vec::new();
    let all = cases(command);
    assert!(!all.is_empty(), "no golden cases for {command}");
    for case in &all {
        for (cmd_file, variant) in invocations(case) {
            let output = invocation(case, &cmd_file, &variant).output().unwrap();
            check(
                case,
                &format!("stdout{variant}"),
                &String::from_utf8_lossy(&output.stdout),
                &mut failures,
            );
            check(
                case,
                &format!("stderr{variant}"),
                &String::from_utf8_lossy(&output.stderr),
                &mut failures,
            );
            let code = output
                .status
                .code()
                .map_or("signal".into(), |c| c.to_string());
            check(
                case,
                &format!("code{variant}"),
                &format!("{code}\n"),
                &mut failures,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden failures in {} cases:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn explain_golden_cases() {
    run_command("explain");
}

#[test]
fn check_golden_cases() {
    run_command("check");
}

#[test]
fn drift_golden_cases() {
    run_command("drift");
}

#[test]
fn audit_golden_cases() {
    run_command("audit");
}

#[test]
fn template_golden_cases() {
    run_command("template");
}

#[test]
fn init_golden_cases() {
    run_command("init");
}

/// Every human `explain`, `drift`, `template` and `check --explain` case fits a terminal of 40,
/// 80 and 100 columns: a line is wider only where one word (a URL, a long path, a JSON value)
/// cannot be broken. (`check`'s snippets follow rustc: their titles are not wrapped.)
#[test]
fn human_output_fits_the_terminal() {
    use unicode_width::UnicodeWidthStr;
    let mut failures = Vec::new();
    let all = ["explain", "drift", "template", "check"]
        .iter()
        .flat_map(|command| cases(command));
    for case in all {
        let cmd_file = case.join("cmd");
        let cmdline = fs::read_to_string(&cmd_file).unwrap();
        let checks_workflows = cmdline.contains("check") && !cmdline.contains("--explain");
        if cmdline.contains("--format") || checks_workflows {
            continue;
        }
        for columns in [40, 80, 100] {
            let output = invocation(&case, &cmd_file, "")
                .env("COLUMNS", columns.to_string())
                .output()
                .unwrap();
            for line in String::from_utf8_lossy(&output.stdout).lines() {
                let indent = line.len() - line.trim_start().len();
                let unbreakable = line
                    .split_whitespace()
                    .any(|word| indent + word.width() > columns / 2);
                if line.width() > columns && !unbreakable {
                    failures.push(format!("{} at {columns} columns: {}", case.display(), line));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
