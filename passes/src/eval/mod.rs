//! Evaluating Python operations on constants exactly as a given CPython does, or not
//! at all.
//!
//! Every function answers `Some(result)` only when the interpreter of that version
//! would certainly produce that very value (same type, same float bits), and `None`
//! when it would raise (`ZeroDivisionError`, `TypeError`, `OverflowError`,
//! `IndexError`…), warn (`~True` on 3.12+, `bytes == str` under `-b`), depend on
//! object identity, call the C library's `pow()`, or build something larger than
//! CPython's own constant folder allows ([`MAX_INT_SIZE`] and friends). Such
//! operations are left to run time.
//!
//! ```
//! use pycopt_core::PyVersion;
//! use pycopt_passes::eval::{binary, BinOp};
//! use pycopt_passes::value::Value;
//!
//! let v = PyVersion::V3_12;
//! assert_eq!(binary(v, BinOp::FloorDiv, &Value::int(-7), &Value::int(2)), Some(Value::int(-4)));
//! assert_eq!(binary(v, BinOp::TrueDiv, &Value::int(1), &Value::int(0)), None);
//! ```

mod builtins;
mod compare;
mod number;
mod sequence;

pub use builtins::Builtin;
pub use number::{int_to_f64, int_true_div};

use pycopt_core::PyVersion;

use crate::value::Value;

/// Largest int (in bits) that `*`, `**` and `<<` may produce (`ast_opt.c`).
pub const MAX_INT_SIZE: u64 = 128;
/// Most items `tuple * n` may produce (`ast_opt.c`).
pub const MAX_COLLECTION_SIZE: usize = 256;
/// Longest `str`/`bytes` a fold may produce (`ast_opt.c` for `*`; here for every
/// operation that grows text beyond its operands).
pub const MAX_STR_SIZE: usize = 4096;
/// Most items, nested tuples and frozensets counted, a folded tuple may hold
/// (`ast_opt.c` for `*`; here for every operation that builds tuples).
pub const MAX_TOTAL_ITEMS: usize = 1024;

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `~x`
    Invert,
    /// `not x` (`UNARY_NOT`; on 3.13 its operand is always a bool)
    Not,
    /// `bool(x)` (3.13 `TO_BOOL`)
    Truth,
}

/// A binary operator (the in-place forms mean the same on immutable constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    MatMul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    And,
    Or,
    Xor,
}

impl BinOp {
    /// Every operator.
    pub const ALL: [BinOp; 13] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::MatMul,
        BinOp::TrueDiv,
        BinOp::FloorDiv,
        BinOp::Mod,
        BinOp::Pow,
        BinOp::LShift,
        BinOp::RShift,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
    ];

    /// The Python symbol (`opcode._nb_ops`' spelling, without `=`).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::MatMul => "@",
            BinOp::TrueDiv => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
        }
    }

    /// The operator spelled `symbol` (`"+"`, or `"+="` for the in-place form).
    pub fn from_symbol(symbol: &str) -> Option<BinOp> {
        let s = symbol.strip_suffix('=').unwrap_or(symbol);
        BinOp::ALL.into_iter().find(|op| op.symbol() == s)
    }
}

/// A rich comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ne,
    Gt,
    Ge,
}

impl CmpOp {
    /// Every comparison.
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Gt,
        CmpOp::Ge,
    ];

    /// The symbol, as `opcode.cmp_op` spells it.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The comparison spelled `symbol`.
    pub fn from_symbol(symbol: &str) -> Option<CmpOp> {
        CmpOp::ALL.into_iter().find(|op| op.symbol() == symbol)
    }
}

/// Whether a result built from `operands` stays within the size limits: text and
/// tuples may not grow past [`MAX_STR_SIZE`] / [`MAX_TOTAL_ITEMS`] unless an operand
/// was already that large (so that chains of folds cannot blow up a `.pyc`).
fn within_limits(result: &Value, operands: &[&Value]) -> bool {
    let text_len = |v: &Value| match v {
        Value::Str(s) => s.chars().count(),
        Value::Bytes(b) => b.len(),
        _ => 0,
    };
    match result {
        Value::Str(_) | Value::Bytes(_) => {
            let n = text_len(result);
            n <= MAX_STR_SIZE || operands.iter().any(|o| text_len(o) >= n)
        }
        Value::Tuple(_) => {
            let n = result.total_items();
            n <= MAX_TOTAL_ITEMS || operands.iter().any(|o| o.total_items() >= n)
        }
        _ => true,
    }
}

