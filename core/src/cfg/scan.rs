//! [`Scan`]: a code object's decoded instructions cut into blocks, with the edges
//! between them, before any graph is built.
//!
//! Building a [`Cfg`](super::Cfg) costs allocations per block and a decoded position
//! per instruction. Most code objects of a real library give no pass anything to do,
//! and a pass can usually tell from the instructions alone: a scan is what it looks
//! at ([`Pass::may_change`] in `pycopt-passes`), and what [`build`](super::build)
//! turns into the graph when some pass may act. The block structure and edge rules
//! live here only, so the scan and the graph always agree.
//!
//! [`Pass::may_change`]: https://docs.rs/pycopt-passes

use std::cell::OnceCell;

use super::build::BuildError;
use super::EdgeKind;
use crate::code::Code;
use crate::exceptiontable::{ExceptionTable, Handler};
use crate::instr::{decode, Instruction};
use crate::linetable::{LineTable, Position};
use crate::marshal::ObjectGraph;
use crate::opcode::{table, OpcodeTable};
use crate::version::PyVersion;

/// A code object's instructions, block starts, handlers and block edges.
pub struct Scan<'g> {
    /// The file's object graph.
    pub graph: &'g ObjectGraph,
    /// The code object.
    pub code: &'g Code,
    /// The file's Python version.
    pub version: PyVersion,
    /// The decoded instructions (`EXTENDED_ARG` prefixes and caches folded in).
    pub instrs: Vec<Instruction>,
    /// Index in [`Self::instrs`] of each block's first instruction, ascending; the
    /// first is 0.
    pub starts: Vec<usize>,
    /// The 3.11+ handler of each instruction (`None` everywhere before 3.11).
    pub handlers: Vec<Option<Handler>>,
    /// For each instruction, the index of its block in [`Self::starts`].
    block_of: Vec<u32>,
    /// [`Self::positions`], once decoded.
    positions: OnceCell<Vec<Position>>,
}

