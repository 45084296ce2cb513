//! `pycopt-corpus`: shows which interpreters the search finds, builds the large
//! stdlib corpora, and regenerates the committed sample. See corpus/README.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use clap::{Parser, Subcommand};
use pycopt_corpus::{build, in_ci, sample, search_report, tag, Interpreter, SUPPORTED};

#[derive(Parser)]
#[command(
    name = "pycopt-corpus",
    about = "Find CPython interpreters and build .pyc corpora for pycopt's tests"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Print each supported version, where the search found it (and by which
    /// rule), or MISSING. Fails under CI=true if any is missing.
    List {
        /// Also show every candidate the search tried.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Compile each interpreter's standard library and test suite into
    /// corpus/build/X.Y.
    Build {
        /// Versions to build, e.g. 3.8,3.11 (default: all supported).
        #[arg(long, value_delimiter = ',', value_parser = parse_version)]
        versions: Vec<(u8, u8)>,
        /// Optimization levels.
        #[arg(long, value_delimiter = ',', default_value = "0,1,2", value_parser = clap::value_parser!(u8).range(0..=2))]
        opt_levels: Vec<u8>,
        /// Recompile files whose output is already up to date.
        #[arg(long)]
        force: bool,
        /// Output root (default: corpus/build).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Interpreters compiled at the same time (default: number of CPUs).
        #[arg(short, long)]
        jobs: Option<usize>,
    },
    /// Regenerate the committed sample corpus/sample from corpus/sample-src.
    Sample {
        /// Versions to regenerate (default: all supported).
        #[arg(long, value_delimiter = ',', value_parser = parse_version)]
        versions: Vec<(u8, u8)>,
        /// Output root (default: corpus/sample).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Sources (default: corpus/sample-src).
        #[arg(long)]
        src: Option<PathBuf>,
    },
}

fn parse_version(s: &str) -> Result<(u8, u8), String> {
    let v = pycopt_corpus::parse_tag(s).ok_or_else(|| format!("`{s}` is not X.Y"))?;
    if SUPPORTED.contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{s} is not a supported version ({})",
            SUPPORTED
                .iter()
                .map(|&v| tag(v))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::List { verbose } => list(verbose),
        Cmd::Build {
            versions,
            opt_levels,
            force,
            out,
            jobs,
        } => build_cmd(versions, opt_levels, force, out, jobs),
        Cmd::Sample { versions, out, src } => sample_cmd(versions, out, src),
    }
}

/// Looks up `wanted` (all supported if empty) in parallel. Missing ones are
/// reported on stderr; the second value tells whether that should fail the
/// command (a version asked for explicitly, or any under CI).
fn interpreters(wanted: &[(u8, u8)]) -> (Vec<&'static Interpreter>, bool) {
    let explicit = !wanted.is_empty();
    let wanted: Vec<(u8, u8)> = if explicit {
        wanted.to_vec()
    } else {
        SUPPORTED.to_vec()
    };
    let found: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = wanted
            .iter()
            .map(|&(a, b)| s.spawn(move || search_report(a, b)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut out = Vec::new();
    let mut missing = false;
    for report in found {
        match &report.interpreter {
            Some(i) => out.push(i),
            None => {
                missing = true;
                eprint!("MISSING: {}", report.explain());
            }
        }
    }
    (out, missing && (explicit || in_ci()))
}

fn list(verbose: bool) -> ExitCode {
    let reports: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = SUPPORTED
            .iter()
            .map(|&(a, b)| s.spawn(move || search_report(a, b)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut missing = 0;
    for r in &reports {
        let t = tag(r.version);
        match &r.interpreter {
            Some(i) => {
                println!(
                    "{t:<5} {:<8} {:<8} {}",
                    i.full_version,
                    i.found_by.to_string(),
                    i.found_at.display()
                );
                if i.executable != i.found_at {
                    println!("{:<24} runs {}", "", i.executable.display());
                }
            }
            None => {
                missing += 1;
                println!("{t:<5} MISSING");
            }
        }
        if verbose || r.interpreter.is_none() {
            for line in &r.tried {
                println!("{:<6}- {line}", "");
            }
        }
    }
    if missing > 0 && in_ci() {
        eprintln!("{missing} supported interpreter(s) missing and CI=true");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn build_cmd(
    versions: Vec<(u8, u8)>,
    opt_levels: Vec<u8>,
    force: bool,
    out: Option<PathBuf>,
    jobs: Option<usize>,
) -> ExitCode {
    let (interps, fail) = interpreters(&versions);
    let out = out.unwrap_or_else(pycopt_corpus::build_dir);
    let options = build::BuildOptions { opt_levels, force };
    let threads = jobs
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
        .max(1);
    let queue = Mutex::new(interps.into_iter());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some(interp) = next else { break };
                let start = Instant::now();
                let dest = out.join(interp.tag());
                let r = build::build(interp, &interp.library_dir(), &dest, &options);
                match &r {
                    Ok(s) => eprintln!(
                        "{}: done in {:.1}s ({} written, {} up to date, {} failed)",
                        interp.tag(),
                        start.elapsed().as_secs_f64(),
                        s.compiled,
                        s.up_to_date,
                        s.failed
                    ),
                    Err(e) => eprintln!("{}: error: {e}", interp.tag()),
                }
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((interp, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| i.version());
    let mut errors = 0;
    println!(
        "{:<5} {:>7} {:>7} {:>9} {:>10} {:>6} {:>12}  output",
        "ver", "levels", "sources", "compiled", "up-to-date", "failed", "bytes"
    );
    for (interp, r) in &results {
        match r {
            Ok(s) => println!(
                "{:<5} {:>7} {:>7} {:>9} {:>10} {:>6} {:>12}  {}",
                interp.tag(),
                s.opt_levels
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                s.sources,
                s.compiled + s.up_to_date,
                s.up_to_date,
                s.failed,
                s.bytes,
                out.join(interp.tag()).display()
            ),
            Err(e) => {
                errors += 1;
                println!("{:<5} ERROR {e}", interp.tag());
            }
        }
    }
    if errors > 0 || fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn sample_cmd(versions: Vec<(u8, u8)>, out: Option<PathBuf>, src: Option<PathBuf>) -> ExitCode {
    let src = src.unwrap_or_else(pycopt_corpus::sample_src_dir);
    let out = out.unwrap_or_else(pycopt_corpus::sample_dir);
    let sources = match sample::sources(&src) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mtime = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(sample::DEFAULT_MTIME);
    let (interps, fail) = interpreters(&versions);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = interps
            .iter()
            .map(|&i| {
                let (sources, out) = (&sources, &out);
                s.spawn(move || (i, sample::generate(i, sources, out, mtime)))
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut errors = 0;
    println!(
        "{:<5} {:<8} {:>7} {:>5} {:>6} {:>8}",
        "ver", "python", "sources", "files", "hashed", "bytes"
    );
    let mut total = 0;
    for (interp, r) in &results {
        match r {
            Ok(s) => {
                total += s.bytes;
                println!(
                    "{:<5} {:<8} {:>7} {:>5} {:>6} {:>8}",
                    interp.tag(),
                    interp.full_version,
                    s.sources,
                    s.files,
                    s.hash_based,
                    s.bytes
                );
            }
            Err(e) => {
                errors += 1;
                println!("{:<5} ERROR {e}", interp.tag());
            }
        }
    }
    println!("total {total} bytes in {}", out.display());
    if errors > 0 || fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
