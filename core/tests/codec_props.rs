//! Property tests of the marshal codec on generated streams.
//!
//! A strategy builds a random object tree for a version (every value kind, every
//! string form, flagged objects, references to earlier registered objects, code
//! objects of the version's layout); a small independent encoder below writes it as
//! a marshal stream and records, in pre-order, what each object is. Then:
//! reading the stream and writing the graph back reproduces the bytes exactly, and
//! the values read are the values generated (references included: a reference is
//! the same object as its target, not a copy).

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::test_runner::Config;
use pycopt_core::code::{CodeLayout, Field, FieldKind};
use pycopt_core::marshal::{read_object, write_object, Limits, ObjId, ObjectGraph, Value};
use pycopt_core::PyVersion;

// ---------------------------------------------------------------------------------
// The generated objects.

/// One object as generated: `g` is what it is, `flag` whether its type byte carries
/// FLAG_REF (marshal v3+ only).
#[derive(Clone, Debug)]
struct Obj {
    flag: bool,
    g: G,
}

#[derive(Clone, Debug)]
enum G {
    /// `N F T S .`
    Single(u8),
    Int(i32),
    Int64(i64),
    Long {
        negative: bool,
        digits: Vec<u16>,
    },
    Float(u64),
    FloatText(String),
    Complex(u64, u64),
    ComplexText(String, String),
    /// `s`
    Bytes(Vec<u8>),
    /// `u t a A z Z` with their payload.
    Str {
        code: u8,
        raw: Vec<u8>,
    },
    /// `( ) [ < >`
    Seq {
        code: u8,
        items: Vec<Obj>,
    },
    Dict(Vec<(Obj, Obj)>),
    /// Int fields in the layout's order, then object fields in the layout's order.
    Code {
        ints: Vec<i32>,
        objs: Vec<Obj>,
    },
    /// A reference to an earlier registered, finished object: the encoder picks
    /// `pick` modulo the candidates (or writes a plain object when there are none).
    Ref(u32),
}

fn plain(g: G) -> Obj {
    Obj { flag: false, g }
}

// ---------------------------------------------------------------------------------
// Strategies.

fn is_v2(v: PyVersion) -> bool {
    v.marshal_version() < 3
}

/// Wraps a strategy so its objects are flagged at random (never on marshal v2).
fn flagged(v: PyVersion, s: impl Strategy<Value = G> + 'static) -> BoxedStrategy<Obj> {
    if is_v2(v) {
        s.prop_map(plain).boxed()
    } else {
        (any::<bool>(), s)
            .prop_map(|(flag, g)| Obj { flag, g })
            .boxed()
    }
}

/// UTF-8 as CPython's surrogatepass writes it: any characters and lone surrogates.
fn utf8_surrogatepass() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        2 => "[a-z_]{1,4}".prop_map(String::into_bytes),
        1 => (0xd800u32..0xe000).prop_map(|cp| vec![
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

/// A string object of any form the version has.
fn string(v: PyVersion) -> BoxedStrategy<G> {
    let utf8 = |code: u8| utf8_surrogatepass().prop_map(move |raw| G::Str { code, raw });
    let latin1 = |code: u8, max: usize| {
        prop::collection::vec(any::<u8>(), 0..max).prop_map(move |raw| G::Str { code, raw })
    };
    if is_v2(v) {
        // 2.7: byte strings (plain or interned, any bytes) and unicode.
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..20).prop_map(G::Bytes),
            latin1(b't', 20),
            utf8(b'u'),
        ]
        .boxed()
    } else {
        prop_oneof![
            utf8(b'u'),
            utf8(b't'),
            latin1(b'a', 40),
            latin1(b'A', 40),
            latin1(b'z', 256),
            latin1(b'Z', 256),
            // Boundary: the longest short form.
            prop::collection::vec(any::<u8>(), 255).prop_map(|raw| G::Str { code: b'Z', raw }),
        ]
        .boxed()
    }
}

