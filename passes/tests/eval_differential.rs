//! The evaluator against the real interpreters: every operation on every pair of
//! interesting constants (and random big ints and floats), computed once by
//! `pycopt_passes::eval` and once by each installed CPython 3.6–3.13 (one process
//! per version, run with `-W error -bb` so that warnings count as raising).
//!
//! For every case the evaluator folds, CPython must give the very same value (same
//! type, same float bits); where CPython raises, the evaluator must not fold.

use std::fmt::Write as _;
use std::process::Stdio;

use num_bigint::BigInt;
use pycopt_core::PyVersion;
use pycopt_passes::eval::{self, BinOp, Builtin, CmpOp, UnaryOp};
use pycopt_passes::value::Value;

/// The constants: Python source and the same value built here.
fn constants() -> Vec<(&'static str, Value)> {
    let big = |s: &str| Value::Int(s.parse::<BigInt>().unwrap());
    let f = Value::float;
    let c = |re: f64, im: f64| Value::Complex(re.to_bits(), im.to_bits());
    let s = |x: &str| Value::Str(x.into());
    let b = |x: &[u8]| Value::Bytes(x.to_vec());
    let i = Value::int;
    vec![
        ("0", i(0)),
        ("1", i(1)),
        ("-1", i(-1)),
        ("2", i(2)),
        ("3", i(3)),
        ("-7", i(-7)),
        ("64", i(64)),
        ("255", i(255)),
        ("2**63", big("9223372036854775808")),
        ("-(2**63)", big("-9223372036854775808")),
        ("2**64", big("18446744073709551616")),
        ("2**200", Value::Int(BigInt::from(1) << 200u32)),
        ("-(2**200)", Value::Int(-(BigInt::from(1) << 200u32))),
        ("2**53 + 1", big("9007199254740993")),
        ("True", Value::Bool(true)),
        ("False", Value::Bool(false)),
        ("None", Value::None),
        ("...", Value::Ellipsis),
        ("0.0", f(0.0)),
        ("-0.0", f(-0.0)),
        ("1.5", f(1.5)),
        ("-2.5", f(-2.5)),
        ("0.1", f(0.1)),
        ("1e308", f(1e308)),
        ("5e-324", f(5e-324)),
        ("float('nan')", f(f64::NAN)),
        ("float('inf')", f(f64::INFINITY)),
        ("float('-inf')", f(f64::NEG_INFINITY)),
        ("2.0**53", f(9007199254740992.0)),
        ("1j", c(0.0, 1.0)),
        ("complex(1.5, -0.0)", c(1.5, -0.0)),
        ("(-2+3j)", c(-2.0, 3.0)),
        ("''", s("")),
        ("'ab'", s("ab")),
        ("'abc'", s("abc")),
        ("'\\xe9\\U0010ffff'", s("é\u{10ffff}")),
        ("'a' * 3000", s(&"a".repeat(3000))),
        ("b''", b(b"")),
        ("b'x'", b(b"x")),
        ("b'ab'", b(b"ab")),
        ("()", Value::Tuple(vec![])),
        ("(1, 2)", Value::Tuple(vec![i(1), i(2)])),
        ("(1, 'a')", Value::Tuple(vec![i(1), s("a")])),
        ("(float('nan'),)", Value::Tuple(vec![f(f64::NAN)])),
        (
            "((1,), 2.0)",
            Value::Tuple(vec![Value::Tuple(vec![i(1)]), f(2.0)]),
        ),
        ("(b'a', 'a')", Value::Tuple(vec![b(b"a"), s("a")])),
        ("frozenset()", Value::FrozenSet(vec![])),
        ("frozenset({1, 2})", Value::FrozenSet(vec![i(1), i(2)])),
        ("frozenset({'a'})", Value::FrozenSet(vec![s("a")])),
        ("frozenset({1.0, 3})", Value::FrozenSet(vec![f(1.0), i(3)])),
    ]
}

const BINARY: [(BinOp, &str); 13] = [
    (BinOp::Add, "add"),
    (BinOp::Sub, "sub"),
    (BinOp::Mul, "mul"),
    (BinOp::MatMul, "matmul"),
    (BinOp::TrueDiv, "truediv"),
    (BinOp::FloorDiv, "floordiv"),
    (BinOp::Mod, "mod"),
    (BinOp::Pow, "pow"),
    (BinOp::LShift, "lshift"),
    (BinOp::RShift, "rshift"),
    (BinOp::And, "and_"),
    (BinOp::Or, "or_"),
    (BinOp::Xor, "xor"),
];

