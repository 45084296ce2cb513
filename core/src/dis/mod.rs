//! A disassembler whose output is, character for character, what CPython's own
//! `dis.dis(code)` prints for the same code object (memory addresses shown as `0x0`).
//!
//! The layout of `dis` output changed with CPython versions, so each family has its
//! own printer: [`classic`] (2.7, 3.6–3.10: line, offset, name, argument, details),
//! [`v311`] (3.11 and 3.12: adds inline caches and the exception table) and [`v313`]
//! (3.13: labels instead of offsets). This module walks the code objects the way
//! `dis.dis` does and picks the printer. 2.7 and 3.6's `dis.dis` do not descend into
//! nested code objects; pycopt prints them anyway, in the 3.7+ style.

mod classic;
mod v311;
mod v313;

use std::fmt::Write as _;

use crate::code::walk_code;
use crate::instr::DecodeError;
use crate::marshal::{ObjId, ObjectGraph};
use crate::opcode::{table, OpcodeTable};
use crate::pyc::Pyc;
use crate::version::PyVersion;

/// What to show, mirroring `dis.dis`'s keyword arguments where the version has them.
#[derive(Clone, Debug, Default)]
pub struct DisOptions {
    /// `show_caches=True` (3.11+): list inline `CACHE` entries.
    pub show_caches: bool,
    /// Show `line:column-end_line:end_column` ranges instead of line numbers (3.13).
    /// 3.13's own `dis` has no such switch; the layout is that of 3.14's
    /// `show_positions=True`, the next release's form of the same listing.
    pub positions: bool,
    /// Only this code object (matched against `co_qualname` on 3.11+, or the dotted
    /// path of names from the module, e.g. `C.method`), with what it contains.
    pub function: Option<String>,
}

/// Why a code object could not be disassembled.
#[derive(Debug, thiserror::Error)]
pub enum DisError {
    #[error("{qualname}: {source}")]
    Decode {
        qualname: String,
        #[source]
        source: DecodeError,
    },
    #[error("{qualname}: {why}")]
    Invalid { qualname: String, why: String },
    #[error("no code object named {0:?} (try `pycopt dis --list FILE` to see the names)")]
    NoSuchFunction(String),
    #[error("{option} is not available for CPython {version}")]
    Unsupported {
        option: &'static str,
        version: PyVersion,
    },
}

/// Shared state of one disassembly.
pub(crate) struct Ctx<'a> {
    pub g: &'a ObjectGraph,
    pub version: PyVersion,
    pub table: &'static OpcodeTable,
    pub opts: &'a DisOptions,
}

/// Disassembles a whole `.pyc` as `dis.dis(module_code)` would.
pub fn dis_pyc(pyc: &Pyc, opts: &DisOptions) -> Result<String, DisError> {
    let version = pyc.version();
    if opts.show_caches && !version.at_least(PyVersion::V3_11) {
        return Err(DisError::Unsupported {
            option: "--show-caches",
            version,
        });
    }
    if opts.positions && !version.at_least(PyVersion::V3_13) {
        return Err(DisError::Unsupported {
            option: "--positions",
            version,
        });
    }
    let cx = Ctx {
        g: &pyc.graph,
        version,
        table: table(version),
        opts,
    };
    let root = match &opts.function {
        None => pyc.root,
        Some(name) => find_function(&pyc.graph, pyc.root, name)
            .ok_or_else(|| DisError::NoSuchFunction(name.clone()))?,
    };
    let mut out = String::new();
    disassemble_recursive(&cx, root, &mut out)?;
    Ok(out)
}

/// Finds a code object by qualified name or dotted path.
pub fn find_function(g: &ObjectGraph, root: ObjId, name: &str) -> Option<ObjId> {
    let all = walk_code(g, root);
    let by_qualname = all.iter().find(|(id, _)| {
        g.as_code(*id)
            .is_some_and(|c| c.qualname.is_some() && c.qualname(g) == name)
    });
    if let Some((id, _)) = by_qualname {
        return Some(*id);
    }
    // Dotted path from the module, with or without the leading `<module>.`.
    all.iter()
        .find(|(_, path)| {
            path == name || path.split_once('.').is_some_and(|(_, rest)| rest == name)
        })
        .map(|(id, _)| *id)
}

fn disassemble_recursive(cx: &Ctx, root: ObjId, out: &mut String) -> Result<(), DisError> {
    let mut stack = vec![root];
    let mut first = true;
    while let Some(id) = stack.pop() {
        let code = cx.g.as_code(id).expect("only code objects are pushed");
        if !first {
            let _ = write!(
                out,
                "\nDisassembly of {}:\n",
                crate::pyrepr::repr(cx.g, id, cx.version)
            );
        }
        first = false;
        disassemble(cx, id, out)?;
        let nested: Vec<ObjId> = code.nested(cx.g).collect();
        stack.extend(nested.into_iter().rev());
    }
    Ok(())
}

/// Disassembles one code object (what `dis.disassemble(code)` prints).
pub(crate) fn disassemble(cx: &Ctx, id: ObjId, out: &mut String) -> Result<(), DisError> {
    match cx.version {
        PyVersion::V2_7
        | PyVersion::V3_6
        | PyVersion::V3_7
        | PyVersion::V3_8
        | PyVersion::V3_9
        | PyVersion::V3_10 => classic::disassemble(cx, id, out),
        PyVersion::V3_11 | PyVersion::V3_12 => v311::disassemble(cx, id, out),
        PyVersion::V3_13 => v313::disassemble(cx, id, out),
    }
}
