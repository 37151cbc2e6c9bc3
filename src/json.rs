//! Reading and writing JSON strings by hand on the hot path, sixteen or thirty-two bytes a step,
//! and the numbers.
//! They read and write exactly what serde_json does (the tests compare them byte for byte), so an
//! output record is the same whichever writes it; they exist because serde_json escapes a byte at a
//! time, and the cleaned text and the removed strings are most of an output record's bytes.

/// Appends `s` as a JSON string, escaped as serde_json escapes it: `"` and `\` with a backslash,
/// the control characters below U+0020 as `\b \t \n \f \r` or `\u00XX` (lower-case hex), everything
/// else (U+2028 and DEL included) as it is.
///
/// Sixteen bytes a step (thirty-two with AVX2, for long strings where the processor has it),
/// written to the vector's spare room: each step stores all its bytes (one fixed-size store) and,
/// when one of them needs escaping, keeps those before the first such byte and stores its escape
/// after them. Copying the runs between escapes (40 bytes or so in prose) with `extend_from_slice`
/// cost a `memcpy` call each; with bounds-checked stores into the spare room a step took 30
/// instructions, here 15.
#[inline]
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // Most strings written are short (keys, rule names, half the removed lines), and most of those
    // need no escape or only their last byte escaped (a removed line's newline): they take an inline
    // way without a call, the loop's set-up and its room checks ([`write_short`]).
    if s.len() < 32 && write_short(out, s.as_bytes()) {
        return;
    }
    write_long(out, s)
}

/// [`write_str`] for a string shorter than 32 bytes that needs no escape but maybe one for its last
/// byte; `false` (and nothing written) for any other. Its bytes are taken as two sixteen-byte steps,
/// padded with spaces (not flagged), stored whole (the pad is written, not counted); the last byte's
/// escape and the closing quote are stored over what follows the bytes kept.
#[inline(always)]
fn write_short(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let n = bytes.len();
    let (low, high) = match bytes.split_first_chunk::<16>() {
        Some((low, rest)) => (*low, padded::<16>(rest, b' ')),
        None => (padded::<16>(bytes, b' '), [b' '; 16]),
    };
    let mask = escape_bits(&low) | escape_bits(&high) << 16;
    // The bytes kept as they are: all, or all but the last (which is escaped).
    let kept = match mask {
        0 => n,
        // A flagged byte is one of the string's own: `n` is at least 1 here.
        _ if mask == 1 << (n - 1) => n - 1,
        _ => return false,
    };
    let (escape, escape_len) = match kept < n {
        true => escape(bytes[n - 1]),
        false => ([0; 8], 0),
    };
    // The quote and the two steps reach 33 bytes past `len`, the escape at most `1 + 30 + 8`.
    out.reserve(40);
    // SAFETY: there is room for 40 bytes after the `len` written ones, and the stores stay within
    // them (above); `len` counts only the bytes meant: the quote, the kept bytes, the escape (or
    // nothing) and the closing quote, each stored after what it overwrites.
    unsafe {
        let len = out.len();
        let to = out.as_mut_ptr().add(len);
        to.write(b'"');
        to.add(1).cast::<[u8; 16]>().write_unaligned(low);
        to.add(17).cast::<[u8; 16]>().write_unaligned(high);
        to.add(1 + kept).cast::<[u8; 8]>().write_unaligned(escape);
        to.add(1 + kept + escape_len).write(b'"');
        out.set_len(len + 2 + kept + escape_len);
    }
    true
}

/// [`write_str`] for any string, the long ones and those with escapes inside.
///
/// A string under 128 bytes with no escape but maybe its last byte (most removed lines: b5 has
/// 12,700 of 32 to 127 bytes) is taken as two windows that overlap ([`write_windows`]), without the
/// loop's steps and room checks.
#[inline(never)]
fn write_long(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if (32..64).contains(&bytes.len()) {
        let bits = |w: &[u8; 32]| {
            let (low, high) = w.split_at(16);
            let (low, high) = (low.try_into().expect("16"), high.try_into().expect("16"));
            u64::from(escape_bits(low) | escape_bits(high) << 16)
        };
        if write_windows::<32>(out, bytes, bits) {
            return;
        }
    }
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if s.len() >= 64 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (just checked).
        return unsafe { write_str_avx2(out, s) };
    }
    write_steps::<16>(out, s, |chunk| u64::from(escape_bits(chunk)))
}

/// [`write_str`] for a string of `W` to `2 * W - 1` bytes (`W` at most 64) that needs no escape but
/// maybe one for its last byte; `false` (and nothing written) for any other. Its first `W` bytes and
/// its last `W` are flagged and stored whole, the second over the first where they overlap (the same
/// bytes). The last byte's escape and the closing quote are stored over what follows the bytes kept,
/// as in [`write_short`].
#[inline(always)]
fn write_windows<const W: usize>(out: &mut Vec<u8>, bytes: &[u8], bits: impl Fn(&[u8; W]) -> u64) -> bool {
    let n = bytes.len();
    debug_assert!(W <= 64 && (W..2 * W).contains(&n));
    let (Some(first), Some(last)) = (bytes.first_chunk::<W>(), bytes.last_chunk::<W>()) else {
        return false;
    };
    // The last byte is the top bit of the last window's flags (and of the first's when the windows
    // are one). Any other byte is at a lower place in one of the windows: at the first's top place
    // only when `n > W`, and then it is at a lower place in the last window too.
    let (low, high) = (bits(first), bits(last));
    let top = 1 << (W - 1);
    if (low | high) & !top != 0 {
        return false;
    }
    let kept = n - usize::from(high & top != 0);
    let (escape, escape_len) = match kept < n {
        true => escape(bytes[n - 1]),
        false => ([0; 8], 0),
    };
    // The windows reach `1 + n` bytes past `len` (under `2 * W`), the escape at most `n + 8`.
    out.reserve(2 * W + 8);
    // SAFETY: there is room for `2 * W + 8` bytes after the `len` written ones, and the stores stay
    // within them (above); `len` counts only the bytes meant: the quote, the kept bytes, the escape
    // (or nothing) and the closing quote, each stored after what it overwrites.
    unsafe {
        let len = out.len();
        let to = out.as_mut_ptr().add(len);
        to.write(b'"');
        to.add(1).cast::<[u8; W]>().write_unaligned(*first);
        to.add(1 + n - W).cast::<[u8; W]>().write_unaligned(*last);
        to.add(1 + kept).cast::<[u8; 8]>().write_unaligned(escape);
        to.add(1 + kept + escape_len).write(b'"');
        out.set_len(len + 2 + kept + escape_len);
    }
    true
}

/// [`write_steps`] sixty-four bytes a step: two thirty-two-byte tests.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
unsafe fn write_str_avx2(out: &mut Vec<u8>, s: &str) {
    // SAFETY: the caller makes sure of AVX2.
    let bits = |chunk: &[u8; 32]| unsafe { escape_bits_avx2(chunk) };
    let bits = |w: &[u8; 64]| {
        let (low, high) = w.split_at(32);
        let (low, high) = (low.try_into().expect("32"), high.try_into().expect("32"));
        u64::from(bits(low)) | u64::from(bits(high)) << 32
    };
    if s.len() < 128 && write_windows::<64>(out, s.as_bytes(), bits) {
        return;
    }
    write_steps::<64>(out, s, bits)
}

