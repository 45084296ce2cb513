//! Side tables of real code objects: line tables (`co_lnotab` / `co_linetable`) and
//! exception tables.
//!
//! * Every code object of every `.pyc` in every installed interpreter's library
//!   folder: decode → encode gives the table's bytes back, and the encoder from
//!   positions (what a code generator has) reproduces CPython's bytes; that rate is
//!   printed per version and must not fall below what was measured.
//! * A deterministic sample of files per version is decoded by the interpreter itself
//!   (`corpus/scripts/dump_positions.py`: `dis.findlinestarts`, `co_lines()`,
//!   `co_positions()`, `dis._parse_exception_table`) and compared with pycopt.
//! * The committed sample corpus (no Python needed) round-trips too.
//!
//! Interpreters come from the project's one search (`pycopt_corpus::require`); a
//! missing one is skipped with a notice, or fails the test under `CI=true`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pycopt_core::code::{walk_code, Code};
use pycopt_core::exceptiontable::ExceptionTable;
use pycopt_core::linetable::{LineTable, Lnotab, LocationTable, Pep626Table, Position};
use pycopt_core::marshal::ObjectGraph;
use pycopt_core::{PyVersion, Pyc};
use rayon::prelude::*;

/// How many files per version the interpreter decodes for comparison.
const DIFFERENTIAL_FILES: usize = 30;

/// Examples of each kind of miss kept for the report.
const EXAMPLES: usize = 3;

fn version_of(major: u8, minor: u8) -> PyVersion {
    PyVersion::ALL
        .into_iter()
        .find(|v| v.tuple() == (major, minor))
        .expect("pycopt_corpus::SUPPORTED matches PyVersion::ALL")
}

