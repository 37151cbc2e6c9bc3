//! Output files written around the page cache (`O_DIRECT`), on the local file systems that support
//! it, with a thread of their own doing the writing.
//!
//! Why: on the development machine, writing `make bench`'s 670 MB of output through the page cache
//! cost the kernel about 0.45 s of CPU time per run (copying into the cache, delayed allocation,
//! handing pages to writeback, dropping them again), against under 0.05 s written directly. When
//! every core cleans, that time comes out of the cleaning: the two-thread run took 0.4 to 0.6 s longer
//! writing to a file than writing to `/dev/null`, the one-thread run no longer. Written directly, the
//! bytes go from our buffer to the disk, and the disk's own time is spent by a thread that only waits.
//!
//! How: the output is copied into aligned blocks of [`BLOCK`] bytes; a full block goes to the writing
//! thread, which writes it with `O_DIRECT` while the next block fills. Only [`BLOCKS`] blocks exist,
//! so a disk slower than the cleaning holds the cleaning back instead of filling memory. The last,
//! partial block is written through the page cache: `O_DIRECT` needs whole aligned blocks.
//!
//! It is conservative about where it does this: only on ext4 and XFS (local disks, where direct I/O
//! is well trodden; a network file system would make each block a synchronous round trip), and any
//! write that the kernel refuses as misaligned (`EINVAL`, a device with larger blocks than
//! [`ALIGN`]) is written again through the page cache, as is everything after it. Errors of the
//! writes themselves (a full disk) are returned by the next write or by `flush`.

use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Bytes per block. The development machine's disk took 16 MB direct writes at 1.1 to 1.3 GB/s and
/// 8 MB ones at 0.5 to 0.6 GB/s (a fixed cost of about 10 ms a request); 16 MB keeps a two-thread run
/// well ahead of the disk.
const BLOCK: usize = 16 << 20;
/// Blocks in memory at once: one filling, one being written. A block fills in 45 ms or more (16 MB
/// of output at 350 MB/s, a two-thread run on a quiet development machine) and was written in 12 to
/// 27 ms, so the writer seldom waits for the disk.
const BLOCKS: usize = 2;
/// The alignment of the blocks' addresses, lengths and file offsets: the page size, which is also the
/// largest logical block size of common disks.
const ALIGN: usize = 4096;

/// ext4's and XFS's `statfs` magic numbers (`linux/magic.h`).
const EXT4_SUPER_MAGIC: u64 = 0xEF53;
const XFS_SUPER_MAGIC: u64 = 0x5846_5342;

/// A buffer whose `ALIGN`ed part of `BLOCK` bytes starts at `start`, filled up to `len`.
struct Block {
    data: Box<[u8]>,
    start: usize,
    len: usize,
}

impl Block {
    fn new() -> Block {
        let data = vec![0u8; BLOCK + ALIGN].into_boxed_slice();
        let start = data.as_ptr().align_offset(ALIGN);
        Block { data, start, len: 0 }
    }

    /// Copies as much of `bytes` as fits; returns how much.
    fn fill(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(BLOCK - self.len);
        let at = self.start + self.len;
        self.data[at..at + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        n
    }

    fn is_full(&self) -> bool {
        self.len == BLOCK
    }

    fn filled(&self) -> &[u8] {
        &self.data[self.start..self.start + self.len]
    }
}

/// An output file written directly to the disk by a thread of its own (see the module documentation).
pub struct DirectFile {
    state: State,
}

enum State {
    Writing {
        /// The block being filled.
        block: Option<Block>,
        to_disk: SyncSender<Block>,
        /// Blocks the writing thread is done with.
        emptied: Receiver<Block>,
        allocated: usize,
        thread: JoinHandle<io::Result<File>>,
    },
    /// After `flush`, or after an error: writes go to the file as they come.
    Done(io::Result<File>),
}

impl DirectFile {
    /// Switches `file` to direct I/O and starts its writing thread, or gives the file back when its
    /// file system is not one this is done on, or refuses `O_DIRECT`.
    pub fn new(file: File) -> Result<DirectFile, File> {
        if !on_local_disk(&file) || set_direct(&file, true).is_err() {
            return Err(file);
        }
        let (to_disk, blocks) = sync_channel::<Block>(BLOCKS);
        let (give_back, emptied) = sync_channel::<Block>(BLOCKS);
        let thread = std::thread::Builder::new()
            .name("textwash-output".into())
            .spawn(move || write_blocks(file, blocks, give_back));
        match thread {
            Ok(thread) => Ok(DirectFile {
                state: State::Writing { block: None, to_disk, emptied, allocated: 0, thread },
            }),
            // The file went with the closure that could not run; nothing was written to it yet.
            Err(e) => Ok(DirectFile { state: State::Done(Err(e)) }),
        }
    }

