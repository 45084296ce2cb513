//! Every pass's [`Pass::may_change`] keeps its promise on real code: over every
//! installed interpreter's library (3.8–3.13 required; 2.7, 3.6, 3.7 where
//! installed), each code object is scanned, and every pass that rules the code
//! object out runs on it anyway and must change nothing. A broken promise would not
//! make output wrong, only leave an optimization undone; this test keeps the cheap
//! path honest.
//!
//! Per version it prints how many code objects each pass rules out (how much graph
//! building the screens save). `PYCOPT_CORPUS_SCREEN_EVERY=N` checks every N-th file
//! (default 2).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use pycopt_core::cfg::Scan;
use pycopt_core::code::walk_code;
use pycopt_core::codegen::Unit;
use pycopt_core::Pyc;
use pycopt_passes::{Assumption, Context, Options, Pass, Registry, Strip};
use rayon::prelude::*;

/// Per pass: code objects it ruled out; and the broken promises.
type Outcome = (BTreeMap<&'static str, u64>, u64, Vec<String>);

fn all_options() -> Options {
    let mut o = Options::default();
    o.assume.extend(Assumption::ALL);
    o.strip.extend(Strip::ALL);
    o
}

fn check_file(passes: &[&dyn Pass], options: &Options, file: &Path) -> Outcome {
    let mut ruled_out = BTreeMap::new();
    let mut failures = Vec::new();
    let mut codes = 0;
    // Every installed file reads, and every code object scans and opens: a failure
    // here is reported, not skipped.
    let pyc = match std::fs::read(file)
        .map_err(|e| e.to_string())
        .and_then(|d| Pyc::parse(d).map_err(|e| e.to_string()))
    {
        Ok(pyc) => pyc,
        Err(e) => {
            failures.push(format!("{}: cannot read: {e}", file.display()));
            return (ruled_out, codes, failures);
        }
    };
    let facts = OnceLock::new();
    let cx = Context::lazy(options, &pyc, &facts);
    for (id, path) in walk_code(&pyc.graph, pyc.root) {
        let Some(code) = pyc.graph.as_code(id) else {
            continue;
        };
        let scan = match Scan::new(code, &pyc.graph, pyc.version()) {
            Ok(scan) => scan,
            Err(e) => {
                failures.push(format!("{}: {path}: cannot scan: {e}", file.display()));
                continue;
            }
        };
        codes += 1;
        for pass in passes {
            if pass.may_change(&scan, &cx) {
                continue;
            }
            let name = pass.info().name;
            *ruled_out.entry(name).or_insert(0) += 1;
            let mut unit = match Unit::from_scan(&scan, id, path.clone()) {
                Ok(unit) => unit,
                Err(e) => {
                    failures.push(format!("{}: {path}: cannot open: {e}", file.display()));
                    break;
                }
            };
            match pass.run(&mut unit, &cx) {
                // A pass that gives up changes nothing either (the manager keeps the
                // original code).
                Ok(0) | Err(_) => {}
                Ok(n) => failures.push(format!(
                    "{}: {path}: {name} ruled the code object out, then made {n} changes",
                    file.display()
                )),
            }
        }
    }
    (ruled_out, codes, failures)
}

#[test]
fn no_pass_changes_a_code_object_it_ruled_out() {
    let every: usize = std::env::var("PYCOPT_CORPUS_SCREEN_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(2);
    let registry = Registry::default();
    let passes: Vec<&dyn Pass> = registry.iter().map(|p| p.as_ref()).collect();
    let options = all_options();
    let mut report = String::new();
    let mut failures = Vec::new();
    for interp in pycopt_corpus::require_tested() {
        let files: Vec<_> = pycopt_corpus::pyc_files(&interp.library_dir())
            .into_iter()
            .step_by(every)
            .collect();
        let (ruled_out, codes, bad) = files
            .par_iter()
            .map(|f| check_file(&passes, &options, f))
            .reduce(
                || (BTreeMap::new(), 0, Vec::new()),
                |(mut a, ca, mut fa), (b, cb, fb)| {
                    for (k, v) in b {
                        *a.entry(k).or_insert(0) += v;
                    }
                    fa.extend(fb);
                    (a, ca + cb, fa)
                },
            );
        failures.extend(bad);
        let _ = writeln!(
            report,
            "{}: {} files, {codes} code objects",
            interp.tag(),
            files.len()
        );
        for (name, n) in &ruled_out {
            let _ = writeln!(
                report,
                "    {name:<22} rules out {n:>8} ({:.1}%)",
                100.0 * *n as f64 / codes.max(1) as f64
            );
        }
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} broken promises, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
