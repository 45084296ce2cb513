//! Code generation: [`Cfg`] → `co_code`, line table, exception table and
//! `co_stacksize`.
//!
//! Blocks are emitted in [`Cfg::layout`] order (a fall-through edge must lead to the
//! next block there). A block ending in a jump gets its argument from its
//! [`EdgeKind::Jump`] (up to 3.10, for `SETUP_*`: [`EdgeKind::Setup`]) edge, switching
//! a relative jump to the opcode of the other direction when the target moved to the
//! other side; 3.11+ exception-table entries come from the blocks'
//! [`EdgeKind::Exception`] edges, one entry per run of instructions with the same
//! handler. The layout itself (offsets, `EXTENDED_ARG` prefixes, tables, stack size)
//! is the one the assembler uses, so code that a graph holds unchanged is generated
//! byte for byte as it was read, given the [`Original`] line table and stack size.
//!
//! [`rebuild_pyc`] runs this for every code object of a `.pyc`, checking each result
//! with [`crate::verify`].

mod rebuild;
pub mod unit;

pub use rebuild::{rebuild_pyc, rebuild_pyc_with, CodeOutcome, CodeReport, RebuildReport};
pub use unit::{apply, apply_all, table_usage, ConstEntry, Finished, Unit};

use std::collections::HashMap;

use crate::analysis::definite::checked_form;
use crate::analysis::{DefiniteAssignment, Ops};
use crate::cfg::{handler_nesting, BlockId, Cfg, EdgeKind, Instr};
use crate::instr::{encode, Instruction};
use crate::linetable::{LineTable, LineTableFormat, Position};
use crate::lower::{
    encode_line_table, exception_table, lay_out, other_direction, positions_of, stack_size, Region,
    Slot, SlotArg,
};
use crate::opcode::{table, Encoding, JumpKind, OpInfo};
use crate::stackdepth::{HandlerRange, StackError};
use crate::version::PyVersion;

/// What the original code object held, used again where it still describes the
/// generated code.
#[derive(Clone, Copy, Debug, Default)]
pub struct Original<'a> {
    /// The original `co_lnotab`/`co_linetable`: kept when it gives every generated
    /// instruction the position the graph holds.
    pub linetable: Option<&'a [u8]>,
    /// The original `co_stacksize`: kept when at least the computed depth.
    pub stacksize: Option<i32>,
}

/// The parts of a code object that code generation produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// `co_code`.
    pub code: Vec<u8>,
    /// `co_lnotab` (up to 3.9) or `co_linetable`.
    pub linetable: Vec<u8>,
    /// `co_exceptiontable` (3.11+; empty before).
    pub exceptiontable: Vec<u8>,
    /// `co_stacksize`.
    pub stacksize: i32,
    /// The instructions as laid out.
    pub instrs: Vec<Instruction>,
    /// The exception handlers in bytes (3.11+).
    pub handlers: Vec<HandlerRange>,
}

