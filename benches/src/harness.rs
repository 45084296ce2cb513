//! The comparison harness: for each interpreter and program, compile the
//! program with the interpreter, make each variant's files, measure their
//! static figures, count executed instructions and time them.
//!
//! Layout of the work folder (default `target/bench-work`), rebuilt each run:
//!
//! ```text
//! WORK/X.Y/PROGRAM/base-0/     py_compile at level 0: NAME.pyc beside no source,
//!                              plus the program's data files
//! WORK/X.Y/PROGRAM/base-1/     level 1, base-2/ level 2 (when a variant needs them)
//! WORK/X.Y/PROGRAM/VARIANT/    a copy of its base, rewritten by `pycopt opt ... --in-place`
//! WORK/X.Y/PROGRAM/runs/       the driver's results and output
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use pycopt_corpus::compile::{compile, Invalidation, Job, JobResult};
use pycopt_corpus::Interpreter;

use crate::execute::{self, Executed, Mode, Run};
use crate::figures::{tree_figures, Figures, FileFigures};
use crate::program::Program;
use crate::timing::{interleaved, Timer, TimingReport, TimingSettings};
use crate::variant::{available, Base, Variant};

/// What to run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Interpreters, each compared on its own.
    pub interpreters: Vec<&'static Interpreter>,
    /// Programs.
    pub programs: Vec<Program>,
    /// Variants; `stock` is added first when missing (it is the baseline).
    pub variants: Vec<Variant>,
    /// Leave out, with a note, variants this `pycopt` does not accept yet
    /// (for the default list); otherwise such a variant is an error.
    pub skip_unavailable: bool,
    /// Work folder.
    pub work_dir: PathBuf,
    /// The `pycopt` binary.
    pub pycopt: PathBuf,
    /// `benches/scripts` (the driver and the pyperf stand-in).
    pub scripts_dir: PathBuf,
    /// Count executed instructions.
    pub count: bool,
    /// Count them in every code object (stdlib too), not only the program's:
    /// slower, and adds the "executed (all)" figure.
    pub count_all: bool,
    /// Time runs (never in tests).
    pub timing: Option<TimingSettings>,
    /// Who times runs.
    pub timer: Timer,
    /// A folder for `PYTHONPATH` where pyperf is installed (`pip install
    /// --target`), for interpreters that lack it in their site-packages.
    pub pyperf_path: Option<PathBuf>,
    /// Time limit of one driver process.
    pub timeout: Duration,
    /// Progress lines on stderr.
    pub verbose: bool,
    /// Where to write the report so far after each program (a long run can be
    /// looked at, or stopped, midway).
    pub checkpoint: Option<PathBuf>,
}

/// An interpreter as the report names it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InterpreterInfo {
    /// `3.11`.
    pub version: String,
    /// `3.11.7`.
    pub full_version: String,
    /// Its executable.
    pub executable: String,
}

/// One variant of one program on one interpreter.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VariantResult {
    /// Variant name.
    pub variant: String,
    /// Static figures summed over the program's files.
    pub figures: Option<Figures>,
    /// Per file (and per code object).
    pub files: Vec<FileFigures>,
    /// Executed instructions.
    pub executed: Option<Executed>,
    /// Files whose executed bytes were checked against the variant's files.
    pub files_verified: usize,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

/// One program on one interpreter.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProgramResult {
    /// `3.11`.
    pub python: String,
    /// Program name.
    pub program: String,
    /// Where it comes from.
    pub origin: String,
    /// Per variant, in the report's order.
    pub variants: Vec<VariantResult>,
    /// Run time.
    pub timing: Option<TimingReport>,
    /// Errors not tied to one variant (compilation, timing, self-checks).
    pub errors: Vec<String>,
}

impl ProgramResult {
    /// The result of variant `name`.
    pub fn variant(&self, name: &str) -> Option<&VariantResult> {
        self.variants.iter().find(|v| v.variant == name)
    }

    /// Whether anything failed.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.variants.iter().any(|v| v.error.is_some())
    }
}

