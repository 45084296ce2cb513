//! The `-O` levels, written as code in one place.
//!
//! A level is a list of pass names run in order over each code object, repeated while
//! anything changes, at most [`Pipeline::rounds`] times, plus the assumptions it turns
//! on. Passes that need an assumption or a `--strip` option sit in the lists of every
//! level and do nothing unless it is on, so `-O2 --assume builtins` is `-O2` plus
//! builtin folding.

use crate::pass::{Assumption, Options};

/// An optimization level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Nothing: files are read, validated and written back unchanged.
    O0,
    /// Cheap clean-ups that no program can observe except by reading its bytecode.
    O1,
    /// The full pipeline, still unobservable except through bytecode.
    O2,
    /// `-O2` plus the assumptions a reasonable application accepts.
    O3,
    /// `-O2`, preferring smaller code where a pass has the choice.
    Os,
}

impl Level {
    /// The level's spelling after `-O`.
    pub fn name(self) -> &'static str {
        match self {
            Level::O0 => "0",
            Level::O1 => "1",
            Level::O2 => "2",
            Level::O3 => "3",
            Level::Os => "s",
        }
    }
}

/// Passes to run and how often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// Pass names, in order.
    pub passes: Vec<&'static str>,
    /// The most times the whole list runs over one code object (it stops earlier
    /// when a round changes nothing). `--converge` raises it.
    pub rounds: usize,
}

/// Upper bound for `--converge`: enough for every chain of opportunities seen on the
/// installed standard libraries, small enough that a pathological input stays cheap.
pub const CONVERGE_ROUNDS: usize = 8;

/// The pipeline of `level`.
pub fn pipeline(level: Level) -> Pipeline {
    match level {
        Level::O0 => Pipeline {
            passes: vec![],
            rounds: 0,
        },
        Level::O1 => Pipeline {
            passes: vec![
                // Stripping first: it leaves whole branches dead for the passes below.
                "strip-asserts",
                "strip-docstrings",
                "fold-branches",
                "remove-unreachable",
                "thread-jumps",
                "remove-dead-pairs",
                "remove-nops",
                "compact-tables",
                "shrink-extended-args",
            ],
            rounds: 1,
        },
        Level::O2 | Level::O3 | Level::Os => Pipeline {
            passes: vec![
                "strip-asserts",
                "strip-docstrings",
                // Loads of constants first, so that folding sees whole expressions.
                "fold-globals",
                "propagate-constants",
                "fold-constants",
                // Builtin calls of constants (only under --assume builtins).
                "fold-builtins",
                // Folded conditions leave constant branches, which leave dead blocks,
                // which leave jumps to jumps and stores no one reads.
                "fold-branches",
                "remove-unreachable",
                "thread-jumps",
                "remove-dead-stores",
                "remove-dead-pairs",
                "remove-nops",
                "compact-tables",
                "shrink-extended-args",
            ],
            rounds: 3,
        },
    }
}

/// The options `level` turns on by itself (the user's `--assume`/`--strip` add to
/// them).
pub fn level_options(level: Level) -> Options {
    let mut o = Options::default();
    if level == Level::O3 {
        o.assume.extend(Assumption::ALL);
    }
    o.prefer_size = level == Level::Os;
    o
}