/// Why code could not be generated from a graph.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The graph has no instructions.
    #[error("the graph has no instructions")]
    Empty,
    /// A relative jump must go the other way and the version has no such opcode.
    #[error("instruction {index}: {op} cannot jump in that direction")]
    Direction { index: usize, op: &'static str },
    /// A jump's target is out of its opcode's reach.
    #[error("instruction {index}: {op} cannot reach its target")]
    Unreachable { index: usize, op: &'static str },
    /// A 2.7 opcode without argument got one.
    #[error("instruction {index}: {op} takes no argument in CPython 2.7")]
    ArgumentOnNoArg { index: usize, op: &'static str },
    /// The stack depth cannot be computed.
    #[error("stack depth: {0}")]
    Stack(#[from] StackError),
    /// 3.12+: a `FOR_ITER` exits to a block that does not start as the interpreter
    /// requires (it skips what is there instead of running it).
    #[error(
        "instruction {index}: FOR_ITER exits to {found} where the interpreter skips {expected}"
    )]
    ForIterExit {
        index: usize,
        found: &'static str,
        expected: &'static str,
    },
}

/// Generates the code of `cfg` for a code object whose first line is `firstlineno`.
///
/// Besides laying the graph out, this computes what depends on the whole graph
/// rather than on one instruction, so that passes never maintain it:
/// - 3.12+: every `LOAD_FAST` (and each read half of a 3.13 `LOAD_FAST_LOAD_FAST` or
///   `STORE_FAST_LOAD_FAST`) of a local that [`DefiniteAssignment`] does not prove
///   bound becomes a `LOAD_FAST_CHECK` (a superinstruction splits in two for that);
///   a `LOAD_FAST_CHECK` is never turned back (that is a pass's decision);
/// - 3.12: `YIELD_VALUE`'s argument, and 3.13: bit 2 of the `RESUME` after a yield —
///   the compiler's exception-stack depth at the yield ([`handler_nesting`]);
/// - `EXTENDED_ARG` prefixes: as many as the final argument needs, plus an
///   instruction's recorded redundant ones only while its argument is still the
///   input's ([`Cfg::prefixed_args`]);
/// - 3.12+: a `FOR_ITER` must exit to `END_FOR` (3.13: `END_FOR; POP_TOP`), which the
///   interpreter skips ([`CodegenError::ForIterExit`] otherwise).
pub fn generate(
    cfg: &Cfg,
    firstlineno: i32,
    original: &Original<'_>,
) -> Result<Generated, CodegenError> {
    let version = cfg.version;
    let t = table(version);
    let py311 = version.at_least(PyVersion::V3_11);

    // What each block emits: its instructions, with the 3.12+ unbound-local checks
    // and the exception-depth opargs of 3.12/3.13 recomputed (see `emit_block`).
    let fixups = Fixups::of(cfg);
    let mut emitted: Vec<Vec<Emit<'_>>> = Vec::with_capacity(cfg.layout.len());
    let mut prev_yield: Option<u32> = None;
    for &b in &cfg.layout {
        emitted.push(fixups.emit_block(cfg, b, &mut prev_yield));
    }

    // Where each block starts, as an instruction index.
    let mut start: HashMap<BlockId, usize> = HashMap::with_capacity(cfg.layout.len());
    let mut n = 0usize;
    for (&b, e) in cfg.layout.iter().zip(&emitted) {
        start.insert(b, n);
        n += e.len();
    }
    if n == 0 {
        return Err(CodegenError::Empty);
    }
    let label_of = |b: BlockId| start.get(&b).copied().unwrap_or(n);
    let flat: Vec<&Emit<'_>> = emitted.iter().flatten().collect();

    let mut slots: Vec<Slot> = Vec::with_capacity(n);
    // Per slot, the input argument its recorded prefixes were for, while they may
    // still be kept (jumps: until their computed argument is known).
    let mut keep: Vec<Option<u32>> = Vec::with_capacity(n);
    let mut positions: Vec<Position> = Vec::with_capacity(n);
    let mut handler_of: Vec<Option<(usize, u32, bool)>> = Vec::with_capacity(n);
    for (&b, block) in cfg.layout.iter().zip(&emitted) {
        let target_block = cfg
            .successors(b)
            .find(|(k, _)| matches!(k, EdgeKind::Jump | EdgeKind::Setup))
            .map(|(_, to)| to);
        let target = target_block.map(label_of);
        let handler = if py311 {
            cfg.successors(b).find_map(|(k, to)| match k {
                EdgeKind::Exception { depth, lasti } => Some((label_of(to), depth, lasti)),
                _ => None,
            })
        } else {
            None
        };
        let last = block.len().saturating_sub(1);
        for (k, e) in block.iter().enumerate() {
            let i = slots.len();
            let mut op: &'static OpInfo = e.op;
            let orig = e.orig_arg(cfg);
            let arg = match (op.jump, target) {
                (Some(j), Some(to)) if k == last => {
                    let ok = match j.kind {
                        JumpKind::Absolute => true,
                        JumpKind::Forward => to > i,
                        JumpKind::Backward => to <= i + 1,
                    };
                    if !ok {
                        op = other_direction(t, op).ok_or(CodegenError::Direction {
                            index: i,
                            op: op.name,
                        })?;
                    }
                    if op.flow.for_iter {
                        check_for_iter_exit(cfg, &flat, to, i)?;
                    }
                    keep.push(orig);
                    SlotArg::Label(to)
                }
                _ => {
                    keep.push(orig.filter(|&a| a == e.arg));
                    SlotArg::Fixed(e.arg)
                }
            };
            if t.encoding == Encoding::Bytes3 && !op.has_arg && arg != SlotArg::Fixed(0) {
                return Err(CodegenError::ArgumentOnNoArg {
                    index: i,
                    op: op.name,
                });
            }
            slots.push(Slot {
                op,
                arg,
                min_prefixes: if keep[i].is_some() { e.src.prefixes } else { 0 },
                cache: e.src.cache.clone(),
            });
            positions.push(e.src.pos);
            handler_of.push(handler);
        }
    }

    // Recorded prefixes stay only on instructions whose argument is still the input's;
    // a jump whose computed argument differs loses them, which can change other jumps'
    // arguments in turn (each round only drops, so this ends).
    let instrs = loop {
        let instrs = lay_out(t, &slots).map_err(|i| CodegenError::Unreachable {
            index: i,
            op: slots[i].op.name,
        })?;
        let mut dropped = false;
        for (i, laid) in instrs.iter().enumerate() {
            if let Some(orig) = keep[i] {
                if laid.arg != orig {
                    keep[i] = None;
                    slots[i].min_prefixes = 0;
                    dropped = true;
                }
            }
        }
        if !dropped {
            break instrs;
        }
    };
    let code = encode(&instrs, version);
    let code_len = code.len() as u32;

    // Exception table: one entry per run of instructions with one handler.
    let (exceptiontable, handlers) = if py311 {
        let mut regions: Vec<Region> = Vec::new();
        let mut k = 0;
        while k < n {
            let Some((target, depth, lasti)) = handler_of[k] else {
                k += 1;
                continue;
            };
            let begin = k;
            while k < n && handler_of[k] == handler_of[begin] {
                k += 1;
            }
            regions.push(Region {
                start: begin,
                end: k,
                target,
                depth,
                lasti,
            });
        }
        exception_table(&instrs, code_len, &regions)
    } else {
        (Vec::new(), Vec::new())
    };

    let stacksize = stack_size(version, &instrs, code_len, &handlers, original.stacksize)?;

    // Line table: the original if it still says the same, else encoded afresh.
    let reuse = original.linetable.filter(|orig| {
        LineTable::decode(version, orig).is_ok_and(|table| {
            // The table must describe exactly this code, not a longer original: a
            // 3.10+ table running past `co_code` crashes a tracing interpreter.
            // (An lnotab is only searched for offsets of the code; 3.6/3.7 tables may
            // hold entries at the very end, which CPython wrote and reads fine.)
            let covers = match &table {
                LineTable::Lnotab(_) => true,
                _ => table
                    .lines(version, firstlineno, u32::MAX)
                    .last()
                    .map_or(code_len == 0, |r| r.end == code_len),
            };
            let got = positions_of(&table, version, firstlineno, &instrs, code_len);
            covers && got == positions
        })
    });
    let linetable = match reuse {
        Some(orig) => orig.to_vec(),
        None => {
            let mut marks = Vec::new();
            if matches!(LineTableFormat::of(version), LineTableFormat::Lnotab(_)) {
                let mut prev = None;
                for (k, p) in positions.iter().enumerate() {
                    if let Some(line) = p.line {
                        if prev != Some(line) {
                            marks.push((k, line));
                        }
                        prev = Some(line);
                    }
                }
            }
            encode_line_table(version, &instrs, code_len, firstlineno, &positions, &marks)
        }
    };

    Ok(Generated {
        code,
        linetable,
        exceptiontable,
        stacksize,
        instrs,
        handlers,
    })
}

/// One instruction as a block emits it: the graph's instruction, or what replaces it.
struct Emit<'a> {
    op: &'static OpInfo,
    arg: u32,
    /// The graph's instruction it comes from (position, cache, prefixes).
    src: &'a Instr,
    /// Whether it is `src` with at most its opcode changed (not half of a split).
    whole: bool,
}

