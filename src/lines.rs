//! The line view of a text that the line-based passes share.
//!
//! PDF extractors print one line of the page per line of text and separate pages with a form feed,
//! so a text splits into lines at `\n` and at `\f`; a form feed also starts a new page. Positions are
//! byte offsets into the text the pass was given.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The whole line, without its terminator (`\n` or `\f`).
    pub range: Range<usize>,
    /// The line without leading and trailing white space (empty at `range.start` for a blank line).
    pub content: Range<usize>,
    /// 0-based page number: how many form feeds come before the line.
    pub page: usize,
    /// Leading white space, in characters.
    pub indent: usize,
    /// Length of the content, in characters.
    pub chars: usize,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.content.is_empty()
    }
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.content.clone()]
    }
}

/// A text as a pass gets it, with its line table, split when a pass first asks for it
/// ([`Doc::lines`]). The pipeline hands the table on to the next pass while the text stays the same,
/// or changes only by whole lines taken out ([`without_lines`]): furniture's and the pattern rules'
/// removals leave the next pass a table it need not split again.
pub struct Doc<'t> {
    pub text: &'t str,
    lines: std::cell::OnceCell<Vec<Line>>,
}

impl<'t> Doc<'t> {
    pub fn new(text: &'t str) -> Doc<'t> {
        Doc { text, lines: std::cell::OnceCell::new() }
    }

    /// `text` with its line table, when the caller has it (`split(text)`, or what [`without_lines`]
    /// gave).
    pub(crate) fn with_lines(text: &'t str, lines: Option<Vec<Line>>) -> Doc<'t> {
        Doc { text, lines: lines.map_or_else(std::cell::OnceCell::new, std::cell::OnceCell::from) }
    }

    /// The lines of the text: [`split`]'s table.
    pub fn lines(&self) -> &[Line] {
        self.lines.get_or_init(|| split(self.text))
    }

    /// The line table, if a pass asked for it.
    pub(crate) fn into_lines(self) -> Option<Vec<Line>> {
        self.lines.into_inner()
    }
}

/// The line table of `text` once the edits are made, when each takes out one whole line and the
/// `\n` after it (what [`removal_range`] gives), without splitting the new text: the other lines keep
/// their page, indent and length and move back by what went before them. `None` for any other edit.
/// `edits` are sorted and do not overlap, as `Edits::into_sorted` leaves them.
///
/// The table is reworked in place: the lines before the first edit stay as they are, and a pass whose
/// edits are not all removals ending in a newline (reflow's joins, a ligature) is told from its edits
/// alone, before any line is looked at.
pub fn without_lines(text: &str, mut lines: Vec<Line>, edits: &[crate::edit::Edit]) -> Option<Vec<Line>> {
    let bytes = text.as_bytes();
    // A whole line's removal ends with its newline and puts nothing in its place.
    let removal = |e: &crate::edit::Edit| {
        e.replacement.is_empty() && e.range.end > e.range.start && bytes.get(e.range.end - 1) == Some(&b'\n')
    };
    if !edits.iter().all(removal) {
        return None;
    }
    let Some(first) = edits.first() else {
        return Some(lines);
    };
    // Line starts increase, so the lines before the first edit are a prefix: unchanged.
    let mut kept = lines.partition_point(|l| l.range.start < first.range.start);
    // The lines from `read` on are still to be looked at; those before `kept` are done.
    let mut read = kept;
    let mut removed = 0;
    let table = lines.as_mut_slice();
    // Moves the lines `from..to` back to `kept` on (`kept` <= `from`), and back by what was removed
    // before them: one run of lines between two removals, found by a search for the removal's line
    // rather than by testing each line against the edit (nearly every line of a document is moved,
    // twice: after furniture's removals and after the pattern rules').
    let shift_run = |table: &mut [Line], from: usize, to: usize, kept: usize, removed: usize| {
        let table = &mut table[kept..to];
        let back = from - kept;
        for k in 0..to - from {
            let l = &table[back + k];
            let shift = |r: &Range<usize>| r.start - removed..r.end - removed;
            table[k] = Line { range: shift(&l.range), content: shift(&l.content), ..*l };
        }
    };
    for e in edits {
        // The first line from `read` on that does not start before the edit: galloping from `read`
        // (the removals of a page come close together), then a binary search in the last step.
        let rest = &table[read..];
        let before = |l: &Line| l.range.start < e.range.start;
        let (mut lo, mut step) = (0, 1);
        while lo + step < rest.len() && before(&rest[lo + step]) {
            lo += step;
            step *= 2;
        }
        let at = read + lo + rest[lo..(lo + step).min(rest.len())].partition_point(before);
        shift_run(table, read, at, kept, removed);
        kept += at - read;
        // The edit must start a line and end one past it: the edit ends with a newline (`removal`),
        // which is then the line's own.
        match table.get(at) {
            Some(l) if l.range.start == e.range.start && e.range.end == l.range.end + 1 => {
                removed += e.range.len();
                read = at + 1;
            }
            _ => return None,
        }
    }
    shift_run(table, read, table.len(), kept, removed);
    kept += table.len() - read;
    lines.truncate(kept);
    Some(lines)
}

/// Splits `text` into lines. The last line may be empty.
///
/// One walk over the text, 64 bytes at a time, that finds every terminator and notes where the bytes
/// that are not ASCII are, so that an ASCII line (nearly all) is measured on bytes. (A `memchr2` call
/// a line and an `is_ascii` test of each line cost some 270 instructions a line: a line is shorter
/// than the vector code's start-up.) With AVX2 when the processor has it (two compares of 32 bytes
/// where SSE2 needs four of 16), else with SSE2; the same table either way (test).
pub fn split(text: &str) -> Vec<Line> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("bmi1")
        && std::arch::is_x86_feature_detected!("bmi2")
        && std::arch::is_x86_feature_detected!("lzcnt")
    {
        // SAFETY: the processor has AVX2, BMI1, BMI2 and LZCNT (just checked).
        return unsafe { split_avx2(text) };
    }
    // SAFETY: without AVX2.
    unsafe { split_with::<false>(text) }
}

/// [`split`] compiled for AVX2 as a whole, so that [`block_masks_avx2`] is put in line, and with
/// the bit instructions every AVX2 processor has (BMI1, BMI2, LZCNT) for the masks' bits.
///
/// # Safety
/// The processor must have AVX2, BMI1, BMI2 and LZCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt")]
unsafe fn split_avx2(text: &str) -> Vec<Line> {
    // SAFETY: the caller checked that the processor has AVX2.
    unsafe { split_with::<true>(text) }
}

/// [`split`], with [`block_masks_avx2`] for [`block_masks`] if `AVX2`.
///
/// # Safety
/// If `AVX2`, the processor must have AVX2.
#[inline(always)]
unsafe fn split_with<const AVX2: bool>(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    // Counting the newlines first (memchr counts with vector instructions) saves growing the table:
    // lines are short, and a guess from the text's length either wastes memory or copies the table
    // as it grows. Form feeds end lines too: few as they are, a text with one (most documents of
    // pdftotext, which ends every page with one) would outgrow a table of its newlines by a line
    // and copy the whole of it (b5: 6.7M instructions of 41M). Room for one line in 16 more covers
    // a page break every 16 lines or less often without a second count over the text (b5: 1.3M
    // instructions of the first split's 23.3M; no document of b5 or dev30 has more page breaks); a
    // text with more grows.
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    let terminators = newlines + newlines / 16 + 8;
    let mut lines = Vec::with_capacity(terminators + 1);
    let (mut start, mut page) = (0, 0);
    // Just after the last byte seen that is not ASCII: a line that starts there or later is ASCII.
    let mut high_end = 0;
    let full = bytes.len() / 64 * 64;
    // The last, partial block, with zero bytes past the end (no terminator, and ASCII).
    let mut tail = [0u8; 64];
    tail[..bytes.len() - full].copy_from_slice(&bytes[full..]);
    let mut i = 0;
    while i < bytes.len() {
        let block: &[u8; 64] = match bytes.get(i..i + 64) {
            Some(block) => block.try_into().expect("64 bytes"),
            None => &tail,
        };
        #[cfg(target_arch = "x86_64")]
        // SAFETY: if `AVX2`, the processor has AVX2 (the caller's promise).
        let masks = if AVX2 { unsafe { block_masks_avx2(block) } } else { block_masks(block) };
        #[cfg(not(target_arch = "x86_64"))]
        let masks = block_masks(block);
        let BlockMasks { newlines, form_feeds, high } = masks;
        let mut ends = newlines | form_feeds;
        // Most blocks are all ASCII: their lines need no look at `high`.
        if high == 0 {
            while ends != 0 {
                let k = ends.trailing_zeros() as usize;
                let end = i + k;
                lines.push(make_line(text, start..end, page, high_end <= start));
                page += ((form_feeds >> k) & 1) as usize;
                start = end + 1;
                ends &= ends - 1;
            }
        }
        while ends != 0 {
            let k = ends.trailing_zeros() as usize;
            let end = i + k;
            // The bytes of the block before the terminator that are not ASCII.
            let before = high & ((1u64 << k) - 1);
            if before != 0 {
                high_end = i + (64 - before.leading_zeros() as usize);
            }
            lines.push(make_line(text, start..end, page, high_end <= start));
            // A form feed starts a new page: its bit, from the block's masks rather than a read of
            // the byte.
            page += ((form_feeds >> k) & 1) as usize;
            start = end + 1;
            ends &= ends - 1;
        }
        if high != 0 {
            high_end = i + (64 - high.leading_zeros() as usize);
        }
        i += 64;
    }
    lines.push(make_line(text, start..bytes.len(), page, high_end <= start));
    lines
}

/// The sixteen bytes of `bytes` from `i`, with zero bytes past the end (no terminator, no letter or
/// digit, and ASCII).
#[inline]
pub(crate) fn sixteen_bytes(bytes: &[u8], i: usize) -> [u8; 16] {
    match bytes.get(i..i + 16) {
        Some(chunk) => chunk.try_into().expect("sixteen bytes"),
        None => {
            let mut buf = [0u8; 16];
            buf[..bytes.len() - i].copy_from_slice(&bytes[i..]);
            buf
        }
    }
}

/// The bytes of a block of 64 that [`split`] looks for, each as a bit, the first byte the lowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BlockMasks {
    /// `\n`
    newlines: u64,
    /// `\x0c`
    form_feeds: u64,
    /// The bytes that are not ASCII.
    high: u64,
}