fn float_bits() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        any::<f64>().prop_map(f64::to_bits),
        Just((-0.0f64).to_bits()),
        Just(f64::NAN.to_bits()),
        // NaNs with payloads, quiet and signalling, both signs.
        (1u64..1 << 51).prop_map(|p| 0x7ff8_0000_0000_0000 | p),
        (1u64..1 << 51).prop_map(|p| 0xfff0_0000_0000_0000 | p),
        Just(f64::INFINITY.to_bits()),
        Just(f64::NEG_INFINITY.to_bits()),
    ]
}

fn float_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|f| format!("{f:?}")),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        any::<i32>().prop_map(|i| i.to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("nan".to_string()),
        Just("-0.0".to_string()),
    ]
}

fn long() -> impl Strategy<Value = G> {
    (
        any::<bool>(),
        prop_oneof![
            prop::collection::vec(0u16..0x8000, 0..5),
            prop::collection::vec(0u16..0x8000, 5..40),
        ],
    )
        .prop_map(|(negative, mut digits)| {
            if let Some(top) = digits.last_mut() {
                // Normalized: the most significant digit is not zero.
                *top = (*top).max(1);
            }
            G::Long {
                negative: negative && !digits.is_empty(),
                digits,
            }
        })
}

fn leaf(v: PyVersion) -> BoxedStrategy<Obj> {
    let scalar = prop_oneof![
        prop::sample::select(vec![b'N', b'F', b'T', b'S', b'.']).prop_map(G::Single),
        any::<i32>().prop_map(G::Int),
        prop_oneof![Just(i32::MIN), Just(i32::MAX), Just(0), Just(-1)].prop_map(G::Int),
        any::<i64>().prop_map(G::Int64),
        long(),
        float_bits().prop_map(G::Float),
        float_text().prop_map(G::FloatText),
        (float_bits(), float_bits()).prop_map(|(a, b)| G::Complex(a, b)),
        (float_text(), float_text()).prop_map(|(a, b)| G::ComplexText(a, b)),
        prop::collection::vec(any::<u8>(), 0..30).prop_map(G::Bytes),
        string(v),
    ];
    prop_oneof![
        6 => flagged(v, scalar),
        1 => any::<u32>().prop_map(|p| plain(G::Ref(p))),
    ]
    .boxed()
}

/// A `str` for a code object's name fields (or a reference to an earlier one).
fn str_obj(v: PyVersion) -> BoxedStrategy<Obj> {
    prop_oneof![
        3 => flagged(v, string(v)),
        1 => any::<u32>().prop_map(|p| plain(G::Ref(p))),
    ]
    .boxed()
}

fn tuple_code(v: PyVersion) -> BoxedStrategy<u8> {
    if is_v2(v) {
        Just(b'(').boxed()
    } else {
        prop::sample::select(vec![b'(', b')']).boxed()
    }
}

fn tuple_of(v: PyVersion, item: BoxedStrategy<Obj>, max: usize) -> BoxedStrategy<Obj> {
    flagged(
        v,
        (tuple_code(v), prop::collection::vec(item, 0..max))
            .prop_map(|(code, items)| G::Seq { code, items }),
    )
}

fn bytes_obj(v: PyVersion, even: bool) -> BoxedStrategy<Obj> {
    flagged(
        v,
        prop::collection::vec(any::<u8>(), 0..24).prop_map(move |mut b| {
            if even && b.len() % 2 == 1 {
                b.pop();
            }
            G::Bytes(b)
        }),
    )
}

