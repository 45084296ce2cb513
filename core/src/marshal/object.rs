//! The marshal object graph: every object of one marshal stream, with identity.
//!
//! CPython cannot rewrite a `.pyc` byte for byte because its writer decides reference
//! flags from reference counts at dump time. pycopt therefore never re-derives how an
//! object is encoded: each [`Node`] keeps its exact type byte (flag included), its raw
//! payload, and shared objects are one node reached along several edges. Writing the
//! graph back ([`super::write`]) then reproduces the input exactly.

use super::typecode::{TypeCode, FLAG_REF};
use crate::code::Code;

/// Index of an object in an [`ObjectGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjId(pub(crate) u32);

impl ObjId {
    /// The position of the object in its graph (stable for the graph's life).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in the graph's byte pool ([`ObjectGraph::bytes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl Span {
    /// Number of bytes in the span.
    pub fn len(self) -> usize {
        self.len as usize
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// A range of child ids in the graph's item pool ([`ObjectGraph::items`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Items {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl Items {
    /// Number of ids in the range (for a dict, twice its number of pairs).
    pub fn len(self) -> usize {
        self.len as usize
    }

    /// Whether the range is empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// What an object is, with its payload exactly as it was encoded.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    True,
    False,
    StopIteration,
    Ellipsis,
    /// `i`: a 32-bit int.
    Int(i32),
    /// `I`: a 64-bit int (legacy form).
    Int64(i64),
    /// `l`: an int of any size, as CPython's 15-bit digits (least significant first,
    /// little-endian `u16`s in the pool).
    Long {
        negative: bool,
        digits: Span,
    },
    /// `g`: the IEEE-754 bits, so NaN payloads and `-0.0` survive.
    Float(u64),
    /// `f`: a float as text.
    FloatText(Span),
    /// `y`: real and imaginary bits.
    Complex(u64, u64),
    /// `x`: real and imaginary as text.
    ComplexText(Span, Span),
    /// `s`: bytes. Python 2's `str`, written `s` or interned `t`, is this too (the
    /// node's type byte says which).
    Bytes(Span),
    /// One of the string codes (`u t a A z Z`); the node's type byte says which.
    Str(Span),
    Tuple(Items),
    List(Items),
    Set(Items),
    /// Elements in the order they were read.
    FrozenSet(Items),
    /// Keys and values alternating.
    Dict(Items),
    Code(Box<Code>),
}

/// One object: its type byte as read (including [`FLAG_REF`]), its value, and where
/// it started in the input (0 for objects made after reading).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The exact type byte: type code, plus [`FLAG_REF`] when the object was registered
    /// in the reference table.
    pub type_byte: u8,
    pub value: Value,
    /// Offset of the type byte in the file the node was read from.
    pub offset: u32,
}

impl Node {
    /// The type code without the flag.
    pub fn code(&self) -> TypeCode {
        TypeCode::from_byte(self.type_byte & !FLAG_REF).unwrap_or(TypeCode::Unknown)
    }

    /// Whether the type byte carries [`FLAG_REF`].
    pub fn flagged(&self) -> bool {
        self.type_byte & FLAG_REF != 0
    }
}

/// All objects of one marshal stream plus the pools their payloads live in.
///
/// Objects are addressed by [`ObjId`]; an object that the stream shares through a
/// reference is one node, reached from each place that refers to it.
#[derive(Clone, Debug, Default)]
pub struct ObjectGraph {
    nodes: Vec<Node>,
    bytes: Vec<u8>,
    items: Vec<ObjId>,
    /// How many of the pool's first bytes are the input the graph was read from.
    input_len: usize,
}

