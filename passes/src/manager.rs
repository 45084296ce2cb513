//! The pass manager: runs a pipeline over every code object of a `.pyc`, code objects
//! in parallel, and accounts for what each pass did.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use pycopt_core::cfg::Scan;
use pycopt_core::code::CodeTree;
use pycopt_core::codegen::{apply_all, Finished, Unit};
use pycopt_core::Pyc;

use crate::pass::{Assumption, Context, Options, Pass};
use crate::pipeline::Pipeline;
use crate::registry::Registry;

/// A pipeline named a pass the registry does not have.
#[derive(Debug, thiserror::Error)]
#[error("unknown pass `{name}` (known passes: {known})")]
pub struct UnknownPass {
    /// The name asked for.
    pub name: String,
    /// The registry's names, comma-separated.
    pub known: String,
}

/// What one pass did over a file (or, summed, a run).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PassStats {
    /// Code objects it ran on (once per round).
    pub runs: u64,
    /// Changes it reported.
    pub changes: u64,
    /// Time spent in it, in nanoseconds.
    pub nanos: u64,
}

impl PassStats {
    fn add(&mut self, o: &PassStats) {
        self.runs += o.runs;
        self.changes += o.changes;
        self.nanos += o.nanos;
    }
}

/// One code object that kept its original code, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Kept {
    /// Dotted path of the code object (`<module>.C.f`).
    pub code: String,
    /// What failed: a pass (named), code generation or verification.
    pub reason: String,
}

/// What the pass manager did to one file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileStats {
    /// Code objects in the file.
    pub code_objects: u64,
    /// Code objects whose code changed.
    pub changed: u64,
    /// Code objects that no pass could change, as seen from their instructions
    /// ([`Pass::may_change`]): no graph was built for them.
    pub screened: u64,
    /// Instructions (without `EXTENDED_ARG` prefixes and caches) before and after.
    pub instrs_before: u64,
    pub instrs_after: u64,
    /// Bytes of `co_code` before and after.
    pub code_bytes_before: u64,
    pub code_bytes_after: u64,
    /// Constants and names before and after.
    pub consts_before: u64,
    pub consts_after: u64,
    /// Per pass, by name: every pass the options let run (a pass whose assumption
    /// or strip option is off is not listed).
    pub passes: BTreeMap<String, PassStats>,
    /// Assumptions that some change relied on.
    pub assumptions_used: BTreeSet<String>,
    /// Code objects kept as they were.
    pub kept: Vec<Kept>,
}

impl FileStats {
    /// Adds another file's figures to these (for a run's totals).
    pub fn merge(&mut self, o: &FileStats) {
        self.code_objects += o.code_objects;
        self.changed += o.changed;
        self.screened += o.screened;
        self.instrs_before += o.instrs_before;
        self.instrs_after += o.instrs_after;
        self.code_bytes_before += o.code_bytes_before;
        self.code_bytes_after += o.code_bytes_after;
        self.consts_before += o.consts_before;
        self.consts_after += o.consts_after;
        for (k, v) in &o.passes {
            self.passes.entry(k.clone()).or_default().add(v);
        }
        self.assumptions_used
            .extend(o.assumptions_used.iter().cloned());
        self.kept.extend(o.kept.iter().cloned());
    }
}

/// A configured pipeline, ready to run over files.
pub struct PassManager {
    passes: Vec<Arc<dyn Pass>>,
    rounds: usize,
    options: Options,
    /// Run code generation and the verifier after every pass, and name the pass whose
    /// output fails (slow; `--debug-verify`).
    pub verify_each: bool,
    /// Send every code object through code generation even when no pass changed it
    /// (`--rebuild`).
    pub rebuild_all: bool,
}

