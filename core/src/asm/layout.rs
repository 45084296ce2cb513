//! The marshal layout: how each object of a `.pyc` was encoded, recorded by the
//! disassembler and replayed by the assembler.
//!
//! The layout is the type byte (reference flag included) of every object occurrence,
//! in the order marshal writes them (pre-order; a code object's fields in
//! [`CodeLayout::fields`] order), and `rN` where the file holds a reference to the
//! `N`th registered object instead. Replaying it over the objects the text describes
//! gives back the same encoding and the same sharing: an occurrence takes the recorded
//! type byte if that type can hold its value, and a reference is kept if the object it
//! names is equal to the value at hand. From the first occurrence where neither holds
//! (the text was edited there), the rest is encoded the default way: valid, not
//! byte-identical.

use super::literal::Lit;
use super::parse::LayoutTok;
use crate::code::{Code, CodeLayout, Field, Locals};
use crate::marshal::{
    is_registered, Node, ObjId, ObjectGraph, TypeCode, Value, FLAG_REF, MAX_MARSHAL_DEPTH,
};
use crate::version::PyVersion;

/// Records the layout of everything reachable from `root`.
pub(crate) fn record(g: &ObjectGraph, root: ObjId, version: PyVersion) -> Vec<LayoutTok> {
    let mv = version.marshal_version();
    let layout = CodeLayout::of(version);
    let mut out = Vec::with_capacity(g.len());
    let mut index = vec![u32::MAX; g.len()];
    let mut next = 0u32;
    let mut stack = vec![root];
    let mut fields = Vec::new();
    while let Some(id) = stack.pop() {
        let i = id.index();
        if index[i] != u32::MAX {
            out.push(LayoutTok::Ref(index[i]));
            continue;
        }
        let node = g.node(id);
        out.push(LayoutTok::Type(node.type_byte));
        if is_registered(node.type_byte, mv) {
            index[i] = next;
            next += 1;
        }
        match &node.value {
            Value::Code(c) => {
                fields.clear();
                fields.extend(layout.fields().iter().filter_map(|&f| c.obj_field(f)));
                stack.extend(fields.iter().rev());
            }
            _ => stack.extend(g.children(id).iter().rev()),
        }
    }
    out
}

/// A code object ready to be marshalled: its int fields and its object fields, in
/// the layout's order.
#[derive(Clone, Debug)]
pub(crate) struct CodeVal {
    pub layout: CodeLayout,
    pub argcount: i32,
    pub posonlyargcount: i32,
    pub kwonlyargcount: i32,
    pub nlocals: Option<i32>,
    pub stacksize: i32,
    pub flags: i32,
    pub firstlineno: i32,
    /// Every object field of the layout, in marshal order.
    pub fields: Vec<(Field, Lit)>,
}

/// Builds the object graph of a file from its code objects, replaying a layout.
pub(crate) struct Builder<'a> {
    version: PyVersion,
    mv: u8,
    pub graph: ObjectGraph,
    layout: &'a [LayoutTok],
    pos: usize,
    replaying: bool,
    /// Registered objects so far, by reference index.
    registered: Vec<(&'a Lit, ObjId)>,
    codes: &'a [CodeVal],
    /// Code blocks being built (a block reaching itself is a cycle).
    open: Vec<bool>,
    /// Nesting of the object being built.
    depth: usize,
}

/// Why the graph could not be built.
#[derive(Debug)]
pub(crate) enum BuildError {
    /// Code block `0` contains itself.
    Cycle(u32),
    /// Objects nested deeper than marshal allows.
    TooDeep,
    /// An int too large for marshal (more digits than a 32-bit count can say).
    TooLarge(&'static str),
}

impl<'a> Builder<'a> {
    pub fn new(version: PyVersion, layout: &'a [LayoutTok], codes: &'a [CodeVal]) -> Builder<'a> {
        Builder {
            version,
            mv: version.marshal_version(),
            graph: ObjectGraph::default(),
            layout,
            pos: 0,
            replaying: !layout.is_empty(),
            registered: Vec::new(),
            codes,
            open: vec![false; codes.len()],
            depth: 0,
        }
    }

    /// Adds `lit` (and everything it holds) to the graph; returns its id.
    pub fn emit(&mut self, lit: &'a Lit) -> Result<ObjId, BuildError> {
        if self.replaying {
            match self.layout.get(self.pos) {
                Some(LayoutTok::Ref(n)) => {
                    if let Some(&(v, id)) = self.registered.get(*n as usize) {
                        if v == lit {
                            self.pos += 1;
                            return Ok(id);
                        }
                    }
                }
                Some(LayoutTok::Type(b)) if self.compatible(*b, lit) => {
                    self.pos += 1;
                    return self.build(lit, *b);
                }
                _ => {}
            }
            self.replaying = false;
        }
        let b = self.default_type(lit);
        self.build(lit, b)
    }

