//! The `dis` printer of the classic family: 2.7 and 3.6–3.10.
//!
//! Each line shows one code unit (an instruction or one of its `EXTENDED_ARG`
//! prefixes): line number where a line starts, the `>>` jump-target marker, the
//! offset, the opcode name, the argument and what it means. The versions differ in
//! details that this module reproduces as each version's `dis.py` does them:
//!
//! * 2.7 prints fields with `print x,` (one space between fields, no trimming of the
//!   name's padding), widens nothing, resolves jump-target labels from each
//!   instruction's own 16-bit argument only, and shows an argument that followed an
//!   `EXTENDED_ARG` as a Python 2 `long` (`70000L`);
//! * 3.6 uses fixed widths (3 for the line, 4 for the offset); 3.7+ widen the
//!   columns for line numbers ≥ 1000 and offsets ≥ 10000;
//! * absolute jumps show `to N` only from 3.10; `MAKE_FUNCTION` flags from 3.8;
//! * 3.6–3.9 keep a pending `EXTENDED_ARG` value across opcodes without an argument,
//!   3.10 drops it there;
//! * line starts come from `co_lnotab` up to 3.9 (3.8 and 3.9 stop at the end of the
//!   code) and from `co_lines()` on 3.10, where a code object may have none.
//!
//! `dis` shows `EXTENDED_ARG` prefixes as lines of their own, while pycopt's decoder
//! folds them into the instruction they extend, so this printer walks the raw code
//! units the way `dis._unpack_opargs` does, after [`decode`] has checked the code.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::{Ctx, DisError};
use crate::code::Code;
use crate::instr::decode;
use crate::linetable::LineTable;
use crate::marshal::ObjId;
use crate::opcode::{ArgKind, DerefIndex, Encoding, JumpKind, OpInfo};
use crate::version::PyVersion;

/// Width of the opcode-name column (`_OPNAME_WIDTH`).
const OPNAME_WIDTH: usize = 20;
/// Width of the argument column (`_OPARG_WIDTH`).
const OPARG_WIDTH: usize = 5;
/// `FORMAT_VALUE` conversions by the argument's low two bits, as `dis` names them.
const FORMAT_VALUE_CONVERTERS: [&str; 4] = ["", "str", "repr", "ascii"];
/// `MAKE_FUNCTION` flag names by bit, as 3.8+ `dis` lists them.
const MAKE_FUNCTION_FLAGS: [&str; 4] = ["defaults", "kwdefaults", "annotations", "closure"];

/// One code unit as `dis._unpack_opargs` (or 2.7's loop) yields it.
struct Unit {
    /// Byte offset of the opcode.
    offset: u32,
    /// Byte offset just past the unit (where relative jumps count from).
    next: u32,
    op: &'static OpInfo,
    /// The argument with any pending `EXTENDED_ARG` value, if the opcode takes one.
    arg: Option<u64>,
    /// The argument `findlabels` uses: the same on 3.x, the unit's own 16 bits on 2.7.
    label_arg: u64,
    /// 2.7: the argument is a `long` (it followed an `EXTENDED_ARG`), printed with `L`.
    long: bool,
}

/// Disassembles one code object as this family's `dis.disassemble` prints it.
pub(crate) fn disassemble(cx: &Ctx, id: ObjId, out: &mut String) -> Result<(), DisError> {
    let Some(code) = cx.g.as_code(id) else {
        return Err(DisError::Invalid {
            qualname: String::new(),
            why: "not a code object".into(),
        });
    };
    let qualname = || code.qualname(cx.g).into_owned();
    let bytes = code.bytecode(cx.g);
    decode(bytes, cx.version).map_err(|source| DisError::Decode {
        qualname: qualname(),
        source,
    })?;
    let units = unpack(cx, bytes).map_err(|why| DisError::Invalid {
        qualname: qualname(),
        why,
    })?;
    let starts = line_starts(cx, code, bytes.len()).map_err(|why| DisError::Invalid {
        qualname: qualname(),
        why,
    })?;
    let labels = find_labels(&units);
    let names = Names::of(cx, code);
    let result = if cx.version == PyVersion::V2_7 {
        print_py27(cx, &units, &starts, &labels, &names, out)
    } else {
        print_py3(cx, &units, &starts, &labels, &names, bytes.len(), out)
    };
    result.map_err(|why| DisError::Invalid {
        qualname: qualname(),
        why,
    })
}

