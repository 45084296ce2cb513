//! Helpers shared by the CLI integration tests: run the binary, make scratch
//! folders, run a `.pyc` with the real interpreter of its version.

#![allow(dead_code)] // each test file uses its own subset

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `pycopt` binary under test.
pub fn pycopt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pycopt"))
        .args(args)
        .output()
        .expect("pycopt runs")
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh, empty scratch folder unique to this process and `name`.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pycopt-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a `.pyc` with the interpreter of `version`, in `dir` (so nothing else is
/// imported from the current folder); `None` when the interpreter is missing (a
/// failure under `CI=true`, see `pycopt_corpus::require`).
pub fn run_pyc(version: (u8, u8), pyc: &Path, dir: &Path) -> Option<Output> {
    let interp = pycopt_corpus::require(version.0, version.1)?;
    let mut cmd = interp.command();
    cmd.arg(pyc)
        .current_dir(dir)
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    Some(cmd.output().expect("the interpreter runs"))
}
