//! Builds the English word list's lookup table (`stage::whitespace::is_word`) at compile time, so a
//! process does not spend about 37M instructions building a hash set of 200,000 words on first use
//! (it matters to anyone who cleans one document per process).
//!
//! Writes two files to `OUT_DIR`:
//! - `words.txt`: every word of the Wordnik list, concatenated without separators;
//! - `word_table.bin`: an open-addressing hash table of `1 << WORD_TABLE_BITS` little-endian `u32`
//!   slots, linear probing. A slot is 0 when empty, else `offset << 10 | len << 5 | tag`: the word is
//!   `words.txt[offset..offset + len]`, and `tag` is 5 more bits of its hash (a cheap first test).
//!
//! The hash and the slot layout must be the same as in `src/stage/whitespace.rs`
//! (`word_hash`, `WORD_TABLE_BITS`); its tests look up every word and many non-words there.

use std::io::Write;
use std::path::PathBuf;

/// Copy of `stage::whitespace::WORD_TABLE_BITS`.
const WORD_TABLE_BITS: u32 = 19;

/// Copy of `stage::whitespace::word_hash`.
fn word_hash(w: &[u8]) -> u64 {
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

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let size = 1usize << WORD_TABLE_BITS;
    let mut blob = Vec::new();
    let mut table = vec![0u32; size];
    for w in wordnik_list::word_iterator() {
        let w = w.as_bytes();
        assert!((1..32).contains(&w.len()), "{w:?}: a word's length must fit in 5 bits");
        let offset = blob.len();
        blob.extend_from_slice(w);
        assert!(blob.len() < 1 << 22, "the words must fit in 22 bits of offset");
        let h = word_hash(w);
        let slot =
            (offset as u32) << 10 | (w.len() as u32) << 5 | ((h >> (59 - WORD_TABLE_BITS)) & 31) as u32;
        let mut i = (h >> (64 - WORD_TABLE_BITS)) as usize;
        while table[i] != 0 {
            i = (i + 1) & (size - 1);
        }
        table[i] = slot;
    }
    std::fs::write(out.join("words.txt"), &blob).expect("words.txt");
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(out.join("word_table.bin")).expect("word_table.bin"));
    for s in table {
        f.write_all(&s.to_le_bytes()).expect("word_table.bin");
    }
    f.flush().expect("word_table.bin");
}
