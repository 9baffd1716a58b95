//! Where a value comes from: a stored secret, a step's output (an exchanged token), an input,
//! the environment, or a literal. Values reach a command through `env:` at workflow, job and
//! step level (later wins), through `${{ env.X }}`, `$X` and `${X}`, and inside a composite
//! action through `${{ inputs.x }}`.

use std::collections::HashMap;
use std::sync::Arc;

use super::super::yaml::{Item, Key, Span};

/// What a value is made of, as far as the workflow says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `${{ secrets.NAME }}`: a stored credential (except `GITHUB_TOKEN`).
    Secret(String),
    /// `${{ secrets.GITHUB_TOKEN }}` or `${{ github.token }}`: the job's own token.
    GithubToken,
    /// `${{ steps.ID.outputs.NAME }}`: what an earlier step produced.
    StepOutput {
        /// The step id.
        step: String,
        /// The output name.
        output: String,
    },
    /// Any other expression (`vars.X`, `inputs.x`, `matrix.x`, ...): decided at run time.
    Expression(String),
    /// A literal value.
    Literal(String),
    /// Empty.
    Empty,
}

impl Origin {
    /// Whether this is a stored credential.
    pub fn is_secret(&self) -> bool {
        matches!(self, Origin::Secret(_))
    }
}

/// Classifies a value as written, after substitution.
pub fn origin(value: &str) -> Origin {
    let v = value.trim().trim_matches(['"', '\'']);
    if v.is_empty() {
        return Origin::Empty;
    }
    let Some(start) = v.find("${{") else {
        return Origin::Literal(v.to_owned());
    };
    let inner = v[start + 3..]
        .split("}}")
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    // `secrets.X || secrets.Y`, `format(...)`: the first reference decides.
    let first = inner
        .split(|c: char| c.is_whitespace() || "(),|&!=".contains(c))
        .find(|w| w.contains('.'))
        .unwrap_or(inner.as_str())
        .to_owned();
    let parts: Vec<&str> = first.split('.').collect();
    match parts.as_slice() {
        ["secrets", "GITHUB_TOKEN"] | ["github", "token"] => Origin::GithubToken,
        ["secrets", name, ..] => Origin::Secret((*name).to_owned()),
        ["steps", id, "outputs", name, ..] => Origin::StepOutput {
            step: (*id).to_owned(),
            output: (*name).to_owned(),
        },
        _ => Origin::Expression(inner),
    }
}

/// The environment a step sees: workflow, then job, then the outer steps of composite actions,
/// then the step itself; a later definition replaces an earlier one.
///
/// Each level is kept as written with an index by name, shared by every step that sees it: a
/// step's environment costs one entry per level, however large an `env:` is.
#[derive(Debug, Clone, Default)]
pub struct Env<'a> {
    layers: Vec<Layer<'a>>,
}

/// One level of `env:` and its index.
#[derive(Debug, Clone)]
struct Layer<'a> {
    entries: &'a [(Key, Item)],
    index: Arc<Index>,
}

/// Name -> position of its (last) definition in one level.
pub type Index = HashMap<String, usize>;

/// The index of one level of `env:` entries (built once per level and shared).
pub fn index(level: &[(Key, Item)]) -> Arc<Index> {
    let mut index = HashMap::with_capacity(level.len());
    for (i, (k, _)) in level.iter().enumerate() {
        index.insert(k.name.clone(), i);
    }
    Arc::new(index)
}

impl<'a> Env<'a> {
    /// Adds a level of `env:` entries.
    pub fn extend(&mut self, level: &'a [(Key, Item)]) {
        if !level.is_empty() {
            self.extend_indexed(level, index(level));
        }
    }

    /// Adds a level whose [`index`] is already built.
    pub fn extend_indexed(&mut self, level: &'a [(Key, Item)], index: Arc<Index>) {
        if !level.is_empty() {
            self.layers.push(Layer {
                entries: level,
                index,
            });
        }
    }

    /// The entry for `name`.
    pub fn get(&self, name: &str) -> Option<(&'a Key, &'a Item)> {
        self.layers.iter().rev().find_map(|l| {
            l.index.get(name).map(|&i| {
                let (k, v) = &l.entries[i];
                (k, v)
            })
        })
    }

