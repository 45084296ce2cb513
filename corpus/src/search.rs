//! The interpreter search (see the crate docs and README for the rules).

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::SUPPORTED;

/// A CPython interpreter found by the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// Major version, e.g. `3`.
    pub major: u8,
    /// Minor version, e.g. `11`.
    pub minor: u8,
    /// The binary to run: the interpreter's own `sys.executable` (so a pyenv
    /// shim or a wrapper found on `PATH` is resolved to the real binary, which
    /// starts faster and does not depend on pyenv's global setting), or
    /// [`found_at`](Self::found_at) if it reports none.
    pub executable: PathBuf,
    /// The full version as the interpreter reports it, e.g. `"3.11.7"`.
    pub full_version: String,
    /// The candidate path the search accepted (a `PYCOPT_PYTHONS` entry, a
    /// `pythonX.Y` on `PATH`, or a pyenv `bin/pythonX.Y`).
    pub found_at: PathBuf,
    /// Which rule of the search accepted it.
    pub found_by: Rule,
    library_dir: PathBuf,
}

/// The rule of the search that found an interpreter, in search order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// An entry of the `PYCOPT_PYTHONS` environment variable.
    PycoptPythons,
    /// `pythonX.Y` in a directory of `PATH`.
    Path,
    /// `versions/X.Y.*/bin/pythonX.Y` in the pyenv root.
    Pyenv,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::PycoptPythons => "PYCOPT_PYTHONS",
            Rule::Path => "PATH",
            Rule::Pyenv => "pyenv",
        })
    }
}

/// Variables that name one interpreter's own libraries or startup code: they
/// are removed from the environment of every interpreter we run, since a
/// `PYTHONHOME` meant for 3.11 breaks 2.7 and vice versa.
const SCRUBBED_ENV: &[&str] = &["PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONINSPECT"];

impl Interpreter {
    /// `"X.Y"`, e.g. `"3.11"`.
    pub fn tag(&self) -> String {
        crate::tag(self.version())
    }

    /// `(major, minor)`.
    pub fn version(&self) -> (u8, u8) {
        (self.major, self.minor)
    }

    /// The standard library directory (`sysconfig`'s `stdlib` path, e.g.
    /// `<prefix>/lib/python3.11`), which holds the test suite in `test/` and
    /// third-party packages in `site-packages/`.
    pub fn library_dir(&self) -> PathBuf {
        self.library_dir.clone()
    }

    /// The tag in the names of this version's cached bytecode files
    /// (`cpython-311` for 3.11), or `None` for 2.7, which writes `name.pyc`
    /// beside the source instead of into `__pycache__`.
    pub fn cache_tag(&self) -> Option<String> {
        (self.major >= 3).then(|| format!("cpython-{}{}", self.major, self.minor))
    }

    /// A [`Command`] that runs this interpreter, with the variables that would
    /// point it at another version's files (`PYTHONHOME`, `PYTHONPATH`,
    /// `PYTHONSTARTUP`, `PYTHONINSPECT`) removed from its environment.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.executable);
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs the interpreter with `args` (see [`command`](Self::command) for the
    /// environment) and collects its output; stdin is not connected.
    pub fn run<I, S>(&self, args: I) -> io::Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command().args(args).stdin(Stdio::null()).output()
    }
}

impl fmt::Display for Interpreter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CPython {} at {}",
            self.full_version,
            self.executable.display()
        )
    }
}

/// The outcome of searching for one version: the interpreter, if any, and a
/// line for every candidate considered (why it was rejected or accepted), so
/// a missing interpreter can be diagnosed.
#[derive(Debug, Clone)]
pub struct SearchReport {
    /// `(major, minor)` searched for.
    pub version: (u8, u8),
    /// The interpreter found.
    pub interpreter: Option<Interpreter>,
    /// What was tried, in order.
    pub tried: Vec<String>,
}