    /// Copies `bytes` into blocks, handing each full one to the writing thread.
    fn put(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let State::Writing { block, to_disk, emptied, allocated, .. } = &mut self.state else {
                return self.file()?.write_all(bytes);
            };
            let b = match block {
                Some(b) => b,
                None if *allocated < BLOCKS => {
                    *allocated += 1;
                    block.insert(Block::new())
                }
                None => match emptied.recv() {
                    Ok(mut b) => {
                        b.len = 0;
                        block.insert(b)
                    }
                    // The writing thread stopped: an error, which `finish` returns.
                    Err(_) => return self.finish().map(drop),
                },
            };
            bytes = &bytes[b.fill(bytes)..];
            if b.is_full() {
                let full = block.take().expect("the block just filled");
                if to_disk.send(full).is_err() {
                    return self.finish().map(drop);
                }
            }
        }
        Ok(())
    }

    /// Hands the last block to the writing thread and waits for it; the file is then written as it
    /// comes. Returns the file, or the first error of the writes.
    fn finish(&mut self) -> io::Result<&mut File> {
        let placeholder = State::Done(Err(io::ErrorKind::Other.into()));
        self.state = match std::mem::replace(&mut self.state, placeholder) {
            State::Writing { block, to_disk, emptied, thread, .. } => {
                if let Some(b) = block.filter(|b| b.len > 0) {
                    // A failed send means the thread stopped with an error, which `join` returns.
                    let _ = to_disk.send(b);
                }
                drop(to_disk);
                drop(emptied);
                State::Done(
                    thread.join().unwrap_or_else(|_| Err(io::Error::other("the output thread panicked"))),
                )
            }
            done => done,
        };
        self.file()
    }

    fn file(&mut self) -> io::Result<&mut File> {
        match &mut self.state {
            State::Done(Ok(f)) => Ok(f),
            State::Done(Err(e)) => Err(io::Error::new(e.kind(), e.to_string())),
            State::Writing { .. } => unreachable!("only called once the writing thread is done"),
        }
    }
}

impl Write for DirectFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.put(buf)?;
        Ok(buf.len())
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut n = 0;
        for b in bufs {
            self.put(b)?;
            n += b.len();
        }
        Ok(n)
    }

    /// Writes everything out and waits for it: call it once, at the end.
    fn flush(&mut self) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl Drop for DirectFile {
    fn drop(&mut self) {
        // Unflushed: a failed run, whose file is removed. The thread is still waited for, so the file
        // is closed before it is.
        let _ = self.finish();
    }
}

/// The writing thread: writes each block and gives it back, until the sender is dropped. Returns the
/// file with direct I/O switched off, for the writes after `flush`.
fn write_blocks(mut file: File, blocks: Receiver<Block>, give_back: SyncSender<Block>) -> io::Result<File> {
    let mut direct = true;
    for block in blocks {
        write_block(&mut file, block.filled(), &mut direct)?;
        // Fails only when the writer is finishing and wants no more blocks.
        let _ = give_back.send(block);
    }
    if direct {
        set_direct(&file, false)?;
    }
    Ok(file)
}

/// Writes `data` at the file's position: its whole aligned blocks directly while `direct` holds, the
/// rest through the page cache, switching direct I/O off for good.
fn write_block(file: &mut File, data: &[u8], direct: &mut bool) -> io::Result<()> {
    let mut done = 0;
    if *direct {
        let aligned = data.len() / ALIGN * ALIGN;
        while done < aligned {
            match file.write(&data[done..aligned]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) => break,
                Err(e) => return Err(e),
            }
        }
        if done == data.len() {
            return Ok(());
        }
        set_direct(file, false)?;
        *direct = false;
    }
    file.write_all(&data[done..])
}

