//! The classic control-flow clean-ups: constant branches, unreachable blocks, jump
//! threading, NOPs, dead push/pop pairs, constant and name tables, `EXTENDED_ARG`s.
//!
//! Every pass here keeps PEP 626 line events (and, up to 3.9, the `co_lnotab` events):
//! no program can tell the difference except by reading its bytecode. They share one
//! way of deleting code without losing a line event: the instruction becomes a `NOP`
//! that keeps its position, and [`drop_nops`] then removes exactly the `NOP`s whose
//! line some neighbour still raises (see [`nop_removable`] for the rule per line-table
//! kind).

mod compact_tables;
mod fold_branches;
mod remove_dead_pairs;
mod remove_nops;
mod remove_unreachable;
mod shrink_extended_args;
mod thread_jumps;

pub use compact_tables::CompactTables;
pub use fold_branches::FoldBranches;
pub use remove_dead_pairs::RemoveDeadPairs;
pub use remove_nops::RemoveNops;
pub use remove_unreachable::RemoveUnreachable;
pub use shrink_extended_args::ShrinkExtendedArgs;
pub use thread_jumps::ThreadJumps;

use std::collections::HashMap;

use petgraph::visit::EdgeRef;
use petgraph::Direction;
use pycopt_core::cfg::{BlockId, Cfg, EdgeKind, Instr};
use pycopt_core::linetable::Position;
use pycopt_core::opcode::{table, OpInfo};
use pycopt_core::PyVersion;

/// `co_flags` bit of function code (fast locals): module and class bodies lack it.
pub(crate) const CO_OPTIMIZED: i32 = 0x1;

/// A new instruction (no prefixes, no cache contents, not from the input).
pub(crate) fn new_instr(op: &'static OpInfo, arg: u32, pos: Position) -> Instr {
    Instr {
        op,
        arg,
        pos,
        prefixes: 0,
        cache: Box::new([]),
        offset: None,
    }
}

/// The opcode `name` of `version`, if that version has it.
pub(crate) fn op(version: PyVersion, name: &str) -> Option<&'static OpInfo> {
    table(version).by_name(name)
}

/// Whether `version` reports line events from `co_lnotab` ranges (up to 3.9: an event
/// when an instruction that starts a line range runs, or after a backward jump) rather
/// than PEP 626's (3.10+: an event when the line differs from the previous executed
/// instruction's, or after a backward jump).
pub(crate) fn lnotab_events(version: PyVersion) -> bool {
    !version.at_least(PyVersion::V3_10)
}

/// Turns `ins` into a `NOP` at the same position (a line carrier until
/// [`drop_nops`] proves it is not needed).
pub(crate) fn make_nop(ins: &mut Instr, nop: &'static OpInfo) {
    *ins = new_instr(nop, 0, ins.pos);
}

/// Whether the `NOP` at index `k` of block `b` can go without changing line events.
///
/// With `L` its line (or none):
/// - the instruction before it in the block has line `L`: that one always runs just
///   before it, so it raises no event of its own (nothing jumps into a block's
///   middle);
/// - or the instruction that always runs after it — the next in the block, or the
///   first of the block it falls into — has line `L`: that one takes over whatever
///   event the `NOP` raised (also after a backward jump to it), and raises none
///   itself. Up to 3.9 events belong to line ranges in layout order, so the next
///   block must then have no other way in (a jump into it would land on what becomes
///   a range start).
pub(crate) fn nop_removable(cfg: &Cfg, b: BlockId, k: usize) -> bool {
    let instrs = &cfg.block(b).instrs;
    let line = instrs[k].pos.line;
    if k > 0 && instrs[k - 1].pos.line == line {
        return true;
    }
    if let Some(next) = instrs.get(k + 1) {
        return next.pos.line == line;
    }
    let Some(n) = cfg.fallthrough(b) else {
        return false;
    };
    let Some(first) = cfg.block(n).instrs.first() else {
        return false;
    };
    if first.pos.line != line {
        return false;
    }
    !lnotab_events(cfg.version) || cfg.predecessors(n).all(|(_, p)| p == b)
}

