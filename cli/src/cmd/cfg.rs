//! `pycopt cfg`: the control-flow graph of a code object.

use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use clap::Args;

use pycopt_core::cfg::{annotate_entry_depths, build, to_dot, EdgeKind};
use pycopt_core::dis::find_function;
use pycopt_core::Pyc;

/// Arguments of `pycopt cfg`.
#[derive(Args, Debug)]
pub struct CfgArgs {
    /// The .pyc file.
    pub file: PathBuf,
    /// The code object: qualified name (3.11+) or dotted path from the module
    /// (default: the module itself).
    #[arg(long, value_name = "QUALNAME")]
    pub function: Option<String>,
    /// Write Graphviz `dot` (render with `dot -Tsvg`) instead of a text listing.
    #[arg(long)]
    pub dot: bool,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `pycopt cfg`; returns the process exit code.
pub fn run(args: &CfgArgs) -> Result<i32> {
    let data = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let pyc = Pyc::parse(data).with_context(|| format!("{}", args.file.display()))?;
    let g = &pyc.graph;
    let id = match &args.function {
        None => pyc.root,
        Some(name) => find_function(g, pyc.root, name)
            .ok_or_else(|| anyhow!("{}: no code object named {name:?}", args.file.display()))?,
    };
    let code = g.as_code(id).expect("find_function returns code objects");
    let title = format!("{} ({})", code.qualname(g), args.file.display());
    let mut cfg = build(code, g, pyc.version())
        .with_context(|| format!("{}: {}", args.file.display(), code.qualname(g)))?;
    if let Err(why) = annotate_entry_depths(&mut cfg, code, g) {
        eprintln!("warning: stack depths not shown: {why}");
    }
    let text = if args.dot {
        to_dot(&cfg, &title)
    } else {
        let mut s = format!("# {title}: {} blocks\n", cfg.layout.len());
        for (n, &b) in cfg.layout.iter().enumerate() {
            let block = cfg.block(b);
            let depth = block
                .entry_depth
                .map(|d| format!(" (stack depth {d})"))
                .unwrap_or_default();
            s.push_str(&format!("B{n} @{}{depth}:\n", block.offset.unwrap_or(0)));
            for i in &block.instrs {
                s.push_str(&format!(
                    "    {} {}\n",
                    i.op.name,
                    if i.op.has_arg {
                        i.arg.to_string()
                    } else {
                        String::new()
                    }
                ));
            }
            for (kind, to) in cfg.successors(b) {
                let k = cfg
                    .layout
                    .iter()
                    .position(|&x| x == to)
                    .unwrap_or(usize::MAX);
                let what = match kind {
                    EdgeKind::Fallthrough => "falls through to".to_string(),
                    EdgeKind::Jump => "jumps to".to_string(),
                    EdgeKind::Setup => "sets up handler".to_string(),
                    EdgeKind::Exception { depth, lasti } => {
                        format!(
                            "on exception (depth {depth}{}) to",
                            if lasti { ", lasti" } else { "" }
                        )
                    }
                };
                s.push_str(&format!("    -> {what} B{k}\n"));
            }
        }
        s
    };
    match &args.output {
        Some(p) => crate::files::write_atomic(p, text.as_bytes())?,
        None => print!("{text}"),
    }
    Ok(0)
}
