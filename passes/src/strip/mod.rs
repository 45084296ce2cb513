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

pub(crate) use crate::classic::{new_instr, op, CO_OPTIMIZED};
