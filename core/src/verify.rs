//! A light bytecode verifier: the checks that catch code generation going wrong
//! before the interpreter does.
//!
//! [`verify`] decodes `co_code` and checks that every jump target and every 3.11+
//! exception-table entry lies on an instruction boundary, that constant, name, local
//! and cell/free-variable arguments index into their tables, and that along every
//! edge of the stack walk ([`crate::stackdepth`]) the depth stays between zero and
//! `co_stacksize`.

use crate::code::{Code, Locals};
use crate::exceptiontable::{ExceptionTable, ExceptionTableError};
use crate::instr::{decode, DecodeError, Instruction};
use crate::marshal::ObjectGraph;
use crate::opcode::{table, ArgKind};
use crate::stackdepth::{simulate, Depth, Edge, HandlerRange, Program, StackError, Walk};
use crate::version::PyVersion;

/// The sizes of the tables instruction arguments index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// `len(co_consts)`.
    pub consts: usize,
    /// `len(co_names)`.
    pub names: usize,
    /// Fast locals: `len(co_varnames)` up to 3.10, the whole localsplus from 3.11.
    pub locals: usize,
    /// The deref space: cells plus free variables up to 3.10, localsplus from 3.11.
    pub derefs: usize,
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
        let mut edges = vec![Edge::FallThrough];
        if i.op.jump.is_some() {
            edges.push(Edge::Jump);
        }
        let mut depths = vec![i64::from(before)];
        depths.extend(
            edges
                .iter()
                .map(|&e| i64::from(before) + i64::from(Depth::effect(i.op, i.arg, e))),
        );
        for depth in depths {
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
