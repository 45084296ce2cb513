//! Control-flow graphs of code objects.
//!
//! A [`Cfg`] holds basic blocks of instructions in a petgraph `StableDiGraph`, so
//! passes can add and remove blocks and edges by index without invalidating the
//! others. Control flow lives only in the edges: a block's last instruction may be a
//! jump, and where it goes is its [`EdgeKind::Jump`] edge, never an argument. The
//! exception handling of both models is explicit:
//! - 3.11+ (zero-cost exceptions): every instruction of a block has the same handler,
//!   an [`EdgeKind::Exception`] edge carrying the exception table's depth and `lasti`;
//! - up to 3.10 (block stack): a block ending in a `SETUP_*` instruction has an
//!   [`EdgeKind::Setup`] edge to its handler, besides its fall-through.
//!
//! The original order of blocks is kept in [`Cfg::layout`]: a fall-through edge must
//! lead to the next block in it (code generation relies on that, and passes that
//! reorder blocks insert jumps).

mod build;
mod depth;
mod dot;
mod exceptdepth;
mod scan;

pub use build::{build, build_scanned, BuildError};
pub use depth::annotate_entry_depths;
pub use dot::to_dot;
pub use exceptdepth::handler_nesting;
pub use scan::Scan;

use std::collections::HashMap;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::code::{kind, Code, Locals};
use crate::linetable::Position;
use crate::marshal::ObjectGraph;
use crate::opcode::OpInfo;
use crate::version::PyVersion;

/// Index of a block.
pub type BlockId = NodeIndex;

/// One instruction in a block.
#[derive(Clone, Debug)]
pub struct Instr {
    pub op: &'static OpInfo,
    /// The argument; for a jump it is whatever the input held and is recomputed
    /// from the [`EdgeKind::Jump`] edge when code is generated.
    pub arg: u32,
    /// Source position (line only before 3.11).
    pub pos: Position,
    /// `EXTENDED_ARG` prefixes the input had. Code generation writes the number the
    /// final argument needs, and more only while the argument is still the one the
    /// input had with these prefixes ([`Cfg::prefixed_args`]), which keeps redundant
    /// prefixes for byte-identical output without ever padding a changed argument. A
    /// pass that changes an argument may set this to 0; it need not.
    pub prefixes: u8,
    /// Non-zero inline cache contents from the input (normally empty).
    pub cache: Box<[u8]>,
    /// Byte offset in the code the graph was built from, if any.
    pub offset: Option<u32>,
}

/// A basic block: straight-line code entered only at its start.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub instrs: Vec<Instr>,
    /// Byte offset of the block's start in the input code, if it came from there.
    pub offset: Option<u32>,
    /// Stack depth on entry, once an analysis computed it.
    pub entry_depth: Option<u32>,
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// Control continues with the next block in the layout.
    Fallthrough,
    /// The block's last instruction jumps here (conditionally or not).
    Jump,
    /// 3.11+: an exception raised in the block goes to this handler, with the value
    /// stack cut to `depth` (then the exception pushed, and the offset of the raising
    /// instruction first when `lasti`).
    Exception { depth: u32, lasti: bool },
    /// Up to 3.10: the `SETUP_*` instruction ending the block pushes a handler block
    /// whose code starts here.
    Setup,
}

/// `co_flags` bits that code generation, analyses and the verifier read.
pub mod co_flags {
    /// `*args`: one more argument slot.
    pub const VARARGS: u32 = 0x0004;
    /// `**kwargs`: one more argument slot.
    pub const VARKEYWORDS: u32 = 0x0008;
    /// A generator function.
    pub const GENERATOR: u32 = 0x0020;
    /// An `async def` function.
    pub const COROUTINE: u32 = 0x0080;
    /// An `async def` function that yields.
    pub const ASYNC_GENERATOR: u32 = 0x0200;
    /// Any of the kinds whose frames live in a generator object (3.11+ code starts with
    /// `RETURN_GENERATOR; POP_TOP`).
    pub const GENERATOR_LIKE: u32 = GENERATOR | COROUTINE | ASYNC_GENERATOR;
}

