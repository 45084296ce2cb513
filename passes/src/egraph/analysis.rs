//! The constant analysis: which e-classes have a known value, and which certainly
//! hold a bool.
//!
//! A class gets a value when one of its nodes is a constant or an operation whose
//! operands all have values and whose evaluation ([`crate::eval`]) succeeds for the
//! file's Python version; the class then also gets a `Const` node, so extraction can
//! pick it. When two classes merge, their values must agree: a disagreement means an
//! unsound rewrite, is counted in [`ConstFold::conflicts`], and makes the pass give
//! up on the code object.

use std::collections::HashMap;

use egg::{Analysis, DidMerge, EGraph, Id};
use pycopt_core::PyVersion;

use super::lang::{Op, PyNode, ValueRef};
use crate::eval::{self, UnaryOp};
use crate::value::Value;

/// The analysis state: the version's semantics and the table of values.
#[derive(Debug)]
pub struct ConstFold {
    /// Whose semantics operations are evaluated with.
    pub version: PyVersion,
    values: Vec<Value>,
    index: HashMap<Value, ValueRef>,
    /// Merges of two classes holding different constants (0 unless a rule is
    /// unsound).
    pub conflicts: usize,
}

impl ConstFold {
    /// An empty analysis for `version`.
    pub fn new(version: PyVersion) -> ConstFold {
        ConstFold {
            version,
            values: Vec::new(),
            index: HashMap::new(),
            conflicts: 0,
        }
    }

    /// The reference of `v`, added to the table if new (type-strict: `1`, `1.0` and
    /// `True` are three values).
    pub fn intern(&mut self, v: Value) -> ValueRef {
        if let Some(&r) = self.index.get(&v) {
            return r;
        }
        let r = ValueRef(self.values.len() as u32);
        self.values.push(v.clone());
        self.index.insert(v, r);
        r
    }

    /// The value behind `r`.
    pub fn value(&self, r: ValueRef) -> &Value {
        &self.values[r.0 as usize]
    }
}

/// What the analysis knows about one class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Its value, if known.
    pub value: Option<ValueRef>,
    /// Whether it is certainly an exact bool (`not`, `is`, `in`, `bool()` and 3.13's
    /// bool-result comparisons produce one whatever their operands).
    pub is_bool: bool,
}

/// Evaluates `node` on its operands' values.
fn evaluate(version: PyVersion, node: &PyNode, args: &[&Value]) -> Option<Value> {
    match (node.op, args) {
        (Op::Const(_) | Op::Input(_), _) => None,
        (Op::Unary(u), [a]) => eval::unary(version, u, a),
        (Op::Binary(b), [a, c]) => eval::binary(version, b, a, c),
        (Op::Compare(c, _), [a, b]) => eval::compare(version, c, a, b),
        (Op::Is(neg), [a, b]) => eval::identity(a, b, neg),
        (Op::In(neg), [a, b]) => eval::contains(a, b, neg),
        (Op::Tuple, items) => {
            let owned: Vec<Value> = items.iter().map(|v| (*v).clone()).collect();
            eval::build_tuple(&owned)
        }
        (Op::Slice, [a, b]) => Some(eval::build_slice(a, b, &Value::None)),
        (Op::Slice, [a, b, c]) => Some(eval::build_slice(a, b, c)),
        (Op::Subscr, [a, i]) => eval::subscript(a, i),
        (Op::BinarySlice, [a, lo, hi]) => {
            eval::subscript(a, &eval::build_slice(lo, hi, &Value::None))
        }
        (Op::Call(f), args) => {
            let owned: Vec<Value> = args.iter().map(|v| (*v).clone()).collect();
            eval::call_builtin(version, f, &owned)
        }
        _ => None,
    }
}

impl Analysis<PyNode> for ConstFold {
    type Data = Facts;

    fn make(egraph: &mut EGraph<PyNode, Self>, enode: &PyNode, _id: Id) -> Facts {
        let op_is_bool = matches!(
            enode.op,
            Op::Unary(UnaryOp::Not | UnaryOp::Truth) | Op::Is(_) | Op::In(_) | Op::Compare(_, true)
        );
        let value = match enode.op {
            Op::Const(r) => Some(r),
            Op::Input(_) => None,
            _ => {
                let an = &egraph.analysis;
                let args: Option<Vec<&Value>> = enode
                    .children
                    .iter()
                    .map(|&c| egraph[c].data.value.map(|r| an.value(r)))
                    .collect();
                let result = args.and_then(|args| evaluate(an.version, enode, &args));
                result.map(|v| egraph.analysis.intern(v))
            }
        };
        let is_bool =
            op_is_bool || value.is_some_and(|r| matches!(egraph.analysis.value(r), Value::Bool(_)));
        Facts { value, is_bool }
    }

    fn merge(&mut self, a: &mut Facts, b: Facts) -> DidMerge {
        let before = a.clone();
        match (a.value, b.value) {
            (None, Some(v)) => a.value = Some(v),
            (Some(x), Some(y)) if x != y => {
                self.conflicts += 1;
                debug_assert!(
                    false,
                    "e-graph merged {:?} and {:?}: an unsound rewrite",
                    self.value(x),
                    self.value(y)
                );
            }
            _ => {}
        }
        a.is_bool |= b.is_bool;
        DidMerge(*a != before, *a != b)
    }

    fn modify(egraph: &mut EGraph<PyNode, Self>, id: Id) {
        let Some(r) = egraph[id].data.value else {
            return;
        };
        // Slices are operands only: no constant node for them.
        if matches!(egraph.analysis.value(r), Value::Slice(_)) {
            return;
        }
        let c = egraph.add(PyNode::leaf(Op::Const(r)));
        egraph.union(id, c);
    }
}
