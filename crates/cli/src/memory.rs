//! The process's own memory accounting, for `-v`: peak resident memory per stage. On Linux the
//! kernel keeps the peak (`VmHWM` in `/proc/self/status`) and lets a process reset it, so each
//! stage of `tifa run -v` reports its own peak, and the run reports the highest of them.
//! Resetting also resets what `getrusage` (and so `/usr/bin/time`) reports, which is why only
//! `-v` does it. Elsewhere nothing is shown.

use std::sync::atomic::{AtomicU64, Ordering};

/// The highest peak seen before any reset, in bytes.
static HIGHEST: AtomicU64 = AtomicU64::new(0);

/// Peak resident memory since the last [`reset_peak`] (or the start), in bytes.
pub fn peak() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let bytes = kb * 1024;
    HIGHEST.fetch_max(bytes, Ordering::Relaxed);
    Some(bytes)
}

/// Peak resident memory of the whole process, across resets, in bytes.
pub fn highest() -> Option<u64> {
    peak()?;
    Some(HIGHEST.load(Ordering::Relaxed))
}

/// Starts a new peak from the current resident memory (best effort: an older kernel keeps the
/// peak of the whole run).
pub fn reset_peak() {
    let _ = peak();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `", peak 123 MB"`, or nothing when the peak is unknown.
pub fn note(bytes: Option<u64>) -> String {
    bytes
        .map(|b| format!(", peak {} MB", b / 1_000_000))
        .unwrap_or_default()
}
