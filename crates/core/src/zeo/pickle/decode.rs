//! The unpickler: pickle's stack machine, building a graph and executing
//! nothing (a global is only a name, a call only records its arguments).

use std::collections::HashMap;

use super::graph::{Graph, Id, Node};
use super::op::*;
use super::{long, text};
use crate::zeo::error::{CodecError, Limits};
use crate::zeo::reader::Reader;
use crate::zeo::value::Value;

/// The highest pickle protocol a `PROTO` opcode may announce.
const HIGHEST_PROTOCOL: u8 = 5;

/// Decodes one pickle; see [`super::decode()`].
pub(super) fn decode(data: &[u8], limits: &Limits) -> Result<Value, CodecError> {
    Unpickler::new(data, *limits).run()
}

struct Unpickler<'a> {
    input: Reader<'a>,
    graph: Graph,
    stack: Vec<Id>,
    /// Stack lengths at each open `MARK`; nothing may pop below the last.
    marks: Vec<usize>,
    memo: HashMap<u64, Id>,
    /// Offset of the opcode being executed, for error messages.
    at: usize,
}

impl<'a> Unpickler<'a> {
    fn new(data: &'a [u8], limits: Limits) -> Self {
        Unpickler {
            input: Reader::new(data),
            graph: Graph::new(limits),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            at: 0,
        }
    }

    fn run(mut self) -> Result<Value, CodecError> {
        loop {
            self.at = self.input.pos();
            match self.input.opcode() {
                None => return Err(self.fail("pickle ends without STOP")),
                Some(STOP) => return self.stop(),
                Some(op) => self.step(op)?,
            }
        }
    }

    fn stop(&mut self) -> Result<Value, CodecError> {
        let root = self.pop()?;
        let trailing = self.input.remaining();
        if trailing > 0 {
            let message = format!("{trailing} bytes of garbage after STOP");
            return Err(CodecError::new(message, self.input.pos()));
        }
        self.graph.expand(root).map_err(|m| self.fail(m))
    }

    fn step(&mut self, op: u8) -> Result<(), CodecError> {
        match op {
            MARK => self.marks.push(self.stack.len()),
            POP => self.pop_any()?,
            POP_MARK => drop(self.pop_mark()?),
            DUP => {
                let top = self.top()?;
                self.stack.push(top);
            }
            PROTO => self.proto()?,
            FRAME => self.frame()?,
            _ => return self.step_value(op),
        }
        Ok(())
    }

    /// Opcodes that make, combine or fetch values.
    fn step_value(&mut self, op: u8) -> Result<(), CodecError> {
        match op {
            NONE | NEWTRUE | NEWFALSE | INT | BININT | BININT1 | BININT2 | LONG | LONG1 | LONG4
            | FLOAT | BINFLOAT => self.scalar(op),
            STRING | BINSTRING | SHORT_BINSTRING | BINBYTES | SHORT_BINBYTES | BINBYTES8
            | UNICODE | BINUNICODE | SHORT_BINUNICODE | BINUNICODE8 => self.string(op),
            EMPTY_TUPLE | TUPLE | TUPLE1 | TUPLE2 | TUPLE3 | EMPTY_LIST | LIST | EMPTY_DICT
            | DICT | EMPTY_SET | FROZENSET => self.container(op),
            APPEND | APPENDS | ADDITEMS | SETITEM | SETITEMS => self.fill(op),
            GET | BINGET | LONG_BINGET | PUT | BINPUT | LONG_BINPUT | MEMOIZE => self.memo_op(op),
            GLOBAL | STACK_GLOBAL | REDUCE | NEWOBJ | INST | OBJ | BUILD => self.object(op),
            _ => Err(self.fail(match unsupported_name(op) {
                Some(name) => format!("unsupported pickle opcode {name} (0x{op:02x})"),
                None => format!("unknown pickle opcode 0x{op:02x}"),
            })),
        }
    }

    fn proto(&mut self) -> Result<(), CodecError> {
        let version = self.input.u8("PROTO")?;
        if version > HIGHEST_PROTOCOL {
            return Err(self.fail(format!("unsupported pickle protocol {version}")));
        }
        Ok(())
    }

