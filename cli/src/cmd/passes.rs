//! `pycopt passes`: the pass registry and the levels, generated from the registry.

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use pycopt_passes::{level_options, pipeline, Level, Registry};

/// Arguments of `pycopt passes`.
#[derive(Args, Debug)]
pub struct PassesArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct PassRow {
    name: &'static str,
    description: &'static str,
    changes_control_flow: bool,
    keeps_line_events: bool,
    needs: Option<&'static str>,
    strips: Option<&'static str>,
}

#[derive(Serialize)]
struct LevelRow {
    level: String,
    passes: Vec<&'static str>,
    rounds: usize,
    assumptions: Vec<&'static str>,
}

/// Runs `pycopt passes`.
pub fn run(args: &PassesArgs) -> Result<i32> {
    let registry = Registry::default();
    let passes: Vec<PassRow> = registry
        .iter()
        .map(|p| {
            let i = p.info();
            PassRow {
                name: i.name,
                description: i.description,
                changes_control_flow: i.changes_control_flow,
                keeps_line_events: i.keeps_line_events,
                needs: i.needs.map(|a| a.name()),
                strips: i.strips.map(|s| s.name()),
            }
        })
        .collect();
    let levels: Vec<LevelRow> = [Level::O0, Level::O1, Level::O2, Level::O3, Level::Os]
        .into_iter()
        .map(|l| {
            let p = pipeline(l);
            LevelRow {
                level: format!("-O{}", l.name()),
                passes: p.passes,
                rounds: p.rounds,
                assumptions: level_options(l).assume.iter().map(|a| a.name()).collect(),
            }
        })
        .collect();
    if args.json {
        let v = serde_json::json!({ "passes": passes, "levels": levels });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    println!("Passes:");
    for p in &passes {
        let mut tags = Vec::new();
        if let Some(a) = p.needs {
            tags.push(format!("needs --assume {a}"));
        }
        if let Some(s) = p.strips {
            tags.push(format!("with --strip {s}"));
        }
        if !p.keeps_line_events {
            tags.push("may change line events".into());
        }
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", tags.join("; "))
        };
        println!("  {:<24} {}{}", p.name, p.description, tags);
    }
    println!("\nLevels:");
    for l in &levels {
        let assume = if l.assumptions.is_empty() {
            String::new()
        } else {
            format!(" (assumes {})", l.assumptions.join(", "))
        };
        if l.passes.is_empty() {
            println!("  {:<4} nothing: an exact copy", l.level);
        } else {
            println!(
                "  {:<4} up to {} round(s){}: {}",
                l.level,
                l.rounds,
                assume,
                l.passes.join(", ")
            );
        }
    }
    Ok(0)
}
