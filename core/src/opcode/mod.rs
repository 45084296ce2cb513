//! Per-version opcode tables: what every opcode number means to each supported CPython.
//!
//! Every fact here comes from the committed data files `core/data/opcodes/cpython-X.Y.txt`,
//! which `corpus/scripts/gen_opcode_tables.py` produces from each interpreter's own
//! `opcode` and `dis` modules and verifies against them (stack effects against
//! `dis.stack_effect` for arguments 0..600 and more, jump targets against
//! `dis.findlabels`, argument meanings against `dis.get_instructions`, and whole
//! `co_stacksize` values of compiled probe programs). `build.rs` turns those files into
//! the static tables below, so nothing here needs Python at build or run time, and no
//! opcode fact is written in Rust code.
//!
//! ```
//! use pycopt_core::opcode::{table, ArgKind, OpcodeError};
//! use pycopt_core::PyVersion;
//!
//! let t = table(PyVersion::V3_12);
//! let load_global = t.by_name("LOAD_GLOBAL").unwrap();
//! assert_eq!(load_global.arg_kind, ArgKind::Name { shift: 1 });
//! assert_eq!(load_global.stack_effect(5, false), 2); // namei 2, plus a NULL
//! assert!(matches!(t.get(7), Err(OpcodeError::Forbidden { .. }))); // BINARY_OP_ADD_INT
//! ```

use std::fmt;

use crate::version::PyVersion;

include!(concat!(env!("OUT_DIR"), "/opcode_tables.rs"));

/// The opcode table of `v`.
pub fn table(v: PyVersion) -> &'static OpcodeTable {
    table_for(v)
}

/// Everything pycopt knows about one CPython version's opcodes.
///
/// Real opcodes (those a `.pyc` may hold) are [`OpInfo`]s; numbers that the interpreter
/// uses only at run time (3.11+ specialized forms, 3.12+ instrumented forms, a few
/// runtime-only opcodes) are [`ForbiddenOp`]s; compiler pseudo-ops (numbered from 256,
/// so never a byte of bytecode) are listed as [`PseudoOp`]s. Numbers in none of these are
/// simply unused.
#[derive(Debug)]
pub struct OpcodeTable {
    /// The version this table describes.
    pub version: PyVersion,
    /// The interpreter release the data was generated from, e.g. `"3.11.7"`.
    pub interpreter: &'static str,
    /// How instructions are laid out in `co_code`.
    pub encoding: Encoding,
    /// The `EXTENDED_ARG` opcode number (144, 145 on 2.7, 71 on 3.13).
    pub extended_arg: u8,
    /// How many bits each `EXTENDED_ARG` prefix shifts its argument left before the
    /// next instruction's own argument is or-ed in (8 for wordcode, 16 on 2.7).
    pub extended_arg_shift: u8,
    /// `opcode.HAVE_ARGUMENT`. Before 3.12 exactly the opcodes at or above it take an
    /// argument; on 3.12+ it is only a hint and [`OpInfo::has_arg`] is authoritative.
    pub have_argument: u8,
    /// The `CACHE` opcode that fills inline cache units (3.11+).
    pub cache: Option<u8>,
    /// What a jump argument counts.
    pub jump_unit: JumpUnit,
    /// What deref (cell/free) arguments index.
    pub deref_index: DerefIndex,
    /// Where the stack effects were taken from.
    pub stack_effects: StackSource,
    /// `opcode.cmp_op`, indexed by the comparison part of a `COMPARE_OP` argument.
    pub cmp_ops: &'static [&'static str],
    /// `opcode._nb_ops` as `(name, symbol)`, indexed by a `BINARY_OP` argument (3.11+).
    pub nb_ops: &'static [(&'static str, &'static str)],
    /// `opcode._intrinsic_1_descs`, indexed by a `CALL_INTRINSIC_1` argument (3.12+).
    pub intrinsic1: &'static [&'static str],
    /// `opcode._intrinsic_2_descs`, indexed by a `CALL_INTRINSIC_2` argument (3.12+).
    pub intrinsic2: &'static [&'static str],
    ops: &'static [OpInfo],
    forbidden: &'static [ForbiddenOp],
    pseudo: &'static [PseudoOp],
    slots: &'static [Slot; 256],
}

