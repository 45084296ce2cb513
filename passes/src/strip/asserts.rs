//! `strip-asserts`: removes `assert` statements, as `python -O` does.
//!
//! # What an assert compiles to
//!
//! `assert test, msg` is `<test>` as a chain of conditional jumps that go to the
//! statement's end `L` when the test holds, then the raise part
//! `<marker> [<msg>; CALL 1]; RAISE_VARARGS 1`, then `L`. The marker is
//! `LOAD_ASSERTION_ERROR` from 3.9, which nothing but `assert` emits; up to 3.8 it is
//! `LOAD_GLOBAL AssertionError`, the same bytes as a hand-written
//! `if not test: raise AssertionError(msg)` in a function (see below). The compilers'
//! later steps reshape this: 3.10+ duplicate the raise part (chained comparisons have
//! two), 3.12 moves it after a loop's back jump and inverts the test's last jump, 3.8
//! threads the jump to `L` on to a loop's head, 3.13 fuses the previous statement's
//! store with the test's first load into `STORE_FAST_LOAD_FAST`.
//!
//! # How it is found: a single-entry region on the control-flow graph
//!
//! From each marker, with `d` the stack depth before it (the depth between
//! statements), the pass grows the region backwards over predecessors, each taken
//! from its last point at depth `d` on (the backward stack-depth slice; a point
//! inside a 3.13 `STORE_FAST_LOAD_FAST` counts):
//! - a block entered above depth `d` is inside the test's expression: its
//!   predecessors belong to the region;
//! - so do predecessors that stay above `d` all the way into the raise part (a
//!   chained comparison's last comparison and its cleanup `POP_TOP`), and a block
//!   that is only an unconditional jump into the raise part (which then counts as
//!   part of it). A predecessor that stays above `d` into a test block entered at
//!   `d` is another construct whose edge pops down to `d` (a loop's `FOR_ITER` exit,
//!   the end of a `finally` block);
//! - a block entered at depth `d` starts a boolean piece of the test or the whole
//!   statement: a predecessor ending in a conditional jump joins when its other
//!   target is already in the region (only the test jumps into its own blocks), or,
//!   when that target leaves the region, if its instructions lie in the assert's
//!   source span (3.12+: the marker's position, exact, with columns; up to 3.11:
//!   lines from the marker's line on — 3.11 has columns, but gives the marker and the
//!   test's jumps the position of an operand as often as the statement's);
//! - raise parts at the marker's very position (3.10+ duplicate them: a chained
//!   comparison or a conditional expression as the test has two) join from the
//!   start; so do raise parts that the test's blocks lead to. Copies elsewhere (a
//!   `finally` body's, at another depth or not connected to this one) are separate
//!   asserts.
//!
//! The region must then have exactly one entry (one block or mid-block point entered
//! from outside), its raise parts must end in `RAISE_VARARGS 1`, every test
//! instruction must lie in the assert's span, and every way out of the test must
//! lead to one block `L` (after following blocks that are only a jump, and taking
//! copies of one exit block, such as 3.10+'s duplicated implicit `return None`, as
//! one). The entry is then cut: what precedes the assert stays, a `NOP` with the
//! assert's position follows (so the line keeps an event), and control goes on to
//! `L` by falling through or a jump. The region's blocks, and the blocks only they
//! reached (handlers of an inlined comprehension in the test), are removed. Anything
//! that does not fit is left as it is.
//!
//! # What is not stripped, or not exactly as `-O` would
//!
//! - From 3.10, asserts that cannot pass (`assert False`, `assert 0, msg`, often the
//!   `else:` of an `if` chain or a function's last statement): the compiler folded
//!   the test and removed the code after them, so there is no `L` to continue to
//!   (2.7–3.9 still test the constant and keep what follows; there they go).
//! - Up to 3.8, in functions, only asserts whose test's last jump and the
//!   `LOAD_GLOBAL AssertionError` share one line and whose raise part is exactly
//!   `LOAD_GLOBAL AssertionError [<msg>; CALL_FUNCTION 1]; RAISE_VARARGS 1`. A
//!   hand-written `if not x: raise AssertionError(msg)` on one line is the same
//!   bytecode and is stripped too (the 3.8 standard library has three, in
//!   `test_wsgiref`). In module and class bodies a hand-written `AssertionError` is
//!   `LOAD_NAME`, so there is no ambiguity.
//! - Up to 3.11 (lines only, see above), an assert sharing its line with a compound
//!   statement's header (`if c: assert x`) cannot be told from `assert not c or x`,
//!   and is stripped as the latter, dropping the evaluation of `c` (the standard
//!   libraries have no such line).
//! - Up to 3.11 the marker's line may be a later line of a multi-line test (up to
//!   3.7 line numbers never decrease within a statement; 3.8–3.11 give the marker the
//!   line, 3.11 the position, of the test's last comparison or operand): boolean
//!   pieces of the test on earlier lines that jump out of the assert
//!   (`assert (x is None or` / `y == 2)`) stay, and only evaluate their operand, as
//!   the original did, before going on. Up to 3.7 a test starting on an earlier line
//!   than the marker is not stripped at all.
//!
//! Line events: the assert's first line keeps one (its `NOP`); continuation lines of
//! a multi-line test lose theirs, as under `-O`.

