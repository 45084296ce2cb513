//! Throughput of each stage of pycopt, so regressions show per stage:
//! read (bytes → object graph), decode (co_code → instructions), scan (decode cut
//! into blocks and edges, then every `-O2` pass's `may_change`: what the pass manager
//! pays for every code object, including those it leaves unopened), CFG build,
//! passes (the `-O2` pipeline through the pass manager, code generation and
//! verification included), code generation alone (CFG → bytes), write
//! (graph → bytes).
//!
//! Input: as the other benches, the stdlib `.pyc` of 3.11 and 3.13 (or
//! `PYCOPT_BENCH_VERSIONS`), loaded into memory first; throughput in bytes of
//! `.pyc` per second, and code objects per second for the per-code stages.
//! Run: `cargo bench -p pycopt-benches --bench stages`.
//! The pass manager runs a file's code objects in parallel (rayon), so the
//! `passes` figure uses every core; the others use one.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pycopt_benches::load_corpus;
use pycopt_core::cfg::{build, Cfg, Scan};
use pycopt_core::code::walk_code;
use pycopt_core::codegen::{generate, Original};
use pycopt_core::instr::decode;
use pycopt_core::Pyc;
use pycopt_passes::{pipeline, Context, Level, Options, PassManager, Registry};

/// At most this many bytes of each corpus: CFG and code generation are slower
/// than reading, and criterion takes ten samples.
const LIMIT: usize = 48 << 20;

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    for (name, files) in load_corpus() {
        let mut total = 0usize;
        let files: Vec<Vec<u8>> = files
            .into_iter()
            .take_while(|f| {
                total += f.len();
                total <= LIMIT
            })
            .collect();
        let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
        let pycs: Vec<Pyc> = files
            .iter()
            .map(|f| Pyc::parse(f.clone()).expect("corpus file reads"))
            .collect();
        let codes: u64 = pycs
            .iter()
            .map(|p| walk_code(&p.graph, p.root).len() as u64)
            .sum();
        let cfgs: Vec<(Cfg, i32, Vec<u8>, i32)> = pycs
            .iter()
            .flat_map(|p| {
                walk_code(&p.graph, p.root)
                    .into_iter()
                    .filter_map(move |(id, _)| {
                        let code = p.graph.as_code(id)?;
                        let cfg = build(code, &p.graph, p.version()).ok()?;
                        let lines = p.graph.payload(code.linetable).unwrap_or(&[]).to_vec();
                        Some((cfg, code.firstlineno, lines, code.stacksize))
                    })
            })
            .collect();

        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("read/{name}"), |b| {
            b.iter(|| {
                for f in &files {
                    std::hint::black_box(Pyc::parse(f.clone()).expect("reads"));
                }
            })
        });
        group.bench_function(format!("write/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    std::hint::black_box(p.to_bytes().expect("writes"));
                }
            })
        });
        group.throughput(Throughput::Elements(codes));
        group.bench_function(format!("decode/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    for (id, _) in walk_code(&p.graph, p.root) {
                        let code = p.graph.as_code(id).expect("code");
                        std::hint::black_box(
                            decode(code.bytecode(&p.graph), p.version()).expect("decodes"),
                        );
                    }
                }
            })
        });
        let o2: Vec<_> = pipeline(Level::O2)
            .passes
            .iter()
            .filter_map(|n| Registry::default().get(n))
            .collect();
        let options = Options::default();
        group.bench_function(format!("scan/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    let facts = std::sync::OnceLock::new();
                    let cx = Context::lazy(&options, p, &facts);
                    for (id, _) in walk_code(&p.graph, p.root) {
                        let code = p.graph.as_code(id).expect("code");
                        let Ok(scan) = Scan::new(code, &p.graph, p.version()) else {
                            continue;
                        };
                        std::hint::black_box(o2.iter().any(|pass| pass.may_change(&scan, &cx)));
                    }
                }
            })
        });
        group.bench_function(format!("cfg-build/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    for (id, _) in walk_code(&p.graph, p.root) {
                        let code = p.graph.as_code(id).expect("code");
                        std::hint::black_box(build(code, &p.graph, p.version()).ok());
                    }
                }
            })
        });
        let registry = Registry::default();
        let manager = PassManager::new(&registry, &pipeline(Level::O2), Default::default())
            .expect("the -O2 pipeline names registered passes");
        group.bench_function(format!("passes-O2/{name}"), |b| {
            b.iter_batched(
                || pycs.clone(),
                |mut pycs| {
                    for p in &mut pycs {
                        std::hint::black_box(manager.optimize(p));
                    }
                    pycs
                },
                BatchSize::PerIteration,
            )
        });
        group.throughput(Throughput::Elements(cfgs.len() as u64));
        group.bench_function(format!("codegen/{name}"), |b| {
            b.iter(|| {
                for (cfg, first, lines, stack) in &cfgs {
                    let original = Original {
                        linetable: Some(lines),
                        stacksize: Some(*stack),
                    };
                    std::hint::black_box(generate(cfg, *first, &original).ok());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
