//! The single-threaded flavour: plain `Cell`s.

use core::cell::{Cell, UnsafeCell};
use core::marker::PhantomData;

use super::{Count, Flavor, Lock, Word};

/// The single-threaded flavour, behind [`crate::rc`].
pub(crate) enum Local {}

impl Flavor for Local {
    type Count = Cell<usize>;
    type Word = Cell<*mut ()>;
    type Lock<T> = LocalLock<T>;
    type Marker = PhantomData<*const ()>;

    fn relax() {
        // Nothing else runs on this thread: a wait could never end.
        unreachable!("weakrefs: internal error: the local flavour waited for another thread")
    }

    fn thread_token() -> usize {
        // Every local handle lives on one thread (0 means "no thread").
        1
    }
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
    #[inline]
    fn fetch_or(&self, bits: usize) -> usize {
        Cell::replace(self, Cell::get(self) | bits)
    }
    #[inline]
    fn fetch_and_not(&self, bits: usize) -> usize {
        Cell::replace(self, Cell::get(self) & !bits)
    }
    #[inline]
    fn add(&self, n: usize) {
        match Cell::get(self).checked_add(n) {
            Some(sum) => Cell::set(self, sum),
            None => std::process::abort(),
        }
    }
    #[inline]
    fn add_unless_locked(&self, n: usize, _locked: usize) {
        // A uniqueness check locks and unlocks with no code in between: on one
        // thread the lock is never seen.
        self.add(n)
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
/// calls out to user code while it holds a registration list's lock; a collection's
/// lock may be re-entered from a key's `Hash` or `Eq`. Either is caught (one
/// `Cell<bool>`, checked in every build), because handing out two `&mut T` would be
/// undefined behaviour.
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

    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        self.try_now(f).unwrap_or_else(|| {
            panic!("weakrefs: re-entrant use of a collection from inside its own operation (for example from a key's `Eq` or `Clone`)")
        })
    }

    #[inline]
    fn try_now<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self.held.replace(true) {
            return None;
        }
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
        Some(f(unsafe { &mut *self.value.get() }))
    }
}
