//! `fold-constants` and `fold-builtins`: pure expressions of constants become one
//! `LOAD_CONST`, computed exactly as the file's Python version would.
//!
//! Each block is read as a skeleton of effects (calls, stores, attribute access,
//! anything that may raise or run user code, kept in place and in order) around
//! pure expression trees. A tree is found by simulating the value stack over the
//! block: `LOAD_CONST` pushes a constant leaf; unary and binary operators,
//! comparisons (`COMPARE_OP` with 3.12's mask and 3.13's bool bit), `IS_OP`,
//! `CONTAINS_OP`, `BUILD_TUPLE`, `BUILD_SLICE`, `BINARY_SUBSCR`, `BINARY_SLICE`,
//! `TO_BOOL` and `UNARY_NOT` combine the trees of their operands when those were
//! computed by the instructions just before them; any other instruction is opaque and
//! its results are inputs. A *region* is a maximal tree whose instructions are
//! contiguous and whose inputs were all on the stack before it starts.
//!
//! All regions of a code object go into one e-graph ([`crate::egraph`]): the
//! constant analysis evaluates every operation whose operands are known (with
//! [`crate::eval`], which answers only where CPython's result is certain), a few
//! rules remove `not` over identity and membership tests, and extraction picks the
//! cheapest form of each region. A region is rewritten only when that form has fewer
//! instructions; what the new form keeps of the original reuses the original
//! instructions (arguments and positions), new constants take the position of the
//! operation they replace, and an operation whose evaluation would raise stays and
//! raises at run time.
//!
//! Line events (PEP 626, and `co_lnotab` up to 3.9) are kept: when a region spans
//! lines its replacement does not carry, a `NOP` per dropped line keeps the sequence
//! of lines the code runs through.
//!
//! `fold-builtins` (under `--assume builtins`, for names the file never binds) adds
//! calls of `len`, `abs`, `min`, `max`, `chr` and `ord` with constant arguments, in
//! each version's call shape: `LOAD_GLOBAL f; args; CALL_FUNCTION n` (≤3.10),
//! `[PUSH_NULL;] LOAD_GLOBAL f(+NULL); args; PRECALL n; CALL n` (3.11),
//! `[PUSH_NULL;] LOAD_GLOBAL f(+NULL); args; CALL n` (3.12),
//! `LOAD_GLOBAL f(+NULL) | LOAD_NAME f; PUSH_NULL; args; CALL n` (3.13).
//!
//! Python 2.7 has other semantics (`/` on ints, `str` as bytes): both passes leave it
//! alone.

use std::sync::OnceLock;

use egg::{Extractor, Id};
use pycopt_core::cfg::{BlockId, Instr, Scan};
use pycopt_core::codegen::Unit;
use pycopt_core::linetable::Position;
use pycopt_core::opcode::{table, ArgKind, OpInfo, OpcodeTable};
use pycopt_core::PyVersion;

use crate::egraph::analysis::ConstFold;
use crate::egraph::lang::{Op, PyNode};
use crate::egraph::{InstrCost, Rewriter, Rewritten};
use crate::eval::{BinOp, Builtin, CmpOp, UnaryOp};
use crate::facts::FileFacts;
use crate::pass::{Assumption, Context, Pass, PassError, PassInfo};
use crate::value::Value;

/// Deepest expression tree handed to the e-graph (deeper ones, never written by
/// people, are left as they are).
pub const MAX_TREE_DEPTH: usize = 200;

/// Folds pure expressions of constants.
pub struct FoldConstants;

impl Pass for FoldConstants {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "fold-constants",
            description: "evaluates arithmetic, comparisons, `not`, tuples, subscripts and \
                          slices of constants as the file's Python would",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: None,
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, _cx: &Context<'_>) -> Result<usize, PassError> {
        // Constant folding never consults the file's facts: do not read them.
        fold(unit, None, Mode::Constants)
    }

    /// Whether the code, read straight through, holds a promising run (see
    /// [`promising`]): reading across block boundaries only finds more.
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        if !scan.version.at_least(PyVersion::V3_6) {
            return false;
        }
        let decoder = Decoder {
            t: scan.table(),
            mode: Mode::Constants,
            module_level: false,
            facts: None,
            names: &[],
        };
        promising(scan.instrs.iter().map(|i| decoder.meaning_of(i.op, i.arg)))
    }
}

/// Folds calls of pure builtins on constants (`--assume builtins`).
pub struct FoldBuiltins;

