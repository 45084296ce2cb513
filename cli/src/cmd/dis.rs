//! `pycopt dis`: show what a `.pyc` holds.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use pycopt_core::code::walk_code;
use pycopt_core::pyc::Invalidation;
use pycopt_core::Pyc;

/// Arguments of `pycopt dis`.
#[derive(Args, Debug)]
pub struct DisArgs {
    /// The .pyc file.
    pub file: PathBuf,
}

/// Runs `pycopt dis`; returns the process exit code.
pub fn run(args: &DisArgs) -> Result<i32> {
    let data = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let size = data.len();
    let pyc = Pyc::parse(data).with_context(|| format!("{}", args.file.display()))?;
    let h = &pyc.header;
    println!("# file:     {} ({size} bytes)", args.file.display());
    println!("# version:  CPython {} (magic {})", h.version, h.version.magic());
    match h.invalidation {
        Invalidation::Timestamp { mtime, source_size } => {
            print!("# kind:     timestamp, source mtime {mtime}");
            if let Some(s) = source_size {
                print!(", source size {s}");
            }
            println!();
        }
        Invalidation::UncheckedHash(hash) | Invalidation::CheckedHash(hash) => {
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            println!("# kind:     {}, source hash {hex}", h.invalidation.name());
        }
    }
    println!("# objects:  {}", pyc.graph.len());
    let g = &pyc.graph;
    for (id, path) in walk_code(g, pyc.root) {
        let code = g.as_code(id).expect("walk_code yields code objects");
        let depth = path.matches('.').count();
        println!(
            "{:indent$}{} (line {}, {} bytes of code, {} consts, {} names, stack {}, flags 0x{:x})",
            "",
            code.qualname(g),
            code.firstlineno,
            code.bytecode(g).len(),
            code.consts(g).len(),
            code.names(g).len(),
            code.stacksize,
            code.flags,
            indent = depth * 2
        );
    }
    Ok(0)
}