/// Splits `co_code` into units with their arguments, as that version's `dis` does.
fn unpack(cx: &Ctx, bytes: &[u8]) -> Result<Vec<Unit>, String> {
    let t = cx.table;
    let mut units = Vec::with_capacity(bytes.len() / 2);
    let mut pos = 0usize;
    let mut ext: u64 = 0;
    let mut ext_pending = false;
    let overflow = |offset: usize| format!("code offset {offset}: EXTENDED_ARG value too large");
    while pos < bytes.len() {
        let op = t.get(bytes[pos]).map_err(|e| e.to_string())?;
        let unit = match t.encoding {
            Encoding::Wordcode => {
                let byte = *bytes.get(pos + 1).ok_or("truncated code unit")?;
                let arg = if op.has_arg {
                    let arg = u64::from(byte) | ext;
                    ext = if op.flow.extended_arg {
                        arg.checked_mul(1 << 8).ok_or_else(|| overflow(pos))?
                    } else {
                        0
                    };
                    Some(arg)
                } else {
                    // 3.10 drops a pending EXTENDED_ARG value here; 3.6-3.9 keep it
                    // for the next opcode that takes an argument.
                    if cx.version == PyVersion::V3_10 {
                        ext = 0;
                    }
                    None
                };
                Unit {
                    offset: pos as u32,
                    next: (pos + 2) as u32,
                    op,
                    arg,
                    label_arg: arg.unwrap_or(0),
                    long: false,
                }
            }
            Encoding::Bytes3 => {
                if op.has_arg {
                    let lo = bytes.get(pos + 1..pos + 3).ok_or("truncated instruction")?;
                    let own = u64::from(u16::from_le_bytes([lo[0], lo[1]]));
                    let arg = own + ext;
                    let long = ext_pending;
                    (ext, ext_pending) = if op.flow.extended_arg {
                        let high = arg.checked_mul(1 << 16).ok_or_else(|| overflow(pos))?;
                        (high, true)
                    } else {
                        (0, false)
                    };
                    Unit {
                        offset: pos as u32,
                        next: (pos + 3) as u32,
                        op,
                        arg: Some(arg),
                        label_arg: own,
                        long,
                    }
                } else {
                    Unit {
                        offset: pos as u32,
                        next: (pos + 1) as u32,
                        op,
                        arg: None,
                        label_arg: 0,
                        long: false,
                    }
                }
            }
        };
        pos = unit.next as usize;
        units.push(unit);
    }
    Ok(units)
}

/// The byte offset a jump unit goes to, computed with `arg`; `None` if it is no jump.
fn jump_target(u: &Unit, arg: u64) -> Option<u64> {
    let jump = u.op.jump?;
    u.arg?;
    let delta = arg.checked_mul(u64::from(jump.unit.bytes()))?;
    match jump.kind {
        JumpKind::Absolute => Some(delta),
        JumpKind::Forward => u64::from(u.next).checked_add(delta),
        // No classic opcode jumps backward; kept for completeness.
        JumpKind::Backward => u64::from(u.next).checked_sub(delta),
    }
}

/// `dis.findlabels`: offsets some jump goes to.
fn find_labels(units: &[Unit]) -> HashSet<u64> {
    units
        .iter()
        .filter_map(|u| jump_target(u, u.label_arg))
        .collect()
}

