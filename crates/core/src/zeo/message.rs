//! ZEO messages: `(msgid, flags, method, args)` in the negotiated encoding.

use super::error::{Error, Limits};
use super::value::Value;
use super::{msgpack, pickle};

/// Flag bit of a one-way (asynchronous) message; on a ZEO 5/6 `.reply` it
/// marks an exception instead.
pub const FLAG_ASYNC: i64 = 1;
/// Flag of a ZEO 5/6 error reply.
pub const FLAG_EXCEPTION: i64 = 2;
/// The method name of replies.
pub const REPLY: &str = ".reply";

/// How message payloads are encoded on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// Pickle, sent at this protocol (3 for ZEO 5/6, 1 for older servers).
    Pickle(u8),
    /// Msgpack (`M5`).
    Msgpack,
}

impl Codec {
    /// Encodes a call or reply.
    pub fn encode(
        &self,
        msgid: i64,
        flags: i64,
        method: &str,
        args: Value,
    ) -> Result<Vec<u8>, Error> {
        let message = Value::Tuple(vec![
            Value::Int(msgid),
            Value::Int(flags),
            Value::Str(method.to_owned()),
            args,
        ]);
        Ok(match self {
            Codec::Pickle(protocol) => pickle::encode(&message, *protocol)?,
            Codec::Msgpack => msgpack::encode(&message)?,
        })
    }

    /// Decodes a payload into a message.
    pub fn decode(&self, payload: &[u8], limits: &Limits) -> Result<Message, Error> {
        let value = match self {
            Codec::Pickle(_) => pickle::decode(payload, limits)?,
            Codec::Msgpack => msgpack::decode(payload, limits)?,
        };
        Message::from_value(value)
    }
}

/// A decoded message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The message id; -1 for heartbeats.
    pub msgid: i64,
    /// The flags (see [`FLAG_ASYNC`], [`FLAG_EXCEPTION`]).
    pub flags: i64,
    /// The method, `.reply` for replies.
    pub method: String,
    /// The arguments, or the result for replies.
    pub args: Value,
}

impl Message {
    fn from_value(value: Value) -> Result<Message, Error> {
        let shape = || Error::Protocol(format!("expected a 4-tuple message, got {}", value.repr()));
        let items = value.items().ok_or_else(shape)?;
        let [msgid, flags, method, args] = items else {
            return Err(shape());
        };
        let msgid = msgid.as_int().ok_or_else(shape)?;
        let flags = flags.as_int().ok_or_else(shape)?;
        let method = method.text().ok_or_else(shape)?;
        Ok(Message {
            msgid,
            flags,
            method,
            args: args.clone(),
        })
    }

    /// Whether this is a reply to a call (as opposed to a server-initiated
    /// async message or a heartbeat).
    pub fn is_reply(&self) -> bool {
        self.method == REPLY && self.msgid != -1
    }

    /// The call's result, or the server's exception as [`Error::Server`].
    ///
    /// ZEO 5/6 flag errors and send `(class name, args)`; ZEO 3/4 send the
    /// exception class and instance as an ordinary reply.
    pub fn into_result(self) -> Result<Value, Error> {
        if self.flags & FLAG_EXCEPTION != 0 || self.flags & FLAG_ASYNC != 0 {
            let bad = || Error::Protocol(format!("malformed error reply {}", self.args.repr()));
            let [class, args] = self.args.items().ok_or_else(bad)? else {
                return Err(bad());
            };
            let class = class.text().ok_or_else(bad)?;
            return Err(Error::Server {
                message: exception_message(args),
                class,
            });
        }
        if let Some([class @ Value::Global { .. }, instance]) = self.args.items() {
            return Err(Error::Server {
                class: class.class_name().unwrap_or_default(),
                message: match instance {
                    Value::Object { args, state, .. } => {
                        let from_args = exception_message(&Value::Tuple(args.clone()));
                        match (from_args.is_empty(), state) {
                            (true, Some(state)) => exception_message(state),
                            _ => from_args,
                        }
                    }
                    other => exception_message(other),
                },
            });
        }
        Ok(self.args)
    }
}

/// `str(exc)` from an exception's args (or its `__dict__`, which ZEO 5/6 send
/// when the exception has attributes).
fn exception_message(args: &Value) -> String {
    match args {
        Value::Tuple(items) | Value::List(items) => match items.as_slice() {
            [] => String::new(),
            [one] => one.display(),
            _ => Value::Tuple(items.clone()).display(),
        },
        Value::Dict(pairs) => pairs
            .iter()
            .find(|(k, _)| matches!(k.text().as_deref(), Some("message" | "args" | "msg")))
            .map(|(_, v)| exception_message(v))
            .unwrap_or_else(|| args.display()),
        other => other.display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(flags: i64, args: Value) -> Message {
        Message {
            msgid: 1,
            flags,
            method: REPLY.into(),
            args,
        }
    }

    #[test]
    fn zeo5_errors_carry_class_and_message() {
        let args = Value::Tuple(vec![
            "builtins.ValueError".into(),
            Value::Tuple(vec!["unknown storage: 2".into()]),
        ]);
        match msg(2, args).into_result() {
            Err(Error::Server { class, message }) => {
                assert_eq!(class, "builtins.ValueError");
                assert_eq!(message, "unknown storage: 2");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_errors_are_class_and_instance() {
        let class = Value::Global {
            module: "exceptions".into(),
            name: "KeyError".into(),
        };
        let instance = Value::Object {
            class: Box::new(class.clone()),
            args: vec![Value::Bytes(b"2".to_vec())],
            state: None,
        };
        match msg(0, Value::Tuple(vec![class, instance])).into_result() {
            Err(Error::Server { class, message }) => {
                assert_eq!(class, "exceptions.KeyError");
                assert_eq!(message, "2");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_results_pass_through() {
        assert_eq!(
            msg(0, "optimal".into()).into_result().unwrap(),
            "optimal".into()
        );
    }
}
