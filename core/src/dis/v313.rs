//! The `dis` printer for this version family (being written).

use super::{Ctx, DisError};
use crate::marshal::ObjId;

/// Disassembles one code object as this family's `dis.disassemble` prints it.
pub(crate) fn disassemble(cx: &Ctx, id: ObjId, out: &mut String) -> Result<(), DisError> {
    let _ = (cx, id, out);
    Err(DisError::Invalid {
        qualname: String::new(),
        why: format!("dis for CPython {} is not written yet", cx.version),
    })
}
