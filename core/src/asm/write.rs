//! `.pyc` → assembly text (`pycopt dis --asm`).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::layout::record;
use super::literal::{write_name, LitWriter};
use super::parse::{LayoutTok, KIND_NAMES};
use super::DisasmError;
use crate::code::{Code, Locals};
use crate::exceptiontable::ExceptionTable;
use crate::instr::{decode, prefixes_needed, Instruction};
use crate::linetable::{LineTableFormat, Lnotab, Position};
use crate::lower::{lay_out, lnotab_lines, table_positions, Slot, SlotArg};
use crate::marshal::{ObjId, ObjectGraph, Value};
use crate::opcode::{table, ArgKind, OpcodeTable};
use crate::pyc::Invalidation;
use crate::version::PyVersion;
use crate::Pyc;

/// Every code object reachable from `root` through constants (also inside tuples and
/// other containers), depth first in constant order, with unique block names: the
/// dotted path of `co_name`s, `#2`, `#3`… for repeats.
fn blocks(g: &ObjectGraph, root: ObjId) -> Vec<(ObjId, String)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut stack = vec![(root, None::<String>)];
    while let Some((id, parent)) = stack.pop() {
        let Some(code) = g.as_code(id) else { continue };
        if !seen.insert(id) {
            continue;
        }
        let name = g.str_lossy(code.name);
        let base = match &parent {
            Some(p) => format!("{p}.{name}"),
            None => name,
        };
        let mut path = base.clone();
        let mut k = 1;
        while taken.contains(&path) {
            k += 1;
            path = format!("{base}#{k}");
        }
        taken.insert(path.clone());
        let mut nested = Vec::new();
        let mut todo: Vec<ObjId> = code.consts(g).iter().rev().copied().collect();
        while let Some(c) = todo.pop() {
            match &g.node(c).value {
                Value::Code(_) => nested.push(c),
                _ => todo.extend(g.children(c).iter().rev()),
            }
        }
        for c in nested.into_iter().rev() {
            stack.push((c, Some(path.clone())));
        }
        out.push((id, path));
    }
    out
}

/// `co_flags` bit names, for the comment after `.flags`.
fn flag_names(flags: i32, version: PyVersion) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut table: Vec<(i32, &str)> = vec![
        (0x1, "OPTIMIZED"),
        (0x2, "NEWLOCALS"),
        (0x4, "VARARGS"),
        (0x8, "VARKEYWORDS"),
        (0x10, "NESTED"),
        (0x20, "GENERATOR"),
        (0x40, "NOFREE"),
    ];
    if !version.is_py2() {
        table.extend([
            (0x80, "COROUTINE"),
            (0x100, "ITERABLE_COROUTINE"),
            (0x200, "ASYNC_GENERATOR"),
        ]);
    }
    if version.at_least(PyVersion::V3_12) {
        table.retain(|&(b, _)| b != 0x40);
    }
    let mut rest = flags;
    for (bit, name) in table {
        if flags & bit != 0 {
            names.push(name);
            rest &= !bit;
        }
    }
    let mut s = names.join(" | ");
    if rest != 0 {
        if !s.is_empty() {
            s.push_str(" | ");
        }
        let _ = write!(s, "0x{rest:x}");
    }
    s
}

fn hex(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Appends `s` cut to about `max` characters (for comments).
fn push_short(out: &mut String, s: &str, max: usize) {
    if s.chars().count() <= max {
        out.push_str(s);
    } else {
        out.extend(s.chars().take(max));
        out.push_str("...");
    }
}

/// Pads `line` with spaces up to column `col` (at least one space).
fn pad_to(line: &mut String, start: usize, col: usize) {
    let used = line[start..].chars().count();
    let n = if used < col { col - used } else { 1 };
    line.extend(std::iter::repeat_n(' ', n));
}

struct Writer<'a> {
    g: &'a ObjectGraph,
    version: PyVersion,
    t: &'static OpcodeTable,
    names: HashMap<ObjId, String>,
    out: String,
}

