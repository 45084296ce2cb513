//! Instructions: `co_code` decoded and encoded back exactly.
//!
//! One [`Instruction`] per real instruction: its `EXTENDED_ARG` prefixes are folded in
//! (their count is kept, so redundant `EXTENDED_ARG 0` prefixes that 3.8 and 3.9 leave
//! survive), its inline `CACHE` units are accounted for (kept only when they are not
//! zero, which a `.pyc` never has), and a jump's target is resolved to a byte offset.
//! [`encode`] writes the same bytes back.
//!
//! ```
//! use pycopt_core::instr::{decode, encode};
//! use pycopt_core::PyVersion;
//! // 3.11: RESUME 0; LOAD_CONST 0; RETURN_VALUE
//! let code = [151, 0, 100, 0, 83, 0];
//! let instrs = decode(&code, PyVersion::V3_11).unwrap();
//! assert_eq!(instrs.len(), 3);
//! assert_eq!(instrs[1].op.name, "LOAD_CONST");
//! assert_eq!(encode(&instrs, PyVersion::V3_11), code);
//! ```

use crate::opcode::{table, Encoding, OpInfo, OpcodeError, OpcodeTable};
use crate::version::PyVersion;

/// One decoded instruction.
#[derive(Clone, Debug)]
pub struct Instruction {
    /// Byte offset of the instruction's first byte: its first `EXTENDED_ARG` prefix,
    /// or its opcode when it has none. Jumps target this offset.
    pub start: u32,
    /// Byte offset of the opcode itself (what `dis` shows as the offset).
    pub offset: u32,
    /// The opcode.
    pub op: &'static OpInfo,
    /// The full argument, prefixes included. For an opcode that takes no argument this
    /// is whatever its argument byte holds (3.10 leaves non-zero bytes there).
    pub arg: u32,
    /// Number of `EXTENDED_ARG` prefixes.
    pub prefixes: u8,
    /// Contents of the inline cache units when any is non-zero; empty otherwise.
    pub cache: Box<[u8]>,
}

impl PartialEq for Instruction {
    fn eq(&self, other: &Instruction) -> bool {
        self.start == other.start
            && self.offset == other.offset
            && self.op.code == other.op.code
            && self.arg == other.arg
            && self.prefixes == other.prefixes
            && self.cache == other.cache
    }
}

impl Eq for Instruction {}

impl Instruction {
    /// Byte offset just past the instruction and its inline caches.
    pub fn end(&self, t: &OpcodeTable) -> u32 {
        self.offset + t.instr_len(self.op) as u32
    }

    /// The byte offset this instruction jumps to, if it is a jump.
    pub fn jump_target(&self, t: &OpcodeTable) -> Option<u32> {
        self.op.jump.and_then(|j| j.target(self.end(t), self.arg))
    }
}

/// Why `co_code` could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("code offset {offset}: {source}")]
    Opcode {
        offset: u32,
        #[source]
        source: OpcodeError,
    },
    #[error("code offset {offset}: instruction runs past the end of the code ({len} bytes)")]
    Truncated { offset: u32, len: usize },
    #[error("code offset {offset}: EXTENDED_ARG prefixes make the argument overflow 32 bits")]
    ArgOverflow { offset: u32 },
    #[error("code offset {offset}: EXTENDED_ARG at the end of the code")]
    DanglingExtendedArg { offset: u32 },
    #[error("code offset {offset}: CACHE unit where an instruction should start")]
    StrayCache { offset: u32 },
}

/// Decodes `code` as `version` lays it out.
pub fn decode(code: &[u8], version: PyVersion) -> Result<Vec<Instruction>, DecodeError> {
    let t = table(version);
    match t.encoding {
        Encoding::Wordcode => decode_wordcode(code, t),
        Encoding::Bytes3 => decode_bytes3(code, t),
    }
}