impl Pass for FoldBuiltins {
    fn info(&self) -> PassInfo {
        PassInfo {
            name: "fold-builtins",
            description: "calls len, abs, min, max, chr and ord on constants at compile time",
            changes_control_flow: false,
            keeps_line_events: true,
            needs: Some(Assumption::Builtins),
            strips: None,
        }
    }

    fn run(&self, unit: &mut Unit<'_>, cx: &Context<'_>) -> Result<usize, PassError> {
        if !cx.assumes(Assumption::Builtins) {
            return Ok(0);
        }
        fold(unit, Some(cx.facts()), Mode::Builtins)
    }

    /// Some `LOAD_GLOBAL` or `LOAD_NAME` reads a foldable builtin's name.
    fn may_change(&self, scan: &Scan<'_>, _cx: &Context<'_>) -> bool {
        if !scan.version.at_least(PyVersion::V3_6) {
            return false;
        }
        let names = scan.graph.as_tuple(scan.code.names).unwrap_or(&[]);
        scan.instrs.iter().any(|i| {
            let ArgKind::Name { shift } = i.op.arg_kind else {
                return false;
            };
            matches!(i.op.name, "LOAD_GLOBAL" | "LOAD_NAME")
                && names
                    .get((i.arg >> shift) as usize)
                    .and_then(|&n| scan.graph.as_str(n))
                    .is_none_or(|n| Builtin::from_name(&n).is_some())
        })
    }
}

/// Which regions a run rewrites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Regions without calls.
    Constants,
    /// Regions holding a call of a builtin (and only those).
    Builtins,
}

/// What an instruction means to the expression builder.
#[derive(Clone, Copy, Debug)]
enum Meaning {
    Const,
    Unary(UnaryOp),
    Binary(BinOp),
    Compare(CmpOp, bool),
    Is(bool),
    In(bool),
    Tuple(u32),
    Slice(u32),
    Subscr,
    BinarySlice,
    /// A load of a foldable builtin; `null`: 3.11+ `LOAD_GLOBAL` pushing a NULL too.
    Func {
        builtin: Builtin,
        null: bool,
    },
    PushNull,
    Precall(u32),
    Call(u32),
    /// Anything else: its effect on the stack is not modelled.
    Other,
}

/// The operator of a ≤3.10 `BINARY_*` / `INPLACE_*` opcode name.
fn classic_binary(name: &str) -> Option<BinOp> {
    let op = name
        .strip_prefix("BINARY_")
        .or_else(|| name.strip_prefix("INPLACE_"))?;
    Some(match op {
        "ADD" => BinOp::Add,
        "SUBTRACT" => BinOp::Sub,
        "MULTIPLY" => BinOp::Mul,
        "MATRIX_MULTIPLY" => BinOp::MatMul,
        "TRUE_DIVIDE" => BinOp::TrueDiv,
        "FLOOR_DIVIDE" => BinOp::FloorDiv,
        "MODULO" => BinOp::Mod,
        "POWER" => BinOp::Pow,
        "LSHIFT" => BinOp::LShift,
        "RSHIFT" => BinOp::RShift,
        "AND" => BinOp::And,
        "OR" => BinOp::Or,
        "XOR" => BinOp::Xor,
        _ => return None,
    })
}

/// Reads instructions of one version.
struct Decoder<'a> {
    t: &'static OpcodeTable,
    mode: Mode,
    /// The module's own code: `LOAD_NAME` finds globals, then builtins (in a class
    /// body the class namespace comes first, which a metaclass may fill).
    module_level: bool,
    /// The file's facts (builtins mode only).
    facts: Option<&'a FileFacts>,
    names: &'a [String],
}

