//! `remove-unreachable`: blocks that no path from the entry reaches are removed.
//!
//! Reachability follows every edge: fall-through, jumps, 3.11+ exception-table edges
//! and the `SETUP_*` handler edges of 3.10 and before. So a 3.11+ handler that no
//! exception-table entry and no jump leads to (`try: pass` leaves one) is dead too.
//! Blocks whose predecessors are all dead are dead, whatever the layout; since a
//! reachable block's fall-through successor is reachable, the layout stays valid.
//!
//! Up to 3.9, a debugger's `jump` (the `f_lineno` setter) works on the whole
//! bytecode, dead or not: it pairs up block-structure instructions (`SETUP_*`,
//! `POP_BLOCK`, `END_FINALLY`, ...) by scanning them, and it lets a jump land on a line
//! that only dead code has, and runs that code. So dead blocks holding either stay
//! there (3.10+ refuse jumps into dead code, and CPython removes it itself).
//!
//! Up to 3.9, line events come from line ranges in layout order: the first live
//! instruction after a dead run starts a range (and raises an event whenever it is
//! jumped to) exactly when its line differs from the instruction before it. When
//! removing the run would change that, one unreachable `NOP` with the run's last
//! line stays in its place.

use std::collections::HashSet;

use pycopt_core::cfg::{BlockId, EdgeKind, Scan};
use pycopt_core::codegen::Unit;
use pycopt_core::opcode::OpInfo;

use super::{lnotab_events, new_instr, op};
use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct RemoveUnreachable;

/// Opcodes that the `f_lineno` setter of 3.9 and before pairs up by scanning the whole
/// bytecode, reachable or not (3.8's bare `except:` ends in a dead `END_FINALLY`
/// that closes its `SETUP_FINALLY`): a debugger's `jump` relies on them being where
/// the compiler put them, and crashes the interpreter ("block stack underflow")
/// when a dead one is missing.
const BLOCK_STRUCTURE: &[&str] = &[
    "POP_BLOCK",
    "POP_EXCEPT",
    "END_FINALLY",
    "BEGIN_FINALLY",
    "CALL_FINALLY",
    "POP_FINALLY",
    "RERAISE",
    "END_ASYNC_FOR",
    "WITH_CLEANUP_START",
    "WITH_CLEANUP_FINISH",
    "WITH_EXCEPT_START",
    "BREAK_LOOP",
    "CONTINUE_LOOP",
    "FOR_ITER",
];

/// Up to 3.9: whether a dead block holding this instruction (opcode `op`, at `line`)
/// stays: it is part of the block structure, or its line is only in dead code.
fn keeps_dead_block(op: &OpInfo, line: Option<i32>, live_lines: &HashSet<i32>) -> bool {
    op.flow.setup_block
        || BLOCK_STRUCTURE.contains(&op.name)
        || line.is_some_and(|l| !live_lines.contains(&l))
}

/// Up to 3.9: counts as live every dead block holding an instruction of the block
/// structure ([`BLOCK_STRUCTURE`], `SETUP_*`) or the only instructions of some line
/// (3.8 and 3.9 let a debugger `jump` to a line of dead code, and run it), and every
/// block such a block leads to (its jumps need their targets).
fn keep_block_structure(cfg: &pycopt_core::cfg::Cfg, live: &mut HashSet<BlockId>) {
    let live_lines: HashSet<i32> = cfg
        .layout
        .iter()
        .filter(|b| live.contains(b))
        .flat_map(|&b| cfg.block(b).instrs.iter().filter_map(|i| i.pos.line))
        .collect();
    let structural = |b: BlockId| {
        cfg.block(b)
            .instrs
            .iter()
            .any(|i| keeps_dead_block(i.op, i.pos.line, &live_lines))
    };
    let mut work: Vec<BlockId> = cfg
        .layout
        .iter()
        .copied()
        .filter(|b| !live.contains(b) && structural(*b))
        .collect();
    while let Some(b) = work.pop() {
        if !live.insert(b) {
            continue;
        }
        for (_, next) in cfg.successors(b) {
            if !live.contains(&next) {
                work.push(next);
            }
        }
    }
}

