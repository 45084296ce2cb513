//! `remove-dead-stores`: stores of constants into locals that nothing reads afterwards
//! are removed.
//!
//! A `STORE_FAST x` (or the store half of 3.13's `STORE_FAST_LOAD_FAST`) goes when:
//! - `x` is a plain local of a function (not an argument, which zero-argument
//!   `super()` reads from its slot; not a cell, which closures read) and nothing in the
//!   code unbinds it (`DELETE_FAST x` raises when `x` is unbound, so a store before it
//!   is observable; 3.12's `LOAD_FAST_AND_CLEAR` saves and restores it);
//! - `x` is dead after it: no path reaches a read of `x` before another store to it,
//!   exception edges included (`Liveness`);
//! - the stored value is a known constant (from `LOAD_CONST`, or a copy of one on the
//!   stack): dropping a reference to a constant runs no finalizer;
//! - and `x` holds no other object when the store runs — it is unbound, or holds a
//!   constant stored earlier (a forward may-analysis, `HeldObjects`). Otherwise the
//!   store would release that object (`x = None` after `x = open(...)` closes the file
//!   when the last reference goes); without it the object would live until the frame
//!   ends.
//!
//! `LOAD_CONST c; STORE_FAST x` becomes two `NOP`s (`remove-nops` keeps one where the
//! line needs it); a store whose constant came from further up (`x = y = 0`) becomes
//! `POP_TOP`. Since a dead store is followed by another store on every path to a read,
//! no read becomes unbound; 3.12+ code generation re-checks `LOAD_FAST` against
//! definite assignment anyway.
//!
//! Acts only under `--assume no-frame-introspection` in files that show no frame
//! introspection: `locals()`, tracebacks' `f_locals` (pytest `--showlocals`) and
//! debuggers see the difference.

use pycopt_core::analysis::LocalAccess;
use pycopt_core::cfg::{BlockId, Cfg, EdgeKind, Scan};
use pycopt_core::codegen::Unit;
use pycopt_core::opcode::ArgKind;
use pycopt_core::PyVersion;

use std::collections::HashMap;

use super::{
    locals_are_private, new_instr, op, plain_local, scan_stores_a_constant, stores_a_constant,
    Bits, ConstStack, Liveness,
};
use crate::pass::{Assumption, Context, Pass, PassError, PassInfo};

/// See the [module documentation](self).
pub struct RemoveDeadStores;