impl ObjectGraph {
    /// An empty graph whose byte pool starts as `bytes` (the reader passes the whole
    /// input so payloads are spans into it, not copies).
    pub fn with_bytes(bytes: Vec<u8>) -> ObjectGraph {
        ObjectGraph {
            nodes: Vec::new(),
            input_len: bytes.len(),
            bytes,
            items: Vec::new(),
        }
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no objects.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The object `id`.
    pub fn node(&self, id: ObjId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The object `id`, to change it in place.
    pub fn node_mut(&mut self, id: ObjId) -> &mut Node {
        &mut self.nodes[id.index()]
    }

    /// Every object id, in the order the objects were created.
    pub fn ids(&self) -> impl Iterator<Item = ObjId> {
        (0..self.nodes.len() as u32).map(ObjId)
    }

    /// Adds an object and returns its id.
    pub fn add(&mut self, node: Node) -> ObjId {
        let id = ObjId(self.nodes.len() as u32);
        self.nodes.push(node);
        id
    }

    /// Copies `data` into the byte pool.
    pub fn add_bytes(&mut self, data: &[u8]) -> Span {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(data);
        Span {
            start,
            len: data.len() as u32,
        }
    }

    /// Copies `ids` into the item pool.
    pub fn add_items(&mut self, ids: &[ObjId]) -> Items {
        let start = self.items.len() as u32;
        self.items.extend_from_slice(ids);
        Items {
            start,
            len: ids.len() as u32,
        }
    }

    /// Installs the nodes and item pool a reader built over this graph's bytes.
    pub(crate) fn adopt(&mut self, nodes: Vec<Node>, items: Vec<ObjId>) {
        self.nodes = nodes;
        self.items = items;
    }

    /// The bytes of a span.
    pub fn bytes(&self, span: Span) -> &[u8] {
        &self.bytes[span.start as usize..(span.start + span.len) as usize]
    }

    /// The ids of an item range.
    pub fn items(&self, items: Items) -> &[ObjId] {
        &self.items[items.start as usize..(items.start + items.len) as usize]
    }

    /// The raw payload of a `bytes` or string object.
    pub fn payload(&self, id: ObjId) -> Option<&[u8]> {
        match self.node(id).value {
            Value::Bytes(s) | Value::Str(s) => Some(self.bytes(s)),
            _ => None,
        }
    }

    /// The contents of a `bytes` object (`s`).
    pub fn as_bytes(&self, id: ObjId) -> Option<&[u8]> {
        match self.node(id).value {
            Value::Bytes(s) => Some(self.bytes(s)),
            _ => None,
        }
    }

    /// The elements of a tuple.
    pub fn as_tuple(&self, id: ObjId) -> Option<&[ObjId]> {
        match self.node(id).value {
            Value::Tuple(it) => Some(self.items(it)),
            _ => None,
        }
    }

    /// The elements of a tuple, list, set or frozenset, or the keys and values of a dict.
    pub fn children(&self, id: ObjId) -> &[ObjId] {
        match self.node(id).value {
            Value::Tuple(it)
            | Value::List(it)
            | Value::Set(it)
            | Value::FrozenSet(it)
            | Value::Dict(it) => self.items(it),
            _ => &[],
        }
    }

    /// The code object `id`, if it is one.
    pub fn as_code(&self, id: ObjId) -> Option<&Code> {
        match &self.node(id).value {
            Value::Code(c) => Some(c),
            _ => None,
        }
    }

    /// The text of a string object, when it is valid UTF-8 (Latin-1 forms are decoded;
    /// a Python 2 byte string counts when it is UTF-8). Strings holding lone
    /// surrogates give `None`: use [`ObjectGraph::str_lossy`] to show them.
    pub fn as_str(&self, id: ObjId) -> Option<std::borrow::Cow<'_, str>> {
        let node = self.node(id);
        let raw = match node.value {
            Value::Str(s) | Value::Bytes(s) => self.bytes(s),
            _ => return None,
        };
        if node.code().is_latin1_str() && !raw.is_ascii() {
            return Some(raw.iter().map(|&b| b as char).collect::<String>().into());
        }
        std::str::from_utf8(raw).ok().map(Into::into)
    }

    /// The text of a string object with anything undecodable replaced, for display.
    pub fn str_lossy(&self, id: ObjId) -> String {
        match self.as_str(id) {
            Some(s) => s.into_owned(),
            None => String::from_utf8_lossy(self.payload(id).unwrap_or(b"")).into_owned(),
        }
    }

    /// The value of an int object if it fits in `i64`.
    pub fn as_i64(&self, id: ObjId) -> Option<i64> {
        match self.node(id).value {
            Value::Int(v) => Some(v as i64),
            Value::Int64(v) => Some(v),
            Value::Long { negative, digits } => {
                let raw = self.bytes(digits);
                let mut mag: u128 = 0;
                for pair in raw.chunks_exact(2).rev() {
                    let d = u16::from_le_bytes([pair[0], pair[1]]) as u128;
                    mag = mag.checked_shl(15)? | d;
                    if mag > i64::MAX as u128 + 1 {
                        return None;
                    }
                }
                let v = if negative {
                    -(mag as i128)
                } else {
                    mag as i128
                };
                i64::try_from(v).ok()
            }
            _ => None,
        }
    }

    /// The original input from `offset` to its end (the pool's first bytes are the
    /// input the graph was read from).
    pub(crate) fn input_tail(&self, offset: usize) -> &[u8] {
        let end = self.input_len.min(self.bytes.len());
        &self.bytes[offset.min(end)..end]
    }

    /// Size of the byte pool (the input plus bytes added since).
    pub fn byte_pool_len(&self) -> usize {
        self.bytes.len()
    }
}
