//! A code object opened for editing — its control-flow graph, constants and names —
//! and the way its result goes back into the `.pyc`.
//!
//! The life of a [`Unit`] has three steps, so that the middle one can run for many code
//! objects at once while the file's object graph is only read:
//! 1. [`Unit::open`] borrows the graph and builds the [`Cfg`];
//! 2. passes edit the graph, constants ([`Unit::add_const`]) and names;
//! 3. [`Unit::finish`] generates and verifies the code (still only reading the graph)
//!    into an owned [`Finished`], which [`apply`] then writes into the `.pyc`.
//!
//! Constants that were in `co_consts` stay references to their original objects, so an
//! unchanged table is written back byte for byte; only new values become new objects.

use std::collections::HashMap;

use super::{generate, Original};
use crate::cfg::{build_scanned, Cfg, Scan};
use crate::code::Code;
use crate::constant::{add_constant, Constant};
use crate::marshal::{Node, ObjId, ObjectGraph, Value, FLAG_REF};
use crate::opcode::{ArgKind, OpInfo};
use crate::verify::{verify, Limits};
use crate::version::PyVersion;
use crate::Pyc;

/// One entry of a unit's constant table.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstEntry {
    /// The object that was in `co_consts` (kept as it was written).
    Orig(ObjId),
    /// A value a pass added.
    New(Constant),
}

/// A code object being edited.
#[derive(Clone, Debug)]
pub struct Unit<'g> {
    /// The file's object graph (read only while passes run).
    pub graph: &'g ObjectGraph,
    /// The code object's node.
    pub id: ObjId,
    /// The code object as read.
    pub code: &'g Code,
    /// Dotted path of names from the module (`<module>.C.f`).
    pub path: String,
    /// The instructions.
    pub cfg: Cfg,
    consts: Vec<ConstEntry>,
    /// Decoded values of `consts`, filled on first use.
    values: Vec<Option<Constant>>,
    names: Vec<String>,
    names_changed: bool,
}

/// Which constants and names the instructions `(opcode, argument)` use: one flag per
/// entry of tables of `consts` and `names` entries. `co_consts[0]` (the docstring
/// slot) always counts as used. Arguments out of range are ignored (the verifier
/// reports them).
pub fn table_usage<'a>(
    instrs: impl Iterator<Item = (&'a OpInfo, u32)>,
    consts: usize,
    names: usize,
) -> (Vec<bool>, Vec<bool>) {
    let mut used_c = vec![false; consts];
    let mut used_n = vec![false; names];
    if let Some(u) = used_c.first_mut() {
        *u = true;
    }
    for (op, arg) in instrs {
        match op.arg_kind {
            ArgKind::Const => {
                if let Some(u) = used_c.get_mut(arg as usize) {
                    *u = true;
                }
            }
            ArgKind::Name { shift } => {
                if let Some(u) = used_n.get_mut((arg >> shift) as usize) {
                    *u = true;
                }
            }
            _ => {}
        }
    }
    (used_c, used_n)
}