/// What a code object says about its frame, beyond the instructions: which fast-local
/// slots exist and which are bound when the frame starts. Analyses (definite
/// assignment) and the verifier's prefix check read it; a graph built without a code
/// object has the default (no arguments, no known slots), which those analyses treat
/// conservatively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Argument slots, bound at entry: `co_argcount` (positional-only arguments
    /// included) + `co_kwonlyargcount` + one for `*args` + one for `**kwargs`.
    pub arguments: u32,
    /// The kind bits ([`crate::code::kind`]) of every fast-local slot, in slot order:
    /// `co_localspluskinds` from 3.11; before, `LOCAL` for each of `co_varnames`, then
    /// `CELL` for each cell and `FREE` for each free variable (which up to 3.10 are
    /// numbered in a space of their own).
    pub kinds: Vec<u8>,
    /// `co_flags` ([`co_flags`]).
    pub flags: u32,
}

impl Frame {
    /// The frame facts of `code` (read from `g`).
    pub fn of(code: &Code, g: &ObjectGraph) -> Frame {
        let len = |id| g.as_tuple(id).map_or(0, <[_]>::len);
        let kinds = match code.locals {
            Locals::Plus { kinds, .. } => g.as_bytes(kinds).unwrap_or(&[]).to_vec(),
            Locals::Split {
                varnames,
                freevars,
                cellvars,
            } => {
                let mut k = vec![kind::LOCAL; len(varnames)];
                k.extend(std::iter::repeat_n(kind::CELL, len(cellvars)));
                k.extend(std::iter::repeat_n(kind::FREE, len(freevars)));
                k
            }
        };
        let flags = code.flags as u32;
        let count = |n: i32| n.max(0) as u32;
        let arguments = count(code.argcount)
            + count(code.kwonlyargcount)
            + u32::from(flags & co_flags::VARARGS != 0)
            + u32::from(flags & co_flags::VARKEYWORDS != 0);
        Frame {
            arguments,
            kinds,
            flags,
        }
    }

    /// Slots with the `CELL` bit, in order (3.11+ code makes each with `MAKE_CELL`).
    pub fn cells(&self) -> impl Iterator<Item = u32> + '_ {
        self.kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| *k & kind::CELL != 0)
            .map(|(i, _)| i as u32)
    }

    /// Number of free-variable slots (3.11+: the last ones, filled by
    /// `COPY_FREE_VARS`).
    pub fn free_count(&self) -> u32 {
        self.kinds.iter().filter(|k| *k & kind::FREE != 0).count() as u32
    }

    /// Whether the code runs in a generator, coroutine or async generator frame.
    pub fn is_generator_like(&self) -> bool {
        self.flags & co_flags::GENERATOR_LIKE != 0
    }
}

/// The control-flow graph of one code object.
#[derive(Clone, Debug)]
pub struct Cfg {
    pub version: PyVersion,
    pub graph: StableDiGraph<Block, EdgeKind>,
    /// The entry block.
    pub entry: BlockId,
    /// Blocks in code order.
    pub layout: Vec<BlockId>,
    /// The code object's frame: argument count, slot kinds, flags.
    pub frame: Frame,
    /// The argument of every input instruction that had `EXTENDED_ARG` prefixes, by
    /// its input byte offset ([`Instr::offset`]: where its first prefix is); for a
    /// jump, the jump argument. Code generation keeps an instruction's recorded
    /// [`Instr::prefixes`] only while its argument is still this one.
    pub prefixed_args: HashMap<u32, u32>,
}

impl Cfg {
    /// An empty graph with one empty entry block.
    pub fn new(version: PyVersion) -> Cfg {
        let mut graph = StableDiGraph::new();
        let entry = graph.add_node(Block::default());
        Cfg {
            version,
            graph,
            entry,
            layout: vec![entry],
            frame: Frame::default(),
            prefixed_args: HashMap::new(),
        }
    }

    /// Builds a graph from an adjacency list, for tests and tools that reason about
    /// control flow without bytecode: `blocks` empty blocks, then the edges.
    pub fn from_edges(
        version: PyVersion,
        blocks: usize,
        edges: &[(usize, usize, EdgeKind)],
    ) -> Cfg {
        let mut graph = StableDiGraph::new();
        let ids: Vec<BlockId> = (0..blocks.max(1))
            .map(|_| graph.add_node(Block::default()))
            .collect();
        for &(a, b, kind) in edges {
            graph.add_edge(ids[a], ids[b], kind);
        }
        Cfg {
            version,
            graph,
            entry: ids[0],
            layout: ids,
            frame: Frame::default(),
            prefixed_args: HashMap::new(),
        }
    }