/// [`block_masks_plainly`] with SSE2 (part of every x86-64 processor), which compares sixteen bytes
/// at once. (Test: the same masks.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn block_masks(block: &[u8; 64]) -> BlockMasks {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let mut masks = BlockMasks { newlines: 0, form_feeds: 0, high: 0 };
    for (j, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is enabled (the `cfg`), and the load reads the sixteen bytes of `chunk`, with
        // no alignment needed.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let bits = |m| u64::from(_mm_movemask_epi8(m) as u16) << (16 * j);
            masks.newlines |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)));
            masks.form_feeds |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0c)));
            // `movemask` takes each byte's top bit: set in a byte that is not ASCII.
            masks.high |= bits(v);
        }
    }
    masks
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn block_masks(block: &[u8; 64]) -> BlockMasks {
    block_masks_plainly(block)
}

/// [`block_masks`] with AVX2, thirty-two bytes at once. (Test: the same masks.)
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn block_masks_avx2(block: &[u8; 64]) -> BlockMasks {
    use std::arch::x86_64::{_mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8};
    // SAFETY: AVX2 is there (the caller's promise), and the loads read the 64 bytes of `block`, with
    // no alignment needed.
    unsafe {
        let lo = _mm256_loadu_si256(block.as_ptr().cast());
        let hi = _mm256_loadu_si256(block.as_ptr().add(32).cast());
        let bits = |lo, hi| {
            u64::from(_mm256_movemask_epi8(lo) as u32) | u64::from(_mm256_movemask_epi8(hi) as u32) << 32
        };
        let (nl, ff) = (_mm256_set1_epi8(b'\n' as i8), _mm256_set1_epi8(0x0c));
        BlockMasks {
            newlines: bits(_mm256_cmpeq_epi8(lo, nl), _mm256_cmpeq_epi8(hi, nl)),
            form_feeds: bits(_mm256_cmpeq_epi8(lo, ff), _mm256_cmpeq_epi8(hi, ff)),
            high: bits(lo, hi),
        }
    }
}