/// Everything a run measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// `pycopt-bench 0.1.0`.
    pub tool: String,
    /// Interpreters compared.
    pub interpreters: Vec<InterpreterInfo>,
    /// Variants compared, the baseline first.
    pub variants: Vec<Variant>,
    /// Timing settings, when timed.
    pub timing: Option<TimingSettings>,
    /// Things left out and why.
    pub notes: Vec<String>,
    /// One per interpreter and program.
    pub results: Vec<ProgramResult>,
}

impl Report {
    /// Whether anything failed.
    pub fn failed(&self) -> bool {
        self.results.iter().any(ProgramResult::failed)
    }
}

fn log(s: &Settings, msg: impl AsRef<str>) {
    if s.verbose {
        eprintln!("pycopt-bench: {}", msg.as_ref());
    }
}

/// Runs everything `s` asks for. Failures of one program or variant are
/// recorded in the report and the rest goes on; `Err` only for a broken setup.
pub fn run(s: &Settings) -> Result<Report> {
    if !s.pycopt.is_file() {
        bail!(
            "{} not found: build it with `cargo build --release -p pycopt`",
            s.pycopt.display()
        );
    }
    let driver = s.scripts_dir.join("bench_driver.py");
    if !driver.is_file() {
        bail!("{} not found", driver.display());
    }
    let mut variants = s.variants.clone();
    if !variants.iter().any(|v| v.name == "stock") {
        variants.insert(0, Variant::parse("stock")?);
    }
    let stock = variants
        .iter()
        .position(|v| v.name == "stock")
        .expect("added");
    let first = variants.remove(stock);
    variants.insert(0, first);

    // Which variants this pycopt accepts, probed on each version's sample file.
    let mut notes = Vec::new();
    let mut keep = vec![true; variants.len()];
    for (k, v) in variants.iter().enumerate() {
        for interp in &s.interpreters {
            let Some(probe) =
                pycopt_corpus::pyc_files(&pycopt_corpus::sample_dir().join(interp.tag()))
                    .into_iter()
                    .next()
            else {
                continue;
            };
            if let Err(why) = available(&s.pycopt, v, &probe) {
                if s.skip_unavailable {
                    notes.push(format!("variant {} left out: pycopt says: {why}", v.name));
                    keep[k] = false;
                    break;
                }
                bail!("variant {}: pycopt does not accept it: {why}", v.name);
            }
        }
    }
    let mut k = 0;
    variants.retain(|_| {
        k += 1;
        keep[k - 1]
    });

    let mut report = Report {
        tool: format!("pycopt-bench {}", env!("CARGO_PKG_VERSION")),
        interpreters: s
            .interpreters
            .iter()
            .map(|i| InterpreterInfo {
                version: i.tag(),
                full_version: i.full_version.clone(),
                executable: i.executable.display().to_string(),
            })
            .collect(),
        variants: variants.clone(),
        timing: s.timing.clone(),
        notes,
        results: Vec::new(),
    };
    for interp in &s.interpreters {
        for p in &s.programs {
            if !p.supports(interp.version()) {
                report.notes.push(format!(
                    "{} skipped on {}: needs {}",
                    p.name,
                    interp.tag(),
                    pycopt_corpus::tag(p.min_python)
                ));
                continue;
            }
            log(s, format!("{} {}", interp.tag(), p.name));
            let r = run_program(s, interp, p, &variants, &driver);
            for e in r
                .errors
                .iter()
                .chain(r.variants.iter().filter_map(|v| v.error.as_ref()))
            {
                log(s, format!("{} {}: error: {e}", interp.tag(), p.name));
            }
            report.results.push(r);
            if let Some(path) = &s.checkpoint {
                if let Some(dir) = path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                let _ = std::fs::write(path, serde_json::to_string_pretty(&report)?);
            }
        }
    }
    Ok(report)
}

