//! CPython's marshal format, read and written exactly.
//!
//! [`read_object`] turns a stream into an [`ObjectGraph`] that remembers how every
//! object was encoded (type byte with its reference flag, the string form chosen,
//! small or large tuple, raw float bits, long digits) and which objects were shared
//! through references. [`write_object`] writes such a graph back; for an unchanged
//! graph the output equals the input byte for byte — something CPython's own
//! `marshal.dumps(marshal.loads(x))` does not do, since its reference flags follow
//! reference counts at dump time.
//!
//! ```
//! use pycopt_core::marshal::{read_object, write_object, Limits};
//! use pycopt_core::PyVersion;
//! // A flagged small tuple holding a short ASCII string and a reference to it.
//! let data = vec![0xa9, 2, 0xfa, 2, b'h', b'i', b'r', 1, 0, 0, 0];
//! let out = read_object(data.clone(), 0, PyVersion::V3_11, &Limits::default()).unwrap();
//! let mut back = Vec::new();
//! write_object(&out.graph, out.root, PyVersion::V3_11, &mut back).unwrap();
//! assert_eq!(back, data);
//! ```

mod error;
mod object;
mod read;
mod typecode;
mod write;

pub use error::{ReadError, WriteError};
pub use object::{Items, Node, ObjId, ObjectGraph, Span, Value};
pub use read::{is_utf8_surrogatepass, read_object, Limits, ReadOutcome, MAX_MARSHAL_DEPTH};
pub use typecode::{TypeCode, FLAG_REF};
pub use write::{is_registered, write_object};
