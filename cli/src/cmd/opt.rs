//! `pycopt opt`: read `.pyc` files, optimize, write them out.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use pycopt_core::codegen::{rebuild_pyc, CodeOutcome};
use pycopt_core::Pyc;

use crate::files::{collect_inputs, write_atomic};
use crate::progress;

/// Optimization level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
pub enum Level {
    /// No optimization: every file is read, validated and written back unchanged.
    #[value(name = "0")]
    O0,
    /// Changes no program can observe except by inspecting bytecode (cheap passes).
    #[value(name = "1")]
    O1,
    /// As -O1, with the full pass pipeline.
    #[value(name = "2")]
    O2,
    /// As -O2, plus the assumptions a reasonable application accepts.
    #[value(name = "3")]
    O3,
    /// As -O2, preferring smaller code.
    #[value(name = "s")]
    Os,
}

/// Arguments of `pycopt opt`.
#[derive(Args, Debug)]
pub struct OptArgs {
    /// Files or folders (walked recursively for .pyc/.pyo).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Optimization level: 0, 1, 2, 3 or s (written -O0, -O2, -Os, ...).
    #[arg(short = 'O', value_enum, default_value = "0")]
    pub level: Level,
    /// Output folder: each file is written at its path relative to the PATH it came
    /// from (a named file: its file name), `__pycache__` folders and names kept.
    #[arg(short = 'o', long = "output", required_unless_present_any = ["in_place", "dry_run"], conflicts_with = "in_place")]
    pub output: Option<PathBuf>,
    /// Replace each input file (atomically) instead of writing to an output folder.
    #[arg(long)]
    pub in_place: bool,
    /// Do everything but write.
    #[arg(long)]
    pub dry_run: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Write a JSON report of the run to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Send every code object through its control-flow graph and generate its code
    /// again (bytes → CFG → bytes), even with no pass to run; a code object whose
    /// rebuilt code fails verification keeps its original bytes (reported as a
    /// warning). Without it, -O0 writes an exact copy.
    #[arg(long)]
    pub rebuild: bool,
}

#[derive(Debug, Serialize)]
struct FileReport {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    bytes_in: u64,
    bytes_out: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Code objects `--rebuild` could not rebuild (kept as they were).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kept: Vec<String>,
}

#[derive(Debug, Serialize)]
struct RunReport {
    level: Level,
    files: usize,
    written: usize,
    failed: usize,
    bytes_in: u64,
    bytes_out: u64,
    seconds: f64,
    failures: Vec<FileReport>,
}

fn process(path: &Path, dest: Option<&Path>, rebuild: bool) -> FileReport {
    let mut report = FileReport {
        path: path.display().to_string(),
        version: None,
        bytes_in: 0,
        bytes_out: 0,
        error: None,
        kept: Vec::new(),
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            report.error = Some(format!("cannot read: {e}"));
            return report;
        }
    };
    report.bytes_in = data.len() as u64;
    let original = data.clone();
    let mut pyc = match Pyc::parse(data) {
        Ok(p) => p,
        Err(e) => {
            report.error = Some(format!("{}: {e}", path.display()));
            return report;
        }
    };
    report.version = Some(pyc.version().to_string());
    let out = if rebuild {
        let r = rebuild_pyc(&mut pyc);
        for c in r.codes {
            if let CodeOutcome::Failed(e) = c.outcome {
                report
                    .kept
                    .push(format!("{}: {}: {e}", path.display(), c.name));
            }
        }
        match pyc.to_bytes() {
            Ok(b) => b,
            Err(e) => {
                report.error = Some(format!("{}: cannot write: {e}", path.display()));
                return report;
            }
        }
    } else {
        // No pass has run, so nothing changed: the original bytes are the output.
        original
    };
    report.bytes_out = out.len() as u64;
    if let Some(dest) = dest {
        if let Err(e) = write_atomic(dest, &out) {
            report.error = Some(format!("{e:#}"));
        }
    }
    report
}

/// Runs `pycopt opt`; returns the process exit code.
pub fn run(args: &OptArgs) -> Result<i32> {
    if args.level != Level::O0 {
        bail!(
            "-O{} is not available yet: this build has no optimization passes; use -O0",
            args.level
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        );
    }
    let started = Instant::now();
    let inputs = collect_inputs(&args.paths)?;
    let bar = progress::bar(inputs.len(), "optimizing", args.quiet);
    let dest_of = |i: &crate::files::Input| -> Option<PathBuf> {
        if args.dry_run {
            None
        } else if args.in_place {
            Some(i.path.clone())
        } else {
            args.output.as_ref().map(|o| o.join(&i.relative))
        }
    };
    let reports: Vec<FileReport> = inputs
        .par_iter()
        .map(|i| {
            let r = process(&i.path, dest_of(i).as_deref(), args.rebuild);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();

    let failed: Vec<&FileReport> = reports.iter().filter(|r| r.error.is_some()).collect();
    for r in &reports {
        for k in &r.kept {
            eprintln!("warning: kept the original code of {k}");
        }
    }
    for f in &failed {
        eprintln!("error: {}", f.error.as_deref().unwrap_or(""));
    }
    let run = RunReport {
        level: args.level,
        files: reports.len(),
        written: if args.dry_run {
            0
        } else {
            reports.len() - failed.len()
        },
        failed: failed.len(),
        bytes_in: reports.iter().map(|r| r.bytes_in).sum(),
        bytes_out: reports.iter().map(|r| r.bytes_out).sum(),
        seconds: started.elapsed().as_secs_f64(),
        failures: reports.into_iter().filter(|r| r.error.is_some()).collect(),
    };
    if !args.quiet {
        eprintln!(
            "{} files: {} written, {} failed; {:.1} MB in, {:.1} MB out; {:.2}s",
            run.files,
            run.written,
            run.failed,
            run.bytes_in as f64 / 1e6,
            run.bytes_out as f64 / 1e6,
            run.seconds
        );
    }
    if let Some(path) = &args.report {
        write_atomic(path, serde_json::to_string_pretty(&run)?.as_bytes())?;
    }
    Ok(if run.failed == 0 { 0 } else { 1 })
}
