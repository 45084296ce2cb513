//! The marshal writer: [`ObjectGraph`] → bytes.
//!
//! Each node is written with its own type byte. A node is registered in the reference
//! table when its type byte carries [`FLAG_REF`] (marshal v3+) or it is an interned
//! string (v2), in pre-order exactly as the reader numbers them; meeting a registered
//! node again writes a reference to it. An unregistered node met again is written in
//! full again. For a graph the reader built, this reproduces the input byte for byte.

use super::error::WriteError;
use super::object::{ObjId, ObjectGraph, Value};
use super::read::MAX_MARSHAL_DEPTH;
use super::typecode::{TypeCode, FLAG_REF};
use crate::code::{CodeLayout, FieldKind};
use crate::version::PyVersion;

/// Appends the marshal encoding of `root` (and everything it reaches) to `out`.
pub fn write_object(
    graph: &ObjectGraph,
    root: ObjId,
    version: PyVersion,
    out: &mut Vec<u8>,
) -> Result<(), WriteError> {
    let mut w = Writer {
        g: graph,
        out,
        version,
        layout: CodeLayout::of(version),
        marshal_version: version.marshal_version(),
        index: vec![NOT_REGISTERED; graph.len()],
        open: vec![false; graph.len()],
        next_index: 0,
        depth: 0,
    };
    w.object(root)
}

const NOT_REGISTERED: u32 = u32::MAX;

struct Writer<'g, 'o> {
    g: &'g ObjectGraph,
    out: &'o mut Vec<u8>,
    version: PyVersion,
    layout: CodeLayout,
    marshal_version: u8,
    /// Reference index given to each registered node already written.
    index: Vec<u32>,
    /// Nodes being written (meeting one again would write a cycle).
    open: Vec<bool>,
    next_index: u32,
    depth: usize,
}

impl Writer<'_, '_> {
    fn i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn len32(
        &mut self,
        id: ObjId,
        what: &'static str,
        n: usize,
        code: TypeCode,
    ) -> Result<(), WriteError> {
        let v = i32::try_from(n).map_err(|_| WriteError::DoesNotFit {
            id: id.index(),
            what,
            len: n,
            code: code as u8 as char,
        })?;
        self.i32(v);
        Ok(())
    }

    fn len8(
        &mut self,
        id: ObjId,
        what: &'static str,
        n: usize,
        code: TypeCode,
    ) -> Result<(), WriteError> {
        let v = u8::try_from(n).map_err(|_| WriteError::DoesNotFit {
            id: id.index(),
            what,
            len: n,
            code: code as u8 as char,
        })?;
        self.out.push(v);
        Ok(())
    }

    fn object(&mut self, id: ObjId) -> Result<(), WriteError> {
        let i = id.index();
        if self.index[i] != NOT_REGISTERED {
            if self.open[i] {
                return Err(WriteError::Cycle { id: i });
            }
            self.out.push(if self.marshal_version >= 3 {
                b'r'
            } else {
                b'R'
            });
            let idx = self.index[i] as i32;
            self.i32(idx);
            return Ok(());
        }
        if self.open[i] {
            return Err(WriteError::Cycle { id: i });
        }
        let node = self.g.node(id);
        let code = node.code();
        let registers = if self.marshal_version >= 3 {
            node.flagged() && code.registers_ref()
        } else {
            code == TypeCode::Interned
        };
        self.depth += 1;
        if self.depth > MAX_MARSHAL_DEPTH {
            return Err(WriteError::TooDeep {
                id: i,
                limit: MAX_MARSHAL_DEPTH,
            });
        }
        if registers {
            self.index[i] = self.next_index;
            self.next_index += 1;
        }
        self.open[i] = true;
        self.out.push(node.type_byte);
        self.value(id, code)?;
        self.open[i] = false;
        self.depth -= 1;
        Ok(())
    }

    fn mismatch(&self, id: ObjId) -> WriteError {
        let node = self.g.node(id);
        WriteError::TypeMismatch {
            id: id.index(),
            byte: node.type_byte,
            value: super::read::value_name(&node.value),
        }
    }

