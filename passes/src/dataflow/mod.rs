//! Passes that act under an assumption and reason about where values flow: loads of
//! locals assigned once from a constant (`propagate-constants`), stores nobody reads
//! (`remove-dead-stores`), loads of module-level constants (`fold-globals`).
//!
//! The analyses they share live here: which fast-local slots are plain locals,
//! dominance between instruction points (`PointDominance`), liveness of fast
//! locals with exception edges (`Liveness`), and which stack values within a block
//! are known constants (`ConstStack`). What each instruction does to fast locals
//! comes from core's [`LocalAccess`], and definite assignment from core's
//! [`DefiniteAssignment`](pycopt_core::analysis::DefiniteAssignment): one place for
//! each fact.

pub mod dead_stores;
pub mod fold_globals;
pub mod propagate_constants;

pub use dead_stores::RemoveDeadStores;
pub use fold_globals::{globals_bound_in, FoldGlobals};
pub use propagate_constants::PropagateConstants;

use std::collections::HashMap;

use pycopt_core::analysis::LocalAccess;
use pycopt_core::cfg::{BlockId, Cfg, EdgeKind, Frame, Instr, Scan};
use pycopt_core::code::kind;
use pycopt_core::opcode::OpInfo;
use pycopt_core::PyVersion;

use crate::pass::{Assumption, Context};

pub(crate) use crate::classic::{new_instr, op, CO_OPTIMIZED};

/// Whether a pass may rewrite the fast locals of `unit`: the user assumes no frame
/// introspection, the file shows none, and the code is a function's.
fn locals_are_private(flags: i32, cx: &Context<'_>) -> bool {
    flags & CO_OPTIMIZED != 0
        && cx.assumes(Assumption::NoFrameIntrospection)
        && !cx.facts().introspects_frames
}

/// Whether some block stores a constant known from the stack (a `LOAD_CONST`, or a
/// copy of one) into a plain local: what `propagate-constants` and
/// `remove-dead-stores` need to find anything. `blocks` gives each block's
/// `(opcode, argument)`s.
fn stores_a_constant<'a, B, I>(version: PyVersion, frame: &Frame, blocks: B) -> bool
where
    B: IntoIterator<Item = I>,
    I: IntoIterator<Item = (&'a OpInfo, u32)>,
{
    for block in blocks {
        let mut stack = ConstStack::default();
        for (op, arg) in block {
            let found = match LocalAccess::of(version, op, arg) {
                LocalAccess::Store(x) | LocalAccess::StoreLoad(x, _) => {
                    stack.top().is_some() && plain_local(frame, x)
                }
                LocalAccess::StorePair(x, y) => {
                    (stack.top().is_some() && plain_local(frame, x))
                        || (stack.nth(2).is_some() && plain_local(frame, y))
                }
                _ => false,
            };
            if found {
                return true;
            }
            stack.step(version, op, arg);
        }
    }
    false
}

/// [`stores_a_constant`] over a scanned code object whose locals are private.
fn scan_stores_a_constant(scan: &Scan<'_>, cx: &Context<'_>) -> bool {
    if scan.code.flags & CO_OPTIMIZED == 0 {
        return false;
    }
    // Cheap before the frame and the facts: no local store at all.
    let version = scan.version;
    let any_store = scan.instrs.iter().any(|i| {
        matches!(
            LocalAccess::of(version, i.op, i.arg),
            LocalAccess::Store(_) | LocalAccess::StoreLoad(..) | LocalAccess::StorePair(..)
        )
    });
    if !any_store || !locals_are_private(scan.code.flags, cx) {
        return false;
    }
    let frame = Frame::of(scan.code, scan.graph);
    stores_a_constant(
        version,
        &frame,
        (0..scan.block_count()).map(|n| scan.instrs[scan.block(n)].iter().map(|i| (i.op, i.arg))),
    )
}

/// Whether slot `x` is a plain local: not an argument, not a cell or free variable,
/// not a hidden comprehension temporary.
fn plain_local(frame: &Frame, x: u32) -> bool {
    x >= frame.arguments && frame.kinds.get(x as usize) == Some(&kind::LOCAL)
}

/// A growable set of small numbers (fast-local slots).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn contains(&self, x: u32) -> bool {
        self.0
            .get(x as usize / 64)
            .is_some_and(|w| w & (1 << (x % 64)) != 0)
    }

    fn insert(&mut self, x: u32) {
        let w = x as usize / 64;
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << (x % 64);
    }

    fn remove(&mut self, x: u32) {
        if let Some(w) = self.0.get_mut(x as usize / 64) {
            *w &= !(1 << (x % 64));
        }
    }

    /// Adds `other`'s members; returns whether anything was added.
    fn union_with(&mut self, other: &Bits) -> bool {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            let n = *a | b;
            changed |= n != *a;
            *a = n;
        }
        changed
    }
}

