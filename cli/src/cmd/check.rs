//! `pycopt check`: read, write in memory, compare; with `--cfg`, rebuild every code
//! object through its control-flow graph and verify it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use pycopt_core::codegen::{rebuild_pyc, CodeOutcome};
use pycopt_core::Pyc;

use crate::files::collect_inputs;
use crate::progress;

/// Arguments of `pycopt check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders (walked recursively for .pyc/.pyo).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How many failures to list per version.
    #[arg(long, default_value_t = 5)]
    pub show: usize,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Rebuild every code object through its control-flow graph (bytes → CFG →
    /// bytes) and verify it, counting per version the code objects rebuilt
    /// byte-identically, verified and failed.
    #[arg(long)]
    pub cfg: bool,
}

/// What happened to one file.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
enum Outcome {
    Identical,
    /// Read and written, but the bytes differ from `offset` on.
    Differs {
        offset: usize,
    },
    /// Could not be read or written.
    Failed {
        offset: usize,
        error: String,
    },
}

#[derive(Debug, Default, Serialize)]
struct VersionSummary {
    files: usize,
    identical: usize,
    differs: usize,
    failed: usize,
    bytes: u64,
    failures: Vec<Failure>,
}

#[derive(Debug, Serialize)]
struct Failure {
    path: String,
    #[serde(flatten)]
    outcome: Outcome,
}

fn check_one(data: Vec<u8>) -> (String, Outcome) {
    let version = pycopt_core::pyc::PycHeader::parse(&data)
        .map(|h| h.version.to_string())
        .unwrap_or_else(|_| "unknown".to_string());
    let original = data.clone();
    let outcome = match Pyc::parse(data) {
        Err(e) => Outcome::Failed {
            offset: e.offset(),
            error: e.to_string(),
        },
        Ok(pyc) => match pyc.to_bytes() {
            Err(e) => Outcome::Failed {
                offset: 0,
                error: format!("cannot write: {e}"),
            },
            Ok(bytes) if bytes == original => Outcome::Identical,
            Ok(bytes) => Outcome::Differs {
                offset: bytes
                    .iter()
                    .zip(&original)
                    .position(|(a, b)| a != b)
                    .unwrap_or(bytes.len().min(original.len())),
            },
        },
    };
    (version, outcome)
}

/// Runs `pycopt check`; returns the process exit code.
pub fn run(args: &CheckArgs) -> Result<i32> {
    if args.cfg {
        return run_cfg(args);
    }
    let inputs = collect_inputs(&args.paths)?;
    let bar = progress::bar(inputs.len(), "checking", args.quiet || args.json);
    let results: Vec<(PathBuf, u64, String, Outcome)> = inputs
        .par_iter()
        .map(|input| {
            let r = match std::fs::read(&input.path) {
                Ok(data) => {
                    let n = data.len() as u64;
                    let (v, o) = check_one(data);
                    (input.path.clone(), n, v, o)
                }
                Err(e) => (
                    input.path.clone(),
                    0,
                    "unknown".to_string(),
                    Outcome::Failed {
                        offset: 0,
                        error: format!("cannot read: {e}"),
                    },
                ),
            };
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();

    let mut by_version: BTreeMap<VersionKey, VersionSummary> = BTreeMap::new();
    for (path, bytes, version, outcome) in results {
        let s = by_version.entry(VersionKey(version)).or_default();
        s.files += 1;
        s.bytes += bytes;
        match outcome {
            Outcome::Identical => s.identical += 1,
            Outcome::Differs { .. } => s.differs += 1,
            Outcome::Failed { .. } => s.failed += 1,
        }
        if !matches!(outcome, Outcome::Identical) && s.failures.len() < args.show {
            s.failures.push(Failure {
                path: path.display().to_string(),
                outcome,
            });
        }
    }
    let all_ok = by_version.values().all(|s| s.identical == s.files);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&by_version)?);
    } else {
        print_table(&by_version);
    }
    Ok(if all_ok { 0 } else { 1 })
}

fn print_table(by_version: &BTreeMap<VersionKey, VersionSummary>) {
    println!(
        "{:<8} {:>8} {:>10} {:>8} {:>8} {:>10}  {:>8}",
        "version", "files", "identical", "differ", "failed", "MB", "identical%"
    );
    let mut total = VersionSummary::default();
    for (v, s) in by_version {
        print_row(&v.0, s);
        total.files += s.files;
        total.identical += s.identical;
        total.differs += s.differs;
        total.failed += s.failed;
        total.bytes += s.bytes;
    }
    if by_version.len() > 1 {
        print_row("total", &total);
    }
    for (v, s) in by_version {
        for f in &s.failures {
            match &f.outcome {
                Outcome::Differs { offset } => {
                    println!(
                        "{v}: {}: rewritten bytes differ from offset {offset}",
                        f.path
                    )
                }
                Outcome::Failed { error, .. } => println!("{v}: {}: {error}", f.path),
                Outcome::Identical => {}
            }
        }
    }
}

