//! `pycopt_core::pyrepr` against the interpreters' own `repr()` and `hash()`.
//!
//! 1. Unit tests with literal expectations, each checked once by running the
//!    interpreters named in the comments.
//! 2. Synthetic values: each installed interpreter marshals a deterministic list of
//!    values (ints at the hash boundaries, floats, complex numbers, strings from all
//!    Unicode planes, bytes, tuples, sets and frozensets of random elements) and
//!    prints their `hash()` and `repr()`; pycopt reads the marshalled bytes and must
//!    agree on every line.
//! 3. Standard library corpus: the `.pyc` files under each interpreter's library
//!    folder; `corpus/scripts/dump_const_reprs.py` prints the repr of every constant
//!    and pycopt must print the same lines. A deterministic subset of files is used
//!    unless `PYCOPT_PYREPR_FULL=1`.
//!
//! Interpreters run with `PYTHONHASHSEED=0` (the seed pyrepr reproduces) and are
//! found by `pycopt_corpus::require`: a missing one is skipped with a notice, or
//! fails the test under `CI=true`. Code object addresses are normalized to `0x0` on
//! the interpreter's side.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use pycopt_core::marshal::{read_object, Limits, Node, ObjId, ObjectGraph, Value};
use pycopt_core::pyrepr::{self, hash, repr, repr_complex, repr_float, try_repr, ReprError};
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn version_of(major: u8, minor: u8) -> PyVersion {
    PyVersion::parse(&format!("{major}.{minor}")).expect("supported version")
}

/// A graph built by hand, node by node.
#[derive(Default)]
struct Builder {
    g: ObjectGraph,
}

impl Builder {
    fn node(&mut self, type_byte: u8, value: Value) -> ObjId {
        self.g.add(Node {
            type_byte,
            value,
            offset: 0,
        })
    }
    fn int(&mut self, v: i32) -> ObjId {
        self.node(b'i', Value::Int(v))
    }
    fn long(&mut self, negative: bool, digits: &[u16]) -> ObjId {
        let raw: Vec<u8> = digits.iter().flat_map(|d| d.to_le_bytes()).collect();
        let digits = self.g.add_bytes(&raw);
        self.node(b'l', Value::Long { negative, digits })
    }
    fn float(&mut self, x: f64) -> ObjId {
        self.node(b'g', Value::Float(x.to_bits()))
    }
    /// A `u` string (UTF-8 payload, possibly with encoded surrogates).
    fn utf8(&mut self, raw: &[u8]) -> ObjId {
        let s = self.g.add_bytes(raw);
        self.node(b'u', Value::Str(s))
    }
    /// An `a` string (Latin-1 payload).
    fn latin1(&mut self, raw: &[u8]) -> ObjId {
        let s = self.g.add_bytes(raw);
        self.node(b'a', Value::Str(s))
    }
    fn bytes(&mut self, raw: &[u8]) -> ObjId {
        let s = self.g.add_bytes(raw);
        self.node(b's', Value::Bytes(s))
    }
    fn tuple(&mut self, ids: &[ObjId]) -> ObjId {
        let it = self.g.add_items(ids);
        self.node(b'(', Value::Tuple(it))
    }
    fn frozenset(&mut self, ids: &[ObjId]) -> ObjId {
        let it = self.g.add_items(ids);
        self.node(b'>', Value::FrozenSet(it))
    }
}

/// `s` with `\`, CR and LF escaped, as `dump_const_reprs.py` writes lines.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("corpus")
        .join("scripts")
        .join(name)
}

/// A scratch file path unique to this process and `tag`.
fn scratch(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pycopt-pyrepr-{}-{tag}", std::process::id()))
}

// ---------------------------------------------------------------------------
// 1. Unit tests (expectations checked against the interpreters)
// ---------------------------------------------------------------------------

