//! Run time, variants interleaved: A B C, C B A, A B C, … so drift of the
//! machine (frequency, other load) falls on every variant alike.
//!
//! Each measurement is one process running the program's benchmark functions
//! (after untimed warm-up calls inside the process) for a number of loops
//! calibrated once so a call lasts at least `min_time`, `values` times, keeping
//! the best call. Warm-up rounds of whole
//! processes come first and are discarded. After `min_rounds` rounds the
//! speed-up of each variant over the baseline is computed per round
//! (baseline time / variant time, both from the same round) and summarized by
//! its median and a distribution-free 95% confidence interval; rounds go on
//! until every interval is within `target_ci` of its median, or `max_rounds`,
//! or the time budget. A result whose interval is wider than `trust_ci` is
//! marked [`Verdict::Noisy`]: the spread is too wide to trust.

use std::time::Instant;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::stats::Summary;

fn one() -> u32 {
    1
}

/// How timing runs are repeated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimingSettings {
    /// Rounds of whole processes run first and discarded.
    pub warmup_rounds: u32,
    /// Untimed calls of each benchmark function inside each process.
    pub inner_warmups: u32,
    /// Timed calls of each benchmark function inside each process; the best
    /// is the process's measurement (other load only ever adds time).
    #[serde(default = "one")]
    pub values: u32,
    /// Rounds always run.
    pub min_rounds: u32,
    /// Rounds at most.
    pub max_rounds: u32,
    /// Seconds a timed call should last at least (sets the loops).
    pub min_time: f64,
    /// Stop once every speed-up's 95% interval is within this fraction.
    pub target_ci: f64,
    /// Above this fraction a speed-up is reported as too noisy to trust.
    pub trust_ci: f64,
    /// Seconds of timing per program and interpreter at most (checked after
    /// `min_rounds`).
    pub budget: f64,
    /// Time the process's CPU time instead of wall time (not with pyperf).
    #[serde(default)]
    pub cpu_clock: bool,
}

impl Default for TimingSettings {
    fn default() -> TimingSettings {
        TimingSettings {
            warmup_rounds: 1,
            inner_warmups: 1,
            values: 3,
            min_rounds: 7,
            max_rounds: 31,
            min_time: 0.1,
            target_ci: 0.01,
            trust_ci: 0.03,
            budget: 120.0,
            cpu_clock: false,
        }
    }
}

impl TimingSettings {
    /// Fewer rounds and shorter runs, for a first look.
    pub fn quick() -> TimingSettings {
        TimingSettings {
            min_rounds: 5,
            max_rounds: 9,
            min_time: 0.05,
            budget: 30.0,
            ..TimingSettings::default()
        }
    }
}

/// Who times each measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Timer {
    /// pyperf where the interpreter can import it, else [`Timer::Interleaved`].
    Auto,
    /// The driver's own loop: warm-up calls, then one timed call.
    Interleaved,
    /// The real pyperf, one worker per measurement (its values' median).
    Pyperf,
}

/// What a speed-up says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Faster than the baseline: the whole interval is above 1.
    Faster,
    /// Slower: the whole interval is below 1.
    Slower,
    /// No measurable difference: the interval holds 1.
    Same,
    /// The interval is wider than `trust_ci`: the spread is too wide to trust.
    Noisy,
}

impl Verdict {
    /// A word for tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::Same => "same",
            Verdict::Noisy => "too noisy",
        }
    }
}

/// One variant's times.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VariantTiming {
    /// Variant name.
    pub variant: String,
    /// Seconds per loop, one value per round.
    pub samples: Vec<f64>,
    /// Their summary.
    pub summary: Summary,
}

/// One variant compared with the baseline.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Speedup {
    /// Variant name.
    pub variant: String,
    /// Baseline time / variant time, per round, summarized (> 1: faster).
    pub summary: Summary,
    /// What it says.
    pub verdict: Verdict,
}

