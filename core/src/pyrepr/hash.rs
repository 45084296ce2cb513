//! CPython's `hash()` of constants, per version, for `PYTHONHASHSEED=0`.
//!
//! Everything here is written from the documented algorithms of CPython's
//! `Python/pyhash.c`, `Objects/longobject.c`, `floatobject.c`, `tupleobject.c`,
//! `setobject.c` and `complexobject.c` (2.7 and 3.x), and checked against the
//! interpreters by `core/tests/pyrepr.rs`.

use super::decode_str;
use super::int::digits_of;
use crate::marshal::{ObjId, ObjectGraph, Value};
use crate::version::PyVersion;

/// Python 3's hash modulus, the Mersenne prime 2⁶¹ − 1 (`_PyHASH_MODULUS`).
const MODULUS: u64 = (1 << 61) - 1;
/// `_PyHASH_MULTIPLIER`, also the imaginary part's factor in a complex hash.
const MULTIPLIER: u64 = 1_000_003;

/// `-1` is CPython's error return, so a hash that comes out as `-1` is `-2`.
fn fix(h: u64) -> i64 {
    if h == u64::MAX {
        -2
    } else {
        h as i64
    }
}

/// The address-derived hash of `None` (before 3.12) and of `Ellipsis`, as the
/// pyenv builds on pycopt's machines give them: `(None, Ellipsis)`. Only the low 8
/// bits are stable from run to run (see the module docs of [`super`]).
fn address_hashes(version: PyVersion) -> (i64, i64) {
    use PyVersion::*;
    match version {
        V2_7 => (0x07f3_9b34_b0de, 0x07f3_9b34_b2d1),
        V3_6 => (0x07fa_e402_9511, 0x07fa_e402_980d),
        V3_7 => (0x07f0_ec94_c46f, 0x07f0_ec94_c76b),
        V3_8 => (0x07f6_b7e5_3222, 0x07f6_b7e5_3442),
        V3_9 => (0x07fc_007d_6b42, 0x07fc_007d_6d46),
        V3_10 => (0x07f4_b1cd_8bc8, 0x07f4_b1cd_8dca),
        V3_11 => (0x07fc_17d8_5bbe, 0x07fc_17d8_5de6),
        V3_12 => (0xfca8_6420, 0x07fc_72ab_5f32),
        V3_13 => (0xfca8_6420, 0x07fb_6741_07c8),
    }
}

