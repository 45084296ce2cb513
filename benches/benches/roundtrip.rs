//! Read + write throughput of whole `.pyc` files, in bytes per second.
//!
//! Input: the stdlib `.pyc` files of each installed interpreter found by the
//! project's interpreter search (see `corpus/README.md`), loaded into memory first so
//! only pycopt's work is measured; without interpreters, the committed sample.
//! Run: `cargo bench -p pycopt-benches --bench roundtrip`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pycopt_benches::load_corpus;
use pycopt_core::Pyc;

fn roundtrip(c: &mut Criterion) {
    let mut group = c.benchmark_group("pyc-read-write");
    group.sample_size(10);
    for (name, files) in load_corpus() {
        let bytes: u64 = files.iter().map(|f| f.len() as u64).sum();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("read+write/{name}"), |b| {
            b.iter(|| {
                for f in &files {
                    let pyc = Pyc::parse(f.clone()).expect("corpus file reads");
                    let out = pyc.to_bytes().expect("corpus file writes");
                    assert_eq!(out.len(), f.len());
                }
            })
        });
        group.bench_function(format!("read/{name}"), |b| {
            b.iter(|| {
                for f in &files {
                    std::hint::black_box(Pyc::parse(f.clone()).expect("corpus file reads"));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
