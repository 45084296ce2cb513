//! Finding the CPython interpreters pycopt is tested against, and the `.pyc`
//! corpora compiled with them.
//!
//! Every test in the workspace that needs a real interpreter goes through
//! [`find`] (or [`require`]), so there is exactly one interpreter search, the one
//! documented in this crate's `README.md`. For a wanted version X.Y it tries, in
//! order:
//!
//! 1. `PYCOPT_PYTHONS`: a colon-separated list of interpreter executables; each
//!    is run once and asked its version;
//! 2. `pythonX.Y` in each directory of `PATH`, in `PATH` order, taken only if it
//!    actually runs and reports X.Y (a pyenv shim for a non-global version is
//!    on `PATH` but fails when run, so it is skipped);
//! 3. the pyenv root (`$PYENV_ROOT`, else `~/.pyenv`): `versions/X.Y.*/bin/pythonX.Y`,
//!    highest patch release first.
//!
//! The first candidate that runs, is CPython, and reports X.Y wins. Results are
//! cached for the life of the process; the environment is read once, on first use.
//!
//! Versions are plain `(major, minor)` pairs: this crate must not depend on
//! `pycopt-core` (which dev-depends on it).
//!
//! Besides the search, the crate knows where corpora live ([`sample_dir`],
//! [`build_dir`]), lists `.pyc` files ([`pyc_files`]), and compiles sources with a
//! given interpreter ([`compile`], [`build`], [`sample`]); the `pycopt-corpus`
//! binary drives those.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

pub mod build;
pub mod compile;
pub mod sample;
mod search;

pub use search::{
    find, find_all, require, require_tested, search_report, Interpreter, Rule, Search, SearchReport,
};

/// The CPython release lines pycopt supports and tests against, oldest first.
///
/// Matches `pycopt_core::PyVersion::ALL` (checked by a test in `pycopt-core`, which
/// may depend on this crate, unlike the other way round).
pub const SUPPORTED: &[(u8, u8)] = &[
    (2, 7),
    (3, 6),
    (3, 7),
    (3, 8),
    (3, 9),
    (3, 10),
    (3, 11),
    (3, 12),
    (3, 13),
];

/// `"X.Y"` for a version pair: the name of the per-version directories in
/// [`sample_dir`] and [`build_dir`].
pub fn tag(version: (u8, u8)) -> String {
    format!("{}.{}", version.0, version.1)
}

/// Parses `"X.Y"` into `(X, Y)`; `None` if it is anything else.
pub fn parse_tag(text: &str) -> Option<(u8, u8)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Whether we run under CI (`CI=true`, as CI sets it; `1` and any case of
/// `true` are accepted too). In CI a missing interpreter is an error rather
/// than a skipped test, so a broken machine cannot pass by testing nothing.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v.eq_ignore_ascii_case("true") || v == "1")
        .unwrap_or(false)
}

/// Every `.pyc` file (and `.pyo`, which Python 2.7 writes for `-O`) below `dir`,
/// sorted by path.
///
/// Symbolic links are never followed, neither to directories nor to files, so
/// a corpus is walked exactly once and never escapes its directory. Unreadable
/// directories are skipped; a missing `dir` gives an empty list.
pub fn pyc_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut |path| {
        if matches!(
            path.extension().and_then(OsStr::to_str),
            Some("pyc" | "pyo")
        ) {
            out.push(path.to_path_buf());
        }
    });
    out.sort();
    out
}

/// Calls `visit` on every regular file below `dir` (not following symbolic
/// links), in no particular order. Directories for which `skip_dir` is true are
/// not entered.
pub(crate) fn walk_filtered(
    dir: &Path,
    skip_dir: &dyn Fn(&Path) -> bool,
    visit: &mut dyn FnMut(&Path),
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !skip_dir(&path) {
                walk_filtered(&path, skip_dir, visit);
            }
        } else if kind.is_file() {
            visit(&path);
        }
    }
}

fn walk(dir: &Path, visit: &mut dyn FnMut(&Path)) {
    walk_filtered(dir, &|_| false, visit)
}

/// `corpus/` of this repository (the crate's own directory).
fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed sample corpus, `corpus/sample` in the repository: for each
/// supported version `X.Y`, the small programs of [`sample_src_dir`] compiled by
/// that version (see the README for the layout). Present on every checkout, so
/// tests can always use it, even with no interpreter installed.
pub fn sample_dir() -> PathBuf {
    crate_dir().join("sample")
}

/// The sources of the committed sample, `corpus/sample-src` in the repository.
pub fn sample_src_dir() -> PathBuf {
    crate_dir().join("sample-src")
}

/// Where `pycopt-corpus build` puts the large, git-ignored corpora compiled
/// from each interpreter's standard library and test suite: `corpus/build`,
/// with one `X.Y` directory per version.
pub fn build_dir() -> PathBuf {
    crate_dir().join("build")
}