/// Where an opcode number lands in a table.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Absent,
    Op(u8),
    Forbidden(u8),
}

impl OpcodeTable {
    /// The real opcode `code`, or why there is none: unused numbers and runtime-only
    /// numbers are distinct errors, so a decoder can say which it met.
    pub fn get(&self, code: u8) -> Result<&OpInfo, OpcodeError> {
        match self.slots[code as usize] {
            Slot::Op(i) => Ok(&self.ops[i as usize]),
            Slot::Forbidden(i) => {
                let f = &self.forbidden[i as usize];
                Err(OpcodeError::Forbidden {
                    code,
                    name: f.name,
                    kind: f.kind,
                    version: self.version,
                })
            }
            Slot::Absent => Err(OpcodeError::Unknown {
                code,
                version: self.version,
            }),
        }
    }

    /// The real opcode called `name` (exact, upper case), if this version has one.
    /// Forbidden and pseudo opcodes are not found here; see [`Self::forbidden_by_name`]
    /// and [`Self::pseudo_by_name`].
    pub fn by_name(&self, name: &str) -> Option<&OpInfo> {
        self.ops.iter().find(|o| o.name == name)
    }

    /// Every real opcode, in numeric order.
    pub fn iter(&self) -> impl Iterator<Item = &OpInfo> + '_ {
        self.ops.iter()
    }

    /// The runtime-only opcode `code`, if it is one.
    pub fn forbidden(&self, code: u8) -> Option<&ForbiddenOp> {
        match self.slots[code as usize] {
            Slot::Forbidden(i) => Some(&self.forbidden[i as usize]),
            _ => None,
        }
    }

    /// The runtime-only opcode called `name`, if any.
    pub fn forbidden_by_name(&self, name: &str) -> Option<&ForbiddenOp> {
        self.forbidden.iter().find(|f| f.name == name)
    }

    /// Every opcode number that exists in the interpreter but never in a `.pyc`.
    pub fn forbidden_ops(&self) -> &[ForbiddenOp] {
        self.forbidden
    }

    /// The compiler's pseudo-ops (3.12+ expose them; empty before).
    pub fn pseudo_ops(&self) -> &[PseudoOp] {
        self.pseudo
    }

    /// The pseudo-op called `name`, if any, so that an assembler can say
    /// "`LOAD_METHOD` is a pseudo-op on 3.12" instead of "unknown".
    pub fn pseudo_by_name(&self, name: &str) -> Option<&PseudoOp> {
        self.pseudo.iter().find(|p| p.name == name)
    }

    /// The `EXTENDED_ARG` entry.
    pub fn extended_arg_op(&self) -> &OpInfo {
        match self.get(self.extended_arg) {
            Ok(op) => op,
            Err(_) => unreachable!("build.rs checks that EXTENDED_ARG is a real opcode"),
        }
    }

    /// Size in bytes of one instruction of `op` without `EXTENDED_ARG` prefixes but with
    /// its inline cache units: `2 * (1 + cache)` for wordcode, 1 or 3 on 2.7.
    pub fn instr_len(&self, op: &OpInfo) -> usize {
        match self.encoding {
            Encoding::Wordcode => 2 * (1 + op.cache_entries as usize),
            Encoding::Bytes3 if op.has_arg => 3,
            Encoding::Bytes3 => 1,
        }
    }
}

