//! `pycopt-bench`: compares pycopt's `.pyc` with what stock CPython wrote, on
//! real programs, per Python version: static figures, executed instructions and
//! run time, reported as Markdown, JSON, HTML and SVG charts.
//! See `benches/README.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use pycopt_benches::harness::{self, Report, Settings};
use pycopt_benches::program::{discover, Program};
use pycopt_benches::report::write_all;
use pycopt_benches::timing::{Timer, TimingSettings};
use pycopt_benches::variant::{Variant, DEFAULT_VARIANTS};

/// Compare pycopt's .pyc files with stock CPython's on real programs.
#[derive(Parser, Debug)]
#[command(name = "pycopt-bench", version)]
#[command(after_help = "Examples:\n  \
    pycopt-bench fetch                                   download pyperformance's benchmarks (PyPI)\n  \
    pycopt-bench run --python 3.11,3.13                  every variant pycopt offers, all programs\n  \
    pycopt-bench run --only nbody,go --variants stock,pycopt-O2 --quick\n  \
    pycopt-bench run --no-time --variant 'mine=-O2 --assume builtins'\n  \
    pycopt-bench static some/dir/with/pycs --variants stock,pycopt-O2\n  \
    pycopt-bench report target/bench-report/report.json  render the tables and charts again")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Compile, rewrite, measure, count and time programs; write the report.
    Run(Box<RunArgs>),
    /// Download pyperformance from PyPI and lay out its pure-Python benchmarks.
    Fetch(FetchArgs),
    /// Static figures only, for folders of .pyc files (no programs are run).
    Static(StaticArgs),
    /// Render report.md, index.html and the charts again from a report.json.
    Report(ReportArgs),
}

