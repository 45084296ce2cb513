//! `pycopt asm`: assembly text (`.pyasm`, as `pycopt dis --asm` writes it, or xasm
//! text, as `pydisasm --format xasm` writes it) → `.pyc`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

/// The assembly text formats `pycopt asm` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AsmFormat {
    /// xasm text if the file starts with `pydisasm`'s header comments, else `.pyasm`.
    Auto,
    /// pycopt's `.pyasm` (docs/pyasm.md).
    Pyasm,
    /// xasm text, as `pydisasm --format xasm` (xdis) writes it; Python 3.8–3.10.
    Xasm,
}

/// Arguments of `pycopt asm`.
#[derive(Args, Debug)]
#[command(after_help = "\
Formats: `.pyasm` (docs/pyasm.md) and xasm text as `pydisasm --format xasm` (xdis) \
writes it, for Python 3.8-3.10 (3.11+ xasm text has no exception table). xasm text is \
recognized by its first line (`# pydisasm version ...` or `# Python bytecode X.Y`). \
Read from xasm: the header (version, timestamp, source size), every `# Method Name:` \
block with its counts, flags, stack size, first line, filename, constants, names, \
varnames, cell and free variables, line marks, `L<offset>:` labels and instructions \
(annotations in parentheses are ignored; `EXTENDED_ARG` is recomputed). Not read: \
code objects nested inside constant tuples, 3.11+ files. See \"Reading xasm files\" \
in docs/pyasm.md.")]
pub struct AsmArgs {
    /// The assembly text (format: docs/pyasm.md, or xasm text).
    pub file: PathBuf,
    /// The format of FILE.
    #[arg(long, value_enum, default_value_t = AsmFormat::Auto)]
    pub format: AsmFormat,
    /// The .pyc to write (default: FILE with the extension .pyc).
    #[arg(short = 'o', long = "output", value_name = "FILE.pyc")]
    pub output: Option<PathBuf>,
}

/// Runs `pycopt asm`; returns the process exit code. Errors in the text are printed
/// as `FILE:LINE:COLUMN: message` and give exit code 1.
pub fn run(args: &AsmArgs) -> Result<i32> {
    let data = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let text = match String::from_utf8(data) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let col = at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            eprintln!(
                "{}:{line}:{col}: the text is not UTF-8",
                args.file.display()
            );
            return Ok(1);
        }
    };
    let xasm = match args.format {
        AsmFormat::Auto => pycopt_core::asm::xasm::is_xasm(&text),
        AsmFormat::Pyasm => false,
        AsmFormat::Xasm => true,
    };
    let result = if xasm {
        pycopt_core::asm::xasm::assemble_xasm(&text)
    } else {
        pycopt_core::asm::assemble(&text)
    };
    let pyc = match result {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}:{e}", args.file.display());
            return Ok(1);
        }
    };
    let bytes = pyc
        .to_bytes()
        .with_context(|| format!("{}: cannot encode the .pyc", args.file.display()))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("pyc"));
    crate::files::write_atomic(&out, &bytes)?;
    Ok(0)
}
