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

use core::cell::{Cell, UnsafeCell};
use core::marker::PhantomData;

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
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
}

/// The single-threaded flavour, behind [`crate::rc`].
pub(crate) enum Local {}

impl Flavor for Local {
    type Count = Cell<usize>;
    type Word = Cell<*mut ()>;
    type Lock<T> = LocalLock<T>;
    type Marker = PhantomData<*const ()>;
}

impl Count for Cell<usize> {
    #[inline]
    fn new(n: usize) -> Self {
        Cell::new(n)
    }
    #[inline]
    fn get(&self) -> usize {
        Cell::get(self)
    }
    #[inline]
    fn set(&self, n: usize) {
        Cell::set(self, n)
    }
    #[inline]
    fn increment(&self) {
        // Same policy as std's `Rc`: a wrapped count would let a later decrement free
        // a live object, so overflow aborts. The check is one predictable branch.
        let n = Cell::get(self).wrapping_add(1);
        Cell::set(self, n);
        if n == 0 {
            std::process::abort();
        }
    }
    #[inline]
    fn decrement(&self) -> usize {
        let n = Cell::get(self);
        Cell::set(self, n - 1);
        n
    }
    #[inline]
    fn increment_if_nonzero(&self) -> bool {
        if Cell::get(self) == 0 {
            false
        } else {
            self.increment();
            true
        }
    }
    #[inline]
    fn compare_exchange(&self, current: usize, new: usize) -> bool {
        if Cell::get(self) == current {
            Cell::set(self, new);
            true
        } else {
            false
        }
    }
}

impl Word for Cell<*mut ()> {
    #[inline]
    fn new(p: *mut ()) -> Self {
        Cell::new(p)
    }
    #[inline]
    fn load(&self) -> *mut () {
        Cell::get(self)
    }
    #[inline]
    fn compare_exchange(&self, current: *mut (), new: *mut ()) -> Result<(), *mut ()> {
        // One thread, and the core runs no other code between its load and this
        // exchange, so the word still holds `current`: the exchange always succeeds
        // and is a plain store (which keeps the weak-count paths as cheap as std's).
        debug_assert_eq!(Cell::get(self), current);
        Cell::set(self, new);
        Ok(())
    }
}

/// The `Local` flavour's lock: exclusive access on one thread, checked.
///
/// There is no other thread to exclude; what remains is re-entrancy. The core never
/// calls out to user code while it holds the lock, so a nested entry would be a bug in
/// this crate. It is checked in every build (one `Cell<bool>`), because handing out two
/// `&mut T` would be undefined behaviour.
pub(crate) struct LocalLock<T> {
    held: Cell<bool>,
    value: UnsafeCell<T>,
}

impl<T> LocalLock<T> {
    /// A lock around `value`, usable in a `const` (thread-local) initialiser.
    pub(crate) const fn new_const(value: T) -> Self {
        LocalLock {
            held: Cell::new(false),
            value: UnsafeCell::new(value),
        }
    }
}

impl<T> Lock<T> for LocalLock<T> {
    fn new(value: T) -> Self {
        Self::new_const(value)
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        assert!(
            !self.held.replace(true),
            "weakref: internal error: registration list entered re-entrantly"
        );
        struct Release<'a>(&'a Cell<bool>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        let _release = Release(&self.held);
        // SAFETY: `held` was false and is now true until `_release` drops, so this is
        // the only `&mut T` to the value; `LocalLock` is `!Sync` (it holds `Cell`s), so
        // no other thread can be here.
        f(unsafe { &mut *self.value.get() })
    }
}
