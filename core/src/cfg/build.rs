//! Code object → [`Cfg`].

use std::collections::BTreeSet;

use super::{Block, BlockId, Cfg, EdgeKind, Frame, Instr};
use crate::code::Code;
use crate::exceptiontable::{ExceptionTable, ExceptionTableError, Handler};
use crate::instr::{decode, DecodeError, Instruction};
use crate::linetable::{LineTable, LineTableError, Position};
use crate::marshal::ObjectGraph;
use crate::opcode::table;
use crate::version::PyVersion;

/// Why a code object could not be turned into a graph.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("line table: {0}")]
    LineTable(#[from] LineTableError),
    #[error("exception table: {0}")]
    ExceptionTable(#[from] ExceptionTableError),
    #[error("code offset {offset}: {what} {target} is not the start of an instruction")]
    BadTarget {
        offset: u32,
        what: &'static str,
        target: u32,
    },
    #[error("the code object has no instructions")]
    Empty,
}

/// Builds the control-flow graph of `code` (read from `g` by a `version` reader).
pub fn build(code: &Code, g: &ObjectGraph, version: PyVersion) -> Result<Cfg, BuildError> {
    let t = table(version);
    let bytes = code.bytecode(g);
    let instrs = decode(bytes, version)?;
    if instrs.is_empty() {
        return Err(BuildError::Empty);
    }
    let positions = positions(code, g, version, &instrs, bytes.len() as u32)?;
    let handlers = handlers(code, g, &instrs)?;

    let index_of = |offset: u32| instrs.binary_search_by_key(&offset, |i| i.start).ok();

    // Leaders: where blocks start.
    let mut leaders = BTreeSet::new();
    leaders.insert(0usize);
    for (k, i) in instrs.iter().enumerate() {
        if let Some(target) = i.jump_target(t) {
            let at = index_of(target).ok_or(BuildError::BadTarget {
                offset: i.offset,
                what: "jump target",
                target,
            })?;
            leaders.insert(at);
        }
        let f = &i.op.flow;
        if f.terminates
            || f.cond_jump
            || f.uncond_jump
            || f.for_iter
            || f.setup_block
            || i.op.jump.is_some()
        {
            leaders.insert(k + 1);
        }
        if k > 0 && handlers[k] != handlers[k - 1] {
            leaders.insert(k);
        }
    }
    for h in handlers.iter().flatten() {
        let at = index_of(h.target * 2).ok_or(BuildError::BadTarget {
            offset: 0,
            what: "exception handler",
            target: h.target * 2,
        })?;
        leaders.insert(at);
    }
    leaders.retain(|&k| k < instrs.len());

    let mut cfg = Cfg::new(version);
    cfg.graph.clear();
    cfg.layout.clear();
    cfg.frame = Frame::of(code, g);
    cfg.prefixed_args = instrs
        .iter()
        .filter(|i| i.prefixes > 0)
        .map(|i| (i.start, i.arg))
        .collect();
    let starts: Vec<usize> = leaders.into_iter().collect();
    let mut block_of_instr = vec![BlockId::new(0); instrs.len()];
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(instrs.len());
        let block = Block {
            instrs: (s..end)
                .map(|k| {
                    let i = &instrs[k];
                    Instr {
                        op: i.op,
                        arg: i.arg,
                        pos: positions[k],
                        prefixes: i.prefixes,
                        cache: i.cache.clone(),
                        offset: Some(i.start),
                    }
                })
                .collect(),
            offset: Some(instrs[s].start),
            entry_depth: None,
        };
        let id = cfg.graph.add_node(block);
        cfg.layout.push(id);
        for slot in &mut block_of_instr[s..end] {
            *slot = id;
        }
    }
    cfg.entry = cfg.layout[0];

    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(instrs.len());
        let id = cfg.layout[n];
        let last = &instrs[end - 1];
        let f = &last.op.flow;
        if let Some(target) = last.jump_target(t) {
            let to = block_of_instr[index_of(target).expect("checked above")];
            let kind = if f.setup_block {
                EdgeKind::Setup
            } else {
                EdgeKind::Jump
            };
            cfg.graph.add_edge(id, to, kind);
        }
        let falls = !f.terminates && !f.uncond_jump;
        if falls {
            // The last block may "fall off the end" only if it is unreachable (3.8
            // leaves such dead tails); it then simply has no fall-through edge, and
            // the verifier rejects it if anything reaches it.
            if let Some(&next) = cfg.layout.get(n + 1) {
                cfg.graph.add_edge(id, next, EdgeKind::Fallthrough);
            }
        }
        if let Some(h) = handlers[s] {
            let to = block_of_instr[index_of(h.target * 2).expect("checked above")];
            cfg.graph.add_edge(
                id,
                to,
                EdgeKind::Exception {
                    depth: h.depth,
                    lasti: h.lasti,
                },
            );
        }
    }
    Ok(cfg)
}

/// The source position of each instruction.
fn positions(
    code: &Code,
    g: &ObjectGraph,
    version: PyVersion,
    instrs: &[Instruction],
    code_len: u32,
) -> Result<Vec<Position>, BuildError> {
    let table = LineTable::of_code(version, code, g)?;
    Ok(crate::lower::positions_of(
        &table,
        version,
        code.firstlineno,
        instrs,
        code_len,
    ))
}

/// The handler of each instruction (3.11+; `None` everywhere before).
fn handlers(
    code: &Code,
    g: &ObjectGraph,
    instrs: &[Instruction],
) -> Result<Vec<Option<Handler>>, BuildError> {
    let mut out = vec![None; instrs.len()];
    let Some(table) = ExceptionTable::of_code(code, g)? else {
        return Ok(out);
    };
    for (k, i) in instrs.iter().enumerate() {
        let unit = i.offset / 2;
        out[k] = table.handler_at(unit);
    }
    Ok(out)
}
