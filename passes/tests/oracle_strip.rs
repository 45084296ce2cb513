//! `strip-asserts` and `strip-docstrings` against CPython's own `-O` and `-OO`.
//!
//! # The oracle
//!
//! Every installed standard library ships, beside `__pycache__/m.cpython-3Y.pyc`, the
//! files `m.cpython-3Y.opt-1.pyc` (compiled with `-O`) and `.opt-2.pyc` (`-OO`). For
//! each module of 3.8–3.13 that has them, [`opt_oracle`] runs our passes (through the
//! pass manager, verifying after every pass) over the plain file and compares each code
//! object with the oracle's (matched by dotted path and first line):
//!
//! - *exact*: the multisets of reachable instructions, `NOP`s left out, with arguments
//!   resolved (constants by value, names, locals) and jumps by kind only (the
//!   forward/backward and absolute/relative spellings of one jump are one kind);
//! - *without jumps*: the sets of the same instructions, jumps left out (a removed
//!   statement changes which jumps the compiler's later steps thread or invert, and
//!   which exit blocks such as `return None` it copies into their predecessors).
//!
//! What differs is classified (see `Class`); the figures and the classes are printed
//! (`--nocapture`; `PYCOPT_STRIP_ALL=1` lists every differing code object) and bounded
//! below, so a regression fails the test. Measured (CPython 3.6.15–3.13.0 stdlibs,
//! exact / without jumps): 3.8 99.96/99.96 %, 3.9 99.96/99.96 %, 3.10 99.89/99.91 %,
//! 3.11 99.90/99.91 %, 3.12 99.89/99.91 %, 3.13 99.90/99.92 %, at both levels. The
//! differences left: asserts that cannot pass (3.10+), `if __debug__:` blocks,
//! emptied `try` bodies, jump and exit-copy layout, code objects only referenced
//! from stripped asserts, and the ambiguities the pass documents.
//!
//! # Behaviour
//!
//! - [`stripped_stdlib_modules_run`]: a few standard modules, stripped, are imported
//!   from a folder put first on `sys.path` and exercised; their output equals that of
//!   the interpreter running its own `-O` / `-OO` files.
//! - [`programs_behave_like_python_o`]: programs whose output depends on asserts and
//!   docstrings (`passes/tests/strip_programs/*.py`) print the same when compiled by
//!   CPython with `optimize=1`/`2` as when compiled normally and stripped by us.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pycopt_core::cfg::build;
use pycopt_core::code::{walk_code, Code};
use pycopt_core::constant::Constant;
use pycopt_core::marshal::ObjectGraph;
use pycopt_core::opcode::ArgKind;
use pycopt_core::{PyVersion, Pyc};
use pycopt_corpus::Interpreter;
use pycopt_passes::{Options, Strip};
use rayon::prelude::*;

/// Versions whose stdlibs are compared (3.6 and 3.7 too: their `-O` files exist and
/// exercise the `LOAD_GLOBAL AssertionError` rules).
const VERSIONS: &[(u8, u8)] = &[
    (3, 6),
    (3, 7),
    (3, 8),
    (3, 9),
    (3, 10),
    (3, 11),
    (3, 12),
    (3, 13),
];