/// Errors of the corpus tooling (the search itself reports absence as `None`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The Python helper process could not be run or misbehaved.
    #[error("Python {version} ({}): {detail}", executable.display())]
    Worker {
        /// `"X.Y"` of the interpreter.
        version: String,
        /// The interpreter run.
        executable: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// A sample source has a malformed `# pycopt-sample:` marker line.
    #[error("{}: bad `pycopt-sample:` marker: {detail}", path.display())]
    Marker {
        /// The sample source.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A sample source did not compile with an interpreter it claims to support.
    #[error("{}: does not compile with Python {version}: {message}", path.display())]
    SampleCompile {
        /// The sample source.
        path: PathBuf,
        /// `"X.Y"`.
        version: String,
        /// Python's error.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn tags_round_trip() {
        for &v in SUPPORTED {
            assert_eq!(parse_tag(&tag(v)), Some(v));
        }
        assert_eq!(tag((3, 10)), "3.10");
        assert_eq!(parse_tag(" 3.13 "), Some((3, 13)));
        assert_eq!(parse_tag("3"), None);
        assert_eq!(parse_tag("3.x"), None);
        assert_eq!(parse_tag("3.1.2"), None);
    }

    #[test]
    fn supported_is_sorted_and_complete() {
        assert!(SUPPORTED.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(SUPPORTED.first(), Some(&(2, 7)));
        assert_eq!(SUPPORTED.last(), Some(&(3, 13)));
        assert_eq!(SUPPORTED.len(), 9);
    }

    #[test]
    fn pyc_files_finds_pyc_and_pyo_only_sorted_without_following_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("b/__pycache__")).unwrap();
        fs::create_dir_all(root.join("a")).unwrap();
        for f in [
            "b/__pycache__/m.cpython-311.pyc",
            "b/__pycache__/m.cpython-311.opt-1.pyc",
            "a/old.pyo",
            "a/old.pyc",
            "top.pyc",
            "a/source.py",
            "a/notes.txt",
            "a/pyc",
            "a/x.pyc.bak",
        ] {
            fs::write(root.join(f), b"x").unwrap();
        }
        // A directory named like a pyc is not a file.
        fs::create_dir_all(root.join("dir.pyc")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("elsewhere.pyc"), b"x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), root.join("linkdir")).unwrap();
            std::os::unix::fs::symlink(root.join("top.pyc"), root.join("link.pyc")).unwrap();
        }
        let found: Vec<String> = pyc_files(root)
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            found,
            [
                "a/old.pyc",
                "a/old.pyo",
                "b/__pycache__/m.cpython-311.opt-1.pyc",
                "b/__pycache__/m.cpython-311.pyc",
                "top.pyc",
            ]
        );
        assert!(pyc_files(&root.join("does-not-exist")).is_empty());
    }

    #[test]
    fn sample_dir_has_pycs_for_every_supported_version() {
        let dir = sample_dir();
        assert!(dir.is_dir(), "{} is missing", dir.display());
        let sources = sample::sources(&sample_src_dir()).unwrap();
        for &v in SUPPORTED {
            let files = pyc_files(&dir.join(tag(v)));
            let expected =
                sources.iter().filter(|s| s.applies_to(v)).count() * sample::levels(v).len();
            assert!(expected >= 4);
            assert_eq!(
                files.len(),
                expected,
                "{}: run `cargo run -p pycopt-corpus -- sample`",
                dir.join(tag(v)).display()
            );
            if v == (2, 7) {
                assert!(files
                    .iter()
                    .any(|f| f.extension() == Some(OsStr::new("pyo"))));
                assert!(files
                    .iter()
                    .all(|f| !f.to_string_lossy().contains("__pycache__")));
            } else {
                let cache_tag = format!("cpython-{}{}", v.0, v.1);
                for f in &files {
                    let name = f.file_name().unwrap().to_string_lossy().into_owned();
                    assert!(name.contains(&cache_tag), "{}", f.display());
                    assert_eq!(f.parent().unwrap().file_name().unwrap(), "__pycache__");
                }
                for opt in [".opt-1.pyc", ".opt-2.pyc"] {
                    assert!(
                        files.iter().any(|f| f.to_string_lossy().ends_with(opt)),
                        "no {opt} for {v:?}"
                    );
                }
            }
        }
        let total: u64 = pyc_files(&dir)
            .iter()
            .map(|f| fs::metadata(f).unwrap().len())
            .sum();
        assert!(total < 1_000_000, "committed sample is {total} bytes");
    }

    #[test]
    fn dirs_are_inside_the_crate() {
        assert!(sample_dir().ends_with("corpus/sample"));
        assert!(build_dir().ends_with("corpus/build"));
        assert!(sample_src_dir().is_dir());
    }
}