/// A code object of the version's layout whose `co_consts` holds `inner` objects.
fn code(v: PyVersion, inner: BoxedStrategy<Obj>) -> BoxedStrategy<Obj> {
    let layout = CodeLayout::of(v);
    // Int fields: valid counts (the reader checks them), anything for the rest.
    let ints = (
        0i32..20,
        0i32..20,
        0i32..10,
        0i32..60,
        0i32..200,
        any::<i32>(),
        any::<i32>(),
    )
        .prop_map(move |(arg, posonly, kwonly, nlocals, stack, flags, line)| {
            layout
                .fields()
                .iter()
                .filter(|f| f.kind() == FieldKind::Int)
                .map(|f| match f {
                    Field::ArgCount => arg,
                    Field::PosOnlyArgCount => posonly.min(arg),
                    Field::KwOnlyArgCount => kwonly,
                    Field::NLocals => nlocals,
                    Field::StackSize => stack,
                    Field::Flags => flags,
                    Field::FirstLineNo => line,
                    _ => unreachable!("not an int field"),
                })
                .collect::<Vec<i32>>()
        });
    let names = || tuple_of(v, str_obj(v), 5);
    // 3.11+: locals-plus names and one kind byte per name.
    let locals_plus = (tuple_code(v), prop::collection::vec(str_obj(v), 0..5)).prop_flat_map(
        move |(code, names)| {
            let n = names.len();
            (
                flagged(v, Just(G::Seq { code, items: names })),
                flagged(v, prop::collection::vec(any::<u8>(), n).prop_map(G::Bytes)),
            )
        },
    );
    let objs = (
        (
            bytes_obj(v, !is_v2(v)),
            tuple_of(v, inner, 6),
            names(),
            names(),
            names(),
            names(),
        ),
        locals_plus,
        (str_obj(v), str_obj(v), str_obj(v)),
        (bytes_obj(v, false), bytes_obj(v, false)),
    )
        .prop_map(
            move |(
                (code, consts, names, varnames, freevars, cellvars),
                (plus_names, plus_kinds),
                (filename, name, qualname),
                (linetable, exceptiontable),
            )| {
                layout
                    .fields()
                    .iter()
                    .filter(|f| f.kind() != FieldKind::Int)
                    .map(|f| match f {
                        Field::Code => code.clone(),
                        Field::Consts => consts.clone(),
                        Field::Names => names.clone(),
                        Field::VarNames => varnames.clone(),
                        Field::FreeVars => freevars.clone(),
                        Field::CellVars => cellvars.clone(),
                        Field::LocalsPlusNames => plus_names.clone(),
                        Field::LocalsPlusKinds => plus_kinds.clone(),
                        Field::FileName => filename.clone(),
                        Field::Name => name.clone(),
                        Field::QualName => qualname.clone(),
                        Field::LineTable => linetable.clone(),
                        Field::ExceptionTable => exceptiontable.clone(),
                        _ => unreachable!("not an object field"),
                    })
                    .collect::<Vec<Obj>>()
            },
        );
    flagged(
        v,
        (ints, objs).prop_map(|(ints, objs)| G::Code { ints, objs }),
    )
}

fn object(v: PyVersion) -> BoxedStrategy<Obj> {
    leaf(v)
        .prop_recursive(4, 48, 6, move |inner| {
            let seq = |code: u8, max: usize| {
                flagged(
                    v,
                    prop::collection::vec(inner.clone(), 0..max)
                        .prop_map(move |items| G::Seq { code, items }),
                )
            };
            let mut kinds: Vec<(u32, BoxedStrategy<Obj>)> = vec![
                (3, seq(b'(', 6)),
                (2, seq(b'[', 6)),
                (1, seq(b'<', 6)),
                (1, seq(b'>', 6)),
                (
                    2,
                    flagged(
                        v,
                        prop::collection::vec((inner.clone(), inner.clone()), 0..5)
                            .prop_map(G::Dict),
                    ),
                ),
                // Large: more than a small tuple holds.
                (
                    1,
                    flagged(
                        v,
                        prop::collection::vec(leaf(v), 256..300)
                            .prop_map(|items| G::Seq { code: b'(', items }),
                    ),
                ),
                (1, code(v, inner.clone())),
            ];
            if !is_v2(v) {
                kinds.push((3, seq(b')', 6)));
                // Boundary: a full small tuple.
                kinds.push((
                    1,
                    flagged(
                        v,
                        prop::collection::vec(leaf(v), 255)
                            .prop_map(|items| G::Seq { code: b')', items }),
                    ),
                ));
            }
            prop::strategy::Union::new_weighted(kinds)
        })
        .boxed()
}

