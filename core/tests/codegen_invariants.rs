//! What code generation computes from the whole graph rather than copying from the
//! input, checked against CPython's own choices and against the interpreters:
//!
//! - definite assignment (3.12+): every `LOAD_FAST` CPython wrote is proven bound, and
//!   how many of its `LOAD_FAST_CHECK`s the analysis shows unnecessary; a store a pass
//!   removed makes the load checked, and the interpreter then raises
//!   `UnboundLocalError` instead of crashing;
//! - the exception-stack depth of yields (3.12 `YIELD_VALUE`, 3.13 `RESUME`),
//!   reproduced for every installed code object;
//! - `EXTENDED_ARG` prefixes: minimal for changed arguments, kept for unchanged ones;
//! - the `FOR_ITER` exit rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pycopt_core::analysis::{DefiniteAssignment, LocalAccess};
use pycopt_core::cfg::{build, handler_nesting, Block, Cfg, EdgeKind, Instr};
use pycopt_core::code::walk_code;
use pycopt_core::codegen::{generate, rebuild_pyc_with, CodeOutcome, CodegenError, Original};
use pycopt_core::instr::decode;
use pycopt_core::linetable::Position;
use pycopt_core::opcode::table;
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

/// Per-version counts over the installed library.
#[derive(Default, Debug)]
struct Counts {
    codes: usize,
    /// Unchecked reads (`LOAD_FAST` and the read halves of superinstructions).
    unchecked_reads: usize,
    /// Of those, reads the analysis does not prove bound (CPython's choice would then
    /// be unsafe, or the analysis too weak): must be 0.
    unchecked_unproven: usize,
    /// `LOAD_FAST_CHECK`s.
    checks: usize,
    /// Of those, proven bound (a pass may drop the check): locals below 64 and from 64.
    checks_proven_low: usize,
    checks_proven_high: usize,
    /// 3.12 `YIELD_VALUE`s / 3.13 `RESUME`s after a yield, and how many the graph's
    /// handler nesting reproduces.
    yields: usize,
    yields_reproduced: usize,
    /// CPU time building graphs, and running the two analyses on them.
    build_time: std::time::Duration,
    analysis_time: std::time::Duration,
    failures: Vec<String>,
}

impl Counts {
    fn add(mut self, o: Counts) -> Counts {
        self.codes += o.codes;
        self.unchecked_reads += o.unchecked_reads;
        self.unchecked_unproven += o.unchecked_unproven;
        self.checks += o.checks;
        self.checks_proven_low += o.checks_proven_low;
        self.checks_proven_high += o.checks_proven_high;
        self.yields += o.yields;
        self.yields_reproduced += o.yields_reproduced;
        self.build_time += o.build_time;
        self.analysis_time += o.analysis_time;
        self.failures.extend(o.failures);
        self
    }
}

fn count_file(path: &Path) -> Counts {
    let pyc = Pyc::parse(std::fs::read(path).unwrap()).unwrap();
    let v = pyc.version();
    let mut c = Counts::default();
    for (id, name) in walk_code(&pyc.graph, pyc.root) {
        let code = pyc.graph.as_code(id).unwrap();
        let t0 = std::time::Instant::now();
        let cfg = build(code, &pyc.graph, v).unwrap();
        let t1 = std::time::Instant::now();
        c.codes += 1;
        let da = DefiniteAssignment::compute(&cfg);
        let nesting = handler_nesting(&cfg);
        c.build_time += t1 - t0;
        c.analysis_time += t1.elapsed();
        let mut prev_yield: Option<u32> = None;
        for &b in &cfg.layout {
            for r in da.reads(&cfg, b) {
                if r.checked {
                    c.checks += 1;
                    if r.proven {
                        if r.local < 64 {
                            c.checks_proven_low += 1;
                        } else {
                            c.checks_proven_high += 1;
                        }
                    }
                } else {
                    c.unchecked_reads += 1;
                    if !r.proven {
                        c.unchecked_unproven += 1;
                        c.failures
                            .push(format!("{} {name}: unproven LOAD_FAST", path.display()));
                    }
                }
            }
            for i in &cfg.block(b).instrs {
                let yielded = prev_yield.take();
                match (v, i.op.name) {
                    (PyVersion::V3_12, "YIELD_VALUE") => {
                        c.yields += 1;
                        c.yields_reproduced += usize::from(i.arg == nesting[&b]);
                    }
                    (PyVersion::V3_13, "YIELD_VALUE") => prev_yield = Some(nesting[&b]),
                    (PyVersion::V3_13, "RESUME") if i.arg & 3 != 0 => {
                        c.yields += 1;
                        let depth1 = yielded.unwrap_or(nesting[&b]) == 1;
                        c.yields_reproduced += usize::from((i.arg & 4 != 0) == depth1);
                    }
                    _ => {}
                }
            }
        }
    }
    c
}

