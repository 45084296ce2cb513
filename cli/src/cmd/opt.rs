//! `pycopt opt`: read `.pyc` files, optimize them, write them out.
//!
//! Files are processed in parallel; inside a file the pass manager runs code objects
//! in parallel too. Every output is written to a temporary file and renamed into
//! place, so an interrupted run leaves each file either old or new, never partial; a
//! file that cannot be read, optimized or written is reported and left as it was.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use pycopt_core::Pyc;
use pycopt_passes::{
    level_options, pipeline, Assumption, FileStats, Level as PassLevel, PassManager, Pipeline,
    Registry, Strip, CONVERGE_ROUNDS,
};

use crate::files::{collect_inputs, write_atomic};
use crate::progress;

/// Optimization level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
pub enum Level {
    /// No optimization: every file is read, validated and written back unchanged.
    #[value(name = "0")]
    O0,
    /// Cheap clean-ups no program can observe except by reading its bytecode.
    #[value(name = "1")]
    O1,
    /// The full pipeline, still unobservable except through bytecode.
    #[value(name = "2")]
    O2,
    /// As -O2, plus the assumptions a reasonable application accepts (--assume all).
    #[value(name = "3")]
    O3,
    /// As -O2, preferring smaller code.
    #[value(name = "s")]
    Os,
}

impl Level {
    fn passes_level(self) -> PassLevel {
        match self {
            Level::O0 => PassLevel::O0,
            Level::O1 => PassLevel::O1,
            Level::O2 => PassLevel::O2,
            Level::O3 => PassLevel::O3,
            Level::Os => PassLevel::Os,
        }
    }
}

/// Arguments of `pycopt opt`.
#[derive(Args, Debug)]
#[command(
    after_help = "Assumptions (--assume, all on at -O3; none by default):\n  \
    builtins                builtins are never shadowed from outside or patched\n  \
    final-globals           module-level constants are never rebound from outside\n  \
    no-frame-introspection  no debugger, tracer or introspection touches frame locals\n\
    A pass never applies an assumption the file itself shows false (a module that\n\
    assigns `len`, uses `import *`, `locals()`, `sys._getframe`, ...).\n\n\
    Strip (--strip, never implied by a level):\n  \
    asserts     remove assert statements, as `python -O` does\n  \
    docstrings  remove docstrings, as `python -OO` does\n\n\
    `pycopt passes` lists every pass and what each level runs.\n\n\
    Examples:\n  \
    pycopt opt -O2 build/lib -o out/             optimize a folder into out/\n  \
    pycopt opt -O3 --in-place site-packages/    in place, with assumptions\n  \
    pycopt opt --passes fold-constants,remove-nops mod.pyc -o out/\n  \
    pycopt opt -O2 --report run.json --dry-run lib/   measure without writing"
)]
pub struct OptArgs {
    /// Files or folders (walked recursively for .pyc/.pyo).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Optimization level: 0, 1, 2, 3 or s (written -O0, -O2, -Os, ...).
    #[arg(short = 'O', value_enum, default_value = "0")]
    pub level: Level,
    /// Run exactly these passes, in this order (comma-separated names from
    /// `pycopt passes`) instead of a level's pipeline.
    #[arg(long, value_delimiter = ',', conflicts_with = "level")]
    pub passes: Option<Vec<String>>,
    /// Turn on assumptions (comma-separated: builtins, final-globals,
    /// no-frame-introspection, or all).
    #[arg(long, value_delimiter = ',')]
    pub assume: Vec<String>,
    /// Strip asserts and/or docstrings (comma-separated: asserts, docstrings).
    #[arg(long, value_delimiter = ',')]
    pub strip: Vec<String>,
    /// Repeat the pipeline until a round changes nothing (at most 8 rounds).
    #[arg(long)]
    pub converge: bool,
    /// Verify every code object after every pass, naming the pass that broke it
    /// (slow; for debugging passes).
    #[arg(long)]
    pub debug_verify: bool,
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
    /// Write a JSON report of the run (totals, per pass, per file) to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Send every code object through its control-flow graph and generate its code
    /// again (bytes → CFG → bytes), even where no pass changed it; a code object whose
    /// rebuilt code fails verification keeps its original bytes (reported as a
    /// warning). Without it, code objects no pass changed keep their bytes, so -O0
    /// writes an exact copy.
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
    #[serde(flatten)]
    stats: FileStats,
}

