//! Golden vectors written by real Python (`tests/vectors/make_vectors.py`):
//! every file must decode to the value its manifest line gives, and those
//! marked `p1`/`p3`/`mp` must be exactly what our encoder writes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use zeoraid_core::zeo::error::{CodecError, Limits};
use zeoraid_core::zeo::value::Value;
use zeoraid_core::zeo::{msgpack, pickle};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// One manifest entry.
struct Vector {
    file: String,
    check: String,
    expected: Value,
    data: Vec<u8>,
}

impl Vector {
    fn is_msgpack(&self) -> bool {
        self.file.ends_with(".msgpack")
    }

    fn decode(&self, data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
        if self.is_msgpack() {
            msgpack::decode(data, limits)
        } else {
            pickle::decode(data, limits)
        }
    }
}

/// The manifest's vectors, read once.
fn vectors() -> &'static [Vector] {
    static VECTORS: OnceLock<Vec<Vector>> = OnceLock::new();
    VECTORS.get_or_init(read_vectors)
}

fn read_vectors() -> Vec<Vector> {
    let manifest = fs::read_to_string(dir().join("vectors.txt")).unwrap();
    manifest
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut tokens = line.split(' ');
            let file = tokens.next().unwrap().to_owned();
            let check = tokens.next().unwrap().to_owned();
            let expected = parse(&mut tokens);
            assert!(tokens.next().is_none(), "trailing tokens in {line}");
            let data = fs::read(dir().join(&file)).unwrap();
            Vector {
                file,
                check,
                expected,
                data,
            }
        })
        .collect()
}

/// Reads one value in the manifest's prefix notation.
fn parse<'a>(tokens: &mut impl Iterator<Item = &'a str>) -> Value {
    let token = tokens.next().expect("value missing");
    let (kind, arg) = token.split_once(':').unwrap_or((token, ""));
    let count = || arg.parse::<usize>().unwrap();
    match kind {
        "none" => Value::None,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "int" => Value::Int(arg.parse().unwrap()),
        "big" => Value::BigInt(unhex(arg)),
        "float" => Value::Float(f64::from_bits(u64::from_str_radix(arg, 16).unwrap())),
        "str" => Value::Str(String::from_utf8(unpercent(arg)).unwrap()),
        "bytes" => Value::Bytes(unpercent(arg)),
        "tuple" => Value::Tuple(parse_many(count(), tokens)),
        "list" => Value::List(parse_many(count(), tokens)),
        "dict" => Value::Dict(
            (0..count())
                .map(|_| (parse(tokens), parse(tokens)))
                .collect(),
        ),
        "global" => {
            let (module, name) = arg.split_once(':').unwrap();
            Value::Global {
                module: String::from_utf8(unpercent(module)).unwrap(),
                name: String::from_utf8(unpercent(name)).unwrap(),
            }
        }
        "object" => {
            let (nargs, has_state) = arg.split_once(':').unwrap();
            let class = Box::new(parse(tokens));
            let args = parse_many(nargs.parse().unwrap(), tokens);
            let state = (has_state == "1").then(|| Box::new(parse(tokens)));
            Value::Object { class, args, state }
        }
        _ => panic!("unknown token {token}"),
    }
}

fn parse_many<'a>(n: usize, tokens: &mut impl Iterator<Item = &'a str>) -> Vec<Value> {
    (0..n).map(|_| parse(tokens)).collect()
}

fn unpercent(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex: String = bytes.by_ref().take(2).map(char::from).collect();
            out.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            out.push(b);
        }
    }
    out
}

#[test]
fn every_vector_decodes_to_its_expected_value() {
    let vectors = vectors();
    assert!(vectors.len() >= 40, "only {} vectors", vectors.len());
    for v in vectors {
        let decoded = v
            .decode(&v.data, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", v.file));
        assert!(
            same(&decoded, &v.expected),
            "{}\n  decoded: {decoded:?}\n expected: {:?}",
            v.file,
            v.expected
        );
    }
}

#[test]
fn our_encoder_writes_the_marked_vectors_exactly() {
    let mut checked = 0;
    for v in vectors() {
        let encoded = match v.check.as_str() {
            "p1" => pickle::encode(&v.expected, 1),
            "p3" => pickle::encode(&v.expected, 3),
            "mp" => msgpack::encode(&v.expected),
            "-" => continue,
            other => panic!("{}: unknown check {other}", v.file),
        };
        assert_eq!(encoded.unwrap(), v.data, "{}", v.file);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} encodings checked");
}

#[test]
fn every_vector_file_is_in_the_manifest() {
    let listed: Vec<&str> = vectors().iter().map(|v| v.file.as_str()).collect();
    for entry in fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".pickle") || name.ends_with(".msgpack") {
            assert!(
                listed.contains(&name.as_str()),
                "{name} is not in vectors.txt"
            );
        }
    }
}

#[test]
fn every_truncated_vector_fails() {
    for v in vectors() {
        for len in 0..v.data.len() {
            let result = v.decode(&v.data[..len], &Limits::default());
            assert!(result.is_err(), "{} cut at {len} decoded", v.file);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn mutated_vectors_never_panic(index in any::<usize>(), mutations in vec(mutation(), 1..5)) {
        let v = &vectors()[index % vectors().len()];
        let data = mutate(v.data.clone(), &mutations);
        check_bounded(|data, limits| v.decode(data, limits), &data);
    }
}

/// Prints the hex of our encodings of the calls that `make_vectors.py`
/// checks against Python (its `RUST_ENCODINGS`).
#[test]
#[ignore = "prints the hex constants for make_vectors.py"]
fn print_rust_encodings() {
    let text = |s: &str| Value::Str(s.into());
    let register = Value::Tuple(vec![
        Value::Int(1),
        Value::Int(0),
        text("register"),
        Value::Tuple(vec![text("1"), Value::Bool(true)]),
    ]);
    let raid_status = Value::Tuple(vec![
        Value::Int(2),
        Value::Int(0),
        text("raid_status"),
        Value::Tuple(vec![]),
    ]);
    let hex = |data: Vec<u8>| data.iter().map(|b| format!("{b:02x}")).collect::<String>();
    for (name, value) in [("register", &register), ("raid_status", &raid_status)] {
        println!("rust_{name}_p3 {}", hex(pickle::encode(value, 3).unwrap()));
        println!("rust_{name}_mp {}", hex(msgpack::encode(value).unwrap()));
    }
    println!(
        "rust_register_p1 {}",
        hex(pickle::encode(&register, 1).unwrap())
    );
}
