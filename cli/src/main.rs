//! `pycopt`: an optimizing rewriter, disassembler and assembler for CPython bytecode.

mod cmd;
mod files;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Optimizing rewriter for CPython bytecode (.pyc files of CPython 2.7 and 3.6-3.13).
///
/// pycopt reads .pyc files exactly (writing an unchanged file back gives the same
/// bytes), rewrites their code objects and writes .pyc files the same interpreter
/// loads and runs with the same behaviour.
///
/// Exit status: 0 when everything succeeded, 1 when some file failed (the others
/// are still processed), 2 for a usage error.
#[derive(Parser, Debug)]
#[command(name = "pycopt", version, propagate_version = true)]
#[command(after_help = "Examples:\n  \
    pycopt opt -O2 build/lib -o out/      optimize every .pyc under build/lib into out/\n  \
    pycopt opt -O0 build/lib -o out/      copy every .pyc, validated, to out/\n  \
    pycopt passes                         the passes and what each -O level runs\n  \
    pycopt check /usr/lib/python3.11      prove every .pyc reads and writes back byte for byte\n  \
    pycopt dis mod.cpython-311.pyc        what CPython's dis.dis prints for the file\n  \
    pycopt dis --tree mod.cpython-311.pyc header and code-object tree with sizes\n  \
    pycopt dis --asm mod.pyc -o mod.pyasm  editable assembly text (docs/pyasm.md)\n  \
    pycopt asm mod.pyasm -o mod.pyc       assemble it back into a .pyc")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Optimize .pyc files (files or folders) into an output folder or in place.
    Opt(cmd::opt::OptArgs),
    /// List the optimization passes and what each -O level runs.
    Passes(cmd::passes::PassesArgs),
    /// Read each file, write it back in memory and compare: proves exact round trips.
    Check(cmd::check::CheckArgs),
    /// Disassemble a .pyc exactly as its CPython version's `dis.dis` does.
    Dis(cmd::dis::DisArgs),
    /// Assemble a .pyasm text (as `dis --asm` writes it) or xasm text into a .pyc.
    Asm(cmd::asm::AsmArgs),
    /// Show the control-flow graph of a code object (text, or Graphviz with --dot).
    Cfg(cmd::cfg::CfgArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Deep but bounded recursion in the marshal reader and writer: give worker
    // threads room regardless of platform defaults.
    let jobs = match &cli.command {
        Command::Opt(a) => a.jobs,
        _ => None,
    };
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(16 << 20);
    if let Some(j) = jobs {
        pool = pool.num_threads(j);
    }
    if let Err(e) = pool.build_global() {
        eprintln!("error: cannot start worker threads: {e}");
        return ExitCode::from(1);
    }
    let result = match &cli.command {
        Command::Opt(a) => cmd::opt::run(a),
        Command::Passes(a) => cmd::passes::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Dis(a) => cmd::dis::run(a),
        Command::Asm(a) => cmd::asm::run(a),
        Command::Cfg(a) => cmd::cfg::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
