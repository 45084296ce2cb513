//! The report: JSON (everything measured), Markdown and HTML (tables), and the
//! SVG charts of [`crate::charts`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::charts;
use crate::figures::Figures;
use crate::harness::{ProgramResult, Report};
use crate::stats::geomean;
use crate::timing::Verdict;

/// A table with text cells, rendered as Markdown or HTML.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    pub right: Vec<bool>,
}

impl Table {
    fn new(headers: &[&str], right: &[bool]) -> Table {
        Table {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            right: right.to_vec(),
        }
    }

    /// Removes the columns where no row has a value (only `—` or nothing).
    pub fn drop_empty_columns(mut self) -> Table {
        let keep: Vec<bool> = (0..self.headers.len())
            .map(|k| {
                self.rows
                    .iter()
                    .any(|r| r.get(k).is_some_and(|c| !c.is_empty() && c != "—"))
            })
            .collect();
        let pick = |v: &mut Vec<String>| {
            let mut k = 0;
            v.retain(|_| {
                k += 1;
                keep.get(k - 1).copied().unwrap_or(true)
            });
        };
        pick(&mut self.headers);
        for r in &mut self.rows {
            pick(r);
        }
        let mut k = 0;
        self.right.retain(|_| {
            k += 1;
            keep.get(k - 1).copied().unwrap_or(true)
        });
        self
    }

    /// GitHub-flavoured Markdown.
    pub fn markdown(&self) -> String {
        let mut s = format!("| {} |\n|", self.headers.join(" | "));
        for k in 0..self.headers.len() {
            s.push_str(if self.right.get(k).copied().unwrap_or(false) {
                "---:|"
            } else {
                "---|"
            });
        }
        s.push('\n');
        for r in &self.rows {
            let _ = writeln!(s, "| {} |", r.join(" | "));
        }
        s
    }

