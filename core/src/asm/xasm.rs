//! Reading xasm text: the format `pydisasm --format xasm` (from the `xdis` package)
//! writes and `pyc-xasm` assembles.
//!
//! [`to_pyasm`] converts such a text into `.pyasm` text (see `docs/pyasm.md`),
//! [`assemble_xasm`] converts and assembles it. Errors, including those the `.pyasm`
//! assembler finds in the converted text, name the line and column of the xasm text.
//!
//! What is read: the file header comments (`# Python bytecode X.Y`, `# Timestamp in
//! code`, `# Source code size`), one `# Method Name:` block per code object (nested
//! code objects before the code that holds them, as `pydisasm` writes them) with its
//! `# Argument count`, `# Position-only argument count`, `# Keyword-only arguments`,
//! `# Number of locals`, `# Stack size`, `# Flags`, `# First Line`, `# Filename`,
//! `# Constants:`, `# Names:`, `# Varnames:`, `# Cell variables:`, `# Free
//! variables:` sections, then line marks (`  15:`), labels (`L14:`) and instructions
//! (`OPNAME ARG (annotation)`, the annotation ignored). Cell and free variables
//! are taken as labelled unless only the swapped reading nests consistently (see
//! [`closures_consistent`]). Versions 3.8 to 3.10 only:
//! xasm text for 3.11+ has no exception table, qualified names or local kinds.

use super::{AsmError, Loc};

/// The lowest and highest minor versions of Python 3 read from xasm text.
const MINORS: std::ops::RangeInclusive<u8> = 8..=10;

/// True if `text` looks like xasm text: its first non-blank line is the comment
/// `pydisasm` starts its output with, or a `# Python bytecode` version line.
pub fn is_xasm(text: &str) -> bool {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    first.is_some_and(|l| {
        l.starts_with("# pydisasm version")
            || l.starts_with("# Python bytecode")
            || l.starts_with("# CPython Python bytecode")
    })
}

/// Reads xasm text and builds the `.pyc` it describes.
pub fn assemble_xasm(text: &str) -> Result<crate::Pyc, AsmError> {
    let conv = convert(text)?;
    super::assemble(&conv.text).map_err(|e| conv.map_error(e))
}

/// Converts xasm text into `.pyasm` text.
pub fn to_pyasm(text: &str) -> Result<String, AsmError> {
    Ok(convert(text)?.text)
}

/// The `.pyasm` text and, for each of its lines, where it came from.
struct Converted {
    text: String,
    /// Per output line: the xasm place of the line and of its argument.
    origin: Vec<(Loc, Option<(usize, Loc)>)>,
}

impl Converted {
    /// Moves an error in the converted text to the xasm text.
    fn map_error(&self, e: AsmError) -> AsmError {
        let Some(&(base, arg)) = self.origin.get((e.line as usize).wrapping_sub(1)) else {
            return e;
        };
        let loc = match arg {
            Some((col, at)) if e.col as usize >= col => at,
            _ => base,
        };
        loc.error(e.message)
    }
}

/// One instruction or marker of a method body.
enum BodyItem {
    Line(u32, Loc),
    Label(String, Loc),
    Instr {
        op: String,
        arg: Option<(String, Loc)>,
        loc: Loc,
    },
}