    /// `FRAME` only groups opcodes; its length must fit what is left.
    fn frame(&mut self) -> Result<(), CodecError> {
        let len = self.input.u64_le("FRAME")?;
        let remaining = self.input.remaining();
        if usize::try_from(len).map_or(true, |len| len > remaining) {
            let message = format!("FRAME claims {len} bytes but only {remaining} remain");
            return Err(self.fail(message));
        }
        Ok(())
    }

    fn scalar(&mut self, op: u8) -> Result<(), CodecError> {
        let value = match op {
            NONE => Value::None,
            NEWTRUE => Value::Bool(true),
            NEWFALSE => Value::Bool(false),
            INT => self.text_arg("INT", text::int_arg)?,
            BININT => Value::Int(self.input.i32_le("BININT")?.into()),
            BININT1 => Value::Int(self.input.u8("BININT1")?.into()),
            BININT2 => Value::Int(self.input.u16_le("BININT2")?.into()),
            LONG => self.text_arg("LONG", text::long_arg)?,
            LONG1 => {
                let len = self.input.u8("LONG1")?;
                long::le_to_value(self.input.take(len.into(), "LONG1")?)
            }
            LONG4 => {
                let len = self.signed_len("LONG4")?;
                long::le_to_value(self.input.take(len, "LONG4")?)
            }
            FLOAT => Value::Float(self.text_arg("FLOAT", text::float_arg)?),
            _ => Value::Float(f64::from_be_bytes(self.input.array("BINFLOAT")?)),
        };
        self.push_leaf(value)
    }

    fn string(&mut self, op: u8) -> Result<(), CodecError> {
        let value = match op {
            STRING => Value::Bytes(self.text_arg("STRING", text::string_arg)?),
            UNICODE => Value::Str(self.text_arg("UNICODE", text::unicode_arg)?),
            BINSTRING => {
                let len = self.signed_len("BINSTRING")?;
                Value::Bytes(self.input.take(len, "BINSTRING")?.to_vec())
            }
            SHORT_BINSTRING => Value::Bytes(self.counted(1, "SHORT_BINSTRING")?.to_vec()),
            BINBYTES => Value::Bytes(self.counted(4, "BINBYTES")?.to_vec()),
            SHORT_BINBYTES => Value::Bytes(self.counted(1, "SHORT_BINBYTES")?.to_vec()),
            BINBYTES8 => Value::Bytes(self.counted(8, "BINBYTES8")?.to_vec()),
            BINUNICODE => self.utf8(4, "BINUNICODE")?,
            SHORT_BINUNICODE => self.utf8(1, "SHORT_BINUNICODE")?,
            _ => self.utf8(8, "BINUNICODE8")?,
        };
        self.push_leaf(value)
    }

