//! Definite assignment of fast locals: which slots are certainly bound (hold a value,
//! not `NULL`) before each instruction.
//!
//! From 3.12, `LOAD_FAST` does not check its slot: reading an unbound local with it is
//! a crash, not an `UnboundLocalError`. CPython's compiler therefore emits
//! `LOAD_FAST_CHECK` wherever it cannot prove the local bound
//! (`add_checks_for_loads_of_uninitialized_variables` in `flowgraph.c`), and a rewriter
//! that moves or deletes stores must redo that proof. [`DefiniteAssignment`] is that
//! proof over a [`Cfg`]: a forward must-analysis (the meet is intersection) where
//!
//! * the argument slots are bound at entry ([`Frame::arguments`]); cells are bound by
//!   `MAKE_CELL`, free variables by `COPY_FREE_VARS`;
//! * `STORE_FAST`, `STORE_FAST_STORE_FAST` and the store half of
//!   `STORE_FAST_LOAD_FAST` bind — unless the stored value may be `NULL`;
//! * `DELETE_FAST` and `LOAD_FAST_AND_CLEAR` unbind;
//! * a `LOAD_FAST_CHECK` proves its local bound afterwards (it raises otherwise), and
//!   so does a `LOAD_FAST`, which code generation turns into a `LOAD_FAST_CHECK` when it
//!   is not proven;
//! * an exception handler starts with the meet of the states before every instruction
//!   its protected blocks hold (any of them may raise).
//!
//! The `NULL` subtlety: a 3.12+ inlined comprehension saves its iteration variable with
//! `LOAD_FAST_AND_CLEAR x` (which pushes `NULL` when `x` is unbound) and restores it
//! with a plain `STORE_FAST x` (the compiler's `STORE_FAST_MAYBE_NULL`), so a store
//! binds only if its value is known not to be `NULL`. The analysis keeps, beside the
//! bound set, the stack depth and the positions of values that may be `NULL`: only
//! `LOAD_FAST_AND_CLEAR` of a local not definitely bound creates one, `SWAP` and
//! `COPY` move or copy it, a store consumes it (unbinding its local), and every other
//! instruction pushes values that are not `NULL` (CPython would crash on a `NULL`
//! operand anyway). Positions below what an instruction's net stack effect leaves are
//! kept as they were, which can only leave a value marked "may be `NULL`" that is not:
//! the safe direction. An exception edge keeps the marks below the handler's depth.
//!
//! Unreachable blocks have no state; every read there counts as proven (it never
//! runs). Graphs whose stack depth does not settle (never compiled) make the analysis
//! give up safely: nothing is bound anywhere ([`DefiniteAssignment::converged`]).
//!
//! ```
//! use pycopt_core::analysis::DefiniteAssignment;
//! use pycopt_core::cfg::{Cfg, Instr};
//! use pycopt_core::linetable::Position;
//! use pycopt_core::opcode::table;
//! use pycopt_core::PyVersion;
//!
//! let v = PyVersion::V3_12;
//! let ins = |name: &str, arg| Instr {
//!     op: table(v).by_name(name).unwrap(),
//!     arg,
//!     pos: Position::NONE,
//!     prefixes: 0,
//!     cache: Box::new([]),
//!     offset: None,
//! };
//! // def f(a): b = a; del a; return b + a
//! let mut cfg = Cfg::new(v);
//! cfg.frame.arguments = 1;
//! let entry = cfg.entry;
//! cfg.graph[entry].instrs = vec![
//!     ins("RESUME", 0),
//!     ins("LOAD_FAST", 0),
//!     ins("STORE_FAST", 1),
//!     ins("DELETE_FAST", 0),
//!     ins("LOAD_FAST", 1),
//!     ins("LOAD_FAST", 0),
//!     ins("BINARY_OP", 0),
//!     ins("RETURN_VALUE", 0),
//! ];
//! let da = DefiniteAssignment::compute(&cfg);
//! let before = da.before_each(&cfg, entry).unwrap();
//! assert!(before[1].contains(0) && !before[1].contains(1));
//! assert!(before[4].contains(1));
//! assert!(!before[5].contains(0)); // deleted: this read needs LOAD_FAST_CHECK
//! let unproven: Vec<u32> = da.reads(&cfg, entry).iter()
//!     .filter(|r| !r.proven).map(|r| r.local).collect();
//! assert_eq!(unproven, [0]);
//! ```

use std::collections::HashMap;

use super::Ops;
use crate::cfg::{BlockId, Cfg, EdgeKind, Frame, Instr};
use crate::opcode::{ArgKind, OpInfo};
use crate::stackdepth::{Depth, Edge};
use crate::version::PyVersion;

