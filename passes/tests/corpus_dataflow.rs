//! The passes of `pycopt_passes::strip` and `pycopt_passes::dataflow` over every
//! installed standard library (2.7, 3.6–3.13), through the pass manager with
//! `verify_each`, every assumption on and both strip options: no code object may be
//! kept (a pass, code generation or the verifier failing on it), and the changes per
//! pass and version are printed (`--nocapture`).
//!
//! [`dataflow_modules_run`] then runs a few standard modules optimized by the
//! dataflow passes (assumptions on, nothing stripped) and requires the output of the
//! stock modules, and the same outcome of CPython's own tests of them
//! (`PYCOPT_DATAFLOW_O3=1` optimizes them with the whole `-O3` pipeline instead).

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use pycopt_corpus::Interpreter;
use pycopt_passes::{Assumption, Options, Strip};
use rayon::prelude::*;

/// The passes measured, in pipeline order.
const PASSES: &[&str] = &[
    "strip-asserts",
    "strip-docstrings",
    "fold-globals",
    "propagate-constants",
    "remove-dead-stores",
];

fn all_options() -> Options {
    let mut o = Options::default();
    o.assume.extend(Assumption::ALL);
    o.strip.extend(Strip::ALL);
    o
}

/// The plain (not `-O`) `.pyc` files of `interp`'s standard library.
fn stdlib(interp: &Interpreter) -> Vec<PathBuf> {
    let tag = interp.cache_tag();
    pycopt_corpus::pyc_files(&interp.library_dir())
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            let name = p.file_name().unwrap().to_string_lossy();
            !s.contains("site-packages")
                && match &tag {
                    Some(t) => name.ends_with(&format!(".{t}.pyc")),
                    None => name.ends_with(".pyc"),
                }
        })
        .collect()
}

#[derive(Default)]
struct Totals {
    files: usize,
    code_objects: u64,
    changes: BTreeMap<String, u64>,
    nanos: BTreeMap<String, u64>,
    kept: Vec<String>,
    instrs: (u64, u64),
}

#[test]
fn passes_over_installed_stdlibs() {
    let mut report = String::new();
    let mut kept = Vec::new();
    let passes: Vec<String> = PASSES.iter().map(|s| s.to_string()).collect();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let start = Instant::now();
        let files = stdlib(interp);
        let t = files
            .par_iter()
            .map(|p| {
                let mut t = Totals {
                    files: 1,
                    ..Totals::default()
                };
                let data = fs::read(p).unwrap();
                // A file pycopt cannot read at all is not these passes' concern.
                if pycopt_core::Pyc::parse(data.clone()).is_err() {
                    return t;
                }
                match common::optimize(&data, &passes, 3, &all_options()) {
                    Ok(r) => {
                        t.code_objects = r.stats.code_objects;
                        t.instrs = (r.stats.instrs_before, r.stats.instrs_after);
                        for (k, v) in &r.stats.passes {
                            t.changes.insert(k.clone(), v.changes);
                            t.nanos.insert(k.clone(), v.nanos);
                        }
                    }
                    Err(e) => t.kept.push(format!("{}: {e}", p.display())),
                }
                t
            })
            .reduce(Totals::default, |mut a, b| {
                a.files += b.files;
                a.code_objects += b.code_objects;
                a.instrs.0 += b.instrs.0;
                a.instrs.1 += b.instrs.1;
                for (k, v) in b.changes {
                    *a.changes.entry(k).or_default() += v;
                }
                for (k, v) in b.nanos {
                    *a.nanos.entry(k).or_default() += v;
                }
                a.kept.extend(b.kept);
                a
            });
        let ms: BTreeMap<&String, u64> = t.nanos.iter().map(|(k, v)| (k, v / 1_000_000)).collect();
        let _ = writeln!(
            report,
            "{major}.{minor}: {} files, {} code objects, instructions {} -> {}; changes {:?}; \
             pass time (ms, summed over threads) {:?}; {:.1}s",
            t.files,
            t.code_objects,
            t.instrs.0,
            t.instrs.1,
            t.changes,
            ms,
            start.elapsed().as_secs_f64()
        );
        kept.extend(t.kept);
    }
    println!("{report}");
    assert!(kept.is_empty(), "kept:\n{}", kept.join("\n"));
}

