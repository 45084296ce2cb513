//! The 3.11+ location table (`co_linetable`, read through `co_positions()`).
//!
//! A sequence of entries (`Objects/locations.md`), each giving the source location
//! (line, end line, column, end column) of the next 1–8 code units. An entry starts
//! with a byte `1 cccc nnn`: `cccc` picks the form, `nnn + 1` is the number of code
//! units; the bytes after it have bit 7 clear. The running line starts at
//! `co_firstlineno`; forms that carry a line delta add it.
//!
//! | code | form | after the first byte |
//! |---|---|---|
//! | 0–9 | short: same line, `column = code * 8 + (b >> 4)`, `end = column + (b & 15)` | one byte `b` |
//! | 10–12 | one line: line += `code - 10` | column byte, end column byte |
//! | 13 | no columns | signed varint line delta |
//! | 14 | long | signed varint line delta, varint end-line delta (from the line), varint column + 1, varint end column + 1 (0 = none) |
//! | 15 | no location | – |
//!
//! Varints here are 6-bit groups, least significant first, `0x40` meaning "more";
//! a signed varint stores `v << 1`, or `(-v << 1) | 1` for a negative `v`.
//!
//! The compiler (`write_location_info_entry` in `Python/compile.c` on 3.11,
//! `Python/assemble.c` on 3.12+) writes each run of code with one location as entries
//! of at most 8 units, choosing for each entry: no location → 15; no column → 13 if
//! the location is on one line (or has no end line), else 14; on one line, the short
//! form when the line did not change, the column is below 80 and the end column is 0–15
//! past it, else the one-line form when the line moved forward by 0–2 and both columns
//! are below 128; 14 otherwise. 3.11 starts a run at every instruction (even one with
//! the same location as the previous); 3.12+ start one only where the location
//! changes. [`LocationTable::from_positions`] does the same.

use super::{read_varint_lsb, write_varint_lsb, LineRange, LineTableError, LineTableErrorKind};
use crate::version::PyVersion;

/// A source location, as `co_positions()` gives it for one code unit. Columns are
/// 0-based UTF-8 byte offsets in their line; `end_column` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Position {
    /// `None` only for code with no location at all.
    pub line: Option<i32>,
    pub end_line: Option<i32>,
    pub column: Option<u32>,
    pub end_column: Option<u32>,
}

impl Position {
    /// No location (what artificial instructions carry).
    pub const NONE: Position = Position {
        line: None,
        end_line: None,
        column: None,
        end_column: None,
    };
}

/// How one entry stores its location: the form and the fields as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LocationForm {
    /// Codes 0–9: same line as the running line; `column < 80`, `end_delta < 16`
    /// (end column = column + end delta).
    Short { column: u8, end_delta: u8 },
    /// Codes 10–12: the running line moves by `line_delta` (0–2); one line; both
    /// columns below 128.
    OneLine {
        line_delta: u8,
        column: u8,
        end_column: u8,
    },
    /// Code 13: a line delta, no columns; end line = line.
    NoColumns { line_delta: i32 },
    /// Code 14: everything explicit; `end_line_delta` is from this entry's line.
    Long {
        line_delta: i32,
        end_line_delta: u32,
        column: Option<u32>,
        end_column: Option<u32>,
    },
    /// Code 15: no location; the running line is unchanged.
    None,
}

impl LocationForm {
    /// The 4-bit code this form is written with.
    pub fn code(&self) -> u8 {
        match *self {
            LocationForm::Short { column, .. } => column >> 3,
            LocationForm::OneLine { line_delta, .. } => 10 + line_delta,
            LocationForm::NoColumns { .. } => 13,
            LocationForm::Long { .. } => 14,
            LocationForm::None => 15,
        }
    }

    /// How much the form moves the running line.
    pub fn line_delta(&self) -> i32 {
        match *self {
            LocationForm::Short { .. } | LocationForm::None => 0,
            LocationForm::OneLine { line_delta, .. } => i32::from(line_delta),
            LocationForm::NoColumns { line_delta } | LocationForm::Long { line_delta, .. } => {
                line_delta
            }
        }
    }