impl<'g> Unit<'g> {
    /// Opens the code object `id` of `graph` (a `.pyc` of `version`).
    pub fn open(
        graph: &'g ObjectGraph,
        id: ObjId,
        path: String,
        version: PyVersion,
    ) -> Result<Unit<'g>, String> {
        let code = graph.as_code(id).ok_or("not a code object")?;
        let scan = Scan::new(code, graph, version).map_err(|e| format!("graph: {e}"))?;
        Unit::from_scan(&scan, id, path)
    }

    /// Opens a scanned code object (`id` is its object in the scan's graph).
    pub fn from_scan(scan: &Scan<'g>, id: ObjId, path: String) -> Result<Unit<'g>, String> {
        let (graph, code) = (scan.graph, scan.code);
        let cfg = build_scanned(scan).map_err(|e| format!("graph: {e}"))?;
        let consts: Vec<ConstEntry> = code
            .consts(graph)
            .iter()
            .map(|&c| ConstEntry::Orig(c))
            .collect();
        let names = code.names(graph).into_iter().map(|s| s.into()).collect();
        Ok(Unit {
            graph,
            id,
            code,
            path,
            cfg,
            values: vec![None; consts.len()],
            consts,
            names,
            names_changed: false,
        })
    }

    /// The Python version of the code.
    pub fn version(&self) -> PyVersion {
        self.cfg.version
    }

    /// `co_flags`.
    pub fn flags(&self) -> i32 {
        self.code.flags
    }

    /// Number of constants.
    pub fn const_count(&self) -> usize {
        self.consts.len()
    }

    /// The table entry `i`.
    pub fn const_entry(&self, i: u32) -> Option<&ConstEntry> {
        self.consts.get(i as usize)
    }

    /// The value of constant `i` (decoded on first use).
    pub fn constant(&mut self, i: u32) -> Option<&Constant> {
        let i = i as usize;
        if i >= self.consts.len() {
            return None;
        }
        if self.values[i].is_none() {
            self.values[i] = Some(match &self.consts[i] {
                ConstEntry::Orig(id) => Constant::from_graph(self.graph, *id),
                ConstEntry::New(c) => c.clone(),
            });
        }
        self.values[i].as_ref()
    }

    /// The index of a constant equal to `c` (type-strict, see [`Constant`]), adding it
    /// at the end if there is none. Index 0 is never reused for a new value unless it
    /// already holds it, since on functions it is the docstring slot.
    pub fn add_const(&mut self, c: Constant) -> u32 {
        for i in 0..self.consts.len() as u32 {
            if self.constant(i) == Some(&c) {
                return i;
            }
        }
        self.values.push(Some(c.clone()));
        self.consts.push(ConstEntry::New(c));
        (self.consts.len() - 1) as u32
    }

    /// Replaces constant `i` (for passes that rewrite a slot in place, such as
    /// docstring stripping).
    pub fn set_const(&mut self, i: u32, c: Constant) {
        let i = i as usize;
        if i < self.consts.len() {
            self.values[i] = Some(c.clone());
            self.consts[i] = ConstEntry::New(c);
        }
    }

    /// `co_names`.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of `name` in `co_names`, appending it if absent.
    pub fn name_index(&mut self, name: &str) -> u32 {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i as u32;
        }
        self.names.push(name.to_string());
        self.names_changed = true;
        (self.names.len() - 1) as u32
    }

    /// Drops constants and names no instruction uses and renumbers the rest, keeping
    /// their order and `co_consts[0]` (the docstring slot of functions, which 3.12+ pin
    /// too). Returns how many constants and names were removed.
    pub fn compact(&mut self) -> (usize, usize) {
        let blocks = self.cfg.layout.clone();
        let (used_c, used_n) = {
            let cfg = &self.cfg;
            table_usage(
                blocks
                    .iter()
                    .flat_map(|&b| cfg.graph[b].instrs.iter().map(|i| (i.op, i.arg))),
                self.consts.len(),
                self.names.len(),
            )
        };
        let renumber = |used: &[bool]| -> Vec<u32> {
            let mut next = 0u32;
            used.iter()
                .map(|&u| {
                    let i = next;
                    next += u as u32;
                    i
                })
                .collect()
        };
        let new_c = renumber(&used_c);
        let new_n = renumber(&used_n);
        let removed_c = used_c.iter().filter(|u| !**u).count();
        let removed_n = used_n.iter().filter(|u| !**u).count();
        if removed_c == 0 && removed_n == 0 {
            return (0, 0);
        }
        for &b in &blocks {
            for ins in &mut self.cfg.graph[b].instrs {
                let arg = match ins.op.arg_kind {
                    ArgKind::Const if removed_c > 0 => new_c[ins.arg as usize],
                    ArgKind::Name { shift } if removed_n > 0 => {
                        let flags = ins.arg & ((1 << shift) - 1);
                        (new_n[(ins.arg >> shift) as usize] << shift) | flags
                    }
                    _ => continue,
                };
                if arg != ins.arg {
                    ins.arg = arg;
                    ins.prefixes = 0;
                }
            }
        }
        let mut k = 0;
        self.consts.retain(|_| {
            k += 1;
            used_c[k - 1]
        });
        let mut k = 0;
        self.values.retain(|_| {
            k += 1;
            used_c[k - 1]
        });
        if removed_n > 0 {
            let mut k = 0;
            self.names.retain(|_| {
                k += 1;
                used_n[k - 1]
            });
            self.names_changed = true;
        }
        (removed_c, removed_n)
    }

    /// Generates and verifies the code. A unit whose result would not verify is an
    /// error: the caller keeps the original code object.
    pub fn finish(self) -> Result<Finished, String> {
        let g = self.graph;
        let code = self.code;
        let version = self.cfg.version;
        let gen = generate(
            &self.cfg,
            code.firstlineno,
            &Original {
                linetable: g.payload(code.linetable),
                stacksize: Some(code.stacksize),
            },
        )
        .map_err(|e| format!("codegen: {e}"))?;
        let orig_consts = code.consts(g);
        let consts_same = self.consts.len() == orig_consts.len()
            && self
                .consts
                .iter()
                .zip(orig_consts)
                .all(|(e, &o)| *e == ConstEntry::Orig(o));
        let mut limits = Limits::of(code, g);
        limits.consts = self.consts.len();
        limits.names = self.names.len();
        verify(
            version,
            &gen.code,
            &gen.exceptiontable,
            gen.stacksize,
            &limits,
        )
        .map_err(|e| format!("verify: {e}"))?;
        let old_exc = code
            .exceptiontable
            .and_then(|e| g.payload(e))
            .unwrap_or(&[]);
        let same_code = gen.code == code.bytecode(g);
        let same_lines = gen.linetable == g.payload(code.linetable).unwrap_or(&[]);
        let same_exc = code.exceptiontable.is_none() || gen.exceptiontable == old_exc;
        let same_stack = gen.stacksize == code.stacksize;
        Ok(Finished {
            id: self.id,
            version,
            code: (!same_code).then_some(gen.code),
            linetable: (!same_lines).then_some(gen.linetable),
            exceptiontable: (!same_exc).then_some(gen.exceptiontable),
            stacksize: gen.stacksize,
            consts: (!consts_same).then_some(self.consts),
            names: self.names_changed.then_some(self.names),
            identical: same_code
                && same_lines
                && same_exc
                && same_stack
                && consts_same
                && !self.names_changed,
        })
    }
}

