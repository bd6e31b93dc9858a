//! The flavour abstraction: what the shared core needs from a threading model.
//!
//! The core in [`crate::raw`] is written once, generic over a [`Flavor`]. A flavour
//! supplies three primitives:
//!
//! * [`Count`]: a reference count (strong counts, node handle counts, the inflated
//!   weak count, node state words);
//! * [`Word`]: the pointer-sized word in every allocation that holds either a thin
//!   weak count or a tagged pointer to the allocation's `Registry` (see `raw::rc_box`);
//! * [`Lock`]: the lock that guards an allocation's list of registrations.
//!
//! [`Local`] is the single-threaded flavour behind [`crate::rc`]: plain `Cell`s and a
//! lock that is only a re-entrancy check. A thread-safe flavour implements the same
//! traits with atomics and a mutex; the core's algorithms do not change, which is the
//! point of the split.

mod atomic;
mod local;

pub(crate) use atomic::{Atomic, AtomicLock};
pub(crate) use local::{Local, LocalLock};

/// A threading model for the shared core.
pub(crate) trait Flavor: Sized + 'static {
    /// A reference count or state word.
    type Count: Count;
    /// The weak word of an allocation: a thin count or a tagged registry pointer.
    type Word: Word;
    /// The lock around an allocation's registration list.
    type Lock<T>: Lock<T>;
    /// Makes the flavour's handles `!Send`/`!Sync` where they must be.
    type Marker: Copy + Default;

    /// Called in a loop that waits for another thread.
    fn relax();
    /// An address that identifies the calling thread while it runs.
    fn thread_token() -> usize;
}

/// A reference count with the flavour's synchronisation.
///
/// Overflow is never allowed to wrap: like `std`, the process aborts when a count
/// would overflow (this can only happen through `mem::forget` in a loop).
pub(crate) trait Count {
    /// A count holding `n`.
    fn new(n: usize) -> Self;
    /// The current value.
    fn get(&self) -> usize;
    /// Overwrites the value; only for a count no other handle can observe.
    fn set(&self, n: usize);
    /// Adds one; aborts on overflow.
    fn increment(&self);
    /// Subtracts one and returns the value it had before. A caller that sees `1`
    /// owns whatever the count protected.
    fn decrement(&self) -> usize;
    /// Adds one unless the count is zero; returns whether it did.
    fn increment_if_nonzero(&self) -> bool;
    /// Replaces the value with `new` if it is `current`; returns whether it did.
    fn compare_exchange(&self, current: usize, new: usize) -> bool;
    /// Sets `bits`; returns the previous value.
    fn fetch_or(&self, bits: usize) -> usize;
    /// Clears `bits`; returns the previous value.
    fn fetch_and_not(&self, bits: usize) -> usize;
    /// Adds `n` (a handful); aborts on overflow.
    fn add(&self, n: usize);
    /// Adds `n` (a handful), first waiting while the count holds `locked` (a value
    /// only a uniqueness check holds, for an instant); aborts on overflow.
    fn add_unless_locked(&self, n: usize, locked: usize);
}

/// A pointer-sized word that keeps pointer provenance.
pub(crate) trait Word {
    /// A word holding `p`.
    fn new(p: *mut ()) -> Self;
    /// The current value.
    fn load(&self) -> *mut ();
    /// Replaces the value with `new` if it is still `current` (the value the caller
    /// loaded just before, without running any other code in between).
    fn compare_exchange(&self, current: *mut (), new: *mut ()) -> Result<(), *mut ()>;
}

/// Mutual exclusion for a value, entered with a closure.
///
/// The core never runs user code (callbacks, `Drop` of user types) inside
/// [`Lock::with`]: it collects what it needs under the lock and acts after.
pub(crate) trait Lock<T> {
    /// A lock around `value`.
    fn new(value: T) -> Self;
    /// Runs `f` with exclusive access to the value.
    ///
    /// # Panics
    /// If this thread already holds the lock (re-entrant use).
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
    /// Runs `f` if the lock is free at this instant; returns `None`, without
    /// waiting, if any thread (this one included) holds it.
    fn try_now<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R>;
}
