//! The 3.11+ exception table (`co_exceptiontable`) as structured data, and back to
//! the exact bytes.
//!
//! Each entry says: an exception raised by an instruction in code units
//! `[start, start + length)` pops the value stack down to `depth`, pushes the raising
//! instruction's offset if `lasti`, pushes the exception and jumps to code unit
//! `target`. An entry is four numbers, `start`, `length`, `target` and
//! `depth << 1 | lasti`, each a varint of 6-bit groups, **most** significant group
//! first, `0x40` meaning "more follows"; the first byte of each entry also has bit 7
//! set, so the interpreter can binary-search the table
//! (`InternalDocs/exception_handling.md`, `Objects/exception_handling_notes.txt`).
//!
//! The compiler (`assemble_exception_table`) writes one entry per maximal run of
//! consecutive instructions (prefixes and caches included) that have the same handler,
//! skipping instructions with none. [`ExceptionTable::from_handlers`] does the same.

use crate::code::Code;
use crate::marshal::ObjectGraph;

/// Why an exception table could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("exception table byte {offset}: {kind}")]
pub struct ExceptionTableError {
    /// Offset in the table's bytes where the problem was found.
    pub offset: usize,
    pub kind: ExceptionTableErrorKind,
}

/// The kinds of [`ExceptionTableError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExceptionTableErrorKind {
    /// The table ends inside an entry.
    #[error("the table ends inside an entry")]
    Truncated,
    /// The first byte of an entry lacks the start-of-entry bit 7.
    #[error("byte 0x{0:02x} should start an entry (bit 7 set) but does not")]
    NotEntryStart(u8),
    /// A byte other than an entry's first has bit 7 set.
    #[error("byte 0x{0:02x} inside an entry has bit 7 set")]
    StrayEntryStart(u8),
    /// A number over `u32::MAX`.
    #[error("varint does not fit in 32 bits")]
    VarintOverflow,
    /// A number with a zero leading group: CPython never writes one, and it could not
    /// be written back the same way.
    #[error("non-canonical varint (zero leading group)")]
    NonCanonicalVarint,
    /// The code object's exception table field is not a `bytes` object.
    #[error("the exception table is not a bytes object")]
    NotBytes,
}

/// Where an exception goes: the handler of a protected instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Handler {
    /// Code unit of the handler's first instruction.
    pub target: u32,
    /// Stack depth to unwind to before pushing (the depth at the `try`).
    pub depth: u32,
    /// Whether the raising instruction's offset is pushed too (cleanup handlers,
    /// `with` exits).
    pub lasti: bool,
}

/// One entry of an exception table, as stored. Offsets are in code units (2 bytes);
/// `dis._parse_exception_table` shows them in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExceptionTableEntry {
    pub start: u32,
    pub length: u32,
    pub target: u32,
    pub depth: u32,
    pub lasti: bool,
}

impl ExceptionTableEntry {
    /// The first code unit after the protected range.
    pub fn end(&self) -> u32 {
        self.start.wrapping_add(self.length)
    }

    /// The handler this entry sends exceptions to.
    pub fn handler(&self) -> Handler {
        Handler {
            target: self.target,
            depth: self.depth,
            lasti: self.lasti,
        }
    }
}

/// A decoded exception table: its entries exactly as stored.
///
/// ```
/// use pycopt_core::exceptiontable::ExceptionTable;
/// // The example of CPython's notes: start 20, size 8, target 100, depth 3, no lasti.
/// let raw = [0x94, 0x08, 0x41, 0x24, 0x06];
/// let t = ExceptionTable::decode(&raw).unwrap();
/// let e = t.entries[0];
/// assert_eq!((e.start, e.length, e.target, e.depth, e.lasti), (20, 8, 100, 3, false));
/// assert_eq!(t.to_bytes(), raw);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExceptionTable {
    pub entries: Vec<ExceptionTableEntry>,
}

