//! Every code object of every installed interpreter's library goes bytes → CFG →
//! bytes: counted per version, the share rebuilt byte for byte and the share that
//! passes the verifier; and the committed sample, rebuilt, runs as it did.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pycopt_core::cfg::{build, Cfg, Instr};
use pycopt_core::code::walk_code;
use pycopt_core::codegen::{rebuild_pyc, rebuild_pyc_with, CodeOutcome, RebuildReport};
use pycopt_core::linetable::Position;
use pycopt_core::opcode::table;
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

#[derive(Default)]
struct Tally {
    codes: usize,
    identical: usize,
    verified: usize,
    failures: Vec<String>,
}

impl Tally {
    fn add(mut self, other: Tally) -> Tally {
        self.codes += other.codes;
        self.identical += other.identical;
        self.verified += other.verified;
        self.failures.extend(other.failures);
        self
    }
}

fn tally_file(path: &Path) -> Tally {
    let mut pyc = Pyc::parse(std::fs::read(path).unwrap()).unwrap();
    let report = rebuild_pyc(&mut pyc);
    let mut t = Tally {
        codes: report.codes.len(),
        identical: report.identical(),
        verified: report.verified(),
        failures: Vec::new(),
    };
    for c in &report.codes {
        if let CodeOutcome::Failed(e) = &c.outcome {
            t.failures
                .push(format!("{} {}: {e}", path.display(), c.name));
        }
    }
    // Identical code objects leave the file identical.
    if t.identical == t.codes {
        let again = pyc.to_bytes().unwrap();
        if again != std::fs::read(path).unwrap() {
            t.failures.push(format!(
                "{}: file differs though every code object is identical",
                path.display()
            ));
        }
    }
    t
}

/// Lowest share of code objects rebuilt byte for byte, per version: 95% from 3.8;
/// for 2.7, 3.6 and 3.7 the measured share (every code object of their libraries,
/// as for all the later versions too when this was written).
fn floor(v: PyVersion) -> f64 {
    match v.tuple() {
        (2, 7) => FLOOR_2_7,
        (3, 6) => FLOOR_3_6,
        (3, 7) => FLOOR_3_7,
        _ => 95.0,
    }
}

const FLOOR_2_7: f64 = 100.0;
const FLOOR_3_6: f64 = 100.0;
const FLOOR_3_7: f64 = 100.0;

