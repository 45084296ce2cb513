//! Code objects as a typed model that names each version's fields.
//!
//! A [`Code`] holds the integer fields by value and the object fields as ids into the
//! [`ObjectGraph`] it was read from, so a code object that nothing changes is written
//! back exactly (including how each field object was encoded and shared). The field
//! order of each version lives in one table, [`CodeLayout::fields`], used by both the
//! reader and the writer.

use std::borrow::Cow;

use crate::marshal::{ObjId, ObjectGraph, Value};
use crate::version::PyVersion;

/// The marshalled field layouts of code objects across versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeLayout {
    /// 2.7: four ints, no keyword-only count.
    Py27,
    /// 3.6 and 3.7: five ints (keyword-only count added).
    Py36,
    /// 3.8 to 3.10: six ints (positional-only count added).
    Py38,
    /// 3.11 and later: `co_nlocals` dropped; locals-plus names and kinds; qualname and
    /// exception table added.
    Py311,
}

/// One marshalled field of a code object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    ArgCount,
    PosOnlyArgCount,
    KwOnlyArgCount,
    NLocals,
    StackSize,
    Flags,
    Code,
    Consts,
    Names,
    VarNames,
    FreeVars,
    CellVars,
    LocalsPlusNames,
    LocalsPlusKinds,
    FileName,
    Name,
    QualName,
    FirstLineNo,
    LineTable,
    ExceptionTable,
}

/// What a field object must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A 32-bit int written inline (no type byte).
    Int,
    Bytes,
    Tuple,
    TupleOfStr,
    Str,
}

impl Field {
    /// The attribute name CPython gives the field.
    pub fn name(self) -> &'static str {
        use Field::*;
        match self {
            ArgCount => "co_argcount",
            PosOnlyArgCount => "co_posonlyargcount",
            KwOnlyArgCount => "co_kwonlyargcount",
            NLocals => "co_nlocals",
            StackSize => "co_stacksize",
            Flags => "co_flags",
            Code => "co_code",
            Consts => "co_consts",
            Names => "co_names",
            VarNames => "co_varnames",
            FreeVars => "co_freevars",
            CellVars => "co_cellvars",
            LocalsPlusNames => "co_localsplusnames",
            LocalsPlusKinds => "co_localspluskinds",
            FileName => "co_filename",
            Name => "co_name",
            QualName => "co_qualname",
            FirstLineNo => "co_firstlineno",
            LineTable => "co_linetable",
            ExceptionTable => "co_exceptiontable",
        }
    }

    /// What the field holds.
    pub fn kind(self) -> FieldKind {
        use Field::*;
        match self {
            ArgCount | PosOnlyArgCount | KwOnlyArgCount | NLocals | StackSize | Flags
            | FirstLineNo => FieldKind::Int,
            Code | LocalsPlusKinds | LineTable | ExceptionTable => FieldKind::Bytes,
            Consts => FieldKind::Tuple,
            Names | VarNames | FreeVars | CellVars | LocalsPlusNames => FieldKind::TupleOfStr,
            FileName | Name | QualName => FieldKind::Str,
        }
    }
}

impl CodeLayout {
    /// The layout `version` marshals code objects with.
    pub fn of(version: PyVersion) -> CodeLayout {
        use PyVersion::*;
        match version {
            V2_7 => CodeLayout::Py27,
            V3_6 | V3_7 => CodeLayout::Py36,
            V3_8 | V3_9 | V3_10 => CodeLayout::Py38,
            V3_11 | V3_12 | V3_13 => CodeLayout::Py311,
        }
    }

    /// The fields in the order they are marshalled.
    pub fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            CodeLayout::Py27 => &[
                ArgCount,
                NLocals,
                StackSize,
                Flags,
                Code,
                Consts,
                Names,
                VarNames,
                FreeVars,
                CellVars,
                FileName,
                Name,
                FirstLineNo,
                LineTable,
            ],
            CodeLayout::Py36 => &[
                ArgCount,
                KwOnlyArgCount,
                NLocals,
                StackSize,
                Flags,
                Code,
                Consts,
                Names,
                VarNames,
                FreeVars,
                CellVars,
                FileName,
                Name,
                FirstLineNo,
                LineTable,
            ],
            CodeLayout::Py38 => &[
                ArgCount,
                PosOnlyArgCount,
                KwOnlyArgCount,
                NLocals,
                StackSize,
                Flags,
                Code,
                Consts,
                Names,
                VarNames,
                FreeVars,
                CellVars,
                FileName,
                Name,
                FirstLineNo,
                LineTable,
            ],
            CodeLayout::Py311 => &[
                ArgCount,
                PosOnlyArgCount,
                KwOnlyArgCount,
                StackSize,
                Flags,
                Code,
                Consts,
                Names,
                LocalsPlusNames,
                LocalsPlusKinds,
                FileName,
                Name,
                QualName,
                FirstLineNo,
                LineTable,
                ExceptionTable,
            ],
        }
    }
}

