//! E-graph rewriting of pure expressions (egg, with its `deterministic` feature so the
//! same input always gives the same output).
//!
//! [`fold_constants`](crate::fold_constants) adds each pure expression tree of a code
//! object ([`lang`]: constants, operators, inputs standing for values the rest of
//! the code computes), the [`analysis`] folds every class whose operands are known,
//! the [`rules`] add the few rewrites that are sound for any operand, and extraction
//! picks, per tree, the form with the fewest instructions ([`InstrCost`]).
//!
//! Work is bounded by [`NODE_LIMIT`], [`ITER_LIMIT`] and [`TIME_LIMIT`]; why each run
//! stopped is counted ([`stop_counts`]). The trees are small, so runs saturate; the
//! time limit is a guard against pathological input (a run it cuts short only misses
//! rewrites: every equality in the graph is sound at every step).
//!
//! ```
//! use pycopt_core::PyVersion;
//! use pycopt_passes::egraph::{lang::{Op, PyNode}, Rewriter};
//! use pycopt_passes::value::Value;
//!
//! let mut rw = Rewriter::new(PyVersion::V3_12);
//! let one = rw.constant(Value::int(1));
//! let two = rw.constant(Value::int(2));
//! let lt = rw.add(PyNode { op: Op::parse("<").unwrap(), children: vec![one, two] });
//! let done = rw.run();
//! let (cost, best) = done.best(lt);
//! assert_eq!(cost, 1);
//! assert_eq!(done.value_of(&best), Some(&Value::Bool(true)));
//! ```

pub mod analysis;
pub mod lang;
pub mod rules;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use egg::{CostFunction, Extractor, Id, Language, RecExpr, Runner, StopReason};
use pycopt_core::PyVersion;

use crate::value::Value;
use analysis::ConstFold;
use lang::{Op, PyNode};
use rules::{EGraph, Rewrite};

/// Most e-nodes one run may create (per code object).
pub const NODE_LIMIT: usize = 20_000;
/// Most rule iterations one run may do. The rules shrink terms and never grow them,
/// so saturation takes about as many iterations as the deepest chain of `not`s.
pub const ITER_LIMIT: usize = 12;
/// Longest time one run may take.
pub const TIME_LIMIT: Duration = Duration::from_millis(200);

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Nothing more to rewrite.
    Saturated,
    IterationLimit,
    NodeLimit,
    TimeLimit,
    Other,
}

impl Stop {
    /// Every reason, in [`stop_counts`] order.
    pub const ALL: [Stop; 5] = [
        Stop::Saturated,
        Stop::IterationLimit,
        Stop::NodeLimit,
        Stop::TimeLimit,
        Stop::Other,
    ];

    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Saturated => "saturated",
            Stop::IterationLimit => "iteration-limit",
            Stop::NodeLimit => "node-limit",
            Stop::TimeLimit => "time-limit",
            Stop::Other => "other",
        }
    }

    fn of(reason: Option<&StopReason>) -> Stop {
        match reason {
            Some(StopReason::Saturated) => Stop::Saturated,
            Some(StopReason::IterationLimit(_)) => Stop::IterationLimit,
            Some(StopReason::NodeLimit(_)) => Stop::NodeLimit,
            Some(StopReason::TimeLimit(_)) => Stop::TimeLimit,
            _ => Stop::Other,
        }
    }
}

static STOPS: [AtomicU64; 5] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

/// How many runs stopped for each reason since the process started.
pub fn stop_counts() -> Vec<(Stop, u64)> {
    Stop::ALL
        .iter()
        .zip(&STOPS)
        .map(|(&s, n)| (s, n.load(Ordering::Relaxed)))
        .collect()
}

/// The rules, built once.
fn rules() -> &'static [Rewrite] {
    static RULES: OnceLock<Vec<Rewrite>> = OnceLock::new();
    RULES.get_or_init(rules::all)
}

/// Instructions a term takes: a constant is one `LOAD_CONST`, an input none, a call
/// its function load and call, any other operation one instruction.
pub struct InstrCost;

impl CostFunction<PyNode> for InstrCost {
    type Cost = usize;

    fn cost<C>(&mut self, enode: &PyNode, mut costs: C) -> usize
    where
        C: FnMut(Id) -> usize,
    {
        let own = match enode.op {
            Op::Input(_) => 0,
            Op::Call(_) => 2,
            _ => 1,
        };
        enode.fold(own, |sum, id| sum.saturating_add(costs(id)))
    }
}

/// An e-graph being filled with expression trees.
pub struct Rewriter {
    egraph: EGraph,
}

impl Rewriter {
    /// An empty graph evaluating with `version`'s semantics.
    pub fn new(version: PyVersion) -> Rewriter {
        Rewriter {
            egraph: EGraph::new(ConstFold::new(version)),
        }
    }

    /// Adds a node (its children added before) and returns its class.
    pub fn add(&mut self, node: PyNode) -> Id {
        self.egraph.add(node)
    }

    /// The reference of a value (for `Const` nodes).
    pub fn intern(&mut self, v: Value) -> lang::ValueRef {
        self.egraph.analysis.intern(v)
    }

    /// Adds a constant leaf.
    pub fn constant(&mut self, v: Value) -> Id {
        let r = self.intern(v);
        self.add(PyNode::leaf(Op::Const(r)))
    }

    /// Number of e-nodes so far.
    pub fn size(&self) -> usize {
        self.egraph.total_number_of_nodes()
    }

