//! Semantic tests: the programs of `corpus/semantic/` (listed with what each covers in
//! its `README.md`) are compiled by every interpreter found, run stock, then rewritten
//! by `pycopt opt` at every level and run again; what they print must not change.
//!
//! For each interpreter (3.8–3.13 required, a failure under `CI=true` when missing;
//! 2.7, 3.6 and 3.7 when present), each program the version supports (`# requires:
//! X.Y`, default: all) and the support modules of its packages are compiled with
//! `py_compile` into a legacy layout (`NAME.pyc` beside each other, so `python
//! NAME.pyc` runs it and `import semantic_pkg.x` finds `semantic_pkg/x.pyc`), three
//! times: optimize 0, 1 (`python -O`) and 2 (`python -OO`). The optimize-0 folder goes
//! through `pycopt opt ARGS stock0 -o opt-KEY` for each of [`VARIANTS`] (`-O0`, `-O0
//! --rebuild`, `-O1`, `-O2`, `-Os`, `-O3`, `-O3 --strip asserts,docstrings`); then every
//! program is run from each folder (`python NAME.pyc`, in that folder, with
//! `PYTHONHASHSEED=0`) and its exit status, stdout and stderr (the run folder's path
//! replaced by `<DIR>`) are compared with the stock run. A `pycopt` run that fails, or
//! keeps a code object because its rewritten code failed verification, fails too.
//!
//! The rule for outputs a variant may legitimately change: a program declares in a
//! header comment what it observes (`# observes: asserts docstrings ...`, names from
//! [`Feature`]); what a variant may change is read from its arguments
//! ([`Variant::changes`]: assumptions and strips; any pass may change literal
//! identity; `-O1`/`-O2`/`-Os` nothing else). For a feature both name:
//! - `asserts` / `docstrings` have a CPython flag: the expected output is the stock
//!   program compiled with optimize 1 (`python -O`) / 2 (`-OO`). Before 3.9 an assert
//!   compiles to the same bytecode as `if not x: raise AssertionError`, so stripping it
//!   is ambiguous and both the optimize-0 and the optimize-1 output are accepted there
//!   (but not a mixture).
//! - every other feature has none: the program prefixes each line whose content
//!   depends on it with `~FEATURE:`, and such lines are compared only up to that
//!   prefix (the line must still be there, in the same place).
//!
//! Every other line must be identical. Stock runs are checked too: the exit status the
//! program declares (`# exit: N`, default 0), and for status 0 an empty stderr and a
//! last stdout line `done`, so a program that stops early on some version is noticed;
//! a `~FEATURE:` line must name a feature the program declares.
//!
//! Environment, to narrow a run while working on a pass: `PYCOPT_SEMANTIC_LEVELS`
//! (comma-separated variant keys, e.g. `0,0r`; default all), `PYCOPT_SEMANTIC_VERSIONS`
//! (e.g. `3.12,3.13`), `PYCOPT_SEMANTIC_PROGRAMS` (program names without `.py`),
//! `PYCOPT_SEMANTIC_JOBS` (parallel processes; default: the number of cores), and
//! `PYCOPT_SEMANTIC_ARGS` (one more variant, `custom`, with these `pycopt opt`
//! arguments, e.g. `--passes fold-constants --assume builtins`). On failure the scratch
//! folder is kept (its path is printed) with every output, and `report.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pycopt_corpus::compile::{compile, Invalidation, Job, JobResult};
use pycopt_corpus::Interpreter;

mod common;

/// Something a program can observe that some variant may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Feature {
    /// Assert statements (`--strip asserts`; CPython: `-O`).
    Asserts,
    /// Docstrings (`--strip docstrings`; CPython: `-OO`).
    Docstrings,
    /// Builtins patched at run time from outside the bytecode (`--assume builtins`).
    Builtins,
    /// Module constants rebound from outside their module (`--assume final-globals`).
    FinalGlobals,
    /// Frame locals read from outside the observed file (`--assume
    /// no-frame-introspection`).
    FrameLocals,
    /// `sys.settrace` line events installed from outside the traced file (passes acting
    /// under `no-frame-introspection` may drop them).
    LineEvents,
    /// `is` between equal constants that CPython does not promise to share or keep
    /// apart (a folded or merged constant may change it).
    LiteralIdentity,
    /// An assert that cannot pass (`assert False, msg`): from 3.10 CPython deletes the
    /// code after it, so stripping has nowhere to continue and `--strip asserts`
    /// leaves it in place (documented in the README), unlike `python -O`.
    UnconditionalAsserts,
}