/// A root object: anything, or a code object (as in a `.pyc`).
fn root(v: PyVersion) -> BoxedStrategy<Obj> {
    prop_oneof![object(v), code(v, object(v))].boxed()
}

// ---------------------------------------------------------------------------------
// The encoder.

/// What one object of the stream is, in pre-order.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Node {
        type_byte: u8,
        value: ExpectValue,
    },
    /// A reference to the `n`th registered object.
    Ref(usize),
}

#[derive(Clone, Debug, PartialEq)]
enum ExpectValue {
    Single(u8),
    Int(i32),
    Int64(i64),
    Long(bool, Vec<u16>),
    Float(u64),
    FloatText(String),
    Complex(u64, u64),
    ComplexText(String, String),
    /// `s`, and 2.7's interned `t`.
    Bytes(Vec<u8>),
    Str(Vec<u8>),
    Seq(u8, usize),
    Dict(usize),
    Code(Vec<i32>),
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Any,
    /// Only a `str` will do (a code object's name fields).
    Str,
    /// A tuple of `str` (a code object's name tuples): its items are `Str`.
    TupleOfStr,
}

struct Encoder {
    v2: bool,
    layout: CodeLayout,
    out: Vec<u8>,
    /// Registered objects: (finished, is a str).
    registered: Vec<(bool, bool)>,
    expect: Vec<Expect>,
}

impl Encoder {
    fn new(v: PyVersion) -> Encoder {
        Encoder {
            v2: is_v2(v),
            layout: CodeLayout::of(v),
            out: Vec::new(),
            registered: Vec::new(),
            expect: Vec::new(),
        }
    }

    fn i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn text(&mut self, t: &str) {
        self.out.push(t.len() as u8);
        self.out.extend_from_slice(t.as_bytes());
    }

    fn node(&mut self, type_byte: u8, value: ExpectValue) {
        self.out.push(type_byte);
        self.expect.push(Expect::Node { type_byte, value });
    }

    fn encode(&mut self, o: &Obj, ctx: Ctx) {
        let G::Ref(pick) = o.g else {
            return self.encode_object(o, ctx);
        };
        let candidates: Vec<usize> = (0..self.registered.len())
            .filter(|&i| {
                let (finished, is_str) = self.registered[i];
                finished && (ctx == Ctx::Any || is_str)
            })
            .collect();
        if candidates.is_empty() {
            let fallback = match ctx {
                Ctx::Any => G::Single(b'N'),
                Ctx::TupleOfStr => unreachable!("name tuples are generated, not referenced"),
                Ctx::Str if self.v2 => G::Bytes(b"x".to_vec()),
                Ctx::Str => G::Str {
                    code: b'z',
                    raw: b"x".to_vec(),
                },
            };
            return self.encode_object(&plain(fallback), ctx);
        }
        let index = candidates[pick as usize % candidates.len()];
        self.out.push(if self.v2 { b'R' } else { b'r' });
        self.i32(index as i32);
        self.expect.push(Expect::Ref(index));
    }