/// Removes the `NOP`s of block `b` that [`nop_removable`] allows; returns how many.
pub(crate) fn drop_nops(cfg: &mut Cfg, b: BlockId) -> usize {
    let mut removed = 0;
    let mut k = 0;
    while k < cfg.block(b).instrs.len() {
        if cfg.block(b).instrs[k].op.flow.nop && nop_removable(cfg, b, k) {
            cfg.graph[b].instrs.remove(k);
            removed += 1;
        } else {
            k += 1;
        }
    }
    removed
}

/// Removes blocks with no instructions: whatever led to one leads to the block it
/// falls into. Returns how many went.
pub(crate) fn remove_empty_blocks(cfg: &mut Cfg) -> usize {
    let mut removed = 0;
    for e in cfg.layout.clone() {
        if !cfg.block(e).instrs.is_empty() {
            continue;
        }
        let succ = cfg.fallthrough(e);
        let incoming: Vec<_> = cfg
            .graph
            .edges_directed(e, Direction::Incoming)
            .map(|r| (r.source(), *r.weight()))
            .collect();
        let Some(succ) = succ else {
            // An empty last block: only removable when nothing leads to it.
            if incoming.is_empty() && e != cfg.entry {
                cfg.graph.remove_node(e);
                cfg.layout.retain(|&x| x != e);
                removed += 1;
            }
            continue;
        };
        if succ == e {
            continue;
        }
        for (src, kind) in incoming {
            if src != e {
                cfg.graph.add_edge(src, succ, kind);
            }
        }
        if cfg.entry == e {
            cfg.entry = succ;
        }
        cfg.graph.remove_node(e);
        cfg.layout.retain(|&x| x != e);
        removed += 1;
    }
    removed
}

/// Each block's index in the layout.
pub(crate) fn layout_index(cfg: &Cfg) -> HashMap<BlockId, usize> {
    cfg.layout
        .iter()
        .enumerate()
        .map(|(i, &b)| (b, i))
        .collect()
}

/// The block after `b` in the layout.
pub(crate) fn layout_next(cfg: &Cfg, b: BlockId) -> Option<BlockId> {
    let i = cfg.layout.iter().position(|&x| x == b)?;
    cfg.layout.get(i + 1).copied()
}

/// The line of the last instruction laid out before block `b` (skipping empty
/// blocks); `None` when `b` is the first block with instructions.
pub(crate) fn line_before(cfg: &Cfg, b: BlockId) -> Option<Option<i32>> {
    let i = cfg.layout.iter().position(|&x| x == b)?;
    cfg.layout[..i]
        .iter()
        .rev()
        .find_map(|&p| cfg.block(p).instrs.last())
        .map(|ins| ins.pos.line)
}

/// The block's exception edge (3.11+), as `(handler, depth, lasti)`.
pub(crate) fn handler_of(cfg: &Cfg, b: BlockId) -> Option<(BlockId, u32, bool)> {
    cfg.successors(b).find_map(|(k, to)| match k {
        EdgeKind::Exception { depth, lasti } => Some((to, depth, lasti)),
        _ => None,
    })
}

/// Removes the one edge of `kind` from `from` to `to`, if there is one.
pub(crate) fn remove_edge(cfg: &mut Cfg, from: BlockId, to: BlockId, kind: EdgeKind) -> bool {
    let id = cfg
        .graph
        .edges_directed(from, Direction::Outgoing)
        .find(|e| e.target() == to && *e.weight() == kind)
        .map(|e| e.id());
    match id {
        Some(id) => {
            cfg.graph.remove_edge(id);
            true
        }
        None => false,
    }
}

/// How a block's last instruction jumps, for the passes that rewrite jumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JumpShape {
    /// Always jumps, and may be redirected (not a `*_NO_INTERRUPT` jump, not one that
    /// unwinds the block stack).
    Uncond,
    /// `POP_JUMP_*`, `JUMP_IF_*`: jumps or falls through, nothing else.
    Cond,
    /// Anything else (`FOR_ITER`, `SEND`, `SETUP_*`, `CALL_FINALLY`...): left alone.
    Other,
}