const COMPARE: [(CmpOp, &str); 6] = [
    (CmpOp::Lt, "lt"),
    (CmpOp::Le, "le"),
    (CmpOp::Eq, "eq"),
    (CmpOp::Ne, "ne"),
    (CmpOp::Gt, "gt"),
    (CmpOp::Ge, "ge"),
];

const UNARY: [(UnaryOp, &str); 5] = [
    (UnaryOp::Neg, "neg"),
    (UnaryOp::Pos, "pos"),
    (UnaryOp::Invert, "invert"),
    (UnaryOp::Not, "not_"),
    (UnaryOp::Truth, "truth"),
];

const PY_PRELUDE: &str = r#"
import operator, struct, sys
def h(x):
    return struct.pack('>d', x).hex()
def canon(v):
    t = type(v)
    if v is None: return 'N'
    if v is Ellipsis: return 'E'
    if t is bool: return 'T' if v else 'F'
    if t is int: return 'i%d' % v
    if t is float: return 'f' + h(v)
    if t is complex: return 'c%s:%s' % (h(v.real), h(v.imag))
    if t is str: return 's' + v.encode('utf-8', 'surrogatepass').hex()
    if t is bytes: return 'y' + v.hex()
    if t is tuple: return '(' + ','.join(canon(x) for x in v) + ')'
    if t is frozenset: return '{' + ','.join(sorted(canon(x) for x in v)) + '}'
    return '?' + t.__name__
out = []
def run(f, *a):
    try:
        out.append(canon(f(*a)))
    except Exception as e:
        out.append('!' + type(e).__name__)
def unhex(s):
    return struct.unpack('>d', bytes.fromhex(s))[0]
def pw(a, b):
    # Huge exact powers take forever; the evaluator refuses them anyway.
    if type(a) in (int, bool) and type(b) in (int, bool) and abs(a) > 1 and b > 10000:
        raise OverflowError('not computed')
    return a ** b
"#;

/// A deterministic stream of numbers (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn int(&mut self, max_bits: u64) -> BigInt {
        let bits = 1 + self.next() % max_bits;
        let mut v = BigInt::from(0);
        let mut have = 0;
        while have < bits {
            v = (v << 64u32) + self.next();
            have += 64;
        }
        v >>= (have - bits) as u32;
        if self.next() & 1 == 1 {
            -v
        } else {
            v
        }
    }

    fn float(&mut self) -> f64 {
        loop {
            let x = f64::from_bits(self.next());
            if x.is_finite() {
                return x;
            }
        }
    }
}

/// One case: what the evaluator says (None: not folded) and a label.
struct Case {
    label: String,
    mine: Option<Value>,
}