/// `op a` on `version`.
pub fn unary(version: PyVersion, op: UnaryOp, a: &Value) -> Option<Value> {
    match op {
        UnaryOp::Neg => number::negate(a),
        UnaryOp::Pos => number::positive(a),
        UnaryOp::Invert => match a {
            Value::Int(i) => Some(Value::Int(!i)),
            // 3.12+ warn (DeprecationWarning) on ~bool at run time.
            Value::Bool(b) if !version.at_least(PyVersion::V3_12) => {
                Some(Value::int(-(*b as i32) - 1))
            }
            _ => None,
        },
        UnaryOp::Not => match a {
            // 3.13's UNARY_NOT only ever sees a bool (a TO_BOOL precedes it) and
            // tests identity with False; keep to its contract.
            Value::Bool(b) => Some(Value::Bool(!b)),
            Value::Slice(_) => None,
            _ if version.at_least(PyVersion::V3_13) => None,
            _ => Some(Value::Bool(!a.truth())),
        },
        UnaryOp::Truth => match a {
            Value::Slice(_) => None,
            _ => Some(Value::Bool(a.truth())),
        },
    }
}

/// `a op b` on `version`.
pub fn binary(version: PyVersion, op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    let _ = version; // no differences among 3.6-3.13 for these operations
    let seq = |v: &Value| matches!(v, Value::Str(_) | Value::Bytes(_) | Value::Tuple(_));
    let result = match op {
        BinOp::MatMul => None,
        // %-formatting is never folded (as CPython's own folder never does).
        BinOp::Mod if matches!(a, Value::Str(_) | Value::Bytes(_)) => None,
        BinOp::Add if seq(a) || seq(b) => sequence::concat(a, b),
        BinOp::Mul if seq(a) => sequence::repeat(a, &b.as_index()?),
        BinOp::Mul if seq(b) => sequence::repeat(b, &a.as_index()?),
        _ => number::binary(op, a, b),
    }?;
    within_limits(&result, &[a, b]).then_some(result)
}

/// `a op b` for a rich comparison.
pub fn compare(version: PyVersion, op: CmpOp, a: &Value, b: &Value) -> Option<Value> {
    let _ = version;
    compare::compare(op, a, b).map(Value::Bool)
}

/// `a is b` (`negated`: `is not`), when certain.
pub fn identity(a: &Value, b: &Value, negated: bool) -> Option<Value> {
    compare::is(a, b).map(|r| Value::Bool(r != negated))
}

/// `item in container` (`negated`: `not in`), when certain.
pub fn contains(item: &Value, container: &Value, negated: bool) -> Option<Value> {
    compare::contains(container, item).map(|r| Value::Bool(r != negated))
}

/// `container[index]` for `str`, `bytes` and `tuple` with an int, bool or slice.
pub fn subscript(container: &Value, index: &Value) -> Option<Value> {
    sequence::subscript(container, index)
}

/// `slice(start, stop, step)` (`BUILD_SLICE`): any values; checked when used.
pub fn build_slice(start: &Value, stop: &Value, step: &Value) -> Value {
    Value::Slice(Box::new([start.clone(), stop.clone(), step.clone()]))
}

/// `(items...)` (`BUILD_TUPLE`), within [`MAX_TOTAL_ITEMS`].
pub fn build_tuple(items: &[Value]) -> Option<Value> {
    if items.iter().any(|v| matches!(v, Value::Slice(_))) {
        return None; // a slice is no constant (up to 3.13)
    }
    let t = Value::Tuple(items.to_vec());
    let refs: Vec<&Value> = items.iter().collect();
    within_limits(&t, &refs).then_some(t)
}

/// `f(*args)` for a foldable builtin.
pub fn call_builtin(version: PyVersion, f: Builtin, args: &[Value]) -> Option<Value> {
    let _ = version;
    let result = builtins::call(f, args)?;
    let refs: Vec<&Value> = args.iter().collect();
    within_limits(&result, &refs).then_some(result)
}

#[cfg(test)]
mod tests;
