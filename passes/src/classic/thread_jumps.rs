//! `thread-jumps`: jumps to jumps go straight to the final target, jumps to the next
//! block become fall-through, and (3.10+) a jump to a one-instruction return, or to a
//! return block nothing else reaches, takes the return's place.
//!
//! Threading `B: J -> T: JUMP F` into `B: J -> F` is done when:
//! - `J` is an unconditional jump or a `POP_JUMP_*`/`JUMP_IF_*` (never `FOR_ITER`,
//!   `SEND`, `SETUP_*`, `CALL_FINALLY` or a `*_NO_INTERRUPT` jump), and `T` holds only
//!   an unconditional jump that is not `*_NO_INTERRUPT`. Since `T` does nothing else,
//!   the stack and (up to 3.10) the block stack at `F` are the same either way;
//! - `T` lies after `B` (`J -> T` is a forward jump, which raises no event by itself);
//! - if `T` jumps backward it is a loop's back edge, which checks for interrupts:
//!   then `J` must be unconditional and become a backward jump itself (so it checks
//!   them), with the same 3.11+ handler as `T` (where a `KeyboardInterrupt` lands).
//!   Otherwise `F` lies after `T`, so `J` stays forward (3.12+ conditional jumps can
//!   only go forward);
//! - line events stay: 3.10+, `T`'s jump has `J`'s line (CPython 3.12 refuses other
//!   lines for this reason: the skipped line's event would be lost); up to 3.9, `T`
//!   does not start a line range. Since `J -> F` goes in the direction `T -> F` did,
//!   the event at `F` (a backward jump raises one) is unchanged.
//!
//! An unconditional jump to the next block in the layout becomes a `NOP` with its
//! line (removed when another instruction raises that line's event).
//!
//! 3.10+: an unconditional forward jump to a block of at most four instructions
//! (`NOP`, `LOAD_CONST`, `LOAD_FAST`, `POP_TOP`) ending in `RETURN_VALUE` or
//! `RETURN_CONST`, with the same handler, is replaced by a copy of that block when the
//! copy does not make the code bigger: the block is a single return, or nothing else
//! reaches it (so it goes). Up to 3.9 CPython's peephole already does this.

use std::collections::HashMap;

use pycopt_core::cfg::{BlockId, Cfg, EdgeKind, Scan};
use pycopt_core::codegen::Unit;
use pycopt_core::opcode::OpInfo;

use super::{
    drop_nops, handler_of, jump_shape, layout_index, layout_next, line_before, lnotab_events,
    make_nop, op, remove_edge, remove_empty_blocks, JumpShape,
};
use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct ThreadJumps;

/// Most rewrites one run makes on one code object (a guard against cycles).
const MAX_STEPS: usize = 100_000;