use std::collections::{BTreeMap, HashSet};

use petgraph::visit::EdgeRef;
use petgraph::Direction;
use pycopt_core::cfg::{annotate_entry_depths, BlockId, Cfg, EdgeKind};
use pycopt_core::codegen::Unit;
use pycopt_core::linetable::Position;
use pycopt_core::opcode::{ArgKind, OpInfo};
use pycopt_core::PyVersion;

use super::{new_instr, op, CO_OPTIMIZED};
use crate::pass::{Context, Pass, PassError, PassInfo, Strip};

/// See the [module documentation](self).
pub struct StripAsserts;

/// The most blocks one assert may span (tests with comprehensions and boolean
/// operators stay far below; a crafted graph gives up here).
const MAX_REGION_BLOCKS: usize = 512;

/// The most unconditional jumps followed when exits of one assert are compared.
const MAX_JUMP_CHAIN: usize = 4;

impl Pass for StripAsserts {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "strip-asserts",
            description: "removes assert statements, as python -O does",
            changes_control_flow: true,
            keeps_line_events: false,
            needs: None,
            strips: Some(Strip::Asserts),
        }
    }

    fn run(&self, unit: &mut Unit<'_>, cx: &Context<'_>) -> Result<usize, PassError> {
        if !cx.options.strips(Strip::Asserts) {
            return Ok(0);
        }
        let version = unit.version();
        let Some(marker) = Marker::of(version, unit.names()) else {
            return Ok(0);
        };
        let has_marker = unit.cfg.layout.iter().any(|&b| {
            unit.cfg
                .block(b)
                .instrs
                .iter()
                .any(|i| marker.is(i.op, i.arg))
        });
        if !has_marker {
            return Ok(0);
        }
        // Depths from the code as read; blocks other passes made get none (a copy of a
        // block's fields must not keep a depth that is no longer its own).
        for b in unit.cfg.layout.clone() {
            unit.cfg.graph[b].entry_depth = None;
        }
        if annotate_entry_depths(&mut unit.cfg, unit.code, unit.graph).is_err() {
            return Ok(0);
        }
        let function = unit.flags() & CO_OPTIMIZED != 0;
        let mut tried: HashSet<(BlockId, Option<u32>, usize)> = HashSet::new();
        let mut stripped = 0;
        loop {
            let live: HashSet<BlockId> = unit.cfg.reachable().into_iter().collect();
            let next = unit.cfg.layout.iter().find_map(|&b| {
                if !live.contains(&b) {
                    return None;
                }
                let instrs = &unit.cfg.block(b).instrs;
                instrs.iter().enumerate().find_map(|(k, i)| {
                    let key = (b, i.offset, k);
                    (marker.is(i.op, i.arg) && !tried.contains(&key)).then_some((key, (b, k)))
                })
            });
            let Some((key, anchor)) = next else { break };
            tried.insert(key);
            let finder = Finder {
                cfg: &unit.cfg,
                marker: &marker,
                live: &live,
                legacy_function: marker.legacy() && function,
            };
            if let Some(plan) = finder.find(anchor) {
                apply(&mut unit.cfg, plan, &live);
                stripped += 1;
            }
        }
        Ok(stripped)
    }
}

