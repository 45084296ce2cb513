//! Decimal text of ints of any size, from CPython's 15-bit digits.

use crate::version::PyVersion;

/// The 15-bit digits of a marshal `l` payload (little-endian `u16`s, least
/// significant first).
pub(crate) fn digits_of(raw: &[u8]) -> Vec<u16> {
    raw.chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect()
}

/// `10^18`, the base of the limbs the conversion accumulates in.
const LIMB: u64 = 1_000_000_000_000_000_000;

/// The decimal digits of the magnitude whose base-2¹⁵ digits are `digits` (least
/// significant first), without sign: `"0"` for zero.
///
/// Quadratic, but on 60-bit chunks into base-10¹⁸ limbs: an int of 10,000 decimal
/// digits takes well under a millisecond.
pub fn decimal_digits(digits: &[u16]) -> String {
    let n = digits.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1);
    if n == 0 {
        return "0".to_string();
    }
    // Limbs, least significant first.
    let mut limbs: Vec<u64> = Vec::with_capacity(n * 15 / 59 + 2);
    let head = match n % 4 {
        0 => 4,
        r => r,
    };
    let mut pos = n;
    let mut take = head;
    while pos > 0 {
        // The next `take` digits from the top, as one chunk of 15*take bits.
        let mut chunk: u64 = 0;
        for k in 0..take {
            chunk = (chunk << 15) | (digits[pos - 1 - k] & 0x7fff) as u64;
        }
        pos -= take;
        let shift = 15 * take as u32;
        let mut carry = chunk as u128;
        for limb in limbs.iter_mut() {
            let v = ((*limb as u128) << shift) + carry;
            *limb = (v % LIMB as u128) as u64;
            carry = v / LIMB as u128;
        }
        while carry > 0 {
            limbs.push((carry % LIMB as u128) as u64);
            carry /= LIMB as u128;
        }
        take = 4;
    }
    let mut out = String::with_capacity(limbs.len() * 18);
    let mut iter = limbs.iter().rev();
    if let Some(top) = iter.next() {
        out.push_str(&top.to_string());
    }
    for limb in iter {
        out.push_str(&format!("{limb:018}"));
    }
    if out.is_empty() {
        out.push('0');
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