/// A unit's generated, verified result, owning everything [`apply`] needs.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The code object it replaces.
    pub id: ObjId,
    version: PyVersion,
    code: Option<Vec<u8>>,
    linetable: Option<Vec<u8>>,
    exceptiontable: Option<Vec<u8>>,
    stacksize: i32,
    consts: Option<Vec<ConstEntry>>,
    names: Option<Vec<String>>,
    /// Whether the result equals the original code object exactly.
    pub identical: bool,
}

impl Finished {
    /// Size of the generated `co_code`, if it changed.
    pub fn code_len(&self) -> Option<usize> {
        self.code.as_ref().map(Vec::len)
    }
}

/// Writes finished units into `pyc`: new objects for what changed, each code object's
/// node replaced in place (so every reference to it sees the new code). Objects that
/// other code shares are never modified.
///
/// New constants are shared (marshal v3+, that is 3.x): a value the file already
/// holds (a string, bytes, number, tuple or frozenset) is referred to rather than
/// written again — its object gets marshal's reference flag if it had none, which
/// changes no value — and a new value used by several code objects is one
/// registered object. So folding a module constant into many functions costs a
/// 5-byte reference per use, not a copy.
pub fn apply_all(pyc: &mut Pyc, finished: Vec<Finished>) {
    let mut shared = SharedConstants::default();
    for f in finished {
        apply_one(pyc, f, &mut shared);
    }
}

/// [`apply_all`] for one unit.
pub fn apply(pyc: &mut Pyc, f: Finished) {
    apply_all(pyc, vec![f]);
}

/// Registered scalar objects of a graph by value, built on first use.
#[derive(Default)]
struct SharedConstants {
    by_value: Option<HashMap<Constant, ObjId>>,
}

impl SharedConstants {
    /// The id of an object holding `c`: an existing registered one, or a new one
    /// (registered, so later uses refer to it) on marshal v3+.
    fn intern(&mut self, g: &mut ObjectGraph, c: &Constant, version: PyVersion) -> ObjId {
        let registers = version.marshal_version() >= 3;
        match c {
            Constant::Object(id) => *id,
            Constant::Tuple(elems) | Constant::FrozenSet(elems) => {
                if let Some(id) = registers.then(|| self.existing(g, c)).flatten() {
                    return id;
                }
                let ids: Vec<ObjId> = elems.iter().map(|e| self.intern(g, e, version)).collect();
                let items = g.add_items(&ids);
                let flag = if registers { FLAG_REF } else { 0 };
                let (code, value) = match c {
                    Constant::Tuple(_) if registers && ids.len() < 256 => {
                        (b')', Value::Tuple(items))
                    }
                    Constant::Tuple(_) => (b'(', Value::Tuple(items)),
                    _ => (b'>', Value::FrozenSet(items)),
                };
                let id = g.add(Node {
                    type_byte: code | flag,
                    value,
                    offset: 0,
                });
                if registers {
                    self.map(g).insert(c.clone(), id);
                }
                id
            }
            _ if !registers => add_constant(g, c, version),
            _ => {
                if let Some(id) = self.existing(g, c) {
                    return id;
                }
                let id = add_constant(g, c, version);
                g.node_mut(id).type_byte |= FLAG_REF;
                self.map(g).insert(c.clone(), id);
                id
            }
        }
    }

