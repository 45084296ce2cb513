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

/// Every pass a level names is registered, so every level runs.
#[test]
fn passes_lists_every_pass_the_levels_name() {
    let r = pycopt(&["passes", "--json"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let names: Vec<&str> = v["passes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for level in v["levels"].as_array().unwrap() {
        for p in level["passes"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            assert!(
                names.contains(&p),
                "{} names unregistered pass {p}",
                level["level"]
            );
        }
    }
    for p in v["passes"].as_array().unwrap() {
        assert!(!p["description"].as_str().unwrap().is_empty());
    }
    let text = pycopt(&["passes"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("-O2"));
}

/// `-O2` over the shipped sample: every file written, re-readable, a summary for a
/// person on stderr, per-pass figures in the JSON report, and the same bytes twice.
#[test]
fn opt_o2_summarizes_reports_and_is_deterministic() {
    let out = tempdir("o2-a");
    let out2 = tempdir("o2-b");
    let report = out.join("report.json");
    let r = pycopt(&[
        "opt",
        "-O2",
        sample().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{err}");
    assert!(
        err.contains("instructions") && err.contains("code bytes"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(v["level"], "-O2");
    assert_eq!(v["failed"], 0);
    let totals = &v["totals"];
    assert!(totals["code_objects"].as_u64().unwrap() > 1000);
    assert!(totals["instrs_after"].as_u64() <= totals["instrs_before"].as_u64());
    assert!(!totals["passes"].as_object().unwrap().is_empty());
    assert!(v["per_file"].as_array().unwrap().len() > 100);
    fs::remove_file(&report).unwrap();
    let r2 = pycopt(&[
        "opt",
        "-q",
        "-O2",
        sample().to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert!(r2.status.success());
    assert!(r2.stderr.is_empty(), "-q prints nothing");
    let check = pycopt(&["check", "-q", out.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    for f in all_files(&out) {
        let rel = f.strip_prefix(&out).unwrap();
        assert_eq!(
            fs::read(&f).unwrap(),
            fs::read(out2.join(rel)).unwrap(),
            "{rel:?}"
        );
    }
    fs::remove_dir_all(out).unwrap();
    fs::remove_dir_all(out2).unwrap();
}

#[test]
fn opt_usage_errors_exit_2_and_name_the_problem() {
    let s = sample();
    let s = s.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["opt", "--passes", "no-such-pass", s, "--dry-run"],
            "no-such-pass",
        ),
        (
            vec!["opt", "-O2", "--assume", "everything", s, "--dry-run"],
            "everything",
        ),
        (
            vec!["opt", "-O2", "--strip", "comments", s, "--dry-run"],
            "comments",
        ),
    ] {
        let r = pycopt(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&r.stderr).contains(needle));
    }
}

/// A file that cannot be read is reported with its path and offset, left as it was,
/// and the others are still optimized; the exit status says something failed.
#[test]
fn opt_in_place_keeps_a_broken_file_and_goes_on() {
    let dir = tempdir("o2-broken");
    let good = all_files(&sample())
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with("basics.cpython-311.pyc"))
        .unwrap();
    fs::copy(&good, dir.join("good.pyc")).unwrap();
    let mut bad = fs::read(&good).unwrap();
    bad.truncate(bad.len() / 2);
    fs::write(dir.join("bad.pyc"), &bad).unwrap();
    let r = pycopt(&["opt", "-O2", "--in-place", dir.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("bad.pyc") && err.contains("offset"), "{err}");
    assert_eq!(fs::read(dir.join("bad.pyc")).unwrap(), bad);
    let check = pycopt(&["check", "-q", dir.join("good.pyc").to_str().unwrap()]);
    assert!(check.status.success());
    fs::remove_dir_all(dir).unwrap();
}

/// Killing a run at any moment leaves every file whole: old or new, never partial.
#[test]
fn opt_killed_mid_run_leaves_no_truncated_file() {
    let dir = tempdir("o2-killed");
    let mut copied = 0;
    for round in 0..8 {
        for f in all_files(&sample()) {
            if f.extension().and_then(|e| e.to_str()) == Some("pyc") {
                let name = format!("r{round}-{}", f.file_name().unwrap().to_string_lossy());
                fs::copy(&f, dir.join(name)).unwrap();
                copied += 1;
            }
        }
    }
    for delay_ms in [30u64, 120, 400] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pycopt"))
            .args(["opt", "-q", "-O2", "--in-place", dir.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let pycs: Vec<PathBuf> = all_files(&dir)
            .into_iter()
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("pyc"))
            .collect();
        assert_eq!(pycs.len(), copied);
        let check = pycopt(&["check", "-q", dir.to_str().unwrap()]);
        assert!(
            check.status.success(),
            "after a kill at {delay_ms} ms: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
    fs::remove_dir_all(dir).unwrap();
}
