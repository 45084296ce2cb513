//! Compiling Python sources to `.pyc` with a real interpreter.
//!
//! A small worker script (valid Python 2.7 and 3.6+) runs under the
//! interpreter, reads one job per line on stdin and compiles each with
//! `py_compile.compile(src, cfile=dest, dfile=display_name, doraise=True, ...)`,
//! answering `OK` or `FAIL <reason>` per job. One process serves many files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::{Error, Interpreter, Result};

/// How a `.pyc` says whether it is stale (PEP 552). Python before 3.7 only
/// knows [`Timestamp`](Invalidation::Timestamp); asking it for a hash-based
/// file is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Invalidation {
    /// Header holds the source's mtime and size (flags 0).
    #[default]
    Timestamp,
    /// Header holds a hash of the source, checked on import (flags 3).
    CheckedHash,
    /// Header holds a hash of the source, never checked (flags 1).
    UncheckedHash,
}

impl Invalidation {
    fn worker_name(self) -> &'static str {
        match self {
            Invalidation::Timestamp => "timestamp",
            Invalidation::CheckedHash => "checked-hash",
            Invalidation::UncheckedHash => "unchecked-hash",
        }
    }

    /// The PEP 552 flags word this mode writes.
    pub fn flags(self) -> u32 {
        match self {
            Invalidation::Timestamp => 0,
            Invalidation::CheckedHash => 3,
            Invalidation::UncheckedHash => 1,
        }
    }
}

/// One source file to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The `.py` file read.
    pub source: PathBuf,
    /// The `.pyc`/`.pyo` written (parent directories are created).
    pub dest: PathBuf,
    /// The file name recorded in the code objects (`co_filename`), e.g. a
    /// path relative to the library root, so the output does not depend on
    /// where the sources happened to be.
    pub display_name: String,
    /// Optimization level 0, 1 (`-O`: no asserts, `__debug__` false) or 2
    /// (`-OO`: also no docstrings).
    pub optimize: u8,
    /// Header kind.
    pub invalidation: Invalidation,
}

/// What happened to one [`Job`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Written.
    Compiled,
    /// Not compiled (syntax error for this version, undecodable source, ...):
    /// Python's one-line reason. No destination file is left behind.
    Failed(String),
}

/// Runs under the target interpreter; must stay valid Python 2.7 and 3.6+.
/// Input lines: `index TAB optimize TAB mode TAB source TAB dest TAB dfile`.
/// Output lines: `index TAB OK` or `index TAB FAIL TAB reason`.
const WORKER_SCRIPT: &str = r#"
import os, sys, warnings, py_compile
warnings.simplefilter("ignore")
PY3 = sys.version_info[0] >= 3
if PY3:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    dec = os.fsdecode
    def enc(s):
        return s.encode("utf-8", "backslashreplace")
else:
    inp, out = sys.stdin, sys.stdout
    def dec(b):
        return b
    def enc(s):
        if isinstance(s, unicode):
            return s.encode("utf-8", "backslashreplace")
        return s
MODES = {}
if sys.version_info >= (3, 7):
    M = py_compile.PycInvalidationMode
    MODES = {"timestamp": M.TIMESTAMP, "checked-hash": M.CHECKED_HASH,
             "unchecked-hash": M.UNCHECKED_HASH}
for line in inp:
    line = line.rstrip(b"\n")
    if not line:
        continue
    idx, opt, mode, src, dest, dfile = line.split(b"\t")
    mode = mode.decode("ascii")
    src, dest, dfile = dec(src), dec(dest), dec(dfile)
    try:
        if PY3:
            kw = {"cfile": dest, "dfile": dfile, "doraise": True, "optimize": int(opt)}
            if MODES:
                kw["invalidation_mode"] = MODES[mode]
            elif mode != "timestamp":
                raise ValueError("hash-based pycs need Python 3.7+")
            py_compile.compile(src, **kw)
        else:
            if int(opt) != (sys.flags.optimize or 0):
                raise ValueError("2.7 worker runs at -O level %d" % sys.flags.optimize)
            if mode != "timestamp":
                raise ValueError("hash-based pycs need Python 3.7+")
            parent = os.path.dirname(dest)
            if parent and not os.path.isdir(parent):
                os.makedirs(parent)
            py_compile.compile(src, dest, dfile, True)
        out.write(idx + b"\tOK\n")
    except Exception as e:
        if os.path.exists(dest):
            os.remove(dest)
        why = "%s: %s" % (type(e).__name__, e)
        why = " ".join(why.split())
        out.write(idx + b"\tFAIL\t" + enc(why) + b"\n")
