//! Which characters each Python 3 version's `repr()` leaves unescaped.
//!
//! The tables are the interpreters' own `str.isprintable()`, dumped by
//! `corpus/scripts/gen_unicode_printable.py` into `core/data/unicode/` as inclusive
//! hex ranges of non-printable code points; they are embedded and parsed on first
//! use.

use std::sync::OnceLock;

use crate::version::PyVersion;

/// The embedded tables, indexed like [`table_index`].
const TABLES: [&str; 8] = [
    include_str!("../../data/unicode/nonprintable-3.6.txt"),
    include_str!("../../data/unicode/nonprintable-3.7.txt"),
    include_str!("../../data/unicode/nonprintable-3.8.txt"),
    include_str!("../../data/unicode/nonprintable-3.9.txt"),
    include_str!("../../data/unicode/nonprintable-3.10.txt"),
    include_str!("../../data/unicode/nonprintable-3.11.txt"),
    include_str!("../../data/unicode/nonprintable-3.12.txt"),
    include_str!("../../data/unicode/nonprintable-3.13.txt"),
];

fn table_index(version: PyVersion) -> Option<usize> {
    use PyVersion::*;
    Some(match version {
        V2_7 => return None,
        V3_6 => 0,
        V3_7 => 1,
        V3_8 => 2,
        V3_9 => 3,
        V3_10 => 4,
        V3_11 => 5,
        V3_12 => 6,
        V3_13 => 7,
    })
}

fn parse(text: &str) -> Vec<(u32, u32)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            let mut next = || {
                u32::from_str_radix(parts.next().expect("range bound"), 16)
                    .expect("hex range bound")
            };
            (next(), next())
        })
        .collect()
}

/// The sorted, disjoint ranges of non-printable code points of a Python 3 version.
fn nonprintable(index: usize) -> &'static [(u32, u32)] {
    static PARSED: [OnceLock<Vec<(u32, u32)>>; 8] = [const { OnceLock::new() }; 8];
    PARSED[index].get_or_init(|| parse(TABLES[index]))
}

/// Whether `repr()` of a Python 3 `str` shows character `cp` as itself
/// (`str.isprintable()` in that version's Unicode database: not in categories Cc,
/// Cf, Cs, Co, Cn, Zl, Zp, nor Zs other than the space).
///
/// Python 2.7's `repr` of `unicode` escapes everything outside printable ASCII, so
/// for [`PyVersion::V2_7`] only `0x20..=0x7e` count as printable.
///
/// ```
/// use pycopt_core::pyrepr::is_printable;
/// use pycopt_core::PyVersion;
/// assert!(is_printable('é' as u32, PyVersion::V3_6));
/// assert!(!is_printable(0xa0, PyVersion::V3_13)); // no-break space
/// // U+1FAE8 (SHAKING FACE) was added in Unicode 15.0 (Python 3.12)
/// assert!(!is_printable(0x1fae8, PyVersion::V3_11));
/// assert!(is_printable(0x1fae8, PyVersion::V3_12));
/// ```
pub fn is_printable(cp: u32, version: PyVersion) -> bool {
    if (0x20..0x7f).contains(&cp) {
        return true;
    }
    let Some(index) = table_index(version) else {
        return false;
    };
    if !(0x20..=0x10ffff).contains(&cp) {
        return false;
    }
    let ranges = nonprintable(index);
    // The last range starting at or below `cp`.
    let pos = ranges.partition_point(|&(start, _)| start <= cp);
    pos == 0 || ranges[pos - 1].1 < cp
}