/// Whether the file is on ext4 or XFS.
fn on_local_disk(file: &File) -> bool {
    // SAFETY: `fstatfs` fills the zeroed struct it is given, for a descriptor this file owns.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut st) } != 0 {
        return false;
    }
    // `f_type`'s type differs between targets; the magic numbers are 32-bit.
    let magic = st.f_type as u64 & 0xFFFF_FFFF;
    magic == EXT4_SUPER_MAGIC || magic == XFS_SUPER_MAGIC
}

fn set_direct(file: &File, on: bool) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: `fcntl` on a descriptor this file owns; no memory is passed.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    let flags = if on { flags | libc::O_DIRECT } else { flags & !libc::O_DIRECT };
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `parts` through a `DirectFile` on `dir` (falling back where direct I/O is not done)
    /// and checks the file.
    fn round_trip(dir: &std::path::Path, parts: &[Vec<u8>]) {
        let path = dir.join("out");
        let file = File::create(&path).unwrap();
        let mut w: Box<dyn Write> = match DirectFile::new(file) {
            Ok(d) => Box::new(d),
            Err(f) => Box::new(f),
        };
        let mut want = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            if i % 2 == 0 {
                w.write_all(p).unwrap();
            } else {
                let half = p.len() / 2;
                let iov = [IoSlice::new(&p[..half]), IoSlice::new(&p[half..])];
                assert_eq!(w.write_vectored(&iov).unwrap(), p.len());
            }
            want.extend_from_slice(p);
        }
        w.flush().unwrap();
        // Writes after the flush go on at the end.
        w.write_all(b"tail").unwrap();
        want.extend_from_slice(b"tail");
        drop(w);
        let got = std::fs::read(&path).unwrap();
        assert_eq!(got.len(), want.len());
        assert!(got == want);
    }

    fn parts(sizes: &[usize]) -> Vec<Vec<u8>> {
        sizes.iter().enumerate().map(|(i, &n)| (0..n).map(|j| (i * 31 + j * 7) as u8).collect()).collect()
    }

    #[test]
    fn files_of_every_shape_are_written_whole() {
        // On the development machine and in CI, /tmp is on ext4, so the direct path is the one taken.
        let dir = tempfile::tempdir().unwrap();
        for sizes in [
            &[][..],
            &[1],
            &[ALIGN - 1],
            &[ALIGN],
            &[ALIGN + 1],
            &[BLOCK],
            &[BLOCK - 1, 1, ALIGN + 3],
            &[3 * BLOCK + 5, 7],
            &[5 * BLOCK + 12_345],
            &[1000; 50],
        ] {
            round_trip(dir.path(), &parts(sizes));
        }
    }

    #[test]
    fn a_file_system_without_direct_io_is_written_through_the_cache() {
        // /dev/shm is tmpfs where it exists: `DirectFile::new` gives the file back.
        let shm = std::path::Path::new("/dev/shm");
        if shm.is_dir() {
            let dir = tempfile::tempdir_in(shm).unwrap();
            let file = File::create(dir.path().join("x")).unwrap();
            assert!(DirectFile::new(file).is_err());
            round_trip(dir.path(), &parts(&[2 * BLOCK + 1]));
        }
    }

    #[test]
    fn a_misaligned_write_falls_back_to_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut file = File::create(&path).unwrap();
        if !on_local_disk(&file) || set_direct(&file, true).is_err() {
            return;
        }
        // An unaligned address is refused by the kernel in direct mode.
        let data = b"0123456789".repeat(1000);
        let mut block = Block::new();
        block.fill(&data);
        let mut direct = true;
        write_block(&mut file, &block.filled()[1..], &mut direct).unwrap();
        assert!(!direct);
        drop(file);
        assert!(std::fs::read(&path).unwrap() == data[1..]);
    }
}