impl Decoder<'_> {
    fn meaning(&self, ins: &Instr) -> Meaning {
        self.meaning_of(ins.op, ins.arg)
    }

    /// What opcode `op` with argument `arg` means.
    fn meaning_of(&self, op: &OpInfo, arg: u32) -> Meaning {
        match readings(self.t)[op.code as usize] {
            Reading::Fixed(m) => m,
            Reading::ByArgument => self.by_argument(op, arg),
        }
    }

    /// What an opcode of [`Reading::ByArgument`] means with argument `arg`.
    fn by_argument(&self, op: &OpInfo, arg: u32) -> Meaning {
        use Meaning::*;
        match op.name {
            "CALL_INTRINSIC_1"
                if self.t.intrinsic1.get(arg as usize) == Some(&"INTRINSIC_UNARY_POSITIVE") =>
            {
                Unary(UnaryOp::Pos)
            }
            "BINARY_OP" => self
                .t
                .nb_ops
                .get(arg as usize)
                .and_then(|(_, sym)| BinOp::from_symbol(sym))
                .map_or(Other, Binary),
            "COMPARE_OP" => {
                let ArgKind::Compare { shift } = op.arg_kind else {
                    return Other;
                };
                // 3.13: bit 4 asks for a bool result (a fused TO_BOOL).
                let to_bool = shift >= 5 && arg & 16 != 0;
                match self.t.cmp_ops.get((arg >> shift) as usize).copied() {
                    Some("is") => Is(false),
                    Some("is not") => Is(true),
                    Some("in") => In(false),
                    Some("not in") => In(true),
                    Some(s) => CmpOp::from_symbol(s).map_or(Other, |c| Compare(c, to_bool)),
                    None => Other,
                }
            }
            "IS_OP" if arg <= 1 => Is(arg == 1),
            "CONTAINS_OP" if arg <= 1 => In(arg == 1),
            "BUILD_TUPLE" => Tuple(arg),
            "BUILD_SLICE" if arg == 2 || arg == 3 => Slice(arg),
            "LOAD_GLOBAL" | "LOAD_NAME"
                if self.mode == Mode::Builtins
                    && (op.name == "LOAD_GLOBAL" || self.module_level) =>
            {
                let (index, null) = match op.arg_kind {
                    ArgKind::Name { shift } => (arg >> shift, shift == 1 && arg & 1 == 1),
                    _ => return Other,
                };
                let Some(name) = self.names.get(index as usize) else {
                    return Other;
                };
                match Builtin::from_name(name) {
                    Some(builtin) if self.facts.is_some_and(|f| f.builtin_unshadowed(name)) => {
                        Func { builtin, null }
                    }
                    _ => Other,
                }
            }
            "PUSH_NULL" if self.mode == Mode::Builtins => PushNull,
            "PRECALL" if self.mode == Mode::Builtins => Precall(arg),
            "CALL" | "CALL_FUNCTION" if self.mode == Mode::Builtins => Call(arg),
            _ => Other,
        }
    }
}

/// What an opcode means to the expression builder, before its argument is known.
#[derive(Clone, Copy, Debug)]
enum Reading {
    /// The same whatever the argument and mode.
    Fixed(Meaning),
    /// Decided by the argument or the mode ([`Decoder::by_argument`]).
    ByArgument,
}

/// The reading of the opcode called `name`.
fn reading(name: &str) -> Reading {
    use Meaning::*;
    Reading::Fixed(match name {
        "LOAD_CONST" => Const,
        "UNARY_NEGATIVE" => Unary(UnaryOp::Neg),
        "UNARY_POSITIVE" => Unary(UnaryOp::Pos),
        "UNARY_INVERT" => Unary(UnaryOp::Invert),
        "UNARY_NOT" => Unary(UnaryOp::Not),
        "TO_BOOL" => Unary(UnaryOp::Truth),
        "BINARY_SUBSCR" => Subscr,
        "BINARY_SLICE" => BinarySlice,
        "CALL_INTRINSIC_1" | "BINARY_OP" | "COMPARE_OP" | "IS_OP" | "CONTAINS_OP"
        | "BUILD_TUPLE" | "BUILD_SLICE" | "LOAD_GLOBAL" | "LOAD_NAME" | "PUSH_NULL" | "PRECALL"
        | "CALL" | "CALL_FUNCTION" => return Reading::ByArgument,
        name => classic_binary(name).map_or(Other, Binary),
    })
}

