//! Abstract stack simulation over bytecode, and `co_stacksize` computed with it.
//!
//! This is the project's one walk over the value stack. It is split the way bytecode
//! analysis frameworks usually are: [`simulate`] knows control flow only (which
//! instruction follows which, where a jump or an exception handler leads, and in which
//! order CPython's own compiler visits them), and an [`Interpreter`] says what one
//! instruction does to an abstract state along one edge and how two states meeting at
//! an instruction combine. [`Depth`] is the interpreter behind [`max_depth`]: its state
//! is the stack depth and every instruction's effect comes from the opcode table's
//! stack formulas ([`OpInfo::stack_effect`]); later analyses plug in richer states
//! (types of stack slots, constness) and reuse the same walk.
//!
//! Control flow comes only from the table's [`Flow`](crate::opcode::Flow) facts and jump
//! kinds, plus exception handlers:
//!
//! * up to 3.10, a `SETUP_*` opcode is a jump whose target is its handler, reached with
//!   the table's jump-edge effect (what each `compile.c`'s `stackdepth` does);
//! * from 3.11, each exception-table entry starts its handler at the entry's depth,
//!   plus one for the saved `lasti` if it has one, plus one for the exception;
//! * 2.7–3.7's `BREAK_LOOP`/`CONTINUE_LOOP` leave through the block stack
//!   ([`Flow::unwinds`](crate::opcode::Flow::unwinds)): the worklist walk does not
//!   follow their jump edge.
//!
//! The order of the walk matters only where CPython's own computation is not a plain
//! fixed point: 2.7 and 3.6 do a depth-first walk that never re-enters a block already
//! on the current path and keeps going past returns ([`Walk::CompilerDfs`]); 3.7+
//! propagate one start depth per block with a worklist ([`Walk::Worklist`]). Both are
//! reproduced so that the computed depth is what the interpreter's compiler would have
//! computed for the same code.
//!
//! ```
//! use pycopt_core::instr::{decode, Instruction};
//! use pycopt_core::opcode::table;
//! use pycopt_core::stackdepth::{max_depth, simulate, Edge, HandlerRange, Interpreter, Program, Walk};
//! use pycopt_core::PyVersion;
//!
//! let v = PyVersion::V3_12;
//! let t = table(v);
//! let op = |n: &str| t.by_name(n).unwrap().code;
//! // RESUME 0; LOAD_CONST 0; LOAD_CONST 0; BUILD_TUPLE 2; RETURN_VALUE
//! let code = [op("RESUME"), 0, op("LOAD_CONST"), 0, op("LOAD_CONST"), 0,
//!             op("BUILD_TUPLE"), 2, op("RETURN_VALUE"), 0];
//! let instrs = decode(&code, v).unwrap();
//! assert_eq!(max_depth(v, &instrs, code.len() as u32, &[]).unwrap(), 2);
//!
//! // Another analysis on the same walk: which instructions are reachable.
//! struct Reach;
//! impl Interpreter for Reach {
//!     type State = ();
//!     fn entry(&mut self) {}
//!     fn handler_entry(&mut self, _: &HandlerRange) {}
//!     fn transfer(&mut self, _: &Instruction, _: &(), _: Edge) {}
//!     fn join(&mut self, _: &mut (), _: &()) -> bool { false }
//! }
//! let prog = Program { table: t, instrs: &instrs, code_len: code.len() as u32, handlers: &[] };
//! let states = simulate(&prog, &mut Reach, Walk::of(v)).unwrap();
//! assert!(states.iter().all(Option::is_some));
//! ```

use crate::instr::Instruction;
use crate::opcode::{table, OpInfo, OpcodeTable};
use crate::version::PyVersion;

/// An exception handler protecting a byte range (3.11+ exception-table entries, in
/// bytes rather than code units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandlerRange {
    /// First protected byte.
    pub start: u32,
    /// First byte after the protected range.
    pub end: u32,
    /// Byte offset of the handler's first instruction.
    pub target: u32,
    /// Stack depth the handler unwinds to before pushing.
    pub depth: u32,
    /// Whether the raising instruction's offset is pushed before the exception.
    pub lasti: bool,
}

/// The edge along which an instruction's effect is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// To the next instruction.
    FallThrough,
    /// To the jump target (for `SETUP_*` up to 3.10: to the handler).
    Jump,
}

/// What one instruction does to an abstract state: the pluggable half of the walk.
pub trait Interpreter {
    /// The abstract state at an instruction (for [`Depth`], the stack depth).
    type State: Clone;

    /// The state at the first instruction of the code.
    fn entry(&mut self) -> Self::State;

