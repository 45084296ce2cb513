//! Bad input never panics: negative tests on real `.pyc` files.
//!
//! The samples in `tests/data/` were compiled once by each supported CPython from
//! `tests/data/sample.py` (nested functions, a class, tuple and frozenset constants,
//! big ints, floats, a complex, non-ASCII and surrogate strings); the tests do not
//! need Python. Each is truncated at every offset, has every byte flipped, gets
//! hostile lengths and reference indices, and is wrapped around hostile nesting.
//! Inputs the fuzzer found are replayed from `tests/data/fuzz-regressions/`.

#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use checks::Rewrite;
use pycopt_core::marshal::{
    is_registered, read_object, write_object, Limits, ObjId, ObjectGraph, ReadError, TypeCode,
    Value, MAX_MARSHAL_DEPTH,
};
use pycopt_core::{PyVersion, Pyc, PycError};

// ---------------------------------------------------------------------------------
// Allocation watch: the largest single allocation the current thread asks for.

struct WatchingAllocator;

thread_local! {
    static LARGEST_ALLOCATION: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation(size: usize) {
    // `try_with`: a const-initialised thread local without destructor never allocates.
    let _ = LARGEST_ALLOCATION.try_with(|c| c.set(c.get().max(size)));
}

unsafe impl GlobalAlloc for WatchingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: WatchingAllocator = WatchingAllocator;

/// Runs `f` and returns its result with the largest single allocation it made.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST_ALLOCATION.with(|c| c.set(0));
    let out = f();
    (out, LARGEST_ALLOCATION.with(Cell::get))
}

// ---------------------------------------------------------------------------------
// Samples.