/// The reading of every opcode number of `t`'s version, worked out once per version
/// (matching names for every instruction was a tenth of a run's time).
fn readings(t: &'static OpcodeTable) -> &'static [Reading; 256] {
    static TABLES: [OnceLock<[Reading; 256]>; PyVersion::ALL.len()] =
        [const { OnceLock::new() }; PyVersion::ALL.len()];
    let index = PyVersion::ALL
        .iter()
        .position(|&v| v == t.version)
        .expect("every table is of a known version");
    TABLES[index].get_or_init(|| {
        let mut out = [Reading::Fixed(Meaning::Other); 256];
        for op in t.iter() {
            out[op.code as usize] = reading(op.name);
        }
        out
    })
}

/// A value on the simulated stack.
#[derive(Clone, Copy, Debug)]
enum Slot {
    /// Produced by code the builder does not model.
    Opaque,
    /// The value of tree node `n`.
    Expr(usize),
    /// A NULL pushed before (3.11/3.12) or after (3.13) a callable.
    Null { instr: usize },
    /// A foldable builtin.
    Func { builtin: Builtin, instr: usize },
}

/// A node of an expression tree of one block.
#[derive(Clone, Debug)]
struct TreeNode {
    op: Op,
    children: Vec<usize>,
    /// Instructions (block indices) before the operands' code (a call's function
    /// load) and after it (the operation itself).
    pre: Vec<usize>,
    post: Vec<usize>,
    /// First and last instruction of the node's code (operands included), for all
    /// but inputs.
    start: usize,
    end: usize,
    /// Not an operand of a larger tree: a region.
    root: bool,
    /// Every leaf is a constant.
    all_const: bool,
    /// Something in the tree may be rewritten.
    interesting: bool,
    has_call: bool,
    depth: usize,
    /// Its class, once added to the e-graph.
    class: Option<Id>,
}

impl TreeNode {
    fn is_input(&self) -> bool {
        matches!(self.op, Op::Input(_))
    }
}

/// The trees of one block.
struct BlockTrees {
    block: BlockId,
    nodes: Vec<TreeNode>,
}

/// Builds the trees of a block by simulating its value stack.
struct Builder<'a> {
    version: PyVersion,
    instrs: &'a [Instr],
    meanings: Vec<Meaning>,
    nodes: Vec<TreeNode>,
    stack: Vec<Slot>,
    next_input: &'a mut u32,
    rewriter: &'a mut Rewriter,
    unit_consts: &'a mut dyn FnMut(u32) -> Option<Value>,
}