impl Feature {
    const ALL: [Feature; 8] = [
        Feature::Asserts,
        Feature::Docstrings,
        Feature::Builtins,
        Feature::FinalGlobals,
        Feature::FrameLocals,
        Feature::LineEvents,
        Feature::LiteralIdentity,
        Feature::UnconditionalAsserts,
    ];

    fn name(self) -> &'static str {
        match self {
            Feature::Asserts => "asserts",
            Feature::Docstrings => "docstrings",
            Feature::Builtins => "builtins",
            Feature::FinalGlobals => "final-globals",
            Feature::FrameLocals => "frame-locals",
            Feature::LineEvents => "line-events",
            Feature::LiteralIdentity => "literal-identity",
            Feature::UnconditionalAsserts => "unconditional-asserts",
        }
    }

    fn parse(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Features with a CPython flag are compared against the stock program compiled
    /// at that optimize level instead of being masked.
    fn has_cpython_flag(self) -> bool {
        matches!(self, Feature::Asserts | Feature::Docstrings)
    }
}

/// One way of running `pycopt opt` over the stock files.
#[derive(Clone, Debug)]
struct Variant {
    /// The key `PYCOPT_SEMANTIC_LEVELS` names it by (folder `opt-KEY`).
    key: String,
    /// The arguments given to `pycopt opt` before the input and `-o OUT`.
    args: Vec<String>,
}

/// Every variant, in report order: key and `pycopt opt` arguments. Levels never
/// strip (`--strip` is never implied by a level), hence `3strip`.
const VARIANTS: &[(&str, &str)] = &[
    ("0", "-O0"),
    ("0r", "-O0 --rebuild"),
    ("1", "-O1"),
    ("2", "-O2"),
    ("s", "-Os"),
    ("3", "-O3"),
    ("3strip", "-O3 --strip asserts,docstrings"),
];

impl Variant {
    fn new(key: &str, args: &str) -> Variant {
        Variant {
            key: key.to_string(),
            args: args.split_whitespace().map(str::to_string).collect(),
        }
    }

