//! Unit tests of the assembler: error positions, what it computes, and robustness
//! against arbitrary edits.

use super::{assemble, disassemble, AsmError};
use crate::code::walk_code;
use crate::instr::decode;
use crate::opcode::table;
use crate::version::PyVersion;
use crate::Pyc;

/// The error of assembling `body` inside a 3.x module block.
fn error(version: &str, text: &str) -> AsmError {
    let src = format!(".python {version}\n{text}");
    match assemble(&src) {
        Ok(_) => panic!("assembled:\n{src}"),
        Err(e) => e,
    }
}

fn at(e: &AsmError) -> (u32, u32) {
    (e.line, e.col)
}

#[test]
fn errors_point_at_line_and_column() {
    let e = error("3.12", ".code <module>\n  RESUME 0\n  LOAD_KONST 0\n.end\n");
    assert_eq!(at(&e), (4, 3));
    assert_eq!(e.message, "unknown opcode LOAD_KONST for CPython 3.12");
    assert_eq!(
        e.to_string(),
        "4:3: unknown opcode LOAD_KONST for CPython 3.12"
    );

    let e = error("3.12", ".code <module>\n  resume 0\n.end\n");
    assert!(e.message.contains("did you mean RESUME?"), "{e}");

    let e = error("3.12", ".code <module>\n  JUMP_FORWARD nowhere\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        ((3, 16), "undefined label `nowhere`")
    );

    let e = error("3.11", ".code <module>\n  .const 0 (1, frob)\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        ((3, 16), "`frob` is not a constant")
    );

    let e = error("3.11", ".code <module>\n  .const 0 'a\\x4'\n.end\n");
    assert_eq!(at(&e), (3, 14));
    assert!(e.message.contains("2 hex digits"), "{e}");

    let e = error(
        "3.8",
        ".code <module>\n  .const 0 None\n  LOAD_CONST 3\n.end\n",
    );
    assert_eq!(
        (at(&e), e.message.as_str()),
        (
            (4, 14),
            "constant index 3 out of range: the block has 1 constant"
        )
    );

    let e = error("3.8", ".code <module>\n  .names 'a'\n  LOAD_NAME 2\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        ((4, 13), "name index 2 out of range: the block has 1 name")
    );

    let e = error("3.9", ".code f\n  .varnames 'a'\n  LOAD_FAST b\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        ((4, 13), "no local variable `b` in this block")
    );

    let e = error("3.12", ".code <module>\n  BINARY_OP_ADD_INT\n.end\n");
    assert_eq!(at(&e), (3, 3));
    assert!(e.message.contains("a specialized opcode"), "{e}");

    let e = error("3.12", ".code <module>\n  EXTENDED_ARG 1\n.end\n");
    assert!(e.message.contains("`.extended N`"), "{e}");

    let e = error(
        "3.12",
        ".code <module>\nback:\n  NOP\n  POP_JUMP_IF_TRUE back\n.end\n",
    );
    assert_eq!(at(&e), (5, 3));
    assert!(e.message.contains("only jumps forward"), "{e}");

    let e = error("3.12", ".code <module>\nx:\nx:\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        ((4, 1), "label `x` is already defined at line 3")
    );

    let e = error("3.12", ".code <module>\n  .const 1 None\n.end\n");
    assert_eq!(at(&e), (3, 10));

    let e = error("3.12", ".code <module>\n  .frobnicate\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        ((3, 3), "unknown directive `.frobnicate`")
    );

    let e = error("3.12", ".code <module>\n  .const 0 code <module>.g\n.end\n");
    assert_eq!(e.line, 3);
    assert!(
        e.message.starts_with("no code block named `<module>.g`"),
        "{e}"
    );

    let e = error("3.10", ".code <module>\n  .loc 3:1-3:5\n.end\n");
    assert_eq!(at(&e), (3, 8));

    let e = error("3.12", ".code <module>\n  NOP\n");
    assert!(e.message.contains("`.end` is missing"), "{e}");

    let e = error("3.12", ".code <module>\n  NOP\n  .cache 00\n.end\n");
    assert!(e.message.contains("NOP has 0 bytes of inline cache"), "{e}");

    let e = assemble(".code <module>\n.end\n").unwrap_err();
    assert_eq!(at(&e), (1, 1));

    let e = error(
        "3.12",
        ".code <module>\n  .const 0 None\n  RESUME 0\ntop:\n  LOAD_CONST 0\n  JUMP_BACKWARD top\n.end\n",
    );
    assert!(e.message.contains("pushes more than it pops"), "{e}");
    assert!((6..=7).contains(&e.line), "{e}");

    let e = error("3.12", ".code <module>\n  LOAD_CONST\n.end\n");
    assert_eq!(e.message, "LOAD_CONST needs an argument: a constant index");

    let e = error("3.12", ".code <module>\n.end\n.code f\n.end\n");
    assert_eq!(
        (at(&e), e.message.as_str()),
        (
            (4, 7),
            "code block `f` is not a constant of any other block"
        )
    );
}