fn print_row(name: &str, s: &VersionSummary) {
    let pct = if s.files == 0 {
        100.0
    } else {
        100.0 * s.identical as f64 / s.files as f64
    };
    println!(
        "{:<8} {:>8} {:>10} {:>8} {:>8} {:>10.1}  {:>9.2}%",
        name,
        s.files,
        s.identical,
        s.differs,
        s.failed,
        s.bytes as f64 / 1e6,
        pct
    );
}

#[derive(Debug, Default, Serialize)]
struct CfgSummary {
    files: usize,
    code_objects: usize,
    identical: usize,
    verified: usize,
    failed: usize,
    failures: Vec<String>,
}

/// What `--cfg` found in one file: its version and summary.
fn cfg_one(path: &std::path::Path, show: usize) -> (String, CfgSummary) {
    let mut s = CfgSummary {
        files: 1,
        ..CfgSummary::default()
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            s.failures
                .push(format!("{}: cannot read: {e}", path.display()));
            return ("unknown".to_string(), s);
        }
    };
    let mut pyc = match Pyc::parse(data) {
        Ok(p) => p,
        Err(e) => {
            s.failures.push(format!("{}: {e}", path.display()));
            return ("unknown".to_string(), s);
        }
    };
    let report = rebuild_pyc(&mut pyc);
    s.code_objects = report.codes.len();
    s.identical = report.identical();
    s.verified = report.verified();
    s.failed = report.failed();
    for c in &report.codes {
        if let CodeOutcome::Failed(e) = &c.outcome {
            if s.failures.len() < show {
                s.failures
                    .push(format!("{}: {}: {e}", path.display(), c.name));
            }
        }
    }
    if s.failed == 0 {
        if let Err(e) = pyc.to_bytes() {
            s.failures
                .push(format!("{}: cannot write: {e}", path.display()));
        }
    }
    (pyc.version().to_string(), s)
}

fn run_cfg(args: &CheckArgs) -> Result<i32> {
    let inputs = collect_inputs(&args.paths)?;
    let bar = progress::bar(inputs.len(), "rebuilding", args.quiet || args.json);
    let results: Vec<(String, CfgSummary)> = inputs
        .par_iter()
        .map(|input| {
            let r = cfg_one(&input.path, args.show);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut by_version: BTreeMap<VersionKey, CfgSummary> = BTreeMap::new();
    for (version, one) in results {
        let s = by_version.entry(VersionKey(version)).or_default();
        s.files += one.files;
        s.code_objects += one.code_objects;
        s.identical += one.identical;
        s.verified += one.verified;
        s.failed += one.failed;
        let room = args.show.saturating_sub(s.failures.len());
        s.failures.extend(one.failures.into_iter().take(room));
    }
    let all_ok = by_version
        .values()
        .all(|s| s.failed == 0 && s.failures.is_empty());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&by_version)?);
    } else {
        println!(
            "{:<8} {:>8} {:>10} {:>10} {:>10} {:>8}  {:>10}",
            "version", "files", "codes", "identical", "verified", "failed", "identical%"
        );
        for (v, s) in &by_version {
            let pct = if s.code_objects == 0 {
                100.0
            } else {
                100.0 * s.identical as f64 / s.code_objects as f64
            };
            println!(
                "{:<8} {:>8} {:>10} {:>10} {:>10} {:>8}  {:>9.2}%",
                v, s.files, s.code_objects, s.identical, s.verified, s.failed, pct
            );
        }
        for (v, s) in &by_version {
            for f in &s.failures {
                println!("{v}: {f}");
            }
        }
    }
    Ok(if all_ok { 0 } else { 1 })
}

/// A version label (`"3.10"`, or `"unknown"` for files whose header did not parse)
/// that sorts by version number, so 3.6 comes before 3.10; serialized as the label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
struct VersionKey(String);

impl VersionKey {
    fn sort_key(&self) -> ((u8, u8), &str) {
        let number = pycopt_core::PyVersion::parse(&self.0)
            .map(|v| v.tuple())
            .unwrap_or((u8::MAX, u8::MAX));
        (number, &self.0)
    }
}

impl Ord for VersionKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for VersionKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for VersionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.0)
    }
}
