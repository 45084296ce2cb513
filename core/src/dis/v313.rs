//! The `dis` printer of CPython 3.13: jump targets and exception-table boundaries are
//! shown as labels (`L1:`, `L2:` … numbered in offset order) instead of offsets.
//!
//! One line per code unit that starts an instruction, `EXTENDED_ARG` prefixes being
//! instructions of their own:
//!
//! ```text
//! LINE LABEL    OPNAME               ARG (ARGREPR)
//!  12     L3:     LOAD_GLOBAL              1 (print + NULL)
//! ```
//!
//! * the line column is as wide as the largest line number (at least 3; at least 4 when
//!   some range has no line, shown as `--`); it is left out when no instruction has a
//!   line, and a blank line precedes every instruction (but the first) that starts a
//!   line. With `positions` (what `show_positions=True` prints from 3.14 on; 3.13's
//!   own `dis` has no such option) the column holds each instruction's
//!   `line:col-endline:endcol` range instead, left-aligned;
//! * the label column is `4 + digits(number of labels)` wide;
//! * the opcode name is padded to 20 characters, the argument right-aligned in 5
//!   (less what a longer name overflows), then the argument's meaning in parentheses;
//! * after the instructions, the `ExceptionTable:` section lists each entry as
//!   `L<start> to L<end> -> L<target> [depth]`, with ` lasti` when set.
//!
//! With `show_caches` every inline cache unit gets a `CACHE` line after its
//! instruction, with its instruction's position; the first unit of each cache field
//! shows `name: 0`. Always 0: `dis` reads `co_code`, which the interpreter hands out
//! with every cache unit zeroed, whatever the `.pyc` holds there.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::{Ctx, DisError};
use crate::code::Code;
use crate::exceptiontable::ExceptionTable;
use crate::instr::{decode, Instruction};
use crate::linetable::{LineTable, Position};
use crate::marshal::ObjId;
use crate::opcode::{ArgKind, OpInfo};

/// Width the opcode name is padded to (`dis._OPNAME_WIDTH`).
const OPNAME_WIDTH: usize = 20;
/// Width the argument is right-aligned in (`dis._OPARG_WIDTH`).
const OPARG_WIDTH: usize = 5;
/// What the line column shows for code without a line (`dis._NO_LINENO`).
const NO_LINENO: &str = "  --";
/// `SET_FUNCTION_ATTRIBUTE` flag names, bit 0 first (`dis.FUNCTION_ATTR_FLAGS`).
const FUNCTION_ATTR_FLAGS: [&str; 4] = ["defaults", "kwdefaults", "annotations", "closure"];
/// `CONVERT_VALUE` argument meanings.
const CONVERSIONS: [&str; 4] = ["", "str", "repr", "ascii"];
/// Bit of a 3.13 `COMPARE_OP` argument asking for a `bool` result.
const COMPARE_BOOL_BIT: i64 = 16;

/// One line of output before formatting: an instruction, an `EXTENDED_ARG` prefix or
/// (with `show_caches`) a cache unit.
struct Row<'a> {
    offset: u32,
    opname: &'a str,
    /// The argument as `dis` computes it (a C `int`, so it may wrap negative), or
    /// `None` for an opcode without one.
    arg: Option<i64>,
    argrepr: String,
    /// Whether a line starts here (always false for cache rows).
    starts_line: bool,
    /// Whether to look the offset up in the labels (cache rows never have one).
    labelled: bool,
    /// Source range shown with `positions`.
    position: Position,
}

/// Column widths and modes shared by every line of one code object.
struct Layout<'m> {
    lineno_width: usize,
    label_width: usize,
    positions: bool,
    /// Line numbers by the offset whose range they start (`dis.findlinestarts`).
    linestarts: &'m HashMap<u32, Option<i32>>,
    /// Label numbers by byte offset.
    labels: &'m BTreeMap<i64, usize>,
}

