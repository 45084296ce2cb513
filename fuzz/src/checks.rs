//! The invariants that must hold for any input whatsoever.
//!
//! Used by the fuzz targets and, through `#[path]`, by `core/tests/hostile_input.rs`
//! (which replays every saved regression input through the same functions). Only
//! `pycopt_core` is used, so the file compiles in both crates.

use pycopt_core::code::walk_code;
use pycopt_core::marshal::{read_object, write_object, Limits, ObjId, ObjectGraph, FLAG_REF};
use pycopt_core::{PyVersion, Pyc, PycError};

/// Type bytes that the reader accepts with [`FLAG_REF`] set, as CPython's reader does,
/// but that the graph has no place to remember the flag for: a flagged NULL (a dict's
/// terminator) and a flagged reference. The writer writes them without the flag.
/// CPython's writer never produces either.
pub const FLAG_NOT_KEPT: [u8; 2] = [b'0' | FLAG_REF, b'r' | FLAG_REF];

/// How an accepted input came back from the writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rewrite {
    /// Byte for byte.
    Exact,
    /// Equal except for bytes of [`FLAG_NOT_KEPT`] written without the flag.
    FlagsDropped,
}

/// Panics unless `output` is `input` byte for byte, but for [`FLAG_NOT_KEPT`] bytes
/// written without their flag.
pub fn assert_rewrite_matches(input: &[u8], output: &[u8]) -> Rewrite {
    assert_eq!(
        input.len(),
        output.len(),
        "rewrite has {} bytes, input {} (first difference at {:?})",
        output.len(),
        input.len(),
        input.iter().zip(output).position(|(a, b)| a != b)
    );
    let mut rewrite = Rewrite::Exact;
    for (i, (&a, &b)) in input.iter().zip(output).enumerate() {
        if a != b {
            assert!(
                FLAG_NOT_KEPT.contains(&a) && b == a & !FLAG_REF,
                "offset {i}: input has 0x{a:02x}, rewrite 0x{b:02x}"
            );
            rewrite = Rewrite::FlagsDropped;
        }
    }
    rewrite
}

/// Panics unless an error's offset lies within the input and its message names it.
pub fn assert_error_well_formed(offset: usize, message: &str, input_len: usize) {
    assert!(
        offset <= input_len,
        "error offset {offset} is past the end of the {input_len}-byte input: {message}"
    );
    assert!(
        message.contains(&format!("offset {offset}")),
        "error message does not name its offset {offset}: {message}"
    );
}

/// Arbitrary bytes as a `.pyc`: an error must be well formed; an accepted file must
/// survive every accessor and write back (see [`assert_rewrite_matches`]), and
/// what it writes must read back to itself.
pub fn check_pyc(data: &[u8]) -> Result<Rewrite, PycError> {
    let pyc = match Pyc::parse(data.to_vec()) {
        Ok(pyc) => pyc,
        Err(e) => {
            assert_error_well_formed(e.offset(), &e.to_string(), data.len());
            return Err(e);
        }
    };
    exercise(&pyc.graph, pyc.root);
    let out = pyc
        .to_bytes()
        .unwrap_or_else(|e| panic!("an accepted .pyc does not write back: {e}"));
    let rewrite = assert_rewrite_matches(data, &out);
    if rewrite == Rewrite::FlagsDropped {
        let again = Pyc::parse(out.clone())
            .unwrap_or_else(|e| panic!("the rewrite of an accepted .pyc is refused: {e}"));
        let out2 = again.to_bytes().expect("the rewrite writes back");
        assert_eq!(out2, out, "rewriting is not idempotent");
    }
    Ok(rewrite)
}

/// The version and limits the first byte of a `read_marshal` input selects: the
/// version from its low bits, default limits below 0x80 and small ones above.
pub fn marshal_setup(selector: u8) -> (PyVersion, Limits) {
    let version = PyVersion::ALL[usize::from(selector & 0x7f) % PyVersion::ALL.len()];
    let limits = if selector & 0x80 == 0 {
        Limits::default()
    } else {
        Limits {
            max_depth: 24,
            max_objects: 512,
            ..Limits::default()
        }
    };
    (version, limits)
}

/// Arbitrary bytes as a marshal stream (first byte: see [`marshal_setup`]). Returns
/// `None` for an empty input.
pub fn check_marshal(data: &[u8]) -> Option<Result<Rewrite, pycopt_core::marshal::ReadError>> {
    let (&selector, rest) = data.split_first()?;
    let (version, limits) = marshal_setup(selector);
    let out = match read_object(rest.to_vec(), 0, version, &limits) {
        Ok(out) => out,
        Err(e) => {
            assert_error_well_formed(e.offset(), &e.to_string(), rest.len());
            return Some(Err(e));
        }
    };
    assert!(out.end <= rest.len(), "object ends past the input");
    assert!(
        out.graph.len() <= limits.max_objects,
        "{} objects read with a limit of {}",
        out.graph.len(),
        limits.max_objects
    );
    exercise(&out.graph, out.root);
    let mut back = Vec::new();
    write_object(&out.graph, out.root, version, &mut back)
        .unwrap_or_else(|e| panic!("an accepted stream does not write back: {e}"));
    Some(Ok(assert_rewrite_matches(&rest[..out.end], &back)))
}

/// Calls every read-only accessor of the graph on every object, so a panic in any
/// of them on a graph the reader accepted is found too.
pub fn exercise(g: &ObjectGraph, root: ObjId) {
    let mut total = 0usize;
    for id in g.ids() {
        let node = g.node(id);
        let _ = (node.code(), node.flagged());
        total += g.str_lossy(id).len();
        total += g.as_str(id).map_or(0, |s| s.len());
        total += g.payload(id).map_or(0, <[u8]>::len);
        total += g.as_i64(id).map_or(0, |v| v as usize & 1);
        total += g.children(id).len() + g.as_tuple(id).map_or(0, <[ObjId]>::len);
        if let Some(code) = g.as_code(id) {
            total += code.bytecode(g).len() + code.consts(g).len();
            total += code.name(g).len() + code.qualname(g).len() + code.filename(g).len();
            total += code.names(g).len() + code.varnames(g).len();
            total += code.cellvars(g).len() + code.freevars(g).len();
            total += code.locals_plus(g).len() + code.nested(g).count();
            total += code.object_fields().count();
        }
    }
    let codes = walk_code(g, root);
    assert!(
        codes.is_empty() == g.as_code(root).is_none(),
        "walk_code disagrees with the root's type"
    );
    std::hint::black_box(total);
}
