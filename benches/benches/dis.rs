//! Disassembly throughput: code objects per second and input MB per second for
//! `pycopt dis` (the `dis.dis`-identical text), `dis --asm` (assembly text), and
//! decoding to instructions alone.
//! Run: `cargo bench -p pycopt-benches --bench dis`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pycopt_benches::load_corpus;
use pycopt_core::code::walk_code;
use pycopt_core::dis::{dis_pyc, DisOptions};
use pycopt_core::instr::decode;
use pycopt_core::Pyc;

fn dis(c: &mut Criterion) {
    let mut group = c.benchmark_group("disassemble");
    group.sample_size(10);
    for (name, files) in load_corpus() {
        let pycs: Vec<Pyc> = files
            .iter()
            .map(|f| Pyc::parse(f.clone()).expect("corpus file reads"))
            .collect();
        let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
        let code_objects: u64 = pycs
            .iter()
            .map(|p| walk_code(&p.graph, p.root).len() as u64)
            .sum();
        group.throughput(Throughput::Elements(code_objects));
        group.bench_function(format!("decode/code-objects/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    for (id, _) in walk_code(&p.graph, p.root) {
                        let code = p.graph.as_code(id).unwrap();
                        std::hint::black_box(decode(code.bytecode(&p.graph), p.version()).unwrap());
                    }
                }
            })
        });
        group.bench_function(format!("dis/code-objects/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    std::hint::black_box(dis_pyc(p, &DisOptions::default()).unwrap());
                }
            })
        });
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("dis/bytes/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    std::hint::black_box(dis_pyc(p, &DisOptions::default()).unwrap());
                }
            })
        });
        group.bench_function(format!("dis-asm/bytes/{name}"), |b| {
            b.iter(|| {
                for p in &pycs {
                    std::hint::black_box(pycopt_core::asm::disassemble(p).unwrap());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, dis);
criterion_main!(benches);