/// Builds the Python program and the evaluator's answers, case by case in the same
/// order.
fn cases(version: PyVersion) -> (String, Vec<Case>) {
    let consts = constants();
    let mut py = String::from(PY_PRELUDE);
    let mut out = Vec::new();
    py.push_str("C = [\n");
    for (src, _) in &consts {
        let _ = writeln!(py, "    {src},");
    }
    py.push_str("]\n");
    // The constants themselves must mean the same on both sides.
    py.push_str("for x in C: run(lambda x: x, x)\n");
    for (src, v) in &consts {
        out.push(Case {
            label: format!("constant {src}"),
            mine: Some(v.clone()),
        });
    }
    // Unary operators and the one-argument builtins.
    let names: Vec<String> = UNARY.iter().map(|u| format!("operator.{}", u.1)).collect();
    let _ = writeln!(
        py,
        "for x in C:\n    for f in [{}, len, abs, min, max, chr, ord]: run(f, x)",
        names.join(", ")
    );
    for (src, v) in &consts {
        for (op, name) in UNARY {
            out.push(Case {
                label: format!("{name}({src})"),
                mine: eval::unary(version, op, v),
            });
        }
        for f in [
            Builtin::Len,
            Builtin::Abs,
            Builtin::Min,
            Builtin::Max,
            Builtin::Chr,
            Builtin::Ord,
        ] {
            out.push(Case {
                label: format!("{}({src})", f.name()),
                mine: eval::call_builtin(version, f, std::slice::from_ref(v)),
            });
        }
    }
    // Binary operators, comparisons, identity, membership, subscripts, min/max.
    let bin: Vec<String> = BINARY
        .iter()
        .map(|b| match b.0 {
            BinOp::Pow => "pw".to_string(),
            _ => format!("operator.{}", b.1),
        })
        .collect();
    let cmp: Vec<String> = COMPARE
        .iter()
        .map(|c| format!("operator.{}", c.1))
        .collect();
    let _ = writeln!(
        py,
        "for x in C:\n    for y in C:\n        for f in [{}, {}, operator.is_, operator.is_not, \
         lambda a, b: a in b, lambda a, b: a not in b, operator.getitem, min, max]: run(f, x, y)",
        bin.join(", "),
        cmp.join(", ")
    );
    for (sa, a) in &consts {
        for (sb, b) in &consts {
            for (op, name) in BINARY {
                out.push(Case {
                    label: format!("{name}({sa}, {sb})"),
                    mine: eval::binary(version, op, a, b),
                });
            }
            for (op, name) in COMPARE {
                out.push(Case {
                    label: format!("{name}({sa}, {sb})"),
                    mine: eval::compare(version, op, a, b),
                });
            }
            for (neg, name) in [(false, "is"), (true, "is not")] {
                out.push(Case {
                    label: format!("{sa} {name} {sb}"),
                    mine: eval::identity(a, b, neg),
                });
            }
            for (neg, name) in [(false, "in"), (true, "not in")] {
                out.push(Case {
                    label: format!("{sa} {name} {sb}"),
                    mine: eval::contains(a, b, neg),
                });
            }
            out.push(Case {
                label: format!("{sa}[{sb}]"),
                mine: eval::subscript(a, b),
            });
            for f in [Builtin::Min, Builtin::Max] {
                out.push(Case {
                    label: format!("{}({sa}, {sb})", f.name()),
                    mine: eval::call_builtin(version, f, &[a.clone(), b.clone()]),
                });
            }
        }
    }
    // Slices.
    let containers = [
        ("'abcdef'", Value::Str("abcdef".into())),
        ("'\\xe9\\U0010ffffxyz'", Value::Str("é\u{10ffff}xyz".into())),
        ("b'abcdef'", Value::Bytes(b"abcdef".to_vec())),
        (
            "(1, 2, 3, 4, 5)",
            Value::Tuple((1..=5).map(Value::int).collect()),
        ),
        ("()", Value::Tuple(vec![])),
    ];
    let bounds = [
        ("None", Value::None),
        ("0", Value::int(0)),
        ("1", Value::int(1)),
        ("-1", Value::int(-1)),
        ("-2", Value::int(-2)),
        ("4", Value::int(4)),
        ("2**63", Value::Int(BigInt::from(1) << 63u32)),
        ("-(2**70)", Value::Int(-(BigInt::from(1) << 70u32))),
        ("True", Value::Bool(true)),
        ("1.5", Value::float(1.5)),
    ];
    py.push_str("S = [\n");
    for (src, _) in &containers {
        let _ = writeln!(py, "    {src},");
    }
    py.push_str("]\nB = [\n");
    for (src, _) in &bounds {
        let _ = writeln!(py, "    {src},");
    }
    py.push_str(
        "]\nfor s in S:\n    for a in B:\n        for b in B:\n            for c in B:\n                \
         run(lambda: s[a:b:c])\n            run(lambda: s[a:b])\n",
    );
    for (sc, cont) in &containers {
        for (sa, a) in &bounds {
            for (sb, b) in &bounds {
                for (sst, st) in &bounds {
                    out.push(Case {
                        label: format!("{sc}[{sa}:{sb}:{sst}]"),
                        mine: eval::subscript(cont, &eval::build_slice(a, b, st)),
                    });
                }
                out.push(Case {
                    label: format!("{sc}[{sa}:{sb}]"),
                    mine: eval::subscript(cont, &eval::build_slice(a, b, &Value::None)),
                });
            }
        }
    }
    // Random big ints: true division (correct rounding), floor division, modulo,
    // comparisons with floats near them.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    py.push_str("R = [\n");
    let mut pairs = Vec::new();
    for k in 0..600 {
        let max_a = [60, 200, 1100, 2000][k % 4];
        let max_b = [60, 120, 1100, 1500][(k / 4) % 4];
        let a = rng.int(max_a);
        let b = rng.int(max_b);
        let _ = writeln!(py, "    ({a}, {b}),");
        pairs.push((a, b));
    }
    py.push_str(
        "]\nfor a, b in R:\n    for f in [operator.truediv, operator.floordiv, operator.mod, \
         operator.mul]: run(f, a, b)\n    run(operator.lt, a, float(b) if abs(b) < 2**1000 else 0.5)\n",
    );
    for (a, b) in &pairs {
        let (va, vb) = (Value::Int(a.clone()), Value::Int(b.clone()));
        for op in [BinOp::TrueDiv, BinOp::FloorDiv, BinOp::Mod, BinOp::Mul] {
            out.push(Case {
                label: format!("{}({a}, {b})", op.symbol()),
                mine: eval::binary(version, op, &va, &vb),
            });
        }
        let fb = if b.magnitude().bits() <= 1000 {
            eval::int_to_f64(b).unwrap()
        } else {
            0.5
        };
        out.push(Case {
            label: format!("{a} < float({b})"),
            mine: eval::compare(version, CmpOp::Lt, &va, &Value::float(fb)),
        });
    }
    // Random floats: // and % sign rules, mixed with ints.
    py.push_str("F = [\n");
    let mut fpairs = Vec::new();
    for _ in 0..600 {
        let (x, y) = (rng.float(), rng.float());
        // Keep some pairs close in magnitude so quotients are small.
        let y = if rng.next().is_multiple_of(2) {
            x / (1.0 + (rng.next() % 100) as f64 - 50.5)
        } else {
            y
        };
        let _ = writeln!(
            py,
            "    (unhex('{:016x}'), unhex('{:016x}')),",
            x.to_bits(),
            y.to_bits()
        );
        fpairs.push((x, y));
    }
    py.push_str(
        "]\nfor x, y in F:\n    for f in [operator.floordiv, operator.mod, operator.truediv, \
         operator.add, operator.mul]: run(f, x, y)\n",
    );
    for (x, y) in &fpairs {
        for op in [
            BinOp::FloorDiv,
            BinOp::Mod,
            BinOp::TrueDiv,
            BinOp::Add,
            BinOp::Mul,
        ] {
            out.push(Case {
                label: format!("{}({x:e}, {y:e})", op.symbol()),
                mine: eval::binary(version, op, &Value::float(*x), &Value::float(*y)),
            });
        }
    }
    py.push_str("sys.stdout.write('\\n'.join(out) + '\\n')\n");
    (py, out)
}