fn module(version: PyVersion, pyc: &Pyc) -> Vec<crate::instr::Instruction> {
    let code = pyc.module();
    decode(code.bytecode(&pyc.graph), version).unwrap()
}

#[test]
fn prefixes_caches_and_jump_directions_are_computed() {
    // 300 NOPs between a jump and its label: the jump needs an EXTENDED_ARG; the
    // label is behind the JUMP_FORWARD, which becomes JUMP_BACKWARD.
    let mut src = String::from(
        ".python 3.12\n.code <module>\n  .const 0 None\n  RESUME 0\ntop:\n  POP_JUMP_IF_TRUE end\n",
    );
    src.push_str(&"  NOP\n".repeat(300));
    src.push_str("  JUMP_FORWARD top\nend:\n  .extended 1\n  RETURN_CONST 0\n.end\n");
    let pyc = assemble(&src).unwrap();
    let instrs = module(PyVersion::V3_12, &pyc);
    let t = table(PyVersion::V3_12);
    let jif = &instrs[1];
    assert_eq!((jif.op.name, jif.prefixes), ("POP_JUMP_IF_TRUE", 1));
    let back = &instrs[instrs.len() - 2];
    assert_eq!((back.op.name, back.prefixes), ("JUMP_BACKWARD", 1));
    assert_eq!(back.jump_target(t), Some(instrs[1].start));
    assert_eq!(jif.jump_target(t), Some(instrs.last().unwrap().start));
    // `.extended 1` keeps a redundant EXTENDED_ARG 0.
    assert_eq!(instrs.last().unwrap().prefixes, 1);
    // And it all comes back as the same text.
    let text = disassemble(&pyc).unwrap();
    assert!(text.contains("  .extended 1\n  RETURN_CONST 0"), "{text}");
    let again = assemble(&text).unwrap();
    assert_eq!(again.to_bytes().unwrap(), pyc.to_bytes().unwrap());
}

#[test]
fn names_stack_size_and_tables_are_computed() {
    let src = "\
.python 3.11
.code <module>
  .stacksize 1                ; too small: the computed depth wins
  .const 0 'hi'
  .const 1 None
  .loc 1
  RESUME 0
  .loc 2:0-2:9
  PUSH_NULL
  LOAD_NAME print
  LOAD_CONST 0
  PRECALL 1
  CALL 1
  POP_TOP
  LOAD_CONST 1
  RETURN_VALUE
.end
";
    let pyc = assemble(src).unwrap();
    let g = &pyc.graph;
    let code = pyc.module();
    assert_eq!(code.stacksize, 3);
    assert_eq!(code.names(g), ["print"]);
    assert_eq!(code.firstlineno, 1);
    let lt = crate::linetable::LineTable::of_code(PyVersion::V3_11, code, g).unwrap();
    let lines: Vec<_> = lt
        .lines(
            PyVersion::V3_11,
            code.firstlineno,
            code.bytecode(g).len() as u32,
        )
        .into_iter()
        .map(|r| r.line)
        .collect();
    assert_eq!(lines[0], Some(1));
    assert!(lines[1..].iter().all(|l| *l == Some(2)));
    // A .pyc the reader accepts.
    let bytes = pyc.to_bytes().unwrap();
    let back = Pyc::parse(bytes).unwrap();
    assert_eq!(walk_code(&back.graph, back.root).len(), 1);
}