impl Pass for RemoveUnreachable {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "remove-unreachable",
            description: "removes blocks no path from the entry reaches (handlers included)",
            changes_control_flow: true,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let cfg = &mut unit.cfg;
        let mut live: HashSet<BlockId> = cfg.reachable().into_iter().collect();
        if live.len() == cfg.layout.len() {
            return Ok(0);
        }
        if lnotab_events(cfg.version) {
            keep_block_structure(cfg, &mut live);
            if live.len() == cfg.layout.len() {
                return Ok(0);
            }
        }
        let nop = op(cfg.version, "NOP");
        let lnotab = lnotab_events(cfg.version);
        let layout = cfg.layout.clone();
        let mut changes = 0;
        let mut i = 0;
        while i < layout.len() {
            if live.contains(&layout[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < layout.len() && !live.contains(&layout[i]) {
                i += 1;
            }
            let run = &layout[start..i];
            // Up to 3.9: keep the next live instruction's range start as it was.
            let mut stub = None;
            if let (true, Some(_), Some(&next)) = (lnotab, nop, layout.get(i)) {
                let line_of_last = |blocks: &[BlockId]| {
                    blocks
                        .iter()
                        .rev()
                        .find_map(|&b| cfg.block(b).instrs.last())
                        .map(|ins| ins.pos)
                };
                let next_line = cfg.block(next).instrs.first().map(|ins| ins.pos.line);
                let dead_last = line_of_last(run);
                let live_before: Vec<BlockId> = layout[..start]
                    .iter()
                    .copied()
                    .filter(|b| live.contains(b))
                    .collect();
                let before = line_of_last(&live_before).map(|p| p.line);
                if let (Some(next_line), Some(dead_last)) = (next_line, dead_last) {
                    let starts_now = Some(next_line) != Some(dead_last.line);
                    let starts_after = Some(next_line) != before;
                    if starts_now != starts_after {
                        stub = Some((run[run.len() - 1], dead_last, next));
                    }
                }
            }
            for &b in run {
                if let Some((keep, pos, next)) = stub {
                    if b == keep {
                        let already = {
                            let ins = &cfg.block(b).instrs;
                            ins.len() == 1 && ins[0].op.flow.nop && ins[0].pos == pos
                        } && cfg.successors(b).count() == 1
                            && cfg.fallthrough(b) == Some(next);
                        if !already {
                            cfg.graph[b].instrs = vec![new_instr(nop.unwrap(), 0, pos)];
                            let out: Vec<_> = cfg.successors(b).collect();
                            for (kind, to) in out {
                                super::remove_edge(cfg, b, to, kind);
                            }
                            cfg.graph.add_edge(b, next, EdgeKind::Fallthrough);
                            changes += 1;
                        }
                        continue;
                    }
                }
                cfg.graph.remove_node(b);
                changes += 1;
            }
        }
        let graph = &cfg.graph;
        cfg.layout.retain(|&b| graph.contains_node(b));
        Ok(changes)
    }

    /// Some block is dead, and (up to 3.9) not one [`keep_block_structure`] keeps.
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        let mut live = scan.reachable();
        if !live.contains(&false) {
            return false;
        }
        if !lnotab_events(scan.version) {
            return true;
        }
        let Ok(pos) = scan.positions() else {
            return true;
        };
        let blocks = 0..scan.block_count();
        let live_lines: HashSet<i32> = blocks
            .clone()
            .filter(|&n| live[n])
            .flat_map(|n| scan.block(n).filter_map(|k| pos[k].line))
            .collect();
        let mut work: Vec<usize> = blocks
            .filter(|&n| {
                !live[n]
                    && scan
                        .block(n)
                        .any(|k| keeps_dead_block(scan.instrs[k].op, pos[k].line, &live_lines))
            })
            .collect();
        while let Some(n) = work.pop() {
            if std::mem::replace(&mut live[n], true) {
                continue;
            }
            work.extend(scan.successors(n).map(|(_, to)| to).filter(|&to| !live[to]));
        }
        live.contains(&false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::testing::*;
    use pycopt_core::PyVersion;
    use EdgeKind::*;

    /// 0 jumps over 1 (dead, line `dead`) to 2 (line 5); 0 has lines 6 and 5.
    fn jump_over_dead(v: PyVersion, dead: i32) -> pycopt_core::cfg::Cfg {
        graph(
            v,
            &[
                &[
                    ("LOAD_CONST", 0, 6),
                    ("POP_TOP", 0, 6),
                    ("LOAD_CONST", 0, 5),
                    ("JUMP_FORWARD", 0, 5),
                ],
                &[("LOAD_CONST", 0, dead), ("RETURN_VALUE", 0, dead)],
                &[("RETURN_VALUE", 0, 5)],
            ],
            &[(0, 2, Jump)],
        )
    }

    #[test]
    fn dead_blocks_go_but_up_to_3_9_line_ranges_and_dead_only_lines_stay() {
        let Some(pyc) = compile((3, 8), "x = 1\n") else {
            return;
        };
        let mut unit = open(&pyc, "<module>");
        // Up to 3.9 block 2 starts a line range only because of the dead line 6
        // before it: a NOP with line 6 stays in the dead block's place.
        unit.cfg = jump_over_dead(PyVersion::V3_8, 6);
        assert_eq!(run(&RemoveUnreachable, &mut unit), 1);
        assert_eq!(names(&unit.cfg)[1], ["NOP"]);
        assert_eq!(run(&RemoveUnreachable, &mut unit), 0);
        // A line only dead code has stays (a 3.8 debugger may jump there).
        unit.cfg = jump_over_dead(PyVersion::V3_8, 7);
        assert_eq!(run(&RemoveUnreachable, &mut unit), 0);
        let Some(pyc) = compile((3, 10), "x = 1\n") else {
            return;
        };
        let mut unit = open(&pyc, "<module>");
        unit.cfg = jump_over_dead(PyVersion::V3_10, 7);
        assert_eq!(run(&RemoveUnreachable, &mut unit), 1);
        assert_eq!(names(&unit.cfg).len(), 2);
    }

    #[test]
    fn dead_end_finally_stays_up_to_3_9() {
        // 3.8's bare `except:` ends in a dead END_FINALLY.
        let src = "def f(a):\n    try:\n        a()\n    except:\n        a = 5\n    return a\n";
        let Some(pyc) = compile((3, 8), src) else {
            return;
        };
        let mut unit = open(&pyc, "f");
        assert!(unit.cfg.reachable().len() < unit.cfg.layout.len());
        assert_eq!(run(&RemoveUnreachable, &mut unit), 0);
        assert!(names(&unit.cfg).concat().contains(&"END_FINALLY"));
    }

    #[test]
    fn handlers_reached_through_the_exception_table_stay() {
        let src = "def f(a):\n    try:\n        a()\n    except Exception:\n        return 1\n";
        let Some(pyc) = compile((3, 12), src) else {
            return;
        };
        let mut unit = open(&pyc, "f");
        assert_eq!(run(&RemoveUnreachable, &mut unit), 0);
        // `try: pass` leaves a handler nothing leads to.
        let src = "def f():\n    try:\n        pass\n    except Exception:\n        return 1\n";
        let Some(pyc) = compile((3, 12), src) else {
            return;
        };
        let mut unit = open(&pyc, "f");
        let before = unit.cfg.instruction_count();
        assert!(run(&RemoveUnreachable, &mut unit) > 0);
        assert!(unit.cfg.instruction_count() < before);
        let flat = names(&unit.cfg).concat();
        assert!(!flat.contains(&"PUSH_EXC_INFO"));
    }
}