/// The instruction that starts an assert's raise part.
enum Marker {
    /// 3.9+: `LOAD_ASSERTION_ERROR`.
    Opcode(&'static OpInfo),
    /// Up to 3.8: `LOAD_GLOBAL` of this `co_names` index.
    Global { op: &'static OpInfo, name: u32 },
}

impl Marker {
    fn of(version: PyVersion, names: &[String]) -> Option<Marker> {
        if let Some(o) = op(version, "LOAD_ASSERTION_ERROR") {
            return Some(Marker::Opcode(o));
        }
        let load_global = op(version, "LOAD_GLOBAL")?;
        let name = names.iter().position(|n| n == "AssertionError")? as u32;
        Some(Marker::Global {
            op: load_global,
            name,
        })
    }

    fn is(&self, o: &OpInfo, arg: u32) -> bool {
        match self {
            Marker::Opcode(m) => m.code == o.code,
            Marker::Global { op, name } => {
                let shift = match op.arg_kind {
                    ArgKind::Name { shift } => shift,
                    _ => 0,
                };
                op.code == o.code && arg >> shift == *name
            }
        }
    }

    /// Whether the marker is the ambiguous `LOAD_GLOBAL AssertionError`.
    fn legacy(&self) -> bool {
        matches!(self, Marker::Global { .. })
    }
}

/// A point between instructions of a block: before instruction `.0`, or (`.1 == 1`)
/// between the store and the load of the 3.13 `STORE_FAST_LOAD_FAST` at `.0`.
type Point = (usize, u8);

const BLOCK_START: Point = (0, 0);

/// Where an assert's source is, to tell its instructions from its neighbours'.
#[derive(Clone, Copy, Debug)]
enum Span {
    /// 3.11+: the statement's exact range.
    Exact { start: (i32, u32), end: (i32, u32) },
    /// Up to 3.10: only its first line is known.
    FromLine(i32),
}

impl Span {
    fn of(pos: &Position) -> Option<Span> {
        let line = pos.line?;
        Some(match (pos.end_line, pos.column, pos.end_column) {
            (Some(el), Some(c), Some(ec)) => Span::Exact {
                start: (line, c),
                end: (el, ec),
            },
            _ => Span::FromLine(line),
        })
    }

    /// Whether `pos` lies in the span; `None` for an instruction without a line.
    fn holds(&self, pos: &Position) -> Option<bool> {
        let line = pos.line?;
        Some(match *self {
            Span::FromLine(first) => line >= first,
            Span::Exact { start, end } => {
                let end_line = pos.end_line.unwrap_or(line);
                match (pos.column, pos.end_column) {
                    (Some(c), Some(ec)) => (line, c) >= start && (end_line, ec) <= end,
                    _ => line >= start.0 && end_line <= end.0,
                }
            }
        })
    }
}

/// What to remove for one assert.
struct Plan {
    /// The block holding the entry point, and the point.
    entry: (BlockId, Point),
    /// Every block of the region but the entry block.
    blocks: Vec<BlockId>,
    /// Where control goes on.
    target: BlockId,
    /// The assert's position (for the `NOP` left behind).
    pos: Position,
}

/// The region being grown: each block's segment start, and which are raise parts.
#[derive(Default)]
struct Region {
    start: BTreeMap<BlockId, Point>,
    raise: HashSet<BlockId>,
}

impl Region {
    fn contains(&self, b: BlockId) -> bool {
        self.start.contains_key(&b)
    }
}

struct Finder<'a> {
    cfg: &'a Cfg,
    marker: &'a Marker,
    live: &'a HashSet<BlockId>,
    /// Up to 3.8 in function code: the same-line rule applies.
    legacy_function: bool,
}

impl Finder<'_> {
    fn entry_depth(&self, b: BlockId) -> Option<i64> {
        self.cfg.block(b).entry_depth.map(i64::from)
    }

    /// The stack depth at every point of block `b` but its end.
    fn points(&self, b: BlockId) -> Option<Vec<(Point, i64)>> {
        let mut d = self.entry_depth(b)?;
        let store_load = op(self.cfg.version, "STORE_FAST_LOAD_FAST");
        let mut out = Vec::new();
        for (k, ins) in self.cfg.block(b).instrs.iter().enumerate() {
            out.push(((k, 0), d));
            if store_load.is_some_and(|s| s.code == ins.op.code) {
                out.push(((k, 1), d - 1));
            }
            // As the shared simulator does: never below zero (3.11/3.12 count
            // `RETURN_GENERATOR` as 0 though the next `POP_TOP` pops what it resumes
            // with).
            d = (d + i64::from(ins.op.stack_effect(ins.arg, false))).max(0);
        }
        Some(out)
    }

    /// The last point of `b` at depth `d` (the start of what follows a statement).
    fn last_point_at(&self, b: BlockId, d: i64) -> Option<Option<Point>> {
        let pts = self.points(b)?;
        Some(pts.iter().filter(|(_, x)| *x == d).map(|(p, _)| *p).max())
    }

    fn normal_successors(&self, b: BlockId) -> Vec<BlockId> {
        self.cfg
            .successors(b)
            .filter(|(k, _)| matches!(k, EdgeKind::Fallthrough | EdgeKind::Jump))
            .map(|(_, t)| t)
            .collect()
    }