/// Timing of one program on one interpreter.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TimingReport {
    /// How runs were timed (`interleaved`).
    pub timer: String,
    /// Loops per timed call.
    pub loops: u64,
    /// Rounds kept.
    pub rounds: usize,
    /// Why the rounds stopped.
    pub stopped: String,
    /// Per variant, the baseline first.
    pub variants: Vec<VariantTiming>,
    /// Per variant but the baseline.
    pub speedups: Vec<Speedup>,
}

/// Times `names.len()` variants (the first is the baseline) with
/// `measure(variant, loops, warmups)`, which runs one process and returns
/// seconds per loop; `timer` names how (`interleaved`, `pyperf`).
pub fn interleaved(
    timer: &str,
    names: &[String],
    s: &TimingSettings,
    mut measure: impl FnMut(usize, u64, u32) -> Result<f64>,
) -> Result<TimingReport> {
    let n = names.len();
    let start = Instant::now();
    let once = measure(0, 1, s.inner_warmups)?.max(1e-9);
    let loops = ((s.min_time / once).ceil() as u64).clamp(1, 1_000_000);
    for _ in 0..s.warmup_rounds {
        for v in 0..n {
            measure(v, loops, s.inner_warmups)?;
        }
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut round = 0u32;
    let stopped = loop {
        let order: Vec<usize> = if round.is_multiple_of(2) {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        };
        for v in order {
            samples[v].push(measure(v, loops, s.inner_warmups)?);
        }
        round += 1;
        if round < s.min_rounds {
            continue;
        }
        let worst = (1..n)
            .map(|v| speedup_summary(&samples[0], &samples[v]).rel_ci_halfwidth())
            .fold(0.0, f64::max);
        if worst <= s.target_ci {
            break format!(
                "converged: every 95% interval within ±{:.1}%",
                s.target_ci * 100.0
            );
        }
        if round >= s.max_rounds {
            break format!(
                "round cap ({}); widest interval ±{:.1}%",
                s.max_rounds,
                worst * 100.0
            );
        }
        if start.elapsed().as_secs_f64() > s.budget {
            break format!(
                "time budget ({:.0} s); widest interval ±{:.1}%",
                s.budget,
                worst * 100.0
            );
        }
    };
    let variants = names
        .iter()
        .zip(&samples)
        .map(|(name, xs)| VariantTiming {
            variant: name.clone(),
            samples: xs.clone(),
            summary: Summary::of(xs),
        })
        .collect();
    let speedups = (1..n)
        .map(|v| {
            let summary = speedup_summary(&samples[0], &samples[v]);
            Speedup {
                variant: names[v].clone(),
                verdict: verdict(&summary, s.trust_ci),
                summary,
            }
        })
        .collect();
    Ok(TimingReport {
        timer: timer.to_string(),
        loops,
        rounds: round as usize,
        stopped,
        variants,
        speedups,
    })
}

/// Per-round speed-ups (baseline / variant) summarized.
pub fn speedup_summary(base: &[f64], variant: &[f64]) -> Summary {
    let ratios: Vec<f64> = base
        .iter()
        .zip(variant)
        .map(|(b, v)| b / v.max(1e-12))
        .collect();
    Summary::of(&ratios)
}

/// What a speed-up summary says, given the widest interval still trusted.
///
/// ```
/// use pycopt_benches::stats::Summary;
/// use pycopt_benches::timing::{verdict, Verdict};
/// let s = Summary::of(&[1.10, 1.11, 1.09, 1.10, 1.12, 1.10, 1.11]);
/// assert_eq!(verdict(&s, 0.03), Verdict::Faster);
/// let s = Summary::of(&[0.8, 1.3, 1.0, 0.7, 1.2, 1.1, 0.9]);
/// assert_eq!(verdict(&s, 0.03), Verdict::Noisy);
/// ```
pub fn verdict(s: &Summary, trust_ci: f64) -> Verdict {
    if s.rel_ci_halfwidth() > trust_ci {
        Verdict::Noisy
    } else if s.ci.0 > 1.0 {
        Verdict::Faster
    } else if s.ci.1 < 1.0 {
        Verdict::Slower
    } else {
        Verdict::Same
    }
}