/// One code object's instructions, as compared: sorted `OPNAME arg` strings.
fn signature(g: &ObjectGraph, code: &Code, version: PyVersion, jumps: bool) -> Vec<String> {
    let Ok(cfg) = build(code, g, version) else {
        return vec!["<no graph>".into()];
    };
    let names = code.names(g);
    let locals: Vec<String> = code
        .locals_plus(g)
        .into_iter()
        .map(|(n, _)| n.into_owned())
        .collect();
    let derefs: Vec<String> = code
        .deref_names(g)
        .into_iter()
        .map(|n| n.into_owned())
        .collect();
    let consts = code.consts(g);
    let mut out = Vec::new();
    for b in cfg.reachable() {
        for ins in &cfg.block(b).instrs {
            if ins.op.flow.nop || ins.op.flow.extended_arg {
                continue;
            }
            let is_jump =
                ins.op.jump.is_some() && !ins.op.flow.for_iter && !ins.op.flow.setup_block;
            if is_jump && !jumps {
                continue;
            }
            let name = jump_kind(ins.op.name);
            let arg = match ins.op.arg_kind {
                _ if ins.op.jump.is_some() => String::new(),
                ArgKind::Const => match consts.get(ins.arg as usize) {
                    Some(&c) => value(g, &Constant::from_graph(g, c), version),
                    None => "?".into(),
                },
                ArgKind::Name { shift } => format!(
                    "{} {}",
                    names
                        .get((ins.arg >> shift) as usize)
                        .map_or("?", |n| n.as_ref()),
                    ins.arg & ((1 << shift) - 1)
                ),
                ArgKind::Local => locals.get(ins.arg as usize).cloned().unwrap_or_default(),
                ArgKind::LocalPair => format!(
                    "{} {}",
                    locals
                        .get((ins.arg >> 4) as usize)
                        .cloned()
                        .unwrap_or_default(),
                    locals
                        .get((ins.arg & 15) as usize)
                        .cloned()
                        .unwrap_or_default()
                ),
                ArgKind::Free => derefs.get(ins.arg as usize).cloned().unwrap_or_default(),
                ArgKind::None => String::new(),
                _ => ins.arg.to_string(),
            };
            out.push(format!("{name} {arg}").trim_end().to_string());
        }
    }
    out.sort();
    if !jumps {
        // Copies of one exit block (`return None`) count once.
        out.dedup();
    }
    out
}

/// A constant as compared: frozensets with their elements sorted (their marshalled
/// order follows string hashes, which differ between the two compilations), code
/// objects by name.
fn value(g: &ObjectGraph, c: &Constant, version: PyVersion) -> String {
    match c {
        Constant::FrozenSet(items) => {
            let mut v: Vec<String> = items.iter().map(|i| value(g, i, version)).collect();
            v.sort();
            format!("frozenset({})", v.join(", "))
        }
        Constant::Tuple(items) => {
            let v: Vec<String> = items.iter().map(|i| value(g, i, version)).collect();
            format!("({})", v.join(", "))
        }
        Constant::Object(id) => match g.as_code(*id) {
            Some(inner) => format!("<code {}>", inner.name(g)),
            None => pycopt_core::pyrepr::repr(g, *id, version),
        },
        _ => format!("{c:?}"),
    }
}

/// One spelling for the direction variants of a jump.
fn jump_kind(name: &str) -> String {
    match name {
        "JUMP_ABSOLUTE" | "JUMP_FORWARD" | "JUMP_BACKWARD" | "JUMP" => "JUMP".into(),
        _ => name
            .replace("_FORWARD_IF", "_IF")
            .replace("_BACKWARD_IF", "_IF"),
    }
}

/// Code objects of a file by `(dotted path, first line, occurrence)`.
fn code_objects(pyc: &Pyc) -> BTreeMap<(String, i32, usize), pycopt_core::marshal::ObjId> {
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    let mut out = BTreeMap::new();
    for (id, path) in walk_code(&pyc.graph, pyc.root) {
        let Some(code) = pyc.graph.as_code(id) else {
            continue;
        };
        // 3.8/3.9 `-OO` starts the module's lines at its first statement after the
        // docstring.
        let line = if id == pyc.root { 0 } else { code.firstlineno };
        let key = (path, line);
        let n = seen.entry(key.clone()).or_default();
        out.insert((key.0, key.1, *n), id);
        *n += 1;
    }
    out
}