/// [`write_str`], `W` bytes a step (at most 64), `bits` flagging the bytes of a step that need
/// escaping ([`escape_bits`]).
///
/// While `2 * W` bytes are left, a step stores its `W` bytes, and for each flagged byte in turn its
/// escape (one 8-byte store) and the `W` bytes after it, after the escape: all the escapes of a step
/// in one, and the next step starts where this one ended (the cleaned text of prose has an escaped
/// newline every hundred bytes or so). The last bytes go a step at a time up to the first flagged
/// byte, which is escaped, and the next step starts after it.
#[inline(always)]
fn write_steps<const W: usize>(out: &mut Vec<u8>, s: &str, bits: impl Fn(&[u8; W]) -> u64) {
    // The room a step needs past its `W` bytes, at most: each of them escaped as six bytes, the
    // last escape's eight-byte store or the `W` bytes stored after it.
    let room = 6 * W + 8;
    let mut rest = s.as_bytes();
    // A string without escapes never grows the vector.
    out.reserve(rest.len() + 2 + room);
    out.push(b'"');
    // The invariant at the top of each step: `out` has room (capacity less `len`) for the rest
    // unescaped, the closing quote and a step's `room` more. A step without escapes keeps it (it
    // takes as many bytes as it writes); one with an escape makes sure of it.
    let mut len = out.len();
    let mut to = out.as_mut_ptr();
    while let Some((chunk, after)) = rest.split_first_chunk::<W>().filter(|(_, after)| after.len() >= W) {
        // SAFETY: by the invariant there is room for `W + room` bytes at `len`.
        unsafe { to.add(len).cast::<[u8; W]>().write_unaligned(*chunk) };
        let mut mask = bits(chunk);
        // How many bytes longer the step's escapes are than the bytes they stand for.
        let mut grown = 0;
        while mask != 0 {
            let i = mask.trailing_zeros() as usize;
            let (escape, escape_len) = escape(chunk[i]);
            // SAFETY: the bytes after the flagged one, `W` of them, are the rest of the step and
            // some of `after` (which has `W` bytes at least): within `rest`. `grown` is at most
            // `5 * i`, so the escape's store ends by `len + 6 * W + 8` and the bytes after it by
            // `len + 7 * W`: within `W + room` (the invariant).
            unsafe {
                let next = rest.as_ptr().add(i + 1).cast::<[u8; W]>().read_unaligned();
                to.add(len + i + grown).cast::<[u8; 8]>().write_unaligned(escape);
                grown += escape_len - 1;
                to.add(len + i + 1 + grown).cast::<[u8; W]>().write_unaligned(next);
            }
            mask &= mask - 1;
        }
        len += W + grown;
        rest = after;
        if grown > 0 && out.capacity() - len < rest.len() + 1 + room {
            // SAFETY: the bytes up to `len` are written: each step counts only what it wrote.
            unsafe { out.set_len(len) };
            out.reserve(rest.len() + 1 + room);
            to = out.as_mut_ptr();
        }
    }
    // The whole steps left, then the last few bytes with spaces after them (they need no escape,
    // and are not kept).
    loop {
        let (chunk, n) = match rest.split_first_chunk::<W>() {
            Some((chunk, _)) => (*chunk, W),
            None if rest.is_empty() => break,
            None => (padded::<W>(rest, b' '), rest.len()),
        };
        // SAFETY: by the invariant there is room for `room` (more than `W`) bytes at `len`.
        unsafe { to.add(len).cast::<[u8; W]>().write_unaligned(chunk) };
        let mask = bits(&chunk);
        if mask == 0 {
            len += n;
            rest = &rest[n..];
            continue;
        }
        // A flagged byte is one of the string's own, never a pad (spaces are not flagged).
        let at = mask.trailing_zeros() as usize;
        // Read from `rest`, not `chunk`: that would keep the chunk on the stack, three more moves
        // a step.
        let (escape, escape_len) = escape(rest[at]);
        // SAFETY: as above; `at + 8` is at most `W + 7`, within `room`.
        unsafe { to.add(len + at).cast::<[u8; 8]>().write_unaligned(escape) };
        len += at + escape_len;
        rest = &rest[at + 1..];
        if out.capacity() - len < rest.len() + 1 + room {
            // SAFETY: the bytes up to `len` are written: each step counts only what it wrote.
            unsafe { out.set_len(len) };
            out.reserve(rest.len() + 1 + room);
            to = out.as_mut_ptr();
        }
    }
    // SAFETY: as above.
    unsafe { out.set_len(len) };
    out.push(b'"');
}

/// The escape of a byte that needs one (see [`escape_bits`]): its bytes, and how many of the eight
/// count.
#[inline(always)]
fn escape(b: u8) -> ([u8; 8], usize) {
    // The one-letter escapes, by byte; zero for the control characters written as `\u00XX`. Every
    // byte has its place, so that the look-up needs no bounds check.
    const SHORT: [u8; 256] = {
        let mut t = [0; 256];
        t[0x08] = b'b';
        t[b'\t' as usize] = b't';
        t[b'\n' as usize] = b'n';
        t[0x0c] = b'f';
        t[b'\r' as usize] = b'r';
        t[b'"' as usize] = b'"';
        t[b'\\' as usize] = b'\\';
        t
    };
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match SHORT[usize::from(b)] {
        0 => ([b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)], 0, 0], 6),
        short => ([b'\\', short, 0, 0, 0, 0, 0, 0], 2),
    }
}

/// The bytes of `rest` (fewer than `W`, at most sixty-four), then `pad` up to `W`. Copied as two
/// pieces of a fixed size that overlap as they must (the way `memcpy` copies a few bytes), where a
/// `copy_from_slice` of the length called `memset` and `memcpy`: once for every string written.
#[inline(always)]
fn padded<const W: usize>(rest: &[u8], pad: u8) -> [u8; W] {
    let mut buf = [pad; W];
    let n = rest.len();
    if W > 32 && n >= 32 {
        buf[..32].copy_from_slice(&rest[..32]);
        buf[n - 32..n].copy_from_slice(&rest[n - 32..]);
    } else if W > 16 && n >= 16 {
        buf[..16].copy_from_slice(&rest[..16]);
        buf[n - 16..n].copy_from_slice(&rest[n - 16..]);
    } else if n >= 8 {
        buf[..8].copy_from_slice(&rest[..8]);
        buf[n - 8..n].copy_from_slice(&rest[n - 8..]);
    } else if n >= 4 {
        buf[..4].copy_from_slice(&rest[..4]);
        buf[n - 4..n].copy_from_slice(&rest[n - 4..]);
    } else if n > 0 {
        buf[0] = rest[0];
        buf[n / 2] = rest[n / 2];
        buf[n - 1] = rest[n - 1];
    }
    buf
}

/// The bytes of `chunk` that need escaping in a JSON string (below 0x20, `"`, `\`), one bit each, the
/// first byte the lowest: [`escape_bits_plainly`] with SSE2 (part of every x86-64 processor), which
/// tests the sixteen bytes at once. (Test: the same bits for every byte at every place.)
///
/// `"` (0x22) with bit 1 flipped is 0x20, and flipping that bit keeps the bytes below 0x20 below it
/// and takes 0x20 and 0x21 to 0x22 and 0x23: so one unsigned test, "at most 0x20" on the flipped
/// bytes, finds the control characters and the quote together.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn escape_bits(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_xor_si128,
    };
    // SAFETY: SSE2 is enabled (the `cfg`), and the load reads the sixteen bytes of `chunk`, with no
    // alignment needed.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let flipped = _mm_xor_si128(v, _mm_set1_epi8(0x02));
        // `min(x, 0x20) == x` exactly when x <= 0x20, unsigned.
        let control_or_quote = _mm_cmpeq_epi8(_mm_min_epu8(flipped, _mm_set1_epi8(0x20)), flipped);
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(control_or_quote, backslash)) as u32
    }
}