    /// What the variant may change, read from its arguments:
    /// - anything that runs passes (`-O1` and up, `--passes`, `--assume`, `--strip`)
    ///   may change literal identity, which CPython leaves undefined; nothing else:
    ///   `-O1`, `-O2` and `-Os` promise changes no program can observe except through
    ///   its bytecode, so line events and frame locals must stay;
    /// - `-O3` and `--assume all` turn on every assumption; `--assume builtins`,
    ///   `final-globals`, `no-frame-introspection` (frame locals and line events) one;
    /// - `--strip asserts`, `--strip docstrings`.
    fn changes(&self) -> BTreeSet<Feature> {
        let mut out = BTreeSet::new();
        let mut args = self.args.iter().map(String::as_str);
        let mut assumed: Vec<&str> = Vec::new();
        let mut passes = false;
        while let Some(a) = args.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) => (f, Some(v)),
                None => (a, None),
            };
            match flag {
                "-O1" | "-O2" | "-Os" => passes = true,
                "-O3" => {
                    passes = true;
                    assumed.push("all");
                }
                "--passes" | "--assume" | "--strip" => {
                    passes = true;
                    let value = inline.or_else(|| args.next()).unwrap_or_default();
                    for item in value.split(',') {
                        match (flag, item) {
                            ("--assume", _) => assumed.push(item),
                            ("--strip", "asserts") => {
                                out.insert(Feature::Asserts);
                                out.insert(Feature::UnconditionalAsserts);
                            }
                            ("--strip", "docstrings") => {
                                out.insert(Feature::Docstrings);
                            }
                            ("--strip", _) => {
                                panic!("variant {}: unknown --strip {item}", self.key)
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if passes {
            out.insert(Feature::LiteralIdentity);
        }
        for a in assumed {
            match a {
                "all" => out.extend([
                    Feature::Builtins,
                    Feature::FinalGlobals,
                    Feature::FrameLocals,
                    Feature::LineEvents,
                ]),
                "builtins" => {
                    out.insert(Feature::Builtins);
                }
                "final-globals" => {
                    out.insert(Feature::FinalGlobals);
                }
                "no-frame-introspection" => out.extend([Feature::FrameLocals, Feature::LineEvents]),
                _ => panic!("variant {}: unknown --assume {a}", self.key),
            }
        }
        out
    }
}

/// Versions that must be present under CI; the others are tested when found.
const REQUIRED: &[(u8, u8)] = &[(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)];

/// Longest a single program run may take before it counts as hung.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A program of `corpus/semantic/` and what its header says.
#[derive(Debug)]
struct Program {
    /// File name without `.py`.
    name: String,
    /// Oldest version that runs it (`# requires: X.Y`).
    requires: (u8, u8),
    /// `# observes: ...`.
    observes: BTreeSet<Feature>,
    /// `# exit: N`: the status the stock run ends with.
    exit: i32,
}

/// A support module (any `.py` below a subfolder), compiled beside the programs.
#[derive(Debug)]
struct Support {
    /// Path relative to `corpus/semantic`, with `/`.
    rel: String,
    requires: (u8, u8),
}

/// Reads the header comments of a source: `# requires:`, `# observes:`, `# exit:`
/// lines among its first 40 lines.
fn header(path: &Path) -> ((u8, u8), BTreeSet<Feature>, i32) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut requires = (2, 7);
    let mut observes = BTreeSet::new();
    let mut exit = 0;
    for line in text.lines().take(40) {
        if let Some(v) = line.strip_prefix("# requires:") {
            requires = pycopt_corpus::parse_tag(v)
                .unwrap_or_else(|| panic!("{}: bad `# requires:` {v:?}", path.display()));
        } else if let Some(v) = line.strip_prefix("# observes:") {
            for word in v.split_whitespace() {
                let f = Feature::parse(word).unwrap_or_else(|| {
                    panic!(
                        "{}: unknown feature `{word}` in `# observes:` (known: {})",
                        path.display(),
                        Feature::ALL.map(Feature::name).join(", ")
                    )
                });
                observes.insert(f);
            }
        } else if let Some(v) = line.strip_prefix("# exit:") {
            exit = v
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("{}: bad `# exit:` {v:?}", path.display()));
        }
    }
    (requires, observes, exit)
}

fn semantic_dir() -> PathBuf {
    common::repo().join("corpus/semantic")
}

/// The programs (top-level `*.py`) and support modules (`*.py` in subfolders).
fn sources() -> (Vec<Program>, Vec<Support>) {
    let root = semantic_dir();
    let mut programs = Vec::new();
    let mut support = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "__pycache__") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "py") {
                continue;
            }
            let (requires, observes, exit) = header(&path);
            let rel = path.strip_prefix(&root).unwrap();
            if dir == root {
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                programs.push(Program {
                    name,
                    requires,
                    observes,
                    exit,
                });
            } else {
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                support.push(Support { rel, requires });
            }
        }
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    support.sort_by(|a, b| a.rel.cmp(&b.rel));
    (programs, support)
}

/// A comma-separated filter from the environment, if set.
fn env_list(var: &str) -> Option<Vec<String>> {
    let v = std::env::var(var).ok()?;
    let items: Vec<String> = v
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    eprintln!("note: {var}={v}: this run is narrowed");
    Some(items)
}