/// Why one of our code objects differs from the oracle's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Class {
    /// An assert we left (the reasons are in the pass's documentation); up to 3.8
    /// also a function where we stripped a hand-written one-line
    /// `if not x: raise AssertionError` (the same bytes as an assert) beside other
    /// hand-written raises we kept.
    AssertLeft,
    /// The module's source uses `__debug__`, which `-O` folds at compile time.
    Debug,
    /// Only jumps differ, or how many copies of an exit block there are.
    JumpsOnly,
    /// A `try` whose body held only asserts: CPython's `-O` protects nothing and its
    /// handler is dead; ours still covers the `NOP` left in the body, so the handler
    /// stays reachable (same behaviour, since a `NOP` cannot raise).
    EmptyTry,
    /// Code objects created inside a stripped assert (they are unused in ours, and
    /// absent from the oracle).
    OnlyOurs,
    /// Anything else (listed).
    Other,
}

/// What one version's comparison found.
#[derive(Default)]
struct Tally {
    files: usize,
    code_objects: usize,
    exact: usize,
    no_jumps: usize,
    classes: BTreeMap<Class, usize>,
    changes: BTreeMap<String, u64>,
    kept: Vec<String>,
    examples: Vec<String>,
    missing_in_oracle: usize,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.files += o.files;
        self.code_objects += o.code_objects;
        self.exact += o.exact;
        self.no_jumps += o.no_jumps;
        self.missing_in_oracle += o.missing_in_oracle;
        for (k, v) in o.classes {
            *self.classes.entry(k).or_default() += v;
        }
        for (k, v) in o.changes {
            *self.changes.entry(k).or_default() += v;
        }
        self.kept.extend(o.kept);
        self.examples.extend(o.examples);
    }
}

/// `(plain, oracle)` pairs of the standard library of `interp` at `level`.
fn stdlib_pairs(interp: &Interpreter, level: u8) -> Vec<(PathBuf, PathBuf)> {
    let tag = interp.cache_tag().expect("3.x");
    let lib = interp.library_dir();
    let mut out = Vec::new();
    for p in pycopt_corpus::pyc_files(&lib) {
        let s = p.to_string_lossy();
        if s.contains("site-packages") || s.contains(".opt-") {
            continue;
        }
        let Some(name) = p.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(&format!(".{tag}.pyc")) else {
            continue;
        };
        let oracle = p.with_file_name(format!("{stem}.{tag}.opt-{level}.pyc"));
        if oracle.exists() {
            out.push((p, oracle));
        }
    }
    out
}

/// The source file of a `__pycache__` pyc.
fn source_of(pyc: &Path) -> Option<PathBuf> {
    let name = pyc.file_name()?.to_string_lossy().into_owned();
    let stem = name.split('.').next()?;
    Some(pyc.parent()?.parent()?.join(format!("{stem}.py")))
}

fn marker_left(pyc: &Pyc, id: pycopt_core::marshal::ObjId) -> bool {
    let Some(code) = pyc.graph.as_code(id) else {
        return false;
    };
    let Ok(cfg) = build(code, &pyc.graph, pyc.version()) else {
        return false;
    };
    let names = code.names(&pyc.graph);
    cfg.reachable().into_iter().any(|b| {
        cfg.block(b).instrs.iter().any(|i| {
            i.op.name == "LOAD_ASSERTION_ERROR"
                || (i.op.name == "LOAD_GLOBAL"
                    && !pyc.version().at_least(PyVersion::V3_9)
                    && names
                        .get(i.arg as usize)
                        .is_some_and(|n| n == "AssertionError"))
        })
    })
}

