use super::*;
use crate::cfg::{Block, Instr};
use crate::instr::decode;

fn instr(v: PyVersion, name: &str, arg: u32) -> Instr {
    Instr {
        op: table(v).by_name(name).unwrap(),
        arg,
        pos: Position {
            line: Some(1),
            end_line: Some(1),
            column: Some(0),
            end_column: Some(1),
        },
        prefixes: 0,
        cache: Box::new([]),
        offset: None,
    }
}

/// 3.12: `RESUME; L: NOP; JUMP_FORWARD L` has to jump backward.
#[test]
fn a_jump_to_an_earlier_block_switches_direction() {
    let v = PyVersion::V3_12;
    let mut cfg = Cfg::from_edges(
        v,
        2,
        &[(0, 1, EdgeKind::Fallthrough), (1, 1, EdgeKind::Jump)],
    );
    let b = cfg.layout.clone();
    cfg.graph[b[0]] = Block {
        instrs: vec![instr(v, "RESUME", 0)],
        ..Block::default()
    };
    cfg.graph[b[1]] = Block {
        instrs: vec![instr(v, "NOP", 0), instr(v, "JUMP_FORWARD", 0)],
        ..Block::default()
    };
    let g = generate(&cfg, 1, &Original::default()).unwrap();
    let out = decode(&g.code, v).unwrap();
    let names: Vec<_> = out.iter().map(|i| i.op.name).collect();
    assert_eq!(names, ["RESUME", "NOP", "JUMP_BACKWARD"]);
    assert_eq!(out[2].jump_target(table(v)), Some(2));
    assert_eq!(g.stacksize, 0);
    assert!(g.exceptiontable.is_empty());
}

/// 3.11+: a block's exception edge becomes a table entry covering its instructions.
#[test]
fn exception_edges_become_table_entries() {
    let v = PyVersion::V3_12;
    let mut cfg = Cfg::from_edges(
        v,
        3,
        &[
            (0, 1, EdgeKind::Fallthrough),
            (
                1,
                2,
                EdgeKind::Exception {
                    depth: 0,
                    lasti: false,
                },
            ),
        ],
    );
    let b = cfg.layout.clone();
    cfg.graph[b[0]].instrs = vec![instr(v, "RESUME", 0)];
    cfg.graph[b[1]].instrs = vec![instr(v, "LOAD_CONST", 0), instr(v, "RETURN_VALUE", 0)];
    cfg.graph[b[2]].instrs = vec![instr(v, "POP_TOP", 0), instr(v, "RETURN_CONST", 0)];
    let g = generate(&cfg, 1, &Original::default()).unwrap();
    let t = crate::exceptiontable::ExceptionTable::decode(&g.exceptiontable).unwrap();
    assert_eq!(t.entries.len(), 1);
    let e = t.entries[0];
    assert_eq!((e.start, e.length, e.target), (1, 2, 3));
    assert_eq!(g.stacksize, 1);
    let limits = crate::verify::Limits {
        consts: 1,
        ..Default::default()
    };
    crate::verify::verify(v, &g.code, &g.exceptiontable, g.stacksize, &limits).unwrap();
    let short = crate::verify::Limits::default();
    assert!(crate::verify::verify(v, &g.code, &g.exceptiontable, g.stacksize, &short).is_err());
}
