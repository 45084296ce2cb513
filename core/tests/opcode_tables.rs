//! Tests of the embedded opcode tables (`pycopt_core::opcode`).
//!
//! The literal expectations below were read off the interpreters themselves
//! (`dis.stack_effect`, `opcode.opmap`, `dis._all_opmap`, compiled `co_stacksize`); the
//! last test re-runs the generator in `--check` mode so the committed data files cannot
//! drift from the interpreters.

use std::path::Path;
use std::process::Command;

use pycopt_core::opcode::{
    table, ArgKind, DerefIndex, Encoding, ForbiddenKind, JumpKind, JumpUnit, OpInfo, OpcodeError,
    OpcodeTable, StackSource,
};
use pycopt_core::PyVersion::{self, *};

fn op(v: PyVersion, name: &str) -> &'static OpInfo {
    table(v)
        .by_name(name)
        .unwrap_or_else(|| panic!("{name} missing from CPython {v}"))
}

fn versions(from: PyVersion, to: PyVersion) -> impl Iterator<Item = PyVersion> {
    PyVersion::ALL
        .into_iter()
        .filter(move |v| v.at_least(from) && to.at_least(*v))
}

#[test]
fn every_version_has_load_const_with_a_const_argument() {
    for v in PyVersion::ALL {
        let t = table(v);
        assert_eq!(t.version, v);
        let lc = op(v, "LOAD_CONST");
        assert_eq!(lc.arg_kind, ArgKind::Const, "{v}");
        assert!(lc.has_arg && lc.jump.is_none() && lc.falls_through(), "{v}");
        assert_eq!(lc.stack_effect(0, false), 1, "{v}");
        assert_eq!(t.get(lc.code).unwrap().name, "LOAD_CONST");
    }
    assert_eq!(op(V2_7, "LOAD_CONST").code, 100);
    assert_eq!(op(V3_12, "LOAD_CONST").code, 100);
    assert_eq!(op(V3_13, "LOAD_CONST").code, 83);
}

#[test]
fn extended_arg_numbers() {
    let expect = |v: PyVersion| match v {
        V2_7 => (145, 16),
        V3_13 => (71, 8),
        _ => (144, 8),
    };
    for v in PyVersion::ALL {
        let t = table(v);
        assert_eq!((t.extended_arg, t.extended_arg_shift), expect(v), "{v}");
        let ext = t.extended_arg_op();
        assert_eq!(ext.name, "EXTENDED_ARG");
        assert!(ext.flow.extended_arg && ext.has_arg && ext.falls_through());
        assert_eq!(ext.stack_effect(0x1234, false), 0);
        assert_eq!(op(v, "EXTENDED_ARG").code, t.extended_arg);
        let flagged: Vec<_> = t.iter().filter(|o| o.flow.extended_arg).collect();
        assert_eq!(flagged.len(), 1, "{v}");
    }
}

#[test]
fn encoding_have_argument_and_cache() {
    assert_eq!(table(V2_7).encoding, Encoding::Bytes3);
    for v in versions(V3_6, V3_13) {
        assert_eq!(table(v).encoding, Encoding::Wordcode);
    }
    assert_eq!(table(V3_12).have_argument, 90);
    assert_eq!(table(V3_13).have_argument, 44);
    // 3.13: HAVE_ARGUMENT is not a boundary; WITH_EXCEPT_START (44) takes no argument.
    let wes = op(V3_13, "WITH_EXCEPT_START");
    assert_eq!(wes.code, 44);
    assert!(!wes.has_arg);
    assert_eq!(wes.arg_kind, ArgKind::None);
    for v in versions(V2_7, V3_10) {
        assert_eq!(table(v).cache, None);
        assert!(table(v)
            .iter()
            .all(|o| o.cache_entries == 0 && !o.flow.cache));
        let t = table(v);
        assert!(t.iter().all(|o| o.has_arg == (o.code >= t.have_argument)));
    }
    for v in versions(V3_11, V3_13) {
        assert_eq!(table(v).cache, Some(0));
        assert!(op(v, "CACHE").flow.cache);
    }
    // Inline caches per opcode (opcode._inline_cache_entries).
    assert_eq!(op(V3_11, "LOAD_GLOBAL").cache_entries, 5);
    assert_eq!(op(V3_12, "LOAD_GLOBAL").cache_entries, 4);
    assert_eq!(op(V3_11, "LOAD_METHOD").cache_entries, 10);
    assert_eq!(op(V3_12, "LOAD_ATTR").cache_entries, 9);
    assert_eq!(op(V3_13, "TO_BOOL").cache_entries, 3);
    assert_eq!(op(V3_13, "POP_JUMP_IF_TRUE").cache_entries, 1);
    assert_eq!(op(V3_12, "POP_JUMP_IF_TRUE").cache_entries, 0);
    let t = table(V3_13);
    assert_eq!(t.instr_len(op(V3_13, "LOAD_ATTR")), 20);
    assert_eq!(table(V2_7).instr_len(op(V2_7, "LOAD_CONST")), 3);
    assert_eq!(table(V2_7).instr_len(op(V2_7, "POP_TOP")), 1);
}

