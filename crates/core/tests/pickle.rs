//! Pickle codec: round trips, hand-written opcode sequences, hostile input.

mod common;

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use zeoraid_core::zeo::error::{CodecError, Limits};
use zeoraid_core::zeo::pickle::{decode, encode};
use zeoraid_core::zeo::value::Value;

fn decode_default(data: &[u8]) -> Result<Value, CodecError> {
    decode(data, &Limits::default())
}

fn ok(data: &[u8]) -> Value {
    decode_default(data).unwrap_or_else(|e| panic!("{data:?}: {e}"))
}

fn err(data: &[u8]) -> CodecError {
    match decode_default(data) {
        Ok(v) => panic!("{data:?} decoded to {v:?}"),
        Err(e) => e,
    }
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

fn global(module: &str, name: &str) -> Value {
    Value::Global {
        module: module.into(),
        name: name.into(),
    }
}

fn register_call() -> Value {
    Value::Tuple(vec![
        Value::Int(1),
        Value::Int(0),
        s("register"),
        Value::Tuple(vec![s("1"), Value::Bool(true)]),
    ])
}

#[test]
fn encodes_a_call_as_python_does() {
    let p3 = b"\x80\x03(K\x01K\x00X\x08\x00\x00\x00registerX\x01\x00\x00\x001\x88\x86t.";
    let p1 = b"(K\x01K\x00X\x08\x00\x00\x00register(X\x01\x00\x00\x001I01\ntt.";
    assert_eq!(encode(&register_call(), 3).unwrap(), p3);
    assert_eq!(encode(&register_call(), 1).unwrap(), p1);
    assert_eq!(ok(p3), register_call());
    assert_eq!(ok(p1), register_call());
}

#[test]
fn encodes_scalars_compactly() {
    let cases: Vec<(Value, &[u8], &[u8])> = vec![
        (Value::None, b"N", b"N"),
        (Value::Bool(false), b"\x89", b"I00\n"),
        (Value::Int(255), b"K\xff", b"K\xff"),
        (Value::Int(256), b"M\x00\x01", b"M\x00\x01"),
        (Value::Int(-1), b"J\xff\xff\xff\xff", b"J\xff\xff\xff\xff"),
        (
            Value::Int(1 << 40),
            b"\x8a\x06\x00\x00\x00\x00\x00\x01",
            b"L1099511627776L\n",
        ),
        (
            Value::BigInt(vec![0, 0, 0, 0, 0, 0, 0, 0, 1]),
            b"\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01",
            b"L18446744073709551616L\n",
        ),
        (
            Value::Float(1.5),
            b"G?\xf8\x00\x00\x00\x00\x00\x00",
            b"G?\xf8\x00\x00\x00\x00\x00\x00",
        ),
        (Value::Bytes(b"ab".to_vec()), b"C\x02ab", b"U\x02ab"),
        (Value::Tuple(vec![]), b")", b")"),
        (Value::List(vec![]), b"]", b"]"),
        (Value::Dict(vec![]), b"}", b"}"),
        (global("a.b", "C"), b"ca.b\nC\n", b"ca.b\nC\n"),
    ];
    for (value, p3, p1) in cases {
        let with = |proto: &[u8], body: &[u8]| [proto, body, b"."].concat();
        assert_eq!(
            encode(&value, 3).unwrap(),
            with(b"\x80\x03", p3),
            "{value:?}"
        );
        assert_eq!(encode(&value, 1).unwrap(), with(b"", p1), "{value:?}");
    }
    let long = Value::Bytes(vec![7; 300]);
    assert_eq!(&encode(&long, 3).unwrap()[2..7], b"B\x2c\x01\x00\x00");
    assert_eq!(&encode(&long, 1).unwrap()[..5], b"T\x2c\x01\x00\x00");
}

#[test]
fn encodes_objects_with_reduce_and_build() {
    let object = Value::Object {
        class: Box::new(global("m", "E")),
        args: vec![s("x")],
        state: Some(Box::new(Value::Dict(vec![(s("k"), Value::None)]))),
    };
    let data = encode(&object, 3).unwrap();
    let expected = b"\x80\x03cm\nE\nX\x01\x00\x00\x00x\x85R}X\x01\x00\x00\x00kNsb.";
    assert_eq!(data, expected);
    assert_eq!(ok(&data), object);
}

#[test]
fn refuses_what_it_cannot_encode() {
    assert!(encode(&Value::None, 2).is_err());
    assert!(encode(&Value::None, 4).is_err());
    assert!(encode(&global("a\nb", "c"), 3).is_err());
    let mut deep = Value::None;
    for _ in 0..100 {
        deep = Value::Tuple(vec![deep]);
    }
    let e = encode(&deep, 3).unwrap_err();
    assert!(e.message.contains("deeper"), "{e}");
    let mut ok_depth = Value::None;
    for _ in 0..Limits::default().max_depth {
        ok_depth = Value::List(vec![ok_depth]);
    }
    assert_eq!(ok(&encode(&ok_depth, 3).unwrap()), ok_depth);
}

#[test]
fn splits_long_batches_like_python() {
    let list = Value::List(vec![Value::None; 2500]);
    let data = encode(&list, 3).unwrap();
    assert_eq!(data.iter().filter(|&&b| b == b'e').count(), 3);
    assert_eq!(ok(&data), list);
    let dict = Value::Dict(vec![(Value::None, Value::Bool(true)); 1001]);
    let data = encode(&dict, 1).unwrap();
    assert_eq!(data.iter().filter(|&&b| b == b'u').count(), 1);
    assert_eq!(data.iter().filter(|&&b| b == b's').count(), 1);
    assert_eq!(ok(&data), dict);
}

#[test]
fn decodes_protocol_0_text_forms() {
    let data = b"(I01\nI00\nI-42\nL123L\nL-99999999999999999999\nF1.5\nS'a\\n\\x00\\''\nVcaf\xe9\\u20ac\nNtp0\n.";
    assert_eq!(
        ok(data),
        Value::Tuple(vec![
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(-42),
            Value::Int(123),
            Value::BigInt(vec![0x01, 0x00, 0xf0, 0x9c, 0xd2, 0xa1, 0x38, 0x94, 0xfa]),
            Value::Float(1.5),
            Value::Bytes(b"a\n\x00'".to_vec()),
            s("café€"),
            Value::None,
        ])
    );
    assert_eq!(
        ok(b"(lp0\nI1\naI2\na(dp1\nVk\nVv\nsa0g0\n."),
        Value::List(vec![
            Value::Int(1),
            Value::Int(2),
            Value::Dict(vec![(s("k"), s("v"))]),
        ])
    );
}

#[test]
fn decodes_binary_and_protocol_4_forms() {
    assert_eq!(ok(b"\x80\x02\x8a\x00."), Value::Int(0));
    assert_eq!(ok(b"\x8b\x02\x00\x00\x00\xff\x7f."), Value::Int(0x7fff));
    assert_eq!(ok(b"T\x01\x00\x00\x00a."), Value::Bytes(b"a".to_vec()));
    assert_eq!(ok(b"C\x01a."), Value::Bytes(b"a".to_vec()));
    assert_eq!(
        ok(b"\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00\x8c\x01a\x94\x8c\x01b\x93."),
        global("a", "b")
    );
    assert_eq!(
        ok(b"\x8d\x01\x00\x00\x00\x00\x00\x00\x00a\x8e\x00\x00\x00\x00\x00\x00\x00\x00\x86."),
        Value::Tuple(vec![s("a"), Value::Bytes(vec![])])
    );
    assert_eq!(
        ok(b"\x8f(K\x01K\x02\x90(K\x03\x91\x86."),
        Value::Tuple(vec![
            Value::List(vec![Value::Int(1), Value::Int(2)]),
            Value::List(vec![Value::Int(3)]),
        ])
    );
}

#[test]
fn memo_references_share_mutable_objects() {
    assert_eq!(
        ok(b"]q\x00K\x01ah\x00\x86."),
        Value::Tuple(vec![
            Value::List(vec![Value::Int(1)]),
            Value::List(vec![Value::Int(1)])
        ])
    );
    assert_eq!(
        ok(b"K\x05\x94\x8a\x00j\x00\x00\x00\x00\x86."),
        Value::Tuple(vec![Value::Int(0), Value::Int(5)])
    );
}

#[test]
fn decodes_objects_without_executing_them() {
    let exc = b"cZODB.POSException\nStorageError\n(U\x0fno such storagetR.";
    assert_eq!(
        ok(exc),
        Value::Object {
            class: Box::new(global("ZODB.POSException", "StorageError")),
            args: vec![Value::Bytes(b"no such storage".to_vec())],
            state: None,
        }
    );
    let inst = b"(S'boom'\nimyapp\nOldError\n(dVcode\nI3\nsb.";
    assert_eq!(
        ok(inst),
        Value::Object {
            class: Box::new(global("myapp", "OldError")),
            args: vec![Value::Bytes(b"boom".to_vec())],
            state: Some(Box::new(Value::Dict(vec![(s("code"), Value::Int(3))]))),
        }
    );
    let obj = b"(cm\nC\nK\x01o.";
    assert_eq!(
        ok(obj),
        Value::Object {
            class: Box::new(global("m", "C")),
            args: vec![Value::Int(1)],
            state: None,
        }
    );
    let newobj = b"\x80\x02cm\nC\n)\x81}b.";
    assert_eq!(
        ok(newobj),
        Value::Object {
            class: Box::new(global("m", "C")),
            args: vec![],
            state: Some(Box::new(Value::Dict(vec![]))),
        }
    );
}

#[test]
fn python3_bytes_below_protocol_3_are_bytes() {
    let data = b"\x80\x02c_codecs\nencode\nq\x00X\x03\x00\x00\x00\xc3\xbfaq\x01X\x06\x00\x00\x00latin1q\x02\x86q\x03Rq\x04.";
    assert_eq!(ok(data), Value::Bytes(b"\xffa".to_vec()));
    assert_eq!(
        ok(b"c_codecs\nencode\n(Vab\nVlatin1\ntR."),
        Value::Bytes(b"ab".to_vec())
    );
    assert_eq!(ok(b"c__builtin__\nbytes\n)R."), Value::Bytes(vec![]));
    let not_latin1 = b"c_codecs\nencode\n(V\\u20ac\nVlatin1\ntR.";
    assert!(matches!(ok(not_latin1), Value::Object { .. }));
}

#[test]
fn names_bad_opcodes_with_their_offset() {
    let e = err(b"\x80\x03\xff");
    assert_eq!(e.offset, 2);
    assert!(e.message.contains("unknown pickle opcode 0xff"), "{e}");
    let e = err(b"(P1\n.");
    assert_eq!(e.offset, 1);
    assert!(e.message.contains("PERSID (0x50)"), "{e}");
    for (op, name) in [
        (b'Q', "BINPERSID"),
        (0x82, "EXT1"),
        (0x83, "EXT2"),
        (0x84, "EXT4"),
    ] {
        let e = err(&[b'N', op, 0, 0, 0, 0, b'.']);
        assert!(e.message.contains(name), "{e}");
        assert_eq!(e.offset, 1);
    }
}

#[test]
fn refuses_malformed_pickles() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "without STOP"),
        (b"N", "without STOP"),
        (b"N.x", "garbage after STOP"),
        (b".", "underflow"),
        (b"(.", "underflow"),
        (b"Nt.", "MARK missing"),
        (b"N\x86.", "underflow"),
        (b"(N\x86.", "underflow"),
        (b"Na.", "underflow"),
        (b"NNa.", "not a list"),
        (b"NNNs.", "not a dict"),
        (b"]Nb.", "not an object"),
        (b"cm\nf\nNR.", "not a tuple"),
        (b"(o.", "OBJ without a class"),
        (b"(NNNd.", "odd number"),
        (b"h\x00.", "never stored"),
        (b"q\x00.", "underflow"),
        (b"X\x01\x00\x00\x00\xff.", "not UTF-8"),
        (b"Fabc\n.", "bad float"),
        (b"I12x\n.", "bad integer"),
        (b"I1", "newline"),
        (b"S'abc\n.", "quoted"),
        (b"T\xff\xff\xff\xff.", "negative length"),
        (b"\x80\x06N.", "protocol 6"),
        (b"\x93.", "underflow"),
        (b"NN\x93.", "two texts"),
    ];
    for (data, needle) in cases {
        let e = err(data);
        assert!(e.message.contains(needle), "{data:?}: {e}");
        assert!(e.offset <= data.len(), "{data:?}: {e}");
    }
}