/// Counts for one version (or one file, merged up).
#[derive(Default)]
struct Tally {
    files: usize,
    codes: usize,
    /// Line tables whose decode → encode gives the same bytes.
    line_exact: usize,
    /// Line tables the positions-level encoder reproduces.
    line_positions: usize,
    /// `co_lnotab`s reproduced from marks including those of deleted code
    /// ([`Lnotab::all_marks`]).
    lnotab_all_marks: usize,
    /// Code objects with an exception table (3.11+).
    exc_tables: usize,
    exc_exact: usize,
    exc_positions: usize,
    /// Decode errors and round-trip differences: must stay empty.
    failures: Vec<String>,
    /// Positions-level misses by reason, with a few examples each.
    misses: BTreeMap<String, (usize, Vec<String>)>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.files += other.files;
        self.codes += other.codes;
        self.line_exact += other.line_exact;
        self.line_positions += other.line_positions;
        self.lnotab_all_marks += other.lnotab_all_marks;
        self.exc_tables += other.exc_tables;
        self.exc_exact += other.exc_exact;
        self.exc_positions += other.exc_positions;
        self.failures.extend(other.failures);
        for (reason, (n, ex)) in other.misses {
            let slot = self.misses.entry(reason).or_default();
            slot.0 += n;
            slot.1.extend(ex);
            slot.1.truncate(EXAMPLES);
        }
        self
    }

    fn miss(&mut self, reason: String, example: String) {
        let slot = self.misses.entry(reason).or_default();
        slot.0 += 1;
        if slot.1.len() < EXAMPLES {
            slot.1.push(example);
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// 3.11 instruction sizes in code units, from `co_code`: an instruction is its
/// `EXTENDED_ARG` (144) prefixes, the opcode, and the `CACHE` (0) units after it.
/// (3.11 writes one location run per instruction, so its encoder needs them.)
fn instruction_units_311(code: &[u8]) -> Vec<u32> {
    const CACHE: u8 = 0;
    const EXTENDED_ARG: u8 = 144;
    let ops: Vec<u8> = code.chunks(2).map(|u| u[0]).collect();
    let mut sizes = Vec::new();
    for (i, &op) in ops.iter().enumerate() {
        let starts = op != CACHE && (i == 0 || ops[i - 1] != EXTENDED_ARG);
        match sizes.last_mut() {
            Some(n) if !starts => *n += 1,
            _ => sizes.push(1),
        }
    }
    sizes
}

/// Re-encodes `table` from the positions it decodes to, as a code generator would.
fn line_table_from_positions(
    version: PyVersion,
    code: &Code,
    g: &ObjectGraph,
    table: &LineTable,
) -> Result<Vec<u8>, String> {
    let first = code.firstlineno;
    Ok(match table {
        LineTable::Lnotab(t) => Lnotab::from_marks(t.flavor, first, t.marks(first)).to_bytes(),
        LineTable::Pep626(t) => {
            Pep626Table::from_lines(first, t.lines(first).map(|r| (r.end - r.start, r.line)))
                .to_bytes()
        }
        LineTable::Locations(t) if version.at_least(PyVersion::V3_12) => {
            LocationTable::from_positions(version, first, t.positions(first).map(|p| (1, p)))
                .to_bytes()
        }
        LineTable::Locations(t) => {
            let positions: Vec<Position> = t.positions(first).collect();
            let sizes = instruction_units_311(code.bytecode(g));
            let units: usize = sizes.iter().map(|&n| n as usize).sum();
            if units != positions.len() {
                return Err(format!(
                    "table covers {} units, code has {units}",
                    positions.len()
                ));
            }
            let mut at = 0usize;
            let runs = sizes.iter().map(|&n| {
                let p = positions[at];
                at += n as usize;
                (n, p)
            });
            LocationTable::from_positions(version, first, runs).to_bytes()
        }
    })
}

/// Why a positions-level re-encode differs, in a few words, for the tally: what the
/// original table holds at the first pair that differs.
fn line_miss_reason(original: &[u8], again: &[u8], table: &LineTable) -> String {
    let LineTable::Lnotab(t) = table else {
        return format!("other ({} bytes)", original.len());
    };
    let at = original
        .iter()
        .zip(again)
        .position(|(a, b)| a != b)
        .unwrap_or(original.len().min(again.len()))
        / 2;
    let pairs = &t.entries;
    // The group of pairs at one address around the first difference.
    let mut lo = at.min(pairs.len().saturating_sub(1));
    while lo > 0 && pairs[lo].addr_delta == 0 {
        lo -= 1;
    }
    let mut hi = lo + 1;
    while hi < pairs.len() && pairs[hi].addr_delta == 0 {
        hi += 1;
    }
    let group = &pairs[lo..hi];
    let split = |e: &pycopt_core::linetable::LnotabEntry| matches!(e.line_delta, 127 | -128 | 255);
    if group.len() > 1 && !group[..group.len() - 1].iter().all(split) {
        "several line marks at one address (the peephole optimizer deleted the code between)".into()
    } else if group.iter().any(|e| e.line_delta == 0) {
        "a pair that keeps the line, at an address the peephole optimizer moved".into()
    } else {
        format!("other ({} bytes)", original.len())
    }
}

fn check_file(version: PyVersion, path: &Path) -> Tally {
    let mut tally = Tally {
        files: 1,
        ..Tally::default()
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            tally.failures.push(format!("{}: {e}", path.display()));
            return tally;
        }
    };
    let pyc = match Pyc::parse(data) {
        Ok(p) => p,
        Err(e) => {
            tally.failures.push(format!("{}: {e}", path.display()));
            return tally;
        }
    };
    assert_eq!(pyc.version(), version, "{}", path.display());
    let g = &pyc.graph;
    for (id, name) in walk_code(g, pyc.root) {
        let code = g.as_code(id).expect("walk_code yields code objects");
        let at = || format!("{} {name}", path.display());
        tally.codes += 1;

        let raw = g.as_bytes(code.linetable).unwrap_or(&[]);
        match LineTable::of_code(version, code, g) {
            Err(e) => tally.failures.push(format!("{}: {e}", at())),
            Ok(table) if table.to_bytes() != raw => tally.failures.push(format!(
                "{}: line table {} re-encodes as {}",
                at(),
                hex(raw),
                hex(&table.to_bytes())
            )),
            Ok(table) => {
                tally.line_exact += 1;
                if let LineTable::Lnotab(t) = &table {
                    let first = code.firstlineno;
                    if Lnotab::from_marks(t.flavor, first, t.all_marks(first)).to_bytes() == raw {
                        tally.lnotab_all_marks += 1;
                    } else {
                        tally
                            .failures
                            .push(format!("{}: not reproduced from all marks", at()));
                    }
                }
                match line_table_from_positions(version, code, g, &table) {
                    Ok(b) if b == raw => tally.line_positions += 1,
                    Ok(b) => tally.miss(
                        format!("line table: {}", line_miss_reason(raw, &b, &table)),
                        format!("{}: {} from positions: {}", at(), hex(raw), hex(&b)),
                    ),
                    Err(why) => tally.miss(format!("line table: {why}"), at()),
                }
            }
        }

        let Some(exc_id) = code.exceptiontable else {
            continue;
        };
        tally.exc_tables += 1;
        let raw = g.as_bytes(exc_id).unwrap_or(&[]);
        match ExceptionTable::of_code(code, g) {
            Err(e) => tally.failures.push(format!("{}: {e}", at())),
            Ok(None) => unreachable!("the code object has an exception table"),
            Ok(Some(t)) if t.to_bytes() != raw => tally.failures.push(format!(
                "{}: exception table {} re-encodes as {}",
                at(),
                hex(raw),
                hex(&t.to_bytes())
            )),
            Ok(Some(t)) => {
                tally.exc_exact += 1;
                let again = ExceptionTable::from_handlers(t.handler_runs()).to_bytes();
                if again == raw {
                    tally.exc_positions += 1;
                } else {
                    let reason = if t
                        .entries
                        .windows(2)
                        .any(|w| w[0].end() == w[1].start && w[0].handler() == w[1].handler())
                    {
                        "exception table: adjacent entries with the same handler"
                    } else {
                        "exception table: other"
                    };
                    tally.miss(
                        reason.into(),
                        format!("{}: {} from handlers: {}", at(), hex(raw), hex(&again)),
                    );
                }
            }
        }
    }
    tally
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.3}%", 100.0 * n as f64 / d as f64)
    }
}