/// Each expectation was checked with the interpreter: `dis.stack_effect(op, arg,
/// jump=...)` on 3.8+, and for 2.7-3.7 the compiled `co_stacksize` of small programs.
#[test]
fn stack_effects_match_the_interpreters() {
    let se = |v: PyVersion, name: &str, arg: u32, jump: bool| op(v, name).stack_effect(arg, jump);

    for v in versions(V3_8, V3_11) {
        assert_eq!(se(v, "FOR_ITER", 0, true), -1, "{v}");
        assert_eq!(se(v, "FOR_ITER", 0, false), 1, "{v}");
    }
    for v in versions(V3_12, V3_13) {
        assert_eq!(se(v, "FOR_ITER", 0, true), 1, "{v}");
        assert_eq!(se(v, "FOR_ITER", 0, false), 1, "{v}");
    }
    for v in versions(V3_8, V3_10) {
        assert_eq!(se(v, "SETUP_FINALLY", 0, true), 6, "{v}");
        assert_eq!(se(v, "SETUP_FINALLY", 0, false), 0, "{v}");
        assert_eq!(op(v, "SETUP_FINALLY").max_stack_effect(0), 6, "{v}");
        assert_eq!(se(v, "CALL_FUNCTION", 3, false), -3, "{v}");
        assert_eq!(se(v, "CALL_FUNCTION_KW", 3, false), -4, "{v}");
    }
    for v in versions(V3_6, V3_13) {
        assert_eq!(se(v, "BUILD_MAP", 3, false), -5, "{v}");
        assert_eq!(se(v, "UNPACK_EX", 2 | (3 << 8), false), 5, "{v}");
        assert_eq!(se(v, "BUILD_SLICE", 3, false), -2, "{v}");
        assert_eq!(se(v, "BUILD_SLICE", 2, false), -1, "{v}");
    }
    for v in versions(V3_6, V3_12) {
        assert_eq!(se(v, "FORMAT_VALUE", 4, false), -1, "{v}");
        assert_eq!(se(v, "FORMAT_VALUE", 3, false), 0, "{v}");
        let want = if v.at_least(V3_11) { -4 } else { -5 };
        assert_eq!(se(v, "MAKE_FUNCTION", 15, false), want, "{v}");
    }
    for v in PyVersion::ALL {
        assert_eq!(se(v, "RAISE_VARARGS", 2, false), -2, "{v}");
    }
    // 3.11
    assert_eq!(se(V3_11, "SEND", 0, true), -1);
    assert_eq!(se(V3_11, "SEND", 0, false), 0);
    assert_eq!(se(V3_11, "LOAD_GLOBAL", 5, false), 2);
    assert_eq!(se(V3_11, "PRECALL", 2, false), -2);
    assert_eq!(se(V3_11, "CALL", 2, false), -1);
    // 3.12 / 3.13
    for v in versions(V3_12, V3_13) {
        assert_eq!(se(v, "LOAD_ATTR", 1, false), 1, "{v}");
        assert_eq!(se(v, "LOAD_ATTR", 2, false), 0, "{v}");
        assert_eq!(se(v, "LOAD_SUPER_ATTR", 3, false), -1, "{v}");
        assert_eq!(se(v, "CALL", 2, false), -3, "{v}");
        assert_eq!(se(v, "CALL_FUNCTION_EX", 1, false), -3, "{v}");
    }
    assert_eq!(se(V3_12, "RETURN_GENERATOR", 0, false), 0);
    assert_eq!(se(V3_13, "RETURN_GENERATOR", 0, false), 1);
    assert_eq!(se(V3_13, "CALL_KW", 2, false), -4);
    assert_eq!(se(V3_13, "LOAD_FAST_LOAD_FAST", 0x12, false), 2);
    assert_eq!(se(V3_13, "STORE_FAST_STORE_FAST", 0x12, false), -2);
    // 3.7: dis.stack_effect is the larger edge (6 for both); the compiler's edges differ.
    assert_eq!(table(V3_7).stack_effects, StackSource::DisMax);
    assert_eq!(se(V3_7, "SETUP_FINALLY", 0, false), 0);
    assert_eq!(se(V3_7, "SETUP_FINALLY", 0, true), 6);
    assert_eq!(se(V3_7, "SETUP_WITH", 0, false), 1);
    assert_eq!(op(V3_7, "SETUP_WITH").max_stack_effect(0), 6);
    // 3.6: dis.stack_effect(SETUP_FINALLY) is 6 and the 3.6 compiler adds 3 more on the
    // handler edge, which is why `try: pass finally: pass` has co_stacksize 9 there.
    assert_eq!(table(V3_6).stack_effects, StackSource::DisBase);
    assert_eq!(se(V3_6, "SETUP_FINALLY", 0, false), 6);
    assert_eq!(se(V3_6, "SETUP_FINALLY", 0, true), 9);
    assert_eq!(se(V3_6, "SETUP_WITH", 0, false), 7);
    assert_eq!(se(V3_6, "JUMP_IF_TRUE_OR_POP", 0, false), -1);
    assert_eq!(se(V3_6, "JUMP_IF_TRUE_OR_POP", 0, true), 0);
    // 2.7: `with x: pass` has co_stacksize 5 = LOAD_FAST 1 + SETUP_WITH 4.
    assert_eq!(table(V2_7).stack_effects, StackSource::Derived);
    assert_eq!(se(V2_7, "SETUP_WITH", 0, false), 4);
    assert_eq!(se(V2_7, "SETUP_FINALLY", 0, true), 3);
    assert_eq!(se(V2_7, "FOR_ITER", 0, true), -1);
    assert_eq!(se(V2_7, "CALL_FUNCTION", 0x0102, false), -4);
    assert_eq!(se(V2_7, "CALL_FUNCTION_VAR_KW", 0x0102, false), -6);
    assert_eq!(se(V2_7, "BUILD_MAP", 7, false), 1);
}

