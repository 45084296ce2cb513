//! Errors of the marshal reader and writer. Every reader error names the byte offset
//! (from the start of the file) where the problem was found.

/// Why a marshal stream could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("offset {offset}: data ends while reading {what} ({needed} more bytes needed)")]
    Truncated {
        offset: usize,
        what: &'static str,
        needed: usize,
    },
    #[error("offset {offset}: unknown marshal type code 0x{byte:02x}")]
    UnknownType { offset: usize, byte: u8 },
    #[error("offset {offset}: type code {code:?} is not valid in marshal version {version}")]
    TypeNotInVersion {
        offset: usize,
        code: char,
        version: u8,
    },
    #[error("offset {offset}: NULL object where a value is required")]
    UnexpectedNull { offset: usize },
    #[error("offset {offset}: negative length {len}")]
    NegativeLength { offset: usize, len: i64 },
    #[error("offset {offset}: length {len} is larger than the {remaining} bytes left in the file")]
    LengthTooLarge {
        offset: usize,
        len: usize,
        remaining: usize,
    },
    #[error(
        "offset {offset}: reference {index} is out of range ({count} objects registered so far)"
    )]
    BadReference {
        offset: usize,
        index: i64,
        count: usize,
    },
    #[error("offset {offset}: reference {index} points to an object that is still being read")]
    ReferenceUnderConstruction { offset: usize, index: usize },
    #[error("offset {offset}: objects nested deeper than {limit}")]
    TooDeep { offset: usize, limit: usize },
    #[error("offset {offset}: more than {limit} objects")]
    TooManyObjects { offset: usize, limit: usize },
    #[error("offset {offset}: invalid long: {why}")]
    BadLong { offset: usize, why: &'static str },
    #[error("offset {offset}: invalid float text {text:?}")]
    BadFloat { offset: usize, text: String },
    #[error("offset {offset}: string is not valid UTF-8")]
    BadUtf8 { offset: usize },
    #[error("offset {offset}: the writer's marker for an unmarshallable object ('?')")]
    UnmarshallableMarker { offset: usize },
    #[error("offset {offset}: code object field {field} is {found}, expected {expected}")]
    CodeField {
        offset: usize,
        field: &'static str,
        found: &'static str,
        expected: &'static str,
    },
    #[error("offset {offset}: invalid code object: {why}")]
    BadCode { offset: usize, why: String },
    #[error("input of {len} bytes is larger than the limit of {limit} bytes")]
    InputTooLarge { len: usize, limit: usize },
}

impl ReadError {
    /// The offset in the file where the error was found.
    pub fn offset(&self) -> usize {
        use ReadError::*;
        match self {
            Truncated { offset, .. }
            | UnknownType { offset, .. }
            | TypeNotInVersion { offset, .. }
            | UnexpectedNull { offset }
            | NegativeLength { offset, .. }
            | LengthTooLarge { offset, .. }
            | BadReference { offset, .. }
            | ReferenceUnderConstruction { offset, .. }
            | TooDeep { offset, .. }
            | TooManyObjects { offset, .. }
            | BadLong { offset, .. }
            | BadFloat { offset, .. }
            | BadUtf8 { offset }
            | UnmarshallableMarker { offset }
            | CodeField { offset, .. }
            | BadCode { offset, .. } => *offset,
            InputTooLarge { .. } => 0,
        }
    }
}

/// Why an object graph could not be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("object {id} is nested deeper than {limit}")]
    TooDeep { id: usize, limit: usize },
    #[error("object {id} contains itself")]
    Cycle { id: usize },
    #[error("object {id}: {what} of {len} does not fit its encoding {code:?}")]
    DoesNotFit {
        id: usize,
        what: &'static str,
        len: usize,
        code: char,
    },
    #[error("object {id}: type byte 0x{byte:02x} does not match its value ({value})")]
    TypeMismatch {
        id: usize,
        byte: u8,
        value: &'static str,
    },
    #[error("object {id}: code object does not have the fields of CPython {version}")]
    CodeLayout { id: usize, version: String },
}