    fn encode_object(&mut self, o: &Obj, ctx: Ctx) {
        let code = match &o.g {
            G::Single(c) => *c,
            G::Int(_) => b'i',
            G::Int64(_) => b'I',
            G::Long { .. } => b'l',
            G::Float(_) => b'g',
            G::FloatText(_) => b'f',
            G::Complex(..) => b'y',
            G::ComplexText(..) => b'x',
            G::Bytes(_) => b's',
            G::Str { code, .. } | G::Seq { code, .. } => *code,
            G::Dict(_) => b'{',
            G::Code { .. } => b'c',
            G::Ref(_) => unreachable!("encoded by encode"),
        };
        let type_byte = if o.flag { code | 0x80 } else { code };
        // Which objects take a slot in the reference table, as CPython's reader
        // numbers them: v3+ flagged non-singletons, v2 interned strings.
        let registers = if self.v2 {
            code == b't'
        } else {
            o.flag && !matches!(code, b'N' | b'F' | b'T' | b'S' | b'.')
        };
        let slot = self.registered.len();
        if registers {
            let is_str = self.v2 || matches!(o.g, G::Str { .. });
            self.registered.push((false, is_str));
        }
        match &o.g {
            G::Single(c) => self.node(type_byte, ExpectValue::Single(*c)),
            G::Int(v) => {
                self.node(type_byte, ExpectValue::Int(*v));
                self.i32(*v);
            }
            G::Int64(v) => {
                self.node(type_byte, ExpectValue::Int64(*v));
                self.u64(*v as u64);
            }
            G::Long { negative, digits } => {
                self.node(type_byte, ExpectValue::Long(*negative, digits.clone()));
                let n = digits.len() as i32;
                self.i32(if *negative { -n } else { n });
                for d in digits {
                    self.out.extend_from_slice(&d.to_le_bytes());
                }
            }
            G::Float(bits) => {
                self.node(type_byte, ExpectValue::Float(*bits));
                self.u64(*bits);
            }
            G::FloatText(t) => {
                self.node(type_byte, ExpectValue::FloatText(t.clone()));
                self.text(t);
            }
            G::Complex(re, im) => {
                self.node(type_byte, ExpectValue::Complex(*re, *im));
                self.u64(*re);
                self.u64(*im);
            }
            G::ComplexText(re, im) => {
                self.node(type_byte, ExpectValue::ComplexText(re.clone(), im.clone()));
                self.text(re);
                self.text(im);
            }
            G::Bytes(b) => {
                self.node(type_byte, ExpectValue::Bytes(b.clone()));
                self.i32(b.len() as i32);
                self.out.extend_from_slice(b);
            }
            G::Str { code, raw } => {
                let value = if self.v2 && *code == b't' {
                    ExpectValue::Bytes(raw.clone())
                } else {
                    ExpectValue::Str(raw.clone())
                };
                self.node(type_byte, value);
                if matches!(code, b'z' | b'Z') {
                    self.out.push(raw.len() as u8);
                } else {
                    self.i32(raw.len() as i32);
                }
                self.out.extend_from_slice(raw);
            }
            G::Seq { code, items } => {
                self.node(type_byte, ExpectValue::Seq(*code, items.len()));
                if *code == b')' {
                    self.out.push(items.len() as u8);
                } else {
                    self.i32(items.len() as i32);
                }
                let item_ctx = if ctx == Ctx::TupleOfStr {
                    Ctx::Str
                } else {
                    Ctx::Any
                };
                for item in items {
                    self.encode(item, item_ctx);
                }
            }
            G::Dict(pairs) => {
                self.node(type_byte, ExpectValue::Dict(pairs.len()));
                for (k, v) in pairs {
                    self.encode(k, Ctx::Any);
                    self.encode(v, Ctx::Any);
                }
                self.out.push(b'0');
            }
            G::Code { ints, objs } => {
                self.node(type_byte, ExpectValue::Code(ints.clone()));
                let (mut ints, mut objs) = (ints.iter(), objs.iter());
                for f in self.layout.fields() {
                    match f.kind() {
                        FieldKind::Int => {
                            let v = *ints.next().expect("an int per int field");
                            self.i32(v);
                        }
                        kind => {
                            let ctx = match kind {
                                FieldKind::Str => Ctx::Str,
                                FieldKind::TupleOfStr => Ctx::TupleOfStr,
                                _ => Ctx::Any,
                            };
                            self.encode(objs.next().expect("an object per field"), ctx);
                        }
                    }
                }
            }
            G::Ref(_) => unreachable!(),
        }
        if registers {
            self.registered[slot].0 = true;
        }
    }
}

