//! A TOML document as a tree that keeps the byte span of every key and value.
//!
//! `toml::Spanned<T>` cannot wrap a table that has no header of its own (the
//! `server` in `[server.zeoraid]`), so this tree asks the deserializer for
//! spans itself, using the protocol names it reads off `toml::Spanned` and
//! `toml::value::Datetime`, and falls back to "no span" where there is none.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A value and, where the document has one, its byte span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub span: Option<Range<usize>>,
    pub value: Value,
}

/// The kinds of TOML values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    Datetime,
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

/// One `key = value` of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Option<Range<usize>>,
    pub node: Node,
}

impl Value {
    /// "a string", "a table", … for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Datetime => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Parses a TOML document into a spanned tree.
pub(crate) fn parse(text: &str) -> Result<Node, toml::de::Error> {
    let root: Node = toml::from_str(text)?;
    Ok(root)
}

/// The struct name and fields a type asks for in `deserialize_struct`.
type Protocol = (&'static str, &'static [&'static str]);

fn spanned_protocol() -> Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    *P.get_or_init(|| capture(|d| toml::Spanned::<()>::deserialize(d).map(drop)))
}

fn datetime_protocol() -> Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    *P.get_or_init(|| capture(|d| toml::value::Datetime::deserialize(d).map(drop)))
}

fn capture(f: impl FnOnce(Capture) -> Result<(), Captured>) -> Protocol {
    match f(Capture) {
        Err(Captured(Some(protocol))) => protocol,
        _ => ("", &[]),
    }
}

/// A deserializer that only records what `deserialize_struct` was asked for.
struct Capture;

#[derive(Debug)]
struct Captured(Option<Protocol>);

impl fmt::Display for Captured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("protocol capture")
    }
}

impl std::error::Error for Captured {}

impl de::Error for Captured {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Captured(None)
    }
}

impl<'de> Deserializer<'de> for Capture {
    type Error = Captured;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Captured> {
        Err(Captured(None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Captured> {
        Err(Captured(Some((name, fields))))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let (name, fields) = spanned_protocol();
        d.deserialize_struct(name, fields, NodeVisitor)
    }
}

/// A node read without asking for its span (the value inside a span).
struct Bare(Node);

impl<'de> Deserialize<'de> for Bare {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bare, D::Error> {
        d.deserialize_any(NodeVisitor).map(Bare)
    }
}

/// A table key and, where available, its span.
struct Key(String, Option<Range<usize>>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        let (name, fields) = spanned_protocol();
        d.deserialize_struct(name, fields, KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.to_owned(), None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        let first = map.next_key::<String>()?;
        if first.as_deref() != spanned_protocol().1.first().copied() {
            return Err(de::Error::custom("malformed spanned key"));
        }
        let start = map.next_value::<usize>()?;
        let (span, name) = spanned_rest::<A, String>(&mut map, start)?;
        Ok(Key(name, Some(span)))
    }
}

/// Reads the rest of a spanned map whose `start` entry was consumed: its
/// `end` and its `value`.
fn spanned_rest<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    start: usize,
) -> Result<(Range<usize>, T), A::Error> {
    let fields = spanned_protocol().1;
    let mut end = None;
    let mut value = None;
    while let Some(key) = map.next_key::<String>()? {
        if fields.get(1) == Some(&key.as_str()) {
            end = Some(map.next_value::<usize>()?);
        } else if fields.get(2) == Some(&key.as_str()) {
            value = Some(map.next_value::<T>()?);
        } else {
            return Err(de::Error::custom("malformed spanned value"));
        }
    }
    match (end, value) {
        (Some(end), Some(value)) => Ok((start..end, value)),
        _ => Err(de::Error::custom("malformed spanned value")),
    }
}

struct NodeVisitor;

fn bare(value: Value) -> Node {
    Node { span: None, value }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(bare(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(bare(Value::Int(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(bare(Value::Int(i64::try_from(v).unwrap_or(i64::MAX))))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(bare(Value::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(bare(Value::Str(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(bare(Value::Str(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(bare(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let Some(Key(first, first_span)) = map.next_key::<Key>()? else {
            return Ok(bare(Value::Table(Vec::new())));
        };
        let (span_fields, datetime_fields) = (spanned_protocol().1, datetime_protocol().1);
        if span_fields.first() == Some(&first.as_str()) {
            let start = map.next_value::<usize>()?;
            let (span, Bare(inner)) = spanned_rest::<A, Bare>(&mut map, start)?;
            return Ok(Node {
                span: Some(span),
                value: inner.value,
            });
        }
        if datetime_fields.first() == Some(&first.as_str()) {
            map.next_value::<de::IgnoredAny>()?;
            return Ok(bare(Value::Datetime));
        }
        let mut entries = vec![Entry {
            key: first,
            key_span: first_span,
            node: map.next_value::<Node>()?,
        }];
        while let Some(Key(key, key_span)) = map.next_key::<Key>()? {
            let node = map.next_value::<Node>()?;
            entries.push(Entry {
                key,
                key_span,
                node,
            });
        }
        Ok(bare(Value::Table(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(node: &Node) -> &[Entry] {
        match &node.value {
            Value::Table(entries) => entries,
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn protocols_are_found() {
        assert!(!spanned_protocol().0.is_empty());
        assert_eq!(spanned_protocol().1.len(), 3);
        assert!(!datetime_protocol().1.is_empty());
    }

    #[test]
    fn keeps_spans_of_keys_and_values_in_implicit_tables() {
        let text = "[server.a]\npack = \"x\"\nflag = true\nwhen = 1979-05-27\n\
                    [deployment]\nd.name = 'n'\nlist = [1, 2.5]\n";
        let root = parse(text).unwrap();
        let top = table(&root);
        assert_eq!(top[0].key, "server");
        let a = &table(&top[0].node)[0];
        assert_eq!(a.key, "a");
        assert_eq!(&text[a.key_span.clone().unwrap()], "a");
        let entries = table(&a.node);
        assert_eq!(&text[entries[0].key_span.clone().unwrap()], "pack");
        assert_eq!(&text[entries[0].node.span.clone().unwrap()], "\"x\"");
        assert_eq!(entries[0].node.value, Value::Str("x".into()));
        assert_eq!(entries[1].node.value, Value::Bool(true));
        assert_eq!(entries[2].node.value, Value::Datetime);
        let d = &table(&top[1].node)[0];
        assert_eq!(&text[d.key_span.clone().unwrap()], "d");
        let name = &table(&d.node)[0];
        assert_eq!(&text[name.node.span.clone().unwrap()], "'n'");
        match &table(&top[1].node)[1].node.value {
            Value::Array(items) => assert_eq!(items[1].value, Value::Float(2.5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn syntax_errors_have_spans() {
        let err = parse("[server.x]\npack = \"a\n").unwrap_err();
        assert!(err.span().is_some());
    }
}
