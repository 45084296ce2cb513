use super::*;
use crate::code::kind;
use crate::linetable::Position;
use crate::opcode::table;

fn ins(v: PyVersion, name: &str, arg: u32) -> Instr {
    Instr {
        op: table(v).by_name(name).unwrap(),
        arg,
        pos: Position::NONE,
        prefixes: 0,
        cache: Box::new([]),
        offset: None,
    }
}

/// A graph of `blocks` (instructions by name) and `edges`, with `arguments` bound
/// argument slots.
fn graph(
    v: PyVersion,
    arguments: u32,
    blocks: &[&[(&str, u32)]],
    edges: &[(usize, usize, EdgeKind)],
) -> Cfg {
    let mut cfg = Cfg::from_edges(v, blocks.len(), edges);
    cfg.frame.arguments = arguments;
    for (b, code) in blocks.iter().enumerate() {
        let id = cfg.layout[b];
        cfg.graph[id].instrs = code.iter().map(|&(n, a)| ins(v, n, a)).collect();
    }
    cfg
}

/// `(block, local, proven)` of every unchecked read, in layout order.
fn unchecked(cfg: &Cfg) -> Vec<(usize, u32, bool)> {
    let da = DefiniteAssignment::compute(cfg);
    assert!(da.converged());
    let mut out = Vec::new();
    for (n, &b) in cfg.layout.iter().enumerate() {
        for r in da.reads(cfg, b) {
            if !r.checked {
                out.push((n, r.local, r.proven));
            }
        }
    }
    out
}

const V12: PyVersion = PyVersion::V3_12;
const V13: PyVersion = PyVersion::V3_13;
const EXC0: EdgeKind = EdgeKind::Exception {
    depth: 0,
    lasti: false,
};

#[test]
fn a_store_on_one_branch_only_is_not_definite() {
    // def f(c): if c: x = 1 / return x
    let cfg = graph(
        V12,
        1,
        &[
            &[("RESUME", 0), ("LOAD_FAST", 0), ("POP_JUMP_IF_FALSE", 0)],
            &[("LOAD_CONST", 0), ("STORE_FAST", 1)],
            &[("LOAD_FAST", 1), ("RETURN_VALUE", 0)],
        ],
        &[
            (0, 1, EdgeKind::Fallthrough),
            (0, 2, EdgeKind::Jump),
            (1, 2, EdgeKind::Fallthrough),
        ],
    );
    assert_eq!(unchecked(&cfg), [(0, 0, true), (2, 1, false)]);
}

#[test]
fn stores_on_every_branch_are_definite() {
    let cfg = graph(
        V12,
        1,
        &[
            &[("RESUME", 0), ("LOAD_FAST", 0), ("POP_JUMP_IF_FALSE", 0)],
            &[("LOAD_CONST", 0), ("STORE_FAST", 1), ("JUMP_FORWARD", 0)],
            &[("LOAD_CONST", 1), ("STORE_FAST", 1)],
            &[("LOAD_FAST", 1), ("RETURN_VALUE", 0)],
        ],
        &[
            (0, 1, EdgeKind::Fallthrough),
            (0, 2, EdgeKind::Jump),
            (1, 3, EdgeKind::Jump),
            (2, 3, EdgeKind::Fallthrough),
        ],
    );
    assert_eq!(unchecked(&cfg), [(0, 0, true), (3, 1, true)]);
}

#[test]
fn a_loop_body_store_does_not_reach_the_code_after_the_loop() {
    // for x in a: print(x) / return x
    let cfg = graph(
        V12,
        1,
        &[
            &[("RESUME", 0), ("LOAD_FAST", 0), ("GET_ITER", 0)],
            &[("FOR_ITER", 0)],
            &[
                ("STORE_FAST", 1),
                ("LOAD_FAST", 1),
                ("POP_TOP", 0),
                ("JUMP_BACKWARD", 0),
            ],
            &[("END_FOR", 0), ("LOAD_FAST", 1), ("RETURN_VALUE", 0)],
        ],
        &[
            (0, 1, EdgeKind::Fallthrough),
            (1, 2, EdgeKind::Fallthrough),
            (1, 3, EdgeKind::Jump),
            (2, 1, EdgeKind::Jump),
        ],
    );
    assert_eq!(unchecked(&cfg), [(0, 0, true), (2, 1, true), (3, 1, false)]);
}

#[test]
fn delete_and_load_fast_and_clear_unbind() {
    let cfg = graph(
        V12,
        2,
        &[&[
            ("RESUME", 0),
            ("DELETE_FAST", 0),
            ("LOAD_FAST", 0),
            ("LOAD_FAST_AND_CLEAR", 1),
            ("POP_TOP", 0),
            ("LOAD_FAST", 1),
            ("LOAD_FAST", 1),
            ("RETURN_VALUE", 0),
        ]],
        &[],
    );
    // The first read of each proves it bound for the second (it is checked then).
    assert_eq!(
        unchecked(&cfg),
        [(0, 0, false), (0, 1, false), (0, 1, true)]
    );
}