impl Builder<'_> {
    fn input(&mut self) -> usize {
        let k = *self.next_input;
        *self.next_input += 1;
        self.nodes.push(TreeNode {
            op: Op::Input(k),
            children: Vec::new(),
            pre: Vec::new(),
            post: Vec::new(),
            start: 0,
            end: 0,
            root: false,
            all_const: false,
            interesting: false,
            has_call: false,
            depth: 1,
            class: None,
        });
        self.nodes.len() - 1
    }

    fn pop(&mut self, n: usize) -> Vec<Slot> {
        let mut out = vec![Slot::Opaque; n];
        for k in (0..n).rev() {
            out[k] = self.stack.pop().unwrap_or(Slot::Opaque);
        }
        out
    }

    /// Operand nodes for `slots`, taking as children the trees computed right before
    /// `first` (the operation's first instruction), and inputs for the rest.
    fn operands(&mut self, slots: &[Slot], first: usize) -> (Vec<usize>, usize) {
        let mut children = vec![usize::MAX; slots.len()];
        let mut expected = first;
        let mut contiguous = true;
        for k in (0..slots.len()).rev() {
            match slots[k] {
                Slot::Expr(e) if contiguous && self.nodes[e].end + 1 == expected => {
                    children[k] = e;
                    expected = self.nodes[e].start;
                }
                _ => {
                    contiguous = false;
                    children[k] = self.input();
                }
            }
        }
        (children, expected)
    }

    fn push_node(
        &mut self,
        op: Op,
        children: Vec<usize>,
        pre: Vec<usize>,
        post: Vec<usize>,
        start: usize,
    ) {
        let end = *post.last().expect("an operation has an instruction");
        for &c in &children {
            self.nodes[c].root = false;
        }
        let kids = || children.iter().map(|&c| &self.nodes[c]);
        let all_const = matches!(op, Op::Const(_)) || (kids().all(|c| c.all_const));
        let has_call = matches!(op, Op::Call(_)) || kids().any(|c| c.has_call);
        let interesting = kids().any(|c| c.interesting)
            || (!matches!(op, Op::Const(_)) && all_const)
            || matches!(op, Op::Unary(UnaryOp::Not | UnaryOp::Truth));
        let depth = 1 + kids().map(|c| c.depth).max().unwrap_or(0);
        self.nodes.push(TreeNode {
            op,
            children,
            pre,
            post,
            start,
            end,
            root: true,
            all_const,
            interesting,
            has_call,
            depth,
            class: None,
        });
        self.stack.push(Slot::Expr(self.nodes.len() - 1));
    }

    /// An operation of `n` operands at instruction `i`.
    fn operation(&mut self, op: Op, n: usize, i: usize) {
        let slots = self.pop(n);
        let (children, start) = self.operands(&slots, i);
        self.push_node(op, children, Vec::new(), vec![i], start);
    }

    /// A call whose own instructions are `post` (`[PRECALL,] CALL`) with `n`
    /// arguments; `false` if it is not the call of a builtin on trees.
    fn call(&mut self, n: usize, post: Vec<usize>) -> bool {
        let args = self.pop(n);
        let callee = self.pop(if self.version.at_least(PyVersion::V3_11) {
            2
        } else {
            1
        });
        let first = post[0];
        // Every argument must be a tree right before the call.
        let mut expected = first;
        let mut children = vec![0; n];
        for k in (0..n).rev() {
            match args[k] {
                Slot::Expr(e) if self.nodes[e].end + 1 == expected => {
                    children[k] = e;
                    expected = self.nodes[e].start;
                }
                _ => return false,
            }
        }
        let loads: Option<(Builtin, Vec<usize>)> = match callee.as_slice() {
            [Slot::Func { builtin, instr }] => Some((*builtin, vec![*instr])),
            [Slot::Null { instr: p }, Slot::Func { builtin, instr: f }]
                if !self.version.at_least(PyVersion::V3_13) =>
            {
                Some((*builtin, if p == f { vec![*f] } else { vec![*p, *f] }))
            }
            [Slot::Func { builtin, instr: f }, Slot::Null { instr: p }]
                if self.version.at_least(PyVersion::V3_13) =>
            {
                Some((*builtin, if p == f { vec![*f] } else { vec![*f, *p] }))
            }
            _ => None,
        };
        let Some((builtin, pre)) = loads else {
            return false;
        };
        // The loads must be the instructions right before the arguments, in order.
        let contiguous = pre
            .iter()
            .enumerate()
            .all(|(k, &p)| p + pre.len() - k == expected);
        if !contiguous {
            return false;
        }
        let start = pre[0];
        self.push_node(Op::Call(builtin), children, pre, post, start);
        true
    }

    fn run(mut self) -> Vec<TreeNode> {
        let mut i = 0;
        while i < self.instrs.len() {
            let ins = &self.instrs[i];
            let meaning = self.meanings[i];
            let mut width = 1;
            let handled = match meaning {
                Meaning::Const => match (self.unit_consts)(ins.arg) {
                    Some(v) => {
                        let r = self.rewriter.intern(v);
                        self.push_node(Op::Const(r), Vec::new(), Vec::new(), vec![i], i);
                        true
                    }
                    None => {
                        self.stack.push(Slot::Opaque);
                        true
                    }
                },
                Meaning::Unary(u) => {
                    self.operation(Op::Unary(u), 1, i);
                    true
                }
                Meaning::Binary(b) => {
                    self.operation(Op::Binary(b), 2, i);
                    true
                }
                Meaning::Compare(c, to_bool) => {
                    self.operation(Op::Compare(c, to_bool), 2, i);
                    true
                }
                Meaning::Is(neg) => {
                    self.operation(Op::Is(neg), 2, i);
                    true
                }
                Meaning::In(neg) => {
                    self.operation(Op::In(neg), 2, i);
                    true
                }
                Meaning::Tuple(n) => {
                    self.operation(Op::Tuple, n as usize, i);
                    true
                }
                Meaning::Slice(n) => {
                    self.operation(Op::Slice, n as usize, i);
                    true
                }
                Meaning::Subscr => {
                    self.operation(Op::Subscr, 2, i);
                    true
                }
                Meaning::BinarySlice => {
                    self.operation(Op::BinarySlice, 3, i);
                    true
                }
                Meaning::Func { builtin, null } => {
                    let func = Slot::Func { builtin, instr: i };
                    let nul = Slot::Null { instr: i };
                    match (null, self.version.at_least(PyVersion::V3_13)) {
                        (false, _) => self.stack.push(func),
                        (true, false) => self.stack.extend([nul, func]),
                        (true, true) => self.stack.extend([func, nul]),
                    }
                    true
                }
                Meaning::PushNull => {
                    self.stack.push(Slot::Null { instr: i });
                    true
                }
                Meaning::Precall(n) => {
                    // 3.11: PRECALL n; CALL n is one call.
                    let next = self.instrs.get(i + 1);
                    if next.is_some_and(|c| c.op.name == "CALL" && c.arg == n) {
                        width = 2;
                        self.call(n as usize, vec![i, i + 1])
                    } else {
                        false
                    }
                }
                Meaning::Call(n) => self.call(n as usize, vec![i]),
                Meaning::Other => false,
            };
            if !handled {
                // Not modelled: nothing below is known any more, and what it pushes
                // is opaque (popping an empty simulated stack gives opaque values).
                self.stack.clear();
            }
            i += width;
        }
        self.nodes
    }
}

