//! A YAML document as a tree of spanned nodes: every key and every value keeps its 1-based
//! position and byte range, so rules can point at the exact key or value to fix.
//!
//! Parsed with serde-saphyr (pure Rust, budget-limited against alias bombs, duplicate keys
//! rejected). The typed view of a workflow is built from this tree by hand, which keeps spans
//! on every `string | map` union GitHub's schema is full of.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

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

fn span_of<T>(s: &Spanned<T>) -> Span {
    let loc = &s.referenced;
    let sp = loc.span();
    let start = sp.byte_offset().unwrap_or(0) as usize;
    let len = sp.byte_len().unwrap_or(0) as usize;
    Span {
        bytes: start..start + len,
        line: loc.line() as usize,
        column: loc.column() as usize,
    }
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

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Spanned<Node>>()? {
            items.push(Item {
                span: span_of(&v),
                node: v.value,
            });
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Spanned<KeyText>>()? {
            let v = map.next_value::<Spanned<Node>>()?;
            let key = Key {
                span: span_of(&k),
                name: k.value.0,
            };
            entries.push((
                key,
                Item {
                    span: span_of(&v),
                    node: v.value,
                },
            ));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A key: any scalar, as text.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<KeyText, A::Error> {
                Err(de::Error::custom("a mapping cannot be a key"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<KeyText, A::Error> {
                Err(de::Error::custom("a sequence cannot be a key"))
            }
        }
        // Asking for a string keeps YAML 1.1 words as text: `on:` is the key "on", not `true`.
        d.deserialize_string(V)
    }
}

/// A YAML syntax error, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line, if known.
    pub line: usize,
    /// 1-based column, if known.
    pub column: usize,
    /// Byte offset, if known.
    pub offset: usize,
    /// What is wrong, in one line.
    pub message: String,
}

/// Parses one YAML document into a spanned tree.
pub fn parse(text: &str) -> Result<Item, YamlError> {
    match serde_saphyr::from_str::<Spanned<Node>>(text) {
        Ok(v) => Ok(Item {
            span: span_of(&v),
            node: v.value,
        }),
        Err(e) => {
            let loc = e.location();
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("invalid YAML").trim();
            // The position is reported on its own; drop serde-saphyr's `error: line L column C: `.
            let first = first.strip_prefix("error: ").unwrap_or(first);
            let first = match first.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
                Some((pos, rest)) if pos.contains(" column ") => rest,
                _ => first,
            }
            .to_owned();
            Err(YamlError {
                line: loc.as_ref().map_or(0, |l| l.line() as usize),
                column: loc.as_ref().map_or(0, |l| l.column() as usize),
                offset: loc
                    .as_ref()
                    .and_then(|l| l.span().byte_offset())
                    .unwrap_or(0) as usize,
                message: first,
            })
        }
    }
}