impl Layout<'_> {
    /// Appends one formatted line (and the blank line before a new source line).
    fn line(&self, row: &Row, out: &mut String) {
        if self.lineno_width > 0 && row.starts_line && row.offset > 0 {
            out.push('\n');
        }
        let start = out.len();
        let w = self.lineno_width;
        if w > 0 {
            if self.positions {
                let _ = write!(out, "{:<w$} ", position_text(&row.position));
            } else if row.starts_line {
                match self.linestarts.get(&row.offset).copied().flatten() {
                    Some(line) => {
                        let _ = write!(out, "{line:>w$} ");
                    }
                    None => {
                        let _ = write!(out, "{NO_LINENO:>w$} ");
                    }
                }
            } else {
                let _ = write!(out, "{:w$} ", "");
            }
        }
        let lw = self.label_width;
        match self
            .labels
            .get(&i64::from(row.offset))
            .filter(|_| row.labelled)
        {
            Some(n) => {
                let _ = write!(out, "{:>lw$} ", format!("L{n}:"));
            }
            None => {
                let _ = write!(out, "{:lw$} ", "");
            }
        }
        let _ = write!(out, "    {:<OPNAME_WIDTH$}", row.opname);
        if let Some(arg) = row.arg {
            let excess = row.opname.chars().count().saturating_sub(OPNAME_WIDTH);
            let aw = OPARG_WIDTH.saturating_sub(excess);
            let _ = write!(out, " {arg:>aw$}");
            if !row.argrepr.is_empty() {
                let _ = write!(out, " ({})", row.argrepr);
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    }
}

/// `line:col-endline:endcol` with `?` for a missing part, or `--` when all are
/// missing (the `show_positions` column).
fn position_text(p: &Position) -> String {
    if *p == Position::NONE {
        return NO_LINENO.to_string();
    }
    fn part<T: ToString>(v: Option<T>) -> String {
        v.map_or_else(|| "?".to_string(), |v| v.to_string())
    }
    format!(
        "{}:{}-{}:{}",
        part(p.line),
        part(p.column),
        part(p.end_line),
        part(p.end_column)
    )
}

/// Width of the `show_positions` column: one more than the widest range text (at
/// least `--`'s), or 0 when no code unit has any position.
fn positions_width(positions: &[Position]) -> usize {
    fn len<T: ToString>(v: Option<T>) -> usize {
        v.map_or(1, |v| v.to_string().len())
    }
    let mut any = false;
    let mut widest = 0;
    for p in positions {
        any |= *p != Position::NONE;
        let w = len(p.line) + len(p.end_line) + len(p.column) + len(p.end_column);
        widest = widest.max(w);
    }
    if any {
        1 + NO_LINENO.len().max(3 + widest)
    } else {
        0
    }
}

/// Width of the line column: the widest line number (0 and no line do not count),
/// at least 3, at least `--`'s when some range has no line; 0 (no column) when no
/// range has a non-zero line.
fn lineno_width(linestarts: &HashMap<u32, Option<i32>>) -> usize {
    let max = linestarts.values().flatten().filter(|&&l| l != 0).max();
    // `dis` uses -1 as "no line at all", so a largest line of -1 hides the column too.
    let Some(max) = max.filter(|&&l| l != -1) else {
        return 0;
    };
    let mut w = max.to_string().len().max(3);
    if w < NO_LINENO.len() && linestarts.values().any(Option::is_none) {
        w = NO_LINENO.len();
    }
    w
}

/// The arguments `dis` sees for one instruction's units: each `EXTENDED_ARG` prefix
/// shows the argument accumulated so far, and the total wraps like a C `int`, as
/// `dis._unpack_opargs` computes them. The last element is the instruction's own.
fn python_args(bytes: &[u8], ins: &Instruction) -> Vec<i64> {
    const OVERFLOW: i64 = 1 << 31;
    let mut ext: i64 = 0;
    let mut args = Vec::with_capacity(usize::from(ins.prefixes) + 1);
    let mut pos = ins.start as usize;
    while pos < ins.offset as usize {
        let arg = i64::from(bytes[pos + 1]) | ext;
        ext = arg << 8;
        if ext >= OVERFLOW {
            ext -= 2 * OVERFLOW;
        }
        args.push(arg);
        pos += 2;
    }
    args.push(i64::from(bytes[ins.offset as usize + 1]) | ext);
    args
}

/// Everything the argument of an instruction can refer to.
struct Resolver<'a> {
    cx: &'a Ctx<'a>,
    consts: &'a [ObjId],
    names: Vec<String>,
    locals: Vec<String>,
    labels: &'a BTreeMap<i64, usize>,
}