/// The [`JumpShape`] of `op`.
pub(crate) fn jump_shape(op: &OpInfo) -> JumpShape {
    let f = &op.flow;
    if op.jump.is_none() || f.unwinds || f.setup_block || f.for_iter {
        return JumpShape::Other;
    }
    if f.uncond_jump && !op.name.contains("NO_INTERRUPT") {
        JumpShape::Uncond
    } else if f.cond_jump && (op.name.starts_with("POP_JUMP") || op.name.starts_with("JUMP_IF_")) {
        JumpShape::Cond
    } else {
        JumpShape::Other
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Hand-built graphs for the passes' unit tests, and a way to compile Python source
    //! with an installed interpreter when one is there.

    use super::*;

    /// A line-only position.
    pub fn at(line: i32) -> Position {
        Position {
            line: Some(line),
            ..Position::NONE
        }
    }

    /// An instruction of `version` by opcode name.
    pub fn ins(version: PyVersion, name: &str, arg: u32, line: i32) -> Instr {
        new_instr(op(version, name).unwrap(), arg, at(line))
    }

    /// A graph from blocks of `(name, arg, line)` and edges.
    pub fn graph(
        version: PyVersion,
        blocks: &[&[(&str, u32, i32)]],
        edges: &[(usize, usize, EdgeKind)],
    ) -> Cfg {
        let mut cfg = Cfg::from_edges(version, blocks.len(), edges);
        for (i, b) in blocks.iter().enumerate() {
            let id = cfg.layout[i];
            cfg.graph[id].instrs = b.iter().map(|&(n, a, l)| ins(version, n, a, l)).collect();
        }
        cfg
    }

    /// Compiles `src` as a module with the interpreter of `version`; `None` (after a
    /// notice) when it is not installed, a failure under `CI=true`.
    pub fn compile(version: (u8, u8), src: &str) -> Option<pycopt_core::Pyc> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let interp = pycopt_corpus::require(version.0, version.1)?;
        let dir = std::env::temp_dir().join(format!(
            "pycopt-classic-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (py, pyc) = (dir.join("m.py"), dir.join("m.pyc"));
        std::fs::write(&py, src).unwrap();
        let script = "import sys, py_compile\n\
                      py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)";
        let out = interp
            .run(["-c", script, &py.to_string_lossy(), &pyc.to_string_lossy()])
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let data = std::fs::read(&pyc).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        Some(pycopt_core::Pyc::parse(data).unwrap())
    }

    /// Opens the code object whose dotted path ends with `name` (`<module>` for the
    /// module).
    pub fn open<'a>(pyc: &'a pycopt_core::Pyc, name: &str) -> pycopt_core::codegen::Unit<'a> {
        let (id, path) = pycopt_core::code::walk_code(&pyc.graph, pyc.root)
            .into_iter()
            .find(|(_, p)| p == name || p.ends_with(&format!(".{name}")))
            .expect("code object");
        pycopt_core::codegen::Unit::open(&pyc.graph, id, path, pyc.version()).unwrap()
    }

    /// Runs `pass` over `unit` with default options; the unit must still generate and
    /// verify afterwards.
    pub fn run(pass: &dyn crate::Pass, unit: &mut pycopt_core::codegen::Unit<'_>) -> usize {
        let facts = crate::FileFacts::default();
        let options = crate::Options::default();
        let cx = crate::Context::new(&options, &facts, unit.version());
        let n = pass.run(unit, &cx).unwrap();
        if let Err(e) = unit.clone().finish() {
            panic!("{}: {e}", pass.info().name);
        }
        n
    }

    /// The index of constant `c` in `unit`.
    pub fn const_index(
        unit: &mut pycopt_core::codegen::Unit<'_>,
        c: &pycopt_core::constant::Constant,
    ) -> u32 {
        (0..unit.const_count() as u32)
            .find(|&i| unit.constant(i) == Some(c))
            .expect("constant")
    }

    /// The opcode names of every block, in layout order.
    pub fn names(cfg: &Cfg) -> Vec<Vec<&'static str>> {
        cfg.layout
            .iter()
            .map(|&b| cfg.block(b).instrs.iter().map(|i| i.op.name).collect())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use EdgeKind::*;

    #[test]
    fn nop_goes_when_a_neighbour_has_its_line() {
        for v in [PyVersion::V3_8, PyVersion::V3_12] {
            let mut cfg = graph(
                v,
                &[&[
                    ("LOAD_CONST", 0, 1),
                    ("NOP", 0, 1),
                    ("NOP", 0, 2),
                    ("LOAD_CONST", 0, 2),
                    ("NOP", 0, 3),
                    ("RETURN_VALUE", 0, 4),
                ]],
                &[],
            );
            let b = cfg.entry;
            assert_eq!(drop_nops(&mut cfg, b), 2);
            let lines: Vec<_> = cfg.block(b).instrs.iter().map(|i| i.pos.line).collect();
            // Line 3 has no other carrier: its NOP stays.
            assert_eq!(lines, [Some(1), Some(2), Some(3), Some(4)]);
        }
    }

    #[test]
    fn trailing_nop_before_a_join_stays_up_to_3_9() {
        // Block 0 ends in NOP line 5 and falls into block 1 (line 5), which block 2
        // also jumps to: up to 3.9 that jump would start a new line range.
        let edges = [(0, 1, Fallthrough), (2, 1, Jump)];
        let blocks: &[&[(&str, u32, i32)]] = &[
            &[("LOAD_CONST", 0, 4), ("NOP", 0, 5)],
            &[("RETURN_VALUE", 0, 5)],
            &[("JUMP_ABSOLUTE", 0, 6)],
        ];
        let mut old = graph(PyVersion::V3_8, blocks, &edges);
        let b = old.entry;
        assert_eq!(drop_nops(&mut old, b), 0);
        let mut new = graph(PyVersion::V3_10, blocks, &edges);
        let b = new.entry;
        assert_eq!(drop_nops(&mut new, b), 1);
    }

    #[test]
    fn empty_blocks_pass_their_edges_on() {
        let mut cfg = graph(
            PyVersion::V3_12,
            &[
                &[("LOAD_CONST", 0, 1), ("POP_JUMP_IF_FALSE", 0, 1)],
                &[],
                &[("RETURN_CONST", 0, 2)],
            ],
            &[(0, 1, Fallthrough), (0, 1, Jump), (1, 2, Fallthrough)],
        );
        assert_eq!(remove_empty_blocks(&mut cfg), 1);
        let (b0, b2) = (cfg.layout[0], cfg.layout[1]);
        assert_eq!(cfg.fallthrough(b0), Some(b2));
        assert_eq!(cfg.jump_target(b0), Some(b2));
    }

    #[test]
    fn jump_shapes() {
        let v = PyVersion::V3_11;
        let shape = |n| jump_shape(op(v, n).unwrap());
        assert_eq!(shape("JUMP_FORWARD"), JumpShape::Uncond);
        assert_eq!(shape("JUMP_BACKWARD"), JumpShape::Uncond);
        assert_eq!(shape("JUMP_BACKWARD_NO_INTERRUPT"), JumpShape::Other);
        assert_eq!(shape("POP_JUMP_FORWARD_IF_NONE"), JumpShape::Cond);
        assert_eq!(shape("JUMP_IF_TRUE_OR_POP"), JumpShape::Cond);
        assert_eq!(shape("FOR_ITER"), JumpShape::Other);
        assert_eq!(shape("SEND"), JumpShape::Other);
        let v = PyVersion::V3_8;
        assert_eq!(
            jump_shape(op(v, "SETUP_FINALLY").unwrap()),
            JumpShape::Other
        );
        assert_eq!(jump_shape(op(v, "CALL_FINALLY").unwrap()), JumpShape::Other);
        assert_eq!(
            jump_shape(op(v, "JUMP_ABSOLUTE").unwrap()),
            JumpShape::Uncond
        );
    }
}
