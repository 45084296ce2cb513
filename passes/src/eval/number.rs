//! Arithmetic on ints, floats and complex numbers with CPython's exact results.
//!
//! Ints are exact (`num-bigint`); floats are IEEE-754 doubles whose `+ - * /` Rust
//! computes exactly as C does (no contraction into fused multiply-adds, round to
//! nearest even), and whose `//` and `%` follow `floatobject.c`'s `_float_div_mod`
//! step by step. Mixed int/float operations convert the int the way
//! `PyLong_AsDouble` does (correctly rounded, `OverflowError` past the float range),
//! and `int / int` is correctly rounded from the exact quotient like
//! `long_true_divide`. Every function returns `None` where CPython raises.

use std::cmp::Ordering;

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{BinOp, MAX_INT_SIZE};
use crate::value::Value;

/// A value of the numeric tower (bools count as ints).
#[derive(Clone, Debug)]
pub(crate) enum Num {
    Int(BigInt),
    Float(f64),
    Complex(f64, f64),
}

/// The number `v` is, if it is one.
pub(crate) fn num(v: &Value) -> Option<Num> {
    Some(match v {
        Value::Bool(b) => Num::Int(BigInt::from(*b as u8)),
        Value::Int(i) => Num::Int(i.clone()),
        Value::Float(bits) => Num::Float(f64::from_bits(*bits)),
        Value::Complex(re, im) => Num::Complex(f64::from_bits(*re), f64::from_bits(*im)),
        _ => return None,
    })
}

/// Bits of `|v|` (`_PyLong_NumBits`), 0 for zero.
pub(crate) fn bits(v: &BigInt) -> u64 {
    v.magnitude().bits()
}

/// 2^e as a double, for `-1074 <= e <= 1023`.
fn pow2(e: i64) -> f64 {
    debug_assert!((-1074..=1023).contains(&e));
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// `float(v)` as `PyLong_AsDouble` computes it: correctly rounded, half to even;
/// `None` (OverflowError) when it rounds past the largest double.
pub fn int_to_f64(v: &BigInt) -> Option<f64> {
    let mag = v.magnitude();
    let n = mag.bits();
    let x = if n <= 64 {
        // `as` rounds to nearest, ties to even.
        mag.to_u64()? as f64
    } else {
        if n > 1024 {
            return None;
        }
        let shift = n - 64;
        let top = (mag >> shift).to_u64()?;
        let sticky = mag.trailing_zeros().unwrap_or(0) < shift;
        // The sticky bit sits far below the rounding position (bit 11 of 64), so
        // rounding `top | sticky` once gives the correctly rounded value.
        let m = (top | sticky as u64) as f64;
        let x = m * pow2(shift as i64);
        if x.is_infinite() {
            return None;
        }
        x
    };
    Some(if v.sign() == Sign::Minus { -x } else { x })
}

/// The exact int value of an integral, finite double.
fn integral_f64_to_int(f: f64) -> BigInt {
    debug_assert!(f.is_finite() && f == f.trunc());
    let bits = f.to_bits();
    let negative = bits >> 63 == 1;
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        // Zero or subnormal: an integral subnormal is only zero.
        return BigInt::zero();
    }
    let m = BigInt::from(frac | (1u64 << 52));
    let e = exp - 1075;
    let mag = if e >= 0 {
        m << e as u64
    } else {
        m >> (-e) as u64
    };
    if negative {
        -mag
    } else {
        mag
    }
}

/// Exact order of an int and a double (`float_richcompare`): `None` for NaN.
pub(crate) fn cmp_int_float(i: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let fl = f.floor();
    Some(match i.cmp(&integral_f64_to_int(fl)) {
        Ordering::Equal if f == fl => Ordering::Equal,
        // i == floor(f) < f
        Ordering::Equal => Ordering::Less,
        other => other,
    })
}