    /// Runs the rules within the budgets and counts why the run stopped.
    pub fn run(mut self) -> Rewritten {
        self.egraph.rebuild();
        let version = self.egraph.analysis.version;
        let runner: Runner<PyNode, ConstFold, ()> = Runner::new(ConstFold::new(version))
            .with_egraph(self.egraph)
            .with_node_limit(NODE_LIMIT)
            .with_iter_limit(ITER_LIMIT)
            .with_time_limit(TIME_LIMIT)
            .run(rules());
        let stop = Stop::of(runner.stop_reason.as_ref());
        STOPS[Stop::ALL.iter().position(|&s| s == stop).unwrap_or(4)]
            .fetch_add(1, Ordering::Relaxed);
        Rewritten {
            egraph: runner.egraph,
            stop,
        }
    }
}

/// A graph after its run: ready for extraction.
pub struct Rewritten {
    egraph: EGraph,
    /// Why the run stopped.
    pub stop: Stop,
}

impl Rewritten {
    /// The canonical class of `id`.
    pub fn find(&self, id: Id) -> Id {
        self.egraph.find(id)
    }

    /// Merges of classes with different constants (an unsound rule if not 0).
    pub fn conflicts(&self) -> usize {
        self.egraph.analysis.conflicts
    }

    /// An extractor of cheapest terms (build once, ask for many classes).
    pub fn extractor(&self) -> Extractor<'_, InstrCost, PyNode, ConstFold> {
        Extractor::new(&self.egraph, InstrCost)
    }

    /// The cheapest term of `id`'s class and its cost.
    pub fn best(&self, id: Id) -> (usize, RecExpr<PyNode>) {
        self.extractor().find_best(id)
    }

    /// The value a constant node refers to.
    pub fn value(&self, r: lang::ValueRef) -> &Value {
        self.egraph.analysis.value(r)
    }

    /// The value of a term that is a single constant.
    pub fn value_of(&self, term: &RecExpr<PyNode>) -> Option<&Value> {
        match term.as_ref() {
            [PyNode {
                op: Op::Const(r), ..
            }] => Some(self.value(*r)),
            _ => None,
        }
    }

    /// The known value of `id`'s class, if any.
    pub fn class_value(&self, id: Id) -> Option<&Value> {
        self.egraph[id].data.value.map(|r| self.value(r))
    }
}

#[cfg(test)]
mod tests {
    use super::rules::testing::proves_with;
    use super::*;

    fn i(x: i64) -> Value {
        Value::int(x)
    }

    #[test]
    fn constant_trees_fold_through_the_analysis() {
        let r = rules::all();
        let vals = [i(1), i(2), i(3), Value::Bool(false), Value::Bool(true)];
        assert!(proves_with(&vals, &r, "(+ #0 #1)", "#2"));
        assert!(proves_with(&vals, &r, "(not (< #0 #1))", "#3"));
        assert!(proves_with(&vals, &r, "(bool (- #2 #0))", "#4"));
        let vals = [
            Value::Str("abc".into()),
            i(1),
            Value::None,
            Value::Str("bc".into()),
            Value::Tuple(vec![i(1), Value::None]),
        ];
        assert!(proves_with(&vals, &r, "([] #0 (slice #1 #2))", "#3"));
        assert!(proves_with(&vals, &r, "([:] #0 #1 #2)", "#3"));
        assert!(proves_with(&vals, &r, "(tuple #1 #2)", "#4"));
        assert!(proves_with(&vals, &r, "([] (tuple #1 #2) #1)", "#2"));
    }

    #[test]
    fn unknown_operands_are_never_simplified_away() {
        let r = rules::all();
        let vals = [i(0), i(1), Value::Bool(true), Value::Bool(false)];
        for (start, goal) in [
            ("(+ $0 #0)", "$0"),
            ("(* $0 #1)", "$0"),
            ("(- $0 $0)", "#0"),
            ("(== $0 $0)", "#2"),
            ("(is $0 $0)", "#2"),
        ] {
            assert!(!proves_with(&vals, &r, start, goal), "{start} => {goal}");
        }
        // An operation that raises stays: no constant for 1/0.
        let mut rw = Rewriter::new(PyVersion::V3_12);
        let a = rw.constant(i(1));
        let b = rw.constant(i(0));
        let div = rw.add(PyNode {
            op: Op::parse("/").unwrap(),
            children: vec![a, b],
        });
        let done = rw.run();
        assert_eq!(done.class_value(div), None);
        assert_eq!(done.best(div).0, 3);
    }

    #[test]
    fn runs_saturate_and_are_counted() {
        let mut rw = Rewriter::new(PyVersion::V3_11);
        let x = rw.add(PyNode::leaf(Op::Input(0)));
        let y = rw.add(PyNode::leaf(Op::Input(1)));
        let is = rw.add(PyNode {
            op: Op::Is(false),
            children: vec![x, y],
        });
        let not = rw.add(PyNode {
            op: Op::parse("not").unwrap(),
            children: vec![is],
        });
        let before = stop_counts()[0].1;
        let done = rw.run();
        assert_eq!(done.stop, Stop::Saturated);
        assert!(stop_counts()[0].1 > before);
        let (cost, best) = done.best(not);
        assert_eq!(cost, 1);
        assert_eq!(best.to_string(), "(is-not $0 $1)");
        assert_eq!(done.conflicts(), 0);
    }
}
