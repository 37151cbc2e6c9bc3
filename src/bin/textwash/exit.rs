//! Exit statuses, and what a write error means for one.

use std::io;

/// Everything was cleaned.
pub const OK: u8 = 0;
/// Some inputs or records could not be cleaned (each was reported on standard error).
pub const FAILURES: u8 = 1;
/// Bad usage, or a rules file with problems: nothing was cleaned.
pub const USAGE: u8 = 2;

/// A closed pipe (`textwash clean | head`) ends the run quietly with success; any other write error is
/// an error.
pub fn write_error(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(OK as i32);
    }
    anyhow::Error::new(e).context("writing the output")
}
