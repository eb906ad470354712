//! The ZEO client against in-process fake servers that misbehave on purpose:
//! each misbehaviour must end in a clear error, quickly, without a panic.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use zeoraid_core::addr::Address;
use zeoraid_core::zeo::client::{Client, Options};
use zeoraid_core::zeo::error::Error;
use zeoraid_core::zeo::pickle;
use zeoraid_core::zeo::value::Value;

/// Serves one connection with `script`, returning the address to dial.
fn serve(script: impl FnOnce(TcpStream) + Send + 'static) -> Address {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            script(stream);
        }
    });
    Address::Tcp {
        host: "127.0.0.1".into(),
        port,
    }
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).unwrap();
    let mut payload = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut payload).unwrap();
    payload
}

fn reply(msgid: i64, flags: i64, result: Value, protocol: u8) -> Vec<u8> {
    let message = Value::Tuple(vec![
        Value::Int(msgid),
        Value::Int(flags),
        Value::Str(".reply".into()),
        result,
    ]);
    frame(&pickle::encode(&message, protocol).unwrap())
}

/// Handshake as a ZEO 5 pickle server, then answer `register` with None.
fn handshake_and_register(stream: &mut TcpStream) {
    stream.write_all(&frame(b"Z5")).unwrap();
    assert_eq!(read_frame(stream), b"Z5");
    read_frame(stream);
    stream.write_all(&reply(1, 0, Value::None, 3)).unwrap();
}

fn options(timeout_ms: u64) -> Options {
    Options {
        timeout: Duration::from_millis(timeout_ms),
        ..Options::default()
    }
}

fn status(addr: &Address, timeout_ms: u64) -> Result<Value, Error> {
    let mut client = Client::connect(addr, &options(timeout_ms))?;
    client.register("1", true)?;
    client.call("raid_status", vec![])
}

/// Asserts that `status` gives up with a timeout, well within 3 seconds.
#[track_caller]
fn assert_times_out(addr: &Address, timeout_ms: u64) {
    let start = Instant::now();
    let err = status(addr, timeout_ms).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_well_behaved_server_answers() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        let call = read_frame(&mut s);
        assert!(call.windows(11).any(|w| w == b"raid_status"));
        // A heartbeat and an async invalidation come first: both are skipped.
        s.write_all(&reply(-1, 0, Value::None, 3)).unwrap();
        let invalidation = Value::Tuple(vec![
            Value::Int(0),
            Value::Int(1),
            Value::Str("invalidateTransaction".into()),
            Value::Tuple(vec![]),
        ]);
        s.write_all(&frame(&pickle::encode(&invalidation, 3).unwrap()))
            .unwrap();
        s.write_all(&reply(2, 0, Value::Str("optimal".into()), 3))
            .unwrap();
    });
    assert_eq!(status(&addr, 2000).unwrap(), Value::Str("optimal".into()));
}

#[test]
fn a_garbage_handshake_is_not_zeo() {
    let addr = serve(|mut s| {
        let _ = s.write_all(&frame(b"HTTP/1.1 400 Bad Request"));
        thread::sleep(Duration::from_millis(200));
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(err.to_string().contains("not a ZEO server"), "{err}");
}

#[test]
fn an_unframed_banner_is_refused_by_its_length() {
    let addr = serve(|mut s| {
        let _ = s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
        thread::sleep(Duration::from_millis(200));
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(matches!(err, Error::FrameTooLarge { .. }), "{err}");
}

#[test]
fn a_4gib_length_prefix_is_refused_without_allocating() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        read_frame(&mut s);
        let _ = s.write_all(&[0xff, 0xff, 0xff, 0xff, 0x80, 0x03]);
        thread::sleep(Duration::from_millis(200));
    });
    match status(&addr, 2000) {
        Err(Error::FrameTooLarge { len, .. }) => assert_eq!(len, 0xffff_ffff),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_truncated_frame_is_reported() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        read_frame(&mut s);
        let _ = s.write_all(&[0, 0, 0, 100, 0x80, 0x03, b'(']);
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(
        err.to_string().contains("mid-message (3 of 100 bytes)"),
        "{err}"
    );
}

#[test]
fn a_deeply_nested_pickle_is_refused() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        read_frame(&mut s);
        let mut payload = vec![0x80, 0x03];
        // ((((…)t)t)t…: 100 000 tuples, each inside the next.
        payload.extend(std::iter::repeat_n(b'(', 100_000));
        payload.push(b')');
        payload.extend(std::iter::repeat_n(b't', 100_000));
        payload.push(b'.');
        let _ = s.write_all(&frame(&payload));
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(matches!(err, Error::Codec(_)), "{err}");
}

#[test]
fn an_unknown_opcode_is_refused() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        read_frame(&mut s);
        let _ = s.write_all(&frame(&[0x80, 0x03, 0xff, b'.']));
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(matches!(err, Error::Codec(_)), "{err}");
    assert!(err.to_string().contains("0xff"), "{err}");
}

#[test]
fn a_reply_to_the_wrong_message_is_refused() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        read_frame(&mut s);
        let _ = s.write_all(&reply(7, 0, Value::Str("optimal".into()), 3));
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(
        err.to_string()
            .contains("replied to message 7 while 2 was pending"),
        "{err}"
    );
}

#[test]
fn a_silent_server_is_abandoned_within_the_timeout() {
    let addr = serve(|s| {
        thread::sleep(Duration::from_secs(5));
        drop(s);
    });
    assert_times_out(&addr, 300);
}

#[test]
fn a_trickling_server_cannot_extend_the_deadline() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
        read_frame(&mut s);
        let _ = s.write_all(&[0, 0, 0, 200]);
        for _ in 0..50 {
            if s.write_all(b"x").is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
    });
    assert_times_out(&addr, 500);
}

#[test]
fn a_closed_connection_is_reported() {
    let addr = serve(|mut s| {
        handshake_and_register(&mut s);
    });
    let err = status(&addr, 2000).unwrap_err();
    assert!(err.to_string().contains("closed the connection"), "{err}");
}

#[test]
fn nothing_listening_fails_at_once() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = Address::Tcp {
        host: "127.0.0.1".into(),
        port,
    };
    let start = Instant::now();
    let err = status(&addr, 5000).unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_zeo310_server_gets_protocol_1_and_legacy_errors_decode() {
    let addr = serve(|mut s| {
        s.write_all(&frame(b"Z310")).unwrap();
        assert_eq!(read_frame(&mut s), b"Z310");
        let register = read_frame(&mut s);
        assert_ne!(register[0], 0x80, "protocol 1 has no PROTO opcode");
        s.write_all(&reply(1, 0, Value::None, 1)).unwrap();
        read_frame(&mut s);
        let class = Value::Global {
            module: "exceptions".into(),
            name: "RuntimeError".into(),
        };
        let instance = Value::Object {
            class: Box::new(class.clone()),
            args: vec![Value::Bytes(b"no such storage".to_vec())],
            state: None,
        };
        s.write_all(&reply(2, 0, Value::Tuple(vec![class, instance]), 1))
            .unwrap();
    });
    match status(&addr, 2000) {
        Err(Error::Server { class, message }) => {
            assert_eq!(class, "exceptions.RuntimeError");
            assert_eq!(message, "no such storage");
        }
        other => panic!("{other:?}"),
    }
}
