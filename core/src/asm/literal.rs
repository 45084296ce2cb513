//! Constants in assembly text: Python literal syntax, read into [`Lit`] values and
//! written from marshal objects.
//!
//! The syntax is what `repr` prints, with the few additions an exact round trip
//! needs: `f64:0x…` for a float's exact bits (NaNs other than the default one),
//! `complex(RE, IM)` when a complex's repr would lose bits, `frozenset({…})` with
//! elements in marshal order, `code NAME` for a nested code object, and
//! `StopIteration`. A signed lone imaginary reads as `repr` writes it: `-1j` is
//! `complex(0.0, -1.0)` (Python's `eval` would negate the real part too).
//!
//! On Python 2, `'…'` is a byte string (`str`) and `u'…'` a `unicode`; `5L` is a
//! `long`. On Python 3, `'…'` and `u'…'` are `str`, `b'…'` is `bytes`.

use super::lex::{Tok, TokKind};
use crate::marshal::{ObjId, ObjectGraph, Value};
use crate::pyrepr::{decode_str, repr_bytes, repr_complex, repr_float, repr_long, repr_str};
use crate::version::PyVersion;

/// An int of any size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntVal {
    /// Fits in `i64`.
    Small(i64),
    /// Does not fit in `i64`: sign and CPython's 15-bit digits, least significant
    /// first, top digit non-zero.
    Big { negative: bool, digits: Vec<u16> },
}

impl IntVal {
    /// The value from sign and 15-bit digits (normalizing to [`IntVal::Small`]).
    pub fn from_digits(negative: bool, digits: &[u16]) -> IntVal {
        let n = digits.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1);
        let digits = &digits[..n];
        if n <= 5 {
            let mut mag: u128 = 0;
            for &d in digits.iter().rev() {
                mag = (mag << 15) | u128::from(d);
            }
            let v = if negative {
                -(mag as i128)
            } else {
                mag as i128
            };
            if let Ok(v) = i64::try_from(v) {
                return IntVal::Small(v);
            }
        }
        IntVal::Big {
            negative,
            digits: digits.to_vec(),
        }
    }

    /// Sign and 15-bit digits (zero has none), as marshal's `l` stores them.
    pub fn digits(&self) -> (bool, Vec<u16>) {
        match self {
            IntVal::Small(v) => {
                let mut mag = v.unsigned_abs();
                let mut out = Vec::new();
                while mag != 0 {
                    out.push((mag & 0x7fff) as u16);
                    mag >>= 15;
                }
                (*v < 0, out)
            }
            IntVal::Big { negative, digits } => (*negative, digits.clone()),
        }
    }

    /// The value if it fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            IntVal::Small(v) => Some(*v),
            IntVal::Big { .. } => None,
        }
    }

    /// Decimal text.
    pub fn decimal(&self) -> String {
        match self {
            IntVal::Small(v) => v.to_string(),
            IntVal::Big { negative, digits } => repr_long(*negative, digits),
        }
    }

    fn negate(self) -> IntVal {
        match self {
            IntVal::Small(v) => match v.checked_neg() {
                Some(n) => IntVal::Small(n),
                None => {
                    let (_, digits) = IntVal::Small(v).digits();
                    IntVal::Big {
                        negative: false,
                        digits,
                    }
                }
            },
            IntVal::Big { negative, digits } => IntVal::from_digits(!negative, &digits),
        }
    }

    /// Parses unsigned digits in `radix` (underscores allowed between digits).
    fn parse(text: &str, radix: u32) -> Option<IntVal> {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        if clean.is_empty() {
            return None;
        }
        if let Ok(v) = i64::from_str_radix(&clean, radix) {
            return Some(IntVal::Small(v));
        }
        // Base 2^15 digits, least significant first: multiply-add per input digit.
        let mut digits: Vec<u32> = Vec::new();
        for c in clean.chars() {
            let mut carry = c.to_digit(radix)?;
            for d in digits.iter_mut() {
                let v = *d * radix + carry;
                *d = v & 0x7fff;
                carry = v >> 15;
            }
            while carry != 0 {
                digits.push(carry & 0x7fff);
                carry >>= 15;
            }
        }
        let digits: Vec<u16> = digits.into_iter().map(|d| d as u16).collect();
        Some(IntVal::from_digits(false, &digits))
    }
}