impl Resolver<'_> {
    /// The text in parentheses after an instruction's argument
    /// (`ArgResolver.get_argval_argrepr`), or why `dis` itself would fail on it.
    fn argrepr(&self, op: &OpInfo, arg: i64, offset: u32) -> Result<String, String> {
        let t = self.cx.table;
        let pick = |list: &[String], i: i64, what: &str| -> Result<String, String> {
            usize::try_from(i)
                .ok()
                .and_then(|i| list.get(i))
                .cloned()
                .ok_or_else(|| format!("{} {arg}: {what} index {i} out of range", op.name))
        };
        let table_entry = |list: &[&str], what: &str| -> Result<String, String> {
            usize::try_from(arg)
                .ok()
                .and_then(|i| list.get(i))
                .map(|s| s.to_string())
                .ok_or_else(|| format!("{} {arg}: no {what} {arg}", op.name))
        };
        Ok(match op.arg_kind {
            ArgKind::Const => {
                let id = usize::try_from(arg)
                    .ok()
                    .and_then(|i| self.consts.get(i))
                    .ok_or_else(|| format!("{} {arg}: constant index out of range", op.name))?;
                crate::pyrepr::repr(self.cx.g, *id, self.cx.version)
            }
            ArgKind::Name { shift } => {
                let name = pick(&self.names, arg >> shift, "name")?;
                if shift > 0 && arg & 1 != 0 && !name.is_empty() {
                    let pushed = if op.name == "LOAD_GLOBAL" {
                        "NULL"
                    } else {
                        "NULL|self"
                    };
                    format!("{name} + {pushed}")
                } else {
                    name
                }
            }
            ArgKind::Jump => {
                let target = jump_target(op, arg, offset, t);
                match self.labels.get(&target) {
                    Some(n) => format!("to L{n}"),
                    None => return Err(format!("{} {arg}: jump target has no label", op.name)),
                }
            }
            ArgKind::LocalPair => {
                let first = pick(&self.locals, arg >> 4, "local")?;
                let second = pick(&self.locals, arg & 15, "local")?;
                format!("{first}, {second}")
            }
            ArgKind::Local | ArgKind::Free => pick(&self.locals, arg, "local")?,
            ArgKind::Compare { shift } => {
                let i = arg >> shift;
                let cmp = usize::try_from(i)
                    .ok()
                    .and_then(|i| t.cmp_ops.get(i))
                    .ok_or_else(|| format!("{} {arg}: no comparison {i}", op.name))?;
                if arg & COMPARE_BOOL_BIT != 0 {
                    format!("bool({cmp})")
                } else {
                    cmp.to_string()
                }
            }
            ArgKind::ConvertValue => table_entry(&CONVERSIONS, "conversion")?,
            ArgKind::BinaryOp => {
                let ops: Vec<&str> = t.nb_ops.iter().map(|(_, sym)| *sym).collect();
                table_entry(&ops, "binary operator")?
            }
            ArgKind::Intrinsic1 => table_entry(t.intrinsic1, "intrinsic")?,
            ArgKind::Intrinsic2 => table_entry(t.intrinsic2, "intrinsic")?,
            ArgKind::Raw if op.name == "SET_FUNCTION_ATTRIBUTE" => FUNCTION_ATTR_FLAGS
                .iter()
                .enumerate()
                .filter(|(i, _)| arg & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect::<Vec<_>>()
                .join(", "),
            ArgKind::Raw | ArgKind::None | ArgKind::FormatValue => String::new(),
        })
    }
}

/// Where a jump at `offset` with argument `arg` lands, computed as `dis` does (so a
/// backward jump past the start gives a negative offset rather than an error).
fn jump_target(op: &OpInfo, arg: i64, offset: u32, t: &crate::opcode::OpcodeTable) -> i64 {
    let end = i64::from(offset) + t.instr_len(op) as i64;
    let delta = arg * i64::from(op.jump.map_or(2, |j| j.unit.bytes()));
    match op.jump.map(|j| j.kind) {
        Some(crate::opcode::JumpKind::Backward) => end - delta,
        Some(crate::opcode::JumpKind::Absolute) => delta,
        _ => end + delta,
    }
}

