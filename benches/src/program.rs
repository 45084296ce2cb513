//! Benchmark programs: where they come from and how they are described.
//!
//! A program is either
//! - a folder holding `program.json` (what `scripts/fetch_pyperformance.py`
//!   writes for each pyperformance benchmark): its main module, arguments,
//!   arguments for opcode counting, origin and oldest Python; every other file
//!   of the folder (data files, helper modules) belongs to the program; or
//! - a single `NAME.py` (the programs of `benches/programs/`), whose first
//!   lines may hold a marker `# pycopt-bench: min=3.8 count-args=--n,100`.
//!
//! Programs are written against pyperf's `Runner` API (`bench_func`,
//! `bench_time_func`); the driver supplies a stand-in for pyperf.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// One benchmark program.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Program {
    /// Unique name (`nbody`, `pickle_pure_python`, `constant_heavy`).
    pub name: String,
    /// Where it comes from (`pyperformance-1.14.0`, `benches/programs`).
    pub origin: String,
    /// Folder the program's files are taken from.
    pub root: PathBuf,
    /// The program's files, relative to `root`.
    pub files: Vec<PathBuf>,
    /// Main module name (the file `MAIN.py` runs as `__main__`).
    pub main: String,
    /// Command-line arguments for every run.
    pub args: Vec<String>,
    /// Extra arguments for opcode-counting runs (smaller problem sizes).
    pub count_args: Vec<String>,
    /// Oldest CPython it runs on.
    pub min_python: (u8, u8),
}

impl Program {
    /// Whether the program runs on CPython `version`.
    pub fn supports(&self, version: (u8, u8)) -> bool {
        version >= self.min_python
    }
}

#[derive(Deserialize)]
struct ProgramJson {
    name: String,
    #[serde(default)]
    origin: String,
    main: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    count_args: Vec<String>,
    #[serde(default)]
    min_python: Option<String>,
}

/// The programs at `path`: a program folder, a `.py` file, or a folder of
/// those (one level deep), sorted by name.
pub fn discover(path: &Path) -> Result<Vec<Program>> {
    if path.is_file() {
        return Ok(vec![from_file(path)?]);
    }
    if path.join("program.json").is_file() {
        return Ok(vec![from_folder(path)?]);
    }
    let mut out = Vec::new();
    let entries = std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.join("program.json").is_file() {
            out.push(from_folder(&p)?);
        } else if p.extension().is_some_and(|e| e == "py") {
            out.push(from_file(&p)?);
        }
    }
    if out.is_empty() {
        bail!(
            "{}: no programs (program folders or .py files)",
            path.display()
        );
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn from_folder(dir: &Path) -> Result<Program> {
    let text = std::fs::read_to_string(dir.join("program.json"))
        .with_context(|| format!("reading {}/program.json", dir.display()))?;
    let j: ProgramJson =
        serde_json::from_str(&text).with_context(|| format!("{}/program.json", dir.display()))?;
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.retain(|f| f != Path::new("program.json"));
    files.sort();
    if !files.contains(&PathBuf::from(format!("{}.py", j.main))) {
        bail!("{}: main module {}.py is missing", dir.display(), j.main);
    }
    Ok(Program {
        name: j.name,
        origin: j.origin,
        root: dir.to_path_buf(),
        files,
        main: j.main,
        args: j.args,
        count_args: j.count_args,
        min_python: j
            .min_python
            .as_deref()
            .and_then(pycopt_corpus::parse_tag)
            .unwrap_or((3, 8)),
    })
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let e = e?;
        let p = e.path();
        let name = e.file_name();
        if name == "__pycache__" || p.extension().is_some_and(|x| x == "pyc") {
            continue;
        }
        if e.file_type()?.is_dir() {
            collect_files(root, &p, out)?;
        } else {
            out.push(p.strip_prefix(root).expect("below root").to_path_buf());
        }
    }
    Ok(())
}

fn from_file(path: &Path) -> Result<Program> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .context("program file name is not UTF-8")?
        .to_string();
    let mut min_python = (3, 8);
    let mut count_args = Vec::new();
    for line in text.lines().take(10) {
        let Some(rest) = line.trim().strip_prefix("# pycopt-bench:") else {
            continue;
        };
        for item in rest.split_whitespace() {
            match item.split_once('=') {
                Some(("min", v)) => {
                    min_python = pycopt_corpus::parse_tag(v)
                        .with_context(|| format!("{}: bad min={v}", path.display()))?
                }
                Some(("count-args", v)) => {
                    count_args = v.split(',').map(str::to_string).collect();
                }
                _ => bail!("{}: unknown marker item {item:?}", path.display()),
            }
        }
    }
    let origin = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Program {
        name: stem.clone(),
        origin,
        root: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        files: vec![PathBuf::from(format!("{stem}.py"))],
        main: stem,
        args: Vec::new(),
        count_args,
        min_python,
    })
}
