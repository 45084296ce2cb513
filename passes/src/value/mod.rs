//! Python values as constant folding sees them: exact ints, floats by their bits,
//! text by code points, and the immutable containers a code object can hold.
//!
//! A [`Value`] is what a [`Constant`] means to the evaluator ([`crate::eval`]):
//! `True` is a bool (an int subclass, but its own type), ints have any size, floats
//! and complex parts keep their IEEE-754 bits (so `-0.0` and NaN payloads survive and
//! equality is type-strict, like [`Constant`]'s). Conversions go both ways:
//! [`Value::from_constant`] fails for opaque objects (code objects, strings with lone
//! surrogates), [`Value::to_constant`] fails for values no `.pyc` can hold (slices up to
//! 3.13).
//!
//! ```
//! use pycopt_core::constant::Constant;
//! use pycopt_passes::value::Value;
//!
//! let v = Value::from_constant(&Constant::Int(1 << 40)).unwrap();
//! assert_eq!(v.type_name(), "int");
//! assert_eq!(v.to_constant(), Some(Constant::Int(1 << 40)));
//! ```

use num_bigint::{BigInt, Sign};
use num_traits::{ToPrimitive, Zero};
use pycopt_core::constant::Constant;

/// A Python value that constant folding can compute with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    None,
    Ellipsis,
    Bool(bool),
    Int(BigInt),
    /// IEEE-754 bits.
    Float(u64),
    /// Bits of the real and imaginary parts.
    Complex(u64, u64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    /// Elements in marshal order (never reordered: iteration order is the hash's).
    FrozenSet(Vec<Value>),
    /// `slice(start, stop, step)`: only ever an operand of a subscript (no constant up
    /// to 3.13).
    Slice(Box<[Value; 3]>),
}

impl Value {
    /// The value of a constant; `None` for objects folding cannot look into.
    pub fn from_constant(c: &Constant) -> Option<Value> {
        Some(match c {
            Constant::None => Value::None,
            Constant::True => Value::Bool(true),
            Constant::False => Value::Bool(false),
            Constant::Ellipsis => Value::Ellipsis,
            Constant::Int(v) => Value::Int(BigInt::from(*v)),
            Constant::Long { negative, digits } => Value::Int(int_from_digits(*negative, digits)),
            Constant::Float(bits) => Value::Float(*bits),
            Constant::Complex(re, im) => Value::Complex(*re, *im),
            Constant::Str(s) => Value::Str(s.clone()),
            Constant::Bytes(b) => Value::Bytes(b.clone()),
            Constant::Tuple(items) => Value::Tuple(
                items
                    .iter()
                    .map(Value::from_constant)
                    .collect::<Option<_>>()?,
            ),
            Constant::FrozenSet(items) => Value::FrozenSet(
                items
                    .iter()
                    .map(Value::from_constant)
                    .collect::<Option<_>>()?,
            ),
            Constant::Object(_) => return None,
        })
    }

    /// The constant holding this value; `None` for slices.
    pub fn to_constant(&self) -> Option<Constant> {
        Some(match self {
            Value::None => Constant::None,
            Value::Ellipsis => Constant::Ellipsis,
            Value::Bool(true) => Constant::True,
            Value::Bool(false) => Constant::False,
            Value::Int(v) => int_to_constant(v),
            Value::Float(bits) => Constant::Float(*bits),
            Value::Complex(re, im) => Constant::Complex(*re, *im),
            Value::Str(s) => Constant::Str(s.clone()),
            Value::Bytes(b) => Constant::Bytes(b.clone()),
            Value::Tuple(items) => Constant::Tuple(
                items
                    .iter()
                    .map(Value::to_constant)
                    .collect::<Option<_>>()?,
            ),
            Value::FrozenSet(items) => Constant::FrozenSet(
                items
                    .iter()
                    .map(Value::to_constant)
                    .collect::<Option<_>>()?,
            ),
            Value::Slice(_) => return None,
        })
    }