    /// The raise part starting at the marker `(b, k)` whose depth before is `d`: its
    /// blocks (the message may branch) and the segment start in `b`.
    fn raise_part(&self, (b, k): (BlockId, usize), d: i64) -> Option<(Vec<BlockId>, Point)> {
        let entry = self.entry_depth(b)?;
        let start = if entry > d {
            BLOCK_START
        } else if entry == d {
            (k, 0)
        } else {
            return None;
        };
        let mut blocks = vec![b];
        let mut i = 0;
        while i < blocks.len() {
            let x = blocks[i];
            i += 1;
            let pts = self.points(x)?;
            let instrs = &self.cfg.block(x).instrs;
            // After the marker the exception object stays on the stack.
            if pts.iter().any(|&((j, _), dd)| (x != b || j > k) && dd <= d) {
                return None;
            }
            let last = instrs.last()?;
            if last.op.name == "RAISE_VARARGS" {
                let before = pts.iter().rev().find(|p| p.0 .1 == 0)?.1;
                if last.arg != 1 || before != d + 1 || !self.normal_successors(x).is_empty() {
                    return None;
                }
                continue;
            }
            if last.op.flow.terminates && !last.op.flow.uncond_jump {
                return None;
            }
            for (kind, s) in self.cfg.successors(x) {
                match kind {
                    EdgeKind::Setup => return None,
                    EdgeKind::Exception { .. } => {}
                    EdgeKind::Fallthrough | EdgeKind::Jump => {
                        if self.entry_depth(s)? <= d {
                            return None;
                        }
                        if !blocks.contains(&s) {
                            blocks.push(s);
                        }
                    }
                }
            }
            if blocks.len() > MAX_REGION_BLOCKS {
                return None;
            }
        }
        if self.marker.legacy() && !self.legacy_shape(b, k, d, &blocks) {
            return None;
        }
        Some((blocks, start))
    }

    /// Up to 3.8: the raise part is exactly `LOAD_GLOBAL AssertionError [<msg>;
    /// CALL_FUNCTION 1]; RAISE_VARARGS 1`, in one block.
    fn legacy_shape(&self, b: BlockId, k: usize, d: i64, blocks: &[BlockId]) -> bool {
        if blocks.len() != 1 {
            return false;
        }
        let instrs = &self.cfg.block(b).instrs;
        let tail = &instrs[k..];
        match tail.len() {
            2 => true,
            0..=2 => false,
            n => {
                let call = &tail[n - 2];
                let Some(pts) = self.points(b) else {
                    return false;
                };
                let before_call = pts.iter().find(|p| p.0 == (k + n - 2, 0)).map(|p| p.1);
                call.op.name == "CALL_FUNCTION" && call.arg == 1 && before_call == Some(d + 2)
            }
        }
    }

    /// The plan for the assert whose marker is at `anchor`, if it is one the pass can
    /// strip.
    fn find(&self, anchor: (BlockId, usize)) -> Option<Plan> {
        let cfg = self.cfg;
        let anchor_ins = &cfg.block(anchor.0).instrs[anchor.1];
        let pos = anchor_ins.pos;
        let span = Span::of(&pos)?;
        let d = self
            .points(anchor.0)?
            .into_iter()
            .find(|(p, _)| *p == (anchor.1, 0))?
            .1;
        let mut region = Region::default();
        // The raise part, and its copies (3.10+ duplicate it: same position).
        for &b in &self.cfg.layout {
            if !self.live.contains(&b) {
                continue;
            }
            for (k, ins) in self.cfg.block(b).instrs.iter().enumerate() {
                if (b, k) != anchor && !(self.marker.is(ins.op, ins.arg) && ins.pos == pos) {
                    continue;
                }
                let before = self
                    .points(b)
                    .and_then(|pts| pts.into_iter().find(|(p, _)| *p == (k, 0)))
                    .map(|(_, x)| x);
                let part = if (b, k) == anchor {
                    Some(self.raise_part((b, k), d)?)
                } else if before == Some(d) {
                    self.raise_part((b, k), d)
                } else {
                    None // a copy elsewhere (a `finally` body's, in a handler)
                };
                let Some((blocks, start)) = part else {
                    continue;
                };
                for x in blocks {
                    region
                        .start
                        .insert(x, if x == b { start } else { BLOCK_START });
                    region.raise.insert(x);
                }
            }
        }
        // 3.11 gives the marker (and, without a message, the rest of the raise part)
        // the position of the last operand the test visited, and the test's jumps
        // either the statement's or an operand's: no instruction reliably starts
        // where the statement does, so only lines are used, as before 3.11. (Widening
        // the span to the jumps into the raise part is wrong: for `assert 0` in an
        // `else:`, the jump is the `if` header's.)
        let span = match span {
            Span::Exact { start, .. } if self.cfg.version == PyVersion::V3_11 => {
                Span::FromLine(start.0)
            }
            s => s,
        };

        self.grow(&mut region, d, span)?;

        self.keep_component(&mut region, anchor.0);
        let entry = self.entry_of(&region, d)?;
        if region.raise.contains(&entry.0) {
            return None; // no test: `assert False`
        }
        self.check_positions(&region, span)?;
        if self.legacy_function && !self.same_line(&region, anchor) {
            return None;
        }
        let target = self.target(&region, d)?;
        let blocks = region
            .start
            .keys()
            .copied()
            .filter(|&b| b != entry.0)
            .collect();
        Some(Plan {
            entry,
            blocks,
            target,
            pos,
        })
    }

