//! SVG charts (plotters, SVG backend only): per compared variant, speed-up,
//! executed instructions and code size per benchmark, one bar per Python
//! version, as ratios to stock.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::harness::Report;

/// One bar: value and, optionally, its confidence interval.
#[derive(Clone, Copy, Debug)]
pub struct Bar {
    /// The value (a ratio; 1 is the baseline).
    pub value: f64,
    /// Its interval.
    pub ci: Option<(f64, f64)>,
    /// False for a timing too noisy to trust: drawn faded.
    pub trusted: bool,
}

/// A horizontal grouped bar chart of ratios around 1: one group per category
/// (benchmark), one bar per series (Python version).
pub struct BarChart<'a> {
    /// Title.
    pub title: String,
    /// What the x axis measures.
    pub x_label: String,
    /// Category names, top to bottom.
    pub categories: &'a [String],
    /// Series name and one optional bar per category.
    pub series: &'a [(String, Vec<Option<Bar>>)],
}

const PALETTE: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];

impl BarChart<'_> {
    /// Draws the chart into an SVG file.
    pub fn write_svg(&self, path: &Path) -> Result<()> {
        let n = self.categories.len().max(1);
        let m = self.series.len().max(1);
        let height = (110 + n * (8 + 9 * m)).max(240) as u32;
        let root = SVGBackend::new(path, (960, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let mut lo: f64 = 1.0;
        let mut hi: f64 = 1.0;
        for (_, bars) in self.series {
            for b in bars.iter().flatten() {
                let (a, z) = b.ci.unwrap_or((b.value, b.value));
                lo = lo.min(b.value).min(a);
                hi = hi.max(b.value).max(z);
            }
        }
        let pad = ((hi - lo) * 0.08).max(0.01);
        let (lo, hi) = (lo - pad, hi + pad);
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(10)
            .margin_left(160)
            .margin_right(120)
            .x_label_area_size(40)
            .y_label_area_size(0)
            .build_cartesian_2d(lo..hi, 0.0..n as f64)
            .map_err(|e| anyhow!("{e}"))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(&self.x_label)
            .x_labels(8)
            .light_line_style(WHITE)
            .x_label_formatter(&|x| format!("{x:.3}"))
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        let slot = 0.8 / m as f64;
        for (j, (_, bars)) in self.series.iter().enumerate() {
            let color = PALETTE[j % PALETTE.len()];
            for (i, b) in bars.iter().enumerate() {
                let Some(b) = b else { continue };
                // Category 0 at the top.
                let top = (n - i) as f64 - 0.1 - slot * j as f64;
                let bottom = top - slot * 0.9;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(1.0, bottom), (b.value, top)],
                        if b.trusted {
                            color.filled()
                        } else {
                            color.mix(0.35).filled()
                        },
                    )))
                    .map_err(|e| anyhow!("{e}"))?;
                let y = (top + bottom) / 2.0;
                let small = ("sans-serif", 10).into_font().color(&BLACK);
                let end = match b.ci {
                    Some((_, z)) if b.value >= 1.0 => z.max(b.value),
                    Some((a, _)) => a.min(b.value),
                    None => b.value,
                };
                let (px, py) = chart.backend_coord(&(end, y));
                let (anchor, dx) = if b.value >= 1.0 {
                    (HPos::Left, 3)
                } else {
                    (HPos::Right, -3)
                };
                root.draw(&Text::new(
                    format!("{:.3}", b.value),
                    (px + dx, py),
                    small.pos(Pos::new(anchor, VPos::Center)),
                ))
                .map_err(|e| anyhow!("{e}"))?;
                if let Some((a, z)) = b.ci {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(a, y), (z, y)],
                            BLACK.stroke_width(1),
                        )))
                        .map_err(|e| anyhow!("{e}"))?;
                }
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(1.0, 0.0), (1.0, n as f64)],
                BLACK.stroke_width(1),
            )))
            .map_err(|e| anyhow!("{e}"))?;
        let label = ("sans-serif", 13).into_font().color(&BLACK);
        for (i, name) in self.categories.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(lo, (n - i) as f64 - 0.5));
            root.draw(&Text::new(
                name.clone(),
                (px - 6, py),
                label.pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(|e| anyhow!("{e}"))?;
        }
        // Legend, right of the plot.
        let (x0, y0) = chart.backend_coord(&(hi, n as f64));
        for (j, (name, _)) in self.series.iter().enumerate() {
            let y = y0 + 8 + 16 * j as i32;
            let color = PALETTE[j % PALETTE.len()];
            root.draw(&Rectangle::new(
                [(x0 + 30, y - 5), (x0 + 42, y + 5)],
                color.filled(),
            ))
            .map_err(|e| anyhow!("{e}"))?;
            root.draw(&Text::new(
                name.clone(),
                (x0 + 46, y),
                label.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| anyhow!("{e}"))?;
        }
        root.present().map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }
}

