//! `co_lnotab` (2.7, 3.6–3.9): pairs of (bytecode byte increment, line increment).
//!
//! Decoding starts at address 0 and line `co_firstlineno`; each pair adds its
//! increments, and from the resulting address on the code has the resulting line
//! (`Objects/lnotab_notes.txt`). Line increments are unsigned bytes on 2.7 and signed
//! from 3.6 on. Several pairs may share an address: long jumps are split into
//! `(255, 0)` pairs for the address and `(0, ±k)` pairs for the line, and the 2.7–3.9
//! peephole optimizer, which rewrites the address bytes after deleting `NOP`s, leaves
//! pairs with address increment 0 behind.
//!
//! CPython's compiler (`assemble_lnotab` in `Python/compile.c`) writes a pair at each
//! instruction that carries a line number ([`LineMark`]): on 2.7–3.8 at every one,
//! even on the same line as the previous pair (`a = 1; b = 2` gives a `(n, 0)` pair,
//! which makes the tracer report the line again; 3.8 also marks each argument of a
//! call that starts a new line, and the line it returns to), and on 3.9 only where the
//! line changes. [`Lnotab::from_marks`] does the same.

use super::{LineRange, LineTableError, LineTableErrorKind};
use crate::version::PyVersion;

/// The three dialects of `co_lnotab`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LnotabFlavor {
    /// 2.7: unsigned line increments (a line increment over 255 is split into
    /// `(n, 255), (0, 255), …` pairs); a pair at every statement start.
    Py27,
    /// 3.6–3.8: signed line increments (split into `127`/`-128` pairs); a pair at
    /// every line mark.
    Py36,
    /// 3.9: signed line increments; a pair only where the line changes.
    Py39,
}

impl LnotabFlavor {
    /// The dialect `version` writes, if it writes `co_lnotab`.
    pub fn of(version: PyVersion) -> Option<LnotabFlavor> {
        use PyVersion::*;
        match version {
            V2_7 => Some(LnotabFlavor::Py27),
            V3_6 | V3_7 | V3_8 => Some(LnotabFlavor::Py36),
            V3_9 => Some(LnotabFlavor::Py39),
            _ => None,
        }
    }

    /// Whether line increments are signed bytes.
    pub fn signed_lines(self) -> bool {
        self != LnotabFlavor::Py27
    }

    /// Whether the compiler writes a pair for a line mark on the same line as the
    /// previous pair (2.7–3.8: yes; 3.9: no).
    pub fn marks_same_line(self) -> bool {
        self != LnotabFlavor::Py39
    }
}

/// One pair of a `co_lnotab`, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LnotabEntry {
    /// Bytes of bytecode to advance.
    pub addr_delta: u8,
    /// Lines to advance: `-128..=127` for [`LnotabFlavor::Py36`] and
    /// [`LnotabFlavor::Py39`], `0..=255` for [`LnotabFlavor::Py27`]. [`Lnotab::encode`]
    /// writes the low byte.
    pub line_delta: i16,
}

/// "From bytecode offset `offset` on, the line is `line`": the line number a code
/// generator attaches to an instruction (the first instruction of each statement, and
/// on 3.8 of each expression that starts on another line and of the code after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineMark {
    /// Bytecode offset in bytes.
    pub offset: u32,
    pub line: i32,
}

/// A decoded `co_lnotab`: its pairs exactly as stored.
///
/// ```
/// use pycopt_core::linetable::{Lnotab, LnotabFlavor};
/// let raw = [6, 1, 8, 0xfe]; // +6 bytes +1 line, +8 bytes -2 lines
/// let t = Lnotab::decode(LnotabFlavor::Py39, &raw).unwrap();
/// assert_eq!(t.line_starts(10).collect::<Vec<_>>(), [(0, 10), (6, 11), (14, 9)]);
/// assert_eq!(t.to_bytes(), raw);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lnotab {
    pub flavor: LnotabFlavor,
    pub entries: Vec<LnotabEntry>,
}

impl Lnotab {
    /// Decodes a `co_lnotab`. Every byte pair is valid; only an odd length is refused.
    pub fn decode(flavor: LnotabFlavor, bytes: &[u8]) -> Result<Lnotab, LineTableError> {
        if !bytes.len().is_multiple_of(2) {
            return Err(LineTableError::new(
                bytes.len() - 1,
                LineTableErrorKind::OddLength,
            ));
        }
        let signed = flavor.signed_lines();
        let entries = bytes
            .chunks_exact(2)
            .map(|p| LnotabEntry {
                addr_delta: p[0],
                line_delta: if signed {
                    i16::from(p[1] as i8)
                } else {
                    i16::from(p[1])
                },
            })
            .collect();
        Ok(Lnotab { flavor, entries })
    }

