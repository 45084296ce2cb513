//! Building the large corpus: an interpreter's whole standard library and
//! test suite, compiled by that interpreter.
//!
//! Layout (under [`build_dir`](crate::build_dir)`/X.Y`): every `.py` below the
//! library directory at the same relative path, compiled where CPython itself
//! would cache it: `dir/__pycache__/name.cpython-XY[.opt-N].pyc` on 3.x,
//! `dir/name.pyc` / `dir/name.pyo` on 2.7. `site-packages` (third-party code)
//! is skipped. `BUILD-INFO` names the interpreter; `FAILED.txt` lists the files
//! that did not compile (the test suite deliberately contains bad syntax).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::compile::{cached_path, compile, Invalidation, Job, JobResult};
use crate::{Error, Interpreter, Result};

/// Directories never entered when collecting sources.
const SKIPPED_DIRS: &[&str] = &["site-packages", "dist-packages", "__pycache__"];

/// What to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Optimization levels (0, 1, 2). Python 2.7 has a single `.pyo` for both
    /// 1 and 2: when both are asked for, it gets level 1 only.
    pub opt_levels: Vec<u8>,
    /// Recompile even files whose output is newer than their source.
    pub force: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            opt_levels: vec![0, 1, 2],
            force: false,
        }
    }
}

/// One source that failed at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Path relative to the library directory.
    pub source: String,
    /// Optimization level.
    pub optimize: u8,
    /// Python's reason.
    pub reason: String,
}

/// The result of building one version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// `(major, minor)`.
    pub version: (u8, u8),
    /// `.py` files found.
    pub sources: usize,
    /// Levels actually built.
    pub opt_levels: Vec<u8>,
    /// Outputs written by this run.
    pub compiled: usize,
    /// Outputs already newer than their source, left alone.
    pub up_to_date: usize,
    /// (source, level) pairs that did not compile.
    pub failed: usize,
    /// Total size of all outputs present (written or up to date).
    pub bytes: u64,
    /// The failures, sorted.
    pub failures: Vec<Failure>,
}

/// Every `.py` below `root` as a path relative to it, sorted; symbolic links
/// are not followed and `site-packages`, `dist-packages` and `__pycache__`
/// directories are not entered.
pub fn python_sources(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let skip = |dir: &Path| {
        dir.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| SKIPPED_DIRS.contains(&n))
    };
    crate::walk_filtered(root, &skip, &mut |path| {
        if path.extension().is_some_and(|e| e == "py") {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
    });
    out.sort();
    out
}

