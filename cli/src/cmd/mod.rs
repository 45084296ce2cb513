//! One module per `pycopt` verb.

pub mod check;
pub mod dis;
pub mod opt;