#[test]
fn forbidden_opcodes_are_reported_as_such() {
    let err = table(V3_11).get(3).unwrap_err();
    assert_eq!(
        err,
        OpcodeError::Forbidden {
            code: 3,
            name: "BINARY_OP_ADAPTIVE",
            kind: ForbiddenKind::Specialized,
            version: V3_11,
        }
    );
    assert_eq!(
        err.to_string(),
        "opcode 3 (BINARY_OP_ADAPTIVE) is a specialized opcode and never appears in a .pyc (CPython 3.11)"
    );
    assert_eq!(table(V3_11).forbidden(3).unwrap().base, Some("BINARY_OP"));
    assert_eq!(
        table(V3_11)
            .forbidden_by_name("EXTENDED_ARG_QUICK")
            .unwrap()
            .base,
        Some("EXTENDED_ARG")
    );

    let err = table(V3_12).get(237).unwrap_err();
    assert!(matches!(
        err,
        OpcodeError::Forbidden {
            name: "INSTRUMENTED_LOAD_SUPER_ATTR",
            kind: ForbiddenKind::Instrumented,
            ..
        }
    ));
    assert!(err
        .to_string()
        .contains("is an instrumented opcode and never appears in a .pyc"));
    assert!(matches!(
        table(V3_12).get(148),
        Err(OpcodeError::Forbidden {
            name: "STORE_ATTR_SLOT",
            ..
        })
    ));
    assert!(matches!(
        table(V3_13).get(7),
        Ok(OpInfo {
            name: "CHECK_EXC_MATCH",
            ..
        })
    ));
    assert!(matches!(
        table(V3_13).get(207),
        Err(OpcodeError::Forbidden {
            name: "RESUME_CHECK",
            kind: ForbiddenKind::Specialized,
            ..
        })
    ));
    assert!(matches!(
        table(V3_13).get(236),
        Err(OpcodeError::Forbidden {
            name: "INSTRUMENTED_RESUME",
            ..
        })
    ));
    assert!(matches!(
        table(V3_13).get(70),
        Err(OpcodeError::Forbidden {
            name: "ENTER_EXECUTOR",
            kind: ForbiddenKind::RuntimeOnly,
            ..
        })
    ));
    assert!(matches!(
        table(V3_12).get(3),
        Err(OpcodeError::Forbidden {
            name: "INTERPRETER_EXIT",
            ..
        })
    ));

    // Unused numbers are a different error.
    let err = table(V3_11).get(255).unwrap_err();
    assert_eq!(
        err,
        OpcodeError::Unknown {
            code: 255,
            version: V3_11
        }
    );
    assert!(matches!(
        table(V3_13).get(255),
        Err(OpcodeError::Unknown { .. })
    ));
    assert!(matches!(
        table(V3_10).get(0),
        Err(OpcodeError::Unknown { .. })
    ));

    // Every number of every version is exactly one of real, forbidden or unused.
    for v in PyVersion::ALL {
        let t = table(v);
        let mut real = 0;
        let mut forbidden = 0;
        for code in 0..=255u8 {
            match t.get(code) {
                Ok(o) => {
                    assert_eq!(o.code, code);
                    assert!(t.forbidden(code).is_none());
                    real += 1;
                }
                Err(OpcodeError::Forbidden { name, .. }) => {
                    assert_eq!(t.forbidden(code).unwrap().name, name);
                    assert!(t.by_name(name).is_none());
                    forbidden += 1;
                }
                Err(OpcodeError::Unknown { .. }) => {}
            }
        }
        assert_eq!(real, t.iter().count());
        assert_eq!(forbidden, t.forbidden_ops().len());
        assert_eq!(forbidden == 0, !v.at_least(V3_11), "{v}");
    }
    let count = |v, kind| {
        table(v)
            .forbidden_ops()
            .iter()
            .filter(|f| f.kind == kind)
            .count()
    };
    assert_eq!(count(V3_11, ForbiddenKind::Instrumented), 0);
    assert_eq!(count(V3_12, ForbiddenKind::Instrumented), 18);
    assert_eq!(count(V3_13, ForbiddenKind::Instrumented), 19);
}