/// The positions-level rates measured on the stdlib of the interpreters pycopt is
/// tested with, per version, in percent, rounded down: (line tables, exception
/// tables). The test fails if a version falls below them, so a regression in the
/// encoders shows. Below 100% (2.7–3.9) every miss is a table where the peephole
/// optimizer deleted code but kept its line pairs, which per-instruction positions
/// cannot express; those tables are all reproduced from [`Lnotab::all_marks`].
fn minimum_positions_rate(version: PyVersion) -> (f64, f64) {
    use PyVersion::*;
    match version {
        V2_7 => (99.5, 100.0),
        V3_6 => (99.0, 100.0),
        V3_7 | V3_8 | V3_9 => (99.5, 100.0),
        V3_10 | V3_11 | V3_12 | V3_13 => (100.0, 100.0),
    }
}

fn report(
    by_version: &BTreeMap<PyVersion, Tally>,
    minimum: fn(PyVersion) -> (f64, f64),
) -> Vec<String> {
    let mut problems = Vec::new();
    for (v, t) in by_version {
        println!(
            "{v}: {} files, {} code objects; line tables: {} round-trip, {} ({}) from positions; \
             exception tables: {} of {} round-trip, {} ({}) from handlers",
            t.files,
            t.codes,
            t.line_exact,
            t.line_positions,
            pct(t.line_positions, t.codes),
            t.exc_exact,
            t.exc_tables,
            t.exc_positions,
            pct(t.exc_positions, t.exc_tables),
        );
        if t.lnotab_all_marks > 0 {
            println!(
                "    co_lnotab from marks including deleted code: {} ({})",
                t.lnotab_all_marks,
                pct(t.lnotab_all_marks, t.codes)
            );
        }
        for (reason, (n, examples)) in &t.misses {
            println!("    {n} × {reason}");
            for e in examples {
                println!("        e.g. {e}");
            }
        }
        for f in t.failures.iter().take(10) {
            problems.push(format!("{v}: {f}"));
        }
        if t.line_exact != t.codes || t.exc_exact != t.exc_tables {
            problems.push(format!("{v}: not every table round-trips"));
        }
        let (min_line, min_exc) = minimum(*v);
        let rate = |n: usize, d: usize| {
            if d == 0 {
                100.0
            } else {
                100.0 * n as f64 / d as f64
            }
        };
        if rate(t.line_positions, t.codes) < min_line {
            problems.push(format!(
                "{v}: line tables from positions {} < {min_line}%",
                pct(t.line_positions, t.codes)
            ));
        }
        if rate(t.exc_positions, t.exc_tables) < min_exc {
            problems.push(format!(
                "{v}: exception tables from handlers {} < {min_exc}%",
                pct(t.exc_positions, t.exc_tables)
            ));
        }
    }
    problems
}

