//! `remove-dead-pairs`: a value pushed only to be popped again goes, with its pop.
//!
//! A pure push is `LOAD_CONST`, `COPY 1` / `DUP_TOP`, or `LOAD_FAST x` where `x` is
//! certainly bound: from 3.12 a plain `LOAD_FAST` (not `LOAD_FAST_CHECK`) says so,
//! since the compiler proved it; before, a `LOAD_FAST` of an unbound local raises
//! `UnboundLocalError`, so the definite-assignment analysis must prove it (and up to
//! 3.10, where handlers hang off `SETUP_*` and a `del x` in a `try` body could unbind
//! `x` before the handler runs, only locals never deleted anywhere count).
//!
//! Pairs are found:
//! - within a block: the push, any number of `NOP`s, then `POP_TOP`;
//! - at a join (CPython 3.12/3.13 leave `LOAD_CONST None` / `POP_TOP` there): a block
//!   that starts (after `NOP`s) with `POP_TOP`, entered only by fall-through or
//!   unconditional jumps from blocks whose last instruction before that jump (after
//!   `NOP`s) is a pure push. The pop and every push go.
//!
//! Removed instructions become `NOP`s keeping their lines, dropped again where another
//! instruction raises the same line events.

use pycopt_core::analysis::DefiniteAssignment;
use pycopt_core::cfg::{BlockId, Cfg, EdgeKind, Scan};
use pycopt_core::codegen::Unit;
use pycopt_core::opcode::{ArgKind, OpInfo};
use pycopt_core::PyVersion;

use super::{drop_nops, jump_shape, make_nop, op, JumpShape};
use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct RemoveDeadPairs;

impl Pass for RemoveDeadPairs {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "remove-dead-pairs",
            description: "removes pure pushes that are popped at once (LOAD_CONST; POP_TOP ...)",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let cfg = &mut unit.cfg;
        let v = cfg.version;
        let (Some(nop), Some(pop_top)) = (op(v, "NOP"), op(v, "POP_TOP")) else {
            return Ok(0);
        };
        let mut pure = Purity::of(cfg.version);
        let mut changes = 0;
        // Within blocks.
        for b in cfg.layout.clone() {
            let mut found = false;
            let mut k = 0;
            while k < cfg.block(b).instrs.len() {
                let instrs = &cfg.block(b).instrs;
                if instrs[k].op.code != pop_top.code {
                    k += 1;
                    continue;
                }
                let Some(p) = (0..k).rev().find(|&p| !instrs[p].op.flow.nop) else {
                    k += 1;
                    continue;
                };
                if !pure.is_pure_push(cfg, b, p) {
                    k += 1;
                    continue;
                }
                let block = &mut cfg.graph[b];
                make_nop(&mut block.instrs[p], nop);
                make_nop(&mut block.instrs[k], nop);
                changes += 1;
                found = true;
                k += 1;
            }
            if found {
                drop_nops(cfg, b);
                pure.invalidate();
            }
        }
        // At joins.
        for b in cfg.layout.clone() {
            if b == cfg.entry || !cfg.graph.contains_node(b) {
                continue;
            }
            let instrs = &cfg.block(b).instrs;
            let Some(k) = instrs.iter().position(|i| !i.op.flow.nop) else {
                continue;
            };
            if instrs[k].op.code != pop_top.code {
                continue;
            }
            let preds: Vec<(EdgeKind, BlockId)> = cfg.predecessors(b).collect();
            if preds.is_empty() {
                continue;
            }
            let mut pushes = Vec::new();
            let ib = cfg.layout.iter().position(|&x| x == b);
            for &(kind, p) in &preds {
                // A backward jump checks for interrupts: something could raise between
                // the push and the pop.
                let forward = cfg.layout.iter().position(|&x| x == p) < ib;
                if p == b || preds.iter().filter(|(_, q)| *q == p).count() > 1 {
                    pushes.clear();
                    break;
                }
                let pi = &cfg.block(p).instrs;
                let end = match kind {
                    EdgeKind::Fallthrough => pi.len(),
                    EdgeKind::Jump
                        if forward
                            && pi
                                .last()
                                .is_some_and(|j| jump_shape(j.op) == JumpShape::Uncond) =>
                    {
                        pi.len() - 1
                    }
                    _ => {
                        pushes.clear();
                        break;
                    }
                };
                match (0..end).rev().find(|&q| !pi[q].op.flow.nop) {
                    Some(q) if pure.is_pure_push(cfg, p, q) => pushes.push((p, q)),
                    _ => {
                        pushes.clear();
                        break;
                    }
                }
            }
            if pushes.len() != preds.len() {
                continue;
            }
            make_nop(&mut cfg.graph[b].instrs[k], nop);
            for &(p, q) in &pushes {
                make_nop(&mut cfg.graph[p].instrs[q], nop);
            }
            for &(p, _) in &pushes {
                drop_nops(cfg, p);
            }
            drop_nops(cfg, b);
            pure.invalidate();
            changes += 1;
        }
        Ok(changes)
    }

    /// Some `POP_TOP` follows (after `NOP`s) a push that may be pure in its block,
    /// or starts a block whose every way in comes right after such a push.
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        let v = scan.version;
        let Some(pop_top) = op(v, "POP_TOP") else {
            return false;
        };
        let purity = Purity::of(v);
        let may_be_pure = |k: usize| purity.pushes_only(scan.instrs[k].op, scan.instrs[k].arg);
        // The last instruction before `end` in block `n` that is not a NOP.
        let before = |n: usize, end: usize| {
            (scan.block(n).start..end)
                .rev()
                .find(|&q| !scan.instrs[q].op.flow.nop)
        };
        (0..scan.block_count()).any(|n| {
            let range = scan.block(n);
            let mut first = true;
            for k in range.clone() {
                let ins = &scan.instrs[k];
                if ins.op.flow.nop {
                    continue;
                }
                if ins.op.code == pop_top.code {
                    if before(n, k).is_some_and(may_be_pure) {
                        return true;
                    }
                    if first && n > 0 && join_may_pair(scan, n, &before, &may_be_pure) {
                        return true;
                    }
                }
                first = false;
            }
            false
        })
    }
}

