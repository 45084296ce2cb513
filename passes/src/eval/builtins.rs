//! The few builtins worth calling at compile time: total, pure functions of immutable
//! arguments whose results are constants (`len`, `abs`, `min`, `max`, `chr`, `ord`).
//! Only the `fold-builtins` pass calls these, under `--assume builtins`.

use num_traits::ToPrimitive;

use super::compare::compare;
use super::number::absolute;
use super::CmpOp;
use crate::value::Value;

/// A builtin function that can be evaluated on constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    Len,
    Abs,
    Min,
    Max,
    Chr,
    Ord,
}

impl Builtin {
    /// Every foldable builtin.
    pub const ALL: [Builtin; 6] = [
        Builtin::Len,
        Builtin::Abs,
        Builtin::Min,
        Builtin::Max,
        Builtin::Chr,
        Builtin::Ord,
    ];

    /// Its name in `builtins`.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Len => "len",
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Chr => "chr",
            Builtin::Ord => "ord",
        }
    }

    /// The builtin called `name`, if it is foldable.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// `f(*args)`; `None` where CPython raises or the result is uncertain.
pub(crate) fn call(f: Builtin, args: &[Value]) -> Option<Value> {
    match (f, args) {
        (Builtin::Len, [v]) => Some(Value::int(match v {
            Value::Str(s) => s.chars().count(),
            Value::Bytes(b) => b.len(),
            Value::Tuple(t) | Value::FrozenSet(t) => t.len(),
            _ => return None,
        })),
        (Builtin::Abs, [v]) => absolute(v),
        (Builtin::Chr, [v]) => {
            let cp = v.as_index()?.to_u32()?;
            // Lone surrogates are valid Python text but not Rust text: left alone.
            char::from_u32(cp).map(|c| Value::Str(c.to_string()))
        }
        (Builtin::Ord, [v]) => match v {
            Value::Str(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(Value::int(c as u32)),
                    _ => None,
                }
            }
            Value::Bytes(b) if b.len() == 1 => Some(Value::int(b[0])),
            _ => None,
        },
        (Builtin::Min | Builtin::Max, [iterable]) => {
            let items: Vec<Value> = match iterable {
                Value::Tuple(t) => t.clone(),
                Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
                Value::Bytes(b) => b.iter().map(|&x| Value::int(x)).collect(),
                // A frozenset's order is its hashes'; ties and NaNs would make the
                // answer depend on it.
                _ => return None,
            };
            extreme(f, &items)
        }
        (Builtin::Min | Builtin::Max, items) if items.len() >= 2 => extreme(f, items),
        _ => None,
    }
}

/// `min_max` of bltinmodule.c: the first item, replaced by each later item that
/// compares less (min) or greater (max) with `PyObject_RichCompareBool`, which has no
/// identity shortcut for orderings.
fn extreme(f: Builtin, items: &[Value]) -> Option<Value> {
    let op = if f == Builtin::Min {
        CmpOp::Lt
    } else {
        CmpOp::Gt
    };
    let mut best = items.first()?;
    for item in &items[1..] {
        if compare(op, item, best)? {
            best = item;
        }
    }
    Some(best.clone())
}
