//! The `pycopt` verbs as scripts use them: paths, outputs and exit codes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pycopt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pycopt"))
        .args(args)
        .output()
        .expect("pycopt runs")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/sample")
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pycopt-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn opt_o0_copies_every_file_exactly_at_its_relative_path() {
    let out = tempdir("o0");
    let r = pycopt(&[
        "opt",
        "-O0",
        sample().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let inputs: Vec<PathBuf> = all_files(&sample())
        .into_iter()
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("pyc" | "pyo")))
        .collect();
    assert!(!inputs.is_empty());
    for input in &inputs {
        let rel = input.strip_prefix(sample()).unwrap();
        let written = out.join(rel);
        assert_eq!(
            fs::read(input).unwrap(),
            fs::read(&written).unwrap_or_default(),
            "{}",
            rel.display()
        );
    }
    // Nothing else was written (no stray temporaries).
    assert_eq!(all_files(&out).len(), inputs.len());
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn a_bad_file_is_reported_with_path_and_offset_and_not_written() {
    let input = tempdir("bad-in");
    let out = tempdir("bad-out");
    let good = all_files(&sample())
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".cpython-311.pyc"))
        .expect("a 3.11 sample");
    let data = fs::read(&good).unwrap();
    fs::write(input.join("good.pyc"), &data).unwrap();
    fs::write(input.join("truncated.pyc"), &data[..data.len() / 2]).unwrap();
    let r = pycopt(&[
        "opt",
        "-O0",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("truncated.pyc"), "{err}");
    assert!(err.contains("offset"), "{err}");
    assert_eq!(fs::read(out.join("good.pyc")).unwrap(), data);
    assert!(!out.join("truncated.pyc").exists());
    fs::remove_dir_all(input).unwrap();
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn in_place_keeps_files_identical_at_o0() {
    let dir = tempdir("inplace");
    let src = all_files(&sample())
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "pyc"))
        .unwrap();
    let dest = dir.join("m.pyc");
    fs::copy(&src, &dest).unwrap();
    let r = pycopt(&["opt", "-O0", "--in-place", dir.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(fs::read(&src).unwrap(), fs::read(&dest).unwrap());
    assert_eq!(all_files(&dir).len(), 1);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_reports_per_version_and_exit_status() {
    let r = pycopt(&["check", "-q", sample().to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));
    let text = String::from_utf8_lossy(&r.stdout);
    for v in ["2.7", "3.6", "3.8", "3.10", "3.11", "3.12", "3.13"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(v) && l.contains("100.00%")),
            "{v} missing:\n{text}"
        );
    }
    let r = pycopt(&["check", "--json", sample().to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(json["3.11"]["failed"], 0);
    assert!(json["3.11"]["identical"].as_u64().unwrap() > 0);

    let dir = tempdir("check-bad");
    fs::write(dir.join("x.pyc"), b"\x55\x0d\x0d\x0a\0\0\0\0").unwrap();
    let r = pycopt(&["check", "-q", dir.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_cfg_counts_rebuilt_and_verified_code_objects() {
    let r = pycopt(&["check", "--cfg", "--json", sample().to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));
    let json: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    for v in ["2.7", "3.6", "3.8", "3.10", "3.11", "3.12", "3.13"] {
        let s = &json[v];
        let codes = s["code_objects"].as_u64().unwrap();
        assert!(codes > 0, "{v}");
        assert_eq!(s["identical"].as_u64(), Some(codes), "{v}");
        assert_eq!(s["verified"].as_u64(), Some(codes), "{v}");
        assert_eq!(s["failed"], 0, "{v}");
    }
    let r = pycopt(&["check", "--cfg", "-q", sample().to_str().unwrap()]);
    assert!(r.status.success());
    assert!(String::from_utf8_lossy(&r.stdout).contains("verified"));
}

#[test]
fn opt_o0_rebuild_goes_through_the_cfg_and_keeps_unchanged_code_identical() {
    let out = tempdir("o0-rebuild");
    let r = pycopt(&[
        "opt",
        "-O0",
        "--rebuild",
        sample().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let mut n = 0;
    for input in all_files(&sample()) {
        if !matches!(
            input.extension().and_then(|e| e.to_str()),
            Some("pyc" | "pyo")
        ) {
            continue;
        }
        let rel = input.strip_prefix(sample()).unwrap();
        assert_eq!(
            fs::read(out.join(rel)).unwrap(),
            fs::read(&input).unwrap(),
            "{rel:?}"
        );
        n += 1;
    }
    assert!(n > 0);
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn dis_shows_header_and_code_tree() {
    let f = all_files(&sample())
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".cpython-312.pyc"))
        .unwrap();
    let r = pycopt(&["dis", "--tree", f.to_str().unwrap()]);
    assert!(r.status.success());
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.contains("CPython 3.12 (magic 3531)"), "{text}");
    assert!(text.contains("<module>"), "{text}");
}

#[test]
fn unsupported_levels_and_usage_errors_fail_clearly() {
    let r = pycopt(&["opt"]);
    assert_eq!(r.status.code(), Some(2));
    let r = pycopt(&["opt", "-O9", "x", "-o", "y"]);
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn cfg_dot_shows_blocks_edges_and_depths() {
    let f = sample().join("3.12/__pycache__/basics.cpython-312.pyc");
    let r = pycopt(&[
        "cfg",
        "--dot",
        "--function",
        "control_flow",
        f.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let dot = String::from_utf8_lossy(&r.stdout);
    assert!(dot.starts_with("digraph"), "{dot}");
    // A function with loops and try/except: jumps, fall-throughs, exception edges,
    // and the entry depth of every block.
    assert!(dot.contains("label=\"jump\""));
    assert!(dot.contains("style=dashed"));
    assert!(dot.contains("color=red") && dot.contains("exc depth"));
    assert!(dot.contains("depth 0"));
    let r = pycopt(&["cfg", "--function", "no_such_thing", f.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
}
