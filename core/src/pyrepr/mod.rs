//! The interpreter's `repr()` of marshalled constants, per CPython version.
//!
//! `dis` shows constants with `repr()`, so pycopt's disassembler must print exactly
//! what the interpreter that wrote a `.pyc` would print. [`repr`] gives that text for
//! any object of an [`ObjectGraph`], for each [`PyVersion`]:
//!
//! - ints in decimal (Python 2's `long`, marshal `l`, with its `L` suffix); ints of
//!   any size are converted in `O(n²)` like CPython does, fast for the sizes a
//!   `.pyc` holds (see [`try_repr`] for the 4300-digit limit of newer versions);
//! - floats and complex numbers in Python's shortest round-trip form ([`repr_float`],
//!   [`repr_complex`]): `1e+16`, `1e-05`, `-0.0`, `inf`, `nan`, `(1-0j)`, `-0j`;
//! - `str` with Python 3's quote choice and escapes, keeping the characters that are
//!   printable in the Unicode database of that version ([`repr_str`]; the tables are
//!   generated from each interpreter by `corpus/scripts/gen_unicode_printable.py`
//!   into `core/data/unicode/`); Python 2's `unicode` as `u'…'` with every non-ASCII
//!   character escaped; `bytes` (Python 2: `str`) by [`repr_bytes`];
//! - tuples (`(x,)`), lists, sets and frozensets in the iteration order CPython's
//!   hash table gives them ([`set_iteration_order`], built on [`hash()`]):
//!   `frozenset({…})`, `frozenset()`, Python 2's `frozenset([…])`; dicts in marshal
//!   order (no code object holds one; Python 2.7 would print a dict in hash order);
//! - `None`, `True`, `False`, `Ellipsis`, and the `StopIteration` class
//!   (`<class 'StopIteration'>`, 2.7: `<type 'exceptions.StopIteration'>`);
//! - code objects as `<code object NAME at 0x0, file "FILE", line N>`: the address
//!   can never match, so pycopt always prints `0x0`, and tests comparing with an
//!   interpreter rewrite its address to `0x0` (see
//!   `corpus/scripts/dump_const_reprs.py`).
//!
//! # Hash seed
//!
//! The order of a set's elements depends on their hashes, and the hashes of `str` and
//! `bytes` are randomized per process unless `PYTHONHASHSEED` is fixed. The emulation
//! reproduces **`PYTHONHASHSEED=0`** (Python 3: SipHash keys all zero, SipHash-2-4 up
//! to 3.10 and SipHash-1-3 from 3.11; Python 2.7: no randomization, which is also its
//! default). Compare with interpreters run under `PYTHONHASHSEED=0`.
//!
//! A few hashes are derived from an object's address in CPython and cannot be known
//! from the file: `None` before 3.12, `Ellipsis`, and NaN from 3.10. For them
//! [`hash()`] uses the value the pyenv builds on pycopt's machines give: the low 8 bits
//! (the object's offset in its page) are fixed per build, the higher bits vary with
//! ASLR, so a small set holding `None` comes out as the interpreter prints it, while a
//! large one, or one holding a tuple with `None` in it, may not (and then varies from
//! run to run in CPython too). [`hash_depends_on_address`] tells which objects these
//! are.
//!
//! # Verification
//!
//! `core/tests/pyrepr.rs` compares every function here with the interpreters
//! (2.7.18, 3.6.15–3.13.0): synthetic values (hash boundaries, random floats,
//! strings from every plane, sets of up to 5000 elements), and every constant of
//! every `.pyc` in their library folders (16.6 million constants, all equal except
//! one `frozenset` of tuples holding `None`, whose order CPython itself changes from
//! run to run).

mod float;
mod hash;
mod int;
mod set;
mod text;
mod unicode;

pub use float::{parse_float_text, repr_complex, repr_float};
pub use hash::{hash, hash_bytes, hash_depends_on_address, hash_float, hash_str, siphash};
pub use int::{decimal_digits, int_max_str_digits, repr_long};
pub use set::{set_iteration_order, set_slot_order};
pub use text::{decode_str, repr_bytes, repr_str};
pub use unicode::is_printable;

use crate::marshal::{ObjId, ObjectGraph, Value};
use crate::version::PyVersion;

/// Why the interpreter's `repr()` of a constant fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReprError {
    /// An int with more decimal digits than the interpreter converts by default
    /// (`sys.get_int_max_str_digits()`, 4300; `repr` raises `ValueError`).
    #[error("int of {digits} decimal digits exceeds the limit ({limit} digits) for integer string conversion")]
    IntTooLong {
        /// Decimal digits of the int (without sign).
        digits: usize,
        /// The interpreter's default limit.
        limit: usize,
    },
}

/// The interpreter's `repr()` of object `id`, as `version` prints it.
///
/// Never fails: where the interpreter's `repr` raises (an int over the digit limit,
/// see [`try_repr`]) the unlimited text is given, as the interpreter prints it after
/// `sys.set_int_max_str_digits(0)`. Code object addresses are always `0x0`.
pub fn repr(g: &ObjectGraph, id: ObjId, version: PyVersion) -> String {
    let mut out = String::new();
    write_repr(g, id, version, false, &mut out).expect("unlimited repr cannot fail");
    out
}

