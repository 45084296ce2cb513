//! The [`Pass`] trait: what every optimization (built in or a user's plugin) is.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use pycopt_core::cfg::Scan;
use pycopt_core::codegen::Unit;
use pycopt_core::{PyVersion, Pyc};

use crate::facts::FileFacts;

/// What a pass declares about itself; the pass manager and `--help` read it.
#[derive(Clone, Copy, Debug)]
pub struct PassInfo {
    /// Kebab-case name used by `--passes` and in reports (`fold-constants`).
    pub name: &'static str,
    /// One line for `pycopt passes` and `--help`.
    pub description: &'static str,
    /// Whether the pass adds, removes or redirects edges of the graph.
    pub changes_control_flow: bool,
    /// Whether every line event (PEP 626) the original code raised is still raised,
    /// in the same order. Passes that only act under an assumption may say `false`.
    pub keeps_line_events: bool,
    /// The assumption the pass acts under, if any: without it the pass does nothing,
    /// and the manager does not run it.
    pub needs: Option<Assumption>,
    /// What the pass strips, if it is one of the `--strip` passes: the manager runs it
    /// only when that is asked for.
    pub strips: Option<Strip>,
}

/// A fact about the program that pycopt cannot see in the bytecode. Off by default;
/// `--assume NAME` (or `-O3`) turns one on, and the report lists every one used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Assumption {
    /// Builtins are not shadowed or patched at run time (`builtins.len = ...`).
    Builtins,
    /// Module-level names bound once to a constant are never rebound from outside the
    /// module (`mod.X = ...`, `mock.patch`, `globals()[...]`).
    FinalGlobals,
    /// Nothing reads or writes a frame's locals: no `locals()`/`vars()` without
    /// arguments, `sys._getframe().f_locals`, debugger or trace function changing them.
    NoFrameIntrospection,
}

impl Assumption {
    /// Every assumption, in the order `--help` lists them.
    pub const ALL: [Assumption; 3] = [
        Assumption::Builtins,
        Assumption::FinalGlobals,
        Assumption::NoFrameIntrospection,
    ];

    /// The `--assume` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Assumption::Builtins => "builtins",
            Assumption::FinalGlobals => "final-globals",
            Assumption::NoFrameIntrospection => "no-frame-introspection",
        }
    }

    /// What the user accepts by turning it on.
    pub fn description(self) -> &'static str {
        match self {
            Assumption::Builtins => "builtins are never shadowed from outside or patched",
            Assumption::FinalGlobals => {
                "module-level constants are never rebound from outside their module"
            }
            Assumption::NoFrameIntrospection => {
                "no debugger, tracer or introspection reads or writes frame locals"
            }
        }
    }

    /// Parses an `--assume` name.
    pub fn parse(s: &str) -> Option<Assumption> {
        Assumption::ALL.into_iter().find(|a| a.name() == s)
    }
}

impl fmt::Display for Assumption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something `--strip` removes, as CPython's `-O` and `-OO` do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strip {
    /// `assert` statements (`python -O`).
    Asserts,
    /// Docstrings (`python -OO`).
    Docstrings,
}

impl Strip {
    /// Every strip option.
    pub const ALL: [Strip; 2] = [Strip::Asserts, Strip::Docstrings];

    /// The `--strip` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Strip::Asserts => "asserts",
            Strip::Docstrings => "docstrings",
        }
    }

    /// Parses a `--strip` name.
    pub fn parse(s: &str) -> Option<Strip> {
        Strip::ALL.into_iter().find(|a| a.name() == s)
    }
}

impl fmt::Display for Strip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the user allowed for this run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Assumptions turned on.
    pub assume: BTreeSet<Assumption>,
    /// What to strip.
    pub strip: BTreeSet<Strip>,
    /// Prefer smaller code where a pass has a choice (`-Os`).
    pub prefer_size: bool,
}

impl Options {
    /// Whether `a` is turned on.
    pub fn assumes(&self, a: Assumption) -> bool {
        self.assume.contains(&a)
    }

    /// Whether `s` is to be stripped.
    pub fn strips(&self, s: Strip) -> bool {
        self.strip.contains(&s)
    }
}

