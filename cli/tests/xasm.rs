//! `pycopt asm` on xasm text (as `pydisasm --format xasm` from `xdis` writes it):
//!
//! - every committed `corpus/xasm/X.Y/NAME.xasm` (the output of `pydisasm` 6.3.0 for
//!   `corpus/sample/X.Y/__pycache__/NAME.cpython-XY.pyc`) assembles, and the `.pyc`
//!   runs with the interpreter of its version exactly like the original sample;
//! - how close the result is to the original: its code objects, as `dis --asm`
//!   writes them, equal the original's except for what xasm text does not carry
//!   (the `.pyc` header of hash-based files, the marshal layout, line-table entries
//!   of deleted code, the argument byte 3.10 leaves on `ROT_*`); where the bytes
//!   first differ is printed;
//! - errors name `FILE:LINE:COLUMN` of the xasm text and exit with status 1.
//!
//! A missing interpreter skips its version with a notice (fails under `CI=true`).

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{pycopt, repo, run_pyc, text};

/// `dis --asm` of a `.pyc` without what xasm text does not carry.
fn comparable(pyc: &Path) -> String {
    let out = pycopt(&["dis", "--asm", pyc.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "dis --asm {}: {}",
        pyc.display(),
        text(&out.stderr)
    );
    text(&out.stdout)
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            ![
                ".marshal-layout",
                ".header",
                ".loc",
                ".lnotab",
                ".linetable",
            ]
            .iter()
            .any(|d| t.starts_with(d))
        })
        .map(|l| {
            let t = l.trim_start();
            match t.split_once(' ') {
                Some((op, arg)) if op.starts_with("ROT_") && arg.parse::<u32>().is_ok() => {
                    format!("  {op}")
                }
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn xasm_files() -> Vec<((u8, u8), PathBuf)> {
    let root = repo().join("corpus/xasm");
    let mut files = Vec::new();
    for dir in fs::read_dir(&root).expect("corpus/xasm exists") {
        let dir = dir.unwrap().path();
        let Some((major, minor)) = dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split_once('.'))
        else {
            continue;
        };
        let (Ok(major), Ok(minor)) = (major.parse(), minor.parse()) else {
            continue;
        };
        if !dir.is_dir() {
            continue;
        }
        let version = (major, minor);
        for f in fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "xasm") {
                files.push((version, f));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn committed_xasm_files_run_like_the_originals() {
    let files = xasm_files();
    assert!(
        files.len() >= 9,
        "expected the committed xasm files, found {files:?}"
    );
    let dir = common::tempdir("xasm-run");
    for ((major, minor), file) in files {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        let original = repo().join(format!(
            "corpus/sample/{major}.{minor}/__pycache__/{stem}.cpython-{major}{minor}.pyc"
        ));
        assert!(
            original.is_file(),
            "{}: no sample {}",
            file.display(),
            original.display()
        );
        let out_pyc = dir.join(format!("{major}.{minor}-{stem}.pyc"));
        let out = pycopt(&[
            "asm",
            file.to_str().unwrap(),
            "-o",
            out_pyc.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}: pycopt asm failed: {}",
            file.display(),
            text(&out.stderr)
        );

        assert_eq!(
            comparable(&out_pyc),
            comparable(&original),
            "{}: the assembled code objects differ from the original's",
            file.display()
        );
        let (a, b) = (fs::read(&out_pyc).unwrap(), fs::read(&original).unwrap());
        let first = a.iter().zip(&b).position(|(x, y)| x != y);
        let first = first.unwrap_or(a.len().min(b.len()));
        eprintln!(
            "{}: {} bytes, original {} bytes, identical up to byte {first} (then the marshal layout differs)",
            file.display(),
            a.len(),
            b.len()
        );

        let Some(ours) = run_pyc((major, minor), &out_pyc, &dir) else {
            continue;
        };
        let theirs = run_pyc((major, minor), &original, &dir).unwrap();
        assert!(
            theirs.status.success() && !theirs.stdout.is_empty(),
            "{}: the original sample does not run cleanly: {}",
            original.display(),
            text(&theirs.stderr)
        );
        assert_eq!(
            (text(&ours.stdout), text(&ours.stderr), ours.status.code()),
            (
                text(&theirs.stdout),
                text(&theirs.stderr),
                theirs.status.code()
            ),
            "{}: runs differently from the original",
            file.display()
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn errors_name_the_xasm_line_and_column() {
    let dir = common::tempdir("xasm-err");
    let good = fs::read_to_string(repo().join("corpus/xasm/3.8/hashed.xasm")).unwrap();
    // An unknown opcode in the body: the error points at it in the xasm text.
    let (no, line) = good
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("GET_ITER"))
        .unwrap();
    let col = line.len() - line.trim_start().len() + 1;
    let bad = good.replacen(line, &line.replace("GET_ITER", "GET_ITERATOR"), 1);
    let file = dir.join("bad.xasm");
    fs::write(&file, bad).unwrap();
    let out = pycopt(&[
        "asm",
        file.to_str().unwrap(),
        "-o",
        dir.join("x.pyc").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("{}:{}:{col}: ", file.display(), no + 1)),
        "{err}"
    );

    // Read as .pyasm on request, the same file is not valid.
    let out = pycopt(&[
        "asm",
        "--format",
        "pyasm",
        repo().join("corpus/xasm/3.8/hashed.xasm").to_str().unwrap(),
        "-o",
        dir.join("y.pyc").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let _ = fs::remove_dir_all(&dir);
}