#[test]
fn pseudo_ops_are_not_bytes() {
    for v in versions(V2_7, V3_11) {
        assert!(table(v).pseudo_ops().is_empty(), "{v}");
    }
    let t = table(V3_12);
    assert_eq!(t.pseudo_by_name("LOAD_METHOD").unwrap().number, 262);
    assert_eq!(t.pseudo_ops().len(), 11);
    assert!(t.by_name("LOAD_METHOD").is_none());
    let t = table(V3_13);
    assert_eq!(t.pseudo_by_name("LOAD_CLOSURE").unwrap().number, 258);
    assert!(t.by_name("LOAD_CLOSURE").is_none());
    assert!(t.pseudo_ops().iter().all(|p| p.number >= 256));
    // SETUP_FINALLY is real through 3.10, pseudo from 3.12.
    assert!(op(V3_10, "SETUP_FINALLY").flow.setup_block);
    assert!(table(V3_11).by_name("SETUP_FINALLY").is_none());
    assert!(table(V3_12).pseudo_by_name("SETUP_FINALLY").is_some());
}

#[test]
fn jump_units_differ_between_3_9_and_3_10() {
    assert_eq!(table(V3_9).jump_unit, JumpUnit::Bytes);
    assert_eq!(table(V3_10).jump_unit, JumpUnit::CodeUnits);
    let j9 = op(V3_9, "JUMP_ABSOLUTE").jump.unwrap();
    let j10 = op(V3_10, "JUMP_ABSOLUTE").jump.unwrap();
    assert_eq!(j9.kind, JumpKind::Absolute);
    assert_eq!(j9.target(100, 10), Some(10));
    assert_eq!(j10.target(100, 10), Some(20));
    let f9 = op(V3_9, "JUMP_FORWARD").jump.unwrap();
    let f10 = op(V3_10, "JUMP_FORWARD").jump.unwrap();
    assert_eq!(f9.target(100, 10), Some(110));
    assert_eq!(f10.target(100, 10), Some(120));
    assert_eq!(f10.arg_for(100, 120), Some(10));
    assert_eq!(f10.arg_for(100, 121), None);
    assert_eq!(f10.arg_for(100, 90), None);
    for v in versions(V2_7, V3_9) {
        assert!(table(v)
            .iter()
            .filter_map(|o| o.jump)
            .all(|j| j.unit == JumpUnit::Bytes));
    }
    for v in versions(V3_10, V3_13) {
        assert!(table(v)
            .iter()
            .filter_map(|o| o.jump)
            .all(|j| j.unit == JumpUnit::CodeUnits));
    }
}

