//! pycopt-passes: the `Pass` trait, the pass manager and the optimization passes.
//!
//! Nothing here yet: passes arrive with the CFG (see the project issues). The crate
//! exists so the workspace has its final shape from the start.