    /// Appends the pairs to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(self.entries.len() * 2);
        for e in &self.entries {
            out.push(e.addr_delta);
            out.push(e.line_delta as u8);
        }
    }

    /// The encoded table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// `(offset, line)` where a new line starts, as `dis.findlinestarts` yields them:
    /// a start at each address some pair advances past, if its line differs from the
    /// previous start's, plus the final state. That is all of it on 2.7–3.7; 3.8 and 3.9
    /// also stop at the first address at or past `len(co_code)` (pairs left behind by
    /// code the optimizer removed from the end): `.take_while(|&(a, _)| a < code_len)`.
    pub fn line_starts(&self, firstlineno: i32) -> impl Iterator<Item = (u32, i32)> + '_ {
        let mut entries = self.entries.iter();
        let mut addr = 0u32;
        let mut line = firstlineno;
        let mut last: Option<i32> = None;
        let mut done = false;
        std::iter::from_fn(move || {
            for e in entries.by_ref() {
                let mut out = None;
                if e.addr_delta != 0 {
                    if last != Some(line) {
                        last = Some(line);
                        out = Some((addr, line));
                    }
                    addr = addr.wrapping_add(u32::from(e.addr_delta));
                }
                line = line.wrapping_add(i32::from(e.line_delta));
                if out.is_some() {
                    return out;
                }
            }
            if !done {
                done = true;
                if last != Some(line) {
                    return Some((addr, line));
                }
            }
            None
        })
    }

    /// The `co_lines()`-style ranges between the [`line_starts`](Self::line_starts):
    /// each start's line holds up to the next start, the last up to `code_len`.
    /// Starts at or past `code_len` give no range.
    pub fn lines(&self, firstlineno: i32, code_len: u32) -> impl Iterator<Item = LineRange> + '_ {
        let mut starts = self.line_starts(firstlineno).peekable();
        std::iter::from_fn(move || loop {
            let (start, line) = starts.next()?;
            let end = starts.peek().map_or(code_len, |&(s, _)| s.min(code_len));
            if start < end {
                return Some(LineRange {
                    start,
                    end,
                    line: Some(line),
                });
            }
        })
    }

    /// The line marks this table encodes: what [`from_marks`](Self::from_marks) needs
    /// to write it again.
    ///
    /// Pairs at one address (zero address increments, line splits) collapse into one
    /// mark with the line reached after them; a `(255, 0)` pair followed by another
    /// pair advancing the address is taken as the compiler's split of a long address
    /// jump, not a mark (a same-line mark exactly 255 bytes on encodes the same).
    pub fn marks(&self, firstlineno: i32) -> impl Iterator<Item = LineMark> + '_ {
        let mut i = 0usize;
        let mut addr = 0u32;
        let mut line = firstlineno;
        std::iter::from_fn(move || {
            while let Some(e) = self.entries.get(i) {
                i += 1;
                addr = addr.wrapping_add(u32::from(e.addr_delta));
                line = line.wrapping_add(i32::from(e.line_delta));
                match self.entries.get(i) {
                    Some(next) if next.addr_delta == 0 => continue,
                    Some(_) if e.addr_delta == 255 && e.line_delta == 0 => continue,
                    _ => return Some(LineMark { offset: addr, line }),
                }
            }
            None
        })
    }

    /// Every line mark this table encodes, including those of code deleted after
    /// assembly: one mark per pair, except that `(255, 0)` address-split pairs join the
    /// pair after them, and a line split as the compiler writes it (a pair with the
    /// largest step, more zero-address pairs of that step, and a smaller remainder
    /// pair) is one mark. 2.7–3.9's peephole optimizer deletes `NOP`s but keeps their
    /// pairs (it only rewrites the address bytes), so its tables hold several marks at
    /// one address; with these marks [`from_marks`](Self::from_marks) writes them again.
    /// The one thing marks cannot say is a table that starts with `(0, 0)` pairs: a
    /// first mark at offset 0 on `co_firstlineno` writes nothing, as in CPython.
    pub fn all_marks(&self, firstlineno: i32) -> impl Iterator<Item = LineMark> + '_ {
        let pairs = &self.entries;
        let signed = self.flavor.signed_lines();
        // Whether `r` is what a line split with step `k` leaves as its last pair.
        let remainder = move |k: i16, r: i16| match k {
            127 if signed => (0..127).contains(&r),
            -128 if signed => (-127..=0).contains(&r),
            255 if !signed => (0..255).contains(&r),
            _ => false,
        };
        let mut i = 0usize;
        let mut addr = 0u32;
        let mut line = firstlineno;
        std::iter::from_fn(move || {
            while let Some(e) = pairs.get(i) {
                i += 1;
                addr = addr.wrapping_add(u32::from(e.addr_delta));
                line = line.wrapping_add(i32::from(e.line_delta));
                if e.addr_delta == 255 && e.line_delta == 0 && i < pairs.len() {
                    continue;
                }
                let k = e.line_delta;
                let mut j = i;
                while pairs
                    .get(j)
                    .is_some_and(|p| p.addr_delta == 0 && p.line_delta == k)
                {
                    j += 1;
                }
                if pairs
                    .get(j)
                    .is_some_and(|p| p.addr_delta == 0 && remainder(k, p.line_delta))
                {
                    for p in &pairs[i..=j] {
                        line = line.wrapping_add(i32::from(p.line_delta));
                    }
                    i = j + 1;
                }
                return Some(LineMark { offset: addr, line });
            }
            None
        })
    }

    /// Encodes line marks the way that version's compiler does (`assemble_lnotab`).
    ///
    /// `marks` must come in order of offset (a mark before the previous one is taken
    /// as at its offset). A mark writes nothing when it changes neither address nor
    /// line, and on 3.9 when it does not change the line. Otherwise, an address
    /// increment over 255 first becomes `n / 255` pairs `(255, 0)`; a line increment
    /// outside the byte's range becomes one pair carrying the address increment and
    /// the largest step (`255` on 2.7; `127` or `-128` after) then zero-address pairs of
    /// that step, `n / step` in all; then the remainder is written as one pair, even
    /// when it is `(0, 0)`.
    ///
    /// A mark at the same offset as the previous mark stands for code of size zero
    /// (deleted after assembly, as the peephole optimizer does): before the deletion it
    /// had an address of its own, so on 2.7–3.8 it is written even when it keeps the
    /// line (see [`all_marks`](Self::all_marks)).
    pub fn from_marks(
        flavor: LnotabFlavor,
        firstlineno: i32,
        marks: impl IntoIterator<Item = LineMark>,
    ) -> Lnotab {
        let mut entries = Vec::new();
        let mut push = |addr_delta: i64, line_delta: i64| {
            entries.push(LnotabEntry {
                addr_delta: addr_delta as u8,
                line_delta: if flavor.signed_lines() {
                    i16::from(line_delta as i8)
                } else {
                    i16::from(line_delta as u8)
                },
            })
        };
        let mut last_offset = 0u32;
        let mut last_line = firstlineno;
        let mut last_mark: Option<u32> = None;
        for m in marks {
            let mut d_addr = i64::from(m.offset.saturating_sub(last_offset));
            let mut d_line = i64::from(m.line) - i64::from(last_line);
            let deleted = last_mark == Some(m.offset);
            last_mark = Some(m.offset);
            let skip = if flavor.marks_same_line() {
                d_addr == 0 && d_line == 0 && !deleted
            } else {
                d_line == 0
            };
            if skip {
                continue;
            }
            if d_addr > 255 {
                for _ in 0..d_addr / 255 {
                    push(255, 0);
                }
                d_addr %= 255;
            }
            let step = match flavor {
                LnotabFlavor::Py27 if d_line > 255 => Some(255),
                LnotabFlavor::Py27 => None,
                _ if d_line > 127 => Some(127),
                _ if d_line < -128 => Some(-128),
                _ => None,
            };
            if let Some(k) = step {
                let n = d_line / k;
                push(d_addr, k);
                for _ in 1..n {
                    push(0, k);
                }
                d_line -= n * k;
                d_addr = 0;
            }
            push(d_addr, d_line);
            last_offset = last_offset.max(m.offset);
            last_line = m.line;
        }
        Lnotab { flavor, entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(v: &[(u32, i32)]) -> Vec<LineMark> {
        v.iter()
            .map(|&(offset, line)| LineMark { offset, line })
            .collect()
    }

    fn round_trip(flavor: LnotabFlavor, first: i32, m: &[(u32, i32)], bytes: &[u8]) {
        let t = Lnotab::from_marks(flavor, first, marks(m));
        assert_eq!(t.to_bytes(), bytes, "{flavor:?} {m:?}");
        let back = Lnotab::decode(flavor, bytes).unwrap();
        assert_eq!(back, t);
        let again = Lnotab::from_marks(flavor, first, back.marks(first));
        assert_eq!(again.to_bytes(), bytes, "marks of {bytes:?}");
        let again = Lnotab::from_marks(flavor, first, back.all_marks(first));
        assert_eq!(again.to_bytes(), bytes, "all marks of {bytes:?}");
    }

    #[test]
    fn marks_of_deleted_code() {
        // What 3.8's peephole optimizer leaves after deleting the NOPs of two lines
        // (one of them on the line it came from): pairs at one address.
        let raw = [8, 1, 4, 18, 0, 1, 0, 0, 0, 1, 0, 0xfe, 10, 36];
        let t = Lnotab::decode(LnotabFlavor::Py36, &raw).unwrap();
        let per_address: Vec<_> = t.marks(1).map(|m| (m.offset, m.line)).collect();
        assert_eq!(per_address, [(8, 2), (12, 20), (22, 56)]);
        assert_ne!(
            Lnotab::from_marks(LnotabFlavor::Py36, 1, t.marks(1)).to_bytes(),
            raw
        );
        let all: Vec<_> = t.all_marks(1).map(|m| (m.offset, m.line)).collect();
        assert_eq!(
            all,
            [
                (8, 2),
                (12, 20),
                (12, 21),
                (12, 21),
                (12, 22),
                (12, 20),
                (22, 56)
            ]
        );
        assert_eq!(
            Lnotab::from_marks(LnotabFlavor::Py36, 1, t.all_marks(1)).to_bytes(),
            raw
        );
        // 3.9 never writes a mark that keeps the line, deleted or not; a line split
        // (+254, ending in (0, 0)) next to deleted marks is still one mark.
        let raw = [4, 127, 0, 127, 0, 0, 0, 3, 6, 1];
        let t = Lnotab::decode(LnotabFlavor::Py39, &raw).unwrap();
        let all: Vec<_> = t.all_marks(1).map(|m| (m.offset, m.line)).collect();
        assert_eq!(all, [(4, 255), (4, 258), (10, 259)]);
        assert_eq!(
            Lnotab::from_marks(LnotabFlavor::Py39, 1, t.all_marks(1)).to_bytes(),
            raw
        );
        let same_line = [(4, 2), (4, 2)].map(|(offset, line)| LineMark { offset, line });
        assert_eq!(
            Lnotab::from_marks(LnotabFlavor::Py39, 1, same_line).to_bytes(),
            [4, 1]
        );
        assert_eq!(
            Lnotab::from_marks(LnotabFlavor::Py36, 1, same_line).to_bytes(),
            [4, 1, 0, 0]
        );
    }

    #[test]
    fn same_line_statements() {
        // 3.6–3.8 write a pair for a second statement on the same line; 3.9 does not.
        round_trip(
            LnotabFlavor::Py36,
            1,
            &[(0, 1), (4, 1), (8, 2)],
            &[4, 0, 4, 1],
        );
        round_trip(LnotabFlavor::Py39, 1, &[(0, 1), (4, 1), (8, 2)], &[8, 1]);
        round_trip(
            LnotabFlavor::Py27,
            1,
            &[(0, 1), (3, 1), (9, 2)],
            &[3, 0, 6, 1],
        );
    }

    #[test]
    fn first_instruction_on_a_later_line() {
        round_trip(LnotabFlavor::Py39, 5, &[(0, 7), (2, 8)], &[0, 2, 2, 1]);
    }

    /// Tables the interpreters wrote for crafted functions (2.7.18, 3.6.15–3.9.18):
    /// an address jump of exactly 510 bytes, line jumps of +254, +255, +256 and -256.
    #[test]
    fn splits_as_the_interpreters_write_them() {
        for flavor in [LnotabFlavor::Py36, LnotabFlavor::Py39] {
            round_trip(
                flavor,
                1,
                &[(0, 2), (510, 3)],
                &[0, 1, 255, 0, 255, 0, 0, 1],
            );
            round_trip(
                flavor,
                1,
                &[(0, 2), (4, 256)],
                &[0, 1, 4, 127, 0, 127, 0, 0],
            );
            round_trip(
                flavor,
                1,
                &[(0, 2), (4, 257)],
                &[0, 1, 4, 127, 0, 127, 0, 1],
            );
            round_trip(
                flavor,
                1,
                &[(0, 2), (4, 258)],
                &[0, 1, 4, 127, 0, 127, 0, 2],
            );
        }
        round_trip(
            LnotabFlavor::Py39,
            1,
            &[(0, 2), (4, 258), (6, 2)],
            &[0, 1, 4, 127, 0, 127, 0, 2, 2, 0x80, 0, 0x80, 0, 0],
        );
        round_trip(LnotabFlavor::Py27, 1, &[(0, 2), (6, 256)], &[0, 1, 6, 254]);
        round_trip(LnotabFlavor::Py27, 1, &[(0, 2), (6, 257)], &[0, 1, 6, 255]);
        round_trip(
            LnotabFlavor::Py27,
            1,
            &[(0, 2), (6, 258)],
            &[0, 1, 6, 255, 0, 1],
        );
    }

    #[test]
    fn long_address_jumps() {
        // 255 exactly fits one pair; 300 and 510 are split, the remainder may be 0.
        round_trip(LnotabFlavor::Py36, 1, &[(255, 2)], &[255, 1]);
        round_trip(LnotabFlavor::Py36, 1, &[(300, 2)], &[255, 0, 45, 1]);
        round_trip(LnotabFlavor::Py39, 1, &[(510, 2)], &[255, 0, 255, 0, 0, 1]);
        // A same-line statement 300 bytes on (3.7).
        round_trip(
            LnotabFlavor::Py36,
            1,
            &[(300, 1), (302, 2)],
            &[255, 0, 45, 0, 2, 1],
        );
    }

    #[test]
    fn long_line_jumps() {
        round_trip(LnotabFlavor::Py39, 1, &[(4, 201)], &[4, 127, 0, 73]);
        // 254 = 2 * 127: the remainder pair is (0, 0).
        round_trip(LnotabFlavor::Py39, 1, &[(4, 255)], &[4, 127, 0, 127, 0, 0]);
        round_trip(LnotabFlavor::Py39, 300, &[(4, 172)], &[4, 0x80]);
        round_trip(LnotabFlavor::Py39, 300, &[(4, 171)], &[4, 0x80, 0, 0xff]);
        round_trip(
            LnotabFlavor::Py39,
            300,
            &[(4, 44)],
            &[4, 0x80, 0, 0x80, 0, 0],
        );
        round_trip(LnotabFlavor::Py27, 1, &[(3, 600)], &[3, 255, 0, 255, 0, 89]);
        round_trip(LnotabFlavor::Py27, 1, &[(3, 256)], &[3, 255]);
        round_trip(LnotabFlavor::Py27, 1, &[(3, 257)], &[3, 255, 0, 1]);
        // Both at once.
        round_trip(
            LnotabFlavor::Py36,
            1,
            &[(256, 129)],
            &[255, 0, 1, 127, 0, 1],
        );
    }

    #[test]
    fn line_starts_follow_findlinestarts() {
        let t = Lnotab::decode(LnotabFlavor::Py27, &[0, 1, 3, 0, 6, 255]).unwrap();
        // 2.7 is unsigned: 255 is +255.
        assert_eq!(t.line_starts(1).collect::<Vec<_>>(), [(0, 2), (9, 257)]);
        let t = Lnotab::decode(LnotabFlavor::Py36, &[0, 1, 3, 0, 6, 255]).unwrap();
        assert_eq!(t.line_starts(1).collect::<Vec<_>>(), [(0, 2), (9, 1)]);
        let t = Lnotab::decode(LnotabFlavor::Py36, &[]).unwrap();
        assert_eq!(t.line_starts(4).collect::<Vec<_>>(), [(0, 4)]);
        let lines: Vec<_> = Lnotab::decode(LnotabFlavor::Py39, &[6, 1, 8, 0xfe])
            .unwrap()
            .lines(10, 20)
            .map(|r| (r.start, r.end, r.line))
            .collect();
        assert_eq!(
            lines,
            [(0, 6, Some(10)), (6, 14, Some(11)), (14, 20, Some(9))]
        );
    }

    #[test]
    fn odd_length_is_an_error() {
        let e = Lnotab::decode(LnotabFlavor::Py39, &[1, 2, 3]).unwrap_err();
        assert_eq!((e.offset, e.kind), (2, LineTableErrorKind::OddLength));
    }
}
