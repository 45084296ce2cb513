//! What the evaluator must fold (and to what), and what it must leave to run time.
//! The differential test (`tests/eval_differential.rs`) checks far more cases against
//! every installed interpreter; these tables state the rules.

use num_bigint::BigInt;
use pycopt_core::PyVersion;

use super::*;

const V: PyVersion = PyVersion::V3_12;

fn i(x: i64) -> Value {
    Value::int(x)
}
fn big(bits: u32) -> Value {
    Value::Int(BigInt::from(1) << bits)
}
fn f(x: f64) -> Value {
    Value::float(x)
}
fn s(x: &str) -> Value {
    Value::Str(x.into())
}
fn b(x: &[u8]) -> Value {
    Value::Bytes(x.to_vec())
}
fn t(items: Vec<Value>) -> Value {
    Value::Tuple(items)
}
fn bo(x: bool) -> Value {
    Value::Bool(x)
}
fn c(re: f64, im: f64) -> Value {
    Value::Complex(re.to_bits(), im.to_bits())
}
fn sl(a: Value, z: Value, st: Value) -> Value {
    build_slice(&a, &z, &st)
}

#[rustfmt::skip]
fn must_fold() -> Vec<(BinOp, Value, Value, Value)> {
    use BinOp::*;
    vec![
        (Add,      i(1),            i(2),           i(3)),
        (Add,      bo(true),        bo(true),       i(2)),
        (Add,      i(1),            f(0.5),         f(1.5)),
        (Add,      f(-0.0),         f(-0.0),        f(-0.0)),
        (Add,      f(0.0),          f(-0.0),        f(0.0)),
        (Add,      s("ab"),         s("cd"),        s("abcd")),
        (Add,      b(b"a"),         b(b"b"),        b(b"ab")),
        (Add,      t(vec![i(1)]),   t(vec![]),      t(vec![i(1)])),
        (Add,      i(1),            c(0.0, 1.0),    c(1.0, 1.0)),
        (Sub,      i(1),            i(3),           i(-2)),
        (Mul,      i(3),            s("ab"),        s("ababab")),
        (Mul,      t(vec![i(1)]),   bo(true),       t(vec![i(1)])),
        (Mul,      s("ab"),         i(0),           s("")),
        (Mul,      big(63),         big(63),        Value::Int(BigInt::from(1) << 126u32)),
        (Mul,      c(1.0, 2.0),     c(3.0, 4.0),    c(-5.0, 10.0)),
        (TrueDiv,  i(1),            i(2),           f(0.5)),
        (TrueDiv,  i(0),            i(-3),          f(-0.0)),
        (TrueDiv,  i(7),            f(2.0),         f(3.5)),
        (FloorDiv, i(-7),           i(2),           i(-4)),
        (FloorDiv, f(-7.0),         f(2.0),         f(-4.0)),
        (FloorDiv, f(0.0),          f(-3.0),        f(-0.0)),
        (FloorDiv, f(f64::INFINITY), f(1.0),        Value::Float(0xfff8_0000_0000_0000)), // x86 default NaN, as CPython
        (Mod,      i(-7),           i(2),           i(1)),
        (Mod,      i(7),            i(-2),          i(-1)),
        (Mod,      f(7.0),          f(-2.0),        f(-1.0)),
        (Mod,      f(-0.0),         f(1.0),         f(0.0)),
        (Mod,      f(5.0),          f(f64::NEG_INFINITY), f(f64::NEG_INFINITY)),
        (Pow,      i(2),            i(64),          big(64)),
        (Pow,      i(-3),           i(3),           i(-27)),
        (Pow,      i(0),            i(0),           i(1)),
        (Pow,      i(5),            i(0),           i(1)),
        (LShift,   i(1),            i(127),         big(127)),
        (RShift,   i(-1),           i(100),         i(-1)),
        (RShift,   i(-9),           i(1),           i(-5)),
        (And,      i(-1),           i(0xff),        i(0xff)),
        (And,      bo(true),        bo(false),      bo(false)),
        (Or,       bo(true),        i(2),           i(3)),
        (Xor,      i(-2),           i(1),           i(-1)),
    ]
}

