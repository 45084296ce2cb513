//! Variants: what is compared with stock CPython's `.pyc`.
//!
//! A variant is a name, the files it starts from (what CPython itself writes at
//! optimization level 0, 1 or 2) and, optionally, the arguments of a
//! `pycopt opt` run over those files. Built-in names:
//!
//! | name | files | run with |
//! |---|---|---|
//! | `stock` | `py_compile` level 0 | `python` |
//! | `cpython-O` | level 1 (`opt-1`: no asserts) | `python -O` |
//! | `cpython-OO` | level 2 (`opt-2`: no docstrings either) | `python -OO` |
//! | `pycopt-O0` … `pycopt-O3`, `pycopt-Os` | stock, then `pycopt opt -O<L>` | `python` |
//! | `pycopt-O0-rebuild` | stock, then `pycopt opt -O0 --rebuild` | `python` |
//! | `pycopt-passes:a,b` | stock, then `pycopt opt --passes a,b` | `python` |
//! | `NAME=[BASE:]ARGS` | BASE (`stock`, `cpython-O`, `cpython-OO`), then `pycopt opt ARGS` | as BASE |
//!
//! ```
//! use pycopt_benches::variant::{Base, Variant};
//! let v = Variant::parse("pycopt-O2").unwrap();
//! assert_eq!((v.base, v.pycopt_args.as_slice()), (Base::Stock, &["-O2".to_string()][..]));
//! let v = Variant::parse("mine=cpython-O:-O3 --assume builtins").unwrap();
//! assert_eq!(v.base, Base::Opt1);
//! assert_eq!(v.pycopt_args, ["-O3", "--assume", "builtins"]);
//! ```

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// The CPython output a variant starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Base {
    /// `py_compile` at optimization level 0; run plainly.
    Stock,
    /// Level 1 (`-O`); run with `-O` so the rest of the program (the stdlib) agrees.
    Opt1,
    /// Level 2 (`-OO`); run with `-OO`.
    Opt2,
}

impl Base {
    /// The `optimize` argument of `py_compile.compile`.
    pub fn level(self) -> u8 {
        match self {
            Base::Stock => 0,
            Base::Opt1 => 1,
            Base::Opt2 => 2,
        }
    }

    /// The interpreter flags its programs run with.
    pub fn python_flags(self) -> &'static [&'static str] {
        match self {
            Base::Stock => &[],
            Base::Opt1 => &["-O"],
            Base::Opt2 => &["-OO"],
        }
    }

    /// The built-in variant name of the base alone.
    pub fn name(self) -> &'static str {
        match self {
            Base::Stock => "stock",
            Base::Opt1 => "cpython-O",
            Base::Opt2 => "cpython-OO",
        }
    }

    fn parse(s: &str) -> Option<Base> {
        match s {
            "stock" => Some(Base::Stock),
            "cpython-O" => Some(Base::Opt1),
            "cpython-OO" => Some(Base::Opt2),
            _ => None,
        }
    }
}

/// One variant of the compared files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Its name in reports.
    pub name: String,
    /// The CPython files it starts from.
    pub base: Base,
    /// Arguments of `pycopt opt` (after `opt`), empty for CPython's files alone.
    pub pycopt_args: Vec<String>,
}

/// The variants compared by default: every level pycopt offers. Levels this
/// `pycopt` does not accept yet are left out (see [`available`]).
pub const DEFAULT_VARIANTS: &[&str] = &[
    "stock",
    "cpython-O",
    "cpython-OO",
    "pycopt-O0",
    "pycopt-O1",
    "pycopt-O2",
    "pycopt-O3",
    "pycopt-Os",
];

impl Variant {
    /// Parses a variant name or `NAME=[BASE:]ARGS` (see the module docs).
    pub fn parse(spec: &str) -> Result<Variant> {
        let spec = spec.trim();
        let v = |base, args: &[&str]| Variant {
            name: spec.to_string(),
            base,
            pycopt_args: args.iter().map(|s| s.to_string()).collect(),
        };
        if let Some(base) = Base::parse(spec) {
            return Ok(v(base, &[]));
        }
        if let Some(passes) = spec.strip_prefix("pycopt-passes:") {
            if passes.is_empty() {
                bail!("variant {spec:?}: no passes named");
            }
            return Ok(v(Base::Stock, &["--passes", passes]));
        }
        if spec == "pycopt-O0-rebuild" {
            return Ok(v(Base::Stock, &["-O0", "--rebuild"]));
        }
        if let Some(level) = spec.strip_prefix("pycopt-O") {
            if matches!(level, "0" | "1" | "2" | "3" | "s") {
                return Ok(v(Base::Stock, &[&format!("-O{level}")]));
            }
        }
        if let Some((name, rest)) = spec.split_once('=') {
            let name = name.trim();
            if name.is_empty() || name.contains(['/', ' ']) {
                bail!("variant {spec:?}: the name before '=' must be a plain word");
            }
            let (base, args) = match rest.split_once(':') {
                Some((b, args)) if Base::parse(b.trim()).is_some() => {
                    (Base::parse(b.trim()).expect("checked"), args)
                }
                _ => (Base::Stock, rest),
            };
            let args: Vec<String> = args.split_whitespace().map(str::to_string).collect();
            if args.is_empty() {
                bail!("variant {spec:?}: no pycopt arguments after '='");
            }
            return Ok(Variant {
                name: name.to_string(),
                base,
                pycopt_args: args,
            });
        }
        bail!(
            "unknown variant {spec:?}: use stock, cpython-O, cpython-OO, pycopt-O0..O3, pycopt-Os, \
             pycopt-O0-rebuild, pycopt-passes:a,b or NAME=[BASE:]PYCOPT-ARGS"
        )
    }

    /// The interpreter flags the variant's programs run with.
    pub fn python_flags(&self) -> &'static [&'static str] {
        self.base.python_flags()
    }

    /// Whether pycopt promises this variant's files equal its base's: `-O0`,
    /// with or without `--rebuild`. The harness then checks that static figures
    /// and executed instructions are equal, a self-check of the whole pipeline.
    pub fn expect_identical(&self) -> bool {
        let a: Vec<&str> = self.pycopt_args.iter().map(String::as_str).collect();
        matches!(a.as_slice(), ["-O0"] | ["-O0", "--rebuild"])
    }
}

/// Whether `pycopt` accepts the variant's arguments today: runs
/// `pycopt opt ARGS --dry-run -q PROBE` on a `.pyc` of the right version. `Err`
/// holds pycopt's message (e.g. a level not implemented yet).
pub fn available(pycopt: &Path, variant: &Variant, probe: &Path) -> Result<(), String> {
    if variant.pycopt_args.is_empty() {
        return Ok(());
    }
    let out = Command::new(pycopt)
        .arg("opt")
        .args(&variant.pycopt_args)
        .args(["--dry-run", "-q"])
        .arg(probe)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", pycopt.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.lines().next().unwrap_or("failed").trim().to_string())
    }
}