    /// Grows the region backwards from its raise part (see the module documentation).
    fn grow(&self, region: &mut Region, d: i64, span: Span) -> Option<()> {
        loop {
            let mut changed = false;
            let mut optional: Vec<(BlockId, Point)> = Vec::new();
            let heads: Vec<BlockId> = region
                .start
                .iter()
                .filter(|(_, &p)| p == BLOCK_START)
                .map(|(&b, _)| b)
                .collect();
            for b in heads {
                let b_depth = self.entry_depth(b)?;
                let preds: Vec<(EdgeKind, BlockId)> = self.cfg.predecessors(b).collect();
                for (kind, p) in preds {
                    if !self.live.contains(&p) || region.contains(p) {
                        continue;
                    }
                    if !matches!(kind, EdgeKind::Fallthrough | EdgeKind::Jump) {
                        // `b` is a handler or a loop's exit: an entry of the region, or
                        // (when it is not the only one) the reason to give up.
                        continue;
                    }
                    match self.last_point_at(p, d)? {
                        // Inside the expression all the way: part of the test when
                        // `b` is in the middle of it too, or leads to the raise part
                        // (a chained comparison's last comparison, its cleanup
                        // `POP_TOP`). Otherwise it is a construct whose edge pops
                        // down to `d`: a loop's `FOR_ITER` exit, a `finally` block's
                        // end, the end of an `if` header's condition.
                        None if (b_depth > d || region.raise.contains(&b))
                            && self.points(p)?.iter().all(|&(_, x)| x > d) =>
                        {
                            region.start.insert(p, BLOCK_START);
                            changed = true;
                        }
                        // Previous code that ends below `d` and pushes on the way
                        // (3.8's `BEGIN_FINALLY` before a `finally` body).
                        None => {}
                        Some(pt) => {
                            let instrs = &self.cfg.block(p).instrs;
                            let last = instrs.last()?;
                            let tail_is_jump = pt == (instrs.len() - 1, 0)
                                && last.op.flow.uncond_jump
                                && region.raise.contains(&b);
                            if b_depth > d || tail_is_jump {
                                region.start.insert(p, pt);
                                if tail_is_jump && pt == BLOCK_START {
                                    // Only a jump into the raise part: on its way.
                                    region.raise.insert(p);
                                }
                                changed = true;
                            } else if last.op.flow.cond_jump {
                                let others: Vec<BlockId> = self
                                    .normal_successors(p)
                                    .into_iter()
                                    .filter(|&s| s != b)
                                    .collect();
                                if others.len() == 1 && region.contains(others[0]) {
                                    region.start.insert(p, pt);
                                    changed = true;
                                } else {
                                    optional.push((p, pt));
                                }
                            }
                            // Otherwise `p` ends the previous statement.
                        }
                    }
                }
            }
            // Raise parts the test leads to (3.10+ duplicate them).
            let tests: Vec<BlockId> = region
                .start
                .keys()
                .copied()
                .filter(|b| !region.raise.contains(b))
                .collect();
            for b in tests {
                for s in self.normal_successors(b) {
                    if region.contains(s) {
                        continue;
                    }
                    let at = self
                        .cfg
                        .block(s)
                        .instrs
                        .iter()
                        .position(|i| self.marker.is(i.op, i.arg));
                    let Some(k) = at else { continue };
                    let before = self.points(s)?.into_iter().find(|(p, _)| *p == (k, 0))?.1;
                    if before != d {
                        continue;
                    }
                    let Some((blocks, start)) = self.raise_part((s, k), d) else {
                        continue;
                    };
                    if start != BLOCK_START {
                        continue;
                    }
                    for x in blocks {
                        region.start.entry(x).or_insert(BLOCK_START);
                        region.raise.insert(x);
                    }
                    changed = true;
                }
            }
            if !changed {
                for (p, pt) in optional {
                    if region.contains(p) {
                        continue;
                    }
                    let instrs = &self.cfg.block(p).instrs[pt.0..];
                    let skip = usize::from(pt.1);
                    let inside = instrs
                        .iter()
                        .skip(skip)
                        .all(|i| span.holds(&i.pos) != Some(false));
                    let placed = instrs
                        .iter()
                        .skip(skip)
                        .any(|i| span.holds(&i.pos) == Some(true));
                    if inside && placed {
                        region.start.insert(p, pt);
                        changed = true;
                    }
                }
            }
            if region.start.len() > MAX_REGION_BLOCKS {
                return None;
            }
            if !changed {
                return Some(());
            }
        }
    }