/// What [`block_masks`] computes, byte by byte.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn block_masks_plainly(block: &[u8; 64]) -> BlockMasks {
    let mask = |f: fn(u8) -> bool| block.iter().enumerate().fold(0, |m, (j, &c)| m | u64::from(f(c)) << j);
    BlockMasks { newlines: mask(|c| c == b'\n'), form_feeds: mask(|c| c == 0x0c), high: mask(|c| c >= 0x80) }
}

#[inline(always)]
fn make_line(text: &str, range: Range<usize>, page: usize, ascii: bool) -> Line {
    if ascii {
        make_ascii_line(&text.as_bytes()[range.clone()], range, page)
    } else {
        make_line_chars(&text[range.clone()], range, page)
    }
}

/// [`make_line_chars`] for an ASCII line, in one pass over bytes: a character is one byte, and white
/// space (`char::is_whitespace`) is the space and tab to carriage return.
fn make_ascii_line(b: &[u8], range: Range<usize>, page: usize) -> Line {
    let is_space = |c: &u8| *c == b' ' || (b'\t'..=b'\r').contains(c);
    // Most lines start and end with a character that is not white space: the whole line is the
    // content, without the two searches.
    if let (Some(first), Some(last)) = (b.first(), b.last()) {
        if !is_space(first) && !is_space(last) {
            return Line { content: range.clone(), range, page, indent: 0, chars: b.len() };
        }
    }
    let lead = b.iter().position(|c| !is_space(c)).unwrap_or(b.len());
    let trail = b[lead..].iter().rev().position(|c| !is_space(c)).unwrap_or(0);
    let cstart = range.start + lead;
    let len = b.len() - lead - trail;
    Line { range, content: cstart..cstart + len, page, indent: lead, chars: len }
}