/// On every installed 3.12 and 3.13 code object: CPython's unchecked loads are all
/// proven bound, and the yield depths are all reproduced; prints how many of
/// CPython's `LOAD_FAST_CHECK`s the analysis proves unnecessary.
#[test]
fn installed_3_12_and_3_13_code_agrees_with_the_analyses() {
    let mut bad = Vec::new();
    for (major, minor) in [(3u8, 12u8), (3, 13)] {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let started = std::time::Instant::now();
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        let c = files
            .par_iter()
            .map(|p| count_file(p))
            .reduce(Counts::default, Counts::add);
        println!(
            "{major}.{minor}: {} code objects; {} unchecked reads, {} unproven; \
             {} LOAD_FAST_CHECK, {} proven unnecessary ({} of locals < 64, {} of locals >= 64); \
             {} yield depths, {} reproduced ({:.1?}; CPU: graphs built in {:.1?}, \
             analysed in {:.1?})",
            c.codes,
            c.unchecked_reads,
            c.unchecked_unproven,
            c.checks,
            c.checks_proven_low + c.checks_proven_high,
            c.checks_proven_low,
            c.checks_proven_high,
            c.yields,
            c.yields_reproduced,
            started.elapsed(),
            c.build_time,
            c.analysis_time,
        );
        if c.unchecked_unproven > 0 || c.yields_reproduced != c.yields {
            bad.push(format!("{major}.{minor}: {c:?}"));
        }
        bad.extend(c.failures.into_iter().take(5));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------------
// Hand-made graphs.

fn ins(v: PyVersion, name: &str, arg: u32) -> Instr {
    Instr {
        op: table(v).by_name(name).unwrap(),
        arg,
        pos: Position {
            line: Some(1),
            end_line: Some(1),
            column: Some(0),
            end_column: Some(1),
        },
        prefixes: 0,
        cache: Box::new([]),
        offset: None,
    }
}

fn graph(v: PyVersion, blocks: &[Vec<Instr>], edges: &[(usize, usize, EdgeKind)]) -> Cfg {
    let mut cfg = Cfg::from_edges(v, blocks.len(), edges);
    for (b, instrs) in blocks.iter().enumerate() {
        let id = cfg.layout[b];
        cfg.graph[id] = Block {
            instrs: instrs.clone(),
            ..Block::default()
        };
    }
    cfg
}

/// The generated instructions as `(name, arg, prefixes)`.
fn listing(v: PyVersion, code: &[u8]) -> Vec<(&'static str, u32, u8)> {
    decode(code, v)
        .unwrap()
        .iter()
        .map(|i| (i.op.name, i.arg, i.prefixes))
        .collect()
}

fn gen(cfg: &Cfg) -> Vec<(&'static str, u32, u8)> {
    let g = generate(cfg, 1, &Original::default()).unwrap();
    listing(cfg.version, &g.code)
}

/// A store removed by a pass leaves a read of an unbound local: generate checks it,
/// on 3.12 and on 3.13, splitting a superinstruction where one half needs it.
#[test]
fn generate_checks_reads_a_removed_store_leaves_unbound() {
    for v in [PyVersion::V3_12, PyVersion::V3_13] {
        // def f(): x = 1; return x — with the store made a POP_TOP.
        let mut cfg = graph(
            v,
            &[vec![
                ins(v, "RESUME", 0),
                ins(v, "LOAD_CONST", 0),
                ins(v, "POP_TOP", 0),
                ins(v, "LOAD_FAST", 0),
                ins(v, "RETURN_VALUE", 0),
            ]],
            &[],
        );
        assert_eq!(gen(&cfg)[3], ("LOAD_FAST_CHECK", 0, 0));
        // With the store, nothing changes.
        let b = cfg.entry;
        cfg.graph[b].instrs[2] = ins(v, "STORE_FAST", 0);
        assert_eq!(gen(&cfg)[3], ("LOAD_FAST", 0, 0));
        // An argument is bound at entry.
        cfg.graph[b].instrs[2] = ins(v, "POP_TOP", 0);
        cfg.frame.arguments = 1;
        assert_eq!(gen(&cfg)[3], ("LOAD_FAST", 0, 0));
        // A LOAD_FAST_CHECK stays one even where it is not needed.
        cfg.graph[b].instrs[3] = ins(v, "LOAD_FAST_CHECK", 0);
        assert_eq!(gen(&cfg)[3], ("LOAD_FAST_CHECK", 0, 0));
    }
    let v = PyVersion::V3_13;
    // def g(a): return a + b — LOAD_FAST_LOAD_FAST (a, b) with b never stored.
    let mut cfg = graph(
        v,
        &[vec![
            ins(v, "RESUME", 0),
            ins(v, "LOAD_FAST_LOAD_FAST", 0x01),
            ins(v, "BINARY_OP", 0),
            ins(v, "RETURN_VALUE", 0),
        ]],
        &[],
    );
    cfg.frame.arguments = 1;
    assert_eq!(
        gen(&cfg)[1..3],
        [("LOAD_FAST", 0, 0), ("LOAD_FAST_CHECK", 1, 0)]
    );
    // STORE_FAST_LOAD_FAST (a, b): the load of b after storing a.
    let b0 = cfg.entry;
    cfg.graph[b0].instrs = vec![
        ins(v, "RESUME", 0),
        ins(v, "LOAD_CONST", 0),
        ins(v, "STORE_FAST_LOAD_FAST", 0x01),
        ins(v, "RETURN_VALUE", 0),
    ];
    cfg.frame.arguments = 0;
    assert_eq!(
        gen(&cfg)[2..4],
        [("STORE_FAST", 0, 0), ("LOAD_FAST_CHECK", 1, 0)]
    );
    // Reading what was just stored needs no check.
    cfg.graph[b0].instrs[2] = ins(v, "STORE_FAST_LOAD_FAST", 0x11);
    assert_eq!(gen(&cfg)[2], ("STORE_FAST_LOAD_FAST", 0x11, 0));
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pycopt-codegen-invariants-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles `source` with `interp` into `dir/name.pyc` and reads it.
fn compile(interp: &pycopt_corpus::Interpreter, dir: &Path, name: &str, source: &str) -> Pyc {
    let src = dir.join(format!("{name}.py"));
    let pyc = dir.join(format!("{name}.pyc"));
    std::fs::write(&src, source).unwrap();
    let script = format!(
        "import py_compile; py_compile.compile({:?}, cfile={:?}, doraise=True)",
        src.display().to_string(),
        pyc.display().to_string()
    );
    let out = interp.run(["-c", &script]).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Pyc::parse(std::fs::read(&pyc).unwrap()).unwrap()
}

/// A pass removes stores from compiled functions (the store becomes a `POP_TOP`, or
/// a `STORE_FAST_STORE_FAST` stores only one of its two values): the regenerated file,
/// run by python3.12 and python3.13, raises `UnboundLocalError` where the original
/// returned, instead of crashing on a `NULL` local.
#[test]
fn a_removed_store_raises_unbound_local_error_in_the_interpreters() {
    let source = "\
def f():
    x = 1
    return x

def g(a):
    b = c = a
    return b + c

for fn, arg in ((f, ()), (g, (2,))):
    try:
        print(fn.__name__, fn(*arg))
    except UnboundLocalError as e:
        print(fn.__name__, 'UnboundLocalError', e)
";
    for (major, minor) in [(3u8, 12u8), (3, 13)] {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let v = PyVersion::parse(&interp.tag()).unwrap();
        let dir = temp_dir(&format!("unbound-{major}.{minor}"));
        let mut pyc = compile(interp, &dir, "m", source);
        let run = |pyc: &Pyc| {
            let path = dir.join("run.pyc");
            std::fs::write(&path, pyc.to_bytes().unwrap()).unwrap();
            let out = interp.run([path.as_os_str()]).unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let (status, stdout, _) = run(&pyc);
        assert_eq!((status, stdout.as_str()), (Some(0), "f 1\ng 4\n"));

        let pop_top = table(v).by_name("POP_TOP").unwrap();
        let store_fast = table(v).by_name("STORE_FAST").unwrap();
        let mut removed = BTreeMap::new();
        let report = rebuild_pyc_with(&mut pyc, |name, cfg| {
            let Some(func) = name.strip_prefix("<module>.") else {
                return;
            };
            for &b in &cfg.layout.clone() {
                let mut out = Vec::new();
                for i in std::mem::take(&mut cfg.graph[b].instrs) {
                    match (func, LocalAccess::of(v, i.op, i.arg)) {
                        // f: drop x's store.
                        ("f", LocalAccess::Store(_)) => {
                            out.push(Instr {
                                op: pop_top,
                                arg: 0,
                                ..i
                            });
                            *removed.entry(func.to_string()).or_insert(0) += 1;
                        }
                        // g: store b (slot 1) but not c (slot 2).
                        ("g", LocalAccess::Store(2)) => {
                            out.push(Instr {
                                op: pop_top,
                                arg: 0,
                                ..i
                            });
                            *removed.entry(func.to_string()).or_insert(0) += 1;
                        }
                        ("g", LocalAccess::StorePair(x, y)) => {
                            let (keep, drop) = if x == 2 { (y, x) } else { (x, y) };
                            assert_eq!(drop, 2);
                            // STORE_FAST_STORE_FAST pops into the first slot first.
                            if x == 2 {
                                out.push(Instr {
                                    op: pop_top,
                                    arg: 0,
                                    ..i.clone()
                                });
                                out.push(Instr {
                                    op: store_fast,
                                    arg: keep,
                                    ..i
                                });
                            } else {
                                out.push(Instr {
                                    op: store_fast,
                                    arg: keep,
                                    ..i.clone()
                                });
                                out.push(Instr {
                                    op: pop_top,
                                    arg: 0,
                                    ..i
                                });
                            }
                            *removed.entry(func.to_string()).or_insert(0) += 1;
                        }
                        _ => out.push(i),
                    }
                }
                cfg.graph[b].instrs = out;
            }
        });
        assert_eq!(
            removed.len(),
            2,
            "{major}.{minor}: stores removed {removed:?}"
        );
        for c in &report.codes {
            assert!(
                !matches!(c.outcome, CodeOutcome::Failed(_)),
                "{major}.{minor} {}: {:?}",
                c.name,
                c.outcome
            );
        }
        let (status, stdout, stderr) = run(&pyc);
        assert_eq!(status, Some(0), "{major}.{minor}: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{major}.{minor}: {stdout}");
        assert!(lines[0].starts_with("f UnboundLocalError"), "{stdout}");
        assert!(lines[0].contains("'x'"), "{stdout}");
        assert!(lines[1].starts_with("g UnboundLocalError"), "{stdout}");
        assert!(lines[1].contains("'c'"), "{stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// 3.12 `YIELD_VALUE` and 3.13 `RESUME` depth bits follow the graph's handlers:
/// only the generator wrapper gives depth 1; inside a `try` it is 2.
#[test]
fn yield_depths_are_computed_from_the_exception_edges() {
    let exc = |depth, lasti| EdgeKind::Exception { depth, lasti };
    for v in [PyVersion::V3_12, PyVersion::V3_13] {
        // 0: prefix; 1: yield in the wrapper only; 2: yield inside a try (handler 3,
        // itself under the wrapper); 3: the try's handler; 4: the wrapper.
        let yield_block = |in_try: bool| {
            vec![
                ins(v, "LOAD_CONST", 0),
                ins(v, "YIELD_VALUE", if in_try { 9 } else { 7 }),
                ins(v, "RESUME", 1 | if in_try { 4 } else { 0 }),
                ins(v, "POP_TOP", 0),
            ]
        };
        let mut b2 = yield_block(true);
        b2.push(ins(v, "RETURN_CONST", 0));
        let cfg = graph(
            v,
            &[
                vec![
                    ins(v, "RETURN_GENERATOR", 0),
                    ins(v, "POP_TOP", 0),
                    ins(v, "RESUME", 0),
                ],
                yield_block(false),
                b2,
                vec![ins(v, "POP_TOP", 0), ins(v, "RETURN_CONST", 0)],
                vec![ins(v, "CALL_INTRINSIC_1", 3), ins(v, "RERAISE", 1)],
            ],
            &[
                (0, 1, EdgeKind::Fallthrough),
                (1, 2, EdgeKind::Fallthrough),
                (1, 4, exc(0, true)),
                (2, 3, exc(0, false)),
                (3, 4, exc(0, true)),
            ],
        );
        let out = gen(&cfg);
        let args: Vec<(&str, u32)> = out
            .iter()
            .filter(|i| matches!(i.0, "YIELD_VALUE" | "RESUME"))
            .map(|i| (i.0, i.1))
            .collect();
        if v == PyVersion::V3_12 {
            assert_eq!(
                args,
                [
                    ("RESUME", 0),
                    ("YIELD_VALUE", 1),
                    ("RESUME", 1),
                    ("YIELD_VALUE", 2),
                    ("RESUME", 5)
                ]
            );
        } else {
            // 3.13 keeps YIELD_VALUE's own argument and marks the RESUME.
            assert_eq!(
                args,
                [
                    ("RESUME", 0),
                    ("YIELD_VALUE", 7),
                    ("RESUME", 5),
                    ("YIELD_VALUE", 9),
                    ("RESUME", 1)
                ]
            );
        }
    }
}

/// A pass that changes an argument gets the minimal `EXTENDED_ARG` encoding (whether
/// or not it resets `prefixes`); an argument as read keeps the prefixes it had, even
/// redundant ones.
#[test]
fn prefixes_are_minimal_for_changed_arguments_and_kept_for_unchanged_ones() {
    let v = PyVersion::V3_12;
    let mut cfg = graph(
        v,
        &[vec![
            ins(v, "RESUME", 0),
            ins(v, "LOAD_CONST", 300),
            ins(v, "LOAD_CONST", 5),
            ins(v, "BUILD_TUPLE", 2),
            ins(v, "RETURN_VALUE", 0),
        ]],
        &[],
    );
    let b = cfg.entry;
    // As read: LOAD_CONST 300 at offset 2 with its one needed prefix; LOAD_CONST 5 at
    // offset 6 with a redundant one.
    for (k, offset, arg) in [(1usize, 2u32, 300u32), (2, 6, 5)] {
        let i = &mut cfg.graph[b].instrs[k];
        i.prefixes = 1;
        i.offset = Some(offset);
        cfg.prefixed_args.insert(offset, arg);
    }
    let prefixes = |cfg: &Cfg| -> Vec<u8> { gen(cfg).iter().map(|i| i.2).collect() };
    assert_eq!(prefixes(&cfg), [0, 1, 1, 0, 0]);
    // Arguments changed, prefixes left as recorded: only what is needed.
    cfg.graph[b].instrs[1].arg = 3;
    cfg.graph[b].instrs[2].arg = 6;
    assert_eq!(prefixes(&cfg), [0, 0, 0, 0, 0]);
    // A pass that resets the count gets the same.
    cfg.graph[b].instrs[1].prefixes = 0;
    cfg.graph[b].instrs[2].prefixes = 0;
    assert_eq!(prefixes(&cfg), [0, 0, 0, 0, 0]);
    // A larger argument still gets what it needs.
    cfg.graph[b].instrs[1].arg = 70_000;
    assert_eq!(prefixes(&cfg), [0, 2, 0, 0, 0]);
    // Back to the arguments as read, with prefixes as read: as read.
    cfg.graph[b].instrs[1].arg = 300;
    cfg.graph[b].instrs[2].arg = 5;
    cfg.graph[b].instrs[1].prefixes = 1;
    cfg.graph[b].instrs[2].prefixes = 1;
    assert_eq!(prefixes(&cfg), [0, 1, 1, 0, 0]);
}

/// A jump's recorded (redundant) prefix stays while its computed argument is the one
/// read, and goes when the code between changes.
#[test]
fn jump_prefixes_follow_the_computed_argument() {
    let v = PyVersion::V3_12;
    let mut cfg = graph(
        v,
        &[
            vec![ins(v, "RESUME", 0), ins(v, "JUMP_FORWARD", 1)],
            vec![ins(v, "NOP", 0)],
            vec![ins(v, "RETURN_CONST", 0)],
        ],
        &[(0, 2, EdgeKind::Jump), (1, 2, EdgeKind::Fallthrough)],
    );
    let b0 = cfg.entry;
    {
        let j = &mut cfg.graph[b0].instrs[1];
        j.prefixes = 1;
        j.offset = Some(2);
    }
    cfg.prefixed_args.insert(2, 1);
    assert_eq!(gen(&cfg)[1], ("JUMP_FORWARD", 1, 1));
    let b1 = cfg.layout[1];
    cfg.graph[b1].instrs.push(ins(v, "NOP", 0));
    assert_eq!(gen(&cfg)[1], ("JUMP_FORWARD", 2, 0));
}

/// 3.12+: `FOR_ITER` must exit to `END_FOR` (3.13: `END_FOR; POP_TOP`).
#[test]
fn for_iter_must_exit_to_what_the_interpreter_skips() {
    for v in [PyVersion::V3_12, PyVersion::V3_13] {
        let exit = |first: &str| {
            let mut e = vec![ins(v, first, 0)];
            if v == PyVersion::V3_13 {
                e.push(ins(v, "POP_TOP", 0));
            }
            e.push(ins(v, "RETURN_CONST", 0));
            e
        };
        let mut cfg = graph(
            v,
            &[
                vec![
                    ins(v, "RESUME", 0),
                    ins(v, "LOAD_CONST", 0),
                    ins(v, "GET_ITER", 0),
                ],
                vec![ins(v, "FOR_ITER", 0)],
                vec![ins(v, "POP_TOP", 0), ins(v, "JUMP_BACKWARD", 0)],
                exit("END_FOR"),
            ],
            &[
                (0, 1, EdgeKind::Fallthrough),
                (1, 2, EdgeKind::Fallthrough),
                (1, 3, EdgeKind::Jump),
                (2, 1, EdgeKind::Jump),
            ],
        );
        generate(&cfg, 1, &Original::default()).unwrap();
        let b3 = cfg.layout[3];
        cfg.graph[b3].instrs.insert(0, ins(v, "NOP", 0));
        let err = generate(&cfg, 1, &Original::default()).unwrap_err();
        assert!(
            matches!(err, CodegenError::ForIterExit { found: "NOP", .. }),
            "{v}: {err}"
        );
        if v == PyVersion::V3_13 {
            cfg.graph[b3].instrs.remove(0);
            cfg.graph[b3].instrs.insert(1, ins(v, "NOP", 0));
            let err = generate(&cfg, 1, &Original::default()).unwrap_err();
            assert!(
                matches!(err, CodegenError::ForIterExit { found: "NOP", .. }),
                "{err}"
            );
        }
    }
}