/// Compares one file.
fn compare_file(plain: &Path, oracle: &Path, passes: &[String], options: &Options) -> Tally {
    let mut t = Tally {
        files: 1,
        ..Tally::default()
    };
    let data = fs::read(plain).unwrap();
    let result = match common::optimize(&data, passes, 1, options) {
        Ok(r) => r,
        Err(e) => {
            t.kept.push(format!("{}: {e}", plain.display()));
            return t;
        }
    };
    for (name, s) in &result.stats.passes {
        *t.changes.entry(name.clone()).or_default() += s.changes;
    }
    let ours = Pyc::parse(result.pyc.to_bytes().unwrap()).unwrap();
    let theirs = Pyc::parse(fs::read(oracle).unwrap()).unwrap();
    let version = ours.version();
    let ours_codes = code_objects(&ours);
    let theirs_codes = code_objects(&theirs);
    let debug = source_of(plain)
        .and_then(|s| fs::read_to_string(s).ok())
        .is_some_and(|s| s.contains("__debug__"));
    for (key, &a) in &ours_codes {
        let Some(&b) = theirs_codes.get(key) else {
            t.missing_in_oracle += 1;
            *t.classes.entry(Class::OnlyOurs).or_default() += 1;
            continue;
        };
        t.code_objects += 1;
        let ca = ours.graph.as_code(a).unwrap();
        let cb = theirs.graph.as_code(b).unwrap();
        let exact = signature(&ours.graph, ca, version, true)
            == signature(&theirs.graph, cb, version, true);
        let no_jumps = exact
            || signature(&ours.graph, ca, version, false)
                == signature(&theirs.graph, cb, version, false);
        t.exact += usize::from(exact);
        t.no_jumps += usize::from(no_jumps);
        if exact {
            continue;
        }
        let handlers = |sig: &[String]| {
            sig.iter()
                .filter(|i| i.starts_with("PUSH_EXC_INFO") || i.starts_with("SETUP_"))
                .count()
        };
        let class = if marker_left(&ours, a) {
            Class::AssertLeft
        } else if handlers(&signature(&ours.graph, ca, version, true))
            > handlers(&signature(&theirs.graph, cb, version, true))
        {
            Class::EmptyTry
        } else if debug {
            Class::Debug
        } else if no_jumps {
            Class::JumpsOnly
        } else {
            Class::Other
        };
        *t.classes.entry(class).or_default() += 1;
        if matches!(class, Class::Other | Class::AssertLeft)
            || std::env::var("PYCOPT_STRIP_ALL").is_ok()
        {
            t.examples.push(format!(
                "{:?} {} {}:{}",
                class,
                plain.display(),
                key.0,
                key.1
            ));
        }
    }
    t
}

