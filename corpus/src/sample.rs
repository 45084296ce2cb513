//! The small committed sample: the programs in `corpus/sample-src`, compiled
//! by every supported version into `corpus/sample/X.Y`.
//!
//! A source may start with comment lines, one of which can be a marker:
//!
//! ```text
//! # pycopt-sample: min=3.8 max=3.12 pyc=unchecked-hash
//! ```
//!
//! `min`/`max` bound the versions that compile it (inclusive; default: all),
//! `pyc` picks the header kind on 3.7+ (`timestamp`, the default,
//! `unchecked-hash` or `checked-hash`; older versions always get timestamps).
//!
//! Layout of `corpus/sample/X.Y`: on 3.x `__pycache__/NAME.cpython-XY.pyc`,
//! `.opt-1.pyc` and `.opt-2.pyc`; on 2.7 `NAME.pyc` and `NAME.pyo` (`-O`).
//! `GENERATED-BY` names the interpreter. Output is reproducible: sources are
//! compiled from copies whose mtime is fixed, with `co_filename` set to
//! `NAME.py`, under `PYTHONHASHSEED=0`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::compile::{cached_path, compile, Invalidation, Job, JobResult};
use crate::{Error, Interpreter, Result};

/// The source mtime recorded in timestamp-based sample pycs unless
/// `SOURCE_DATE_EPOCH` says otherwise: 2023-11-14T22:13:20Z.
pub const DEFAULT_MTIME: u64 = 1_700_000_000;

/// A program of the sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSource {
    /// The `.py` file.
    pub path: PathBuf,
    /// Its module name (file stem).
    pub name: String,
    /// Oldest version that compiles it.
    pub min: Option<(u8, u8)>,
    /// Newest version that compiles it.
    pub max: Option<(u8, u8)>,
    /// Header kind asked for (3.7+).
    pub pyc: Invalidation,
}

impl SampleSource {
    /// Whether `version` compiles this source.
    pub fn applies_to(&self, version: (u8, u8)) -> bool {
        self.min.is_none_or(|m| version >= m) && self.max.is_none_or(|m| version <= m)
    }

    /// The header kind written for `version`.
    pub fn invalidation_for(&self, version: (u8, u8)) -> Invalidation {
        if version >= (3, 7) {
            self.pyc
        } else {
            Invalidation::Timestamp
        }
    }
}

/// Optimization levels in the sample: 0, 1, 2 on 3.x; 0 (`.pyc`) and 1
/// (`.pyo`) on 2.7.
pub fn levels(version: (u8, u8)) -> &'static [u8] {
    if version.0 < 3 {
        &[0, 1]
    } else {
        &[0, 1, 2]
    }
}

/// Reads the marker of a sample source from its leading comment lines.
pub fn parse_source(path: &Path, text: &str) -> Result<SampleSource> {
    let bad = |detail: String| Error::Marker {
        path: path.to_path_buf(),
        detail,
    };
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| bad("file name is not UTF-8".to_string()))?
        .to_string();
    let mut source = SampleSource {
        path: path.to_path_buf(),
        name,
        min: None,
        max: None,
        pyc: Invalidation::Timestamp,
    };
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let Some((_, spec)) = line.split_once("pycopt-sample:") else {
            continue;
        };
        for item in spec.split_whitespace() {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| bad(format!("`{item}` is not key=value")))?;
            let version =
                || crate::parse_tag(value).ok_or_else(|| bad(format!("`{value}` is not X.Y")));
            match key {
                "min" => source.min = Some(version()?),
                "max" => source.max = Some(version()?),
                "pyc" => {
                    source.pyc = match value {
                        "timestamp" => Invalidation::Timestamp,
                        "checked-hash" => Invalidation::CheckedHash,
                        "unchecked-hash" => Invalidation::UncheckedHash,
                        _ => return Err(bad(format!("unknown pyc kind `{value}`"))),
                    }
                }
                _ => return Err(bad(format!("unknown key `{key}`"))),
            }
        }
    }
    Ok(source)
}

