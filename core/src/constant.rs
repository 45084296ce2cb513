//! Constants as values: what `co_consts` holds, in a form passes can compare, build and
//! fold, and the way back into a marshal object graph.
//!
//! A [`Constant`] is decoded from the graph ([`Constant::from_graph`]) and new ones are
//! written into it ([`add_constant`]). Objects that passes have no reason to look
//! inside (code objects, strings holding lone surrogates, the odd list a crafted file
//! carries) stay references to their node, [`Constant::Object`], so they are written
//! back exactly as they were.

use crate::marshal::{Node, ObjId, ObjectGraph, Value};
use crate::version::PyVersion;

/// A constant value.
///
/// Equality is type-strict and bitwise for floats: `1`, `True` and `1.0` differ, and
/// so do `0.0` and `-0.0` — the key CPython's own constant merging uses, which makes it
/// the right key for deduplicating `co_consts`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Constant {
    None,
    True,
    False,
    Ellipsis,
    /// An int that fits in `i64`.
    Int(i64),
    /// A larger int: sign and magnitude as little-endian 15-bit digits (marshal's own
    /// form; the top digit is non-zero).
    Long {
        negative: bool,
        digits: Vec<u16>,
    },
    /// A float by its IEEE-754 bits, so `-0.0` and NaN payloads survive.
    Float(u64),
    /// A complex by the bits of its real and imaginary parts.
    Complex(u64, u64),
    /// `str` (Python 2: `unicode`).
    Str(String),
    /// `bytes` (Python 2: `str`).
    Bytes(Vec<u8>),
    Tuple(Vec<Constant>),
    /// Elements in the order they are (or will be) marshalled.
    FrozenSet(Vec<Constant>),
    /// Any other object, by reference to its node.
    Object(ObjId),
}

impl Constant {
    /// Decodes the object `id` of `g`.
    pub fn from_graph(g: &ObjectGraph, id: ObjId) -> Constant {
        Self::decode(g, id, 0)
    }

    fn decode(g: &ObjectGraph, id: ObjId, depth: usize) -> Constant {
        // Constants nest shallowly in real code; a crafted deep tuple stays an object.
        const MAX_DEPTH: usize = 64;
        let node = g.node(id);
        match &node.value {
            Value::None => Constant::None,
            Value::True => Constant::True,
            Value::False => Constant::False,
            Value::Ellipsis => Constant::Ellipsis,
            Value::Int(v) => Constant::Int(*v as i64),
            Value::Int64(v) => Constant::Int(*v),
            Value::Long { negative, digits } => {
                if let Some(v) = g.as_i64(id) {
                    return Constant::Int(v);
                }
                let raw = g.bytes(*digits);
                let mut digits: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                while digits.last() == Some(&0) {
                    digits.pop();
                }
                Constant::Long {
                    negative: *negative,
                    digits,
                }
            }
            Value::Float(bits) => Constant::Float(*bits),
            Value::Complex(re, im) => Constant::Complex(*re, *im),
            Value::Bytes(span) => {
                let raw = g.bytes(*span);
                Constant::Bytes(raw.to_vec())
            }
            // Python 2's `str` (`s`, `t`) is bytes; `Str` is only ever text.
            Value::Str(_) => match g.as_str(id) {
                Some(s) => Constant::Str(s.into_owned()),
                None => Constant::Object(id),
            },
            Value::Tuple(items) | Value::FrozenSet(items) if depth < MAX_DEPTH => {
                let elems = g
                    .items(*items)
                    .iter()
                    .map(|&c| Self::decode(g, c, depth + 1))
                    .collect();
                if matches!(node.value, Value::Tuple(_)) {
                    Constant::Tuple(elems)
                } else {
                    Constant::FrozenSet(elems)
                }
            }
            _ => Constant::Object(id),
        }
    }

    /// Whether the value holds no reference to a graph object (so it can be compared
    /// and evaluated by value alone).
    pub fn is_value(&self) -> bool {
        match self {
            Constant::Object(_) => false,
            Constant::Tuple(v) | Constant::FrozenSet(v) => v.iter().all(Constant::is_value),
            _ => true,
        }
    }

    /// Python's truth value, when the value alone decides it.
    pub fn truth(&self) -> Option<bool> {
        Some(match self {
            Constant::None | Constant::False => false,
            Constant::True | Constant::Ellipsis => true,
            Constant::Int(v) => *v != 0,
            Constant::Long { digits, .. } => !digits.is_empty(),
            Constant::Float(bits) => f64::from_bits(*bits) != 0.0,
            Constant::Complex(re, im) => f64::from_bits(*re) != 0.0 || f64::from_bits(*im) != 0.0,
            Constant::Str(s) => !s.is_empty(),
            Constant::Bytes(b) => !b.is_empty(),
            Constant::Tuple(v) | Constant::FrozenSet(v) => !v.is_empty(),
            Constant::Object(_) => return None,
        })
    }
}

