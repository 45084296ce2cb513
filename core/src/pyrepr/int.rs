//! Decimal text of ints of any size, from CPython's 15-bit digits.

use crate::version::PyVersion;

/// The 15-bit digits of a marshal `l` payload (little-endian `u16`s, least
/// significant first).
pub(crate) fn digits_of(raw: &[u8]) -> Vec<u16> {
    raw.chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect()
}

/// `10^9`, the base of the limbs the conversion accumulates in.
const LIMB: u64 = 1_000_000_000;

/// The decimal digits of the magnitude whose base-2¹⁵ digits are `digits` (least
/// significant first), without sign: `"0"` for zero.
///
/// Quadratic like CPython's own conversion: the magnitude is fed in 30-bit chunks
/// into base-10⁹ limbs, with only 64-bit arithmetic (division by a constant compiles
/// to a multiplication). The largest int in the standard libraries of 2.7–3.13 has
/// 12,043 digits and takes about a millisecond; the 60,206 digits of `2**200_000`
/// take about as long as CPython's own conversion (a tenth of a second).
pub fn decimal_digits(digits: &[u16]) -> String {
    let n = digits.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1);
    if n == 0 {
        return "0".to_string();
    }
    // Limbs, least significant first.
    let mut limbs: Vec<u64> = Vec::with_capacity(n * 15 / 29 + 2);
    let mut pos = n;
    let mut take = if n % 2 == 0 { 2 } else { 1 };
    while pos > 0 {
        // The next `take` digits from the top, as one chunk of 15*take bits.
        let mut chunk: u64 = 0;
        for k in 0..take {
            chunk = (chunk << 15) | (digits[pos - 1 - k] & 0x7fff) as u64;
        }
        pos -= take;
        let shift = 15 * take as u32;
        let mut carry = chunk;
        for limb in limbs.iter_mut() {
            let v = (*limb << shift) + carry;
            carry = v / LIMB;
            *limb = v - carry * LIMB;
        }
        while carry > 0 {
            limbs.push(carry % LIMB);
            carry /= LIMB;
        }
        take = 2;
    }
    let mut out = String::with_capacity(limbs.len() * 9);
    let mut iter = limbs.iter().rev();
    if let Some(top) = iter.next() {
        out.push_str(&top.to_string());
    }
    for limb in iter {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// The repr of an int given as sign and base-2¹⁵ digits (Python 3 form, no `L`).
///
/// ```
/// use pycopt_core::pyrepr::repr_long;
/// // 2**30 = digits [0, 0, 1]
/// assert_eq!(repr_long(true, &[0, 0, 1]), "-1073741824");
/// assert_eq!(repr_long(true, &[]), "0");
/// ```
pub fn repr_long(negative: bool, digits: &[u16]) -> String {
    let text = decimal_digits(digits);
    if negative && text != "0" {
        format!("-{text}")
    } else {
        text
    }
}

/// The default limit on the decimal digits of an int converted to text
/// (`sys.get_int_max_str_digits()`): 4300 from 3.7 on (added in 3.11 and in the
/// security releases 3.7.14, 3.8.14, 3.9.14 and 3.10.7, so the final releases of
/// those lines have it), none on 2.7 and 3.6.
pub fn int_max_str_digits(version: PyVersion) -> Option<usize> {
    version.at_least(PyVersion::V3_7).then_some(4300)
}