fn selected_variants() -> Vec<Variant> {
    let all: Vec<Variant> = VARIANTS.iter().map(|(k, a)| Variant::new(k, a)).collect();
    let mut chosen = match env_list("PYCOPT_SEMANTIC_LEVELS") {
        None => all,
        Some(keys) => keys
            .iter()
            .map(|k| {
                all.iter()
                    .find(|v| &v.key == k)
                    .cloned()
                    .unwrap_or_else(|| {
                        panic!(
                            "PYCOPT_SEMANTIC_LEVELS: unknown variant `{k}` (known: {})",
                            VARIANTS
                                .iter()
                                .map(|(k, _)| *k)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
            })
            .collect(),
    };
    if let Ok(args) = std::env::var("PYCOPT_SEMANTIC_ARGS") {
        eprintln!("note: PYCOPT_SEMANTIC_ARGS={args}: a variant `custom` is added");
        chosen.push(Variant::new("custom", &args));
    }
    chosen
}

fn selected_interpreters() -> Vec<&'static Interpreter> {
    let wanted = env_list("PYCOPT_SEMANTIC_VERSIONS").map(|l| {
        l.iter()
            .map(|t| {
                pycopt_corpus::parse_tag(t)
                    .unwrap_or_else(|| panic!("PYCOPT_SEMANTIC_VERSIONS: bad version `{t}`"))
            })
            .collect::<Vec<_>>()
    });
    pycopt_corpus::SUPPORTED
        .iter()
        .filter(|v| wanted.as_ref().is_none_or(|w| w.contains(v)))
        .filter_map(|&(major, minor)| {
            if REQUIRED.contains(&(major, minor)) {
                pycopt_corpus::require(major, minor)
            } else {
                pycopt_corpus::find(major, minor)
            }
        })
        .collect()
}

/// Runs `f` over `items` on `jobs` threads; results in item order.
fn parallel_map<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker thread"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// How a run ended, and what it printed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    status: String,
    stdout: String,
    stderr: String,
}

fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    format!("{status}")
}