/// A constant value as the text describes it; how it is encoded (type byte, string
/// form, sharing) is the marshal layout's business.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    None,
    True,
    False,
    Ellipsis,
    /// The `StopIteration` class (marshal `S`).
    StopIteration,
    /// An int; `py2_long` for a Python 2 `long` (`5L`, marshal `l`).
    Int {
        value: IntVal,
        py2_long: bool,
    },
    /// A float's IEEE-754 bits.
    Float(u64),
    /// Real and imaginary bits.
    Complex(u64, u64),
    /// `bytes` (Python 2: `str`).
    Bytes(Vec<u8>),
    /// `str` (Python 2: `unicode`) as UTF-8 in which surrogates may appear
    /// (`surrogatepass`), which is also the payload marshal writes for it.
    Str(Vec<u8>),
    Tuple(Vec<Lit>),
    List(Vec<Lit>),
    Set(Vec<Lit>),
    /// Elements in marshal order.
    FrozenSet(Vec<Lit>),
    /// Keys and values alternating, in marshal order.
    Dict(Vec<Lit>),
    /// A nested code object: index into the file's table of code block names.
    Code(u32),
}

impl Lit {
    /// A `str` from Rust text.
    pub fn str(s: &str) -> Lit {
        Lit::Str(s.as_bytes().to_vec())
    }
}

/// Code points of surrogatepass UTF-8.
pub(crate) fn code_points(raw: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i] as u32;
        let (cp, len) = if b < 0x80 {
            (b, 1)
        } else if b < 0xe0 {
            (((b & 0x1f) << 6) | (raw[i + 1] as u32 & 0x3f), 2)
        } else if b < 0xf0 {
            (
                ((b & 0x0f) << 12) | ((raw[i + 1] as u32 & 0x3f) << 6) | (raw[i + 2] as u32 & 0x3f),
                3,
            )
        } else {
            (
                ((b & 0x07) << 18)
                    | ((raw[i + 1] as u32 & 0x3f) << 12)
                    | ((raw[i + 2] as u32 & 0x3f) << 6)
                    | (raw[i + 3] as u32 & 0x3f),
                4,
            )
        };
        out.push(cp);
        i += len;
    }
    out
}

/// Appends code point `cp` as UTF-8, surrogates included (`surrogatepass`).
pub(crate) fn push_utf8(out: &mut Vec<u8>, cp: u32) {
    match char::from_u32(cp) {
        Some(c) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        None => {
            // A surrogate (0xD800..=0xDFFF): three bytes, as surrogatepass writes it.
            out.push(0xe0 | (cp >> 12) as u8);
            out.push(0x80 | ((cp >> 6) & 0x3f) as u8);
            out.push(0x80 | (cp & 0x3f) as u8);
        }
    }
}

/// The default NaN (`float('nan')`), written `nan`; other NaNs are written by bits.
const DEFAULT_NAN: u64 = 0x7ff8_0000_0000_0000;

/// Appends a float literal that reads back to exactly `bits`.
pub(crate) fn write_float(out: &mut String, bits: u64) {
    let x = f64::from_bits(bits);
    if x.is_nan() {
        if bits == DEFAULT_NAN {
            out.push_str("nan");
        } else {
            out.push_str(&format!("f64:0x{bits:016x}"));
        }
    } else {
        out.push_str(&repr_float(x));
    }
}

/// Quotes a block name for `code NAME` / `.code NAME` when it cannot stand bare.
pub(crate) fn write_name(out: &mut String, name: &str) {
    if super::lex::is_bare_word(name) && !is_keyword(name) {
        out.push_str(name);
        return;
    }
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "None" | "True" | "False" | "none")
}

