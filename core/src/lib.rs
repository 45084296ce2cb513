//! pycopt-core: exact reading and writing of CPython `.pyc` files.
//!
//! Data flows one way through the crate: bytes ([`pyc`]) → marshal object graph
//! ([`marshal`]) → typed code objects ([`code`]) → instructions → CFG, and back.

pub mod version;

pub use version::PyVersion;
pub mod code;
pub mod marshal;
pub mod pyc;

pub use pyc::{Pyc, PycError};
