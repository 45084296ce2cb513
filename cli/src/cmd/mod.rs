//! One module per `pycopt` verb.

pub mod asm;
pub mod cfg;
pub mod check;
pub mod dis;
pub mod opt;
pub mod passes;