/// Every `*.py` directly in `dir`, sorted by name, with its marker.
pub fn sources(dir: &Path) -> Result<Vec<SampleSource>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
        let path = entry.map_err(Error::io(dir))?.path();
        if path.extension().is_some_and(|e| e == "py") && path.is_file() {
            let text = fs::read_to_string(&path).map_err(Error::io(&path))?;
            out.push(parse_source(&path, &text)?);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What [`generate`] wrote for one version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleStats {
    /// `(major, minor)`.
    pub version: (u8, u8),
    /// Sources compiled.
    pub sources: usize,
    /// Files written (sources × levels).
    pub files: usize,
    /// Of which hash-based.
    pub hash_based: usize,
    /// Their total size.
    pub bytes: u64,
}

/// A directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Compiles the `sources` that apply to `interp` into `out_root/X.Y`,
/// replacing that directory only once everything compiled (a failure leaves
/// the previous sample in place). `mtime` is the source mtime recorded in
/// timestamp pycs.
pub fn generate(
    interp: &Interpreter,
    sources: &[SampleSource],
    out_root: &Path,
    mtime: u64,
) -> Result<SampleStats> {
    let version = interp.version();
    let tag = interp.tag();
    let unique = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let scratch = Scratch(std::env::temp_dir().join(format!(
        "pycopt-sample-{}-{tag}-{unique}",
        std::process::id()
    )));
    let staging = scratch.0.join("src");
    let fresh = out_root.join(format!(".{tag}.new"));
    let _ = fs::remove_dir_all(&fresh);
    fs::create_dir_all(&staging).map_err(Error::io(&staging))?;
    fs::create_dir_all(&fresh).map_err(Error::io(&fresh))?;

    let stamp = UNIX_EPOCH + Duration::from_secs(mtime);
    let mut jobs = Vec::new();
    let mut stats = SampleStats {
        version,
        ..SampleStats::default()
    };
    for src in sources.iter().filter(|s| s.applies_to(version)) {
        stats.sources += 1;
        let copy = staging.join(format!("{}.py", src.name));
        fs::copy(&src.path, &copy).map_err(Error::io(&copy))?;
        fs::File::options()
            .write(true)
            .open(&copy)
            .and_then(|f| f.set_times(fs::FileTimes::new().set_modified(stamp).set_accessed(stamp)))
            .map_err(Error::io(&copy))?;
        for &opt in levels(version) {
            jobs.push(Job {
                source: copy.clone(),
                dest: cached_path(version, &fresh.join(format!("{}.py", src.name)), opt),
                display_name: format!("{}.py", src.name),
                optimize: opt,
                invalidation: src.invalidation_for(version),
            });
        }
    }
    let results = compile(interp, &jobs);
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&fresh);
            return Err(e);
        }
    };
    for (job, result) in jobs.iter().zip(results) {
        if let JobResult::Failed(message) = result {
            let _ = fs::remove_dir_all(&fresh);
            let path = sources
                .iter()
                .find(|s| format!("{}.py", s.name) == job.display_name)
                .map(|s| s.path.clone())
                .unwrap_or_else(|| job.source.clone());
            return Err(Error::SampleCompile {
                path,
                version: tag,
                message,
            });
        }
        stats.files += 1;
        if job.invalidation != Invalidation::Timestamp {
            stats.hash_based += 1;
        }
        stats.bytes += fs::metadata(&job.dest).map(|m| m.len()).unwrap_or(0);
    }
    let info = fresh.join("GENERATED-BY");
    fs::write(
        &info,
        format!("CPython {} (pycopt-corpus sample)\n", interp.full_version),
    )
    .map_err(Error::io(&info))?;

    let dest = out_root.join(&tag);
    if dest.exists() {
        fs::remove_dir_all(&dest).map_err(Error::io(&dest))?;
    }
    fs::rename(&fresh, &dest).map_err(Error::io(&dest))?;
    Ok(stats)
}

/// The full version recorded in `dir/GENERATED-BY` (e.g. `"3.11.7"`), if any.
pub fn generated_by(dir: &Path) -> Option<String> {
    let text = fs::read_to_string(dir.join("GENERATED-BY")).ok()?;
    text.strip_prefix("CPython ")?
        .split_whitespace()
        .next()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse() {
        let p = Path::new("x/walrus.py");
        let s = parse_source(
            p,
            "# -*- coding: utf-8 -*-\n# pycopt-sample: min=3.8 pyc=unchecked-hash\nx = 1\n",
        )
        .unwrap();
        assert_eq!(s.name, "walrus");
        assert_eq!(s.min, Some((3, 8)));
        assert_eq!(s.max, None);
        assert_eq!(s.pyc, Invalidation::UncheckedHash);
        assert!(!s.applies_to((2, 7)) && !s.applies_to((3, 7)) && s.applies_to((3, 13)));
        assert_eq!(s.invalidation_for((3, 8)), Invalidation::UncheckedHash);

        let plain = parse_source(p, "x = 1\n# pycopt-sample: min=3.8\n").unwrap();
        assert_eq!(plain.min, None, "markers after code are ignored");
        assert!(plain.applies_to((2, 7)));

        let old = parse_source(p, "# pycopt-sample: max=2.7 pyc=checked-hash\n").unwrap();
        assert!(old.applies_to((2, 7)) && !old.applies_to((3, 6)));
        assert_eq!(old.invalidation_for((2, 7)), Invalidation::Timestamp);

        for bad in [
            "# pycopt-sample: min=3\n",
            "# pycopt-sample: minimum=3.8\n",
            "# pycopt-sample: pyc=hash\n",
            "# pycopt-sample: min\n",
        ] {
            assert!(parse_source(p, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn committed_sources_have_valid_markers_and_cover_every_version() {
        let all = sources(&crate::sample_src_dir()).unwrap();
        assert!(all.len() >= 5);
        for &v in crate::SUPPORTED {
            assert!(all.iter().filter(|s| s.applies_to(v)).count() >= 2, "{v:?}");
            if v >= (3, 7) {
                assert!(
                    all.iter()
                        .any(|s| s.applies_to(v)
                            && s.invalidation_for(v) == Invalidation::UncheckedHash),
                    "no unchecked-hash sample for {v:?}"
                );
            }
        }
        // Every feature-specific source declares the version it needs.
        for s in &all {
            if s.name != "basics" && s.name != "hashed" {
                assert!(s.min.is_some(), "{} has no min=", s.name);
            }
        }
    }
}
