//! `repr()` of text and byte strings.

use super::unicode::is_printable;
use crate::marshal::{ObjId, ObjectGraph, Value};
use crate::version::PyVersion;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The code points of a string object as the interpreter holds them.
///
/// Latin-1 forms (`a A z Z`) are one character per byte; `u` and `t` payloads are
/// UTF-8 decoded as marshal does, with `surrogatepass` (so lone surrogates such as
/// U+D800 come out as themselves; Python 2.7's decoder accepts them too). A byte
/// sequence that is not even that decodes to U+FFFD per bad byte. A `bytes` node
/// gives its bytes as code points; anything else gives nothing.
pub fn decode_str(g: &ObjectGraph, id: ObjId) -> Vec<u32> {
    let node = g.node(id);
    let raw = match node.value {
        Value::Str(s) | Value::Bytes(s) => g.bytes(s),
        _ => return Vec::new(),
    };
    if node.code().is_latin1_str() || matches!(node.value, Value::Bytes(_)) {
        return raw.iter().map(|&b| b as u32).collect();
    }
    decode_utf8_surrogatepass(raw)
}

/// UTF-8 that may encode surrogates (`ED A0..BF 80..BF`); bad bytes give U+FFFD.
fn decode_utf8_surrogatepass(raw: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    let cont = |b: Option<&u8>| {
        b.filter(|b| (0x80..0xc0).contains(*b))
            .map(|b| (b & 0x3f) as u32)
    };
    while i < raw.len() {
        let b = raw[i];
        let (cp, len) = match b {
            0x00..=0x7f => (Some(b as u32), 1),
            0xc2..=0xdf => (
                cont(raw.get(i + 1)).map(|c| ((b as u32 & 0x1f) << 6) | c),
                2,
            ),
            0xe0..=0xef => match (cont(raw.get(i + 1)), cont(raw.get(i + 2))) {
                (Some(c1), Some(c2)) => {
                    let cp = ((b as u32 & 0x0f) << 12) | (c1 << 6) | c2;
                    (if cp >= 0x800 { Some(cp) } else { None }, 3)
                }
                _ => (None, 1),
            },
            0xf0..=0xf4 => match (
                cont(raw.get(i + 1)),
                cont(raw.get(i + 2)),
                cont(raw.get(i + 3)),
            ) {
                (Some(c1), Some(c2), Some(c3)) => {
                    let cp = ((b as u32 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
                    (
                        if (0x10000..=0x10ffff).contains(&cp) {
                            Some(cp)
                        } else {
                            None
                        },
                        4,
                    )
                }
                _ => (None, 1),
            },
            _ => (None, 1),
        };
        match cp {
            Some(cp) => {
                out.push(cp);
                i += len;
            }
            None => {
                out.push(0xfffd);
                i += 1;
            }
        }
    }
    out
}

/// The quote `repr` uses: `'` unless the text holds `'` and no `"`.
fn quote_for(has_single: bool, has_double: bool) -> u8 {
    if has_single && !has_double {
        b'"'
    } else {
        b'\''
    }
}

fn push_hex(out: &mut String, prefix: &str, value: u32, width: u32) {
    out.push_str(prefix);
    for k in (0..width).rev() {
        out.push(HEX[((value >> (4 * k)) & 0xf) as usize] as char);
    }
}

/// The repr of a text string given as code points: Python 3's `str` or Python 2's
/// `unicode` (`u'…'`).
///
/// Python 3 escapes `\\`, the quote, `\t \n \r`, other ASCII controls and DEL as
/// `\xNN`, and every non-ASCII character that is not printable in the version's
/// Unicode database (lone surrogates included) as `\xNN`, `\uNNNN` or
/// `\UNNNNNNNN`; printable ones stay as they are. Python 2.7 escapes every
/// character outside printable ASCII.
///
/// ```
/// use pycopt_core::pyrepr::repr_str;
/// use pycopt_core::PyVersion;
/// let cps: Vec<u32> = "it's é\n".chars().map(|c| c as u32).collect();
/// assert_eq!(repr_str(&cps, PyVersion::V3_11), "\"it's é\\n\"");
/// assert_eq!(repr_str(&cps, PyVersion::V2_7), "u\"it's \\xe9\\n\"");
/// assert_eq!(repr_str(&[0xd800], PyVersion::V3_12), "'\\ud800'");
/// ```
pub fn repr_str(cps: &[u32], version: PyVersion) -> String {
    let quote = quote_for(cps.contains(&0x27), cps.contains(&0x22)) as u32;
    let mut out = String::with_capacity(cps.len() + 3);
    let py2 = version.is_py2();
    if py2 {
        out.push('u');
    }
    out.push(quote as u8 as char);
    for &c in cps {
        if c == quote || c == 0x5c {
            out.push('\\');
            out.push(c as u8 as char);
        } else if c == 0x09 {
            out.push_str("\\t");
        } else if c == 0x0a {
            out.push_str("\\n");
        } else if c == 0x0d {
            out.push_str("\\r");
        } else if c < 0x20 || c == 0x7f {
            push_hex(&mut out, "\\x", c, 2);
        } else if c < 0x7f {
            out.push(c as u8 as char);
        } else if py2 {
            if c >= 0x10000 {
                push_hex(&mut out, "\\U", c, 8);
            } else if c >= 0x100 {
                push_hex(&mut out, "\\u", c, 4);
            } else {
                push_hex(&mut out, "\\x", c, 2);
            }
        } else if is_printable(c, version) {
            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
        } else if c <= 0xff {
            push_hex(&mut out, "\\x", c, 2);
        } else if c <= 0xffff {
            push_hex(&mut out, "\\u", c, 4);
        } else {
            push_hex(&mut out, "\\U", c, 8);
        }
    }
    out.push(quote as u8 as char);
    out
}

/// The repr of a byte string: Python 3's `bytes` (`b'…'`) or Python 2's `str`
/// (`'…'`). Escapes `\\`, the quote, `\t \n \r`, and bytes outside `0x20..0x7f` as
/// `\xNN`.
///
/// ```
/// use pycopt_core::pyrepr::repr_bytes;
/// use pycopt_core::PyVersion;
/// assert_eq!(repr_bytes(b"a\xff'", PyVersion::V3_8), "b\"a\\xff'\"");
/// assert_eq!(repr_bytes(b"a\x00", PyVersion::V2_7), "'a\\x00'");
/// ```
pub fn repr_bytes(data: &[u8], version: PyVersion) -> String {
    let quote = quote_for(data.contains(&b'\''), data.contains(&b'"'));
    let mut out = String::with_capacity(data.len() + 3);
    if !version.is_py2() {
        out.push('b');
    }
    out.push(quote as char);
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => push_hex(&mut out, "\\x", b as u32, 2),
        }
    }
    out.push(quote as char);
    out
}