/// Whether a block can hold a region worth the e-graph: some operation finds all
/// its operands computed from constants right before it (a slice of constants counts
/// as computed, though it never becomes a constant itself), or a negation or truth
/// test follows what the rules of [`crate::egraph`] simplify under it (`not` of an
/// identity or membership test or of a `not`; a truth test of a bool). Most blocks
/// have neither, and skipping them keeps the pass cheap.
fn promising(meanings: impl IntoIterator<Item = Meaning>) -> bool {
    // How many values on top of the stack were computed from constants alone.
    let mut known = 0u32;
    let mut prev = Meaning::Other;
    for m in meanings {
        let arity = match m {
            Meaning::Const => {
                known += 1;
                prev = m;
                continue;
            }
            Meaning::Unary(UnaryOp::Truth) if produces_bool(prev) => return true,
            Meaning::Unary(UnaryOp::Not)
                if matches!(
                    prev,
                    Meaning::Is(_) | Meaning::In(_) | Meaning::Unary(UnaryOp::Not)
                ) =>
            {
                return true;
            }
            Meaning::Slice(n) => {
                known = if known >= n { known - n + 1 } else { 0 };
                prev = m;
                continue;
            }
            Meaning::Unary(_) => 1,
            Meaning::Binary(_)
            | Meaning::Compare(..)
            | Meaning::Is(_)
            | Meaning::In(_)
            | Meaning::Subscr => 2,
            Meaning::BinarySlice => 3,
            Meaning::Tuple(n) => n,
            _ => u32::MAX,
        };
        if arity != u32::MAX && known >= arity {
            return true;
        }
        known = 0;
        prev = m;
    }
    false
}

/// Whether the operation certainly gives an exact bool, whatever its operands (what
/// the e-graph analysis calls `is_bool`).
fn produces_bool(m: Meaning) -> bool {
    matches!(
        m,
        Meaning::Unary(UnaryOp::Not | UnaryOp::Truth)
            | Meaning::Is(_)
            | Meaning::In(_)
            | Meaning::Compare(_, true)
    )
}

/// Runs one of the passes over a code object.
fn fold(unit: &mut Unit<'_>, facts: Option<&FileFacts>, mode: Mode) -> Result<usize, PassError> {
    let version = unit.version();
    if !version.at_least(PyVersion::V3_6) {
        return Ok(0);
    }
    let t = table(version);
    let names: Vec<String> = unit.names().to_vec();
    {
        // Most code objects have nothing to fold: find out before building anything.
        let decoder = Decoder {
            t,
            mode,
            module_level: !unit.path.contains('.'),
            facts,
            names: &names,
        };
        let any = unit.cfg.layout.iter().any(|&b| {
            let mut meanings = unit.cfg.graph[b].instrs.iter().map(|i| decoder.meaning(i));
            match mode {
                Mode::Constants => promising(meanings),
                Mode::Builtins => meanings.any(|m| matches!(m, Meaning::Func { .. })),
            }
        });
        if !any {
            return Ok(0);
        }
    }
    let mut rewriter = Rewriter::new(version);
    let mut next_input = 0u32;
    let mut trees: Vec<BlockTrees> = Vec::new();
    let layout = unit.cfg.layout.clone();
    for &b in &layout {
        let instrs = unit.cfg.graph[b].instrs.clone();
        let decoder = Decoder {
            t,
            mode,
            module_level: !unit.path.contains('.'),
            facts,
            names: &names,
        };
        let meanings: Vec<Meaning> = instrs.iter().map(|i| decoder.meaning(i)).collect();
        let worth_it = match mode {
            Mode::Constants => promising(meanings.iter().copied()),
            Mode::Builtins => meanings.iter().any(|m| matches!(m, Meaning::Func { .. })),
        };
        if !worth_it {
            continue;
        }
        let mut consts = |i: u32| unit.constant(i).and_then(Value::from_constant);
        let nodes = Builder {
            version,
            instrs: &instrs,
            meanings,
            nodes: Vec::new(),
            stack: Vec::new(),
            next_input: &mut next_input,
            rewriter: &mut rewriter,
            unit_consts: &mut consts,
        }
        .run();
        trees.push(BlockTrees { block: b, nodes });
    }
    // Add the regions worth a look to the e-graph, children before parents (node
    // indices are already in that order).
    let mut any = false;
    for bt in &mut trees {
        let wanted = region_members(&bt.nodes, mode);
        for (n, keep) in wanted.into_iter().enumerate() {
            if !keep {
                continue;
            }
            let children: Vec<Id> = bt.nodes[n]
                .children
                .iter()
                .map(|&c| bt.nodes[c].class.expect("children are added first"))
                .collect();
            let class = rewriter.add(PyNode {
                op: bt.nodes[n].op,
                children,
            });
            bt.nodes[n].class = Some(class);
            any = true;
        }
    }
    if !any {
        return Ok(0);
    }
    let done = rewriter.run();
    if done.conflicts() > 0 {
        return Err(PassError(
            "e-graph: two classes with different constants merged (an unsound rule)".into(),
        ));
    }
    let extractor = done.extractor();
    let load_const = t
        .by_name("LOAD_CONST")
        .ok_or_else(|| PassError("no LOAD_CONST".into()))?;
    let nop = t.by_name("NOP");
    let mut changes = 0;
    for bt in &trees {
        let mut edits: Vec<(usize, usize, Vec<Instr>)> = Vec::new();
        let instrs = unit.cfg.graph[bt.block].instrs.clone();
        for (root, node) in bt.nodes.iter().enumerate() {
            if !node.root || node.class.is_none() || node.is_input() {
                continue;
            }
            let mut em = Emitter {
                done: &done,
                extractor: &extractor,
                nodes: &bt.nodes,
                root,
                order: region_order(&bt.nodes, root),
                instrs: &instrs,
                t,
                load_const,
                unit: &mut *unit,
                out: Vec::new(),
                inputs: Vec::new(),
                emitted: false,
                ok: true,
            };
            let class = done.find(node.class.expect("checked"));
            em.emit(class, 0);
            if !em.ok {
                continue;
            }
            let Emitter { out, inputs, .. } = em;
            if inputs != region_inputs(&bt.nodes, root) {
                continue;
            }
            let old = &instrs[node.start..=node.end];
            let Some(new) = keep_lines(old, out, nop) else {
                continue;
            };
            if new.len() >= old.len() {
                continue;
            }
            edits.push((node.start, node.end, new));
        }
        if edits.is_empty() {
            continue;
        }
        changes += edits.len();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        let block = &mut unit.cfg.graph[bt.block];
        for (start, end, new) in edits {
            block.instrs.splice(start..=end, new);
        }
    }
    Ok(changes)
}

