//! Stack depth at the entry of each block, from the project's one stack simulator
//! ([`crate::stackdepth`]) run over the code the graph was built from.

use super::Cfg;
use crate::code::Code;
use crate::exceptiontable::ExceptionTable;
use crate::instr::decode;
use crate::lower::handler_ranges;
use crate::marshal::ObjectGraph;
use crate::opcode::table;
use crate::stackdepth::{simulate, Depth, HandlerRange, Program, Walk};

/// Fills [`super::Block::entry_depth`] for every block that still starts at the
/// offset it had in `code` (blocks a pass made, or unreachable ones, stay `None`).
/// Returns the error text when the code cannot be walked.
pub fn annotate_entry_depths(cfg: &mut Cfg, code: &Code, g: &ObjectGraph) -> Result<(), String> {
    let version = cfg.version;
    let bytes = code.bytecode(g);
    let instrs = decode(bytes, version).map_err(|e| e.to_string())?;
    let handlers: Vec<HandlerRange> = ExceptionTable::of_code(code, g)
        .map_err(|e| e.to_string())?
        .map(|t| handler_ranges(&t))
        .unwrap_or_default();
    let prog = Program {
        table: table(version),
        instrs: &instrs,
        code_len: bytes.len() as u32,
        handlers: &handlers,
    };
    let states =
        simulate(&prog, &mut Depth::default(), Walk::of(version)).map_err(|e| e.to_string())?;
    for &b in &cfg.layout {
        let block = &mut cfg.graph[b];
        let Some(offset) = block.offset else { continue };
        if let Ok(k) = instrs.binary_search_by_key(&offset, |i| i.start) {
            block.entry_depth = states[k].and_then(|d| u32::try_from(d).ok());
        }
    }
    Ok(())
}