#[derive(Args, Debug)]
struct VariantArgs {
    /// Comma-separated variant names (stock, cpython-O, cpython-OO, pycopt-O0…O3,
    /// pycopt-Os, pycopt-O0-rebuild). Default: all of them that this pycopt accepts.
    #[arg(long)]
    variants: Option<String>,
    /// One more variant, may contain commas: pycopt-passes:a,b or NAME=[BASE:]PYCOPT-ARGS.
    #[arg(long = "variant")]
    variant: Vec<String>,
    /// The pycopt binary (default: target/release/pycopt of this checkout).
    #[arg(long)]
    pycopt: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Python versions, comma-separated (3.8 … 3.13), or `all` installed ones.
    #[arg(long, default_value = "3.11,3.13")]
    python: String,
    /// Program folders or files (default: target/bench-cache/programs, if fetched,
    /// and benches/programs).
    #[arg(long = "programs")]
    programs: Vec<PathBuf>,
    /// Only these programs (comma-separated names).
    #[arg(long)]
    only: Option<String>,
    #[command(flatten)]
    variants: VariantArgs,
    /// Report folder.
    #[arg(long, default_value = "target/bench-report")]
    out: PathBuf,
    /// Work folder (rebuilt per program).
    #[arg(long, default_value = "target/bench-work")]
    work: PathBuf,
    /// Do not count executed instructions.
    #[arg(long)]
    no_count: bool,
    /// Count executed instructions in every code object (the stdlib's too), not
    /// only the program's: slower; adds the "executed (all)" figure.
    #[arg(long)]
    count_all: bool,
    /// Do not time runs.
    #[arg(long)]
    no_time: bool,
    /// Fewer rounds and shorter runs.
    #[arg(long)]
    quick: bool,
    /// Rounds always run.
    #[arg(long)]
    min_rounds: Option<u32>,
    /// Rounds at most.
    #[arg(long)]
    max_rounds: Option<u32>,
    /// Seconds a timed call should last at least.
    #[arg(long)]
    min_time: Option<f64>,
    /// Stop when every speed-up's 95% interval is within this fraction (0.01 = ±1%).
    #[arg(long)]
    target_ci: Option<f64>,
    /// Report a speed-up as too noisy above this fraction.
    #[arg(long)]
    trust_ci: Option<f64>,
    /// Seconds of timing per program and interpreter at most.
    #[arg(long)]
    budget: Option<f64>,
    /// Clock of timing runs: wall time, or the process's CPU time (cpu: far less
    /// disturbed by other load on a shared machine; not with pyperf).
    #[arg(long, default_value = "wall", value_parser = ["wall", "cpu"])]
    clock: String,
    /// Timed calls per process; the best is its measurement.
    #[arg(long)]
    values: Option<u32>,
    /// Warm-up rounds (whole processes, discarded).
    #[arg(long)]
    warmup_rounds: Option<u32>,
    /// Who times runs: pyperf where the interpreter imports it (auto), the
    /// driver's own loop (interleaved), or pyperf (pyperf).
    #[arg(long, default_value = "auto", value_parser = ["auto", "interleaved", "pyperf"])]
    timer: String,
    /// A folder holding pyperf (`pip install --target DIR pyperf`), put on
    /// PYTHONPATH of timing runs.
    #[arg(long)]
    pyperf_path: Option<PathBuf>,
    /// Time limit of one program run, seconds.
    #[arg(long, default_value_t = 900)]
    timeout: u64,
    /// No progress lines.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct FetchArgs {
    /// Arguments for benches/scripts/fetch_pyperformance.py (--version, --benchmarks, --cache).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Args, Debug)]
struct StaticArgs {
    /// Folders (or files) of .pyc files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    variants: VariantArgs,
    /// Report folder.
    #[arg(long, default_value = "target/bench-report-static")]
    out: PathBuf,
    /// Work folder.
    #[arg(long, default_value = "target/bench-work-static")]
    work: PathBuf,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// A report.json written by `pycopt-bench run`.
    json: PathBuf,
    /// Folder to write into (default: the JSON file's folder).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The checkout this binary was built from.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ is inside the workspace")
        .to_path_buf()
}

fn variants(a: &VariantArgs) -> Result<(Vec<Variant>, bool)> {
    let mut out = Vec::new();
    let default = a.variants.is_none() && a.variant.is_empty();
    let names: Vec<String> = match &a.variants {
        Some(list) => list.split(',').map(str::to_string).collect(),
        None if default => DEFAULT_VARIANTS.iter().map(|s| s.to_string()).collect(),
        None => Vec::new(),
    };
    for n in names.iter().chain(&a.variant) {
        let v = Variant::parse(n)?;
        if out.iter().any(|w: &Variant| w.name == v.name) {
            bail!("variant {} named twice", v.name);
        }
        out.push(v);
    }
    Ok((out, default))
}

fn pycopt_path(a: &VariantArgs) -> PathBuf {
    a.pycopt
        .clone()
        .unwrap_or_else(|| workspace_root().join("target/release/pycopt"))
}

fn interpreters(spec: &str) -> Result<Vec<&'static pycopt_corpus::Interpreter>> {
    if spec == "all" {
        return Ok(pycopt_corpus::find_all()
            .into_iter()
            .filter(|i| i.version() >= (3, 8))
            .collect());
    }
    let mut out = Vec::new();
    for v in spec.split(',') {
        let (a, b) = pycopt_corpus::parse_tag(v).with_context(|| format!("bad version {v:?}"))?;
        match pycopt_corpus::find(a, b) {
            Some(i) => out.push(i),
            None => bail!("{}", pycopt_corpus::search_report(a, b).explain()),
        }
    }
    Ok(out)
}

fn programs(a: &RunArgs) -> Result<Vec<Program>> {
    let root = workspace_root();
    let paths = if a.programs.is_empty() {
        let mut p = Vec::new();
        let fetched = root.join("target/bench-cache/programs");
        if fetched.is_dir() {
            p.push(fetched);
        } else {
            eprintln!(
                "pycopt-bench: no pyperformance benchmarks in {} (run `pycopt-bench fetch`); \
                 using benches/programs only",
                fetched.display()
            );
        }
        p.push(root.join("benches/programs"));
        p
    } else {
        a.programs.clone()
    };
    let mut out: Vec<Program> = Vec::new();
    for p in paths {
        for prog in discover(&p)? {
            if out.iter().any(|q| q.name == prog.name) {
                bail!("two programs named {}", prog.name);
            }
            out.push(prog);
        }
    }
    if let Some(only) = &a.only {
        let want: Vec<&str> = only.split(',').map(str::trim).collect();
        for w in &want {
            if !out.iter().any(|p| p.name == *w) {
                bail!("no program named {w}");
            }
        }
        out.retain(|p| want.contains(&p.name.as_str()));
    }
    Ok(out)
}

