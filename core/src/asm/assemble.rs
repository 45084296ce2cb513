//! Syntax tree → `.pyc`: instructions laid out, tables and stack size computed,
//! objects built by replaying the marshal layout.

use std::collections::HashMap;

use super::layout::{BuildError, Builder, CodeVal};
use super::literal::Lit;
use super::parse::{ArgDecl, Block, HeaderDecl, Item, Loc, Parsed};
use super::AsmError;
use crate::code::{CodeLayout, Field};
use crate::exceptiontable::{ExceptionTable, ExceptionTableEntry};
use crate::instr::{encode, prefixes_needed, Instruction};
use crate::linetable::{LineMark, LineTableFormat, Lnotab, LocationTable, Pep626Table, Position};
use crate::opcode::{table, ArgKind, Encoding, JumpKind, OpInfo, OpcodeTable};
use crate::pyc::{Invalidation, PycHeader};
use crate::stackdepth::{max_depth, HandlerRange, StackError};
use crate::version::PyVersion;
use crate::Pyc;

/// The argument of an instruction to lay out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SlotArg {
    /// A number used as it is.
    Fixed(u32),
    /// A jump to the start of instruction `n` (`n` = the number of instructions: the
    /// end of the code).
    Label(usize),
}

/// An instruction before layout: offsets, prefixes and jump arguments still open.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub op: &'static OpInfo,
    pub arg: SlotArg,
    /// Prefixes wanted at least (`.extended N`).
    pub min_prefixes: u8,
    /// Non-zero inline cache contents (empty: zero-filled).
    pub cache: Box<[u8]>,
}

