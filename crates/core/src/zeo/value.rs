//! The dynamically typed values carried in ZEO messages.

use std::fmt;

/// A decoded (or to-be-encoded) message value: the subset of Python objects
/// that ZEO calls and replies use.
///
/// Codecs never execute anything: a pickled object reference becomes a
/// [`Value::Global`], and an object built from one becomes a
/// [`Value::Object`] holding the class and its constructor arguments/state.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Python `None` / msgpack nil.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer too big for 64 bits: little-endian two's complement bytes,
    /// as pickle's `LONG1`/`LONG4` carry them.
    BigInt(Vec<u8>),
    /// A float.
    Float(f64),
    /// A text string.
    Str(String),
    /// A byte string (Python 2 `str` arrives as this at protocol 0-2).
    Bytes(Vec<u8>),
    /// A tuple (msgpack arrays decode as tuples, as ZEO's `use_list=False`).
    Tuple(Vec<Value>),
    /// A list.
    List(Vec<Value>),
    /// A dict, in wire order.
    Dict(Vec<(Value, Value)>),
    /// A reference to a global, e.g. an exception class `module.name`.
    Global {
        /// The module, e.g. `ZODB.POSException`.
        module: String,
        /// The attribute, e.g. `POSKeyError`.
        name: String,
    },
    /// An object built by calling `class` with `args` (pickle `REDUCE`,
    /// `NEWOBJ`, `INST`, `OBJ`), with the state set by `BUILD`, if any.
    Object {
        /// The class, normally a [`Value::Global`].
        class: Box<Value>,
        /// The constructor arguments.
        args: Vec<Value>,
        /// The `__setstate__`/`__dict__` state, if the pickle had `BUILD`.
        state: Option<Box<Value>>,
    },
}

impl Value {
    /// A text view of `Str`, or of `Bytes` that are UTF-8 (Latin-1 otherwise),
    /// since Python 2 servers send their texts as byte strings.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Bytes(b) => Some(match std::str::from_utf8(b) {
                Ok(s) => s.to_owned(),
                Err(_) => b.iter().map(|&c| c as char).collect(),
            }),
            _ => None,
        }
    }

    /// The integer value of `Int` or `Bool`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// The items of a tuple or list.
    pub fn items(&self) -> Option<&[Value]> {
        match self {
            Value::Tuple(v) | Value::List(v) => Some(v),
            _ => None,
        }
    }

    /// The dotted name of a `Global`, or of the class of an `Object`.
    pub fn class_name(&self) -> Option<String> {
        match self {
            Value::Global { module, name } => Some(format!("{module}.{name}")),
            Value::Object { class, .. } => class.class_name(),
            _ => None,
        }
    }

    /// A short, Python-`str()`-like rendering, for messages to the user.
    pub fn display(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(_) => "<big integer>".into(),
            Value::Float(f) => format!("{f:?}"),
            Value::Str(_) | Value::Bytes(_) => self.text().unwrap_or_default(),
            Value::Tuple(items) | Value::List(items) => {
                let inner: Vec<String> = items.iter().map(Value::repr).collect();
                if matches!(self, Value::Tuple(_)) {
                    if inner.len() == 1 {
                        format!("({},)", inner[0])
                    } else {
                        format!("({})", inner.join(", "))
                    }
                } else {
                    format!("[{}]", inner.join(", "))
                }
            }
            Value::Dict(pairs) => {
                let inner: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.repr(), v.repr()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            Value::Global { .. } => self.class_name().unwrap_or_default(),
            Value::Object { class, args, .. } => {
                let name = class.class_name().unwrap_or_else(|| "object".into());
                let inner: Vec<String> = args.iter().map(Value::repr).collect();
                format!("{name}({})", inner.join(", "))
            }
        }
    }

    /// A Python-`repr()`-like rendering (texts quoted).
    pub fn repr(&self) -> String {
        match self {
            Value::Str(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Value::Bytes(_) => format!("b'{}'", self.text().unwrap_or_default()),
            _ => self.display(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