/// Why an opcode number has no [`OpInfo`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpcodeError {
    /// The number is unused in this version.
    #[error("unknown opcode {code} in CPython {version} bytecode")]
    Unknown { code: u8, version: PyVersion },
    /// The interpreter has this opcode, but only rewrites code into it at run time; a
    /// `.pyc` never holds it, so meeting it means the file is corrupt or crafted.
    #[error("opcode {code} ({name}) is {} opcode and never appears in a .pyc (CPython {version})", .kind.with_article())]
    Forbidden {
        code: u8,
        name: &'static str,
        kind: ForbiddenKind,
        version: PyVersion,
    },
}

/// One real opcode: everything a decoder, assembler or optimization pass needs.
#[derive(Debug)]
pub struct OpInfo {
    /// Opcode number.
    pub code: u8,
    /// Name as in `opcode.opname`.
    pub name: &'static str,
    /// Whether the instruction uses its argument (3.12+: `opcode.hasarg`; before:
    /// `code >= HAVE_ARGUMENT`). The argument byte of wordcode is present either way.
    pub has_arg: bool,
    /// Inline `CACHE` code units that follow the instruction (3.11+).
    pub cache_entries: u8,
    /// The named fields of those cache units, `(name, code units)` in order, as
    /// `opcode._cache_format` lists them (empty where the version names none; 3.11
    /// names only some). `dis` labels cache entries with them.
    pub cache_fields: &'static [(&'static str, u8)],
    /// Where the instruction jumps, if it has a jump target.
    pub jump: Option<Jump>,
    /// How the argument is read.
    pub arg_kind: ArgKind,
    /// Block-flow facts.
    pub flow: Flow,
    stack: StackFormula,
    stack_jump: StackFormula,
}

impl OpInfo {
    /// Stack depth change of one execution with argument `arg` (the full argument,
    /// `EXTENDED_ARG` prefixes included): along the jump edge if `jump` and the opcode
    /// jumps, else along the fall-through edge. These are the numbers CPython's own
    /// compiler uses for `co_stacksize` (`dis.stack_effect(op, arg, jump=...)` on 3.8+).
    pub fn stack_effect(&self, arg: u32, jump: bool) -> i32 {
        self.stack_formula(jump).eval(arg)
    }

    /// The larger of the two edges' effects (`dis.stack_effect` with `jump=None`).
    pub fn max_stack_effect(&self, arg: u32) -> i32 {
        self.stack_effect(arg, false)
            .max(self.stack_effect(arg, true))
    }

    /// The formula behind [`Self::stack_effect`]; for a non-jump both edges are the same.
    pub fn stack_formula(&self, jump: bool) -> &StackFormula {
        if jump && self.jump.is_some() {
            &self.stack_jump
        } else {
            &self.stack
        }
    }

    /// Whether control can continue with the next instruction.
    pub fn falls_through(&self) -> bool {
        !self.flow.terminates
    }
}

/// How instructions are encoded in `co_code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// 3.6+: every instruction is an opcode byte and an argument byte, followed by its
    /// inline cache units.
    Wordcode,
    /// 2.7: an opcode byte, then a 16-bit little-endian argument only if the opcode takes
    /// one.
    Bytes3,
}

/// What a jump argument counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JumpUnit {
    /// Up to 3.9: bytes.
    Bytes,
    /// From 3.10: 2-byte code units.
    CodeUnits,
}

impl JumpUnit {
    /// Bytes per unit.
    pub fn bytes(self) -> u32 {
        match self {
            JumpUnit::Bytes => 1,
            JumpUnit::CodeUnits => 2,
        }
    }
}

/// The direction rule of a jump opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JumpKind {
    /// The argument is the target offset (up to 3.10).
    Absolute,
    /// Relative, forward from the end of the instruction (its caches included).
    Forward,
    /// Relative, backward from the end of the instruction. From 3.11 only
    /// `JUMP_BACKWARD*` (and 3.11's `POP_JUMP_BACKWARD_IF_*`) may go backward; on 3.12+
    /// every conditional jump is forward-only.
    Backward,
}

/// Jump facts of one opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Jump {
    /// Absolute, forward or backward.
    pub kind: JumpKind,
    /// What the argument counts.
    pub unit: JumpUnit,
}