/// SipHash with `c` compression and `d` finalization rounds, keys `k0` and `k1`.
///
/// CPython's `str` and `bytes` hashes are `siphash(2, 4, …)` (SipHash-2-4) up to
/// 3.10 and `siphash(1, 3, …)` (SipHash-1-3) from 3.11; `PYTHONHASHSEED=0` makes
/// both keys zero.
pub fn siphash(c: usize, d: usize, k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let compress = |v: &mut [u64; 4], m: u64| {
        v[3] ^= m;
        for _ in 0..c {
            round(v);
        }
        v[0] ^= m;
    };
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let m = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        compress(&mut v, m);
    }
    let mut last = (data.len() as u64) << 56;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        last |= (b as u64) << (8 * i);
    }
    compress(&mut v, last);
    v[2] ^= 0xff;
    for _ in 0..d {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// CPython's hash of a byte buffer (`bytes`; `str` after choosing its storage).
fn hash_buffer(data: &[u8], version: PyVersion) -> i64 {
    if data.is_empty() {
        return 0;
    }
    if version.is_py2() {
        let mut x: u64 = (data[0] as u64) << 7;
        for &b in data {
            x = MULTIPLIER.wrapping_mul(x) ^ b as u64;
        }
        return fix(x ^ data.len() as u64);
    }
    let h = if version.at_least(PyVersion::V3_11) {
        siphash(1, 3, 0, 0, data)
    } else {
        siphash(2, 4, 0, 0, data)
    };
    fix(h)
}

/// `hash(b)` of a `bytes` object (Python 2: `str`).
///
/// ```
/// use pycopt_core::pyrepr::hash_bytes;
/// use pycopt_core::PyVersion;
/// assert_eq!(hash_bytes(b"", PyVersion::V3_11), 0);
/// assert_eq!(hash_bytes(b"a", PyVersion::V2_7), 12416037344);
/// ```
pub fn hash_bytes(data: &[u8], version: PyVersion) -> i64 {
    hash_buffer(data, version)
}

/// `hash(s)` of a `str` (Python 2: `unicode`) given as code points.
///
/// Python 3 hashes the string's compact storage: one byte per character when all
/// are below U+0100, two (little-endian) when all are below U+10000, else four.
/// Python 2.7 (a UCS-4 build) hashes the code points themselves.
pub fn hash_str(cps: &[u32], version: PyVersion) -> i64 {
    if cps.is_empty() {
        return 0;
    }
    if version.is_py2() {
        let mut x: u64 = (cps[0] as u64) << 7;
        for &c in cps {
            x = MULTIPLIER.wrapping_mul(x) ^ c as u64;
        }
        return fix(x ^ cps.len() as u64);
    }
    let max = cps.iter().copied().max().unwrap_or(0);
    let mut buf = Vec::with_capacity(cps.len() * 4);
    for &c in cps {
        if max < 0x100 {
            buf.push(c as u8);
        } else if max < 0x10000 {
            buf.extend_from_slice(&(c as u16).to_le_bytes());
        } else {
            buf.extend_from_slice(&c.to_le_bytes());
        }
    }
    hash_buffer(&buf, version)
}

/// `x * 2^exp` with `x` an odd-or-zero 53-bit integer, for a finite nonzero float.
fn decompose(x: f64) -> (u64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp - 1075)
    }
}

/// C's `frexp`: `(m, e)` with `x = m * 2^e` and `0.5 <= |m| < 1`.
fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(x * f64::from_bits((1023 + 54) << 52));
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// Python 3's hash of a nonnegative integer given modulo nothing: `v mod (2⁶¹−1)`.
fn mod_p_u128(v: u128) -> u64 {
    (v % MODULUS as u128) as u64
}

/// Python 3's hash of `sign * magnitude` with `magnitude` already reduced mod 2⁶¹−1.
fn signed_mod_p(negative: bool, reduced: u64) -> i64 {
    let x = if negative {
        reduced.wrapping_neg()
    } else {
        reduced
    };
    fix(x)
}

/// Python 2.7's `long` hash: the magnitude modulo 2⁶⁴−1 (nonzero for nonzero
/// values) by a rotate-and-add over the 15-bit digits, then the sign.
fn long_hash_py27(negative: bool, digits: &[u16]) -> i64 {
    let mut x: u64 = 0;
    for &d in digits.iter().rev() {
        x = x.rotate_left(15);
        x = x.wrapping_add(d as u64);
        if x < d as u64 {
            x += 1;
        }
    }
    if negative {
        x = x.wrapping_neg();
    }
    fix(x)
}

/// `hash()` of an int given by sign and 15-bit digits.
fn hash_long(negative: bool, digits: &[u16], version: PyVersion) -> i64 {
    if version.is_py2() {
        return long_hash_py27(negative, digits);
    }
    let mut x: u64 = 0;
    for &d in digits.iter().rev() {
        x = mod_p_u128(((x as u128) << 15) + d as u128);
    }
    signed_mod_p(negative, x)
}

/// `hash()` of an int that fits in `i64` (marshal `i`, `I`; Python 2's `int`).
fn hash_i64(v: i64, version: PyVersion) -> i64 {
    if version.is_py2() {
        return fix(v as u64);
    }
    signed_mod_p(v < 0, mod_p_u128(v.unsigned_abs() as u128))
}

