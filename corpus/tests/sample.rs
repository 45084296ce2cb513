//! The committed sample against real interpreters: every pyc runs and prints
//! what its source prints, carries its interpreter's magic number and the
//! header kind its source asks for, and is exactly what `pycopt-corpus sample`
//! would generate today.

use std::fs;
use std::path::{Path, PathBuf};

use pycopt_corpus::compile::{cached_path, Invalidation};
use pycopt_corpus::sample::{self, SampleSource};
use pycopt_corpus::{require, sample_dir, sample_src_dir, Interpreter, SUPPORTED};

fn sources() -> Vec<SampleSource> {
    sample::sources(&sample_src_dir()).expect("sample sources parse")
}

/// The interpreters to test with, found in parallel; `require` skips missing
/// ones (or panics under CI).
fn interpreters() -> Vec<&'static Interpreter> {
    std::thread::scope(|s| {
        let handles: Vec<_> = SUPPORTED
            .iter()
            .map(|&(a, b)| s.spawn(move || require(a, b)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect()
    })
}

/// Runs `interp` on `file` with `flags`, in the sample source directory,
/// without writing bytecode, and returns stdout.
fn run(interp: &Interpreter, flags: &[&str], file: &Path) -> String {
    let out = interp
        .command()
        .arg("-B")
        .args(flags)
        .arg(file)
        .current_dir(sample_src_dir())
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{interp} {flags:?} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pyc_for(version: (u8, u8), src: &SampleSource, opt: u8) -> PathBuf {
    cached_path(
        version,
        &sample_dir()
            .join(pycopt_corpus::tag(version))
            .join(format!("{}.py", src.name)),
        opt,
    )
}

fn magic(interp: &Interpreter) -> Vec<u8> {
    let code = "import sys\n\
                try:\n    from importlib.util import MAGIC_NUMBER as m\n\
                except ImportError:\n    import imp; m = imp.get_magic()\n\
                sys.stdout.write(''.join('%02x' % c for c in bytearray(m)))";
    let out = interp.run(["-c", code]).unwrap();
    assert!(out.status.success(), "{interp}");
    let hex = String::from_utf8(out.stdout).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn every_sample_pyc_runs_like_its_source() {
    let sources = sources();
    let interps = interpreters();
    std::thread::scope(|s| {
        for interp in interps {
            let sources = &sources;
            s.spawn(move || {
                let version = interp.version();
                let magic = magic(interp);
                for src in sources.iter().filter(|s| s.applies_to(version)) {
                    for &opt in sample::levels(version) {
                        let pyc = pyc_for(version, src, opt);
                        let bytes =
                            fs::read(&pyc).unwrap_or_else(|e| panic!("{}: {e}", pyc.display()));
                        assert_eq!(bytes[..4], magic[..], "{}: magic", pyc.display());
                        if version >= (3, 7) {
                            let flags = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
                            assert_eq!(
                                flags,
                                src.invalidation_for(version).flags(),
                                "{}",
                                pyc.display()
                            );
                        }
                        if src.invalidation_for(version) == Invalidation::Timestamp {
                            let at = if version >= (3, 7) { 8 } else { 4 };
                            let mtime = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
                            assert_eq!(
                                u64::from(mtime),
                                sample::DEFAULT_MTIME,
                                "{}",
                                pyc.display()
                            );
                        }
                        let flags: &[&str] = match opt {
                            0 => &[],
                            1 => &["-O"],
                            _ => &["-OO"],
                        };
                        let expected = run(interp, flags, &src.path);
                        assert!(!expected.is_empty(), "{} prints nothing", src.name);
                        // Same flags for the pyc: on 2.7 `__debug__` is a
                        // builtin read at run time, not a compile-time constant.
                        let got = run(interp, flags, &pyc);
                        assert_eq!(got, expected, "{interp}: {}", pyc.display());
                    }
                }
            });
        }
    });
}

/// The optimization levels of `basics` really differ, and say so.
#[test]
fn basics_reports_its_optimization_level() {
    let Some(interp) = interpreters().into_iter().next_back() else {
        return;
    };
    let src = sources().into_iter().find(|s| s.name == "basics").unwrap();
    let last = |opt| {
        let out = run(interp, &[], &pyc_for(interp.version(), &src, opt));
        out.lines().last().unwrap().to_string()
    };
    let (l0, l1, l2) = (last(0), last(1), last(2));
    assert!(l0.contains("True 'raised' 'Runs"), "{l0}");
    assert!(l1.contains("False 'removed' 'Runs"), "{l1}");
    assert!(l2.contains("False 'removed' None"), "{l2}");
}

/// Regenerating with the interpreter that made the committed sample gives
/// the same bytes: the sample is reproducible and not stale w.r.t. its
/// sources. (Skipped per version when the installed patch release differs.)
#[test]
fn committed_sample_is_reproducible_and_current() {
    let sources = sources();
    let tmp = tempfile::tempdir().unwrap();
    for interp in interpreters() {
        let committed = sample_dir().join(interp.tag());
        match sample::generated_by(&committed) {
            Some(v) if v == interp.full_version => {}
            other => {
                eprintln!(
                    "note: corpus/sample/{} was made by {other:?}, this is {}; not compared",
                    interp.tag(),
                    interp.full_version
                );
                continue;
            }
        }
        sample::generate(interp, &sources, tmp.path(), sample::DEFAULT_MTIME).unwrap();
        let fresh = tmp.path().join(interp.tag());
        let rel = |root: &Path| -> Vec<PathBuf> {
            let mut files = Vec::new();
            collect(root, root, &mut files);
            files.sort();
            files
        };
        let (want, got) = (rel(&committed), rel(&fresh));
        assert_eq!(
            want,
            got,
            "corpus/sample/{} lists different files: run `cargo run -p pycopt-corpus -- sample`",
            interp.tag()
        );
        for f in &want {
            assert!(
                fs::read(committed.join(f)).unwrap() == fs::read(fresh.join(f)).unwrap(),
                "corpus/sample/{}/{} is stale: run `cargo run -p pycopt-corpus -- sample`",
                interp.tag(),
                f.display()
            );
        }
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}
