//! A YAML document as a tree of spanned nodes: every key and every value keeps its 1-based
//! position and byte range, so rules can point at the exact key or value to fix.
//!
//! Built from the events of granit-parser (the pure-Rust, fuzzed YAML 1.2 parser under
//! serde-saphyr): going through serde's `Spanned` wrappers cost three quarters of `check`'s time.
//! Aliases are expanded under a budget of nodes and of bytes (no "billion laughs", even of long
//! strings), nesting is bounded, and
//! duplicate keys are errors, as GitHub treats them. The typed view of a workflow is built from
//! this tree by hand, which keeps spans on every `string | map` union GitHub's schema has.

use std::ops::Range;

/// A YAML node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `~`, `null` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Item>),
    /// A mapping, in document order.
    Map(Vec<(Key, Item)>),
}

/// Where a node or key is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Span {
    /// Byte range in the document.
    pub bytes: Range<usize>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A node with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The node.
    pub node: Node,
    /// Where it is (for a block mapping, serde-saphyr points at its first key).
    pub span: Span,
}

/// A mapping key with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as text (scalars of any type become their text).
    pub name: String,
    /// Where the key is.
    pub span: Span,
}

impl Item {
    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.node {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar as text (strings, numbers, booleans).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.node {
            Node::String(s) | Node::Number(s) => Some(s.clone()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Item)]> {
        match &self.node {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Item]> {
        match &self.node {
            Node::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The entry for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<(&Key, &Item)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    /// The value for `key` in a mapping.
    pub fn value(&self, key: &str) -> Option<&Item> {
        self.get(key).map(|(_, v)| v)
    }
}

/// The most nodes one document may hold, every copy counted: an alias copies the anchored
/// node, and an anchor keeps a copy of its node for later aliases, so a few lines can otherwise
/// expand exponentially ("billion laughs") or multiply with each level of anchors nested in
/// anchors. Each node held costs about 100 bytes here and as much again in the workflow
/// model built from it: 250,000 bound the tree and the model to some 50 MB, and are 25 times
/// the nodes of the largest of 145 real release workflows.
pub const MAX_NODES: usize = 250_000;

/// The most bytes of text (scalars and keys) one document may hold, every copy counted. The
/// node budget alone does not bound memory: ten 1 KB strings aliased over and over stay under
/// the node budget and take a gigabyte. 8 MiB is 8 times the largest workflow file read.
pub const MAX_EXPANDED_BYTES: usize = 8 * 1024 * 1024;

/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// A YAML syntax error, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line, if known (0 otherwise).
    pub line: usize,
    /// 1-based column, if known (0 otherwise).
    pub column: usize,
    /// Byte offset, if known.
    pub offset: usize,
    /// What is wrong, in one line.
    pub message: String,
}

fn span_of(text: &str, s: &granit_parser::Span) -> Span {
    let start = s
        .start
        .byte_offset()
        .unwrap_or_else(|| char_to_byte(text, s.start.index()));
    let end = s
        .end
        .byte_offset()
        .unwrap_or_else(|| char_to_byte(text, s.end.index()))
        .max(start);
    Span {
        bytes: start..end,
        line: s.start.line(),
        column: s.start.col() + 1,
    }
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

fn error_at(text: &str, marker: &granit_parser::Marker, message: impl Into<String>) -> YamlError {
    YamlError {
        line: marker.line(),
        column: marker.col() + 1,
        offset: marker
            .byte_offset()
            .unwrap_or_else(|| char_to_byte(text, marker.index())),
        message: message.into(),
    }
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn plain_scalar(v: &str) -> Node {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => Node::Null,
        "true" | "True" | "TRUE" => Node::Bool(true),
        "false" | "False" | "FALSE" => Node::Bool(false),
        _ if is_number(v) => Node::Number(v.to_owned()),
        _ => Node::String(v.to_owned()),
    }
}

fn is_number(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(hex) = v.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(oct) = v.strip_prefix("0o") {
        return !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if matches!(
        v,
        ".inf" | ".Inf" | ".INF" | "-.inf" | "+.inf" | ".nan" | ".NaN" | ".NAN"
    ) {
        return true;
    }
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() || digits(int))
                && (frac.is_empty() || digits(frac))
                && !(int.is_empty() && frac.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// A collection being built.
enum Open {
    Seq {
        items: Vec<Item>,
        span: Span,
        anchor: usize,
    },
    Map {
        entries: OpenMap,
        pending: Option<Key>,
        span: Span,
        anchor: usize,
    },
}

/// The entries of a mapping being built, indexed by key so that a mapping of any size is
/// checked for duplicates in linear time (a 1 MiB mapping holds 150,000 keys).
#[derive(Default)]
struct OpenMap {
    /// Entries in document order; `None` where a merged entry was overridden later.
    entries: Vec<Option<(Key, Item)>>,
    /// Key name -> its entry.
    index: std::collections::HashMap<String, usize>,
    /// Names that came from a `<<` merge and were not set explicitly (yet).
    merged: std::collections::HashSet<String>,
}

impl OpenMap {
    fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    fn push(&mut self, key: Key, item: Item) {
        if key.name != "<<" {
            self.index.insert(key.name.clone(), self.entries.len());
        }
        self.entries.push(Some((key, item)));
    }

    /// Drops the entry a merge brought in under `name`, if there is one: an explicit key
    /// overrides it. Returns whether there was one.
    fn drop_merged(&mut self, name: &str) -> bool {
        if !self.merged.remove(name) {
            return false;
        }
        if let Some(i) = self.index.remove(name) {
            self.entries[i] = None;
        }
        true
    }

    fn finish(self) -> Vec<(Key, Item)> {
        self.entries.into_iter().flatten().collect()
    }
}

/// Builds the tree from parser events.
struct Builder<'t> {
    text: &'t str,
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, (Item, Weight)>,
    nodes: usize,
    bytes: usize,
    root: Option<Item>,
}

/// What a node costs: how many nodes, and how many bytes of text, it holds.
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    nodes: usize,
    bytes: usize,
}

fn weight(item: &Item) -> Weight {
    let mut w = Weight { nodes: 1, bytes: 0 };
    match &item.node {
        Node::Seq(items) => {
            for i in items {
                let iw = weight(i);
                w.nodes = w.nodes.saturating_add(iw.nodes);
                w.bytes = w.bytes.saturating_add(iw.bytes);
            }
        }
        Node::Map(entries) => {
            for (k, v) in entries {
                let vw = weight(v);
                w.nodes = w.nodes.saturating_add(1).saturating_add(vw.nodes);
                w.bytes = w
                    .bytes
                    .saturating_add(k.name.len())
                    .saturating_add(vw.bytes);
            }
        }
        Node::String(t) | Node::Number(t) => w.bytes = t.len(),
        Node::Null | Node::Bool(_) => {}
    }
    w
}

impl Builder<'_> {
    fn count(&mut self, w: Weight, at: &granit_parser::Marker) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(w.nodes);
        self.bytes = self.bytes.saturating_add(w.bytes);
        if self.nodes > MAX_NODES {
            return Err(error_at(
                self.text,
                at,
                format!(
                    "the document holds more than {MAX_NODES} nodes once aliases are expanded (aliases copying aliases?)"
                ),
            ));
        }
        if self.bytes > MAX_EXPANDED_BYTES {
            return Err(error_at(
                self.text,
                at,
                format!(
                    "the document holds more than {MAX_EXPANDED_BYTES} bytes of text once aliases are expanded (aliases copying aliases?)"
                ),
            ));
        }
        Ok(())
    }

    /// Places a finished node: as the root, a sequence item, a mapping key or a mapping value.
    fn place(
        &mut self,
        item: Item,
        anchor: usize,
        at: &granit_parser::Marker,
    ) -> Result<(), YamlError> {
        if anchor != 0 {
            // The copy kept for later aliases is memory too: charged like any other node, so
            // anchors nested in anchors (each level keeping its own copy) stay within budget.
            let w = weight(&item);
            self.count(w, at)?;
            self.anchors.insert(anchor, (item.clone(), w));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(item);
                }
            }
            Some(Open::Seq { items, .. }) => items.push(item),
            Some(Open::Map {
                entries, pending, ..
            }) => match pending.take() {
                None => {
                    let name = match &item.node {
                        Node::String(s) | Node::Number(s) => s.clone(),
                        Node::Bool(b) => b.to_string(),
                        Node::Null => String::new(),
                        Node::Seq(_) | Node::Map(_) => {
                            return Err(error_at(self.text, at, "a mapping key must be a scalar"));
                        }
                    };
                    // An explicit key overrides the one a merge brought in; any other key
                    // seen twice is an error.
                    if !entries.drop_merged(&name) && name != "<<" && entries.contains(&name) {
                        return Err(error_at(self.text, at, format!("duplicate key `{name}`")));
                    }
                    *pending = Some(Key {
                        name,
                        span: item.span,
                    });
                }
                Some(key) if key.name == "<<" => {
                    // A merge key: entries of the merged mapping(s) that are not already set.
                    let sources: Vec<Item> = match item.node {
                        Node::Map(_) => vec![item],
                        Node::Seq(list) => list,
                        _ => {
                            return Err(error_at(
                                self.text,
                                at,
                                "`<<` takes a mapping or a list of mappings",
                            ));
                        }
                    };
                    for source in sources {
                        if let Node::Map(merged) = source.node {
                            for (k, v) in merged {
                                if !entries.contains(&k.name) {
                                    entries.merged.insert(k.name.clone());
                                    entries.push(k, v);
                                }
                            }
                        }
                    }
                }
                Some(key) => entries.push(key, item),
            },
        }
        Ok(())
    }
}