impl<'g> Scan<'g> {
    /// Decodes `code` and finds its blocks. Fails where the graph could not be built
    /// either: undecodable code, a jump or handler that does not land on an
    /// instruction, a malformed exception table, no instructions at all.
    pub fn new(
        code: &'g Code,
        graph: &'g ObjectGraph,
        version: PyVersion,
    ) -> Result<Self, BuildError> {
        let t = table(version);
        let instrs = decode(code.bytecode(graph), version)?;
        if instrs.is_empty() {
            return Err(BuildError::Empty);
        }
        let handlers = handlers(code, graph, &instrs)?;
        let index_of = |offset: u32| instrs.binary_search_by_key(&offset, |i| i.start).ok();

        // Leaders: where blocks start.
        let mut leader = vec![false; instrs.len() + 1];
        leader[0] = true;
        for (k, i) in instrs.iter().enumerate() {
            if let Some(target) = i.jump_target(t) {
                let at = index_of(target).ok_or(BuildError::BadTarget {
                    offset: i.offset,
                    what: "jump target",
                    target,
                })?;
                leader[at] = true;
            }
            let f = &i.op.flow;
            if f.terminates
                || f.cond_jump
                || f.uncond_jump
                || f.for_iter
                || f.setup_block
                || i.op.jump.is_some()
            {
                leader[k + 1] = true;
            }
            if k > 0 && handlers[k] != handlers[k - 1] {
                leader[k] = true;
            }
        }
        let mut last_target = None;
        for h in handlers.iter().flatten() {
            if last_target == Some(h.target) {
                continue;
            }
            last_target = Some(h.target);
            let at = index_of(h.target * 2).ok_or(BuildError::BadTarget {
                offset: 0,
                what: "exception handler",
                target: h.target * 2,
            })?;
            leader[at] = true;
        }
        leader.truncate(instrs.len());
        let starts: Vec<usize> = (0..instrs.len()).filter(|&k| leader[k]).collect();
        let mut block_of = vec![0u32; instrs.len()];
        for (n, &s) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(instrs.len());
            block_of[s..end].fill(n as u32);
        }
        Ok(Scan {
            graph,
            code,
            version,
            instrs,
            starts,
            handlers,
            block_of,
            positions: OnceCell::new(),
        })
    }

    /// The opcode table of the version.
    pub fn table(&self) -> &'static OpcodeTable {
        table(self.version)
    }

    /// Number of blocks.
    pub fn block_count(&self) -> usize {
        self.starts.len()
    }

    /// The instruction indices of block `n`.
    pub fn block(&self, n: usize) -> std::ops::Range<usize> {
        let end = self.starts.get(n + 1).copied().unwrap_or(self.instrs.len());
        self.starts[n]..end
    }

    /// The block holding instruction `k`.
    pub fn block_of(&self, k: usize) -> usize {
        self.block_of[k] as usize
    }

    /// Whether instruction `k` starts a block.
    pub fn starts_block(&self, k: usize) -> bool {
        k == 0 || self.block_of[k] != self.block_of[k - 1]
    }

    /// The index of the instruction starting at byte `offset` (its first prefix).
    pub fn index_of(&self, offset: u32) -> Option<usize> {
        self.instrs.binary_search_by_key(&offset, |i| i.start).ok()
    }

    /// The edges leaving block `n`: `(kind, block)`, jump first, then fall-through,
    /// then the exception edge. These are the graph's edges.
    pub fn successors(&self, n: usize) -> impl Iterator<Item = (EdgeKind, usize)> + '_ {
        let range = self.block(n);
        let last = &self.instrs[range.end - 1];
        let f = &last.op.flow;
        let jump = last.jump_target(self.table()).and_then(|target| {
            let kind = if f.setup_block {
                EdgeKind::Setup
            } else {
                EdgeKind::Jump
            };
            Some((kind, self.block_of(self.index_of(target)?)))
        });
        // The last block may "fall off the end" only if it is unreachable (3.8
        // leaves such dead tails); it then simply has no fall-through edge, and the
        // verifier rejects it if anything reaches it.
        let falls = (!f.terminates && !f.uncond_jump && n + 1 < self.starts.len())
            .then_some((EdgeKind::Fallthrough, n + 1));
        let exception = self.handlers[range.start].and_then(|h| {
            let to = self.block_of(self.index_of(h.target * 2)?);
            Some((
                EdgeKind::Exception {
                    depth: h.depth,
                    lasti: h.lasti,
                },
                to,
            ))
        });
        jump.into_iter().chain(falls).chain(exception)
    }

    /// Which blocks a path from the entry reaches, following every edge.
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.starts.len()];
        let mut work = vec![0usize];
        while let Some(n) = work.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            work.extend(self.successors(n).map(|(_, to)| to).filter(|&to| !seen[to]));
        }
        seen
    }

    /// The source position of each instruction, from the code object's line table
    /// (decoded on the first call; screens and [`build_scanned`](super::build_scanned)
    /// share it).
    pub fn positions(&self) -> Result<&[Position], BuildError> {
        if let Some(p) = self.positions.get() {
            return Ok(p);
        }
        let table = LineTable::of_code(self.version, self.code, self.graph)?;
        let p = crate::lower::positions_of(
            &table,
            self.version,
            self.code.firstlineno,
            &self.instrs,
            self.code.bytecode(self.graph).len() as u32,
        );
        Ok(self.positions.get_or_init(|| p))
    }

    /// The constant and name indices the instructions use: `(consts, names)`, one
    /// flag per table entry. `co_consts[0]` counts as used (the docstring slot).
    pub fn table_usage(&self) -> (Vec<bool>, Vec<bool>) {
        let consts = self.code.consts(self.graph).len();
        let names = self.graph.as_tuple(self.code.names).map_or(0, <[_]>::len);
        crate::codegen::table_usage(self.instrs.iter().map(|i| (i.op, i.arg)), consts, names)
    }
}

/// The handler of each instruction (3.11+; `None` everywhere before).
fn handlers(
    code: &Code,
    g: &ObjectGraph,
    instrs: &[Instruction],
) -> Result<Vec<Option<Handler>>, BuildError> {
    let mut out = vec![None; instrs.len()];
    let Some(table) = ExceptionTable::of_code(code, g)? else {
        return Ok(out);
    };
    let entries = &table.entries;
    let ordered = entries.windows(2).all(|w| w[0].end() <= w[1].start);
    if !ordered {
        // Overlapping or unsorted (never written by CPython): the interpreter's own
        // first-match rule, entry by entry.
        for (k, i) in instrs.iter().enumerate() {
            out[k] = table.handler_at(i.offset / 2);
        }
        return Ok(out);
    }
    // Sorted, disjoint entries: one sweep.
    let mut e = 0;
    for (k, i) in instrs.iter().enumerate() {
        let unit = i.offset / 2;
        while e < entries.len() && entries[e].end() <= unit {
            e += 1;
        }
        if let Some(entry) = entries.get(e).filter(|x| x.start <= unit) {
            out[k] = Some(entry.handler());
        }
    }
    Ok(out)
}
