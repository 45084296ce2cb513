//! Rule families, one file per topic. Each family is a table of `rw!` rules; the
//! conditions are small named helpers. Constant folding itself is not a rule: the
//! analysis ([`super::analysis`]) evaluates every class whose operands are known.
//!
//! What is deliberately absent: algebraic identities on unknown values (`x + 0`,
//! `x * 1`, `x == x`: an operand of unknown type may define `__add__` or `__eq__`
//! any way it likes, or be a NaN), commutativity and associativity (never a smaller
//! program), and negating orderings (`not a < b` is not `a >= b` for NaN, sets or
//! user types).

mod negation;
mod truth;

use egg::{Id, Subst, Var};

use super::analysis::ConstFold;
use super::lang::PyNode;

/// A rule of this e-graph.
pub type Rewrite = egg::Rewrite<PyNode, ConstFold>;
/// The e-graph rules run on.
pub type EGraph = egg::EGraph<PyNode, ConstFold>;

pub use negation::negation;
pub use truth::truth;

/// Every rule family, in a fixed order.
pub fn all() -> Vec<Rewrite> {
    let mut rules = truth();
    rules.extend(negation());
    rules
}

/// Condition: the class bound to `var` certainly holds an exact bool.
pub fn is_bool(var: &str) -> impl Fn(&mut EGraph, Id, &Subst) -> bool {
    let var: Var = var.parse().expect("a pattern variable");
    move |egraph, _, subst| egraph[subst[var]].data.is_bool
}

#[cfg(test)]
pub(crate) mod testing {
    //! Start ⇒ goal checks for rule tests.

    use egg::{Pattern, RecExpr, Runner, Searcher};
    use pycopt_core::PyVersion;

    use super::*;
    use crate::value::Value;

    /// Whether saturating `start` with `rules` puts `goal` in the root's class.
    pub fn proves(rules: &[Rewrite], start: &str, goal: &str) -> bool {
        proves_with(&[], rules, start, goal)
    }

    /// [`proves`], with `#n` naming `values[n]`.
    pub fn proves_with(values: &[Value], rules: &[Rewrite], start: &str, goal: &str) -> bool {
        let start: RecExpr<PyNode> = start.parse().unwrap();
        let goal: Pattern<PyNode> = goal.parse().unwrap();
        let mut analysis = ConstFold::new(PyVersion::V3_12);
        for v in values {
            analysis.intern(v.clone());
        }
        let runner: Runner<PyNode, ConstFold, ()> = Runner::new(analysis)
            .with_expr(&start)
            .with_iter_limit(16)
            .run(rules);
        let root = runner.egraph.find(runner.roots[0]);
        assert_eq!(runner.egraph.analysis.conflicts, 0);
        goal.search_eclass(&runner.egraph, root).is_some()
    }
}