/// Correctly rounded `a / b` for ints (`long_true_divide`); `None` for division by
/// zero and results beyond the float range.
pub fn int_true_div(a: &BigInt, b: &BigInt) -> Option<f64> {
    if b.is_zero() {
        return None;
    }
    let negative = (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus);
    let signed = |x: f64| if negative { -x } else { x };
    if a.is_zero() {
        return Some(signed(0.0));
    }
    let (n, d) = (a.magnitude(), b.magnitude());
    // Scale so that the integer quotient has 55 or 56 bits: 53 kept, a rounding bit
    // and more, and the remainder as the sticky bit.
    let s = 55 - (n.bits() as i64 - d.bits() as i64);
    let (num, den): (BigUint, BigUint) = if s >= 0 {
        (n << s as u64, d.clone())
    } else {
        (n.clone(), d << (-s) as u64)
    };
    let (q, r) = num.div_rem(&den);
    let sticky = !r.is_zero();
    let top = q.bits() as i64 - 1 - s;
    if top >= 1024 {
        return None;
    }
    // Exponent of the last kept bit: 53 significant bits, fewer for subnormals.
    let lsb = (top - 52).max(-1074);
    let k = (lsb + s) as u64; // bits of q dropped (at least 2)
    let mut m = &q >> k;
    let rem = &q - (&m << k);
    let half = BigUint::one() << (k - 1);
    let up = match rem.cmp(&half) {
        Ordering::Greater => true,
        Ordering::Equal => sticky || m.is_odd(),
        Ordering::Less => false,
    };
    if up {
        m += 1u32;
    }
    let m = m.to_u64()?;
    if m == 0 {
        return Some(signed(0.0));
    }
    if 64 - m.leading_zeros() as i64 + lsb > 1024 {
        return None;
    }
    let x = if lsb == -1074 {
        // m * 2^-1074 has exactly the bit pattern m (subnormal or smallest normals).
        f64::from_bits(m)
    } else {
        m as f64 * pow2(lsb)
    };
    Some(signed(x))
}

/// `_float_div_mod` of `floatobject.c`: the floored quotient and the remainder with
/// the divisor's sign. `wx` must not be zero.
fn float_div_mod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx; // fmod: exact
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

fn float_binary(op: BinOp, a: f64, b: f64) -> Option<f64> {
    Some(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::TrueDiv if b != 0.0 => a / b,
        BinOp::FloorDiv if b != 0.0 => float_div_mod(a, b).0,
        BinOp::Mod if b != 0.0 => float_div_mod(a, b).1,
        // `**` goes through the C library's pow(), whose last bit this evaluator
        // cannot promise to reproduce; division by zero raises; the rest are
        // TypeErrors.
        _ => return None,
    })
}

fn complex_binary(op: BinOp, (ar, ai): (f64, f64), (br, bi): (f64, f64)) -> Option<(f64, f64)> {
    Some(match op {
        BinOp::Add => (ar + br, ai + bi),
        BinOp::Sub => (ar - br, ai - bi),
        // `_Py_c_prod`: every operand, the promoted real included, goes through the
        // full product (3.14 changes mixed-mode arithmetic; this is 3.13's).
        BinOp::Mul => (ar * br - ai * bi, ar * bi + ai * br),
        // Division (`_Py_c_quot`) and powers are left to run time; `//` and `%` raise.
        _ => return None,
    })
}

fn int_binary(op: BinOp, a: &BigInt, b: &BigInt) -> Option<Value> {
    let small = |v: &BigInt, limit: u64| v.to_u64().filter(|&n| n <= limit);
    Some(Value::Int(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => {
            // safe_multiply
            if !a.is_zero() && !b.is_zero() && bits(a) + bits(b) > MAX_INT_SIZE {
                return None;
            }
            a * b
        }
        BinOp::TrueDiv => return int_true_div(a, b).map(Value::float),
        BinOp::FloorDiv if !b.is_zero() => a.div_floor(b),
        BinOp::Mod if !b.is_zero() => a.mod_floor(b),
        BinOp::Pow => {
            if b.is_negative() {
                // A float result computed by the C library's pow().
                return None;
            }
            if b.is_zero() {
                return Some(Value::int(1));
            }
            if a.is_zero() {
                return Some(Value::int(0));
            }
            // safe_power: bits(a) * b must stay within MAX_INT_SIZE.
            let e = small(b, MAX_INT_SIZE)?;
            if bits(a) > MAX_INT_SIZE / e {
                return None;
            }
            num_traits::pow::Pow::pow(a, e as u32)
        }
        BinOp::LShift => {
            if b.is_negative() {
                return None;
            }
            // safe_lshift, and never a shift count beyond the guard even for 0.
            let e = small(b, MAX_INT_SIZE)?;
            if !a.is_zero() && bits(a) > MAX_INT_SIZE - e {
                return None;
            }
            a << e
        }
        BinOp::RShift => {
            if b.is_negative() {
                return None;
            }
            // 3.6 raises OverflowError for counts beyond a C ssize_t; stay far below.
            let e = small(b, i32::MAX as u64)?;
            a >> e
        }
        BinOp::And => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
        _ => return None,
    }))
}