#[rustfmt::skip]
fn must_not_fold() -> Vec<(BinOp, Value, Value, &'static str)> {
    use BinOp::*;
    vec![
        (TrueDiv,  i(1),            i(0),           "ZeroDivisionError"),
        (TrueDiv,  f(1.0),          f(0.0),         "ZeroDivisionError"),
        (TrueDiv,  big(2000),       i(1),           "OverflowError"),
        (FloorDiv, i(1),            i(0),           "ZeroDivisionError"),
        (Mod,      f(1.0),          f(-0.0),        "ZeroDivisionError"),
        (Mod,      s("%s"),         i(1),           "formatting is never folded"),
        (Mod,      b(b"%d"),        i(1),           "formatting is never folded"),
        (Add,      s("a"),          b(b"a"),        "TypeError"),
        (Add,      s("a"),          i(1),           "TypeError"),
        (Add,      big(1100),       f(1.0),         "OverflowError: int too large for float"),
        (Sub,      t(vec![]),       t(vec![]),      "TypeError"),
        (Pow,      i(2),            i(-1),          "float pow(): libm"),
        (Pow,      f(2.0),          i(2),           "float pow(): libm"),
        (Pow,      i(2),            i(129),         "MAX_INT_SIZE"),
        (Pow,      i(10),           i(39),          "MAX_INT_SIZE"),
        (Mul,      big(64),         big(64),        "MAX_INT_SIZE"),
        (LShift,   i(1),            i(128),         "MAX_INT_SIZE"),
        (LShift,   i(1),            i(-1),          "ValueError"),
        (RShift,   i(1),            i(-1),          "ValueError"),
        (Mul,      s("ab"),         i(2049),        "MAX_STR_SIZE"),
        (Mul,      s("ab"),         i(-1),          "negative counts are refused as CPython does"),
        (Mul,      t(vec![i(1)]),   i(257),         "MAX_COLLECTION_SIZE"),
        (Mul,      t(vec![t(vec![i(1), i(2), i(3), i(4)])]), i(250), "MAX_TOTAL_ITEMS"),
        (Mul,      s("a"),          f(2.0),         "TypeError"),
        (Add,      s(&"x".repeat(4000)), s(&"y".repeat(100)), "growth past MAX_STR_SIZE"),
        (TrueDiv,  c(1.0, 0.0),     i(1),           "complex division left to run time"),
        (FloorDiv, c(1.0, 0.0),     i(1),           "TypeError"),
        (And,      f(1.0),          i(1),           "TypeError"),
        (MatMul,   i(1),            i(1),           "TypeError"),
    ]
}

#[test]
fn binary_operations_fold_exactly() {
    for (op, a, b_, want) in must_fold() {
        let got = binary(V, op, &a, &b_);
        assert_eq!(
            got.as_ref().map(Value::fingerprint),
            Some(want.fingerprint()),
            "{a:?} {} {b_:?}",
            op.symbol()
        );
    }
}

#[test]
fn binary_operations_that_raise_are_left_alone() {
    for (op, a, b_, why) in must_not_fold() {
        assert_eq!(
            binary(V, op, &a, &b_),
            None,
            "{a:?} {} {b_:?}: {why}",
            op.symbol()
        );
    }
}

#[rustfmt::skip]
#[test]
fn unary_operations() {
    use UnaryOp::*;
    let must: Vec<(PyVersion, UnaryOp, Value, Value)> = vec![
        (V,                Neg,    i(1),          i(-1)),
        (V,                Neg,    bo(true),      i(-1)),
        (V,                Neg,    f(0.0),        f(-0.0)),
        (V,                Pos,    bo(false),     i(0)),
        (V,                Invert, i(5),          i(-6)),
        (PyVersion::V3_11, Invert, bo(true),      i(-2)),
        (V,                Not,    i(0),          bo(true)),
        (V,                Not,    f(f64::NAN),   bo(false)),
        (PyVersion::V3_13, Not,    bo(true),      bo(false)),
        (V,                Truth,  t(vec![]),     bo(false)),
        (V,                Truth,  c(0.0, -0.0),  bo(false)),
    ];
    for (v, op, a, want) in must {
        assert_eq!(unary(v, op, &a), Some(want), "{v} {op:?} {a:?}");
    }
    let must_not: Vec<(PyVersion, UnaryOp, Value, &str)> = vec![
        (V,                Invert, bo(true),      "DeprecationWarning on 3.12+"),
        (V,                Invert, f(1.0),        "TypeError"),
        (V,                Neg,    s("a"),        "TypeError"),
        (V,                Neg,    t(vec![i(1)]), "TypeError"),
        (PyVersion::V3_13, Not,    i(0),          "3.13 UNARY_NOT only takes bools"),
    ];
    for (v, op, a, why) in must_not {
        assert_eq!(unary(v, op, &a), None, "{v} {op:?} {a:?}: {why}");
    }
}