/// 3.12 inlined comprehension `[x for x in y]` followed by `return x`:
/// `LOAD_FAST_AND_CLEAR x; SWAP 2; BUILD_LIST; SWAP 2; FOR_ITER…; END_FOR; SWAP 2;
/// STORE_FAST x` restores a value that is `NULL` when `x` was unbound.
fn comprehension(arguments: u32) -> Cfg {
    graph(
        V12,
        arguments,
        &[
            &[
                ("RESUME", 0),
                ("LOAD_FAST", 0),
                ("GET_ITER", 0),
                ("LOAD_FAST_AND_CLEAR", 1),
                ("SWAP", 2),
                ("BUILD_LIST", 0),
                ("SWAP", 2),
            ],
            &[("FOR_ITER", 0)],
            &[
                ("STORE_FAST", 1),
                ("LOAD_FAST", 1),
                ("LIST_APPEND", 2),
                ("JUMP_BACKWARD", 0),
            ],
            &[
                ("END_FOR", 0),
                ("SWAP", 2),
                ("STORE_FAST", 1),
                ("POP_TOP", 0),
                ("LOAD_FAST", 1),
                ("RETURN_VALUE", 0),
            ],
        ],
        &[
            (0, 1, EdgeKind::Fallthrough),
            (1, 2, EdgeKind::Fallthrough),
            (1, 3, EdgeKind::Jump),
            (2, 1, EdgeKind::Jump),
        ],
    )
}

#[test]
fn restoring_a_possibly_null_comprehension_variable_does_not_bind_it() {
    let cfg = comprehension(1);
    assert_eq!(unchecked(&cfg), [(0, 0, true), (2, 1, true), (3, 1, false)]);
}

#[test]
fn restoring_a_bound_comprehension_variable_binds_it() {
    // With `x` an argument, the saved value is not NULL.
    let cfg = comprehension(2);
    assert_eq!(unchecked(&cfg), [(0, 0, true), (2, 1, true), (3, 1, true)]);
}

#[test]
fn a_handler_sees_the_state_before_every_protected_instruction() {
    // try: x = 1; del x; except: return x
    let cfg = graph(
        V12,
        0,
        &[
            &[("RESUME", 0)],
            &[
                ("LOAD_CONST", 0),
                ("STORE_FAST", 0),
                ("DELETE_FAST", 0),
                ("LOAD_CONST", 0),
                ("RETURN_VALUE", 0),
            ],
            &[("POP_TOP", 0), ("LOAD_FAST", 0), ("RETURN_VALUE", 0)],
        ],
        &[(0, 1, EdgeKind::Fallthrough), (1, 2, EXC0)],
    );
    assert_eq!(unchecked(&cfg), [(2, 0, false)]);
    // Bound before the try, it stays bound for the handler until deleted.
    let mut cfg = cfg;
    cfg.frame.arguments = 1;
    assert_eq!(unchecked(&cfg), [(2, 0, false)]);
    let b1 = cfg.layout[1];
    cfg.graph[b1].instrs.remove(2);
    assert_eq!(unchecked(&cfg), [(2, 0, true)]);
}

#[test]
fn a_possibly_null_value_below_the_handler_depth_survives_the_exception_edge() {
    // LOAD_FAST_AND_CLEAR x (unbound) at depth 0, then a protected block with handler
    // depth 1 restoring x from it: x stays unbound.
    let cfg = graph(
        V12,
        0,
        &[
            &[("RESUME", 0), ("LOAD_FAST_AND_CLEAR", 0)],
            &[
                ("LOAD_CONST", 0),
                ("STORE_FAST", 0),
                ("LOAD_CONST", 0),
                ("RETURN_VALUE", 0),
            ],
            &[
                ("SWAP", 2),
                ("STORE_FAST", 0),
                ("LOAD_FAST", 0),
                ("RETURN_VALUE", 0),
            ],
        ],
        &[
            (0, 1, EdgeKind::Fallthrough),
            (
                1,
                2,
                EdgeKind::Exception {
                    depth: 1,
                    lasti: false,
                },
            ),
        ],
    );
    assert_eq!(unchecked(&cfg), [(2, 0, false)]);
}

