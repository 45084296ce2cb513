//! `remove-nops`: `NOP`s go unless one is the only instruction raising a line event.
//!
//! The rule is [`nop_removable`](super::nop_removable)'s: a `NOP` goes when the
//! instruction always run just before it, or just after it, has its line (3.10+:
//! PEP 626 events are raised when the line changes; up to 3.9 when a `co_lnotab`
//! range starts, so a `NOP` ending a block may only hand its line to a next block
//! that nothing else jumps to). A `NOP` with no line goes under the same rule (its
//! neighbour must have no line either): no instruction ever gains a line it did not
//! have. Blocks left empty are removed, their edges passed on.

use pycopt_core::cfg::Scan;
use pycopt_core::codegen::Unit;

use super::{drop_nops, remove_empty_blocks};
use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct RemoveNops;

impl Pass for RemoveNops {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "remove-nops",
            description: "removes NOPs that are not the only carrier of a line event",
            changes_control_flow: true,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let cfg = &mut unit.cfg;
        let mut changes = 0;
        for b in cfg.layout.clone() {
            changes += drop_nops(cfg, b);
        }
        // A NOP that ended a block may go once the block after it is known.
        if changes > 0 {
            remove_empty_blocks(cfg);
            for b in cfg.layout.clone() {
                changes += drop_nops(cfg, b);
            }
        }
        remove_empty_blocks(cfg);
        Ok(changes)
    }

    /// Some `NOP` has the line of the instruction before or after it (what
    /// [`nop_removable`](super::nop_removable) asks, without its block conditions).
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        if !scan.instrs.iter().any(|i| i.op.flow.nop) {
            return false;
        }
        let Ok(positions) = scan.positions() else {
            return true;
        };
        let line = |k: usize| positions.get(k).map(|p| p.line);
        scan.instrs.iter().enumerate().any(|(k, i)| {
            i.op.flow.nop
                && ((k > 0 && line(k - 1) == line(k))
                    || (k + 1 < scan.instrs.len() && line(k + 1) == line(k)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::testing::*;
    use pycopt_core::cfg::EdgeKind::*;
    use pycopt_core::PyVersion;

    #[test]
    fn a_block_of_one_redundant_nop_disappears() {
        let mut cfg = graph(
            PyVersion::V3_11,
            &[
                &[("LOAD_FAST", 0, 1), ("POP_JUMP_FORWARD_IF_FALSE", 0, 1)],
                &[("NOP", 0, 2)],
                &[("LOAD_CONST", 0, 2), ("RETURN_VALUE", 0, 2)],
            ],
            &[(0, 1, Fallthrough), (0, 2, Jump), (1, 2, Fallthrough)],
        );
        let cfg2 = &mut cfg;
        for b in cfg2.layout.clone() {
            drop_nops(cfg2, b);
        }
        remove_empty_blocks(cfg2);
        assert_eq!(names(&cfg).len(), 2);
        let l = cfg.layout.clone();
        assert_eq!(cfg.fallthrough(l[0]), Some(l[1]));
        assert_eq!(cfg.jump_target(l[0]), Some(l[1]));
    }

    #[test]
    fn the_only_carrier_of_a_line_stays() {
        let mut cfg = graph(
            PyVersion::V3_12,
            &[&[("NOP", 0, 1), ("NOP", 0, 2), ("RETURN_CONST", 0, 3)]],
            &[],
        );
        let b = cfg.entry;
        assert_eq!(drop_nops(&mut cfg, b), 0);
    }
}