#[rustfmt::skip]
#[test]
fn comparisons() {
    use CmpOp::*;
    let two53p1 = Value::Int((BigInt::from(1) << 53u32) + 1);
    let nan = f(f64::NAN);
    let must: Vec<(CmpOp, Value, Value, bool)> = vec![
        (Lt, i(1),                 i(2),                 true),
        (Eq, i(1),                 f(1.0),               true),
        (Eq, bo(true),             c(1.0, 0.0),          true),
        (Eq, two53p1.clone(),      f(2f64.powi(53)),     false),
        (Gt, two53p1,              f(2f64.powi(53)),     true),
        (Eq, nan.clone(),          nan.clone(),          false),
        (Ne, nan.clone(),          nan.clone(),          true),
        (Lt, nan.clone(),          i(1),                 false),
        (Lt, s("a"),               s("b"),               true),
        (Lt, s("\u{ffff}"),        s("\u{10000}"),       true),
        (Le, b(b"ab"),             b(b"ab"),             true),
        (Lt, t(vec![i(1), i(2)]),  t(vec![i(1), i(3)]),  true),
        (Lt, t(vec![i(1)]),        t(vec![i(1), s("x")]), true),
        (Eq, t(vec![i(1), s("a")]), t(vec![i(2), b(b"a")]), false),
        (Eq, s("1"),               i(1),                 false),
        (Eq, Value::None,          Value::None,          true),
        (Eq, Value::None,          i(0),                 false),
        (Eq, Value::FrozenSet(vec![i(1), i(2)]), Value::FrozenSet(vec![f(2.0), bo(true)]), true),
        (Lt, Value::FrozenSet(vec![i(1)]), Value::FrozenSet(vec![i(2), i(1)]), true),
    ];
    for (op, a, b_, want) in must {
        assert_eq!(compare(V, op, &a, &b_), Some(bo(want)), "{a:?} {} {b_:?}", op.symbol());
    }
    let must_not: Vec<(CmpOp, Value, Value, &str)> = vec![
        (Lt, s("a"),               i(1),                 "TypeError"),
        (Lt, c(1.0, 0.0),          c(2.0, 0.0),          "TypeError"),
        (Lt, Value::None,          Value::None,          "TypeError"),
        (Eq, s("a"),               b(b"a"),              "BytesWarning under -b"),
        (Eq, i(97),                b(b"a"),              "BytesWarning under -b"),
        (Eq, t(vec![nan.clone()]), t(vec![nan.clone()]), "identity decides"),
        (Lt, t(vec![s("a")]),      t(vec![i(1)]),        "TypeError on the items"),
    ];
    for (op, a, b_, why) in must_not {
        assert_eq!(compare(V, op, &a, &b_), None, "{a:?} {} {b_:?}: {why}", op.symbol());
    }
}

#[rustfmt::skip]
#[test]
fn identity_and_membership() {
    assert_eq!(identity(&Value::None, &Value::None, false), Some(bo(true)));
    assert_eq!(identity(&bo(true), &bo(false), true), Some(bo(true)));
    assert_eq!(identity(&i(1), &s("1"), false), Some(bo(false)));
    assert_eq!(identity(&i(1), &bo(true), false), Some(bo(false)));
    // Same type: depends on sharing.
    assert_eq!(identity(&i(1), &i(1), false), None);
    assert_eq!(identity(&s("a"), &s("a"), false), None);

    assert_eq!(contains(&s("b"), &s("abc"), false), Some(bo(true)));
    assert_eq!(contains(&s(""), &s(""), true), Some(bo(false)));
    assert_eq!(contains(&i(97), &b(b"abc"), false), Some(bo(true)));
    assert_eq!(contains(&b(b"bc"), &b(b"abc"), false), Some(bo(true)));
    assert_eq!(contains(&f(1.0), &t(vec![s("x"), i(1)]), false), Some(bo(true)));
    assert_eq!(contains(&i(3), &Value::FrozenSet(vec![i(1), i(2)]), true), Some(bo(true)));
    // Must not: TypeError, ValueError, identity, -b.
    assert_eq!(contains(&i(1), &s("abc"), false), None);
    assert_eq!(contains(&i(256), &b(b"abc"), false), None);
    assert_eq!(contains(&f(f64::NAN), &t(vec![f(f64::NAN)]), false), None);
    assert_eq!(contains(&s("a"), &t(vec![b(b"a")]), false), None);
    // ...but a match before the uncertain item decides.
    assert_eq!(contains(&i(1), &t(vec![i(1), f(f64::NAN)]), false), Some(bo(true)));
}