    /// The bytes after an unsigned little-endian length of `width` bytes.
    fn counted(&mut self, width: usize, what: &str) -> Result<&'a [u8], CodecError> {
        let len = match width {
            1 => self.input.u8(what)?.into(),
            4 => self.input.u32_le(what)?.into(),
            _ => self.input.u64_le(what)?,
        };
        self.input.take(len, what)
    }

    fn utf8(&mut self, width: usize, what: &str) -> Result<Value, CodecError> {
        let start = self.input.pos();
        let bytes = self.counted(width, what)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Value::Str(text.to_owned())),
            Err(_) => Err(CodecError::new(format!("{what} text is not UTF-8"), start)),
        }
    }

    /// A signed 4-byte length that must not be negative.
    fn signed_len(&mut self, what: &str) -> Result<u64, CodecError> {
        let len = self.input.i32_le(what)?;
        u64::try_from(len).map_err(|_| self.fail(format!("{what} has negative length {len}")))
    }

    fn text_arg<T>(
        &mut self,
        what: &str,
        parse: impl FnOnce(&[u8]) -> Result<T, String>,
    ) -> Result<T, CodecError> {
        let line = self.input.line(what)?;
        parse(line).map_err(|m| self.fail(format!("{what}: {m}")))
    }

    fn container(&mut self, op: u8) -> Result<(), CodecError> {
        let node = match op {
            EMPTY_TUPLE => Node::Tuple(Vec::new()),
            TUPLE => Node::Tuple(self.pop_mark()?),
            TUPLE1 => Node::Tuple(self.pop_n(1)?),
            TUPLE2 => Node::Tuple(self.pop_n(2)?),
            TUPLE3 => Node::Tuple(self.pop_n(3)?),
            EMPTY_LIST | EMPTY_SET => Node::List(Vec::new()),
            LIST | FROZENSET => Node::List(self.pop_mark()?),
            EMPTY_DICT => Node::Dict(Vec::new()),
            _ => {
                let items = self.pop_mark()?;
                Node::Dict(self.pairs(&items)?)
            }
        };
        self.push(node)
    }

    /// `APPEND(S)`, `ADDITEMS` and `SETITEM(S)`: add to the container below.
    fn fill(&mut self, op: u8) -> Result<(), CodecError> {
        let items = match op {
            APPEND => self.pop_n(1)?,
            SETITEM => self.pop_n(2)?,
            _ => self.pop_mark()?,
        };
        let target = self.top()?;
        let result = if matches!(op, SETITEM | SETITEMS) {
            let pairs = self.pairs(&items)?;
            self.graph.extend(target, &items, |node| match node {
                Node::Dict(existing) => {
                    existing.extend(pairs);
                    Ok(())
                }
                _ => Err("SETITEM(S) on something that is not a dict".into()),
            })
        } else {
            let added = items.clone();
            self.graph.extend(target, &items, |node| match node {
                Node::List(existing) => {
                    existing.extend(added);
                    Ok(())
                }
                _ => Err("APPEND(S)/ADDITEMS on something that is not a list or set".into()),
            })
        };
        result.map_err(|m| self.fail(m))
    }

    fn pairs(&self, items: &[Id]) -> Result<Vec<(Id, Id)>, CodecError> {
        if items.len() % 2 != 0 {
            return Err(self.fail("odd number of items for dict keys and values"));
        }
        Ok(items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect())
    }

    fn memo_op(&mut self, op: u8) -> Result<(), CodecError> {
        let key = match op {
            GET | PUT => self.text_arg("memo key", text::index_arg)?,
            BINGET | BINPUT => self.input.u8("memo key")?.into(),
            LONG_BINGET | LONG_BINPUT => self.input.u32_le("memo key")?.into(),
            _ => self.memo.len() as u64,
        };
        if matches!(op, GET | BINGET | LONG_BINGET) {
            let id = *self
                .memo
                .get(&key)
                .ok_or_else(|| self.fail(format!("memo key {key} was never stored")))?;
            self.stack.push(id);
        } else {
            let top = self.top()?;
            self.memo.insert(key, top);
        }
        Ok(())
    }

    fn object(&mut self, op: u8) -> Result<(), CodecError> {
        let node = match op {
            GLOBAL => Node::Leaf(self.global_lines("GLOBAL")?),
            STACK_GLOBAL => Node::Leaf(self.stack_global()?),
            REDUCE | NEWOBJ => {
                let args = self.pop()?;
                let class = self.pop()?;
                let args = self.tuple_items(args)?;
                self.call(class, args)
            }
            INST => {
                let class = self.global_lines("INST")?;
                let args = self.pop_mark()?;
                let class = self
                    .graph
                    .add(Node::Leaf(class))
                    .map_err(|m| self.fail(m))?;
                Node::Object {
                    class,
                    args,
                    state: None,
                }
            }
            OBJ => {
                let mut items = self.pop_mark()?.into_iter();
                let class = items
                    .next()
                    .ok_or_else(|| self.fail("OBJ without a class"))?;
                Node::Object {
                    class,
                    args: items.collect(),
                    state: None,
                }
            }
            _ => return self.build(),
        };
        self.push(node)
    }

    fn global_lines(&mut self, what: &str) -> Result<Value, CodecError> {
        let module = self.text_arg(what, text::name_arg)?;
        let name = self.text_arg(what, text::name_arg)?;
        Ok(Value::Global { module, name })
    }

    fn stack_global(&mut self) -> Result<Value, CodecError> {
        let name = self.pop()?;
        let module = self.pop()?;
        match (self.graph.get(module), self.graph.get(name)) {
            (Node::Leaf(Value::Str(module)), Node::Leaf(Value::Str(name))) => Ok(Value::Global {
                module: module.clone(),
                name: name.clone(),
            }),
            _ => Err(self.fail("STACK_GLOBAL needs two texts")),
        }
    }

    fn tuple_items(&self, id: Id) -> Result<Vec<Id>, CodecError> {
        match self.graph.get(id) {
            Node::Tuple(items) => Ok(items.clone()),
            _ => Err(self.fail("call arguments are not a tuple")),
        }
    }

    /// A recorded call, except Python 3's way of pickling `bytes` below
    /// protocol 3, which becomes the bytes themselves.
    fn call(&self, class: Id, args: Vec<Id>) -> Node {
        match self.bytes_call(class, &args) {
            Some(bytes) => Node::Leaf(Value::Bytes(bytes)),
            None => Node::Object {
                class,
                args,
                state: None,
            },
        }
    }

    /// The bytes of `_codecs.encode(text, 'latin1')` or `bytes()`.
    fn bytes_call(&self, class: Id, args: &[Id]) -> Option<Vec<u8>> {
        let Node::Leaf(Value::Global { module, name }) = self.graph.get(class) else {
            return None;
        };
        let leaf = |id: &Id| match self.graph.get(*id) {
            Node::Leaf(value) => Some(value),
            _ => None,
        };
        let args: Vec<&Value> = args.iter().map(leaf).collect::<Option<_>>()?;
        match (module.as_str(), name.as_str(), args.as_slice()) {
            ("_codecs", "encode", [Value::Str(text), Value::Str(codec)])
                if matches!(codec.as_str(), "latin1" | "latin-1") =>
            {
                text.chars().map(|c| u8::try_from(c).ok()).collect()
            }
            ("__builtin__" | "builtins", "bytes", []) => Some(Vec::new()),
            _ => None,
        }
    }

    /// `BUILD`: records the state on the object below it.
    fn build(&mut self) -> Result<(), CodecError> {
        let new_state = self.pop()?;
        let target = self.top()?;
        let result = self.graph.extend(target, &[new_state], |node| match node {
            Node::Object { state, .. } => {
                *state = Some(new_state);
                Ok(())
            }
            _ => Err("BUILD on something that is not an object".into()),
        });
        result.map_err(|m| self.fail(m))
    }

    fn push_leaf(&mut self, value: Value) -> Result<(), CodecError> {
        self.push(Node::Leaf(value))
    }

    fn push(&mut self, node: Node) -> Result<(), CodecError> {
        let id = self.graph.add(node).map_err(|m| self.fail(m))?;
        self.stack.push(id);
        Ok(())
    }

    /// The lowest stack index the current `MARK` lets us touch.
    fn floor(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn top(&self) -> Result<Id, CodecError> {
        match self.stack.last() {
            Some(id) if self.stack.len() > self.floor() => Ok(*id),
            _ => Err(self.underflow()),
        }
    }

    fn pop(&mut self) -> Result<Id, CodecError> {
        let id = self.top()?;
        self.stack.pop();
        Ok(id)
    }

    fn pop_n(&mut self, n: usize) -> Result<Vec<Id>, CodecError> {
        if self.stack.len() < self.floor() + n {
            return Err(self.underflow());
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    /// `POP`: the top item or, if the stack above the mark is empty, the mark.
    fn pop_any(&mut self) -> Result<(), CodecError> {
        if self.stack.len() > self.floor() {
            self.stack.pop();
            Ok(())
        } else {
            self.pop_mark().map(drop)
        }
    }

    /// Everything above the last `MARK`, which is removed.
    fn pop_mark(&mut self) -> Result<Vec<Id>, CodecError> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.fail("MARK missing before this opcode"))?;
        Ok(self.stack.split_off(mark.min(self.stack.len())))
    }

    fn underflow(&self) -> CodecError {
        self.fail("pickle stack underflow")
    }

    fn fail(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(message, self.at)
    }
}