/// `a op b` for two numbers; `None` where CPython raises or where the result is not
/// certain.
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    // bool & | ^ bool stays a bool.
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        match op {
            BinOp::And => return Some(Value::Bool(x & y)),
            BinOp::Or => return Some(Value::Bool(x | y)),
            BinOp::Xor => return Some(Value::Bool(x ^ y)),
            _ => {}
        }
    }
    let (x, y) = (num(a)?, num(b)?);
    match (x, y) {
        (Num::Int(x), Num::Int(y)) => int_binary(op, &x, &y),
        (Num::Complex(ar, ai), other) => {
            let (br, bi) = to_complex(&other)?;
            complex_binary(op, (ar, ai), (br, bi)).map(|(r, i)| complex(r, i))
        }
        (other, Num::Complex(br, bi)) => {
            let (ar, ai) = to_complex(&other)?;
            complex_binary(op, (ar, ai), (br, bi)).map(|(r, i)| complex(r, i))
        }
        (x, y) => {
            let (x, y) = (to_float(&x)?, to_float(&y)?);
            float_binary(op, x, y).map(Value::float)
        }
    }
}

fn complex(re: f64, im: f64) -> Value {
    Value::Complex(re.to_bits(), im.to_bits())
}

fn to_float(n: &Num) -> Option<f64> {
    match n {
        Num::Int(i) => int_to_f64(i),
        Num::Float(f) => Some(*f),
        Num::Complex(..) => None,
    }
}

fn to_complex(n: &Num) -> Option<(f64, f64)> {
    match n {
        Num::Complex(r, i) => Some((*r, *i)),
        other => Some((to_float(other)?, 0.0)),
    }
}

/// `-v` and `+v` on numbers (bools become ints).
pub(crate) fn negate(v: &Value) -> Option<Value> {
    Some(match num(v)? {
        Num::Int(i) => Value::Int(-i),
        Num::Float(f) => Value::float(-f),
        Num::Complex(r, i) => complex(-r, -i),
    })
}

pub(crate) fn positive(v: &Value) -> Option<Value> {
    Some(match num(v)? {
        Num::Int(i) => Value::Int(i),
        Num::Float(f) => Value::float(f),
        Num::Complex(r, i) => complex(r, i),
    })
}

/// `abs(v)` for ints and floats (complex needs `hypot`, left to run time).
pub(crate) fn absolute(v: &Value) -> Option<Value> {
    Some(match num(v)? {
        Num::Int(i) => Value::Int(i.abs()),
        Num::Float(f) => Value::float(f.abs()),
        Num::Complex(..) => return None,
    })
}

/// Numeric `==`: exact across int, float and complex (`None` if either is not a
/// number).
pub(crate) fn num_eq(a: &Value, b: &Value) -> Option<bool> {
    let (x, y) = (num(a)?, num(b)?);
    Some(match (x, y) {
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
            cmp_int_float(&i, f) == Some(Ordering::Equal)
        }
        (Num::Float(x), Num::Float(y)) => x == y,
        (Num::Complex(r, i), Num::Complex(r2, i2)) => r == r2 && i == i2,
        (Num::Complex(r, i), Num::Float(f)) | (Num::Float(f), Num::Complex(r, i)) => {
            r == f && i == 0.0
        }
        (Num::Complex(r, i), Num::Int(n)) | (Num::Int(n), Num::Complex(r, i)) => {
            i == 0.0 && cmp_int_float(&n, r) == Some(Ordering::Equal)
        }
    })
}

