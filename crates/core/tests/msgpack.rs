//! Msgpack codec: round trips, exact encodings, hostile input.

mod common;

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use zeoraid_core::zeo::error::{CodecError, Limits};
use zeoraid_core::zeo::msgpack::{decode, encode};
use zeoraid_core::zeo::value::Value;

fn ok(data: &[u8]) -> Value {
    decode(data, &Limits::default()).unwrap_or_else(|e| panic!("{data:?}: {e}"))
}

fn err(data: &[u8]) -> CodecError {
    match decode(data, &Limits::default()) {
        Ok(v) => panic!("{data:?} decoded to {v:?}"),
        Err(e) => e,
    }
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

#[test]
fn encodes_calls_and_replies_as_msgpack_python_does() {
    let call = Value::Tuple(vec![
        Value::Int(1),
        Value::Int(0),
        s("register"),
        Value::List(vec![s("1"), Value::Bool(true)]),
    ]);
    let data = encode(&call).unwrap();
    assert_eq!(data, b"\x94\x01\x00\xa8register\x92\xa11\xc3");
    assert_eq!(ok(&data), tuples(&call));
    let error =
        b"\x94\x05\x02\xa6.reply\x92\xbeZODB.POSException.StorageError\x91\xafno such storage";
    let value = Value::Tuple(vec![
        Value::Int(5),
        Value::Int(2),
        s(".reply"),
        Value::Tuple(vec![
            s("ZODB.POSException.StorageError"),
            Value::Tuple(vec![s("no such storage")]),
        ]),
    ]);
    assert_eq!(ok(error), value);
    assert_eq!(encode(&value).unwrap(), error);
}

#[test]
fn integers_take_their_smallest_form() {
    let ints = [
        -1,
        -32,
        -33,
        127,
        128,
        255,
        256,
        65535,
        65536,
        (1 << 32) - 1,
        1 << 32,
        -128,
        -129,
        -32768,
        -32769,
        -(1 << 31),
        -(1 << 31) - 1,
        i64::MAX,
        i64::MIN,
    ];
    let mut values: Vec<Value> = ints.into_iter().map(Value::Int).collect();
    values.push(Value::BigInt(
        vec![0xff; 8].into_iter().chain([0]).collect(),
    ));
    let expected = unhex(
        "dc0014ffe0d0df7fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000\
         d080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffffcf7fffffffffffffff\
         d38000000000000000cfffffffffffffffff",
    );
    let list = Value::Tuple(values);
    assert_eq!(encode(&list).unwrap(), expected);
    assert_eq!(ok(&expected), list);
}

#[test]
fn strings_and_collections_switch_forms_at_the_boundaries() {
    type Heads = (usize, &'static [u8], &'static [u8], &'static [u8]);
    let cases: &[Heads] = &[
        (31, b"\xbf", b"\xc4\x1f", b"\xdc\x00\x1f"),
        (32, b"\xd9\x20", b"\xc4\x20", b"\xdc\x00\x20"),
        (255, b"\xd9\xff", b"\xc4\xff", b"\xdc\x00\xff"),
        (256, b"\xda\x01\x00", b"\xc5\x01\x00", b"\xdc\x01\x00"),
        (
            65536,
            b"\xdb\x00\x01\x00\x00",
            b"\xc6\x00\x01\x00\x00",
            b"\xdd\x00\x01\x00\x00",
        ),
    ];
    for (len, str_head, bin_head, array_head) in cases {
        let text = Value::Str("x".repeat(*len));
        assert!(encode(&text).unwrap().starts_with(str_head), "str {len}");
        assert_eq!(ok(&encode(&text).unwrap()), text);
        let bytes = Value::Bytes(vec![0; *len]);
        assert!(encode(&bytes).unwrap().starts_with(bin_head), "bin {len}");
        assert_eq!(ok(&encode(&bytes).unwrap()), bytes);
        let array = Value::Tuple(vec![Value::None; *len]);
        assert!(
            encode(&array).unwrap().starts_with(array_head),
            "array {len}"
        );
        assert_eq!(ok(&encode(&array).unwrap()), array);
    }
    assert_eq!(
        encode(&Value::Tuple(vec![Value::None; 15])).unwrap()[0],
        0x9f
    );
    let map = |n| Value::Dict(vec![(Value::None, Value::None); n]);
    assert_eq!(encode(&map(15)).unwrap()[0], 0x8f);
    assert_eq!(&encode(&map(16)).unwrap()[..3], b"\xde\x00\x10");
    assert_eq!(ok(&encode(&map(70000)).unwrap()), map(70000));
}

#[test]
fn decodes_every_scalar_form() {
    assert_eq!(ok(b"\xc0"), Value::None);
    assert_eq!(ok(b"\xc2"), Value::Bool(false));
    assert_eq!(ok(b"\xc3"), Value::Bool(true));
    assert_eq!(ok(b"\xca\x3f\xc0\x00\x00"), Value::Float(1.5));
    assert_eq!(ok(b"\xcb\x3f\xf8\0\0\0\0\0\0"), Value::Float(1.5));
    assert_eq!(ok(b"\xcc\xff"), Value::Int(255));
    assert_eq!(ok(b"\xd0\x80"), Value::Int(-128));
    assert_eq!(ok(b"\xe0"), Value::Int(-32));
    assert_eq!(ok(b"\xa0"), s(""));
    assert_eq!(ok(b"\xd9\x02\xc3\xa9"), s("é"));
    assert_eq!(ok(b"\xda\x00\x01a"), s("a"));
    assert_eq!(ok(b"\xdb\x00\x00\x00\x01a"), s("a"));
    assert_eq!(ok(b"\xc4\x00"), Value::Bytes(vec![]));
    assert_eq!(ok(b"\x90"), Value::Tuple(vec![]));
    assert_eq!(ok(b"\x80"), Value::Dict(vec![]));
    assert_eq!(
        ok(b"\x82\xa11\xa7optimal\x01\x92\xc0\x90"),
        Value::Dict(vec![
            (s("1"), s("optimal")),
            (
                Value::Int(1),
                Value::Tuple(vec![Value::None, Value::Tuple(vec![])])
            ),
        ])
    );
    assert_eq!(
        ok(b"\xcf\x80\0\0\0\0\0\0\0"),
        Value::BigInt(vec![0, 0, 0, 0, 0, 0, 0, 0x80, 0])
    );
}

#[test]
fn refuses_what_msgpack_cannot_carry() {
    let global = Value::Global {
        module: "m".into(),
        name: "C".into(),
    };
    assert!(encode(&global).is_err());
    let object = Value::Object {
        class: Box::new(global),
        args: vec![],
        state: None,
    };
    assert!(encode(&Value::Tuple(vec![object])).is_err());
    assert!(encode(&Value::BigInt(vec![0, 0, 0, 0, 0, 0, 0, 0, 1])).is_err());
    assert!(encode(&Value::BigInt(vec![0, 0, 0, 0, 0, 0, 0, 0x80, 0xff])).is_err());
    let mut deep = Value::None;
    for _ in 0..100 {
        deep = Value::List(vec![deep]);
    }
    assert!(encode(&deep).unwrap_err().message.contains("deeper"));
}

#[test]
fn refuses_malformed_input() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "claims 1 bytes"),
        (b"\xc1", "0xc1"),
        (b"\xc7\x01\x01a", "ext type (0xc7)"),
        (b"\xd4\x01\x01", "ext type (0xd4)"),
        (b"\xa2\xff\xfe", "not UTF-8"),
        (b"\xc0\xc0", "garbage"),
        (b"\x92\xc0", "claims 2 items"),
        (b"\x81\xc0", "claims 1 items"),
        (b"\xcd\x01", "claims 2 bytes"),
        (b"\xdb\xff\xff\xff\xffabc", "claims 4294967295 bytes"),
        (b"\xc6\xff\xff\xff\xffabc", "claims 4294967295 bytes"),
        (b"\xdd\xff\xff\xff\xffabc", "claims 4294967295 items"),
        (b"\xdf\xff\xff\xff\xffabc", "claims 4294967295 items"),
    ];
    for (data, needle) in cases {
        let e = err(data);
        assert!(e.message.contains(needle), "{data:?}: {e}");
        assert!(e.offset <= data.len());
    }
}