#[derive(Debug, Serialize)]
struct RunReport {
    level: String,
    passes: Vec<String>,
    assumptions: Vec<String>,
    strip: Vec<String>,
    files: usize,
    written: usize,
    failed: usize,
    bytes_in: u64,
    bytes_out: u64,
    seconds: f64,
    totals: FileStats,
    per_file: Vec<FileReport>,
}

fn process(path: &Path, dest: Option<&Path>, manager: &PassManager) -> FileReport {
    let mut report = FileReport {
        path: path.display().to_string(),
        version: None,
        bytes_in: 0,
        bytes_out: 0,
        error: None,
        stats: FileStats::default(),
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            report.error = Some(format!("{}: cannot read: {e}", path.display()));
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
    let out = if manager.is_identity() {
        // Nothing can change: the original bytes are the output.
        original
    } else {
        report.stats = manager.optimize(&mut pyc);
        if report.stats.changed == 0 {
            original
        } else {
            match pyc.to_bytes() {
                Ok(b) => b,
                Err(e) => {
                    report.error = Some(format!("{}: cannot write: {e}", path.display()));
                    return report;
                }
            }
        }
    };
    report.bytes_out = out.len() as u64;
    if dest == Some(path) && report.stats.changed == 0 {
        // In place and nothing changed: leave the file untouched.
        return report;
    }
    if let Some(dest) = dest {
        if let Err(e) = write_atomic(dest, &out) {
            report.error = Some(format!("{e:#}"));
        }
    }
    report
}

/// The pipeline and options the arguments ask for.
fn configure(args: &OptArgs, registry: &Registry) -> Result<(PassManager, String)> {
    let level = args.level.passes_level();
    let mut options = level_options(level);
    for a in &args.assume {
        if a == "all" {
            options.assume.extend(Assumption::ALL);
            continue;
        }
        match Assumption::parse(a) {
            Some(x) => {
                options.assume.insert(x);
            }
            None => bail!(
                "unknown assumption `{a}` (known: {}, all)",
                Assumption::ALL.map(|x| x.name()).join(", ")
            ),
        }
    }
    for s in &args.strip {
        match Strip::parse(s) {
            Some(x) => {
                options.strip.insert(x);
            }
            None => bail!(
                "unknown --strip value `{s}` (known: {})",
                Strip::ALL.map(|x| x.name()).join(", ")
            ),
        }
    }
    let (mut pipe, label) = match &args.passes {
        Some(names) => {
            let mut passes = Vec::new();
            for n in names {
                match registry.get(n) {
                    Some(p) => passes.push(p.info().name),
                    None => bail!(
                        "unknown pass `{n}`; `pycopt passes` lists them ({})",
                        registry.names().join(", ")
                    ),
                }
            }
            (Pipeline { passes, rounds: 1 }, "passes".to_string())
        }
        None => (pipeline(level), format!("-O{}", level.name())),
    };
    if args.converge && !pipe.passes.is_empty() {
        pipe.rounds = CONVERGE_ROUNDS;
    }
    // Options alone (a strip or an assumption at -O0) still need their passes.
    if pipe.passes.is_empty() && (!options.strip.is_empty() || !options.assume.is_empty()) {
        pipe = pipeline(PassLevel::O1);
        pipe.passes.retain(|p| p.starts_with("strip-"));
    }
    let mut manager = PassManager::new(registry, &pipe, options)?;
    manager.verify_each = args.debug_verify;
    manager.rebuild_all = args.rebuild;
    Ok((manager, label))
}

fn pct(before: u64, after: u64) -> String {
    if before == 0 {
        return "0.0%".into();
    }
    format!(
        "{:+.1}%",
        (after as f64 - before as f64) * 100.0 / before as f64
    )
}

/// Runs `pycopt opt`; returns the process exit code.
pub fn run(args: &OptArgs) -> Result<i32> {
    let started = Instant::now();
    let registry = Registry::default();
    let (manager, label) = match configure(args, &registry) {
        Ok(c) => c,
        Err(e) => {
            // A bad pass name, assumption or strip value is a usage error.
            eprintln!("error: {e:#}");
            return Ok(2);
        }
    };
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
    // Largest files first: a big file picked up last would keep one core busy while
    // the others idle. Reports stay in input order.
    let mut order: Vec<(u64, usize)> = inputs
        .par_iter()
        .enumerate()
        .map(|(k, i)| (std::fs::metadata(&i.path).map_or(0, |m| m.len()), k))
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut done: Vec<(usize, FileReport)> = order
        .par_iter()
        .map(|&(_, k)| {
            let i = &inputs[k];
            let r = process(&i.path, dest_of(i).as_deref(), &manager);
            bar.inc(1);
            (k, r)
        })
        .collect();
    done.sort_unstable_by_key(|&(k, _)| k);
    let reports: Vec<FileReport> = done.into_iter().map(|(_, r)| r).collect();
    bar.finish_and_clear();

    let mut totals = FileStats::default();
    for r in &reports {
        totals.merge(&r.stats);
    }
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    for r in &reports {
        for k in &r.stats.kept {
            eprintln!(
                "warning: {}: {}: kept the original code: {}",
                r.path, k.code, k.reason
            );
        }
        if let Some(e) = &r.error {
            eprintln!("error: {e}");
        }
    }
    let options = manager.options();
    let run = RunReport {
        level: label,
        passes: manager.pass_names().iter().map(|s| s.to_string()).collect(),
        assumptions: options
            .assume
            .iter()
            .map(|a| a.name().to_string())
            .collect(),
        strip: options.strip.iter().map(|s| s.name().to_string()).collect(),
        files: reports.len(),
        written: if args.dry_run {
            0
        } else {
            reports.len() - failed
        },
        failed,
        bytes_in: reports.iter().map(|r| r.bytes_in).sum(),
        bytes_out: reports.iter().map(|r| r.bytes_out).sum(),
        seconds: started.elapsed().as_secs_f64(),
        totals,
        per_file: reports,
    };
    if !args.quiet {
        print_summary(&run);
    }
    if let Some(path) = &args.report {
        write_atomic(path, serde_json::to_string_pretty(&run)?.as_bytes())?;
    }
    Ok(if run.failed == 0 { 0 } else { 1 })
}

/// The readable summary, on standard error (standard output stays free for data).
fn print_summary(run: &RunReport) {
    let t = &run.totals;
    eprintln!(
        "pycopt opt {}: {} files ({} written, {} failed) in {:.2}s",
        run.level, run.files, run.written, run.failed, run.seconds
    );
    if t.code_objects > 0 {
        eprintln!(
            "  code objects  {:>10} ({} changed, {} kept as they were; {} needed no pass)",
            t.code_objects,
            t.changed,
            t.kept.len(),
            t.screened
        );
        eprintln!(
            "  instructions  {:>10} -> {:>10}  {}",
            t.instrs_before,
            t.instrs_after,
            pct(t.instrs_before, t.instrs_after)
        );
        eprintln!(
            "  code bytes    {:>10} -> {:>10}  {}",
            t.code_bytes_before,
            t.code_bytes_after,
            pct(t.code_bytes_before, t.code_bytes_after)
        );
        eprintln!(
            "  constants     {:>10} -> {:>10}  {}",
            t.consts_before,
            t.consts_after,
            pct(t.consts_before, t.consts_after)
        );
    }
    eprintln!(
        "  file bytes    {:>10} -> {:>10}  {}",
        run.bytes_in,
        run.bytes_out,
        pct(run.bytes_in, run.bytes_out)
    );
    if !t.passes.is_empty() {
        eprintln!(
            "  {:<24} {:>8} {:>10} {:>10}",
            "pass", "runs", "changes", "ms"
        );
        for (name, s) in &t.passes {
            eprintln!(
                "  {:<24} {:>8} {:>10} {:>10.1}",
                name,
                s.runs,
                s.changes,
                s.nanos as f64 / 1e6
            );
        }
    }
    let off: Vec<&str> = run
        .passes
        .iter()
        .map(String::as_str)
        .filter(|p| !t.passes.contains_key(*p))
        .collect();
    if !off.is_empty() && run.files > 0 {
        eprintln!(
            "  not run (off without --assume or --strip): {}",
            off.join(", ")
        );
    }
    if !run.assumptions.is_empty() {
        let used: Vec<&str> = t.assumptions_used.iter().map(String::as_str).collect();
        eprintln!(
            "  assumptions on: {}; relied on: {}",
            run.assumptions.join(", "),
            if used.is_empty() {
                "none".to_string()
            } else {
                used.join(", ")
            }
        );
    }
    if !run.strip.is_empty() {
        eprintln!("  stripped: {}", run.strip.join(", "));
    }
}
