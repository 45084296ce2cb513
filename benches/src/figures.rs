//! Static figures of `.pyc` files: instructions, bytes of code, constants, names
//! and a per-opcode histogram, per code object, per file and summed over a tree.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use pycopt_core::code::walk_code;
use pycopt_core::instr::decode;
use pycopt_core::Pyc;

/// Sizes that can be summed: one code object, one file, or a whole corpus.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// `.pyc` files counted.
    pub files: u64,
    /// Their size on disk.
    pub file_bytes: u64,
    /// Code objects (modules, functions, classes, comprehensions, lambdas).
    pub code_objects: u64,
    /// Instructions, `EXTENDED_ARG` prefixes included, inline caches not.
    pub instructions: u64,
    /// `len(co_code)`, caches included.
    pub code_bytes: u64,
    /// `len(co_consts)`.
    pub constants: u64,
    /// `len(co_names)`.
    pub names: u64,
    /// Instructions per opcode name.
    pub opcodes: BTreeMap<String, u64>,
}

impl Figures {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Figures) {
        self.files += other.files;
        self.file_bytes += other.file_bytes;
        self.code_objects += other.code_objects;
        self.instructions += other.instructions;
        self.code_bytes += other.code_bytes;
        self.constants += other.constants;
        self.names += other.names;
        for (op, n) in &other.opcodes {
            *self.opcodes.entry(op.clone()).or_default() += n;
        }
    }
}

/// One code object's figures, named by its dotted path (`<module>.C.f`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFigures {
    /// Dotted path of names from the module.
    pub name: String,
    /// Its figures (`files` and `file_bytes` are 0).
    pub figures: Figures,
}

/// One file's figures, in total and per code object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFigures {
    /// Path relative to the tree measured.
    pub path: String,
    /// CPython version that wrote it (`3.11`).
    pub version: String,
    /// Sum over its code objects, plus the file's size.
    pub totals: Figures,
    /// Each code object, in `walk_code` order.
    pub code: Vec<CodeFigures>,
}

/// Figures of a `.pyc` held in memory.
///
/// ```
/// let dir = pycopt_corpus::sample_dir().join("3.11/__pycache__");
/// let data = std::fs::read(dir.join("hashed.cpython-311.pyc")).unwrap();
/// let f = pycopt_benches::figures::pyc_figures("hashed.pyc", &data).unwrap();
/// assert_eq!(f.totals.file_bytes, data.len() as u64);
/// assert!(f.totals.instructions > 0 && f.code.len() as u64 == f.totals.code_objects);
/// ```
pub fn pyc_figures(path: &str, data: &[u8]) -> Result<FileFigures> {
    let pyc = Pyc::parse(data.to_vec()).with_context(|| format!("{path}: not a readable .pyc"))?;
    let version = pyc.version();
    let g = &pyc.graph;
    let mut totals = Figures {
        files: 1,
        file_bytes: data.len() as u64,
        ..Figures::default()
    };
    let mut code = Vec::new();
    for (id, name) in walk_code(g, pyc.root) {
        let c = g.as_code(id).expect("walk_code yields code objects");
        let bytes = c.bytecode(g);
        let instrs = decode(bytes, version)
            .with_context(|| format!("{path}: {name}: code does not decode"))?;
        let mut f = Figures {
            code_objects: 1,
            code_bytes: bytes.len() as u64,
            constants: c.consts(g).len() as u64,
            names: c.names(g).len() as u64,
            ..Figures::default()
        };
        for i in &instrs {
            f.instructions += 1 + i.prefixes as u64;
            *f.opcodes.entry(i.op.name.to_string()).or_default() += 1;
            if i.prefixes > 0 {
                *f.opcodes.entry("EXTENDED_ARG".to_string()).or_default() += i.prefixes as u64;
            }
        }
        totals.add(&f);
        code.push(CodeFigures { name, figures: f });
    }
    Ok(FileFigures {
        path: path.to_string(),
        version: version.to_string(),
        totals,
        code,
    })
}

/// Figures of every `.pyc` below `dir` (sorted by path), and their sum.
pub fn tree_figures(dir: &Path) -> Result<(Figures, Vec<FileFigures>)> {
    let mut sum = Figures::default();
    let mut files = Vec::new();
    for p in pycopt_corpus::pyc_files(dir) {
        let rel = p
            .strip_prefix(dir)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        let data = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
        let f = pyc_figures(&rel, &data)?;
        sum.add(&f.totals);
        files.push(f);
    }
    Ok((sum, files))
}