#[test]
fn jump_directions() {
    for v in versions(V2_7, V3_10) {
        assert!(table(v)
            .iter()
            .filter_map(|o| o.jump)
            .all(|j| j.kind != JumpKind::Backward));
    }
    for v in versions(V3_11, V3_13) {
        let t = table(v);
        assert!(t
            .iter()
            .filter_map(|o| o.jump)
            .all(|j| j.kind != JumpKind::Absolute));
        let jb = op(v, "JUMP_BACKWARD").jump.unwrap();
        assert_eq!(jb.kind, JumpKind::Backward);
        assert_eq!(jb.target(100, 10), Some(80));
        assert_eq!(jb.target(10, 10), None);
        assert_eq!(jb.arg_for(100, 80), Some(10));
    }
    assert_eq!(
        op(V3_11, "POP_JUMP_BACKWARD_IF_TRUE").jump.unwrap().kind,
        JumpKind::Backward
    );
    // 3.12+: conditional jumps only go forward; backward-only are the JUMP_BACKWARDs.
    for v in versions(V3_12, V3_13) {
        let mut back: Vec<&str> = table(v)
            .iter()
            .filter(|o| o.jump.is_some_and(|j| j.kind == JumpKind::Backward))
            .map(|o| o.name)
            .collect();
        back.sort_unstable();
        assert_eq!(back, ["JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"], "{v}");
        assert!(table(v)
            .iter()
            .filter(|o| o.flow.cond_jump)
            .all(|o| o.jump.unwrap().kind == JumpKind::Forward));
    }
}