    /// The location this form gives when the running line before it is `line`
    /// (the running line after it is `line + self.line_delta()`).
    pub fn position(&self, line: i32) -> Position {
        let line = line.wrapping_add(self.line_delta());
        match *self {
            LocationForm::Short { column, end_delta } => Position {
                line: Some(line),
                end_line: Some(line),
                column: Some(u32::from(column)),
                end_column: Some(u32::from(column) + u32::from(end_delta)),
            },
            LocationForm::OneLine {
                column, end_column, ..
            } => Position {
                line: Some(line),
                end_line: Some(line),
                column: Some(u32::from(column)),
                end_column: Some(u32::from(end_column)),
            },
            LocationForm::NoColumns { .. } => Position {
                line: Some(line),
                end_line: Some(line),
                column: None,
                end_column: None,
            },
            LocationForm::Long {
                end_line_delta,
                column,
                end_column,
                ..
            } => Position {
                line: Some(line),
                end_line: Some(line.wrapping_add(end_line_delta as i32)),
                column,
                end_column,
            },
            LocationForm::None => Position::NONE,
        }
    }
}

/// One entry of a location table, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocationEntry {
    /// Code units covered, 1–8.
    pub units: u8,
    pub form: LocationForm,
}

/// A decoded 3.11+ location table: its entries exactly as stored.
///
/// ```
/// use pycopt_core::linetable::{LocationTable, Position};
/// // Line 0 (a move of -1 needs the long form), then a short entry on that line.
/// let raw = [0xf0, 0x03, 0x01, 0x01, 0x01, 0x81, 0x04];
/// let t = LocationTable::decode(&raw).unwrap();
/// let p: Vec<Position> = t.positions(1).collect();
/// assert_eq!(p[0].line, Some(0));
/// assert_eq!((p[1].line, p[1].column, p[1].end_column), (Some(0), Some(0), Some(4)));
/// assert_eq!(t.to_bytes(), raw);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LocationTable {
    pub entries: Vec<LocationEntry>,
}

fn read_svarint(bytes: &[u8], at: usize) -> Result<(i32, usize), LineTableError> {
    let (u, next) = read_varint_lsb(bytes, at)?;
    if u == 1 {
        return Err(LineTableError::new(
            at,
            LineTableErrorKind::NonCanonicalVarint,
        ));
    }
    let mag = (u >> 1) as i32;
    Ok((if u & 1 != 0 { -mag } else { mag }, next))
}

fn write_svarint(out: &mut Vec<u8>, v: i32) {
    let v = i64::from(v);
    let u = if v < 0 { ((-v) << 1) | 1 } else { v << 1 };
    write_varint_lsb(out, u as u64);
}

/// A byte inside an entry: bit 7 must be clear.
fn read_byte(bytes: &[u8], at: usize) -> Result<u8, LineTableError> {
    match bytes.get(at) {
        None => Err(LineTableError::new(at, LineTableErrorKind::Truncated)),
        Some(&b) if b & 0x80 != 0 => Err(LineTableError::new(
            at,
            LineTableErrorKind::StrayEntryStart(b),
        )),
        Some(&b) => Ok(b),
    }
}

impl LocationTable {
    /// Decodes a location table.
    pub fn decode(bytes: &[u8]) -> Result<LocationTable, LineTableError> {
        // Short entries (two bytes) are by far the most common.
        let mut entries = Vec::with_capacity(bytes.len() / 2);
        let mut at = 0;
        while at < bytes.len() {
            let first = bytes[at];
            if first & 0x80 == 0 {
                return Err(LineTableError::new(
                    at,
                    LineTableErrorKind::NotEntryStart(first),
                ));
            }
            let units = (first & 7) + 1;
            let code = (first >> 3) & 15;
            at += 1;
            let form = match code {
                0..=9 => {
                    let b = read_byte(bytes, at)?;
                    at += 1;
                    LocationForm::Short {
                        column: (code << 3) | (b >> 4),
                        end_delta: b & 15,
                    }
                }
                10..=12 => {
                    let column = read_byte(bytes, at)?;
                    let end_column = read_byte(bytes, at + 1)?;
                    at += 2;
                    LocationForm::OneLine {
                        line_delta: code - 10,
                        column,
                        end_column,
                    }
                }
                13 => {
                    let (line_delta, next) = read_svarint(bytes, at)?;
                    at = next;
                    LocationForm::NoColumns { line_delta }
                }
                14 => {
                    let (line_delta, next) = read_svarint(bytes, at)?;
                    let (end_line_delta, next) = read_varint_lsb(bytes, next)?;
                    let (column, next) = read_varint_lsb(bytes, next)?;
                    let (end_column, next) = read_varint_lsb(bytes, next)?;
                    at = next;
                    LocationForm::Long {
                        line_delta,
                        end_line_delta,
                        column: column.checked_sub(1),
                        end_column: end_column.checked_sub(1),
                    }
                }
                _ => LocationForm::None,
            };
            entries.push(LocationEntry { units, form });
        }
        Ok(LocationTable { entries })
    }

