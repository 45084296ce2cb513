//! Every code object of every installed interpreter's library builds a CFG whose
//! blocks hold exactly the original instructions, in order.

use std::collections::BTreeMap;

use pycopt_core::cfg::build;
use pycopt_core::code::walk_code;
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

#[test]
fn every_installed_code_object_builds_a_cfg() {
    let mut summary = BTreeMap::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let v = PyVersion::parse(&interp.tag()).unwrap();
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        let (codes, blocks, failures) = files
            .par_iter()
            .map(|p| {
                let pyc = Pyc::parse(std::fs::read(p).unwrap()).unwrap();
                let mut r = (0usize, 0usize, Vec::new());
                for (id, name) in walk_code(&pyc.graph, pyc.root) {
                    let code = pyc.graph.as_code(id).unwrap();
                    r.0 += 1;
                    match build(code, &pyc.graph, v) {
                        Ok(cfg) => {
                            r.1 += cfg.layout.len();
                            let n = pycopt_core::instr::decode(code.bytecode(&pyc.graph), v)
                                .unwrap()
                                .len();
                            if cfg.instruction_count() != n {
                                r.2.push(format!("{} {name}: instruction count", p.display()));
                            }
                            // Only a dead tail may lack a way out.
                            let reachable = cfg.reachable();
                            let last = *cfg.layout.last().unwrap();
                            let ends = cfg.block(last).instrs.last().unwrap().op.flow;
                            if !(ends.terminates || ends.uncond_jump) && reachable.contains(&last) {
                                r.2.push(format!("{} {name}: falls off the end", p.display()));
                            }
                        }
                        Err(e) => r.2.push(format!("{} {name}: {e}", p.display())),
                    }
                }
                r
            })
            .reduce(
                || (0, 0, Vec::new()),
                |mut a, b| {
                    a.0 += b.0;
                    a.1 += b.1;
                    a.2.extend(b.2);
                    a
                },
            );
        summary.insert(v, (codes, blocks, failures));
    }
    let mut bad = Vec::new();
    for (v, (codes, blocks, failures)) in &summary {
        println!(
            "{v}: {codes} code objects, {blocks} blocks, {} failures",
            failures.len()
        );
        bad.extend(failures.iter().take(5).cloned());
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
