//! `pycopt dis` against the interpreters' own `dis.dis`, file by file, over each
//! version's stdlib (the installed library folder without `site-packages`).
//!
//! The oracle is `corpus/scripts/dis_oracle.py`, run by the file's own interpreter
//! with `PYTHONHASHSEED=0`; its output streams back and is compared as it arrives.
//! Environment knobs, for working on one version family:
//! - `PYCOPT_DIS_VERSIONS=3.11,3.12` limits the versions (default: 2.7, 3.6–3.13);
//! - `PYCOPT_DIS_EVERY=N` checks every N-th file only (default 1: all of them);
//! - `PYCOPT_DIS_SHOW=N` prints N mismatches in full (default 3).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use pycopt_core::dis::{dis_pyc, DisOptions};
use pycopt_core::{PyVersion, Pyc};

fn oracle_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scripts/dis_oracle.py")
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn wanted_versions() -> Vec<(u8, u8)> {
    match std::env::var("PYCOPT_DIS_VERSIONS") {
        Ok(list) => list
            .split(',')
            .filter_map(PyVersion::parse)
            .map(|v| v.tuple())
            .collect(),
        Err(_) => pycopt_corpus::SUPPORTED.to_vec(),
    }
}

/// First line where two texts differ, with context.
fn first_difference(ours: &str, theirs: &str) -> String {
    let a: Vec<&str> = ours.lines().collect();
    let b: Vec<&str> = theirs.lines().collect();
    let n = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    format!(
        "line {}:\n  pycopt: {:?}\n  cpython: {:?}",
        n + 1,
        a.get(n).copied().unwrap_or("<end>"),
        b.get(n).copied().unwrap_or("<end>")
    )
}

struct Tally {
    files: usize,
    identical: usize,
    mismatches: Vec<String>,
}

fn check_version(major: u8, minor: u8, every: usize, show: usize) -> Option<Tally> {
    let interp = pycopt_corpus::require(major, minor)?;
    let lib = interp.library_dir();
    let files: Vec<PathBuf> = pycopt_corpus::pyc_files(&lib)
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "site-packages"))
        .enumerate()
        .filter(|(i, _)| i % every.max(1) == 0)
        .map(|(_, p)| p)
        .collect();
    let mut child = interp
        .command()
        .arg(oracle_script())
        .env("PYTHONHASHSEED", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("oracle starts");
    let list: String = files.iter().map(|p| format!("{}\n", p.display())).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let mut tally = Tally {
        files: 0,
        identical: 0,
        mismatches: Vec::new(),
    };
    let compare = |path: &str, theirs: &str, tally: &mut Tally| {
        tally.files += 1;
        let data = std::fs::read(path).unwrap();
        let ours = match Pyc::parse(data) {
            Ok(pyc) => match dis_pyc(&pyc, &DisOptions::default()) {
                Ok(text) => text,
                Err(e) => format!("!!! pycopt: {e}\n"),
            },
            Err(e) => format!("!!! pycopt: {e}\n"),
        };
        if ours == theirs {
            tally.identical += 1;
        } else if tally.mismatches.len() < show {
            tally
                .mismatches
                .push(format!("{path}: {}", first_difference(&ours, theirs)));
        }
    };
    let reader = BufReader::new(child.stdout.take().unwrap());
    let mut current: Option<String> = None;
    let mut text = String::new();
    for line in reader.lines() {
        let line = line.unwrap();
        if let Some(path) = line.strip_prefix("=== ") {
            if let Some(prev) = current.take() {
                compare(&prev, &text, &mut tally);
            }
            current = Some(path.to_string());
            text.clear();
        } else {
            text.push_str(&line);
            text.push('\n');
        }
    }
    if let Some(prev) = current.take() {
        compare(&prev, &text, &mut tally);
    }
    writer.join().unwrap().unwrap();
    assert!(
        child.wait().unwrap().success(),
        "{major}.{minor}: oracle failed"
    );
    assert_eq!(
        tally.files,
        files.len(),
        "{major}.{minor}: oracle skipped files"
    );
    Some(tally)
}

#[test]
fn dis_matches_cpython_on_the_stdlib() {
    let every = env_usize("PYCOPT_DIS_EVERY", 1);
    let show = env_usize("PYCOPT_DIS_SHOW", 3);
    let versions = wanted_versions();
    // Two versions at a time: each runs one Python process beside the comparison.
    let mut results: HashMap<(u8, u8), Option<Tally>> = HashMap::new();
    for pair in versions.chunks(2) {
        std::thread::scope(|s| {
            let handles: Vec<_> = pair
                .iter()
                .map(|&(a, b)| ((a, b), s.spawn(move || check_version(a, b, every, show))))
                .collect();
            for (v, h) in handles {
                results.insert(v, h.join().unwrap());
            }
        });
    }
    let mut failed = Vec::new();
    for v in &versions {
        if let Some(Some(t)) = results.get(v) {
            println!(
                "{}.{}: {} files, {} identical to dis.dis",
                v.0, v.1, t.files, t.identical
            );
            if t.identical != t.files {
                failed.push(format!(
                    "{}.{}: {} of {} files differ; first ones:\n{}",
                    v.0,
                    v.1,
                    t.files - t.identical,
                    t.files,
                    t.mismatches.join("\n")
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