fn encode(v: PyVersion, o: &Obj) -> (Vec<u8>, Vec<Expect>) {
    let mut e = Encoder::new(v);
    e.encode(o, Ctx::Any);
    (e.out, e.expect)
}

// ---------------------------------------------------------------------------------
// Checking what was read.

/// The graph in the writer's pre-order: each edge's child, and whether it was met
/// before (then it is a reference).
fn pre_order(g: &ObjectGraph, root: ObjId) -> Vec<(ObjId, bool)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let again = !seen.insert(id);
        out.push((id, again));
        if again {
            continue;
        }
        let mut kids: Vec<ObjId> = g.children(id).to_vec();
        if let Some(code) = g.as_code(id) {
            kids.extend(code.object_fields().map(|(_, c)| c));
        }
        stack.extend(kids.into_iter().rev());
    }
    out
}

fn long_value(negative: bool, digits: &[u16]) -> Option<i64> {
    if digits.len() > 5 {
        return None; // at least 2^60 · 2^15: beyond i64
    }
    let mag = digits
        .iter()
        .rev()
        .fold(0i128, |acc, &d| (acc << 15) | i128::from(d));
    i64::try_from(if negative { -mag } else { mag }).ok()
}

fn check_values(
    v: PyVersion,
    g: &ObjectGraph,
    root: ObjId,
    expect: &[Expect],
) -> Result<(), TestCaseError> {
    let visits = pre_order(g, root);
    prop_assert_eq!(visits.len(), expect.len());
    let mut registered: Vec<ObjId> = Vec::new();
    for (&(id, again), e) in visits.iter().zip(expect) {
        let node = g.node(id);
        let (type_byte, want) = match e {
            Expect::Ref(n) => {
                prop_assert!(again, "a reference was read as a new object");
                prop_assert_eq!(id, registered[*n], "reference to the wrong object");
                continue;
            }
            Expect::Node { type_byte, value } => (*type_byte, value),
        };
        prop_assert!(!again, "object read as a reference");
        prop_assert_eq!(node.type_byte, type_byte);
        let registers = if is_v2(v) {
            type_byte == b't'
        } else {
            type_byte & 0x80 != 0 && !matches!(type_byte & 0x7f, b'N' | b'F' | b'T' | b'S' | b'.')
        };
        if registers {
            registered.push(id);
        }
        let bytes = |span| g.bytes(span).to_vec();
        match (want, &node.value) {
            (ExpectValue::Single(c), value) => {
                let want = match c {
                    b'N' => Value::None,
                    b'T' => Value::True,
                    b'F' => Value::False,
                    b'S' => Value::StopIteration,
                    _ => Value::Ellipsis,
                };
                prop_assert_eq!(value, &want);
            }
            (ExpectValue::Int(x), Value::Int(y)) => {
                prop_assert_eq!(x, y);
                prop_assert_eq!(g.as_i64(id), Some(i64::from(*x)));
            }
            (ExpectValue::Int64(x), Value::Int64(y)) => {
                prop_assert_eq!(x, y);
                prop_assert_eq!(g.as_i64(id), Some(*x));
            }
            (
                ExpectValue::Long(neg, digits),
                Value::Long {
                    negative,
                    digits: span,
                },
            ) => {
                prop_assert_eq!(neg, negative);
                let le: Vec<u8> = digits.iter().flat_map(|d| d.to_le_bytes()).collect();
                prop_assert_eq!(bytes(*span), le);
                prop_assert_eq!(g.as_i64(id), long_value(*neg, digits));
            }
            (ExpectValue::Float(x), Value::Float(y)) => prop_assert_eq!(x, y),
            (ExpectValue::FloatText(t), Value::FloatText(s)) => {
                prop_assert_eq!(bytes(*s), t.as_bytes())
            }
            (ExpectValue::Complex(a, b), Value::Complex(c, d)) => {
                prop_assert_eq!((a, b), (c, d))
            }
            (ExpectValue::ComplexText(a, b), Value::ComplexText(c, d)) => {
                prop_assert_eq!(bytes(*c), a.as_bytes());
                prop_assert_eq!(bytes(*d), b.as_bytes());
            }
            (ExpectValue::Bytes(b), Value::Bytes(s)) => {
                prop_assert_eq!(&bytes(*s), b);
                prop_assert_eq!(g.as_bytes(id), Some(b.as_slice()));
            }
            (ExpectValue::Str(raw), Value::Str(s)) => {
                prop_assert_eq!(&bytes(*s), raw);
                let text = g.as_str(id);
                if matches!(type_byte & 0x7f, b'a' | b'A' | b'z' | b'Z') {
                    let latin1: String = raw.iter().map(|&b| char::from(b)).collect();
                    prop_assert_eq!(text.as_deref(), Some(latin1.as_str()));
                } else {
                    // UTF-8 reads as its text; lone surrogates have none.
                    prop_assert_eq!(text.as_deref(), std::str::from_utf8(raw).ok());
                }
            }
            (ExpectValue::Seq(code, n), value) => {
                let items = match (code, value) {
                    (b'(' | b')', Value::Tuple(i))
                    | (b'[', Value::List(i))
                    | (b'<', Value::Set(i))
                    | (b'>', Value::FrozenSet(i)) => *i,
                    _ => return Err(TestCaseError::fail(format!("{value:?} for {code}"))),
                };
                prop_assert_eq!(items.len(), *n);
            }
            (ExpectValue::Dict(n), Value::Dict(items)) => prop_assert_eq!(items.len(), 2 * n),
            (ExpectValue::Code(ints), Value::Code(c)) => {
                prop_assert_eq!(c.layout, CodeLayout::of(v));
                let got: Vec<i32> = c
                    .layout
                    .fields()
                    .iter()
                    .filter(|f| f.kind() == FieldKind::Int)
                    .map(|&f| c.int_field(f))
                    .collect();
                prop_assert_eq!(&got, ints);
            }
            (want, got) => {
                return Err(TestCaseError::fail(format!(
                    "expected {want:?}, read {got:?}"
                )))
            }
        }
    }
    Ok(())
}