impl Pass for RemoveDeadStores {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "remove-dead-stores",
            description: "removes stores of constants into locals nothing reads afterwards",
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
        let version = unit.version();
        let cfg = &mut unit.cfg;
        let frame = cfg.frame.clone();
        // Stores of a known constant into a plain local: without one, nothing to do
        // (and the analyses below are not worth running).
        let blocks = cfg
            .layout
            .iter()
            .map(|&b| cfg.block(b).instrs.iter().map(|i| (i.op, i.arg)));
        if !stores_a_constant(version, &frame, blocks) {
            return Ok(0);
        }
        let mut unbound = Bits::default();
        for &b in &cfg.layout {
            for ins in &cfg.block(b).instrs {
                if let LocalAccess::Delete(x) | LocalAccess::LoadAndClear(x) =
                    LocalAccess::of(version, ins.op, ins.arg)
                {
                    unbound.insert(x);
                }
            }
        }
        let eligible = |x: u32| plain_local(&frame, x) && !unbound.contains(x);
        let live = Liveness::compute(cfg);
        let held = HeldObjects::compute(cfg);
        let nop = op(version, "NOP").expect("every version has NOP");
        let pop_top = op(version, "POP_TOP").expect("every version has POP_TOP");
        let load_fast = op(version, "LOAD_FAST").expect("every version has LOAD_FAST");
        let store_fast = op(version, "STORE_FAST").expect("every version has STORE_FAST");
        let mut changes = 0;
        for b in cfg.layout.clone() {
            let after = live.after_each(cfg, b);
            let mut state = held.entry.get(&b).cloned().unwrap_or_default();
            let mut stack = ConstStack::default();
            let mut edits: Vec<Edit> = Vec::new();
            let instrs = &cfg.block(b).instrs;
            for (k, ins) in instrs.iter().enumerate() {
                let removable = |x: u32, live_after: bool, value: Option<u32>| {
                    eligible(x) && !live_after && value.is_some() && !state.contains(x)
                };
                let adjacent = k > 0 && instrs[k - 1].op.name == "LOAD_CONST";
                match LocalAccess::of(version, ins.op, ins.arg) {
                    LocalAccess::Store(x) if removable(x, after[k].contains(x), stack.top()) => {
                        edits.push(Edit::Store { k, adjacent });
                    }
                    LocalAccess::StoreLoad(x, y)
                        if removable(x, x == y || after[k].contains(x), stack.top()) =>
                    {
                        edits.push(Edit::Store { k, adjacent });
                    }
                    LocalAccess::StorePair(x, y) => {
                        // `x` gets the top, then `y` the value below it.
                        let live_x = x == y || after[k].contains(x);
                        let drop_x = removable(x, live_x, stack.top());
                        let drop_y = removable(y, after[k].contains(y), stack.nth(2));
                        if drop_x || drop_y {
                            edits.push(Edit::Pair { k, drop_x, drop_y });
                        }
                    }
                    _ => {}
                }
                HeldObjects::step(version, ins, &stack, &mut state);
                stack.step(version, ins.op, ins.arg);
            }
            let instrs = &mut cfg.graph[b].instrs;
            for edit in edits.into_iter().rev() {
                match edit {
                    Edit::Store { k, adjacent } => {
                        let pos = instrs[k].pos;
                        let load = match LocalAccess::of(version, instrs[k].op, instrs[k].arg) {
                            LocalAccess::StoreLoad(_, y) => Some(new_instr(load_fast, y, pos)),
                            _ => None,
                        };
                        let mut new = Vec::new();
                        if !(adjacent && load.is_some()) {
                            new.push(new_instr(if adjacent { nop } else { pop_top }, 0, pos));
                        }
                        new.extend(load);
                        instrs.splice(k..=k, new);
                        if adjacent {
                            let p = instrs[k - 1].pos;
                            instrs[k - 1] = new_instr(nop, 0, p);
                        }
                        changes += 1;
                    }
                    Edit::Pair { k, drop_x, drop_y } => {
                        let pos = instrs[k].pos;
                        let (x, y) = ArgKind::local_pair(instrs[k].arg);
                        let half = |gone: bool, slot: u32| {
                            new_instr(if gone { pop_top } else { store_fast }, slot, pos)
                        };
                        instrs.splice(k..=k, [half(drop_x, x), half(drop_y, y)]);
                        changes += usize::from(drop_x) + usize::from(drop_y);
                    }
                }
            }
        }
        Ok(changes)
    }

    fn may_change(&self, scan: &Scan<'_>, cx: &Context<'_>) -> bool {
        scan_stores_a_constant(scan, cx)
    }
}

/// One store to remove.
enum Edit {
    /// `STORE_FAST` (or the store half of `STORE_FAST_LOAD_FAST`) at `k`; when
    /// `adjacent`, the `LOAD_CONST` before it goes too.
    Store { k: usize, adjacent: bool },
    /// 3.13 `STORE_FAST_STORE_FAST` at `k`, split, with either half popped instead.
    Pair {
        k: usize,
        drop_x: bool,
        drop_y: bool,
    },
}

/// Which locals may hold an object other than a constant, before each block: a
/// forward may-analysis (arguments hold the caller's objects; a store of anything but
/// a known constant makes its local hold one; unbinding clears it).
struct HeldObjects {
    entry: HashMap<BlockId, Bits>,
}

impl HeldObjects {
    /// The effect of `ins` (with `stack` the constants before it).
    fn step(version: PyVersion, ins: &pycopt_core::cfg::Instr, stack: &ConstStack, s: &mut Bits) {
        match LocalAccess::of(version, ins.op, ins.arg) {
            LocalAccess::Store(x) | LocalAccess::StoreLoad(x, _) => {
                if stack.top().is_some() {
                    s.remove(x);
                } else {
                    s.insert(x);
                }
            }
            LocalAccess::StorePair(a, b) => {
                s.insert(a);
                s.insert(b);
            }
            LocalAccess::Delete(x) | LocalAccess::LoadAndClear(x) => s.remove(x),
            _ => {}
        }
    }

