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
pub use unit::{apply, ConstEntry, Finished, Unit};

use std::collections::HashMap;

use crate::cfg::{BlockId, Cfg, EdgeKind};
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
}

/// Generates the code of `cfg` for a code object whose first line is `firstlineno`.
pub fn generate(
    cfg: &Cfg,
    firstlineno: i32,
    original: &Original<'_>,
) -> Result<Generated, CodegenError> {
    let version = cfg.version;
    let t = table(version);
    let py311 = version.at_least(PyVersion::V3_11);

    // Where each block starts, as an instruction index.
    let mut start: HashMap<BlockId, usize> = HashMap::with_capacity(cfg.layout.len());
    let mut n = 0usize;
    for &b in &cfg.layout {
        start.insert(b, n);
        n += cfg.block(b).instrs.len();
    }
    if n == 0 {
        return Err(CodegenError::Empty);
    }
    let label_of = |b: BlockId| start.get(&b).copied().unwrap_or(n);

    let mut slots: Vec<Slot> = Vec::with_capacity(n);
    let mut positions: Vec<Position> = Vec::with_capacity(n);
    let mut handler_of: Vec<Option<(usize, u32, bool)>> = Vec::with_capacity(n);
    for &b in &cfg.layout {
        let block = cfg.block(b);
        let target = cfg
            .successors(b)
            .find(|(k, _)| matches!(k, EdgeKind::Jump | EdgeKind::Setup))
            .map(|(_, to)| label_of(to));
        let handler = if py311 {
            cfg.successors(b).find_map(|(k, to)| match k {
                EdgeKind::Exception { depth, lasti } => Some((label_of(to), depth, lasti)),
                _ => None,
            })
        } else {
            None
        };
        let last = block.instrs.len().saturating_sub(1);
        for (k, instr) in block.instrs.iter().enumerate() {
            let i = slots.len();
            let mut op: &'static OpInfo = instr.op;
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
                    SlotArg::Label(to)
                }
                _ => SlotArg::Fixed(instr.arg),
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
                min_prefixes: instr.prefixes,
                cache: instr.cache.clone(),
            });
            positions.push(instr.pos);
            handler_of.push(handler);
        }
    }

    let instrs = lay_out(t, &slots).map_err(|i| CodegenError::Unreachable {
        index: i,
        op: slots[i].op.name,
    })?;
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
            let got = positions_of(&table, version, firstlineno, &instrs, code_len);
            got == positions
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

#[cfg(test)]
mod tests;
