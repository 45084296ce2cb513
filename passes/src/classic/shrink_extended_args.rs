//! `shrink-extended-args`: no instruction keeps more `EXTENDED_ARG` prefixes than its
//! argument needs.
//!
//! Code generation writes the number an argument needs, and keeps an input's
//! redundant prefixes (3.8/3.9's peephole leaves `EXTENDED_ARG 0`s after shrinking
//! code) only while the instruction's `prefixes` field asks for them. This pass clears
//! that field wherever it is more than the argument needs, and counts those
//! instructions. A jump's final argument is only known at code generation, which
//! then writes what it needs.

use pycopt_core::cfg::Scan;
use pycopt_core::codegen::Unit;
use pycopt_core::instr::prefixes_needed;

use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct ShrinkExtendedArgs;

impl Pass for ShrinkExtendedArgs {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "shrink-extended-args",
            description: "drops EXTENDED_ARG prefixes an argument does not need",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let v = unit.version();
        let mut changes = 0;
        for b in unit.cfg.layout.clone() {
            for ins in &mut unit.cfg.graph[b].instrs {
                if ins.prefixes > 0 && ins.prefixes > prefixes_needed(ins.arg, v) {
                    ins.prefixes = 0;
                    changes += 1;
                }
            }
        }
        Ok(changes)
    }

    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        scan.instrs
            .iter()
            .any(|i| i.prefixes > 0 && i.prefixes > prefixes_needed(i.arg, scan.version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::testing::*;

    #[test]
    fn only_prefixes_beyond_the_need_go() {
        let Some(pyc) = compile((3, 9), "x = 1\n") else {
            return;
        };
        let mut unit = open(&pyc, "<module>");
        let b = unit.cfg.entry;
        let first = &mut unit.cfg.graph[b].instrs[0];
        assert_eq!(first.op.name, "LOAD_CONST");
        first.prefixes = 2; // EXTENDED_ARG 0; EXTENDED_ARG 0; LOAD_CONST 0
        assert_eq!(run(&ShrinkExtendedArgs, &mut unit), 1);
        assert_eq!(unit.cfg.block(b).instrs[0].prefixes, 0);
        unit.cfg.graph[b].instrs[0].arg = 300;
        unit.cfg.graph[b].instrs[0].prefixes = 1; // needed
        assert_eq!(ShrinkExtendedArgs.run(&mut unit, &ctx()).unwrap(), 0);
    }

    fn ctx() -> Context<'static> {
        static OPTIONS: std::sync::OnceLock<crate::Options> = std::sync::OnceLock::new();
        static FACTS: std::sync::OnceLock<crate::FileFacts> = std::sync::OnceLock::new();
        Context::new(
            OPTIONS.get_or_init(Default::default),
            FACTS.get_or_init(Default::default),
            pycopt_core::PyVersion::V3_9,
        )
    }
}