fn make_line_chars(s: &str, range: Range<usize>, page: usize) -> Line {
    // Most of these lines start and end with an ASCII byte that is not white space, the character
    // that is not ASCII lying inside (a dash, an accented letter; b5: 10,388 lines of 13,095). That
    // byte is the whole first (last) character, and not white space, so nothing is trimmed: the
    // whole line is the content, and only its characters are counted.
    let plain = |b: u8| b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ');
    if let (Some(&first), Some(&last)) = (s.as_bytes().first(), s.as_bytes().last()) {
        if plain(first) && plain(last) {
            return Line { content: range.clone(), range, page, indent: 0, chars: count_chars(s) };
        }
    }
    let trimmed_start = s.trim_start();
    let lead = s.len() - trimmed_start.len();
    let content = trimmed_start.trim_end();
    let cstart = range.start + lead;
    // (Counting the characters costs less than testing for ASCII first: the line has some that
    // are not, or `split` would not ask.)
    let indent = count_chars(&s[..lead]);
    let chars = count_chars(content);
    Line { range, content: cstart..cstart + content.len(), page, indent, chars }
}

/// `s.chars().count()`: the bytes that start a character, those that are not continuation bytes
/// (0x80 to 0xbf). (The library's count cost some 190 instructions a line of `split`'s that is not
/// all ASCII.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn count_chars(s: &str) -> usize {
    use std::arch::x86_64::{
        _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_movemask_epi8, _mm_sad_epu8, _mm_set1_epi8,
        _mm_setzero_si128, _mm_srli_si128, _mm_sub_epi8,
    };
    // The starts in `group`, whole chunks of sixteen bytes and at most 255 of them: each byte of
    // `counts` counts the starts in its column (up to 255), and `sad` adds the bytes of each half.
    let starts = |group: &[u8]| {
        // SAFETY: SSE2 is enabled (the `cfg`), and each load reads the sixteen bytes of a chunk, with
        // no alignment needed.
        unsafe {
            let mut counts = _mm_setzero_si128();
            for chunk in group.chunks_exact(16) {
                let v = _mm_loadu_si128(chunk.as_ptr().cast());
                // As signed bytes a continuation byte is -0x80 to -0x41, and every other byte
                // greater: the compare gives -1 for a start.
                counts = _mm_sub_epi8(counts, _mm_cmpgt_epi8(v, _mm_set1_epi8(-0x41)));
            }
            let sums = _mm_sad_epu8(counts, _mm_setzero_si128());
            (_mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_srli_si128::<8>(sums))) as usize
        }
    };
    let mut groups = s.as_bytes().chunks_exact(16 * 255);
    let mut n = groups.by_ref().map(starts).sum::<usize>();
    let rest = groups.remainder();
    let (chunks, tail) = rest.split_at(rest.len() / 16 * 16);
    if !chunks.is_empty() {
        n += starts(chunks);
    }
    let bytes = s.as_bytes();
    if tail.is_empty() || bytes.len() < 16 {
        return n + tail.iter().filter(|&&c| (c as i8) >= -0x40).count();
    }
    // The tail's starts from one load of the last sixteen bytes of `s`, which end with the tail:
    // one bit a byte, the bits of the bytes before the tail (counted above) shifted out. (A byte a
    // step cost some 30 instructions for a line's tail of 7 or 8 bytes.)
    let last = &bytes[bytes.len() - 16..];
    // SAFETY: SSE2 is enabled (the `cfg`), and the load reads the sixteen bytes of `last`, with no
    // alignment needed.
    let bits = unsafe {
        let v = _mm_loadu_si128(last.as_ptr().cast());
        _mm_movemask_epi8(_mm_cmpgt_epi8(v, _mm_set1_epi8(-0x41))) as u32
    };
    n + (bits >> (16 - tail.len())).count_ones() as usize
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn count_chars(s: &str) -> usize {
    s.chars().count()
}

/// The range to remove so that line `i` disappears with its newline. Form feeds are kept: they still
/// mark the page break for later passes. The last line goes alone (the white space left before it is
/// trimmed later), so that removals of neighbouring lines never overlap.
pub fn removal_range(text: &str, lines: &[Line], i: usize) -> Range<usize> {
    let l = &lines[i];
    let bytes = text.as_bytes();
    if l.range.end < bytes.len() && bytes[l.range.end] == b'\n' {
        l.range.start..l.range.end + 1
    } else {
        l.range.clone()
    }
}

/// The typical width of a full line, in characters, or 0 when the text has too few lines to tell.
///
/// It is the 90th percentile of the lengths of the lines no longer than 1.5 times the median: ragged
/// text (news pages) puts its full lines near the top of the range, justified text (papers) puts nearly
/// every line at the width, and the lines an extractor glued together (pdftotext joins a line ending
/// in a hyphen to the next) are left out.
pub fn typical_width(text: &str, lines: &[Line]) -> usize {
    let _ = text;
    // Both are ranks in the sorted lengths, and the lines kept are a prefix of them (the lengths up
    // to the cap), so a count of each length finds them without sorting: lengths below `SHORT` are
    // counted in a table, and the few longer ones sorted. (Test: the answers of the sort.)
    const SHORT: usize = 256;
    let mut counts = [0u32; SHORT];
    let mut long: Vec<usize> = Vec::new();
    // (The lengths are counted as they go into the table: summing the table after cost more.)
    let mut n = 0;
    for l in lines.iter().filter(|l| l.chars >= 8) {
        n += 1;
        match counts.get_mut(l.chars) {
            Some(c) => *c += 1,
            None => long.push(l.chars),
        }
    }
    let short = n - long.len();
    if n < 6 {
        return 0;
    }
    long.sort_unstable();
    // The length of rank `r` (from 0) in the sorted lengths.
    let nth = |r: usize| -> usize {
        let mut seen = 0;
        for (len, &c) in counts.iter().enumerate() {
            seen += c as usize;
            if seen > r {
                return len;
            }
        }
        long[r - seen]
    };
    let median = nth(n / 2);
    let cap = median * 3 / 2;
    let kept = match counts.get(..=cap) {
        Some(up_to_cap) => up_to_cap.iter().map(|&c| c as usize).sum(),
        None => short + long.partition_point(|&len| len <= cap),
    };
    nth((kept * 9 / 10).min(kept - 1))
}

