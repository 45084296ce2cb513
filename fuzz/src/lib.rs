//! What the fuzz targets assert, kept in one file that `core/tests/hostile_input.rs`
//! also compiles (`#[path]`) to replay saved regression inputs.

pub mod checks;