/// Runs the comparison of one version at one level.
fn measure(interp: &Interpreter, level: u8) -> Tally {
    let mut options = Options::default();
    options.strip.insert(Strip::Asserts);
    let mut passes = vec!["strip-asserts".to_string()];
    if level == 2 {
        options.strip.insert(Strip::Docstrings);
        passes.push("strip-docstrings".to_string());
    }
    let pairs = stdlib_pairs(interp, level);
    pairs
        .par_iter()
        .map(|(p, o)| compare_file(p, o, &passes, &options))
        .reduce(Tally::default, |mut a, b| {
            a.merge(b);
            a
        })
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// The lowest match rates accepted (exact, without jumps), per level: what the passes
/// reach on the installed standard libraries, rounded down, so that a regression
/// fails the test.
const FLOOR: [(f64, f64); 2] = [(99.8, 99.8), (99.8, 99.8)];

fn opt_oracle(level: u8) {
    let mut report = String::new();
    let mut failures = Vec::new();
    for &(major, minor) in VERSIONS {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let start = Instant::now();
        let t = measure(interp, level);
        let secs = start.elapsed().as_secs_f64();
        let exact = pct(t.exact, t.code_objects);
        let no_jumps = pct(t.no_jumps, t.code_objects);
        let _ = writeln!(
            report,
            "{}.{} opt-{level}: {} files, {} code objects: exact {exact:.2}%, without jumps \
             {no_jumps:.2}%; changes {:?}; differences {:?}; {secs:.1}s",
            major, minor, t.files, t.code_objects, t.changes, t.classes
        );
        let shown = if std::env::var("PYCOPT_STRIP_ALL").is_ok() {
            usize::MAX
        } else {
            12
        };
        for e in t.examples.iter().take(shown) {
            let _ = writeln!(report, "    {e}");
        }
        if !t.kept.is_empty() {
            failures.push(format!("{major}.{minor}: kept: {:#?}", t.kept));
        }
        let (fe, fj) = FLOOR[usize::from(level - 1)];
        if exact < fe || no_jumps < fj {
            failures.push(format!(
                "{major}.{minor} opt-{level}: exact {exact:.2}% < {fe}% or without jumps \
                 {no_jumps:.2}% < {fj}%"
            ));
        }
    }
    println!("{report}");
    assert!(failures.is_empty(), "{}\n{report}", failures.join("\n"));
}

#[test]
fn opt1_oracle() {
    opt_oracle(1);
}

#[test]
fn opt2_oracle() {
    opt_oracle(2);
}

/// Standard modules free of `__debug__` (whose `-O` compilation differs from ours,
/// see the pass documentation) that the behaviour test exercises.
const MODULES: &[&str] = &[
    "textwrap",
    "difflib",
    "fractions",
    "shlex",
    "colorsys",
    "base64",
    "string",
];

/// What the driver prints: results of the modules' code, and which docstrings exist.
const DRIVER: &str = r#"
import sys
tmp = sys.argv[1]
if tmp != '-':
    sys.path.insert(0, tmp)
import textwrap, difflib, fractions, shlex, colorsys, base64, string
mods = [textwrap, difflib, fractions, shlex, colorsys, base64, string]
if tmp != '-':
    for m in mods:
        if not m.__file__.startswith(tmp):
            sys.exit('%s was not loaded from %s' % (m.__name__, tmp))
print(textwrap.fill('The quick brown fox jumps over the lazy dog ' * 3, 23))
print(textwrap.dedent('    a\n      b\n'))
print(''.join(difflib.unified_diff(['a\n', 'b\n', 'c\n'], ['a\n', 'c\n', 'd\n'])))
print(difflib.SequenceMatcher(None, 'abcd', 'bcde').ratio())
print(fractions.Fraction(3, 4) + fractions.Fraction('1/3'), fractions.Fraction(0.75))
print(shlex.split('a "b c" d\\ e'), shlex.quote("it's"))
print(colorsys.rgb_to_hsv(0.2, 0.4, 0.6), colorsys.hls_to_rgb(0.5, 0.5, 0.5))
print(base64.b64encode(b'pycopt'), base64.b32decode(base64.b32encode(b'xyz')))
print(string.Template('$a and $b').substitute(a=1, b=2), string.capwords('hello world'))
print([m.__doc__ is None for m in mods])
print(textwrap.fill.__doc__ is None, difflib.SequenceMatcher.__doc__ is None,
      fractions.Fraction.limit_denominator.__doc__ is None)
"#;

/// A few stripped standard modules, imported from a folder first on `sys.path`,
/// print what the interpreter running its own `-O`/`-OO` files prints.
#[test]
fn stripped_stdlib_modules_run() {
    let mut failures = Vec::new();
    for &(major, minor) in VERSIONS {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let tag = interp.cache_tag().unwrap();
        for level in [1u8, 2] {
            let dir = common::scratch(&format!("oracle_strip/{major}.{minor}-O{level}"));
            let mut options = Options::default();
            options.strip.insert(Strip::Asserts);
            let mut passes = vec!["strip-asserts".to_string()];
            if level == 2 {
                options.strip.insert(Strip::Docstrings);
                passes.push("strip-docstrings".to_string());
            }
            for m in MODULES {
                let plain = interp
                    .library_dir()
                    .join("__pycache__")
                    .join(format!("{m}.{tag}.pyc"));
                let r = common::optimize(&fs::read(&plain).unwrap(), &passes, 1, &options)
                    .unwrap_or_else(|e| panic!("{}: {e}", plain.display()));
                fs::write(dir.join(format!("{m}.pyc")), r.pyc.to_bytes().unwrap()).unwrap();
            }
            let run = |args: &[&str]| -> common::RunResult {
                interp
                    .command()
                    .args(args)
                    .env("PYTHONHASHSEED", "0")
                    .env("PYTHONDONTWRITEBYTECODE", "1")
                    .output()
                    .unwrap()
                    .into()
            };
            let flag = if level == 1 { "-O" } else { "-OO" };
            let stock = run(&["-S", flag, "-c", DRIVER, "-"]);
            let ours = run(&["-S", "-c", DRIVER, &dir.to_string_lossy()]);
            if stock != ours || stock.status != Some(0) {
                failures.push(format!(
                    "{major}.{minor} {flag}:\n--- stock ---\n{stock:?}\n--- ours ---\n{ours:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Compiles `source` with `interp` at `optimize` (0, 1 or 2) into `out`.
fn compile_at(interp: &Interpreter, source: &Path, out: &Path, optimize: u8) {
    let script = "import sys, py_compile\n\
                  py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True, \
                  optimize=int(sys.argv[3]))\n";
    let o = interp
        .run([
            "-c",
            script,
            &source.to_string_lossy(),
            &out.to_string_lossy(),
            &optimize.to_string(),
        ])
        .unwrap();
    assert!(o.status.success(), "{}", common::text(&o.stderr));
}

/// The programs of `tests/strip_programs/` (each says, in a `# versions:` line, which
/// interpreters compile it) print the same when CPython compiles them with
/// `optimize=1`/`2` as when compiled plainly and stripped by the passes, and their
/// plain output differs from one of those (so the programs do test something).
#[test]
fn programs_behave_like_python_o() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/strip_programs");
    let mut programs: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty());
    let mut failures = Vec::new();
    let mut checked = 0;
    for program in &programs {
        let text = fs::read_to_string(program).unwrap();
        let versions = text
            .lines()
            .find_map(|l| l.strip_prefix("# versions:"))
            .map(|v| common::parse_versions(v).unwrap())
            .unwrap_or_else(|| VERSIONS.to_vec());
        let stem = program.file_stem().unwrap().to_string_lossy().into_owned();
        for (major, minor) in versions {
            let Some(interp) = pycopt_corpus::require(major, minor) else {
                continue;
            };
            let dir = common::scratch(&format!("strip_programs/{stem}.{major}.{minor}"));
            let plain = dir.join("plain.pyc");
            compile_at(interp, program, &plain, 0);
            let data = fs::read(&plain).unwrap();
            let plain_run = common::run_pyc(interp, &plain);
            let mut differs = false;
            for level in [1u8, 2] {
                let stock = dir.join(format!("stock{level}.pyc"));
                compile_at(interp, program, &stock, level);
                let mut options = Options::default();
                options.strip.insert(Strip::Asserts);
                let mut passes = vec!["strip-asserts".to_string()];
                if level == 2 {
                    options.strip.insert(Strip::Docstrings);
                    passes.push("strip-docstrings".to_string());
                }
                let r = match common::optimize(&data, &passes, 1, &options) {
                    Ok(r) => r,
                    Err(e) => {
                        failures.push(format!("{stem} {major}.{minor} -O{level}: {e}"));
                        continue;
                    }
                };
                let ours = dir.join(format!("ours{level}.pyc"));
                fs::write(&ours, r.pyc.to_bytes().unwrap()).unwrap();
                let a = common::run_pyc(interp, &stock);
                let b = common::run_pyc(interp, &ours);
                checked += 1;
                if a != b {
                    failures.push(format!(
                        "{stem} {major}.{minor} -O{level}:\n--- CPython ---\n{}{}\n--- ours ---\n{}{}",
                        a.stdout, a.stderr, b.stdout, b.stderr
                    ));
                }
                differs |= a != plain_run;
            }
            if !differs {
                failures.push(format!(
                    "{stem} {major}.{minor}: prints the same without -O and -OO"
                ));
            }
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
