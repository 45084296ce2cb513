//! `co_code` of every code object in every installed interpreter's library decodes
//! into instructions and encodes back to the same bytes; every jump lands on an
//! instruction.

use std::collections::{BTreeMap, HashSet};

use pycopt_core::code::walk_code;
use pycopt_core::instr::{decode, encode};
use pycopt_core::opcode::table;
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

#[derive(Default, Debug)]
struct Counts {
    code_objects: usize,
    instructions: usize,
    identical: usize,
    bad_targets: usize,
    failures: Vec<String>,
}

fn check_file(path: &std::path::Path) -> Counts {
    let mut c = Counts::default();
    let data = std::fs::read(path).unwrap();
    let pyc = match Pyc::parse(data) {
        Ok(p) => p,
        Err(e) => {
            c.failures.push(format!("{}: {e}", path.display()));
            return c;
        }
    };
    let v = pyc.version();
    let t = table(v);
    for (id, qualname) in walk_code(&pyc.graph, pyc.root) {
        let code = pyc.graph.as_code(id).unwrap();
        let bytes = code.bytecode(&pyc.graph);
        c.code_objects += 1;
        match decode(bytes, v) {
            Err(e) => c
                .failures
                .push(format!("{} {qualname}: {e}", path.display())),
            Ok(instrs) => {
                c.instructions += instrs.len();
                if encode(&instrs, v) == bytes {
                    c.identical += 1;
                } else {
                    c.failures.push(format!(
                        "{} {qualname}: re-encoding differs",
                        path.display()
                    ));
                }
                let starts: HashSet<u32> = instrs.iter().map(|i| i.start).collect();
                for i in &instrs {
                    if let Some(target) = i.jump_target(t) {
                        if !starts.contains(&target) {
                            c.bad_targets += 1;
                            c.failures.push(format!(
                                "{} {qualname}: {} at {} jumps to {target}, not an instruction",
                                path.display(),
                                i.op.name,
                                i.offset
                            ));
                        }
                    }
                }
            }
        }
    }
    c
}

#[test]
fn every_installed_code_object_decodes_and_reencodes() {
    let mut summary: BTreeMap<PyVersion, Counts> = BTreeMap::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let v = PyVersion::parse(&interp.tag()).unwrap();
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        let counts = files
            .par_iter()
            .map(|p| check_file(p))
            .reduce(Counts::default, |mut a, b| {
                a.code_objects += b.code_objects;
                a.instructions += b.instructions;
                a.identical += b.identical;
                a.bad_targets += b.bad_targets;
                a.failures.extend(b.failures);
                a
            });
        summary.insert(v, counts);
    }
    let mut failures = Vec::new();
    for (v, c) in &summary {
        println!(
            "{v}: {} code objects, {} instructions, {} re-encode identically, {} bad jump targets",
            c.code_objects, c.instructions, c.identical, c.bad_targets
        );
        failures.extend(c.failures.iter().take(10).cloned());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
