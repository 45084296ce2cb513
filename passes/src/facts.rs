//! Facts about a whole file that passes acting under an [`Assumption`] consult, so
//! that a pass never applies an assumption the file itself shows to be false.
//!
//! [`FileFacts::of`] reads every code object of the `.pyc` once:
//! - which global names are bound anywhere (module-level stores, `global` statements
//!   in functions, imports, `def`/`class`): such a name shadows the builtin of that
//!   name in this module, so `len` is not folded in a module that assigns `len`;
//! - which module-level names are bound exactly once, to a constant, and never by
//!   anything else (no `import *`, `globals()`, `setattr` or `__dict__` anywhere, and
//!   no attribute store of the same name): the only candidates for `final-globals`;
//! - whether the file visibly introspects frames (`locals`, `vars`, `exec`, `eval`,
//!   `sys._getframe`, `f_locals`, trace functions): then `no-frame-introspection` is
//!   false for it;
//! - for `final-globals`, which module constants are certainly bound before each code
//!   object can run ([`FileFacts::globals_bound_in`]).
//!
//! [`Assumption`]: crate::Assumption

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use pycopt_core::code::walk_code;
use pycopt_core::constant::Constant;
use pycopt_core::instr::decode;
use pycopt_core::marshal::ObjId;
use pycopt_core::opcode::{table, ArgKind};
use pycopt_core::Pyc;

/// Names whose use shows the file looks at frames or runs code on its namespaces.
const INTROSPECTION_NAMES: &[&str] = &[
    "locals",
    "vars",
    "exec",
    "eval",
    "execfile",
    "_getframe",
    "currentframe",
    "f_locals",
    "f_back",
    "tb_frame",
    "settrace",
    "setprofile",
    "monitoring",
    "stack",
    "trace",
];

/// Names whose use shows the file may rebind any of its own globals by name.
const REBINDING_NAMES: &[&str] = &["globals", "setattr", "__dict__", "__setattr__"];

/// What one file shows about itself.
#[derive(Clone, Debug, Default)]
pub struct FileFacts {
    /// Global names bound anywhere in the file.
    pub bound_globals: HashSet<String>,
    /// Module-level names bound exactly once, to this constant, and nowhere else.
    pub module_constants: HashMap<String, Constant>,
    /// Whether the file uses `import *` or `globals()` (either may bind any name).
    pub star_import: bool,
    /// Whether the file visibly introspects frames or evaluates code.
    pub introspects_frames: bool,
    /// For every code object but the module's: the [`Self::module_constants`] whose
    /// one store has certainly run before the code can run (the store dominates, in
    /// the module body, the `LOAD_CONST` creating the code's outermost enclosing
    /// function or class). Filled only when there are module constants; see
    /// `fold-globals` ([`crate::dataflow::globals_bound_in`]).
    pub globals_bound_in: HashMap<ObjId, Arc<BTreeSet<String>>>,
}

impl FileFacts {
    /// Reads the facts of `pyc`.
    pub fn of(pyc: &Pyc) -> FileFacts {
        let version = pyc.version();
        let t = table(version);
        let g = &pyc.graph;
        let mut facts = FileFacts::default();
        // Module-level stores: name -> (count, constant stored by the one store).
        let mut module_stores: HashMap<String, (usize, Option<Constant>)> = HashMap::new();
        for (id, _) in walk_code(g, pyc.root) {
            let Some(code) = g.as_code(id) else { continue };
            let is_module = id == pyc.root;
            let Ok(instrs) = decode(code.bytecode(g), version) else {
                // Unreadable code: assume the worst about it.
                facts.star_import = true;
                facts.introspects_frames = true;
                continue;
            };
            let names = code.names(g);
            let consts = code.consts(g);
            // A store that something jumps to may receive another value than the
            // constant loaded just before it (`X = 1 if c else 2`).
            let targets: HashSet<u32> = instrs.iter().filter_map(|i| i.jump_target(t)).collect();
            let name_of = |arg: u32, shift: u8| -> Option<&str> {
                names.get((arg >> shift) as usize).map(|s| s.as_ref())
            };
            for (k, ins) in instrs.iter().enumerate() {
                let op = ins.op.name;
                if op == "EXEC_STMT" {
                    // Python 2's `exec` statement runs code on the frame's namespaces.
                    facts.introspects_frames = true;
                }
                if op == "IMPORT_STAR"
                    || op == "EXEC_STMT"
                    || (op == "CALL_INTRINSIC_1"
                        && t.intrinsic1.get(ins.arg as usize) == Some(&"INTRINSIC_IMPORT_STAR"))
                {
                    facts.star_import = true;
                }
                let ArgKind::Name { shift } = ins.op.arg_kind else {
                    continue;
                };
                let Some(name) = name_of(ins.arg, shift) else {
                    continue;
                };
                if INTROSPECTION_NAMES.contains(&name) {
                    facts.introspects_frames = true;
                }
                if REBINDING_NAMES.contains(&name) {
                    // `globals()[name] = ...`, `setattr(module, name, ...)`,
                    // `module.__dict__[name] = ...` rebind any module name.
                    facts.star_import = true;
                }
                // An attribute store of the same name may be the module's own
                // (`sys.modules[__name__].X = ...`): count it, conservatively.
                let binds = matches!(
                    op,
                    "STORE_NAME"
                        | "DELETE_NAME"
                        | "STORE_GLOBAL"
                        | "DELETE_GLOBAL"
                        | "STORE_ATTR"
                        | "DELETE_ATTR"
                );
                if !binds {
                    continue;
                }
                facts.bound_globals.insert(name.to_string());
                let entry = module_stores.entry(name.to_string()).or_insert((0, None));
                entry.0 += 1;
                if is_module && op == "STORE_NAME" && entry.0 == 1 && !targets.contains(&ins.start)
                {
                    let prev = k.checked_sub(1).map(|p| &instrs[p]);
                    entry.1 = prev
                        .filter(|p| p.op.name == "LOAD_CONST")
                        .and_then(|p| consts.get(p.arg as usize))
                        .map(|&c| Constant::from_graph(g, c))
                        .filter(Constant::is_value);
                } else {
                    entry.1 = None;
                }
            }
        }
        if !facts.star_import {
            for (name, (count, value)) in module_stores {
                if let (1, Some(c)) = (count, value) {
                    facts.module_constants.insert(name, c);
                }
            }
        }
        facts.add_globals_bound_in(pyc);
        facts
    }

    /// Whether the builtin `name` may be assumed to be the real one in this file: the
    /// file never binds that global name and has no `import *`.
    pub fn builtin_unshadowed(&self, name: &str) -> bool {
        !self.star_import && !self.bound_globals.contains(name)
    }
}