/// Writes marshal objects as literals.
pub(crate) struct LitWriter<'a> {
    pub g: &'a ObjectGraph,
    pub version: PyVersion,
    /// The block name of each code object.
    pub code_name: &'a dyn Fn(ObjId) -> Option<&'a str>,
}

impl LitWriter<'_> {
    /// Appends the literal of object `id`.
    pub fn write(&self, out: &mut String, id: ObjId) {
        let g = self.g;
        let node = g.node(id);
        let py2 = self.version.is_py2();
        match &node.value {
            Value::None => out.push_str("None"),
            Value::True => out.push_str("True"),
            Value::False => out.push_str("False"),
            Value::Ellipsis => out.push_str("..."),
            Value::StopIteration => out.push_str("StopIteration"),
            Value::Int(v) => out.push_str(&v.to_string()),
            Value::Int64(v) => out.push_str(&v.to_string()),
            Value::Long { negative, digits } => {
                let raw = g.bytes(*digits);
                let d: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                out.push_str(&IntVal::from_digits(*negative, &d).decimal());
                if py2 {
                    out.push('L');
                }
            }
            Value::Float(bits) => write_float(out, *bits),
            Value::FloatText(s) => {
                let x = crate::pyrepr::parse_float_text(g.bytes(*s));
                write_float(out, x.to_bits());
            }
            Value::Complex(re, im) => self.complex(out, *re, *im),
            Value::ComplexText(re, im) => {
                let re = crate::pyrepr::parse_float_text(g.bytes(*re)).to_bits();
                let im = crate::pyrepr::parse_float_text(g.bytes(*im)).to_bits();
                self.complex(out, re, im)
            }
            Value::Bytes(s) => out.push_str(&repr_bytes(g.bytes(*s), self.version)),
            Value::Str(_) => out.push_str(&repr_str(&decode_str(g, id), self.version)),
            Value::Tuple(items) => {
                let items = g.items(*items);
                out.push('(');
                self.seq(out, items);
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::List(items) => {
                out.push('[');
                self.seq(out, g.items(*items));
                out.push(']');
            }
            Value::Set(items) => {
                let items = g.items(*items);
                if items.is_empty() {
                    out.push_str("set()");
                } else {
                    out.push('{');
                    self.seq(out, items);
                    out.push('}');
                }
            }
            Value::FrozenSet(items) => {
                let items = g.items(*items);
                if items.is_empty() {
                    out.push_str("frozenset()");
                } else {
                    out.push_str("frozenset({");
                    self.seq(out, items);
                    out.push_str("})");
                }
            }
            Value::Dict(items) => {
                out.push('{');
                for (i, pair) in g.items(*items).chunks(2).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(out, pair[0]);
                    out.push_str(": ");
                    if let Some(&v) = pair.get(1) {
                        self.write(out, v);
                    }
                }
                out.push('}');
            }
            Value::Code(_) => {
                out.push_str("code ");
                match (self.code_name)(id) {
                    Some(name) => write_name(out, name),
                    None => out.push_str("<unknown>"),
                }
            }
        }
    }

    fn seq(&self, out: &mut String, items: &[ObjId]) {
        for (i, &c) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(out, c);
        }
    }

    fn complex(&self, out: &mut String, re: u64, im: u64) {
        let (r, i) = (f64::from_bits(re), f64::from_bits(im));
        if r.is_nan() || i.is_nan() {
            out.push_str("complex(");
            write_float(out, re);
            out.push_str(", ");
            write_float(out, im);
            out.push(')');
        } else {
            out.push_str(&repr_complex(r, i));
        }
    }
}

/// A literal error: byte offset in the line, and message.
pub(crate) type LitError = (usize, String);

/// Names of code blocks met in `code NAME` literals, numbered in order of first
/// appearance.
#[derive(Default, Debug)]
pub(crate) struct CodeNames {
    pub names: Vec<String>,
    /// Where each name was first used (line, byte offset).
    pub first_use: Vec<(u32, usize)>,
    index: std::collections::HashMap<String, u32>,
}

