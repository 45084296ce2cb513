//! `pycopt asm`: assembly text (`.pyasm`, as `pycopt dis --asm` writes it) → `.pyc`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

/// Arguments of `pycopt asm`.
#[derive(Args, Debug)]
pub struct AsmArgs {
    /// The assembly text (format: docs/pyasm.md).
    pub file: PathBuf,
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
    let pyc = match pycopt_core::asm::assemble(&text) {
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
