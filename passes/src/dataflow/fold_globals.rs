//! `fold-globals`: loads of module-level constants become `LOAD_CONST`.
//!
//! The candidates are [`FileFacts::module_constants`]: names the module binds exactly
//! once, with `LOAD_CONST c; STORE_NAME N`, and nothing else in the file binds or
//! deletes (no `global N` assignment, `import`, `def`, `class`, `for`, `with ... as`,
//! no `import *` or `globals()` anywhere). A load of `N` is replaced only where the
//! store has certainly run before it, since before it the load raises `NameError`:
//! - in the module body: where the store dominates the load (`PointDominance`,
//!   exception edges included);
//! - in any other code object: where the store dominates the `LOAD_CONST` that creates
//!   its outermost enclosing function or class in the module body (the code cannot
//!   run before its function object exists; [`FileFacts::globals_bound_in`]). A
//!   function defined before the store, even if only called after it, keeps its load.
//!
//! Functions' `LOAD_GLOBAL N` and class bodies' `LOAD_NAME N` are replaced (class
//! bodies never bind `N`: such a store would count as another binding). On 3.11+ a
//! `LOAD_GLOBAL` that also pushes `NULL` (its low bit) becomes `LOAD_CONST` plus
//! `PUSH_NULL`, in the version's order: 3.11 and 3.12 push the `NULL` first, 3.13
//! after.
//!
//! Acts only under `--assume final-globals`: nothing outside the module rebinds `N`
//! (`mod.N = ...`, `mock.patch`, `setattr` on the module), and no metaclass
//! `__prepare__` namespace pre-binds `N` for a class body. `__doc__` is never folded
//! (`strip-docstrings` removes its store). A folded constant is the function's own
//! copy of the value: equal, but not necessarily the same object as the module's.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use pycopt_core::cfg::{build, Cfg, Scan};
use pycopt_core::code::walk_code;
use pycopt_core::codegen::Unit;
use pycopt_core::constant::Constant;
use pycopt_core::opcode::ArgKind;
use pycopt_core::{PyVersion, Pyc};

use super::{new_instr, op, PointDominance, CO_OPTIMIZED};
use crate::facts::FileFacts;
use crate::pass::{Assumption, Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct FoldGlobals;

/// Names never folded: `__doc__` is the one module constant `-OO` unbinds.
const NEVER: &[&str] = &["__doc__"];

impl Pass for FoldGlobals {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "fold-globals",
            description: "loads of module-level names bound once to a constant become the constant",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: Some(Assumption::FinalGlobals),
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, cx: &Context<'_>) -> Result<usize, PassError> {
        let facts = cx.facts();
        if !cx.assumes(Assumption::FinalGlobals) || facts.module_constants.is_empty() {
            return Ok(0);
        }
        let version = unit.version();
        let names = unit.names().to_vec();
        let folded = |i: u32| -> Option<&Constant> {
            let n = names.get(i as usize)?;
            if NEVER.contains(&n.as_str()) {
                return None;
            }
            facts.module_constants.get(n)
        };
        let is_module = !unit.path.contains('.');
        // `LOAD_NAME` reads the body's own namespace first: the module's, or a class
        // body's (which never binds a module constant). 2.7 functions made
        // unoptimized by a bare `exec` could bind anything there.
        let execs = unit.cfg.layout.iter().any(|&b| {
            unit.cfg
                .block(b)
                .instrs
                .iter()
                .any(|i| matches!(i.op.name, "EXEC_STMT" | "IMPORT_STAR"))
        });
        let class_body = unit.flags() & CO_OPTIMIZED == 0 && !is_module && !execs;
        // Where each name may be folded: module code by dominance, the rest by facts.
        let bound: Option<Arc<BTreeSet<String>>> = if is_module {
            None
        } else {
            match facts.globals_bound_in.get(&unit.id) {
                Some(b) if !b.is_empty() => Some(b.clone()),
                _ => return Ok(0),
            }
        };
        let mut stores: HashMap<u32, Vec<(pycopt_core::cfg::BlockId, usize)>> = HashMap::new();
        if is_module {
            for &b in &unit.cfg.layout {
                for (k, ins) in unit.cfg.block(b).instrs.iter().enumerate() {
                    if ins.op.name == "STORE_NAME" && folded(ins.arg).is_some() {
                        stores.entry(ins.arg).or_default().push((b, k));
                    }
                }
            }
        }
        let dom = is_module.then(|| PointDominance::of(&unit.cfg));
        // (block, index, name index, pushes NULL)
        let mut sites = Vec::new();
        for &b in &unit.cfg.layout {
            for (k, ins) in unit.cfg.block(b).instrs.iter().enumerate() {
                let ArgKind::Name { shift } = ins.op.arg_kind else {
                    continue;
                };
                let load_name = ins.op.name == "LOAD_NAME" && (is_module || class_body);
                if !(load_name || ins.op.name == "LOAD_GLOBAL") {
                    continue;
                }
                let name = ins.arg >> shift;
                if folded(name).is_none() {
                    continue;
                }
                let ok = match (&dom, &bound) {
                    (Some(dom), _) => match stores.get(&name).map(Vec::as_slice) {
                        Some(&[store]) => dom.dominates(store, (b, k)),
                        _ => false,
                    },
                    (None, Some(bound)) => bound.contains(&names[name as usize]),
                    (None, None) => false,
                };
                if ok {
                    sites.push((b, k, name, ins.arg & 1 == 1 && shift == 1));
                }
            }
        }
        if sites.is_empty() {
            return Ok(0);
        }
        let load_const = op(version, "LOAD_CONST").expect("every version has LOAD_CONST");
        let null_first = match version {
            PyVersion::V3_11 | PyVersion::V3_12 => Some(true),
            PyVersion::V3_13 => Some(false),
            _ => None,
        };
        let push_null = op(version, "PUSH_NULL");
        let changes = sites.len();
        for &(b, k, name, null) in sites.iter().rev() {
            let value = folded(name).expect("checked above").clone();
            let c = unit.add_const(value);
            let pos = unit.cfg.block(b).instrs[k].pos;
            let konst = new_instr(load_const, c, pos);
            let new = match (null, null_first, push_null) {
                (false, _, _) => vec![konst],
                (true, Some(first), Some(p)) => {
                    let n = new_instr(p, 0, pos);
                    if first {
                        vec![n, konst]
                    } else {
                        vec![konst, n]
                    }
                }
                _ => {
                    return Err(PassError(
                        "LOAD_GLOBAL pushes NULL on an unknown version".into(),
                    ))
                }
            };
            unit.cfg.graph[b].instrs.splice(k..=k, new);
        }
        Ok(changes)
    }

    /// Some `LOAD_GLOBAL` or `LOAD_NAME` reads a module constant of the file.
    fn may_change(&self, scan: &Scan<'_>, cx: &Context<'_>) -> bool {
        let loads =
            |i: &&pycopt_core::instr::Instruction| matches!(i.op.name, "LOAD_GLOBAL" | "LOAD_NAME");
        if !scan.instrs.iter().any(|i| loads(&i)) {
            return false;
        }
        let constants = &cx.facts().module_constants;
        if constants.is_empty() {
            return false;
        }
        let names = scan.graph.as_tuple(scan.code.names).unwrap_or(&[]);
        scan.instrs.iter().filter(loads).any(|i| {
            let ArgKind::Name { shift } = i.op.arg_kind else {
                return true;
            };
            names
                .get((i.arg >> shift) as usize)
                .and_then(|&n| scan.graph.as_str(n))
                .is_none_or(|n| !NEVER.contains(&n.as_ref()) && constants.contains_key(n.as_ref()))
        })
    }
}