#[test]
fn cells_and_free_variables_are_bound_by_the_prefix() {
    // Slots: a (argument), c (cell), f (free).
    let mut cfg = graph(
        V13,
        1,
        &[&[
            ("COPY_FREE_VARS", 1),
            ("MAKE_CELL", 1),
            ("RESUME", 0),
            ("LOAD_FAST", 1),
            ("LOAD_FAST", 2),
            ("BUILD_TUPLE", 2),
            ("RETURN_VALUE", 0),
        ]],
        &[],
    );
    cfg.frame.kinds = vec![kind::LOCAL, kind::CELL, kind::FREE];
    assert_eq!(unchecked(&cfg), [(0, 1, true), (0, 2, true)]);
    // Without the prefix, neither is bound.
    let b = cfg.entry;
    cfg.graph[b].instrs.drain(0..2);
    assert_eq!(unchecked(&cfg), [(0, 1, false), (0, 2, false)]);
}

#[test]
fn superinstructions_read_and_write_both_slots_in_order() {
    let cfg = graph(
        V13,
        1,
        &[&[
            ("RESUME", 0),
            ("LOAD_FAST_LOAD_FAST", 0x01),
            ("STORE_FAST_STORE_FAST", 0x23),
            ("STORE_FAST_LOAD_FAST", 0x40),
            ("LOAD_FAST_LOAD_FAST", 0x23),
            ("RETURN_VALUE", 0),
        ]],
        &[],
    );
    let da = DefiniteAssignment::compute(&cfg);
    let reads: Vec<(usize, u8, u32, bool)> = da
        .reads(&cfg, cfg.entry)
        .iter()
        .map(|r| (r.index, r.half, r.local, r.proven))
        .collect();
    assert_eq!(
        reads,
        [
            (1, 0, 0, true),
            (1, 1, 1, false),
            (3, 1, 0, true),
            (4, 0, 2, true),
            (4, 1, 3, true),
        ]
    );
    let before = da.before_each(&cfg, cfg.entry).unwrap();
    assert_eq!(before[3].iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(before[4].iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
}

#[test]
fn checked_forms_split_superinstructions() {
    let name = |f: Option<Vec<(&'static OpInfo, u32)>>| {
        f.map(|v| v.iter().map(|(o, a)| (o.name, *a)).collect::<Vec<_>>())
    };
    let i = ins(V13, "LOAD_FAST_LOAD_FAST", 0x12);
    assert_eq!(name(checked_form(V13, &i, [false, false])), None);
    assert_eq!(
        name(checked_form(V13, &i, [false, true])),
        Some(vec![("LOAD_FAST", 1), ("LOAD_FAST_CHECK", 2)])
    );
    let i = ins(V13, "STORE_FAST_LOAD_FAST", 0x12);
    assert_eq!(
        name(checked_form(V13, &i, [false, true])),
        Some(vec![("STORE_FAST", 1), ("LOAD_FAST_CHECK", 2)])
    );
    let i = ins(V12, "LOAD_FAST", 7);
    assert_eq!(
        name(checked_form(V12, &i, [true, false])),
        Some(vec![("LOAD_FAST_CHECK", 7)])
    );
    let i = ins(V12, "LOAD_FAST_CHECK", 7);
    assert_eq!(name(checked_form(V12, &i, [true, false])), None);
}

#[test]
fn unreachable_code_counts_as_proven() {
    let cfg = graph(
        V12,
        0,
        &[
            &[("RESUME", 0), ("RETURN_CONST", 0)],
            &[("LOAD_FAST", 0), ("RETURN_VALUE", 0)],
        ],
        &[],
    );
    assert_eq!(unchecked(&cfg), [(1, 0, true)]);
}

#[test]
fn a_diverging_stack_gives_up_safely() {
    // A loop that pushes on every turn.
    let cfg = graph(
        V12,
        1,
        &[&[("RESUME", 0)], &[("LOAD_FAST", 0), ("JUMP_BACKWARD", 0)]],
        &[(0, 1, EdgeKind::Fallthrough), (1, 1, EdgeKind::Jump)],
    );
    let da = DefiniteAssignment::compute(&cfg);
    assert!(!da.converged());
    assert!(da.reads(&cfg, cfg.layout[1]).iter().all(|r| !r.proven));
}

#[test]
fn a_setup_handler_before_3_11_loses_what_the_code_deletes() {
    // def f(a, b): try: del a / except: return a + b   (3.10)
    let v = PyVersion::V3_10;
    let cfg = graph(
        v,
        2,
        &[
            &[("SETUP_FINALLY", 0)],
            &[
                ("DELETE_FAST", 0),
                ("POP_BLOCK", 0),
                ("LOAD_CONST", 0),
                ("RETURN_VALUE", 0),
            ],
            &[
                ("POP_TOP", 0),
                ("POP_TOP", 0),
                ("POP_TOP", 0),
                ("LOAD_FAST", 0),
                ("LOAD_FAST", 1),
                ("BINARY_ADD", 0),
                ("RETURN_VALUE", 0),
            ],
        ],
        &[(0, 1, EdgeKind::Fallthrough), (0, 2, EdgeKind::Setup)],
    );
    assert_eq!(unchecked(&cfg), [(2, 0, false), (2, 1, true)]);
}