/// Lays instructions out: each gets the fewest `EXTENDED_ARG` prefixes it needs (at
/// least its `min_prefixes`), which moves offsets, which changes jump arguments, until
/// nothing changes (prefix counts only grow, so this ends). Fails with the index of a
/// jump that cannot reach its label.
pub(crate) fn lay_out(t: &OpcodeTable, slots: &[Slot]) -> Result<Vec<Instruction>, usize> {
    let v = t.version;
    let mut prefixes: Vec<u8> = slots
        .iter()
        .map(|s| match s.arg {
            SlotArg::Fixed(a) => s.min_prefixes.max(prefixes_needed(a, v)),
            SlotArg::Label(_) => s.min_prefixes,
        })
        .collect();
    let unit = match t.encoding {
        Encoding::Wordcode => 2u32,
        Encoding::Bytes3 => 3u32,
    };
    let mut starts = vec![0u32; slots.len() + 1];
    let mut args = vec![0u32; slots.len()];
    loop {
        let mut at = 0u32;
        for (i, s) in slots.iter().enumerate() {
            starts[i] = at;
            at += unit * u32::from(prefixes[i]) + t.instr_len(s.op) as u32;
        }
        starts[slots.len()] = at;
        let mut changed = false;
        for (i, s) in slots.iter().enumerate() {
            let arg = match s.arg {
                SlotArg::Fixed(a) => a,
                SlotArg::Label(n) => {
                    let jump = s.op.jump.ok_or(i)?;
                    let end = starts[i + 1];
                    jump.arg_for(end, starts[n]).ok_or(i)?
                }
            };
            args[i] = arg;
            let need = prefixes_needed(arg, v);
            if need > prefixes[i] {
                prefixes[i] = need;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(slots
        .iter()
        .enumerate()
        .map(|(i, s)| Instruction {
            start: starts[i],
            offset: starts[i] + unit * u32::from(prefixes[i]),
            op: s.op,
            arg: args[i],
            prefixes: prefixes[i],
            cache: s.cache.clone(),
        })
        .collect())
}

/// The opcode of the other direction for a relative jump, if the version has one.
pub(crate) fn other_direction(t: &OpcodeTable, op: &OpInfo) -> Option<&'static OpInfo> {
    let t: &'static OpcodeTable = table(t.version);
    if op.name.contains("FORWARD") {
        if let Some(o) = t.by_name(&op.name.replace("FORWARD", "BACKWARD")) {
            return Some(o);
        }
        if op.name == "JUMP_FORWARD" {
            return t.by_name("JUMP_ABSOLUTE");
        }
        None
    } else if op.name.contains("BACKWARD") {
        t.by_name(&op.name.replace("BACKWARD", "FORWARD"))
    } else {
        None
    }
}

/// Per instruction, the line the `co_lnotab` gives its first byte (what
/// `PyCode_Addr2Line` says up to 3.9).
pub(crate) fn lnotab_lines(t: &Lnotab, firstlineno: i32, instrs: &[Instruction]) -> Vec<i32> {
    let mut addr = 0u32;
    let mut line = firstlineno;
    let mut j = 0;
    let mut out = Vec::with_capacity(instrs.len());
    for i in instrs {
        while let Some(e) = t.entries.get(j) {
            let next = addr.saturating_add(u32::from(e.addr_delta));
            if next > i.start {
                break;
            }
            addr = next;
            line = line.wrapping_add(i32::from(e.line_delta));
            j += 1;
        }
        out.push(line);
    }
    out
}

/// Per instruction, the position a 3.10+ line table gives its first code unit, and
/// whether the table covers exactly `code_len` bytes with one position per
/// instruction (every unit of an instruction alike). `None` if the table does not
/// decode.
pub(crate) fn table_positions(
    version: PyVersion,
    bytes: &[u8],
    firstlineno: i32,
    instrs: &[Instruction],
    code_len: u32,
) -> Option<(Vec<Position>, bool)> {
    match LineTableFormat::of(version) {
        LineTableFormat::Pep626 => {
            let t = Pep626Table::decode(bytes).ok()?;
            let total: u32 = t.entries.iter().map(|e| u32::from(e.byte_delta)).sum();
            let mut exact = total == code_len;
            let ranges: Vec<_> = t.lines(firstlineno).collect();
            let mut k = 0;
            let mut out = Vec::with_capacity(instrs.len());
            for (n, i) in instrs.iter().enumerate() {
                while k < ranges.len() && ranges[k].end <= i.start {
                    k += 1;
                }
                let line = match ranges.get(k) {
                    Some(r) if r.start <= i.start => {
                        let end = instrs.get(n + 1).map_or(code_len, |x| x.start);
                        if r.end < end {
                            exact = false;
                        }
                        r.line
                    }
                    _ => {
                        exact = false;
                        None
                    }
                };
                out.push(Position {
                    line,
                    end_line: line,
                    column: None,
                    end_column: None,
                });
            }
            Some((out, exact))
        }
        LineTableFormat::Locations => {
            let t = LocationTable::decode(bytes).ok()?;
            let mut exact = t.units() as u64 * 2 == u64::from(code_len);
            let per_unit: Vec<Position> = t.positions(firstlineno).collect();
            let mut out = Vec::with_capacity(instrs.len());
            for (n, i) in instrs.iter().enumerate() {
                let first = (i.start / 2) as usize;
                let end = (instrs.get(n + 1).map_or(code_len, |x| x.start) / 2) as usize;
                let p = per_unit.get(first).copied().unwrap_or(Position::NONE);
                if exact
                    && per_unit[first..end.min(per_unit.len())]
                        .iter()
                        .any(|q| *q != p)
                {
                    exact = false;
                }
                out.push(p);
            }
            Some((out, exact))
        }
        LineTableFormat::Lnotab(_) => None,
    }
}

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
            let label = |(name, loc): &(String, Loc)| -> Result<u32, AsmError> {
                labels
                    .get(name.as_str())
                    .map(|&(n, _)| offset_of(n))
                    .ok_or_else(|| loc.error(format!("undefined label `{name}`")))
            };
            let mut table = ExceptionTable::default();
            for h in &b.handlers {
                let start = label(&h.start)?;
                let end = label(&h.end)?;
                let target = label(&h.target)?;
                if end < start {
                    return Err(h.end.1.error(format!(
                        "the protected range ends (`{}`) before it starts (`{}`)",
                        h.end.0, h.start.0
                    )));
                }
                table.entries.push(ExceptionTableEntry {
                    start: start / 2,
                    length: (end - start) / 2,
                    target: target / 2,
                    depth: h.depth,
                    lasti: h.lasti,
                });
                handlers.push(HandlerRange {
                    start,
                    end,
                    target,
                    depth: h.depth,
                    lasti: h.lasti,
                });
            }
            exc_bytes = table.to_bytes();
        } else if let Some((raw, loc)) = &b.exceptiontable {
            exc_bytes = raw.clone();
            let table = ExceptionTable::decode(raw)
                .map_err(|e| loc.error(format!("bad exception table: {e}")))?;
            handlers = table
                .entries
                .iter()
                .map(|e| HandlerRange {
                    start: e.start * 2,
                    end: e.end() * 2,
                    target: e.target * 2,
                    depth: e.depth,
                    lasti: e.lasti,
                })
                .collect();
        }
    }

    // Stack size.
    let given = b.stacksize.as_ref().map(|(s, _)| *s);
    let stacksize = if b.rawcode.is_some() {
        given.unwrap_or(0)
    } else {
        match max_depth(version, &instrs, code_len, &handlers) {
            Ok(d) => {
                let d = i32::try_from(d).unwrap_or(i32::MAX);
                match given {
                    Some(s) if s >= d => s,
                    _ => d,
                }
            }
            Err(e @ StackError::Diverges { offset }) => {
                let k = instrs.iter().position(|i| i.offset == offset).unwrap_or(0);
                let loc = slot_locs.get(k).copied().unwrap_or(b.loc);
                return Err(loc.error(e.to_string()));
            }
            // A raw jump argument leading into an instruction: the original `.pyc`
            // had one (its text says so), and its stack size stands.
            Err(e) => match given {
                Some(s) => s,
                None => {
                    return Err(b.loc.error(format!(
                        "cannot compute the stack depth ({e}): give `.stacksize`"
                    )))
                }
            },
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
    let offset_of = |k: usize| instrs.get(k).map_or(code_len, |i| i.start);
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
            let marks = marks.iter().map(|&(k, line)| LineMark {
                offset: offset_of(k),
                line,
            });
            Lnotab::from_marks(flavor, firstlineno, marks).to_bytes()
        }
        format => {
            if let Some(orig) = original {
                match table_positions(version, orig, firstlineno, instrs, code_len) {
                    Some((got, true)) if got == positions => return orig.to_vec(),
                    None if marks.is_empty() => return orig.to_vec(),
                    _ => {}
                }
            }
            let runs = instrs
                .iter()
                .enumerate()
                .map(|(k, i)| (offset_of(k + 1) - i.start, positions[k]));
            if format == LineTableFormat::Pep626 {
                Pep626Table::from_lines(firstlineno, runs.map(|(len, p)| (len, p.line))).to_bytes()
            } else {
                LocationTable::from_positions(
                    version,
                    firstlineno,
                    runs.map(|(len, p)| (len / 2, p)),
                )
                .to_bytes()
            }
        }
    }
}