#[test]
fn float_repr_matches_python() {
    // Same output on 2.7.18 and 3.6-3.13.
    let cases: &[(f64, &str)] = &[
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (0.1, "0.1"),
        (0.3, "0.3"),
        (2.0 / 3.0, "0.6666666666666666"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (9007199254740993.0, "9007199254740992.0"),
        (123456789012345678.0, "1.2345678901234568e+17"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (1e22, "1e+22"),
        (1e300, "1e+300"),
        (5e-324, "5e-324"),
        // A tie between two 17-digit strings: Python takes the even last digit.
        (2f64.powi(-25), "2.9802322387695312e-08"),
        (-2f64.powi(-25), "-2.9802322387695312e-08"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (f64::NAN, "nan"),
        (-f64::NAN, "nan"),
    ];
    for &(x, want) in cases {
        assert_eq!(repr_float(x), want, "{x:e}");
    }
}

#[test]
fn complex_repr_matches_python() {
    // Same output on 2.7.18 and 3.6-3.13.
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let cases: &[(f64, f64, &str)] = &[
        (0.0, 1.0, "1j"),
        (-0.0, 1.0, "(-0+1j)"),
        (1.0, -0.0, "(1-0j)"),
        (0.0, -0.0, "-0j"),
        (-0.0, -0.0, "(-0-0j)"),
        (0.0, 0.0, "0j"),
        (nan, nan, "(nan+nanj)"),
        (inf, -inf, "(inf-infj)"),
        (0.0, nan, "nanj"),
        (1e16, 1e-5, "(1e+16+1e-05j)"),
        (1.5, 2.0, "(1.5+2j)"),
    ];
    for &(re, im, want) in cases {
        assert_eq!(repr_complex(re, im), want, "{re} {im}");
    }
}

#[test]
fn str_repr_matches_python() {
    let mut b = Builder::default();
    let mixed = b.utf8("aé😀\u{7f}\u{80}\u{a0}".as_bytes());
    let surrogate = b.utf8(b"\xed\xa0\x80x");
    let single = b.utf8(b"it's");
    let both = b.utf8(b"it's \"");
    let controls = b.latin1(b"a\x7f\x80\n\t\r\x00\\\xe9");
    let empty = b.latin1(b"");
    let g = &b.g;
    // 3.6-3.13
    for v in [PyVersion::V3_6, PyVersion::V3_13] {
        assert_eq!(repr(g, mixed, v), r"'aé😀\x7f\x80\xa0'");
        assert_eq!(repr(g, surrogate, v), r"'\ud800x'");
        assert_eq!(repr(g, single, v), "\"it's\"");
        assert_eq!(repr(g, both, v), r#"'it\'s "'"#);
        assert_eq!(repr(g, controls, v), r"'a\x7f\x80\n\t\r\x00\\é'");
        assert_eq!(repr(g, empty, v), "''");
    }
    // 2.7.18: unicode repr escapes all non-ASCII.
    let v = PyVersion::V2_7;
    assert_eq!(repr(g, mixed, v), r"u'a\xe9\U0001f600\x7f\x80\xa0'");
    assert_eq!(repr(g, surrogate, v), r"u'\ud800x'");
    assert_eq!(repr(g, single, v), "u\"it's\"");
    assert_eq!(repr(g, both, v), r#"u'it\'s "'"#);
}

#[test]
fn printable_tables_follow_unicode_versions() {
    // U+1FAE8 SHAKING FACE: Unicode 15.0 (3.12). U+0870: Unicode 14.0 (3.11).
    // U+2FFC: Unicode 15.1 (3.13). U+1F97B: Unicode 12.0 (3.8).
    let cps = |c: u32| vec![c];
    assert_eq!(
        pyrepr::repr_str(&cps(0x1fae8), PyVersion::V3_11),
        r"'\U0001fae8'"
    );
    assert_eq!(
        pyrepr::repr_str(&cps(0x1fae8), PyVersion::V3_12),
        "'\u{1fae8}'"
    );
    assert_eq!(pyrepr::repr_str(&cps(0x870), PyVersion::V3_10), r"'\u0870'");
    assert_eq!(pyrepr::repr_str(&cps(0x870), PyVersion::V3_11), "'\u{870}'");
    assert_eq!(
        pyrepr::repr_str(&cps(0x2ffc), PyVersion::V3_12),
        r"'\u2ffc'"
    );
    assert_eq!(
        pyrepr::repr_str(&cps(0x2ffc), PyVersion::V3_13),
        "'\u{2ffc}'"
    );
    assert_eq!(
        pyrepr::repr_str(&cps(0x1f97b), PyVersion::V3_7),
        r"'\U0001f97b'"
    );
    assert_eq!(
        pyrepr::repr_str(&cps(0x1f97b), PyVersion::V3_8),
        "'\u{1f97b}'"
    );
    // Separators, format characters, private use, unassigned.
    for (c, want) in [
        (0x2028, r"'\u2028'"),
        (0x200b, r"'\u200b'"),
        (0xe000, r"'\ue000'"),
        (0xad, r"'\xad'"),
        (0x10ffff, r"'\U0010ffff'"),
        (0x3000, r"'\u3000'"),
    ] {
        for v in &PyVersion::ALL[1..] {
            assert_eq!(pyrepr::repr_str(&cps(c), *v), want, "{c:x} {v}");
        }
    }
}

#[test]
fn bytes_repr_matches_python() {
    let mut b = Builder::default();
    let x = b.bytes(b"x\xff\x7f");
    let q = b.bytes(b"it's");
    let all: Vec<u8> = (0..=255).collect();
    let all = b.bytes(&all);
    let g = &b.g;
    assert_eq!(repr(g, x, PyVersion::V3_9), r"b'x\xff\x7f'");
    assert_eq!(repr(g, q, PyVersion::V3_9), "b\"it's\"");
    assert_eq!(repr(g, x, PyVersion::V2_7), r"'x\xff\x7f'");
    assert_eq!(repr(g, q, PyVersion::V2_7), "\"it's\"");
    let want = concat!(
        r"b'\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13",
        r"\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !",
        "\"#$%&\\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`",
        r"abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80"
    );
    assert!(repr(g, all, PyVersion::V3_13).starts_with(want));
    assert!(repr(g, all, PyVersion::V3_13).ends_with(r"\xfe\xff'"));
}

#[test]
fn int_repr_matches_python() {
    let mut b = Builder::default();
    let small = b.int(-5);
    let i64node = b.node(b'I', Value::Int64(-(1 << 40)));
    // 2**30 and -(2**45 + 1)
    let two30 = b.long(false, &[0, 0, 1]);
    let neg = b.long(true, &[1, 0, 0, 1]);
    let zero = b.long(false, &[]);
    // 2**100 = digits: 100 = 6*15 + 10 → digit 6 = 1 << 10
    let two100 = b.long(false, &[0, 0, 0, 0, 0, 0, 1 << 10]);
    let g = &b.g;
    assert_eq!(repr(g, small, PyVersion::V3_11), "-5");
    assert_eq!(repr(g, i64node, PyVersion::V3_11), "-1099511627776");
    assert_eq!(repr(g, i64node, PyVersion::V2_7), "-1099511627776");
    assert_eq!(repr(g, two30, PyVersion::V3_11), "1073741824");
    // Python 2's long keeps its L.
    assert_eq!(repr(g, two30, PyVersion::V2_7), "1073741824L");
    assert_eq!(repr(g, neg, PyVersion::V3_6), "-35184372088833");
    assert_eq!(repr(g, zero, PyVersion::V3_6), "0");
    assert_eq!(
        repr(g, two100, PyVersion::V3_12),
        "1267650600228229401496703205376"
    );
}

/// 15-bit digits of `2^bits - 1`.
fn all_ones(bits: usize) -> Vec<u16> {
    let mut d = vec![0x7fff; bits / 15];
    if !bits.is_multiple_of(15) {
        d.push((1 << (bits % 15)) - 1);
    }
    d
}

#[test]
fn huge_ints_and_the_digit_limit() {
    // 2**14300 - 1 has 4305 decimal digits: over the 4300 limit from 3.7 on
    // (`repr` raises ValueError on 3.7.16+ and 3.11+), fine on 2.7 and 3.6.
    let mut b = Builder::default();
    let big = b.long(false, &all_ones(14300));
    let just = b.long(false, &all_ones(14280)); // 4299 digits
    let t = b.tuple(&[big]);
    let g = &b.g;
    let text = repr(g, big, PyVersion::V3_11);
    assert_eq!(text.len(), 4305);
    assert!(text.starts_with("53572016"), "{}", &text[..20]);
    assert!(text.ends_with("36837375"), "{}", &text[text.len() - 20..]);
    assert!(try_repr(g, big, PyVersion::V3_6).is_ok());
    assert_eq!(try_repr(g, big, PyVersion::V2_7).unwrap().len(), 4306);
    assert_eq!(
        try_repr(g, t, PyVersion::V3_8),
        Err(ReprError::IntTooLong {
            digits: 4305,
            limit: 4300
        })
    );
    assert_eq!(try_repr(g, just, PyVersion::V3_13).unwrap().len(), 4299);
    // 2**200_000 - 1 (60,206 digits): quadratic like CPython's own conversion, which
    // takes about 0.15 s for it (3.6.15, a loaded machine); so does pycopt.
    let mut b = Builder::default();
    let huge = b.long(false, &all_ones(200_000));
    let t0 = std::time::Instant::now();
    let text = repr(&b.g, huge, PyVersion::V3_6);
    let took = t0.elapsed();
    assert_eq!(text.len(), 60_206);
    assert!(text.starts_with("99800518"), "{}", &text[..10]);
    assert!(text.ends_with("79109375"), "{}", &text[text.len() - 10..]);
    eprintln!("2**200000-1 to decimal: {took:?}");
    assert!(took.as_secs() < 10, "{took:?}");
}

#[test]
fn hashes_match_python() {
    // hash() under PYTHONHASHSEED=0, printed by each interpreter.
    let mut b = Builder::default();
    let a = b.latin1(b"a");
    let abc = b.latin1(b"abc");
    let euro = b.utf8("€".as_bytes());
    let emoji = b.utf8("😀".as_bytes());
    let f = b.float(1.5);
    let m1 = b.int(-1);
    let tup = b.tuple(&[a, m1]);
    let g = &b.g;
    let h = |id, v| hash(g, id, v).unwrap();
    // SipHash-2-4 with a zero key (3.6-3.10), SipHash-1-3 from 3.11.
    assert_eq!(h(a, PyVersion::V3_6), -7_583_489_610_679_606_711);
    assert_eq!(h(a, PyVersion::V3_10), -7_583_489_610_679_606_711);
    assert_eq!(h(a, PyVersion::V3_11), 4_644_417_185_603_328_019);
    assert_eq!(h(abc, PyVersion::V3_12), -4_594_863_902_769_663_758);
    assert_eq!(h(abc, PyVersion::V3_7), 4_596_069_200_710_135_518);
    assert_eq!(h(abc, PyVersion::V2_7), 1_453_079_729_188_098_211);
    assert_eq!(h(euro, PyVersion::V3_10), -7_838_577_127_164_893_040);
    assert_eq!(h(euro, PyVersion::V3_11), -5_529_981_157_763_016_009);
    assert_eq!(h(euro, PyVersion::V2_7), 1_070_595_220_141);
    assert_eq!(h(emoji, PyVersion::V3_13), -3_536_540_696_076_613_844);
    assert_eq!(h(emoji, PyVersion::V3_6), 2_694_534_307_785_527_896);
    assert_eq!(h(emoji, PyVersion::V2_7), 16_449_585_346_049);
    assert_eq!(h(a, PyVersion::V2_7), 12_416_037_344);
    assert_eq!(h(f, PyVersion::V3_8), 1_152_921_504_606_846_977);
    assert_eq!(h(f, PyVersion::V2_7), 1_610_645_504);
    assert_eq!(h(m1, PyVersion::V3_8), -2);
    assert_eq!(h(tup, PyVersion::V3_7), 5_047_035_903_592_074_644);
    assert_eq!(h(tup, PyVersion::V3_8), -8_005_071_543_738_690_036);
    assert_eq!(h(tup, PyVersion::V3_11), -1_166_561_649_076_852_939);
    assert_eq!(h(tup, PyVersion::V2_7), 3_828_833_845_467_659_545);
}

#[test]
fn frozenset_repr_matches_python() {
    let mut b = Builder::default();
    let empty = b.frozenset(&[]);
    let ints: Vec<ObjId> = [9, 1, 17, 3, -1].iter().map(|&v| b.int(v)).collect();
    let fs = b.frozenset(&ints);
    let words: Vec<ObjId> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|w| b.latin1(w.as_bytes()))
        .collect();
    let ws = b.frozenset(&words);
    // Python 2's 'a' is a byte string.
    let words2: Vec<ObjId> = ["a", "b", "c", "d", "e", "f"]
        .iter()
        .map(|w| b.bytes(w.as_bytes()))
        .collect();
    let ws2 = b.frozenset(&words2);
    let one = b.int(1);
    let t = b.tuple(&[one]);
    let ts = b.frozenset(&[t]);
    let g = &b.g;
    assert_eq!(repr(g, empty, PyVersion::V3_11), "frozenset()");
    assert_eq!(repr(g, empty, PyVersion::V2_7), "frozenset([])");
    assert_eq!(repr(g, ts, PyVersion::V3_11), "frozenset({(1,)})");
    // frozenset([9, 1, 17, 3, -1]) as each interpreter prints it.
    assert_eq!(
        repr(g, fs, PyVersion::V3_11),
        "frozenset({1, 3, 9, 17, -1})"
    );
    assert_eq!(repr(g, fs, PyVersion::V3_6), "frozenset({1, 3, 9, 17, -1})");
    assert_eq!(repr(g, fs, PyVersion::V2_7), "frozenset([9, 3, 17, -1, 1])");
    // frozenset('abcdef') with PYTHONHASHSEED=0.
    assert_eq!(
        repr(g, ws, PyVersion::V3_11),
        "frozenset({'d', 'f', 'b', 'c', 'a', 'e'})"
    );
    assert_eq!(
        repr(g, ws, PyVersion::V3_8),
        "frozenset({'b', 'a', 'd', 'c', 'f', 'e'})"
    );
    assert_eq!(
        repr(g, ws2, PyVersion::V2_7),
        "frozenset(['a', 'c', 'b', 'e', 'd', 'f'])"
    );
}

#[test]
fn code_repr_has_fixed_address() {
    // repr(marshal.loads(...)) by 3.11.7 and 2.7.18, address aside.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (file, v, want) in [
        (
            "sample-3.11.pyc",
            PyVersion::V3_11,
            "<code object <module> at 0x0, file \"sample.py\", line 1>",
        ),
        (
            "sample-2.7.pyc",
            PyVersion::V2_7,
            "<code object <module> at 0x0, file \"sample.py\", line 2>",
        ),
    ] {
        let pyc = Pyc::parse(std::fs::read(dir.join(file)).unwrap()).unwrap();
        assert_eq!(pyc.version(), v);
        assert_eq!(repr(&pyc.graph, pyc.root, v), want);
    }
}

// ---------------------------------------------------------------------------
// 2. Synthetic values against each interpreter
// ---------------------------------------------------------------------------

/// Prints the hex of `marshal.dumps(values)`, then `HASH<TAB>REPR` per value of
/// the loaded tuple (`-` for a hash pycopt cannot know or an unhashable value).
const SYNTHETIC: &str = r#"
import marshal, random, struct, sys
PY2 = sys.version_info[0] == 2
ch = unichr if PY2 else chr
rng = random.Random(20240611)
vals = []
def add(*xs):
    vals.extend(xs)
ints = [0, 1, -1, -2, 2**31 - 1, -2**31, 2**31, 2**32, 2**61 - 2, 2**61 - 1, 2**61,
        -(2**61 - 1), 2**62, 2**63 - 1, -2**63, 2**63, 2**64 - 1, 2**64, -(2**64),
        2**64 - 2, 2**100, -(2**100) + 7, 10**50, 3**200, -(7**300)]
for k in range(40):
    ints.append(rng.randrange(-2**(k * 5), 2**(k * 5) + 1))
add(*ints)
if PY2:
    add(eval("5L"), eval("-1L"), eval("0L"))
floats = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, -2.5, 1e16, 1e15, 1e-5, 1e-4, 1e22,
          123456789.123, 2.5e-300, 5e-324, 1.7976931348623157e308, 2.0**53, 2.0**62,
          2.0**63, -2.0**70, 2.0**64 - 2048, 1e300, -1e-300, float("inf"), float("-inf"),
          0.3, 2.0 / 3, 1e-310, 4.0e18, 4.6e18, -4.6e18, 9.3e18]
for k in range(60):
    floats.append(rng.random() * 10.0 ** rng.randint(-30, 30) * rng.choice([1, -1]))
for k in range(60):
    x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
    if x == x:
        floats.append(x)
add(*floats)
inf = float("inf")
add(1j, -1j, complex(-0.0, 1), complex(1, -0.0), complex(0, -0.0), complex(1e16, 1e-5),
    complex(inf, -inf), 2 + 3j, complex(-0.0, -0.0), complex(0.0, 0.0), 1.5e-7j)
for k in range(10):
    add(complex(rng.choice(floats), rng.choice(floats)))
def rand_text(n, hi):
    out = []
    while len(out) < n:
        c = rng.randrange(hi)
        if 0xd800 <= c < 0xe000:
            continue
        out.append(ch(c))
    return u"".join(out)
texts = [u"", u"a", u"abc", u"it's", u"both ' and \"", u"\x00\x7f\x80\xa0\xad\\",
         u"\xe9", ch(0x20ac), ch(0x1f600), u"\t\n\r", u"x" * 100, ch(0x3000), ch(0x2028)]
for hi in (0x80, 0x100, 0x800, 0x10000, 0x110000):
    for k in range(12):
        texts.append(rand_text(rng.randint(1, 12), hi))
texts.append(u"".join(ch(c) for c in range(0x20, 0x3000, 7)))
texts.append(u"".join(ch(c) for c in range(0x3000, 0x110000, 97)))
add(*texts)
if not PY2:
    add(u"\ud800", u"a\udfffb", u"\udc80" * 3)
byts = [b"", b"a", b"it's", b"\"'", bytes(bytearray(range(256))), b"\x00\xff"]
for k in range(10):
    byts.append(bytes(bytearray(rng.getrandbits(8) for _ in range(rng.randint(1, 20)))))
add(*byts)
add((), (1,), (1, u"a", 2.5), ((1, 2), (3,)), (b"x", 1j, -1), (u"\xe9", (0.5, -0.0)))
add(frozenset(), frozenset([1]), frozenset([9, 1, 17, 3, -1, -2]),
    frozenset([True, 2.5]), frozenset([u"a", b"a"]) if not PY2 else frozenset([u"a", 1]))
for n in list(range(1, 40)) + [50, 64, 100, 200, 300, 1000, 5000]:
    pool = rng.choice([
        lambda: rng.randrange(-50, 1000),
        lambda: rng.randrange(0, 2**64) * rng.choice([1, -1]),
        lambda: rng.randrange(0, 64) * 8,
        lambda: rng.randrange(0, 10**6) * 1024,
        lambda: rand_text(rng.randint(0, 8), rng.choice([0x80, 0x100, 0x10000, 0x110000])),
        lambda: rng.choice(floats),
        lambda: (rng.randrange(100), rand_text(2, 0x80)),
        lambda: bytes(bytearray(rng.getrandbits(8) for _ in range(rng.randint(0, 5)))),
        lambda: rng.choice([rng.randrange(100), rand_text(3, 0x100), rng.choice(floats),
                            complex(rng.random(), 1), (rng.randrange(9),)]),
    ])
    elems = set()
    for _ in range(n * 20):
        if len(elems) >= n:
            break
        elems.add(pool())
    add(frozenset(elems))
    if n < 50:
        add(set(elems))
add(frozenset([frozenset([1, 2]), frozenset([u"x"]), frozenset()]),
    frozenset([(1, frozenset([2])), 3]))
loaded = marshal.loads(marshal.dumps(tuple(vals), 2 if PY2 else 4))
out = [marshal.dumps(tuple(vals), 2 if PY2 else 4).hex() if not PY2
       else marshal.dumps(tuple(vals), 2).encode("hex")]
for v in loaded:
    try:
        h = str(hash(v))
    except TypeError:
        h = "-"
    r = repr(v).replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
    out.append(h + "\t" + r)
text = "\n".join(out) + "\n"
if PY2:
    sys.stdout.write(text)
else:
    sys.stdout.buffer.write(text.encode("utf-8"))
"#;

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn synthetic_values_match_interpreters() {
    let mut failures = Vec::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let version = version_of(major, minor);
        let out = interp
            .command()
            .args(["-c", SYNTHETIC])
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::null())
            .output()
            .expect("run interpreter");
        assert!(
            out.status.success(),
            "{interp}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8 output");
        let mut lines = text.lines();
        let blob = hex_decode(lines.next().expect("marshal hex"));
        let read = read_object(blob, 0, version, &Limits::default()).expect("read marshal");
        let g = &read.graph;
        let values = g.as_tuple(read.root).expect("tuple").to_vec();
        let expected: Vec<&str> = lines.collect();
        assert_eq!(values.len(), expected.len(), "{version}: value count");
        let mut bad = 0;
        for (i, (&id, line)) in values.iter().zip(&expected).enumerate() {
            let (want_hash, want_repr) = line.split_once('\t').expect("tab");
            let got_repr = escape(&repr(g, id, version));
            let got_hash = hash(g, id, version).map_or("-".to_string(), |h| h.to_string());
            let hash_ok = want_hash == got_hash;
            if got_repr != want_repr || !hash_ok {
                bad += 1;
                if bad <= 8 {
                    failures.push(format!(
                        "{version} value {i}:\n  python: {want_hash} {want_repr}\n  pycopt: {got_hash} {got_repr}"
                    ));
                }
            }
        }
        eprintln!("{version}: {} synthetic values, {bad} differ", values.len());
        if bad > 8 {
            failures.push(format!("{version}: {bad} values differ in all"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// 3. The standard library's constants
// ---------------------------------------------------------------------------

/// Whether the repr of `id` shows a set whose order may change from one run of the
/// interpreter to the next (an element's hash is address-based).
fn order_may_vary(g: &ObjectGraph, id: ObjId, version: PyVersion) -> bool {
    match &g.node(id).value {
        Value::FrozenSet(items) | Value::Set(items) => g.items(*items).iter().any(|&i| {
            pyrepr::hash_depends_on_address(g, i, version) || order_may_vary(g, i, version)
        }),
        Value::Tuple(items) | Value::List(items) => g
            .items(*items)
            .iter()
            .any(|&i| order_may_vary(g, i, version)),
        _ => false,
    }
}

/// One line per constant, in the traversal order of `dump_const_reprs.py`, each
/// with whether its set order may vary between interpreter runs.
fn walk(g: &ObjectGraph, id: ObjId, version: PyVersion, out: &mut Vec<(String, bool)>) {
    let line = match try_repr(g, id, version) {
        Ok(text) => escape(&text),
        Err(ReprError::IntTooLong { .. }) => "!ValueError".to_string(),
    };
    out.push((line, order_may_vary(g, id, version)));
    match &g.node(id).value {
        Value::Tuple(items) => {
            for &item in g.items(*items) {
                walk(g, item, version, out);
            }
        }
        Value::FrozenSet(items) => {
            let mut sub = Vec::new();
            for &item in g.items(*items) {
                walk(g, item, version, &mut sub);
            }
            sub.sort();
            out.extend(sub);
        }
        Value::Code(code) => {
            for &item in code.consts(g) {
                walk(g, item, version, out);
            }
        }
        _ => {}
    }
}

/// Whether two lines hold the same characters (the same elements, reordered).
fn same_chars(a: &str, b: &str) -> bool {
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    a.len() == b.len() && sorted(a) == sorted(b)
}

fn pycopt_lines(path: &Path, version: PyVersion) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    match std::fs::read(path).ok().and_then(|d| Pyc::parse(d).ok()) {
        Some(pyc) if pyc.version() == version => walk(&pyc.graph, pyc.root, version, &mut out),
        _ => out.push(("!error".to_string(), false)),
    }
    out
}

/// Whether `path` starts with `version`'s magic number.
fn has_magic(path: &Path, version: PyVersion) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && u16::from_le_bytes([head[0], head[1]]) == version.magic()
        && head[2..4] == [0x0d, 0x0a]
}

/// Every `step`-th file, by a hash of its path, so the subset is deterministic and
/// spread over the whole library.
fn in_subset(path: &Path, step: u64) -> bool {
    if step <= 1 {
        return true;
    }
    let h = path
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
    h % step == 0
}

#[derive(Default)]
struct Tally {
    files: usize,
    lines: usize,
    differ: usize,
    /// Lines that differ only in the order of a set whose order varies between
    /// interpreter runs (address-based hashes): tolerated.
    varying: usize,
    examples: Vec<String>,
}

#[test]
fn stdlib_constants_match_interpreters() {
    let full = std::env::var("PYCOPT_PYREPR_FULL").is_ok_and(|v| v == "1");
    let mut tallies = BTreeMap::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let version = version_of(major, minor);
        let t0 = std::time::Instant::now();
        let step = if full { 1 } else { 3 };
        let files: Vec<PathBuf> = pycopt_corpus::pyc_files(&interp.library_dir())
            .into_iter()
            .filter(|p| in_subset(p, step) && has_magic(p, version))
            .collect();
        assert!(!files.is_empty(), "{version}: no .pyc files");
        let list = scratch(&format!("{major}.{minor}-list"));
        let dump = scratch(&format!("{major}.{minor}-out"));
        let mut listing = String::new();
        for f in &files {
            listing.push_str(f.to_str().expect("utf-8 path"));
            listing.push('\n');
        }
        std::fs::write(&list, listing).unwrap();
        // The interpreter works on one core while pycopt works on the others.
        let mut child = interp
            .command()
            .arg(script("dump_const_reprs.py"))
            .arg(&list)
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&dump).unwrap())
            .spawn()
            .expect("run dump_const_reprs.py");
        let ours: Vec<Vec<(String, bool)>> =
            files.par_iter().map(|p| pycopt_lines(p, version)).collect();
        let status = child.wait().unwrap();
        assert!(status.success(), "{interp}: dump_const_reprs.py failed");
        let raw = std::fs::read(&dump).unwrap();
        let _ = std::fs::remove_file(&list);
        let _ = std::fs::remove_file(&dump);
        // Split the interpreter's output per file.
        let mut theirs: Vec<Vec<String>> = Vec::with_capacity(files.len());
        for line in raw.split(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(line);
            if let Some(n) = line.strip_prefix("=== ") {
                assert_eq!(n.parse::<usize>().ok(), Some(theirs.len()), "file index");
                theirs.push(Vec::new());
            } else if let Some(cur) = theirs.last_mut() {
                cur.push(line.into_owned());
            }
        }
        if let Some(last) = theirs.last_mut() {
            if last.last().is_some_and(|l| l.is_empty()) {
                last.pop();
            }
        }
        assert_eq!(theirs.len(), files.len(), "{version}: files in output");
        let mut tally = Tally {
            files: files.len(),
            ..Tally::default()
        };
        for ((path, ours), theirs) in files.iter().zip(&ours).zip(&theirs) {
            tally.lines += theirs.len();
            if ours.len() != theirs.len() {
                tally.differ += theirs.len().max(1);
                tally.examples.push(format!(
                    "{}: {} constants, pycopt walked {}",
                    path.display(),
                    theirs.len(),
                    ours.len()
                ));
                continue;
            }
            for ((a, may_vary), b) in ours.iter().zip(theirs) {
                if a != b && *may_vary && same_chars(a, b) {
                    tally.varying += 1;
                    eprintln!(
                        "note: {version}: {}: set order depends on addresses:\n    python: {}\n    pycopt: {}",
                        path.display(),
                        clip(b),
                        clip(a)
                    );
                } else if a != b {
                    tally.differ += 1;
                    if tally.examples.len() < 10 {
                        tally.examples.push(format!(
                            "{}:\n    python: {}\n    pycopt: {}",
                            path.display(),
                            clip(b),
                            clip(a)
                        ));
                    }
                }
            }
        }
        eprintln!(
            "{version}: {} files, {} constants, {} differ ({:.4}% match), {} differ in \
             address-dependent set order only, in {:.1?}",
            tally.files,
            tally.lines,
            tally.differ,
            100.0 * (tally.lines - tally.differ) as f64 / tally.lines.max(1) as f64,
            tally.varying,
            t0.elapsed()
        );
        tallies.insert(version, tally);
    }
    let mut report = Vec::new();
    for (version, t) in &tallies {
        if t.differ > 0 {
            report.push(format!(
                "{version}: {} of {} constants differ",
                t.differ, t.lines
            ));
            report.extend(t.examples.iter().cloned());
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

fn clip(s: &str) -> String {
    if s.len() <= 300 {
        return s.to_string();
    }
    let mut end = 300;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}
