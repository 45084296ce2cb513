//! pycopt-core: exact reading and writing of CPython `.pyc` files.
//!
//! Data flows one way through the crate: bytes ([`pyc`]) → marshal object graph
//! ([`marshal`]) → typed code objects ([`code`]) → instructions → CFG, and back.

pub mod version;

pub use version::PyVersion;
pub mod analysis;
pub mod asm;
pub mod cfg;
pub mod code;
pub mod codegen;
pub mod constant;
pub mod dis;
pub mod exceptiontable;
pub mod instr;
pub mod linetable;
pub(crate) mod lower;
pub mod marshal;
pub mod opcode;
pub mod pyc;
pub mod pyrepr;
pub mod stackdepth;
pub mod verify;

pub use pyc::{Pyc, PycError};