/// One `# Method Name:` block.
#[derive(Default)]
struct Method {
    name: String,
    loc: Loc,
    /// `(directive, value, place)` for the scalar fields.
    fields: Vec<(&'static str, String, Loc)>,
    consts: Vec<(Const, Loc)>,
    names: Vec<String>,
    varnames: Vec<String>,
    cellvars: Vec<String>,
    freevars: Vec<String>,
    body: Vec<BodyItem>,
    /// Indices (in file order) of the methods its code constants name, in order.
    children: Vec<usize>,
}

enum Const {
    Literal(String),
    /// A code object, by method name.
    Code(String),
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    Consts,
    Names,
    Varnames,
    Cells,
    Frees,
    Other,
}

/// Byte offset of `sub` inside `line` (both from the same string).
fn offset_in(line: &str, sub: &str) -> usize {
    sub.as_ptr() as usize - line.as_ptr() as usize
}

fn at(no: u32, line: &str, byte: usize) -> Loc {
    Loc {
        line: no,
        col: line[..byte.min(line.len())].chars().count() as u32 + 1,
    }
}

/// A Python string literal holding `s`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// xasm's name for anonymous code (`listcomp_0x7f…`) → CPython's (`<listcomp>`).
fn co_name(method: &str) -> String {
    for anon in [
        "module", "listcomp", "setcomp", "dictcomp", "genexpr", "lambda",
    ] {
        if let Some(rest) = method.strip_prefix(anon) {
            if rest
                .strip_prefix("_0x")
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return format!("<{anon}>");
            }
        }
    }
    method.to_string()
}

/// `<Code38 code object NAME at 0x…, file F>, line N` → `NAME`.
fn code_const(repr: &str) -> Option<String> {
    let rest = repr.strip_prefix("<Code")?;
    let rest = &rest[rest.find(" code object ")? + " code object ".len()..];
    let end = rest.rfind(" at 0x")?;
    Some(rest[..end].to_string())
}

fn parse_u32(s: &str, loc: Loc, what: &str) -> Result<u32, AsmError> {
    s.parse()
        .map_err(|_| loc.error(format!("expected {what} (a number), found {s:?}")))
}

struct Reader {
    version: Option<(u8, Loc)>,
    mtime: Option<u32>,
    size: Option<u32>,
    methods: Vec<Method>,
    section: Section,
}

impl Reader {
    fn method(&mut self, loc: Loc, what: &str) -> Result<&mut Method, AsmError> {
        self.methods
            .last_mut()
            .ok_or_else(|| loc.error(format!("{what} before the first `# Method Name:` line")))
    }

