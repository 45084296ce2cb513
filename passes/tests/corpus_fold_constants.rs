//! `fold-constants` (and `fold-builtins` under `--assume builtins`) over every `.pyc`
//! of each installed interpreter's library (3.6–3.13), through the pass manager with
//! `verify_each`: no code object may fail, and the same input must give the same
//! bytes twice. Prints the number of folds per version, and how the e-graph runs
//! stopped.
//!
//! `PYCOPT_CORPUS_VERSIONS=3.12,3.13` narrows the run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use pycopt_core::Pyc;
use pycopt_passes::egraph::stop_counts;
use pycopt_passes::{Assumption, FileStats, Options, PassManager, Pipeline, Registry};
use rayon::prelude::*;

fn manager(passes: &[&'static str], assume_builtins: bool) -> PassManager {
    // verify_each: code generation and the verifier after every pass that changed
    // something, naming the pass in `kept` if it fails.
    let mut options = Options::default();
    if assume_builtins {
        options.assume.insert(Assumption::Builtins);
    }
    let pipeline = Pipeline {
        passes: passes.to_vec(),
        rounds: 1,
    };
    let mut m = PassManager::new(&Registry::default(), &pipeline, options).unwrap();
    m.verify_each = true;
    m
}

#[test]
fn folds_every_installed_library_without_failures() {
    // fold-builtins runs after fold-constants, as in -O2: the counts of both come
    // from one run.
    let both = manager(&["fold-constants", "fold-builtins"], true);
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        if (major, minor) < (3, 6) {
            continue;
        }
        let tag = pycopt_corpus::tag((major, minor));
        if let Ok(only) = std::env::var("PYCOPT_CORPUS_VERSIONS") {
            if !only.split(',').any(|v| v.trim() == tag) {
                continue;
            }
        }
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let started = Instant::now();
        let files: Vec<PathBuf> = pycopt_corpus::pyc_files(&interp.library_dir());
        let per_file: Vec<(FileStats, Vec<String>)> = files
            .par_iter()
            .filter_map(|p| {
                let data = std::fs::read(p).ok()?;
                let mut problems = Vec::new();
                let mut a = Pyc::parse(data.clone()).ok()?;
                let stats = both.optimize(&mut a);
                for k in &stats.kept {
                    problems.push(format!("{} {}: {}", p.display(), k.code, k.reason));
                }
                if stats.changed > 0 {
                    // Deterministic: the same input gives the same bytes.
                    let mut again = Pyc::parse(data).ok()?;
                    both.optimize(&mut again);
                    if a.to_bytes().ok() != again.to_bytes().ok() {
                        problems.push(format!("{}: two runs differ", p.display()));
                    }
                }
                Some((stats, problems))
            })
            .collect();
        let mut total = FileStats::default();
        for (stats, problems) in &per_file {
            total.merge(stats);
            failures.extend(problems.iter().cloned());
        }
        let changes = |s: &FileStats, pass: &str| s.passes.get(pass).map_or(0, |p| p.changes);
        let nanos = |s: &FileStats, pass: &str| s.passes.get(pass).map_or(0, |p| p.nanos);
        lines.push(format!(
            "{tag}: {} files, {} code objects ({} changed); fold-constants {} folds \
             ({:.2}s), fold-builtins {} folds ({:.2}s); instructions {} -> {}; {:.1}s",
            per_file.len(),
            total.code_objects,
            total.changed,
            changes(&total, "fold-constants"),
            nanos(&total, "fold-constants") as f64 / 1e9,
            changes(&total, "fold-builtins"),
            nanos(&total, "fold-builtins") as f64 / 1e9,
            total.instrs_before,
            total.instrs_after,
            started.elapsed().as_secs_f64()
        ));
    }
    let stops: BTreeMap<&str, u64> = stop_counts()
        .into_iter()
        .map(|(s, n)| (s.name(), n))
        .collect();
    for l in &lines {
        println!("{l}");
    }
    println!("e-graph runs stopped: {stops:?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
}
