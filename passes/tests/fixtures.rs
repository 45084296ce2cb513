//! Per-pass fixture tests: the folder `passes/tests/fixtures/` is the test list.
//!
//! # Adding a fixture
//!
//! Write `passes/tests/fixtures/<pass-name>/<case>.py`: a Python program that prints
//! what it computes, starting with comment lines that say why the case exists. Among
//! those leading comments, these directives are read (all optional):
//!
//! ```text
//! # passes: fold-branches, remove-unreachable   passes to run, in order (default: the folder name)
//! # versions: 3.8-3.10, 3.12                     interpreters to compile with (default 3.8-3.13;
//! #                                              2.7, 3.6 and 3.7 may be listed too)
//! # rounds: 2                                    pipeline rounds (default 1)
//! # assume: builtins, final-globals              --assume options
//! # strip: asserts                               --strip options
//! # trace: no                                    do not compare line events
//! ```
//!
//! Then bless it (`PYCOPT_BLESS=1 cargo test -p pycopt-passes --release --test
//! fixtures -- <pass-name>`) and review the `<case>.<X.Y>.expected` files it writes
//! beside the source; commit them with the fixture. Never edit them by hand.
//!
//! # What each test does (one per fixture and version, named `<pass>/<case>@X.Y`)
//!
//! 1. compiles the source with that version's interpreter (found by the
//!    `pycopt-corpus` search; missing = ignored locally, a failure under `CI=true`);
//! 2. runs the passes through the `PassManager` with `verify_each` (a code object any
//!    pass, code generation or the verifier fails on is a test failure);
//! 3. writes the result into `target/tmp/pycopt-passes/fixtures/…/opt/<case>.pyc`;
//! 4. compares a compact listing with the `.expected` file: per code object,
//!    `(unchanged)` or a line diff (`-`/`+`) of constants and instructions (line
//!    number, opcode, resolved argument, jump labels, 3.11+ handlers) before and after;
//! 5. runs the stock and the optimized `.pyc` (`python file.pyc`): exit status, stdout
//!    and stderr must be identical, and stdout non-empty;
//! 6. unless `# trace: no` or some pass declares `keeps_line_events: false`, runs both
//!    under `sys.settrace` and requires identical `call`/`line` event sequences.
//!
//! Filtering works as for any cargo test (`-- fold-branches`, `-- @3.12`).

mod common;

use common::{check_fixture, discover, stale_expectations};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut fixtures = Vec::new();
    for f in discover() {
        match f {
            Ok(f) => fixtures.push(f),
            Err(e) => trials.push(Trial::test(format!("header: {e}"), move || Err(e.into()))),
        }
    }
    let stale = stale_expectations(&fixtures);
    if common::bless() {
        for p in &stale {
            let _ = std::fs::remove_file(p);
        }
    } else if !stale.is_empty() {
        let list: Vec<String> = stale.iter().map(|p| p.display().to_string()).collect();
        trials.push(Trial::test("stale-expectations", move || {
            Err(format!(
                "expectations without a fixture or version (PYCOPT_BLESS=1 removes them):\n{}",
                list.join("\n")
            )
            .into())
        }));
    }
    for f in fixtures {
        for &v in &f.versions {
            let name = format!("{}@{}", f.name, pycopt_corpus::tag(v));
            let missing = pycopt_corpus::find(v.0, v.1).is_none();
            let f = f.clone();
            let trial = Trial::test(name, move || {
                let Some(interp) = pycopt_corpus::require(v.0, v.1) else {
                    return Ok(());
                };
                check_fixture(&f, interp).map_err(Failed::from)
            });
            // Locally a missing interpreter skips; under CI `require` fails the test.
            trials.push(trial.with_ignored_flag(missing && !pycopt_corpus::in_ci()));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