/// Read, check values, write back, compare; then the stream's prefixes fail and
/// trailing bytes are left alone.
fn round_trip(v: PyVersion, o: &Obj) -> Result<(), TestCaseError> {
    let (bytes, expect) = encode(v, o);
    let out = read_object(bytes.clone(), 0, v, &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("{v}: {e}")))?;
    prop_assert_eq!(out.end, bytes.len());
    check_values(v, &out.graph, out.root, &expect)?;
    let mut back = Vec::new();
    write_object(&out.graph, out.root, v, &mut back)
        .map_err(|e| TestCaseError::fail(format!("{v}: write: {e}")))?;
    prop_assert_eq!(&back, &bytes);

    // Every strict prefix is incomplete (tried at a few cut points).
    for cut in [0, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let err = read_object(bytes[..cut].to_vec(), 0, v, &Limits::default())
            .expect_err("a prefix is incomplete");
        prop_assert!(err.offset() <= cut);
    }
    // Bytes after the object are not read.
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"\xff\x00junk");
    let out = read_object(longer, 0, v, &Limits::default()).unwrap();
    prop_assert_eq!(out.end, bytes.len());
    Ok(())
}

fn v3_version() -> impl Strategy<Value = PyVersion> {
    prop::sample::select(PyVersion::ALL[1..].to_vec())
}

proptest! {
    #![proptest_config(Config { cases: 400, ..Config::default() })]

    #[test]
    fn marshal_v4_streams_round_trip((v, o) in v3_version().prop_flat_map(|v| (Just(v), root(v)))) {
        round_trip(v, &o)?;
    }

    #[test]
    fn marshal_v2_streams_round_trip(o in root(PyVersion::V2_7)) {
        round_trip(PyVersion::V2_7, &o)?;
    }
}