/// For [`FileFacts::globals_bound_in`]: every code object of `pyc` but the module's,
/// mapped to the module constants whose one store dominates the creation of its
/// outermost enclosing code object in the module body.
pub fn globals_bound_in(
    pyc: &Pyc,
    constants: &HashMap<String, Constant>,
) -> HashMap<pycopt_core::marshal::ObjId, Arc<BTreeSet<String>>> {
    let mut out = HashMap::new();
    let g = &pyc.graph;
    let Some(module) = g.as_code(pyc.root) else {
        return out;
    };
    let Ok(cfg) = build(module, g, pyc.version()) else {
        return out;
    };
    let dom = PointDominance::of(&cfg);
    let names = module.names(g);
    let consts = module.consts(g);
    let stores = name_stores(&cfg, &names);
    let live: HashSet<_> = cfg.reachable().into_iter().collect();
    // Creation points of each code object the module body holds.
    let mut created: HashMap<usize, Vec<(pycopt_core::cfg::BlockId, usize)>> = HashMap::new();
    for &b in &cfg.layout {
        for (k, ins) in cfg.block(b).instrs.iter().enumerate() {
            if ins.op.arg_kind == ArgKind::Const {
                created.entry(ins.arg as usize).or_default().push((b, k));
            }
        }
    }
    for (i, &c) in consts.iter().enumerate() {
        if g.as_code(c).is_none() {
            continue;
        }
        let points = created.get(&i).cloned().unwrap_or_default();
        let mut bound = BTreeSet::new();
        if !points.is_empty() && points.iter().all(|(b, _)| live.contains(b)) {
            for name in constants.keys() {
                if let Some(&[store]) = stores.get(name.as_str()).map(Vec::as_slice) {
                    if points.iter().all(|&p| dom.dominates(store, p)) {
                        bound.insert(name.clone());
                    }
                }
            }
        }
        let bound = Arc::new(bound);
        for (id, _) in walk_code(g, c) {
            out.entry(id).or_insert_with(|| bound.clone());
        }
    }
    out
}