    fn value(&mut self, id: ObjId, code: TypeCode) -> Result<(), WriteError> {
        use TypeCode as T;
        let g = self.g;
        match (&g.node(id).value, code) {
            (Value::None, T::None)
            | (Value::True, T::True)
            | (Value::False, T::False)
            | (Value::StopIteration, T::StopIteration)
            | (Value::Ellipsis, T::Ellipsis) => {}
            (Value::Int(v), T::Int) => self.i32(*v),
            (Value::Int64(v), T::Int64) => self.out.extend_from_slice(&v.to_le_bytes()),
            (Value::Long { negative, digits }, T::Long) => {
                let n = digits.len() / 2;
                let n = i32::try_from(n).map_err(|_| self.mismatch(id))?;
                self.i32(if *negative { -n } else { n });
                self.out.extend_from_slice(g.bytes(*digits));
            }
            (Value::Float(bits), T::Float) => self.out.extend_from_slice(&bits.to_le_bytes()),
            (Value::FloatText(s), T::FloatText) => {
                self.len8(id, "float text", s.len(), code)?;
                self.out.extend_from_slice(g.bytes(*s));
            }
            (Value::Complex(re, im), T::Complex) => {
                self.out.extend_from_slice(&re.to_le_bytes());
                self.out.extend_from_slice(&im.to_le_bytes());
            }
            (Value::ComplexText(re, im), T::ComplexText) => {
                for s in [re, im] {
                    self.len8(id, "complex text", s.len(), code)?;
                    self.out.extend_from_slice(g.bytes(*s));
                }
            }
            (Value::Bytes(s), T::Bytes) | (Value::Bytes(s), T::Interned)
                if code == T::Bytes || self.marshal_version < 3 =>
            {
                self.len32(id, "bytes", s.len(), code)?;
                self.out.extend_from_slice(g.bytes(*s));
            }
            (Value::Str(s), T::Unicode | T::Interned | T::Ascii | T::AsciiInterned) => {
                self.len32(id, "string", s.len(), code)?;
                self.out.extend_from_slice(g.bytes(*s));
            }
            (Value::Str(s), T::ShortAscii | T::ShortAsciiInterned) => {
                self.len8(id, "string", s.len(), code)?;
                self.out.extend_from_slice(g.bytes(*s));
            }
            (Value::Tuple(items), T::Tuple)
            | (Value::List(items), T::List)
            | (Value::Set(items), T::Set)
            | (Value::FrozenSet(items), T::FrozenSet) => {
                self.len32(id, "item count", items.len(), code)?;
                for &c in g.items(*items) {
                    self.object(c)?;
                }
            }
            (Value::Tuple(items), T::SmallTuple) => {
                self.len8(id, "item count", items.len(), code)?;
                for &c in g.items(*items) {
                    self.object(c)?;
                }
            }
            (Value::Dict(items), T::Dict) => {
                for &c in g.items(*items) {
                    self.object(c)?;
                }
                self.out.push(TypeCode::Null as u8);
            }
            (Value::Code(c), T::Code) => {
                if c.layout != self.layout {
                    return Err(WriteError::CodeLayout {
                        id: id.index(),
                        version: self.version.to_string(),
                    });
                }
                for &field in self.layout.fields() {
                    if field.kind() == FieldKind::Int {
                        let v = c.int_field(field);
                        self.i32(v);
                    } else {
                        let Some(child) = c.obj_field(field) else {
                            return Err(WriteError::CodeLayout {
                                id: id.index(),
                                version: self.version.to_string(),
                            });
                        };
                        self.object(child)?;
                    }
                }
            }
            _ => return Err(self.mismatch(id)),
        }
        Ok(())
    }
}

/// Whether `type_byte` would be registered by a reader of marshal `version`.
pub fn is_registered(type_byte: u8, marshal_version: u8) -> bool {
    let Some(code) = TypeCode::from_byte(type_byte & !FLAG_REF) else {
        return false;
    };
    if marshal_version >= 3 {
        type_byte & FLAG_REF != 0 && code.registers_ref()
    } else {
        code == TypeCode::Interned
    }
}
