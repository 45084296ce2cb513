//! The passes on hand-written code of each version family (`.pyasm` text), no
//! interpreter needed: what must change, and what must not.

use pycopt_core::asm::assemble;
use pycopt_core::codegen::Unit;
use pycopt_core::constant::Constant;
use pycopt_core::Pyc;

use super::*;
use crate::pass::Options;

/// Runs `pass` over the module code of `text`; returns the listing of the result
/// (`OPNAME arg`, constants by value, `@line` where the line changes) and the count
/// of changes. The result must generate and verify.
fn run_pass(text: &str, pass: &dyn Pass, assume_builtins: bool) -> (Vec<String>, usize) {
    run_pass_as(text, "<module>", pass, assume_builtins)
}

/// [`run_pass`] with the module code opened under another dotted path.
fn run_pass_as(
    text: &str,
    path: &str,
    pass: &dyn Pass,
    assume_builtins: bool,
) -> (Vec<String>, usize) {
    let pyc: Pyc = assemble(text).unwrap_or_else(|e| panic!("{e}"));
    let facts = FileFacts::of(&pyc);
    let mut options = Options::default();
    if assume_builtins {
        options.assume.insert(Assumption::Builtins);
    }
    let cx = Context::new(&options, &facts, pyc.version());
    let mut unit = Unit::open(&pyc.graph, pyc.root, path.into(), pyc.version()).unwrap();
    let n = pass.run(&mut unit, &cx).unwrap();
    let mut out = Vec::new();
    let mut line = None;
    for b in unit.cfg.layout.clone() {
        for ins in unit.cfg.graph[b].instrs.clone() {
            let mut s = ins.op.name.to_string();
            if ins.op.arg_kind == ArgKind::Const {
                let c = unit.constant(ins.arg).cloned().unwrap();
                s += &format!(" {}", show(&c));
            } else if ins.op.has_arg {
                s += &format!(" {}", ins.arg);
            }
            if ins.pos.line != line {
                line = ins.pos.line;
                s += &format!(" @{}", line.unwrap_or(-1));
            }
            out.push(s);
        }
    }
    unit.finish().unwrap_or_else(|e| panic!("{e}"));
    (out, n)
}

fn show(c: &Constant) -> String {
    match Value::from_constant(c) {
        Some(Value::Str(s)) => format!("{s:?}"),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Bool(b)) => if b { "True" } else { "False" }.into(),
        Some(Value::None) => "None".into(),
        Some(Value::Float(bits)) => format!("{:?}", f64::from_bits(bits)),
        _ => format!("{c:?}"),
    }
}

fn fold_constants(text: &str) -> (Vec<String>, usize) {
    run_pass(text, &FoldConstants, false)
}

const HEAD_312: &str = ".python 3.12\n.code <module>\n  .names 'x', 'y', 'f', 'len'\n";

fn v312(consts: &str, body: &str) -> String {
    format!("{HEAD_312}{consts}  .loc 1\n  RESUME 0\n{body}.end\n")
}

#[test]
fn comparison_of_constants_folds_3_12() {
    let text = v312(
        "  .const 0 1\n  .const 1 2\n  .const 2 None\n",
        "  LOAD_CONST 0\n  LOAD_CONST 1\n  COMPARE_OP 2\n  STORE_NAME x\n  RETURN_CONST 2\n",
    );
    let (out, n) = fold_constants(&text);
    assert_eq!(n, 1);
    assert_eq!(
        out,
        [
            "RESUME 0 @1",
            "LOAD_CONST True",
            "STORE_NAME 0",
            "RETURN_CONST None"
        ]
    );
}

