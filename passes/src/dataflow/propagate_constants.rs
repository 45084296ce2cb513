//! `propagate-constants`: loads of a local that is assigned once, from a constant,
//! become loads of that constant.
//!
//! A local qualifies when, over the whole code object of a function:
//! - it is a plain local (not an argument, cell, free variable or hidden
//!   comprehension temporary);
//! - exactly one instruction stores it (`STORE_FAST`, either half of 3.13's
//!   `STORE_FAST_STORE_FAST` / `STORE_FAST_LOAD_FAST` counts), right after a
//!   `LOAD_CONST` of an immutable value (number, string, bytes, `None`, `True`,
//!   `False`, `...`, or a tuple or frozenset of those) in the same block;
//! - nothing unbinds it (`DELETE_FAST`, 3.12's `LOAD_FAST_AND_CLEAR`).
//!
//! Each read of such a local that definite assignment (core's
//! [`DefiniteAssignment`], exception edges included) proves bound becomes
//! `LOAD_CONST` of the very constant the store loads (same index, so the same object:
//! `is` still holds). Since the one store is the only thing that binds the local, a
//! bound local holds that constant. A read the analysis cannot prove (one that may
//! raise `UnboundLocalError`) is left alone. 3.13 superinstructions holding such a
//! read are split in two. The store stays; `remove-dead-stores` removes it when no
//! read is left.
//!
//! Acts only under `--assume no-frame-introspection` in files that show no frame
//! introspection: a debugger or `frame.f_locals` (writable in 3.13) could change the
//! local between the store and a load.

use std::collections::HashMap;

use pycopt_core::analysis::{DefiniteAssignment, LocalAccess};
use pycopt_core::cfg::{Instr, Scan};
use pycopt_core::codegen::Unit;

use super::{locals_are_private, new_instr, op, plain_local, scan_stores_a_constant};
use crate::pass::{Assumption, Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct PropagateConstants;

impl Pass for PropagateConstants {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "propagate-constants",
            description:
                "loads of a local assigned once from a constant become loads of the constant",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: Some(Assumption::NoFrameIntrospection),
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, cx: &Context<'_>) -> Result<usize, PassError> {
        if !locals_are_private(unit.flags(), cx) {
            return Ok(0);
        }
        let constants = single_constant_locals(unit);
        if constants.is_empty() {
            return Ok(0);
        }
        let da = DefiniteAssignment::compute(&unit.cfg);
        if !da.converged() {
            return Ok(0);
        }
        let version = unit.version();
        let load_const = op(version, "LOAD_CONST").expect("every version has LOAD_CONST");
        let load_fast = op(version, "LOAD_FAST").expect("every version has LOAD_FAST");
        let store_fast = op(version, "STORE_FAST").expect("every version has STORE_FAST");
        let mut changes = 0;
        for b in unit.cfg.layout.clone() {
            let reads = da.reads(&unit.cfg, b);
            // Per instruction, which halves to replace.
            let mut at: HashMap<usize, [bool; 2]> = HashMap::new();
            for r in reads {
                if r.proven && constants.contains_key(&r.local) {
                    at.entry(r.index).or_default()[usize::from(r.half.min(1))] = true;
                }
            }
            let mut indices: Vec<usize> = at.keys().copied().collect();
            indices.sort_unstable_by(|a, b| b.cmp(a));
            let instrs = &mut unit.cfg.graph[b].instrs;
            for k in indices {
                let halves = at[&k];
                let ins = &instrs[k];
                let pos = ins.pos;
                let konst = |x: u32| new_instr(load_const, constants[&x], pos);
                let new: Vec<Instr> = match LocalAccess::of(version, ins.op, ins.arg) {
                    LocalAccess::Load(x) | LocalAccess::LoadChecked(x) => vec![konst(x)],
                    LocalAccess::LoadPair(a, c) => vec![
                        if halves[0] {
                            konst(a)
                        } else {
                            new_instr(load_fast, a, pos)
                        },
                        if halves[1] {
                            konst(c)
                        } else {
                            new_instr(load_fast, c, pos)
                        },
                    ],
                    LocalAccess::StoreLoad(a, c) if halves[1] => {
                        vec![new_instr(store_fast, a, pos), konst(c)]
                    }
                    _ => continue,
                };
                changes += halves.iter().filter(|h| **h).count();
                instrs.splice(k..=k, new);
            }
        }
        Ok(changes)
    }

    /// A local assigned once from a constant is in particular stored a constant.
    fn may_change(&self, scan: &Scan<'_>, cx: &Context<'_>) -> bool {
        scan_stores_a_constant(scan, cx)
    }
}