/// A variant's folder name.
fn folder_name(v: &Variant) -> String {
    v.name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn run_program(
    s: &Settings,
    interp: &'static Interpreter,
    p: &Program,
    variants: &[Variant],
    driver: &Path,
) -> ProgramResult {
    let mut result = ProgramResult {
        python: interp.tag(),
        program: p.name.clone(),
        origin: p.origin.clone(),
        variants: Vec::new(),
        timing: None,
        errors: Vec::new(),
    };
    let dir = s.work_dir.join(interp.tag()).join(&p.name);
    let bases: BTreeSet<u8> = variants.iter().map(|v| v.base.level()).collect();
    if let Err(e) = compile_bases(interp, p, &dir, &bases) {
        result.errors.push(format!("compiling: {e:#}"));
        return result;
    }
    let runs = dir.join("runs");
    let _ = std::fs::create_dir_all(&runs);
    let mut count_args = p.args.clone();
    count_args.extend(p.count_args.iter().cloned());
    for v in variants {
        let vdir = dir.join(folder_name(v));
        let mut vr = VariantResult {
            variant: v.name.clone(),
            figures: None,
            files: Vec::new(),
            executed: None,
            files_verified: 0,
            error: None,
        };
        let mut step = || -> Result<()> {
            make_variant(s, v, &dir.join(format!("base-{}", v.base.level())), &vdir)?;
            let (sum, files) = tree_figures(&vdir)?;
            vr.figures = Some(sum);
            vr.files = files;
            if s.count {
                let res = execute::run(&Run {
                    interp,
                    driver,
                    dir: &vdir,
                    main: &p.main,
                    python_flags: v.python_flags(),
                    args: &count_args,
                    mode: Mode::Count { all: s.count_all },
                    out: runs.join(format!("count-{}.json", folder_name(v))),
                    timeout: s.timeout,
                    python_path: None,
                })?;
                vr.files_verified = execute::verify_loaded(&res, &vdir)?;
                vr.executed = res.counting;
            }
            Ok(())
        };
        if let Err(e) = step() {
            vr.error = Some(format!("{e:#}"));
        }
        result.variants.push(vr);
    }
    self_check(&mut result, variants);
    if let Some(t) = &s.timing {
        let ok: Vec<&Variant> = variants
            .iter()
            .filter(|v| result.variant(&v.name).is_some_and(|r| r.error.is_none()))
            .collect();
        if ok.len() >= 2 && ok[0].name == "stock" {
            let names: Vec<String> = ok.iter().map(|v| v.name.clone()).collect();
            let pyperf = match s.timer {
                Timer::Pyperf => true,
                Timer::Interleaved => false,
                // pyperf measures wall time only.
                Timer::Auto => !t.cpu_clock && has_pyperf(interp, s.pyperf_path.as_deref()),
            };
            let mut n = 0usize;
            let timer = match (pyperf, t.cpu_clock) {
                (true, _) => "pyperf",
                (false, true) => "interleaved, CPU time",
                (false, false) => "interleaved",
            };
            let timed = interleaved(timer, &names, t, |k, loops, warmups| {
                n += 1;
                let v = ok[k];
                let vdir = dir.join(folder_name(v));
                let res = execute::run(&Run {
                    interp,
                    driver,
                    dir: &vdir,
                    main: &p.main,
                    python_flags: v.python_flags(),
                    args: &p.args,
                    mode: if pyperf {
                        Mode::Pyperf {
                            loops,
                            values: 5,
                            warmups,
                        }
                    } else {
                        Mode::Time {
                            loops,
                            warmups,
                            // Calibration (loops = 1) needs one call only.
                            values: if loops == 1 && n == 1 { 1 } else { t.values },
                            cpu_clock: t.cpu_clock,
                        }
                    },
                    out: runs.join(format!("time-{}-{n}.json", folder_name(v))),
                    timeout: s.timeout,
                    python_path: s.pyperf_path.as_deref(),
                })?;
                execute::verify_loaded(&res, &vdir)?;
                for ext in ["json", "out", "err", "pyperf.json", "json.loaded"] {
                    let _ = std::fs::remove_file(
                        runs.join(format!("time-{}-{n}.{ext}", folder_name(v))),
                    );
                }
                Ok(res.seconds_per_loop())
            });
            match timed {
                Ok(t) => result.timing = Some(t),
                Err(e) => result.errors.push(format!("timing: {e:#}")),
            }
        }
    }
    result
}

/// Whether `interp` imports pyperf (with `extra` on `PYTHONPATH`).
pub fn has_pyperf(interp: &Interpreter, extra: Option<&Path>) -> bool {
    let mut cmd = interp.command();
    if let Some(p) = extra {
        cmd.env("PYTHONPATH", p);
    }
    cmd.args(["-s", "-c", "import pyperf"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Compiles the program's `.py` files at each level into `base-L/` (plain
/// `NAME.pyc` files, no source) and copies its other files beside them.
fn compile_bases(
    interp: &Interpreter,
    p: &Program,
    dir: &Path,
    levels: &BTreeSet<u8>,
) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let mut jobs = Vec::new();
    for &level in levels {
        let base = dir.join(format!("base-{level}"));
        for f in &p.files {
            let src = p.root.join(f);
            if f.extension().is_some_and(|e| e == "py") {
                jobs.push(Job {
                    source: src,
                    dest: base.join(f.with_extension("pyc")),
                    display_name: format!("{}/{}", p.name, f.to_string_lossy().replace('\\', "/")),
                    optimize: level,
                    invalidation: Invalidation::Timestamp,
                });
            } else {
                let dest = base.join(f);
                std::fs::create_dir_all(dest.parent().expect("inside base"))?;
                std::fs::copy(&src, &dest).with_context(|| format!("copying {}", src.display()))?;
            }
        }
        std::fs::create_dir_all(&base)?;
    }
    let results = compile(interp, &jobs).map_err(|e| anyhow::anyhow!("{e}"))?;
    for (job, r) in jobs.iter().zip(results) {
        if let JobResult::Failed(why) = r {
            bail!("{}: {why}", job.display_name);
        }
    }
    Ok(())
}

/// Copies `base` to `vdir` and runs `pycopt opt ARGS --in-place` over it.
fn make_variant(s: &Settings, v: &Variant, base: &Path, vdir: &Path) -> Result<()> {
    copy_tree(base, vdir)?;
    if v.pycopt_args.is_empty() {
        return Ok(());
    }
    let out = Command::new(&s.pycopt)
        .arg("opt")
        .args(&v.pycopt_args)
        .args(["--in-place", "-q"])
        .arg(vdir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", s.pycopt.display()))?;
    if !out.status.success() {
        bail!(
            "pycopt opt {} failed ({}): {}",
            v.pycopt_args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

/// For variants pycopt promises equal to their base (`-O0`, `-O0 --rebuild`):
/// the static figures and executed instructions must equal the base's.
fn self_check(result: &mut ProgramResult, variants: &[Variant]) {
    for v in variants.iter().filter(|v| v.expect_identical()) {
        let base = variants
            .iter()
            .find(|b| b.pycopt_args.is_empty() && b.base == v.base);
        let (Some(b), Some(r)) = (
            base.and_then(|b| result.variant(&b.name)),
            result.variant(&v.name),
        ) else {
            continue;
        };
        if b.error.is_some() || r.error.is_some() {
            continue;
        }
        let mut errors = Vec::new();
        if b.figures != r.figures || b.files != r.files {
            errors.push(format!(
                "self-check: {} should have the static figures of {} and does not",
                v.name, b.variant
            ));
        }
        if b.executed != r.executed {
            let (x, y) = (
                b.executed.clone().unwrap_or_default(),
                r.executed.clone().unwrap_or_default(),
            );
            errors.push(format!(
                "self-check: {} should execute what {} executes: program {} vs {}, all {} vs {}",
                v.name, b.variant, y.program, x.program, y.all, x.all
            ));
        }
        result.errors.extend(errors);
    }
}

/// Static figures only, for folders (or files) of `.pyc`: `stock` is the files
/// as they are, each pycopt variant the files rewritten by `pycopt opt`.
/// CPython's own `-O`/`-OO` variants need the sources and are rejected. One
/// result per path, under the Python version of its first file.
pub fn static_only(
    paths: &[PathBuf],
    variants: &[Variant],
    skip_unavailable: bool,
    pycopt: &Path,
    work: &Path,
) -> Result<Report> {
    let mut vs: Vec<Variant> = variants.to_vec();
    vs.retain(|v| v.name != "stock");
    let mut notes = Vec::new();
    vs.retain(|v| {
        if v.base != Base::Stock {
            notes.push(format!("variant {} left out: needs the sources", v.name));
        }
        v.base == Base::Stock
    });
    vs.insert(0, Variant::parse("stock")?);
    let settings = Settings {
        interpreters: Vec::new(),
        programs: Vec::new(),
        variants: vs.clone(),
        skip_unavailable,
        work_dir: work.to_path_buf(),
        pycopt: pycopt.to_path_buf(),
        scripts_dir: PathBuf::new(),
        count: false,
        count_all: false,
        timing: None,
        timer: Timer::Interleaved,
        pyperf_path: None,
        timeout: Duration::from_secs(0),
        verbose: false,
        checkpoint: None,
    };
    let mut results = Vec::new();
    let mut versions: Vec<String> = Vec::new();
    for path in paths {
        // `lib/json/__pycache__` is named `json`.
        let named = match path.file_name() {
            Some(n) if n == "__pycache__" => path.parent().unwrap_or(path),
            _ => path.as_path(),
        };
        let name = named
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let Some(probe) = pycopt_corpus::pyc_files(path)
            .into_iter()
            .next()
            .or_else(|| path.is_file().then(|| path.clone()))
        else {
            bail!("{}: no .pyc files", path.display());
        };
        // A single file is measured from a folder of its own.
        let input = if path.is_file() {
            let d = work.join(&name).join("_input");
            if d.exists() {
                std::fs::remove_dir_all(&d)?;
            }
            std::fs::create_dir_all(&d)?;
            std::fs::copy(path, d.join(&name))?;
            d
        } else {
            path.clone()
        };
        let mut r = ProgramResult {
            python: String::new(),
            program: name.clone(),
            origin: path.display().to_string(),
            variants: Vec::new(),
            timing: None,
            errors: Vec::new(),
        };
        for v in &vs {
            let mut vr = VariantResult {
                variant: v.name.clone(),
                figures: None,
                files: Vec::new(),
                executed: None,
                files_verified: 0,
                error: None,
            };
            if let Err(why) = available(pycopt, v, &probe) {
                if skip_unavailable {
                    notes.push(format!(
                        "variant {} left out for {name}: pycopt says: {why}",
                        v.name
                    ));
                    continue;
                }
                bail!("variant {}: pycopt does not accept it: {why}", v.name);
            }
            let vdir = work.join(&name).join(folder_name(v));
            let mut step = || -> Result<()> {
                if vdir.exists() {
                    std::fs::remove_dir_all(&vdir)?;
                }
                make_variant(&settings, v, &input, &vdir)?;
                let (sum, files) = tree_figures(&vdir)?;
                vr.figures = Some(sum);
                vr.files = files;
                Ok(())
            };
            if let Err(e) = step() {
                vr.error = Some(format!("{e:#}"));
            }
            if r.python.is_empty() {
                if let Some(f) = vr.files.first() {
                    r.python = f.version.clone();
                }
            }
            r.variants.push(vr);
        }
        self_check(&mut r, &vs);
        if !versions.contains(&r.python) {
            versions.push(r.python.clone());
        }
        results.push(r);
    }
    Ok(Report {
        tool: format!("pycopt-bench {}", env!("CARGO_PKG_VERSION")),
        interpreters: versions
            .into_iter()
            .map(|v| InterpreterInfo {
                version: v,
                full_version: String::new(),
                executable: "(not run)".into(),
            })
            .collect(),
        variants: vs,
        timing: None,
        notes,
        results,
    })
}