    /// The state at the first instruction of an exception handler (3.11+).
    fn handler_entry(&mut self, handler: &HandlerRange) -> Self::State;

    /// The state after `instr` along `edge`, given the state before it.
    fn transfer(&mut self, instr: &Instruction, before: &Self::State, edge: Edge) -> Self::State;

    /// Merges `incoming` into `into`; returns whether `into` changed (and so the code
    /// from there must be walked again).
    fn join(&mut self, into: &mut Self::State, incoming: &Self::State) -> bool;
}

/// In which order the flow graph is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// 3.7+: every instruction gets one joined state; changed instructions are walked
    /// again until nothing changes.
    Worklist,
    /// 2.7 and 3.6 `compile.c`: depth first from each block leader (the first
    /// instruction and every jump target); a block is walked again when reached with a
    /// state that changes its start state, except while it is on the current path
    /// (these versions count `SETUP_*` on the fall-through edge too, so a loop holding a
    /// `try` nets a positive effect and a fixed point would not exist); the jump edges
    /// of `CONTINUE_LOOP` are followed.
    ///
    /// One deliberate difference from CPython: its walk also goes on past a return,
    /// raise or unconditional `BREAK_LOOP`/`CONTINUE_LOOP` into the next block of *its*
    /// block list, which held code the peephole optimizer deleted afterwards (a dead
    /// `JUMP_FORWARD` before an `except` handler, say). Following that edge in the final
    /// bytecode can reach a handler at a depth CPython never saw, so this walk stops
    /// after every terminating instruction: it follows real control flow only, which
    /// keeps the result at or below CPython's `co_stacksize` for unchanged code.
    CompilerDfs,
}

impl Walk {
    /// The walk `version`'s compiler does for `co_stacksize`.
    pub fn of(version: PyVersion) -> Walk {
        match version {
            PyVersion::V2_7 | PyVersion::V3_6 => Walk::CompilerDfs,
            _ => Walk::Worklist,
        }
    }
}

/// Why the code could not be walked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StackError {
    /// The walk does not settle: some loop changes the state on every turn (for the
    /// depth: a loop that pushes more than it pops). Compilers never write such code.
    #[error("the stack does not settle: a loop around code offset {offset} changes it on every turn (it pushes more than it pops?)")]
    Diverges { offset: u32 },
    /// A jump or handler leads into the middle of an instruction.
    #[error("code offset {from}: {what} leads to offset {target}, which is not the start of an instruction")]
    BadTarget {
        from: u32,
        what: &'static str,
        target: u32,
    },
}

/// The code one walk runs over.
#[derive(Clone, Copy, Debug)]
pub struct Program<'a> {
    /// The opcode table of the code's version.
    pub table: &'static OpcodeTable,
    /// The instructions, in order, with their offsets.
    pub instrs: &'a [Instruction],
    /// Length of `co_code` in bytes (jumps to it or past it lead nowhere).
    pub code_len: u32,
    /// Exception handlers (3.11+; empty before).
    pub handlers: &'a [HandlerRange],
}

impl Program<'_> {
    /// The index of the instruction starting at byte `offset`: `Ok(None)` when the
    /// offset is at or past the end of the code.
    fn index_of(
        &self,
        offset: u32,
        from: u32,
        what: &'static str,
    ) -> Result<Option<usize>, StackError> {
        if offset >= self.code_len {
            return Ok(None);
        }
        match self.instrs.binary_search_by_key(&offset, |i| i.start) {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(StackError::BadTarget {
                from,
                what,
                target: offset,
            }),
        }
    }

    fn jump_target(&self, instr: &Instruction) -> Option<u32> {
        instr.jump_target(self.table)
    }
}

/// Walks `prog` with `interp`; returns the joined state at the start of every
/// instruction (`None` for instructions the walk never reaches).
pub fn simulate<I: Interpreter>(
    prog: &Program<'_>,
    interp: &mut I,
    walk: Walk,
) -> Result<Vec<Option<I::State>>, StackError> {
    match walk {
        Walk::Worklist => worklist(prog, interp),
        Walk::CompilerDfs => compiler_dfs(prog, interp),
    }
}

/// How many instruction visits a walk may take before it is declared divergent: far
/// more than any compiled code needs (each instruction is revisited only when a
/// deeper path to it is found).
fn budget(prog: &Program<'_>) -> u64 {
    1_000_000 + 1000 * (prog.instrs.len() as u64 + prog.handlers.len() as u64)
}

