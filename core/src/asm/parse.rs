//! Assembly text → syntax tree, with the line and column of everything that can be
//! wrong later.

use super::lex::{self, col, strip_comment, Tok, TokKind};
use super::literal::{CodeNames, Lit, LitParser};
use super::AsmError;
use crate::code::kind;
use crate::linetable::Position;
use crate::opcode::{table, OpInfo, OpcodeTable};
use crate::version::PyVersion;

/// A place in the text: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Loc {
    pub line: u32,
    pub col: u32,
}

impl Loc {
    /// An error at this place.
    pub fn error(self, message: impl Into<String>) -> AsmError {
        AsmError {
            line: self.line,
            col: self.col,
            message: message.into(),
        }
    }
}

/// How the `.pyc` header says whether the file is stale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HeaderDecl {
    Timestamp { mtime: u32, size: Option<u32> },
    UncheckedHash([u8; 8]),
    CheckedHash([u8; 8]),
}

/// One element of the marshal layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LayoutTok {
    /// An object written in full with this type byte.
    Type(u8),
    /// A reference to the registered object with this index.
    Ref(u32),
}

/// An instruction argument as written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ArgDecl {
    /// A number: the argument itself (index, count, flags) or a raw jump argument.
    Number(u32),
    /// A bare word: a label (jumps) or a name in the table the opcode indexes, with
    /// flag bits given as `name+N`.
    Word(String, u32),
    /// A quoted name, with flag bits.
    Quoted(String, u32),
}

/// One instruction line.
#[derive(Clone, Debug)]
pub(crate) struct InstrDecl {
    pub op: &'static OpInfo,
    pub arg: Option<(ArgDecl, Loc)>,
    /// `.extended N` before it.
    pub extended: u8,
    /// `.cache HEX` after it.
    pub cache: Option<Vec<u8>>,
    pub loc: Loc,
}

/// One element of a code body, in order.
#[derive(Clone, Debug)]
pub(crate) enum Item {
    Label(String, Loc),
    /// `.loc`: the position of the instructions that follow.
    Pos(Position),
    Instr(InstrDecl),
}

/// `.handler START END -> TARGET depth N [lasti]`.
#[derive(Clone, Debug)]
pub(crate) struct HandlerDecl {
    pub start: (String, Loc),
    pub end: (String, Loc),
    pub target: (String, Loc),
    pub depth: u32,
    pub lasti: bool,
}

/// A value with the place it was written.
pub(crate) type At<T> = Option<(T, Loc)>;

/// One `.code` … `.end` block.
#[derive(Clone, Debug, Default)]
pub(crate) struct Block {
    pub name: String,
    pub loc: Loc,
    pub argcount: At<i32>,
    pub posonlyargcount: At<i32>,
    pub kwonlyargcount: At<i32>,
    pub nlocals: At<i32>,
    pub stacksize: At<i32>,
    pub flags: At<i32>,
    pub firstlineno: At<i32>,
    pub filename: At<Lit>,
    pub co_name: At<Lit>,
    pub qualname: At<Lit>,
    pub names: At<Vec<Lit>>,
    pub varnames: At<Vec<Lit>>,
    pub cellvars: At<Vec<Lit>>,
    pub freevars: At<Vec<Lit>>,
    pub localsplus: At<Vec<(Lit, u8)>>,
    pub consts: Vec<(Lit, Loc)>,
    pub body: Vec<Item>,
    pub handlers: Vec<HandlerDecl>,
    /// `.linetable` / `.lnotab`: the original table.
    pub linetable: At<Vec<u8>>,
    /// `.exceptiontable`: a table to use as it is.
    pub exceptiontable: At<Vec<u8>>,
    /// `.rawcode`: `co_code` to use as it is (no instructions then).
    pub rawcode: At<Vec<u8>>,
    pub end: Loc,
}

/// A whole parsed file.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub version: PyVersion,
    pub header: HeaderDecl,
    pub header_flags: Option<u32>,
    pub trailing: Vec<u8>,
    pub blocks: Vec<Block>,
    pub layout: Vec<LayoutTok>,
    pub codes: CodeNames,
}

/// The names `.localsplus` kinds are written with.
pub(crate) const KIND_NAMES: &[(&str, u8)] = &[
    ("hidden", kind::HIDDEN),
    ("local", kind::LOCAL),
    ("cell", kind::CELL),
    ("free", kind::FREE),
];

struct Line<'a> {
    text: &'a str,
    no: u32,
    ascii: bool,
}

impl Line<'_> {
    fn loc(&self, at: usize) -> Loc {
        Loc {
            line: self.no,
            col: if self.ascii {
                at.min(self.text.len()) as u32 + 1
            } else {
                col(self.text, at)
            },
        }
    }

    fn err(&self, at: usize, message: impl Into<String>) -> AsmError {
        self.loc(at).error(message)
    }
}