    /// Appends the entries to `out`. Fields out of their form's range are masked
    /// into it (a decoded table always has them in range).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(self.entries.len() * 2);
        for e in &self.entries {
            let units = e.units.clamp(1, 8);
            out.push(0x80 | ((e.form.code() & 15) << 3) | (units - 1));
            match e.form {
                LocationForm::Short { column, end_delta } => {
                    out.push(((column & 7) << 4) | (end_delta & 15));
                }
                LocationForm::OneLine {
                    column, end_column, ..
                } => {
                    out.push(column & 0x7f);
                    out.push(end_column & 0x7f);
                }
                LocationForm::NoColumns { line_delta } => write_svarint(out, line_delta),
                LocationForm::Long {
                    line_delta,
                    end_line_delta,
                    column,
                    end_column,
                } => {
                    write_svarint(out, line_delta);
                    write_varint_lsb(out, end_line_delta.into());
                    write_varint_lsb(out, column.map_or(0, |c| u64::from(c) + 1));
                    write_varint_lsb(out, end_column.map_or(0, |c| u64::from(c) + 1));
                }
                LocationForm::None => {}
            }
        }
    }

    /// The encoded table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Each entry with its location, given the code object's first line.
    pub fn entry_positions(
        &self,
        firstlineno: i32,
    ) -> impl Iterator<Item = (LocationEntry, Position)> + '_ {
        let mut line = firstlineno;
        self.entries.iter().map(move |e| {
            let p = e.form.position(line);
            line = line.wrapping_add(e.form.line_delta());
            (*e, p)
        })
    }

    /// One position per code unit, as `co_positions()` yields them.
    pub fn positions(&self, firstlineno: i32) -> impl Iterator<Item = Position> + '_ {
        self.entry_positions(firstlineno)
            .flat_map(|(e, p)| std::iter::repeat_n(p, usize::from(e.units)))
    }

    /// Number of code units the table covers.
    pub fn units(&self) -> usize {
        self.entries.iter().map(|e| usize::from(e.units)).sum()
    }

    /// `co_lines()`: byte ranges and their lines. With `merge` (3.12+) neighbouring
    /// entries with the same line (or both without) are one range; without it (3.11)
    /// each entry is its own range.
    ///
    /// A computed line that is negative means "no line" to the interpreter: any
    /// negative line on 3.11, exactly -1 on 3.12+ (where -1 is how "no location" is
    /// held internally, so it also merges with entries that have none).
    pub fn lines(&self, firstlineno: i32, merge: bool) -> impl Iterator<Item = LineRange> + '_ {
        let no_line = move |line: Option<i32>| match line {
            Some(l) if (merge && l == -1) || (!merge && l < 0) => None,
            other => other,
        };
        let mut it = self.entry_positions(firstlineno).peekable();
        let mut end = 0u32;
        std::iter::from_fn(move || {
            let (e, p) = it.next()?;
            let line = no_line(p.line);
            let start = end;
            end = end.wrapping_add(2 * u32::from(e.units));
            if merge {
                while let Some((n, _)) = it.next_if(|(_, q)| no_line(q.line) == line) {
                    end = end.wrapping_add(2 * u32::from(n.units));
                }
            }
            Some(LineRange { start, end, line })
        })
    }

    /// Encodes runs of code, each `(code units, location)`, the way the compiler of
    /// `version` does (see the module docs).
    ///
    /// For 3.11 each run must be exactly one instruction (with its `EXTENDED_ARG`
    /// prefixes and inline caches): 3.11 never joins instructions. For 3.12+ any
    /// split works, since neighbouring runs with the same location are joined first
    /// (so one run per code unit, as [`positions`](Self::positions) gives, is fine).
    pub fn from_positions(
        version: PyVersion,
        firstlineno: i32,
        runs: impl IntoIterator<Item = (u32, Position)>,
    ) -> LocationTable {
        let mut w = Writer {
            entries: Vec::new(),
            line: firstlineno,
        };
        if version.at_least(PyVersion::V3_12) {
            let mut cur = Position::NONE;
            let mut size = 0u32;
            for (units, pos) in runs {
                if pos != cur {
                    w.run(size, &cur);
                    cur = pos;
                    size = 0;
                }
                size = size.saturating_add(units);
            }
            w.run(size, &cur);
        } else {
            for (units, pos) in runs {
                w.run(units, &pos);
            }
        }
        LocationTable { entries: w.entries }
    }
}