    /// Walks block `b` from `start`: the state at its end and every local made to
    /// hold an object somewhere in it.
    fn walk(cfg: &Cfg, b: BlockId, start: &Bits) -> (Bits, Bits) {
        let mut s = start.clone();
        let mut made = Bits::default();
        let mut stack = ConstStack::default();
        for ins in &cfg.block(b).instrs {
            let before = s.clone();
            Self::step(cfg.version, ins, &stack, &mut s);
            let mut gained = s.clone();
            for (i, w) in gained.0.iter_mut().enumerate() {
                *w &= !before.0.get(i).copied().unwrap_or(0);
            }
            made.union_with(&gained);
            stack.step(cfg.version, ins.op, ins.arg);
        }
        (s, made)
    }

    fn compute(cfg: &Cfg) -> HeldObjects {
        let mut start = Bits::default();
        for a in 0..cfg.frame.arguments {
            start.insert(a);
        }
        // Up to 3.10 a handler may be entered from anywhere its SETUP covers: it gets
        // every local that anything makes hold an object.
        let mut anywhere = start.clone();
        for &b in &cfg.layout {
            let (_, made) = Self::walk(cfg, b, &Bits::default());
            anywhere.union_with(&made);
        }
        let mut entry: HashMap<BlockId, Bits> = HashMap::new();
        entry.insert(cfg.entry, start);
        let mut work = vec![cfg.entry];
        while let Some(b) = work.pop() {
            let inn = entry[&b].clone();
            let (out, made) = Self::walk(cfg, b, &inn);
            for (k, s) in cfg.successors(b) {
                let offer = match k {
                    EdgeKind::Fallthrough | EdgeKind::Jump => out.clone(),
                    EdgeKind::Exception { .. } => {
                        let mut x = inn.clone();
                        x.union_with(&made);
                        x
                    }
                    EdgeKind::Setup => anywhere.clone(),
                };
                let e = entry.entry(s).or_insert_with(|| {
                    work.push(s);
                    offer.clone()
                });
                if e.union_with(&offer) {
                    work.push(s);
                }
            }
        }
        HeldObjects { entry }
    }
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
def dead(a):
    x = 1
    x = a
    y = z = 0
    z = a
    return x + y + z
def keep(a):
    f = open
    f = None
    x = 1
    if a:
        return x
    v = 2
    del v
    w = 3
    try:
        w = 4
        a()
    except Exception:
        return w
    return a
def arg(a):
    a = 1
    return 2
";

    #[test]
    fn dead_constant_stores_go() {
        for v in [(2, 7), (3, 6), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            let (n, after) = run_on(&c, "dead", &RemoveDeadStores, &assume()).unwrap();
            // `x = 1` (both instructions) and `z` of `y = z = 0` (a POP_TOP).
            assert_eq!(n, 2, "{v:?}: {after:#?}");
            assert!(after.iter().any(|l| l == "POP_TOP"), "{v:?}: {after:#?}");
            assert!(
                !after.iter().any(|l| l.contains("Int(1)")),
                "{v:?}: {after:#?}"
            );
        }
    }

    #[test]
    fn what_must_not_change() {
        for v in [(2, 7), (3, 8), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some(c) = Compiled::new(v, SRC) else {
                continue;
            };
            // `f = None` releases an object; `x` is read on one path; `v` is deleted;
            // the handler reads `w` and any instruction of the `try` may raise, so
            // `w = 3` stays too; `a = 1` stores into an argument.
            let (n, after) = run_on(&c, "keep", &RemoveDeadStores, &assume()).unwrap();
            assert_eq!(n, 0, "{v:?}: {after:#?}");
            let (n, after) = run_on(&c, "arg", &RemoveDeadStores, &assume()).unwrap();
            assert_eq!(n, 0, "{v:?}: {after:#?}");
            let (n, _) = run_on(&c, "dead", &RemoveDeadStores, &Options::default()).unwrap();
            assert_eq!(n, 0);
        }
    }
}
