//! `fold-branches`: a conditional jump on a constant becomes an unconditional jump or
//! nothing.
//!
//! Recognized, within one block, in every version's spelling:
//! - `LOAD_CONST c; POP_JUMP_IF_TRUE/FALSE` (3.11: `POP_JUMP_FORWARD/BACKWARD_IF_*`;
//!   3.13: `LOAD_CONST c; TO_BOOL; POP_JUMP_IF_*`);
//! - `LOAD_CONST c; POP_JUMP_IF_NONE/NOT_NONE` (3.11+), decided for any constant;
//! - `LOAD_CONST c; JUMP_IF_TRUE_OR_POP/JUMP_IF_FALSE_OR_POP` (up to 3.11): taken, the
//!   constant stays on the stack and control jumps; not taken, both go.
//!
//! The truth of `c` must follow from its value alone ([`Constant::truth`]; code objects
//! and other opaque constants are left). Removed instructions become `NOP`s that keep
//! their lines until [`drop_nops`](super::drop_nops) shows another instruction raises
//! the same line event. The edge not taken is removed; what it led to may become
//! unreachable (`remove-unreachable` runs next).
//!
//! [`Constant::truth`]: pycopt_core::constant::Constant::truth

use pycopt_core::cfg::{EdgeKind, Scan};
use pycopt_core::codegen::Unit;
use pycopt_core::constant::Constant;
use pycopt_core::opcode::{ArgKind, OpInfo};

use super::{drop_nops, jump_shape, make_nop, op, remove_edge, JumpShape};
use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct FoldBranches;

/// What a conditional jump tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test {
    /// Jumps when the value is true (`want` = true) or false.
    Truth { want: bool },
    /// Jumps when the value is `None` (`want` = true) or not.
    IsNone { want: bool },
}

/// The test of a conditional jump and whether it pops its operand on both edges
/// (`POP_JUMP_*`) or only when falling through (`JUMP_IF_*_OR_POP`).
fn test_of(name: &str) -> Option<(Test, bool)> {
    let pops = name.starts_with("POP_JUMP");
    if !pops && !name.ends_with("_OR_POP") {
        return None;
    }
    let test = if name.ends_with("IF_NOT_NONE") {
        Test::IsNone { want: false }
    } else if name.ends_with("IF_NONE") {
        Test::IsNone { want: true }
    } else if name.contains("IF_TRUE") {
        Test::Truth { want: true }
    } else if name.contains("IF_FALSE") {
        Test::Truth { want: false }
    } else {
        return None;
    };
    Some((test, pops))
}

impl Pass for FoldBranches {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "fold-branches",
            description: "turns conditional jumps on constants into jumps or nothing",
            changes_control_flow: true,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let v = unit.version();
        let (Some(nop), Some(jump)) = (op(v, "NOP"), op(v, "JUMP_FORWARD")) else {
            return Ok(0);
        };
        let to_bool = op(v, "TO_BOOL");
        let mut changes = 0;
        for b in unit.cfg.layout.clone() {
            let instrs = &unit.cfg.block(b).instrs;
            let Some(found) = constant_test(instrs.len(), |k| instrs[k].op, to_bool) else {
                continue;
            };
            let ConstantTest {
                load_at,
                via_to_bool,
                test,
                pops,
            } = found;
            let n = instrs.len();
            let load = &instrs[load_at];
            let Some(c) = unit.constant(load.arg) else {
                continue;
            };
            let taken = match test {
                Test::Truth { want } => match c.truth() {
                    Some(t) => t == want,
                    None => continue,
                },
                Test::IsNone { want } => (*c == Constant::None) == want,
            };
            let (Some(target), Some(next)) = (unit.cfg.jump_target(b), unit.cfg.fallthrough(b))
            else {
                continue;
            };
            let block = &mut unit.cfg.graph[b];
            if let Some(k) = via_to_bool {
                make_nop(&mut block.instrs[k], nop);
            }
            if taken {
                if pops {
                    make_nop(&mut block.instrs[load_at], nop);
                }
                let j = &mut block.instrs[n - 1];
                let pos = j.pos;
                *j = super::new_instr(jump, 0, pos);
                remove_edge(&mut unit.cfg, b, next, EdgeKind::Fallthrough);
            } else {
                make_nop(&mut block.instrs[load_at], nop);
                make_nop(&mut block.instrs[n - 1], nop);
                remove_edge(&mut unit.cfg, b, target, EdgeKind::Jump);
            }
            drop_nops(&mut unit.cfg, b);
            changes += 1;
        }
        Ok(changes)
    }

    /// Some block ends in a conditional test of a constant loaded just before it.
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        let to_bool = op(scan.version, "TO_BOOL");
        (0..scan.block_count()).any(|n| {
            let range = scan.block(n);
            let at = |k: usize| scan.instrs[range.start + k].op;
            constant_test(range.len(), at, to_bool).is_some()
        })
    }
}

/// A block's final conditional jump on a constant loaded just before it.
struct ConstantTest {
    /// Index of the `LOAD_CONST`.
    load_at: usize,
    /// Index of the 3.13 `TO_BOOL` between the load and the jump, if any.
    via_to_bool: Option<usize>,
    test: Test,
    /// Whether the jump pops its operand on both edges.
    pops: bool,
}

