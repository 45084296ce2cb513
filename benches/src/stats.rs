//! Statistics for timing: medians, quartiles and distribution-free confidence
//! intervals of the median (from order statistics, so no normality is assumed).

use serde::{Deserialize, Serialize};

/// The `q`-quantile (0..=1) of sorted data, linearly interpolated.
///
/// ```
/// use pycopt_benches::stats::quantile;
/// assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(quantile(&[5.0], 0.25), 5.0);
/// ```
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty(), "quantile of nothing");
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// A sorted copy.
pub fn sorted(data: &[f64]) -> Vec<f64> {
    let mut v = data.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// The ~95% confidence interval of the median of sorted data: the order
/// statistics at ranks n/2 ∓ 1.96·√n/2 (the normal approximation of the
/// binomial). With fewer than 6 values it is the whole range.
///
/// ```
/// use pycopt_benches::stats::median_ci;
/// let data: Vec<f64> = (1..=100).map(f64::from).collect();
/// let (lo, hi) = median_ci(&data);
/// assert!(lo >= 39.0 && lo <= 42.0 && hi >= 59.0 && hi <= 62.0);
/// ```
pub fn median_ci(sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len();
    assert!(n > 0, "confidence interval of nothing");
    if n < 6 {
        return (sorted[0], sorted[n - 1]);
    }
    let half = 1.96 * (n as f64).sqrt() / 2.0;
    let lo = ((n as f64 / 2.0 - half).floor() as usize).clamp(1, n) - 1;
    let hi = ((n as f64 / 2.0 + half).ceil() as usize).clamp(1, n) - 1;
    (sorted[lo], sorted[hi])
}

/// A summary of repeated measurements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// ~95% confidence interval of the median.
    pub ci: (f64, f64),
    /// First and third quartiles.
    pub quartiles: (f64, f64),
    /// Smallest and largest value.
    pub range: (f64, f64),
}

impl Summary {
    /// Summarizes `data` (not empty).
    pub fn of(data: &[f64]) -> Summary {
        let s = sorted(data);
        Summary {
            n: s.len(),
            median: quantile(&s, 0.5),
            ci: median_ci(&s),
            quartiles: (quantile(&s, 0.25), quantile(&s, 0.75)),
            range: (s[0], s[s.len() - 1]),
        }
    }

    /// Half the confidence interval's width relative to the median.
    pub fn rel_ci_halfwidth(&self) -> f64 {
        if self.median == 0.0 {
            return f64::INFINITY;
        }
        (self.ci.1 - self.ci.0) / 2.0 / self.median.abs()
    }

    /// Interquartile range relative to the median.
    pub fn rel_iqr(&self) -> f64 {
        if self.median == 0.0 {
            return f64::INFINITY;
        }
        (self.quartiles.1 - self.quartiles.0) / self.median.abs()
    }
}

/// Geometric mean of positive values (1.0 for none).
pub fn geomean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 1.0;
    }
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}