out.flush()
"#;

/// Compiles `jobs` with `interp`, in as few interpreter processes as the
/// version allows (one per optimization level on 2.7, where `-O`/`-OO` is an
/// interpreter flag; one in all on 3.x), and returns one result per job, in
/// order.
///
/// The interpreter runs with `PYTHONHASHSEED=0` (set iteration order, and so
/// the order of `frozenset` constants, is then reproducible) and
/// `PYTHONDONTWRITEBYTECODE=1`; `SOURCE_DATE_EPOCH` is removed, since it would
/// silently turn timestamp pycs into checked-hash ones.
///
/// A job that fails (e.g. a test file that is deliberately bad syntax) is
/// reported as [`JobResult::Failed`]; an `Err` means the worker itself could
/// not run or answered nonsense.
pub fn compile(interp: &Interpreter, jobs: &[Job]) -> Result<Vec<JobResult>> {
    let mut results: Vec<Option<JobResult>> = vec![None; jobs.len()];
    let levels: Vec<Option<u8>> = if interp.major >= 3 {
        vec![None]
    } else {
        let mut l: Vec<u8> = jobs.iter().map(|j| j.optimize).collect();
        l.sort_unstable();
        l.dedup();
        l.into_iter().map(Some).collect()
    };
    for level in levels {
        let mut input = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            if level.is_some_and(|l| l != job.optimize) {
                continue;
            }
            if job.optimize > 2 {
                results[i] = Some(JobResult::Failed(format!(
                    "optimization level {} does not exist",
                    job.optimize
                )));
                continue;
            }
            if interp.version() < (3, 7) && job.invalidation != Invalidation::Timestamp {
                results[i] = Some(JobResult::Failed(
                    "hash-based pycs need Python 3.7+".to_string(),
                ));
                continue;
            }
            let fields = [
                path_bytes(&job.source),
                path_bytes(&job.dest),
                job.display_name.as_bytes().to_vec(),
            ];
            if fields
                .iter()
                .any(|f| f.contains(&b'\t') || f.contains(&b'\n'))
            {
                results[i] = Some(JobResult::Failed(
                    "path contains a tab or newline".to_string(),
                ));
                continue;
            }
            input.extend_from_slice(
                format!(
                    "{i}\t{}\t{}\t",
                    job.optimize,
                    job.invalidation.worker_name()
                )
                .as_bytes(),
            );
            input.extend_from_slice(&fields[0]);
            input.push(b'\t');
            input.extend_from_slice(&fields[1]);
            input.push(b'\t');
            input.extend_from_slice(&fields[2]);
            input.push(b'\n');
        }
        if input.is_empty() {
            continue;
        }
        let flag = match level {
            Some(1) => Some("-O"),
            Some(2) => Some("-OO"),
            _ => None,
        };
        run_worker(interp, flag, input, &mut results)?;
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.ok_or_else(|| worker_error(interp, format!("no answer for job {i}"))))
        .collect()
}

fn worker_error(interp: &Interpreter, detail: String) -> Error {
    Error::Worker {
        version: interp.tag(),
        executable: interp.executable.clone(),
        detail,
    }
}

fn run_worker(
    interp: &Interpreter,
    flag: Option<&str>,
    input: Vec<u8>,
    results: &mut [Option<JobResult>],
) -> Result<()> {
    let mut cmd = interp.command();
    cmd.args(["-s", "-S"]);
    cmd.args(flag);
    cmd.args(["-c", WORKER_SCRIPT])
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("PYTHONOPTIMIZE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| worker_error(interp, format!("cannot start: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| worker_error(interp, "no stdin pipe".to_string()))?;
    // Feed stdin from another thread: the worker answers while it reads, and
    // both pipes would fill up otherwise.
    let feeder = std::thread::spawn(move || {
        let r = stdin.write_all(&input);
        drop(stdin);
        r
    });
    let output = child
        .wait_with_output()
        .map_err(|e| worker_error(interp, format!("waiting for the worker: {e}")))?;
    let fed = feeder
        .join()
        .map_err(|_| worker_error(interp, "stdin feeder panicked".to_string()))?;
    if !output.status.success() || fed.is_err() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(worker_error(
            interp,
            format!("worker failed ({}): {}", output.status, tail.join(" | ")),
        ));
    }
    for line in output.stdout.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        let mut parts = text.splitn(3, '\t');
        let idx = parts.next().and_then(|s| s.parse::<usize>().ok());
        let verdict = parts.next();
        let slot = idx.and_then(|i| results.get_mut(i));
        let (Some(slot), Some(verdict)) = (slot, verdict) else {
            return Err(worker_error(interp, format!("unexpected output: {text}")));
        };
        *slot = Some(match verdict {
            "OK" => JobResult::Compiled,
            _ => JobResult::Failed(parts.next().unwrap_or("unknown error").to_string()),
        });
    }
    Ok(())
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

