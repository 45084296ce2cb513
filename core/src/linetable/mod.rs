//! Line-number tables of code objects (`co_lnotab` / `co_linetable`) as structured
//! data, and back to the exact bytes.
//!
//! Three formats, one module each:
//!
//! | versions | field | module | stored as |
//! |---|---|---|---|
//! | 2.7, 3.6–3.9 | `co_lnotab` | [`lnotab`] | (byte increment, line increment) pairs |
//! | 3.10 | `co_linetable` | [`pep626`] | (range length, line delta or "no line") pairs |
//! | 3.11+ | `co_linetable` | [`locations`] | location entries: lines and columns per run of code units |
//!
//! Each format offers two levels:
//!
//! * **entries exactly as stored**: `decode` gives them, `encode` writes them back,
//!   and for any table `decode` accepts, `encode` reproduces its bytes. Decoders are
//!   strict: a table CPython could not have written in a way we can reproduce (odd
//!   length, a non-canonical varint, a stray continuation byte) is an error naming the
//!   byte offset, never a panic, and work is linear in the table's size;
//! * **positions**: what a code generator has (per-instruction lines, columns), with
//!   an encoder that makes the same entry choices as the CPython compiler of that
//!   version (how long deltas are split, which form each entry takes), and a way to
//!   read positions back out of a table (`co_lines()` / `co_positions()` /
//!   `dis.findlinestarts` equivalents).
//!
//! [`LineTable`] dispatches on the version for callers that do not care which format
//! they hold.

pub mod lnotab;
pub mod locations;
pub mod pep626;

pub use lnotab::{LineMark, Lnotab, LnotabEntry, LnotabFlavor};
pub use locations::{LocationEntry, LocationForm, LocationTable, Position};
pub use pep626::{Pep626Entry, Pep626Table};

use crate::code::Code;
use crate::marshal::ObjectGraph;
use crate::version::PyVersion;

/// Why a line table could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line table byte {offset}: {kind}")]
pub struct LineTableError {
    /// Offset in the table's bytes where the problem was found.
    pub offset: usize,
    /// What is wrong there.
    pub kind: LineTableErrorKind,
}

/// The kinds of [`LineTableError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineTableErrorKind {
    /// A pair format whose length is odd: the last byte has no partner.
    #[error("the table has an odd length, so its last pair is incomplete")]
    OddLength,
    /// The table ends inside an entry.
    #[error("the table ends inside an entry")]
    Truncated,
    /// A location entry must start with a byte that has bit 7 set.
    #[error("byte 0x{0:02x} should start an entry (bit 7 set) but does not")]
    NotEntryStart(u8),
    /// Inside a location entry every byte has bit 7 clear; a set bit would make
    /// CPython's entry scan see a new entry there.
    #[error("byte 0x{0:02x} inside an entry has bit 7 set")]
    StrayEntryStart(u8),
    /// A varint whose value does not fit in 32 bits.
    #[error("varint does not fit in 32 bits")]
    VarintOverflow,
    /// A varint with a zero high group, or a signed varint holding "minus zero":
    /// CPython never writes one, and it could not be written back the same way.
    #[error("non-canonical varint (CPython never writes this form)")]
    NonCanonicalVarint,
    /// The code object's line table field is not a `bytes` object.
    #[error("the line table is not a bytes object")]
    NotBytes,
}

impl LineTableError {
    pub(crate) fn new(offset: usize, kind: LineTableErrorKind) -> LineTableError {
        LineTableError { offset, kind }
    }
}

/// A range of bytecode bytes `[start, end)` and its line: one item of
/// `co_lines()`. `line` is `None` for code with no line (3.10+ artificial
/// instructions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineRange {
    pub start: u32,
    pub end: u32,
    pub line: Option<i32>,
}

/// Which line table format a version writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineTableFormat {
    /// `co_lnotab` of 2.7 and 3.6–3.9, in the given dialect.
    Lnotab(LnotabFlavor),
    /// The 3.10 `co_linetable` (PEP 626).
    Pep626,
    /// The 3.11+ location table.
    Locations,
}

impl LineTableFormat {
    /// The format `version` writes.
    pub fn of(version: PyVersion) -> LineTableFormat {
        use PyVersion::*;
        match version {
            V2_7 => LineTableFormat::Lnotab(LnotabFlavor::Py27),
            V3_6 | V3_7 | V3_8 => LineTableFormat::Lnotab(LnotabFlavor::Py36),
            V3_9 => LineTableFormat::Lnotab(LnotabFlavor::Py39),
            V3_10 => LineTableFormat::Pep626,
            V3_11 | V3_12 | V3_13 => LineTableFormat::Locations,
        }
    }
}

/// A decoded line table of any version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineTable {
    Lnotab(Lnotab),
    Pep626(Pep626Table),
    Locations(LocationTable),
}