/// [`escape_bits`] for thirty-two bytes, with AVX2 (the same test, twice as wide).
///
/// # Safety
/// The processor must have AVX2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn escape_bits_avx2(chunk: &[u8; 32]) -> u32 {
    use std::arch::x86_64::{
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8, _mm256_xor_si256,
    };
    // SAFETY: AVX2 is there (the caller), and the load reads the thirty-two bytes of `chunk`, with
    // no alignment needed.
    unsafe {
        let v = _mm256_loadu_si256(chunk.as_ptr().cast());
        let flipped = _mm256_xor_si256(v, _mm256_set1_epi8(0x02));
        let control_or_quote = _mm256_cmpeq_epi8(_mm256_min_epu8(flipped, _mm256_set1_epi8(0x20)), flipped);
        let backslash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8));
        _mm256_movemask_epi8(_mm256_or_si256(control_or_quote, backslash)) as u32
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn escape_bits(chunk: &[u8; 16]) -> u32 {
    escape_bits_plainly(chunk)
}

/// What [`escape_bits`] computes, byte by byte.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn escape_bits_plainly(chunk: &[u8; 16]) -> u32 {
    chunk.iter().enumerate().fold(0, |m, (j, &b)| m | u32::from(b < 0x20 || b == b'"' || b == b'\\') << j)
}

/// The string a JSON string literal stands for, when its escapes are all of the one-character kind
/// (`\n`, `\"`, ...); `None` for anything else (a `\u` escape, a value that is not a string), which
/// the caller hands to serde_json. `raw` must be valid JSON, as a [`serde_json::value::RawValue`] is:
/// then a literal that starts with a quote ends with one, and holds no bare quote or control byte.
///
/// serde_json stops at every escape and copies the string twice; prose extracted from PDFs has an
/// escaped newline every 40 bytes or so, which made reading the text a tenth of a record's cost.
pub fn unescape_plain(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('"')?;
    let (text, end) = unescape_literal(raw.as_bytes(), raw.len() - rest.len())?;
    (end == raw.len()).then_some(text)
}

/// The string whose JSON literal starts at `bytes[from..]` (just after its opening quote), and the
/// index just past its closing quote. `None` for a `\u` escape (left to serde_json, as in
/// [`unescape_plain`]), and for what serde_json rejects: a control character, an unknown escape, a
/// literal that does not end, invalid UTF-8.
///
/// One pass finds the end of the literal and unescapes it, where serde_json's `RawValue` and
/// [`unescape_plain`] take one each. Thirty-two bytes a step with AVX2 where the processor has it
/// (most do), sixteen with SSE2 otherwise: the same code (tests check both).
pub fn unescape_literal(bytes: &[u8], from: usize) -> Option<(String, usize)> {
    // The literal is read from the valid UTF-8 that starts it; one that does not end inside it is
    // unterminated or not UTF-8.
    let raw = valid_utf8_start(&bytes[from..]).as_bytes();
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (just checked).
        return unsafe { unescape_avx2(raw) }.map(|(text, end)| (text, from + end));
    }
    unescape_steps::<16>(raw, |chunk| u64::from(escape_bits(chunk))).map(|(text, end)| (text, from + end))
}

/// [`unescape_steps`] sixty-four bytes a step: two thirty-two-byte tests.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
unsafe fn unescape_avx2(raw: &[u8]) -> Option<(String, usize)> {
    // SAFETY: the caller makes sure of AVX2.
    let bits = |chunk: &[u8; 32]| unsafe { escape_bits_avx2(chunk) };
    unescape_steps::<64>(raw, |chunk| {
        let (low, high) = chunk.split_at(32);
        let (low, high) = (low.try_into().expect("32"), high.try_into().expect("32"));
        u64::from(bits(low)) | u64::from(bits(high)) << 32
    })
}

/// The string whose literal's inside starts `raw` (valid UTF-8), and the index just past its closing
/// quote, `W` bytes a step (at most 64), `bits` flagging the bytes of a step that need escaping
/// ([`escape_bits`]).
///
/// Each step stores its `W` bytes (one fixed-size store) and flags the escapes and the closing quote
/// in them. For each escape in turn it writes the character it stands for over the backslash's
/// place, and stores the next `W` bytes of `raw` after that character, so that all the escapes of a
/// step (prose has one every 40 bytes or so) are read in one, and the next step starts where this
/// one ends (or after its last escape, when that escape's second byte is the next step's first).
///
/// While a step and the `W + 1` bytes after it are all in `raw` (a literal's inside, but for its
/// last 129 bytes with AVX2), nothing a step reads can be past the end, and it reads without bounds
/// checks (ten instructions an escape of 35): [`unescape_tail`] goes on from where the room ends.
#[inline(always)]
fn unescape_steps<const W: usize>(raw: &[u8], bits: impl Fn(&[u8; W]) -> u64) -> Option<(String, usize)> {
    // Room for the whole of `raw` and a step's `W` bytes past it: what is written is never more
    // than what is read, so a step's bytes fit.
    let mut out: Vec<u8> = Vec::with_capacity(raw.len() + W);
    let to = out.as_mut_ptr();
    let from = raw.as_ptr();
    // Where the step reads in `raw`, and how many bytes fewer than read are written (one for each
    // escape so far): the byte of `raw` at `p` goes to `p - dropped`.
    let mut at = 0;
    let mut dropped = 0;
    while at + 2 * W < raw.len() {
        // SAFETY: `at + W` is within `raw` (the loop's test), and `at - dropped + W` is at most
        // `raw.len() + W`, the capacity (see above).
        let chunk = unsafe { from.add(at).cast::<[u8; W]>().read_unaligned() };
        unsafe { to.add(at - dropped).cast::<[u8; W]>().write_unaligned(chunk) };
        let mut mask = bits(&chunk);
        // Just past the step's last escape, or where it starts.
        let mut past = at;
        while mask != 0 {
            let p = at + mask.trailing_zeros() as usize;
            // SAFETY: `p` is in the step, before `at + W`; `p + 1 + W` (the last byte read below)
            // is at most `at + 2 * W`, within `raw` (the loop's test).
            let (b, second) = unsafe { (*from.add(p), *from.add(p + 1)) };
            if b != b'\\' {
                return match b {
                    b'"' => Some((written(out, p - dropped), p + 1)),
                    _ => None,
                };
            }
            let c = unescape(second)?;
            // SAFETY: `p - dropped` is before where the backslash was read, and the bytes after
            // the escape, up to the next flagged one or past the step's end, are stored whole at
            // `p + 1 - dropped`, before `p + 2` (where they were read): within the capacity, and
            // read from within `raw` (above).
            unsafe {
                to.add(p - dropped).write(c);
                let after = from.add(p + 2).cast::<[u8; W]>().read_unaligned();
                to.add(p + 1 - dropped).cast::<[u8; W]>().write_unaligned(after);
            }
            dropped += 1;
            past = p + 2;
            // The escape's two bytes are read (the second may be flagged: `\"`, `\\`); the next
            // flagged byte, if any, is past them. (`3 << i` may reach past the step's bits: nothing
            // is flagged there.)
            mask &= !(3 << (p - at));
        }
        at = past.max(at + W);
    }
    unescape_tail(raw, bits, out, at, dropped)
}

