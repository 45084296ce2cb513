//! Helpers shared by the passes' integration tests: the per-pass fixture runner
//! (`tests/fixtures.rs` drives it; the format is documented there), compiling Python
//! source with a real interpreter, running passes through the [`PassManager`] with
//! `verify_each`, a compact listing of code objects, and running `.pyc` files (plainly
//! and under a line tracer) to compare behaviour.

#![allow(dead_code)] // each test file uses its own subset

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use pycopt_core::cfg::{build, BlockId, EdgeKind};
use pycopt_core::code::{walk_code, Code};
use pycopt_core::marshal::ObjectGraph;
use pycopt_core::opcode::{table, ArgKind};
use pycopt_core::{PyVersion, Pyc};
use pycopt_corpus::Interpreter;
use pycopt_passes::{Assumption, FileStats, Options, PassManager, Pipeline, Registry, Strip};

/// Versions a fixture runs on when its header has no `# versions:` line.
pub const DEFAULT_VERSIONS: &[(u8, u8)] = &[(3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13)];

/// The fixture folder, `passes/tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Whether expectations are to be (re)written rather than compared (`PYCOPT_BLESS=1`).
pub fn bless() -> bool {
    std::env::var("PYCOPT_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A scratch folder for test outputs (inside `target/`), created fresh.
pub fn scratch(name: &str) -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let d = base.join("pycopt-passes").join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// One fixture file: `fixtures/<folder>/<stem>.py` and what its header says.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The `.py` file.
    pub path: PathBuf,
    /// `<folder>/<stem>`, the test's name.
    pub name: String,
    /// The comment lines at the top that are not directives: why the fixture exists.
    pub reason: Vec<String>,
    /// Passes to run, in order (`# passes:`; default: the folder name).
    pub passes: Vec<String>,
    /// Versions to compile with (`# versions:`; default [`DEFAULT_VERSIONS`]).
    pub versions: Vec<(u8, u8)>,
    /// Pipeline rounds (`# rounds:`; default 1).
    pub rounds: usize,
    /// `# assume:` and `# strip:` options.
    pub options: Options,
    /// Whether line events are compared (`# trace: no` turns it off; it is off anyway
    /// when some pass says it does not keep line events).
    pub trace: bool,
}

impl Fixture {
    /// The expectation file for `version`: `<stem>.<X.Y>.expected` beside the source.
    pub fn expected_path(&self, version: (u8, u8)) -> PathBuf {
        let stem = self.path.file_stem().unwrap().to_string_lossy();
        self.path
            .with_file_name(format!("{stem}.{}.expected", pycopt_corpus::tag(version)))
    }
}

/// Parses a `# versions:` value: items `X.Y` or ranges `X.Y-X.Y` over the supported
/// versions, separated by commas or spaces.
pub fn parse_versions(text: &str) -> Result<Vec<(u8, u8)>, String> {
    let mut out = BTreeSet::new();
    for item in text.split([',', ' ']).filter(|s| !s.is_empty()) {
        let (lo, hi) = match item.split_once('-') {
            Some((a, b)) => (a, b),
            None => (item, item),
        };
        let lo = pycopt_corpus::parse_tag(lo).ok_or(format!("bad version `{item}`"))?;
        let hi = pycopt_corpus::parse_tag(hi).ok_or(format!("bad version `{item}`"))?;
        let range: Vec<_> = pycopt_corpus::SUPPORTED
            .iter()
            .filter(|&&v| v >= lo && v <= hi)
            .copied()
            .collect();
        if range.is_empty() {
            return Err(format!("no supported version in `{item}`"));
        }
        out.extend(range);
    }
    Ok(out.into_iter().collect())
}

/// Reads a fixture's header (the leading `#` lines).
pub fn parse_fixture(path: &Path) -> Result<Fixture, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut f = Fixture {
        path: path.to_path_buf(),
        name: format!("{folder}/{stem}"),
        reason: Vec::new(),
        passes: vec![folder.clone()],
        versions: DEFAULT_VERSIONS.to_vec(),
        rounds: 1,
        options: Options::default(),
        trace: true,
    };
    for line in text.lines() {
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let comment = comment.trim();
        let directive = comment.split_once(':').and_then(|(k, v)| {
            let k = k.trim();
            ["passes", "versions", "rounds", "assume", "strip", "trace"]
                .contains(&k)
                .then_some((k, v.trim()))
        });
        let list = |v: &str| -> Vec<String> {
            v.split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        match directive {
            Some(("passes", v)) => f.passes = list(v),
            Some(("versions", v)) => f.versions = parse_versions(v)?,
            Some(("rounds", v)) => f.rounds = v.parse().map_err(|_| format!("bad rounds `{v}`"))?,
            Some(("assume", v)) => {
                for a in list(v) {
                    let a = Assumption::parse(&a).ok_or(format!("unknown assumption `{a}`"))?;
                    f.options.assume.insert(a);
                }
            }
            Some(("strip", v)) => {
                for s in list(v) {
                    let s = Strip::parse(&s).ok_or(format!("unknown strip `{s}`"))?;
                    f.options.strip.insert(s);
                }
            }
            Some(("trace", v)) => f.trace = !matches!(v, "no" | "off" | "false"),
            _ => f.reason.push(comment.to_string()),
        }
    }
    if f.reason.iter().all(|r| r.is_empty()) {
        return Err(format!(
            "{}: the first comment lines must say why the fixture exists",
            path.display()
        ));
    }
    Ok(f)
}

/// Every fixture below [`fixtures_dir`], sorted by name.
pub fn discover() -> Vec<Result<Fixture, String>> {
    let mut paths = Vec::new();
    if let Ok(dirs) = fs::read_dir(fixtures_dir()) {
        for d in dirs.flatten().filter(|d| d.path().is_dir()) {
            for f in fs::read_dir(d.path()).into_iter().flatten().flatten() {
                let p = f.path();
                if p.extension().is_some_and(|e| e == "py") {
                    paths.push(p);
                }
            }
        }
    }
    paths.sort();
    paths.iter().map(|p| parse_fixture(p)).collect()
}

/// `.expected` files with no fixture source or for a version the fixture no longer
/// lists.
pub fn stale_expectations(fixtures: &[Fixture]) -> Vec<PathBuf> {
    let wanted: BTreeSet<PathBuf> = fixtures
        .iter()
        .flat_map(|f| f.versions.iter().map(|&v| f.expected_path(v)))
        .collect();
    let mut out = Vec::new();
    for d in fs::read_dir(fixtures_dir()).into_iter().flatten().flatten() {
        for f in fs::read_dir(d.path()).into_iter().flatten().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "expected") && !wanted.contains(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compiles `source` with `interp` into `out` (`py_compile`), recording `display_name`
/// as the code objects' file name so that listings do not depend on where the checkout
/// lives.
pub fn compile(
    interp: &Interpreter,
    source: &Path,
    out: &Path,
    display_name: &str,
) -> Result<(), String> {
    let script = "import sys, py_compile\n\
                  py_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile=sys.argv[3], \
                  doraise=True)\n";
    let o = interp
        .run([
            "-c",
            script,
            &source.to_string_lossy(),
            &out.to_string_lossy(),
            display_name,
        ])
        .map_err(|e| format!("running {interp}: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "{interp} could not compile {}:\n{}",
            source.display(),
            text(&o.stderr)
        ));
    }
    Ok(())
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What running passes over one file did.
pub struct Optimized {
    /// The optimized file.
    pub pyc: Pyc,
    /// The pass manager's figures.
    pub stats: FileStats,
}

/// Runs `passes` (in order, `rounds` times at most) over `data` through the
/// [`PassManager`] with `verify_each`. A code object that a pass, code generation or
/// the verifier failed on (and so kept its original) is an error.
pub fn optimize(
    data: &[u8],
    passes: &[String],
    rounds: usize,
    options: &Options,
) -> Result<Optimized, String> {
    let registry = Registry::default();
    let names: Vec<&'static str> = passes
        .iter()
        .map(|p| {
            registry
                .get(p)
                .map(|pass| pass.info().name)
                .ok_or_else(|| format!("unknown pass `{p}` (known: {:?})", registry.names()))
        })
        .collect::<Result<_, _>>()?;
    let pipeline = Pipeline {
        passes: names,
        rounds,
    };
    let mut manager =
        PassManager::new(&registry, &pipeline, options.clone()).map_err(|e| e.to_string())?;
    manager.verify_each = true;
    let mut pyc = Pyc::parse(data.to_vec()).map_err(|e| format!("parse: {e}"))?;
    let stats = manager.optimize(&mut pyc);
    if !stats.kept.is_empty() {
        let why: Vec<String> = stats
            .kept
            .iter()
            .map(|k| format!("{}: {}", k.code, k.reason))
            .collect();
        return Err(format!("code objects kept:\n  {}", why.join("\n  ")));
    }
    Ok(Optimized { pyc, stats })
}

/// Code objects of `pyc` (3.10+) whose line table does not describe exactly their
/// code: a table running past the end (kept from a longer original) crashes 3.11 when
/// traced. (Up to 3.9 CPython's own peephole optimizer leaves `co_lnotab` entries
/// past the end of shortened code, so those are not checked.)
pub fn line_table_problems(pyc: &Pyc) -> Vec<String> {
    use pycopt_core::linetable::LineTable;
    let version = pyc.version();
    let g = &pyc.graph;
    let mut out = Vec::new();
    if !version.at_least(PyVersion::V3_10) {
        return out;
    }
    for (id, path) in walk_code(g, pyc.root) {
        let Some(code) = g.as_code(id) else { continue };
        let code_len = code.bytecode(g).len() as u32;
        let table = match LineTable::of_code(version, code, g) {
            Ok(t) => t,
            Err(e) => {
                out.push(format!("{path}: line table: {e}"));
                continue;
            }
        };
        let ranges = table.lines(version, code.firstlineno, u32::MAX);
        let end = ranges.last().map_or(0, |r| r.end);
        if end != code_len {
            out.push(format!(
                "{path}: line table covers {end} bytes, code has {code_len}"
            ));
        }
    }
    out
}

/// Whether every pass named keeps PEP 626 line events (so traces must match).
pub fn passes_keep_line_events(passes: &[String]) -> bool {
    let registry = Registry::default();
    passes.iter().all(|p| {
        registry
            .get(p)
            .is_some_and(|pass| pass.info().keeps_line_events)
    })
}

/// A compact listing of one code object: constants, then blocks in layout order with a
/// label where something jumps to them, one instruction per line with its line number
/// (`--` for none) and its argument resolved (constant repr, name, local, jump label);
/// 3.11+ handler changes as `try -> Lk depth d [lasti]` lines.
pub fn code_listing(g: &ObjectGraph, code: &Code, version: PyVersion) -> Vec<String> {
    let t = table(version);
    let mut out = Vec::new();
    let consts: Vec<String> = code
        .consts(g)
        .iter()
        .map(|&c| short(&pycopt_core::pyrepr::repr(g, c, version)))
        .collect();
    out.push(format!("consts: [{}]", consts.join(", ")));
    let cfg = match build(code, g, version) {
        Ok(c) => c,
        Err(e) => {
            out.push(format!("<no graph: {e}>"));
            return out;
        }
    };
    let names = code.names(g);
    let locals: Vec<String> = code
        .locals_plus(g)
        .into_iter()
        .map(|(n, _)| n.into_owned())
        .collect();
    let derefs: Vec<String> = code
        .deref_names(g)
        .into_iter()
        .map(|n| n.into_owned())
        .collect();
    // Labels: blocks that a jump, SETUP or handler edge leads to, named by the line of
    // their first instruction (`L12`; `L12.2` for the second such block, `L-` for no
    // line), so that removing code elsewhere does not rename them in the diff.
    let targeted: BTreeSet<BlockId> = cfg
        .layout
        .iter()
        .flat_map(|&b| cfg.successors(b))
        .filter(|(k, _)| *k != EdgeKind::Fallthrough)
        .map(|(_, to)| to)
        .collect();
    let mut label = std::collections::HashMap::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for &b in &cfg.layout {
        if targeted.contains(&b) {
            let base = match cfg.block(b).instrs.first().and_then(|i| i.pos.line) {
                Some(l) => format!("L{l}"),
                None => "L-".to_string(),
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 { base } else { format!("{base}.{n}") };
            label.insert(b, name);
        }
    }
    let name_at = |v: &[String], i: u32| v.get(i as usize).cloned().unwrap_or(format!("?{i}"));
    let mut handler = None;
    for &b in &cfg.layout {
        if let Some(l) = label.get(&b) {
            out.push(format!("{l}:"));
        }
        let h = cfg.successors(b).find_map(|(k, to)| match k {
            EdgeKind::Exception { depth, lasti } => Some((to, depth, lasti)),
            _ => None,
        });
        if h != handler && version.at_least(PyVersion::V3_11) {
            out.push(match h {
                Some((to, d, l)) => format!(
                    "  try -> {} depth {d}{}",
                    label[&to],
                    if l { " lasti" } else { "" }
                ),
                None => "  try -> none".to_string(),
            });
            handler = h;
        }
        let block = cfg.block(b);
        let target = cfg
            .successors(b)
            .find(|(k, _)| matches!(k, EdgeKind::Jump | EdgeKind::Setup))
            .map(|(_, to)| label[&to].clone());
        for (k, ins) in block.instrs.iter().enumerate() {
            let line = ins.pos.line.map_or("--".to_string(), |l| l.to_string());
            let arg = match ins.op.arg_kind {
                _ if ins.op.jump.is_some() && k + 1 == block.instrs.len() && target.is_some() => {
                    format!("-> {}", target.clone().unwrap())
                }
                ArgKind::None => String::new(),
                ArgKind::Const => consts
                    .get(ins.arg as usize)
                    .cloned()
                    .unwrap_or(format!("?{}", ins.arg)),
                ArgKind::Name { shift } => {
                    let n = names
                        .get((ins.arg >> shift) as usize)
                        .map_or(format!("?{}", ins.arg >> shift), |s| s.to_string());
                    let flags = ins.arg & ((1 << shift) - 1);
                    if flags != 0 {
                        format!("{n} +{flags}")
                    } else {
                        n
                    }
                }
                ArgKind::Local => name_at(&locals, ins.arg),
                ArgKind::LocalPair => format!(
                    "{}, {}",
                    name_at(&locals, ins.arg >> 4),
                    name_at(&locals, ins.arg & 15)
                ),
                ArgKind::Free => name_at(&derefs, ins.arg),
                ArgKind::Compare { shift } => {
                    let op = t
                        .cmp_ops
                        .get((ins.arg >> shift) as usize)
                        .map_or(format!("?{}", ins.arg), |s| s.to_string());
                    let mask = ins.arg & ((1 << shift) - 1);
                    if mask != 0 {
                        format!("{op} +{mask}")
                    } else {
                        op
                    }
                }
                ArgKind::BinaryOp => t
                    .nb_ops
                    .get(ins.arg as usize)
                    .map_or(format!("?{}", ins.arg), |(_, sym)| sym.to_string()),
                _ => ins.arg.to_string(),
            };
            out.push(
                format!("  {line:>4} {:<24} {arg}", ins.op.name)
                    .trim_end()
                    .to_string(),
            );
        }
    }
    out
}

fn short(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX - 3).collect();
        format!("{head}...")
    }
}

/// The listing of a whole optimized file against its original: for each code object
/// (in the module's walk order), `== path (unchanged)` or `== path` followed by a line
/// diff of the two [`code_listing`]s (`-` removed, `+` added, two spaces common).
pub fn diff_listing(before: &Pyc, after: &Pyc) -> String {
    let version = before.version();
    let mut out = String::new();
    let a_codes = walk_code(&before.graph, before.root);
    let b_codes = walk_code(&after.graph, after.root);
    for ((ia, path), (ib, _)) in a_codes.iter().zip(&b_codes) {
        let (Some(ca), Some(cb)) = (before.graph.as_code(*ia), after.graph.as_code(*ib)) else {
            continue;
        };
        let la = code_listing(&before.graph, ca, version);
        let lb = code_listing(&after.graph, cb, version);
        if la == lb {
            let _ = writeln!(out, "== {path} (unchanged)");
            continue;
        }
        let _ = writeln!(out, "== {path}");
        for line in line_diff(&la, &lb) {
            let _ = writeln!(out, "{line}");
        }
    }
    if a_codes.len() != b_codes.len() {
        let _ = writeln!(
            out,
            "!! {} code objects before, {} after",
            a_codes.len(),
            b_codes.len()
        );
    }
    out
}

/// A line diff (longest common subsequence): `  x` common, `- x` only in `a`, `+ x`
/// only in `b`.
pub fn line_diff(a: &[String], b: &[String]) -> Vec<String> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(format!("  {}", a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", b[j]));
            j += 1;
        } else {
            out.push(format!("- {}", a[i]));
            i += 1;
        }
    }
    out
}

/// What one run of a program printed, and how it ended.
#[derive(Debug, PartialEq, Eq)]
pub struct RunResult {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for RunResult {
    fn from(o: Output) -> RunResult {
        RunResult {
            status: o.status.code(),
            stdout: text(&o.stdout),
            stderr: text(&o.stderr),
        }
    }
}

fn python(interp: &Interpreter, dir: &Path) -> std::process::Command {
    let mut cmd = interp.command();
    cmd.current_dir(dir)
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs `pyc` as the main program (`python file.pyc`) in its own folder.
pub fn run_pyc(interp: &Interpreter, pyc: &Path) -> RunResult {
    let dir = pyc.parent().unwrap();
    python(interp, dir)
        .arg(pyc.file_name().unwrap())
        .output()
        .expect("the interpreter runs")
        .into()
}

/// Loads `pyc` and runs its module code as `__main__` under `sys.settrace`, then
/// prints every `call` and `line` event of the file's own code as `name:line`, after
/// a `--- events ---` marker (an exception leaving the module is an event too).
const TRACE_DRIVER: &str = r#"
import sys, marshal
path = sys.argv[1]
hdr = 8 if sys.version_info[0] == 2 else (12 if sys.version_info < (3, 7) else 16)
f = open(path, 'rb')
data = f.read()
f.close()
code = marshal.loads(data[hdr:])
fname = code.co_filename
events = []
def tracer(frame, event, arg):
    if frame.f_code.co_filename != fname:
        return None
    if event in ('call', 'line'):
        events.append('%s %s:%d' % (event, frame.f_code.co_name, frame.f_lineno))
    return tracer
g = {'__name__': '__main__', '__builtins__': __builtins__}
sys.settrace(tracer)
try:
    exec(code, g)
except BaseException as e:
    sys.settrace(None)
    events.append('raised %s' % type(e).__name__)
sys.settrace(None)
sys.stdout.write('--- events ---\n' + '\n'.join(events) + '\n')
"#;

/// The `call`/`line` events of running `pyc` under a tracer (see [`TRACE_DRIVER`]).
pub fn trace_pyc(interp: &Interpreter, pyc: &Path) -> RunResult {
    let dir = pyc.parent().unwrap();
    python(interp, dir)
        .args(["-c", TRACE_DRIVER])
        .arg(pyc.file_name().unwrap())
        .output()
        .expect("the interpreter runs")
        .into()
}

/// Runs one fixture on one version: compile, optimize (verify after each pass), write
/// the result, compare the listing with the expectation (or write it when blessing),
/// then run stock and optimized files and compare output (and line events).
pub fn check_fixture(f: &Fixture, interp: &Interpreter) -> Result<(), String> {
    let version = interp.version();
    let tag = pycopt_corpus::tag(version);
    let dir = scratch(&format!("fixtures/{}.{tag}", f.name));
    let stem = f.path.file_stem().unwrap().to_string_lossy().into_owned();
    let stock_dir = dir.join("stock");
    let opt_dir = dir.join("opt");
    fs::create_dir_all(&stock_dir).unwrap();
    fs::create_dir_all(&opt_dir).unwrap();
    let stock = stock_dir.join(format!("{stem}.pyc"));
    let opt = opt_dir.join(format!("{stem}.pyc"));
    compile(interp, &f.path, &stock, &format!("fixtures/{}.py", f.name))?;
    let data = fs::read(&stock).map_err(|e| e.to_string())?;
    let before = Pyc::parse(data.clone()).map_err(|e| format!("parse: {e}"))?;
    let result = optimize(&data, &f.passes, f.rounds, &f.options)?;
    let bytes = result.pyc.to_bytes().map_err(|e| format!("write: {e}"))?;
    fs::write(&opt, &bytes).map_err(|e| e.to_string())?;
    let after = Pyc::parse(bytes).map_err(|e| format!("reparse: {e}"))?;
    let bad_tables = line_table_problems(&after);
    if !bad_tables.is_empty() {
        return Err(bad_tables.join("\n"));
    }

    let mut listing = String::new();
    let _ = writeln!(
        listing,
        "# {} on {} ({} by CPython {})",
        f.passes.join(", "),
        f.name,
        tag,
        interp.full_version
    );
    for p in &f.passes {
        let changes = result.stats.passes.get(p).map_or(0, |s| s.changes);
        let _ = writeln!(listing, "# {p}: {changes} changes");
    }
    let s = &result.stats;
    let _ = writeln!(
        listing,
        "# instructions {} -> {}, code bytes {} -> {}",
        s.instrs_before, s.instrs_after, s.code_bytes_before, s.code_bytes_after
    );
    listing.push_str(&diff_listing(&before, &after));

    let expected_path = f.expected_path(version);
    if bless() {
        fs::write(&expected_path, &listing).map_err(|e| e.to_string())?;
    } else {
        let expected = fs::read_to_string(&expected_path).map_err(|_| {
            format!(
                "{} is missing; run `PYCOPT_BLESS=1 cargo test -p pycopt-passes --release \
                 --test fixtures` and review it\nlisting:\n{listing}",
                expected_path.display()
            )
        })?;
        if expected != listing {
            let diff = line_diff(
                &expected.lines().map(str::to_string).collect::<Vec<_>>(),
                &listing.lines().map(str::to_string).collect::<Vec<_>>(),
            );
            return Err(format!(
                "listing differs from {} (- expected, + got; bless with PYCOPT_BLESS=1 if \
                 intended):\n{}",
                expected_path.display(),
                diff.join("\n")
            ));
        }
    }

    let a = run_pyc(interp, &stock);
    let b = run_pyc(interp, &opt);
    if a != b {
        return Err(format!(
            "behaviour differs:\n--- stock ---\n{a:?}\n--- optimized ---\n{b:?}"
        ));
    }
    if a.stdout.trim().is_empty() {
        return Err("the fixture program prints nothing: make it print what it computes".into());
    }
    if f.trace && passes_keep_line_events(&f.passes) {
        let a = trace_pyc(interp, &stock);
        let b = trace_pyc(interp, &opt);
        if a != b {
            let la: Vec<String> = a.stdout.lines().map(str::to_string).collect();
            let lb: Vec<String> = b.stdout.lines().map(str::to_string).collect();
            return Err(format!(
                "line events differ (- stock, + optimized):\n{}\nstderr: {:?} / {:?}",
                line_diff(&la, &lb).join("\n"),
                a.stderr,
                b.stderr
            ));
        }
    }
    Ok(())
}
