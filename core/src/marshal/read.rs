//! The marshal reader: bytes → [`ObjectGraph`].
//!
//! It accepts what the CPython reader of the same version accepts, and records how
//! every object was encoded. It is defensive: lengths are checked against the bytes
//! left before anything is allocated (so memory stays linear in the input), nesting is
//! bounded like CPython's `MAX_MARSHAL_STACK_DEPTH`, references must point at finished
//! objects (so the graph is acyclic), and every error carries the offset.

use std::collections::HashSet;

use super::error::ReadError;
use super::object::{Items, Node, ObjId, ObjectGraph, Span, Value};
use super::typecode::{TypeCode, FLAG_REF};
use crate::code::{Code, CodeLayout, Field, FieldKind};
use crate::version::PyVersion;

/// Bounds on what one read may consume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of containers and code objects (CPython: 2000).
    pub max_depth: usize,
    /// Largest input accepted, in bytes.
    pub max_input: usize,
    /// Most objects in one stream.
    pub max_objects: usize,
}

/// CPython's `MAX_MARSHAL_STACK_DEPTH` on non-Windows builds.
pub const MAX_MARSHAL_DEPTH: usize = 2000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: MAX_MARSHAL_DEPTH,
            max_input: 1 << 30,
            max_objects: 1 << 26,
        }
    }
}

/// The result of reading one object from a stream.
#[derive(Debug)]
pub struct ReadOutcome {
    pub graph: ObjectGraph,
    pub root: ObjId,
    /// Offset just past the object (CPython ignores anything after it).
    pub end: usize,
}

/// Reads one marshalled object starting at `start` in `data`, as `version` writes
/// them. The graph takes ownership of `data` (payload spans point into it).
pub fn read_object(
    data: Vec<u8>,
    start: usize,
    version: PyVersion,
    limits: &Limits,
) -> Result<ReadOutcome, ReadError> {
    if data.len() > limits.max_input {
        return Err(ReadError::InputTooLarge {
            len: data.len(),
            limit: limits.max_input,
        });
    }
    let mut r = Reader {
        data: &data,
        pos: start,
        version,
        marshal_version: version.marshal_version(),
        layout: CodeLayout::of(version),
        limits: *limits,
        depth: 0,
        nodes: Vec::new(),
        open: Vec::new(),
        items: Vec::new(),
        scratch: Vec::new(),
        refs: Vec::new(),
        str_tuples: HashSet::new(),
    };
    let root = r.object()?;
    let end = r.pos;
    let Reader { nodes, items, .. } = r;
    let mut graph = ObjectGraph::with_bytes(data);
    graph.adopt(nodes, items);
    Ok(ReadOutcome { graph, root, end })
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    version: PyVersion,
    marshal_version: u8,
    layout: CodeLayout,
    limits: Limits,
    depth: usize,
    nodes: Vec<Node>,
    /// Per node: still being read (a reference to it would make a cycle).
    open: Vec<bool>,
    /// The item pool being built.
    items: Vec<ObjId>,
    /// Children of the sequences being read, innermost last.
    scratch: Vec<ObjId>,
    /// The reference table: `FLAG_REF` objects (v3+) or interned strings (v2).
    refs: Vec<ObjId>,
    /// Tuples already found to hold only strings, so that a names tuple shared by
    /// many code objects is checked once, not once per code object.
    str_tuples: HashSet<ObjId>,
}

/// Most inline int fields of any code object layout.
const MAX_INT_FIELDS: usize = 8;

/// The slot of the int field at `index` among `fields`' int fields.
fn int_slot(fields: &[Field], index: usize) -> usize {
    fields[..index]
        .iter()
        .filter(|f| f.kind() == FieldKind::Int)
        .count()
}

/// What reading a type byte produced.
enum Started {
    /// A finished object, a reference, or `None` for NULL.
    Leaf(Option<ObjId>),
    /// A container whose children follow.
    Open(Open),
}

