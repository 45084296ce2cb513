//! Analyses over control-flow graphs, for code generation and optimization passes.
//!
//! - [`definite`]: which fast locals are definitely bound before each instruction
//!   (3.12+ `LOAD_FAST` may only read those; passes use it for constant propagation
//!   and to drop `LOAD_FAST_CHECK`s).
//!
//! The opcodes these analyses give a meaning to are looked up by name from the
//! version's table once, here (`Ops`), rather than matched on in each analysis.

pub mod definite;

pub use definite::{DefiniteAssignment, LocalAccess, LocalRead, LocalSet};

use std::sync::OnceLock;

use crate::opcode::{table, OpInfo};
use crate::version::PyVersion;

/// The opcodes the analyses and code generation give a meaning to, resolved from one
/// version's table by name (`None` where the version has no such opcode).
#[derive(Debug)]
pub(crate) struct Ops {
    pub load_fast: Option<&'static OpInfo>,
    pub load_fast_check: Option<&'static OpInfo>,
    pub load_fast_and_clear: Option<&'static OpInfo>,
    pub load_fast_load_fast: Option<&'static OpInfo>,
    pub store_fast: Option<&'static OpInfo>,
    pub store_fast_store_fast: Option<&'static OpInfo>,
    pub store_fast_load_fast: Option<&'static OpInfo>,
    pub delete_fast: Option<&'static OpInfo>,
    pub make_cell: Option<&'static OpInfo>,
    pub copy_free_vars: Option<&'static OpInfo>,
    pub swap: Option<&'static OpInfo>,
    pub copy: Option<&'static OpInfo>,
    pub yield_value: Option<&'static OpInfo>,
    pub resume: Option<&'static OpInfo>,
    pub return_generator: Option<&'static OpInfo>,
    pub pop_top: Option<&'static OpInfo>,
    pub end_for: Option<&'static OpInfo>,
}

impl Ops {
    fn of(version: PyVersion) -> Ops {
        let t = table(version);
        let op = |name: &str| t.by_name(name);
        Ops {
            load_fast: op("LOAD_FAST"),
            load_fast_check: op("LOAD_FAST_CHECK"),
            load_fast_and_clear: op("LOAD_FAST_AND_CLEAR"),
            load_fast_load_fast: op("LOAD_FAST_LOAD_FAST"),
            store_fast: op("STORE_FAST"),
            store_fast_store_fast: op("STORE_FAST_STORE_FAST"),
            store_fast_load_fast: op("STORE_FAST_LOAD_FAST"),
            delete_fast: op("DELETE_FAST"),
            make_cell: op("MAKE_CELL"),
            copy_free_vars: op("COPY_FREE_VARS"),
            swap: op("SWAP"),
            copy: op("COPY"),
            yield_value: op("YIELD_VALUE"),
            resume: op("RESUME"),
            return_generator: op("RETURN_GENERATOR"),
            pop_top: op("POP_TOP"),
            end_for: op("END_FOR"),
        }
    }

    /// The opcodes of `version`.
    pub fn get(version: PyVersion) -> &'static Ops {
        static ALL: OnceLock<Vec<Ops>> = OnceLock::new();
        let all = ALL.get_or_init(|| PyVersion::ALL.iter().map(|&v| Ops::of(v)).collect());
        let i = PyVersion::ALL
            .iter()
            .position(|&v| v == version)
            .expect("every version is in PyVersion::ALL");
        &all[i]
    }

    /// Whether `op` is the opcode `known`.
    pub fn is(op: &OpInfo, known: Option<&'static OpInfo>) -> bool {
        known.is_some_and(|k| k.code == op.code)
    }
}