/// Finds, in a block of `len` instructions whose opcodes `op_at` gives, a final
/// conditional jump that tests a value a `LOAD_CONST` just before it pushed (through
/// `to_bool`, the version's `TO_BOOL`, for truth tests).
fn constant_test<'a>(
    len: usize,
    op_at: impl Fn(usize) -> &'a OpInfo,
    to_bool: Option<&OpInfo>,
) -> Option<ConstantTest> {
    let last = op_at(len.checked_sub(1)?);
    if jump_shape(last) != JumpShape::Cond {
        return None;
    }
    let (test, pops) = test_of(last.name)?;
    let mut at = len - 1;
    let mut via_to_bool = None;
    if let (Some(tb), Test::Truth { .. }) = (to_bool, test) {
        if at >= 1 && op_at(at - 1).code == tb.code {
            at -= 1;
            via_to_bool = Some(at);
        }
    }
    if at == 0 {
        return None;
    }
    let load = op_at(at - 1);
    if load.arg_kind != ArgKind::Const || load.name != "LOAD_CONST" {
        return None;
    }
    if via_to_bool.is_some() && !pops {
        return None;
    }
    Some(ConstantTest {
        load_at: at - 1,
        via_to_bool,
        test,
        pops,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::classic::testing::*;
    use pycopt_core::cfg::EdgeKind::*;
    use pycopt_core::PyVersion;

    #[test]
    fn constant_tests_from_source_fold_and_others_stay() {
        let src = "def f(a):\n    x = 'n' if 0 else 'y'\n    if a and 0:\n        return 1\n    \
                   if a:\n        return 2\n    return x\n";
        let Some(pyc) = compile((3, 8), src) else {
            return;
        };
        let mut unit = open(&pyc, "f");
        assert_eq!(run(&FoldBranches, &mut unit), 2);
        let flat: Vec<&str> = names(&unit.cfg).concat();
        // `a and` and `if a` still test; nothing tests a constant any more.
        assert_eq!(
            flat.iter().filter(|n| **n == "POP_JUMP_IF_FALSE").count(),
            2
        );
        assert_eq!(run(&FoldBranches, &mut unit), 0);
    }

    #[test]
    fn to_bool_and_none_tests_on_3_13() {
        let Some(pyc) = compile((3, 13), "a = 0\nb = ()\n") else {
            return;
        };
        let mut unit = open(&pyc, "<module>");
        let zero = const_index(&mut unit, &Constant::Int(0));
        let v = PyVersion::V3_13;
        // 0: LOAD_CONST 0; TO_BOOL; POP_JUMP_IF_TRUE -> 2 / 1: return 0 / 2: return 0
        let mut cfg = graph(
            v,
            &[
                &[
                    ("RESUME", 0, 0),
                    ("LOAD_CONST", zero, 1),
                    ("TO_BOOL", 0, 1),
                    ("POP_JUMP_IF_TRUE", 0, 1),
                ],
                &[("RETURN_CONST", zero, 2)],
                &[("RETURN_CONST", zero, 3)],
            ],
            &[(0, 1, Fallthrough), (0, 2, Jump)],
        );
        cfg.frame = unit.cfg.frame.clone();
        unit.cfg = cfg.clone();
        assert_eq!(run(&FoldBranches, &mut unit), 1);
        let l = unit.cfg.layout.clone();
        assert_eq!(unit.cfg.jump_target(l[0]), None);
        // The test's line 1 has no other instruction: a NOP keeps it.
        assert_eq!(names(&unit.cfg)[0], ["RESUME", "NOP"]);
        // `0 is None` is false: POP_JUMP_IF_NONE falls through, POP_JUMP_IF_NOT_NONE
        // jumps.
        for (name, jumps) in [("POP_JUMP_IF_NONE", false), ("POP_JUMP_IF_NOT_NONE", true)] {
            let mut c = cfg.clone();
            let b0 = c.layout[0];
            c.graph[b0].instrs.remove(2);
            c.graph[b0].instrs[2] = ins(v, name, 0, 1);
            unit.cfg = c;
            assert_eq!(run(&FoldBranches, &mut unit), 1);
            assert_eq!(unit.cfg.jump_target(b0).is_some(), jumps);
            assert_eq!(unit.cfg.fallthrough(b0).is_some(), !jumps);
        }
    }

    #[test]
    fn tests_by_name() {
        assert_eq!(
            test_of("POP_JUMP_IF_FALSE"),
            Some((Test::Truth { want: false }, true))
        );
        assert_eq!(
            test_of("POP_JUMP_BACKWARD_IF_NOT_NONE"),
            Some((Test::IsNone { want: false }, true))
        );
        assert_eq!(
            test_of("POP_JUMP_FORWARD_IF_NONE"),
            Some((Test::IsNone { want: true }, true))
        );
        assert_eq!(
            test_of("JUMP_IF_TRUE_OR_POP"),
            Some((Test::Truth { want: true }, false))
        );
        assert_eq!(test_of("JUMP_IF_NOT_EXC_MATCH"), None);
        assert_eq!(test_of("FOR_ITER"), None);
    }
}
