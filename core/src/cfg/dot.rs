//! Graphviz output of a [`Cfg`], for a person to look at.

use std::fmt::Write as _;

use super::{Cfg, EdgeKind};

/// The graph in Graphviz `dot` syntax: one box per block listing its instructions
/// (offset, name, argument, line), its entry stack depth when known, and edges
/// styled by kind (jump solid, fall-through dashed, exception red, setup blue).
pub fn to_dot(cfg: &Cfg, title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph \"{}\" {{", escape(title));
    let _ = writeln!(s, "  node [shape=box fontname=\"monospace\" fontsize=10];");
    let _ = writeln!(s, "  labelloc=t; label=\"{}\";", escape(title));
    for (n, &b) in cfg.layout.iter().enumerate() {
        let block = cfg.block(b);
        let mut label = format!("B{n}");
        if let Some(off) = block.offset {
            let _ = write!(label, " @{off}");
        }
        if let Some(d) = block.entry_depth {
            let _ = write!(label, "  depth {d}");
        }
        label.push_str("\\l");
        for i in &block.instrs {
            let off = i.offset.map(|o| o.to_string()).unwrap_or_default();
            let arg = if i.op.has_arg && i.op.jump.is_none() {
                i.arg.to_string()
            } else {
                String::new()
            };
            let line = i
                .pos
                .line
                .map(|l| format!("  ; line {l}"))
                .unwrap_or_default();
            let _ = write!(label, "{off:>5} {:<24} {arg}{line}\\l", i.op.name);
        }
        let _ = writeln!(s, "  b{} [label=\"{}\"];", b.index(), escape_label(&label));
    }
    for &b in &cfg.layout {
        for (kind, to) in cfg.successors(b) {
            let style = match kind {
                EdgeKind::Fallthrough => "style=dashed".to_string(),
                EdgeKind::Jump => "label=\"jump\"".to_string(),
                EdgeKind::Exception { depth, lasti } => format!(
                    "color=red fontcolor=red label=\"exc depth {depth}{}\"",
                    if lasti { " lasti" } else { "" }
                ),
                EdgeKind::Setup => "color=blue fontcolor=blue label=\"setup\"".to_string(),
            };
            let _ = writeln!(s, "  b{} -> b{} [{style}];", b.index(), to.index());
        }
    }
    s.push_str("}\n");
    s
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Escapes quotes but keeps the `\l` line breaks already in the label.
fn escape_label(text: &str) -> String {
    text.replace('"', "\\\"")
}