/// Which nodes of a block go into the e-graph: the members of regions that might
/// change in this mode (and are not absurdly deep).
fn region_members(nodes: &[TreeNode], mode: Mode) -> Vec<bool> {
    let mut keep = vec![false; nodes.len()];
    for (n, node) in nodes.iter().enumerate().rev() {
        if node.root {
            let wanted = match mode {
                Mode::Constants => node.interesting && !node.has_call,
                Mode::Builtins => node.has_call,
            };
            keep[n] = wanted && node.depth <= MAX_TREE_DEPTH && !node.is_input();
        }
        if keep[n] {
            for &c in &node.children {
                keep[c] = true;
            }
        }
    }
    keep
}

/// The inputs of the region rooted at `root`, in stack order.
fn region_inputs(nodes: &[TreeNode], root: usize) -> Vec<u32> {
    region_order(nodes, root)
        .into_iter()
        .filter_map(|n| match nodes[n].op {
            Op::Input(k) => Some(k),
            _ => None,
        })
        .collect()
}

/// Writes the cheapest form of a region as instructions.
struct Emitter<'a, 'u, 'g> {
    done: &'a Rewritten,
    extractor: &'a Extractor<'a, InstrCost, PyNode, ConstFold>,
    nodes: &'a [TreeNode],
    root: usize,
    /// The region's nodes, root first (pre-order).
    order: Vec<usize>,
    instrs: &'a [Instr],
    t: &'static OpcodeTable,
    load_const: &'static OpInfo,
    unit: &'u mut Unit<'g>,
    out: Vec<Instr>,
    /// Inputs met, in order.
    inputs: Vec<u32>,
    /// Whether an instruction was written (inputs must all come before).
    emitted: bool,
    ok: bool,
}

/// The nodes of the region rooted at `root`, root first (pre-order).
fn region_order(nodes: &[TreeNode], root: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        out.push(n);
        todo.extend(nodes[n].children.iter().rev());
    }
    out
}