#[test]
fn evaluator_agrees_with_every_interpreter() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        if major < 3 {
            continue;
        }
        // PYCOPT_EVAL_VERSIONS=3.12,3.13 narrows the run (for debugging).
        if let Ok(only) = std::env::var("PYCOPT_EVAL_VERSIONS") {
            if !only
                .split(',')
                .any(|v| v.trim() == pycopt_corpus::tag((major, minor)))
            {
                continue;
            }
        }
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let version = PyVersion::parse(&interp.tag()).unwrap();
        let (program, cases) = cases(version);
        let dir = std::env::temp_dir().join(format!("pycopt-eval-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join(format!("cases{}.py", interp.tag()));
        std::fs::write(&script, &program).unwrap();
        let started = std::time::Instant::now();
        let output = interp
            .command()
            .args(["-W", "error", "-bb"])
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {} {}",
            interp.tag(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let elapsed = started.elapsed();
        let answers: Vec<&str> = stdout.lines().collect();
        assert_eq!(answers.len(), cases.len(), "{}: case count", interp.tag());
        let (mut folded, mut raised, mut declined) = (0, 0, 0);
        for (case, python) in cases.iter().zip(&answers) {
            match &case.mine {
                Some(v) => {
                    folded += 1;
                    if v.fingerprint() != *python {
                        failures.push(format!(
                            "{}: {} folded to {} but CPython gives {}",
                            interp.tag(),
                            case.label,
                            v.fingerprint(),
                            python
                        ));
                    }
                }
                None if python.starts_with('!') => raised += 1,
                None => declined += 1,
            }
        }
        report.push(format!(
            "{}: {} cases, {folded} folded (all equal), {raised} raise in CPython and are \
             not folded, {declined} left to run time although CPython has a value \
             (CPython took {:.1}s)",
            interp.tag(),
            cases.len(),
            elapsed.as_secs_f64()
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
    for r in &report {
        println!("{r}");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}
