//! `str`, `bytes` and `tuple`: concatenation, repetition under CPython's guards,
//! indexing and slicing with Python's index rules.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::{MAX_COLLECTION_SIZE, MAX_STR_SIZE, MAX_TOTAL_ITEMS};
use crate::value::Value;

/// `a + b` for two sequences of the same type.
pub(crate) fn concat(a: &Value, b: &Value) -> Option<Value> {
    Some(match (a, b) {
        (Value::Str(x), Value::Str(y)) => Value::Str(format!("{x}{y}")),
        (Value::Bytes(x), Value::Bytes(y)) => Value::Bytes([x.as_slice(), y].concat()),
        (Value::Tuple(x), Value::Tuple(y)) => Value::Tuple([x.as_slice(), y].concat()),
        _ => return None,
    })
}

/// `seq * n` (either order) with `safe_multiply`'s guards: a negative or too large
/// count is not folded even where Python would give a result.
pub(crate) fn repeat(seq: &Value, count: &BigInt) -> Option<Value> {
    let size = match seq {
        Value::Str(s) => s.chars().count(),
        Value::Bytes(b) => b.len(),
        Value::Tuple(t) => t.len(),
        _ => return None,
    };
    // CPython's guard refuses negative counts (Python would give an empty sequence)
    // and counts beyond a C long.
    let n = usize::try_from(count.to_i64()?).ok()?;
    let limit = match seq {
        Value::Tuple(_) => MAX_COLLECTION_SIZE,
        _ => MAX_STR_SIZE,
    };
    if limit.checked_div(size).is_some_and(|most| n > most) {
        return None;
    }
    // check_complexity(w, MAX_TOTAL_ITEMS / n)
    if matches!(seq, Value::Tuple(_))
        && MAX_TOTAL_ITEMS
            .checked_div(n)
            .is_some_and(|most| seq.total_items() > most)
    {
        return None;
    }
    Some(match seq {
        Value::Str(s) => Value::Str(s.repeat(n)),
        Value::Bytes(b) => Value::Bytes(b.repeat(n)),
        Value::Tuple(t) if t.is_empty() => Value::Tuple(Vec::new()),
        Value::Tuple(t) => Value::Tuple((0..n).flat_map(|_| t.iter().cloned()).collect()),
        _ => return None,
    })
}

/// Length and item access shared by the three sequence types.
enum Seq<'a> {
    Str(Vec<char>),
    Bytes(&'a [u8]),
    Tuple(&'a [Value]),
}

impl Seq<'_> {
    fn of(v: &Value) -> Option<Seq<'_>> {
        Some(match v {
            Value::Str(s) => Seq::Str(s.chars().collect()),
            Value::Bytes(b) => Seq::Bytes(b),
            Value::Tuple(t) => Seq::Tuple(t),
            _ => return None,
        })
    }

    fn len(&self) -> usize {
        match self {
            Seq::Str(c) => c.len(),
            Seq::Bytes(b) => b.len(),
            Seq::Tuple(t) => t.len(),
        }
    }

    fn item(&self, i: usize) -> Value {
        match self {
            Seq::Str(c) => Value::Str(c[i].to_string()),
            Seq::Bytes(b) => Value::int(b[i]),
            Seq::Tuple(t) => t[i].clone(),
        }
    }

    fn pick(&self, indices: impl Iterator<Item = usize>) -> Value {
        match self {
            Seq::Str(c) => Value::Str(indices.map(|i| c[i]).collect()),
            Seq::Bytes(b) => Value::Bytes(indices.map(|i| b[i]).collect()),
            Seq::Tuple(t) => Value::Tuple(indices.map(|i| t[i].clone()).collect()),
        }
    }
}

/// `container[index]` for a sequence and an int, bool or slice.
pub(crate) fn subscript(container: &Value, index: &Value) -> Option<Value> {
    let seq = Seq::of(container)?;
    let len = seq.len() as i64;
    match index {
        Value::Slice(parts) => {
            let [start, stop, step] = &**parts;
            let (start, step, count) = slice_indices(len, start, stop, step)?;
            Some(seq.pick((0..count).map(|k| (start + k * step) as usize)))
        }
        _ => {
            // PyNumber_AsSsize_t(index, IndexError): too large is an IndexError.
            let mut i = index.as_index()?.to_i64()?;
            if i < 0 {
                i += len;
            }
            if i < 0 || i >= len {
                return None; // IndexError
            }
            Some(seq.item(i as usize))
        }
    }
}

/// `_PyEval_SliceIndex`: None stays None, ints are clamped to the C `ssize_t` range,
/// anything else raises TypeError.
fn slice_index(v: &Value) -> Option<Option<i64>> {
    match v {
        Value::None => Some(None),
        _ => {
            let i = v.as_index()?;
            Some(Some(i.to_i64().unwrap_or(if i.is_negative() {
                i64::MIN
            } else {
                i64::MAX
            })))
        }
    }
}

/// `PySlice_Unpack` + `PySlice_AdjustIndices`: (start, step, slice length).
fn slice_indices(len: i64, start: &Value, stop: &Value, step: &Value) -> Option<(i64, i64, i64)> {
    let step = match slice_index(step)? {
        None => 1,
        Some(0) => return None, // ValueError
        Some(s) => s.max(-i64::MAX),
    };
    let start = slice_index(start)?.unwrap_or(if step < 0 { i64::MAX } else { 0 });
    let stop = slice_index(stop)?.unwrap_or(if step < 0 { i64::MIN } else { i64::MAX });
    let adjust = |mut x: i64| -> i64 {
        if x < 0 {
            x = x.saturating_add(len);
            if x < 0 {
                x = if step < 0 { -1 } else { 0 };
            }
        } else if x >= len {
            x = if step < 0 { len - 1 } else { len };
        }
        x
    };
    let (start, stop) = (adjust(start), adjust(stop));
    let (s, e, st) = (start as i128, stop as i128, step as i128);
    let count = if step < 0 {
        if e < s {
            (s - e - 1) / (-st) + 1
        } else {
            0
        }
    } else if s < e {
        (e - s - 1) / st + 1
    } else {
        0
    };
    Some((start, step, count as i64))
}
