//! Running a program's `.pyc` files under an interpreter with the driver
//! (`benches/scripts/bench_driver.py`), and checking that the files run were
//! the variant's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use pycopt_corpus::Interpreter;

/// What the driver does with the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Count executed instructions (each benchmark function once, loops=1):
    /// in the program's code only, or (`all`) everywhere.
    Count {
        /// Trace every code object, not only the program's.
        all: bool,
    },
    /// Time each benchmark function: `warmups` untimed calls with loops=1,
    /// then `values` calls with `loops`, keeping the best.
    Time {
        /// Loops of the timed call.
        loops: u64,
        /// Untimed calls before it.
        warmups: u32,
        /// Timed calls; the best is kept.
        values: u32,
        /// Measure the process's CPU time instead of wall time.
        cpu_clock: bool,
    },
    /// Time with the real pyperf (importable by the interpreter): one worker
    /// process, `values` timed values after `warmups` warm-up values, each of
    /// `loops` loops. pyperf's output lands in `OUT.pyperf.json`.
    Pyperf {
        /// Loops per value.
        loops: u64,
        /// Values per worker.
        values: u32,
        /// Warm-up values per worker.
        warmups: u32,
    },
}

/// One run of the driver.
#[derive(Clone, Debug)]
pub struct Run<'a> {
    /// The interpreter.
    pub interp: &'a Interpreter,
    /// `bench_driver.py`.
    pub driver: &'a Path,
    /// Folder holding the program's `.pyc` files (and no source).
    pub dir: &'a Path,
    /// Main module name.
    pub main: &'a str,
    /// Interpreter flags (`-O`, `-OO`).
    pub python_flags: &'a [&'a str],
    /// Program arguments.
    pub args: &'a [String],
    /// Count or time.
    pub mode: Mode,
    /// Where the driver writes its JSON result (and `.out`/`.err` beside it).
    pub out: PathBuf,
    /// Time limit for the process.
    pub timeout: Duration,
    /// A folder put on `PYTHONPATH` (where pyperf was installed with
    /// `pip install --target`), if any.
    pub python_path: Option<&'a Path>,
}

/// One benchmark function's result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchCall {
    /// The name given to `bench_func`/`bench_time_func`.
    pub name: String,
    /// Loops of the (timed) call.
    pub loops: u64,
    /// Inner loops the benchmark declared.
    pub inner_loops: u64,
    /// Seconds per inner loop (time mode only).
    #[serde(default)]
    pub seconds_per_loop: Option<f64>,
}

/// A module file the driver loaded, as it read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// Module name (`__main__` for the main module).
    pub module: String,
    /// File path.
    pub path: String,
    /// Bytes read.
    pub size: u64,
    /// FNV-1a 64 of the bytes read, hexadecimal.
    pub fnv64: String,
}

/// Executed instructions of one counting run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Executed {
    /// `sys.settrace f_trace_opcodes` or `sys.monitoring INSTRUCTION`.
    pub mechanism: String,
    /// Instructions executed in the program's own code objects.
    pub program: u64,
    /// Instructions executed elsewhere (stdlib, the pyperf stand-in); 0 unless
    /// `scope` is `all`.
    pub other: u64,
    /// `program` (only the program's code objects traced) or `all`.
    #[serde(default)]
    pub scope: String,
    /// `program + other`.
    pub all: u64,
    /// The program's instructions per opcode name.
    pub by_opcode: BTreeMap<String, u64>,
    /// The program's instructions per code object (`qualname:firstline`).
    pub by_code: BTreeMap<String, u64>,
}

/// The driver's JSON result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DriverResult {
    /// `sys.version` of the interpreter.
    pub python: String,
    /// `sys.flags.optimize`.
    pub optimize: u32,
    /// The program's exit status (`SystemExit`), 0 when it returned.
    pub exit_code: i64,
    /// Seconds from the start of the main module to its end.
    pub wall_seconds: f64,
    /// Benchmark function calls, in order.
    pub benches: Vec<BenchCall>,
    /// Program files loaded.
    pub loaded: Vec<Loaded>,
    /// Modules with a file in the program folder that the driver did not load.
    pub stray: Vec<serde_json::Value>,
    /// Counts (count mode).
    #[serde(default)]
    pub counting: Option<Executed>,
}