/// The slots an instruction reads and writes, in execution order.
fn accesses(version: PyVersion, ins: &Instr) -> (Vec<u32>, Vec<u32>, Option<(u32, u32)>) {
    // (uses, defs, store-then-load pair)
    match LocalAccess::of(version, ins.op, ins.arg) {
        LocalAccess::Load(x)
        | LocalAccess::LoadChecked(x)
        | LocalAccess::LoadAndClear(x)
        | LocalAccess::Delete(x)
        | LocalAccess::MakeCell(x) => (vec![x], vec![], None),
        LocalAccess::LoadPair(a, b) => (vec![a, b], vec![], None),
        LocalAccess::Store(x) => (vec![], vec![x], None),
        LocalAccess::StorePair(a, b) => (vec![], vec![a, b], None),
        LocalAccess::StoreLoad(a, b) => (vec![], vec![], Some((a, b))),
        _ => (vec![], vec![], None),
    }
}

/// Liveness of fast locals, backwards over the graph, exception edges included.
///
/// A 3.11+ handler may be entered from any instruction of a block its edge leaves,
/// so what the handler reads is live at every point of that block. Up to 3.10 the
/// handler of a `SETUP_*` may be entered from anywhere in a region the graph does not
/// delimit, so what any handler reads is taken as live everywhere (safe, and only
/// costs opportunities in functions with `try`).
struct Liveness {
    version: PyVersion,
    live_in: HashMap<BlockId, Bits>,
    /// Per block: what its exception handler reads (live at each of its points).
    raise_live: HashMap<BlockId, Bits>,
    /// Up to 3.10: what any `SETUP_*` handler reads.
    setup_live: Bits,
}

impl Liveness {
    fn compute(cfg: &Cfg) -> Liveness {
        let mut l = Liveness {
            version: cfg.version,
            live_in: HashMap::new(),
            raise_live: HashMap::new(),
            setup_live: Bits::default(),
        };
        loop {
            let mut changed = false;
            for &b in cfg.layout.iter().rev() {
                let mut out = Bits::default();
                let mut raise = Bits::default();
                for (k, s) in cfg.successors(b) {
                    let Some(inn) = l.live_in.get(&s) else {
                        continue;
                    };
                    match k {
                        EdgeKind::Fallthrough | EdgeKind::Jump => {
                            out.union_with(inn);
                        }
                        EdgeKind::Setup => {
                            out.union_with(inn);
                            changed |= l.setup_live.union_with(inn);
                        }
                        EdgeKind::Exception { .. } => {
                            raise.union_with(inn);
                        }
                    }
                }
                raise.union_with(&l.setup_live);
                let inn = l.transfer_block(cfg, b, out, &raise, &mut |_, _| {});
                changed |= l.raise_live.get(&b) != Some(&raise);
                l.raise_live.insert(b, raise);
                if l.live_in.get(&b) != Some(&inn) {
                    l.live_in.insert(b, inn);
                    changed = true;
                }
            }
            if !changed {
                return l;
            }
        }
    }

    /// Walks block `b` backwards from `out`, calling `after(k, live)` with what is
    /// live just after instruction `k`; returns what is live at the block's start.
    fn transfer_block(
        &self,
        cfg: &Cfg,
        b: BlockId,
        mut live: Bits,
        raise: &Bits,
        after: &mut dyn FnMut(usize, &Bits),
    ) -> Bits {
        live.union_with(raise);
        for (k, ins) in cfg.block(b).instrs.iter().enumerate().rev() {
            after(k, &live);
            let (uses, defs, store_load) = accesses(self.version, ins);
            if let Some((a, x)) = store_load {
                live.insert(x);
                live.remove(a);
            }
            for d in defs.iter().rev() {
                live.remove(*d);
            }
            for u in uses {
                live.insert(u);
            }
            live.union_with(raise);
        }
        live
    }