/// What an instruction does to fast-local slots and to the values [`DefiniteAssignment`]
/// follows on the stack. Superinstruction pairs are `(first, second)` in execution
/// order: `arg >> 4`, then `arg & 15`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalAccess {
    /// `LOAD_FAST x`: reads `x` without a check (3.12+: `x` must be bound).
    Load(u32),
    /// `LOAD_FAST_CHECK x`: reads `x`, raising `UnboundLocalError` if it is unbound.
    LoadChecked(u32),
    /// 3.13 `LOAD_FAST_LOAD_FAST`: reads both without a check.
    LoadPair(u32, u32),
    /// `LOAD_FAST_AND_CLEAR x`: pushes `x`'s value (or `NULL`), then unbinds `x`.
    LoadAndClear(u32),
    /// `STORE_FAST x`: pops into `x` (a `NULL` leaves it unbound).
    Store(u32),
    /// 3.13 `STORE_FAST_STORE_FAST`: pops into the first, then into the second.
    StorePair(u32, u32),
    /// 3.13 `STORE_FAST_LOAD_FAST`: pops into the first, then reads the second
    /// without a check.
    StoreLoad(u32, u32),
    /// `DELETE_FAST x`: unbinds `x` (raising if it already was).
    Delete(u32),
    /// `MAKE_CELL x`: `x` holds a cell from now on.
    MakeCell(u32),
    /// `COPY_FREE_VARS n`: the last `n` slots hold the closure's cells from now on.
    CopyFreeVars(u32),
    /// `SWAP n`: exchanges the top and the `n`-th value.
    Swap(u32),
    /// `COPY n`: pushes a copy of the `n`-th value.
    Copy(u32),
    /// Any other instruction: no fast-local slot changes.
    Other,
}

impl LocalAccess {
    /// What `op` with argument `arg` (of a `version` graph) does to fast locals.
    pub fn of(version: PyVersion, op: &OpInfo, arg: u32) -> LocalAccess {
        LocalAccess::with(Ops::get(version), op, arg)
    }

    fn with(ops: &Ops, op: &OpInfo, arg: u32) -> LocalAccess {
        let is = |k| Ops::is(op, k);
        let (a, b) = ArgKind::local_pair(arg);
        if is(ops.load_fast) {
            LocalAccess::Load(arg)
        } else if is(ops.load_fast_check) {
            LocalAccess::LoadChecked(arg)
        } else if is(ops.load_fast_load_fast) {
            LocalAccess::LoadPair(a, b)
        } else if is(ops.load_fast_and_clear) {
            LocalAccess::LoadAndClear(arg)
        } else if is(ops.store_fast) {
            LocalAccess::Store(arg)
        } else if is(ops.store_fast_store_fast) {
            LocalAccess::StorePair(a, b)
        } else if is(ops.store_fast_load_fast) {
            LocalAccess::StoreLoad(a, b)
        } else if is(ops.delete_fast) {
            LocalAccess::Delete(arg)
        } else if is(ops.make_cell) {
            LocalAccess::MakeCell(arg)
        } else if is(ops.copy_free_vars) {
            LocalAccess::CopyFreeVars(arg)
        } else if is(ops.swap) {
            LocalAccess::Swap(arg)
        } else if is(ops.copy) {
            LocalAccess::Copy(arg)
        } else {
            LocalAccess::Other
        }
    }
}

/// A set of fast-local slot numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalSet {
    words: Vec<u64>,
}

impl LocalSet {
    /// The empty set.
    pub fn new() -> LocalSet {
        LocalSet::default()
    }

    /// Whether `local` is in the set.
    pub fn contains(&self, local: u32) -> bool {
        let (w, bit) = (local as usize / 64, local % 64);
        self.words.get(w).is_some_and(|x| x & (1 << bit) != 0)
    }

    /// Adds `local`.
    pub fn insert(&mut self, local: u32) {
        let (w, bit) = (local as usize / 64, local % 64);
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << bit;
    }

    /// Removes `local`.
    pub fn remove(&mut self, local: u32) {
        let (w, bit) = (local as usize / 64, local % 64);
        if let Some(x) = self.words.get_mut(w) {
            *x &= !(1 << bit);
        }
    }

    /// Keeps only what `other` holds too; returns whether anything was removed.
    pub fn intersect_with(&mut self, other: &LocalSet) -> bool {
        let mut changed = false;
        for (i, x) in self.words.iter_mut().enumerate() {
            let y = *x & other.words.get(i).copied().unwrap_or(0);
            changed |= y != *x;
            *x = y;
        }
        changed
    }

