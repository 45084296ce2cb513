//! The `.pyc` container: a header, then one marshalled code object.
//!
//! Header layouts: 2.7 writes magic and source mtime (8 bytes); 3.6 adds the source
//! size (12 bytes); 3.7+ adds the PEP 552 flags word (16 bytes), whose bit 0 makes the
//! last 8 bytes a SipHash of the source instead of mtime and size, and whose bit 1
//! asks the importer to check that hash.

use crate::code::Code;
use crate::marshal::{self, Limits, ObjId, ObjectGraph, ReadError, WriteError};
use crate::version::{PyVersion, VersionError};

/// How the importer decides whether a `.pyc` is stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// Source modification time and size (size absent on 2.7).
    Timestamp {
        mtime: u32,
        source_size: Option<u32>,
    },
    /// Hash of the source, never checked by default (flags `0b01`).
    UncheckedHash([u8; 8]),
    /// Hash of the source, checked on import (flags `0b11`).
    CheckedHash([u8; 8]),
}

impl Invalidation {
    /// A short name: `timestamp`, `unchecked-hash` or `checked-hash`.
    pub fn name(&self) -> &'static str {
        match self {
            Invalidation::Timestamp { .. } => "timestamp",
            Invalidation::UncheckedHash(_) => "unchecked-hash",
            Invalidation::CheckedHash(_) => "checked-hash",
        }
    }
}

/// The fields of a `.pyc` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PycHeader {
    pub version: PyVersion,
    /// The PEP 552 flags word as written (3.7+; 0 before). Kept whole so a file whose
    /// word has bit 1 without bit 0 (which importlib treats as a timestamp pyc) is
    /// written back unchanged.
    pub flags: u32,
    pub invalidation: Invalidation,
}

/// Why a `.pyc` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PycError {
    #[error("offset {offset}: {why}")]
    BadHeader { offset: usize, why: String },
    #[error("offset 0: {0}")]
    Version(#[from] VersionError),
    #[error(transparent)]
    Marshal(#[from] ReadError),
    #[error("offset {offset}: the top-level object is {found}, not a code object")]
    NotCode { offset: usize, found: &'static str },
}

impl PycError {
    /// The offset in the file where the error was found.
    pub fn offset(&self) -> usize {
        match self {
            PycError::BadHeader { offset, .. } | PycError::NotCode { offset, .. } => *offset,
            PycError::Version(_) => 0,
            PycError::Marshal(e) => e.offset(),
        }
    }
}

impl PycHeader {
    /// Parses the header at the start of `data`.
    pub fn parse(data: &[u8]) -> Result<PycHeader, PycError> {
        if data.len() < 4 {
            return Err(PycError::BadHeader {
                offset: data.len(),
                why: format!(
                    "file is {} bytes, too short for a .pyc magic number",
                    data.len()
                ),
            });
        }
        let magic = u16::from_le_bytes([data[0], data[1]]);
        if data[2..4] != [0x0d, 0x0a] {
            return Err(PycError::BadHeader {
                offset: 2,
                why: format!(
                    "bytes 2-3 are {:02x} {:02x}, not 0d 0a: not a .pyc file",
                    data[2], data[3]
                ),
            });
        }
        let version = PyVersion::from_magic(magic)?;
        let len = version.header_len();
        if data.len() < len {
            return Err(PycError::BadHeader {
                offset: data.len(),
                why: format!("file ends inside the {len}-byte header of a CPython {version} .pyc"),
            });
        }
        let word =
            |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
        let (flags, rest) = if version.at_least(PyVersion::V3_7) {
            (word(4), 8)
        } else {
            (0, 4)
        };
        if flags & !0b11 != 0 {
            return Err(PycError::BadHeader {
                offset: 4,
                why: format!("invalid flags word 0x{flags:08x} (only bits 0 and 1 are defined)"),
            });
        }
        let invalidation = if flags & 1 != 0 {
            let mut h = [0u8; 8];
            h.copy_from_slice(&data[rest..rest + 8]);
            if flags & 2 != 0 {
                Invalidation::CheckedHash(h)
            } else {
                Invalidation::UncheckedHash(h)
            }
        } else {
            Invalidation::Timestamp {
                mtime: word(rest),
                source_size: (len >= rest + 8).then(|| word(rest + 4)),
            }
        };
        Ok(PycHeader {
            version,
            flags,
            invalidation,
        })
    }

    /// Length of the encoded header.
    pub fn len(&self) -> usize {
        self.version.header_len()
    }

    /// Whether the header is empty (never: kept for clippy's `len` convention).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends the encoded header to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.version.magic().to_le_bytes());
        out.extend_from_slice(&[0x0d, 0x0a]);
        if self.version.at_least(PyVersion::V3_7) {
            out.extend_from_slice(&self.flags.to_le_bytes());
        }
        match self.invalidation {
            Invalidation::Timestamp { mtime, source_size } => {
                out.extend_from_slice(&mtime.to_le_bytes());
                if let Some(size) = source_size {
                    out.extend_from_slice(&size.to_le_bytes());
                }
            }
            Invalidation::UncheckedHash(h) | Invalidation::CheckedHash(h) => {
                out.extend_from_slice(&h)
            }
        }
    }
}

/// A whole `.pyc`: header, the object graph of its marshal stream, and any bytes
/// after the marshalled object (CPython ignores them; pycopt keeps them).
#[derive(Clone, Debug)]
pub struct Pyc {
    pub header: PycHeader,
    pub graph: ObjectGraph,
    /// The module's code object.
    pub root: ObjId,
    pub trailing: Vec<u8>,
}

impl Pyc {
    /// Reads a `.pyc` with the default [`Limits`].
    pub fn parse(data: Vec<u8>) -> Result<Pyc, PycError> {
        Pyc::parse_with(data, &Limits::default())
    }

    /// Reads a `.pyc` with explicit limits.
    pub fn parse_with(data: Vec<u8>, limits: &Limits) -> Result<Pyc, PycError> {
        let header = PycHeader::parse(&data)?;
        let start = header.len();
        let out = marshal::read_object(data, start, header.version, limits)?;
        let node = out.graph.node(out.root);
        if !matches!(node.value, marshal::Value::Code(_)) {
            return Err(PycError::NotCode {
                offset: start,
                found: marshal_value_name(&node.value),
            });
        }
        let trailing = out.graph.input_tail(out.end).to_vec();
        Ok(Pyc {
            header,
            graph: out.graph,
            root: out.root,
            trailing,
        })
    }

    /// The CPython version that wrote the file.
    pub fn version(&self) -> PyVersion {
        self.header.version
    }

    /// The module's code object.
    pub fn module(&self) -> &Code {
        self.graph
            .as_code(self.root)
            .expect("Pyc::parse checked the root is a code object")
    }

    /// Encodes the file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, WriteError> {
        let mut out = Vec::with_capacity(self.graph.byte_pool_len() + 64);
        self.header.write(&mut out);
        marshal::write_object(&self.graph, self.root, self.header.version, &mut out)?;
        out.extend_from_slice(&self.trailing);
        Ok(out)
    }
}

fn marshal_value_name(v: &marshal::Value) -> &'static str {
    use marshal::Value::*;
    match v {
        None => "None",
        Code(_) => "a code object",
        Tuple(_) => "a tuple",
        Str(_) => "a str",
        Bytes(_) => "bytes",
        Int(_) | Int64(_) | Long { .. } => "an int",
        _ => "not a code object",
    }
}