/// `dict(dis.findlinestarts(code))`: the line starting at each offset.
fn line_starts(cx: &Ctx, code: &Code, code_len: usize) -> Result<HashMap<u64, i64>, String> {
    let table = LineTable::of_code(cx.version, code, cx.g).map_err(|e| e.to_string())?;
    let first = code.firstlineno;
    let starts: Vec<(u32, i32)> = match &table {
        LineTable::Lnotab(t) => {
            let all = t.line_starts(first);
            // 3.8 and 3.9's `findlinestarts` stop at the first address past the code
            // (its lines were optimized away); 2.7-3.7 report those starts too.
            if cx.version.at_least(PyVersion::V3_8) {
                all.take_while(|&(addr, _)| (addr as usize) < code_len)
                    .collect()
            } else {
                all.collect()
            }
        }
        LineTable::Pep626(t) => {
            // 3.10: from `co_lines()`, each range whose line differs from the last
            // line seen; ranges without a line are skipped.
            let mut last = None;
            t.lines(first)
                .filter_map(|r| {
                    let line = r.line?;
                    (last != Some(line)).then(|| {
                        last = Some(line);
                        (r.start, line)
                    })
                })
                .collect()
        }
        LineTable::Locations(_) => return Err("3.11+ line table in a classic code object".into()),
    };
    Ok(starts
        .into_iter()
        .map(|(a, l)| (u64::from(a), i64::from(l)))
        .collect())
}

/// The name tuples arguments index.
struct Names<'g> {
    names: Vec<std::borrow::Cow<'g, str>>,
    varnames: Vec<std::borrow::Cow<'g, str>>,
    /// `co_cellvars + co_freevars`.
    cells: Vec<std::borrow::Cow<'g, str>>,
    consts: &'g [ObjId],
}

impl<'g> Names<'g> {
    fn of(cx: &Ctx<'g>, code: &'g Code) -> Names<'g> {
        debug_assert_eq!(cx.table.deref_index, DerefIndex::CellsThenFrees);
        let mut cells = code.cellvars(cx.g);
        cells.extend(code.freevars(cx.g));
        Names {
            names: code.names(cx.g),
            varnames: code.varnames(cx.g),
            cells,
            consts: code.consts(cx.g),
        }
    }
}

/// An index into a tuple, or the error `dis` would stop with.
fn pick<'a, T>(items: &'a [T], index: u64, what: &str) -> Result<&'a T, String> {
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .ok_or_else(|| format!("{what} index {index} out of range ({} items)", items.len()))
}

