//! A light bytecode verifier: the checks that catch code generation going wrong
//! before the interpreter does.
//!
//! [`verify`] decodes `co_code` and checks that
//! - every jump target and every 3.11+ exception-table entry lies on an instruction
//!   boundary, and constant, name, local and cell/free-variable arguments index into
//!   their tables;
//! - along every edge of the stack walk ([`crate::stackdepth`]) the depth stays
//!   between zero and `co_stacksize`;
//! - 3.11+, when the code object's [`Frame`] is known ([`Limits::frame`]): the code
//!   starts with the prefix the interpreter expects — `COPY_FREE_VARS n` if there are
//!   free variables, `MAKE_CELL i` for each cell slot in order, `RETURN_GENERATOR;
//!   POP_TOP` for generators, coroutines and async generators, then `RESUME 0` — and
//!   no `COPY_FREE_VARS` or `RETURN_GENERATOR` appears anywhere else (3.12+ inlined
//!   comprehensions may make cells later);
//! - 3.11+: each exception-table entry's depth is at most the stack depth at every
//!   reachable instruction it protects (the unwinding pops down to it), and the walk
//!   reaches its handler at exactly `depth + lasti + 1`; every `YIELD_VALUE` is
//!   followed by the `RESUME` that the frame continues at;
//! - 3.12+: every `FOR_ITER` jumps to an `END_FOR` without prefixes (3.13: followed by
//!   a `POP_TOP` without prefixes), since the interpreter skips those code units
//!   rather than running them when the iterator is exhausted.

use crate::analysis::Ops;
use crate::cfg::Frame;
use crate::code::{Code, Locals};
use crate::exceptiontable::{ExceptionTable, ExceptionTableError};
use crate::instr::{decode, DecodeError, Instruction};
use crate::marshal::ObjectGraph;
use crate::opcode::{table, ArgKind, OpInfo};
use crate::stackdepth::{simulate, Depth, Edge, HandlerRange, Program, StackError, Walk};
use crate::version::PyVersion;

/// The sizes of the tables instruction arguments index, and what else of the code
/// object the checks need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// `len(co_consts)`.
    pub consts: usize,
    /// `len(co_names)`.
    pub names: usize,
    /// Fast locals: `len(co_varnames)` up to 3.10, the whole localsplus from 3.11.
    pub locals: usize,
    /// The deref space: cells plus free variables up to 3.10, localsplus from 3.11.
    pub derefs: usize,
    /// The code object's cells, free variables and flags, for the 3.11+ prefix check
    /// (`None`: not checked).
    pub frame: Option<Frame>,
}

impl Limits {
    /// The limits of a code object read into `g`.
    pub fn of(code: &Code, g: &ObjectGraph) -> Limits {
        let len = |id| g.as_tuple(id).map_or(0, <[_]>::len);
        let (locals, derefs) = match code.locals {
            Locals::Split {
                varnames,
                freevars,
                cellvars,
            } => (len(varnames), len(cellvars) + len(freevars)),
            Locals::Plus { names, .. } => (len(names), len(names)),
        };
        Limits {
            consts: len(code.consts),
            names: len(code.names),
            locals,
            derefs,
            frame: Some(Frame::of(code, g)),
        }
    }
}