/// Series of a chart: a name and one optional bar per category.
pub type Series = Vec<(String, Vec<Option<Bar>>)>;

/// What a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Stock time / variant time (with its 95% interval).
    Speedup,
    /// Executed instructions of the program's code, variant / stock.
    Executed,
    /// Bytes of code, variant / stock.
    CodeSize,
}

impl Measure {
    fn file_stem(self) -> &'static str {
        match self {
            Measure::Speedup => "speedup",
            Measure::Executed => "executed",
            Measure::CodeSize => "size",
        }
    }
}

/// The bars of one measure and variant: benchmark names and one series per
/// Python version. `None` when there is nothing to draw.
pub fn bars(r: &Report, variant: &str, measure: Measure) -> Option<(Vec<String>, Series)> {
    let mut cats: Vec<String> = Vec::new();
    for pr in &r.results {
        if !cats.contains(&pr.program) {
            cats.push(pr.program.clone());
        }
    }
    let mut series = Vec::new();
    let mut any = false;
    for i in &r.interpreters {
        let mut bars = vec![None; cats.len()];
        for pr in r.results.iter().filter(|p| p.python == i.version) {
            let k = cats.iter().position(|c| *c == pr.program).expect("listed");
            let (Some(s), Some(v)) = (pr.variant("stock"), pr.variant(variant)) else {
                continue;
            };
            let bar = match measure {
                Measure::Speedup => pr
                    .timing
                    .as_ref()
                    .and_then(|t| t.speedups.iter().find(|x| x.variant == variant))
                    .map(|x| Bar {
                        value: x.summary.median,
                        ci: Some(x.summary.ci),
                        trusted: x.verdict != crate::timing::Verdict::Noisy,
                    }),
                Measure::Executed => match (&s.executed, &v.executed) {
                    (Some(a), Some(b)) if a.program > 0 => Some(Bar {
                        value: b.program as f64 / a.program as f64,
                        ci: None,
                        trusted: true,
                    }),
                    _ => None,
                },
                Measure::CodeSize => match (&s.figures, &v.figures) {
                    (Some(a), Some(b)) if a.code_bytes > 0 => Some(Bar {
                        value: b.code_bytes as f64 / a.code_bytes as f64,
                        ci: None,
                        trusted: true,
                    }),
                    _ => None,
                },
            };
            any |= bar.is_some();
            bars[k] = bar;
        }
        series.push((format!("Python {}", i.version), bars));
    }
    any.then_some((cats, series))
}

/// Writes every chart with data into `dir`: `speedup-V.svg`, `executed-V.svg`,
/// `size-V.svg` per compared variant V (the latter two only when some ratio is
/// not 1). Returns the files, speed-up charts first.
pub fn write_charts(r: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for measure in [Measure::Speedup, Measure::Executed, Measure::CodeSize] {
        for v in r.variants.iter().skip(1) {
            let Some((cats, series)) = bars(r, &v.name, measure) else {
                continue;
            };
            // A variant that changes nothing gets no size or instruction chart.
            let flat = series
                .iter()
                .flat_map(|(_, b)| b.iter().flatten())
                .all(|b| b.value == 1.0);
            if flat && measure != Measure::Speedup {
                continue;
            }
            let (title, x) = match measure {
                Measure::Speedup => (
                    format!("Speed-up of {} over stock CPython", v.name),
                    "stock time / variant time (lines: 95% interval; faded: too noisy to trust); > 1 is faster",
                ),
                Measure::Executed => (
                    format!("Executed instructions, {} / stock", v.name),
                    "instructions executed in the program's code, ratio; < 1 is fewer",
                ),
                Measure::CodeSize => (
                    format!("Bytes of code, {} / stock", v.name),
                    "sum of len(co_code), ratio; < 1 is smaller",
                ),
            };
            let safe: String = v
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let path = dir.join(format!("{}-{safe}.svg", measure.file_stem()));
            BarChart {
                title,
                x_label: x.to_string(),
                categories: &cats,
                series: &series,
            }
            .write_svg(&path)?;
            out.push(path);
        }
    }
    Ok(out)
}
