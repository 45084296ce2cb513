//! The `--strip` passes: what CPython's `-O` (`strip-asserts`) and `-OO`
//! (`strip-docstrings`) remove, done on compiled bytecode.
//!
//! They act only when the user asks (`--strip asserts`, `--strip docstrings`): like
//! `-O`, they change what a program does when an assertion fails or when it reads a
//! docstring. Two differences from compiling with `-O` remain by construction:
//! `if __debug__:` blocks were already folded to unconditional code by the compiler,
//! and nothing is recompiled, so constants, names and layout stay those of the
//! original (the clean-up passes that follow in every pipeline compact them).
//!
//! Where an assertion or docstring was, a `NOP` keeps its position: the line stays a
//! place a debugger can stop at, and `remove-nops` drops the `NOP` when a neighbour
//! already carries the line.

pub mod asserts;
pub mod docstrings;

pub use asserts::StripAsserts;
pub use docstrings::StripDocstrings;

use pycopt_core::cfg::Instr;
use pycopt_core::linetable::Position;
use pycopt_core::opcode::{table, OpInfo};
use pycopt_core::PyVersion;

/// `co_flags` bit of function code (fast locals): module and class bodies lack it.
pub(crate) const CO_OPTIMIZED: i32 = 0x1;

/// The opcode `name` of `version`, if that version has it.
fn op(version: PyVersion, name: &str) -> Option<&'static OpInfo> {
    table(version).by_name(name)
}

/// A new instruction at `pos` (no prefixes, no cache contents, not from the input).
fn new_instr(op: &'static OpInfo, arg: u32, pos: Position) -> Instr {
    Instr {
        op,
        arg,
        pos,
        prefixes: 0,
        cache: Box::new([]),
        offset: None,
    }
}