/// Names of locals, cells and free variables: split in three tuples up to 3.10, one
/// tuple plus a kind byte per name from 3.11.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locals {
    Split {
        varnames: ObjId,
        freevars: ObjId,
        cellvars: ObjId,
    },
    Plus {
        names: ObjId,
        kinds: ObjId,
    },
}

/// `co_localspluskinds` bits (3.11+).
pub mod kind {
    /// A hidden local (3.12+: comprehension temporaries).
    pub const HIDDEN: u8 = 0x10;
    pub const LOCAL: u8 = 0x20;
    pub const CELL: u8 = 0x40;
    pub const FREE: u8 = 0x80;
}

/// A code object. Integer fields by value; object fields as ids into the graph.
///
/// Fields that a version does not marshal are `None` (or zero for counts that only
/// exist from some version on), so the model is the same for every version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub layout: CodeLayout,
    pub argcount: i32,
    /// 3.8+; 0 before.
    pub posonlyargcount: i32,
    /// 3.0+; 0 on 2.7.
    pub kwonlyargcount: i32,
    /// Marshalled up to 3.10; derived from the kinds on 3.11+ (then `None`).
    pub nlocals: Option<i32>,
    pub stacksize: i32,
    pub flags: i32,
    /// `co_code`: the instruction bytes.
    pub code: ObjId,
    pub consts: ObjId,
    pub names: ObjId,
    pub locals: Locals,
    pub filename: ObjId,
    pub name: ObjId,
    /// 3.11+.
    pub qualname: Option<ObjId>,
    pub firstlineno: i32,
    /// `co_lnotab` (≤3.9) or `co_linetable` (3.10+).
    pub linetable: ObjId,
    /// 3.11+.
    pub exceptiontable: Option<ObjId>,
}

impl Code {
    /// The value of an int field (0 for a count the layout does not have).
    pub fn int_field(&self, f: Field) -> i32 {
        match f {
            Field::ArgCount => self.argcount,
            Field::PosOnlyArgCount => self.posonlyargcount,
            Field::KwOnlyArgCount => self.kwonlyargcount,
            Field::NLocals => self.nlocals.unwrap_or(0),
            Field::StackSize => self.stacksize,
            Field::Flags => self.flags,
            Field::FirstLineNo => self.firstlineno,
            _ => 0,
        }
    }

    /// The object of an object field, if this code object has that field.
    pub fn obj_field(&self, f: Field) -> Option<ObjId> {
        match (f, &self.locals) {
            (Field::Code, _) => Some(self.code),
            (Field::Consts, _) => Some(self.consts),
            (Field::Names, _) => Some(self.names),
            (Field::VarNames, Locals::Split { varnames, .. }) => Some(*varnames),
            (Field::FreeVars, Locals::Split { freevars, .. }) => Some(*freevars),
            (Field::CellVars, Locals::Split { cellvars, .. }) => Some(*cellvars),
            (Field::LocalsPlusNames, Locals::Plus { names, .. }) => Some(*names),
            (Field::LocalsPlusKinds, Locals::Plus { kinds, .. }) => Some(*kinds),
            (Field::FileName, _) => Some(self.filename),
            (Field::Name, _) => Some(self.name),
            (Field::QualName, _) => self.qualname,
            (Field::LineTable, _) => Some(self.linetable),
            (Field::ExceptionTable, _) => self.exceptiontable,
            _ => None,
        }
    }