#[test]
fn every_installed_code_object_round_trips() {
    let mut by_version = BTreeMap::new();
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let version = version_of(major, minor);
        let files = pycopt_corpus::pyc_files(&interp.library_dir());
        assert!(
            !files.is_empty(),
            "{version}: no .pyc under {}",
            interp.library_dir().display()
        );
        let tally = files
            .par_iter()
            .map(|p| check_file(version, p))
            .reduce(Tally::default, Tally::merge);
        by_version.insert(version, tally);
    }
    let problems = report(&by_version, minimum_positions_rate);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The committed sample needs no interpreter. Its few files make rates meaningless
/// where the peephole optimizer can leave marks of deleted code (2.7–3.9); there the
/// check is that every `co_lnotab` is reproduced from [`Lnotab::all_marks`] (a
/// failure otherwise), and 3.10+ must be reproduced from positions every time.
#[test]
fn committed_sample_round_trips() {
    let files = pycopt_corpus::pyc_files(&pycopt_corpus::sample_dir());
    assert!(!files.is_empty(), "no committed sample");
    let mut by_version: BTreeMap<PyVersion, Tally> = BTreeMap::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        let version = Pyc::parse(data).unwrap().version();
        let t = check_file(version, f);
        let slot = by_version.remove(&version).unwrap_or_default();
        by_version.insert(version, slot.merge(t));
    }
    let problems = report(&by_version, |v| {
        if v.at_least(PyVersion::V3_10) {
            (100.0, 100.0)
        } else {
            (0.0, 100.0)
        }
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What `dump_positions.py` prints for one code object, from pycopt's decoding.
fn describe(version: PyVersion, code: &Code, g: &ObjectGraph, out: &mut String) {
    let first = code.firstlineno;
    let code_len = code.bytecode(g).len() as u32;
    let _ = writeln!(out, "code {} {first} {code_len}", code.name(g));
    let table = match LineTable::of_code(version, code, g) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(out, "error {e}");
            return;
        }
    };
    let show = |v: Option<i64>| v.map_or("None".to_string(), |x| x.to_string());
    match &table {
        LineTable::Lnotab(t) => {
            // 3.8 and 3.9's `findlinestarts` stop at the end of the code.
            let cut = version.at_least(PyVersion::V3_8);
            for (offset, line) in t
                .line_starts(first)
                .take_while(|&(a, _)| !cut || a < code_len)
            {
                let _ = writeln!(out, "S {offset} {line}");
            }
        }
        _ => {
            for r in table.lines(version, first, code_len) {
                let line = show(r.line.map(i64::from));
                let _ = writeln!(out, "L {} {} {line}", r.start, r.end);
            }
        }
    }
    if let LineTable::Locations(t) = &table {
        let mut last: Option<(Position, usize)> = None;
        let flush = |p: Position, n: usize, out: &mut String| {
            let _ = writeln!(
                out,
                "P {n} {} {} {} {}",
                show(p.line.map(i64::from)),
                show(p.end_line.map(i64::from)),
                show(p.column.map(i64::from)),
                show(p.end_column.map(i64::from)),
            );
        };
        for p in t.positions(first) {
            last = match last {
                Some((q, n)) if q == p => Some((q, n + 1)),
                Some((q, n)) => {
                    flush(q, n, out);
                    Some((p, 1))
                }
                None => Some((p, 1)),
            };
        }
        if let Some((q, n)) = last {
            flush(q, n, out);
        }
    }
    match ExceptionTable::of_code(code, g) {
        Ok(Some(t)) => {
            for e in &t.entries {
                let _ = writeln!(
                    out,
                    "E {} {} {} {} {}",
                    2 * e.start,
                    2 * e.end(),
                    2 * e.target,
                    e.depth,
                    u8::from(e.lasti)
                );
            }
        }
        Ok(None) => {}
        Err(e) => {
            let _ = writeln!(out, "error {e}");
        }
    }
}