impl DriverResult {
    /// Seconds of one loop of every benchmark function together (time mode).
    pub fn seconds_per_loop(&self) -> f64 {
        self.benches
            .iter()
            .map(|b| b.seconds_per_loop.unwrap_or(0.0) * b.inner_loops as f64)
            .sum()
    }
}

/// FNV-1a, 64 bits (the driver computes the same in Python).
///
/// ```
/// assert_eq!(pycopt_benches::execute::fnv1a64(b""), 0xcbf29ce484222325);
/// assert_eq!(pycopt_benches::execute::fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
/// ```
pub fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Runs the driver and reads its result; fails when the process fails, times
/// out or the program exits non-zero, with the end of its error output.
pub fn run(r: &Run<'_>) -> Result<DriverResult> {
    let out_file = std::fs::File::create(r.out.with_extension("out"))?;
    let err_path = r.out.with_extension("err");
    let err_file = std::fs::File::create(&err_path)?;
    let _ = std::fs::remove_file(&r.out);
    let mut cmd = r.interp.command();
    // Nothing from the caller's environment may change what runs: drop every
    // PYTHON* variable, then fix the hash seed so set and dict-of-str orders,
    // and with them the executed instructions, repeat exactly.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PYTHON") {
            cmd.env_remove(k);
        }
    }
    if let Some(p) = r.python_path {
        cmd.env("PYTHONPATH", p);
    }
    cmd.env("PYTHONHASHSEED", "0")
        .arg("-s")
        .args(r.python_flags)
        .arg(r.driver)
        .arg("--dir")
        .arg(r.dir)
        .args(["--main", r.main])
        .arg("--out")
        .arg(&r.out);
    match r.mode {
        Mode::Count { all } => {
            cmd.args(["--mode", "count", "--count-scope"])
                .arg(if all { "all" } else { "program" });
        }
        Mode::Time {
            loops,
            warmups,
            values,
            cpu_clock,
        } => {
            cmd.args(["--mode", "time", "--loops", &loops.to_string()])
                .args(["--warmups", &warmups.to_string()])
                .args(["--values", &values.to_string()])
                .args(["--clock", if cpu_clock { "cpu" } else { "wall" }]);
        }
        Mode::Pyperf { .. } => {
            cmd.args(["--mode", "pyperf"]);
        }
    }
    cmd.arg("--").args(r.args);
    let pyperf_out = r.out.with_extension("pyperf.json");
    let record = PathBuf::from(format!("{}.loaded", r.out.display()));
    if let Mode::Pyperf {
        loops,
        values,
        warmups,
    } = r.mode
    {
        let _ = std::fs::remove_file(&pyperf_out);
        let _ = std::fs::remove_file(&record);
        cmd.args(["--processes", "1", "--values", &values.to_string()])
            .args([
                "--warmups",
                &warmups.to_string(),
                "--loops",
                &loops.to_string(),
            ])
            .args([
                "--inherit-environ",
                "PYCOPT_BENCH_DRIVER,PYTHONOPTIMIZE,PYTHONHASHSEED",
                "--quiet",
            ])
            .arg("-o")
            .arg(&pyperf_out);
    }
    cmd.stdin(Stdio::null()).stdout(out_file).stderr(err_file);
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", r.interp.executable.display()))?;
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() > r.timeout {
            let _ = child.kill();
            let _ = child.wait();
            bail!("timed out after {:?} ({})", r.timeout, r.dir.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // The last line of the error output (a traceback's exception), and where
    // the rest is.
    let tail = || {
        let e = std::fs::read_to_string(&err_path).unwrap_or_default();
        let last = e
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        format!("{last} (output: {})", err_path.display())
    };
    if !status.success() {
        bail!("{} exited with {status}: {}", r.main, tail());
    }
    if let Mode::Pyperf { .. } = r.mode {
        return read_pyperf(&pyperf_out, &record);
    }
    let text = std::fs::read_to_string(&r.out)
        .with_context(|| format!("the driver wrote no result ({})", r.out.display()))?;
    let res: DriverResult =
        serde_json::from_str(&text).with_context(|| format!("{}", r.out.display()))?;
    if res.exit_code != 0 {
        bail!(
            "{} exited with status {}: {}",
            r.main,
            res.exit_code,
            tail()
        );
    }
    Ok(res)
}

/// Reads what a pyperf run left: the values of each benchmark (median over
/// the worker's values, times its inner loops) and the files every process
/// loaded.
fn read_pyperf(out: &Path, record: &Path) -> Result<DriverResult> {
    let text = std::fs::read_to_string(out)
        .with_context(|| format!("pyperf wrote no {}", out.display()))?;
    let j: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}", out.display()))?;
    let common = j.get("metadata").cloned().unwrap_or_default();
    let mut benches = Vec::new();
    for b in j["benchmarks"]
        .as_array()
        .context("pyperf JSON without benchmarks")?
    {
        let meta = |k: &str| b["metadata"].get(k).or_else(|| common.get(k)).cloned();
        let name = meta("name")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let inner = meta("inner_loops").and_then(|v| v.as_u64()).unwrap_or(1);
        let loops = meta("loops").and_then(|v| v.as_u64()).unwrap_or(1);
        let mut values: Vec<f64> = Vec::new();
        for run in b["runs"].as_array().into_iter().flatten() {
            values.extend(
                run["values"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_f64()),
            );
        }
        if values.is_empty() {
            bail!("pyperf result for {name} has no values");
        }
        benches.push(BenchCall {
            name,
            loops,
            inner_loops: inner,
            seconds_per_loop: Some(crate::stats::Summary::of(&values).median),
        });
    }
    let mut loaded = Vec::new();
    let text = std::fs::read_to_string(record)
        .with_context(|| format!("no record {}", record.display()))?;
    let mut workers = 0;
    for line in text.lines() {
        let rec: serde_json::Value = serde_json::from_str(line)?;
        workers += rec["worker"].as_bool().unwrap_or(false) as usize;
        let files: Vec<Loaded> = serde_json::from_value(rec["loaded"].clone())?;
        for f in files {
            if !loaded.contains(&f) {
                loaded.push(f);
            }
        }
    }
    if workers == 0 {
        bail!("no pyperf worker recorded the files it ran");
    }
    Ok(DriverResult {
        python: String::new(),
        optimize: 0,
        exit_code: 0,
        wall_seconds: 0.0,
        benches,
        loaded,
        stray: Vec::new(),
        counting: None,
    })
}