    /// An HTML `<table>`.
    pub fn html(&self) -> String {
        let mut s = String::from("<table>\n<tr>");
        for h in &self.headers {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for (k, c) in r.iter().enumerate() {
                let cls = if self.right.get(k).copied().unwrap_or(false) {
                    " class=\"n\""
                } else {
                    ""
                };
                let _ = write!(
                    s,
                    "<td{cls}>{}</td>",
                    esc(&c.replace("**", "").replace('`', ""))
                );
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
        s
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `new` relative to `old` as a signed percentage, `=` when equal.
///
/// ```
/// use pycopt_benches::report::delta;
/// assert_eq!(delta(969, 1000), "-3.1%");
/// assert_eq!(delta(859_907, 859_908), "-0.00012%");
/// assert_eq!(delta(5, 5), "=");
/// ```
pub fn delta(new: u64, old: u64) -> String {
    if new == old {
        "=".into()
    } else if old == 0 {
        "new".into()
    } else {
        percent((new as f64 / old as f64 - 1.0) * 100.0)
    }
}

/// A signed percentage with one decimal, or enough decimals to show the first
/// significant digit of a tiny change (`-0.00012%`), never a misleading `-0.0%`.
fn percent(pct: f64) -> String {
    let decimals = if pct.abs() >= 0.1 || pct == 0.0 {
        1
    } else {
        ((-pct.abs().log10()).ceil() as usize + 1).min(8)
    };
    format!("{pct:+.decimals$}%")
}

fn signed_thousands(n: i64) -> String {
    let sign = if n < 0 {
        "-"
    } else if n > 0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{}", thousands(n.unsigned_abs()))
}

fn ratio(new: u64, old: u64) -> Option<f64> {
    (old > 0).then(|| new as f64 / old as f64)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn seconds(x: f64) -> String {
    if x >= 1.0 {
        format!("{x:.3} s")
    } else if x >= 1e-3 {
        format!("{:.2} ms", x * 1e3)
    } else {
        format!("{:.2} µs", x * 1e6)
    }
}

/// The Python versions of the report, in order.
fn versions(r: &Report) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for x in &r.results {
        if !v.contains(&x.python) {
            v.push(x.python.clone());
        }
    }
    v
}

/// The variants other than the baseline.
fn compared(r: &Report) -> Vec<String> {
    r.variants.iter().skip(1).map(|v| v.name.clone()).collect()
}

/// Geometric means per version and variant: code bytes, instructions,
/// executed program instructions (ratios to stock) and speed-up.
pub fn summary_table(r: &Report) -> Table {
    let mut t = Table::new(
        &[
            "python",
            "variant",
            "benchmarks",
            "instructions",
            "code bytes",
            "executed (program)",
            "speed-up (all timed)",
            "trusted timings",
        ],
        &[false, false, true, true, true, true, true, true],
    );
    for py in versions(r) {
        for v in compared(r) {
            let mut instrs = Vec::new();
            let mut bytes = Vec::new();
            let mut exec = Vec::new();
            let mut speed = Vec::new();
            let mut timed = 0;
            let mut trusted = 0;
            let mut n = 0;
            for pr in r.results.iter().filter(|x| x.python == py) {
                let (Some(s), Some(x)) = (pr.variant("stock"), pr.variant(&v)) else {
                    continue;
                };
                if s.error.is_some() || x.error.is_some() {
                    continue;
                }
                n += 1;
                if let (Some(a), Some(b)) = (&s.figures, &x.figures) {
                    instrs.extend(ratio(b.instructions, a.instructions));
                    bytes.extend(ratio(b.code_bytes, a.code_bytes));
                }
                if let (Some(a), Some(b)) = (&s.executed, &x.executed) {
                    exec.extend(ratio(b.program, a.program));
                }
                if let Some(sp) = pr
                    .timing
                    .as_ref()
                    .and_then(|t| t.speedups.iter().find(|s| s.variant == v))
                {
                    timed += 1;
                    trusted += (sp.verdict != Verdict::Noisy) as usize;
                    speed.push(sp.summary.median);
                }
            }
            if n == 0 {
                continue;
            }
            let pctr = |xs: &[f64]| {
                if xs.is_empty() {
                    "—".to_string()
                } else if xs.iter().all(|&x| x == 1.0) {
                    "=".to_string()
                } else {
                    percent((geomean(xs) - 1.0) * 100.0)
                }
            };
            t.rows.push(vec![
                py.clone(),
                v.clone(),
                n.to_string(),
                pctr(&instrs),
                pctr(&bytes),
                pctr(&exec),
                if speed.is_empty() {
                    "—".into()
                } else {
                    format!("{:.3}×", geomean(&speed))
                },
                if timed == 0 {
                    "—".into()
                } else {
                    format!("{trusted}/{timed}")
                },
            ]);
        }
    }
    t
}

/// Per benchmark and variant on one Python version.
pub fn version_table(r: &Report, py: &str) -> Table {
    let mut t = Table::new(
        &[
            "benchmark",
            "variant",
            "instructions",
            "Δ",
            "code bytes",
            "Δ",
            "consts",
            "names",
            "executed (program)",
            "Δ",
            "executed (all)",
            "time/loop",
            "speed-up [95% CI]",
            "verdict",
        ],
        &[
            false, false, true, true, true, true, true, true, true, true, true, true, true, false,
        ],
    );
    for pr in r.results.iter().filter(|x| x.python == py) {
        let stock = pr.variant("stock");
        for vr in &pr.variants {
            let mut row = vec![pr.program.clone(), vr.variant.clone()];
            if let Some(e) = &vr.error {
                row.push(format!("error: {}", e.lines().next().unwrap_or("")));
                row.resize(t.headers.len(), String::new());
                t.rows.push(row);
                continue;
            }
            let base = stock.and_then(|s| s.figures.as_ref());
            let f = vr.figures.clone().unwrap_or_default();
            let d = |get: fn(&Figures) -> u64| match base {
                Some(b) if vr.variant != "stock" => delta(get(&f), get(b)),
                _ => String::new(),
            };
            row.push(thousands(f.instructions));
            row.push(d(|f| f.instructions));
            row.push(thousands(f.code_bytes));
            row.push(d(|f| f.code_bytes));
            row.push(thousands(f.constants));
            row.push(thousands(f.names));
            match (&vr.executed, stock.and_then(|s| s.executed.as_ref())) {
                (Some(x), Some(s)) => {
                    row.push(thousands(x.program));
                    row.push(if vr.variant == "stock" {
                        String::new()
                    } else {
                        delta(x.program, s.program)
                    });
                    row.push(if x.scope == "program" {
                        "—".into()
                    } else {
                        thousands(x.all)
                    });
                }
                _ => row.extend(["—".to_string(), String::new(), "—".to_string()]),
            }
            let timing = pr.timing.as_ref();
            match timing.and_then(|t| t.variants.iter().find(|v| v.variant == vr.variant)) {
                Some(vt) => row.push(format!(
                    "{} ±{:.1}%",
                    seconds(vt.summary.median),
                    vt.summary.rel_ci_halfwidth() * 100.0
                )),
                None => row.push("—".into()),
            }
            if vr.variant == "stock" {
                row.push(if timing.is_some() {
                    "baseline".into()
                } else {
                    "—".into()
                });
                row.push(String::new());
            } else {
                match timing.and_then(|t| t.speedups.iter().find(|s| s.variant == vr.variant)) {
                    Some(sp) => {
                        row.push(format!(
                            "{:.3}× [{:.3}, {:.3}]",
                            sp.summary.median, sp.summary.ci.0, sp.summary.ci.1
                        ));
                        row.push(sp.verdict.word().into());
                    }
                    None => row.extend(["—".to_string(), String::new()]),
                }
            }
            t.rows.push(row);
        }
    }
    t.drop_empty_columns()
}

/// The opcodes whose counts changed most, summed over one version's
/// benchmarks: static and executed, variant against stock.
pub fn opcode_table(r: &Report, py: &str, variant: &str, top: usize) -> Option<Table> {
    let mut stat: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut exec: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for pr in r.results.iter().filter(|x| x.python == py) {
        let (Some(s), Some(v)) = (pr.variant("stock"), pr.variant(variant)) else {
            continue;
        };
        if s.error.is_some() || v.error.is_some() {
            continue;
        }
        for (k, f) in [(0, &s.figures), (1, &v.figures)] {
            for (op, n) in f.iter().flat_map(|f| f.opcodes.iter()) {
                let e = stat.entry(op.clone()).or_default();
                if k == 0 {
                    e.0 += n
                } else {
                    e.1 += n
                }
            }
        }
        for (k, x) in [(0, &s.executed), (1, &v.executed)] {
            for (op, n) in x.iter().flat_map(|x| x.by_opcode.iter()) {
                let e = exec.entry(op.clone()).or_default();
                if k == 0 {
                    e.0 += n
                } else {
                    e.1 += n
                }
            }
        }
    }
    let mut ops: Vec<String> = stat.keys().chain(exec.keys()).cloned().collect();
    ops.sort();
    ops.dedup();
    let change = |op: &String| {
        let a = stat.get(op).copied().unwrap_or_default();
        let b = exec.get(op).copied().unwrap_or_default();
        (a.1 as i64 - a.0 as i64).unsigned_abs() + (b.1 as i64 - b.0 as i64).unsigned_abs()
    };
    ops.retain(|op| change(op) > 0);
    if ops.is_empty() {
        return None;
    }
    ops.sort_by_key(|op| std::cmp::Reverse(change(op)));
    ops.truncate(top);
    let mut t = Table::new(
        &[
            "opcode",
            "static: stock",
            variant,
            "Δ",
            "executed: stock",
            variant,
            "Δ",
        ],
        &[false, true, true, true, true, true, true],
    );
    for op in ops {
        let a = stat.get(&op).copied().unwrap_or_default();
        let b = exec.get(&op).copied().unwrap_or_default();
        t.rows.push(vec![
            op,
            thousands(a.0),
            thousands(a.1),
            signed_thousands(a.1 as i64 - a.0 as i64),
            thousands(b.0),
            thousands(b.1),
            signed_thousands(b.1 as i64 - b.0 as i64),
        ]);
    }
    Some(t)
}

/// The code objects a variant changed most (by bytes of code, then
/// instructions) on one version: program, code object, stock → variant.
pub fn code_object_table(r: &Report, py: &str, variant: &str, top: usize) -> Option<Table> {
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    for pr in r.results.iter().filter(|x| x.python == py) {
        let (Some(s), Some(v)) = (pr.variant("stock"), pr.variant(variant)) else {
            continue;
        };
        if s.error.is_some() || v.error.is_some() {
            continue;
        }
        for sf in &s.files {
            let Some(vf) = v.files.iter().find(|f| f.path == sf.path) else {
                continue;
            };
            // Code objects are matched by dotted name, in order among equal names.
            let mut used = vec![false; vf.code.len()];
            for sc in &sf.code {
                let Some(k) = (0..vf.code.len()).find(|&k| !used[k] && vf.code[k].name == sc.name)
                else {
                    continue;
                };
                used[k] = true;
                let (a, b) = (&sc.figures, &vf.code[k].figures);
                if a == b {
                    continue;
                }
                let weight = (a.code_bytes as i64 - b.code_bytes as i64).unsigned_abs() * 1000
                    + (a.instructions as i64 - b.instructions as i64).unsigned_abs();
                rows.push((
                    weight,
                    vec![
                        pr.program.clone(),
                        format!("`{}`", sc.name),
                        format!("{} → {}", a.instructions, b.instructions),
                        format!("{} → {}", a.code_bytes, b.code_bytes),
                        format!("{} → {}", a.constants, b.constants),
                        format!("{} → {}", a.names, b.names),
                    ],
                ));
            }
        }
    }
    if rows.is_empty() {
        return None;
    }
    rows.sort_by_key(|(w, _)| std::cmp::Reverse(*w));
    rows.truncate(top);
    let mut t = Table::new(
        &[
            "benchmark",
            "code object",
            "instructions",
            "code bytes",
            "consts",
            "names",
        ],
        &[false, false, true, true, true, true],
    );
    t.rows = rows.into_iter().map(|(_, r)| r).collect();
    Some(t)
}

/// Errors and self-check failures, one line each.
fn errors(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for pr in &r.results {
        let ProgramResult {
            python, program, ..
        } = pr;
        for e in &pr.errors {
            out.push(format!("{python} {program}: {e}"));
        }
        for v in &pr.variants {
            if let Some(e) = &v.error {
                out.push(format!("{python} {program} {}: {e}", v.variant));
            }
        }
    }
    out
}

fn preamble(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Made by {}.\n", r.tool);
    let _ = writeln!(
        s,
        "Interpreters: {}.\n",
        r.interpreters
            .iter()
            .map(|i| format!("CPython {} (`{}`)", i.full_version, i.executable))
            .collect::<Vec<_>>()
            .join(", ")
    );
    s.push_str("Variants:\n\n");
    for v in &r.variants {
        let how = if v.pycopt_args.is_empty() {
            format!(
                "CPython's own files ({}), run as `python {}`",
                match v.base.level() {
                    0 => "py_compile, level 0".to_string(),
                    l => format!("opt-{l}"),
                },
                v.python_flags().join(" ")
            )
        } else {
            format!(
                "{} files, then `pycopt opt {}`",
                v.base.name(),
                v.pycopt_args.join(" ")
            )
        };
        let _ = writeln!(
            s,
            "- `{}`: {}",
            v.name,
            how.replace("`python `", "`python`")
        );
    }
    s.push('\n');
    s.push_str(
        "Static figures count the instructions (`EXTENDED_ARG` included, inline caches not), \
         `len(co_code)`, `len(co_consts)` and `len(co_names)` of every code object of the \
         program's `.pyc` files. Executed instructions are counted under the interpreter \
         (`sys.settrace` with `f_trace_opcodes` up to 3.11, `sys.monitoring` INSTRUCTION \
         events from 3.12; `PYTHONHASHSEED=0`), each benchmark function run once; \
         *program* counts the benchmark's own code objects (only they are \
         traced unless the run was asked for `--count-all`), *all* adds the standard \
         library's. Every run loads the program from `.pyc` files only and the harness \
         checks the bytes executed are the variant's files.\n\n",
    );
    if let Some(t) = &r.timing {
        let _ = writeln!(
            s,
            "Timing: variants interleaved (A B C, C B A, …), one process per measurement, \
             {} untimed and {} timed call(s) per benchmark function in each process (the best \
             timed call counts), {}, {} warm-up round(s) \
             discarded, {}–{} rounds until every speed-up's 95% interval is within ±{:.1}%; \
             speed-up = stock time / variant time, per round, median and distribution-free \
             95% interval; *too noisy* when the interval is wider than ±{:.1}%.\n",
            t.inner_warmups,
            t.values,
            if t.cpu_clock {
                "measuring the process's CPU time (`--clock cpu`)"
            } else {
                "measuring wall time"
            },
            t.warmup_rounds,
            t.min_rounds,
            t.max_rounds,
            t.target_ci * 100.0,
            t.trust_ci * 100.0
        );
    }
    s
}

/// The Markdown report. `charts` are the SVG file names to show.
pub fn markdown(r: &Report, charts: &[PathBuf]) -> String {
    let mut s = String::from("# pycopt-bench report\n\n");
    s.push_str(&preamble(r));
    s.push_str("## Summary (geometric means over benchmarks; change against stock)\n\n");
    s.push_str(&summary_table(r).markdown());
    for c in charts {
        let name = c
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(s, "\n![{name}]({name})");
    }
    for py in versions(r) {
        let _ = writeln!(s, "\n## Python {py}\n");
        s.push_str(&version_table(r, &py).markdown());
        for v in compared(r) {
            match opcode_table(r, &py, &v, 12) {
                Some(t) => {
                    let _ = writeln!(s, "\nOpcodes changed most by `{v}` (all benchmarks):\n");
                    s.push_str(&t.markdown());
                }
                None => {
                    let _ = writeln!(s, "\n`{v}`: no opcode count changed, static or executed.");
                }
            }
            if let Some(t) = code_object_table(r, &py, &v, 10) {
                let _ = writeln!(s, "\nCode objects changed most by `{v}`:\n");
                s.push_str(&t.markdown());
            }
        }
    }
    let errs = errors(r);
    if !errs.is_empty() || !r.notes.is_empty() {
        s.push_str("\n## Errors and notes\n\n");
        for e in errs {
            let _ = writeln!(s, "- error: {}", e.replace('\n', " / "));
        }
        for n in &r.notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s
}

/// The HTML page: the same tables, and the charts inline.
pub fn html(r: &Report, charts: &[PathBuf]) -> String {
    let mut s = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>pycopt-bench report</title>\n\
         <style>body{font-family:sans-serif;margin:2em;max-width:90em}table{border-collapse:collapse;margin:1em 0}\
         td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}td.n{text-align:right;font-variant-numeric:tabular-nums}\
         th{background:#eee}img{max-width:100%;display:block;margin:1em 0}</style></head><body>\n<h1>pycopt-bench report</h1>\n",
    );
    for para in preamble(r).split("\n\n") {
        if para.trim().is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<p>{}</p>",
            esc(para).replace("\n- ", "<br>• ").replace('`', "")
        );
    }
    s.push_str("<h2>Summary</h2>\n");
    s.push_str(&summary_table(r).html());
    for c in charts {
        let name = c
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(s, "<img src=\"{name}\" alt=\"{name}\">");
    }
    for py in versions(r) {
        let _ = writeln!(s, "<h2>Python {py}</h2>");
        s.push_str(&version_table(r, &py).html());
        for v in compared(r) {
            if let Some(t) = opcode_table(r, &py, &v, 12) {
                let _ = writeln!(s, "<h3>Opcodes changed most by {v}</h3>");
                s.push_str(&t.html());
            }
            if let Some(t) = code_object_table(r, &py, &v, 10) {
                let _ = writeln!(s, "<h3>Code objects changed most by {v}</h3>");
                s.push_str(&t.html());
            }
        }
    }
    let errs = errors(r);
    if !errs.is_empty() || !r.notes.is_empty() {
        s.push_str("<h2>Errors and notes</h2><ul>\n");
        for e in errs {
            let _ = writeln!(s, "<li>error: {}</li>", esc(&e));
        }
        for n in &r.notes {
            let _ = writeln!(s, "<li>{}</li>", esc(n));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</body></html>\n");
    s
}

/// Writes `report.json`, the charts, `report.md` and `index.html` into `dir`;
/// returns the files written.
pub fn write_all(r: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    let json = dir.join("report.json");
    std::fs::write(&json, serde_json::to_string_pretty(r)?)?;
    written.push(json);
    let chart_files = charts::write_charts(r, dir)?;
    let md = dir.join("report.md");
    std::fs::write(&md, markdown(r, &chart_files))?;
    written.push(md);
    let page = dir.join("index.html");
    std::fs::write(&page, html(r, &chart_files))?;
    written.push(page);
    written.extend(chart_files);
    Ok(written)
}