/// Parses a whole assembly text.
pub(crate) fn parse(text: &str) -> Result<Parsed, AsmError> {
    let mut p = Parser {
        version: None,
        format_seen: false,
        header: None,
        header_flags: None,
        trailing: Vec::new(),
        blocks: Vec::new(),
        block: None,
        layout: Vec::new(),
        codes: CodeNames::default(),
        pending_extended: None,
    };
    let mut last_line = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let no = i as u32 + 1;
        last_line = no;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let line = Line {
            text,
            no,
            ascii: text.is_ascii(),
        };
        p.line(&line)?;
    }
    let end = Loc {
        line: last_line,
        col: 1,
    };
    if let Some(b) = &p.block {
        return Err(end.error(format!(
            "the file ends inside `.code {}` (opened at line {}): `.end` is missing",
            b.name, b.loc.line
        )));
    }
    let Some(version) = p.version else {
        return Err(
            Loc { line: 1, col: 1 }.error("no `.python X.Y` line: the version must be given first")
        );
    };
    if p.blocks.is_empty() {
        return Err(end.error("no `.code` block: a file needs at least the module's code"));
    }
    let header = p.header.unwrap_or(HeaderDecl::Timestamp {
        mtime: 0,
        size: (version != PyVersion::V2_7).then_some(0),
    });
    Ok(Parsed {
        version,
        header,
        header_flags: p.header_flags,
        trailing: p.trailing,
        blocks: p.blocks,
        layout: p.layout,
        codes: p.codes,
    })
}

struct Parser {
    version: Option<PyVersion>,
    format_seen: bool,
    header: Option<HeaderDecl>,
    header_flags: Option<u32>,
    trailing: Vec<u8>,
    blocks: Vec<Block>,
    block: Option<Block>,
    layout: Vec<LayoutTok>,
    codes: CodeNames,
    pending_extended: Option<(u8, Loc)>,
}

/// Hex digits (whitespace ignored) → bytes.
fn hex_bytes(line: &Line<'_>, text: &str, base: usize) -> Result<Vec<u8>, AsmError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut hi: Option<(u8, usize)> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let Some(v) = c.to_digit(16) else {
            return Err(line.err(base + i, format!("{c:?} is not a hex digit")));
        };
        match hi.take() {
            None => hi = Some((v as u8, i)),
            Some((h, _)) => out.push((h << 4) | v as u8),
        }
    }
    if let Some((_, i)) = hi {
        return Err(line.err(base + i, "odd number of hex digits"));
    }
    Ok(out)
}

