//! A failed run fetched from GitHub's REST API (`explain --run`): the run, its jobs and the
//! logs of the jobs that failed, streamed one after the other through the log reader, as
//! `gh run view --log-failed` would print them. Endpoints (docs.github.com, REST "Workflow
//! runs" and "Workflow jobs", API version 2022-11-28):
//!
//! - `GET /repos/{owner}/{repo}/actions/runs/{run_id}`;
//! - `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs?filter=latest&per_page=100`;
//! - `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`, which answers `302 Found` with a
//!   short-lived URL on a storage host: followed without the token (see `net::http::open`).

use std::io::Read;

use serde_json::Value;

use crate::error::InputError;
use crate::net::http::Http;

/// The run to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    /// The repository's owner.
    pub owner: String,
    /// The repository's name.
    pub repo: String,
    /// The run's id.
    pub id: u64,
    /// One job of it, when the URL names one (`.../job/ID`).
    pub job: Option<u64>,
}

impl RunRef {
    /// Parses `https://github.com/OWNER/REPO/actions/runs/ID[/job/ID]` (any host, so GitHub
    /// Enterprise too) or `OWNER/REPO/ID`.
    pub fn parse(arg: &str) -> Result<RunRef, InputError> {
        let usage = || {
            InputError::Usage(format!(
                "--run takes a run's URL (https://github.com/OWNER/REPO/actions/runs/ID) or OWNER/REPO/ID, not `{arg}`"
            ))
        };
        let trimmed = arg.trim();
        let path = match trimmed.split_once("://") {
            Some((_, rest)) => {
                let rest = rest.split(['?', '#']).next().unwrap_or(rest);
                let (_, path) = rest.split_once('/').ok_or_else(usage)?;
                path
            }
            None => trimmed,
        };
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let number = |s: &str| s.parse::<u64>().ok().filter(|n| *n > 0);
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                && s != "."
                && s != ".."
        };
        let (owner, repo, id, job) = match parts.as_slice() {
            [o, r, id] if !trimmed.contains("://") => (*o, *r, number(id), None),
            [o, r, "actions", "runs", id, rest @ ..] => {
                let job = match rest {
                    ["job", j, ..] => Some(number(j).ok_or_else(usage)?),
                    _ => None,
                };
                (*o, *r, number(id), job)
            }
            _ => return Err(usage()),
        };
        let id = id.ok_or_else(usage)?;
        if !name_ok(owner) || !name_ok(repo) {
            return Err(usage());
        }
        Ok(RunRef {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            id,
            job,
        })
    }
}

/// One job whose log was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its conclusion (`failure`, `timed_out`, ...).
    pub conclusion: String,
    /// Its page.
    pub url: String,
    /// The steps that failed, by name.
    pub failed_steps: Vec<String>,
    /// The first line of its log in the stream (1-based; 0 until it is read).
    pub first_line: usize,
    /// The number of lines of its log.
    pub lines: usize,
}

/// The run, as GitHub describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The run's page.
    pub url: String,
    /// The workflow's name and the run's title.
    pub name: String,
    /// `completed`, `in_progress`, ...
    pub status: String,
    /// `failure`, `success`, ... (empty while it runs).
    pub conclusion: String,
    /// The event that started it.
    pub event: String,
    /// The jobs whose logs are read, in order.
    pub jobs: Vec<JobInfo>,
}

impl RunInfo {
    /// The job whose log holds stream line `line`.
    pub fn job_at(&self, line: usize) -> Option<&JobInfo> {
        self.jobs
            .iter()
            .find(|j| line >= j.first_line && line < j.first_line + j.lines.max(1))
    }
}

fn api_error(what: &str, e: impl std::fmt::Display) -> InputError {
    InputError::Read {
        path: "--run".into(),
        reason: format!("{what}: {e}"),
    }
}

