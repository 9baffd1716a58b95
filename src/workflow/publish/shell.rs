//! Reading `run:` scripts: where a command is, its flags, and the folder it runs in. Shell is not
//! parsed; commands are found as words on a line, after any `&&`, `;` or `|`, and comments and
//! `--dry-run` rehearsals are left out.

use super::super::Text;
use super::super::yaml::Span;
use crate::source::SourceFile;

/// One occurrence of a command in a `run:` script.
#[derive(Debug, Clone)]
pub struct Found<'r> {
    /// The line before the command (`python -m`, `dotnet`, ...).
    pub before: &'r str,
    /// The command line from the command on, up to the next `&&`, `;` or `|`.
    pub command: &'r str,
    /// Where the command is in the file.
    pub span: Span,
    /// The folder a `cd DIR` earlier in the script (or on the line, `cd DIR && ...`) moved to,
    /// relative to where the script starts.
    pub cd: Option<String>,
    /// 0-based index of the script line.
    pub line_index: usize,
}

/// Whether a command only rehearses the upload (`--dry-run`).
pub fn is_dry_run(command: &str) -> bool {
    command
        .split_whitespace()
        .any(|w| w == "--dry-run" || w == "--dry_run")
}

/// The value after the first of `flags` in a command line (`--flag value` or `--flag=value`). A
/// `${{ ... }}` expression holds spaces: it is one value.
pub fn flag_value(command: &str, flags: &[&str]) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let value_at = |i: usize, first: &str| -> String {
        let mut value = first.to_owned();
        let mut j = i;
        if value.contains("${{") && !value.contains("}}") {
            while let Some(next) = words.get(j + 1) {
                value.push(' ');
                value.push_str(next);
                j += 1;
                if next.contains("}}") {
                    break;
                }
            }
        }
        value.trim_matches(['"', '\'']).to_owned()
    };
    for (i, w) in words.iter().enumerate() {
        for f in flags {
            if w == f {
                return words.get(i + 1).map(|s| value_at(i + 1, s));
            }
            if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                return Some(value_at(i, v));
            }
        }
    }
    None
}

/// Every value of `flags` in a command line, in order (`-p a -p b`).
pub fn flag_values(command: &str, flags: &[&str]) -> Vec<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        for f in flags {
            if w == f
                && let Some(v) = words.get(i + 1)
            {
                out.push(v.trim_matches(['"', '\'']).to_owned());
            } else if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                out.push(v.trim_matches(['"', '\'']).to_owned());
            }
        }
    }
    out
}

/// Whether any of `flags` is on the command line.
pub fn has_flag(command: &str, flags: &[&str]) -> bool {
    command.split_whitespace().any(|w| {
        flags
            .iter()
            .any(|f| w == *f || w.starts_with(&format!("{f}=")))
    })
}

/// The words of a command line that are not flags nor flag values (`flags_with_values` take
/// one).
pub fn positionals<'c>(command: &'c str, flags_with_values: &[&str]) -> Vec<&'c str> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in command.split_whitespace() {
        if skip {
            skip = false;
            continue;
        }
        if w.starts_with('-') {
            skip = flags_with_values.contains(&w);
            continue;
        }
        if w == "\\" {
            continue;
        }
        out.push(w);
    }
    out
}

/// The index of the token where `words` start among a segment's tokens, where `Gap::Options`
/// lets flags (and a flag's value) stand between the first word and the rest
/// (`pnpm -r publish`, `pnpm --filter web publish`).
fn match_words(tokens: &[(usize, &str)], words: &[&str], gap: Gap) -> Option<usize> {
    'start: for i in 0..tokens.len() {
        // `npx npm@11.7.0 publish`: a pinned version of the tool is the tool.
        let first = tokens[i].1.trim_start_matches('(');
        if first != words[0]
            && !first
                .strip_prefix(words[0])
                .is_some_and(|rest| rest.starts_with('@') && words.len() > 1)
        {
            continue;
        }
        let mut j = i + 1;
        for w in &words[1..] {
            if gap == Gap::Options {
                let mut skipped = 0;
                while let Some((_, t)) = tokens.get(j) {
                    if t.trim_end_matches(')') == *w || skipped >= 6 {
                        break;
                    }
                    if !t.starts_with('-') && !tokens[j - 1].1.starts_with('-') {
                        continue 'start;
                    }
                    j += 1;
                    skipped += 1;
                }
            }
            match tokens.get(j) {
                Some((_, t)) if t.trim_end_matches(')') == *w => j += 1,
                _ => continue 'start,
            }
        }
        return Some(i);
    }
    None
}