    fn comment(&mut self, no: u32, line: &str, body: &str) -> Result<(), AsmError> {
        let bstart = offset_in(line, body);
        let loc = at(no, line, bstart);
        // Section entries: `#    3: value` or `#\ta, b, c`.
        if matches!(
            self.section,
            Section::Consts | Section::Names | Section::Cells | Section::Frees
        ) {
            let t = body.trim_start();
            if let Some((idx, value)) = t.split_once(':') {
                if !idx.is_empty()
                    && idx.bytes().all(|b| b.is_ascii_digit())
                    && body.starts_with(char::is_whitespace)
                {
                    let vstart = offset_in(line, value) + (value.len() - value.trim_start().len());
                    let vloc = at(no, line, vstart);
                    let value = value.trim();
                    let section = self.section;
                    let m = self.method(loc, "a table entry")?;
                    let (len, what) = match section {
                        Section::Consts => (m.consts.len(), "constant"),
                        Section::Names => (m.names.len(), "name"),
                        Section::Cells => (m.cellvars.len(), "cell variable"),
                        _ => (m.freevars.len(), "free variable"),
                    };
                    let iloc = at(no, line, offset_in(line, t));
                    if idx.parse::<usize>().ok() != Some(len) {
                        return Err(
                            iloc.error(format!("expected {what} number {len}, found {idx}"))
                        );
                    }
                    match section {
                        Section::Consts => {
                            let c = match code_const(value) {
                                Some(name) => Const::Code(name),
                                None => Const::Literal(value.to_string()),
                            };
                            m.consts.push((c, vloc));
                        }
                        Section::Names => m.names.push(value.to_string()),
                        Section::Cells => m.cellvars.push(value.to_string()),
                        _ => m.freevars.push(value.to_string()),
                    }
                    return Ok(());
                }
            }
        }
        if self.section == Section::Varnames && body.starts_with('\t') {
            let m = self.method(loc, "a table entry")?;
            m.varnames = body
                .trim()
                .split(", ")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            return Ok(());
        }
        if self.section == Section::Other
            && (body.starts_with('\t')
                || body.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        {
            return Ok(());
        }
        let t = body.trim();
        let Some((key, value)) = t.split_once(':') else {
            self.section = Section::None;
            return Ok(());
        };
        let vstart = offset_in(line, value) + (value.len() - value.trim_start().len());
        let vloc = at(no, line, vstart);
        let value = value.trim();
        self.section = Section::None;
        let first_word = |v: &str| v.split_whitespace().next().unwrap_or("").to_string();
        let field = match key {
            "Method Name" => {
                self.methods.push(Method {
                    name: value.to_string(),
                    loc: vloc,
                    ..Method::default()
                });
                return Ok(());
            }
            "Constants" => {
                self.section = Section::Consts;
                return Ok(());
            }
            "Names" => {
                self.section = Section::Names;
                return Ok(());
            }
            "Varnames" => {
                self.section = Section::Varnames;
                return Ok(());
            }
            "Cell variables" => {
                self.section = Section::Cells;
                return Ok(());
            }
            "Free variables" => {
                self.section = Section::Frees;
                return Ok(());
            }
            "Positional arguments" | "Local variables" => {
                self.section = Section::Other;
                return Ok(());
            }
            "Timestamp in code" => {
                self.mtime = Some(parse_u32(&first_word(value), vloc, "a timestamp")?);
                return Ok(());
            }
            "Source code size mod 2**32" => {
                self.size = Some(parse_u32(&first_word(value), vloc, "a size")?);
                return Ok(());
            }
            "Filename" => ("filename", quote(value)),
            "Argument count" => ("argcount", first_word(value)),
            "Position-only argument count" => ("posonlyargcount", first_word(value)),
            "Keyword-only arguments" => ("kwonlyargcount", first_word(value)),
            "Number of locals" => ("nlocals", first_word(value)),
            "Stack size" => ("stacksize", first_word(value)),
            "Flags" => ("flags", first_word(value)),
            "First Line" => ("firstlineno", first_word(value)),
            _ => return Ok(()),
        };
        if field.0 != "filename" {
            let v = field.1.strip_prefix("0x").map_or_else(
                || field.1.parse::<i64>().is_ok(),
                |h| i64::from_str_radix(h, 16).is_ok(),
            );
            if !v {
                return Err(
                    vloc.error(format!("expected a number after `{key}:`, found {value:?}"))
                );
            }
        }
        let m = self.method(loc, &format!("`# {key}:`"))?;
        m.fields.push((field.0, field.1, vloc));
        Ok(())
    }

    /// `# Python bytecode 3.8.0 (3413)` and similar.
    fn version_line(&mut self, no: u32, line: &str, body: &str) -> Result<bool, AsmError> {
        let t = body.trim_start();
        let Some(pos) = t.find("Python bytecode ") else {
            return Ok(false);
        };
        if self.version.is_some() || !(pos == 0 || t.starts_with("CPython ")) {
            return Ok(false);
        }
        let v = &t[pos + "Python bytecode ".len()..];
        let vloc = at(no, line, offset_in(line, v));
        let word = v.split_whitespace().next().unwrap_or("");
        let mut parts = word.split('.');
        let (major, minor) = (parts.next(), parts.next());
        let minor = match (major, minor.and_then(|m| m.parse::<u8>().ok())) {
            (Some("3"), Some(m)) if MINORS.contains(&m) => m,
            _ => {
                return Err(vloc.error(format!(
                    "Python {word}: xasm text is read for 3.{}–3.{} only (3.11+ xasm text has no exception table)",
                    MINORS.start(),
                    MINORS.end()
                )))
            }
        };
        self.version = Some((minor, vloc));
        Ok(true)
    }

    fn body_line(&mut self, no: u32, line: &str) -> Result<(), AsmError> {
        let t = line.trim();
        let start = offset_in(line, t);
        let loc = at(no, line, start);
        self.section = Section::None;
        if let Some(head) = t.strip_suffix(':') {
            if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) {
                let n = parse_u32(head, loc, "a line number")?;
                self.method(loc, "a line number")?
                    .body
                    .push(BodyItem::Line(n, loc));
                return Ok(());
            }
            if head.starts_with('L')
                && head.len() > 1
                && head[1..].bytes().all(|b| b.is_ascii_digit())
            {
                let label = head.to_string();
                self.method(loc, "a label")?
                    .body
                    .push(BodyItem::Label(label, loc));
                return Ok(());
            }
            return Err(loc.error(format!(
                "{head:?} is not a label (`L<offset>:`) or a line number"
            )));
        }
        let op_end = t.find(char::is_whitespace).unwrap_or(t.len());
        let op = &t[..op_end];
        if !op
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'+')
            || !op.starts_with(|c: char| c.is_ascii_uppercase())
        {
            return Err(loc.error(format!(
                "expected an instruction, a label or a line number, found {t:?}"
            )));
        }
        let rest = &t[op_end..];
        let rest_t = rest.trim_start();
        let arg = if rest_t.is_empty() || rest_t.starts_with('(') {
            None
        } else {
            let w_end = rest_t.find(char::is_whitespace).unwrap_or(rest_t.len());
            let w = &rest_t[..w_end];
            let aloc = at(no, line, offset_in(line, rest_t));
            let ok = w.bytes().all(|b| b.is_ascii_digit())
                || (w.starts_with('L')
                    && w.len() > 1
                    && w[1..].bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(aloc.error(format!(
                    "expected the argument of {op} (a number or a label `L<offset>`), found {w:?}"
                )));
            }
            Some((w.to_string(), aloc))
        };
        let op = op.to_string();
        self.method(loc, "an instruction")?
            .body
            .push(BodyItem::Instr { op, arg, loc });
        Ok(())
    }
}

