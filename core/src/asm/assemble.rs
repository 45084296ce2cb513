//! Syntax tree → `.pyc`: instructions laid out, tables and stack size computed,
//! objects built by replaying the marshal layout.

use std::collections::HashMap;

use super::layout::{BuildError, Builder, CodeVal};
use super::literal::Lit;
use super::parse::{ArgDecl, Block, HeaderDecl, Item, Loc, Parsed};
use super::AsmError;
use crate::code::{CodeLayout, Field};
use crate::exceptiontable::ExceptionTable;
use crate::instr::{encode, Instruction};
use crate::linetable::{LineTableFormat, Lnotab, Position};
use crate::lower::{
    encode_line_table, exception_table, handler_ranges, lay_out, lnotab_lines, other_direction,
    stack_size, table_positions, Region, Slot, SlotArg,
};
use crate::opcode::{table, ArgKind, Encoding, JumpKind, OpcodeTable};
use crate::pyc::{Invalidation, PycHeader};
use crate::stackdepth::StackError;
use crate::version::PyVersion;
use crate::Pyc;

/// Builds the `.pyc` a parsed file describes.
pub(crate) fn assemble(mut p: Parsed) -> Result<Pyc, AsmError> {
    let version = p.version;
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, b) in p.blocks.iter().enumerate() {
        by_name.insert(b.name.as_str(), i);
    }
    // Code names used in constants → block numbers.
    let mut map = Vec::with_capacity(p.codes.names.len());
    for (i, name) in p.codes.names.iter().enumerate() {
        match by_name.get(name.as_str()) {
            Some(&b) => map.push(b as u32),
            None => {
                let (line, _) = p.codes.first_use[i];
                let known = if p.blocks.len() <= 8 {
                    let names: Vec<_> = p.blocks.iter().map(|b| b.name.as_str()).collect();
                    format!(" (blocks: {})", names.join(", "))
                } else {
                    String::new()
                };
                return Err(
                    Loc { line, col: 1 }.error(format!("no code block named `{name}`{known}"))
                );
            }
        }
    }
    let mut used = vec![false; p.blocks.len()];
    used[0] = true;
    for b in &mut p.blocks {
        for (lit, _) in &mut b.consts {
            remap(lit, &map, &mut used);
        }
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(p.blocks[i].loc.error(format!(
            "code block `{}` is not a constant of any other block",
            p.blocks[i].name
        )));
    }
    let codes = p
        .blocks
        .iter()
        .map(|b| assemble_block(version, b))
        .collect::<Result<Vec<_>, _>>()?;
    let root_lit = Lit::Code(0);
    let mut builder = Builder::new(version, &p.layout, &codes);
    let root = builder.emit(&root_lit).map_err(|e| match e {
        BuildError::Cycle(b) => {
            let blk = &p.blocks[b as usize];
            blk.loc
                .error(format!("code block `{}` contains itself", blk.name))
        }
        BuildError::TooLarge(what) => p.blocks[0]
            .loc
            .error(format!("{what} too large for marshal")),
        BuildError::TooDeep => p.blocks[0].loc.error(format!(
            "objects nested more than {} deep: marshal cannot hold them",
            crate::marshal::MAX_MARSHAL_DEPTH
        )),
    })?;
    let invalidation = match p.header {
        HeaderDecl::Timestamp { mtime, size } => Invalidation::Timestamp {
            mtime,
            source_size: size,
        },
        HeaderDecl::UncheckedHash(h) => Invalidation::UncheckedHash(h),
        HeaderDecl::CheckedHash(h) => Invalidation::CheckedHash(h),
    };
    let implied = match invalidation {
        Invalidation::Timestamp { .. } => 0,
        Invalidation::UncheckedHash(_) => 1,
        Invalidation::CheckedHash(_) => 3,
    };
    let flags = if version.at_least(PyVersion::V3_7) {
        p.header_flags.unwrap_or(implied)
    } else {
        0
    };
    Ok(Pyc {
        header: PycHeader {
            version,
            flags,
            invalidation,
        },
        graph: builder.graph,
        root,
        trailing: p.trailing,
    })
}

fn remap(lit: &mut Lit, map: &[u32], used: &mut [bool]) {
    match lit {
        Lit::Code(n) => {
            *n = map[*n as usize];
            used[*n as usize] = true;
        }
        Lit::Tuple(v) | Lit::List(v) | Lit::Set(v) | Lit::FrozenSet(v) | Lit::Dict(v) => {
            for c in v {
                remap(c, map, used);
            }
        }
        _ => {}
    }
}

