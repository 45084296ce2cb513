//! pycopt-passes: the [`Pass`] trait, the pass registry, the `-O` levels and the pass
//! manager that runs them over `.pyc` files.
//!
//! A pass works on one code object at a time, opened as a
//! [`Unit`](pycopt_core::codegen::Unit): its control-flow graph, constants and names.
//! The [`PassManager`] runs a [`Pipeline`] over every code object of a file in
//! parallel, keeps the original of any code object a pass, code generation or the
//! verifier fails on, and accounts per pass for runs, changes and time. Before it
//! builds a graph it asks every pass whether it may change the code object at all
//! ([`Pass::may_change`], answered from a [`Scan`](pycopt_core::cfg::Scan) of the
//! instructions); when none may, the code object is left as it is, unopened.
//!
//! ```no_run
//! use pycopt_passes::{pipeline, Level, PassManager, Registry};
//!
//! let data = std::fs::read("mod.cpython-312.pyc").unwrap();
//! let mut pyc = pycopt_core::Pyc::parse(data).unwrap();
//! let registry = Registry::default();
//! let manager = PassManager::new(&registry, &pipeline(Level::O2), Default::default()).unwrap();
//! let stats = manager.optimize(&mut pyc);
//! println!("{} -> {} instructions", stats.instrs_before, stats.instrs_after);
//! let bytes = pyc.to_bytes().unwrap();
//! # let _ = bytes;
//! ```

pub mod classic;
pub mod dataflow;
pub mod egraph;
pub mod eval;
pub mod facts;
pub mod fold_constants;
pub mod manager;
pub mod pass;
pub mod pipeline;
pub mod registry;
pub mod strip;
pub mod value;

pub use facts::FileFacts;
pub use manager::{FileStats, Kept, PassManager, PassStats, UnknownPass};
pub use pass::{Assumption, Context, Options, Pass, PassError, PassInfo, Strip};
pub use pipeline::{level_options, pipeline, Level, Pipeline, CONVERGE_ROUNDS};
pub use registry::{builtin_passes, Registry};
