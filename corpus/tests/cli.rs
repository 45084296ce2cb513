//! The `pycopt-corpus` binary, run as a child process so that the
//! environment of the search (PYCOPT_PYTHONS, PATH, PYENV_ROOT, CI) can be set
//! per run without touching this test process.

use std::path::Path;
use std::process::{Command, Output};

use pycopt_corpus::{find_all, require, SUPPORTED};

const BIN: &str = env!("CARGO_BIN_EXE_pycopt-corpus");

/// A `pycopt-corpus` command whose search sees only what the test gives it.
fn isolated(empty_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("PYCOPT_PYTHONS")
        .env("PATH", empty_dir)
        .env("PYENV_ROOT", empty_dir)
        .env("HOME", empty_dir)
        .env_remove("CI");
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn list_reports_missing_and_fails_only_under_ci() {
    let empty = tempfile::tempdir().unwrap();
    let out = isolated(empty.path()).arg("list").output().unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert_eq!(
        shown.matches(" MISSING").count(),
        SUPPORTED.len(),
        "{shown}"
    );
    assert!(shown.contains("PYCOPT_PYTHONS: not set"), "{shown}");

    let out = isolated(empty.path())
        .arg("list")
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
}

#[cfg(unix)]
#[test]
fn list_honours_pycopt_pythons() {
    let Some(real) = find_all().into_iter().next().or_else(|| require(3, 11)) else {
        return;
    };
    let empty = tempfile::tempdir().unwrap();
    let link = empty.path().join("custom-python");
    std::os::unix::fs::symlink(&real.executable, &link).unwrap();
    let out = isolated(empty.path())
        .arg("list")
        .env("PYCOPT_PYTHONS", &link)
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let line = shown
        .lines()
        .find(|l| l.starts_with(&format!("{} ", real.tag())))
        .unwrap_or_else(|| panic!("no line for {}: {shown}", real.tag()));
    assert!(line.contains(&real.full_version), "{line}");
    assert!(line.contains("PYCOPT_PYTHONS"), "{line}");
    assert!(line.contains(&link.display().to_string()), "{line}");
    assert_eq!(
        shown.matches(" MISSING").count(),
        SUPPORTED.len() - 1,
        "{shown}"
    );
}

#[test]
fn build_of_a_missing_version_fails_and_names_the_search() {
    let empty = tempfile::tempdir().unwrap();
    let out = isolated(empty.path())
        .args(["build", "--versions", "3.8", "--out"])
        .arg(empty.path().join("out"))
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("MISSING: Python 3.8"), "{shown}");
    assert!(shown.contains("PYCOPT_PYTHONS"), "{shown}");
}

#[test]
fn bad_arguments_are_refused() {
    for args in [
        &["build", "--versions", "3.5"][..],
        &["build", "--versions", "three"],
        &["build", "--opt-levels", "3"],
        &["frobnicate"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} accepted");
    }
}

#[test]
fn sample_into_a_scratch_directory() {
    let interps = find_all();
    let Some(interp) = interps.last().copied().or_else(|| require(3, 11)) else {
        return;
    };
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["sample", "--versions", &interp.tag(), "--out"])
        .arg(out_dir.path())
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let files = pycopt_corpus::pyc_files(&out_dir.path().join(interp.tag()));
    let committed = pycopt_corpus::pyc_files(&pycopt_corpus::sample_dir().join(interp.tag()));
    assert_eq!(files.len(), committed.len(), "{shown}");
}