/// The stock output of the driver of `oracle_strip` (modules that do not print or use
/// docstrings here), with the modules optimized by the dataflow passes.
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
print(textwrap.dedent('    a\n      b\n'), textwrap.shorten('a b c d e f g', 9))
print(''.join(difflib.unified_diff(['a\n', 'b\n', 'c\n'], ['a\n', 'c\n', 'd\n'])))
print(difflib.SequenceMatcher(None, 'abcd', 'bcde').ratio())
print(difflib.get_close_matches('appel', ['ape', 'apple', 'peach', 'puppy']))
print(fractions.Fraction(3, 4) + fractions.Fraction('1/3'), fractions.Fraction(0.75))
print(fractions.Fraction(355, 113).limit_denominator(10))
print(shlex.split('a "b c" d\\ e'), shlex.quote("it's"))
print(colorsys.rgb_to_hsv(0.2, 0.4, 0.6), colorsys.hls_to_rgb(0.5, 0.5, 0.5))
print(colorsys.rgb_to_yiq(0.1, 0.2, 0.3), colorsys.hsv_to_rgb(0.3, 0.5, 0.7))
print(base64.b64encode(b'pycopt'), base64.b32decode(base64.b32encode(b'xyz')))
print(base64.a85encode(b'abcdefg'), base64.b85decode(base64.b85encode(b'zz')))
print(string.Template('$a and $b').substitute(a=1, b=2), string.capwords('hello world'))
"#;

/// Runs CPython's tests of [`MODULES`]; prints `run failures errors` last (and checks
/// that the modules come from the folder given, unless it is `-`).
const UNITTESTS: &str = r#"
import sys, unittest
tmp = sys.argv[1]
import textwrap, difflib, fractions, shlex, colorsys, base64, string
for m in (textwrap, difflib, fractions, shlex, colorsys, base64, string):
    if tmp != '-' and not m.__file__.startswith(tmp):
        sys.exit('%s was not loaded from %s' % (m.__name__, tmp))
names = ['test.test_' + n for n in ('textwrap', 'difflib', 'fractions', 'shlex',
                                     'colorsys', 'base64', 'string')]
r = unittest.main(module=None, argv=['x'] + names, exit=False, verbosity=0)
print(r.result.testsRun, len(r.result.failures), len(r.result.errors))
"#;

const MODULES: &[&str] = &[
    "textwrap",
    "difflib",
    "fractions",
    "shlex",
    "colorsys",
    "base64",
    "string",
];

#[test]
fn dataflow_modules_run() {
    let mut failures = Vec::new();
    let passes: Vec<String> = match std::env::var("PYCOPT_DATAFLOW_O3") {
        Ok(_) => pycopt_passes::pipeline(pycopt_passes::Level::O3)
            .passes
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Err(_) => ["fold-globals", "propagate-constants", "remove-dead-stores"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let mut options = Options::default();
    options.assume.extend(Assumption::ALL);
    for &(major, minor) in &[
        (3, 6),
        (3, 7),
        (3, 8),
        (3, 9),
        (3, 10),
        (3, 11),
        (3, 12),
        (3, 13),
    ] {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let tag = interp.cache_tag().unwrap();
        let dir = common::scratch(&format!("corpus_dataflow/{major}.{minor}"));
        let mut changes = 0;
        for m in MODULES {
            let plain = interp
                .library_dir()
                .join("__pycache__")
                .join(format!("{m}.{tag}.pyc"));
            let r = common::optimize(&fs::read(&plain).unwrap(), &passes, 3, &options)
                .unwrap_or_else(|e| panic!("{}: {e}", plain.display()));
            changes += r.stats.passes.values().map(|s| s.changes).sum::<u64>();
            fs::write(dir.join(format!("{m}.pyc")), r.pyc.to_bytes().unwrap()).unwrap();
        }
        assert!(changes > 0, "{major}.{minor}: the passes changed nothing");
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
        let stock = run(&["-S", "-c", DRIVER, "-"]);
        let ours = run(&["-S", "-c", DRIVER, &dir.to_string_lossy()]);
        if stock != ours || stock.status != Some(0) {
            failures.push(format!(
                "{major}.{minor}:\n--- stock ---\n{stock:?}\n--- ours ---\n{ours:?}"
            ));
        }
        // CPython's own tests of those modules: the same outcome.
        let tests = |path: Option<&str>| -> String {
            let mut cmd = interp.command();
            if let Some(p) = path {
                cmd.env("PYTHONPATH", p);
            }
            let o = cmd
                .args(["-c", UNITTESTS, path.unwrap_or("-")])
                .env("PYTHONHASHSEED", "0")
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .output()
                .unwrap();
            let out = common::text(&o.stdout);
            out.lines().last().unwrap_or("").to_string()
        };
        let (a, b) = (tests(None), tests(Some(&dir.to_string_lossy())));
        if a != b || a.is_empty() {
            failures.push(format!(
                "{major}.{minor}: unit tests: stock {a:?}, ours {b:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