/// Writes the whole file.
pub(crate) fn write(pyc: &Pyc) -> Result<String, DisasmError> {
    let g = &pyc.graph;
    let version = pyc.version();
    let blocks = blocks(g, pyc.root);
    let mut w = Writer {
        g,
        version,
        t: table(version),
        names: blocks.iter().map(|(id, n)| (*id, n.clone())).collect(),
        out: String::with_capacity(g.byte_pool_len() * 4 + 256),
    };
    let o = &mut w.out;
    let _ = writeln!(o, ".pyasm 1");
    let _ = writeln!(o, ".python {version}");
    let h = &pyc.header;
    let implied = match h.invalidation {
        Invalidation::Timestamp { mtime, source_size } => {
            let _ = write!(o, ".header timestamp mtime={mtime}");
            if let Some(s) = source_size {
                let _ = write!(o, " size={s}");
            }
            o.push('\n');
            0
        }
        Invalidation::UncheckedHash(x) => {
            let _ = writeln!(o, ".header unchecked-hash {}", hex(&x));
            1
        }
        Invalidation::CheckedHash(x) => {
            let _ = writeln!(o, ".header checked-hash {}", hex(&x));
            3
        }
    };
    if version.at_least(PyVersion::V3_7) && h.flags != implied {
        let _ = writeln!(o, ".header-flags 0x{:x}", h.flags);
    }
    if !pyc.trailing.is_empty() {
        let _ = writeln!(o, ".trailing {}", hex(&pyc.trailing));
    }
    for (id, name) in &blocks {
        w.block(*id, name)?;
    }
    let layout = record(g, pyc.root, version);
    let o = &mut w.out;
    for chunk in layout.chunks(32) {
        o.push_str("\n.marshal-layout");
        for tok in chunk {
            match tok {
                LayoutTok::Type(b) => {
                    let _ = write!(o, " {b:02x}");
                }
                LayoutTok::Ref(n) => {
                    let _ = write!(o, " r{n}");
                }
            }
        }
    }
    o.push('\n');
    Ok(w.out)
}