#[test]
fn slices_fold_on_each_version_family() {
    // 3.8: BUILD_SLICE + BINARY_SUBSCR.
    let text = ".python 3.8\n.code <module>\n  .names 'y'\n  .const 0 'abc'\n  .const 1 1\n  \
                .const 2 None\n  .loc 2\n  LOAD_CONST 0\n  LOAD_CONST 1\n  LOAD_CONST 2\n  \
                BUILD_SLICE 2\n  BINARY_SUBSCR\n  STORE_NAME y\n  LOAD_CONST 2\n  RETURN_VALUE\n.end\n";
    let (out, n) = fold_constants(text);
    assert_eq!(n, 1);
    assert_eq!(
        out,
        [
            "LOAD_CONST \"bc\" @2",
            "STORE_NAME 0",
            "LOAD_CONST None",
            "RETURN_VALUE"
        ]
    );
    // 3.13: BINARY_SLICE, and a step through BUILD_SLICE 3.
    let text = ".python 3.13\n.code <module>\n  .names 'y'\n  .const 0 'abc'\n  .const 1 1\n  \
                .const 2 None\n  .const 3 -1\n  .loc 2:4-2:13\n  RESUME 0\n  LOAD_CONST 0\n  LOAD_CONST 1\n  \
                LOAD_CONST 2\n  BINARY_SLICE\n  STORE_NAME y\n  LOAD_CONST 0\n  LOAD_CONST 2\n  \
                LOAD_CONST 2\n  LOAD_CONST 3\n  BUILD_SLICE 3\n  BINARY_SUBSCR\n  STORE_NAME y\n  \
                RETURN_CONST 2\n.end\n";
    let (out, n) = fold_constants(text);
    assert_eq!(n, 2);
    assert_eq!(
        out,
        [
            "RESUME 0 @2",
            "LOAD_CONST \"bc\"",
            "STORE_NAME 0",
            "LOAD_CONST \"cba\"",
            "STORE_NAME 0",
            "RETURN_CONST None"
        ]
    );
}

#[test]
fn truth_tests_of_constants_fold_3_13() {
    // LOAD_CONST; TO_BOOL and a bool-result COMPARE_OP (bit 16).
    let text = ".python 3.13\n.code <module>\n  .names 'x'\n  .const 0 0\n  .const 1 2.5\n  \
                .const 2 None\n  .loc 1\n  RESUME 0\n  LOAD_CONST 0\n  TO_BOOL\n  UNARY_NOT\n  \
                STORE_NAME x\n  LOAD_CONST 0\n  LOAD_CONST 1\n  COMPARE_OP 18\n  STORE_NAME x\n  \
                RETURN_CONST 2\n.end\n";
    let (out, n) = fold_constants(text);
    assert_eq!(n, 2);
    assert_eq!(
        out,
        [
            "RESUME 0 @1",
            "LOAD_CONST True",
            "STORE_NAME 0",
            "LOAD_CONST True",
            "STORE_NAME 0",
            "RETURN_CONST None"
        ]
    );
}

#[test]
fn what_may_raise_or_has_unknown_operands_stays() {
    let cases = [
        // x + 0: x may be anything.
        "  LOAD_NAME x\n  LOAD_CONST 0\n  BINARY_OP 0\n  STORE_NAME y\n",
        // 1 / 0 raises ZeroDivisionError at run time.
        "  LOAD_CONST 1\n  LOAD_CONST 0\n  BINARY_OP 11\n  STORE_NAME y\n",
        // '%s' % 1 is formatting.
        "  LOAD_CONST 2\n  LOAD_CONST 1\n  BINARY_OP 6\n  STORE_NAME y\n",
        // 'a' < 1 is a TypeError.
        "  LOAD_CONST 2\n  LOAD_CONST 1\n  COMPARE_OP 2\n  STORE_NAME y\n",
        // 1 is 1 depends on sharing.
        "  LOAD_CONST 1\n  LOAD_CONST 1\n  IS_OP 0\n  STORE_NAME y\n",
        // An operand computed before other code (not contiguous): f() + (x < 1).
        "  PUSH_NULL\n  LOAD_NAME f\n  CALL 0\n  LOAD_NAME x\n  LOAD_CONST 1\n  COMPARE_OP 2\n  \
         BINARY_OP 0\n  STORE_NAME y\n",
    ];
    for body in cases {
        let text = v312(
            "  .const 0 0\n  .const 1 1\n  .const 2 '%s'\n  .const 3 None\n",
            &format!("{body}  RETURN_CONST 3\n"),
        );
        let (_, n) = fold_constants(&text);
        assert_eq!(n, 0, "{body}");
    }
}

