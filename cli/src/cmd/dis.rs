//! `pycopt dis`: CPython's `dis.dis` output for a `.pyc`, or a summary of its contents.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use pycopt_core::code::walk_code;
use pycopt_core::dis::{dis_pyc, DisOptions};
use pycopt_core::pyc::Invalidation;
use pycopt_core::Pyc;

/// Arguments of `pycopt dis`.
#[derive(Args, Debug)]
pub struct DisArgs {
    /// The .pyc file.
    pub file: PathBuf,
    /// Only this code object: its qualified name (3.11+ `co_qualname`) or its dotted
    /// path of names from the module (`C.method`, `f.<locals>.g` on 3.11+).
    #[arg(long, value_name = "QUALNAME")]
    pub function: Option<String>,
    /// Show inline CACHE entries, as `dis.dis(..., show_caches=True)` (3.11+).
    #[arg(long)]
    pub show_caches: bool,
    /// Show source positions (line:col-endline:endcol) instead of line numbers, in
    /// the layout of 3.14's `dis.dis(..., show_positions=True)` (3.13 files).
    #[arg(long)]
    pub positions: bool,
    /// Instead of disassembling, summarise the file: header, and the tree of code
    /// objects with their sizes.
    #[arg(long, conflicts_with_all = ["function", "show_caches", "positions"])]
    pub tree: bool,
    /// Instead of disassembling, write the file as assembly text (docs/pyasm.md), which
    /// `pycopt asm` turns back into the identical .pyc.
    #[arg(long, conflicts_with_all = ["function", "show_caches", "positions", "tree"])]
    pub asm: bool,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `pycopt dis`; returns the process exit code.
pub fn run(args: &DisArgs) -> Result<i32> {
    let data = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let size = data.len();
    let pyc = Pyc::parse(data).with_context(|| format!("{}", args.file.display()))?;
    let text = if args.asm {
        pycopt_core::asm::disassemble(&pyc).with_context(|| format!("{}", args.file.display()))?
    } else if args.tree {
        tree(&pyc, args, size)
    } else {
        let opts = DisOptions {
            show_caches: args.show_caches,
            positions: args.positions,
            function: args.function.clone(),
        };
        dis_pyc(&pyc, &opts).with_context(|| format!("{}", args.file.display()))?
    };
    match &args.output {
        Some(path) => crate::files::write_atomic(path, text.as_bytes())?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`pycopt dis x.pyc | head`) is not an error.
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(0)
}

fn tree(pyc: &Pyc, args: &DisArgs, size: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let h = &pyc.header;
    let _ = writeln!(s, "# file:     {} ({size} bytes)", args.file.display());
    let _ = writeln!(
        s,
        "# version:  CPython {} (magic {})",
        h.version,
        h.version.magic()
    );
    match h.invalidation {
        Invalidation::Timestamp { mtime, source_size } => {
            let _ = write!(s, "# kind:     timestamp, source mtime {mtime}");
            if let Some(sz) = source_size {
                let _ = write!(s, ", source size {sz}");
            }
            let _ = writeln!(s);
        }
        Invalidation::UncheckedHash(hash) | Invalidation::CheckedHash(hash) => {
            let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(
                s,
                "# kind:     {}, source hash {hex}",
                h.invalidation.name()
            );
        }
    }
    let _ = writeln!(s, "# objects:  {}", pyc.graph.len());
    let g = &pyc.graph;
    for (id, path) in walk_code(g, pyc.root) {
        let code = g.as_code(id).expect("walk_code yields code objects");
        let depth = path.matches('.').count();
        let _ = writeln!(
            s,
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
    s
}