/// The text `dis` shows in parentheses after the argument (empty: nothing shown).
fn arg_repr(cx: &Ctx, u: &Unit, arg: u64, names: &Names) -> Result<String, String> {
    let v = cx.version;
    Ok(match u.op.arg_kind {
        ArgKind::Const => crate::pyrepr::repr(cx.g, *pick(names.consts, arg, "co_consts")?, v),
        ArgKind::Name { shift } => pick(&names.names, arg >> shift, "co_names")?.to_string(),
        ArgKind::Local => pick(&names.varnames, arg, "co_varnames")?.to_string(),
        ArgKind::Free => pick(&names.cells, arg, "cell and free variable")?.to_string(),
        ArgKind::Compare { shift } => pick(cx.table.cmp_ops, arg >> shift, "cmp_op")?.to_string(),
        ArgKind::Jump => match u.op.jump.map(|j| j.kind) {
            // Absolute jumps show their target only from 3.10 (and never on 2.7).
            Some(JumpKind::Absolute) if v != PyVersion::V3_10 => String::new(),
            _ => match jump_target(u, arg) {
                Some(to) if u.long => format!("to {to}L"),
                Some(to) => format!("to {to}"),
                None => String::new(),
            },
        },
        ArgKind::FormatValue if v != PyVersion::V2_7 => {
            let mut s = FORMAT_VALUE_CONVERTERS[(arg & 3) as usize].to_string();
            if arg & 4 != 0 {
                if !s.is_empty() {
                    s.push_str(", ");
                }
                s.push_str("with format");
            }
            s
        }
        ArgKind::Raw if u.op.name == "MAKE_FUNCTION" && v.at_least(PyVersion::V3_8) => {
            MAKE_FUNCTION_FLAGS
                .iter()
                .enumerate()
                .filter(|(i, _)| arg & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect::<Vec<_>>()
                .join(", ")
        }
        _ => String::new(),
    })
}

/// `len(str(n))`.
fn decimal_len(n: i64) -> usize {
    n.to_string().len()
}

/// 3.6-3.10: `dis._disassemble_bytes` with `Instruction._disassemble`.
fn print_py3(
    cx: &Ctx,
    units: &[Unit],
    starts: &HashMap<u64, i64>,
    labels: &HashSet<u64>,
    names: &Names,
    code_len: usize,
    out: &mut String,
) -> Result<(), String> {
    let widen = cx.version.at_least(PyVersion::V3_7);
    // 3.10 omits the line column when the code has no line at all.
    let show_lineno = cx.version != PyVersion::V3_10 || !starts.is_empty();
    let lineno_width = match starts.values().max() {
        _ if !show_lineno => 0,
        Some(&max) if widen && max >= 1000 => decimal_len(max),
        _ => 3,
    };
    let max_offset = code_len as i64 - 2;
    let offset_width = if widen && max_offset >= 10000 {
        decimal_len(max_offset)
    } else {
        4
    };
    let mut line = String::new();
    for u in units {
        let offset = u64::from(u.offset);
        let starts_line = starts.get(&offset);
        if show_lineno && starts_line.is_some() && offset > 0 {
            out.push('\n');
        }
        line.clear();
        if lineno_width > 0 {
            match starts_line {
                Some(l) => write!(line, "{l:>lineno_width$} ").unwrap(),
                None => write!(line, "{:lineno_width$} ", "").unwrap(),
            }
        }
        line.push_str("    ");
        line.push_str(if labels.contains(&offset) {
            ">> "
        } else {
            "   "
        });
        write!(line, "{offset:>offset_width$} {:<OPNAME_WIDTH$}", u.op.name).unwrap();
        if let Some(arg) = u.arg {
            write!(line, " {arg:>OPARG_WIDTH$}").unwrap();
            let repr = arg_repr(cx, u, arg, names)?;
            if !repr.is_empty() {
                write!(line, " ({repr})").unwrap();
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Ok(())
}

/// 2.7: `dis.disassemble`, whose `print x,` statements put one space between
/// fields and keep the padding of the last one.
fn print_py27(
    cx: &Ctx,
    units: &[Unit],
    starts: &HashMap<u64, i64>,
    labels: &HashSet<u64>,
    names: &Names,
    out: &mut String,
) -> Result<(), String> {
    for u in units {
        let offset = u64::from(u.offset);
        match starts.get(&offset) {
            Some(l) => {
                if offset > 0 {
                    out.push('\n');
                }
                write!(out, "{l:>3}").unwrap();
            }
            None => out.push_str("   "),
        }
        out.push_str("     ");
        out.push_str(if labels.contains(&offset) { ">>" } else { "  " });
        write!(out, " {offset:>4} {:<OPNAME_WIDTH$}", u.op.name).unwrap();
        if let Some(arg) = u.arg {
            let arg_text = if u.long {
                format!("{arg}L")
            } else {
                arg.to_string()
            };
            write!(out, " {arg_text:>OPARG_WIDTH$}").unwrap();
            let repr = arg_repr(cx, u, arg, names)?;
            // 2.7 prints the parentheses for every kind it names, even when empty.
            if has_details_27(u) {
                write!(out, " ({repr})").unwrap();
            }
        }
        out.push('\n');
    }
    Ok(())
}

/// Whether 2.7's `dis` prints a parenthesized detail for this opcode: constants,
/// names, relative jumps, locals, comparisons and cell/free variables.
fn has_details_27(u: &Unit) -> bool {
    match u.op.arg_kind {
        ArgKind::Const
        | ArgKind::Name { .. }
        | ArgKind::Local
        | ArgKind::Compare { .. }
        | ArgKind::Free => true,
        ArgKind::Jump => u.op.jump.is_some_and(|j| j.is_relative()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! Quirks the stdlib never shows (checked against each interpreter's `dis`, which
    //! printed the expected texts for these hand-made code objects).
    use crate::dis::{dis_pyc, DisOptions};
    use crate::marshal::Value;
    use crate::pyc::Pyc;

    fn pyc(hex: &str) -> Pyc {
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        Pyc::parse(bytes).unwrap()
    }

    fn dis(p: &Pyc) -> String {
        dis_pyc(p, &DisOptions::default()).unwrap()
    }

    /// `EXTENDED_ARG 1; NOP; JUMP_FORWARD 0; LOAD_CONST 0; RETURN_VALUE`, header
    /// `magic` and line table `linetable` (hex, with its marshal length prefix).
    fn carry(magic: &str, linetable: &str) -> Pyc {
        pyc(&format!(
            "{magic}0d0a000000000000000000000000e3000000000000000000000000000000000100000040\
             000000730a000000900109006e0064005300a9014ea9007202000000720200000072020000\
             00fa04742e7079da016601000000f3{linetable}"
        ))
    }

    /// 2.7 prints the argument after an `EXTENDED_ARG` as a `long`, finds labels from
    /// the 16-bit argument alone, and keeps the name column's padding.
    #[test]
    fn py27_extended_arg() {
        let p = pyc(
            "03f30d0a000000006300000000000000000100000040000000730f0000009100006400009101\
             006e020001015328010000004e28000000002800000000280000000028000000007304000000\
             742e7079740100000066010000007400000000",
        );
        assert_eq!(
            dis(&p),
            "  1           0 EXTENDED_ARG             0\n\
             \x20             3 LOAD_CONST              0L (None)\n\
             \x20             6 EXTENDED_ARG             1\n\
             \x20             9 JUMP_FORWARD         65538L (to 65550L)\n\
             \x20            12 POP_TOP             \n\
             \x20            13 POP_TOP             \n\
             \x20       >>   14 RETURN_VALUE        \n"
        );
    }

    /// 3.6-3.9 carry a pending `EXTENDED_ARG` over an opcode without argument; 3.10
    /// drops it. A 3.10 code object without any line has no line column.
    #[test]
    fn extended_arg_across_no_arg_opcode() {
        let tail = "  1           0 EXTENDED_ARG             1\n\
                    \x20             2 NOP\n\
                    \x20             4 JUMP_FORWARD           256 (to 262)\n\
                    \x20             6 LOAD_CONST               0 (None)\n\
                    \x20             8 RETURN_VALUE\n";
        assert_eq!(dis(&carry("550d", "00000000")), tail); // 3.8
        assert_eq!(dis(&carry("610d", "00000000")), tail); // 3.9
        assert_eq!(
            dis(&carry("6f0d", "020000000a80")), // 3.10, one range without a line
            "          0 EXTENDED_ARG             1\n\
             \x20         2 NOP\n\
             \x20         4 JUMP_FORWARD             0 (to 6)\n\
             \x20   >>    6 LOAD_CONST               0 (None)\n\
             \x20         8 RETURN_VALUE\n"
        );
    }

    /// `co_lnotab` pairs past the end of the code reach line 1011: 3.6 never widens
    /// the line column, 3.7 counts that line, 3.8 stops reading at the end of the code.
    #[test]
    fn line_width_and_starts_past_the_end() {
        let p = |magic: &str, pad: &str| {
            pyc(&format!(
                "{magic}0d0a{pad}e3000000000000000000000000{}0100000040000000730400000064005300\
                 a9014ea900720200000072020000007202000000fa04742e7079da0166de030000730400000002\
                 010414",
                if magic == "550d" { "00000000" } else { "" }
            ))
        };
        let narrow = "990           0 LOAD_CONST               0 (None)\n\n\
                      991           2 RETURN_VALUE\n";
        assert_eq!(dis(&p("330d", "0000000000000000")), narrow); // 3.6
        assert_eq!(
            dis(&p("420d", "000000000000000000000000")), // 3.7
            " 990           0 LOAD_CONST               0 (None)\n\n \
             991           2 RETURN_VALUE\n"
        );
        assert_eq!(dis(&p("550d", "000000000000000000000000")), narrow); // 3.8
    }

    /// 3.7+ widen the offset column for code of 10000 bytes or more.
    #[test]
    fn wide_offsets() {
        let mut p = carry("550d", "00000000");
        let mut code = [9u8, 0].repeat(5000);
        code.extend([100, 0, 83, 0]);
        let span = p.graph.add_bytes(&code);
        let code_id = p.graph.as_code(p.root).unwrap().code;
        p.graph.node_mut(code_id).value = Value::Bytes(span);
        let text = dis(&p);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  1            0 NOP");
        assert_eq!(lines[1], "               2 NOP");
        assert_eq!(
            &lines[lines.len() - 3..],
            [
                "            9998 NOP",
                "           10000 LOAD_CONST               0 (None)",
                "           10002 RETURN_VALUE"
            ]
        );
    }
}