/// The 15-bit digits of the integer `mant * 2^exp` (`exp >= 0`).
fn digits_of_scaled(mant: u64, exp: i32) -> Vec<u16> {
    let bits = 64 + exp as usize;
    let mut out = vec![0u16; bits.div_ceil(15)];
    for b in 0..64 {
        if mant >> b & 1 == 1 {
            let pos = b + exp as usize;
            out[pos / 15] |= 1 << (pos % 15);
        }
    }
    out
}

/// `hash(x)` of a float.
///
/// Python 3: the value as a rational modulo 2⁶¹−1 (so integral floats hash like the
/// equal int), `±314159` for infinities, 0 for NaN before 3.10 (from 3.10 NaN's hash
/// is its address; 0 is used). Python 2.7: the integer part for integral values,
/// else a mix of the `frexp` mantissa's two 31-bit halves and the exponent;
/// infinities are `314159` and `-271828`.
pub fn hash_float(x: f64, version: PyVersion) -> i64 {
    if x.is_nan() {
        return 0;
    }
    if version.is_py2() {
        if x.is_infinite() {
            return if x < 0.0 { -271828 } else { 314159 };
        }
        if x.fract() == 0.0 {
            let half = (i64::MAX / 2) as f64;
            if x > half || -x > half {
                let (mant, exp) = decompose(x.abs());
                return long_hash_py27(x < 0.0, &digits_of_scaled(mant, exp));
            }
            return fix(x as i64 as u64);
        }
        let (m, expo) = frexp(x);
        let v = m * 2147483648.0;
        let hipart = v as i64;
        let v = (v - hipart as f64) * 2147483648.0;
        let h = hipart
            .wrapping_add(v as i64)
            .wrapping_add((expo as i64) << 15);
        return fix(h as u64);
    }
    if x.is_infinite() {
        return if x > 0.0 { 314159 } else { -314159 };
    }
    if x == 0.0 {
        return 0;
    }
    let (mant, exp) = decompose(x.abs());
    let e = exp.rem_euclid(61) as u32;
    let h = mod_p_u128((mant as u128 % MODULUS as u128) << e);
    signed_mod_p(x < 0.0, h)
}

fn hash_complex(re: f64, im: f64, version: PyVersion) -> i64 {
    let r = hash_float(re, version) as u64;
    let i = hash_float(im, version) as u64;
    fix(r.wrapping_add(MULTIPLIER.wrapping_mul(i)))
}

/// The hash of a tuple from its items' hashes.
fn hash_tuple(items: &[i64], version: PyVersion) -> i64 {
    if version.at_least(PyVersion::V3_8) {
        const P1: u64 = 11_400_714_785_074_694_791;
        const P2: u64 = 14_029_467_366_897_019_727;
        const P5: u64 = 2_870_177_450_012_600_261;
        let mut acc = P5;
        for &lane in items {
            acc = acc.wrapping_add((lane as u64).wrapping_mul(P2));
            acc = acc.rotate_left(31);
            acc = acc.wrapping_mul(P1);
        }
        acc = acc.wrapping_add(items.len() as u64 ^ (P5 ^ 3_527_539));
        return if acc == u64::MAX {
            1_546_275_796
        } else {
            acc as i64
        };
    }
    let mut x: u64 = 0x345678;
    let mut mult = MULTIPLIER;
    let n = items.len() as u64;
    for (k, &y) in items.iter().enumerate() {
        let left = n - 1 - k as u64;
        x = (x ^ y as u64).wrapping_mul(mult);
        mult = mult.wrapping_add(82520 + left + left);
    }
    fix(x.wrapping_add(97531))
}

/// The hash of a frozenset from its elements' hashes.
fn hash_frozenset(items: &[i64], version: PyVersion) -> i64 {
    let shuffle = |h: u64| ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167);
    let n = items.len() as u64;
    let mut hash: u64;
    if !version.is_py2() {
        hash = 0;
        for &h in items {
            hash ^= shuffle(h as u64);
        }
        hash ^= (n + 1).wrapping_mul(1_927_868_237);
        hash ^= (hash >> 11) ^ (hash >> 25);
    } else {
        hash = 1_927_868_237u64.wrapping_mul(n + 1);
        for &h in items {
            hash ^= shuffle(h as u64);
        }
    }
    hash = hash.wrapping_mul(69069).wrapping_add(907_133_923);
    if hash == u64::MAX {
        590_923_713
    } else {
        hash as i64
    }
}