    fn map(&mut self, g: &ObjectGraph) -> &mut HashMap<Constant, ObjId> {
        self.by_value.get_or_insert_with(|| values_of(g))
    }

    /// An object of the graph holding `c`, registered from now on so that every
    /// use after the first is a reference.
    fn existing(&mut self, g: &mut ObjectGraph, c: &Constant) -> Option<ObjId> {
        let id = *self.map(g).get(c)?;
        g.node_mut(id).type_byte |= FLAG_REF;
        Some(id)
    }
}

/// Every string, bytes, number, tuple or frozenset of `g`, by value (the first
/// object of each value).
fn values_of(g: &ObjectGraph) -> HashMap<Constant, ObjId> {
    let mut map = HashMap::new();
    for id in g.ids() {
        let node = g.node(id);
        let scalar = matches!(
            node.value,
            Value::Str(_)
                | Value::Bytes(_)
                | Value::Int(_)
                | Value::Long { .. }
                | Value::Float(_)
                | Value::Complex(..)
                | Value::Tuple(_)
                | Value::FrozenSet(_)
        );
        if scalar {
            let c = Constant::from_graph(g, id);
            if c.is_value() {
                map.entry(c).or_insert(id);
            }
        }
    }
    map
}

fn apply_one(pyc: &mut Pyc, f: Finished, shared: &mut SharedConstants) {
    if f.identical {
        return;
    }
    let g = &mut pyc.graph;
    let Some(mut new) = g.as_code(f.id).cloned() else {
        return;
    };
    if let Some(code) = &f.code {
        new.code = replace_bytes(g, new.code, code);
    }
    if let Some(lines) = &f.linetable {
        new.linetable = replace_bytes(g, new.linetable, lines);
    }
    if let (Some(exc), Some(old)) = (&f.exceptiontable, new.exceptiontable) {
        new.exceptiontable = Some(replace_bytes(g, old, exc));
    }
    new.stacksize = f.stacksize;
    if let Some(consts) = &f.consts {
        let ids: Vec<ObjId> = consts
            .iter()
            .map(|e| match e {
                ConstEntry::Orig(id) => *id,
                ConstEntry::New(c) => shared.intern(g, c, f.version),
            })
            .collect();
        new.consts = add_tuple(g, new.consts, &ids);
    }
    if let Some(names) = &f.names {
        // Keep the original string objects (and their interning) where names stay.
        let mut cache: HashMap<String, ObjId> = HashMap::new();
        for &o in g.as_tuple(new.names).unwrap_or(&[]) {
            if let Some(s) = g.as_str(o) {
                cache.entry(s.into_owned()).or_insert(o);
            }
        }
        let ids: Vec<ObjId> = names
            .iter()
            .map(|n| match cache.get(n.as_str()) {
                Some(&id) => id,
                None => shared.intern(g, &Constant::Str(n.clone()), f.version),
            })
            .collect();
        new.names = add_tuple(g, new.names, &ids);
    }
    g.node_mut(f.id).value = Value::Code(Box::new(new));
}

/// A new tuple like `old` (same tuple form where it still fits) holding `ids`.
fn add_tuple(g: &mut ObjectGraph, old: ObjId, ids: &[ObjId]) -> ObjId {
    let type_byte = match g.node(old).type_byte & 0x7f {
        b')' if ids.len() < 256 => b')',
        b')' => b'(',
        other => other,
    };
    let items = g.add_items(ids);
    g.add(Node {
        type_byte,
        value: Value::Tuple(items),
        offset: 0,
    })
}

/// A new bytes object like `old` (same type byte) holding `data`.
fn replace_bytes(g: &mut ObjectGraph, old: ObjId, data: &[u8]) -> ObjId {
    let type_byte = g.node(old).type_byte;
    let span = g.add_bytes(data);
    g.add(Node {
        type_byte,
        value: Value::Bytes(span),
        offset: 0,
    })
}