    /// Keeps the part of the region connected to `anchor` (copies of the same assert,
    /// as `finally` bodies have, are separate regions).
    fn keep_component(&self, region: &mut Region, anchor: BlockId) {
        let mut keep: HashSet<BlockId> = HashSet::from([anchor]);
        let mut work = vec![anchor];
        while let Some(b) = work.pop() {
            let near =
                self.normal_successors(b)
                    .into_iter()
                    .chain(self.cfg.predecessors(b).filter_map(|(k, p)| {
                        matches!(k, EdgeKind::Fallthrough | EdgeKind::Jump).then_some(p)
                    }));
            for x in near.collect::<Vec<_>>() {
                if region.contains(x) && keep.insert(x) {
                    work.push(x);
                }
            }
        }
        region.start.retain(|b, _| keep.contains(b));
        region.raise.retain(|b| keep.contains(b));
    }

    /// The one place the region is entered from outside.
    fn entry_of(&self, region: &Region, d: i64) -> Option<(BlockId, Point)> {
        let mut entries = Vec::new();
        for (&b, &pt) in &region.start {
            let outside = b == self.cfg.entry
                || self
                    .cfg
                    .predecessors(b)
                    .any(|(_, p)| self.live.contains(&p) && !region.contains(p));
            if pt != BLOCK_START || outside {
                entries.push((b, pt));
            }
        }
        let [(b, pt)] = entries[..] else {
            return None;
        };
        let depth = self.points(b)?.into_iter().find(|(p, _)| *p == pt)?.1;
        (depth == d).then_some((b, pt))
    }

    /// Every test instruction with a position lies in the assert's span.
    fn check_positions(&self, region: &Region, span: Span) -> Option<()> {
        for (&b, &pt) in &region.start {
            if region.raise.contains(&b) {
                continue;
            }
            let instrs = &self.cfg.block(b).instrs[pt.0..];
            let skip = usize::from(pt.1);
            if instrs
                .iter()
                .skip(skip)
                .any(|i| span.holds(&i.pos) == Some(false))
            {
                return None;
            }
        }
        Some(())
    }

    /// Up to 3.8 in functions: the jumps into the raise part share the marker's line
    /// (up to 3.7, where line numbers never decrease, the message may go on to later
    /// lines).
    fn same_line(&self, region: &Region, anchor: (BlockId, usize)) -> bool {
        let instrs = &self.cfg.block(anchor.0).instrs;
        let line = instrs[anchor.1].pos.line;
        if line.is_none() {
            return false;
        }
        self.cfg.predecessors(anchor.0).all(|(_, p)| {
            !region.contains(p) || self.cfg.block(p).instrs.last().map(|i| i.pos.line) == Some(line)
        })
    }

    /// The one block control goes on to after the assert.
    fn target(&self, region: &Region, d: i64) -> Option<BlockId> {
        let mut exits: Vec<BlockId> = Vec::new();
        for &b in region.start.keys() {
            for (kind, s) in self.cfg.successors(b) {
                match kind {
                    EdgeKind::Setup => return None,
                    EdgeKind::Exception { .. } => {}
                    EdgeKind::Fallthrough | EdgeKind::Jump => {
                        if region.contains(s) {
                            continue;
                        }
                        if region.raise.contains(&b) {
                            return None;
                        }
                        if !exits.contains(&s) {
                            exits.push(s);
                        }
                    }
                }
            }
        }
        let target = match exits[..] {
            [] => return None,
            [one] => one,
            _ => {
                let resolved: Vec<BlockId> = exits.iter().map(|&e| self.through_jumps(e)).collect();
                let first = resolved[0];
                if resolved
                    .iter()
                    .any(|&r| r != first && !self.same_exit(r, first))
                {
                    return None;
                }
                first
            }
        };
        match self.entry_depth(target) {
            Some(x) if x != d => None,
            _ => Some(target),
        }
    }