/// A container (or code object) whose children are being read. Its finished
/// children's ids sit on the reader's scratch stack from `base` on.
struct Open {
    id: ObjId,
    /// Offset of its type byte.
    at: usize,
    code: TypeCode,
    base: usize,
    kind: OpenKind,
}

enum OpenKind {
    /// Tuple, list, set or frozenset, with the number of children still to read.
    Seq { left: usize },
    /// Keys and values alternate on the scratch stack; `closed` once NULL was read.
    Dict { closed: bool },
    /// Fields are read in layout order; `field` is the next one, `child_at` the
    /// offset of the object field being read.
    Code {
        field: usize,
        ints: [i32; MAX_INT_FIELDS],
        child_at: usize,
    },
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ReadError> {
        if self.remaining() < n {
            return Err(ReadError::Truncated {
                offset: self.pos,
                what,
                needed: n - self.remaining(),
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, ReadError> {
        Ok(self.take(1, what)?[0])
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, ReadError> {
        let b = self.take(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, ReadError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// A 4-byte length, checked so that `len * min_size` bytes are still left.
    fn length(&mut self, min_size: usize, what: &'static str) -> Result<usize, ReadError> {
        let at = self.pos;
        let n = self.i32(what)?;
        if n < 0 {
            return Err(ReadError::NegativeLength {
                offset: at,
                len: n as i64,
            });
        }
        self.check_fits(at, n as usize, min_size)
    }

    fn check_fits(&self, at: usize, n: usize, min_size: usize) -> Result<usize, ReadError> {
        if n.saturating_mul(min_size) > self.remaining() {
            return Err(ReadError::LengthTooLarge {
                offset: at,
                len: n,
                remaining: self.remaining(),
            });
        }
        Ok(n)
    }

    fn span(&mut self, n: usize, what: &'static str) -> Result<Span, ReadError> {
        let start = self.pos;
        self.take(n, what)?;
        Ok(Span {
            start: start as u32,
            len: n as u32,
        })
    }

    fn new_node(&mut self, type_byte: u8, offset: usize) -> Result<ObjId, ReadError> {
        if self.nodes.len() >= self.limits.max_objects {
            return Err(ReadError::TooManyObjects {
                offset,
                limit: self.limits.max_objects,
            });
        }
        let id = ObjId(self.nodes.len() as u32);
        self.nodes.push(Node {
            type_byte,
            value: Value::None,
            offset: offset as u32,
        });
        self.open.push(true);
        Ok(id)
    }

    fn finish(&mut self, id: ObjId, value: Value) -> ObjId {
        self.nodes[id.index()].value = value;
        self.open[id.index()] = false;
        id
    }

    /// Reads one object that must not be NULL.
    ///
    /// Nesting is followed with an explicit stack of open containers rather than by
    /// recursion, so hostile nesting costs heap (bounded by `max_depth`), never the
    /// caller's thread stack.
    fn object(&mut self) -> Result<ObjId, ReadError> {
        let mut stack: Vec<Open> = Vec::new();
        let mut nullable = false;
        loop {
            let at = self.pos;
            let mut delivered = match self.start()? {
                Started::Open(open) => {
                    stack.push(open);
                    None
                }
                Started::Leaf(None) if !nullable => {
                    return Err(ReadError::UnexpectedNull { offset: at })
                }
                Started::Leaf(child) => Some(child),
            };
            // Hand finished objects to their containers, closing every container that
            // needs nothing more, until one needs another child (or the root is done).
            loop {
                let Some(top) = stack.last_mut() else {
                    match delivered {
                        Some(Some(root)) => return Ok(root),
                        _ => unreachable!("the root is delivered once it is finished"),
                    }
                };
                if let Some(child) = delivered.take() {
                    self.deliver(top, child)?;
                }
                match self.advance(top)? {
                    Some(n) => {
                        nullable = n;
                        break;
                    }
                    None => {
                        let open = stack.pop().expect("top exists");
                        delivered = Some(Some(self.close(open)?));
                    }
                }
            }
        }
    }

    /// Reads a type byte and everything of the object it starts that is not a child:
    /// a whole scalar, or a container's header (then returned open).
    fn start(&mut self) -> Result<Started, ReadError> {
        let at = self.pos;
        let byte = self.u8("a type code")?;
        let flag = byte & FLAG_REF != 0;
        let code = TypeCode::from_byte(byte & !FLAG_REF)
            .ok_or(ReadError::UnknownType { offset: at, byte })?;
        let (lo, hi) = code.versions();
        if self.marshal_version < lo
            || self.marshal_version > hi
            || (flag && self.marshal_version < 3)
        {
            if flag && self.marshal_version < 3 {
                return Err(ReadError::UnknownType { offset: at, byte });
            }
            return Err(ReadError::TypeNotInVersion {
                offset: at,
                code: code as u8 as char,
                version: self.marshal_version,
            });
        }
        match code {
            TypeCode::Null => return Ok(Started::Leaf(None)),
            TypeCode::Ref | TypeCode::StringRef => {
                let iat = self.pos;
                let index = self.i32("a reference index")?;
                let Some(&target) = usize::try_from(index).ok().and_then(|i| self.refs.get(i))
                else {
                    return Err(ReadError::BadReference {
                        offset: iat,
                        index: index as i64,
                        count: self.refs.len(),
                    });
                };
                if self.open[target.index()] {
                    return Err(ReadError::ReferenceUnderConstruction {
                        offset: iat,
                        index: index as usize,
                    });
                }
                return Ok(Started::Leaf(Some(target)));
            }
            TypeCode::Unknown => return Err(ReadError::UnmarshallableMarker { offset: at }),
            _ => {}
        }
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(ReadError::TooDeep {
                offset: at,
                limit: self.limits.max_depth,
            });
        }
        let id = self.new_node(byte, at)?;
        // Registration happens before children are read, as in CPython, so indices
        // are the pre-order positions of registered objects.
        let registers = if self.marshal_version >= 3 {
            flag && code.registers_ref()
        } else {
            code == TypeCode::Interned
        };
        if registers {
            self.refs.push(id);
        }
        let kind = match code {
            TypeCode::Tuple => OpenKind::Seq {
                left: self.length(1, "a tuple length")?,
            },
            TypeCode::SmallTuple => {
                let lat = self.pos;
                let n = self.u8("a tuple length")? as usize;
                OpenKind::Seq {
                    left: self.check_fits(lat, n, 1)?,
                }
            }
            TypeCode::List => OpenKind::Seq {
                left: self.length(1, "a list length")?,
            },
            TypeCode::Set => OpenKind::Seq {
                left: self.length(1, "a set length")?,
            },
            TypeCode::FrozenSet => OpenKind::Seq {
                left: self.length(1, "a frozenset length")?,
            },
            TypeCode::Dict => OpenKind::Dict { closed: false },
            TypeCode::Code => OpenKind::Code {
                field: 0,
                ints: [0; MAX_INT_FIELDS],
                child_at: 0,
            },
            _ => {
                let value = self.value(code, at)?;
                self.depth -= 1;
                return Ok(Started::Leaf(Some(self.finish(id, value))));
            }
        };
        Ok(Started::Open(Open {
            id,
            at,
            code,
            base: self.scratch.len(),
            kind,
        }))
    }

    /// Gives a finished child (or a dict's NULL terminator) to its container.
    fn deliver(&mut self, top: &mut Open, child: Option<ObjId>) -> Result<(), ReadError> {
        match &mut top.kind {
            OpenKind::Seq { left } => {
                *left -= 1;
                self.scratch
                    .push(child.expect("NULL is refused outside dicts"));
            }
            OpenKind::Dict { closed } => match child {
                Some(id) => self.scratch.push(id),
                None => *closed = true,
            },
            OpenKind::Code {
                field, child_at, ..
            } => {
                let f = self.layout.fields()[*field];
                let id = child.expect("NULL is refused in code objects");
                self.check_field(*child_at, f, id)?;
                self.scratch.push(id);
                *field += 1;
            }
        }
        Ok(())
    }

    /// What the open container needs next: `Some(nullable)` for another child (NULL
    /// allowed only where a dict key may end the dict), `None` when it is complete.
    /// Reads a code object's inline int fields on the way.
    fn advance(&mut self, top: &mut Open) -> Result<Option<bool>, ReadError> {
        Ok(match &mut top.kind {
            OpenKind::Seq { left } => (*left > 0).then_some(false),
            OpenKind::Dict { closed } => {
                let awaiting_key = (self.scratch.len() - top.base).is_multiple_of(2);
                (!*closed).then_some(awaiting_key)
            }
            OpenKind::Code {
                field,
                ints,
                child_at,
            } => {
                let fields = self.layout.fields();
                while *field < fields.len() && fields[*field].kind() == FieldKind::Int {
                    let f = fields[*field];
                    ints[int_slot(fields, *field)] = self.i32(f.name())?;
                    *field += 1;
                }
                if *field == fields.len() {
                    None
                } else {
                    *child_at = self.pos;
                    Some(false)
                }
            }
        })
    }

    /// Builds the value of a complete container and finishes its node.
    fn close(&mut self, open: Open) -> Result<ObjId, ReadError> {
        let value = match open.kind {
            OpenKind::Seq { .. } => {
                let items = self.flush_scratch(open.base);
                match open.code {
                    TypeCode::Tuple | TypeCode::SmallTuple => Value::Tuple(items),
                    TypeCode::List => Value::List(items),
                    TypeCode::Set => Value::Set(items),
                    _ => Value::FrozenSet(items),
                }
            }
            OpenKind::Dict { .. } => Value::Dict(self.flush_scratch(open.base)),
            OpenKind::Code { ints, .. } => {
                let layout = self.layout;
                let fields = layout.fields();
                let mut int_fields: Vec<(Field, i32)> = Vec::with_capacity(MAX_INT_FIELDS);
                let mut obj_fields: Vec<(Field, ObjId)> = Vec::with_capacity(fields.len());
                let mut children = self.scratch[open.base..].iter();
                for (i, &f) in fields.iter().enumerate() {
                    if f.kind() == FieldKind::Int {
                        int_fields.push((f, ints[int_slot(fields, i)]));
                    } else {
                        obj_fields.push((f, *children.next().expect("one child per field")));
                    }
                }
                self.scratch.truncate(open.base);
                let code = Code::from_fields(layout, &int_fields, &obj_fields);
                self.check_code(open.at, &code)?;
                Value::Code(Box::new(code))
            }
        };
        self.depth -= 1;
        Ok(self.finish(open.id, value))
    }

    /// The value of a scalar (a code without children).
    fn value(&mut self, code: TypeCode, at: usize) -> Result<Value, ReadError> {
        Ok(match code {
            TypeCode::None => Value::None,
            TypeCode::True => Value::True,
            TypeCode::False => Value::False,
            TypeCode::StopIteration => Value::StopIteration,
            TypeCode::Ellipsis => Value::Ellipsis,
            TypeCode::Int => Value::Int(self.i32("an int")?),
            TypeCode::Int64 => Value::Int64(self.u64("an int64")? as i64),
            TypeCode::Long => self.long()?,
            TypeCode::Float => Value::Float(self.u64("a float")?),
            TypeCode::FloatText => Value::FloatText(self.float_text()?),
            TypeCode::Complex => {
                let re = self.u64("a complex")?;
                let im = self.u64("a complex")?;
                Value::Complex(re, im)
            }
            TypeCode::ComplexText => {
                let re = self.float_text()?;
                let im = self.float_text()?;
                Value::ComplexText(re, im)
            }
            TypeCode::Bytes => {
                let n = self.length(1, "a bytes length")?;
                Value::Bytes(self.span(n, "bytes")?)
            }
            TypeCode::Unicode | TypeCode::Interned => {
                let n = self.length(1, "a string length")?;
                let start = self.pos;
                let span = self.span(n, "a string")?;
                let raw = &self.data[start..start + n];
                if self.marshal_version < 3 && code == TypeCode::Interned {
                    // Python 2's `t` is an interned byte string: any bytes, and it can
                    // stand wherever `s` can (even `co_code` or `co_lnotab`).
                    return Ok(Value::Bytes(span));
                }
                if !is_utf8_surrogatepass(raw) {
                    return Err(ReadError::BadUtf8 { offset: at });
                }
                Value::Str(span)
            }
            TypeCode::Ascii | TypeCode::AsciiInterned => {
                let n = self.length(1, "a string length")?;
                Value::Str(self.span(n, "a string")?)
            }
            TypeCode::ShortAscii | TypeCode::ShortAsciiInterned => {
                let n = self.u8("a string length")? as usize;
                Value::Str(self.span(n, "a string")?)
            }
            TypeCode::Tuple
            | TypeCode::SmallTuple
            | TypeCode::List
            | TypeCode::Set
            | TypeCode::FrozenSet
            | TypeCode::Dict
            | TypeCode::Code
            | TypeCode::Null
            | TypeCode::Ref
            | TypeCode::StringRef
            | TypeCode::Unknown => unreachable!("handled by start"),
        })
    }

    fn long(&mut self) -> Result<Value, ReadError> {
        let at = self.pos;
        let n = self.i32("a long digit count")?;
        let count = n.unsigned_abs() as usize;
        self.check_fits(at, count, 2)?;
        let start = self.pos;
        let span = self.span(count * 2, "long digits")?;
        let digits = &self.data[start..start + count * 2];
        for (i, pair) in digits.chunks_exact(2).enumerate() {
            let d = u16::from_le_bytes([pair[0], pair[1]]);
            if d > 0x7fff {
                return Err(ReadError::BadLong {
                    offset: start + 2 * i,
                    why: "digit out of range",
                });
            }
            if d == 0 && i + 1 == count {
                return Err(ReadError::BadLong {
                    offset: start + 2 * i,
                    why: "unnormalized (top digit is zero)",
                });
            }
        }
        Ok(Value::Long {
            negative: n < 0,
            digits: span,
        })
    }

    fn float_text(&mut self) -> Result<Span, ReadError> {
        let n = self.u8("a float text length")? as usize;
        let at = self.pos;
        let span = self.span(n, "float text")?;
        let text = &self.data[at..at + n];
        let ok = std::str::from_utf8(text)
            .ok()
            .map(|t| t.trim().parse::<f64>().is_ok())
            .unwrap_or(false);
        if !ok {
            return Err(ReadError::BadFloat {
                offset: at,
                text: String::from_utf8_lossy(text).into_owned(),
            });
        }
        Ok(span)
    }

    fn flush_scratch(&mut self, base: usize) -> Items {
        let start = self.items.len() as u32;
        self.items.extend_from_slice(&self.scratch[base..]);
        let len = (self.scratch.len() - base) as u32;
        self.scratch.truncate(base);
        Items { start, len }
    }

    fn check_field(&mut self, at: usize, field: Field, id: ObjId) -> Result<(), ReadError> {
        let node = &self.nodes[id.index()];
        let is_str = |n: &Node| match n.value {
            Value::Str(_) => true,
            // Python 2 identifiers are byte strings.
            Value::Bytes(_) => self.version.is_py2(),
            _ => false,
        };
        let ok = match field.kind() {
            FieldKind::Int => true,
            FieldKind::Bytes => matches!(node.value, Value::Bytes(_)),
            FieldKind::Tuple => matches!(node.value, Value::Tuple(_)),
            FieldKind::Str => is_str(node),
            FieldKind::TupleOfStr => match node.value {
                Value::Tuple(_) if self.str_tuples.contains(&id) => true,
                Value::Tuple(items) => self.items
                    [items.start as usize..(items.start + items.len) as usize]
                    .iter()
                    .all(|c| is_str(&self.nodes[c.index()])),
                _ => false,
            },
        };
        if ok {
            if field.kind() == FieldKind::TupleOfStr {
                self.str_tuples.insert(id);
            }
            return Ok(());
        }
        Err(ReadError::CodeField {
            offset: at,
            field: field.name(),
            found: value_name(&node.value),
            expected: match field.kind() {
                FieldKind::Int => "an int",
                FieldKind::Bytes => "bytes",
                FieldKind::Tuple => "a tuple",
                FieldKind::TupleOfStr => "a tuple of str",
                FieldKind::Str => "a str",
            },
        })
    }

    fn check_code(&self, at: usize, code: &Code) -> Result<(), ReadError> {
        let bad = |why: String| Err(ReadError::BadCode { offset: at, why });
        let len_of = |id: ObjId| match self.nodes[id.index()].value {
            Value::Bytes(s) => s.len(),
            Value::Tuple(i) => i.len(),
            _ => 0,
        };
        if code.argcount < 0 || code.kwonlyargcount < 0 || code.posonlyargcount < 0 {
            return bad("negative argument count".into());
        }
        if code.posonlyargcount > code.argcount {
            return bad("more positional-only arguments than arguments".into());
        }
        if code.stacksize < 0 || code.nlocals.is_some_and(|n| n < 0) {
            return bad("negative co_stacksize or co_nlocals".into());
        }
        if !self.version.is_py2() && len_of(code.code) % 2 != 0 {
            return bad(format!("co_code has odd length {}", len_of(code.code)));
        }
        if let crate::code::Locals::Plus { names, kinds } = code.locals {
            if len_of(names) != len_of(kinds) {
                return bad(format!(
                    "{} locals-plus names but {} kinds",
                    len_of(names),
                    len_of(kinds)
                ));
            }
        }
        Ok(())
    }
}

/// A short name for a value's type, for error messages.
pub(crate) fn value_name(v: &Value) -> &'static str {
    match v {
        Value::None => "None",
        Value::True | Value::False => "a bool",
        Value::StopIteration => "StopIteration",
        Value::Ellipsis => "Ellipsis",
        Value::Int(_) | Value::Int64(_) | Value::Long { .. } => "an int",
        Value::Float(_) | Value::FloatText(_) => "a float",
        Value::Complex(..) | Value::ComplexText(..) => "a complex",
        Value::Bytes(_) => "bytes",
        Value::Str(_) => "a str",
        Value::Tuple(_) => "a tuple",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::FrozenSet(_) => "a frozenset",
        Value::Dict(_) => "a dict",
        Value::Code(_) => "a code object",
    }
}

/// UTF-8 as CPython's `surrogatepass` error handler accepts it: standard UTF-8, plus
/// the three-byte encodings of U+D800..U+DFFF.
pub fn is_utf8_surrogatepass(raw: &[u8]) -> bool {
    if std::str::from_utf8(raw).is_ok() {
        return true;
    }
    let mut i = 0;
    while i < raw.len() {
        match std::str::from_utf8(&raw[i..]) {
            Ok(_) => return true,
            Err(e) => {
                i += e.valid_up_to();
                // A surrogate: ED A0..BF 80..BF.
                if raw.len() >= i + 3
                    && raw[i] == 0xED
                    && (0xA0..=0xBF).contains(&raw[i + 1])
                    && (0x80..=0xBF).contains(&raw[i + 2])
                {
                    i += 3;
                } else {
                    return false;
                }
            }
        }
    }
    true
}
