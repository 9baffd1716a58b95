//! Environment deployment policies: which refs an environment admits, and which refs run the
//! publishing workflow.
//!
//! GitHub's policies: none (`deployment_branch_policy: null`, every ref), protected branches
//! only (no tags), or custom name patterns, each for branches or for tags. Patterns use
//! fnmatch syntax where `*` does not match `/` (GitHub's docs: "release/*/*"), `**` matches
//! anything, `?` one character, `[...]` a class.

use super::workflow::Triggers;

/// A branch or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A branch.
    Branch,
    /// A tag.
    Tag,
}

impl RefKind {
    /// `branch` or `tag`, as GitHub's API writes it.
    pub fn id(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
        }
    }
}

/// A ref that runs the publishing workflow, and how we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerRef {
    /// Branch or tag.
    pub kind: RefKind,
    /// Its short name (`main`, `v1.2.0`).
    pub name: String,
    /// Why it counts (`run 123`, `workflow_dispatch on the default branch`).
    pub origin: String,
}

impl TriggerRef {
    /// `refs/heads/main` or `refs/tags/v1`.
    pub fn full(&self) -> String {
        match self.kind {
            RefKind::Branch => format!("refs/heads/{}", self.name),
            RefKind::Tag => format!("refs/tags/{}", self.name),
        }
    }
}

/// One custom policy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRule {
    /// The name pattern.
    pub pattern: String,
    /// Whether it admits branches or tags.
    pub kind: RefKind,
}

/// An environment's deployment policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchPolicy {
    /// Any branch or tag.
    All,
    /// Protected branches only.
    ProtectedBranches,
    /// The listed patterns.
    Custom(Vec<PolicyRule>),
}

impl BranchPolicy {
    /// Whether the policy admits `r`; `protected` says whether a branch is protected, and is
    /// asked only for a protected-branches policy (`None` from it means unknown).
    pub fn admits(&self, r: &TriggerRef, protected: impl Fn(&str) -> Option<bool>) -> Option<bool> {
        match self {
            BranchPolicy::All => Some(true),
            BranchPolicy::ProtectedBranches => match r.kind {
                RefKind::Tag => Some(false),
                RefKind::Branch => protected(&r.name),
            },
            BranchPolicy::Custom(rules) => Some(
                rules
                    .iter()
                    .any(|rule| rule.kind == r.kind && glob(&rule.pattern, &r.name)),
            ),
        }
    }
}

/// fnmatch-style matching where `*` and `?` do not cross `/`, `**` does. Backtracking is
/// bounded: a pathological pattern gives up (no match) instead of running for ever.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let budget = std::cell::Cell::new(100_000u32);
    matches(&p, &n, &budget)
}

fn matches(p: &[char], n: &[char], budget: &std::cell::Cell<u32>) -> bool {
    if budget.get() == 0 {
        return false;
    }
    budget.set(budget.get() - 1);
    let depth = budget;
    match p.first() {
        None => n.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            (0..=n.len()).any(|i| matches(rest, &n[i..], depth))
        }
        Some('*') => {
            let rest = &p[1..];
            let limit = n.iter().position(|&c| c == '/').unwrap_or(n.len());
            (0..=limit).any(|i| matches(rest, &n[i..], depth))
        }
        Some('?') => n.first().is_some_and(|&c| c != '/') && matches(&p[1..], &n[1..], depth),
        Some('[') => match (class_end(p), n.first()) {
            (Some(end), Some(&c)) => {
                class_has(&p[1..end], c) && matches(&p[end + 1..], &n[1..], depth)
            }
            (Some(_), None) => false,
            (None, _) => n.first() == Some(&'[') && matches(&p[1..], &n[1..], depth),
        },
        Some(&lit) => n.first() == Some(&lit) && matches(&p[1..], &n[1..], depth),
    }
}

fn class_end(p: &[char]) -> Option<usize> {
    let start = if matches!(p.get(1), Some('!' | '^')) {
        2
    } else {
        1
    };
    // A `]` right after the opening is a member.
    p.iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, c)| **c == ']')
        .map(|(i, _)| i)
}

fn class_has(body: &[char], c: char) -> bool {
    let (negated, body) = match body.first() {
        Some('!' | '^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut found = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == '-' {
            found |= body[i] <= c && c <= body[i + 2];
            i += 3;
        } else {
            found |= body[i] == c;
            i += 1;
        }
    }
    found != negated
}

/// A run of the publishing workflow, as far as refs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    /// The run id.
    pub id: u64,
    /// `push`, `release`, `workflow_dispatch`, ...
    pub event: String,
    /// The branch, or for tag-triggered runs the tag.
    pub head_branch: String,
}