#[test]
fn argument_kinds() {
    for v in versions(V2_7, V3_10) {
        assert_eq!(table(v).deref_index, DerefIndex::CellsThenFrees, "{v}");
        assert_eq!(op(v, "LOAD_GLOBAL").arg_kind, ArgKind::Name { shift: 0 });
        assert_eq!(op(v, "COMPARE_OP").arg_kind, ArgKind::Compare { shift: 0 });
    }
    for v in versions(V3_11, V3_13) {
        assert_eq!(table(v).deref_index, DerefIndex::LocalsPlus, "{v}");
        assert_eq!(op(v, "LOAD_GLOBAL").arg_kind, ArgKind::Name { shift: 1 });
        assert_eq!(op(v, "BINARY_OP").arg_kind, ArgKind::BinaryOp);
        assert_eq!(table(v).nb_ops[0], ("NB_ADD", "+"));
        assert_eq!(table(v).nb_ops.len(), 26);
    }
    assert_eq!(op(V3_11, "LOAD_ATTR").arg_kind, ArgKind::Name { shift: 0 });
    assert_eq!(
        op(V3_11, "COMPARE_OP").arg_kind,
        ArgKind::Compare { shift: 0 }
    );
    assert_eq!(op(V3_11, "KW_NAMES").arg_kind, ArgKind::Const);
    assert_eq!(op(V3_12, "KW_NAMES").arg_kind, ArgKind::Const);
    for v in versions(V3_12, V3_13) {
        assert_eq!(op(v, "LOAD_ATTR").arg_kind, ArgKind::Name { shift: 1 });
        assert_eq!(
            op(v, "LOAD_SUPER_ATTR").arg_kind,
            ArgKind::Name { shift: 2 }
        );
        assert_eq!(op(v, "RETURN_CONST").arg_kind, ArgKind::Const);
        assert_eq!(op(v, "CALL_INTRINSIC_1").arg_kind, ArgKind::Intrinsic1);
        assert_eq!(op(v, "CALL_INTRINSIC_2").arg_kind, ArgKind::Intrinsic2);
        assert_eq!(table(v).intrinsic1[1], "INTRINSIC_PRINT");
        assert_eq!(op(v, "LOAD_FAST_CHECK").arg_kind, ArgKind::Local);
    }
    assert_eq!(
        op(V3_12, "COMPARE_OP").arg_kind,
        ArgKind::Compare { shift: 4 }
    );
    assert_eq!(
        op(V3_13, "COMPARE_OP").arg_kind,
        ArgKind::Compare { shift: 5 }
    );
    let cmp = op(V3_13, "COMPARE_OP").arg_kind;
    assert_eq!(
        table(V3_13).cmp_ops[cmp.index(2 << 5 | 16).unwrap() as usize],
        "=="
    );
    assert_eq!(cmp.flags(2 << 5 | 16), 16);
    for name in [
        "LOAD_FAST_LOAD_FAST",
        "STORE_FAST_LOAD_FAST",
        "STORE_FAST_STORE_FAST",
    ] {
        assert_eq!(op(V3_13, name).arg_kind, ArgKind::LocalPair);
    }
    assert_eq!(ArgKind::local_pair(0x35), (3, 5));
    for v in versions(V3_6, V3_12) {
        assert_eq!(op(v, "FORMAT_VALUE").arg_kind, ArgKind::FormatValue, "{v}");
    }
    assert_eq!(op(V3_13, "CONVERT_VALUE").arg_kind, ArgKind::ConvertValue);
    assert_eq!(ArgKind::Name { shift: 2 }.index(0b1011), Some(2));
    assert_eq!(ArgKind::Name { shift: 2 }.flags(0b1011), 0b11);
    assert_eq!(table(V2_7).cmp_ops[10], "exception match");
    assert_eq!(table(V3_8).cmp_ops.len(), 12);
    assert_eq!(table(V3_9).cmp_ops.len(), 6);
    assert_eq!(op(V2_7, "LOAD_DEREF").arg_kind, ArgKind::Free);
    assert_eq!(op(V3_11, "MAKE_CELL").arg_kind, ArgKind::Free);
}

