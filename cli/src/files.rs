//! Finding input files and writing outputs safely.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// One input file and where it sits relative to the path the user named.
#[derive(Clone, Debug)]
pub struct Input {
    pub path: PathBuf,
    /// Path relative to the named folder (for a named file: its file name).
    pub relative: PathBuf,
}

/// Whether `path` looks like a compiled Python file (`.pyc`; `.pyo` from Python 2).
pub fn is_pyc(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("pyc") | Some("pyo")
    )
}

/// Expands the paths the user named: files as they are, folders walked recursively
/// for `.pyc`/`.pyo` files (symbolic links are not followed), sorted for a stable order.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = fs::metadata(p).with_context(|| format!("{}: cannot read", p.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).with_context(|| format!("{}: cannot walk", p.display()))?;
            found.sort();
            for f in found {
                let relative = f.strip_prefix(p).unwrap_or(&f).to_path_buf();
                out.push(Input { path: f, relative });
            }
        } else if meta.is_file() {
            let name = p
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| p.clone());
            out.push(Input {
                path: p.clone(),
                relative: name,
            });
        } else {
            bail!("{}: not a file or folder", p.display());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            walk(&path, out)?;
        } else if ty.is_file() && is_pyc(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `data` to `dest` atomically: a temporary file in the same folder, flushed,
/// then renamed over `dest`. A reader never sees a partial file, and an interrupted
/// run leaves at most a stray temporary, never a truncated `dest`. Missing folders are
/// created; a file being replaced keeps its permissions.
pub fn write_atomic(dest: &Path, data: &[u8]) -> Result<()> {
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.pycopt-{}.tmp", process_id()));
    // The permissions of a file being replaced, given to the temporary when it is
    // created (no separate chmod); the umask may still clear bits, checked below.
    let keep = fs::metadata(dest).ok().map(|m| m.permissions());
    let create = || {
        let mut o = fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if let Some(p) = &keep {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            o.mode(p.mode());
        }
        o.open(&tmp)
    };
    let result = (|| -> std::io::Result<()> {
        // Folders are created only when the first attempt finds one missing: a run
        // over a library writes thousands of files into folders that exist.
        let mut f = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir)?;
                create()?
            }
            other => other?,
        };
        // No fsync: the rename makes the replacement atomic for readers and for an
        // interrupted run (the concern here); syncing every file would make a run
        // over a library folder several times slower for durability against power
        // loss, which compilers and `compileall` do not offer either.
        f.write_all(data)?;
        if let Some(p) = &keep {
            if f.metadata()?.permissions() != *p {
                f.set_permissions(p.clone())?;
            }
        }
        drop(f);
        fs::rename(&tmp, dest)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("{}: cannot write", dest.display()));
    }
    Ok(())
}

/// This process's id, asked for once.
fn process_id() -> u32 {
    static ID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *ID.get_or_init(std::process::id)
}
