//! The 3.10 `co_linetable` (PEP 626): pairs of (range length in bytes, line delta).
//!
//! Each pair describes the next `byte_delta` bytes of code. A line delta of `-128`
//! means the range has no line (artificial instructions) and leaves the running line
//! alone; any other delta is added to the running line (which starts at
//! `co_firstlineno`) and the range has that line. Zero-length pairs only move the
//! line.
//!
//! The 3.10 compiler (`assemble_line_range` in `Python/compile.c`) writes one range
//! per run of instructions with the same line. A line delta above 127 or below -127 is
//! first paid out in zero-length `(0, ±127)` pairs; a range longer than 254 bytes is
//! written as `(254, delta)` followed by `(254, 0)`… pairs (`-128` again for a range
//! without line) and the remainder. [`Pep626Table::from_lines`] does the same.

use super::{LineRange, LineTableError, LineTableErrorKind};

/// The line-delta byte that means "no line".
const NO_LINE: i8 = -128;

/// One pair of a 3.10 line table, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pep626Entry {
    /// Length of the range in bytes (even in anything CPython writes).
    pub byte_delta: u8,
    /// Line delta `-127..=127`, or `None` for a range with no line (stored as -128).
    pub line_delta: Option<i8>,
}

/// A decoded 3.10 `co_linetable`: its pairs exactly as stored.
///
/// ```
/// use pycopt_core::linetable::{LineRange, Pep626Table};
/// let raw = [4, 0, 2, 0x80, 6, 2];
/// let t = Pep626Table::decode(&raw).unwrap();
/// let lines: Vec<_> = t.lines(7).map(|r| (r.start, r.end, r.line)).collect();
/// assert_eq!(lines, [(0, 4, Some(7)), (4, 6, None), (6, 12, Some(9))]);
/// assert_eq!(t.to_bytes(), raw);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Pep626Table {
    pub entries: Vec<Pep626Entry>,
}

impl Pep626Table {
    /// Decodes a 3.10 line table. Every pair is valid; only an odd length is refused.
    pub fn decode(bytes: &[u8]) -> Result<Pep626Table, LineTableError> {
        if !bytes.len().is_multiple_of(2) {
            return Err(LineTableError::new(
                bytes.len() - 1,
                LineTableErrorKind::OddLength,
            ));
        }
        let entries = bytes
            .chunks_exact(2)
            .map(|p| Pep626Entry {
                byte_delta: p[0],
                line_delta: Some(p[1] as i8).filter(|&d| d != NO_LINE),
            })
            .collect();
        Ok(Pep626Table { entries })
    }

    /// Appends the pairs to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(self.entries.len() * 2);
        for e in &self.entries {
            out.push(e.byte_delta);
            out.push(e.line_delta.unwrap_or(NO_LINE) as u8);
        }
    }

    /// The encoded table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// What 3.10's `co_lines()` yields: one range per pair of non-zero length, in
    /// order (neighbours with the same line are not merged).
    pub fn lines(&self, firstlineno: i32) -> impl Iterator<Item = LineRange> + '_ {
        let mut line = firstlineno;
        let mut end = 0u32;
        self.entries.iter().filter_map(move |e| {
            let start = end;
            end = end.wrapping_add(u32::from(e.byte_delta));
            let this = e.line_delta.map(|d| {
                line = line.wrapping_add(i32::from(d));
                line
            });
            (e.byte_delta != 0).then_some(LineRange {
                start,
                end,
                line: this,
            })
        })
    }

    /// Encodes runs of code, each `(length in bytes, line)`, the way the 3.10
    /// compiler does: neighbouring runs with the same line (or both without) become
    /// one range, and ranges are written as described in the module docs. Runs of
    /// length 0 only matter through their line, as in CPython.
    pub fn from_lines(
        firstlineno: i32,
        runs: impl IntoIterator<Item = (u32, Option<i32>)>,
    ) -> Pep626Table {
        let mut w = Writer {
            entries: Vec::new(),
            prev_line: firstlineno,
        };
        let mut cur_line = Some(firstlineno);
        let mut pending = 0u64;
        for (len, line) in runs {
            if line != cur_line {
                w.range(pending, cur_line);
                cur_line = line;
                pending = 0;
            }
            pending += u64::from(len);
        }
        w.range(pending, cur_line);
        Pep626Table { entries: w.entries }
    }
}

struct Writer {
    entries: Vec<Pep626Entry>,
    /// The line of the last range written with a line.
    prev_line: i32,
}

impl Writer {
    fn push(&mut self, byte_delta: u64, line_delta: Option<i64>) {
        self.entries.push(Pep626Entry {
            byte_delta: byte_delta as u8,
            line_delta: line_delta.map(|d| d as i8),
        });
    }

    fn range(&mut self, mut bytes: u64, line: Option<i32>) {
        if bytes == 0 {
            return;
        }
        let mut delta = line.map(|l| {
            let mut d = i64::from(l) - i64::from(self.prev_line);
            self.prev_line = l;
            while d > 127 {
                self.push(0, Some(127));
                d -= 127;
            }
            while d < -127 {
                self.push(0, Some(-127));
                d += 127;
            }
            d
        });
        while bytes > 254 {
            self.push(254, delta);
            delta = delta.map(|_| 0);
            bytes -= 254;
        }
        self.push(bytes, delta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(first: i32, runs: &[(u32, Option<i32>)], bytes: &[u8]) {
        let t = Pep626Table::from_lines(first, runs.iter().copied());
        assert_eq!(t.to_bytes(), bytes, "{runs:?}");
        let back = Pep626Table::decode(bytes).unwrap();
        assert_eq!(back, t);
        let again =
            Pep626Table::from_lines(first, back.lines(first).map(|r| (r.end - r.start, r.line)));
        assert_eq!(again, t);
    }

    #[test]
    fn merges_same_line_runs() {
        check(
            1,
            &[(2, Some(1)), (2, Some(1)), (4, Some(2))],
            &[4, 0, 4, 1],
        );
        check(
            1,
            &[(2, Some(3)), (2, None), (2, None), (2, Some(2))],
            &[2, 2, 4, 0x80, 2, 0xff],
        );
    }

    #[test]
    fn long_ranges_and_line_jumps() {
        // 600 bytes on one line: 254 + 254 + 92.
        check(1, &[(600, Some(1))], &[254, 0, 254, 0, 92, 0]);
        // A no-line range keeps -128 in every piece.
        check(1, &[(300, None)], &[254, 0x80, 46, 0x80]);
        // +300 lines: two zero-length (0, 127) pairs, then 46.
        check(1, &[(2, Some(301))], &[0, 127, 0, 127, 2, 46]);
        check(400, &[(2, Some(100))], &[0, 0x81, 0, 0x81, 2, 0xd2]);
        // Both at once: the delta rides on the first piece only.
        check(1, &[(256, Some(129))], &[0, 127, 254, 1, 2, 0]);
    }

    /// What 3.10.13 writes for a function whose second line is 800 bytes of code.
    #[test]
    fn as_the_interpreter_writes_it() {
        check(
            1,
            &[(800, Some(2)), (4, Some(3))],
            &[0xfe, 1, 0xfe, 0, 0xfe, 0, 0x26, 0, 4, 1],
        );
    }

    #[test]
    fn odd_length_is_an_error() {
        let e = Pep626Table::decode(&[2]).unwrap_err();
        assert_eq!((e.offset, e.kind), (0, LineTableErrorKind::OddLength));
    }
}
