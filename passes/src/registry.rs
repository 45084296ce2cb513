//! The one list of passes: `pycopt passes`, `--help`, `--passes` and the `-O` levels
//! all read it. Adding a pass is one line here plus its module.

use std::sync::Arc;

use crate::pass::Pass;

/// Every built-in pass, in the order `pycopt passes` lists them.
pub fn builtin_passes() -> Vec<Arc<dyn Pass>> {
    vec![
        // Registered by their modules as they are written; see each module's docs.
        Arc::new(crate::classic::FoldBranches),
        Arc::new(crate::classic::RemoveUnreachable),
        Arc::new(crate::classic::ThreadJumps),
        Arc::new(crate::classic::RemoveDeadPairs),
        Arc::new(crate::classic::RemoveNops),
        Arc::new(crate::classic::CompactTables),
        Arc::new(crate::classic::ShrinkExtendedArgs),
        Arc::new(crate::strip::StripAsserts),
        Arc::new(crate::strip::StripDocstrings),
        Arc::new(crate::dataflow::PropagateConstants),
        Arc::new(crate::dataflow::RemoveDeadStores),
        Arc::new(crate::dataflow::FoldGlobals),
        Arc::new(crate::fold_constants::FoldConstants),
        Arc::new(crate::fold_constants::FoldBuiltins),
    ]
}

/// A set of passes that pipelines name: the built-ins plus any a plugin registers.
#[derive(Clone)]
pub struct Registry {
    passes: Vec<Arc<dyn Pass>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            passes: builtin_passes(),
        }
    }
}

impl Registry {
    /// A registry holding only `passes` (tests and embedders).
    pub fn with(passes: Vec<Arc<dyn Pass>>) -> Registry {
        Registry { passes }
    }

    /// Adds a pass (a plugin's); a pass of the same name is replaced.
    pub fn register(&mut self, pass: Arc<dyn Pass>) {
        let name = pass.info().name;
        self.passes.retain(|p| p.info().name != name);
        self.passes.push(pass);
    }

    /// The pass called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Pass>> {
        self.passes.iter().find(|p| p.info().name == name).cloned()
    }

    /// Every pass.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Pass>> {
        self.passes.iter()
    }

    /// Names of every pass, for error messages.
    pub fn names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.info().name).collect()
    }
}
