//! o200k_base's byte-pair merges over a compact vocabulary.
//!
//! The tokens are one byte string in rank order (`build.rs`), found by an
//! open-addressing index of ranks: ~3 MiB in all, where tiktoken-rs's maps
//! of owned byte vectors take ~46 MiB. The merge loops are tiktoken's own
//! (MIT), reduced to counting.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

type Rank = u32;

const TOKENS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k.tokens"));
const OFFSETS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k.offsets"));
/// Index slots: 2^18 for 200k tokens (three quarters full) measured faster
/// than 2^19, and 1 MiB smaller.
const INDEX_BITS: u32 = 18;
const EMPTY: Rank = Rank::MAX;
/// Pieces this long or longer merge through a heap: O(n log n) instead of
/// O(n²), as tiktoken does from 100 bytes on.
const LARGE_PIECE: usize = 100;

pub struct Vocab {
    index: Vec<Rank>,
}

impl Vocab {
    pub fn new() -> Self {
        let mut vocab = Self {
            index: vec![EMPTY; 1 << INDEX_BITS],
        };
        for rank in 0..token_count() {
            let mut slot = slot_of(vocab.token(rank));
            while vocab.index[slot] != EMPTY {
                slot = (slot + 1) & mask();
            }
            vocab.index[slot] = rank;
        }
        vocab
    }

    fn token(&self, rank: Rank) -> &'static [u8] {
        let rank = rank as usize;
        &TOKENS[offset(rank)..offset(rank + 1)]
    }

    fn rank(&self, bytes: &[u8]) -> Option<Rank> {
        let mut slot = slot_of(bytes);
        loop {
            let rank = self.index[slot];
            if rank == EMPTY {
                return None;
            }
            if self.token(rank) == bytes {
                return Some(rank);
            }
            slot = (slot + 1) & mask();
        }
    }

    fn rank_or_max(&self, bytes: &[u8]) -> Rank {
        self.rank(bytes).unwrap_or(Rank::MAX)
    }

    /// Tokens in one pretokenized piece.
    pub fn count(&self, piece: &[u8]) -> usize {
        if piece.len() <= 1 || self.rank(piece).is_some() {
            return usize::from(!piece.is_empty());
        }
        if piece.len() < LARGE_PIECE {
            self.merge_small(piece)
        } else {
            self.merge_large(piece)
        }
    }

    /// tiktoken's `_byte_pair_merge`: repeatedly merge the lowest-ranked
    /// adjacent pair, leftmost first.
    fn merge_small(&self, piece: &[u8]) -> usize {
        // (start, rank of the pair starting here)
        let mut parts: Vec<(usize, Rank)> = Vec::with_capacity(piece.len() + 1);
        for i in 0..piece.len() - 1 {
            parts.push((i, self.rank_or_max(&piece[i..i + 2])));
        }
        parts.push((piece.len() - 1, Rank::MAX));
        parts.push((piece.len(), Rank::MAX));
        let pair_rank = |parts: &[(usize, Rank)], i: usize| match parts.get(i + 3) {
            Some(&(end, _)) => self.rank_or_max(&piece[parts[i].0..end]),
            None => Rank::MAX,
        };
        while let Some(i) = lowest(&parts[..parts.len() - 1]) {
            if i > 0 {
                parts[i - 1].1 = pair_rank(&parts, i - 1);
            }
            parts[i].1 = pair_rank(&parts, i);
            parts.remove(i + 1);
        }
        parts.len() - 1
    }

    /// tiktoken's `_byte_pair_merge_large`: the same merges in the same
    /// order, through a heap of candidate merges and a linked list of tokens.
    fn merge_large(&self, piece: &[u8]) -> usize {
        let mut state: Vec<Node> = (0..piece.len())
            .map(|i| Node {
                prev: i.checked_sub(1).unwrap_or(usize::MAX),
                end: i + 1,
                next_end: i + 2,
                next_rank: Rank::MAX,
            })
            .collect();
        let mut heap = BinaryHeap::with_capacity(piece.len());
        for i in 0..piece.len() - 1 {
            if let Some(rank) = self.rank(&piece[i..i + 2]) {
                heap.push(Merge { start: i, rank });
                state[i].next_rank = rank;
            }
        }
        while let Some(left) = heap.pop() {
            if left.rank != state[left.start].next_rank {
                continue; // superseded by a later merge
            }
            let right_start = state[left.start].end;
            let right_end = state[left.start].next_end;
            let right_next_end = state[right_start].next_end;
            state[left.start].end = right_end;
            self.candidate(piece, &mut state, &mut heap, left.start, right_next_end);
            if right_end < state.len() {
                state[right_end].prev = left.start;
            }
            if left.start > 0 {
                let prev = state[left.start].prev;
                self.candidate(piece, &mut state, &mut heap, prev, right_end);
            }
            state[right_start].next_rank = Rank::MAX;
        }
        let (mut tokens, mut i) = (0, 0);
        while i < state.len() {
            tokens += 1;
            i = state[i].end;
        }
        tokens
    }

    /// Records the merge of the token at `start` with the one ending at `end`.
    fn candidate(
        &self,
        piece: &[u8],
        state: &mut [Node],
        heap: &mut BinaryHeap<Merge>,
        start: usize,
        end: usize,
    ) {
        state[start].next_end = end;
        state[start].next_rank = Rank::MAX;
        if let Some(rank) = piece.get(start..end).and_then(|pair| self.rank(pair)) {
            heap.push(Merge { start, rank });
            state[start].next_rank = rank;
        }
    }
}

/// A token in `merge_large`'s list: it spans `start..end` (its index is the
/// start); merging it with the next token would span `start..next_end`.
struct Node {
    prev: usize,
    end: usize,
    next_end: usize,
    next_rank: Rank,
}

/// A candidate merge; the heap pops the lowest rank, then the leftmost.
#[derive(PartialEq, Eq)]
struct Merge {
    start: usize,
    rank: Rank,
}

impl Ord for Merge {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .rank
            .cmp(&self.rank)
            .then_with(|| other.start.cmp(&self.start))
    }
}

impl PartialOrd for Merge {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The leftmost part whose pair has the lowest rank, if any pair is a token.
fn lowest(parts: &[(usize, Rank)]) -> Option<usize> {
    let mut best = (Rank::MAX, None);
    for (i, &(_, rank)) in parts.iter().enumerate() {
        if rank < best.0 {
            best = (rank, Some(i));
        }
    }
    best.1
}

/// Where token `rank` starts in `TOKENS` (read in place: a copy would be
/// another 800 KB resident).
fn offset(rank: usize) -> usize {
    let at = 4 * rank;
    match OFFSETS.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => TOKENS.len(),
    }
}

fn token_count() -> Rank {
    Rank::try_from(OFFSETS.len() / 4).map_or(0, |entries| entries.saturating_sub(1))
}

fn mask() -> usize {
    (1 << INDEX_BITS) - 1
}

/// FxHash-style multiply-rotate over 8-byte words; the top bits pick the slot.
fn slot_of(bytes: &[u8]) -> usize {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut hash = bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    (hash >> (64 - INDEX_BITS)) as usize
}
