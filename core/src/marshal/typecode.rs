//! Marshal type codes: the one place that says which byte means what.

/// The bit a marshal v3+ writer sets on a type byte to register the object in the
/// reference table (`FLAG_REF` in CPython's `marshal.c`).
pub const FLAG_REF: u8 = 0x80;

/// A marshal type code, without [`FLAG_REF`].
///
/// Every code the readers of CPython 2.7 and 3.6–3.13 accept is here. Codes that only
/// some marshal versions know are checked by the reader against the version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TypeCode {
    /// `0`: no object; only legal as the terminator of a dict.
    Null = b'0',
    None = b'N',
    False = b'F',
    True = b'T',
    /// The `StopIteration` exception class.
    StopIteration = b'S',
    Ellipsis = b'.',
    /// 32-bit signed int.
    Int = b'i',
    /// 64-bit signed int: read by every version, written by none of them.
    Int64 = b'I',
    /// Arbitrary-size int as signed count of 15-bit digits.
    Long = b'l',
    /// Float as `repr` text (marshal v0/v1).
    FloatText = b'f',
    /// Float as IEEE-754 binary64.
    Float = b'g',
    /// Complex as two `repr` texts.
    ComplexText = b'x',
    /// Complex as two binary64.
    Complex = b'y',
    /// `bytes` (Python 2: `str`).
    Bytes = b's',
    /// UTF-8 `str` (Python 2: `unicode`).
    Unicode = b'u',
    /// Interned UTF-8 `str` (Python 2: interned `str`, registered in the string table).
    Interned = b't',
    /// Python 2 only: reference into the table of interned strings.
    StringRef = b'R',
    /// `str` of Latin-1 bytes, 4-byte length.
    Ascii = b'a',
    AsciiInterned = b'A',
    /// `str` of Latin-1 bytes, 1-byte length.
    ShortAscii = b'z',
    ShortAsciiInterned = b'Z',
    /// Tuple, 4-byte count.
    Tuple = b'(',
    /// Tuple, 1-byte count.
    SmallTuple = b')',
    List = b'[',
    Dict = b'{',
    Set = b'<',
    FrozenSet = b'>',
    Code = b'c',
    /// Reference to an earlier object registered with [`FLAG_REF`].
    Ref = b'r',
    /// The writer's marker for an unmarshallable object; always an error.
    Unknown = b'?',
}

impl TypeCode {
    /// Decodes a type byte with [`FLAG_REF`] already removed.
    pub fn from_byte(b: u8) -> Option<TypeCode> {
        use TypeCode::*;
        Some(match b {
            b'0' => Null,
            b'N' => None,
            b'F' => False,
            b'T' => True,
            b'S' => StopIteration,
            b'.' => Ellipsis,
            b'i' => Int,
            b'I' => Int64,
            b'l' => Long,
            b'f' => FloatText,
            b'g' => Float,
            b'x' => ComplexText,
            b'y' => Complex,
            b's' => Bytes,
            b'u' => Unicode,
            b't' => Interned,
            b'R' => StringRef,
            b'a' => Ascii,
            b'A' => AsciiInterned,
            b'z' => ShortAscii,
            b'Z' => ShortAsciiInterned,
            b'(' => Tuple,
            b')' => SmallTuple,
            b'[' => List,
            b'{' => Dict,
            b'<' => Set,
            b'>' => FrozenSet,
            b'c' => Code,
            b'r' => Ref,
            b'?' => Unknown,
            _ => return Option::None,
        })
    }

    /// The lowest marshal version whose reader accepts this code, and the highest
    /// (Python 2's `R` string references were replaced by `r` in version 3).
    pub fn versions(self) -> (u8, u8) {
        use TypeCode::*;
        match self {
            Ref | Ascii | AsciiInterned | ShortAscii | ShortAsciiInterned | SmallTuple => (3, 4),
            StringRef => (0, 2),
            _ => (0, 4),
        }
    }

    /// Whether a flagged object of this type is registered in the reference table
    /// (singletons are returned as-is by the reader, flag or not).
    pub fn registers_ref(self) -> bool {
        use TypeCode::*;
        !matches!(
            self,
            Null | None | False | True | StopIteration | Ellipsis | Ref | StringRef | Unknown
        )
    }

    /// Whether this code holds a `str` in marshal v3+ (Python 3).
    pub fn is_py3_str(self) -> bool {
        use TypeCode::*;
        matches!(
            self,
            Unicode | Interned | Ascii | AsciiInterned | ShortAscii | ShortAsciiInterned
        )
    }

    /// Whether the payload of this string code is Latin-1 (one byte per character).
    pub fn is_latin1_str(self) -> bool {
        use TypeCode::*;
        matches!(
            self,
            Ascii | AsciiInterned | ShortAscii | ShortAsciiInterned
        )
    }

    /// Whether this code marks its string as interned.
    pub fn is_interned(self) -> bool {
        use TypeCode::*;
        matches!(self, Interned | AsciiInterned | ShortAsciiInterned)
    }
}