/// Reads one number at `at`; `first` says whether it starts an entry (bit 7 set)
/// or must not (bit 7 clear).
fn read_number(bytes: &[u8], at: usize, first: bool) -> Result<(u32, usize), ExceptionTableError> {
    let err = |offset, kind| Err(ExceptionTableError { offset, kind });
    let start = at;
    let mut at = at;
    let mut value: u64 = 0;
    loop {
        let Some(&b) = bytes.get(at) else {
            return err(at, ExceptionTableErrorKind::Truncated);
        };
        let starts = b & 0x80 != 0;
        if at == start && first && !starts {
            return err(at, ExceptionTableErrorKind::NotEntryStart(b));
        }
        if starts && !(at == start && first) {
            return err(at, ExceptionTableErrorKind::StrayEntryStart(b));
        }
        if at == start && b & 0x40 != 0 && b & 0x3f == 0 {
            return err(at, ExceptionTableErrorKind::NonCanonicalVarint);
        }
        value = (value << 6) | u64::from(b & 0x3f);
        if value > u64::from(u32::MAX) {
            return err(start, ExceptionTableErrorKind::VarintOverflow);
        }
        at += 1;
        if b & 0x40 == 0 {
            return Ok((value as u32, at));
        }
    }
}

/// Appends one number, most significant group first, with `msb` (0x80 or 0) on its
/// first byte.
fn write_number(out: &mut Vec<u8>, value: u64, mut msb: u8) {
    let mut shift = 0;
    while shift + 6 < 64 && value >> (shift + 6) != 0 {
        shift += 6;
    }
    while shift > 0 {
        out.push(((value >> shift) & 0x3f) as u8 | 0x40 | msb);
        msb = 0;
        shift -= 6;
    }
    out.push((value & 0x3f) as u8 | msb);
}

impl ExceptionTable {
    /// Decodes an exception table.
    pub fn decode(bytes: &[u8]) -> Result<ExceptionTable, ExceptionTableError> {
        let mut entries = Vec::with_capacity(bytes.len() / 4);
        let mut at = 0;
        while at < bytes.len() {
            let (start, next) = read_number(bytes, at, true)?;
            let (length, next) = read_number(bytes, next, false)?;
            let (target, next) = read_number(bytes, next, false)?;
            let (dl, next) = read_number(bytes, next, false)?;
            at = next;
            entries.push(ExceptionTableEntry {
                start,
                length,
                target,
                depth: dl >> 1,
                lasti: dl & 1 != 0,
            });
        }
        Ok(ExceptionTable { entries })
    }

    /// Decodes the exception table of `code`: `Ok(None)` when the code object has
    /// none (before 3.11).
    pub fn of_code(
        code: &Code,
        graph: &ObjectGraph,
    ) -> Result<Option<ExceptionTable>, ExceptionTableError> {
        let Some(id) = code.exceptiontable else {
            return Ok(None);
        };
        let bytes = graph.as_bytes(id).ok_or(ExceptionTableError {
            offset: 0,
            kind: ExceptionTableErrorKind::NotBytes,
        })?;
        ExceptionTable::decode(bytes).map(Some)
    }