#[test]
fn literals_round_trip() {
    let src = r#".python 3.12
.code <module>
  .const 0 (None, True, False, ..., StopIteration, 0, -1, 123456789012345678901234567890)
  .const 1 (1.5, -0.0, inf, -inf, nan, f64:0x7ff8000000000001, 1e+16, 2.5e-05)
  .const 2 (1j, -0j, (1-2j), (-0+1j), complex(nan, f64:0xfff8000000000000))
  .const 3 ('a\'"\\\n\x00é\u2603\U0001f600\ud800', b'\x00\xff', '')
  .const 4 (frozenset(), frozenset({3, 1, 2}), (1,), ((),), [1, [2]], {1: 2}, {3}, set())
  .const 5 None
  RESUME 0
  RETURN_CONST 5
.end
"#;
    let pyc = assemble(src).unwrap();
    let text = disassemble(&pyc).unwrap();
    let again = assemble(&text).unwrap();
    assert_eq!(again.to_bytes().unwrap(), pyc.to_bytes().unwrap());
    assert!(
        text.contains(
            ".const 1 (1.5, -0.0, inf, -inf, nan, f64:0x7ff8000000000001, 1e+16, 2.5e-05)"
        ),
        "{text}"
    );
    assert!(text.contains("frozenset({3, 1, 2})"), "{text}");
    // Python 2: '...' is bytes, u'...' unicode, L a long.
    let src = ".python 2.7\n.code <module>\n  .const 0 ('a', u'b\\xe9', 5L, 5)\n  LOAD_CONST 0\n  RETURN_VALUE\n.end\n";
    let pyc = assemble(src).unwrap();
    let text = disassemble(&pyc).unwrap();
    assert!(text.contains(".const 0 ('a', u'b\\xe9', 5L, 5)"), "{text}");
}

/// Deterministic pseudo-random numbers (xorshift) for the mutation test.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Lines deleted, duplicated, swapped or cut short never make the assembler panic,
/// and whatever it accepts is a `.pyc` the reader accepts.
#[test]
fn arbitrary_edits_never_panic() {
    let dir = pycopt_corpus::sample_dir();
    let mut files = pycopt_corpus::pyc_files(&dir);
    files.retain(|f| {
        let s = f.to_string_lossy();
        !s.contains(".opt-") && !s.ends_with(".pyo") && s.contains("basics")
    });
    assert!(!files.is_empty());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for f in files {
        let pyc = Pyc::parse(std::fs::read(&f).unwrap()).unwrap();
        let text = disassemble(&pyc).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..60 {
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            for _ in 0..1 + rng.next(3) {
                let i = rng.next(l.len());
                match rng.next(4) {
                    0 => {
                        l.remove(i);
                    }
                    1 => {
                        let x = l[i].clone();
                        l.insert(rng.next(l.len()), x);
                    }
                    2 => {
                        let j = rng.next(l.len());
                        l.swap(i, j);
                    }
                    _ => {
                        let cut = rng.next(l[i].len() + 1);
                        let mut s = l[i].clone();
                        while !s.is_char_boundary(cut.min(s.len())) {
                            s.pop();
                        }
                        s.truncate(cut.min(s.len()));
                        l[i] = s;
                    }
                }
            }
            if let Ok(p) = assemble(&l.join("\n")) {
                let bytes = p.to_bytes().unwrap();
                Pyc::parse(bytes).unwrap();
            }
        }
    }
}

#[test]
fn headers_and_trailing_bytes() {
    let body = ".code <module>\n  .const 0 None\n  RESUME 0\n  RETURN_CONST 0\n.end\n";
    let pyc = assemble(&format!(
        ".python 3.12\n.header checked-hash 0011223344556677\n.trailing abcd\n{body}"
    ))
    .unwrap();
    let bytes = pyc.to_bytes().unwrap();
    assert_eq!(
        &bytes[4..16],
        &[3, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]
    );
    assert_eq!(&bytes[bytes.len() - 2..], &[0xab, 0xcd]);
    // A flags word that is not what the kind implies is kept.
    let pyc = assemble(&format!(
        ".python 3.8\n.header timestamp mtime=5 size=7\n.header-flags 0x2\n{}",
        body.replace("  RETURN_CONST 0\n", "  LOAD_CONST 0\n  RETURN_VALUE\n")
            .replace("  RESUME 0\n", "")
    ))
    .unwrap();
    let bytes = pyc.to_bytes().unwrap();
    assert_eq!(&bytes[4..16], &[2, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0]);
    let text = disassemble(&pyc).unwrap();
    assert!(
        text.contains(".header timestamp mtime=5 size=7\n.header-flags 0x2\n"),
        "{text}"
    );
    let e = error("2.7", ".header timestamp mtime=1 size=2\n");
    assert_eq!(e.message, "a 2.7 header has no source size");
}