/// A text value of the version's string type (`unicode` never: Python 2 names and
/// file names are byte strings).
fn text_lit(version: PyVersion, s: &str) -> Lit {
    if version.is_py2() {
        Lit::Bytes(s.as_bytes().to_vec())
    } else {
        Lit::str(s)
    }
}

fn lit_text(l: &Lit) -> Option<&[u8]> {
    match l {
        Lit::Str(b) | Lit::Bytes(b) => Some(b),
        _ => None,
    }
}

/// The tables instruction arguments index, by name.
struct Tables {
    names: Vec<Lit>,
    /// Fast locals (≤3.10: `co_varnames`; 3.11+: all of localsplus).
    locals: Vec<Vec<u8>>,
    /// The deref space (≤3.10: cellvars then freevars; 3.11+: localsplus).
    derefs: Vec<Vec<u8>>,
    consts: usize,
}

fn find(list: &[Vec<u8>], name: &str) -> Option<usize> {
    list.iter().position(|n| n.as_slice() == name.as_bytes())
}

fn describe(kind: ArgKind) -> &'static str {
    match kind {
        ArgKind::Const => "a constant index",
        ArgKind::Name { .. } => "a name (an index into .names, or the name)",
        ArgKind::Local | ArgKind::LocalPair => "a local variable",
        ArgKind::Free => "a cell or free variable",
        ArgKind::Jump => "a label",
        _ => "a number",
    }
}