fn worklist<I: Interpreter>(
    prog: &Program<'_>,
    interp: &mut I,
) -> Result<Vec<Option<I::State>>, StackError> {
    let n = prog.instrs.len();
    let mut steps = budget(prog);
    let mut states: Vec<Option<I::State>> = vec![None; n];
    let mut work: Vec<usize> = Vec::new();
    let offer = |states: &mut Vec<Option<I::State>>,
                 work: &mut Vec<usize>,
                 interp: &mut I,
                 at: usize,
                 s: I::State| {
        match &mut states[at] {
            Some(old) => {
                if interp.join(old, &s) {
                    work.push(at);
                }
            }
            slot @ None => {
                *slot = Some(s);
                work.push(at);
            }
        }
    };
    if n > 0 {
        let s = interp.entry();
        offer(&mut states, &mut work, interp, 0, s);
    }
    for h in prog.handlers {
        let s = interp.handler_entry(h);
        if let Some(at) = prog.index_of(h.target, h.start, "an exception handler")? {
            offer(&mut states, &mut work, interp, at, s);
        }
    }
    while let Some(at) = work.pop() {
        let instr = &prog.instrs[at];
        steps -= 1;
        if steps == 0 {
            return Err(StackError::Diverges {
                offset: instr.offset,
            });
        }
        let before = states[at]
            .clone()
            .expect("queued instructions have a state");
        let flow = instr.op.flow;
        if instr.op.jump.is_some() && !flow.unwinds {
            let after = interp.transfer(instr, &before, Edge::Jump);
            if let Some(t) = prog.jump_target(instr) {
                if let Some(to) = prog.index_of(t, instr.offset, "a jump")? {
                    offer(&mut states, &mut work, interp, to, after);
                }
            }
        }
        if !flow.terminates {
            let after = interp.transfer(instr, &before, Edge::FallThrough);
            if at + 1 < n {
                offer(&mut states, &mut work, interp, at + 1, after);
            }
        }
    }
    Ok(states)
}

/// One block being walked by [`compiler_dfs`].
struct Frame<S> {
    /// Index of the block's leader (on the current path while the frame lives).
    leader: usize,
    /// Next instruction to walk.
    at: usize,
    state: S,
    /// The jump edge of `at` has been walked; its fall-through is next.
    jumped: bool,
    /// The frame has handed over to the next block and only waits to be popped.
    done: bool,
}

fn compiler_dfs<I: Interpreter>(
    prog: &Program<'_>,
    interp: &mut I,
) -> Result<Vec<Option<I::State>>, StackError> {
    let n = prog.instrs.len();
    let mut seen: Vec<Option<I::State>> = vec![None; n];
    let mut start: Vec<Option<I::State>> = vec![None; n];
    let mut on_path = vec![false; n];
    let mut leader = vec![false; n];
    if n == 0 {
        return Ok(seen);
    }
    leader[0] = true;
    for i in prog.instrs {
        if i.op.jump.is_some() {
            if let Some(t) = prog.jump_target(i) {
                if let Some(to) = prog.index_of(t, i.offset, "a jump")? {
                    leader[to] = true;
                }
            }
        }
    }
    // Enters the block at `at` with state `s` unless it is on the path or `s` changes
    // nothing there.
    let enter = |interp: &mut I,
                 start: &mut Vec<Option<I::State>>,
                 on_path: &mut Vec<bool>,
                 at: usize,
                 s: I::State|
     -> Option<Frame<I::State>> {
        if on_path[at] {
            return None;
        }
        match &mut start[at] {
            Some(old) => {
                if !interp.join(old, &s) {
                    return None;
                }
            }
            slot @ None => *slot = Some(s),
        }
        on_path[at] = true;
        Some(Frame {
            leader: at,
            at,
            state: start[at].clone().expect("just set"),
            jumped: false,
            done: false,
        })
    };
    let mut stack: Vec<Frame<I::State>> = Vec::new();
    let mut steps = budget(prog);
    let s = interp.entry();
    if let Some(f) = enter(interp, &mut start, &mut on_path, 0, s) {
        stack.push(f);
    }
    while let Some(top) = stack.last_mut() {
        if top.done {
            on_path[top.leader] = false;
            stack.pop();
            continue;
        }
        let at = top.at;
        let instr = &prog.instrs[at];
        steps -= 1;
        if steps == 0 {
            return Err(StackError::Diverges {
                offset: instr.offset,
            });
        }
        match &mut seen[at] {
            Some(old) => {
                interp.join(old, &top.state);
            }
            slot @ None => *slot = Some(top.state.clone()),
        }
        if instr.op.jump.is_some() && !top.jumped {
            top.jumped = true;
            let after = interp.transfer(instr, &top.state, Edge::Jump);
            if let Some(t) = prog.jump_target(instr) {
                if let Some(to) = prog.index_of(t, instr.offset, "a jump")? {
                    if let Some(f) = enter(interp, &mut start, &mut on_path, to, after) {
                        stack.push(f);
                    }
                }
            }
            continue;
        }
        top.jumped = false;
        top.state = interp.transfer(instr, &top.state, Edge::FallThrough);
        let flow = instr.op.flow;
        let next = at + 1;
        if flow.terminates || next >= n {
            top.done = true;
            continue;
        }
        if leader[next] {
            top.done = true;
            let s = top.state.clone();
            if let Some(f) = enter(interp, &mut start, &mut on_path, next, s) {
                stack.push(f);
            }
            continue;
        }
        top.at = next;
    }
    Ok(seen)
}

