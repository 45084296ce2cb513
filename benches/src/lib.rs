//! pycopt's benchmarks: shared support for the criterion benches of pycopt
//! itself (which inputs to measure on), and the comparison harness behind the
//! `pycopt-bench` binary (stock CPython `.pyc` against pycopt's, on real
//! programs, per Python version; see `benches/README.md`).

pub mod charts;
pub mod execute;
pub mod figures;
pub mod harness;
pub mod program;
pub mod report;
pub mod stats;
pub mod timing;
pub mod variant;

use std::path::PathBuf;
/// The `.pyc` files to benchmark on, loaded into memory, per corpus name.
///
/// By default the stdlib of CPython 3.11 (the largest library folder here) and
/// 3.13, found by the project's interpreter search; `PYCOPT_BENCH_VERSIONS=3.8,3.12`
/// picks others. Falls back to the committed sample when none is installed, so
/// benches always run.
pub fn load_corpus() -> Vec<(String, Vec<Vec<u8>>)> {
    let wanted = std::env::var("PYCOPT_BENCH_VERSIONS").unwrap_or_else(|_| "3.11,3.13".into());
    let mut out = Vec::new();
    for v in wanted.split(',') {
        let Some((a, b)) = v.trim().split_once('.') else {
            continue;
        };
        let (Ok(a), Ok(b)) = (a.parse::<u8>(), b.parse::<u8>()) else {
            continue;
        };
        if let Some(interp) = pycopt_corpus::find(a, b) {
            let files = read_all(pycopt_corpus::pyc_files(&interp.library_dir()));
            out.push((format!("stdlib-{}", interp.tag()), files));
        }
    }
    if out.is_empty() {
        let files = read_all(pycopt_corpus::pyc_files(&pycopt_corpus::sample_dir()));
        out.push(("sample".to_string(), files));
    }
    out
}

fn read_all(paths: Vec<PathBuf>) -> Vec<Vec<u8>> {
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}