impl SearchReport {
    /// A multi-line explanation naming the search and every candidate tried.
    pub fn explain(&self) -> String {
        let (major, minor) = self.version;
        let mut s = match &self.interpreter {
            Some(i) => format!("Python {major}.{minor}: found {i} (rule: {})\n", i.found_by),
            None => format!(
                "Python {major}.{minor}: no interpreter found. The search (corpus/README.md) tries \
                 1. the executables listed in $PYCOPT_PYTHONS (colon-separated), \
                 2. python{major}.{minor} on $PATH if it runs and reports {major}.{minor}, \
                 3. $PYENV_ROOT (else ~/.pyenv)/versions/{major}.{minor}.*/bin/python{major}.{minor}.\n"
            ),
        };
        for line in &self.tried {
            s.push_str("  - ");
            s.push_str(line);
            s.push('\n');
        }
        s
    }
}

/// What an interpreter says about itself.
#[derive(Debug, Clone)]
struct Query {
    version: (u8, u8),
    full_version: String,
    implementation: String,
    executable: PathBuf,
    library_dir: PathBuf,
}

/// Asks an interpreter about itself. Runs under 2.7 and every 3.x; writes bytes
/// so that non-UTF-8 paths survive. `-E -s -S`: no environment, user site or
/// site module can change the answer or slow it down.
const QUERY_SCRIPT: &str = r#"
import sys, sysconfig, platform
def b(s):
    if sys.version_info[0] >= 3 and not isinstance(s, bytes):
        import os
        return os.fsencode(s)
    return s
fields = [b("pycopt-query-1"),
          b("%d.%d" % sys.version_info[:2]),
          b(sys.version.split()[0]),
          b(platform.python_implementation()),
          b(sys.executable or ""),
          b(sysconfig.get_paths()["stdlib"])]
out = getattr(sys.stdout, "buffer", sys.stdout)
out.write(b("\n").join(fields) + b("\n"))
out.flush()
"#;

/// How long an interpreter may take to answer the query before it is
/// considered broken (a cold start on a loaded two-core machine can be slow).
const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// One configuration of the search: the values of `PYCOPT_PYTHONS`, `PATH`
/// and the pyenv root that it uses. [`find`] uses [`Search::from_env`], made
/// once per process; tests and tools can build their own without touching the
/// process environment.
#[derive(Debug, Default)]
pub struct Search {
    pythons: Option<OsString>,
    path: Option<OsString>,
    pyenv_root: Option<PathBuf>,
    queries: Mutex<HashMap<PathBuf, Result<Query, String>>>,
}