    /// Among `names`, the entry defined first as the step sees them (outer levels first, in
    /// order), with its name.
    pub fn first_of(&self, names: &[&str]) -> Option<(&'a Key, &'a Item)> {
        names
            .iter()
            .filter_map(|n| {
                let (level, l) = self
                    .layers
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, l)| l.index.contains_key(*n))?;
                let i = l.index[*n];
                Some(((level, i), &l.entries[i]))
            })
            .min_by_key(|(at, _)| *at)
            .map(|(_, (k, v))| (k, v))
    }

    /// The value of `name` as text, when it is a non-empty scalar.
    pub fn text(&self, name: &str) -> Option<(String, Span)> {
        self.get(name).and_then(|(_, v)| {
            v.scalar_text()
                .filter(|t| !t.trim().is_empty())
                .map(|t| (t, v.span.clone()))
        })
    }
}

/// `value` with `${{ env.X }}`, `$X`, `${X}` and `${{ inputs.x }}` replaced by what `env` and
/// `inputs` give (an unknown name is left as written). An environment value is itself read
/// through `${{ inputs.x }}` (`TARGET: ${{ inputs.target }}` then `$TARGET`), once.
pub fn substitute(value: &str, env: &Env<'_>, inputs: &[(String, String)]) -> String {
    let expressions = |text: &str| -> String {
        let mut out = text.to_owned();
        let mut from = 0;
        while let Some(i) = out[from..].find("${{") {
            let start = from + i;
            let Some(len) = out[start..].find("}}") else {
                break;
            };
            let inner = out[start + 3..start + len].trim().to_owned();
            let replacement = if let Some(name) = inner.strip_prefix("env.") {
                env.text(name).map(|(t, _)| t)
            } else if let Some(name) = inner.strip_prefix("inputs.") {
                inputs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            } else {
                None
            };
            match replacement {
                // What replaces an expression is not expanded again.
                Some(r) => {
                    out.replace_range(start..start + len + 2, &r);
                    from = start + r.len();
                }
                None => from = start + len + 2,
            }
        }
        out
    };
    let out = expressions(value);
    // `$X` and `${X}` in shell.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find('$') {
        result.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, used) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) if !braced.starts_with('{') => (&braced[..end], end + 2),
                _ => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match (name.is_empty(), env.text(name)) {
            (false, Some((t, _))) => {
                result.push_str(&expressions(&t));
                rest = &after[used..];
            }
            _ => {
                result.push('$');
                rest = after;
            }
        }
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::yaml::{Node, Span};

    fn kv(k: &str, v: &str) -> (Key, Item) {
        (
            Key {
                name: k.into(),
                span: Span::default(),
            },
            Item {
                node: Node::String(v.into()),
                span: Span::default(),
            },
        )
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("${{ secrets.NPM_TOKEN }}"),
            Origin::Secret("NPM_TOKEN".into())
        );
        assert_eq!(origin("${{ secrets.GITHUB_TOKEN }}"), Origin::GithubToken);
        assert_eq!(
            origin("${{ steps.auth.outputs.token }}"),
            Origin::StepOutput {
                step: "auth".into(),
                output: "token".into()
            }
        );
        assert_eq!(
            origin("${{ secrets.A || secrets.B }}"),
            Origin::Secret("A".into())
        );
        assert!(matches!(origin("${{ vars.URL }}"), Origin::Expression(_)));
        assert_eq!(origin(""), Origin::Empty);
        assert_eq!(origin("abc"), Origin::Literal("abc".into()));
    }

    #[test]
    fn substitution_follows_env_and_inputs() {
        let level = vec![
            kv("SOURCE", "https://api.nuget.org/v3/index.json"),
            kv("KEY", "${{ steps.login.outputs.NUGET_API_KEY }}"),
            kv("TARGET", "${{ inputs.target }}"),
        ];
        let mut env = Env::default();
        env.extend(&level);
        let inputs = vec![
            ("dir".to_owned(), "pkg".to_owned()),
            ("target".to_owned(), "release".to_owned()),
        ];
        assert_eq!(
            substitute("yarn publish:$TARGET", &env, &inputs),
            "yarn publish:release"
        );
        assert_eq!(
            substitute(
                "push -s $SOURCE -k ${KEY} ${{ inputs.dir }} $UNKNOWN ${{ env.SOURCE }}",
                &env,
                &inputs
            ),
            "push -s https://api.nuget.org/v3/index.json -k ${{ steps.login.outputs.NUGET_API_KEY }} pkg $UNKNOWN https://api.nuget.org/v3/index.json"
        );
    }
}
