//! Tokens of one line of assembly text.
//!
//! The format is line oriented, so the lexer works on one line at a time and never
//! sees a newline. `;` starts a comment outside string literals. Every token carries
//! the byte offset where it starts, which [`col`] turns into a 1-based column.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokKind<'a> {
    /// A bare word: opcode and label names, keywords (`None`, `code`, `inf`), block
    /// names such as `<module>.f.<lambda>#2`.
    Word(&'a str),
    /// A number as written (`12`, `-` is a separate token, `0x1f`, `2.5e-05`, `3j`,
    /// `7L`); its meaning depends on where it stands.
    Number(&'a str),
    /// A string literal: its prefix letters, and the text between the quotes with
    /// escapes still in it.
    Str { prefix: &'a str, body: &'a str },
    /// One of `( ) [ ] { } , : + - | = ?`.
    Punct(char),
    /// `->`.
    Arrow,
    /// `...`.
    Ellipsis,
}

/// A token and where it starts in its line (byte offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok<'a> {
    pub kind: TokKind<'a>,
    pub at: usize,
}

/// A lexical error: byte offset in the line and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexError {
    pub at: usize,
    pub message: String,
}

/// The 1-based column (in characters) of byte offset `at` in `line`.
pub(crate) fn col(line: &str, at: usize) -> u32 {
    let at = at.min(line.len());
    let prefix = line.get(..at).unwrap_or(line);
    if prefix.is_ascii() {
        at as u32 + 1
    } else {
        prefix.chars().count() as u32 + 1
    }
}

/// Whether `c` may start a bare word.
pub(crate) fn word_start(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '_' | '<' | '$')
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Whether `c` may continue a bare word.
pub(crate) fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '<' | '>' | '.' | '#' | '$')
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Whether `word` can be written bare (else it needs quotes).
pub(crate) fn is_bare_word(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) if word_start(c) => chars.all(word_char),
        _ => false,
    }
}

/// The part of `line` before its comment (a `;` outside string literals).
pub(crate) fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == b';' {
                    return &line[..i];
                }
                if c == b'\'' || c == b'"' {
                    quote = Some(c);
                }
            }
        }
        i += 1;
    }
    line
}

/// Splits `text` (a line, or the part of one after a directive; `base` is its byte
/// offset in the line) into tokens, stopping at a comment.
pub(crate) fn tokens(text: &str, base: usize) -> Result<Vec<Tok<'_>>, LexError> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let at = base + i;
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        if c == b';' {
            break;
        }
        if c == b'-' && b.get(i + 1) == Some(&b'>') {
            out.push(Tok {
                kind: TokKind::Arrow,
                at,
            });
            i += 2;
            continue;
        }
        if c == b'.' && text[i..].starts_with("...") {
            out.push(Tok {
                kind: TokKind::Ellipsis,
                at,
            });
            i += 3;
            continue;
        }
        if b"()[]{},:+-|=?".contains(&c) {
            out.push(Tok {
                kind: TokKind::Punct(c as char),
                at,
            });
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' {
            let (body, end) = string_body(text, i, base)?;
            out.push(Tok {
                kind: TokKind::Str { prefix: "", body },
                at,
            });
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            let hex = text[i..].starts_with("0x") || text[i..].starts_with("0X");
            while i < b.len() {
                let d = b[i];
                let exponent_sign =
                    (d == b'+' || d == b'-') && !hex && matches!(b[i - 1], b'e' | b'E');
                if d.is_ascii_alphanumeric() || d == b'_' || d == b'.' || exponent_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Tok {
                kind: TokKind::Number(&text[start..i]),
                at,
            });
            continue;
        }
        let ch = text[i..].chars().next().expect("i is in bounds");
        if word_start(ch) {
            let start = i;
            let mut end = i;
            for (k, ch) in text[i..].char_indices() {
                if word_char(ch) {
                    end = i + k + ch.len_utf8();
                } else {
                    break;
                }
            }
            let word = &text[start..end];
            // A string prefix glued to its quote.
            if let Some(&q) = b.get(end) {
                if (q == b'\'' || q == b'"') && is_string_prefix(word) {
                    let (body, stop) = string_body(text, end, base)?;
                    out.push(Tok {
                        kind: TokKind::Str { prefix: word, body },
                        at,
                    });
                    i = stop;
                    continue;
                }
            }
            out.push(Tok {
                kind: TokKind::Word(word),
                at,
            });
            i = end;
            continue;
        }
        return Err(LexError {
            at,
            message: format!("unexpected character {ch:?}"),
        });
    }
    Ok(out)
}

fn is_string_prefix(w: &str) -> bool {
    matches!(
        w.to_ascii_lowercase().as_str(),
        "b" | "u" | "r" | "br" | "rb" | "ur"
    )
}

/// The text between the quote at `open` and its closing quote, and the offset after
/// the closing quote.
fn string_body(text: &str, open: usize, base: usize) -> Result<(&str, usize), LexError> {
    let b = text.as_bytes();
    let q = b[open];
    let mut i = open + 1;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            return Ok((&text[open + 1..i], i + 1));
        }
        i += 1;
    }
    Err(LexError {
        at: base + open,
        message: "string literal is not closed on this line".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokKind<'_>> {
        tokens(text, 0)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn splits_a_constant() {
        use TokKind::*;
        assert_eq!(
            kinds("(1, -2.5e-05, b'a;b', code <module>.f#2) ; comment"),
            [
                Punct('('),
                Number("1"),
                Punct(','),
                Punct('-'),
                Number("2.5e-05"),
                Punct(','),
                Str {
                    prefix: "b",
                    body: "a;b"
                },
                Punct(','),
                Word("code"),
                Word("<module>.f#2"),
                Punct(')'),
            ]
        );
        assert_eq!(
            kinds("L1 L2 -> L3"),
            [Word("L1"), Word("L2"), Arrow, Word("L3")]
        );
        assert_eq!(
            kinds("f64:0x7ff8"),
            [Word("f64"), Punct(':'), Number("0x7ff8")]
        );
    }

    #[test]
    fn comments_and_columns() {
        assert_eq!(strip_comment("a 'x;y' ; z"), "a 'x;y' ");
        assert_eq!(col("é x", 3), 3);
        let e = tokens("'abc", 4).unwrap_err();
        assert_eq!(e.at, 4);
    }
}