impl Writer<'_> {
    fn lit(&self, out: &mut String, id: ObjId) {
        let names = &self.names;
        let f = move |id: ObjId| names.get(&id).map(String::as_str);
        LitWriter {
            g: self.g,
            version: self.version,
            code_name: &f,
        }
        .write(out, id);
    }

    fn lit_string(&self, id: ObjId) -> String {
        let mut s = String::new();
        self.lit(&mut s, id);
        s
    }

    fn tuple_line(&mut self, directive: &str, id: ObjId) {
        let mut line = format!("  .{directive}");
        for (i, &c) in self.g.children(id).iter().enumerate() {
            line.push_str(if i == 0 { " " } else { ", " });
            self.lit(&mut line, c);
        }
        self.out.push_str(&line);
        self.out.push('\n');
    }

    fn block(&mut self, id: ObjId, name: &str) -> Result<(), DisasmError> {
        let g = self.g;
        let v = self.version;
        let code: &Code = g.as_code(id).expect("blocks are code objects");
        let mut head = String::from(".code ");
        write_name(&mut head, name);
        let o = &mut self.out;
        let _ = writeln!(o, "\n{head}");
        let _ = writeln!(o, "  .argcount {}", code.argcount);
        if v.at_least(PyVersion::V3_8) {
            let _ = writeln!(o, "  .posonlyargcount {}", code.posonlyargcount);
        }
        if !v.is_py2() {
            let _ = writeln!(o, "  .kwonlyargcount {}", code.kwonlyargcount);
        }
        if let Some(n) = code.nlocals {
            let _ = writeln!(o, "  .nlocals {n}");
        }
        let _ = writeln!(o, "  .stacksize {}", code.stacksize);
        let names = flag_names(code.flags, v);
        if names.is_empty() {
            let _ = writeln!(o, "  .flags 0x{:x}", code.flags);
        } else {
            let _ = writeln!(
                o,
                "  .flags 0x{:x}                    ; {names}",
                code.flags
            );
        }
        for (directive, obj) in [
            ("filename", Some(code.filename)),
            ("name", Some(code.name)),
            ("qualname", code.qualname),
        ] {
            if let Some(obj) = obj {
                let s = self.lit_string(obj);
                let _ = writeln!(self.out, "  .{directive} {s}");
            }
        }
        let _ = writeln!(self.out, "  .firstlineno {}", code.firstlineno);
        self.tuple_line("names", code.names);
        match code.locals {
            Locals::Split {
                varnames,
                freevars,
                cellvars,
            } => {
                self.tuple_line("varnames", varnames);
                self.tuple_line("cellvars", cellvars);
                self.tuple_line("freevars", freevars);
            }
            Locals::Plus { names, kinds } => {
                let kinds = g.as_bytes(kinds).unwrap_or(&[]);
                let mut line = String::from("  .localsplus");
                for (i, &n) in g.children(names).iter().enumerate() {
                    line.push_str(if i == 0 { " " } else { ", " });
                    self.lit(&mut line, n);
                    line.push(' ');
                    let k = kinds.get(i).copied().unwrap_or(0);
                    let mut parts: Vec<String> = Vec::new();
                    let mut rest = k;
                    for &(name, bit) in KIND_NAMES {
                        if k & bit != 0 {
                            parts.push(name.to_string());
                            rest &= !bit;
                        }
                    }
                    if rest != 0 || parts.is_empty() {
                        parts.push(format!("0x{rest:02x}"));
                    }
                    line.push_str(&parts.join("+"));
                }
                self.out.push_str(&line);
                self.out.push('\n');
            }
        }
        for (i, &c) in code.consts(g).iter().enumerate() {
            let s = self.lit_string(c);
            let _ = writeln!(self.out, "  .const {i} {s}");
        }
        self.body(code);
        self.out.push_str(".end\n");
        Ok(())
    }

    /// The instructions, labels, positions and side tables of one code object.
    fn body(&mut self, code: &Code) {
        let g = self.g;
        let v = self.version;
        let t = self.t;
        let bytes = code.bytecode(g);
        let code_len = bytes.len() as u32;
        let linetable = g.as_bytes(code.linetable);
        let lt_directive = if v.at_least(PyVersion::V3_10) {
            "linetable"
        } else {
            "lnotab"
        };
        let instrs = match decode(bytes, v) {
            Ok(i) => i,
            Err(e) => {
                let _ = writeln!(self.out, "  ; co_code does not decode ({e}): kept as bytes");
                let _ = writeln!(self.out, "  .rawcode {}", hex(bytes));
                if let Some(l) = linetable {
                    let _ = writeln!(self.out, "  .{lt_directive} {}", hex(l));
                }
                if let Some(x) = code.exceptiontable.and_then(|x| g.as_bytes(x)) {
                    if !x.is_empty() {
                        let _ = writeln!(self.out, "  .exceptiontable {}", hex(x));
                    }
                }
                return;
            }
        };
        let n = instrs.len();
        let index: HashMap<u32, usize> = instrs
            .iter()
            .enumerate()
            .map(|(k, i)| (i.start, k))
            .chain(std::iter::once((code_len, n)))
            .collect();
        // Labels: jump targets and exception table boundaries.
        let mut label_at: Vec<bool> = vec![false; n + 1];
        let mut slots: Vec<Slot> = Vec::with_capacity(n);
        for i in &instrs {
            let arg = match i.jump_target(t).and_then(|x| index.get(&x)) {
                Some(&k) if i.op.jump.is_some() => {
                    label_at[k] = true;
                    SlotArg::Label(k)
                }
                _ => SlotArg::Fixed(i.arg),
            };
            let min = match arg {
                SlotArg::Fixed(a) if i.prefixes > prefixes_needed(a, v) => i.prefixes,
                _ => 0,
            };
            slots.push(Slot {
                op: i.op,
                arg,
                min_prefixes: min,
                cache: i.cache.clone(),
            });
        }
        // Ask for the prefixes the original has where the minimal layout has fewer.
        for _ in 0..8 {
            let Ok(laid) = lay_out(t, &slots) else { break };
            let mut changed = false;
            for (k, (a, b)) in laid.iter().zip(&instrs).enumerate() {
                if a.prefixes < b.prefixes {
                    slots[k].min_prefixes = b.prefixes;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let exc = code
            .exceptiontable
            .and_then(|x| g.as_bytes(x))
            .unwrap_or(&[]);
        let mut handlers: Vec<String> = Vec::new();
        let mut raw_exc = false;
        if !exc.is_empty() {
            match ExceptionTable::decode(exc) {
                Ok(table) => {
                    let mut lines = Vec::new();
                    for e in &table.entries {
                        let pts = [e.start, e.end(), e.target]
                            .map(|u| u.checked_mul(2).and_then(|b| index.get(&b).copied()));
                        let [Some(s), Some(en), Some(tg)] = pts else {
                            raw_exc = true;
                            break;
                        };
                        label_at[s] = true;
                        label_at[en] = true;
                        label_at[tg] = true;
                        lines.push((s, en, tg, e.depth, e.lasti));
                    }
                    if !raw_exc {
                        handlers = lines
                            .into_iter()
                            .map(|(s, en, tg, d, l)| {
                                format!(
                                    "  .handler {} {} -> {} depth {d}{}",
                                    label_name(&instrs, code_len, s),
                                    label_name(&instrs, code_len, en),
                                    label_name(&instrs, code_len, tg),
                                    if l { " lasti" } else { "" }
                                )
                            })
                            .collect();
                    }
                }
                Err(_) => raw_exc = true,
            }
        }
        // Positions.
        let mut marks_at: Vec<Vec<i32>> = Vec::new();
        let mut pos_at: Vec<Position> = Vec::new();
        if let Some(lt) = linetable {
            match LineTableFormat::of(v) {
                LineTableFormat::Lnotab(flavor) => {
                    if let Ok(t) = Lnotab::decode(flavor, lt) {
                        marks_at = vec![Vec::new(); n + 1];
                        for m in t.all_marks(code.firstlineno) {
                            if let Some(&k) = index.get(&m.offset) {
                                marks_at[k].push(m.line);
                            }
                        }
                        // Where the marks alone would give another line than the
                        // table (a mark the table holds elsewhere), say the line.
                        let lines = lnotab_lines(&t, code.firstlineno, &instrs);
                        let mut cur = code.firstlineno;
                        for (k, &want) in lines.iter().enumerate() {
                            if let Some(&l) = marks_at[k].last() {
                                cur = l;
                            }
                            if cur != want {
                                marks_at[k].push(want);
                                cur = want;
                            }
                        }
                    }
                }
                _ => {
                    if let Some((p, _)) =
                        table_positions(v, lt, code.firstlineno, &instrs, code_len)
                    {
                        pos_at = p;
                    }
                }
            }
        }
        // The instructions.
        let mut prev = Position::NONE;
        for k in 0..=n {
            if label_at[k] {
                let _ = writeln!(self.out, "{}:", label_name(&instrs, code_len, k));
            }
            if let Some(marks) = marks_at.get(k) {
                for l in marks {
                    let _ = writeln!(self.out, "  .loc {l}");
                }
            }
            if k == n {
                break;
            }
            if let Some(&p) = pos_at.get(k) {
                if p != prev {
                    let _ = writeln!(self.out, "  .loc {}", pos_text(&p, v));
                    prev = p;
                }
            }
            let i = &instrs[k];
            if slots[k].min_prefixes > 0 {
                let _ = writeln!(self.out, "  .extended {}", slots[k].min_prefixes);
            }
            self.instruction(code, i, &slots[k].arg, &instrs, code_len);
            if !i.cache.is_empty() {
                let _ = writeln!(self.out, "  .cache {}", hex(&i.cache));
            }
        }
        for h in handlers {
            self.out.push_str(&h);
            self.out.push('\n');
        }
        if raw_exc {
            let _ = writeln!(self.out, "  .exceptiontable {}", hex(exc));
        }
        if let Some(l) = linetable {
            let _ = writeln!(self.out, "  .{lt_directive} {}", hex(l));
        }
    }

    fn instruction(
        &mut self,
        code: &Code,
        i: &Instruction,
        arg: &SlotArg,
        instrs: &[Instruction],
        code_len: u32,
    ) {
        let g = self.g;
        let t = self.t;
        let mut line = String::with_capacity(48);
        line.push_str("  ");
        line.push_str(i.op.name);
        let mut comment = String::new();
        match arg {
            SlotArg::Label(k) => {
                line.push(' ');
                line.push_str(&label_name(instrs, code_len, *k));
            }
            SlotArg::Fixed(a) => {
                let a = *a;
                let show = i.op.has_arg || a != 0;
                if show {
                    let _ = write!(line, " {a}");
                }
                if i.op.jump.is_some() {
                    comment.push_str("jump target is not an instruction");
                }
                let kind = i.op.arg_kind;
                let name_at = |tuple: ObjId, k: u32| -> Option<String> {
                    g.children(tuple).get(k as usize).map(|&s| g.str_lossy(s))
                };
                match kind {
                    ArgKind::Const => {
                        if let Some(&c) = code.consts(g).get(a as usize) {
                            push_short(&mut comment, &self.lit_string(c), 60);
                        }
                    }
                    ArgKind::Name { shift } => {
                        if let Some(s) = name_at(code.names, a >> shift) {
                            comment.push_str(&s);
                            let flags = kind.flags(a);
                            if flags != 0 {
                                let _ = write!(comment, " +{flags}");
                            }
                        }
                    }
                    ArgKind::Local => {
                        if let Some(s) = code.varnames(g).get(a as usize) {
                            comment.push_str(s);
                        }
                    }
                    ArgKind::LocalPair => {
                        let (x, y) = ArgKind::local_pair(a);
                        let names = code.varnames(g);
                        if let (Some(p), Some(q)) = (names.get(x as usize), names.get(y as usize)) {
                            let _ = write!(comment, "{p}, {q}");
                        }
                    }
                    ArgKind::Free => {
                        let space = code.deref_names(g);
                        if let Some(s) = space.get(a as usize) {
                            comment.push_str(s);
                        }
                    }
                    ArgKind::Compare { shift } => {
                        if let Some(s) = t.cmp_ops.get((a >> shift) as usize) {
                            comment.push_str(s);
                        }
                    }
                    ArgKind::BinaryOp => {
                        if let Some((_, s)) = t.nb_ops.get(a as usize) {
                            comment.push_str(s);
                        }
                    }
                    ArgKind::Intrinsic1 => {
                        if let Some(s) = t.intrinsic1.get(a as usize) {
                            comment.push_str(s);
                        }
                    }
                    ArgKind::Intrinsic2 => {
                        if let Some(s) = t.intrinsic2.get(a as usize) {
                            comment.push_str(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        if !comment.is_empty() {
            pad_to(&mut line, 2, 28);
            line.push_str("; ");
            line.push_str(&comment);
        }
        self.out.push_str(&line);
        self.out.push('\n');
    }
}

/// The label of instruction `k` (or of the end of the code): `L` and its offset.
fn label_name(instrs: &[Instruction], code_len: u32, k: usize) -> String {
    format!("L{}", instrs.get(k).map_or(code_len, |i| i.start))
}

/// The text of a `.loc` position.
fn pos_text(p: &Position, v: PyVersion) -> String {
    let Some(line) = p.line else {
        return "none".into();
    };
    if !v.at_least(PyVersion::V3_11) {
        return line.to_string();
    }
    let end = p.end_line.unwrap_or(line);
    let col = |c: Option<u32>| c.map_or("?".to_string(), |c| c.to_string());
    if p.column.is_none() && p.end_column.is_none() {
        if end == line {
            line.to_string()
        } else {
            format!("{line}-{end}")
        }
    } else {
        format!("{line}:{}-{end}:{}", col(p.column), col(p.end_column))
    }
}
