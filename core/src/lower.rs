//! Lowering: a labelled instruction list with positions and handler regions →
//! `co_code`, the line table, the exception table and `co_stacksize`.
//!
//! The assembler ([`crate::asm`]) and code generation from a control-flow graph
//! ([`crate::codegen`]) both end here, so both lay code out the same way: offsets
//! with the `EXTENDED_ARG` fixed point, jump arguments from labels, line tables
//! encoded as the version's compiler would, exception tables from handler regions and
//! the stack size from [`crate::stackdepth`], each keeping what the original code
//! object had where it still describes the new code.

use crate::exceptiontable::{ExceptionTable, ExceptionTableEntry};
use crate::instr::{prefixes_needed, Instruction};
use crate::linetable::{
    LineMark, LineTable, LineTableFormat, Lnotab, LocationTable, Pep626Table, Position,
};
use crate::opcode::{table, Encoding, OpInfo, OpcodeTable};
use crate::stackdepth::{max_depth, HandlerRange, StackError};
use crate::version::PyVersion;

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

/// A 3.11+ exception handler over instructions given by index: instructions
/// `start..end` go to instruction `target` (an index equal to the number of
/// instructions means the end of the code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    pub start: usize,
    pub end: usize,
    pub target: usize,
    pub depth: u32,
    pub lasti: bool,
}

/// The byte offset of instruction `n` (the code length for `n` past the end).
fn offset_of(instrs: &[Instruction], code_len: u32, n: usize) -> u32 {
    instrs.get(n).map_or(code_len, |i| i.start)
}

/// The exception table of `regions` (one entry each, in order) and the same
/// handlers in bytes for the stack walk.
pub(crate) fn exception_table(
    instrs: &[Instruction],
    code_len: u32,
    regions: &[Region],
) -> (Vec<u8>, Vec<HandlerRange>) {
    let mut table = ExceptionTable::default();
    let mut handlers = Vec::with_capacity(regions.len());
    for r in regions {
        let start = offset_of(instrs, code_len, r.start);
        let end = offset_of(instrs, code_len, r.end);
        let target = offset_of(instrs, code_len, r.target);
        table.entries.push(ExceptionTableEntry {
            start: start / 2,
            length: (end - start) / 2,
            target: target / 2,
            depth: r.depth,
            lasti: r.lasti,
        });
        handlers.push(HandlerRange {
            start,
            end,
            target,
            depth: r.depth,
            lasti: r.lasti,
        });
    }
    (table.to_bytes(), handlers)
}

/// The handlers of a stored 3.11+ exception table, in bytes.
pub(crate) fn handler_ranges(table: &ExceptionTable) -> Vec<HandlerRange> {
    table
        .entries
        .iter()
        .map(|e| HandlerRange {
            start: e.start * 2,
            end: e.end() * 2,
            target: e.target * 2,
            depth: e.depth,
            lasti: e.lasti,
        })
        .collect()
}

/// `co_stacksize`: the depth `version`'s compiler computes, or `given` (the original
/// value) when that is at least as large. A walk that fails on a jump into an
/// instruction keeps `given` if there is one; a walk that diverges is an error.
pub(crate) fn stack_size(
    version: PyVersion,
    instrs: &[Instruction],
    code_len: u32,
    handlers: &[HandlerRange],
    given: Option<i32>,
) -> Result<i32, StackError> {
    match max_depth(version, instrs, code_len, handlers) {
        Ok(d) => {
            let d = i32::try_from(d).unwrap_or(i32::MAX);
            Ok(match given {
                Some(s) if s >= d => s,
                _ => d,
            })
        }
        Err(e @ StackError::Diverges { .. }) => Err(e),
        Err(e) => given.ok_or(e),
    }
}

/// The line table encoded afresh from per-instruction positions (3.10+) or line
/// marks `(instruction index, line)` (up to 3.9), as the version's compiler writes it.
pub(crate) fn encode_line_table(
    version: PyVersion,
    instrs: &[Instruction],
    code_len: u32,
    firstlineno: i32,
    positions: &[Position],
    marks: &[(usize, i32)],
) -> Vec<u8> {
    match LineTableFormat::of(version) {
        LineTableFormat::Lnotab(flavor) => {
            let marks = marks.iter().map(|&(k, line)| LineMark {
                offset: offset_of(instrs, code_len, k),
                line,
            });
            Lnotab::from_marks(flavor, firstlineno, marks).to_bytes()
        }
        format => {
            let runs = instrs
                .iter()
                .enumerate()
                .map(|(k, i)| (offset_of(instrs, code_len, k + 1) - i.start, positions[k]));
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

/// The source position of each instruction as a decoded line table gives it: the
/// position of the opcode's code unit (3.11+), or the line of the `co_lines()` range
/// holding the opcode (up to 3.10; only the line is set).
pub(crate) fn positions_of(
    table: &LineTable,
    version: PyVersion,
    firstlineno: i32,
    instrs: &[Instruction],
    code_len: u32,
) -> Vec<Position> {
    if let LineTable::Locations(loc) = table {
        let per_unit: Vec<Position> = loc.positions(firstlineno).collect();
        return instrs
            .iter()
            .map(|i| {
                per_unit
                    .get((i.offset / 2) as usize)
                    .copied()
                    .unwrap_or(Position::NONE)
            })
            .collect();
    }
    let ranges = table.lines(version, firstlineno, code_len);
    let mut out = Vec::with_capacity(instrs.len());
    let mut r = 0;
    for i in instrs {
        while r < ranges.len() && ranges[r].end <= i.offset {
            r += 1;
        }
        let line = ranges
            .get(r)
            .filter(|range| range.start <= i.offset)
            .and_then(|range| range.line);
        out.push(Position {
            line,
            ..Position::NONE
        });
    }
    out
}
