//! `dis --asm` then `asm` gives back every `.pyc` byte for byte: for each installed
//! interpreter's library folder (stdlib, test suite, site-packages, `opt-1`/`opt-2`
//! files) and for the committed sample, each file is written as assembly text,
//! parsed, assembled, and the bytes compared.
//!
//! Interpreters come from the project's one search (`corpus/README.md`); a missing
//! one is skipped with a notice, or fails the test under `CI=true`.
//! `PYCOPT_ASM_VERSIONS=3.6,2.7` limits the versions (default: all supported).
//!
//! A third test edits files at corpus scale (a `NOP` in every code object) and checks
//! that jumps, handlers and positions move with the code.

use std::collections::BTreeMap;
use std::path::Path;

use pycopt_core::asm::{assemble, disassemble};
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

/// Files known not to round-trip, as `X.Y:path suffix` (none).
const KNOWN_FAILURES: &[&str] = &[];

/// Round-trips one file; on a difference, says where (the first differing line of
/// the texts of the original and of the assembled file, when they differ).
fn round_trip(path: &Path) -> Result<(), String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let pyc = Pyc::parse(data.clone()).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = disassemble(&pyc).map_err(|e| format!("{}: dis --asm: {e}", path.display()))?;
    let back = assemble(&text).map_err(|e| {
        let line = text.lines().nth(e.line as usize - 1).unwrap_or("");
        format!("{}: asm: {e}\n    {line}", path.display())
    })?;
    let out = back
        .to_bytes()
        .map_err(|e| format!("{}: write: {e}", path.display()))?;
    if out == data {
        return Ok(());
    }
    let at = out
        .iter()
        .zip(&data)
        .position(|(a, b)| a != b)
        .unwrap_or(out.len().min(data.len()));
    let mut why = format!(
        "{}: differs from byte {at} ({} bytes, original {})",
        path.display(),
        out.len(),
        data.len()
    );
    if let Ok(again) = disassemble(&back) {
        if let Some((n, (a, b))) = text
            .lines()
            .zip(again.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            let block = text
                .lines()
                .take(n)
                .filter(|l| l.starts_with(".code "))
                .last()
                .unwrap_or("");
            why.push_str(&format!(
                "\n    in {block}, line {}:\n    text:  {a}\n    again: {b}",
                n + 1
            ));
        }
    }
    Err(why)
}

/// The versions to test: all supported, or those `PYCOPT_ASM_VERSIONS` lists.
fn versions() -> Vec<(u8, u8)> {
    let only: Option<Vec<(u8, u8)>> = std::env::var("PYCOPT_ASM_VERSIONS")
        .ok()
        .map(|v| v.split(',').filter_map(pycopt_corpus::parse_tag).collect());
    pycopt_corpus::SUPPORTED
        .iter()
        .copied()
        .filter(|v| only.as_ref().is_none_or(|o| o.contains(v)))
        .collect()
}

#[derive(Default)]
struct Counts {
    files: usize,
    identical: usize,
    known: usize,
    failures: Vec<String>,
}

fn run(files: &[std::path::PathBuf], tag: &str) -> Counts {
    let results: Vec<Result<(), String>> = files.par_iter().map(|p| round_trip(p)).collect();
    let mut c = Counts {
        files: files.len(),
        ..Counts::default()
    };
    for (p, r) in files.iter().zip(results) {
        match r {
            Ok(()) => c.identical += 1,
            Err(e) => {
                let s = p.to_string_lossy();
                if KNOWN_FAILURES.iter().any(|k| {
                    k.split_once(':')
                        .is_some_and(|(v, suf)| v == tag && s.ends_with(suf))
                }) {
                    c.known += 1;
                } else {
                    c.failures.push(e);
                }
            }
        }
    }
    c
}

#[test]
fn every_installed_pyc_round_trips_through_text() {
    let mut by_version = BTreeMap::new();
    for (major, minor) in versions() {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        assert!(!files.is_empty(), "{}: no .pyc files", interp.tag());
        by_version.insert((major, minor), run(&files, &interp.tag()));
    }
    let mut bad = Vec::new();
    for ((a, b), c) in &by_version {
        println!(
            "{a}.{b}: {} files, {} byte-identical after dis --asm | asm{}",
            c.files,
            c.identical,
            if c.known > 0 {
                format!(", {} known failures", c.known)
            } else {
                String::new()
            }
        );
        if !c.failures.is_empty() {
            println!("  {} failures", c.failures.len());
        }
        bad.extend(c.failures.iter().take(5).cloned());
    }
    assert!(
        bad.is_empty(),
        "files that do not round-trip:\n{}",
        bad.join("\n")
    );
}