impl Emit<'_> {
    /// The input argument `src`'s recorded prefixes were for, if they may still be
    /// kept.
    fn orig_arg(&self, cfg: &Cfg) -> Option<u32> {
        if !self.whole || self.src.prefixes == 0 {
            return None;
        }
        cfg.prefixed_args.get(&self.src.offset?).copied()
    }
}

/// The whole-graph facts code generation applies to instructions.
struct Fixups {
    version: PyVersion,
    ops: &'static Ops,
    /// 3.12+: which fast-local reads are proven bound.
    definite: Option<DefiniteAssignment>,
    /// 3.12/3.13: the compiler's exception-stack depth per block.
    nesting: Option<HashMap<BlockId, u32>>,
}

/// 3.13 `RESUME_OPARG_DEPTH1_MASK`: the yield before this `RESUME` is inside only one
/// handler (the generator's implicit one).
const RESUME_DEPTH1: u32 = 4;
/// 3.13 `RESUME_OPARG_LOCATION_MASK`: 0 at the start, else after which kind of yield.
const RESUME_LOCATION: u32 = 3;

impl Fixups {
    fn of(cfg: &Cfg) -> Fixups {
        let version = cfg.version;
        let py312 = version.at_least(PyVersion::V3_12);
        let depth_args = matches!(version, PyVersion::V3_12 | PyVersion::V3_13);
        Fixups {
            version,
            ops: Ops::get(version),
            definite: py312.then(|| DefiniteAssignment::compute(cfg)),
            nesting: depth_args.then(|| handler_nesting(cfg)),
        }
    }

