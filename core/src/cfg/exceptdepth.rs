//! The depth of the compiler's exception-handler stack at each block (3.11+).
//!
//! CPython's compiler keeps a stack of active handlers while it labels exception
//! targets (`label_exception_targets` in `flowgraph.c`): `SETUP_FINALLY`,
//! `SETUP_CLEANUP` and `SETUP_WITH` push one, `POP_BLOCK` pops it, and the handler of
//! an instruction is the top. Two opargs record the stack's *size* at a yield, which
//! `generator.close()` reads (a yield inside only the implicit generator wrapper
//! needs no `GeneratorExit` thrown in): 3.12's `YIELD_VALUE` oparg, and 3.13's bit
//! `RESUME_OPARG_DEPTH1_MASK` (4) on the `RESUME` after a yield. Final bytecode has
//! lost the `SETUP`s, so the size is rebuilt from the graph's exception edges:
//!
//! * an instruction with handler `X` runs with the stack `S_X + [X]`, where `S_X` is
//!   the stack `X` was pushed onto, and the code of `X` starts with `S_X` again; so
//!   `size(X) = 1 + |S_X|`;
//! * if the first instruction of `X` has no handler, `S_X` is empty;
//! * if it has handler `Y` and `Y` was pushed *at the start of `X`* (an `except` or
//!   `with` handler sets up its cleanup handler before `PUSH_EXC_INFO`), then `Y`
//!   was pushed onto `S_X` too and `size(X) = size(Y)`; otherwise `Y` is the top of
//!   `S_X` and `size(X) = 1 + size(Y)`;
//! * the two cases differ in `Y`'s depth: a handler pushed at the start of `X` keeps
//!   the stack `X` starts with (`depth + lasti + 1` of `X`'s entries), while the top
//!   of `S_X` was pushed before `X` and keeps a strictly smaller depth.
//!
//! This reproduces CPython's value for every installed 3.12 and 3.13 code object
//! (`core/tests/codegen_invariants.rs`).

use std::collections::HashMap;

use super::{BlockId, Cfg, EdgeKind};

/// For every block of `cfg`'s layout, how many handlers the compiler's exception
/// stack holds while its instructions run (0 outside any handler; on 3.12+ a
/// generator's body is at least 1, inside the implicit wrapper). Always 0 before 3.11,
/// whose graphs have no exception edges.
pub fn handler_nesting(cfg: &Cfg) -> HashMap<BlockId, u32> {
    let handler = |b: BlockId| {
        cfg.successors(b).find_map(|(k, to)| match k {
            EdgeKind::Exception { depth, .. } => Some((to, depth)),
            _ => None,
        })
    };
    // The stack depth each handler block starts with.
    let mut entry: HashMap<BlockId, u32> = HashMap::new();
    for &b in &cfg.layout {
        for (k, to) in cfg.successors(b) {
            if let EdgeKind::Exception { depth, lasti } = k {
                let d = depth.saturating_add(u32::from(lasti) + 1);
                entry
                    .entry(to)
                    .and_modify(|e| *e = (*e).min(d))
                    .or_insert(d);
            }
        }
    }
    // size(X) for each handler block X, memoized; a cycle of handlers (never compiled)
    // counts as 1 where it closes.
    let mut size: HashMap<BlockId, u32> = HashMap::new();
    let mut open: Vec<BlockId> = Vec::new();
    let mut size_of = |x: BlockId| -> u32 {
        // Walk the chain of first-instruction handlers, then fold it back.
        let mut chain: Vec<(BlockId, bool)> = Vec::new();
        let mut at = x;
        let base = loop {
            if let Some(&s) = size.get(&at) {
                break s;
            }
            if open.contains(&at) {
                break 1;
            }
            open.push(at);
            match handler(at) {
                None => {
                    chain.push((at, false));
                    break 0;
                }
                Some((y, y_depth)) => {
                    let pushed_here = entry.get(&at).is_some_and(|&e| y_depth >= e);
                    chain.push((at, pushed_here));
                    at = y;
                }
            }
        };
        let mut s = base;
        for &(b, pushed_here) in chain.iter().rev() {
            if !pushed_here {
                s += 1;
            }
            size.insert(b, s);
        }
        open.clear();
        size[&x]
    };
    cfg.layout
        .iter()
        .map(|&b| (b, handler(b).map_or(0, |(h, _)| size_of(h))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::PyVersion;

    fn exc(depth: u32, lasti: bool) -> EdgeKind {
        EdgeKind::Exception { depth, lasti }
    }

    /// A 3.12 generator: body (0) in the wrapper W (4); a `try` body (1) with handler
    /// H (2), whose code starts under its cleanup C (3), itself under W.
    #[test]
    fn try_except_in_a_generator() {
        let g = Cfg::from_edges(
            PyVersion::V3_12,
            5,
            &[
                (0, 1, EdgeKind::Fallthrough),
                (0, 4, exc(0, true)),
                (1, 2, exc(0, false)),
                (2, 3, exc(1, true)),
                (3, 4, exc(0, true)),
            ],
        );
        let n = handler_nesting(&g);
        let b = &g.layout;
        assert_eq!(n[&b[0]], 1, "only the wrapper");
        assert_eq!(n[&b[1]], 2, "wrapper + try");
        assert_eq!(n[&b[2]], 2, "the handler's cleanup replaced the try");
        assert_eq!(n[&b[3]], 1);
        assert_eq!(n[&b[4]], 0);
    }

    #[test]
    fn a_handler_cycle_ends() {
        let g = Cfg::from_edges(
            PyVersion::V3_12,
            2,
            &[(0, 1, exc(0, false)), (1, 0, exc(0, false))],
        );
        let n = handler_nesting(&g);
        assert!(n[&g.layout[0]] >= 1);
    }
}