    /// Whether `a` and `b` are copies of one block that leaves the function (3.10+
    /// duplicate small exit blocks, such as the implicit `return None`, into each
    /// predecessor): same instructions, no successor but the same handler.
    fn same_exit(&self, a: BlockId, b: BlockId) -> bool {
        let (x, y) = (&self.cfg.block(a).instrs, &self.cfg.block(b).instrs);
        let terminal = |blk: BlockId, last: Option<&pycopt_core::cfg::Instr>| {
            last.is_some_and(|i| i.op.flow.returns || i.op.flow.raises)
                && self.normal_successors(blk).is_empty()
        };
        let handler = |blk: BlockId| {
            self.cfg
                .successors(blk)
                .find(|(k, _)| matches!(k, EdgeKind::Exception { .. } | EdgeKind::Setup))
        };
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(i, j)| i.op.code == j.op.code && i.arg == j.arg)
            && terminal(a, x.last())
            && terminal(b, y.last())
            && handler(a) == handler(b)
    }

    /// Where a chain of blocks holding only an unconditional jump leads.
    fn through_jumps(&self, mut b: BlockId) -> BlockId {
        for _ in 0..MAX_JUMP_CHAIN {
            let instrs = &self.cfg.block(b).instrs;
            match (instrs.len(), self.cfg.jump_target(b)) {
                (1, Some(t)) if instrs[0].op.flow.uncond_jump && t != b => b = t,
                _ => break,
            }
        }
        b
    }
}

