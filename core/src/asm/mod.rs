//! The `.pyasm` assembly text: a `.pyc` as editable text, and back.
//!
//! [`disassemble`] writes every code object of a `.pyc` as text (`pycopt dis --asm`);
//! [`assemble`] reads such a text and builds the `.pyc` (`pycopt asm`). The format is
//! specified in `docs/pyasm.md`. Two promises:
//!
//! * a text written by [`disassemble`] assembles back to the identical bytes, for
//!   every `.pyc` the interpreters' own standard libraries hold;
//! * a hand-edited text (instructions inserted or deleted, constants added, jumps
//!   retargeted) assembles into a `.pyc` the interpreter runs: offsets,
//!   `EXTENDED_ARG` prefixes, inline caches, jump arguments and directions, line and
//!   exception tables and `co_stacksize` are computed, and what the text carries from
//!   the original file (line tables, stack size, the marshal layout) is used only
//!   where it still describes the assembled code.
//!
//! ```
//! use pycopt_core::asm::{assemble, disassemble};
//! let text = "\
//! .python 3.12
//! .code <module>
//!   .names 'print'
//!   .const 0 'hi'
//!   .const 1 None
//!   .loc 1
//!   RESUME 0
//!   PUSH_NULL
//!   LOAD_NAME print
//!   LOAD_CONST 0
//!   CALL 1
//!   POP_TOP
//!   RETURN_CONST 1
//! .end
//! ";
//! let pyc = assemble(text).unwrap();
//! let again = assemble(&disassemble(&pyc).unwrap()).unwrap();
//! assert_eq!(pyc.to_bytes().unwrap(), again.to_bytes().unwrap());
//! ```
//!
//! Modules: `lex` splits lines into tokens, `parse` builds the syntax tree with
//! line and column of everything, `literal` reads and writes constants,
//! `assemble` turns the tree into code objects, `layout` records and replays the
//! marshal layout, `write` is the disassembler.

mod assemble;
mod layout;
mod lex;
mod literal;
mod parse;
mod write;
pub mod xasm;

pub use parse::Loc;

/// An error in assembly text, at a line and column (both 1-based).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct AsmError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Why a `.pyc` could not be written as text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisasmError {
    /// The object graph is not one the assembler could rebuild (a code object field of
    /// an unexpected kind, a cycle).
    #[error("{0}")]
    Unsupported(String),
}

/// Reads assembly text and builds the `.pyc` it describes.
pub fn assemble(text: &str) -> Result<crate::Pyc, AsmError> {
    let parsed = parse::parse(text)?;
    assemble::assemble(parsed)
}

/// Writes a `.pyc` as assembly text; [`assemble`] turns the text back into the same
/// bytes.
pub fn disassemble(pyc: &crate::Pyc) -> Result<String, DisasmError> {
    write::write(pyc)
}

#[cfg(test)]
mod tests;