/// The plain locals stored exactly once, from a `LOAD_CONST` of an immutable value
/// just before, and never unbound: slot → constant index.
fn single_constant_locals(unit: &mut Unit<'_>) -> HashMap<u32, u32> {
    let version = unit.version();
    #[derive(Default)]
    struct Slot {
        stores: u32,
        source: Option<u32>,
        unbound: bool,
    }
    let mut slots: HashMap<u32, Slot> = HashMap::new();
    for &b in &unit.cfg.layout {
        let instrs = &unit.cfg.block(b).instrs;
        for (k, ins) in instrs.iter().enumerate() {
            let from_const =
                (k > 0 && instrs[k - 1].op.name == "LOAD_CONST").then(|| instrs[k - 1].arg);
            let mut store = |x: u32, source: Option<u32>| {
                let s = slots.entry(x).or_default();
                s.stores += 1;
                s.source = source;
            };
            match LocalAccess::of(version, ins.op, ins.arg) {
                LocalAccess::Store(x) | LocalAccess::StoreLoad(x, _) => store(x, from_const),
                LocalAccess::StorePair(a, c) => {
                    store(a, None);
                    store(c, None);
                }
                LocalAccess::Delete(x)
                | LocalAccess::LoadAndClear(x)
                | LocalAccess::MakeCell(x) => {
                    slots.entry(x).or_default().unbound = true;
                }
                _ => {}
            }
        }
    }
    let frame = unit.cfg.frame.clone();
    let mut out = HashMap::new();
    for (x, s) in slots {
        let Some(c) = s.source else { continue };
        if s.stores != 1 || s.unbound || !plain_local(&frame, x) {
            continue;
        }
        if unit.constant(c).is_some_and(|v| v.is_value()) {
            out.insert(x, c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::testing::{run_on, Compiled};
    use crate::pass::Options;

    fn assume() -> Options {
        let mut o = Options::default();
        o.assume.insert(Assumption::NoFrameIntrospection);
        o
    }

    const SRC: &str = "\
def f(a):
    k = 10
    t = (1, 'x')
    n = 0
    for i in a:
        n = n + k
    try:
        r = k + len(t)
    except Exception:
        r = k
    return n, r, t
def g(a):
    if a:
        u = 1
    return u
def h(a):
    v = 2
    del v
    w = [1]
    return w
def j(q=5):
    q2 = q
    return q2
";

    #[test]
    fn single_constant_stores_propagate_everywhere_they_are_bound() {
        for v in [(2, 7), (3, 6), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            let (n, after) = run_on(&c, "f", &PropagateConstants, &assume()).unwrap();
            // k: three reads (loop, try, handler); t: two reads.
            assert_eq!(n, 5, "{v:?}: {after:#?}");
            let loads_k = after.iter().filter(|l| *l == "LOAD_FAST k").count();
            assert_eq!(loads_k, 0, "{v:?}: {after:#?}");
            assert!(
                after
                    .iter()
                    .any(|l| l.contains("LOAD_FAST") && l.contains('n')),
                "{v:?}"
            );
        }
    }

    #[test]
    fn what_must_not_change() {
        for v in [(2, 7), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            // `u` is not bound on every path; `v` is deleted; `w` is a list; `q` is
            // an argument.
            for name in ["g", "h", "j"] {
                let (n, after) = run_on(&c, name, &PropagateConstants, &assume()).unwrap();
                assert_eq!(n, 0, "{v:?} {name}: {after:#?}");
            }
            // Without the assumption nothing happens.
            let (n, _) = run_on(&c, "f", &PropagateConstants, &Options::default()).unwrap();
            assert_eq!(n, 0);
        }
        // A file that calls locals() shows the assumption false for itself.
        let src = "def i():\n    x = 3\n    return x, locals()\n";
        if let Some(c) = Compiled::new((3, 12), src) {
            let (n, _) = run_on(&c, "i", &PropagateConstants, &assume()).unwrap();
            assert_eq!(n, 0);
        }
    }

    #[test]
    fn superinstructions_are_split() {
        let src = "def f(b):\n    a = 1\n    return a + b, b + a\n";
        let Some(c) = Compiled::new((3, 13), src) else {
            return;
        };
        let (n, after) = run_on(&c, "f", &PropagateConstants, &assume()).unwrap();
        assert_eq!(n, 2, "{after:#?}");
        assert!(
            !after.iter().any(|l| l.starts_with("LOAD_FAST_LOAD_FAST")),
            "{after:#?}"
        );
        assert!(after.iter().any(|l| l == "LOAD_FAST b"), "{after:#?}");
    }
}