/// The levels really built for `version` out of those asked for.
pub fn effective_levels(version: (u8, u8), asked: &[u8]) -> Vec<u8> {
    let mut levels: Vec<u8> = asked.iter().copied().filter(|&l| l <= 2).collect();
    levels.sort_unstable();
    levels.dedup();
    if version.0 < 3 && levels.contains(&1) {
        levels.retain(|&l| l != 2);
    }
    levels
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn build_info(interp: &Interpreter, src_root: &Path) -> String {
    format!(
        "CPython {}\nexecutable {}\nlibrary {}\n",
        interp.full_version,
        interp.executable.display(),
        src_root.display()
    )
}

/// Compiles every source below `src_root` (normally
/// [`Interpreter::library_dir`]) into `dest_root` (normally `build_dir()/X.Y`).
///
/// Idempotent: an output newer than its source is kept unless
/// [`BuildOptions::force`]; if `dest_root` was built by a different
/// interpreter or from a different library (per its `BUILD-INFO`), it is
/// emptied first.
pub fn build(
    interp: &Interpreter,
    src_root: &Path,
    dest_root: &Path,
    options: &BuildOptions,
) -> Result<BuildStats> {
    let info = build_info(interp, src_root);
    let info_path = dest_root.join("BUILD-INFO");
    let previous = fs::read_to_string(&info_path).ok();
    if previous.as_deref().is_some_and(|p| p != info) {
        fs::remove_dir_all(dest_root).map_err(Error::io(dest_root))?;
    }
    fs::create_dir_all(dest_root).map_err(Error::io(dest_root))?;
    fs::write(&info_path, &info).map_err(Error::io(&info_path))?;

    let version = interp.version();
    let levels = effective_levels(version, &options.opt_levels);
    let sources = python_sources(src_root);
    let mut stats = BuildStats {
        version,
        sources: sources.len(),
        opt_levels: levels.clone(),
        ..BuildStats::default()
    };

    let mut jobs = Vec::new();
    let mut existing = Vec::new();
    for rel in &sources {
        let source = src_root.join(rel);
        let src_time = modified(&source);
        for &opt in &levels {
            let dest = cached_path(version, &dest_root.join(rel), opt);
            let fresh = !options.force
                && matches!((src_time, modified(&dest)), (Some(s), Some(d)) if d >= s);
            if fresh {
                existing.push(dest);
                continue;
            }
            jobs.push(Job {
                source: source.clone(),
                dest,
                display_name: display_name(rel),
                optimize: opt,
                invalidation: Invalidation::Timestamp,
            });
        }
    }
    stats.up_to_date = existing.len();

    let results = if jobs.is_empty() {
        Vec::new()
    } else {
        compile(interp, &jobs)?
    };
    for (job, result) in jobs.iter().zip(results) {
        match result {
            JobResult::Compiled => {
                stats.compiled += 1;
                existing.push(job.dest.clone());
            }
            JobResult::Failed(reason) => stats.failures.push(Failure {
                source: job.display_name.clone(),
                optimize: job.optimize,
                reason,
            }),
        }
    }
    stats.failed = stats.failures.len();
    stats
        .failures
        .sort_by(|a, b| (&a.source, a.optimize).cmp(&(&b.source, b.optimize)));
    stats.bytes = existing
        .iter()
        .filter_map(|p| fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();

    let failed_path = dest_root.join("FAILED.txt");
    let mut listing = String::new();
    for f in &stats.failures {
        listing.push_str(&format!("opt-{}\t{}\t{}\n", f.optimize, f.source, f.reason));
    }
    fs::write(&failed_path, listing).map_err(Error::io(&failed_path))?;
    Ok(stats)
}

/// `rel` with `/` separators, as recorded in `co_filename`.
fn display_name(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_for_27_share_one_pyo() {
        assert_eq!(effective_levels((2, 7), &[0, 1, 2]), [0, 1]);
        assert_eq!(effective_levels((2, 7), &[2, 0]), [0, 2]);
        assert_eq!(effective_levels((3, 8), &[2, 0, 1, 1, 7]), [0, 1, 2]);
    }

    #[test]
    fn sources_skip_site_packages_caches_and_links() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        for f in [
            "os.py",
            "json/__init__.py",
            "test/test_x.py",
            "site-packages/third/party.py",
            "json/__pycache__/weird.py",
            "json/data.txt",
        ] {
            let p = r.join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(r.join("json"), r.join("linked")).unwrap();
        let got: Vec<String> = python_sources(r).iter().map(|p| display_name(p)).collect();
        assert_eq!(got, ["json/__init__.py", "os.py", "test/test_x.py"]);
    }

    /// A miniature library: builds, counts, is idempotent, and rebuilds
    /// after `force`.
    #[test]
    fn builds_a_small_tree_idempotently() {
        let Some(interp) = crate::find_all()
            .into_iter()
            .last()
            .or_else(|| crate::require(3, 11))
        else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        let lib = tmp.path().join("lib");
        let out = tmp.path().join("out");
        for (f, text) in [
            ("a.py", "A = 1\n"),
            ("pkg/__init__.py", "'''doc'''\n"),
            ("test/badsyntax.py", "def (:\n"),
            ("site-packages/skip.py", "x = 1\n"),
        ] {
            let p = lib.join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        let opts = BuildOptions::default();
        let levels = effective_levels(interp.version(), &opts.opt_levels).len();
        let s = build(interp, &lib, &out, &opts).unwrap();
        assert_eq!(s.sources, 3);
        assert_eq!(s.compiled, 2 * levels);
        assert_eq!(s.failed, levels);
        assert_eq!(s.up_to_date, 0);
        assert!(s.bytes > 0);
        assert!(s.failures.iter().all(|f| f.source == "test/badsyntax.py"));
        let pycs = crate::pyc_files(&out);
        assert_eq!(pycs.len(), 2 * levels);
        for &opt in &effective_levels(interp.version(), &opts.opt_levels) {
            assert!(pycs.contains(&cached_path(interp.version(), &out.join("a.py"), opt)));
        }
        assert!(out.join("pkg").is_dir() && !out.join("site-packages").exists());
        assert!(fs::read_to_string(out.join("FAILED.txt"))
            .unwrap()
            .contains("test/badsyntax.py"));

        let again = build(interp, &lib, &out, &opts).unwrap();
        assert_eq!(again.compiled, 0);
        assert_eq!(again.up_to_date, 2 * levels);
        assert_eq!(again.failed, levels);
        assert_eq!(again.bytes, s.bytes);

        let forced = build(
            interp,
            &lib,
            &out,
            &BuildOptions {
                force: true,
                ..opts
            },
        )
        .unwrap();
        assert_eq!(forced.compiled, 2 * levels);
        assert_eq!(crate::pyc_files(&out), pycs);
    }
}