/// Runs `python NAME.pyc` in `dir`; output goes to files beside it (no pipes to
/// drain), and a run longer than [`RUN_TIMEOUT`] is killed.
fn run_program(interp: &Interpreter, dir: &Path, name: &str) -> Outcome {
    let out_path = dir.join(format!("{name}.stdout"));
    let err_path = dir.join(format!("{name}.stderr"));
    let mut cmd: Command = interp.command();
    cmd.arg(format!("{name}.pyc"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // A crash (the LOAD_FAST of an unbound local on 3.12+) shows where it happened.
        .env("PYTHONFAULTHANDLER", "1");
    for var in [
        "PYTHONOPTIMIZE",
        "PYTHONWARNINGS",
        "PYTHONDEVMODE",
        "PYTHONSAFEPATH",
        "PYTHONVERBOSE",
        "PYTHONDEBUG",
        "PYTHONUTF8",
        "SOURCE_DATE_EPOCH",
    ] {
        cmd.env_remove(var);
    }
    let start = Instant::now();
    let status = match cmd.spawn() {
        Err(e) => format!("cannot start {}: {e}", interp.executable.display()),
        Ok(mut child) => loop {
            if let Some(s) = child.try_wait().expect("wait for the interpreter") {
                break describe_status(s);
            }
            if start.elapsed() > RUN_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break format!("timed out after {}s", RUN_TIMEOUT.as_secs());
            }
            std::thread::sleep(Duration::from_millis(1));
        },
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
    let dir_text = dir.display().to_string();
    Outcome {
        status,
        stdout: read(&out_path).replace(&dir_text, "<DIR>"),
        stderr: read(&err_path).replace(&dir_text, "<DIR>"),
    }
}

/// The features of a marked line `~FEATURE: ...`.
fn marked_feature(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('~')?;
    let (name, _) = rest.split_once(':')?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-')).then_some(name)
}

/// `text` with the content of every line marked by one of `masked` replaced.
fn mask(text: &str, masked: &BTreeSet<Feature>) -> String {
    if masked.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match marked_feature(line).and_then(Feature::parse) {
            Some(f) if masked.contains(&f) => {
                out.push_str(&format!("~{}: <may differ>\n", f.name()));
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The first difference between two texts, with a little context.
fn diff(expected: &str, got: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let first = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .unwrap_or(0);
    let from = first.saturating_sub(2);
    let mut s = format!("first difference at line {}\n", first + 1);
    for (label, lines) in [("expected", &a), ("got", &b)] {
        let _ = writeln!(s, "  --- {label}");
        for (i, line) in lines.iter().enumerate().skip(from).take(8) {
            let _ = writeln!(
                s,
                "  {}{:>4} | {line}",
                if i == first { '>' } else { ' ' },
                i + 1
            );
        }
        if lines.len() <= first {
            let _ = writeln!(s, "  >{:>4} | <end of output>", first + 1);
        }
    }
    s
}

/// Why `got` is not `want` (after masking), or `None` when they agree.
fn compare(want: &Outcome, got: &Outcome, masked: &BTreeSet<Feature>) -> Option<String> {
    let mut why = String::new();
    if want.status != got.status {
        let _ = writeln!(why, "status: expected {}, got {}", want.status, got.status);
    }
    for (stream, w, g) in [
        ("stdout", &want.stdout, &got.stdout),
        ("stderr", &want.stderr, &got.stderr),
    ] {
        let (w, g) = (mask(w, masked), mask(g, masked));
        if w != g {
            let _ = write!(why, "{stream}: {}", diff(&w, &g));
        }
    }
    (!why.is_empty()).then_some(why)
}

/// Checks a stock run against what the program declares.
fn check_stock(p: &Program, o: &Outcome) -> Option<String> {
    let mut why = String::new();
    let want = format!("exit {}", p.exit);
    if o.status != want {
        let _ = writeln!(why, "status {} (the program declares `{want}`)", o.status);
    }
    if p.exit == 0 {
        if !o.stderr.is_empty() {
            let _ = writeln!(why, "stderr is not empty:\n{}", o.stderr);
        }
        if o.stdout.lines().last() != Some("done") {
            let _ = writeln!(why, "stdout does not end with the line `done`");
        }
    }
    for line in o.stdout.lines().chain(o.stderr.lines()) {
        if let Some(name) = marked_feature(line) {
            match Feature::parse(name) {
                Some(f) if p.observes.contains(&f) => {}
                Some(_) => {
                    let _ = writeln!(why, "line marked `~{name}:` but `# observes:` lacks it");
                }
                None => {
                    let _ = writeln!(why, "line marked with unknown feature `~{name}:`");
                }
            }
        }
    }
    (!why.is_empty()).then_some(why)
}

/// The stock optimize levels whose output a variant's run of `p` may match, and the
/// features whose marked lines are masked.
fn expectation(p: &Program, v: &Variant, version: (u8, u8)) -> (Vec<u8>, BTreeSet<Feature>) {
    let changed: BTreeSet<Feature> = v.changes().intersection(&p.observes).copied().collect();
    let masked = changed
        .iter()
        .copied()
        .filter(|f| !f.has_cpython_flag())
        .collect();
    let asserts = changed.contains(&Feature::Asserts);
    let docstrings = changed.contains(&Feature::Docstrings);
    let levels = if docstrings {
        assert!(
            asserts || !p.observes.contains(&Feature::Asserts),
            "{}: observes asserts and docstrings, but variant `{}` strips only docstrings: \
             no CPython flag does that",
            p.name,
            v.key
        );
        vec![2]
    } else if asserts && version < (3, 9) {
        vec![1, 0]
    } else if asserts {
        vec![1]
    } else {
        vec![0]
    };
    (levels, masked)
}

/// Folder names of one interpreter's scratch space.
fn stock_dir(level: u8) -> String {
    format!("stock{level}")
}

fn variant_dir(v: &Variant) -> String {
    format!("opt-{}", v.key)
}

struct Failure {
    version: (u8, u8),
    variant: String,
    program: String,
    detail: String,
}

#[test]
fn optimized_programs_behave_like_the_originals() {
    let started = Instant::now();
    let (mut programs, support) = sources();
    assert!(
        programs.len() >= 25,
        "corpus/semantic has {} programs",
        programs.len()
    );
    if let Some(names) = env_list("PYCOPT_SEMANTIC_PROGRAMS") {
        for n in &names {
            assert!(
                programs.iter().any(|p| &p.name == n),
                "PYCOPT_SEMANTIC_PROGRAMS: no program `{n}`"
            );
        }
        programs.retain(|p| names.contains(&p.name));
    }
    let variants = selected_variants();
    let interps = selected_interpreters();
    if interps.is_empty() {
        eprintln!("note: no interpreter found; nothing to run (see corpus/README.md)");
        return;
    }
    let jobs = std::env::var("PYCOPT_SEMANTIC_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let scratch = common::tempdir("semantic");
    let src_root = semantic_dir();
    let version_dir = |i: &Interpreter| scratch.join(i.tag());

    // 1. Compile: every program and support module the version supports, at each
    //    optimize level, into a legacy layout.
    let compile_work: Vec<(&Interpreter, u8)> = interps
        .iter()
        .flat_map(|&i| (0..=2).map(move |l| (i, l)))
        .collect();
    let compiled = parallel_map(&compile_work, jobs, |&(interp, level)| {
        let out = version_dir(interp).join(stock_dir(level));
        let rels = programs
            .iter()
            .filter(|p| interp.version() >= p.requires)
            .map(|p| format!("{}.py", p.name))
            .chain(
                support
                    .iter()
                    .filter(|s| interp.version() >= s.requires)
                    .map(|s| s.rel.clone()),
            );
        let job_list: Vec<Job> = rels
            .map(|rel| Job {
                source: src_root.join(&rel),
                dest: out.join(format!("{}.pyc", rel.strip_suffix(".py").unwrap())),
                display_name: rel,
                optimize: level,
                invalidation: Invalidation::Timestamp,
            })
            .collect();
        let results =
            compile(interp, &job_list).unwrap_or_else(|e| panic!("compiling with {interp}: {e}"));
        let failed: Vec<String> = job_list
            .iter()
            .zip(results)
            .filter_map(|(j, r)| match r {
                JobResult::Compiled => None,
                JobResult::Failed(why) => Some(format!("{}: {why}", j.display_name)),
            })
            .collect();
        (interp.tag(), level, failed)
    });
    for (tag, level, failed) in &compiled {
        assert!(
            failed.is_empty(),
            "Python {tag} (optimize {level}) cannot compile programs that should run on \
             it (fix the program or its `# requires:`):\n{}",
            failed.join("\n")
        );
    }

    // 2. Optimize the stock folder once per variant (pycopt on one thread each: the
    //    variants already run side by side).
    let opt_work: Vec<(&Interpreter, &Variant)> = interps
        .iter()
        .flat_map(|&i| variants.iter().map(move |v| (i, v)))
        .collect();
    let optimized = parallel_map(&opt_work, jobs, |&(interp, v)| {
        let base = version_dir(interp);
        let out = base.join(variant_dir(v));
        let mut args: Vec<&str> = vec!["opt"];
        args.extend(v.args.iter().map(String::as_str));
        let (input, output) = (base.join(stock_dir(0)), out.clone());
        let (input, output) = (input.to_str().unwrap(), output.to_str().unwrap());
        args.extend(["-q", "-j", "1", input, "-o", output]);
        let r = common::pycopt(&args);
        let stderr = common::text(&r.stderr);
        // A failed run wrote nothing usable; a code object kept as it was (its
        // rewritten code failed verification) is a failure, but the files still run.
        let written = r.status.success();
        let problem = if !written {
            Some(format!(
                "`pycopt {}` failed ({}):\n{stderr}",
                args.join(" "),
                describe_status(r.status)
            ))
        } else if stderr.contains("kept the original code") {
            Some(format!(
                "`pycopt {}` kept code objects whose rewritten code failed verification:\n{stderr}",
                args.join(" ")
            ))
        } else {
            None
        };
        (interp.version(), v, written, problem)
    });

    // 3. Run every program from each folder it is expected in.
    let mut runs: Vec<(&Interpreter, String, &Program)> = Vec::new();
    let mut failures: Vec<Failure> = Vec::new();
    for &interp in &interps {
        for p in programs.iter().filter(|p| interp.version() >= p.requires) {
            let mut stock_levels: BTreeSet<u8> = BTreeSet::from([0]);
            for v in &variants {
                stock_levels.extend(expectation(p, v, interp.version()).0);
                let broken = optimized.iter().any(|(version, variant, written, _)| {
                    *version == interp.version() && variant.key == v.key && !written
                });
                if !broken {
                    runs.push((interp, variant_dir(v), p));
                }
            }
            for l in stock_levels {
                runs.push((interp, stock_dir(l), p));
            }
        }
    }
    for (version, variant, _, problem) in &optimized {
        if let Some(problem) = problem {
            failures.push(Failure {
                version: *version,
                variant: variant.args.join(" "),
                program: "(all)".to_string(),
                detail: problem.clone(),
            });
        }
    }
    let outcomes = parallel_map(&runs, jobs, |(interp, dir, p)| {
        run_program(interp, &version_dir(interp).join(dir), &p.name)
    });
    let mut by_key: BTreeMap<(String, String, String), Outcome> = BTreeMap::new();
    for ((interp, dir, p), o) in runs.iter().zip(outcomes) {
        by_key.insert((interp.tag(), dir.clone(), p.name.clone()), o);
    }

    // 4. Compare.
    let mut compared = 0usize;
    for &interp in &interps {
        let tag = interp.tag();
        for p in programs.iter().filter(|p| interp.version() >= p.requires) {
            let get = |dir: &str| by_key.get(&(tag.clone(), dir.to_string(), p.name.clone()));
            for (dir, o) in (0..=2).filter_map(|l| Some((stock_dir(l), get(&stock_dir(l))?))) {
                if let Some(why) = check_stock(p, o) {
                    failures.push(Failure {
                        version: interp.version(),
                        variant: format!("stock ({dir})"),
                        program: p.name.clone(),
                        detail: format!("the stock program misbehaves:\n{why}"),
                    });
                }
            }
            for v in &variants {
                let Some(got) = get(&variant_dir(v)) else {
                    continue; // pycopt failed: reported once above
                };
                compared += 1;
                let (levels, masked) = expectation(p, v, interp.version());
                let verdicts: Vec<Option<String>> = levels
                    .iter()
                    .map(|&l| compare(get(&stock_dir(l)).expect("stock run"), got, &masked))
                    .collect();
                if verdicts.iter().any(Option::is_none) {
                    continue;
                }
                let reference = match levels[0] {
                    0 => "the stock program".to_string(),
                    l => format!("the stock program compiled with optimize={l}"),
                };
                failures.push(Failure {
                    version: interp.version(),
                    variant: v.args.join(" "),
                    program: p.name.clone(),
                    detail: format!(
                        "differs from {reference}{}:\n{}",
                        if masked.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " (lines marked {} masked)",
                                masked
                                    .iter()
                                    .map(|f| format!("~{}:", f.name()))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            )
                        },
                        verdicts[0].as_deref().unwrap_or_default()
                    ),
                });
            }
        }
    }

    let tags: Vec<String> = interps.iter().map(|i| i.tag()).collect();
    let summary = format!(
        "semantic: {} programs, Pythons {}, variants {}: {} optimized runs compared, {} \
         process runs in {:.1}s on {jobs} threads",
        programs.len(),
        tags.join(" "),
        variants
            .iter()
            .map(|v| v.key.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        compared,
        runs.len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!("{summary}");
    if failures.is_empty() {
        let _ = fs::remove_dir_all(&scratch);
        return;
    }
    failures.sort_by(|a, b| {
        (a.version, &a.variant, &a.program).cmp(&(b.version, &b.variant, &b.program))
    });
    let mut report = String::new();
    for f in &failures {
        let _ = writeln!(
            report,
            "=== Python {} | {} | {}\n{}",
            pycopt_corpus::tag(f.version),
            f.variant,
            f.program,
            f.detail
        );
    }
    let report_path = scratch.join("report.txt");
    fs::write(&report_path, &report).unwrap();
    let mut counts: BTreeMap<((u8, u8), String), usize> = BTreeMap::new();
    for f in &failures {
        *counts.entry((f.version, f.variant.clone())).or_default() += 1;
    }
    let mut table = String::new();
    for ((version, variant), n) in &counts {
        let tag = pycopt_corpus::tag(*version);
        let _ = writeln!(table, "  Python {tag:<5} {variant:<40} {n} failing");
    }
    let shown: String = report
        .split("=== ")
        .filter(|s| !s.is_empty())
        .take(12)
        .map(|s| {
            let lines: Vec<&str> = s.lines().take(30).collect();
            format!("=== {}\n", lines.join("\n"))
        })
        .collect();
    panic!(
        "{summary}\n{} failures:\n{table}\nThe first ones:\n{shown}\nEverything (outputs of \
         every run, report.txt) is kept in {}",
        failures.len(),
        scratch.display()
    );
}

/// The comparison rule itself, on made-up outputs.
#[test]
fn the_rule_masks_only_declared_features_and_picks_cpython_references() {
    let program = |observes: &[Feature]| Program {
        name: "p".to_string(),
        requires: (2, 7),
        observes: observes.iter().copied().collect(),
        exit: 0,
    };
    let variants: Vec<Variant> = VARIANTS.iter().map(|(k, a)| Variant::new(k, a)).collect();
    let variant = |key: &str| variants.iter().find(|v| v.key == key).unwrap();

    // What each variant may change, as the README's table says.
    use Feature::*;
    let assumed = [
        Builtins,
        FinalGlobals,
        FrameLocals,
        LineEvents,
        LiteralIdentity,
    ];
    for (key, want) in [
        ("0", &[][..]),
        ("0r", &[]),
        ("1", &[LiteralIdentity]),
        ("2", &[LiteralIdentity]),
        ("s", &[LiteralIdentity]),
        ("3", &assumed),
    ] {
        assert_eq!(
            variant(key).changes(),
            want.iter().copied().collect(),
            "{key}"
        );
    }
    let mut strip = BTreeSet::from(assumed);
    strip.extend([Asserts, Docstrings, UnconditionalAsserts]);
    assert_eq!(variant("3strip").changes(), strip);
    assert_eq!(
        Variant::new(
            "c",
            "--passes fold-constants --assume=no-frame-introspection"
        )
        .changes(),
        BTreeSet::from([FrameLocals, LineEvents, LiteralIdentity])
    );

    // Masking keeps the line and its feature, and touches nothing else.
    let masked = BTreeSet::from([Feature::FrameLocals]);
    assert_eq!(
        mask("a\n~frame-locals: x=1\n~line-events: 1 2\n", &masked),
        "a\n~frame-locals: <may differ>\n~line-events: 1 2\n"
    );
    let out = |s: &str| Outcome {
        status: "exit 0".into(),
        stdout: s.into(),
        stderr: String::new(),
    };
    assert!(compare(
        &out("~frame-locals: 1\ndone\n"),
        &out("~frame-locals: 2\ndone\n"),
        &masked
    )
    .is_none());
    assert!(compare(&out("~frame-locals: 1\ndone\n"), &out("done\n"), &masked).is_some());
    assert!(compare(&out("x\ndone\n"), &out("y\ndone\n"), &masked).is_some());

    // A program observing nothing must match the stock output everywhere.
    for v in &variants {
        assert_eq!(
            expectation(&program(&[]), v, (3, 12)),
            (vec![0], BTreeSet::new())
        );
    }
    // Observed features are masked only where the variant may change them.
    let outside = program(&[Feature::FrameLocals, Feature::LineEvents]);
    assert_eq!(
        expectation(&outside, variant("2"), (3, 12)).1,
        BTreeSet::new()
    );
    assert_eq!(
        expectation(&outside, variant("3"), (3, 12)).1,
        BTreeSet::from([Feature::FrameLocals, Feature::LineEvents])
    );
    // Stripping compares with CPython's -O / -OO; before 3.9 asserts may stay.
    let asserts = program(&[Feature::Asserts]);
    assert_eq!(expectation(&asserts, variant("3"), (3, 12)).0, [0]);
    assert_eq!(expectation(&asserts, variant("3strip"), (3, 12)).0, [1]);
    assert_eq!(expectation(&asserts, variant("3strip"), (3, 8)).0, [1, 0]);
    let docstrings = program(&[Feature::Docstrings]);
    assert_eq!(
        expectation(&docstrings, variant("3strip"), (3, 8)),
        (vec![2], BTreeSet::new())
    );
    assert_eq!(expectation(&docstrings, variant("2"), (3, 8)).0, [0]);

    // Stock runs must end as declared and mark only declared features.
    assert!(check_stock(&program(&[]), &out("x\ndone\n")).is_none());
    assert!(check_stock(&program(&[]), &out("x\n")).is_some());
    assert!(check_stock(&program(&[]), &out("~frame-locals: 1\ndone\n")).is_some());
    assert!(check_stock(&outside, &out("~frame-locals: 1\ndone\n")).is_none());
    assert!(check_stock(&outside, &out("~frame-local: 1\ndone\n")).is_some());
}