const SAMPLES: &[(&str, PyVersion)] = &[
    ("sample-2.7.pyc", PyVersion::V2_7),
    ("sample-3.6.pyc", PyVersion::V3_6),
    ("sample-3.7.pyc", PyVersion::V3_7),
    ("sample-3.8.pyc", PyVersion::V3_8),
    ("sample-3.9.pyc", PyVersion::V3_9),
    ("sample-3.10.pyc", PyVersion::V3_10),
    ("sample-3.11.pyc", PyVersion::V3_11),
    ("sample-3.12.pyc", PyVersion::V3_12),
    ("sample-3.12-checked-hash.pyc", PyVersion::V3_12),
    ("sample-3.13.pyc", PyVersion::V3_13),
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn samples() -> Vec<(&'static str, PyVersion, Vec<u8>)> {
    SAMPLES
        .iter()
        .map(|&(name, v)| {
            let data =
                std::fs::read(data_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, v, data)
        })
        .collect()
}

fn parse(data: &[u8]) -> Result<Pyc, PycError> {
    Pyc::parse(data.to_vec())
}

fn marshal_err(r: Result<Pyc, PycError>) -> ReadError {
    match r {
        Err(PycError::Marshal(e)) => e,
        Err(e) => panic!("expected a marshal error, got {e}"),
        Ok(_) => panic!("expected a marshal error, got Ok"),
    }
}

/// A header of `version` with a zero timestamp and size.
fn header(version: PyVersion) -> Vec<u8> {
    let mut h = version.magic().to_le_bytes().to_vec();
    h.extend_from_slice(&[0x0d, 0x0a]);
    h.resize(version.header_len(), 0);
    h
}

/// Pre-order walk of the graph from `root` as the writer goes: for every edge, the
/// child and whether it was reached before (then the writer writes a reference).
fn walk(g: &ObjectGraph, root: ObjId, mut visit: impl FnMut(ObjId, bool, usize)) {
    let mut seen = HashSet::new();
    let mut stack = vec![(root, 1usize)];
    while let Some((id, depth)) = stack.pop() {
        let again = !seen.insert(id);
        visit(id, again, depth);
        if again {
            continue;
        }
        let mut kids: Vec<ObjId> = g.children(id).to_vec();
        if let Some(code) = g.as_code(id) {
            kids.extend(code.object_fields().map(|(_, c)| c));
        }
        stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
    }
}

// ---------------------------------------------------------------------------------
// The samples themselves.

#[test]
fn samples_read_and_write_back_exactly() {
    for (name, version, data) in samples() {
        let pyc = parse(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(pyc.version(), version, "{name}");
        assert!(pyc.trailing.is_empty(), "{name}");
        assert_eq!(pyc.to_bytes().unwrap(), data, "{name}");
        let paths: Vec<String> = pycopt_core::code::walk_code(&pyc.graph, pyc.root)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        for want in [
            "<module>.outer.inner",
            "<module>.Shape.describe",
            "<module>.<lambda>",
        ] {
            assert!(paths.iter().any(|p| p == want), "{name}: {paths:?}");
        }
        // The constants the sample promises are there.
        let consts = pyc.module().consts(&pyc.graph);
        let g = &pyc.graph;
        let has = |f: &dyn Fn(ObjId) -> bool| consts.iter().any(|&c| f(c));
        assert!(
            has(&|c| matches!(g.node(c).value, Value::Long { .. })),
            "{name}: big int"
        );
        assert!(
            has(&|c| g.node(c).value == Value::Float("3.14159".parse::<f64>().unwrap().to_bits())),
            "{name}: float"
        );
        assert!(
            has(&|c| matches!(g.node(c).value, Value::Complex(..))),
            "{name}: complex"
        );
        if version.at_least(PyVersion::V3_7) {
            let s = "h\u{e9}llo w\u{f6}rld \u{2713} \u{65e5}\u{672c}";
            assert!(has(&|c| g.as_str(c).as_deref() == Some(s)), "{name}: str");
            // The lone surrogate is kept as CPython's surrogatepass bytes.
            assert!(
                has(&|c| g.payload(c) == Some(b"\xed\xa0\x80x")),
                "{name}: surrogate"
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// Truncation and flips.

#[test]
fn truncated_at_every_offset_is_an_error() {
    for (name, version, data) in samples() {
        for cut in 0..data.len() {
            let err = parse(&data[..cut]).expect_err("a prefix cannot be a whole .pyc");
            checks::assert_error_well_formed(err.offset(), &err.to_string(), cut);
            match &err {
                PycError::BadHeader { offset, .. } => {
                    assert!(cut < version.header_len(), "{name}[..{cut}]: {err}");
                    assert_eq!(*offset, cut, "{name}");
                }
                PycError::Marshal(ReadError::Truncated { .. })
                | PycError::Marshal(ReadError::LengthTooLarge { .. }) => {
                    assert!(cut >= version.header_len(), "{name}[..{cut}]: {err}")
                }
                _ => panic!("{name}[..{cut}]: unexpected {err}"),
            }
        }
    }
}

#[test]
fn every_byte_flipped_reads_or_fails_cleanly() {
    const MASKS: [u8; 6] = [0xff, 0x01, 0x02, 0x20, 0x40, 0x80];
    for (name, _, data) in samples() {
        let (mut exact, mut rejected) = (0usize, 0usize);
        for i in 0..data.len() {
            for mask in MASKS {
                let mut d = data.clone();
                d[i] ^= mask;
                match checks::check_pyc(&d) {
                    Ok(Rewrite::Exact) => exact += 1,
                    Ok(Rewrite::FlagsDropped) => {}
                    Err(_) => rejected += 1,
                }
            }
        }
        // Both outcomes are reached: flips in string payloads or ints are still valid
        // files, flips in type bytes or lengths are not.
        assert!(
            exact > data.len() / 4,
            "{name}: only {exact} flips accepted"
        );
        assert!(
            rejected > data.len(),
            "{name}: only {rejected} flips refused"
        );
    }
}

#[test]
fn flagged_ref_and_null_are_read_and_written_unflagged() {
    // A dict {'k': <ref to 'k'>} ended by a flagged NULL, inside a code-free stream.
    let stream = [0x7b, 0xfa, 1, b'k', 0xf2, 0, 0, 0, 0, 0xb0];
    let out = read_object(stream.to_vec(), 0, PyVersion::V3_11, &Limits::default()).unwrap();
    assert_eq!(out.end, stream.len());
    let mut back = Vec::new();
    write_object(&out.graph, out.root, PyVersion::V3_11, &mut back).unwrap();
    assert_eq!(back, [0x7b, 0xfa, 1, b'k', b'r', 0, 0, 0, 0, b'0']);
    assert_eq!(
        checks::assert_rewrite_matches(&stream, &back),
        Rewrite::FlagsDropped
    );
}

// ---------------------------------------------------------------------------------
// Hostile lengths.

/// The offsets of every 4-byte length in the sample, with its type code, found from
/// the objects the reader records.
fn length_fields(pyc: &Pyc) -> Vec<(usize, TypeCode)> {
    let g = &pyc.graph;
    g.ids()
        .filter_map(|id| {
            let node = g.node(id);
            let code = node.code();
            let four_byte = matches!(
                code,
                TypeCode::Bytes
                    | TypeCode::Unicode
                    | TypeCode::Interned
                    | TypeCode::Ascii
                    | TypeCode::AsciiInterned
                    | TypeCode::Tuple
                    | TypeCode::List
                    | TypeCode::Set
                    | TypeCode::FrozenSet
                    | TypeCode::Long
            );
            four_byte.then_some((node.offset as usize + 1, code))
        })
        .collect()
}

#[test]
fn huge_and_negative_lengths_fail_fast_without_allocating() {
    for (name, _, data) in samples() {
        let pyc = parse(&data).unwrap();
        let fields = length_fields(&pyc);
        assert!(fields.len() > 20, "{name}: {} length fields", fields.len());
        for (at, code) in fields {
            let left = data.len() - (at + 4);
            let hostile: Vec<i32> = if code == TypeCode::Long {
                // A digit count is signed (the sign is the int's); its size is 2 bytes.
                let over = (left / 2 + 1) as i32;
                vec![over, -over, i32::MAX, i32::MIN, -i32::MAX]
            } else {
                vec![
                    (left + 1) as i32,
                    i32::MAX,
                    0x4000_0000,
                    -1,
                    i32::MIN,
                    -12345,
                ]
            };
            for v in hostile {
                let mut d = data.clone();
                d[at..at + 4].copy_from_slice(&v.to_le_bytes());
                let start = Instant::now();
                let (r, largest) = largest_allocation(|| parse(&d));
                let took = start.elapsed();
                let err = marshal_err(r);
                match err {
                    ReadError::LengthTooLarge { offset, len, .. } => {
                        assert_eq!(offset, at, "{name}: {err}");
                        assert_eq!(len, v.unsigned_abs() as usize, "{name}: {err}");
                    }
                    ReadError::NegativeLength { offset, len } => {
                        assert!(code != TypeCode::Long && v < 0, "{name}: {err}");
                        assert_eq!((offset, len), (at, v as i64), "{name}: {err}");
                    }
                    _ => panic!("{name}: length {v} at {at}: unexpected {err}"),
                }
                // The claimed size is never asked for: the largest block is the
                // reader's own bookkeeping, a few times the input at most.
                assert!(
                    largest < 64 * data.len() + 4096,
                    "{name}: length {v} at {at}: allocated {largest} bytes"
                );
                assert!(took < Duration::from_millis(200), "{name}: took {took:?}");
            }
        }
    }
}

#[test]
fn huge_lengths_in_minimal_streams() {
    for version in [PyVersion::V2_7, PyVersion::V3_13] {
        for code in [b's', b'u', b'(', b'[', b'<', b'>', b'l'] {
            for v in [i32::MAX, 0x0100_0000, 1 << 30] {
                let mut d = header(version);
                d.push(code);
                d.extend_from_slice(&v.to_le_bytes());
                d.extend_from_slice(b"NNNN");
                let (r, largest) = largest_allocation(|| parse(&d));
                let err = marshal_err(r);
                assert!(
                    matches!(err, ReadError::LengthTooLarge { offset, .. } if offset == version.header_len() + 1),
                    "{version} {}: {err}",
                    code as char
                );
                assert!(largest < 1 << 16, "allocated {largest} bytes");
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// References.

/// How many references the writer writes for the sample (every edge to a registered
/// object met before).
fn expected_refs(pyc: &Pyc) -> usize {
    let g = &pyc.graph;
    let mv = pyc.version().marshal_version();
    let mut refs = 0;
    walk(g, pyc.root, |id, again, _| {
        if again {
            assert!(
                is_registered(g.node(id).type_byte, mv),
                "shared unregistered"
            );
            refs += 1;
        }
    });
    refs
}

#[test]
fn out_of_range_reference_indices_are_bad_references() {
    for (name, version, data) in samples() {
        let pyc = parse(&data).unwrap();
        let want = expected_refs(&pyc);
        assert!(want > 5, "{name}: only {want} references");
        let ref_byte = if version.is_py2() { b'R' } else { b'r' };
        // Every reference is found by the error it gives once its index is hostile;
        // a byte of payload that happens to be `r` gives no error at that offset.
        let mut found = 0;
        for p in version.header_len()..data.len() - 4 {
            if data[p] != ref_byte {
                continue;
            }
            let mut d = data.clone();
            d[p + 1..p + 5].copy_from_slice(&i32::MAX.to_le_bytes());
            let count = match parse(&d) {
                Err(PycError::Marshal(ReadError::BadReference { offset, count, .. }))
                    if offset == p + 1 =>
                {
                    count
                }
                _ => continue,
            };
            found += 1;
            let old = i32::from_le_bytes(data[p + 1..p + 5].try_into().unwrap());
            assert!((old as usize) < count, "{name}: ref at {p}");
            for bad in [count as i32, count as i32 + 1, -1, i32::MIN, 0x7fff_0000] {
                d[p + 1..p + 5].copy_from_slice(&bad.to_le_bytes());
                let err = marshal_err(parse(&d));
                assert_eq!(
                    err,
                    ReadError::BadReference {
                        offset: p + 1,
                        index: bad as i64,
                        count
                    },
                    "{name}"
                );
                assert!(err.to_string().contains(&format!("offset {}", p + 1)));
            }
        }
        assert_eq!(found, want, "{name}: references found by their errors");
    }
}

#[test]
fn references_in_minimal_streams() {
    let lim = Limits::default();
    let read = |v: PyVersion, d: &[u8]| read_object(d.to_vec(), 0, v, &lim).map(|o| o.end);
    // Nothing registered yet.
    assert_eq!(
        read(PyVersion::V3_11, b"r\0\0\0\0"),
        Err(ReadError::BadReference {
            offset: 1,
            index: 0,
            count: 0
        })
    );
    assert_eq!(
        read(PyVersion::V2_7, b"R\x01\0\0\0"),
        Err(ReadError::BadReference {
            offset: 1,
            index: 1,
            count: 0
        })
    );
    // A flagged tuple that contains a reference to itself.
    assert_eq!(
        read(PyVersion::V3_11, b"\xa9\x01r\0\0\0\0"),
        Err(ReadError::ReferenceUnderConstruction {
            offset: 3,
            index: 0
        })
    );
    // A flagged list whose dict value refers back to the list.
    assert!(matches!(
        read(PyVersion::V3_8, b"\xdb\x01\0\0\0{Nr\0\0\0\x000"),
        Err(ReadError::ReferenceUnderConstruction { offset: 8, .. })
    ));
    // 2.7 has neither `r` nor flags; 3.x has no `R`.
    assert!(matches!(
        read(PyVersion::V2_7, b"r\0\0\0\0"),
        Err(ReadError::TypeNotInVersion { offset: 0, .. })
    ));
    assert!(matches!(
        read(PyVersion::V2_7, b"\xe9\x00"),
        Err(ReadError::UnknownType {
            offset: 0,
            byte: 0xe9
        })
    ));
    assert!(matches!(
        read(PyVersion::V3_13, b"R\0\0\0\0"),
        Err(ReadError::TypeNotInVersion { offset: 0, .. })
    ));
    // Valid: a v2 interned string and a reference to it.
    assert_eq!(
        read(PyVersion::V2_7, b"(\x02\0\0\0t\x01\0\0\0aR\0\0\0\0"),
        Ok(16)
    );
}

// ---------------------------------------------------------------------------------
// Nesting.

const DEEP: usize = 200_000;

/// Bytes that open one more level of `kind` (the innermost object follows).
fn level(kind: &str, version: PyVersion) -> Vec<u8> {
    match kind {
        "tuple" => vec![b'(', 1, 0, 0, 0],
        "small tuple" => vec![b')', 1],
        "list" => vec![b'[', 1, 0, 0, 0],
        "set" => vec![b'<', 1, 0, 0, 0],
        "frozenset" => vec![b'>', 1, 0, 0, 0],
        // A key, then the value that nests.
        "dict" => vec![b'{', b'N'],
        // A code object whose co_consts holds the next one: its int fields, co_code,
        // then a one-element co_consts tuple.
        "code" => {
            let ints = match version {
                PyVersion::V2_7 => 4,
                PyVersion::V3_6 | PyVersion::V3_7 => 5,
                PyVersion::V3_8 | PyVersion::V3_9 | PyVersion::V3_10 => 6,
                _ => 5,
            };
            let mut l = vec![b'c'];
            l.resize(1 + 4 * ints, 0);
            l.extend_from_slice(&[b's', 0, 0, 0, 0, b'(', 1, 0, 0, 0]);
            l
        }
        _ => unreachable!(),
    }
}

const KINDS: [&str; 7] = [
    "tuple",
    "small tuple",
    "list",
    "set",
    "frozenset",
    "dict",
    "code",
];

fn nested(kind: &str, version: PyVersion, levels: usize) -> Vec<u8> {
    let unit = level(kind, version);
    let mut d = header(version);
    d.reserve(unit.len() * levels + 1);
    for _ in 0..levels {
        d.extend_from_slice(&unit);
    }
    d.push(b'N');
    d
}

/// The offset of the object at depth `depth` (1-based) in a chain of `kind`.
fn depth_offset(kind: &str, version: PyVersion, depth: usize) -> usize {
    let unit = level(kind, version).len();
    if kind == "dict" {
        // The innermost dict's key is the first object too deep.
        return version.header_len() + (depth - 2) * unit + 1;
    }
    let per_level = if kind == "code" { 2 } else { 1 };
    let levels_before = (depth - 1) / per_level;
    let inside = if (depth - 1) % per_level == 1 {
        unit - 5
    } else {
        0
    };
    version.header_len() + levels_before * unit + inside
}

fn deep_nesting_is_too_deep() {
    for version in [
        PyVersion::V2_7,
        PyVersion::V3_6,
        PyVersion::V3_8,
        PyVersion::V3_13,
    ] {
        for kind in KINDS {
            if kind == "small tuple" && version.is_py2() {
                continue;
            }
            let d = nested(kind, version, DEEP);
            let err = marshal_err(parse(&d));
            let limit = MAX_MARSHAL_DEPTH;
            assert_eq!(
                err,
                ReadError::TooDeep {
                    offset: depth_offset(kind, version, limit + 1),
                    limit
                },
                "{version} {kind}"
            );
        }
    }
}

#[test]
fn nesting_200000_deep_is_too_deep() {
    deep_nesting_is_too_deep();
}

#[test]
fn nesting_200000_deep_is_too_deep_on_a_256k_stack() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(deep_nesting_is_too_deep)
        .unwrap()
        .join()
        .expect("reading hostile nesting on a small stack");
}

#[test]
fn nesting_at_the_limit_reads_on_a_256k_stack_and_writes_back() {
    let version = PyVersion::V3_11;
    let lim = Limits::default();
    // MAX_MARSHAL_DEPTH objects deep: the deepest legal stream.
    let mut d = Vec::new();
    for _ in 0..MAX_MARSHAL_DEPTH - 1 {
        d.extend_from_slice(&[b'[', 1, 0, 0, 0]);
    }
    d.push(b'N');
    let data = d.clone();
    // Both directions on the small stack: the reader keeps its own stack, the
    // writer's recursion to MAX_MARSHAL_DEPTH fits.
    let (end, back) = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let out =
                read_object(data, 0, version, &lim).expect("depth MAX_MARSHAL_DEPTH is legal");
            let mut back = Vec::new();
            write_object(&out.graph, out.root, version, &mut back).unwrap();
            (out.end, back)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(end, d.len());
    assert_eq!(back, d);
    // One more level is too deep.
    let mut deeper = vec![b'[', 1, 0, 0, 0];
    deeper.extend_from_slice(&d);
    assert_eq!(
        read_object(deeper, 0, version, &lim).map(|o| o.end),
        Err(ReadError::TooDeep {
            offset: 5 * MAX_MARSHAL_DEPTH,
            limit: MAX_MARSHAL_DEPTH
        })
    );
}

// ---------------------------------------------------------------------------------
// Limits.

#[test]
fn limits_are_honoured() {
    for (name, _, data) in samples() {
        let pyc = parse(&data).unwrap();
        let n = pyc.graph.len();
        let mut depth = 0;
        walk(&pyc.graph, pyc.root, |_, again, d| {
            if !again {
                depth = depth.max(d)
            }
        });
        let with = |l: Limits| Pyc::parse_with(data.clone(), &l);
        let def = Limits::default();

        for max_objects in [0, 1, 10, n / 2, n - 1] {
            let err = marshal_err(with(Limits { max_objects, ..def }));
            assert!(
                matches!(err, ReadError::TooManyObjects { limit, .. } if limit == max_objects),
                "{name}: {err}"
            );
        }
        assert_eq!(
            with(Limits {
                max_objects: n,
                ..def
            })
            .unwrap()
            .graph
            .len(),
            n
        );

        for max_depth in [0, 1, depth - 1] {
            let err = marshal_err(with(Limits { max_depth, ..def }));
            assert!(
                matches!(err, ReadError::TooDeep { limit, .. } if limit == max_depth),
                "{name}: {err}"
            );
        }
        with(Limits {
            max_depth: depth,
            ..def
        })
        .unwrap_or_else(|e| panic!("{name}: depth {depth}: {e}"));

        let err = marshal_err(with(Limits {
            max_input: data.len() - 1,
            ..def
        }));
        assert_eq!(
            err,
            ReadError::InputTooLarge {
                len: data.len(),
                limit: data.len() - 1
            }
        );
        with(Limits {
            max_input: data.len(),
            ..def
        })
        .unwrap();
    }
}

// ---------------------------------------------------------------------------------
// Headers.

#[test]
fn python_3_14_magic_is_not_supported() {
    let mut d = vec![0x2b, 0x0e, 0x0d, 0x0a]; // 3627
    d.resize(16, 0);
    d.push(b'N');
    let err = parse(&d).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, PycError::Version(_)), "{msg}");
    assert_eq!(err.offset(), 0);
    assert!(msg.contains("3.14") && msg.contains("not support"), "{msg}");
    assert!(msg.contains("offset 0"), "{msg}");
    // Other magics: the known old ones are named; a pre-release one is unknown.
    for (magic, needle) in [(3350u16, "3.5"), (3310, "3.4"), (3530, "3530")] {
        let mut d = magic.to_le_bytes().to_vec();
        d.extend_from_slice(&[0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let msg = parse(&d).unwrap_err().to_string();
        assert!(msg.contains(needle) && msg.contains("offset 0"), "{msg}");
    }
}

#[test]
fn short_headers_fail_where_the_data_ends() {
    for version in PyVersion::ALL {
        let full = header(version);
        for cut in 0..full.len() {
            let err = parse(&full[..cut]).unwrap_err();
            assert!(
                matches!(err, PycError::BadHeader { offset, .. } if offset == cut),
                "{version} cut at {cut}: {err}"
            );
            let msg = err.to_string();
            assert!(msg.contains(&format!("offset {cut}:")), "{msg}");
            if cut >= 4 {
                assert!(
                    msg.contains(&format!("header of a CPython {version}")),
                    "{msg}"
                );
            }
        }
        // A whole header and nothing after it: the marshal stream is missing.
        let err = parse(&full).unwrap_err();
        assert!(
            matches!(err, PycError::Marshal(ReadError::Truncated { offset, .. }) if offset == full.len()),
            "{version}: {err}"
        );
    }
}

#[test]
fn malformed_headers() {
    // Bytes 2-3 must be \r\n.
    let mut d = header(PyVersion::V3_11);
    d[3] = b'X';
    let err = parse(&d).unwrap_err();
    assert_eq!(err.offset(), 2, "{err}");
    // Undefined flag bits.
    let mut d = header(PyVersion::V3_9);
    d[4] = 0b100;
    d.push(b'N');
    let err = parse(&d).unwrap_err();
    assert!(
        matches!(err, PycError::BadHeader { offset: 4, .. }),
        "{err}"
    );
    // A top-level object that is not code.
    for version in [PyVersion::V2_7, PyVersion::V3_6, PyVersion::V3_12] {
        let mut d = header(version);
        d.extend_from_slice(b"N");
        let err = parse(&d).unwrap_err();
        assert!(
            matches!(err, PycError::NotCode { offset, .. } if offset == version.header_len()),
            "{err}"
        );
        assert!(err.to_string().contains("offset"), "{err}");
    }
}

// ---------------------------------------------------------------------------------
// Fuzzer findings.

/// What a replayed input gave: how it was written back, or the error's debug form.
type Replayed = Result<Rewrite, String>;

fn replay_pyc(data: &[u8]) -> Replayed {
    checks::check_pyc(data).map_err(|e| format!("{e:?}"))
}

fn replay_marshal(data: &[u8]) -> Replayed {
    match checks::check_marshal(data) {
        Some(r) => r.map_err(|e| format!("{e:?}")),
        None => Err("empty input".into()),
    }
}

/// Every input under `tests/data/fuzz-regressions/<target>/` goes through the fuzz
/// target's checks again, on a 256 KiB stack and with a time limit. A file's name
/// may promise its outcome: `stack-*` is too deep, `flag-dropped-*` is accepted and
/// written back with a reference's or NULL's flag dropped.
#[test]
fn fuzz_regressions_replay() {
    let root = data_dir().join("fuzz-regressions");
    let mut replayed = 0;
    for (target, check) in [
        ("read_pyc", replay_pyc as fn(&[u8]) -> Replayed),
        ("read_marshal", replay_marshal),
    ] {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let data = std::fs::read(&path).unwrap();
            let start = Instant::now();
            let outcome = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || check(&data))
                .unwrap()
                .join()
                .unwrap_or_else(|_| panic!("{target}/{name} fails again"));
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(2),
                "{name} is slow again: {took:?}"
            );
            if name.starts_with("stack-") {
                assert!(
                    matches!(&outcome, Err(e) if e.contains("TooDeep")),
                    "{name}: {outcome:?}"
                );
            }
            if name.starts_with("flag-dropped-") {
                assert_eq!(outcome, Ok(Rewrite::FlagsDropped), "{name}");
            }
            replayed += 1;
        }
    }
    assert!(
        replayed >= 4,
        "only {replayed} regression inputs under {}",
        root.display()
    );
}

// ---------------------------------------------------------------------------------
// Work linear in the input.

/// A 3.11 marshal stream: a list holding one flagged tuple of `names` empty strings,
/// a flagged kinds bytes of the same length, then `codes` code objects that all refer
/// to that tuple for `co_names` and `co_localsplusnames`.
fn shared_name_tuple_stream(names: usize, codes: usize) -> Vec<u8> {
    let i32le = |v: usize| (v as i32).to_le_bytes();
    let r = |i: usize| {
        let mut b = vec![b'r'];
        b.extend_from_slice(&i32le(i));
        b
    };
    let mut d = vec![b'['];
    d.extend_from_slice(&i32le(codes + 3));
    d.extend_from_slice(b"\xda\x00"); // ref 0: '' (flagged)
    d.push(0xa8); // ref 1: the tuple of names
    d.extend_from_slice(&i32le(names));
    for _ in 0..names {
        d.extend_from_slice(b"z\x00");
    }
    d.push(0xf3); // ref 2: the kinds
    d.extend_from_slice(&i32le(names));
    d.resize(d.len() + names, 0x20);
    for k in 0..codes {
        d.push(b'c');
        d.resize(d.len() + 20, 0); // argcount .. flags
        if k == 0 {
            d.extend_from_slice(b"\xf3\0\0\0\0\xa9\x00"); // ref 3: b'', ref 4: ()
        } else {
            d.extend(r(3).into_iter().chain(r(4)));
        }
        for i in [1, 1, 2, 0, 0, 0] {
            d.extend(r(i)); // names, localsplusnames, kinds, filename, name, qualname
        }
        d.extend_from_slice(&i32le(1)); // firstlineno
        d.extend(r(3).into_iter().chain(r(3))); // linetable, exceptiontable
    }
    d
}

#[test]
fn shared_name_tuples_are_checked_once() {
    // 1 MB: 200,000 names shared by 5,000 code objects. Checking the names of every
    // code object one by one would be 2·10⁹ steps.
    let d = shared_name_tuple_stream(200_000, 5_000);
    let start = Instant::now();
    let out = read_object(d.clone(), 0, PyVersion::V3_11, &Limits::default()).unwrap();
    let took = start.elapsed();
    assert_eq!(out.end, d.len());
    // The list, '', the tuple and the kinds; the names; b'' and (); the code objects.
    assert_eq!(out.graph.len(), 4 + 200_000 + 2 + 5_000);
    assert!(took < Duration::from_secs(1), "took {took:?}");
}