impl Search {
    /// A search configured from the process environment: `PYCOPT_PYTHONS`,
    /// `PATH`, and `PYENV_ROOT` (else `$HOME/.pyenv`).
    pub fn from_env() -> Search {
        let non_empty = |v: OsString| (!v.is_empty()).then_some(v);
        let pyenv_root = std::env::var_os("PYENV_ROOT")
            .and_then(non_empty)
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .and_then(non_empty)
                    .map(|h| PathBuf::from(h).join(".pyenv"))
            });
        Search {
            pythons: std::env::var_os("PYCOPT_PYTHONS").and_then(non_empty),
            path: std::env::var_os("PATH").and_then(non_empty),
            pyenv_root,
            queries: Mutex::default(),
        }
    }

    /// A search with no sources at all (finds nothing until configured).
    pub fn empty() -> Search {
        Search::default()
    }

    /// Sets the `PYCOPT_PYTHONS` value (colon-separated executables).
    pub fn with_pythons(mut self, value: impl Into<OsString>) -> Search {
        self.pythons = Some(value.into());
        self
    }

    /// Sets the `PATH` value searched by rule 2.
    pub fn with_path(mut self, value: impl Into<OsString>) -> Search {
        self.path = Some(value.into());
        self
    }

    /// Sets the pyenv root searched by rule 3.
    pub fn with_pyenv_root(mut self, root: impl Into<PathBuf>) -> Search {
        self.pyenv_root = Some(root.into());
        self
    }

    /// Runs the search for `major.minor` (uncached, except that each candidate
    /// executable is run at most once per `Search`).
    pub fn search(&self, major: u8, minor: u8) -> SearchReport {
        let want = (major, minor);
        let mut tried = Vec::new();
        let mut found = None;

        // Rule 1: PYCOPT_PYTHONS.
        match &self.pythons {
            None => tried.push("PYCOPT_PYTHONS: not set".to_string()),
            Some(list) => {
                for exe in std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty()) {
                    if let Some(i) = self.try_candidate(&exe, want, Rule::PycoptPythons, &mut tried)
                    {
                        found = Some(i);
                        break;
                    }
                }
            }
        }

        // Rule 2: pythonX.Y on PATH, if it actually runs.
        if found.is_none() {
            let name = format!("python{major}.{minor}");
            let mut any = false;
            for dir in self.path.iter().flat_map(std::env::split_paths) {
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                let exe = dir.join(&name);
                if !exe.is_file() {
                    continue;
                }
                any = true;
                if let Some(i) = self.try_candidate(&exe, want, Rule::Path, &mut tried) {
                    found = Some(i);
                    break;
                }
            }
            if !any {
                tried.push(format!("PATH: no {name}"));
            }
        }

        // Rule 3: the pyenv root, highest patch release first.
        if found.is_none() {
            match &self.pyenv_root {
                None => tried.push("pyenv: neither PYENV_ROOT nor HOME is set".to_string()),
                Some(root) => {
                    let versions = root.join("versions");
                    let candidates = pyenv_candidates(&versions, want);
                    if candidates.is_empty() {
                        tried.push(format!(
                            "pyenv: no {major}.{minor}.* in {}",
                            versions.display()
                        ));
                    }
                    for exe in candidates {
                        if let Some(i) = self.try_candidate(&exe, want, Rule::Pyenv, &mut tried) {
                            found = Some(i);
                            break;
                        }
                    }
                }
            }
        }

        SearchReport {
            version: want,
            interpreter: found,
            tried,
        }
    }

    fn try_candidate(
        &self,
        exe: &Path,
        want: (u8, u8),
        rule: Rule,
        tried: &mut Vec<String>,
    ) -> Option<Interpreter> {
        let answer = self.query(exe);
        let shown = exe.display();
        match answer {
            Err(why) => {
                tried.push(format!("{rule}: {shown}: {why}"));
                None
            }
            Ok(q) if q.implementation != "CPython" => {
                tried.push(format!(
                    "{rule}: {shown}: is {} {}, not CPython",
                    q.implementation, q.full_version
                ));
                None
            }
            Ok(q) if q.version != want => {
                tried.push(format!(
                    "{rule}: {shown}: reports {}, not {}",
                    q.full_version,
                    crate::tag(want)
                ));
                None
            }
            Ok(q) => {
                let executable = if q.executable.is_absolute() && q.executable.is_file() {
                    q.executable
                } else {
                    exe.to_path_buf()
                };
                tried.push(format!(
                    "{rule}: {shown}: CPython {}, accepted",
                    q.full_version
                ));
                Some(Interpreter {
                    major: want.0,
                    minor: want.1,
                    executable,
                    full_version: q.full_version,
                    found_at: exe.to_path_buf(),
                    found_by: rule,
                    library_dir: q.library_dir,
                })
            }
        }
    }

    fn query(&self, exe: &Path) -> Result<Query, String> {
        if let Some(known) = self.lock().get(exe) {
            return known.clone();
        }
        let answer = run_query(exe);
        self.lock().insert(exe.to_path_buf(), answer.clone());
        answer
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Result<Query, String>>> {
        // A poisoned cache only means another thread panicked mid-insert of a
        // complete value; the map is still consistent.
        self.queries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `versions/X.Y.N*/bin/pythonX.Y` under a pyenv `versions` directory, highest
/// patch first; among equal patches a plain `X.Y.N` comes before suffixed
/// builds such as `X.Y.Nt` or `X.Y.N-debug`.
fn pyenv_candidates(versions: &Path, want: (u8, u8)) -> Vec<PathBuf> {
    let prefix = format!("{}.{}.", want.0, want.1);
    let Ok(entries) = std::fs::read_dir(versions) else {
        return Vec::new();
    };
    let mut ranked: Vec<(u32, bool, String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let rest = name.strip_prefix(&prefix)?;
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let patch: u32 = digits.parse().ok()?;
            let plain = digits.len() == rest.len();
            let exe = e
                .path()
                .join("bin")
                .join(format!("python{}.{}", want.0, want.1));
            Some((patch, plain, name, exe))
        })
        .collect();
    ranked.sort_by(|a, b| (b.0, b.1, &b.2).cmp(&(a.0, a.1, &a.2)));
    ranked
        .into_iter()
        .map(|(_, _, _, exe)| exe)
        .filter(|exe| exe.is_file())
        .collect()
}

fn run_query(exe: &Path) -> Result<Query, String> {
    let mut cmd = Command::new(exe);
    cmd.args(["-E", "-s", "-S", "-c", QUERY_SCRIPT]);
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    let out = output_with_timeout(cmd, QUERY_TIMEOUT).map_err(|e| format!("cannot run: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!("fails when run ({}): {}", out.status, first.trim()));
    }
    parse_query(&out.stdout).ok_or_else(|| {
        format!(
            "unexpected answer to the version query: {:?}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn parse_query(stdout: &[u8]) -> Option<Query> {
    let mut lines = stdout.split(|&b| b == b'\n');
    if lines.next()? != b"pycopt-query-1" {
        return None;
    }
    let mut text = || String::from_utf8(lines.next()?.to_vec()).ok();
    let version = crate::parse_tag(&text()?)?;
    let full_version = text()?;
    let implementation = text()?;
    let executable = bytes_to_path(lines.next()?);
    let library_dir = bytes_to_path(lines.next()?);
    Some(Query {
        version,
        full_version,
        implementation,
        executable,
        library_dir,
    })
}

#[cfg(unix)]
pub(crate) fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(OsStr::from_bytes(b))
}

#[cfg(not(unix))]
pub(crate) fn bytes_to_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// Like [`Command::output`], but kills the child after `timeout`.
fn output_with_timeout(mut cmd: Command, timeout: Duration) -> io::Result<Output> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer within {}s", timeout.as_secs()),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let join = |h: std::thread::JoinHandle<Vec<u8>>| {
        h.join()
            .map_err(|_| io::Error::other("output reader thread panicked"))
    };
    Ok(Output {
        status,
        stdout: join(out)?,
        stderr: join(err)?,
    })
}

// ---------------------------------------------------------------------------
// The process-wide, cached search.

type Slot = OnceLock<SearchReport>;

fn global_search() -> &'static Search {
    static SEARCH: OnceLock<Search> = OnceLock::new();
    SEARCH.get_or_init(Search::from_env)
}

/// The cache slot of one version; slots are created once and leaked, so the
/// search for different versions can run in parallel while each version is
/// searched only once.
fn slot(version: (u8, u8)) -> &'static Slot {
    static SLOTS: OnceLock<Mutex<HashMap<(u8, u8), &'static Slot>>> = OnceLock::new();
    let mut map = SLOTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(version)
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())))
}