fn convert(text: &str) -> Result<Converted, AsmError> {
    let mut r = Reader {
        version: None,
        mtime: None,
        size: None,
        methods: Vec::new(),
        section: Section::None,
    };
    let mut last = 1;
    for (i, raw) in text.split('\n').enumerate() {
        let no = i as u32 + 1;
        last = no;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if r.section != Section::Varnames {
                r.section = Section::None;
            }
            continue;
        }
        if let Some(body) = line.trim_start().strip_prefix('#') {
            if r.methods.is_empty() && r.version_line(no, line, body)? {
                continue;
            }
            r.comment(no, line, body)?;
            continue;
        }
        if r.version.is_none() {
            return Err(at(no, line, 0).error(
                "no `# Python bytecode X.Y` header comment before the code: is this xasm text?",
            ));
        }
        r.body_line(no, line)?;
    }
    let Some((minor, _)) = r.version else {
        return Err(Loc { line: 1, col: 1 }
            .error("no `# Python bytecode X.Y` header comment: is this xasm text?"));
    };
    if r.methods.is_empty() {
        return Err(Loc { line: last, col: 1 }.error("no `# Method Name:` block"));
    }
    link(&mut r.methods)?;
    if !closures_consistent(&r.methods, false) && closures_consistent(&r.methods, true) {
        for m in &mut r.methods {
            std::mem::swap(&mut m.cellvars, &mut m.freevars);
        }
    }
    Ok(emit(&r, minor))
}

/// Whether reading the `# Cell variables:` / `# Free variables:` sections as they are
/// labelled (or `swapped`) gives a consistent nesting: every code object's free
/// variables are cell or free variables of the code holding it, and the module has
/// none. Some `xdis` releases (6.3.0 among them) read the two tuples of 3.x code
/// objects in the wrong order, so their labels are swapped; when only the swapped
/// reading is consistent it is the one used.
fn closures_consistent(methods: &[Method], swapped: bool) -> bool {
    fn frees(m: &Method, swapped: bool) -> &[String] {
        if swapped {
            &m.cellvars
        } else {
            &m.freevars
        }
    }
    let cells = |m| frees(m, !swapped);
    let frees = |m| frees(m, swapped);
    let root = methods.last().expect("at least one method");
    frees(root).is_empty()
        && methods.iter().all(|m| {
            m.children.iter().all(|&c| {
                frees(&methods[c])
                    .iter()
                    .all(|v| cells(m).contains(v) || frees(m).contains(v))
            })
        })
}