impl Emitter<'_, '_, '_> {
    /// The position new code for `class` takes: that of the operation of the region
    /// node closest to the root in the class.
    fn anchor(&self, class: Id) -> Position {
        self.order
            .iter()
            .copied()
            .find(|&n| {
                let node = &self.nodes[n];
                !node.is_input() && node.class.is_some_and(|c| self.done.find(c) == class)
            })
            .map(|n| self.nodes[n].end)
            .or(Some(self.nodes[self.root].end))
            .map(|i| self.instrs[i].pos)
            .unwrap_or_default()
    }

    fn push(&mut self, ins: Instr) {
        self.emitted = true;
        self.out.push(ins);
    }

    fn new_instr(&self, op: &'static OpInfo, arg: u32, pos: Position) -> Instr {
        Instr {
            op,
            arg,
            pos,
            prefixes: 0,
            cache: Box::new([]),
            offset: None,
        }
    }

    fn emit(&mut self, class: Id, depth: usize) {
        if !self.ok || depth > MAX_TREE_DEPTH {
            self.ok = false;
            return;
        }
        let node = self.extractor.find_best_node(class).clone();
        let children: Vec<Id> = node.children.iter().map(|&c| self.done.find(c)).collect();
        if let Op::Input(k) = node.op {
            if self.emitted {
                self.ok = false;
            }
            self.inputs.push(k);
            return;
        }
        // The region's own node for this very e-node, if there is one: keep its
        // instructions.
        let original = self.order.iter().copied().find(|&n| {
            let o = &self.nodes[n];
            o.op == node.op
                && o.class.is_some_and(|c| self.done.find(c) == class)
                && o.children.len() == children.len()
                && o.children.iter().zip(&children).all(|(&oc, &nc)| {
                    self.nodes[oc]
                        .class
                        .is_some_and(|c| self.done.find(c) == nc)
                })
        });
        if let Some(n) = original {
            let (pre, post) = (self.nodes[n].pre.clone(), self.nodes[n].post.clone());
            for i in pre {
                self.push(self.instrs[i].clone());
            }
            for c in children {
                self.emit(c, depth + 1);
            }
            for i in post {
                self.push(self.instrs[i].clone());
            }
            return;
        }
        let pos = self.anchor(class);
        match node.op {
            Op::Const(r) => {
                let Some(c) = self.done.value(r).to_constant() else {
                    self.ok = false;
                    return;
                };
                let arg = self.unit.add_const(c);
                let ins = self.new_instr(self.load_const, arg, pos);
                self.push(ins);
            }
            op => {
                let Some((info, arg)) = encode(self.t, op) else {
                    self.ok = false;
                    return;
                };
                for c in children {
                    self.emit(c, depth + 1);
                }
                let ins = self.new_instr(info, arg, pos);
                self.push(ins);
            }
        }
    }
}

/// The instruction for an operation the rules create (`is not`, `not in` and their
/// positive forms).
fn encode(t: &'static OpcodeTable, op: Op) -> Option<(&'static OpInfo, u32)> {
    let (new_name, old_name, negated) = match op {
        Op::Is(neg) => ("IS_OP", if neg { "is not" } else { "is" }, neg),
        Op::In(neg) => ("CONTAINS_OP", if neg { "not in" } else { "in" }, neg),
        _ => return None,
    };
    if let Some(info) = t.by_name(new_name) {
        return Some((info, negated as u32));
    }
    // Up to 3.8 these are COMPARE_OP arguments.
    let info = t.by_name("COMPARE_OP")?;
    let index = t.cmp_ops.iter().position(|&s| s == old_name)?;
    Some((info, index as u32))
}

/// The lines a run of instructions goes through, repeats collapsed.
fn line_runs(instrs: &[Instr]) -> Vec<Option<i32>> {
    let mut runs: Vec<Option<i32>> = Vec::new();
    for i in instrs {
        if runs.last() != Some(&i.pos.line) {
            runs.push(i.pos.line);
        }
    }
    runs
}

/// `new` as a replacement for `old` that raises the same line events: as it is if
/// it goes through the same lines, else preceded by a `NOP` for each line `old`
/// passes through before its last one (when all of `new` is on that last line);
/// `None` if that cannot be done.
fn keep_lines(old: &[Instr], new: Vec<Instr>, nop: Option<&'static OpInfo>) -> Option<Vec<Instr>> {
    let old_runs = line_runs(old);
    if line_runs(&new) == old_runs {
        return Some(new);
    }
    let last = *old_runs.last()?;
    if new.iter().any(|i| i.pos.line != last) {
        return None;
    }
    let nop = nop?;
    let mut out = Vec::new();
    let mut seen: Option<Option<i32>> = None;
    for ins in old {
        if seen != Some(ins.pos.line) {
            seen = Some(ins.pos.line);
            out.push(Instr {
                op: nop,
                arg: 0,
                pos: ins.pos,
                prefixes: 0,
                cache: Box::new([]),
                offset: None,
            });
        }
    }
    // The last run's line is carried by the new code itself.
    out.pop();
    out.extend(new);
    (line_runs(&out) == old_runs).then_some(out)
}

#[cfg(test)]
mod tests;
