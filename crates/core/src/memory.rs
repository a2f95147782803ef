//! Handing freed memory back to the system between stages.
//!
//! The segmented corpus and the counts are made of many medium-sized allocations (a text and a
//! few token arrays per report, columns grown by doubling). When a stage lets go of them, glibc's
//! allocator keeps most of the freed pages resident for reuse: only the top of each heap is
//! returned on its own. The next stage then starts with hundreds of megabytes of resident but
//! unused memory on top of its own, and the run's peak is their sum. [`give_back`] asks the
//! allocator to return every whole free page, so a stage's peak is its own.
//!
//! Called at the few points where a large input has just been freed (a handful of calls per
//! run, each a few milliseconds), never in a loop: returned pages cost a page fault each when
//! they are used again.

/// Returns the pages of memory this process has freed to the system. On glibc this is
/// `malloc_trim(0)`; elsewhere it does nothing (other allocators return memory on their own
/// terms).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    trim();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn trim() {
    // SAFETY: malloc_trim takes no pointer and has no precondition: it locks each of glibc's
    // arenas in turn and releases the whole free pages in them. It is safe to call from any
    // thread at any time, while other threads allocate.
    unsafe {
        libc::malloc_trim(0);
    }
}