/// Cuts the assert out: the entry block keeps what precedes the assert, then a `NOP`
/// at the assert's position, then goes to the target; the region's other blocks and
/// whatever only they reached are removed.
fn apply(cfg: &mut Cfg, plan: Plan, live_before: &HashSet<BlockId>) {
    let version = cfg.version;
    let (eb, (k, half)) = plan.entry;
    let nop = op(version, "NOP").expect("every version has NOP");
    {
        let instrs = &mut cfg.graph[eb].instrs;
        let cut = if half == 1 {
            // Keep the store half of `STORE_FAST_LOAD_FAST`.
            let store = op(version, "STORE_FAST").expect("a version with superinstructions");
            let (first, _) = ArgKind::local_pair(instrs[k].arg);
            instrs[k] = new_instr(store, first, instrs[k].pos);
            k + 1
        } else {
            k
        };
        instrs.truncate(cut);
        instrs.push(new_instr(nop, 0, plan.pos));
    }
    let normal: Vec<_> = cfg
        .graph
        .edges_directed(eb, Direction::Outgoing)
        .filter(|e| matches!(e.weight(), EdgeKind::Fallthrough | EdgeKind::Jump))
        .map(|e| e.id())
        .collect();
    for e in normal {
        cfg.graph.remove_edge(e);
    }
    for &b in &plan.blocks {
        cfg.graph.remove_node(b);
    }
    cfg.layout.retain(|b| !plan.blocks.contains(b));
    let at = cfg.layout.iter().position(|&b| b == eb);
    let next = at.and_then(|i| cfg.layout.get(i + 1)).copied();
    if next == Some(plan.target) {
        cfg.graph.add_edge(eb, plan.target, EdgeKind::Fallthrough);
    } else {
        let jump = op(version, "JUMP_FORWARD").expect("every version has JUMP_FORWARD");
        cfg.graph[eb].instrs.push(new_instr(jump, 0, plan.pos));
        cfg.graph.add_edge(eb, plan.target, EdgeKind::Jump);
    }
    let live_after: HashSet<BlockId> = cfg.reachable().into_iter().collect();
    let dead: Vec<BlockId> = live_before
        .iter()
        .copied()
        .filter(|b| cfg.graph.contains_node(*b) && !live_after.contains(b))
        .collect();
    for &b in &dead {
        cfg.graph.remove_node(b);
    }
    cfg.layout.retain(|b| !dead.contains(b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataflow::testing::{listing, run_on, Compiled};
    use crate::pass::Options;

    fn strip() -> Options {
        let mut o = Options::default();
        o.strip.insert(Strip::Asserts);
        o
    }

    /// Runs the pass on function `f` of `src` compiled by `version`; the changes and
    /// the opcode names after.
    fn go(version: (u8, u8), src: &str, func: &str) -> Option<(usize, Vec<String>)> {
        let c = Compiled::new(version, src)?;
        let (n, unit_listing) = run_on(&c, func, &StripAsserts, &strip())?;
        Some((n, unit_listing))
    }

    const SHAPES: &str = "\
def f(a, b, c, d):
    x = 1; assert a
    assert (a or
            b), (
        'm')
    assert a < b < c, 'chain'
    assert (a if b else c)
    for i in d:
        assert [j for j in i]
    while a:
        assert not a
    assert a and (b or not c)
    return x
";

    #[test]
    fn every_shape_is_stripped_on_every_version() {
        for v in [
            (3, 9),
            (3, 10),
            (3, 11),
            (3, 12),
            (3, 13),
            (3, 8),
            (3, 7),
            (3, 6),
        ] {
            let Some((n, after)) = go(v, SHAPES, "f") else {
                continue;
            };
            assert_eq!(n, 7, "{v:?}: {after:#?}");
            assert!(
                !after
                    .iter()
                    .any(|l| l.contains("ASSERTION") || l.contains("AssertionError")),
                "{v:?}: {after:#?}"
            );
            assert!(after
                .iter()
                .any(|l| l.contains("STORE_FAST") && l.contains('x')));
        }
    }

    #[test]
    fn nothing_happens_without_the_option() {
        let Some(c) = Compiled::new((3, 12), SHAPES) else {
            return;
        };
        let (n, _) = run_on(&c, "f", &StripAsserts, &Options::default()).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn unconditional_asserts_stay_where_the_compiler_dropped_what_follows() {
        let src = "def f(a):\n    if a:\n        return 1\n    assert False, 'no'\n";
        // 3.8 and 3.9 still test the constant and keep the implicit return.
        for (v, stripped) in [
            ((3, 8), 1),
            ((3, 9), 1),
            ((3, 10), 0),
            ((3, 12), 0),
            ((3, 13), 0),
        ] {
            let Some((n, after)) = go(v, src, "f") else {
                continue;
            };
            assert_eq!(n, stripped, "{v:?}: {after:#?}");
        }
    }

    #[test]
    fn an_if_header_on_another_line_is_not_part_of_the_assert() {
        let src = "def f(a, b, c):\n    if c():\n        assert a or b\n    return 1\n";
        for v in [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)] {
            let Some((n, after)) = go(v, src, "f") else {
                continue;
            };
            assert_eq!(n, 1, "{v:?}");
            assert!(
                after.iter().any(|l| l.contains("CALL")),
                "{v:?}: the call in the if header must stay: {after:#?}"
            );
        }
    }

    #[test]
    fn columns_separate_an_if_header_on_the_same_line() {
        let src = "def f(a, b, c):\n    if c(): assert a or b\n    return 1\n";
        for v in [(3, 12), (3, 13)] {
            let Some((n, after)) = go(v, src, "f") else {
                continue;
            };
            assert_eq!(n, 1, "{v:?}");
            assert!(
                after.iter().any(|l| l.contains("CALL")),
                "{v:?}: {after:#?}"
            );
        }
    }

    #[test]
    fn hand_written_raises_stay_on_3_9_and_later_and_over_two_lines_before() {
        let src = "def f(a):\n    if not a:\n        raise AssertionError('x')\n    return 1\n";
        for v in [(3, 8), (3, 9), (3, 12)] {
            let Some((n, _)) = go(v, src, "f") else {
                continue;
            };
            assert_eq!(n, 0, "{v:?}");
        }
        let module = "x = 1\nif not x: raise AssertionError\nassert x\n";
        if let Some(c) = Compiled::new((3, 8), module) {
            let (n, after) = run_on(&c, "<module>", &StripAsserts, &strip()).unwrap();
            assert_eq!(n, 1);
            assert!(after
                .iter()
                .any(|l| l.contains("LOAD_NAME") && l.contains("AssertionError")));
        }
    }

    #[test]
    fn the_3_13_superinstruction_across_the_statement_is_split() {
        let src = "def f(a):\n    x = 1; assert a\n    return x\n";
        let Some((n, after)) = go((3, 13), src, "f") else {
            return;
        };
        assert_eq!(n, 1);
        let text = after.join("\n");
        assert!(text.contains("STORE_FAST "), "{text}");
        assert!(!text.contains("STORE_FAST_LOAD_FAST"), "{text}");
    }

    #[test]
    fn listing_helper_shows_the_cut() {
        let Some(c) = Compiled::new((3, 12), "def f(a):\n    assert a\n    return 2\n") else {
            return;
        };
        let before = listing(&c, "f");
        let (_, after) = run_on(&c, "f", &StripAsserts, &strip()).unwrap();
        assert!(before.iter().any(|l| l.contains("LOAD_ASSERTION_ERROR")));
        assert_eq!(
            after
                .iter()
                .map(|l| l.split_whitespace().next().unwrap_or(""))
                .collect::<Vec<_>>(),
            ["RESUME", "NOP", "RETURN_CONST"]
        );
    }
}