impl Parser {
    fn table(&self) -> &'static OpcodeTable {
        table(self.version.expect("checked before code blocks"))
    }

    fn line(&mut self, line: &Line<'_>) -> Result<(), AsmError> {
        let text = line.text;
        let trimmed = text.trim_start();
        let indent = text.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            return Ok(());
        }
        if let Some(rest) = trimmed.strip_prefix('.') {
            if !rest.starts_with('.') {
                let name_len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                let name = &rest[..name_len];
                let args_at = indent + 1 + name_len;
                return self.directive(line, name, indent, args_at);
            }
        }
        if self.block.is_none() {
            return Err(line.err(
                indent,
                "instructions and labels belong inside a `.code` block",
            ));
        }
        // The first word is a label (`NAME:`) or an opcode name (2.7 has `SLICE+1`).
        let word_len = trimmed
            .find(|c: char| c.is_whitespace() || c == ';')
            .unwrap_or(trimmed.len());
        let word = &trimmed[..word_len];
        let rest_at = indent + word_len;
        let toks = lex::tokens(&text[rest_at..], rest_at).map_err(|e| line.err(e.at, e.message))?;
        if let Some(name) = word.strip_suffix(':') {
            if !lex::is_bare_word(name) {
                return Err(line.err(indent, format!("`{name}` is not a label name")));
            }
            if let Some(t) = toks.first() {
                return Err(line.err(t.at, "a label stands alone on its line"));
            }
            let block = self.block.as_mut().expect("checked");
            block
                .body
                .push(Item::Label(name.to_string(), line.loc(indent)));
            return Ok(());
        }
        let op = self.opcode(line, word, indent)?;
        let arg = match &toks[..] {
            [] => None,
            rest => Some(self.arg(line, rest)?),
        };
        let (extended, _) = self.pending_extended.take().unwrap_or((0, Loc::default()));
        let block = self.block.as_mut().expect("checked");
        block.body.push(Item::Instr(InstrDecl {
            op,
            arg,
            extended,
            cache: None,
            loc: line.loc(indent),
        }));
        Ok(())
    }

    fn opcode(&self, line: &Line<'_>, name: &str, at: usize) -> Result<&'static OpInfo, AsmError> {
        let t = self.table();
        let v = t.version;
        if let Some(op) = t.by_name(name) {
            if op.flow.extended_arg {
                return Err(line.err(
                    at,
                    "EXTENDED_ARG is computed by the assembler; use `.extended N` to ask for more prefixes",
                ));
            }
            if op.flow.cache {
                return Err(line.err(
                    at,
                    "CACHE entries are computed by the assembler; use `.cache HEX` after the instruction for non-zero contents",
                ));
            }
            return Ok(op);
        }
        if let Some(f) = t.forbidden_by_name(name) {
            let base = f.base.map(|b| format!(" (write {b})")).unwrap_or_default();
            return Err(line.err(
                at,
                format!(
                    "{name} is {} opcode of CPython {v} and never appears in a .pyc{base}",
                    f.kind.with_article()
                ),
            ));
        }
        if t.pseudo_by_name(name).is_some() {
            return Err(line.err(
                at,
                format!("{name} is a compiler pseudo-op in CPython {v}, not a real opcode"),
            ));
        }
        let upper = name.to_ascii_uppercase();
        let hint = if upper != name && t.by_name(&upper).is_some() {
            format!(" (did you mean {upper}?)")
        } else {
            String::new()
        };
        Err(line.err(at, format!("unknown opcode {name} for CPython {v}{hint}")))
    }

    fn arg(&self, line: &Line<'_>, toks: &[Tok<'_>]) -> Result<(ArgDecl, Loc), AsmError> {
        let loc = line.loc(toks[0].at);
        let number = |t: &Tok<'_>, text: &str| -> Result<u32, AsmError> {
            parse_u32(text).ok_or_else(|| {
                line.err(
                    t.at,
                    format!("`{text}` is not an argument (0 to 4294967295)"),
                )
            })
        };
        let (decl, used) = match toks[0].kind {
            TokKind::Number(text) => (ArgDecl::Number(number(&toks[0], text)?), 1),
            TokKind::Word(w) | TokKind::Str { body: w, .. } => {
                let quoted = matches!(toks[0].kind, TokKind::Str { .. });
                let name = if quoted {
                    super::literal::unescape_name(w).map_err(|m| line.err(toks[0].at, m))?
                } else {
                    w.to_string()
                };
                let (flags, used) = match toks.get(1).map(|t| t.kind) {
                    Some(TokKind::Punct('+')) => match toks.get(2) {
                        Some(
                            t @ Tok {
                                kind: TokKind::Number(n),
                                ..
                            },
                        ) => (number(t, n)?, 3),
                        _ => {
                            return Err(
                                line.err(toks[1].at, "expected flag bits (a number) after `+`")
                            )
                        }
                    },
                    _ => (0, 1),
                };
                if quoted {
                    (ArgDecl::Quoted(name, flags), used)
                } else {
                    (ArgDecl::Word(name, flags), used)
                }
            }
            _ => {
                return Err(line.err(
                    toks[0].at,
                    "expected an argument: a number, a label or a name",
                ))
            }
        };
        if let Some(t) = toks.get(used) {
            return Err(line.err(
                t.at,
                "unexpected text after the argument (one instruction per line)",
            ));
        }
        Ok((decl, loc))
    }

    fn block_mut(
        &mut self,
        line: &Line<'_>,
        at: usize,
        name: &str,
    ) -> Result<&mut Block, AsmError> {
        match self.block.as_mut() {
            Some(b) => Ok(b),
            None => Err(line.err(at, format!("`.{name}` belongs inside a `.code` block"))),
        }
    }

    fn directive(
        &mut self,
        line: &Line<'_>,
        name: &str,
        at: usize,
        args_at: usize,
    ) -> Result<(), AsmError> {
        let rest = strip_comment(&line.text[args_at..]);
        let toks = || lex::tokens(rest, args_at).map_err(|e| line.err(e.at, e.message));
        let end_of = args_at + rest.trim_end().len();
        // Directives that must come before the version is known.
        match name {
            "pyasm" => {
                let t = toks()?;
                match t.as_slice() {
                    [Tok {
                        kind: TokKind::Number("1"),
                        ..
                    }] => {
                        self.format_seen = true;
                        return Ok(());
                    }
                    [t0, ..] => {
                        return Err(
                            line.err(t0.at, "this assembler reads format version 1 (`.pyasm 1`)")
                        )
                    }
                    [] => return Err(line.err(end_of, "expected the format version: `.pyasm 1`")),
                }
            }
            "python" => {
                if self.version.is_some() {
                    return Err(line.err(at, "`.python` given twice"));
                }
                let word = rest.trim();
                let v = PyVersion::parse(word)
                    .filter(|_| !word.is_empty())
                    .ok_or_else(|| {
                        line.err(
                            args_at + (rest.len() - rest.trim_start().len()),
                            format!("`{word}` is not a supported CPython version (2.7, 3.6-3.13)"),
                        )
                    })?;
                self.version = Some(v);
                return Ok(());
            }
            _ => {}
        }
        if self.version.is_none() {
            return Err(line.err(at, "`.python X.Y` must come before anything else"));
        }
        let version = self.version.expect("checked");
        match name {
            "header" => {
                let words: Vec<(usize, &str)> =
                    split_words(rest).map(|(i, w)| (args_at + i, w)).collect();
                let kind_at = words.first().map_or(end_of, |w| w.0);
                match words.first().map(|w| w.1) {
                    Some("timestamp") => {
                        let mut mtime = None;
                        let mut size = None;
                        for &(w_at, w) in &words[1..] {
                            let bad = || line.err(w_at, format!("expected `mtime=N` or `size=N`, not `{w}`"));
                            let (key, n) = w.split_once('=').ok_or_else(bad)?;
                            let v = parse_u32(n).ok_or_else(|| {
                                line.err(w_at + key.len() + 1, format!("`{n}` is not a 32-bit number"))
                            })?;
                            match key {
                                "mtime" => mtime = Some(v),
                                "size" => size = Some(v),
                                _ => return Err(bad()),
                            }
                        }
                        if version == PyVersion::V2_7 && size.is_some() {
                            return Err(line.err(kind_at, "a 2.7 header has no source size"));
                        }
                        if version != PyVersion::V2_7 && size.is_none() {
                            return Err(line.err(end_of, "a 3.x timestamp header needs `size=N`"));
                        }
                        self.header = Some(HeaderDecl::Timestamp {
                            mtime: mtime.ok_or_else(|| line.err(end_of, "`mtime=N` is missing"))?,
                            size,
                        });
                    }
                    Some(k @ ("unchecked-hash" | "checked-hash")) => {
                        if !version.at_least(PyVersion::V3_7) {
                            return Err(line.err(kind_at, format!("hash-based .pyc files need CPython 3.7+, not {version}")));
                        }
                        let hex_at = words.get(1).map_or(end_of, |w| w.0);
                        let hex_text = &line.text[hex_at.min(end_of)..end_of];
                        let bytes = hex_bytes(line, hex_text, hex_at)?;
                        let h: [u8; 8] = bytes.try_into().map_err(|_| {
                            line.err(hex_at, "a source hash is 8 bytes (16 hex digits)")
                        })?;
                        self.header = Some(if k == "checked-hash" {
                            HeaderDecl::CheckedHash(h)
                        } else {
                            HeaderDecl::UncheckedHash(h)
                        });
                    }
                    _ => {
                        return Err(line.err(
                            kind_at,
                            "expected `timestamp mtime=N size=N`, `unchecked-hash HEX` or `checked-hash HEX`",
                        ))
                    }
                }
                return Ok(());
            }
            "header-flags" => {
                let n = self.int_arg(line, rest, args_at, end_of)?;
                let v = u32::try_from(n)
                    .ok()
                    .filter(|v| v & !3 == 0)
                    .ok_or_else(|| {
                        line.err(args_at + 1, "the flags word has only bits 0 and 1 (0 to 3)")
                    })?;
                if !version.at_least(PyVersion::V3_7) {
                    return Err(
                        line.err(at, format!("CPython {version} headers have no flags word"))
                    );
                }
                self.header_flags = Some(v);
                return Ok(());
            }
            "trailing" => {
                self.trailing = hex_bytes(line, rest, args_at)?;
                return Ok(());
            }
            "marshal-layout" => {
                for (i, word) in split_words(rest) {
                    let t = if let Some(n) = word.strip_prefix('r') {
                        LayoutTok::Ref(n.parse().map_err(|_| {
                            line.err(args_at + i, format!("`{word}` is not a reference (`rN`)"))
                        })?)
                    } else {
                        LayoutTok::Type(u8::from_str_radix(word, 16).ok().filter(|_| word.len() == 2).ok_or_else(
                            || line.err(args_at + i, format!("`{word}` is not a type byte (two hex digits) or a reference (`rN`)")),
                        )?)
                    };
                    self.layout.push(t);
                }
                return Ok(());
            }
            "code" => {
                if let Some(b) = &self.block {
                    return Err(line.err(
                        at,
                        format!("`.code` inside `.code {}` (opened at line {}): close it with `.end` first", b.name, b.loc.line),
                    ));
                }
                let t = toks()?;
                let name = match t.first().map(|t| t.kind) {
                    Some(TokKind::Word(w)) => w.to_string(),
                    Some(TokKind::Str { body, .. }) => {
                        super::literal::unescape_name(body).map_err(|m| line.err(t[0].at, m))?
                    }
                    _ => return Err(line.err(end_of, "expected the block's name: `.code NAME`")),
                };
                if let Some(x) = t.get(1) {
                    return Err(line.err(x.at, "unexpected text after the block name"));
                }
                if let Some(prev) = self.blocks.iter().find(|b| b.name == name) {
                    return Err(line.err(
                        t[0].at,
                        format!(
                            "code block `{name}` is already defined at line {}",
                            prev.loc.line
                        ),
                    ));
                }
                self.block = Some(Block {
                    name,
                    loc: line.loc(t[0].at),
                    ..Block::default()
                });
                return Ok(());
            }
            "end" => {
                let Some(mut b) = self.block.take() else {
                    return Err(line.err(at, "`.end` without `.code`"));
                };
                if let Some((_, loc)) = self.pending_extended.take() {
                    return Err(loc.error("`.extended` is not followed by an instruction"));
                }
                b.end = line.loc(at);
                self.blocks.push(b);
                return Ok(());
            }
            _ => {}
        }
        // Everything else belongs to a code block.
        match name {
            "argcount" | "posonlyargcount" | "kwonlyargcount" | "nlocals" | "stacksize"
            | "flags" | "firstlineno" => {
                let n = self.int_arg(line, rest, args_at, end_of)?;
                let v = i32::try_from(n)
                    .or_else(|_| u32::try_from(n).map(|u| u as i32))
                    .map_err(|_| line.err(args_at + 1, format!("{n} does not fit in 32 bits")))?;
                let loc = line.loc(at);
                let allowed = match name {
                    "posonlyargcount" => version.at_least(PyVersion::V3_8),
                    "kwonlyargcount" => !version.is_py2(),
                    "nlocals" => !version.at_least(PyVersion::V3_11),
                    _ => true,
                };
                if !allowed {
                    return Err(line.err(
                        at,
                        format!("CPython {version} code objects have no co_{name}"),
                    ));
                }
                let b = self.block_mut(line, at, name)?;
                let slot = match name {
                    "argcount" => &mut b.argcount,
                    "posonlyargcount" => &mut b.posonlyargcount,
                    "kwonlyargcount" => &mut b.kwonlyargcount,
                    "nlocals" => &mut b.nlocals,
                    "stacksize" => &mut b.stacksize,
                    "flags" => &mut b.flags,
                    _ => &mut b.firstlineno,
                };
                if slot.is_some() {
                    return Err(line.err(at, format!("`.{name}` given twice")));
                }
                *slot = Some((v, loc));
            }
            "filename" | "name" | "qualname" => {
                if name == "qualname" && !version.at_least(PyVersion::V3_11) {
                    return Err(line.err(
                        at,
                        format!("CPython {version} code objects have no co_qualname"),
                    ));
                }
                let t = toks()?;
                let lit = self.one_literal(line, &t, end_of)?;
                let loc = line.loc(at);
                let b = self.block_mut(line, at, name)?;
                let slot = match name {
                    "filename" => &mut b.filename,
                    "name" => &mut b.co_name,
                    _ => &mut b.qualname,
                };
                if slot.is_some() {
                    return Err(line.err(at, format!("`.{name}` given twice")));
                }
                *slot = Some((lit, loc));
            }
            "names" | "varnames" | "cellvars" | "freevars" => {
                if name != "names" && version.at_least(PyVersion::V3_11) {
                    return Err(line.err(
                        at,
                        format!("CPython {version} code objects keep locals in `.localsplus`, not `.{name}`"),
                    ));
                }
                let t = toks()?;
                let items = self.literal_list(line, &t, end_of)?;
                let loc = line.loc(at);
                let b = self.block_mut(line, at, name)?;
                let slot = match name {
                    "names" => &mut b.names,
                    "varnames" => &mut b.varnames,
                    "cellvars" => &mut b.cellvars,
                    _ => &mut b.freevars,
                };
                if slot.is_some() {
                    return Err(line.err(at, format!("`.{name}` given twice")));
                }
                *slot = Some((items, loc));
            }
            "localsplus" => {
                if !version.at_least(PyVersion::V3_11) {
                    return Err(line.err(
                        at,
                        format!("CPython {version} code objects have `.varnames`, `.cellvars` and `.freevars`, not `.localsplus`"),
                    ));
                }
                let t = toks()?;
                let items = self.localsplus(line, &t, end_of)?;
                let loc = line.loc(at);
                let b = self.block_mut(line, at, name)?;
                if b.localsplus.is_some() {
                    return Err(line.err(at, "`.localsplus` given twice"));
                }
                b.localsplus = Some((items, loc));
            }
            "const" => {
                let t = toks()?;
                let Some(Tok {
                    kind: TokKind::Number(n),
                    at: n_at,
                }) = t.first().copied()
                else {
                    return Err(line.err(end_of, "expected `.const INDEX VALUE`"));
                };
                let index: usize = n
                    .parse()
                    .map_err(|_| line.err(n_at, format!("`{n}` is not a constant index")))?;
                let lit = self.one_literal(line, &t[1..], end_of)?;
                let loc = line.loc(n_at);
                let b = self.block_mut(line, at, name)?;
                if index != b.consts.len() {
                    return Err(line.err(
                        n_at,
                        format!(
                            "constant index {index} out of order: the next constant of this block is {}",
                            b.consts.len()
                        ),
                    ));
                }
                b.consts.push((lit, loc));
            }
            "loc" => {
                let t = toks()?;
                let pos = self.position(line, &t, end_of, version)?;
                let b = self.block_mut(line, at, name)?;
                b.body.push(Item::Pos(pos));
            }
            "extended" => {
                let n = self.int_arg(line, rest, args_at, end_of)?;
                let max = if version.is_py2() { 1 } else { 3 };
                if !(0..=max).contains(&n) {
                    return Err(line.err(
                        args_at + 1,
                        format!("an instruction has at most {max} EXTENDED_ARG prefixes"),
                    ));
                }
                self.block_mut(line, at, name)?;
                if self.pending_extended.is_some() {
                    return Err(line.err(at, "`.extended` given twice for one instruction"));
                }
                self.pending_extended = Some((n as u8, line.loc(at)));
            }
            "cache" => {
                let bytes = hex_bytes(line, rest, args_at)?;
                let b = self.block_mut(line, at, name)?;
                let Some(Item::Instr(i)) = b.body.last_mut() else {
                    return Err(line.err(at, "`.cache` must directly follow its instruction"));
                };
                let want = 2 * i.op.cache_entries as usize;
                if bytes.len() != want {
                    return Err(line.err(
                        args_at + 1,
                        format!(
                            "{} has {want} bytes of inline cache, not {}",
                            i.op.name,
                            bytes.len()
                        ),
                    ));
                }
                if i.cache.is_some() {
                    return Err(line.err(at, "`.cache` given twice for one instruction"));
                }
                i.cache = Some(bytes);
            }
            "handler" => {
                if !version.at_least(PyVersion::V3_11) {
                    return Err(line.err(
                        at,
                        format!("CPython {version} has no exception table: handlers are SETUP_* instructions"),
                    ));
                }
                let t = toks()?;
                let h = self.handler(line, &t, end_of)?;
                self.block_mut(line, at, name)?.handlers.push(h);
            }
            "linetable" | "lnotab" | "exceptiontable" | "rawcode" => {
                let want = match name {
                    "lnotab" => !version.at_least(PyVersion::V3_10),
                    "linetable" => version.at_least(PyVersion::V3_10),
                    "exceptiontable" => version.at_least(PyVersion::V3_11),
                    _ => true,
                };
                if !want {
                    let other = if name == "lnotab" {
                        "`.linetable`"
                    } else if name == "linetable" {
                        "`.lnotab`"
                    } else {
                        "nothing"
                    };
                    return Err(line.err(
                        at,
                        format!("CPython {version} code objects have no `.{name}` (use {other})"),
                    ));
                }
                let bytes = hex_bytes(line, rest, args_at)?;
                let loc = line.loc(at);
                let b = self.block_mut(line, at, name)?;
                let slot = match name {
                    "exceptiontable" => &mut b.exceptiontable,
                    "rawcode" => &mut b.rawcode,
                    _ => &mut b.linetable,
                };
                if slot.is_some() {
                    return Err(line.err(at, format!("`.{name}` given twice")));
                }
                *slot = Some((bytes, loc));
            }
            _ => return Err(line.err(at, format!("unknown directive `.{name}`"))),
        }
        Ok(())
    }

    fn int_arg(
        &self,
        line: &Line<'_>,
        rest: &str,
        base: usize,
        end_of: usize,
    ) -> Result<i64, AsmError> {
        let t = lex::tokens(rest, base).map_err(|e| line.err(e.at, e.message))?;
        let (neg, i) = match t.first().map(|t| t.kind) {
            Some(TokKind::Punct('-')) => (true, 1),
            _ => (false, 0),
        };
        let Some(tok) = t.get(i) else {
            return Err(line.err(end_of, "expected a number"));
        };
        let TokKind::Number(n) = tok.kind else {
            return Err(line.err(tok.at, "expected a number"));
        };
        let v = parse_u32(n)
            .map(i64::from)
            .ok_or_else(|| line.err(tok.at, format!("`{n}` is not a 32-bit number")))?;
        if let Some(x) = t.get(i + 1) {
            return Err(line.err(x.at, "unexpected text after the number"));
        }
        Ok(if neg { -v } else { v })
    }

    fn lit_parser<'t, 'a>(
        &'t mut self,
        line: &Line<'_>,
        t: &'t [Tok<'a>],
        end_of: usize,
    ) -> LitParser<'t, 'a> {
        LitParser {
            toks: t,
            pos: 0,
            version: self.version.expect("checked"),
            end: end_of,
            line: line.no,
            codes: &mut self.codes,
        }
    }

    fn one_literal(
        &mut self,
        line: &Line<'_>,
        t: &[Tok<'_>],
        end_of: usize,
    ) -> Result<Lit, AsmError> {
        let mut p = self.lit_parser(line, t, end_of);
        let lit = p.literal().map_err(|(at, m)| line.err(at, m))?;
        if let Some(x) = t.get(p.pos) {
            return Err(line.err(x.at, "unexpected text after the constant"));
        }
        Ok(lit)
    }

    fn literal_list(
        &mut self,
        line: &Line<'_>,
        t: &[Tok<'_>],
        end_of: usize,
    ) -> Result<Vec<Lit>, AsmError> {
        let mut p = self.lit_parser(line, t, end_of);
        p.list_to_end().map_err(|(at, m)| line.err(at, m))
    }

    fn localsplus(
        &mut self,
        line: &Line<'_>,
        t: &[Tok<'_>],
        end_of: usize,
    ) -> Result<Vec<(Lit, u8)>, AsmError> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < t.len() {
            let mut p = self.lit_parser(line, &t[pos..], end_of);
            let lit = p.literal().map_err(|(at, m)| line.err(at, m))?;
            pos += p.pos;
            let mut bits = 0u8;
            let mut any = false;
            while let Some(tok) = t.get(pos) {
                let v = match tok.kind {
                    TokKind::Word(w) => KIND_NAMES
                        .iter()
                        .find(|(n, _)| *n == w)
                        .map(|(_, b)| *b)
                        .ok_or_else(|| {
                        line.err(
                            tok.at,
                            format!(
                                "unknown local kind `{w}` (local, cell, free, hidden, or a number)"
                            ),
                        )
                    })?,
                    TokKind::Number(n) => parse_u32(n)
                        .and_then(|v| u8::try_from(v).ok())
                        .ok_or_else(|| line.err(tok.at, format!("`{n}` is not a kind byte")))?,
                    _ => break,
                };
                bits |= v;
                any = true;
                pos += 1;
                if t.get(pos).map(|t| t.kind) == Some(TokKind::Punct('+')) {
                    pos += 1;
                } else {
                    break;
                }
            }
            if !any {
                return Err(line.err(
                    t.get(pos).map_or(end_of, |t| t.at),
                    "expected the kind of the local: local, cell, free, hidden (joined with +)",
                ));
            }
            out.push((lit, bits));
            match t.get(pos).map(|t| t.kind) {
                None => break,
                Some(TokKind::Punct(',')) => pos += 1,
                Some(_) => return Err(line.err(t[pos].at, "expected `,` between locals")),
            }
        }
        Ok(out)
    }

    fn position(
        &self,
        line: &Line<'_>,
        t: &[Tok<'_>],
        end_of: usize,
        version: PyVersion,
    ) -> Result<Position, AsmError> {
        if let [Tok {
            kind: TokKind::Word("none"),
            at,
        }] = t
        {
            if !version.at_least(PyVersion::V3_10) {
                return Err(line.err(
                    *at,
                    format!("CPython {version} line tables give every instruction a line"),
                ));
            }
            return Ok(Position::NONE);
        }
        let mut i = 0;
        let int = |i: &mut usize, what: &str| -> Result<Option<i64>, AsmError> {
            let neg = t.get(*i).map(|t| t.kind) == Some(TokKind::Punct('-'));
            if neg {
                *i += 1;
            }
            match t.get(*i) {
                Some(Tok {
                    kind: TokKind::Number(n),
                    at,
                }) => {
                    *i += 1;
                    let v = parse_u32(n)
                        .ok_or_else(|| line.err(*at, format!("`{n}` is not a {what}")))?;
                    Ok(Some(if neg { -i64::from(v) } else { i64::from(v) }))
                }
                Some(Tok {
                    kind: TokKind::Punct('?'),
                    ..
                }) if !neg => {
                    *i += 1;
                    Ok(None)
                }
                Some(tok) => Err(line.err(tok.at, format!("expected a {what}"))),
                None => Err(line.err(end_of, format!("expected a {what}"))),
            }
        };
        let as_line = |v: Option<i64>, at: usize| -> Result<i32, AsmError> {
            v.and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| line.err(at, "expected a line number"))
        };
        let as_col = |v: Option<i64>, at: usize| -> Result<Option<u32>, AsmError> {
            match v {
                None => Ok(None),
                Some(c) => u32::try_from(c)
                    .map(Some)
                    .map_err(|_| line.err(at, "a column is not negative")),
            }
        };
        let at0 = t.first().map_or(end_of, |t| t.at);
        let l = as_line(int(&mut i, "line number")?, at0)?;
        let mut pos = Position {
            line: Some(l),
            end_line: Some(l),
            column: None,
            end_column: None,
        };
        let mut cols = false;
        if t.get(i).map(|t| t.kind) == Some(TokKind::Punct(':')) {
            i += 1;
            let at = t.get(i).map_or(end_of, |t| t.at);
            pos.column = as_col(int(&mut i, "column")?, at)?;
            cols = true;
        }
        if t.get(i).map(|t| t.kind) == Some(TokKind::Punct('-')) {
            i += 1;
            let at = t.get(i).map_or(end_of, |t| t.at);
            pos.end_line = Some(as_line(int(&mut i, "end line")?, at)?);
            if t.get(i).map(|t| t.kind) == Some(TokKind::Punct(':')) {
                i += 1;
                let at = t.get(i).map_or(end_of, |t| t.at);
                pos.end_column = as_col(int(&mut i, "end column")?, at)?;
                cols = true;
            } else if cols {
                return Err(line.err(
                    t.get(i).map_or(end_of, |t| t.at),
                    "expected `:END_COLUMN` after the end line",
                ));
            }
        } else if cols {
            return Err(line.err(
                t.get(i).map_or(end_of, |t| t.at),
                "expected `-END_LINE:END_COLUMN`",
            ));
        }
        if let Some(x) = t.get(i) {
            return Err(line.err(x.at, "unexpected text after the position"));
        }
        if !version.at_least(PyVersion::V3_11) && (pos.end_line != pos.line || cols) {
            return Err(line.err(
                at0,
                format!("CPython {version} line tables hold only a line number: `.loc LINE`"),
            ));
        }
        Ok(pos)
    }

    fn handler(
        &self,
        line: &Line<'_>,
        t: &[Tok<'_>],
        end_of: usize,
    ) -> Result<HandlerDecl, AsmError> {
        let label = |i: usize, what: &str| -> Result<(String, Loc), AsmError> {
            match t.get(i) {
                Some(Tok {
                    kind: TokKind::Word(w),
                    at,
                }) => Ok((w.to_string(), line.loc(*at))),
                Some(tok) => Err(line.err(tok.at, format!("expected the {what} label"))),
                None => Err(line.err(end_of, format!("expected the {what} label"))),
            }
        };
        let start = label(0, "start")?;
        let end = label(1, "end")?;
        match t.get(2) {
            Some(Tok {
                kind: TokKind::Arrow,
                ..
            }) => {}
            Some(tok) => return Err(line.err(tok.at, "expected `->`")),
            None => return Err(line.err(end_of, "expected `-> TARGET depth N`")),
        }
        let target = label(3, "handler")?;
        match t.get(4) {
            Some(Tok {
                kind: TokKind::Word("depth"),
                ..
            }) => {}
            Some(tok) => return Err(line.err(tok.at, "expected `depth N`")),
            None => return Err(line.err(end_of, "expected `depth N`")),
        }
        let depth = match t.get(5) {
            Some(Tok {
                kind: TokKind::Number(n),
                at,
            }) => parse_u32(n).ok_or_else(|| line.err(*at, format!("`{n}` is not a depth")))?,
            Some(tok) => return Err(line.err(tok.at, "expected the depth (a number)")),
            None => return Err(line.err(end_of, "expected the depth (a number)")),
        };
        let lasti = match t.get(6) {
            None => false,
            Some(Tok {
                kind: TokKind::Word("lasti"),
                ..
            }) => true,
            Some(tok) => return Err(line.err(tok.at, "expected `lasti` or the end of the line")),
        };
        if let Some(x) = t.get(7) {
            return Err(line.err(x.at, "unexpected text after the handler"));
        }
        Ok(HandlerDecl {
            start,
            end,
            target,
            depth,
            lasti,
        })
    }
}

/// `(offset, word)` of each whitespace-separated word.
fn split_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_whitespace().map(move |w| {
        let i = at
            + text[at..]
                .find(w)
                .expect("split_whitespace yields substrings");
        at = i + w.len();
        (i, w)
    })
}

/// A non-negative number that fits in 32 bits: decimal, `0x` hex, `0o`, `0b`.
pub(crate) fn parse_u32(text: &str) -> Option<u32> {
    let t = text.to_ascii_lowercase();
    let clean: String = t.chars().filter(|&c| c != '_').collect();
    let (body, radix) = if let Some(h) = clean.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = clean.strip_prefix("0o") {
        (o, 8)
    } else if let Some(b) = clean.strip_prefix("0b") {
        (b, 2)
    } else {
        (clean.as_str(), 10)
    };
    if body.is_empty() {
        return None;
    }
    u32::from_str_radix(body, radix).ok()
}