/// The first word of a line's content (up to the first white space).
pub fn first_word(s: &str) -> &str {
    &s[..first_ws(s).unwrap_or(s.len())]
}

/// Where the first white-space character of `s` starts: `s.find(char::is_whitespace)`, on bytes while
/// they are ASCII (a byte below 0x80 is a character of its own, white space when it is the space or
/// tab to carriage return), then the character search from the first other byte, which starts a
/// character. Reflow asks this of every line; the library's search decodes every character.
pub fn first_ws(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Eight bytes at a time up to the first that may end the search: one that is not ASCII or
        // is below `!` (the ASCII white space is among those). In `x - 0x21…21`, a byte borrows only
        // when it is below 0x21 or a lower byte borrowed, so up to the first byte below 0x21 each
        // byte's top bit is its own difference's: set (with the byte's own top bit clear) exactly
        // when the byte is below 0x21. Later bytes may be flagged falsely, which does not matter:
        // the first flagged byte is the first byte of either kind. (Test: the library's search.)
        if let Some(chunk) = b.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let flagged = (x | (x.wrapping_sub(0x2121_2121_2121_2121) & !x)) & 0x8080_8080_8080_8080;
            if flagged == 0 {
                i += 8;
                continue;
            }
            i += flagged.trailing_zeros() as usize / 8;
        }
        let c = b[i];
        if c >= 0x80 {
            return s[i..].find(char::is_whitespace).map(|k| i + k);
        }
        if c == b' ' || (b'\t'..=b'\r').contains(&c) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The first position at or after `i` whose byte is not ASCII, or the end; sixteen bytes at a time
/// (a fold the compiler vectorises). The Unicode passes and reflow's word scan skip ASCII with it.
pub(crate) fn skip_ascii(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 16) {
        let chunk: &[u8; 16] = chunk.try_into().expect("16 bytes");
        if chunk.iter().fold(0, |high, &b| high | b) >= 0x80 {
            break;
        }
        i += 16;
    }
    while i < bytes.len() && bytes[i].is_ascii() {
        i += 1;
    }
    i
}

/// True when nearly every pair of consecutive lines has a blank line between them, as pdfminer prints
/// text: then a blank line says nothing about paragraphs and the passes must not read it as a break.
/// Text already cleaned (one paragraph a line, blank lines between) is told apart by where its blank
/// lines fall: between sentences, where pdfminer's fall inside them too (a line that ends mid-sentence,
/// then one that starts in lower case).
pub fn blank_separated(text: &str, lines: &[Line]) -> bool {
    let mut gaps = 0usize;
    let mut blank_gaps = 0usize;
    let mut mid_sentence = 0usize;
    let mut prev: Option<&Line> = None;
    let mut prev_nonblank = false;
    let mut blank_since = false;
    for (c, chunk) in lines.chunks(64).enumerate() {
        // The answer is no as soon as the blank gaps cannot reach four in five any more: the `left`
        // lines to come add at most `left` gaps, and the gaps without a blank line only grow. So
        // `blank_gaps * 10 >= gaps * 8`, which is `blank_gaps >= 4 * (gaps - blank_gaps)`, fails
        // at the end if `blank_gaps + left < 4 * (gaps - blank_gaps)` now. Texts with their lines
        // next to each other stop after about a fifth of them. (Asked every 64 lines.)
        if blank_gaps + (lines.len() - c * 64) < 4 * (gaps - blank_gaps) {
            return false;
        }
        for l in chunk {
            if l.is_blank() {
                blank_since = true;
                continue;
            }
            if prev_nonblank {
                gaps += 1;
                if blank_since {
                    blank_gaps += 1;
                    // (The first character first: it is one byte to look at, mostly.)
                    if l.text(text).starts_with(|c: char| c.is_lowercase())
                        && prev.is_some_and(|p| !ends_sentence(p.text(text)))
                    {
                        mid_sentence += 1;
                    }
                }
            }
            prev_nonblank = true;
            blank_since = false;
            prev = Some(l);
        }
    }
    gaps >= 8 && blank_gaps * 10 >= gaps * 8 && mid_sentence * 10 >= blank_gaps * 2
}