/// Checks that the modules a run loaded are exactly files of `dir` as they are
/// on disk (size and hash), that the main module was among them, that no
/// module came from `dir` another way, and that `dir` holds no Python source.
/// Returns how many files were checked.
pub fn verify_loaded(res: &DriverResult, dir: &Path) -> Result<usize> {
    let dir = dir.canonicalize()?;
    if !res.stray.is_empty() {
        bail!(
            "modules loaded from {} around the driver: {:?}",
            dir.display(),
            res.stray
        );
    }
    if !res.loaded.iter().any(|l| l.module == "__main__") {
        bail!("the main module was not loaded by the driver");
    }
    for l in &res.loaded {
        let p = Path::new(&l.path).canonicalize()?;
        if !p.starts_with(&dir) {
            bail!(
                "{} was loaded from {}, outside {}",
                l.module,
                l.path,
                dir.display()
            );
        }
        let data = std::fs::read(&p)?;
        let want = format!("{:016x}", fnv1a64(&data));
        if data.len() as u64 != l.size || want != l.fnv64 {
            bail!(
                "{}: the bytes executed ({} bytes, {}) are not the variant's file ({} bytes, {want})",
                l.path,
                l.size,
                l.fnv64,
                data.len()
            );
        }
    }
    if let Some(src) = find_source(&dir) {
        bail!(
            "{} holds source {}: runs must use .pyc only",
            dir.display(),
            src.display()
        );
    }
    Ok(res.loaded.len())
}

fn find_source(dir: &Path) -> Option<PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(s) = find_source(&p) {
                return Some(s);
            }
        } else if p.extension().is_some_and(|x| x == "py") {
            return Some(p);
        }
    }
    None
}