#[test]
fn refuses_length_prefixes_beyond_the_input() {
    let cases: &[&[u8]] = &[
        b"X\xff\xff\xff\xffsome twenty bytes..",
        b"B\xff\xff\xff\xff.",
        b"T\xff\xff\xff\x7f.",
        b"\x8b\xff\xff\xff\x7f.",
        b"\x8d\xff\xff\xff\xff\xff\xff\xff\xff.",
        b"\x8e\x00\x00\x00\x00\x01\x00\x00\x00.",
        b"\x95\xff\xff\xff\xff\xff\xff\xff\xffN.",
        b"\x8c\x05abc.",
        b"U\x05abc.",
        b"C\x05abc.",
        b"\x8a\x05abc.",
    ];
    for data in cases {
        let e = err(data);
        assert!(e.message.contains("claims"), "{data:?}: {e}");
    }
}

#[test]
fn refuses_deep_nesting_without_recursing() {
    let n = 10_000;
    let tuples = [vec![b'('; n], vec![b'N'], vec![b't'; n], vec![b'.']].concat();
    assert!(err(&tuples).message.contains("deeper than 64"));
    let lists = [vec![b']'; n], vec![b'a'; n - 1], vec![b'.']].concat();
    assert!(err(&lists).message.contains("deeper than 64"));
    let tuple1 = [vec![b'N'], vec![0x85; n], vec![b'.']].concat();
    assert!(err(&tuple1).message.contains("deeper than 64"));
    let builds = [b"cm\nC\n)R".repeat(n), b"b".repeat(n - 1), b".".to_vec()].concat();
    assert!(err(&builds).message.contains("deeper than 64"));
    let limits = Limits {
        max_depth: 3,
        max_values: 100,
    };
    assert!(decode(b"(((Nttt.", &limits).is_ok());
    assert!(decode(b"((((Ntttt.", &limits).is_err());
}