/// Where module code stores each name (`STORE_NAME`).
fn name_stores<'n>(
    cfg: &Cfg,
    names: &'n [std::borrow::Cow<'n, str>],
) -> HashMap<&'n str, Vec<(pycopt_core::cfg::BlockId, usize)>> {
    let mut out: HashMap<&str, Vec<_>> = HashMap::new();
    for &b in &cfg.layout {
        for (k, ins) in cfg.block(b).instrs.iter().enumerate() {
            if ins.op.name != "STORE_NAME" {
                continue;
            }
            if let ArgKind::Name { shift } = ins.op.arg_kind {
                if let Some(n) = names.get((ins.arg >> shift) as usize) {
                    out.entry(n.as_ref()).or_default().push((b, k));
                }
            }
        }
    }
    out
}

/// Facts are computed once per file; this is their part for this pass.
impl FileFacts {
    /// Fills [`FileFacts::globals_bound_in`] (called by [`FileFacts::of`]).
    pub(crate) fn add_globals_bound_in(&mut self, pyc: &Pyc) {
        if !self.module_constants.is_empty() {
            self.globals_bound_in = globals_bound_in(pyc, &self.module_constants);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::testing::{run_on, Compiled};
    use crate::pass::Options;

    fn assume() -> Options {
        let mut o = Options::default();
        o.assume.insert(Assumption::FinalGlobals);
        o
    }

    const SRC: &str = "\
def early():
    return LIMIT
LIMIT = 10
NAME = 'n'
TWICE = 1
TWICE = 2
COND = 1 if len(__name__) else 2
print(LIMIT)
def late(x):
    def inner():
        return LIMIT + len(NAME)
    return x + LIMIT, inner, TWICE, COND
class C:
    size = LIMIT * 2
    def m(self):
        return NAME
print(late(1)[0], C.size)
";

    #[test]
    fn loads_after_the_store_fold() {
        for v in [(2, 7), (3, 6), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            let (n, after) = run_on(&c, "late", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 1, "{v:?}: {after:#?}");
            let (n, after) = run_on(&c, "inner", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 2, "{v:?}: {after:#?}");
            if v >= (3, 11) {
                // `len(NAME)`: LOAD_GLOBAL len keeps its NULL; `NAME` had none.
                assert!(!after.iter().any(|l| l == "PUSH_NULL"), "{v:?}: {after:#?}");
            }
            let (n, _) = run_on(&c, "C", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 1, "{v:?}");
            let (n, _) = run_on(&c, "m", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 1, "{v:?}");
            // Module body: `print(LIMIT)` and the one in `print(late(1)[0], C.size)`?
            // only `LIMIT` in `print(LIMIT)`.
            let (n, after) = run_on(&c, "<module>", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 1, "{v:?}: {after:#?}");
        }
    }

    #[test]
    fn what_must_not_change() {
        for v in [(3, 8), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            // Defined before the store.
            let (n, _) = run_on(&c, "early", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 0);
            let (n, _) = run_on(&c, "late", &FoldGlobals, &Options::default()).unwrap();
            assert_eq!(n, 0);
        }
        // `import *` may bind anything.
        let src = "from os import *\nX = 1\ndef f():\n    return X\n";
        if let Some(c) = Compiled::new((3, 12), src) {
            let (n, _) = run_on(&c, "f", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 0);
        }
        // A conditional store does not dominate.
        let src = "import sys\nif sys.argv:\n    X = 1\ndef f():\n    return X\n";
        if let Some(c) = Compiled::new((3, 12), src) {
            let (n, _) = run_on(&c, "f", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 0);
        }
    }

    #[test]
    fn a_store_something_jumps_to_is_not_a_constant() {
        // `X = 1 if c else 2` ends in `LOAD_CONST 2; STORE_NAME X`, but the store is
        // also reached with 1.
        let src = "import sys\nY = 3\nX = 1 if sys.argv else 2\n";
        for v in [(2, 7), (3, 8), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, src) else {
                continue;
            };
            let facts = FileFacts::of(&c.pyc);
            assert!(!facts.module_constants.contains_key("X"), "{v:?}");
            assert!(facts.module_constants.contains_key("Y"), "{v:?}");
        }
    }

    #[test]
    fn null_goes_where_the_version_puts_it() {
        let src = "F = 3\ndef f():\n    return F()\n";
        for (v, first) in [((3, 11), true), ((3, 12), true), ((3, 13), false)] {
            let Some(c) = Compiled::new(v, src) else {
                continue;
            };
            let (n, after) = run_on(&c, "f", &FoldGlobals, &assume()).unwrap();
            assert_eq!(n, 1);
            let i = after
                .iter()
                .position(|l| l == "PUSH_NULL")
                .expect("a PUSH_NULL");
            let j = after
                .iter()
                .position(|l| l.starts_with("LOAD_CONST"))
                .unwrap();
            assert_eq!(i < j, first, "{v:?}: {after:#?}");
        }
    }
}