fn get_json(http: &Http, url: &str, what: &str) -> Result<Value, InputError> {
    let r = http
        .get(url, "application/vnd.github+json")
        .map_err(|e| api_error(what, e))?;
    match r.status {
        200 => r.json().map_err(|e| api_error(what, e)),
        401 | 403 | 404 => Err(api_error(
            what,
            format!(
                "GitHub answered {} (a private repository needs GITHUB_TOKEN or GH_TOKEN with `actions: read`; the run may not exist)",
                r.status
            ),
        )),
        s => Err(api_error(what, format!("GitHub answered {s}"))),
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The run and the jobs to read: the failed ones, or the one the URL names.
pub fn describe(http: &Http, api: &str, r: &RunRef) -> Result<RunInfo, InputError> {
    let base = format!("{api}/repos/{}/{}/actions", r.owner, r.repo);
    let run = get_json(http, &format!("{base}/runs/{}", r.id), "the run")?;
    let mut jobs = Vec::new();
    for page in 1..=10 {
        let doc = get_json(
            http,
            &format!(
                "{base}/runs/{}/jobs?filter=latest&per_page=100&page={page}",
                r.id
            ),
            "the run's jobs",
        )?;
        let listed = doc
            .get("jobs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let done = listed.len() < 100;
        jobs.extend(listed);
        if done {
            break;
        }
    }
    let chosen: Vec<JobInfo> = jobs
        .iter()
        .filter(|j| match r.job {
            Some(id) => j.get("id").and_then(Value::as_u64) == Some(id),
            None => matches!(
                j.get("conclusion").and_then(Value::as_str),
                Some("failure" | "timed_out")
            ),
        })
        .filter_map(|j| {
            Some(JobInfo {
                id: j.get("id")?.as_u64()?,
                name: text(j, "name"),
                conclusion: text(j, "conclusion"),
                url: text(j, "html_url"),
                failed_steps: j
                    .get("steps")
                    .and_then(Value::as_array)
                    .map(|steps| {
                        steps
                            .iter()
                            .filter(|s| {
                                matches!(
                                    s.get("conclusion").and_then(Value::as_str),
                                    Some("failure" | "timed_out")
                                )
                            })
                            .map(|s| text(s, "name"))
                            .collect()
                    })
                    .unwrap_or_default(),
                first_line: 0,
                lines: 0,
            })
        })
        .collect();
    let info = RunInfo {
        url: text(&run, "html_url"),
        name: [text(&run, "name"), text(&run, "display_title")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(": "),
        status: text(&run, "status"),
        conclusion: text(&run, "conclusion"),
        event: text(&run, "event"),
        jobs: chosen,
    };
    if info.jobs.is_empty() {
        return Err(api_error(
            "the run",
            match r.job {
                Some(id) => format!("run {} of {}/{} has no job {id}", r.id, r.owner, r.repo),
                None => format!(
                    "run {} of {}/{} has no failed job (status {}, conclusion {}): nothing to explain",
                    r.id,
                    r.owner,
                    r.repo,
                    info.status,
                    if info.conclusion.is_empty() {
                        "none yet"
                    } else {
                        &info.conclusion
                    }
                ),
            },
        ));
    }
    Ok(info)
}

/// The logs of the run's chosen jobs, one after the other, as one stream; it counts each job's
/// lines so that a line of the stream can be told its job.
pub struct JobLogs<'h> {
    http: &'h Http,
    base: String,
    ids: Vec<u64>,
    next: usize,
    current: Option<Box<dyn Read + Send>>,
    /// Newlines seen so far, and whether the last byte ended a line.
    lines: usize,
    at_line_start: bool,
    /// Per job: the first line, and the lines it had.
    pub spans: Vec<(usize, usize)>,
    /// A job whose log could not be fetched, with why (the others are still read).
    pub unread: Vec<(u64, String)>,
}

impl<'h> JobLogs<'h> {
    /// The logs of `run`'s jobs.
    pub fn new(http: &'h Http, api: &str, r: &RunRef, run: &RunInfo) -> Self {
        JobLogs {
            http,
            base: format!("{api}/repos/{}/{}/actions/jobs", r.owner, r.repo),
            ids: run.jobs.iter().map(|j| j.id).collect(),
            next: 0,
            current: None,
            lines: 0,
            at_line_start: true,
            spans: Vec::new(),
            unread: Vec::new(),
        }
    }

    fn close_span(&mut self) {
        if let Some(last) = self.spans.last_mut() {
            let end = self.lines + usize::from(!self.at_line_start);
            last.1 = end - last.0 + 1;
        }
    }
}

impl Read for JobLogs<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(reader) = &mut self.current {
                let n = reader.read(buf)?;
                if n > 0 {
                    self.lines += buf[..n].iter().filter(|b| **b == b'\n').count();
                    self.at_line_start = buf[n - 1] == b'\n';
                    return Ok(n);
                }
                self.current = None;
                self.close_span();
                if !self.at_line_start {
                    // A log that does not end with a newline: end its last line here, so that
                    // the next job's first line stays its own.
                    self.at_line_start = true;
                    self.lines += 1;
                    buf[0] = b'\n';
                    return Ok(1);
                }
            }
            let Some(&id) = self.ids.get(self.next) else {
                return Ok(0);
            };
            self.next += 1;
            self.spans.push((self.lines + 1, 0));
            match self.http.open(&format!("{}/{id}/logs", self.base), "*/*") {
                Ok(reader) => self.current = Some(reader),
                Err(e) => self.unread.push((id, e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_references() {
        let r = RunRef::parse("https://github.com/acme/widget/actions/runs/42").unwrap();
        assert_eq!(
            (r.owner.as_str(), r.repo.as_str(), r.id, r.job),
            ("acme", "widget", 42, None)
        );
        let r = RunRef::parse("https://ghe.example.com/a/b.c/actions/runs/7/job/9?pr=1#step:3:4")
            .unwrap();
        assert_eq!((r.repo.as_str(), r.id, r.job), ("b.c", 7, Some(9)));
        let r = RunRef::parse("https://github.com/a/b/actions/runs/7/attempts/2").unwrap();
        assert_eq!((r.id, r.job), (7, None));
        assert_eq!(RunRef::parse("a/b/12").unwrap().id, 12);
        for bad in [
            "",
            "a/b",
            "a/b/x",
            "a/b/0",
            "../b/1",
            "a/b/c/1",
            "https://github.com/a/b/pull/3",
            "https://github.com/a/b/actions/runs/x",
            "https://github.com/a/b/actions/runs/1/job/x",
        ] {
            assert!(RunRef::parse(bad).is_err(), "{bad}");
        }
    }
}