fn assemble_block(version: PyVersion, b: &Block) -> Result<CodeVal, AsmError> {
    let t = table(version);
    let layout = CodeLayout::of(version);
    let py311 = version.at_least(PyVersion::V3_11);
    let list = |v: &Option<(Vec<Lit>, Loc)>| v.as_ref().map(|(l, _)| l.clone()).unwrap_or_default();
    let texts = |v: &[Lit]| -> Vec<Vec<u8>> {
        v.iter()
            .map(|l| lit_text(l).map(<[u8]>::to_vec).unwrap_or_default())
            .collect()
    };
    let varnames = list(&b.varnames);
    let cellvars = list(&b.cellvars);
    let freevars = list(&b.freevars);
    let localsplus: Vec<(Lit, u8)> = b
        .localsplus
        .as_ref()
        .map(|(l, _)| l.clone())
        .unwrap_or_default();
    let mut tables = Tables {
        names: list(&b.names),
        locals: if py311 {
            localsplus
                .iter()
                .map(|(l, _)| lit_text(l).map(<[u8]>::to_vec).unwrap_or_default())
                .collect()
        } else {
            texts(&varnames)
        },
        derefs: if py311 {
            localsplus
                .iter()
                .map(|(l, _)| lit_text(l).map(<[u8]>::to_vec).unwrap_or_default())
                .collect()
        } else {
            let mut d = texts(&cellvars);
            d.extend(texts(&freevars));
            d
        },
        consts: b.consts.len(),
    };

    // Labels.
    let mut labels: HashMap<&str, (usize, Loc)> = HashMap::new();
    let mut n_instrs = 0usize;
    for item in &b.body {
        match item {
            Item::Label(name, loc) => {
                if let Some((_, prev)) = labels.insert(name, (n_instrs, *loc)) {
                    return Err(loc.error(format!(
                        "label `{name}` is already defined at line {}",
                        prev.line
                    )));
                }
            }
            Item::Instr(_) => n_instrs += 1,
            Item::Pos(..) => {}
        }
    }
    if let (Some((_, loc)), true) = (&b.rawcode, n_instrs > 0) {
        return Err(loc.error("a block with `.rawcode` has no instructions"));
    }

    // Instructions, positions, line marks.
    let mut slots: Vec<Slot> = Vec::with_capacity(n_instrs);
    let mut slot_locs: Vec<Loc> = Vec::with_capacity(n_instrs);
    let mut positions: Vec<Position> = Vec::with_capacity(n_instrs);
    let mut marks: Vec<(usize, i32)> = Vec::new();
    let mut pos = Position::NONE;
    for item in &b.body {
        match item {
            Item::Label(..) => {}
            Item::Pos(p) => {
                pos = *p;
                if let Some(l) = p.line {
                    marks.push((slots.len(), l));
                }
            }
            Item::Instr(d) => {
                let i = slots.len();
                let arg = resolve_arg(t, d, i, &labels, &mut tables)?;
                let mut op = d.op;
                if let (SlotArg::Label(n), Some(j)) = (arg, op.jump) {
                    let ok = match j.kind {
                        JumpKind::Absolute => true,
                        JumpKind::Forward => n > i,
                        JumpKind::Backward => n <= i + 1,
                    };
                    if !ok {
                        let label = match &d.arg {
                            Some((ArgDecl::Word(w, _), _)) => w.as_str(),
                            _ => "?",
                        };
                        op =
                            other_direction(t, op).ok_or_else(|| {
                                let dir = if j.kind == JumpKind::Forward {
                                    "forward"
                                } else {
                                    "backward"
                                };
                                d.loc.error(format!(
                                "{} only jumps {dir} in CPython {version}, but `{label}` is {} it",
                                op.name,
                                if j.kind == JumpKind::Forward { "before" } else { "after" }
                            ))
                            })?;
                    }
                }
                if t.encoding == Encoding::Bytes3 && !op.has_arg {
                    if let SlotArg::Fixed(a) = arg {
                        if a != 0 {
                            return Err(d
                                .loc
                                .error(format!("{} takes no argument in CPython 2.7", op.name)));
                        }
                    }
                }
                slots.push(Slot {
                    op,
                    arg,
                    min_prefixes: d.extended,
                    cache: d
                        .cache
                        .clone()
                        .map(Vec::into_boxed_slice)
                        .unwrap_or_default(),
                });
                slot_locs.push(d.loc);
                positions.push(pos);
            }
        }
    }
    let instrs = lay_out(t, &slots)
        .map_err(|i| slot_locs[i].error(format!("{} cannot reach its label", slots[i].op.name)))?;
    let code: Vec<u8> = match &b.rawcode {
        Some((raw, _)) => raw.clone(),
        None => encode(&instrs, version),
    };
    let code_len = code.len() as u32;
    let offset_of = |n: usize| instrs.get(n).map_or(code_len, |i| i.start);

    // Exception table.
    let mut exc_bytes = Vec::new();
    let mut handlers = Vec::new();
    if py311 {
        if !b.handlers.is_empty() {
            if let Some((_, loc)) = &b.exceptiontable {
                return Err(
                    loc.error("a block has `.handler` lines or an `.exceptiontable`, not both")
                );
            }
            let label = |(name, loc): &(String, Loc)| -> Result<usize, AsmError> {
                labels
                    .get(name.as_str())
                    .map(|&(n, _)| n)
                    .ok_or_else(|| loc.error(format!("undefined label `{name}`")))
            };
            let mut regions = Vec::with_capacity(b.handlers.len());
            for h in &b.handlers {
                let start = label(&h.start)?;
                let end = label(&h.end)?;
                let target = label(&h.target)?;
                if offset_of(end) < offset_of(start) {
                    return Err(h.end.1.error(format!(
                        "the protected range ends (`{}`) before it starts (`{}`)",
                        h.end.0, h.start.0
                    )));
                }
                regions.push(Region {
                    start,
                    end,
                    target,
                    depth: h.depth,
                    lasti: h.lasti,
                });
            }
            (exc_bytes, handlers) = exception_table(&instrs, code_len, &regions);
        } else if let Some((raw, loc)) = &b.exceptiontable {
            exc_bytes = raw.clone();
            let table = ExceptionTable::decode(raw)
                .map_err(|e| loc.error(format!("bad exception table: {e}")))?;
            handlers = handler_ranges(&table);
        }
    }

    // Stack size.
    let given = b.stacksize.as_ref().map(|(s, _)| *s);
    let stacksize = if b.rawcode.is_some() {
        given.unwrap_or(0)
    } else {
        match stack_size(version, &instrs, code_len, &handlers, given) {
            Ok(s) => s,
            Err(e @ StackError::Diverges { offset }) => {
                let k = instrs.iter().position(|i| i.offset == offset).unwrap_or(0);
                let loc = slot_locs.get(k).copied().unwrap_or(b.loc);
                return Err(loc.error(e.to_string()));
            }
            Err(e) => {
                return Err(b.loc.error(format!(
                    "cannot compute the stack depth ({e}): give `.stacksize`"
                )))
            }
        }
    };

    // Line table.
    let firstlineno = b
        .firstlineno
        .as_ref()
        .map(|(f, _)| *f)
        .or_else(|| marks.first().map(|(_, l)| (*l).max(1)))
        .unwrap_or(1);
    let linetable = if b.rawcode.is_some() {
        b.linetable
            .as_ref()
            .map(|(l, _)| l.clone())
            .unwrap_or_default()
    } else {
        line_table(
            version,
            b,
            &instrs,
            code_len,
            firstlineno,
            &positions,
            &marks,
        )
    };

    // co_nlocals: the number of local variable names (what CPython requires).
    let argcount = b.argcount.as_ref().map_or(0, |(v, _)| *v);
    let posonly = b.posonlyargcount.as_ref().map_or(0, |(v, _)| *v);
    let kwonly = b.kwonlyargcount.as_ref().map_or(0, |(v, _)| *v);
    let nlocals = (!py311).then(|| {
        let computed = varnames.len() as i32;
        match &b.nlocals {
            Some((n, _)) if *n == computed => *n,
            _ => computed,
        }
    });
    let co_name = b
        .co_name
        .as_ref()
        .map(|(l, _)| l.clone())
        .unwrap_or_else(|| {
            let last = b.name.rsplit('.').next().unwrap_or(&b.name);
            let last = last.split('#').next().unwrap_or(last);
            text_lit(version, last)
        });
    let mut fields = Vec::with_capacity(layout.fields().len());
    for &f in layout.fields() {
        let lit = match f {
            Field::Code => Lit::Bytes(code.clone()),
            Field::Consts => Lit::Tuple(b.consts.iter().map(|(l, _)| l.clone()).collect()),
            Field::Names => Lit::Tuple(tables.names.clone()),
            Field::VarNames => Lit::Tuple(varnames.clone()),
            Field::FreeVars => Lit::Tuple(freevars.clone()),
            Field::CellVars => Lit::Tuple(cellvars.clone()),
            Field::LocalsPlusNames => {
                Lit::Tuple(localsplus.iter().map(|(l, _)| l.clone()).collect())
            }
            Field::LocalsPlusKinds => Lit::Bytes(localsplus.iter().map(|(_, k)| *k).collect()),
            Field::FileName => b
                .filename
                .as_ref()
                .map(|(l, _)| l.clone())
                .unwrap_or_else(|| text_lit(version, "<pyasm>")),
            Field::Name => co_name.clone(),
            Field::QualName => b
                .qualname
                .as_ref()
                .map(|(l, _)| l.clone())
                .unwrap_or_else(|| co_name.clone()),
            Field::LineTable => Lit::Bytes(linetable.clone()),
            Field::ExceptionTable => Lit::Bytes(exc_bytes.clone()),
            _ => continue,
        };
        fields.push((f, lit));
    }
    Ok(CodeVal {
        layout,
        argcount,
        posonlyargcount: posonly,
        kwonlyargcount: kwonly,
        nlocals,
        stacksize,
        flags: b.flags.as_ref().map_or(0, |(v, _)| *v),
        firstlineno,
        fields,
    })
}

