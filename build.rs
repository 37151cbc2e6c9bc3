//! Builds the English word list's lookup table (`stage::whitespace::is_word`) at compile time, so a
//! process does not spend about 37M instructions building a hash set of 200,000 words on first use
//! (it matters to anyone who cleans one document per process).
//!
//! Writes two files to `OUT_DIR`:
//! - `words.txt`: every word of the Wordnik list, concatenated without separators;
//! - `word_table.bin`: the hash table over it, laid out as `src/stage/word_table.rs` says (that file
//!   is this script's module too, so the crate and the table share one hash). The crate's tests look
//!   up every word and many non-words.

use std::io::Write;
use std::path::PathBuf;

#[path = "src/stage/word_table.rs"]
mod word_table;

use word_table::{home_slot, slot_key, word_hash, WORD_TABLE_BITS};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/stage/word_table.rs");
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
        let slot = (offset as u32) << 10 | slot_key(w.len(), h);
        let mut i = home_slot(h);
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