    /// The slots in the set, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            (0..64u32)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| i as u32 * 64 + b)
        })
    }

    /// Number of slots in the set.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }
}

/// One read of a fast local, as [`DefiniteAssignment::reads`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalRead {
    /// The instruction's index in its block.
    pub index: usize,
    /// 0 for the only or first read of the instruction, 1 for the second read of a
    /// `LOAD_FAST_LOAD_FAST`; the read of `STORE_FAST_LOAD_FAST` is 1 (after its store).
    pub half: u8,
    /// The slot read.
    pub local: u32,
    /// Whether the instruction checks the slot (`LOAD_FAST_CHECK`).
    pub checked: bool,
    /// Whether the slot is definitely bound at the read (always, in unreachable code).
    pub proven: bool,
}

/// The abstract state before an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    bound: LocalSet,
    depth: u32,
    /// Stack positions (from the bottom) whose value may be `NULL`, sorted.
    maybe_null: Vec<u32>,
}

impl State {
    fn is_null(&self, pos: u32) -> bool {
        self.maybe_null.binary_search(&pos).is_ok()
    }

    fn set_null(&mut self, pos: u32, null: bool) {
        match (self.maybe_null.binary_search(&pos), null) {
            (Err(at), true) => self.maybe_null.insert(at, pos),
            (Ok(at), false) => {
                self.maybe_null.remove(at);
            }
            _ => {}
        }
    }

    /// Whether the `n`-th value from the top (1 = the top) may be `NULL`.
    fn nth_null(&self, n: u32) -> bool {
        n >= 1 && n <= self.depth && self.is_null(self.depth - n)
    }

    /// Merges `other` in; returns whether `self` changed.
    fn join(&mut self, other: &State) -> bool {
        let mut changed = self.bound.intersect_with(&other.bound);
        if other.depth > self.depth {
            self.depth = other.depth;
            changed = true;
        }
        for &p in &other.maybe_null {
            if !self.is_null(p) {
                self.set_null(p, true);
                changed = true;
            }
        }
        changed
    }
}

/// Definitely bound fast locals over a [`Cfg`] (see the module documentation).
///
/// Meant for 3.12+ graphs (where `LOAD_FAST` does not check), and sound on every
/// version: up to 3.10, where a `SETUP_*` edge stands for a whole dynamic range of
/// the code, its handler starts with the state at the `SETUP` less every local the
/// code deletes anywhere.
#[derive(Clone, Debug)]
pub struct DefiniteAssignment {
    version: PyVersion,
    ops: &'static Ops,
    /// Number of fast-local slots ([`Frame::kinds`]), for `COPY_FREE_VARS`.
    slots: u32,
    entry: HashMap<BlockId, State>,
    converged: bool,
}

impl DefiniteAssignment {
    /// Runs the analysis over `cfg` (its [`Cfg::frame`] says which slots are
    /// arguments).
    pub fn compute(cfg: &Cfg) -> DefiniteAssignment {
        let mut da = DefiniteAssignment {
            version: cfg.version,
            ops: Ops::get(cfg.version),
            slots: cfg.frame.kinds.len() as u32,
            entry: HashMap::new(),
            converged: true,
        };
        da.solve(cfg);
        da
    }

    /// Whether the analysis reached its fixed point. When the stack depth of some loop
    /// never settles (code no compiler writes), it stops and reports nothing bound
    /// anywhere, which is safe.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The locals definitely bound at the start of block `b`; `None` when the block
    /// is unreachable.
    pub fn entry(&self, b: BlockId) -> Option<&LocalSet> {
        self.entry.get(&b).map(|s| &s.bound)
    }

    /// The locals definitely bound before each instruction of block `b` (`None` when
    /// the block is unreachable).
    pub fn before_each(&self, cfg: &Cfg, b: BlockId) -> Option<Vec<LocalSet>> {
        let mut s = self.entry.get(&b)?.clone();
        let mut out = Vec::with_capacity(cfg.block(b).instrs.len());
        for instr in &cfg.block(b).instrs {
            out.push(s.bound.clone());
            self.step(instr, &mut s, Edge::FallThrough, &mut |_, _, _, _| {});
        }
        Some(out)
    }