/// The `.pyc` path CPython itself would use for `source` (`dir/name.py`) at
/// `optimize`: `dir/__pycache__/name.cpython-XY[.opt-N].pyc` on 3.x, and
/// `dir/name.pyc` (level 0) or `dir/name.pyo` (levels 1 and 2) on 2.7.
pub fn cached_path(version: (u8, u8), source: &Path, optimize: u8) -> PathBuf {
    let dir = source.parent().unwrap_or(Path::new(""));
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if version.0 < 3 {
        let ext = if optimize == 0 { "pyc" } else { "pyo" };
        return dir.join(format!("{stem}.{ext}"));
    }
    let opt = if optimize == 0 {
        String::new()
    } else {
        format!(".opt-{optimize}")
    };
    dir.join("__pycache__").join(format!(
        "{stem}.cpython-{}{}{opt}.pyc",
        version.0, version.1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn cached_paths_follow_cpython() {
        let src = Path::new("a/b/mod.py");
        assert_eq!(
            cached_path((3, 11), src, 0),
            Path::new("a/b/__pycache__/mod.cpython-311.pyc")
        );
        assert_eq!(
            cached_path((3, 8), src, 2),
            Path::new("a/b/__pycache__/mod.cpython-38.opt-2.pyc")
        );
        assert_eq!(cached_path((2, 7), src, 0), Path::new("a/b/mod.pyc"));
        assert_eq!(cached_path((2, 7), src, 1), Path::new("a/b/mod.pyo"));
    }

    /// Every interpreter compiles a good file at every level, reports a bad
    /// one as failed, writes the header kind asked for, and records the
    /// display name, not the real path.
    #[test]
    fn compiles_with_every_interpreter() {
        let interps = crate::find_all();
        if interps.is_empty() {
            let _ = crate::require(3, 11);
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let good = tmp.path().join("good.py");
        let bad = tmp.path().join("bad.py");
        fs::write(
            &good,
            "x = 1\nassert x\ndef f():\n    'doc'\n    return x\n",
        )
        .unwrap();
        fs::write(&bad, "def (:\n").unwrap();
        for interp in interps {
            let out = tmp.path().join(interp.tag());
            let levels: &[u8] = if interp.major < 3 {
                &[0, 1]
            } else {
                &[0, 1, 2]
            };
            let mut jobs = Vec::new();
            for &opt in levels {
                for src in [&good, &bad] {
                    let name = src.file_name().unwrap();
                    jobs.push(Job {
                        source: src.clone(),
                        dest: cached_path(interp.version(), &out.join(name), opt),
                        display_name: format!("virtual/{}", name.to_string_lossy()),
                        optimize: opt,
                        invalidation: if interp.version() >= (3, 7) && opt == 1 {
                            Invalidation::UncheckedHash
                        } else {
                            Invalidation::Timestamp
                        },
                    });
                }
            }
            let results = compile(interp, &jobs).unwrap();
            for (job, result) in jobs.iter().zip(&results) {
                if job.source == bad {
                    assert!(
                        matches!(result, JobResult::Failed(m) if m.contains("rror")),
                        "{interp}: {result:?}"
                    );
                    assert!(!job.dest.exists());
                    continue;
                }
                assert_eq!(result, &JobResult::Compiled, "{interp}");
                let bytes = fs::read(&job.dest).unwrap();
                assert_eq!(&bytes[2..4], b"\r\n", "{interp}: magic");
                if interp.version() >= (3, 7) {
                    let flags = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
                    assert_eq!(flags, job.invalidation.flags(), "{interp}");
                }
                let needle = b"virtual/good.py";
                assert!(
                    bytes.windows(needle.len()).any(|w| w == needle),
                    "{interp}: co_filename"
                );
                assert!(
                    !bytes
                        .windows(tmp.path().as_os_str().len())
                        .any(|w| w == path_bytes(tmp.path())),
                    "{interp}: real path leaked"
                );
            }
            // Optimization levels really differ.
            let d0 = fs::read(&jobs[0].dest).unwrap();
            let d1 = fs::read(&jobs[2].dest).unwrap();
            assert_ne!(d0[16..], d1[16..], "{interp}: -O changed nothing");
        }
    }
}
