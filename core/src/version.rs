//! The CPython versions pycopt understands, and the magic numbers that name them.
//!
//! Every version-dependent decision in pycopt goes through [`PyVersion`]. Mapping is
//! exact: only the magic number of a final release is accepted, so a pre-release
//! `.pyc` (whose bytecode differs from the release's) or a newer interpreter's file
//! is refused with an error naming the magic, instead of being misread.

use std::fmt;

/// A supported CPython release line.
///
/// ```
/// use pycopt_core::version::PyVersion;
/// assert_eq!(PyVersion::from_magic(3495).unwrap(), PyVersion::V3_11);
/// assert!(PyVersion::from_magic(3627).is_err()); // 3.14 is not supported
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PyVersion {
    V2_7,
    V3_6,
    V3_7,
    V3_8,
    V3_9,
    V3_10,
    V3_11,
    V3_12,
    V3_13,
}

/// A magic number that no supported version uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("magic number {magic} is CPython {known}, which pycopt does not support (supported: 2.7, 3.6-3.13)")]
    KnownUnsupported { magic: u16, known: &'static str },
    #[error("magic number {magic} (0x{magic:04x}) is not the magic of any supported CPython release (2.7, 3.6-3.13)")]
    Unknown { magic: u16 },
}

/// Magic numbers of releases pycopt knows about but refuses, so the error can say
/// which interpreter wrote the file.
const KNOWN_UNSUPPORTED: &[(u16, &str)] = &[
    (3627, "3.14"),
    (3310, "3.4"),
    (3350, "3.5"),
    (3351, "3.5.3+"),
];

impl PyVersion {
    /// Every supported version, oldest first.
    pub const ALL: [PyVersion; 9] = [
        PyVersion::V2_7,
        PyVersion::V3_6,
        PyVersion::V3_7,
        PyVersion::V3_8,
        PyVersion::V3_9,
        PyVersion::V3_10,
        PyVersion::V3_11,
        PyVersion::V3_12,
        PyVersion::V3_13,
    ];

    /// The magic number written in the first two bytes of this version's `.pyc` files
    /// (`importlib.util.MAGIC_NUMBER` of the final release).
    pub const fn magic(self) -> u16 {
        match self {
            PyVersion::V2_7 => 62211,
            PyVersion::V3_6 => 3379,
            PyVersion::V3_7 => 3394,
            PyVersion::V3_8 => 3413,
            PyVersion::V3_9 => 3425,
            PyVersion::V3_10 => 3439,
            PyVersion::V3_11 => 3495,
            PyVersion::V3_12 => 3531,
            PyVersion::V3_13 => 3571,
        }
    }

    /// The version whose final release writes `magic`; fails closed on anything else.
    pub fn from_magic(magic: u16) -> Result<PyVersion, VersionError> {
        if let Some(v) = PyVersion::ALL.iter().find(|v| v.magic() == magic) {
            return Ok(*v);
        }
        if let Some((_, known)) = KNOWN_UNSUPPORTED.iter().find(|(m, _)| *m == magic) {
            return Err(VersionError::KnownUnsupported { magic, known });
        }
        Err(VersionError::Unknown { magic })
    }

    /// `(major, minor)`.
    pub const fn tuple(self) -> (u8, u8) {
        match self {
            PyVersion::V2_7 => (2, 7),
            PyVersion::V3_6 => (3, 6),
            PyVersion::V3_7 => (3, 7),
            PyVersion::V3_8 => (3, 8),
            PyVersion::V3_9 => (3, 9),
            PyVersion::V3_10 => (3, 10),
            PyVersion::V3_11 => (3, 11),
            PyVersion::V3_12 => (3, 12),
            PyVersion::V3_13 => (3, 13),
        }
    }

    /// Parses `"3.11"` (or `"311"`, `"3.11.7"`).
    pub fn parse(text: &str) -> Option<PyVersion> {
        let t = text.trim();
        let mut parts = t.split('.');
        let (major, minor) = match (parts.next(), parts.next()) {
            (Some(a), Some(b)) => (a.parse::<u8>().ok()?, b.parse::<u8>().ok()?),
            (Some(a), None) if a.len() >= 2 => {
                let (x, y) = a.split_at(1);
                (x.parse().ok()?, y.parse().ok()?)
            }
            _ => return None,
        };
        PyVersion::ALL
            .iter()
            .copied()
            .find(|v| v.tuple() == (major, minor))
    }

    /// The marshal format this version writes `.pyc` files with.
    pub const fn marshal_version(self) -> u8 {
        match self {
            PyVersion::V2_7 => 2,
            _ => 4,
        }
    }

    /// Size of the `.pyc` header in bytes: 8 on 2.7 (magic, mtime), 12 on 3.6
    /// (magic, mtime, size), 16 from 3.7 on (PEP 552 flags word added).
    pub const fn header_len(self) -> usize {
        match self {
            PyVersion::V2_7 => 8,
            PyVersion::V3_6 => 12,
            _ => 16,
        }
    }

    /// Whether this is Python 2.
    pub const fn is_py2(self) -> bool {
        matches!(self, PyVersion::V2_7)
    }

    /// Whether `self` is `other` or newer: the one way version switches are written.
    pub const fn at_least(self, other: PyVersion) -> bool {
        (self as u8) >= (other as u8)
    }

    /// The interpreter's cache tag as used in `__pycache__` names (`cpython-311`).
    pub fn cache_tag(self) -> String {
        let (a, b) = self.tuple();
        format!("cpython-{a}{b}")
    }
}

impl fmt::Display for PyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = self.tuple();
        write!(f, "{a}.{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_round_trip() {
        for v in PyVersion::ALL {
            assert_eq!(PyVersion::from_magic(v.magic()), Ok(v));
        }
    }

    #[test]
    fn unsupported_magics_fail_closed() {
        let e = PyVersion::from_magic(3627).unwrap_err();
        assert!(e.to_string().contains("3.14"), "{e}");
        // A 3.12 pre-release magic in the 3.12 range is not 3.12.
        assert!(matches!(
            PyVersion::from_magic(3530),
            Err(VersionError::Unknown { .. })
        ));
        assert!(PyVersion::from_magic(0).is_err());
    }

    #[test]
    fn parse_forms() {
        assert_eq!(PyVersion::parse("3.11"), Some(PyVersion::V3_11));
        assert_eq!(PyVersion::parse("3.11.7"), Some(PyVersion::V3_11));
        assert_eq!(PyVersion::parse("311"), Some(PyVersion::V3_11));
        assert_eq!(PyVersion::parse("2.7"), Some(PyVersion::V2_7));
        assert_eq!(PyVersion::parse("3.14"), None);
        assert!(PyVersion::V3_12.at_least(PyVersion::V3_11));
    }
}