fn decode_wordcode(code: &[u8], t: &'static OpcodeTable) -> Result<Vec<Instruction>, DecodeError> {
    let mut out = Vec::with_capacity(code.len() / 2);
    let mut pos = 0usize;
    let mut start = 0usize;
    let mut arg: u32 = 0;
    let mut prefixes: u8 = 0;
    if !code.len().is_multiple_of(2) {
        return Err(DecodeError::Truncated {
            offset: (code.len() - 1) as u32,
            len: code.len(),
        });
    }
    while pos < code.len() {
        let opcode = code[pos];
        let byte = code[pos + 1] as u32;
        let op = t.get(opcode).map_err(|source| DecodeError::Opcode {
            offset: pos as u32,
            source,
        })?;
        if op.flow.cache {
            return Err(DecodeError::StrayCache { offset: pos as u32 });
        }
        if arg > (u32::MAX >> 8) {
            return Err(DecodeError::ArgOverflow { offset: pos as u32 });
        }
        let full = (arg << 8) | byte;
        if op.flow.extended_arg {
            if prefixes == 0 {
                start = pos;
            }
            prefixes = prefixes.saturating_add(1);
            arg = full;
            pos += 2;
            if pos >= code.len() {
                return Err(DecodeError::DanglingExtendedArg {
                    offset: (pos - 2) as u32,
                });
            }
            continue;
        }
        if prefixes == 0 {
            start = pos;
        }
        let len = t.instr_len(op);
        if pos + len > code.len() {
            return Err(DecodeError::Truncated {
                offset: pos as u32,
                len: code.len(),
            });
        }
        let cache_bytes = &code[pos + 2..pos + len];
        let cache = if cache_bytes.iter().all(|&b| b == 0) {
            Box::default()
        } else {
            cache_bytes.into()
        };
        out.push(Instruction {
            start: start as u32,
            offset: pos as u32,
            op,
            arg: full,
            prefixes,
            cache,
        });
        pos += len;
        arg = 0;
        prefixes = 0;
    }
    Ok(out)
}

fn decode_bytes3(code: &[u8], t: &'static OpcodeTable) -> Result<Vec<Instruction>, DecodeError> {
    let mut out = Vec::with_capacity(code.len() / 2);
    let mut pos = 0usize;
    let mut start = 0usize;
    let mut high: u32 = 0;
    let mut prefixes: u8 = 0;
    let shift = t.extended_arg_shift as u32;
    while pos < code.len() {
        let op = t.get(code[pos]).map_err(|source| DecodeError::Opcode {
            offset: pos as u32,
            source,
        })?;
        if prefixes == 0 {
            start = pos;
        }
        let mut arg = 0u32;
        if op.has_arg {
            if pos + 3 > code.len() {
                return Err(DecodeError::Truncated {
                    offset: pos as u32,
                    len: code.len(),
                });
            }
            let own = u16::from_le_bytes([code[pos + 1], code[pos + 2]]) as u32;
            if high > (u32::MAX >> shift) {
                return Err(DecodeError::ArgOverflow { offset: pos as u32 });
            }
            arg = (high << shift) | own;
        }
        if op.flow.extended_arg {
            prefixes = prefixes.saturating_add(1);
            high = arg;
            pos += 3;
            if pos >= code.len() {
                return Err(DecodeError::DanglingExtendedArg {
                    offset: (pos - 3) as u32,
                });
            }
            continue;
        }
        out.push(Instruction {
            start: start as u32,
            offset: pos as u32,
            op,
            arg,
            prefixes,
            cache: Box::default(),
        });
        pos += t.instr_len(op);
        high = 0;
        prefixes = 0;
    }
    Ok(out)
}

/// Encodes instructions as `version` lays them out: each instruction's prefixes carry
/// the high parts of its argument, then the opcode, its argument byte(s) and caches.
///
/// Offsets stored in the instructions are not consulted; jump arguments are written
/// as they are (computing them from targets is the code generator's job).
pub fn encode(instrs: &[Instruction], version: PyVersion) -> Vec<u8> {
    let t = table(version);
    let mut out = Vec::with_capacity(instrs.len() * 2);
    let ext = t.extended_arg;
    for i in instrs {
        match t.encoding {
            Encoding::Wordcode => {
                for k in (1..=i.prefixes as u32).rev() {
                    let part = i.arg.checked_shr(8 * k).unwrap_or(0) & 0xff;
                    out.extend_from_slice(&[ext, part as u8]);
                }
                out.extend_from_slice(&[i.op.code, (i.arg & 0xff) as u8]);
                let caches = 2 * i.op.cache_entries as usize;
                if i.cache.len() == caches {
                    out.extend_from_slice(&i.cache);
                } else {
                    out.resize(out.len() + caches, 0);
                }
            }
            Encoding::Bytes3 => {
                let shift = t.extended_arg_shift as u32;
                for k in (1..=i.prefixes as u32).rev() {
                    let part = i.arg.checked_shr(shift * k).unwrap_or(0) & 0xffff;
                    out.push(ext);
                    out.extend_from_slice(&(part as u16).to_le_bytes());
                }
                out.push(i.op.code);
                if i.op.has_arg {
                    out.extend_from_slice(&((i.arg & 0xffff) as u16).to_le_bytes());
                }
            }
        }
    }
    out
}

/// How many `EXTENDED_ARG` prefixes an argument needs at least.
pub fn prefixes_needed(arg: u32, version: PyVersion) -> u8 {
    let shift = table(version).extended_arg_shift as u32;
    let mut n = 0;
    let mut rest = arg >> shift;
    while rest != 0 {
        n += 1;
        rest >>= shift;
    }
    n
}