/// Matches code constants with the methods they name: `pydisasm` writes a code
/// object's nested code objects (each after its own nested ones) right before it,
/// so a method's children are the last methods before it not yet claimed.
fn link(methods: &mut [Method]) -> Result<(), AsmError> {
    let mut unclaimed: Vec<usize> = Vec::new();
    for i in 0..methods.len() {
        let wanted: Vec<(String, Loc)> = methods[i]
            .consts
            .iter()
            .filter_map(|(c, l)| match c {
                Const::Code(n) => Some((n.clone(), *l)),
                Const::Literal(_) => None,
            })
            .collect();
        if wanted.len() > unclaimed.len() {
            let (n, l) = &wanted[0];
            return Err(l.error(format!(
                "code object {n}: no `# Method Name: {n}` block for it before this one"
            )));
        }
        let kids = unclaimed.split_off(unclaimed.len() - wanted.len());
        for ((n, l), &k) in wanted.iter().zip(&kids) {
            if methods[k].name != *n {
                return Err(l.error(format!(
                    "code object {n}: the block for it should come before this one, found `# Method Name: {}` at line {}",
                    methods[k].name, methods[k].loc.line
                )));
            }
        }
        methods[i].children = kids;
        unclaimed.push(i);
    }
    if unclaimed.len() != 1 {
        let stray = &methods[unclaimed[0]];
        return Err(stray.loc.error(format!(
            "`# Method Name: {}` is not a constant of any later block: only the module's code may stand alone",
            stray.name
        )));
    }
    Ok(())
}

struct Out {
    text: String,
    origin: Vec<(Loc, Option<(usize, Loc)>)>,
}

impl Out {
    fn line(&mut self, s: &str, loc: Loc, arg: Option<(usize, Loc)>) {
        self.text.push_str(s);
        self.text.push('\n');
        self.origin.push((loc, arg));
    }
}