/// How the words of a command may be spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Consecutive words.
    None,
    /// Flags may stand between the first word and the next.
    Options,
}

/// The folder a `cd` command moves to, when it is a plain relative or `$GITHUB_WORKSPACE` path.
fn cd_target(segment: &str) -> Option<Option<String>> {
    let mut words = segment.split_whitespace();
    if words.next()? != "cd" {
        return None;
    }
    let target = words
        .next()
        .unwrap_or("")
        .trim_matches(['"', '\''])
        .to_owned();
    let target = target
        .strip_prefix("$GITHUB_WORKSPACE")
        .or_else(|| target.strip_prefix("${GITHUB_WORKSPACE}"))
        .or_else(|| target.strip_prefix("${{ github.workspace }}"))
        .map(|t| t.trim_start_matches('/').to_owned())
        .unwrap_or(target);
    if target.is_empty() || target == "~" || target.starts_with('/') || target.contains('$') {
        return Some(None);
    }
    Some(Some(target))
}

/// Joins a relative folder onto another, resolving `.` and `..` by name; `None` when it
/// leaves the top.
pub fn join_dir(base: Option<&str>, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base
        .unwrap_or("")
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The segments of a shell line between `&&`, `||`, `;` and `|`, as byte ranges.
fn segments(line: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let sep = match bytes[i] {
            b'&' if bytes.get(i + 1) == Some(&b'&') => 2,
            b'|' if bytes.get(i + 1) == Some(&b'|') => 2,
            b';' | b'|' => 1,
            _ => 0,
        };
        if sep > 0 {
            out.push(start..i);
            i += sep;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(start..bytes.len());
    out
}

/// Each occurrence of the command `words` in a `run:` script, comments and `--dry-run`
/// rehearsals left out.
pub fn find_commands<'r>(
    source: &'r SourceFile,
    run: &'r Text,
    words: &[&str],
    gap: Gap,
) -> Vec<Found<'r>> {
    find_commands_in(source, run, words, gap, &|t: &str| t.to_owned())
}

/// What a shell `if` tests, when both sides are literal once `resolve` has substituted the
/// step's inputs and environment: `[ "a" = "b" ]`, `[[ a == b ]]`, `[ a != b ]`,
/// `test a = b`.
fn literal_test(condition: &str, resolve: &dyn Fn(&str) -> String) -> Option<bool> {
    let c = resolve(condition);
    let c = c.trim().trim_end_matches(';').trim();
    let c = c
        .strip_suffix("then")
        .unwrap_or(c)
        .trim()
        .trim_end_matches(';')
        .trim();
    let inner = c
        .strip_prefix("[[")
        .and_then(|r| r.trim_end().strip_suffix("]]"))
        .or_else(|| {
            c.strip_prefix('[')
                .and_then(|r| r.trim_end().strip_suffix(']'))
        })
        .or_else(|| c.strip_prefix("test "))?;
    let words: Vec<&str> = inner.split_whitespace().collect();
    let [a, op, b] = words.as_slice() else {
        return None;
    };
    let unquote = |w: &str| {
        let w = w.trim_matches(['"', '\'']);
        (!w.contains('$') && !w.contains('`') && !w.contains('*')).then(|| w.to_owned())
    };
    let (a, b) = (unquote(a)?, unquote(b)?);
    match *op {
        "=" | "==" => Some(a == b),
        "!=" => Some(a != b),
        _ => None,
    }
}

