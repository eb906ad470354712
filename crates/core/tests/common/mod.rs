//! Helpers shared by the codec tests: value generators, comparisons and
//! the bounds check on hostile input.
#![allow(dead_code)]

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use zeoraid_core::zeo::error::{CodecError, Limits};
use zeoraid_core::zeo::value::Value;

/// Equality with floats compared bit for bit (so NaN equals itself).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Tuple(x), Value::Tuple(y)) | (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
        }
        (
            Value::Object {
                class: ca,
                args: aa,
                state: sa,
            },
            Value::Object {
                class: cb,
                args: ab,
                state: sb,
            },
        ) => {
            same(ca, cb)
                && aa.len() == ab.len()
                && aa.iter().zip(ab).all(|(a, b)| same(a, b))
                && match (sa, sb) {
                    (None, None) => true,
                    (Some(a), Some(b)) => same(a, b),
                    _ => false,
                }
        }
        _ => a == b,
    }
}

/// Asserts [`same`], showing both values when they differ.
pub fn assert_same(actual: &Value, expected: &Value) {
    assert!(
        same(actual, expected),
        "\n  actual: {actual:?}\nexpected: {expected:?}"
    );
}

/// Container nesting of a value (0 for scalars), as the limits count it.
pub fn depth(value: &Value) -> usize {
    let children = children(value);
    if children.is_empty() && !is_container(value) {
        0
    } else {
        1 + children.iter().map(|c| depth(c)).max().unwrap_or(0)
    }
}

/// Number of values in a tree, as the limits count them.
pub fn count(value: &Value) -> usize {
    1 + children(value).iter().map(|c| count(c)).sum::<usize>()
}

fn is_container(value: &Value) -> bool {
    matches!(
        value,
        Value::Tuple(_) | Value::List(_) | Value::Dict(_) | Value::Object { .. }
    )
}

fn children(value: &Value) -> Vec<&Value> {
    match value {
        Value::Tuple(items) | Value::List(items) => items.iter().collect(),
        Value::Dict(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Object { class, args, state } => std::iter::once(&**class)
            .chain(args)
            .chain(state.as_deref())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a decoded value respects `limits`.
pub fn within(value: &Value, limits: &Limits) -> bool {
    depth(value) <= limits.max_depth && count(value) <= limits.max_values
}

/// The value with every list turned into a tuple (msgpack has only arrays).
pub fn tuples(value: &Value) -> Value {
    match value {
        Value::Tuple(items) | Value::List(items) => {
            Value::Tuple(items.iter().map(tuples).collect())
        }
        Value::Dict(pairs) => {
            Value::Dict(pairs.iter().map(|(k, v)| (tuples(k), tuples(v))).collect())
        }
        other => other.clone(),
    }
}

/// Small limits, so fuzzed input reaches them.
pub fn tight() -> Limits {
    Limits {
        max_depth: 8,
        max_values: 300,
    }
}

/// Decodes `data` with [`tight`] limits: an error must point into the
/// input, a value must respect the limits.
#[track_caller]
pub fn check_bounded(decode: impl Fn(&[u8], &Limits) -> Result<Value, CodecError>, data: &[u8]) {
    let limits = tight();
    match decode(data, &limits) {
        Ok(value) => assert!(within(&value, &limits), "{value:?}"),
        Err(e) => assert!(e.offset <= data.len(), "{e}"),
    }
}

/// The bytes a string of hex digits spells.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Integers around the boundaries of every encoding's size classes.
pub fn boundary_int() -> impl Strategy<Value = i64> {
    let edges = [
        0,
        1,
        -1,
        31,
        -32,
        -33,
        127,
        128,
        -128,
        -129,
        255,
        256,
        65535,
        65536,
        -32768,
        -32769,
        i64::from(i32::MAX),
        i64::from(i32::MAX) + 1,
        i64::from(i32::MIN),
        i64::from(i32::MIN) - 1,
        i64::from(u32::MAX),
        i64::from(u32::MAX) + 1,
        i64::MAX,
        i64::MIN,
    ];
    prop_oneof![proptest::sample::select(edges.to_vec()), any::<i64>()]
}

/// An integer too big for 64 bits, in canonical (shortest) form.
pub fn big_int() -> impl Strategy<Value = Value> {
    (vec(any::<u8>(), 8..24), 1u8..=0xfe).prop_map(|(mut bytes, top)| {
        bytes.push(top);
        Value::BigInt(bytes)
    })
}

/// A uint64 above `i64::MAX`, as the decoders represent it.
pub fn big_uint64() -> impl Strategy<Value = Value> {
    (i64::MAX as u64 + 1..=u64::MAX).prop_map(|u| {
        let mut bytes = u.to_le_bytes().to_vec();
        bytes.push(0);
        Value::BigInt(bytes)
    })
}

/// A global name that no decoder special-cases.
pub fn global() -> impl Strategy<Value = Value> {
    (
        "[A-Za-z_][A-Za-z0-9_.]{0,15}",
        "[A-Za-z_][A-Za-z0-9_]{0,15}",
    )
        .prop_filter("special-cased by the pickle decoder", |(m, _)| {
            !matches!(m.as_str(), "_codecs" | "builtins" | "__builtin__")
        })
        .prop_map(|(module, name)| Value::Global { module, name })
}

fn common_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        boundary_int().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        any::<String>().prop_map(Value::Str),
        vec(any::<u8>(), 0..300).prop_map(Value::Bytes),
    ]
}

/// Any value pickle can carry.
pub fn pickle_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![4 => common_scalar(), 1 => big_int(), 1 => global()];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Tuple),
            vec(inner.clone(), 0..6).prop_map(Value::List),
            vec((inner.clone(), inner.clone()), 0..5).prop_map(Value::Dict),
            (global(), vec(inner.clone(), 0..4), option::of(inner)).prop_map(
                |(class, args, state)| Value::Object {
                    class: Box::new(class),
                    args,
                    state: state.map(Box::new),
                }
            ),
        ]
    })
}

/// Any value msgpack can carry.
pub fn msgpack_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![5 => common_scalar(), 1 => big_uint64()];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Tuple),
            vec(inner.clone(), 0..20).prop_map(Value::List),
            vec((inner.clone(), inner), 0..18).prop_map(Value::Dict),
        ]
    })
}

/// One edit of an encoding, applied at a position taken modulo its length.
#[derive(Clone, Debug)]
pub enum Mutation {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// `data` with `mutations` applied in order.
pub fn mutate(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let len = data.len().max(1);
        match *mutation {
            Mutation::Set(i, b) if !data.is_empty() => data[i % len] = b,
            Mutation::Insert(i, b) => data.insert(i % (data.len() + 1), b),
            Mutation::Remove(i) if !data.is_empty() => {
                data.remove(i % len);
            }
            Mutation::Truncate(i) => data.truncate(i % len),
            _ => {}
        }
    }
    data
}
