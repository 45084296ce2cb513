//! A whole `.pyc` through graph and code generation.

use super::{generate, Original};
use crate::cfg::{build, Cfg};
use crate::code::walk_code;
use crate::marshal::{Node, ObjId, Value};
use crate::verify::{verify, Limits};
use crate::Pyc;

/// What happened to one code object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeOutcome {
    /// Rebuilt and verified, with exactly the original code, tables and stack size.
    Identical,
    /// Rebuilt and verified, with different bytes (now in the graph).
    Changed,
    /// No graph, no code, or the code failed verification: the original stays.
    Failed(String),
}

/// One code object's result.
#[derive(Clone, Debug)]
pub struct CodeReport {
    /// Dotted path of names from the module (`<module>.C.f`).
    pub name: String,
    /// Rebuilt identically, changed, or kept because something failed.
    pub outcome: CodeOutcome,
}

/// The results for every code object of a `.pyc`, in [`walk_code`] order.
#[derive(Clone, Debug, Default)]
pub struct RebuildReport {
    /// One report per code object.
    pub codes: Vec<CodeReport>,
}

impl RebuildReport {
    /// Code objects rebuilt byte for byte.
    pub fn identical(&self) -> usize {
        self.count(|o| *o == CodeOutcome::Identical)
    }

    /// Code objects whose rebuilt code passed verification (identical or not).
    pub fn verified(&self) -> usize {
        self.count(|o| !matches!(o, CodeOutcome::Failed(_)))
    }

    /// Code objects that kept their original bytes because something failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, CodeOutcome::Failed(_)))
    }

    fn count(&self, f: impl Fn(&CodeOutcome) -> bool) -> usize {
        self.codes.iter().filter(|c| f(&c.outcome)).count()
    }
}

/// Rebuilds every code object of `pyc` through its control-flow graph: bytes →
/// [`Cfg`](crate::cfg::Cfg) → [`generate`] → [`verify`]. Verified results replace
/// `co_code`, the line table, the exception table and `co_stacksize` where they
/// differ (new objects are added to the graph; shared ones are never modified); a code
/// object that fails anywhere keeps its original bytes and is reported.
pub fn rebuild_pyc(pyc: &mut Pyc) -> RebuildReport {
    rebuild_pyc_with(pyc, |_, _| {})
}

/// As [`rebuild_pyc`], calling `edit` on each code object's graph (with the code
/// object's dotted name) before its code is generated: the hook transformations
/// run through.
pub fn rebuild_pyc_with(pyc: &mut Pyc, mut edit: impl FnMut(&str, &mut Cfg)) -> RebuildReport {
    let mut report = RebuildReport::default();
    for (id, name) in walk_code(&pyc.graph, pyc.root) {
        let outcome = match rebuild_one(pyc, id, |cfg| edit(&name, cfg)) {
            Ok(true) => CodeOutcome::Identical,
            Ok(false) => CodeOutcome::Changed,
            Err(e) => CodeOutcome::Failed(e),
        };
        report.codes.push(CodeReport { name, outcome });
    }
    report
}

/// Rebuilds one code object; `Ok(true)` when nothing changed.
fn rebuild_one(pyc: &mut Pyc, id: ObjId, edit: impl FnOnce(&mut Cfg)) -> Result<bool, String> {
    let version = pyc.version();
    let g = &pyc.graph;
    let code = g.as_code(id).ok_or("not a code object")?.clone();
    let mut cfg = build(&code, g, version).map_err(|e| format!("graph: {e}"))?;
    edit(&mut cfg);
    let old_code = code.bytecode(g);
    let old_lines = g.payload(code.linetable).unwrap_or(&[]);
    let old_exc = code
        .exceptiontable
        .and_then(|e| g.payload(e))
        .unwrap_or(&[]);
    let gen = generate(
        &cfg,
        code.firstlineno,
        &Original {
            linetable: g.payload(code.linetable),
            stacksize: Some(code.stacksize),
        },
    )
    .map_err(|e| format!("codegen: {e}"))?;
    verify(
        version,
        &gen.code,
        &gen.exceptiontable,
        gen.stacksize,
        &Limits::of(&code, g),
    )
    .map_err(|e| format!("verify: {e}"))?;
    let same_code = gen.code == old_code;
    let same_lines = gen.linetable == old_lines;
    let same_exc = code.exceptiontable.is_none() || gen.exceptiontable == old_exc;
    let same_stack = gen.stacksize == code.stacksize;
    if same_code && same_lines && same_exc && same_stack {
        return Ok(true);
    }
    let mut new = code.clone();
    if !same_code {
        new.code = replace_bytes(pyc, code.code, &gen.code);
    }
    if !same_lines {
        new.linetable = replace_bytes(pyc, code.linetable, &gen.linetable);
    }
    if let (false, Some(e)) = (same_exc, code.exceptiontable) {
        new.exceptiontable = Some(replace_bytes(pyc, e, &gen.exceptiontable));
    }
    new.stacksize = gen.stacksize;
    pyc.graph.node_mut(id).value = Value::Code(Box::new(new));
    Ok(false)
}

/// A new bytes object like `old` (same type byte) holding `data`.
fn replace_bytes(pyc: &mut Pyc, old: ObjId, data: &[u8]) -> ObjId {
    let type_byte = pyc.graph.node(old).type_byte;
    let span = pyc.graph.add_bytes(data);
    pyc.graph.add(Node {
        type_byte,
        value: Value::Bytes(span),
        offset: 0,
    })
}