/// Numeric order for `<`-style comparisons: `Some(None)` when unordered (NaN: every
/// ordering comparison is false), `None` when CPython raises (complex).
pub(crate) fn num_order(a: &Value, b: &Value) -> Option<Option<Ordering>> {
    let (x, y) = (num(a)?, num(b)?);
    Some(match (x, y) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Int(i), Num::Float(f)) => cmp_int_float(&i, f),
        (Num::Float(f), Num::Int(i)) => cmp_int_float(&i, f).map(Ordering::reverse),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> BigInt {
        s.parse().unwrap()
    }

    #[test]
    fn int_to_float_rounds_half_even_and_overflows() {
        assert_eq!(
            int_to_f64(&big("9007199254740993")),
            Some(9007199254740992.0)
        );
        assert_eq!(
            int_to_f64(&big("9007199254740995")),
            Some(9007199254740996.0)
        );
        let two_1024 = BigInt::one() << 1024u32;
        assert_eq!(int_to_f64(&two_1024), None);
        // Just below 2^1024 but rounding up to it overflows too.
        let below = &two_1024 - (BigInt::one() << 970u32);
        assert_eq!(int_to_f64(&below), None);
        assert_eq!(
            int_to_f64(&(&two_1024 - (BigInt::one() << 971u32))),
            Some(f64::MAX)
        );
        // Far beyond 64 bits with a sticky tail.
        let v = (BigInt::one() << 200u32) + (BigInt::one() << 147u32) + 1;
        assert_eq!(int_to_f64(&v), Some(2f64.powi(200) + 2f64.powi(148)));
        assert_eq!(int_to_f64(&-big("3")), Some(-3.0));
    }

    #[test]
    fn int_true_division_is_correctly_rounded() {
        let q = |a: &str, b: &str| int_true_div(&big(a), &big(b));
        assert_eq!(q("1", "3"), Some(1.0 / 3.0));
        assert_eq!(q("-7", "2"), Some(-3.5));
        assert_eq!(q("0", "-5").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(q("1", "0"), None);
        // 2^54+1 over 2: exact value 2^53 + 0.5 rounds to even 2^53.
        assert_eq!(q("18014398509481985", "2"), Some(9007199254740992.0));
        // Smallest subnormal and underflow to zero.
        let tiny = format!("{}", BigInt::one() << 1074u32);
        assert_eq!(q("1", &tiny), Some(f64::from_bits(1)));
        let tinier = format!("{}", BigInt::one() << 1076u32);
        assert_eq!(
            q("-1", &tinier).map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        // Too large.
        let huge = format!("{}", BigInt::one() << 1100u32);
        assert_eq!(q(&huge, "3"), None);
        assert_eq!(
            q(&huge, &format!("{}", BigInt::one() << 100u32)),
            Some(2f64.powi(1000))
        );
    }

    #[test]
    fn float_floor_division_and_modulo_follow_the_divisor() {
        assert_eq!(float_div_mod(7.0, -2.0), (-4.0, -1.0));
        assert_eq!(float_div_mod(-7.0, 2.0), (-4.0, 1.0));
        let (q, m) = float_div_mod(0.0, -3.0);
        assert_eq!(
            (q.to_bits(), m.to_bits()),
            ((-0.0f64).to_bits(), (-0.0f64).to_bits())
        );
        let (_, m) = float_div_mod(5.0, f64::NEG_INFINITY);
        assert_eq!(m, f64::NEG_INFINITY);
        assert!(float_div_mod(f64::INFINITY, 1.0).0.is_nan());
    }

    #[test]
    fn int_float_comparison_is_exact() {
        let two53p1 = (BigInt::one() << 53u32) + 1;
        assert_eq!(
            cmp_int_float(&two53p1, 2f64.powi(53)),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp_int_float(&big("2"), 2.5), Some(Ordering::Less));
        assert_eq!(cmp_int_float(&big("-3"), -2.5), Some(Ordering::Less));
        assert_eq!(cmp_int_float(&big("-2"), -2.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_float(&big("5"), f64::NAN), None);
        assert_eq!(
            cmp_int_float(&(BigInt::one() << 2000u32), f64::INFINITY),
            Some(Ordering::Less)
        );
    }
}