#[test]
fn refuses_cycles() {
    assert!(err(b"]q\x00h\x00a.").message.contains("deeper"));
    assert!(err(b"cm\nC\n)R2b.").message.contains("deeper"));
}

#[test]
fn memo_bombs_hit_the_value_limit() {
    let limits = Limits {
        max_depth: 1000,
        max_values: 1_000_000,
    };
    let mut doubling = b"N".to_vec();
    for _ in 0..40 {
        doubling.extend(b"2\x86");
    }
    doubling.push(b'.');
    let e = decode(&doubling, &limits).unwrap_err();
    assert!(e.message.contains("more than 1000000 values"), "{e}");

    let mut laughs = b"\x80\x02]q\x00".to_vec();
    for i in 0..40u8 {
        laughs.extend([b'(', b'h', i, b'h', i, b'h', i, b'l', b'q', i + 1]);
    }
    laughs.push(b'.');
    let e = decode(&laughs, &limits).unwrap_err();
    assert!(e.message.contains("values"), "{e}");

    let text = [b"X\x00\x00\x01\x00".to_vec(), vec![b'a'; 65536]].concat();
    let mut copies = [text, b"q\x00(".to_vec()].concat();
    for _ in 0..1000 {
        copies.extend(b"h\x00");
    }
    copies.extend(b"t.");
    let e = decode(&copies, &limits).unwrap_err();
    assert!(e.message.contains("values"), "{e}");
}