    /// Whether an object written with type byte `b` can hold `lit`.
    fn compatible(&self, b: u8, lit: &Lit) -> bool {
        use TypeCode as T;
        let Some(code) = TypeCode::from_byte(b & !FLAG_REF) else {
            return false;
        };
        let (lo, hi) = code.versions();
        if self.mv < lo || self.mv > hi || (b & FLAG_REF != 0 && self.mv < 3) {
            return false;
        }
        let py2 = self.version.is_py2();
        match (lit, code) {
            (Lit::None, T::None)
            | (Lit::True, T::True)
            | (Lit::False, T::False)
            | (Lit::Ellipsis, T::Ellipsis)
            | (Lit::StopIteration, T::StopIteration) => true,
            (Lit::Int { value, py2_long }, T::Int) => {
                !(py2 && *py2_long) && value.as_i64().is_some_and(|v| i32::try_from(v).is_ok())
            }
            (Lit::Int { value, py2_long }, T::Int64) => {
                !(py2 && *py2_long) && value.as_i64().is_some()
            }
            (Lit::Int { py2_long, .. }, T::Long) => !py2 || *py2_long,
            (Lit::Float(_), T::Float | T::FloatText) => true,
            (Lit::Complex(..), T::Complex | T::ComplexText) => true,
            (Lit::Bytes(_), T::Bytes) => true,
            (Lit::Bytes(_), T::Interned) => py2,
            (Lit::Str(_), T::Unicode) => true,
            (Lit::Str(_), T::Interned) => !py2,
            (Lit::Str(s), T::Ascii | T::AsciiInterned) => latin1(s).is_some(),
            (Lit::Str(s), T::ShortAscii | T::ShortAsciiInterned) => {
                latin1(s).is_some_and(|l| l.len() < 256)
            }
            (Lit::Tuple(_), T::Tuple) => true,
            (Lit::Tuple(v), T::SmallTuple) => v.len() < 256,
            (Lit::List(_), T::List)
            | (Lit::Set(_), T::Set)
            | (Lit::FrozenSet(_), T::FrozenSet)
            | (Lit::Dict(_), T::Dict)
            | (Lit::Code(_), T::Code) => true,
            _ => false,
        }
    }

    /// The type byte CPython's writer would pick, without reference flags.
    fn default_type(&self, lit: &Lit) -> u8 {
        use TypeCode as T;
        let py2 = self.version.is_py2();
        let code = match lit {
            Lit::None => T::None,
            Lit::True => T::True,
            Lit::False => T::False,
            Lit::Ellipsis => T::Ellipsis,
            Lit::StopIteration => T::StopIteration,
            Lit::Int { value, py2_long } => match value.as_i64() {
                _ if py2 && *py2_long => T::Long,
                Some(v) if i32::try_from(v).is_ok() => T::Int,
                Some(_) if py2 => T::Int64,
                _ => T::Long,
            },
            Lit::Float(_) => T::Float,
            Lit::Complex(..) => T::Complex,
            Lit::Bytes(b) if py2 && identifier_like(b) => T::Interned,
            Lit::Bytes(_) => T::Bytes,
            Lit::Str(_) if py2 => T::Unicode,
            Lit::Str(s) => {
                let interned = identifier_like(s);
                match (s.is_ascii(), s.len() < 256, interned) {
                    (true, true, true) => T::ShortAsciiInterned,
                    (true, true, false) => T::ShortAscii,
                    (true, false, true) => T::AsciiInterned,
                    (true, false, false) => T::Ascii,
                    (false, _, true) => T::Interned,
                    (false, _, false) => T::Unicode,
                }
            }
            Lit::Tuple(v) if !py2 && v.len() < 256 => T::SmallTuple,
            Lit::Tuple(_) => T::Tuple,
            Lit::List(_) => T::List,
            Lit::Set(_) => T::Set,
            Lit::FrozenSet(_) => T::FrozenSet,
            Lit::Dict(_) => T::Dict,
            Lit::Code(_) => T::Code,
        };
        code as u8
    }

    fn build(&mut self, lit: &'a Lit, b: u8) -> Result<ObjId, BuildError> {
        self.depth += 1;
        if self.depth > MAX_MARSHAL_DEPTH {
            return Err(BuildError::TooDeep);
        }
        let id = self.build_inner(lit, b);
        self.depth -= 1;
        id
    }