impl Jump {
    /// Whether the argument is relative to the instruction's end.
    pub fn is_relative(&self) -> bool {
        self.kind != JumpKind::Absolute
    }

    /// Byte offset of the target, given the byte offset just past the instruction
    /// (including its inline caches) and the full argument; `None` if it would fall
    /// outside `0..=u32::MAX`.
    pub fn target(&self, next_offset: u32, arg: u32) -> Option<u32> {
        let delta = arg.checked_mul(self.unit.bytes())?;
        match self.kind {
            JumpKind::Absolute => Some(delta),
            JumpKind::Forward => next_offset.checked_add(delta),
            JumpKind::Backward => next_offset.checked_sub(delta),
        }
    }

    /// The argument that makes an instruction ending at `next_offset` jump to byte
    /// offset `target`; `None` if this opcode cannot reach it (wrong direction, or an
    /// odd distance in code units).
    pub fn arg_for(&self, next_offset: u32, target: u32) -> Option<u32> {
        let delta = match self.kind {
            JumpKind::Absolute => target,
            JumpKind::Forward => target.checked_sub(next_offset)?,
            JumpKind::Backward => next_offset.checked_sub(target)?,
        };
        let unit = self.unit.bytes();
        (delta % unit == 0).then_some(delta / unit)
    }
}

/// What the deref (`hasfree`) opcodes' argument indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerefIndex {
    /// Up to 3.10: `co_cellvars + co_freevars`, concatenated.
    CellsThenFrees,
    /// From 3.11: the fast-locals space ("localsplus": locals, then cells that are not
    /// arguments, then free variables), the same numbering `LOAD_FAST` uses.
    LocalsPlus,
}

/// Where a table's stack effects come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackSource {
    /// 3.8+: both edges equal `dis.stack_effect(op, arg, jump=...)` at every sampled
    /// argument.
    Dis,
    /// 3.7: `dis.stack_effect` is the maximum of the two edges; the split of the few
    /// jumps whose edges differ is held by the generator and checked against compiled
    /// `co_stacksize` values.
    DisMax,
    /// 3.6: `dis.stack_effect` is the compiler's base effect, which its stack walk
    /// adjusts on some edges; the adjusted edges are stored, checked as for `DisMax`.
    DisBase,
    /// 2.7: no `dis.stack_effect`; the 2.7 compiler's numbers, held by the generator and
    /// checked only against compiled `co_stacksize` values.
    Derived,
}

/// How an instruction's argument is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// The opcode takes no argument.
    None,
    /// A plain number (a count, flags, a depth...).
    Raw,
    /// Index into `co_consts`.
    Const,
    /// Index into `co_names` is `arg >> shift`; the low `shift` bits are flags
    /// (`LOAD_GLOBAL` 3.11+ and `LOAD_ATTR` 3.12+: 1 bit; `LOAD_SUPER_ATTR`: 2 bits).
    Name { shift: u8 },
    /// Index of a fast local.
    Local,
    /// 3.13 superinstructions: two fast-local indices, `arg >> 4` and `arg & 15`.
    LocalPair,
    /// A cell or free variable, numbered as [`OpcodeTable::deref_index`] says.
    Free,
    /// Index into [`OpcodeTable::cmp_ops`] is `arg >> shift`; the low bits are a result
    /// mask (3.12: 4 bits; 3.13: 5 bits, bit 4 asking for a bool result).
    Compare { shift: u8 },
    /// Index into [`OpcodeTable::nb_ops`].
    BinaryOp,
    /// Index into [`OpcodeTable::intrinsic1`].
    Intrinsic1,
    /// Index into [`OpcodeTable::intrinsic2`].
    Intrinsic2,
    /// A jump target, per the opcode's [`Jump`].
    Jump,
    /// `FORMAT_VALUE`: conversion in bits 0-1 (none, `!s`, `!r`, `!a`), bit 2 set when a
    /// format spec is on the stack.
    FormatValue,
    /// `CONVERT_VALUE` (3.13): the conversion (1 `!s`, 2 `!r`, 3 `!a`).
    ConvertValue,
}