/// Whether every way into block `n` of `scan` (which starts with `POP_TOP`) comes
/// by fall-through or a forward unconditional jump right after a push that may be
/// pure.
fn join_may_pair(
    scan: &Scan<'_>,
    n: usize,
    before: &dyn Fn(usize, usize) -> Option<usize>,
    may_be_pure: &dyn Fn(usize) -> bool,
) -> bool {
    let mut any = false;
    for p in 0..scan.block_count() {
        for (kind, to) in scan.successors(p) {
            if to != n {
                continue;
            }
            any = true;
            let range = scan.block(p);
            let end = match kind {
                EdgeKind::Fallthrough => range.end,
                EdgeKind::Jump
                    if p < n && jump_shape(scan.instrs[range.end - 1].op) == JumpShape::Uncond =>
                {
                    range.end - 1
                }
                _ => return false,
            };
            if !before(p, end).is_some_and(may_be_pure) {
                return false;
            }
        }
    }
    any
}

/// Which pushes are pure, with the definite-assignment facts computed on demand.
struct Purity {
    version: PyVersion,
    load_const: Option<&'static OpInfo>,
    load_fast: Option<&'static OpInfo>,
    copy: Option<&'static OpInfo>,
    dup_top: Option<&'static OpInfo>,
    delete_fast: Option<&'static OpInfo>,
    definite: Option<DefiniteAssignment>,
}

impl Purity {
    fn of(v: PyVersion) -> Purity {
        Purity {
            version: v,
            load_const: op(v, "LOAD_CONST"),
            load_fast: op(v, "LOAD_FAST"),
            copy: op(v, "COPY"),
            dup_top: op(v, "DUP_TOP"),
            delete_fast: op(v, "DELETE_FAST"),
            definite: None,
        }
    }

    fn invalidate(&mut self) {
        self.definite = None;
    }

    /// Whether opcode `op` with argument `arg` pushes one value and does nothing
    /// else, provided the local a `LOAD_FAST` reads is bound: `LOAD_CONST`,
    /// `DUP_TOP`, `COPY 1`, `LOAD_FAST`.
    fn pushes_only(&self, op: &OpInfo, arg: u32) -> bool {
        let is = |o: Option<&'static OpInfo>| o.is_some_and(|o| o.code == op.code);
        is(self.load_const)
            || is(self.dup_top)
            || (is(self.copy) && arg == 1)
            || (is(self.load_fast) && op.arg_kind == ArgKind::Local)
    }

    /// Whether instruction `k` of block `b` pushes one value and does nothing else.
    fn is_pure_push(&mut self, cfg: &Cfg, b: BlockId, k: usize) -> bool {
        let ins = &cfg.block(b).instrs[k];
        if !self.pushes_only(ins.op, ins.arg) {
            return false;
        }
        if self.load_fast.is_none_or(|o| o.code != ins.op.code) {
            return true;
        }
        if self.version.at_least(PyVersion::V3_12) {
            return true;
        }
        let x = ins.arg;
        if !self.version.at_least(PyVersion::V3_11) {
            let deleted = cfg.layout.iter().any(|&c| {
                cfg.block(c)
                    .instrs
                    .iter()
                    .any(|i| self.delete_fast.is_some_and(|d| d.code == i.op.code) && i.arg == x)
            });
            if deleted {
                return false;
            }
        }
        let da = self
            .definite
            .get_or_insert_with(|| DefiniteAssignment::compute(cfg));
        da.converged()
            && da
                .before_each(cfg, b)
                .is_some_and(|s| s.get(k).is_some_and(|set| set.contains(x)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::testing::*;

    #[test]
    fn pure_pushes_by_version() {
        let v = PyVersion::V3_12;
        let cfg = graph(
            v,
            &[&[
                ("LOAD_CONST", 0, 1),
                ("COPY", 1, 1),
                ("COPY", 2, 1),
                ("LOAD_FAST", 0, 1),
                ("LOAD_FAST_CHECK", 0, 1),
                ("LOAD_GLOBAL", 0, 1),
            ]],
            &[],
        );
        let mut p = Purity::of(cfg.version);
        let b = cfg.entry;
        let got: Vec<bool> = (0..6).map(|k| p.is_pure_push(&cfg, b, k)).collect();
        assert_eq!(got, [true, true, false, true, false, false]);

        // 3.11: LOAD_FAST of an argument is bound, of another local not.
        let v = PyVersion::V3_11;
        let mut cfg = graph(
            v,
            &[&[
                ("LOAD_FAST", 0, 1),
                ("LOAD_FAST", 1, 1),
                ("RETURN_VALUE", 0, 1),
            ]],
            &[],
        );
        cfg.frame.arguments = 1;
        cfg.frame.kinds = vec![0x20, 0x20];
        let mut p = Purity::of(cfg.version);
        let b = cfg.entry;
        assert!(p.is_pure_push(&cfg, b, 0));
        assert!(!p.is_pure_push(&cfg, b, 1));
    }
}