    /// Appends the entries to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(self.entries.len() * 5);
        for e in &self.entries {
            write_number(out, e.start.into(), 0x80);
            write_number(out, e.length.into(), 0);
            write_number(out, e.target.into(), 0);
            write_number(out, (u64::from(e.depth) << 1) | u64::from(e.lasti), 0);
        }
    }

    /// The encoded table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The handler of the instruction at code unit `unit`, as the interpreter finds
    /// it: the first entry whose range holds it.
    pub fn handler_at(&self, unit: u32) -> Option<Handler> {
        self.entries
            .iter()
            .take_while(|e| e.start <= unit)
            .find(|e| unit < e.end())
            .map(ExceptionTableEntry::handler)
    }

    /// The table as consecutive runs `(code units, handler)` from unit 0 to the end
    /// of the last entry, gaps included as `None` runs: the input
    /// [`from_handlers`](Self::from_handlers) needs to write it again. Entries that
    /// overlap or go backwards are cut at the previous entry's end.
    pub fn handler_runs(&self) -> impl Iterator<Item = (u32, Option<Handler>)> + '_ {
        let mut at = 0u32;
        self.entries.iter().flat_map(move |e| {
            let gap = e.start.saturating_sub(at);
            let start = e.start.max(at);
            let len = e.end().saturating_sub(start);
            at = at.max(e.end());
            [(gap, None), (len, Some(e.handler()))]
                .into_iter()
                .filter(|&(n, _)| n > 0)
        })
    }

    /// Encodes runs of code, each `(code units, handler)`, the way the compiler does:
    /// one entry per maximal run with the same handler, nothing for code without one.
    pub fn from_handlers(runs: impl IntoIterator<Item = (u32, Option<Handler>)>) -> ExceptionTable {
        let mut entries = Vec::new();
        let mut at = 0u32;
        let mut open: Option<(u32, Handler)> = None;
        let mut close = |start: u32, end: u32, h: Handler| {
            entries.push(ExceptionTableEntry {
                start,
                length: end - start,
                target: h.target,
                depth: h.depth,
                lasti: h.lasti,
            })
        };
        for (units, handler) in runs {
            if units == 0 {
                continue;
            }
            if open.map(|(_, h)| h) != handler {
                if let Some((start, h)) = open {
                    close(start, at, h);
                }
                open = handler.map(|h| (at, h));
            }
            at = at.saturating_add(units);
        }
        if let Some((start, h)) = open {
            close(start, at, h);
        }
        ExceptionTable { entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(start: u32, length: u32, target: u32, depth: u32, lasti: bool) -> ExceptionTableEntry {
        ExceptionTableEntry {
            start,
            length,
            target,
            depth,
            lasti,
        }
    }

    #[test]
    fn numbers_of_every_size_round_trip() {
        let vals = [
            0u32,
            63,
            64,
            4095,
            4096,
            (1 << 18) - 1,
            1 << 18,
            1 << 24,
            1 << 30,
            u32::MAX,
        ];
        for &v in &vals {
            let t = ExceptionTable {
                entries: vec![entry(v, v, v, v >> 1, v & 1 == 1)],
            };
            let bytes = t.to_bytes();
            assert_eq!(ExceptionTable::decode(&bytes).unwrap(), t, "{v}");
        }
        // 64 = one group of 1 then 0: 0xc1 0x00 as a start.
        let t = ExceptionTable {
            entries: vec![entry(64, 1, 2, 0, true)],
        };
        assert_eq!(t.to_bytes(), [0xc1, 0x00, 0x01, 0x02, 0x01]);
    }

    #[test]
    fn runs_become_entries() {
        let h = |target, depth, lasti| {
            Some(Handler {
                target,
                depth,
                lasti,
            })
        };
        let runs = [
            (2, None),
            (3, h(40, 1, false)),
            (1, h(40, 1, false)),
            (0, None),
            (2, h(50, 0, true)),
            (4, None),
            (1, h(40, 1, false)),
        ];
        let t = ExceptionTable::from_handlers(runs);
        assert_eq!(
            t.entries,
            [
                entry(2, 4, 40, 1, false),
                entry(6, 2, 50, 0, true),
                entry(12, 1, 40, 1, false)
            ]
        );
        let back: Vec<_> = t.handler_runs().collect();
        assert_eq!(
            back,
            [
                (2, None),
                (4, h(40, 1, false)),
                (2, h(50, 0, true)),
                (4, None),
                (1, h(40, 1, false))
            ]
        );
        assert_eq!(ExceptionTable::from_handlers(back), t);
        assert_eq!(t.handler_at(5), h(40, 1, false));
        assert_eq!(t.handler_at(8), None);
        assert_eq!(t.handler_at(12), h(40, 1, false));
    }

    #[test]
    fn malformed_tables_are_errors() {
        let err = |b: &[u8]| {
            let e = ExceptionTable::decode(b).unwrap_err();
            (e.offset, e.kind)
        };
        assert_eq!(
            err(&[0x14]),
            (0, ExceptionTableErrorKind::NotEntryStart(0x14))
        );
        assert_eq!(
            err(&[0x94, 0x08, 0x41]),
            (3, ExceptionTableErrorKind::Truncated)
        );
        assert_eq!(
            err(&[0x94, 0x88, 0x41, 0x24, 0x06]),
            (1, ExceptionTableErrorKind::StrayEntryStart(0x88))
        );
        assert_eq!(
            err(&[0xc0, 0x01, 1, 1, 1]),
            (0, ExceptionTableErrorKind::NonCanonicalVarint)
        );
        let big = [0xc4, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f, 0, 0, 0];
        assert_eq!(err(&big), (0, ExceptionTableErrorKind::VarintOverflow));
    }
}
