//! A whole `.pyc` through graph and code generation.

use super::unit::{apply_all, Unit};
use crate::cfg::Cfg;
use crate::code::walk_code;
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
    let version = pyc.version();
    let mut report = RebuildReport::default();
    let mut done = Vec::new();
    for (id, name) in walk_code(&pyc.graph, pyc.root) {
        let result = Unit::open(&pyc.graph, id, name.clone(), version).and_then(|mut unit| {
            edit(&name, &mut unit.cfg);
            unit.finish()
        });
        let outcome = match result {
            Ok(f) if f.identical => CodeOutcome::Identical,
            Ok(f) => {
                done.push(f);
                CodeOutcome::Changed
            }
            Err(e) => CodeOutcome::Failed(e),
        };
        report.codes.push(CodeReport { name, outcome });
    }
    apply_all(pyc, done);
    report
}