    /// Every read of a fast local in block `b`, in order, with whether the analysis
    /// proves the slot bound there.
    pub fn reads(&self, cfg: &Cfg, b: BlockId) -> Vec<LocalRead> {
        let mut out = Vec::new();
        let instrs = &cfg.block(b).instrs;
        let Some(start) = self.entry.get(&b) else {
            for (index, instr) in instrs.iter().enumerate() {
                let mut s = State {
                    bound: LocalSet::new(),
                    depth: 0,
                    maybe_null: Vec::new(),
                };
                self.step(
                    instr,
                    &mut s,
                    Edge::FallThrough,
                    &mut |half, local, checked, _| {
                        out.push(LocalRead {
                            index,
                            half,
                            local,
                            checked,
                            proven: true,
                        })
                    },
                );
            }
            return out;
        };
        let mut s = start.clone();
        for (index, instr) in instrs.iter().enumerate() {
            self.step(
                instr,
                &mut s,
                Edge::FallThrough,
                &mut |half, local, checked, proven| {
                    out.push(LocalRead {
                        index,
                        half,
                        local,
                        checked,
                        proven,
                    })
                },
            );
        }
        out
    }

    /// The state at the start of the code.
    fn start(frame: &Frame) -> State {
        let mut bound = LocalSet::new();
        for a in 0..frame.arguments {
            bound.insert(a);
        }
        State {
            bound,
            depth: 0,
            maybe_null: Vec::new(),
        }
    }

    fn solve(&mut self, cfg: &Cfg) {
        let blocks = cfg.layout.len().max(1) as u64;
        let slots = u64::from(self.slots.max(64));
        let mut budget = 10_000 + blocks * (slots + 32) * 4;
        let mut work: Vec<BlockId> = vec![cfg.entry];
        self.entry.insert(cfg.entry, Self::start(&cfg.frame));
        // Up to 3.10: the slots no instruction of the code unbinds.
        let mut not_deleted = LocalSet::new();
        if !self.version.at_least(PyVersion::V3_11) {
            let mut top = 0;
            let mut deleted = LocalSet::new();
            for &b in &cfg.layout {
                for i in &cfg.block(b).instrs {
                    match LocalAccess::with(self.ops, i.op, i.arg) {
                        LocalAccess::Delete(x) | LocalAccess::LoadAndClear(x) => deleted.insert(x),
                        LocalAccess::Store(x) | LocalAccess::Load(x) => top = top.max(x + 1),
                        _ => {}
                    }
                }
            }
            for x in 0..top.max(self.slots).max(cfg.frame.arguments) {
                if !deleted.contains(x) {
                    not_deleted.insert(x);
                }
            }
        }
        while let Some(b) = work.pop() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                self.give_up();
                return;
            }
            let Some(start) = self.entry.get(&b) else {
                continue;
            };
            let mut s = start.clone();
            let instrs = &cfg.block(b).instrs;
            let handler = cfg.successors(b).find_map(|(k, to)| match k {
                EdgeKind::Exception { depth, lasti } => Some((to, depth, lasti)),
                _ => None,
            });
            // The meet of the states before each instruction, for the handler.
            let mut at_raise: Option<State> = None;
            let mut jumped: Option<State> = None;
            for (k, instr) in instrs.iter().enumerate() {
                if let Some((_, depth, _)) = handler {
                    match &mut at_raise {
                        Some(acc) => {
                            acc.bound.intersect_with(&s.bound);
                            for &p in s.maybe_null.iter().take_while(|&&p| p < depth) {
                                acc.set_null(p, true);
                            }
                        }
                        None => {
                            let mut here = s.clone();
                            here.maybe_null.retain(|&p| p < depth);
                            at_raise = Some(here);
                        }
                    }
                }
                if k + 1 == instrs.len() && instr.op.jump.is_some() {
                    let mut j = s.clone();
                    self.step(instr, &mut j, Edge::Jump, &mut |_, _, _, _| {});
                    jumped = Some(j);
                }
                self.step(instr, &mut s, Edge::FallThrough, &mut |_, _, _, _| {});
            }
            let mut offers: Vec<(BlockId, State)> = Vec::new();
            for (kind, to) in cfg.successors(b) {
                match kind {
                    EdgeKind::Fallthrough => offers.push((to, s.clone())),
                    EdgeKind::Jump => {
                        offers.push((to, jumped.clone().unwrap_or_else(|| s.clone())))
                    }
                    EdgeKind::Setup => {
                        // Up to 3.10 the handler is reached from anywhere in the
                        // block's dynamic range, which the graph does not delimit:
                        // stores there only add bindings, deletions anywhere remove.
                        let mut h = jumped.clone().unwrap_or_else(|| s.clone());
                        h.bound.intersect_with(&not_deleted);
                        offers.push((to, h));
                    }
                    EdgeKind::Exception { depth, lasti } => {
                        if let Some(mut h) = at_raise.clone() {
                            h.depth = depth + u32::from(lasti) + 1;
                            offers.push((to, h));
                        }
                    }
                }
            }
            for (to, state) in offers {
                match self.entry.get_mut(&to) {
                    Some(old) => {
                        if old.join(&state) {
                            work.push(to);
                        }
                    }
                    None => {
                        self.entry.insert(to, state);
                        work.push(to);
                    }
                }
            }
        }
    }

    /// The safe answer for graphs whose walk does not settle: nothing bound, every
    /// stack value possibly `NULL`.
    fn give_up(&mut self) {
        self.converged = false;
        for s in self.entry.values_mut() {
            s.bound = LocalSet::new();
            s.maybe_null = (0..s.depth).collect();
        }
    }

    /// Applies `instr` to `s` along `edge`, calling `read(half, local, checked,
    /// proven)` for each fast-local read.
    fn step(
        &self,
        instr: &Instr,
        s: &mut State,
        edge: Edge,
        read: &mut dyn FnMut(u8, u32, bool, bool),
    ) {
        let mut load = |s: &mut State, half: u8, x: u32, checked: bool| {
            read(half, x, checked, s.bound.contains(x));
            s.bound.insert(x);
        };
        let store = |s: &mut State, x: u32, nth: u32| {
            if s.nth_null(nth) {
                s.bound.remove(x);
            } else {
                s.bound.insert(x);
            }
        };
        match LocalAccess::with(self.ops, instr.op, instr.arg) {
            LocalAccess::Load(x) => load(s, 0, x, false),
            LocalAccess::LoadChecked(x) => load(s, 0, x, true),
            LocalAccess::LoadPair(a, b) => {
                load(s, 0, a, false);
                load(s, 1, b, false);
            }
            LocalAccess::LoadAndClear(x) => {
                let null = !s.bound.contains(x);
                s.set_null(s.depth, null);
                s.bound.remove(x);
            }
            LocalAccess::Store(x) => store(s, x, 1),
            LocalAccess::StorePair(a, b) => {
                store(s, a, 1);
                store(s, b, 2);
            }
            LocalAccess::StoreLoad(a, b) => {
                store(s, a, 1);
                // The loaded value replaces the stored one on the stack.
                if s.depth > 0 {
                    s.set_null(s.depth - 1, false);
                }
                load(s, 1, b, false);
            }
            LocalAccess::Delete(x) => s.bound.remove(x),
            LocalAccess::MakeCell(x) => s.bound.insert(x),
            LocalAccess::CopyFreeVars(n) => {
                for x in self.slots.saturating_sub(n)..self.slots {
                    s.bound.insert(x);
                }
            }
            LocalAccess::Swap(n) => {
                if n >= 1 && n <= s.depth {
                    let (top, other) = (s.depth - 1, s.depth - n);
                    let (a, b) = (s.is_null(top), s.is_null(other));
                    s.set_null(top, b);
                    s.set_null(other, a);
                }
            }
            LocalAccess::Copy(n) => {
                let null = s.nth_null(n);
                s.set_null(s.depth, null);
            }
            LocalAccess::Other => {}
        }
        let depth = i64::from(s.depth) + i64::from(Depth::effect(instr.op, instr.arg, edge));
        s.depth = depth.clamp(0, i64::from(u32::MAX)) as u32;
        let d = s.depth;
        s.maybe_null.retain(|&p| p < d);
    }
}