/// The (cached) report of the process-wide search for `major.minor`: the
/// interpreter if found, and every candidate that was considered.
pub fn search_report(major: u8, minor: u8) -> &'static SearchReport {
    slot((major, minor)).get_or_init(|| global_search().search(major, minor))
}

/// The interpreter for `major.minor`, found by the documented search (see
/// the crate docs) configured from the process environment. Cached: the
/// search runs at most once per version and process.
pub fn find(major: u8, minor: u8) -> Option<&'static Interpreter> {
    search_report(major, minor).interpreter.as_ref()
}

/// Every [`SUPPORTED`] version's interpreter that is installed, oldest first.
/// The versions are searched in parallel.
pub fn find_all() -> Vec<&'static Interpreter> {
    std::thread::scope(|s| {
        let handles: Vec<_> = SUPPORTED
            .iter()
            .map(|&(major, minor)| s.spawn(move || find(major, minor)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .collect()
    })
}

/// For tests: the interpreter for `major.minor`, or `None` after printing a
/// notice to stderr so the test can skip itself.
///
/// # Panics
///
/// When [`in_ci`](crate::in_ci) (`CI=true`) and the interpreter is missing:
/// CI machines have every supported version, so a missing one means a broken
/// machine, and silently skipping would let tests pass without testing. The
/// message names the search and everything it tried.
pub fn require(major: u8, minor: u8) -> Option<&'static Interpreter> {
    let report = search_report(major, minor);
    if report.interpreter.is_none() {
        let explanation = report.explain();
        if crate::in_ci() {
            panic!("CI=true but a required interpreter is missing.\n{explanation}");
        }
        eprintln!("note: skipping what needs Python {major}.{minor}: {explanation}");
    }
    report.interpreter.as_ref()
}