#[test]
fn folding_stops_at_what_raises_but_folds_around_it() {
    // (1 + 2) + 1 / 0: the sum folds, the division stays.
    let text = v312(
        "  .const 0 1\n  .const 1 2\n  .const 2 0\n  .const 3 None\n",
        "  LOAD_CONST 0\n  LOAD_CONST 1\n  BINARY_OP 0\n  LOAD_CONST 0\n  LOAD_CONST 2\n  \
         BINARY_OP 11\n  BINARY_OP 0\n  STORE_NAME x\n  RETURN_CONST 3\n",
    );
    let (out, n) = fold_constants(&text);
    assert_eq!(n, 1);
    assert_eq!(
        out,
        [
            "RESUME 0 @1",
            "LOAD_CONST 3",
            "LOAD_CONST 1",
            "LOAD_CONST 0",
            "BINARY_OP 11",
            "BINARY_OP 0",
            "STORE_NAME 0",
            "RETURN_CONST None"
        ]
    );
}

#[test]
fn negated_identity_tests_use_the_negated_opcode() {
    // 3.12: not (x is y) -> x is not y.
    let text = v312(
        "  .const 0 None\n",
        "  LOAD_NAME x\n  LOAD_NAME y\n  IS_OP 0\n  UNARY_NOT\n  STORE_NAME x\n  RETURN_CONST 0\n",
    );
    let (out, n) = fold_constants(&text);
    assert_eq!(n, 1);
    assert_eq!(out[3], "IS_OP 1");
    assert_eq!(out[4], "STORE_NAME 0");
    // 3.8: COMPARE_OP 'in' + UNARY_NOT -> COMPARE_OP 'not in'.
    let text = ".python 3.8\n.code <module>\n  .names 'x', 'y'\n  .const 0 None\n  .loc 1\n  \
                LOAD_NAME x\n  LOAD_NAME y\n  COMPARE_OP 6\n  UNARY_NOT\n  STORE_NAME x\n  \
                LOAD_CONST 0\n  RETURN_VALUE\n.end\n";
    let (out, n) = fold_constants(text);
    assert_eq!(n, 1);
    assert_eq!(out[2], "COMPARE_OP 7");
    // But `not (x < y)` stays.
    let text = v312(
        "  .const 0 None\n",
        "  LOAD_NAME x\n  LOAD_NAME y\n  COMPARE_OP 2\n  UNARY_NOT\n  STORE_NAME x\n  RETURN_CONST 0\n",
    );
    assert_eq!(fold_constants(&text).1, 0);
}

#[test]
fn lines_only_the_folded_code_carried_stay_as_nops() {
    // (1,
    //  2 < 3): the comparison on line 2 folds into the tuple of line 1.
    let text = ".python 3.10\n.code <module>\n  .names 'x'\n  .const 0 1\n  .const 1 2\n  \
                .const 2 3\n  .const 3 None\n  .loc 1\n  LOAD_CONST 0\n  .loc 2\n  LOAD_CONST 1\n  \
                LOAD_CONST 2\n  COMPARE_OP 0\n  .loc 1\n  BUILD_TUPLE 2\n  STORE_NAME x\n  \
                LOAD_CONST 3\n  RETURN_VALUE\n.end\n";
    let (out, n) = fold_constants(text);
    assert_eq!(n, 1);
    assert_eq!(
        out,
        [
            "NOP @1",
            "NOP @2",
            "LOAD_CONST (1, True) @1",
            "STORE_NAME 0",
            "LOAD_CONST None",
            "RETURN_VALUE"
        ]
        .map(|s| s.replace("(1, True)", "Tuple([Int(1), True])"))
    );
}