/// Modules whose `.pyc`s are always in the differential sample, for their edge
/// cases: `co_lnotab`s that run past the end of the code (test_asyncgen's `gen` on
/// 3.7/3.8), tables the peephole optimizer rewrote (_pydecimal), long line jumps
/// (pydoc_data/topics).
const EDGE_MODULES: &[&str] = &["test/test_asyncgen", "_pydecimal", "pydoc_data/topics"];

/// The `.pyc`s of `module` (a path below the library folder, without `.py`) that
/// `interp` wrote: beside the source on 2.7, in `__pycache__` (all optimization
/// levels) after.
fn module_pycs(interp: &pycopt_corpus::Interpreter, module: &str) -> Vec<PathBuf> {
    let lib = interp.library_dir();
    let path = lib.join(module);
    let (dir, base) = (
        path.parent().unwrap_or(&lib),
        path.file_name().unwrap_or_default(),
    );
    let base = base.to_string_lossy();
    let names: Vec<PathBuf> = match interp.cache_tag() {
        None => vec![dir.join(format!("{base}.pyc"))],
        Some(tag) => ["", ".opt-1", ".opt-2"]
            .iter()
            .map(|opt| {
                dir.join("__pycache__")
                    .join(format!("{base}.{tag}{opt}.pyc"))
            })
            .collect(),
    };
    names.into_iter().filter(|p| p.is_file()).collect()
}

/// `n` files spread evenly over the sorted list (deterministic).
fn spread(files: &[PathBuf], n: usize) -> Vec<PathBuf> {
    if files.len() <= n {
        return files.to_vec();
    }
    (0..n).map(|i| files[i * files.len() / n].clone()).collect()
}

