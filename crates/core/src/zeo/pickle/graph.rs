//! The object graph the unpickler builds, and its bounded expansion into a
//! [`Value`] tree.
//!
//! Pickle's memo shares objects: a list stored with `PUT` and filled later by
//! `APPENDS` is the same list when `GET` fetches it again. The unpickler
//! therefore works on nodes in an arena that refer to each other by index,
//! and only the final expansion copies shared nodes, counting every copy
//! against the limits (so memo "billion laughs" and cycles fail cleanly).

use crate::zeo::error::Limits;
use crate::zeo::value::Value;

/// Index of a node in the arena.
pub(super) type Id = usize;

/// A copied text or byte string is charged one value per this many bytes.
const BYTES_PER_VALUE: usize = 16;

/// One object of the graph.
pub(super) enum Node {
    /// A value without children (numbers, texts, globals).
    Leaf(Value),
    Tuple(Vec<Id>),
    List(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Object {
        class: Id,
        args: Vec<Id>,
        state: Option<Id>,
    },
}

impl Node {
    fn children(&self) -> Vec<Id> {
        match self {
            Node::Leaf(_) => Vec::new(),
            Node::Tuple(items) | Node::List(items) => items.clone(),
            Node::Dict(pairs) => pairs.iter().flat_map(|(k, v)| [*k, *v]).collect(),
            Node::Object { class, args, state } => std::iter::once(*class)
                .chain(args.iter().copied())
                .chain(*state)
                .collect(),
        }
    }
}

/// The arena, with a lower bound of each node's nesting depth so that deep
/// nesting fails while it is being built, not only when it is expanded.
pub(super) struct Graph {
    nodes: Vec<Node>,
    depths: Vec<usize>,
    limits: Limits,
}

impl Graph {
    pub(super) fn new(limits: Limits) -> Self {
        Graph {
            nodes: Vec::new(),
            depths: Vec::new(),
            limits,
        }
    }

    /// Adds `node`, failing if it makes too many values or nests too deep.
    pub(super) fn add(&mut self, node: Node) -> Result<Id, String> {
        if self.nodes.len() >= self.limits.max_values {
            return Err(too_many(self.limits));
        }
        let depth = match node {
            Node::Leaf(_) => 0,
            _ => self.depth_over(&node.children()),
        };
        self.check_depth(depth)?;
        self.nodes.push(node);
        self.depths.push(depth);
        Ok(self.nodes.len() - 1)
    }

    pub(super) fn get(&self, id: Id) -> &Node {
        &self.nodes[id]
    }

    /// Lets `change` give container `id` the `added` children (in place:
    /// every reference sees it), then raises its depth bound for them.
    pub(super) fn extend(
        &mut self,
        id: Id,
        added: &[Id],
        change: impl FnOnce(&mut Node) -> Result<(), String>,
    ) -> Result<(), String> {
        change(&mut self.nodes[id])?;
        let depth = self.depth_over(added);
        self.check_depth(depth)?;
        self.depths[id] = self.depths[id].max(depth);
        Ok(())
    }

    fn depth_over(&self, children: &[Id]) -> usize {
        1 + children.iter().map(|c| self.depths[*c]).max().unwrap_or(0)
    }

    fn check_depth(&self, depth: usize) -> Result<(), String> {
        if depth > self.limits.max_depth {
            Err(too_deep(self.limits))
        } else {
            Ok(())
        }
    }

    /// Expands the graph under `root` into a tree, copying shared nodes.
    pub(super) fn expand(&self, root: Id) -> Result<Value, String> {
        Expansion::new(self).run(root)
    }
}

/// A step of the iterative expansion.
enum Task {
    Visit { id: Id, depth: usize },
    Tuple(usize),
    List(usize),
    Dict(usize),
    Object { args: usize, state: bool },
}

/// Post-order expansion with an explicit stack: children land on `done`,
/// then the parent's task collects them.
struct Expansion<'g> {
    graph: &'g Graph,
    tasks: Vec<Task>,
    done: Vec<Value>,
    seen: Vec<bool>,
    count: usize,
}

impl<'g> Expansion<'g> {
    fn new(graph: &'g Graph) -> Self {
        Expansion {
            graph,
            tasks: Vec::new(),
            done: Vec::new(),
            seen: vec![false; graph.nodes.len()],
            count: 0,
        }
    }

    fn run(mut self, root: Id) -> Result<Value, String> {
        self.tasks.push(Task::Visit { id: root, depth: 0 });
        while let Some(task) = self.tasks.pop() {
            match task {
                Task::Visit { id, depth } => self.visit(id, depth)?,
                Task::Tuple(n) => {
                    let items = self.collect(n);
                    self.done.push(Value::Tuple(items));
                }
                Task::List(n) => {
                    let items = self.collect(n);
                    self.done.push(Value::List(items));
                }
                Task::Dict(n) => {
                    let mut flat = self.collect(2 * n).into_iter();
                    let pairs = std::iter::from_fn(|| Some((flat.next()?, flat.next()?)));
                    self.done.push(Value::Dict(pairs.collect()));
                }
                Task::Object { args, state } => self.finish_object(args, state),
            }
        }
        self.done.pop().ok_or_else(|| "empty expansion".into())
    }

    fn visit(&mut self, id: Id, depth: usize) -> Result<(), String> {
        let node = self.graph.get(id);
        let copy = std::mem::replace(&mut self.seen[id], true);
        self.charge(1)?;
        let task = match node {
            Node::Leaf(value) => {
                if copy {
                    self.charge(payload_len(value) / BYTES_PER_VALUE)?;
                }
                self.done.push(value.clone());
                return Ok(());
            }
            Node::Tuple(items) => Task::Tuple(items.len()),
            Node::List(items) => Task::List(items.len()),
            Node::Dict(pairs) => Task::Dict(pairs.len()),
            Node::Object { args, state, .. } => Task::Object {
                args: args.len(),
                state: state.is_some(),
            },
        };
        if depth >= self.graph.limits.max_depth {
            return Err(too_deep(self.graph.limits));
        }
        self.tasks.push(task);
        let children = node.children();
        let visits = children.into_iter().rev().map(|id| Task::Visit {
            id,
            depth: depth + 1,
        });
        self.tasks.extend(visits);
        Ok(())
    }

    fn charge(&mut self, values: usize) -> Result<(), String> {
        self.count = self.count.saturating_add(values);
        if self.count > self.graph.limits.max_values {
            Err(too_many(self.graph.limits))
        } else {
            Ok(())
        }
    }

    /// The last `n` finished values, in order.
    fn collect(&mut self, n: usize) -> Vec<Value> {
        let start = self.done.len().saturating_sub(n);
        self.done.split_off(start)
    }

    fn finish_object(&mut self, args: usize, has_state: bool) {
        let state = if has_state { self.done.pop() } else { None };
        let args = self.collect(args);
        let class = self.done.pop().unwrap_or(Value::None);
        self.done.push(Value::Object {
            class: Box::new(class),
            args,
            state: state.map(Box::new),
        });
    }
}

fn payload_len(value: &Value) -> usize {
    match value {
        Value::Str(s) => s.len(),
        Value::Bytes(b) | Value::BigInt(b) => b.len(),
        Value::Global { module, name } => module.len() + name.len(),
        _ => 0,
    }
}

fn too_many(limits: Limits) -> String {
    format!("more than {} values", limits.max_values)
}

fn too_deep(limits: Limits) -> String {
    format!("nested deeper than {} levels", limits.max_depth)
}