impl CodeNames {
    /// The number of `name`, allocating one on first use.
    pub fn intern(&mut self, name: &str, line: u32, at: usize) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.first_use.push((line, at));
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Reads literals from a line's tokens.
pub(crate) struct LitParser<'t, 'a> {
    pub toks: &'t [Tok<'a>],
    pub pos: usize,
    pub version: PyVersion,
    /// Byte offset of the line's end, for errors at the end of input.
    pub end: usize,
    pub line: u32,
    pub codes: &'t mut CodeNames,
}

/// The most nesting a literal may have.
const MAX_NESTING: usize = 1000;

/// A number as written, with its sign.
struct Num<'a> {
    negative: bool,
    text: &'a str,
    at: usize,
}

impl<'a> LitParser<'_, 'a> {
    fn peek(&self) -> Option<TokKind<'a>> {
        self.toks.get(self.pos).map(|t| t.kind)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.at)
    }

    fn err<T>(&self, msg: impl Into<String>) -> Result<T, LitError> {
        Err((self.at(), msg.into()))
    }

    fn expect(&mut self, c: char) -> Result<(), LitError> {
        if self.peek() == Some(TokKind::Punct(c)) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected `{c}`"))
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(TokKind::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Whether every token has been read.
    pub fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Reads one literal.
    pub fn literal(&mut self) -> Result<Lit, LitError> {
        self.lit(0)
    }

    /// Reads literals separated by commas up to the end of the tokens.
    pub fn list_to_end(&mut self) -> Result<Vec<Lit>, LitError> {
        let mut out = Vec::new();
        while !self.done() {
            out.push(self.literal()?);
            if self.done() {
                break;
            }
            self.expect(',')?;
        }
        Ok(out)
    }

    fn lit(&mut self, depth: usize) -> Result<Lit, LitError> {
        if depth > MAX_NESTING {
            return self.err("literal nested too deeply");
        }
        let Some(kind) = self.peek() else {
            return self.err("expected a constant");
        };
        let start = self.at();
        match kind {
            TokKind::Ellipsis => {
                self.pos += 1;
                Ok(Lit::Ellipsis)
            }
            TokKind::Str { prefix, body } => {
                self.pos += 1;
                self.string(prefix, body, start)
            }
            TokKind::Punct('(') => {
                self.pos += 1;
                self.paren(depth)
            }
            TokKind::Punct('[') => {
                self.pos += 1;
                let items = self.items(']', depth)?;
                Ok(Lit::List(items))
            }
            TokKind::Punct('{') => {
                self.pos += 1;
                self.brace(depth)
            }
            TokKind::Punct('-') | TokKind::Punct('+') | TokKind::Number(_) => {
                let n = self.number()?;
                self.num_lit(&n)
            }
            TokKind::Word(w) => {
                if matches!(w, "inf" | "nan" | "infj" | "nanj") {
                    let n = self.number()?;
                    return self.num_lit(&n);
                }
                self.pos += 1;
                match w {
                    "None" => Ok(Lit::None),
                    "True" => Ok(Lit::True),
                    "False" => Ok(Lit::False),
                    "Ellipsis" => Ok(Lit::Ellipsis),
                    "StopIteration" => Ok(Lit::StopIteration),
                    "f64" => {
                        self.pos -= 1;
                        Ok(Lit::Float(self.float_bits()?))
                    }
                    "code" => {
                        let at = self.at();
                        let name = match self.peek() {
                            Some(TokKind::Word(n)) => n.to_string(),
                            Some(TokKind::Str { body, .. }) => {
                                unescape_name(body).map_err(|m| (at, m))?
                            }
                            _ => return self.err("expected the name of a code block after `code`"),
                        };
                        self.pos += 1;
                        Ok(Lit::Code(self.codes.intern(&name, self.line, at)))
                    }
                    "frozenset" | "set" => {
                        let frozen = w == "frozenset";
                        self.expect('(')?;
                        let items = if self.eat(')') {
                            Vec::new()
                        } else {
                            let inner = if self.eat('{') {
                                self.items('}', depth)?
                            } else if self.eat('[') {
                                self.items(']', depth)?
                            } else if self.eat('(') {
                                self.items(')', depth)?
                            } else {
                                return self.err(format!("expected `{{`, `[` or `)` after `{w}(`"));
                            };
                            self.expect(')')?;
                            inner
                        };
                        Ok(if frozen {
                            Lit::FrozenSet(items)
                        } else {
                            Lit::Set(items)
                        })
                    }
                    "complex" => {
                        self.expect('(')?;
                        let re = self.float_bits()?;
                        self.expect(',')?;
                        let im = self.float_bits()?;
                        self.expect(')')?;
                        Ok(Lit::Complex(re, im))
                    }
                    _ => Err((start, format!("`{w}` is not a constant"))),
                }
            }
            _ => self.err("expected a constant"),
        }
    }

    /// Comma-separated literals up to `close` (consumed); a trailing comma is allowed.
    fn items(&mut self, close: char, depth: usize) -> Result<Vec<Lit>, LitError> {
        let mut out = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(out);
            }
            out.push(self.lit(depth + 1)?);
            if self.eat(close) {
                return Ok(out);
            }
            self.expect(',')?;
        }
    }

    fn paren(&mut self, depth: usize) -> Result<Lit, LitError> {
        if self.eat(')') {
            return Ok(Lit::Tuple(Vec::new()));
        }
        // `(RE+IMj)`: a complex as repr writes it.
        let save = self.pos;
        if let Some(c) = self.try_complex()? {
            return Ok(c);
        }
        self.pos = save;
        let first = self.lit(depth + 1)?;
        if self.eat(')') {
            // `(x)` is just `x`, as in Python; a one-element tuple is `(x,)`.
            return Ok(first);
        }
        self.expect(',')?;
        let mut items = vec![first];
        items.extend(self.items(')', depth)?);
        Ok(Lit::Tuple(items))
    }

    fn try_complex(&mut self) -> Result<Option<Lit>, LitError> {
        let numeric = matches!(
            self.peek(),
            Some(TokKind::Number(_) | TokKind::Punct('-' | '+'))
        ) || matches!(self.peek(), Some(TokKind::Word("inf" | "nan")));
        if !numeric {
            return Ok(None);
        }
        let Ok(re) = self.number() else {
            return Ok(None);
        };
        if !matches!(self.peek(), Some(TokKind::Punct('-' | '+'))) {
            return Ok(None);
        }
        let im = self.number()?;
        if !is_imag(im.text) || is_imag(re.text) {
            return Ok(None);
        }
        self.expect(')')?;
        let re_v = parse_float(re.negative, re.text).ok_or((re.at, "bad number".to_string()))?;
        let im_v = parse_float(im.negative, &im.text[..im.text.len() - 1])
            .ok_or((im.at, "bad imaginary number".to_string()))?;
        Ok(Some(Lit::Complex(re_v.to_bits(), im_v.to_bits())))
    }

    fn brace(&mut self, depth: usize) -> Result<Lit, LitError> {
        if self.eat('}') {
            return Ok(Lit::Dict(Vec::new()));
        }
        let first = self.lit(depth + 1)?;
        if self.eat(':') {
            let mut items = vec![first, self.lit(depth + 1)?];
            loop {
                if self.eat('}') {
                    return Ok(Lit::Dict(items));
                }
                self.expect(',')?;
                if self.eat('}') {
                    return Ok(Lit::Dict(items));
                }
                items.push(self.lit(depth + 1)?);
                self.expect(':')?;
                items.push(self.lit(depth + 1)?);
            }
        }
        let mut items = vec![first];
        if !self.eat('}') {
            self.expect(',')?;
            items.extend(self.items('}', depth)?);
        }
        Ok(Lit::Set(items))
    }

    /// `[+|-] NUMBER` or `[+|-] inf|nan|infj|nanj`.
    fn number(&mut self) -> Result<Num<'a>, LitError> {
        let mut negative = false;
        let at = self.at();
        while let Some(TokKind::Punct(c @ ('-' | '+'))) = self.peek() {
            if c == '-' {
                negative = !negative;
            }
            self.pos += 1;
        }
        match self.peek() {
            Some(TokKind::Number(text)) => {
                self.pos += 1;
                Ok(Num { negative, text, at })
            }
            Some(TokKind::Word(w @ ("inf" | "nan" | "infj" | "nanj"))) => {
                self.pos += 1;
                Ok(Num {
                    negative,
                    text: w,
                    at,
                })
            }
            _ => self.err("expected a number"),
        }
    }

    fn num_lit(&self, n: &Num<'_>) -> Result<Lit, LitError> {
        let bad = || (n.at, format!("`{}` is not a number", n.text));
        let t = n.text;
        if is_imag(t) {
            let im = parse_float(n.negative, &t[..t.len() - 1]).ok_or_else(bad)?;
            return Ok(Lit::Complex(0f64.to_bits(), im.to_bits()));
        }
        let lower = t.to_ascii_lowercase();
        let (body, radix) = if let Some(h) = lower.strip_prefix("0x") {
            (h, 16)
        } else if let Some(o) = lower.strip_prefix("0o") {
            (o, 8)
        } else if let Some(b) = lower.strip_prefix("0b") {
            (b, 2)
        } else {
            (lower.as_str(), 10)
        };
        let (body, long) = match body.strip_suffix('l') {
            Some(b) if radix != 16 || !b.is_empty() => (b, true),
            _ => (body, false),
        };
        if radix == 10 && (body.contains(['.', 'e']) || body == "inf" || body == "nan") {
            if long {
                return Err(bad());
            }
            let x = parse_float(n.negative, body).ok_or_else(bad)?;
            return Ok(Lit::Float(x.to_bits()));
        }
        let mut v = IntVal::parse(body, radix).ok_or_else(bad)?;
        if n.negative {
            v = v.negate();
        }
        if long && !self.version.is_py2() {
            return Err((n.at, "the `L` suffix is for Python 2 longs".into()));
        }
        Ok(Lit::Int {
            value: v,
            py2_long: long,
        })
    }

    /// A float literal for `complex(…)` and `f64:…`: a number, `inf`, `nan`, or
    /// `f64:0xBITS`.
    fn float_bits(&mut self) -> Result<u64, LitError> {
        if self.peek() == Some(TokKind::Word("f64")) {
            self.pos += 1;
            self.expect(':')?;
            let at = self.at();
            let Some(TokKind::Number(t)) = self.peek() else {
                return self.err("expected `0x` and 16 hex digits after `f64:`");
            };
            self.pos += 1;
            let hex = t
                .strip_prefix("0x")
                .or_else(|| t.strip_prefix("0X"))
                .ok_or((at, "expected `0x` and hex digits after `f64:`".to_string()))?;
            return u64::from_str_radix(hex, 16)
                .map_err(|_| (at, format!("`{t}` is not 64 bits of hex")));
        }
        let n = self.number()?;
        if is_imag(n.text) {
            return Err((n.at, "expected a real number".into()));
        }
        // Read as a float even when written like an int, so `-0` keeps its sign.
        parse_float(n.negative, n.text)
            .map(f64::to_bits)
            .ok_or((n.at, format!("`{}` is not a number", n.text)))
    }

    fn string(&self, prefix: &str, body: &str, at: usize) -> Result<Lit, LitError> {
        let p = prefix.to_ascii_lowercase();
        let raw = p.contains('r');
        let bytes = p.contains('b') || (self.version.is_py2() && !p.contains('u'));
        if bytes {
            unescape_bytes(body, raw)
                .map(Lit::Bytes)
                .map_err(|(o, m)| (at + prefix.len() + 1 + o, m))
        } else {
            unescape_text(body, raw)
                .map(Lit::Str)
                .map_err(|(o, m)| (at + prefix.len() + 1 + o, m))
        }
    }
}