/// Like [`find_commands`], where `resolve` substitutes inputs and environment, so that an
/// `if [ "${{ inputs.index }}" = "testpypi" ]` whose both sides become literal keeps only the
/// branch that runs.
pub fn find_commands_in<'r>(
    source: &'r SourceFile,
    run: &'r Text,
    words: &[&str],
    gap: Gap,
    resolve: &dyn Fn(&str) -> String,
) -> Vec<Found<'r>> {
    Script::read(source, run, resolve).find(words, gap)
}

/// A `run:` script read once: the commands that can run (between `&&`, `||`, `;` and `|`, in
/// branches not ruled out, comments left out), each with the folder it runs in and its words.
/// Finding a command is then a walk over words, however many commands are looked for.
#[derive(Debug, Clone)]
pub struct Script<'r> {
    source: &'r SourceFile,
    run: &'r Text,
    segments: Vec<Segment<'r>>,
    start: std::cell::OnceCell<Option<usize>>,
}

#[derive(Debug, Clone)]
struct Segment<'r> {
    line_index: usize,
    line: &'r str,
    /// Where the segment starts on its line.
    start: usize,
    text: &'r str,
    cd: Option<String>,
    /// Its words, with their offsets in `text`.
    words: Vec<(usize, &'r str)>,
}

impl<'r> Script<'r> {
    /// Reads `run`; `resolve` substitutes inputs and environment for shell `if` tests.
    pub fn read(source: &'r SourceFile, run: &'r Text, resolve: &dyn Fn(&str) -> String) -> Self {
        let mut segments_out = Vec::new();
        let mut cwd: Option<String> = None;
        // Open `if`s: whether the current branch runs (`None`: unknown).
        let mut branches: Vec<Option<bool>> = Vec::new();
        for (line_index, line) in run.value.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                continue;
            }
            // Whether this line runs: an `if` line's own condition runs whatever it tests.
            let dead = branches.contains(&Some(false));
            if branches.len() < 64 {
                if let Some(cond) = trimmed.strip_prefix("if ") {
                    if cond.contains("; fi") || cond.trim_end().ends_with("fi") {
                        // One-line `if ...; then ...; fi`: the line runs or not as a whole.
                        let head = cond.split("then").next().unwrap_or("");
                        if literal_test(head, resolve) == Some(false) {
                            continue;
                        }
                    } else {
                        branches.push(literal_test(cond, resolve));
                    }
                } else if trimmed.starts_with("elif ") {
                    // The chain's other branches are not told apart.
                    if let Some(last) = branches.last_mut() {
                        *last = match *last {
                            Some(true) => Some(false),
                            _ => None,
                        };
                    }
                    continue;
                } else if trimmed == "else"
                    || trimmed.starts_with("else ")
                    || trimmed.starts_with("else;")
                {
                    if let Some(last) = branches.last_mut() {
                        *last = last.map(|b| !b);
                    }
                    continue;
                } else if trimmed == "fi"
                    || trimmed.starts_with("fi ")
                    || trimmed.starts_with("fi;")
                {
                    branches.pop();
                    continue;
                }
            }
            if dead {
                continue;
            }
            let mut here = cwd.clone();
            let mut only_cd = true;
            for seg in segments(line) {
                let text = &line[seg.clone()];
                if let Some(target) = cd_target(text.trim()) {
                    here = target.and_then(|t| join_dir(here.as_deref(), &t));
                    continue;
                }
                if text.trim().is_empty() {
                    continue;
                }
                only_cd = false;
                let words = text
                    .split_whitespace()
                    .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
                    .collect();
                segments_out.push(Segment {
                    line_index,
                    line,
                    start: seg.start,
                    text,
                    cd: here.clone(),
                    words,
                });
            }
            // `cd DIR` on a line of its own moves the rest of the script.
            if only_cd {
                cwd = here;
            }
        }
        Script {
            source,
            run,
            segments: segments_out,
            start: std::cell::OnceCell::new(),
        }
    }

    /// Each occurrence of the command `words`, `--dry-run` rehearsals left out.
    pub fn find(&self, words: &[&str], gap: Gap) -> Vec<Found<'r>> {
        let last = words[words.len() - 1];
        let mut found = Vec::new();
        // Most scripts name none of the commands looked for: one search of the whole script.
        if !self.run.value.contains(last) {
            return found;
        }
        for seg in &self.segments {
            if found.len() > super::MAX_SITES {
                break; // enough to know the script has too many to check
            }
            // Cheap test first: most commands of most scripts are not the one looked for.
            if !seg.text.contains(last) {
                continue;
            }
            let Some(i) = match_words(&seg.words, words, gap) else {
                continue;
            };
            let at = seg.words[i].0;
            let command = seg.text[at..].trim_end();
            // A command continued on the next lines (`\` at the end) reads as one line.
            let command: &'r str = match continuation(&self.run.value, seg.line) {
                Some(whole) if command.ends_with('\\') => {
                    whole.get(seg.start + at..).unwrap_or(command)
                }
                _ => command,
            };
            if is_dry_run(command) {
                continue;
            }
            let at_in_line = seg.start + at;
            let script_start = *self
                .start
                .get_or_init(|| locate_script(self.source, self.run));
            let len = words.join(" ").len().min(command.len());
            let span = locate(
                self.source,
                script_start,
                seg.line_index,
                seg.line,
                at_in_line,
                len,
            )
            .unwrap_or_else(|| self.run.span.clone());
            found.push(Found {
                before: &seg.line[..at_in_line],
                command,
                span,
                cd: seg.cd.clone(),
                line_index: seg.line_index,
            });
        }
        found
    }
}