#[test]
fn committed_sample_round_trips_through_text() {
    let files = pycopt_corpus::pyc_files(&pycopt_corpus::sample_dir());
    assert!(!files.is_empty());
    let c = run(&files, "sample");
    assert!(
        c.failures.is_empty(),
        "sample files that do not round-trip:\n{}",
        c.failures.join("\n")
    );
}

/// Inserts a `NOP` into every code block of `text`: on 3.11+ right after the first
/// `RESUME`, before that on the first line of the body (ahead of its labels and
/// positions). Returns the text and, per block in order, the instruction index the
/// `NOP` got (`None` for a block left alone).
fn insert_nops(text: &str, v: PyVersion) -> (String, Vec<Option<usize>>) {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut at = Vec::new();
    let mut in_block = false;
    let mut done = false;
    let mut count = 0usize;
    for line in text.lines() {
        if line.starts_with(".code ") {
            in_block = true;
            done = false;
            count = 0;
            at.push(None);
        } else if line == ".end" {
            in_block = false;
        } else if in_block && !done {
            let is_instr = line.starts_with("  ") && !line.starts_with("  .");
            let is_body = is_instr
                || line.ends_with(':')
                || line.starts_with("  .loc")
                || line.starts_with("  .extended");
            if line.starts_with("  .rawcode") {
                done = true;
            } else if v >= PyVersion::V3_11 {
                if is_instr {
                    count += 1;
                    if line.trim_start().starts_with("RESUME") {
                        out.push_str(line);
                        out.push_str("\n  NOP\n");
                        *at.last_mut().unwrap() = Some(count);
                        done = true;
                        continue;
                    }
                }
            } else if is_body {
                out.push_str("  NOP\n");
                *at.last_mut().unwrap() = Some(0);
                done = true;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    (out, at)
}

/// Checks that `edited` is `orig` with a `NOP` at instruction `ins`: same
/// instructions, every jump and exception-table entry leading to the same instruction,
/// every instruction at the same source position, the same stack size and tables.
fn same_but_nop(
    g0: &pycopt_core::marshal::ObjectGraph,
    c0: &pycopt_core::code::Code,
    g1: &pycopt_core::marshal::ObjectGraph,
    c1: &pycopt_core::code::Code,
    v: PyVersion,
    ins: usize,
) -> Result<(), String> {
    use pycopt_core::exceptiontable::ExceptionTable;
    use pycopt_core::instr::decode;
    use pycopt_core::opcode::table;
    let t = table(v);
    let a = decode(c0.bytecode(g0), v).map_err(|e| e.to_string())?;
    let b = decode(c1.bytecode(g1), v).map_err(|e| format!("edited: {e}"))?;
    if b.len() != a.len() + 1 || b[ins].op.name != "NOP" {
        return Err(format!("{} instructions, then {}", a.len(), b.len()));
    }
    let map = |k: usize| if k >= ins { k + 1 } else { k };
    let index = |instrs: &[pycopt_core::instr::Instruction], len: usize, off: u32| {
        instrs
            .iter()
            .position(|i| i.start == off)
            .or((off as usize == len).then_some(instrs.len()))
    };
    let (len0, len1) = (c0.bytecode(g0).len(), c1.bytecode(g1).len());
    for (k, i) in a.iter().enumerate() {
        let j = &b[map(k)];
        if i.op.code != j.op.code || i.cache != j.cache {
            return Err(format!(
                "instruction {k}: {} became {}",
                i.op.name, j.op.name
            ));
        }
        match i.jump_target(t) {
            Some(target) => {
                let want = index(&a, len0, target).map(map);
                let got = j.jump_target(t).and_then(|x| index(&b, len1, x));
                if want != got {
                    return Err(format!("jump {k} ({}) leads elsewhere", i.op.name));
                }
            }
            None if i.arg != j.arg => return Err(format!("instruction {k}: argument changed")),
            None => {}
        }
    }
    let (e0, e1) = (
        ExceptionTable::of_code(c0, g0)
            .ok()
            .flatten()
            .unwrap_or_default(),
        ExceptionTable::of_code(c1, g1)
            .ok()
            .flatten()
            .unwrap_or_default(),
    );
    if e0.entries.len() != e1.entries.len() {
        return Err("exception table size changed".into());
    }
    for (x, y) in e0.entries.iter().zip(&e1.entries) {
        let m = |u: u32, instrs: &[pycopt_core::instr::Instruction], len| index(instrs, len, u * 2);
        let same = m(x.start, &a, len0).map(map) == m(y.start, &b, len1)
            && m(x.end(), &a, len0).map(map) == m(y.end(), &b, len1)
            && m(x.target, &a, len0).map(map) == m(y.target, &b, len1)
            && (x.depth, x.lasti) == (y.depth, y.lasti);
        if !same {
            return Err("an exception-table entry moved".into());
        }
    }
    // Positions per instruction.
    let pos = |g: &pycopt_core::marshal::ObjectGraph,
               c: &pycopt_core::code::Code,
               instrs: &[pycopt_core::instr::Instruction]| {
        let lt = pycopt_core::linetable::LineTable::of_code(v, c, g).map_err(|e| e.to_string())?;
        let len = c.bytecode(g).len() as u32;
        let out: Vec<String> = match &lt {
            pycopt_core::linetable::LineTable::Locations(t) => {
                let p: Vec<_> = t.positions(c.firstlineno).collect();
                instrs
                    .iter()
                    .map(|i| format!("{:?}", p.get(i.start as usize / 2)))
                    .collect()
            }
            _ => {
                let r = lt.lines(v, c.firstlineno, len);
                instrs
                    .iter()
                    .map(|i| {
                        let l = r
                            .iter()
                            .rev()
                            .find(|r| r.start <= i.start)
                            .and_then(|r| (r.end > i.start).then_some(r.line));
                        format!("{l:?}")
                    })
                    .collect()
            }
        };
        Ok::<_, String>(out)
    };
    let (p0, p1) = (pos(g0, c0, &a)?, pos(g1, c1, &b)?);
    for k in 0..a.len() {
        if p0[k] != p1[map(k)] {
            return Err(format!(
                "instruction {k} ({}) moved from {} to {}",
                a[k].op.name,
                p0[k],
                p1[map(k)]
            ));
        }
    }
    if c0.stacksize != c1.stacksize || c0.consts(g0).len() != c1.consts(g1).len() {
        return Err(format!(
            "stack size {} became {}",
            c0.stacksize, c1.stacksize
        ));
    }
    Ok(())
}

fn edit_one(path: &Path) -> Result<(), String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    let pyc = Pyc::parse(data).map_err(|e| e.to_string())?;
    let v = pyc.version();
    let text = disassemble(&pyc).map_err(|e| e.to_string())?;
    let (edited, at) = insert_nops(&text, v);
    let new = assemble(&edited).map_err(|e| format!("asm: {e}"))?;
    let new = Pyc::parse(new.to_bytes().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let a = pycopt_core::code::walk_code(&pyc.graph, pyc.root);
    let b = pycopt_core::code::walk_code(&new.graph, new.root);
    if a.len() != b.len() || a.len() != at.len() {
        return Err(format!("{} code objects, then {}", a.len(), b.len()));
    }
    for (((id0, name), (id1, _)), ins) in a.iter().zip(&b).zip(&at) {
        let Some(ins) = ins else { continue };
        let c0 = pyc.graph.as_code(*id0).unwrap();
        let c1 = new.graph.as_code(*id1).unwrap();
        same_but_nop(&pyc.graph, c0, &new.graph, c1, v, *ins)
            .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// A hand edit at corpus scale: a `NOP` inserted in every code object of every
/// `PYCOPT_ASM_EDIT_EVERY`-th file (default 10) of each installed library moves
/// every jump, handler and position with the code. (The sample's hand edit that runs
/// is in `cli/tests/asm.rs`.)
#[test]
fn inserted_nops_relocate_jumps_handlers_and_positions() {
    let every: usize = std::env::var("PYCOPT_ASM_EDIT_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .max(1);
    let mut bad = Vec::new();
    for (major, minor) in versions() {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let files: Vec<_> = pycopt_corpus::pyc_files(&interp.library_dir())
            .into_iter()
            .step_by(every)
            .collect();
        let failures: Vec<String> = files
            .par_iter()
            .filter_map(|p| edit_one(p).err().map(|e| format!("{}: {e}", p.display())))
            .collect();
        println!(
            "{major}.{minor}: NOP inserted in every code object of {} files, {} relocated exactly",
            files.len(),
            files.len() - failures.len()
        );
        bad.extend(failures.into_iter().take(5));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