    /// What is live after each instruction of block `b`.
    fn after_each(&self, cfg: &Cfg, b: BlockId) -> Vec<Bits> {
        let mut out = Bits::default();
        for (k, s) in cfg.successors(b) {
            if matches!(k, EdgeKind::Fallthrough | EdgeKind::Jump | EdgeKind::Setup) {
                if let Some(inn) = self.live_in.get(&s) {
                    out.union_with(inn);
                }
            }
        }
        let raise = self.raise_live.get(&b).cloned().unwrap_or_default();
        let n = cfg.block(b).instrs.len();
        let mut res = vec![Bits::default(); n];
        self.transfer_block(cfg, b, out, &raise, &mut |k, live| res[k] = live.clone());
        res
    }
}

/// Stack values known to be constants within one block: `Some(i)` is `co_consts[i]`,
/// `None` (or a position below what is tracked) anything else. Only `LOAD_CONST`,
/// copies of tracked values and pops are followed; any other instruction forgets
/// everything, which is always safe.
#[derive(Clone, Debug, Default)]
struct ConstStack(Vec<Option<u32>>);

impl ConstStack {
    /// The constant on top of the stack, if known.
    fn top(&self) -> Option<u32> {
        self.0.last().copied().flatten()
    }

    /// The constant `n` values down (1 = the top), if known.
    fn nth(&self, n: usize) -> Option<u32> {
        (n >= 1 && n <= self.0.len())
            .then(|| self.0[self.0.len() - n])
            .flatten()
    }

    fn pop(&mut self) {
        self.0.pop();
    }

    /// The effect of opcode `op` with argument `arg`.
    fn step(&mut self, version: PyVersion, op: &OpInfo, arg: u32) {
        let name = op.name;
        match LocalAccess::of(version, op, arg) {
            LocalAccess::Load(_) | LocalAccess::LoadChecked(_) | LocalAccess::LoadAndClear(_) => {
                self.0.push(None);
                return;
            }
            LocalAccess::LoadPair(..) => {
                self.0.extend([None, None]);
                return;
            }
            LocalAccess::Store(_) => {
                self.pop();
                return;
            }
            LocalAccess::StorePair(..) => {
                self.pop();
                self.pop();
                return;
            }
            LocalAccess::StoreLoad(..) => {
                self.pop();
                self.0.push(None);
                return;
            }
            LocalAccess::Copy(n) => {
                let n = n as usize;
                let v = (n >= 1 && n <= self.0.len())
                    .then(|| self.0[self.0.len() - n])
                    .flatten();
                self.0.push(v);
                return;
            }
            _ => {}
        }
        match name {
            "LOAD_CONST" => self.0.push(Some(arg)),
            "DUP_TOP" => {
                let v = self.top();
                self.0.push(v);
            }
            "POP_TOP" => self.pop(),
            "NOP" => {}
            _ => self.0.clear(),
        }
    }
}

/// Dominance between points of a graph, exception edges included.
///
/// Each block is two nodes: its start, where a 3.11+ exception edge leaves (any of
/// its instructions may raise, before or after a given point), and its end, where
/// fall-through, jump and `SETUP_*` edges leave (a `SETUP_*` handler is entered only
/// after the block that pushes it has run). Instruction `(b1, k1)` dominates
/// `(b2, k2)` when every path from the entry to the second runs the first.
pub(crate) struct PointDominance {
    index: HashMap<BlockId, usize>,
    /// Immediate dominator of each node (`usize::MAX`: unreachable).
    idom: Vec<usize>,
}

