//! Handing freed memory back to the system between stages.
//!
//! The segmented corpus and the counts are made of many medium-sized allocations (a text and a
//! few token arrays per report, columns grown by doubling). When a stage lets go of them, glibc's
//! allocator keeps most of the freed pages resident for reuse: only the top of each heap is
//! returned on its own. The next stage then starts with hundreds of megabytes of resident but
//! unused memory on top of its own, and the run's peak is their sum. [`give_back`] asks the
//! allocator to return every whole free page, so a stage's peak is its own.
//!
//! Called where a large input has just been freed (a few milliseconds each): once or twice per
//! stage, after each of count's passes, and every 16 MB of texts compare's examples free, never
//! per item: returned pages cost a page fault each when they are used again. For a small input
//! it does nothing ([`for_input`]).

use std::sync::atomic::{AtomicBool, Ordering};

/// Blocks of at least this many bytes get a mapping of their own (see [`for_input`]).
pub const LARGE_BLOCK: usize = 1 << 20;

/// A command whose input has fewer bytes than this leaves the allocator to its defaults (see
/// [`for_input`]).
pub const SMALL_INPUT: u64 = 16 << 20;

/// Whether [`give_back`] returns pages: set by [`for_input`] for an input of [`SMALL_INPUT`]
/// bytes or more.
static RETURNING: AtomicBool = AtomicBool::new(false);

/// Sets how this process manages memory for a command whose input (the corpus, or the
/// intermediate a stage command reads) has `bytes` bytes. Call it before the input is read;
/// once set for a large input it stays set.
///
/// From [`SMALL_INPUT`] up, every block of at least [`LARGE_BLOCK`] bytes gets a mapping of its
/// own, which goes back to the system as soon as it is freed, and [`give_back`] returns the
/// free pages of the heaps. glibc starts with that policy for blocks of 128 KiB and more, but
/// each time such a block is freed it raises the threshold to the block's size, up to 32 MiB:
/// after the first stage has freed its file buffers, blocks of up to 32 MiB (a wave of
/// phrases, a pass's scratch arrays, a chunk of output being rendered) come from its heaps
/// instead. There they are mixed with small long-lived allocations (vocabulary terms, report
/// titles), so the pages they leave when freed cannot all be returned, even by [`give_back`].
/// With a fixed threshold the peaks of count, compare and report went down, in the same time.
///
/// Below, neither: the whole run holds a few tens of megabytes, and every page returned costs
/// a page fault when it is used again. On the 6.4 MB government reports the two policies
/// doubled the run's page faults and took a tenth of its time; on 15 MB of news transcripts, a
/// seventh (docs/performance-notes.md). Does nothing outside glibc.
pub fn for_input(bytes: u64) {
    if bytes >= SMALL_INPUT && !RETURNING.swap(true, Ordering::Relaxed) {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        set_mmap_threshold();
    }
}

/// Whether this process returns freed memory to the system ([`for_input`] was given a large
/// input).
pub fn returning() -> bool {
    RETURNING.load(Ordering::Relaxed)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_mmap_threshold() {
    // SAFETY: mallopt takes two integers and changes a setting of the allocator; glibc
    // serialises it against allocations. Setting M_MMAP_THRESHOLD also turns off the dynamic
    // adjustment of the threshold.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK as libc::c_int);
    }
}

/// Returns the pages of memory this process has freed to the system, once [`for_input`] was
/// given a large input. On glibc this is `malloc_trim(0)`; elsewhere it does nothing (other
/// allocators return memory on their own terms).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if returning() {
        trim();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_large_input_turns_returning_memory_on_and_it_stays_on() {
        // The one test touching the process-wide setting, so no other test races it.
        assert!(!returning());
        for_input(0);
        for_input(SMALL_INPUT - 1);
        assert!(
            !returning(),
            "a small input leaves the allocator to its defaults"
        );
        give_back();
        for_input(SMALL_INPUT);
        assert!(returning());
        for_input(1);
        assert!(returning(), "a later small input does not turn it off");
        give_back();
    }
}