/// The script line joined with the lines that continue it (`\` at a line's end), as one
/// slice of the script; `None` when the line is not continued.
fn continuation<'r>(script: &'r str, line: &'r str) -> Option<&'r str> {
    if !line.trim_end().ends_with('\\') {
        return None;
    }
    let start = line.as_ptr() as usize - script.as_ptr() as usize;
    let mut end = start + line.len();
    let mut joined = 0;
    while script[start..end].trim_end().ends_with('\\') && joined < 64 {
        let Some(newline) = script[end..].find('\n') else {
            break;
        };
        let next = end + newline + 1;
        end = script[next..].find('\n').map_or(script.len(), |i| next + i);
        joined += 1;
    }
    Some(script[start..end].trim_end_matches('\r'))
}

/// Where the script's first line is in the file.
fn locate_script(source: &SourceFile, run: &Text) -> Option<usize> {
    let region_start = run.span.bytes.start.min(source.text.len());
    source.text[region_start..]
        .find(run.value.lines().next().unwrap_or(""))
        .map(|i| region_start + i)
}

/// The span of `len` bytes at column `at` of `line` of the script, found in the file. A block
/// scalar keeps one file line per script line, so the search starts at the script line's own
/// line in the file (a repeated line is found where it is, not at its first occurrence).
fn locate(
    source: &SourceFile,
    script_start: Option<usize>,
    line_index: usize,
    line: &str,
    at: usize,
    len: usize,
) -> Option<Span> {
    let start = script_start?;
    // The file's line index finds the script line's own line without counting from the start:
    // a script of ten thousand commands is located in linear time.
    let first_line = source.position(start).line;
    let expected = source.line_range(first_line + line_index);
    let from = if line_index == 0 {
        start
    } else {
        expected.as_ref().map_or(source.text.len(), |r| r.start)
    };
    // The script as parsed drops the block's indentation; search the line's text in the file:
    // on its own line first, then further on, then anywhere in the script.
    let needle = line.trim();
    let lead = line.len() - line.trim_start().len();
    let on_line = expected.filter(|_| line_index > 0).and_then(|r| {
        source
            .text
            .get(r.clone())?
            .find(needle)
            .map(|i| r.start + i)
    });
    let in_file = on_line
        .or_else(|| source.text.get(from..)?.find(needle).map(|i| from + i))
        .or_else(|| source.text.get(start..)?.find(needle).map(|i| start + i))?;
    let offset = in_file + at.saturating_sub(lead);
    let pos = source.position(offset);
    Some(Span {
        bytes: offset..offset + len,
        line: pos.line,
        column: pos.column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Text {
        Text {
            value: s.to_owned(),
            span: Span::default(),
        }
    }

    #[test]
    fn an_expression_flag_value_is_read_whole() {
        assert_eq!(
            flag_value(
                "dotnet nuget push x --api-key ${{ steps.login.outputs.NUGET_API_KEY }} -s y",
                &["--api-key"]
            )
            .as_deref(),
            Some("${{ steps.login.outputs.NUGET_API_KEY }}")
        );
        assert_eq!(
            flag_value(
                "twine upload --repository-url=https://test.pypi.org/legacy/",
                &["--repository-url"]
            )
            .as_deref(),
            Some("https://test.pypi.org/legacy/")
        );
        assert_eq!(
            flag_values("cargo publish -p a -p b", &["-p", "--package"]),
            ["a", "b"]
        );
    }

    #[test]
    fn options_may_stand_between_a_command_and_its_subcommand() {
        let src = SourceFile::new("x.yml", "");
        for (script, hit) in [
            ("pnpm -r publish --access public", true),
            ("pnpm --filter web publish", true),
            ("pnpm publish", true),
            ("pnpm run build && npm publish", false),
            ("pnpm install publish-tool", false),
        ] {
            assert_eq!(
                !find_commands(&src, &text(script), &["pnpm", "publish"], Gap::Options).is_empty(),
                hit,
                "{script}"
            );
        }
    }

    #[test]
    fn a_continued_command_reads_its_flags_from_the_next_lines() {
        let src = SourceFile::new("x.yml", "");
        let run = text(
            "uv publish \\\n  --trusted-publishing automatic \\\n  --publish-url https://test.pypi.org/legacy/ \\\n  dist/*\necho done",
        );
        let found = find_commands(&src, &run, &["uv", "publish"], Gap::None);
        assert_eq!(
            flag_value(found[0].command, &["--publish-url"]).as_deref(),
            Some("https://test.pypi.org/legacy/")
        );
        assert!(!found[0].command.contains("echo"));
        let pinned = text("npx npm@11.7.0 publish pkg.tgz");
        assert_eq!(
            find_commands(&src, &pinned, &["npm", "publish"], Gap::Options).len(),
            1
        );
    }

    #[test]
    fn a_branch_whose_test_is_literal_false_is_skipped() {
        let src = SourceFile::new("x.yml", "");
        let run = text(
            "if [ \"${{ inputs.environment }}\" = \"testpypi\" ]; then\n  uv publish --index testpypi\nelse\n  uv publish\nfi",
        );
        let as_pypi = |t: &str| t.replace("${{ inputs.environment }}", "pypi");
        let found = find_commands_in(&src, &run, &["uv", "publish"], Gap::None, &as_pypi);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].command, "uv publish");
        // A command in the `if` line itself runs.
        let in_test = text("if (cd pkg && npm publish); then\n  echo ok\nfi");
        assert_eq!(
            find_commands(&src, &in_test, &["npm", "publish"], Gap::None).len(),
            1
        );
        // Unknown: both branches may run.
        let unknown = find_commands(&src, &run, &["uv", "publish"], Gap::None);
        assert_eq!(unknown.len(), 2);
    }

    #[test]
    fn cd_moves_the_commands_after_it() {
        let src = SourceFile::new("x.yml", "");
        let run = text("cd packages/a\nnpm publish\ncd ../b && npm publish\ncd /tmp\nnpm publish");
        let found = find_commands(&src, &run, &["npm", "publish"], Gap::None);
        let dirs: Vec<Option<&str>> = found.iter().map(|f| f.cd.as_deref()).collect();
        assert_eq!(dirs, [Some("packages/a"), Some("packages/b"), None]);
    }

    #[test]
    fn a_command_ends_at_the_next_separator_and_rehearsals_are_skipped() {
        let src = SourceFile::new("x.yml", "");
        let run = text("cargo publish -p a && cargo publish --dry-run -p b\n# cargo publish");
        let found = find_commands(&src, &run, &["cargo", "publish"], Gap::None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].command.trim(), "cargo publish -p a");
    }
}
