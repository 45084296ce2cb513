//! The iteration order of CPython's sets, by replaying their hash table.
//!
//! A marshalled set or frozenset is rebuilt by adding its elements one by one, in
//! file order, to an empty set (Python 3's `marshal` calls `PySet_Add`; Python 2.7
//! builds the set from a tuple of the elements, which adds them in the same order).
//! Iteration then walks the table's slots in index order. This module replays that
//! with each version's rules from `Objects/setobject.c`:
//!
//! - the table starts with 8 slots; an element goes to slot `hash & mask` or, if that
//!   is taken, along the probe sequence;
//! - probe sequence, 2.7: `i = 5*i + perturb + 1`, then `perturb >>= 5` (perturb
//!   starts as the hash); 3.x: the slot and up to 9 slots after it (only when all 9
//!   fit before the table's end), then `perturb >>= 5; i = (5*i + 1 + perturb) & mask`;
//! - growth: after filling a free slot, when `fill*3 >= (mask+1)*2` (2.7),
//!   `fill*3 >= mask*2` (3.6) or `fill*5 >= mask*3` (3.7+), the table is rebuilt with
//!   the smallest power-of-two size above `4*used` (`2*used` past 50,000 elements),
//!   re-adding the old slots' elements in slot order.
//!
//! Hashes are Python's signed `Py_hash_t`, used as unsigned `size_t` in the probe.
//! Elements are assumed distinct (a marshalled set never holds two equal elements).

use super::hash::hash;
use crate::marshal::{ObjId, ObjectGraph};
use crate::version::PyVersion;

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

struct Table {
    /// Index into the element list, per slot.
    slots: Vec<Option<usize>>,
    fill: usize,
}

impl Table {
    fn new(size: usize) -> Table {
        Table {
            slots: vec![None; size],
            fill: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The free slot an element of hash `h` goes to.
    fn find_free(&self, h: u64, version: PyVersion) -> usize {
        let mask = self.mask();
        let mut i = (h as usize) & mask;
        if self.slots[i].is_none() {
            return i;
        }
        let mut perturb = h;
        if version.is_py2() {
            let mut j = h as usize & mask;
            loop {
                j = j
                    .wrapping_mul(5)
                    .wrapping_add(perturb as usize)
                    .wrapping_add(1);
                if self.slots[j & mask].is_none() {
                    return j & mask;
                }
                perturb >>= PERTURB_SHIFT;
            }
        }
        loop {
            if i + LINEAR_PROBES <= mask {
                for k in 1..=LINEAR_PROBES {
                    if self.slots[i + k].is_none() {
                        return i + k;
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize)
                & mask;
            if self.slots[i].is_none() {
                return i;
            }
        }
    }

    fn place(&mut self, elem: usize, hashes: &[u64], version: PyVersion) {
        let slot = self.find_free(hashes[elem], version);
        self.slots[slot] = Some(elem);
        self.fill += 1;
    }

    /// Whether the table must grow after a fill.
    fn full(&self, version: PyVersion) -> bool {
        let (fill, mask) = (self.fill, self.mask());
        if version.is_py2() {
            fill * 3 >= (mask + 1) * 2
        } else if version == PyVersion::V3_6 {
            fill * 3 >= mask * 2
        } else {
            fill * 5 >= mask * 3
        }
    }

    fn resize(&mut self, hashes: &[u64], version: PyVersion) {
        let used = self.fill;
        let minused = if used > 50_000 { used * 2 } else { used * 4 };
        let mut size = MIN_SIZE;
        while size <= minused {
            size <<= 1;
        }
        let old = std::mem::replace(self, Table::new(size));
        for elem in old.slots.into_iter().flatten() {
            self.place(elem, hashes, version);
        }
    }
}

/// The slot order of a set built by adding elements with hashes `hashes` in order:
/// indices into `hashes`, as iteration yields them.
///
/// ```
/// use pycopt_core::pyrepr::set_slot_order;
/// use pycopt_core::PyVersion;
/// // {9, 1}: 9 & 7 == 1 is taken first, so 1 moves on; iteration starts at slot 1.
/// assert_eq!(set_slot_order(&[9, 1], PyVersion::V3_11), vec![0, 1]);
/// assert_eq!(set_slot_order(&[3, 1], PyVersion::V3_11), vec![1, 0]);
/// ```
pub fn set_slot_order(hashes: &[i64], version: PyVersion) -> Vec<usize> {
    let hashes: Vec<u64> = hashes.iter().map(|&h| h as u64).collect();
    let mut table = Table::new(MIN_SIZE);
    for elem in 0..hashes.len() {
        table.place(elem, &hashes, version);
        if table.full(version) {
            table.resize(&hashes, version);
        }
    }
    table.slots.into_iter().flatten().collect()
}

/// The order in which CPython iterates a set or frozenset whose marshalled elements
/// are `items` (in file order): the order its `repr` lists them in.
///
/// Elements whose hash pycopt does not model (see [`hash`]) are taken to hash to 0.
pub fn set_iteration_order(g: &ObjectGraph, items: &[ObjId], version: PyVersion) -> Vec<ObjId> {
    let hashes: Vec<i64> = items
        .iter()
        .map(|&id| hash(g, id, version).unwrap_or(0))
        .collect();
    set_slot_order(&hashes, version)
        .into_iter()
        .map(|i| items[i])
        .collect()
}