/// [`unescape_steps`] from `at` on, with `dropped` bytes fewer written than read to `out`: the same
/// steps, each read checked against the end of `raw`. Zero bytes past the end are flagged as
/// control characters, so a step always stops at the end of `raw`, where the literal has not ended
/// (the `?` below).
#[inline(always)]
fn unescape_tail<const W: usize>(
    raw: &[u8],
    bits: impl Fn(&[u8; W]) -> u64,
    mut out: Vec<u8>,
    mut at: usize,
    mut dropped: usize,
) -> Option<(String, usize)> {
    debug_assert!(out.capacity() >= raw.len() + W);
    let to = out.as_mut_ptr();
    loop {
        let chunk = match raw[at..].first_chunk::<W>() {
            Some(chunk) => *chunk,
            None => padded::<W>(&raw[at..], 0),
        };
        // SAFETY: `at - dropped + W` is at most `raw.len() + W`, the capacity.
        unsafe { to.add(at - dropped).cast::<[u8; W]>().write_unaligned(chunk) };
        let mut mask = bits(&chunk);
        let mut next = at + W;
        while mask != 0 {
            let p = at + mask.trailing_zeros() as usize;
            match raw.get(p)? {
                b'"' => return Some((written(out, p - dropped), p + 1)),
                b'\\' => {
                    let c = unescape(*raw.get(p + 1)?)?;
                    // SAFETY: `p - dropped` is less than where the backslash was read, within the
                    // capacity.
                    unsafe { to.add(p - dropped).write(c) };
                    dropped += 1;
                    next = next.max(p + 2);
                    // The bytes after the escape: stored whole from `raw`, when `W` bytes are
                    // there; else the next step starts there.
                    match raw[p + 2..].first_chunk::<W>() {
                        // SAFETY: `p + 2 - dropped + W` is at most `raw.len()`: within the capacity.
                        Some(after) => unsafe {
                            to.add(p + 2 - dropped).cast::<[u8; W]>().write_unaligned(*after)
                        },
                        None => {
                            next = p + 2;
                            break;
                        }
                    }
                }
                _ => return None,
            }
            mask &= !(3 << (p - at));
        }
        at = next;
    }
}

/// `out`'s first `len` bytes (written through its pointer) as a string.
///
/// They are the pieces of a literal's inside between its escapes, each a whole string (an escape
/// starts and ends at ASCII bytes, and each piece is copied whole, in one store), and the ASCII
/// characters the escapes stand for: valid UTF-8.
#[inline(always)]
fn written(mut out: Vec<u8>, len: usize) -> String {
    // SAFETY: as above; `len` is within the capacity, and the bytes are written.
    unsafe {
        out.set_len(len);
        String::from_utf8_unchecked(out)
    }
}

/// The character a one-character escape (`\n`, `\"`, ...) stands for, by the byte after its backslash;
/// `None` for any other (a `\u` escape included).
#[inline(always)]
fn unescape(b: u8) -> Option<u8> {
    // Every byte has its place, so that the look-up needs no bounds check.
    const CHAR: [u8; 256] = {
        let mut t = [0; 256];
        t[b'n' as usize] = b'\n';
        t[b'"' as usize] = b'"';
        t[b'\\' as usize] = b'\\';
        t[b't' as usize] = b'\t';
        t[b'r' as usize] = b'\r';
        t[b'/' as usize] = b'/';
        t[b'b' as usize] = 0x08;
        t[b'f' as usize] = 0x0c;
        t
    };
    Some(CHAR[usize::from(b)]).filter(|&c| c != 0)
}

/// The longest start of `bytes` that is valid UTF-8. encoding_rs checks it with vector instructions
/// (simdutf8's, AVX2 where the CPU has it): about 0.2 instructions a byte, where `String::from_utf8`
/// took one on prose with a non-ASCII letter every few hundred bytes.
fn valid_utf8_start(bytes: &[u8]) -> &str {
    let utf8 = |b| match encoding_rs::UTF_8.decode_without_bom_handling_and_without_replacement(b) {
        Some(std::borrow::Cow::Borrowed(s)) => Some(s),
        _ => None,
    };
    // The whole of it, nearly always; or the part before the first malformed sequence. (Anything
    // unexpected from encoding_rs reads as nothing valid: the caller then declines the literal.)
    utf8(bytes).or_else(|| utf8(&bytes[..encoding_rs::Encoding::utf8_valid_up_to(bytes)])).unwrap_or_default()
}

/// The text and end of the JSON value that starts at `bytes[from]` (no white space before it), when
/// serde_json reads that value as a [`serde_json::value::RawValue`] with the same span; `None` for
/// anything it rejects, and for values nested deeper than 64 (declined: the caller then lets
/// serde_json read the record, which gives the same result or error either way). serde_json spent
/// about 1,100 instructions to skip each of a record's other fields (b5: 1,524 values).
///
/// What serde_json's `ignore_value` accepts: `null`, `true`, `false`; numbers without leading zeros,
/// with a digit after `.` and after `e` (and its sign); strings without control characters whose
/// escapes are one of `"\/bfnrt`, or `u` and four hexadecimal digits (surrogates are not checked when
/// skipping); arrays and objects (with string keys) without trailing commas; white space
/// (`' '`, `\t`, `\n`, `\r`) between tokens. Then it checks that the span is UTF-8. serde_json's
/// stream also checks what follows a number or a literal; the caller requires `,` or `}` there,
/// which that check allows.
pub fn skip_value(bytes: &[u8], from: usize) -> Option<(&str, usize)> {
    let ws = |mut i: usize| {
        while matches!(bytes.get(i), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            i += 1;
        }
        i
    };
    // In an object, after `{` or `,` and white space: a key, its colon and white space.
    let key = |i: usize, seen: &mut u64| {
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let i = ws(skip_str(bytes, i + 1, seen)?);
        (bytes.get(i) == Some(&b':')).then(|| ws(i + 1))
    };
    // The strings' bytes, or-ed (`skip_str`).
    let mut seen = 0u64;
    // The open arrays and objects, the innermost in bit 0 (set for an object), and how many.
    let (mut open, mut depth) = (0u64, 0u32);
    let mut i = from;
    loop {
        // A value at `i`; `i` then ends it, or is at the bracket that closes an empty array or
        // object.
        match *bytes.get(i)? {
            b'"' => i = skip_str(bytes, i + 1, &mut seen)?,
            b'-' | b'0'..=b'9' => i = skip_number(bytes, i)?,
            b'n' => i = skip_word(bytes, i, b"null")?,
            b't' => i = skip_word(bytes, i, b"true")?,
            b'f' => i = skip_word(bytes, i, b"false")?,
            b @ (b'[' | b'{') => {
                if depth == 64 {
                    return None;
                }
                let object = b == b'{';
                open = open << 1 | u64::from(object);
                depth += 1;
                i = ws(i + 1);
                match (bytes.get(i), object) {
                    (Some(b']'), false) | (Some(b'}'), true) => {}
                    (_, true) => {
                        i = key(i, &mut seen)?;
                        continue;
                    }
                    (_, false) => continue,
                }
            }
            _ => return None,
        }
        // Close what ends here, up to a comma and the next value.
        loop {
            if depth == 0 {
                let span = &bytes[from..i];
                if seen & u64::from_le_bytes([0x80; 8]) == 0 {
                    // SAFETY: every byte of `span` is ASCII: outside strings the grammar's, checked
                    // one by one; inside, escapes checked and the rest seen (`skip_str`).
                    return Some((unsafe { std::str::from_utf8_unchecked(span) }, i));
                }
                return Some((std::str::from_utf8(span).ok()?, i));
            }
            i = ws(i);
            let object = open & 1 == 1;
            match (bytes.get(i), object) {
                (Some(b']'), false) | (Some(b'}'), true) => {
                    open >>= 1;
                    depth -= 1;
                    i += 1;
                }
                (Some(b','), _) => {
                    i = ws(i + 1);
                    if object {
                        i = key(i, &mut seen)?;
                    }
                    break;
                }
                _ => return None,
            }
        }
    }
}