/// Parses the first YAML document of `text` into a spanned tree.
pub fn parse(text: &str) -> Result<Item, YamlError> {
    let mut builder = Builder {
        text,
        stack: Vec::new(),
        anchors: std::collections::HashMap::new(),
        nodes: 0,
        bytes: 0,
        root: None,
    };
    let options = granit_parser::Options::default();
    let parser = granit_parser::Parser::new_from_str_with_options(text, options);
    let mut documents = 0;
    for event in parser {
        let (event, span) = event.map_err(|e| error_at(text, e.marker(), e.info()))?;
        let here = span_of(text, &span);
        use granit_parser::Event as E;
        match event {
            E::StreamStart | E::StreamEnd => {}
            E::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    break;
                }
            }
            E::DocumentEnd => {}
            E::Scalar(value, style, anchor, _tag) => {
                builder.count(
                    Weight {
                        nodes: 1,
                        bytes: value.len(),
                    },
                    &span.start,
                )?;
                let node = if style == granit_parser::ScalarStyle::Plain {
                    plain_scalar(&value)
                } else {
                    Node::String(value.into_owned())
                };
                builder.place(Item { node, span: here }, anchor, &span.start)?;
            }
            E::SequenceStart(_, anchor, _) | E::MappingStart(_, anchor, _) => {
                builder.count(Weight { nodes: 1, bytes: 0 }, &span.start)?;
                if builder.stack.len() >= MAX_DEPTH {
                    return Err(error_at(
                        text,
                        &span.start,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                builder
                    .stack
                    .push(if matches!(event, E::SequenceStart(..)) {
                        Open::Seq {
                            items: Vec::new(),
                            span: here,
                            anchor,
                        }
                    } else {
                        Open::Map {
                            entries: OpenMap::default(),
                            pending: None,
                            span: here,
                            anchor,
                        }
                    });
            }
            E::SequenceEnd | E::MappingEnd => {
                let (item, anchor) = match builder.stack.pop() {
                    Some(Open::Seq {
                        items,
                        span,
                        anchor,
                    }) => (
                        Item {
                            node: Node::Seq(items),
                            span,
                        },
                        anchor,
                    ),
                    Some(Open::Map {
                        entries,
                        span,
                        anchor,
                        ..
                    }) => (
                        Item {
                            node: Node::Map(entries.finish()),
                            span,
                        },
                        anchor,
                    ),
                    None => return Err(error_at(text, &span.start, "unbalanced collection end")),
                };
                builder.place(item, anchor, &span.start)?;
            }
            E::Alias(id) => {
                let Some(&(_, w)) = builder.anchors.get(&id) else {
                    return Err(error_at(text, &span.start, "alias to an unknown anchor"));
                };
                // Charged before it is copied: a copy over budget is never made.
                builder.count(w, &span.start)?;
                let item = builder.anchors[&id].0.clone();
                builder.place(
                    Item {
                        node: item.node,
                        span: here,
                    },
                    0,
                    &span.start,
                )?;
            }
            _ => {}
        }
    }
    Ok(builder.root.unwrap_or(Item {
        node: Node::Null,
        span: Span::default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_keep_their_positions_and_text() {
        let doc = parse("on:\n  push:\npython: 3.10\nname: \"é\"\nx: yes\n").unwrap();
        let (key, _) = doc.get("on").unwrap();
        assert_eq!(
            (key.span.line, key.span.column, key.span.bytes.clone()),
            (1, 1, 0..2)
        );
        assert_eq!(
            doc.value("python").unwrap().node,
            Node::Number("3.10".into())
        );
        assert_eq!(
            doc.value("x").unwrap().node,
            Node::String("yes".into()),
            "YAML 1.2: `yes` is a string"
        );
        let name = doc.value("name").unwrap();
        assert_eq!(name.as_str(), Some("é"));
        assert_eq!(name.span.column, 7);
    }

    #[test]
    fn crlf_lines_give_the_same_columns() {
        let doc = parse("jobs:\r\n  build:\r\n    environment: pypi\r\n").unwrap();
        let build = doc.value("jobs").unwrap();
        let (key, value) = build.value("build").unwrap().get("environment").unwrap();
        assert_eq!((key.span.line, key.span.column), (3, 5));
        assert_eq!((value.span.line, value.span.column), (3, 18));
    }

    #[test]
    fn anchors_aliases_and_merge_keys_are_expanded() {
        let doc = parse(
            "base: &b\n  runs-on: ubuntu\n  env: {A: 1}\njob:\n  <<: *b\n  env: {B: 2}\ncopy: *b\n",
        )
        .unwrap();
        let job = doc.value("job").unwrap();
        assert_eq!(job.value("runs-on").unwrap().as_str(), Some("ubuntu"));
        assert!(
            job.value("env").unwrap().value("B").is_some(),
            "an explicit key wins over a merged one"
        );
        assert_eq!(
            doc.value("copy")
                .unwrap()
                .value("runs-on")
                .unwrap()
                .as_str(),
            Some("ubuntu")
        );
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
            doc.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = name;
        }
        let start = std::time::Instant::now();
        let err = parse(&doc).unwrap_err();
        assert!(err.message.contains("more than"), "{}", err.message);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn an_alias_bomb_of_long_strings_is_refused_by_its_size() {
        // 60 KB of text, under a million nodes once expanded, but a gigabyte of strings.
        let long = format!("\"{}\"", "x".repeat(1000));
        let mut doc = format!("a: &a [{}]\n", vec![long; 10].join(", "));
        let mut prev = 'a';
        for name in ['b', 'c', 'd', 'e', 'f'] {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            doc.push_str(&format!("{name}: &{name} [{refs}]\n"));
            prev = name;
        }
        let start = std::time::Instant::now();
        let err = parse(&doc).unwrap_err();
        assert!(err.message.contains("bytes of text"), "{}", err.message);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for doc in [
            "[".repeat(100_000),
            "a:\n".to_owned() + &" - ".repeat(5_000),
            "{a: ".repeat(50_000),
        ] {
            assert!(parse(&doc).is_err());
        }
    }

    #[test]
    fn duplicate_keys_are_errors_with_their_position() {
        let err = parse("jobs:\n  a: 1\n  a: 2\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 3));
        assert!(err.message.contains("duplicate key `a`"));
    }

    #[test]
    fn only_the_first_document_counts() {
        let doc = parse("---\non: push\n...\n---\non: pull_request\n").unwrap();
        assert_eq!(doc.value("on").unwrap().as_str(), Some("push"));
        assert_eq!(parse("").unwrap().node, Node::Null);
    }

    #[test]
    fn numbers_are_recognised_by_the_core_schema() {
        for n in ["1", "-2", "3.10", ".5", "1e3", "0x1F", "0o17", ".inf"] {
            assert!(is_number(n), "{n}");
        }
        for s in ["1.2.3", "v1", "1e", "0x", "-", ".", "e3"] {
            assert!(!is_number(s), "{s}");
        }
    }
}