impl PassManager {
    /// A manager running `pipeline`'s passes, looked up in `registry`.
    pub fn new(
        registry: &Registry,
        pipeline: &Pipeline,
        options: Options,
    ) -> Result<PassManager, UnknownPass> {
        let passes = pipeline
            .passes
            .iter()
            .map(|&name| {
                registry.get(name).ok_or_else(|| UnknownPass {
                    name: name.to_string(),
                    known: registry.names().join(", "),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PassManager {
            passes,
            rounds: pipeline.rounds,
            options,
            verify_each: false,
            rebuild_all: false,
        })
    }

    /// The pipeline's pass names, in order.
    pub fn pass_names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.info().name).collect()
    }

    /// The options passes run with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether running this manager can change anything.
    pub fn is_identity(&self) -> bool {
        (self.passes.is_empty() || self.rounds == 0) && !self.rebuild_all
    }

    /// Whether the run's options let `pass` act: its assumption is on and what it
    /// strips is asked for.
    fn is_active(&self, pass: &dyn Pass) -> bool {
        let info = pass.info();
        info.needs.is_none_or(|a| self.options.assumes(a))
            && info.strips.is_none_or(|s| self.options.strips(s))
    }

    /// Optimizes every code object of `pyc` in place. Code objects whose pipeline or
    /// result fails keep their original code and are listed in [`FileStats::kept`].
    pub fn optimize(&self, pyc: &mut Pyc) -> FileStats {
        let mut stats = FileStats::default();
        if self.is_identity() {
            return stats;
        }
        let active: Vec<&dyn Pass> = self
            .passes
            .iter()
            .map(|p| p.as_ref())
            .filter(|p| self.is_active(*p))
            .collect();
        // Every pass that may run is listed, even where no code object needed it.
        for pass in &active {
            stats
                .passes
                .entry(pass.info().name.to_string())
                .or_default();
        }
        let version = pyc.version();
        let facts = OnceLock::new();
        let cx = Context::lazy(&self.options, pyc, &facts);
        let graph = &pyc.graph;
        let tree = CodeTree::of(graph, pyc.root);
        let results: Vec<CodeResult> = (0..tree.len())
            .into_par_iter()
            .map(|i| {
                let id = tree.id(i);
                let path = || tree.path(graph, i);
                let Some(code) = graph.as_code(id) else {
                    return CodeResult::kept(path(), "not a code object".into(), 0, 0);
                };
                let bytes = code.bytecode(graph).len() as u64;
                let consts = code.consts(graph).len() as u64;
                let scan = match Scan::new(code, graph, version) {
                    Ok(scan) => scan,
                    Err(e) => {
                        return CodeResult::kept(path(), format!("graph: {e}"), bytes, consts)
                    }
                };
                if !self.rebuild_all && !active.iter().any(|p| p.may_change(&scan, &cx)) {
                    return CodeResult::screened(scan.instrs.len() as u64, bytes, consts);
                }
                match Unit::from_scan(&scan, id, path()) {
                    Ok(unit) => self.run_unit(&active, unit, &cx, bytes, consts),
                    Err(reason) => CodeResult::kept(path(), reason, bytes, consts),
                }
            })
            .collect();
        let mut finished = Vec::new();
        for r in results {
            stats.code_objects += 1;
            stats.screened += u64::from(r.screened);
            stats.instrs_before += r.instrs_before;
            stats.instrs_after += r.instrs_after;
            stats.code_bytes_before += r.bytes_before;
            stats.code_bytes_after += r.bytes_after;
            stats.consts_before += r.consts_before;
            stats.consts_after += r.consts_after;
            for (name, s) in &r.passes {
                stats.passes.entry(name.to_string()).or_default().add(s);
            }
            stats
                .assumptions_used
                .extend(r.assumptions.iter().map(|a| a.name().to_string()));
            if let Some(k) = r.kept {
                stats.kept.push(k);
            }
            if let Some(f) = r.finished {
                if !f.identical {
                    stats.changed += 1;
                }
                finished.push(f);
            }
        }
        apply_all(pyc, finished);
        stats
    }

    fn run_unit(
        &self,
        active: &[&dyn Pass],
        mut unit: Unit<'_>,
        cx: &Context<'_>,
        bytes_before: u64,
        consts_before: u64,
    ) -> CodeResult {
        let path = unit.path.clone();
        let instrs_before = unit.cfg.instruction_count() as u64;
        let mut passes: Vec<(&'static str, PassStats)> = Vec::new();
        let mut assumptions = BTreeSet::new();
        let mut changed_any = false;
        for _ in 0..self.rounds {
            let mut round_changes = 0;
            for pass in active {
                let info = pass.info();
                let start = Instant::now();
                let result = pass.run(&mut unit, cx);
                let nanos = start.elapsed().as_nanos() as u64;
                let changes = match result {
                    Ok(n) => n,
                    Err(e) => {
                        return CodeResult::kept(
                            path,
                            format!("pass {}: {e}", info.name),
                            bytes_before,
                            consts_before,
                        )
                    }
                };
                match passes.iter_mut().find(|(n, _)| *n == info.name) {
                    Some((_, s)) => {
                        s.runs += 1;
                        s.changes += changes as u64;
                        s.nanos += nanos;
                    }
                    None => passes.push((
                        info.name,
                        PassStats {
                            runs: 1,
                            changes: changes as u64,
                            nanos,
                        },
                    )),
                }
                if changes > 0 {
                    round_changes += changes;
                    if let Some(a) = info.needs {
                        assumptions.insert(a);
                    }
                    if self.verify_each {
                        if let Err(e) = unit.clone().finish() {
                            return CodeResult::kept(
                                path,
                                format!("after pass {}: {e}", info.name),
                                bytes_before,
                                consts_before,
                            );
                        }
                    }
                }
            }
            changed_any |= round_changes > 0;
            if round_changes == 0 {
                break;
            }
        }
        if !changed_any && !self.rebuild_all {
            return CodeResult {
                passes,
                assumptions,
                ..CodeResult::unchanged(instrs_before, bytes_before, consts_before)
            };
        }
        let instrs_after = unit.cfg.instruction_count() as u64;
        let consts_after = unit.const_count() as u64;
        match unit.finish() {
            Ok(f) => CodeResult {
                instrs_before,
                instrs_after,
                bytes_before,
                bytes_after: f.code_len().map_or(bytes_before, |n| n as u64),
                consts_before,
                consts_after,
                passes,
                assumptions,
                kept: None,
                finished: Some(f),
                screened: false,
            },
            Err(reason) => {
                let mut r = CodeResult::kept(path, reason, bytes_before, consts_before);
                r.passes = passes;
                r.instrs_before = instrs_before;
                r.instrs_after = instrs_before;
                r
            }
        }
    }
}

/// One code object's outcome, carried from the parallel phase to the file's update.
struct CodeResult {
    instrs_before: u64,
    instrs_after: u64,
    bytes_before: u64,
    bytes_after: u64,
    consts_before: u64,
    consts_after: u64,
    passes: Vec<(&'static str, PassStats)>,
    assumptions: BTreeSet<Assumption>,
    kept: Option<Kept>,
    finished: Option<Finished>,
    /// No pass could change it: no graph was built.
    screened: bool,
}

impl CodeResult {
    /// A code object left as it was, with these sizes.
    fn unchanged(instrs: u64, bytes: u64, consts: u64) -> CodeResult {
        CodeResult {
            kept: None,
            instrs_before: instrs,
            instrs_after: instrs,
            bytes_before: bytes,
            bytes_after: bytes,
            consts_before: consts,
            consts_after: consts,
            passes: Vec::new(),
            assumptions: BTreeSet::new(),
            finished: None,
            screened: false,
        }
    }

    fn screened(instrs: u64, bytes: u64, consts: u64) -> CodeResult {
        CodeResult {
            screened: true,
            ..CodeResult::unchanged(instrs, bytes, consts)
        }
    }

    fn kept(path: String, reason: String, bytes: u64, consts: u64) -> CodeResult {
        CodeResult {
            kept: Some(Kept { code: path, reason }),
            ..CodeResult::unchanged(0, bytes, consts)
        }
    }
}