    /// Every object field in marshal order (for walking the graph).
    pub fn object_fields(&self) -> impl Iterator<Item = (Field, ObjId)> + '_ {
        self.layout
            .fields()
            .iter()
            .filter_map(move |&f| self.obj_field(f).map(|id| (f, id)))
    }

    /// Builds a code object from the values read for `layout`'s fields.
    pub(crate) fn from_fields(
        layout: CodeLayout,
        ints: &[(Field, i32)],
        objs: &[(Field, ObjId)],
    ) -> Code {
        let int = |f: Field| ints.iter().find(|(g, _)| *g == f).map(|(_, v)| *v);
        let obj = |f: Field| objs.iter().find(|(g, _)| *g == f).map(|(_, v)| *v);
        let must = |f: Field| obj(f).expect("layout field read");
        let locals = if layout == CodeLayout::Py311 {
            Locals::Plus {
                names: must(Field::LocalsPlusNames),
                kinds: must(Field::LocalsPlusKinds),
            }
        } else {
            Locals::Split {
                varnames: must(Field::VarNames),
                freevars: must(Field::FreeVars),
                cellvars: must(Field::CellVars),
            }
        };
        Code {
            layout,
            argcount: int(Field::ArgCount).unwrap_or(0),
            posonlyargcount: int(Field::PosOnlyArgCount).unwrap_or(0),
            kwonlyargcount: int(Field::KwOnlyArgCount).unwrap_or(0),
            nlocals: int(Field::NLocals),
            stacksize: int(Field::StackSize).unwrap_or(0),
            flags: int(Field::Flags).unwrap_or(0),
            code: must(Field::Code),
            consts: must(Field::Consts),
            names: must(Field::Names),
            locals,
            filename: must(Field::FileName),
            name: must(Field::Name),
            qualname: obj(Field::QualName),
            firstlineno: int(Field::FirstLineNo).unwrap_or(0),
            linetable: must(Field::LineTable),
            exceptiontable: obj(Field::ExceptionTable),
        }
    }

    /// `co_code`.
    pub fn bytecode<'g>(&self, g: &'g ObjectGraph) -> &'g [u8] {
        g.as_bytes(self.code).unwrap_or(&[])
    }

    /// `co_consts`.
    pub fn consts<'g>(&self, g: &'g ObjectGraph) -> &'g [ObjId] {
        g.as_tuple(self.consts).unwrap_or(&[])
    }

    /// `co_name`.
    pub fn name<'g>(&self, g: &'g ObjectGraph) -> Cow<'g, str> {
        g.as_str(self.name).unwrap_or(Cow::Borrowed("?"))
    }

    /// `co_qualname` on 3.11+, otherwise `co_name`.
    pub fn qualname<'g>(&self, g: &'g ObjectGraph) -> Cow<'g, str> {
        match self.qualname {
            Some(q) => g.as_str(q).unwrap_or(Cow::Borrowed("?")),
            None => self.name(g),
        }
    }

    /// `co_filename`.
    pub fn filename<'g>(&self, g: &'g ObjectGraph) -> Cow<'g, str> {
        g.as_str(self.filename).unwrap_or(Cow::Borrowed("?"))
    }

    /// `co_names` as text.
    pub fn names<'g>(&self, g: &'g ObjectGraph) -> Vec<Cow<'g, str>> {
        str_tuple(g, self.names)
    }

    /// The names of locals, cells and free variables, with their 3.11-style kind bits
    /// (computed from the split tuples on older versions: a name in both `co_varnames`
    /// and `co_cellvars` is one local-and-cell entry, as 3.11 numbers them).
    pub fn locals_plus<'g>(&self, g: &'g ObjectGraph) -> Vec<(Cow<'g, str>, u8)> {
        match self.locals {
            Locals::Plus { names, kinds } => {
                let kinds = g.as_bytes(kinds).unwrap_or(&[]);
                str_tuple(g, names)
                    .into_iter()
                    .zip(kinds.iter().copied())
                    .collect()
            }
            Locals::Split {
                varnames,
                freevars,
                cellvars,
            } => {
                let mut out: Vec<(Cow<'g, str>, u8)> = str_tuple(g, varnames)
                    .into_iter()
                    .map(|n| (n, kind::LOCAL))
                    .collect();
                for c in str_tuple(g, cellvars) {
                    out.push((c, kind::CELL));
                }
                for f in str_tuple(g, freevars) {
                    out.push((f, kind::FREE));
                }
                out
            }
        }
    }

    /// `co_varnames`: the names of the function's local variables (arguments first).
    pub fn varnames<'g>(&self, g: &'g ObjectGraph) -> Vec<Cow<'g, str>> {
        self.names_of_kind(g, kind::LOCAL, |l| l.0)
    }

    /// The names deref (`hasfree`) arguments index, in their order: the whole
    /// locals-plus space from 3.11, `co_cellvars + co_freevars` before (what
    /// [`DerefIndex`](crate::opcode::DerefIndex) says for the version).
    pub fn deref_names<'g>(&self, g: &'g ObjectGraph) -> Vec<Cow<'g, str>> {
        match self.locals {
            Locals::Plus { .. } => self.locals_plus(g).into_iter().map(|(n, _)| n).collect(),
            Locals::Split { .. } => {
                let mut names = self.cellvars(g);
                names.extend(self.freevars(g));
                names
            }
        }
    }

    /// `co_cellvars`.
    pub fn cellvars<'g>(&self, g: &'g ObjectGraph) -> Vec<Cow<'g, str>> {
        self.names_of_kind(g, kind::CELL, |l| l.2)
    }

    /// `co_freevars`.
    pub fn freevars<'g>(&self, g: &'g ObjectGraph) -> Vec<Cow<'g, str>> {
        self.names_of_kind(g, kind::FREE, |l| l.1)
    }

    /// The names of one kind: up to 3.10 the tuple `split` picks from
    /// `(varnames, freevars, cellvars)`; from 3.11 the locals-plus names whose kind has
    /// the `bit`.
    fn names_of_kind<'g>(
        &self,
        g: &'g ObjectGraph,
        bit: u8,
        split: fn((ObjId, ObjId, ObjId)) -> ObjId,
    ) -> Vec<Cow<'g, str>> {
        match self.locals {
            Locals::Split {
                varnames,
                freevars,
                cellvars,
            } => str_tuple(g, split((varnames, freevars, cellvars))),
            Locals::Plus { .. } => self
                .locals_plus(g)
                .into_iter()
                .filter(|(_, k)| k & bit != 0)
                .map(|(n, _)| n)
                .collect(),
        }
    }

    /// The code objects among `co_consts`, in order.
    pub fn nested<'g>(&self, g: &'g ObjectGraph) -> impl Iterator<Item = ObjId> + 'g {
        self.consts(g)
            .iter()
            .copied()
            .filter(move |&c| matches!(g.node(c).value, Value::Code(_)))
    }
}