/// Like [`repr`], but fails where the interpreter's `repr()` raises: from 3.7 on
/// (the final releases of 3.7–3.10 have the limit backported; 2.7 and 3.6 have
/// none), an int of more than [`int_max_str_digits`] decimal digits, anywhere inside
/// the object.
pub fn try_repr(g: &ObjectGraph, id: ObjId, version: PyVersion) -> Result<String, ReprError> {
    let mut out = String::new();
    write_repr(g, id, version, true, &mut out)?;
    Ok(out)
}

/// Appends the repr of `id` to `out`; with `limited`, applies the int digit limit.
fn write_repr(
    g: &ObjectGraph,
    id: ObjId,
    version: PyVersion,
    limited: bool,
    out: &mut String,
) -> Result<(), ReprError> {
    let py2 = version.is_py2();
    match &g.node(id).value {
        Value::None => out.push_str("None"),
        Value::True => out.push_str("True"),
        Value::False => out.push_str("False"),
        Value::Ellipsis => out.push_str("Ellipsis"),
        Value::StopIteration => out.push_str(if py2 {
            "<type 'exceptions.StopIteration'>"
        } else {
            "<class 'StopIteration'>"
        }),
        Value::Int(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Long { negative, digits } => {
            let digits = int::digits_of(g.bytes(*digits));
            let text = repr_long(*negative, &digits);
            if limited {
                if let Some(limit) = int_max_str_digits(version) {
                    let n = text.trim_start_matches('-').len();
                    if n > limit {
                        return Err(ReprError::IntTooLong { digits: n, limit });
                    }
                }
            }
            out.push_str(&text);
            if py2 {
                out.push('L');
            }
        }
        Value::Float(bits) => out.push_str(&repr_float(f64::from_bits(*bits))),
        Value::FloatText(s) => out.push_str(&repr_float(parse_float_text(g.bytes(*s)))),
        Value::Complex(re, im) => {
            out.push_str(&repr_complex(f64::from_bits(*re), f64::from_bits(*im)))
        }
        Value::ComplexText(re, im) => out.push_str(&repr_complex(
            parse_float_text(g.bytes(*re)),
            parse_float_text(g.bytes(*im)),
        )),
        Value::Bytes(s) => out.push_str(&repr_bytes(g.bytes(*s), version)),
        Value::Str(_) => out.push_str(&repr_str(&decode_str(g, id), version)),
        Value::Tuple(items) => {
            let items = g.items(*items);
            out.push('(');
            write_seq(g, items, version, limited, out)?;
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::List(items) => {
            out.push('[');
            write_seq(g, g.items(*items), version, limited, out)?;
            out.push(']');
        }
        Value::Set(items) | Value::FrozenSet(items) => {
            let frozen = matches!(g.node(id).value, Value::FrozenSet(_));
            let name = if frozen { "frozenset" } else { "set" };
            let order = set_iteration_order(g, g.items(*items), version);
            if py2 {
                out.push_str(name);
                out.push_str("([");
                write_seq(g, &order, version, limited, out)?;
                out.push_str("])");
            } else if order.is_empty() {
                out.push_str(name);
                out.push_str("()");
            } else {
                if frozen {
                    out.push_str("frozenset(");
                }
                out.push('{');
                write_seq(g, &order, version, limited, out)?;
                out.push('}');
                if frozen {
                    out.push(')');
                }
            }
        }
        Value::Dict(items) => {
            out.push('{');
            for (i, pair) in g.items(*items).chunks(2).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(g, pair[0], version, limited, out)?;
                out.push_str(": ");
                if let Some(&v) = pair.get(1) {
                    write_repr(g, v, version, limited, out)?;
                }
            }
            out.push('}');
        }
        Value::Code(code) => {
            out.push_str(&repr_code(g, code, version));
        }
    }
    Ok(())
}

/// Appends the reprs of `items` separated by `", "`.
fn write_seq(
    g: &ObjectGraph,
    items: &[ObjId],
    version: PyVersion,
    limited: bool,
    out: &mut String,
) -> Result<(), ReprError> {
    for (i, &item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(g, item, version, limited, out)?;
    }
    Ok(())
}

/// `<code object NAME at 0x0, file "FILE", line N>`, with the address fixed to `0x0`.
///
/// As CPython: a first line number of 0 prints as -1; Python 2.7 cuts the name to 100
/// bytes and the file name to 300 and prints `???` for one that is not a `str`;
/// Python 3 prints `file ???` when the file name is not a `str`.
pub fn repr_code(g: &ObjectGraph, code: &crate::code::Code, version: PyVersion) -> String {
    let line = if code.firstlineno != 0 {
        code.firstlineno
    } else {
        -1
    };
    if version.is_py2() {
        let text = |id: ObjId, max: usize| match g.as_bytes(id) {
            Some(b) => String::from_utf8_lossy(&b[..b.len().min(max)]).into_owned(),
            None => "???".to_string(),
        };
        return format!(
            "<code object {} at 0x0, file \"{}\", line {line}>",
            text(code.name, 100),
            text(code.filename, 300)
        );
    }
    let text = |id: ObjId| -> Option<String> {
        matches!(g.node(id).value, Value::Str(_)).then(|| {
            decode_str(g, id)
                .into_iter()
                .map(|c| char::from_u32(c).unwrap_or('\u{fffd}'))
                .collect()
        })
    };
    let name = text(code.name).unwrap_or_default();
    match text(code.filename) {
        Some(file) => format!("<code object {name} at 0x0, file \"{file}\", line {line}>"),
        None => format!("<code object {name} at 0x0, file ???, line {line}>"),
    }
}