/// Adds `c` to `g` as new objects (written without reference flags, so each use is
/// written in full) and returns its id; [`Constant::Object`] returns its own id.
pub fn add_constant(g: &mut ObjectGraph, c: &Constant, version: PyVersion) -> ObjId {
    let py2 = !version.at_least(PyVersion::V3_6);
    let node = |type_byte: u8, value: Value| Node {
        type_byte,
        value,
        offset: 0,
    };
    let n = match c {
        Constant::Object(id) => return *id,
        Constant::None => node(b'N', Value::None),
        Constant::True => node(b'T', Value::True),
        Constant::False => node(b'F', Value::False),
        Constant::Ellipsis => node(b'.', Value::Ellipsis),
        Constant::Int(v) => match i32::try_from(*v) {
            Ok(small) => node(b'i', Value::Int(small)),
            Err(_) => {
                let (negative, digits) = digits15(*v);
                let span = g.add_bytes(&u16s_le(&digits));
                node(
                    b'l',
                    Value::Long {
                        negative,
                        digits: span,
                    },
                )
            }
        },
        Constant::Long { negative, digits } => {
            let span = g.add_bytes(&u16s_le(digits));
            node(
                b'l',
                Value::Long {
                    negative: *negative,
                    digits: span,
                },
            )
        }
        Constant::Float(bits) => node(b'g', Value::Float(*bits)),
        Constant::Complex(re, im) => node(b'y', Value::Complex(*re, *im)),
        Constant::Str(s) => {
            let span = g.add_bytes(s.as_bytes());
            node(b'u', Value::Str(span))
        }
        Constant::Bytes(b) => {
            let span = g.add_bytes(b);
            node(b's', Value::Bytes(span))
        }
        Constant::Tuple(elems) | Constant::FrozenSet(elems) => {
            let ids: Vec<ObjId> = elems.iter().map(|e| add_constant(g, e, version)).collect();
            let items = g.add_items(&ids);
            match c {
                Constant::Tuple(_) if !py2 && ids.len() < 256 => node(b')', Value::Tuple(items)),
                Constant::Tuple(_) => node(b'(', Value::Tuple(items)),
                _ => node(b'>', Value::FrozenSet(items)),
            }
        }
    };
    g.add(n)
}

/// Sign and 15-bit digits of `v`.
fn digits15(v: i64) -> (bool, Vec<u16>) {
    let negative = v < 0;
    let mut mag = v.unsigned_abs();
    let mut digits = Vec::new();
    while mag != 0 {
        digits.push((mag & 0x7fff) as u16);
        mag >>= 15;
    }
    (negative, digits)
}

fn u16s_le(digits: &[u16]) -> Vec<u8> {
    digits.iter().flat_map(|d| d.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(c: Constant, v: PyVersion) {
        let mut g = ObjectGraph::default();
        let id = add_constant(&mut g, &c, v);
        assert_eq!(Constant::from_graph(&g, id), c);
    }

    #[test]
    fn values_survive_the_graph() {
        for v in [PyVersion::V2_7, PyVersion::V3_8, PyVersion::V3_13] {
            round_trip(Constant::Int(5), v);
            round_trip(Constant::Int(-(1 << 40)), v);
            round_trip(Constant::Int(i64::MIN), v);
            round_trip(
                Constant::Long {
                    negative: true,
                    digits: vec![1, 0, 0, 0, 0, 3],
                },
                v,
            );
            round_trip(Constant::Float((-0.0f64).to_bits()), v);
            round_trip(Constant::Str("héllo".into()), v);
            round_trip(Constant::Bytes(b"\xff\x00".to_vec()), v);
            round_trip(
                Constant::Tuple(vec![
                    Constant::None,
                    Constant::True,
                    Constant::FrozenSet(vec![Constant::Int(1)]),
                ]),
                v,
            );
        }
    }

    #[test]
    fn equality_is_type_strict() {
        assert_ne!(Constant::Int(1), Constant::True);
        assert_ne!(
            Constant::Float(0.0f64.to_bits()),
            Constant::Float((-0.0f64).to_bits())
        );
        assert_eq!(Constant::Int(0).truth(), Some(false));
        assert_eq!(Constant::Float((-0.0f64).to_bits()).truth(), Some(false));
    }
}
