//! `pycopt asm` and `pycopt dis --asm` as scripts use them, checked by running the
//! results with the real interpreters:
//!
//! - every hand-written example in `corpus/asm/X.Y/NAME.pyasm` assembles, and the
//!   interpreter of its version prints exactly `NAME.expected`;
//! - a hand edit: `dis --asm` of the committed sample `basics`, with a `print` call
//!   and a new constant inserted at the start of the module and in the middle of a
//!   function full of loops and exception handlers, assembles into a `.pyc` that
//!   prints the extra lines and otherwise exactly what the original prints;
//! - errors name `FILE:LINE:COLUMN` and exit with status 1.
//!
//! A missing interpreter skips its version with a notice (fails under `CI=true`).

use std::fs;
use std::path::PathBuf;

mod common;
use common::{pycopt, repo, run_pyc, text};

#[test]
fn hand_written_examples_run_as_expected() {
    let root = repo().join("corpus/asm");
    let mut versions: Vec<PathBuf> = fs::read_dir(&root)
        .expect("corpus/asm exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    assert!(versions.len() >= 5, "examples for at least 5 versions");
    let out_dir = common::tempdir("asm-examples");
    let mut ran = 0;
    let mut failures = Vec::new();
    for vdir in versions {
        let tag = vdir.file_name().unwrap().to_string_lossy().into_owned();
        let version = pycopt_corpus::parse_tag(&tag).expect("folders are named X.Y");
        let mut files: Vec<PathBuf> = fs::read_dir(&vdir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pyasm"))
            .collect();
        files.sort();
        assert!(
            files.len() >= 4,
            "{tag}: loop, try/except, generator, closure"
        );
        for src in files {
            let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
            let pyc = out_dir.join(format!("{tag}-{stem}.pyc"));
            let r = pycopt(&["asm", src.to_str().unwrap(), "-o", pyc.to_str().unwrap()]);
            assert!(r.status.success(), "{}: {}", src.display(), text(&r.stderr));
            let expected = fs::read_to_string(src.with_extension("expected"))
                .unwrap_or_else(|e| panic!("{}: {e}", src.with_extension("expected").display()));
            let Some(run) = run_pyc(version, &pyc, &out_dir) else {
                continue;
            };
            ran += 1;
            let got = text(&run.stdout);
            if !run.status.success() || got != expected {
                failures.push(format!(
                    "{}: exit {:?}\n--- expected\n{expected}--- got\n{got}--- stderr\n{}",
                    src.display(),
                    run.status.code(),
                    text(&run.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{ran} examples ran");
}

/// The call of `print(<constant K>)` for `version`: from module code (`LOAD_NAME`) or
/// from a function (`LOAD_GLOBAL`).
fn print_call(version: (u8, u8), k: usize, in_function: bool) -> Vec<String> {
    let load = if in_function {
        if version >= (3, 11) {
            "LOAD_GLOBAL print+1"
        } else {
            "LOAD_GLOBAL print"
        }
    } else {
        "LOAD_NAME print"
    };
    let mut v: Vec<String> = Vec::new();
    match version {
        (3, 11) | (3, 12) if !in_function => {
            v.push("PUSH_NULL".into());
            v.push(load.into());
        }
        (3, 13) if !in_function => {
            v.push(load.into());
            v.push("PUSH_NULL".into());
        }
        _ => v.push(load.into()),
    }
    v.push(format!("LOAD_CONST {k}"));
    match version {
        (3, 11) => {
            v.push("PRECALL 1".into());
            v.push("CALL 1".into());
        }
        (3, 12) | (3, 13) => v.push("CALL 1".into()),
        _ => v.push("CALL_FUNCTION 1".into()),
    }
    v.push("POP_TOP".into());
    v
}

/// Inserts into block `name` of `lines`: a new last constant `value`, and
/// `print(value)` before the line index `at(block lines)` returns.
fn insert_print(
    lines: &mut Vec<String>,
    version: (u8, u8),
    name: &str,
    value: &str,
    in_function: bool,
    at: impl Fn(&[String]) -> usize,
) {
    let start = lines
        .iter()
        .position(|l| l == &format!(".code {name}"))
        .unwrap_or_else(|| panic!("no block {name}"));
    let end = start + lines[start..].iter().position(|l| l == ".end").unwrap();
    let consts = lines[start..end]
        .iter()
        .filter(|l| l.starts_with("  .const "))
        .count();
    let last_header = start
        + lines[start..end]
            .iter()
            .rposition(|l| {
                l.starts_with("  .const ")
                    || l.starts_with("  .localsplus")
                    || l.starts_with("  .freevars")
            })
            .unwrap();
    let where_ = start + at(&lines[start..end]);
    let mut call: Vec<String> = print_call(version, consts, in_function)
        .into_iter()
        .map(|l| format!("  {l}"))
        .collect();
    lines.splice(where_..where_, call.drain(..));
    lines.insert(last_header + 1, format!("  .const {consts} '{value}'"));
}

#[test]
fn a_hand_edit_assembles_into_a_pyc_that_runs() {
    let sample = repo().join("corpus/sample");
    let dir = common::tempdir("asm-edit");
    let mut ran = 0;
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let version = (major, minor);
        let tag = format!("{major}.{minor}");
        let pyc = if major == 2 {
            sample.join(&tag).join("basics.pyc")
        } else {
            sample
                .join(&tag)
                .join("__pycache__")
                .join(format!("basics.cpython-{major}{minor}.pyc"))
        };
        let asm = dir.join(format!("basics-{tag}.pyasm"));
        let r = pycopt(&[
            "dis",
            "--asm",
            pyc.to_str().unwrap(),
            "-o",
            asm.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{tag}: {}", text(&r.stderr));
        let original = fs::read_to_string(&asm).unwrap();
        let mut lines: Vec<String> = original.lines().map(String::from).collect();
        // In the module: first thing (after RESUME on 3.11+).
        insert_print(
            &mut lines,
            version,
            "<module>",
            "HELLO FROM PYASM",
            false,
            |b| {
                if version >= (3, 11) {
                    b.iter().position(|l| l.starts_with("  RESUME")).unwrap() + 1
                } else {
                    b.iter()
                        .position(|l| {
                            l.starts_with("  .loc")
                                || l.ends_with(':')
                                || (l.starts_with("  ") && !l.starts_with("  ."))
                        })
                        .unwrap()
                }
            },
        );
        // In control_flow, at `count = 0` (source line 108): between the `for` loop
        // with its try/except/finally and the `while` loop, so jumps and handlers on
        // both sides move.
        insert_print(
            &mut lines,
            version,
            "<module>.control_flow",
            "HELLO IN FUNCTION",
            true,
            |b| {
                b.iter()
                    .position(|l| l == "  .loc 108" || l.starts_with("  .loc 108:"))
                    .expect("a position on line 108")
                    + 1
            },
        );
        let edited = dir.join(format!("basics-{tag}-edited.pyasm"));
        fs::write(&edited, lines.join("\n") + "\n").unwrap();
        let out = dir.join(format!("basics-{tag}-edited.pyc"));
        let r = pycopt(&["asm", edited.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(r.status.success(), "{tag}: {}", text(&r.stderr));
        let Some(before) = run_pyc(version, &pyc, &dir) else {
            continue;
        };
        let after = run_pyc(version, &out, &dir).unwrap();
        assert!(before.status.success(), "{tag}: {}", text(&before.stderr));
        assert!(
            after.status.success(),
            "{tag}: the edited file fails:\n{}",
            text(&after.stderr)
        );
        let mut want: Vec<String> = text(&before.stdout).lines().map(String::from).collect();
        want.insert(0, "HELLO FROM PYASM".into());
        let flow = want
            .iter()
            .position(|l| l.starts_with("flow "))
            .expect("a flow line");
        want.insert(flow, "HELLO IN FUNCTION".into());
        let got: Vec<String> = text(&after.stdout).lines().map(String::from).collect();
        assert_eq!(got, want, "{tag}: output of the edited file");
        // The edit really changed the file, and its text round-trips again.
        assert_ne!(fs::read(&out).unwrap(), fs::read(&pyc).unwrap());
        let again = dir.join(format!("basics-{tag}-again.pyasm"));
        let r = pycopt(&[
            "dis",
            "--asm",
            out.to_str().unwrap(),
            "-o",
            again.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{tag}: {}", text(&r.stderr));
        let back = dir.join(format!("basics-{tag}-again.pyc"));
        let r = pycopt(&["asm", again.to_str().unwrap(), "-o", back.to_str().unwrap()]);
        assert!(r.status.success(), "{tag}: {}", text(&r.stderr));
        assert_eq!(
            fs::read(&back).unwrap(),
            fs::read(&out).unwrap(),
            "{tag}: edited file round trip"
        );
        ran += 1;
    }
    println!("{ran} versions ran the hand edit");
}

#[test]
fn dis_asm_then_asm_gives_the_same_bytes() {
    let dir = common::tempdir("asm-same");
    for f in pycopt_corpus::pyc_files(&repo().join("corpus/sample")) {
        let asm = dir.join("x.pyasm");
        let out = dir.join("x.pyc");
        let r = pycopt(&[
            "dis",
            "--asm",
            f.to_str().unwrap(),
            "-o",
            asm.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{}: {}", f.display(), text(&r.stderr));
        let r = pycopt(&["asm", asm.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(r.status.success(), "{}: {}", f.display(), text(&r.stderr));
        assert_eq!(
            fs::read(&out).unwrap(),
            fs::read(&f).unwrap(),
            "{}",
            f.display()
        );
    }
}

#[test]
fn errors_name_file_line_and_column() {
    let dir = common::tempdir("asm-errors");
    let cases: &[(&str, &str)] = &[
        (
            ".python 3.12\n.code <module>\n  RESUME 0\n  LOAD_KONST 0\n.end\n",
            ":4:3: unknown opcode LOAD_KONST for CPython 3.12",
        ),
        (
            ".python 3.12\n.code <module>\n  RESUME 0\n  JUMP_FORWARD nowhere\n.end\n",
            ":4:16: undefined label `nowhere`",
        ),
        (
            ".python 3.10\n.code <module>\n  .const 0 'abc\n.end\n",
            ":3:12: string literal is not closed on this line",
        ),
        (
            ".python 3.8\n.code <module>\n  .const 0 None\n  LOAD_CONST 3\n.end\n",
            ":4:14: constant index 3 out of range: the block has 1 constant",
        ),
    ];
    for (i, (src, want)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad{i}.pyasm"));
        fs::write(&path, src).unwrap();
        let out = dir.join(format!("bad{i}.pyc"));
        let r = pycopt(&["asm", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert_eq!(r.status.code(), Some(1), "case {i}");
        let err = text(&r.stderr);
        assert_eq!(
            err.trim_end(),
            format!("{}{want}", path.display()),
            "case {i}"
        );
        assert!(!out.exists(), "case {i}: nothing is written");
    }
}