impl LineTable {
    /// Decodes `bytes` as the line table of a `version` code object.
    pub fn decode(version: PyVersion, bytes: &[u8]) -> Result<LineTable, LineTableError> {
        Ok(match LineTableFormat::of(version) {
            LineTableFormat::Lnotab(flavor) => LineTable::Lnotab(Lnotab::decode(flavor, bytes)?),
            LineTableFormat::Pep626 => LineTable::Pep626(Pep626Table::decode(bytes)?),
            LineTableFormat::Locations => LineTable::Locations(LocationTable::decode(bytes)?),
        })
    }

    /// Decodes the line table of `code`, read from `graph` by a `version` reader.
    pub fn of_code(
        version: PyVersion,
        code: &Code,
        graph: &ObjectGraph,
    ) -> Result<LineTable, LineTableError> {
        let bytes = graph
            .as_bytes(code.linetable)
            .ok_or(LineTableError::new(0, LineTableErrorKind::NotBytes))?;
        LineTable::decode(version, bytes)
    }

    /// Appends the encoded table to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            LineTable::Lnotab(t) => t.encode(out),
            LineTable::Pep626(t) => t.encode(out),
            LineTable::Locations(t) => t.encode(out),
        }
    }

    /// The encoded table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Byte ranges and their lines, in `co_lines()` form, for a code object whose
    /// first line is `firstlineno` and whose `co_code` is `code_len` bytes long
    /// (only `co_lnotab` needs the length: its last range ends at the end of the code).
    ///
    /// For 3.10+ this is exactly what that version's `co_lines()` yields (3.10 and
    /// 3.11 give one range per table entry, 3.12+ merge neighbours with the same line,
    /// see [`LocationTable::lines`]); for `co_lnotab` it is the ranges between
    /// [`Lnotab::line_starts`].
    pub fn lines(&self, version: PyVersion, firstlineno: i32, code_len: u32) -> Vec<LineRange> {
        match self {
            LineTable::Lnotab(t) => t.lines(firstlineno, code_len).collect(),
            LineTable::Pep626(t) => t.lines(firstlineno).collect(),
            LineTable::Locations(t) => t
                .lines(firstlineno, version.at_least(PyVersion::V3_12))
                .collect(),
        }
    }
}

/// Reads a varint of 6-bit groups, least significant group first, bit 6 meaning
/// "more follows" (the location table's encoding). Returns the value and the
/// offset after it. Rejects values over `u32::MAX`, a zero last group after
/// others (non-canonical), and bytes with bit 7 set.
pub(crate) fn read_varint_lsb(bytes: &[u8], mut at: usize) -> Result<(u32, usize), LineTableError> {
    let start = at;
    let mut value: u64 = 0;
    let mut shift = 0u32;
    loop {
        let Some(&b) = bytes.get(at) else {
            return Err(LineTableError::new(at, LineTableErrorKind::Truncated));
        };
        if b & 0x80 != 0 {
            return Err(LineTableError::new(
                at,
                LineTableErrorKind::StrayEntryStart(b),
            ));
        }
        if shift >= 36 {
            return Err(LineTableError::new(
                start,
                LineTableErrorKind::VarintOverflow,
            ));
        }
        value |= u64::from(b & 0x3f) << shift;
        at += 1;
        if b & 0x40 == 0 {
            if b == 0 && shift > 0 {
                return Err(LineTableError::new(
                    start,
                    LineTableErrorKind::NonCanonicalVarint,
                ));
            }
            break;
        }
        shift += 6;
    }
    let value = u32::try_from(value)
        .map_err(|_| LineTableError::new(start, LineTableErrorKind::VarintOverflow))?;
    Ok((value, at))
}

/// Appends `value` as a least-significant-first varint (see [`read_varint_lsb`]).
pub(crate) fn write_varint_lsb(out: &mut Vec<u8>, mut value: u64) {
    while value >= 64 {
        out.push(0x40 | (value & 0x3f) as u8);
        value >>= 6;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip_and_rejections() {
        for v in [0u32, 1, 63, 64, 4095, 4096, 1 << 30, u32::MAX] {
            let mut out = Vec::new();
            write_varint_lsb(&mut out, v.into());
            assert_eq!(read_varint_lsb(&out, 0).unwrap(), (v, out.len()));
        }
        // 0x41 0x00: 1 with an empty high group.
        let e = read_varint_lsb(&[0x41, 0x00], 0).unwrap_err();
        assert_eq!(e.kind, LineTableErrorKind::NonCanonicalVarint);
        assert_eq!(
            read_varint_lsb(&[0x40], 0).unwrap_err().kind,
            LineTableErrorKind::Truncated
        );
        let big = [0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x01];
        assert_eq!(
            read_varint_lsb(&big, 0).unwrap_err().kind,
            LineTableErrorKind::VarintOverflow
        );
        assert_eq!(
            read_varint_lsb(&[0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f], 0)
                .unwrap_err()
                .kind,
            LineTableErrorKind::VarintOverflow
        );
    }
}