fn str_tuple(g: &ObjectGraph, id: ObjId) -> Vec<Cow<'_, str>> {
    g.as_tuple(id)
        .unwrap_or(&[])
        .iter()
        .map(|&s| g.as_str(s).unwrap_or(Cow::Borrowed("?")))
        .collect()
}

/// Every code object reachable from `root` (itself included), depth first in
/// `co_consts` order, each once, with its dotted path of names from the root
/// (`<module>`, `<module>.f`, `<module>.C.method`, …).
pub fn walk_code(g: &ObjectGraph, root: ObjId) -> Vec<(ObjId, String)> {
    let tree = CodeTree::of(g, root);
    (0..tree.len())
        .map(|i| (tree.id(i), tree.path(g, i)))
        .collect()
}

/// Every code object reachable from a root, in [`walk_code`]'s order, with each
/// one's parent: the dotted paths are built only for the code objects that need one
/// (most of a run's code objects are looked at and left alone).
pub struct CodeTree {
    /// `(code object, index of its parent)`, the root first.
    nodes: Vec<(ObjId, Option<usize>)>,
}

impl CodeTree {
    /// The code objects reachable from `root` (itself included), depth first in
    /// `co_consts` order, each once.
    pub fn of(g: &ObjectGraph, root: ObjId) -> CodeTree {
        let mut nodes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![(root, None)];
        while let Some((id, parent)) = stack.pop() {
            let Some(code) = g.as_code(id) else { continue };
            if !seen.insert(id) {
                continue;
            }
            let me = nodes.len();
            let children: Vec<_> = code.nested(g).collect();
            for c in children.into_iter().rev() {
                stack.push((c, Some(me)));
            }
            nodes.push((id, parent));
        }
        CodeTree { nodes }
    }

    /// Number of code objects.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there is none (the root was not a code object).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The `i`-th code object.
    pub fn id(&self, i: usize) -> ObjId {
        self.nodes[i].0
    }

    /// The dotted path of names from the root to the `i`-th code object
    /// (`<module>.C.method`).
    pub fn path(&self, g: &ObjectGraph, i: usize) -> String {
        let mut names = Vec::new();
        let mut at = Some(i);
        while let Some(k) = at {
            let (id, parent) = self.nodes[k];
            names.push(g.as_code(id).map_or(Cow::Borrowed("?"), |c| c.name(g)));
            at = parent;
        }
        names.reverse();
        names.join(".")
    }
}