/// The stack-depth interpreter: the state is the depth; each edge adds the opcode
/// table's effect for it (never going below zero: 3.11/3.12 count `RETURN_GENERATOR`
/// as 0 though the resumed frame holds the value the next `POP_TOP` removes).
#[derive(Clone, Debug, Default)]
pub struct Depth {
    /// The largest depth produced so far.
    pub max: i32,
}

impl Depth {
    fn seen(&mut self, d: i32) -> i32 {
        self.max = self.max.max(d);
        d
    }

    /// The effect of `op` with argument `arg` along `edge`.
    pub fn effect(op: &OpInfo, arg: u32, edge: Edge) -> i32 {
        op.stack_effect(arg, edge == Edge::Jump)
    }
}

impl Interpreter for Depth {
    type State = i32;

    fn entry(&mut self) -> i32 {
        self.seen(0)
    }

    fn handler_entry(&mut self, h: &HandlerRange) -> i32 {
        let d = i64::from(h.depth) + i64::from(h.lasti) + 1;
        self.seen(d.min(i64::from(i32::MAX)) as i32)
    }

    fn transfer(&mut self, instr: &Instruction, before: &i32, edge: Edge) -> i32 {
        let d = before.saturating_add(Depth::effect(instr.op, instr.arg, edge));
        self.seen(d.max(0))
    }

    fn join(&mut self, into: &mut i32, incoming: &i32) -> bool {
        if *incoming > *into {
            *into = *incoming;
            true
        } else {
            false
        }
    }
}

/// The largest stack depth `version`'s compiler computes for this code: what it would
/// store as `co_stacksize`.
///
/// `handlers` are the 3.11+ exception-table entries in bytes (empty before 3.11).
pub fn max_depth(
    version: PyVersion,
    instrs: &[Instruction],
    code_len: u32,
    handlers: &[HandlerRange],
) -> Result<u32, StackError> {
    let prog = Program {
        table: table(version),
        instrs,
        code_len,
        handlers,
    };
    let mut d = Depth::default();
    simulate(&prog, &mut d, Walk::of(version))?;
    Ok(d.max.max(0) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instr::decode;

    fn depth(version: PyVersion, code: &[u8]) -> u32 {
        let instrs = decode(code, version).unwrap();
        max_depth(version, &instrs, code.len() as u32, &[]).unwrap()
    }

    #[test]
    fn straight_line() {
        // 3.8: LOAD_CONST 0; LOAD_CONST 0; BUILD_TUPLE 2; RETURN_VALUE
        let t = table(PyVersion::V3_8);
        let lc = t.by_name("LOAD_CONST").unwrap().code;
        let bt = t.by_name("BUILD_TUPLE").unwrap().code;
        let rv = t.by_name("RETURN_VALUE").unwrap().code;
        assert_eq!(depth(PyVersion::V3_8, &[lc, 0, lc, 0, bt, 2, rv, 0]), 2);
    }

    #[test]
    fn handler_depth_3_11() {
        let v = PyVersion::V3_11;
        let t = table(v);
        let nop = t.by_name("NOP").unwrap().code;
        let rr = t.by_name("RERAISE").unwrap().code;
        let code = [nop, 0, rr, 0];
        let instrs = decode(&code, v).unwrap();
        let h = HandlerRange {
            start: 0,
            end: 2,
            target: 2,
            depth: 3,
            lasti: true,
        };
        assert_eq!(max_depth(v, &instrs, 4, &[h]).unwrap(), 5);
    }

    #[test]
    fn bad_target_is_an_error() {
        let v = PyVersion::V3_9;
        let t = table(v);
        let ja = t.by_name("JUMP_ABSOLUTE").unwrap().code;
        let code = [ja, 1, ja, 0];
        let instrs = decode(&code, v).unwrap();
        assert!(matches!(
            max_depth(v, &instrs, 4, &[]),
            Err(StackError::BadTarget { target: 1, .. })
        ));
    }
}