/// True when the text has the shape the pipeline leaves: blocks of one line each, exactly one blank
/// line between two blocks, no white space at a line's start or end, no page break (white space at the
/// ends of the whole text aside: it goes last, and a text file ends with a newline).
///
/// No extractor prints this: every document of the development corpus has lines next to each other,
/// runs of blank lines or form feeds. So text of this shape has no printed lines left, and the passes
/// that read lines as the lines of a page (furniture, reflow) leave it alone; reading its paragraphs as
/// lines made a second run change the first one's output (issue 7).
pub fn is_reflowed(text: &str) -> bool {
    // The tests below, then the form feed: text that is not reflowed mostly fails at its first
    // newline, and the search for a form feed reads the whole text.
    let t = text.trim();
    let bytes = t.as_bytes();
    let mut from = 0;
    while let Some(k) = memchr::memchr(b'\n', &bytes[from..]) {
        let i = from + k;
        // `trim` leaves no newline at either end, so `i` > 0; the pair must be `\n\n` with a character
        // that is not white space on each side (the search goes on after the pair).
        if bytes.get(i + 1) != Some(&b'\n') {
            return false;
        }
        from = i + 2;
        let before = t[..i].chars().next_back();
        let after = t[i + 2..].chars().next();
        if !before.is_some_and(|c| !c.is_whitespace()) || !after.is_some_and(|c| !c.is_whitespace()) {
            return false;
        }
    }
    memchr::memchr(b'\x0c', text.as_bytes()).is_none()
}

/// The range that takes line `i` out of reflowed text ([`is_reflowed`]) and leaves it reflowed: the
/// line and the blank line after it, or, for the last line, the blank line before it.
pub fn reflowed_removal_range(text: &str, lines: &[Line], i: usize) -> Range<usize> {
    let l = &lines[i];
    let bytes = text.as_bytes();
    if bytes[l.range.end..].starts_with(b"\n\n") {
        l.range.start..l.range.end + 2
    } else if l.range.start >= 2 && &bytes[l.range.start - 2..l.range.start] == b"\n\n" {
        l.range.start - 2..l.range.end
    } else {
        removal_range(text, lines, i)
    }
}

/// The indices of the non-blank lines of each page, pages in order (pages with no text left out).
pub fn pages(lines: &[Line]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current_page = usize::MAX;
    for (i, l) in lines.iter().enumerate() {
        if l.is_blank() {
            continue;
        }
        if l.page != current_page {
            out.push(Vec::new());
            current_page = l.page;
        }
        out.last_mut().unwrap().push(i);
    }
    out
}

/// Whether the content ends a sentence: `.`, `!`, `?` or `:` possibly followed by closing quotes or
/// brackets.
#[inline]
pub fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '”', '’', ')', ']', '»', '*']);
    t.ends_with(['.', '!', '?', ':', '…'])
}

