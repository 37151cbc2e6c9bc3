//! The layout of the English word list's hash table (`whitespace::is_word`), shared by the crate and
//! by `build.rs`, which makes the table at compile time (it includes this file as a module): one
//! definition of the hash and the slots, so the two cannot drift apart.
//!
//! `1 << WORD_TABLE_BITS` little-endian `u32` slots, linear probing. A slot is 0 when empty, else
//! `offset << 10 | len << 5 | tag`: the word is `words[offset..offset + len]` and `tag` is five more
//! bits of its [`word_hash`] (a cheap first test).

/// log2 of the number of slots. 2^19 slots for about 200,000 words: a third full, so a word not in
/// the list is told after one or two slots.
pub const WORD_TABLE_BITS: u32 = 19;

/// The hash of the word table: FxHash's step on eight bytes at a time (the last eight overlapping the
/// ones before; up to eight bytes as two four-byte halves), seeded with the length, without copying a
/// word's tail aside.
#[inline]
pub fn word_hash(w: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, x: u64| (h.rotate_left(5) ^ x).wrapping_mul(K);
    let n = w.len();
    let u32_at = |i: usize| u32::from_le_bytes(w[i..i + 4].try_into().unwrap()) as u64;
    let u64_at = |i: usize| u64::from_le_bytes(w[i..i + 8].try_into().unwrap());
    // The length is hashed too, so the tail may overlap bytes already read.
    match n {
        0 => n as u64,
        1..=3 => step(n as u64, w[0] as u64 | (w[n / 2] as u64) << 8 | (w[n - 1] as u64) << 16),
        4..=8 => step(n as u64, u32_at(0) | u32_at(n - 4) << 32),
        _ => {
            let mut h = n as u64;
            let mut i = 0;
            while i + 8 < n {
                h = step(h, u64_at(i));
                i += 8;
            }
            // The last eight bytes (1 to 8 of them not read yet).
            step(h, u64_at(n - 8))
        }
    }
}

/// The first slot to look at for a word of hash `h`: the top bits.
#[inline]
pub fn home_slot(h: u64) -> usize {
    (h >> (64 - WORD_TABLE_BITS)) as usize
}

/// The low ten bits of a word's slot: its length (under 32) and the five bits of `h` below the home
/// slot's.
#[inline]
pub fn slot_key(len: usize, h: u64) -> u32 {
    (len as u32) << 5 | ((h >> (59 - WORD_TABLE_BITS)) & 31) as u32
}