fn resolve_arg(
    t: &OpcodeTable,
    d: &super::parse::InstrDecl,
    i: usize,
    labels: &HashMap<&str, (usize, Loc)>,
    tables: &mut Tables,
) -> Result<SlotArg, AsmError> {
    let op = d.op;
    let kind = op.arg_kind;
    let Some((arg, loc)) = &d.arg else {
        let needs = if t.version.at_least(PyVersion::V3_12) {
            op.has_arg
        } else {
            op.has_arg && kind != ArgKind::None
        };
        if needs {
            return Err(d
                .loc
                .error(format!("{} needs an argument: {}", op.name, describe(kind))));
        }
        return Ok(SlotArg::Fixed(0));
    };
    let _ = i;
    let out_of_range = |what: &str, n: u32, len: usize| -> AsmError {
        loc.error(format!(
            "{what} index {n} out of range: the block has {len} {what}{}",
            if len == 1 { "" } else { "s" }
        ))
    };
    if op.jump.is_some() {
        return match arg {
            ArgDecl::Number(n) => Ok(SlotArg::Fixed(*n)),
            ArgDecl::Word(w, 0) => labels
                .get(w.as_str())
                .map(|&(n, _)| SlotArg::Label(n))
                .ok_or_else(|| loc.error(format!("undefined label `{w}`"))),
            _ => Err(loc.error(format!("{} takes a label", op.name))),
        };
    }
    let n = match arg {
        ArgDecl::Number(n) => *n,
        ArgDecl::Word(w, flags) | ArgDecl::Quoted(w, flags) => {
            let (index, shift) = match kind {
                ArgKind::Name { shift } => {
                    let at = tables
                        .names
                        .iter()
                        .position(|l| lit_text(l) == Some(w.as_bytes()));
                    let at = match at {
                        Some(a) => a,
                        None => {
                            tables.names.push(text_lit(t.version, w));
                            tables.names.len() - 1
                        }
                    };
                    (at, shift)
                }
                ArgKind::Local => (
                    find(&tables.locals, w).ok_or_else(|| {
                        loc.error(format!("no local variable `{w}` in this block"))
                    })?,
                    0,
                ),
                ArgKind::Free => (
                    find(&tables.derefs, w).ok_or_else(|| {
                        loc.error(format!("no cell or free variable `{w}` in this block"))
                    })?,
                    0,
                ),
                _ => {
                    return Err(loc.error(format!(
                        "{} takes {}, not a name",
                        op.name,
                        describe(kind)
                    )))
                }
            };
            if u64::from(*flags) >= 1u64 << shift {
                return Err(loc.error(format!(
                    "{} has {shift} flag bit{} below the index: `+{flags}` does not fit",
                    op.name,
                    if shift == 1 { "" } else { "s" }
                )));
            }
            let full = (index as u64) << shift | u64::from(*flags);
            return u32::try_from(full)
                .map(SlotArg::Fixed)
                .map_err(|_| loc.error("argument does not fit in 32 bits"));
        }
    };
    match kind {
        ArgKind::Const if n as usize >= tables.consts => {
            Err(out_of_range("constant", n, tables.consts))
        }
        ArgKind::Name { shift } if (n >> shift) as usize >= tables.names.len() => {
            Err(out_of_range("name", n >> shift, tables.names.len()))
        }
        ArgKind::Local if n as usize >= tables.locals.len() => {
            Err(out_of_range("local variable", n, tables.locals.len()))
        }
        ArgKind::LocalPair => {
            let (a, c) = ArgKind::local_pair(n);
            let m = a.max(c);
            if m as usize >= tables.locals.len() {
                Err(out_of_range("local variable", m, tables.locals.len()))
            } else {
                Ok(SlotArg::Fixed(n))
            }
        }
        ArgKind::Free if n as usize >= tables.derefs.len() => Err(out_of_range(
            "cell or free variable",
            n,
            tables.derefs.len(),
        )),
        ArgKind::Compare { shift } if (n >> shift) as usize >= t.cmp_ops.len() => {
            Err(loc.error(format!(
                "comparison {} out of range: there are {}",
                n >> shift,
                t.cmp_ops.len()
            )))
        }
        ArgKind::BinaryOp if n as usize >= t.nb_ops.len() => Err(loc.error(format!(
            "binary operator {n} out of range: there are {}",
            t.nb_ops.len()
        ))),
        _ => Ok(SlotArg::Fixed(n)),
    }
}