    /// A float value.
    pub fn float(x: f64) -> Value {
        Value::Float(x.to_bits())
    }

    /// An int value.
    pub fn int(v: impl Into<BigInt>) -> Value {
        Value::Int(v.into())
    }

    /// `type(v).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Ellipsis => "ellipsis",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Complex(..) => "complex",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::FrozenSet(_) => "frozenset",
            Value::Slice(_) => "slice",
        }
    }

    /// `bool(v)`, when no user code is involved (always, for these types).
    pub fn truth(&self) -> bool {
        match self {
            Value::None => false,
            Value::Ellipsis | Value::Slice(_) => true,
            Value::Bool(b) => *b,
            Value::Int(v) => !v.is_zero(),
            Value::Float(bits) => f64::from_bits(*bits) != 0.0,
            Value::Complex(re, im) => f64::from_bits(*re) != 0.0 || f64::from_bits(*im) != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(v) | Value::FrozenSet(v) => !v.is_empty(),
        }
    }

    /// The value as an exact int if it is an int or a bool (Python's `operator.index`
    /// for these types).
    pub fn as_index(&self) -> Option<BigInt> {
        match self {
            Value::Bool(b) => Some(BigInt::from(*b as u8)),
            Value::Int(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether the value holds a NaN anywhere (as a float, a complex part, or inside a
    /// container): such values are not equal to themselves, so comparisons that
    /// CPython shortcuts by identity have no certain result.
    pub fn has_nan(&self) -> bool {
        match self {
            Value::Float(bits) => f64::from_bits(*bits).is_nan(),
            Value::Complex(re, im) => f64::from_bits(*re).is_nan() || f64::from_bits(*im).is_nan(),
            Value::Tuple(v) | Value::FrozenSet(v) => v.iter().any(Value::has_nan),
            Value::Slice(parts) => parts.iter().any(Value::has_nan),
            _ => false,
        }
    }

    /// Items counted the way CPython's `check_complexity` counts them: every element of
    /// every tuple and frozenset, nested ones included.
    pub fn total_items(&self) -> usize {
        match self {
            Value::Tuple(v) | Value::FrozenSet(v) => {
                v.len() + v.iter().map(Value::total_items).sum::<usize>()
            }
            _ => 0,
        }
    }

    /// A canonical, type-tagged text of the value: the same for two values exactly when
    /// they are the same constant (floats by bits). The differential tests print the
    /// same form from CPython.
    pub fn fingerprint(&self) -> String {
        let mut out = String::new();
        self.fingerprint_into(&mut out);
        out
    }

    fn fingerprint_into(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Value::None => out.push('N'),
            Value::Ellipsis => out.push('E'),
            Value::Bool(b) => out.push_str(if *b { "T" } else { "F" }),
            Value::Int(v) => {
                let _ = write!(out, "i{v}");
            }
            Value::Float(bits) => {
                let _ = write!(out, "f{bits:016x}");
            }
            Value::Complex(re, im) => {
                let _ = write!(out, "c{re:016x}:{im:016x}");
            }
            Value::Str(s) => {
                out.push('s');
                for b in s.as_bytes() {
                    let _ = write!(out, "{b:02x}");
                }
            }
            Value::Bytes(data) => {
                out.push('y');
                for b in data {
                    let _ = write!(out, "{b:02x}");
                }
            }
            Value::Tuple(items) => {
                out.push('(');
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    item.fingerprint_into(out);
                }
                out.push(')');
            }
            Value::FrozenSet(items) => {
                let mut parts: Vec<String> = items.iter().map(Value::fingerprint).collect();
                parts.sort();
                out.push('{');
                out.push_str(&parts.join(","));
                out.push('}');
            }
            Value::Slice(parts) => {
                out.push_str("slice(");
                for (k, p) in parts.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    p.fingerprint_into(out);
                }
                out.push(')');
            }
        }
    }
}