/// Disassembles one code object as 3.13's `dis.disassemble` prints it.
pub(crate) fn disassemble(cx: &Ctx, id: ObjId, out: &mut String) -> Result<(), DisError> {
    let g = cx.g;
    let code: &Code = g.as_code(id).ok_or_else(|| DisError::Invalid {
        qualname: String::new(),
        why: "not a code object".into(),
    })?;
    let qualname = code.qualname(g).into_owned();
    let invalid = |why: String| DisError::Invalid {
        qualname: qualname.clone(),
        why,
    };
    let bytes = code.bytecode(g);
    let instrs = decode(bytes, cx.version).map_err(|source| DisError::Decode {
        qualname: qualname.clone(),
        source,
    })?;

    // Lines and positions, per code unit.
    let table = LineTable::of_code(cx.version, code, g).map_err(|e| invalid(e.to_string()))?;
    let LineTable::Locations(locations) = table else {
        return Err(invalid("not a 3.11+ location table".into()));
    };
    let positions: Vec<Position> = locations.positions(code.firstlineno).collect();
    let linestarts: HashMap<u32, Option<i32>> = locations
        .lines(code.firstlineno, true)
        .map(|r| (r.start, r.line))
        .collect();

    // Exception table entries in bytes.
    let handlers = ExceptionTable::of_code(code, g)
        .map_err(|e| invalid(e.to_string()))?
        .unwrap_or_default();
    let entries: Vec<(i64, i64, i64, u32, bool)> = handlers
        .entries
        .iter()
        .map(|e| {
            let start = 2 * i64::from(e.start);
            (
                start,
                start + 2 * i64::from(e.length),
                2 * i64::from(e.target),
                e.depth,
                e.lasti,
            )
        })
        .collect();

    // Labels: every jump target and every exception range start, end and handler,
    // numbered from 1 in offset order.
    let args: Vec<Vec<i64>> = instrs.iter().map(|i| python_args(bytes, i)).collect();
    let mut targets = BTreeSet::new();
    for (ins, a) in instrs.iter().zip(&args) {
        if ins.op.jump.is_some() && ins.op.has_arg {
            targets.insert(jump_target(ins.op, a[a.len() - 1], ins.offset, cx.table));
        }
    }
    for &(start, end, target, _, _) in &entries {
        targets.extend([start, end, target]);
    }
    let labels: BTreeMap<i64, usize> = targets.into_iter().zip(1..).collect();

    let layout = Layout {
        lineno_width: if cx.opts.positions {
            positions_width(&positions)
        } else {
            lineno_width(&linestarts)
        },
        label_width: 4 + labels.len().to_string().len(),
        positions: cx.opts.positions,
        linestarts: &linestarts,
        labels: &labels,
    };
    let locals_plus = code.locals_plus(g);
    let resolver = Resolver {
        cx,
        consts: code.consts(g),
        names: code.names(g).into_iter().map(|n| n.into_owned()).collect(),
        locals: locals_plus
            .into_iter()
            .map(|(n, _)| n.into_owned())
            .collect(),
        labels: &labels,
    };
    let position_at = |offset: u32| {
        positions
            .get(offset as usize / 2)
            .copied()
            .unwrap_or(Position::NONE)
    };
    let ext_name = cx.table.extended_arg_op().name;

    for (ins, a) in instrs.iter().zip(&args) {
        for (k, &arg) in a[..a.len() - 1].iter().enumerate() {
            let offset = ins.start + 2 * k as u32;
            layout.line(
                &Row {
                    offset,
                    opname: ext_name,
                    arg: Some(arg),
                    argrepr: String::new(),
                    starts_line: linestarts.contains_key(&offset),
                    labelled: true,
                    position: position_at(offset),
                },
                out,
            );
        }
        let (arg, argrepr) = if ins.op.has_arg {
            let arg = a[a.len() - 1];
            let argrepr = resolver
                .argrepr(ins.op, arg, ins.offset)
                .map_err(&invalid)?;
            (Some(arg), argrepr)
        } else {
            (None, String::new())
        };
        let position = position_at(ins.offset);
        layout.line(
            &Row {
                offset: ins.offset,
                opname: ins.op.name,
                arg,
                argrepr,
                starts_line: linestarts.contains_key(&ins.offset),
                labelled: true,
                position,
            },
            out,
        );
        if cx.opts.show_caches && ins.op.cache_entries > 0 {
            let fields = ins.op.cache_fields;
            if fields.is_empty() {
                return Err(invalid(format!(
                    "no cache layout known for {}",
                    ins.op.name
                )));
            }
            let mut offset = ins.offset;
            for &(name, size) in fields {
                for i in 0..size {
                    offset += 2;
                    layout.line(
                        &Row {
                            offset,
                            opname: "CACHE",
                            arg: Some(0),
                            argrepr: if i == 0 {
                                format!("{name}: 0")
                            } else {
                                String::new()
                            },
                            starts_line: false,
                            labelled: false,
                            position,
                        },
                        out,
                    );
                }
            }
        }
    }

    if !entries.is_empty() {
        out.push_str("ExceptionTable:\n");
        for (start, end, target, depth, lasti) in entries {
            let _ = writeln!(
                out,
                "  L{} to L{} -> L{} [{depth}]{}",
                labels[&start],
                labels[&end],
                labels[&target],
                if lasti { " lasti" } else { "" }
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcode::table;
    use crate::version::PyVersion;

    #[test]
    fn every_cached_opcode_has_named_cache_fields() {
        let t = table(PyVersion::V3_13);
        for op in t.iter() {
            let units: u32 = op.cache_fields.iter().map(|&(_, n)| u32::from(n)).sum();
            assert_eq!(units, u32::from(op.cache_entries), "{}", op.name);
        }
    }

    /// `basics.py` of the committed corpus sample, as compiled by 3.13.0.
    fn sample() -> crate::Pyc {
        let data = include_bytes!("../../../corpus/sample/3.13/__pycache__/basics.cpython-313.pyc");
        crate::Pyc::parse(data.to_vec()).expect("sample parses")
    }

    fn dis(show_caches: bool, positions: bool) -> String {
        let opts = crate::dis::DisOptions {
            show_caches,
            positions,
            function: None,
        };
        crate::dis::dis_pyc(&sample(), &opts).expect("sample disassembles")
    }

    /// Excerpts of what 3.13.0's `dis.dis` prints for the sample: line numbers, `--`
    /// for code without a line, labels, and the exception table.
    #[test]
    fn default_layout() {
        let text = dis(false, false);
        let expected = [
            " 294   L3:     RETURN_CONST             3 (None)\n\n  --   L4:     PUSH_EXC_INFO\n\n  14           LOAD_NAME               13 (NameError)\n               CHECK_EXC_MATCH\n",
            "ExceptionTable:\n  L1 to L2 -> L4 [0]\n  L4 to L5 -> L7 [1] lasti\n  L6 to L7 -> L7 [1] lasti\n",
        ];
        for e in expected {
            assert!(text.contains(e), "missing:\n{e}");
        }
    }

    /// Excerpts of `dis.dis(code, show_caches=True)` with the line column formatted as
    /// 3.14's `show_positions=True` formats it: cache lines carry their instruction's
    /// position, each cache field is named on its first unit, and code without a
    /// location shows `--`.
    #[test]
    fn caches_and_positions() {
        let text = dis(true, true);
        let expected = [
            "Disassembly of <code object fmt at 0x0, file \"basics.py\", line 29>:\n29:0-29:0              RESUME                   0\n\n31:7-31:17             LOAD_GLOBAL              1 (isinstance + NULL)\n31:7-31:17             CACHE                    0 (counter: 0)\n31:7-31:17             CACHE                    0 (index: 0)\n31:7-31:17             CACHE                    0 (module_keys_version: 0)\n",
            "32:15-32:29            LOAD_ATTR                9 (rstrip + NULL|self)\n32:15-32:29            CACHE                    0 (counter: 0)\n32:15-32:29            CACHE                    0 (version: 0)\n32:15-32:29            CACHE                    0\n32:15-32:29            CACHE                    0 (keys_version: 0)\n32:15-32:29            CACHE                    0\n32:15-32:29            CACHE                    0 (descr: 0)\n32:15-32:29            CACHE                    0\n",
            "14:0-15:37               POP_JUMP_IF_FALSE       10 (to L6)\n14:0-15:37               CACHE                    0 (counter: 0)\n14:0-15:37               POP_TOP\n",
            "  --             L7:     COPY                     3\n  --                     POP_EXCEPT\n",
        ];
        for e in expected {
            assert!(text.contains(e), "missing:\n{e}");
        }
    }

    #[test]
    fn position_texts() {
        let p = Position {
            line: Some(12),
            end_line: Some(13),
            column: Some(4),
            end_column: None,
        };
        assert_eq!(position_text(&p), "12:4-13:?");
        assert_eq!(position_text(&Position::NONE), "  --");
        // "12:4-13:?" is 9 characters, one more for the gap.
        assert_eq!(positions_width(&[p, Position::NONE]), 10);
        assert_eq!(positions_width(&[Position::NONE]), 0);
    }
}