struct Writer {
    entries: Vec<LocationEntry>,
    /// The running line (`a_lineno`).
    line: i32,
}

impl Writer {
    fn run(&mut self, mut units: u32, pos: &Position) {
        while units > 8 {
            self.entry(8, pos);
            units -= 8;
        }
        if units > 0 {
            self.entry(units as u8, pos);
        }
    }

    fn entry(&mut self, units: u8, pos: &Position) {
        let form = self.form(pos);
        self.line = self.line.wrapping_add(form.line_delta());
        self.entries.push(LocationEntry { units, form });
    }

    fn form(&self, pos: &Position) -> LocationForm {
        let Some(line) = pos.line else {
            return LocationForm::None;
        };
        let line_delta = line.wrapping_sub(self.line);
        let one_line = pos.end_line == Some(line);
        match (pos.column, pos.end_column) {
            (Some(col), Some(end)) if one_line => {
                if line_delta == 0 && col < 80 && end >= col && end - col < 16 {
                    return LocationForm::Short {
                        column: col as u8,
                        end_delta: (end - col) as u8,
                    };
                }
                if (0..3).contains(&line_delta) && col < 128 && end < 128 {
                    return LocationForm::OneLine {
                        line_delta: line_delta as u8,
                        column: col as u8,
                        end_column: end as u8,
                    };
                }
            }
            (Some(_), Some(_)) => {}
            _ if one_line || pos.end_line.is_none() => {
                return LocationForm::NoColumns { line_delta };
            }
            _ => {}
        }
        LocationForm::Long {
            line_delta,
            // CPython writes `end_lineno - lineno` as unsigned, whatever it is.
            end_line_delta: pos.end_line.unwrap_or(-1).wrapping_sub(line) as u32,
            column: pos.column,
            end_column: pos.end_column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: i32, end_line: i32, col: Option<u32>, end: Option<u32>) -> Position {
        Position {
            line: Some(line),
            end_line: Some(end_line),
            column: col,
            end_column: end,
        }
    }

    /// Encodes `runs` for `version`, checks the bytes, decodes them back and checks
    /// the positions and a re-encode from them.
    fn check(version: PyVersion, first: i32, runs: &[(u32, Position)], bytes: &[u8]) {
        let t = LocationTable::from_positions(version, first, runs.iter().copied());
        assert_eq!(t.to_bytes(), bytes, "{runs:?}");
        let back = LocationTable::decode(bytes).unwrap();
        assert_eq!(back, t);
        let want: Vec<Position> = runs
            .iter()
            .flat_map(|&(n, p)| std::iter::repeat_n(p, n as usize))
            .collect();
        let got: Vec<Position> = back.positions(first).collect();
        assert_eq!(got, want);
        if version.at_least(PyVersion::V3_12) {
            let again = LocationTable::from_positions(version, first, got.iter().map(|&p| (1, p)));
            assert_eq!(again, t);
        }
    }

    #[test]
    fn every_form() {
        let v = PyVersion::V3_12;
        // Short: code 1 (column 8..15), column 9 => b = (1 << 4) | 3.
        check(v, 5, &[(1, pos(5, 5, Some(9), Some(12)))], &[0x88, 0x13]);
        // Short form only when the line did not move: here +1 => one-line form.
        check(v, 5, &[(2, pos(6, 6, Some(9), Some(12)))], &[0xd9, 9, 12]);
        // One-line with +2, and with an end column below the column.
        check(v, 5, &[(1, pos(7, 7, Some(9), Some(3)))], &[0xe0, 9, 3]);
        // Column 80 is too far for short: one-line, delta 0.
        check(v, 5, &[(1, pos(5, 5, Some(80), Some(81)))], &[0xd0, 80, 81]);
        // End 16 past the column: one-line.
        check(v, 5, &[(1, pos(5, 5, Some(0), Some(16)))], &[0xd0, 0, 16]);
        // No columns: code 13, svarint delta (-2 => 5).
        check(v, 5, &[(1, pos(3, 3, None, None))], &[0xe8, 5]);
        // No column but several lines: long form with 0 columns.
        check(v, 5, &[(1, pos(5, 7, None, None))], &[0xf0, 0, 2, 0, 0]);
        // Multi-line with columns: long; column 200 needs two varint groups.
        check(
            v,
            5,
            &[(1, pos(4, 6, Some(200), Some(3)))],
            &[0xf0, 3, 2, 0x49, 3, 4],
        );
        // A line going back, on one line, columns small: long (one-line needs >= 0).
        check(
            v,
            5,
            &[(1, pos(4, 4, Some(1), Some(2)))],
            &[0xf0, 3, 0, 2, 3],
        );
        // Columns too wide for one-line form.
        check(
            v,
            5,
            &[(1, pos(6, 6, Some(130), Some(140)))],
            &[0xf0, 2, 0, 0x43, 2, 0x4d, 2],
        );
        // No location.
        check(v, 5, &[(3, Position::NONE)], &[0xfa]);
        // Only one column known and one line: no-column form (CPython drops the other).
        let t = LocationTable::from_positions(v, 5, [(1, pos(5, 5, Some(2), None))]);
        assert_eq!(t.to_bytes(), [0xe8, 0]);
    }

    #[test]
    fn runs_longer_than_eight_units_are_split() {
        // 11 units moving +1 line: one-line form for the first 8, then short (delta 0).
        check(
            PyVersion::V3_11,
            1,
            &[(11, pos(2, 2, Some(4), Some(9)))],
            &[0xdf, 4, 9, 0x82, 0x45],
        );
        // No location, 17 units: 8 + 8 + 1.
        check(
            PyVersion::V3_12,
            1,
            &[(17, Position::NONE)],
            &[0xff, 0xff, 0xf8],
        );
    }

    #[test]
    fn merging_by_version() {
        let p = pos(1, 1, Some(0), Some(4));
        // 3.11: one entry per instruction even with the same location.
        check(
            PyVersion::V3_11,
            1,
            &[(1, p), (2, p)],
            &[0x80, 0x04, 0x81, 0x04],
        );
        // 3.12: merged.
        check(PyVersion::V3_12, 1, &[(1, p), (2, p)], &[0x82, 0x04]);
    }

    #[test]
    fn no_location_keeps_the_running_line() {
        check(
            PyVersion::V3_12,
            10,
            &[
                (1, pos(12, 12, Some(0), Some(1))),
                (1, Position::NONE),
                (1, pos(12, 12, Some(0), Some(1))),
            ],
            &[0xe0, 0, 1, 0xf8, 0x80, 0x01],
        );
    }

    #[test]
    fn lines_merge_by_version() {
        let t = LocationTable::decode(&[0x80, 0x04, 0x81, 0x04, 0xf8, 0xd8, 0, 1]).unwrap();
        let l = |merge| {
            t.lines(1, merge)
                .map(|r| (r.start, r.end, r.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            l(false),
            [
                (0, 2, Some(1)),
                (2, 6, Some(1)),
                (6, 8, None),
                (8, 10, Some(2))
            ]
        );
        assert_eq!(l(true), [(0, 6, Some(1)), (6, 8, None), (8, 10, Some(2))]);
    }

    #[test]
    fn malformed_tables_are_errors() {
        let err = |b: &[u8]| LocationTable::decode(b).unwrap_err();
        assert_eq!(err(&[0x04]).kind, LineTableErrorKind::NotEntryStart(4));
        assert_eq!(err(&[0x80]).kind, LineTableErrorKind::Truncated);
        assert_eq!(err(&[0xd0, 1]).offset, 2);
        let e = err(&[0x80, 0x84]);
        assert_eq!(
            (e.offset, e.kind),
            (1, LineTableErrorKind::StrayEntryStart(0x84))
        );
        // Minus zero.
        assert_eq!(err(&[0xe8, 1]).kind, LineTableErrorKind::NonCanonicalVarint);
        // A byte left over after a complete entry.
        assert_eq!(
            err(&[0xf8, 0x01]).kind,
            LineTableErrorKind::NotEntryStart(1)
        );
        // Long form cut short.
        assert_eq!(err(&[0xf0, 0, 0, 0]).kind, LineTableErrorKind::Truncated);
    }
}