impl ArgKind {
    /// The index the argument selects in the table its kind names (constants, names,
    /// locals, deref space, comparisons, binary operators, intrinsics, conversions), with
    /// any flag bits shifted off; `None` for raw numbers, jumps, no argument and local
    /// pairs (see [`Self::local_pair`]).
    pub fn index(self, arg: u32) -> Option<u32> {
        match self {
            ArgKind::Const
            | ArgKind::Local
            | ArgKind::Free
            | ArgKind::BinaryOp
            | ArgKind::Intrinsic1
            | ArgKind::Intrinsic2
            | ArgKind::ConvertValue => Some(arg),
            ArgKind::Name { shift } | ArgKind::Compare { shift } => Some(arg >> shift),
            ArgKind::FormatValue => Some(arg & 3),
            ArgKind::None | ArgKind::Raw | ArgKind::Jump | ArgKind::LocalPair => None,
        }
    }

    /// The flag bits below the index (`Name`/`Compare` shifts, `FormatValue`'s spec
    /// bit); 0 for other kinds.
    pub fn flags(self, arg: u32) -> u32 {
        match self {
            ArgKind::Name { shift } | ArgKind::Compare { shift } => arg & ((1 << shift) - 1),
            ArgKind::FormatValue => arg & 4,
            _ => 0,
        }
    }

    /// The two local indices a [`ArgKind::LocalPair`] argument packs.
    pub fn local_pair(arg: u32) -> (u32, u32) {
        (arg >> 4, arg & 15)
    }
}

/// Block-flow facts of an opcode, as passes building a control-flow graph need them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    /// Unconditional jump: control always goes to the target.
    pub uncond_jump: bool,
    /// Conditional jump: control goes to the target or falls through.
    pub cond_jump: bool,
    /// `FOR_ITER`: a conditional jump taken when the iterator is exhausted.
    pub for_iter: bool,
    /// Up to 3.10, `SETUP_*`: pushes a block whose handler is the jump target; control
    /// falls through, and reaches the target only by unwinding.
    pub setup_block: bool,
    /// Returns from the frame.
    pub returns: bool,
    /// Raises or re-raises.
    pub raises: bool,
    /// Nothing after it is reached by falling through (return, raise, re-raise,
    /// unconditional jump, 2.7-3.7 `BREAK_LOOP`).
    pub terminates: bool,
    /// 2.7-3.7 `BREAK_LOOP`/`CONTINUE_LOOP`: leaves through the block stack, so the
    /// depth at the destination is the loop block's, not this opcode's depth plus an
    /// effect.
    pub unwinds: bool,
    /// Is `EXTENDED_ARG`.
    pub extended_arg: bool,
    /// Is `CACHE`.
    pub cache: bool,
    /// Is `NOP`.
    pub nop: bool,
}

impl Flow {
    /// No flow facts: an ordinary instruction that falls through.
    pub const NONE: Flow = Flow {
        uncond_jump: false,
        cond_jump: false,
        for_iter: false,
        setup_block: false,
        returns: false,
        raises: false,
        terminates: false,
        unwinds: false,
        extended_arg: false,
        cache: false,
        nop: false,
    };
}

/// An opcode number the interpreter knows but that never appears in a `.pyc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForbiddenOp {
    /// Opcode number.
    pub code: u8,
    /// Name, from `dis._all_opmap` or `opcode.opmap`.
    pub name: &'static str,
    /// Why it never appears.
    pub kind: ForbiddenKind,
    /// The real opcode it stands in for, when there is one.
    pub base: Option<&'static str>,
}

