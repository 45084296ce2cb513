//! The classic passes over every installed interpreter's library (3.8–3.13, and 2.7,
//! 3.6, 3.7 where installed): as the `-O1` pipeline, and each pass alone over a
//! sample, all through the `PassManager` with `verify_each` — no code object may fail
//! a pass, code generation or the verifier, and every result must write and read
//! back. Per version it prints what each pass changed and what `-O1` saved.
//!
//! A second test optimizes a copy of a handful of standard modules per version, loads
//! them sourceless from that copy and runs code through them, comparing with the
//! untouched copies.
//!
//! `PYCOPT_CORPUS_SINGLE_EVERY=N` runs the single-pass sweep on every N-th file
//! (default 10; 0 skips it).

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pycopt_core::Pyc;
use pycopt_corpus::Interpreter;
use pycopt_passes::{FileStats, Options, PassManager, Pipeline, Registry};
use rayon::prelude::*;

/// The classic passes, in `-O1` order.
const CLASSIC: &[&str] = &[
    "fold-branches",
    "remove-unreachable",
    "thread-jumps",
    "remove-dead-pairs",
    "remove-nops",
    "compact-tables",
    "shrink-extended-args",
];

fn manager(passes: &[&'static str]) -> PassManager {
    let registry = Registry::default();
    let pipeline = Pipeline {
        passes: passes.to_vec(),
        rounds: 1,
    };
    let mut m = PassManager::new(&registry, &pipeline, Options::default()).unwrap();
    m.verify_each = true;
    m
}

/// Optimizes one file; failures are described.
fn optimize_file(m: &PassManager, path: &Path) -> (FileStats, Vec<String>) {
    let data = std::fs::read(path).unwrap();
    let Ok(mut pyc) = Pyc::parse(data) else {
        return (FileStats::default(), vec![]);
    };
    let stats = m.optimize(&mut pyc);
    let mut bad: Vec<String> = stats
        .kept
        .iter()
        .map(|k| format!("{} {}: {}", path.display(), k.code, k.reason))
        .collect();
    match pyc.to_bytes() {
        Ok(bytes) => match Pyc::parse(bytes) {
            Ok(back) => bad.extend(
                common::line_table_problems(&back)
                    .into_iter()
                    .map(|p| format!("{} {p}", path.display())),
            ),
            Err(e) => bad.push(format!(
                "{}: written file does not read back: {e}",
                path.display()
            )),
        },
        Err(e) => bad.push(format!("{}: cannot write: {e}", path.display())),
    }
    (stats, bad)
}

fn sweep(m: &PassManager, files: &[PathBuf]) -> (FileStats, Vec<String>) {
    files.par_iter().map(|p| optimize_file(m, p)).reduce(
        || (FileStats::default(), Vec::new()),
        |(mut a, mut fa), (b, fb)| {
            a.merge(&b);
            fa.extend(fb);
            (a, fa)
        },
    )
}

#[test]
fn classic_passes_over_installed_libraries() {
    let single_every: usize = std::env::var("PYCOPT_CORPUS_SINGLE_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let o1 = manager(CLASSIC);
    let mut report = String::new();
    let mut failures = Vec::new();
    for interp in pycopt_corpus::require_tested() {
        let tag = interp.tag();
        let started = std::time::Instant::now();
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        let (s, bad) = sweep(&o1, &files);
        failures.extend(bad);
        let _ = writeln!(
            report,
            "{tag}: {} files, {} code objects, {} changed; instructions {} -> {} (-{:.2}%), \
             code bytes {} -> {} (-{:.2}%), constants {} -> {}; {:.1}s",
            files.len(),
            s.code_objects,
            s.changed,
            s.instrs_before,
            s.instrs_after,
            pct(s.instrs_before, s.instrs_after),
            s.code_bytes_before,
            s.code_bytes_after,
            pct(s.code_bytes_before, s.code_bytes_after),
            s.consts_before,
            s.consts_after,
            started.elapsed().as_secs_f64()
        );
        for p in CLASSIC {
            let ps = s.passes.get(*p).cloned().unwrap_or_default();
            let _ = writeln!(
                report,
                "    {p:<22} {:>9} changes {:>8.1} ms",
                ps.changes,
                ps.nanos as f64 / 1e6
            );
        }
        if single_every > 0 {
            let sample: Vec<PathBuf> = files.iter().step_by(single_every).cloned().collect();
            let mut singles = BTreeMap::new();
            for &p in CLASSIC {
                let (s, bad) = sweep(&manager(&[p]), &sample);
                failures.extend(bad.into_iter().map(|b| format!("{p} alone: {b}")));
                singles.insert(p, s.passes.get(p).map_or(0, |x| x.changes));
            }
            let _ = writeln!(
                report,
                "    alone over every {single_every}th file ({}): {singles:?}",
                sample.len()
            );
        }
    }
    println!("{report}");
    let dir = common::scratch("corpus_classic");
    std::fs::write(dir.join("report.txt"), &report).unwrap();
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn pct(before: u64, after: u64) -> f64 {
    100.0 * (before as f64 - after as f64) / before.max(1) as f64
}

/// Modules copied and imported, as paths relative to the library folder without
/// extension (a package is its folder: every module in it is copied).
const MODULES: &[&str] = &[
    "json",
    "re",
    "sre_compile",
    "sre_parse",
    "collections",
    "textwrap",
    "difflib",
    "fractions",
    "string",
    "ast",
    "heapq",
    "bisect",
    "shlex",
    "fnmatch",
    "pprint",
];

/// Exercises the modules; prints what they computed and where they came from.
const DRIVER: &str = r#"
import sys
sys.path.insert(0, sys.argv[1])
import json, re, collections, textwrap, difflib, fractions, string, ast, heapq, bisect, shlex, fnmatch, pprint
out = []
for m in (json, re, collections, textwrap, difflib, fractions, string, ast, heapq, bisect, shlex, fnmatch, pprint):
    out.append('%s from copy: %s' % (m.__name__, getattr(m, '__file__', '').startswith(sys.argv[1])))
out.append(json.dumps(json.loads('{"a": [1, 2.5, null, "x\\u00e9"], "b": {"c": true}}'), sort_keys=True))
out.append(re.sub(r'(\w+)@(\w+)', r'\2 at \1', 'joe@example and ann@site'))
out.append(repr(re.findall(r'\d+|[a-z]+', 'abc123def45')))
out.append(repr(collections.Counter('abracadabra').most_common(3)))
od = collections.OrderedDict([('x', 1), ('y', 2)]); od.move_to_end('x')
out.append(repr(list(od.items())))
out.append(repr(collections.deque(range(5), maxlen=3)))
out.append(textwrap.fill('The quick brown fox jumps over the lazy dog ' * 3, width=30))
out.append(''.join(difflib.unified_diff(['a\n', 'b\n', 'c\n'], ['a\n', 'B\n', 'c\n'])))
out.append(str(fractions.Fraction(3, 4) + fractions.Fraction(5, 6)))
out.append(string.Template('$who likes $what').substitute(who='tim', what='pie'))
out.append(ast.dump(ast.parse('x = 1 + 2 * y')))
h = [5, 1, 4, 2, 3]; heapq.heapify(h); out.append(repr([heapq.heappop(h) for _ in range(5)]))
out.append(repr(bisect.bisect_left([1, 3, 5, 7], 5)))
out.append(repr(shlex.split('a "b c" d\\ e')))
out.append(repr(fnmatch.filter(['a.py', 'b.txt', 'c.py'], '*.py')))
out.append(pprint.pformat({'k%d' % i: list(range(i)) for i in range(6)}))
sys.stdout.write('\n'.join(out) + '\n')
"#;

/// Copies the compiled modules of [`MODULES`] (level-0 `.pyc`, as sourceless modules)
/// from `interp`'s library into `dest`, optimized by `m` if given.
fn copy_modules(interp: &Interpreter, dest: &Path, m: Option<&PassManager>) -> Vec<String> {
    let lib = interp.library_dir();
    let tag = interp.cache_tag();
    let mut bad = Vec::new();
    for name in MODULES {
        let pkg = lib.join(name);
        let sources: Vec<PathBuf> = if pkg.is_dir() {
            std::fs::read_dir(&pkg)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "py"))
                .collect()
        } else {
            vec![lib.join(format!("{name}.py"))]
        };
        for src in sources.into_iter().filter(|s| s.exists()) {
            let rel = src.strip_prefix(&lib).unwrap().with_extension("pyc");
            let compiled = match &tag {
                Some(t) => {
                    let stem = src.file_stem().unwrap().to_string_lossy();
                    src.parent()
                        .unwrap()
                        .join("__pycache__")
                        .join(format!("{stem}.{t}.pyc"))
                }
                None => src.with_extension("pyc"),
            };
            let Ok(data) = std::fs::read(&compiled) else {
                continue;
            };
            let out = dest.join(&rel);
            std::fs::create_dir_all(out.parent().unwrap()).unwrap();
            let bytes = match m {
                None => data,
                Some(m) => {
                    let mut pyc = Pyc::parse(data).unwrap();
                    let stats = m.optimize(&mut pyc);
                    for k in &stats.kept {
                        bad.push(format!("{}: {}: {}", compiled.display(), k.code, k.reason));
                    }
                    pyc.to_bytes().unwrap()
                }
            };
            std::fs::write(out, bytes).unwrap();
        }
    }
    bad
}

#[test]
fn optimized_standard_modules_import_and_run() {
    let o1 = manager(CLASSIC);
    let mut failures = Vec::new();
    for interp in pycopt_corpus::require_tested() {
        if interp.version() < (3, 6) {
            // 2.7's library differs too much for one driver (no `json` keys order...).
            continue;
        }
        let tag = interp.tag();
        let dir = common::scratch(&format!("stdlib_import/{tag}"));
        let stock = dir.join("stock");
        let opt = dir.join("opt");
        assert!(copy_modules(interp, &stock, None).is_empty());
        failures.extend(copy_modules(interp, &opt, Some(&o1)));
        let run = |d: &Path| {
            let o = interp
                .command()
                .args(["-S", "-c", DRIVER])
                .arg(d)
                .env("PYTHONHASHSEED", "0")
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .output()
                .unwrap();
            (
                o.status.code(),
                common::text(&o.stdout),
                common::text(&o.stderr),
            )
        };
        let a = run(&stock);
        let b = run(&opt);
        if a.0 != Some(0) {
            failures.push(format!("{tag}: the stock copy fails: {a:?}"));
        } else if a != b {
            failures.push(format!("{tag}: differs:\n{a:?}\n{b:?}"));
        } else if a.1.contains("from copy: False") {
            failures.push(format!(
                "{tag}: a module was not loaded from the copy:\n{}",
                a.1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