    /// The instructions block `b` emits. `prev_yield` carries, across blocks in layout
    /// order, the exception-stack depth of a `YIELD_VALUE` just emitted.
    fn emit_block<'a>(
        &self,
        cfg: &'a Cfg,
        b: BlockId,
        prev_yield: &mut Option<u32>,
    ) -> Vec<Emit<'a>> {
        let instrs = &cfg.block(b).instrs;
        let mut unproven = vec![[false; 2]; instrs.len()];
        if let Some(da) = &self.definite {
            for r in da.reads(cfg, b) {
                if !r.proven && !r.checked {
                    unproven[r.index][usize::from(r.half.min(1))] = true;
                }
            }
        }
        let depth = self
            .nesting
            .as_ref()
            .map(|n| n.get(&b).copied().unwrap_or(0));
        let mut out = Vec::with_capacity(instrs.len());
        for (k, instr) in instrs.iter().enumerate() {
            let yielded = prev_yield.take();
            let whole = |op, arg| Emit {
                op,
                arg,
                src: instr,
                whole: true,
            };
            let checked = match unproven[k] {
                [false, false] => None,
                u => checked_form(self.version, instr, u),
            };
            if let Some(parts) = checked {
                if let [(op, arg)] = parts[..] {
                    out.push(whole(op, arg));
                } else {
                    out.extend(parts.into_iter().map(|(op, arg)| Emit {
                        op,
                        arg,
                        src: instr,
                        whole: false,
                    }));
                }
                continue;
            }
            let mut arg = instr.arg;
            if let Some(d) = depth {
                if Ops::is(instr.op, self.ops.yield_value) {
                    *prev_yield = Some(d);
                    if self.version == PyVersion::V3_12 {
                        arg = d;
                    }
                } else if self.version == PyVersion::V3_13
                    && Ops::is(instr.op, self.ops.resume)
                    && arg & RESUME_LOCATION != 0
                {
                    let at_yield = yielded.unwrap_or(d);
                    arg &= !RESUME_DEPTH1;
                    if at_yield == 1 {
                        arg |= RESUME_DEPTH1;
                    }
                }
            }
            out.push(whole(instr.op, arg));
        }
        out
    }
}

/// 3.12+: the interpreter's `FOR_ITER`, when the iterator is exhausted, jumps past its
/// target's `END_FOR` (3.13: past `END_FOR; POP_TOP`), so those must be there, without
/// prefixes (the jump skips a fixed number of code units). `at` is the target's
/// instruction index in `flat`, `index` the `FOR_ITER`'s.
fn check_for_iter_exit(
    cfg: &Cfg,
    flat: &[&Emit<'_>],
    at: usize,
    index: usize,
) -> Result<(), CodegenError> {
    let version = cfg.version;
    if !version.at_least(PyVersion::V3_12) {
        return Ok(());
    }
    let ops = Ops::get(version);
    let (want, expected): (&[_], _) = if version.at_least(PyVersion::V3_13) {
        (&[ops.end_for, ops.pop_top], "END_FOR; POP_TOP")
    } else {
        (&[ops.end_for], "END_FOR")
    };
    for (k, &op) in want.iter().enumerate() {
        let found = flat.get(at + k);
        // Neither takes an argument: it gets prefixes only if it had them as read.
        let ok = found.is_some_and(|e| Ops::is(e.op, op) && e.orig_arg(cfg).is_none());
        if !ok {
            return Err(CodegenError::ForIterExit {
                index,
                found: found.map_or("the end of the code", |e| e.op.name),
                expected,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
