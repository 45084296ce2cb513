//! `strip-docstrings`: removes docstrings, as `python -OO` does.
//!
//! - Functions (`def`, `async def`): the docstring is `co_consts[0]`, which the
//!   function object reads as its `__doc__` when it is a string (CPython keeps that
//!   slot for the docstring or `None` in every `def` body; lambdas and comprehension
//!   bodies, named `<...>`, have no docstring and are left alone). It becomes `None`.
//!   When the body also loads the same string (`def f(): "doc"; return "doc"` loads
//!   constant 0), those loads are re-pointed to a copy appended at the end, which is
//!   exactly what `-OO` produces (`(None, 'doc')`).
//! - Module and class bodies: the docstring is stored by the body's first statement,
//!   `LOAD_CONST doc; STORE_NAME __doc__` (after `SETUP_ANNOTATIONS` when the body
//!   has annotations, and after the class prologue: `__module__`, `__qualname__`,
//!   3.12's `__type_params__` of generic classes, 3.13's `__firstlineno__`; 3.13's
//!   `__static_attributes__` at the end is kept). Both instructions become one `NOP` at the docstring's line, as
//!   3.10+ `-OO` leaves (`remove-nops` drops it where a neighbour has the line). From
//!   3.11 the two carry the same source range for a docstring, unlike an explicit
//!   `__doc__ = "..."` first statement, which is kept; up to 3.10 the two cannot be
//!   told apart and such an assignment is removed too.
//!
//! Python 2.7 docstrings may be `str` (bytes) or `unicode`; from 3.0 only `str`.

use pycopt_core::cfg::Instr;
use pycopt_core::codegen::Unit;
use pycopt_core::constant::Constant;
use pycopt_core::marshal::Value;
use pycopt_core::opcode::ArgKind;
use pycopt_core::PyVersion;

use super::{new_instr, op, CO_OPTIMIZED};
use crate::pass::{Context, Pass, PassError, PassInfo, Strip};

/// See the [module documentation](self).
pub struct StripDocstrings;

impl Pass for StripDocstrings {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "strip-docstrings",
            description: "removes docstrings of modules, classes and functions, as python -OO does",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: None,
            strips: Some(Strip::Docstrings),
        }
    }

    fn run(&self, unit: &mut Unit<'_>, cx: &Context<'_>) -> Result<usize, PassError> {
        if !cx.options.strips(Strip::Docstrings) {
            return Ok(0);
        }
        if unit.flags() & CO_OPTIMIZED != 0 {
            Ok(strip_function(unit))
        } else {
            Ok(strip_body(unit))
        }
    }
}

/// Whether constant `i` is a docstring-like string for the unit's version.
fn is_doc_string(unit: &mut Unit<'_>, i: u32) -> bool {
    let py2 = !unit.version().at_least(PyVersion::V3_6);
    let graph = unit.graph;
    match unit.constant(i) {
        Some(Constant::Str(_)) => true,
        Some(Constant::Bytes(_)) => py2,
        // A string holding lone surrogates stays an object reference.
        Some(Constant::Object(id)) => matches!(graph.node(*id).value, Value::Str(_)),
        _ => false,
    }
}

fn strip_function(unit: &mut Unit<'_>) -> usize {
    let name = unit.code.name(unit.graph);
    if name.starts_with('<') || unit.const_count() == 0 || !is_doc_string(unit, 0) {
        return 0;
    }
    let doc = unit.constant(0).cloned().expect("checked above");
    unit.set_const(0, Constant::None);
    let uses_doc = |i: &Instr| i.op.arg_kind == ArgKind::Const && i.arg == 0;
    let used = unit
        .cfg
        .layout
        .iter()
        .any(|&b| unit.cfg.block(b).instrs.iter().any(uses_doc));
    if used {
        let copy = unit.add_const(doc);
        for b in unit.cfg.layout.clone() {
            for ins in &mut unit.cfg.graph[b].instrs {
                if uses_doc(ins) {
                    ins.arg = copy;
                    ins.prefixes = 0;
                }
            }
        }
    }
    1
}