#[test]
fn builtins_fold_only_when_assumed_and_unshadowed() {
    let forms = [
        // 3.8: LOAD_NAME; arg; CALL_FUNCTION.
        ".python 3.8\n.code <module>\n  .names 'len', 'x'\n  .const 0 'abc'\n  .const 1 None\n  \
         .loc 1\n  LOAD_NAME len\n  LOAD_CONST 0\n  CALL_FUNCTION 1\n  STORE_NAME x\n  \
         LOAD_CONST 1\n  RETURN_VALUE\n.end\n",
        // 3.11: PUSH_NULL; LOAD_NAME; arg; PRECALL; CALL.
        ".python 3.11\n.code <module>\n  .names 'len', 'x'\n  .const 0 'abc'\n  .const 1 None\n  \
         .loc 1\n  RESUME 0\n  PUSH_NULL\n  LOAD_NAME len\n  LOAD_CONST 0\n  PRECALL 1\n  CALL 1\n  \
         STORE_NAME x\n  LOAD_CONST 1\n  RETURN_VALUE\n.end\n",
        // 3.12: LOAD_GLOBAL with the NULL bit.
        ".python 3.12\n.code <module>\n  .names 'len', 'x'\n  .const 0 'abc'\n  .const 1 None\n  \
         .loc 1\n  RESUME 0\n  LOAD_GLOBAL len+1\n  LOAD_CONST 0\n  CALL 1\n  STORE_NAME x\n  \
         RETURN_CONST 1\n.end\n",
        // 3.13: LOAD_NAME; PUSH_NULL (NULL after the callable).
        ".python 3.13\n.code <module>\n  .names 'len', 'x'\n  .const 0 'abc'\n  .const 1 None\n  \
         .loc 1\n  RESUME 0\n  LOAD_NAME len\n  PUSH_NULL\n  LOAD_CONST 0\n  CALL 1\n  \
         STORE_NAME x\n  RETURN_CONST 1\n.end\n",
    ];
    for text in forms {
        let (out, n) = run_pass(text, &FoldBuiltins, true);
        assert_eq!(n, 1, "{text}");
        assert!(out.iter().any(|s| s.starts_with("LOAD_CONST 3")), "{out:?}");
        assert!(!out.iter().any(|s| s.starts_with("CALL")), "{out:?}");
        // Not assumed: nothing; fold-constants never calls.
        assert_eq!(run_pass(text, &FoldBuiltins, false).1, 0);
        assert_eq!(run_pass(text, &FoldConstants, true).1, 0);
        // In a class body LOAD_NAME looks in the class namespace first.
        if text.contains("LOAD_NAME len") {
            assert_eq!(run_pass_as(text, "<module>.C", &FoldBuiltins, true).1, 0);
        }
        // A file that binds `len` keeps the call.
        let shadowed = text.replace("STORE_NAME x", "STORE_NAME len");
        assert_eq!(run_pass(&shadowed, &FoldBuiltins, true).1, 0, "{shadowed}");
    }
}

#[test]
fn builtins_that_would_raise_stay() {
    let text = ".python 3.12\n.code <module>\n  .names 'chr', 'min', 'x'\n  .const 0 -1\n  \
                .const 1 ()\n  .const 2 None\n  .loc 1\n  RESUME 0\n  LOAD_GLOBAL chr+1\n  \
                LOAD_CONST 0\n  CALL 1\n  STORE_NAME x\n  LOAD_GLOBAL min+1\n  LOAD_CONST 1\n  \
                CALL 1\n  STORE_NAME x\n  RETURN_CONST 2\n.end\n";
    assert_eq!(run_pass(text, &FoldBuiltins, true).1, 0);
}

#[test]
fn python_2_is_left_alone() {
    let text = ".python 2.7\n.code <module>\n  .names 'x'\n  .const 0 1\n  .const 1 2\n  \
                .const 2 None\n  .loc 1\n  LOAD_CONST 0\n  LOAD_CONST 1\n  BINARY_DIVIDE\n  \
                STORE_NAME x\n  LOAD_CONST 2\n  RETURN_VALUE\n.end\n";
    assert_eq!(fold_constants(text).1, 0);
}