#[test]
fn every_truncation_of_a_valid_pickle_fails() {
    let value = Value::Tuple(vec![
        Value::Int(7),
        Value::Int(0),
        s(".reply"),
        Value::Object {
            class: Box::new(global("ZODB.POSException", "StorageError")),
            args: vec![s("no such storage"), Value::BigInt(vec![1; 12])],
            state: Some(Box::new(Value::Dict(vec![(
                Value::Bytes(b"k".to_vec()),
                Value::List(vec![Value::Float(0.5), Value::Bool(true)]),
            )]))),
        },
    ]);
    for protocol in [1, 3] {
        let data = encode(&value, protocol).unwrap();
        assert_eq!(ok(&data), value);
        for len in 0..data.len() {
            assert!(decode_default(&data[..len]).is_err(), "prefix {len}");
        }
    }
}

/// A stream of opcodes with random argument bytes, likelier than raw noise
/// to get deep into the unpickler.
fn opcode_soup() -> impl Strategy<Value = Vec<u8>> {
    let ops: Vec<u8> = b"(.012FIJKLMNRSTUVXabcdeghijlopqrstu})]GBC".to_vec();
    let ops = [ops, (0x80..=0x95).collect()].concat();
    let chunk = prop_oneof![
        3 => proptest::sample::select(ops).prop_map(|op| vec![op]),
        1 => vec(any::<u8>(), 0..6),
        1 => Just(b"\n".to_vec()),
    ];
    vec(chunk, 0..48).prop_map(|chunks| chunks.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trips_protocol_3(value in pickle_value()) {
        let data = encode(&value, 3).unwrap();
        assert_same(&decode_default(&data).unwrap(), &value);
    }

    #[test]
    fn round_trips_protocol_1(value in pickle_value()) {
        let data = encode(&value, 1).unwrap();
        prop_assert_ne!(data.first(), Some(&0x80));
        assert_same(&decode_default(&data).unwrap(), &value);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..256)) {
        check_bounded(decode, &data);
    }

    #[test]
    fn opcode_soup_never_panics(data in opcode_soup(), stop in any::<bool>()) {
        let data = if stop { [data, b".".to_vec()].concat() } else { data };
        check_bounded(decode, &data);
    }

    #[test]
    fn mutated_pickles_never_panic(
        value in pickle_value(),
        protocol in prop_oneof![Just(1u8), Just(3u8)],
        mutations in vec(mutation(), 1..4),
    ) {
        let data = mutate(encode(&value, protocol).unwrap(), &mutations);
        check_bounded(decode, &data);
    }
}