/// Whether CPython derives the hash of `id` from an object's address, so that it
/// differs from run to run and [`hash()`] can only stand in for it: `None` before
/// 3.12, `Ellipsis`, NaN (and complex numbers with a NaN part) from 3.10, and tuples
/// and frozensets holding any of those.
///
/// A set holding such an element may list its elements in a different order in
/// each run of the interpreter (when the varying high bits of the hash decide its
/// slot), and then no `repr` can match every run.
pub fn hash_depends_on_address(g: &ObjectGraph, id: ObjId, version: PyVersion) -> bool {
    let nan_by_address = version.at_least(PyVersion::V3_10);
    match &g.node(id).value {
        Value::None => !version.at_least(PyVersion::V3_12),
        Value::Ellipsis => true,
        Value::Float(bits) => nan_by_address && f64::from_bits(*bits).is_nan(),
        Value::FloatText(s) => nan_by_address && super::parse_float_text(g.bytes(*s)).is_nan(),
        Value::Complex(re, im) => {
            nan_by_address && (f64::from_bits(*re).is_nan() || f64::from_bits(*im).is_nan())
        }
        Value::ComplexText(re, im) => {
            nan_by_address
                && (super::parse_float_text(g.bytes(*re)).is_nan()
                    || super::parse_float_text(g.bytes(*im)).is_nan())
        }
        Value::Tuple(items) | Value::FrozenSet(items) => g
            .items(*items)
            .iter()
            .any(|&i| hash_depends_on_address(g, i, version)),
        _ => false,
    }
}

/// CPython's `hash()` of object `id` under `PYTHONHASHSEED=0`, or `None` for an
/// unhashable object (list, set, dict) or one whose hash pycopt does not model (code
/// objects, the `StopIteration` class).
///
/// `None` (before 3.12), `Ellipsis` and NaN hash by address in CPython; see the
/// module docs of [`super`] for the stand-ins used.
pub fn hash(g: &ObjectGraph, id: ObjId, version: PyVersion) -> Option<i64> {
    let node = g.node(id);
    Some(match &node.value {
        Value::None => address_hashes(version).0,
        Value::Ellipsis => address_hashes(version).1,
        Value::True => 1,
        Value::False => 0,
        Value::Int(v) => hash_i64(*v as i64, version),
        Value::Int64(v) => hash_i64(*v, version),
        Value::Long { negative, digits } => {
            hash_long(*negative, &digits_of(g.bytes(*digits)), version)
        }
        Value::Float(bits) => hash_float(f64::from_bits(*bits), version),
        Value::FloatText(s) => hash_float(super::parse_float_text(g.bytes(*s)), version),
        Value::Complex(re, im) => hash_complex(f64::from_bits(*re), f64::from_bits(*im), version),
        Value::ComplexText(re, im) => hash_complex(
            super::parse_float_text(g.bytes(*re)),
            super::parse_float_text(g.bytes(*im)),
            version,
        ),
        Value::Bytes(s) => hash_bytes(g.bytes(*s), version),
        Value::Str(_) => hash_str(&decode_str(g, id), version),
        Value::Tuple(items) => {
            let hashes: Option<Vec<i64>> = g
                .items(*items)
                .iter()
                .map(|&i| hash(g, i, version))
                .collect();
            hash_tuple(&hashes?, version)
        }
        Value::FrozenSet(items) => {
            let hashes: Option<Vec<i64>> = g
                .items(*items)
                .iter()
                .map(|&i| hash(g, i, version))
                .collect();
            hash_frozenset(&hashes?, version)
        }
        Value::StopIteration | Value::Code(_) | Value::List(_) | Value::Set(_) | Value::Dict(_) => {
            return None
        }
    })
}