/// Each code layout round-trips, with nested code objects in `co_consts`.
#[test]
fn every_code_layout_round_trips() {
    let mut runner = proptest::test_runner::TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    for v in [
        PyVersion::V2_7,
        PyVersion::V3_6,
        PyVersion::V3_8,
        PyVersion::V3_11,
    ] {
        runner
            .run(&code(v, code(v, leaf(v))), |o| round_trip(v, &o))
            .unwrap_or_else(|e| panic!("{v}: {e}"));
    }
}

/// The encoder itself: a known stream (the crate's own doc example).
#[test]
fn encoder_writes_known_bytes() {
    let o = Obj {
        flag: true,
        g: G::Seq {
            code: b')',
            items: vec![
                Obj {
                    flag: true,
                    g: G::Str {
                        code: b'z',
                        raw: b"hi".to_vec(),
                    },
                },
                plain(G::Ref(0)),
            ],
        },
    };
    let (bytes, expect) = encode(PyVersion::V3_11, &o);
    assert_eq!(bytes, [0xa9, 2, 0xfa, 2, b'h', b'i', b'r', 1, 0, 0, 0]);
    assert_eq!(expect.len(), 3);
    assert_eq!(expect[2], Expect::Ref(1));
}

/// The strategies reach every kind of object they claim to, on both marshal
/// versions (so the round-trip properties above cover them).
#[test]
fn generator_covers_every_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    for v in [PyVersion::V2_7, PyVersion::V3_12] {
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let mut codes = HashSet::new();
        let (mut flagged, mut refs, mut surrogates, mut big_tuple, mut full_small) =
            (0, 0, 0, 0, 0);
        let (mut nan_payload, mut neg_zero, mut neg_long, mut nested_code) = (0, 0, 0, 0);
        for _ in 0..300 {
            let o = root(v).new_tree(&mut runner).unwrap().current();
            let (_, expect) = encode(v, &o);
            let mut codes_here = 0;
            for e in &expect {
                let Expect::Node { type_byte, value } = e else {
                    refs += 1;
                    continue;
                };
                codes.insert(type_byte & 0x7f);
                flagged += usize::from(type_byte & 0x80 != 0);
                match value {
                    ExpectValue::Str(raw) | ExpectValue::Bytes(raw)
                        if raw.windows(2).any(|w| w[0] == 0xed && w[1] >= 0xa0) =>
                    {
                        surrogates += 1
                    }
                    ExpectValue::Seq(_, n) if *n > 255 => big_tuple += 1,
                    ExpectValue::Seq(b')', 255) => full_small += 1,
                    ExpectValue::Float(b)
                        if f64::from_bits(*b).is_nan() && *b & 0xf_ffff_ffff != 0 =>
                    {
                        nan_payload += 1
                    }
                    ExpectValue::Float(b) if *b == (-0.0f64).to_bits() => neg_zero += 1,
                    ExpectValue::Long(true, _) => neg_long += 1,
                    ExpectValue::Code(_) => codes_here += 1,
                    _ => {}
                }
            }
            nested_code += usize::from(codes_here > 1);
        }
        let mut want: Vec<u8> = b"NFTS.iIlfgxys(u[{<>ct".to_vec();
        if v.marshal_version() >= 3 {
            want.extend_from_slice(b")aAzZ");
            assert!(
                flagged > 100 && full_small > 0,
                "{v}: {flagged} {full_small}"
            );
        } else {
            assert_eq!(flagged, 0);
        }
        for c in want {
            assert!(codes.contains(&c), "{v}: no {:?} generated", c as char);
        }
        for (what, n) in [
            ("references", refs),
            ("surrogates", surrogates),
            ("tuples over 255", big_tuple),
            ("NaN payloads", nan_payload),
            ("-0.0", neg_zero),
            ("negative longs", neg_long),
            ("nested code objects", nested_code),
        ] {
            assert!(n > 0, "{v}: no {what} generated");
        }
    }
}