/// The instructions that read like `instr` but check every read `unproven` marks:
/// `LOAD_FAST` becomes `LOAD_FAST_CHECK`, and a 3.13 superinstruction with an unproven
/// read splits in two (`LOAD_FAST_LOAD_FAST` into two loads, `STORE_FAST_LOAD_FAST`
/// into `STORE_FAST` and a load). `unproven[h]` is for read `h` ([`LocalRead::half`]).
/// Returns `None` when `instr` stays as it is.
pub fn checked_form(
    version: PyVersion,
    instr: &Instr,
    unproven: [bool; 2],
) -> Option<Vec<(&'static OpInfo, u32)>> {
    let ops = Ops::get(version);
    let load = |u: bool| {
        if u {
            ops.load_fast_check
        } else {
            ops.load_fast
        }
    };
    match LocalAccess::of(version, instr.op, instr.arg) {
        LocalAccess::Load(x) if unproven[0] => Some(vec![(ops.load_fast_check?, x)]),
        LocalAccess::LoadPair(a, b) if unproven[0] || unproven[1] => {
            Some(vec![(load(unproven[0])?, a), (load(unproven[1])?, b)])
        }
        LocalAccess::StoreLoad(a, b) if unproven[1] => {
            Some(vec![(ops.store_fast?, a), (ops.load_fast_check?, b)])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