fn emit(r: &Reader, minor: u8) -> Converted {
    let mut out = Out {
        text: String::new(),
        origin: Vec::new(),
    };
    let top = Loc { line: 1, col: 1 };
    out.line(
        &format!("; converted from xasm text\n.python 3.{minor}"),
        top,
        None,
    );
    out.origin.push((top, None));
    out.line(
        &format!(
            ".header timestamp mtime={} size={}",
            r.mtime.unwrap_or(0),
            r.size.unwrap_or(0)
        ),
        top,
        None,
    );
    // Pre-order from the module (the last method), naming blocks by path.
    let mut names = vec![String::new(); r.methods.len()];
    let mut seen = std::collections::HashMap::<String, u32>::new();
    let mut order = Vec::new();
    let mut stack = vec![(r.methods.len() - 1, String::new())];
    while let Some((i, parent)) = stack.pop() {
        let own = co_name(&r.methods[i].name);
        let path = if parent.is_empty() {
            own
        } else {
            format!("{parent}.{own}")
        };
        let n = seen.entry(path.clone()).or_insert(0);
        *n += 1;
        names[i] = if *n == 1 {
            path.clone()
        } else {
            format!("{path}#{n}")
        };
        order.push(i);
        for &k in r.methods[i].children.iter().rev() {
            stack.push((k, path.clone()));
        }
    }
    for &i in &order {
        let m = &r.methods[i];
        out.line(&format!(".code {}", quote(&names[i])), m.loc, None);
        out.line(
            &format!("  .name {}", quote(&co_name(&m.name))),
            m.loc,
            None,
        );
        for (d, v, l) in &m.fields {
            out.line(&format!("  .{d} {v}"), *l, None);
        }
        let list = |v: &[String]| v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ");
        out.line(&format!("  .names {}", list(&m.names)), m.loc, None);
        out.line(&format!("  .varnames {}", list(&m.varnames)), m.loc, None);
        out.line(&format!("  .cellvars {}", list(&m.cellvars)), m.loc, None);
        out.line(&format!("  .freevars {}", list(&m.freevars)), m.loc, None);
        let mut kids = m.children.iter();
        for (k, (c, l)) in m.consts.iter().enumerate() {
            let v = match c {
                Const::Literal(s) => s.clone(),
                Const::Code(_) => {
                    let child = *kids.next().expect("linked");
                    format!("code {}", quote(&names[child]))
                }
            };
            let s = format!("  .const {k} ");
            let col = s.len() + 1;
            out.line(&format!("{s}{v}"), *l, Some((col, *l)));
        }
        for item in &m.body {
            match item {
                BodyItem::Line(n, l) => out.line(&format!("  .loc {n}"), *l, None),
                BodyItem::Label(s, l) => out.line(&format!("{s}:"), *l, None),
                BodyItem::Instr { op, arg, loc } => {
                    // Prefixes are computed by the assembler; the argument shown on
                    // the next instruction is already the whole one.
                    if op == "EXTENDED_ARG" {
                        continue;
                    }
                    match arg {
                        None => out.line(&format!("  {op}"), *loc, None),
                        Some((a, al)) => {
                            let s = format!("  {op} ");
                            let col = s.len() + 1;
                            out.line(&format!("{s}{a}"), *loc, Some((col, *al)));
                        }
                    }
                }
            }
        }
        out.line(".end", m.loc, None);
    }
    Converted {
        text: out.text,
        origin: out.origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "# pydisasm version 6.3.0\n# Python bytecode 3.8.0 (3413)\n\n";

    fn err(body: &str) -> (u32, u32, String) {
        let e = assemble_xasm(&format!("{HEAD}{body}")).unwrap_err();
        (e.line, e.col, e.message)
    }

    const OK: &str = "# Method Name:       <module>\n# Filename:          x.py\n# Argument count:    0\n# Stack size:        2\n# Flags:             0x00000040 (NOFREE)\n# First Line:        1\n# Constants:\n#    0: 'hi'\n#    1: None\n# Names:\n#    0: print\n\n  1:\n            LOAD_NAME            0 (print)\n            LOAD_CONST           0 ('hi')\n            CALL_FUNCTION        1\n            POP_TOP\n            LOAD_CONST           1 (None)\n            RETURN_VALUE\n";

    #[test]
    fn detects_and_assembles() {
        let text = format!("{HEAD}{OK}");
        assert!(is_xasm(&text));
        assert!(!is_xasm(".python 3.8\n"));
        let pyc = assemble_xasm(&text).unwrap();
        assert_eq!(pyc.header.version, crate::version::PyVersion::V3_8);
    }

    #[test]
    fn bad_argument_names_its_column() {
        let body = OK.replace(
            "LOAD_CONST           1 (None)",
            "LOAD_CONST           x1 (None)",
        );
        let (line, col, msg) = err(&body);
        assert_eq!((line, col), (21, 34), "{msg}");
    }

    #[test]
    fn index_out_of_range_maps_back() {
        let body = OK.replace(
            "LOAD_CONST           1 (None)",
            "LOAD_CONST           7 (None)",
        );
        let (line, col, _) = err(&body);
        assert_eq!((line, col), (21, 34));
    }

    #[test]
    fn unknown_opcode_maps_back() {
        let body = OK.replace("POP_TOP", "POP_TOPS");
        let (line, col, msg) = err(&body);
        assert_eq!((line, col), (20, 13), "{msg}");
    }

    #[test]
    fn constant_numbering_is_checked() {
        let body = OK.replace("#    1: None", "#    2: None");
        let (line, col, _) = err(&body);
        assert_eq!((line, col), (12, 6));
    }

    #[test]
    fn versions_outside_the_range_are_refused() {
        let e =
            assemble_xasm("# pydisasm version 6.3.0\n# Python bytecode 3.11 (3495)\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 19), "{e}");
    }

    #[test]
    fn missing_code_block_is_named() {
        let body = OK.replace(
            "#    1: None",
            "#    1: <Code38 code object f at 0x7f, file x.py>, line 3",
        );
        let (line, col, msg) = err(&body);
        assert_eq!((line, col), (12, 9), "{msg}");
    }
}