fn timing(a: &RunArgs) -> Option<TimingSettings> {
    if a.no_time {
        return None;
    }
    let mut t = if a.quick {
        TimingSettings::quick()
    } else {
        TimingSettings::default()
    };
    if let Some(x) = a.min_rounds {
        t.min_rounds = x.max(1);
    }
    if let Some(x) = a.max_rounds {
        t.max_rounds = x.max(t.min_rounds);
    }
    if let Some(x) = a.min_time {
        t.min_time = x;
    }
    if let Some(x) = a.target_ci {
        t.target_ci = x;
    }
    if let Some(x) = a.trust_ci {
        t.trust_ci = x;
    }
    if let Some(x) = a.budget {
        t.budget = x;
    }
    if let Some(x) = a.warmup_rounds {
        t.warmup_rounds = x;
    }
    if let Some(x) = a.values {
        t.values = x.max(1);
    }
    t.cpu_clock = a.clock == "cpu";
    Some(t)
}

fn finish(report: &Report, out: &Path) -> Result<u8> {
    let files = write_all(report, out)?;
    println!(
        "{}",
        pycopt_benches::report::summary_table(report).markdown()
    );
    for f in files.iter().take(3) {
        println!("wrote {}", f.display());
    }
    if files.len() > 3 {
        println!("wrote {} charts in {}", files.len() - 3, out.display());
    }
    for n in &report.notes {
        println!("note: {n}");
    }
    if report.failed() {
        eprintln!("pycopt-bench: some programs or variants failed; see the report's errors");
        return Ok(1);
    }
    Ok(0)
}

fn run(a: &RunArgs) -> Result<u8> {
    let (variants, skip_unavailable) = variants(&a.variants)?;
    if a.clock == "cpu" && a.timer == "pyperf" {
        bail!("--clock cpu times with the driver's own loop; pyperf measures wall time");
    }
    let settings = Settings {
        interpreters: interpreters(&a.python)?,
        programs: programs(a)?,
        variants,
        skip_unavailable,
        work_dir: a.work.clone(),
        pycopt: pycopt_path(&a.variants),
        scripts_dir: workspace_root().join("benches/scripts"),
        count: !a.no_count,
        count_all: a.count_all,
        timing: timing(a),
        timer: match a.timer.as_str() {
            "pyperf" => Timer::Pyperf,
            "interleaved" => Timer::Interleaved,
            _ => Timer::Auto,
        },
        pyperf_path: a
            .pyperf_path
            .as_ref()
            .map(std::path::absolute)
            .transpose()?,
        timeout: Duration::from_secs(a.timeout),
        verbose: !a.quiet,
        checkpoint: Some(a.out.join("report.partial.json")),
    };
    let report = harness::run(&settings)?;
    let _ = std::fs::remove_file(a.out.join("report.partial.json"));
    finish(&report, &a.out)
}

fn fetch(a: &FetchArgs) -> Result<u8> {
    // Any interpreter of 3.8+ with pip will do; prefer the newest.
    let interp = pycopt_corpus::find_all()
        .into_iter()
        .rev()
        .find(|i| {
            i.version() >= (3, 8)
                && i.run(["-m", "pip", "--version"])
                    .is_ok_and(|o| o.status.success())
        })
        .context("no CPython 3.8+ with pip found by the interpreter search")?;
    let script = workspace_root().join("benches/scripts/fetch_pyperformance.py");
    let mut args = a.args.clone();
    if !args.iter().any(|x| x.starts_with("--cache")) {
        args.push("--cache".into());
        args.push(
            workspace_root()
                .join("target/bench-cache")
                .display()
                .to_string(),
        );
    }
    let status = interp
        .command()
        .arg(&script)
        .args(&args)
        .status()
        .with_context(|| format!("running {}", script.display()))?;
    Ok(if status.success() { 0 } else { 1 })
}

fn static_only(a: &StaticArgs) -> Result<u8> {
    let (variants, skip) = variants(&a.variants)?;
    let report = harness::static_only(
        &a.paths,
        &variants,
        skip,
        &pycopt_path(&a.variants),
        &a.work,
    )?;
    finish(&report, &a.out)
}

fn rerender(a: &ReportArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&a.json)
        .with_context(|| format!("reading {}", a.json.display()))?;
    let report: Report =
        serde_json::from_str(&text).with_context(|| format!("{}", a.json.display()))?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| a.json.parent().unwrap_or(Path::new(".")).to_path_buf());
    finish(&report, &out)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r = match &cli.command {
        Cmd::Run(a) => run(a),
        Cmd::Fetch(a) => fetch(a),
        Cmd::Static(a) => static_only(a),
        Cmd::Report(a) => rerender(a),
    };
    match r {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