/// Why a [`ForbiddenOp`] never appears in a `.pyc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForbiddenKind {
    /// 3.11+ adaptive/specialized form (`opcode._specializations`); marshal writes the
    /// de-specialized code.
    Specialized,
    /// 3.12+ `INSTRUMENTED_*` form used by `sys.monitoring`.
    Instrumented,
    /// An opcode only the interpreter itself writes or reserves (`INTERPRETER_EXIT`,
    /// `RESERVED`, `ENTER_EXECUTOR`).
    RuntimeOnly,
}

impl ForbiddenKind {
    /// "a specialized", "an instrumented", "a runtime-only".
    pub fn with_article(self) -> &'static str {
        match self {
            ForbiddenKind::Specialized => "a specialized",
            ForbiddenKind::Instrumented => "an instrumented",
            ForbiddenKind::RuntimeOnly => "a runtime-only",
        }
    }
}

impl fmt::Display for ForbiddenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ForbiddenKind::Specialized => "specialized",
            ForbiddenKind::Instrumented => "instrumented",
            ForbiddenKind::RuntimeOnly => "runtime-only",
        })
    }
}

/// A compiler pseudo-op: numbered from 256, resolved to real opcodes (or exception-table
/// entries) before assembly, so never a byte of bytecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PseudoOp {
    /// Its number in `opcode.opmap`.
    pub number: u16,
    /// Its name.
    pub name: &'static str,
}

/// A stack effect as a small formula in the argument: `constant + Σ coef·feature(arg)`.
/// Displays in the data files' syntax, e.g. `-1-[a&1]-[a&2]-[a&4]-[a&8]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackFormula {
    /// The constant part.
    pub constant: i32,
    /// The argument-dependent part.
    pub terms: &'static [Term],
}

/// One `coef·feature(arg)` term of a [`StackFormula`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// Multiplier.
    pub coef: i32,
    /// What is taken from the argument.
    pub feature: Feature,
}

/// A function of the argument used in stack formulas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `a`: the argument itself.
    Arg,
    /// `(a&M)`: the argument masked.
    Mask(u32),
    /// `(a>>S)`: the argument shifted right.
    Shr(u32),
    /// `[a&M]`: 1 if any bit of M is set in the argument, else 0.
    AnyBit(u32),
    /// `[a==K]`: 1 if the argument equals K, else 0.
    Eq(u32),
}

impl Feature {
    fn value(self, a: u32) -> i64 {
        i64::from(match self {
            Feature::Arg => a,
            Feature::Mask(m) => a & m,
            Feature::Shr(s) => a.checked_shr(s).unwrap_or(0),
            Feature::AnyBit(m) => u32::from(a & m != 0),
            Feature::Eq(k) => u32::from(a == k),
        })
    }
}

impl StackFormula {
    /// The effect at argument `arg`, saturated to the `i32` range.
    pub fn eval(&self, arg: u32) -> i32 {
        let sum = self.terms.iter().fold(i64::from(self.constant), |acc, t| {
            acc.saturating_add(i64::from(t.coef).saturating_mul(t.feature.value(arg)))
        });
        sum.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }

    /// Whether the effect is the same for every argument.
    pub fn is_constant(&self) -> bool {
        self.terms.is_empty()
    }
}

impl fmt::Display for StackFormula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if self.constant != 0 || self.terms.is_empty() {
            write!(f, "{}", self.constant)?;
            first = false;
        }
        for t in self.terms {
            if t.coef < 0 {
                f.write_str("-")?;
            } else if !first {
                f.write_str("+")?;
            }
            first = false;
            if t.coef.unsigned_abs() != 1 {
                write!(f, "{}*", t.coef.unsigned_abs())?;
            }
            match t.feature {
                Feature::Arg => f.write_str("a")?,
                Feature::Mask(m) => write!(f, "(a&{m})")?,
                Feature::Shr(s) => write!(f, "(a>>{s})")?,
                Feature::AnyBit(m) => write!(f, "[a&{m}]")?,
                Feature::Eq(k) => write!(f, "[a=={k}]")?,
            }
        }
        Ok(())
    }
}
