//! Comparisons, identity and membership between constants, where CPython's answer is
//! certain.
//!
//! Two things make an answer uncertain even between constants:
//! - **identity shortcuts**: containers compare their items with
//!   `PyObject_RichCompareBool`, which says "equal" for the *same object* before
//!   calling `__eq__`. For every constant type `x == x` holds except NaN, so an item
//!   comparison between two NaN-holding values that could be one object is unknown;
//! - **`-b` warnings**: comparing `bytes` with `str` or `int` for equality warns under
//!   `python -b` (an error under `-bb`), so such comparisons are left to run time.
//!
//! Orderings between unrelated types, complex numbers or `None` raise `TypeError`
//! and are never folded.

use std::cmp::Ordering;

use super::number::{num, num_eq, num_order};
use super::CmpOp;
use crate::value::Value;

/// `a == b` as `COMPARE_OP` computes it (no identity shortcut at the top level: there
/// `nan == nan` is simply false).
pub(crate) fn eq(a: &Value, b: &Value) -> Option<bool> {
    if matches!(a, Value::Slice(_)) || matches!(b, Value::Slice(_)) {
        return None;
    }
    if matches!(a, Value::Bytes(_)) != matches!(b, Value::Bytes(_)) {
        // BytesWarning under -b, whatever the other type.
        return None;
    }
    if let Some(r) = num_eq(a, b) {
        return Some(r);
    }
    Some(match (a, b) {
        (Value::None, Value::None) | (Value::Ellipsis, Value::Ellipsis) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => {
            // tuplerichcompare has no early exit on different lengths: the items are
            // compared first (and may warn).
            for (p, q) in x.iter().zip(y) {
                if !eq_item(p, q)? {
                    return Some(false);
                }
            }
            x.len() == y.len()
        }
        (Value::FrozenSet(x), Value::FrozenSet(y)) => x.len() == y.len() && is_subset(x, y)?,
        // Different types with no common __eq__: identity, and they are different
        // objects.
        _ => false,
    })
}

/// `PyObject_RichCompareBool(a, b, Py_EQ)`: like [`eq`] but true for the same
/// object, which matters only for values holding a NaN.
pub(crate) fn eq_item(a: &Value, b: &Value) -> Option<bool> {
    if a == b && a.has_nan() {
        // The same object (true) or an equal copy (false): unknown.
        return None;
    }
    eq(a, b)
}

/// Every element of `x` is in the set `y` (hash lookups find exactly the equal
/// elements, so this is an `any(==)` search for each).
fn is_subset(x: &[Value], y: &[Value]) -> Option<bool> {
    let mut all = true;
    for item in x {
        all &= set_contains(y, item)?;
    }
    Some(all)
}

fn set_contains(set: &[Value], item: &Value) -> Option<bool> {
    // Which elements get compared depends on hashes; every answer must be certain.
    let mut found = false;
    for e in set {
        found |= eq_item(e, item)?;
    }
    Some(found)
}

/// `a op b` for the six rich comparisons; `None` where CPython raises or the answer
/// is uncertain.
pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    match op {
        CmpOp::Eq => eq(a, b),
        CmpOp::Ne => eq(a, b).map(|r| !r),
        _ => order(op, a, b),
    }
}

fn holds(op: CmpOp, ord: Option<Ordering>) -> bool {
    let Some(ord) = ord else {
        return false; // NaN: every ordering comparison is false
    };
    match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
    }
}

fn order(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    if let (Some(_), Some(_)) = (num(a), num(b)) {
        return num_order(a, b).map(|ord| holds(op, ord));
    }
    match (a, b) {
        // Rust orders UTF-8 text by code point, as CPython orders str.
        (Value::Str(x), Value::Str(y)) => Some(holds(op, Some(x.cmp(y)))),
        (Value::Bytes(x), Value::Bytes(y)) => Some(holds(op, Some(x.cmp(y)))),
        (Value::Tuple(x), Value::Tuple(y)) => {
            // tuplerichcompare: the first index whose items are not equal decides
            // with the operator itself; otherwise the lengths do.
            for (p, q) in x.iter().zip(y) {
                if !eq_item(p, q)? {
                    return compare(op, p, q);
                }
            }
            Some(holds(op, Some(x.len().cmp(&y.len()))))
        }
        (Value::FrozenSet(x), Value::FrozenSet(y)) => {
            // Subset order.
            let (small, large, strict) = match op {
                CmpOp::Lt => (x, y, true),
                CmpOp::Le => (x, y, false),
                CmpOp::Gt => (y, x, true),
                CmpOp::Ge => (y, x, false),
                CmpOp::Eq | CmpOp::Ne => unreachable!("handled by compare"),
            };
            if small.len() > large.len() || (strict && small.len() == large.len()) {
                return Some(false);
            }
            is_subset(small, large)
        }
        _ => None,
    }
}

/// `a is b`, when the answer does not depend on how constants were shared: the
/// singletons `None`, `True`, `False`, `...`, and values of different types (never
/// one object). Two ints, strings or tuples may or may not be one object.
pub(crate) fn is(a: &Value, b: &Value) -> Option<bool> {
    let singleton = |v: &Value| matches!(v, Value::None | Value::Ellipsis | Value::Bool(_));
    if singleton(a) && singleton(b) {
        return Some(a == b);
    }
    if a.type_name() != b.type_name() {
        return Some(false);
    }
    None
}

/// `item in container`.
pub(crate) fn contains(container: &Value, item: &Value) -> Option<bool> {
    if matches!(item, Value::Slice(_)) {
        return None;
    }
    match container {
        Value::Str(s) => match item {
            Value::Str(sub) => Some(s.contains(sub.as_str())),
            _ => None,
        },
        Value::Bytes(data) => match item {
            Value::Bytes(sub) => {
                Some(sub.is_empty() || data.windows(sub.len()).any(|w| w == sub.as_slice()))
            }
            Value::Int(_) | Value::Bool(_) => {
                let byte = num_traits::ToPrimitive::to_u8(&item.as_index()?)?;
                Some(data.contains(&byte))
            }
            _ => None,
        },
        Value::Tuple(items) => {
            // tuplecontains: in order, stopping at the first equal item.
            for e in items {
                if eq_item(e, item)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        Value::FrozenSet(items) => set_contains(items, item),
        _ => None,
    }
}