/// The first thing found wrong with a code object.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// `co_code` does not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The exception table does not decode.
    #[error("exception table: {0}")]
    ExceptionTable(#[from] ExceptionTableError),
    /// A jump leads into the middle of an instruction (or past the code).
    #[error("code offset {offset}: jump to {target}, which is not the start of an instruction")]
    BadJump { offset: u32, target: u32 },
    /// An exception-table entry starts, ends or lands inside an instruction.
    #[error("exception table entry {entry}: {what} {at} is not an instruction boundary")]
    BadHandler {
        entry: usize,
        what: &'static str,
        at: u32,
    },
    /// An argument indexes past the end of its table.
    #[error("code offset {offset}: {op} {what} index {index} out of range (the table has {len})")]
    ArgOutOfRange {
        offset: u32,
        op: &'static str,
        what: &'static str,
        index: u32,
        len: usize,
    },
    /// The stack walk fails.
    #[error("stack walk: {0}")]
    Stack(#[from] StackError),
    /// The stack depth goes below zero.
    #[error("code offset {offset}: {op} leaves the stack at depth {depth}")]
    Underflow {
        offset: u32,
        op: &'static str,
        depth: i64,
    },
    /// The stack depth exceeds `co_stacksize`.
    #[error("code offset {offset}: {op} takes the stack to depth {depth}, above co_stacksize {stacksize}")]
    Overflow {
        offset: u32,
        op: &'static str,
        depth: i64,
        stacksize: i32,
    },
    /// 3.11+: the code does not start with the prefix the frame needs, or has a set-up
    /// instruction elsewhere.
    #[error("code offset {offset}: expected {expected}, found {found}")]
    Prefix {
        offset: u32,
        expected: String,
        found: String,
    },
    /// 3.11+: an instruction runs with fewer values on the stack than its handler
    /// unwinds to.
    #[error("code offset {offset}: stack depth {stack}, below the depth {depth} of exception table entry {entry}")]
    HandlerAboveStack {
        entry: usize,
        offset: u32,
        depth: u32,
        stack: i32,
    },
    /// 3.11+: a handler is reached with another depth than its entry gives it.
    #[error("exception table entry {entry}: the handler at {target} starts at stack depth {walked}, not {expected} (depth + lasti + 1)")]
    HandlerEntry {
        entry: usize,
        target: u32,
        expected: u32,
        walked: i32,
    },
    /// 3.11+: a `YIELD_VALUE` not followed by `RESUME`.
    #[error("code offset {offset}: YIELD_VALUE is not followed by RESUME")]
    YieldWithoutResume { offset: u32 },
    /// 3.12+: a `FOR_ITER` target that the interpreter cannot skip as it does.
    #[error("code offset {offset}: FOR_ITER jumps to {found}, where the interpreter skips {expected} (without prefixes)")]
    ForIterExit {
        offset: u32,
        found: String,
        expected: &'static str,
    },
}

/// Checks the code of a code object: `code` is `co_code`, `exceptiontable` its 3.11+
/// exception table (ignored before), `stacksize` its `co_stacksize`.
pub fn verify(
    version: PyVersion,
    code: &[u8],
    exceptiontable: &[u8],
    stacksize: i32,
    limits: &Limits,
) -> Result<(), VerifyError> {
    let t = table(version);
    let instrs = decode(code, version)?;
    let code_len = code.len() as u32;
    let boundary = |at: u32| instrs.binary_search_by_key(&at, |i| i.start).is_ok();

    for i in &instrs {
        if let Some(target) = i.jump_target(t) {
            if !boundary(target) {
                return Err(VerifyError::BadJump {
                    offset: i.offset,
                    target,
                });
            }
        }
        check_arg(i, limits)?;
    }

    let mut handlers: Vec<HandlerRange> = Vec::new();
    if version.at_least(PyVersion::V3_11) {
        let table = ExceptionTable::decode(exceptiontable)?;
        for (n, e) in table.entries.iter().enumerate() {
            let h = HandlerRange {
                start: e.start * 2,
                end: e.end() * 2,
                target: e.target * 2,
                depth: e.depth,
                lasti: e.lasti,
            };
            let bad = |what, at| VerifyError::BadHandler { entry: n, what, at };
            if !boundary(h.start) {
                return Err(bad("start", h.start));
            }
            if h.end != code_len && !boundary(h.end) || h.end > code_len || h.end < h.start {
                return Err(bad("end", h.end));
            }
            if !boundary(h.target) {
                return Err(bad("target", h.target));
            }
            handlers.push(h);
        }
    }

    // Depth before every reachable instruction, and after it along each edge.
    let prog = Program {
        table: t,
        instrs: &instrs,
        code_len,
        handlers: &handlers,
    };
    let states = simulate(&prog, &mut Depth::default(), Walk::of(version))?;
    for (k, (i, state)) in instrs.iter().zip(&states).enumerate() {
        let Some(before) = *state else { continue };
        // A generator's frame starts holding the value sent in, which 3.10's
        // `GEN_START` pops; 3.11/3.12 count `RETURN_GENERATOR` as 0 though the
        // resumed frame holds the value the next instruction pops (the walk clamps at
        // zero there too).
        let resumed =
            i.op.name == "GEN_START" || k > 0 && instrs[k - 1].op.name == "RETURN_GENERATOR";
        let after = |e| i64::from(before) + i64::from(Depth::effect(i.op, i.arg, e));
        let depths = [
            Some(i64::from(before)),
            Some(after(Edge::FallThrough)),
            i.op.jump.is_some().then(|| after(Edge::Jump)),
        ];
        for depth in depths.into_iter().flatten() {
            if depth < 0 && !(resumed && depth == -1) {
                return Err(VerifyError::Underflow {
                    offset: i.offset,
                    op: i.op.name,
                    depth,
                });
            }
            if depth > i64::from(stacksize) {
                return Err(VerifyError::Overflow {
                    offset: i.offset,
                    op: i.op.name,
                    depth,
                    stacksize,
                });
            }
        }
    }
    if version.at_least(PyVersion::V3_11) {
        if let Some(frame) = &limits.frame {
            check_prefix(version, &instrs, frame)?;
        }
        check_handler_depths(&instrs, &handlers, &states)?;
        check_yields(version, &instrs)?;
    }
    if version.at_least(PyVersion::V3_12) {
        check_for_iter_exits(version, &instrs)?;
    }
    Ok(())
}

/// Describes an instruction for messages (`NAME arg`, or `NAME` without argument).
fn show(i: Option<&Instruction>) -> String {
    match i {
        None => "the end of the code".to_string(),
        Some(i) if i.op.has_arg => format!("{} {}", i.op.name, i.arg),
        Some(i) => i.op.name.to_string(),
    }
}

/// 3.11+: `COPY_FREE_VARS n`, `MAKE_CELL i` per cell, `RETURN_GENERATOR; POP_TOP`
/// for generator-like code, then `RESUME 0`, as the compiler's
/// `insert_prefix_instructions` writes them; and no set-up instruction elsewhere.
fn check_prefix(
    version: PyVersion,
    instrs: &[Instruction],
    frame: &Frame,
) -> Result<(), VerifyError> {
    let ops = Ops::get(version);
    let mut want: Vec<(Option<&'static OpInfo>, u32)> = Vec::new();
    let free = frame.free_count();
    if free > 0 {
        want.push((ops.copy_free_vars, free));
    }
    want.extend(frame.cells().map(|c| (ops.make_cell, c)));
    if frame.is_generator_like() {
        want.push((ops.return_generator, 0));
        want.push((ops.pop_top, 0));
    }
    want.push((ops.resume, 0));
    for (k, &(op, arg)) in want.iter().enumerate() {
        let found = instrs.get(k);
        let ok = found.is_some_and(|i| Ops::is(i.op, op) && (!i.op.has_arg || i.arg == arg));
        if !ok {
            let name = op.map_or("?", |o| o.name);
            let expected = if op.is_some_and(|o| o.has_arg) {
                format!("{name} {arg}")
            } else {
                name.to_string()
            };
            return Err(VerifyError::Prefix {
                offset: found.map_or(0, |i| i.offset),
                expected,
                found: show(found),
            });
        }
    }
    // 3.12+ inlined comprehensions make the cell of a comprehension variable that an
    // inner function captures where the comprehension runs.
    let elsewhere = [ops.copy_free_vars, ops.return_generator];
    for i in &instrs[want.len()..] {
        if elsewhere.iter().any(|&op| Ops::is(i.op, op)) {
            return Err(VerifyError::Prefix {
                offset: i.offset,
                expected: "no frame set-up after RESUME 0".to_string(),
                found: show(Some(i)),
            });
        }
    }
    Ok(())
}

/// 3.11+: handler depths against the stack walk's depths (`states`, before each
/// instruction).
fn check_handler_depths(
    instrs: &[Instruction],
    handlers: &[HandlerRange],
    states: &[Option<i32>],
) -> Result<(), VerifyError> {
    for (n, h) in handlers.iter().enumerate() {
        let first = instrs.partition_point(|i| i.start < h.start);
        for (i, state) in instrs[first..].iter().zip(&states[first..]) {
            if i.start >= h.end {
                break;
            }
            if let Some(stack) = *state {
                if i64::from(stack) < i64::from(h.depth) {
                    return Err(VerifyError::HandlerAboveStack {
                        entry: n,
                        offset: i.offset,
                        depth: h.depth,
                        stack,
                    });
                }
            }
        }
        let expected = h.depth.saturating_add(u32::from(h.lasti) + 1);
        let at = instrs.partition_point(|i| i.start < h.target);
        let walked = states.get(at).copied().flatten();
        if walked.is_some_and(|w| i64::from(w) != i64::from(expected)) {
            return Err(VerifyError::HandlerEntry {
                entry: n,
                target: h.target,
                expected,
                walked: walked.unwrap_or(-1),
            });
        }
    }
    Ok(())
}

/// 3.11+: a generator frame continues after a `YIELD_VALUE` at the next instruction,
/// which must be a `RESUME` (tracing, and 3.13's `close()`, read it).
fn check_yields(version: PyVersion, instrs: &[Instruction]) -> Result<(), VerifyError> {
    let ops = Ops::get(version);
    for (k, i) in instrs.iter().enumerate() {
        if Ops::is(i.op, ops.yield_value)
            && !instrs.get(k + 1).is_some_and(|n| Ops::is(n.op, ops.resume))
        {
            return Err(VerifyError::YieldWithoutResume { offset: i.offset });
        }
    }
    Ok(())
}

/// 3.12+: an exhausted `FOR_ITER` jumps one code unit past its target (3.13: two),
/// skipping `END_FOR` (3.13: `END_FOR; POP_TOP`), so exactly those must be there.
fn check_for_iter_exits(version: PyVersion, instrs: &[Instruction]) -> Result<(), VerifyError> {
    let ops = Ops::get(version);
    let t = table(version);
    let (want, expected): (&[_], _) = if version.at_least(PyVersion::V3_13) {
        (&[ops.end_for, ops.pop_top], "END_FOR; POP_TOP")
    } else {
        (&[ops.end_for], "END_FOR")
    };
    for i in instrs.iter().filter(|i| i.op.flow.for_iter) {
        let Some(target) = i.jump_target(t) else {
            continue;
        };
        let at = instrs.partition_point(|x| x.start < target);
        for (k, &op) in want.iter().enumerate() {
            let found = instrs.get(at + k);
            if !found.is_some_and(|x| Ops::is(x.op, op) && x.prefixes == 0) {
                return Err(VerifyError::ForIterExit {
                    offset: i.offset,
                    found: show(found),
                    expected,
                });
            }
        }
    }
    Ok(())
}

fn check_arg(i: &Instruction, limits: &Limits) -> Result<(), VerifyError> {
    let kind = i.op.arg_kind;
    if !i.op.has_arg {
        return Ok(());
    }
    let (what, index, len) = match kind {
        ArgKind::Const => ("constant", i.arg, limits.consts),
        ArgKind::Name { shift } => ("name", i.arg >> shift, limits.names),
        ArgKind::Local => ("local", i.arg, limits.locals),
        ArgKind::LocalPair => {
            let (a, b) = ArgKind::local_pair(i.arg);
            ("local", a.max(b), limits.locals)
        }
        ArgKind::Free => ("cell or free variable", i.arg, limits.derefs),
        _ => return Ok(()),
    };
    if index as usize >= len {
        return Err(VerifyError::ArgOutOfRange {
            offset: i.offset,
            op: i.op.name,
            what,
            index,
            len,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::kind;
    use crate::exceptiontable::ExceptionTableEntry;

    /// Wordcode for `(name, arg)` pairs, `EXTENDED_ARG` prefixes for `arg > 255`
    /// and zeroed caches included.
    fn code(v: PyVersion, instrs: &[(&str, u32)]) -> Vec<u8> {
        let t = table(v);
        let mut out = Vec::new();
        for &(name, arg) in instrs {
            let op = t.by_name(name).unwrap();
            if arg > 255 {
                out.extend_from_slice(&[t.extended_arg, (arg >> 8) as u8]);
            }
            out.extend_from_slice(&[op.code, arg as u8]);
            out.resize(out.len() + 2 * op.cache_entries as usize, 0);
        }
        out
    }

    /// Exception table of `(start, end, target, depth, lasti)` in code units.
    fn exc(entries: &[(u32, u32, u32, u32, bool)]) -> Vec<u8> {
        ExceptionTable {
            entries: entries
                .iter()
                .map(|&(start, end, target, depth, lasti)| ExceptionTableEntry {
                    start,
                    length: end - start,
                    target,
                    depth,
                    lasti,
                })
                .collect(),
        }
        .to_bytes()
    }

    fn limits(frame: Option<Frame>) -> Limits {
        Limits {
            consts: 4,
            names: 4,
            locals: 4,
            derefs: 4,
            frame,
        }
    }

    fn run(
        v: PyVersion,
        instrs: &[(&str, u32)],
        table: &[u8],
        frame: Option<Frame>,
    ) -> Result<(), VerifyError> {
        verify(v, &code(v, instrs), table, 10, &limits(frame))
    }

    /// A function with one argument, a cell (slot 1) and a free variable (slot 2).
    fn closure_frame(flags: u32) -> Frame {
        Frame {
            arguments: 1,
            kinds: vec![kind::LOCAL, kind::CELL, kind::FREE],
            flags,
        }
    }

    #[test]
    fn the_prefix_must_set_up_frees_cells_and_generators_before_resume_0() {
        for v in [PyVersion::V3_11, PyVersion::V3_12, PyVersion::V3_13] {
            let good = [
                ("COPY_FREE_VARS", 1),
                ("MAKE_CELL", 1),
                ("RESUME", 0),
                ("LOAD_CONST", 0),
                ("RETURN_VALUE", 0),
            ];
            run(v, &good, &[], Some(closure_frame(0))).unwrap();
            // Without a known frame the prefix is not checked.
            run(v, &good[2..], &[], None).unwrap();
            let prefix_error = |instrs: &[(&str, u32)], frame: Frame| {
                let e = run(v, instrs, &[], Some(frame)).unwrap_err();
                assert!(matches!(e, VerifyError::Prefix { .. }), "{v}: {e}");
                e.to_string()
            };
            // COPY_FREE_VARS missing, MAKE_CELL of the wrong slot, RESUME 1 first.
            let e = prefix_error(&good[1..], closure_frame(0));
            assert!(e.contains("expected COPY_FREE_VARS 1"), "{e}");
            let mut wrong_cell = good;
            wrong_cell[1].1 = 0;
            let e = prefix_error(&wrong_cell, closure_frame(0));
            assert!(e.contains("expected MAKE_CELL 1, found MAKE_CELL 0"), "{e}");
            let mut resume_1 = good;
            resume_1[2].1 = 1;
            prefix_error(&resume_1, closure_frame(0));
            // Something before RESUME.
            let mut nop = good.to_vec();
            nop.insert(2, ("NOP", 0));
            let e = prefix_error(&nop, closure_frame(0));
            assert!(e.contains("expected RESUME 0, found NOP"), "{e}");
            // A generator needs RETURN_GENERATOR; POP_TOP after the cells.
            let generator = closure_frame(crate::cfg::co_flags::GENERATOR);
            let e = prefix_error(&good, generator.clone());
            assert!(
                e.contains("expected RETURN_GENERATOR, found RESUME 0"),
                "{e}"
            );
            let mut gen_ok = good.to_vec();
            gen_ok.splice(2..2, [("RETURN_GENERATOR", 0), ("POP_TOP", 0)]);
            run(v, &gen_ok, &[], Some(generator)).unwrap();
            // ... and only there; so for COPY_FREE_VARS.
            let mut twice = good.to_vec();
            twice.insert(3, ("COPY_FREE_VARS", 1));
            let e = prefix_error(&twice, closure_frame(0));
            assert!(e.contains("no frame set-up after RESUME 0"), "{e}");
        }
    }

    #[test]
    fn a_handler_depth_above_the_protected_stack_is_an_error() {
        let v = PyVersion::V3_12;
        // RESUME; LOAD_CONST (depth 1); NOP; RETURN_VALUE | handler: POP_TOP*k; RETURN_CONST
        let body = [
            ("RESUME", 0),
            ("LOAD_CONST", 0),
            ("NOP", 0),
            ("RETURN_VALUE", 0),
            ("POP_TOP", 0),
            ("POP_TOP", 0),
            ("RETURN_CONST", 0),
        ];
        // NOP (unit 2) protected at depth 1, handler at unit 4 entered at 2.
        run(v, &body, &exc(&[(2, 3, 4, 1, false)]), None).unwrap();
        // Depth 2 on an instruction running at 1.
        let e = run(v, &body, &exc(&[(2, 3, 4, 2, false)]), None).unwrap_err();
        assert!(
            matches!(
                e,
                VerifyError::HandlerAboveStack {
                    depth: 2,
                    stack: 1,
                    ..
                }
            ),
            "{e}"
        );
        // RESUME (depth 0) protected at depth 1.
        let e = run(v, &body, &exc(&[(0, 1, 4, 1, false)]), None).unwrap_err();
        assert!(matches!(e, VerifyError::HandlerAboveStack { .. }), "{e}");
    }

    #[test]
    fn a_handler_reached_at_another_depth_is_an_error() {
        let v = PyVersion::V3_12;
        // Two entries send to one handler with different depths.
        let body = [
            ("RESUME", 0),
            ("LOAD_CONST", 0),
            ("NOP", 0),
            ("POP_TOP", 0),
            ("NOP", 0),
            ("RETURN_CONST", 0),
            ("POP_TOP", 0),
            ("RETURN_CONST", 0),
        ];
        run(
            v,
            &body,
            &exc(&[(2, 3, 6, 0, false), (4, 5, 6, 0, false)]),
            None,
        )
        .unwrap();
        let e = run(
            v,
            &body,
            &exc(&[(2, 3, 6, 1, false), (4, 5, 6, 0, false)]),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                VerifyError::HandlerEntry {
                    expected: 1,
                    walked: 2,
                    ..
                }
            ),
            "{e}"
        );
        // A handler also reached by a jump at another depth.
        let jumped = [
            ("RESUME", 0),
            ("LOAD_CONST", 0),
            ("LOAD_CONST", 0),
            ("JUMP_FORWARD", 0),
            ("POP_TOP", 0),
            ("RETURN_CONST", 0),
        ];
        let e = run(v, &jumped, &exc(&[(1, 2, 4, 0, false)]), None).unwrap_err();
        assert!(matches!(e, VerifyError::HandlerEntry { .. }), "{e}");
    }

    #[test]
    fn a_yield_must_be_followed_by_resume() {
        let v = PyVersion::V3_12;
        let good = [
            ("RESUME", 0),
            ("LOAD_CONST", 0),
            ("YIELD_VALUE", 0),
            ("RESUME", 1),
            ("RETURN_VALUE", 0),
        ];
        run(v, &good, &[], None).unwrap();
        let mut bad = good.to_vec();
        bad.insert(3, ("NOP", 0));
        let e = run(v, &bad, &[], None).unwrap_err();
        assert!(matches!(e, VerifyError::YieldWithoutResume { .. }), "{e}");
    }

    #[test]
    fn for_iter_must_jump_to_what_the_interpreter_skips() {
        for v in [PyVersion::V3_12, PyVersion::V3_13] {
            let t = table(v);
            let units = |name| t.instr_len(t.by_name(name).unwrap()) as u32 / 2;
            let (fi, jb) = (units("FOR_ITER"), units("JUMP_BACKWARD"));
            // RESUME; LOAD_CONST; GET_ITER; L0: FOR_ITER L1; POP_TOP; JUMP_BACKWARD L0;
            // L1: exit
            let build = |exit: &[(&'static str, u32)]| {
                let mut body = vec![
                    ("RESUME", 0),
                    ("LOAD_CONST", 0),
                    ("GET_ITER", 0),
                    ("FOR_ITER", 1 + jb),
                    ("POP_TOP", 0),
                    ("JUMP_BACKWARD", fi + 1 + jb),
                ];
                body.extend_from_slice(exit);
                body
            };
            let good: Vec<(&str, u32)> = if v == PyVersion::V3_13 {
                vec![("END_FOR", 0), ("POP_TOP", 0), ("RETURN_CONST", 0)]
            } else {
                vec![("END_FOR", 0), ("RETURN_CONST", 0)]
            };
            run(v, &build(&good), &[], None).unwrap();
            // The target is not END_FOR.
            let mut nop_first = good.clone();
            nop_first.insert(0, ("NOP", 0));
            let e = run(v, &build(&nop_first), &[], None).unwrap_err();
            assert!(matches!(e, VerifyError::ForIterExit { .. }), "{v}: {e}");
            // END_FOR with a prefix: the skip lands on END_FOR itself.
            let prefixed = build(&good);
            let end_for = prefixed.iter().position(|i| i.0 == "END_FOR").unwrap();
            let mut bytes = code(v, &prefixed);
            let at = bytes.len() - 2 * (prefixed.len() - end_for);
            bytes.splice(at..at, [t.extended_arg, 0]);
            // FOR_ITER's target is the prefix now.
            let e = verify(v, &bytes, &[], 10, &limits(None)).unwrap_err();
            assert!(matches!(e, VerifyError::ForIterExit { .. }), "{v}: {e}");
            if v == PyVersion::V3_13 {
                // 3.13 skips POP_TOP as well.
                let mut nop_second = good.clone();
                nop_second.insert(1, ("NOP", 0));
                let e = run(v, &build(&nop_second), &[], None).unwrap_err();
                assert!(matches!(e, VerifyError::ForIterExit { .. }), "{e}");
            }
        }
    }
}