/// Whether the content ends in a letter and a hyphen (`eco-`), not a dash (`--`, ` -`): a word cut at
/// the line end.
#[inline]
pub fn ends_with_word_hyphen(t: &str) -> bool {
    // Asked of every line, most of which end otherwise: the last byte says so before any character
    // is decoded. (Test: the same answers as the two last characters.)
    let Some(stem) = t.strip_suffix('-') else { return false };
    stem.chars().next_back().is_some_and(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_hyphens_are_the_last_two_characters() {
        for t in ["", "-", "a", "a-", "é-", "1-", " -", "--", "a--", "ab-c", "eco-", "a\u{2010}", "日-"] {
            let mut rev = t.chars().rev();
            let plain = rev.next() == Some('-') && rev.next().is_some_and(char::is_alphabetic);
            assert_eq!(ends_with_word_hyphen(t), plain, "{t:?}");
        }
    }

    /// What [`split`] computes, the plain way.
    fn split_simply(text: &str) -> Vec<Line> {
        let mut lines = Vec::new();
        let (mut start, mut page) = (0, 0);
        for (end, c) in text.char_indices().filter(|&(_, c)| c == '\n' || c == '\x0c') {
            lines.push(line_simply(&text[start..end], start..end, page));
            page += usize::from(c == '\x0c');
            start = end + 1;
        }
        lines.push(line_simply(&text[start..], start..text.len(), page));
        lines
    }

    /// What [`make_line_chars`] computes, with the library's trims and counts.
    fn line_simply(s: &str, range: Range<usize>, page: usize) -> Line {
        let lead = s.len() - s.trim_start().len();
        let content = s.trim();
        let cstart = range.start + lead;
        let (indent, chars) = (s[..lead].chars().count(), content.chars().count());
        Line { range, content: cstart..cstart + content.len(), page, indent, chars }
    }

    #[test]
    fn split_finds_every_line_end_at_every_offset() {
        for text in ["", "\n", "a\nb", "\x0c\x0c\n", "é\n\nx\x0c  ﬁ  \n", "12345678\n1234567é\nabc"] {
            for pad in 0..10 {
                let t = format!("{}{text}{}", " ".repeat(pad), "x".repeat(pad));
                assert_eq!(split(&t), split_simply(&t), "{t:?}");
            }
        }
    }

    fn removal(range: Range<usize>) -> crate::edit::Edit {
        crate::edit::Edit { range, replacement: "".into(), rule: "r".into() }
    }

    proptest::proptest! {
        /// Taking whole lines out leaves the table that splitting the new text gives.
        #[test]
        fn the_table_without_removed_lines_is_the_split_of_the_new_text(
            text in "[a \t\n\x0c\x0bé€\u{a0}]{0,200}",
            picks in proptest::collection::vec(proptest::bool::ANY, 0..60),
        ) {
            let lines = split(&text);
            let edits: Vec<_> = (0..lines.len())
                .filter(|&i| picks.get(i).copied().unwrap_or(false))
                .map(|i| removal_range(&text, &lines, i))
                .filter(|r| text.as_bytes().get(r.end - 1) == Some(&b'\n') && r.len() > lines_len_at(&lines, r.start))
                .map(removal)
                .collect();
            let new = crate::edit::apply_edits(&text, &edits);
            let derived = without_lines(&text, lines.clone(), &edits);
            proptest::prop_assert_eq!(derived, Some(split(&new)));
        }
    }

    /// The length of the line that starts at `start`.
    fn lines_len_at(lines: &[Line], start: usize) -> usize {
        lines.iter().find(|l| l.range.start == start).map_or(0, |l| l.range.len())
    }

    #[test]
    fn only_whole_line_removals_keep_the_table() {
        let text = "one\ntwo\x0cthree\nfour";
        let lines = split(text);
        assert_eq!(without_lines(text, lines.clone(), &[removal(0..4)]), Some(split("two\x0cthree\nfour")));
        let both = [removal(0..4), removal(8..14)];
        assert_eq!(without_lines(text, lines.clone(), &both), Some(split("two\x0cfour")));
        // A line without its newline, part of a line, a line ending in a form feed, the last line, and
        // a replacement: the table is split again.
        for range in [0..3, 1..4, 4..8, 14..18] {
            assert_eq!(without_lines(text, lines.clone(), &[removal(range.clone())]), None, "{range:?}");
        }
        let replace = crate::edit::Edit { range: 0..4, replacement: "x".into(), rule: "r".into() };
        assert_eq!(without_lines(text, lines.clone(), &[replace]), None);
    }

    proptest::proptest! {
        #[test]
        fn split_is_the_plain_split(text in "[a \t\n\x0c\x0bé€😀\u{2028}\u{a0}]{0,80}") {
            proptest::prop_assert_eq!(split(&text), split_simply(&text));
        }

        #[test]
        fn block_masks_are_the_plain_ones(block in proptest::collection::vec(proptest::sample::select(vec![
            0u8, b'\n', 0x0c, b'\r', b'\t', 0x0b, b'a', b' ', 0x7f, 0x80, 0x8a, 0x8c, 0xc3, 0xff,
        ]), 64)) {
            let block: &[u8; 64] = block.as_slice().try_into().unwrap();
            proptest::prop_assert_eq!(block_masks(block), block_masks_plainly(block));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2 (just checked).
                proptest::prop_assert_eq!(unsafe { block_masks_avx2(block) }, block_masks_plainly(block));
            }
        }

        /// The SSE2 split where `split` takes the AVX2 one, on lines of every length around a block's.
        #[test]
        fn split_without_avx2_is_the_plain_split(text in "([a-z]{0,70}[ \t\n\x0c\x0bé\u{a0}\u{8a}\u{10c}]){0,12}") {
            // SAFETY: without AVX2.
            proptest::prop_assert_eq!(unsafe { split_with::<false>(&text) }, split_simply(&text));
            proptest::prop_assert_eq!(split(&text), split_simply(&text));
        }

        #[test]
        fn count_chars_is_the_library_count(s in "[a \té€😀\u{a0}]{0,80}|[aé]{2700,3000}") {
            proptest::prop_assert_eq!(count_chars(&s), s.chars().count());
        }

        /// Lines longer than the sixteen bytes `split` reads at a time, and terminators at every place
        /// in them.
        #[test]
        fn split_of_long_lines_is_the_plain_split(text in "([a-z]{0,19}[ \t\n\x0c\x0b\x0aé\u{a0}\u{8a}\u{10c}]){0,30}") {
            proptest::prop_assert_eq!(split(&text), split_simply(&text));
        }
    }

    /// What [`typical_width`] computes, with a sort.
    fn typical_width_plainly(lines: &[Line]) -> usize {
        let mut lens: Vec<usize> = lines.iter().filter(|l| l.chars >= 8).map(|l| l.chars).collect();
        if lens.len() < 6 {
            return 0;
        }
        lens.sort_unstable();
        let median = lens[lens.len() / 2];
        let cap = median * 3 / 2;
        let kept: Vec<usize> = lens.into_iter().filter(|&n| n <= cap).collect();
        kept[(kept.len() * 9 / 10).min(kept.len() - 1)]
    }

    proptest::proptest! {
        #[test]
        fn typical_width_is_that_of_the_sort(
            lens in proptest::collection::vec(
                proptest::prop_oneof![0usize..20, 20usize..120, 150usize..400, 1000usize..3000],
                0..80,
            ),
        ) {
            let lines: Vec<Line> = lens
                .iter()
                .map(|&chars| Line { range: 0..chars, content: 0..chars, page: 0, indent: 0, chars })
                .collect();
            proptest::prop_assert_eq!(typical_width("", &lines), typical_width_plainly(&lines));
        }
    }

    /// What [`blank_separated`] computes, the plain way: every line, no early answer.
    fn blank_separated_plainly(text: &str, lines: &[Line]) -> bool {
        let (mut gaps, mut blank_gaps, mut mid_sentence) = (0usize, 0usize, 0usize);
        let mut prev: Option<&Line> = None;
        let mut blank_since = false;
        for l in lines {
            if l.is_blank() {
                blank_since = true;
                continue;
            }
            if let Some(p) = prev {
                gaps += 1;
                if blank_since {
                    blank_gaps += 1;
                    if l.text(text).starts_with(|c: char| c.is_lowercase()) && !ends_sentence(p.text(text)) {
                        mid_sentence += 1;
                    }
                }
            }
            blank_since = false;
            prev = Some(l);
        }
        gaps >= 8 && blank_gaps * 10 >= gaps * 8 && mid_sentence * 10 >= blank_gaps * 2
    }

    proptest::proptest! {
        #[test]
        fn blank_separated_is_the_plain_test(
            // Runs of lines with a blank line between them, then runs without, so that texts on
            // both sides of four blank gaps in five (and its early answer) come up.
            runs in proptest::collection::vec((0usize..90, proptest::bool::ANY, proptest::bool::ANY), 0..6),
        ) {
            let mut text = String::new();
            for (n, blank, lower) in runs {
                for i in 0..n {
                    text.push_str(if lower && i % 3 > 0 { "and it went on\n" } else { "The end.\n" });
                    if blank {
                        text.push('\n');
                    }
                }
            }
            let lines = split(&text);
            proptest::prop_assert_eq!(blank_separated(&text, &lines), blank_separated_plainly(&text, &lines));
        }
    }

    /// What [`is_reflowed`] computes, the plain way.
    fn is_reflowed_plainly(text: &str) -> bool {
        if text.contains('\x0c') {
            return false;
        }
        let t = text.trim();
        let mut nl = t.match_indices('\n').map(|(i, _)| i);
        while let Some(i) = nl.next() {
            if t.as_bytes().get(i + 1) != Some(&b'\n') || nl.next() != Some(i + 1) {
                return false;
            }
            let before = t[..i].chars().next_back();
            let after = t[i + 2..].chars().next();
            if !before.is_some_and(|c| !c.is_whitespace()) || !after.is_some_and(|c| !c.is_whitespace()) {
                return false;
            }
        }
        true
    }

    proptest::proptest! {
        #[test]
        fn is_reflowed_is_the_plain_test(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", "é", "\u{a0}", " ", "\t", "\n", "\n\n", "\n\n\n", "\x0c", "\r", "x y"]),
                0..12,
            ),
        ) {
            let text: String = pieces.concat();
            proptest::prop_assert_eq!(is_reflowed(&text), is_reflowed_plainly(&text), "{:?}", text);
        }
    }

    proptest::proptest! {
        /// Eight bytes at a time, the library's search, with every byte below `!` and around 0x80.
        #[test]
        fn first_ws_is_the_library_search(s in "[a!~ \t\n\x0b\x0c\r\x00\x08\x0e\x1f\x20\x7f\u{80}\u{85}\u{a0}é\u{2028}\u{3000}]{0,40}") {
            proptest::prop_assert_eq!(first_ws(&s), s.find(char::is_whitespace));
            let long = format!("abcdefghijklmnopq{s}");
            proptest::prop_assert_eq!(first_ws(&long), long.find(char::is_whitespace));
        }
    }

    #[test]
    fn ascii_lines_measure_as_any_line() {
        let lines = [
            "",
            " ",
            "x",
            "word",
            "  two words \t",
            "\x0b\r x \r",
            " \t\x0c",
            "a\x0bb",
            "   indented",
            "ends ",
            "a\t",
        ];
        for s in lines {
            let text = format!("xx{s}");
            let (a, c) = (make_ascii_line(s.as_bytes(), 2..text.len(), 3), line_simply(s, 2..text.len(), 3));
            assert_eq!(
                (a.range, a.content, a.page, a.indent, a.chars),
                (c.range, c.content, c.page, c.indent, c.chars),
                "{s:?}"
            );
        }
    }
}