/// The refs that run the publishing workflow: the tags of recent tag-triggered runs (the
/// releases; at most 10), and the default branch when the workflow is dispatched or pushed
/// from it.
/// A push run counts as a tag run when its ref matches the workflow's `tags:` filters and not
/// its `branches:` filters (the runs API does not say which it was).
pub fn trigger_refs(
    triggers: Option<&Triggers>,
    runs: &[RunRef],
    default_branch: &str,
) -> Vec<TriggerRef> {
    let mut refs: Vec<TriggerRef> = Vec::new();
    let mut add = |kind, name: &str, origin: String| {
        if !name.is_empty()
            && !refs.iter().any(|r| r.kind == kind && r.name == name)
            && refs.iter().filter(|r| r.kind == kind).count() < 10
        {
            refs.push(TriggerRef {
                kind,
                name: name.to_owned(),
                origin,
            });
        }
    };
    let push = triggers.and_then(|t| t.push.as_ref());
    let any = |pats: Option<&Vec<String>>, name: &str| {
        pats.is_some_and(|ps| ps.iter().any(|p| glob(p, name)))
    };
    for run in runs {
        let tag = match run.event.as_str() {
            "release" => true,
            "push" => push.is_some_and(|f| {
                any(f.tags.as_ref(), &run.head_branch)
                    && !any(f.branches.as_ref(), &run.head_branch)
            }),
            _ => false,
        };
        if tag {
            add(
                RefKind::Tag,
                &run.head_branch,
                format!("run {}, {}", run.id, run.event),
            );
        } else if run.head_branch == default_branch {
            add(
                RefKind::Branch,
                &run.head_branch,
                format!("run {}, {}", run.id, run.event),
            );
        }
    }
    if let Some(t) = triggers {
        if t.workflow_dispatch {
            add(
                RefKind::Branch,
                default_branch,
                "workflow_dispatch on the default branch".into(),
            );
        }
        if let Some(f) = push
            && f.branches
                .as_ref()
                .is_some_and(|b| b.iter().any(|p| glob(p, default_branch)))
        {
            add(
                RefKind::Branch,
                default_branch,
                "push to the default branch".into(),
            );
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_as_github_documents_them() {
        assert!(glob("v*", "v1.2.0"));
        assert!(!glob("release/*", "release/1/hotfix"));
        assert!(glob("release/*/*", "release/1/hotfix"));
        assert!(glob("release/**", "release/1/hotfix"));
        assert!(glob("v[0-9].?", "v1.x"));
        assert!(!glob("v[!0-9]*", "v1"));
        assert!(glob("main", "main") && !glob("main", "mainline"));
        // Exponential backtracking is cut short.
        let start = std::time::Instant::now();
        assert!(!glob(&format!("{}b", "*a".repeat(30)), &"a".repeat(60)));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    fn tag(name: &str) -> TriggerRef {
        TriggerRef {
            kind: RefKind::Tag,
            name: name.into(),
            origin: String::new(),
        }
    }

    #[test]
    fn policies_admit_refs() {
        let custom = BranchPolicy::Custom(vec![
            PolicyRule {
                pattern: "main".into(),
                kind: RefKind::Branch,
            },
            PolicyRule {
                pattern: "v*".into(),
                kind: RefKind::Tag,
            },
        ]);
        assert_eq!(custom.admits(&tag("v1"), |_| None), Some(true));
        assert_eq!(custom.admits(&tag("main"), |_| None), Some(false));
        assert_eq!(
            BranchPolicy::ProtectedBranches.admits(&tag("v1"), |_| Some(true)),
            Some(false)
        );
        assert_eq!(BranchPolicy::All.admits(&tag("v1"), |_| None), Some(true));
    }

    #[test]
    fn tag_runs_and_the_dispatch_branch_are_the_trigger_refs() {
        let w = super::super::workflow::WorkflowFile::new(
            "w".into(),
            "main".into(),
            "u".into(),
            "on:\n  push:\n    tags: ['v*']\n  workflow_dispatch: {}\n".into(),
        );
        let runs = vec![
            RunRef {
                id: 2,
                event: "push".into(),
                head_branch: "v1.0.0".into(),
            },
            RunRef {
                id: 1,
                event: "workflow_dispatch".into(),
                head_branch: "feature".into(),
            },
        ];
        let refs = trigger_refs(w.triggers().as_ref(), &runs, "main");
        let names: Vec<String> = refs.iter().map(TriggerRef::full).collect();
        assert_eq!(names, ["refs/tags/v1.0.0", "refs/heads/main"]);
    }
}