impl Pass for ThreadJumps {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "thread-jumps",
            description:
                "threads jumps to jumps, drops jumps to the next block, copies tiny returns",
            changes_control_flow: true,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let cfg = &mut unit.cfg;
        let Some(nop) = op(cfg.version, "NOP") else {
            return Ok(0);
        };
        let mut changes = remove_empty_blocks(cfg);
        let mut steps = 0;
        loop {
            let mut changed = false;
            let mut index = layout_index(cfg);
            for b in cfg.layout.clone() {
                if !cfg.graph.contains_node(b) {
                    continue;
                }
                while steps < MAX_STEPS {
                    let done = step(cfg, b, &index, nop);
                    if !done {
                        break;
                    }
                    steps += 1;
                    changes += 1;
                    changed = true;
                    if remove_empty_blocks(cfg) > 0 {
                        index = layout_index(cfg);
                    }
                    if !cfg.graph.contains_node(b) {
                        break;
                    }
                }
            }
            if !changed || steps >= MAX_STEPS {
                break;
            }
        }
        Ok(changes)
    }

    /// Some block ends in a jump to the next block, to a block that only jumps, or
    /// (3.10+) to a small return block; from 3.10 the line conditions of
    /// [`step`] are checked too (positions are read only when a candidate is found).
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        let t = scan.table();
        let lnotab = lnotab_events(scan.version);
        // (jump's instruction, target block, jump to a jump?)
        let mut candidates = Vec::new();
        for n in 0..scan.block_count() {
            let j = scan.block(n).end - 1;
            let last = &scan.instrs[j];
            let shape = jump_shape(last.op);
            if shape == JumpShape::Other {
                continue;
            }
            let Some(to) = last.jump_target(t).and_then(|o| scan.index_of(o)) else {
                continue;
            };
            let target = scan.block_of(to);
            if shape == JumpShape::Uncond && target == n + 1 {
                return true;
            }
            if target <= n {
                continue;
            }
            let body = &scan.instrs[scan.block(target)];
            if body.len() == 1 && jump_shape(body[0].op) == JumpShape::Uncond {
                candidates.push((j, target, true));
            } else if shape == JumpShape::Uncond
                && !lnotab
                && small_return(body.iter().map(|i| i.op))
            {
                candidates.push((j, target, false));
            }
        }
        if candidates.is_empty() {
            return false;
        }
        if lnotab {
            return true;
        }
        let Ok(pos) = scan.positions() else {
            return true;
        };
        let line = |k: usize| pos[k].line;
        candidates.into_iter().any(|(j, target, to_jump)| {
            let t_start = scan.block(target).start;
            if to_jump {
                return line(t_start) == line(j);
            }
            if scan.handlers[j] != scan.handlers[t_start] {
                return false;
            }
            let b = scan.block_of(j);
            let only_pred = (0..scan.block_count()).all(|p| {
                scan.successors(p)
                    .all(|(kind, to)| to != target || (p == b && kind == EdgeKind::Jump))
            });
            let nop_goes =
                line(t_start) == line(j) || (j > scan.block(b).start && line(j - 1) == line(j));
            only_pred || (scan.block(target).len() == 1 && nop_goes)
        })
    }
}

/// One rewrite of block `b`'s final jump; whether anything changed.
fn step(
    cfg: &mut Cfg,
    b: BlockId,
    index: &HashMap<BlockId, usize>,
    nop: &'static pycopt_core::opcode::OpInfo,
) -> bool {
    let Some(j) = cfg.block(b).instrs.last() else {
        return false;
    };
    let shape = jump_shape(j.op);
    if shape == JumpShape::Other {
        return false;
    }
    let Some(t) = cfg.jump_target(b) else {
        return false;
    };
    let j_line = j.pos.line;
    let n = cfg.block(b).instrs.len();

    // A jump to the next block.
    if shape == JumpShape::Uncond && layout_next(cfg, b) == Some(t) {
        make_nop(&mut cfg.graph[b].instrs[n - 1], nop);
        remove_edge(cfg, b, t, EdgeKind::Jump);
        cfg.graph.add_edge(b, t, EdgeKind::Fallthrough);
        drop_nops(cfg, b);
        return true;
    }

    let (Some(&ib), Some(&it)) = (index.get(&b), index.get(&t)) else {
        return false;
    };
    if it <= ib {
        return false;
    }
    let t_instrs = &cfg.block(t).instrs;

    // A jump to a jump.
    if t_instrs.len() == 1 && jump_shape(t_instrs[0].op) == JumpShape::Uncond {
        let Some(f) = cfg.jump_target(t) else {
            return false;
        };
        let Some(&iff) = index.get(&f) else {
            return false;
        };
        if f == t {
            return false;
        }
        let t_back = iff <= it;
        if t_back
            && (shape != JumpShape::Uncond || iff > ib || handler_of(cfg, b) != handler_of(cfg, t))
        {
            return false;
        }
        let lines_ok = if lnotab_events(cfg.version) {
            line_before(cfg, t) == Some(t_instrs[0].pos.line)
        } else {
            t_instrs[0].pos.line == j_line
        };
        if !lines_ok {
            return false;
        }
        remove_edge(cfg, b, t, EdgeKind::Jump);
        cfg.graph.add_edge(b, f, EdgeKind::Jump);
        cfg.graph[b].instrs[n - 1].prefixes = 0;
        return true;
    }

    // A jump to a small return block (3.10+).
    if shape == JumpShape::Uncond && !lnotab_events(cfg.version) && is_return_block(cfg, t) {
        let only_pred = cfg
            .predecessors(t)
            .all(|(k, p)| p == b && k == EdgeKind::Jump);
        // Not bigger: the jump's NOP must go too unless the block it copies goes.
        let nop_goes = t_instrs[0].pos.line == j_line
            || (n >= 2 && cfg.block(b).instrs[n - 2].pos.line == j_line);
        if !(only_pred || (t_instrs.len() == 1 && nop_goes))
            || handler_of(cfg, b) != handler_of(cfg, t)
        {
            return false;
        }
        let copy: Vec<_> = t_instrs
            .iter()
            .map(|i| {
                let mut c = i.clone();
                c.prefixes = 0;
                c.offset = None;
                c
            })
            .collect();
        make_nop(&mut cfg.graph[b].instrs[n - 1], nop);
        cfg.graph[b].instrs.extend(copy);
        remove_edge(cfg, b, t, EdgeKind::Jump);
        if only_pred {
            cfg.graph.remove_node(t);
            cfg.layout.retain(|&x| x != t);
        }
        drop_nops(cfg, b);
        return true;
    }
    false
}