/// What a pass sees besides the code object it works on.
pub struct Context<'a> {
    /// The run's options.
    pub options: &'a Options,
    /// The file's Python version.
    pub version: PyVersion,
    facts: Facts<'a>,
}

/// Where a context's [`FileFacts`] come from.
enum Facts<'a> {
    /// Read before.
    Given(&'a FileFacts),
    /// Read from the file the first time a pass asks: most pipelines never do.
    Lazy {
        pyc: &'a Pyc,
        cell: &'a OnceLock<FileFacts>,
    },
}

impl<'a> Context<'a> {
    /// A context whose file facts are already known.
    pub fn new(options: &'a Options, facts: &'a FileFacts, version: PyVersion) -> Self {
        Context {
            options,
            version,
            facts: Facts::Given(facts),
        }
    }

    /// A context for the code objects of `pyc` that reads the file's facts into `cell`
    /// when a pass first asks for them.
    pub fn lazy(options: &'a Options, pyc: &'a Pyc, cell: &'a OnceLock<FileFacts>) -> Self {
        Context {
            options,
            version: pyc.version(),
            facts: Facts::Lazy { pyc, cell },
        }
    }

    /// Facts about the whole file the code object is in.
    pub fn facts(&self) -> &FileFacts {
        match &self.facts {
            Facts::Given(f) => f,
            Facts::Lazy { pyc, cell } => cell.get_or_init(|| FileFacts::of(pyc)),
        }
    }

    /// Whether the pass may act under `a`: turned on by the user and not visibly
    /// false for this file (see [`FileFacts`]).
    pub fn assumes(&self, a: Assumption) -> bool {
        self.options.assumes(a)
    }
}

/// Why a pass gave up on a code object (the code object is then kept as it was).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PassError(pub String);

/// An optimization pass over one code object.
///
/// A pass edits the unit's graph, constants and names and returns how many changes it
/// made (0 when it found nothing to do: the pass manager uses this for `--converge`
/// and the report). It never computes derived data — jump arguments and opcode
/// directions, `EXTENDED_ARG`s, `co_stacksize`, the line and exception tables are
/// produced by code generation — and it leaves a graph code generation accepts: a
/// fall-through edge leads to the next block in the layout.
///
/// Passes run on many code objects at once, so they hold no mutable state.
///
/// ```
/// use pycopt_core::codegen::Unit;
/// use pycopt_passes::{Context, Pass, PassError, PassInfo};
///
/// /// Counts NOPs without changing anything.
/// struct CountNops;
///
/// impl Pass for CountNops {
///     fn info(&self) -> PassInfo {
///         PassInfo {
///             name: "count-nops",
///             description: "counts NOP instructions (changes nothing)",
///             changes_control_flow: false,
///             keeps_line_events: true,
///             needs: None,
///             strips: None,
///         }
///     }
///     fn run(&self, unit: &mut Unit<'_>, _: &Context<'_>) -> Result<usize, PassError> {
///         let _nops = unit.cfg.layout.iter()
///             .flat_map(|&b| unit.cfg.block(b).instrs.iter())
///             .filter(|i| i.op.name == "NOP")
///             .count();
///         Ok(0)
///     }
/// }
/// ```
pub trait Pass: Send + Sync {
    /// Name, description and properties.
    fn info(&self) -> PassInfo;

    /// Runs on one code object; returns the number of changes made.
    fn run(&self, unit: &mut Unit<'_>, cx: &Context<'_>) -> Result<usize, PassError>;

    /// A cheap look before the graph is built: `false` promises that [`Pass::run`] on
    /// this code object, as it stands, would change nothing. When no pass of a
    /// pipeline may change a code object, the manager skips building its graph
    /// altogether, which is most of the cost of a run over a library (most code
    /// objects give no pass anything to do). Answer from the instructions, block
    /// starts and edges of the [`Scan`]; when unsure, answer `true` (the default).
    fn may_change(&self, scan: &Scan<'_>, cx: &Context<'_>) -> bool {
        let _ = (scan, cx);
        true
    }
}
