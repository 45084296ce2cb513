//! `compact-tables`: equal constants become one, and constants and names no
//! instruction uses are dropped.
//!
//! Equality is [`Constant`]'s: type-strict (`1`, `1.0` and `True` differ), bitwise for
//! floats (`0.0` and `-0.0` differ), and by identity for code objects and other opaque
//! objects — CPython's own constant-merging key. `co_consts[0]` stays where it is
//! (the docstring slot), and a string there is never the target of a merge, so that
//! stripping the docstring cannot change what other loads see. Then
//! [`Unit::compact`] renumbers what is left. The count is the number of entries
//! removed.

use std::collections::HashMap;

use pycopt_core::cfg::Scan;
use pycopt_core::codegen::{ConstEntry, Unit};
use pycopt_core::constant::Constant;
use pycopt_core::opcode::ArgKind;
use pycopt_core::PyVersion;

use crate::pass::{Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct CompactTables;

impl Pass for CompactTables {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "compact-tables",
            description: "merges equal constants and drops unused constants and names",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        let n = unit.const_count() as u32;
        // From 3.8 the compiler merges equal constants itself (by the same
        // type-strict key), so a table no pass added to has no duplicates: skip
        // decoding it.
        let pristine = unit.version().at_least(PyVersion::V3_8)
            && (0..n).all(|i| matches!(unit.const_entry(i), Some(ConstEntry::Orig(_))));
        if pristine {
            let (consts, names) = unit.compact();
            return Ok(consts + names);
        }
        let mut first: HashMap<Constant, u32> = HashMap::new();
        let mut map: Vec<u32> = (0..n).collect();
        let mut merged = false;
        for i in 0..n {
            let Some(c) = unit.constant(i).cloned() else {
                continue;
            };
            if i == 0 && matches!(c, Constant::Str(_) | Constant::Bytes(_)) {
                continue;
            }
            match first.get(&c) {
                Some(&j) => {
                    map[i as usize] = j;
                    merged = true;
                }
                None => {
                    first.insert(c, i);
                }
            }
        }
        if merged {
            for b in unit.cfg.layout.clone() {
                for ins in &mut unit.cfg.graph[b].instrs {
                    if ins.op.arg_kind == ArgKind::Const {
                        if let Some(&to) = map.get(ins.arg as usize) {
                            if to != ins.arg {
                                ins.arg = to;
                                ins.prefixes = 0;
                            }
                        }
                    }
                }
            }
        }
        let (consts, names) = unit.compact();
        Ok(consts + names)
    }

    /// On untouched code (3.8+) the pass only drops entries nothing uses.
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        if !scan.version.at_least(PyVersion::V3_8) {
            return true;
        }
        let (consts, names) = scan.table_usage();
        consts.contains(&false) || names.contains(&false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::testing::*;

    #[test]
    fn equal_constants_merge_type_strictly() {
        let Some(pyc) = compile((3, 11), "a = 7\nb = 8\nc = 9\nd = 10\n") else {
            return;
        };
        let mut unit = open(&pyc, "<module>");
        let n = unit.const_count();
        let (i7, i8) = (
            const_index(&mut unit, &Constant::Int(7)),
            const_index(&mut unit, &Constant::Int(8)),
        );
        let (i9, i10) = (
            const_index(&mut unit, &Constant::Int(9)),
            const_index(&mut unit, &Constant::Int(10)),
        );
        unit.set_const(i8, Constant::Int(7)); // a duplicate
        unit.set_const(i9, Constant::Float(0.0f64.to_bits()));
        unit.set_const(i10, Constant::Float((-0.0f64).to_bits())); // not equal to 0.0
        assert_eq!(run(&CompactTables, &mut unit), 1);
        assert_eq!(unit.const_count(), n - 1);
        let loads: Vec<u32> = unit
            .cfg
            .layout
            .iter()
            .flat_map(|&b| unit.cfg.block(b).instrs.clone())
            .filter(|i| i.op.name == "LOAD_CONST")
            .map(|i| i.arg)
            .collect();
        assert_eq!(loads[0], loads[1]);
        assert_eq!(unit.constant(loads[0]), Some(&Constant::Int(7)));
        assert_eq!(i7, loads[0]);
        assert_eq!(run(&CompactTables, &mut unit), 0);
    }

    #[test]
    fn a_docstring_slot_is_never_shared() {
        let src = "def f():\n    'doc'\n    return 1\n";
        let Some(pyc) = compile((3, 8), src) else {
            return;
        };
        let mut unit = open(&pyc, "f");
        let one = const_index(&mut unit, &Constant::Int(1));
        unit.set_const(one, Constant::Str("doc".into()));
        assert_eq!(run(&CompactTables, &mut unit), 0);
        assert_eq!(unit.constant(0), Some(&Constant::Str("doc".into())));
    }
}