/// Module and class bodies: the first statement `LOAD_CONST doc; STORE_NAME __doc__`.
fn strip_body(unit: &mut Unit<'_>) -> usize {
    let version = unit.version();
    if !unit.names().iter().any(|n| n == "__doc__") {
        return 0;
    }
    let entry = unit.cfg.entry;
    let names = unit.names().to_vec();
    let name_of = |i: &Instr| match i.op.arg_kind {
        ArgKind::Name { shift } => names.get((i.arg >> shift) as usize).map(String::as_str),
        _ => None,
    };
    let instrs = &unit.cfg.block(entry).instrs;
    let mut found = None;
    for (k, ins) in instrs.iter().enumerate() {
        if ins.op.name == "STORE_NAME" && name_of(ins) == Some("__doc__") {
            found = Some(k);
            break;
        }
        // Only the prologue may come first: loads, and stores of dunder names.
        let prologue = match ins.op.name {
            "STORE_NAME" => name_of(ins).is_some_and(|n| n.starts_with("__") && n.ends_with("__")),
            "RESUME"
            | "NOP"
            | "COPY_FREE_VARS"
            | "MAKE_CELL"
            | "SETUP_ANNOTATIONS"
            | "LOAD_NAME"
            | "LOAD_CONST"
            | "LOAD_FAST"
            | "LOAD_DEREF"
            | "LOAD_CLOSURE"
            | "LOAD_LOCALS"
            | "LOAD_FROM_DICT_OR_DEREF" => true,
            _ => false,
        };
        if !prologue {
            return 0;
        }
    }
    let Some(k) = found else { return 0 };
    if k == 0 {
        return 0;
    }
    let (load, store) = (&instrs[k - 1], &instrs[k]);
    if load.op.name != "LOAD_CONST" {
        return 0;
    }
    let const_index = load.arg;
    let (load_pos, store_pos) = (load.pos, store.pos);
    // 3.11+: a docstring's two instructions share its source range; an assignment's
    // target and value differ.
    if version.at_least(PyVersion::V3_11) && load_pos != store_pos {
        return 0;
    }
    if !is_doc_string(unit, const_index) {
        return 0;
    }
    let nop = op(version, "NOP").expect("every version has NOP");
    let instrs = &mut unit.cfg.graph[entry].instrs;
    instrs[k - 1] = new_instr(nop, 0, load_pos);
    if store_pos.line == load_pos.line {
        instrs.remove(k);
    } else {
        instrs[k] = new_instr(nop, 0, store_pos);
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::testing::{consts_of, run_on, Compiled};
    use crate::pass::Options;

    fn strip() -> Options {
        let mut o = Options::default();
        o.strip.insert(Strip::Docstrings);
        o
    }

    const SRC: &str = "\
\"\"\"module doc\"\"\"
def f():
    return 'x'
def g():
    \"gdoc\"
    return \"gdoc\"
class C:
    \"\"\"cdoc\"\"\"
    def m(self): self.a = 1
class D:
    __doc__ = 'explicit'
L = lambda: 'lam'
";

    #[test]
    fn functions_get_none_and_loads_of_the_docstring_move() {
        for v in [(2, 7), (3, 6), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            let (n, _) = run_on(&c, "g", &StripDocstrings, &strip()).unwrap();
            assert_eq!(n, 1, "{v:?}");
            let consts = consts_of(&c, "g", &StripDocstrings, &strip());
            assert_eq!(consts[0], "None", "{v:?}");
            let doc = if v == (2, 7) {
                "[103, 100, 111, 99]"
            } else {
                "gdoc"
            };
            assert!(
                consts[1..].iter().any(|s| s.contains(doc)),
                "{v:?}: {consts:?}"
            );
            // No docstring: untouched.
            let (n, _) = run_on(&c, "f", &StripDocstrings, &strip()).unwrap();
            assert_eq!(n, 0, "{v:?}");
            let (n, _) = run_on(&c, "<lambda>", &StripDocstrings, &strip()).unwrap();
            assert_eq!(n, 0, "{v:?}");
        }
    }

    #[test]
    fn module_and_class_stores_go() {
        for v in [(2, 7), (3, 6), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            for name in ["<module>", "C"] {
                let (n, after) = run_on(&c, name, &StripDocstrings, &strip()).unwrap();
                assert_eq!(n, 1, "{v:?} {name}");
                assert!(
                    !after.iter().any(|l| l.contains("__doc__")),
                    "{v:?} {name}: {after:#?}"
                );
            }
            let (n, after) = run_on(&c, "D", &StripDocstrings, &strip()).unwrap();
            let explicit_kept = v >= (3, 11);
            assert_eq!(n == 0, explicit_kept, "{v:?}: {after:#?}");
        }
    }

    #[test]
    fn nothing_happens_without_the_option() {
        let Some(c) = Compiled::new((3, 12), SRC) else {
            return;
        };
        for name in ["<module>", "C", "g"] {
            let (n, _) = run_on(&c, name, &StripDocstrings, &Options::default()).unwrap();
            assert_eq!(n, 0);
        }
    }
}
