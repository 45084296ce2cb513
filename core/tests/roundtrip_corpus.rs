//! Every `.pyc` of every installed interpreter's library folder (stdlib, test suite,
//! site-packages, `opt-1`/`opt-2` files) reads and writes back byte for byte.
//!
//! Interpreters come from the project's one search (`corpus/README.md`); a missing
//! one is skipped with a notice, or fails the test under `CI=true`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pycopt_core::Pyc;
use rayon::prelude::*;

#[derive(Default)]
struct Counts {
    files: usize,
    identical: usize,
    failures: Vec<String>,
}

fn round_trip(path: &PathBuf) -> Result<(), String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let pyc = Pyc::parse(data.clone()).map_err(|e| format!("{}: {e}", path.display()))?;
    let out = pyc
        .to_bytes()
        .map_err(|e| format!("{}: write: {e}", path.display()))?;
    if out != data {
        let at = out.iter().zip(&data).position(|(a, b)| a != b).unwrap_or(0);
        return Err(format!("{}: differs from offset {at}", path.display()));
    }
    Ok(())
}

#[test]
fn every_installed_pyc_round_trips() {
    let mut by_version = BTreeMap::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        assert!(
            !files.is_empty(),
            "{}: no .pyc under {}",
            interp.tag(),
            interp.library_dir().display()
        );
        let failures: Vec<String> = files
            .par_iter()
            .filter_map(|p| round_trip(p).err())
            .collect();
        by_version.insert(
            (major, minor),
            Counts {
                files: files.len(),
                identical: files.len() - failures.len(),
                failures,
            },
        );
    }
    let mut bad = Vec::new();
    for ((a, b), c) in &by_version {
        println!("{a}.{b}: {} files, {} byte-identical", c.files, c.identical);
        bad.extend(c.failures.iter().take(10).cloned());
    }
    assert!(
        bad.is_empty(),
        "files that do not round-trip:\n{}",
        bad.join("\n")
    );
}

#[test]
fn committed_sample_round_trips() {
    let files = pycopt_corpus::pyc_files(&pycopt_corpus::sample_dir());
    assert!(files.len() >= 9, "sample has {} files", files.len());
    let mut versions = std::collections::BTreeSet::new();
    for f in &files {
        round_trip(f).unwrap();
        let data = std::fs::read(f).unwrap();
        versions.insert(Pyc::parse(data).unwrap().version());
    }
    assert_eq!(
        versions.len(),
        pycopt_core::PyVersion::ALL.len(),
        "{versions:?}"
    );
}