/// For corpus-wide tests: the interpreters of every [`SUPPORTED`] version, oldest
/// first — 3.8–3.13 through [`require`] (so CI fails without them), 2.7, 3.6 and
/// 3.7 where installed.
pub fn require_tested() -> Vec<&'static Interpreter> {
    SUPPORTED
        .iter()
        .filter_map(|&(major, minor)| {
            if (major, minor) >= (3, 8) {
                require(major, minor)
            } else {
                find(major, minor)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Some installed interpreter, found through the process-wide search.
    fn any_interpreter() -> Option<&'static Interpreter> {
        let all = find_all();
        if all.is_empty() {
            // Goes through `require` so CI fails loudly rather than skipping.
            return require(3, 11);
        }
        all.into_iter().last()
    }

    #[cfg(unix)]
    fn write_script(path: &Path, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        fs::write(path, body).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn parse_query_reads_the_fields() {
        let q = parse_query(
            b"pycopt-query-1\n3.11\n3.11.7\nCPython\n/x/bin/python3.11\n/x/lib/python3.11\n",
        )
        .unwrap();
        assert_eq!(q.version, (3, 11));
        assert_eq!(q.full_version, "3.11.7");
        assert_eq!(q.implementation, "CPython");
        assert_eq!(q.executable, PathBuf::from("/x/bin/python3.11"));
        assert_eq!(q.library_dir, PathBuf::from("/x/lib/python3.11"));
        assert!(parse_query(b"Python 3.11.7\n").is_none());
        assert!(parse_query(b"pycopt-query-1\n3\n").is_none());
    }

    #[test]
    fn pyenv_candidates_prefer_highest_plain_patch() {
        let tmp = tempfile::tempdir().unwrap();
        let v = tmp.path();
        for name in [
            "3.8.9", "3.8.18", "3.8.18t", "3.8.2", "3.80.1", "3.9.1", "3.8.x", "3.8.10",
        ] {
            let bin = v.join(name).join("bin");
            fs::create_dir_all(&bin).unwrap();
            if name != "3.8.10" {
                fs::write(bin.join("python3.8"), "").unwrap();
            }
        }
        let got: Vec<String> = pyenv_candidates(v, (3, 8))
            .iter()
            .map(|p| {
                p.strip_prefix(v)
                    .unwrap()
                    .components()
                    .next()
                    .unwrap()
                    .as_os_str()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        // 3.8.10 has no binary; 3.80.1, 3.9.1 and 3.8.x are other versions.
        assert_eq!(got, ["3.8.18", "3.8.18t", "3.8.9", "3.8.2"]);
        assert!(pyenv_candidates(&v.join("nope"), (3, 8)).is_empty());
    }

    #[test]
    fn empty_search_finds_nothing_and_says_why() {
        let r = Search::empty().search(3, 11);
        assert!(r.interpreter.is_none());
        let text = r.explain();
        assert!(text.contains("PYCOPT_PYTHONS"), "{text}");
        assert!(text.contains("python3.11"), "{text}");
        assert!(text.contains("pyenv"), "{text}");
    }

    /// The real interpreter, reached only through `PYCOPT_PYTHONS` (the PATH
    /// and pyenv root of this search are empty), is found and recorded as
    /// found by that rule; entries that do not run, or are another version,
    /// are skipped with a reason.
    #[cfg(unix)]
    #[test]
    fn pycopt_pythons_is_honoured_and_first() {
        let Some(real) = any_interpreter() else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        let link = tmp.path().join("my-python");
        std::os::unix::fs::symlink(&real.executable, &link).unwrap();
        let broken = tmp.path().join("broken-python");
        write_script(&broken, "#!/bin/sh\necho nope >&2\nexit 3\n");
        let missing = tmp.path().join("not-there");
        let list = std::env::join_paths([&missing, &broken, &link]).unwrap();

        // Also put a decoy on PATH that would answer if rule 1 were skipped.
        let path_dir = tmp.path().join("bin");
        fs::create_dir(&path_dir).unwrap();
        std::os::unix::fs::symlink(
            &real.executable,
            path_dir.join(format!("python{}", real.tag())),
        )
        .unwrap();

        let search = Search::empty()
            .with_pythons(list)
            .with_path(path_dir.as_os_str());
        let r = search.search(real.major, real.minor);
        let found = r
            .interpreter
            .as_ref()
            .expect("found through PYCOPT_PYTHONS");
        assert_eq!(found.found_by, Rule::PycoptPythons);
        assert_eq!(found.found_at, link);
        // A symlink keeps its own name as sys.executable.
        assert_eq!(found.executable, link);
        assert_eq!(found.full_version, real.full_version);
        assert_eq!(found.library_dir(), real.library_dir());
        let text = r.explain();
        assert!(text.contains("broken-python: fails when run"), "{text}");
        assert!(text.contains("not-there: cannot run"), "{text}");

        // Another version is not satisfied by this entry and falls through
        // to the other rules (here: nothing).
        let other = if real.version() == (2, 7) {
            (3, 13)
        } else {
            (2, 7)
        };
        let r = search.search(other.0, other.1);
        assert!(r.interpreter.is_none());
        assert!(r.explain().contains("not "), "{}", r.explain());
    }

    /// A `pythonX.Y` on PATH that exists but fails (like a pyenv shim for a
    /// non-global version) is passed over for the next PATH entry, then for
    /// pyenv; a wrapper script resolves to the real binary.
    #[cfg(unix)]
    #[test]
    fn path_rule_skips_interpreters_that_do_not_run() {
        let Some(real) = any_interpreter() else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        let name = format!("python{}", real.tag());
        let shims = tmp.path().join("shims");
        let good = tmp.path().join("good");
        fs::create_dir(&shims).unwrap();
        fs::create_dir(&good).unwrap();
        write_script(
            &shims.join(&name),
            &format!("#!/bin/sh\necho \"pyenv: {name}: command not found\" >&2\nexit 127\n"),
        );
        write_script(
            &good.join(&name),
            &format!("#!/bin/sh\nexec '{}' \"$@\"\n", real.executable.display()),
        );
        let path = std::env::join_paths([&shims, &good]).unwrap();
        let r = Search::empty()
            .with_path(path)
            .search(real.major, real.minor);
        let found = r.interpreter.as_ref().expect("found on PATH");
        assert_eq!(found.found_by, Rule::Path);
        assert_eq!(found.found_at, good.join(&name));
        assert_eq!(found.executable, real.executable);
        assert!(r.explain().contains("exit status: 127"), "{}", r.explain());

        // With only the failing shim on PATH, a pyenv root is used.
        let root = tmp.path().join("pyenv");
        let bin = root
            .join("versions")
            .join(format!("{}.999", real.tag()))
            .join("bin");
        fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(&real.executable, bin.join(&name)).unwrap();
        let r = Search::empty()
            .with_path(shims.as_os_str())
            .with_pyenv_root(&root)
            .search(real.major, real.minor);
        let found = r.interpreter.as_ref().expect("found in pyenv root");
        assert_eq!(found.found_by, Rule::Pyenv);
        assert_eq!(found.found_at, bin.join(&name));
    }

    #[test]
    fn found_interpreters_describe_themselves() {
        for i in find_all() {
            assert_eq!(i.tag(), format!("{}.{}", i.major, i.minor));
            assert!(i.full_version.starts_with(&format!("{}.", i.tag())), "{i}");
            assert!(SUPPORTED.contains(&i.version()));
            let lib = i.library_dir();
            assert!(lib.join("os.py").is_file(), "{}", lib.display());
            let out = i
                .run(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
                .unwrap();
            assert!(out.status.success());
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), i.tag());
            // Cached: the same object every time.
            assert!(std::ptr::eq(find(i.major, i.minor).unwrap(), i));
        }
    }

    #[test]
    fn ci_requires_every_supported_interpreter() {
        // Under CI=true a missing one panics inside `require`.
        for &(major, minor) in SUPPORTED {
            let _ = require(major, minor);
        }
    }
}