impl PointDominance {
    /// Dominators of `cfg` (Cooper, Harvey and Kennedy's iterative algorithm).
    pub(crate) fn of(cfg: &Cfg) -> PointDominance {
        let index: HashMap<BlockId, usize> = cfg
            .layout
            .iter()
            .enumerate()
            .map(|(i, &b)| (b, i))
            .collect();
        let n = cfg.layout.len() * 2;
        let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, &b) in cfg.layout.iter().enumerate() {
            succ[2 * i].push(2 * i + 1);
            for (k, s) in cfg.successors(b) {
                let Some(&j) = index.get(&s) else { continue };
                match k {
                    EdgeKind::Exception { .. } => succ[2 * i].push(2 * j),
                    _ => succ[2 * i + 1].push(2 * j),
                }
            }
        }
        let mut idom = vec![usize::MAX; n];
        let Some(&e) = index.get(&cfg.entry) else {
            return PointDominance { index, idom };
        };
        let root = 2 * e;
        // Reverse postorder from the root.
        let mut order = Vec::new();
        let mut seen = vec![false; n];
        let mut stack = vec![(root, 0usize)];
        seen[root] = true;
        while let Some((v, i)) = stack.pop() {
            if let Some(&w) = succ[v].get(i) {
                stack.push((v, i + 1));
                if !seen[w] {
                    seen[w] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(v);
            }
        }
        order.reverse();
        let mut rpo = vec![usize::MAX; n];
        for (i, &v) in order.iter().enumerate() {
            rpo[v] = i;
        }
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (v, out) in succ.iter().enumerate() {
            for &w in out {
                preds[w].push(v);
            }
        }
        idom[root] = root;
        let mut changed = true;
        while changed {
            changed = false;
            for &v in order.iter().skip(1) {
                let mut new = usize::MAX;
                for &p in &preds[v] {
                    if idom[p] == usize::MAX {
                        continue;
                    }
                    new = if new == usize::MAX {
                        p
                    } else {
                        let (mut a, mut b) = (p, new);
                        while a != b {
                            while rpo[a] > rpo[b] {
                                a = idom[a];
                            }
                            while rpo[b] > rpo[a] {
                                b = idom[b];
                            }
                        }
                        a
                    };
                }
                if new != usize::MAX && idom[v] != new {
                    idom[v] = new;
                    changed = true;
                }
            }
        }
        PointDominance { index, idom }
    }

    fn node_dominates(&self, a: usize, mut b: usize) -> bool {
        if self.idom[a] == usize::MAX || self.idom[b] == usize::MAX {
            return false;
        }
        loop {
            if a == b {
                return true;
            }
            let up = self.idom[b];
            if up == b {
                return false;
            }
            b = up;
        }
    }

    /// Whether instruction `k1` of block `b1` runs on every path to instruction `k2`
    /// of block `b2` (both reachable).
    pub(crate) fn dominates(&self, (b1, k1): (BlockId, usize), (b2, k2): (BlockId, usize)) -> bool {
        let (Some(&i), Some(&j)) = (self.index.get(&b1), self.index.get(&b2)) else {
            return false;
        };
        if i == j {
            return k1 < k2 && self.idom[2 * i] != usize::MAX;
        }
        self.node_dominates(2 * i + 1, 2 * j)
    }
}