/// The end of a string whose opening quote ends at `i`, as [`skip_value`] reads it. The bytes passed
/// are or-ed into `seen`, some more than once and some past the string (for [`skip_value`] to tell
/// whether its span is ASCII: each of its bytes is in `seen` or was checked as ASCII).
fn skip_str(bytes: &[u8], mut i: usize, seen: &mut u64) -> Option<usize> {
    loop {
        // Sixteen bytes a step, to the first `"`, `\` or control character.
        while let Some(step) = bytes.get(i..i + 16) {
            let step: &[u8; 16] = step.try_into().expect("sixteen bytes");
            let (low, high) = step.split_at(8);
            *seen |= u64::from_le_bytes(low.try_into().expect("eight bytes"))
                | u64::from_le_bytes(high.try_into().expect("eight bytes"));
            let stops = escape_bits(step);
            if stops != 0 {
                i += stops.trailing_zeros() as usize;
                break;
            }
            i += 16;
        }
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *bytes.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' if bytes.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => i += 6,
                _ => return None,
            },
            0..=0x1f => return None,
            b => {
                *seen |= u64::from(b);
                i += 1;
            }
        }
    }
}

/// The end of a number that starts at `i`, as [`skip_value`] reads it.
fn skip_number(bytes: &[u8], mut i: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    i += usize::from(bytes[i] == b'-');
    match bytes.get(i)? {
        b'0' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => return None,
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i + 1),
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(bytes.get(i), Some(b'+' | b'-')));
        let end = digits(i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// The end of `word` (`null`, `true` or `false`) at `i`, if it is there.
fn skip_word(bytes: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (bytes.get(i..i + word.len())? == word).then_some(i + word.len())
}

/// Appends an unsigned integer.
pub fn write_usize(out: &mut Vec<u8>, n: usize) {
    out.reserve(USIZE_DIGITS);
    // SAFETY: there is room for `USIZE_DIGITS` bytes after the `len` written ones, and `put_usize`
    // writes the digits it counts.
    unsafe {
        let len = out.len();
        let n = put_usize(out.as_mut_ptr().add(len), n);
        out.set_len(len + n);
    }
}

/// The most digits a `usize` has (twenty, for 64 bits).
pub const USIZE_DIGITS: usize = 20;

/// Writes the decimal digits of `n` at `to` and says how many: what `itoa` and serde_json write,
/// without their buffer and the `memcpy` call that copies it out (a report writes two numbers for
/// each removal), and without a loop: a number below 10^8 (every offset in a text under 100 MB) is
/// made in one register ([`eight_digits`]), its leading zeros shifted out, and stored with one 8-byte
/// store (the bytes past the digits are written, not counted).
///
/// # Safety
/// `to` must be valid for writing [`USIZE_DIGITS`] bytes.
#[inline]
pub unsafe fn put_usize(to: *mut u8, n: usize) -> usize {
    if n >= 100_000_000 {
        // SAFETY: the caller's.
        return unsafe { put_large_usize(to, n) };
    }
    if n < 10_000 {
        // Most offsets in a report (b5: four in ten; texts run to some tens of thousands of bytes):
        // [`eight_digits`]'s lanes without its split at 10^4, in a `u32`.
        let digits = four_digits(n as u32);
        let skip = (digits | 1 << 24).trailing_zeros() as usize / 8;
        // SAFETY: the caller gives room for `USIZE_DIGITS` bytes, more than 4.
        unsafe {
            to.cast::<[u8; 4]>().write_unaligned(((digits >> (8 * skip)) | ZEROS as u32).to_le_bytes())
        };
        return 4 - skip;
    }
    let digits = eight_digits(n as u32);
    // The leading zeros are the zero bytes before the first digit that is not zero; the last digit
    // always counts (bit 56 is in its byte), so that zero is written `0`.
    let skip = (digits | 1 << 56).trailing_zeros() as usize / 8;
    // SAFETY: the caller gives room for `USIZE_DIGITS` bytes, more than 8.
    unsafe { to.cast::<[u8; 8]>().write_unaligned(((digits >> (8 * skip)) | ZEROS).to_le_bytes()) };
    8 - skip
}

/// Eight `b'0'` bytes in a `u64`: or-ed with digits from 0 to 9, their ASCII characters.
const ZEROS: u64 = u64::from_le_bytes([b'0'; 8]);

/// [`put_usize`] for a number of nine digits or more: the digits before the last eight, then those
/// eight.
///
/// # Safety
/// As for [`put_usize`].
#[cold]
unsafe fn put_large_usize(to: *mut u8, n: usize) -> usize {
    // SAFETY: the caller's room; the high part has at most 12 digits (`usize::MAX` has 20), and the
    // eight after it end within 20.
    unsafe {
        let high = put_usize(to, n / 100_000_000);
        let low = eight_digits((n % 100_000_000) as u32) | ZEROS;
        to.add(high).cast::<[u8; 8]>().write_unaligned(low.to_le_bytes());
        high + 8
    }
}

/// The eight decimal digits of `n` (below 10^8, leading zeros included), one a byte, the first digit
/// in the lowest byte (the first in memory), each a value from 0 to 9. Worked out in lanes of one
/// `u64` (the known SWAR method): `n` as two four-digit halves in 32-bit lanes, each split into two
/// two-digit numbers in 16-bit lanes, each of those into two digits in bytes. Division by 100 and by
/// 10 is a multiply and a shift, exact for the ranges here (below 10^4: `x * 10486 >> 20`; below
/// 100: `x * 103 >> 10`), and no lane's product reaches into the next. (Test: every number against
/// serde_json, at every length.)
#[inline(always)]
fn eight_digits(n: u32) -> u64 {
    let halves = u64::from(n / 10_000) | u64::from(n % 10_000) << 32;
    let hundreds = ((halves * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let pairs = hundreds | (halves - hundreds * 100) << 16;
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f;
    tens | (pairs - tens * 10) << 8
}

/// The four decimal digits of `n` (below 10^4), as [`eight_digits`] makes each half of its eight.
#[inline(always)]
fn four_digits(n: u32) -> u32 {
    let hundreds = (n * 10_486) >> 20;
    let pairs = hundreds | (n - hundreds * 100) << 16;
    let tens = ((pairs * 103) >> 10) & 0x000f_000f;
    tens | (pairs - tens * 10) << 8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        // After something already written, in a vector without spare room: the string goes after it,
        // and the vector grows as it must.
        let mut out = b"[".to_vec();
        out.shrink_to_fit();
        write_str(&mut out, s);
        assert_eq!(out[0], b'[');
        // Every width writes it alike: sixteen bytes a step (SSE2), thirty-two (AVX2 where the
        // processor has it, and byte by byte everywhere).
        let with = |write: &dyn Fn(&mut Vec<u8>)| {
            let mut other = b"[".to_vec();
            other.shrink_to_fit();
            write(&mut other);
            other
        };
        assert_eq!(with(&|o| write_steps::<16>(o, s, |c| u64::from(escape_bits(c)))), out, "{s:?}");
        let plainly_32 = |c: &[u8; 32]| {
            c.iter().enumerate().fold(0, |m, (j, &b)| m | u64::from(b < 0x20 || b == b'"' || b == b'\\') << j)
        };
        assert_eq!(with(&|o| write_steps::<32>(o, s, plainly_32)), out, "{s:?}");
        let plainly_64 = |c: &[u8; 64]| {
            c.iter().enumerate().fold(0, |m, (j, &b)| m | u64::from(b < 0x20 || b == b'"' || b == b'\\') << j)
        };
        assert_eq!(with(&|o| write_steps::<64>(o, s, plainly_64)), out, "{s:?}");
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            assert_eq!(with(&|o| unsafe { write_str_avx2(o, s) }), out, "{s:?}");
        }
        String::from_utf8(out[1..].to_vec()).expect("UTF-8")
    }

    #[test]
    fn strings_come_out_as_serde_json_writes_them() {
        let mut every_byte: String = (0u8..0x80).map(char::from).collect();
        every_byte.push_str("é\u{2028}\u{2029}\u{7f}ﬁ😀");
        let cases = [
            "",
            "plain",
            "exactly8",
            "\"",
            "\\",
            "a \"quoted\" word and a back\\slash, longer than eight bytes",
            "line one\nline two\n\nline three\t\r\x0c\x08\x00\x1f end",
            "0123456\n0123456\"01234567\\",
            every_byte.as_str(),
        ];
        for s in cases {
            assert_eq!(ours(s), serde_json::to_string(s).expect("a string"), "{s:?}");
        }
        // Long strings every byte of which grows most (the room a step needs), or some.
        for n in [127, 128, 129, 200, 300, 1000] {
            for s in ["\x01".repeat(n), "\"".repeat(n), format!("{}{}", "y".repeat(n), "\x1f".repeat(n))] {
                assert_eq!(ours(&s), serde_json::to_string(&s).expect("a string"), "{s:?}");
            }
        }
        // Short strings (the inline way) and those up to 128 bytes (two windows) with one byte to
        // escape anywhere, the last one included, and with two.
        for len in 1..134 {
            for at in 0..len {
                for b in [b'\n', b'"', b'\\', 0x01, 0x1f] {
                    let mut s = "y".repeat(len).into_bytes();
                    s[at] = b;
                    let one = String::from_utf8(s.clone()).expect("ASCII");
                    assert_eq!(ours(&one), serde_json::to_string(&one).expect("a string"), "{one:?}");
                    s[len - 1] = b'\n';
                    let two = String::from_utf8(s).expect("ASCII");
                    assert_eq!(ours(&two), serde_json::to_string(&two).expect("a string"), "{two:?}");
                }
            }
        }
        // Every position of every escaped byte relative to the steps of every width.
        for b in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..200 {
                let mut s = "x".repeat(200);
                s.replace_range(at..at + 1, &char::from(b).to_string());
                assert_eq!(ours(&s), serde_json::to_string(&s).expect("a string"), "{s:?}");
            }
        }
        // Two escaped bytes at every pair of positions, in one step or two, in the last (padded) step
        // or not. The fillers are the bytes a borrow from an escaped byte below could flag.
        for len in [5, 9, 15, 16, 17, 19, 23, 32, 37, 63, 64, 65, 70, 127, 128, 129, 150, 200] {
            for a in 0..len {
                for b in a + 1..len {
                    let mut s: Vec<u8> = [b' ', b'#', b']', b'y'][len % 4..len % 4 + 1].repeat(len);
                    s[a] = b'\n';
                    s[b] = if b % 2 == 0 { b'"' } else { 0x01 };
                    let s = String::from_utf8(s).expect("ASCII");
                    assert_eq!(ours(&s), serde_json::to_string(&s).expect("a string"), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn padded_is_the_bytes_then_the_pad() {
        let bytes: Vec<u8> = (1..=31).collect();
        for n in 0..16 {
            let mut want = [0xee; 16];
            want[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(padded::<16>(&bytes[..n], 0xee), want, "{n}");
        }
        for n in 0..32 {
            let mut want = [0xee; 32];
            want[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(padded::<32>(&bytes[..n], 0xee), want, "{n}");
        }
        let bytes: Vec<u8> = (1..=63).collect();
        for n in 0..64 {
            let mut want = [0xee; 64];
            want[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(padded::<64>(&bytes[..n], 0xee), want, "{n}");
        }
    }

    #[test]
    fn escape_bits_are_the_bytes_to_escape() {
        for filler in 0..=255u8 {
            for b in 0..=255u8 {
                for at in 0..16 {
                    let mut chunk = [filler; 16];
                    chunk[at] = b;
                    assert_eq!(escape_bits(&chunk), escape_bits_plainly(&chunk), "{chunk:?}");
                }
            }
        }
        assert_eq!(escape_bits_plainly(b"a\"\\\x00\x1f \x7f\x80\xff!#[]\n\r\t"), 0b1110_0000_0001_1110);
    }

    #[test]
    fn plain_escapes_read_as_serde_json_reads_them() {
        let strings = [
            "",
            "plain",
            "line one\nline two\n\nthree \"quoted\" back\\slash\t\r\x08\x0c/",
            "é ﬁ 😀 \u{2028}",
            "\\n is not a newline",
        ];
        for s in strings {
            let raw = serde_json::to_string(s).expect("a string");
            assert_eq!(unescape_plain(&raw).as_deref(), Some(s), "{raw}");
            // The solidus may be escaped too.
            let solidus = raw.replace('/', "\\/");
            assert_eq!(unescape_plain(&solidus).as_deref(), Some(s), "{solidus}");
        }
        // Left to serde_json: \u escapes (surrogate pairs, lone surrogates), and values that are not
        // strings.
        for raw in [r#""caf\u00e9""#, r#""\ud83d\ude00""#, r#""\ud800""#, "12", "null", r#"["a"]"#] {
            assert_eq!(unescape_plain(raw), None, "{raw}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips_as_serde_json_says(s in "(?s).{0,40}|[\\x00-\\x7f]{0,40}") {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            proptest::prop_assert_eq!(&out, &serde_json::to_vec(&s).expect("a string"));
            let raw = String::from_utf8(out).expect("UTF-8");
            // serde_json writes most control characters as `\u00XX`, which is left to it.
            match unescape_plain(&raw) {
                Some(t) => proptest::prop_assert_eq!(t, s),
                None => proptest::prop_assert!(raw.contains("\\u"), "{}", raw),
            }
        }
    }

    /// What `unescape_literal` reads from `bytes` (a literal from its opening quote on), checked
    /// against serde_json: the same string and end, or `None` where serde_json fails or the literal
    /// has a `\u` escape.
    fn literal_as_serde_json_reads_it(bytes: &[u8]) {
        let ours = unescape_literal(bytes, 1);
        // Every width reads it alike: sixteen bytes a step (SSE2), thirty-two (AVX2 where the
        // processor has it, and byte by byte everywhere).
        let raw = valid_utf8_start(&bytes[1..]).as_bytes();
        let at_end = |r: Option<(String, usize)>| r.map(|(t, end)| (t, end + 1));
        assert_eq!(at_end(unescape_steps::<16>(raw, |c| u64::from(escape_bits(c)))), ours, "{bytes:?}");
        let plainly_32 = |c: &[u8; 32]| {
            c.iter().enumerate().fold(0, |m, (j, &b)| m | u64::from(b < 0x20 || b == b'"' || b == b'\\') << j)
        };
        assert_eq!(at_end(unescape_steps::<32>(raw, plainly_32)), ours, "{bytes:?}");
        let plainly_64 = |c: &[u8; 64]| {
            c.iter().enumerate().fold(0, |m, (j, &b)| m | u64::from(b < 0x20 || b == b'"' || b == b'\\') << j)
        };
        assert_eq!(at_end(unescape_steps::<64>(raw, plainly_64)), ours, "{bytes:?}");
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            assert_eq!(at_end(unsafe { unescape_avx2(raw) }), ours, "{bytes:?}");
        }
        let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<String>();
        let theirs = match stream.next() {
            Some(Ok(s)) => Some((s, stream.byte_offset())),
            _ => None,
        };
        match (&ours, &theirs) {
            (Some(o), Some(t)) => assert_eq!(o, t, "{bytes:?}"),
            (Some(o), None) => {
                // serde_json may only object to what follows the literal.
                let end = o.1;
                assert_eq!(
                    serde_json::from_slice::<String>(&bytes[..end]).ok().as_ref(),
                    Some(&o.0),
                    "{bytes:?}"
                );
            }
            (None, Some(_)) => {
                let end = theirs.as_ref().expect("some").1;
                assert!(bytes[..end].windows(2).any(|w| w == b"\\u"), "{bytes:?}");
            }
            (None, None) => {}
        }
    }

    #[test]
    fn literals_read_as_serde_json_reads_them() {
        let mut every_byte: String = (0u8..0x80).map(char::from).collect();
        every_byte.push_str("é\u{2028}\u{2029}\u{7f}ﬁ😀");
        for s in ["", "plain", "line one\nline two\n\nthree \"quoted\" back\\slash\t\r\x08\x0c/", &every_byte]
        {
            for tail in ["", ",\"id\":1}", "}"] {
                let line = format!("{}{tail}", serde_json::to_string(s).expect("a string"));
                literal_as_serde_json_reads_it(line.as_bytes());
                assert_eq!(
                    unescape_literal(line.as_bytes(), 1).map(|(t, _)| t).as_deref(),
                    Some(s).filter(|s| !s.contains(|c: char| c < ' ' && !"\n\t\r\x08\x0c".contains(c)))
                );
            }
        }
        let bad: [&[u8]; 9] = [
            b"\"unterminated",
            b"\"bare \x01 control\"",
            b"\"bare\nnewline\"",
            b"\"unknown \\x escape\"",
            b"\"caf\\u00e9\"",
            b"\"ends in a backslash\\",
            b"\"\xff\xfe not UTF-8\"",
            b"\"split \xc3\\n\xa9 sequence\"",
            b"\"0123456789abcdef\\/0123456789abcdef\\b\\f\"",
        ];
        for b in bad {
            literal_as_serde_json_reads_it(b);
        }
        // Every position of every byte of interest relative to the steps of every width.
        for b in [b'"', b'\\', b'\n', 0x01, 0xc3] {
            for at in 1..140 {
                let mut line = b"\"".to_vec();
                line.extend(b"x".repeat(144));
                line.push(b'"');
                line[at] = b;
                literal_as_serde_json_reads_it(&line);
            }
        }
        // Escapes at every pair of places within and across the steps of either width, with the
        // literal's end near them or far, and what follows it short or long.
        for len in [3, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 96, 130] {
            for a in 0..len {
                for b in a..len {
                    for tail in ["", "}", ",\"id\":\"0123456789abcdef0123456789abcdef\"}"] {
                        let mut inside: Vec<u8> = b"y".repeat(len);
                        let mut put = |i: usize, e: &[u8]| {
                            inside.splice(i..i + 1, e.iter().copied());
                        };
                        // The later place first, so that the earlier one stays where it is.
                        put(b, [&b"\\n"[..], b"\\\\", b"\\\"", b"\\/"][b % 4]);
                        if a < b {
                            put(a, [b"\\\"", b"\\t"][a % 2]);
                        }
                        let mut line = b"\"".to_vec();
                        line.extend(&inside);
                        line.push(b'"');
                        line.extend(tail.as_bytes());
                        literal_as_serde_json_reads_it(&line);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_literal_reads_as_serde_json_reads_it(s in "(?s).{0,40}|[\\x00-\\x7f]{0,40}", tail in "[,}\\]\"x ]{0,3}") {
            let mut line = serde_json::to_vec(&s).expect("a string");
            line.extend_from_slice(tail.as_bytes());
            literal_as_serde_json_reads_it(&line);
            // And the raw bytes of any short string as a literal's inside.
            let mut raw = b"\"".to_vec();
            raw.extend_from_slice(s.as_bytes());
            raw.extend_from_slice(tail.as_bytes());
            literal_as_serde_json_reads_it(&raw);
        }
    }

    proptest::proptest! {
        /// Long strings, written mostly by the steps that escape every byte of a step in one:
        /// escapes of every kind at any places (several together, at a step's end, across steps).
        #[test]
        fn long_strings_come_out_as_serde_json_writes_them(
            s in "(?s)([a-z ,.é’—]{0,90}[\n\t\"\\\\\u{8}\u{c}\u{1}\u{1f}]{1,4}){0,12}[a-z]{0,70}",
        ) {
            proptest::prop_assert_eq!(ours(&s), serde_json::to_string(&s).expect("a string"));
        }
    }

    proptest::proptest! {
        /// Long literals, read mostly by the steps without bounds checks: escapes of every kind at
        /// any places (two together, at a step's end, across steps), and what serde_json rejects.
        #[test]
        fn long_literals_read_as_serde_json_reads_them(
            s in "(?s)([a-z ,.é’—]{0,70}[\n\t\"\\\\\u{8}\u{c}/]{1,3}){0,12}[a-z]{0,70}",
            bad in "[\x01\\\\xu\"]?",
            at in 0usize..1000,
            tail in "[,}\\]\" ]{0,3}",
        ) {
            let mut line = serde_json::to_vec(&s).expect("a string");
            line.extend_from_slice(tail.as_bytes());
            literal_as_serde_json_reads_it(&line);
            // The same with a byte that ends it early or makes it wrong (a bare control character,
            // `\x`, `\u`, a backslash before the closing quote), somewhere inside.
            let at = 1 + at % (line.len() - 1);
            if std::str::from_utf8(&line).expect("UTF-8").is_char_boundary(at) {
                line.splice(at..at, bad.bytes());
                literal_as_serde_json_reads_it(&line);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn valid_utf8_start_is_std_valid_up_to(s in "(?s).{0,100}", cut in 0usize..400, junk in proptest::collection::vec(proptest::num::u8::ANY, 0..4), n in 0usize..200) {
            // Long enough for the vector path (64 bytes and up), cut anywhere, perhaps with bytes
            // that are not UTF-8 after the cut.
            let mut bytes = s.repeat(1 + n / 40).into_bytes();
            bytes.truncate(cut.min(bytes.len()));
            bytes.extend_from_slice(&junk);
            let want = match std::str::from_utf8(&bytes) {
                Ok(t) => t.len(),
                Err(e) => e.valid_up_to(),
            };
            proptest::prop_assert_eq!(valid_utf8_start(&bytes).as_bytes(), &bytes[..want]);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_number_comes_out_as_serde_json_writes_it(n: usize, small in 0usize..100_000_000, k in 0u32..20) {
            for n in [n, small, n >> (k * 3), small / 10usize.pow(k % 8)] {
                let mut out = b"x".to_vec();
                write_usize(&mut out, n);
                proptest::prop_assert_eq!(&out[1..], &serde_json::to_vec(&n).expect("a number")[..]);
            }
        }
    }

    #[test]
    fn every_number_below_a_hundred_thousand_comes_out_as_serde_json_writes_it() {
        let mut out = Vec::new();
        for n in 0..100_000usize {
            out.clear();
            write_usize(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).expect("a number"));
        }
    }

    #[test]
    fn numbers_come_out_as_serde_json_writes_them() {
        let mut ns = vec![0, 7, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, usize::MAX, usize::MAX / 10];
        for k in 1..20 {
            let p = 10usize.pow(k);
            ns.extend([p - 1, p, p + 1, p * 3 / 2]);
        }
        for n in ns {
            let mut out = Vec::new();
            write_usize(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).expect("a number"));
        }
    }

    /// `skip_value` as serde_json reads a raw value in an object: the same span, or both refuse,
    /// where `,` or `}` follows (as `io::parse_plain` requires).
    fn skip_as_serde(bytes: &[u8]) -> Result<(), String> {
        let followed = |end: usize| {
            let rest = &bytes[end..];
            let k = rest.iter().position(|b| !b" \t\n\r".contains(b));
            k.is_some_and(|k| matches!(rest[k], b',' | b'}'))
        };
        let ours = skip_value(bytes, 0).filter(|&(_, end)| followed(end));
        let theirs = serde_json::Deserializer::from_slice(bytes)
            .into_iter::<&serde_json::value::RawValue>()
            .next()
            .and_then(Result::ok)
            .map(|raw| (raw.get(), raw.get().len()))
            .filter(|&(_, end)| followed(end));
        let deep = bytes.iter().filter(|&&b| b == b'[' || b == b'{').count() > 64;
        if ours == theirs || (ours.is_none() && deep) {
            Ok(())
        } else {
            Err(format!("{:?}: ours {ours:?}, serde_json {theirs:?}", String::from_utf8_lossy(bytes)))
        }
    }

    #[test]
    fn skip_value_reads_as_serde_json() {
        for v in [
            "null,",
            "true}",
            "false ,",
            "nul,",
            "truex,",
            "0,",
            "-0,",
            "01,",
            "-,",
            "1.,",
            "1.5e,",
            "1e+,",
            "1E-7,",
            "-12.50e+3}",
            r#""a\u00e9\uD800\/",", r#""\u00g0","#,
            r#""\x","#,
            "\"a\u{1}\",",
            "[],",
            "[ ] ,",
            "[1,],",
            "[1 , [2,{}]] ,",
            "{},",
            "{ } ,",
            r#"{"a":1,}"#,
            r#"{"a" : [ "b" ] , "c":{}} ,"#,
            r#"{1:2},"#,
            r#"{"a"},"#,
            "[1 2],",
            "[,",
            "\"abcdefghijklmnop\\\"qrstuvwxyz\",",
        ] {
            skip_as_serde(v.as_bytes()).unwrap();
        }
        skip_as_serde(b"\"caf\xc3\xa9\",").unwrap();
        skip_as_serde(b"\"caf\xff\",").unwrap();
        skip_as_serde(b"[\"a\",\"\xc3\"],").unwrap();
        // Long strings, ASCII or not, bad bytes within or past a step of sixteen.
        skip_as_serde(b"\"abcdefghijklmnopqrstuvwxyz0123456789\",\"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\"}").unwrap();
        skip_as_serde(b"\"abcdefghijklmnopqrstuvwxyz\xc3\xa9 0123456789\",").unwrap();
        skip_as_serde(b"\"abcdefghijklmnopqrstuvwxyz\xc3 0123456789\",").unwrap();
        skip_as_serde(b"\"abcdefghijklmnopqrstuvwxyz\x1f 0123456789\",").unwrap();
        let deep = |n: usize| format!("{}{},", "[".repeat(n), "]".repeat(n));
        assert!(skip_value(deep(64).as_bytes(), 0).is_some());
        assert!(skip_value(deep(65).as_bytes(), 0).is_none());
    }

    /// JSON values written with white space here and there.
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let ws = "[ \t\n\r]{0,2}";
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
            "\"([a-z é\u{1F600}/]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4}){0,20}\""
        ];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            let item = (ws, inner.clone(), ws).prop_map(|(a, v, b)| format!("{a}{v}{b}"));
            let member = (ws, "\"([a-z]|\\\\[\"n]){0,3}\"", ws, ws, inner, ws)
                .prop_map(|(a, k, b, c, v, d)| format!("{a}{k}{b}:{c}{v}{d}"));
            prop_oneof![
                proptest::collection::vec(item, 0..4).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec(member, 0..4).prop_map(|v| format!("{{{}}}", v.join(","))),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn skip_value_reads_values_as_serde_json(v in json_text(), ws in "[ \t]{0,2}", end in "[,}]") {
            let text = format!("{v}{ws}{end}");
            proptest::prop_assert!(skip_value(text.as_bytes(), 0).is_some(), "{:?}", text);
            proptest::prop_assert_eq!(skip_as_serde(text.as_bytes()), Ok(()));
        }

        #[test]
        fn skip_value_refuses_as_serde_json(
            v in json_text(),
            at in proptest::num::usize::ANY,
            b in proptest::sample::select(b"[]{},:\" \\0123456789-+.eEuanltrsf\x01\x7f\xc3\xa9\xff".to_vec()),
            cut in proptest::bool::ANY,
        ) {
            // One byte changed, or the text cut short there.
            let mut bytes = v.into_bytes();
            let at = at % bytes.len();
            if cut {
                bytes.truncate(at);
            } else {
                bytes[at] = b;
            }
            bytes.push(b',');
            if !bytes[0].is_ascii_whitespace() {
                proptest::prop_assert_eq!(skip_as_serde(&bytes), Ok(()));
            }
        }

        #[test]
        fn skip_value_reads_token_soup_as_serde_json(
            tokens in proptest::collection::vec(proptest::sample::select(vec![
                "[", "]", "{", "}", ",", ":", "\"", "\"a\"", "\\", "\\u", "00e9", "0", "1", "-", ".", "e", "+", " ", "\n",
                "null", "true", "fals", "\u{1}", "é", "\"\\\"\"",
            ]), 1..12),
            end in "[,}]",
        ) {
            let text = format!("{}{end}", tokens.concat());
            if !text.as_bytes()[0].is_ascii_whitespace() {
                proptest::prop_assert_eq!(skip_as_serde(text.as_bytes()), Ok(()));
            }
        }
    }
}
