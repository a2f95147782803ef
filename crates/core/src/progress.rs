//! Progress reporting without terminal code. Stage crates report through [`Progress`]; only
//! the binary implements it with progress bars, on stderr, hidden for `-q` or when stderr is
//! not a terminal.

/// Receives progress events from a stage. Implementations must be cheap and thread-safe:
/// stages call [`Progress::inc`] from rayon worker threads.
pub trait Progress: Sync {
    /// A new phase begins; `total` is the number of units (bytes, documents …) or 0 if unknown.
    fn start(&self, phase: &str, total: u64);
    /// `n` more units of the current phase are done.
    fn inc(&self, n: u64);
    /// The current phase is finished.
    fn finish(&self);
    /// A warning about the input (a skipped file, a dropped span). Shown even without bars.
    fn warn(&self, message: &str);
}

/// A [`Progress`] that shows nothing and forwards warnings to nobody; for tests and libraries.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _phase: &str, _total: u64) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
    fn warn(&self, _message: &str) {}
}