    fn build_inner(&mut self, lit: &'a Lit, b: u8) -> Result<ObjId, BuildError> {
        use TypeCode as T;
        let code = TypeCode::from_byte(b & !FLAG_REF).expect("checked or default");
        let id = self.graph.add(Node {
            type_byte: b,
            value: Value::None,
            offset: 0,
        });
        if self.replaying && is_registered(b, self.mv) {
            self.registered.push((lit, id));
        }
        let value = match lit {
            Lit::None => Value::None,
            Lit::True => Value::True,
            Lit::False => Value::False,
            Lit::Ellipsis => Value::Ellipsis,
            Lit::StopIteration => Value::StopIteration,
            Lit::Int { value, .. } => match code {
                T::Int => Value::Int(value.as_i64().expect("checked") as i32),
                T::Int64 => Value::Int64(value.as_i64().expect("checked")),
                _ => {
                    let (negative, digits) = value.digits();
                    if digits.len() > i32::MAX as usize {
                        return Err(BuildError::TooLarge("int"));
                    }
                    let raw: Vec<u8> = digits.iter().flat_map(|d| d.to_le_bytes()).collect();
                    Value::Long {
                        negative,
                        digits: self.graph.add_bytes(&raw),
                    }
                }
            },
            Lit::Float(bits) => match code {
                T::FloatText => {
                    let t = crate::pyrepr::repr_float(f64::from_bits(*bits));
                    Value::FloatText(self.graph.add_bytes(t.as_bytes()))
                }
                _ => Value::Float(*bits),
            },
            Lit::Complex(re, im) => match code {
                T::ComplexText => {
                    let r = crate::pyrepr::repr_float(f64::from_bits(*re));
                    let i = crate::pyrepr::repr_float(f64::from_bits(*im));
                    Value::ComplexText(
                        self.graph.add_bytes(r.as_bytes()),
                        self.graph.add_bytes(i.as_bytes()),
                    )
                }
                _ => Value::Complex(*re, *im),
            },
            Lit::Bytes(data) => Value::Bytes(self.graph.add_bytes(data)),
            Lit::Str(s) => {
                if code.is_latin1_str() {
                    let l = latin1(s).expect("checked or ASCII");
                    Value::Str(self.graph.add_bytes(&l))
                } else {
                    Value::Str(self.graph.add_bytes(s))
                }
            }
            Lit::Tuple(v) | Lit::List(v) | Lit::Set(v) | Lit::FrozenSet(v) | Lit::Dict(v) => {
                let mut ids = Vec::with_capacity(v.len());
                for c in v {
                    ids.push(self.emit(c)?);
                }
                let items = self.graph.add_items(&ids);
                match lit {
                    Lit::Tuple(_) => Value::Tuple(items),
                    Lit::List(_) => Value::List(items),
                    Lit::Set(_) => Value::Set(items),
                    Lit::FrozenSet(_) => Value::FrozenSet(items),
                    _ => Value::Dict(items),
                }
            }
            Lit::Code(block) => {
                let b = *block as usize;
                if self.open[b] {
                    return Err(BuildError::Cycle(*block));
                }
                self.open[b] = true;
                let cv: &'a CodeVal = &self.codes[b];
                let mut objs = Vec::with_capacity(cv.fields.len());
                for (f, v) in &cv.fields {
                    objs.push((*f, self.emit(v)?));
                }
                self.open[b] = false;
                let ints = [
                    (Field::ArgCount, cv.argcount),
                    (Field::PosOnlyArgCount, cv.posonlyargcount),
                    (Field::KwOnlyArgCount, cv.kwonlyargcount),
                    (Field::StackSize, cv.stacksize),
                    (Field::Flags, cv.flags),
                    (Field::FirstLineNo, cv.firstlineno),
                ];
                let mut code = Code::from_fields(cv.layout, &ints, &objs);
                code.nlocals = cv.nlocals;
                debug_assert!(matches!(
                    (&code.locals, cv.layout),
                    (Locals::Plus { .. }, CodeLayout::Py311) | (Locals::Split { .. }, _)
                ));
                Value::Code(Box::new(code))
            }
        };
        self.graph.node_mut(id).value = value;
        Ok(id)
    }
}

/// The Latin-1 bytes of surrogatepass UTF-8 text, if every character is below 256.
fn latin1(s: &[u8]) -> Option<Vec<u8>> {
    if s.is_ascii() {
        return Some(s.to_vec());
    }
    super::literal::code_points(s)
        .into_iter()
        .map(|c| u8::try_from(c).ok())
        .collect()
}

/// Whether CPython would intern this constant (`all_name_chars`): only
/// `[A-Za-z0-9_]`, and not empty.
fn identifier_like(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}