fn is_imag(t: &str) -> bool {
    t.ends_with(['j', 'J'])
}

/// A float from text and sign (`inf`, `nan`, decimal forms; no hex).
fn parse_float(negative: bool, text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|&c| c != '_').collect();
    let x = match t.to_ascii_lowercase().as_str() {
        "inf" => f64::INFINITY,
        "nan" => f64::from_bits(DEFAULT_NAN),
        s if s.starts_with(|c: char| c.is_ascii_digit() || c == '.') => s.parse::<f64>().ok()?,
        _ => return None,
    };
    Some(if negative { -x } else { x })
}

/// The escape of a byte or text literal at `body[i..]` (just after the backslash):
/// the code point (or byte) and the bytes consumed.
fn escape(body: &str, i: usize, text: bool) -> Result<(Option<u32>, usize), (usize, String)> {
    let b = body.as_bytes();
    let Some(&c) = b.get(i) else {
        return Err((i, "a backslash ends the literal".into()));
    };
    let hex = |n: usize| -> Result<(Option<u32>, usize), (usize, String)> {
        let digits = body
            .get(i + 1..i + 1 + n)
            .filter(|d| d.len() == n && d.bytes().all(|x| x.is_ascii_hexdigit()))
            .ok_or((i - 1, format!("`\\{}` needs {n} hex digits", c as char)))?;
        let v = u32::from_str_radix(digits, 16).expect("checked hex");
        if v > 0x10ffff {
            return Err((
                i - 1,
                format!("`\\{}{digits}` is not a code point", c as char),
            ));
        }
        Ok((Some(v), 1 + n))
    };
    Ok(match c {
        b'\\' => (Some(0x5c), 1),
        b'\'' => (Some(0x27), 1),
        b'"' => (Some(0x22), 1),
        b'a' => (Some(7), 1),
        b'b' => (Some(8), 1),
        b'f' => (Some(12), 1),
        b'n' => (Some(10), 1),
        b'r' => (Some(13), 1),
        b't' => (Some(9), 1),
        b'v' => (Some(11), 1),
        b'0'..=b'7' => {
            let mut v = 0u32;
            let mut n = 0;
            while n < 3 && matches!(b.get(i + n), Some(b'0'..=b'7')) {
                v = v * 8 + u32::from(b[i + n] - b'0');
                n += 1;
            }
            (Some(if text { v } else { v & 0xff }), n)
        }
        b'x' => hex(2)?,
        b'u' if text => hex(4)?,
        b'U' if text => hex(8)?,
        b'N' if text => {
            return Err((
                i - 1,
                "`\\N{...}` escapes are not supported; use `\\u`".into(),
            ))
        }
        _ => (None, 0),
    })
}