/// An int from marshal's sign and little-endian 15-bit digits.
pub fn int_from_digits(negative: bool, digits: &[u16]) -> BigInt {
    let mut v = BigInt::zero();
    for &d in digits.iter().rev() {
        v = (v << 15u32) + BigInt::from(d);
    }
    if negative {
        -v
    } else {
        v
    }
}

/// The constant form of an int: `Int` when it fits in `i64`, else `Long` digits.
pub fn int_to_constant(v: &BigInt) -> Constant {
    if let Some(small) = v.to_i64() {
        return Constant::Int(small);
    }
    let negative = v.sign() == Sign::Minus;
    let mut mag = v.magnitude().clone();
    let mut digits = Vec::new();
    let mask = num_bigint::BigUint::from(0x7fffu32);
    while !mag.is_zero() {
        let d = (&mag & &mask).to_u16().unwrap_or(0);
        digits.push(d);
        mag >>= 15u32;
    }
    Constant::Long { negative, digits }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_round_trip() {
        let cases = vec![
            Constant::None,
            Constant::True,
            Constant::False,
            Constant::Ellipsis,
            Constant::Int(0),
            Constant::Int(i64::MIN),
            Constant::Int(i64::MAX),
            Constant::Long {
                negative: true,
                digits: vec![0, 0, 0, 0, 0x7fff, 1],
            },
            Constant::Float((-0.0f64).to_bits()),
            Constant::Float(0x7ff8_0000_0000_0001),
            Constant::Complex(1.5f64.to_bits(), (-0.0f64).to_bits()),
            Constant::Str("é\u{10ffff}".into()),
            Constant::Bytes(vec![0, 255]),
            Constant::Tuple(vec![Constant::Int(1), Constant::Tuple(vec![])]),
            Constant::FrozenSet(vec![Constant::Str("b".into()), Constant::Str("a".into())]),
        ];
        for c in cases {
            let v = Value::from_constant(&c).unwrap();
            assert_eq!(v.to_constant().as_ref(), Some(&c), "{c:?}");
        }
    }

    #[test]
    fn big_ints_use_the_long_form_only_beyond_i64() {
        let big = BigInt::from(1) << 63u32;
        let c = int_to_constant(&big);
        assert!(matches!(
            c,
            Constant::Long {
                negative: false,
                ..
            }
        ));
        assert_eq!(Value::from_constant(&c), Some(Value::Int(big.clone())));
        assert_eq!(int_to_constant(&-(&big)), Constant::Int(i64::MIN));
        assert_eq!(int_to_constant(&(-(&big) - 1)), {
            let Constant::Long { negative, digits } = int_to_constant(&(-(&big) - 1)) else {
                panic!()
            };
            assert!(negative);
            Constant::Long { negative, digits }
        });
    }

    #[test]
    fn opaque_objects_and_slices_do_not_convert() {
        let mut g = pycopt_core::marshal::ObjectGraph::default();
        let id = pycopt_core::constant::add_constant(
            &mut g,
            &Constant::None,
            pycopt_core::PyVersion::V3_12,
        );
        let obj = Constant::Object(id);
        assert_eq!(Value::from_constant(&obj), None);
        assert_eq!(Value::from_constant(&Constant::Tuple(vec![obj])), None);
        let s = Value::Slice(Box::new([Value::None, Value::int(1), Value::None]));
        assert_eq!(s.to_constant(), None);
    }

    #[test]
    fn equality_is_type_strict() {
        assert_ne!(Value::Bool(true), Value::int(1));
        assert_ne!(Value::float(0.0), Value::float(-0.0));
        assert_eq!(Value::float(f64::NAN), Value::float(f64::NAN));
        assert!(Value::Tuple(vec![Value::float(f64::NAN)]).has_nan());
        assert_eq!(
            Value::Tuple(vec![Value::Tuple(vec![Value::None; 3]), Value::None]).total_items(),
            5
        );
    }
}