/// Helpers for the unit tests of this module and of [`crate::strip`]: compiling
/// source with a real interpreter and running one pass over one code object.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use pycopt_core::code::walk_code;
    use pycopt_core::codegen::Unit;
    use pycopt_core::opcode::ArgKind;
    use pycopt_core::Pyc;

    use crate::facts::FileFacts;
    use crate::pass::{Context, Options, Pass};

    /// A source file compiled by one interpreter.
    pub(crate) struct Compiled {
        pub pyc: Pyc,
    }

    impl Compiled {
        /// Compiles `src` with CPython `version`; `None` when that interpreter is not
        /// installed (the test then checks nothing for it).
        pub(crate) fn new(version: (u8, u8), src: &str) -> Option<Compiled> {
            static N: AtomicUsize = AtomicUsize::new(0);
            let interp = pycopt_corpus::find(version.0, version.1)?;
            let n = N.fetch_add(1, Ordering::Relaxed);
            let dir: PathBuf = std::env::temp_dir().join(format!(
                "pycopt-passes-unit-{}-{n}-{}{}",
                std::process::id(),
                version.0,
                version.1
            ));
            std::fs::create_dir_all(&dir).ok()?;
            let py = dir.join("m.py");
            let out = dir.join("m.pyc");
            std::fs::write(&py, src).ok()?;
            let script = "import sys, py_compile\npy_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)\n";
            let o = interp
                .run(["-c", script, &py.to_string_lossy(), &out.to_string_lossy()])
                .ok()?;
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let data = std::fs::read(&out).ok()?;
            let _ = std::fs::remove_dir_all(&dir);
            Some(Compiled {
                pyc: Pyc::parse(data).expect("the interpreter's own pyc parses"),
            })
        }
    }

    /// Opens the first code object named `name` and runs `pass` on it with `options`
    /// (all assumptions the caller put in them); returns the changes and a listing,
    /// after checking that code generation and the verifier accept the result.
    pub(crate) fn run_on(
        c: &Compiled,
        name: &str,
        pass: &dyn Pass,
        options: &Options,
    ) -> Option<(usize, Vec<String>)> {
        let (n, unit) = open_and_run(c, name, pass, options)?;
        let l = unit_listing(&unit);
        if let Err(e) = unit.clone().finish() {
            panic!("{name}: the result does not verify: {e}\n{l:#?}");
        }
        Some((n, l))
    }

    /// The constants of `name` after `pass`, as `Debug` text.
    pub(crate) fn consts_of(
        c: &Compiled,
        name: &str,
        pass: &dyn Pass,
        options: &Options,
    ) -> Vec<String> {
        let (_, mut unit) = open_and_run(c, name, pass, options).expect("code object exists");
        (0..unit.const_count() as u32)
            .map(|i| format!("{:?}", unit.constant(i).unwrap()))
            .collect()
    }

    /// The listing of `name` as compiled.
    pub(crate) fn listing(c: &Compiled, name: &str) -> Vec<String> {
        let (id, path) = find(c, name).expect("code object exists");
        let unit = Unit::open(&c.pyc.graph, id, path, c.pyc.version()).unwrap();
        unit_listing(&unit)
    }

    fn find(c: &Compiled, name: &str) -> Option<(pycopt_core::marshal::ObjId, String)> {
        walk_code(&c.pyc.graph, c.pyc.root)
            .into_iter()
            .find(|(id, _)| {
                c.pyc
                    .graph
                    .as_code(*id)
                    .is_some_and(|code| code.name(&c.pyc.graph) == name)
            })
    }

    fn open_and_run<'g>(
        c: &'g Compiled,
        name: &str,
        pass: &dyn Pass,
        options: &Options,
    ) -> Option<(usize, Unit<'g>)> {
        let (id, path) = find(c, name)?;
        let facts = FileFacts::of(&c.pyc);
        let cx = Context::new(options, &facts, c.pyc.version());
        let mut unit = Unit::open(&c.pyc.graph, id, path, c.pyc.version()).unwrap();
        let n = pass.run(&mut unit, &cx).unwrap();
        Some((n, unit))
    }

    /// One line per instruction: `OPNAME argument`, arguments resolved.
    fn unit_listing(unit: &Unit<'_>) -> Vec<String> {
        let mut unit = unit.clone();
        let locals: Vec<String> = unit
            .code
            .locals_plus(unit.graph)
            .into_iter()
            .map(|(n, _)| n.into_owned())
            .collect();
        let mut out = Vec::new();
        for b in unit.cfg.layout.clone() {
            for ins in unit.cfg.block(b).instrs.clone() {
                let arg = match ins.op.arg_kind {
                    ArgKind::Const => format!("{:?}", unit.constant(ins.arg)),
                    ArgKind::Name { shift } => {
                        let n = unit.names().get((ins.arg >> shift) as usize).cloned();
                        format!("{} {}", n.unwrap_or_default(), ins.arg & ((1 << shift) - 1))
                    }
                    ArgKind::Local => locals.get(ins.arg as usize).cloned().unwrap_or_default(),
                    ArgKind::LocalPair => format!(
                        "{} {}",
                        locals
                            .get((ins.arg >> 4) as usize)
                            .cloned()
                            .unwrap_or_default(),
                        locals
                            .get((ins.arg & 15) as usize)
                            .cloned()
                            .unwrap_or_default()
                    ),
                    ArgKind::None => String::new(),
                    _ => ins.arg.to_string(),
                };
                out.push(format!("{} {arg}", ins.op.name).trim_end().to_string());
            }
        }
        out
    }
}