#[rustfmt::skip]
#[test]
fn subscripts_and_slices() {
    let n = Value::None;
    let abc = s("aébc");
    let must: Vec<(Value, Value, Value)> = vec![
        (abc.clone(),               i(1),                           s("é")),
        (abc.clone(),               i(-1),                          s("c")),
        (abc.clone(),               bo(true),                       s("é")),
        (b(b"xyz"),                 i(0),                           i(120)),
        (t(vec![i(1), s("a")]),     i(1),                           s("a")),
        (abc.clone(),               sl(i(1), n.clone(), n.clone()), s("ébc")),
        (abc.clone(),               sl(n.clone(), n.clone(), i(-1)), s("cbéa")),
        (abc.clone(),               sl(big(70), n.clone(), i(-2)),  s("cé")),
        (abc.clone(),               sl(Value::Int(-(BigInt::from(1) << 80u32)), i(2), n.clone()), s("aé")),
        (b(b"abcdef"),              sl(i(1), i(-1), i(2)),          b(b"bd")),
        (t(vec![i(1), i(2), i(3)]), sl(i(5), i(9), n.clone()),      t(vec![])),
    ];
    for (cont, idx, want) in must {
        assert_eq!(subscript(&cont, &idx), Some(want), "{cont:?}[{idx:?}]");
    }
    let must_not: Vec<(Value, Value, &str)> = vec![
        (abc.clone(),               i(4),                           "IndexError"),
        (abc.clone(),               big(70),                        "IndexError (index-sized)"),
        (abc.clone(),               f(1.0),                         "TypeError"),
        (abc.clone(),               sl(n.clone(), n.clone(), i(0)), "ValueError: step 0"),
        (abc.clone(),               sl(f(1.0), n.clone(), n.clone()), "TypeError"),
        (Value::FrozenSet(vec![]),  i(0),                           "TypeError"),
        (i(5),                      i(0),                           "TypeError"),
    ];
    for (cont, idx, why) in must_not {
        assert_eq!(subscript(&cont, &idx), None, "{cont:?}[{idx:?}]: {why}");
    }
}

#[rustfmt::skip]
#[test]
fn builtins() {
    use Builtin::*;
    let must: Vec<(Builtin, Vec<Value>, Value)> = vec![
        (Len, vec![s("aé")],                      i(2)),
        (Len, vec![Value::FrozenSet(vec![i(1)])], i(1)),
        (Abs, vec![f(-0.0)],                      f(0.0)),
        (Abs, vec![bo(true)],                     i(1)),
        (Min, vec![t(vec![i(3), f(1.0), i(1)])],  f(1.0)),
        (Max, vec![i(1), bo(true)],               i(1)),
        (Max, vec![s("abz")],                     s("z")),
        (Min, vec![f(f64::NAN), i(1)],            f(f64::NAN)),
        (Chr, vec![i(0x10ffff)],                  s("\u{10ffff}")),
        (Ord, vec![b(b"A")],                      i(65)),
    ];
    for (fun, args, want) in must {
        assert_eq!(call_builtin(V, fun, &args), Some(want), "{}{args:?}", fun.name());
    }
    let must_not: Vec<(Builtin, Vec<Value>, &str)> = vec![
        (Len, vec![i(1)],                         "TypeError"),
        (Len, vec![s("a"), s("b")],               "TypeError"),
        (Abs, vec![c(3.0, 4.0)],                  "hypot() left to run time"),
        (Min, vec![t(vec![])],                    "ValueError"),
        (Min, vec![t(vec![i(1), s("a")])],        "TypeError"),
        (Max, vec![Value::FrozenSet(vec![i(1), i(2)])], "hash order"),
        (Chr, vec![i(0xd800)],                    "lone surrogate"),
        (Chr, vec![i(-1)],                        "ValueError"),
        (Ord, vec![s("ab")],                      "TypeError"),
    ];
    for (fun, args, why) in must_not {
        assert_eq!(call_builtin(V, fun, &args), None, "{}{args:?}: {why}", fun.name());
    }
}

#[test]
fn tuples_are_built_within_the_item_limit() {
    let inner = t(vec![i(0); 600]);
    assert!(
        build_tuple(std::slice::from_ref(&inner)).is_some(),
        "no larger than its operand"
    );
    assert_eq!(build_tuple(&[inner.clone(), inner]), None);
}