/// The bytes of a byte-string literal body.
fn unescape_bytes(body: &str, raw: bool) -> Result<Vec<u8>, (usize, String)> {
    let mut out = Vec::with_capacity(body.len());
    let mut iter = body.char_indices();
    while let Some((i, c)) = iter.next() {
        if c == '\\' && !raw {
            let (v, used) = escape(body, i + 1, false)?;
            match v {
                Some(v) => {
                    out.push(v as u8);
                    for _ in 0..used {
                        iter.next();
                    }
                }
                None => out.push(b'\\'),
            }
            continue;
        }
        if !c.is_ascii() {
            return Err((
                i,
                format!("{c:?} in a byte string: write it as `\\x` escapes"),
            ));
        }
        out.push(c as u8);
    }
    Ok(out)
}

/// The surrogatepass UTF-8 of a text literal body.
fn unescape_text(body: &str, raw: bool) -> Result<Vec<u8>, (usize, String)> {
    if raw || !body.contains('\\') {
        return Ok(body.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(body.len());
    let mut iter = body.char_indices();
    while let Some((i, c)) = iter.next() {
        if c == '\\' {
            let (v, used) = escape(body, i + 1, true)?;
            match v {
                Some(v) => {
                    push_utf8(&mut out, v);
                    for _ in 0..used {
                        iter.next();
                    }
                }
                None => out.push(b'\\'),
            }
            continue;
        }
        push_utf8(&mut out, c as u32);
    }
    Ok(out)
}

/// The text of a quoted block name.
pub(crate) fn unescape_name(body: &str) -> Result<String, String> {
    let raw = unescape_text(body, false).map_err(|(_, m)| m)?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::lex::tokens;

    fn parse(text: &str, v: PyVersion) -> Result<Lit, LitError> {
        let toks = tokens(text, 0).unwrap();
        let mut codes = CodeNames::default();
        let mut p = LitParser {
            toks: &toks,
            pos: 0,
            version: v,
            end: text.len(),
            line: 1,
            codes: &mut codes,
        };
        let l = p.literal()?;
        assert!(p.done(), "left over in {text:?}");
        Ok(l)
    }

    fn int(v: i64) -> Lit {
        Lit::Int {
            value: IntVal::Small(v),
            py2_long: false,
        }
    }

    #[test]
    fn scalars() {
        let v = PyVersion::V3_11;
        assert_eq!(parse("None", v).unwrap(), Lit::None);
        assert_eq!(parse("-5", v).unwrap(), int(-5));
        assert_eq!(parse("0x10", v).unwrap(), int(16));
        assert_eq!(parse("-0.0", v).unwrap(), Lit::Float((-0.0f64).to_bits()));
        assert_eq!(parse("1e+16", v).unwrap(), Lit::Float(1e16f64.to_bits()));
        assert_eq!(
            parse("-inf", v).unwrap(),
            Lit::Float(f64::NEG_INFINITY.to_bits())
        );
        assert_eq!(
            parse("f64:0x7ff8000000000001", v).unwrap(),
            Lit::Float(0x7ff8000000000001)
        );
        assert_eq!(
            parse("(-0-1j)", v).unwrap(),
            Lit::Complex((-0.0f64).to_bits(), (-1.0f64).to_bits())
        );
        assert_eq!(
            parse("-1j", v).unwrap(),
            Lit::Complex(0f64.to_bits(), (-1.0f64).to_bits())
        );
        assert_eq!(
            parse("'a\\x00\\ud800'", v).unwrap(),
            Lit::Str(vec![b'a', 0, 0xed, 0xa0, 0x80])
        );
        assert_eq!(parse("b'\\xff'", v).unwrap(), Lit::Bytes(vec![0xff]));
        assert_eq!(
            parse("'\\xff'", PyVersion::V2_7).unwrap(),
            Lit::Bytes(vec![0xff])
        );
        assert_eq!(
            parse("5L", PyVersion::V2_7).unwrap(),
            Lit::Int {
                value: IntVal::Small(5),
                py2_long: true
            }
        );
        assert!(parse("5L", v).is_err());
    }

    #[test]
    fn big_ints() {
        let v = PyVersion::V3_12;
        let text = "-123456789012345678901234567890";
        let Lit::Int { value, .. } = parse(text, v).unwrap() else {
            panic!()
        };
        assert_eq!(value.decimal(), text);
        let (neg, d) = value.digits();
        assert_eq!(IntVal::from_digits(neg, &d), value);
        assert_eq!(IntVal::Small(i64::MIN).decimal(), i64::MIN.to_string());
        let Lit::Int { value, .. } = parse("9223372036854775808", v).unwrap() else {
            panic!()
        };
        assert_eq!(value.clone().negate(), IntVal::Small(i64::MIN));
    }

    #[test]
    fn containers() {
        let v = PyVersion::V3_13;
        assert_eq!(parse("()", v).unwrap(), Lit::Tuple(vec![]));
        assert_eq!(parse("(1,)", v).unwrap(), Lit::Tuple(vec![int(1)]));
        assert_eq!(
            parse("frozenset({2, 1})", v).unwrap(),
            Lit::FrozenSet(vec![int(2), int(1)])
        );
        assert_eq!(parse("{1: 2}", v).unwrap(), Lit::Dict(vec![int(1), int(2)]));
        assert_eq!(parse("{1, 2}", v).unwrap(), Lit::Set(vec![int(1), int(2)]));
        assert!(matches!(
            parse("(code <module>.f, 1)", v).unwrap(),
            Lit::Tuple(_)
        ));
        let e = parse("(1, frob)", v).unwrap_err();
        assert_eq!(e.0, 4);
    }
}
