//! Panics inside the file readers turned into errors naming the file.
//!
//! polars 0.55 does not check every damaged file: polars-parquet panics on some (a flipped
//! bit in a Parquet footer: `thrift bool field`; in a data page: `assertion failed: num_values
//! <= values.len()`), sometimes on one of the threads of polars' own rayon pool, which decode
//! columns in parallel. Rayon hands a worker's panic to the thread that waits for the work,
//! so [`contained`] catches it with `catch_unwind` around the whole read and returns
//! [`DataError::ReaderFailed`]. The panic hook, installed once, stays silent for such a panic
//! (the error says it instead) and passes every other panic to the hook it replaced.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::DataError;

/// Contained reads under way, in any thread.
static READS: AtomicUsize = AtomicUsize::new(0);

/// The panic hook is chained once.
static HOOK: Once = Once::new();

thread_local! {
    /// Whether this thread is inside [`contained`].
    static READING: Cell<bool> = const { Cell::new(false) };
}

/// Counts a read under way until dropped, even when the read panics.
struct Reading {
    was_reading: bool,
}

impl Reading {
    fn start() -> Reading {
        READS.fetch_add(1, Ordering::SeqCst);
        Reading { was_reading: READING.replace(true) }
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.set(self.was_reading);
        READS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `read` (a polars read of `path`); a panic in it, or in a polars worker thread it
/// waits for, becomes [`DataError::ReaderFailed`] with the panic's message.
pub(super) fn contained<T>(path: &Path, read: impl FnOnce() -> T) -> Result<T, DataError> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if !panic_is_contained() {
                previous(info);
            }
        }));
    });
    let reading = Reading::start();
    let result = std::panic::catch_unwind(AssertUnwindSafe(read));
    drop(reading);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "it stopped without a message".into());
        DataError::ReaderFailed { path: path.to_path_buf(), message }
    })
}

/// Whether a panic on the current thread is one [`contained`] turns into an error: the thread
/// is reading a file, or is one of polars' worker threads while a file is read. A panic hook
/// installed later (the dashboard's, which restores the terminal) asks this first.
pub fn panic_is_contained() -> bool {
    READING.get()
        || (READS.load(Ordering::SeqCst) > 0
            && std::thread::current().name().is_some_and(|name| name.starts_with("polars")))
}