#[test]
fn decoding_matches_the_interpreter() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/scripts/dump_positions.py");
    let mut problems = Vec::new();
    let mut checked = 0;
    for &(major, minor) in pycopt_corpus::SUPPORTED {
        let Some(interp) = pycopt_corpus::require(major, minor) else {
            continue;
        };
        let version = version_of(major, minor);
        let mut files = spread(
            &pycopt_corpus::pyc_files(&interp.library_dir()),
            DIFFERENTIAL_FILES,
        );
        files.extend(pycopt_corpus::pyc_files(
            &pycopt_corpus::sample_dir().join(pycopt_corpus::tag((major, minor))),
        ));
        for module in EDGE_MODULES {
            files.extend(module_pycs(interp, module));
        }
        files.sort();
        files.dedup();
        let output = interp
            .command()
            .arg("-S")
            .arg(&script)
            .args(&files)
            .env("PYTHONIOENCODING", "utf-8")
            .output()
            .expect("run the interpreter");
        assert!(
            output.status.success(),
            "{interp}: dump_positions.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).expect("utf-8 output");
        let mut theirs: HashMap<&str, String> = HashMap::new();
        let mut current: Option<&str> = None;
        for line in text.lines() {
            if let Some(path) = line.strip_prefix("file ") {
                current = Some(path);
                theirs.insert(path, String::new());
            } else if let Some(path) = current {
                let block = theirs.get_mut(path).expect("inserted");
                block.push_str(line);
                block.push('\n');
            }
        }
        for f in &files {
            let key = f.to_str().expect("utf-8 path");
            let Some(want) = theirs.get(key) else {
                problems.push(format!("{version}: no output for {key}"));
                continue;
            };
            let pyc = Pyc::parse(std::fs::read(f).unwrap()).unwrap();
            let mut got = String::new();
            for (id, _) in walk_code(&pyc.graph, pyc.root) {
                describe(
                    version,
                    pyc.graph.as_code(id).unwrap(),
                    &pyc.graph,
                    &mut got,
                );
            }
            checked += 1;
            if &got != want {
                let line = got
                    .lines()
                    .zip(want.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(got.lines().count().min(want.lines().count()));
                let ctx = |s: &str| {
                    s.lines()
                        .skip(line.saturating_sub(2))
                        .take(4)
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                problems.push(format!(
                    "{version}: {key}: line {line} differs:\n    pycopt: {}\n    python: {}",
                    ctx(&got),
                    ctx(want)
                ));
            }
        }
        println!("{version}: {} files compared with {interp}", files.len());
    }
    println!("{checked} files compared in all");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

mod properties {
    //! Any bytes: decoding never panics, and what decodes re-encodes to the same
    //! bytes. Any positions: the encoders lose nothing a table can hold.

    use proptest::prelude::*;
    use pycopt_core::exceptiontable::{ExceptionTable, ExceptionTableEntry, Handler};
    use pycopt_core::linetable::{
        LineMark, LineTable, Lnotab, LnotabFlavor, LocationTable, Pep626Table, Position,
    };
    use pycopt_core::PyVersion;

    /// A location a code generator might have: none, or a line with an end line at
    /// or after it and both columns or neither (what the table keeps exactly).
    fn position() -> impl Strategy<Value = Position> {
        prop_oneof![
            Just(Position::NONE),
            (
                -5i32..3000,
                prop_oneof![Just(0u32), 0u32..3, 0u32..300],
                prop::option::of((0u32..200, 0u32..200)),
            )
                .prop_map(|(line, span, cols)| Position {
                    line: Some(line),
                    end_line: Some(line + span as i32),
                    column: cols.map(|c| c.0),
                    end_column: cols.map(|c| c.1),
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn garbage_is_refused_or_round_trips(
            bytes in prop::collection::vec(any::<u8>(), 0..48),
            first in -10i32..10_000,
        ) {
            for v in PyVersion::ALL {
                if let Ok(t) = LineTable::decode(v, &bytes) {
                    prop_assert_eq!(t.to_bytes(), bytes.clone());
                    let _ = t.lines(v, first, 4096);
                    match &t {
                        LineTable::Lnotab(l) => {
                            let again = Lnotab::from_marks(l.flavor, first, l.all_marks(first));
                            let _ = again.to_bytes();
                        }
                        LineTable::Locations(l) => {
                            let n = l.positions(first).count();
                            prop_assert_eq!(n, l.units());
                        }
                        LineTable::Pep626(_) => {}
                    }
                }
            }
            if let Ok(t) = ExceptionTable::decode(&bytes) {
                prop_assert_eq!(t.to_bytes(), bytes.clone());
                let _ = ExceptionTable::from_handlers(t.handler_runs());
            }
        }

        #[test]
        fn exception_entries_round_trip(
            raw in prop::collection::vec(
                (any::<u32>(), any::<u32>(), any::<u32>(), 0u32..(1 << 31), any::<bool>()),
                0..8,
            ),
        ) {
            let t = ExceptionTable {
                entries: raw
                    .iter()
                    .map(|&(start, length, target, depth, lasti)| ExceptionTableEntry {
                        start, length, target, depth, lasti,
                    })
                    .collect(),
            };
            prop_assert_eq!(ExceptionTable::decode(&t.to_bytes()).unwrap(), t);
        }

        #[test]
        fn handlers_survive_encoding(
            runs in prop::collection::vec(
                (0u32..20, prop::option::of((0u32..4, 0u32..3, any::<bool>()))),
                0..20,
            ),
        ) {
            let runs: Vec<(u32, Option<Handler>)> = runs
                .into_iter()
                .map(|(n, h)| (n, h.map(|(t, depth, lasti)| Handler { target: 100 * t, depth, lasti })))
                .collect();
            let t = ExceptionTable::from_handlers(runs.iter().copied());
            let t = ExceptionTable::decode(&t.to_bytes()).unwrap();
            let mut unit = 0;
            for &(n, h) in &runs {
                for u in unit..unit + n {
                    prop_assert_eq!(t.handler_at(u), h);
                }
                unit += n;
            }
            prop_assert_eq!(t.handler_at(unit), None);
        }

        #[test]
        fn locations_survive_encoding(
            runs in prop::collection::vec((1u32..20, position()), 0..20),
            first in 0i32..3000,
        ) {
            let want: Vec<Position> = runs
                .iter()
                .flat_map(|&(n, p)| std::iter::repeat_n(p, n as usize))
                .collect();
            for v in [PyVersion::V3_11, PyVersion::V3_12, PyVersion::V3_13] {
                let bytes = LocationTable::from_positions(v, first, runs.iter().copied()).to_bytes();
                let t = LocationTable::decode(&bytes).unwrap();
                prop_assert_eq!(t.positions(first).collect::<Vec<_>>(), want.clone());
            }
        }

        #[test]
        fn pep626_lines_survive_encoding(
            runs in prop::collection::vec((0u32..300, prop::option::of(-5i32..3000)), 0..20),
            first in 0i32..3000,
        ) {
            let runs: Vec<(u32, Option<i32>)> = runs.into_iter().map(|(n, l)| (2 * n, l)).collect();
            let want: Vec<Option<i32>> = runs
                .iter()
                .flat_map(|&(n, l)| std::iter::repeat_n(l, n as usize))
                .collect();
            let bytes = Pep626Table::from_lines(first, runs.iter().copied()).to_bytes();
            let t = Pep626Table::decode(&bytes).unwrap();
            let got: Vec<Option<i32>> = t
                .lines(first)
                .flat_map(|r| std::iter::repeat_n(r.line, (r.end - r.start) as usize))
                .collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn lnotab_lines_survive_encoding(
            steps in prop::collection::vec((0u32..600, -300i32..300), 0..20),
            first in 1i32..3000,
        ) {
            for flavor in [LnotabFlavor::Py27, LnotabFlavor::Py36, LnotabFlavor::Py39] {
                // 2.7 line increments are unsigned: its lines never go back.
                let (mut offset, mut line) = (0u32, first);
                let marks: Vec<LineMark> = steps
                    .iter()
                    .map(|&(d_off, d_line)| {
                        offset += 2 * d_off;
                        line = if flavor == LnotabFlavor::Py27 { line + d_line.abs() } else { (line + d_line).max(1) };
                        LineMark { offset, line }
                    })
                    .collect();
                // A first mark at offset 0 on the first line writes nothing, so marks
                // after it at offset 0 could not be told apart from it.
                prop_assume!(marks.first().is_none_or(|m| m.offset > 0 || m.line != first));
                let end = offset + 2;
                let t = Lnotab::decode(flavor, &Lnotab::from_marks(flavor, first, marks.iter().copied()).to_bytes()).unwrap();
                let ranges: Vec<_> = t.lines(first, end).collect();
                let line_at = |o: u32| ranges.iter().find(|r| r.start <= o && o < r.end).and_then(|r| r.line);
                // The line of each offset is its last mark's.
                for (i, m) in marks.iter().enumerate() {
                    if marks.get(i + 1).is_some_and(|n| n.offset == m.offset) {
                        continue;
                    }
                    prop_assert_eq!(line_at(m.offset), Some(m.line), "{:?} {:?}", flavor, m);
                }
                // Marks at one offset stand for deleted code: only `all_marks` keeps them.
                let again = Lnotab::from_marks(flavor, first, t.all_marks(first));
                prop_assert_eq!(again, t);
            }
        }
    }
}
