//! The e-graph's language: one node per pure operation of the bytecode, named by an
//! opcode enum ([`Op`]) so that matching compares integers, never strings.
//!
//! Text forms (for rules and tests): constants `#n` (index into the analysis'
//! value table), inputs `$n` (values the surrounding code produced, opaque), unary
//! `neg pos ~ not bool`, binary operators by their symbols (`+ - * @ / // % ** << >>
//! & | ^`), comparisons by theirs with a trailing `!` for 3.13's bool-result form
//! (`<!`), `is is-not in not-in`, `tuple`, `slice` (`BUILD_SLICE`), `[]` (subscript),
//! `[:]` (3.12+ `BINARY_SLICE`: container, start, stop) and calls by the builtin's
//! name.

use std::fmt;

use egg::{FromOp, Id, Language};

use crate::eval::{BinOp, Builtin, CmpOp, UnaryOp};

/// An index into the constant analysis' value table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueRef(pub u32);

/// What a node computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// A known constant.
    Const(ValueRef),
    /// A value computed by the surrounding code (skeleton or another region): never
    /// inspected, never duplicated, never dropped.
    Input(u32),
    Unary(UnaryOp),
    Binary(BinOp),
    /// A comparison; `true` for 3.13's form that converts the result to bool.
    Compare(CmpOp, bool),
    /// `is` (`true`: `is not`).
    Is(bool),
    /// `in` (`true`: `not in`).
    In(bool),
    /// `BUILD_TUPLE n`.
    Tuple,
    /// `BUILD_SLICE 2|3`.
    Slice,
    /// `BINARY_SUBSCR`.
    Subscr,
    /// 3.12+ `BINARY_SLICE`: container[start:stop].
    BinarySlice,
    /// A call of a builtin (the `fold-builtins` pass only).
    Call(Builtin),
}

/// An e-node: an operation and its operands, bottom of the stack first.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyNode {
    pub op: Op,
    pub children: Vec<Id>,
}

impl PyNode {
    /// A node without operands.
    pub fn leaf(op: Op) -> PyNode {
        PyNode {
            op,
            children: Vec::new(),
        }
    }
}

impl Language for PyNode {
    type Discriminant = Op;

    fn discriminant(&self) -> Op {
        self.op
    }

    fn matches(&self, other: &Self) -> bool {
        self.op == other.op && self.children.len() == other.children.len()
    }

    fn children(&self) -> &[Id] {
        &self.children
    }

    fn children_mut(&mut self) -> &mut [Id] {
        &mut self.children
    }
}

impl Op {
    /// The text form (see the module docs).
    pub fn name(&self) -> String {
        match *self {
            Op::Const(ValueRef(n)) => format!("#{n}"),
            Op::Input(n) => format!("${n}"),
            Op::Unary(u) => match u {
                UnaryOp::Neg => "neg",
                UnaryOp::Pos => "pos",
                UnaryOp::Invert => "~",
                UnaryOp::Not => "not",
                UnaryOp::Truth => "bool",
            }
            .to_string(),
            Op::Binary(b) => b.symbol().to_string(),
            Op::Compare(c, false) => c.symbol().to_string(),
            Op::Compare(c, true) => format!("{}!", c.symbol()),
            Op::Is(false) => "is".into(),
            Op::Is(true) => "is-not".into(),
            Op::In(false) => "in".into(),
            Op::In(true) => "not-in".into(),
            Op::Tuple => "tuple".into(),
            Op::Slice => "slice".into(),
            Op::Subscr => "[]".into(),
            Op::BinarySlice => "[:]".into(),
            Op::Call(b) => b.name().into(),
        }
    }

    /// Parses a text form.
    pub fn parse(s: &str) -> Option<Op> {
        if let Some(n) = s.strip_prefix('#') {
            return n.parse().ok().map(|n| Op::Const(ValueRef(n)));
        }
        if let Some(n) = s.strip_prefix('$') {
            return n.parse().ok().map(Op::Input);
        }
        Some(match s {
            "neg" => Op::Unary(UnaryOp::Neg),
            "pos" => Op::Unary(UnaryOp::Pos),
            "~" => Op::Unary(UnaryOp::Invert),
            "not" => Op::Unary(UnaryOp::Not),
            "bool" => Op::Unary(UnaryOp::Truth),
            "is" => Op::Is(false),
            "is-not" => Op::Is(true),
            "in" => Op::In(false),
            "not-in" => Op::In(true),
            "tuple" => Op::Tuple,
            "slice" => Op::Slice,
            "[]" => Op::Subscr,
            "[:]" => Op::BinarySlice,
            _ => {
                if let Some(c) = s.strip_suffix('!').and_then(CmpOp::from_symbol) {
                    return Some(Op::Compare(c, true));
                }
                if let Some(c) = CmpOp::from_symbol(s) {
                    return Some(Op::Compare(c, false));
                }
                if let Some(b) = Builtin::from_name(s) {
                    return Some(Op::Call(b));
                }
                // Only the plain symbols: `+=` is not an operator of the language.
                return BinOp::ALL
                    .into_iter()
                    .find(|b| b.symbol() == s)
                    .map(Op::Binary);
            }
        })
    }
}

impl fmt::Display for PyNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.op.name())
    }
}

/// An operator text that is not part of the language.
#[derive(Debug, thiserror::Error)]
#[error("unknown operator `{0}`")]
pub struct UnknownOp(pub String);

impl FromOp for PyNode {
    type Error = UnknownOp;

    fn from_op(op: &str, children: Vec<Id>) -> Result<Self, Self::Error> {
        let op = Op::parse(op).ok_or_else(|| UnknownOp(op.to_string()))?;
        Ok(PyNode { op, children })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_text_parses_back() {
        let mut ops = vec![
            Op::Const(ValueRef(3)),
            Op::Input(7),
            Op::Is(false),
            Op::Is(true),
            Op::In(false),
            Op::In(true),
            Op::Tuple,
            Op::Slice,
            Op::Subscr,
            Op::BinarySlice,
        ];
        ops.extend(
            [
                UnaryOp::Neg,
                UnaryOp::Pos,
                UnaryOp::Invert,
                UnaryOp::Not,
                UnaryOp::Truth,
            ]
            .map(Op::Unary),
        );
        ops.extend(BinOp::ALL.map(Op::Binary));
        ops.extend(CmpOp::ALL.map(|c| Op::Compare(c, false)));
        ops.extend(CmpOp::ALL.map(|c| Op::Compare(c, true)));
        ops.extend(Builtin::ALL.map(Op::Call));
        for op in ops {
            assert_eq!(Op::parse(&op.name()), Some(op), "{}", op.name());
        }
        assert_eq!(Op::parse("+="), None);
    }
}
