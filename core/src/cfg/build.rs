//! Code object → [`Cfg`].

use super::scan::Scan;
use super::{Block, Cfg, Frame, Instr};
use crate::code::Code;
use crate::exceptiontable::ExceptionTableError;
use crate::instr::DecodeError;
use crate::linetable::LineTableError;
use crate::marshal::ObjectGraph;
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
    build_scanned(&Scan::new(code, g, version)?)
}

/// Builds the control-flow graph of a scanned code object: one block per block of
/// the scan, with its edges, and each instruction's source position.
pub fn build_scanned(scan: &Scan<'_>) -> Result<Cfg, BuildError> {
    let (code, g, version) = (scan.code, scan.graph, scan.version);
    let instrs = &scan.instrs;
    let positions = scan.positions()?;
    let mut cfg = Cfg::new(version);
    cfg.graph.clear();
    cfg.layout.clear();
    cfg.frame = Frame::of(code, g);
    cfg.prefixed_args = instrs
        .iter()
        .filter(|i| i.prefixes > 0)
        .map(|i| (i.start, i.arg))
        .collect();
    for n in 0..scan.block_count() {
        let range = scan.block(n);
        let start = range.start;
        let block = Block {
            instrs: range
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
            offset: Some(instrs[start].start),
            entry_depth: None,
        };
        let id = cfg.graph.add_node(block);
        cfg.layout.push(id);
    }
    cfg.entry = cfg.layout[0];
    for n in 0..scan.block_count() {
        let from = cfg.layout[n];
        for (kind, to) in scan.successors(n) {
            let to = cfg.layout[to];
            cfg.graph.add_edge(from, to, kind);
        }
    }
    Ok(cfg)
}