#[test]
fn refuses_deep_nesting_and_too_many_values() {
    let deep = [vec![0x91; 10_000], vec![0xc0]].concat();
    assert!(err(&deep).message.contains("deeper than 64"));
    let maps = [[0x81, 0xc0].repeat(10_000), vec![0xc0]].concat();
    assert!(err(&maps).message.contains("deeper than 64"));
    let limits = Limits {
        max_depth: 2,
        max_values: 10,
    };
    assert!(decode(b"\x91\x91\xc0", &limits).is_ok());
    assert!(decode(b"\x91\x90", &limits).is_ok());
    assert!(decode(b"\x91\x91\x90", &limits).is_err());
    assert!(decode(b"\x91\x91\x91\xc0", &limits).is_err());
    let nine = [vec![0x99], vec![0xc0; 9]].concat();
    assert!(decode(&nine, &limits).is_ok());
    let ten = [vec![0x9a], vec![0xc0; 10]].concat();
    assert!(decode(&ten, &limits)
        .unwrap_err()
        .message
        .contains("more than 10"));
}

#[test]
fn every_truncation_of_a_valid_message_fails() {
    let value = Value::Tuple(vec![
        Value::Int(3),
        Value::Int(0),
        s(".reply"),
        Value::Dict(vec![
            (s("1"), s("optimal")),
            (s("2"), s("failed: disabled by controller")),
            (Value::Bytes(vec![1, 2]), Value::Float(-0.5)),
            (Value::Int(-70000), Value::Int(1 << 40)),
        ]),
    ]);
    let data = encode(&value).unwrap();
    for len in 0..data.len() {
        assert!(
            decode(&data[..len], &Limits::default()).is_err(),
            "prefix {len}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trips(value in msgpack_value()) {
        let data = encode(&value).unwrap();
        assert_same(&decode(&data, &Limits::default()).unwrap(), &tuples(&value));
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..256)) {
        check_bounded(decode, &data);
    }

    #[test]
    fn mutated_messages_never_panic(
        value in msgpack_value(),
        mutations in vec(mutation(), 1..4),
    ) {
        let data = mutate(encode(&value).unwrap(), &mutations);
        check_bounded(decode, &data);
    }
}