#[test]
fn installed_libraries_rebuild_through_the_cfg() {
    let mut summary = BTreeMap::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let v = PyVersion::parse(&interp.tag()).unwrap();
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        let t = files
            .par_iter()
            .map(|p| tally_file(p))
            .reduce(Tally::default, Tally::add);
        summary.insert(v, t);
    }
    let mut bad = Vec::new();
    for (v, t) in &summary {
        let pct = |n: usize| 100.0 * n as f64 / t.codes.max(1) as f64;
        println!(
            "{v}: {} code objects, {} identical ({:.3}%), {} verified ({:.3}%)",
            t.codes,
            t.identical,
            pct(t.identical),
            t.verified,
            pct(t.verified)
        );
        if pct(t.identical) < floor(*v) {
            bad.push(format!(
                "{v}: {:.3}% identical, below {}%",
                pct(t.identical),
                floor(*v)
            ));
        }
        if t.verified != t.codes {
            bad.push(format!("{v}: {} code objects fail", t.codes - t.verified));
        }
        bad.extend(t.failures.iter().take(5).cloned());
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Code generation on changed graphs at corpus scale: a `NOP` at the start of every
/// block of every code object of every `PYCOPT_CFG_EDIT_EVERY`-th file (default 10)
/// of each installed library; every result verifies and keeps every other
/// instruction and its position.
#[test]
fn installed_libraries_with_inserted_nops_verify_and_keep_positions() {
    let every: usize = std::env::var("PYCOPT_CFG_EDIT_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .max(1);
    let mut bad = Vec::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let files: Vec<_> = pycopt_corpus::pyc_files(&interp.library_dir())
            .into_iter()
            .step_by(every)
            .collect();
        let results: Vec<(usize, Vec<String>)> = files
            .par_iter()
            .map(|p| {
                let data = std::fs::read(p).unwrap();
                let mut pyc = Pyc::parse(data.clone()).unwrap();
                let report = rebuild_pyc_with(&mut pyc, |_, cfg| insert_nops(cfg));
                let mut errors: Vec<String> = report
                    .codes
                    .iter()
                    .filter_map(|c| match &c.outcome {
                        CodeOutcome::Failed(e) => Some(format!("{} {}: {e}", p.display(), c.name)),
                        _ => None,
                    })
                    .collect();
                let rebuilt = Pyc::parse(pyc.to_bytes().unwrap()).unwrap();
                if listing(&Pyc::parse(data).unwrap()) != listing(&rebuilt) {
                    errors.push(format!(
                        "{}: instructions or positions changed",
                        p.display()
                    ));
                }
                (report.codes.len() - report.identical(), errors)
            })
            .collect();
        let changed: usize = results.iter().map(|r| r.0).sum();
        let failed: Vec<String> = results.into_iter().flat_map(|r| r.1).collect();
        println!(
            "{major}.{minor}: NOPs inserted in {} files, {changed} code objects changed, {} failures",
            files.len(),
            failed.len()
        );
        bad.extend(failed.into_iter().take(5));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("pycopt-cfg-rebuild-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The interpreter flags a sample file was compiled for.
fn flags(path: &Path) -> Vec<&'static str> {
    let name = path.file_name().unwrap().to_string_lossy();
    if name.ends_with(".pyo") || name.contains(".opt-1.") {
        vec!["-O"]
    } else if name.contains(".opt-2.") {
        vec!["-OO"]
    } else {
        vec![]
    }
}

/// Puts a `NOP` at the start of every block but the entry, blocks starting with
/// `END_FOR` (which 3.12+ `FOR_ITER` jumps past rather than to) and blocks starting
/// with `RESUME` (which must directly follow the code's prefix or a `YIELD_VALUE`):
/// every offset, jump, handler range and line-table entry after it moves.
fn insert_nops(cfg: &mut Cfg) {
    let nop = table(cfg.version).by_name("NOP").unwrap();
    for &b in &cfg.layout.clone() {
        if b == cfg.entry {
            continue;
        }
        let block = &mut cfg.graph[b];
        let Some(first) = block.instrs.first() else {
            continue;
        };
        if matches!(first.op.name, "END_FOR" | "RESUME") {
            continue;
        }
        let pos = first.pos;
        block.instrs.insert(
            0,
            Instr {
                op: nop,
                arg: 0,
                pos,
                prefixes: 0,
                cache: Box::new([]),
                offset: None,
            },
        );
    }
}

#[test]
fn rebuilt_sample_runs_like_the_original() {
    run_sample("plain", rebuild_pyc);
}

#[test]
fn sample_with_nops_in_every_block_runs_like_the_original() {
    run_sample("nops", |pyc| {
        rebuild_pyc_with(pyc, |_, cfg| insert_nops(cfg))
    });
}

/// Per code object, its instructions but `NOP`s as (opcode, argument unless a jump,
/// position): what an edit that only inserts `NOP`s must keep.
fn listing(pyc: &Pyc) -> Vec<Vec<(&'static str, Option<u32>, Position)>> {
    let v = pyc.version();
    walk_code(&pyc.graph, pyc.root)
        .into_iter()
        .map(|(id, _)| {
            let code = pyc.graph.as_code(id).unwrap();
            let cfg = build(code, &pyc.graph, v).unwrap();
            cfg.layout
                .iter()
                .flat_map(|&b| cfg.block(b).instrs.iter())
                .filter(|i| i.op.name != "NOP")
                .map(|i| (i.op.name, i.op.jump.is_none().then_some(i.arg), i.pos))
                .collect()
        })
        .collect()
}

fn run_sample(what: &str, rebuild: impl Fn(&mut Pyc) -> RebuildReport) {
    let mut bad = Vec::new();
    let mut ran = 0;
    let mut changed = 0;
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let dir = pycopt_corpus::sample_dir().join(pycopt_corpus::tag((major, minor)));
        let work = temp_dir(&format!("{what}-{major}.{minor}"));
        for path in pycopt_corpus::pyc_files(&dir) {
            let data = std::fs::read(&path).unwrap();
            let mut pyc = Pyc::parse(data.clone()).unwrap();
            let report = rebuild(&mut pyc);
            for c in &report.codes {
                if let CodeOutcome::Failed(e) = &c.outcome {
                    bad.push(format!("{} {}: {e}", path.display(), c.name));
                }
            }
            changed += report.codes.len() - report.identical();
            let rebuilt = pyc.to_bytes().unwrap();
            let before = listing(&Pyc::parse(data.clone()).unwrap());
            let after = listing(&Pyc::parse(rebuilt.clone()).unwrap());
            if before != after {
                bad.push(format!(
                    "{}: instructions or positions changed",
                    path.display()
                ));
            }
            // Run both from one path, so that nothing but the code differs.
            let file = work.join(path.file_name().unwrap());
            let run = |bytes: &[u8]| {
                std::fs::write(&file, bytes).unwrap();
                let mut args: Vec<std::ffi::OsString> =
                    flags(&path).into_iter().map(Into::into).collect();
                args.push(file.file_name().unwrap().into());
                let out = interp
                    .command()
                    .args(&args)
                    .current_dir(&work)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap();
                (out.status.code(), out.stdout, out.stderr)
            };
            let want = run(&data);
            let got = run(&rebuilt);
            ran += 1;
            if want.0 != Some(0) {
                bad.push(format!(
                    "{}: the original fails: {}",
                    path.display(),
                    String::from_utf8_lossy(&want.2)
                ));
            } else if got != want {
                bad.push(format!(
                    "{}: rebuilt runs differently (status {:?}): {}",
                    path.display(),
                    got.0,
                    String::from_utf8_lossy(&got.2)
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    println!(
        "{what}: {ran} sample files run, original and rebuilt ({changed} code objects changed)"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