/// The line table: the original if it still gives every instruction the position
/// the `.loc` lines give it, else encoded from them as the version's compiler would.
fn line_table(
    version: PyVersion,
    b: &Block,
    instrs: &[Instruction],
    code_len: u32,
    firstlineno: i32,
    positions: &[Position],
    marks: &[(usize, i32)],
) -> Vec<u8> {
    let original = b.linetable.as_ref().map(|(l, _)| l.as_slice());
    let n = instrs.len();
    match LineTableFormat::of(version) {
        LineTableFormat::Lnotab(flavor) => {
            // Per instruction: the line of the last mark at or before it.
            let mut want = Vec::with_capacity(n);
            let mut line = firstlineno;
            let mut m = 0;
            for k in 0..n {
                while m < marks.len() && marks[m].0 <= k {
                    line = marks[m].1;
                    m += 1;
                }
                want.push(line);
            }
            if let Some(orig) = original {
                match Lnotab::decode(flavor, orig) {
                    Ok(t) if lnotab_lines(&t, firstlineno, instrs) == want => return orig.to_vec(),
                    Err(_) if marks.is_empty() => return orig.to_vec(),
                    _ => {}
                }
            }
        }
        _ => {
            if let Some(orig) = original {
                match table_positions(version, orig, firstlineno, instrs, code_len) {
                    Some((got, true)) if got == positions => return orig.to_vec(),
                    None if marks.is_empty() => return orig.to_vec(),
                    _ => {}
                }
            }
        }
    }
    encode_line_table(version, instrs, code_len, firstlineno, positions, marks)
}