    /// The block `id`.
    pub fn block(&self, id: BlockId) -> &Block {
        &self.graph[id]
    }

    /// Outgoing edges of `id` as `(kind, target)`.
    pub fn successors(&self, id: BlockId) -> impl Iterator<Item = (EdgeKind, BlockId)> + '_ {
        self.graph
            .edges_directed(id, Direction::Outgoing)
            .map(|e| (*e.weight(), e.target()))
    }

    /// Incoming edges of `id` as `(kind, source)`.
    pub fn predecessors(&self, id: BlockId) -> impl Iterator<Item = (EdgeKind, BlockId)> + '_ {
        self.graph
            .edges_directed(id, Direction::Incoming)
            .map(|e| (*e.weight(), e.source()))
    }

    /// The target of the block's jump, if it ends in one.
    pub fn jump_target(&self, id: BlockId) -> Option<BlockId> {
        self.successors(id)
            .find(|(k, _)| *k == EdgeKind::Jump)
            .map(|(_, t)| t)
    }

    /// The block control falls into after `id`, if it does.
    pub fn fallthrough(&self, id: BlockId) -> Option<BlockId> {
        self.successors(id)
            .find(|(k, _)| *k == EdgeKind::Fallthrough)
            .map(|(_, t)| t)
    }

    /// Blocks reachable from the entry along any edge, exception edges included, in
    /// depth-first preorder.
    pub fn reachable(&self) -> Vec<BlockId> {
        let mut seen = std::collections::HashSet::new();
        let mut order = Vec::new();
        let mut stack = vec![self.entry];
        while let Some(b) = stack.pop() {
            if !seen.insert(b) {
                continue;
            }
            order.push(b);
            let mut next: Vec<BlockId> = self.successors(b).map(|(_, t)| t).collect();
            next.reverse();
            stack.extend(next);
        }
        order
    }

    /// Number of instructions in all blocks.
    pub fn instruction_count(&self) -> usize {
        self.layout
            .iter()
            .map(|&b| self.graph[b].instrs.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loop with an exit, independent of any bytecode:
    /// 0 → 1; 1 → 2 (jump), 1 → 3 (fall-through); 2 → 1 (jump back).
    fn loop_graph() -> Cfg {
        Cfg::from_edges(
            PyVersion::V3_12,
            4,
            &[
                (0, 1, EdgeKind::Fallthrough),
                (1, 2, EdgeKind::Fallthrough),
                (1, 3, EdgeKind::Jump),
                (2, 1, EdgeKind::Jump),
            ],
        )
    }

    #[test]
    fn adjacency_list_graph_has_its_edges() {
        let g = loop_graph();
        let b: Vec<BlockId> = g.layout.clone();
        assert_eq!(g.jump_target(b[1]), Some(b[3]));
        assert_eq!(g.fallthrough(b[1]), Some(b[2]));
        assert_eq!(g.jump_target(b[2]), Some(b[1]));
        assert_eq!(g.fallthrough(b[2]), None);
        let preds: Vec<BlockId> = g.predecessors(b[1]).map(|(_, s)| s).collect();
        assert_eq!(preds.len(), 2);
        assert!(preds.contains(&b[0]) && preds.contains(&b[2]));
    }

    #[test]
    fn reachability_follows_every_edge_kind() {
        let mut g = loop_graph();
        let extra = g.graph.add_node(Block::default());
        g.layout.push(extra);
        // Unreachable until an exception edge points at it.
        assert!(!g.reachable().contains(&extra));
        g.graph.add_edge(
            g.layout[2],
            extra,
            EdgeKind::Exception {
                depth: 1,
                lasti: true,
            },
        );
        assert!(g.reachable().contains(&extra));
        assert_eq!(g.reachable()[0], g.entry);
    }

    #[test]
    fn removing_a_block_keeps_other_indices() {
        let mut g = loop_graph();
        let b = g.layout.clone();
        g.graph.remove_node(b[2]);
        assert!(g.graph.contains_node(b[3]));
        assert_eq!(g.jump_target(b[1]), Some(b[3]));
        assert_eq!(g.successors(b[1]).count(), 1);
    }
}
