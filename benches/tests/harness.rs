//! The comparison harness end to end on one small program: `stock` against
//! `pycopt-O0` (which must change nothing), static figures and executed
//! instructions. 3.11 counts with `sys.settrace`, 3.13 with `sys.monitoring`.
//! No timing here: timing belongs to benchmark runs, never to tests.
//!
//! Interpreters come from the project's search (`pycopt_corpus::require`): under
//! `CI=true` a missing one fails the test.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pycopt_benches::execute::{self, Mode, Run};
use pycopt_benches::harness::{run, Settings};
use pycopt_benches::program::discover;
use pycopt_benches::variant::Variant;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `target/release/pycopt` beside this test's own build; built when missing
/// (`cargo test --workspace --release` builds it anyway).
fn pycopt() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("pycopt");
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = std::process::Command::new(cargo)
            .args(["build", "--release", "-q", "-p", "pycopt"])
            .current_dir(root())
            .status()
            .unwrap()
            .success();
        assert!(ok, "cargo build --release -p pycopt failed");
    }
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

fn stock_equals_o0(major: u8, minor: u8, mechanism: &str) {
    let Some(interp) = pycopt_corpus::require(major, minor) else {
        return;
    };
    let mut programs = discover(&root().join("benches/programs/control_flow.py")).unwrap();
    programs[0].count_args = vec!["--n".into(), "400".into()];
    let work =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-harness-{}", interp.tag()));
    let settings = Settings {
        interpreters: vec![interp],
        programs,
        variants: vec![
            Variant::parse("stock").unwrap(),
            Variant::parse("pycopt-O0").unwrap(),
        ],
        skip_unavailable: false,
        work_dir: work.clone(),
        pycopt: pycopt(),
        scripts_dir: root().join("benches/scripts"),
        count: true,
        count_all: true,
        timing: None,
        timer: pycopt_benches::timing::Timer::Interleaved,
        pyperf_path: None,
        timeout: Duration::from_secs(300),
        verbose: false,
        checkpoint: None,
    };
    let report = run(&settings).unwrap();
    assert_eq!(report.results.len(), 1);
    let r = &report.results[0];
    assert!(
        !r.failed(),
        "errors: {:?} {:?}",
        r.errors,
        r.variants.iter().map(|v| &v.error).collect::<Vec<_>>()
    );
    let (stock, o0) = (r.variant("stock").unwrap(), r.variant("pycopt-O0").unwrap());

    // Static figures: present, sensible and equal.
    let f = stock.figures.as_ref().unwrap();
    assert_eq!(f.files, 1);
    assert!(f.code_objects >= 5 && f.instructions > 100 && f.code_bytes >= 2 * f.instructions);
    assert_eq!(f.opcodes.values().sum::<u64>(), f.instructions);
    assert_eq!(stock.figures, o0.figures);
    assert_eq!(stock.files, o0.files);

    // Executed instructions: counted by the version's mechanism, and equal.
    let x = stock.executed.as_ref().unwrap();
    assert_eq!(x.mechanism, mechanism);
    assert!(x.program > 10_000, "program instructions: {}", x.program);
    assert_eq!(x.by_opcode.values().sum::<u64>(), x.program);
    assert_eq!(x.all, x.program + x.other);
    assert_eq!(stock.executed, o0.executed);
    assert!(stock.files_verified >= 1 && o0.files_verified >= 1);

    // Counting is deterministic: a second run of the same files counts the same.
    let dir = work.join(interp.tag()).join("control_flow").join("stock");
    let again = |out: &str| {
        execute::run(&Run {
            interp,
            driver: &root().join("benches/scripts/bench_driver.py"),
            dir: &dir,
            main: "control_flow",
            python_flags: &[],
            args: &["--n".to_string(), "400".to_string()],
            mode: Mode::Count { all: true },
            out: work.join(out),
            timeout: Duration::from_secs(300),
            python_path: None,
        })
        .unwrap()
    };
    let res = again("again.json");
    assert_eq!(res.counting.as_ref(), Some(x));
    execute::verify_loaded(&res, &dir).unwrap();

    // Counting only the program's code objects counts the same program figure.
    let only = execute::run(&Run {
        interp,
        driver: &root().join("benches/scripts/bench_driver.py"),
        dir: &dir,
        main: "control_flow",
        python_flags: &[],
        args: &["--n".to_string(), "400".to_string()],
        mode: Mode::Count { all: false },
        out: work.join("program-only.json"),
        timeout: Duration::from_secs(300),
        python_path: None,
    })
    .unwrap();
    let only = only.counting.unwrap();
    assert_eq!(
        (only.program, only.other, &only.by_opcode),
        (x.program, 0, &x.by_opcode)
    );

    // The check that the executed bytes are the variant's file catches a change.
    let pyc = dir.join("control_flow.pyc");
    let mut data = std::fs::read(&pyc).unwrap();
    data.push(0);
    std::fs::write(&pyc, &data).unwrap();
    let err = execute::verify_loaded(&res, &dir).unwrap_err().to_string();
    assert!(err.contains("not the variant's file"), "{err}");
}

#[test]
fn stock_and_pycopt_o0_agree_on_3_11_settrace() {
    stock_equals_o0(3, 11, "sys.settrace f_trace_opcodes");
}

#[test]
fn stock_and_pycopt_o0_agree_on_3_13_monitoring() {
    stock_equals_o0(3, 13, "sys.monitoring INSTRUCTION");
}