/// Whether `t` is at most four instructions that only load, pop and return, with no
/// way out but the return.
fn is_return_block(cfg: &Cfg, t: BlockId) -> bool {
    small_return(cfg.block(t).instrs.iter().map(|i| i.op))
        && cfg
            .successors(t)
            .all(|(k, _)| matches!(k, EdgeKind::Exception { .. }))
}

/// Whether the opcodes are at most four that only load and pop, then return.
fn small_return<'a>(ops: impl ExactSizeIterator<Item = &'a OpInfo>) -> bool {
    let n = ops.len();
    if n == 0 || n > 4 {
        return false;
    }
    ops.enumerate().all(|(k, op)| {
        if k + 1 == n {
            matches!(op.name, "RETURN_VALUE" | "RETURN_CONST")
        } else {
            op.flow.nop || matches!(op.name, "LOAD_CONST" | "LOAD_FAST" | "POP_TOP")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::testing::*;
    use pycopt_core::PyVersion;
    use EdgeKind::*;

    fn run(cfg: &mut Cfg) -> usize {
        let nop = op(cfg.version, "NOP").unwrap();
        let mut n = 0;
        for b in cfg.layout.clone() {
            if !cfg.graph.contains_node(b) {
                continue;
            }
            let index = layout_index(cfg);
            while step(cfg, b, &index, nop) {
                n += 1;
                remove_empty_blocks(cfg);
                if !cfg.graph.contains_node(b) {
                    break;
                }
            }
        }
        n
    }

    #[test]
    fn forward_chain_is_threaded_on_the_same_line() {
        // 0: cond jump -> 2; 1: ...; 2: JUMP_FORWARD -> 3; 3: return
        let mut cfg = graph(
            PyVersion::V3_12,
            &[
                &[("LOAD_FAST", 0, 1), ("POP_JUMP_IF_FALSE", 0, 1)],
                &[("RETURN_CONST", 0, 2)],
                &[("JUMP_FORWARD", 0, 1)],
                &[("RETURN_CONST", 0, 3)],
            ],
            &[(0, 1, Fallthrough), (0, 2, Jump), (2, 3, Jump)],
        );
        let l = cfg.layout.clone();
        // Block 2, now dead, then jumps to its next block: a fall-through.
        assert_eq!(run(&mut cfg), 2);
        assert_eq!(cfg.jump_target(l[0]), Some(l[3]));
    }

    #[test]
    fn a_jump_on_another_line_is_not_skipped() {
        let mut cfg = graph(
            PyVersion::V3_12,
            &[
                &[("LOAD_FAST", 0, 1), ("POP_JUMP_IF_FALSE", 0, 1)],
                &[("RETURN_CONST", 0, 2)],
                &[("JUMP_FORWARD", 0, 7)],
                &[("RETURN_CONST", 0, 3)],
                &[("RETURN_CONST", 0, 4)],
            ],
            &[(0, 1, Fallthrough), (0, 2, Jump), (2, 4, Jump)],
        );
        let l = cfg.layout.clone();
        run(&mut cfg);
        assert_eq!(cfg.jump_target(l[0]), Some(l[2]));
    }

    #[test]
    fn conditional_jump_is_not_threaded_into_a_back_edge() {
        // 0: loop head; 1: cond jump -> 3; 2: body; 3: JUMP_BACKWARD -> 0
        let mut cfg = graph(
            PyVersion::V3_12,
            &[
                &[("NOP", 0, 1)],
                &[("LOAD_FAST", 0, 1), ("POP_JUMP_IF_FALSE", 0, 1)],
                &[("RETURN_CONST", 0, 2)],
                &[("JUMP_BACKWARD", 0, 1)],
            ],
            &[
                (0, 1, Fallthrough),
                (1, 2, Fallthrough),
                (1, 3, Jump),
                (3, 0, Jump),
            ],
        );
        assert_eq!(run(&mut cfg), 0);
    }

    #[test]
    fn unconditional_jump_into_a_back_edge_becomes_the_back_edge() {
        // 0: head; 1: JUMP_FORWARD -> 3 (line 2); 2: return; 3: JUMP_BACKWARD -> 0 (line 2)
        let mut cfg = graph(
            PyVersion::V3_12,
            &[
                &[("NOP", 0, 1)],
                &[("JUMP_FORWARD", 0, 2)],
                &[("RETURN_CONST", 0, 3)],
                &[("JUMP_BACKWARD", 0, 2)],
            ],
            &[(0, 1, Fallthrough), (1, 3, Jump), (3, 0, Jump)],
        );
        let l = cfg.layout.clone();
        assert_eq!(run(&mut cfg), 1);
        assert_eq!(cfg.jump_target(l[1]), Some(l[0]));
    }

    #[test]
    fn jump_to_next_block_becomes_fallthrough_keeping_its_line() {
        let mut cfg = graph(
            PyVersion::V3_11,
            &[
                &[("LOAD_CONST", 0, 1), ("JUMP_FORWARD", 0, 2)],
                &[("RETURN_VALUE", 0, 3)],
            ],
            &[(0, 1, Jump)],
        );
        assert_eq!(run(&mut cfg), 1);
        assert_eq!(
            names(&cfg),
            [vec!["LOAD_CONST", "NOP"], vec!["RETURN_VALUE"]]
        );
        let l = cfg.layout.clone();
        assert_eq!(cfg.fallthrough(l[0]), Some(l[1]));
    }

    #[test]
    fn no_interrupt_jumps_are_left_alone() {
        let mut cfg = graph(
            PyVersion::V3_12,
            &[
                &[("JUMP_FORWARD", 0, 1)],
                &[("RETURN_CONST", 0, 2)],
                &[("JUMP_BACKWARD_NO_INTERRUPT", 0, 1)],
            ],
            &[(0, 2, Jump), (2, 1, Jump)],
        );
        assert_eq!(run(&mut cfg), 0);
    }

    #[test]
    fn single_return_is_copied_from_3_10() {
        // Block 1 jumps (on line 4) to a return on line 4 that block 0 also reaches.
        let blocks: &[&[(&str, u32, i32)]] = &[
            &[("LOAD_FAST", 0, 1), ("POP_JUMP_IF_FALSE", 0, 1)],
            &[
                ("LOAD_FAST", 0, 2),
                ("STORE_FAST", 1, 2),
                ("JUMP_FORWARD", 0, 4),
            ],
            &[("LOAD_CONST", 0, 3), ("RETURN_VALUE", 0, 3)],
            &[("RETURN_VALUE", 0, 4)],
        ];
        let edges = [(0, 1, Fallthrough), (0, 3, Jump), (1, 3, Jump)];
        let mut cfg = graph(PyVersion::V3_10, blocks, &edges);
        assert_eq!(run(&mut cfg), 1);
        assert_eq!(names(&cfg)[1], ["LOAD_FAST", "STORE_FAST", "RETURN_VALUE"]);
        // On another line than the jump, the NOP would stay: no copy.
        let mut other = blocks.to_vec();
        let moved: &[(&str, u32, i32)] = &[("RETURN_VALUE", 0, 5)];
        other[3] = moved;
        let mut cfg = graph(PyVersion::V3_10, &other, &edges);
        assert_eq!(run(&mut cfg), 0);
        // Up to 3.9 the peephole optimizer does this already; not repeated.
        let mut cfg = graph(PyVersion::V3_8, blocks, &edges);
        assert_eq!(run(&mut cfg), 0);
    }
}