#[test]
fn flow_facts_are_consistent() {
    for v in PyVersion::ALL {
        let t = table(v);
        for o in t.iter() {
            let f = o.flow;
            let jumpish = f.uncond_jump || f.cond_jump || f.setup_block;
            assert_eq!(o.jump.is_some(), jumpish, "{v} {}", o.name);
            assert_eq!(
                o.jump.is_some(),
                o.arg_kind == ArgKind::Jump,
                "{v} {}",
                o.name
            );
            assert!(!(f.uncond_jump && f.cond_jump), "{v} {}", o.name);
            if f.uncond_jump || f.returns || f.raises {
                assert!(f.terminates, "{v} {}", o.name);
            }
            if f.cond_jump || f.setup_block {
                assert!(o.falls_through(), "{v} {}", o.name);
            }
            if f.for_iter {
                assert!(f.cond_jump && o.name == "FOR_ITER");
            }
            if !o.has_arg {
                assert_eq!(o.arg_kind, ArgKind::None, "{v} {}", o.name);
                assert!(o.stack_formula(false).is_constant(), "{v} {}", o.name);
            }
            if o.jump.is_none() {
                assert_eq!(o.stack_formula(true), o.stack_formula(false));
            }
            assert!(std::ptr::eq(t.by_name(o.name).unwrap(), o));
        }
        assert!(op(v, "RETURN_VALUE").flow.returns);
        assert!(op(v, "RAISE_VARARGS").flow.raises);
        assert!(op(v, "JUMP_FORWARD").flow.uncond_jump);
        assert!(op(v, "FOR_ITER").flow.for_iter);
        assert!(op(v, "NOP").flow.nop);
    }
    for v in versions(V2_7, V3_7) {
        assert!(op(v, "BREAK_LOOP").flow.terminates && op(v, "BREAK_LOOP").flow.unwinds);
        assert!(op(v, "CONTINUE_LOOP").flow.unwinds);
        assert!(op(v, "SETUP_LOOP").flow.setup_block);
    }
    for v in versions(V3_9, V3_13) {
        assert!(op(v, "RERAISE").flow.raises);
    }
    assert!(op(V3_8, "CALL_FINALLY").flow.cond_jump);
    assert!(op(V3_11, "SEND").flow.cond_jump);
    assert!(op(V3_12, "RETURN_CONST").flow.returns);
}

/// The embedded tables say exactly what the committed data files say: every `op` line
/// is re-read here and compared with the table built from it.
#[test]
fn tables_round_trip_the_data_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/opcodes");
    for v in PyVersion::ALL {
        let t: &OpcodeTable = table(v);
        let text = std::fs::read_to_string(dir.join(format!("cpython-{v}.txt"))).unwrap();
        let mut ops = 0;
        let mut forbidden = 0;
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.first() {
                Some(&"op") => {
                    let o = t.get(f[1].parse().unwrap()).unwrap();
                    assert_eq!(o.name, f[2]);
                    assert_eq!(o.has_arg, f[3] == "arg");
                    assert_eq!(o.cache_entries.to_string(), f[4]);
                    assert_eq!(o.stack_formula(false).to_string(), f[7], "{v} {}", o.name);
                    if f[8] != "-" {
                        assert_eq!(o.stack_formula(true).to_string(), f[8], "{v} {}", o.name);
                    }
                    ops += 1;
                }
                Some(&"forbidden") => {
                    let code: u8 = f[1].parse().unwrap();
                    assert_eq!(t.forbidden(code).unwrap().name, f[2]);
                    forbidden += 1;
                }
                Some(&"interpreter") => assert_eq!(t.interpreter, f[1]),
                _ => {}
            }
        }
        assert_eq!(ops, t.iter().count(), "{v}");
        assert_eq!(forbidden, t.forbidden_ops().len(), "{v}");
    }
}

/// Re-runs the generator in `--check` mode: it regenerates every table from the
/// installed interpreters (with all its self-verification) and compares with the
/// committed files. Without the interpreters the test is skipped, unless `CI=true`.
#[test]
fn committed_tables_match_the_interpreters() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let skip = |why: &str| {
        assert!(!ci, "CI=true but the opcode-table check cannot run: {why}");
        eprintln!("skipping the opcode-table generator check: {why}");
    };
    let out = match Command::new("python3")
        .arg(root.join("corpus/scripts/gen_opcode_tables.py"))
        .arg("--check")
        .current_dir(root)
        .output()
    {
        Ok(out) => out,
        Err(e) => return skip(&format!("cannot run python3 ({e})")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {}
        Some(3) => skip(stderr.trim()),
        _ => panic!(
            "gen_opcode_tables.py --check failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            stderr
        ),
    }
}
