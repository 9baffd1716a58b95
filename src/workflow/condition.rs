//! `if:` conditions, evaluated as far as the event that started the run tells: a job guarded by
//! `github.event_name == 'release'` or `startsWith(github.ref, 'refs/tags/')` never runs for a
//! `pull_request`, so the token it would get for that event is not predicted. Anything else
//! (inputs, outputs, variables, status functions) is unknown, and unknown never excludes.
//!
//! GitHub's expression syntax (docs "Evaluate expressions in workflows and actions"):
//! literals, contexts with `.` and `[...]`, `!`, comparisons (strings compared without case),
//! `&&` and `||` (returning an operand), parentheses and function calls.

/// What the run is known to be.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// `github.event_name`.
    pub event: Option<String>,
    /// What `github.ref` starts with (`refs/tags/`, `refs/heads/`), when the trigger says.
    pub ref_prefix: Option<String>,
    /// `github.ref_type` (`tag`, `branch`), when the trigger says.
    pub ref_type: Option<String>,
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// A string known only by its start.
    Prefix(String),
    Unknown,
}

impl Value {
    fn truthy(&self) -> Option<bool> {
        match self {
            Value::Str(s) => Some(!s.is_empty()),
            Value::Num(n) => Some(*n != 0.0 && !n.is_nan()),
            Value::Bool(b) => Some(*b),
            Value::Null => Some(false),
            Value::Prefix(p) => (!p.is_empty()).then_some(true),
            Value::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Op(&'static str),
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' {
            let mut v = String::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return None,
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                        v.push('\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {
                        let ch = s[i..].chars().next()?;
                        v.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            out.push(Tok::Str(v));
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Num(s[start..i].parse().unwrap_or(f64::NAN)));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_-.*".contains(&b[i])) {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].to_owned()));
        } else {
            let two = s.get(i..i + 2).unwrap_or("");
            let op = ["==", "!=", "<=", ">=", "&&", "||"]
                .into_iter()
                .find(|o| *o == two);
            if let Some(op) = op {
                out.push(Tok::Op(op));
                i += 2;
            } else {
                let op = match c {
                    b'!' => "!",
                    b'<' => "<",
                    b'>' => ">",
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    b']' => "]",
                    b',' => ",",
                    _ => return None,
                };
                out.push(Tok::Op(op));
                i += 1;
            }
        }
    }
    Some(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    facts: &'a Facts,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek()
            == Some(&Tok::Op(match op {
                "(" => "(",
                ")" => ")",
                "[" => "[",
                "]" => "]",
                "," => ",",
                "!" => "!",
                _ => return false,
            }))
        {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Option<Value> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Op("||")) {
            self.at += 1;
            let right = self.and()?;
            left = match left.truthy() {
                Some(true) => left,
                Some(false) => right,
                None if right.truthy() == Some(true) => right,
                None => Value::Unknown,
            };
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Value> {
        let mut left = self.cmp()?;
        while self.peek() == Some(&Tok::Op("&&")) {
            self.at += 1;
            let right = self.cmp()?;
            left = match left.truthy() {
                Some(false) => left,
                Some(true) => right,
                None if right.truthy() == Some(false) => right,
                None => Value::Unknown,
            };
        }
        Some(left)
    }

    fn cmp(&mut self) -> Option<Value> {
        let left = self.unary()?;
        let op = match self.peek() {
            Some(Tok::Op(op @ ("==" | "!=" | "<" | "<=" | ">" | ">="))) => *op,
            _ => return Some(left),
        };
        self.at += 1;
        let right = self.unary()?;
        Some(match op {
            "==" => equal(&left, &right).map_or(Value::Unknown, Value::Bool),
            "!=" => equal(&left, &right).map_or(Value::Unknown, |e| Value::Bool(!e)),
            _ => Value::Unknown,
        })
    }

    fn unary(&mut self) -> Option<Value> {
        if self.eat("!") {
            self.depth += 1;
            if self.depth > 64 {
                return None;
            }
            let v = self.unary()?;
            return Some(v.truthy().map_or(Value::Unknown, |t| Value::Bool(!t)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > 256 {
            return None;
        }
        let tok = self.toks.get(self.at)?.clone();
        self.at += 1;
        let mut value = match tok {
            Tok::Str(s) => Value::Str(s),
            Tok::Num(n) => Value::Num(n),
            Tok::Op("(") => {
                let v = self.or()?;
                if !self.eat(")") {
                    return None;
                }
                v
            }
            Tok::Ident(name) if self.peek() == Some(&Tok::Op("(")) => {
                self.at += 1;
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.or()?);
                        if self.eat(")") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                call(&name, &args)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => self.context(&name),
            },
            _ => return None,
        };
        // `x['y']` and `x.y` after a call or a context.
        while self.eat("[") {
            self.or()?;
            if !self.eat("]") {
                return None;
            }
            value = Value::Unknown;
        }
        Some(value)
    }

    fn context(&self, name: &str) -> Value {
        let n = name.to_ascii_lowercase();
        let known = |v: &Option<String>| v.clone().map_or(Value::Unknown, Value::Str);
        match n.as_str() {
            "github.event_name" => known(&self.facts.event),
            "github.ref_type" => known(&self.facts.ref_type),
            "github.ref" => self
                .facts
                .ref_prefix
                .clone()
                .map_or(Value::Unknown, Value::Prefix),
            _ => Value::Unknown,
        }
    }
}

fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.to_lowercase() == y.to_lowercase()),
        (Value::Prefix(p), Value::Str(s)) | (Value::Str(s), Value::Prefix(p)) => {
            (!s.to_lowercase().starts_with(&p.to_lowercase())).then_some(false)
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Num(x), Value::Num(y)) => Some(x == y),
        (Value::Null, Value::Null) => Some(true),
        (Value::Unknown, _)
        | (_, Value::Unknown)
        | (Value::Prefix(_), _)
        | (_, Value::Prefix(_)) => None,
        _ => None,
    }
}

fn call(name: &str, args: &[Value]) -> Value {
    let lower = name.to_ascii_lowercase();
    match (lower.as_str(), args) {
        ("success" | "always", _) => Value::Bool(true),
        ("startswith", [hay, needle]) => match (hay, needle) {
            (Value::Str(h), Value::Str(n)) => {
                Value::Bool(h.to_lowercase().starts_with(&n.to_lowercase()))
            }
            (Value::Prefix(p), Value::Str(n)) => {
                let (p, n) = (p.to_lowercase(), n.to_lowercase());
                if p.starts_with(&n) {
                    Value::Bool(true)
                } else if n.starts_with(&p) {
                    Value::Unknown
                } else {
                    Value::Bool(false)
                }
            }
            _ => Value::Unknown,
        },
        ("contains", [Value::Str(h), Value::Str(n)]) => {
            Value::Bool(h.to_lowercase().contains(&n.to_lowercase()))
        }
        ("endswith", [Value::Str(h), Value::Str(n)]) => {
            Value::Bool(h.to_lowercase().ends_with(&n.to_lowercase()))
        }
        _ => Value::Unknown,
    }
}

/// Whether a job or step with this `if:` can run, given `facts`: `Some(false)` only when the
/// condition is false whatever else is true.
pub fn can_run(condition: &str, facts: &Facts) -> Option<bool> {
    let c = condition.trim();
    let c = c
        .strip_prefix("${{")
        .and_then(|r| r.trim_end().strip_suffix("}}"))
        .unwrap_or(c);
    // A condition with text around an expression is a string, always true.
    if c.contains("${{") {
        return None;
    }
    let toks = lex(c)?;
    let mut p = Parser {
        toks,
        at: 0,
        facts,
        depth: 0,
    };
    let v = p.or()?;
    if p.at != p.toks.len() {
        return None;
    }
    v.truthy()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(event: &str, prefix: Option<&str>) -> Facts {
        Facts {
            event: Some(event.into()),
            ref_prefix: prefix.map(str::to_owned),
            ref_type: None,
        }
    }

    #[test]
    fn event_guards_are_decided() {
        let push_tag = facts("push", Some("refs/tags/"));
        let pr = facts("pull_request", None);
        for (cond, on_push_tag, on_pr) in [
            ("github.event_name == 'release'", Some(false), Some(false)),
            ("github.event_name == 'push'", Some(true), Some(false)),
            (
                "${{ github.event_name != 'pull_request' }}",
                Some(true),
                Some(false),
            ),
            ("startsWith(github.ref, 'refs/tags/')", Some(true), None),
            (
                "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')",
                None,
                Some(false),
            ),
            (
                "github.event_name == 'PUSH' || inputs.publish",
                Some(true),
                None,
            ),
            ("!cancelled() && github.repository == 'o/r'", None, None),
            (
                "success() && github.event_name == 'workflow_dispatch'",
                Some(false),
                Some(false),
            ),
            (
                "github.event.pull_request.head.repo.fork == false",
                None,
                None,
            ),
            ("(github.event_name == 'push')", Some(true), Some(false)),
            ("contains(github.ref, 'refs/tags')", None, None),
        ] {
            assert_eq!(
                can_run(cond, &push_tag),
                on_push_tag,
                "{cond} on a tag push"
            );
            assert_eq!(can_run(cond, &pr), on_pr, "{cond} on a pull request");
        }
    }

    #[test]
    fn malformed_or_hostile_conditions_are_unknown() {
        let f = facts("push", None);
        assert_eq!(can_run("github.event_name == ", &f), None);
        assert_eq!(can_run("'unterminated", &f), None);
        assert_eq!(can_run(&"!".repeat(100_000), &f), None);
        assert_eq!(can_run(&"(".repeat(100_000), &f), None);
        assert_eq!(can_run("release ${{ x }}", &f), None);
    }
}
